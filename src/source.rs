//! A checklist's text: read from disk or from the bundled set, checked,
//! normalised (BOM dropped, CRLF and CR made LF), and indexed by line so any
//! byte offset can be told as `line:col`.
//!
//! Normalising keeps the number of lines, so a line here is a line of the
//! file the user opened.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::bundled;
use crate::exit::{Code, error};

/// Larger files are refused before they are read: no real checklist comes
/// near it, and it keeps memory and time bounded on hostile input.
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Source {
    /// What the user named, for messages: the path as given, or `NAME
    /// (bundled)`.
    pub display: String,
    /// The file on disk, when there is one.
    pub path: Option<PathBuf>,
    pub text: String,
    /// Of the bytes as read, before normalisation: the record pins this.
    pub sha256: String,
    pub lines: LineIndex,
}

impl Source {
    /// A path that exists is read; otherwise a bundled checklist by that name
    /// (with or without `.md`).
    pub fn open(arg: &str) -> anyhow::Result<Source> {
        let path = Path::new(arg);
        // A folder that happens to share a bundled checklist's name does
        // not hide it.
        if path.is_file() || (path.exists() && bundled::find(arg).is_none()) {
            return Source::read(path);
        }
        if let Some(bundled) = bundled::find(arg) {
            return Source::from_bytes(
                format!("{} (bundled)", bundled.file_name),
                None,
                bundled.text.as_bytes(),
            );
        }
        Err(error(
            Code::Input,
            format!(
                "{arg}: no such file, and no bundled checklist of that name (`relcheck list` shows them)"
            ),
        ))
    }

    pub fn read(path: &Path) -> anyhow::Result<Source> {
        let display = path.display().to_string();
        let meta = std::fs::metadata(path)
            .map_err(|err| error(Code::Input, format!("{display}: {}", io_reason(&err))))?;
        if meta.is_dir() {
            return Err(error(Code::Input, format!("{display}: is a directory")));
        }
        if meta.len() > MAX_BYTES {
            return Err(error(
                Code::Input,
                format!(
                    "{display}: is {} MiB; relcheck reads checklists up to {} MiB",
                    meta.len() / (1024 * 1024),
                    MAX_BYTES / (1024 * 1024)
                ),
            ));
        }
        // A device or pipe has no length to check first: read at most one
        // byte past the limit, so /dev/zero is refused, not read forever.
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|file| file.take(MAX_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|err| error(Code::Input, format!("{display}: {}", io_reason(&err))))?;
        Source::from_bytes(display, Some(path.to_path_buf()), &bytes)
    }

    pub fn from_bytes(
        display: String,
        path: Option<PathBuf>,
        bytes: &[u8],
    ) -> anyhow::Result<Source> {
        if bytes.len() as u64 > MAX_BYTES {
            return Err(error(
                Code::Input,
                format!(
                    "{display}: is larger than {} MiB",
                    MAX_BYTES / (1024 * 1024)
                ),
            ));
        }
        let sha256 = sha256_hex(bytes);
        if let Some(offset) = bytes.iter().position(|&b| b == 0) {
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
        let text = normalise(text);
        if text.trim().is_empty() {
            return Err(error(Code::Input, format!("{display}: is empty")));
        }
        let lines = LineIndex::new(&text);
        Ok(Source {
            display,
            path,
            text,
            sha256,
            lines,
        })
    }

    /// A source made from text in memory (tests, fuzzing, benchmarks).
    pub fn from_text(display: &str, text: &str) -> Source {
        let normalised = normalise(text);
        Source {
            display: display.to_string(),
            path: None,
            sha256: sha256_hex(text.as_bytes()),
            lines: LineIndex::new(&normalised),
            text: normalised,
        }
    }

    /// The source line (1-based) without its newline, for diagnostics.
    pub fn line_text(&self, line: usize) -> &str {
        self.lines.line_text(&self.text, line)
    }
}

fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => err.to_string(),
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Drops a leading BOM and makes every line end in LF.
pub fn normalise(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !text.contains('\r') {
        return text.to_string();
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
    out
}

/// Byte offsets of line starts, so an offset becomes a line in O(log n).
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line of a byte offset; an offset past the end is on the last
    /// line.
    pub fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(index) => index + 1,
            Err(index) => index,
        }
        .clamp(1, self.count())
    }

    /// 1-based column, counted in characters.
    pub fn col(&self, text: &str, offset: usize) -> usize {
        let line = self.line(offset);
        let start = self.starts[line - 1];
        let offset = offset.min(text.len());
        text.get(start..offset)
            .map_or(1, |prefix| prefix.chars().count() + 1)
    }

    pub fn start(&self, line: usize) -> usize {
        self.starts[line.clamp(1, self.count()) - 1]
    }

    pub fn count(&self) -> usize {
        self.starts.len()
    }

    pub fn line_text<'a>(&self, text: &'a str, line: usize) -> &'a str {
        if line == 0 || line > self.count() {
            return "";
        }
        let start = self.starts[line - 1];
        let end = self
            .starts
            .get(line)
            .map_or(text.len(), |next| next - 1)
            .max(start);
        &text[start..end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
