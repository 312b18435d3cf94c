//! Binding the sign-offs given during a run at the cost of what changed
//! since the last one, not of the whole record. A sign-off binds a digest
//! of every answered item, of the checklist's whole text and of the list
//! of items ([`super::parts`]); made afresh at each sign-off, with the
//! delta against the sign-off before, that was 35 to 40 ms at 10,000
//! items, on the answer's path.
//!
//! A run's [`Binder`] keeps the parts map as the record stands: an item's
//! part is digested when the item changes (the session tells it what
//! changed, as it tells the journal), the checklist's and the list of
//! items' once, an earlier sign-off's once; the few other parts (the run,
//! values, gates, the log) at each sign-off. It notes which names changed
//! since the last sign-off it bound, which is that sign-off's delta while
//! the sign-off is still the record's last. What remains in proportion to
//! the record is the digest of the whole map, which is what is signed.
//!
//! What a sign-off covers does not change: the map is the one
//! [`super::parts`] makes (debug builds, and so every test, check that it
//! is); a record the binder cannot follow (schema v1, an id given to two
//! items, a run that has ended) is bound afresh.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;

use super::parts::{Part, delta, finished, last_parts, parts, parts_digest, short};
use crate::record::{Record, Signoff};

pub struct Binder {
    /// Whether the record can be bound from what is kept: schema v2, each
    /// item's id its own (an item's part is its id's), and as many items
    /// as when the binder was made.
    usable: bool,
    count: usize,
    /// The parts map as the record stands, but for the parts refreshed at
    /// each sign-off.
    map: BTreeMap<String, String>,
    /// Names changed in `map` since the last sign-off bound here, with
    /// what each held then (`None`: it was not there). Kept only once
    /// there is such a sign-off.
    touched: BTreeMap<String, Option<String>>,
    /// The last sign-off bound here: its place and digest. The map as it
    /// stood then is that sign-off's whole map.
    last: Option<(usize, String)>,
    /// Sign-offs whose part is in `map`, from the first.
    signoffs: usize,
    gates: usize,
    events: Option<String>,
}

impl Binder {
    /// A binder for `record`, whose parts are digested now: a resumed
    /// run's first sign-off must not pay for them.
    pub fn new(record: &Record) -> Binder {
        let mut ids = HashSet::with_capacity(record.items.len());
        let usable = !record.is_v1()
            && !finished(record)
            && record.items.iter().all(|item| ids.insert(&item.id));
        let map = if usable {
            parts(record)
        } else {
            BTreeMap::new()
        };
        let events = map.keys().find(|name| name.starts_with("events:")).cloned();
        Binder {
            usable,
            count: record.items.len(),
            map,
            touched: BTreeMap::new(),
            last: None,
            signoffs: record.signoffs.len(),
            gates: record.gates.len(),
            events,
        }
    }

    /// Items `indices` of `record` changed: each is digested again now,
    /// while the answer that changed it is saved, so a sign-off later
    /// finds it done.
    pub fn changed(&mut self, record: &Record, indices: &[usize]) {
        if !self.fits(record) {
            return;
        }
        for &index in indices {
            let Some(item) = record.items.get(index) else {
                continue;
            };
            // Ids are each their own here, so an item's part is its own.
            let now = item.status.is_answered().then(|| short(item));
            self.set(format!("item:{}", item.id), now);
        }
    }

    /// Fills in `parts` and `digest` of `signoff`, about to be appended to
    /// `record`, as [`super::bind`] does. `changed`: items changed since
    /// the binder last heard (the answer being given).
    pub fn bind(&mut self, record: &Record, signoff: &mut Signoff, changed: &[usize]) {
        if !self.fits(record) || finished(record) {
            super::bind(record, signoff);
            self.last = None;
            return;
        }
        self.changed(record, changed);
        self.refresh(record);
        debug_assert_eq!(self.map, parts(record), "a run's binder kept a stale part");
        let digest = parts_digest(&self.map);
        let follows = matches!(
            &self.last,
            Some((index, bound)) if record.signoffs.len() == index + 1
                && record.signoffs[*index].digest.as_deref() == Some(bound.as_str())
        );
        (signoff.parts, signoff.dropped) = if follows {
            let mut parts = BTreeMap::new();
            let mut dropped = Vec::new();
            for (name, then) in std::mem::take(&mut self.touched) {
                match self.map.get(&name) {
                    Some(now) if then.as_ref() != Some(now) => {
                        parts.insert(name, now.clone());
                    }
                    None if then.is_some() => dropped.push(name),
                    _ => {}
                }
            }
            (parts.iter().collect(), dropped)
        } else {
            // The record's last sign-off is not one bound here (this run
            // resumed a record that had them, or one was undone).
            let previous = last_parts(record);
            delta(&previous, &self.map)
        };
        signoff.digest = Some(digest.clone());
        self.touched.clear();
        self.last = Some((record.signoffs.len(), digest));
    }

    fn fits(&self, record: &Record) -> bool {
        self.usable && record.items.len() == self.count && !record.is_v1()
    }

    /// Sets `name` to `now` (`None`: not a part), noting what it held at
    /// the last sign-off the first time it changes after it.
    fn set(&mut self, name: String, now: Option<String>) {
        if self.map.get(&name) == now.as_ref() {
            return;
        }
        let then = match now {
            Some(now) => self.map.insert(name.clone(), now),
            None => self.map.remove(&name),
        };
        if self.last.is_some() {
            self.touched.entry(name).or_insert(then);
        }
    }

    /// The parts a run may change that are not items, made again: each is
    /// small, or (an earlier sign-off) digested once.
    fn refresh(&mut self, record: &Record) {
        let none = HashMap::new();
        for part in [Part::Run, Part::Rollback] {
            let short = part.short(record, &none);
            self.set(part.name(), short);
        }
        let stale: Vec<String> = self
            .map
            .range::<str, _>((Bound::Included("value:"), Bound::Excluded("value;")))
            .map(|(name, _)| name.clone())
            .filter(|name| !record.values.contains_key(&name["value:".len()..]))
            .collect();
        for name in stale {
            self.set(name, None);
        }
        for name in record.values.keys() {
            let part = Part::Value(name.clone());
            let short = part.short(record, &none);
            self.set(part.name(), short);
        }
        // Gate decisions are few; one may be undone.
        for n in 0..self.gates.max(record.gates.len()) {
            let short = Part::Gate(n).short(record, &none);
            self.set(Part::Gate(n).name(), short);
        }
        self.gates = record.gates.len();
        // A sign-off is appended whole and never changed, only undone; its
        // part (the first holds every item's digest) is made once.
        for n in record.signoffs.len()..self.signoffs {
            self.set(Part::Signoff(n).name(), None);
        }
        for n in self.signoffs.min(record.signoffs.len())..record.signoffs.len() {
            let short = Part::Signoff(n).short(record, &none);
            self.set(Part::Signoff(n).name(), short);
        }
        self.signoffs = record.signoffs.len();
        let events = Part::Events(record.events.len());
        if let Some(old) = self.events.take().filter(|old| *old != events.name()) {
            self.set(old, None);
        }
        let short = events.short(record, &none);
        self.events = Some(events.name());
        self.set(events.name(), short);
    }
}

#[cfg(test)]
#[path = "binder_tests.rs"]
mod tests;
