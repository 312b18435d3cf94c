//! `{{variables}}`: the one place that finds them and fills them in, for
//! the parser (which names a checklist uses), the engine and reports (text
//! shown with values), and commands (values shell-quoted).
//!
//! A placeholder is `{{`, optional spaces, a name, optional spaces, `}}`.
//! A name starts with a letter or `_` and goes on with letters, digits, `_`,
//! `-` or `.`. Anything else between braces, such as a Go template's
//! `{{.Name}}` or `{{ range . }}`, is not a variable and stays as written.

use std::collections::{BTreeMap, HashSet};

/// Names are short: looking no further than this for the closing braces
/// keeps a scan linear on text full of unmatched `{{`.
const NAME_WINDOW: usize = 128;

/// One `{{name}}` in a text: where it is and what it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placeholder<'a> {
    /// Byte range of the whole `{{ ... }}`.
    pub start: usize,
    pub end: usize,
    pub name: &'a str,
}

/// Every placeholder in `text`, in order.
pub fn placeholders(text: &str) -> Vec<Placeholder<'_>> {
    each(text).collect()
}

/// The placeholders of `text`, one at a time: `names` reads a whole
/// checklist's body and keeps only the names, not a list of every use.
fn each(text: &str) -> impl Iterator<Item = Placeholder<'_>> {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(open) = pair(text, from, '{') {
            let after = open + 2;
            let window = &text[after..floor_char_boundary(text, after + NAME_WINDOW)];
            let variable = pair(window, 0, '}')
                .map(|close| (close, text[after..after + close].trim()))
                .filter(|(_, name)| is_name(name));
            match variable {
                Some((close, name)) => {
                    let end = after + close + 2;
                    from = end;
                    return Some(Placeholder {
                        start: open,
                        end,
                        name,
                    });
                }
                // Not a variable: look again from the second brace, since a
                // `{{` in what was skipped (or `{{{name}}}`) may open a real one.
                None => from = open + 1,
            }
        }
        None
    })
}

/// Where the first `{{` (or `}}`) at or after `from` starts, as
/// `text[from..].find("{{")` would say but counted from the start of
/// `text`. A search for one byte (memchr) and a look at the next, where
/// `find("{{")` sets up a substring searcher at each call: on a whole
/// checklist that was most of finding its names.
fn pair(text: &str, from: usize, brace: char) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    loop {
        let found = at + text[at..].find(brace)?;
        if bytes.get(found + 1) == Some(&(brace as u8)) {
            return Some(found);
        }
        at = found + 1;
    }
}

/// The names `text` uses, each once, in order of first use.
pub fn names(text: &str) -> Vec<String> {
    let mut once = Once::default();
    each(text)
        .filter(|placeholder| once.first(placeholder.name))
        .map(|placeholder| placeholder.name.to_string())
        .collect()
}

/// Says whether a name is seen for the first time, in constant time: a
/// text may use 200,000 names, and a search of those already seen for
/// each would make finding them quadratic.
#[derive(Default)]
pub struct Once<'a> {
    seen: HashSet<&'a str>,
}

impl<'a> Once<'a> {
    pub fn first(&mut self, name: &'a str) -> bool {
        self.seen.insert(name)
    }
}

/// The longest value (a variable's or a field's) relcheck takes, from an
/// answers file, `--set`, a project's `[set]` or the terminal: a value is
/// filled into every text that names it, so one of a megabyte in a
/// version used by 10,000 items made a record of 3 GB. Versions, tickets,
/// names and links are far shorter.
pub const MAX_VALUE_BYTES: usize = 4096;

/// What is wrong with `value` when it is longer than [`MAX_VALUE_BYTES`],
/// to follow its name: "is 4,097 bytes; a value is at most 4,096 (...)".
pub fn too_long(value: &str) -> Option<String> {
    (value.len() > MAX_VALUE_BYTES).then(|| {
        format!(
            "is {} bytes; a value is at most {} (it is written into every text that names it)",
            crate::source::thousands(value.len()),
            crate::source::thousands(MAX_VALUE_BYTES)
        )
    })
}

/// How much longer than its text a filled text may grow. A text that
/// names a long value many times (a record written by hand, or a
/// checklist of a million `{{v}}`) filled to gigabytes in a report and a
/// record; past this room the rest of the text is left as written.
pub const FILL_ROOM: usize = 64 * 1024;

/// `text` with each placeholder replaced by its value, for people to read;
/// a name with no value stays as written, and so does every placeholder
/// once the text has grown by [`FILL_ROOM`].
pub fn fill(text: &str, values: &BTreeMap<String, String>) -> String {
    let limit = text.len().saturating_add(FILL_ROOM);
    replace(text, |name| values.get(name).cloned(), limit).0
}

/// `command` with each placeholder replaced by its value, shell-quoted.
/// Fails with the names that have no value, each once, in order of first
/// use.
pub fn substitute(
    command: &str,
    values: &BTreeMap<String, String>,
    quote: impl Fn(&str) -> String,
) -> Result<String, Vec<String>> {
    // A command runs as written: every placeholder is filled.
    let (out, missing) = replace(
        command,
        |name| values.get(name).map(|v| quote(v)),
        usize::MAX,
    );
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

fn replace(
    text: &str,
    value: impl Fn(&str) -> Option<String>,
    limit: usize,
) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut missing: Vec<String> = Vec::new();
    let mut once = Once::default();
    let mut last = 0;
    for placeholder in placeholders(text) {
        if out.len() > limit {
            break;
        }
        out.push_str(&text[last..placeholder.start]);
        match value(placeholder.name) {
            Some(value) => out.push_str(&value),
            None => {
                out.push_str(&text[placeholder.start..placeholder.end]);
                if once.first(placeholder.name) {
                    missing.push(placeholder.name.to_string());
                }
            }
        }
        last = placeholder.end;
    }
    out.push_str(&text[last..]);
    (out, missing)
}

pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn floor_char_boundary(text: &str, max: usize) -> usize {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {

    /// A text that names a long value many times grows by at most
    /// [`FILL_ROOM`] and one value; the placeholders past it stay as
    /// written. A command is filled whole.
    #[test]
    fn filling_stops_once_the_text_has_grown_by_its_room() {
        let values: BTreeMap<String, String> =
            [("v".to_string(), "9".repeat(4096))].into_iter().collect();
        let text = "{{v}} ".repeat(100);
        let filled = fill(&text, &values);
        assert!(
            filled.len() <= text.len() + FILL_ROOM + 4096,
            "{}",
            filled.len()
        );
        assert!(filled.starts_with(&"9".repeat(4096)));
        assert!(filled.ends_with("{{v}} {{v}} "));
        let short: BTreeMap<String, String> =
            [("v".to_string(), "1".to_string())].into_iter().collect();
        assert_eq!(fill(&text, &short), "1 ".repeat(100));
        let command = substitute(&text, &values, |v| v.to_string()).unwrap();
        assert_eq!(command.len(), 100 * (4096 + 1));
    }
    use super::*;

    fn values() -> BTreeMap<String, String> {
        [("version", "1.4.2"), ("env", "prod eu")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn one_spacing_rule_for_finding_and_filling() {
        let cases = [
            ("ship {{version}}", "ship 1.4.2"),
            ("ship {{ version }}", "ship 1.4.2"),
            ("ship {{  version\t}}", "ship 1.4.2"),
            ("to {{env}} and {{region}}", "to prod eu and {{region}}"),
            ("go {{.Name}} {{ range . }}", "go {{.Name}} {{ range . }}"),
            ("{{{version}}}", "{1.4.2}"),
            ("{{ bad name }} {{version}}", "{{ bad name }} 1.4.2"),
            ("unclosed {{version", "unclosed {{version"),
            ("ünï {{version}} ✓", "ünï 1.4.2 ✓"),
        ];
        for (text, filled) in cases {
            assert_eq!(fill(text, &values()), filled, "{text}");
        }
    }

    #[test]
    fn pair_finds_what_find_finds() {
        // Every text of up to six of these characters, from every start.
        let alphabet = ['{', '}', 'a', 'é'];
        let mut texts = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
            texts.dedup();
        }
        for text in &texts {
            for from in (0..=text.len()).filter(|&at| text.is_char_boundary(at)) {
                for (brace, two) in [('{', "{{"), ('}', "}}")] {
                    let found = text[from..].find(two).map(|at| from + at);
                    assert_eq!(pair(text, from, brace), found, "{text:?} from {from}");
                }
            }
        }
    }

    #[test]
    fn names_in_order_of_first_use_each_once() {
        assert_eq!(
            names("{{ b }} {{a}} {{b}} {{.Go}} {{c-d.e}}"),
            ["b", "a", "c-d.e"]
        );
        assert!(names(&"{{".repeat(10_000)).is_empty());
    }

    /// 200,000 distinct names: checking each against those already found
    /// would be 2 * 10^10 comparisons, which no test run would see the end
    /// of; found once each, it is a moment. (scripts/bench times it.)
    #[test]
    fn two_hundred_thousand_distinct_names_are_found_each_once() {
        let text: String = (0..200_000).map(|i| format!("{{{{v{i}}}}} ")).collect();
        let text = format!("{text}{text}");
        let found = names(&text);
        assert_eq!(found.len(), 200_000);
        assert_eq!(
            (found[0].as_str(), found[199_999].as_str()),
            ("v0", "v199999")
        );
        let missing = substitute(&text, &BTreeMap::new(), str::to_string).unwrap_err();
        assert_eq!(missing, found);
    }

    #[test]
    fn substitution_quotes_values_and_names_what_is_missing() {
        let quote = |v: &str| format!("'{v}'");
        assert_eq!(
            substitute("deploy {{ version }} {{env}}", &values(), quote),
            Ok("deploy '1.4.2' 'prod eu'".to_string())
        );
        assert_eq!(
            substitute(
                "{{region}} {{version}} {{region}} {{zone}}",
                &values(),
                quote
            ),
            Err(vec!["region".to_string(), "zone".to_string()])
        );
    }
}
