//! The typed checklist: what a document means once parsed, with no I/O.
//!
//! Field names and their order are the JSON view of `relcheck show --format
//! json` (docs/FORMAT.md); scripts read it, so renaming a field is a breaking
//! change. Every value is present in the serialised form, null or empty when
//! unset.

use serde::{Deserialize, Serialize};

use crate::file_digest::FileDigest;
use crate::source_text::SourceText;

mod item;
mod rare;
mod section;

pub use item::{Item, ItemRare, Markdown};
pub use rare::Rare;
pub use section::{Section, SectionRare};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checklist {
    pub title: String,
    pub description: Option<String>,
    pub format: Format,
    pub source: SourceInfo,
    pub front_matter: Option<serde_json::Value>,
    /// Front matter's `signoff:`, the separation of duties a record of this
    /// checklist is held to (docs/RECORD.md). Left out of the JSON view
    /// when the checklist declares none, as front matter shows it anyway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signoff: Option<SignoffPolicy>,
    pub variables: Vec<String>,
    pub phases: Vec<Phase>,
}

/// Who must approve a run (`signoff: {min: 2, distinct: true, not-operator:
/// true}`): at least `min` approving sign-offs, no signer approving twice,
/// and none by the run's operator. Written lean: a rule not asked for is
/// left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SignoffPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub distinct: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_operator: bool,
}

impl SignoffPolicy {
    /// Asks for nothing.
    pub fn is_empty(&self) -> bool {
        *self == SignoffPolicy::default()
    }

    /// Both policies' rules at once: the larger minimum, and each rule
    /// either asks for.
    pub fn and(self, other: SignoffPolicy) -> SignoffPolicy {
        SignoffPolicy {
            min: self.min.max(other.min),
            distinct: self.distinct || other.distinct,
            not_operator: self.not_operator || other.not_operator,
        }
    }
}

/// Serialised as `path` and `sha256` (below, by hand: the digest is
/// worked out from `text` when first asked for).
#[derive(Debug, Clone, Deserialize)]
pub struct SourceInfo {
    pub path: String,
    /// Of the file's bytes as read; read it with [`SourceInfo::sha256`].
    #[serde(rename = "sha256")]
    pub digest: FileDigest,
    /// The text as read (BOM dropped, line ends made LF), for the record
    /// to carry: a record is read later without its checklist. Packed
    /// while a run holds it ([`SourceInfo::pack`]).
    #[serde(skip)]
    pub text: SourceText,
}

impl SourceInfo {
    /// The lowercase hex SHA-256 of the file's bytes, as a record pins it.
    pub fn sha256(&self) -> &str {
        self.digest.hex_of(&self.text)
    }

    /// Holds the text packed, for a run: its digest is worked out first,
    /// from the text as read.
    pub fn pack(&mut self) {
        self.sha256();
        self.text = self.text.packed();
    }
}

impl Serialize for SourceInfo {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("SourceInfo", 2)?;
        out.serialize_field("path", &self.path)?;
        out.serialize_field("sha256", self.sha256())?;
        out.end()
    }
}

impl PartialEq for SourceInfo {
    fn eq(&self, other: &SourceInfo) -> bool {
        self.path == other.path && self.sha256() == other.sha256() && self.text == other.text
    }
}

impl Eq for SourceInfo {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Markdown,
    PlainText,
    /// An org-mode file (`* TODO` headlines), read as the Markdown it
    /// means.
    Org,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    pub id: String,
    pub title: String,
    pub line: usize,
    pub when: When,
    pub sections: Vec<Section>,
}

/// An item's annotation (`<!-- relcheck: id=... timeout=300 -->`), by
/// key: a list kept in key order, which reads and serialises as a map.
/// Most items have no annotation and the rest a few pairs, where a
/// `BTreeMap`'s first node is 540 bytes (10 MB of a 100,000-item lint).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotations(Vec<(String, String)>);

impl Annotations {
    /// None: what an item with no box of rare fields reads as.
    pub const EMPTY: Annotations = Annotations(Vec::new());

    pub fn get(&self, key: &str) -> Option<&String> {
        self.find(key).ok().map(|at| &self.0[at].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// As a map's insert: a key given again takes the later value. Grown
    /// by one pair at a time, not doubled: an annotation has a few pairs.
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        match self.find(&key) {
            Ok(at) => Some(std::mem::replace(&mut self.0[at].1, value)),
            Err(at) => {
                self.0.reserve_exact(1);
                self.0.insert(at, (key, value));
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// In key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(key, value)| (key, value))
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }
}

impl Serialize for Annotations {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Annotations {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = std::collections::BTreeMap::<String, String>::deserialize(deserializer)?;
        Ok(Annotations(map.into_iter().collect()))
    }
}

/// A threshold an item states: the measured value is held against
/// `bound`, in `unit`, by `comparison` (docs/FORMAT.md, "Measured checks").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub comparison: Comparison,
    /// For [`Unit::Baseline`], how many times the baseline.
    pub bound: f64,
    pub unit: Unit,
    /// For [`Unit::Baseline`]: the name the baseline is asked for and kept
    /// under in the record's values ("Response time baseline"), once per
    /// run whatever number of items hold against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = "<=")]
    AtMost,
    #[serde(rename = ">")]
    Above,
    #[serde(rename = "<")]
    Below,
    #[serde(rename = "=")]
    Equal,
}

/// The unit a bound is written in. Times are one family: a value typed in
/// seconds is held against a bound in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    #[serde(rename = "%")]
    Percent,
    #[serde(rename = "ms")]
    Milliseconds,
    #[serde(rename = "s")]
    Seconds,
    #[serde(rename = "min")]
    Minutes,
    #[serde(rename = "h")]
    Hours,
    /// A score out of 100 ("80/100").
    #[serde(rename = "/100")]
    OutOf100,
    /// Times a baseline the run asks for once ("3x baseline").
    #[serde(rename = "x baseline")]
    Baseline,
}

impl Comparison {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => ">=",
            Comparison::AtMost => "<=",
            Comparison::Above => ">",
            Comparison::Below => "<",
            Comparison::Equal => "=",
        }
    }
}

impl Unit {
    pub fn is_time(self) -> bool {
        matches!(
            self,
            Unit::Milliseconds | Unit::Seconds | Unit::Minutes | Unit::Hours
        )
    }

    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Milliseconds => "ms",
            Unit::Seconds => " s",
            Unit::Minutes => " min",
            Unit::Hours => " h",
            Unit::OutOf100 => "/100",
            Unit::Baseline => "x baseline",
        }
    }
}

impl Measure {
    /// The bound as relcheck writes it: `< 1%`, `>= 80/100`, `> 10 min`,
    /// `> 3x baseline`. Records and reports carry this text.
    pub fn bound_text(&self) -> String {
        format!(
            "{} {}{}",
            self.comparison.symbol(),
            self.bound,
            self.unit.suffix()
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Check,
    Trigger,
    Field,
    Signoff,
}

/// When a section's items are asked: always, only once a rollback has been
/// called, or only when none was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum When {
    #[default]
    Always,
    Rollback,
    Success,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Check, Kind::Trigger, Kind::Field, Kind::Signoff];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Check => "check",
            Kind::Trigger => "trigger",
            Kind::Field => "field",
            Kind::Signoff => "signoff",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

impl When {
    pub fn as_str(self) -> &'static str {
        match self {
            When::Always => "always",
            When::Rollback => "rollback",
            When::Success => "success",
        }
    }

    pub fn from_name(name: &str) -> Option<When> {
        [When::Always, When::Rollback, When::Success]
            .into_iter()
            .find(|when| when.as_str() == name)
    }
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::PlainText => "plain-text",
            Format::Org => "org",
        }
    }
}

/// Counts by kind, as `list`, `show` and the runner's start screen give them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub phases: usize,
    pub sections: usize,
    pub items: usize,
    pub check: usize,
    pub trigger: usize,
    pub field: usize,
    pub signoff: usize,
    pub optional: usize,
    pub rollback: usize,
    pub success: usize,
}

impl Checklist {
    /// Every item in document order, with the section and phase it sits in.
    pub fn items(&self) -> impl Iterator<Item = (&Phase, &Section, &Item)> {
        self.phases.iter().flat_map(|phase| {
            phase.sections.iter().flat_map(move |section| {
                section.items.iter().map(move |item| (phase, section, item))
            })
        })
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items()
            .map(|(_, _, item)| item)
            .find(|item| *item.id == *id)
    }

    pub fn counts(&self) -> Counts {
        let mut counts = Counts {
            phases: self.phases.len(),
            ..Counts::default()
        };
        for phase in &self.phases {
            counts.sections += phase.sections.len();
        }
        for (_, section, item) in self.items() {
            counts.items += 1;
            match item.kind {
                Kind::Check => counts.check += 1,
                Kind::Trigger => counts.trigger += 1,
                Kind::Field => counts.field += 1,
                Kind::Signoff => counts.signoff += 1,
            }
            counts.optional += usize::from(item.optional);
            match section.when {
                When::Rollback => counts.rollback += 1,
                When::Success => counts.success += 1,
                When::Always => {}
            }
        }
        counts
    }
}
