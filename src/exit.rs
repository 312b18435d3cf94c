//! The exit codes every command shares, and the error that carries one.
//!
//! Errors travel as `anyhow::Error`; the ones that mean something other than
//! "bad input" wrap a [`Coded`] so `main` can pick the code out of the chain
//! however much context was added on the way up.

use std::fmt;

/// One table for every command: README and `--help` print the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Success = 0,
    /// The checklist failed: a required item failed, or a rollback was called.
    Failed = 1,
    Usage = 2,
    /// A checklist, record or answers file could not be read or is invalid.
    Input = 3,
    /// The run is incomplete or was aborted.
    Incomplete = 4,
    /// `verify` found a record edited after it was signed, or a bad signature.
    Verify = 5,
    /// Another run holds the record's lock.
    Locked = 6,
    Interrupted = 130,
}

impl Code {
    pub fn as_u8(self) -> u8 {
        self as u8
    }
}

pub const TABLE: &str = "\
Exit codes:
  0    success
  1    the checklist failed: a required item failed, or a rollback was called
       (lint: errors found)
  2    usage error
  3    unreadable or invalid input (checklist, record, answers file)
  4    incomplete or aborted run
  5    verification failed
  6    record locked by another run
  130  interrupted";

/// An error that ends the program with a given code.
#[derive(Debug)]
pub struct Coded {
    pub code: Code,
    pub message: String,
}

impl fmt::Display for Coded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Coded {}

pub fn error(code: Code, message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Coded {
        code,
        message: message.into(),
    })
}

/// The code an error ends the program with: the innermost [`Coded`] in its
/// chain, else 3, since whatever else fails is input we could not read.
pub fn code_of(err: &anyhow::Error) -> Code {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<Coded>())
        .map_or(Code::Input, |coded| coded.code)
}
