//! Field lines: `Label: value`, whether the value is blanks to fill, a
//! choice of answers, a value to keep, or prose that only looks like one.

/// What the value of a `Label: value` line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldShape {
    pub label: String,
    pub value: String,
    /// The value is blanks to fill in (`___`, `[Name]`), not a pre-filled
    /// value.
    pub placeholder: bool,
    /// The blanks ask for a name and a date, or a signature.
    pub asks_signature: bool,
}

/// Reads `Label: value` where the label is short. `None` when the line is
/// prose.
pub fn field_shape(text: &str) -> Option<FieldShape> {
    let colon = text.find(':')?;
    let label = text[..colon].trim();
    let value = text[colon + 1..].trim();
    if label.chars().count() > 40
        || label.split_whitespace().count() > 5
        || value.starts_with("//")
        || label.ends_with(['.', '!', '?'])
    {
        return None;
    }
    let (placeholder, asks_signature) = placeholder(value);
    // `: ___` is a field that forgot its label, which lint reports; an
    // empty label with a value is just prose.
    if label.is_empty() && !placeholder {
        return None;
    }
    Some(FieldShape {
        label: label.to_string(),
        value: value.to_string(),
        placeholder,
        asks_signature,
    })
}

/// Whether a value is only blanks: `___`, `[Name]`, `<date>`, joined by
/// separators and sub-labels such as `Signature:`. Also whether the blanks
/// ask for a name and a date, or a signature.
fn placeholder(value: &str) -> (bool, bool) {
    let mut blanks = 0;
    let mut name = false;
    let mut date = false;
    let mut signature = false;
    // "___ Date: ___": a blank, then a dated one. The first blank is for
    // the signer's name, as on a paper sign-off sheet.
    let mut dated_after_blank = false;
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        let (close, is_blank) = match c {
            '[' => (Some(']'), true),
            '<' => (Some('>'), true),
            // A template's variable, `{{milestone}}`, is filled in too.
            '{' if rest.starts_with("{{") => (Some('}'), true),
            // "___ (UTC)", "___ (Name/Role)": a hint beside a blank.
            '(' if blanks > 0 => (Some(')'), false),
            '_' => (None, true),
            _ => (None, false),
        };
        if let Some(close) = close {
            let Some(end) = rest.find(close) else {
                return (false, false);
            };
            let inner = rest[1..end].to_lowercase();
            // `{{x}}` closes with two braces.
            let end = if rest[end..].starts_with("}}") {
                end + 1
            } else {
                end
            };
            name |= inner.contains("name");
            date |= inner.contains("date");
            signature |= inner.contains("signature");
            blanks += usize::from(is_blank);
            rest = &rest[end + 1..];
        } else if is_blank {
            let run = rest.len() - rest.trim_start_matches('_').len();
            if run < 2 {
                return (false, false);
            }
            blanks += 1;
            rest = &rest[run..];
        } else if c.is_whitespace() || "-–—/|,.".contains(c) {
            rest = &rest[c.len_utf8()..];
        } else {
            // A sub-label such as "Signature:" between blanks.
            let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let word = &rest[..word_end];
            if !word.ends_with(':') || word.len() < 2 {
                return (false, false);
            }
            let lower = word.to_lowercase();
            signature |= lower.contains("signature");
            name |= lower.contains("name");
            date |= lower.contains("date");
            dated_after_blank |= blanks > 0 && lower.contains("date");
            rest = &rest[word_end..];
        }
    }
    let placeholder = blanks > 0;
    let signed = (name && date) || signature || (dated_after_blank && blanks >= 2);
    (placeholder, placeholder && signed)
}

/// Boxes written before each choice of a paper form's field: `[ ] Low
/// [ ] High`, `☐ PASS ☐ FAIL`.
const CHOICE_BOXES: &[&str] = &["[ ]", "[x]", "[X]", "☐", "☑", "☒", "⬜"];

/// `☐ PASS ☐ FAIL`, `[ ] Standard [ ] Emergency`: each box opens a choice.
/// Only when the value starts with a box and holds at least two.
pub fn boxed_choices(value: &str) -> Vec<String> {
    let value = value.trim();
    if !CHOICE_BOXES.iter().any(|mark| value.starts_with(mark)) {
        return Vec::new();
    }
    let mut parts = vec![String::new()];
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        if let Some(mark) = CHOICE_BOXES.iter().find(|mark| rest.starts_with(**mark)) {
            parts.push(String::new());
            rest = &rest[mark.len()..];
        } else {
            parts.last_mut().expect("never empty").push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    let parts: Vec<String> = parts
        .iter()
        .map(|part| part.trim().to_string())
        .filter(|part| !part.is_empty())
        .collect();
    if parts.len() >= 2 { parts } else { Vec::new() }
}

/// `A / B / C`, `A | B` or `☐ A ☐ B`: the choices of a pre-filled field.
pub fn choices(value: &str) -> Vec<String> {
    let boxed = boxed_choices(value);
    if !boxed.is_empty() {
        return boxed;
    }
    let parts: Vec<&str> = if value.contains(" / ") {
        value.split(" / ").collect()
    } else if value.contains('|') {
        value.split('|').collect()
    } else {
        return Vec::new();
    };
    let parts: Vec<String> = parts
        .iter()
        .map(|part| part.trim().to_string())
        .filter(|part| !part.is_empty())
        .collect();
    if parts.len() >= 2 { parts } else { Vec::new() }
}

/// A field's pre-filled value that is a sentence, a pointer or a contact
/// rather than a value to record: "use the pattern vX.Y.Z.", "Post in
/// #incidents", "see RUNBOOK.md", "page the on-call engineer".
pub fn is_prose_value(value: &str) -> bool {
    let lower = value.trim().to_lowercase();
    let words: Vec<&str> = lower
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    let function_word = words.iter().any(|w| {
        matches!(
            *w,
            "the" | "a" | "an" | "to" | "in" | "of" | "for" | "with" | "on" | "into" | "from"
        )
    });
    words.len() >= 4
        || (words.len() >= 2 && function_word)
        || (words.len() >= 3 && lower.ends_with('.'))
        || lower.starts_with("see ")
        || lower.starts_with("http")
        || lower.starts_with('@')
        || lower.ends_with(".md")
}
