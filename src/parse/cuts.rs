//! Where a long Markdown document may be cut, so that each piece is read
//! by a pulldown-cmark pass of its own. pulldown-cmark builds the block
//! tree of its whole input before it gives the first event; at 100,000
//! items that tree (and the copy made while it grows) was most of a run's
//! peak memory (BENCHMARKS.md, part 6, seventh pass).
//!
//! A cut comes just before a line that opens an ATX heading at the left
//! margin, after a blank line. Read whole, such a line closes every block
//! before it (lists, quotes, tables, indented code: none of them can take
//! it as a continuation), except a fenced code block or an HTML block
//! opened at the top level; the reader notes a piece that ends in one of
//! those not closed ([`fence_closed`], [`html_closed`]) and reads it
//! again, longer. Link reference and
//! footnote definitions reach across the whole document, so text with a
//! `]:` anywhere is read in one piece.

/// The size a piece grows to before it is cut at the next heading: large
/// enough that a pass's start costs nothing, small enough that its tree
/// is a few hundred kilobytes.
pub const PIECE: usize = 64 * 1024;

/// Whether pieces of `text` read alone give what the whole gives.
pub fn may_cut(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"]:").is_none()
}

/// The first cut at or after byte `from`: the start of a line opening an
/// ATX heading, after a blank line. `None` when there is none.
pub fn next_cut(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    // The newline ending the line before the heading's line: a heading
    // at `from` itself counts, so the search starts a byte before it.
    let mut at = from.saturating_sub(1);
    while let Some(found) = memchr::memmem::find(bytes.get(at..)?, b"\n#") {
        let newline = at + found;
        let heading = newline + 1;
        if heading >= from && opens_heading(&bytes[heading..]) && after_blank(bytes, newline) {
            return Some(heading);
        }
        at = newline + 1;
    }
    None
}

/// Whether a fenced code block, as pulldown-cmark gives its span, ends
/// with its closing fence: the same character as its opening fence, at
/// least as many, at most three spaces in, nothing after but white space.
/// A fence left open runs to the end of its piece.
pub fn fence_closed(block: &str) -> bool {
    let mut lines = block.trim_end_matches(['\n', '\r']).lines();
    let Some(opening) = lines.next() else {
        return false;
    };
    let Some(last) = lines.next_back() else {
        return false;
    };
    match (fence(opening), fence(last)) {
        (Some((mark, opened, _)), Some((closing, closed, rest))) => {
            closing == mark && closed >= opened && rest.trim_start_matches(' ').is_empty()
        }
        _ => false,
    }
}

/// Whether an HTML block, as pulldown-cmark gives its span, ended inside
/// it rather than running on to the end of its piece. A block that ends
/// at a blank line (CommonMark's kinds 6 and 7: `<div>`, any other tag)
/// always has: a cut comes after a blank line. The others end on the
/// line holding their end: `-->` for a comment (a relcheck annotation on
/// a line of its own is one), `?>`, `]]>`, `>` for `<!X`, the matching
/// end tag for `<script>`, `<pre>`, `<style>` and `<textarea>`. The kinds
/// are told apart generously and the ends strictly (on the first line,
/// only after the opening), so a doubt reads the piece again.
pub fn html_closed(block: &str) -> bool {
    let mut lines = block.trim_end().lines();
    let Some(first) = lines.next() else {
        return true;
    };
    let first = first.trim_start_matches(' ');
    let last = lines.next_back();
    // The end is looked for as written: pulldown-cmark takes `</pre>`,
    // not `</PRE>`, though `<PRE>` opens the block.
    let ends = |opening: usize, end: &str| match last {
        Some(last) => last.contains(end),
        None => first.get(opening..).is_some_and(|rest| rest.contains(end)),
    };
    let first = first.to_ascii_lowercase();
    for tag in ["script", "pre", "style", "textarea"] {
        if first
            .strip_prefix('<')
            .is_some_and(|rest| rest.starts_with(tag))
        {
            return ends(1 + tag.len(), &format!("</{tag}>"));
        }
    }
    if first.starts_with("<!--") {
        ends(4, "-->")
    } else if first.starts_with("<?") {
        ends(2, "?>")
    } else if first.starts_with("<![cdata[") {
        ends(9, "]]>")
    } else if first.starts_with("<!") {
        ends(2, ">")
    } else {
        true
    }
}

/// A line's fence: its character, how many, and what follows them.
fn fence(line: &str) -> Option<(char, usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let line = &line[indent..];
    let mark = line.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let count = line.chars().take_while(|&c| c == mark).count();
    (indent <= 3 && count >= 3).then_some((mark, count, &line[count..]))
}

/// `#` to `######`, then a space, a tab or the line's end.
fn opens_heading(line: &[u8]) -> bool {
    let marks = line.iter().take_while(|&&b| b == b'#').count();
    (1..=6).contains(&marks) && matches!(line.get(marks), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

/// Whether the line ending at the newline `end` holds only white space
/// (and is not the document's first line, whose start is no cut anyway).
fn after_blank(bytes: &[u8], end: usize) -> bool {
    let Some(start) = memchr::memrchr(b'\n', &bytes[..end]) else {
        return false;
    };
    bytes[start + 1..end]
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_comes_before_a_heading_after_a_blank_line() {
        let text = "# A\n\n- a\n\n## B\n- b\n## C\n\n  # D\n\n#E\n\n####### F\n\n### G";
        let cuts: Vec<usize> =
            std::iter::successors(next_cut(text, 1), |&at| next_cut(text, at + 1)).collect();
        // Not the first line, not after a line of text, not indented, not
        // without its space, not seven marks.
        assert_eq!(cuts, vec![10, text.find("### G").unwrap()]);
        assert_eq!(next_cut(text, 10), Some(10));
        assert_eq!(next_cut("a\n\r\n#\n", 0), Some(4));
        assert_eq!(next_cut("a\n \t\n## x", 0), Some(5));
        assert_eq!(next_cut("", 0), None);
        assert_eq!(next_cut("#", 5), None);
    }

    use pulldown_cmark::{Event, Parser, Tag};

    /// `closed` of the span pulldown-cmark gives each block `is` takes.
    fn closed_spans(text: &str, is: fn(&Tag) -> bool, closed: fn(&str) -> bool) -> Vec<bool> {
        Parser::new(text)
            .into_offset_iter()
            .filter_map(|(event, range)| match event {
                Event::Start(tag) if is(&tag) => Some(closed(&text[range])),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_fence_is_closed_when_its_span_ends_with_its_closing_fence() {
        let spans = |text| closed_spans(text, |tag| matches!(tag, Tag::CodeBlock(_)), fence_closed);
        assert_eq!(spans("```sh\nmake\n```\n\n"), vec![true]);
        assert_eq!(spans("  ~~~~\nx\n~~~~~  \n"), vec![true]);
        assert_eq!(spans("```\n```"), vec![true]);
        // Open to the end, blank lines and all.
        assert_eq!(spans("```sh\nmake\n\n\n"), vec![false]);
        assert_eq!(spans("````\n```\n"), vec![false]);
        assert_eq!(spans("~~~\n```\n"), vec![false]);
        assert_eq!(spans("```\n``` x\n"), vec![false]);
        assert_eq!(spans("```\n```\u{a0}\n"), vec![false]);
        // pulldown-cmark takes no tab after a closing fence.
        assert_eq!(spans("```\n```\t\n"), vec![false]);
        assert_eq!(spans("```\n\t```\n"), vec![false]);
        assert_eq!(spans("```"), vec![false]);
        assert!(!fence_closed(""));
    }

    #[test]
    fn an_html_block_is_closed_when_it_ends_before_its_span_does() {
        let spans = |text| closed_spans(text, |tag| matches!(tag, Tag::HtmlBlock), html_closed);
        assert_eq!(spans("<!-- relcheck: id=a -->\n\n"), vec![true]);
        assert_eq!(spans("<!--\nnote\n-->\n\n"), vec![true]);
        assert_eq!(spans("<div>\nx\n\n"), vec![true]);
        assert_eq!(spans("<PRE>\ncode\n</pre>\n"), vec![true]);
        assert_eq!(spans("<PRE>\ncode\n</PRE>\n\n"), vec![false]);
        assert_eq!(spans("<Script>v1</SCRIPT>\n\n"), vec![false]);
        assert_eq!(spans("<?php\n?>\n"), vec![true]);
        assert_eq!(spans("<!DOCTYPE html>\n"), vec![true]);
        assert_eq!(spans("<![CDATA[\nx\n]]>\n"), vec![true]);
        // Running on to the end, blank lines and all.
        assert_eq!(spans("<!--\nnote\n\n# not a heading\n\n"), vec![false]);
        assert_eq!(spans("<pre>\ncode\n\n"), vec![false]);
        assert_eq!(spans("<pre>\ncode\n</style>\n\n"), vec![false]);
        assert_eq!(spans("<script>\n\n"), vec![false]);
        assert_eq!(spans("<?x\n\n"), vec![false]);
        assert_eq!(spans("<!X\n\n"), vec![false]);
        assert_eq!(spans("<![CDATA[\n\n"), vec![false]);
        // `<!-->` closes nothing here: its end is looked for after `<!--`.
        assert!(!html_closed("<!-->\n"));
    }

    #[test]
    fn definitions_keep_a_document_whole() {
        assert!(may_cut("# A\n\n- [ ] a\n"));
        assert!(!may_cut(
            "See [the runbook].\n\n[the runbook]: https://example.com\n"
        ));
        assert!(!may_cut("Text[^1].\n\n[^1]: A note.\n"));
    }
}
