//! Counting nouns in messages: "1 sign-off", "3 sign-offs". One place, so
//! `verify`, its report and `show` count alike.

/// `n` and `word`, with an `s` unless `n` is one. For the regular nouns
/// messages count (items, phases, sign-offs, events).
pub fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_the_rest_plural() {
        assert_eq!(count(0, "item"), "0 items");
        assert_eq!(count(1, "phase"), "1 phase");
        assert_eq!(count(2, "sign-off"), "2 sign-offs");
    }
}
