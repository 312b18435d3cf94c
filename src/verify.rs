//! `relcheck verify RECORD`: the record's digest and every sign-off checked
//! against the allowed signers, rendered for a person; exit 5 when anything
//! does not hold.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::VerifyArgs;
use crate::config::Config;
use crate::exit::{Code, error};
use crate::record::Record;
use crate::sign;

pub fn run(args: VerifyArgs, config: &Config, out: &mut dyn Write) -> anyhow::Result<Code> {
    let loaded = Record::load(&args.record)?;
    if let Some(n) = args.print_payload {
        let signoff = n
            .checked_sub(1)
            .and_then(|i| loaded.signoffs.get(i))
            .ok_or_else(|| {
                error(
                    Code::Usage,
                    format!(
                        "{}: has {} sign-offs; --print-payload takes 1 to {0}",
                        args.record.display(),
                        loaded.signoffs.len()
                    ),
                )
            })?;
        out.write_all(&sign::payload(&loaded, n - 1, signoff))?;
        return Ok(Code::Success);
    }
    let verification = judge(
        &loaded,
        args.trust.allowed_signers.clone(),
        args.trust.require_signatures,
        args.trust.policy(),
    )?;
    out.write_all(crate::report::verification::text(&verification, config.style).as_bytes())?;
    Ok(if verification.passed() {
        Code::Success
    } else {
        Code::Verify
    })
}

/// The record judged as `verify` judges it, allowed signers found as
/// `verify` finds them: what `verify` prints, and what `attest` requires
/// to pass before it vouches for a record.
pub fn judge(
    record: &Record,
    allowed_signers: Option<PathBuf>,
    require_signatures: bool,
    policy: crate::model::SignoffPolicy,
) -> anyhow::Result<sign::Verification> {
    // A file named on the command line is read even when nothing is signed,
    // so a mistyped path shows; git's whenever there is a sign-off, since
    // an unsigned one in a name it lists fails (a stripped signature).
    let allowed = if allowed_signers.is_some() || !record.signoffs.is_empty() {
        sign::allowed_signers_path(allowed_signers, &sign::System)
            .map(|path| sign::AllowedSigners::load(&path))
            .transpose()?
    } else {
        None
    };
    Ok(sign::check(
        record,
        &sign::Options {
            allowed: allowed.as_ref(),
            require_signatures,
            policy,
        },
    ))
}
