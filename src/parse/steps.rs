//! Which list items are information rather than steps. In a plain-item
//! document (no task markers) every list item would otherwise be a step,
//! but real documents mix in hints under a step (a command to copy, "This
//! creates the tag"), a "Notes:" list, and group names that only gather the
//! steps under them ("Website:", "1. Make the release commit" over its
//! numbered sub-steps). In any document, a list that names the headings
//! further down is an outline, not steps, and in one of task items a
//! numbered entry with no box over boxes of its own names their group.

use std::collections::HashMap;

use super::markdown::Node;
use super::rules;

/// What the rules say of each node (indexed as the nodes are).
pub(super) struct Steps {
    /// The list item is information, an outline entry or a group's name:
    /// a note, never an item on those grounds alone.
    pub note: Vec<bool>,
    /// The item is in a group whose name says it is optional ("Optional,
    /// only if ...:").
    pub optional: Vec<bool>,
    /// A `label: value` bullet under a numbered step ending in ":" ("3.
    /// Set the inputs:" over "**ref**: the tag"): it says how to do that
    /// step, so it is the step's note, not a field or a step. A sentence
    /// there ("Choose a track") is still a sub-step.
    pub how: Vec<bool>,
}

/// Each heading's [`normal`] form, part by part of the document, with the
/// index in its part of its last occurrence: whether a heading of a form
/// comes after a point of the document. Each part's are gathered on its
/// own thread.
pub(super) struct Forms(pub Vec<HashMap<String, usize>>);

impl Forms {
    /// The forms of one part's headings.
    pub fn of_part(nodes: &[Node]) -> HashMap<String, usize> {
        let mut forms = HashMap::new();
        for (index, node) in nodes.iter().enumerate() {
            if let Node::Heading(heading) = node {
                forms.insert(normal(&heading.text), index);
            }
        }
        forms
    }

    /// Whether a heading of `form` comes after node `index` of `part`.
    fn after(&self, part: usize, index: usize, form: &str) -> bool {
        self.0
            .get(part)
            .and_then(|forms| forms.get(form))
            .is_some_and(|&at| at > index)
            || self
                .0
                .iter()
                .skip(part + 1)
                .any(|forms| forms.contains_key(form))
    }
}

/// The rules for `nodes`, the document's `part`-th part (see [`Forms`]). A
/// list never crosses from one part to the next, so an item's children
/// are in its part.
pub(super) fn plain_steps(nodes: &[Node], part: usize, forms: &Forms, task_mode: bool) -> Steps {
    let mut note = vec![false; nodes.len()];
    let mut optional = vec![false; nodes.len()];
    let mut how = vec![false; nodes.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (index, node) in nodes.iter().enumerate() {
        if let Node::Item(item) = node
            && let Some(slot) = item.parent.and_then(|p| children.get_mut(p))
        {
            slot.push(index);
        }
    }
    // Under a heading over reference text ("Notes", "Contacts"), or after
    // a "Notes:" lead, a list is information.
    let mut reference = false;
    let mut notes_lead = false;
    for (index, node) in nodes.iter().enumerate() {
        let item = match node {
            Node::Heading(heading) => {
                reference =
                    rules::is_reference_title(&heading.text) || rules::is_notes_lead(&heading.text);
                notes_lead = false;
                continue;
            }
            Node::Paragraph(lines) => {
                notes_lead = lines
                    .last()
                    .is_some_and(|line| rules::is_notes_lead(&line.text));
                continue;
            }
            Node::Code(_) => {
                notes_lead = false;
                continue;
            }
            Node::Item(item) => item,
        };
        let nested = item.parent.is_some();
        // A top-level entry that names a heading further down is an
        // outline of the document, not a step: the section spells it out.
        let outline =
            !nested && item.task.is_none() && forms.after(part, index, &normal(&item.text));
        // A step's only sub-bullet elaborates it ("Wait for CI before the
        // next step"): a step broken into one sub-step would just be that
        // sub-step. Sub-steps come two or more, or numbered, or under a
        // group's name ("Website:").
        let only_child = item.parent.is_some_and(|parent| {
            children.get(parent).is_some_and(|c| c.len() == 1)
                && !matches!(&nodes[parent], Node::Item(p) if p.text.trim_end().ends_with(':'))
        });
        how[index] = !task_mode
            && !item.ordered
            && item.task.is_none()
            && rules::field_shape(&item.text).is_some()
            && item.parent.is_some_and(|parent| {
                matches!(&nodes[parent], Node::Item(p)
                    if p.ordered && p.text.trim_end().ends_with(':'))
            });
        let information = !task_mode
            && (how[index]
                || reference
                || notes_lead
                || (nested
                    && !item.ordered
                    && (only_child || rules::is_information(&item.text, &item.markdown))));
        note[index] = outline || information;
    }
    if task_mode {
        // A numbered entry with no box of its own over task items ("1.
        // Check the safety settings" over `[ ] purge_on_delete = False`)
        // names the group its boxes make up: they are the steps.
        for (index, node) in nodes.iter().enumerate() {
            if let Node::Item(item) = node
                && item.ordered
                && item.task.is_none()
                && children[index]
                    .iter()
                    .any(|&child| matches!(&nodes[child], Node::Item(c) if c.task.is_some()))
            {
                note[index] = true;
            }
        }
        return Steps {
            note,
            optional,
            how,
        };
    }
    // Group names: a bullet ending in ":" over steps of its own, or an item over
    // two numbered sub-steps or more. Deepest first (children come after
    // their parent), so a group's steps are settled before the group is.
    for index in (0..nodes.len()).rev() {
        let Node::Item(item) = &nodes[index] else {
            continue;
        };
        if note[index] || item.annotation.is_some() {
            continue;
        }
        let steps: Vec<usize> = children[index]
            .iter()
            .copied()
            .filter(|&child| !note[child])
            .collect();
        let numbered = steps
            .iter()
            .filter(|&&child| matches!(&nodes[child], Node::Item(c) if c.ordered))
            .count();
        // A numbered entry ending in ":" ("3. Set the inputs:") is a step
        // whose lines say how, and so is an instruction ("Try the tool
        // and check it works:"); any other bullet ending in ":" names a
        // group.
        let lead = !item.ordered
            && item.text.trim_end().ends_with(':')
            && !rules::is_instruction(&item.text)
            && !steps.is_empty();
        if lead || numbered >= 2 {
            note[index] = true;
            if lead && rules::is_optional_lead(&item.text) {
                mark_optional(&children, index, &mut optional);
            }
        }
    }
    Steps {
        note,
        optional,
        how,
    }
}

fn mark_optional(children: &[Vec<usize>], parent: usize, optional: &mut [bool]) {
    for &child in &children[parent] {
        optional[child] = true;
        mark_optional(children, child, optional);
    }
}

/// Lower case, words only: "[Rollout](#rollout)" and "## Rollout" match.
fn normal(text: &str) -> String {
    if !text.is_ascii() {
        return normal_lowered(text);
    }
    // Every heading is made so: ASCII (nearly every one) is written in one
    // pass into one string, not lower-cased, split and joined.
    let words = || {
        text.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|word| !word.is_empty())
    };
    // Made at its length, as the joined words were: a heading's form is
    // held while the steps are read.
    let (count, letters) = words().fold((0, 0), |(count, letters), word| {
        (count + 1, letters + word.len())
    });
    let mut out = String::with_capacity(letters + count.max(1) - 1);
    for word in words() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    }
    out
}

/// `normal` where the text is not ASCII: lower-cased first, since a
/// letter may lower-case into several, and not all of them alphanumeric.
fn normal_lowered(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_heading_forms_are_the_lower_cased_ones() {
        for text in [
            "[Rollout](#rollout)",
            "## Rollout",
            "",
            " ",
            "Roll-Out  NOW!",
            "a\tb\x0bc",
            "UPPER lower 123",
            "--x--",
            "Déploiement",
            "İ x",
            "\u{212A}elvin",
        ] {
            assert_eq!(normal(text), normal_lowered(text), "{text:?}");
        }
    }
}
