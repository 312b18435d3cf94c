//! The checklist's text a record carries: as read, or packed once a run
//! holds it.
//!
//! A record carries its checklist whole (docs/RECORD.md), and a run keeps
//! the record in memory from start to end: for a 9 MB checklist that was
//! a tenth of a 100,000-item run's peak, held only to be written out again
//! at each whole save. Packed (LZ4, in blocks), the text takes a tenth of
//! that or less and comes back a block at a time, as the record's writers
//! take it ([`SourceText::for_each_piece`]): no save unpacks it whole.
//! Everything else reads it as one `&str` ([`SourceText::text`]). An
//! answers file's text is held so too while the checklist is parsed
//! (`answers::AnswersFile`).

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes of text packed alone: a piece a writer is given at most.
const BLOCK: usize = 64 * 1024;

#[derive(Clone)]
pub struct SourceText(Held);

#[derive(Clone)]
enum Held {
    Plain(Arc<str>),
    Packed(Arc<Packed>),
}

/// Each block is a run of whole characters, packed alone, so each comes
/// back as a `str` of its own.
struct Packed {
    blocks: Vec<Box<[u8]>>,
    len: usize,
}

impl SourceText {
    /// The same text, packed: shared with nothing that holds it as read.
    pub fn packed(&self) -> SourceText {
        match &self.0 {
            Held::Plain(text) => SourceText::pack(text),
            Held::Packed(_) => self.clone(),
        }
    }

    /// `text`, packed.
    pub fn pack(text: &str) -> SourceText {
        let mut blocks = Vec::with_capacity(text.len().div_ceil(BLOCK));
        let mut rest = text;
        while !rest.is_empty() {
            let mut end = rest.len().min(BLOCK);
            while !rest.is_char_boundary(end) {
                end -= 1;
            }
            let block = lz4_flex::block::compress_prepend_size(&rest.as_bytes()[..end]);
            blocks.push(block.into_boxed_slice());
            rest = &rest[end..];
        }
        SourceText(Held::Packed(Arc::new(Packed {
            blocks,
            len: text.len(),
        })))
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        match &self.0 {
            Held::Plain(text) => text.len(),
            Held::Packed(packed) => packed.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole text: borrowed as read, or unpacked into a new string.
    pub fn text(&self) -> Cow<'_, str> {
        match &self.0 {
            Held::Plain(text) => Cow::Borrowed(text),
            Held::Packed(packed) => {
                let mut whole = String::with_capacity(packed.len);
                packed.for_each_block(|piece| {
                    whole.push_str(piece);
                    Ok::<(), std::convert::Infallible>(())
                });
                Cow::Owned(whole)
            }
        }
    }

    /// Gives the text to `each` in order, a piece at a time, each piece
    /// whole characters; the pieces make the text. Stops at the first
    /// error.
    pub fn for_each_piece<E>(&self, each: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
        let mut each = each;
        match &self.0 {
            Held::Plain(text) if text.is_empty() => Ok(()),
            Held::Plain(text) => each(text),
            Held::Packed(packed) => packed.for_each_block(each),
        }
    }
}

impl Packed {
    fn for_each_block<E>(&self, mut each: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
        for block in &self.blocks {
            // Packed here from whole characters, so both steps hold; a
            // block that did not would be memory gone bad, not input.
            let bytes = lz4_flex::block::decompress_size_prepended(block)
                .expect("a block packed by this process unpacks");
            let piece = std::str::from_utf8(&bytes).expect("a block packed from a str is one");
            each(piece)?;
        }
        Ok(())
    }
}

impl From<Arc<str>> for SourceText {
    fn from(text: Arc<str>) -> SourceText {
        SourceText(Held::Plain(text))
    }
}

impl From<&str> for SourceText {
    fn from(text: &str) -> SourceText {
        SourceText(Held::Plain(text.into()))
    }
}

impl Default for SourceText {
    fn default() -> SourceText {
        SourceText::from("")
    }
}

impl PartialEq for SourceText {
    fn eq(&self, other: &SourceText) -> bool {
        self.len() == other.len() && self.text() == other.text()
    }
}

impl Eq for SourceText {}

/// Shown as the text it holds, packed or not.
impl std::fmt::Debug for SourceText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.text(), f)
    }
}

/// A string, whichever way it is held.
impl Serialize for SourceText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text())
    }
}

impl<'de> Deserialize<'de> for SourceText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SourceText, D::Error> {
        String::deserialize(deserializer).map(|text| SourceText::from(Arc::<str>::from(text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text across several blocks, with characters of two to four bytes
    /// placed over the blocks' ends.
    fn long_text() -> String {
        let mut text = String::new();
        let mut n = 0;
        while text.len() < 3 * BLOCK + 100 {
            text.push_str(["- [ ] step ", "é", "✓ ", "𝄞", "\n"][n % 5]);
            n += 1;
        }
        text
    }

    #[test]
    fn packed_text_reads_as_the_text_it_was() {
        for text in ["", "x", "# T\n\n- [ ] a\n", &long_text()] {
            let plain = SourceText::from(text);
            let packed = plain.packed();
            assert_eq!(packed.len(), text.len());
            assert_eq!(packed.text(), text);
            assert_eq!(packed, plain);
            let mut pieces = String::new();
            packed
                .for_each_piece(|piece| {
                    assert!(piece.len() <= BLOCK);
                    pieces.push_str(piece);
                    Ok::<(), ()>(())
                })
                .unwrap();
            assert_eq!(pieces, text);
        }
    }

    #[test]
    fn a_long_text_packs_to_several_blocks_and_less_room() {
        let text = long_text();
        let SourceText(Held::Packed(packed)) = SourceText::from(text.as_str()).packed() else {
            panic!("packed");
        };
        assert_eq!(packed.blocks.len(), 4);
        let room: usize = packed.blocks.iter().map(|block| block.len()).sum();
        assert!(room < text.len() / 4, "{room} of {}", text.len());
    }

    #[test]
    fn a_piece_error_stops_the_pieces() {
        let packed = SourceText::from(long_text().as_str()).packed();
        let mut seen = 0;
        let result = packed.for_each_piece(|_| {
            seen += 1;
            Err("stop")
        });
        assert_eq!((result, seen), (Err("stop"), 1));
    }

    #[test]
    fn reads_and_writes_as_a_string() {
        let packed = SourceText::from("a\nb\n").packed();
        assert_eq!(serde_json::to_string(&packed).unwrap(), r#""a\nb\n""#);
        let read: SourceText = serde_json::from_str(r#""a\nb\n""#).unwrap();
        assert_eq!(read, packed);
    }
}
