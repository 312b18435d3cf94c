//! A sign-off's `parts`: each part's name and short digest, in byte order
//! of name. Parts are held two ways, read as one map:
//! - by name, as one text with where each name and digest ends: what a
//!   file gives, and every part that is not an item's;
//! - an item's part by the item's id, shared with the record (`item:` and
//!   the id are its name), and its digest's 16 characters: what a run
//!   binds. A long run's first sign-off lists every item, and their names
//!   written out were 9.5 MB of a 100,000-item run's peak; shared, the
//!   list is a third of that.
//!
//! It reads and writes as the map it stands for: the same YAML and JSON as
//! a `BTreeMap<String, String>` of the same entries, however it is held.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What an item's part is named before its id.
pub const ITEM: &str = "item:";

/// A short digest as a run makes it: 16 hex characters.
pub type Short = [u8; 16];

/// A part's name: an item's by its id, `item:` left unwritten, or any
/// other as written. Compared as the texts they stand for.
#[derive(Debug, Clone, Copy)]
pub enum PartName<'a> {
    Item(&'a str),
    Other(&'a str),
}

impl<'a> PartName<'a> {
    /// How this name sorts against `other`, as their texts do.
    pub fn cmp_text(self, other: &str) -> Ordering {
        match self {
            PartName::Other(name) => name.cmp(other),
            PartName::Item(id) => match other.strip_prefix(ITEM) {
                Some(other_id) => id.cmp(other_id),
                // A name without the prefix differs from it within its
                // first five bytes, or is shorter: either way it sorts
                // against every item's name as against the prefix.
                None => ITEM.cmp(other),
            },
        }
    }

    /// How this name sorts against `other`, as their texts do.
    pub fn cmp_name(self, other: PartName<'_>) -> Ordering {
        match other {
            PartName::Other(text) => self.cmp_text(text),
            PartName::Item(id) => match self {
                PartName::Item(mine) => mine.cmp(id),
                PartName::Other(text) => PartName::Item(id).cmp_text(text).reverse(),
            },
        }
    }

    /// The length of the name's text.
    pub fn text_len(self) -> usize {
        match self {
            PartName::Item(id) => ITEM.len() + id.len(),
            PartName::Other(name) => name.len(),
        }
    }

    /// Writes the name's text into `text`, in place of what it held.
    pub fn write_into(self, text: &mut String) {
        text.clear();
        match self {
            PartName::Item(id) => {
                text.push_str(ITEM);
                text.push_str(id);
            }
            PartName::Other(name) => text.push_str(name),
        }
    }
}

impl PartialEq for PartName<'_> {
    fn eq(&self, other: &PartName<'_>) -> bool {
        self.cmp_name(*other) == Ordering::Equal
    }
}

impl Eq for PartName<'_> {}

impl PartialOrd for PartName<'_> {
    fn partial_cmp(&self, other: &PartName<'_>) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PartName<'_> {
    fn cmp(&self, other: &PartName<'_>) -> Ordering {
        self.cmp_name(*other)
    }
}

impl fmt::Display for PartName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartName::Item(id) => write!(f, "{ITEM}{id}"),
            PartName::Other(name) => f.write_str(name),
        }
    }
}

#[derive(Clone, Default)]
pub struct PartMap {
    /// Parts held by name: each part's name, then its digest, back to
    /// back, in name order. While `items` holds any, no name here starts
    /// with `item:`.
    text: String,
    /// Where each part's name and its digest end in `text`. As `usize`:
    /// a journal's parts are read from a file of no set size, and a
    /// narrower offset would have to refuse what it cannot count.
    ends: Vec<(usize, usize)>,
    /// Items' parts held by id, in byte order of id, each id once.
    items: Vec<(Arc<str>, Short)>,
}

impl PartMap {
    pub const fn new() -> PartMap {
        PartMap {
            text: String::new(),
            ends: Vec::new(),
            items: Vec::new(),
        }
    }

    /// Room for `count` parts held by name, whose names and digests take
    /// `bytes`, and `items` held by id.
    pub fn with_capacity(count: usize, bytes: usize, items: usize) -> PartMap {
        PartMap {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(count),
            items: Vec::with_capacity(items),
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len() + self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The parts as `(name, digest)`, in byte order of name.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (PartName<'_>, &str)> + Clone + '_ {
        // The parts held by name that sort below every item's, then the
        // items', then the rest.
        let split = if self.items.is_empty() {
            self.ends.len()
        } else {
            self.partition(ITEM)
        };
        let named = |range: std::ops::Range<usize>| {
            range.map(|at| {
                let (name, short) = self.entry(at);
                (PartName::Other(name), short)
            })
        };
        named(0..split)
            .chain(
                self.items
                    .iter()
                    .map(|(id, short)| (PartName::Item(id), short_text(short))),
            )
            .chain(named(split..self.ends.len()))
    }

    /// The names, in byte order.
    pub fn keys(&self) -> impl Iterator<Item = PartName<'_>> + '_ {
        self.iter().map(|(name, _)| name)
    }

    /// The map with every name written out, borrowed when it is held so:
    /// for what reads names as text (`verify`, which reads maps from a
    /// file, where they are).
    pub fn written(&self) -> Cow<'_, PartMap> {
        if self.items.is_empty() {
            return Cow::Borrowed(self);
        }
        let mut name = String::new();
        let mut map = PartMap::with_capacity(
            self.len(),
            self.iter()
                .map(|(name, short)| name.text_len() + short.len())
                .sum(),
            0,
        );
        for (part, short) in self.iter() {
            part.write_into(&mut name);
            map.push(&name, short);
        }
        Cow::Owned(map)
    }

    /// The parts as `(name, digest)`, in byte order of name, of a map
    /// held by name ([`PartMap::written`] gives one); `None` otherwise.
    pub fn texts(&self) -> Option<impl DoubleEndedIterator<Item = (&str, &str)> + Clone + '_> {
        self.items
            .is_empty()
            .then(|| (0..self.ends.len()).map(|at| self.entry(at)))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        if let Some(id) = name.strip_prefix(ITEM)
            && !self.items.is_empty()
        {
            let at = self.items.binary_search_by(|(held, _)| (**held).cmp(id));
            return at.ok().map(|at| short_text(&self.items[at].1));
        }
        self.find(name).ok().map(|at| self.entry(at).1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    fn entry(&self, at: usize) -> (&str, &str) {
        let start = at.checked_sub(1).map_or(0, |before| self.ends[before].1);
        let (name, short) = self.ends[at];
        (&self.text[start..name], &self.text[name..short])
    }

    /// How many of the parts held by name sort below `name`.
    fn partition(&self, name: &str) -> usize {
        self.find(name).unwrap_or_else(|at| at)
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        // `ends` is in name order: a search by index, reading each name.
        let (mut low, mut high) = (0, self.ends.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.entry(mid).0.cmp(name) {
                Ordering::Less => low = mid + 1,
                Ordering::Greater => high = mid,
                Ordering::Equal => return Ok(mid),
            }
        }
        Err(low)
    }

    /// As a map's insert. A part whose name sorts after every name here,
    /// as a walk in name order gives them, is added at the end; one that
    /// does not is put in its place (a name already here takes the new
    /// digest) at the cost of a copy of the map.
    pub fn insert(&mut self, name: impl AsRef<str>, short: impl AsRef<str>) {
        let (name, short) = (name.as_ref(), short.as_ref());
        let last = self.iter().next_back().map(|(last, _)| last);
        match last {
            Some(last)
                if (name.starts_with(ITEM) && !self.items.is_empty())
                    || last.cmp_text(name) != Ordering::Less =>
            {
                let mut written = String::new();
                let mut entries: BTreeMap<String, &str> = BTreeMap::new();
                for (part, short) in self.iter() {
                    part.write_into(&mut written);
                    entries.insert(written.clone(), short);
                }
                entries.insert(name.to_string(), short);
                *self = entries.into_iter().collect();
            }
            _ => self.push(name, short),
        }
    }

    /// Adds item `id`'s part, held by id: `id` sorts after every item's
    /// here. Any other part is added with [`PartMap::insert`].
    pub fn insert_item(&mut self, id: &Arc<str>, short: &Short) {
        let held = match self.items.last() {
            Some((last, _)) => **last < **id,
            // Items are held one way or the other, never both.
            None => self.partition(ITEM) == self.partition(ITEM_END),
        };
        if held && short.is_ascii() {
            self.items.push((Arc::clone(id), *short));
        } else {
            self.insert(format!("{ITEM}{id}"), short_text(short));
        }
    }

    fn push(&mut self, name: &str, short: &str) {
        self.text.push_str(name);
        let end = self.text.len();
        self.text.push_str(short);
        self.ends.push((end, self.text.len()));
    }
}

/// What sorts after every name that starts with [`ITEM`] (`:` + 1 is `;`)
/// and before any other name that sorts after them.
const ITEM_END: &str = "item;";

/// A short digest's text. Made of hex digits, or of what a caller checked
/// is ASCII ([`PartMap::insert_item`]), so always text.
pub fn short_text(short: &Short) -> &str {
    std::str::from_utf8(short).unwrap_or_default()
}

/// As a map's `collect`: entries in any order, a name given twice keeping
/// its last digest. Entries already in order (as relcheck makes them and
/// a map reads them) are taken as they come. Every part is held by name.
impl<N: AsRef<str>, S: AsRef<str>> FromIterator<(N, S)> for PartMap {
    fn from_iter<I: IntoIterator<Item = (N, S)>>(entries: I) -> PartMap {
        let mut map = PartMap::new();
        let mut in_order = true;
        for (name, short) in entries {
            let name = name.as_ref();
            if let Some(last) = map.ends.len().checked_sub(1) {
                in_order &= map.entry(last).0 < name;
            }
            map.push(name, short.as_ref());
        }
        if in_order {
            map.text.shrink_to_fit();
            map.ends.shrink_to_fit();
            return map;
        }
        let sorted: BTreeMap<&str, &str> = (0..map.ends.len()).map(|at| map.entry(at)).collect();
        sorted.into_iter().collect()
    }
}

/// Equal when they hold the same parts, however each holds them.
impl PartialEq for PartMap {
    fn eq(&self, other: &PartMap) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|((a, x), (b, y))| a == b && x == y)
    }
}

impl Eq for PartMap {}

impl fmt::Debug for PartMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(name, short)| (name.to_string(), short)))
            .finish()
    }
}

impl Serialize for PartMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter().map(|(name, short)| (Written(name), short)))
    }
}

/// A part's name, serialized as its text without a copy held.
struct Written<'a>(PartName<'a>);

impl Serialize for Written<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            PartName::Other(name) => serializer.serialize_str(name),
            PartName::Item(_) => serializer.collect_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for PartMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PartMap, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = PartMap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PartMap, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
                while let Some(entry) = map.next_entry::<String, String>()? {
                    entries.push(entry);
                }
                Ok(entries.into_iter().collect())
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The map's parts, names written out.
    fn pairs(map: &PartMap) -> Vec<(String, String)> {
        map.iter()
            .map(|(name, short)| (name.to_string(), short.to_string()))
            .collect()
    }

    fn tree(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(name, short)| (name.to_string(), short.to_string()))
            .collect()
    }

    #[test]
    fn it_holds_what_a_map_of_the_same_entries_holds() {
        // Out of order, a name twice (the last digest stands), an empty
        // digest and a name that is a prefix of another.
        let given = [
            ("item:b", "2"),
            ("checklist", "c0ffee"),
            ("item:a", ""),
            ("item:b", "3"),
            ("item:", "4"),
        ];
        let map: PartMap = given.iter().copied().collect();
        let tree: BTreeMap<&str, &str> = given.iter().copied().collect();
        let written: Vec<(String, String)> = tree
            .iter()
            .map(|(name, short)| (name.to_string(), short.to_string()))
            .collect();
        assert_eq!(pairs(&map), written);
        assert_eq!(map.len(), 4);
        assert_eq!(map.get("item:b"), Some("3"));
        assert_eq!(map.get("item:a"), Some(""));
        assert_eq!(map.get("item"), None);
        assert!(map.contains_key("item:") && !map.contains_key("run"));
        assert_eq!(format!("{map:?}"), format!("{tree:?}"));
        assert!(PartMap::new().is_empty() && PartMap::new().get("x").is_none());
    }

    #[test]
    fn a_part_pushed_out_of_order_is_put_in_its_place() {
        let mut map = PartMap::new();
        map.insert("b", "1");
        map.insert("d", "2");
        map.insert("c", "3");
        map.insert("d", "4");
        map.insert("e", "5");
        assert_eq!(
            pairs(&map),
            pairs(
                &[("b", "1"), ("c", "3"), ("d", "4"), ("e", "5")]
                    .into_iter()
                    .collect()
            )
        );
    }

    const A: &Short = b"0123456789abcdef";
    const B: &Short = b"fedcba9876543210";

    /// A map as a run binds it: other parts by name around items by id.
    fn bound() -> PartMap {
        let mut map = PartMap::new();
        map.insert("checklist", "c0ffee");
        map.insert("events:3", "ee");
        map.insert_item(&Arc::from("a/b"), A);
        map.insert_item(&Arc::from("a/c"), B);
        map.insert("run", "ff");
        map.insert("signoff:0", "5");
        map
    }

    #[test]
    fn items_held_by_id_read_as_their_names() {
        let map = bound();
        assert_eq!(map.items.len(), 2, "the items are held by id");
        let expected = [
            ("checklist", "c0ffee"),
            ("events:3", "ee"),
            ("item:a/b", "0123456789abcdef"),
            ("item:a/c", "fedcba9876543210"),
            ("run", "ff"),
            ("signoff:0", "5"),
        ];
        let written: PartMap = expected.into_iter().collect();
        assert!(written.items.is_empty(), "a file's map is held by name");
        assert_eq!(pairs(&map), pairs(&written));
        assert_eq!(map, written, "equal however each holds its parts");
        assert_eq!(map.len(), 6);
        assert_eq!(map.get("item:a/c"), Some("fedcba9876543210"));
        assert_eq!(map.get("item:a"), None);
        assert_eq!(map.get("run"), Some("ff"));
        assert!(map.contains_key("checklist") && !map.contains_key("item:"));
        assert_eq!(format!("{map:?}"), format!("{written:?}"));
        assert_eq!(
            serde_json::to_string(&map).unwrap(),
            serde_json::to_string(&written).unwrap()
        );
        assert_eq!(
            crate::yaml::to_string(&map).unwrap(),
            crate::yaml::to_string(&written).unwrap()
        );
        assert_eq!(pairs(&map.written()), pairs(&written));
        assert!(matches!(map.written(), std::borrow::Cow::Owned(_)));
        assert!(matches!(written.written(), std::borrow::Cow::Borrowed(_)));
        assert_eq!(written.texts().unwrap().count(), 6);
        assert!(map.texts().is_none());
    }

    #[test]
    fn an_item_out_of_order_or_beside_written_ones_is_written_out() {
        // An item that sorts before the last one held.
        let mut map = bound();
        map.insert_item(&Arc::from("a/a"), B);
        assert!(map.items.is_empty());
        assert_eq!(map.get("item:a/a"), Some("fedcba9876543210"));
        assert_eq!(map.len(), 7);
        // An item's name given as text, beside items held by id.
        let mut map = bound();
        map.insert("item:a/d", "1");
        assert!(map.items.is_empty());
        assert_eq!(map.get("item:a/d"), Some("1"));
        assert_eq!(map.get("item:a/b"), Some("0123456789abcdef"));
        // An item by id beside items already written out.
        let mut map: PartMap = [("item:x", "1")].into_iter().collect();
        map.insert_item(&Arc::from("y"), A);
        assert!(map.items.is_empty());
        assert_eq!(
            pairs(&map),
            pairs(
                &[("item:x", "1"), ("item:y", "0123456789abcdef")]
                    .into_iter()
                    .collect()
            )
        );
        // A digest that is not text as a run makes it.
        let mut map = PartMap::new();
        map.insert_item(&Arc::from("z"), &[0xff; 16]);
        assert!(map.items.is_empty());
        // A part that sorts below the items, given after them.
        let mut map = bound();
        map.insert("approval", "9");
        assert_eq!(
            map.iter().next().map(|(name, _)| name.to_string()),
            Some("approval".into())
        );
        assert_eq!(map.len(), 7);
    }

    #[test]
    fn names_sort_as_their_texts() {
        let names = [
            PartName::Other("approval"),
            PartName::Other("item"),
            PartName::Item(""),
            PartName::Other("item:"),
            PartName::Item("a"),
            PartName::Other("item:a"),
            PartName::Item("a/b"),
            PartName::Other("item;"),
            PartName::Other("run"),
        ];
        for a in names {
            for b in names {
                let text = a.to_string().cmp(&b.to_string());
                assert_eq!(a.cmp_name(b), text, "{a} against {b}");
                assert_eq!(a.cmp_text(&b.to_string()), text, "{a} against {b}");
            }
            assert_eq!(a.text_len(), a.to_string().len());
        }
    }

    #[test]
    fn it_is_written_and_read_as_the_map() {
        let entries = [("checklist", "0123"), ("item:a \"q\"", "ab"), ("run", "ff")];
        let map: PartMap = entries.iter().copied().collect();
        let tree = tree(&entries);
        assert_eq!(
            serde_json::to_string(&map).unwrap(),
            serde_json::to_string(&tree).unwrap()
        );
        let yaml = crate::yaml::to_string(&map).unwrap();
        assert_eq!(yaml, crate::yaml::to_string(&tree).unwrap());
        assert_eq!(crate::yaml::from_str::<PartMap>(&yaml).unwrap(), map);
        // A file with its names out of order reads as the map would.
        let shuffled: PartMap = crate::yaml::from_str("run: ff\nchecklist: '0123'\n").unwrap();
        assert_eq!(
            shuffled,
            [("checklist", "0123"), ("run", "ff")].into_iter().collect()
        );
    }
}
