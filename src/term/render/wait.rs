//! A wait's lines: what it shows once, and the countdown redrawn in place
//! or said each minute.

use std::time::Duration;

use super::hints;
use crate::session::human_duration;
use crate::style::Style;
use crate::term::keys;
use crate::term::layout::{cut, flow, wrap};

/// The countdown line, redrawn in place: a bar, the time left, and the
/// wait's keys, made shorter until it fits `width` (a line that wraps
/// cannot be redrawn with a carriage return).
pub fn countdown(left: Duration, requested: Duration, style: Style, width: usize) -> String {
    let time = format!(
        "{} left of {}",
        human_duration(left.as_secs_f64()),
        human_duration(requested.as_secs_f64())
    );
    let short = format!("{} left", human_duration(left.as_secs_f64()));
    let full_keys = hints(style, &keys::WAIT_LEGEND).join("  ");
    let letters: Vec<String> = keys::WAIT_LEGEND
        .iter()
        .map(|(key, _)| style.key(key))
        .collect();
    let letters = letters.join(" ");
    let bar = |cells: usize| {
        let gone = requested.saturating_sub(left).as_secs_f64();
        let done = if requested.is_zero() {
            cells
        } else {
            ((gone / requested.as_secs_f64()) * cells as f64) as usize
        }
        .min(cells);
        style.cyan(&format!(
            "{}{} ",
            "█".repeat(done),
            "░".repeat(cells - done)
        ))
    };
    let tries = [
        format!("  {}{time}  {full_keys}", bar(20)),
        format!("  {}{time}  {full_keys}", bar(10)),
        format!("  {time}  {full_keys}"),
        format!("  {short}  {full_keys}"),
        format!("  {short}  {letters}"),
    ];
    for line in &tries {
        if console::measure_text_width(line) <= width {
            return line.clone();
        }
    }
    cut(&tries[tries.len() - 1], width)
}

/// What a wait shows once, above its countdown.
pub fn wait_header(
    requested: Duration,
    no_rollback_steps: bool,
    style: Style,
    width: usize,
) -> Vec<String> {
    let mut lines = wrap(
        &format!(
            "» waiting {}; the wait is kept if you quit",
            human_duration(requested.as_secs_f64())
        ),
        2,
        width,
    )
    .iter()
    .map(|l| style.bold(l))
    .collect::<Vec<_>>();
    lines.extend(flow(&hints(style, &keys::WAIT_LEGEND), 2, width));
    if no_rollback_steps {
        lines.extend(wrap(NO_ROLLBACK_STEPS, 2, width));
    }
    lines
}

/// Said before "Why roll back?" when nothing would be walked after it.
pub const NO_ROLLBACK_STEPS: &str =
    "This checklist has no rollback steps: calling a rollback ends the run.";

/// A plain countdown line for a terminal that cannot redraw one.
pub fn countdown_plain(left: Duration) -> String {
    format!("  {} left", human_duration(left.as_secs_f64()))
}
