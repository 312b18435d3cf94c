use std::fs;
use std::path::Path;
use std::sync::Arc;

use super::*;

/// Far longer than any command here takes, so only the tests about
/// timeouts ever see one.
const PATIENT: Duration = Duration::from_secs(60);
/// The bound on anything that should be prompt. Generous: CI machines are
/// slow, and these tests check that nothing hangs, not how fast it is.
const PROMPT: Duration = Duration::from_secs(10);

pub(super) fn spec(script: &str) -> Spec {
    Spec {
        script: script.to_string(),
        timeout: PATIENT,
        cwd: None,
        env: Vec::new(),
    }
}

/// Runs with [`Shell`] and checks that what was streamed is what was kept
/// whenever nothing was cut.
pub(super) fn run(spec: &Spec) -> Outcome {
    run_cancellable(spec, &AtomicBool::new(false))
}

fn run_cancellable(spec: &Spec, cancel: &AtomicBool) -> Outcome {
    let mut streamed = Vec::new();
    let outcome = Shell
        .run(spec, &mut |chunk| streamed.extend_from_slice(chunk), cancel)
        .expect("sh starts");
    if outcome.truncated_bytes == 0 {
        assert_eq!(String::from_utf8_lossy(&streamed), outcome.output);
    }
    outcome
}

pub(super) fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

/// A pid written by a script, as a number.
fn read_pid(path: &Path) -> i32 {
    let text = fs::read_to_string(path).expect("the script wrote its pid");
    text.trim().parse().expect("a pid")
}

/// Whether a process still runs. A zombie counts as gone: it runs nothing,
/// and a container's PID 1 may never reap an orphan.
fn alive(pid: i32) -> bool {
    stat(pid).is_some_and(|(state, _)| state != 'Z')
}

/// The state letter and process group of a process, from /proc.
fn stat(pid: i32) -> Option<(char, i32)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name in parentheses may hold spaces; fields follow it.
    let mut fields = text.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let group = fields.nth(1)?.parse().ok()?;
    Some((state, group))
}

/// Live processes in a group.
fn members(group: i32) -> Vec<i32> {
    fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| stat(pid).is_some_and(|(state, g)| g == group && state != 'Z'))
        .collect()
}

/// Waits, within reason, for a killed process to finish dying.
fn gone_soon(check: impl Fn() -> bool) -> bool {
    let until = Instant::now() + PROMPT;
    while Instant::now() < until {
        if check() {
            return true;
        }
        thread::sleep(Duration::from_millis(50));
    }
    false
}

// --- exit and output

#[test]
fn exit_zero_succeeds() {
    let outcome = run(&spec("echo ok"));
    assert_eq!(outcome.exit_code, Some(0));
    assert_eq!(outcome.signal, None);
    assert!(outcome.succeeded());
    assert_eq!(outcome.summary(), "exit 0");
    assert_eq!(outcome.output, "ok\n");
    assert_eq!(outcome.truncated_bytes, 0);
}

#[test]
fn non_zero_exit_fails_with_its_code() {
    let outcome = run(&spec("echo 'no such tag' >&2; exit 2"));
    assert_eq!(outcome.exit_code, Some(2));
    assert!(!outcome.succeeded());
    assert_eq!(outcome.summary(), "exit 2");
    assert_eq!(outcome.output, "no such tag\n");
}

#[test]
fn a_signal_ending_the_shell_is_reported() {
    let outcome = run(&spec("kill -9 $$"));
    assert_eq!(outcome.exit_code, None);
    assert_eq!(outcome.signal, Some(9));
    assert!(!outcome.succeeded());
    assert_eq!(outcome.summary(), "killed by signal 9");
}

#[test]
fn stdout_and_stderr_interleave_in_the_order_printed() {
    let outcome = run(&spec(
        "echo one; echo two >&2; echo three; echo four >&2; printf five; printf ' six\\n' >&2",
    ));
    assert_eq!(outcome.output, "one\ntwo\nthree\nfour\nfive six\n");
}

#[test]
fn stdin_is_closed() {
    let started = Instant::now();
    let outcome = run(&spec("cat"));
    assert!(started.elapsed() < PROMPT);
    assert_eq!(outcome.exit_code, Some(0));
    assert_eq!(outcome.output, "");
}

#[test]
fn runs_in_the_working_directory_given() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run(&Spec {
        cwd: Some(dir.path().to_path_buf()),
        ..spec("pwd -P")
    });
    let expected = dir.path().canonicalize().unwrap();
    assert_eq!(outcome.output, format!("{}\n", expected.display()));
}

#[test]
fn a_missing_working_directory_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = Shell
        .run(
            &Spec {
                cwd: Some(missing.clone()),
                ..spec("true")
            },
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );
}

// --- bounded output

#[test]
fn megabytes_of_lines_keep_exactly_the_last_64_kib() {
    // 327,680 lines of 16 bytes: 5 MiB, and the tail starts on a line.
    let lines = 327_680;
    let outcome = run(&spec(&format!(
        "awk 'BEGIN {{ for (i = 1; i <= {lines}; i++) printf \"%015d\\n\", i }}'"
    )));
    assert_eq!(outcome.exit_code, Some(0));
    assert_eq!(outcome.output.len(), TAIL_BYTES);
    assert_eq!(
        outcome.truncated_bytes,
        (5 * 1024 * 1024 - TAIL_BYTES) as u64
    );
    let first_kept = lines - TAIL_BYTES / 16 + 1;
    assert!(outcome.output.starts_with(&format!("{first_kept:015}\n")));
    assert!(outcome.output.ends_with(&format!("{lines:015}\n")));
}

#[test]
fn one_huge_line_keeps_its_last_64_kib_and_counts_the_rest() {
    let total: u64 = 3_000_000;
    let mut streamed: u64 = 0;
    let outcome = Shell
        .run(
            &spec(&format!("head -c {total} /dev/zero | tr '\\0' x")),
            &mut |chunk| streamed += chunk.len() as u64,
            &AtomicBool::new(false),
        )
        .unwrap();
    assert_eq!(streamed, total);
    assert_eq!(outcome.output, "x".repeat(TAIL_BYTES));
    assert_eq!(outcome.truncated_bytes, total - TAIL_BYTES as u64);
}

#[test]
fn tail_keeps_the_last_bytes_across_chunks() {
    let mut tail = Tail::new(8);
    for chunk in ["abc\n", "defg", "h\nij", "", "klm\nnop"] {
        tail.push(chunk.as_bytes());
    }
    assert_eq!(Vec::from(tail.bytes.clone()), b"jklm\nnop");
    assert_eq!((tail.dropped, tail.last_dropped), (11, Some(b'i')));
    // "jklm" is the end of a line that started among the dropped bytes.
    assert_eq!(tail.into_text(), ("nop".to_string(), 16));

    let mut tail = Tail::new(4);
    tail.push(b"ab");
    tail.push(b"0123456789");
    assert_eq!(Vec::from(tail.bytes.clone()), b"6789");
    assert_eq!((tail.dropped, tail.last_dropped), (8, Some(b'5')));
}

#[test]
fn tail_cuts_to_a_line_or_character_boundary() {
    let cases: [(&[&str], usize, &str, u64); 6] = [
        // Nothing dropped: nothing cut.
        (&["one\ntwo\n"], 16, "one\ntwo\n", 0),
        // Starts right after a dropped newline: already a line.
        (&["one\n", "two\n"], 4, "two\n", 4),
        // Starts mid-line: cut to the next line.
        (&["one\ntwo\nthree\n"], 9, "three\n", 8),
        // One long line: cut only what a character needs. "é" is two
        // bytes; the first kept byte is its second.
        (&["aé", "bcd"], 4, "bcd", 3),
        (&["aébcd"], 5, "ébcd", 1),
        // Invalid UTF-8 in what is kept comes out replaced, not dropped.
        (&["ab\u{7f}"], 8, "ab\u{7f}", 0),
    ];
    for (chunks, limit, text, dropped) in cases {
        let mut tail = Tail::new(limit);
        for chunk in chunks {
            tail.push(chunk.as_bytes());
        }
        assert_eq!(tail.into_text(), (text.to_string(), dropped), "{chunks:?}");
    }
    let mut tail = Tail::new(4);
    tail.push(b"ok\xff\n");
    assert_eq!(tail.into_text(), ("ok\u{fffd}\n".to_string(), 0));
}

// --- stopping

#[test]
fn a_timeout_kills_the_whole_group() {
    let dir = tempfile::tempdir().unwrap();
    let background = dir.path().join("background.pid");
    let shell = dir.path().join("shell.pid");
    let script = format!(
        "echo $$ > {}; sleep 30 & echo $! > {}; echo started; sleep 30",
        shell_quote(&shell.display().to_string()),
        shell_quote(&background.display().to_string()),
    );
    let started = Instant::now();
    let outcome = run(&Spec {
        timeout: Duration::from_secs(2),
        ..spec(&script)
    });
    assert!(started.elapsed() < PROMPT, "took {:?}", started.elapsed());
    assert!(outcome.timed_out);
    assert!(!outcome.cancelled);
    assert!(!outcome.succeeded());
    assert!(outcome.duration >= Duration::from_secs(2));
    // The time asked, though stopping it took longer; SIGTERM was enough.
    assert_eq!(outcome.summary(), "timed out after 2 s");
    assert!(!outcome.killed);
    assert_eq!(
        outcome.detail(),
        "timed out after 2 s; stopped with SIGTERM"
    );
    assert_eq!(outcome.output, "started\n");
    let group = read_pid(&shell);
    let background = read_pid(&background);
    assert!(
        gone_soon(|| !alive(background)),
        "background sleep survived"
    );
    assert!(
        gone_soon(|| members(group).is_empty()),
        "group {group} survived"
    );
}

#[test]
fn a_group_that_ignores_sigterm_gets_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let background = dir.path().join("background.pid");
    // An ignored signal stays ignored across fork and exec: both sleeps
    // ignore SIGTERM too.
    let script = format!(
        "trap '' TERM; sleep 30 & echo $! > {}; sleep 30; echo survived",
        shell_quote(&background.display().to_string())
    );
    let started = Instant::now();
    let outcome = run(&Spec {
        timeout: Duration::from_secs(1),
        ..spec(&script)
    });
    assert!(started.elapsed() < PROMPT, "took {:?}", started.elapsed());
    assert!(outcome.timed_out);
    assert_eq!(outcome.signal, Some(9));
    assert!(outcome.killed);
    assert_eq!(
        outcome.detail(),
        "timed out after 1 s; stopped with SIGTERM, then SIGKILL after 2 s"
    );
    assert_eq!(outcome.output, "");
    let background = read_pid(&background);
    assert!(
        gone_soon(|| !alive(background)),
        "background sleep survived"
    );
}

#[test]
fn a_background_child_holding_the_pipe_does_not_hang_the_step() {
    let dir = tempfile::tempdir().unwrap();
    let background = dir.path().join("background.pid");
    let script = format!(
        "sleep 60 & echo $! > {}; echo hi",
        shell_quote(&background.display().to_string())
    );
    let started = Instant::now();
    let outcome = run(&spec(&script));
    assert!(started.elapsed() < PROMPT, "took {:?}", started.elapsed());
    assert_eq!(outcome.exit_code, Some(0));
    assert!(outcome.succeeded());
    assert_eq!(outcome.output, "hi\n");
    let background = read_pid(&background);
    assert!(
        gone_soon(|| !alive(background)),
        "background sleep survived"
    );
}

#[test]
fn the_cancel_flag_stops_a_long_command() {
    let cancel = Arc::new(AtomicBool::new(false));
    let setter = {
        let cancel = Arc::clone(&cancel);
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(300));
            cancel.store(true, Ordering::Relaxed);
        })
    };
    let started = Instant::now();
    let outcome = run_cancellable(&spec("echo waiting; sleep 30"), &cancel);
    setter.join().unwrap();
    assert!(started.elapsed() < PROMPT, "took {:?}", started.elapsed());
    assert!(outcome.cancelled);
    assert!(!outcome.timed_out);
    assert!(!outcome.succeeded());
    assert_eq!(outcome.summary(), "interrupted");
    assert_eq!(outcome.output, "waiting\n");
}

#[test]
fn a_cancelled_step_never_starts() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run_cancellable(
        &Spec {
            cwd: Some(dir.path().to_path_buf()),
            ..spec("touch started")
        },
        &AtomicBool::new(true),
    );
    assert!(outcome.cancelled);
    assert!(!dir.path().join("started").exists());
}

// --- summary

#[test]
fn summary_says_why_before_how() {
    let cases = [
        (Outcome::exited(0, ""), "exit 0"),
        (Outcome::exited(127, ""), "exit 127"),
        (
            Outcome {
                signal: Some(15),
                ..Outcome::default()
            },
            "killed by signal 15",
        ),
        (
            Outcome {
                timed_out: true,
                signal: Some(15),
                timeout: Duration::from_secs(600),
                duration: Duration::from_millis(600_400),
                ..Outcome::default()
            },
            "timed out after 10 min",
        ),
        (
            Outcome {
                timed_out: true,
                timeout: Duration::from_secs(3),
                duration: Duration::from_millis(5_100),
                ..Outcome::default()
            },
            "timed out after 3 s",
        ),
        (
            Outcome {
                timed_out: true,
                timeout: Duration::from_secs(90),
                ..Outcome::default()
            },
            "timed out after 90 s",
        ),
        (
            Outcome {
                timed_out: true,
                timeout: Duration::from_secs(7200),
                ..Outcome::default()
            },
            "timed out after 2 h",
        ),
        (
            Outcome {
                timed_out: true,
                timeout: Duration::from_millis(250),
                duration: Duration::from_millis(2_300),
                ..Outcome::default()
            },
            "timed out after 250 ms",
        ),
        (
            Outcome {
                cancelled: true,
                signal: Some(15),
                ..Outcome::default()
            },
            "interrupted",
        ),
        (Outcome::default(), "no exit status"),
    ];
    for (outcome, summary) in cases {
        assert_eq!(outcome.summary(), summary);
    }
    assert_eq!(timed_out_after(300), "timed out after 5 min");
    assert_eq!(stopping(false), "stopped with SIGTERM");
    assert_eq!(
        stopping(true),
        "stopped with SIGTERM, then SIGKILL after 2 s"
    );
}

// --- the fake

#[test]
fn fake_replays_outcomes_streams_their_output_and_records_specs() {
    let fake = Fake::new([Outcome::exited(0, "built\n")])
        .then(Outcome::exited(3, ""))
        .then_fail(io::Error::new(io::ErrorKind::NotFound, "no such dir"));
    let cancel = AtomicBool::new(false);
    let mut streamed = Vec::new();
    let mut on_output = |chunk: &[u8]| streamed.extend_from_slice(chunk);

    let first = fake.run(&spec("make"), &mut on_output, &cancel).unwrap();
    assert!(first.succeeded());
    let second = fake
        .run(&spec("make test"), &mut on_output, &cancel)
        .unwrap();
    assert_eq!(second.exit_code, Some(3));
    let third = fake
        .run(&spec("deploy"), &mut on_output, &cancel)
        .unwrap_err();
    assert_eq!(third.kind(), io::ErrorKind::NotFound);
    let fourth = fake
        .run(&spec("extra"), &mut on_output, &cancel)
        .unwrap_err();
    assert!(fourth.to_string().contains("`extra`"), "{fourth}");

    assert_eq!(streamed, b"built\n");
    let scripts: Vec<String> = fake.specs().into_iter().map(|s| s.script).collect();
    assert_eq!(scripts, ["make", "make test", "deploy", "extra"]);
}
