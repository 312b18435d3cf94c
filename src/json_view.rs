//! The model as `show --format json` prints it: byte for byte what
//! `serde_json::to_writer_pretty` writes, made fast for a long checklist.
//! Pretty-printing a 100,000-item model was a fifth of the command's time,
//! most of it in one-byte writes; here each line's indent is one write,
//! and a second thread renders phases while this one writes them, in
//! order, so no more than a few phases' text is held at once.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use serde::Serialize;
use serde_json::ser::Formatter;

use crate::model::{Checklist, Phase};

/// Below this many items one thread renders it all: a second one costs
/// more to start than it saves.
const SHARED_FROM: usize = 2_000;

/// How many rendered phases the second thread may have waiting.
const AHEAD: usize = 4;

/// Writes `checklist` as pretty JSON (two-space indents, as serde_json's
/// own), without the final line end.
pub fn write(checklist: &Checklist, out: &mut dyn Write) -> io::Result<()> {
    let threads = if checklist.items().nth(SHARED_FROM).is_some() {
        2
    } else {
        1
    };
    write_with(checklist, out, threads)
}

fn write_with(checklist: &Checklist, out: &mut dyn Write, threads: usize) -> io::Result<()> {
    let mut chunks = Chunks {
        buf: Vec::with_capacity(Chunks::SIZE),
        out,
    };
    let phases = &checklist.phases;
    // `phases` is the model's last member: the rest is written as serde
    // would with no phases, and the phases are put in place of its `[]`.
    let head = serialize(&head(checklist), 0)?;
    let Some(open) = head.strip_suffix(b"[]\n}").filter(|_| !phases.is_empty()) else {
        chunks.write_all(&head)?;
        return chunks.finish();
    };
    chunks.write_all(open)?;
    chunks.write_all(b"[")?;
    if threads > 1 {
        write_shared(phases, &mut chunks)?;
    } else {
        for (at, phase) in phases.iter().enumerate() {
            write_phase(at, phase, &mut chunks)?;
        }
    }
    chunks.write_all(b"\n  ]\n}")?;
    chunks.finish()
}

/// The checklist without its phases. Written out field by field, so a
/// member added to the model must be added here too (the compiler says).
fn head(checklist: &Checklist) -> Checklist {
    let Checklist {
        title,
        description,
        format,
        source,
        front_matter,
        signoff,
        variables,
        phases: _,
    } = checklist;
    Checklist {
        title: title.clone(),
        description: description.clone(),
        format: *format,
        source: source.clone(),
        front_matter: front_matter.clone(),
        signoff: *signoff,
        variables: variables.clone(),
        phases: Vec::new(),
    }
}

/// Phase `at` as an element of the top-level `phases` list.
fn write_phase(at: usize, phase: &Phase, out: &mut impl Write) -> io::Result<()> {
    out.write_all(if at == 0 { b"\n    " } else { b",\n    " })?;
    let mut serializer = serde_json::Serializer::with_formatter(out, Indented::at(2));
    // As an I/O error, so a reader that went away (`| head`) is still a
    // broken pipe, which is no error.
    phase.serialize(&mut serializer).map_err(io::Error::from)
}

fn serialize(value: &impl Serialize, level: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut buf, Indented::at(level));
    value.serialize(&mut serializer).map_err(io::Error::from)?;
    Ok(buf)
}

/// Phases rendered by this thread and one other, each taking the next
/// phase not yet taken; this one writes them in order. A phase due next
/// is rendered straight into `out`; one rendered early waits in memory.
fn write_shared(phases: &[Phase], out: &mut Chunks) -> io::Result<()> {
    let next = AtomicUsize::new(0);
    let take = || next.fetch_add(1, Ordering::Relaxed);
    std::thread::scope(|scope| {
        let (sender, rendered) = mpsc::sync_channel::<(usize, Vec<u8>)>(AHEAD);
        // If no thread can be had, the closure and its sender are dropped
        // and this thread renders every phase.
        let _ = std::thread::Builder::new().spawn_scoped(scope, move || {
            loop {
                let at = take();
                let Some(phase) = phases.get(at) else {
                    return;
                };
                let mut buf = Vec::new();
                if write_phase(at, phase, &mut buf).is_err() || sender.send((at, buf)).is_err() {
                    return;
                }
            }
        });
        let mut waiting: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
        let mut written = 0;
        while written < phases.len() {
            if let Some(buf) = waiting.remove(&written) {
                out.write_all(&buf)?;
                written += 1;
                continue;
            }
            let at = take();
            if let Some(phase) = phases.get(at) {
                if at == written {
                    write_phase(at, phase, out)?;
                    written += 1;
                } else {
                    let mut buf = Vec::new();
                    write_phase(at, phase, &mut buf)?;
                    waiting.insert(at, buf);
                }
                waiting.extend(rendered.try_iter());
            } else {
                match rendered.recv() {
                    Ok((at, buf)) => {
                        waiting.insert(at, buf);
                    }
                    // The other thread is gone with phases it took not
                    // sent (it cannot fail but by panicking): the rest
                    // are written here.
                    Err(_) => {
                        for (at, phase) in phases.iter().enumerate().skip(written) {
                            match waiting.remove(&at) {
                                Some(buf) => out.write_all(&buf)?,
                                None => write_phase(at, phase, out)?,
                            }
                        }
                        written = phases.len();
                    }
                }
            }
        }
        Ok(())
    })
}

/// serde_json's `PrettyFormatter` with two-space indents, writing a line's
/// end and indent at once; `at(level)` starts nested that deep, so a part
/// rendered alone lines up with the whole.
struct Indented {
    level: usize,
    has_value: bool,
}

impl Indented {
    fn at(level: usize) -> Indented {
        Indented {
            level,
            has_value: false,
        }
    }

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

    /// What serde_json itself writes, and what each way here writes.
    fn each_way(checklist: &Checklist) -> (String, Vec<String>) {
        let expected = serde_json::to_string_pretty(checklist).unwrap();
        let written = [1, 2]
            .iter()
            .map(|&threads| {
                let mut out = Vec::new();
                write_with(checklist, &mut out, threads).unwrap();
                String::from_utf8(out).unwrap()
            })
            .collect();
        (expected, written)
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
        let (expected, written) = each_way(&checklist);
        assert_eq!(written, [expected.clone(), expected]);
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
            let (expected, written) = each_way(&checklist);
            assert!(expected.contains(&format!("{}\"y44\": \"deep\"", " ".repeat(2 * 46))));
            assert_eq!(written, [expected.clone(), expected]);
        }
    }

    #[test]
    fn a_small_checklist_is_written_by_one_thread_as_serde_json_writes_it() {
        let checklist = checklist("# T\n\n## A\n\n- [ ] One\n\n## B\n\n- [ ] Two\n");
        let mut out = Vec::new();
        write(&checklist, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string_pretty(&checklist).unwrap()
        );
    }
}
