//! What a run makes of the seeds' shapes at run time: a section's command
//! run from any of its items (seed 002), each step's expected output on
//! its screens and in reports (seed 004), a variable named only in prose
//! never asked (seed 003), and the sign-off sheet's execution fields filled
//! in from the run while contacts stay reference (seed 002).

use expectrl::Expect;
use expectrl::process::unix::WaitStatus;
use relcheck::record::{EventAction, Outcome, Record, Status};

use crate::support::{Test, pty, relcheck};

/// Seed 002's "11. Run Validation Script": one block above the items it
/// informs.
const VALIDATE: &str = "# Ship

## Validate

### Run the validator

```sh
echo \"score 92\"
```

- [ ] Validator ran
- [ ] Warnings reviewed
";

fn only_record(dir: &std::path::Path) -> Record {
    let records: Vec<_> = std::fs::read_dir(dir.join("relcheck-records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert_eq!(records.len(), 1, "{records:?}");
    Record::load(&records[0]).unwrap()
}

fn exit_code(session: &expectrl::session::OsSession) -> i32 {
    match session.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("not an exit: {other:?}"),
    }
}

#[test]
fn a_sections_command_shows_on_each_item_and_r_runs_it_from_any() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ship.md"), VALIDATE).unwrap();
    let mut run = pty(dir.path(), &["run", "ship.md"]);
    run.expect("CHECK  Validator ran\r\n  the section's command (r runs it from any of its items):\r\n  $ echo \"score 92\"")
        .unwrap();
    run.send("y").unwrap();
    run.expect("CHECK  Warnings reviewed\r\n  the section's command (r runs it from any of its items):\r\n  $ echo \"score 92\"")
        .unwrap();
    run.send("r").unwrap();
    run.expect("│ score 92").unwrap();
    run.expect("» command exit 0: Enter marks it done").unwrap();
    run.send("\r").unwrap();
    run.expect("Run finished: SUCCESS").unwrap();
    assert_eq!(exit_code(&run), 0);

    let record = only_record(dir.path());
    // Recorded on the item it was run from, as an item's own command is.
    assert_eq!(record.items[0].rare.command, None);
    let ran = record.items[1]
        .rare
        .command
        .as_ref()
        .expect("the run is kept");
    assert_eq!(
        (ran.command.as_str(), ran.exit_code, ran.output.as_str()),
        ("echo \"score 92\"", Some(0), "score 92\n")
    );
    let commands: Vec<_> = record
        .events
        .iter()
        .filter(|e| e.action == EventAction::Command)
        .map(|e| e.item.as_deref().unwrap())
        .collect();
    assert_eq!(commands, ["validate/run-the-validator/warnings-reviewed"]);
}

#[test]
fn a_pipeline_leaves_a_sections_command_to_the_answers() {
    // Run for each item, the validator's exit code would settle "Warnings
    // reviewed" too: the answers file answers them, and nothing runs.
    let ran = Test::new()
        .file("ship.md", VALIDATE)
        .file(
            "answers.yaml",
            "items:\n  Validator ran: done\n  Warnings reviewed: done\n",
        )
        .args(&[
            "run",
            "ship.md",
            "--non-interactive",
            "--answers",
            "answers.yaml",
        ])
        .stderr(
            "Ship: 2 items (2 checks, 0 triggers, 0 fields, 0 sign-offs)
ok      Validator ran
ok      Warnings reviewed
2 passed, 0 failed, 0 skipped, 0 pending
",
        )
        .run();
    let record = ran.record();
    assert!(record.items.iter().all(|item| item.rare.command.is_none()));
    assert!(
        record
            .events
            .iter()
            .all(|e| e.action != EventAction::Command)
    );
}

/// Seed 004's shape: plain-text steps, each with its expected output.
const STEPS: &str = "Schema Change
Apply a schema change safely.
Steps (2)
Backup
Take a fresh backup.
Checklist
- Full backup taken
Expected Output
A restorable backup, minutes old.
Apply
Run the migration.
Checklist
- Migration applied
Expected Output
New columns present, no errors in the log.
";

#[test]
fn each_steps_expected_output_is_on_its_screens_and_in_every_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("steps.txt"), STEPS).unwrap();
    let mut run = pty(dir.path(), &["run", "steps.txt"]);
    run.expect("CHECK  Full backup taken\r\n  expected: A restorable backup, minutes old.")
        .unwrap();
    run.send("y").unwrap();
    run.expect(
        "CHECK  Migration applied\r\n  expected: New columns present, no errors in the log.",
    )
    .unwrap();
    run.send("y").unwrap();
    run.expect("Run finished: SUCCESS").unwrap();
    assert_eq!(exit_code(&run), 0);

    let record = only_record(dir.path());
    let expected: Vec<_> = record
        .checklist
        .phases
        .iter()
        .map(|p| p.expected_output.as_deref())
        .collect();
    assert_eq!(
        expected,
        [
            Some("A restorable backup, minutes old."),
            Some("New columns present, no errors in the log.")
        ]
    );
    let report = |format: &str| {
        let out = relcheck(&["report", "--format", format])
            .cwd(dir.path())
            .run();
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        out.stdout
    };
    let text = report("text");
    assert!(
        text.contains("Backup  (1 item)\n  expected: A restorable backup, minutes old.\n  ✓ Full backup taken\n"),
        "{text}"
    );
    let markdown = report("markdown");
    assert!(
        markdown.contains("## Apply\n\n*Expected:* New columns present, no errors in the log.\n\n- [x] Migration applied"),
        "{markdown}"
    );
    let html = report("html");
    assert!(
        html.contains("<p class=\"expected\"><span class=\"label\">Expected:</span> A restorable backup, minutes old.</p>"),
        "{html}"
    );
    let json: serde_json::Value = serde_json::from_str(&report("json")).unwrap();
    assert_eq!(
        json["checklist"]["phases"][1]["expected_output"],
        "New columns present, no errors in the log."
    );
}

/// Seed 003's shape: front matter, a prompt-like paragraph naming two
/// variables, and the checklist inside one fence.
const FENCED: &str = "---
title: Rollout
---

Steps for a rollout.

```
Given {{service}} and its {{settings}}, work through the list below.

# Rollout Checklist

## Before
- [ ] Change approved
- [ ] Backup taken
```
";

#[test]
fn a_variable_named_only_in_prose_is_never_asked() {
    let ran = Test::new()
        .file("rollout.md", FENCED)
        .file(
            "answers.yaml",
            "items:\n  Change approved: done\n  Backup taken: done\n",
        )
        .args(&[
            "run",
            "rollout.md",
            "--non-interactive",
            "--answers",
            "answers.yaml",
        ])
        .stderr(
            "Rollout Checklist: 2 items (2 checks, 0 triggers, 0 fields, 0 sign-offs)
ok      Change approved
ok      Backup taken
2 passed, 0 failed, 0 skipped, 0 pending
",
        )
        .run();
    let record = ran.record();
    // Asked and left unanswered, each would be an `unset` event.
    let actions: Vec<&str> = record.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["start", "finish"]);
    assert!(record.values.is_empty(), "{:?}", record.values);
    let show = relcheck(&["show", "rollout.md", "--format", "json"])
        .cwd(ran.dir.path())
        .run();
    let view: serde_json::Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(
        view["variables"],
        serde_json::json!(["service", "settings"])
    );
}

/// Seed 002's sign-off sheet: execution fields, a review, contacts.
const SHEET: &str = "# Ship

## Deploy

- [ ] Deployed

### Rollback Triggers

- [ ] Error rate up

### Rollback Steps

- [ ] Previous version restored

## Sign-Off

### Deployment Execution

- **Deployed By**: _______________
- **Deployment Date**: _______________
- **Deployment Duration**: _______________
- **Outcome**: Success / Rollback

### Post-Deployment Review

- **Review Date**: _______________

## Appendix

### Emergency Contacts

- **On-Call DevOps**: [Phone/Email]
- **Incident Channel**: #incident-{date}
";

fn sheet_run(answers: &str, code: i32, stderr: &str) -> crate::support::Ran {
    Test::new()
        .file("ship.md", SHEET)
        .file("answers.yaml", answers)
        .args(&[
            "run",
            "ship.md",
            "--non-interactive",
            "--answers",
            "answers.yaml",
        ])
        .code(code)
        .stderr(stderr)
        .run()
}

#[test]
fn the_execution_fields_are_filled_from_the_run_and_contacts_are_not_asked() {
    let ran = sheet_run(
        "values:\n  Deployed By: Jo\n  Review Date: 2026-12-01\nitems:\n  Deployed: done\n  Error rate up: not-occurred\n",
        0,
        "Ship: 8 items (2 checks, 1 triggers, 5 fields, 0 sign-offs)
ok      Deployed
ok      Error rate up
ok      Deployed By
ok      Deployment Date
ok      Deployment Duration
ok      Outcome
ok      Review Date
7 passed, 0 failed, 0 skipped, 0 pending, 1 not needed
",
    );
    let record = ran.record();
    assert_eq!(record.run.outcome, Outcome::Success);
    let day = record.run.started.format("%Y-%m-%d").to_string();
    let fields: Vec<_> = record
        .items
        .iter()
        .filter(|item| &*item.phase == "sign-off")
        .map(|item| {
            (
                item.text.as_ref(),
                item.rare.value.as_deref().unwrap(),
                item.source.as_ref().unwrap().kind.as_str(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("Deployed By", "Jo", "answers-file"),
            ("Deployment Date", day.as_str(), "run"),
            ("Deployment Duration", "0 s", "run"),
            ("Outcome", "Success", "run"),
            ("Review Date", "2026-12-01", "answers-file"),
        ]
    );
    let text = relcheck(&["report"]).cwd(ran.dir.path()).run().stdout;
    assert!(
        text.contains("    ✓ Outcome: Success\n      from: the run, not typed\n"),
        "{text}"
    );
}

#[test]
fn the_outcome_says_rollback_when_one_was_called() {
    let ran = sheet_run(
        "values:\n  Deployed By: Jo\n  Review Date: 2026-12-01\nitems:\n  Deployed: done\n  Error rate up: {status: occurred, note: 5xx at 7%}\n  Previous version restored: done\n",
        1,
        "Ship: 8 items (2 checks, 1 triggers, 5 fields, 0 sign-offs)
ok      Deployed
FAIL    Error rate up: 5xx at 7%
ok      Previous version restored
ok      Deployed By
ok      Deployment Date
ok      Deployment Duration
ok      Outcome
ok      Review Date
7 passed, 1 failed, 0 skipped, 0 pending
",
    );
    let record = ran.record();
    assert_eq!(record.run.outcome, Outcome::RolledBack);
    let outcome = record
        .item("sign-off/deployment-execution/outcome")
        .unwrap();
    assert_eq!(
        (outcome.status, outcome.rare.value.as_deref()),
        (Status::Done, Some("Rollback"))
    );
}

#[test]
fn what_the_run_filled_in_is_covered_by_the_digest() {
    let ran = sheet_run(
        "values:\n  Deployed By: Jo\n  Review Date: 2026-12-01\nitems:\n  Deployed: done\n  Error rate up: not-occurred\n",
        0,
        "Ship: 8 items (2 checks, 1 triggers, 5 fields, 0 sign-offs)
ok      Deployed
ok      Error rate up
ok      Deployed By
ok      Deployment Date
ok      Deployment Duration
ok      Outcome
ok      Review Date
7 passed, 0 failed, 0 skipped, 0 pending, 1 not needed
",
    );
    let dir = ran.path("relcheck-records");
    let path = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let yaml = std::fs::read_to_string(&path).unwrap();
    // Passing a typed answer off as the run's, or the other way round.
    let forged = yaml.replacen("  source: run\n", "", 1);
    assert_ne!(forged, yaml);
    std::fs::write(&path, forged).unwrap();
    let out = relcheck(&["verify", path.to_str().unwrap()])
        .cwd(ran.dir.path())
        .run();
    assert_eq!(out.code, 5, "{}{}", out.stdout, out.stderr);
}

#[test]
fn at_a_terminal_who_deployed_is_offered_and_what_the_run_filled_in_is_said_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ship.md"), SHEET).unwrap();
    let mut run = pty(dir.path(), &["run", "ship.md"]);
    run.expect("CHECK  Deployed").unwrap();
    // The screen is whole once its key line is: a key sent before that may
    // land before the screen takes fresh keys.
    run.expect("q quit").unwrap();
    run.send("y").unwrap();
    run.expect("Did this happen?").unwrap();
    run.send("n").unwrap();
    // The operator, offered: Enter takes it.
    run.expect("Deployed By [Ada]:").unwrap();
    run.send("\r").unwrap();
    // The date, duration and outcome are not asked: the review is next.
    run.expect("FIELD  Review Date").unwrap();
    run.expect("Review Date:").unwrap();
    run.send("2026-12-01\r").unwrap();
    run.expect("Run finished: SUCCESS").unwrap();
    run.expect("Deployment Duration filled in from the run: ")
        .unwrap();
    run.expect("Outcome filled in from the run: Success")
        .unwrap();
    assert_eq!(exit_code(&run), 0);
    let record = only_record(dir.path());
    let deployed_by = record
        .item("sign-off/deployment-execution/deployed-by")
        .unwrap();
    assert_eq!(
        (
            deployed_by.rare.value.as_deref(),
            deployed_by.source.as_ref()
        ),
        (Some("Ada"), None)
    );
    let kinds: Vec<_> = record
        .items
        .iter()
        .filter_map(|item| {
            item.source
                .as_ref()
                .map(|s| (item.text.as_ref(), s.kind.as_str()))
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("Deployment Date", "run"),
            ("Deployment Duration", "run"),
            ("Outcome", "run")
        ]
    );
}

#[test]
fn an_outcome_reached_out_of_turn_is_asked_not_filled_in() {
    // Gone to with `g` before the deployment is done, "Success" would be a
    // guess: it is neither filled in nor offered; the operator decides.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ship.md"), SHEET).unwrap();
    let mut run = pty(dir.path(), &["run", "ship.md"]);
    run.expect("CHECK  Deployed").unwrap();
    // The screen is whole once its key line is: a key sent before that may
    // land before the screen takes fresh keys.
    run.expect("q quit").unwrap();
    run.send("g").unwrap();
    run.expect("Go to item").unwrap();
    run.send("sign-off/deployment-execution/outcome\r").unwrap();
    run.expect("1) Success  2) Rollback\r\n  Outcome: ")
        .unwrap();
    run.send(":q\r").unwrap();
    run.expect("saved: ").unwrap();
    assert_eq!(exit_code(&run), 4);
    let record = only_record(dir.path());
    let outcome = record
        .item("sign-off/deployment-execution/outcome")
        .unwrap();
    assert_eq!(outcome.status, Status::Pending);
}

#[test]
fn an_outcome_is_not_called_a_success_while_items_before_it_are_open() {
    // "Deployed" is not answered: the run cannot say the deployment went
    // well, so the outcome is left to a person, like any open question.
    let ran = sheet_run(
        "values:\n  Deployed By: Jo\n  Review Date: 2026-12-01\nitems:\n  Error rate up: not-occurred\n",
        4,
        "Ship: 8 items (2 checks, 1 triggers, 5 fields, 0 sign-offs)
pending Deployed
ok      Error rate up
ok      Deployed By
ok      Deployment Date
ok      Deployment Duration
pending Outcome
ok      Review Date
5 passed, 0 failed, 0 skipped, 2 pending, 1 not needed
",
    );
    let record = ran.record();
    assert_eq!(record.run.outcome, Outcome::Incomplete);
    let outcome = record
        .item("sign-off/deployment-execution/outcome")
        .unwrap();
    assert_eq!(
        (outcome.status, outcome.rare.value.as_deref()),
        (Status::Pending, None)
    );
}

#[test]
fn a_measured_item_takes_its_value_from_its_sections_command() {
    // Seed 002's "Validation score >= 80/100" under the validator's block:
    // `r` runs the section's command, and its last line settles the item.
    let dir = tempfile::tempdir().unwrap();
    let list = "# Ship\n\n## Validate\n\n### Run the validator\n\n```sh\necho \"checks: 41 passed\"; echo 92\n```\n\n- [ ] Validator ran\n- [ ] Validation score >= 80/100\n";
    std::fs::write(dir.path().join("ship.md"), list).unwrap();
    let mut run = pty(dir.path(), &["run", "ship.md"]);
    run.expect("CHECK  Validator ran").unwrap();
    run.send("y").unwrap();
    run.expect("CHECK  Validation score >= 80/100").unwrap();
    run.expect("the section's command (r runs it from any of its items):")
        .unwrap();
    run.send("r").unwrap();
    run.expect("Run finished: SUCCESS").unwrap();
    assert_eq!(exit_code(&run), 0);
    let record = only_record(dir.path());
    let score = &record.items[1];
    let measure = score.rare.measure.as_ref().unwrap();
    assert_eq!(
        (
            score.status,
            measure.value.as_deref(),
            score.source.as_ref().unwrap().kind.as_str(),
            score.rare.command.as_ref().unwrap().output.as_str()
        ),
        (
            Status::Done,
            Some("92/100"),
            "command",
            "checks: 41 passed\n92\n"
        )
    );
}
