//! Reports (docs/REPORTS.md): pure functions from a record to text for a
//! terminal, Markdown for a ticket, JUnit XML for CI and one HTML page,
//! the history table of a folder of records, and `verify`'s findings.
//! Nothing in the renderers reads or writes a file; `command` finds the
//! records and writes out.
//!
//! This file holds what every format shares: which items `--failed` keeps,
//! waivers, glyphs, words and times. Items grouped by phase and section are
//! in `view.rs`, phase and section titles in `titles.rs`.

pub mod command;
pub mod display;
pub mod history;
pub mod html;
pub mod junit;
pub mod links;
pub mod markdown;
pub mod stats;
pub mod text;
pub mod timing;
mod titles;
pub mod verification;
mod view;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::record::{CommandRun, ItemResult, Outcome, Record, Status};
use crate::session;
use crate::style::Style;

pub use crate::record::{signoff_counts, waivers};
pub use junit::junit;
pub use titles::Titles;
pub use view::{Detail, PhaseView, SectionView, View};

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

/// How a command ended and how long it took: "exit 0 after 2.5 s". A
/// timeout says the time it was given ("timed out after 3 s, stopped after
/// 5.0 s"): the measured time includes the grace period before SIGKILL.
pub fn command_summary(command: &CommandRun) -> String {
    // Its end is not known, nor how long it took.
    if command.running {
        return command.ended();
    }
    if let (true, Some(limit)) = (command.timed_out, command.timeout_seconds) {
        return format!(
            "{}, stopped after {}",
            crate::exec::timed_out_after(limit),
            command_duration(command.duration_seconds)
        );
    }
    format!(
        "{} after {}",
        command.ended(),
        command_duration(command.duration_seconds)
    )
}

/// Whether a command ended well.
pub fn command_ok(command: &CommandRun) -> bool {
    !command.timed_out && command.exit_code == Some(0)
}

/// What `--failed` keeps: an item that failed, was skipped, occurred, is
/// still pending, or was waived.
pub fn notable(item: &ItemResult, waivers: &BTreeMap<&str, &str>) -> bool {
    matches!(
        item.status,
        Status::Failed | Status::Skipped | Status::Occurred | Status::Pending
    ) || waivers.contains_key(item.id.as_ref())
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
            .filter(|item| waivers.contains_key(item.id.as_ref()))
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
            let chars: Vec<char> = word.chars().collect();
            // Where the rest of the word starts: a word longer than a line
            // is cut in place, never copied, so a 4-million-character
            // note wraps in linear time.
            let mut start = 0;
            loop {
                let word = &chars[start..];
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
                lines.push(word[..width].iter().collect());
                start += width;
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
    fn a_timeout_says_the_time_it_was_given() {
        let mut command = CommandRun {
            command: "sleep 60".to_string(),
            exit_code: None,
            timed_out: true,
            timeout_seconds: Some(3),
            duration_seconds: 5.02,
            output: String::new(),
            truncated_bytes: 0,
            interrupted: false,
            killed: false,
            running: false,
        };
        assert_eq!(
            command_summary(&command),
            "timed out after 3 s, stopped after 5.0 s"
        );
        // A record from before the limit was kept says what it measured.
        command.timeout_seconds = None;
        assert_eq!(command_summary(&command), "timed out after 5.0 s");
        // Stopped by Ctrl-C or a signal to the run, it says so.
        command.timed_out = false;
        command.interrupted = true;
        assert_eq!(command_summary(&command), "interrupted after 5.0 s");
        command.interrupted = false;
        assert_eq!(
            command_summary(&command),
            "ended without an exit code after 5.0 s"
        );
        // Saved as started and never ended: no end, and no time.
        command.interrupted = false;
        command.running = true;
        assert_eq!(
            command_summary(&command),
            "started, its end not recorded (relcheck stopped while it ran)"
        );
    }

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("one\ntwo three", 20), ["one", "two three"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("ab  cd", 10), ["ab cd"]);
    }
}
