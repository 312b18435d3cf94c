//! `relcheck sign`: append a sign-off to a record, bound to what it holds
//! now and signed when there is a key, under the record's lock.

use crate::record::PartMap;
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, SubsecRound, Utc};

use super::parts::{bind, payload};
use super::policy::{self, refusal};
use super::ssh::{Signer, check_signature, fingerprint};
use crate::exit::{Code, error};
use crate::model::Kind;
use crate::parse::rules;
use crate::record::{
    Decision, DigestCheck, ItemResult, Lock, MAX_SIGNOFFS, Record, Signoff, check_digest, seal,
};
use crate::system::host_name;

/// What `relcheck sign` was asked, flags resolved to values.
#[derive(Debug, Clone)]
pub struct Request {
    pub role: String,
    pub name: String,
    pub decision: Decision,
    pub comment: Option<String>,
    /// Sign as a role the checklist does not list.
    pub extra_role: bool,
    /// Sign even past the checklist's sign-off policy; recorded.
    pub force: bool,
}

/// What `sign` did, for its one line of output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub role: String,
    pub name: String,
    pub decision: Decision,
    /// The sign-off's digest.
    pub digest: String,
    /// `ssh-ed25519 SHA256:...`, when signed with a key.
    pub signer: Option<String>,
    /// The policy rule `--force` signed past.
    pub forced: Option<String>,
}

impl Signed {
    pub fn line(&self, record: &Path) -> String {
        let signature = match &self.signer {
            Some(key) => format!("signature: {key}"),
            None => "unsigned (no key: --key, or git config user.signingKey with gpg.format ssh)"
                .to_string(),
        };
        let forced = match &self.forced {
            Some(rule) => format!("; forced past the sign-off policy ({rule})"),
            None => String::new(),
        };
        format!(
            "signed {} as {} ({}, {}), bound to digest {}…; {signature}{forced}",
            record.display(),
            self.role,
            self.name,
            decision_str(self.decision),
            &self.digest[..12.min(self.digest.len())],
        )
    }
}

/// `relcheck sign`: under the record's lock, load it, append a sign-off
/// bound to what it holds now, signed when there is a signer, and save.
pub fn sign_file(
    path: &Path,
    request: &Request,
    signer: Option<&dyn Signer>,
    now: DateTime<Utc>,
) -> anyhow::Result<Signed> {
    sign_file_then(path, request, signer, now, |_, _| {})
}

/// [`sign_file`], then `then` with the record as saved, still under its
/// lock: `sign --commit` commits what was saved, not what another writer
/// may put there next.
pub fn sign_file_then(
    path: &Path,
    request: &Request,
    signer: Option<&dyn Signer>,
    now: DateTime<Utc>,
    then: impl FnOnce(&Record, &Signed),
) -> anyhow::Result<Signed> {
    // Read once before locking, so a mistyped path is reported as one
    // rather than as a lock that cannot be made.
    Record::load(path)?;
    let lock = Lock::acquire(path, &request.name, &host_name())?;
    if let Some(note) = lock.takeover_note() {
        eprintln!("{}", crate::printable::printable(&note));
    }
    let mut record = Record::load(path)?;
    let signed =
        sign(&mut record, request, signer, now).with_context(|| path.display().to_string())?;
    // Signing takes a while (a key's passphrase): the lock may have been
    // taken meanwhile, and then the record is someone else's to write.
    if let Err(what) = lock.check() {
        return Err(crate::exit::error(
            crate::exit::Code::Locked,
            format!(
                "{}: the record's lock {} {what} while signing, so the sign-off was not saved; sign again once no run holds the record",
                path.display(),
                lock.path().display()
            ),
        ));
    }
    record.save(path)?;
    then(&record, &signed);
    Ok(signed)
}

/// Appends the sign-off to `record` and seals it. Items are left alone:
/// answering the sign-off item would change a part an earlier sign-off
/// vouched for; reports join sign-offs to items by role.
pub fn sign(
    record: &mut Record,
    request: &Request,
    signer: Option<&dyn Signer>,
    now: DateTime<Utc>,
) -> anyhow::Result<Signed> {
    // A run that can still go on adds a sign-off for each sign-off item
    // it has yet to ask: room is kept for them, or resuming it would
    // write a record relcheck refuses to read.
    let open = if record.run.resumable() {
        record
            .items
            .iter()
            .filter(|item| item.kind == Kind::Signoff && !item.status.is_answered())
            .count()
    } else {
        0
    };
    if record.signoffs.len() + open >= MAX_SIGNOFFS {
        let waiting = match open {
            0 => String::new(),
            1 => " and 1 sign-off item its run has yet to ask".to_string(),
            n => format!(
                " and {} sign-off items its run has yet to ask",
                crate::source::thousands(n)
            ),
        };
        return Err(error(
            Code::Input,
            format!(
                "it has {} sign-offs{waiting}; a record holds up to {}; not signed",
                crate::source::thousands(record.signoffs.len()),
                crate::source::thousands(MAX_SIGNOFFS)
            ),
        ));
    }
    match check_digest(record) {
        DigestCheck::Matches(_) => {}
        DigestCheck::Missing | DigestCheck::Differs => {
            return Err(error(
                Code::Verify,
                "record digest does not match: the record was edited outside relcheck; refusing to sign it (`relcheck verify` says more)",
            ));
        }
    }
    let (role, item) = if request.extra_role {
        (request.role.trim().to_string(), None)
    } else {
        let (role, item) = signoff_item(record, &request.role)?;
        (role, Some(item))
    };
    let mut signoff = Signoff {
        role,
        name: request.name.clone(),
        decision: request.decision,
        comment: request.comment.clone().filter(|c| !c.trim().is_empty()),
        // Whole seconds: the time is for people, and is signed as written.
        at: now.trunc_subsecs(0),
        item,
        forced: None,
        digest: None,
        parts: PartMap::new(),
        dropped: Vec::new(),
        signature: None,
        source: None,
    };
    bind(record, &mut signoff);
    let index = record.signoffs.len();
    let earlier = earlier_approvals(record);
    let earlier: Vec<(usize, policy::Signer<'_>)> = earlier
        .iter()
        .map(|(index, name, fingerprint)| {
            (
                *index,
                policy::Signer {
                    name,
                    fingerprint: fingerprint.as_deref(),
                },
            )
        })
        .collect();
    // Checked by name before signing, and by key once signed: one key
    // signing under two names is one signer.
    let mut broken = check_policy(record, request, &signoff, None, &earlier)?;
    signoff.forced = broken.clone();
    let mut signer_key = None;
    if let Some(signer) = signer {
        loop {
            let payload = payload(record, index, &signoff);
            let armored = signer.sign(&payload)?;
            // Checked at once, so a signature that would fail `verify` is
            // never written.
            let key = check_signature(&armored, &payload)
                .map_err(|reason| error(Code::Input, format!("the signer's signature {reason}")))?;
            signoff.signature = Some(armored.trim_end().to_string() + "\n");
            let print = fingerprint(&key);
            signer_key = Some(format!("{} {print}", key.algorithm().as_str()));
            if broken.is_none() {
                broken = check_policy(record, request, &signoff, Some(&print), &earlier)?;
                if broken.is_some() {
                    // Forced: `forced` is signed, so sign again with it.
                    signoff.forced = broken.clone();
                    continue;
                }
            }
            break;
        }
    }
    let signed = Signed {
        role: signoff.role.clone(),
        name: signoff.name.clone(),
        decision: signoff.decision,
        digest: signoff.digest.clone().unwrap_or_default(),
        signer: signer_key,
        forced: signoff.forced.clone(),
    };
    record.signoffs.push(signoff);
    seal(record);
    Ok(signed)
}

/// The record's approvals so far that hold a readable signature or none:
/// place, name, and the key that signed each.
fn earlier_approvals(record: &Record) -> Vec<(usize, String, Option<String>)> {
    record
        .signoffs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.decision == Decision::Approve)
        .map(|(index, s)| {
            let key = s.signature.as_deref().and_then(|armored| {
                check_signature(armored, &payload(record, index, s))
                    .ok()
                    .map(|key| fingerprint(&key))
            });
            (index, s.name.clone(), key)
        })
        .collect()
}

/// The rule of the record's policy `signoff` would break, when `--force`
/// signs past it; an error when it is not forced.
fn check_policy(
    record: &Record,
    request: &Request,
    signoff: &Signoff,
    key: Option<&str>,
    earlier: &[(usize, policy::Signer<'_>)],
) -> anyhow::Result<Option<String>> {
    let signer = policy::Signer {
        name: &signoff.name,
        fingerprint: key,
    };
    let Some(rule) = refusal(record, signoff.decision, &signer, earlier) else {
        return Ok(None);
    };
    if request.force {
        return Ok(Some(rule));
    }
    Err(error(
        Code::Usage,
        format!(
            "refusing a sign-off its sign-off policy can never accept: {rule}. Pass --force to add it anyway: it is recorded as forced, and `relcheck verify` reports the rule broken"
        ),
    ))
}

/// The role a sign-off item asks for: its `role`, else read from its text
/// as the parser does.
fn item_role(item: &ItemResult) -> String {
    item.rare
        .role
        .clone()
        .unwrap_or_else(|| rules::role_words(&item.text))
}

/// The checklist's spelling of `role` and the sign-off item to bind to:
/// the first one with that role no sign-off names yet, else the first.
fn signoff_item(record: &Record, role: &str) -> anyhow::Result<(String, String)> {
    let wanted = role.trim().to_lowercase();
    let items: Vec<&ItemResult> = record
        .items
        .iter()
        .filter(|item| item.kind == Kind::Signoff)
        .collect();
    let matching: Vec<&ItemResult> = items
        .iter()
        .copied()
        .filter(|item| {
            item_role(item).to_lowercase() == wanted || item.text.to_lowercase() == wanted
        })
        .collect();
    let Some(first) = matching.first() else {
        let mut roles: Vec<String> = items.iter().map(|item| item_role(item)).collect();
        roles.dedup();
        let message = if roles.is_empty() {
            format!(
                "this checklist has no sign-off items, so `{role}` is not one of its roles; pass --extra-role to sign anyway"
            )
        } else {
            format!(
                "`{role}` is not a sign-off role of this checklist; it asks for: {}. Pass --extra-role to sign as a role it does not list",
                roles.join(", ")
            )
        };
        return Err(error(Code::Usage, message));
    };
    let taken = |item: &ItemResult| {
        record
            .signoffs
            .iter()
            .any(|s| s.item.as_deref() == Some(&item.id))
    };
    let item = matching.iter().find(|item| !taken(item)).unwrap_or(first);
    Ok((item_role(item), item.id.to_string()))
}

fn decision_str(decision: Decision) -> &'static str {
    match decision {
        Decision::Approve => "approve",
        Decision::Reject => "reject",
    }
}

/// `relcheck sign RECORD --role ROLE`: the signer and key from the flags,
/// else git's configuration (docs/RECORD.md).
pub fn run(args: crate::cli::SignArgs, out: &mut dyn std::io::Write) -> anyhow::Result<Code> {
    let settings = super::settings::System;
    // Recorded, signed and shown: text only, never escape sequences; a
    // role and a name are one line (a newline would let a name pass for
    // a line of `verify`'s output, or a commit's trailer, of its own).
    let text = |value: String| crate::printable::printable(&value).into_owned();
    let line = |flag: &str, value: String| {
        if crate::printable::breaks_line(&value) {
            return Err(error(
                Code::Usage,
                format!(
                    "{flag} {}: holds a line break or a control character; it is recorded and shown on one line, so give plain text",
                    crate::printable::one_line(&value)
                ),
            ));
        }
        Ok(value)
    };
    let request = Request {
        role: line("--role", args.role)?,
        name: line(
            "--name",
            super::settings::signer_name(args.name, &settings)?,
        )?,
        decision: match args.decision {
            crate::cli::DecisionArg::Approve => Decision::Approve,
            crate::cli::DecisionArg::Reject => Decision::Reject,
        },
        comment: args.comment.map(text),
        extra_role: args.extra_role,
        force: args.force,
    };
    let signer = super::settings::signing_key(args.key.as_deref(), &settings)
        .map(|key| super::settings::ssh_keygen(key, &settings));
    let mut committed = None;
    let signed = sign_file_then(
        &args.record,
        &request,
        signer.as_ref().map(|s| s as &dyn Signer),
        Utc::now(),
        |record, signed| {
            if args.commit {
                committed = Some(crate::gitstore::commit_signoff(
                    &args.record,
                    record,
                    &signed.role,
                    &signed.name,
                    signed.decision,
                ));
            }
        },
    )?;
    writeln!(out, "{}", signed.line(&args.record))?;
    if let Some(result) = committed {
        crate::gitstore::report(&args.record, result, out);
    }
    Ok(Code::Success)
}
