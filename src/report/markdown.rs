//! The Markdown report, for a pull request, a ticket or release notes
//! (GitHub-flavoured): a summary table, a task list per phase, the gates,
//! the rollback and a table of sign-offs.
//!
//! A box is ticked when the item is settled with nothing wrong: done, not
//! occurred, n/a, not needed. Failed, skipped, occurred and pending items
//! stay unticked with their status in words.

use std::fmt::Write;

use crate::record::{Decision, GateDecision, Record, Status};

use super::text::digest_words;
use super::timing;
use super::{
    Options, View, banner, command_ok, command_summary, counts, duration, later_calls,
    rollback_cause, signoff_counts, timestamp, words,
};
use crate::session::human_duration;

/// Lines of a failed command's output shown under it.
const OUTPUT_TAIL: usize = 20;

pub fn markdown(record: &Record, options: &Options) -> String {
    let view = View::new(record, options);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {}: {}{}\n",
        escape(&record.checklist.title),
        banner(record.run.outcome),
        if view.failed_only {
            " (failed and open items only)"
        } else {
            ""
        }
    );
    summary(&mut out, &view);
    for phase in &view.phases {
        let _ = writeln!(out, "\n## {}", escape(&phase.title));
        for section in &phase.sections {
            if let Some(title) = &section.title {
                let _ = writeln!(out, "\n### {}", escape(title));
            }
            if let Some(reason) = section.not_needed {
                let _ = writeln!(out, "\n*Not needed: {}.*", escape(reason));
            }
            if let Some(expected) = &section.expected_output {
                let _ = writeln!(out, "\n*Expected:* {}", escape(expected));
            }
            out.push('\n');
            for item in &section.items {
                let ticked = matches!(
                    item.status,
                    Status::Done | Status::NotOccurred | Status::NotApplicable | Status::NotNeeded
                );
                let waived = view.waiver(item).is_some();
                let mut text = escape(&view.text(item));
                if let Some(answer) = view.answer(item) {
                    let _ = write!(text, ": {}", escape(&answer));
                }
                let line = match item.status {
                    Status::Done => text,
                    // A note says the status itself, on the line below.
                    Status::Failed | Status::Occurred if item.rare.note.is_some() => {
                        format!("**{text}**")
                    }
                    Status::Failed | Status::Occurred => {
                        format!("**{text}** — **{}**", words(item.status))
                    }
                    Status::NotNeeded if section.not_needed.is_some() => text,
                    status => format!("{text} — *{}*", words(status)),
                };
                let _ = writeln!(out, "- [{}] {line}", if ticked { "x" } else { " " });
                for detail in view.details(item, section) {
                    let text = if detail.links {
                        super::links::markdown(&detail.text)
                    } else {
                        escape(&detail.text)
                    };
                    if detail.label == "waived" || (detail.alert && !waived) {
                        let _ = writeln!(out, "  - **{}:** {text}", detail.label);
                    } else {
                        let _ = writeln!(out, "  - {}: {text}", detail.label);
                    }
                }
                if let Some(command) = &item.rare.command {
                    let first = command.command.lines().next().unwrap_or("");
                    let more = if command.command.lines().count() > 1 {
                        " …"
                    } else {
                        ""
                    };
                    let _ = writeln!(
                        out,
                        "  - command {}{more}: {}",
                        code_span(first),
                        command_summary(command)
                    );
                    if !command_ok(command) && !command.output.trim().is_empty() {
                        let lines: Vec<&str> = command.output.trim_end().lines().collect();
                        let tail = lines[lines.len().saturating_sub(OUTPUT_TAIL)..].join("\n");
                        let fence = fence(&tail);
                        let _ = writeln!(out, "\n    {fence}text");
                        for line in tail.lines() {
                            let _ = writeln!(out, "    {line}");
                        }
                        let _ = writeln!(out, "    {fence}\n");
                    }
                }
            }
        }
    }
    if view.failed_only && view.phases.is_empty() {
        out.push_str("\nNothing failed, was skipped or waived, occurred, or is pending.\n");
    }
    slowest(&mut out, &view);
    gates(&mut out, &view, options);
    if let Some(rollback) = &record.rollback {
        let _ = writeln!(out, "\n## Rollback\n");
        let _ = writeln!(
            out,
            "- called at {} by {}",
            timestamp(rollback.at),
            escape(&rollback.by)
        );
        let _ = writeln!(
            out,
            "- cause: {}",
            escape(&rollback_cause(record, &options.titles))
        );
        if let Some(reason) = &rollback.reason {
            let _ = writeln!(out, "- reason: {}", escape(reason));
        }
        for (at, call) in later_calls(record) {
            let _ = writeln!(out, "- also, at {}: {}", timestamp(at), escape(&call));
        }
    }
    signoffs(&mut out, record);
    out.push_str(
        "\n---\n*[x] done, not occurred, n/a or not needed; [ ] failed, skipped, occurred or pending.*\n",
    );
    out
}

/// The items that took longest (docs/REPORTS.md, "Time per item"), in
/// the whole report only: `--failed` is about what went wrong.
fn slowest(out: &mut String, view: &View<'_>) {
    if view.failed_only {
        return;
    }
    let times = timing::item_times(view.record);
    let slow = timing::slowest(&times, timing::SLOWEST);
    if slow.is_empty() {
        return;
    }
    out.push_str("\n## Slowest items\n\n| item | phase | took |\n|---|---|---:|\n");
    for time in slow {
        let phase = view
            .phases
            .iter()
            .find(|p| *p.id == *time.item.phase)
            .map_or(time.item.phase.as_ref(), |p| p.title.as_str());
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            escape(&view.text(time.item)),
            escape(phase),
            human_duration(time.seconds)
        );
    }
}

fn summary(out: &mut String, view: &View<'_>) {
    let record = view.record;
    let mut rows = vec![
        (
            "Outcome".to_string(),
            format!("**{}**", banner(record.run.outcome)),
        ),
        ("Items".to_string(), escape(&counts(record))),
        (
            "Checklist".to_string(),
            format!(
                "{} ({})",
                escape(&record.checklist.title),
                code_span(&record.checklist.origin.display()).replace('|', "\\|")
            ),
        ),
    ];
    for (name, value) in view.variables() {
        rows.push((escape(name), escape(value)));
    }
    rows.push(("Operator".into(), escape(&record.run.operator)));
    rows.push(("Host".into(), escape(&record.run.host)));
    rows.push(("Started".into(), timestamp(record.run.started)));
    if let Some(finished) = record.run.finished {
        rows.push(("Finished".into(), timestamp(finished)));
    }
    if let Some(duration) = duration(record) {
        rows.push(("Duration".into(), duration));
    }
    rows.push(("Record".into(), escape(digest_words(record))));
    out.push_str("| | |\n|---|---|\n");
    for (name, value) in rows {
        let _ = writeln!(out, "| {name} | {value} |");
    }
}

fn gates(out: &mut String, view: &View<'_>, options: &Options) {
    let record = view.record;
    if record.gates.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## Gates\n");
    for gate in &record.gates {
        let decision = match gate.decision {
            GateDecision::Waive => "waived",
            GateDecision::Rollback => "rolled back",
            GateDecision::Abort => "aborted",
            GateDecision::Stop => "stopped",
        };
        let reason = gate
            .reason
            .as_deref()
            .map(|r| format!(": {}", escape(r)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- **{}**: {decision} by {} at {}{reason}",
            escape(&options.titles.phase(&gate.phase)),
            escape(&gate.by),
            timestamp(gate.at)
        );
        for id in &gate.items {
            let text = record
                .item(id)
                .map_or_else(|| id.clone(), |item| view.text(item));
            let _ = writeln!(out, "  - {}", escape(&text));
        }
    }
}

fn signoffs(out: &mut String, record: &Record) {
    let (answered, expected) = signoff_counts(record);
    if record.signoffs.is_empty() && expected == 0 {
        return;
    }
    let _ = writeln!(out, "\n## Sign-offs ({answered} of {expected})\n");
    if record.signoffs.is_empty() {
        out.push_str("None yet.\n");
        return;
    }
    out.push_str("| Role | Name | Decision | Time | Signature | Comment |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for signoff in &record.signoffs {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            escape(&signoff.role),
            escape(&signoff.name),
            match signoff.decision {
                Decision::Approve => "approve",
                Decision::Reject => "**reject**",
            },
            timestamp(signoff.at),
            match (&signoff.signature, &signoff.forced) {
                (Some(_), None) => "signed".to_string(),
                (None, None) => "unsigned".to_string(),
                (signature, Some(rule)) => format!(
                    "{}; **forced** past the sign-off policy ({})",
                    if signature.is_some() {
                        "signed"
                    } else {
                        "unsigned"
                    },
                    escape(rule)
                ),
            },
            signoff.comment.as_deref().map(escape).unwrap_or_default()
        );
    }
}

/// User text made inert in Markdown: emphasis, links, code, HTML, table
/// pipes and entities are shown as written. Line breaks become `<br>` so
/// text stays in its list item or table cell.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        for c in line.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
    }
    out
}

/// `text` as inline code, with a delimiter longer than any run of
/// backticks in it. In a table cell, escape its pipes too: GFM reads `\|`
/// as a pipe even in code there.
pub fn code_span(text: &str) -> String {
    let longest = longest_run(text, '`');
    let ticks = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// A code fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    "`".repeat((longest_run(text, '`') + 1).max(3))
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_keeps_markdown_inert() {
        assert_eq!(escape("a | b"), "a \\| b");
        assert_eq!(escape("**x** [l](u)"), "\\*\\*x\\*\\* \\[l\\](u)");
        assert_eq!(escape("<b>&amp;"), "&lt;b&gt;&amp;amp;");
        assert_eq!(escape("one\ntwo"), "one<br>two");
    }

    #[test]
    fn code_spans_outlast_backticks() {
        assert_eq!(code_span("ls"), "`ls`");
        assert_eq!(code_span("a `b` c"), "``a `b` c``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(fence("```"), "````");
    }
}
