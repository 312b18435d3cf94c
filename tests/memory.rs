//! What a run holds in memory for each item (BENCHMARKS.md, part 6): a
//! checklist item and a result kept small, the result's strings shared
//! with the checklist, and where its answer came from shared, not copied.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use relcheck::exec::Fake;
use relcheck::model::{Checklist, Item, Phase, Section};
use relcheck::prompt::{
    Action, GateAnswer, GateView, ItemView, Overview, Prompter, Reply, Scripted, ScriptedPrompter,
    StartView, Summary, ValueRequest, WaitEnd, WaitView,
};
use relcheck::record::{ItemResult, Provenance, Record, Status};
use relcheck::session::{MemorySink, Options, Session, TestClock};

/// A result is 136 bytes before its strings: what most results leave
/// empty (a role, value, note, reason, measure, command or wait) is boxed
/// together, since few items have one (they were 560, then 256), its text
/// as shown is a boxed text, not a growable one (144), and the strings it
/// shares with the checklist are counted, not copied.
#[test]
fn an_item_result_stays_small() {
    assert!(
        std::mem::size_of::<ItemResult>() <= 136,
        "{} bytes",
        std::mem::size_of::<ItemResult>()
    );
}

/// A checklist item is 96 bytes before its strings: what most items leave
/// empty (a role, label, default, choices, command, timeout, wait,
/// measure or annotations) is boxed together (it was 256 bytes, 25.6 MB
/// of a 100,000-item checklist). A field added inline fails this.
#[test]
fn a_checklist_item_stays_small() {
    assert!(
        std::mem::size_of::<Item>() <= 96,
        "{} bytes",
        std::mem::size_of::<Item>()
    );
}

/// A section is 80 bytes before its strings and items: what most
/// sections leave empty (a lead, code blocks, a command, expected output,
/// notes and where they stood) is boxed together (it was 280 bytes, 7 MB
/// of a 100,000-item checklist's 25,000 sections).
#[test]
fn a_section_stays_small() {
    assert!(
        std::mem::size_of::<Section>() <= 80,
        "{} bytes",
        std::mem::size_of::<Section>()
    );
}

/// An item makes its box of rare fields only when one is set; its JSON
/// view is the same either way, every field in place, and reads back
/// equal.
#[test]
fn only_an_item_with_a_rare_field_boxes_them() {
    let checklist = relcheck::parse::parse(&relcheck::source::Source::from_text(
        "m.md",
        "# M\n## P\n- [ ] a\n- [ ] b <!-- relcheck: timeout=5 -->\n- [ ] c\n  ```sh\n  make\n  ```\n",
    ))
    .checklist;
    let items: Vec<&Item> = checklist.items().map(|(_, _, item)| item).collect();
    let boxed: Vec<bool> = items.iter().map(|item| item.rare.is_boxed()).collect();
    assert_eq!(boxed, [false, true, true]);
    assert_eq!(items[1].rare.timeout_seconds, Some(5));
    assert_eq!(items[2].rare.command.as_deref(), Some("make"));
    assert_eq!(items[0].rare.command, None);
    let json = serde_json::to_string(items[0]).unwrap();
    assert_eq!(
        json,
        r#"{"id":"p/a","kind":"check","text":"a","markdown":"a","line":3,"optional":false,"role":null,"label":null,"default":null,"choices":[],"command":null,"timeout_seconds":null,"wait_seconds":null,"depth":0,"parent":null,"annotations":{}}"#
    );
    let again: Vec<Phase> =
        serde_json::from_str(&serde_json::to_string(&checklist.phases).unwrap()).unwrap();
    assert_eq!(again, checklist.phases);
    let read: Vec<bool> = again[0].sections[0]
        .items
        .iter()
        .map(|item| item.rare.is_boxed())
        .collect();
    assert_eq!(read, boxed);
}

/// A section makes its box only when it has a lead, a code block, notes
/// or expected output; its JSON view is the same either way.
#[test]
fn only_a_section_with_a_rare_field_boxes_them() {
    let checklist = relcheck::parse::parse(&relcheck::source::Source::from_text(
        "m.md",
        "# M\n## P\n### S\n- [ ] a\n### T\nRun this first.\n\n- [ ] b\n",
    ))
    .checklist;
    let sections = &checklist.phases[0].sections;
    let boxed: Vec<bool> = sections.iter().map(|s| s.rare.is_boxed()).collect();
    assert_eq!(boxed, [false, true]);
    assert_eq!(sections[1].rare.lead.as_deref(), Some("Run this first."));
    let json = serde_json::to_string(&sections[0]).unwrap();
    assert_eq!(
        json,
        r#"{"id":"p/s","title":"S","line":3,"when":"always","implicit":false,"lead":null,"commands":[],"command":null,"expected_output":null,"notes":[],"items":[{"id":"p/s/a","kind":"check","text":"a","markdown":"a","line":4,"optional":false,"role":null,"label":null,"default":null,"choices":[],"command":null,"timeout_seconds":null,"wait_seconds":null,"depth":0,"parent":null,"annotations":{}}]}"#
    );
    let again: Vec<Section> =
        serde_json::from_str(&serde_json::to_string(sections).unwrap()).unwrap();
    let read: Vec<bool> = again.iter().map(|s| s.rare.is_boxed()).collect();
    assert_eq!(read, boxed);
}

/// Answers that each say they came from the same answers file, as a
/// pipeline's do.
struct FromFile(ScriptedPrompter);

impl Prompter for FromFile {
    fn start(&mut self, view: &StartView) {
        self.0.start(view);
    }
    fn ask_value(&mut self, request: &ValueRequest) -> Reply<Option<String>> {
        self.0.ask_value(request)
    }
    fn ask_item(&mut self, view: &ItemView) -> Reply<Action> {
        self.0.ask_item(view)
    }
    fn ask_field(&mut self, view: &ItemView, request: &ValueRequest) -> Reply<Action> {
        self.0.ask_field(view, request)
    }
    fn ask_signoff(&mut self, view: &ItemView) -> Reply<Action> {
        self.0.ask_signoff(view)
    }
    fn ask_gate(&mut self, view: &GateView) -> Reply<GateAnswer> {
        self.0.ask_gate(view)
    }
    fn ask_rollback_needed(&mut self, phase: &str) -> Reply<bool> {
        self.0.ask_rollback_needed(phase)
    }
    fn wait(&mut self, view: &WaitView, interrupted: &AtomicBool) -> Reply<WaitEnd> {
        self.0.wait(view, interrupted)
    }
    fn overview(&mut self, view: &Overview) -> Reply<()> {
        self.0.overview(view)
    }
    fn finish(&mut self, summary: &Summary) {
        self.0.finish(summary);
    }
    fn answer_source(&mut self) -> Option<Provenance> {
        Some(Provenance {
            kind: "answers-file".to_string(),
            path: Some("answers.yaml".to_string()),
            sha256: Some("ab".repeat(32)),
        })
    }
}

/// Every answer of a pipeline names the same answers file: the results
/// share one copy of it (a copy each was 20 MB at 100,000 items), and the
/// record written and read back says it for each, as before.
#[test]
fn answers_from_one_file_share_where_they_came_from() {
    let done = || Scripted::Do(Action::Done { note: None });
    let mut prompter = FromFile(ScriptedPrompter::new([done(), done(), done()]));
    let (_, record) = pipeline("# M\n## P\n- [ ] a\n- [ ] b\n- [ ] c\n", &mut prompter);
    let sources: Vec<&Arc<Provenance>> = record
        .items
        .iter()
        .map(|item| item.source.as_ref().expect("a source"))
        .collect();
    assert!(Arc::ptr_eq(sources[0], sources[1]));
    assert!(Arc::ptr_eq(sources[1], sources[2]));
    let yaml = record.to_yaml().unwrap();
    // Written in full once, then by its kind alone; read back shared.
    assert_eq!(yaml.matches("kind: answers-file").count(), 1);
    assert_eq!(yaml.matches("  source: answers-file\n").count(), 2);
    let again = Record::from_yaml(&yaml, std::path::Path::new("m.yaml")).unwrap();
    assert_eq!(again, record);
    let read: Vec<&Arc<Provenance>> = again.items.iter().flat_map(|i| &i.source).collect();
    assert!(Arc::ptr_eq(read[0], read[2]));
}

/// A result's id and text are the checklist item's own strings, its phase
/// and section one string per heading, the record's outline's, and its
/// signer one string for the run (copies of each were 17 MB at 100,000 items); a record read back
/// shares a section's names across its items.
#[test]
fn results_share_the_checklists_strings() {
    let done = || Scripted::Do(Action::Done { note: None });
    let mut prompter = ScriptedPrompter::new([done(), done(), done()]);
    let (checklist, record) = pipeline(
        "# M\n## P\n### S\n- [ ] a\n- [ ] b\n### T\n- [ ] c\n",
        &mut prompter,
    );
    let items = &record.items;
    for (result, (_, _, item)) in items.iter().zip(checklist.items()) {
        assert!(Arc::ptr_eq(&result.id, &item.id), "{}", result.id);
        assert!(Arc::ptr_eq(&result.text, &item.text), "{}", result.id);
    }
    assert!(Arc::ptr_eq(&items[0].phase, &items[2].phase));
    assert!(Arc::ptr_eq(&items[0].section, &items[1].section));
    assert_eq!([&*items[0].section, &*items[2].section], ["p/s", "p/t"]);
    // The record's outline holds the same strings the results name.
    let outline = &record.checklist.phases[0];
    assert!(Arc::ptr_eq(&items[0].phase, &outline.id));
    assert!(Arc::ptr_eq(&items[0].section, &outline.sections[0].id));
    assert!(Arc::ptr_eq(&items[2].section, &outline.sections[1].id));
    // And the checklist's: a section's id and title are held once.
    let sections = &checklist.phases[0].sections;
    let headed = sections.iter().filter(|section| !section.implicit);
    for (section, title) in headed.zip(&outline.sections) {
        assert!(Arc::ptr_eq(&section.id, &title.id), "{}", section.id);
        assert!(Arc::ptr_eq(&section.title, &title.title), "{}", section.id);
    }
    let signer = |i: usize| items[i].by.as_ref().expect("answered");
    assert_eq!(&**signer(0), "ci-bot");
    assert!(Arc::ptr_eq(signer(0), signer(2)));
    let again =
        Record::from_yaml(&record.to_yaml().unwrap(), std::path::Path::new("m.yaml")).unwrap();
    assert_eq!(again, record);
    assert!(Arc::ptr_eq(&again.items[0].phase, &again.items[2].phase));
    assert!(Arc::ptr_eq(
        &again.items[0].section,
        &again.items[1].section
    ));
    assert!(!Arc::ptr_eq(
        &again.items[1].section,
        &again.items[2].section
    ));
}

/// A result makes its box of rare fields only when one is set: answers
/// with no note, value or reason (which the run sets to none) hold no box,
/// one with a note holds one; read back, the same.
#[test]
fn only_a_result_with_a_rare_field_boxes_them() {
    let done = |note: Option<&str>| {
        Scripted::Do(Action::Done {
            note: note.map(str::to_string),
        })
    };
    let mut prompter = ScriptedPrompter::new([done(None), done(Some("checked twice")), done(None)]);
    let (_, record) = pipeline("# M\n## P\n- [ ] a\n- [ ] b\n- [ ] c\n", &mut prompter);
    let boxed = |record: &Record| -> Vec<bool> {
        record
            .items
            .iter()
            .map(|item| item.rare.is_boxed())
            .collect()
    };
    assert_eq!(boxed(&record), [false, true, false]);
    assert_eq!(record.items[1].rare.note.as_deref(), Some("checked twice"));
    let again =
        Record::from_yaml(&record.to_yaml().unwrap(), std::path::Path::new("m.yaml")).unwrap();
    assert_eq!(boxed(&again), [false, true, false]);
    assert_eq!(again, record);
}

/// The rollback steps of a run that called no rollback are settled with
/// one reason, in one box they share; read back, each is its own.
#[test]
fn steps_not_needed_share_their_reason() {
    let done = || Scripted::Do(Action::Done { note: None });
    let mut prompter = ScriptedPrompter::new([done(), Scripted::RollbackNeeded(false)]);
    let (_, record) = pipeline(
        "# M\n## Deploy\n- [ ] a\n## Rollback\n- [ ] r1\n- [ ] r2\n- [ ] r3\n",
        &mut prompter,
    );
    let steps = &record.items[1..];
    assert!(steps.iter().all(|step| step.status == Status::NotNeeded));
    assert!(
        steps
            .iter()
            .all(|step| step.rare.reason.as_deref() == Some("no rollback was called"))
    );
    assert!(steps[0].rare.shares_box(&steps[1].rare) && steps[1].rare.shares_box(&steps[2].rare));
    let again =
        Record::from_yaml(&record.to_yaml().unwrap(), std::path::Path::new("m.yaml")).unwrap();
    assert!(!again.items[1].rare.shares_box(&again.items[2].rare));
    assert_eq!(again, record);
}

/// The checklist `text`, and the record of a pipeline's run of it
/// (operator `ci-bot`) answered by `prompter`.
fn pipeline(text: &str, prompter: &mut dyn Prompter) -> (Checklist, Record) {
    let checklist =
        relcheck::parse::parse(&relcheck::source::Source::from_text("m.md", text)).checklist;
    let clock = TestClock::new(chrono::Utc::now());
    let flag = AtomicBool::new(false);
    let options = Options {
        operator: "ci-bot".into(),
        host: "h".into(),
        mode: relcheck::record::Mode::NonInteractive,
        preset: Default::default(),
        command_timeout: std::time::Duration::from_secs(5),
        unattended: true,
    };
    let mut session = Session::start(&checklist, &clock, options, &flag, "m".into());
    session
        .run(prompter, &Fake::new([]), &mut MemorySink::default())
        .unwrap();
    let record = session.record;
    (checklist, record)
}
