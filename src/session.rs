//! A run as a state machine: the checklist and the answers in, the record
//! out. No terminal here: a [`Prompter`] asks the questions (a person at a
//! terminal, an answers file in CI, a script in tests), an
//! [`Executor`](crate::exec::Executor) runs commands, a [`Clock`] tells the
//! time, and a [`Sink`] makes each answer durable before the next question.
//!
//! Order: variables first, then items in document order. `when: rollback`
//! sections wait until a rollback is called, then come first; `when:
//! success` sections become not-needed once one is. A phase that ends with
//! failed or skipped required items stops at a go/no-go gate.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};

use crate::exec::{self, Executor};
use crate::model::{Checklist, Item, Kind, When};
use crate::prompt::{
    Action, GateAnswer, GateView, ItemView, Overview, Previous, Prompter, Reply, Row,
    SignoffAnswer, StartView, Summary, Tally, ValueRequest, WaitEnd, WaitView,
};
use crate::record::{
    Changes, ChecklistRef, CommandRun, Decision, Event, Gate, GateDecision, ItemResult, LaterCall,
    Mode, Outcome, Provenance, Record, Rollback, Run, SCHEMA, Signoff, Sink, Status, Wait,
};
use crate::template::fill;

/// Where time comes from, so tests and records can be exact.
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        // Milliseconds are enough for an audit trail and keep records tidy.
        Utc::now().trunc_subsecs(3)
    }
}

/// A clock for tests: starts at a fixed instant and moves one second each
/// time it is read, so every event has its own, predictable time.
pub struct TestClock {
    now: std::sync::Mutex<DateTime<Utc>>,
}

impl TestClock {
    pub fn new(start: DateTime<Utc>) -> TestClock {
        TestClock {
            now: std::sync::Mutex::new(start),
        }
    }

    pub fn advance(&self, seconds: i64) {
        if let Ok(mut now) = self.now.lock() {
            *now += chrono::Duration::seconds(seconds);
        }
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        let mut now = self.now.lock().expect("test clock");
        let current = *now;
        *now += chrono::Duration::seconds(1);
        current
    }
}

/// Keeps every saved record, for tests.
#[derive(Default)]
pub struct MemorySink {
    pub saves: Vec<Record>,
}

impl Sink for MemorySink {
    fn save(&mut self, record: &Record) -> anyhow::Result<()> {
        self.saves.push(record.clone());
        Ok(())
    }
}

/// How a run ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Finished(Outcome),
    /// `q`: saved, to be resumed.
    Paused,
    Interrupted,
}

pub struct Options {
    pub operator: String,
    pub host: String,
    pub mode: Mode,
    /// Values given with `--set`, by variable or field name.
    pub preset: BTreeMap<String, String>,
    /// The default timeout for commands without `timeout=`.
    pub command_timeout: Duration,
    /// Nobody is there to decide at a gate: failures stand and the run goes
    /// on, so the outcome says failed.
    pub unattended: bool,
}

/// What the next question is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Variable(String),
    Item(usize),
    Gate(usize),
    RollbackNeeded(usize),
    Done,
}

/// What an answer changed, so `b` can put it back.
#[derive(Debug, Clone)]
struct Undo {
    items: Vec<(usize, ItemResult)>,
    values: Vec<(String, Option<String>)>,
    rollback: Option<Option<Rollback>>,
    gates: usize,
    signoffs: usize,
    asked: Vec<usize>,
}

pub struct Session<'a> {
    checklist: &'a Checklist,
    pub record: Record,
    clock: &'a dyn Clock,
    options: Options,
    /// For each record item, its phase index and section `when`.
    places: Vec<(usize, When)>,
    /// For each record item, its section and item in the checklist.
    entries: Vec<(&'a crate::model::Section, &'a Item)>,
    /// Each phase's items, as a range of record indices.
    phase_items: Vec<std::ops::Range<usize>>,
    /// Items of `when: rollback` sections, in order.
    rollback_items: Vec<usize>,
    first_trigger: Option<usize>,
    /// Every item before it is settled or deliberately passed over, so
    /// `next_step` need not look there again: a run costs time linear in
    /// its items. `back` resets it.
    cursor: std::cell::Cell<usize>,
    /// Items and values changed since the last save, for the journal.
    dirty: Vec<usize>,
    values_dirty: bool,
    undo: Vec<Undo>,
    /// Phases whose "Is a rollback needed?" was answered.
    asked_rollback: Vec<usize>,
    /// Set from outside (a signal) to stop at the next safe point.
    interrupted: &'a AtomicBool,
    /// Items left pending on purpose by an unattended prompter.
    deferred: HashSet<usize>,
    /// Variables an unattended prompter had no value for.
    unset: HashSet<String>,
    /// Where the answer being applied came from, and who gave it, when not
    /// the operator at the keyboard.
    answer_source: Option<Provenance>,
    answer_by: Option<String>,
    /// The item just answered: the prompter hears of it (CI's `ok` line)
    /// only once the save has made it durable, so a run killed between
    /// the two never reported an answer the record lacks.
    just_settled: Option<usize>,
    /// The item `g` or `/` went to; after it is answered the run goes on
    /// at the first unanswered item.
    focus: Option<usize>,
    /// The item answered last, for the one-line context on each screen.
    last_answered: Option<usize>,
    /// What `/` looked for last.
    last_search: Option<String>,
    /// Said under the outcome when the run ends.
    notes: Vec<String>,
    /// `--keep-going`: a pipeline has no gates and runs every phase.
    keep_going: bool,
    /// Item texts (as written) that two or more items share: such an
    /// item's name carries its id too. Found once, not per item.
    shared_texts: HashSet<&'a str>,
}

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
        let items = checklist
            .items()
            .map(|(phase, section, item)| ItemResult {
                id: item.id.clone(),
                kind: item.kind,
                text: item.text.clone(),
                phase: phase.id.clone(),
                section: section.id.clone(),
                line: item.line,
                optional: item.optional,
                role: item.role.clone(),
                status: Status::Pending,
                value: None,
                by: None,
                at: None,
                note: None,
                reason: None,
                command: None,
                wait: None,
                source: None,
            })
            .collect();
        let record = Record {
            schema: SCHEMA.to_string(),
            checklist: ChecklistRef {
                title: checklist.title.clone(),
                path: checklist.source.path.clone(),
                sha256: checklist.source.sha256.clone(),
            },
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
            items,
            gates: Vec::new(),
            signoffs: Vec::new(),
            events: vec![Event {
                at: started,
                by: options.operator.clone(),
                action: "start".to_string(),
                item: None,
                detail: None,
            }],
            digest: None,
        };
        Session::resume(checklist, record, clock, options, interrupted)
    }

    /// Goes on with a record whose items match `checklist` one to one (see
    /// [`reconcile`] for a checklist that changed).
    pub fn resume(
        checklist: &'a Checklist,
        record: Record,
        clock: &'a dyn Clock,
        options: Options,
        interrupted: &'a AtomicBool,
    ) -> Session<'a> {
        let places = checklist
            .phases
            .iter()
            .enumerate()
            .flat_map(|(p, phase)| {
                phase
                    .sections
                    .iter()
                    .flat_map(move |section| section.items.iter().map(move |_| (p, section.when)))
            })
            .collect();
        let entries: Vec<(&crate::model::Section, &Item)> = checklist
            .phases
            .iter()
            .flat_map(|phase| {
                phase
                    .sections
                    .iter()
                    .flat_map(|section| section.items.iter().map(move |item| (section, item)))
            })
            .collect();
        let mut phase_items = Vec::with_capacity(checklist.phases.len());
        let mut start = 0;
        for phase in &checklist.phases {
            let count: usize = phase.sections.iter().map(|s| s.items.len()).sum();
            phase_items.push(start..start + count);
            start += count;
        }
        let places: Vec<(usize, When)> = places;
        let rollback_items = (0..places.len())
            .filter(|&i| places[i].1 == When::Rollback)
            .collect();
        let first_trigger = entries
            .iter()
            .position(|(_, item)| item.kind == Kind::Trigger);
        let shared_texts = shared_texts(entries.iter().map(|&(_, item)| item.text.as_str()));
        let asked_rollback = record
            .events
            .iter()
            .filter(|e| e.action == "rollback-needed")
            .filter_map(|e| {
                checklist
                    .phases
                    .iter()
                    .position(|p| Some(&p.id) == e.item.as_ref())
            })
            .collect();
        Session {
            checklist,
            record,
            clock,
            options,
            places,
            entries,
            phase_items,
            rollback_items,
            first_trigger,
            cursor: std::cell::Cell::new(0),
            dirty: Vec::new(),
            values_dirty: true,
            undo: Vec::new(),
            asked_rollback,
            interrupted,
            deferred: HashSet::new(),
            unset: HashSet::new(),
            answer_source: None,
            answer_by: None,
            just_settled: None,
            focus: None,
            last_answered: None,
            last_search: None,
            notes: Vec::new(),
            keep_going: false,
            shared_texts,
        }
    }

    /// `--keep-going`: a pipeline runs every phase whatever failed, with
    /// no gates; the failures still fail the run.
    pub fn keep_going(&mut self) {
        self.keep_going = true;
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
        self.event("resume", None, Some(detail));
    }

    fn items(&self) -> impl Iterator<Item = &Item> {
        self.checklist.items().map(|(_, _, item)| item)
    }

    fn item(&self, index: usize) -> &'a Item {
        self.entries[index].1
    }

    fn event(&mut self, action: &str, item: Option<String>, detail: Option<String>) {
        let at = self.clock.now();
        self.record.events.push(Event {
            at,
            by: self.options.operator.clone(),
            action: action.to_string(),
            item,
            detail,
        });
    }

    /// Runs until the checklist is done, the operator pauses or aborts, or
    /// an interruption.
    pub fn run(
        &mut self,
        prompter: &mut dyn Prompter,
        executor: &dyn Executor,
        sink: &mut dyn Sink,
    ) -> anyhow::Result<Ending> {
        self.apply_presets();
        self.save(sink, true)?;
        prompter.start(&self.start_view());
        loop {
            if self.interrupted.load(Ordering::SeqCst) {
                return self.interrupt(sink);
            }
            let step = self.next_step();
            let reply = match &step {
                Step::Done => {
                    let outcome = self.finish();
                    self.save(sink, true)?;
                    prompter.finish(&self.summary());
                    return Ok(Ending::Finished(outcome));
                }
                Step::Variable(name) => self.ask_variable(name.clone(), prompter),
                Step::Item(index) => self.ask_item(*index, prompter, executor),
                Step::Gate(phase) if self.options.unattended => {
                    self.pipeline_gate(*phase, prompter)
                }
                Step::Gate(phase) => self.ask_gate(*phase, prompter),
                Step::RollbackNeeded(phase) => self.ask_rollback_needed(*phase, prompter),
            };
            match reply {
                Reply::Answer(()) => {}
                Reply::Quit => {
                    self.event("pause", None, None);
                    self.save(sink, true)?;
                    return Ok(Ending::Paused);
                }
                Reply::Abort => {
                    self.event("abort", None, None);
                    let outcome = self.finish_as(Outcome::Aborted);
                    self.save(sink, true)?;
                    prompter.finish(&self.summary());
                    return Ok(Ending::Finished(outcome));
                }
                Reply::Interrupted => return self.interrupt(sink),
            }
            self.save(sink, false)?;
            if let Some(index) = self.just_settled.take() {
                prompter.settled(&self.record.items[index], &self.name(index));
            }
        }
    }

    /// Makes the answers so far durable: the whole record, sealed with its
    /// digest, when `whole` or when the sink's journal has grown past the
    /// record; otherwise only what changed, appended to the journal.
    fn save(&mut self, sink: &mut dyn Sink, whole: bool) -> anyhow::Result<()> {
        if whole || sink.wants_whole() {
            crate::record::seal(&mut self.record);
            sink.save(&self.record)?;
        } else {
            self.dirty.sort_unstable();
            self.dirty.dedup();
            sink.append(
                &self.record,
                &Changes {
                    items: &self.dirty,
                    values: self.values_dirty,
                },
            )?;
        }
        self.dirty.clear();
        self.values_dirty = false;
        Ok(())
    }

    fn interrupt(&mut self, sink: &mut dyn Sink) -> anyhow::Result<Ending> {
        self.event("interrupt", None, None);
        self.save(sink, true)?;
        Ok(Ending::Interrupted)
    }

    /// `--set` values, recorded once as the operator's.
    fn apply_presets(&mut self) {
        let preset = std::mem::take(&mut self.options.preset);
        for (given, value) in &preset {
            // A field by its id or its label; anything else is a variable.
            let field = self.items().position(|item| {
                item.kind == Kind::Field
                    && (field_name(item) == *given || item.label.as_deref() == Some(given.as_str()))
            });
            let name = field.map_or_else(|| given.clone(), |index| field_name(self.item(index)));
            if self.record.values.get(&name) == Some(value) {
                continue;
            }
            if let Some(index) = field
                && self.record.items[index].status == Status::Pending
            {
                self.settle(index, Status::Done, Some(value.clone()), None, None);
            }
            self.record.values.insert(name.clone(), value.clone());
            self.event("set", None, Some(format!("{name}={value}")));
        }
        self.options.preset = preset;
    }

    fn next_step(&self) -> Step {
        if let Some(name) = self
            .checklist
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
        let mut phase_of_last = start.checked_sub(1).map(|i| self.places[i].0);
        // Whether every item so far was passed for good, so the cursor may
        // move past it.
        let mut passing = true;
        for index in start..self.record.items.len() {
            let (phase, when) = self.places[index];
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
    fn rollback_question_due(&self, phase: usize, index: usize) -> bool {
        let rollback_phase = self.checklist.phases[phase].when == When::Rollback;
        let trigger_before = self.first_trigger.is_some_and(|first| first < index);
        rollback_phase && !trigger_before && !self.asked_rollback.contains(&phase)
    }

    /// The failed or skipped required items of a phase with no gate
    /// decision yet.
    fn gate_items(&self, phase: usize) -> Vec<usize> {
        self.phase_items[phase]
            .clone()
            .filter(|&i| {
                let item = &self.record.items[i];
                !item.optional && matches!(item.status, Status::Failed | Status::Skipped)
            })
            .collect()
    }

    fn gate_due(&self, phase: usize) -> Option<usize> {
        if self.record.rollback.is_some() || self.keep_going {
            return None;
        }
        let id = &self.checklist.phases[phase].id;
        let items = self.gate_items(phase);
        if items.is_empty() {
            return None;
        }
        let ids: Vec<&String> = items.iter().map(|&i| &self.record.items[i].id).collect();
        // A decision stands for the items it was made about; a new failure
        // in the same phase (after an undo) asks again.
        let decided = self
            .record
            .gates
            .iter()
            .any(|gate| &gate.phase == id && ids.iter().all(|i| gate.items.contains(i)));
        (!decided).then_some(phase)
    }

    fn ask_variable(&mut self, name: String, prompter: &mut dyn Prompter) -> Reply<()> {
        let request = ValueRequest {
            name: name.clone(),
            label: name.clone(),
            default: None,
            choices: Vec::new(),
            message: None,
        };
        match prompter.ask_value(&request) {
            Reply::Answer(None) => {
                self.unset.insert(name.clone());
                self.event("unset", None, Some(name));
                Reply::Answer(())
            }
            Reply::Answer(Some(value)) => {
                self.undo.push(Undo::values(vec![(name.clone(), None)]));
                self.record.values.insert(name.clone(), value.clone());
                self.values_dirty = true;
                self.event("set", None, Some(format!("{name}={value}")));
                Reply::Answer(())
            }
            other => other.map(|_| ()),
        }
    }

    fn view(&self, index: usize, message: Option<String>, suggested: Option<Status>) -> ItemView {
        let item = self.item(index);
        let (phase_index, _) = self.places[index];
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
        let settled = total - tally.pending;
        let previous = self
            .last_answered
            .filter(|&last| last != index)
            .map(|last| Previous {
                status: self.record.items[last].status,
                text: fill(&self.item(last).text, &self.record.values),
            });
        let command = item.command.as_ref().map(|command| {
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
            section_lead: section.lead.clone(),
            id: item.id.clone(),
            kind: item.kind,
            optional: item.optional,
            text: fill(&item.text, &self.record.values),
            label: item.label.clone(),
            role: item.role.clone(),
            default: item.default.clone(),
            choices: item.choices.clone(),
            command,
            wait_seconds: item.wait_seconds,
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

    /// Answers so far, each item once by its status; waived items are
    /// counted again under `waived`.
    fn tally(&self) -> Tally {
        let waived: HashSet<&str> = self
            .record
            .gates
            .iter()
            .filter(|g| g.decision == GateDecision::Waive)
            .flat_map(|g| g.items.iter().map(String::as_str))
            .collect();
        let mut tally = Tally::default();
        for item in &self.record.items {
            match item.status {
                Status::Done | Status::NotOccurred => tally.done += 1,
                Status::Failed | Status::Occurred => tally.failed += 1,
                Status::Skipped | Status::NotRun => tally.skipped += 1,
                Status::NotApplicable | Status::NotNeeded => tally.not_applicable += 1,
                Status::Pending => tally.pending += 1,
            }
            if matches!(item.status, Status::Failed | Status::Skipped)
                && waived.contains(item.id.as_str())
            {
                tally.waived += 1;
            }
        }
        tally
    }

    fn ask_item(
        &mut self,
        index: usize,
        prompter: &mut dyn Prompter,
        executor: &dyn Executor,
    ) -> Reply<()> {
        let mut message = None;
        let mut suggested = None;
        loop {
            // A wait under way when the run stopped goes on by itself, with
            // the time left.
            if !self.options.unattended && self.wait_under_way(index) {
                match self.run_wait(index, prompter) {
                    Applied::Settled => {
                        self.just_settled = Some(index);
                        return Reply::Answer(());
                    }
                    Applied::Moved => return Reply::Answer(()),
                    Applied::Again {
                        message: m,
                        suggested: s,
                    } => {
                        message = m;
                        suggested = s;
                    }
                    Applied::Stop(reply) => return reply,
                }
            }
            let view = self.view(index, message.take(), suggested);
            let item = self.item(index);
            let action = match item.kind {
                Kind::Field => {
                    let request = ValueRequest {
                        name: field_name(item),
                        label: view.text.clone(),
                        default: self
                            .record
                            .values
                            .get(&field_name(item))
                            .cloned()
                            .or_else(|| item.default.clone()),
                        choices: item.choices.clone(),
                        message: view.message.clone(),
                    };
                    match prompter.ask_field(&view, &request) {
                        Reply::Answer(action) => action,
                        other => return other.map(|_| ()),
                    }
                }
                Kind::Signoff => match prompter.ask_signoff(&view) {
                    Reply::Answer(action) => action,
                    other => return other.map(|_| ()),
                },
                Kind::Check | Kind::Trigger => match prompter.ask_item(&view) {
                    Reply::Answer(action) => action,
                    other => return other.map(|_| ()),
                },
            };
            // Where the answer came from is recorded with it, before any
            // sign-off binds the item.
            self.answer_source = prompter.answer_source();
            self.answer_by = prompter.answer_by();
            match self.apply(index, action, prompter, executor) {
                Applied::Settled => {
                    self.just_settled = Some(index);
                    if self.focus == Some(index) {
                        self.focus = None;
                        self.cursor.set(0);
                    }
                    return Reply::Answer(());
                }
                Applied::Moved => return Reply::Answer(()),
                Applied::Again {
                    message: m,
                    suggested: s,
                } => {
                    message = m;
                    suggested = s.or(suggested);
                }
                Applied::Stop(reply) => return reply,
            }
        }
    }

    fn apply(
        &mut self,
        index: usize,
        action: Action,
        prompter: &mut dyn Prompter,
        executor: &dyn Executor,
    ) -> Applied {
        let item = self.item(index);
        let kind = item.kind;
        let again = |message: &str| Applied::Again {
            message: Some(message.to_string()),
            suggested: None,
        };
        // Each kind takes its own answers; the rest is a prompter's mistake
        // or a stray answers-file entry, said back rather than recorded.
        match (&action, kind) {
            (Action::Signoff(_), Kind::Signoff) | (Action::Value(_), Kind::Field) => {}
            (Action::Signoff(_), _) => return again("only a sign-off is signed"),
            (Action::Value(_), _) => return again("only a field takes a value"),
            (Action::Done { .. } | Action::Failed { .. }, Kind::Signoff) => {
                return again("a sign-off is answered with a name and approve or reject");
            }
            (Action::Done { .. } | Action::Failed { .. }, Kind::Field) => {
                return again("a field is answered with a value");
            }
            _ => {}
        }
        match action {
            Action::Done { note } => {
                if kind == Kind::Trigger {
                    return again("a trigger is answered y (it happened) or n (it did not)");
                }
                self.settle(index, Status::Done, None, note, None);
            }
            Action::Failed { note } => {
                if kind == Kind::Trigger {
                    return again("a trigger is answered y (it happened) or n (it did not)");
                }
                self.settle(index, Status::Failed, None, note, None);
            }
            Action::Skip { reason } => {
                if reason.trim().is_empty() {
                    return again("skipping needs a reason");
                }
                self.settle(index, Status::Skipped, None, None, Some(reason));
            }
            Action::NotApplicable { reason } => {
                let reason = reason.filter(|r| !r.trim().is_empty());
                if reason.is_none() && !item.optional {
                    return again("a required item is not applicable only with a reason");
                }
                self.settle(index, Status::NotApplicable, None, None, reason);
            }
            Action::Occurred { what } => {
                if kind != Kind::Trigger {
                    return again("only a trigger can occur");
                }
                let what = what.trim().to_string();
                if what.is_empty() {
                    return again("say what happened");
                }
                self.settle(index, Status::Occurred, None, Some(what.clone()), None);
                self.call_rollback(item.id.clone(), Some(what));
            }
            Action::NotOccurred => {
                if kind != Kind::Trigger {
                    return again("only a trigger is answered not-occurred");
                }
                if self.record.items[index].status == Status::Occurred {
                    return again(
                        "this trigger called a rollback, which stands; b right after the call undoes it",
                    );
                }
                self.settle(index, Status::NotOccurred, None, None, None);
            }
            Action::Value(value) => {
                let value = value.trim().to_string();
                if value.is_empty() && !item.optional {
                    return again("a value is required");
                }
                if !item.choices.is_empty() && !item.choices.iter().any(|c| c == &value) {
                    return again(&format!("choose one of: {}", item.choices.join(", ")));
                }
                let name = field_name(item);
                let previous = self.record.values.get(&name).cloned();
                self.settle(index, Status::Done, Some(value.clone()), None, None);
                if let Some(undo) = self.undo.last_mut() {
                    undo.values.push((name.clone(), previous));
                }
                self.record.values.insert(name, value);
            }
            Action::Signoff(answer) => return self.sign(index, answer),
            Action::Note(note) => {
                self.add_note(index, &note);
                return Applied::Again {
                    message: Some("note added".to_string()),
                    suggested: None,
                };
            }
            Action::RunCommand => return self.run_command(index, prompter, executor),
            Action::Wait => return self.start_wait(index),
            Action::Back => {
                return match self.back() {
                    Some(_) => Applied::Settled,
                    None => again("nothing to go back to"),
                };
            }
            Action::Rollback { reason } => {
                if self.record.rollback.is_some() {
                    return again("a rollback is already called");
                }
                if reason.trim().is_empty() {
                    return again("calling a rollback needs a reason");
                }
                self.undo.push(Undo::new(self));
                self.call_rollback("operator".to_string(), Some(reason));
                // The item itself is not answered: with rollback steps they
                // come next, and without them the run has ended.
                return Applied::Moved;
            }
            Action::Pending => {
                // Only an unattended prompter leaves an item open; the run
                // moves past it and the item stays pending in the record.
                self.deferred.insert(index);
            }
            Action::Overview => {
                let overview = self.overview(index);
                return match prompter.overview(&overview) {
                    Reply::Answer(()) => Applied::Again {
                        message: None,
                        suggested: None,
                    },
                    other => Applied::Stop(other),
                };
            }
            Action::GoTo(target) => return self.go_to(index, &target),
            Action::Search(text) => return self.search(index, &text),
            Action::Bulk { status, reason } => return self.bulk(index, status, reason),
        }
        Applied::Settled
    }

    /// `g`: an item by its number as screens show it, or by its id; empty
    /// goes back to where the run is.
    fn go_to(&mut self, current: usize, target: &str) -> Applied {
        let target = target.trim();
        if target.is_empty() {
            return match self.focus.take() {
                Some(_) => {
                    self.cursor.set(0);
                    Applied::Moved
                }
                None => Applied::Again {
                    message: Some("this is where the run is".to_string()),
                    suggested: None,
                },
            };
        }
        let total = self.record.items.len();
        let found = match target.parse::<usize>() {
            Ok(n) if (1..=total).contains(&n) => Some(n - 1),
            Ok(_) => None,
            Err(_) => self.record.items.iter().position(|i| i.id == target),
        };
        match found {
            Some(index) => self.focus_on(current, index),
            None => Applied::Again {
                message: Some(format!(
                    "no item {target}: give a number from 1 to {total} or an item id"
                )),
                suggested: None,
            },
        }
    }

    /// `/`: the next item after this one whose text (variables filled)
    /// holds `text`, ignoring case, wrapping at the end. Empty repeats the
    /// last search.
    fn search(&mut self, current: usize, text: &str) -> Applied {
        let text = match text.trim() {
            "" => match &self.last_search {
                Some(last) => last.clone(),
                None => {
                    return Applied::Again {
                        message: Some("type some words of an item to find it".to_string()),
                        suggested: None,
                    };
                }
            },
            text => text.to_lowercase(),
        };
        self.last_search = Some(text.clone());
        let total = self.record.items.len();
        let found = (1..=total).map(|step| (current + step) % total).find(|&i| {
            fill(&self.item(i).text, &self.record.values)
                .to_lowercase()
                .contains(&text)
        });
        match found {
            Some(index) => self.focus_on(current, index),
            None => Applied::Again {
                message: Some(format!("no item matches \"{text}\"")),
                suggested: None,
            },
        }
    }

    fn focus_on(&mut self, current: usize, index: usize) -> Applied {
        let again = |message: String| Applied::Again {
            message: Some(message),
            suggested: None,
        };
        if index == current {
            return again(format!("item {} is this one", index + 1));
        }
        match self.places[index].1 {
            When::Rollback if self.record.rollback.is_none() => {
                return again(format!(
                    "item {} is a rollback step: it is walked once a rollback is called",
                    index + 1
                ));
            }
            When::Success if self.record.rollback.is_some() => {
                return again(format!(
                    "item {} is for a successful release, and a rollback was called",
                    index + 1
                ));
            }
            _ => {}
        }
        self.focus = Some(index);
        Applied::Moved
    }

    /// `A`: every pending item left in this section answered the same way,
    /// as one answer that `b` undoes whole. Fields and required sign-offs
    /// are passed over: a value or an approval is never given in bulk.
    fn bulk(&mut self, index: usize, status: Status, reason: String) -> Applied {
        let again = |message: &str| Applied::Again {
            message: Some(message.to_string()),
            suggested: None,
        };
        if !matches!(status, Status::Skipped | Status::NotApplicable) {
            return again("the rest of a section is answered skip or n/a");
        }
        if reason.trim().is_empty() {
            return again("answering the rest of a section needs a reason");
        }
        let section = &self.entries[index].0.id;
        let phase = self.places[index].0;
        let rollback = self.record.rollback.is_some();
        let targets: Vec<usize> = (index..self.record.items.len())
            .take_while(|&i| self.places[i].0 == phase && &self.entries[i].0.id == section)
            .filter(|&i| {
                let item = self.item(i);
                let open =
                    self.record.items[i].status == Status::Pending && !self.deferred.contains(&i);
                let asked = match self.places[i].1 {
                    When::Rollback => rollback,
                    When::Success => !rollback,
                    When::Always => true,
                };
                let one_by_one =
                    item.kind == Kind::Field || (item.kind == Kind::Signoff && !item.optional);
                open && asked && !one_by_one
            })
            .collect();
        if targets.is_empty() {
            return again(
                "nothing here to answer in bulk: fields and required sign-offs are answered one by one",
            );
        }
        let mut undo = Undo::new(self);
        for &i in &targets {
            undo.items.push((i, self.record.items[i].clone()));
        }
        self.undo.push(undo);
        let count = targets.len();
        self.event(
            "bulk",
            Some(section.clone()),
            Some(format!("{count} items {}: {reason}", status.as_str())),
        );
        for i in targets {
            self.write_answer(i, status, None, None, Some(reason.clone()));
        }
        Applied::Settled
    }

    /// The `l` screen: every phase, section and item with its status.
    fn overview(&self, current: usize) -> Overview {
        let waived: HashSet<&str> = self
            .record
            .gates
            .iter()
            .filter(|g| g.decision == GateDecision::Waive)
            .flat_map(|g| g.items.iter().map(String::as_str))
            .collect();
        let mut rows = Vec::new();
        let mut index = 0;
        for phase in &self.checklist.phases {
            rows.push(Row::Phase(phase.title.clone()));
            for section in &phase.sections {
                if !section.implicit {
                    rows.push(Row::Section(section.title.clone()));
                }
                for item in &section.items {
                    let result = &self.record.items[index];
                    rows.push(Row::Item {
                        number: index + 1,
                        id: result.id.clone(),
                        status: result.status,
                        text: fill(&item.text, &self.record.values),
                        optional: item.optional,
                        waived: waived.contains(result.id.as_str()),
                        current: index == current,
                    });
                    index += 1;
                }
            }
        }
        Overview {
            title: self.checklist.title.clone(),
            rows,
            tally: self.tally(),
            rollback_called: self.record.rollback.is_some(),
        }
    }

    /// Records an answer for an item, keeping what it replaced for `b`.
    fn settle(
        &mut self,
        index: usize,
        status: Status,
        value: Option<String>,
        note: Option<String>,
        reason: Option<String>,
    ) {
        // `b` is a key at a terminal; an unattended run never goes back,
        // and a copy of every item it answers would be kept for nothing.
        if !self.options.unattended {
            let mut undo = Undo::new(self);
            undo.items.push((index, self.record.items[index].clone()));
            self.undo.push(undo);
        }
        self.write_answer(index, status, value, note, reason);
    }

    /// The answer itself, and its event: `answer`, or `correct` when the
    /// item had an answer already (the log keeps the old one too).
    fn write_answer(
        &mut self,
        index: usize,
        status: Status,
        value: Option<String>,
        note: Option<String>,
        reason: Option<String>,
    ) {
        let was = self.record.items[index].status;
        let was_value = self.record.items[index].value.clone();
        let at = self.clock.now();
        let by = self
            .answer_by
            .clone()
            .unwrap_or_else(|| self.options.operator.clone());
        let source = self.answer_source.clone();
        self.dirty.push(index);
        self.values_dirty |= value.is_some();
        let result = &mut self.record.items[index];
        result.source = source;
        result.status = status;
        result.value = value.clone();
        result.by = Some(by);
        result.at = Some(at);
        if let Some(note) = note.filter(|n| !n.trim().is_empty()) {
            result.note = Some(match result.note.take() {
                Some(previous) if previous != note => format!("{previous}\n{note}"),
                _ => note,
            });
        }
        result.reason = reason.clone();
        let id = result.id.clone();
        let detail = match (&value, &reason) {
            (Some(value), _) => format!("{} = {value}", status.as_str()),
            (None, Some(reason)) => format!("{}: {reason}", status.as_str()),
            (None, None) => status.as_str().to_string(),
        };
        self.last_answered = Some(index);
        if was.is_answered() {
            let before = match was_value {
                Some(value) => format!("{} = {value}", was.as_str()),
                None => was.as_str().to_string(),
            };
            self.event(
                "correct",
                Some(id),
                Some(format!("was {before}, now {detail}")),
            );
        } else {
            self.event("answer", Some(id), Some(detail));
        }
        if self.record.rollback.is_some() {
            self.refresh_rollback_outcome();
        }
    }

    /// A rollback: the first call is kept as it was made; a trigger that
    /// happens after it is listed beside it.
    fn call_rollback(&mut self, cause: String, reason: Option<String>) {
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
                "rollback-again",
                Some(cause),
                reason.map(|r| format!("also: {r}")),
            );
            return;
        }
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
            if self.places[index].1 == When::Success
                && self.record.items[index].status == Status::Pending
            {
                marked.push((index, self.record.items[index].clone()));
                self.dirty.push(index);
                let item = &mut self.record.items[index];
                item.status = Status::NotNeeded;
                item.reason = Some("a rollback was called".to_string());
                item.at = Some(at);
            }
        }
        // With no rollback steps to walk, nothing of the release is left
        // to do: the rest is recorded as not run, and the run ends.
        if self.rollback_items.is_empty() {
            self.focus = None;
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
                    item.reason = Some(
                        "a rollback was called and the checklist has no rollback steps".to_string(),
                    );
                    item.at = Some(at);
                }
            }
        }
        if let Some(undo) = self.undo.last_mut() {
            undo.items.extend(marked);
        }
        self.event(
            "rollback",
            None,
            Some(format!(
                "called by {cause}{}",
                reason.map(|r| format!(": {r}")).unwrap_or_default()
            )),
        );
        self.refresh_rollback_outcome();
    }

    /// While a rollback is under way the outcome says so; once every
    /// required rollback step is answered it says how the way back went.
    fn refresh_rollback_outcome(&mut self) {
        if self.record.rollback.is_none() || self.record.run.finished.is_some() {
            return;
        }
        let required = |status: Status| {
            self.rollback_items.iter().any(|&i| {
                let item = &self.record.items[i];
                !item.optional && item.status == status
            })
        };
        self.record.run.outcome = if required(Status::Pending) {
            Outcome::RollingBack
        } else if required(Status::Failed) {
            Outcome::Failed
        } else {
            Outcome::RolledBack
        };
    }

    fn sign(&mut self, index: usize, answer: SignoffAnswer) -> Applied {
        let item = self.item(index);
        let name = answer.name.trim().to_string();
        if name.is_empty() {
            return Applied::Again {
                message: Some("a sign-off needs a name".to_string()),
                suggested: None,
            };
        }
        let status = match answer.decision {
            Decision::Approve => Status::Done,
            Decision::Reject => Status::Failed,
        };
        self.settle(
            index,
            status,
            Some(name.clone()),
            answer.comment.clone(),
            None,
        );
        let mut signoff = Signoff {
            role: item.role.clone().unwrap_or_else(|| item.text.clone()),
            name,
            decision: answer.decision,
            comment: answer.comment.filter(|c| !c.trim().is_empty()),
            at: self.clock.now(),
            item: Some(item.id.clone()),
            digest: None,
            parts: BTreeMap::new(),
            signature: None,
            source: self.answer_source.clone(),
        };
        // Bound like `relcheck sign`'s, to the record as it stands, so
        // `verify` can tell later answers from edits.
        crate::sign::bind(&self.record, &mut signoff);
        self.record.signoffs.push(signoff);
        Applied::Settled
    }

    fn run_command(
        &mut self,
        index: usize,
        prompter: &mut dyn Prompter,
        executor: &dyn Executor,
    ) -> Applied {
        let item = self.item(index);
        let Some(command) = &item.command else {
            return Applied::Again {
                message: Some("this item has no command".to_string()),
                suggested: None,
            };
        };
        let script = match exec::substitute(command, &self.record.values) {
            Ok(script) => script,
            Err(missing) => {
                return Applied::Again {
                    message: Some(format!("no value for {}", missing.join(", "))),
                    suggested: None,
                };
            }
        };
        let timeout = item
            .timeout_seconds
            .map_or(self.options.command_timeout, Duration::from_secs);
        let spec = exec::Spec {
            script: script.clone(),
            timeout,
            cwd: None,
        };
        prompter.command_started(&script, timeout);
        let started = self.clock.now();
        let outcome = executor.run(
            &spec,
            &mut |chunk| prompter.command_output(chunk),
            self.interrupted,
        );
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(err) => {
                return Applied::Again {
                    message: Some(format!("could not start the command: {err}")),
                    suggested: None,
                };
            }
        };
        prompter.command_finished(&outcome);
        self.dirty.push(index);
        let stopped_by_operator = outcome.cancelled && !self.interrupted.load(Ordering::SeqCst);
        self.record.items[index].command = Some(CommandRun {
            command: script,
            exit_code: outcome.exit_code,
            timed_out: outcome.timed_out,
            duration_seconds: outcome.duration.as_secs_f64(),
            output: outcome.output.clone(),
            truncated_bytes: outcome.truncated_bytes,
            interrupted: stopped_by_operator,
        });
        self.event(
            "command",
            Some(item.id.clone()),
            Some(format!("{} ({})", outcome.summary(), started.to_rfc3339())),
        );
        if outcome.cancelled && !stopped_by_operator {
            return Applied::Stop(Reply::Interrupted);
        }
        // Ctrl-C stopped only the command: the run goes on, and the
        // operator says how the item went.
        if stopped_by_operator {
            return Applied::Again {
                message: Some("command interrupted: y done, n failed, r runs it again".to_string()),
                suggested: None,
            };
        }
        let suggestion = match (item.kind, outcome.succeeded()) {
            (Kind::Trigger, true) => Status::NotOccurred,
            (Kind::Trigger, false) => Status::Occurred,
            (_, true) => Status::Done,
            (_, false) => Status::Failed,
        };
        Applied::Again {
            message: Some(format!(
                "command {}: Enter marks it {}",
                outcome.summary(),
                suggestion.as_str()
            )),
            suggested: Some(suggestion),
        }
    }

    /// `w`: the wait begins and is saved before any time is counted, so a
    /// run stopped during it goes on with the time left.
    fn start_wait(&mut self, index: usize) -> Applied {
        let Some(seconds) = self.item(index).wait_seconds else {
            return Applied::Again {
                message: Some("this item asks for no wait".to_string()),
                suggested: None,
            };
        };
        let started = self.clock.now();
        self.dirty.push(index);
        self.record.items[index].wait = Some(Wait {
            requested_seconds: seconds,
            waited_seconds: 0.0,
            cut_short: false,
            started: Some(started),
            ended: None,
        });
        let id = self.record.items[index].id.clone();
        self.event("wait", Some(id), Some(format!("started, {seconds} s")));
        // Saved by the run loop; the item comes back with the wait under way.
        Applied::Moved
    }

    fn wait_under_way(&self, index: usize) -> bool {
        self.record.items[index]
            .wait
            .as_ref()
            .is_some_and(|wait| wait.started.is_some() && wait.ended.is_none())
    }

    /// Counts down what is left of the wait, measured from when it began,
    /// and takes what the operator says during it.
    fn run_wait(&mut self, index: usize, prompter: &mut dyn Prompter) -> Applied {
        let (requested, started) = match &self.record.items[index].wait {
            Some(Wait {
                requested_seconds,
                started: Some(started),
                ..
            }) => (*requested_seconds, *started),
            _ => {
                return Applied::Again {
                    message: None,
                    suggested: None,
                };
            }
        };
        loop {
            let elapsed = (self.clock.now() - started).num_milliseconds().max(0) as u64;
            let left =
                Duration::from_secs(requested).saturating_sub(Duration::from_millis(elapsed));
            let end = if left.is_zero() {
                WaitEnd::Elapsed
            } else {
                let view = WaitView {
                    requested: Duration::from_secs(requested),
                    left,
                };
                match prompter.wait(&view, self.interrupted) {
                    Reply::Answer(end) => end,
                    // The wait stays under way in the record: resume goes on.
                    other => return Applied::Stop(other.map(|_| ())),
                }
            };
            if let WaitEnd::Note(note) = &end {
                self.add_note(index, note);
                continue;
            }
            let waited = self.end_wait(index, !matches!(end, WaitEnd::Elapsed));
            let waited = format!(
                "{} of {}",
                human_duration(waited),
                human_duration(requested as f64)
            );
            return match end {
                WaitEnd::Elapsed | WaitEnd::Note(_) => Applied::Again {
                    message: Some(format!("waited {waited}: Enter marks it done")),
                    suggested: Some(Status::Done),
                },
                // No default: the operator says how it went.
                WaitEnd::CutShort => Applied::Again {
                    message: Some(format!("wait cut short after {waited}: y done or n failed")),
                    suggested: None,
                },
                WaitEnd::Failed { note } => {
                    self.settle(index, Status::Failed, None, note, None);
                    Applied::Settled
                }
                WaitEnd::Rollback { reason } if reason.trim().is_empty() => Applied::Again {
                    message: Some(format!(
                        "wait stopped after {waited}; calling a rollback needs a reason"
                    )),
                    suggested: None,
                },
                WaitEnd::Rollback { reason } => {
                    self.undo.push(Undo::new(self));
                    self.call_rollback("operator".to_string(), Some(reason));
                    Applied::Moved
                }
            };
        }
    }

    /// The wait is over: how long it lasted, in seconds.
    fn end_wait(&mut self, index: usize, cut_short: bool) -> f64 {
        let now = self.clock.now();
        self.dirty.push(index);
        let id = self.record.items[index].id.clone();
        let Some(wait) = self.record.items[index].wait.as_mut() else {
            return 0.0;
        };
        let started = wait.started.unwrap_or(now);
        let waited = (now - started).num_milliseconds().max(0) as f64 / 1000.0;
        wait.waited_seconds = waited;
        wait.cut_short = cut_short;
        wait.ended = Some(now);
        let requested = wait.requested_seconds;
        self.event(
            "wait",
            Some(id),
            Some(format!(
                "{waited:.0} s of {requested} s{}",
                if cut_short { ", cut short" } else { "" }
            )),
        );
        waited
    }

    fn add_note(&mut self, index: usize, note: &str) {
        let note = note.trim().to_string();
        if note.is_empty() {
            return;
        }
        self.dirty.push(index);
        let result = &mut self.record.items[index];
        result.note = Some(match result.note.take() {
            Some(previous) => format!("{previous}\n{note}"),
            None => note.clone(),
        });
        let id = result.id.clone();
        self.event("note", Some(id), Some(note));
    }

    fn ask_gate(&mut self, phase: usize, prompter: &mut dyn Prompter) -> Reply<()> {
        let items: Vec<ItemResult> = self
            .gate_items(phase)
            .into_iter()
            .map(|i| {
                let mut item = self.record.items[i].clone();
                item.text = fill(&item.text, &self.record.values);
                item
            })
            .collect();
        let mut message = None;
        loop {
            let view = GateView {
                phase: self.checklist.phases[phase].title.clone(),
                items: items.clone(),
                message: message.take(),
            };
            let answer = match prompter.ask_gate(&view) {
                Reply::Answer(answer) => answer,
                other => return other.map(|_| ()),
            };
            let (decision, reason) = match answer {
                GateAnswer::Waive { reason } if reason.trim().is_empty() => {
                    message = Some("a waiver needs a reason".to_string());
                    continue;
                }
                GateAnswer::Waive { reason } => (GateDecision::Waive, Some(reason)),
                GateAnswer::Rollback { reason } => (
                    GateDecision::Rollback,
                    Some(reason).filter(|r| !r.trim().is_empty()),
                ),
                GateAnswer::Abort { reason } => (
                    GateDecision::Abort,
                    Some(reason).filter(|r| !r.trim().is_empty()),
                ),
                GateAnswer::Back => {
                    return match self.back() {
                        Some(_) => Reply::Answer(()),
                        None => {
                            message = Some("nothing to go back to".to_string());
                            continue;
                        }
                    };
                }
            };
            self.undo.push(Undo::new(self));
            let phase_id = self.checklist.phases[phase].id.clone();
            self.record.gates.push(Gate {
                phase: phase_id.clone(),
                decision,
                reason: reason.clone(),
                by: self.options.operator.clone(),
                at: self.clock.now(),
                items: items.iter().map(|i| i.id.clone()).collect(),
                source: None,
            });
            self.event(
                "gate",
                Some(phase_id.clone()),
                Some(
                    format!(
                        "{decision:?}{}",
                        reason.clone().map(|r| format!(": {r}")).unwrap_or_default()
                    )
                    .to_lowercase(),
                ),
            );
            return match decision {
                GateDecision::Waive | GateDecision::Stop => Reply::Answer(()),
                GateDecision::Rollback => {
                    self.call_rollback(format!("gate:{phase_id}"), reason);
                    Reply::Answer(())
                }
                GateDecision::Abort => Reply::Abort,
            };
        }
    }

    /// A pipeline's gate. Nobody is there to decide, so the decision is
    /// written down ahead: a waiver from the prompter (the answers file's
    /// `gates:`) lets the run go on, as one at the terminal would; any
    /// other answer stops it here. A stop is recorded as a gate, and every
    /// item still open after this phase as `not-run`, saying which gate.
    fn pipeline_gate(&mut self, phase: usize, prompter: &mut dyn Prompter) -> Reply<()> {
        let items: Vec<ItemResult> = self
            .gate_items(phase)
            .into_iter()
            .map(|i| {
                let mut item = self.record.items[i].clone();
                item.text = fill(&item.text, &self.record.values);
                item
            })
            .collect();
        let title = self.checklist.phases[phase].title.clone();
        let view = GateView {
            phase: title.clone(),
            items,
            message: None,
        };
        let waiver = match prompter.ask_gate(&view) {
            Reply::Answer(GateAnswer::Waive { reason }) if !reason.trim().is_empty() => {
                Some(reason)
            }
            Reply::Interrupted => return Reply::Interrupted,
            _ => None,
        };
        let source = prompter.answer_source().filter(|_| waiver.is_some());
        let by = prompter
            .answer_by()
            .filter(|_| waiver.is_some())
            .unwrap_or_else(|| self.options.operator.clone());
        let failing = gate_reason(&view.items);
        let (decision, reason) = match waiver {
            Some(reason) => (GateDecision::Waive, reason),
            None => (GateDecision::Stop, failing.clone()),
        };
        let phase_id = self.checklist.phases[phase].id.clone();
        let at = self.clock.now();
        self.record.gates.push(Gate {
            phase: phase_id.clone(),
            decision,
            reason: Some(reason.clone()),
            by,
            at,
            items: view.items.into_iter().map(|i| i.id).collect(),
            source,
        });
        let word = if decision == GateDecision::Stop {
            "stop"
        } else {
            "waive"
        };
        self.event("gate", Some(phase_id), Some(format!("{word}: {reason}")));
        if decision == GateDecision::Stop {
            let why = format!("stopped at the gate after phase \"{title}\": {failing}");
            for index in self.phase_items[phase].end..self.record.items.len() {
                let item = &mut self.record.items[index];
                if item.status == Status::Pending {
                    item.status = Status::NotRun;
                    item.reason = Some(why.clone());
                    item.at = Some(at);
                    self.dirty.push(index);
                }
            }
        }
        Reply::Answer(())
    }

    /// How a pipeline's log names an item: its text with variables
    /// filled, and its id after it when another item has the same text.
    fn name(&self, index: usize) -> String {
        let item = self.item(index);
        let text = fill(&item.text, &self.record.values);
        if self.shared_texts.contains(item.text.as_str()) {
            format!("{text} ({})", item.id)
        } else {
            text
        }
    }

    fn ask_rollback_needed(&mut self, phase: usize, prompter: &mut dyn Prompter) -> Reply<()> {
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
            "rollback-needed",
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

    /// Undoes the last answer. The event log keeps both the answer and the
    /// undo, so an auditor sees the change.
    pub fn back(&mut self) -> Option<()> {
        // Unattended runs keep no undo history (see `settle`).
        if self.options.unattended {
            return None;
        }
        let undo = self.undo.pop()?;
        let mut undone = Vec::new();
        self.cursor.set(0);
        self.values_dirty = true;
        for (index, previous) in undo.items.into_iter().rev() {
            self.dirty.push(index);
            undone.push(self.record.items[index].id.clone());
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
        let item = undone.first().cloned();
        self.event("undo", item, None);
        Some(())
    }

    fn finish(&mut self) -> Outcome {
        let rolled_back = self.record.rollback.is_some();
        let now = self.clock.now();
        // What the run did not need is settled now, so the record says why.
        for index in 0..self.record.items.len() {
            let when = self.places[index].1;
            let item = &mut self.record.items[index];
            if item.status == Status::Pending && when == When::Rollback && !rolled_back {
                item.status = Status::NotNeeded;
                item.reason = Some("no rollback was called".to_string());
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
            !item.optional && item.status == Status::Failed && !waived.contains(&&item.id)
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
        // "Rolled back" says the way back worked; a failed or unfinished
        // rollback step says otherwise.
        let rollback_step = |status: Status| {
            (0..self.record.items.len()).any(|i| {
                let item = &self.record.items[i];
                self.places[i].1 == When::Rollback && !item.optional && item.status == status
            })
        };
        let outcome = if rolled_back && rollback_step(Status::Failed) {
            Outcome::Failed
        } else if rolled_back && rollback_step(Status::Pending) {
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

    fn finish_as(&mut self, outcome: Outcome) -> Outcome {
        let now = self.clock.now();
        self.record.run.outcome = outcome;
        self.record.run.finished = Some(now);
        self.record.run.duration_seconds =
            Some((now - self.record.run.started).num_milliseconds().max(0) as f64 / 1000.0);
        self.event("finish", None, Some(outcome.as_str().to_string()));
        outcome
    }

    fn start_view(&self) -> StartView {
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

    pub fn summary(&self) -> Summary {
        let mut counts = BTreeMap::new();
        for item in &self.record.items {
            *counts.entry(item.status.as_str().to_string()).or_insert(0) += 1;
        }
        Summary {
            outcome: self.record.run.outcome,
            counts,
            failed: self
                .record
                .items
                .iter()
                .filter(|i| matches!(i.status, Status::Failed | Status::Occurred))
                .cloned()
                .collect(),
            gates: self.record.gates.clone(),
            signoffs: self.record.signoffs.clone(),
            duration_seconds: self.record.run.duration_seconds,
            notes: self.notes.clone(),
        }
    }
}

enum Applied {
    Settled,
    /// Nothing answered, but the next question may be another one (`g`,
    /// a rollback called, a wait begun): back to the run loop, which saves.
    Moved,
    Again {
        message: Option<String>,
        suggested: Option<Status>,
    },
    Stop(Reply<()>),
}

impl Undo {
    fn new(session: &Session<'_>) -> Undo {
        Undo {
            items: Vec::new(),
            values: Vec::new(),
            rollback: Some(session.record.rollback.clone()),
            gates: session.record.gates.len(),
            signoffs: session.record.signoffs.len(),
            asked: Vec::new(),
        }
    }

    fn values(values: Vec<(String, Option<String>)>) -> Undo {
        Undo {
            items: Vec::new(),
            values,
            rollback: None,
            gates: usize::MAX,
            signoffs: usize::MAX,
            asked: Vec::new(),
        }
    }
}

/// Why a gate is due, by the items that make it: `build/artifact failed,
/// build/tests skipped`; the first few, for a record's reasons stay short.
pub fn gate_reason(items: &[ItemResult]) -> String {
    const SHOWN: usize = 3;
    let mut reason = items
        .iter()
        .take(SHOWN)
        .map(|item| format!("{} {}", item.id, item.status.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        reason.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    reason
}

/// The texts that occur more than once.
fn shared_texts<'t>(texts: impl Iterator<Item = &'t str>) -> HashSet<&'t str> {
    let mut seen = HashSet::new();
    let mut shared = HashSet::new();
    for text in texts {
        if !seen.insert(text) {
            shared.insert(text);
        }
    }
    shared
}

/// The name a field's value is kept under: its id.
pub fn field_name(item: &Item) -> String {
    item.id.clone()
}

pub fn human_duration(seconds: f64) -> String {
    let total = seconds.round() as u64;
    match total {
        0..60 => format!("{total} s"),
        60..3600 if total.is_multiple_of(60) => format!("{} min", total / 60),
        60..3600 => format!("{} min {} s", total / 60, total % 60),
        _ => format!("{} h {} min", total / 3600, (total % 3600) / 60),
    }
}
