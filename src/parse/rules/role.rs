//! Who signs: whether a sign-off's label reads as a role (a person, a
//! team or a title, never a step or a value to write down), and the role
//! a heading, a line or a free-text sign-off names.

use super::{ends_with_lower, lowers_to, strip_numbering};

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
    // The words are matched in place, with no list of lower-cased copies:
    // every line under a sign-off heading is asked.
    let mut words = role
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty());
    let Some(first) = words.next() else {
        return false;
    };
    let (count, last) = words.fold((1, first), |(count, _), word| (count + 1, word));
    count <= 6
        && !NOT_ROLE_STARTS.iter().any(|word| lowers_to(first, word))
        && !NOT_ROLE_ENDS.iter().any(|word| lowers_to(last, word))
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
    // Matched in place: every item's text is asked (100,000 lower-cased
    // copies at 100,000 items). No tail holds a `k`, so the tail's bytes
    // in `role` are its ASCII letters (see `ends_with_lower`).
    for tail in [
        " approval",
        " sign-off",
        " signoff",
        " sign off",
        " signature",
    ] {
        if ends_with_lower(role, tail) {
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
    // a tenth of parsing a long checklist). Each begins with `:` or a
    // space, so only there are the dashes compared: a comparison of four
    // separators at every byte was 3 % of `lint`.
    let bytes = text.as_bytes();
    let end = (0..bytes.len())
        .find(|&at| match bytes[at] {
            b':' => true,
            b' ' => {
                let rest = &bytes[at..];
                [" - ", " – ", " — "]
                    .iter()
                    .any(|sep| rest.starts_with(sep.as_bytes()))
            }
            _ => false,
        })
        .unwrap_or(text.len());
    text[..end].trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// As a role was read before: a list of lower-cased words.
    fn looks_like_role_lowered(role: &str) -> bool {
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

    /// As the signing word was found before: in a lower-cased copy.
    fn without_signing_word_lowered(role: &str) -> &str {
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

    const LABELS: &[&str] = &[
        "QA Lead",
        "Release Manager",
        "If all green, tag",
        "IF all green",
        "İf all green",
        "Check Sentry",
        "Chec\u{212A} Sentry",
        "Ma\u{212A}e it so",
        "Release Tic\u{212A}et",
        "Release Link",
        "Release LIN\u{212A}",
        "I approve",
        "İ approve",
        "Σίγμα ΟΜΑΔΑΣ",
        "Ομάδα QA",
        "Équipe Qualité",
        "Команда QA",
        "チームリーダー",
        "** QA ** Lead:",
        "One two three four five six",
        "One two three four five six seven",
        "",
        "  ",
        "---",
        "QA Approval",
        "QA APPROVAL",
        "Approval",
        " approval",
        "QA sign-off",
        "QA SIGN OFF",
        "Ops Signoff",
        "Ops Signature",
        "Ops Signaturé",
        "Ops appro\u{307}val",
        "İ approval",
        "Ops ＡＰＰＲＯＶＡＬ",
        "Σ approval",
        "ΣΑΣ SIGNATURE",
    ];

    #[test]
    fn roles_read_in_place_as_lower_cased() {
        for label in LABELS {
            assert_eq!(
                looks_like_role(label),
                looks_like_role_lowered(label),
                "{label:?}"
            );
            assert_eq!(
                without_signing_word(label),
                without_signing_word_lowered(label),
                "{label:?}"
            );
        }
    }

    fn label() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just(" ".to_string()),
                Just("\u{212A}".to_string()),
                Just("İ".to_string()),
                Just("Σ".to_string()),
                Just("é".to_string()),
                Just(" approval".to_string()),
                Just(" Sign-Off".to_string()),
                Just("CHECK".to_string()),
                Just("ticket".to_string()),
                Just("if".to_string()),
                "[a-zA-Z \\-*:]{0,6}",
            ],
            0..8,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn roles_as_lower_cased_on_any_label(label in label()) {
            prop_assert_eq!(looks_like_role(&label), looks_like_role_lowered(&label));
            prop_assert_eq!(without_signing_word(&label), without_signing_word_lowered(&label));
        }
    }
}
