//! `relcheck verify RECORD`: the record's digest and every sign-off checked
//! against the allowed signers, rendered for a person; exit 5 when anything
//! does not hold.

use std::io::Write;

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
        out.write_all(&sign::payload(signoff))?;
        return Ok(Code::Success);
    }
    // A file named on the command line is read even when nothing is signed,
    // so a mistyped path shows; git's only when needed.
    let allowed = if args.allowed_signers.is_some() || sign::has_signatures(&loaded) {
        sign::allowed_signers_path(args.allowed_signers, &sign::System)
            .map(|path| sign::AllowedSigners::load(&path))
            .transpose()?
    } else {
        None
    };
    let verification = sign::verify(&loaded, allowed.as_ref());
    out.write_all(crate::report::verification::text(&verification, config.style).as_bytes())?;
    Ok(if verification.passed() {
        Code::Success
    } else {
        Code::Verify
    })
}
