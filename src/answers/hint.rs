//! What makes a message about a key useful: the line of the file that
//! names it, and the real ids it was probably meant to be.

/// `file:line` of the first line that names `key`, for messages.
pub(super) fn at(text: &str, display: &str, key: &str) -> String {
    text.lines()
        .position(|line| line.contains(key))
        .map_or_else(
            || display.to_string(),
            |line| format!("{display}:{}", line + 1),
        )
}

/// As [`at`], for a key under the top-level `section:`.
pub(super) fn at_under(text: &str, display: &str, section: &str, key: &str) -> String {
    let start = text
        .lines()
        .position(|line| line.trim_end() == format!("{section}:"));
    match start {
        Some(start) => text
            .lines()
            .enumerate()
            .skip(start + 1)
            .find(|(_, line)| line.contains(key))
            .map_or_else(
                || display.to_string(),
                |(line, _)| format!("{display}:{}", line + 1),
            ),
        None => at(text, display, key),
    }
}

/// "; did you mean a, b?" with the nearest of `known`.
pub fn suggest(key: &str, known: &[String]) -> String {
    let mut scored: Vec<(usize, &String)> = known
        .iter()
        .map(|k| (strsim::levenshtein(key, k), k))
        .collect();
    scored.sort();
    let best = scored.first().map_or(0, |(d, _)| *d);
    let limit = (key.chars().count() / 3).max(3);
    let close: Vec<&str> = scored
        .iter()
        .take(3)
        .filter(|(d, _)| *d <= limit && *d <= best + 2)
        .map(|(_, k)| k.as_str())
        .collect();
    if close.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", close.join(", "))
    }
}
