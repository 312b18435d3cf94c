//! Sign-off (docs/RECORD.md): the parts a sign-off binds to, SSH
//! signatures over a sign-off, and `verify`'s judgement of a record.
//! Nothing here prints: `sign` and `verify` return values that `lib.rs`
//! writes out, through `report::verification` for `verify`.
//!
//! Two layers, for two threats. The record digest (`crate::record`)
//! catches a record edited by hand or by another tool; anyone can
//! recompute it, so it proves nothing about who. A sign-off binds to
//! digests of the record's parts as they stood, and its SSH signature
//! covers that binding, so an edit to anything it vouched for shows even
//! when the record digest was redone.
//!
//! One file a job: `parts` (what a sign-off binds to and the bytes it
//! signs), `binder` (binding a run's sign-offs from digests kept as it
//! goes), `ssh` (making and checking signatures), `settings` (defaults
//! from git and the environment), `allowed` (allowed-signers files),
//! `policy` (separation of duties), `command` (`relcheck sign`) and
//! `verify` (`relcheck verify`).

mod allowed;
mod binder;
mod command;
mod now;
mod parts;
mod policy;
mod settings;
mod ssh;
mod verify;
mod whole;

pub use allowed::{AllowedSigners, Entry, Verdict, parse_time, pattern_list_matches};
pub use binder::Binder;
pub use command::{Request, Signed, run, sign, sign_file, sign_file_then};
pub use parts::{bind, full_parts, parts, parts_digest, payload, previous_digest, written_parts};
pub use policy::{RuleCheck, refusal_by_name};
pub use settings::{Settings, System, allowed_signers_path, signer_name, signing_key, ssh_keygen};
pub use ssh::{Signer, SigningKey, SshKeygen, check_signature, fingerprint, principals};
pub use verify::{
    Options, SignatureCheck, SignoffCheck, Verification, check, has_signatures, verify,
};

/// The SSHSIG namespace of every relcheck signature, so a signature made
/// for git (namespace `git`) or a file (`file`) cannot pass as a sign-off.
pub const NAMESPACE: &str = "relcheck";

/// Starts every signed payload, so the bytes cannot be mistaken for another
/// message, and so a later payload shape can say it is one: v2 is a
/// schema v2 record's, which binds the run id and the sign-off before.
pub const PAYLOAD_HEADER: &[u8] = b"relcheck-signoff-v2\n";

/// A schema v1 record's sign-offs sign v1's payload, as they always did.
pub const PAYLOAD_HEADER_V1: &[u8] = b"relcheck-signoff-v1\n";

#[cfg(test)]
mod tests;
