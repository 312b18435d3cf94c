//! The SHA-256 a record pins of a checklist file's bytes, worked out the
//! first time it is asked for.
//!
//! `lint` and `show` of a large file never need it (a record, `attest` and
//! `reconcile` do), and for 100,000 items it costs more than the whole
//! Markdown pass. It is deferred only when the bytes as read are the text
//! as kept (no BOM, CR or control character was changed), so the text
//! stands for them; otherwise it is taken at once, since the bytes are
//! not kept.
//!
//! Clones share one digest: a model made from a source gets the digest
//! the source works out (on another thread, say), and the other way round.

use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer};
use sha2::{Digest, Sha256};

use crate::source_text::SourceText;

#[derive(Debug, Clone, Default)]
pub struct FileDigest {
    hex: Arc<OnceLock<String>>,
}

impl FileDigest {
    /// The digest of the text it will be asked with: that text is the
    /// file's bytes.
    pub fn of_text() -> FileDigest {
        FileDigest::default()
    }

    /// A digest already known (taken of bytes that are not kept, or
    /// carried by a record).
    pub fn known(hex: String) -> FileDigest {
        FileDigest {
            hex: Arc::new(OnceLock::from(hex)),
        }
    }

    /// The lowercase hex digest. `text` must be the text this digest was
    /// made for (the owner's own text): it is hashed only if the digest
    /// was deferred.
    pub fn hex(&self, text: &str) -> &str {
        self.hex.get_or_init(|| sha256_hex(text.as_bytes()))
    }

    /// [`FileDigest::hex`] of a text that may be packed, hashed a piece at
    /// a time.
    pub fn hex_of(&self, text: &SourceText) -> &str {
        self.hex.get_or_init(|| {
            let mut hasher = Sha256::new();
            let _ = text.for_each_piece(|piece| {
                hasher.update(piece.as_bytes());
                Ok::<(), std::convert::Infallible>(())
            });
            hex(&hasher.finalize())
        })
    }
}

/// Lowercase hex SHA-256 of `bytes` (also `crate::source::sha256_hex`).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of `bytes`, two digits a byte: by table, since a
/// `format!` a byte was most of hashing each of a long record's parts.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    out
}

impl<'de> Deserialize<'de> for FileDigest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<FileDigest, D::Error> {
        String::deserialize(deserializer).map(FileDigest::known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_digest_once_worked_out() {
        let text = "# T\n";
        let digest = FileDigest::of_text();
        let copy = digest.clone();
        std::thread::scope(|scope| {
            scope.spawn(|| digest.hex(text).to_string());
        });
        assert_eq!(
            copy.hex.get().map(String::as_str),
            Some(sha256_hex(text.as_bytes()).as_str())
        );
    }

    #[test]
    fn a_deferred_digest_is_the_texts_and_a_known_one_is_kept() {
        let text = "# T\n- [ ] a\n";
        assert_eq!(FileDigest::of_text().hex(text), sha256_hex(text.as_bytes()));
        assert_eq!(
            FileDigest::known("ab".repeat(32)).hex(text),
            "ab".repeat(32)
        );
    }
}
