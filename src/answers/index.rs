//! Finding the item an answers-file key names: by id, else by its text
//! or a field's label, so a file can be written from what the checklist
//! shows.

use std::cell::OnceCell;
use std::cmp::Ordering;
use std::collections::HashMap;

use crate::model::Item;

pub(super) enum Found<'a> {
    One(&'a Item),
    Many(Vec<String>),
    None,
}

/// The checklist's items by id and by text or label, so each key of the
/// file is found in constant time: a 10,000-line answers file must not
/// cost 10,000 × 10,000 comparisons.
pub(super) struct Index<'a> {
    items: &'a [&'a Item],
    /// The items' places, in byte order of id, an id's first item first:
    /// searched by halves. A table by id was 3 MB of a 100,000-item run,
    /// held with the file's answers at the run's peak; this is 0.4.
    by_id: Vec<u32>,
    /// Each item once under its text, and once more under its label when
    /// that differs; in document order. Made the first time a key is
    /// not an id (or is the id of an item the search does not want): a
    /// pipeline's file, written by id, never needs it, and for 100,000
    /// items it was 5 MB held while the file was resolved.
    by_text: OnceCell<HashMap<&'a str, Vec<usize>>>,
}

impl<'a> Index<'a> {
    pub(super) fn new(items: &'a [&'a Item]) -> Index<'a> {
        let count = u32::try_from(items.len()).expect("a checklist has at most 100,000 items");
        let mut by_id: Vec<u32> = (0..count).collect();
        // Stable: of items that share an id, the first stays first.
        by_id.sort_by(|&a, &b| items[a as usize].id.cmp(&items[b as usize].id));
        Index {
            items,
            by_id,
            by_text: OnceCell::new(),
        }
    }

    fn by_text(&self) -> &HashMap<&'a str, Vec<usize>> {
        self.by_text.get_or_init(|| {
            let mut by_text: HashMap<&str, Vec<usize>> = HashMap::with_capacity(self.items.len());
            for (i, item) in self.items.iter().enumerate() {
                by_text.entry(item.text.as_ref()).or_default().push(i);
                if let Some(label) = item.rare.label.as_deref().filter(|l| **l != *item.text) {
                    by_text.entry(label).or_default().push(i);
                }
            }
            by_text
        })
    }

    /// The place of the first item whose id is `id`.
    pub(super) fn first_with_id(&self, id: &str) -> Option<usize> {
        let id_at = |at: u32| &*self.items[at as usize].id;
        let first = self
            .by_id
            .partition_point(|&at| id_at(at).cmp(id) == Ordering::Less);
        let &at = self.by_id.get(first)?;
        (id_at(at) == id).then_some(at as usize)
    }

    /// By id, then by exact text (or a field's label), among items `keep`
    /// accepts.
    pub(super) fn find(&self, key: &str, keep: impl Fn(&Item) -> bool) -> Found<'a> {
        let key = key.trim();
        if let Some(i) = self.first_with_id(key)
            && keep(self.items[i])
        {
            return Found::One(self.items[i]);
        }
        let by_text: Vec<usize> = self
            .by_text()
            .get(key)
            .map(|found| {
                found
                    .iter()
                    .copied()
                    .filter(|&i| keep(self.items[i]))
                    .collect()
            })
            .unwrap_or_default();
        match by_text.as_slice() {
            [] => Found::None,
            [one] => Found::One(self.items[*one]),
            many => Found::Many(many.iter().map(|&i| self.items[i].id.to_string()).collect()),
        }
    }
}
