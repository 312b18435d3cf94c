//! How long each item took, from the times a record keeps (docs/REPORTS.md,
//! "Time per item").
//!
//! A record holds when each item was answered, not when it was shown, so
//! "shown" is worked out: the latest moment before the answer at which
//! the run moved on to it. Those moments are the run's start, each
//! `resume`, every other answer, each gate decision and the rollback call
//! (each of them ends one question and brings up the next). A pause, a
//! night away or a crash is not counted against the next item, since the
//! run resumed after it. A command's or a wait's own time falls between
//! shown and answered, so it counts.

use chrono::{DateTime, Utc};

use crate::record::{EventAction, ItemResult, Record};

/// One answered item and the time it took.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemTime<'a> {
    pub item: &'a ItemResult,
    pub shown: DateTime<Utc>,
    pub answered: DateTime<Utc>,
    pub seconds: f64,
}

/// Whether someone answered the item: it has a time and an author. Items
/// the run settled itself (not needed, not run) have no author.
pub fn answered(item: &ItemResult) -> Option<DateTime<Utc>> {
    item.by.as_ref().and(item.at)
}

/// Every answered item with its time, in the order they were answered
/// (answers given at the same instant, as `A` gives them, in record
/// order: the first takes the time, the rest none; steps set aside after
/// a rollback take none).
pub fn item_times(record: &Record) -> Vec<ItemTime<'_>> {
    let mut answers: Vec<(DateTime<Utc>, usize)> = record
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| answered(item).map(|at| (at, i)))
        .collect();
    answers.sort();
    let mut moments: Vec<DateTime<Utc>> = vec![record.run.started];
    moments.extend(
        record
            .events
            .iter()
            .filter(|e| matches!(e.action, EventAction::Start | EventAction::Resume))
            .map(|e| e.at),
    );
    moments.extend(record.gates.iter().map(|gate| gate.at));
    moments.extend(record.rollback.iter().map(|rollback| rollback.at));
    moments.sort();
    let mut times = Vec::with_capacity(answers.len());
    let mut previous: Option<DateTime<Utc>> = None;
    for (at, i) in answers {
        // The latest start, resume, gate or rollback before the answer,
        // or the answer before it, whichever came later. Strictly before:
        // a trigger's answer and the rollback it calls share an instant.
        let before = moments.partition_point(|m| *m < at);
        let moment = before.checked_sub(1).map(|k| moments[k]);
        let shown = match (moment, previous) {
            // A step set aside with its phase was never shown: the time
            // before it was the phase's question's, nobody's step.
            _ if record.items[i].set_aside() => at,
            (Some(m), Some(p)) => m.max(p),
            (Some(m), None) => m,
            (None, Some(p)) => p,
            (None, None) => at,
        }
        .min(at);
        let seconds = (at - shown).num_milliseconds() as f64 / 1000.0;
        times.push(ItemTime {
            item: &record.items[i],
            shown,
            answered: at,
            seconds,
        });
        previous = Some(at);
    }
    times
}

/// How many of the slowest items the text and Markdown reports list.
pub const SLOWEST: usize = 5;

/// The `n` items that took longest, longest first (ties in the order they
/// were answered); items that took no time are never among them.
pub fn slowest<'a>(times: &[ItemTime<'a>], n: usize) -> Vec<ItemTime<'a>> {
    let mut slow: Vec<ItemTime<'a>> = times.iter().filter(|t| t.seconds > 0.0).cloned().collect();
    // Stable: equal times keep the order they were answered in.
    slow.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    slow.truncate(n);
    slow
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(yaml: &str) -> Record {
        crate::yaml::from_str(yaml).unwrap()
    }

    const RECORD: &str = r#"
schema: relcheck/record/v2
checklist: {title: T, origin: {file: t.md}, sha256: x}
run: {id: r, operator: Ada, host: h, started: 2026-01-01T10:00:00Z, mode: interactive, outcome: in-progress, relcheck_version: 0.1.0}
items:
- {id: p/a, text: A, line: 1, status: done, by: Ada, at: 2026-01-01T10:00:30Z}
- {id: p/b, text: B, line: 2, status: done, by: Ada, at: 2026-01-01T10:01:30Z}
- {id: p/c, text: C, line: 3, status: done, by: Ada, at: 2026-01-01T12:00:10Z}
- {id: p/d, text: D, line: 4, status: skipped, by: Ada, at: 2026-01-01T12:00:10Z}
- {id: p/e, text: E, line: 5, status: not-needed, at: 2026-01-01T12:00:00Z}
- {id: p/f, text: F, line: 6, status: pending}
- {id: p/g, kind: trigger, text: G, line: 7, status: occurred, by: Ada, at: 2026-01-01T12:00:40Z}
- {id: p/h, text: H, line: 8, status: done, by: Ada, at: 2026-01-01T12:01:00Z}
rollback: {at: 2026-01-01T12:00:40Z, by: Ada, cause: p/g}
events:
- {at: 2026-01-01T10:00:00Z, action: start}
- {at: 2026-01-01T10:02:00Z, action: pause}
- {at: 2026-01-01T12:00:00Z, action: resume}
"#;

    #[test]
    fn shown_is_the_answer_before_or_the_resume() {
        let record = record(RECORD);
        let times: Vec<(&str, f64)> = item_times(&record)
            .iter()
            .map(|t| (t.item.id.as_ref(), t.seconds))
            .collect();
        // c waits from the resume, not from b; d, answered in the same
        // instant as c, took none; e was settled by the run, f is open;
        // g called the rollback as it was answered, and h came after it.
        assert_eq!(
            times,
            [
                ("p/a", 30.0),
                ("p/b", 60.0),
                ("p/c", 10.0),
                ("p/d", 0.0),
                ("p/g", 30.0),
                ("p/h", 20.0)
            ]
        );
        let slow: Vec<&str> = slowest(&item_times(&record), 2)
            .iter()
            .map(|t| t.item.id.as_ref())
            .collect();
        assert_eq!(slow, ["p/b", "p/a"]);
    }

    /// Steps set aside with their phase after a rollback were never shown:
    /// the minute spent on the phase's question is nobody's, the field
    /// asked after it counts from the decision, and the phase ends with
    /// its last step worked, not with the steps set aside.
    #[test]
    fn steps_set_aside_take_no_time_and_end_no_phase() {
        let record = record(
            r#"
schema: relcheck/record/v2
checklist: {title: T, origin: {file: t.md}, sha256: x}
run: {id: r, operator: Ada, host: h, started: 2026-01-01T10:00:00Z, mode: interactive, outcome: rolled-back, relcheck_version: 0.1.0}
items:
- {id: ship/go, phase: ship, text: Go, line: 1, status: done, by: Ada, at: 2026-01-01T10:00:10Z}
- {id: ship/t, phase: ship, kind: trigger, text: T, line: 2, status: occurred, by: Ada, at: 2026-01-01T10:00:20Z}
- {id: ship/later, phase: ship, text: Later, line: 3, status: n/a, by: Ada, at: 2026-01-01T10:05:00Z, reason: set aside after the rollback}
- {id: back/revert, phase: back, text: Revert, line: 4, status: done, by: Ada, at: 2026-01-01T10:04:00Z}
- {id: live/flip, phase: live, text: Flip, line: 5, status: n/a, by: Ada, at: 2026-01-01T10:05:00Z, reason: set aside after the rollback}
- {id: live/build, phase: live, kind: field, text: Build, line: 6, status: done, value: none, by: Ada, at: 2026-01-01T10:05:30Z}
rollback: {at: 2026-01-01T10:00:20Z, by: Ada, cause: ship/t}
events:
- {at: 2026-01-01T10:00:00Z, action: start}
"#,
        );
        let times: Vec<(&str, f64)> = item_times(&record)
            .iter()
            .map(|t| (t.item.id.as_ref(), t.seconds))
            .collect();
        assert_eq!(
            times,
            [
                ("ship/go", 10.0),
                ("ship/t", 10.0),
                ("back/revert", 220.0),
                ("ship/later", 0.0),
                ("live/flip", 0.0),
                ("live/build", 30.0)
            ]
        );
        let spans = crate::record::Summary::of(&record).metrics.unwrap().phases;
        let spans: Vec<(&str, Option<f64>)> = spans
            .iter()
            .map(|span| (span.id.as_str(), span.seconds))
            .collect();
        assert_eq!(
            spans,
            [
                ("ship", Some(10.0)),
                ("back", Some(0.0)),
                ("live", Some(0.0))
            ]
        );
    }
}
