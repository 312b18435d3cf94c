//! A sign-off's `parts`: each part's name and short digest, in byte order
//! of name, held as one text with where each name and digest ends. A long
//! run's first sign-off lists every item; as a map of owned strings that
//! was two allocations and a tree slot per item (11 MB of a 100,000-item
//! run's peak), where this is the text and two offsets per part.
//!
//! It reads and writes as the map it stands for: the same YAML and JSON as
//! a `BTreeMap<String, String>` of the same entries.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Default, PartialEq, Eq)]
pub struct PartMap {
    /// Each part's name, then its digest, back to back, in name order.
    text: String,
    /// Where each part's name and its digest end in `text`. As `usize`:
    /// a journal's parts are read from a file of no set size, and a
    /// narrower offset would have to refuse what it cannot count.
    ends: Vec<(usize, usize)>,
}

impl PartMap {
    pub const fn new() -> PartMap {
        PartMap {
            text: String::new(),
            ends: Vec::new(),
        }
    }

    /// Room for `count` parts whose names and digests take `bytes`.
    pub fn with_capacity(count: usize, bytes: usize) -> PartMap {
        PartMap {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(count),
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The parts as `(name, digest)`, in byte order of name.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&str, &str)> + Clone + '_ {
        (0..self.ends.len()).map(|at| self.entry(at))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.iter().map(|(name, _)| name)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.find(name).ok().map(|at| self.entry(at).1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    fn entry(&self, at: usize) -> (&str, &str) {
        let start = at.checked_sub(1).map_or(0, |before| self.ends[before].1);
        let (name, short) = self.ends[at];
        (&self.text[start..name], &self.text[name..short])
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        // `ends` is in name order: a search by index, reading each name.
        let (mut low, mut high) = (0, self.ends.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.entry(mid).0.cmp(name) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
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
        match self.len().checked_sub(1) {
            Some(last) if self.entry(last).0 >= name => {
                let mut entries: BTreeMap<&str, &str> = self.iter().collect();
                entries.insert(name, short);
                *self = entries.into_iter().collect();
            }
            _ => self.push(name, short),
        }
    }

    fn push(&mut self, name: &str, short: &str) {
        self.text.push_str(name);
        let end = self.text.len();
        self.text.push_str(short);
        self.ends.push((end, self.text.len()));
    }
}

/// As a map's `collect`: entries in any order, a name given twice keeping
/// its last digest. Entries already in order (as relcheck makes them and
/// a map reads them) are taken as they come.
impl<N: AsRef<str>, S: AsRef<str>> FromIterator<(N, S)> for PartMap {
    fn from_iter<I: IntoIterator<Item = (N, S)>>(entries: I) -> PartMap {
        let mut map = PartMap::new();
        let mut in_order = true;
        for (name, short) in entries {
            let name = name.as_ref();
            if let Some(last) = map.len().checked_sub(1) {
                in_order &= map.entry(last).0 < name;
            }
            map.push(name, short.as_ref());
        }
        if in_order {
            map.text.shrink_to_fit();
            map.ends.shrink_to_fit();
            return map;
        }
        let sorted: BTreeMap<&str, &str> = map.iter().collect();
        sorted.into_iter().collect()
    }
}

impl fmt::Debug for PartMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for PartMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
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
        assert_eq!(
            map.iter().collect::<Vec<_>>(),
            tree.clone().into_iter().collect::<Vec<_>>()
        );
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
        let entries: Vec<_> = map.iter().collect();
        assert_eq!(entries, [("b", "1"), ("c", "3"), ("d", "4"), ("e", "5")]);
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
