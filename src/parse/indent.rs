//! Ragged list indents, as hand-kept checklists have them: a bullet written
//! one space deeper than the bullet above but short of its text
//! (`   - Try it` then `    - plenv shell`) is meant as nested, yet
//! CommonMark reads it as more words of the step above. Such a bullet is
//! moved to its parent's text column, with its siblings and the lines under
//! it, line for line, so every line number holds.

/// A list marker first on the line: its width with the spaces after it.
fn marker(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let width = match bytes.first()? {
        b'-' | b'*' | b'+' => 1,
        b'0'..=b'9' => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 9 || !matches!(bytes.get(digits), Some(b'.' | b')')) {
                return None;
            }
            digits + 1
        }
        _ => return None,
    };
    let spaces = bytes[width..].iter().take_while(|&&b| b == b' ').count();
    match spaces {
        0 => None,
        1..=4 => Some(width + spaces),
        // Five spaces or more: the text starts one space after the marker
        // and the rest is an indented code block.
        _ => Some(width + 1),
    }
}

/// An open list item: its indent as written, how far it was moved, and
/// where its text starts once moved.
struct Open {
    written: usize,
    shift: usize,
    content: usize,
}

/// The text with ragged nested bullets moved under their parent, or `None`
/// when no line needs moving.
pub fn even_out(text: &str) -> Option<String> {
    let mut open: Vec<Open> = Vec::new();
    // Every line up to the first that moves is written as it was: the
    // copy starts there, with those lines taken whole. Most files need
    // no change and so no copy.
    let mut out = String::new();
    let mut changed = false;
    let mut fence = false;
    let mut next_start = 0;
    for (n, line) in text.split('\n').enumerate() {
        let start = next_start;
        next_start += line.len() + 1;
        if changed && n > 0 {
            out.push('\n');
        }
        // Writes the line as `spaces` then `piece`; it moved when that
        // differs from the line.
        let mut write = |moved: bool, spaces: usize, piece: &str| {
            if moved && !changed {
                changed = true;
                out.reserve(text.len() + spaces);
                out.push_str(&text[..start]);
            }
            if changed {
                push_indented(&mut out, spaces, piece);
            }
        };
        let written = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[written..];
        if rest.starts_with('\t') {
            // Tabs are read as CommonMark says; nothing to even out.
            open.clear();
            write(false, 0, line);
            continue;
        }
        if rest.starts_with("```") || rest.starts_with("~~~") {
            fence = !fence;
        }
        let bullet = if fence { None } else { marker(rest) };
        let Some(width) = bullet else {
            // A line under a moved item moves with it.
            let shift = open
                .last()
                .filter(|top| !rest.is_empty() && written > top.written)
                .map_or(0, |top| top.shift);
            write(shift > 0, shift, line);
            continue;
        };
        let mut placed = None;
        while let Some(top) = open.last() {
            let at = written + top.shift;
            if at >= top.content {
                placed = Some(at);
                break;
            }
            let container = open.len().checked_sub(2).map_or(0, |i| open[i].content);
            // Four columns past its container's text a bullet cannot start
            // an item of that list: CommonMark glues it to the step above.
            if at >= container + 4 && written > top.written {
                placed = Some(top.content);
                break;
            }
            open.pop();
        }
        let at = placed.unwrap_or(written);
        open.push(Open {
            written,
            shift: at - written,
            content: at + width,
        });
        write(at != written, at, rest);
    }
    changed.then_some(out)
}

fn push_indented(out: &mut String, spaces: usize, text: &str) {
    out.extend(std::iter::repeat_n(' ', spaces));
    out.push_str(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bullet_short_of_its_parents_text_moves_under_it() {
        let text = "  - Unpack it\n   - Try the oldest perl\n    - plenv shell 5.10\n    - make test\n  - Push\n    - Pick a time\n";
        assert_eq!(
            even_out(text).unwrap(),
            "  - Unpack it\n   - Try the oldest perl\n     - plenv shell 5.10\n     - make test\n  - Push\n    - Pick a time\n"
        );
    }

    #[test]
    fn lines_before_the_first_that_moves_are_kept_as_they_were() {
        // Tabs, fences and a trailing line without its newline around the
        // one bullet that moves.
        let text = "\t- tab\n```\n  - in code\n```\n  - Unpack it\n   - Try it\n    - plenv shell\n\tend\nlast";
        assert_eq!(
            even_out(text).unwrap(),
            "\t- tab\n```\n  - in code\n```\n  - Unpack it\n   - Try it\n     - plenv shell\n\tend\nlast"
        );
    }

    #[test]
    fn lists_commonmark_already_reads_as_meant_are_left_alone() {
        assert_eq!(even_out("- a\n  - b\n    - c\n- d\n"), None);
        assert_eq!(even_out("1. a\n   - b\n2. c\n"), None);
        assert_eq!(even_out("  - a\n   - b\n"), None);
        assert_eq!(even_out("```\n- a\n     - b\n```\n"), None);
    }
}
