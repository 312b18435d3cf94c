//! `lint`'s word on the lines where reading put `�` for a character no
//! terminal may see (source.rs): such a line no longer reads as written.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Source;

/// A warning for each line where reading put `�` for a character no
/// terminal may see (source.rs): the line no longer reads as written
/// (`\x1b[31m# Deploy` is no heading), and nothing else says why.
pub(super) fn warnings(source: &Source) -> Vec<Diagnostic> {
    let replaced = &source.replaced;
    let mut out: Vec<Diagnostic> = replaced
        .first
        .iter()
        .map(|first| {
            let what = if first.was.is_control() {
                "a control character"
            } else {
                "a text direction control"
            };
            let more = match first.more {
                0 => String::new(),
                more => format!(" (and {more} more on this line)"),
            };
            // Where a line's structure would start, it is lost.
            let starts = source
                .line_text(first.line)
                .chars()
                .take(first.col - 1)
                .all(|c| c.is_whitespace() || c == '>');
            let lost = if starts {
                "; a heading or list marker after it is not read as one"
            } else {
                ""
            };
            Diagnostic {
                severity: Severity::Warning,
                line: first.line,
                col: first.col,
                message: format!(
                    "{what} (`U+{:04X}`) is shown as �{more}{lost}",
                    u32::from(first.was)
                ),
            }
        })
        .collect();
    // Only the first lines are kept (a file of nothing but escapes):
    // the rest are counted.
    let rest = replaced.lines - replaced.first.len();
    if let Some(last) = replaced.first.last().filter(|_| rest > 0) {
        out.push(Diagnostic::on_line(
            source,
            last.line,
            Severity::Warning,
            format!(
                "{} more lines after this one hold characters shown as �",
                crate::source::thousands(rest)
            ),
        ));
    }
    out
}
