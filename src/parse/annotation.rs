//! `<!-- relcheck: id=db-backup kind=trigger optional timeout=300 -->`: the
//! HTML comment that overrides what the rules inferred, invisible on every
//! Markdown viewer.

/// Keys an item may carry, with what each takes (docs/FORMAT.md).
pub const ITEM_KEYS: &[&str] = &[
    "id", "kind", "optional", "timeout", "wait", "role", "label", "default", "choices",
];

/// Keys a heading may carry.
pub const HEADING_KEYS: &[&str] = &["id", "when"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// In written order; a flag has the value `true`.
    pub pairs: Vec<(String, String)>,
    /// Byte offset of the comment in the file, for diagnostics.
    pub offset: usize,
    /// Words that could not be read as `key`, `key=value` or
    /// `key="quoted value"`.
    pub malformed: Vec<String>,
}

impl Annotation {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The text after `relcheck:` when `html` is a relcheck comment.
pub fn body(html: &str) -> Option<&str> {
    let inner = html.trim().strip_prefix("<!--")?.strip_suffix("-->")?;
    inner.trim().strip_prefix("relcheck:").map(str::trim)
}

pub fn parse(body: &str, offset: usize) -> Annotation {
    let mut pairs = Vec::new();
    let mut malformed = Vec::new();
    let mut rest = body.trim_start();
    while !rest.is_empty() {
        let key_len = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let key = &rest[..key_len];
        rest = &rest[key_len..];
        let value = if let Some(after) = rest.strip_prefix('=') {
            if let Some(quoted) = after.strip_prefix('"') {
                match quoted.find('"') {
                    Some(end) => {
                        rest = &quoted[end + 1..];
                        quoted[..end].to_string()
                    }
                    None => {
                        malformed.push(format!("{key}=\"{quoted}"));
                        rest = "";
                        continue;
                    }
                }
            } else {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                rest = &after[end..];
                after[..end].to_string()
            }
        } else {
            "true".to_string()
        };
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            malformed.push(if key.is_empty() {
                format!("={value}")
            } else {
                key.to_string()
            });
        } else {
            pairs.push((key.to_string(), value));
        }
        rest = rest.trim_start();
    }
    // Held from the Markdown to the model: no room kept for pairs that
    // never come (a list grown a pair at a time has room for four).
    pairs.shrink_to_fit();
    Annotation {
        pairs,
        offset,
        malformed,
    }
}

/// Seconds in `300`, `90s`, `15m` or `2h`.
pub fn seconds(value: &str) -> Option<u64> {
    let value = value.trim();
    let (digits, unit) = match value.find(|c: char| !c.is_ascii_digit()) {
        Some(split) => value.split_at(split),
        None => (value, ""),
    };
    let n: u64 = digits.parse().ok()?;
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return None,
    };
    n.checked_mul(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_flags_and_quoted_values() {
        let a = parse(
            r#"id=db-backup kind=trigger optional role="QA Lead" timeout=300"#,
            7,
        );
        assert_eq!(
            a.pairs,
            [
                ("id".to_string(), "db-backup".to_string()),
                ("kind".to_string(), "trigger".to_string()),
                ("optional".to_string(), "true".to_string()),
                ("role".to_string(), "QA Lead".to_string()),
                ("timeout".to_string(), "300".to_string()),
            ]
        );
        assert!(a.malformed.is_empty());
        assert_eq!(a.offset, 7);
    }

    #[test]
    fn an_unclosed_quote_is_malformed_not_lost() {
        let a = parse(r#"role="QA Lead"#, 0);
        assert_eq!(a.malformed, [r#"role="QA Lead"#]);
    }

    #[test]
    fn only_relcheck_comments_are_annotations() {
        assert_eq!(body("<!-- relcheck: optional -->"), Some("optional"));
        assert_eq!(body("<!-- a note for humans -->"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(seconds("300"), Some(300));
        assert_eq!(seconds("15m"), Some(900));
        assert_eq!(seconds("2h"), Some(7200));
        assert_eq!(seconds("soon"), None);
        assert_eq!(seconds("5d"), None);
    }
}
