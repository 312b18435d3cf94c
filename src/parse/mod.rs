//! Checklist documents to the model. Never fails and never panics: whatever
//! it cannot make sense of becomes a diagnostic, and a document with no items
//! is still a (empty) checklist that callers refuse.
//!
//! The steps: front matter off the top; the plain-text steps shape read line
//! by line; otherwise Markdown, from the one fenced block that holds every
//! task item when there is such a block; then `build` decides structure.
//! Either way `finish` settles each item's kind, condition and id.

mod annotation;
mod bare;
mod build;
mod choice;
mod cuts;
mod finish;
mod indent;
mod markdown;
mod measure;
mod org;
mod pieces;
mod plain;
pub mod rules;
mod signature;
mod steps;
mod table;

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::exit::{Code, error};
use crate::model::{Checklist, Format, SourceInfo};
use crate::source::Source;

pub use annotation::{HEADING_KEYS, ITEM_KEYS, seconds};
pub use plain::is_task_line;

pub struct Parsed {
    pub checklist: Checklist,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// The checklist, or the error every command but `lint` gives for a
    /// document with nothing to tick.
    pub fn require_items(self, source: &Source) -> anyhow::Result<Parsed> {
        if self.checklist.items().next().is_none() {
            return Err(error(
                Code::Input,
                format!(
                    "{}: no checklist items found (task items `- [ ]`, list items under headings, or `Checklist` steps); `relcheck lint` explains",
                    source.display
                ),
            ));
        }
        Ok(self)
    }
}

/// A long checklist is parsed on every core: a part of at least
/// [`THREAD_BYTES`](crate::cores::THREAD_BYTES) a core, up to
/// [`MAX_PARTS`] (see [`parse_split`]).
pub fn parse(source: &Source) -> Parsed {
    parse_split(source, |body| {
        (body / crate::cores::THREAD_BYTES).clamp(1, crate::cores::count().min(MAX_PARTS))
    })
}

/// [`parse`] on this thread alone, for a run: the model's items made on
/// another thread stay in that thread's arena, 2.5 MB more at the peak of
/// a 100,000-item run, which holds its memory for as long as the release
/// takes; the time saved (about 130 ms) is nothing beside it.
pub fn parse_on_one_core(source: &Source) -> Parsed {
    parse_split(source, |_| 1)
}

/// Each thread's allocations are kept in an arena of its own: a 4.7 MB
/// checklist read in up to 16 parts (as on a machine of many cores) held
/// 76 MB against 53 in two. The parts are capped, each one past the first
/// few saving less time than the one before while its memory stays.
const MAX_PARTS: usize = 8;

/// [`parse`], a Markdown body of `n` bytes read in up to `parts(n)` parts
/// on threads of their own. Whatever the parts, the checklist and its
/// diagnostics are those of the document read whole.
fn parse_split(source: &Source, parts: fn(usize) -> usize) -> Parsed {
    let mut diagnostics = Vec::new();
    let text = &*source.text;
    let (front_matter, body_start) = front_matter(source, &mut diagnostics);
    let body = &text[body_start..];
    let front = |key: &str| {
        front_matter
            .as_ref()
            .and_then(|fm| fm.get(key))
            .and_then(|value| value.as_str())
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_string)
    };
    // `title:` names the document; an issue template's `name:` does when
    // it has no title.
    let front_title = front("title");
    let front_name = front("name");
    let front_description = front_matter
        .as_ref()
        .and_then(|fm| fm.get("description"))
        .and_then(|d| d.as_str())
        .map(str::to_string);

    // The template variables are found on another core while the
    // document is read, when it is long enough to be read in parts.
    let (variables, read) = crate::cores::both(
        parts(body.len()) > 1,
        || crate::template::names(body),
        || read_body(source, body_start, parts, &mut diagnostics),
    );
    let Body {
        format,
        title,
        description,
        phases,
        weak_title,
        embedded_checklist,
    } = read;

    let heading_title = title.filter(|title| !title.is_empty());
    let (heading_title, weak_heading) = if weak_title {
        (None, heading_title)
    } else {
        (heading_title, None)
    };
    let title = if embedded_checklist {
        heading_title.or(front_title)
    } else {
        front_title.or(heading_title)
    };
    let title = title
        .or(front_name)
        .or(weak_heading)
        .or_else(|| first_line_title(body))
        .unwrap_or_else(|| stem(source));
    let checklist = Checklist {
        title,
        description: description.or(front_description),
        format,
        source: SourceInfo {
            path: source.display.clone(),
            digest: source.digest(),
            text: std::sync::Arc::clone(&source.text).into(),
        },
        signoff: front_matter
            .as_ref()
            .and_then(|fm| signoff_policy(fm, source, &mut diagnostics)),
        front_matter: front_matter.map(serde_json::Value::Object),
        variables,
        phases,
    };
    if let Some(diagnostic) = too_many_signoffs(&checklist, source) {
        diagnostics.push(diagnostic);
    }
    diagnostics.sort_by_key(|d| (d.line, d.col));
    Parsed {
        checklist,
        diagnostics,
    }
}

/// What the body of a document gives, by whichever reader takes it.
struct Body {
    format: Format,
    title: Option<String>,
    description: Option<String>,
    phases: Vec<crate::model::Phase>,
    /// The title heading is a part's name (see [`build::Body`]).
    weak_title: bool,
    /// A checklist inside one fence is a document of its own: the page's
    /// front matter describes the page around it, its heading the
    /// checklist.
    embedded_checklist: bool,
}

/// The body, from `body_start` on: plain-text steps, or Markdown in up to
/// `parts(n)` parts (see [`parse_split`]).
fn read_body(
    source: &Source,
    body_start: usize,
    parts: fn(usize) -> usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Body {
    let text = &*source.text;
    let body = &text[body_start..];
    if plain::is_steps(body) {
        let steps = plain::read(body, body_start);
        let claims = finish::IdClaims::of(&steps.phases);
        return Body {
            format: Format::PlainText,
            title: Some(steps.title),
            description: steps.description,
            phases: finish::finish(
                steps.phases,
                source,
                diagnostics,
                false,
                parts(body.len()),
                claims,
            ),
            weak_title: false,
            embedded_checklist: false,
        };
    }
    // An org-mode document, a plain-text list of bare `[ ]` steps, or a
    // list with ragged indents is read as the Markdown it means, from a
    // copy made line for line (so lines and offsets past the front matter
    // hold for every diagnostic and item).
    let org = org::as_markdown(body);
    let format = if org.is_some() {
        Format::Org
    } else {
        Format::Markdown
    };
    let converted = match org.or_else(|| bare::as_tasks(body)) {
        Some(text) => Some(indent::even_out(&text).unwrap_or(text)),
        None => indent::even_out(body),
    };
    let tasks = converted.map(|tasks| {
        let mut copy =
            Source::from_text(&source.display, &format!("{}{tasks}", &text[..body_start]));
        copy.set_sha256(source.sha256().to_string());
        copy
    });
    let read_from = tasks.as_ref().unwrap_or(source);
    let text = &*read_from.text;
    let body = &text[body_start..];
    let nodes = markdown::read_parts(body, body_start, parts(body.len()));
    let (nodes, outside) = match embedded(&nodes, text) {
        Some(range) => {
            let inner = markdown::read(&text[range.clone()], range.start);
            (vec![inner], Some(prose(&nodes)))
        }
        None => (nodes, None),
    };
    let built = build::build(nodes, read_from, diagnostics);
    Body {
        format,
        title: built.title,
        embedded_checklist: outside.is_some(),
        description: outside.flatten().or(built.description),
        phases: built.phases,
        weak_title: built.weak_title,
    }
}

/// An error at the first sign-off item past what a record holds: a run of
/// the checklist would write a record relcheck refuses to read.
fn too_many_signoffs(checklist: &Checklist, source: &Source) -> Option<Diagnostic> {
    let mut signoffs = checklist
        .items()
        .filter(|(_, _, item)| item.kind == crate::model::Kind::Signoff);
    let first_past = signoffs.nth(crate::limits::MAX_SIGNOFFS)?;
    let count = crate::limits::MAX_SIGNOFFS + 1 + signoffs.count();
    Some(Diagnostic::on_line(
        source,
        first_past.2.line,
        crate::diagnostic::Severity::Error,
        format!(
            "{} sign-off items; a record holds up to {} sign-offs",
            crate::source::thousands(count),
            crate::source::thousands(crate::limits::MAX_SIGNOFFS)
        ),
    ))
}

/// A plain-text document's title: its first line, when the document has no
/// heading, and that line stands alone (a blank line after it), is short,
/// and reads as a title rather than a sentence, a step or a list.
fn first_line_title(body: &str) -> Option<String> {
    let mut lines = body.lines().skip_while(|line| line.trim().is_empty());
    let first = lines.next()?.trim();
    let next = lines.next().unwrap_or("").trim();
    let underline = !next.is_empty() && next.chars().all(|c| c == '-' || c == '=');
    let alone = next.is_empty() || underline;
    let reads_as_title = first.len() <= 100
        && !first.ends_with(['.', ':', ','])
        && !first.starts_with(['#', '-', '*', '+', '[', '(', '|', '<', '`'])
        && !first.starts_with(|c: char| c.is_ascii_digit());
    (alone && reads_as_title).then(|| first.to_string())
}

fn stem(source: &Source) -> String {
    let name = source
        .display
        .strip_suffix(" (bundled)")
        .unwrap_or(&source.display);
    Path::new(name).file_stem().map_or_else(
        || name.to_string(),
        |stem| stem.to_string_lossy().into_owned(),
    )
}

/// Front matter is a few lines of metadata; more is not read.
const FRONT_MATTER_MAX_BYTES: usize = 64 * 1024;

/// A leading `---` YAML block: its mapping, and where the body starts.
fn front_matter(
    source: &Source,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Option<serde_json::Map<String, serde_json::Value>>, usize) {
    let text = &*source.text;
    let Some(rest) = text.strip_prefix("---\n") else {
        return (None, 0);
    };
    let mut offset = 4;
    for line in rest.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let yaml = &text[4..offset];
            let body_start = offset + line.len();
            if let Some(problem) = crate::limits::yaml_too_complex(yaml, FRONT_MATTER_MAX_BYTES) {
                diagnostics.push(Diagnostic::warning(
                    source,
                    0,
                    format!("front matter {problem}; it is ignored"),
                ));
                return (None, body_start);
            }
            return match crate::yaml::from_str::<serde_json::Value>(yaml) {
                Ok(serde_json::Value::Object(map)) => (Some(map), body_start),
                Ok(serde_json::Value::Null) => (None, body_start),
                Ok(_) => {
                    diagnostics.push(Diagnostic::warning(
                        source,
                        0,
                        "front matter is not a mapping of keys to values; it is ignored",
                    ));
                    (None, body_start)
                }
                Err(err) => {
                    let at = err.position().map_or(0, |p| 4 + p.index);
                    diagnostics.push(Diagnostic::warning(
                        source,
                        at.min(offset),
                        format!("front matter is not valid YAML ({err}); it is ignored"),
                    ));
                    (None, body_start)
                }
            };
        }
        offset += line.len();
    }
    // No closing line: a thematic break, not front matter.
    (None, 0)
}

/// Front matter's `signoff:` policy. A policy that does not read is an
/// error, never ignored: a run would otherwise be held to less than its
/// checklist asks.
fn signoff_policy(
    front_matter: &serde_json::Map<String, serde_json::Value>,
    source: &Source,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<crate::model::SignoffPolicy> {
    let value = front_matter.get("signoff")?;
    // The key's own line, for the message.
    let at = source
        .text
        .match_indices("\nsignoff:")
        .next()
        .map_or(0, |(i, _)| i + 1);
    let problem = match serde_json::from_value::<crate::model::SignoffPolicy>(value.clone()) {
        Ok(policy) if policy.min == Some(0) => "min must be 1 or more".to_string(),
        Ok(policy) => return Some(policy),
        Err(err) => err.to_string(),
    };
    diagnostics.push(Diagnostic::error(
        source,
        at,
        format!(
            "front matter signoff: {problem}; write signoff: {{min: 2, distinct: true, not-operator: true}}"
        ),
    ));
    None
}

/// The one fenced block (no info, `markdown` or `md`) that holds every task
/// item of the document, when there is exactly one such block and the page
/// around it has no list of its own. A page with steps of its own is the
/// checklist, and a fenced checklist in it a template to paste somewhere
/// else (an issue, a message).
fn embedded(parts: &[Vec<markdown::Node>], text: &str) -> Option<std::ops::Range<usize>> {
    use markdown::Node;
    let nodes = || parts.iter().flatten();
    let outside = nodes().any(|node| matches!(node, Node::Item(_)));
    if outside {
        return None;
    }
    let mut holders = nodes().filter_map(|node| match node {
        Node::Code(code)
            if code.fenced
                && matches!(code.info.to_lowercase().as_str(), "" | "markdown" | "md")
                && code.text.lines().any(is_task_line) =>
        {
            code.content.clone()
        }
        _ => None,
    });
    let range = holders.next()?;
    if holders.next().is_some() || text.get(range.clone()).is_none() {
        return None;
    }
    Some(range)
}

/// Paragraph text outside the embedded block: the description.
fn prose(parts: &[Vec<markdown::Node>]) -> Option<String> {
    let paragraphs: Vec<String> = parts
        .iter()
        .flatten()
        .filter_map(|node| match node {
            markdown::Node::Paragraph(lines) => Some(
                lines
                    .iter()
                    .map(|line| line.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => None,
        })
        .collect();
    (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod shape_tests;

#[cfg(test)]
mod parts_tests;
