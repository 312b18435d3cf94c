//! The in-toto Statement v1 relcheck writes for a run, and its predicate
//! (docs/ATTEST.md): plain data built from a verified record, serialized
//! with its keys in the order written here, so the same record and
//! subjects always give the same bytes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::ser::SerializeMap;

use super::subject::Subject;
use crate::record::{Decision, GateDecision, Mode, Origin, Outcome, Record, Status};
use crate::sign::{SignatureCheck, Verification};

/// in-toto's Statement, version 1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";

/// relcheck's own predicate type: what `predicate` holds. An identifier,
/// not a page to fetch; a change a consumer could misread gets `v2`.
pub const PREDICATE_TYPE: &str = "https://relcheck.dev/attestation/run/v1";

#[derive(Debug, Serialize)]
pub struct Statement<'a> {
    #[serde(rename = "_type")]
    pub type_: &'static str,
    pub subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: &'static str,
    pub predicate: Predicate<'a>,
}

/// What a run was, as a policy asks about it. Field names are
/// lowerCamelCase, as in-toto asks; values are the record's own words
/// (`rolled-back`, `n/a`, `approve`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Predicate<'a> {
    pub record: RecordFile<'a>,
    pub checklist: Checklist<'a>,
    pub run: Run<'a>,
    pub items: Items,
    pub waivers: Vec<Waiver<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback: Option<Rollback<'a>>,
    pub signoffs: Vec<Signoff<'a>>,
}

/// The record itself: its file's name and SHA-256 (as in its subject, so
/// a predicate printed alone still names the exact file), its schema,
/// and the record digest `verify` checked.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordFile<'a> {
    pub name: &'a str,
    pub sha256: &'a str,
    pub schema: &'a str,
    pub digest: Option<&'a str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Checklist<'a> {
    pub title: &'a str,
    pub origin: &'a Origin,
    pub sha256: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run<'a> {
    pub id: &'a str,
    pub operator: &'a str,
    pub host: &'a str,
    pub mode: Mode,
    pub started: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    pub outcome: Outcome,
    pub relcheck_version: &'a str,
}

/// How many items ended in each status: every status, zero or not, so a
/// policy reads `byStatus.failed` without a default.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Items {
    pub total: usize,
    pub by_status: ByStatus,
}

#[derive(Debug)]
pub struct ByStatus(pub Vec<(Status, usize)>);

impl Serialize for ByStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (status, count) in &self.0 {
            map.serialize_entry(status.as_str(), count)?;
        }
        map.end()
    }
}

/// A gate passed despite failures.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Waiver<'a> {
    pub phase: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    pub by: &'a str,
    pub at: DateTime<Utc>,
}

/// The rollback's first call: later triggers do not change it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rollback<'a> {
    pub at: DateTime<Utc>,
    pub by: &'a str,
    pub cause: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Signoff<'a> {
    pub role: &'a str,
    pub name: &'a str,
    pub decision: Decision,
    pub at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<&'a str>,
    /// Given past the sign-off policy with `relcheck sign --force`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forced: Option<&'a str>,
    /// Absent when the sign-off is unsigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

/// Whose key made a sign-off's signature, as `verify` found it: the key's
/// OpenSSH fingerprint (read from the SSHSIG, which carries the public
/// key) and the allowed signers principal it matched.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Signature {
    pub key_fingerprint: String,
    pub principal: String,
}

/// The record file an attestation is made of: its name and its bytes'
/// SHA-256.
pub struct Attested<'a> {
    pub record: &'a Record,
    pub name: &'a str,
    pub sha256: &'a str,
}

/// The predicate of a record that passed `verification`.
pub fn predicate<'a>(attested: &Attested<'a>, verification: &Verification) -> Predicate<'a> {
    let record = attested.record;
    let by_status = Status::ALL
        .into_iter()
        .map(|status| {
            let count = record.items.iter().filter(|i| i.status == status).count();
            (status, count)
        })
        .collect();
    Predicate {
        record: RecordFile {
            name: attested.name,
            sha256: attested.sha256,
            schema: &record.schema,
            digest: record.digest.as_deref(),
        },
        checklist: Checklist {
            title: &record.checklist.title,
            origin: &record.checklist.origin,
            sha256: &record.checklist.sha256,
        },
        run: Run {
            id: &record.run.id,
            operator: &record.run.operator,
            host: &record.run.host,
            mode: record.run.mode,
            started: record.run.started,
            finished: record.run.finished,
            duration_seconds: record.run.duration_seconds,
            outcome: record.run.outcome,
            relcheck_version: &record.run.relcheck_version,
        },
        items: Items {
            total: record.items.len(),
            by_status: ByStatus(by_status),
        },
        waivers: record
            .gates
            .iter()
            .filter(|gate| gate.decision == GateDecision::Waive)
            .map(|gate| Waiver {
                phase: &gate.phase,
                reason: gate.reason.as_deref(),
                by: &gate.by,
                at: gate.at,
            })
            .collect(),
        rollback: record.rollback.as_ref().map(|rollback| Rollback {
            at: rollback.at,
            by: &rollback.by,
            cause: &rollback.cause,
            reason: rollback.reason.as_deref(),
        }),
        signoffs: record
            .signoffs
            .iter()
            .zip(&verification.signoffs)
            .map(|(signoff, check)| Signoff {
                role: &signoff.role,
                name: &signoff.name,
                decision: signoff.decision,
                at: signoff.at,
                comment: signoff.comment.as_deref(),
                forced: signoff.forced.as_deref(),
                signature: match &check.signature {
                    SignatureCheck::Valid {
                        fingerprint,
                        principal,
                    } => Some(Signature {
                        key_fingerprint: fingerprint.clone(),
                        principal: principal.clone(),
                    }),
                    // A record that verified has no other kind of signed
                    // sign-off: unverified ones were refused before this.
                    _ => None,
                },
            })
            .collect(),
    }
}

/// The whole Statement: the artifacts, then the record, as subjects.
pub fn statement<'a>(subject: Vec<Subject>, predicate: Predicate<'a>) -> Statement<'a> {
    Statement {
        type_: STATEMENT_TYPE,
        subject,
        predicate_type: PREDICATE_TYPE,
        predicate,
    }
}
