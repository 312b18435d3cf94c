//! Choices written as boxes, one per answer: a heading over paragraphs
//! that each open with a box (`[ ] **APPROVED**`, `☐ BLOCKED`), or a
//! heading that names a value ("Type of Change", "Risk Level") over a list
//! of boxes. Either is one question with those answers, a field named by
//! the heading, not a step per answer.

use super::build::Draft;
use super::rules::{self, FieldShape};

/// The boxes a paper form opens an answer with.
const BOXES: &[&str] = &["[ ]", "[x]", "[X]", "☐", "☑", "☒", "⬜"];

/// The answer a paragraph opens with a box, in a few words:
/// "[ ] CONDITIONAL - Requires:" gives "CONDITIONAL".
pub(super) fn boxed_answer(text: &str) -> Option<String> {
    let text = text.trim_start();
    BOXES.iter().find(|mark| text.starts_with(**mark))?;
    let answer = short(after_box(text));
    (!answer.is_empty()).then_some(answer)
}

/// A line's words after the box it opens with.
pub(super) fn after_box(text: &str) -> &str {
    let text = text.trim_start();
    BOXES
        .iter()
        .find_map(|mark| text.strip_prefix(mark))
        .unwrap_or(text)
        .trim()
}

/// An answer without what explains it: up to a dash or a colon.
pub(super) fn short(text: &str) -> String {
    let text = text.trim();
    let end = [" - ", " – ", " — ", ":"]
        .iter()
        .filter_map(|sep| text.find(sep))
        .min()
        .unwrap_or(text.len());
    text[..end].trim().to_string()
}

/// "Type of Change", "Risk Level", "Priority": a heading that names a
/// value to pick, so the boxes under it are its answers.
pub(super) fn is_value_title(title: &str) -> bool {
    let title = rules::strip_numbering(title);
    if !title.is_ascii() {
        return is_value_title_lowered(title);
    }
    // Every heading is asked: an ASCII one (nearly all) is read in place,
    // with no lower-cased copy and no list of its words.
    let mut words = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let Some(first) = words.next() else {
        return false;
    };
    let second = words.next();
    let (count, last) = words.fold(
        (1 + usize::from(second.is_some()), second.unwrap_or(first)),
        |(count, _), word| (count + 1, word),
    );
    count <= 4
        && (first.eq_ignore_ascii_case("type")
            && second.is_some_and(|w| w.eq_ignore_ascii_case("of"))
            || VALUE_WORDS
                .iter()
                .any(|word| last.eq_ignore_ascii_case(word)))
}

/// The last words of a heading that names a value to pick.
const VALUE_WORDS: &[&str] = &[
    "type",
    "level",
    "priority",
    "category",
    "severity",
    "classification",
    "urgency",
    "tier",
];

/// `is_value_title` on a lower-cased copy: where the title is not ASCII,
/// a letter may lower-case into several (dotted I into `i` and a
/// combining dot), and so into other words.
fn is_value_title_lowered(title: &str) -> bool {
    let title = title.to_lowercase();
    let words: Vec<&str> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let Some(last) = words.last() else {
        return false;
    };
    words.len() <= 4
        && (words.first() == Some(&"type") && words.get(1) == Some(&"of")
            || VALUE_WORDS.contains(last))
}

/// The heading's words, without the emoji or numbering before them.
pub(super) fn label(title: &str) -> String {
    rules::strip_numbering(title)
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim()
        .to_string()
}

/// The answers gathered so far under one heading, as the field they make.
pub(super) fn field(label: &str, answers: &[String], offset: usize) -> Draft {
    let value = answers.join(" / ");
    Draft {
        text: format!("{label}: {value}"),
        markdown: format!("**{label}**: {value}"),
        offset,
        task: false,
        depth: 0,
        node: None,
        parent_node: None,
        command: None,
        annotation: None,
        shape: Some(Box::new(FieldShape {
            label: label.to_string(),
            value,
            placeholder: false,
            asks_signature: false,
        })),
        is_parent: false,
        trigger: false,
        optional: false,
    }
}

/// One box alone asks nothing to choose: it is a step to tick.
pub(super) fn single(text: &str, offset: usize, markdown: &str) -> Draft {
    Draft {
        text: text.to_string(),
        markdown: markdown.to_string(),
        offset,
        task: true,
        depth: 0,
        node: None,
        parent_node: None,
        command: None,
        annotation: None,
        shape: None,
        is_parent: false,
        trigger: false,
        optional: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_and_value_titles() {
        assert_eq!(boxed_answer("[ ] HOLD - Reason:").as_deref(), Some("HOLD"));
        assert_eq!(boxed_answer("☐ SHIP IT").as_deref(), Some("SHIP IT"));
        assert_eq!(boxed_answer("Ship it"), None);
        assert!(is_value_title("Type of Release"));
        assert!(is_value_title("3. Change Priority"));
        assert!(!is_value_title("Deployment Steps"));
        assert_eq!(label("🧭 Verdict"), "Verdict");
    }

    /// As every title was read before: lower-cased, then split.
    fn is_value_title_before(title: &str) -> bool {
        is_value_title_lowered(rules::strip_numbering(title))
    }

    #[test]
    fn ascii_titles_read_in_place_as_lower_cased() {
        let titles = [
            "Type of Release",
            "TYPE OF change",
            "type",
            "Type",
            "Type of",
            "of type",
            "Risk Level",
            "risk LEVEL:",
            "3. Change Priority",
            "1.2 Severity",
            "Tier",
            "A b c Tier",
            "A b c d Tier",
            "Type of a b",
            "Type-of-Change",
            "Deployment Steps",
            "",
            " ",
            "--",
            "Levels",
            "Priority!",
            "12. ",
            "Type\tof x",
            "Τype of x",
            "Risk Levél",
            "İ Level",
            "Lev\u{212A} type",
            "ℌ type",
        ];
        for title in titles {
            assert_eq!(
                is_value_title(title),
                is_value_title_before(title),
                "{title:?}"
            );
        }
    }
}
