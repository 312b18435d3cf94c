//! The project's `relcheck.toml`: found from a directory upward, as
//! rustfmt finds `rustfmt.toml`, read within limits like every other
//! input, and checked strictly, so a mistyped key is an error naming its
//! line rather than a setting silently ignored (docs/CONFIG.md).
//!
//! The keys are the fields of [`Keys`]: adding a key is adding a field.
//! Which value wins over which (flags, environment, this file, defaults)
//! is decided in `effective.rs`, not here.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::exit::{Code, error};
use crate::limits::{self, Kind};
use crate::printable::printable;
use crate::source::LineIndex;

pub const FILE_NAME: &str = "relcheck.toml";

/// Every key the file may hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Keys {
    /// Where records go; relative to the file's folder.
    pub records_dir: Option<Spanned<PathBuf>>,
    /// Who may sign, in git's allowed signers format; relative to the
    /// file's folder.
    pub allowed_signers: Option<Spanned<PathBuf>>,
    /// Default `--set` values: used for the variables and fields a
    /// checklist has, ignored for the rest (one file serves every
    /// checklist of the project).
    #[serde(default)]
    pub set: BTreeMap<String, Spanned<String>>,
    /// The sign-off policy `verify` holds records to.
    #[serde(default)]
    pub signoff: Signoff,
    /// Web hooks `run` and `resume` post to, as `--notify` (docs/NOTIFY.md).
    #[serde(default)]
    pub notify: Vec<Spanned<String>>,
    /// Commit each record to git when a run stops, as `--commit`.
    pub commit: Option<Spanned<bool>>,
}

/// `[signoff]`: the meaning of a checklist's `signoff:` front matter and
/// of `verify --min-signoffs / --distinct-signers / --not-operator`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Signoff {
    pub min: Option<Spanned<u32>>,
    pub distinct: Option<Spanned<bool>>,
    pub not_operator: Option<Spanned<bool>>,
}

/// A default `--set` value from the config file, with the line that gave
/// it, for the message when a checklist refuses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preset {
    pub name: String,
    pub value: String,
    pub at: String,
}

/// A config file read and checked.
#[derive(Debug)]
pub struct ProjectFile {
    pub path: PathBuf,
    pub keys: Keys,
    lines: LineIndex,
}

impl ProjectFile {
    /// `FILE:LINE` of a value, as `relcheck config` shows where it came
    /// from.
    pub fn at(&self, span: Range<usize>) -> String {
        format!("{}:{}", self.path.display(), self.lines.line(span.start))
    }

    /// A path as the file gives it, taken from the file's own folder, so
    /// the setting means the same from any subfolder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        match self.path.parent() {
            Some(dir) if path.is_relative() && !dir.as_os_str().is_empty() => dir.join(path),
            _ => path.to_path_buf(),
        }
    }
}

/// The nearest `relcheck.toml` in `start` or a folder above it, up to the
/// filesystem root. Anything of that name counts, so a folder or a
/// dangling link named `relcheck.toml` is refused when read rather than
/// skipped for a file further up.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|path| path.symlink_metadata().is_ok())
}

/// The nearest config file from the current directory, read; `None` when
/// there is none.
pub fn discover() -> anyhow::Result<Option<ProjectFile>> {
    let cwd = std::env::current_dir().map_err(|err| {
        error(
            Code::Input,
            format!("cannot tell the current directory: {err}"),
        )
    })?;
    find(&cwd).map(|path| load(&path)).transpose()
}

/// The file at `path`, refused (exit 3, one line naming the file and the
/// line) when it is not a regular file, too large, not UTF-8, not TOML,
/// or holds a key or a value relcheck does not know.
pub fn load(path: &Path) -> anyhow::Result<ProjectFile> {
    let text = limits::read_text(path, Kind::Config)?;
    let lines = LineIndex::new(&text);
    let display = printable(&path.display().to_string()).into_owned();
    let at = |span: Option<Range<usize>>| match span {
        Some(span) => format!("{display}:{}", lines.line(span.start)),
        None => display.clone(),
    };
    let keys: Keys = toml::from_str(&text).map_err(|err| {
        let message = match unknown_key(err.message()) {
            Some((known, expected)) => {
                let key = err
                    .span()
                    .and_then(|span| text.get(span))
                    .map_or(known.clone(), |k| k.trim_matches(['"', '\'']).to_string());
                format!(
                    "unknown key `{}`{}",
                    printable(&key),
                    crate::answers::suggest(&key, &expected)
                )
            }
            None => first_line(err.message()),
        };
        error(Code::Input, format!("{}: {message}", at(err.span())))
    })?;
    if let Some(min) = &keys.signoff.min
        && *min.get_ref() == 0
    {
        return Err(error(
            Code::Input,
            format!(
                "{}: [signoff] min = 0: give at least 1, or leave it out",
                at(Some(min.span()))
            ),
        ));
    }
    for (name, value) in &keys.set {
        let problem = crate::template::too_long(value.get_ref()).or_else(|| {
            crate::printable::breaks_line(value.get_ref())
                .then(|| "holds a control character, a line break or a direction override; values are recorded and shown on one line, so give plain text".to_string())
        });
        if let Some(problem) = problem {
            return Err(error(
                Code::Input,
                format!(
                    "{}: [set] {}: the value {problem}",
                    at(Some(value.span())),
                    printable(name)
                ),
            ));
        }
    }
    Ok(ProjectFile {
        path: path.to_path_buf(),
        keys,
        lines,
    })
}

/// serde's "unknown field `x`, expected one of `a`, `b`" (or "expected
/// `a`"), taken apart: the key, and the keys that table allows, which are
/// the nearest to suggest.
fn unknown_key(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, expected) = rest.split_once('`')?;
    let known = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((key.to_string(), known))
}

/// The TOML reader's message, on one line: it may quote the source below
/// its first line, and the line is already given.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or("").trim();
    // serde names Rust's type; `min` is the only number.
    printable(&line.replace("expected u32", "expected a whole number")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_messages_are_taken_apart() {
        assert_eq!(
            unknown_key("unknown field `recrds-dir`, expected one of `records-dir`, `set`"),
            Some((
                "recrds-dir".to_string(),
                vec!["records-dir".to_string(), "set".to_string()]
            ))
        );
        assert_eq!(
            unknown_key("unknown field `x`, expected `min`"),
            Some(("x".to_string(), vec!["min".to_string()]))
        );
        assert_eq!(unknown_key("invalid type: string"), None);
    }

    #[test]
    fn the_nearest_file_wins() {
        let top = tempfile::tempdir().unwrap();
        let inner = top.path().join("a/b");
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(top.path().join(FILE_NAME), "").unwrap();
        assert_eq!(find(&inner), Some(top.path().join(FILE_NAME)));
        std::fs::write(top.path().join("a").join(FILE_NAME), "").unwrap();
        assert_eq!(find(&inner), Some(top.path().join("a").join(FILE_NAME)));
    }
}
