//! Kinds, conditions and ids: the raw phases either reader made, into the
//! model. A kind comes from an annotation, else from the section and the
//! item's shape; an id from an annotation, else from the text, made unique.

use std::collections::HashMap;
use std::sync::Arc;

use super::annotation::{self, Annotation};
use super::build::{RawPhase, RawSection};
use super::rules;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Annotations, Item, ItemRare, Kind, Phase, Rare, Section, SectionRare, When};
use crate::source::Source;

/// Kinds, conditions and ids: the raw phases made into the model.
///
/// `rollback_runbook`: the document itself is the way back ("Runbook: Roll
/// Back a Release"). With no trigger in it, nothing in it calls the
/// rollback: it was called before the runbook was opened, so its steps are
/// the run itself, not a branch of it.
///
/// The phases are finished in up to `parts` runs, each on a thread of its
/// own, when nothing one run makes can meet what another does: the phases'
/// ids are made first, in order, and `claims` says no two items claim one
/// id by annotation (made ids cannot meet, see [`Ids`]). Else in one run.
pub(super) fn finish(
    phases: Vec<RawPhase>,
    source: &Source,
    diagnostics: &mut Vec<Diagnostic>,
    rollback_runbook: bool,
    parts: usize,
    claims: IdClaims,
) -> Vec<Phase> {
    let remember_made = claims.slash;
    let mut phase_slugs = Slugs::default();
    let heads: Vec<PhaseHead> = phases
        .iter()
        .map(|raw| {
            let mut diagnostics = Vec::new();
            let annotations = annotations_of(
                raw.annotation.as_ref(),
                annotation::HEADING_KEYS,
                source,
                &mut diagnostics,
            );
            let id = phase_slugs
                .unique(annotations.get("id").map_or_else(
                    || rules::slug(rules::strip_numbering(&raw.title)),
                    |id| id.to_string(),
                ))
                .to_string();
            PhaseHead {
                id,
                annotations,
                diagnostics,
            }
        })
        .collect();
    let parts = if remember_made || !claims.distinct {
        1
    } else {
        parts
    };
    let runs = split_by_items(phases.into_iter().zip(heads).collect(), parts);
    let done = crate::cores::each(runs, |run| {
        let mut finished = Finished::default();
        let mut ids = Ids {
            remember_made,
            ..Ids::default()
        };
        for (raw, head) in run {
            finished.phase(raw, head, source, &mut ids);
        }
        finished
    });
    let mut out = Vec::new();
    let mut annotated_when: Vec<String> = Vec::new();
    // A parent's id, shared by its children's `parent`.
    let mut node_ids: HashMap<usize, Arc<str>> = HashMap::new();
    for run in done {
        out.extend(run.phases);
        diagnostics.extend(run.diagnostics);
        annotated_when.extend(run.annotated_when);
        node_ids.extend(run.node_ids);
    }
    let has_trigger = out
        .iter()
        .flat_map(|phase| &phase.sections)
        .any(|section| section.items.iter().any(|item| item.kind == Kind::Trigger));
    if rollback_runbook && !has_trigger {
        for phase in &mut out {
            if phase.when == When::Rollback && !annotated_when.contains(&phase.id) {
                phase.when = When::Always;
            }
            for section in &mut phase.sections {
                if section.when == When::Rollback
                    && !annotated_when.iter().any(|id| **id == *section.id)
                {
                    section.when = When::Always;
                }
            }
        }
    }
    // Parents are known once every item has its id.
    for phase in &mut out {
        for section in &mut phase.sections {
            for item in &mut section.items {
                if let Some(parent) = item.parent.take() {
                    item.parent = parent
                        .parse::<usize>()
                        .ok()
                        .and_then(|node| node_ids.get(&node).cloned());
                }
            }
        }
    }
    out
}

/// A phase's heading, read before the phases are finished: its id made
/// unique among all phases, its annotations and what they were told.
struct PhaseHead {
    id: String,
    annotations: Annotations,
    diagnostics: Vec<Diagnostic>,
}

/// What finishing a run of phases gives, in document order.
#[derive(Default)]
struct Finished {
    phases: Vec<Phase>,
    diagnostics: Vec<Diagnostic>,
    /// The ids of phases and sections whose `when` an annotation set.
    annotated_when: Vec<String>,
    /// The id of each item another is nested in, by its node.
    node_ids: HashMap<usize, Arc<str>>,
}

impl Finished {
    fn phase(&mut self, raw: RawPhase, head: PhaseHead, source: &Source, ids: &mut Ids) {
        let PhaseHead {
            id: phase_id,
            annotations: heading,
            diagnostics,
        } = head;
        self.diagnostics.extend(diagnostics);
        let phase_when_annotated = when_of(&heading);
        let mut sections = Vec::with_capacity(raw.sections.len());
        let mut section_slugs = Slugs::default();
        // The conditions of the headings above the next section: "####
        // Web rollback" under "### Rollback Procedure" is a rollback step.
        let mut above: Vec<(u8, When)> = Vec::new();
        // Once per phase, not per section: the title rules are most of
        // what finishing a heading costs.
        let signoff_phase = rules::is_signoff_title(&raw.title);
        for raw_section in raw.sections {
            let level = raw_section.level;
            let section_annotations = if raw_section.implicit {
                Annotations::default()
            } else {
                annotations_of(
                    raw_section.annotation.as_ref(),
                    annotation::HEADING_KEYS,
                    source,
                    &mut self.diagnostics,
                )
            };
            let section_id = if raw_section.implicit {
                phase_id.clone()
            } else {
                let slug = section_annotations.get("id").map_or_else(
                    || rules::slug(rules::strip_numbering(&raw_section.title)),
                    |id| id.to_string(),
                );
                format!("{phase_id}/{}", section_slugs.unique(slug))
            };
            let mut raw_section = raw_section;
            raw_section.in_signoff_phase = signoff_phase;
            let mut section = section_from(
                raw_section,
                &section_id,
                &section_annotations,
                source,
                &mut self.diagnostics,
                ids,
                &mut self.node_ids,
            );
            super::signature::merge(&section.title, signoff_phase, &mut section.items);
            super::signature::drop_dates_after_signoffs(&mut section.items);
            above.retain(|(outer, _)| *outer < level && level > 0);
            if section_annotations.contains_key("when") {
                self.annotated_when.push(section.id.to_string());
            }
            let inherits = section.when == When::Always
                && !section_annotations.contains_key("when")
                && !section.items.iter().any(|item| item.kind == Kind::Trigger);
            if let Some((_, when)) = above.last().filter(|_| inherits) {
                section.when = *when;
            }
            above.push((level, section.when));
            sections.push(section);
        }
        let has_trigger = sections
            .iter()
            .any(|section| section.items.iter().any(|item| item.kind == Kind::Trigger));
        let when = phase_when_annotated.unwrap_or(
            if rules::is_rollback_title(&raw.title) && !has_trigger {
                When::Rollback
            } else {
                When::Always
            },
        );
        if when == When::Rollback {
            for section in &mut sections {
                if section.when == When::Always
                    && !section.items.iter().any(|i| i.kind == Kind::Trigger)
                {
                    section.when = When::Rollback;
                }
            }
        }
        if phase_when_annotated.is_some() {
            self.annotated_when.push(phase_id.clone());
        }
        self.phases.push(Phase {
            id: phase_id,
            title: raw.title,
            line: source.lines.line(raw.offset),
            when,
            sections,
        });
    }
}

/// What the ids written in annotations allow [`finish`] to do.
#[derive(Clone, Copy, Default)]
pub(super) struct IdClaims {
    /// Some annotation writes an id with a `/` (a phase's, a section's or
    /// an item's, valid or not): made ids may meet it (see [`Ids`]).
    pub slash: bool,
    /// No two items claim one id by annotation.
    pub distinct: bool,
}

impl IdClaims {
    /// The claims of the annotations in `phases`.
    pub fn of(phases: &[RawPhase]) -> IdClaims {
        let mut seen = std::collections::HashSet::new();
        IdClaims {
            slash: phases.iter().any(writes_id_with_slash),
            distinct: phases
                .iter()
                .flat_map(|phase| &phase.sections)
                .flat_map(|section| &section.items)
                .filter_map(|draft| claimed_id(draft.annotation.as_deref()?))
                .all(|id| seen.insert(id)),
        }
    }
}

/// The id an item claims by annotation: its annotation's last valid `id`,
/// as [`annotations_of`] keeps it.
pub(super) fn claimed_id(annotation: &Annotation) -> Option<&str> {
    annotation
        .pairs
        .iter()
        .rev()
        .find(|(key, value)| key == "id" && rules::is_valid_id(value))
        .map(|(_, id)| id.as_str())
}

/// Whether an annotation writes an id with a `/`, valid or not.
pub(super) fn writes_slash(annotation: &Annotation) -> bool {
    annotation
        .pairs
        .iter()
        .any(|(key, value)| key == "id" && value.contains('/'))
}

/// `phases` in up to `parts` runs of about as many items each.
fn split_by_items<T>(phases: Vec<(RawPhase, T)>, parts: usize) -> Vec<Vec<(RawPhase, T)>> {
    let count = |phase: &RawPhase| -> usize {
        phase
            .sections
            .iter()
            .map(|section| section.items.len())
            .sum()
    };
    let total: usize = phases.iter().map(|(phase, _)| count(phase)).sum();
    let share = total.div_ceil(parts.max(1)).max(1);
    let (mut runs, mut run, mut in_run) = (Vec::new(), Vec::new(), 0);
    for (phase, head) in phases {
        if in_run >= share && runs.len() + 1 < parts {
            runs.push(std::mem::take(&mut run));
            in_run = 0;
        }
        in_run += count(&phase);
        run.push((phase, head));
    }
    runs.push(run);
    runs
}

fn section_from(
    raw: RawSection,
    id: &str,
    annotations: &Annotations,
    source: &Source,
    diagnostics: &mut Vec<Diagnostic>,
    ids: &mut Ids,
    node_ids: &mut HashMap<usize, Arc<str>>,
) -> Section {
    let lead = (!raw.lead.is_empty()).then(|| raw.lead.join("\n\n"));
    let trigger_section = rules::is_trigger_title(&raw.title);
    let signoff_section = rules::is_signoff_title(&raw.title);
    let optional_section = rules::is_optional_title(&raw.title);
    let mut item_slugs = Slugs::default();
    let mut items = Vec::with_capacity(raw.items.len());
    for mut draft in raw.items {
        let item_annotations = annotations_of(
            draft.annotation.as_deref(),
            annotation::ITEM_KEYS,
            source,
            diagnostics,
        );
        // Checked by `annotations_of`: only a known kind is kept.
        let annotated_kind = item_annotations
            .get("kind")
            .and_then(|name| Kind::from_name(name));
        let shape = draft.shape.as_ref();
        let signoff_shaped = shape.is_some_and(|s| s.placeholder && s.asks_signature);
        // In a sign-off section, an item is a sign-off when it names a role
        // ("QA Lead", "**Security**: ___"); a step written there ("Check
        // Sentry", "If all green, tag") stays a step.
        let signed_role = rules::signing_lead(&draft.text).filter(|_| shape.is_none());
        let signoff_by_section = signoff_section && {
            let role = shape.map_or_else(|| rules::role_words(&draft.text), |s| s.label.clone());
            rules::looks_like_role(&role)
        };
        // "DBA approval - the engineer confirms": a sign-off-shaped line,
        // in a sign-off phase even under a section titled otherwise.
        let signoff_by_line = draft.task && raw.in_signoff_phase && signed_role.is_some();
        let kind = annotated_kind.unwrap_or(if trigger_section || draft.trigger {
            Kind::Trigger
        } else if signoff_by_section || signoff_shaped || signoff_by_line {
            Kind::Signoff
        } else if shape.is_some_and(|s| s.placeholder || !draft.task) {
            Kind::Field
        } else {
            Kind::Check
        });
        let shaped = shape.filter(|_| matches!(kind, Kind::Field | Kind::Signoff));
        let label = item_annotations
            .get("label")
            .cloned()
            .or_else(|| shaped.map(|s| s.label.clone()));
        let labelled = match (&label, kind) {
            (Some(label), Kind::Field | Kind::Signoff) if shaped.is_some() && !label.is_empty() => {
                Some(label.clone())
            }
            _ => None,
        };
        let role = match kind {
            Kind::Signoff => Some(item_annotations.get("role").cloned().unwrap_or_else(|| {
                let named = label
                    .clone()
                    .or_else(|| signed_role.clone())
                    .unwrap_or_else(|| rules::role_words(&draft.text));
                rules::without_signing_word(&named).to_string()
            })),
            _ => item_annotations.get("role").cloned(),
        };
        let choices = match item_annotations.get("choices") {
            Some(list) => list
                .split('|')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
            None => shaped
                .filter(|s| !s.placeholder && kind == Kind::Field)
                .map(|s| rules::choices(&s.value))
                .unwrap_or_default(),
        };
        let default = item_annotations.get("default").cloned().or_else(|| {
            shaped
                .filter(|s| !s.placeholder && kind == Kind::Field && choices.is_empty())
                .map(|s| s.value.clone())
        });
        let optional = match item_annotations.get("optional").map(String::as_str) {
            Some("false") => false,
            Some(_) => true,
            None => optional_section || draft.optional || rules::is_optional_text(&draft.text),
        };
        // "OPTIONAL: create a release branch": the label says what the
        // optional flag says; the step is the rest. Most texts have no
        // label and move into the model, not copied.
        let text = labelled.unwrap_or_else(|| {
            let bare = rules::without_optional_label(&draft.text);
            if bare.len() == draft.text.len() {
                std::mem::take(&mut draft.text)
            } else {
                bare.to_string()
            }
        });
        let item_id: Arc<str> = match item_annotations.get("id") {
            Some(id) => ids.claim(id.clone(), true).into(),
            None => ids.made(id, item_slugs.unique(rules::slug(&text))),
        };
        if let Some(previous) = ids.duplicate.take() {
            diagnostics.push(Diagnostic::error(
                source,
                draft.annotation.as_ref().map_or(draft.offset, |a| a.offset),
                format!("id `{previous}` is used by another item; this one became `{item_id}`"),
            ));
        }
        if let Some(node) = draft.node
            && draft.is_parent
        {
            node_ids.insert(node, item_id.clone());
        }
        let timeout_seconds = item_annotations
            .get("timeout")
            .and_then(|t| super::seconds(t));
        let wait_seconds = match item_annotations.get("wait") {
            Some(wait) => super::seconds(wait),
            None => rules::wait_in_text(&text),
        };
        let measure = super::measure::for_item(kind, &text, wait_seconds);
        let markdown = crate::model::Markdown::of(&text, &draft.markdown);
        items.push(Item {
            id: item_id,
            kind,
            text: text.into(),
            markdown,
            line: source.lines.line(draft.offset),
            optional,
            depth: draft.depth,
            // Resolved to an id in `finish`, once all ids are known.
            parent: draft.parent_node.map(|node| node.to_string().into()),
            rare: Rare::of(ItemRare {
                role,
                label: label.filter(|_| matches!(kind, Kind::Field | Kind::Signoff)),
                default,
                choices,
                command: draft.command,
                timeout_seconds,
                wait_seconds,
                measure: measure.map(Box::new),
                annotations: item_annotations,
            }),
        });
    }
    let has_trigger = items.iter().any(|item| item.kind == Kind::Trigger);
    let when = match when_of(annotations) {
        Some(when) => when,
        None if has_trigger => When::Always,
        None => lead.as_deref().and_then(rules::lead_condition).unwrap_or(
            if rules::is_rollback_title(&raw.title)
                || rules::lead_condition(&raw.title) == Some(When::Rollback)
            {
                When::Rollback
            } else if rules::is_success_title(&raw.title) {
                When::Success
            } else {
                When::Always
            },
        ),
    };
    Section {
        id: id.into(),
        title: raw.title.into(),
        line: source.lines.line(raw.offset),
        when,
        implicit: raw.implicit,
        items,
        rare: Rare::of(SectionRare {
            lead,
            command: (raw.command_leads && raw.commands.len() == 1)
                .then(|| raw.commands[0].clone()),
            commands: raw.commands,
            expected_output: raw.expected_output,
            notes: raw.notes,
            note_places: lines_of(raw.note_places, source),
            command_places: lines_of(raw.command_places, source),
        }),
    }
}

/// Byte offsets to lines, keeping the nesting.
fn lines_of(places: Vec<Option<(usize, usize)>>, source: &Source) -> Vec<Option<(usize, usize)>> {
    places
        .into_iter()
        .map(|place| place.map(|(offset, depth)| (source.lines.line(offset), depth)))
        .collect()
}

/// An annotation's pairs as a map, with a diagnostic for each unknown key
/// or malformed word.
fn annotations_of(
    annotation: Option<&Annotation>,
    known: &[&str],
    source: &Source,
    diagnostics: &mut Vec<Diagnostic>,
) -> Annotations {
    let mut map = Annotations::default();
    let Some(annotation) = annotation else {
        return map;
    };
    // Every diagnostic here is at the annotation: its column is counted
    // once, not once for each of (say) 40,000 keys on a long line.
    let place = Diagnostic::warning(source, annotation.offset, "");
    let at = |severity: Severity, message: String| Diagnostic {
        severity,
        message,
        ..place.clone()
    };
    for word in &annotation.malformed {
        diagnostics.push(at(
            Severity::Error,
            format!("cannot read `{word}` in the relcheck annotation; write key=value or key=\"a value\""),
        ));
    }
    for (key, value) in &annotation.pairs {
        if !known.contains(&key.as_str()) {
            diagnostics.push(at(
                Severity::Warning,
                format!(
                    "unknown annotation key `{key}` here; known keys: {}",
                    known.join(", ")
                ),
            ));
            continue;
        }
        let problem = match key.as_str() {
            "id" if !rules::is_valid_id(value) => Some(format!(
                "id `{value}` must be lower-case letters, digits, `-`, `_` or `.`"
            )),
            "timeout" | "wait" if annotation::seconds(value).is_none() => Some(format!(
                "{key} `{value}` is not a duration; write seconds (300) or 90s, 15m, 2h"
            )),
            "optional" if value != "true" && value != "false" => Some(format!(
                "optional takes no value, or true or false, not `{value}`"
            )),
            "kind" if Kind::from_name(value).is_none() => Some(format!(
                "unknown kind `{value}`; use check, trigger, field or signoff"
            )),
            "when" if When::from_name(value).is_none() => Some(format!(
                "unknown when `{value}`; use always, rollback or success"
            )),
            _ => None,
        };
        match problem {
            Some(message) => diagnostics.push(at(Severity::Error, message)),
            None => {
                map.insert(key.clone(), value.clone());
            }
        }
    }
    map
}

fn when_of(map: &Annotations) -> Option<When> {
    map.get("when").and_then(|name| When::from_name(name))
}

/// Makes slugs unique within one scope with `-2`, `-3`, ...
///
/// A scope is nearly always a section of a few items: its slugs are kept
/// in a list searched in turn, with no map (nor SipHash of each slug) made
/// for every section. Past [`Slugs::FEW`] they move to a map, SipHash kept:
/// its keys are the file's own text, which a hostile file chooses.
#[derive(Default)]
struct Slugs {
    few: Vec<(String, usize)>,
    many: Option<HashMap<String, usize>>,
    /// The slug last taken into `many`, to lend out.
    last: String,
}

impl Slugs {
    const FEW: usize = 16;

    fn count(&mut self, slug: &str) -> Option<&mut usize> {
        match &mut self.many {
            Some(map) => map.get_mut(slug),
            None => self
                .few
                .iter_mut()
                .find(|(seen, _)| seen == slug)
                .map(|(_, count)| count),
        }
    }

    /// Keeps `slug` (not taken), and gives it back to read.
    fn take(&mut self, slug: String) -> &str {
        if self.many.is_none() && self.few.len() < Self::FEW {
            self.few.push((slug, 1));
            return self.few.last().map_or("", |(slug, _)| slug.as_str());
        }
        let map = self
            .many
            .get_or_insert_with(|| std::mem::take(&mut self.few).into_iter().collect());
        // A map gives no key back once it holds it: a long section (past
        // `FEW` items) keeps a copy to hand back, in one reused buffer.
        self.last.clear();
        self.last.push_str(&slug);
        map.insert(slug, 1);
        &self.last
    }

    /// `slug`, or `slug-2`, `slug-3`, ...: the first not taken, now taken.
    /// Given back as the kept copy, so the slug is not copied to be both
    /// kept and used (one copy per item of a checklist).
    fn unique(&mut self, slug: String) -> &str {
        let Some(&mut count) = self.count(&slug) else {
            return self.take(slug);
        };
        // `count` is the last suffix handed out (or 1): every one up to it
        // is taken, so the search goes on from there and a run of
        // repeated slugs stays linear.
        let mut n = count + 1;
        loop {
            let candidate = format!("{slug}-{n}");
            if self.count(&candidate).is_none() {
                if let Some(count) = self.count(&slug) {
                    *count = n;
                }
                return self.take(candidate);
            }
            n += 1;
        }
    }
}

/// Item ids across the whole checklist. An annotated id is the user's
/// promise of a stable name; a second claim of it is an error.
///
/// An id relcheck makes is its section's id, `/`, and a slug unique in
/// the section; a section's is its phase's, or that, `/` and a slug unique
/// in the phase; a phase's is unique, and no slug holds a `/`. So while no
/// annotation writes an id with a `/` in it, a made id has a `/` and is
/// unlike every other id, made or written, and only written ids need
/// remembering. A copy of every id was 13 MB at 100,000 items, at the top
/// of parsing's peak memory.
#[derive(Default)]
struct Ids {
    taken: Slugs,
    duplicate: Option<String>,
    /// Some annotation writes an id with a `/` (a phase's, a section's or
    /// an item's): a made id may then meet another, so every id is kept.
    remember_made: bool,
    /// Where a made id is joined, reused.
    joined: String,
}

/// Whether an annotation in the phase (on its heading, a section's or an
/// item) writes an id with a `/`, valid or not.
fn writes_id_with_slash(phase: &RawPhase) -> bool {
    let slash = |annotation: Option<&Annotation>| annotation.is_some_and(writes_slash);
    slash(phase.annotation.as_ref())
        || phase.sections.iter().any(|section| {
            slash(section.annotation.as_ref())
                || section
                    .items
                    .iter()
                    .any(|draft| slash(draft.annotation.as_deref()))
        })
}

impl Ids {
    /// The id relcheck makes of an item, `section/slug`: joined in a
    /// buffer kept from item to item and copied once, into the shared id
    /// (a string of its own per item was copied again into the `Arc`).
    fn made(&mut self, section: &str, slug: &str) -> Arc<str> {
        if self.remember_made {
            return self.claim(format!("{section}/{slug}"), false).into();
        }
        self.joined.clear();
        self.joined.push_str(section);
        self.joined.push('/');
        self.joined.push_str(slug);
        Arc::from(self.joined.as_str())
    }

    fn claim(&mut self, id: String, annotated: bool) -> String {
        if !annotated {
            // No promise to check: no copy to compare against, and none
            // kept while no other id can be the same (above).
            if !self.remember_made {
                return id;
            }
            return self.taken.unique(id).to_string();
        }
        let unique = self.taken.unique(id.clone());
        if unique == id {
            return id;
        }
        let unique = unique.to_string();
        self.duplicate = Some(id);
        unique
    }
}
