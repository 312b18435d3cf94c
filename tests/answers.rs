//! A pipeline's answers file used up as the run goes: the unattended
//! prompter takes each item's answer out when the item is asked, so a long
//! run's answers are not held beside its record at the end, and the run
//! answers exactly as when every answer stayed to the end. And the log
//! line that says an answer is saved goes out whole.

use std::sync::atomic::AtomicBool;

use relcheck::answers::Answers;
use relcheck::ci::Unattended;
use relcheck::exec::Fake;
use relcheck::prompt::{
    Action, GateAnswer, GateView, ItemView, Overview, Prompter, Reply, StartView, Summary,
    ValueRequest, WaitEnd, WaitView,
};
use relcheck::record::{ItemResult, Mode, Provenance, Record, Status};
use relcheck::session::{MemorySink, Options, Session, TestClock};

/// A check, a field, a field the run fills in itself (whatever the file
/// says), a measured trigger answered against its number with
/// no note (refused, so asked again and left pending), a check the file
/// does not answer, a rollback step the run never reaches, and a sign-off.
const LIST: &str = "# Used up
## Work
- **Ticket**: ___
- **Deployment Date**: ___
- [ ] Backup taken
- [ ] Docs updated (optional)
- [ ] Nobody answers this
### Rollback Triggers
- [ ] Error rate > 5%
### Rollback Steps
If rollback required:
- [ ] Old version back
## Sign-off
- **QA**: [Name] - [Date]
";

const ANSWERS: &str = "values:
  Ticket: T-9
  Deployment Date: \"2026-01-01\"
items:
  Backup taken: {status: done, note: nightly}
  Docs updated (optional): {status: n/a}
  Error rate > 5%: {value: 6%, status: not-occurred}
  Old version back: done
signoffs:
  QA: {name: Grace}
";

fn options() -> Options {
    Options {
        operator: "ci-bot".into(),
        host: "h".into(),
        mode: Mode::NonInteractive,
        preset: Default::default(),
        command_timeout: std::time::Duration::from_secs(5),
        unattended: true,
    }
}

/// The run's record with `prompter` (made from the answers, its log
/// going to `log`), and the answers it had not used at the end.
fn run_with<P: Prompter>(
    log: Box<dyn std::io::Write>,
    prompter: impl FnOnce(Unattended<'static>) -> P,
    unused: impl Fn(&P) -> usize,
) -> (Record, usize) {
    let checklist =
        relcheck::parse::parse(&relcheck::source::Source::from_text("used.md", LIST)).checklist;
    let provenance = Provenance {
        kind: "answers-file".into(),
        path: Some("a.yaml".into()),
        sha256: None,
    };
    let answers = Answers::parse(ANSWERS, "a.yaml", provenance, &checklist).unwrap();
    assert_eq!(answers.items.len(), 6, "a field's value is an item answer");
    let mut prompter = prompter(Unattended::new(
        answers,
        true,
        log,
        relcheck::style::Style::PLAIN,
        None,
    ));
    let clock = TestClock::new("2026-05-04T10:00:00Z".parse().unwrap());
    let flag = AtomicBool::new(false);
    let mut session = Session::start(&checklist, &clock, options(), &flag, "u".into());
    session
        .run(&mut prompter, &Fake::new([]), &mut MemorySink::default())
        .unwrap();
    let left = unused(&prompter);
    (session.record, left)
}

/// Asks the real prompter each item twice, with another item asked in
/// between, as a run that comes back to an item would: each time the
/// item's answer must be the one the file gives.
struct AskedAgain {
    inner: Unattended<'static>,
    /// A later item's id, asked in between (its answer must survive).
    between: &'static str,
}

impl Prompter for AskedAgain {
    fn start(&mut self, view: &StartView) {
        self.inner.start(view);
    }
    fn ask_value(&mut self, request: &ValueRequest) -> Reply<Option<String>> {
        self.inner.ask_value(request)
    }
    fn ask_item(&mut self, view: &ItemView) -> Reply<Action> {
        let first = self.inner.ask_item(view);
        if view.id != self.between {
            let mut other = view.clone();
            other.id = self.between.to_string();
            self.inner.ask_item(&other);
        }
        let again = self.inner.ask_item(view);
        assert_eq!(format!("{first:?}"), format!("{again:?}"), "{}", view.id);
        again
    }
    fn ask_field(&mut self, view: &ItemView, request: &ValueRequest) -> Reply<Action> {
        self.inner.ask_field(view, request)
    }
    fn ask_signoff(&mut self, view: &ItemView) -> Reply<Action> {
        self.inner.ask_signoff(view)
    }
    fn ask_gate(&mut self, view: &GateView) -> Reply<GateAnswer> {
        self.inner.ask_gate(view)
    }
    fn ask_rollback_needed(&mut self, phase: &str) -> Reply<bool> {
        self.inner.ask_rollback_needed(phase)
    }
    fn wait(&mut self, view: &WaitView, interrupted: &AtomicBool) -> Reply<WaitEnd> {
        self.inner.wait(view, interrupted)
    }
    fn overview(&mut self, view: &Overview) -> Reply<()> {
        self.inner.overview(view)
    }
    fn answer_source(&mut self) -> Option<Provenance> {
        self.inner.answer_source()
    }
    fn answer_by(&mut self) -> Option<String> {
        self.inner.answer_by()
    }
    fn settled(&mut self, item: &ItemResult, name: &str) {
        self.inner.settled(item, name);
    }
    fn finish(&mut self, summary: &Summary) {
        self.inner.finish(summary);
    }
}

#[test]
fn each_answer_is_used_up_once_its_item_is_settled() {
    let (record, unused) = run_with(
        Box::new(std::io::sink()),
        |prompter| prompter,
        Unattended::unused_answers,
    );
    let status = |id: &str| record.item(id).unwrap().status;
    assert_eq!(status("work/backup-taken"), Status::Done);
    assert_eq!(status("work/ticket"), Status::Done);
    let date = record.item("work/deployment-date").unwrap();
    assert_eq!(
        (
            date.rare.value.as_deref(),
            date.source.as_ref().map(|s| s.kind.as_str())
        ),
        (Some("2026-05-04"), Some("run"))
    );
    assert_eq!(status("work/docs-updated-optional"), Status::NotApplicable);
    // Overruling the number needs a note: refused, asked again, left
    // pending.
    assert_eq!(
        status("work/rollback-triggers/error-rate-5"),
        Status::Pending
    );
    assert_eq!(status("work/nobody-answers-this"), Status::Pending);
    assert_eq!(
        status("work/rollback-steps/old-version-back"),
        Status::NotNeeded
    );
    assert_eq!(status("sign-off/qa"), Status::Done);
    // Only the rollback step's answer is left: its item was never asked
    // (the date's went when the run settled it).
    assert_eq!(unused, 1);
}

#[test]
fn an_item_asked_again_before_it_is_settled_answers_the_same() {
    let (plain, _) = run_with(
        Box::new(std::io::sink()),
        |prompter| prompter,
        Unattended::unused_answers,
    );
    let (again, unused) = run_with(
        Box::new(std::io::sink()),
        |inner| AskedAgain {
            inner,
            between: "work/docs-updated-optional",
        },
        |prompter| prompter.inner.unused_answers(),
    );
    assert_eq!(again.items, plain.items);
    assert_eq!(again.values, plain.values);
    assert_eq!(again.signoffs, plain.signoffs);
    assert_eq!(unused, 1);
}

/// Keeps each write it is given apart, as an unbuffered stderr passes
/// each on to the log.
#[derive(Clone, Default)]
struct Writes(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl std::io::Write for Writes {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut writes = self.0.lock().unwrap();
        writes.push(String::from_utf8_lossy(bytes).into_owned());
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An item's log line goes out in one write, its line end included: a job
/// killed between the word and the name had left `ok` alone on the log's
/// last line, though `ok NAME` says the answer is saved.
#[test]
fn each_items_log_line_is_written_whole() {
    let writes = Writes::default();
    run_with(
        Box::new(writes.clone()),
        |prompter| prompter,
        Unattended::unused_answers,
    );
    let writes = writes.0.lock().unwrap();
    let oks: Vec<&str> = writes
        .iter()
        .filter(|write| write.starts_with("ok "))
        .map(String::as_str)
        .collect();
    assert_eq!(
        oks,
        [
            "ok      Ticket\n",
            "ok      Deployment Date\n",
            "ok      Backup taken\n",
            "ok      QA\n",
        ],
        "{writes:#?}"
    );
}

/// The answers file is read before the checklist is parsed, but what is
/// wrong with it is said after what is wrong with the checklist, as when
/// it was read after: a file that is not text, given twice a key, or not
/// there at all waits its turn.
#[test]
fn the_checklists_own_errors_are_said_before_the_answers_files() {
    let checklist_error = "error: t.md has errors; fix them and run it again (`relcheck lint t.md` checks):\nt.md:3:9: error: timeout `soon` is not a duration; write seconds (300) or 90s, 15m, 2h\n3 | - [ ] a <!-- relcheck: timeout=soon -->\n  |         ^\n";
    for (name, bytes) in [
        ("bad.yaml", &b"items:\n  a: d\xffone\n"[..]),
        ("twice.yaml", &b"items:\n  a: done\n  a: failed\n"[..]),
    ] {
        crate::support::Test::new()
            .file(
                "t.md",
                "# T\n## P\n- [ ] a <!-- relcheck: timeout=soon -->\n",
            )
            .file_bytes(name, bytes)
            .args(&["run", "t.md", "--non-interactive", "--answers", name])
            .code(3)
            .stderr(checklist_error)
            .run();
    }
    crate::support::Test::new()
        .file(
            "t.md",
            "# T\n## P\n- [ ] a <!-- relcheck: timeout=soon -->\n",
        )
        .args(&["run", "t.md", "--non-interactive", "--answers", "gone.yaml"])
        .code(3)
        .stderr(checklist_error)
        .run();
    // With a checklist that reads, the file's own error.
    crate::support::Test::new()
        .file("t.md", "# T\n## P\n- [ ] a\n")
        .file("twice.yaml", "items:\n  a: done\n  a: failed\n")
        .args(&[
            "run",
            "t.md",
            "--non-interactive",
            "--answers",
            "twice.yaml",
        ])
        .code(3)
        .stderr("error: twice.yaml:3:3: items: `a` is given twice\n")
        .run();
}

/// An answers file that is not UTF-8 is refused in one line naming it and
/// the byte where the text breaks (exit 3), and a good file's answers are
/// recorded with the SHA-256 of its bytes as read: the file is digested
/// before its bytes become its text, not copied for it.
#[test]
fn an_answers_file_is_read_once_digested_and_refused_when_not_text() {
    crate::support::Test::new()
        .file("t.md", "# T\n## P\n- [ ] a\n")
        .file_bytes("bad.yaml", b"items:\n  a: d\xffone\n")
        .args(&["run", "t.md", "--non-interactive", "--answers", "bad.yaml"])
        .code(3)
        .stderr("error: bad.yaml: not UTF-8 at byte 13\n")
        .run();
    let answers = "items:\n  a: done\n";
    let ran = crate::support::Test::new()
        .file("t.md", "# T\n## P\n- [ ] a\n")
        .file("good.yaml", answers)
        .args(&["run", "t.md", "--non-interactive", "--answers", "good.yaml"])
        .run();
    let record = ran.record();
    let source = record.items[0].source.as_deref().expect("a source");
    assert_eq!(
        source.sha256.as_deref(),
        Some(relcheck::source::sha256_hex(answers.as_bytes()).as_str())
    );
    assert_eq!(source.path.as_deref(), Some("good.yaml"));
}
