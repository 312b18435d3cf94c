//! Killed with SIGKILL at random moments, a run loses nothing it had
//! confirmed: the record loads, `verify` accepts it, and `resume` (at a
//! terminal) finishes it with every earlier answer kept as it was.
//!
//! Both runners: the non-interactive one (an answers file, commands) and
//! the interactive one in a pseudo-terminal. 20 kills each by default,
//! from a fixed seed; `RELCHECK_CRASH_KILLS=100` for more, and
//! `RELCHECK_CRASH_SEED` for other moments.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use expectrl::Expect;
use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession as Pty;
use relcheck::model::{Kind, When};
use relcheck::record::{Outcome, Record, Status};

use crate::support::{BIN, pty, relcheck};

const STEPS: usize = 16;

/// A field, checks (every fourth runs a short command), a trigger, a
/// rollback step and a sign-off.
fn checklist() -> String {
    let mut text = String::from("# Crash\n\n## Prepare\n\n- **Ticket**: ___\n");
    for i in 1..=STEPS {
        text.push_str(&format!("- [ ] Step {i:02} verified\n"));
        if i % 4 == 0 {
            text.push_str("  ```sh\n  sleep 0.02\n  ```\n");
        }
    }
    text.push_str(
        "\n## Watch\n\n### Rollback Triggers\n\n- [ ] Errors above the line\n\n### Rollback Steps\n\n- [ ] Revert\n\n## Sign-off\n\n- **Release Manager**: [Name] - [Date]\n",
    );
    text
}

/// What the answers file says: the field, the checks without a command,
/// the trigger and the sign-off; the commands answer the rest.
fn answers() -> String {
    let mut text = String::from("values:\n  Ticket: T-1\nitems:\n");
    for i in (1..=STEPS).filter(|i| i % 4 != 0) {
        text.push_str(&format!("  Step {i:02} verified: done\n"));
    }
    text.push_str("  Errors above the line: not-occurred\n");
    text.push_str("signoffs:\n  Release Manager: {name: Jane Doe, decision: approve}\n");
    text
}

/// One question of an interactive run, in the order it is asked.
#[derive(Debug, Clone)]
struct Prompt {
    id: String,
    kind: Kind,
    text: String,
}

fn prompts() -> Vec<Prompt> {
    let source = relcheck::source::Source::from_text("crash.md", &checklist());
    relcheck::parse::parse(&source)
        .checklist
        .items()
        .filter(|(_, section, _)| section.when != When::Rollback)
        .map(|(_, _, item)| Prompt {
            id: item.id.to_string(),
            kind: item.kind,
            text: item.text.to_string(),
        })
        .collect()
}

/// xorshift64*: the moments are reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn settings() -> (usize, Rng) {
    let kills = std::env::var("RELCHECK_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(20);
    let seed = std::env::var("RELCHECK_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_cafe_u64);
    (kills, Rng(seed | 1))
}

struct Dir {
    _tmp: tempfile::TempDir,
    path: PathBuf,
}

fn setup() -> Dir {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().to_path_buf();
    std::fs::write(path.join("crash.md"), checklist()).unwrap();
    std::fs::write(path.join("answers.yaml"), answers()).unwrap();
    Dir { _tmp: tmp, path }
}

fn records(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir.join("relcheck-records")) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "yaml")
                && !p.file_name().unwrap().to_string_lossy().starts_with('.')
        })
        .collect()
}

fn kill(pid: i32) {
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    );
}

/// Waits for a prompt's screen, then answers it as a person would.
fn answer(pty: &mut Pty, prompt: &Prompt) {
    let text = match prompt.kind {
        Kind::Field => format!("{}:", prompt.text),
        _ => prompt.text.clone(),
    };
    pty.expect(text.as_str())
        .unwrap_or_else(|err| panic!("waiting for {}: {err}", prompt.id));
    send_answer(pty, prompt);
}

fn send_answer(pty: &mut Pty, prompt: &Prompt) {
    match prompt.kind {
        Kind::Field => pty.send("T-1\r").unwrap(),
        Kind::Check => pty.send("y").unwrap(),
        Kind::Trigger => pty.send("n").unwrap(),
        Kind::Signoff => {
            pty.send("y").unwrap();
            pty.expect("Name [").unwrap();
            pty.send("\r").unwrap();
            pty.expect("a approve").unwrap();
            pty.send("a").unwrap();
            pty.expect("Comment").unwrap();
            pty.send("\r").unwrap();
        }
    }
}

fn expected(prompt: &Prompt) -> (Status, Option<String>) {
    match prompt.kind {
        Kind::Field => (Status::Done, Some("T-1".to_string())),
        Kind::Check => (Status::Done, None),
        Kind::Trigger => (Status::NotOccurred, None),
        Kind::Signoff => (Status::Done, None),
    }
}

fn verify_passes(path: &Path, why: &str) {
    let out = relcheck(&["verify", &path.display().to_string()]).run();
    assert_eq!(
        out.code,
        0,
        "{why}: verify refused {}:\n{}{}",
        path.display(),
        out.stdout,
        out.stderr
    );
}

/// Where the kills landed: before the record existed, during the run
/// (then resumed), after it ended.
#[derive(Debug, Default)]
struct Landed {
    before_record: usize,
    resumed: usize,
    after_end: usize,
    answers_kept: usize,
}

/// After a kill: the record loads and verifies, holds every confirmed
/// answer, and `resume` finishes it keeping all it held.
fn check_and_finish(
    dir: &Path,
    confirmed: &[&Prompt],
    reported: &[String],
    why: &str,
    landed: &mut Landed,
) {
    let found = records(dir);
    let Some(path) = found.first() else {
        assert!(
            confirmed.is_empty() && reported.is_empty(),
            "{why}: answers confirmed but no record"
        );
        landed.before_record += 1;
        return;
    };
    assert_eq!(found.len(), 1, "{why}: {found:?}");
    let before = Record::load(path).unwrap_or_else(|err| panic!("{why}: {err:#}"));
    verify_passes(path, why);
    for prompt in confirmed {
        let item = before.item(&prompt.id).expect("item");
        let (status, value) = expected(prompt);
        assert_eq!(item.status, status, "{why}: {} lost", prompt.id);
        if value.is_some() {
            assert_eq!(item.rare.value, value, "{why}: {} value lost", prompt.id);
        }
    }
    for id in reported {
        let item = before.item(id).unwrap_or_else(|| panic!("{why}: no {id}"));
        assert!(
            item.status.is_answered(),
            "{why}: {id} was reported ok but is pending"
        );
    }

    if before.run.outcome == Outcome::InProgress {
        landed.resumed += 1;
        let pending: Vec<Prompt> = prompts()
            .into_iter()
            .filter(|p| before.item(&p.id).unwrap().status == Status::Pending)
            .collect();
        let mut pty = pty(dir, &["resume", &path.display().to_string()]);
        let answered = before
            .items
            .iter()
            .filter(|i| i.status.is_answered())
            .count();
        if answered > 0 {
            pty.expect(format!("Resuming: {answered} items already answered.").as_str())
                .unwrap_or_else(|err| panic!("{why}: resume did not start: {err}"));
        }
        for prompt in &pending {
            answer(&mut pty, prompt);
        }
        pty.expect("Run finished: SUCCESS")
            .unwrap_or_else(|err| panic!("{why}: resume did not finish: {err}"));
        match pty.get_process().wait().unwrap() {
            WaitStatus::Exited(_, 0) => {}
            other => panic!("{why}: resume ended {other:?}"),
        }
    } else {
        landed.after_end += 1;
    }
    let after = Record::load(path).unwrap();
    assert_eq!(after.run.outcome, Outcome::Success, "{why}");
    verify_passes(path, why);
    for item in before.items.iter().filter(|i| i.status.is_answered()) {
        let now = after.item(&item.id).unwrap();
        assert_eq!(
            (now.status, &now.rare.value, now.at, &now.by),
            (item.status, &item.rare.value, item.at, &item.by),
            "{why}: {} changed by the resume",
            item.id
        );
        landed.answers_kept += 1;
    }
}

fn run_unattended(dir: &Path) -> std::process::Child {
    Command::new(BIN)
        .args([
            "run",
            "crash.md",
            "--non-interactive",
            "--answers",
            "answers.yaml",
        ])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("RELCHECK_OPERATOR", "Ada")
        .env_remove("RELCHECK_RECORDS_DIR")
        .env_remove("GITHUB_ACTIONS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn the_non_interactive_runner_killed_at_random_moments_loses_nothing() {
    let (kills, mut rng) = settings();
    let all = prompts();

    // How long a whole run takes here, to spread the kills over it.
    let dir = setup();
    let started = Instant::now();
    let out = run_unattended(&dir.path).wait_with_output().unwrap();
    let whole = started.elapsed();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut landed = Landed::default();
    for kill_no in 0..kills {
        let dir = setup();
        let delay = Duration::from_micros(rng.below(whole.as_micros() as u64 * 6 / 5));
        let child = run_unattended(&dir.path);
        std::thread::sleep(delay);
        kill(child.id() as i32);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // `ok NAME` is printed once the answer is saved; a name here is
        // the item's text (none has variables or is shared), then a
        // command's time.
        // Only whole lines: a kill may cut the last one short.
        let reported: Vec<String> = stderr
            .split_inclusive('\n')
            .filter_map(|line| line.strip_suffix('\n'))
            .filter_map(|line| line.strip_prefix("ok "))
            .map(|rest| {
                let rest = rest.trim();
                match rest.rsplit_once(" (") {
                    Some((name, took)) if took.ends_with(" s)") => name,
                    _ => rest,
                }
            })
            .map(|name| {
                all.iter()
                    .find(|p| p.text == name)
                    .unwrap_or_else(|| panic!("no item is named {name}"))
                    .id
                    .clone()
            })
            .collect();
        let confirmed: Vec<&Prompt> = all.iter().filter(|p| reported.contains(&p.id)).collect();
        let why = format!("non-interactive kill {kill_no} after {delay:?}");
        check_and_finish(&dir.path, &confirmed, &reported, &why, &mut landed);
    }
    println!("non-interactive, {kills} kills: {landed:?}");
}

#[test]
fn the_interactive_runner_killed_at_random_moments_loses_nothing() {
    let (kills, mut rng) = settings();
    let all = prompts();
    let mut landed = Landed::default();
    for kill_no in 0..kills {
        let dir = setup();
        // Answer `k` questions, wait for the next screen (which comes only
        // once the k-th answer is durable), maybe start answering it, and
        // kill within a few milliseconds.
        let k = rng.below(all.len() as u64 + 1) as usize;
        let mut pty = pty(&dir.path, &["run", "crash.md"]);
        for prompt in &all[..k] {
            answer(&mut pty, prompt);
        }
        if let Some(next) = all.get(k) {
            let text = match next.kind {
                Kind::Field => format!("{}:", next.text),
                _ => next.text.clone(),
            };
            pty.expect(text.as_str()).unwrap();
            if next.kind != Kind::Signoff && rng.below(2) == 0 {
                send_answer(&mut pty, next);
            }
        }
        std::thread::sleep(Duration::from_micros(rng.below(5_000)));
        kill(pty.get_process().pid().as_raw());
        let _ = pty.get_process().wait();
        let confirmed: Vec<&Prompt> = all[..k.saturating_sub(if k == all.len() { 1 } else { 0 })]
            .iter()
            .collect();
        let why = format!("interactive kill {kill_no} after {k} answers");
        check_and_finish(&dir.path, &confirmed, &[], &why, &mut landed);
    }
    println!("interactive, {kills} kills: {landed:?}");
}
