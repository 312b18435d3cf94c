//! What each part digests to now is what binding the part afresh gives,
//! whether an item's digest comes from its form or is made on its own;
//! the digests of whole maps are of their canonical form; and a stored
//! delta is what the two maps give.

use std::collections::BTreeMap;

use super::*;
use crate::model::Kind;
use crate::record::{PartMap, Status, canonical_json, digest, digest_with_items};
use crate::sign::parts::{self, parts_digest};
use crate::sign::tests::{item, record};

/// A long record's parts are digested in pieces on every core: each comes
/// out as it does one by one (`parts`, what a sign-off binds).
#[test]
fn parts_digested_in_pieces_are_the_parts_digested_one_by_one() {
    let mut record = record();
    for n in 0..2500 {
        record
            .items
            .push(item(&format!("run/step-{n}"), Kind::Check, Status::Done));
    }
    let bound = parts::parts(&record);
    assert!(bound.len() > 2500);
    let borrowed: BTreeMap<&str, &str> = bound
        .iter()
        .map(|(name, short)| (name.as_str(), short.as_str()))
        .collect();
    let items = parts::items_by_id(&record);
    let made = item_forms(&record).unwrap();
    for given in [None, Some(made.shorts.as_slice())] {
        let now = Now::new(&record, &items, borrowed.keys().copied(), given);
        for (name, short) in &bound {
            assert_eq!(now.get(name), Some(Some(short.as_str())), "{name}");
        }
        // With the items' digests at hand, an item not in the record is
        // known to be gone without being looked for.
        let gone = given.map(|_| None);
        assert_eq!(now.get("item:no-such-item"), gone);
    }
    // The forms made once give the record digest made afresh.
    assert_eq!(digest_with_items(&record, &made.forms), digest(&record));
}

/// A sign-off's digest is the SHA-256 of its parts map in the canonical
/// form docs/RECORD.md gives, names that JSON escapes included, whether
/// the map owns its names or borrows them.
#[test]
fn a_parts_digest_is_of_the_maps_canonical_form() {
    let map: BTreeMap<String, String> = [
        ("item:deploy/say \"hi\"", "0123456789abcdef"),
        ("item:tab\there\\é", "fedcba9876543210"),
        ("run", "00000000ffffffff"),
    ]
    .into_iter()
    .map(|(name, short)| (name.to_string(), short.to_string()))
    .collect();
    let value = serde_json::to_value(&map).unwrap();
    let expected = crate::source::sha256_hex(&canonical_json(&value));
    assert_eq!(parts_digest(&map), expected);
    let borrowed: BTreeMap<&str, &str> = map
        .iter()
        .map(|(name, short)| (name.as_str(), short.as_str()))
        .collect();
    assert_eq!(parts_digest(&borrowed), expected);
}

/// What a sign-off stores of its map is every entry new or changed since
/// the map before, and every name that map had and this one has not,
/// each in name order: names before, between and after the other map's.
#[test]
fn a_delta_is_what_was_added_changed_and_dropped() {
    let map = |entries: &[(&str, &str)]| -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(name, short)| (name.to_string(), short.to_string()))
            .collect()
    };
    let previous = map(&[("a", "1"), ("c", "1"), ("d", "1"), ("f", "1"), ("z", "1")]);
    let whole = map(&[("b", "1"), ("c", "1"), ("d", "2"), ("e", "1"), ("y", "1")]);
    let (parts, dropped) = parts::delta(&previous, &whole);
    assert_eq!(
        parts,
        map(&[("b", "1"), ("d", "2"), ("e", "1"), ("y", "1")])
            .iter()
            .collect()
    );
    assert_eq!(dropped, ["a", "f", "z"]);
    assert_eq!(parts::delta(&whole, &whole), (PartMap::new(), Vec::new()));
    assert_eq!(
        parts::delta(&BTreeMap::new(), &whole),
        (whole.iter().collect(), Vec::new())
    );
    let none: Vec<String> = whole.keys().cloned().collect();
    assert_eq!(
        parts::delta(&whole, &BTreeMap::new()),
        (PartMap::new(), none)
    );
}
