//! The short digest of each part a record's sign-offs list, as the record
//! holds it now: what `verify` compares every sign-off's list with. Each
//! part is digested once however many sign-offs list it, a long record's
//! on every core, and its items' together with the record digest.

use std::collections::{BTreeMap, HashMap};

use super::parts::{ItemsById, Part, short_of_form};
use crate::record::{Record, canonical};

/// A sign-off's whole parts map, name to short digest, borrowed from the
/// record (`super::full_parts`).
pub(super) type Parts<'r> = BTreeMap<&'r str, &'r str>;

/// Each item's canonical form and short digest, in record order.
pub(super) struct ItemForms {
    /// What the record digest takes as its items.
    pub(super) forms: Vec<Vec<u8>>,
    /// What an `item:` part digests to.
    pub(super) shorts: Vec<String>,
}

/// Each item's canonical form and its short digest, made once, on every
/// core, for a schema v2 record: the record digest takes the forms as its
/// items, and an `item:` part's digest is its item's short, so neither is
/// made twice (at 10,000 items, a third of `verify`'s work). `None` for
/// v1, whose parts have a shape of their own, or when a thread failed.
pub(super) fn item_forms(record: &Record) -> Option<ItemForms> {
    if record.is_v1() {
        return None;
    }
    let made: Option<Vec<(Vec<u8>, String)>> = crate::cores::map(&record.items, 500, |item| {
        let form = canonical::to_vec(item, None);
        let short = short_of_form(&form);
        (form, short)
    })
    .into_iter()
    .collect();
    let (forms, shorts) = made?.into_iter().unzip();
    Some(ItemForms { forms, shorts })
}

/// The short digest now of every part some sign-off lists.
pub(super) struct Now<'r> {
    /// By name; `None` for a part no longer there.
    parts: HashMap<&'r str, Option<String>>,
    /// With the items' digests at hand: which item an id is (its first,
    /// as `items_by_id` finds it), and each item's digest.
    items: Option<(HashMap<&'r str, usize>, &'r [String])>,
}

impl<'r> Now<'r> {
    /// Digests every part named in `names` (the same name any number of
    /// times), on every core; an item's is taken from `shorts` (each
    /// item's, in order) when given.
    pub(super) fn new(
        record: &'r Record,
        items: &ItemsById<'_>,
        names: impl Iterator<Item = &'r str>,
        shorts: Option<&'r [String]>,
    ) -> Now<'r> {
        let items_at = shorts.map(|shorts| {
            let mut first = HashMap::with_capacity(record.items.len());
            for (index, item) in record.items.iter().enumerate() {
                first.entry(item.id.as_ref()).or_insert(index);
            }
            (first, shorts)
        });
        // Sign-offs list mostly the same parts: each name once.
        let mut names: Vec<&str> = names
            .filter(|name| items_at.is_none() || !name.starts_with("item:"))
            .collect();
        names.sort_unstable();
        names.dedup();
        let parts = crate::cores::map(&names, 1000, |name| {
            Some((*name, Part::parse(name)?.short(record, items)))
        })
        .into_iter()
        .flatten()
        .flatten()
        .collect();
        Now {
            parts,
            items: items_at,
        }
    }

    /// The digest of the part `name` now (`Some(None)`: it is gone); `None`
    /// when it was not made here: a name that is no part, or whose thread
    /// panicked.
    pub(super) fn get(&self, name: &str) -> Option<Option<&str>> {
        if let (Some((first, shorts)), Some(id)) = (&self.items, name.strip_prefix("item:")) {
            return Some(first.get(id).map(|&index| shorts[index].as_str()));
        }
        self.parts.get(name).map(Option::as_deref)
    }
}

#[cfg(test)]
#[path = "now_tests.rs"]
mod tests;
