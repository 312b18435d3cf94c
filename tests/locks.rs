//! The record's lock: taken over only when provably stale (a gone
//! process of this host), never from another host or a running process,
//! let go of on a signal's exit, and checked before every write, so a run
//! whose lock was taken stops before it overwrites the other writer.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use relcheck::record::{Record, Status};

use crate::files::{Folder, dead_pid};

#[test]
fn a_stale_lock_of_this_host_is_taken_over_and_said() {
    let folder = Folder::new();
    let record = folder.incomplete();
    let lock = format!("{record}.lock");
    let pid = dead_pid();
    let host = relcheck::system::host_name();
    fs::write(
        folder.path().join(&lock),
        format!("pid: {pid}\nhost: {host}\nsince: 2026-11-30T05:00:00Z\noperator: Bob\n"),
    )
    .unwrap();
    let out = folder.run(&[
        "resume",
        &record,
        "--non-interactive",
        "--answers",
        "a.yaml",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.lines().next().unwrap(),
        format!(
            "note: {lock} was held by pid {pid} on {host} (operator Bob) since 2026-11-30T05:00:00Z; that process is gone, so the lock was stale and was taken over"
        )
    );
    // Let go of at the end like any other.
    assert!(!folder.path().join(&lock).exists());
    let done = Record::load(&folder.path().join(&record)).unwrap();
    assert_eq!(done.items[1].status, Status::Done);
    // `sign` takes a stale lock over the same way, and says so.
    let pid = dead_pid();
    fs::write(
        folder.path().join(&lock),
        format!("operator Bob, host {host}, pid {pid}\n"),
    )
    .unwrap();
    let out = folder.run(&[
        "sign",
        &record,
        "--role",
        "QA",
        "--name",
        "Grace",
        "--extra-role",
    ]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            0,
            format!("note: {lock} was held by pid {pid} on {host} (operator Bob); that process is gone, so the lock was stale and was taken over\n").as_str()
        )
    );
    assert!(!folder.path().join(&lock).exists());
}

#[test]
fn a_lock_whose_pid_now_names_a_later_process_is_stale() {
    let folder = Folder::new();
    let record = folder.incomplete();
    let lock = format!("{record}.lock");
    let host = relcheck::system::host_name();
    // Running, but begun long after the lock was taken: the holder's pid
    // given to another process.
    let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
    fs::write(
        folder.path().join(&lock),
        format!(
            "pid: {}\nhost: {host}\nsince: 2020-01-01T00:00:00Z\noperator: Bob\n",
            sleeper.id()
        ),
    )
    .unwrap();
    let out = folder.run(&[
        "resume",
        &record,
        "--non-interactive",
        "--answers",
        "a.yaml",
    ]);
    sleeper.kill().unwrap();
    sleeper.wait().unwrap();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.lines().next().unwrap(),
        format!(
            "note: {lock} was held by pid {} on {host} (operator Bob) since 2020-01-01T00:00:00Z; that process is gone, so the lock was stale and was taken over",
            sleeper.id()
        )
    );
}

#[test]
fn a_lock_of_another_host_or_a_running_process_is_never_taken() {
    let folder = Folder::new();
    let record = folder.incomplete();
    let before = fs::read(folder.path().join(&record)).unwrap();
    let lock = format!("{record}.lock");
    let other = "pid: 4242\nhost: build-7\nsince: 2026-11-30T05:00:00Z\noperator: Bob\n";
    fs::write(folder.path().join(&lock), other).unwrap();
    let out = folder.run(&[
        "resume",
        &record,
        "--non-interactive",
        "--answers",
        "a.yaml",
    ]);
    let host = relcheck::system::host_name();
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            6,
            format!("error: {record} is locked by a run on another host: {lock} names pid 4242 on build-7 (operator Bob) since 2026-11-30T05:00:00Z. relcheck cannot tell from {host} whether that process is still running, so it never takes such a lock over: check on build-7 (`ps -p 4242`), and once that run has ended, remove {lock} and try again\n").as_str()
        )
    );
    assert_eq!(
        fs::read_to_string(folder.path().join(&lock)).unwrap(),
        other
    );

    // This host, a process that is running (though it holds no lock: a
    // network filesystem without locks, say): never judged stale.
    let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let since = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let running = format!(
        "pid: {}\nhost: {host}\nsince: {since}\noperator: Bob\n",
        sleeper.id()
    );
    fs::write(folder.path().join(&lock), &running).unwrap();
    let out = folder.run(&[
        "resume",
        &record,
        "--non-interactive",
        "--answers",
        "a.yaml",
    ]);
    sleeper.kill().unwrap();
    sleeper.wait().unwrap();
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            6,
            format!("error: {record} is in use by another run: its lock {lock} is held by pid {} on {host} (operator Bob) since {since}, which is still running; wait for it to finish, or stop that run (it keeps every answer it saved), then try again\n", sleeper.id()).as_str()
        )
    );
    assert_eq!(
        fs::read_to_string(folder.path().join(&lock)).unwrap(),
        running
    );
    assert_eq!(fs::read(folder.path().join(&record)).unwrap(), before);
}

/// The middle item's command does what another run would: it takes the
/// record's lock (as if someone removed it by hand and started again) and
/// writes the record.
const STOLEN: &str = "# Steal

## Go

- [ ] First
  ```sh
  echo one
  ```
- [ ] Another run takes the record
  ```sh
  for r in relcheck-records/*.yaml; do printf 'written by another run\\n' > \"$r\"; printf 'pid: 4242\\nhost: build-7\\noperator: Bob\\n' > \"$r.lock.new\"; mv \"$r.lock.new\" \"$r.lock\"; done
  ```
- [ ] Third
  ```sh
  echo three
  ```
";

#[test]
fn a_run_whose_lock_was_taken_stops_before_it_overwrites_the_other_writer() {
    let folder = Folder::with(STOLEN);
    let out = folder.run(&["run", "s.md", "--non-interactive"]);
    let [record] = folder.records().try_into().unwrap();
    let name = record
        .strip_prefix(folder.path())
        .unwrap()
        .display()
        .to_string();
    let last = out.stderr.lines().last().unwrap().to_string();
    assert_eq!(
        (out.code, out.stdout.as_str(), last),
        (
            6,
            "",
            format!(
                "error: {name}: this run's lock {name}.lock was replaced: it now names pid 4242 on build-7 (operator Bob); another relcheck may be writing the record, so this run stops without writing to it. Its answers, the last one included, are in {name}.unsaved (a copy relcheck does not read): compare it with the record before going on"
            )
        )
    );
    // The other writer's files are as it left them.
    assert_eq!(
        fs::read_to_string(&record).unwrap(),
        "written by another run\n"
    );
    assert_eq!(
        fs::read_to_string(format!("{}.lock", record.display())).unwrap(),
        "pid: 4242\nhost: build-7\noperator: Bob\n"
    );
    // The journal holds what was written while the lock was this run's
    // (the first answer, and the second item's command as started before
    // it ran), nothing after.
    let journal = fs::read_to_string(format!("{}.journal", record.display())).unwrap();
    for line in journal.lines().skip(1) {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        let items = entry["items"].as_array().unwrap();
        assert!(
            items.iter().all(|item| item[0] == 0
                || (item[0] == 1 && item[1]["command"]["running"] == true)),
            "{line}"
        );
    }
    // This run's answers, the one that found the lock gone included.
    let kept = Record::load(Path::new(&format!("{}.unsaved", record.display()))).unwrap();
    let statuses: Vec<Status> = kept.items.iter().map(|item| item.status).collect();
    // The second command ran (the write that found the lock gone was the
    // one that records it, before the item is answered); the third never
    // did.
    assert_eq!(statuses, [Status::Done, Status::Pending, Status::Pending]);
    assert_eq!(
        kept.items[1].rare.command.as_ref().unwrap().exit_code,
        Some(0)
    );
    assert!(kept.items[2].rare.command.is_none());
}

#[test]
fn at_a_terminal_a_taken_lock_stops_the_next_answer() {
    use expectrl::Expect;
    use expectrl::process::unix::WaitStatus;
    let folder = Folder::with("# Two\n\n## Do\n\n- [ ] One\n- [ ] Two\n- [ ] Three\n");
    let mut run = crate::support::pty(folder.path(), &["run", "s.md"]);
    run.expect("One").unwrap();
    run.send("y").unwrap();
    run.expect("Two").unwrap();
    let [record] = folder.records().try_into().unwrap();
    let name = record
        .strip_prefix(folder.path())
        .unwrap()
        .display()
        .to_string();
    // Someone removed the lock by hand and another run took the record.
    let lock = format!("{}.lock", record.display());
    fs::write(
        format!("{lock}.new"),
        "pid: 4242\nhost: build-7\noperator: Bob\n",
    )
    .unwrap();
    fs::rename(format!("{lock}.new"), &lock).unwrap();
    fs::write(&record, "written by another run\n").unwrap();
    run.send("y").unwrap();
    run.expect(format!("error: {name}: this run's lock {name}.lock was replaced: it now names pid 4242 on build-7 (operator Bob); another relcheck may be writing the record").as_str()).unwrap();
    match run.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => assert_eq!(code, 6),
        other => panic!("not an exit: {other:?}"),
    }
    assert_eq!(
        fs::read_to_string(&record).unwrap(),
        "written by another run\n"
    );
    let kept = Record::load(Path::new(&format!("{}.unsaved", record.display()))).unwrap();
    let statuses: Vec<Status> = kept.items.iter().map(|item| item.status).collect();
    assert_eq!(statuses, [Status::Done, Status::Done, Status::Pending]);
}

#[test]
fn a_run_ended_by_a_signal_leaves_no_lock_behind() {
    use expectrl::Expect;
    use expectrl::process::unix::WaitStatus;
    let folder = Folder::with("# Two\n\n## Do\n\n- [ ] One\n- [ ] Two\n");
    let mut run = crate::support::pty(folder.path(), &["run", "s.md"]);
    run.expect("One").unwrap();
    let [record] = folder.records().try_into().unwrap();
    let lock = PathBuf::from(format!("{}.lock", record.display()));
    assert!(lock.exists());
    let pid = run.get_process().pid();
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    match run.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => assert_eq!(code, 130),
        other => panic!("not an exit: {other:?}"),
    }
    // The exit on a signal runs no destructor, so the lock goes by hand;
    // the next run then finds none to call stale.
    assert!(!lock.exists());
    let out = folder.run(&["report", &record.display().to_string()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}
