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
    let text = text.trim();
    if !text.is_ascii() {
        return informs_lowered(text);
    }
    // Every nested line is asked: an ASCII one (nearly all) is read in
    // place. Its first word's letters and digits are its lower-cased
    // one's, in either case.
    let first = text
        .split(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
        .find(|word| !word.is_empty())
        .unwrap_or("");
    let first = || {
        first
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_lowercase())
    };
    let warning = ["do not ", "don't ", "never "]
        .iter()
        .any(|start| super::starts_with_lower(text, start));
    warning
        || INFORMATION_STARTS
            .iter()
            .any(|word| first().eq(word.bytes()))
}

/// `is_information` on a lower-cased copy of the trimmed text, for text
/// outside ASCII (a letter may lower-case into several).
fn informs_lowered(text: &str) -> bool {
    let lower = text.to_lowercase();
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
        .trim_matches(|c: char| !c.is_alphanumeric());
    STEP_VERBS.iter().any(|verb| super::lowers_to(first, verb))
}

/// A heading or lead that gathers remarks, not steps: "Notes:", "Tips".
/// Only the word alone: "Release notes" is a step's subject.
pub fn is_notes_lead(text: &str) -> bool {
    let lead = text
        .trim()
        .trim_end_matches(':')
        .trim_matches(|c: char| c == '*' || c == '_')
        .trim_end_matches(':')
        .trim();
    [
        "note",
        "notes",
        "remarks",
        "tips",
        "hints",
        "caveats",
        "comments",
        "good to know",
    ]
    .iter()
    .any(|word| super::lowers_to(lead, word))
}

/// A group's name that makes its steps optional: "Optional, only if it
/// did not already happen:", "(Optional) extras:".
pub fn is_optional_lead(text: &str) -> bool {
    super::starts_with_lower(text.trim().trim_start_matches('('), "optional")
}

/// A heading that names a part of a document, not the document: a
/// checklist is not called "Overview", nor "Current status: blocked".
pub fn is_phase_word(title: &str) -> bool {
    let label = title.split(':').next().unwrap_or(title);
    matches!(
        normalised(label).as_str(),
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
        label.as_str(),
        "example" | "examples" | "for example" | "e g" | "eg" | "sample"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules as they read before: on a lower-cased copy.
    fn instruction_lowered(text: &str) -> bool {
        let first = text
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        STEP_VERBS.contains(&first.as_str())
    }

    fn notes_lead_lowered(text: &str) -> bool {
        let lower = text
            .trim()
            .trim_end_matches(':')
            .trim_matches(|c: char| c == '*' || c == '_')
            .trim_end_matches(':')
            .trim()
            .to_lowercase();
        matches!(
            lower.as_str(),
            "note"
                | "notes"
                | "remarks"
                | "tips"
                | "hints"
                | "caveats"
                | "comments"
                | "good to know"
        )
    }

    fn optional_lead_lowered(text: &str) -> bool {
        let lower = text.trim().trim_start_matches('(').to_lowercase();
        lower.starts_with("optional")
    }

    #[test]
    fn lines_read_in_place_as_lower_cased() {
        let texts = [
            "This creates the tag",
            "THIS creates",
            "`make test`",
            "Note: x",
            "N.B. x",
            "e.g. this",
            "Do not commit yet",
            "DON'T push",
            "Never  x",
            "never",
            "Do nothing",
            "It's done",
            "Its done",
            "'This' x",
            "Message: hi",
            ", the x",
            ":: the",
            "",
            "   ",
            "Run the tests",
            "RUN",
            "run:",
            "**Run** it",
            "Ma\u{212A}e it",
            "Chec\u{212A} it",
            "İnstall it",
            "Τhe x",
            "Ëxample",
            "Σ x",
            "Notes:",
            "**Notes**:",
            "_Tips_",
            "Good To Know:",
            "GOOD TO \u{212A}NOW",
            "notes ::",
            "Release notes",
            "Optional, only if:",
            "(Optional) extras:",
            "OPTIONAL",
            "optİonal x",
            "(( optional",
            "İİ",
            "i̇f",
            "\u{212A}",
        ];
        for text in texts {
            let markdown = text;
            assert_eq!(
                is_information(text, markdown),
                markdown.trim_start().starts_with('`') || informs_lowered(text.trim()),
                "{text:?}"
            );
            assert_eq!(is_instruction(text), instruction_lowered(text), "{text:?}");
            assert_eq!(is_notes_lead(text), notes_lead_lowered(text), "{text:?}");
            assert_eq!(
                is_optional_lead(text),
                optional_lead_lowered(text),
                "{text:?}"
            );
        }
    }
}
