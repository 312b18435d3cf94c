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
