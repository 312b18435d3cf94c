//! Every YAML read and write in relcheck goes through here: records,
//! answers files, front matter. Nothing else names the YAML crate, so the
//! crate can be changed in one file (BENCHMARKS.md, "The YAML library"),
//! and every caller gets the same limits and the same `FILE:LINE:COL:`
//! errors.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_saphyr::{DuplicateKeyPolicy, MergeKeyPolicy, MessageFormatter, NonFiniteFloatPolicy};

use crate::exit::{Code, error};
use crate::limits::Kind;

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
    /// A write that failed under the YAML writer (a full disk).
    pub fn io(err: std::io::Error) -> Error {
        Error {
            message: err.to_string(),
            at: None,
        }
    }

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

    fn of(err: serde_saphyr::Error, text: &str) -> Error {
        // The cause, not the wrappers that say where an alias led to it.
        let mut err = err.without_snippet();
        while let serde_saphyr::Error::AliasError { error, .. }
        | serde_saphyr::Error::WithSnippet { error, .. } = err
        {
            err = error;
        }
        let at = err.location().filter(|l| l.line() > 0).map(|l| {
            let (line, column) = (l.line() as usize, l.column() as usize);
            Position {
                line,
                column,
                index: l
                    .span()
                    .byte_offset()
                    .map_or_else(|| index_of(text, line, column), |i| i as usize),
            }
        });
        let message = match err {
            // The reader's own words name its option, which is not the
            // operator's to set.
            serde_saphyr::Error::DuplicateMappingKey { key: Some(key), .. } => {
                format!("`{key}` is given twice")
            }
            serde_saphyr::Error::DuplicateMappingKey { .. } => "a key is given twice".to_string(),
            serde_saphyr::Error::MultipleDocuments { .. } => {
                "a second YAML document begins here; relcheck reads one a file".to_string()
            }
            serde_saphyr::Error::Budget { breach, .. } => budget_message(breach),
            serde_saphyr::Error::NullIntoString { .. } => {
                "a text is expected here, and nothing is given".to_string()
            }
            serde_saphyr::Error::InvalidScalar { ty, .. } => format!("expected {}", kind_of(ty)),
            serde_saphyr::Error::NonFiniteFloat { value, .. } => {
                format!("`{value}` is no number relcheck takes")
            }
            serde_saphyr::Error::UnsupportedTag { tag, .. } => {
                format!("relcheck reads no YAML tags (`{tag}`)")
            }
            serde_saphyr::Error::BinaryNotUtf8 { .. }
            | serde_saphyr::Error::TaggedScalarCannotDeserializeIntoString { .. } => {
                "relcheck reads no YAML tags (`!!binary`)".to_string()
            }
            serde_saphyr::Error::Unexpected { expected, .. } => {
                format!("expected {}", kind_of(expected))
            }
            _ => serde_saphyr::DefaultMessageFormatter
                .format_message(err)
                .into_owned(),
        };
        // The message may quote the file (a key given twice): it reaches a
        // terminal, so it is made printable like any text from a file.
        let message = crate::printable::printable(&message).into_owned();
        // The reader says what it expected, not of which key; the text
        // before the position does (`schema: [a]` at 1:9 is `schema`).
        let message = match at.and_then(|p| key_before(text, p.index)) {
            Some(key) => format!("{key}: {message}"),
            None => message,
        };
        Error { message, at }
    }

    fn written(err: serde_saphyr::ser::Error) -> Error {
        Error {
            message: err.to_string(),
            at: None,
        }
    }
}

/// The key a value at byte `index` belongs to, when it is on the key's
/// line (`  key: ` or `- key: ` before it, nothing else); or, at the
/// start of a mapping's first key (where a missing field is reported),
/// the key the mapping is the value of.
fn key_before(text: &str, index: usize) -> Option<&str> {
    let before = text.get(..index)?;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = &before[start..];
    if line.trim_start_matches([' ', '-']).is_empty() {
        return parent_key(&before[..start], line.len());
    }
    plain_key(line)
}

/// `key` of a `key:` line (or `- key:`), when it is a plain word or id.
fn plain_key(line: &str) -> Option<&str> {
    let key = line.trim().trim_start_matches("- ").strip_suffix(':')?;
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ' '));
    plain.then_some(key)
}

/// The nearest `key:` line above, in `above`, indented less than
/// `indent`.
fn parent_key(above: &str, indent: usize) -> Option<&str> {
    let line = above.lines().rev().find(|line| {
        let text = line.trim_start();
        !text.is_empty() && !text.starts_with('#') && line.len() - text.len() < indent
    })?;
    plain_key(line)
}

/// The reader's name for what it expected, as an operator would say it.
fn kind_of(expected: &str) -> &str {
    match expected {
        "string scalar" | "string" | "scalar" => "a text",
        "mapping start" | "map" => "a mapping of `key: value` lines",
        "sequence start" | "seq" => "a list",
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize" => {
            "a whole number"
        }
        "f32" | "f64" => "a number",
        "bool" => "true or false",
        other => other,
    }
}

/// A budget of [`options`] a file went past, in words: which one, never
/// the reader's type names.
fn budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match breach {
        B::Depth { .. } => format!("nests deeper than {} levels", crate::limits::YAML_MAX_DEPTH),
        B::Aliases { .. } | B::Anchors { .. } | B::AliasAnchorRatio { .. } => {
            "repeats text through more aliases (`*name`) than a file relcheck reads may use"
                .to_string()
        }
        _ => "holds more YAML than a file of its size could (repeated aliases?)".to_string(),
    }
}

/// The byte offset of 1-based `line` and `column` (in characters) in
/// `text`, for a reader that gave only those.
fn index_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[start.min(text.len())..];
    start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// How relcheck reads YAML. The budgets grow with the text, which
/// [`crate::limits`] has already bounded by size (a record of 100,000
/// items has millions of nodes; a reader's fixed default would refuse
/// it), while nesting stays at relcheck's own limits: what makes a small
/// hostile file expensive is depth, not length.
fn options(text: &str) -> serde_saphyr::Options {
    let size = text.len();
    let budget = serde_saphyr::budget! {
        max_reader_input_bytes: None,
        max_events: size.max(1 << 16),
        max_nodes: size.max(1 << 16),
        // An escape can stand for more bytes than it takes (`\\L`, two,
        // is three): relcheck writes line separators that way.
        max_total_scalar_bytes: size.saturating_mul(2).max(1 << 16),
        flow_nesting_limit: crate::limits::YAML_MAX_DEPTH,
        max_depth: crate::limits::YAML_MAX_DEPTH,
    };
    serde_saphyr::options! {
        budget: budget,
        duplicate_keys: DuplicateKeyPolicy::Error,
        // relcheck never writes `<<`; read one as the key it is, which
        // the types refuse, rather than merge text a reader of the file
        // would not see where it is used.
        merge_keys: MergeKeyPolicy::AsOrdinary,
        // relcheck writes no tags, and a tag a reader of the file would see
        // but relcheck ignored would make the text say one thing and the
        // record another.
        reject_unsupported_tags: true,
        // As YAML 1.2 and serde_yaml read an untyped value: `yes`, `017`
        // and `1_000` are the text written, not true, 17 and 1000. An
        // answers file's values are kept as written.
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        with_snippet: false,
    }
}

/// `text` as a `T`. Only the limits of size that the text's own length
/// sets: for text relcheck wrote itself or that [`read`] has checked.
pub fn from_str<'t, T: Deserialize<'t>>(text: &'t str) -> Result<T, Error> {
    serde_saphyr::from_str_with_options(text, options(text)).map_err(|err| Error::of(err, text))
}

/// [`from_str`] for a piece of a long record (`record::split`), which
/// must hold no anchor (`&name`) and no alias (`*name`). The reader's
/// alias limits (how many, and how many per anchor past the first 100)
/// count a whole file, so pieces read apart could each keep under what
/// the whole file passes; relcheck writes neither, so a piece with one
/// sends the file to the one reader, which counts them all.
pub fn from_str_without_aliases<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    let mut options = options(text);
    if let Some(budget) = options.budget.as_mut() {
        budget.max_aliases = 0;
        budget.max_anchors = 0;
    }
    serde_saphyr::from_str_with_options(text, options).map_err(|err| Error::of(err, text))
}

/// How relcheck writes YAML: a long one-line text stays on its line
/// (an id or a note is found with `grep`), never folded over several as
/// `>-`; text with line breaks is still a `|` block.
fn written() -> serde_saphyr::SerializerOptions {
    serde_saphyr::ser_options! {
        folded_wrap_chars: usize::MAX,
    }
}

pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    serde_saphyr::to_string_with_options(&value, written()).map_err(Error::written)
}

/// Streams `value` as YAML to `out`: a record of 100,000 items is written
/// without first being built as one string.
pub fn to_writer<W: std::io::Write, T: Serialize + ?Sized>(
    mut out: W,
    value: &T,
) -> Result<(), Error> {
    serde_saphyr::to_io_writer_with_options(&mut out, &value, written()).map_err(Error::written)
}

/// The YAML text of a file of `kind`, named `display` in messages, as a
/// `T`: refused (exit 3) when it nests past the limits of
/// [`crate::limits`], and otherwise when it does not read, as one line
/// `DISPLAY:LINE:COL: WHAT: MESSAGE` (`what` is empty or ends in `: `).
pub fn read<'t, T: Deserialize<'t>>(
    text: &'t str,
    display: &str,
    kind: Kind,
    what: &str,
) -> anyhow::Result<T> {
    crate::limits::check_yaml(text, display, kind)?;
    from_str(text).map_err(|err| in_file(display, what, &err))
}

/// An error reading file `display` as one line, `DISPLAY:LINE:COL: WHAT:
/// MESSAGE`, exit 3.
fn in_file(display: &str, what: &str, err: &Error) -> anyhow::Error {
    error(Code::Input, format!("{display}{}: {what}{err}", err.at()))
}

/// [`read`] for a file of one long map (an answers file of 100,000
/// items), in two passes, this the first: it only walks the text, with
/// the check for a key given twice, keeping nothing; the second
/// ([`read_walked`]) reads it as a `T` without that check. Checked while
/// the map is built, every key of the map was remembered beside it (7 MB
/// of a 100,000-answer file). The text is refused (exit 3) when it nests
/// past the limits, as [`read`] refuses it; else the walk says whether it
/// went through. Its working memory (17 MB for a file of 100,000 keys)
/// is given back when it returns, so a caller can walk a file before it
/// holds what the second pass needs.
pub fn walk(text: &str, display: &str, kind: Kind) -> anyhow::Result<bool> {
    crate::limits::check_yaml(text, display, kind)?;
    let mut walk = options(text);
    // A walk takes any value as it comes, `.inf` as well as `1`; the
    // types of the second pass say which they take.
    walk.non_finite_float_policy = NonFiniteFloatPolicy::AsString;
    // serde's value that keeps nothing still reads every map's keys
    // through the reader, which refuses one given twice.
    Ok(serde_saphyr::from_str_with_options::<serde::de::IgnoredAny>(text, walk).is_ok())
}

/// The second pass after [`walk`], `walked` being what it said of the
/// same text. Where the walk stopped at anything (a key given twice, a
/// YAML error, a value it cannot take), the file is read in one pass as
/// [`read`] reads it, so what is refused, and the message and position,
/// are [`read`]'s.
pub fn read_walked<'t, T: Deserialize<'t>>(
    text: &'t str,
    display: &str,
    kind: Kind,
    what: &str,
    walked: bool,
) -> anyhow::Result<T> {
    if !walked {
        return read(text, display, kind, what);
    }
    let mut options = options(text);
    options.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    serde_saphyr::from_str_with_options(text, options)
        .map_err(|err| in_file(display, what, &Error::of(err, text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both passes, as a caller that walks just before it reads makes them.
    fn read_in_two_passes<'t, T: Deserialize<'t>>(
        text: &'t str,
        display: &str,
        kind: Kind,
        what: &str,
    ) -> anyhow::Result<T> {
        let walked = walk(text, display, kind)?;
        read_walked(text, display, kind, what, walked)
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Head {
        schema: String,
    }

    #[test]
    fn two_passes_refuse_a_key_given_twice_as_one_does() {
        use std::collections::BTreeMap;
        type Maps = BTreeMap<String, BTreeMap<String, String>>;
        let kind = crate::limits::Kind::Answers;
        for text in [
            "a:\n  x: 1\n  y: 2\n  x: 3\n",
            "a:\n  x: 1\na:\n  y: 2\n",
            "a:\n  x: {k: 1, k: 2}\n",
        ] {
            let one = read::<serde_json::Value>(text, "f.yaml", kind, "").unwrap_err();
            let two =
                read_in_two_passes::<serde_json::Value>(text, "f.yaml", kind, "").unwrap_err();
            assert_eq!(two.to_string(), one.to_string(), "{text:?}");
            assert!(one.to_string().contains("given twice"), "{one}");
        }
        let text = "a:\n  x: 1\nb:\n  x: '2'\n";
        let read: Maps = read_in_two_passes(text, "f.yaml", kind, "").unwrap();
        assert_eq!(read["b"]["x"], "2");
        // Whatever else is wrong is said as one pass says it, first
        // problem first, a key given twice after it or not; and what one
        // pass takes, two take.
        for text in [
            "a: [1]\n",
            "b: {x: [}\n",
            "b: maybe\na:\n  x: 1\n  x: 2\n",
            "a:\n  x: !!int abc\n",
        ] {
            assert_eq!(
                read_in_two_passes::<Maps>(text, "f.yaml", kind, "")
                    .unwrap_err()
                    .to_string(),
                super::read::<Maps>(text, "f.yaml", kind, "")
                    .unwrap_err()
                    .to_string(),
                "{text:?}"
            );
        }
        for text in ["a:\n  x: .inf\n", "a:\n  x: .NaN\n  y: 1e999\n"] {
            let two: Maps = read_in_two_passes(text, "f.yaml", kind, "").unwrap();
            let one: Maps = super::read(text, "f.yaml", kind, "").unwrap();
            assert_eq!(two, one, "{text:?}");
        }
    }

    #[test]
    fn errors_keep_their_position_once() {
        let err = from_str::<Head>("schema: [a]\n").unwrap_err();
        assert_eq!(err.at(), ":1:9");
        assert_eq!(err.to_string(), "schema: expected a text");
        assert_eq!(err.position().unwrap().index, 8);
        let err = from_str::<Head>("schema: x\nrun:\n\tid: 1\n").unwrap_err();
        assert_eq!(
            (err.at(), err.to_string()),
            (
                ":3:2".to_string(),
                "tabs disallowed within this context (block indentation)".to_string()
            )
        );
        let err = from_str::<Head>("other: 1\n").unwrap_err();
        assert_eq!(
            (err.at(), err.to_string()),
            (":1:1".to_string(), "missing field `schema`".to_string())
        );
    }

    /// What a hostile or careless file gets: the reader's refusal in
    /// relcheck's words, never its option or type names.
    #[test]
    fn refusals_are_in_relcheck_words() {
        let message = |text: &str| {
            let err = from_str::<Head>(text).unwrap_err();
            format!("{}: {err}", err.at().trim_start_matches(':'))
        };
        assert_eq!(
            message("schema: a\nother: 1\nschema: b\n"),
            "3:1: `schema` is given twice"
        );
        assert_eq!(
            message("schema: a\n---\nschema: b\n"),
            "3:1: a second YAML document begins here; relcheck reads one a file"
        );
        let mut bomb = String::from("l0: &l0 [a, a, a, a, a, a, a, a, a]\n");
        for i in 1..10 {
            let refs = vec![format!("*l{}", i - 1); 9].join(", ");
            bomb.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
        }
        bomb.push_str("schema: x\n");
        assert!(
            message(&bomb)
                .ends_with(": holds more YAML than a file of its size could (repeated aliases?)"),
            "{}",
            message(&bomb)
        );
        let deep: String = (0..140)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect();
        assert!(
            message(&format!("schema: x\nrun:\n{deep}")).ends_with(": nests deeper than 64 levels"),
            "{}",
            message(&format!("schema: x\nrun:\n{deep}"))
        );
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Run {
        host: String,
        line: u64,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct WithRun {
        run: Run,
    }

    #[test]
    fn type_errors_name_the_key_and_what_it_takes() {
        let message = |text: &str| {
            let err = from_str::<WithRun>(text).unwrap_err();
            format!("{}: {err}", err.at().trim_start_matches(':'))
        };
        assert_eq!(
            message("run:\n  host: ~\n  line: 1\n"),
            "2:9: host: a text is expected here, and nothing is given"
        );
        assert_eq!(
            message("run:\n  host: h\n  line: -1\n"),
            "3:9: line: expected a whole number"
        );
        assert_eq!(
            message("run:\n  host: !x h\n  line: 1\n"),
            "2:12: relcheck reads no YAML tags (`!x`)"
        );
        assert_eq!(
            message("run:\n  line: 1\n"),
            "2:3: run: missing field `host`"
        );
        assert_eq!(
            message("run:\n  \"\\e[2Jk\": 1\n  \"\\e[2Jk\": 2\n"),
            "3:3: run: `k` is given twice"
        );
    }

    /// A long id or note stays on its line, where `grep` finds it.
    #[test]
    fn a_long_line_is_written_on_one_line() {
        let id = format!("deploy/{}", "step-".repeat(30));
        let note = "word ".repeat(40).trim_end().to_string();
        let yaml = to_string(&[&id, &note]).unwrap();
        assert_eq!(yaml, format!("- {id}\n- {note}\n"));
    }

    /// An escape that stands for more bytes than it takes (`\\L` is
    /// three) does not push what relcheck wrote past its own budget.
    #[test]
    fn line_separators_written_as_escapes_read_back() {
        let text = "\u{2028}".repeat(40_000);
        let yaml = to_string(&[&text]).unwrap();
        assert!(yaml.len() < 3 * 40_000, "{}", yaml.len());
        assert_eq!(from_str::<Vec<String>>(&yaml).unwrap(), [text]);
    }

    #[test]
    fn read_names_the_file_line_and_column() {
        let err =
            read::<Head>("schema: [a]\n", "r.yaml", Kind::Record, "not a record: ").unwrap_err();
        assert_eq!(
            err.to_string(),
            "r.yaml:1:9: not a record: schema: expected a text"
        );
        let deep = format!("schema: {}", "[".repeat(65));
        let err = read::<Head>(&deep, "r.yaml", Kind::Record, "").unwrap_err();
        assert!(err.to_string().starts_with("r.yaml:1:73: nests"), "{err}");
    }
}
