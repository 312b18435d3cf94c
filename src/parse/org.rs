//! Org-mode checklists (Emacs `.org` files, often saved as `.txt`): `*`
//! headlines with `TODO`/`DONE` keywords and `[1/3]` progress cookies,
//! `:PROPERTIES:` drawers, `#+BEGIN_SRC` blocks. They are read as the
//! Markdown they mean, line for line, so every line number holds:
//! a headline is a heading of the same depth without its keyword, priority,
//! cookie or tags; a headline with nothing under it, below another headline,
//! is a step (org outlines are often lists of steps written as headlines).

/// Org state keywords that may open a headline; they are the item's state,
/// never part of its text.
const KEYWORDS: &[&str] = &["TODO", "DONE", "NEXT", "WAITING", "CANCELLED", "CANCELED"];

/// A headline's depth and its text as written after the stars.
fn headline(line: &str) -> Option<(usize, &str)> {
    let stars = line.bytes().take_while(|&b| b == b'*').count();
    let rest = line.get(stars..)?;
    if stars == 0 || !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some((stars, rest.trim()))
}

/// Whether the text is an org document: an Emacs mode line naming org
/// mode, an `#+TITLE:`-style keyword line, or a headline no Markdown
/// writer would write (`** deeper`, `* TODO ...`).
///
/// Read from the text, not from a list of its lines: most documents are
/// not org, and need no such list.
fn is_org(text: &str) -> bool {
    let lines = || text.split('\n');
    let mode_line = lines()
        .find(|line| !line.trim().is_empty())
        .is_some_and(is_mode_line);
    // One pass for both kinds of line.
    mode_line
        || lines().any(|line| {
            starts_with_ignoring_case(line, "#+TITLE:")
                || starts_with_ignoring_case(line, "#+STARTUP:")
                || headline(line).is_some_and(|(depth, text)| {
                    depth > 1 || KEYWORDS.iter().any(|k| first_word(text) == *k)
                })
        })
}

/// `line.to_ascii_uppercase().starts_with(prefix)` for an upper-case ASCII
/// `prefix`, without the copy of every line of the document.
fn starts_with_ignoring_case(line: &str, prefix: &str) -> bool {
    line.as_bytes()
        .get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
}

fn is_mode_line(line: &str) -> bool {
    let line = line.trim().to_ascii_lowercase();
    line.contains("-*-") && line.contains("org")
}

fn first_word(text: &str) -> &str {
    text.split_whitespace().next().unwrap_or("")
}

/// The headline's words without its keyword, `[#A]` priority, progress
/// cookie (`[1/3]`, `[33%]`) and trailing `:tag:` list; and whether its
/// keyword says it is done.
fn headline_text(text: &str) -> (String, bool) {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let mut done = false;
    if let Some(first) = words.first()
        && KEYWORDS.contains(first)
    {
        done = matches!(*first, "DONE" | "CANCELLED" | "CANCELED");
        words.remove(0);
    }
    if words
        .first()
        .is_some_and(|w| w.len() == 4 && w.starts_with("[#") && w.ends_with(']'))
    {
        words.remove(0);
    }
    if words
        .last()
        .is_some_and(|w| w.len() > 2 && w.starts_with(':') && w.ends_with(':'))
    {
        words.pop();
    }
    words.retain(|w| !is_cookie(w));
    (words.join(" "), done)
}

fn is_cookie(word: &str) -> bool {
    let Some(inner) = word.strip_prefix('[').and_then(|w| w.strip_suffix(']')) else {
        return false;
    };
    let fraction = inner.split_once('/').is_some_and(|(a, b)| {
        a.chars().all(|c| c.is_ascii_digit()) && b.chars().all(|c| c.is_ascii_digit())
    });
    let percent = inner
        .strip_suffix('%')
        .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
    fraction || percent
}

/// The document as Markdown, line for line, when it is an org document;
/// `None` otherwise.
pub fn as_markdown(text: &str) -> Option<String> {
    if !is_org(text) {
        return None;
    }
    let lines: Vec<&str> = text.split('\n').collect();
    // Under a `#+TITLE:` line (the title, level 1), `*` headlines are one
    // level down.
    let shift = usize::from(
        lines
            .iter()
            .any(|line| line.to_ascii_uppercase().starts_with("#+TITLE:")),
    );
    let mut out = Vec::with_capacity(lines.len());
    let mut in_drawer = false;
    let mut in_block = false;
    // The depth of the nearest headline above, to tell a nested headline.
    let mut above: Option<usize> = None;
    for (index, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        let upper = trimmed.to_ascii_uppercase();
        if upper.starts_with("#+BEGIN_") {
            in_block = true;
            let lang = trimmed.split_whitespace().nth(1).unwrap_or("");
            let lang = if upper.starts_with("#+BEGIN_SRC") {
                lang
            } else {
                "text"
            };
            out.push(format!("```{lang}"));
            continue;
        }
        if upper.starts_with("#+END_") {
            in_block = false;
            out.push("```".to_string());
            continue;
        }
        if in_block {
            out.push(line.to_string());
            continue;
        }
        // Properties are the headline's metadata, not content.
        if upper == ":PROPERTIES:" || upper == ":LOGBOOK:" {
            in_drawer = true;
            out.push(String::new());
            continue;
        }
        if in_drawer {
            in_drawer = upper != ":END:";
            out.push(String::new());
            continue;
        }
        if upper.starts_with("#+TITLE:") {
            out.push(format!("# {}", trimmed["#+TITLE:".len()..].trim()));
            continue;
        }
        // Mode lines, `#+KEY:` settings and `# comments` say nothing to
        // the operator; in Markdown a `#` line would be a heading.
        if is_mode_line(line) || trimmed.starts_with('#') {
            out.push(String::new());
            continue;
        }
        let Some((depth, text)) = headline(line) else {
            out.push(line.to_string());
            continue;
        };
        let (text, done) = headline_text(text);
        let leaf = is_leaf(&lines[index + 1..], depth);
        if leaf && above.is_some_and(|a| a < depth) {
            let mark = if done { "x" } else { " " };
            out.push(format!("- [{mark}] {text}"));
        } else {
            // Markdown has six heading levels.
            out.push(format!("{} {text}", "#".repeat((depth + shift).min(6))));
            above = Some(depth);
        }
    }
    Some(out.join("\n"))
}

/// A headline with nothing under it: the next line with content, past any
/// property drawer and comment, is a headline no deeper than it, or the end.
fn is_leaf(rest: &[&str], depth: usize) -> bool {
    let mut in_drawer = false;
    for line in rest {
        let upper = line.trim().to_ascii_uppercase();
        if upper == ":PROPERTIES:" || upper == ":LOGBOOK:" {
            in_drawer = true;
            continue;
        }
        if in_drawer {
            in_drawer = upper != ":END:";
            continue;
        }
        // Blank lines, comments and `#+` settings are not content.
        if upper.is_empty() || upper.starts_with('#') {
            continue;
        }
        return headline(line).is_some_and(|(d, _)| d <= depth);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headlines_become_headings_and_leaf_headlines_steps() {
        let text = "-*- org -*-\n* TODO Ship it [1/3] :release:\n:PROPERTIES:\n:OWNER: ana\n:END:\n  - [X] tag\n** Publish\n*** DONE upload\n*** mail the list\n# a comment\n";
        assert_eq!(
            as_markdown(text).unwrap(),
            "\n# Ship it\n\n\n\n  - [X] tag\n## Publish\n- [x] upload\n- [ ] mail the list\n\n"
        );
    }

    #[test]
    fn source_blocks_become_fences_and_the_title_line_a_heading() {
        let text = "#+TITLE: Release\n* Build\n#+BEGIN_SRC sh\nmake dist\n#+END_SRC\n";
        assert_eq!(
            as_markdown(text).unwrap(),
            "# Release\n## Build\n```sh\nmake dist\n```\n"
        );
    }

    #[test]
    fn markdown_bullets_are_not_org() {
        assert_eq!(as_markdown("# Release\n* one\n* two\n"), None);
        assert_eq!(as_markdown("**Bold** lead\n- [ ] a\n"), None);
        assert_eq!(as_markdown("* TODO-list tidy\n* b\n"), None);
    }
}
