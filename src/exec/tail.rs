//! The end of a command's output: what the record keeps of it.

use std::collections::VecDeque;

/// A tail that starts mid-line is cut to the next line when that line
/// starts this close; past it, to the next character (one huge line).
const LINE_CUT_WINDOW: usize = 1024;

/// The last `limit` bytes of a stream, and how many came before them.
#[derive(Debug, Default)]
pub(super) struct Tail {
    limit: usize,
    // Seen by exec's tests, which check how a push trims.
    pub(super) bytes: VecDeque<u8>,
    pub(super) dropped: u64,
    /// The byte just before the kept ones, to tell whether they start a
    /// line.
    pub(super) last_dropped: Option<u8>,
}

impl Tail {
    pub(super) fn new(limit: usize) -> Tail {
        Tail {
            limit,
            ..Tail::default()
        }
    }

    pub(super) fn push(&mut self, chunk: &[u8]) {
        let excess = (self.bytes.len() + chunk.len()).saturating_sub(self.limit);
        if excess > 0 {
            let from_kept = excess.min(self.bytes.len());
            let from_chunk = excess - from_kept;
            self.last_dropped = Some(if from_chunk > 0 {
                chunk[from_chunk - 1]
            } else {
                self.bytes[from_kept - 1]
            });
            self.bytes.drain(..from_kept);
            self.dropped += excess as u64;
            self.bytes.extend(&chunk[from_chunk..]);
        } else {
            self.bytes.extend(chunk);
        }
    }

    /// The kept bytes as text, and the count of bytes left out. A tail that
    /// starts mid-line loses that partial line (or, on one huge line, a
    /// partial character) so it reads cleanly.
    pub(super) fn into_text(self) -> (String, u64) {
        let bytes = Vec::from(self.bytes);
        let cut = match self.last_dropped {
            None | Some(b'\n') => 0,
            Some(_) => {
                let window = &bytes[..bytes.len().min(LINE_CUT_WINDOW)];
                match window.iter().position(|&b| b == b'\n') {
                    Some(newline) => newline + 1,
                    // Skip UTF-8 continuation bytes: at most three.
                    None => bytes
                        .iter()
                        .take(3)
                        .take_while(|&&b| b & 0xC0 == 0x80)
                        .count(),
                }
            }
        };
        let text = String::from_utf8_lossy(&bytes[cut..]).into_owned();
        (text, self.dropped + cut as u64)
    }
}
