//! The lean map is the map: for records of every shape that matters to
//! binding (ids given twice, an ended run, schema v1, names JSON escapes,
//! names on either side of `item:`, sign-offs that dropped and re-stored
//! parts), it lists what a map of owned names made part by part lists,
//! digests to the same, and stores the same delta against the previous
//! sign-off's map; and a sign-off's part hashed with its `parts` written
//! straight through is its canonical form's.

use std::collections::BTreeMap;

use super::*;
use crate::model::Kind;
use crate::record::canonical;
use crate::record::{
    Decision, Gate, GateDecision, Outcome, Record, Rollback, Signoff, Status, canonical_sha256,
};
use crate::sign::parts::{
    Part, bind, delta, finished, items_by_id, items_short, last_parts, parts, parts_digest, short,
    signoff_short,
};
use crate::sign::tests::{item, record, t};
use crate::source::sha256_hex;

/// The map as binding made it before [`Whole`]: each part by its owned
/// name, an item's looked up by id, each earlier sign-off's digested by
/// the general canonical writer.
fn made_part_by_part(record: &Record) -> BTreeMap<String, String> {
    let v2 = !record.is_v1();
    let ended = finished(record);
    let items = items_by_id(record);
    let mut map = BTreeMap::new();
    let mut put = |part: Part| {
        let made = match part {
            Part::Signoff(n) if v2 => record.signoffs.get(n).map(short),
            _ => part.short(record, &items),
        };
        if let Some(made) = made {
            map.insert(part.name(), made);
        }
    };
    put(Part::Checklist);
    put(Part::Run);
    if v2 {
        put(Part::Items);
    }
    if ended {
        put(Part::Outcome);
    }
    if record.rollback.is_some() {
        put(Part::Rollback);
    }
    for name in record.values.keys() {
        put(Part::Value(name.clone()));
    }
    for item in &record.items {
        if item.status.is_answered() || (v2 && ended) {
            put(Part::Item(item.id.to_string()));
        }
    }
    for n in 0..record.gates.len() {
        put(Part::Gate(n));
    }
    for n in 0..record.signoffs.len() {
        put(Part::Signoff(n));
    }
    put(Part::Events(record.events.len()));
    map
}

fn signoff(role: &str) -> Signoff {
    Signoff {
        role: role.to_string(),
        name: "Jane \"JD\" Doe".to_string(),
        decision: Decision::Approve,
        comment: Some("ok\u{7f}".to_string()),
        at: t(5),
        item: None,
        forced: None,
        digest: None,
        parts: PartMap::new(),
        dropped: Vec::new(),
        signature: None,
        source: None,
    }
}

/// Binds a sign-off to `record` and appends it, checking on the way that
/// [`bind`] and the map made part by part agree on all it stores.
fn sign_and_check(record: &mut Record, role: &str) {
    let whole = made_part_by_part(record);
    assert_eq!(parts(record), whole, "{role}: the map");
    let mut bound = signoff(role);
    bind(record, &mut bound);
    assert_eq!(bound.digest, Some(parts_digest(&whole)), "{role}: digest");
    let (stored, dropped) = if record.is_v1() {
        (whole.iter().collect(), Vec::new())
    } else {
        delta(&last_parts(record), &whole)
    };
    assert_eq!(
        (&bound.parts, &bound.dropped),
        (&stored, &dropped),
        "{role}"
    );
    // A v2 sign-off holds its items' parts by the record's ids, not by
    // names written out.
    if !record.is_v1() {
        for name in bound.parts.keys() {
            let written = name.to_string();
            assert_eq!(
                matches!(name, PartName::Item(_)),
                written.starts_with("item:"),
                "{role}: {written}"
            );
        }
    }
    record.signoffs.push(bound);
}

/// A run part-way, then grown the ways a run grows and an edit shapes:
/// ids given twice, names either side of `item:` and names JSON escapes.
fn awkward() -> Record {
    let mut record = record();
    // An id twice: its part is its first item's, listed when either is
    // answered.
    record
        .items
        .push(item("twice/a", Kind::Check, Status::Pending));
    record
        .items
        .push(item("twice/a", Kind::Check, Status::Done));
    record
        .items
        .push(item("twice/b", Kind::Check, Status::Done));
    record
        .items
        .push(item("twice/b", Kind::Check, Status::Failed));
    for id in [
        "",
        "é/ü",
        "a\"quote",
        "back\\slash",
        "ctl\u{1}",
        "~tilde",
        "0",
    ] {
        record.items.push(item(id, Kind::Check, Status::Done));
    }
    for name in ["a", "z\"", "itemz", "é", "\u{1}"] {
        record.values.insert(name.to_string(), format!("v-{name}"));
    }
    record.gates.push(Gate {
        phase: "pre".to_string(),
        decision: GateDecision::Waive,
        reason: Some("flaky".to_string()),
        by: "ops".to_string(),
        at: t(2),
        items: vec!["pre/backup-db".to_string()],
        source: None,
    });
    record
}

#[test]
fn the_lean_map_binds_as_the_map_of_owned_names_did() {
    let mut record = awkward();
    sign_and_check(&mut record, "QA");
    // Later: an answer undone (its part dropped), one changed, one new, a
    // value gone, a rollback called, more events.
    record.items[0].status = Status::Pending;
    record.items[1].rare.note = Some("changed".to_string());
    record.items[2].status = Status::Done;
    record.values.remove("a");
    record.rollback = Some(Rollback {
        at: t(3),
        by: "ops".to_string(),
        cause: "operator".to_string(),
        reason: Some("errors".to_string()),
        later: Vec::new(),
    });
    record.events.push(record.events[0].clone());
    sign_and_check(&mut record, "RM");
    // The undone answer again, then the run ends: every item is bound.
    record.items[0].status = Status::Done;
    sign_and_check(&mut record, "Ops");
    record.run.outcome = Outcome::Success;
    record.run.finished = Some(t(9));
    assert!(finished(&record));
    sign_and_check(&mut record, "Owner");
    sign_and_check(&mut record, "Owner again");
}

#[test]
fn a_v1_record_is_bound_whole_in_v1_shapes() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/record-v1.yaml");
    let mut record = Record::load(std::path::Path::new(fixture)).expect("the v1 fixture");
    assert!(record.is_v1());
    sign_and_check(&mut record, "QA");
    record.items[0].rare.note = Some("changed".to_string());
    sign_and_check(&mut record, "RM");
}

/// The previous sign-off's map read in place is the map put together:
/// names a later sign-off dropped and stored again, dropped though never
/// listed, or stored with the same digest, as an edited record may have.
#[test]
fn the_previous_map_read_in_place_is_the_map_put_together() {
    let mut record = record();
    let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect()
    };
    let mut first = signoff("a");
    first.parts = map(&[("b", "1"), ("d", "1"), ("f", "1"), ("item:x", "1")])
        .iter()
        .collect();
    first.dropped = vec!["d".to_string()];
    let mut second = signoff("b");
    second.parts = map(&[("a", "2"), ("d", "2"), ("g", "2")]).iter().collect();
    second.dropped = vec!["b".to_string(), "d".to_string(), "never".to_string()];
    let mut third = signoff("c");
    third.parts = map(&[("b", "3"), ("f", "1")]).iter().collect();
    third.dropped = vec!["g".to_string(), "item:x".to_string(), "a".to_string()];
    let mut seen = Vec::new();
    for signoff in [first, second, third] {
        record.signoffs.push(signoff);
        let previous = Previous::of(&record);
        let read: Vec<(String, &str)> = previous
            .iter()
            .map(|(name, short)| (name.to_string(), short))
            .collect();
        let together = last_parts(&record);
        let expected: Vec<(String, &str)> = together
            .iter()
            .map(|(n, s)| (n.clone(), s.as_str()))
            .collect();
        assert_eq!(read, expected);
        seen.push(read.len());
    }
    assert_eq!(seen, [4, 5, 3]);
}

/// A sign-off's part, and the record digest over its sign-offs, hashed
/// with each sign-off's `parts` written straight through, are of the
/// canonical form as the general writer makes it whole.
#[test]
fn sign_offs_hashed_straight_through_are_their_canonical_forms() {
    let mut record = awkward();
    sign_and_check(&mut record, "QA");
    let mut with_parts = record.signoffs[0].clone();
    assert!(with_parts.parts.len() > 20);
    with_parts.parts.insert("value:\"\\\u{1}é", "ab".repeat(8));
    let mut empty = signoff("none");
    empty.dropped = vec!["x".to_string()];
    for signoff in [&record.signoffs[0], &with_parts, &empty] {
        let whole = sha256_hex(&canonical::to_vec(signoff, None));
        assert_eq!(crate::record::signoff_sha256(signoff), whole);
        assert_eq!(canonical_sha256(signoff), whole);
        assert_eq!(signoff_short(signoff), whole[..16]);
    }
    record.signoffs.push(with_parts);
    record.signoffs.push(empty);
    assert_eq!(
        crate::record::digest(&record),
        sha256_hex(&crate::record::canonical(&record))
    );
    record.signoffs.clear();
    assert_eq!(
        crate::record::digest(&record),
        sha256_hex(&crate::record::canonical(&record))
    );
}

#[test]
fn item_names_sort_against_other_names_as_their_texts_do() {
    let texts = [
        "", "i", "item", "item:", "item:a", "item:é", "items", "j", "check",
    ];
    for id in ["", "a", "é", "a:b", "~"] {
        let name = format!("item:{id}");
        for other in texts {
            assert_eq!(
                PartName::Item(id).cmp_text(other),
                name.as_str().cmp(other),
                "{name:?} against {other:?}"
            );
        }
    }
}

/// The list of items' part, hashed as it is written, is the digest of the
/// list's canonical form, whatever the ids hold.
#[test]
fn the_list_of_items_is_digested_as_its_canonical_form() {
    let mut record = record();
    record.items.extend([
        item("a/\"quoted\"/x", Kind::Check, Status::Done),
        item("a/back\\slash/é", Kind::Field, Status::Pending),
        item("a/ctl\u{1}/\u{2028}", Kind::Check, Status::Done),
    ]);
    record.items.push(record.items[0].clone());
    let ids: Vec<&str> = record.items.iter().map(|item| &*item.id).collect();
    assert_eq!(items_short(&record), short(&ids));
    assert_eq!(
        Part::Items.short(&record, &items_by_id(&record)),
        Some(short(&ids))
    );
}
