//! The real binary in a pseudo-terminal: keys in, screens out, the record
//! on disk checked after a full run, after a kill -9 and a resume, and
//! against a second runner.

use std::path::{Path, PathBuf};
use std::process::Command;

use expectrl::Expect;
use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession as Session;
use relcheck::record::{Outcome, Record, Status};

use crate::support::{pty, relcheck};

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

struct Dir {
    _tmp: tempfile::TempDir,
    path: PathBuf,
}

fn setup() -> Dir {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().to_path_buf();
    std::fs::write(path.join("mini.md"), MINI).unwrap();
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
        .map(|i| (i.id.clone(), i.status, i.value.clone()))
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
    let command = record.items[2].command.as_ref().unwrap();
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
    assert_eq!(record.items[0].value.as_deref(), Some("T-2"));
    assert_eq!(record.items[2].status, Status::Done);
    let actions: Vec<&str> = record.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "start", "answer", "answer", "resume", "answer", "answer", "finish"
        ]
    );
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
        .expect("is in use by another run (operator Ada")
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
}
