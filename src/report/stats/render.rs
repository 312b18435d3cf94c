//! Release metrics as text for a terminal, Markdown for a ticket or a
//! wiki, and JSON for a dashboard. Text given to these is already
//! printable (`stats` makes it so); Markdown escapes it too.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use crate::report::markdown::escape;
use crate::session::human_duration;
use crate::style::Style;

use super::{Group, Stats};

pub fn json(stats: &Stats) -> String {
    let mut text = serde_json::to_string_pretty(stats).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}

/// One line naming what was counted: how many runs, from when to when.
fn headline(stats: &Stats) -> String {
    let all = &stats.overall;
    let checklists = stats.checklists.len();
    let mut line = format!(
        "{} {} of {} {}",
        all.runs,
        plural(all.runs, "run", "runs"),
        checklists,
        plural(checklists, "checklist", "checklists")
    );
    if let (Some(first), Some(last)) = (all.first_run, all.last_run) {
        let _ = write!(line, ", {} to {}", day(first), day(last));
    }
    if let Some(since) = stats.since {
        let _ = write!(line, " (since {})", day(since));
    }
    line
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// The groups shown: every checklist, after all of them together when
/// there are several.
fn groups(stats: &Stats) -> Vec<(&str, &Group)> {
    let mut groups = Vec::new();
    if stats.checklists.len() > 1 {
        groups.push(("All checklists", &stats.overall));
    }
    for group in &stats.checklists {
        groups.push((group.checklist.as_deref().unwrap_or(""), group));
    }
    groups
}

/// The figures of a group as label and value, in the order shown.
fn figures(group: &Group) -> Vec<(&'static str, String)> {
    let median = |value: Option<f64>, n: usize, one: &str, many: &str| match value {
        Some(seconds) => format!(
            "median {} ({n} {})",
            human_duration(seconds),
            plural(n, one, many)
        ),
        None => "-".to_string(),
    };
    let (rolled_back, failed) = (group.finished_rolled_back, group.finished_failed);
    vec![
        (
            "runs",
            format!("{}, {:.1} a week", group.runs, group.runs_per_week),
        ),
        (
            "outcomes",
            group
                .outcomes
                .iter()
                .map(|(outcome, n)| format!("{n} {outcome}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "change failure rate",
            match group.change_failure_rate {
                Some(rate) => format!(
                    "{} ({} of {} finished: {rolled_back} rolled back, {failed} failed)",
                    percent(rate),
                    group.failed_or_rolled_back,
                    group.finished
                ),
                None => "- (no finished runs)".to_string(),
            },
        ),
        (
            "time to restore",
            median(
                group.median_time_to_restore_seconds,
                group.restores,
                "rollback",
                "rollbacks",
            ),
        ),
        (
            "run duration",
            median(
                group.median_duration_seconds,
                group.finished,
                "finished run",
                "finished runs",
            ),
        ),
        (
            "sign-off latency",
            median(
                group.median_signoff_latency_seconds,
                group.signed_runs,
                "signed run",
                "signed runs",
            ),
        ),
    ]
}

fn percent(rate: f64) -> String {
    format!("{:.0}%", rate * 100.0)
}

/// A weak spot's item: its id, with its checklist's title in the block of
/// all checklists, where ids of two checklists may meet.
fn spot_name(group: &Group, spot: &super::WeakSpot) -> String {
    if group.checklist.is_none() {
        format!("{}: {}", spot.checklist, spot.id)
    } else {
        spot.id.clone()
    }
}

fn spot_counts(spot: &super::WeakSpot) -> String {
    let mut parts = Vec::new();
    for (n, what) in [
        (spot.failed, "failed"),
        (spot.skipped, "skipped"),
        (spot.waived, "waived"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    parts.join(", ")
}

const LABEL: usize = 21;

pub fn text(stats: &Stats, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Release metrics: {}", headline(stats));
    for (name, group) in groups(stats) {
        let _ = writeln!(out, "\n{}", style.bold(name));
        for (label, value) in figures(group) {
            let _ = writeln!(out, "  {label:<LABEL$}{value}");
        }
        if !group.phases.is_empty() {
            let _ = writeln!(
                out,
                "  {}",
                style.dim("phases, median first to last answer")
            );
            let width = group
                .phases
                .iter()
                .map(|p| p.title.chars().count())
                .max()
                .unwrap_or(0)
                .max(LABEL - 4);
            for phase in &group.phases {
                let value = match phase.median_seconds {
                    Some(seconds) => format!(
                        "{} ({} {})",
                        human_duration(seconds),
                        phase.runs,
                        plural(phase.runs, "run", "runs")
                    ),
                    None => "- (nothing answered)".to_string(),
                };
                let _ = writeln!(out, "    {:<width$}  {value}", phase.title);
            }
        }
        if !group.weak_spots.is_empty() {
            let _ = writeln!(
                out,
                "  {}",
                style.dim("weak spots: items failed, skipped or waived")
            );
            for spot in &group.weak_spots {
                let name = spot_name(group, spot);
                let _ = writeln!(
                    out,
                    "    {} {}  {name}  ({})",
                    spot.runs,
                    plural(spot.runs, "run ", "runs"),
                    spot_counts(spot)
                );
            }
        }
    }
    out
}

pub fn markdown(stats: &Stats) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Release metrics\n\n{}", escape(&headline(stats)));
    for (name, group) in groups(stats) {
        let _ = writeln!(out, "\n## {}\n", escape(name));
        out.push_str("| | |\n|---|---|\n");
        for (label, value) in figures(group) {
            let _ = writeln!(out, "| {label} | {} |", escape(&value));
        }
        if !group.phases.is_empty() {
            out.push_str("\n| phase | median, first to last answer | runs |\n|---|---|---:|\n");
            for phase in &group.phases {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    escape(&phase.title),
                    phase.median_seconds.map_or("-".to_string(), human_duration),
                    phase.runs
                );
            }
        }
        if !group.weak_spots.is_empty() {
            out.push_str("\n| weak spot | item | runs | failed | skipped | waived |\n|---|---|---:|---:|---:|---:|\n");
            for spot in &group.weak_spots {
                let name = spot_name(group, spot);
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    escape(&spot.text),
                    escape(&name),
                    spot.runs,
                    spot.failed,
                    spot.skipped,
                    spot.waived
                );
            }
        }
    }
    out.push_str(
        "\n---\n*Change failure rate and time to restore as DORA defines them; see docs/REPORTS.md in relcheck.*\n",
    );
    out
}
