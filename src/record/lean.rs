//! The file form of a schema v2 record leaves out what the rest of the
//! file already says, and reading puts it back: an item's `phase` and
//! `section` when its id begins with them, its `kind` when it is a check,
//! an event's `by` when it is the run's operator, and an answer's source
//! after the first from the same file (`sources.rs`). A long run repeats
//! each on every line otherwise (docs/RECORD.md, "Size"). The record in
//! memory, its digest and `report --format json` always have every field.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use crate::yaml::Error;
use serde::Serialize;

use super::omit::Omit;
use super::sources::Written;
use super::{ChecklistRef, Gate, ItemResult, Record, Rollback, Run, Signoff, Summary};
use crate::model::Kind;

/// An item is a check unless its record says otherwise.
pub(super) fn check() -> Kind {
    Kind::Check
}

/// The phase an item id names: its first segment.
fn phase_of(id: &str) -> &str {
    id.split('/').next().unwrap_or(id)
}

/// The section an item id names: all but its last segment.
fn section_of(id: &str) -> &str {
    id.rsplit_once('/').map_or(id, |(section, _)| section)
}

/// Writes the record as its file holds it, a part at a time: its header,
/// then each item and each event on its own, straight to `out`. No part
/// is built as a YAML tree, and the file (100 MB for a 100,000-item
/// record) is never held as one string. The parts are top-level entries
/// of one YAML mapping, written in the order and with the rules of
/// [`Record`]'s own fields; `record::a_record_written_in_parts_is_the_record`
/// (tests/) holds them together.
pub(super) fn write(record: &Record, out: &mut dyn Write) -> Result<(), Error> {
    crate::yaml::to_writer(
        &mut *out,
        &Head {
            schema: &record.schema,
            checklist: &record.checklist,
            run: &record.run,
            values: &record.values,
            rollback: &record.rollback,
            summary: &record.summary,
        },
    )?;
    if record.items.is_empty() {
        write_raw(out, "items: []\n")?;
    } else {
        write_raw(out, "items:\n")?;
        let mut sources = Written::default();
        for result in &record.items {
            let fields = lean_fields(result);
            let short = result.source.as_deref().and_then(|s| sources.short(s));
            let texts: &[(&str, &str)] = match &short {
                Some(kind) => &[("source", kind)],
                None => &[],
            };
            crate::yaml::to_writer(
                &mut *out,
                &[Omit {
                    value: result,
                    fields: &fields,
                    texts,
                }],
            )?;
        }
    }
    if !record.gates.is_empty() || !record.signoffs.is_empty() {
        crate::yaml::to_writer(
            &mut *out,
            &Middle {
                gates: &record.gates,
                signoffs: &record.signoffs,
            },
        )?;
    }
    if !record.events.is_empty() {
        write_raw(out, "events:\n")?;
        for logged in &record.events {
            let fields: &[&str] = if logged.by == record.run.operator {
                &["by"]
            } else {
                &[]
            };
            crate::yaml::to_writer(
                &mut *out,
                &[Omit {
                    value: logged,
                    fields,
                    texts: &[],
                }],
            )?;
        }
    }
    if let Some(digest) = &record.digest {
        crate::yaml::to_writer(&mut *out, &Tail { digest })?;
    }
    Ok(())
}

/// What an item's file form leaves out: `kind` for a check, `phase` and
/// `section` when its id says them.
fn lean_fields(result: &ItemResult) -> Vec<&'static str> {
    let mut fields = Vec::with_capacity(3);
    if result.kind == Kind::Check {
        fields.push("kind");
    }
    if *result.phase == *phase_of(&result.id) {
        fields.push("phase");
    }
    if *result.section == *section_of(&result.id) {
        fields.push("section");
    }
    fields
}

fn write_raw(out: &mut dyn Write, text: &str) -> Result<(), Error> {
    out.write_all(text.as_bytes()).map_err(Error::io)
}

/// [`Record`]'s fields before `items`, with its rules for leaving them out.
#[derive(Serialize)]
struct Head<'a> {
    schema: &'a str,
    checklist: &'a ChecklistRef,
    run: &'a Run,
    #[serde(skip_serializing_if = "empty_map")]
    values: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "none")]
    rollback: &'a Option<Rollback>,
    #[serde(skip_serializing_if = "none")]
    summary: &'a Option<Summary>,
}

/// [`Record`]'s fields between `items` and `events`.
#[derive(Serialize)]
struct Middle<'a> {
    #[serde(skip_serializing_if = "<[Gate]>::is_empty")]
    gates: &'a [Gate],
    #[serde(skip_serializing_if = "<[Signoff]>::is_empty")]
    signoffs: &'a [Signoff],
}

#[derive(Serialize)]
struct Tail<'a> {
    digest: &'a str,
}

fn empty_map(map: &&BTreeMap<String, String>) -> bool {
    map.is_empty()
}

/// `last` again when it says `text`, else a new string.
fn reuse(last: &Arc<str>, text: &str) -> Arc<str> {
    if **last == *text {
        last.clone()
    } else {
        text.into()
    }
}

fn none<T>(value: &&Option<T>) -> bool {
    value.is_none()
}

/// Puts back what [`write`] left out.
pub(super) fn fill(record: &mut Record) {
    super::sources::fill(&mut record.items);
    // Items of one section stand together: each run of them shares one
    // phase and one section string, as a new run's results do.
    let (mut phase, mut section) = <(Arc<str>, Arc<str>)>::default();
    for item in &mut record.items {
        if item.phase.is_empty() {
            item.phase = reuse(&phase, phase_of(&item.id));
        }
        if item.section.is_empty() {
            item.section = reuse(&section, section_of(&item.id));
        }
        phase = item.phase.clone();
        section = item.section.clone();
    }
    for event in &mut record.events {
        if event.by.is_empty() {
            event.by = record.run.operator.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_id_names_its_phase_and_section() {
        let cases = [
            ("pre/backup", "pre", "pre"),
            ("pre/db/backup", "pre", "pre/db"),
            ("alone", "alone", "alone"),
        ];
        for (id, phase, section) in cases {
            assert_eq!((phase_of(id), section_of(id)), (phase, section), "{id}");
        }
    }
}
