//! Whether a step may be left out: "(Optional) Publish the docs",
//! "Feature flags (if applicable)", "If necessary, rebuild the index", a
//! title that says so, and the text without its "OPTIONAL:" label.

use super::{lead_of, mentions_rollback, normalised, strip_numbering};

/// The parenthesis a text ends with, if any: "Feature flags (if applicable)"
/// gives "if applicable".
fn trailing_parenthesis(text: &str) -> Option<&str> {
    let text = text.trim_end().trim_end_matches('.').trim_end();
    let inner = text.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    Some(inner[open + 1..].trim())
}

/// "(Optional) Publish the docs", "If necessary, rebuild the index": a
/// text or title that starts so.
pub(super) fn optional_prefix(text: &str) -> bool {
    let text = text.trim_start();
    [
        "(optional)",
        "optional:",
        "if necessary,",
        "if needed,",
        "if applicable,",
        "if possible,",
    ]
    .iter()
    .any(|start| {
        // Lower-casing ASCII keeps every byte where it was, so an ASCII
        // head is compared in place, not the whole item lower-cased.
        match text.as_bytes().get(..start.len()) {
            Some(head) if head.is_ascii() => head.eq_ignore_ascii_case(start.as_bytes()),
            Some(_) => text.to_lowercase().starts_with(start),
            None => false,
        }
    })
}

/// The text after an "Optional:" label, or the text.
pub fn without_optional_label(text: &str) -> &str {
    let trimmed = text.trim_start();
    match trimmed.get(..9) {
        Some(head) if head.eq_ignore_ascii_case("optional:") => {
            let rest = trimmed[9..].trim_start();
            if rest.is_empty() { text } else { rest }
        }
        _ => text,
    }
}

pub(super) fn optional_parenthesis(text: &str) -> bool {
    trailing_parenthesis(text).is_some_and(|inner| {
        let inner = inner.to_lowercase();
        inner.starts_with("if ") || inner == "if" || inner.contains("optional")
    })
}

/// "(if applicable)", "(if needed)", "(optional)", or a trailing "if
/// needed", "as needed", "if applicable".
pub fn is_optional_text(text: &str) -> bool {
    // "Split planned (if applicable) - removal deferred": the parenthesis
    // ends the item's lead.
    // Both parentheses end in `)`: an item with none (most) needs no
    // search for its lead.
    let closes = text.contains(')');
    if (closes && (optional_parenthesis(text) || optional_parenthesis(lead_of(text))))
        || optional_prefix(text)
    {
        return true;
    }
    let tails = [
        "if needed",
        "as needed",
        "if applicable",
        "if required",
        "if necessary",
        "if possible",
        "if you can",
        "where possible",
    ];
    let end = text.trim_end().trim_end_matches('.');
    if end.is_ascii() {
        // Lower-casing ASCII keeps every byte where it was: compare the
        // tails in place instead of copying the whole item.
        let end = end.as_bytes();
        return tails.iter().any(|tail| {
            end.len() >= tail.len()
                && end[end.len() - tail.len()..].eq_ignore_ascii_case(tail.as_bytes())
        });
    }
    let lower = end.to_lowercase();
    tails.iter().any(|tail| lower.ends_with(tail))
}

/// A section title with such a parenthesis makes all its items optional,
/// unless the title is about rollback, where it means "only when rolling
/// back".
pub fn is_optional_title(title: &str) -> bool {
    if mentions_rollback(&normalised(title)) {
        // "Rollback (if needed)" says when to roll back; "Web Rollback (if
        // UI issues only)" is one way back among others.
        return trailing_parenthesis(title).is_some_and(|inner| {
            let inner = inner.to_lowercase();
            inner.starts_with("if ")
                && !["if needed", "if required", "if necessary"].contains(&inner.as_str())
                && !mentions_rollback(&inner)
        });
    }
    // "Optional Sign-offs", "5.2 Optional Steps": the title's first word.
    let first_word = strip_numbering(title)
        .split_whitespace()
        .next()
        .is_some_and(|word| word.eq_ignore_ascii_case("optional"));
    optional_parenthesis(title) || optional_prefix(strip_numbering(title)) || first_word
}
