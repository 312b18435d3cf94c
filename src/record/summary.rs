//! The record's `summary`: the counts `relcheck history` lists, written in
//! the record's header (before its items) each time the record is sealed,
//! so a folder of a year's records can be listed by reading only the top
//! of each file (docs/RECORD.md, "Summary").
//!
//! It is part of the canonical form, so a summary edited by hand fails the
//! digest like any other edit, and `verify` checks that it says what the
//! items, gates and sign-offs say.
//!
//! Its `metrics` are what `history --stats` needs of a run besides the
//! header (each phase's span, the items that went wrong, the time to
//! restore, the last sign-off), worked out here and only here, so a
//! folder's metrics come from the top of each file too.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use chrono::{DateTime, Utc};

use super::{GateDecision, ItemResult, Outcome, Record, Status};
use crate::model::Kind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// Items in the record.
    pub items: usize,
    /// Failed items and triggers that occurred, not counting waived ones.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed: usize,
    /// Items a gate waived.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub waived: usize,
    /// Sign-off items answered by a sign-off ([`signoff_counts`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub signoffs: usize,
    /// Sign-off items in the record.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub signoffs_expected: usize,
    /// What `history --stats` reads; absent in a summary written before
    /// it was, whose record `history --stats` then reads whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Metrics>,
}

/// A run's figures for `history --stats` (docs/REPORTS.md, "Release
/// metrics"), as few bytes as say them: times as seconds, and of the
/// items only those that went wrong.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    /// Every phase the items name, in item order, with its span.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<PhaseSpan>,
    /// Items failed, skipped or waived, in item order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weak: Vec<WeakItem>,
    /// From the rollback's call to the moment it was settled
    /// ([`time_to_restore`]); only for a run that rolled back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_seconds: Option<f64>,
    /// The newest sign-off's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_signoff: Option<DateTime<Utc>>,
}

/// A phase's span in the run: first to last answer in it, `None` when
/// nobody answered anything in it. Written `- id: seconds`, or `- id`
/// alone, one short line a phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "SpanForm", into = "SpanForm")]
pub struct PhaseSpan {
    pub id: String,
    pub seconds: Option<f64>,
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum SpanForm {
    Answered(BTreeMap<String, f64>),
    Unanswered(String),
}

impl From<PhaseSpan> for SpanForm {
    fn from(span: PhaseSpan) -> SpanForm {
        match span.seconds {
            Some(seconds) => SpanForm::Answered(BTreeMap::from([(span.id, seconds)])),
            None => SpanForm::Unanswered(span.id),
        }
    }
}

impl From<SpanForm> for PhaseSpan {
    fn from(form: SpanForm) -> PhaseSpan {
        match form {
            // One entry is what relcheck writes; a map of another size
            // keeps its first, and the digest check says it was edited.
            SpanForm::Answered(map) => {
                let (id, seconds) = map.into_iter().next().unwrap_or_default();
                PhaseSpan {
                    id,
                    seconds: Some(seconds),
                }
            }
            SpanForm::Unanswered(id) => PhaseSpan { id, seconds: None },
        }
    }
}

/// An item that failed, was skipped or was waived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeakItem {
    pub id: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub waived: bool,
    /// As written, `{{variables}}` unfilled.
    pub text: String,
}

/// A count of none is left out, as every empty field of a record is.
fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    pub fn of(record: &Record) -> Summary {
        let waived = waivers(record);
        let (signoffs, signoffs_expected) = signoff_counts(record);
        Summary {
            items: record.items.len(),
            failed: record
                .items
                .iter()
                .filter(|item| matches!(item.status, Status::Failed | Status::Occurred))
                .filter(|item| !waived.contains_key(item.id.as_ref()))
                .count(),
            waived: waived.len(),
            signoffs,
            signoffs_expected,
            metrics: Some(Metrics::of(record, &waived)),
        }
    }

    /// Whether `self`, as stored, says what the record says. A summary
    /// written before `metrics` were is held to the rest.
    pub fn holds_for(&self, record: &Record) -> bool {
        let mut fresh = Summary::of(record);
        if self.metrics.is_none() {
            fresh.metrics = None;
        }
        *self == fresh
    }
}

impl Metrics {
    fn of(record: &Record, waived: &BTreeMap<&str, &str>) -> Metrics {
        Metrics {
            phases: phase_spans(&record.items),
            weak: record
                .items
                .iter()
                .filter_map(|item| {
                    let waived = waived.contains_key(item.id.as_ref());
                    let weak = matches!(item.status, Status::Failed | Status::Skipped);
                    (weak || waived).then(|| WeakItem {
                        id: item.id.to_string(),
                        status: item.status,
                        waived,
                        text: item.text.to_string(),
                    })
                })
                .collect(),
            restore_seconds: time_to_restore(record),
            last_signoff: record.signoffs.iter().map(|s| s.at).max(),
        }
    }
}

/// Whether someone answered the item: a time and an author. Items the run
/// settled itself (not needed, not run) have no author.
fn answered(item: &ItemResult) -> Option<DateTime<Utc>> {
    item.by.as_ref().and(item.at)
}

/// Seconds from one moment to a later one, to the millisecond; none
/// (0) when the second is earlier.
pub fn seconds(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_milliseconds().max(0) as f64 / 1000.0
}

fn phase_spans(items: &[ItemResult]) -> Vec<PhaseSpan> {
    let mut order: Vec<&str> = Vec::new();
    // Looked up, not searched for: a long checklist has hundreds of phases.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut spans: BTreeMap<&str, (DateTime<Utc>, DateTime<Utc>)> = BTreeMap::new();
    for item in items {
        if seen.insert(&item.phase) {
            order.push(&item.phase);
        }
        // A step set aside after a rollback was settled with the phase's
        // question, not worked: it neither begins nor ends the phase.
        if let Some(at) = answered(item).filter(|_| !item.set_aside()) {
            let span = spans.entry(&item.phase).or_insert((at, at));
            span.0 = span.0.min(at);
            span.1 = span.1.max(at);
        }
    }
    order
        .into_iter()
        .map(|id| PhaseSpan {
            id: id.to_string(),
            seconds: spans.get(id).map(|(first, last)| seconds(*first, *last)),
        })
        .collect()
}

/// From the rollback's call to the moment it was settled, for a run whose
/// outcome is `rolled-back`: the last answer to a required rollback step
/// (a step under "If rollback required"), which is when the outcome
/// turned from `rolling-back` to `rolled-back` (docs/RECORD.md). With no
/// rollback steps in the checklist the run was rolled back at the call:
/// no time.
///
/// Which sections are rollback steps the record's outline says
/// (`rollback: true`, written since it was needed here); a record from
/// before that says it only in the checklist text it carries, which is
/// parsed for it, and a record of schema v1, which carries none, has no
/// time to restore.
pub fn time_to_restore(record: &Record) -> Option<f64> {
    let rollback = record.rollback.as_ref()?;
    if record.run.outcome != Outcome::RolledBack {
        return None;
    }
    let steps = rollback_steps(record)?;
    let settled = record
        .items
        .iter()
        .filter(|item| steps.contains(&item.id.as_ref()))
        .filter_map(|item| item.at)
        .max()
        .unwrap_or(rollback.at);
    Some(seconds(rollback.at, settled))
}

/// Whether a required rollback step of the record was done: what a
/// rolled-back run needs before anything may say a service was rolled
/// back. A checklist with no rollback steps is `rolled-back` at the call,
/// and one whose steps were all answered n/a is too; neither confirms it.
pub fn rollback_confirmed(record: &Record) -> bool {
    rollback_steps(record).is_some_and(|steps| {
        record
            .items
            .iter()
            .any(|item| item.status == Status::Done && steps.contains(&item.id.as_ref()))
    })
}

/// The ids of the required steps only a rollback asks for: the items of
/// the sections the outline marks, or else of those the checklist's
/// text, parsed, says.
fn rollback_steps(record: &Record) -> Option<Vec<&str>> {
    let outline = &record.checklist.phases;
    let marked: Vec<&str> = outline
        .iter()
        .filter(|phase| phase.rollback)
        .map(|phase| &*phase.id)
        .chain(
            outline
                .iter()
                .flat_map(|phase| &phase.sections)
                .filter(|section| section.rollback)
                .map(|section| &*section.id),
        )
        .collect();
    if !marked.is_empty() {
        return Some(
            record
                .items
                .iter()
                .filter(|item| !item.optional && marked.contains(&item.section.as_ref()))
                .map(|item| item.id.as_ref())
                .collect(),
        );
    }
    let text = record.checklist.source.as_ref()?.text();
    let source = crate::source::Source::from_text(&record.checklist.origin.display(), &text);
    let checklist = crate::parse::parse(&source).checklist;
    let steps: std::collections::HashSet<&str> = checklist
        .phases
        .iter()
        .flat_map(|phase| &phase.sections)
        .filter(|section| section.when == crate::model::When::Rollback)
        .flat_map(|section| &section.items)
        .filter(|item| !item.optional)
        .map(|item| &*item.id)
        .collect();
    Some(
        record
            .items
            .iter()
            .filter(|item| steps.contains(&*item.id))
            .map(|item| item.id.as_ref())
            .collect(),
    )
}

/// The items gates waived, each with the gate's reason.
pub fn waivers(record: &Record) -> BTreeMap<&str, &str> {
    record
        .gates
        .iter()
        .filter(|gate| gate.decision == GateDecision::Waive)
        .flat_map(|gate| {
            let reason = gate.reason.as_deref().unwrap_or("");
            gate.items.iter().map(move |id| (id.as_str(), reason))
        })
        .collect()
}

/// Sign-offs as "n of m": m sign-off items in the record, n of them
/// answered by at least one sign-off. A role signed twice counts once, and
/// a sign-off for a role the checklist does not list (`--extra-role`)
/// counts for none, so n never passes m.
pub fn signoff_counts(record: &Record) -> (usize, usize) {
    let signed: HashSet<&str> = record
        .signoffs
        .iter()
        .filter_map(|s| s.item.as_deref())
        .collect();
    let items = record
        .items
        .iter()
        .filter(|item| item.kind == Kind::Signoff);
    let (mut answered, mut expected) = (0, 0);
    for item in items {
        expected += 1;
        if signed.contains(item.id.as_ref()) {
            answered += 1;
        }
    }
    (answered, expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_span_is_one_short_line() {
        let spans = vec![
            PhaseSpan {
                id: "deploy".into(),
                seconds: Some(78.5),
            },
            PhaseSpan {
                id: "rollback".into(),
                seconds: None,
            },
        ];
        let yaml = crate::yaml::to_string(&spans).unwrap();
        assert_eq!(yaml, "- deploy: 78.5\n- rollback\n");
        let back: Vec<PhaseSpan> = crate::yaml::from_str(&yaml).unwrap();
        assert_eq!(back, spans);
    }

    #[test]
    fn metrics_refuse_a_key_they_do_not_know() {
        let err = crate::yaml::from_str::<Metrics>("restore_seconds: 1.0\nbogus: 2\n");
        assert!(err.is_err());
    }
}
