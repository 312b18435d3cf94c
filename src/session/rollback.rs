//! Calling a rollback: the first call kept as made, later triggers listed
//! beside it, and the outcome while the way back is walked.

use crate::model::When;
use crate::prompt::{Prompter, Reply};
use crate::record::{EventAction, LaterCall, Outcome, Rollback, Status};

use super::{Session, Undo};

impl Session<'_> {
    /// A rollback: the first call is kept as it was made; a trigger that
    /// happens after it is listed beside it.
    pub(super) fn call_rollback(&mut self, cause: String, reason: Option<String>) {
        let at = self.clock.now();
        let by = self.options.operator.clone();
        if let Some(rollback) = &mut self.record.rollback {
            rollback.later.push(LaterCall {
                at,
                by,
                item: cause.clone(),
                what: reason.clone(),
            });
            self.event(
                EventAction::RollbackAgain,
                Some(cause),
                reason.map(|r| format!("also: {r}")),
            );
            return;
        }
        // The way back comes first, wherever `g` had gone.
        self.focus = None;
        self.record.rollback = Some(Rollback {
            at,
            by,
            cause: cause.clone(),
            reason: reason.clone(),
            later: Vec::new(),
        });
        // Success-only items will not run now.
        let mut marked = Vec::new();
        for index in 0..self.record.items.len() {
            // Rollback steps an earlier end of the run set aside (a
            // pipeline's incomplete run, reopened by a person) are needed
            // after all.
            if self.place(index).1 == When::Rollback
                && self.record.items[index].status == Status::NotNeeded
                && self.record.items[index].rare.reason.as_deref()
                    == Some(super::outcome::NO_ROLLBACK)
            {
                marked.push((index, self.record.items[index].clone()));
                self.dirty.push(index);
                let item = &mut self.record.items[index];
                item.status = Status::Pending;
                item.rare.reason = None;
                item.rare.tidy();
                item.at = None;
                continue;
            }
            if self.place(index).1 == When::Success
                && self.record.items[index].status == Status::Pending
            {
                marked.push((index, self.record.items[index].clone()));
                self.dirty.push(index);
                let item = &mut self.record.items[index];
                item.status = Status::NotNeeded;
                item.rare.reason = Some("a rollback was called".to_string());
                item.at = Some(at);
            }
        }
        // With no rollback steps to walk, nothing of the release is left
        // to do: the rest is recorded as not run, and the run ends.
        if self.rollback_items.is_empty() {
            self.notes.push(
                "This checklist has no rollback steps: the run ends here, and the rollback itself is yours to carry out."
                    .to_string(),
            );
            for index in 0..self.record.items.len() {
                if self.record.items[index].status == Status::Pending {
                    marked.push((index, self.record.items[index].clone()));
                    self.dirty.push(index);
                    let item = &mut self.record.items[index];
                    item.status = Status::NotRun;
                    item.rare.reason = Some(
                        "a rollback was called and the checklist has no rollback steps".to_string(),
                    );
                    item.at = Some(at);
                }
            }
        }
        let refilled = self.refill_outcomes();
        if let Some(undo) = self.undo.last_mut() {
            undo.items.extend(marked);
            undo.items.extend(
                refilled
                    .iter()
                    .map(|(index, item, _)| (*index, item.clone())),
            );
            undo.values.extend(
                refilled
                    .into_iter()
                    .map(|(_, item, value)| (item.id.to_string(), value)),
            );
        }
        self.event(
            EventAction::Rollback,
            None,
            Some(format!(
                "called by {cause}{}",
                reason.map(|r| format!(": {r}")).unwrap_or_default()
            )),
        );
        self.refresh_rollback_outcome();
    }

    /// An outcome the run filled in as a success before the rollback was
    /// called says the rollback now, logged as a correction: the record
    /// must not say "Success" of a release that was rolled back. Returns
    /// each such item as it was, and its value before, for undo.
    fn refill_outcomes(&mut self) -> Vec<(usize, crate::record::ItemResult, Option<String>)> {
        let mut refilled = Vec::new();
        for index in 0..self.record.items.len() {
            let by_run = self.record.items[index]
                .source
                .as_ref()
                .is_some_and(|source| source.kind == "run");
            let item = self.item(index);
            if !by_run || super::fill::fact(item) != Some(super::fill::Fact::Outcome) {
                continue;
            }
            let Some(value) = self.run_value(index) else {
                continue;
            };
            if self.record.items[index].rare.value.as_deref() == Some(value.as_str()) {
                continue;
            }
            refilled.push((
                index,
                self.record.items[index].clone(),
                self.record.values.get(&super::field_name(item)).cloned(),
            ));
            self.write_run_answer(index, value, "filled in again");
        }
        refilled
    }

    /// Whether a required rollback step has one of `statuses`: what the
    /// outcome of a rollback turns on, during the run and at its end.
    pub(super) fn rollback_step_is(&self, statuses: &[Status]) -> bool {
        self.rollback_items.iter().any(|&i| {
            let item = &self.record.items[i];
            !item.optional && statuses.contains(&item.status)
        })
    }

    /// Whether the way back did not work: a step of it failed, optional
    /// or not (an optional step, "Database restored (if applicable)",
    /// that applied and failed left the service unrestored), or a
    /// required one was skipped.
    pub(super) fn way_back_failed(&self) -> bool {
        self.rollback_step_is(&[Status::Skipped])
            || self
                .rollback_items
                .iter()
                .any(|&i| self.record.items[i].status == Status::Failed)
    }

    /// While a rollback is under way the outcome says so; once every
    /// required rollback step is answered it says how the way back went.
    pub(super) fn refresh_rollback_outcome(&mut self) {
        if self.record.rollback.is_none() || self.record.run.finished.is_some() {
            return;
        }
        self.record.run.outcome = if self.rollback_step_is(&[Status::Pending]) {
            Outcome::RollingBack
        } else if self.way_back_failed() {
            // A step skipped is a step of the way back not taken.
            Outcome::Failed
        } else {
            Outcome::RolledBack
        };
    }

    pub(super) fn ask_rollback_needed(
        &mut self,
        phase: usize,
        prompter: &mut dyn Prompter,
    ) -> Reply<()> {
        let title = self.checklist.phases[phase].title.clone();
        let needed = match prompter.ask_rollback_needed(&title) {
            Reply::Answer(needed) => needed,
            other => return other.map(|_| ()),
        };
        let mut undo = Undo::new(self);
        undo.asked.push(phase);
        self.undo.push(undo);
        self.asked_rollback.push(phase);
        let phase_id = self.checklist.phases[phase].id.clone();
        self.event(
            EventAction::RollbackNeeded,
            Some(phase_id),
            Some(if needed { "yes" } else { "no" }.to_string()),
        );
        if needed {
            self.call_rollback(
                "operator".to_string(),
                Some(format!("rollback needed ({title})")),
            );
        }
        Reply::Answer(())
    }
}
