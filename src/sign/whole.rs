//! The whole parts map a sign-off binds ([`super::parts`]), held at a long
//! record's cost: an item's part as its id (borrowed from the record) and
//! its short digest's 16 characters, not a name and a digest string each;
//! the few other parts (the checklist, the run, values, gates, earlier
//! sign-offs, the log) by name. At 100,000 items a map of owned names and
//! hex strings, with a by-id table to find each item, held some 20 MB
//! while a sign-off was bound; this holds 3.
//!
//! The map's order is byte order of the names. Every item's name starts
//! `item:` and no other part's does, so the items sort together: the other
//! parts below `item:`, then the items by id, then the other parts above.

use std::collections::BTreeMap;
use std::io::Write;
use std::ops::Bound;
use std::sync::Arc;

use super::parts::{ItemsById, Part, finished, item_short, walk};
use crate::record::{ITEM, PartMap, PartName, Record, short_text};

/// A short digest: the 16 hex characters the record writes.
pub(super) type Short = crate::record::Short;

fn short_of(hex: &str) -> Short {
    let mut short = [b'0'; 16];
    let hex = hex.as_bytes();
    short[..hex.len().min(16)].copy_from_slice(&hex[..hex.len().min(16)]);
    short
}

/// A part of the whole map: an item's by its id, the record's own, or
/// another by name.
#[derive(Debug, Clone, Copy)]
enum Entry<'a> {
    Item(&'a Arc<str>),
    Other(&'a str),
}

impl<'a> Entry<'a> {
    fn name(self) -> PartName<'a> {
        match self {
            Entry::Item(id) => PartName::Item(id),
            Entry::Other(name) => PartName::Other(name),
        }
    }
}

/// A record's whole parts map, as [`Whole::of`] makes it.
pub(super) struct Whole<'r> {
    /// Every part but the items', by name.
    others: BTreeMap<String, Short>,
    /// The items' parts by id, in byte order of id, each id once: the
    /// item's place in `record.items` (a long run's ids are most of what
    /// it holds; this map only points at them).
    items: Vec<(u32, Short)>,
    record: &'r Record,
}

impl<'r> Whole<'r> {
    /// The parts of `record` a sign-off appended now binds to: each part
    /// [`Part::short`] makes, as [`super::parts`] lists them.
    pub(super) fn of(record: &'r Record) -> Whole<'r> {
        let v2 = !record.is_v1();
        let ended = finished(record);
        // No part here looks an item up: the items are digested below.
        let none = ItemsById::new();
        let mut others = BTreeMap::new();
        let mut put = |part: Part| {
            if let Some(short) = part.short(record, &none) {
                others.insert(part.name(), short_of(&short));
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
        for n in 0..record.gates.len() {
            put(Part::Gate(n));
        }
        for n in 0..record.signoffs.len() {
            put(Part::Signoff(n));
        }
        put(Part::Events(record.events.len()));
        Whole {
            others,
            items: items(record, |item| item.status.is_answered() || (v2 && ended)),
            record,
        }
    }

    /// The parts in byte order of their names.
    fn iter(&self) -> impl Iterator<Item = (Entry<'_>, &Short)> {
        fn other<'a>((name, short): (&'a String, &'a Short)) -> (Entry<'a>, &'a Short) {
            (Entry::Other(name), short)
        }
        let below = self
            .others
            .range::<str, _>((Bound::Unbounded, Bound::Excluded(ITEM)))
            .map(other);
        let above = self
            .others
            .range::<str, _>((Bound::Included(ITEM), Bound::Unbounded))
            .map(other);
        let items = self
            .items
            .iter()
            .map(|(at, short)| (Entry::Item(&self.record.items[*at as usize].id), short));
        below.chain(items).chain(above)
    }

    /// The map, with its names and digests written out.
    pub(super) fn to_map(&self) -> BTreeMap<String, String> {
        let mut name = String::new();
        self.iter()
            .map(|(part, short)| {
                part.name().write_into(&mut name);
                (name.clone(), short_text(short).to_string())
            })
            .collect()
    }

    /// A sign-off's `digest`: sha256 hex of the map's canonical form,
    /// `{"name":"short",...}`, as [`super::parts_digest`] gives it for
    /// [`Whole::to_map`], written straight into the hash.
    pub(super) fn digest(&self) -> String {
        crate::record::sha256_of(|out| {
            let mut name = String::new();
            out.write_all(b"{")?;
            for (i, (part, short)) in self.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                part.name().write_into(&mut name);
                serde_json::to_writer(&mut *out, name.as_str())?;
                out.write_all(b":")?;
                serde_json::to_writer(&mut *out, short_text(short))?;
            }
            out.write_all(b"}")
        })
    }

    /// What a v2 sign-off appended to `record` stores of this map, as
    /// [`super::parts::delta`] finds it against the record's last
    /// sign-off's whole map: the parts new or changed since, and the names
    /// gone. One walk of this map beside that one, read in place.
    pub(super) fn delta(&self, record: &Record) -> (PartMap, Vec<String>) {
        let previous = Previous::of(record);
        let both = |changed: &mut dyn FnMut(Entry<'_>, &str),
                    gone: &mut dyn FnMut(PartName<'_>)| {
            walk(
                self.iter().map(|(part, short)| (part, short_text(short))),
                previous.iter(),
                |part: Entry<'_>, old| part.name().cmp(&old),
                changed,
                gone,
            );
        };
        // Two walks: the first sizes the map, so the second writes it
        // with no room to spare. A run's first sign-off stores every item,
        // and a list grown by doubling held up to twice that at the run's
        // last sign-off.
        let (mut count, mut bytes, mut items) = (0, 0, 0);
        let mut dropped = Vec::new();
        both(
            &mut |part, short| match part {
                Entry::Item(_) => items += 1,
                Entry::Other(name) => {
                    count += 1;
                    bytes += name.len() + short.len();
                }
            },
            &mut |gone| dropped.push(gone.to_string()),
        );
        let mut parts = PartMap::with_capacity(count, bytes, items);
        both(
            &mut |part, short| match part {
                // Held by id, shared with the record: a long run's first
                // sign-off lists every item.
                Entry::Item(id) => parts.insert_item(id, &short_of(short)),
                Entry::Other(name) => parts.insert(name, short),
            },
            &mut |_| {},
        );
        (parts, dropped)
    }
}

/// The items' parts: for each id some item of which `bound` takes, the
/// short digest of the id's first item (an id's part is its first item's,
/// as [`super::parts::items_by_id`] finds it), in byte order of id.
fn items(record: &Record, bound: impl Fn(&crate::record::ItemResult) -> bool) -> Vec<(u32, Short)> {
    let id = |at: u32| &*record.items[at as usize].id;
    // Places sorted by id, then place: an id's first item leads its run.
    // A sort of places rather than a table by id, which cost as much
    // again as the list; as indexes, which are a sixth of the id and
    // place pairs a long run sorted before.
    let count = u32::try_from(record.items.len())
        .expect("a record of at most 512 MiB has fewer items than u32 counts");
    let mut places: Vec<u32> = (0..count).collect();
    places.sort_unstable_by(|&a, &b| id(a).cmp(id(b)).then(a.cmp(&b)));
    // Room for every item at once: grown by doubling, a long run's list
    // held up to twice what it needs while the sign-off was bound.
    let mut items = Vec::with_capacity(places.len());
    for run in places.chunk_by(|&a, &b| id(a) == id(b)) {
        if run.iter().any(|&at| bound(&record.items[at as usize])) {
            let first = run[0];
            let short = short_of(&item_short(record, &record.items[first as usize]));
            items.push((first, short));
        }
    }
    items
}

/// The whole map of the record's last sign-off, as
/// [`super::parts::last_parts`] puts it together, read in place: the
/// first sign-off's parts with what each later one dropped or stored laid
/// over them. A run's first sign-off lists every item, and the later ones
/// what changed since, so the overlay is small.
struct Previous<'r> {
    base: &'r PartMap,
    /// Names a later sign-off dropped (`None`) or stored, the last word on
    /// each.
    over: BTreeMap<PartName<'r>, Option<&'r str>>,
}

/// The map before a record's first sign-off.
const NONE: &PartMap = &PartMap::new();

impl<'r> Previous<'r> {
    fn of(record: &'r Record) -> Previous<'r> {
        let Some((first, later)) = record.signoffs.split_first() else {
            return Previous {
                base: NONE,
                over: BTreeMap::new(),
            };
        };
        // The first drops nothing: there is no map before it.
        let mut over = BTreeMap::new();
        for signoff in later {
            for name in &signoff.dropped {
                over.insert(PartName::Other(name.as_str()), None);
            }
            for (name, short) in signoff.parts.iter() {
                over.insert(name, Some(short));
            }
        }
        Previous {
            base: &first.parts,
            over,
        }
    }

    /// The map's entries in byte order of their names.
    fn iter(&self) -> impl Iterator<Item = (PartName<'r>, &'r str)> + '_ {
        let mut base = self.base.iter().peekable();
        let mut over = self
            .over
            .iter()
            .map(|(&name, &short)| (name, short))
            .peekable();
        std::iter::from_fn(move || {
            loop {
                let laid = match (base.peek(), over.peek()) {
                    (None, None) => return None,
                    (Some(_), None) => false,
                    (None, Some(_)) => true,
                    (Some((name, _)), Some((over_name, _))) => over_name <= name,
                };
                if !laid {
                    return base.next();
                }
                let (name, short) = over.next()?;
                // The overlay has the last word on a name the base has.
                base.next_if(|(base_name, _)| *base_name == name);
                if let Some(short) = short {
                    return Some((name, short));
                }
            }
        })
    }
}

#[cfg(test)]
#[path = "whole_tests.rs"]
mod tests;
