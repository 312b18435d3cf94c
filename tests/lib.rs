//! relcheck's one integration test binary: a module per feature, each
//! driving the real `relcheck` binary or the library through `support`.

mod support;

mod answers;
mod as_read;
mod attest;
mod bad_night;
mod bundled;
mod ci;
mod config;
mod corpus;
mod crash;
mod engine;
mod errors;
mod files;
mod forgery;
mod gitstore;
mod history;
mod inputs;
mod limits;
mod lint;
mod locks;
mod measured;
mod memory;
mod notify;
mod policy;
mod properties;
mod pty;
mod record;
mod records;
mod report;
mod runtime;
mod shapes;
mod show;
mod sign;
mod signals;
mod stats;
