//! The real binary in a pseudo-terminal: keys in, screens out, the record
//! on disk checked after a full run, after a kill -9 and a resume, and
//! against a second runner; keys typed ahead, Ctrl-C during a command, a
//! rollback called during a wait, and the keys that move about the
//! checklist (l, g, /, A).

use std::path::{Path, PathBuf};
use std::process::Command;

use expectrl::Expect;
use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession as Session;
use relcheck::record::{Outcome, Record, Status};

use crate::support::{pty, pty_with, relcheck};

const MINI: &str = "# Mini
## Do
- **Ticket**: ___
- [ ] First
- [ ] Second
  ```sh
  echo second-ran
  ```
## Watch
### Rollback Triggers
- [ ] Errors
### Rollback Steps
- [ ] Revert
";

/// A night with a slow command, a wait, a section to pass over in bulk,
/// and rollback steps.
const NIGHT: &str = "# Night
## Deploy
### Rollout
- [ ] Rollout started
  ```sh
  echo started; sleep 30
  ```
- [ ] Canary healthy
- [ ] Metrics watched <!-- relcheck: wait=1m -->
### Extras
- [ ] Docs updated
- [ ] Blog post drafted
- [ ] Tweet sent
## Back
### Rollback Steps
- [ ] Revert the deploy
- [ ] Tell the channel
";

struct Dir {
    _tmp: tempfile::TempDir,
    path: PathBuf,
}

fn setup() -> Dir {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().to_path_buf();
    std::fs::write(path.join("mini.md"), MINI).unwrap();
    std::fs::write(path.join("night.md"), NIGHT).unwrap();
    Dir { _tmp: tmp, path }
}

fn exit_code(session: &Session) -> i32 {
    match session.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("not an exit: {other:?}"),
    }
}

fn only_record(dir: &Path) -> PathBuf {
    let records: Vec<PathBuf> = std::fs::read_dir(dir.join("relcheck-records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert_eq!(records.len(), 1, "{records:?}");
    records[0].clone()
}

fn statuses(record: &Record) -> Vec<(String, Status, Option<String>)> {
    record
        .items
        .iter()
        .map(|i| (i.id.to_string(), i.status, i.rare.value.clone()))
        .collect()
}

#[test]
fn a_full_run_at_a_terminal_writes_the_record() {
    let dir = setup();
    let mut run = pty(&dir.path, &["run", "mini.md"]);
    run.expect("Ticket:").unwrap();
    run.send("T-1\r").unwrap();
    run.expect("First").unwrap();
    run.send("y").unwrap();
    run.expect("Second").unwrap();
    run.send("r").unwrap();
    run.expect("second-ran").unwrap();
    run.expect("Enter: done").unwrap();
    run.send("\r").unwrap();
    run.expect("Did this happen?").unwrap();
    run.send("n").unwrap();
    run.expect("Run finished: SUCCESS").unwrap();
    assert_eq!(exit_code(&run), 0);

    let record = Record::load(&only_record(&dir.path)).unwrap();
    assert_eq!(
        statuses(&record),
        [
            ("do/ticket".into(), Status::Done, Some("T-1".into())),
            ("do/first".into(), Status::Done, None),
            ("do/second".into(), Status::Done, None),
            (
                "watch/rollback-triggers/errors".into(),
                Status::NotOccurred,
                None
            ),
            (
                "watch/rollback-steps/revert".into(),
                Status::NotNeeded,
                None
            ),
        ]
    );
    let command = record.items[2].rare.command.as_ref().unwrap();
    assert_eq!(
        (command.exit_code, command.output.as_str()),
        (Some(0), "second-ran\n")
    );
    assert_eq!(record.run.operator, "Ada");
    assert_eq!(record.run.outcome, Outcome::Success);
}

#[test]
fn kill_9_loses_no_answer_and_resume_goes_on() {
    let dir = setup();
    let mut run = pty(&dir.path, &["run", "mini.md"]);
    run.expect("Ticket:").unwrap();
    run.send("T-2\r").unwrap();
    run.expect("First").unwrap();
    run.send("y").unwrap();
    run.expect("Second").unwrap();
    let pid = run.get_process().pid().to_string();
    assert!(
        Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success()
    );
    let _ = run.get_process().wait();

    let path = only_record(&dir.path);
    let record = Record::load(&path).unwrap();
    assert_eq!(record.run.outcome, Outcome::InProgress);
    assert_eq!(
        statuses(&record)[..3],
        [
            ("do/ticket".into(), Status::Done, Some("T-2".into())),
            ("do/first".into(), Status::Done, None),
            ("do/second".into(), Status::Pending, None),
        ]
    );

    // No name needed: the newest run in progress.
    let mut resumed = pty(&dir.path, &["resume"]);
    resumed
        .expect("Resuming: 2 items already answered.")
        .unwrap();
    resumed.expect("Second").unwrap();
    resumed.send("y").unwrap();
    resumed.expect("Did this happen?").unwrap();
    resumed.send("n").unwrap();
    resumed.expect("Run finished: SUCCESS").unwrap();
    assert_eq!(exit_code(&resumed), 0);
    let record = Record::load(&path).unwrap();
    assert_eq!(record.items[0].rare.value.as_deref(), Some("T-2"));
    assert_eq!(record.items[2].status, Status::Done);
    let actions: Vec<&str> = record.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["start", "resume", "finish"]);
}

#[test]
fn a_second_runner_on_the_same_record_is_refused() {
    let dir = setup();
    let mut first = pty(&dir.path, &["run", "mini.md"]);
    first.expect("Ticket:").unwrap();
    let path = only_record(&dir.path);
    let path_arg = path.display().to_string();
    let mut second = pty(&dir.path, &["resume", &path_arg]);
    second
        .expect(
            format!(
                "{path_arg} is in use by another run: its lock {path_arg}.lock is held by pid "
            )
            .as_str(),
        )
        .unwrap();
    second
        .expect(
            format!(
                " on {} (operator Ada) since ",
                relcheck::system::host_name()
            )
            .as_str(),
        )
        .unwrap();
    second
        .expect(", which is still running; wait for it to finish, or stop that run (it keeps every answer it saved), then try again")
        .unwrap();
    assert_eq!(exit_code(&second), 6);
    // The first is untouched and finishes.
    first.send("T-3\r").unwrap();
    first.expect("First").unwrap();
    first.send("q").unwrap();
    first.expect("resume with: relcheck resume").unwrap();
    assert_eq!(exit_code(&first), 4);
}

#[test]
fn without_a_terminal_run_refuses_instead_of_hanging() {
    let dir = setup();
    let out = relcheck(&["run", "mini.md"]).cwd(&dir.path).run();
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            2,
            "error: standard input is not a terminal, so nobody can answer; in a pipeline use `relcheck run FILE --non-interactive [--answers FILE]`\n"
        )
    );
    assert!(!dir.path.join("relcheck-records").exists());
    // A mistyped checklist is named first, terminal or not.
    let out = relcheck(&["run", "nope.md"]).cwd(&dir.path).run();
    assert_eq!(out.code, 3);
    assert!(out.stderr.starts_with("error: nope.md: "), "{}", out.stderr);
}

fn actions(record: &Record) -> Vec<(String, Option<String>, Option<String>)> {
    record
        .events
        .iter()
        .map(|e| {
            (
                e.action.as_str().to_string(),
                e.item.clone(),
                e.detail.clone(),
            )
        })
        .collect()
}

fn event(
    action: &str,
    item: Option<&str>,
    detail: Option<&str>,
) -> (String, Option<String>, Option<String>) {
    (
        action.to_string(),
        item.map(str::to_string),
        detail.map(str::to_string),
    )
}

/// Quits with `q` from an item's screen: the run is saved, exit 4.
fn quit(run: &mut Session) {
    run.send("q").unwrap();
    run.expect("resume with: relcheck resume").unwrap();
    assert_eq!(exit_code(run), 4);
}

#[test]
fn ctrl_u_clears_the_line_being_typed() {
    let dir = setup();
    let mut run = pty(&dir.path, &["run", "mini.md"]);
    run.expect("Ticket:").unwrap();
    run.send("T-WRONG").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    run.send("\u{15}T-2\r").unwrap();
    run.expect("CHECK  First").unwrap();
    quit(&mut run);
    let record = Record::load(&only_record(&dir.path)).unwrap();
    assert_eq!(record.items[0].rare.value.as_deref(), Some("T-2"));
}

#[test]
fn keys_typed_ahead_answer_one_item_only() {
    let dir = setup();
    let mut run = pty(&dir.path, &["run", "mini.md"]);
    run.expect("Ticket:").unwrap();
    run.send("T-1\r").unwrap();
    run.expect("CHECK  First").unwrap();
    // One write: the first y answers First; the rest were typed before
    // Second's screen was drawn.
    run.send("yyyyy").unwrap();
    run.expect("CHECK  Second").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    quit(&mut run);
    let record = Record::load(&only_record(&dir.path)).unwrap();
    assert_eq!(
        statuses(&record)[..3],
        [
            ("do/ticket".into(), Status::Done, Some("T-1".into())),
            ("do/first".into(), Status::Done, None),
            ("do/second".into(), Status::Pending, None),
        ]
    );
    // Two answers, both in their items above: nothing else happened.
    assert_eq!(actions(&record)[1..], [event("pause", None, None)]);
}

/// Answers the night's first three items done, without running or
/// waiting.
fn through_rollout(run: &mut Session) {
    for text in [
        "CHECK  Rollout started",
        "CHECK  Canary healthy",
        "CHECK  Metrics watched",
    ] {
        run.expect(text).unwrap();
        run.send("y").unwrap();
    }
}

#[test]
fn ctrl_c_during_a_command_stops_only_the_command() {
    let dir = setup();
    let mut run = pty(&dir.path, &["run", "night.md"]);
    run.expect("CHECK  Rollout started").unwrap();
    run.send("r").unwrap();
    run.expect("Ctrl-C stops the command").unwrap();
    run.expect("started").unwrap();
    run.send("\x03").unwrap();
    run.expect("command interrupted: y done, n failed, r runs it again")
        .unwrap();
    run.send("y").unwrap();
    for text in ["CHECK  Canary healthy", "CHECK  Metrics watched"] {
        run.expect(text).unwrap();
        run.send("y").unwrap();
    }
    for text in ["Docs updated", "Blog post drafted", "Tweet sent"] {
        run.expect(format!("CHECK  {text}").as_str()).unwrap();
        run.send("y").unwrap();
    }
    run.expect("Run finished: SUCCESS").unwrap();
    assert_eq!(exit_code(&run), 0);
    let record = Record::load(&only_record(&dir.path)).unwrap();
    let first = &record.items[0];
    assert_eq!(first.status, Status::Done);
    let command = first.rare.command.as_ref().unwrap();
    assert_eq!(
        (
            command.interrupted,
            command.exit_code,
            command.timed_out,
            command.output.as_str()
        ),
        (true, None, false, "started\n")
    );
    assert!(command.duration_seconds < 20.0, "{command:?}");
    assert_eq!(record.run.outcome, Outcome::Success);
    let command_event = &record.events[1];
    assert_eq!(
        (command_event.action.as_str(), command_event.item.as_deref()),
        ("command", Some("deploy/rollout/rollout-started"))
    );
    assert!(
        command_event
            .detail
            .as_deref()
            .is_some_and(|d| d.starts_with("interrupted; stopped with SIGTERM (")),
        "{command_event:?}"
    );
}

#[test]
fn r_during_a_wait_calls_a_rollback_and_its_steps_come_next() {
    let dir = setup();
    let mut run = pty(&dir.path, &["run", "night.md"]);
    for text in ["CHECK  Rollout started", "CHECK  Canary healthy"] {
        run.expect(text).unwrap();
        run.send("y").unwrap();
    }
    run.expect("CHECK  Metrics watched").unwrap();
    run.send("w").unwrap();
    run.expect("» waiting 1 min").unwrap();
    run.expect("left of 1 min").unwrap();
    run.send("R").unwrap();
    run.expect("Why roll back?").unwrap();
    run.send("canary errors\r").unwrap();
    run.expect("ROLLBACK CALLED").unwrap();
    run.expect("CHECK  Revert the deploy").unwrap();
    quit(&mut run);
    let record = Record::load(&only_record(&dir.path)).unwrap();
    let rollback = record.rollback.as_ref().unwrap();
    assert_eq!(
        (rollback.cause.as_str(), rollback.reason.as_deref()),
        ("operator", Some("canary errors"))
    );
    assert_eq!(record.run.outcome, Outcome::RollingBack);
    let watched = record.item("deploy/rollout/metrics-watched").unwrap();
    let wait = watched.rare.wait.as_ref().unwrap();
    assert_eq!(
        (
            watched.status,
            wait.requested_seconds,
            wait.cut_short,
            wait.ended.is_some()
        ),
        (Status::Pending, 60, true, true)
    );
    let kinds: Vec<String> = record
        .events
        .iter()
        .map(|e| e.action.as_str().to_string())
        .collect();
    assert_eq!(kinds, ["start", "wait", "wait", "rollback", "pause"]);
    assert_eq!(
        record.events[3].detail.as_deref(),
        Some("called by operator: canary errors")
    );
}

#[test]
fn l_lists_every_item_and_esc_comes_back() {
    let dir = setup();
    let mut run = pty(&dir.path, &["run", "mini.md"]);
    run.expect("Ticket:").unwrap();
    run.send("T-1\r").unwrap();
    run.expect("CHECK  First").unwrap();
    run.send("l").unwrap();
    run.expect("1 done · 0 failed · 0 skipped · 0 waived · 4 pending · 0 n/a")
        .unwrap();
    run.expect("  1 ✓ Ticket").unwrap();
    run.expect("> 2 ? First").unwrap();
    run.expect("  3 ? Second").unwrap();
    run.expect("rows 1–").unwrap();
    run.send("\x1b").unwrap();
    run.expect("CHECK  First").unwrap();
    run.send("y").unwrap();
    run.expect("CHECK  Second").unwrap();
    quit(&mut run);
    let record = Record::load(&only_record(&dir.path)).unwrap();
    assert_eq!(
        statuses(&record)[1..3],
        [
            ("do/first".into(), Status::Done, None),
            ("do/second".into(), Status::Pending, None),
        ]
    );
}

#[test]
fn g_goes_back_to_an_answered_item_and_corrects_it() {
    let dir = setup();
    let mut run = pty(&dir.path, &["run", "mini.md"]);
    run.expect("Ticket:").unwrap();
    run.send("T-1\r").unwrap();
    run.expect("CHECK  First").unwrap();
    run.send("y").unwrap();
    run.expect("CHECK  Second").unwrap();
    run.send("g").unwrap();
    run.expect("Go to item").unwrap();
    run.send("2\r").unwrap();
    run.expect("answered already: done; a new answer is recorded as a correction")
        .unwrap();
    run.send("n").unwrap();
    run.expect("What went wrong?").unwrap();
    run.send("flaky\r").unwrap();
    // Back where the run is.
    run.expect("CHECK  Second").unwrap();
    quit(&mut run);
    let record = Record::load(&only_record(&dir.path)).unwrap();
    let first = record.item("do/first").unwrap();
    assert_eq!(
        (first.status, first.rare.note.as_deref()),
        (Status::Failed, Some("flaky"))
    );
    assert_eq!(
        actions(&record)[1..],
        [
            event("correct", Some("do/first"), Some("was done, now failed")),
            event("pause", None, None),
        ]
    );
}

#[test]
fn slash_finds_an_item_by_its_words() {
    let dir = setup();
    let mut run = pty(&dir.path, &["run", "mini.md"]);
    run.expect("Ticket:").unwrap();
    run.send("T-1\r").unwrap();
    run.expect("CHECK  First").unwrap();
    run.send("/").unwrap();
    run.expect("Find").unwrap();
    run.send("SECOND\r").unwrap();
    run.expect("CHECK  Second").unwrap();
    run.send("y").unwrap();
    // Then back to the item the run had reached.
    run.expect("CHECK  First").unwrap();
    quit(&mut run);
    let record = Record::load(&only_record(&dir.path)).unwrap();
    assert_eq!(
        statuses(&record)[1..3],
        [
            ("do/first".into(), Status::Pending, None),
            ("do/second".into(), Status::Done, None),
        ]
    );
}

#[test]
fn a_answers_the_rest_of_a_section_not_applicable() {
    let dir = setup();
    let mut run = pty(&dir.path, &["run", "night.md"]);
    through_rollout(&mut run);
    run.expect("CHECK  Docs updated").unwrap();
    run.send("A").unwrap();
    run.expect("n/a for the rest of this section?").unwrap();
    run.send("a").unwrap();
    run.expect("Why is the rest of this section not applicable?")
        .unwrap();
    run.send("internal release\r").unwrap();
    run.expect("Run finished: SUCCESS").unwrap();
    assert_eq!(exit_code(&run), 0);
    let record = Record::load(&only_record(&dir.path)).unwrap();
    let extras: Vec<(Status, Option<&str>)> = record.items[3..6]
        .iter()
        .map(|i| (i.status, i.rare.reason.as_deref()))
        .collect();
    assert_eq!(
        extras,
        [(Status::NotApplicable, Some("internal release")); 3]
    );
    assert_eq!(
        actions(&record)[1],
        event(
            "bulk",
            Some("deploy/extras"),
            Some("3 items n/a: internal release")
        )
    );
}

#[test]
fn a_dumb_terminal_gets_no_escapes_at_all() {
    let dir = setup();
    let mut run = pty_with(&dir.path, &["run", "mini.md"], &[("TERM", "dumb")]);
    let mut seen = Vec::new();
    let mut step = |run: &mut Session, text: &str, keys: &str| {
        let found = run.expect(text).unwrap();
        seen.extend_from_slice(found.as_bytes());
        if !keys.is_empty() {
            run.send(keys).unwrap();
        }
    };
    step(&mut run, "Ticket:", "T-1\r");
    step(&mut run, "CHECK  First", "y");
    step(&mut run, "CHECK  Second", "r");
    step(&mut run, "Enter: done", "\r");
    step(&mut run, "Did this happen?", "n");
    step(&mut run, "Run finished: SUCCESS", "");
    assert_eq!(exit_code(&run), 0);
    let seen = String::from_utf8_lossy(&seen);
    assert!(!seen.contains('\x1b'), "{seen}");
    assert!(
        seen.contains(&format!("\r\n{}\r\n", "-".repeat(72))),
        "{seen}"
    );
}

/// mini.md run up to its trigger, "Errors", every step before it done.
fn at_the_trigger(dir: &Dir) -> Session {
    let mut run = pty(&dir.path, &["run", "mini.md"]);
    run.expect("Ticket:").unwrap();
    run.send("T-1\r").unwrap();
    run.expect("CHECK  First").unwrap();
    run.send("y").unwrap();
    run.expect("CHECK  Second").unwrap();
    run.send("y").unwrap();
    run.expect("TRIGGER  Errors").unwrap();
    run
}

#[test]
fn the_rest_of_a_burst_is_not_typed_into_the_question_it_opens() {
    let dir = setup();
    let mut run = at_the_trigger(&dir);
    // A tired double tap: the first y says it happened; the others were
    // typed before the question was asked.
    run.send("yyy").unwrap();
    run.expect("What happened?").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    run.send("5xx at 9%\r").unwrap();
    run.expect("CHECK  Revert").unwrap();
    quit(&mut run);
    let record = Record::load(&only_record(&dir.path)).unwrap();
    let rollback = record.rollback.unwrap();
    assert_eq!(rollback.reason.as_deref(), Some("5xx at 9%"));
}

/// Esc withdraws a question the item opened: the question and what was
/// typed into it leave the screen (left there, they read as still asked
/// while the keys that follow answer the item), and nothing is recorded.
#[test]
fn esc_takes_a_question_and_what_was_typed_off_the_screen() {
    let dir = setup();
    let mut run = at_the_trigger(&dir);
    run.send("y").unwrap();
    run.expect("What happened?").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    run.send("wrong key").unwrap();
    run.expect("wrong key").unwrap();
    run.send("\x1b").unwrap();
    // The line is erased where it stands.
    run.expect("\r\x1b[2K").unwrap();
    run.send("n").unwrap();
    run.expect("Run finished: SUCCESS").unwrap();
    assert_eq!(exit_code(&run), 0);
    let record = Record::load(&only_record(&dir.path)).unwrap();
    assert_eq!(record.rollback, None);
}

#[test]
fn an_items_screen_shows_the_notes_written_under_it() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("later.md"),
        "# Ship\n## Tags\n- [ ] Push the tags\n\n  Only after CI is green.\n\n  > Pushing starts the publish job.\n\n- [ ] Announce\n",
    )
    .unwrap();
    let mut run = pty(tmp.path(), &["run", "later.md"]);
    run.expect("Push the tags").unwrap();
    run.expect("• Only after CI is green.").unwrap();
    run.expect("• Pushing starts the publish job.").unwrap();
    run.send("y").unwrap();
    run.expect("Announce").unwrap();
    run.send("y").unwrap();
    run.expect("Run finished: SUCCESS").unwrap();
    assert_eq!(exit_code(&run), 0);
}
