//! Reports (docs/REPORTS.md): pure functions from a record to text for a
//! terminal, Markdown for a ticket, JUnit XML for CI and one HTML page,
//! the history table of a folder of records, and `verify`'s findings.
//! Nothing in the renderers reads or writes a file; `command` finds the
//! records and writes out.
//!
//! This file holds what every format shares: items grouped by phase and
//! section, which items `--failed` keeps, waivers, glyphs and words.

pub mod command;
pub mod display;
pub mod history;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod text;
pub mod verification;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::model::Checklist;
use crate::model::Kind;
use crate::record::{CommandRun, Decision, GateDecision, ItemResult, Outcome, Record, Status};
use crate::session;
use crate::style::Style;

pub use junit::junit;

/// How to render a record.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only what failed, was skipped or waived, occurred or is pending.
    pub failed_only: bool,
    /// Colour, for the text format.
    pub style: Style,
    pub titles: Titles,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            failed_only: false,
            style: Style::PLAIN,
            titles: Titles::default(),
        }
    }
}

/// Phase and section titles by id: the record's own (schema v2), else
/// made from the ids themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Titles(BTreeMap<String, String>);

impl Titles {
    /// The titles the record carries. A record of schema v1 carries none.
    pub fn from_record(record: &Record) -> Titles {
        let mut titles = BTreeMap::new();
        for phase in &record.checklist.phases {
            titles.insert(phase.id.clone(), phase.title.clone());
            for section in &phase.sections {
                titles.insert(section.id.clone(), section.title.clone());
            }
        }
        Titles(titles)
    }

    pub fn from_checklist(checklist: &Checklist) -> Titles {
        let mut titles = BTreeMap::new();
        for phase in &checklist.phases {
            titles.insert(phase.id.clone(), phase.title.clone());
            for section in phase.sections.iter().filter(|s| !s.implicit) {
                titles.insert(section.id.clone(), section.title.clone());
            }
        }
        Titles(titles)
    }

    pub fn phase(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| humanize(id))
    }

    /// `None` for a phase's own (implicit) section, whose id is the
    /// phase's.
    pub fn section(&self, phase: &str, id: &str) -> Option<String> {
        if id == phase {
            return None;
        }
        Some(
            self.0
                .get(id)
                .cloned()
                .unwrap_or_else(|| humanize(id.strip_prefix(&format!("{phase}/")).unwrap_or(id))),
        )
    }
}

/// `pre-deployment-checks` -> `Pre deployment checks`.
fn humanize(id: &str) -> String {
    let words = id.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One phase of a record, with its items in record order.
#[derive(Debug)]
pub struct PhaseView<'a> {
    pub id: &'a str,
    pub title: String,
    pub sections: Vec<SectionView<'a>>,
    /// Items in the phase, all of them, whatever `--failed` keeps.
    pub total: usize,
}

#[derive(Debug)]
pub struct SectionView<'a> {
    pub id: &'a str,
    /// `None` for a phase's own section.
    pub title: Option<String>,
    pub items: Vec<&'a ItemResult>,
    /// The reason every item here is not needed, when they all are for
    /// the same one: said once for the section, not per item.
    pub not_needed: Option<&'a str>,
}

impl PhaseView<'_> {
    pub fn items(&self) -> impl Iterator<Item = &ItemResult> {
        self.sections.iter().flat_map(|s| s.items.iter().copied())
    }
}

/// What a report shows of a record: its phases and sections in record
/// order (those `--failed` leaves empty are left out), and the waivers.
#[derive(Debug)]
pub struct View<'a> {
    pub record: &'a Record,
    pub phases: Vec<PhaseView<'a>>,
    /// Item id -> the waiver's reason, for items a gate waived.
    pub waivers: BTreeMap<&'a str, &'a str>,
    pub failed_only: bool,
}

impl<'a> View<'a> {
    pub fn new(record: &'a Record, options: &Options) -> View<'a> {
        let waivers = waivers(record);
        let mut phases: Vec<PhaseView<'a>> = Vec::new();
        for item in &record.items {
            let phase = match phases.iter().position(|p| p.id == item.phase) {
                Some(index) => &mut phases[index],
                None => {
                    phases.push(PhaseView {
                        id: &item.phase,
                        title: options.titles.phase(&item.phase),
                        sections: Vec::new(),
                        total: 0,
                    });
                    phases.last_mut().expect("just pushed")
                }
            };
            phase.total += 1;
            if options.failed_only && !notable(item, &waivers) {
                continue;
            }
            let section = match phase.sections.iter().position(|s| s.id == item.section) {
                Some(index) => &mut phase.sections[index],
                None => {
                    phase.sections.push(SectionView {
                        id: &item.section,
                        title: options.titles.section(&item.phase, &item.section),
                        items: Vec::new(),
                        not_needed: None,
                    });
                    phase.sections.last_mut().expect("just pushed")
                }
            };
            section.items.push(item);
        }
        phases.retain(|phase| !phase.sections.is_empty());
        for section in phases.iter_mut().flat_map(|p| p.sections.iter_mut()) {
            section.not_needed = shared_not_needed(&section.items);
        }
        View {
            record,
            phases,
            waivers,
            failed_only: options.failed_only,
        }
    }

    pub fn waiver(&self, item: &ItemResult) -> Option<&'a str> {
        self.waivers.get(item.id.as_str()).copied()
    }

    /// The item's text with variables filled in, as the run showed it:
    /// the record's `shown`, or its text filled with the record's values
    /// (the same, for a record relcheck wrote).
    pub fn text(&self, item: &ItemResult) -> String {
        match &item.shown {
            Some(shown) => shown.clone(),
            None => crate::template::fill(&item.text, &self.record.values),
        }
    }

    /// Values that are not a field's (a field's value shows with its item):
    /// the checklist's variables, such as version and environment.
    /// Version and environment first, as the history does.
    pub fn variables(&self) -> Vec<(&'a str, &'a str)> {
        let mut variables: Vec<(&str, &str)> = self
            .record
            .values
            .iter()
            .filter(|(name, _)| self.record.item(name).is_none())
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        variables.sort_by_key(|(name, _)| match *name {
            "version" => 0,
            "environment" => 1,
            _ => 2,
        });
        variables
    }
}

/// One line of what an item's result says beyond its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub label: &'static str,
    pub text: String,
    /// A waiver or a failure's note: what a reader must not miss.
    pub alert: bool,
}

impl View<'_> {
    /// What a field or a sign-off was answered with, to follow its text.
    pub fn answer(&self, item: &ItemResult) -> Option<String> {
        match item.kind {
            Kind::Field => item.value.clone().filter(|v| !v.is_empty()),
            Kind::Signoff => {
                let signoff = self
                    .record
                    .signoffs
                    .iter()
                    .rev()
                    .find(|s| s.item.as_deref() == Some(item.id.as_str()));
                match signoff {
                    Some(signoff) => Some(format!(
                        "{} by {}",
                        match signoff.decision {
                            Decision::Approve => "approved",
                            Decision::Reject => "rejected",
                        },
                        signoff.name
                    )),
                    None => item.value.clone(),
                }
            }
            Kind::Check | Kind::Trigger => None,
        }
    }

    /// Notes, reasons, the waiver, who answered when not the operator,
    /// where the answer came from, and a wait. Commands are apart: each
    /// format shows them its own way. A not-needed reason the section
    /// says once is left out.
    pub fn details(&self, item: &ItemResult, section: &SectionView<'_>) -> Vec<Detail> {
        let mut out = Vec::new();
        let alert = matches!(item.status, Status::Failed | Status::Occurred);
        if let Some(note) = item.note.as_deref().filter(|n| !n.trim().is_empty()) {
            // A failure's note says why, a trigger's what happened: said
            // with the status, so no line says the status alone.
            out.push(Detail {
                label: match item.status {
                    Status::Failed | Status::Occurred => words(item.status),
                    _ => "note",
                },
                text: note.to_string(),
                alert,
            });
        }
        if let Some(reason) = item.reason.as_deref().filter(|r| !r.trim().is_empty())
            && !(item.status == Status::NotNeeded && section.not_needed.is_some())
        {
            out.push(Detail {
                label: words(item.status),
                text: reason.to_string(),
                alert: false,
            });
        }
        if let Some(reason) = self.waiver(item) {
            out.push(Detail {
                label: "waived",
                text: if reason.is_empty() {
                    "(no reason given)".to_string()
                } else {
                    reason.to_string()
                },
                alert: true,
            });
        }
        if let Some(wait) = &item.wait {
            out.push(Detail {
                label: "waited",
                text: format!(
                    "{} of {}{}",
                    session::human_duration(wait.waited_seconds),
                    session::human_duration(wait.requested_seconds as f64),
                    if wait.cut_short { ", cut short" } else { "" }
                ),
                alert: false,
            });
        }
        if let Some(by) = item.by.as_deref()
            && by != self.record.run.operator
        {
            out.push(Detail {
                label: "answered by",
                text: by.to_string(),
                alert: false,
            });
        }
        if let Some(source) = &item.source {
            out.push(Detail {
                label: "from",
                text: match &source.path {
                    Some(path) => format!("{} {path}", source.kind),
                    None => source.kind.clone(),
                },
                alert: false,
            });
        }
        out
    }
}

/// How a command ended and how long it took: "exit 0 after 2.5 s".
pub fn command_summary(command: &CommandRun) -> String {
    let how = if command.timed_out {
        "timed out".to_string()
    } else {
        match command.exit_code {
            Some(code) => format!("exit {code}"),
            None => "ended without an exit code".to_string(),
        }
    };
    format!("{how} after {}", command_duration(command.duration_seconds))
}

/// Whether a command ended well.
pub fn command_ok(command: &CommandRun) -> bool {
    !command.timed_out && command.exit_code == Some(0)
}

fn shared_not_needed<'a>(items: &[&'a ItemResult]) -> Option<&'a str> {
    let first = items.first()?;
    let reason = first.reason.as_deref()?;
    items
        .iter()
        .all(|item| item.status == Status::NotNeeded && item.reason.as_deref() == Some(reason))
        .then_some(reason)
}

/// Item id -> reason, for every item a gate waived.
pub fn waivers(record: &Record) -> BTreeMap<&str, &str> {
    record
        .gates
        .iter()
        .filter(|gate| gate.decision == GateDecision::Waive)
        .flat_map(|gate| {
            let reason = gate.reason.as_deref().unwrap_or("");
            gate.items.iter().map(move |id| (id.as_str(), reason))
        })
        .collect()
}

/// What `--failed` keeps: an item that failed, was skipped, occurred, is
/// still pending, or was waived.
pub fn notable(item: &ItemResult, waivers: &BTreeMap<&str, &str>) -> bool {
    matches!(
        item.status,
        Status::Failed | Status::Skipped | Status::Occurred | Status::Pending
    ) || waivers.contains_key(item.id.as_str())
}

/// One character per status, the same in every format (docs/REPORTS.md).
pub fn glyph(status: Status) -> &'static str {
    match status {
        Status::Done => "✓",
        Status::Failed => "✗",
        Status::Skipped => "↷",
        Status::NotApplicable => "–",
        Status::Occurred => "!",
        Status::NotOccurred => "·",
        Status::NotNeeded => "○",
        Status::NotRun => "⊘",
        Status::Pending => "?",
    }
}

/// The status as a person says it.
pub fn words(status: Status) -> &'static str {
    match status {
        Status::Done => "done",
        Status::Failed => "failed",
        Status::Skipped => "skipped",
        Status::NotApplicable => "n/a",
        Status::Occurred => "occurred",
        Status::NotOccurred => "not occurred",
        Status::NotNeeded => "not needed",
        Status::NotRun => "not run",
        Status::Pending => "pending",
    }
}

/// Statuses in the order summaries list them: the good first.
pub const STATUS_ORDER: [Status; 9] = [
    Status::Done,
    Status::NotOccurred,
    Status::NotApplicable,
    Status::NotNeeded,
    Status::Failed,
    Status::Skipped,
    Status::Occurred,
    Status::NotRun,
    Status::Pending,
];

pub fn banner(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Success => "SUCCESS",
        Outcome::RollingBack => "ROLLING BACK",
        Outcome::RolledBack => "ROLLED BACK",
        Outcome::Failed => "FAILED",
        Outcome::Aborted => "ABORTED",
        Outcome::Incomplete => "INCOMPLETE",
        Outcome::InProgress => "IN PROGRESS",
    }
}

/// "43 items: 33 done, 5 not occurred, 1 failed (1 waived)".
pub fn counts(record: &Record) -> String {
    let waivers = waivers(record);
    let mut parts = Vec::new();
    for status in STATUS_ORDER {
        let of: Vec<&ItemResult> = record
            .items
            .iter()
            .filter(|item| item.status == status)
            .collect();
        if of.is_empty() {
            continue;
        }
        let waived = of
            .iter()
            .filter(|item| waivers.contains_key(item.id.as_str()))
            .count();
        if waived > 0 {
            parts.push(format!("{} {} ({waived} waived)", of.len(), words(status)));
        } else {
            parts.push(format!("{} {}", of.len(), words(status)));
        }
    }
    let total = record.items.len();
    format!(
        "{total} {}: {}",
        if total == 1 { "item" } else { "items" },
        parts.join(", ")
    )
}

/// Sign-offs as "n of m": m sign-off items in the record, n of them
/// answered by at least one sign-off. A role signed twice counts once, and
/// a sign-off for a role the checklist does not list (`--extra-role`)
/// counts for none, so n never passes m.
pub fn signoff_counts(record: &Record) -> (usize, usize) {
    let items: Vec<&ItemResult> = record
        .items
        .iter()
        .filter(|item| item.kind == Kind::Signoff)
        .collect();
    let answered = items
        .iter()
        .filter(|item| {
            record
                .signoffs
                .iter()
                .any(|s| s.item.as_deref() == Some(item.id.as_str()))
        })
        .count();
    (answered, items.len())
}

/// A full UTC time, as headers give it.
/// The header's facts, in order: the run's values, then who, where and
/// when.
pub fn facts(record: &Record, view: &View<'_>) -> Vec<(String, String)> {
    let mut facts: Vec<(String, String)> = view
        .variables()
        .into_iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    facts.push(("operator".into(), record.run.operator.clone()));
    facts.push(("host".into(), record.run.host.clone()));
    facts.push(("started".into(), timestamp(record.run.started)));
    if let Some(finished) = record.run.finished {
        facts.push(("finished".into(), timestamp(finished)));
    }
    if let Some(duration) = duration(record) {
        facts.push(("duration".into(), duration));
    }
    facts
}

pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A time within the run: the clock time when it is the day the run
/// started, else the full time.
pub fn time_in_run(record: &Record, at: DateTime<Utc>) -> String {
    if at.date_naive() == record.run.started.date_naive() {
        at.format("%H:%M:%S").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// How long the run took: as recorded, else from start to the last thing
/// recorded (a run still in progress).
pub fn duration(record: &Record) -> Option<String> {
    record.run.duration_seconds.map(session::human_duration)
}

/// A command's duration: tenths of a second below a minute.
pub fn command_duration(seconds: f64) -> String {
    if seconds < 60.0 {
        format!("{seconds:.1} s")
    } else {
        session::human_duration(seconds)
    }
}

/// What called the rollback, in words: a trigger by its text, a gate by
/// its phase.
pub fn rollback_cause(record: &Record, titles: &Titles) -> String {
    let Some(rollback) = &record.rollback else {
        return String::new();
    };
    if let Some(item) = record.item(&rollback.cause) {
        return format!(
            "trigger \"{}\"",
            crate::template::fill(&item.text, &record.values)
        );
    }
    if let Some(phase) = rollback.cause.strip_prefix("gate:") {
        return format!("the {} gate", titles.phase(phase));
    }
    match rollback.cause.as_str() {
        "operator" => "the operator".to_string(),
        other => other.to_string(),
    }
}

/// Triggers that happened once the rollback was already called, in words,
/// each with its time: the first call stands, these are kept beside it.
pub fn later_calls(record: &Record) -> Vec<(DateTime<Utc>, String)> {
    let Some(rollback) = &record.rollback else {
        return Vec::new();
    };
    rollback
        .later
        .iter()
        .map(|call| {
            let what = match record.item(&call.item) {
                Some(item) => format!(
                    "trigger \"{}\"",
                    crate::template::fill(&item.text, &record.values)
                ),
                None => call.item.clone(),
            };
            let said = call
                .what
                .as_deref()
                .map(|w| format!(": {w}"))
                .unwrap_or_default();
            (call.at, format!("{what} by {}{said}", call.by))
        })
        .collect()
}

/// The last instant the record knows of: for a timeline's end.
pub fn last_time(record: &Record) -> DateTime<Utc> {
    let items = record.items.iter().filter_map(|item| item.at);
    let gates = record.gates.iter().map(|gate| gate.at);
    let signoffs = record.signoffs.iter().map(|s| s.at);
    let events = record.events.iter().map(|e| e.at);
    items
        .chain(gates)
        .chain(signoffs)
        .chain(events)
        .chain(record.run.finished)
        .chain(
            record
                .rollback
                .iter()
                .flat_map(|r| std::iter::once(r.at).chain(r.later.iter().map(|call| call.at))),
        )
        .fold(record.run.started, DateTime::max)
}

/// Greedy word wrap to `width` characters; words longer than a line are
/// cut. Newlines in `text` start new lines. Never returns no lines.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut len = 0;
        for word in paragraph.split_whitespace() {
            let mut word: Vec<char> = word.chars().collect();
            loop {
                let space = usize::from(len > 0);
                if len + space + word.len() <= width {
                    if space == 1 {
                        line.push(' ');
                    }
                    line.extend(word.iter());
                    len += space + word.len();
                    break;
                }
                if len > 0 {
                    lines.push(std::mem::take(&mut line));
                    len = 0;
                    continue;
                }
                let rest = word.split_off(width);
                lines.push(word.into_iter().collect());
                word = rest;
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("one\ntwo three", 20), ["one", "two three"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("ab  cd", 10), ["ab cd"]);
    }

    #[test]
    fn humanized_ids_read_as_titles() {
        assert_eq!(humanize("pre-deployment-checks"), "Pre deployment checks");
        let titles = Titles::default();
        assert_eq!(titles.section("p", "p"), None);
        assert_eq!(
            titles.section("p", "p/health-checks").unwrap(),
            "Health checks"
        );
    }
}
