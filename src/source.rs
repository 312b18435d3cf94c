//! A checklist's text: read from disk or given (a bundled one), checked,
//! normalised (BOM dropped, CRLF and CR made LF), and indexed by line so any
//! byte offset can be told as `line:col`.
//!
//! Normalising keeps the number of lines, so a line here is a line of the
//! file the user opened.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::exit::{Code, error};
use crate::file_digest::FileDigest;
pub use crate::file_digest::sha256_hex;
use crate::limits::Kind;

mod replaced;
pub use replaced::{Replaced, Replacements};

/// Larger files are refused before they are read: no real checklist comes
/// near it, and it keeps memory and time bounded on hostile input.
pub const MAX_BYTES: u64 = Kind::CHECKLIST_MAX_BYTES;

/// Headings, list items, quotes and code blocks each cost the parser a
/// node of a few hundred bytes to a few KiB, so within [`MAX_BYTES`] a
/// file of nothing but one-line headings, `[ ]` lines or `> > > ...` would
/// take gigabytes. Real checklists have a few hundred of each; more than
/// these is refused before parsing.
pub const MAX_HEADINGS: usize = 100_000;
pub const MAX_LIST_ITEMS: usize = 250_000;
pub const MAX_QUOTES: usize = 250_000;
pub const MAX_FENCES: usize = 200_000;
/// Paragraphs cost a node each too: a block is a line that follows a
/// blank one (a quote's `>` alone counts as blank).
pub const MAX_BLOCKS: usize = 500_000;
/// Inline markup characters (`[`, `]`, `<`, `&`, `\`, `` ` ``, `*`, `_`,
/// `~`, and `|`, a table cell's edge): pulldown-cmark makes a node of each
/// before it knows what it is, so 30 MiB of `[` took it 2 GB (and
/// relcheck 3 GB in all), a table row of 5.6 million cells 1.6 GB. At
/// this limit the costliest shape (`a* `) takes 320 MB. A generated
/// 250,000-item checklist has about 1.1 million.
pub const MAX_MARKUP: usize = 2_000_000;

#[derive(Debug, Clone)]
pub struct Source {
    /// What the user named, for messages: the path as given, or `NAME
    /// (bundled)`.
    pub display: String,
    /// The file on disk, when there is one.
    pub path: Option<PathBuf>,
    /// Shared with the model made of it ([`crate::model::SourceInfo`]),
    /// which keeps it for the record: one copy of a large file, not two.
    pub text: Arc<str>,
    /// Of the bytes as read, before normalisation: the record pins this.
    /// Read it with [`Source::sha256`].
    sha256: FileDigest,
    pub lines: LineIndex,
    /// Where normalising put a `�` for a character no terminal may see:
    /// `lint` says so, as the line no longer reads as written.
    pub replaced: Replacements,
}

impl Source {
    /// Reads a checklist file, within [`crate::limits`]: a regular file of
    /// at most [`MAX_BYTES`].
    pub fn read(path: &Path) -> anyhow::Result<Source> {
        let bytes = crate::limits::read(path, Kind::Checklist)?;
        Source::from_bytes(path.display().to_string(), Some(path.to_path_buf()), &bytes)
    }

    /// Reads a checklist the user named on the command line: a regular
    /// file, or a pipe (`<(...)`, `/dev/stdin`), never a named pipe left
    /// in a records folder (see [`crate::limits::read_given`]).
    pub fn read_given(path: &Path) -> anyhow::Result<Source> {
        let bytes = crate::limits::read_given(path, Kind::Checklist)?;
        Source::from_bytes(path.display().to_string(), Some(path.to_path_buf()), &bytes)
    }

    pub fn from_bytes(
        display: String,
        path: Option<PathBuf>,
        bytes: &[u8],
    ) -> anyhow::Result<Source> {
        // The name is shown in every message and screen about the file.
        let display = crate::printable::printable(&display).into_owned();
        if bytes.len() as u64 > MAX_BYTES {
            return Err(error(
                Code::Input,
                format!(
                    "{display}: is larger than {} MiB",
                    MAX_BYTES / (1024 * 1024)
                ),
            ));
        }
        // `contains` is a memchr; the position is only looked for when
        // there is one.
        if let Some(offset) = bytes
            .contains(&0)
            .then(|| bytes.iter().position(|&b| b == 0))
            .flatten()
        {
            return Err(error(
                Code::Input,
                format!(
                    "{display}: is a binary file (NUL byte at offset {offset}), not a checklist"
                ),
            ));
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => {
                let offset = err.valid_up_to();
                let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
                return Err(error(
                    Code::Input,
                    format!(
                        "{display}:{line}: invalid UTF-8 at byte offset {offset}; save the file as UTF-8"
                    ),
                ));
            }
        };
        let (text, sha256, replaced) = normalise_and_digest(text);
        if text.trim().is_empty() {
            return Err(error(Code::Input, format!("{display}: is empty")));
        }
        // The bounds are checked while the lines are found and the text
        // copied, on another core when the text is long.
        let (blocks, (lines, text)) = crate::cores::both(
            text.len() >= crate::cores::THREAD_BYTES,
            || check_blocks(&display, &text),
            || (LineIndex::new(&text), Arc::from(&*text)),
        );
        blocks?;
        Ok(Source {
            display,
            path,
            // Copied once, from the bytes read into the shared text.
            text,
            sha256,
            lines,
            replaced,
        })
    }

    /// A source made from text in memory (tests, fuzzing, benchmarks).
    pub fn from_text(display: &str, text: &str) -> Source {
        let (normalised, sha256, replaced) = normalise_and_digest(text);
        Source {
            display: display.to_string(),
            path: None,
            sha256,
            replaced,
            lines: LineIndex::new(&normalised),
            text: Arc::from(&*normalised),
        }
    }

    /// The lowercase hex SHA-256 of the bytes as read, before
    /// normalisation: what a record pins.
    pub fn sha256(&self) -> &str {
        self.sha256.hex(&self.text)
    }

    /// The digest, for a model of this source to carry: still deferred
    /// if it is here, as the model keeps the same text.
    pub fn digest(&self) -> FileDigest {
        self.sha256.clone()
    }

    /// Says this text is of bytes that hashed to `hex` (a record's copy
    /// of its checklist, a document rewritten before it is read).
    pub fn set_sha256(&mut self, hex: String) {
        self.sha256 = FileDigest::known(hex);
    }

    /// The source line (1-based) without its newline, for diagnostics.
    pub fn line_text(&self, line: usize) -> &str {
        self.lines.line_text(&self.text, line)
    }
}

/// [`normalise`]d text, and the digest of `text` as given (the bytes
/// read): hashed when first asked for, from the text, unless normalising
/// changed it (the text is then a copy, and what was read is gone by then).
fn normalise_and_digest(text: &str) -> (Cow<'_, str>, FileDigest, Replacements) {
    let (normalised, replaced) = normalise_noting(text);
    let digest = match normalised {
        Cow::Borrowed(_) => FileDigest::of_text(),
        Cow::Owned(_) => FileDigest::known(sha256_hex(text.as_bytes())),
    };
    (normalised, digest, replaced)
}

/// Refuses text with more than [`MAX_HEADINGS`] headings (`#`, a
/// `===`/`---` underline, an org-mode `** ` headline), [`MAX_LIST_ITEMS`]
/// list items (each marker that opens a line, `- - x` two of them; a
/// plain-text `[ ]` line and a table row, which become steps, count as
/// one), [`MAX_QUOTES`] quote levels opened (`>` deeper than the line
/// before), [`MAX_FENCES`] code fence lines, [`MAX_BLOCKS`] blocks (a
/// line after a blank one) or [`MAX_MARKUP`] inline markup characters.
/// Lines in code blocks count too: a cheap, generous bound, not a parse.
fn check_blocks(display: &str, text: &str) -> anyhow::Result<()> {
    let (mut headings, mut items, mut quotes, mut fences) = (0usize, 0usize, 0usize, 0usize);
    let (mut blocks, mut after_blank) = (0usize, true);
    // How deep in quotes the line before was: a quote of many lines is
    // one block, so only the levels a line opens count.
    let mut quoted = 0usize;
    for line in text.lines() {
        // The containers that open the line, each list marker counted (an
        // empty item, `1.` or `*` alone, too).
        let mut rest = line.as_bytes();
        let mut listed = false;
        let mut depth = 0usize;
        loop {
            rest = rest.trim_ascii_start();
            let marker = match rest {
                [b'>', ..] => {
                    depth += 1;
                    1
                }
                [b'-' | b'*' | b'+', b' ' | b'\t', ..] => 2,
                [b'*' | b'+'] => 1,
                [b'0'..=b'9', ..] => {
                    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
                    match rest.get(digits..) {
                        Some([b'.' | b')', b' ' | b'\t', ..]) => digits + 2,
                        Some([b'.' | b')']) => digits + 1,
                        _ => break,
                    }
                }
                _ => break,
            };
            if rest[0] != b'>' {
                items += 1;
                listed = true;
            }
            rest = &rest[marker..];
        }
        quotes += depth.saturating_sub(quoted);
        quoted = depth;
        let blank = !listed && rest.is_empty();
        if after_blank && !blank {
            blocks += 1;
        }
        after_blank = blank;
        match rest {
            [b'#', ..] => headings += 1,
            [first @ (b'=' | b'-'), ..] if rest.iter().all(|b| b == first) => headings += 1,
            [b'*', ..]
                if {
                    let stars = rest.iter().take_while(|&&b| b == b'*').count();
                    matches!(rest.get(stars), Some(b' ' | b'\t'))
                } =>
            {
                headings += 1;
            }
            [b'`', b'`', b'`', ..] | [b'~', b'~', b'~', ..] => fences += 1,
            [b'[' | b'(', _, b']' | b')', ..] | [b'|', ..] if !listed => items += 1,
            _ => {}
        }
    }
    let too_many = |count: usize, max: usize, what: &str| {
        (count > max).then(|| {
            error(
                Code::Input,
                format!(
                    "{display}: has {} {what}; relcheck reads up to {} in a checklist",
                    thousands(count),
                    thousands(max)
                ),
            )
        })
    };
    match too_many(headings, MAX_HEADINGS, "headings")
        .or_else(|| {
            too_many(
                items,
                MAX_LIST_ITEMS,
                "list items (`[ ]` lines and table rows count as items)",
            )
        })
        .or_else(|| too_many(quotes, MAX_QUOTES, "quote levels (`>`)"))
        .or_else(|| too_many(fences, MAX_FENCES, "code fence lines"))
        .or_else(|| {
            too_many(
                markup(text.as_bytes()),
                MAX_MARKUP,
                "inline markup characters (`[`, `]`, `<`, `&`, `\\`, `` ` ``, `*`, `_`, `~`, `|`)",
            )
        })
        .or_else(|| {
            too_many(
                blocks,
                MAX_BLOCKS,
                "paragraphs and blocks (lines after a blank line)",
            )
        }) {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

/// How many bytes of `text` are inline markup ([`MAX_MARKUP`]). Written
/// as comparisons summed a chunk at a time, which the compiler makes into
/// vector instructions: a pass over 9 MB in about a millisecond.
fn markup(text: &[u8]) -> usize {
    text.chunks(255)
        .map(|chunk| {
            let marks: u8 = chunk
                .iter()
                .map(|&b| {
                    u8::from(
                        (b == b'[')
                            | (b == b']')
                            | (b == b'<')
                            | (b == b'&')
                            | (b == b'\\')
                            | (b == b'`')
                            | (b == b'*')
                            | (b == b'_')
                            | (b == b'~')
                            | (b == b'|'),
                    )
                })
                .sum();
            usize::from(marks)
        })
        .sum()
}

/// `12,345`: counts in messages read at a glance.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Drops a leading BOM and makes every line end in LF. Control
/// characters (the start of an escape sequence, a bell) and bidirectional
/// overrides have no place in a checklist, and through its titles and
/// items they would reach a terminal: each becomes `�`, on its own line.
///
/// Borrowed when the text is kept as it is, as nearly every file is: a
/// copy of a long checklist is a copy of all its pages.
pub fn normalise(text: &str) -> Cow<'_, str> {
    normalise_noting(text).0
}

/// [`normalise`], and where it replaced a character: noted in the pass
/// that replaces them, which only a file holding one takes.
fn normalise_noting(text: &str) -> (Cow<'_, str>, Replacements) {
    let without_bom = text.strip_prefix('\u{feff}');
    let text = without_bom.unwrap_or(text);
    if has_unsafe_char(text) {
        let mut replaced = Replacements::default();
        // Lines as the normalised text has them: CRLF, CR and LF each end
        // one.
        let (mut line, mut col, mut after_cr) = (1, 1, false);
        let kept: String = text
            .chars()
            .map(|c| {
                let kept = if c != '\r' && crate::printable::unsafe_char(c) {
                    replaced.note(line, col, c);
                    '\u{fffd}'
                } else {
                    c
                };
                match c {
                    '\n' if after_cr => {}
                    '\n' | '\r' => (line, col) = (line + 1, 1),
                    _ => col += 1,
                }
                after_cr = c == '\r';
                kept
            })
            .collect();
        return (Cow::Owned(normalise(&kept).into_owned()), replaced);
    }
    (
        normalise_clean(text, without_bom.is_some()),
        Replacements::default(),
    )
}

/// [`normalise`] of a text with no character to replace, its BOM gone.
fn normalise_clean(text: &str, had_bom: bool) -> Cow<'_, str> {
    if !text.contains('\r') {
        // A text that lost its BOM is not the bytes read, which the
        // caller tells by the copy.
        return if had_bom {
            Cow::Owned(text.to_string())
        } else {
            Cow::Borrowed(text)
        };
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether [`normalise`] must replace a character: a byte at a time
/// through ASCII, which is most of any checklist, and a character at a
/// time only past a byte that starts a longer one.
fn has_unsafe_char(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        // Sixteen bytes of printable ASCII or line ends at a time, in a
        // way the compiler does as one vector test.
        if let Some(chunk) = bytes.get(at..at + 16)
            && chunk.iter().fold(true, |plain, &b| {
                plain & ((0x20..0x7f).contains(&b) | (b == b'\n'))
            })
        {
            at += 16;
            continue;
        }
        let byte = bytes[at];
        if byte.is_ascii() {
            // The ASCII controls `unsafe_char` names: all but `\n` and
            // `\t` (and `\r`, which is made a line end).
            if (byte < 0x20 && !matches!(byte, b'\n' | b'\t' | b'\r')) || byte == 0x7f {
                return true;
            }
            at += 1;
            continue;
        }
        // `at` is a character boundary: only whole characters were passed.
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        if crate::printable::unsafe_char(c) {
            return true;
        }
        at += c.len_utf8().max(1);
    }
    false
}

/// Byte offsets of line starts, so an offset becomes a line in O(log n).
///
/// Kept as `u32`: the index lives as long as its text, through parsing's
/// peak memory (1.5 MB saved at 100,000 items). Every text relcheck reads
/// is far below 4 GiB (a checklist at most 32 MiB, a record 512 MiB);
/// past that, offsets would saturate to the last line, never panic.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
}

fn narrow(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        // Counted first, so the list is made at its size: grown by
        // doubling it held up to twice that, for as long as the source.
        let ends = || memchr::memchr_iter(b'\n', text.as_bytes());
        let mut starts = Vec::with_capacity(1 + ends().count());
        starts.push(0);
        starts.extend(ends().map(|i| narrow(i + 1)));
        LineIndex { starts }
    }

    /// 1-based line of a byte offset; an offset past the end is on the last
    /// line.
    pub fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&narrow(offset)) {
            Ok(index) => index + 1,
            Err(index) => index,
        }
        .clamp(1, self.count())
    }

    /// 1-based column, counted in characters.
    pub fn col(&self, text: &str, offset: usize) -> usize {
        let line = self.line(offset);
        let start = self.start(line);
        let offset = offset.min(text.len());
        text.get(start..offset)
            .map_or(1, |prefix| prefix.chars().count() + 1)
    }

    pub fn start(&self, line: usize) -> usize {
        self.starts[line.clamp(1, self.count()) - 1] as usize
    }

    pub fn count(&self) -> usize {
        self.starts.len()
    }

    pub fn line_text<'a>(&self, text: &'a str, line: usize) -> &'a str {
        if line == 0 || line > self.count() {
            return "";
        }
        let start = self.start(line);
        let end = self
            .starts
            .get(line)
            .map_or(text.len(), |&next| next as usize - 1)
            .max(start);
        text.get(start..end).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_scan_for_unsafe_characters_agrees_with_the_character_rule() {
        for c in (0..0x3000)
            .filter_map(char::from_u32)
            .chain(['\u{10ffff}', '\u{e0001}'])
        {
            let text = format!("ab{c}é\r\n");
            let by_char = text
                .chars()
                .any(|c| c != '\r' && crate::printable::unsafe_char(c));
            assert_eq!(has_unsafe_char(&text), by_char, "{:?}", c);
        }
    }

    /// The scan passes sixteen plain bytes at a time: an unsafe character
    /// at, straddling or just past a sixteen-byte boundary, or in the
    /// short tail after the last whole chunk, is still found.
    #[test]
    fn unsafe_characters_are_found_at_every_offset_of_a_sixteen_byte_chunk() {
        let unsafe_ones = [
            "\x1b", "\x07", "\x7f", "\x0b", "\u{85}", "\u{9b}", "\u{202e}",
        ];
        let safe_ones = [
            "\t", "\r", "\n", "é", "中", "😀", "\u{200b}", "\u{feff}", "\u{2028}",
        ];
        for len in 0..50 {
            for at in 0..=len {
                let plain = "x".repeat(len);
                for c in unsafe_ones.iter().chain(&safe_ones) {
                    let text = format!("{}{c}{}", &plain[..at], &plain[at..]);
                    let by_char = text
                        .chars()
                        .any(|c| c != '\r' && crate::printable::unsafe_char(c));
                    assert_eq!(has_unsafe_char(&text), by_char, "{text:?}");
                    assert_eq!(by_char, unsafe_ones.contains(c), "{text:?}");
                }
            }
        }
    }

    /// A text is kept borrowed exactly when normalising leaves it as read,
    /// which is when its digest may be taken of the text later.
    #[test]
    fn normalised_text_is_borrowed_exactly_when_it_is_the_text_as_read() {
        let long = "- [ ] a plain line of more than sixteen bytes\n".repeat(3);
        for (text, kept) in [
            (long.clone(), true),
            (format!("\u{feff}{long}"), false),
            (long.replace('\n', "\r\n"), false),
            (long.replace('\n', "\r"), false),
            (format!("{long}\x1b[2J"), false),
            (format!("\u{feff}\u{feff}{long}"), false),
            (format!("{long}\u{feff}é\t"), true),
            (String::new(), true),
        ] {
            let normalised = normalise(&text);
            assert_eq!(matches!(normalised, Cow::Borrowed(_)), kept, "{text:?}");
            assert_eq!(normalised == text, kept, "{text:?}");
        }
    }

    /// Each line holding a replaced character is noted at its first,
    /// by line and column of the normalised text, with how many more;
    /// a clean text notes none.
    #[test]
    fn replaced_characters_are_noted_by_line_and_column() {
        let noted = |text: &str| {
            let source = Source::from_text("x.md", text);
            (
                source.replaced.lines,
                source
                    .replaced
                    .first
                    .iter()
                    .map(|r| (r.line, r.col, r.was, r.more))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            noted("\u{feff}# T\r\n\x1b[31m# D\r- [ ] a\x07\x07b\n\n\t\u{202e}x\r\n"),
            (
                3,
                vec![(2, 1, '\x1b', 0), (3, 8, '\x07', 1), (5, 2, '\u{202e}', 0)]
            )
        );
        assert_eq!(noted("# T\r\n- [ ] a\n"), (0, vec![]));
        // A file of nothing but escapes: the first lines kept, all counted.
        let (lines, first) = noted(&"\x1b\x1b\n".repeat(Replacements::KEPT + 5));
        assert_eq!(
            (lines, first.len()),
            (Replacements::KEPT + 5, Replacements::KEPT)
        );
        assert_eq!(
            first[Replacements::KEPT - 1],
            (Replacements::KEPT, 1, '\x1b', 1)
        );
    }

    #[test]
    fn crlf_cr_and_bom_are_normalised_without_changing_line_count() {
        assert_eq!(normalise("\u{feff}a\r\nb\rc\n"), "a\nb\nc\n");
    }

    #[test]
    fn offsets_map_to_one_based_lines_and_columns() {
        let text = "ab\ncd\n\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.line(0), 1);
        assert_eq!(index.line(2), 1);
        assert_eq!(index.line(3), 2);
        assert_eq!(index.line(6), 3);
        assert_eq!(index.line(7), 4);
        assert_eq!(index.line(100), 4);
        assert_eq!(index.col(text, 4), 2);
        assert_eq!(index.line_text(text, 2), "cd");
        assert_eq!(index.line_text(text, 3), "");
        assert_eq!(index.line_text(text, 4), "x");
    }

    #[test]
    fn invalid_utf8_names_the_byte_offset_and_line() {
        let err = Source::from_bytes("x.md".into(), None, b"# T\n- [ ] a\xff").unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.md:2: invalid UTF-8 at byte offset 11; save the file as UTF-8"
        );
    }

    #[test]
    fn more_headings_or_list_items_than_the_limits_are_refused() {
        let text = "## h\n".repeat(MAX_HEADINGS + 1);
        let err = Source::from_bytes("h.md".into(), None, text.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "h.md: has 100,001 headings; relcheck reads up to 100,000 in a checklist"
        );
        let text = "- [ ] x\n".repeat(MAX_LIST_ITEMS + 1);
        let err = Source::from_bytes("i.md".into(), None, text.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "i.md: has 250,001 list items (`[ ]` lines and table rows count as items); relcheck reads up to 250,000 in a checklist"
        );
        let text = "# t\n".to_string() + &"- [ ] x\n".repeat(MAX_LIST_ITEMS);
        assert!(Source::from_bytes("ok.md".into(), None, text.as_bytes()).is_ok());
    }

    /// What becomes a node is counted however it is written: markers
    /// nested on one line, plain-text boxes, table rows, org headlines,
    /// quotes and fences. Each shape at the limit is read; one more is
    /// refused, by the count of what was written.
    #[test]
    fn every_shape_that_makes_a_node_counts_toward_its_limit() {
        let refused = |text: String| {
            Source::from_bytes("x.md".into(), None, text.as_bytes())
                .err()
                .map(|err| err.to_string())
        };
        let cases: [(&str, usize, &str); 15] = [
            ("- ", MAX_LIST_ITEMS, "list items"),
            ("1. ", MAX_LIST_ITEMS, "list items"),
            ("> ", MAX_QUOTES, "quote levels"),
            ("x\n\n", MAX_BLOCKS, "paragraphs and blocks"),
            ("> x\n>\n", MAX_BLOCKS, "paragraphs and blocks"),
            ("1.\n", MAX_LIST_ITEMS, "list items"),
            ("*\n", MAX_LIST_ITEMS, "list items"),
            ("[ ] x\n", MAX_LIST_ITEMS, "list items"),
            ("| a | b |\n", MAX_LIST_ITEMS, "list items"),
            ("*** h\n", MAX_HEADINGS, "headings"),
            ("```\n", MAX_FENCES, "code fence lines"),
            ("~~~\n", MAX_FENCES, "code fence lines"),
            ("[\n", MAX_MARKUP, "inline markup characters"),
            ("\\\n", MAX_MARKUP, "inline markup characters"),
            ("a|\n", MAX_MARKUP, "inline markup characters"),
        ];
        for (unit, max, what) in cases {
            let text = |n: usize| {
                // Markers nested on one line end in a step; the others are
                // lines of their own.
                let tail = if unit.ends_with('\n') { "" } else { "[ ] x\n" };
                format!("t\n{}{tail}", unit.repeat(n))
            };
            assert_eq!(refused(text(max)), None, "{unit:?} at its limit");
            let err = refused(text(max + 1)).unwrap_or_default();
            assert!(
                err.starts_with(&format!("x.md: has {} {what}", thousands(max + 1))),
                "{unit:?}: {err}"
            );
        }
        // A task item is one item, not a list item and a box.
        let tasks = "- [ ] x\n".repeat(MAX_LIST_ITEMS);
        assert_eq!(refused(format!("# t\n{tasks}")), None);
        // A quote of many lines is one quote, however deep.
        let quote = "> > a reply, quoted\n".repeat(MAX_QUOTES);
        assert_eq!(refused(format!("# t\n- [ ] x\n\n{quote}")), None);
    }

    #[test]
    fn binary_and_empty_files_are_refused() {
        let err = Source::from_bytes("x.bin".into(), None, b"\x7fELF\0\0").unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.bin: is a binary file (NUL byte at offset 4), not a checklist"
        );
        let err = Source::from_bytes("e.md".into(), None, b" \n\n").unwrap_err();
        assert_eq!(err.to_string(), "e.md: is empty");
    }
}
