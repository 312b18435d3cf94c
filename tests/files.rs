//! The files relcheck makes in a records folder others can write to: no
//! planted link is written through, a rewrite keeps the record's mode,
//! runs started together get records of their own, and a write that fails
//! says which file and what is safe. The lock's rules are `locks.rs`'s.

use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use relcheck::record::{Record, Status};

use crate::support::{BIN, Output, relcheck};

/// Two commands around an item only a person can answer: a pipeline run
/// stops incomplete, and `resume` with [`ANSWERS`] finishes it.
const CHECKLIST: &str = "# Steal

## Go

- [ ] First
  ```sh
  echo one
  ```
- [ ] Ask a person
- [ ] Third
  ```sh
  echo three
  ```
";

const ANSWERS: &str = "items:\n  Ask a person: done\n";

pub struct Folder {
    tmp: tempfile::TempDir,
    /// A file outside the records folder that a planted link points at.
    pub victim: PathBuf,
}

impl Folder {
    pub fn new() -> Folder {
        Folder::with(CHECKLIST)
    }

    pub fn with(checklist: &str) -> Folder {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("s.md"), checklist).unwrap();
        fs::write(tmp.path().join("a.yaml"), ANSWERS).unwrap();
        fs::create_dir(tmp.path().join("relcheck-records")).unwrap();
        let victim = tmp.path().join("victim.txt");
        fs::write(&victim, "precious\n").unwrap();
        Folder { tmp, victim }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn run(&self, args: &[&str]) -> Output {
        relcheck(args)
            .cwd(self.path())
            .env("RELCHECK_OPERATOR", "ci-bot")
            .run()
    }

    /// An incomplete record of [`CHECKLIST`], relative to the folder.
    pub fn incomplete(&self) -> String {
        let out = self.run(&["run", "s.md", "--non-interactive"]);
        assert_eq!(out.code, 4, "{}", out.stderr);
        out.stdout
            .strip_prefix("record: ")
            .unwrap()
            .trim_end()
            .to_string()
    }

    pub fn records(&self) -> Vec<PathBuf> {
        let mut records: Vec<PathBuf> = fs::read_dir(self.path().join("relcheck-records"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        records.sort();
        records
    }

    pub fn untouched(&self) {
        assert_eq!(fs::read_to_string(&self.victim).unwrap(), "precious\n");
    }
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A pid that was a process of this host a moment ago and is gone now.
pub fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn a_link_planted_at_a_new_records_name_is_passed_over() {
    let folder = Folder::new();
    // The names the next few seconds' run would take, and their journals,
    // all pointing at the victim.
    let now = chrono::Utc::now();
    for s in 0..4 {
        let stamp = (now + chrono::Duration::seconds(s)).format("%Y%m%dT%H%M%SZ");
        let base = folder
            .path()
            .join(format!("relcheck-records/s-{stamp}.yaml"));
        symlink(&folder.victim, &base).unwrap();
        symlink(&folder.victim, format!("{}.journal", base.display())).unwrap();
    }
    let record = folder.incomplete();
    assert!(record.ends_with("-2.yaml"), "{record}");
    let out = folder.run(&[
        "resume",
        &record,
        "--non-interactive",
        "--answers",
        "a.yaml",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    folder.untouched();
    assert!(
        !fs::symlink_metadata(folder.path().join(&record))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_link_at_the_lock_or_journal_stops_the_run_and_writes_nothing_through_it() {
    let folder = Folder::new();
    let record = folder.incomplete();
    let before = fs::read(folder.path().join(&record)).unwrap();
    let lock = format!("{record}.lock");
    symlink(&folder.victim, folder.path().join(&lock)).unwrap();
    let out = folder.run(&[
        "resume",
        &record,
        "--non-interactive",
        "--answers",
        "a.yaml",
    ]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            3,
            format!("error: {lock}: a symbolic link where the record's lock belongs; relcheck never reads or writes through one there (a link planted in a shared records folder could make it overwrite another file), so it stops: remove the link if you did not put it there\n").as_str()
        )
    );
    fs::remove_file(folder.path().join(&lock)).unwrap();
    // A link where the journal of an ended run would be is not read (a
    // journal never extends an ended run) and goes with the first write.
    let journal = format!("{record}.journal");
    symlink(&folder.victim, folder.path().join(&journal)).unwrap();
    assert_eq!(
        Record::load(&folder.path().join(&record)).unwrap().items[1].status,
        Status::Pending
    );
    folder.untouched();
    assert_eq!(fs::read(folder.path().join(&record)).unwrap(), before);
    let out = folder.run(&[
        "resume",
        &record,
        "--non-interactive",
        "--answers",
        "a.yaml",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    folder.untouched();
    // Nothing is left behind: no lock, no link, no temporary file.
    let names: Vec<String> = fs::read_dir(folder.path().join("relcheck-records"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [record.rsplit('/').next().unwrap()]);
}

#[test]
fn a_private_record_stays_private_through_resume_and_sign() {
    let folder = Folder::new();
    let record = folder.incomplete();
    let path = folder.path().join(&record);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let out = folder.run(&[
        "resume",
        &record,
        "--non-interactive",
        "--answers",
        "a.yaml",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(mode(&path), 0o600);
    let out = folder.run(&[
        "sign",
        &record,
        "--role",
        "QA",
        "--name",
        "Grace",
        "--extra-role",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(Record::load(&path).unwrap().signoffs.len(), 1);
    // And a group-readable one stays group-readable, whatever the umask.
    fs::set_permissions(&path, fs::Permissions::from_mode(0o664)).unwrap();
    let out = folder.run(&[
        "sign",
        &record,
        "--role",
        "Ops",
        "--name",
        "Ada",
        "--extra-role",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(mode(&path), 0o664);
}

#[test]
fn five_runs_started_together_get_five_records() {
    let folder = Folder::with("# Quick\n\n## Go\n\n- [ ] One\n  ```sh\n  echo one\n  ```\n");
    let children: Vec<_> = (0..5)
        .map(|_| {
            Command::new(BIN)
                .args(["run", "s.md", "--non-interactive"])
                .current_dir(folder.path())
                .env("RELCHECK_OPERATOR", "ci-bot")
                .env("NO_COLOR", "1")
                .env_remove("RELCHECK_RECORDS_DIR")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut printed = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        printed.push(String::from_utf8(out.stdout).unwrap());
    }
    printed.sort();
    printed.dedup();
    assert_eq!(printed.len(), 5, "{printed:?}");
    let records = folder.records();
    assert_eq!(records.len(), 5, "{records:?}");
    let mut ids: Vec<String> = records
        .iter()
        .map(|path| {
            let record = Record::load(path).unwrap();
            assert_eq!(record.items[0].status, Status::Done);
            record.run.id
        })
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 5);
    // No lock or journal is left behind.
    assert_eq!(
        fs::read_dir(folder.path().join("relcheck-records"))
            .unwrap()
            .count(),
        5
    );
}

#[test]
fn a_checklist_name_too_long_for_a_record_name_is_shortened() {
    let folder = Folder::new();
    let long = format!("{}.md", "é".repeat(120));
    fs::copy(folder.path().join("s.md"), folder.path().join(&long)).unwrap();
    let out = folder.run(&["run", &long, "--non-interactive"]);
    assert_eq!(out.code, 4, "{}", out.stderr);
    let [record] = folder.records().try_into().unwrap();
    let name = record.file_name().unwrap().to_string_lossy().into_owned();
    // 70 whole characters (140 bytes), a hash of the whole name, the time.
    let (stem, rest) = name.split_once('~').unwrap();
    assert_eq!(stem, "é".repeat(70));
    assert_eq!(rest.len(), "12345678-20261130T054724Z.yaml".len(), "{name}");
    // A second checklist with the same first 70 characters is told apart.
    let other = format!("{}x.md", "é".repeat(120));
    fs::copy(folder.path().join("s.md"), folder.path().join(&other)).unwrap();
    let out = folder.run(&["run", &other, "--non-interactive"]);
    assert_eq!(out.code, 4, "{}", out.stderr);
    let hashes: Vec<String> = folder
        .records()
        .iter()
        .map(|p| p.to_string_lossy().split('~').nth(1).unwrap()[..8].to_string())
        .collect();
    assert_ne!(hashes[0], hashes[1]);
}

/// A file named for output (`--junit`, `report -o`) is what its name
/// leads to: a link is written through and kept, a pipe is written into.
/// Both had been replaced by a file of their own (and `--junit
/// /dev/stdout`, as root, replaced the system's link).
#[test]
fn an_output_named_by_a_link_or_a_pipe_is_written_through_it() {
    let folder = Folder::new();
    symlink("junit-target.xml", folder.path().join("junit.xml")).unwrap();
    let out = folder.run(&["run", "s.md", "--non-interactive", "--junit", "junit.xml"]);
    assert_eq!(out.code, 4, "{}", out.stderr);
    let link = folder.path().join("junit.xml");
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let written = fs::read_to_string(folder.path().join("junit-target.xml")).unwrap();
    assert!(written.starts_with("<?xml"), "{written}");
    let record = &folder.records()[0];
    let record = record.to_str().unwrap();
    symlink("report-target.md", folder.path().join("report.md")).unwrap();
    let out = folder.run(&["report", record, "--format", "markdown", "-o", "report.md"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        fs::symlink_metadata(folder.path().join("report.md"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let written = fs::read_to_string(folder.path().join("report-target.md")).unwrap();
    assert!(written.starts_with("# Steal"), "{written}");
    let fifo = folder.path().join("pipe");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    let out = folder.run(&["report", record, "--format", "junit", "-o", "pipe"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(reader.join().unwrap().starts_with("<?xml"));
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    // `/dev/stdout` while standard output is appended to a log: written
    // into the log after what it held, not over it.
    let log = folder.path().join("log.txt");
    fs::write(&log, "LOG\n").unwrap();
    let appended = fs::OpenOptions::new().append(true).open(&log).unwrap();
    let status = Command::new(BIN)
        .args(["report", record, "--format", "junit", "-o", "/dev/stdout"])
        .current_dir(folder.path())
        .stdout(appended)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let logged = fs::read_to_string(&log).unwrap();
    assert!(logged.starts_with("LOG\n<?xml"), "{logged}");
}

/// Under a file-size limit (`ulimit -f`) a save too large fails as on a
/// full disk: said, exit 4, nothing left behind. SIGXFSZ had killed
/// relcheck with no word (exit 153), leaving its temporary file and lock.
#[test]
fn a_file_size_limit_fails_a_save_as_a_full_disk_does() {
    let mut list = String::from("# Long\n\n## Go\n\n");
    for n in 0..600 {
        list.push_str(&format!(
            "- [ ] Step number {n} of a long release, checked by hand\n"
        ));
    }
    let folder = Folder::with(&list);
    let out = Command::new("sh")
        .args([
            "-c",
            "ulimit -f 50 && exec \"$0\" run s.md --non-interactive",
        ])
        .arg(BIN)
        .current_dir(folder.path())
        .env("NO_COLOR", "1")
        .env("RELCHECK_OPERATOR", "ci-bot")
        .env_remove("RELCHECK_RECORDS_DIR")
        .env_remove("GITHUB_ACTIONS")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains(": File too large (os error 27); nothing of this run was saved yet"),
        "{stderr}"
    );
    let left: Vec<_> = fs::read_dir(folder.path().join("relcheck-records"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// The records folder removed under a run (a clean-up job) took the
/// record and its lock: the run says so, not that another run took its
/// lock, and keeps its answers in the folder made again.
#[test]
fn a_records_folder_removed_under_a_run_is_said_and_its_answers_kept() {
    let folder = Folder::with(
        "# Gone\n\n## Do\n\n- [ ] First\n  ```sh\n  echo one\n  ```\n- [ ] Clean up\n  ```sh\n  rm -rf relcheck-records\n  ```\n- [ ] Third\n",
    );
    let out = folder.run(&["run", "s.md", "--non-interactive"]);
    let copies: Vec<PathBuf> = fs::read_dir(folder.path().join("relcheck-records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    let copy = copies[0]
        .strip_prefix(folder.path())
        .unwrap()
        .display()
        .to_string();
    let record = copy.strip_suffix(".unsaved").unwrap();
    assert_eq!(
        (out.code, out.stderr.lines().last().unwrap_or_default()),
        (
            6,
            format!("error: {record}: the records folder relcheck-records was removed while this run was on, and the record, its journal and its lock with it; this run stops: this run's answers, the last one included, are in {copy} (a copy relcheck does not read)").as_str()
        ),
        "{}",
        out.stderr
    );
    assert!(
        copies[0].to_string_lossy().ends_with(".unsaved"),
        "{copies:?}"
    );
    let kept = Record::load(&copies[0]).unwrap();
    let statuses: Vec<Status> = kept.items.iter().map(|item| item.status).collect();
    // The save that found the folder gone held the clean-up's result,
    // before its item was answered.
    assert_eq!(statuses, [Status::Done, Status::Pending, Status::Pending]);
    assert_eq!(
        kept.items[1].rare.command.as_ref().unwrap().exit_code,
        Some(0)
    );
}

#[test]
fn a_records_folder_that_is_a_file_gets_one_line() {
    let folder = Folder::new();
    fs::write(folder.path().join("records.txt"), "").unwrap();
    let expected = "error: records.txt: the records folder (--records-dir, RELCHECK_RECORDS_DIR, or ./relcheck-records) is a file, not a folder; name a folder, which is created if missing\n";
    let out = folder.run(&[
        "run",
        "s.md",
        "--non-interactive",
        "--records-dir",
        "records.txt",
    ]);
    assert_eq!((out.code, out.stderr.as_str()), (3, expected));
    let out = folder.run(&["history", "records.txt"]);
    assert_eq!((out.code, out.stderr.as_str()), (3, expected));
}

#[test]
fn a_full_standard_output_is_named_not_a_panic() {
    let folder = Folder::new();
    let record = folder.incomplete();
    for args in [
        vec!["show", "s.md"],
        vec!["show", "production-deploy", "--format", "json"],
        vec!["report", record.as_str()],
        vec!["report", record.as_str(), "--format", "html"],
        vec!["history"],
        vec!["verify", record.as_str()],
        vec!["list"],
    ] {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(BIN)
            .args(&args)
            .current_dir(folder.path())
            .env("NO_COLOR", "1")
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned()
            ),
            (
                Some(3),
                "error: cannot write to standard output: No space left on device (os error 28)\n"
                    .to_string()
            ),
            "{args:?}"
        );
    }
}

/// `relcheck show x >&-`: Rust puts `/dev/null` where a closed standard
/// output was, and what went there was lost with exit 0. It fails as a
/// full one does; `> /dev/null`, asked for, still passes, and so does a
/// reader that stops reading.
#[test]
fn a_closed_standard_output_fails_as_a_full_one_does() {
    let folder = Folder::new();
    let record = folder.incomplete();
    let sh = |script: &str| {
        let out = Command::new("bash")
            .args([
                "-c",
                &format!("set -o pipefail; {script}"),
                "sh",
                BIN,
                &record,
            ])
            .current_dir(folder.path())
            .env("NO_COLOR", "1")
            .env("RELCHECK_OPERATOR", "ci-bot")
            .env_remove("RELCHECK_RECORDS_DIR")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let closed = "error: cannot write to standard output: Bad file descriptor (os error 9)\n";
    for script in [
        r#""$1" show s.md >&-"#,
        r#""$1" show s.md --format json >&-"#,
        r#""$1" lint s.md >&-"#,
        r#""$1" report "$2" >&-"#,
        r#""$1" history >&-"#,
    ] {
        assert_eq!(
            sh(script),
            (Some(3), String::new(), closed.to_string()),
            "{script}"
        );
    }
    for script in [
        r#""$1" show s.md >/dev/null"#,
        r#""$1" lint s.md >/dev/null"#,
    ] {
        assert_eq!(
            sh(script),
            (Some(0), String::new(), String::new()),
            "{script}"
        );
    }
    // A run's product is its record: with its standard output closed (or
    // handed `/dev/null` read-write by a daemon) it ends as it would
    // anyway, the record saved.
    let run = r#""$1" run s.md --non-interactive --no-commands --records-dir "$PWD/quiet""#;
    let (code, _, stderr) = sh(&format!("{run} >&-"));
    assert_eq!(code, sh(run).0, "{stderr}");
    assert_ne!(code, Some(3), "{stderr}");
    assert!(!stderr.contains("Bad file descriptor"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(folder.path().join("quiet"))
            .unwrap()
            .count(),
        2
    );
    // `init`'s product is the file it writes: the line naming it going
    // nowhere is no failure, or a retry would be refused as the file
    // is there already.
    assert_eq!(
        sh(r#"mkdir -p fresh && cd fresh && "$1" init hotfix >&-"#),
        (Some(0), String::new(), String::new())
    );
    assert!(folder.path().join("fresh/hotfix.md").is_file());
    assert_eq!(
        sh(r#""$1" show s.md --format json | head -c 1"#),
        (Some(0), "{".to_string(), String::new())
    );
    // A command that fails before it prints says why, not that its
    // output had nowhere to go.
    assert_eq!(
        sh(r#""$1" show missing.md >&-"#).2,
        "error: missing.md: no such file, and no bundled checklist of that name (`relcheck list` shows them)\n"
    );
}

/// A command whose output (kept in the record) takes the journal past
/// the file size limit `ulimit -f` sets: the write fails as on a full
/// disk, with no root needed to mount a small one.
const BIG: &str = "# Big

## Go

- [ ] First
  ```sh
  echo one
  ```
- [ ] Loud
  ```sh
  head -c 40000 /dev/zero | tr '\\0' x
  ```
- [ ] Third
  ```sh
  echo three
  ```
";

#[test]
fn a_write_that_fails_names_the_file_and_says_what_is_safe() {
    let folder = Folder::with(BIG);
    // SIGXFSZ ignored, so the write fails with an error rather than
    // killing the process; 24 blocks of 1024 bytes hold the first save.
    let out = Command::new("bash")
        .args([
            "-c",
            &format!("trap '' XFSZ; ulimit -f 24; exec {BIN} run s.md --non-interactive"),
        ])
        .current_dir(folder.path())
        .env("RELCHECK_OPERATOR", "ci-bot")
        .env("NO_COLOR", "1")
        .env_remove("RELCHECK_RECORDS_DIR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let [record] = folder.records().try_into().unwrap();
    let name = record
        .strip_prefix(folder.path())
        .unwrap()
        .display()
        .to_string();
    assert_eq!(
        (out.status.code(), stderr.lines().last().unwrap()),
        (
            Some(4),
            format!("error: cannot write {name}.journal: File too large (os error 27); every answer up to the last one shown as saved is safe in the record, and the one just given was not saved; raise the file-size limit (ulimit -f), then go on with: relcheck resume {name}. The command of \u{201c}Loud\u{201d} ran (exit 0) but its result is not in the record, which shows it started: see what it did; resuming does not run it again by itself").as_str()
        ),
        "{stderr}"
    );
    // The first answer is safe, and the second item's command is saved as
    // started. The run goes on once there is room, without running it
    // again: a person (or the answers file) says how it went.
    let saved = Record::load(&record).unwrap();
    assert_eq!(saved.items[0].status, Status::Done);
    assert_eq!(saved.items[1].status, Status::Pending);
    assert!(saved.items[1].rare.command.as_ref().unwrap().running);
    let out = folder.run(&["resume", &name, "--non-interactive"]);
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(
        out.stderr.contains("pending Loud: its command was running when relcheck stopped, and may have done its work; not run again (answer it in the answers file, or at a terminal)"),
        "{}",
        out.stderr
    );
    fs::write(folder.path().join("loud.yaml"), "items:\n  Loud: done\n").unwrap();
    let out = folder.run(&[
        "resume",
        &name,
        "--non-interactive",
        "--answers",
        "loud.yaml",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let done = Record::load(&record).unwrap();
    assert!(done.items.iter().all(|item| item.status == Status::Done));
}

#[test]
fn a_journal_removed_under_a_run_loses_nothing() {
    use expectrl::Expect;
    let folder = Folder::with("# Three\n\n## Do\n\n- [ ] One\n- [ ] Two\n- [ ] Three\n");
    let mut run = crate::support::pty(folder.path(), &["run", "s.md"]);
    run.expect("One").unwrap();
    run.send("y").unwrap();
    run.expect("Two").unwrap();
    let [record] = folder.records().try_into().unwrap();
    let journal = PathBuf::from(format!("{}.journal", record.display()));
    // Someone tidies the folder: the first answer was only in the journal.
    fs::remove_file(&journal).unwrap();
    run.send("y").unwrap();
    run.expect("Three").unwrap();
    // Appending to the removed file would keep answers nobody reads; the
    // run writes the record whole instead, with both.
    let status = Command::new("kill")
        .args(["-KILL", &run.get_process().pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = run.get_process().wait();
    let saved = Record::load(&record).unwrap();
    let statuses: Vec<Status> = saved.items.iter().map(|item| item.status).collect();
    assert_eq!(statuses, [Status::Done, Status::Done, Status::Pending]);
}
