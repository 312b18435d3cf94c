//! What a prompter is shown: an item's screen with its context (the last
//! answer, the counts), the run's opening, and items named for logs.

use std::collections::{HashMap, HashSet};

use crate::exec;
use crate::model::{Item, Section};
use crate::prompt::{ItemView, Previous, StartView, Tally};
use crate::record::{EventAction, Status};
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
        let section = self.section(index);
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
            section: (!section.implicit).then(|| section.title.to_string()),
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
            notes: self
                .notes_under
                .get(&index)
                .map(|notes| {
                    notes
                        .iter()
                        .map(|&note| section.rare.notes[note as usize].clone())
                        .collect()
                })
                .unwrap_or_default(),
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
            command_stopped_with_run: self.command_stopped_with_run(index),
        }
    }

    /// Whether item `index`'s last command run ended in the run's own
    /// stop: its `command` event is the last before an `interrupt` one.
    /// Ctrl-C on a command stops only the command, and the run goes on.
    fn command_stopped_with_run(&self, index: usize) -> bool {
        let result = &self.record.items[index];
        if !result
            .rare
            .command
            .as_ref()
            .is_some_and(|run| run.interrupted)
        {
            return false;
        }
        let events = &self.record.events;
        events
            .iter()
            .rposition(|event| {
                event.action == EventAction::Command && event.item.as_deref() == Some(&*result.id)
            })
            .is_some_and(|at| {
                events
                    .get(at + 1)
                    .is_some_and(|next| next.action == EventAction::Interrupt)
            })
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

/// The texts that occur more than once among `count` items, item `i`'s
/// being `text(i)`. Found by sorting the items' places by text: a set of
/// every text seen was 2.3 MB of a 100,000-item run, made as its session
/// was set up, its peak; the places are 0.4.
pub(super) fn shared_texts<'t>(count: usize, text: impl Fn(usize) -> &'t str) -> HashSet<&'t str> {
    let count = u32::try_from(count).expect("a checklist has at most 100,000 items");
    let text = |at: u32| text(at as usize);
    let mut places: Vec<u32> = (0..count).collect();
    places.sort_unstable_by(|&a, &b| text(a).cmp(text(b)));
    places
        .windows(2)
        .map(|pair| (text(pair[0]), text(pair[1])))
        .filter(|(a, b)| a == b)
        .map(|(a, _)| a)
        .collect()
}

/// The notes that stand under each item, by record index: a note of its
/// section after the item's line and before the section's next item (by
/// line; none at the note's own line), nested deeper than the item. Found
/// once for the run, for the sections that have notes, as indices into
/// the section's notes: looked for at each item's screen, it was a pass
/// over the whole section per item, minutes for one section of 250,000.
pub(super) fn notes_by_item(entries: &[(&Section, &Item)]) -> HashMap<usize, Vec<u32>> {
    let mut under: HashMap<usize, Vec<u32>> = HashMap::new();
    let mut start = 0;
    // A section's items are side by side in the run's order.
    for run in entries.chunk_by(|(a, _), (b, _)| std::ptr::eq(*a, *b)) {
        let section = run[0].0;
        if !section.rare.notes.is_empty() {
            // The section's items by line, each with its record index.
            let mut lines: Vec<(usize, usize)> = (start..start + run.len())
                .map(|index| (entries[index].1.line, index))
                .collect();
            lines.sort_unstable();
            for (note, place) in section.rare.note_places.iter().enumerate() {
                let Some((line, depth)) = *place else {
                    continue;
                };
                if note >= section.rare.notes.len() {
                    break;
                }
                // An item on the note's own line ends every item's notes
                // before it.
                let after = lines.partition_point(|&(at, _)| at < line);
                if lines.get(after).is_some_and(|&(at, _)| at == line) {
                    continue;
                }
                let Some(&(above, _)) = after.checked_sub(1).and_then(|last| lines.get(last))
                else {
                    continue;
                };
                let note = u32::try_from(note)
                    .expect("a 32 MiB checklist has fewer notes than u32 counts");
                for &(_, index) in lines[..after]
                    .iter()
                    .rev()
                    .take_while(|&&(at, _)| at == above)
                {
                    if depth > entries[index].1.depth {
                        under.entry(index).or_default().push(note);
                    }
                }
            }
        }
        start += run.len();
    }
    under
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ItemRare, Kind, Markdown, Rare, SectionRare, When};
    use proptest::prelude::*;

    #[test]
    fn shared_texts_are_those_given_twice_or_more() {
        let texts = ["b", "a", "c", "a", "b", "a", "d"];
        let shared = shared_texts(texts.len(), |at| texts[at]);
        assert_eq!(shared, HashSet::from(["a", "b"]));
        assert!(shared_texts(3, |at| ["x", "y", "z"][at]).is_empty());
        assert!(shared_texts(0, |_| "never").is_empty());
    }

    /// The notes under an item as the view once found them, a pass over
    /// the section for each item: the definition the table must keep.
    fn notes_under_plain(section: &Section, item: &Item) -> Vec<String> {
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
                place.is_some_and(|(line, depth)| {
                    line > item.line && line < next && depth > item.depth
                })
            })
            .map(|(note, _)| note.clone())
            .collect()
    }

    fn section(items: &[(usize, usize)], notes: &[Option<(usize, usize)>]) -> Section {
        Section {
            id: "s".into(),
            title: "S".into(),
            line: 1,
            when: When::Always,
            implicit: false,
            items: items
                .iter()
                .map(|&(line, depth)| Item {
                    id: format!("s/{line}").into(),
                    kind: Kind::Check,
                    text: "t".into(),
                    markdown: Markdown::default(),
                    line,
                    optional: false,
                    depth,
                    parent: None,
                    rare: Rare::of(ItemRare::default()),
                })
                .collect(),
            rare: Rare::of(SectionRare {
                notes: (0..notes.len()).map(|n| format!("note {n}")).collect(),
                note_places: notes.to_vec(),
                ..SectionRare::default()
            }),
        }
    }

    fn by_table(sections: &[Section]) -> Vec<Vec<String>> {
        let entries: Vec<(&Section, &Item)> = sections
            .iter()
            .flat_map(|section| section.items.iter().map(move |item| (section, item)))
            .collect();
        let under = notes_by_item(&entries);
        entries
            .iter()
            .enumerate()
            .map(|(index, (section, _))| {
                under.get(&index).map_or_else(Vec::new, |notes| {
                    notes
                        .iter()
                        .map(|&n| section.rare.notes[n as usize].clone())
                        .collect()
                })
            })
            .collect()
    }

    #[test]
    fn a_note_stands_under_the_item_above_it_when_nested_deeper() {
        // Items at lines 2 and 6; notes at 3 (deeper, under the first), 4
        // (not deeper), 7 (under the second), 6 (on an item's line), and
        // one with no place.
        let s = section(
            &[(2, 0), (6, 1)],
            &[Some((3, 1)), Some((4, 0)), Some((7, 2)), Some((6, 3)), None],
        );
        assert_eq!(
            by_table(std::slice::from_ref(&s)),
            [vec!["note 0".to_string()], vec!["note 2".to_string()]]
        );
    }

    proptest! {
        #[test]
        fn the_table_gives_what_a_pass_over_the_section_gave(
            sections in proptest::collection::vec(
                (
                    proptest::collection::vec((0usize..30, 0usize..3), 0..8),
                    proptest::collection::vec(
                        proptest::option::weighted(0.9, (0usize..30, 0usize..4)),
                        0..8,
                    ),
                ),
                1..4,
            )
        ) {
            let sections: Vec<Section> = sections
                .iter()
                .map(|(items, notes)| section(items, notes))
                .collect();
            let plain: Vec<Vec<String>> = sections
                .iter()
                .flat_map(|s| s.items.iter().map(move |item| notes_under_plain(s, item)))
                .collect();
            prop_assert_eq!(by_table(&sections), plain);
        }
    }
}
