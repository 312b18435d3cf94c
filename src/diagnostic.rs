//! One diagnostic type for the parser and `lint`, rendered as
//! `path:line:col: warning: message`, the source line and a caret.

use std::collections::HashMap;
use std::fmt::Write;

use serde::Serialize;

use crate::source::{Source, thousands};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// 1-based, in the file as the user sees it.
    pub line: usize,
    /// 1-based, in characters.
    pub col: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn at(
        source: &Source,
        offset: usize,
        severity: Severity,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            line: source.lines.line(offset),
            col: source.lines.col(&source.text, offset),
            message: message.into(),
        }
    }

    pub fn warning(source: &Source, offset: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(source, offset, Severity::Warning, message)
    }

    pub fn error(source: &Source, offset: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(source, offset, Severity::Error, message)
    }

    /// At the first non-blank character of a line.
    pub fn on_line(
        source: &Source,
        line: usize,
        severity: Severity,
        message: impl Into<String>,
    ) -> Diagnostic {
        let text = source.line_text(line);
        let indent = text.len() - text.trim_start().len();
        Diagnostic::at(source, source.lines.start(line) + indent, severity, message)
    }

    /// `path:line:col: severity: message`, then the line and a caret under
    /// the column. `paint` colours the severity word.
    pub fn render(&self, source: &Source, paint: impl Fn(Severity, &str) -> String) -> String {
        render_all(std::slice::from_ref(self), source, paint)
    }

    /// `path:line:col: severity: message`, the message shortened.
    fn heading(&self, source: &Source, paint: &impl Fn(Severity, &str) -> String) -> String {
        format!(
            "{}:{}:{}: {}: {}\n",
            source.display,
            self.line,
            self.col,
            paint(self.severity, self.severity.word()),
            shorten(&self.message)
        )
    }
}

impl Severity {
    pub fn word(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Diagnostics of one kind (the same message but for what it quotes and
/// its numbers) printed for a file; the rest are counted.
pub const SAME_SHOWN: usize = 10;
/// Diagnostics printed for a file, of all kinds.
pub const SHOWN: usize = 100;
/// Lines that count what was not printed, one per kind.
const SUMMARIES_SHOWN: usize = 10;
/// Characters of a source line shown under a diagnostic.
pub const LINE_SHOWN: usize = 160;
/// Characters of a quoted part of a message (an item's text, a key).
const QUOTE_SHOWN: usize = 80;

/// Diagnostics, in line order, as `lint` prints them: each heading, then
/// the source line once for all those on it, with a caret under each
/// column. Output is bounded whatever the file holds: at most
/// [`SAME_SHOWN`] of a kind and [`SHOWN`] in all are printed, each kind
/// left out is counted on a line of its own, and long lines and quotes
/// are cut. A file of 40,000 unknown annotations on one 400 KB line would
/// otherwise print that line 40,000 times.
pub fn render_all(
    diagnostics: &[Diagnostic],
    source: &Source,
    paint: impl Fn(Severity, &str) -> String,
) -> String {
    let mut out = String::new();
    let mut per_kind: HashMap<(Severity, String), usize> = HashMap::new();
    // Kinds left out, in order of their first one: how many, and it.
    let mut left_out: Vec<(usize, &Diagnostic)> = Vec::new();
    let mut left_index: HashMap<(Severity, String), usize> = HashMap::new();
    let mut shown: Vec<&Diagnostic> = Vec::new();
    for diagnostic in diagnostics {
        let kind = (diagnostic.severity, kind(&diagnostic.message));
        let count = per_kind.entry(kind.clone()).or_default();
        *count += 1;
        if *count <= SAME_SHOWN && shown.len() < SHOWN {
            shown.push(diagnostic);
            continue;
        }
        match left_index.get(&kind) {
            Some(&i) => left_out[i].0 += 1,
            None => {
                left_index.insert(kind, left_out.len());
                left_out.push((1, diagnostic));
            }
        }
    }
    for group in shown.chunk_by(|a, b| a.line == b.line) {
        for diagnostic in group {
            out.push_str(&diagnostic.heading(source, &paint));
        }
        let mut cols: Vec<usize> = group.iter().map(|d| d.col).collect();
        cols.dedup();
        show_line(&mut out, source, group[0].line, &cols);
    }
    for (count, first) in left_out.iter().take(SUMMARIES_SHOWN) {
        let _ = writeln!(
            out,
            "{}: ... and {} more of the same kind, from line {}: {}: {}",
            source.display,
            thousands(*count),
            thousands(first.line),
            paint(first.severity, first.severity.word()),
            shorten(&first.message)
        );
    }
    if left_out.len() > SUMMARIES_SHOWN {
        let rest = &left_out[SUMMARIES_SHOWN..];
        let _ = writeln!(
            out,
            "{}: ... and {} more of {} other kinds",
            source.display,
            thousands(rest.iter().map(|(count, _)| count).sum()),
            thousands(rest.len())
        );
    }
    out
}

/// The source line, numbered, and a caret under each of `cols` (1-based,
/// ascending). A line longer than [`LINE_SHOWN`] is cut to a window that
/// starts shortly before the first caret.
fn show_line(out: &mut String, source: &Source, line: usize, cols: &[usize]) {
    let text = source.line_text(line);
    if text.trim().is_empty() {
        return;
    }
    let chars: Vec<char> = text
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let first = cols.first().copied().unwrap_or(1).saturating_sub(1);
    let (from, to) = if chars.len() <= LINE_SHOWN {
        (0, chars.len())
    } else {
        let from = first
            .saturating_sub(LINE_SHOWN / 4)
            .min(chars.len() - LINE_SHOWN);
        (from, from + LINE_SHOWN)
    };
    let before = if from > 0 { "…" } else { "" };
    let after = if to < chars.len() { "…" } else { "" };
    let shown: String = chars[from..to].iter().collect();
    let number = line.to_string();
    let pad = " ".repeat(number.len());
    let _ = writeln!(out, "{number} | {before}{shown}{after}");
    // Columns are counted from the start of the line; the window may
    // start later, after a `…`.
    let mut carets = String::new();
    let mut width = 0;
    for &col in cols {
        let col = col.saturating_sub(1);
        if col < from || (col >= to && !after.is_empty()) {
            continue;
        }
        let at = before.chars().count() + col - from;
        if at >= width {
            carets.push_str(&" ".repeat(at - width));
            carets.push('^');
            width = at + 1;
        }
    }
    let _ = writeln!(out, "{pad} | {}", carets.trim_end());
}

/// What makes diagnostics the same kind: the message without what it
/// quotes (`...`, "...") or its numbers, so 40,000 unknown keys, each
/// named, are one kind.
fn kind(message: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut digits = false;
    for c in message.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                out.push(c);
            }
            Some(_) => {}
            None if c == '`' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c.is_ascii_digit() => {
                if !digits {
                    out.push('0');
                }
            }
            None => out.push(c),
        }
        digits = c.is_ascii_digit();
    }
    out
}

/// `message` with each quoted part cut to [`QUOTE_SHOWN`] characters: an
/// item's text may be a 10 MB line.
fn shorten(message: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut quoted = 0usize;
    for c in message.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                if quoted > QUOTE_SHOWN {
                    out.push('…');
                }
                out.push(c);
            }
            Some(_) => {
                quoted += 1;
                if quoted <= QUOTE_SHOWN {
                    out.push(c);
                }
            }
            None => {
                if c == '`' || c == '"' {
                    quote = Some(c);
                    quoted = 0;
                }
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_path_line_col_source_and_caret() {
        let source = Source::from_text("deploy.md", "# T\n\n- [ ] a\n  - [ ] b\n");
        let diagnostic = Diagnostic::on_line(&source, 4, Severity::Warning, "something");
        assert_eq!(
            diagnostic.render(&source, |_, word| word.to_string()),
            "deploy.md:4:3: warning: something\n4 |   - [ ] b\n  |   ^\n"
        );
    }
}
