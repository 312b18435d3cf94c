//! The `l` screen: the whole checklist, a page at a time, with live counts.

use super::{hints, paint};
use crate::prompt::{Overview, Row};
use crate::report::glyph;
use crate::style::Style;
use crate::term::keys;
use crate::term::layout::{Frame, cut, flow};

/// Every row of the overview, and which row is the current item's.
pub fn overview_rows(view: &Overview, style: Style, width: usize) -> (Vec<String>, usize) {
    let digits = view
        .rows
        .iter()
        .filter(|row| matches!(row, Row::Item { .. }))
        .count()
        .to_string()
        .len();
    let mut lines = Vec::new();
    let mut current_row = 0;
    let mut in_section = false;
    for row in &view.rows {
        match row {
            Row::Phase(title) => {
                in_section = false;
                lines.push(style.bold(&cut(title, width)));
            }
            Row::Section(title) => {
                in_section = true;
                lines.push(cut(&format!("  {title}"), width));
            }
            Row::Item {
                number,
                status,
                text,
                optional,
                waived,
                current,
                ..
            } => {
                let mark = if *current { ">" } else { " " };
                let indent = if in_section { "  " } else { "" };
                let mut extra = String::new();
                if *optional && !text.to_lowercase().ends_with("(optional)") {
                    extra.push_str(" (optional)");
                }
                if *waived {
                    extra.push_str(" (waived)");
                }
                let line = cut(
                    &format!(
                        "{mark} {indent}{number:>digits$} {} {text}{extra}",
                        glyph(*status)
                    ),
                    width,
                );
                if *current {
                    current_row = lines.len();
                    lines.push(style.bold(&line));
                } else {
                    lines.push(paint(style, *status, &line));
                }
            }
        }
    }
    (lines, current_row)
}

fn overview_footer(style: Style, width: usize) -> Vec<String> {
    flow(&hints(style, &keys::OVERVIEW_LEGEND), 0, width)
}

/// How many rows of items the overview shows at once.
pub fn overview_page(style: Style, frame: Frame) -> usize {
    let footer = overview_footer(style, frame.columns()).len();
    frame.height.saturating_sub(1 + 3 + 1 + footer).max(1)
}

/// The overview from row `top`: title, live counts, the rows that fit,
/// where they are in the list, and the keys.
pub fn overview(view: &Overview, style: Style, frame: Frame, top: usize) -> Vec<String> {
    let width = frame.columns();
    let t = view.tally;
    let mut title = view.title.clone();
    if view.rollback_called {
        title.push_str("  ROLLBACK CALLED");
    }
    let mut lines = vec![
        style.bold(&cut(&title, width)),
        cut(
            &format!(
                "{} done · {} failed · {} skipped · {} waived · {} pending · {} n/a",
                t.done, t.failed, t.skipped, t.waived, t.pending, t.not_applicable
            ),
            width,
        ),
        String::new(),
    ];
    let (rows, _) = overview_rows(view, style, width);
    let page = overview_page(style, frame);
    let top = top.min(rows.len().saturating_sub(1));
    let end = (top + page).min(rows.len());
    lines.extend(rows[top..end].iter().cloned());
    lines.push(cut(
        &format!("rows {}–{end} of {}", top + 1, rows.len()),
        width,
    ));
    lines.extend(overview_footer(style, width));
    lines
}
