//! JUnit XML, for CI systems that show test results (GitLab, GitHub
//! Actions through a reporter, Jenkins): one `<testsuite>` per phase, one
//! `<testcase>` per item.
//!
//! Failed items and triggers that occurred are `<failure>`s, with the note
//! and the command's output in the body (a waived failure stays one: its
//! message says it was waived). Skipped, n/a, not-needed and pending items
//! are `<skipped>`. Each case carries its item's `id`, `line` and `status`
//! as `<properties>`, which GitLab and GitHub readers show, and `file` and
//! `line` attributes pointing at the checklist.
//!
//! A case is named by its item's text as the checklist writes it, and
//! nothing else: `{{version}}` stays unfilled (the filled text is the
//! `text` property), and a field's value or a sign-off goes in the `answer`
//! property, so the name stays the same from one pipeline to the next and
//! dashboards can follow an item across releases. Two items with the same
//! text are told apart by their ids: `Tests passed (build/tests-passed)`.
//!
//! quick-junit writes the XML: it escapes text and attributes and drops
//! characters XML cannot hold (terminal colour codes in command output).

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::record::{ItemResult, Origin, Record, Status};

use super::{Options, View, command_summary, words};

/// The whole record as JUnit XML.
pub fn junit(record: &Record) -> String {
    junit_with(record, &Options::default())
}

/// As [`junit`], with phase titles and `--failed`.
pub fn junit_with(record: &Record, options: &Options) -> String {
    let view = View::new(record, options);
    let names = Names::new(record);
    let file = match &record.checklist.origin {
        Origin::Bundled { bundled, .. } => bundled.as_str(),
        Origin::File { file } => file.as_str(),
    };
    let mut report = Report::new(record.checklist.title.as_str());
    report.set_timestamp(record.run.started);
    if let Some(seconds) = record.run.duration_seconds {
        report.set_time(seconds_to_duration(seconds));
    }
    for phase in &view.phases {
        let mut suite = TestSuite::new(phase.title.as_str());
        let times: Vec<DateTime<Utc>> = phase.items().filter_map(|item| item.at).collect();
        if let (Some(first), Some(last)) = (times.iter().min(), times.iter().max()) {
            suite.set_timestamp(*first);
            suite.set_time(seconds_to_duration(
                (*last - *first).num_milliseconds().max(0) as f64 / 1000.0,
            ));
        }
        suite.add_property(Property::new("phase", phase.id));
        for item in phase.items() {
            let mut case = case(&view, phase.id, item, names.of(item));
            case.extra.insert("file".into(), file.into());
            case.extra
                .insert("line".into(), item.line.to_string().into());
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    // Serialising our own report only fails on a write error, and a String
    // does not have those.
    report
        .to_string()
        .unwrap_or_else(|err| format!("<!-- cannot write JUnit XML: {err} -->\n"))
}

/// Each item's case name: its text as written, with its id after it when
/// another item's text is the same, so names are unique.
struct Names<'a> {
    counts: HashMap<&'a str, usize>,
}

impl<'a> Names<'a> {
    fn new(record: &'a Record) -> Names<'a> {
        let mut counts = HashMap::with_capacity(record.items.len());
        for item in &record.items {
            *counts.entry(item.text.as_ref()).or_insert(0) += 1;
        }
        Names { counts }
    }

    fn of(&self, item: &ItemResult) -> String {
        if self.counts.get(item.text.as_ref()).copied().unwrap_or(0) > 1 {
            format!("{} ({})", item.text, item.id)
        } else {
            item.text.to_string()
        }
    }
}

fn case(view: &View<'_>, phase: &str, item: &ItemResult, name: String) -> TestCase {
    let waiver = view.waiver(item);
    let status = match item.status {
        Status::Failed | Status::Occurred => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let mut message = words(item.status).to_string();
            if let Some(note) = &item.rare.note {
                message = format!("{message}: {}", first_line(note));
            }
            if let Some(reason) = waiver {
                message = format!("{message} (waived: {reason})");
            }
            status.set_message(message);
            status.set_type(item.status.as_str());
            status.set_description(body(item, waiver));
            status
        }
        Status::Skipped
        | Status::NotApplicable
        | Status::NotNeeded
        | Status::NotRun
        | Status::Pending => {
            let mut status = TestCaseStatus::skipped();
            let message = match &item.rare.reason {
                Some(reason) => format!("{}: {reason}", words(item.status)),
                None => words(item.status).to_string(),
            };
            status.set_message(message);
            status.set_type(item.status.as_str());
            if let Some(reason) = waiver {
                status.set_description(format!("waived: {reason}"));
            }
            status
        }
        Status::Done | Status::NotOccurred => TestCaseStatus::success(),
    };
    let mut case = TestCase::new(name, status);
    case.set_classname(phase);
    if let Some(command) = &item.rare.command {
        case.set_time(seconds_to_duration(command.duration_seconds));
        if command.exit_code == Some(0) && !command.output.is_empty() {
            case.set_system_out(command.output.as_str());
        }
    }
    if let Some(at) = item.at {
        case.set_timestamp(at);
    }
    case.add_properties([
        Property::new("id", item.id.as_ref()),
        Property::new("line", item.line.to_string()),
        Property::new("status", item.status.as_str()),
    ]);
    let shown = view.text(item);
    if *shown != *item.text {
        case.add_property(Property::new("text", shown));
    }
    if let Some(answer) = view.answer(item) {
        case.add_property(Property::new("answer", answer));
    }
    if let Some(role) = rollback_role(view.record, item) {
        case.add_property(Property::new("rollback", role));
    }
    case
}

/// A trigger's part in the rollback: the first call, or one that happened
/// once the rollback was already under way.
fn rollback_role(record: &Record, item: &ItemResult) -> Option<&'static str> {
    let rollback = record.rollback.as_ref()?;
    if *rollback.cause == *item.id {
        Some("called")
    } else if rollback.later.iter().any(|call| *call.item == *item.id) {
        Some("also happened after the call")
    } else {
        None
    }
}

/// A failure's body: the note, the waiver, the command and its output.
fn body(item: &ItemResult, waiver: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(measured) = &item.rare.measure {
        parts.push(measured.summary());
    }
    if let Some(note) = item.rare.note.as_ref().filter(|note| {
        item.rare
            .measure
            .as_ref()
            .is_none_or(|measured| **note != measured.summary())
    }) {
        parts.push(note.clone());
    }
    if let Some(reason) = waiver {
        parts.push(format!("waived: {reason}"));
    }
    if let Some(command) = &item.rare.command {
        parts.push(format!(
            "$ {}\n{}\n{}",
            command.command,
            command_summary(command),
            command.output.trim_end()
        ));
    }
    parts.join("\n\n")
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

fn seconds_to_duration(seconds: f64) -> Duration {
    Duration::try_from_secs_f64(seconds).unwrap_or_default()
}
