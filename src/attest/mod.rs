//! `relcheck attest RECORD`: an in-toto Statement v1 about a release, for
//! the supply-chain tools CI already signs with (cosign, GitHub's
//! `actions/attest`). Its subjects are the release artifacts and the
//! record file; its predicate sums up the run (docs/ATTEST.md).
//!
//! relcheck does not sign the statement: that is the signing tool's job,
//! with the CI's identity. It only vouches for what it can check, so a
//! record is attested only once its run has ended and it passes `verify`.
//!
//! `subject` reads and hashes the artifacts, `statement` builds the JSON.

mod statement;
mod subject;

use std::io::Write;

pub use statement::{PREDICATE_TYPE, STATEMENT_TYPE};
pub use subject::{Subject, sha256_of};

use crate::cli::AttestArgs;
use crate::exit::{Code, error};
use crate::limits::{Kind, read_yaml};
use crate::record::{Record, write_output};

pub fn run(args: AttestArgs, out: &mut dyn Write) -> anyhow::Result<Code> {
    // Usage mistakes first, before anything is read.
    let mut subjects = Vec::new();
    for arg in &args.subject {
        subject::add(
            &mut subjects,
            subject::parse(arg)?,
            &format!("--subject {arg}"),
        )?;
    }

    // The bytes hashed are the bytes read: the subject digest and the
    // record summed up are of one and the same file.
    let path = &args.record;
    let shown = path.display().to_string();
    let text = read_yaml(path, Kind::Record)?;
    let sha256 = crate::source::sha256_hex(text.as_bytes());
    let record = Record::from_yaml(&text, path)?;
    // A run that has not ended may yet change (and its answers since the
    // last whole save are in a journal beside the file, which the file's
    // digest would not cover): there is nothing final to attest.
    if record.run.finished.is_none() {
        return Err(error(
            Code::Incomplete,
            format!(
                "{shown}: the run has not ended ({}); attest a run once it has ended (relcheck resume {shown})",
                record.run.outcome.as_str()
            ),
        ));
    }
    let verification = crate::verify::judge(
        &record,
        args.trust.allowed_signers.clone(),
        args.trust.require_signatures,
        args.trust.policy(),
    )?;
    if !verification.passed() {
        return Err(error(
            Code::Verify,
            format!(
                "{shown}: {}; not attested (relcheck verify {shown} says what does not hold)",
                crate::report::verification::summary(&verification)
            ),
        ));
    }

    for file in &args.subject_file {
        let from = format!("--subject-file {}", file.display());
        subject::add(&mut subjects, subject::of_file(file)?, &from)?;
    }
    let name = path
        .file_name()
        .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
    subject::add(
        &mut subjects,
        Subject::new(name.clone(), sha256.clone()),
        &shown,
    )?;

    let attested = statement::Attested {
        record: &record,
        name: &name,
        sha256: &sha256,
    };
    let predicate = statement::predicate(&attested, &verification);
    let json = if args.predicate_only {
        serde_json::to_string_pretty(&predicate)?
    } else {
        serde_json::to_string_pretty(&statement::statement(subjects, predicate))?
    };
    // Escaped as `report --format json` escapes: the same data, with
    // nothing a terminal would act on.
    let mut json = crate::report::command::escape_unsafe(&json);
    json.push('\n');
    match &args.output {
        Some(file) => write_output(file, json.as_bytes())?,
        None => out.write_all(json.as_bytes())?,
    }
    Ok(Code::Success)
}
