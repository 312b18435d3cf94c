//! The model as `show --format json` prints it: byte for byte what
//! `serde_json::to_writer_pretty` writes, made faster for a long
//! checklist. Pretty-printing a 100,000-item model was a fifth of the
//! command's time, much of it in indents written two spaces at a time;
//! here a line's end and indent are one write.
//!
//! Phases rendered by a second thread while this one wrote saved 25 ms
//! of 390 on an idle machine, lost time on a busy one, and held 12 MB
//! more at the peak (BENCHMARKS.md, part 1, fifth pass): not done.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

use crate::model::Checklist;

/// Writes `checklist` as pretty JSON (two-space indents, as serde_json's
/// own), without the final line end.
pub fn write(checklist: &Checklist, out: &mut dyn Write) -> io::Result<()> {
    let mut chunks = Chunks {
        buf: Vec::with_capacity(Chunks::SIZE),
        out,
    };
    let mut serializer = serde_json::Serializer::with_formatter(&mut chunks, Indented::default());
    // As an I/O error, so a reader that went away (`| head`) is still a
    // broken pipe, which is no error.
    checklist
        .serialize(&mut serializer)
        .map_err(io::Error::from)?;
    chunks.finish()
}

/// serde_json's `PrettyFormatter` with two-space indents, writing a line's
/// end and indent at once.
#[derive(Default)]
struct Indented {
    level: usize,
    has_value: bool,
}

impl Indented {
    /// A comma when `comma`, the line's end, and the indent of the level
    /// now open; in one write up to 32 levels deep.
    fn new_line<W: ?Sized + Write>(&self, out: &mut W, comma: bool) -> io::Result<()> {
        const LINE: &[u8] = b",\n                                                                ";
        let start = usize::from(!comma);
        let mut spaces = 2 * self.level;
        let first = spaces.min(LINE.len() - 2);
        out.write_all(&LINE[start..2 + first])?;
        spaces -= first;
        while spaces > 0 {
            let more = spaces.min(LINE.len() - 2);
            out.write_all(&LINE[2..2 + more])?;
            spaces -= more;
        }
        Ok(())
    }
}

impl Formatter for Indented {
    #[inline]
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(b"[")
    }

    #[inline]
    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.new_line(out, false)?;
        }
        out.write_all(b"]")
    }

    #[inline]
    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.new_line(out, !first)
    }

    #[inline]
    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    #[inline]
    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(b"{")
    }

    #[inline]
    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.new_line(out, false)?;
        }
        out.write_all(b"}")
    }

    #[inline]
    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.new_line(out, !first)
    }

    #[inline]
    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    #[inline]
    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// The JSON gathered in a buffer of its own before it goes to `out`:
/// serde_json writes a few bytes at a time, and through `dyn Write` each
/// of those writes was a call (a third of `show --format json`'s time on
/// a large checklist) where a push onto a `Vec` is a copy.
struct Chunks<'a> {
    buf: Vec<u8>,
    out: &'a mut dyn Write,
}

impl Chunks<'_> {
    const SIZE: usize = 64 * 1024;

    /// Hands what is left to `out`, which the caller flushes.
    fn finish(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

impl Write for Chunks<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    // serde_json calls this one: written here, not as the default loop
    // over `write`, so the push is inlined into it.
    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= Self::SIZE {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.finish()?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn checklist(text: &str) -> Checklist {
        crate::parse::parse(&Source::from_text("test.md", text)).checklist
    }

    /// What serde_json itself writes, and what is written here.
    fn both_ways(checklist: &Checklist) -> (String, String) {
        let expected = serde_json::to_string_pretty(checklist).unwrap();
        let mut out = Vec::new();
        write(checklist, &mut out).unwrap();
        (expected, String::from_utf8(out).unwrap())
    }

    #[test]
    fn a_long_checklist_is_written_as_serde_json_writes_it() {
        let mut text = String::from("---\ntitle: Long\nowner: [a, b]\n---\n");
        for phase in 0..40 {
            text.push_str(&format!("## Phase {phase}\n\n### Checks\n\n"));
            for item in 0..60 {
                text.push_str(&format!(
                    "- [ ] Step {item} of \"{phase}\" <!-- relcheck: timeout=5 -->\n  ```sh\n  echo {item}\n  ```\n"
                ));
            }
            text.push_str("\n- [ ] Error rate below 1% for 10 minutes\n\n");
        }
        let checklist = checklist(&text);
        assert_eq!(checklist.phases.len(), 40);
        let (expected, written) = both_ways(&checklist);
        assert_eq!(written, expected);
    }

    #[test]
    fn deep_front_matter_and_no_phases_are_written_as_serde_json_writes_them() {
        // Nested deeper than the indent kept ready (32 levels).
        let mut front = String::from("---\nx:");
        for depth in 1..45 {
            front.push_str(&format!("\n{}y{depth}:", "  ".repeat(depth)));
        }
        front.push_str(" deep\n---\n");
        for text in [format!("{front}# Title\n\n- [ ] One\n"), front.clone()] {
            let checklist = checklist(&text);
            let (expected, written) = both_ways(&checklist);
            assert!(expected.contains(&format!("{}\"y44\": \"deep\"", " ".repeat(2 * 46))));
            assert_eq!(written, expected);
        }
    }
}
