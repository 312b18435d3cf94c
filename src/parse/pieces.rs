//! Which Markdown blocks are items, notes, prose or code, read in one pass
//! with what the headings and leads above them say: a sign-off section, a
//! "Rollback if:" lead, a rollback runbook's "When to use", the boxed
//! answers of one question. [`build`](super::build) then places them.

use std::hash::BuildHasher;

use super::build::Draft;
use super::choice;
use super::finish::{IdClaims, claimed_id, writes_slash};
use super::markdown::{Code, Heading, ListItem, Node};
use super::rules;
use super::steps::Forms;

/// One node's contribution once we know which lines are items.
pub(super) enum Piece {
    /// The n-th heading of the document.
    Heading(usize),
    Item(Box<Draft>),
    /// A note's text, and its offset and nesting when it was a bullet.
    Note(String, Option<(usize, usize)>),
    /// A paragraph's prose and where it starts.
    Prose(String, usize),
    /// Boxed: few pieces are code, and a code block is the largest kind
    /// (a piece of every node is held at once).
    Code(Box<Code>),
}

/// Which nodes are items, notes or prose, and the headings in order. In
/// task mode a plain bullet is an item only as a field or a sign-off.
///
/// `parts` are runs of whole sections as [`read_parts`] gives them, each
/// walked on a thread of its own: all a part's walk needs of the parts
/// before it is the headings open at its start ([`Above`]), and the
/// headings' forms for the outline rule ([`steps`](super::steps)). Node
/// indices in the drafts and heading indices in the pieces are counted
/// across all parts, as if the document were one.
///
/// [`read_parts`]: super::markdown::read_parts
pub(super) fn pieces(parts: Vec<Vec<Node>>, task_mode: bool, rollback_runbook: bool) -> Walked {
    // What the heading rules say of each part's headings, and their forms,
    // part by part on their threads; then, in order, what is open at each
    // part's start.
    let (facts, forms): (Vec<Vec<Facts>>, Vec<_>) =
        crate::cores::each(parts.iter().collect(), |nodes| {
            (facts_of(nodes), Forms::of_part(nodes))
        })
        .into_iter()
        .unzip();
    let forms = Forms(forms);
    let mut starts = Vec::with_capacity(parts.len());
    let (mut above, mut node_at, mut heading_at) = (Above::default(), 0, 0);
    for (part, (nodes, facts)) in parts.iter().zip(&facts).enumerate() {
        starts.push(Start {
            part,
            above: above.clone(),
            node_at,
            heading_at,
        });
        for fact in facts {
            above.enter(fact);
        }
        node_at += nodes.len();
        heading_at += facts.len();
    }
    let forms = &forms;
    let walks = parts
        .into_iter()
        .zip(starts)
        .zip(facts.iter().map(Vec::as_slice))
        .map(|((nodes, start), facts)| (nodes, start, facts))
        .collect();
    let mut walked = crate::cores::each(walks, |(nodes, start, facts)| {
        walk(nodes, start, facts, forms, task_mode, rollback_runbook)
    })
    .into_iter();
    // The first part's lists take the others' (a document of one part,
    // nearly every one, is not copied).
    let (mut pieces, mut heads, mut claims, mut slash) = walked.next().unwrap_or_default();
    for (part_pieces, part_heads, part_claims, part_slash) in walked {
        pieces.extend(part_pieces);
        heads.extend(part_heads);
        claims.extend(part_claims);
        slash |= part_slash;
    }
    Walked::new(pieces, heads, &mut claims, slash)
}

/// The pieces of the whole document, its headings, and what the ids
/// written in its annotations allow [`finish`](super::finish) to do.
pub(super) struct Walked {
    pub pieces: Vec<Piece>,
    pub heads: Vec<Heading>,
    pub claims: IdClaims,
}

impl Walked {
    /// `claims`: a hash of each id an item claims by annotation.
    fn new(pieces: Vec<Piece>, heads: Vec<Heading>, claims: &mut [u64], slash: bool) -> Walked {
        // Two ids of one hash may differ: the claims are then taken for
        // the same, which costs only the threads.
        claims.sort_unstable();
        let distinct = claims.windows(2).all(|pair| pair[0] != pair[1]);
        Walked {
            pieces,
            heads,
            claims: IdClaims { slash, distinct },
        }
    }
}

/// What the rules say of a heading that the headings under it heed.
struct Facts {
    level: u8,
    /// Over reference text ("Appendix", "Best Practices").
    reference: bool,
    /// About rolling back or withdrawing a release.
    rollback: bool,
    /// "Success Criteria", "Prerequisites".
    confirm: bool,
}

/// Each heading's facts.
fn facts_of(nodes: &[Node]) -> Vec<Facts> {
    nodes
        .iter()
        .filter_map(|node| match node {
            Node::Heading(heading) => Some(Facts {
                level: heading.level,
                reference: rules::is_reference_title(&heading.text),
                rollback: rules::is_about_rollback(&heading.text),
                confirm: rules::is_confirm_title(&heading.text),
            }),
            _ => None,
        })
        .collect()
}

/// The headings open at a point of the document, outermost first: what a
/// heading's facts say reaches the blocks under it.
#[derive(Clone, Default)]
struct Above {
    /// A numbered list under "Appendix" or "Best Practices" is advice, not
    /// steps.
    reference: Vec<(u8, bool)>,
    /// The conditions listed under a heading about rolling back call for
    /// it.
    rollback: Vec<(u8, bool)>,
    /// The level of the "Success Criteria" heading the current one is
    /// under, if any.
    confirm_level: Option<u8>,
}

impl Above {
    fn enter(&mut self, facts: &Facts) {
        let level = facts.level;
        self.confirm_level = if facts.confirm {
            Some(level)
        } else {
            self.confirm_level.filter(|open| level > *open)
        };
        self.reference.retain(|(open, _)| *open < level);
        self.reference.push((level, facts.reference));
        self.rollback.retain(|(open, _)| *open < level);
        self.rollback.push((level, facts.rollback));
    }
}

/// Where a part starts: which part it is, what is open there, and how
/// many nodes and headings come before it.
struct Start {
    part: usize,
    above: Above,
    node_at: usize,
    heading_at: usize,
}

/// One part's pieces, its headings, a hash of each id its items claim by
/// annotation, and whether any of its annotations writes an id with a
/// `/` (see [`IdClaims`]).
fn walk(
    nodes: Vec<Node>,
    start: Start,
    facts: &[Facts],
    forms: &Forms,
    task_mode: bool,
    rollback_runbook: bool,
) -> (Vec<Piece>, Vec<Heading>, Vec<u64>, bool) {
    let Start {
        part,
        mut above,
        node_at,
        heading_at,
    } = start;
    let mut parents = vec![false; nodes.len()];
    let tasks: Vec<bool> = nodes
        .iter()
        .map(|node| matches!(node, Node::Item(item) if item.task.is_some()))
        .collect();
    // A paragraph right before a list or a code block leads it
    // ("**Verification:**", "**Preflight command:**"), so its last line,
    // even a bold label with nothing after it, is no field. (A part's last
    // node leads nothing: the next part starts with a heading.)
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
    // Which list items are information, outlines or group names.
    let plain = super::steps::plain_steps(&nodes, part, forms, task_mode);
    let mut pieces = Vec::with_capacity(nodes.len());
    let mut heads = Vec::new();
    let mut signoff_section = false;
    // Contact lines ("**On-call**: [Phone]") are reference for whoever
    // needs them mid-run, not blanks to fill in: nobody should be asked
    // for the CTO's phone number to finish a release.
    let mut contacts_section = false;
    // The list under a "Rollback if:" lead is its triggers, task items or
    // not; any other block ends it.
    let mut criteria = false;
    let mut pick = false;
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
            // "This workflow applies when:" lists conditions: triggers
            // under a rollback heading, information elsewhere.
            let conditions = lead.is_some_and(rules::is_conditions_lead);
            let rolling_back = above.rollback.iter().any(|(_, about)| *about);
            criteria = lead.is_some_and(rules::is_criteria_lead) || (conditions && rolling_back);
            pick = lead.is_some_and(rules::is_pick_lead);
            explained =
                lead.is_some_and(rules::is_explanation_lead) || (conditions && !rolling_back);
        }
        match node {
            Node::Heading(heading) => {
                answers = None;
                value_heading = choice::is_value_title(&heading.text);
                heading_label = choice::label(&heading.text);
                signoff_section = rules::is_signoff_title(&heading.text);
                contacts_section = rules::is_contacts_title(&heading.text);
                usage_heading = rollback_runbook && rules::is_usage_title(&heading.text);
                trigger_heading = usage_heading || rules::is_trigger_title(&heading.text);
                above.enter(&facts[heads.len()]);
                confirm_heading = above.confirm_level.is_some();
                pieces.push(Piece::Heading(heading_at + heads.len()));
                heads.push(heading);
            }
            Node::Item(mut item) => {
                // What is written under the item's first paragraph is a
                // note of it, shown beneath it, whatever the item turns
                // out to be: information never vanishes.
                let remarks = std::mem::take(&mut item.remarks);
                let below = item.depth + 1;
                'item: {
                    if item.text.is_empty() && item.annotation.is_none() {
                        break 'item;
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
                        break 'item;
                    }
                    let place = Some((item.offset, item.depth));
                    if explained && item.task.is_none() && item.annotation.is_none() {
                        pieces.push(Piece::Note(item.text.into_string(), place));
                        break 'item;
                    }
                    // A plain bullet under a task item that says who owns it,
                    // where it stands or what proves it ("Owner: [QA Lead]",
                    // "Status: ☐ Done", "Evidence: [link]") is a note of that
                    // task, not a field or a sign-off of its own.
                    let under_task =
                        task_mode && item.task.is_none() && item.parent.is_some_and(|p| tasks[p]);
                    let shape = rules::field_shape(&item.text);
                    // Any such `Label: value` says something about its task
                    // ("Change ticket: [CHG-1]", "RTO: [X hours]", "Users: [X]"):
                    // the box above it is the step.
                    let about_task = under_task
                        && shape
                            .as_ref()
                            .is_some_and(|s| rules::is_task_metadata(&s.label));
                    let about_task = about_task || plain.how[index];
                    let shape = shape.filter(|_| !about_task);
                    let bold = item.markdown.starts_with("**") || item.markdown.starts_with("__");
                    // `- **Service:**` with nothing after it: a blank to fill.
                    let blank_label = bold && !parents[index];
                    // A value that is a sentence or a pointer is information.
                    // "1. **Notification**: stakeholders told" is step one of a
                    // procedure; its bold words name the step.
                    let numbered_step = item.ordered && item.parent.is_none();
                    let field = shape.as_ref().is_some_and(|shape| {
                        shape.placeholder
                            || (blank_label
                                && shape.value.trim().is_empty()
                                && !shape.label.is_empty())
                            || (item.task.is_none() && !rules::choices(&shape.value).is_empty())
                            || (item.task.is_none()
                                && bold
                                && !numbered_step
                                && !shape.value.is_empty()
                                && !rules::is_prose_value(&shape.value))
                    });
                    let annotated_kind = item
                        .annotation
                        .as_ref()
                        .is_some_and(|a| a.get("kind").is_some());
                    // A numbered step at the top of a list is a step of a
                    // procedure even in a document of task items.
                    let info = plain.note[index];
                    let step = item.ordered
                        && item.parent.is_none()
                        && !info
                        && !above.reference.iter().any(|(_, reference)| *reference);
                    let rollback_rule = item.task.is_none()
                        && shape
                            .as_ref()
                            .is_some_and(|s| rules::is_rollback_rule(&s.label, &s.value));
                    let contact = contacts_section && item.task.is_none() && !annotated_kind;
                    let is_item = !contact
                        && (rollback_rule
                            || item.task.is_some()
                            || (!task_mode && !info)
                            || step
                            || ((criteria || trigger_heading) && item.parent.is_none())
                            || (confirm_heading && item.parent.is_none() && !parents[index])
                            || field
                            || (signoff_section && !about_task)
                            || annotated_kind);
                    if !is_item {
                        if !item.text.is_empty() {
                            pieces.push(Piece::Note(item.text.into_string(), place));
                        }
                        break 'item;
                    }
                    pieces.push(Piece::Item(Box::new(Draft {
                        shape: shape.filter(|_| field || item.task.is_some()).map(Box::new),
                        text: item.text.into_string(),
                        markdown: item.markdown.into_string(),
                        offset: item.offset,
                        task: item.task.is_some(),
                        depth: item.depth,
                        node: Some(node_at + index),
                        parent_node: item.parent.map(|parent| node_at + parent),
                        command: item.command.map(String::from),
                        annotation: item.annotation,
                        is_parent: parents[index],
                        trigger: criteria
                            || rollback_rule
                            || (usage_heading && item.parent.is_none()),
                        optional: (pick && item.task.is_some()) || plain.optional[index],
                    })));
                }
                for (text, offset) in remarks {
                    pieces.push(Piece::Note(text, Some((offset, below))));
                }
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
                    text: choice::after_box(&first.text).into(),
                    markdown: first.markdown.as_str().into(),
                    offset: first.offset,
                    depth: 0,
                    parent: None,
                    command: None,
                    annotation: None,
                    remarks: Box::default(),
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
                        let bold_blank = line.markdown.starts_with("**")
                            && !(n == last && leads_block[index])
                            && !rules::is_example_label(&line.text);
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
                    let mut shape = shapes[index].take().filter(|_| !contacts_section);
                    if shape.is_none() && !contacts_section && rules::looks_like_role(&line.text) {
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
                            shape: shape.map(Box::new),
                            is_parent: false,
                            trigger: false,
                            optional: false,
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
            Node::Code(code) => pieces.push(Piece::Code(Box::new(code))),
        }
    }
    // Read here, where the drafts were just made, not by `finish` from
    // one box to the next of the whole document.
    let hasher = std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default();
    let mut claims = Vec::new();
    let mut slash = false;
    for piece in &pieces {
        if let Piece::Item(draft) = piece
            && let Some(annotation) = draft.annotation.as_deref()
        {
            slash |= writes_slash(annotation);
            claims.extend(claimed_id(annotation).map(|id| hasher.hash_one(id)));
        }
    }
    slash |= heads
        .iter()
        .filter_map(|heading| heading.annotation.as_deref())
        .any(writes_slash);
    (pieces, heads, claims, slash)
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
