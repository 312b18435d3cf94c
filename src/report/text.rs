//! The text report, for a terminal: at most [`WIDTH`] columns, long text
//! wrapped under where it starts, colour only where the [`Style`] allows.

use std::fmt::Write;

use crate::record::{Decision, DigestCheck, Outcome, Record, Status, check_digest};
use crate::session::human_duration;
use crate::style::Style;

use super::timing::{self, item_times};

use super::{
    Options, STATUS_ORDER, View, banner, command_ok, command_summary, counts, glyph, later_calls,
    rollback_cause, signoff_counts, time_in_run, words, wrap,
};

/// No line is longer, in characters.
pub const WIDTH: usize = 80;

/// Lines of a failed command's output shown under it.
const OUTPUT_TAIL: usize = 5;

pub fn text(record: &Record, options: &Options) -> String {
    let view = View::new(record, options);
    let style = options.style;
    let mut out = Out {
        text: String::new(),
        style,
    };
    header(&mut out, &view);
    for phase in &view.phases {
        out.blank();
        let shown = phase.items().count();
        let count = if view.failed_only {
            format!("{shown} of {} items", phase.total)
        } else if phase.total == 1 {
            "1 item".to_string()
        } else {
            format!("{} items", phase.total)
        };
        let count = format!("({count})");
        if phase.title.chars().count() + count.len() + 2 <= WIDTH {
            out.line(&format!(
                "{}  {}",
                style.bold(&phase.title),
                style.dim(&count)
            ));
        } else {
            out.wrapped(0, "", &phase.title, |s| style.bold(s));
            out.line(&style.dim(&count));
        }
        for section in &phase.sections {
            let indent = match &section.title {
                Some(title) => {
                    let title = match section.not_needed {
                        Some(reason) => format!("{title} (not needed: {reason})"),
                        None => title.clone(),
                    };
                    out.wrapped(2, "", &title, |s| style.bold(s));
                    4
                }
                None => {
                    if let Some(reason) = section.not_needed {
                        out.wrapped(2, "", &format!("(not needed: {reason})"), |s| style.dim(s));
                    }
                    2
                }
            };
            if let Some(expected) = &section.expected_output {
                out.wrapped(indent, "expected: ", expected, str::to_string);
            }
            for item in &section.items {
                let waived = view.waiver(item).is_some();
                let mark = glyph(item.status);
                let mark = match item.status {
                    Status::Failed | Status::Occurred if waived => style.yellow(mark),
                    Status::Failed | Status::Occurred => style.red(mark),
                    Status::Skipped | Status::Pending => style.yellow(mark),
                    Status::Done => style.green(mark),
                    _ => style.dim(mark),
                };
                let mut text = view.text(item);
                if let Some(answer) = view.answer(item) {
                    text = format!("{text}: {answer}");
                }
                let lines = wrap(&text, WIDTH - indent - 2);
                for (i, line) in lines.iter().enumerate() {
                    let lead = if i == 0 {
                        format!("{}{mark} ", " ".repeat(indent))
                    } else {
                        " ".repeat(indent + 2)
                    };
                    let line = match item.status {
                        Status::Failed | Status::Occurred if !waived => style.red(line),
                        Status::NotNeeded | Status::NotApplicable | Status::NotOccurred => {
                            style.dim(line)
                        }
                        _ => line.to_string(),
                    };
                    out.line(&format!("{lead}{line}"));
                }
                let inner = indent + 2;
                if item.status != Status::Done && section.not_needed.is_none() {
                    // The status in words, unless a detail already says it
                    // or the glyph is plain enough.
                    let said = item.rare.reason.is_some()
                        || matches!(item.status, Status::NotOccurred | Status::Pending)
                        || (matches!(item.status, Status::Failed | Status::Occurred)
                            && item
                                .rare
                                .note
                                .as_deref()
                                .is_some_and(|n| !n.trim().is_empty()));
                    if !said {
                        out.wrapped(inner, "", words(item.status), |s| style.dim(s));
                    }
                }
                for detail in view.details(item, section) {
                    let paint = |s: &str| {
                        if detail.label == "waived" {
                            style.yellow(s)
                        } else if detail.alert {
                            style.red(s)
                        } else {
                            s.to_string()
                        }
                    };
                    out.wrapped(inner, &format!("{}: ", detail.label), &detail.text, paint);
                }
                if let Some(command) = &item.rare.command {
                    out.wrapped(inner, "$ ", &command.command, |s| style.dim(s));
                    let mut summary = command_summary(command);
                    if command.truncated_bytes > 0 {
                        let _ = write!(
                            summary,
                            " ({} bytes of output not kept)",
                            command.truncated_bytes
                        );
                    }
                    if command_ok(command) {
                        out.wrapped(inner, "", &summary, |s| style.dim(s));
                    } else {
                        out.wrapped(inner, "", &summary, |s| style.red(s));
                        let tail: Vec<&str> = command
                            .output
                            .lines()
                            .filter(|l| !l.trim().is_empty())
                            .collect();
                        for line in &tail[tail.len().saturating_sub(OUTPUT_TAIL)..] {
                            out.wrapped(inner, "│ ", line, |s| style.dim(s));
                        }
                    }
                }
            }
        }
    }
    if view.failed_only && view.phases.is_empty() {
        out.blank();
        out.line("Nothing failed, was skipped or waived, occurred, or is pending.");
    }
    slowest(&mut out, &view);
    gates(&mut out, &view, options);
    rollback(&mut out, &view, options);
    signoffs(&mut out, record);
    legend(&mut out, &view);
    out.text
}

struct Out {
    text: String,
    style: Style,
}

impl Out {
    fn line(&mut self, line: &str) {
        self.text.push_str(line.trim_end());
        self.text.push('\n');
    }

    fn blank(&mut self) {
        self.text.push('\n');
    }

    /// `label` then `text`, wrapped at [`WIDTH`] with later lines under the
    /// text's start; `paint` colours the text, never the spaces.
    fn wrapped(&mut self, indent: usize, label: &str, text: &str, paint: impl Fn(&str) -> String) {
        let hang = indent + label.chars().count();
        let width = WIDTH.saturating_sub(hang).max(20);
        for (i, line) in wrap(text, width).iter().enumerate() {
            let lead = if i == 0 {
                format!("{}{}", " ".repeat(indent), self.style.dim(label))
            } else {
                " ".repeat(hang)
            };
            self.line(&format!("{lead}{}", paint(line)));
        }
    }

    fn heading(&mut self, title: &str) {
        self.blank();
        let title = self.style.bold(title);
        self.line(&title);
    }
}

/// The items that took longest (docs/REPORTS.md, "Time per item"), in
/// the whole report only: `--failed` is about what went wrong.
fn slowest(out: &mut Out, view: &View<'_>) {
    if view.failed_only {
        return;
    }
    let times = item_times(view.record);
    let slow = timing::slowest(&times, timing::SLOWEST);
    if slow.is_empty() {
        return;
    }
    out.heading("Slowest items");
    let took: Vec<String> = slow.iter().map(|t| human_duration(t.seconds)).collect();
    let width = took.iter().map(|t| t.chars().count()).max().unwrap_or(0);
    for (time, took) in slow.iter().zip(&took) {
        let label = format!("{took:>width$}  ");
        out.wrapped(2, &label, &view.text(time.item), str::to_string);
    }
}

fn header(out: &mut Out, view: &View<'_>) {
    let record = view.record;
    let style = out.style;
    out.wrapped(0, "", &record.checklist.title, |s| style.bold(s));
    out.wrapped(0, "", &record.checklist.origin.display(), |s| style.dim(s));
    out.blank();
    let word = banner(record.run.outcome);
    let rule = format!(
        "══ {word} {}",
        "═".repeat(WIDTH.saturating_sub(word.chars().count() + 4))
    );
    let rule = match record.run.outcome {
        Outcome::Success => style.green(&rule),
        Outcome::InProgress => style.cyan(&rule),
        Outcome::Incomplete => style.yellow(&rule),
        Outcome::RollingBack | Outcome::RolledBack | Outcome::Failed | Outcome::Aborted => {
            style.red(&rule)
        }
    };
    out.line(&rule);
    out.wrapped(0, "", &counts(record), |s| s.to_string());
    out.blank();
    let mut rows = super::facts(record, view);
    rows.push(("record".into(), digest_words(record).to_string()));
    let width = rows
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(8, 20);
    for (name, value) in rows {
        let name: String = name.chars().take(width).collect();
        let label = format!("{name:width$}  ");
        out.wrapped(2, &label, &value, |s| s.to_string());
    }
}

/// The record digest, in words: no allowed-signers file is read here, so
/// this is only whether the file was edited outside relcheck.
pub fn digest_words(record: &Record) -> &'static str {
    match check_digest(record) {
        DigestCheck::Matches(_) => "digest matches (not edited outside relcheck)",
        DigestCheck::Differs => "digest does not match: edited outside relcheck",
        DigestCheck::Missing => "no digest: edited outside relcheck",
    }
}

fn gates(out: &mut Out, view: &View<'_>, options: &Options) {
    let record = view.record;
    if record.gates.is_empty() {
        return;
    }
    let style = out.style;
    out.heading("Gates");
    for gate in &record.gates {
        let decision = match gate.decision {
            crate::record::GateDecision::Waive => style.yellow("waived"),
            crate::record::GateDecision::Rollback => style.red("rolled back"),
            crate::record::GateDecision::Abort => style.red("aborted"),
            crate::record::GateDecision::Stop => style.red("stopped"),
        };
        out.wrapped(
            2,
            "",
            &format!(
                "{}: {decision} by {} at {}",
                options.titles.phase(&gate.phase),
                gate.by,
                time_in_run(record, gate.at)
            ),
            |s| s.to_string(),
        );
        if let Some(reason) = &gate.reason {
            out.wrapped(4, "reason: ", reason, |s| s.to_string());
        }
        for id in &gate.items {
            let text = record
                .item(id)
                .map_or_else(|| id.clone(), |item| view.text(item));
            out.wrapped(4, "- ", &text, |s| s.to_string());
        }
    }
}

fn rollback(out: &mut Out, view: &View<'_>, options: &Options) {
    let record = view.record;
    let Some(rollback) = &record.rollback else {
        return;
    };
    let style = out.style;
    out.heading(&style.red("Rollback"));
    out.wrapped(
        2,
        "called:  ",
        &format!("{} by {}", time_in_run(record, rollback.at), rollback.by),
        |s| s.to_string(),
    );
    out.wrapped(
        2,
        "cause:   ",
        &rollback_cause(record, &options.titles),
        |s| s.to_string(),
    );
    if let Some(reason) = &rollback.reason {
        out.wrapped(2, "reason:  ", reason, |s| s.to_string());
    }
    for (at, call) in later_calls(record) {
        out.wrapped(
            2,
            "also:    ",
            &format!("{} {call}", time_in_run(record, at)),
            |s| s.to_string(),
        );
    }
}

/// `s` cut to `width` characters, with an ellipsis when cut.
fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

fn signoffs(out: &mut Out, record: &Record) {
    let (answered, expected) = signoff_counts(record);
    if record.signoffs.is_empty() && expected == 0 {
        return;
    }
    let style = out.style;
    out.heading(&format!("Sign-offs ({answered} of {expected})"));
    if record.signoffs.is_empty() {
        out.line("  none yet");
        return;
    }
    let same_day = record
        .signoffs
        .iter()
        .all(|s| s.at.date_naive() == record.run.started.date_naive());
    let time = |at: chrono::DateTime<chrono::Utc>| {
        if same_day {
            at.format("%H:%M:%S").to_string()
        } else {
            at.format("%m-%d %H:%M").to_string()
        }
    };
    let time_width = if same_day { 8 } else { 11 };
    // Role and name share what the other columns leave of the line.
    let widest = |f: fn(&crate::record::Signoff) -> &str| {
        record
            .signoffs
            .iter()
            .map(|s| f(s).chars().count())
            .max()
            .unwrap_or(0)
            .max(4)
    };
    let budget = WIDTH - (2 + 2 + 2 + 8 + 2 + 2 + "signature".len()) - time_width;
    let (mut role_width, mut name_width) = (widest(|s| &s.role), widest(|s| &s.name));
    if role_width + name_width > budget {
        let half = budget / 2;
        if role_width <= half {
            name_width = budget - role_width;
        } else if name_width <= half {
            role_width = budget - name_width;
        } else {
            role_width = half;
            name_width = budget - half;
        }
    }
    out.line(&style.dim(&format!(
        "  {:role_width$}  {:name_width$}  {:8}  {:time_width$}  signature",
        "role", "name", "decision", "time"
    )));
    for signoff in &record.signoffs {
        let decision = match signoff.decision {
            Decision::Approve => style.green(&format!("{:8}", "approve")),
            Decision::Reject => style.red(&format!("{:8}", "reject")),
        };
        let signed = if signoff.signature.is_some() {
            "signed"
        } else {
            "unsigned"
        };
        out.line(&format!(
            "  {:role_width$}  {:name_width$}  {decision}  {:time_width$}  {signed}",
            fit(&signoff.role, role_width),
            fit(&signoff.name, name_width),
            time(signoff.at),
        ));
        if let Some(comment) = &signoff.comment {
            out.wrapped(4, "comment: ", comment, |s| s.to_string());
        }
        if let Some(rule) = &signoff.forced {
            out.wrapped(4, "forced past the sign-off policy: ", rule, |s| {
                s.to_string()
            });
        }
    }
}

fn legend(out: &mut Out, view: &View<'_>) {
    let shown: Vec<String> = STATUS_ORDER
        .into_iter()
        .filter(|status| {
            view.phases
                .iter()
                .flat_map(|p| p.items())
                .any(|item| item.status == *status)
        })
        .map(|status| format!("{} {}", glyph(status), words(status)))
        .collect();
    if shown.is_empty() {
        return;
    }
    out.blank();
    let style = out.style;
    let mut line = String::new();
    for entry in shown {
        if !line.is_empty() && line.chars().count() + 3 + entry.chars().count() > WIDTH {
            out.line(&style.dim(&line));
            line.clear();
        }
        if !line.is_empty() {
            line.push_str("   ");
        }
        line.push_str(&entry);
    }
    out.line(&style.dim(&line));
}
