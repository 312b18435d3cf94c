//! The record's `summary`: the counts `relcheck history` lists, written in
//! the record's header (before its items) each time the record is sealed,
//! so a folder of a year's records can be listed by reading only the top
//! of each file (docs/RECORD.md, "Summary").
//!
//! It is part of the canonical form, so a summary edited by hand fails the
//! digest like any other edit, and `verify` checks that it says what the
//! items, gates and sign-offs say.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{GateDecision, Record, Status};
use crate::model::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
                .filter(|item| !waived.contains_key(item.id.as_str()))
                .count(),
            waived: waived.len(),
            signoffs,
            signoffs_expected,
        }
    }
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
    let signed: std::collections::HashSet<&str> = record
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
        if signed.contains(item.id.as_str()) {
            answered += 1;
        }
    }
    (answered, expected)
}
