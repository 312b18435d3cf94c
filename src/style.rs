//! Colour policy in one place: `--color`, `NO_COLOR`, and whether the
//! stream is a terminal. Everything else asks a [`Style`] to paint.

use console::Style as Paint;

use crate::cli::ColorChoice;
use crate::diagnostic::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub const PLAIN: Style = Style { color: false };

    /// `terminal` is whether the stream written to is one.
    pub fn new(choice: ColorChoice, terminal: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        Style { color }
    }

    fn paint(&self, paint: Paint, text: &str) -> String {
        if self.color {
            paint.force_styling(true).apply_to(text).to_string()
        } else {
            text.to_string()
        }
    }

    pub fn bold(&self, text: &str) -> String {
        self.paint(Paint::new().bold(), text)
    }

    pub fn dim(&self, text: &str) -> String {
        self.paint(Paint::new().dim(), text)
    }

    pub fn red(&self, text: &str) -> String {
        self.paint(Paint::new().red().bold(), text)
    }

    pub fn green(&self, text: &str) -> String {
        self.paint(Paint::new().green(), text)
    }

    pub fn yellow(&self, text: &str) -> String {
        self.paint(Paint::new().yellow(), text)
    }

    pub fn cyan(&self, text: &str) -> String {
        self.paint(Paint::new().cyan(), text)
    }

    pub fn severity(&self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Error => self.red(text),
            Severity::Warning => self.paint(Paint::new().yellow().bold(), text),
        }
    }
}
