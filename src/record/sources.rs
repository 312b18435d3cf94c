//! Where an answer came from is written in full once and then by its kind
//! alone: a pipeline's run answers most items from one answers file, and
//! its path and SHA-256 on every item were a fifth of the record. In the
//! file, `source: answers-file` is the answers file of the nearest item
//! above whose source is written in full; a source with no path and no
//! digest (`command`, `run`) is its kind alone whenever no full source of
//! that kind comes before it (docs/RECORD.md, "Size"). In memory every
//! item has its source whole.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::Deserializer;
use serde::de::{self, MapAccess, Visitor};

use super::{ItemResult, Provenance};

/// The sources written in full so far, by kind: what `source: KIND`
/// stands for from there on.
#[derive(Default)]
pub(super) struct Written<'a> {
    last: HashMap<&'a str, &'a Provenance>,
}

impl<'a> Written<'a> {
    /// How `source` is written next: as its kind alone (`Some`), or in
    /// full (`None`), which the sources after it may then refer to.
    pub(super) fn short(&mut self, source: &'a Provenance) -> Option<&'a str> {
        let kind = source.kind.as_str();
        let bare = !full(source);
        match self.last.get(kind) {
            Some(last) if *last == source => Some(kind),
            None if bare => Some(kind),
            _ => {
                if !bare {
                    self.last.insert(kind, source);
                }
                None
            }
        }
    }
}

/// Whether `source` says more than its kind: what later sources of the
/// kind may then refer to. The writer and the reader both ask this one.
fn full(source: &Provenance) -> bool {
    source.path.is_some() || source.sha256.is_some()
}

/// What a source written as its kind alone reads as until [`fill`] puts
/// it back: no path, and this digest, which no file has (a SHA-256 is 64
/// hex digits).
const SHORT: &str = "";

/// An item's `source` as its file holds it: in full, or its kind alone.
pub(super) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Arc<Provenance>>, D::Error> {
    deserializer.deserialize_any(Source)
}

struct Source;

impl<'de> Visitor<'de> for Source {
    type Value = Option<Arc<Provenance>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a source: its kind, or {kind, path, sha256}")
    }

    fn visit_str<E: de::Error>(self, kind: &str) -> Result<Self::Value, E> {
        Ok(Some(Arc::new(Provenance {
            kind: kind.to_string(),
            path: None,
            sha256: Some(SHORT.to_string()),
        })))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let full: Provenance =
            serde::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Some(Arc::new(full)))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// Puts back each source written as its kind alone, in file order, as
/// [`Written`] left it out. Items read from one file share one source.
pub(super) fn fill(items: &mut [ItemResult]) {
    let mut last: HashMap<String, Arc<Provenance>> = HashMap::new();
    for item in items {
        let Some(source) = &item.source else {
            continue;
        };
        if source.sha256.as_deref() == Some(SHORT) {
            item.source = Some(last.get(&source.kind).cloned().unwrap_or_else(|| {
                Arc::new(Provenance {
                    kind: source.kind.clone(),
                    path: None,
                    sha256: None,
                })
            }));
        } else if full(source) {
            last.insert(source.kind.clone(), source.clone());
        }
    }
}
