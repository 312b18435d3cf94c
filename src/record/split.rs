//! A long record read on every core: its items are most of it (a
//! 10,000-item record is 6 MB of YAML, 5 of them items), and each item is
//! a YAML document of its own but for where it sits. The text is cut
//! before item entries, each piece read on a thread, and the rest of the
//! record read with an empty item list; the items are then put back in
//! order.
//!
//! The cuts must never change what the file says. An item entry begins
//! at a line that starts with `- ` in the first column of the `items:`
//! block, and nothing inside an item can begin there: its keys and block
//! text are indented, and a quoted text or a flow list that runs across
//! such a line leaves the piece before it unclosed, which does not read.
//! So a piece that does not read, any anchor or alias (the reader's
//! alias limits count a whole file, which pieces read apart would not),
//! a `%` directive, or anything else out of the shape relcheck writes
//! sends the whole text to the one reader instead, which then gives the
//! same record or the same error as it always did.

use std::sync::atomic::{AtomicBool, Ordering};

use super::{ItemResult, Record};

/// Below this a record is read in one piece: threads cost more than
/// they save (a 1,000-item record is about 600 KB).
const MIN_BYTES: usize = 1 << 20;

/// About how much of the items block a piece holds: small enough that
/// the cores finish close together, large enough that a piece's reader
/// costs little beside its reading.
const PIECE_BYTES: usize = 256 << 10;

/// What a core reads: the record without its items, or a run of items.
enum Piece<'t> {
    Rest(&'t str),
    Items(&'t str),
}

/// A piece, read.
enum Read {
    Record(Box<Record>),
    Items(Vec<ItemResult>),
}

/// The record in `text`, read in pieces on every core, or `None` when it
/// is short, not of the shape relcheck writes, or any piece does not
/// read: the caller then reads it whole.
pub(super) fn read(text: &str) -> Option<Record> {
    if text.len() < MIN_BYTES || text.starts_with('%') || text.contains("\n%") {
        return None;
    }
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if threads < 2 {
        return None;
    }
    if !keys_in_plain_sight(text) {
        return None;
    }
    let (start, end) = items_block(text)?;
    let rest = format!(
        "{}items: []\n{}",
        &text[..start - "items:\n".len()],
        &text[end..]
    );
    // The rest of the record (the checklist's text and outline, the
    // sign-offs' parts: a third of a long record) and the items in pieces,
    // each core taking the next piece not yet read: items read slower
    // than the rest, byte for byte, so shares fixed by size would leave
    // one core waiting on the other. The rest goes first, being largest.
    let block = &text[start..end];
    let count = (block.len() / PIECE_BYTES).max(threads);
    let mut pieces = vec![Piece::Rest(&rest)];
    pieces.extend(cut(block, count).into_iter().map(Piece::Items));
    // Once a piece has not read, the file goes to the one reader: the
    // pieces not yet taken are left unread (a text broken early, read in
    // every piece first, took twice as long to refuse as before).
    let failed = AtomicBool::new(false);
    let mut read = crate::cores::map(&pieces, 1, |piece| {
        if failed.load(Ordering::Relaxed) {
            return None;
        }
        let read = match piece {
            Piece::Rest(text) => crate::yaml::from_str_without_aliases::<Box<Record>>(text)
                .ok()
                .map(Read::Record),
            Piece::Items(text) => crate::yaml::from_str_without_aliases::<Vec<ItemResult>>(text)
                .ok()
                .map(Read::Items),
        };
        if read.is_none() {
            failed.store(true, Ordering::Relaxed);
        }
        read
    })
    .into_iter();
    // A piece that did not read, or whose thread panicked, sends the
    // record to the one reader.
    let Some(Some(Some(Read::Record(mut record)))) = read.next() else {
        return None;
    };
    let mut items = Vec::new();
    for piece in read {
        let Some(Some(Read::Items(piece))) = piece else {
            return None;
        };
        items.push(piece);
    }
    if !record.items.is_empty() {
        return None;
    }
    record.items = items.into_iter().flatten().collect();
    Some(*record)
}

/// Whether the record's top-level keys are all where a line-by-line look
/// sees them, as relcheck writes them: the text begins with `schema:`
/// (so the top-level map is in the first column), every line in the first
/// column is a plain lowercase key (`run:`), a `- ` entry, a comment or
/// blank, and exactly one of them is the `items:` key. Otherwise an
/// `items:` line found by a text search may be inside a quoted text (a
/// note, an unknown key) whose record has `items: []` elsewhere, and the
/// pieces would read items the file does not hold; or the real key may be
/// spelled another way (`"items":`, `? items`). Such a text is read whole.
fn keys_in_plain_sight(text: &str) -> bool {
    if !text.starts_with("schema:") {
        return false;
    }
    let mut items_keys = 0;
    for line in text.split('\n') {
        let bytes = line.as_bytes();
        match bytes.first() {
            None | Some(b' ' | b'#') => continue,
            Some(b'-') if bytes.get(1) == Some(&b' ') => continue,
            _ => {}
        }
        let key = bytes
            .iter()
            .take_while(|b| b.is_ascii_lowercase() || **b == b'_')
            .count();
        let plain_key = key > 0
            && bytes.get(key) == Some(&b':')
            && matches!(bytes.get(key + 1), None | Some(b' '));
        if !plain_key {
            return false;
        }
        if &line[..key] == "items" {
            items_keys += 1;
        }
    }
    items_keys == 1
}

/// Where the `items:` block's entries are: from the line after
/// `items:` (a top-level key) to the first line in the first column that
/// is not an entry, a comment or blank.
fn items_block(text: &str) -> Option<(usize, usize)> {
    let start = text.find("\nitems:\n")? + "\nitems:\n".len();
    if !text[start..].starts_with("- ") {
        return None;
    }
    let mut at = start;
    for line in text[start..].split_inclusive('\n') {
        let first = line.as_bytes()[0];
        let inside = matches!(first, b' ' | b'#' | b'\n') || line.starts_with("- ");
        if !inside {
            break;
        }
        at += line.len();
    }
    Some((start, at))
}

/// `block` cut into about `count` pieces of whole entries.
fn cut(block: &str, count: usize) -> Vec<&str> {
    let size = block.len().div_ceil(count.max(1));
    let mut pieces = Vec::with_capacity(count);
    let mut left = block;
    while !left.is_empty() {
        let (piece, after) = split_at_entry(left, size);
        pieces.push(piece);
        left = after;
    }
    pieces
}

/// `block` in two at the first entry that begins `size` bytes or more
/// into it: before a line that begins an entry, or at its end.
fn split_at_entry(block: &str, size: usize) -> (&str, &str) {
    if size == 0 {
        return ("", block);
    }
    let mut want = size.min(block.len());
    while !block.is_char_boundary(want) {
        want += 1;
    }
    let at = block[want..]
        .find("\n- ")
        .map_or(block.len(), |i| want + i + 1);
    block.split_at(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_items_block_ends_at_the_next_top_level_key() {
        let text = "schema: x\nitems:\n- id: a\n  note: |\n    b\n# c\n\n- id: d\nevents: []\n";
        let (start, end) = items_block(text).unwrap();
        assert_eq!(
            &text[start..end],
            "- id: a\n  note: |\n    b\n# c\n\n- id: d\n"
        );
        assert_eq!(items_block("items: []\n"), None);
    }

    /// The example record of docs/RECORD.md, its items repeated past
    /// [`MIN_BYTES`] under ids of their own.
    fn long_text() -> String {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/record-v2-serde-yaml.yaml"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let mut record = Record::from_yaml(&text, std::path::Path::new("r.yaml")).unwrap();
        let items = record.items.clone();
        record.items = (0..900)
            .flat_map(|n| {
                items.iter().map(move |item| {
                    let mut item = item.clone();
                    item.id = format!("{}-{n}", item.id).into();
                    item
                })
            })
            .collect();
        let text = record.to_yaml().unwrap();
        assert!(text.len() > MIN_BYTES);
        text
    }

    #[test]
    fn a_long_record_reads_the_same_in_pieces() {
        let text = long_text();
        let whole: Record = crate::yaml::from_str(&text).unwrap();
        assert_eq!(read(&text), Some(whole));
    }

    /// A quoted text that runs across an entry's first column reads as
    /// one text to the YAML reader: the piece before it does not read, so
    /// the record is read whole, to what the one reader gives.
    #[test]
    fn text_across_a_cut_sends_the_record_to_the_one_reader() {
        let text = long_text();
        let at = text.len() / 2;
        let line = at + text[at..].find("\n- id: ").unwrap();
        let end = line + 1 + text[line + 1..].find('\n').unwrap();
        let forged = format!(
            "{}\n  note: \"across{}\"{}",
            &text[..line],
            &text[line..end],
            &text[end..]
        );
        assert_eq!(read(&forged), None);
        let whole = crate::yaml::from_str::<Record>(&forged).map(|r| r.items.len());
        let via = Record::from_yaml(&forged, std::path::Path::new("r.yaml"));
        match (whole, via) {
            (Ok(whole), Ok(via)) => assert_eq!(via.items.len(), whole),
            (Err(whole), Err(via)) => {
                let at = format!("r.yaml{}: not a relcheck record: {whole}", whole.at());
                assert_eq!(via.to_string(), at);
            }
            (whole, via) => panic!("{whole:?} against {:?}", via.map(|r| r.items.len())),
        }
    }

    /// Only a text whose one `items:` key a line-by-line look can tell
    /// from the rest is cut: a quoted `items:` line, a key spelled another
    /// way, or a map not in the first column sends it to the one reader.
    #[test]
    fn the_items_key_must_be_in_plain_sight() {
        let cases: &[(&str, bool)] = &[
            (
                "schema: x\nitems:\n- id: a\n  b: c\n# d\n\nevents: []\n",
                true,
            ),
            (
                "schema: x\nnote: \"a\nitems:\n- id: a\n\"\nitems: []\n",
                false,
            ),
            ("schema: x\nitems:\n- id: a\n\"items\": []\n", false),
            ("schema: x\nitems:\n- id: a\n? items\n: []\n", false),
            ("schema: x\nitems:\n- id: a\nitems : []\n", false),
            (" schema: x\nitems:\n- id: a\n", false),
            ("\u{feff}schema: x\nitems:\n- id: a\n", false),
            ("schema: x\r\nitems:\r\n- id: a\r\n", false),
            ("schema: x\nitems:\n- id: a\n---\nitems: []\n", false),
            ("schema: x\nitems:\n\t- id: a\n", false),
            ("schema: x\nevents: []\n", false),
        ];
        for (text, want) in cases {
            assert_eq!(keys_in_plain_sight(text), *want, "{text:?}");
        }
    }

    #[test]
    fn pieces_are_whole_entries() {
        let block = "- id: a\n  x: 1\n- id: b\n- id: c\n  y: |\n    - no\n- id: d\n";
        for count in 1..6 {
            let pieces = cut(block, count);
            assert_eq!(pieces.concat(), block, "{count}");
            assert!(pieces.iter().all(|p| p.starts_with("- id: ")), "{pieces:?}");
        }
    }
}
