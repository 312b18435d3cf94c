//! The plain-text steps shape: a title line, a description, then steps of a
//! title line, a lead, `Checklist`, `- ` items, `Expected Output` and one
//! line. Read line by line: a CommonMark parser would glue the line after a
//! list item onto it as a lazy continuation.

use super::build::{Draft, RawPhase, RawSection};
use super::markdown::collapse;
use super::rules;

pub struct Steps {
    pub title: String,
    pub description: Option<String>,
    pub phases: Vec<RawPhase>,
}

struct Line<'a> {
    text: &'a str,
    offset: usize,
}

/// Whether `text` (with no Markdown heading or task marker) has a
/// `Checklist` line followed by a `- ` line.
pub fn is_steps(text: &str) -> bool {
    let mut previous_was_checklist = false;
    let mut found = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if is_atx_heading(trimmed) || is_task_line(trimmed) {
            return false;
        }
        if previous_was_checklist && line.starts_with("- ") {
            found = true;
        }
        previous_was_checklist = line.trim() == "Checklist";
    }
    found
}

fn is_atx_heading(line: &str) -> bool {
    let hashes = line.len() - line.trim_start_matches('#').len();
    (1..=6).contains(&hashes)
        && line[hashes..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace)
}

/// `- [ ] x`, `* [x] x`, `1. [ ] x`.
pub fn is_task_line(line: &str) -> bool {
    let line = line.trim_start();
    let rest = if let Some(rest) = line.strip_prefix(['-', '*', '+']) {
        rest
    } else {
        let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return false;
        }
        match line[digits..].strip_prefix(['.', ')']) {
            Some(rest) => rest,
            None => return false,
        }
    };
    let Some(rest) = rest.strip_prefix([' ', '\t']) else {
        return false;
    };
    let rest = rest.trim_start();
    rest.len() >= 3
        && rest.starts_with('[')
        && matches!(rest.as_bytes()[1], b' ' | b'x' | b'X')
        && rest.as_bytes()[2] == b']'
        && rest[3..].chars().next().is_none_or(char::is_whitespace)
}

/// `base` is the byte offset of `text` in the file.
pub fn read(text: &str, base: usize) -> Steps {
    let mut lines = Vec::new();
    let mut offset = base;
    for raw in text.split_inclusive('\n') {
        lines.push(Line {
            text: raw.trim_end_matches('\n').trim_end(),
            offset,
        });
        offset += raw.len();
    }
    let non_empty: Vec<&Line> = lines
        .iter()
        .filter(|line| !line.text.trim().is_empty())
        .collect();
    let title = non_empty
        .first()
        .map_or_else(String::new, |line| collapse(line.text));

    // Where each step's `Checklist` line is, in `non_empty`.
    let checklist_at: Vec<usize> = (0..non_empty.len())
        .filter(|&i| {
            non_empty[i].text.trim() == "Checklist"
                && non_empty
                    .get(i + 1)
                    .is_some_and(|next| next.text.starts_with("- "))
        })
        .collect();

    let mut phases = Vec::new();
    let mut description = None;
    let mut start = 1;
    for (step, &at) in checklist_at.iter().enumerate() {
        let before = &non_empty[start.min(at)..at];
        let (heading, lead) = if step == 0 {
            let (desc, heading, lead) = first_step(before);
            if !desc.is_empty() {
                description = Some(
                    desc.iter()
                        .map(|line| collapse(line.text))
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
            }
            (heading, lead)
        } else {
            (before.first().copied(), before.get(1..).unwrap_or(&[]))
        };
        let title_line = heading.map_or(non_empty[at], |line| line);
        let step_title =
            heading.map_or_else(|| format!("Step {}", step + 1), |line| collapse(line.text));
        let mut section = RawSection::new(&step_title, title_line.offset, true, None);
        section.lead = lead.iter().map(|line| collapse(line.text)).collect();
        let mut next = at + 1;
        while let Some(line) = non_empty.get(next) {
            let Some(item) = line.text.strip_prefix("- ") else {
                break;
            };
            let text = collapse(item);
            if !text.is_empty() {
                let shape = rules::field_shape(&text).filter(|shape| shape.placeholder);
                section.items.push(Box::new(Draft {
                    text,
                    markdown: item.trim().to_string(),
                    offset: line.offset,
                    task: false,
                    depth: 0,
                    node: None,
                    parent_node: None,
                    command: None,
                    annotation: None,
                    shape: shape.map(Box::new),
                    is_parent: false,
                    trigger: false,
                    optional: false,
                }));
            }
            next += 1;
        }
        if non_empty
            .get(next)
            .is_some_and(|line| line.text.trim() == "Expected Output")
        {
            section.expected_output = non_empty.get(next + 1).map(|line| collapse(line.text));
            next += 2;
        }
        start = next;
        let mut phase = RawPhase::new(&step_title, title_line.offset, None);
        phase.sections.push(section);
        phases.push(phase);
    }
    Steps {
        title,
        description,
        phases,
    }
}

/// Splits the lines between the title and the first `Checklist` into the
/// document's description, the first step's title and its lead. A `Steps`
/// line ("Steps (7)") ends the description; without one, the step is the
/// last two lines (title, lead).
fn first_step<'a, 'b>(
    before: &'b [&'a Line<'a>],
) -> (&'b [&'a Line<'a>], Option<&'a Line<'a>>, &'b [&'a Line<'a>]) {
    let marker = before.iter().rposition(|line| {
        let text = line.text.trim();
        text == "Steps" || text == "Steps:" || (text.starts_with("Steps (") && text.ends_with(')'))
    });
    match marker {
        Some(marker) => {
            let rest = &before[marker + 1..];
            (
                &before[..marker],
                rest.first().copied(),
                rest.get(1..).unwrap_or(&[]),
            )
        }
        None => match before.len() {
            0 => (&[], None, &[]),
            1 => (&[], Some(before[0]), &[]),
            n => (&before[..n - 2], Some(before[n - 2]), &before[n - 1..]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: &str = "Ship It\nHow we ship.\nSteps (2)\nPrepare\nGet ready.\nChecklist\n- Branch cut\n- Notes written\nExpected Output\nReady.\nDeploy\nRoll it out.\nChecklist\n- Deployed\nExpected Output\nLive.\n";

    #[test]
    fn detects_the_steps_shape_only_without_markdown_structure() {
        assert!(is_steps(STEPS));
        assert!(!is_steps("# Title\nChecklist\n- a\n"));
        assert!(!is_steps("Checklist\n- [ ] a\n"));
        assert!(!is_steps("Checklist\nno items\n"));
    }

    #[test]
    fn steps_become_phases_with_lead_items_and_expected_output() {
        let steps = read(STEPS, 0);
        assert_eq!(steps.title, "Ship It");
        assert_eq!(steps.description.as_deref(), Some("How we ship."));
        let got: Vec<_> = steps
            .phases
            .iter()
            .map(|phase| {
                let section = &phase.sections[0];
                (
                    phase.title.as_str(),
                    section.lead.join(" "),
                    section
                        .items
                        .iter()
                        .map(|item| item.text.as_str())
                        .collect::<Vec<_>>(),
                    section.expected_output.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Prepare",
                    "Get ready.".to_string(),
                    vec!["Branch cut", "Notes written"],
                    Some("Ready.".to_string())
                ),
                (
                    "Deploy",
                    "Roll it out.".to_string(),
                    vec!["Deployed"],
                    Some("Live.".to_string())
                ),
            ]
        );
        assert_eq!(steps.phases[1].offset, STEPS.find("Deploy\n").unwrap());
    }

    #[test]
    fn without_a_steps_line_the_first_step_is_the_last_two_lines() {
        let steps = read("T\nAbout it.\nFirst\nDo it.\nChecklist\n- a\n", 0);
        assert_eq!(steps.description.as_deref(), Some("About it."));
        assert_eq!(steps.phases[0].title, "First");
    }

    #[test]
    fn task_lines() {
        for line in [
            "- [ ] a",
            "* [x] a",
            "+ [X] a",
            "12. [ ] a",
            "1) [ ] a",
            "- [ ]",
        ] {
            assert!(is_task_line(line), "{line}");
        }
        for line in ["- a", "-[ ] a", "[ ] a", "- [y] a", "1.[ ] a"] {
            assert!(!is_task_line(line), "{line}");
        }
    }
}
