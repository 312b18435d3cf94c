//! From the flat list of Markdown blocks to phases, sections and items: the
//! title, the phase level and which lines are items. What kind each item
//! is, and its id, [`finish`] settles, as it does for the plain-text reader.

use std::collections::HashMap;

use super::annotation::Annotation;
use super::choice;
use super::finish::finish;
use super::markdown::{Code, Heading, ListItem, Node};
use super::rules::{self, FieldShape};
use crate::diagnostic::Diagnostic;
use crate::model::Phase;
use crate::source::Source;

/// What the Markdown body gives the checklist.
pub struct Body {
    pub title: Option<String>,
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
    pub annotation: Option<Annotation>,
    pub shape: Option<FieldShape>,
    /// Another item is nested in it: its id is needed for that one's
    /// `parent`.
    pub is_parent: bool,
    /// It follows a lead that says when to roll back ("Rollback if:"): a
    /// trigger, wherever it stands.
    pub trigger: bool,
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
    pub expected_output: Option<String>,
    pub notes: Vec<String>,
    pub items: Vec<Draft>,
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
            expected_output: None,
            notes: Vec::new(),
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

/// One node's contribution once we know which lines are items.
enum Piece {
    /// The n-th heading of the document.
    Heading(usize),
    Item(Box<Draft>),
    Note(String),
    /// A paragraph's prose and where it starts.
    Prose(String, usize),
    Code(Code),
}

/// Takes the nodes by value: their text moves into the model rather than
/// being copied, which on a 100,000-item checklist is a good part of the
/// time and of the peak memory.
pub fn build(nodes: Vec<Node>, source: &Source, diagnostics: &mut Vec<Diagnostic>) -> Body {
    let task_mode = nodes
        .iter()
        .any(|node| matches!(node, Node::Item(item) if item.task.is_some()));
    // The first heading names the document: a rollback runbook's "When to
    // use" list is what calls for the rollback.
    let rollback_runbook = nodes
        .iter()
        .find_map(|node| match node {
            Node::Heading(heading) => Some(rules::is_about_rollback(&heading.text)),
            _ => None,
        })
        .unwrap_or(false);
    let (pieces, heads) = pieces(nodes, task_mode, rollback_runbook);

    // Headings, and whether items stand directly under each.
    let headings: Vec<usize> = pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Heading(index) => Some(*index),
            _ => None,
        })
        .collect();
    let mut direct_items: HashMap<usize, usize> = HashMap::new();
    let mut under: Option<usize> = None;
    let mut items_before_headings = false;
    for piece in &pieces {
        match piece {
            Piece::Heading(index) => under = Some(*index),
            Piece::Item(_) => match under {
                Some(heading) => *direct_items.entry(heading).or_default() += 1,
                None => items_before_headings = true,
            },
            _ => {}
        }
    }
    let level = |index: usize| heads[index].level;
    let heading_text = |index: usize| heads[index].text.as_str();

    // The title: the first heading, when it is alone at its level or holds
    // no items of its own.
    let title_heading = headings.first().copied().filter(|&first| {
        let alone = headings
            .iter()
            .filter(|&&h| level(h) == level(first))
            .count()
            == 1;
        (alone || !direct_items.contains_key(&first)) && !items_before_headings
    });
    let content: Vec<usize> = headings
        .iter()
        .copied()
        .filter(|&h| Some(h) != title_heading)
        .collect();
    let phase_level = phase_level(&content, &direct_items, level);

    let mut phases: Vec<RawPhase> = Vec::new();
    let mut description: Vec<String> = Vec::new();
    let fallback_title = title_heading
        .map(heading_text)
        .unwrap_or_default()
        .to_string();
    for piece in pieces {
        match piece {
            Piece::Heading(index) if Some(index) == title_heading => {}
            Piece::Heading(index) => {
                let heading = &heads[index];
                let annotation = heading.annotation.clone();
                if phase_level.is_none_or(|p| heading.level <= p) {
                    phases.push(RawPhase::new(&heading.text, heading.offset, annotation));
                    continue;
                }
                if phases.is_empty() {
                    // A section before any phase: the document is its phase.
                    phases.push(RawPhase::new(&fallback_title, heading.offset, None));
                }
                let phase = phases.last_mut().expect("a phase exists");
                let mut section = RawSection::new(&heading.text, heading.offset, false, annotation);
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
                phase.current().items.push(*draft);
            }
            Piece::Note(text) => {
                if let Some(phase) = phases.last_mut() {
                    phase.current().notes.push(text);
                }
            }
            Piece::Code(code) => {
                if let Some(phase) = phases.last_mut() {
                    let text = code.text.trim_end_matches('\n').to_string();
                    if is_shell(&code.info) {
                        phase.current().commands.push(text);
                    } else if !text.trim().is_empty() {
                        phase.current().notes.push(text);
                    }
                }
            }
        }
    }

    let title = title_heading.map(|h| heading_text(h).to_string());
    let description = (!description.is_empty()).then(|| description.join("\n\n"));
    let phases = finish(phases, source, diagnostics, rollback_runbook);
    Body {
        title,
        description,
        phases,
    }
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
    direct_items: &HashMap<usize, usize>,
    level: impl Fn(usize) -> u8,
) -> Option<u8> {
    // Open headings form a stack of rising levels (at most six deep), so
    // each section heading marks its ancestors in constant time.
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let mut has_section: HashMap<usize, bool> = HashMap::new();
    for &heading in content {
        let l = level(heading);
        while stack.last().is_some_and(|&(open, _)| open >= l) {
            stack.pop();
        }
        if direct_items.contains_key(&heading) {
            for &(_, ancestor) in &stack {
                has_section.insert(ancestor, true);
            }
        }
        stack.push((l, heading));
    }
    let mut counts = [0usize; 7];
    for (&heading, _) in has_section.iter().filter(|(_, has)| **has) {
        counts[usize::from(level(heading)).min(6)] += 1;
    }
    let best = (1..=6).max_by_key(|&l| (counts[l], std::cmp::Reverse(l)));
    match best {
        Some(l) if counts[l] > 0 => Some(l as u8),
        _ => content.iter().map(|&h| level(h)).min(),
    }
}

/// Which nodes are items, notes or prose, and the headings in order. In
/// task mode a plain bullet is an item only as a field or a sign-off.
fn pieces(nodes: Vec<Node>, task_mode: bool, rollback_runbook: bool) -> (Vec<Piece>, Vec<Heading>) {
    let mut parents = vec![false; nodes.len()];
    let tasks: Vec<bool> = nodes
        .iter()
        .map(|node| matches!(node, Node::Item(item) if item.task.is_some()))
        .collect();
    // A paragraph right before a list or a code block leads it
    // ("**Verification:**", "**Preflight command:**"), so its last line,
    // even a bold label with nothing after it, is no field.
    let leads_block: Vec<bool> = (0..nodes.len())
        .map(|index| matches!(nodes.get(index + 1), Some(Node::Item(_) | Node::Code(_))))
        .collect();
    for node in &nodes {
        if let Node::Item(item) = node
            && let Some(parent) = item.parent
            && let Some(slot) = parents.get_mut(parent)
        {
            *slot = true;
        }
    }
    let mut pieces = Vec::with_capacity(nodes.len());
    let mut heads = Vec::new();
    let mut signoff_section = false;
    // Headings above the current point, outermost first: a numbered list
    // under "Appendix" or "Best Practices" is advice, not steps.
    let mut above: Vec<(u8, bool)> = Vec::new();
    // The list under a "Rollback if:" lead is its triggers, task items or
    // not; any other block ends it.
    let mut criteria = false;
    // The list under "The platform will:" says what happens by itself:
    // notes, numbered or not.
    let mut explained = false;
    // Under "Rollback Triggers", or a rollback runbook's "When to Use",
    // each bullet is a trigger, task item or not.
    let mut trigger_heading = false;
    let mut usage_heading = false;
    let mut confirm_heading = false;
    // Boxes that are the answers of one question under the current
    // heading: where its field stands in `pieces`, and the answers.
    let mut answers: Option<(usize, Vec<String>)> = None;
    let mut value_heading = false;
    let mut heading_label = String::new();
    // The piece of a lone bold role label, waiting for its block.
    let mut signer: Option<usize> = None;
    for (index, node) in nodes.into_iter().enumerate() {
        if !matches!(node, Node::Paragraph(_)) {
            signer = None;
        }
        if !matches!(node, Node::Item(_)) {
            let lead = match &node {
                Node::Paragraph(lines) => lines.last().map(|line| line.text.as_str()),
                _ => None,
            };
            criteria = lead.is_some_and(rules::is_criteria_lead);
            explained = lead.is_some_and(rules::is_explanation_lead);
        }
        match node {
            Node::Heading(heading) => {
                answers = None;
                value_heading = choice::is_value_title(&heading.text);
                heading_label = choice::label(&heading.text);
                signoff_section = rules::is_signoff_title(&heading.text);
                usage_heading = rollback_runbook && rules::is_usage_title(&heading.text);
                trigger_heading = usage_heading || rules::is_trigger_title(&heading.text);
                confirm_heading = rules::is_confirm_title(&heading.text);
                above.retain(|(level, _)| *level < heading.level);
                above.push((heading.level, rules::is_reference_title(&heading.text)));
                pieces.push(Piece::Heading(heads.len()));
                heads.push(heading);
            }
            Node::Item(item) => {
                if item.text.is_empty() && item.annotation.is_none() {
                    continue;
                }
                // An answer is a few words; a question or a sentence under
                // "Risk Level" is a step about it.
                let answer_like = !item.text.trim_end().ends_with('?')
                    && item.text.split_whitespace().count() <= 8;
                if value_heading
                    && answer_like
                    && item.task.is_some()
                    && item.parent.is_none()
                    && !parents[index]
                    && item.annotation.is_none()
                {
                    let answer = choice::short(&item.text);
                    answer_with(&mut pieces, &mut answers, &heading_label, answer, &item);
                    continue;
                }
                if explained && item.task.is_none() && item.annotation.is_none() {
                    pieces.push(Piece::Note(item.text));
                    continue;
                }
                // A plain bullet under a task item that says who owns it,
                // where it stands or what proves it ("Owner: [QA Lead]",
                // "Status: ☐ Done", "Evidence: [link]") is a note of that
                // task, not a field or a sign-off of its own.
                let under_task =
                    task_mode && item.task.is_none() && item.parent.is_some_and(|p| tasks[p]);
                let shape = rules::field_shape(&item.text);
                let about_task = under_task
                    && shape
                        .as_ref()
                        .is_some_and(|s| rules::is_task_metadata(&s.label));
                let shape = shape.filter(|_| !about_task);
                let bold = item.markdown.starts_with("**") || item.markdown.starts_with("__");
                // `- **Service:**` with nothing after it: a blank to fill.
                let blank_label = bold && !parents[index];
                // A value that is a sentence or a pointer is information.
                let field = shape.as_ref().is_some_and(|shape| {
                    shape.placeholder
                        || (blank_label && shape.value.trim().is_empty() && !shape.label.is_empty())
                        || (item.task.is_none() && !rules::choices(&shape.value).is_empty())
                        || (item.task.is_none()
                            && bold
                            && !shape.value.is_empty()
                            && !rules::is_prose_value(&shape.value))
                });
                let annotated_kind = item
                    .annotation
                    .as_ref()
                    .is_some_and(|a| a.get("kind").is_some());
                // A numbered step at the top of a list is a step of a
                // procedure even in a document of task items.
                let step = item.ordered
                    && item.parent.is_none()
                    && !above.iter().any(|(_, reference)| *reference);
                let is_item = item.task.is_some()
                    || !task_mode
                    || step
                    || ((criteria || trigger_heading) && item.parent.is_none())
                    || (confirm_heading && item.parent.is_none() && !parents[index])
                    || field
                    || (signoff_section && !about_task)
                    || annotated_kind;
                if !is_item {
                    if !item.text.is_empty() {
                        pieces.push(Piece::Note(item.text));
                    }
                    continue;
                }
                pieces.push(Piece::Item(Box::new(Draft {
                    shape: shape.filter(|_| field || item.task.is_some()),
                    text: item.text,
                    markdown: item.markdown,
                    offset: item.offset,
                    task: item.task.is_some(),
                    depth: item.depth,
                    node: Some(index),
                    parent_node: item.parent,
                    command: item.command,
                    annotation: item.annotation,
                    is_parent: parents[index],
                    trigger: criteria || (usage_heading && item.parent.is_none()),
                })));
            }
            Node::Paragraph(lines)
                if !heading_label.is_empty()
                    && lines
                        .first()
                        .and_then(|l| choice::boxed_answer(&l.text))
                        .is_some()
                    && lines
                        .iter()
                        .skip(1)
                        .all(|l| choice::boxed_answer(&l.text).is_none()) =>
            {
                // "[ ] **APPROVED** for deployment", then its blanks: one
                // answer. Several boxed lines in one paragraph are steps.
                let first = &lines[0];
                let answer = choice::boxed_answer(&first.text).unwrap_or_default();
                let item = ListItem {
                    task: Some(false),
                    ordered: false,
                    text: choice::after_box(&first.text).to_string(),
                    markdown: first.markdown.clone(),
                    offset: first.offset,
                    depth: 0,
                    parent: None,
                    command: None,
                    annotation: None,
                };
                answer_with(&mut pieces, &mut answers, &heading_label, answer, &item);
            }
            Node::Paragraph(lines) => {
                // "**Final Approver:**" alone, then a paragraph of Name /
                // Date / Signature blanks: that role's one sign-off.
                let labels: Vec<Option<String>> = lines
                    .iter()
                    .map(|line| {
                        rules::field_shape(&line.text)
                            .filter(|shape| shape.placeholder)
                            .map(|shape| shape.label)
                    })
                    .collect();
                let whole_block =
                    super::signature::block_after(labels.iter().map(Option::as_deref))
                        == lines.len();
                if let Some(at) = signer.take().filter(|_| whole_block)
                    && let Some(Piece::Item(draft)) = pieces.get_mut(at)
                    && let Some(shape) = &mut draft.shape
                {
                    shape.value = "___".to_string();
                    shape.placeholder = true;
                    shape.asks_signature = true;
                    continue;
                }
                let before = pieces.len();
                let mut prose = Vec::new();
                let mut prose_offsets = Vec::new();
                let last = lines.len().saturating_sub(1);
                let mut shapes: Vec<Option<rules::FieldShape>> = lines
                    .iter()
                    .enumerate()
                    .map(|(n, line)| {
                        // `**Primary way back:**` alone on its line is a
                        // blank to fill, unless it leads a list.
                        let bold_blank =
                            line.markdown.starts_with("**") && !(n == last && leads_block[index]);
                        rules::field_shape(&line.text).filter(|shape| {
                            shape.placeholder
                                || (bold_blank
                                    && shape.value.trim().is_empty()
                                    && !shape.label.is_empty())
                                // `**Status**: ☐ PASS ☐ FAIL`: a choice to make.
                                || (line.markdown.starts_with("**")
                                    && !rules::boxed_choices(&shape.value).is_empty()
                                    && !shape.label.is_empty())
                        })
                    })
                    .collect();
                // "Customer Signatory" over its Name / Signature / Date
                // lines: one sign-off by that role, the lines its blanks.
                let mut block = 0;
                for (index, line) in lines.into_iter().enumerate() {
                    if block > 0 {
                        block -= 1;
                        continue;
                    }
                    let mut shape = shapes[index].take();
                    if shape.is_none() && rules::looks_like_role(&line.text) {
                        let labels = shapes[index + 1..]
                            .iter()
                            .map(|shape| shape.as_ref().map(|s| s.label.as_str()));
                        block = super::signature::block_after(labels);
                        if block > 0 {
                            shape = Some(rules::FieldShape {
                                label: line.text.clone(),
                                value: "___".to_string(),
                                placeholder: true,
                                asks_signature: true,
                            });
                        }
                    }
                    let annotated_kind = line
                        .annotation
                        .as_ref()
                        .is_some_and(|a| a.get("kind").is_some());
                    if shape.is_some() || annotated_kind {
                        pieces.push(Piece::Item(Box::new(Draft {
                            text: line.text,
                            markdown: line.markdown,
                            offset: line.offset,
                            task: false,
                            depth: 0,
                            node: None,
                            parent_node: None,
                            command: None,
                            annotation: line.annotation,
                            shape,
                            is_parent: false,
                            trigger: false,
                        })));
                    } else {
                        prose_offsets.push(line.offset);
                        prose.push(line.text);
                    }
                }
                if let Some(&offset) = prose_offsets.first() {
                    pieces.push(Piece::Prose(prose.join(" "), offset));
                }
                // One bold label with nothing after it, naming a role: it
                // may head the next paragraph's signature block.
                let blank_role = |piece: &Piece| {
                    matches!(piece, Piece::Item(draft) if draft.shape.as_ref().is_some_and(|shape| {
                        shape.value.trim().is_empty()
                            && rules::looks_like_role(rules::without_signing_word(&shape.label))
                    }))
                };
                if pieces.len() == before + 1 && blank_role(&pieces[before]) {
                    signer = Some(before);
                }
                continue;
            }
            Node::Code(code) => pieces.push(Piece::Code(code)),
        }
    }
    (pieces, heads)
}

/// One more boxed answer under the heading: the heading's field gains it,
/// made where the first answer stood. A lone box asks nothing to choose,
/// so until a second one comes it is the step `item` says.
fn answer_with(
    pieces: &mut Vec<Piece>,
    answers: &mut Option<(usize, Vec<String>)>,
    label: &str,
    answer: String,
    item: &ListItem,
) {
    let (at, list) = answers.get_or_insert_with(|| {
        pieces.push(Piece::Item(Box::new(choice::single(
            &item.text,
            item.offset,
            &item.markdown,
        ))));
        (pieces.len() - 1, Vec::new())
    });
    list.push(answer);
    if let Some(Piece::Item(draft)) = pieces.get_mut(*at)
        && list.len() > 1
    {
        let offset = draft.offset;
        **draft = choice::field(label, list, offset);
    }
}
