//! What relcheck agrees to read: regular files only, up to a size, and
//! YAML nested no deeper than [`YAML_MAX_DEPTH`]. Checklists, records and
//! answers files all come through here, so hostile input (`/dev/zero`, a
//! named pipe nobody writes to, a file of 100,000 `[`) is refused at once,
//! with one line naming the file, before anything parses it.

use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use nix::libc;

use crate::exit::{Code, error};

mod depth;

pub use depth::flow_too_deep;

const MIB: u64 = 1024 * 1024;

/// The kinds of file relcheck reads, each with its own limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Checklist,
    Record,
    Answers,
    /// A project's `relcheck.toml`.
    Config,
}

impl Kind {
    /// No real checklist comes near 32 MiB.
    pub const CHECKLIST_MAX_BYTES: u64 = 32 * MIB;
    /// relcheck writes records itself, and must always read them back: the
    /// largest checklist it reads (250,000 items, 32 MiB) makes a record of
    /// about 200 MiB, and each command run keeps up to 64 KiB of output.
    pub const RECORD_MAX_BYTES: u64 = 512 * MIB;
    /// An answers file for the largest checklist is about 20 MiB.
    pub const ANSWERS_MAX_BYTES: u64 = 64 * MIB;
    /// A config file is a screenful of keys; 1 MiB is room for thousands
    /// of `[set]` defaults and still reads at once.
    pub const CONFIG_MAX_BYTES: u64 = MIB;

    pub fn max_bytes(self) -> u64 {
        match self {
            Kind::Checklist => Kind::CHECKLIST_MAX_BYTES,
            Kind::Record => Kind::RECORD_MAX_BYTES,
            Kind::Answers => Kind::ANSWERS_MAX_BYTES,
            Kind::Config => Kind::CONFIG_MAX_BYTES,
        }
    }

    /// As messages say it: "cannot read the record".
    pub fn singular(self) -> &'static str {
        match self {
            Kind::Checklist => "checklist",
            Kind::Record => "record",
            Kind::Answers => "answers file",
            Kind::Config => "config file",
        }
    }

    /// As messages say it, in the plural: "relcheck reads records ...".
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Checklist => "checklists",
            Kind::Record => "records",
            Kind::Answers => "answers files",
            Kind::Config => "config files",
        }
    }
}

/// The whole of the regular file at `path`, refused (exit 3, one line
/// naming the path) when it is anything else or larger than `kind`
/// allows.
///
/// The file is opened non-blocking: opening a named pipe for reading
/// otherwise waits for a writer, for ever if none comes. Its type is then
/// taken from the open file, not the path, so nothing can swap the file
/// between the check and the read; and a regular file cannot block.
pub fn read(path: &Path, kind: Kind) -> anyhow::Result<Vec<u8>> {
    read_from(path, kind, false)
}

/// [`read`] for a file the user named on the command line, which may also
/// be a pipe: `relcheck lint <(curl ...)`, `/dev/stdin`. A pipe is read to
/// its end, as `cat` would (one nobody writes to ends at once, empty);
/// any other file that is not regular is refused as [`read`] refuses it.
pub fn read_given(path: &Path, kind: Kind) -> anyhow::Result<Vec<u8>> {
    read_from(path, kind, true)
}

/// The regular file at `path`, open for reading, refused as [`read`]
/// refuses it: for a reader that takes only the start of a file (a
/// record's header), which need not read the rest.
pub fn open(path: &Path, kind: Kind) -> anyhow::Result<std::fs::File> {
    Opened::new(path, kind, false).map(|opened| opened.file)
}

/// A file opened within `kind`'s limits, with what the messages about it
/// need.
struct Opened {
    file: std::fs::File,
    len: u64,
    display: String,
    kind: Kind,
}

impl Opened {
    /// Opens `path`: a regular file, or a pipe when `pipe`, no larger than
    /// `kind` allows.
    fn new(path: &Path, kind: Kind, pipe: bool) -> anyhow::Result<Opened> {
        let display = crate::printable::printable(&path.display().to_string()).into_owned();
        let refuse = |problem: String| error(Code::Input, format!("{display}: {problem}"));
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path)
            .map_err(|err| {
                // A socket cannot be opened at all: say what it is.
                match std::fs::metadata(path) {
                    Ok(meta) if !meta.is_file() => refuse(not_regular(meta.file_type(), kind)),
                    _ => refuse(unreadable(&err, kind)),
                }
            })?;
        let meta = file
            .metadata()
            .map_err(|err| refuse(unreadable(&err, kind)))?;
        if pipe && meta.file_type().is_fifo() {
            // Opened without waiting for a writer; now read as a pipe is read.
            nix::fcntl::fcntl(
                &file,
                nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::empty()),
            )
            .map_err(|err| refuse(unreadable(&std::io::Error::from(err), kind)))?;
        } else if !meta.is_file() {
            return Err(refuse(not_regular(meta.file_type(), kind)));
        }
        if meta.len() > kind.max_bytes() {
            return Err(refuse(too_large(meta.len(), kind)));
        }
        Ok(Opened {
            file,
            len: meta.len(),
            display,
            kind,
        })
    }

    fn refuse(&self, problem: String) -> anyhow::Error {
        error(Code::Input, format!("{}: {problem}", self.display))
    }
}

fn unreadable(err: &std::io::Error, kind: Kind) -> String {
    format!("cannot read the {}: {}", kind.singular(), io_reason(err))
}

fn read_from(path: &Path, kind: Kind, pipe: bool) -> anyhow::Result<Vec<u8>> {
    let opened = Opened::new(path, kind, pipe)?;
    let max = opened.kind.max_bytes();
    // The file may grow after the check: read no more than one byte past
    // the limit.
    let mut bytes = Vec::with_capacity(opened.len as usize);
    (&opened.file)
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| opened.refuse(unreadable(&err, kind)))?;
    if bytes.len() as u64 > max {
        return Err(opened.refuse(too_large(bytes.len() as u64, kind)));
    }
    Ok(bytes)
}

/// [`read`], as UTF-8 text; invalid UTF-8 is refused with its line and
/// byte offset.
pub fn read_text(path: &Path, kind: Kind) -> anyhow::Result<String> {
    let bytes = read(path, kind)?;
    String::from_utf8(bytes).map_err(|err| {
        let offset = err.utf8_error().valid_up_to();
        let line = err.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        error(
            Code::Input,
            format!(
                "{}:{line}: invalid UTF-8 at byte offset {offset}; relcheck reads {} as UTF-8",
                crate::printable::printable(&path.display().to_string()),
                kind.plural()
            ),
        )
    })
}

fn not_regular(file_type: std::fs::FileType, kind: Kind) -> String {
    let what = if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a named pipe (FIFO)"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a file"
    };
    format!(
        "is {what}, not a regular file; relcheck reads {} only from regular files",
        kind.plural()
    )
}

fn too_large(len: u64, kind: Kind) -> String {
    format!(
        "is {} MiB; relcheck reads {} up to {} MiB",
        len.div_ceil(MIB),
        kind.plural(),
        kind.max_bytes() / MIB
    )
}

pub fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => err.to_string(),
    }
}

/// How deep flow collections (`[...]`, `{...}`) may nest in YAML that
/// relcheck reads; relcheck's own records nest one level at most. The
/// YAML reader relcheck used before (serde_yaml) took minutes over a file
/// of 100,000 `[`; the one it uses now refuses past this depth itself, and
/// the scan here still names the place in relcheck's own words. It is
/// also the YAML reader's limit for any nesting, block collections
/// included (a record nests six levels): the reader recurses once a
/// level, and 64 levels fit a thread's stack even in a debug build.
pub const YAML_MAX_DEPTH: usize = 64;

/// Sign-offs a record holds at most (and so sign-off items a checklist
/// may have). Each binds every part before it, every earlier sign-off
/// included, so checking a record costs its sign-offs times its parts:
/// past this a hostile record (a real one has a handful) would keep
/// `verify` busy for minutes.
pub const MAX_SIGNOFFS: usize = 1_000;

/// Why YAML text is refused before the YAML reader sees it: larger than
/// `max_bytes`, or flow collections nested deeper than
/// [`YAML_MAX_DEPTH`] ([`flow_too_deep`] says where).
pub fn yaml_too_complex(text: &str, max_bytes: usize) -> Option<String> {
    if text.len() > max_bytes {
        return Some(format!("is larger than {} KiB", max_bytes / 1024));
    }
    flow_too_deep(text).map(|_| too_deep())
}

/// The message for YAML nested past [`YAML_MAX_DEPTH`].
pub fn too_deep() -> String {
    format!("nests `[` and `{{` deeper than {YAML_MAX_DEPTH} levels")
}

/// YAML text of a file of `kind` (named `display` in messages), refused
/// (exit 3) when flow collections nest deeper than [`YAML_MAX_DEPTH`],
/// naming the file, line and column.
pub fn check_yaml(text: &str, display: &str, kind: Kind) -> anyhow::Result<()> {
    match flow_too_deep(text) {
        None => Ok(()),
        Some((line, col)) => Err(error(
            Code::Input,
            format!(
                "{display}:{line}:{col}: {}; relcheck reads {} nested up to {YAML_MAX_DEPTH} levels",
                too_deep(),
                kind.plural()
            ),
        )),
    }
}

/// A YAML file of `kind` as text, within every limit: [`read_text`],
/// then [`check_yaml`]. What [`crate::record::Record::load`] reads.
pub fn read_yaml(path: &Path, kind: Kind) -> anyhow::Result<String> {
    let text = read_text(path, kind)?;
    let display = crate::printable::printable(&path.display().to_string()).into_owned();
    check_yaml(&text, &display, kind)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_too_large_or_too_deep_says_why() {
        assert_eq!(yaml_too_complex("a: [b, {c: d}]", 100), None);
        assert_eq!(
            yaml_too_complex(&"[".repeat(65), 1000).as_deref(),
            Some("nests `[` and `{` deeper than 64 levels")
        );
        assert_eq!(yaml_too_complex(&"[]".repeat(1000), 4096), None);
        assert_eq!(
            yaml_too_complex(&"a".repeat(3000), 2048).as_deref(),
            Some("is larger than 2 KiB")
        );
    }
}
