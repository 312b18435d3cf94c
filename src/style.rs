//! Colour and terminal policy in one place: `--color`, `NO_COLOR`, whether
//! the stream is a terminal, and whether that terminal takes escapes at all
//! (`TERM=dumb`, or no `TERM`). Everything else asks a [`Style`] to paint and
//! a [`Screen`] whether it may redraw.

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

    /// A key letter in a hint. Bold, not dim: hints must read on a white
    /// background as well as a dark one.
    pub fn key(&self, text: &str) -> String {
        self.bold(text)
    }

    /// Something the operator must notice (why an answer was refused, what
    /// just happened): a marker and bold, so it does not rest on colour.
    pub fn message(&self, text: &str) -> String {
        self.bold(&format!("» {text}"))
    }

    pub fn severity(&self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Error => self.red(text),
            Severity::Warning => self.paint(Paint::new().yellow().bold(), text),
        }
    }
}

/// What the terminal a run is shown on can do beyond plain text, decided
/// once from the environment and handed to the terminal prompter, so tests
/// choose it instead of inheriting the test runner's `TERM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    pub style: Style,
    /// Clear-screen, erase-line and carriage-return redraws. Without them a
    /// screen is a block of lines after a rule, and nothing is redrawn.
    pub escapes: bool,
}

impl Screen {
    /// Plain lines only: what a dumb terminal, a log or a screen reader gets.
    pub const PLAIN: Screen = Screen {
        style: Style::PLAIN,
        escapes: false,
    };

    /// `style` as `--color` and `NO_COLOR` decided it, narrowed by `TERM`.
    pub fn detect(style: Style) -> Screen {
        Screen::for_term(style, std::env::var("TERM").ok().as_deref())
    }

    /// A terminal that calls itself `dumb`, or names nothing, gets neither
    /// colour nor cursor movement: it would print them as garbage.
    pub fn for_term(style: Style, term: Option<&str>) -> Screen {
        let capable = term.is_some_and(|t| !t.trim().is_empty() && t != "dumb");
        if capable {
            Screen {
                style,
                escapes: true,
            }
        } else {
            Screen::PLAIN
        }
    }

    /// What starts a new screen: a cleared terminal, or a blank line and a
    /// rule where nothing can be cleared.
    pub fn clear(&self, width: usize) -> String {
        if self.escapes {
            "\x1b[H\x1b[2J".to_string()
        } else {
            format!("\n{}\n", "-".repeat(width.clamp(1, 72)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dumb_or_unnamed_terminal_gets_no_colour_and_no_escapes() {
        let color = Style { color: true };
        for term in [None, Some(""), Some("dumb")] {
            assert_eq!(Screen::for_term(color, term), Screen::PLAIN, "{term:?}");
        }
        assert_eq!(
            Screen::for_term(color, Some("xterm-256color")),
            Screen {
                style: color,
                escapes: true
            }
        );
        assert_eq!(Screen::PLAIN.clear(10), "\n----------\n");
        assert_eq!(
            Screen::for_term(color, Some("xterm")).clear(10),
            "\x1b[H\x1b[2J"
        );
    }

    #[test]
    fn messages_and_keys_do_not_rest_on_colour() {
        assert_eq!(
            Style::PLAIN.message("a value is required"),
            "» a value is required"
        );
        assert_eq!(Style::PLAIN.key("y"), "y");
        assert_eq!(Style { color: true }.key("y"), "\x1b[1my\x1b[0m");
    }
}
