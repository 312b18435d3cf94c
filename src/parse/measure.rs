//! The go/no-go number an item's text states, read as a [`Measure`]:
//! "Error rate normal (< 1%)", "Validation score >= 80/100", "Response
//! time > 3x baseline", "Customer impact over 10 minutes".
//!
//! Read only where it cannot be mistaken for something else: a comparison
//! (`>=`, `<=`, `>`, `<`, `=`, `≥`, `≤`, or in words: "at least", "at
//! most", "under", "over", "above", "below", "more than", "greater than",
//! "less than", "exceeds"), then a plain number, then a unit (`%`, `ms`,
//! `s`, `min`, `h`, `/100`, `x baseline`). A number with no unit ("Node >=
//! 18", "less than 2 of 3 replicas"), a version ("v1.2 > v1.1", ">=
//! 1.2.3"), a date or a count ("step 3 of 5") is no threshold; nor is a
//! text with two of them, as which one settles the item would be a guess.
//! A word comparison after "not", "no", "never", "none", "nothing" or
//! "nobody" is turned round: "does not exceed 1%" is `<= 1%`, "no more
//! than 5 min" is `<= 5 min`; but not across a "for" ("No traffic for
//! more than 10 minutes" is `> 10 min`).

use crate::model::{Comparison, Kind, Measure, Unit};

/// An item's threshold: only a check or a trigger is settled by a number,
/// and a time that is the item's own wait ("monitor for at least 15
/// minutes") is how long to watch, not a bound.
pub fn for_item(kind: Kind, text: &str, wait_seconds: Option<u64>) -> Option<Measure> {
    if !matches!(kind, Kind::Check | Kind::Trigger) {
        return None;
    }
    read(text).filter(|measure| wait_seconds.is_none() || !measure.unit.is_time())
}

/// The one threshold `text` states, if it states exactly one.
pub fn read(text: &str) -> Option<Measure> {
    // A bound is written in ASCII digits (`bound_at`): a text with none,
    // as most items are, states no threshold.
    if !text.bytes().any(|byte| byte.is_ascii_digit()) || !may_compare(text) {
        return None;
    }
    scan(text)
}

/// [`read`] without its quick test.
///
/// A time bound right after "for" ("Error rate > 5% for more than 10
/// minutes") says how long the condition must hold, not what to measure:
/// it gives way to any other threshold in the text, and stands only when
/// it is the one there is ("Outage for more than 10 minutes").
fn scan(text: &str) -> Option<Measure> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = None;
    let mut lasting = None;
    let mut lastings = 0;
    let mut at = 0;
    while at < chars.len() {
        let Some((comparison, after_op)) = comparison_at(&chars, at) else {
            at += 1;
            continue;
        };
        if let Some((bound, unit)) = bound_at(&chars, after_op) {
            let baseline = (unit == Unit::Baseline).then(|| baseline_name(&chars[..at]));
            let measure = Measure {
                comparison,
                bound,
                unit,
                baseline,
            };
            if unit.is_time()
                && matches!(comparison, Comparison::Above | Comparison::AtLeast)
                && lead_time(&chars, after_op)
            {
                // When to act, not what to measure.
            } else if unit.is_time() && after_for(&chars[..at]) {
                lastings += 1;
                lasting = Some(measure);
            } else if found.replace(measure).is_some() {
                return None;
            }
        }
        at = after_op;
    }
    found.or(lasting.filter(|_| lastings == 1))
}

/// Whether a time bound says how long ahead of something a step is done
/// ("approved more than 2 hours before the window", "at least 72 h in
/// advance"): the three words after its number, its unit among them,
/// name a time before. That is when to act, not a number to measure;
/// asking for one would make the operator type a value, or a note, for
/// a plain check. Asked only of a lower bound: "less than 24 hours before
/// the window" is how fresh, "lag < 10 s before cutover" how far behind,
/// and both are measured.
fn lead_time(chars: &[char], after_op: usize) -> bool {
    let end = chars.len().min(after_op + UNIT_WINDOW);
    let after: String = chars[after_op..end]
        .iter()
        .collect::<String>()
        .to_lowercase();
    after
        .split(|c: char| !c.is_alphabetic())
        .filter(|word| !word.is_empty())
        .take(3)
        .any(|word| {
            matches!(
                word,
                "before" | "ahead" | "prior" | "beforehand" | "advance"
            )
        })
}

/// Whether the word before a comparison is "for": "for more than 10
/// minutes", "for over 5 min".
fn after_for(before: &[char]) -> bool {
    let mut words = before
        .split(|c| !c.is_alphanumeric())
        .filter(|word| !word.is_empty());
    words.next_back().is_some_and(|word| {
        word.len() == 3
            && word
                .iter()
                .zip("for".chars())
                .all(|(c, f)| c.to_ascii_lowercase() == f)
    })
}

/// Whether `text` holds anything [`comparison_at`] could read: a symbol,
/// or one of its words in any case, with a digit after a word (prose
/// says "above" and "more than" often, and a number rarely follows: a
/// checklist of them was 8 % slower to lint when each was scanned). Most
/// items hold none, and this asks
/// without the copy of the text as characters. A superset: it may say yes
/// where `read` finds nothing, never no where it finds something (the
/// words are ASCII, and no other character lower-cases to their letters
/// but the Kelvin sign, which is not among them).
fn may_compare(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(at, &byte)| {
        // Sorted by the first byte, so most bytes cost one comparison; a
        // word's second letter is looked at before the word, as its first
        // ("a", "o", "u") starts a fifth of the letters of any sentence.
        let second = |letter: u8| bytes.get(at + 1).map(u8::to_ascii_lowercase) == Some(letter);
        let words: &[&str] = match byte.to_ascii_lowercase() {
            b'<' | b'>' | b'=' => return true,
            // The first byte of `≥` and `≤` (and of other characters).
            0xE2 => &["≥", "≤"],
            b'a' if second(b't') => &["at least", "at most"],
            b'a' if second(b'b') => &["above"],
            b'b' if second(b'e') => &["below"],
            b'e' if second(b'x') => &["exceed", "exceeds", "exceeding"],
            b'g' if second(b'r') => &["greater than", "greater than or equal to"],
            b'l' if second(b'e') => &["less than", "less than or equal to"],
            b'm' if second(b'o') => &["more than", "more than or equal to"],
            b'u' if second(b'n') => &["under"],
            b'o' if second(b'v') => &["over"],
            _ => return false,
        };
        let rest = &bytes[at..];
        words.iter().any(|word| {
            rest.len() >= word.len()
                && rest[..word.len()].eq_ignore_ascii_case(word.as_bytes())
                && number_after(&rest[word.len()..])
        })
    })
}

/// Whether a digit comes after the spaces that start `rest`, as a word's
/// bound must ("above twice the baseline" has none). Any byte of a
/// character past ASCII is passed as a space might be, so this says yes
/// wherever `bound_at` could find a number.
fn number_after(rest: &[u8]) -> bool {
    rest.iter()
        .find(|&&byte| byte.is_ascii() && !byte.is_ascii_whitespace())
        .is_some_and(u8::is_ascii_digit)
}

/// "Response time baseline" for "Response time > 3x baseline": what the
/// text measures, before its comparison.
fn baseline_name(before: &[char]) -> String {
    let quantity: String = before.iter().collect();
    let quantity = quantity.trim_end_matches(|c: char| c.is_whitespace() || c == '(');
    if quantity.is_empty() {
        "baseline".to_string()
    } else {
        format!("{quantity} baseline")
    }
}

/// A comparison starting at `at`, and where what follows it starts.
fn comparison_at(chars: &[char], at: usize) -> Option<(Comparison, usize)> {
    let before = at.checked_sub(1).map(|i| chars[i]);
    let next = chars.get(at + 1).copied();
    let symbol = match (chars[at], next) {
        // `->` and `=>` are arrows, `==` and `<<` code.
        (_, _) if matches!(before, Some('-' | '=' | '<' | '>' | '!')) => None,
        ('>', Some('=')) => Some((Comparison::AtLeast, 2)),
        ('<', Some('=')) => Some((Comparison::AtMost, 2)),
        ('>' | '<' | '=', Some('>' | '<' | '=')) => None,
        ('>', _) => Some((Comparison::Above, 1)),
        ('<', _) => Some((Comparison::Below, 1)),
        ('=', _) => Some((Comparison::Equal, 1)),
        ('≥', _) => Some((Comparison::AtLeast, 1)),
        ('≤', _) => Some((Comparison::AtMost, 1)),
        _ => None,
    };
    if let Some((comparison, width)) = symbol {
        return Some((comparison, at + width));
    }
    if before.is_some_and(char::is_alphanumeric) {
        return None;
    }
    // Every word start of a text that passed the quick test comes here:
    // most start with none of the words' letters.
    let first = chars[at].to_ascii_lowercase();
    if !matches!(first, 'a' | 'b' | 'e' | 'g' | 'l' | 'm' | 'o' | 'u') {
        return None;
    }
    // Longest first: "less than or equal to" before "less than".
    for (words, comparison) in [
        ("at least", Comparison::AtLeast),
        ("at most", Comparison::AtMost),
        ("under", Comparison::Below),
        ("over", Comparison::Above),
        ("above", Comparison::Above),
        ("below", Comparison::Below),
        ("greater than or equal to", Comparison::AtLeast),
        ("more than or equal to", Comparison::AtLeast),
        ("less than or equal to", Comparison::AtMost),
        ("greater than", Comparison::Above),
        ("more than", Comparison::Above),
        ("less than", Comparison::Below),
        ("exceeding", Comparison::Above),
        ("exceeds", Comparison::Above),
        ("exceed", Comparison::Above),
    ] {
        // The words are ASCII: as many characters as bytes.
        if words.as_bytes()[0] != first as u8 {
            continue;
        }
        let end = at + words.len();
        let Some(slice) = chars.get(at..end) else {
            continue;
        };
        let matches = slice
            .iter()
            .zip(words.chars())
            .all(|(c, w)| c.to_lowercase().eq(std::iter::once(w)));
        if matches && chars.get(end).is_some_and(|c| c.is_whitespace()) {
            let comparison = if negated(&chars[..at]) {
                opposite(comparison)
            } else {
                comparison
            };
            return Some((comparison, end));
        }
    }
    None
}

/// Whether one of the three words before a comparison in words says it
/// is not so: "does not exceed", "no more than", "has never gone above",
/// "doesn't exceed", "nothing above", "none over". Symbols are left as
/// written: `not > 5%` is rare, and nobody writes a symbol to mean its
/// opposite. A "for" ends the look back: in "No traffic for more than 10
/// minutes" the "no" says what lasts, and the time it lasts is as
/// written. Only those three words are read, never the whole text before
/// them: a line of many comparisons would be read in time that grows as
/// its square.
fn negated(before: &[char]) -> bool {
    let in_word = |c: &char| c.is_alphanumeric() || *c == '\'' || *c == '’';
    let is = |word: &[char], like: &str| {
        word.len() == like.chars().count()
            && word
                .iter()
                .zip(like.chars())
                .all(|(c, l)| c.to_lowercase().eq(std::iter::once(l)))
    };
    let mut end = before.len();
    for _ in 0..3 {
        while end > 0 && !in_word(&before[end - 1]) {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && in_word(&before[start - 1]) {
            start -= 1;
        }
        let word = &before[start..end];
        if word.is_empty() || is(word, "for") {
            return false;
        }
        let tail = &word[word.len().saturating_sub(3)..];
        if ["not", "no", "never", "none", "nothing", "nobody"]
            .iter()
            .any(|like| is(word, like))
            || is(tail, "n't")
            || is(tail, "n’t")
        {
            return true;
        }
        end = start;
    }
    false
}

/// What "not" makes of a comparison: not above 5% is at most 5%.
fn opposite(comparison: Comparison) -> Comparison {
    match comparison {
        Comparison::AtLeast => Comparison::Below,
        Comparison::AtMost => Comparison::Above,
        Comparison::Above => Comparison::AtMost,
        Comparison::Below => Comparison::AtLeast,
        Comparison::Equal => Comparison::Equal,
    }
}

/// A number and its unit starting at `at` (after spaces).
fn bound_at(chars: &[char], mut at: usize) -> Option<(f64, Unit)> {
    while chars.get(at).is_some_and(|c| c.is_whitespace()) {
        at += 1;
    }
    let start = at;
    while chars.get(at).is_some_and(char::is_ascii_digit) {
        at += 1;
    }
    if at == start {
        return None;
    }
    if chars.get(at) == Some(&'.') && chars.get(at + 1).is_some_and(char::is_ascii_digit) {
        at += 1;
        while chars.get(at).is_some_and(char::is_ascii_digit) {
            at += 1;
        }
    }
    // `1.2.3` is a version, `2024-01` a date, `1,000` a count written
    // in a way this reader does not guess at.
    if matches!(chars.get(at), Some('.' | '-' | ',' | ':'))
        && chars.get(at + 1).is_some_and(char::is_ascii_digit)
    {
        return None;
    }
    let number: String = chars[start..at].iter().collect();
    let bound: f64 = number.parse().ok()?;
    let unit = unit_at(chars, at)?;
    Some((bound, unit))
}

/// How far past a number's spaces its unit is looked for: "times the
/// baseline" and the character after it, with room for spaces.
const UNIT_WINDOW: usize = 64;

/// The unit right after a number, ending at a word's end.
///
/// Read from the next [`UNIT_WINDOW`] characters after the spaces, not
/// from the whole rest of the text: copied for each number, that made a
/// line of many numbers take time that grows as its square.
fn unit_at(chars: &[char], at: usize) -> Option<Unit> {
    let mut start = at;
    while chars.get(start).is_some_and(|c| c.is_whitespace()) {
        start += 1;
    }
    let end = chars.len().min(start + UNIT_WINDOW);
    let spaced: String = chars[start..end].iter().collect::<String>().to_lowercase();
    let spaced = spaced.as_str();
    // "80/100" is written right after the number, spaces not allowed.
    let tight = if start == at { spaced } else { "" };
    let ends = |tail: &str| tail.chars().next().is_none_or(|c| !c.is_alphanumeric());
    if let Some(tail) = tight.strip_prefix("/100")
        && tail.chars().next().is_none_or(|c| !c.is_ascii_digit())
    {
        return Some(Unit::OutOf100);
    }
    // "1%" or "95 %".
    if spaced.starts_with('%') {
        return Some(Unit::Percent);
    }
    for times in ["x", "×", "times"] {
        if let Some(tail) = spaced.strip_prefix(times) {
            let tail = tail.trim_start();
            let tail = tail.strip_prefix("the ").unwrap_or(tail);
            if let Some(after) = tail.strip_prefix("baseline")
                && ends(after)
            {
                return Some(Unit::Baseline);
            }
        }
    }
    // Longest first: "ms" before "min" before "s".
    let words: [(&str, Unit); 16] = [
        ("milliseconds", Unit::Milliseconds),
        ("millisecond", Unit::Milliseconds),
        ("ms", Unit::Milliseconds),
        ("seconds", Unit::Seconds),
        ("second", Unit::Seconds),
        ("secs", Unit::Seconds),
        ("sec", Unit::Seconds),
        ("minutes", Unit::Minutes),
        ("minute", Unit::Minutes),
        ("mins", Unit::Minutes),
        ("min", Unit::Minutes),
        ("hours", Unit::Hours),
        ("hour", Unit::Hours),
        ("hrs", Unit::Hours),
        ("s", Unit::Seconds),
        ("h", Unit::Hours),
    ];
    words.into_iter().find_map(|(word, unit)| {
        spaced
            .strip_prefix(word)
            .filter(|tail| ends(tail))
            .map(|_| unit)
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_quick_test_lets_through_every_text_with_a_threshold() {
        use proptest::prelude::*;
        let piece = prop_oneof![
            Just("AT LEAST".to_string()),
            Just("At Most".to_string()),
            Just("UNDER".to_string()),
            Just("oVeR".to_string()),
            Just("Above".to_string()),
            Just("BELOW".to_string()),
            Just("Exceeds".to_string()),
            Just("greater THAN".to_string()),
            Just("Less than".to_string()),
            Just("more than or equal to".to_string()),
            Just("≥".to_string()),
            Just("≤".to_string()),
            Just("\u{212a}".to_string()),
            "[0-9]{1,3}",
            "( ms| %| min|x baseline| |\u{a0}|\u{2003})",
            "[ -~]{0,4}",
        ];
        let texts = proptest::collection::vec(piece, 0..8).prop_map(|p| p.concat());
        proptest::test_runner::TestRunner::default()
            .run(&texts, |text| {
                prop_assert!(scan(&text).is_none() || may_compare(&text), "{text:?}");
                Ok(())
            })
            .unwrap();
    }
    use super::*;
    use Comparison::*;

    /// `read` answers None for a text with no ASCII digit before scanning:
    /// scanned, such a text (a bound in words, in another script's digits,
    /// a float's words) states none either.
    #[test]
    fn a_text_with_no_ascii_digit_states_no_threshold_even_when_scanned() {
        for text in [
            "Error rate < \u{663}%",
            "Error rate < \u{ff15}%",
            "Error rate < \u{1d7d3}%",
            "p95 under five minutes",
            "Availability \u{2265} \u{bd}%",
            "Score at least ninety/100",
            "Error rate < inf%",
            "Error rate < NaN%",
            "Latency over \u{b9} ms",
        ] {
            assert_eq!((scan(text), read(text)), (None, None), "{text}");
        }
    }

    #[test]
    fn thresholds_are_read() {
        let cases: [(&str, Comparison, f64, Unit); 20] = [
            ("Error rate normal (< 1%)", Below, 1.0, Unit::Percent),
            (
                "Response time normal (< 500ms)",
                Below,
                500.0,
                Unit::Milliseconds,
            ),
            ("CPU usage normal (<70%)", Below, 70.0, Unit::Percent),
            ("Validation score >= 80/100", AtLeast, 80.0, Unit::OutOf100),
            ("Error rate > 5%", Above, 5.0, Unit::Percent),
            ("Response time > 3x baseline", Above, 3.0, Unit::Baseline),
            ("Latency > 2 × the baseline", Above, 2.0, Unit::Baseline),
            ("Customer impact > 10 minutes", Above, 10.0, Unit::Minutes),
            ("Deployment stuck > 15 min", Above, 15.0, Unit::Minutes),
            ("p99 latency <= 1.5 s", AtMost, 1.5, Unit::Seconds),
            ("Cold start at most 2 seconds", AtMost, 2.0, Unit::Seconds),
            ("Coverage at least 85%", AtLeast, 85.0, Unit::Percent),
            ("Queue drained in under 30 sec", Below, 30.0, Unit::Seconds),
            ("Disk usage over 90%", Above, 90.0, Unit::Percent),
            ("Packet loss = 0%", Equal, 0.0, Unit::Percent),
            ("Apdex ≥ 90/100", AtLeast, 90.0, Unit::OutOf100),
            (
                "Replication lag ≤ 250 ms",
                AtMost,
                250.0,
                Unit::Milliseconds,
            ),
            ("Outage lasts > 1 hour", Above, 1.0, Unit::Hours),
            (
                "Cache hit ratio AT LEAST 95 %",
                AtLeast,
                95.0,
                Unit::Percent,
            ),
            ("Build time < 4 mins", Below, 4.0, Unit::Minutes),
        ];
        for (text, comparison, bound, unit) in cases {
            let read = read(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                (read.comparison, read.bound, read.unit),
                (comparison, bound, unit),
                "{text}"
            );
        }
        let relative = read("Response time (> 3x baseline)").unwrap();
        assert_eq!(relative.baseline.as_deref(), Some("Response time baseline"));
        assert_eq!(read("Error rate < 1%").unwrap().baseline, None);
    }

    /// The words a release manager writes, each with a number and a unit
    /// after it; turned round after "not", "no" or "never".
    #[test]
    fn comparisons_in_words_are_read() {
        let cases = [
            ("Error rate above 5%", "> 5%"),
            ("p95 latency below 300ms", "< 300ms"),
            ("Error rate more than 2%", "> 2%"),
            ("Latency greater than 3x baseline", "> 3x baseline"),
            ("Availability less than 99.9%", "< 99.9%"),
            ("Error rate exceeds 5%", "> 5%"),
            ("Latency exceed 2 seconds", "> 2 s"),
            ("Queue depth exceeding 10 minutes of work", "> 10 min"),
            ("CPU greater than or equal to 90%", ">= 90%"),
            ("Lag less than or equal to 250 ms", "<= 250ms"),
            ("Error rate ABOVE 5 %", "> 5%"),
            ("Error rate does not exceed 1%", "<= 1%"),
            ("Error rate doesn't exceed 1%", "<= 1%"),
            ("Error rate doesn’t exceed 1%", "<= 1%"),
            ("Latency WON'T go over 2 s", "<= 2 s"),
            ("Downtime no more than 5 min", "<= 5 min"),
            ("Success rate not less than 99%", ">= 99%"),
            ("Latency has never gone above 500ms", "<= 500ms"),
            ("Disk not over 90%", "<= 90%"),
            ("Error rate < 1%, not more than usual", "< 1%"),
            ("Nothing above 5%", "<= 5%"),
            ("Ensure none above 5%", "<= 5%"),
            ("Nobody waits more than 5 min", "<= 5 min"),
            ("Degraded for no more than 10 min", "<= 10 min"),
        ];
        for (text, bound) in cases {
            assert_eq!(
                read(text).map(|m| m.bound_text()).as_deref(),
                Some(bound),
                "{text}"
            );
        }
    }

    /// The same words where no number and unit follow: no threshold.
    #[test]
    fn comparison_words_with_no_bound_after_them_are_no_threshold() {
        for text in [
            "Error rate above twice the baseline",
            "Latency below the objective for 10 minutes",
            "Deploy to more than one region",
            "Less than 2 of 3 replicas healthy",
            "More than 3 pods crash-looping",
            "Greater than 1.2.3 is installed",
            "Traffic above baseline 5%",
            "Exceeds the 5% budget",
            "Aboveground 5%",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }

    /// How long a condition must hold ("for more than 10 minutes") gives
    /// way to what is measured, and stands when it is the one bound.
    #[test]
    fn a_time_after_for_is_how_long_the_condition_holds() {
        let cases = [
            ("Error rate above 5% for more than 10 minutes", Some("> 5%")),
            ("Error rate > 5% for more than 10 minutes", Some("> 5%")),
            ("Error rate over 5% for at least 15 minutes", Some("> 5%")),
            ("p99 latency above 500 ms For over 5 min", Some("> 500ms")),
            ("Error rate > 5% for 10 minutes", Some("> 5%")),
            ("Outage for more than 10 minutes", Some("> 10 min")),
            ("Checkout down for over 5 min or for over 10 min", None),
            ("Latency > 2 s and error rate > 5% for over 5 min", None),
            ("Customer impact over 10 minutes", Some("> 10 min")),
            // The "no" or "not" says what lasts, not how long.
            ("No traffic for more than 10 minutes", Some("> 10 min")),
            ("Not healthy for over 5 min", Some("> 5 min")),
            ("Pods not ready for more than 3 minutes", Some("> 3 min")),
        ];
        assert_bounds(&cases);
    }

    /// A time before something is when to act: no number to measure.
    #[test]
    fn a_lead_time_is_no_threshold() {
        let cases = [
            ("Change approved more than 2 hours before the window", None),
            ("Customers told at least 72 hours in advance", None),
            (
                "Status page updated at least 15 min ahead of the freeze",
                None,
            ),
            ("Freeze announced >= 48h prior to the release", None),
            (
                "Error rate < 1% at least 2 hours before the window",
                Some("< 1%"),
            ),
            // A time that is measured stays one: an upper bound before
            // something is how fresh or how far behind.
            ("Backup less than 24 hours old", Some("< 24 h")),
            (
                "Backup taken less than 24 hours before the window",
                Some("< 24 h"),
            ),
            ("Replication lag < 10 s before cutover", Some("< 10 s")),
            (
                "p99 latency < 300 ms before and after the deploy",
                Some("< 300ms"),
            ),
            ("Backup taken less than 24 hours ago", Some("< 24 h")),
            (
                "Outage for more than 10 minutes after the deploy",
                Some("> 10 min"),
            ),
        ];
        assert_bounds(&cases);
    }

    /// Each text reads as the bound beside it, or as none.
    fn assert_bounds(cases: &[(&str, Option<&str>)]) {
        for &(text, bound) in cases {
            assert_eq!(
                read(text).map(|m| m.bound_text()).as_deref(),
                bound,
                "{text}"
            );
        }
    }

    /// A line of many comparisons is read in time that grows with its
    /// length: each word's look back and each unit's look ahead see a few
    /// words, not the whole text (a 800 KB line of "above 1" took over a
    /// minute).
    #[test]
    fn a_long_line_of_comparisons_is_read_in_linear_time() {
        let started = std::time::Instant::now();
        for piece in ["above 1 ", "not above 1 ", "> 1 ", "for > 1 min "] {
            let text = format!("Latency {}", piece.repeat(40_000));
            let _ = read(&text);
        }
        let words = format!("Latency above 1 {}", "above ".repeat(40_000));
        assert_eq!(read(&words), None);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        // The look ahead still finds a unit after many spaces.
        assert_eq!(
            read(&format!("Latency > 3{}ms", " ".repeat(10_000))).map(|m| m.bound_text()),
            Some("> 3ms".to_string())
        );
    }

    #[test]
    fn numbers_that_are_no_threshold() {
        for text in [
            "Bump the version v1.2 > v1.1",
            "Require Node >= 18",
            "Python >= 3.11.2 on the runners",
            "Tag release >= 1.2.3",
            "Freeze starts 2024-06-01",
            "Run step 3 of 5",
            "Unit tests passing (100%)",
            "Integration tests passing (100%)",
            "Metrics baseline recorded",
            "Performance baseline maintained",
            "Old -> new mapping 5%",
            "Set x => 5 s",
            "Compare a == 5%",
            "Hand over 5 releases to the team",
            "Takeover 5 min",
            "Timer < 5 minutes and error rate < 1%",
            "Under review by 2 people",
            "Wait > 5 m",
            "Counts > 1,000 s",
            "Links <https://example.com/5%>",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }

    #[test]
    fn only_checks_and_triggers_and_never_a_wait() {
        let m = |kind, text, wait| for_item(kind, text, wait).map(|m| m.bound_text());
        assert_eq!(
            m(Kind::Check, "Error rate < 1%", None).as_deref(),
            Some("< 1%")
        );
        assert_eq!(
            m(Kind::Trigger, "Error rate > 5%", None).as_deref(),
            Some("> 5%")
        );
        assert_eq!(m(Kind::Field, "Error rate < 1%", None), None);
        assert_eq!(m(Kind::Signoff, "Score >= 80/100", None), None);
        let watch = "Monitor for at least 15 minutes";
        assert_eq!(m(Kind::Check, watch, Some(900)), None);
        let both = "Monitor error rate (< 1%) for 15 minutes";
        assert_eq!(m(Kind::Check, both, Some(900)).as_deref(), Some("< 1%"));
    }

    #[test]
    fn bound_text_is_what_records_carry() {
        let text = |t: &str| read(t).map(|m| m.bound_text());
        assert_eq!(text("Error rate normal (< 1%)").as_deref(), Some("< 1%"));
        assert_eq!(text("p99 under 0.5 s").as_deref(), Some("< 0.5 s"));
        assert_eq!(text("Score >= 80/100").as_deref(), Some(">= 80/100"));
        assert_eq!(text("Stuck > 15 minutes").as_deref(), Some("> 15 min"));
        assert_eq!(
            text("Latency > 3x baseline").as_deref(),
            Some("> 3x baseline")
        );
        assert_eq!(text("Latency < 500ms").as_deref(), Some("< 500ms"));
    }
}
