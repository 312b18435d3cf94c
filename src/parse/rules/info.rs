//! Wording that marks information rather than a step: hints under a step,
//! "Notes:" leads, optional groups, headings over reference text or naming
//! a part of a document.

use super::normalised;

/// Words a step does not start with: a step is an instruction ("Run the
/// tests"), while "This creates the tag", "The release is automated",
/// "Note this ..." or "Do not commit yet" explain or warn.
const INFORMATION_STARTS: &[&str] = &[
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "they", "there", "here",
    "note", "nb", "tip", "hint", "warning", "caution", "example", "eg", "ie", "message", "see",
];

/// A nested line under a step that informs rather than instructs: it
/// starts with a command to copy (a hint: "`make test`", "`git log` lists
/// the commits"), with an article, pronoun or label ("This commits ...",
/// "Message: ..."), or warns ("Do not commit yet").
pub fn is_information(text: &str, markdown: &str) -> bool {
    if markdown.trim_start().starts_with('`') {
        return true;
    }
    let lower = text.trim().to_lowercase();
    let mut words = lower
        .split(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
        .filter(|word| !word.is_empty());
    let first = words.next().unwrap_or("");
    let first: String = first.chars().filter(|c| c.is_alphanumeric()).collect();
    let warning =
        lower.starts_with("do not ") || lower.starts_with("don't ") || lower.starts_with("never ");
    warning || INFORMATION_STARTS.contains(&first.as_str())
}

/// Verbs a step starts with: a bullet ending in ":" that starts with one
/// ("Try the downstream tool and check it still works:") is an instruction
/// over its sub-steps, not a group's name ("Website:").
const STEP_VERBS: &[&str] = &[
    "add", "announce", "build", "bump", "check", "close", "confirm", "create", "delete", "deploy",
    "do", "ensure", "install", "make", "merge", "open", "prepare", "publish", "push", "release",
    "remove", "review", "run", "send", "set", "tag", "test", "try", "update", "upload", "verify",
    "wait", "write",
];

/// Whether a line starts with a verb a step starts with.
pub fn is_instruction(text: &str) -> bool {
    let first = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    STEP_VERBS.contains(&first.as_str())
}

/// A heading or lead that gathers remarks, not steps: "Notes:", "Tips".
/// Only the word alone: "Release notes" is a step's subject.
pub fn is_notes_lead(text: &str) -> bool {
    let lower = text
        .trim()
        .trim_end_matches(':')
        .trim_matches(|c: char| c == '*' || c == '_')
        .trim_end_matches(':')
        .trim()
        .to_lowercase();
    matches!(
        lower.as_str(),
        "note" | "notes" | "remarks" | "tips" | "hints" | "caveats" | "comments" | "good to know"
    )
}

/// A group's name that makes its steps optional: "Optional, only if it
/// did not already happen:", "(Optional) extras:".
pub fn is_optional_lead(text: &str) -> bool {
    let lower = text.trim().trim_start_matches('(').to_lowercase();
    lower.starts_with("optional")
}

/// A heading that names a part of a document, not the document: a
/// checklist is not called "Overview", nor "Current status: blocked".
pub fn is_phase_word(title: &str) -> bool {
    let label = title.split(':').next().unwrap_or(title);
    matches!(
        &*normalised(label),
        "overview"
            | "summary"
            | "introduction"
            | "purpose"
            | "scope"
            | "contents"
            | "table of contents"
            | "background"
            | "status"
            | "current status"
    )
}

/// A heading over reference material rather than steps: an appendix,
/// best practices, principles, tips, background, contacts, the artifacts a
/// run leaves (what it produces, not steps to take).
pub fn is_reference_title(title: &str) -> bool {
    let title = normalised(title);
    super::contains_any(
        &title,
        &[
            "appendix",
            "best practice",
            "principle",
            "ground rule",
            "rules",
            "tips",
            "guideline",
            "background",
            "glossary",
            "reference",
            "faq",
            "contacts",
            "resources",
            "see also",
            "history",
            "changelog",
            "change log",
            "expected artifact",
            "exception",
            "expected artefact",
        ],
    )
}

/// "**Example:**" over a quote or a paragraph shows what to write; it is
/// no blank to fill.
pub fn is_example_label(text: &str) -> bool {
    let label = normalised(text.split(':').next().unwrap_or(""));
    matches!(
        &*label,
        "example" | "examples" | "for example" | "e g" | "eg" | "sample"
    )
}
