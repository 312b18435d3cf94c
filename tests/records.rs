//! Deterministic records of whole runs, for the report and history tests:
//! a prompter that answers everything a checklist asks (done for checks,
//! not-occurred for triggers, the default or first choice for fields,
//! approve for sign-offs), with a plan for the few answers that differ, a
//! test clock it moves forward as a person would take time, and an
//! executor that answers every command.

use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use relcheck::bundled;
use relcheck::exec::{Executor, Outcome as ExecOutcome, Spec};
use relcheck::model::{Checklist, Kind};
use relcheck::parse::parse;
use relcheck::prompt::{
    Action, GateAnswer, GateView, ItemView, Overview, Prompter, Reply, SignoffAnswer, StartView,
    Summary, ValueRequest, WaitEnd, WaitView,
};
use relcheck::record::{Decision, Mode, Record};
use relcheck::session::{MemorySink, Options, Session, TestClock};
use relcheck::source::Source;

use crate::support::fixture;

/// The fixtures in the shapes of the seed documents.
pub const FIXTURES: &[&str] = &[
    "seed-000-release-phases.md",
    "seed-001-numbered-sections.md",
    "seed-002-full-runbook.md",
    "seed-003-embedded-fence.md",
    "seed-004-plain-steps.txt",
];

/// What a run does differently from "everything fine". Items are named by
/// a piece of their id.
#[derive(Debug, Default, Clone)]
pub struct Plan {
    /// A trigger that happens, and what happened.
    pub occur: Option<(&'static str, &'static str)>,
    /// A second trigger that happens once the rollback is under way.
    pub occur_again: Option<(&'static str, &'static str)>,
    /// A check answered failed, with a note; its phase's gate waives it.
    pub fail: Option<(&'static str, &'static str)>,
    /// A check skipped, with a reason.
    pub skip: Option<(&'static str, &'static str)>,
    /// A note added to an item before it is answered.
    pub note: Option<(&'static str, &'static str)>,
    /// Commands containing this exit 2.
    pub failing_command: Option<&'static str>,
    /// A sign-off (by role) that rejects.
    pub reject: Option<&'static str>,
    /// The gate's waiver reason.
    pub waiver: &'static str,
    /// Stop answering after this many answers: the run stays in progress.
    pub stop_after: Option<usize>,
    /// Leave the sign-off items open, to be signed with `relcheck sign`.
    pub pending_signoffs: bool,
}

/// A checklist by bundled file name or fixture name, with the path shown
/// in records relative, so snapshots hold on any machine.
pub fn checklist(name: &str) -> Checklist {
    let source = match bundled::find(name) {
        Some(bundled) => Source::from_text(&format!("{name} (bundled)"), bundled.text),
        None => {
            let text = std::fs::read_to_string(fixture(name)).expect("fixture reads");
            Source::from_text(&format!("tests/fixtures/{name}"), &text)
        }
    };
    parse(&source).checklist
}

pub fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap()
}

/// A whole run of `name` by the plan, at the fixed start time.
pub fn run(name: &str, plan: &Plan) -> Record {
    run_at(name, plan, start(), "Ada")
}

pub fn run_at(name: &str, plan: &Plan, started: chrono::DateTime<Utc>, operator: &str) -> Record {
    run_checklist(&checklist(name), plan, started, operator)
}

/// A whole run of `checklist` by the plan.
pub fn run_checklist(
    checklist: &Checklist,
    plan: &Plan,
    started: chrono::DateTime<Utc>,
    operator: &str,
) -> Record {
    run_checklist_by(checklist, plan, started, operator, "0.0.0-test")
}

/// [`run_checklist`], as relcheck `version` would have run it.
pub fn run_checklist_by(
    checklist: &Checklist,
    plan: &Plan,
    started: chrono::DateTime<Utc>,
    operator: &str,
    version: &str,
) -> Record {
    let clock = TestClock::new(started);
    let flag = AtomicBool::new(false);
    let options = Options {
        operator: operator.to_string(),
        host: "deploy-01".to_string(),
        mode: Mode::Interactive,
        preset: BTreeMap::new(),
        command_timeout: Duration::from_secs(600),
        unattended: false,
    };
    let mut session = Session::start(checklist, &clock, options, &flag, "run-1".to_string());
    // The version is part of the digest, and of what sign-offs bind: pin
    // it before anything is answered, so snapshots outlive releases.
    session.record.run.relcheck_version = version.to_string();
    let mut prompter = Auto {
        clock: &clock,
        plan: plan.clone(),
        answers: 0,
        asked: BTreeMap::new(),
    };
    let executor = Commands {
        failing: plan.failing_command,
    };
    let mut sink = MemorySink::default();
    session
        .run(&mut prompter, &executor, &mut sink)
        .expect("the run ends");
    let mut record = session.record;
    relcheck::record::seal(&mut record);
    record
}

struct Auto<'a> {
    clock: &'a TestClock,
    plan: Plan,
    answers: usize,
    /// How often each item was asked: an answer the engine keeps refusing
    /// would otherwise be given again for ever, and the test hang.
    asked: BTreeMap<String, usize>,
}

/// Whether `id` is the item a plan means: ids are long, so a plan names
/// a piece of one.
fn ends(id: &str, piece: &str) -> bool {
    id.contains(piece)
}

impl Auto<'_> {
    /// Counts a question, and fails the test when one item is asked again
    /// and again: an answer the engine keeps refusing would hang it.
    fn count(&mut self, view: &ItemView) {
        let asked = self.asked.entry(view.id.clone()).or_default();
        *asked += 1;
        assert!(
            *asked <= 20,
            "{} asked {asked} times; the engine says: {:?}",
            view.id,
            view.message
        );
    }

    /// A person takes a while over each answer.
    fn think(&mut self, seconds: i64) -> bool {
        self.clock.advance(seconds);
        self.answers += 1;
        self.plan.stop_after.is_some_and(|n| self.answers > n)
    }
}

impl Prompter for Auto<'_> {
    fn start(&mut self, _view: &StartView) {}

    fn ask_value(&mut self, request: &ValueRequest) -> Reply<Option<String>> {
        Reply::Answer(Some(
            match request.name.as_str() {
                "version" => "2.4.0",
                "environment" => "production",
                "application" => "gateway-fw",
                "configuration" => "fleet-eu",
                name if name.ends_with(" baseline") => "180",
                _ => "x",
            }
            .to_string(),
        ))
    }

    fn ask_item(&mut self, view: &ItemView) -> Reply<Action> {
        self.count(view);
        let id = view.id.as_str();
        // As a pipeline would: an item's own command, not its section's
        // (a person runs that from the item it informs).
        if view.command.is_some() && !view.section_command && view.result.rare.command.is_none() {
            return Reply::Answer(Action::RunCommand);
        }
        if view.wait_seconds.is_some() && view.result.rare.wait.is_none() {
            return Reply::Answer(Action::Wait);
        }
        if let Some((item, note)) = self.plan.note
            && ends(id, item)
            && view.result.rare.note.is_none()
        {
            return Reply::Answer(Action::Note(note.to_string()));
        }
        if self.think(37) {
            return Reply::Quit;
        }
        let failed_command = view
            .result
            .rare
            .command
            .as_ref()
            .is_some_and(|c| c.exit_code != Some(0));
        // A measured item is given a value on the good side of its bound
        // (`< 1%`: 0; `>= 80/100`: 100), unless the plan says otherwise,
        // which is then an answer against the number, with its note.
        let planned = [
            self.plan.occur,
            self.plan.occur_again,
            self.plan.fail,
            self.plan.skip,
        ]
        .into_iter()
        .flatten()
        .any(|(item, _)| ends(id, item));
        if let Some(bound) = &view.measure
            && !planned
            && !failed_command
        {
            let below = bound.starts_with('<') || bound.starts_with('=');
            let high = (view.kind == Kind::Trigger) == below;
            return Reply::Answer(Action::Measured {
                value: Some(if high { "100" } else { "0" }.to_string()),
                status: None,
                note: None,
            });
        }
        Reply::Answer(match view.kind {
            Kind::Trigger => match (self.plan.occur, self.plan.occur_again) {
                (Some((item, what)), _) | (_, Some((item, what))) if ends(id, item) => {
                    Action::Occurred {
                        what: what.to_string(),
                    }
                }
                _ => Action::NotOccurred,
            },
            _ => match (self.plan.fail, self.plan.skip) {
                (Some((item, note)), _) if ends(id, item) => Action::Failed {
                    note: Some(note.to_string()),
                },
                (_, Some((item, reason))) if ends(id, item) => Action::Skip {
                    reason: reason.to_string(),
                },
                _ if failed_command => Action::Failed { note: None },
                _ => Action::Done { note: None },
            },
        })
    }

    fn ask_field(&mut self, view: &ItemView, request: &ValueRequest) -> Reply<Action> {
        self.count(view);
        if self.think(12) {
            return Reply::Quit;
        }
        let value = request
            .default
            .clone()
            .or_else(|| request.choices.first().cloned())
            .unwrap_or_else(|| "x".to_string());
        Reply::Answer(Action::Value(value))
    }

    fn ask_signoff(&mut self, view: &ItemView) -> Reply<Action> {
        self.count(view);
        if self.think(95) {
            return Reply::Quit;
        }
        if self.plan.pending_signoffs {
            return Reply::Answer(Action::Pending);
        }
        let role = view.role.clone().unwrap_or_default();
        let decision = if self.plan.reject == Some(role.as_str()) {
            Decision::Reject
        } else {
            Decision::Approve
        };
        let names = ["Grace Hopper", "Linus", "Barbara Liskov", "Ken", "Margaret"];
        let name = names[self.answers % names.len()].to_string();
        Reply::Answer(Action::Signoff(SignoffAnswer {
            name,
            decision,
            comment: (decision == Decision::Reject).then(|| "not with this error rate".into()),
        }))
    }

    fn ask_gate(&mut self, _view: &GateView) -> Reply<GateAnswer> {
        self.clock.advance(60);
        Reply::Answer(GateAnswer::Waive {
            reason: self.plan.waiver.to_string(),
        })
    }

    fn ask_rollback_needed(&mut self, _phase: &str) -> Reply<bool> {
        self.clock.advance(5);
        Reply::Answer(self.plan.occur.is_some())
    }

    fn wait(&mut self, view: &WaitView, _interrupted: &AtomicBool) -> Reply<WaitEnd> {
        self.clock.advance(view.left.as_secs() as i64);
        Reply::Answer(WaitEnd::Elapsed)
    }

    fn overview(&mut self, _view: &Overview) -> Reply<()> {
        Reply::Answer(())
    }

    fn finish(&mut self, _summary: &Summary) {}
}

/// Every command prints a line and exits 0 after 2.5 s, but those the plan
/// names, which exit 2.
struct Commands {
    failing: Option<&'static str>,
}

impl Executor for Commands {
    fn run(
        &self,
        spec: &Spec,
        on_output: &mut dyn FnMut(&[u8]),
        _cancel: &AtomicBool,
    ) -> io::Result<ExecOutcome> {
        let fails = self.failing.is_some_and(|f| spec.script.contains(f));
        let output = if fails {
            format!(
                "$ {}\nerror: checksum mismatch for <artifact> & \"friends\"\n",
                spec.script
            )
        } else {
            format!("$ {}\nok\n", spec.script)
        };
        on_output(output.as_bytes());
        Ok(ExecOutcome {
            duration: Duration::from_millis(2500),
            ..ExecOutcome::exited(if fails { 2 } else { 0 }, output)
        })
    }
}

/// production-deploy.md, where the first trigger happens.
pub fn rolled_back() -> Record {
    run(
        "production-deploy.md",
        &Plan {
            occur: Some(("error-rate-above", "5xx at 12% on eu-west within 2 minutes")),
            occur_again: Some(("p99-latency-above", "p99 at 2.4 s while reverting")),
            ..Plan::default()
        },
    )
}

/// production-deploy.md, where a check fails (its command too) and another
/// is skipped, both waived at the gate; one note tries HTML and Markdown
/// injection.
pub fn waived() -> Record {
    run("production-deploy.md", &waived_plan())
}

pub fn waived_plan() -> Plan {
    Plan {
        fail: Some((
            "capacity",
            "only 2% free on /var; the cleanup job is behind",
        )),
        failing_command: Some("df -P"),
        skip: Some((
            "stakeholders-told",
            "status channel is down | told them by email instead",
        )),
        note: Some((
            "release-notes-for",
            "<script>alert(1)</script> read by **Sam** | [link](http://x)",
        )),
        waiver: "disk is cleaned nightly and 2% is 40 GiB; email reached everyone",
        ..Plan::default()
    }
}
