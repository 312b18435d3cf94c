//! A long Markdown body read in parts, one per core, to the same blocks
//! as read whole: reading is a quarter of parsing a long checklist, and
//! the parts of a document split at its headings read alone.
//!
//! A part ends where a heading starts at the left margin after a blank
//! line. Nothing a blank line leaves open goes on past such a heading
//! (a paragraph, a table and an HTML block that ends at a blank line end
//! there; a list, a quote, and the code in them, end at a line with no
//! indent) but a fenced code block, or an HTML block that ends at a
//! marker (`-->`, `</pre>`): a part whose code or HTML block runs to its
//! end is read again with the rest. A link or footnote defined in one
//! part is used in another, so a body that may define one (any `]:`) is
//! read whole.

use std::ops::Range;

use super::markdown::{self, Node};

/// Below this a body is read whole: a thread costs more than it saves.
const PART_FROM: usize = 256 * 1024;

/// The blocks of `source` (a slice of the file starting at `base`), as
/// [`markdown::read`] reads them.
pub fn read(source: &str, base: usize) -> Vec<Node> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    read_in(source, base, threads, PART_FROM)
}

fn read_in(source: &str, base: usize, parts: usize, smallest: usize) -> Vec<Node> {
    let parts = cuts(source, parts, smallest);
    if parts.len() < 2 {
        return markdown::read(source, base);
    }
    in_parts(source, base, &parts).unwrap_or_else(|| markdown::read(source, base))
}

/// The blocks of each part, joined; `None` when a part's code or HTML
/// block may go on into the next (or a thread was lost).
fn in_parts(source: &str, base: usize, parts: &[Range<usize>]) -> Option<Vec<Node>> {
    let read = crate::cores::map(parts, 1, |part| {
        markdown::read_part(&source[part.clone()], base + part.start)
    });
    let last = read.len().checked_sub(1)?;
    let mut nodes = Vec::with_capacity(read.iter().flatten().map(|(part, _)| part.len()).sum());
    for (at, part) in read.into_iter().enumerate() {
        let (part, open) = part?;
        if open && at < last {
            return None;
        }
        // A list item's parent is an index into its own part's nodes.
        let before = nodes.len();
        nodes.extend(part.into_iter().map(|mut node| {
            if let Node::Item(item) = &mut node {
                item.parent = item.parent.map(|parent| parent + before);
            }
            node
        }));
    }
    Some(nodes)
}

/// `source` cut into up to `parts` ranges of about equal length, each at
/// least `smallest` bytes long, each after the first starting at a
/// heading; one range when it may not be cut.
fn cuts(source: &str, parts: usize, smallest: usize) -> Vec<Range<usize>> {
    if parts < 2 || source.len() < 2 * smallest || source.contains("]:") {
        return std::iter::once(0..source.len()).collect();
    }
    let length = (source.len() / parts).max(smallest);
    let mut ranges = Vec::with_capacity(parts);
    let mut start = 0;
    while ranges.len() + 1 < parts {
        let Some(cut) = heading_after(source, start + length) else {
            break;
        };
        if source.len() - cut < smallest {
            break;
        }
        ranges.push(start..cut);
        start = cut;
    }
    ranges.push(start..source.len());
    ranges
}

/// The start of the first line at or after `from` that is an ATX heading
/// at the left margin (`#` to `######`, then a space, a tab or the line's
/// end) after a blank line.
fn heading_after(source: &str, from: usize) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut at = from.min(bytes.len());
    while let Some(found) = source.get(at..).and_then(|rest| rest.find("\n\n#")) {
        let line = at + found + 2;
        let hashes = bytes[line..].iter().take_while(|&&b| b == b'#').count();
        if hashes <= 6 && matches!(bytes.get(line + hashes), None | Some(b' ' | b'\t' | b'\n')) {
            return Some(line);
        }
        at = line;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(nodes: &[Node]) -> String {
        format!("{nodes:?}")
    }

    fn whole(source: &str) -> String {
        text(&markdown::read(source, 7))
    }

    /// `source` cut at the start of each of `at`.
    fn cut_at(source: &str, at: &[&str]) -> Vec<Range<usize>> {
        let mut starts: Vec<usize> = at.iter().map(|at| source.find(at).unwrap()).collect();
        starts.insert(0, 0);
        starts.push(source.len());
        starts.windows(2).map(|pair| pair[0]..pair[1]).collect()
    }

    fn phase(n: usize) -> String {
        format!(
            "## Phase {n}\n\n- [ ] Step {n} <!-- relcheck: id=s{n} -->\n  - [ ] Nested {n}\n    ```sh\n    echo {n}\n    ```\n- [ ] Next {n}\n\n| Step | Owner |\n|---|---|\n| Row {n} | me |\n\nA paragraph {n}\nof two lines.\n\n"
        )
    }

    #[test]
    fn a_body_cut_at_its_headings_reads_as_it_reads_whole() {
        let source: String = (0..12).map(phase).collect();
        let parts = cuts(&source, 4, 200);
        assert!(parts.len() >= 3, "{parts:?}");
        let nodes = in_parts(&source, 7, &parts).unwrap();
        assert_eq!(text(&nodes), whole(&source));
        assert_eq!(text(&read_in(&source, 7, 4, 200)), whole(&source));
        // Parents point into the whole list: the nested step of the last
        // phase is under that phase's first step.
        let nested = nodes
            .iter()
            .rposition(|node| matches!(node, Node::Item(item) if &*item.text == "Nested 11"))
            .unwrap();
        let Node::Item(item) = &nodes[nested] else {
            unreachable!()
        };
        assert!(
            matches!(&nodes[item.parent.unwrap()], Node::Item(parent) if &*parent.text == "Step 11")
        );
    }

    #[test]
    fn a_part_whose_fence_or_html_block_is_open_at_its_end_is_read_with_the_rest() {
        let body: String = (0..3).map(phase).collect();
        for open in [
            "```\nopen fence\n\n",
            "~~~~\n~~~\n\n",
            "<!--\n\n",
            "<pre>\n\n",
            "- [ ] item\n\n  ```\n  open in an item\n\n",
        ] {
            let source = format!("{body}{open}## Cut\n\n{body}```\n~~~~\n-->\n</pre>\n\n{body}");
            let parts = cut_at(&source, &["## Cut"]);
            // Even in a list item, which the heading would end: a block
            // open at a part's end is never taken to be closed.
            assert!(in_parts(&source, 7, &parts).is_none(), "{open}");
            assert_eq!(text(&read_in(&source, 7, 4, 100)), whole(&source), "{open}");
        }
    }

    #[test]
    fn a_closed_fence_or_comment_leaves_the_body_cut() {
        let body: String = (0..3).map(phase).collect();
        let source = format!(
            "{body}```\n\n## In the fence\n```\n\n<!--\n## In the comment\n-->\n\n## Cut\n\n{body}"
        );
        let parts = cut_at(&source, &["## Cut"]);
        let nodes = in_parts(&source, 7, &parts).unwrap();
        assert_eq!(text(&nodes), whole(&source));
    }

    #[test]
    fn a_body_that_may_define_a_link_is_one_part() {
        let body: String = (0..12).map(phase).collect();
        let source =
            format!("{body}- [ ] See [the runbook][rb]\n\n{body}[rb]: https://example.com\n");
        assert_eq!(cuts(&source, 4, 100).len(), 1);
        assert_eq!(text(&read_in(&source, 7, 4, 100)), whole(&source));
    }

    #[test]
    fn only_headings_at_the_margin_after_a_blank_line_are_cuts() {
        let text = "a\n#b\n\n####### seven\n\n #indented\n\n#tag\n\n### Three\n";
        assert_eq!(
            heading_after(text, 0),
            Some(text.find("### Three").unwrap())
        );
        assert_eq!(heading_after("x\n\n#\n", 0), Some(3));
        assert_eq!(heading_after("x\n\n#", 0), Some(3));
        assert_eq!(heading_after("x\n\n#x", 0), None);
    }

    #[test]
    fn a_short_body_is_one_part() {
        let source: String = (0..12).map(phase).collect();
        assert_eq!(cuts(&source, 4, source.len()).len(), 1);
        assert_eq!(cuts(&source, 1, 10).len(), 1);
    }
}
