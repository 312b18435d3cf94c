//! The engine when a release goes wrong, through a scripted prompter: a
//! rollback stopped half-way and resumed, a second trigger, `R` with no
//! rollback steps, a pipeline's incomplete run finished by a person, a
//! corrected answer, a section answered in bulk, and waits that end early.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use relcheck::exec::Fake;
use relcheck::model::Checklist;
use relcheck::parse::parse;
use relcheck::prompt::{
    Action, AfterRollback, GateAnswer, Row, Scripted, ScriptedPrompter, Tally, WaitEnd,
};
use relcheck::record::{Mode, Outcome, Record, Status};
use relcheck::session::{Ending, MemorySink, Options, Session, TestClock};
use relcheck::source::Source;

use Scripted::{Do, Gate, Quit, WaitEnded};

/// Two triggers, two rollback steps, a success-only step.
const NIGHT: &str = "# Night
## Ship
- [ ] Deploy
- [ ] Smoke test
## Watch
### Rollback Triggers
- [ ] Errors spike
- [ ] Latency doubles
### Rollback Steps
If rollback required:

- [ ] Revert the release
- [ ] Purge caches
### Wrap-up
If deployment successful:

- [ ] Announce
";

/// No rollback steps at all.
const PLAIN: &str = "# Plain
## Prepare
- [ ] Backup taken
- [ ] Canary watched for 10 minutes
## Ship
- [ ] Deploy
- [ ] Check dashboards
## Done
If deployment successful:

- [ ] Announce
";

fn checklist(text: &str) -> Checklist {
    parse(&Source::from_text("night.md", text)).checklist
}

fn options(unattended: bool) -> Options {
    Options {
        operator: "Ada".to_string(),
        host: "box".to_string(),
        mode: if unattended {
            Mode::NonInteractive
        } else {
            Mode::Interactive
        },
        preset: BTreeMap::new(),
        command_timeout: Duration::from_secs(600),
        unattended,
    }
}

fn clock() -> TestClock {
    TestClock::new(Utc.with_ymd_and_hms(2026, 11, 30, 22, 0, 0).unwrap())
}

fn done() -> Scripted {
    Do(Action::Done { note: None })
}

/// Once the way back is walked: the phase's open steps asked one by one.
fn walk() -> Scripted {
    Scripted::AfterRollback(AfterRollback::Walk)
}

fn occurred(what: &str) -> Scripted {
    Do(Action::Occurred { what: what.into() })
}

/// Runs `script` on `record` (or a new run), as the terminal would.
fn go(
    checklist: &Checklist,
    clock: &TestClock,
    record: Option<Record>,
    unattended: bool,
    script: Vec<Scripted>,
) -> (Ending, Record, ScriptedPrompter) {
    let flag = AtomicBool::new(false);
    let mut session = match record {
        Some(record) => {
            // Through YAML, as on disk.
            let yaml = record.to_yaml().unwrap();
            let record = Record::from_yaml(&yaml, std::path::Path::new("r.yaml")).unwrap();
            let mut session = Session::resume(checklist, record, clock, options(unattended), &flag);
            session.note_resume();
            session
        }
        None => Session::start(checklist, clock, options(unattended), &flag, "run".into()),
    };
    let mut prompter = ScriptedPrompter::new(script);
    let mut sink = MemorySink::default();
    let ending = session
        .run(&mut prompter, &Fake::new([]), &mut sink)
        .unwrap();
    assert!(
        prompter.script.is_empty(),
        "unused script: {:?}\n{:#?}",
        prompter.script,
        prompter.transcript
    );
    assert_eq!(sink.saves.last().unwrap(), &session.record);
    (ending, session.record, prompter)
}

fn statuses(record: &Record) -> Vec<(&str, Status)> {
    record
        .items
        .iter()
        .map(|item| (item.id.rsplit('/').next().unwrap(), item.status))
        .collect()
}

fn actions(record: &Record) -> Vec<&str> {
    record.events.iter().map(|e| e.action.as_str()).collect()
}

#[test]
fn a_rollback_quit_half_way_is_rolling_back_and_resumes_at_the_next_step() {
    let list = checklist(NIGHT);
    let clock = clock();
    let (ending, record, _) = go(
        &list,
        &clock,
        None,
        false,
        vec![done(), done(), occurred("5xx at 9%"), done(), Quit],
    );
    assert_eq!(ending, Ending::Paused);
    assert_eq!(record.run.outcome, Outcome::RollingBack);
    assert!(record.run.finished.is_none());
    assert_eq!(
        statuses(&record)[4..],
        [
            ("revert-the-release", Status::Done),
            ("purge-caches", Status::Pending),
            ("announce", Status::NotNeeded),
        ]
    );

    let (ending, record, prompter) = go(
        &list,
        &clock,
        Some(record),
        false,
        vec![done(), walk(), Do(Action::NotOccurred)],
    );
    assert_eq!(ending, Ending::Finished(Outcome::RolledBack));
    assert_eq!(
        prompter.transcript,
        [
            "start Night",
            "item watch/rollback-steps/purge-caches",
            "set aside? Watch [Latency doubles] +0",
            "item watch/rollback-triggers/latency-doubles",
            "finish rolled-back",
        ]
    );
    assert_eq!(record.run.outcome, Outcome::RolledBack);
    assert_eq!(
        actions(&record),
        [
            "start",
            "rollback",
            "pause",
            "resume",
            "set-aside",
            "finish"
        ]
    );
    assert_eq!(record.events[3].detail.as_deref(), Some("interactive"));
}

#[test]
fn the_outcome_is_rolled_back_once_every_step_is_answered_and_failed_if_one_failed() {
    let list = checklist(NIGHT);
    let (_, record, _) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            done(),
            done(),
            occurred("5xx"),
            done(),
            done(),
            // The way back is done; what is left of the run goes on.
            Quit,
        ],
    );
    assert_eq!(record.run.outcome, Outcome::RolledBack);
    assert!(record.run.finished.is_none());
    let (ending, record, _) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            done(),
            done(),
            occurred("5xx"),
            Do(Action::Failed {
                note: Some("revert hung".into()),
            }),
            done(),
            walk(),
            Do(Action::NotOccurred),
        ],
    );
    assert_eq!(ending, Ending::Finished(Outcome::Failed));
    assert_eq!(record.run.outcome, Outcome::Failed);
}

#[test]
fn a_second_trigger_is_listed_and_the_first_call_stands() {
    let list = checklist(NIGHT);
    let (ending, record, _) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            done(),
            done(),
            occurred("5xx at 9%"),
            done(),
            done(),
            walk(),
            occurred("p99 at 2.1 s"),
        ],
    );
    assert_eq!(ending, Ending::Finished(Outcome::RolledBack));
    let rollback = record.rollback.as_ref().unwrap();
    assert_eq!(
        (
            rollback.cause.as_str(),
            rollback.reason.as_deref(),
            rollback.at.to_rfc3339()
        ),
        (
            "watch/rollback-triggers/errors-spike",
            Some("5xx at 9%"),
            "2026-11-30T22:00:04+00:00".to_string()
        )
    );
    assert_eq!(rollback.later.len(), 1);
    let later = &rollback.later[0];
    assert_eq!(
        (
            later.item.as_str(),
            later.what.as_deref(),
            later.by.as_str()
        ),
        (
            "watch/rollback-triggers/latency-doubles",
            Some("p99 at 2.1 s"),
            "Ada"
        )
    );
    assert_eq!(
        actions(&record),
        ["start", "rollback", "set-aside", "rollback-again", "finish"]
    );
}

#[test]
fn r_with_no_rollback_steps_ends_the_run_rolled_back() {
    let list = checklist(PLAIN);
    let (ending, record, prompter) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            done(),
            Do(Action::Rollback {
                reason: "backup is corrupt".into(),
            }),
        ],
    );
    assert_eq!(ending, Ending::Finished(Outcome::RolledBack));
    assert_eq!(
        statuses(&record),
        [
            ("backup-taken", Status::Done),
            ("canary-watched-for-10-minutes", Status::NotRun),
            ("deploy", Status::NotRun),
            ("check-dashboards", Status::NotRun),
            ("announce", Status::NotNeeded),
        ]
    );
    assert_eq!(
        record.items[2].rare.reason.as_deref(),
        Some("a rollback was called and the checklist has no rollback steps")
    );
    let summary = prompter.summary.unwrap();
    assert_eq!(
        summary.notes,
        [
            "rollback called by Ada (backup is corrupt)",
            "This checklist has no rollback steps: the run ends here, and the rollback itself is yours to carry out."
        ]
    );
    assert_eq!(
        prompter.transcript[1..],
        [
            "item prepare/backup-taken",
            "item prepare/canary-watched-for-10-minutes",
            "finish rolled-back"
        ]
    );
}

#[test]
fn a_pipelines_incomplete_run_is_finished_by_a_person() {
    let list = checklist(PLAIN);
    let pending = || Do(Action::Pending);
    let (ending, record, _) = go(
        &list,
        &clock(),
        None,
        true,
        vec![
            done(),
            pending(),
            done(),
            pending(),
            Do(Action::Done { note: None }),
        ],
    );
    assert_eq!(ending, Ending::Finished(Outcome::Incomplete));
    assert!(record.run.finished.is_some());

    let (ending, record, prompter) = go(&list, &clock(), Some(record), false, vec![done(), done()]);
    assert_eq!(ending, Ending::Finished(Outcome::Success));
    assert_eq!(
        prompter.transcript,
        [
            "start Plain",
            "item prepare/canary-watched-for-10-minutes",
            "item ship/check-dashboards",
            "finish success"
        ]
    );
    let resume = record
        .events
        .iter()
        .find(|e| e.action.as_str() == "resume")
        .unwrap();
    assert_eq!(
        resume.detail.as_deref(),
        Some("interactive, reopening an incomplete run")
    );
    assert_eq!(
        actions(&record).iter().filter(|a| **a == "finish").count(),
        2,
        "both ends are in the log"
    );
}

#[test]
fn going_back_to_an_earlier_item_records_a_correction_and_goes_on_where_the_run_was() {
    let list = checklist(PLAIN);
    let (ending, record, prompter) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            done(),
            done(),
            Do(Action::GoTo("99".into())),
            Do(Action::GoTo("1".into())),
            Do(Action::Failed {
                note: Some("backup was of the wrong database".into()),
            }),
            // A failure in a phase already passed still needs its go/no-go.
            Gate(GateAnswer::Waive {
                reason: "yesterday's backup is good".into(),
            }),
            Do(Action::Search("DASH".into())),
            done(),
            done(),
            done(),
        ],
    );
    assert_eq!(ending, Ending::Finished(Outcome::Success));
    assert_eq!(
        prompter.transcript[1..],
        [
            "item prepare/backup-taken",
            "item prepare/canary-watched-for-10-minutes",
            "item ship/deploy",
            "item ship/deploy (no item 99: give a number from 1 to 5 or an item id)",
            "item prepare/backup-taken",
            "gate Prepare [prepare/backup-taken]",
            "item ship/deploy",
            "item ship/check-dashboards",
            "item ship/deploy",
            "item done/announce",
            "finish success",
        ]
    );
    let correction = record
        .events
        .iter()
        .find(|e| e.action.as_str() == "correct")
        .unwrap();
    assert_eq!(
        (correction.item.as_deref(), correction.detail.as_deref()),
        (Some("prepare/backup-taken"), Some("was done, now failed"))
    );
    assert_eq!(
        record.items[0].rare.note.as_deref(),
        Some("backup was of the wrong database")
    );
}

#[test]
fn a_section_answered_in_bulk_passes_over_fields_and_required_signoffs() {
    let text = "# Bulk
## Extras
- [ ] Docs updated
- **Ticket**: ___
- [ ] Blog post drafted (optional)
- **QA Lead**: [Name] - [Date]
- [ ] Swag ordered
## Ship
- [ ] Deploy
";
    let list = checklist(text);
    let (ending, record, prompter) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            Do(Action::Bulk {
                status: Status::NotApplicable,
                reason: "".into(),
            }),
            Do(Action::Bulk {
                status: Status::NotApplicable,
                reason: "internal release".into(),
            }),
            Do(Action::NotApplicable {
                reason: Some("no ticket system".into()),
            }),
            Do(Action::NotApplicable {
                reason: Some("no QA this time".into()),
            }),
            done(),
        ],
    );
    assert_eq!(ending, Ending::Finished(Outcome::Success));
    assert_eq!(
        statuses(&record),
        [
            ("docs-updated", Status::NotApplicable),
            ("ticket", Status::NotApplicable),
            ("blog-post-drafted-optional", Status::NotApplicable),
            ("qa-lead", Status::NotApplicable),
            ("swag-ordered", Status::NotApplicable),
            ("deploy", Status::Done),
        ]
    );
    assert_eq!(
        prompter.transcript[1..4],
        [
            "item extras/docs-updated",
            "item extras/docs-updated (answering the rest of a section needs a reason)",
            "field extras/ticket",
        ]
    );
    let bulk = record
        .events
        .iter()
        .find(|e| e.action.as_str() == "bulk")
        .unwrap();
    assert_eq!(
        bulk.detail.as_deref(),
        Some("3 items n/a: internal release")
    );
    assert_eq!(
        record.items[4].rare.reason.as_deref(),
        Some("internal release")
    );
}

#[test]
fn back_undoes_a_bulk_answer_whole() {
    let list = checklist(PLAIN);
    let (_, record, prompter) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            Do(Action::Bulk {
                status: Status::NotApplicable,
                reason: "done yesterday".into(),
            }),
            Do(Action::Back),
            done(),
            done(),
            done(),
            done(),
            done(),
        ],
    );
    assert_eq!(
        prompter.transcript[1..4],
        [
            "item prepare/backup-taken",
            "item ship/deploy",
            "item prepare/backup-taken",
        ]
    );
    assert!(record.items.iter().all(|i| i.status == Status::Done));
    let undo = record
        .events
        .iter()
        .find(|e| e.action.as_str() == "undo")
        .unwrap();
    assert_eq!(
        (undo.item.as_deref(), undo.detail.as_deref()),
        (Some("prepare/backup-taken"), Some("2 answers"))
    );
}

#[test]
fn a_wait_takes_a_note_then_a_failure() {
    let list = checklist(PLAIN);
    let (_, record, prompter) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            done(),
            Do(Action::Wait),
            WaitEnded(WaitEnd::Note("error budget burning".into())),
            WaitEnded(WaitEnd::Failed {
                note: Some("canary at 4% errors".into()),
            }),
            Quit,
        ],
    );
    assert_eq!(
        prompter.transcript[3..6],
        [
            "wait 598 s of 600 s",
            "wait 596 s of 600 s",
            "gate Prepare [prepare/canary-watched-for-10-minutes]"
        ]
    );
    let canary = &record.items[1];
    assert_eq!(canary.status, Status::Failed);
    assert_eq!(
        canary.rare.note.as_deref(),
        Some("error budget burning\ncanary at 4% errors")
    );
    let wait = canary.rare.wait.as_ref().unwrap();
    assert!(wait.cut_short);
    assert_eq!(wait.requested_seconds, 600);
    assert_eq!(
        (wait.started.unwrap() - record.run.started).num_seconds(),
        2
    );
    assert!(wait.ended.is_some());
}

#[test]
fn a_wait_cut_short_asks_done_or_failed_with_no_default() {
    let list = checklist(PLAIN);
    let (_, record, prompter) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            done(),
            Do(Action::Wait),
            WaitEnded(WaitEnd::CutShort),
            done(),
            Quit,
        ],
    );
    assert_eq!(
        prompter.transcript[4],
        "item prepare/canary-watched-for-10-minutes (wait cut short after 3 s of 10 min: y done or n failed)"
    );
    let wait = record.items[1].rare.wait.as_ref().unwrap();
    assert_eq!(
        (wait.cut_short, wait.waited_seconds, wait.requested_seconds),
        (true, 3.0, 600)
    );
}

#[test]
fn r_during_a_wait_calls_the_rollback_and_leaves_the_item_open() {
    let text = NIGHT.replace(
        "- [ ] Smoke test",
        "- [ ] Smoke test <!-- relcheck: wait=5m -->",
    );
    let list = checklist(&text);
    let (ending, record, prompter) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            done(),
            Do(Action::Wait),
            WaitEnded(WaitEnd::Rollback {
                reason: "pager went off".into(),
            }),
            done(),
            done(),
            Quit,
        ],
    );
    assert_eq!(ending, Ending::Paused);
    assert_eq!(
        prompter.transcript[4..6],
        [
            "item watch/rollback-steps/revert-the-release",
            "item watch/rollback-steps/purge-caches"
        ]
    );
    let rollback = record.rollback.as_ref().unwrap();
    assert_eq!(
        (rollback.cause.as_str(), rollback.reason.as_deref()),
        ("operator", Some("pager went off"))
    );
    assert_eq!(record.items[1].status, Status::Pending);
    assert!(record.items[1].rare.wait.as_ref().unwrap().cut_short);
    assert_eq!(record.run.outcome, Outcome::RolledBack);
}

#[test]
fn a_wait_quit_half_way_goes_on_with_the_time_left() {
    let list = checklist(PLAIN);
    let clock = clock();
    let (ending, record, _) = go(
        &list,
        &clock,
        None,
        false,
        vec![done(), Do(Action::Wait), Quit],
    );
    assert_eq!(ending, Ending::Paused);
    let wait = record.items[1].rare.wait.clone().unwrap();
    assert!(wait.started.is_some() && wait.ended.is_none());

    // Four minutes pass before the operator is back.
    clock.advance(240);
    let (_, record, prompter) = go(
        &list,
        &clock,
        Some(record),
        false,
        vec![WaitEnded(WaitEnd::Elapsed), done(), Quit],
    );
    assert_eq!(
        prompter.transcript[1..3],
        [
            // 240 s away, and the test clock's second at each reading.
            "wait 355 s of 600 s",
            "item prepare/canary-watched-for-10-minutes (waited 4 min 6 s of 10 min: Enter marks it done)"
        ]
    );
    assert_eq!(record.items[1].status, Status::Done);
}

#[test]
fn the_overview_lists_every_item_with_its_status_and_the_counts() {
    let list = checklist(PLAIN);
    let (_, _, prompter) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            done(),
            Do(Action::Skip {
                reason: "no canary in this region".into(),
            }),
            Gate(GateAnswer::Waive {
                reason: "the region has no canary".into(),
            }),
            Do(Action::Overview),
            Scripted::Overviewed,
            Quit,
        ],
    );
    let overview = &prompter.overviews[0];
    assert_eq!(
        overview.tally,
        Tally {
            done: 1,
            failed: 0,
            skipped: 1,
            not_applicable: 0,
            waived: 1,
            pending: 3
        }
    );
    let lines: Vec<String> = overview
        .rows
        .iter()
        .map(|row| match row {
            Row::Phase(title) => format!("# {title}"),
            Row::Section(title) => format!("## {title}"),
            Row::Item {
                number,
                status,
                text,
                current,
                ..
            } => format!(
                "{}{number} {} {text}",
                if *current { ">" } else { " " },
                status.as_str()
            ),
        })
        .collect();
    assert_eq!(
        lines,
        [
            "# Prepare",
            " 1 done Backup taken",
            " 2 skipped Canary watched for 10 minutes",
            "# Ship",
            ">3 pending Deploy",
            " 4 pending Check dashboards",
            "# Done",
            " 5 pending Announce",
        ]
    );
    assert_eq!(
        prompter.transcript[4..],
        ["item ship/deploy", "overview", "item ship/deploy"]
    );
}

#[test]
fn a_resumed_run_goes_back_to_a_wait_under_way_and_a_rollback_from_it_comes_first() {
    let text = NIGHT.replace(
        "- [ ] Latency doubles",
        "- [ ] Latency doubles\n- [ ] Dashboards watched for 10 minutes",
    );
    let list = checklist(&text);
    let clock = clock();
    let (_, record, _) = go(
        &list,
        &clock,
        None,
        false,
        vec![
            Do(Action::GoTo(
                "watch/rollback-triggers/dashboards-watched-for-10-minutes".into(),
            )),
            Do(Action::Wait),
            Quit,
        ],
    );
    let (_, record, prompter) = go(
        &list,
        &clock,
        Some(record),
        false,
        vec![
            WaitEnded(WaitEnd::Rollback {
                reason: "p99 over the objective".into(),
            }),
            done(),
            Quit,
        ],
    );
    assert_eq!(
        prompter.transcript[1..3],
        [
            "wait 595 s of 600 s",
            "item watch/rollback-steps/revert-the-release"
        ]
    );
    assert_eq!(record.run.outcome, Outcome::RollingBack);
}

/// Every save the run made, in order.
fn saves(list: &Checklist, script: Vec<Scripted>) -> Vec<Record> {
    let clock = clock();
    let flag = AtomicBool::new(false);
    let mut session = Session::start(list, &clock, options(false), &flag, "run".into());
    let mut prompter = ScriptedPrompter::new(script);
    let mut sink = MemorySink::default();
    session
        .run(
            &mut prompter,
            &relcheck::exec::Fake::new([relcheck::exec::Outcome::exited(2, "no route\n")]),
            &mut sink,
        )
        .unwrap();
    sink.saves
}

#[test]
fn a_note_and_a_command_run_are_saved_before_the_item_is_answered() {
    let text = "# N\n## Do\n- [ ] Migrate\n  ```sh\n  migrate\n  ```\n- [ ] Announce\n";
    let list = checklist(text);
    let saves = saves(
        &list,
        vec![
            Do(Action::RunCommand),
            Do(Action::Note("paged the DB team".into())),
            Scripted::Interrupt,
        ],
    );
    // Before the interruption's own save, with the item still open: a kill
    // at the next prompt would have lost neither.
    let before = &saves[saves.len() - 2];
    let item = &before.items[0];
    assert_eq!(item.status, Status::Pending);
    assert_eq!(item.rare.note.as_deref(), Some("paged the DB team"));
    assert_eq!(item.rare.command.as_ref().unwrap().exit_code, Some(2));
}

#[test]
fn a_run_quit_after_its_rollback_steps_can_still_be_resumed() {
    let list = checklist(NIGHT);
    let clock = clock();
    let (_, record, _) = go(
        &list,
        &clock,
        None,
        false,
        vec![done(), done(), occurred("5xx"), done(), done(), Quit],
    );
    assert_eq!(record.run.outcome, Outcome::RolledBack);
    assert!(record.run.resumable(), "the last trigger is still open");
    let (ending, record, _) = go(
        &list,
        &clock,
        Some(record),
        false,
        // Asked again: the phase still has a step open.
        vec![walk(), Do(Action::NotOccurred)],
    );
    assert_eq!(ending, Ending::Finished(Outcome::RolledBack));
    assert!(!record.run.resumable());
}

#[test]
fn a_trigger_answered_when_a_pipelines_run_is_finished_by_hand_walks_the_rollback() {
    let list = checklist(NIGHT);
    let clock = clock();
    let pending = || Do(Action::Pending);
    let (_, record, _) = go(
        &list,
        &clock,
        None,
        true,
        vec![done(), done(), pending(), pending(), pending()],
    );
    assert_eq!(record.run.outcome, Outcome::Incomplete);
    assert_eq!(record.items[4].status, Status::NotNeeded);
    let (ending, record, prompter) = go(
        &list,
        &clock,
        Some(record),
        false,
        vec![
            occurred("errors after the pipeline's deploy"),
            done(),
            done(),
            walk(),
            Do(Action::NotOccurred),
        ],
    );
    assert_eq!(ending, Ending::Finished(Outcome::RolledBack));
    assert_eq!(
        prompter.transcript[1..4],
        [
            "item watch/rollback-triggers/errors-spike",
            "item watch/rollback-steps/revert-the-release",
            "item watch/rollback-steps/purge-caches",
        ]
    );
    assert_eq!(record.items[4].status, Status::Done);
}

#[test]
fn a_skipped_rollback_step_fails_the_rollback() {
    let list = checklist(NIGHT);
    let (ending, _, _) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            done(),
            done(),
            occurred("5xx"),
            Do(Action::Skip {
                reason: "no time".into(),
            }),
            done(),
            walk(),
            Do(Action::NotOccurred),
        ],
    );
    assert_eq!(ending, Ending::Finished(Outcome::Failed));
}

/// A rollback called at the first phase: the way back, then a phase of
/// the release, then a wrap-up with a field and a sign-off.
const EARLY: &str = "# Early
## Ship
### Rollback Triggers
- [ ] Errors spike
### Rollback Steps
If rollback required:

- [ ] Revert the release
## Go live
- [ ] Flip traffic to the new pool
- [ ] Raise the replica count
- **Live build**: ___
## Wrap-up
- [ ] Change ticket updated
- **QA**: [Name] - [Date]
";

fn set_aside() -> Scripted {
    Scripted::AfterRollback(AfterRollback::SetAside)
}

fn approve() -> Scripted {
    Do(Action::Signoff(relcheck::prompt::SignoffAnswer {
        name: "Grace".into(),
        decision: relcheck::record::Decision::Approve,
        comment: None,
    }))
}

#[test]
fn after_the_way_back_a_phase_set_aside_is_na_and_its_field_still_asked() {
    let list = checklist(EARLY);
    let clock = clock();
    let (ending, record, prompter) = go(
        &list,
        &clock,
        None,
        false,
        vec![
            occurred("5xx at 9%"),
            done(),
            set_aside(),
            Do(Action::Value("none".into())),
            walk(),
            done(),
            approve(),
        ],
    );
    assert_eq!(ending, Ending::Finished(Outcome::RolledBack));
    assert_eq!(
        prompter.transcript,
        [
            "start Early",
            "item ship/rollback-triggers/errors-spike",
            "item ship/rollback-steps/revert-the-release",
            "set aside? Go live [Flip traffic to the new pool, Raise the replica count] +1",
            "field go-live/live-build",
            "set aside? Wrap-up [Change ticket updated] +1",
            "item wrap-up/change-ticket-updated",
            "signoff wrap-up/qa",
            "finish rolled-back",
        ]
    );
    let set: Vec<_> = record.items[2..4]
        .iter()
        .map(|item| (item.status, item.rare.reason.as_deref(), item.by.as_deref()))
        .collect();
    assert_eq!(
        set,
        [(
            Status::NotApplicable,
            Some("set aside after the rollback"),
            Some("Ada")
        ); 2]
    );
    let event = record
        .events
        .iter()
        .find(|e| e.action.as_str() == "set-aside")
        .unwrap();
    assert_eq!(
        (event.item.as_deref(), event.detail.as_deref()),
        (
            Some("go-live"),
            Some("2 items n/a: set aside after the rollback")
        )
    );
    // The walk is logged too: a `b` after it takes back what the log holds.
    assert_eq!(
        actions(&record),
        ["start", "rollback", "set-aside", "set-aside", "finish"]
    );
    assert_eq!(
        record.events[3].detail.as_deref(),
        Some("not set aside: 1 step walked one by one")
    );
}

#[test]
fn back_at_the_question_after_the_way_back_takes_back_the_last_step_and_a_set_aside() {
    let list = checklist(EARLY);
    let (ending, record, prompter) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            occurred("5xx"),
            done(),
            // `b`: the way back's last step is open again.
            Scripted::AfterRollback(AfterRollback::Back),
            done(),
            set_aside(),
            // `b` at the field: the set-aside is taken back whole.
            Do(Action::Back),
            walk(),
            // `b` at the first step walked asks about the phase again.
            Do(Action::Back),
            walk(),
            done(),
            Do(Action::NotApplicable {
                reason: Some("never scaled".into()),
            }),
            Do(Action::Value("none".into())),
            walk(),
            done(),
            approve(),
        ],
    );
    assert_eq!(ending, Ending::Finished(Outcome::RolledBack));
    assert_eq!(
        prompter.transcript[2..9],
        [
            "item ship/rollback-steps/revert-the-release",
            "set aside? Go live [Flip traffic to the new pool, Raise the replica count] +1",
            "item ship/rollback-steps/revert-the-release",
            "set aside? Go live [Flip traffic to the new pool, Raise the replica count] +1",
            "field go-live/live-build",
            "set aside? Go live [Flip traffic to the new pool, Raise the replica count] +1",
            "item go-live/flip-traffic-to-the-new-pool",
        ]
    );
    assert_eq!(
        statuses(&record)[2..4],
        [
            ("flip-traffic-to-the-new-pool", Status::Done),
            ("raise-the-replica-count", Status::NotApplicable),
        ]
    );
    let undone: Vec<_> = record
        .events
        .iter()
        .filter(|e| e.action.as_str() == "undo")
        .map(|e| (e.item.as_deref(), e.detail.as_deref()))
        .collect();
    assert_eq!(
        undone,
        [
            (
                Some("ship/rollback-steps/revert-the-release"),
                Some("was done")
            ),
            (
                Some("go-live"),
                Some("the set-aside of go-live (2 answers)")
            ),
            (Some("go-live"), Some("the choice to walk go-live")),
        ]
    );
}

#[test]
fn a_run_quit_at_the_question_asks_it_again_only_where_steps_are_still_open() {
    let list = checklist(EARLY);
    let clock = clock();
    let (ending, record, _) = go(
        &list,
        &clock,
        None,
        false,
        vec![occurred("5xx"), done(), set_aside(), Quit],
    );
    assert_eq!(ending, Ending::Paused);
    let (ending, _, prompter) = go(
        &list,
        &clock,
        Some(record),
        false,
        vec![Do(Action::Value("none".into())), set_aside(), approve()],
    );
    assert_eq!(ending, Ending::Finished(Outcome::RolledBack));
    assert_eq!(
        prompter.transcript[1..4],
        [
            "field go-live/live-build",
            "set aside? Wrap-up [Change ticket updated] +1",
            "signoff wrap-up/qa",
        ]
    );
}

#[test]
fn a_pipeline_is_never_asked_to_set_steps_aside() {
    let list = checklist(EARLY);
    let (ending, record, prompter) = go(
        &list,
        &clock(),
        None,
        true,
        vec![
            occurred("5xx"),
            done(),
            Do(Action::Pending),
            Do(Action::Pending),
            Do(Action::Pending),
            Do(Action::Pending),
            Do(Action::Pending),
        ],
    );
    // Its answers file answers the rest, or they stay open.
    assert_eq!(ending, Ending::Finished(Outcome::RolledBack));
    assert!(
        prompter
            .transcript
            .iter()
            .all(|t| !t.starts_with("set aside")),
        "{:?}",
        prompter.transcript
    );
    assert_eq!(statuses(&record)[2].1, Status::Pending);
}

#[test]
fn back_after_a_resume_says_how_to_reach_an_earlier_answer() {
    let list = checklist(NIGHT);
    let clock = clock();
    let (_, record, _) = go(&list, &clock, None, false, vec![done(), Quit]);
    let (_, record, prompter) = go(
        &list,
        &clock,
        Some(record),
        false,
        vec![Do(Action::Back), Do(Action::GoTo("1".into())), done(), Quit],
    );
    assert_eq!(
        prompter.transcript[1..4],
        [
            "item ship/smoke-test",
            "item ship/smoke-test (nothing to go back to since the run began or resumed: at an item, g and a number answer an earlier item again)",
            "item ship/deploy",
        ]
    );
    assert_eq!(
        record.events[record.events.len() - 2].action.as_str(),
        "correct"
    );
}

#[test]
fn the_last_screen_names_a_failed_item_as_the_run_showed_it() {
    let list = checklist("# V\n## Ship\n- [ ] Deploy {{version}} to the canary (optional)\n");
    let (_, _, prompter) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            Scripted::Value("1.4.2".into()),
            Do(Action::Failed {
                note: Some("canary refused it".into()),
            }),
        ],
    );
    let summary = prompter.summary.unwrap();
    let failed: Vec<&str> = summary.failed.iter().map(|i| &*i.text).collect();
    assert_eq!(failed, ["Deploy 1.4.2 to the canary (optional)"]);
}

/// An optional rollback step ("if applicable") that applied and failed
/// left the service unrestored: the way back failed, and so did the run.
/// Answered n/a, it did not apply.
#[test]
fn an_optional_rollback_step_that_failed_fails_the_rollback() {
    let list = checklist(
        "# O\n## Ship\n### Rollback Triggers\n- [ ] Errors spike\n### Rollback Steps\nIf rollback required:\n\n- [ ] Revert the release\n- [ ] Database restored (if applicable)\n",
    );
    assert!(list.items().last().unwrap().2.optional);
    let (ending, record, _) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            occurred("5xx"),
            done(),
            Do(Action::Failed {
                note: Some("snapshot missing".into()),
            }),
        ],
    );
    assert_eq!(ending, Ending::Finished(Outcome::Failed));
    assert_eq!(record.run.outcome, Outcome::Failed);
    let (ending, _, _) = go(
        &list,
        &clock(),
        None,
        false,
        vec![
            occurred("5xx"),
            done(),
            Do(Action::NotApplicable {
                reason: Some("no schema change".into()),
            }),
        ],
    );
    assert_eq!(ending, Ending::Finished(Outcome::RolledBack));
}
