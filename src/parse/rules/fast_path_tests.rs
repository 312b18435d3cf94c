//! The fast paths (ASCII, one pass, no copies) against the plain
//! definitions they replace: the same answer for any text, so the speed
//! work changes no result.

use proptest::prelude::*;

use super::optional::{optional_parenthesis, optional_prefix};
use super::*;

fn normalised_plain(title: &str) -> String {
    strip_numbering(title)
        .to_lowercase()
        .replace(['-', '_'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn pick_lead_plain(lead: &str) -> bool {
    let lower = lead.to_lowercase();
    ["tick", "check", "select", "mark", "choose"]
        .iter()
        .any(|verb| lower.contains(&format!("{verb} all that apply")))
}

/// `lead_condition` as it was, with no gate before the lower-cased copy.
fn lead_condition_plain(lead: &str) -> Option<crate::model::When> {
    let lower = lead.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let opens = words
        .iter()
        .take(3)
        .any(|w| matches!(*w, "if" | "on" | "after" | "once" | "when" | "upon"));
    // Past the gate the reading is unchanged.
    if opens { lead_condition(lead) } else { None }
}

fn slug_plain(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        let c = match c {
            'à'..='å' | 'À'..='Å' => 'a',
            'è'..='ë' | 'È'..='Ë' => 'e',
            'ì'..='ï' | 'Ì'..='Ï' => 'i',
            'ò'..='ö' | 'Ò'..='Ö' => 'o',
            'ù'..='ü' | 'Ù'..='Ü' => 'u',
            'ç' | 'Ç' => 'c',
            'ñ' | 'Ñ' => 'n',
            c => c,
        };
        if !c.is_ascii_alphanumeric() {
            dash = true;
            continue;
        }
        let needed = usize::from(dash && !out.is_empty()) + 1;
        if out.len() + needed > 48 {
            break;
        }
        if dash && !out.is_empty() {
            out.push('-');
        }
        dash = false;
        out.push(c.to_ascii_lowercase());
    }
    if out.is_empty() {
        "item".to_string()
    } else {
        out
    }
}

fn optional_prefix_plain(text: &str) -> bool {
    let lower = text.trim_start().to_lowercase();
    [
        "(optional)",
        "optional:",
        "if necessary,",
        "if needed,",
        "if applicable,",
        "if possible,",
    ]
    .iter()
    .any(|start| lower.starts_with(start))
}

#[test]
fn a_title_normalised_again_after_another_is_its_own_form() {
    // The last form is kept for the next question about the same
    // heading; a different title must never get it.
    assert_eq!(&*normalised("1. Sign-Off"), "sign off");
    assert_eq!(&*normalised("Roll_back"), "roll back");
    assert_eq!(&*normalised("1. Sign-Off"), "sign off");
    assert_eq!(&*normalised(""), "");
}

fn lead_of_plain(text: &str) -> &str {
    let end = [" - ", " – ", " — ", ":"]
        .iter()
        .filter_map(|sep| text.find(sep))
        .min()
        .unwrap_or(text.len());
    text[..end].trim()
}

fn optional_tail_plain(text: &str) -> bool {
    let lower = text.trim_end().trim_end_matches('.').to_lowercase();
    [
        "if needed",
        "as needed",
        "if applicable",
        "if required",
        "if necessary",
        "if possible",
        "if you can",
        "where possible",
    ]
    .iter()
    .any(|tail| lower.ends_with(tail))
}

fn is_signoff_title_plain(title: &str) -> bool {
    let title = normalised_plain(title).replace("sign off", "signoff");
    let words: Vec<&str> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let noun = |word: &&str| {
        matches!(
            *word,
            "signoff"
                | "signoffs"
                | "approval"
                | "approvals"
                | "signature"
                | "signatures"
                | "acknowledgement"
                | "acknowledgment"
        )
    };
    words.last().is_some_and(noun) || (words.first().is_some_and(noun) && words.len() <= 4)
}

// Titles built from the pieces the rules look at, in any case, with
// the characters that differ between ASCII and Unicode handling.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("Roll Back".to_string()),
            Just("IF NEEDED".to_string()),
            Just("Sign-Off".to_string()),
            Just("Approvals".to_string()),
            Just("SIGNATURE".to_string()),
            Just("Acknowledgment".to_string()),
            Just("sign_offs".to_string()),
            Just(" - ".to_string()),
            Just(" – ".to_string()),
            Just(":".to_string()),
            Just("\u{b}".to_string()),
            Just("\u{a0}".to_string()),
            Just("Σ".to_string()),
            Just("İ".to_string()),
            Just("\u{212a}".to_string()),
            Just("1.2 ".to_string()),
            Just(".".to_string()),
            Just("If ".to_string()),
            Just("ONCE".to_string()),
            Just("when".to_string()),
            Just("Tick All That Apply".to_string()),
            Just("choose all that apply".to_string()),
            "[ -~\t\n_]{0,6}",
        ],
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn normalised_is_the_plain_definition(title in text()) {
        let (fast, plain) = (normalised(&title), normalised_plain(&title));
        prop_assert_eq!(&*fast, plain.as_str());
    }

    #[test]
    fn signoff_title_is_the_plain_definition(title in text()) {
        prop_assert_eq!(is_signoff_title(&title), is_signoff_title_plain(&title));
    }

    #[test]
    fn slug_is_the_plain_definition(line in text(), accents in "[a-zàåÈçÑñü€ -]{0,60}") {
        prop_assert_eq!(slug(&line), slug_plain(&line));
        prop_assert_eq!(slug(&accents), slug_plain(&accents));
    }

    #[test]
    fn optional_prefix_is_the_plain_definition(line in text(), head in "(\\(OPTIONAL\\)|If Needed,|İf needed,|\u{212a}|Optional:)?") {
        let line = format!("{head}{line}");
        prop_assert_eq!(optional_prefix(&line), optional_prefix_plain(&line));
    }

    #[test]
    fn pick_lead_is_the_plain_definition(line in text()) {
        prop_assert_eq!(is_pick_lead(&line), pick_lead_plain(&line));
    }

    #[test]
    fn lead_condition_is_the_plain_definition(line in text()) {
        prop_assert_eq!(lead_condition(&line), lead_condition_plain(&line));
    }

    #[test]
    fn lead_of_is_the_plain_definition(line in text()) {
        prop_assert_eq!(lead_of(&line), lead_of_plain(&line));
    }

    #[test]
    fn contains_any_is_contains(line in text()) {
        let words = ["roll back", "if", "sign-off", ":", "Σ"];
        prop_assert_eq!(
            contains_any(&line, &words),
            words.iter().any(|w| line.contains(w))
        );
    }

    #[test]
    fn optional_tail_is_the_plain_definition(line in text()) {
        // Only the tail rule differs in how it is computed: where the
        // other rules say no, the answer is the tail's.
        let others = optional_parenthesis(&line)
            || optional_parenthesis(lead_of(&line))
            || optional_prefix(&line);
        prop_assert_eq!(is_optional_text(&line), others || optional_tail_plain(&line));
    }

    #[test]
    fn no_wait_without_a_word_of_waiting(line in text(), tail in "( Watch| soak| BAKE|)( 15 minutes)?") {
        let line = format!("{line}{tail}");
        let watching = ["monitor", "watch", "wait", "observ", "soak", "bake"]
            .iter()
            .any(|w| line.to_lowercase().contains(w));
        if watching && tail.ends_with("15 minutes") {
            // Past the gate in any case: the reading itself is unchanged.
            prop_assert!(wait_in_text(&line).is_some());
        } else if !watching {
            prop_assert_eq!(wait_in_text(&line), None);
        }
    }
}
