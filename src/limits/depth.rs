//! How deep YAML nests its flow collections (`[` and `{`), found by a
//! scan before the YAML reader sees the text, so that a file nested past
//! [`YAML_MAX_DEPTH`] is refused with its line and column in relcheck's
//! own words (the reader stops at the same depth itself).

use super::YAML_MAX_DEPTH;

/// Where YAML nests flow collections deeper than [`YAML_MAX_DEPTH`]:
/// line and column, 1-based.
///
/// A scan, not a parse, in one pass. A bracket counts only where YAML
/// reads it as one: at the start of a node, or anywhere inside a flow
/// collection. Brackets in a quoted string, a block scalar (`|`, `>`), a
/// comment, or a plain string that does not begin with one (`note: a [b`,
/// which is how a record keeps such text) do not count, so no text an
/// operator writes can make a record unreadable.
pub fn flow_too_deep(text: &str) -> Option<(usize, usize)> {
    // Each level opens with a bracket of its own: a text with no more of
    // them than the limit cannot pass it, and counting them is far faster
    // than the scan (a record rarely has a dozen).
    let opening = text.bytes().filter(|b| matches!(b, b'[' | b'{')).count();
    if opening <= YAML_MAX_DEPTH {
        return None;
    }
    Scan::new(text).run()
}

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
    line_start: usize,
    /// Flow depth: 0 in block context.
    depth: usize,
    /// Whether a node may begin here, so a bracket or quote opens one.
    node_start: bool,
    /// Indentation of the line the current block node began on.
    indent: usize,
    /// In a plain string that may go on to more-indented lines.
    in_plain: bool,
    /// In a block scalar: the indentation its lines must exceed.
    block_scalar: Option<usize>,
    /// Whether the current line's start has been looked at.
    line_seen: bool,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Scan<'a> {
        Scan {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
            line_start: 0,
            depth: 0,
            node_start: true,
            indent: 0,
            in_plain: false,
            block_scalar: None,
            line_seen: false,
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.at + ahead).copied()
    }

    /// Whether the byte after the current one ends a token: YAML's `- `,
    /// `? ` and `: ` need a blank (or the end) after them.
    fn blank_after(&self) -> bool {
        matches!(self.peek(1), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
    }

    /// Past a line break inside a token (a quoted string).
    fn count_line(&mut self) {
        self.at += 1;
        self.line += 1;
        self.line_start = self.at;
    }

    /// Past a line break between tokens: the next line's start is looked
    /// at.
    fn newline(&mut self) {
        self.count_line();
        self.line_seen = false;
    }

    fn skip_to_line_end(&mut self) {
        self.at =
            memchr::memchr(b'\n', &self.bytes[self.at..]).map_or(self.bytes.len(), |i| self.at + i);
    }

    /// A quoted string from its opening quote, which may span lines.
    fn skip_quoted(&mut self, quote: u8) {
        self.at += 1;
        while let Some(b) = self.peek(0) {
            match b {
                b'\n' => self.count_line(),
                b'\\' if quote == b'"' => {
                    self.at += 1;
                    if self.peek(0) == Some(b'\n') {
                        self.count_line();
                    } else {
                        self.at += 1;
                    }
                }
                b'\'' if quote == b'\'' && self.peek(1) == Some(b'\'') => self.at += 2,
                b if b == quote => {
                    self.at += 1;
                    return;
                }
                _ => self.at += 1,
            }
        }
    }

    fn run(mut self) -> Option<(usize, usize)> {
        while self.at < self.bytes.len() {
            if !self.line_seen {
                self.line_seen = true;
                self.line_begins();
                continue;
            }
            let b = self.bytes[self.at];
            if b == b'\n' {
                self.newline();
                continue;
            }
            if matches!(b, b' ' | b'\t' | b'\r') {
                self.at += 1;
                continue;
            }
            let after_blank = self.at == self.line_start
                || matches!(self.bytes[self.at - 1], b' ' | b'\t' | b'\r');
            if b == b'#' && after_blank {
                self.skip_to_line_end();
                continue;
            }
            if self.depth > 0 {
                if let Some(at) = self.flow_byte(b) {
                    return Some(at);
                }
            } else if let Some(at) = self.block_byte(b) {
                return Some(at);
            }
        }
        None
    }

    /// At the start of a line: skips a block scalar's lines and a plain
    /// string's continuation, and otherwise notes the indentation.
    fn line_begins(&mut self) {
        let indent = self.bytes[self.at..]
            .iter()
            .take_while(|&&b| b == b' ')
            .count();
        let rest = &self.bytes[self.at + indent..];
        let blank = rest
            .iter()
            .find(|&&b| !matches!(b, b' ' | b'\t' | b'\r'))
            .is_none_or(|&b| b == b'\n');
        if let Some(parent) = self.block_scalar {
            if blank || indent > parent {
                self.skip_to_line_end();
                return;
            }
            self.block_scalar = None;
        }
        self.at += indent;
        if self.depth > 0 || blank {
            // In a flow collection a line break is only a space.
            return;
        }
        if self.in_plain && indent > self.indent && rest.first() != Some(&b'#') {
            // The plain string goes on: nothing here opens a node.
            return;
        }
        self.in_plain = false;
        self.indent = indent;
        self.node_start = true;
    }

    /// One byte in block context. Returns where the limit is passed.
    fn block_byte(&mut self, b: u8) -> Option<(usize, usize)> {
        if !self.node_start {
            // In a plain string, or after a whole node: only `: ` opens a
            // value, and only a line break or a comment ends it, so the
            // bytes between are passed over at once (a record is mostly
            // such text).
            if b == b':' && self.blank_after() {
                self.node_start = true;
                self.in_plain = false;
                self.at += 1;
                return None;
            }
            self.at += 1;
            self.at = memchr::memchr3(b':', b'\n', b'#', &self.bytes[self.at..])
                .map_or(self.bytes.len(), |i| self.at + i);
            return None;
        }
        match b {
            b'-' | b'?' | b':' if self.blank_after() => self.at += 1,
            b'[' | b'{' => return self.open(),
            b'"' | b'\'' => {
                self.skip_quoted(b);
                self.node_start = false;
            }
            b'|' | b'>' => {
                self.block_scalar = Some(self.indent);
                self.skip_to_line_end();
            }
            // An anchor or a tag comes before its node.
            b'&' | b'!' => {
                while self
                    .peek(0)
                    .is_some_and(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                {
                    self.at += 1;
                }
            }
            // A directive, or a document's start or end.
            b'%' if self.at == self.line_start => self.skip_to_line_end(),
            b'-' | b'.'
                if self.at == self.line_start
                    && self.bytes[self.at..].starts_with(if b == b'-' {
                        b"---"
                    } else {
                        b"..."
                    }) =>
            {
                self.at += 3
            }
            _ => {
                self.node_start = false;
                self.in_plain = true;
                self.at += 1;
            }
        }
        None
    }

    /// One byte in a flow collection, where every bracket counts.
    fn flow_byte(&mut self, b: u8) -> Option<(usize, usize)> {
        match b {
            b'[' | b'{' => return self.open(),
            b']' | b'}' => {
                self.depth -= 1;
                self.node_start = self.depth > 0;
                self.at += 1;
            }
            b',' => {
                self.node_start = true;
                self.at += 1;
            }
            b'"' | b'\'' if self.node_start => {
                self.skip_quoted(b);
                self.node_start = false;
            }
            // `a:b` is one plain string; `a: b` a pair.
            b':' | b'?' if self.blank_after() => {
                self.node_start = true;
                self.at += 1;
            }
            _ => {
                self.node_start = false;
                self.at += 1;
            }
        }
        None
    }

    fn open(&mut self) -> Option<(usize, usize)> {
        self.depth += 1;
        if self.depth > YAML_MAX_DEPTH {
            let col = String::from_utf8_lossy(&self.bytes[self.line_start..self.at])
                .chars()
                .count()
                + 1;
            return Some((self.line, col));
        }
        self.node_start = true;
        self.in_plain = false;
        self.at += 1;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_nesting_counts_where_yaml_reads_a_bracket() {
        let deep = "[".repeat(65);
        let cases: &[(&str, Option<(usize, usize)>)] = &[
            ("a: [b, {c: d}]", None),
            ("[[[]]]", None),
            (&deep[1..], None),
            (&deep, Some((1, 65))),
        ];
        for (text, want) in cases {
            assert_eq!(flow_too_deep(text), *want, "{text}");
        }
        let cases = [
            format!("a: {deep}"),
            format!("- {deep}"),
            format!("- - ? {deep}"),
            format!("a: &x !!seq {deep}"),
            format!("a:\n  {deep}"),
            format!("a: [\n{deep}"),
            format!("a: {{b: [c, {deep}"),
            format!("a: [\"x\", '[', {deep}"),
            format!("--- {deep}"),
        ];
        for text in &cases {
            assert!(flow_too_deep(text).is_some(), "{text}");
        }
        assert_eq!(flow_too_deep(&format!("a:\n  b: {deep}")), Some((2, 70)));
    }

    #[test]
    fn brackets_in_text_never_count() {
        let deep = "[".repeat(1000);
        let cases = [
            format!("note: a {deep}"),
            format!("note: \"{deep}\""),
            format!("note: '{deep} it''s'"),
            format!("note: \"a\\\"{deep}\""),
            format!("note: |-\n  {deep}\n  {deep}\nnext: x"),
            format!("- >\n   {deep}\n\n   {deep}"),
            format!("a: b # {deep}"),
            format!("# {deep}"),
            format!("note: some text\n  {deep} goes on"),
            format!("a: [x, \"{deep}\", '{deep}'] # {deep}"),
            format!("key with {deep}: value"),
            format!("- item {deep}\n- other {deep}"),
        ];
        for text in &cases {
            assert_eq!(flow_too_deep(text), None, "{text}");
        }
    }

    #[test]
    fn a_record_keeps_any_text_readable() {
        // What the YAML writer writes for hostile strings reads back, so the
        // scan must pass it.
        let deep = "[{".repeat(500);
        for text in [
            deep.clone(),
            format!("a {deep}"),
            format!("{deep}\n{deep}"),
            format!("x\n  {deep}"),
            format!("'{deep}"),
            format!("\"{deep}\\"),
            format!("- {deep}"),
            format!("# {deep}"),
        ] {
            let map = std::collections::BTreeMap::from([("note", text.as_str())]);
            let list = vec![map.clone(), map];
            let yaml = crate::yaml::to_string(&list).unwrap();
            assert_eq!(flow_too_deep(&yaml), None, "{yaml}");
        }
    }
}
