//! The deployment record: what was answered, by whom and when, kept as YAML
//! (docs/RECORD.md). This module owns its types and their one YAML reader
//! and writer; the files beside it own the canonical form and digest, the
//! journal, the atomic save and load, and the lock that keeps two runs off
//! one record.

pub(crate) mod canonical;
mod checklist;
pub mod create;
mod digest;
mod event;
mod file;
mod header;
mod journal;
mod lean;
mod lock;
mod measured;
mod omit;
mod part_map;
mod result;
mod sources;
mod split;
mod summary;
pub mod v1;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use checklist::{ChecklistRef, Origin, PhaseTitles, SectionTitle};
pub use digest::{
    DigestCheck, canonical, canonical_json, canonical_sha256, check_digest, digest,
    digest_with_items, judge_digest, seal, sha256_of, signoff_sha256,
};
pub use event::{Event, EventAction};
pub use file::{Changes, RecordFile, Sink, write_atomic, write_atomic_with, write_output};
pub use header::{Header, Need};
pub use journal::journal_path;
pub use lock::{Holder, Lock, release_held};
pub use measured::{Measured, Verdict};
pub use part_map::{ITEM, PartMap, PartName, Short, short_text};
pub use result::{ItemResult, Rare, RareFields, SET_ASIDE};
pub use summary::{
    Metrics, PhaseSpan, Summary, WeakItem, rollback_confirmed, seconds, signoff_counts,
    time_to_restore, waivers,
};

use crate::exit::{Code, error};

/// Bumped when a reader of the old shape could misread the new one.
pub const SCHEMA: &str = "relcheck/record/v2";

/// The first schema: still read (docs/RECORD.md, "Records of schema v1"),
/// and kept as it is when a v1 record is signed or resumed, so the digest
/// and sign-offs it holds stay checkable by the rules they were made with.
pub const SCHEMA_V1: &str = "relcheck/record/v1";

pub use crate::limits::MAX_SIGNOFFS;

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// The record. Fields are written in this order, and a field with no
/// value (`None`, `false`, zero, empty) is left out of the file: the
/// order and the rules are docs/RECORD.md's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub schema: String,
    pub checklist: ChecklistRef,
    pub run: Run,
    /// Fields and variables by name (a field's name is its item id).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// Set once a rollback has been called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback: Option<Rollback>,
    /// What `history` lists, set when the record is sealed; before the
    /// items, so it can be read without them ([`Summary`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    pub items: Vec<ItemResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<Gate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signoffs: Vec<Signoff>,
    /// Append-only: an undo or a changed answer shows here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// sha256 of the canonical form of everything above (docs/RECORD.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: String,
    pub operator: String,
    pub host: String,
    pub started: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    pub mode: Mode,
    pub outcome: Outcome,
    pub relcheck_version: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Interactive,
    NonInteractive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    InProgress,
    Success,
    /// A rollback was called and required rollback steps are still open.
    RollingBack,
    RolledBack,
    Aborted,
    Incomplete,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::InProgress => "in-progress",
            Outcome::Success => "success",
            Outcome::RollingBack => "rolling-back",
            Outcome::RolledBack => "rolled-back",
            Outcome::Aborted => "aborted",
            Outcome::Incomplete => "incomplete",
            Outcome::Failed => "failed",
        }
    }
}

impl Run {
    /// The run can go on: `relcheck resume` takes it. Any run that has not
    /// finished (in progress, rolling back, or rolled back with items still
    /// to answer after the way back), and an `incomplete` one: a pipeline
    /// left manual items pending, for a person to finish.
    pub fn resumable(&self) -> bool {
        self.finished.is_none() || self.outcome == Outcome::Incomplete
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rollback {
    pub at: DateTime<Utc>,
    pub by: String,
    /// What called it: a trigger's id, `gate:<phase id>`, or `operator`.
    pub cause: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Triggers that happened after the first call. The first call (`at`,
    /// `cause`, `reason`) never changes; these are kept beside it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub later: Vec<LaterCall>,
}

/// A trigger that happened once a rollback was already called.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaterCall {
    pub at: DateTime<Utc>,
    pub by: String,
    /// The trigger's id.
    pub item: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pending,
    Done,
    Failed,
    Skipped,
    #[serde(rename = "n/a")]
    NotApplicable,
    Occurred,
    NotOccurred,
    NotNeeded,
    /// Never reached: the run stopped before it (a pipeline's gate, or a
    /// rollback with no steps to walk); `reason` says what stopped it.
    NotRun,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Pending,
        Status::Done,
        Status::Failed,
        Status::Skipped,
        Status::NotApplicable,
        Status::Occurred,
        Status::NotOccurred,
        Status::NotNeeded,
        Status::NotRun,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::NotApplicable => "n/a",
            Status::Occurred => "occurred",
            Status::NotOccurred => "not-occurred",
            Status::NotNeeded => "not-needed",
            Status::NotRun => "not-run",
        }
    }

    pub fn from_name(name: &str) -> Option<Status> {
        let name = match name {
            "na" | "not-applicable" => "n/a",
            "not_occurred" => "not-occurred",
            "not_needed" => "not-needed",
            "not_run" => "not-run",
            other => other,
        };
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == name)
    }

    /// An answer has been given (or the item was settled by the run).
    pub fn is_answered(self) -> bool {
        self != Status::Pending
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandRun {
    pub command: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub timed_out: bool,
    /// The time it was given, when it ran past it: what "timed out after
    /// 3 s" says, since `duration_seconds` adds the grace it was given to
    /// stop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    pub duration_seconds: f64,
    /// The last 64 KiB of stdout and stderr, interleaved as printed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub output: String,
    /// Bytes of output dropped from the front to keep the tail.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub truncated_bytes: u64,
    /// Stopped before it ended: Ctrl-C, or a signal or a closed terminal
    /// that ended the run; `output` is what it printed until then.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// Stopped by relcheck (a timeout, an interruption), it outlived the
    /// grace after SIGTERM and was killed with SIGKILL.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub killed: bool,
    /// Saved as started before it ran, and not ended since: relcheck was
    /// killed (or the machine lost) while it ran. It may still be running,
    /// or have done its work; nothing runs it again by itself.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub running: bool,
}

impl CommandRun {
    /// How a command saved as started and never ended is said.
    pub const END_NOT_RECORDED: &str =
        "started, its end not recorded (relcheck stopped while it ran)";

    /// How it ended, in a word or two: "timed out", "interrupted",
    /// "exit 2", "ended without an exit code", or
    /// [`END_NOT_RECORDED`](Self::END_NOT_RECORDED). Reports add its time;
    /// a save that lost it says it with this.
    pub fn ended(&self) -> String {
        if self.running {
            Self::END_NOT_RECORDED.to_string()
        } else if self.timed_out {
            "timed out".to_string()
        } else if self.interrupted {
            // Ctrl-C, or the run stopped by a signal: it never ended by
            // itself.
            "interrupted".to_string()
        } else {
            match self.exit_code {
                Some(code) => format!("exit {code}"),
                None => "ended without an exit code".to_string(),
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wait {
    pub requested_seconds: u64,
    pub waited_seconds: f64,
    #[serde(default, skip_serializing_if = "is_false")]
    pub cut_short: bool,
    /// When the wait began. A wait with `started` and no `ended` was under
    /// way when the run stopped; resuming goes on with the time left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// `answers-file` or `command`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    pub phase: String,
    pub decision: GateDecision,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
    /// The failed or skipped required items the decision was about.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// Where a decision made ahead came from (a pipeline's answers file);
    /// absent for the operator's own at the gate, and for a stop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Provenance>,
}

/// Each name is spelled out: renaming a variant must not change the file
/// format (docs/RECORD.md lists them, and a test holds the two together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GateDecision {
    /// Go on despite the failures; the reason is the waiver.
    #[serde(rename = "waive")]
    Waive,
    #[serde(rename = "rollback")]
    Rollback,
    #[serde(rename = "abort")]
    Abort,
    /// A pipeline stopped here: nobody was there to decide and nothing
    /// waived it, so later phases did not run (their items are `not-run`).
    #[serde(rename = "stop")]
    Stop,
}

impl GateDecision {
    pub const ALL: [GateDecision; 4] = [
        GateDecision::Waive,
        GateDecision::Rollback,
        GateDecision::Abort,
        GateDecision::Stop,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GateDecision::Waive => "waive",
            GateDecision::Rollback => "rollback",
            GateDecision::Abort => "abort",
            GateDecision::Stop => "stop",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signoff {
    pub role: String,
    pub name: String,
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
    /// The sign-off item of the checklist it answers, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Given with `relcheck sign --force` past the sign-off policy: which
    /// rule it breaks, and why it was refused. Signed with the sign-off;
    /// `verify` and reports show it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forced: Option<String>,
    /// sha256 of the canonical form of the whole parts map at signing:
    /// what this sign-off vouches for, and what its signature covers
    /// (docs/RECORD.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Short digests of the record's parts at signing, earlier sign-offs
    /// included, so `verify` can tell an edit from a later answer and say
    /// what changed. In schema v2 only those that differ from the previous
    /// sign-off's (`crate::sign::full_parts` puts the whole map back
    /// together); in schema v1, all of them.
    /// Held as a [`PartMap`], items' parts by the record's own ids: a
    /// long run's first sign-off lists every item.
    #[serde(default, skip_serializing_if = "PartMap::is_empty")]
    pub parts: PartMap,
    /// Schema v2: parts the previous sign-off listed that this one does
    /// not (the earlier count of events, an answer since undone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<String>,
    /// An armored SSH signature (SSHSIG, namespace `relcheck`) over the
    /// signed payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Provenance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    #[serde(rename = "approve")]
    Approve,
    #[serde(rename = "reject")]
    Reject,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
        }
    }
}

impl Record {
    pub fn item(&self, id: &str) -> Option<&ItemResult> {
        self.items.iter().find(|item| *item.id == *id)
    }

    pub fn item_mut(&mut self, id: &str) -> Option<&mut ItemResult> {
        self.items.iter_mut().find(|item| *item.id == *id)
    }

    /// Written in the record's own schema: a v1 record stays v1.
    pub fn to_yaml(&self) -> anyhow::Result<String> {
        let mut out = Vec::new();
        self.write_yaml(&mut out)?;
        String::from_utf8(out).context("cannot write the record as YAML")
    }

    pub fn write_yaml(&self, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
        if self.is_v1() {
            crate::yaml::to_writer(out, &v1::RecordV1::of(self))
        } else {
            lean::write(self, out)
        }
        .context("cannot write the record as YAML")
    }

    /// Of schema v1: its digest and sign-offs follow v1's rules.
    pub fn is_v1(&self) -> bool {
        self.schema == SCHEMA_V1
    }

    /// Sets each item's `shown`: its text with the record's values filled
    /// in, when that differs. Returns the indices of items that changed.
    pub fn refresh_shown(&mut self) -> Vec<usize> {
        let mut changed = Vec::new();
        for (index, item) in self.items.iter_mut().enumerate() {
            let shown = item
                .text
                .contains("{{")
                .then(|| crate::template::fill(&item.text, &self.values))
                .filter(|filled| **filled != *item.text)
                .map(String::into_boxed_str);
            if shown != item.shown {
                item.shown = shown;
                changed.push(index);
            }
        }
        changed
    }

    pub fn from_yaml(text: &str, path: &Path) -> anyhow::Result<Record> {
        let read = split::read(text).map_or_else(|| crate::yaml::from_str(text), Ok);
        let mut record: Record = read.map_err(|err| {
            error(
                Code::Input,
                format!(
                    "{}{}: not a relcheck record: {err}",
                    path.display(),
                    err.at()
                ),
            )
        })?;
        record.within_limits(path)?;
        if record.schema == SCHEMA_V1 {
            return Ok(v1::upgrade(record));
        }
        if record.schema != SCHEMA {
            return Err(error(
                Code::Input,
                format!(
                    "{}: record schema `{}` is not one this relcheck reads ({SCHEMA}, {SCHEMA_V1})",
                    path.display(),
                    record.schema
                ),
            ));
        }
        lean::fill(&mut record);
        Ok(record)
    }

    /// An error when the record holds more sign-offs than relcheck reads
    /// ([`MAX_SIGNOFFS`]).
    pub fn within_limits(&self, path: &Path) -> anyhow::Result<()> {
        if self.signoffs.len() > MAX_SIGNOFFS {
            return Err(error(
                Code::Input,
                format!(
                    "{}: has {} sign-offs; relcheck reads up to {} in a record",
                    path.display(),
                    crate::source::thousands(self.signoffs.len()),
                    crate::source::thousands(MAX_SIGNOFFS)
                ),
            ));
        }
        Ok(())
    }
}
