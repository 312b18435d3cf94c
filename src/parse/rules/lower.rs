//! Matching words as they read lower-cased, without the lower-cased copy:
//! the rules ask every item and heading about a few words, and a copy per
//! question was a tenth of parsing's allocations.

/// Whether `word` lower-cased is `lower` (written in lower-case ASCII):
/// `word.to_lowercase() == lower`, with no copy.
pub(crate) fn lowers_to(word: &str, lower: &str) -> bool {
    debug_assert!(lower.is_ascii() && !lower.bytes().any(|b| b.is_ascii_uppercase()));
    if word.is_ascii() {
        return word.eq_ignore_ascii_case(lower);
    }
    // Outside ASCII a letter may still lower-case into ASCII (the Kelvin
    // sign into `k`, dotted I into `i` and a combining dot), so each is
    // lower-cased as `to_lowercase` does. Only the final sigma differs
    // (`ς` where `to_lowercase` sees a word's end), and neither sigma is
    // ASCII, so the answer is the same.
    word.chars().flat_map(char::to_lowercase).eq(lower.chars())
}

/// Whether `text` lower-cased would end with `tail` (lower-case ASCII
/// with no `k`), and so `text` ends with `tail` in either case of ASCII:
/// the only letter outside ASCII that lower-cases to one ASCII letter is
/// the Kelvin sign (to `k`), and dotted I's `i` is followed by a
/// combining dot. So the byte length of the tail is the same in `text`.
pub(crate) fn ends_with_lower(text: &str, tail: &str) -> bool {
    debug_assert!(tail.is_ascii() && !tail.bytes().any(|b| b.is_ascii_uppercase() || b == b'k'));
    text.len()
        .checked_sub(tail.len())
        .is_some_and(|at| text.as_bytes()[at..].eq_ignore_ascii_case(tail.as_bytes()))
}

/// Whether `text` lower-cased would start with `head` (lower-case ASCII
/// with no `k`, not ending in `i`): as for `ends_with_lower`, and dotted
/// I lower-cases to an `i` followed by a combining dot, which `head` can
/// only hold as its last letter.
pub(crate) fn starts_with_lower(text: &str, head: &str) -> bool {
    debug_assert!(
        head.is_ascii()
            && !head.bytes().any(|b| b.is_ascii_uppercase() || b == b'k')
            && !head.ends_with('i')
    );
    text.as_bytes()
        .get(..head.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(head.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The premise of the functions above: outside ASCII, only the Kelvin
    /// sign and dotted I lower-case into anything holding ASCII.
    #[test]
    fn only_kelvin_and_dotted_i_lower_case_into_ascii() {
        let into_ascii: Vec<char> = (0x80..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| c.to_lowercase().any(|l| l.is_ascii()))
            .collect();
        assert_eq!(into_ascii, ['\u{130}', '\u{212A}']);
    }

    const TEXTS: &[&str] = &[
        "",
        " ",
        "x",
        "Make",
        "MAKE",
        "ma\u{212A}e",
        "\u{212A}",
        "İf",
        "if",
        "İ",
        "i",
        "Σ",
        "ΣΑΣ",
        "naïve",
        "Déploy",
        "Do not",
        "DO NOT ",
        "do not commit",
        "dO nOt x",
        "İptional",
        "optİonal",
        "OPTIONAL: x",
        "QA Approval",
        "QA APPROVAL",
        "approval",
        " approval",
        "x approvaL",
        "x sign-oﬀ",
        "x SIGN OFF",
        "x Signature",
        "ＡＰＰＲＯＶＡＬ",
        "x appro\u{307}val",
        "tic\u{212A}et",
        "ticket",
        "Ticket",
        "Çheck",
        "chec\u{212A}",
    ];
    const WORDS: &[&str] = &[
        "make",
        "if",
        "i",
        "do not ",
        "don't ",
        "optional",
        " approval",
        " sign-off",
        " sign off",
        " signature",
        "ticket",
        "check",
        "",
        "x",
        "naïve",
    ];

    #[test]
    fn as_lower_cased_copies_compare() {
        for text in TEXTS {
            let lower = text.to_lowercase();
            for word in WORDS.iter().filter(|w| w.is_ascii()) {
                assert_eq!(lowers_to(text, word), lower == *word, "{text:?} {word:?}");
                if !word.contains('k') {
                    assert_eq!(
                        ends_with_lower(text, word),
                        lower.ends_with(word),
                        "{text:?} {word:?}"
                    );
                    if !word.ends_with('i') {
                        assert_eq!(
                            starts_with_lower(text, word),
                            lower.starts_with(word),
                            "{text:?} {word:?}"
                        );
                    }
                }
            }
        }
    }
}
