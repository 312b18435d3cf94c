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
    /// With variables substituted, shell-quoted.
    pub command: Option<String>,
    pub wait_seconds: Option<u64>,
    /// The item's result so far (a command's outcome, a note).
    pub result: ItemResult,
    pub rollback_called: bool,
    /// The name a sign-off defaults to: the operator.
    pub default_name: String,
    /// Why the last answer was not taken, or what just happened.
    pub message: Option<String>,
    /// What Enter accepts, after a command or a wait.
    pub suggested: Option<Status>,
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
    pub signoffs: Vec<Signoff>,
    pub duration_seconds: Option<f64>,
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
    fn command_started(&mut self, _script: &str, _timeout: Duration) {}
    fn command_output(&mut self, _chunk: &[u8]) {}
    fn command_finished(&mut self, _outcome: &exec::Outcome) {}
    /// Counts down `duration`; the answer is whether it was cut short.
    fn wait(&mut self, duration: Duration, interrupted: &AtomicBool) -> Reply<bool>;
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
    fn settled(&mut self, _item: &ItemResult) {}
}

/// One scripted answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Scripted {
    Value(String),
    Do(Action),
    Gate(GateAnswer),
    RollbackNeeded(bool),
    /// A wait, cut short or not.
    Waited(bool),
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
        let ids: Vec<&str> = view.items.iter().map(|i| i.id.as_str()).collect();
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

    fn command_output(&mut self, chunk: &[u8]) {
        self.output.extend_from_slice(chunk);
    }

    fn wait(&mut self, duration: Duration, _interrupted: &AtomicBool) -> Reply<bool> {
        self.reply(format!("wait {} s", duration.as_secs()), |s| match s {
            Scripted::Waited(cut_short) => Some(cut_short),
            _ => None,
        })
    }

    fn finish(&mut self, summary: &Summary) {
        self.transcript
            .push(format!("finish {}", summary.outcome.as_str()));
        self.summary = Some(summary.clone());
    }
}
