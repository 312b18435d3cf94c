//! How a run ends: what it did not need settled, the outcome worked out,
//! and the summary the prompter shows.

use std::collections::BTreeMap;

use crate::prompt::Summary;
use crate::record::{
    EventAction, GateDecision, Outcome, PartMap, Rare, RareFields, Signoff, Status,
};

use super::Session;

/// Why a rollback step of a run that ended without one was not needed.
/// Reopening an incomplete run gives such steps back: a rollback may yet
/// be called.
pub(super) const NO_ROLLBACK: &str = "no rollback was called";

impl Session<'_> {
    pub(super) fn finish(&mut self) -> Outcome {
        let rolled_back = self.record.rollback.is_some();
        let now = self.clock.now();
        // What the run did not need is settled now, so the record says why:
        // one reason, shared by every step that holds nothing else.
        let no_rollback = Rare::of(RareFields {
            reason: Some(NO_ROLLBACK.to_string()),
            ..RareFields::default()
        });
        // The rollback's steps, none of them needed if none was called.
        let steps: &[usize] = if rolled_back {
            &[]
        } else {
            &self.rollback_items
        };
        for &index in steps {
            let item = &mut self.record.items[index];
            if item.status == Status::Pending {
                item.status = Status::NotNeeded;
                if item.rare.is_boxed() {
                    item.rare.reason = Some(NO_ROLLBACK.to_string());
                } else {
                    item.rare = no_rollback.clone();
                }
                item.at = Some(now);
            }
        }
        let waived: Vec<&String> = self
            .record
            .gates
            .iter()
            .filter(|g| g.decision == GateDecision::Waive)
            .flat_map(|g| &g.items)
            .collect();
        let failed = self.record.items.iter().any(|item| {
            !item.optional
                && item.status == Status::Failed
                && !waived.iter().any(|id| **id == *item.id)
        });
        let pending = self
            .record
            .items
            .iter()
            .any(|item| !item.optional && item.status == Status::Pending);
        // A pipeline stopped at a gate failed, even for a skip alone.
        let stopped = self
            .record
            .gates
            .iter()
            .any(|g| g.decision == GateDecision::Stop);
        // "Rolled back" says the way back worked; a failed, skipped or
        // unfinished rollback step says otherwise.
        let outcome = if rolled_back && self.way_back_failed() {
            Outcome::Failed
        } else if rolled_back && self.rollback_step_is(&[Status::Pending]) {
            Outcome::Incomplete
        } else if rolled_back {
            Outcome::RolledBack
        } else if failed || stopped {
            Outcome::Failed
        } else if pending {
            Outcome::Incomplete
        } else {
            Outcome::Success
        };
        self.finish_as(outcome)
    }

    pub(super) fn finish_as(&mut self, outcome: Outcome) -> Outcome {
        let now = self.clock.now();
        self.record.run.outcome = outcome;
        self.record.run.finished = Some(now);
        self.record.run.duration_seconds =
            Some((now - self.record.run.started).num_milliseconds().max(0) as f64 / 1000.0);
        self.event(
            EventAction::Finish,
            None,
            Some(outcome.as_str().to_string()),
        );
        outcome
    }

    pub fn summary(&self) -> Summary {
        let mut counts = BTreeMap::new();
        for item in &self.record.items {
            *counts.entry(item.status.as_str().to_string()).or_insert(0) += 1;
        }
        Summary {
            outcome: self.record.run.outcome,
            counts,
            // What the outcome stands on: a required step skipped (a
            // rollback step left undone makes the run failed) as well as
            // the failures.
            failed: self
                .record
                .items
                .iter()
                .filter(|i| {
                    matches!(i.status, Status::Failed | Status::Occurred)
                        || (i.status == Status::Skipped && !i.optional)
                })
                // As the run showed them: `{{version}}` filled in.
                .map(|i| {
                    let mut item = i.clone();
                    item.text = crate::template::fill(&item.text, &self.record.values).into();
                    item
                })
                .collect(),
            gates: self.record.gates.clone(),
            signoffs: self.record.signoffs.iter().map(heading).collect(),
            duration_seconds: self.record.run.duration_seconds,
            notes: self
                .record
                .rollback
                .as_ref()
                .map(|rollback| rollback_note(&self.record, rollback))
                .into_iter()
                .chain(self.notes.iter().cloned())
                .collect(),
        }
    }
}

/// The rollback call as the last screen says it: who called it, on what
/// (a trigger by its text), and why.
fn rollback_note(record: &crate::record::Record, rollback: &crate::record::Rollback) -> String {
    let on = match rollback.cause.strip_prefix("gate:") {
        Some(phase) => {
            let title = record
                .checklist
                .phases
                .iter()
                .find(|titles| *titles.id == *phase)
                .map_or(phase, |titles| &*titles.title);
            format!(" at the gate of {title}")
        }
        None if rollback.cause == "operator" => String::new(),
        None => match record.item(&rollback.cause) {
            Some(trigger) => format!(" when \u{201c}{}\u{201d} happened", trigger.text),
            None => format!(" by {}", rollback.cause),
        },
    };
    let reason = rollback
        .reason
        .as_deref()
        .filter(|reason| !reason.trim().is_empty())
        .map_or_else(String::new, |reason| format!(" ({reason})"));
    format!("rollback called by {}{on}{reason}", rollback.by)
}

/// A sign-off as the summary names it, without what it binds: a long
/// run's first sign-off lists a part per item, and a copy of that map
/// for the last screen was the run's peak of memory (issue 14).
fn heading(signoff: &Signoff) -> Signoff {
    Signoff {
        role: signoff.role.clone(),
        name: signoff.name.clone(),
        decision: signoff.decision,
        comment: signoff.comment.clone(),
        at: signoff.at,
        item: signoff.item.clone(),
        forced: signoff.forced.clone(),
        digest: signoff.digest.clone(),
        parts: PartMap::new(),
        dropped: Vec::new(),
        signature: signoff.signature.clone(),
        source: signoff.source.clone(),
    }
}
