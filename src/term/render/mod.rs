//! Every screen of an interactive run as lines of text, from the view the
//! engine gives, a [`Style`] and the terminal's size. No I/O: `mod.rs`
//! writes what these return, and the tests read it.
//!
//! Nothing here rests on colour or dim text to carry meaning: key letters
//! are bold, messages start with `»`, statuses have a glyph and a word,
//! commands a `$ `, so a white background, `NO_COLOR` and a dumb terminal
//! all read the same.

use std::time::Duration;

use crate::exec;
use crate::model::Kind;
use crate::printable::printable;
use crate::prompt::{GateView, ItemView, SetAsideView, StartView, Summary, Tally, ValueRequest};
use crate::record::{Outcome, Status};
use crate::report::{glyph, words};
use crate::session::human_duration;
use crate::style::Style;

mod overview;
mod wait;

pub use overview::{overview, overview_page, overview_rows};
pub use wait::{NO_ROLLBACK_STEPS, countdown, countdown_plain, wait_header};

use super::keys::{self, Offer};
use super::layout::{Block, Frame, chop, cut, flow, wrap};

/// A glyph, or a status word, coloured by what it means; the shape or the
/// word carries it without colour.
fn paint(style: Style, status: Status, text: &str) -> String {
    match status {
        Status::Done | Status::NotOccurred => style.green(text),
        Status::Failed | Status::Occurred => style.red(text),
        _ => text.to_string(),
    }
}

/// Key hints: the keys bold, what they do plain.
pub fn hints(style: Style, entries: &[(&str, &str)]) -> Vec<String> {
    entries
        .iter()
        .map(|(key, word)| match *key {
            // "Enter done" reads as two keys.
            "Enter" => format!("{}: {word}", style.key(key)),
            _ => format!("{} {word}", style.key(key)),
        })
        .collect()
}

/// What the keys of an item's screen are, from its view.
pub fn offer(view: &ItemView) -> Offer {
    Offer {
        kind: view.kind,
        command: view.command.is_some(),
        wait: view.wait_seconds.is_some(),
        rollback_called: view.rollback_called,
        suggested: view.suggested,
        measured: view.measure.is_some(),
    }
}

pub fn start(view: &StartView, style: Style, record: &str, frame: Frame) -> Vec<String> {
    let width = frame.columns();
    let mut lines = vec![style.bold(&cut(&view.title, width))];
    if let Some(description) = &view.description {
        lines.extend(wrap(description, 0, width));
    }
    let c = view.counts;
    lines.extend(wrap(
        &format!(
            "{} phases, {} items: {} checks, {} triggers, {} fields, {} sign-offs ({} optional)",
            c.phases, c.items, c.check, c.trigger, c.field, c.signoff, c.optional
        ),
        0,
        width,
    ));
    lines.push(cut(&format!("record: {record}"), width));
    if view.answered > 0 {
        lines.push(format!(
            "Resuming: {} items already answered.",
            view.answered
        ));
    }
    for (name, value) in &view.values {
        if view.variables.contains(name) {
            lines.push(cut(&format!("  {{{{{name}}}}} = {value}"), width));
        }
    }
    lines.push(String::new());
    lines
}

/// The progress line's words: answered, and failed, skipped and waived
/// only when there are some.
pub fn tally_words(settled: usize, tally: &Tally) -> String {
    let mut parts = vec![format!("{settled} answered")];
    for (n, word) in [
        (tally.failed, "failed"),
        (tally.skipped, "skipped"),
        (tally.waived, "waived"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    parts.join(" · ")
}

fn kind_label(style: Style, kind: Kind) -> (&'static str, String) {
    let label = match kind {
        Kind::Check => "CHECK",
        Kind::Trigger => "TRIGGER",
        Kind::Field => "FIELD",
        Kind::Signoff => "SIGN-OFF",
    };
    let painted = match kind {
        Kind::Trigger => style.red(label),
        _ => style.bold(label),
    };
    (label, painted)
}

/// How a command ended, in the words the record keeps.
fn last_run(run: &crate::record::CommandRun) -> String {
    if run.running {
        return "last run: its end not recorded (relcheck stopped while it ran)".to_string();
    }
    let status = match (run.interrupted, run.timed_out, run.exit_code) {
        (true, _, _) => "interrupted".to_string(),
        // The time asked; the time taken adds the grace to stop it.
        (false, true, _) => match run.timeout_seconds {
            Some(seconds) => {
                return format!(
                    "last run: {} ({:.1} s in all)",
                    exec::timed_out_after(seconds),
                    run.duration_seconds
                );
            }
            None => "timed out".to_string(),
        },
        (false, false, Some(code)) => format!("exit {code}"),
        (false, false, None) => "killed".to_string(),
    };
    format!("last run: {status} in {:.1} s", run.duration_seconds)
}

/// An item's screen, fitted to the frame: when it is short, the least
/// useful lines go first (the record's path, the section's lead, the
/// phase), and a command's output gets only the rows left under the item's
/// text. `legend` is false while a wait runs, whose keys differ.
pub fn item(
    view: &ItemView,
    style: Style,
    record: &str,
    frame: Frame,
    legend: bool,
    below: usize,
) -> Vec<String> {
    let width = frame.columns();
    let mut blocks = vec![Block::line(1, cut(&format!("record: {record}"), width))];
    if let Some(previous) = &view.previous {
        let line = cut(
            &format!(
                "{} {}: {}",
                glyph(previous.status),
                words(previous.status),
                previous.text
            ),
            width,
        );
        blocks.push(Block::line(3, paint(style, previous.status, &line)));
    }
    let place = match &view.section {
        Some(section) => format!("{} › {}", view.phase, section),
        None => view.phase.clone(),
    };
    blocks.push(Block::line(
        2,
        cut(
            &format!(
                "Phase {}/{} · {}",
                view.phase_index + 1,
                view.phases,
                style.bold(&place)
            ),
            width,
        ),
    ));
    blocks.push(Block::new(6, progress(view, style, width)));
    if let Some(lead) = &view.section_lead {
        let mut lead = wrap(lead, 0, width);
        lead.truncate(3);
        blocks.push(Block::new(1, lead));
    }
    blocks.push(Block::line(1, String::new()));
    blocks.push(Block::new(9, text(view, style, width)));
    if !view.notes.is_empty() {
        let notes = view
            .notes
            .iter()
            .flat_map(|note| wrap(&printable(&format!("• {note}")), 4, width))
            .map(|line| style.dim(&line))
            .collect();
        blocks.push(Block::new(4, notes));
    }
    let mut about = Vec::new();
    if view.kind == Kind::Trigger {
        let hint = if view.rollback_called {
            "Did this happen? Yes is recorded beside the rollback already called."
        } else {
            "Did this happen? Yes calls a rollback."
        };
        about.extend(wrap(hint, 2, width));
    }
    if let Some(bound) = &view.measure {
        let hint = match &view.result.rare.measure {
            Some(measured) => format!("Measured: {}; v types a new value.", measured.summary()),
            None => format!(
                "Measured: press v and type the measured value ({bound}); relcheck settles it."
            ),
        };
        about.extend(wrap(&printable(&hint), 2, width));
    }
    if let Some(role) = &view.role {
        about.extend(wrap(&format!("role: {role}"), 2, width));
    }
    if !about.is_empty() {
        blocks.push(Block::new(4, about));
    }
    if let Some(command) = &view.command {
        // A section's command is shared: said so, or `r` on the third
        // item of a section would seem to run something of its own.
        let mut lines = if view.section_command {
            vec![cut(
                "  the section's command (r runs it from any of its items):",
                width,
            )]
        } else {
            Vec::new()
        };
        lines.extend(
            command
                .lines()
                .flat_map(|line| chop(&format!("$ {line}"), 2, width)),
        );
        blocks.push(Block::new(5, lines));
    }
    if let Some(expected) = &view.expected_output {
        blocks.push(Block::new(
            4,
            wrap(&format!("expected: {expected}"), 2, width),
        ));
    }
    if let Some(seconds) = view.wait_seconds {
        blocks.push(Block::line(
            4,
            format!("  asks to wait {}", human_duration(seconds as f64)),
        ));
    }
    if view.correcting {
        let line = format!(
            "answered already: {}; a new answer is recorded as a correction",
            words(view.result.status)
        );
        let lines = wrap(&line, 2, width)
            .iter()
            .map(|l| style.bold(l))
            .collect();
        blocks.push(Block::new(7, lines));
    }
    if let Some(note) = &view.result.rare.note {
        blocks.push(Block::new(4, wrap(&format!("note: {note}"), 2, width)));
    }
    // Where a command's output goes: it takes the rows left at the end.
    let mut output_at = None;
    if let Some(run) = &view.result.rare.command {
        let line = format!("  {}", last_run(run));
        let painted = if run.exit_code == Some(0) && !run.timed_out && !run.interrupted {
            style.green(&line)
        } else {
            style.red(&line)
        };
        blocks.push(Block::line(5, painted));
        output_at = Some(blocks.len());
    }
    blocks.push(Block::line(1, String::new()));
    if let Some(message) = &view.message {
        let lines = wrap(&format!("» {message}"), 2, width)
            .iter()
            .map(|l| style.bold(l))
            .collect();
        blocks.push(Block::new(8, lines));
    }
    if legend {
        let full = item_legend(view, style, width, false);
        blocks.push(Block::new(7, full));
    }
    let budget = frame.height.saturating_sub(1 + below);
    let rows = |blocks: &[Block]| blocks.iter().map(|b| b.lines.len()).sum::<usize>();
    if legend
        && rows(&blocks) > budget
        && let Some(last) = blocks.last_mut()
    {
        last.lines = item_legend(view, style, width, true);
    }
    // The output takes only the rows nothing else wants.
    if let Some(at) = output_at {
        blocks.insert(at, Block::new(0, Vec::new()));
    }
    let (mut kept, left) = super::layout::fit(blocks, budget);
    if let (Some(at), Some(run)) = (output_at, &view.result.rare.command) {
        kept[at] = output_tail(&run.output, run.truncated_bytes, width, left);
    }
    kept.into_iter().flatten().collect()
}

/// The last rows of a command's output that fit in `rows`, saying how
/// many came before them, and how much the record did not keep (only its
/// last 64 KiB: `dropped` bytes before them).
pub fn output_tail(output: &str, dropped: u64, width: usize, rows: usize) -> Vec<String> {
    let all = chop(output, 4, width);
    if all.len() <= rows {
        return all.into_iter().map(|l| format!("  │{}", &l[3..])).collect();
    }
    if rows < 2 {
        return Vec::new();
    }
    let shown = rows - 1;
    let kept = match dropped {
        0 => "the record keeps them".to_string(),
        bytes => format!(
            "the record keeps them; {} bytes before them were not kept",
            crate::source::thousands(usize::try_from(bytes).unwrap_or(usize::MAX))
        ),
    };
    let mut lines = vec![cut(
        &format!("  │ … {} earlier rows ({kept})", all.len() - shown),
        width,
    )];
    lines.extend(
        all[all.len() - shown..]
            .iter()
            .map(|l| format!("  │{}", &l[3..])),
    );
    lines
}

fn progress(view: &ItemView, style: Style, width: usize) -> Vec<String> {
    let bar_width = match width {
        60.. => 24,
        40.. => 12,
        _ => 0,
    };
    let mut entries = vec![format!("Item {}/{}", view.index + 1, view.total)];
    if bar_width > 0 {
        let filled = (view.settled * bar_width)
            .checked_div(view.total)
            .unwrap_or(0)
            .min(bar_width);
        entries.push(style.cyan(&format!(
            "{}{}",
            "█".repeat(filled),
            "░".repeat(bar_width - filled)
        )));
    }
    entries.push(tally_words(view.settled, &view.tally));
    if view.rollback_called {
        entries.push(style.red("ROLLBACK CALLED"));
    }
    flow(&entries, 0, width)
        .into_iter()
        .map(|line| cut(&line, width))
        .collect()
}

/// The kind and the item's words, bold, wrapped under one indent.
fn text(view: &ItemView, style: Style, width: usize) -> Vec<String> {
    let (label, painted) = kind_label(style, view.kind);
    let optional = view.optional && !view.text.to_lowercase().ends_with("(optional)");
    let head = if optional {
        format!("{label} (optional)")
    } else {
        label.to_string()
    };
    // The label is one word to the wrapper, two spaces from the text.
    const GLUE: char = '\u{e000}';
    let glued = format!("{}{GLUE}", head.replace(' ', &GLUE.to_string()));
    let lines = wrap(&format!("{glued} {}", view.text), 2, width);
    lines
        .into_iter()
        .map(|line| line.replace(GLUE, " "))
        .enumerate()
        .map(|(i, line)| {
            let body = &line[2..];
            match body.strip_prefix(label) {
                Some(rest) if i == 0 => format!("  {painted}{}", style.bold(rest)),
                _ => format!("  {}", style.bold(body)),
            }
        })
        .collect()
}

/// The item's keys, or when the screen is short only the two answers,
/// help and what Enter takes.
fn item_legend(view: &ItemView, style: Style, width: usize, compact: bool) -> Vec<String> {
    let all = keys::legend(&offer(view));
    let entries: Vec<(&str, &str)> = all
        .iter()
        .enumerate()
        .filter(|(i, (key, _))| !compact || *i < 2 || matches!(*key, "?" | "Enter"))
        .map(|(_, (key, word))| (*key, word.as_str()))
        .collect();
    flow(&hints(style, &entries), 2, width)
}

/// What a field's screen shows under the item: how to answer, the
/// choices, and the prompt for the value (which the line editor writes).
/// Short of room, only the commonest ways out are listed.
pub fn field(request: &ValueRequest, style: Style, width: usize) -> (Vec<String>, String) {
    let all: &[(&str, &str)] = &[
        ("Enter", "value or default"),
        (":b", "back"),
        (":s", "skip"),
        (":l", "list"),
        (":g", "go to"),
        (":/", "find"),
        (":q", "quit"),
    ];
    let mut lines = flow(&hints(style, all), 2, width);
    if lines.len() > 1 {
        let short = [("Enter", "default"), (":b", "back"), (":q", "quit")];
        lines = flow(&hints(style, &short), 2, width);
    }
    if !request.choices.is_empty() {
        let numbered: Vec<String> = request
            .choices
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{}) {c}", i + 1))
            .collect();
        lines.extend(flow(&numbered, 2, width));
    }
    let prompt = match &request.default {
        Some(default) => format!("  {} [{default}]:", request.label),
        None => format!("  {}:", request.label),
    };
    (lines, prompt)
}

pub fn gate(view: &GateView, style: Style, frame: Frame) -> Vec<String> {
    let width = frame.columns();
    let mut lines = vec![
        style.bold(&cut(&format!("Go / no-go: {}", view.phase), width)),
        "These required items did not pass:".to_string(),
    ];
    for item in &view.items {
        let why = item
            .rare
            .reason
            .as_deref()
            .or(item.rare.note.as_deref())
            .map(|why| format!(" — {why}"))
            .unwrap_or_default();
        let line = cut(
            &format!(
                "  {} {} {}{why}",
                glyph(item.status),
                words(item.status),
                item.text
            ),
            width,
        );
        lines.push(paint(style, item.status, &line));
    }
    if let Some(message) = &view.message {
        lines.extend(
            wrap(&format!("» {message}"), 2, width)
                .iter()
                .map(|l| style.bold(l)),
        );
    }
    lines.push(String::new());
    lines.extend(flow(&hints(style, &keys::GATE_LEGEND), 2, width));
    lines
}

pub fn rollback_needed(phase: &str, style: Style, frame: Frame) -> Vec<String> {
    let width = frame.columns();
    let mut lines = vec![
        style.bold(&cut(phase, width)),
        "Is a rollback needed?".to_string(),
    ];
    lines.extend(flow(&hints(style, &keys::ROLLBACK_NEEDED_LEGEND), 2, width));
    lines
}

/// Once the way back is walked: a phase of the release with steps open,
/// listed as far as the screen holds them. The phase's name and the keys
/// always show: the list gives way first.
pub fn set_aside(view: &SetAsideView, style: Style, frame: Frame) -> Vec<String> {
    let width = frame.columns();
    let way_back = match view.outcome {
        Outcome::RolledBack => "The way back is walked: rolled back.",
        _ => "The way back is walked, and a step of it failed or was skipped.",
    };
    let count = view.open.len();
    let mut head = vec![style.bold(&cut(&printable(&view.phase), width))];
    head.extend(wrap(way_back, 0, width));
    head.extend(wrap(
        &format!(
            "{count} {} of this phase still open:",
            if count == 1 { "step" } else { "steps" }
        ),
        0,
        width,
    ));
    let mut tail = Vec::new();
    if view.one_by_one > 0 {
        tail.extend(wrap(
            &format!(
                "Its {} {} asked one by one either way.",
                view.one_by_one,
                if view.one_by_one == 1 {
                    "field or required sign-off is"
                } else {
                    "fields and required sign-offs are"
                }
            ),
            0,
            width,
        ));
    }
    if let Some(message) = &view.message {
        tail.extend(
            wrap(&format!("» {message}"), 2, width)
                .iter()
                .map(|l| style.bold(l)),
        );
    }
    tail.push(String::new());
    tail.extend(flow(&hints(style, &keys::SET_ASIDE_LEGEND), 2, width));
    // What is left, less the cursor's row under it all, lists the steps.
    let room = frame.height.saturating_sub(head.len() + tail.len() + 1);
    let shown = if count <= room {
        count
    } else {
        room.saturating_sub(1)
    };
    let mut lines = head;
    if shown == 0
        && let Some(last) = lines.last_mut()
    {
        // No list follows the count.
        last.pop();
        last.push('.');
    }
    for name in &view.open[..shown] {
        lines.push(cut(&format!("  · {}", printable(name)), width));
    }
    if shown > 0 && shown < count {
        lines.push(format!("  … and {} more", count - shown));
    }
    lines.extend(tail);
    lines
}

pub fn command_started(timeout: Duration, style: Style) -> String {
    format!(
        "  running (timeout {}; {} stops the command)",
        human_duration(timeout.as_secs_f64()),
        style.key("Ctrl-C")
    )
}

pub fn command_finished(outcome: &exec::Outcome, style: Style) -> String {
    let took = outcome.duration.as_secs_f64();
    let line = if outcome.timed_out {
        // The time asked, then how it was stopped: stopping takes longer.
        format!("  {} ({took:.1} s in all)", outcome.detail())
    } else {
        format!("  {} in {took:.1} s", outcome.summary())
    };
    if outcome.succeeded() {
        style.green(&line)
    } else {
        style.red(&line)
    }
}

pub fn finish(summary: &Summary, style: Style, width: usize) -> Vec<String> {
    let outcome = summary.outcome.as_str().to_uppercase();
    let banner = match summary.outcome {
        Outcome::Success => style.green(&outcome),
        _ => style.red(&outcome),
    };
    let mut lines = vec![String::new(), format!("Run finished: {banner}")];
    for note in &summary.notes {
        // A note may carry what an operator typed (a rollback's reason).
        lines.extend(
            wrap(&printable(&format!("» {note}")), 2, width)
                .iter()
                .map(|l| style.bold(l)),
        );
    }
    let counts: Vec<String> = summary
        .counts
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    lines.extend(wrap(&counts.join(", "), 2, width));
    if let Some(seconds) = summary.duration_seconds {
        lines.push(format!("  took {}", human_duration(seconds)));
    }
    for item in &summary.failed {
        let line = format!(
            "  {} {} {}",
            glyph(item.status),
            words(item.status),
            item.text
        );
        lines.push(paint(style, item.status, &line));
    }
    for gate in &summary.gates {
        lines.push(format!(
            "  gate {}: {} {}",
            gate.phase,
            gate.decision.as_str(),
            gate.reason.as_deref().unwrap_or("")
        ));
    }
    for signoff in &summary.signoffs {
        lines.push(format!(
            "  signed: {} {} ({})",
            signoff.role,
            signoff.name,
            signoff.decision.as_str()
        ));
    }
    lines
}

#[cfg(test)]
mod tests;
