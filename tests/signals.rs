//! The run ends cleanly however it is stopped: the terminal closed with no
//! signal, SIGHUP, SIGTERM, SIGINT, Ctrl-C; at an item, in the middle of a
//! typed line, while a command runs; at a terminal and in a pipeline. Each
//! time every answer is kept, the record is whole (its digest holds), an
//! `interrupt` event names the cause, a command in flight is stopped with
//! its output kept, and the process exits 130 by itself. And a command that
//! runs out of time says the time it was given.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use relcheck::record::{Outcome, Record, Status};

use crate::support::{BIN, RawPty, Test, relcheck};

const MINI: &str = "# Mini
## Do
- **Ticket**: ___
- [ ] First
- [ ] Second
";

/// A command that says where it is, then runs on; it leaves its shell's
/// pid (its process group's id) behind so the test can see it stopped.
const SLOW: &str = "# Slow
## Do
- **Ticket**: ___
- [ ] Rollout started
  ```sh
  echo $$ > group.pid; echo began; sleep 30
  ```
- [ ] Canary healthy
";

fn setup() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().to_path_buf();
    std::fs::write(path.join("mini.md"), MINI).unwrap();
    std::fs::write(path.join("slow.md"), SLOW).unwrap();
    (tmp, path)
}

/// The run's one record, checked whole: it loads, and its digest is the
/// one relcheck sealed it with, so no save was cut short.
fn record(dir: &Path) -> Record {
    let records: Vec<PathBuf> = std::fs::read_dir(dir.join("relcheck-records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert_eq!(records.len(), 1, "{records:?}");
    let record = Record::load(&records[0]).unwrap();
    assert_eq!(
        record.digest.as_deref(),
        Some(relcheck::record::digest(&record).as_str()),
        "the record is sealed"
    );
    record
}

fn statuses(record: &Record) -> Vec<(&str, Status)> {
    record
        .items
        .iter()
        .map(|i| (i.id.as_ref(), i.status))
        .collect()
}

/// The last event: `interrupt`, with what caused it.
fn last_event(record: &Record) -> (&str, Option<&str>) {
    let last = record.events.last().unwrap();
    (last.action.as_str(), last.detail.as_deref())
}

/// How the test stops the run.
#[derive(Clone, Copy, Debug)]
enum Stop {
    /// The terminal's master side closed; no signal from the test.
    Close,
    Signal(Signal),
}

impl Stop {
    fn apply(self, run: &mut RawPty) {
        match self {
            Stop::Close => run.close(),
            Stop::Signal(signal) => run.signal(signal),
        }
    }

    /// What the `interrupt` event says.
    fn cause(self) -> &'static str {
        match self {
            Stop::Close => "terminal closed",
            Stop::Signal(Signal::SIGHUP) => "SIGHUP",
            Stop::Signal(Signal::SIGTERM) => "SIGTERM",
            Stop::Signal(_) => "SIGINT",
        }
    }
}

const AT_A_TERMINAL: [Stop; 3] = [
    Stop::Close,
    Stop::Signal(Signal::SIGHUP),
    Stop::Signal(Signal::SIGTERM),
];

/// Ticket and First answered, then Second's screen is up.
fn to_second(run: &mut RawPty) {
    run.expect("Ticket:");
    run.send("T-1\r");
    run.expect("CHECK  First");
    run.send("y");
    run.expect("CHECK  Second");
}

#[test]
fn stopped_at_an_item_every_answer_is_kept_and_the_run_exits_130() {
    for stop in AT_A_TERMINAL {
        let (_tmp, dir) = setup();
        let mut run = RawPty::spawn(&dir, &["run", "mini.md"]);
        to_second(&mut run);
        stop.apply(&mut run);
        assert_eq!(run.exit_code(), 130, "{stop:?}");
        let record = record(&dir);
        assert_eq!(
            statuses(&record),
            [
                ("do/ticket", Status::Done),
                ("do/first", Status::Done),
                ("do/second", Status::Pending),
            ],
            "{stop:?}"
        );
        assert_eq!(record.items[0].rare.value.as_deref(), Some("T-1"));
        assert_eq!(
            last_event(&record),
            ("interrupt", Some(stop.cause())),
            "{stop:?}"
        );
        assert_eq!(record.run.outcome, Outcome::InProgress);
    }
}

#[test]
fn stopped_half_way_through_a_line_the_half_line_is_not_an_answer() {
    for stop in AT_A_TERMINAL {
        let (_tmp, dir) = setup();
        let mut run = RawPty::spawn(&dir, &["run", "mini.md"]);
        to_second(&mut run);
        run.send("n");
        run.expect("What went wrong?");
        run.send("disk fu");
        run.expect("disk fu");
        stop.apply(&mut run);
        assert_eq!(run.exit_code(), 130, "{stop:?}");
        let record = record(&dir);
        let second = record.item("do/second").unwrap();
        assert_eq!(
            (second.status, second.rare.note.as_deref()),
            (Status::Pending, None),
            "{stop:?}"
        );
        assert_eq!(record.item("do/first").unwrap().status, Status::Done);
        assert_eq!(
            last_event(&record),
            ("interrupt", Some(stop.cause())),
            "{stop:?}"
        );
    }
}

/// Whether a process (or group leader) of this pid is still there; a
/// zombie of ours would count, but the group's shell is relcheck's child.
fn alive(pid: i32) -> bool {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
}

/// The command's process group, gone within a few seconds.
fn group_stopped(dir: &Path) {
    let pid: i32 = std::fs::read_to_string(dir.join("group.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!alive(pid), "the command's shell {pid} still runs");
}

/// The command stopped and kept as far as it got: pending, its output so
/// far, `interrupted`, and its `command` event saying how it was stopped.
fn command_kept(record: &Record) {
    let item = record.item("do/rollout-started").unwrap();
    assert_eq!(item.status, Status::Pending);
    let command = item.rare.command.as_ref().unwrap();
    assert_eq!(
        (
            command.interrupted,
            command.timed_out,
            command.output.as_str()
        ),
        (true, false, "began\n")
    );
    assert!(command.duration_seconds < 10.0, "{command:?}");
    let event = &record.events[record.events.len() - 2];
    assert_eq!(
        (event.action.as_str(), event.item.as_deref()),
        ("command", Some("do/rollout-started"))
    );
    let detail = event.detail.as_deref().unwrap();
    assert!(
        detail.starts_with("interrupted; stopped with SIGTERM ("),
        "{detail}"
    );
}

#[test]
fn stopped_while_a_command_runs_the_command_is_stopped_and_its_output_kept() {
    for stop in AT_A_TERMINAL {
        let (_tmp, dir) = setup();
        let mut run = RawPty::spawn(&dir, &["run", "slow.md"]);
        run.expect("Ticket:");
        run.send("T-9\r");
        run.expect("CHECK  Rollout started");
        run.send("r");
        // After the line that says it runs: the item's screen shows the
        // command's text, which says `began` too.
        run.expect("running (timeout");
        run.expect("began");
        stop.apply(&mut run);
        assert_eq!(run.exit_code(), 130, "{stop:?}");
        group_stopped(&dir);
        let record = record(&dir);
        assert_eq!(record.items[0].rare.value.as_deref(), Some("T-9"));
        command_kept(&record);
        assert_eq!(
            last_event(&record),
            ("interrupt", Some(stop.cause())),
            "{stop:?}"
        );
    }
}

#[test]
fn stopped_during_a_wait_the_wait_stays_under_way_to_resume() {
    for stop in AT_A_TERMINAL {
        let tmp = tempfile::tempdir().unwrap();
        let list = "# Watch\n## Do\n- [ ] Metrics watched <!-- relcheck: wait=1m -->\n";
        std::fs::write(tmp.path().join("watch.md"), list).unwrap();
        let mut run = RawPty::spawn(tmp.path(), &["run", "watch.md"]);
        run.expect("CHECK  Metrics watched");
        run.send("w");
        run.expect("left of 1 min");
        stop.apply(&mut run);
        assert_eq!(run.exit_code(), 130, "{stop:?}");
        let record = record(tmp.path());
        let item = &record.items[0];
        let wait = item.rare.wait.as_ref().unwrap();
        assert_eq!(
            (item.status, wait.started.is_some(), wait.ended),
            (Status::Pending, true, None),
            "{stop:?}"
        );
        assert_eq!(
            last_event(&record),
            ("interrupt", Some(stop.cause())),
            "{stop:?}"
        );
    }
}

#[test]
fn ctrl_c_at_an_item_is_recorded_as_ctrl_c() {
    let (_tmp, dir) = setup();
    let mut run = RawPty::spawn(&dir, &["run", "mini.md"]);
    to_second(&mut run);
    run.send("\x03");
    run.expect("interrupted (Ctrl-C): every answer so far is saved; resume with: relcheck resume ");
    assert_eq!(run.exit_code(), 130);
    let record = record(&dir);
    assert_eq!(last_event(&record), ("interrupt", Some("Ctrl-C")));
    assert_eq!(record.item("do/first").unwrap().status, Status::Done);
}

#[test]
fn a_signal_says_which_it_was_on_the_terminal() {
    let (_tmp, dir) = setup();
    let mut run = RawPty::spawn(&dir, &["run", "mini.md"]);
    to_second(&mut run);
    run.signal(Signal::SIGTERM);
    run.expect(
        "interrupted (SIGTERM): every answer so far is saved; resume with: relcheck resume ",
    );
    assert_eq!(run.exit_code(), 130);
}

/// A real hang-up: the terminal was the process's controlling terminal,
/// so the kernel sends SIGHUP as the terminal's reads begin to fail.
/// Whichever relcheck notices first is the cause it records.
#[test]
fn a_real_hang_up_of_the_controlling_terminal_ends_the_run_the_same_way() {
    let (_tmp, dir) = setup();
    let mut run = RawPty::controlling(&dir, &["run", "slow.md"]);
    run.expect("Ticket:");
    run.send("T-9\r");
    run.expect("CHECK  Rollout started");
    run.send("r");
    run.expect("running (timeout");
    run.expect("began");
    run.close();
    assert_eq!(run.exit_code(), 130);
    group_stopped(&dir);
    let record = record(&dir);
    command_kept(&record);
    let (action, cause) = last_event(&record);
    assert_eq!(action, "interrupt");
    assert!(
        matches!(cause, Some("SIGHUP" | "terminal closed")),
        "{cause:?}"
    );
}

/// Standard output with nobody reading it while keys still come: the run
/// must not go on answering items nobody can see.
#[test]
fn a_screen_nobody_can_read_ends_the_run_as_a_closed_terminal_does() {
    let (_tmp, dir) = setup();
    let mut run = RawPty::unread_stdout(&dir, &["run", "mini.md"]);
    run.expect("interrupted (terminal closed): every answer so far is saved; resume with: relcheck resume ");
    assert_eq!(run.exit_code(), 130);
    let record = record(&dir);
    assert_eq!(last_event(&record), ("interrupt", Some("terminal closed")));
    assert!(
        record.items.iter().all(|i| i.status == Status::Pending),
        "{:?}",
        statuses(&record)
    );
}

// --- in a pipeline

/// `relcheck run slow.md --non-interactive --set ticket=T-9` stopped by
/// `signal` once its command has started: the output and the record.
/// A pipeline's run of SLOW, once its command has begun: the command
/// leaves its group's pid behind first.
fn slow_pipeline(dir: &Path) -> std::process::Child {
    let child = Command::new(BIN)
        .args(["run", "slow.md", "--non-interactive", "--set", "Ticket=T-9"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("RELCHECK_OPERATOR", "ci-bot")
        .env_remove("RELCHECK_RECORDS_DIR")
        .env_remove("GITHUB_ACTIONS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !dir.join("group.pid").exists() {
        assert!(Instant::now() < deadline, "the command never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The pid is written before `began` is printed.
    std::thread::sleep(Duration::from_millis(200));
    child
}

/// A pipeline's run stopped by `signal`: its folder (removed when the
/// guard is dropped) and the folder's path, then its exit code, standard
/// output and standard error.
fn pipeline_stopped(signal: Signal) -> (tempfile::TempDir, PathBuf, i32, String, String) {
    let (tmp, dir) = setup();
    let child = slow_pipeline(&dir);
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).unwrap();
    let out = child.wait_with_output().unwrap();
    let code = out.status.code().expect("an exit, not a death by signal");
    (
        tmp,
        dir,
        code,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// SIGKILL cannot be caught: a pipeline killed while a command runs
/// leaves that command running, and the record cannot say how it ended.
/// It says it started (saved before it did), so a resumed pipeline does
/// not run it again beside the first (a deploy twice): the item waits for
/// a person or the answers file, and the job says why.
#[test]
fn a_pipeline_killed_mid_command_is_resumed_without_running_it_again() {
    let (_tmp, dir) = setup();
    let child = slow_pipeline(&dir);
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, Signal::SIGKILL).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), None, "killed");
    let group = std::fs::read_to_string(dir.join("group.pid")).unwrap();
    let records: Vec<PathBuf> = std::fs::read_dir(dir.join("relcheck-records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    let saved = Record::load(&records[0]).unwrap();
    let run = saved.items[1].rare.command.as_ref().unwrap();
    assert!(run.running, "{run:?}");
    let resumed = relcheck(&["resume", records[0].to_str().unwrap(), "--non-interactive"])
        .cwd(&dir)
        .env("RELCHECK_OPERATOR", "ci-bot")
        .run();
    // The orphaned command is the test's to end now.
    let orphans = nix::unistd::Pid::from_raw(-group.trim().parse::<i32>().unwrap());
    let _ = nix::sys::signal::kill(orphans, Signal::SIGKILL);
    assert_eq!(resumed.code, 4, "{}", resumed.stderr);
    assert!(
        resumed.stderr.contains("pending Rollout started: its command was running when relcheck stopped, and may have done its work; not run again"),
        "{}",
        resumed.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("group.pid")).unwrap(),
        group,
        "run again"
    );
}

#[test]
fn a_cancelled_pipeline_records_the_signal_and_stops_the_command() {
    // SIGINT is what GitHub Actions sends first when a job is cancelled,
    // SIGTERM what GitLab and most supervisors send, SIGHUP a lost ssh.
    for signal in [Signal::SIGTERM, Signal::SIGHUP, Signal::SIGINT] {
        let (_tmp, dir, code, stdout, stderr) = pipeline_stopped(signal);
        assert_eq!(code, 130, "{signal}: {stderr}");
        group_stopped(&dir);
        let record = record(&dir);
        command_kept(&record);
        let cause = Stop::Signal(signal).cause();
        assert_eq!(last_event(&record), ("interrupt", Some(cause)));
        let last = stderr.lines().last().unwrap();
        assert!(
            last.starts_with(&format!(
                "interrupted ({cause}): every answer so far is saved; resume with: relcheck resume {}/slow-",
                Path::new("relcheck-records").display()
            )),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        // Where the record is, on standard output as for a finished run.
        let records: Vec<_> = std::fs::read_dir(dir.join("relcheck-records"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".yaml"))
            .collect();
        assert_eq!(
            stdout,
            format!(
                "record: {}\n",
                Path::new("relcheck-records").join(&records[0]).display()
            ),
            "{signal}"
        );
    }
}

// --- timeouts

const TIMEOUT: &str = "# Timeout
## Do
- [ ] Smoke test <!-- relcheck: timeout=1 -->
  ```sh
  echo waiting; sleep 30
  ```
";

#[test]
fn a_timeout_in_a_pipeline_says_the_time_asked_and_the_grace_apart() {
    let ran = Test::new()
        .file("timeout.md", TIMEOUT)
        .args(&["run", "timeout.md", "--non-interactive"])
        .code(1)
        .run();
    // The time taken varies; the words do not.
    let fail = ran.out.stderr.lines().nth(1).unwrap_or("");
    assert!(
        fail.starts_with("FAIL    Smoke test (")
            && fail.ends_with(" s): command timed out after 1 s; stopped with SIGTERM"),
        "{}",
        ran.out.stderr
    );
    let record = ran.record();
    let item = &record.items[0];
    let command = item.rare.command.as_ref().unwrap();
    assert_eq!(
        (
            command.timed_out,
            command.timeout_seconds,
            command.interrupted,
            command.output.as_str()
        ),
        (true, Some(1), false, "waiting\n")
    );
    assert_eq!(
        item.rare.note.as_deref(),
        Some("command timed out after 1 s; stopped with SIGTERM")
    );
    let event = record
        .events
        .iter()
        .find(|e| e.action.as_str() == "command")
        .unwrap();
    let detail = event.detail.as_deref().unwrap();
    assert!(
        detail.starts_with("timed out after 1 s; stopped with SIGTERM ("),
        "{detail}"
    );
}

#[test]
fn a_timeout_at_a_terminal_says_the_time_asked_and_the_grace_apart() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("timeout.md"), TIMEOUT).unwrap();
    let mut run = RawPty::spawn(tmp.path(), &["run", "timeout.md"]);
    run.expect("CHECK  Smoke test");
    run.send("r");
    run.expect("running (timeout 1 s;");
    run.expect("timed out after 1 s; stopped with SIGTERM (");
    run.expect("s in all)");
    // The item's screen, drawn again, says it too.
    run.expect("last run: timed out after 1 s (");
    run.expect("command timed out after 1 s: Enter marks it failed");
    run.send("q");
    run.expect("resume with: relcheck resume");
    assert_eq!(run.exit_code(), 4);
}

// --- nobody reading

/// `relcheck run X --non-interactive | head -1`: once the reader has gone,
/// the run still ends as it would have, with its record saved and its own
/// exit code (a failed run must not pass a pipeline with `pipefail`).
#[test]
fn a_closed_stdout_in_a_pipeline_ends_cleanly_with_the_record_saved() {
    for github in [false, true] {
        let (_tmp, dir) = setup();
        std::fs::write(dir.join("timeout.md"), TIMEOUT).unwrap();
        let mut child = Command::new(BIN)
            .args(["run", "timeout.md", "--non-interactive"])
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .env("RELCHECK_OPERATOR", "ci-bot")
            .env("GITHUB_ACTIONS", if github { "true" } else { "false" })
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("RELCHECK_RECORDS_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes before anything is written.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "github {github}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!stderr.contains("error"), "{stderr}");
        let record = record(&dir);
        assert_eq!(record.run.outcome, Outcome::Failed);
        assert_eq!(record.items[0].status, Status::Failed);
    }
}
