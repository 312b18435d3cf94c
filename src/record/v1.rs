//! Records of schema v1 (`relcheck/record/v1`), read into the record's
//! types and kept v1: their digest and sign-offs were made over v1's
//! shape, which wrote every field, `null`, `false`, `0` and `[]` included,
//! and named the checklist by a `path`. The mirrors here give that shape
//! back from the record's types, for the digest, for the parts a v1
//! sign-off binds, and to write a v1 record that is signed or resumed.
//!
//! v1 had no titles, no checklist text and no `shown`: a v1 record keeps
//! them empty (`shown` is filled in memory, where it changes no digest).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{
    CommandRun, Decision, Event, GateDecision, ItemResult, Origin, Provenance, Record, Rollback,
    Run, Signoff, Status, Wait,
};

/// Fills in what v1 left to be worked out: a bundled checklist's relcheck
/// version (the run's), and each item's filled text.
pub(super) fn upgrade(mut record: Record) -> Record {
    if let Origin::Bundled { relcheck, .. } = &mut record.checklist.origin
        && relcheck.is_empty()
    {
        *relcheck = record.run.relcheck_version.clone();
    }
    record.refresh_shown();
    record
}

/// The canonical form of a v1 record, as v1 computed it.
pub fn canonical(record: &Record) -> Vec<u8> {
    super::canonical::to_vec(&RecordV1::of(record), Some("digest"))
}

#[derive(Serialize)]
pub struct RecordV1<'a> {
    schema: &'a str,
    checklist: ChecklistV1<'a>,
    run: &'a Run,
    values: &'a BTreeMap<String, String>,
    rollback: &'a Option<Rollback>,
    items: Vec<ItemV1<'a>>,
    gates: Vec<GateV1<'a>>,
    signoffs: Vec<SignoffV1<'a>>,
    events: &'a [Event],
    digest: &'a Option<String>,
}

impl<'a> RecordV1<'a> {
    pub fn of(record: &'a Record) -> RecordV1<'a> {
        RecordV1 {
            schema: &record.schema,
            checklist: ChecklistV1::of(record),
            run: &record.run,
            values: &record.values,
            rollback: &record.rollback,
            items: record.items.iter().map(ItemV1::of).collect(),
            gates: record.gates.iter().map(GateV1::of).collect(),
            signoffs: record.signoffs.iter().map(SignoffV1::of).collect(),
            events: &record.events,
            digest: &record.digest,
        }
    }
}

#[derive(Serialize)]
pub struct ChecklistV1<'a> {
    title: &'a str,
    path: String,
    sha256: &'a str,
}

impl<'a> ChecklistV1<'a> {
    pub fn of(record: &'a Record) -> ChecklistV1<'a> {
        ChecklistV1 {
            title: &record.checklist.title,
            path: record.checklist.origin.display(),
            sha256: &record.checklist.sha256,
        }
    }
}

#[derive(Serialize)]
pub struct ItemV1<'a> {
    id: &'a str,
    kind: crate::model::Kind,
    text: &'a str,
    phase: &'a str,
    section: &'a str,
    line: usize,
    optional: bool,
    role: &'a Option<String>,
    status: Status,
    value: &'a Option<String>,
    by: &'a Option<std::sync::Arc<str>>,
    at: &'a Option<DateTime<Utc>>,
    note: &'a Option<String>,
    reason: &'a Option<String>,
    command: Option<CommandV1<'a>>,
    wait: Option<WaitV1<'a>>,
    source: Option<&'a Provenance>,
}

impl<'a> ItemV1<'a> {
    pub fn of(item: &'a ItemResult) -> ItemV1<'a> {
        ItemV1 {
            id: &item.id,
            kind: item.kind,
            text: &item.text,
            phase: &item.phase,
            section: &item.section,
            line: item.line,
            optional: item.optional,
            role: &item.rare.role,
            status: item.status,
            value: &item.rare.value,
            by: &item.by,
            at: &item.at,
            note: &item.rare.note,
            reason: &item.rare.reason,
            command: item.rare.command.as_deref().map(CommandV1::of),
            wait: item.rare.wait.as_deref().map(WaitV1::of),
            source: item.source.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct CommandV1<'a> {
    command: &'a str,
    exit_code: Option<i32>,
    timed_out: bool,
    duration_seconds: f64,
    output: &'a str,
    truncated_bytes: u64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    interrupted: bool,
}

impl<'a> CommandV1<'a> {
    fn of(run: &'a CommandRun) -> CommandV1<'a> {
        CommandV1 {
            command: &run.command,
            exit_code: run.exit_code,
            timed_out: run.timed_out,
            duration_seconds: run.duration_seconds,
            output: &run.output,
            truncated_bytes: run.truncated_bytes,
            interrupted: run.interrupted,
        }
    }
}

#[derive(Serialize)]
struct WaitV1<'a> {
    requested_seconds: u64,
    waited_seconds: f64,
    cut_short: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    started: &'a Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ended: &'a Option<DateTime<Utc>>,
}

impl<'a> WaitV1<'a> {
    fn of(wait: &'a Wait) -> WaitV1<'a> {
        WaitV1 {
            requested_seconds: wait.requested_seconds,
            waited_seconds: wait.waited_seconds,
            cut_short: wait.cut_short,
            started: &wait.started,
            ended: &wait.ended,
        }
    }
}

#[derive(Serialize)]
pub struct GateV1<'a> {
    phase: &'a str,
    decision: GateDecision,
    reason: &'a Option<String>,
    by: &'a str,
    at: DateTime<Utc>,
    items: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    source: &'a Option<Provenance>,
}

impl<'a> GateV1<'a> {
    pub fn of(gate: &'a super::Gate) -> GateV1<'a> {
        GateV1 {
            phase: &gate.phase,
            decision: gate.decision,
            reason: &gate.reason,
            by: &gate.by,
            at: gate.at,
            items: &gate.items,
            source: &gate.source,
        }
    }
}

#[derive(Serialize)]
pub struct SignoffV1<'a> {
    role: &'a str,
    name: &'a str,
    decision: Decision,
    comment: &'a Option<String>,
    at: DateTime<Utc>,
    item: &'a Option<String>,
    digest: &'a Option<String>,
    parts: &'a super::PartMap,
    signature: &'a Option<String>,
    source: &'a Option<Provenance>,
}

impl<'a> SignoffV1<'a> {
    pub fn of(signoff: &'a Signoff) -> SignoffV1<'a> {
        SignoffV1 {
            role: &signoff.role,
            name: &signoff.name,
            decision: signoff.decision,
            comment: &signoff.comment,
            at: signoff.at,
            item: &signoff.item,
            digest: &signoff.digest,
            parts: &signoff.parts,
            signature: &signoff.signature,
            source: &signoff.source,
        }
    }
}
