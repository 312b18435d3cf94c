//! One diagnostic type for the parser and `lint`, rendered as
//! `path:line:col: warning: message`, the source line and a caret.

use std::fmt::Write;

use serde::Serialize;

use crate::source::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        let mut out = format!(
            "{}:{}:{}: {}: {}\n",
            source.display,
            self.line,
            self.col,
            paint(self.severity, severity),
            self.message
        );
        let text = source.line_text(self.line);
        if !text.trim().is_empty() {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            let shown: String = text
                .chars()
                .map(|c| if c == '\t' { ' ' } else { c })
                .collect();
            let _ = writeln!(out, "{number} | {shown}");
            let _ = writeln!(out, "{pad} | {}^", " ".repeat(self.col.saturating_sub(1)));
        }
        out
    }
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
