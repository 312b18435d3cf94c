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

use crate::exec::Executor;
use crate::model::{Checklist, Item, Kind, When};
use crate::prompt::{Prompter, Reply, ValueRequest};
use crate::record::{Changes, Event, EventAction, Mode, Outcome, Provenance, Record, Sink, Status};

mod apply;
mod clock;
mod fill;
mod gate;
mod measured;
mod navigate;
mod observe;
mod open;
mod outcome;
mod plan;
mod rollback;
mod set_aside;
mod undo;
mod view;
mod wait;

/// The variables a run asks for, and those the items use (neither counts
/// one named only in prose).
pub use plan::{asked_variables, asks_rollback_needed, used_variables};

pub use clock::{Clock, SystemClock, TestClock, human_duration};
pub use gate::gate_reason;
pub use observe::{Moment, Observer};
use plan::Step;
use undo::Undo;

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

#[cfg(test)]
impl Options {
    /// Ada at a terminal on `box`, commands given a second: what the
    /// crate's own tests start a session with.
    pub(crate) fn for_tests() -> Options {
        Options {
            operator: "Ada".into(),
            host: "box".into(),
            mode: crate::record::Mode::Interactive,
            preset: BTreeMap::new(),
            command_timeout: Duration::from_secs(1),
            unattended: false,
        }
    }
}

/// A section of the checklist with items, as the run holds it: its
/// phase's index and where its items start among the record's.
#[derive(Debug, Clone, Copy)]
struct Stretch<'a> {
    section: &'a crate::model::Section,
    phase: u32,
    start: u32,
}

pub struct Session<'a> {
    checklist: &'a Checklist,
    pub record: Record,
    clock: &'a dyn Clock,
    options: Options,
    /// Each section that has items, where its items start among the
    /// record's, in order: an item's section, phase and checklist item
    /// are found from it by halves ([`Session::stretch`]). One entry a
    /// section, not two an item (2.3 MB of a 100,000-item run).
    sections: Vec<Stretch<'a>>,
    /// The notes under each item that has some ([`view::notes_by_item`]).
    notes_under: std::collections::HashMap<usize, Vec<u32>>,
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
    /// Phases whose open steps the operator chose to walk after the way
    /// back. Kept for this sitting only: a resumed run asks again about
    /// a phase with steps still open, where a set-aside one has none.
    walked: Vec<usize>,
    /// Set from outside (a signal) to stop at the next safe point.
    interrupted: &'a AtomicBool,
    /// Items left pending on purpose by an unattended prompter.
    deferred: HashSet<usize>,
    /// Variables an unattended prompter had no value for.
    unset: HashSet<String>,
    /// The variables this run asks for (`plan::asked_variables`).
    variables: Vec<String>,
    /// Where the answer being applied came from, and who gave it, when not
    /// the operator at the keyboard.
    answer_source: Option<Provenance>,
    answer_by: Option<String>,
    /// An item whose command ran since the last save: if that save fails,
    /// the message says the command ran, since the record shows only that
    /// it started.
    ran_unsaved: Option<usize>,
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
    /// Hears of the run's lifecycle moments; and the sign-off item it last
    /// heard of, so asking that again (after a note) is no new moment.
    observer: Option<Box<dyn Observer>>,
    signoff_told: Option<usize>,
    /// Binds sign-offs given during the run from part digests kept as the
    /// items change (told with the journal's changes); none when the
    /// checklist asks for no sign-off, or nobody is there to wait.
    binder: Option<crate::sign::Binder>,
}

impl<'a> Session<'a> {
    /// `--keep-going`: a pipeline runs every phase whatever failed, with
    /// no gates; the failures still fail the run.
    pub fn keep_going(&mut self) {
        self.keep_going = true;
    }

    fn items(&self) -> impl Iterator<Item = &Item> {
        self.checklist.items().map(|(_, _, item)| item)
    }

    /// Record item `index`'s section's stretch, and the item's place in
    /// the section.
    fn stretch(&self, index: usize) -> (&Stretch<'a>, usize) {
        let at = self
            .sections
            .partition_point(|stretch| stretch.start as usize <= index);
        let stretch = &self.sections[at.saturating_sub(1)];
        (stretch, index - stretch.start as usize)
    }

    fn item(&self, index: usize) -> &'a Item {
        let (stretch, at) = self.stretch(index);
        &stretch.section.items[at]
    }

    /// Record item `index`'s section in the checklist.
    fn section(&self, index: usize) -> &'a crate::model::Section {
        self.stretch(index).0.section
    }

    /// Record item `index`'s phase index and section `when`.
    fn place(&self, index: usize) -> (usize, When) {
        let stretch = self.stretch(index).0;
        (stretch.phase as usize, stretch.section.when)
    }

    fn event(&mut self, action: EventAction, item: Option<String>, detail: Option<String>) {
        let at = self.clock.now();
        self.record.events.push(Event {
            at,
            by: self.options.operator.clone(),
            action,
            item,
            detail,
        });
        self.tell_event(action);
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
        self.tell_started();
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
                Step::Item(index) => self.ask_item(*index, prompter, executor, sink)?,
                Step::Gate(phase) if self.options.unattended => {
                    self.pipeline_gate(*phase, prompter)
                }
                Step::Gate(phase) => self.ask_gate(*phase, prompter),
                Step::RollbackNeeded(phase) => self.ask_rollback_needed(*phase, prompter),
                Step::SetAside(phase) => self.ask_set_aside(*phase, prompter),
            };
            match reply {
                Reply::Answer(()) => {}
                Reply::Quit => {
                    self.event(EventAction::Pause, None, None);
                    self.save(sink, true)?;
                    return Ok(Ending::Paused);
                }
                Reply::Abort => {
                    self.event(EventAction::Abort, None, None);
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
    /// digest, when `whole` or when the sink cannot append (nothing on disk
    /// yet, or its journal was taken away); otherwise only what changed,
    /// appended to the journal.
    fn save(&mut self, sink: &mut dyn Sink, whole: bool) -> anyhow::Result<()> {
        // A notification that failed since the last save is logged with it.
        self.log_observer_failures();
        if self.values_dirty {
            // A value fills the texts that name it: those items are saved
            // with it.
            let changed = self.record.refresh_shown();
            self.dirty.extend(changed);
        }
        let saved = if whole || sink.wants_whole() {
            crate::record::seal(&mut self.record);
            sink.save(&self.record)
        } else {
            self.dirty.sort_unstable();
            self.dirty.dedup();
            sink.append(
                &self.record,
                &Changes {
                    items: &self.dirty,
                    values: self.values_dirty,
                },
            )
        };
        if let Err(err) = saved {
            return Err(self.unsaved_command(err));
        }
        self.ran_unsaved = None;
        if let Some(binder) = &mut self.binder {
            binder.changed(&self.record, &self.dirty);
        }
        self.dirty.clear();
        self.values_dirty = false;
        Ok(())
    }

    /// A failed save's error, saying so when it held a command's result:
    /// the command ran (a deploy, say) though the record shows only that
    /// it started.
    fn unsaved_command(&self, err: anyhow::Error) -> anyhow::Error {
        // A lock taken over keeps the answers in a copy beside the record,
        // and says so: only a write that failed loses the result.
        if crate::exit::code_of(&err) != crate::exit::Code::Incomplete {
            return err;
        }
        let Some((item, command)) = self.ran_unsaved.and_then(|index| {
            let item = &self.record.items[index];
            Some((item, item.rare.command.as_deref()?))
        }) else {
            return err;
        };
        crate::exit::error(
            crate::exit::code_of(&err),
            format!(
                "{err}. The command of \u{201c}{}\u{201d} ran ({}) but its result is not in the record, which shows it started: see what it did; resuming does not run it again by itself",
                crate::printable::printable(&item.text),
                command.ended()
            ),
        )
    }

    fn interrupt(&mut self, sink: &mut dyn Sink) -> anyhow::Result<Ending> {
        // What stopped the run (`SIGTERM`, `Ctrl-C`, `terminal closed`) is
        // known only to the process, not to the prompter that noticed it.
        let cause = crate::interrupt::cause().map(str::to_string);
        self.event(EventAction::Interrupt, None, cause);
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
                    && (field_name(item) == *given
                        || item.rare.label.as_deref() == Some(given.as_str()))
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
            self.event(EventAction::Set, None, Some(format!("{name}={value}")));
        }
        self.options.preset = preset;
    }

    fn ask_variable(&mut self, name: String, prompter: &mut dyn Prompter) -> Reply<()> {
        let mut message = None;
        let reply = loop {
            let request = ValueRequest {
                name: name.clone(),
                label: name.clone(),
                default: None,
                choices: Vec::new(),
                message: message.take(),
            };
            match prompter.ask_value(&request) {
                Reply::Answer(Some(value)) => match too_long(&value) {
                    Some(problem) => message = Some(problem),
                    None => break Reply::Answer(Some(value)),
                },
                reply => break reply,
            }
        };
        match reply {
            Reply::Answer(None) => {
                self.unset.insert(name.clone());
                self.event(EventAction::Unset, None, Some(name));
                Reply::Answer(())
            }
            Reply::Answer(Some(value)) => {
                self.undo.push(Undo::values(vec![(name.clone(), None)]));
                self.record.values.insert(name.clone(), value.clone());
                self.values_dirty = true;
                self.event(EventAction::Set, None, Some(format!("{name}={value}")));
                Reply::Answer(())
            }
            other => other.map(|_| ()),
        }
    }

    /// `index` was answered: the prompter hears of it once it is saved, and
    /// after an item `g` went to, the run goes on at the first open one.
    fn settled_here(&mut self, index: usize) {
        self.just_settled = Some(index);
        if self.focus == Some(index) {
            self.focus = None;
            self.cursor.set(0);
        }
    }

    /// Asks about one item until it is answered or the run moves on. What
    /// the item gathers on the way (a command's run, a note, a wait) is
    /// saved as it happens, so a kill before the answer loses none of it.
    fn ask_item(
        &mut self,
        index: usize,
        prompter: &mut dyn Prompter,
        executor: &dyn Executor,
        sink: &mut dyn Sink,
    ) -> anyhow::Result<Reply<()>> {
        if self.fill_from_run(index) {
            self.settled_here(index);
            return Ok(Reply::Answer(()));
        }
        // Killed while its command ran: said, and no Enter default.
        let mut message = self.record.items[index]
            .rare
            .command
            .as_ref()
            .filter(|run| run.running)
            .map(|_| {
                "its command was running when relcheck stopped, and its end is not recorded: it may still be running, or have done its work; see before r runs it again".to_string()
            });
        let mut suggested = None;
        self.tell_signoff_waiting(index);
        loop {
            if !self.dirty.is_empty() {
                self.save(sink, false)?;
            }
            // A wait under way when the run stopped goes on by itself, with
            // the time left.
            if !self.options.unattended && self.wait_under_way(index) {
                match self.run_wait(index, prompter, sink)? {
                    Applied::Settled => {
                        self.settled_here(index);
                        return Ok(Reply::Answer(()));
                    }
                    Applied::Moved => return Ok(Reply::Answer(())),
                    Applied::Again {
                        message: m,
                        suggested: s,
                    } => {
                        message = m;
                        suggested = s;
                        self.save(sink, false)?;
                    }
                    Applied::Stop(reply) => return Ok(reply),
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
                            .or_else(|| item.rare.default.clone())
                            .or_else(|| self.offered(index)),
                        choices: item.rare.choices.to_vec(),
                        message: view.message.clone(),
                    };
                    match prompter.ask_field(&view, &request) {
                        Reply::Answer(action) => action,
                        other => return Ok(other.map(|_| ())),
                    }
                }
                Kind::Signoff => match prompter.ask_signoff(&view) {
                    Reply::Answer(action) => action,
                    other => return Ok(other.map(|_| ())),
                },
                Kind::Check | Kind::Trigger => match prompter.ask_item(&view) {
                    Reply::Answer(action) => action,
                    other => return Ok(other.map(|_| ())),
                },
            };
            // Where the answer came from is recorded with it, before any
            // sign-off binds the item.
            self.answer_source = prompter.answer_source();
            self.answer_by = prompter.answer_by();
            // A command run (again) says afresh what Enter marks, nothing
            // when it was interrupted; any other answer asked again keeps
            // what the last run said.
            let ran = matches!(action, crate::prompt::Action::RunCommand);
            // Saved as started before it starts: killed while it runs, the
            // run is resumed knowing it may have done its work, and nothing
            // runs it again by itself (a deploy twice).
            if ran
                && let Some(before) = self.mark_started(index)
                && let Err(err) = self.save(sink, false)
            {
                // Not saved as started, so not started: as it was.
                self.record.items[index].rare.command = before;
                return Err(err);
            }
            match self.apply(index, action, prompter, executor) {
                Applied::Settled => {
                    self.settled_here(index);
                    return Ok(Reply::Answer(()));
                }
                Applied::Moved => return Ok(Reply::Answer(())),
                Applied::Again {
                    message: m,
                    suggested: s,
                } => {
                    message = m;
                    suggested = if ran { s } else { s.or(suggested) };
                }
                Applied::Stop(reply) => return Ok(reply),
            }
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

/// The name a field's value is kept under: its id.
pub fn field_name(item: &Item) -> String {
    item.id.to_string()
}

/// Why a value typed at the terminal is refused for its length, as an
/// answers file's is: it is written into every text that names it.
fn too_long(value: &str) -> Option<String> {
    use crate::template::MAX_VALUE_BYTES;
    (value.len() > MAX_VALUE_BYTES).then(|| {
        format!(
            "a value is at most {} bytes (this one is {}): it is written into every text that names it",
            crate::source::thousands(MAX_VALUE_BYTES),
            crate::source::thousands(value.len())
        )
    })
}
