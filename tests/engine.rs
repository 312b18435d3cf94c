//! The session engine through a scripted prompter: every key of every kind,
//! back and undo, gates, rollbacks, conditions, fields, sign-offs, resume.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use relcheck::exec::{Fake, Outcome as ExecOutcome};
use relcheck::model::{Checklist, Kind};
use relcheck::parse::parse;
use relcheck::prompt::{
    Action, AfterRollback, GateAnswer, Scripted, ScriptedPrompter, SignoffAnswer,
};
use relcheck::record::{Decision, GateDecision, Mode, Outcome, Record, Status};
use relcheck::session::{Ending, MemorySink, Options, Session, TestClock};
use relcheck::source::Source;

use Scripted::{Do, Gate, RollbackNeeded, Value, Waited};

const DEPLOY: &str = "# Deploy
## Prepare
### Details
- **Ticket**: ___
- **Env**: staging / production
- [ ] Backup taken
- [ ] Artifact built for {{version}}
  ```sh
  build {{version}}
  ```
- [ ] Canary watched for 15 minutes
- [ ] Extra check (optional)
## Verify
### Rollback Triggers
- [ ] Errors spike
### Rollback Steps
If rollback required:

- [ ] Revert
### Wrap-up
If deployment successful:

- [ ] Announce
## Sign-off
- **QA**: [Name] - [Date]
";

fn checklist(text: &str) -> Checklist {
    parse(&Source::from_text("deploy.md", text)).checklist
}

fn options() -> Options {
    Options {
        operator: "Ada".to_string(),
        host: "box".to_string(),
        mode: Mode::Interactive,
        preset: BTreeMap::new(),
        command_timeout: Duration::from_secs(600),
        unattended: false,
    }
}

fn clock() -> TestClock {
    TestClock::new(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
}

struct Finished {
    ending: Ending,
    record: Record,
    prompter: ScriptedPrompter,
    saves: usize,
}

fn run_with(text: &str, options: Options, executor: &Fake, script: Vec<Scripted>) -> Finished {
    let checklist = checklist(text);
    let clock = clock();
    let flag = AtomicBool::new(false);
    let mut session = Session::start(&checklist, &clock, options, &flag, "run-1".to_string());
    let mut prompter = ScriptedPrompter::new(script);
    let mut sink = MemorySink::default();
    let ending = session.run(&mut prompter, executor, &mut sink).unwrap();
    assert!(
        prompter.script.is_empty(),
        "unused script: {:?}\n{:#?}",
        prompter.script,
        prompter.transcript
    );
    assert_eq!(
        sink.saves.last().unwrap(),
        &session.record,
        "the last save is the final record"
    );
    Finished {
        ending,
        record: session.record,
        prompter,
        saves: sink.saves.len(),
    }
}

fn run(script: Vec<Scripted>) -> Finished {
    run_with(DEPLOY, options(), &Fake::new([]), script)
}

fn statuses(record: &Record) -> Vec<(&str, Status)> {
    record
        .items
        .iter()
        .map(|item| (item.id.rsplit('/').next().unwrap(), item.status))
        .collect()
}

fn done() -> Scripted {
    Do(Action::Done { note: None })
}

/// Once the way back is walked: the phase's open steps asked one by one.
fn walk() -> Scripted {
    Scripted::AfterRollback(AfterRollback::Walk)
}

fn approve() -> Scripted {
    Do(Action::Signoff(SignoffAnswer {
        name: "Grace".to_string(),
        decision: Decision::Approve,
        comment: Some("ok".to_string()),
    }))
}

/// Version, ticket, env: the first three questions of DEPLOY.
fn preamble() -> Vec<Scripted> {
    vec![
        Value("1.4.2".into()),
        Value("CHG-1".into()),
        Value("production".into()),
    ]
}

#[test]
fn a_full_run_records_every_answer_and_succeeds() {
    let executor = Fake::new([ExecOutcome::exited(0, "built\n")]);
    let mut script = preamble();
    script.extend([
        done(),
        Do(Action::RunCommand),
        done(),
        Do(Action::Wait),
        Waited(false),
        done(),
        Do(Action::NotApplicable { reason: None }),
        Do(Action::NotOccurred),
        done(),
        approve(),
    ]);
    let run = run_with(DEPLOY, options(), &executor, script);
    assert_eq!(run.ending, Ending::Finished(Outcome::Success));
    assert_eq!(
        statuses(&run.record),
        [
            ("ticket", Status::Done),
            ("env", Status::Done),
            ("backup-taken", Status::Done),
            ("artifact-built-for-version", Status::Done),
            ("canary-watched-for-15-minutes", Status::Done),
            ("extra-check-optional", Status::NotApplicable),
            ("errors-spike", Status::NotOccurred),
            ("revert", Status::NotNeeded),
            ("announce", Status::Done),
            ("qa", Status::Done),
        ]
    );
    assert_eq!(
        run.prompter.transcript,
        [
            "start Deploy",
            "value version",
            "field prepare/details/ticket",
            "field prepare/details/env",
            "item prepare/details/backup-taken",
            "item prepare/details/artifact-built-for-version",
            "item prepare/details/artifact-built-for-version (command exit 0: Enter marks it done)",
            "item prepare/details/canary-watched-for-15-minutes",
            // The test clock moves a second at each reading.
            "wait 898 s of 900 s",
            "item prepare/details/canary-watched-for-15-minutes (waited 3 s of 15 min: Enter marks it done)",
            "item prepare/details/extra-check-optional",
            "item verify/rollback-triggers/errors-spike",
            "item verify/wrap-up/announce",
            "signoff sign-off/qa",
            "finish success",
        ]
    );
    let record = &run.record;
    assert_eq!(executor.specs()[0].script, "build 1.4.2");
    let artifact = &record.items[3];
    let command = artifact.rare.command.as_ref().unwrap();
    assert_eq!(
        (command.exit_code, command.output.as_str()),
        (Some(0), "built\n")
    );
    let wait = record.items[4].rare.wait.as_ref().unwrap();
    assert_eq!((wait.requested_seconds, wait.cut_short), (900, false));
    assert_eq!(record.values["version"], "1.4.2");
    assert_eq!(record.values["prepare/details/env"], "production");
    assert_eq!(record.signoffs.len(), 1);
    assert_eq!(
        (
            record.signoffs[0].role.as_str(),
            record.signoffs[0].name.as_str(),
            record.signoffs[0].item.as_deref()
        ),
        ("QA", "Grace", Some("sign-off/qa"))
    );
    assert_eq!(record.run.outcome, Outcome::Success);
    assert!(record.run.finished.is_some() && record.run.duration_seconds.is_some());
    assert_eq!(record.items[0].by.as_deref(), Some("Ada"));
    // One save at the start and one per answer: nothing waits in memory.
    assert!(run.saves >= 12, "{} saves", run.saves);
}

#[test]
fn a_trigger_that_happened_calls_a_rollback_and_goes_to_the_rollback_steps() {
    let mut script = preamble();
    script.extend([
        done(),
        done(),
        done(),
        done(),
        Do(Action::Occurred {
            what: "5xx at 12%".into(),
        }),
        done(),
        approve(),
    ]);
    let run = run(script);
    assert_eq!(run.ending, Ending::Finished(Outcome::RolledBack));
    let s = statuses(&run.record);
    assert_eq!(s[6], ("errors-spike", Status::Occurred));
    assert_eq!(s[7], ("revert", Status::Done));
    assert_eq!(s[8], ("announce", Status::NotNeeded));
    let rollback = run.record.rollback.as_ref().unwrap();
    assert_eq!(
        (rollback.cause.as_str(), rollback.reason.as_deref()),
        ("verify/rollback-triggers/errors-spike", Some("5xx at 12%"))
    );
    assert_eq!(run.record.items[6].rare.note.as_deref(), Some("5xx at 12%"));
}

#[test]
fn a_trigger_needs_to_say_what_happened_and_only_y_or_n() {
    let mut script = preamble();
    script.extend([done(), done(), done(), done()]);
    script.extend([
        done(),
        Do(Action::Occurred { what: " ".into() }),
        Do(Action::NotOccurred),
        done(),
        approve(),
    ]);
    let run = run(script);
    let t = &run.prompter.transcript;
    assert!(t.contains(&"item verify/rollback-triggers/errors-spike (a trigger is answered y (it happened) or n (it did not))".to_string()));
    assert!(
        t.contains(&"item verify/rollback-triggers/errors-spike (say what happened)".to_string())
    );
}

#[test]
fn rollback_from_the_r_key_needs_a_reason() {
    let mut script = preamble();
    script.extend([
        Do(Action::Rollback { reason: "".into() }),
        Do(Action::Rollback {
            reason: "bad smell".into(),
        }),
        done(),
        walk(),
        done(),
        done(),
        done(),
        done(),
        walk(),
        Do(Action::NotOccurred),
        done(),
        done(),
        approve(),
    ]);
    let run = run(script);
    assert_eq!(run.ending, Ending::Finished(Outcome::RolledBack));
    assert_eq!(run.record.rollback.as_ref().unwrap().cause, "operator");
    // The rollback steps come straight after the call, then what is left.
    assert_eq!(
        run.prompter.transcript[5],
        "item prepare/details/backup-taken (calling a rollback needs a reason)"
    );
    assert_eq!(
        run.prompter.transcript[6],
        "item verify/rollback-steps/revert"
    );
    assert_eq!(statuses(&run.record)[8], ("announce", Status::NotNeeded));
    assert_eq!(
        run.prompter.transcript[15],
        "signoff sign-off/qa (a sign-off is answered with a name and approve or reject)"
    );
}

#[test]
fn a_failed_required_item_stops_at_the_gate_which_can_waive() {
    let mut script = preamble();
    script.extend([
        Do(Action::Failed {
            note: Some("disk full".into()),
        }),
        done(),
        done(),
        done(),
        Gate(GateAnswer::Waive { reason: "".into() }),
        Gate(GateAnswer::Waive {
            reason: "backup from last night is fine".into(),
        }),
        Do(Action::NotOccurred),
        done(),
        approve(),
    ]);
    let run = run(script);
    assert!(
        run.prompter
            .transcript
            .contains(&"gate Prepare [prepare/details/backup-taken]".to_string())
    );
    assert_eq!(run.ending, Ending::Finished(Outcome::Success));
    let gate = &run.record.gates[0];
    assert_eq!(
        (
            gate.phase.as_str(),
            gate.decision,
            gate.reason.as_deref(),
            gate.items.clone()
        ),
        (
            "prepare",
            GateDecision::Waive,
            Some("backup from last night is fine"),
            vec!["prepare/details/backup-taken".to_string()]
        )
    );
    assert_eq!(run.record.items[2].rare.note.as_deref(), Some("disk full"));
}

#[test]
fn a_gate_can_roll_back_or_abort() {
    let mut script = preamble();
    script.extend([
        Do(Action::Skip {
            reason: "no time".into(),
        }),
        done(),
        done(),
        done(),
        Gate(GateAnswer::Rollback {
            reason: "too risky".into(),
        }),
        done(),
        walk(),
        Do(Action::NotOccurred),
        approve(),
    ]);
    let rolled = run(script);
    assert_eq!(rolled.ending, Ending::Finished(Outcome::RolledBack));
    assert_eq!(
        rolled.record.rollback.as_ref().unwrap().cause,
        "gate:prepare"
    );
    // The last screen names the gate by its phase's title.
    assert_eq!(
        rolled.prompter.summary.as_ref().unwrap().notes,
        ["rollback called by Ada at the gate of Prepare (too risky)"]
    );

    let mut script = preamble();
    script.extend([
        Do(Action::Failed { note: None }),
        done(),
        done(),
        done(),
        Gate(GateAnswer::Abort {
            reason: "stop".into(),
        }),
    ]);
    let aborted = run(script);
    assert_eq!(aborted.ending, Ending::Finished(Outcome::Aborted));
    assert_eq!(aborted.record.run.outcome, Outcome::Aborted);
    assert_eq!(aborted.record.items[6].status, Status::Pending);
}

#[test]
fn skip_and_not_applicable_need_reasons_on_required_items() {
    let mut script = preamble();
    script.extend([
        Do(Action::Skip { reason: "".into() }),
        Do(Action::NotApplicable { reason: None }),
        Do(Action::NotApplicable {
            reason: Some("no database here".into()),
        }),
        done(),
        done(),
        done(),
        Do(Action::NotOccurred),
        done(),
        approve(),
    ]);
    let run = run(script);
    let t = &run.prompter.transcript;
    assert_eq!(
        t[5],
        "item prepare/details/backup-taken (skipping needs a reason)"
    );
    assert_eq!(
        t[6],
        "item prepare/details/backup-taken (a required item is not applicable only with a reason)"
    );
    assert_eq!(run.record.items[2].status, Status::NotApplicable);
    assert_eq!(
        run.record.items[2].rare.reason.as_deref(),
        Some("no database here")
    );
    assert_eq!(run.ending, Ending::Finished(Outcome::Success));
}

#[test]
fn fields_enforce_choices_and_require_a_value() {
    let mut script = vec![
        Value("1.4.2".into()),
        Value("".into()),
        Value("CHG-2".into()),
        Value("prod".into()),
        Value("staging".into()),
    ];
    script.extend([
        done(),
        done(),
        done(),
        done(),
        Do(Action::NotOccurred),
        done(),
        approve(),
    ]);
    let run = run(script);
    let t = &run.prompter.transcript;
    assert_eq!(t[3], "field prepare/details/ticket (a value is required)");
    assert_eq!(
        t[5],
        "field prepare/details/env (choose one of: staging, production)"
    );
    assert_eq!(run.record.values["prepare/details/env"], "staging");
}

#[test]
fn back_undoes_the_last_answer_and_the_log_says_what_it_was() {
    let mut script = preamble();
    script.extend([
        Do(Action::Failed { note: None }),
        Do(Action::Back),
        done(),
        done(),
        done(),
        done(),
        Do(Action::NotOccurred),
        done(),
        approve(),
    ]);
    let run = run(script);
    assert_eq!(run.record.items[2].status, Status::Done);
    assert!(run.record.gates.is_empty());
    let actions: Vec<(&str, Option<&str>)> = run
        .record
        .events
        .iter()
        .filter(|e| e.item.as_deref() == Some("prepare/details/backup-taken"))
        .map(|e| (e.action.as_str(), e.detail.as_deref()))
        .collect();
    assert_eq!(
        actions,
        // The answers are in the item; the log keeps the one taken back.
        [("undo", Some("was failed"))]
    );
}

#[test]
fn back_over_a_field_restores_its_value() {
    let mut script = preamble();
    script.extend([
        Do(Action::Back),
        Value("staging".into()),
        done(),
        done(),
        done(),
        done(),
        Do(Action::NotOccurred),
        done(),
        approve(),
    ]);
    let run = run(script);
    assert_eq!(run.record.values["prepare/details/env"], "staging");
    assert_eq!(run.prompter.transcript[5], "field prepare/details/env");
}

#[test]
fn a_rollback_phase_with_no_trigger_before_it_asks_first() {
    let text = "# R\n## Work\n- [ ] a\n## Rollback Procedure (If Needed)\n- [ ] restore\n## After\n- [ ] b\n";
    let no = run_with(
        text,
        options(),
        &Fake::new([]),
        vec![done(), RollbackNeeded(false), done()],
    );
    assert_eq!(no.ending, Ending::Finished(Outcome::Success));
    assert_eq!(
        statuses(&no.record),
        [
            ("a", Status::Done),
            ("restore", Status::NotNeeded),
            ("b", Status::Done)
        ]
    );
    let yes = run_with(
        text,
        options(),
        &Fake::new([]),
        vec![done(), RollbackNeeded(true), done(), walk(), done()],
    );
    assert_eq!(yes.ending, Ending::Finished(Outcome::RolledBack));
    assert_eq!(
        statuses(&yes.record),
        [
            ("a", Status::Done),
            ("restore", Status::Done),
            ("b", Status::Done)
        ]
    );
}

#[test]
fn sign_off_rejection_fails_the_item() {
    let mut script = preamble();
    script.extend([
        done(),
        done(),
        done(),
        done(),
        Do(Action::NotOccurred),
        done(),
    ]);
    script.push(Do(Action::Signoff(SignoffAnswer {
        name: "Grace".into(),
        decision: Decision::Reject,
        comment: None,
    })));
    script.push(Gate(GateAnswer::Abort {
        reason: "QA said no".into(),
    }));
    let run = run(script);
    assert_eq!(run.record.items[9].status, Status::Failed);
    assert_eq!(run.record.signoffs[0].decision, Decision::Reject);
    assert_eq!(run.ending, Ending::Finished(Outcome::Aborted));
}

#[test]
fn quit_then_resume_goes_on_at_the_first_unanswered_item() {
    let checklist = checklist(DEPLOY);
    let clock = clock();
    let flag = AtomicBool::new(false);
    let mut session = Session::start(&checklist, &clock, options(), &flag, "run-1".into());
    let mut first = ScriptedPrompter::new(preamble().into_iter().chain([done(), Scripted::Quit]));
    let mut sink = MemorySink::default();
    let ending = session.run(&mut first, &Fake::new([]), &mut sink).unwrap();
    assert_eq!(ending, Ending::Paused);
    let saved = sink.saves.last().unwrap().clone();
    assert_eq!(saved.run.outcome, Outcome::InProgress);

    // Through YAML, as on disk.
    let yaml = saved.to_yaml().unwrap();
    let reloaded = Record::from_yaml(&yaml, std::path::Path::new("r.yaml")).unwrap();
    assert_eq!(reloaded, saved);
    let mut session = Session::resume(&checklist, reloaded, &clock, options(), &flag);
    let mut second = ScriptedPrompter::new([
        done(),
        done(),
        done(),
        Do(Action::NotOccurred),
        done(),
        approve(),
    ]);
    let ending = session.run(&mut second, &Fake::new([]), &mut sink).unwrap();
    assert_eq!(ending, Ending::Finished(Outcome::Success));
    assert_eq!(
        second.transcript[1],
        "item prepare/details/artifact-built-for-version"
    );
    assert_eq!(session.record.items[0].rare.value.as_deref(), Some("CHG-1"));
}

/// A record that already holds as many sign-offs as relcheck reads takes
/// no more: the sign-off item stays open, saying why, so no run writes a
/// record relcheck then refuses.
#[test]
fn a_sign_off_past_what_a_record_holds_is_not_taken() {
    let checklist = checklist(DEPLOY);
    let clock = clock();
    let flag = AtomicBool::new(false);
    let mut script = preamble();
    script.extend([
        done(),
        done(),
        done(),
        done(),
        Do(Action::NotOccurred),
        done(),
    ]);
    script.push(Scripted::Quit);
    let mut session = Session::start(&checklist, &clock, options(), &flag, "run-1".into());
    let mut first = ScriptedPrompter::new(script);
    let mut sink = MemorySink::default();
    let ending = session.run(&mut first, &Fake::new([]), &mut sink).unwrap();
    assert_eq!(ending, Ending::Paused);

    // Signed from outside up to the limit (the copies need not verify).
    let mut full = sink.saves.last().unwrap().clone();
    let mut outside = relcheck::record::Record::clone(&full);
    let request = relcheck::sign::Request {
        role: "Auditor".into(),
        name: "Ada".into(),
        decision: Decision::Approve,
        comment: None,
        extra_role: true,
        force: false,
    };
    let at = Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0).unwrap();
    relcheck::sign::sign(&mut outside, &request, None, at).unwrap();
    full.signoffs = vec![outside.signoffs[0].clone(); relcheck::record::MAX_SIGNOFFS];
    let mut session = Session::resume(&checklist, full, &clock, options(), &flag);
    let mut second = ScriptedPrompter::new([approve(), Scripted::Quit]);
    let ending = session.run(&mut second, &Fake::new([]), &mut sink).unwrap();
    assert_eq!(ending, Ending::Paused);
    assert_eq!(
        second.transcript,
        [
            "start Deploy",
            "signoff sign-off/qa",
            "signoff sign-off/qa (the record holds 1,000 sign-offs, as many as relcheck reads in one; this sign-off cannot be added)",
        ]
    );
    assert_eq!(
        session.record.signoffs.len(),
        relcheck::record::MAX_SIGNOFFS
    );
    assert_eq!(session.record.items[9].status, Status::Pending);
}

/// A command run again and stopped with Ctrl-C leaves Enter marking
/// nothing: the last run said nothing about the item, whatever the run
/// before it said.
#[test]
fn a_command_interrupted_on_a_second_run_takes_away_enters_answer() {
    let interrupted = ExecOutcome {
        exit_code: None,
        cancelled: true,
        ..ExecOutcome::exited(0, "probing\n")
    };
    let executor = Fake::new([ExecOutcome::exited(0, "built\n"), interrupted]);
    let mut script = preamble();
    script.extend([
        done(),
        Do(Action::RunCommand),
        Do(Action::RunCommand),
        Scripted::Quit,
    ]);
    let run = run_with(DEPLOY, options(), &executor, script);
    assert_eq!(run.ending, Ending::Paused);
    let artifact = "prepare/details/artifact-built-for-version";
    assert_eq!(
        run.prompter.transcript[5..],
        [
            format!("item {artifact}"),
            format!("item {artifact} (command exit 0: Enter marks it done)"),
            format!("item {artifact} (command interrupted: y done, n failed, r runs it again)"),
        ]
    );
    assert_eq!(
        run.prompter.suggestions[1..],
        [None, Some(Status::Done), None]
    );
    assert_eq!(run.record.items[3].status, Status::Pending);
}

/// A command the operator stopped with Ctrl-C (the run went on) is theirs:
/// a pipeline resuming the run does not run it again on its own.
#[test]
fn a_command_the_operator_stopped_is_not_run_again_by_a_pipeline() {
    use relcheck::answers::Answers;
    use relcheck::ci::Unattended;

    let checklist = checklist(DEPLOY);
    let clock = clock();
    let flag = AtomicBool::new(false);
    let stopped = ExecOutcome {
        exit_code: None,
        cancelled: true,
        ..ExecOutcome::exited(0, "deploying\n")
    };
    let mut session = Session::start(&checklist, &clock, options(), &flag, "run-1".into());
    let mut script = preamble();
    script.extend([done(), Do(Action::RunCommand), Scripted::Quit]);
    let mut first = ScriptedPrompter::new(script);
    let mut sink = MemorySink::default();
    let ending = session
        .run(&mut first, &Fake::new([stopped]), &mut sink)
        .unwrap();
    assert_eq!(ending, Ending::Paused);
    let saved = sink.saves.last().unwrap().clone();
    assert!(saved.items[3].rare.command.as_ref().unwrap().interrupted);

    let mut session = Session::resume(&checklist, saved, &clock, unattended(), &flag);
    let mut log = Vec::new();
    let mut prompter = Unattended::new(
        Answers::default(),
        true,
        Box::new(&mut log),
        relcheck::style::Style::PLAIN,
        None,
    );
    let executor = Fake::new([]);
    session
        .run(&mut prompter, &executor, &mut MemorySink::default())
        .unwrap();
    drop(prompter);
    assert!(executor.specs().is_empty(), "{:?}", executor.specs());
    assert_eq!(session.record.items[3].status, Status::Pending);
}

#[test]
fn an_interruption_saves_and_stops() {
    let mut script = preamble();
    script.extend([done(), Scripted::Interrupt]);
    let run = run(script);
    assert_eq!(run.ending, Ending::Interrupted);
    assert_eq!(run.record.items[2].status, Status::Done);
    assert_eq!(
        run.record.events.last().unwrap().action.as_str(),
        "interrupt"
    );
    assert_eq!(run.record.run.outcome, Outcome::InProgress);
}

#[test]
fn set_values_fill_variables_and_fields_without_asking() {
    let mut options = options();
    options.preset = BTreeMap::from([
        ("version".to_string(), "2.0.0".to_string()),
        ("prepare/details/env".to_string(), "staging".to_string()),
    ]);
    let run = run_with(
        DEPLOY,
        options,
        &Fake::new([]),
        vec![
            Value("CHG-3".into()),
            done(),
            done(),
            done(),
            done(),
            Do(Action::NotOccurred),
            done(),
            approve(),
        ],
    );
    assert_eq!(run.prompter.transcript[1], "field prepare/details/ticket");
    assert_eq!(run.record.values["version"], "2.0.0");
    assert_eq!(run.record.items[1].status, Status::Done);
    assert_eq!(run.ending, Ending::Finished(Outcome::Success));
}

#[test]
fn a_note_stays_on_the_item() {
    let mut script = preamble();
    script.extend([
        Do(Action::Note("checked twice".into())),
        done(),
        done(),
        done(),
        done(),
        Do(Action::NotOccurred),
        done(),
        approve(),
    ]);
    let run = run(script);
    assert_eq!(
        run.prompter.transcript[5],
        "item prepare/details/backup-taken (note added)"
    );
    assert_eq!(
        run.record.items[2].rare.note.as_deref(),
        Some("checked twice")
    );
}

#[test]
fn a_failed_command_suggests_failed() {
    let executor = Fake::new([ExecOutcome::exited(2, "boom\n")]);
    let mut script = preamble();
    script.extend([
        done(),
        Do(Action::RunCommand),
        Do(Action::Failed { note: None }),
        done(),
        done(),
    ]);
    script.extend([Gate(GateAnswer::Abort {
        reason: "build broke".into(),
    })]);
    let run = run_with(DEPLOY, options(), &executor, script);
    assert_eq!(
        run.prompter.transcript[6],
        "item prepare/details/artifact-built-for-version (command exit 2: Enter marks it failed)"
    );
    assert_eq!(
        run.record.items[3].rare.command.as_ref().unwrap().exit_code,
        Some(2)
    );
}

#[test]
fn in_run_signoffs_verify_after_the_run_goes_on_and_ends() {
    // A sign-off in the middle, then a rollback, then the end: what came
    // after the sign-off is an append, not an edit.
    let text = "# S\n## Approve\n- **Lead**: [Name] - [Date]\n## Go\n### Rollback Triggers\n- [ ] boom\n### Rollback Steps\n- [ ] undo\n";
    let run = run_with(
        text,
        options(),
        &Fake::new([]),
        vec![
            approve(),
            Do(Action::Occurred {
                what: "it broke".into(),
            }),
            done(),
        ],
    );
    assert_eq!(run.ending, Ending::Finished(Outcome::RolledBack));
    let verification = relcheck::sign::verify(&run.record, None);
    assert!(
        verification.passed(),
        "{}",
        relcheck::report::verification::text(&verification, relcheck::style::Style::PLAIN)
    );
    // Editing the signed answer is caught.
    let mut edited = run.record.clone();
    edited.items[0].rare.value = Some("Mallory".into());
    relcheck::record::seal(&mut edited);
    assert!(!relcheck::sign::verify(&edited, None).passed());
}

#[test]
fn set_accepts_a_field_by_its_label() {
    let mut options = options();
    options.preset = BTreeMap::from([
        ("Ticket".to_string(), "CHG-7".to_string()),
        ("version".to_string(), "1".to_string()),
    ]);
    let run = run_with(
        DEPLOY,
        options,
        &Fake::new([]),
        vec![
            Value("production".into()),
            done(),
            done(),
            done(),
            done(),
            Do(Action::NotOccurred),
            done(),
            approve(),
        ],
    );
    assert_eq!(run.record.values["prepare/details/ticket"], "CHG-7");
    assert_eq!(run.prompter.transcript[1], "field prepare/details/env");
}

/// The record of a run of `text` whose first `answers` items were done,
/// then quit: what a resume of a changed checklist starts from.
fn done_then_quit(text: &str, answers: usize, clock: &TestClock) -> Record {
    let before = checklist(text);
    let flag = AtomicBool::new(false);
    let mut session = Session::start(&before, clock, options(), &flag, "r".into());
    let script = (0..answers).map(|_| done()).chain([Scripted::Quit]);
    let mut prompter = ScriptedPrompter::new(script);
    session
        .run(&mut prompter, &Fake::new([]), &mut MemorySink::default())
        .unwrap();
    session.record
}

#[test]
fn resume_refuses_a_changed_checklist_unless_accepted_and_carries_answers_by_id() {
    use relcheck::reconcile::reconcile;
    let clock = clock();
    let record = done_then_quit(
        "# C\n## P\n- [ ] Keep me\n- [ ] Drop me\n- [ ] Reword me\n",
        2,
        &clock,
    );

    // The reworded item keeps its id through an annotation.
    let after = checklist(
        "# C\n## P\n- [ ] Keep me\n- [ ] Reword me, please <!-- relcheck: id=p/reword-me -->\n- [ ] Brand new\n",
    );
    let err = reconcile(record.clone(), &after, false, &clock, "Ada").unwrap_err();
    assert_eq!(relcheck::exit::code_of(&err), relcheck::exit::Code::Input);
    assert_eq!(
        err.to_string(),
        "deploy.md changed since this run began:\n  ~ reworded p/reword-me: \"Reword me\" -> \"Reword me, please\"\n  + added    p/brand-new (line 5): Brand new\n  - removed  p/drop-me (done): Drop me\nresume with --accept-changes to go on with the checklist as it is now"
    );
    let merged = reconcile(record, &after, true, &clock, "Ada").unwrap();
    let got: Vec<(&str, Status)> = merged
        .items
        .iter()
        .map(|i| (i.id.as_ref(), i.status))
        .collect();
    assert_eq!(
        got,
        [
            ("p/keep-me", Status::Done),
            ("p/reword-me", Status::Pending),
            ("p/brand-new", Status::Pending)
        ]
    );
    assert_eq!(&*merged.items[1].text, "Reword me, please");
    assert_eq!(
        merged.events.last().unwrap().action.as_str(),
        "checklist-changed"
    );
}

/// What an item runs, its kind and whether it is required change what the
/// run does as much as its text: each is listed, and an answer to another
/// kind of question, or to another command, is not carried over.
#[test]
fn resume_lists_changed_commands_kinds_and_optional_items() {
    use relcheck::reconcile::reconcile;
    let clock = clock();
    let record = done_then_quit(
        "# C\n## P\n- [ ] Probe <!-- relcheck: id=probe -->\n  ```sh\n  sleep 1000\n  ```\n- [ ] Errors low <!-- relcheck: id=errors -->\n- [ ] Docs <!-- relcheck: id=docs -->\n- [ ] Same\n",
        3,
        &clock,
    );

    let after = checklist(
        "# C\n## P\n- [ ] Probe <!-- relcheck: id=probe -->\n  ```sh\n  sleep 1\n  ```\n- [ ] Errors low <!-- relcheck: id=errors kind=trigger -->\n- [ ] Docs <!-- relcheck: id=docs optional -->\n- [ ] Same\n",
    );
    let err = reconcile(record.clone(), &after, false, &clock, "Ada").unwrap_err();
    assert_eq!(
        err.to_string(),
        "deploy.md changed since this run began:\n  ~ command changed probe; its answer (done) is not kept\n  ~ kind     errors: check -> trigger; its answer (done) is not kept\n  ~ now optional docs\nresume with --accept-changes to go on with the checklist as it is now"
    );
    let merged = reconcile(record, &after, true, &clock, "Ada").unwrap();
    let got: Vec<(&str, Kind, Status)> = merged
        .items
        .iter()
        .map(|i| (i.id.as_ref(), i.kind, i.status))
        .collect();
    assert_eq!(
        got,
        [
            ("probe", Kind::Check, Status::Pending),
            ("errors", Kind::Trigger, Status::Pending),
            ("docs", Kind::Check, Status::Done),
            ("p/same", Kind::Check, Status::Pending),
        ]
    );
    assert_eq!(
        merged.events.last().unwrap().detail.as_deref(),
        Some(
            "~ command changed probe; its answer (done) is not kept; ~ kind     errors: check -> trigger; its answer (done) is not kept; ~ now optional docs"
        )
    );
}

/// A rollback step failed or skipped makes the run failed, not rolled
/// back; the last screen says why: the call, and the step.
#[test]
fn a_failed_or_skipped_rollback_step_makes_the_run_failed_not_rolled_back() {
    let cases = [
        (
            Action::Failed {
                note: Some("revert broke".into()),
            },
            Status::Failed,
        ),
        (
            Action::Skip {
                reason: "no time".into(),
            },
            Status::Skipped,
        ),
    ];
    for (step, status) in cases {
        let mut script = preamble();
        script.extend([done(), done(), done(), done()]);
        script.push(Do(Action::Occurred {
            what: "boom".into(),
        }));
        script.extend([Do(step), approve()]);
        let run = run(script);
        assert_eq!(run.ending, Ending::Finished(Outcome::Failed));
        assert!(run.record.rollback.is_some());
        let summary = run.prompter.summary.as_ref().unwrap();
        assert_eq!(
            summary.notes,
            ["rollback called by Ada when \u{201c}Errors spike\u{201d} happened (boom)"]
        );
        let failed: Vec<(&str, Status)> = summary
            .failed
            .iter()
            .map(|i| (i.id.as_ref(), i.status))
            .collect();
        assert_eq!(
            failed,
            [
                ("verify/rollback-triggers/errors-spike", Status::Occurred),
                ("verify/rollback-steps/revert", status)
            ]
        );
    }
}

// ---------------------------------------------------------------------------
// Gates in a pipeline (`unattended`): a waiver written down ahead, or a stop.

const PIPE: &str = "# Pipe
## Build
- [ ] Built
- [ ] Tested
## Ship
- [ ] Shipped
### Rollback Steps
If rollback required:

- [ ] Reverted
";

fn unattended() -> Options {
    Options {
        mode: Mode::NonInteractive,
        unattended: true,
        ..options()
    }
}

#[test]
fn an_unattended_gate_with_no_waiver_stops_the_run() {
    let run = run_with(
        PIPE,
        unattended(),
        &Fake::new([]),
        vec![
            Do(Action::Failed {
                note: Some("red".into()),
            }),
            done(),
            // Anything but a waiver stops: what the CI prompter says
            // when the answers file waives nothing.
            Scripted::Abort,
        ],
    );
    assert_eq!(
        run.prompter.transcript,
        [
            "start Pipe",
            "item build/built",
            "item build/tested",
            "gate Build [build/built]",
            "finish failed"
        ]
    );
    assert_eq!(run.ending, Ending::Finished(Outcome::Failed));
    assert_eq!(
        statuses(&run.record),
        [
            ("built", Status::Failed),
            ("tested", Status::Done),
            ("shipped", Status::NotRun),
            ("reverted", Status::NotRun),
        ]
    );
    assert_eq!(
        run.record.items[2].rare.reason.as_deref(),
        Some("stopped at the gate after phase \"Build\": build/built failed")
    );
    let gate = &run.record.gates[0];
    assert_eq!(
        (
            gate.phase.as_str(),
            gate.decision,
            gate.reason.as_deref(),
            gate.by.as_str(),
            gate.items.clone(),
            gate.source.clone()
        ),
        (
            "build",
            GateDecision::Stop,
            Some("build/built failed"),
            "Ada",
            vec!["build/built".to_string()],
            None
        )
    );
    let event = run
        .record
        .events
        .iter()
        .find(|e| e.action.as_str() == "gate")
        .unwrap();
    assert_eq!(event.detail.as_deref(), Some("stop: build/built failed"));
}

#[test]
fn a_skipped_required_item_alone_stops_an_unattended_run_as_failed() {
    let run = run_with(
        PIPE,
        unattended(),
        &Fake::new([]),
        vec![
            Do(Action::Skip {
                reason: "no time".into(),
            }),
            done(),
            Scripted::Abort,
        ],
    );
    assert_eq!(run.ending, Ending::Finished(Outcome::Failed));
    assert_eq!(
        run.record.gates[0].reason.as_deref(),
        Some("build/built skipped")
    );
    assert_eq!(run.record.items[2].status, Status::NotRun);
}

#[test]
fn an_unattended_gate_waived_goes_on_as_at_the_terminal() {
    let run = run_with(
        PIPE,
        unattended(),
        &Fake::new([]),
        vec![
            Do(Action::Failed { note: None }),
            done(),
            Gate(GateAnswer::Waive {
                reason: "known flake".into(),
            }),
            done(),
        ],
    );
    assert_eq!(run.ending, Ending::Finished(Outcome::Success));
    assert_eq!(
        statuses(&run.record),
        [
            ("built", Status::Failed),
            ("tested", Status::Done),
            ("shipped", Status::Done),
            ("reverted", Status::NotNeeded),
        ]
    );
    let gate = &run.record.gates[0];
    assert_eq!(
        (gate.decision, gate.reason.as_deref()),
        (GateDecision::Waive, Some("known flake"))
    );
}

#[test]
fn keep_going_has_no_gates_and_a_called_rollback_passes_them_too() {
    let checklist = checklist(PIPE);
    let clock = clock();
    let flag = AtomicBool::new(false);
    let mut session = Session::start(&checklist, &clock, unattended(), &flag, "r".into());
    session.keep_going();
    let mut prompter = ScriptedPrompter::new([Do(Action::Failed { note: None }), done(), done()]);
    let ending = session
        .run(&mut prompter, &Fake::new([]), &mut MemorySink::default())
        .unwrap();
    assert_eq!(ending, Ending::Finished(Outcome::Failed));
    assert!(session.record.gates.is_empty());
    assert_eq!(session.record.items[2].status, Status::Done);

    // A trigger that fires calls a rollback, which no gate holds up.
    let text = "# T\n## Build\n- [ ] Built\n### Rollback Triggers\n- [ ] Broke\n## Ship\n- [ ] Shipped\n### Rollback Steps\n- [ ] Reverted\n";
    let run = run_with(
        text,
        unattended(),
        &Fake::new([]),
        vec![
            Do(Action::Failed { note: None }),
            Do(Action::Occurred {
                what: "boom".into(),
            }),
            done(),
            done(),
        ],
    );
    assert!(run.record.gates.is_empty());
    assert_eq!(run.ending, Ending::Finished(Outcome::RolledBack));
    assert_eq!(run.record.items[3].status, Status::Done, "reverted");
}

/// The CI prompter itself: the answers file's waiver, with where it came
/// from, and the log's names for items.
#[test]
fn the_ci_prompter_waives_from_the_answers_file_and_names_items_by_text() {
    use relcheck::answers::Answers;
    use relcheck::ci::Unattended;
    use relcheck::record::Provenance;

    let text = "# Pipe\n## Build\n- [ ] Built {{version}}\n  ```sh\n  make\n  ```\n- [ ] Tested\n## Ship\n- [ ] Tested\n";
    let checklist = checklist(text);
    let yaml = "values:\n  version: \"2.0\"\nitems:\n  build/tested: done\n  ship/tested: done\ngates:\n  build: {reason: \"flaky runner\", by: Jo}\n";
    let provenance = Provenance {
        kind: "answers-file".into(),
        path: Some("a.yaml".into()),
        sha256: None,
    };
    let answers = Answers::parse(yaml, "a.yaml", provenance.clone(), &checklist).unwrap();
    let clock = clock();
    let flag = AtomicBool::new(false);
    let mut session = Session::start(&checklist, &clock, unattended(), &flag, "r".into());
    let mut log = Vec::new();
    let mut prompter = Unattended::new(
        answers,
        true,
        Box::new(&mut log),
        relcheck::style::Style::PLAIN,
        None,
    );
    let ending = session
        .run(
            &mut prompter,
            &Fake::new([ExecOutcome::exited(1, "no\n")]),
            &mut MemorySink::default(),
        )
        .unwrap();
    drop(prompter);
    assert_eq!(ending, Ending::Finished(Outcome::Success));
    assert_eq!(
        String::from_utf8(log).unwrap(),
        "Pipe: 3 items (3 checks, 0 triggers, 0 fields, 0 sign-offs)
FAIL    Built 2.0 (0.00 s): command exited 1
        │ no
ok      Tested (build/tested)
waived  gate after phase \"Build\": Built 2.0 failed; waiver: flaky runner
ok      Tested (ship/tested)
2 passed, 1 failed, 0 skipped, 0 pending
"
    );
    let gate = &session.record.gates[0];
    assert_eq!(
        (
            gate.decision,
            gate.by.as_str(),
            gate.source.as_ref(),
            gate.reason.as_deref()
        ),
        (
            GateDecision::Waive,
            "Jo",
            Some(&provenance),
            Some("flaky runner")
        )
    );
}

#[test]
fn a_variable_only_prose_names_is_not_asked() {
    // `{{team}}` is in the lead only; `{{version}}` is in an item. Only
    // the second is asked: the script holds one value, and would be left
    // over or run short otherwise.
    let text = "# Ship\n## Go\nAsk {{team}} before you start.\n\n- [ ] Deploy {{version}}\n";
    let run = run_with(
        text,
        options(),
        &Fake::new([]),
        vec![Value("2.0".into()), done()],
    );
    assert_eq!(run.record.values.keys().collect::<Vec<_>>(), ["version"]);
    assert_eq!(checklist(text).variables, ["team", "version"]);
}

#[test]
fn the_variables_items_use_leave_out_prose_and_count_a_fields_value() {
    // `{{team}}` is prose; `{{day}}` is a field's written value, which the
    // field asks (so no run asks it as a variable); `{{version}}` is a step's.
    let text =
        "# Ship\n## Go\nAsk {{team}} first.\n\n- **Date**: {{day}}\n- [ ] Deploy {{version}}\n";
    let parsed = checklist(text);
    assert_eq!(parsed.variables, ["team", "day", "version"]);
    assert_eq!(
        relcheck::session::used_variables(&parsed),
        ["day", "version"]
    );
    assert_eq!(relcheck::session::asked_variables(&parsed), ["version"]);
}

/// An outcome the run filled in as a success says the rollback once one is
/// called after it, as a correction in the log; the record never says
/// "Success" of a release that was rolled back.
#[test]
fn a_rollback_after_the_outcome_was_filled_in_corrects_it() {
    let text = "# Ship\n\n## Deploy\n\n- [ ] Deployed\n\n## Rollback Steps (if needed)\n\n- [ ] Previous release restored\n\n## Wrap-up\n\n- **Outcome**: Success / Rollback\n- [ ] Dashboards checked\n";
    let script = vec![
        done(),
        RollbackNeeded(false),
        Do(Action::Rollback {
            reason: "errors after the filled-in outcome".into(),
        }),
        done(),
        walk(),
        done(),
    ];
    let run = run_with(text, options(), &Fake::new([]), script);
    assert_eq!(run.ending, Ending::Finished(Outcome::RolledBack));
    let outcome = run.record.item("wrap-up/outcome").unwrap();
    assert_eq!(
        (
            outcome.rare.value.as_deref(),
            outcome.source.as_ref().map(|s| s.kind.as_str())
        ),
        (Some("Rollback"), Some("run"))
    );
    assert_eq!(
        run.record.values.get("wrap-up/outcome").map(String::as_str),
        Some("Rollback")
    );
    let corrected: Vec<&str> = run
        .record
        .events
        .iter()
        .filter(|e| e.item.as_deref() == Some("wrap-up/outcome"))
        .filter_map(|e| e.detail.as_deref())
        .collect();
    assert_eq!(corrected, ["was done = Success, now done = Rollback"]);
}

/// A value typed at the terminal longer than 4 KiB is refused and asked
/// again, as an answers file's is refused: it would be written into every
/// text that names it.
#[test]
fn a_value_over_4_kib_at_the_terminal_is_asked_again() {
    let long = "9".repeat(4097);
    let run = run_with(
        "# D\n## P\n- [ ] Ship {{version}}\n- **Ticket**: ___\n",
        options(),
        &Fake::new([]),
        vec![
            Value(long.clone()),
            Value("1.0".into()),
            Do(Action::Done { note: None }),
            Do(Action::Value(long)),
            Do(Action::Value("T-1".into())),
        ],
    );
    assert_eq!(run.ending, Ending::Finished(Outcome::Success));
    assert_eq!(
        run.record.values.get("version").map(String::as_str),
        Some("1.0")
    );
    assert_eq!(
        run.prompter
            .transcript
            .iter()
            .filter(|asked| asked.as_str() == "value version")
            .count(),
        2
    );
    assert!(
        run.prompter.transcript.iter().any(|asked| asked.contains(
            "a value is at most 4,096 bytes (this one is 4,097): it is written into every text that names it"
        )),
        "{:#?}",
        run.prompter.transcript
    );
    assert_eq!(run.record.items[1].rare.value.as_deref(), Some("T-1"));
}

/// A command is saved as started before it runs; killed then (SIGKILL,
/// nothing recorded after), the resumed run says so with no Enter
/// default, and running it again keeps that earlier start in the log.
#[test]
fn a_command_whose_end_was_never_recorded_is_said_and_its_start_kept_when_run_again() {
    let text = "# K\n## Go\n- [ ] Roll out\n  ```sh\n  rollout\n  ```\n";
    let clock = clock();
    let flag = AtomicBool::new(false);
    let list = checklist(text);
    // The saves of a run whose script ends at `r`: the scripted
    // prompter's panic when asked again stands for the kill. Among them,
    // the item saved as started, as a run killed while the command ran
    // leaves it on disk.
    let mut session = Session::start(&list, &clock, options(), &flag, "r".into());
    let mut sink = MemorySink::default();
    let mut prompter = ScriptedPrompter::new([Do(Action::RunCommand)]);
    let executor = Fake::new([ExecOutcome::exited(0, "rolled\n")]);
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        session.run(&mut prompter, &executor, &mut sink)
    }));
    let started = sink
        .saves
        .iter()
        .find(|record| {
            record.items[0]
                .rare
                .command
                .as_ref()
                .is_some_and(|run| run.running)
        })
        .expect("saved as started before it ran")
        .clone();
    assert_eq!(
        started.items[0].rare.command.as_ref().unwrap().command,
        "rollout"
    );

    let mut session = Session::resume(&list, started, &clock, options(), &flag);
    let mut prompter = ScriptedPrompter::new([Do(Action::RunCommand), done()]);
    let executor = Fake::new([ExecOutcome::exited(0, "rolled\n")]);
    session
        .run(&mut prompter, &executor, &mut MemorySink::default())
        .unwrap();
    assert_eq!(
        prompter.transcript[1],
        "item go/roll-out (its command was running when relcheck stopped, and its end is not recorded: it may still be running, or have done its work; see before r runs it again)"
    );
    assert_eq!(prompter.suggestions[0], None);
    let commands: Vec<&str> = session
        .record
        .events
        .iter()
        .filter(|e| e.action.as_str() == "command")
        .filter_map(|e| e.detail.as_deref())
        .collect();
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert_eq!(
        commands[0],
        "started, its end not recorded (relcheck stopped while it ran) (run again)"
    );
    assert!(commands[1].starts_with("exit 0 ("), "{commands:?}");
    let run = session.record.items[0].rare.command.as_ref().unwrap();
    assert!(!run.running);
    assert_eq!(run.exit_code, Some(0));
}
