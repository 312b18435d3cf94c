//! What a prompter is shown: an item's screen with its context (the last
//! answer, the counts), the run's opening, and items named for logs.

use std::collections::HashSet;

use crate::exec;
use crate::model::{Item, Section};
use crate::prompt::{ItemView, Previous, StartView, Tally};
use crate::record::Status;
use crate::template::fill;

use super::Session;

impl Session<'_> {
    pub(super) fn view(
        &self,
        index: usize,
        message: Option<String>,
        suggested: Option<Status>,
    ) -> ItemView {
        let item = self.item(index);
        let (phase_index, _) = self.place(index);
        let phase = &self.checklist.phases[phase_index];
        let section = self.entries[index].0;
        let total = self.record.items.len();
        // Progress is for a person; an unattended run skips the count,
        // which would make it quadratic.
        let tally = if self.options.unattended {
            Tally::default()
        } else {
            self.tally()
        };
        let settled = if self.options.unattended {
            0
        } else {
            total - tally.pending
        };
        let previous = self
            .last_answered
            .filter(|&last| last != index)
            .map(|last| {
                let result = &self.record.items[last];
                let mut text = fill(&self.item(last).text, &self.record.values);
                // A measured answer says the number that settled it.
                if let Some(measured) = &result.rare.measure {
                    text = format!("{text} — {}", measured.summary());
                }
                Previous {
                    status: result.status,
                    text,
                }
            });
        let own = item.rare.command.as_ref();
        let command = own.or(section.rare.command.as_ref()).map(|command| {
            exec::substitute(command, &self.record.values).unwrap_or_else(|_| command.clone())
        });
        ItemView {
            index,
            total,
            settled,
            phase_index,
            phases: self.checklist.phases.len(),
            phase: phase.title.clone(),
            section: (!section.implicit).then(|| section.title.clone()),
            section_lead: section.rare.lead.clone(),
            id: item.id.to_string(),
            kind: item.kind,
            optional: item.optional,
            text: fill(&item.text, &self.record.values),
            label: item.rare.label.clone(),
            role: item.rare.role.clone(),
            default: item.rare.default.clone(),
            choices: item.rare.choices.to_vec(),
            command,
            section_command: own.is_none() && section.rare.command.is_some(),
            expected_output: section.rare.expected_output.clone(),
            notes: notes_under(section, item),
            wait_seconds: item.rare.wait_seconds,
            measure: self.measure_view(index),
            result: self.record.items[index].clone(),
            rollback_called: self.record.rollback.is_some(),
            default_name: self.options.operator.clone(),
            message,
            suggested,
            previous,
            tally,
            rollback_steps: !self.rollback_items.is_empty(),
            correcting: self.record.items[index].status.is_answered(),
        }
    }

    /// How a pipeline's log names an item: its text with variables
    /// filled, and its id after it when another item has the same text.
    pub(super) fn name(&self, index: usize) -> String {
        let item = self.item(index);
        let text = fill(&item.text, &self.record.values);
        if self.shared_texts.contains(item.text.as_ref()) {
            format!("{text} ({})", item.id)
        } else {
            text
        }
    }

    pub(super) fn start_view(&self) -> StartView {
        StartView {
            title: self.checklist.title.clone(),
            description: self.checklist.description.clone(),
            counts: self.checklist.counts(),
            variables: self.checklist.variables.clone(),
            values: self.record.values.clone(),
            answered: self
                .record
                .items
                .iter()
                .filter(|i| i.status.is_answered())
                .count(),
        }
    }
}

/// The texts that occur more than once.
pub(super) fn shared_texts<'t>(texts: impl Iterator<Item = &'t str>) -> HashSet<&'t str> {
    let mut seen = HashSet::new();
    let mut shared = HashSet::new();
    for text in texts {
        if !seen.insert(text) {
            shared.insert(text);
        }
    }
    shared
}

/// The section's notes that stand under `item`: after its line and before
/// the section's next item, nested deeper than it.
fn notes_under(section: &Section, item: &Item) -> Vec<String> {
    let next = section
        .items
        .iter()
        .map(|other| other.line)
        .filter(|line| *line > item.line)
        .min()
        .unwrap_or(usize::MAX);
    section
        .rare
        .notes
        .iter()
        .zip(&section.rare.note_places)
        .filter(|(_, place)| {
            place.is_some_and(|(line, depth)| line > item.line && line < next && depth > item.depth)
        })
        .map(|(note, _)| note.clone())
        .collect()
}
