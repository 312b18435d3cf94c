//! The seam between the session engine and whoever answers it: a person at
//! a terminal (`term`), an answers file in CI (`answers`), or a script in
//! tests ([`Scripted`]). The engine decides what to ask and what an answer
//! means; a prompter only asks.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::exec;
use crate::model::{Counts, Kind};
use crate::record::{Decision, Gate, ItemResult, Outcome, Provenance, Signoff, Status};

/// An answer, or a way out of the run.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply<T> {
    Answer(T),
    /// Save and stop, to resume later.
    Quit,
    /// End the run as aborted.
    Abort,
    /// The terminal closed or a signal came.
    Interrupted,
}

impl<T> Reply<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        match self {
            Reply::Answer(value) => Reply::Answer(f(value)),
            Reply::Quit => Reply::Quit,
            Reply::Abort => Reply::Abort,
            Reply::Interrupted => Reply::Interrupted,
        }
    }
}

/// What the operator did on an item's screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Done {
        note: Option<String>,
    },
    Failed {
        note: Option<String>,
    },
    Skip {
        reason: String,
    },
    NotApplicable {
        reason: Option<String>,
    },
    /// A trigger happened; what happened.
    Occurred {
        what: String,
    },
    NotOccurred,
    /// A field's value.
    Value(String),
    /// A measured item's answer: its value, settled by the bound; or a
    /// status a person gives against the number (or without one), which
    /// needs a note saying why.
    Measured {
        value: Option<String>,
        status: Option<Status>,
        note: Option<String>,
    },
    Signoff(SignoffAnswer),
    /// Add a note and stay on the item.
    Note(String),
    RunCommand,
    Wait,
    Back,
    Rollback {
        reason: String,
    },
    /// Leave the item open and go on (unattended runs only).
    Pending,
    /// `l`: show the whole checklist, then come back to this item.
    Overview,
    /// `g`: go to an item by its number (as screens show it) or its id.
    GoTo(String),
    /// `/`: go to the next item whose text holds this.
    Search(String),
    /// `A`: answer the rest of this section the same way, `Skipped` or
    /// `NotApplicable`, with one reason. Fields and required sign-offs are
    /// left for their own screens.
    Bulk {
        status: Status,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SignoffAnswer {
    pub name: String,
    pub decision: Decision,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GateAnswer {
    Waive { reason: String },
    Rollback { reason: String },
    Abort { reason: String },
    Back,
}

/// The question once the way back is walked and a phase of the release
/// still has steps open: a rollback ended the release, so a tired
/// operator should not answer "Deploy to production" step by step, but
/// nothing guesses which open steps were the release's and which a
/// wrap-up's. The operator says, for each such phase.
#[derive(Debug, Clone)]
pub struct SetAsideView {
    pub phase: String,
    /// How the way back went: `rolled-back`, or `failed` when a step of it
    /// failed or was skipped.
    pub outcome: Outcome,
    /// The steps `s` answers n/a, as the run names them.
    pub open: Vec<String>,
    /// The fields and required sign-offs of the phase still open: asked
    /// one by one either way, as `A` leaves them.
    pub one_by_one: usize,
    pub message: Option<String>,
}

/// The answer to a [`SetAsideView`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterRollback {
    /// Answer the phase's open steps n/a, as set aside after the rollback.
    SetAside,
    /// Ask them one by one.
    Walk,
    Back,
}

/// Items per answer so far, for progress lines and the overview. `waived`
/// counts failed or skipped items a gate let through; they are also in
/// `failed` or `skipped`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub done: usize,
    pub failed: usize,
    pub skipped: usize,
    /// n/a and not-needed.
    pub not_applicable: usize,
    pub waived: usize,
    pub pending: usize,
}

/// The answer given just before this screen, shown in one line so the
/// operator sees what the last key did.
#[derive(Debug, Clone, PartialEq)]
pub struct Previous {
    pub status: Status,
    /// With variables filled in.
    pub text: String,
}

/// A wait or monitoring period under way.
#[derive(Debug, Clone)]
pub struct WaitView {
    /// What the item asks for.
    pub requested: Duration,
    /// What is left of it: less than `requested` when a wait resumes.
    pub left: Duration,
    /// The item waited on, so a wait that resumes with the run, before any
    /// item screen, still shows what is being watched.
    pub item: ItemView,
}

/// How a wait ended, other than by a way out of the run (`q` is
/// [`Reply::Quit`], Ctrl-C or a closed terminal [`Reply::Interrupted`]).
#[derive(Debug, Clone, PartialEq)]
pub enum WaitEnd {
    /// The whole time passed.
    Elapsed,
    /// `c`: cut short; the operator then says done or failed.
    CutShort,
    /// `n`: what was watched went wrong.
    Failed { note: Option<String> },
    /// `R`: a rollback, called during the wait.
    Rollback { reason: String },
    /// `e`: a note; the wait goes on with the time left.
    Note(String),
}

/// One line of the overview.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Phase(String),
    Section(String),
    Item {
        /// 1-based, as item screens number it.
        number: usize,
        id: String,
        status: Status,
        /// With variables filled in.
        text: String,
        optional: bool,
        /// A gate let this failed or skipped item through.
        waived: bool,
        /// The item whose screen `l` was pressed on.
        current: bool,
    },
}

/// The whole checklist with every item's status: the `l` screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    pub title: String,
    pub rows: Vec<Row>,
    pub tally: Tally,
    pub rollback_called: bool,
}

#[derive(Debug, Clone)]
pub struct StartView {
    pub title: String,
    pub description: Option<String>,
    pub counts: Counts,
    pub variables: Vec<String>,
    pub values: BTreeMap<String, String>,
    /// Items answered already (a resumed run).
    pub answered: usize,
}

#[derive(Debug, Clone)]
pub struct ValueRequest {
    pub name: String,
    pub label: String,
    pub default: Option<String>,
    pub choices: Vec<String>,
    pub message: Option<String>,
}

/// Everything one item's screen shows.
#[derive(Debug, Clone)]
pub struct ItemView {
    /// 0-based position among all items, and their number.
    pub index: usize,
    pub total: usize,
    /// Items answered so far, for the progress bar.
    pub settled: usize,
    pub phase_index: usize,
    pub phases: usize,
    pub phase: String,
    pub section: Option<String>,
    pub section_lead: Option<String>,
    pub id: String,
    pub kind: Kind,
    pub optional: bool,
    /// With variables filled in.
    pub text: String,
    pub label: Option<String>,
    pub role: Option<String>,
    pub default: Option<String>,
    pub choices: Vec<String>,
    /// With variables substituted, shell-quoted: the item's own command,
    /// or else its section's.
    pub command: Option<String>,
    /// `command` is the section's, shared by its items: shown as such, and
    /// not run by a pipeline for each item.
    pub section_command: bool,
    /// What the section's step should leave behind ("Expected Output").
    pub expected_output: Option<String>,
    /// The notes written under the item (a later paragraph, a quote, a
    /// plain bullet), in order: what the author wanted read at this step.
    pub notes: Vec<String>,
    pub wait_seconds: Option<u64>,
    /// A measured item's bound as written (`< 1%`), with the run's
    /// baseline for a relative one (`> 3x baseline (baseline 200ms)`).
    pub measure: Option<String>,
    /// The item's result so far (a command's outcome, a note).
    pub result: ItemResult,
    pub rollback_called: bool,
    /// The name a sign-off defaults to: the operator.
    pub default_name: String,
    /// Why the last answer was not taken, or what just happened.
    pub message: Option<String>,
    /// What Enter accepts, after a command or a wait.
    pub suggested: Option<Status>,
    /// The answer given just before, when there was one.
    pub previous: Option<Previous>,
    /// Answers so far; an unattended run leaves it empty (counting every
    /// item for every screen would make a long run quadratic).
    pub tally: Tally,
    /// Whether the checklist has rollback steps to walk once `R` is
    /// pressed; without them a rollback ends the run.
    pub rollback_steps: bool,
    /// The item was answered already (the operator went back to it with
    /// `g` or `/`): a new answer is recorded as a correction.
    pub correcting: bool,
    /// Its command's last run was cut short because the whole run stopped
    /// (a signal, a closed terminal), not by the operator's Ctrl-C: a
    /// pipeline resuming the run runs it again, and never one a person
    /// chose to stop.
    pub command_stopped_with_run: bool,
}

#[derive(Debug, Clone)]
pub struct GateView {
    pub phase: String,
    /// The failed and skipped required items.
    pub items: Vec<ItemResult>,
    pub message: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Summary {
    pub outcome: Outcome,
    /// Items per status.
    pub counts: BTreeMap<String, usize>,
    pub failed: Vec<ItemResult>,
    pub gates: Vec<Gate>,
    /// Without their `parts` and `dropped`: the summary names sign-offs,
    /// and the parts of a long run's first one are an entry per item.
    pub signoffs: Vec<Signoff>,
    pub duration_seconds: Option<f64>,
    /// Lines to say under the outcome (a rollback with no steps to walk).
    pub notes: Vec<String>,
}

pub trait Prompter {
    fn start(&mut self, view: &StartView);
    /// A variable's value; `None` leaves it unset (unattended runs only).
    fn ask_value(&mut self, request: &ValueRequest) -> Reply<Option<String>>;
    /// A check or a trigger.
    fn ask_item(&mut self, view: &ItemView) -> Reply<Action>;
    /// A field: `Action::Value`, or a way past it.
    fn ask_field(&mut self, view: &ItemView, request: &ValueRequest) -> Reply<Action>;
    /// A sign-off: `Action::Signoff`, or a way past it.
    fn ask_signoff(&mut self, view: &ItemView) -> Reply<Action>;
    fn ask_gate(&mut self, view: &GateView) -> Reply<GateAnswer>;
    /// "Is a rollback needed?" before a rollback phase no trigger leads to.
    fn ask_rollback_needed(&mut self, phase: &str) -> Reply<bool>;
    /// Once the way back is walked, whether a phase's open steps are set
    /// aside or walked. A prompter with nobody to ask walks them: a
    /// pipeline's answers file answers them, or they stay pending.
    fn ask_set_aside(&mut self, _view: &SetAsideView) -> Reply<AfterRollback> {
        Reply::Answer(AfterRollback::Walk)
    }
    fn command_started(&mut self, _script: &str, _timeout: Duration) {}
    fn command_output(&mut self, _chunk: &[u8]) {}
    fn command_finished(&mut self, _outcome: &exec::Outcome) {}
    /// Counts down what is left of a wait, taking the keys a wait takes.
    fn wait(&mut self, view: &WaitView, interrupted: &AtomicBool) -> Reply<WaitEnd>;
    /// Shows the whole checklist until the operator returns.
    fn overview(&mut self, view: &Overview) -> Reply<()>;
    fn finish(&mut self, summary: &Summary);
    /// Where the answer just given came from, when not from the operator.
    fn answer_source(&mut self) -> Option<Provenance> {
        None
    }
    /// Who gave the answer just given, when the prompter knows better than
    /// "the operator" (an answers file's `by:`).
    fn answer_by(&mut self) -> Option<String> {
        None
    }
    /// An item was answered (or left pending) and the record holds it.
    /// `name` is how a log names it: its text with variables filled, and
    /// its id too when another item shares the text.
    fn settled(&mut self, _item: &ItemResult, _name: &str) {}
}

/// One scripted answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Scripted {
    Value(String),
    Do(Action),
    Gate(GateAnswer),
    RollbackNeeded(bool),
    AfterRollback(AfterRollback),
    /// A wait, cut short or not.
    Waited(bool),
    /// How a wait ended, in full.
    WaitEnded(WaitEnd),
    /// Return from the overview.
    Overviewed,
    Quit,
    Abort,
    Interrupt,
}

/// A prompter that plays back answers, for tests. It keeps a transcript of
/// what it was asked, and panics when asked something its script does not
/// answer, so a test fails at the first surprise.
#[derive(Debug, Default)]
pub struct ScriptedPrompter {
    pub script: VecDeque<Scripted>,
    pub transcript: Vec<String>,
    pub output: Vec<u8>,
    pub summary: Option<Summary>,
    /// Every overview shown.
    pub overviews: Vec<Overview>,
    /// What Enter would have marked, at each item asked (`ask_item`).
    pub suggestions: Vec<Option<Status>>,
}

impl ScriptedPrompter {
    pub fn new(script: impl IntoIterator<Item = Scripted>) -> ScriptedPrompter {
        ScriptedPrompter {
            script: script.into_iter().collect(),
            ..ScriptedPrompter::default()
        }
    }

    fn next(&mut self, asked: String) -> Scripted {
        self.transcript.push(asked.clone());
        self.script
            .pop_front()
            .unwrap_or_else(|| panic!("script ran out when asked: {asked}"))
    }

    fn reply<T>(&mut self, asked: String, take: impl FnOnce(Scripted) -> Option<T>) -> Reply<T> {
        match self.next(asked.clone()) {
            Scripted::Quit => Reply::Quit,
            Scripted::Abort => Reply::Abort,
            Scripted::Interrupt => Reply::Interrupted,
            other => {
                let shown = format!("{other:?}");
                take(other).map_or_else(
                    || panic!("asked {asked}, but the script answers {shown}"),
                    Reply::Answer,
                )
            }
        }
    }

    fn action(&mut self, asked: String) -> Reply<Action> {
        self.reply(asked, |s| match s {
            Scripted::Do(action) => Some(action),
            Scripted::Value(value) => Some(Action::Value(value)),
            _ => None,
        })
    }
}

impl Prompter for ScriptedPrompter {
    fn start(&mut self, view: &StartView) {
        self.transcript.push(format!("start {}", view.title));
    }

    fn ask_value(&mut self, request: &ValueRequest) -> Reply<Option<String>> {
        self.reply(format!("value {}", request.name), |s| match s {
            Scripted::Value(value) => Some(Some(value)),
            _ => None,
        })
    }

    fn ask_item(&mut self, view: &ItemView) -> Reply<Action> {
        self.suggestions.push(view.suggested);
        let asked = match &view.message {
            Some(message) => format!("item {} ({message})", view.id),
            None => format!("item {}", view.id),
        };
        self.action(asked)
    }

    fn ask_field(&mut self, view: &ItemView, _request: &ValueRequest) -> Reply<Action> {
        let asked = match &view.message {
            Some(message) => format!("field {} ({message})", view.id),
            None => format!("field {}", view.id),
        };
        self.action(asked)
    }

    fn ask_signoff(&mut self, view: &ItemView) -> Reply<Action> {
        let asked = match &view.message {
            Some(message) => format!("signoff {} ({message})", view.id),
            None => format!("signoff {}", view.id),
        };
        self.action(asked)
    }

    fn ask_gate(&mut self, view: &GateView) -> Reply<GateAnswer> {
        let ids: Vec<&str> = view.items.iter().map(|i| i.id.as_ref()).collect();
        self.reply(
            format!("gate {} [{}]", view.phase, ids.join(", ")),
            |s| match s {
                Scripted::Gate(answer) => Some(answer),
                _ => None,
            },
        )
    }

    fn ask_rollback_needed(&mut self, phase: &str) -> Reply<bool> {
        self.reply(format!("rollback needed? {phase}"), |s| match s {
            Scripted::RollbackNeeded(needed) => Some(needed),
            _ => None,
        })
    }

    fn ask_set_aside(&mut self, view: &SetAsideView) -> Reply<AfterRollback> {
        let asked = match &view.message {
            Some(message) => format!("set aside? {} ({message})", view.phase),
            None => format!(
                "set aside? {} [{}] +{}",
                view.phase,
                view.open.join(", "),
                view.one_by_one
            ),
        };
        self.reply(asked, |s| match s {
            Scripted::AfterRollback(answer) => Some(answer),
            _ => None,
        })
    }

    fn command_output(&mut self, chunk: &[u8]) {
        self.output.extend_from_slice(chunk);
    }

    fn wait(&mut self, view: &WaitView, _interrupted: &AtomicBool) -> Reply<WaitEnd> {
        let asked = if view.left == view.requested {
            format!("wait {} s", view.requested.as_secs())
        } else {
            format!(
                "wait {} s of {} s",
                view.left.as_secs(),
                view.requested.as_secs()
            )
        };
        self.reply(asked, |s| match s {
            Scripted::Waited(false) => Some(WaitEnd::Elapsed),
            Scripted::Waited(true) => Some(WaitEnd::CutShort),
            Scripted::WaitEnded(end) => Some(end),
            _ => None,
        })
    }

    fn overview(&mut self, view: &Overview) -> Reply<()> {
        self.overviews.push(view.clone());
        self.reply("overview".to_string(), |s| match s {
            Scripted::Overviewed => Some(()),
            _ => None,
        })
    }

    fn finish(&mut self, summary: &Summary) {
        self.transcript
            .push(format!("finish {}", summary.outcome.as_str()));
        self.summary = Some(summary.clone());
    }
}
