//! Fitting text to a terminal: word wrapping, cutting lines to a width,
//! and dropping what matters least when a screen is too short to show
//! everything. Pure; the screens in `render.rs` are built from it.

use console::{measure_text_width, truncate_str};

/// The terminal's size in columns and rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    pub width: usize,
    pub height: usize,
}

impl Frame {
    /// Columns a line may use. One short of the width: a line that fills
    /// the last column makes some terminals wrap an empty row after it.
    pub fn columns(&self) -> usize {
        self.width.saturating_sub(1).max(8)
    }
}

/// `text` in lines of at most `width` columns, each after `indent`
/// spaces, broken between words; a word longer than a line is cut.
pub fn wrap(text: &str, indent: usize, width: usize) -> Vec<String> {
    let room = width.saturating_sub(indent).max(4);
    let pad = " ".repeat(indent);
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word = word.to_string();
            loop {
                let needed = if line.is_empty() {
                    measure_text_width(&word)
                } else {
                    measure_text_width(&line) + 1 + measure_text_width(&word)
                };
                if needed <= room {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(&word);
                    break;
                }
                if !line.is_empty() {
                    lines.push(format!("{pad}{line}"));
                    line.clear();
                    continue;
                }
                // A word wider than the line: cut it.
                let (head, tail) = split_at_width(&word, room);
                lines.push(format!("{pad}{head}"));
                word = tail;
                if word.is_empty() {
                    break;
                }
            }
        }
        lines.push(format!("{pad}{line}"));
    }
    if lines.is_empty() {
        lines.push(pad);
    }
    lines
}

/// Lines of raw output cut into rows of `width` columns, without regard
/// for words: output is shown as it came.
pub fn chop(text: &str, indent: usize, width: usize) -> Vec<String> {
    let room = width.saturating_sub(indent).max(4);
    let pad = " ".repeat(indent);
    let mut rows = Vec::new();
    for line in text.lines() {
        let mut rest: String = line
            .chars()
            .filter(|&c| !c.is_control() && !crate::printable::unsafe_char(c))
            .collect();
        loop {
            let (head, tail) = split_at_width(&rest, room);
            rows.push(format!("{pad}{head}"));
            if tail.is_empty() {
                break;
            }
            rest = tail;
        }
    }
    rows
}

fn split_at_width(text: &str, width: usize) -> (String, String) {
    let mut head = String::new();
    let mut used = 0;
    for (at, c) in text.char_indices() {
        let w = measure_text_width(c.encode_utf8(&mut [0; 4]));
        if used + w > width && !head.is_empty() {
            return (head, text[at..].to_string());
        }
        head.push(c);
        used += w;
    }
    (head, String::new())
}

/// `line` cut to `width` columns with an ellipsis; colour is kept.
pub fn cut(line: &str, width: usize) -> String {
    truncate_str(line, width, "…").into_owned()
}

/// Entries (already styled) laid out in as few lines as fit `width`, two
/// spaces apart, each line after `indent` spaces.
pub fn flow(entries: &[String], indent: usize, width: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    let mut lines = Vec::new();
    let mut line = String::new();
    for entry in entries {
        let needed = if line.is_empty() {
            indent + measure_text_width(entry)
        } else {
            measure_text_width(&line) + 2 + measure_text_width(entry)
        };
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if line.is_empty() {
            line.push_str(&pad);
        } else {
            line.push_str("  ");
        }
        line.push_str(entry);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A part of a screen. When the screen is too short, rows go to the
/// highest `keep` first (the earlier of equals first), and a block that
/// does not fit whole keeps its first lines; what is kept stays in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub keep: u8,
    pub lines: Vec<String>,
}

impl Block {
    pub fn new(keep: u8, lines: Vec<String>) -> Block {
        Block { keep, lines }
    }

    pub fn line(keep: u8, line: String) -> Block {
        Block {
            keep,
            lines: vec![line],
        }
    }
}

/// Each block's lines that fit in `height` rows, in the blocks' order
/// (a block that gets no row is empty), and the rows left over.
pub fn fit(blocks: Vec<Block>, height: usize) -> (Vec<Vec<String>>, usize) {
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(blocks[i].keep), i));
    let mut rows = vec![0; blocks.len()];
    let mut left = height;
    for i in order {
        rows[i] = blocks[i].lines.len().min(left);
        left -= rows[i];
    }
    let kept = blocks
        .into_iter()
        .zip(rows)
        .map(|(block, rows)| block.lines.into_iter().take(rows).collect())
        .collect();
    (kept, left)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping() {
        let cases: [(&str, usize, usize, &[&str]); 5] = [
            ("Deploy host noted", 2, 20, &["  Deploy host noted"]),
            (
                "Deploy host and tooling versions noted",
                2,
                20,
                &["  Deploy host and", "  tooling versions", "  noted"],
            ),
            ("one\ntwo", 0, 20, &["one", "two"]),
            ("abcdefghij", 0, 6, &["abcdef", "ghij"]),
            ("", 2, 20, &["  "]),
        ];
        for (text, indent, width, expected) in cases {
            assert_eq!(wrap(text, indent, width), expected, "{text:?}");
        }
    }

    #[test]
    fn chopping_and_cutting() {
        assert_eq!(
            chop("abcdefghij\nk\n", 1, 5),
            [" abcd", " efgh", " ij", " k"]
        );
        assert_eq!(chop("a\tb\x1b[1m", 0, 10), ["ab[1m"]);
        assert_eq!(cut("release 1.4.2 shipped", 10), "release 1…");
        assert_eq!(cut("short", 10), "short");
    }

    #[test]
    fn flowing_entries() {
        let entries: Vec<String> = ["y done", "n failed", "s skip", "a n/a"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            flow(&entries, 2, 20),
            ["  y done  n failed", "  s skip  a n/a"]
        );
        assert_eq!(flow(&entries, 0, 100), ["y done  n failed  s skip  a n/a"]);
    }

    #[test]
    fn fitting_gives_rows_to_the_most_important_first() {
        let block =
            |keep, n: usize| Block::new(keep, (0..n).map(|i| format!("{keep}.{i}")).collect());
        let blocks = || vec![block(1, 1), block(9, 2), block(5, 2), block(1, 1)];
        let all: Vec<Vec<String>> = blocks().into_iter().map(|b| b.lines).collect();
        assert_eq!(fit(blocks(), 10), (all, 4));
        let (kept, left) = fit(blocks(), 5);
        assert_eq!(
            (kept, left),
            (
                vec![
                    vec!["1.0".to_string()],
                    vec!["9.0".into(), "9.1".into()],
                    vec!["5.0".into(), "5.1".into()],
                    vec![]
                ],
                0
            )
        );
        // What does not fit whole keeps its first lines.
        let (kept, left) = fit(blocks(), 3);
        assert_eq!(
            (kept, left),
            (
                vec![
                    vec![],
                    vec!["9.0".to_string(), "9.1".into()],
                    vec!["5.0".into()],
                    vec![]
                ],
                0
            )
        );
        let (kept, _) = fit(vec![block(9, 5)], 3);
        assert_eq!(kept, [["9.0", "9.1", "9.2"]]);
    }
}
