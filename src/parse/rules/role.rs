//! Who signs: whether a sign-off's label reads as a role (a person, a
//! team or a title, never a step or a value to write down), and the role
//! a heading, a line or a free-text sign-off names.

use super::strip_numbering;

/// Words that start a step, not a role: a sign-off's role is a person, a
/// team or a title ("QA Lead", "Release Manager", "Security"), never "If",
/// "All" or "Check Sentry".
const NOT_ROLE_STARTS: &[&str] = &[
    "if", "all", "any", "each", "every", "the", "this", "that", "these", "it", "we", "you", "they",
    "i", "our", "your", "when", "once", "after", "before", "make", "check", "verify", "ensure",
    "confirm", "run", "update", "create", "send", "notify", "review", "test", "deploy", "tag",
    "merge", "publish", "announce", "close", "open", "get", "add", "remove", "set", "wait",
    "monitor", "post", "write", "build", "push", "upload", "move", "mark", "file", "do", "no",
    "not", "see", "note",
];

/// Whether a sign-off's role reads as one: a few words, not starting as a
/// step or a sentence does.
pub fn looks_like_role(role: &str) -> bool {
    let words: Vec<String> = role
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    match (words.first(), words.last()) {
        (Some(first), Some(last)) => {
            words.len() <= 6
                && !NOT_ROLE_STARTS.contains(&first.as_str())
                && !NOT_ROLE_ENDS.contains(&last.as_str())
        }
        _ => false,
    }
}

/// Words that end the label of a value to write down, not of a person:
/// "Release Duration", "Rollback Required", "Go-Live Date".
const NOT_ROLE_ENDS: &[&str] = &[
    "duration", "time", "date", "required", "status", "decision", "version", "number", "id",
    "notes", "comments", "result", "results", "outcome", "reason", "window", "count", "score",
    "level", "type", "link", "url", "ticket", "change",
];

/// The role a free-text sign-off names: its leading capitalised words, as
/// "QA Lead" in "QA Lead sign-off received".
pub fn role_words(text: &str) -> String {
    let words: Vec<&str> = text
        .split_whitespace()
        .take_while(|word| word.chars().next().is_some_and(char::is_uppercase))
        .collect();
    if words.is_empty() {
        text.to_string()
    } else {
        words.join(" ")
    }
}

/// A sign-off's role without the word for signing it: "Technical
/// Approval" is signed by "Technical", "QA sign-off" by "QA". A role that
/// is nothing but such a word keeps it.
pub fn without_signing_word(role: &str) -> &str {
    let lower = role.to_lowercase();
    for tail in [
        " approval",
        " sign-off",
        " signoff",
        " sign off",
        " signature",
    ] {
        if lower.ends_with(tail) {
            let kept = role[..role.len() - tail.len()].trim_end();
            if !kept.is_empty() {
                return kept;
            }
        }
    }
    role
}

/// The role a heading over a signature block names: "3. SRE Witness
/// (Optional)" is signed by "SRE Witness", "QA Lead Approval" by "QA
/// Lead". The parenthesis says whether, not who.
pub fn role_of_title(title: &str) -> String {
    let mut role = strip_numbering(title).trim();
    if role.ends_with(')')
        && let Some(open) = role.rfind('(')
        && !role[..open].trim().is_empty()
    {
        role = role[..open].trim_end();
    }
    without_signing_word(role).to_string()
}

/// The role a line names by asking for its approval: "DBA approval -
/// the database engineer confirms" and "Business owner sign-off" give
/// "DBA" and "Business owner". `None` when its lead does not end so.
pub fn signing_lead(text: &str) -> Option<String> {
    let lead = lead_of(text);
    let role = without_signing_word(lead);
    (role.len() < lead.len() && looks_like_role(role)).then(|| role.to_string())
}

/// A line's words before the dash or colon that explains it.
pub(super) fn lead_of(text: &str) -> &str {
    // The first of the separators, found in one pass (four `find`s were
    // a tenth of parsing a long checklist).
    let bytes = text.as_bytes();
    let end = (0..bytes.len())
        .find(|&at| {
            let rest = &bytes[at..];
            [" - ", " – ", " — ", ":"]
                .iter()
                .any(|sep| rest.starts_with(sep.as_bytes()))
        })
        .unwrap_or(text.len());
    text[..end].trim()
}
