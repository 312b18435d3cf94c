//! From the flat list of Markdown blocks to phases, sections and items: the
//! title, the phase level and which lines are items. What kind each item
//! is, and its id, [`finish`] settles, as it does for the plain-text reader.

use super::annotation::Annotation;
use super::finish::finish;
use super::markdown::{Heading, Node};
use super::pieces::{Piece, Walked, pieces};
use super::rules::{self, FieldShape};
use crate::diagnostic::Diagnostic;
use crate::model::Phase;
use crate::source::Source;

/// What the Markdown body gives the checklist.
pub struct Body {
    pub title: Option<String>,
    /// The title heading is an empty one or a phase's name ("Overview"):
    /// front matter's `name:` goes before it.
    pub weak_title: bool,
    /// Prose before the first phase.
    pub description: Option<String>,
    pub phases: Vec<Phase>,
}

/// An item as read, before its kind and id are settled.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    pub text: String,
    pub markdown: String,
    pub offset: usize,
    pub task: bool,
    pub depth: usize,
    /// Node index of this item and of its enclosing list item.
    pub node: Option<usize>,
    pub parent_node: Option<usize>,
    pub command: Option<String>,
    /// Boxed, as few items have either: a draft of each item is held from
    /// the Markdown's nodes to the model, when parsing's memory peaks.
    pub annotation: Option<Box<Annotation>>,
    pub shape: Option<Box<FieldShape>>,
    /// Another item is nested in it: its id is needed for that one's
    /// `parent`.
    pub is_parent: bool,
    /// It follows a lead that says when to roll back ("Rollback if:"): a
    /// trigger, wherever it stands.
    pub trigger: bool,
    /// It follows "(Tick all that apply)": one box among those that may be
    /// picked; or its group's name says it is optional ("Optional, only
    /// if ...:").
    pub optional: bool,
}

pub(super) struct RawSection {
    pub title: String,
    pub offset: usize,
    pub implicit: bool,
    /// The heading's level; 0 for a phase's own (implicit) section. A
    /// deeper section under another inherits its condition.
    pub level: u8,
    pub annotation: Option<Annotation>,
    pub lead: Vec<String>,
    pub commands: Vec<String>,
    /// The first command block came before any item: with no other block,
    /// it is the section's command, for every item under it.
    pub command_leads: bool,
    pub expected_output: Option<String>,
    pub notes: Vec<String>,
    /// Each draft stays in the box the reader made it in: a box moved into
    /// a list of drafts would be freed here and the list grown beside it,
    /// while boxes freed one by one in document order as `finish` takes
    /// them leave room the model's items are then made in (3 MB less at
    /// the peak of a 100,000-item lint).
    #[allow(clippy::vec_box)]
    pub items: Vec<Box<Draft>>,
    /// Byte offset and nesting of each note and command, where known.
    pub note_places: Vec<Option<(usize, usize)>>,
    pub command_places: Vec<Option<(usize, usize)>>,
    /// Its phase's title is about signing off: a line asking for a role's
    /// approval is that role's sign-off.
    pub in_signoff_phase: bool,
}

pub(super) struct RawPhase {
    pub title: String,
    pub offset: usize,
    pub annotation: Option<Annotation>,
    /// Prose under the phase heading, waiting for an implicit section.
    pub pending_lead: Vec<String>,
    pub sections: Vec<RawSection>,
}

impl RawSection {
    pub fn new(
        title: &str,
        offset: usize,
        implicit: bool,
        annotation: Option<Annotation>,
    ) -> RawSection {
        RawSection {
            title: title.to_string(),
            offset,
            implicit,
            level: 0,
            annotation,
            lead: Vec::new(),
            commands: Vec::new(),
            command_leads: false,
            expected_output: None,
            notes: Vec::new(),
            note_places: Vec::new(),
            command_places: Vec::new(),
            items: Vec::new(),
            in_signoff_phase: false,
        }
    }
}

impl RawPhase {
    pub fn new(title: &str, offset: usize, annotation: Option<Annotation>) -> RawPhase {
        RawPhase {
            title: title.to_string(),
            offset,
            annotation,
            pending_lead: Vec::new(),
            sections: Vec::new(),
        }
    }

    /// The section new content goes to: the last one, or the phase's own
    /// implicit section, made on first use.
    fn current(&mut self) -> &mut RawSection {
        if self.sections.is_empty() {
            let mut section = RawSection::new(&self.title, self.offset, true, None);
            section.lead = std::mem::take(&mut self.pending_lead);
            self.sections.push(section);
        }
        let last = self.sections.len() - 1;
        &mut self.sections[last]
    }
}

/// Takes the nodes by value: their text moves into the model rather than
/// being copied, which on a 100,000-item checklist is a good part of the
/// time and of the peak memory. `parts` are runs of whole sections, as
/// [`read_parts`](super::markdown::read_parts) gives them.
pub fn build(parts: Vec<Vec<Node>>, source: &Source, diagnostics: &mut Vec<Diagnostic>) -> Body {
    let task_mode = parts
        .iter()
        .flatten()
        .any(|node| matches!(node, Node::Item(item) if item.task.is_some()));
    // The first heading names the document: a rollback runbook's "When to
    // use" list is what calls for the rollback.
    let rollback_runbook = parts
        .iter()
        .flatten()
        .find_map(|node| match node {
            Node::Heading(heading) => Some(rules::is_about_rollback(&heading.text)),
            _ => None,
        })
        .unwrap_or(false);
    let parts_read = parts.len();
    let Walked {
        pieces,
        heads,
        claims,
    } = pieces(parts, task_mode, rollback_runbook);

    // Headings, and whether items stand directly under each.
    let headings: Vec<usize> = pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Heading(index) => Some(*index),
            _ => None,
        })
        .collect();
    // By heading index: a list, not a map, as every heading has a slot.
    let mut direct_items = vec![false; heads.len()];
    let mut under: Option<usize> = None;
    let mut items_before_headings = false;
    for piece in &pieces {
        match piece {
            Piece::Heading(index) => under = Some(*index),
            Piece::Item(_) => match under {
                Some(heading) => direct_items[heading] = true,
                None => items_before_headings = true,
            },
            _ => {}
        }
    }
    let level = |index: usize| heads[index].level;
    let heading_text = |index: usize| heads[index].text.as_str();

    // The title: the first heading, when no item comes before the next
    // heading of its level, or when no other heading of its level holds
    // items (the rest being prose: cadence, policy, history).
    let subtree = subtree_items(&pieces, &heads);
    let title_heading = headings.first().copied().filter(|&first| {
        let alone = headings
            .iter()
            .filter(|&&h| h != first && level(h) == level(first))
            .all(|&h| subtree[h] == 0);
        (alone || subtree[first] == 0) && !items_before_headings
    });
    // A part's name ("Overview", "Status: open") only names the document
    // when nothing better does.
    let weak_title = title_heading.is_some_and(|first| rules::is_phase_word(&heads[first].text));
    let content: Vec<usize> = headings
        .iter()
        .copied()
        .filter(|&h| Some(h) != title_heading)
        .collect();
    let phase_level = phase_level(&content, &direct_items, level);

    let title = title_heading.map(|h| heading_text(h).to_string());
    let fallback_title = title.clone().unwrap_or_default();
    let mut heads = heads;
    let mut phases: Vec<RawPhase> = Vec::new();
    let mut description: Vec<String> = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Heading(index) if Some(index) == title_heading => {}
            Piece::Heading(index) => {
                // Each heading is placed once: its text and annotation
                // move into the phase or section.
                let heading = &mut heads[index];
                let annotation = heading.annotation.take().map(|annotation| *annotation);
                let text = std::mem::take(&mut heading.text);
                let heading = &heads[index];
                if phase_level.is_none_or(|p| heading.level <= p) {
                    phases.push(RawPhase::new(&text, heading.offset, annotation));
                    continue;
                }
                if phases.is_empty() {
                    // A section before any phase: the document is its phase.
                    phases.push(RawPhase::new(&fallback_title, heading.offset, None));
                }
                let phase = phases.last_mut().expect("a phase exists");
                let mut section = RawSection::new(&text, heading.offset, false, annotation);
                section.level = heading.level;
                phase.sections.push(section);
            }
            Piece::Prose(text, offset) => match phases.last_mut() {
                None => description.push(text),
                Some(phase) => match phase.sections.last_mut() {
                    // "**If SUCCESS:**" after some steps: what follows, to
                    // the next heading, is done only then, as if under a
                    // heading of those words.
                    Some(section)
                        if !section.items.is_empty()
                            && text.trim_end().ends_with(':')
                            && rules::lead_condition(&text).is_some() =>
                    {
                        // Deeper than any heading: never the parent of
                        // the next heading's section.
                        let level = 7;
                        let title = text.trim().trim_end_matches(':').trim().to_string();
                        let mut branch = RawSection::new(&title, offset, false, None);
                        branch.level = level;
                        branch.lead.push(text);
                        phase.sections.push(branch);
                    }
                    None => phase.pending_lead.push(text),
                    // Only prose right under the heading leads the section.
                    Some(section)
                        if section.items.is_empty()
                            && section.commands.is_empty()
                            && section.notes.is_empty() =>
                    {
                        section.lead.push(text)
                    }
                    Some(_) => {}
                },
            },
            Piece::Item(draft) => {
                if phases.is_empty() {
                    phases.push(RawPhase::new(&fallback_title, draft.offset, None));
                }
                let phase = phases.last_mut().expect("a phase exists");
                phase.current().items.push(draft);
            }
            Piece::Note(text, place) => {
                if let Some(phase) = phases.last_mut() {
                    let section = phase.current();
                    section.notes.push(text);
                    section.note_places.push(place);
                }
            }
            Piece::Code(code) => {
                if let Some(phase) = phases.last_mut() {
                    let text = code.text.trim_end_matches('\n').to_string();
                    let place = code.content.as_ref().map(|content| (content.start, 0));
                    let section = phase.current();
                    if is_shell(&code.info) {
                        if section.commands.is_empty() && section.items.is_empty() {
                            section.command_leads = true;
                        }
                        section.commands.push(text);
                        section.command_places.push(place);
                    } else if !text.trim().is_empty() {
                        section.notes.push(text);
                        section.note_places.push(place);
                    }
                }
            }
        }
    }

    let description = (!description.is_empty()).then(|| description.join("\n\n"));
    // The phases have their titles: the headings (3 MB at 100,000 items)
    // need not be held while `finish` builds the model, when parsing's
    // memory peaks.
    drop(heads);
    let phases = finish(
        phases,
        source,
        diagnostics,
        rollback_runbook,
        parts_read,
        claims,
    );
    Body {
        title,
        weak_title,
        description,
        phases,
    }
}

/// For each heading, the items from it to the next heading of its level
/// or above. In one pass: counted heading by heading from the start, a
/// document of 99,000 headings took 6 s.
fn subtree_items(pieces: &[Piece], heads: &[Heading]) -> Vec<usize> {
    let mut counts = vec![0; heads.len()];
    // The headings whose subtree is open here, each deeper than the last
    // (six levels at most).
    let mut open: Vec<usize> = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Heading(h) => {
                let level = heads[*h].level;
                while open.last().is_some_and(|&o| heads[o].level >= level) {
                    open.pop();
                }
                open.push(*h);
            }
            Piece::Item(_) => {
                for &o in &open {
                    counts[o] += 1;
                }
            }
            _ => {}
        }
    }
    counts
}

/// Code blocks with no language or a shell's are commands; a YAML or JSON
/// block is reference text.
fn is_shell(info: &str) -> bool {
    let lang = info
        .split([' ', ',', '{'])
        .next()
        .unwrap_or("")
        .to_lowercase();
    matches!(
        lang.as_str(),
        "" | "sh" | "bash" | "shell" | "zsh" | "console" | "shell-session" | "fish" | "ksh"
    )
}

/// The most common level among content headings that have a section
/// heading nested under them (ties: the smaller); else the smallest level.
fn phase_level(
    content: &[usize],
    direct_items: &[bool],
    level: impl Fn(usize) -> u8,
) -> Option<u8> {
    // Open headings form a stack of rising levels (at most six deep), so
    // each section heading marks its ancestors in constant time.
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let mut has_section = vec![false; direct_items.len()];
    for &heading in content {
        let l = level(heading);
        while stack.last().is_some_and(|&(open, _)| open >= l) {
            stack.pop();
        }
        if direct_items[heading] {
            for &(_, ancestor) in &stack {
                has_section[ancestor] = true;
            }
        }
        stack.push((l, heading));
    }
    let mut counts = [0usize; 7];
    for (heading, _) in has_section.iter().enumerate().filter(|(_, has)| **has) {
        counts[usize::from(level(heading)).min(6)] += 1;
    }
    let best = (1..=6).max_by_key(|&l| (counts[l], std::cmp::Reverse(l)));
    match best {
        Some(l) if counts[l] > 0 => Some(l as u8),
        _ => content.iter().map(|&h| level(h)).min(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The items under one heading as they were counted, heading by
    /// heading: the definition the one pass must keep.
    fn subtree_items_plain(pieces: &[Piece], heads: &[Heading], heading: usize) -> usize {
        let level = heads[heading].level;
        pieces
            .iter()
            .skip_while(|piece| !matches!(piece, Piece::Heading(h) if *h == heading))
            .skip(1)
            .take_while(|piece| !matches!(piece, Piece::Heading(h) if heads[*h].level <= level))
            .filter(|piece| matches!(piece, Piece::Item(_)))
            .count()
    }

    fn item() -> Piece {
        Piece::Item(Box::new(super::super::choice::single("x", 0, "x")))
    }

    proptest! {
        /// A document as headings (their levels), items and prose, in any
        /// order: each heading's count is the plain count.
        #[test]
        fn one_pass_counts_what_each_heading_holds(
            shape in proptest::collection::vec(0u8..9, 0..40)
        ) {
            let mut heads = Vec::new();
            let mut pieces = Vec::new();
            for kind in shape {
                match kind {
                    1..=6 => {
                        pieces.push(Piece::Heading(heads.len()));
                        heads.push(Heading {
                            level: kind,
                            text: "h".into(),
                            offset: 0,
                            annotation: None,
                        });
                    }
                    0 | 7 => pieces.push(item()),
                    _ => pieces.push(Piece::Prose("p".into(), 0)),
                }
            }
            let plain: Vec<usize> = (0..heads.len())
                .map(|h| subtree_items_plain(&pieces, &heads, h))
                .collect();
            prop_assert_eq!(subtree_items(&pieces, &heads), plain);
        }
    }
}
