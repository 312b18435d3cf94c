//! How a session begins: a new run of a checklist, or a record taken up
//! again where it stopped (its journal applied, the checklist checked
//! against the one it was made from), and the log line that says so.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::view::shared_texts;
use super::{Clock, Options, Session, Stretch, plan};
use crate::model::{Checklist, Item, Kind, When};
use crate::record::{
    ChecklistRef, Event, EventAction, ItemResult, Outcome, Rare, RareFields, Record, Run, SCHEMA,
    Status,
};

impl<'a> Session<'a> {
    /// A new run of `checklist`.
    pub fn start(
        checklist: &'a Checklist,
        clock: &'a dyn Clock,
        options: Options,
        interrupted: &'a AtomicBool,
        run_id: String,
    ) -> Session<'a> {
        let started = clock.now();
        // The session's map of the checklist first: its working lists come
        // and go before the results are made, not on top of them.
        let layout = Layout::of(checklist);
        // Sized once: grown by doubling, a 100,000-item run's list held
        // room for 180,000 results (100 MB) to the end.
        let mut items = Vec::with_capacity(checklist.items().count());
        let outline = ChecklistRef::of(checklist);
        // The strings are the checklist's own, shared: each result names
        // its phase and section by the record's outline's one string per
        // heading (a phase's own section by its own).
        for (phase, titles) in checklist.phases.iter().zip(&outline.phases) {
            let phase_id = Arc::clone(&titles.id);
            let mut headed = titles.sections.iter();
            for section in &phase.sections {
                let section_id: Arc<str> = match section.implicit {
                    false => headed
                        .next()
                        .filter(|title| *title.id == *section.id)
                        .map_or_else(|| Arc::clone(&section.id), |title| Arc::clone(&title.id)),
                    true if *section.id == *phase_id => Arc::clone(&phase_id),
                    true => Arc::clone(&section.id),
                };
                items.extend(section.items.iter().map(|item| ItemResult {
                    id: item.id.clone(),
                    kind: item.kind,
                    text: item.text.clone(),
                    shown: None,
                    phase: phase_id.clone(),
                    section: section_id.clone(),
                    line: item.line,
                    optional: item.optional,
                    rare: Rare::of(RareFields {
                        role: item.rare.role.clone(),
                        ..RareFields::default()
                    }),
                    status: Status::Pending,
                    by: None,
                    at: None,
                    source: None,
                }));
            }
        }
        let record = Record {
            schema: SCHEMA.to_string(),
            checklist: outline,
            run: Run {
                id: run_id,
                operator: options.operator.clone(),
                host: options.host.clone(),
                started,
                finished: None,
                duration_seconds: None,
                mode: options.mode,
                outcome: Outcome::InProgress,
                relcheck_version: env!("CARGO_PKG_VERSION").to_string(),
            },
            values: BTreeMap::new(),
            rollback: None,
            summary: None,
            items,
            gates: Vec::new(),
            signoffs: Vec::new(),
            events: vec![Event {
                at: started,
                by: options.operator.clone(),
                action: EventAction::Start,
                item: None,
                detail: None,
            }],
            digest: None,
        };
        Session::with_layout(checklist, layout, record, clock, options, interrupted)
    }

    /// Goes on with a record whose items match `checklist` one to one (see
    /// [`reconcile`](crate::reconcile::reconcile) for a checklist that changed).
    pub fn resume(
        checklist: &'a Checklist,
        record: Record,
        clock: &'a dyn Clock,
        options: Options,
        interrupted: &'a AtomicBool,
    ) -> Session<'a> {
        let layout = Layout::of(checklist);
        Session::with_layout(checklist, layout, record, clock, options, interrupted)
    }

    fn with_layout(
        checklist: &'a Checklist,
        layout: Layout<'a>,
        record: Record,
        clock: &'a dyn Clock,
        options: Options,
        interrupted: &'a AtomicBool,
    ) -> Session<'a> {
        let asked_rollback = record
            .events
            .iter()
            .filter(|e| e.action == EventAction::RollbackNeeded)
            .filter_map(|e| {
                checklist
                    .phases
                    .iter()
                    .position(|p| Some(&p.id) == e.item.as_ref())
            })
            .collect();
        // A wait under way when the run stopped is where the operator was:
        // the run goes back there first, with the time left.
        // Only where a person waits on each answer: a pipeline's sign-offs
        // are bound afresh, and its run keeps no map of every item's part.
        let binder = (!options.unattended
            && record.items.iter().any(|item| item.kind == Kind::Signoff))
        .then(|| crate::sign::Binder::new(&record));
        let focus = record.items.iter().position(|item| {
            item.status == Status::Pending
                && item
                    .rare
                    .wait
                    .as_ref()
                    .is_some_and(|w| w.started.is_some() && w.ended.is_none())
        });
        Session {
            checklist,
            record,
            clock,
            options,
            sections: layout.sections,
            notes_under: layout.notes_under,
            phase_items: layout.phase_items,
            rollback_items: layout.rollback_items,
            first_trigger: layout.first_trigger,
            cursor: std::cell::Cell::new(0),
            dirty: Vec::new(),
            values_dirty: true,
            undo: Vec::new(),
            asked_rollback,
            walked: Vec::new(),
            interrupted,
            deferred: HashSet::new(),
            unset: HashSet::new(),
            variables: plan::asked_variables(checklist),
            answer_source: None,
            answer_by: None,
            ran_unsaved: None,
            just_settled: None,
            focus,
            last_answered: None,
            last_search: None,
            notes: Vec::new(),
            keep_going: false,
            shared_texts: layout.shared_texts,
            observer: None,
            signoff_told: None,
            binder,
        }
    }

    /// Notes in the log that the run goes on after a stop. A run a
    /// pipeline left `incomplete` is opened again, so a person can answer
    /// what it could not and finish the same record.
    pub fn note_resume(&mut self) {
        let reopened = self.record.run.outcome == Outcome::Incomplete;
        if reopened {
            self.record.run.finished = None;
            self.record.run.duration_seconds = None;
            self.record.run.outcome = Outcome::InProgress;
            self.refresh_rollback_outcome();
        }
        let mode = if self.options.unattended {
            "non-interactive"
        } else {
            "interactive"
        };
        let detail = if reopened {
            format!("{mode}, reopening an incomplete run")
        } else {
            mode.to_string()
        };
        self.event(EventAction::Resume, None, Some(detail));
    }
}

/// What a session knows of its checklist's shape, worked out once from
/// the checklist alone: each section's stretch of the results, each
/// phase's and the rollback's items, the first trigger, the texts two
/// items share, the notes under each item.
struct Layout<'a> {
    sections: Vec<Stretch<'a>>,
    phase_items: Vec<std::ops::Range<usize>>,
    rollback_items: Vec<usize>,
    first_trigger: Option<usize>,
    shared_texts: HashSet<&'a str>,
    notes_under: std::collections::HashMap<usize, Vec<u32>>,
}

impl<'a> Layout<'a> {
    fn of(checklist: &'a Checklist) -> Layout<'a> {
        // Sized once, as the results are: collected from nested lists it
        // grew by doubling, to 180,000 places at 100,000 items. Held only
        // while the layout is worked out; the run keeps a stretch a
        // section.
        let mut entries: Vec<(&crate::model::Section, &Item)> =
            Vec::with_capacity(checklist.items().count());
        let mut sections = Vec::new();
        let mut phase_items = Vec::with_capacity(checklist.phases.len());
        let mut rollback_items = Vec::new();
        for (p, phase) in checklist.phases.iter().enumerate() {
            let start = entries.len();
            let p = u32::try_from(p).expect("a checklist has at most 100,000 headings");
            for section in phase.sections.iter().filter(|s| !s.items.is_empty()) {
                let first = entries.len();
                sections.push(Stretch {
                    section,
                    phase: p,
                    start: u32::try_from(first).expect("a checklist has at most 100,000 items"),
                });
                entries.extend(section.items.iter().map(|item| (section, item)));
                if section.when == When::Rollback {
                    rollback_items.extend(first..entries.len());
                }
            }
            phase_items.push(start..entries.len());
        }
        sections.shrink_to_fit();
        let first_trigger = entries
            .iter()
            .position(|(_, item)| item.kind == Kind::Trigger);
        let shared_texts = shared_texts(entries.len(), |at| entries[at].1.text.as_ref());
        Layout {
            sections,
            phase_items,
            rollback_items,
            first_trigger,
            shared_texts,
            notes_under: super::view::notes_by_item(&entries),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every item's section, phase and checklist item, found from the
    /// stretches by halves, are the ones a walk of the checklist gives:
    /// sections with no items before, between and after the rest, and
    /// phases with none, included.
    #[test]
    fn each_item_is_found_in_its_section() {
        let text = "# T\n## Empty\n## A\n### None\n### S\n- [ ] a1\n- [ ] a2\n### Nothing\n### R\n- [ ] r1\n## B\n- [ ] b1\n### T\n- [ ] t1\n- [ ] t2\n### Last\n## Rollback\nIf rollback required:\n- [ ] back\n## Z\n";
        let checklist =
            crate::parse::parse(&crate::source::Source::from_text("t.md", text)).checklist;
        let clock = super::super::TestClock::new(chrono::DateTime::UNIX_EPOCH);
        let flag = AtomicBool::new(false);
        let session = Session::start(
            &checklist,
            &clock,
            Options::for_tests(),
            &flag,
            "run".into(),
        );
        let mut index = 0;
        for (p, phase) in checklist.phases.iter().enumerate() {
            for section in &phase.sections {
                for item in &section.items {
                    assert!(std::ptr::eq(session.item(index), item), "{}", item.id);
                    assert!(std::ptr::eq(session.section(index), section), "{}", item.id);
                    assert_eq!(session.place(index), (p, section.when), "{}", item.id);
                    index += 1;
                }
            }
        }
        assert_eq!(index, 7);
        assert_eq!(session.record.items.len(), 7);
        assert_eq!(session.rollback_items, [6]);
    }
}
