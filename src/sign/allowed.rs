//! Allowed-signers files, in the format git and `ssh-keygen -Y verify` read
//! (ssh-keygen(1), ALLOWED SIGNERS), so one file serves commits and records:
//!
//! ```text
//! # principals  [options]  keytype  base64-key  [comment]
//! jane@example.com,jane ssh-ed25519 AAAAC3Nz... jane's laptop
//! *@example.com namespaces="git,relcheck",valid-before="20270101Z" ssh-ed25519 AAAA...
//! ```
//!
//! Lines that do not parse fail the whole file, with every bad line named:
//! a mistyped line may be the one that was meant to let a signer in.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use ssh_key::PublicKey;
use ssh_key::public::KeyData;

use crate::exit::{Code, error};

#[derive(Debug, Clone)]
pub struct AllowedSigners {
    /// As the user named it, for messages.
    pub path: PathBuf,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub line: usize,
    /// The comma-separated pattern list, as written: `*` and `?` match
    /// any run of characters and any one character, `!` negates.
    pub principals: String,
    pub key: KeyData,
    /// Entries marked `cert-authority` name a CA, not a signer; relcheck
    /// does not check certificates, so they never match.
    pub cert_authority: bool,
    /// A pattern list; absent means every namespace.
    pub namespaces: Option<String>,
    pub valid_after: Option<DateTime<Utc>>,
    pub valid_before: Option<DateTime<Utc>>,
}

/// What the file says about a signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed, as this principal (the candidate that matched).
    Allowed(String),
    /// The key is on no line (certificate authorities aside).
    NotListed { cert_authorities: bool },
    /// The key is listed, but not for this name, namespace or time.
    Refused(String),
}

impl AllowedSigners {
    pub fn load(path: &Path) -> anyhow::Result<AllowedSigners> {
        let text = std::fs::read_to_string(path).map_err(|err| {
            error(
                Code::Input,
                format!(
                    "{}: cannot read the allowed signers file: {err}",
                    path.display()
                ),
            )
        })?;
        AllowedSigners::parse(&text, path).map_err(|errors| error(Code::Input, errors.join("\n")))
    }

    /// Every line that does not parse, as `path:line:col: error: ...`.
    pub fn parse(text: &str, path: &Path) -> Result<AllowedSigners, Vec<String>> {
        let mut entries = Vec::new();
        let mut errors = Vec::new();
        for (index, line) in text.lines().enumerate() {
            match parse_line(line) {
                Ok(None) => {}
                Ok(Some(mut entry)) => {
                    entry.line = index + 1;
                    entries.push(entry);
                }
                Err((col, message)) => errors.push(format!(
                    "{}:{}:{col}: error: {message}",
                    path.display(),
                    index + 1
                )),
            }
        }
        if errors.is_empty() {
            Ok(AllowedSigners {
                path: path.to_path_buf(),
                entries,
            })
        } else {
            Err(errors)
        }
    }

    /// Whether `key` may sign in `namespace` at `at` as one of `candidates`
    /// (the names a sign-off goes by), as `ssh-keygen -Y verify` decides it.
    pub fn check(
        &self,
        key: &KeyData,
        candidates: &[String],
        namespace: &str,
        at: DateTime<Utc>,
    ) -> Verdict {
        // Of the lines that list the key but refuse, the one that got
        // furthest (principal, then namespace, then time) says why best.
        let mut refusal: Option<(u8, String)> = None;
        let mut refuse = |rank: u8, reason: String| {
            if refusal.as_ref().is_none_or(|(best, _)| rank > *best) {
                refusal = Some((rank, reason));
            }
        };
        let stamp = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        for entry in self
            .entries
            .iter()
            .filter(|e| !e.cert_authority && &e.key == key)
        {
            let Some(principal) = candidates
                .iter()
                .find(|c| pattern_list_matches(&entry.principals, c))
            else {
                refuse(
                    0,
                    format!(
                        "may sign only as {} (line {}), not as {}",
                        entry.principals,
                        entry.line,
                        candidates.join(" or ")
                    ),
                );
                continue;
            };
            if let Some(namespaces) = &entry.namespaces
                && !pattern_list_matches(namespaces, namespace)
            {
                refuse(
                    1,
                    format!(
                        "is not allowed to sign in namespace {namespace} (line {}: namespaces=\"{namespaces}\")",
                        entry.line
                    ),
                );
                continue;
            }
            if let Some(after) = entry.valid_after
                && at < after
            {
                refuse(
                    2,
                    format!(
                        "was not yet valid at {} (line {}: valid after {})",
                        stamp(at),
                        entry.line,
                        stamp(after)
                    ),
                );
                continue;
            }
            if let Some(before) = entry.valid_before
                && at > before
            {
                refuse(
                    2,
                    format!(
                        "was no longer valid at {} (line {}: valid before {})",
                        stamp(at),
                        entry.line,
                        stamp(before)
                    ),
                );
                continue;
            }
            return Verdict::Allowed(principal.clone());
        }
        match refusal {
            Some((_, reason)) => Verdict::Refused(reason),
            None => Verdict::NotListed {
                cert_authorities: self.entries.iter().any(|e| e.cert_authority),
            },
        }
    }
    /// The first line that lets one of `candidates` sign in `namespace`
    /// with some key, at any time: that principal and the line. A sign-off
    /// in such a name must be signed.
    pub fn lists(&self, candidates: &[String], namespace: &str) -> Option<(String, usize)> {
        self.entries.iter().find_map(|entry| {
            if entry.cert_authority
                || entry
                    .namespaces
                    .as_ref()
                    .is_some_and(|list| !pattern_list_matches(list, namespace))
            {
                return None;
            }
            let principal = candidates
                .iter()
                .find(|c| pattern_list_matches(&entry.principals, c))?;
            Some((principal.clone(), entry.line))
        })
    }
}

/// `Ok(None)` for blank lines and comments; errors carry a 1-based column.
fn parse_line(line: &str) -> Result<Option<Entry>, (usize, String)> {
    let start = line.len() - line.trim_start().len();
    let rest = &line[start..];
    if rest.is_empty() || rest.starts_with('#') {
        return Ok(None);
    }
    let (principals, after) = token(rest).map_err(|m| (start + 1, m))?;
    let principals = unquote(principals);
    if principals.is_empty() {
        return Err((start + 1, "empty principals".to_string()));
    }
    let key_at = line.len() - after.trim_start().len();
    let rest = after.trim_start();
    if rest.is_empty() {
        return Err((key_at + 1, "a key must follow the principals".to_string()));
    }
    // As ssh-keygen does: what follows the principals is a key if it
    // parses as one, else options and then a key. A key type there means a
    // key that does not read (bad base64, say), not options.
    let names_a_key_type = rest
        .split_whitespace()
        .next()
        .is_some_and(|word| word.parse::<ssh_key::Algorithm>().is_ok());
    let (options, key_text) = match parse_key(rest) {
        Ok(_) => (Options::default(), rest),
        Err(_) if names_a_key_type => (Options::default(), rest),
        Err(_) => {
            let (options, after) = token(rest).map_err(|m| (key_at + 1, m))?;
            let options = parse_options(options).map_err(|m| (key_at + 1, m))?;
            (options, after.trim_start())
        }
    };
    let key_col = line.len() - key_text.len() + 1;
    if key_text.is_empty() {
        return Err((key_col, "a key must follow the options".to_string()));
    }
    let key = parse_key(key_text).map_err(|m| (key_col, m))?;
    Ok(Some(Entry {
        line: 0,
        principals,
        key,
        cert_authority: options.cert_authority,
        namespaces: options.namespaces,
        valid_after: options.valid_after,
        valid_before: options.valid_before,
    }))
}

#[derive(Default)]
struct Options {
    cert_authority: bool,
    namespaces: Option<String>,
    valid_after: Option<DateTime<Utc>>,
    valid_before: Option<DateTime<Utc>>,
}

/// `keytype base64 [comment]`, however many blanks stand between them.
fn parse_key(text: &str) -> Result<KeyData, String> {
    let mut words = text.split_whitespace();
    let (Some(kind), Some(base64)) = (words.next(), words.next()) else {
        return Err(format!("not a public key: `{text}`"));
    };
    PublicKey::from_openssh(&format!("{kind} {base64}"))
        .map(|key| key.key_data().clone())
        .map_err(|err| format!("not a public key `{kind} {}…`: {err}", prefix(base64)))
}

fn prefix(text: &str) -> &str {
    text.char_indices()
        .nth(12)
        .map_or(text, |(i, _)| &text[..i])
}

/// The next blank-separated word, where double quotes may hold blanks.
fn token(text: &str) -> Result<(&str, &str), String> {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return Ok((&text[..i], &text[i..])),
            _ => {}
        }
    }
    if quoted {
        Err("a quote is not closed".to_string())
    } else {
        Ok((text, ""))
    }
}

fn unquote(text: &str) -> String {
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
        .to_string()
}

fn parse_options(text: &str) -> Result<Options, String> {
    let mut parsed = Options::default();
    let mut options = Vec::new();
    let mut quoted = false;
    let mut begin = 0;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                options.push(&text[begin..i]);
                begin = i + 1;
            }
            _ => {}
        }
    }
    options.push(&text[begin..]);
    for option in options {
        let (name, value) = match option.split_once('=') {
            Some((name, value)) => {
                let inner = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .ok_or_else(|| format!("option {name}: its value must be in double quotes"))?;
                (name.to_ascii_lowercase(), Some(inner))
            }
            None => (option.to_ascii_lowercase(), None),
        };
        match (name.as_str(), value) {
            ("cert-authority", None) => parsed.cert_authority = true,
            ("namespaces", Some(list)) => parsed.namespaces = Some(list.to_string()),
            ("valid-after", Some(time)) => parsed.valid_after = Some(parse_time(time)?),
            ("valid-before", Some(time)) => parsed.valid_before = Some(parse_time(time)?),
            ("cert-authority", Some(_)) => {
                return Err("option cert-authority takes no value".to_string());
            }
            ("namespaces" | "valid-after" | "valid-before", None) => {
                return Err(format!("option {name} needs a value: {name}=\"...\""));
            }
            _ => {
                return Err(format!(
                    "unknown option `{option}` (or a key type relcheck cannot read); options are cert-authority, namespaces, valid-after, valid-before"
                ));
            }
        }
    }
    Ok(parsed)
}

/// `YYYYMMDD[HHMM[SS]]`, in UTC with a trailing `Z`, else in the local time
/// zone: ssh-keygen reads them so.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    let bad = || {
        format!(
            "`{text}` is not a time: write YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, with Z for UTC"
        )
    };
    let (digits, utc) = match text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
        Some(digits) => (digits, true),
        None => (text, false),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let field = |range: std::ops::Range<usize>| digits[range].parse::<u32>().map_err(|_| bad());
    let (hour, minute, second) = match digits.len() {
        8 => (0, 0, 0),
        12 => (field(8..10)?, field(10..12)?, 0),
        14 => (field(8..10)?, field(10..12)?, field(12..14)?),
        _ => return Err(bad()),
    };
    let year = digits[0..4].parse::<i32>().map_err(|_| bad())?;
    let naive: NaiveDateTime = NaiveDate::from_ymd_opt(year, field(4..6)?, field(6..8)?)
        .and_then(|date| date.and_hms_opt(hour, minute, second))
        .ok_or_else(bad)?;
    if utc {
        Ok(naive.and_utc())
    } else {
        Local
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(bad)
    }
}

/// OpenSSH's `match_pattern_list`: true when some pattern matches and no
/// negated (`!`) one does. Case matters, as it does for ssh-keygen's
/// principals.
pub fn pattern_list_matches(list: &str, text: &str) -> bool {
    let mut matched = false;
    for pattern in list.split(',') {
        let pattern = pattern.trim();
        if let Some(negated) = pattern.strip_prefix('!') {
            if wildcard(negated, text) {
                return false;
            }
        } else if wildcard(pattern, text) {
            matched = true;
        }
    }
    matched
}

/// `*` any run of characters, `?` any one character.
fn wildcard(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and the text position it is trying to cover.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
#[path = "allowed_tests.rs"]
mod tests;
