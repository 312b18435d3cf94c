//! `relcheck verify`: the record digest and every sign-off checked, as a
//! [`Verification`]: what each sign-off vouched for that has changed, what
//! was added since, and whose its signature is. `report::verification`
//! turns it into text.

use std::collections::HashSet;
use std::ops::Bound;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::NAMESPACE;
use super::allowed::{AllowedSigners, Verdict};
use super::now::{Now, Parts, item_forms};
use super::parts::{
    ItemsById, Part, delta_of, finished, full_parts, items_by_id, parts_digest, payload,
    written_parts,
};
use super::policy::{Approval, RuleCheck, Signer, judge};
use super::ssh::{check_signature, fingerprint, principals};
use crate::model::SignoffPolicy;
use crate::record::{
    Decision, DigestCheck, Record, Signoff, check_digest, digest_with_items, judge_digest,
};

/// Everything `verify` found, in record order.
#[derive(Debug, Clone)]
pub struct Verification {
    pub digest: DigestCheck,
    pub signoffs: Vec<SignoffCheck>,
    /// Each rule of the sign-off policy, the record's and the command
    /// line's; empty when there is none.
    pub policy: Vec<RuleCheck>,
}

/// What `verify` is asked to hold a record to beyond its own digest and
/// sign-offs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// Whose keys may sign; needed to trust a signature, and it makes an
    /// unsigned sign-off in a name it lists fail.
    pub allowed: Option<&'a AllowedSigners>,
    /// Every sign-off must be signed (`--require-signatures`).
    pub require_signatures: bool,
    /// Rules on top of the record's own policy (`--min-signoffs`, ...).
    pub policy: SignoffPolicy,
}

#[derive(Debug, Clone)]
pub struct SignoffCheck {
    pub role: String,
    pub name: String,
    pub decision: Decision,
    pub at: DateTime<Utc>,
    /// What it vouched for that is now different or gone: an edit.
    pub changed: Vec<String>,
    /// What was added since it was given, by kind: allowed.
    pub since: Vec<String>,
    pub signature: SignatureCheck,
    /// Given past the sign-off policy with `relcheck sign --force`: why.
    pub forced: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    Unsigned,
    /// Valid, made by an allowed signer.
    Valid {
        fingerprint: String,
        principal: String,
    },
    /// Unreadable, or not over this sign-off.
    Bad(String),
    /// Valid, but there is no allowed signers file to say whose.
    Unchecked {
        fingerprint: String,
    },
    Unknown {
        fingerprint: String,
        file: PathBuf,
        cert_authorities: bool,
    },
    /// The key is listed, but not for this name, namespace or time.
    Refused {
        fingerprint: String,
        reason: String,
    },
    /// Unsigned, but the allowed signers list a key for its name: its
    /// signature may have been stripped, so it cannot pass as unsigned.
    Listed {
        principal: String,
        file: PathBuf,
        line: usize,
    },
    /// Unsigned, and `--require-signatures` was given.
    Required,
}

impl SignatureCheck {
    /// The key that made the signature, when there is a readable one.
    pub fn fingerprint(&self) -> Option<&str> {
        match self {
            SignatureCheck::Valid { fingerprint, .. }
            | SignatureCheck::Unchecked { fingerprint }
            | SignatureCheck::Unknown { fingerprint, .. }
            | SignatureCheck::Refused { fingerprint, .. } => Some(fingerprint),
            _ => None,
        }
    }
}

impl SignoffCheck {
    pub fn passed(&self) -> bool {
        self.changed.is_empty()
            && matches!(
                self.signature,
                SignatureCheck::Unsigned | SignatureCheck::Valid { .. }
            )
    }
}

impl Verification {
    /// Exit 0: the digest matches, no sign-off saw an edit, every
    /// signature is valid and known, and every rule of the policy is kept.
    /// Unsigned sign-offs pass unless asked otherwise: teams without SSH
    /// keys still sign off, and the summary says what that is worth.
    pub fn passed(&self) -> bool {
        matches!(self.digest, DigestCheck::Matches(_))
            && self.signoffs.iter().all(SignoffCheck::passed)
            && self.policy.iter().all(|rule| rule.kept)
    }
}

/// Checks the record digest and every sign-off. `allowed` is needed only
/// when some sign-off carries a signature.
pub fn verify(record: &Record, allowed: Option<&AllowedSigners>) -> Verification {
    check(
        record,
        &Options {
            allowed,
            ..Options::default()
        },
    )
}

/// [`verify`], held to `options` too: `relcheck verify`'s whole judgement.
pub fn check(record: &Record, options: &Options<'_>) -> Verification {
    // Without a sign-off no item's part is asked for.
    let forms = (!record.signoffs.is_empty())
        .then(|| item_forms(record))
        .flatten();
    // The record's digest and the sign-offs' parts each read the whole
    // record: on a long one, check them side by side.
    std::thread::scope(|scope| {
        let digest = scope.spawn(|| match &forms {
            Some(made) => judge_digest(record, digest_with_items(record, &made.forms)),
            None => check_digest(record),
        });
        let items = items_by_id(record);
        let shorts = forms.as_ref().map(|made| made.shorts.as_slice());
        // Every name any sign-off's map holds is in some sign-off's stored
        // parts: a map is the one before it, less some, with its own over it.
        let written = written_parts(record);
        let names = written
            .iter()
            .flat_map(|parts| parts.texts().into_iter().flatten())
            .map(|(name, _)| name);
        let now = Now::new(record, &items, names, shorts);
        let mut signoffs: Vec<SignoffCheck> = Vec::with_capacity(record.signoffs.len());
        let mut maps = full_parts(record, &written);
        let mut before = Parts::new();
        loop {
            // A window of maps at a time, checked on every core (a long
            // run's sign-offs each list every item); the last kept as the
            // one before the next window's first.
            let window: Vec<Parts<'_>> = maps.by_ref().take(WINDOW).collect();
            let Some(last) = window.last() else { break };
            let start = signoffs.len();
            let check_one = |offset: usize| {
                let previous = offset.checked_sub(1).map_or(&before, |i| &window[i]);
                signoff_check(
                    record,
                    options,
                    &items,
                    &now,
                    start + offset,
                    &window[offset],
                    previous,
                )
            };
            let offsets: Vec<usize> = (0..window.len()).collect();
            let checked = crate::cores::map(&offsets, 2, |&offset| check_one(offset));
            // One whose thread panicked is checked again here, to panic as
            // it would have.
            signoffs.extend(
                checked
                    .into_iter()
                    .zip(offsets)
                    .map(|(check, offset)| check.unwrap_or_else(|| check_one(offset))),
            );
            before = last.clone();
        }
        let approvals: Vec<Approval<'_>> = signoffs
            .iter()
            .enumerate()
            .filter(|(_, check)| check.decision == Decision::Approve && check.passed())
            .map(|(index, check)| Approval {
                index,
                signer: Signer {
                    name: &check.name,
                    fingerprint: check.signature.fingerprint(),
                },
            })
            .collect();
        let policy = judge(record, options.policy, &approvals);
        Verification {
            digest: digest
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            signoffs,
            policy,
        }
    })
}

/// Sign-offs whose whole parts maps `verify` holds at once.
const WINDOW: usize = 8;

/// Changed parts a sign-off's check names; the rest it counts.
const MAX_NAMED_CHANGES: usize = 50;

/// Sign-off `index` checked, given its whole parts map and the one of the
/// sign-off before it (empty for the first): what it vouched for that
/// changed, what came since, and its signature.
fn signoff_check(
    record: &Record,
    options: &Options<'_>,
    items: &ItemsById<'_>,
    now: &Now<'_>,
    index: usize,
    parts: &Parts<'_>,
    previous: &Parts<'_>,
) -> SignoffCheck {
    let signoff = &record.signoffs[index];
    let mut changed = changed(record, items, now, signoff, parts);
    changed.extend(placed(record, index, parts, previous));
    let mut since = since(record, parts, index);
    // Nothing is appended to a run that has ended but sign-offs: whatever
    // else came after a sign-off given then is an edit.
    if parts.contains_key("outcome") {
        let later = since.pop_if(|last| last.contains("later sign-off"));
        if !since.is_empty() {
            changed.push(format!("added after the run ended: {}", since.join(", ")));
        }
        since = later.into_iter().collect();
    }
    SignoffCheck {
        role: signoff.role.clone(),
        name: signoff.name.clone(),
        decision: signoff.decision,
        at: signoff.at,
        changed,
        since,
        signature: signature_check(record, index, signoff, options),
        forced: signoff.forced.clone(),
    }
}

/// Whether sign-off `index` stands where it was given: after the sign-offs
/// it was bound after (its map lists `signoff:0` to `signoff:index-1`,
/// neither fewer nor more), and, in schema v2, stored as the one delta its
/// map has from the map before it. A sign-off copied from earlier in the
/// record, or from another, fails here (and its signature, which covers
/// the sign-off before it and the run id, no longer holds).
fn placed(record: &Record, index: usize, map: &Parts<'_>, previous: &Parts<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let before = map
        .keys()
        .filter(|name| name.starts_with("signoff:"))
        .count();
    let listed = (0..index).all(|n| map.contains_key(format!("signoff:{n}").as_str()));
    if before != index || !listed {
        out.push(format!(
            "given after {}, it now follows {} (replayed or moved)",
            crate::words::count(before, "sign-off"),
            index
        ));
    }
    if !record.is_v1() {
        let signoff = &record.signoffs[index];
        let (parts, dropped) = delta_of(previous, map);
        let written = signoff.parts.written();
        let stored = written.texts().into_iter().flatten();
        if !parts.into_iter().eq(stored)
            || !dropped
                .into_iter()
                .eq(signoff.dropped.iter().map(String::as_str))
        {
            out.push("its list of parts is not stored as relcheck stores it".to_string());
        }
    }
    out
}

/// Every part the sign-off lists (`parts`, its whole map) that differs
/// now or is gone.
fn changed(
    record: &Record,
    items: &ItemsById<'_>,
    now: &Now<'_>,
    signoff: &Signoff,
    parts: &Parts<'_>,
) -> Vec<String> {
    let Some(digest) = &signoff.digest else {
        return vec!["nothing: it is bound to no digest (not made by relcheck sign)".to_string()];
    };
    let mut out = Vec::new();
    // The parts are what the digest (and the signature) cover; a parts
    // list that no longer gives the digest cannot be trusted part by part.
    if parts_digest(parts) != *digest {
        out.push("its list of parts was edited".to_string());
    }
    // Past the first few, changed parts are counted, not named: every
    // later sign-off lists the same edited part again, so a hostile
    // record's list (and `verify`'s output) would grow with the square of
    // its sign-offs.
    let (mut named, mut unnamed) = (0usize, 0usize);
    let mut note = |out: &mut Vec<String>, what: &dyn Fn() -> String| {
        if named < MAX_NAMED_CHANGES {
            out.push(what());
            named += 1;
        } else {
            unnamed += 1;
        }
    };
    for (&name, &then) in parts {
        let made;
        let now = match now.get(name) {
            Some(now) => now,
            None => {
                let Some(part) = Part::parse(name) else {
                    note(&mut out, &|| {
                        format!("unknown part {name} (made by a newer relcheck?)")
                    });
                    continue;
                };
                made = part.short(record, items);
                made.as_deref()
            }
        };
        // A name is parsed again only to say what it is: a long run's
        // sign-offs list every item, and most parts hold.
        if now != Some(then)
            && let Some(part) = Part::parse(name)
        {
            note(&mut out, &|| part.describe(now.is_none()));
        }
    }
    if unnamed > 0 {
        out.push(match unnamed {
            1 => "and 1 more part".to_string(),
            n => format!("and {} more parts", crate::source::thousands(n)),
        });
    }
    out
}

/// What was added after the sign-off, by kind, for its line.
fn since(record: &Record, parts: &Parts<'_>, index: usize) -> Vec<String> {
    let listed = |name: String| parts.contains_key(name.as_str());
    // The items listed, by id: `item:` names sort together, so this is
    // one walk of them, not a name made and looked up for every item.
    let items_listed: HashSet<&str> = parts
        .range::<str, _>((Bound::Included("item:"), Bound::Excluded("item;")))
        .filter_map(|(name, _)| name.strip_prefix("item:"))
        .collect();
    let answered: Vec<&str> = record
        .items
        .iter()
        .filter(|item| item.status.is_answered() && !items_listed.contains(item.id.as_ref()))
        .map(|item| item.id.as_ref())
        .collect();
    let values = record
        .values
        .keys()
        .filter(|name| !listed(format!("value:{name}")) && !answered.contains(&name.as_str()))
        .count();
    let events_then = parts
        .keys()
        .find_map(|name| name.strip_prefix("events:")?.parse::<usize>().ok())
        .unwrap_or(0);
    let events = record.events.len().saturating_sub(events_then);
    let gates = (0..record.gates.len())
        .filter(|n| !listed(format!("gate:{n}")))
        .count();
    let later = record.signoffs.len().saturating_sub(index + 1);

    let mut out = Vec::new();
    if !answered.is_empty() {
        out.push(format!(
            "{} recorded",
            crate::words::count(answered.len(), "answer")
        ));
    }
    if values > 0 {
        out.push(format!("{} set", crate::words::count(values, "value")));
    }
    if gates > 0 {
        out.push(crate::words::count(gates, "gate decision"));
    }
    if record.rollback.is_some() && !listed("rollback".to_string()) {
        out.push("rollback called".to_string());
    }
    if finished(record) && !listed("outcome".to_string()) {
        out.push(format!("run ended ({})", record.run.outcome.as_str()));
    }
    if events > 0 {
        out.push(crate::words::count(events, "event"));
    }
    if later > 0 {
        out.push(crate::words::count(later, "later sign-off"));
    }
    out
}

fn signature_check(
    record: &Record,
    index: usize,
    signoff: &Signoff,
    options: &Options<'_>,
) -> SignatureCheck {
    let allowed = options.allowed;
    let Some(armored) = &signoff.signature else {
        // A name the allowed signers list has a key: its sign-off must be
        // signed, or stripping a signature would make it pass unsigned.
        let names = principals(&signoff.name);
        if let Some((principal, line)) = allowed.and_then(|a| a.lists(&names, NAMESPACE)) {
            return SignatureCheck::Listed {
                principal,
                file: allowed.map(|a| a.path.clone()).unwrap_or_default(),
                line,
            };
        }
        if options.require_signatures {
            return SignatureCheck::Required;
        }
        return SignatureCheck::Unsigned;
    };
    let key = match check_signature(armored, &payload(record, index, signoff)) {
        Ok(key) => key,
        Err(reason) => return SignatureCheck::Bad(reason),
    };
    let fingerprint = fingerprint(&key);
    let Some(allowed) = allowed else {
        return SignatureCheck::Unchecked { fingerprint };
    };
    // The sign-off's own time, which the signature covers, is the time the
    // key must have been valid at: as git checks a commit's.
    match allowed.check(&key, &principals(&signoff.name), NAMESPACE, signoff.at) {
        Verdict::Allowed(principal) => SignatureCheck::Valid {
            fingerprint,
            principal,
        },
        Verdict::NotListed { cert_authorities } => SignatureCheck::Unknown {
            fingerprint,
            file: allowed.path.clone(),
            cert_authorities,
        },
        Verdict::Refused(reason) => SignatureCheck::Refused {
            fingerprint,
            reason,
        },
    }
}

/// Whether `verify` needs an allowed signers file for this record.
pub fn has_signatures(record: &Record) -> bool {
    record.signoffs.iter().any(|s| s.signature.is_some())
}
