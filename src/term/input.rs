//! Bytes from a raw terminal to keys.
//!
//! relcheck puts the terminal in raw mode once for the whole run and reads
//! it itself, instead of console's `read_key_raw`, which switches raw mode
//! on and off around every key: between two keys the terminal was briefly
//! cooked (a key typed then was echoed, and Ctrl-C raised SIGINT and ended
//! the run even while only a command was meant to stop), and its restore
//! waits for output to drain, so a key could be stamped long after it was
//! read. Parsing is pure, so it is tested without a terminal.

use console::Key;
use nix::sys::termios::{self, Termios};

/// `saved` made raw for reading keys one at a time, with output left as
/// it was (a newline still starts a new line at the left).
pub fn raw(saved: &Termios) -> Termios {
    let mut modes = saved.clone();
    termios::cfmakeraw(&mut modes);
    modes.output_flags = saved.output_flags;
    modes
}

/// The keys in `bytes`, and what is left over: the start of a character
/// whose other bytes have not come yet. An escape with nothing after it in
/// the same read is the Escape key; terminals send a key's sequence in one
/// write.
pub fn parse(bytes: &[u8]) -> (Vec<Key>, Vec<u8>) {
    let mut keys = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        let (key, used) = match byte {
            0x03 => (Key::CtrlC, 1),
            b'\r' | b'\n' => (Key::Enter, 1),
            0x7f | 0x08 => (Key::Backspace, 1),
            b'\t' => (Key::Tab, 1),
            0x1b => escape(&bytes[at + 1..]),
            0x00..=0x7f => (Key::Char(char::from(byte)), 1),
            _ => {
                let width = match byte {
                    0xc0..=0xdf => 2,
                    0xe0..=0xef => 3,
                    0xf0..=0xf7 => 4,
                    _ => 1,
                };
                if at + width > bytes.len() {
                    return (keys, bytes[at..].to_vec());
                }
                let key = std::str::from_utf8(&bytes[at..at + width])
                    .ok()
                    .and_then(|s| s.chars().next())
                    .map_or(Key::Unknown, Key::Char);
                (key, width)
            }
        };
        keys.push(key);
        at += used;
    }
    (keys, Vec::new())
}

/// The key an escape starts, from the bytes after it, and how many bytes
/// it takes with the escape.
fn escape(rest: &[u8]) -> (Key, usize) {
    match rest {
        [] => (Key::Escape, 1),
        [b'[', tail @ ..] => {
            // Parameters, then a final byte in 0x40..=0x7e.
            let Some(end) = tail.iter().position(|b| (0x40..=0x7e).contains(b)) else {
                return (Key::UnknownEscSeq(chars(rest)), 1 + rest.len());
            };
            let used = 1 + 1 + end + 1;
            let key = match (&tail[..end], tail[end]) {
                (b"", b'A') => Key::ArrowUp,
                (b"", b'B') => Key::ArrowDown,
                (b"", b'C') => Key::ArrowRight,
                (b"", b'D') => Key::ArrowLeft,
                (b"", b'H') | (b"1" | b"7", b'~') => Key::Home,
                (b"", b'F') | (b"4" | b"8", b'~') => Key::End,
                (b"", b'Z') => Key::BackTab,
                (b"2", b'~') => Key::Insert,
                (b"3", b'~') => Key::Del,
                (b"5", b'~') => Key::PageUp,
                (b"6", b'~') => Key::PageDown,
                _ => Key::UnknownEscSeq(chars(&rest[..used - 1])),
            };
            (key, used)
        }
        [b'O', b, ..] => {
            let key = match b {
                b'A' => Key::ArrowUp,
                b'B' => Key::ArrowDown,
                b'C' => Key::ArrowRight,
                b'D' => Key::ArrowLeft,
                b'H' => Key::Home,
                b'F' => Key::End,
                _ => Key::UnknownEscSeq(chars(&rest[..2])),
            };
            (key, 3)
        }
        // Alt and a key: neither is meant alone.
        [b, ..] => (Key::UnknownEscSeq(vec![char::from(*b)]), 2),
    }
}

fn chars(bytes: &[u8]) -> Vec<char> {
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_to_keys() {
        let cases: [(&[u8], Vec<Key>); 14] = [
            (b"yyyyy", vec![Key::Char('y'); 5]),
            (
                b"T-1\r",
                vec![Key::Char('T'), Key::Char('-'), Key::Char('1'), Key::Enter],
            ),
            (b"\x03", vec![Key::CtrlC]),
            (b"\x1b", vec![Key::Escape]),
            (b"\x7f\x08", vec![Key::Backspace, Key::Backspace]),
            (b"\x1b[A\x1b[B", vec![Key::ArrowUp, Key::ArrowDown]),
            (b"\x1bOA", vec![Key::ArrowUp]),
            (b"\x1b[5~\x1b[6~", vec![Key::PageUp, Key::PageDown]),
            (b"\x1b[H\x1b[F", vec![Key::Home, Key::End]),
            (b"\x1b[1~\x1b[4~", vec![Key::Home, Key::End]),
            (b"\x1b[7~\x1b[8~", vec![Key::Home, Key::End]),
            (
                b"\x1b[1;5Cx",
                vec![
                    Key::UnknownEscSeq(vec!['[', '1', ';', '5', 'C']),
                    Key::Char('x'),
                ],
            ),
            (b"\x1bl", vec![Key::UnknownEscSeq(vec!['l'])]),
            ("é✓".as_bytes(), vec![Key::Char('é'), Key::Char('✓')]),
        ];
        for (bytes, keys) in cases {
            assert_eq!(parse(bytes), (keys, Vec::new()), "{bytes:?}");
        }
    }

    #[test]
    fn a_character_split_between_reads_waits_for_its_end() {
        let bytes = "a✓".as_bytes();
        let (keys, rest) = parse(&bytes[..2]);
        assert_eq!((keys, rest.clone()), (vec![Key::Char('a')], vec![bytes[1]]));
        let mut next = rest;
        next.extend_from_slice(&bytes[2..]);
        assert_eq!(parse(&next), (vec![Key::Char('✓')], Vec::new()));
    }
}
