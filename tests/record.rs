//! The record file: YAML round trips and the documented example.

use relcheck::record::Record;

#[test]
fn the_example_in_record_md_is_a_real_record() {
    let doc = std::fs::read_to_string(crate::support::repo("docs/RECORD.md")).unwrap();
    let start = doc.find("```yaml\n").expect("a yaml example") + "```yaml\n".len();
    let end = start + doc[start..].find("\n```\n").unwrap() + 1;
    let record =
        Record::from_yaml(&doc[start..end], std::path::Path::new("docs/RECORD.md")).unwrap();
    assert_eq!(record.run.outcome, relcheck::record::Outcome::RolledBack);
    let verification = relcheck::sign::verify(&record, None);
    assert!(
        verification.passed(),
        "{}",
        relcheck::report::verification::text(&verification, relcheck::style::Style::PLAIN)
    );
    // And back through YAML unchanged.
    let again = Record::from_yaml(&record.to_yaml().unwrap(), std::path::Path::new("x")).unwrap();
    assert_eq!(again, record);
}

#[test]
fn a_file_that_is_not_a_record_says_where() {
    let err = Record::from_yaml("schema: [", std::path::Path::new("bad.yaml")).unwrap_err();
    assert!(err.to_string().starts_with("bad.yaml:1:"), "{err}");
    let err =
        Record::from_yaml("schema: other/v9\n", std::path::Path::new("old.yaml")).unwrap_err();
    assert!(err.to_string().starts_with("old.yaml"), "{err}");
}

/// Answers appended to the journal are part of the record when it is read,
/// a line cut short by a crash is ignored, and a whole write folds them in.
#[test]
fn the_journal_holds_answers_between_whole_writes() {
    use relcheck::exec::Fake;
    use relcheck::prompt::{Action, Scripted, ScriptedPrompter};
    use relcheck::record::{RecordFile, Sink, Status, journal_path};
    use relcheck::session::{Session, TestClock};
    use std::sync::atomic::AtomicBool;

    let text = "# J\n## P\n- [ ] a\n- [ ] b\n- [ ] c\n";
    let checklist =
        relcheck::parse::parse(&relcheck::source::Source::from_text("j.md", text)).checklist;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.yaml");
    let clock = TestClock::new(chrono::Utc::now());
    let flag = AtomicBool::new(false);
    let options = at_a_terminal();
    let mut session = Session::start(&checklist, &clock, options, &flag, "j".into());
    let mut sink = RecordFile::new(&path, true);
    let mut prompter = ScriptedPrompter::new([
        Scripted::Do(Action::Done { note: None }),
        Scripted::Do(Action::Failed {
            note: Some("no".into()),
        }),
        Scripted::Interrupt,
    ]);
    session
        .run(&mut prompter, &Fake::new([]), &mut sink)
        .unwrap();
    // The interruption wrote the record whole: no journal left.
    assert!(!journal_path(&path).exists());
    let whole = Record::load(&path).unwrap();
    assert_eq!(whole, session.record);

    // Now append by hand, as after each answer, and read it back.
    let mut record = whole.clone();
    let mut sink = RecordFile::new(&path, true);
    sink.save(&record).unwrap();
    record.items[2].status = Status::Done;
    sink.append(
        &record,
        &relcheck::record::Changes {
            items: &[2],
            values: false,
        },
    )
    .unwrap();
    let journal = std::fs::read_to_string(journal_path(&path)).unwrap();
    // The header naming the record it extends, and the answer.
    assert_eq!(journal.lines().count(), 2);
    let loaded = Record::load(&path).unwrap();
    assert_eq!(loaded.items[2].status, Status::Done);
    assert!(
        relcheck::sign::verify(&loaded, None).passed(),
        "a folded journal keeps the digest right"
    );
    // A torn last line: ignored.
    std::fs::write(journal_path(&path), format!("{journal}{{\"run\":")).unwrap();
    assert_eq!(Record::load(&path).unwrap().items[2].status, Status::Done);
    // A journal without its header, or with a whole line that does not
    // read, is damage: the record is not read with it, and the error says
    // where.
    let lines: Vec<&str> = journal.lines().collect();
    std::fs::write(journal_path(&path), format!("{}\n", lines[1])).unwrap();
    let err = Record::load(&path).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "{}:1: a journal begins with the digest of the record it extends",
            journal_path(&path).display()
        )),
        "{err}"
    );
    std::fs::write(
        journal_path(&path),
        format!("{}\n{{\"broken\n{}\n", lines[0], lines[1]),
    )
    .unwrap();
    let err = Record::load(&path).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "{}:2: not a journal line",
            journal_path(&path).display()
        )),
        "{err}"
    );
    // A finished record is written whole and has no journal: one put
    // beside it, even naming its digest, does not rewrite it.
    let mut finished = whole.clone();
    finished.run.finished = Some(finished.run.started);
    sink.save(&finished).unwrap();
    let digest = Record::load(&path).unwrap().digest.unwrap();
    let forged = journal.replacen(
        journal.lines().next().unwrap(),
        &format!("{{\"base\":\"{digest}\"}}"),
        1,
    );
    std::fs::write(journal_path(&path), forged).unwrap();
    assert_eq!(
        Record::load(&path).unwrap().items[2].status,
        whole.items[2].status
    );
    // An edit to the record file itself still shows.
    let yaml = std::fs::read_to_string(&path)
        .unwrap()
        .replace("operator: Ada", "operator: Eve");
    std::fs::write(&path, yaml).unwrap();
    assert!(!relcheck::sign::verify(&Record::load(&path).unwrap(), None).passed());
}

/// A journal is read within a limit, as a record is: one larger than a run
/// lets it grow is refused by name, not read whole into memory; and a run
/// writes its record whole once its journal passes 64 MiB, so its own
/// journal stays far below that limit.
#[test]
fn a_journal_stays_within_its_limit_and_a_larger_one_is_refused() {
    use relcheck::record::{Changes, RecordFile, Sink, journal_path};

    let text = "# J\n## P\n- [ ] a\n- [ ] b\n";
    let checklist =
        relcheck::parse::parse(&relcheck::source::Source::from_text("j.md", text)).checklist;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.yaml");
    let clock = relcheck::session::TestClock::new(chrono::Utc::now());
    let flag = std::sync::atomic::AtomicBool::new(false);
    let mut session =
        relcheck::session::Session::start(&checklist, &clock, at_a_terminal(), &flag, "j".into());
    // Paused at once: the record written whole, as a run's first save.
    let mut prompter =
        relcheck::prompt::ScriptedPrompter::new([relcheck::prompt::Scripted::Interrupt]);
    let mut sink = RecordFile::new(&path, false);
    session
        .run(&mut prompter, &relcheck::exec::Fake::new([]), &mut sink)
        .unwrap();
    let mut record = Record::load(&path).unwrap();
    let mut sink = RecordFile::new(&path, false);
    sink.save(&record).unwrap();
    assert!(!sink.wants_whole());
    // Eight answers with a note of 9 MiB each: 72 MiB of journal.
    let note = "n".repeat(9 << 20);
    let changes = Changes {
        items: &[0],
        values: false,
    };
    for n in 0..8 {
        assert!(!sink.wants_whole(), "whole asked after {n} answers");
        record.items[0].rare.note = Some(format!("{n}{note}"));
        sink.append(&record, &changes).unwrap();
    }
    assert!(
        sink.wants_whole(),
        "a journal past 64 MiB asks for a whole write"
    );
    assert_eq!(
        Record::load(&path).unwrap().items[0].rare.note.as_deref(),
        Some(format!("7{note}").as_str())
    );
    sink.save(&record).unwrap();
    assert!(!journal_path(&path).exists() && !sink.wants_whole());

    // A journal of 512 MiB and a byte (sparse: made at once, never read).
    let journal = std::fs::File::create(journal_path(&path)).unwrap();
    journal.set_len((512 << 20) + 1).unwrap();
    let err = Record::load(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: larger than relcheck reads a journal (512 MiB); it is not applied, and the record is not read with it (move the journal away to read the record as last written whole)",
            journal_path(&path).display()
        )
    );
    // As a user meets it: one line naming the journal, exit 3.
    let out = crate::support::relcheck(&["report", path.to_str().unwrap()]).run();
    assert_eq!(out.code, 3);
    assert_eq!(out.stderr, format!("error: {err}\n"));
}

/// A run killed after writing the record whole but before removing the
/// journal leaves a journal that extends an older record: reading the
/// record must not put that older state back over the newer one.
#[test]
fn a_journal_left_behind_by_a_whole_write_is_not_applied() {
    use relcheck::record::{Changes, RecordFile, Sink, Status, journal_path};

    let text = "# J\n## P\n- [ ] a\n- [ ] b\n";
    let checklist =
        relcheck::parse::parse(&relcheck::source::Source::from_text("j.md", text)).checklist;
    let clock = relcheck::session::TestClock::new(chrono::Utc::now());
    let flag = std::sync::atomic::AtomicBool::new(false);
    let options = relcheck::session::Options {
        operator: "Ada".into(),
        host: "h".into(),
        mode: relcheck::record::Mode::Interactive,
        preset: Default::default(),
        command_timeout: std::time::Duration::from_secs(5),
        unattended: false,
    };
    let mut record =
        relcheck::session::Session::start(&checklist, &clock, options, &flag, "j".into()).record;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.yaml");
    let mut sink = RecordFile::new(&path, true);
    relcheck::record::seal(&mut record);
    sink.save(&record).unwrap();
    record.items[0].status = Status::Done;
    sink.append(
        &record,
        &Changes {
            items: &[0],
            values: false,
        },
    )
    .unwrap();
    let old_journal = std::fs::read(journal_path(&path)).unwrap();
    assert!(
        String::from_utf8_lossy(&old_journal).starts_with("{\"base\":\""),
        "the journal names its record"
    );

    // The whole write that folds it, and a later answer in it...
    record.items[0].status = Status::Failed;
    record.items[1].status = Status::Done;
    relcheck::record::seal(&mut record);
    sink.save(&record).unwrap();
    // ...then the kill: the old journal is still there.
    std::fs::write(journal_path(&path), &old_journal).unwrap();
    let loaded = Record::load(&path).unwrap();
    assert_eq!(loaded, record);
    assert!(relcheck::sign::verify(&loaded, None).passed());
}

/// The names in a table of docs/RECORD.md whose first column is headed
/// `heading`: each row's first cell, without its backticks.
/// A session's options for operator Ada at a terminal.
fn at_a_terminal() -> relcheck::session::Options {
    relcheck::session::Options {
        operator: "Ada".into(),
        host: "h".into(),
        mode: relcheck::record::Mode::Interactive,
        preset: Default::default(),
        command_timeout: std::time::Duration::from_secs(5),
        unattended: false,
    }
}

fn documented(heading: &str) -> Vec<String> {
    let doc = std::fs::read_to_string(crate::support::repo("docs/RECORD.md")).unwrap();
    let mut lines = doc
        .lines()
        .skip_while(|l| !l.starts_with(&format!("| {heading} |")));
    lines.next();
    lines
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.split('|')
                .nth(1)
                .unwrap()
                .trim()
                .trim_matches('`')
                .to_string()
        })
        .collect()
}

#[test]
fn event_actions_and_gate_decisions_are_the_documented_names() {
    use relcheck::record::{EventAction, GateDecision};
    let actions: Vec<&str> = EventAction::ALL.iter().map(|a| a.as_str()).collect();
    assert_eq!(documented("action"), actions);
    for action in EventAction::ALL {
        assert_eq!(
            relcheck::yaml::to_string(&action).unwrap().trim(),
            action.as_str()
        );
    }
    let decisions: Vec<&str> = GateDecision::ALL.iter().map(|d| d.as_str()).collect();
    assert_eq!(documented("decision"), decisions);
    for decision in GateDecision::ALL {
        assert_eq!(
            relcheck::yaml::to_string(&decision).unwrap().trim(),
            decision.as_str()
        );
    }
}

/// The run behind the example in docs/RECORD.md: a rollback trigger fires,
/// a rollback step is noted, the release manager signs off.
fn example() -> Record {
    use crate::records::{Plan, run_checklist_by};
    let text = std::fs::read_to_string(crate::support::fixture("web-deploy.md")).unwrap();
    let source = relcheck::source::Source::from_text("web-deploy.md", &text);
    let checklist = relcheck::parse::parse(&source).checklist;
    let plan = Plan {
        occur: Some(("error-rate-above-2", "5xx at 4% after rollout")),
        note: Some(("previous-release-restored", "restored from the 2.3.9 image")),
        ..Plan::default()
    };
    let started =
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 22, 19, 49, 10).unwrap();
    run_checklist_by(&checklist, &plan, started, "Ada Lovelace", "0.1.0")
}

/// docs/RECORD.md shows the record of [`example`], as relcheck writes it.
#[test]
fn the_example_in_record_md_is_this_run() {
    let doc = std::fs::read_to_string(crate::support::repo("docs/RECORD.md")).unwrap();
    let start = doc.find("```yaml\n").expect("a yaml example") + "```yaml\n".len();
    let end = start + doc[start..].find("\n```\n").unwrap() + 1;
    let yaml = example().to_yaml().unwrap();
    if std::env::var_os("RELCHECK_WRITE_EXAMPLE").is_some() {
        std::fs::write(
            crate::support::repo("docs/RECORD.md"),
            format!("{}{yaml}{}", &doc[..start], &doc[end..]),
        )
        .unwrap();
        return;
    }
    assert_eq!(
        &doc[start..end],
        yaml,
        "RELCHECK_WRITE_EXAMPLE=1 cargo test the_example_in_record_md writes it"
    );
}

/// The same example as relcheck wrote it with serde_yaml, before it used
/// serde-saphyr (single quotes, times left bare): the same record, its
/// digest and sign-off parts still match, and written again it is the
/// example docs/RECORD.md shows now.
#[test]
fn a_record_written_with_serde_yaml_reads_the_same() {
    let path = crate::support::fixture("record-v2-serde-yaml.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("  started: 2026-11-22T19:49:10Z\n"));
    assert!(text.contains("  detail: 'called by verify/rollback-triggers/"));
    let record = Record::load(&path).unwrap();
    assert_eq!(record, example());
    assert_eq!(
        relcheck::record::digest(&record),
        record.digest.clone().unwrap()
    );
    let out = crate::support::relcheck(&["verify", path.to_str().unwrap()]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("ok    record digest 53f71cef9080… matches\n"),
        "{}",
        out.stdout
    );
}

/// A record of schema v1 (the example docs/RECORD.md showed before v2):
/// read, verified by v1's rules, reported, signed and written back as v1.
#[test]
fn a_v1_record_is_read_verified_and_kept_v1() {
    let path = crate::support::fixture("record-v1.yaml");
    let record = Record::load(&path).unwrap();
    assert!(record.is_v1());
    assert_eq!(
        record.checklist.origin,
        relcheck::record::Origin::File {
            file: "web-deploy.md".into()
        }
    );
    assert_eq!(
        record
            .item("deploy/release-version-deployed")
            .unwrap()
            .shown
            .as_deref(),
        Some("Release 2.3.0 deployed")
    );
    let check = |record: &Record| {
        let verification = relcheck::sign::verify(record, None);
        assert!(
            verification.passed(),
            "{}",
            relcheck::report::verification::text(&verification, relcheck::style::Style::PLAIN)
        );
        verification
    };
    check(&record);
    // Written back, it is still v1, with the same digest.
    let yaml = record.to_yaml().unwrap();
    assert!(yaml.starts_with("schema: relcheck/record/v1\n"));
    assert!(yaml.contains("\n  path: web-deploy.md\n"));
    let again = Record::from_yaml(&yaml, &path).unwrap();
    assert_eq!(again, record);
    check(&again);

    // A report of it: titles from the ids (its checklist is not here).
    let out = crate::support::relcheck(&["report", path.to_str().unwrap()]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("Release 2.3.0 deployed"),
        "{}",
        out.stdout
    );

    // Signed now: bound by v1's rules, and every sign-off still holds.
    let mut signed = record.clone();
    let mut signoff = relcheck::record::Signoff {
        role: "Auditor".into(),
        name: "Grace".into(),
        decision: relcheck::record::Decision::Approve,
        comment: None,
        at: signed.run.started,
        item: None,
        forced: None,
        digest: None,
        parts: Default::default(),
        dropped: Vec::new(),
        signature: None,
        source: None,
    };
    relcheck::sign::bind(&signed, &mut signoff);
    assert!(signoff.parts.contains_key("item:deploy/backup-taken"));
    signed.signoffs.push(signoff);
    relcheck::record::seal(&mut signed);
    let verification = check(&signed);
    assert_eq!(verification.signoffs.len(), 2);
    assert!(
        signed
            .to_yaml()
            .unwrap()
            .starts_with("schema: relcheck/record/v1\n")
    );
}

/// Seed 002's shape, every item answered and five sign-offs: the record
/// without the checklist text it carries, against the checklist's size.
#[test]
fn a_long_record_stays_lean() {
    let name = "seed-002-full-runbook.md";
    let record = crate::records::run(name, &crate::records::Plan::default());
    assert_eq!(record.signoffs.len(), 5);
    assert!(record.items.iter().all(|item| item.status.is_answered()));
    let checklist = std::fs::metadata(crate::support::fixture(name))
        .unwrap()
        .len() as f64;
    let mut lean = record.clone();
    lean.checklist.source = None;
    let yaml = lean.to_yaml().unwrap();
    assert!(!yaml.contains("null"), "no null fields");
    let ratio = yaml.len() as f64 / checklist;
    eprintln!(
        "record {} bytes, checklist {checklist} bytes: {ratio:.2}x",
        yaml.len()
    );
    assert!(ratio <= RATIO, "{ratio:.2}x the checklist");
}
/// Schema v1 made this record 19.3 times the checklist; the goal, and
/// what v2 keeps, is 6 (docs/RECORD.md, "Size"), and a little over for
/// what measured items add: seed 002's eleven thresholds each keep their
/// value, bound and verdict (5.98 before, 6.08 with them), and the
/// quotes around each time that keep YAML 1.1 readers from taking it for
/// a date of their own (6.15 with them; docs/RECORD.md, "Reading a record
/// with other tools").
const RATIO: f64 = 6.2;

/// The file is written a part at a time (its header, each item, each
/// event): the parts are the record's own fields, in its order, and read
/// back as the record. A field added to the record and not to the parts
/// fails here.
#[test]
fn a_record_written_in_parts_is_the_record() {
    for mut record in [crate::records::rolled_back(), crate::records::waived()] {
        // Every top-level field set: values, rollback, gates, sign-offs,
        // events, summary and digest.
        relcheck::record::seal(&mut record);
        let written = record.to_yaml().unwrap();
        // serde_yaml's tree keeps keys in order: the whole record's, as
        // its type writes them, against the parts relcheck wrote.
        let whole = serde_yaml::to_value(&record).unwrap();
        let parts: serde_yaml::Value = serde_yaml::from_str(&written).unwrap();
        let keys = |value: &serde_yaml::Value| -> Vec<String> {
            value
                .as_mapping()
                .unwrap()
                .keys()
                .map(|key| key.as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(keys(&parts), keys(&whole));
        let read = Record::from_yaml(&written, std::path::Path::new("r.yaml")).unwrap();
        assert_eq!(read, record);
    }
}

/// A record written by relcheck before its digest was hashed as the form
/// is written (`tests/fixtures/record-v2.yaml`: a pipeline's run with
/// commands, a rollback and four sign-offs, made at 492fe1e) verifies as
/// it did, and its digest is the one the buffered form gives.
#[test]
fn a_record_written_before_the_streamed_digest_verifies_the_same() {
    let path = crate::support::fixture("record-v2.yaml");
    let record = Record::load(&path).unwrap();
    let streamed = relcheck::record::digest(&record);
    assert_eq!(
        streamed,
        relcheck::source::sha256_hex(&relcheck::record::canonical(&record))
    );
    assert_eq!(record.digest.as_deref(), Some(streamed.as_str()));
    let out = crate::support::relcheck(&["verify", path.to_str().unwrap()]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "ok    record digest 6f7a806e1ec8… matches");
    assert_eq!(
        lines[5],
        "verified: record digest matches; 4 sign-offs (4 unsigned). Note: an unsigned sign-off records who approved, but anyone able to edit the file could have written it; sign with an SSH key to prove it"
    );
}

/// Each sign-off of a run goes to the journal alone: the first holds
/// every answered item's digest, which each later one would otherwise
/// write again. A run killed after them keeps every sign-off, and the
/// record read with its journal verifies.
#[test]
fn a_journal_holds_each_sign_off_once_and_a_kill_after_them_loses_none() {
    use relcheck::exec::Fake;
    use relcheck::prompt::{Action, Scripted, ScriptedPrompter, SignoffAnswer};
    use relcheck::record::{Changes, Decision, RecordFile, Sink, journal_path};
    use relcheck::session::{Session, TestClock};
    use std::sync::atomic::AtomicBool;

    /// Copies the record and its journal aside after every append: what a
    /// `kill -9` at that moment would leave.
    struct Killed {
        inner: RecordFile,
        path: std::path::PathBuf,
        copies: Vec<(String, String)>,
    }
    impl Sink for Killed {
        fn wants_whole(&self) -> bool {
            self.inner.wants_whole()
        }
        fn save(&mut self, record: &Record) -> anyhow::Result<()> {
            self.inner.save(record)
        }
        fn append(&mut self, record: &Record, changes: &Changes<'_>) -> anyhow::Result<()> {
            self.inner.append(record, changes)?;
            self.copies.push((
                std::fs::read_to_string(&self.path)?,
                std::fs::read_to_string(journal_path(&self.path))?,
            ));
            Ok(())
        }
    }

    let text = "# J\n## Deploy\n- [ ] a\n- [ ] b\n## Sign-off\n- [ ] **QA Lead**: ___\n- [ ] **Release Manager**: ___\n- [ ] **Service Owner**: ___\n";
    let checklist =
        relcheck::parse::parse(&relcheck::source::Source::from_text("j.md", text)).checklist;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.yaml");
    let clock = TestClock::new(chrono::Utc::now());
    let flag = AtomicBool::new(false);
    let options = at_a_terminal();
    let approve = |name: &str| {
        Scripted::Do(Action::Signoff(SignoffAnswer {
            name: name.into(),
            decision: Decision::Approve,
            comment: None,
        }))
    };
    let mut prompter = ScriptedPrompter::new([
        Scripted::Do(Action::Done { note: None }),
        Scripted::Do(Action::Done { note: None }),
        approve("Ann"),
        approve("Bob"),
        approve("Cy"),
    ]);
    let mut session = Session::start(&checklist, &clock, options, &flag, "j".into());
    let mut sink = Killed {
        inner: RecordFile::new(&path, true),
        path: path.clone(),
        copies: Vec::new(),
    };
    session
        .run(&mut prompter, &Fake::new([]), &mut sink)
        .unwrap();
    // Five answers appended; the last three are the sign-offs.
    assert_eq!(sink.copies.len(), 5);
    let (record_text, journal) = sink.copies.last().unwrap().clone();
    let lines: Vec<serde_json::Value> = journal
        .lines()
        .skip(1)
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let signoffs: Vec<(u64, Vec<&str>)> = lines
        .iter()
        .filter(|line| !line["signoffs"].is_null())
        .map(|line| {
            (
                line["signoffs_from"].as_u64().unwrap_or(0),
                line["signoffs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["name"].as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        signoffs,
        [(0, vec!["Ann"]), (1, vec!["Bob"]), (2, vec!["Cy"])]
    );
    // Killed there: the record as last written whole, and the journal.
    let killed = dir.path().join("killed.yaml");
    std::fs::write(&killed, record_text).unwrap();
    std::fs::write(journal_path(&killed), journal).unwrap();
    let record = Record::load(&killed).unwrap();
    let names: Vec<&str> = record.signoffs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Ann", "Bob", "Cy"]);
    let verification = relcheck::sign::verify(&record, None);
    assert!(
        verification.passed(),
        "{}",
        relcheck::report::verification::text(&verification, relcheck::style::Style::PLAIN)
    );
    // The first lists every part, the later ones what changed since.
    assert_eq!(record.signoffs[0].parts.len(), 7);
    assert_eq!(
        record.signoffs[2]
            .parts
            .keys()
            .map(|name| name.to_string())
            .collect::<Vec<_>>(),
        ["item:sign-off/service-owner", "signoff:1"]
    );
}

/// An answer's source is written in full once, then by its kind alone,
/// and read back whole: two answers files, a command and the run, in an
/// order that makes each rule of the file form matter.
#[test]
fn each_source_is_written_once_and_read_back_whole() {
    use relcheck::record::Provenance;
    use std::sync::Arc;
    let file = |name: &str, sha: &str| Provenance {
        kind: "answers-file".into(),
        path: Some(name.into()),
        sha256: Some(sha.repeat(64)),
    };
    let bare = |kind: &str| Provenance {
        kind: kind.into(),
        path: None,
        sha256: None,
    };
    let plan = [
        Some(file("a.yaml", "a")),
        Some(file("a.yaml", "a")),
        Some(bare("command")),
        None,
        Some(file("b.yaml", "b")),
        Some(file("b.yaml", "b")),
        Some(file("a.yaml", "a")),
        Some(bare("answers-file")),
        Some(bare("run")),
    ];
    let mut record = crate::records::rolled_back();
    assert!(record.items.len() >= plan.len());
    for (item, source) in record.items.iter_mut().zip(&plan) {
        item.source = source.clone().map(Arc::new);
    }
    relcheck::record::seal(&mut record);
    let yaml = record.to_yaml().unwrap();
    let lines = |line: &str| yaml.lines().filter(|l| *l == line).count();
    // a, b and a again in full; the repeats of each by kind.
    assert_eq!(lines("    path: a.yaml"), 2, "{yaml}");
    assert_eq!(lines("    path: b.yaml"), 1, "{yaml}");
    assert_eq!(lines("  source: answers-file"), 2, "{yaml}");
    // A bare source of a kind written in full before stays a mapping.
    assert_eq!(lines("    kind: answers-file"), 4, "{yaml}");
    assert_eq!(lines("  source: command"), 1, "{yaml}");
    assert_eq!(lines("  source: run"), 1, "{yaml}");
    let back = Record::from_yaml(&yaml, std::path::Path::new("r.yaml")).unwrap();
    assert_eq!(back, record);
}
