//! Plain-text checklists whose steps are bare markers, with no list marker
//! before them: `[ ] make packages`, `(x) tag pushed`, `( ) * sub-step`,
//! as release checklists kept in `.txt` files often are. They are read as
//! the task list they mean: each such line becomes `- [ ] ...`, nested by
//! its indentation, line for line, so every line number holds.

/// A line's marker: `[ ]`, `[x]`, `( )` or `(x)` first on the line, then
/// white space or the end.
fn bare_marker(rest: &str) -> Option<(bool, &str)> {
    let bytes = rest.as_bytes();
    if bytes.len() < 3 {
        return None;
    }
    // All three bytes are ASCII once these match, so slicing at 3 is on a
    // character boundary.
    if !matches!((bytes[0], bytes[2]), (b'[', b']') | (b'(', b')')) {
        return None;
    }
    let done = match bytes[1] {
        b' ' => false,
        b'x' | b'X' => true,
        _ => return None,
    };
    let after = &rest[3..];
    if !after.chars().next().is_none_or(char::is_whitespace) {
        return None;
    }
    Some((done, after.trim()))
}

/// Whether a line under a step reads as a shell command rather than the
/// step's sentence wrapping onto the next line.
fn looks_like_command(line: &str) -> bool {
    const COMMANDS: &[&str] = &[
        "git",
        "make",
        "cd",
        "sudo",
        "npm",
        "npx",
        "yarn",
        "pnpm",
        "cargo",
        "docker",
        "kubectl",
        "python",
        "python3",
        "pip",
        "curl",
        "wget",
        "ssh",
        "scp",
        "rsync",
        "mvn",
        "gradle",
        "go",
        "tar",
        "cp",
        "mv",
        "rm",
        "mkdir",
        "echo",
        "export",
        "gpg",
        "twine",
        "bundle",
        "gem",
        "helm",
        "terraform",
        "ansible",
        "systemctl",
        "service",
        "apt",
        "apt-get",
        "yum",
        "dnf",
        "brew",
        "gh",
        "hg",
        "svn",
        "meson",
        "ninja",
        "cmake",
        "psql",
        "mysql",
        "stack",
        "cabal",
        "dotnet",
        "nuget",
        "composer",
        "php",
        "ruby",
        "rake",
        "node",
        "deno",
        "bash",
        "sh",
        "zsh",
        "env",
    ];
    let line = line.trim();
    let first = line.split_whitespace().next().unwrap_or("");
    COMMANDS.contains(&first)
        || line.starts_with("$ ")
        || line.starts_with("./")
        || line.ends_with('\\')
        || line.contains(" | ")
        || line.contains(" && ")
}

fn indent_of(line: &str) -> usize {
    line.chars()
        .take_while(|c| c.is_whitespace())
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum()
}

/// A heading line: `#`s, or a setext underline.
fn is_heading_line(line: &str) -> bool {
    let line = line.trim();
    line.starts_with('#')
        || (line.len() >= 3 && (line.bytes().all(|b| b == b'=') || line.bytes().all(|b| b == b'-')))
}

/// A marker with a short bold answer after it (`[ ] **SHIP** - ...`),
/// the paragraph's first line, and the paragraph's only marker.
fn answer_shaped(lines: &[&str], index: usize) -> bool {
    let opens = index == 0 || lines[index - 1].trim().is_empty();
    let alone = lines
        .get(index + 1)
        .is_none_or(|next| bare_marker(next.trim_start()).is_none());
    let Some((_, rest)) = bare_marker(lines[index].trim_start()) else {
        return false;
    };
    let bold = rest
        .strip_prefix("**")
        .and_then(|rest| rest.split_once("**"))
        .is_some_and(|(answer, _)| {
            let words = answer.split_whitespace().count();
            (1..=3).contains(&words)
        });
    opens && alone && bold
}

/// Which lines are the answers of one question: two or more
/// answer-shaped paragraphs under the same heading ("Decision", then
/// `[ ] **SHIP**` and `[ ] **HOLD**`, each a paragraph of its own). They
/// stay paragraphs, so the heading becomes one field with those choices
/// (as `choice` reads them), not a step per answer.
fn answer_lines(lines: &[&str]) -> Vec<bool> {
    let mut answers = vec![false; lines.len()];
    let mut group: Vec<usize> = Vec::new();
    let close = |group: &mut Vec<usize>, answers: &mut Vec<bool>| {
        if group.len() >= 2 {
            for &index in group.iter() {
                answers[index] = true;
            }
        }
        group.clear();
    };
    for (index, line) in lines.iter().enumerate() {
        if is_heading_line(line) {
            close(&mut group, &mut answers);
        } else if answer_shaped(lines, index) {
            group.push(index);
        }
    }
    close(&mut group, &mut answers);
    answers
}

/// The document with its bare-marker lines made Markdown task items, when
/// it has at least two and no Markdown task items of its own; `None`
/// otherwise. Lines indented under a step that are not steps themselves
/// (a command, a remark) become plain bullets under it: notes, never
/// glued onto the step's text.
pub fn as_tasks(text: &str) -> Option<String> {
    // A document of Markdown task items (most) is told at its first one,
    // and one with fewer than two marker lines (answers or not) in the
    // same look, both before its lines are listed: the list is 16 bytes a
    // line, 500 MB for a file of 32 MiB of blank lines.
    let mut markers = 0;
    for line in text.split('\n') {
        if super::plain::is_task_line(line) {
            return None;
        }
        markers += usize::from(bare_marker(line.trim_start()).is_some());
    }
    if markers < 2 {
        return None;
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let answers = answer_lines(&lines);
    let bare = lines
        .iter()
        .zip(&answers)
        .filter(|(line, answer)| !**answer && bare_marker(line.trim_start()).is_some())
        .count();
    if bare < 2 {
        return None;
    }
    let mut out = Vec::with_capacity(lines.len());
    // Indents of the open steps, outermost first.
    let mut open: Vec<usize> = Vec::new();
    let mut in_fence = false;
    // The step's own lines go on until a blank line, unless one is a
    // command; after a command, the rest belongs with it.
    let mut wrapping = false;
    for (line, answer) in lines.into_iter().zip(answers) {
        let trimmed = line.trim_start();
        if answer {
            open.clear();
            wrapping = false;
            out.push(line.to_string());
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            out.push(line.to_string());
            continue;
        }
        if in_fence {
            out.push(line.to_string());
            continue;
        }
        let indent = indent_of(line);
        if let Some((done, rest)) = bare_marker(trimmed) {
            while open.last().is_some_and(|&top| top >= indent) {
                open.pop();
            }
            // `( ) * step`: a bullet after the marker is a sub-step.
            let (rest, deeper) = match rest.strip_prefix(['*', '-']) {
                Some(sub) if sub.starts_with(' ') => (sub.trim_start(), 1),
                _ => (rest, 0),
            };
            let depth = open.len() + deeper;
            open.push(indent + deeper);
            let mark = if done { "x" } else { " " };
            out.push(format!("{}- [{mark}] {rest}", "  ".repeat(depth)));
            wrapping = true;
            continue;
        }
        if trimmed.is_empty() {
            wrapping = false;
            out.push(String::new());
            continue;
        }
        if wrapping && indent > *open.last().unwrap_or(&0) && !looks_like_command(trimmed) {
            // The step's sentence going on: a lazy continuation line.
            out.push(format!("{}{trimmed}", "  ".repeat(open.len())));
            continue;
        }
        wrapping = false;
        while open.last().is_some_and(|&top| top >= indent) {
            open.pop();
        }
        if open.is_empty() {
            out.push(line.to_string());
        } else {
            out.push(format!("{}- {trimmed}", "  ".repeat(open.len())));
        }
    }
    Some(out.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_markers_become_task_items_line_for_line() {
        let text = "Release\n=======\n\n[ ] bump the version\n[ ] build packages\n    make dist\n    ( ) sign them\n(x) tag pushed\n( ) * announce\nthanks\n";
        assert_eq!(
            as_tasks(text).unwrap(),
            "Release\n=======\n\n- [ ] bump the version\n- [ ] build packages\n  - make dist\n  - [ ] sign them\n- [x] tag pushed\n  - [ ] announce\nthanks\n"
        );
    }

    #[test]
    fn only_documents_made_of_bare_markers() {
        assert_eq!(as_tasks("[ ] one step only\n"), None);
        assert_eq!(as_tasks("- [ ] a\n[ ] b\n[ ] c\n"), None);
        assert_eq!(as_tasks("[x]: https://example.com\n[x]: x\n"), None);
        assert_eq!(as_tasks("[ é\n[✅] a\n(é) b\n"), None);
        assert!(as_tasks("```\n[ ] in a fence\n```\n[ ] a\n[ ] b\n").is_some());
    }

    #[test]
    fn bold_answers_each_in_a_paragraph_are_left_as_answers() {
        let form =
            "Verdict\n-------\n\n[ ] **SHIP** - every check green\n\n[ ] **HOLD** - say why:\n";
        assert_eq!(as_tasks(form), None);
        // Among bare steps, the answers stay paragraphs.
        let mixed = "[ ] tag it\n[ ] push it\n\n## Verdict\n\n[ ] **SHIP**\n\n[ ] **HOLD**\n";
        assert_eq!(
            as_tasks(mixed).unwrap(),
            "- [ ] tag it\n- [ ] push it\n\n## Verdict\n\n[ ] **SHIP**\n\n[ ] **HOLD**\n"
        );
        // One bold box is a step; boxes in one paragraph are steps.
        assert!(as_tasks("[ ] **SHIP**\n\n[ ] b\n").is_some());
        assert_eq!(
            as_tasks("[ ] **SHIP**\n[ ] **HOLD**\n").unwrap(),
            "- [ ] **SHIP**\n- [ ] **HOLD**\n"
        );
    }
}
