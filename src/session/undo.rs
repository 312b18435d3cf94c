//! `b`: what an answer changed, kept so it can be put back; the log's
//! `undo` says what was taken back.

use crate::record::{EventAction, ItemResult, Outcome, Rollback};

use super::Session;

/// What an answer changed, so `b` can put it back.
#[derive(Debug, Clone)]
pub(super) struct Undo {
    pub(super) items: Vec<(usize, ItemResult)>,
    pub(super) values: Vec<(String, Option<String>)>,
    pub(super) rollback: Option<Option<Rollback>>,
    pub(super) gates: usize,
    pub(super) signoffs: usize,
    pub(super) asked: Vec<usize>,
    /// Phases the operator chose to walk after the way back.
    pub(super) walked: Vec<usize>,
    /// What the log's `undo` names, when the answer was a decision about
    /// a phase rather than an item's: the phase's id and the words.
    pub(super) about: Option<(String, String)>,
}

impl Undo {
    pub(super) fn new(session: &Session<'_>) -> Undo {
        Undo {
            items: Vec::new(),
            values: Vec::new(),
            rollback: Some(session.record.rollback.clone()),
            gates: session.record.gates.len(),
            signoffs: session.record.signoffs.len(),
            asked: Vec::new(),
            walked: Vec::new(),
            about: None,
        }
    }

    pub(super) fn values(values: Vec<(String, Option<String>)>) -> Undo {
        Undo {
            items: Vec::new(),
            values,
            rollback: None,
            gates: usize::MAX,
            signoffs: usize::MAX,
            asked: Vec::new(),
            walked: Vec::new(),
            about: None,
        }
    }
}

impl Session<'_> {
    /// What `b` says when it has nothing to take back. `b` reaches only
    /// this sitting's answers (a resumed run starts with none), so when
    /// earlier answers are in the record it says how to reach them.
    pub(super) fn nothing_to_go_back_to(&self) -> String {
        if self
            .record
            .items
            .iter()
            .any(|item| item.status.is_answered())
        {
            "nothing to go back to since the run began or resumed: at an item, g and a number answer an earlier item again".to_string()
        } else {
            "nothing to go back to".to_string()
        }
    }

    /// Undoes the last answer. The log's `undo` names it, so an auditor
    /// sees the change.
    pub fn back(&mut self) -> Option<()> {
        // Unattended runs keep no undo history (see `settle`).
        if self.options.unattended {
            return None;
        }
        let undo = self.undo.pop()?;
        // What the log says was put back: the answer's item (a trigger, the
        // first of a bulk answer), and what went with it.
        // A first answer is in no earlier event (see `settle`), so the undo
        // says what it took back.
        let mut what = Vec::new();
        match undo.items.as_slice() {
            _ if undo.about.is_some() => {}
            [] => {}
            [(index, _)] => {
                let item = &self.record.items[*index];
                what.push(format!(
                    "was {}",
                    super::apply::said(item.status, item.rare.value.as_deref())
                ));
            }
            many => what.push(format!("{} answers", many.len())),
        }
        if matches!(undo.rollback, Some(None)) && self.record.rollback.is_some() {
            what.push("the rollback call".to_string());
        }
        if undo.gates < self.record.gates.len() {
            for gate in &self.record.gates[undo.gates..] {
                what.push(format!(
                    "the {} gate's {}",
                    gate.phase,
                    gate.decision.as_str()
                ));
            }
        }
        if undo.signoffs < self.record.signoffs.len() {
            for signoff in &self.record.signoffs[undo.signoffs..] {
                what.push(format!("{}'s sign-off as {}", signoff.name, signoff.role));
            }
        }
        let first = match undo.about {
            Some((phase, about)) => {
                what.insert(0, about);
                Some(phase)
            }
            None => undo
                .items
                .first()
                .map(|(index, _)| self.record.items[*index].id.to_string()),
        };
        self.cursor.set(0);
        self.values_dirty = true;
        for (index, previous) in undo.items.into_iter().rev() {
            self.dirty.push(index);
            self.record.items[index] = previous;
        }
        for (name, previous) in undo.values.into_iter().rev() {
            match previous {
                Some(value) => self.record.values.insert(name, value),
                None => self.record.values.remove(&name),
            };
        }
        if let Some(rollback) = undo.rollback {
            if rollback.is_none() && self.record.rollback.is_some() {
                self.record.run.outcome = Outcome::InProgress;
                self.notes.clear();
            }
            self.record.rollback = rollback;
        }
        self.refresh_rollback_outcome();
        self.last_answered = None;
        self.record.gates.truncate(undo.gates);
        self.record.signoffs.truncate(undo.signoffs);
        self.asked_rollback
            .retain(|phase| !undo.asked.contains(phase));
        self.walked.retain(|phase| !undo.walked.contains(phase));
        let detail = (!what.is_empty()).then(|| what.join(", "));
        self.event(EventAction::Undo, first, detail);
        Some(())
    }
}
