//! `relcheck run --non-interactive`: every exit code from a real run, the
//! answers file, commands that misbehave, and what CI dashboards read.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use relcheck::record::{GateDecision, Outcome, Record, Status};

use crate::support::{BIN, Output, Test, relcheck, repo};

const ANSWERS: &str = "examples/production-deploy.answers.yaml";

fn record_in(dir: &Path) -> (PathBuf, Record) {
    let mut records: Vec<PathBuf> = std::fs::read_dir(dir.join("relcheck-records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    records.sort();
    let path = records.pop().expect("a record");
    let record = Record::load(&path).unwrap();
    (path, record)
}

fn ci(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["run"];
    all.extend(args);
    relcheck(&all)
        .cwd(dir)
        .env("RELCHECK_OPERATOR", "ci-bot")
        .run()
}

fn answers_path() -> String {
    repo(ANSWERS).display().to_string()
}

#[test]
fn the_shipped_answers_file_passes_production_deploy_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let out = ci(
        dir.path(),
        &[
            "production-deploy.md",
            "--non-interactive",
            "--answers",
            &answers_path(),
            "--junit",
            junit.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .ends_with("35 passed, 0 failed, 4 skipped, 0 pending, 5 not needed\n"),
        "{}",
        out.stderr
    );
    let (path, record) = record_in(dir.path());
    assert_eq!(
        out.stdout,
        format!(
            "record: relcheck-records/{}\n",
            path.file_name().unwrap().to_string_lossy()
        )
    );
    assert_eq!(record.run.outcome, Outcome::Success);
    assert_eq!(record.run.operator, "ci-bot");
    // Commands ran and are kept; answers carry their provenance.
    let built = record.item("artifact-built").unwrap();
    assert_eq!(
        built.rare.command.as_ref().unwrap().output,
        "artifact for release 1.4.2\n"
    );
    assert_eq!(built.source.as_ref().unwrap().kind, "command");
    let approved = record.item("change-approved").unwrap();
    let source = approved.source.as_ref().unwrap();
    assert_eq!(
        (source.kind.as_str(), source.path.as_deref()),
        ("answers-file", Some(answers_path().as_str()))
    );
    let bytes = std::fs::read(repo(ANSWERS)).unwrap();
    assert_eq!(
        source.sha256.as_deref(),
        Some(relcheck::source::sha256_hex(&bytes).as_str())
    );
    assert_eq!(record.signoffs.len(), 3);
    // The JUnit file: a suite per phase, a case per item.
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 6);
    let cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    assert_eq!(cases, record.items.len());
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        0
    );
    let skipped = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .count();
    assert_eq!(skipped, 9);
    let verify = relcheck(&["verify", path.to_str().unwrap()]).run();
    assert_eq!(verify.code, 0, "{}", verify.stdout);
}

fn answers_with(dir: &Path, replace: &str, with: &str) -> String {
    let text = std::fs::read_to_string(repo(ANSWERS)).unwrap();
    assert!(text.contains(replace), "{replace}");
    let path = dir.join("answers.yaml");
    std::fs::write(&path, text.replace(replace, with)).unwrap();
    path.display().to_string()
}

#[test]
fn a_failed_answer_exits_1_and_leaves_a_complete_record() {
    let dir = tempfile::tempdir().unwrap();
    let answers = answers_with(
        dir.path(),
        "  change-approved: done",
        "  change-approved: {status: failed, note: \"CAB said no\"}",
    );
    let out = ci(
        dir.path(),
        &[
            "production-deploy.md",
            "--non-interactive",
            "--answers",
            &answers,
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "\nFAIL    Change ticket approved and the deployment window booked: CAB said no\n"
        ),
        "{}",
        out.stderr
    );
    // The gate after Preparation stops the pipeline: nothing later runs.
    assert!(
        out.stderr.ends_with(
            "stop    gate after phase \"Preparation\": Change ticket approved and the deployment window booked failed\n12 passed, 1 failed, 2 skipped, 0 pending, 29 not run\n"
        ),
        "{}",
        out.stderr
    );
    let (_, record) = record_in(dir.path());
    assert_eq!(record.run.outcome, Outcome::Failed);
    assert!(record.items.iter().all(|i| i.status != Status::Pending));
    let deploy = record.item("deploy-start").unwrap();
    assert_eq!(
        (
            deploy.status,
            deploy.rare.reason.as_deref(),
            deploy.rare.command.is_none()
        ),
        (
            Status::NotRun,
            Some("stopped at the gate after phase \"Preparation\": change-approved failed"),
            true
        )
    );
}

#[test]
fn a_trigger_that_occurred_rolls_back_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let answers = answers_with(
        dir.path(),
        "  p99 latency above the service objective for 5 minutes: not-occurred",
        "  p99 latency above the service objective for 5 minutes: {status: occurred, note: \"p99 at 2.1 s\"}",
    );
    let out = ci(
        dir.path(),
        &[
            "production-deploy.md",
            "--non-interactive",
            "--answers",
            &answers,
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let (_, record) = record_in(dir.path());
    // The manual rollback steps are still to do: called, not yet done.
    assert_eq!(record.run.outcome, Outcome::Incomplete);
    assert!(record.rollback.is_some());
    // The rollback's command ran; success-only steps were not needed.
    let redeploy = record.item("rollback-deploy").unwrap();
    assert_eq!(redeploy.status, Status::Done);
    assert_eq!(
        redeploy.rare.command.as_ref().unwrap().output,
        "rolling back 1.4.2 on production\n"
    );
    assert_eq!(
        record.item("record-deploy").unwrap().status,
        Status::NotNeeded
    );
}

#[test]
fn pending_items_exit_4_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let out = ci(
        dir.path(),
        &[
            "hotfix",
            "--non-interactive",
            "--set",
            "version=1.0.1",
            "--set",
            "environment=staging",
        ],
    );
    assert_eq!(out.code, 4, "{}", out.stderr);
    let (_, record) = record_in(dir.path());
    assert_eq!(record.run.outcome, Outcome::Incomplete);
    let out = ci(
        dir.path(),
        &[
            "hotfix",
            "--non-interactive",
            "--set",
            "version=1.0.1",
            "--set",
            "environment=staging",
            "--allow-pending",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn an_unknown_id_in_the_answers_file_is_exit_3_with_the_closest_id() {
    let dir = tempfile::tempdir().unwrap();
    let answers = answers_with(
        dir.path(),
        "  change-approved: done",
        "  change-aproved: done",
    );
    let out = ci(
        dir.path(),
        &[
            "production-deploy.md",
            "--non-interactive",
            "--answers",
            &answers,
        ],
    );
    assert_eq!(out.code, 3);
    assert_eq!(
        out.stderr,
        format!(
            "error: {answers}:19: items.change-aproved is not an item id or text of Production Deployment; did you mean change-approved?\n"
        )
    );
    assert!(!dir.path().join("relcheck-records").exists(), "nothing ran");
    let out = ci(
        dir.path(),
        &[
            "production-deploy.md",
            "--non-interactive",
            "--answers",
            "missing.yaml",
        ],
    );
    assert_eq!(out.code, 3);
    assert!(
        out.stderr
            .starts_with("error: missing.yaml: cannot read the answers file"),
        "{}",
        out.stderr
    );
}

#[test]
fn unattended_flags_need_non_interactive() {
    let dir = tempfile::tempdir().unwrap();
    let out = ci(dir.path(), &["hotfix", "--answers", "a.yaml"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--non-interactive"), "{}", out.stderr);
}

#[test]
fn an_open_stdin_pipe_is_never_read_and_never_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args([
            "run",
            "hotfix",
            "--non-interactive",
            "--set",
            "version=1.0.1",
            "--set",
            "environment=staging",
        ])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Keep our end of the pipe open and silent.
    let _stdin = child.stdin.take();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "relcheck waited on stdin");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(4));
}

const MISBEHAVING: &str = "# Misbehaving
## Steps
- [ ] Hangs <!-- relcheck: id=hangs timeout=1 -->
  ```sh
  sleep 30
  ```
- [ ] Floods <!-- relcheck: id=floods -->
  ```sh
  head -c 5000000 /dev/zero | tr '\\0' 'x'
  ```
- [ ] Leaves a child <!-- relcheck: id=child -->
  ```sh
  sleep 60 &
  echo started
  ```
- [ ] Fails loudly <!-- relcheck: id=fails -->
  ```sh
  echo 'bad: thing, here' >&2; exit 3
  ```
";

#[test]
fn misbehaving_commands_are_bounded_recorded_and_never_hang() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("misbehaving.md"), MISBEHAVING).unwrap();
    let summary = dir.path().join("summary.md");
    let started = Instant::now();
    let out = relcheck(&["run", "misbehaving.md", "--non-interactive"])
        .cwd(dir.path())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())
        .run();
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let (_, record) = record_in(dir.path());

    let hangs = record.item("hangs").unwrap();
    let run = hangs.rare.command.as_ref().unwrap();
    assert!(run.timed_out);
    assert_eq!(hangs.status, Status::Failed);
    assert!(
        hangs
            .rare
            .note
            .as_deref()
            .unwrap()
            .starts_with("command timed out after"),
        "{:?}",
        hangs.rare.note
    );

    let floods = record
        .item("floods")
        .unwrap()
        .rare
        .command
        .as_ref()
        .unwrap();
    assert_eq!(floods.exit_code, Some(0));
    assert_eq!(
        floods.output.len() as u64 + floods.truncated_bytes,
        5_000_000
    );
    assert!(floods.output.len() <= 64 * 1024);

    let child = record.item("child").unwrap();
    assert_eq!(
        (
            child.status,
            child.rare.command.as_ref().unwrap().output.as_str()
        ),
        (Status::Done, "started\n")
    );

    assert_eq!(
        record
            .item("fails")
            .unwrap()
            .rare
            .command
            .as_ref()
            .unwrap()
            .exit_code,
        Some(3)
    );
    // GitHub: one annotation per failure, pointing at the checklist line,
    // escaped; and a step summary.
    let annotations: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert_eq!(annotations.len(), 2, "{}", out.stdout);
    assert!(
        annotations[0].starts_with(
            "::error file=misbehaving.md,line=3,title=Hangs::failed command timed out after"
        ),
        "{}",
        annotations[0]
    );
    assert_eq!(
        annotations[1],
        "::error file=misbehaving.md,line=16,title=Fails loudly::failed command exited 3%0Abad: thing, here"
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with("## relcheck: Misbehaving: failed\n"),
        "{summary}"
    );
    assert!(
        summary.contains("- **Fails loudly** (`fails`) command exited 3\n"),
        "{summary}"
    );
    // The last phase failed: its gate stopped the run, with nothing after.
    assert!(
        summary.contains(
            "\n### Gates\n\n- after `steps`: stopped the run: hangs failed, fails failed\n"
        ),
        "{summary}"
    );
    // Printed folded under the failure.
    let lines: Vec<&str> = out.stderr.lines().collect();
    let fail = lines
        .iter()
        .position(|l| l.starts_with("FAIL    Fails loudly ("))
        .expect("a FAIL line");
    assert!(
        lines[fail].ends_with(" s): command exited 3"),
        "{}",
        lines[fail]
    );
    assert_eq!(lines[fail + 1], "        │ bad: thing, here");
}

#[test]
fn every_seed_runs_unattended_to_pending_without_a_hang() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("note: {} not found; seed runs skipped", dir.display());
        return;
    };
    let work = tempfile::tempdir().unwrap();
    for seed in entries {
        let seed = seed.unwrap().path();
        let seed = seed.to_str().unwrap();
        let out = ci(work.path(), &[seed, "--non-interactive"]);
        assert_eq!(out.code, 4, "{seed}: {}", out.stderr);
        let out = ci(work.path(), &[seed, "--non-interactive", "--allow-pending"]);
        assert_eq!(out.code, 0, "{seed}: {}", out.stderr);
    }
}

#[test]
fn the_record_dir_flag_and_env_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let out = relcheck(&[
        "run",
        "hotfix",
        "--non-interactive",
        "--allow-pending",
        "--set",
        "version=1",
        "--set",
        "environment=staging",
    ])
    .cwd(dir.path())
    .env("RELCHECK_RECORDS_DIR", "audit")
    .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("record: audit/hotfix-"),
        "{}",
        out.stdout
    );
}

/// The same answers given at a (scripted) terminal and in an answers file
/// leave the same results; only provenance differs.
#[test]
fn interactive_and_unattended_runs_agree() {
    use relcheck::answers::Answers;
    use relcheck::ci::Unattended;
    use relcheck::exec::{Fake, Outcome as Exec};
    use relcheck::prompt::{Action, Scripted, ScriptedPrompter, SignoffAnswer};
    use relcheck::record::{Decision, Mode, Provenance};
    use relcheck::session::{MemorySink, Options, Session, TestClock};
    use std::sync::atomic::AtomicBool;

    let text = "# Eq\n## Work\n- **Ticket**: ___\n- [ ] Backup\n- [ ] Build\n  ```sh\n  make\n  ```\n- [ ] Docs (optional)\n### Rollback Triggers\n- [ ] Errors\n## Sign-off\n- **QA**: [Name] - [Date]\n";
    let checklist =
        relcheck::parse::parse(&relcheck::source::Source::from_text("eq.md", text)).checklist;
    let yaml = "values:\n  Ticket: T-9\nitems:\n  Backup: {status: done, note: nightly}\n  Docs (optional): {status: n/a}\n  Errors: not-occurred\nsignoffs:\n  QA: {name: Grace, comment: ok}\n";
    let provenance = Provenance {
        kind: "answers-file".into(),
        path: Some("a.yaml".into()),
        sha256: None,
    };
    let answers = Answers::parse(yaml, "a.yaml", provenance, &checklist).unwrap();
    let options = |unattended| Options {
        operator: "Ada".into(),
        host: "h".into(),
        mode: if unattended {
            Mode::NonInteractive
        } else {
            Mode::Interactive
        },
        preset: Default::default(),
        command_timeout: Duration::from_secs(60),
        unattended,
    };
    let clock = TestClock::new(chrono::Utc::now());
    let flag = AtomicBool::new(false);

    let mut at_terminal = Session::start(&checklist, &clock, options(false), &flag, "a".into());
    let mut scripted = ScriptedPrompter::new([
        Scripted::Value("T-9".into()),
        Scripted::Do(Action::Done {
            note: Some("nightly".into()),
        }),
        Scripted::Do(Action::RunCommand),
        Scripted::Do(Action::Done { note: None }),
        Scripted::Do(Action::NotApplicable { reason: None }),
        Scripted::Do(Action::NotOccurred),
        Scripted::Do(Action::Signoff(SignoffAnswer {
            name: "Grace".into(),
            decision: Decision::Approve,
            comment: Some("ok".into()),
        })),
    ]);
    at_terminal
        .run(
            &mut scripted,
            &Fake::new([Exec::exited(0, "ok\n")]),
            &mut MemorySink::default(),
        )
        .unwrap();

    let mut unattended = Session::start(&checklist, &clock, options(true), &flag, "b".into());
    let mut prompter = Unattended::new(
        answers,
        true,
        Box::new(std::io::sink()),
        relcheck::style::Style::PLAIN,
        None,
    );
    unattended
        .run(
            &mut prompter,
            &Fake::new([Exec::exited(0, "ok\n")]),
            &mut MemorySink::default(),
        )
        .unwrap();

    let results = |record: &Record| -> Vec<_> {
        record
            .items
            .iter()
            .map(|i| {
                (
                    i.id.clone(),
                    i.status,
                    i.rare.value.clone(),
                    i.rare.note.clone(),
                    i.rare.reason.clone(),
                    i.rare.command.as_ref().map(|c| c.output.clone()),
                )
            })
            .collect()
    };
    assert_eq!(results(&at_terminal.record), results(&unattended.record));
    assert_eq!(at_terminal.record.values, unattended.record.values);
    assert_eq!(
        at_terminal.record.run.outcome,
        unattended.record.run.outcome
    );
    let signoff = |record: &Record| {
        (
            record.signoffs[0].name.clone(),
            record.signoffs[0].comment.clone(),
        )
    };
    assert_eq!(signoff(&at_terminal.record), signoff(&unattended.record));
    assert_eq!(at_terminal.record.items[1].source, None);
    assert_eq!(
        unattended.record.items[1].source.as_ref().unwrap().kind,
        "answers-file"
    );
}

/// Three steps `a`, `b`, `c`, each with a command: `b`'s is `b_command`.
fn three_steps(b_command: &str) -> String {
    format!(
        "# K\n## P\n- [ ] a <!-- relcheck: id=a -->\n  ```sh\n  echo a\n  ```\n- [ ] b <!-- relcheck: id=b -->\n  ```sh\n  {b_command}\n  ```\n- [ ] c <!-- relcheck: id=c -->\n  ```sh\n  echo c\n  ```\n"
    )
}

/// `list` written as `k.md` in `dir`, and the pipeline that runs it.
fn pipeline_job(dir: &Path, list: &str) -> Command {
    std::fs::write(dir.join("k.md"), list).unwrap();
    let mut job = Command::new(BIN);
    job.args(["run", "k.md", "--non-interactive"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    job
}

/// Waits until the record in `dir` holds its first answer (the run is
/// then on its second item).
fn until_first_answer(dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < deadline, "the first item never answered");
        let answered = std::fs::read_dir(dir.join("relcheck-records"))
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                std::fs::read_to_string(e.path())
                    .is_ok_and(|t| t.contains("\"done\"") || t.contains("status: done"))
            });
        if answered {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_killed_unattended_run_resumes_unattended_with_its_answers_kept() {
    let dir = tempfile::tempdir().unwrap();
    // Kill -9 once `a` is answered, while `b` runs.
    let mut job = pipeline_job(dir.path(), &three_steps("sleep 30"))
        .spawn()
        .unwrap();
    until_first_answer(dir.path());
    job.kill().unwrap();
    job.wait().unwrap();
    let (path, record) = record_in(dir.path());
    assert_eq!(record.run.outcome, Outcome::InProgress);
    assert_eq!(record.item("a").unwrap().status, Status::Done);
    let answers = dir.path().join("answers.yaml");
    std::fs::write(
        &answers,
        "items:\n  b: {status: n/a, reason: \"too slow for this test\"}\n",
    )
    .unwrap();
    let resumed = relcheck(&[
        "resume",
        path.to_str().unwrap(),
        "--non-interactive",
        "--answers",
        answers.to_str().unwrap(),
    ])
    .cwd(dir.path())
    .run();
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    let record = Record::load(&path).unwrap();
    let got: Vec<(&str, Status)> = record
        .items
        .iter()
        .map(|i| (i.id.as_ref(), i.status))
        .collect();
    assert_eq!(
        got,
        [
            ("a", Status::Done),
            ("b", Status::NotApplicable),
            ("c", Status::Done)
        ]
    );
    assert_eq!(
        record
            .item("a")
            .unwrap()
            .rare
            .command
            .as_ref()
            .unwrap()
            .output,
        "a\n"
    );
    assert_eq!(relcheck(&["verify", path.to_str().unwrap()]).run().code, 0);
    // An ended run is not resumed.
    let again = relcheck(&["resume", path.to_str().unwrap(), "--non-interactive"])
        .cwd(dir.path())
        .run();
    assert_eq!(
        (again.code, again.stderr.as_str()),
        (
            4,
            format!(
                "error: {0}: the run already ended (success), so there is nothing to resume; `relcheck report {0}` shows it, and `relcheck run` starts a new one\n",
                path.display()
            )
            .as_str()
        )
    );
}

/// A paused run's record, written as the runner writes it.
fn paused_record(dir: &Path) -> PathBuf {
    use relcheck::exec::Fake;
    use relcheck::prompt::{Action, Scripted, ScriptedPrompter};
    use relcheck::record::{Mode, RecordFile};
    use relcheck::session::{Options, Session, SystemClock};
    use std::sync::atomic::AtomicBool;

    let list = dir.join("p.md");
    std::fs::write(&list, "# P\n## S\n- [ ] one\n- [ ] two\n").unwrap();
    let source = relcheck::source::Source::read(&list).unwrap();
    let checklist = relcheck::parse::parse(&source).checklist;
    let path = dir.join("relcheck-records/p.yaml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let options = Options {
        operator: "Ada".into(),
        host: "h".into(),
        mode: Mode::NonInteractive,
        preset: Default::default(),
        command_timeout: Duration::from_secs(5),
        unattended: true,
    };
    let flag = AtomicBool::new(false);
    let mut session = Session::start(&checklist, &SystemClock, options, &flag, "p".into());
    let mut prompter = ScriptedPrompter::new([
        Scripted::Do(Action::Done {
            note: Some("fine".into()),
        }),
        Scripted::Quit,
    ]);
    session
        .run(
            &mut prompter,
            &Fake::new([]),
            &mut RecordFile::new(&path, true),
        )
        .unwrap();
    path
}

/// A cancelled job (SIGTERM) stops its command, recorded as interrupted;
/// resumed unattended, the pipeline runs that command again rather than
/// leaving the item pending at every resume.
#[test]
fn a_command_a_cancelled_job_interrupted_runs_again_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    // `b` has started once `a`'s answer is on disk.
    let list = three_steps("if [ -f go ]; then echo fine; else sleep 30; fi");
    let mut job = pipeline_job(dir.path(), &list).spawn().unwrap();
    until_first_answer(dir.path());
    std::thread::sleep(Duration::from_millis(300));
    let pid = nix::unistd::Pid::from_raw(job.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    assert_eq!(job.wait().unwrap().code(), Some(130));
    let (path, record) = record_in(dir.path());
    let b = record.item("b").unwrap();
    assert_eq!(b.status, Status::Pending);
    assert!(b.rare.command.as_ref().unwrap().interrupted);

    std::fs::write(dir.path().join("go"), "").unwrap();
    let resumed = relcheck(&["resume", path.to_str().unwrap(), "--non-interactive"])
        .cwd(dir.path())
        .run();
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    let record = Record::load(&path).unwrap();
    let b = record.item("b").unwrap();
    assert_eq!(b.status, Status::Done);
    let run = b.rare.command.as_ref().unwrap();
    assert_eq!((run.output.as_str(), run.interrupted), ("fine\n", false));
    assert_eq!(record.item("c").unwrap().status, Status::Done);
}

#[test]
fn resume_refuses_a_record_edited_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let path = paused_record(dir.path());
    let yaml = std::fs::read_to_string(&path)
        .unwrap()
        .replace("note: fine", "note: all good really");
    std::fs::write(&path, yaml).unwrap();
    let p = path.to_str().unwrap();
    let out = relcheck(&[
        "resume",
        p,
        "--non-interactive",
        "--checklist",
        dir.path().join("p.md").to_str().unwrap(),
    ])
    .cwd(dir.path())
    .run();
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        format!(
            "error: {p}: the record was edited outside relcheck (its digest does not match), so it is not resumed; `relcheck verify {p}` shows it\n"
        )
    );
    // And it stays visibly edited.
    assert_eq!(relcheck(&["verify", p]).run().code, 5);
}

#[test]
fn a_journal_left_over_from_before_the_last_whole_write_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let path = paused_record(dir.path());
    let before = Record::load(&path).unwrap();
    // A stale journal line: written after an older whole write.
    let stale = format!(
        "{{\"base\":\"0000\"}}\n{{\"run\":{},\"rollback\":null,\"items\":[],\"gates\":[],\"events_from\":0,\"events\":[]}}\n",
        serde_json::to_string(&before.run).unwrap()
    );
    std::fs::write(relcheck::record::journal_path(&path), stale).unwrap();
    let after = Record::load(&path).unwrap();
    assert_eq!(after, before, "the stale line changed nothing");
    let resumed = relcheck(&[
        "resume",
        path.to_str().unwrap(),
        "--non-interactive",
        "--allow-pending",
        "--checklist",
        dir.path().join("p.md").to_str().unwrap(),
    ])
    .cwd(dir.path())
    .run();
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    let record = Record::load(&path).unwrap();
    assert_eq!(
        (record.items[0].status, record.items[1].status),
        (Status::Done, Status::Pending)
    );
    assert_eq!(
        record
            .events
            .iter()
            .filter(|e| e.action.as_str() == "start")
            .count(),
        1,
        "the log before the pause is kept"
    );
    assert_eq!(
        record
            .events
            .iter()
            .filter(|e| e.action.as_str() == "resume")
            .count(),
        1
    );
}

/// Two phases; the first one's command fails, the second one's would
/// leave a file behind. Two items share a text.
const GATED: &str = "# Two phases

## Build

- **Ticket**: ___
- [ ] Artifact for {{version}} built
  ```sh
  echo \"no tag for {{version}}\" >&2; exit 1
  ```
- [ ] Tests passed
  ```sh
  echo ok
  ```

## Deploy

- [ ] Deployed {{ version }}
  ```sh
  touch created
  ```
- [ ] Tests passed
  ```sh
  echo ok
  ```
";

/// GATED in a fresh folder, run with `answers` as its answers file; the
/// arguments after `--answers` and the expectations are the caller's.
fn gated(answers: &str) -> Test {
    Test::new()
        .file("gated.md", GATED)
        .file("answers.yaml", answers)
        .args(&[
            "run",
            "gated.md",
            "--non-interactive",
            "--answers",
            "answers.yaml",
        ])
        .filter(timeless)
}

const VALUES: &str = "values:\n  version: \"1.4.2\"\n  Ticket: CHG-1\n";

/// A command's time, `(0.01 s)`, said as `(T s)`: it varies from run to run.
fn timeless(log: &str) -> String {
    let mut out = String::new();
    let mut rest = log;
    while let Some(open) = rest.find(" (") {
        let after = &rest[open + 2..];
        let digits = after
            .find(" s)")
            .filter(|&end| after[..end].chars().all(|c| c.is_ascii_digit() || c == '.'));
        out.push_str(&rest[..open]);
        match digits {
            Some(end) if end > 0 => {
                out.push_str(" (T s)");
                rest = &after[end + 3..];
            }
            _ => {
                out.push_str(" (");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn a_failure_stops_the_pipeline_at_its_phase_gate() {
    let ran = gated(VALUES)
        .args(&["--allow-pending"])
        .code(1)
        .stderr(
            "Two phases: 5 items (4 checks, 0 triggers, 1 fields, 0 sign-offs)
ok      Ticket
FAIL    Artifact for 1.4.2 built (T s): command exited 1
        │ no tag for 1.4.2
ok      Tests passed (build/tests-passed) (T s)
stop    gate after phase \"Build\": Artifact for 1.4.2 built failed
2 passed, 1 failed, 0 skipped, 0 pending, 2 not run
",
        )
        .run();
    assert!(!ran.path("created").exists(), "Deploy ran");
    let record = ran.record();
    assert_eq!(record.run.outcome, Outcome::Failed);
    let why = "stopped at the gate after phase \"Build\": build/artifact-for-version-built failed";
    for id in ["deploy/deployed-version", "deploy/tests-passed"] {
        let item = record.item(id).unwrap();
        assert_eq!(
            (
                item.status,
                item.rare.reason.as_deref(),
                item.rare.command.is_none()
            ),
            (Status::NotRun, Some(why), true),
            "{id}"
        );
    }
    assert_eq!(record.gates.len(), 1);
    let gate = &record.gates[0];
    assert_eq!(
        (
            gate.phase.as_str(),
            gate.decision,
            gate.reason.as_deref(),
            gate.by.as_str(),
            gate.items.as_slice(),
            gate.source.is_none()
        ),
        (
            "build",
            GateDecision::Stop,
            Some("build/artifact-for-version-built failed"),
            "ci-bot",
            ["build/artifact-for-version-built".to_string()].as_slice(),
            true
        )
    );
    let text = relcheck(&["report"]).cwd(ran.dir.path()).run();
    assert!(text.stdout.contains("  Build: stopped by ci-bot at "));
}

#[test]
fn a_gate_waived_in_the_answers_file_lets_the_pipeline_go_on() {
    let answers =
        format!("{VALUES}gates:\n  Build: {{reason: \"tag pushed by hand, OPS-12\", by: Jo}}\n");
    // Waived, the failure no longer fails the run: as at the terminal.
    let ran = gated(&answers)
        .stderr(
            "Two phases: 5 items (4 checks, 0 triggers, 1 fields, 0 sign-offs)
ok      Ticket
FAIL    Artifact for 1.4.2 built (T s): command exited 1
        │ no tag for 1.4.2
ok      Tests passed (build/tests-passed) (T s)
waived  gate after phase \"Build\": Artifact for 1.4.2 built failed; waiver: tag pushed by hand, OPS-12
ok      Deployed 1.4.2 (T s)
ok      Tests passed (deploy/tests-passed) (T s)
4 passed, 1 failed, 0 skipped, 0 pending
",
        )
        .run();
    assert!(ran.path("created").exists(), "Deploy did not run");
    let record = ran.record();
    assert_eq!(record.run.outcome, Outcome::Success);
    let gate = &record.gates[0];
    assert_eq!(
        (
            gate.decision,
            gate.reason.as_deref(),
            gate.by.as_str(),
            gate.source.as_ref().map(|s| s.kind.as_str())
        ),
        (
            GateDecision::Waive,
            Some("tag pushed by hand, OPS-12"),
            "Jo",
            Some("answers-file")
        )
    );
    let event = record
        .events
        .iter()
        .find(|e| e.action.as_str() == "gate")
        .unwrap();
    assert_eq!(
        event.detail.as_deref(),
        Some("waive: tag pushed by hand, OPS-12")
    );
}

#[test]
fn keep_going_runs_every_phase_and_still_fails() {
    let ran = gated(VALUES)
        .args(&["--keep-going"])
        .code(1)
        .stderr(
            "Two phases: 5 items (4 checks, 0 triggers, 1 fields, 0 sign-offs)
ok      Ticket
FAIL    Artifact for 1.4.2 built (T s): command exited 1
        │ no tag for 1.4.2
ok      Tests passed (build/tests-passed) (T s)
ok      Deployed 1.4.2 (T s)
ok      Tests passed (deploy/tests-passed) (T s)
4 passed, 1 failed, 0 skipped, 0 pending
",
        )
        .run();
    assert!(ran.path("created").exists(), "Deploy did not run");
    let record = ran.record();
    assert_eq!(record.run.outcome, Outcome::Failed);
    assert!(record.gates.is_empty());
    // Only with --non-interactive.
    let out = ci(ran.dir.path(), &["gated.md", "--keep-going"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn a_gate_waiver_for_an_unknown_phase_is_exit_3_with_the_closest_id() {
    let ran = gated(&format!("{VALUES}gates:\n  biuld: flaky\n"))
        .code(3)
        .stderr("error: answers.yaml:5: gates.biuld is not a phase id or title of Two phases; did you mean build?\n")
        .run();
    assert!(!ran.path("relcheck-records").exists(), "nothing ran");
}

#[test]
fn a_variable_with_no_value_stops_the_run_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let list = "# V\n## Do\n- [ ] Build {{version}}\n  ```sh\n  make VERSION={{version}}\n  ```\n- [ ] Push\n  ```sh\n  git push origin v{{ version }} --region {{region}}\n  ```\n- [ ] Said\n  ```sh\n  echo {{region}}\n  ```\n";
    std::fs::write(dir.path().join("v.md"), list).unwrap();
    let out = ci(dir.path(), &["v.md", "--non-interactive"]);
    assert_eq!(out.code, 3);
    assert_eq!(
        out.stderr,
        "error: v.md: no value for {{version}}, used by the commands at lines 5, 9; give it with --set version=... or values: in the answers file
v.md: no value for {{region}}, used by the commands at lines 9, 13; give it with --set region=... or values: in the answers file
"
    );
    assert!(!dir.path().join("relcheck-records").exists(), "nothing ran");
    // Values come from the answers file too; an item the file answers runs
    // no command, so needs none; with --no-commands nothing does.
    std::fs::write(
        dir.path().join("a.yaml"),
        "values:\n  region: eu\nitems:\n  Push: done\n",
    )
    .unwrap();
    let out = ci(
        dir.path(),
        &["v.md", "--non-interactive", "--answers", "a.yaml"],
    );
    assert_eq!(
        out.stderr,
        "error: v.md: no value for {{version}}, used by the command at line 5; give it with --set version=... or values: in the answers file\n"
    );
    let out = ci(
        dir.path(),
        &[
            "v.md",
            "--non-interactive",
            "--answers",
            "a.yaml",
            "--set",
            "version=1.0",
            "--no-commands",
            "--allow-pending",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn junit_names_cases_by_text_as_written_and_points_at_the_checklist() {
    let ran = gated(VALUES).args(&["--junit", "junit.xml"]).code(1).run();
    let xml = std::fs::read_to_string(ran.path("junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    // NAME @ FILE:LINE, then the status and answer properties.
    let cases: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|case| {
            let properties: Vec<String> = case
                .descendants()
                .filter(|n| n.has_tag_name("property"))
                .filter(|p| ["answer", "status"].contains(&p.attribute("name").unwrap()))
                .map(|p| {
                    format!(
                        "{}={}",
                        p.attribute("name").unwrap(),
                        p.attribute("value").unwrap()
                    )
                })
                .collect();
            format!(
                "{} @ {}:{} {}",
                case.attribute("name").unwrap(),
                case.attribute("file").unwrap(),
                case.attribute("line").unwrap(),
                properties.join(" ")
            )
        })
        .collect();
    assert_eq!(
        cases,
        [
            "Ticket @ gated.md:5 status=done answer=CHG-1",
            "Artifact for {{version}} built @ gated.md:6 status=failed",
            "Tests passed (build/tests-passed) @ gated.md:10 status=done",
            "Deployed {{ version }} @ gated.md:17 status=not-run",
            "Tests passed (deploy/tests-passed) @ gated.md:21 status=not-run",
        ]
    );
    let skipped = doc
        .descendants()
        .find(|n| n.has_tag_name("skipped"))
        .unwrap();
    assert_eq!(
        skipped.attribute("message"),
        Some(
            "not run: stopped at the gate after phase \"Build\": build/artifact-for-version-built failed"
        )
    );
}

/// A value is filled into every text that names it: one longer than 4 KiB
/// is refused before the run starts, from an answers file or `--set`, so
/// a run never writes a record it could not read back.
#[test]
fn a_value_longer_than_4_kib_is_refused_before_the_run() {
    let long = "9".repeat(4097);
    gated(&format!("values:\n  version: \"{long}\"\n  Ticket: CHG-1\n"))
        .code(3)
        .stderr("error: answers.yaml: values.version is 4,097 bytes; a value is at most 4,096 (it is written into every text that names it)\n")
        .run();
    let set = format!("v={long}");
    let ran = Test::new()
        .args(&["run", "c.md", "--non-interactive", "--set", &set])
        .file("c.md", "# C\n## Do\n- [ ] Run {{v}}\n")
        .code(2)
        .stderr("error: --set v: the value is 4,097 bytes; a value is at most 4,096 (it is written into every text that names it)\n")
        .run();
    assert!(!ran.path("relcheck-records").exists());
    // At the limit, it is taken.
    let at_limit = format!("v={}", "9".repeat(4096));
    Test::new()
        .args(&["run", "c.md", "--non-interactive", "--set", &at_limit])
        .file("c.md", "# C\n## Do\n- [ ] Run {{v}}\n")
        .code(4)
        .run();
}

/// A key, a name or a value is one line: a newline in one would let it
/// pass for a line of the output of its own, and GitHub reads a line of a
/// job's log that starts `::error::` as a command. Answers files and
/// `--set` refuse them; a record written by hand that holds them is shown
/// with the newline as `\n`.
#[test]
fn a_name_key_or_value_cannot_start_a_line_of_the_output() {
    let list = "# C\n## Do\n- [ ] Noisy\n";
    for (answers, key) in [
        (
            "items:\n  \"Noisy\\n::error::KEY\": done\n",
            "Noisy\\n::error::KEY",
        ),
        (
            "items:\n  Noisy: {status: done, by: \"ci\\n::error::BY\"}\n",
            "items.Noisy.by",
        ),
    ] {
        Test::new()
            .file("c.md", list)
            .file("a.yaml", answers)
            .args(&["run", "c.md", "--non-interactive", "--answers", "a.yaml"])
            .code(3)
            .stderr(&format!("error: a.yaml: {key} holds a control character or a direction override (an escape sequence?), or a line break where one line is asked (a key, a name, a value); answers are recorded and shown, so write them as plain text\n"))
            .run();
    }
    Test::new()
        .file("c.md", "# C\n## Do\n- [ ] Ship {{version}}\n")
        .args(&["run", "c.md", "--non-interactive", "--set", "version=1\n::error::SET"])
        .code(2)
        .stderr("error: --set version: the value holds a control character, a line break or a direction override (an escape sequence?); values are recorded and shown on one line, so give plain text\n")
        .run();
    // A record someone wrote by hand: its sign-off's name and the item's
    // author hold a newline.
    let ran = Test::new()
        .file("c.md", list)
        .args(&["run", "c.md", "--non-interactive", "--operator", "ci"])
        .code(4)
        .run();
    let path = std::fs::read_dir(ran.path("relcheck-records"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|e| e == "yaml"))
        .unwrap();
    let mut record = Record::load(&path).unwrap();
    record.items[0].status = Status::Done;
    record.items[0].by = Some("Eve\n::error::BY".into());
    record.items[0].at = Some(record.run.started);
    record.signoffs.push(relcheck::record::Signoff {
        role: "QA".into(),
        name: "Mallory\n::error::SIGN".into(),
        decision: relcheck::record::Decision::Approve,
        comment: None,
        at: record.run.started,
        item: None,
        forced: None,
        digest: None,
        parts: relcheck::record::PartMap::new(),
        dropped: Vec::new(),
        signature: None,
        source: None,
    });
    std::fs::write(&path, record.to_yaml().unwrap()).unwrap();
    for args in [
        vec!["verify", path.to_str().unwrap()],
        vec!["report", path.to_str().unwrap()],
        vec!["report", path.to_str().unwrap(), "--format", "markdown"],
    ] {
        let out = relcheck(&args).cwd(ran.dir.path()).run();
        let text = format!("{}{}", out.stdout, out.stderr);
        assert!(
            !text.lines().any(|line| line.trim_start().starts_with("::")),
            "{args:?}: {text}"
        );
        assert!(text.contains("\\n::error::"), "{args:?}: {text}");
    }
}

#[test]
fn escape_sequences_from_answers_or_commands_never_reach_a_terminal() {
    // An answers file that holds them is refused: it would be recorded.
    let hostile = "values:\n  version: \"1.4.2\"\n  Ticket: CHG-1\nitems:\n  build/tests-passed: {status: failed, note: \"5xx \\e[2J\\e]0;PWN\\a spike\"}\n";
    gated(hostile)
        .code(3)
        .stderr("error: answers.yaml: items.build/tests-passed.note holds a control character or a direction override (an escape sequence?), or a line break where one line is asked (a key, a name, a value); answers are recorded and shown, so write them as plain text\n")
        .run();
    let ran = Test::new()
        .args(&["run", "c.md", "--non-interactive", "--set", "v=1\u{1b}[2J"])
        .file("c.md", "# C\n## Do\n- [ ] Run {{v}}\n")
        .code(2)
        .run();
    assert!(!ran.out.stderr.contains('\u{1b}'), "{:?}", ran.out.stderr);
    // A command's output is recorded as printed, and shown as text.
    let list = "# C\n## Do\n- [ ] Paint\n  ```sh\n  printf 'out\\033[2Jclr\\033]0;TTL\\007 \\342\\200\\256x\\n'; exit 1\n  ```\n";
    let ran = Test::new()
        .file("c.md", list)
        .args(&["run", "c.md", "--non-interactive", "--junit", "j.xml"])
        .code(1)
        .run();
    let junit = std::fs::read_to_string(ran.path("j.xml")).unwrap();
    let unsafe_chars = ['\u{1b}', '\u{7}', '\u{202e}'];
    assert!(
        !ran.out.stderr.contains(unsafe_chars),
        "{:?}",
        ran.out.stderr
    );
    assert!(!junit.contains(unsafe_chars), "{junit:?}");
    for format in ["text", "markdown", "html", "junit", "json"] {
        let out = relcheck(&["report", "--format", format])
            .cwd(ran.dir.path())
            .run();
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        assert!(
            !out.stdout.contains(unsafe_chars),
            "{format}: {:?}",
            out.stdout
        );
    }
    let text = relcheck(&["report"]).cwd(ran.dir.path()).run();
    assert!(text.stdout.contains("outclr"), "{}", text.stdout);
    assert!(text.stdout.contains("digest matches"), "{}", text.stdout);
}

#[test]
fn a_pipelines_incomplete_run_signed_then_finished_still_verifies() {
    let ran = Test::new()
        .args(&[
            "run",
            "production-deploy",
            "--non-interactive",
            "--set",
            "version=1",
            "--set",
            "environment=prod",
            "--no-commands",
        ])
        .code(4)
        .run();
    let (path, _) = record_in(ran.dir.path());
    let path = path.display().to_string();
    let sign = relcheck(&["sign", &path, "--role", "Service Owner", "--name", "Zoe"])
        .cwd(ran.dir.path())
        .run();
    assert_eq!(sign.code, 0, "{}", sign.stderr);
    // A person (here, the answers file) finishes what the pipeline left.
    let resumed = relcheck(&[
        "resume",
        &path,
        "--non-interactive",
        "--no-commands",
        "--answers",
        &answers_path(),
    ])
    .cwd(ran.dir.path())
    .env("RELCHECK_OPERATOR", "ci-bot")
    .run();
    assert_eq!(resumed.code, 4, "{}", resumed.stderr);
    let verify = relcheck(&["verify", &path]).cwd(ran.dir.path()).run();
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
}

#[test]
fn a_moved_checklist_file_is_never_swapped_for_a_bundled_one_of_its_name() {
    // A file named like a bundled checklist, worded differently.
    let own = std::fs::read_to_string(repo("checklists/production-deploy.md"))
        .unwrap()
        .replace("Change ticket approved", "Change ticket approved twice");
    let ran = Test::new()
        .file("production-deploy.md", &own)
        .args(&[
            "run",
            "production-deploy.md",
            "--non-interactive",
            "--set",
            "version=1",
            "--set",
            "environment=prod",
            "--no-commands",
        ])
        .code(4)
        .run();
    let (path, _) = record_in(ran.dir.path());
    std::fs::remove_file(ran.path("production-deploy.md")).unwrap();
    let resumed = relcheck(&[
        "resume",
        &path.display().to_string(),
        "--non-interactive",
        "--no-commands",
    ])
    .cwd(ran.dir.path())
    .run();
    assert_eq!(resumed.code, 4, "{}", resumed.stderr);
    assert!(
        resumed.stdout.starts_with("note: production-deploy.md cannot be read, so the run goes on with the checklist as the record keeps it"),
        "{}",
        resumed.stdout
    );
}

#[test]
fn escape_sequences_in_a_checklist_never_reach_a_terminal() {
    let list = "# Title\u{1b}]0;TT\u{7}\n## Deploy\u{1b}[2J\n### Sec\u{1b}[31mRED\n- [ ] Ship \u{202e}it\n";
    let ran = Test::new()
        .file("c.md", list)
        .args(&["run", "c.md", "--non-interactive"])
        .code(4)
        .run();
    let show = relcheck(&["show", "c.md"]).cwd(ran.dir.path()).run();
    let report = relcheck(&["report"]).cwd(ran.dir.path()).run();
    let json = relcheck(&["report", "--format", "json"])
        .cwd(ran.dir.path())
        .run();
    for (what, text) in [
        ("run", &ran.out.stderr),
        ("show", &show.stdout),
        ("report", &report.stdout),
        ("json", &json.stdout),
    ] {
        assert!(
            !text.contains(['\u{1b}', '\u{7}', '\u{202e}']),
            "{what}: {text:?}"
        );
    }
    assert!(
        report.stdout.contains("Deploy\u{fffd}[2J"),
        "{}",
        report.stdout
    );
}

/// `rollback_needed: true` answers "Is a rollback needed?", which a run
/// asks only before a rollback phase no trigger comes before. Where the
/// triggers call the rollback it was dropped and the run passed (exit 0):
/// now it is refused before anything runs. Where the question is asked,
/// it calls the rollback.
#[test]
fn rollback_needed_true_is_refused_where_the_run_never_asks_it() {
    let led = "# R\n## Ship\n- [ ] Deployed\n  ```sh\n  touch deployed\n  ```\n### Rollback Triggers\n- [ ] Errors spike\n### Rollback Steps\n- [ ] Reverted\n";
    let ran = Test::new()
        .file("r.md", led)
        .file(
            "a.yaml",
            "rollback_needed: true\nitems:\n  Errors spike: not-occurred\n",
        )
        .args(&["run", "r.md", "--non-interactive", "--answers", "a.yaml"])
        .code(3)
        .stderr("error: the answers file says rollback_needed: true, but r.md never asks whether a rollback is needed: its triggers call the rollback: answer the one that happened `occurred`\n")
        .run();
    assert!(!ran.path("deployed").exists(), "nothing ran");
    let untriggered = "# R\n## Ship\n- [ ] Deployed\n### Rollback Steps\n- [ ] Reverted\n";
    Test::new()
        .file("r.md", untriggered)
        .file("a.yaml", "rollback_needed: true\nitems:\n  Deployed: done\n")
        .args(&["run", "r.md", "--non-interactive", "--answers", "a.yaml"])
        .code(3)
        .stderr("error: the answers file says rollback_needed: true, but r.md never asks whether a rollback is needed: its rollback steps follow no trigger, so only a person calls them (`R` at a terminal)\n")
        .run();
    let plain = "# R\n## Ship\n- [ ] Deployed\n";
    Test::new()
        .file("r.md", plain)
        .file("a.yaml", "rollback_needed: true\nitems:\n  Deployed: done\n")
        .args(&["run", "r.md", "--non-interactive", "--answers", "a.yaml"])
        .code(3)
        .stderr("error: the answers file says rollback_needed: true, but r.md never asks whether a rollback is needed: it has no rollback steps\n")
        .run();
    let asked = "# R\n## Ship\n- [ ] Deployed\n## Rollback Procedure (If Needed)\n- [ ] Reverted\n";
    let ran = Test::new()
        .file("r.md", asked)
        .file(
            "a.yaml",
            "rollback_needed: true\nitems:\n  Deployed: done\n  Reverted: done\n",
        )
        .args(&["run", "r.md", "--non-interactive", "--answers", "a.yaml"])
        .code(1)
        .run();
    assert_eq!(ran.record().run.outcome, Outcome::RolledBack);
}

/// The JUnit file and GitHub's step summary are written after the run,
/// which is over and saved: one that cannot be written is a warning, and
/// the run's exit code and its record's line stand. Either had turned
/// any result (a pass, a failure, a cancelled job) into exit 3.
#[test]
fn an_unwritable_junit_or_step_summary_leaves_the_runs_exit_code() {
    let list = "# J\n## Do\n- [ ] Built\n  ```sh\n  true\n  ```\n";
    let ran = Test::new()
        .file("j.md", list)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", ".")
        .args(&[
            "run",
            "j.md",
            "--non-interactive",
            "--junit",
            "missing/junit.xml",
        ])
        .run();
    assert!(
        ran.out.stdout.starts_with("record: relcheck-records/j-")
            && ran.out.stdout.ends_with(".yaml\n"),
        "{}",
        ran.out.stdout
    );
    let warnings: Vec<&str> = ran
        .out
        .stderr
        .lines()
        .filter(|line| line.starts_with("warning: "))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: --junit: cannot save missing/junit.xml: No such file or directory (os error 2); the record has every result",
            "warning: GITHUB_STEP_SUMMARY: cannot write .: Is a directory (os error 21); the record has every result",
        ]
    );
}

/// The check before anything runs looks at the value the run will use:
/// `--set` over the answers file's `values:`. It had looked at the
/// answers file's, so an unsafe `--set` value passed it and left the
/// deploy pending (exit 0 with `--allow-pending`), and a safe one was
/// refused for the value it replaced.
#[test]
fn the_check_before_the_run_takes_set_over_the_answers_file() {
    let list = "# V\n## Do\n- [ ] Tag\n  ```sh\n  git tag v{{version}}\n  ```\n";
    let ran = Test::new()
        .file("v.md", list)
        .file("a.yaml", "values:\n  version: \"1.4.2\"\n")
        .args(&[
            "run",
            "v.md",
            "--non-interactive",
            "--answers",
            "a.yaml",
            "--allow-pending",
            "--set",
            "version=1.4.2 beta",
        ])
        .code(3)
        .stderr("error: v.md: the value of {{version}}, used by the command at line 5, holds characters a shell would read (spaces, quotes, $, ...), so it is not put into a command; write \"$RELCHECK_VAR_VERSION\" in the command instead\n")
        .run();
    assert!(!ran.path("relcheck-records").exists(), "nothing ran");
    let list = "# V\n## Do\n- [ ] Tag\n  ```sh\n  echo v{{version}} > tagged\n  ```\n";
    let ran = Test::new()
        .file("v.md", list)
        .file("a.yaml", "values:\n  version: \"1.4.2 beta\"\n")
        .args(&[
            "run",
            "v.md",
            "--non-interactive",
            "--answers",
            "a.yaml",
            "--set",
            "version=1.4.2",
        ])
        .run();
    assert_eq!(
        std::fs::read_to_string(ran.path("tagged")).unwrap(),
        "v1.4.2\n"
    );
}

#[test]
fn no_value_becomes_shell_code_and_every_value_reaches_commands_as_a_variable() {
    let list = "# V\n## Do\n- [ ] Tag\n  ```sh\n  git tag \"v{{version}}\"\n  ```\n";
    let ran = Test::new()
        .file("v.md", list)
        .args(&["run", "v.md", "--non-interactive", "--set", "version=$(touch pwned)"])
        .code(3)
        .stderr("error: v.md: the value of {{version}}, used by the command at line 5, holds characters a shell would read (spaces, quotes, $, ...), so it is not put into a command; write \"$RELCHECK_VAR_VERSION\" in the command instead\n")
        .run();
    assert!(!ran.path("pwned").exists());
    assert!(!ran.path("relcheck-records").exists(), "nothing ran");
    // As the message says: the value reaches the command as itself.
    let list = "# V\n## Do\n- [ ] Said {{version}}\n  ```sh\n  printf '%s\\n' \"$RELCHECK_VAR_VERSION\" > said\n  ```\n";
    let ran = Test::new()
        .file("v.md", list)
        .args(&[
            "run",
            "v.md",
            "--non-interactive",
            "--set",
            "version=$(touch pwned)",
        ])
        .run();
    assert!(!ran.path("pwned").exists());
    assert_eq!(
        std::fs::read_to_string(ran.path("said")).unwrap(),
        "$(touch pwned)\n"
    );
}

#[test]
fn a_note_cannot_start_a_line_of_its_own_in_the_ci_log() {
    let answers = "values:\n  version: \"1.4.2\"\n  Ticket: CHG-1\nitems:\n  build/tests-passed: {status: failed, note: \"flaky\\n::error::forged annotation\"}\n";
    let ran = gated(answers).args(&["--no-commands"]).code(1).run();
    assert!(
        ran.out.stderr.contains(
            "FAIL    Tests passed (build/tests-passed): flaky / ::error::forged annotation\n"
        ),
        "{}",
        ran.out.stderr
    );
    assert!(
        !ran.out.stderr.lines().any(|line| line.starts_with("::")),
        "{}",
        ran.out.stderr
    );
}

/// An answers-file answer that says something went wrong, for an item the
/// run never asked (a rollback step of a run that did not roll back), is
/// not in the record: the log says so, rather than dropping it. A plain
/// answer kept ready for the way back is left unsaid.
#[test]
fn an_unused_answer_that_says_something_went_wrong_is_named() {
    let ran = Test::new()
        .file(
            "r.md",
            "# R\n## Ship\n- [ ] Deployed\n### Rollback Steps\nIf rollback required:\n\n- [ ] Reverted\n- [ ] Caches purged\n",
        )
        .file(
            "answers.yaml",
            "items:\n  Deployed: done\n  Reverted: {status: failed, note: \"revert script missing\"}\n  Caches purged: done\n",
        )
        .args(&["run", "r.md", "--non-interactive", "--answers", "answers.yaml"])
        .code(0)
        .run();
    assert_eq!(
        ran.out.stderr,
        "R: 3 items (3 checks, 0 triggers, 0 fields, 0 sign-offs)\nok      Deployed\nwarning: ship/rollback-steps/reverted: the answers file says failed (revert script missing), but the run did not ask it, so that answer is not in the record\n1 passed, 0 failed, 0 skipped, 0 pending, 2 not needed\n"
    );
}
