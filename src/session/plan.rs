//! What comes next: a variable, the item the run is at (or the one `g`
//! went to), a rollback step, a go/no-go gate, or the end.

use std::collections::HashSet;

use crate::model::{Checklist, When};
use crate::record::Status;

use super::Session;

/// What the next question is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    Variable(String),
    Item(usize),
    Gate(usize),
    RollbackNeeded(usize),
    /// The way back is walked and this phase of the release has steps
    /// open: set them aside, or walk them?
    SetAside(usize),
    Done,
}

/// The variables a run asks for: those its items use (in their text,
/// command, label or default, or the section command they run), in the
/// checklist's order. One named only in
/// prose (a lead, a note, a page's introduction) is shown as written and
/// never asked: nobody should have to invent a value nothing uses.
pub fn asked_variables(checklist: &Checklist) -> Vec<String> {
    named_by_items(checklist, false)
}

/// The variables the checklist's items use, a field's written value
/// (`**Date**: {{DATE}}`) included: the template's own variables, as
/// against those only prose names. A field's value is not asked for as a
/// variable, since the field itself asks it.
pub fn used_variables(checklist: &Checklist) -> Vec<String> {
    named_by_items(checklist, true)
}

fn named_by_items(checklist: &Checklist, values: bool) -> Vec<String> {
    let mut used: HashSet<String> = HashSet::new();
    for (_, section, item) in checklist.items() {
        let texts = [
            Some(item.text.as_ref()),
            item.rare
                .command
                .as_deref()
                .or(section.rare.command.as_deref()),
            item.rare.label.as_deref(),
            item.rare.default.as_deref(),
            Some(item.markdown()).filter(|_| values),
        ];
        for text in texts.into_iter().flatten() {
            if text.contains("{{") {
                used.extend(crate::template::names(text));
            }
        }
    }
    checklist
        .variables
        .iter()
        .filter(|name| used.contains(*name))
        .cloned()
        .collect()
}

/// Whether a run of `checklist` can ask "Is a rollback needed?": only
/// before a rollback phase no trigger comes before
/// ([`Session::rollback_question_due`]); elsewhere its triggers call the
/// rollback. An answers file's `rollback_needed: true` is the answer to
/// this question alone.
pub fn asks_rollback_needed(checklist: &Checklist) -> bool {
    let mut trigger_before = false;
    for phase in &checklist.phases {
        let mut items = phase.sections.iter().flat_map(|section| &section.items);
        if phase.when == When::Rollback && !trigger_before && items.clone().next().is_some() {
            return true;
        }
        trigger_before |= items.any(|item| item.kind == crate::model::Kind::Trigger);
    }
    false
}

impl Session<'_> {
    pub(super) fn next_step(&self) -> Step {
        if let Some(name) = self
            .variables
            .iter()
            .find(|name| !self.record.values.contains_key(*name) && !self.unset.contains(*name))
        {
            return Step::Variable(name.clone());
        }
        if let Some(index) = self.focus {
            return Step::Item(index);
        }
        let rollback = self.record.rollback.is_some();
        if rollback
            && let Some(&index) = self.rollback_items.iter().find(|&&i| {
                self.record.items[i].status == Status::Pending && !self.deferred.contains(&i)
            })
        {
            return Step::Item(index);
        }
        let start = self.cursor.get().min(self.record.items.len());
        let mut phase_of_last = start.checked_sub(1).map(|i| self.place(i).0);
        // Whether every item so far was passed for good, so the cursor may
        // move past it.
        let mut passing = true;
        for index in start..self.record.items.len() {
            let (phase, when) = self.place(index);
            if phase_of_last.is_some_and(|last| last != phase)
                && let Some(gate) = self.gate_due(phase_of_last.expect("checked"))
            {
                return Step::Gate(gate);
            }
            phase_of_last = Some(phase);
            if self.record.items[index].status != Status::Pending || self.deferred.contains(&index)
            {
                if passing {
                    self.cursor.set(index + 1);
                }
                continue;
            }
            match when {
                When::Rollback if !rollback => {
                    if self.rollback_question_due(phase, index) {
                        return Step::RollbackNeeded(phase);
                    }
                    if passing {
                        self.cursor.set(index + 1);
                    }
                    continue;
                }
                When::Success if rollback => {
                    passing = false;
                    continue;
                }
                _ if self.set_aside_due(phase) => return Step::SetAside(phase),
                _ => return Step::Item(index),
            }
        }
        if let Some(last) = phase_of_last
            && let Some(gate) = self.gate_due(last)
        {
            return Step::Gate(gate);
        }
        Step::Done
    }

    /// A rollback phase reached with no trigger before it: the operator
    /// decides whether it applies.
    pub(super) fn rollback_question_due(&self, phase: usize, index: usize) -> bool {
        let rollback_phase = self.checklist.phases[phase].when == When::Rollback;
        let trigger_before = self.first_trigger.is_some_and(|first| first < index);
        rollback_phase && !trigger_before && !self.asked_rollback.contains(&phase)
    }

    /// The failed or skipped required items of a phase with no gate
    /// decision yet.
    pub(super) fn gate_items(&self, phase: usize) -> Vec<usize> {
        self.phase_items[phase]
            .clone()
            .filter(|&i| {
                let item = &self.record.items[i];
                !item.optional && matches!(item.status, Status::Failed | Status::Skipped)
            })
            .collect()
    }

    pub(super) fn gate_due(&self, phase: usize) -> Option<usize> {
        if self.record.rollback.is_some() || self.keep_going {
            return None;
        }
        let id = &self.checklist.phases[phase].id;
        let items = self.gate_items(phase);
        if items.is_empty() {
            return None;
        }
        let ids: Vec<&str> = items.iter().map(|&i| &*self.record.items[i].id).collect();
        // A decision stands for the items it was made about; a new failure
        // in the same phase (after an undo) asks again.
        let decided =
            self.record.gates.iter().any(|gate| {
                &gate.phase == id && ids.iter().all(|i| gate.items.iter().any(|g| g == i))
            });
        (!decided).then_some(phase)
    }
}
