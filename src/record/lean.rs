//! The file form of a schema v2 record leaves out what the rest of the
//! file already says, and reading puts it back: an item's `phase` and
//! `section` when its id begins with them, its `kind` when it is a check,
//! and an event's `by` when it is the run's operator. A long run repeats both on every line otherwise
//! (docs/RECORD.md, "Size"). The record in memory, its digest and
//! `report --format json` always have every field.

use crate::yaml::Value;

use super::Record;
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

/// The record as its file holds it.
pub(super) fn to_value(record: &Record) -> Result<Value, crate::yaml::Error> {
    let mut value = crate::yaml::to_value(record)?;
    if let Some(items) = value.get_mut("items").and_then(Value::as_sequence_mut) {
        for (item, result) in items.iter_mut().zip(&record.items) {
            let Some(item) = item.as_mapping_mut() else {
                continue;
            };
            if result.kind == Kind::Check {
                item.shift_remove("kind");
            }
            if result.phase == phase_of(&result.id) {
                item.shift_remove("phase");
            }
            if result.section == section_of(&result.id) {
                item.shift_remove("section");
            }
        }
    }
    if let Some(events) = value.get_mut("events").and_then(Value::as_sequence_mut) {
        for (event, logged) in events.iter_mut().zip(&record.events) {
            match event.as_mapping_mut() {
                Some(event) if logged.by == record.run.operator => {
                    event.shift_remove("by");
                }
                _ => {}
            }
        }
    }
    Ok(value)
}

/// Puts back what [`to_value`] left out.
pub(super) fn fill(record: &mut Record) {
    for item in &mut record.items {
        if item.phase.is_empty() {
            item.phase = phase_of(&item.id).to_string();
        }
        if item.section.is_empty() {
            item.section = section_of(&item.id).to_string();
        }
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
