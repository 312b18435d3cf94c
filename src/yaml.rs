//! Every YAML read and write in relcheck goes through here: records,
//! answers files, front matter. Nothing else names the YAML crate, so the
//! crate can be changed in one file (BENCHMARKS.md, "The YAML library"),
//! and every caller gets the same limits and the same `FILE:LINE:COL:`
//! errors.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::exit::{Code, error};
use crate::limits::Kind;

/// A YAML tree, for the few callers that edit a document before writing
/// it (the lean record form) or walk one whatever its shape (answers).
pub use serde_yaml::{Mapping, Number, Value};

/// Why YAML did not read or write: the reader's message without its own
/// position suffix, and where it happened, when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
    at: Option<Position>,
}

/// Where in the text an error is: 1-based line and column, and the byte
/// offset from the start of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub index: usize,
}

impl Error {
    pub fn position(&self) -> Option<Position> {
        self.at
    }

    /// `:LINE:COL` when the position is known, for `FILE:LINE:COL: ...`.
    pub fn at(&self) -> String {
        self.at
            .map(|p| format!(":{}:{}", p.line, p.column))
            .unwrap_or_default()
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    fn of(err: serde_yaml::Error) -> Error {
        let at = err.location().map(|l| Position {
            line: l.line(),
            column: l.column(),
            index: l.index(),
        });
        let mut message = err.to_string();
        // serde_yaml puts " at line L column C" into most messages; the
        // caller puts the position before the message, once. (Another
        // position, where a scalar began, stays.)
        if let Some(p) = at {
            message = message.replacen(&format!(" at line {} column {}", p.line, p.column), "", 1);
        }
        Error { message, at }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// `text` as a `T`. No limits: for text relcheck wrote itself or that
/// [`read`] has already checked.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    serde_yaml::from_str(text).map_err(Error::of)
}

/// A tree from [`from_str`] as a `T`.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    serde_yaml::from_value(value).map_err(Error::of)
}

pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, Error> {
    serde_yaml::to_value(value).map_err(Error::of)
}

pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    serde_yaml::to_string(value).map_err(Error::of)
}

/// Streams `value` as YAML to `out`: a record of 100,000 items is written
/// without first being built as one string.
pub fn to_writer<W: std::io::Write, T: Serialize + ?Sized>(out: W, value: &T) -> Result<(), Error> {
    serde_yaml::to_writer(out, value).map_err(Error::of)
}

/// The YAML text of a file of `kind`, named `display` in messages, as a
/// `T`: refused (exit 3) when it nests past the limits of
/// [`crate::limits`], and otherwise when it does not read, as one line
/// `DISPLAY:LINE:COL: WHAT: MESSAGE` (`what` is empty or ends in `: `).
pub fn read<T: DeserializeOwned>(
    text: &str,
    display: &str,
    kind: Kind,
    what: &str,
) -> anyhow::Result<T> {
    crate::limits::check_yaml(text, display, kind)?;
    from_str(text).map_err(|err| error(Code::Input, format!("{display}{}: {what}{err}", err.at())))
}

/// The part of a document before its top-level key `key`: for reading a
/// record's header (schema, checklist, run) without its items, which are
/// nearly all of its bytes. The whole text when `key` is not there.
///
/// Sound for documents relcheck writes, where a top-level key is a plain
/// `key:` at the start of a line; any other line starting `key:` would be
/// inside a block scalar, which relcheck indents.
pub fn head<'a>(text: &'a str, key: &str) -> &'a str {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line
            .strip_prefix(key)
            .is_some_and(|rest| rest.starts_with(':'))
        {
            return &text[..at];
        }
        at += line.len();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Head {
        schema: String,
    }

    #[test]
    fn errors_keep_their_position_once() {
        let err = from_str::<Head>("schema: [a]\n").unwrap_err();
        assert_eq!(err.at(), ":1:9");
        assert_eq!(
            err.to_string(),
            "schema: invalid type: sequence, expected a string"
        );
        assert_eq!(err.position().unwrap().index, 8);
        let err = from_str::<Head>("schema: x\nrun:\n\tid: 1\n").unwrap_err();
        assert_eq!(
            (err.at(), err.to_string()),
            (
                ":3:1".to_string(),
                "found character that cannot start any token, while scanning for the next token"
                    .to_string()
            )
        );
        let err = from_str::<Head>("other: 1\n").unwrap_err();
        assert_eq!(
            (err.at(), err.to_string()),
            (":1:1".to_string(), "missing field `schema`".to_string())
        );
    }

    #[test]
    fn read_names_the_file_line_and_column() {
        let err =
            read::<Head>("schema: [a]\n", "r.yaml", Kind::Record, "not a record: ").unwrap_err();
        assert_eq!(
            err.to_string(),
            "r.yaml:1:9: not a record: schema: invalid type: sequence, expected a string"
        );
        let deep = format!("schema: {}", "[".repeat(65));
        let err = read::<Head>(&deep, "r.yaml", Kind::Record, "").unwrap_err();
        assert!(err.to_string().starts_with("r.yaml:1:73: nests"), "{err}");
    }

    #[test]
    fn head_stops_at_the_top_level_key() {
        let text = "schema: x\nrun:\n  items: 1\nitems:\n- a\n";
        assert_eq!(head(text, "items"), "schema: x\nrun:\n  items: 1\n");
        assert_eq!(head(text, "gates"), text);
        assert_eq!(head("itemsx: 1\n", "items"), "itemsx: 1\n");
        let header: Head = from_str(head(text, "run")).unwrap();
        assert_eq!(header.schema, "x");
    }
}
