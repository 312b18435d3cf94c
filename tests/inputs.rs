//! Records, answers files and checklists that are not what they claim:
//! a named pipe nobody writes to, a device, a file past the size limit,
//! YAML nested 100,000 deep. Each ends at once with one line naming the
//! path, exit 3. Every run here has a deadline, so a regression fails the
//! test instead of hanging it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{BIN, Output};

/// Far more than any of these takes, far less than a hang.
const DEADLINE: Duration = Duration::from_secs(30);

/// `relcheck ARGS` in `dir`, killed and failed if it outlives
/// [`DEADLINE`].
fn within(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("RELCHECK_OPERATOR", "ci-bot")
        .env_remove("RELCHECK_RECORDS_DIR")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run relcheck");
    // Read both pipes as the child writes, so a full pipe cannot stall it.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for relcheck") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("relcheck {args:?} still running after {DEADLINE:?}: it hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    }
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

const LIST: &str = "# Deploy\n\n## Checks\n\n- [ ] Backup taken\n- [ ] Tests green\n";

/// A folder with `deploy.md` and the record of a run of it left
/// incomplete (nothing answered): one that `resume` would take.
fn incomplete_run() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deploy.md"), LIST).unwrap();
    let out = within(dir.path(), &["run", "deploy.md", "--non-interactive"]);
    assert_eq!(out.code, 4, "{}", out.stderr);
    let records = dir.path().join("relcheck-records");
    let record = std::fs::read_dir(&records)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|e| e == "yaml"))
        .expect("a record");
    (dir, record)
}

fn assert_refused(out: &Output, stderr: &str) {
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (3, stderr),
        "stdout:\n{}",
        out.stdout
    );
}

#[test]
fn a_device_or_a_pipe_given_as_a_record_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let zero = "error: /dev/zero: is a character device, not a regular file; relcheck reads records only from regular files\n";
    assert_refused(&within(dir.path(), &["verify", "/dev/zero"]), zero);
    mkfifo(&dir.path().join("pipe.yaml"));
    let pipe = "error: pipe.yaml: is a named pipe (FIFO), not a regular file; relcheck reads records only from regular files\n";
    for args in [
        vec!["verify", "pipe.yaml"],
        vec!["report", "pipe.yaml"],
        vec!["sign", "pipe.yaml", "--role", "QA Lead", "--name", "Ada"],
        vec!["resume", "pipe.yaml", "--non-interactive"],
    ] {
        assert_refused(&within(dir.path(), &args), pipe);
    }
    let folder = "error: relcheck-records: is a directory, not a regular file; relcheck reads records only from regular files\n";
    std::fs::create_dir(dir.path().join("relcheck-records")).unwrap();
    assert_refused(&within(dir.path(), &["verify", "relcheck-records"]), folder);
}

#[test]
fn a_record_nested_100000_deep_is_refused_before_it_is_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        "schema: relcheck/record/v2\nvalues: {}\n",
        "[".repeat(100_000)
    );
    std::fs::write(dir.path().join("deep.yaml"), deep).unwrap();
    assert_refused(
        &within(dir.path(), &["verify", "deep.yaml"]),
        "error: deep.yaml:2:73: nests `[` and `{` deeper than 64 levels; relcheck reads records nested up to 64 levels\n",
    );
    // Braces count as brackets do, and so does a key's value on its own
    // line.
    let braces = format!("schema: x\nitems:\n  - {}\n", "{a: ".repeat(100_000));
    std::fs::write(dir.path().join("braces.yaml"), braces).unwrap();
    assert_refused(
        &within(dir.path(), &["report", "braces.yaml"]),
        "error: braces.yaml:3:261: nests `[` and `{` deeper than 64 levels; relcheck reads records nested up to 64 levels\n",
    );
}

#[test]
fn a_record_nested_100000_deep_by_indentation_ends_at_once() {
    // `- - - ...` nests without brackets: the YAML reader's time is linear
    // in it, and it stops at its own depth limit, naming the line.
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        "schema: relcheck/record/v2\nvalues:\n  v:\n    {}x\n",
        "- ".repeat(100_000)
    );
    std::fs::write(dir.path().join("deep.yaml"), deep).unwrap();
    let out = within(dir.path(), &["verify", "deep.yaml"]);
    assert_eq!(out.code, 3);
    assert!(
        out.stderr
            .starts_with("error: deep.yaml:4:5: not a relcheck record: "),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

#[test]
fn a_record_past_the_size_limit_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    // Sparse: the size is checked before a byte is read.
    std::fs::File::create(dir.path().join("huge.yaml"))
        .unwrap()
        .set_len(600 * 1024 * 1024)
        .unwrap();
    assert_refused(
        &within(dir.path(), &["verify", "huge.yaml"]),
        "error: huge.yaml: is 600 MiB; relcheck reads records up to 512 MiB\n",
    );
}

#[test]
fn brackets_in_what_an_operator_writes_never_make_a_record_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deploy.md"), LIST).unwrap();
    let brackets = "[{".repeat(200);
    let answers = format!(
        "items:\n  Backup taken:\n    status: done\n    note: \"{brackets}\"\n  Tests green:\n    status: done\n    note: \"see {brackets}\"\n"
    );
    std::fs::write(dir.path().join("answers.yaml"), answers).unwrap();
    let out = within(
        dir.path(),
        &[
            "run",
            "deploy.md",
            "--non-interactive",
            "--answers",
            "answers.yaml",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let record = out
        .stdout
        .lines()
        .chain(out.stderr.lines())
        .find_map(|line| line.strip_prefix("record: "))
        .expect("the record's path")
        .to_string();
    let verified = within(dir.path(), &["verify", &record]);
    assert_eq!(verified.code, 0, "{}", verified.stderr);
    let report = within(dir.path(), &["report", &record, "--format", "json"]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    assert!(report.stdout.contains(&brackets), "{}", report.stdout);
}

#[test]
fn a_pipe_or_a_deep_file_given_as_answers_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deploy.md"), LIST).unwrap();
    mkfifo(&dir.path().join("answers.yaml"));
    let run = |answers: &str| {
        within(
            dir.path(),
            &[
                "run",
                "deploy.md",
                "--non-interactive",
                "--answers",
                answers,
            ],
        )
    };
    assert_refused(
        &run("answers.yaml"),
        "error: answers.yaml: is a named pipe (FIFO), not a regular file; relcheck reads answers files only from regular files\n",
    );
    std::fs::write(
        dir.path().join("deep.yaml"),
        format!("values:\n  version: {}\n", "[".repeat(100_000)),
    )
    .unwrap();
    assert_refused(
        &run("deep.yaml"),
        "error: deep.yaml:2:76: nests `[` and `{` deeper than 64 levels; relcheck reads answers files nested up to 64 levels\n",
    );
    std::fs::File::create(dir.path().join("huge.yaml"))
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    assert_refused(
        &run("huge.yaml"),
        "error: huge.yaml: is 100 MiB; relcheck reads answers files up to 64 MiB\n",
    );
    // Nothing ran, so no record was begun.
    assert!(!dir.path().join("relcheck-records").exists());
}

#[test]
fn a_named_pipe_nobody_writes_to_ends_at_once_and_a_piped_checklist_is_read() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("deploy.md"));
    // Named on the command line, a pipe is read as `cat` reads it: one with
    // no writer is empty at once, never a wait.
    let message = "deploy.md: is empty";
    for args in [
        vec!["show", "deploy.md"],
        vec!["run", "deploy.md", "--non-interactive"],
    ] {
        assert_refused(&within(dir.path(), &args), &format!("error: {message}\n"));
    }
    // `lint` reports on standard output, file by file.
    let out = within(dir.path(), &["lint", "deploy.md"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (3, format!("error: {message}\n").as_str())
    );
    // A checklist written into a pipe (`<(...)`, `/dev/stdin`) is read.
    let mut child = Command::new(BIN)
        .args(["show", "/dev/stdin"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(LIST.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 items"));
}

#[test]
fn a_pipe_where_the_records_checklist_was_stops_resume() {
    let (dir, record) = incomplete_run();
    let checklist = dir.path().join("deploy.md");
    std::fs::remove_file(&checklist).unwrap();
    mkfifo(&checklist);
    let record = record.display().to_string();
    // Not a checklist that moved: the run does not go on with the
    // record's copy.
    assert_refused(
        &within(dir.path(), &["resume", &record, "--non-interactive"]),
        "error: the record's checklist cannot be read: deploy.md: is a named pipe (FIFO), not a regular file; relcheck reads checklists only from regular files; if it moved, name it with `relcheck resume RECORD --checklist FILE`\n",
    );
    // Gone, it does (as before).
    std::fs::remove_file(&checklist).unwrap();
    let out = within(dir.path(), &["resume", &record, "--non-interactive"]);
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("note: deploy.md cannot be read"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_pipe_in_the_records_folder_is_named_and_the_rest_listed() {
    let (dir, record) = incomplete_run();
    let records = dir.path().join("relcheck-records");
    mkfifo(&records.join("pipe.yaml"));
    std::fs::write(records.join("broken.yaml"), "not: a record\n").unwrap();
    // Not records by name: passed over without a word.
    mkfifo(&records.join("other-pipe"));
    mkfifo(&records.join(".hidden.yaml"));
    let pipe = "relcheck-records/pipe.yaml: is a named pipe (FIFO), not a regular file; relcheck reads records only from regular files";
    let broken = "relcheck-records/broken.yaml:1:1: not a relcheck record: missing field `schema`";

    let history = within(dir.path(), &["history"]);
    assert_eq!(
        (history.code, history.stderr),
        (
            3,
            format!("error: {broken} (not listed)\nerror: {pipe} (not listed)\n")
        )
    );
    let name = record.file_name().unwrap().to_str().unwrap();
    let rows: Vec<&str> = history.stdout.lines().collect();
    assert_eq!(rows.len(), 2, "{}", history.stdout);
    assert!(rows[1].contains("Deploy") && rows[1].contains("incomplete"));
    let json = within(dir.path(), &["history", "--format", "json"]);
    assert_eq!(json.code, 3);
    assert!(json.stdout.contains(name), "{}", json.stdout);

    // The newest run may be the file that cannot be read: `resume` and
    // `report` without a record name it rather than guess.
    assert_refused(
        &within(dir.path(), &["resume", "--non-interactive"]),
        &format!(
            "error: {broken}; `relcheck resume` looks through every record in relcheck-records for the newest, so name the record to resume, or move that file out of the folder\n"
        ),
    );
    assert_refused(
        &within(dir.path(), &["report"]),
        &format!(
            "error: {broken}; `relcheck report` looks through every record in relcheck-records for the newest, so name the record to report on, or move that file out of the folder\n"
        ),
    );
    std::fs::remove_file(records.join("broken.yaml")).unwrap();
    assert_refused(
        &within(dir.path(), &["resume", "--non-interactive"]),
        &format!(
            "error: {pipe}; `relcheck resume` looks through every record in relcheck-records for the newest, so name the record to resume, or move that file out of the folder\n"
        ),
    );
    // Named, the record goes on.
    let out = within(
        dir.path(),
        &["resume", record.to_str().unwrap(), "--non-interactive"],
    );
    assert_eq!(out.code, 4, "{}", out.stderr);
}
