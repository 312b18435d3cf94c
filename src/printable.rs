//! Text from others made safe to print on a terminal. Notes, values and
//! reasons from an answers file, a command's output, and records written
//! by someone else may hold escape sequences that clear a screen, set a
//! window title or hide a line; none of that may reach a terminal raw.
//!
//! Escape sequences (CSI `ESC [ ... final`, OSC `ESC ] ... BEL|ST`, and
//! two-byte `ESC x`) are dropped whole; any other control character but a
//! newline or a tab becomes `�`. A carriage return that ends a line (CRLF)
//! goes; elsewhere it becomes `�` too, since it can overwrite what came
//! before it on the line.

use std::borrow::Cow;

const REPLACEMENT: char = '\u{fffd}';

pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => skip_escape(&mut chars),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\t' => out.push(c),
            c if unsafe_char(c) => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Text from others for one line, a name or a key: as [`printable`], with
/// a newline, a line separator or a tab shown as `\n` or `\t`. A name
/// that starts a line of its own can pass for another line of the output,
/// and a CI log reads a line starting `::error::` as a command.
pub fn one_line(text: &str) -> Cow<'_, str> {
    let text = printable(text);
    if !text.contains(['\n', '\t', '\u{2028}', '\u{2029}']) {
        return text;
    }
    Cow::Owned(
        text.replace(['\n', '\u{2028}', '\u{2029}'], "\\n")
            .replace('\t', "\\t"),
    )
}

/// Whether `text` would not stay one line of plain text: what a name, a
/// key or a value (never a note) must not hold.
pub fn breaks_line(text: &str) -> bool {
    text.chars()
        .any(|c| unsafe_char(c) || matches!(c, '\n' | '\t' | '\u{2028}' | '\u{2029}'))
}

/// A character that must not reach a terminal as it is: a control
/// character other than a newline or a tab, or a bidirectional override
/// or isolate, which can make a line read as something else.
pub fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Drops the rest of an escape sequence whose `ESC` was just read.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        // CSI: parameters and intermediates, then one final byte.
        Some('[') => {
            for c in chars.by_ref() {
                if ('\x40'..='\x7e').contains(&c) {
                    break;
                }
            }
        }
        // OSC (and the other string sequences): up to BEL or ESC \.
        Some(']' | 'P' | 'X' | '^' | '_') => {
            while let Some(c) = chars.next() {
                if c == '\x07' {
                    break;
                }
                if c == '\x1b' {
                    if chars.peek() == Some(&'\\') {
                        chars.next();
                    }
                    break;
                }
            }
        }
        // A two-byte sequence, or a lone ESC at the end.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{breaks_line, one_line, printable};

    #[test]
    fn a_name_stays_on_its_line() {
        assert_eq!(
            one_line("Bob\n::error::SIGN\tx\x1b[2J\u{2028}y"),
            "Bob\\n::error::SIGN\\tx\\ny"
        );
        assert_eq!(one_line("Ada Lovelace"), "Ada Lovelace");
        assert!(breaks_line("Bob\n::error::x"));
        assert!(breaks_line("tab\there"));
        assert!(breaks_line("esc\x1b[2J"));
        assert!(!breaks_line("1.4.2+hotfix (rc 1)"));
    }

    #[test]
    fn escapes_go_and_controls_show() {
        let cases = [
            ("plain text, 5xx at 9%", "plain text, 5xx at 9%"),
            ("lines\nand\ttabs\r\n", "lines\nand\ttabs\n"),
            ("\x1b[2J\x1b[1;31mred\x1b[0m", "red"),
            ("5xx \x1b]0;PWN\x07 spike", "5xx  spike"),
            ("title \x1b]2;x\x1b\\ done", "title  done"),
            ("bell\x07 and del\x7f", "bell\u{fffd} and del\u{fffd}"),
            ("over\rwrite", "over\u{fffd}write"),
            ("c1 \u{9b}31m", "c1 \u{fffd}31m"),
            ("lone escape at the end \x1b", "lone escape at the end "),
            ("name \u{202e}moc.live", "name \u{fffd}moc.live"),
            ("\x1bc reset", " reset"),
        ];
        for (text, shown) in cases {
            assert_eq!(printable(text), shown, "{text:?}");
        }
    }
}
