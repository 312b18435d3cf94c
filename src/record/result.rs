//! One item's result, held small: what most results leave empty (a role,
//! a value, a note, a reason, a measured value, a command run, a wait) is
//! boxed together in [`Rare`] (shared where results say the same), so a
//! result is 136 bytes where it was 256
//! (12 MB of a 100,000-item run). It reads and writes as it always has:
//! the same fields, in the same order, by the same rules.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};

use super::{CommandRun, Measured, Provenance, Status, Wait, is_false, lean, sources};

/// An item as the record holds it. Field order is the file's
/// (docs/RECORD.md): `id`, `kind`, `text`, `shown`, `phase`, `section`,
/// `line`, `optional`, `role`, `status`, `value`, `measure`, `by`, `at`,
/// `note`, `reason`, `command`, `wait`, `source`; those under `rare` are
/// read and set through it (`item.rare.note`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "ItemIn")]
pub struct ItemResult {
    pub id: Arc<str>,
    /// Left out of the file when `check` (`lean`).
    pub kind: crate::model::Kind,
    /// As written, `{{variables}}` unfilled.
    pub text: Arc<str>,
    /// As shown: `text` with the record's values filled in, when that
    /// differs from `text` (see [`super::Record::refresh_shown`]). Not
    /// rare: every item whose text uses a variable has one.
    pub shown: Option<Box<str>>,
    /// Left out of the file when the id begins with it (`lean`).
    pub phase: Arc<str>,
    pub section: Arc<str>,
    pub line: usize,
    pub optional: bool,
    pub status: Status,
    pub by: Option<Arc<str>>,
    pub at: Option<DateTime<Utc>>,
    /// Where a non-human answer came from: absent for the operator's own.
    /// Shared: a pipeline's answers all name the same answers file, and
    /// a copy in each of 100,000 results was 20 MB.
    pub source: Option<Arc<Provenance>>,
    /// The fields most results leave empty.
    pub rare: Rare,
}

/// Why a step is `n/a` when the operator set its phase aside once the
/// way back was walked (docs/RECORD.md): the reason is the mark.
pub const SET_ASIDE: &str = "set aside after the rollback";

impl ItemResult {
    /// Set aside with its phase after a rollback: the operator's answer,
    /// but to a question about the phase, never shown on its own, so it
    /// took no time of its own and ends no phase.
    pub fn set_aside(&self) -> bool {
        self.status == Status::NotApplicable && self.rare.reason.as_deref() == Some(SET_ASIDE)
    }
}

/// The fields of an [`ItemResult`] most results leave empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RareFields {
    /// A sign-off item's role, as the checklist names it: `relcheck sign
    /// --role` matches it. Older records lack it; the role is then read
    /// from the text as the parser would.
    pub role: Option<String>,
    pub value: Option<String>,
    /// A measured item's value against its bound, once answered.
    pub measure: Option<Box<Measured>>,
    pub note: Option<String>,
    pub reason: Option<String>,
    pub command: Option<Box<CommandRun>>,
    pub wait: Option<Box<Wait>>,
}

/// [`RareFields`], boxed once one is set: reading one through it reads
/// `None` when nothing is; setting one (through `&mut`) makes the box.
/// Equal when the fields are, box or no box. Clones share the box
/// (a run's rollback steps that were not needed share one reason, where
/// a box and a string each were 2 MB of a 100,000-item run): setting a
/// field of a shared box gives the result a box of its own first.
#[derive(Clone, Default)]
pub struct Rare(Option<Arc<RareFields>>);

/// What a result with nothing rare reads as.
static NONE: RareFields = RareFields {
    role: None,
    value: None,
    measure: None,
    note: None,
    reason: None,
    command: None,
    wait: None,
};

impl Rare {
    /// Boxed only when one of `fields` is set.
    pub fn of(fields: RareFields) -> Rare {
        Rare((fields != NONE).then(|| Arc::new(fields)))
    }

    /// Whether it holds a box: what a test of a run's memory asks.
    pub fn is_boxed(&self) -> bool {
        self.0.is_some()
    }

    /// Whether both hold the one box: what a test of a run's memory asks.
    pub fn shares_box(&self, other: &Rare) -> bool {
        matches!((&self.0, &other.0), (Some(a), Some(b)) if Arc::ptr_eq(a, b))
    }

    /// Drops the box when nothing in it is set: after fields are set to
    /// what may be `None` (an answer with no value or reason), so a run's
    /// plain answers hold no box each.
    pub fn tidy(&mut self) {
        if self.0.as_deref() == Some(&NONE) {
            self.0 = None;
        }
    }
}

impl Deref for Rare {
    type Target = RareFields;
    fn deref(&self) -> &RareFields {
        self.0.as_deref().unwrap_or(&NONE)
    }
}

impl DerefMut for Rare {
    fn deref_mut(&mut self) -> &mut RareFields {
        Arc::make_mut(self.0.get_or_insert_with(Arc::default))
    }
}

impl PartialEq for Rare {
    fn eq(&self, other: &Rare) -> bool {
        **self == **other
    }
}

impl fmt::Debug for Rare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// [`ItemResult`] as the file spells it: the fields in their order, each
/// with its rules for being left out. Writing borrows the result.
#[derive(Serialize)]
#[serde(rename = "ItemResult")]
struct ItemOut<'a> {
    id: &'a Arc<str>,
    kind: crate::model::Kind,
    text: &'a Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shown: &'a Option<Box<str>>,
    phase: &'a Arc<str>,
    section: &'a Arc<str>,
    line: usize,
    #[serde(skip_serializing_if = "is_false")]
    optional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: &'a Option<String>,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    measure: &'a Option<Box<Measured>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: &'a Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at: &'a Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: &'a Option<Box<CommandRun>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wait: &'a Option<Box<Wait>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: &'a Option<Arc<Provenance>>,
}

impl Serialize for ItemResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let rare: &RareFields = &self.rare;
        ItemOut {
            id: &self.id,
            kind: self.kind,
            text: &self.text,
            shown: &self.shown,
            phase: &self.phase,
            section: &self.section,
            line: self.line,
            optional: self.optional,
            role: &rare.role,
            status: self.status,
            value: &rare.value,
            measure: &rare.measure,
            by: &self.by,
            at: &self.at,
            note: &rare.note,
            reason: &rare.reason,
            command: &rare.command,
            wait: &rare.wait,
            source: &self.source,
        }
        .serialize(serializer)
    }
}

/// [`ItemResult`] as the file spells it, read: the defaults and readers
/// of each field.
#[derive(Deserialize)]
#[serde(rename = "ItemResult")]
struct ItemIn {
    id: Arc<str>,
    #[serde(default = "lean::check")]
    kind: crate::model::Kind,
    text: Arc<str>,
    #[serde(default)]
    shown: Option<Box<str>>,
    #[serde(default)]
    phase: Arc<str>,
    #[serde(default)]
    section: Arc<str>,
    line: usize,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    role: Option<String>,
    status: Status,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    measure: Option<Box<Measured>>,
    #[serde(default)]
    by: Option<Arc<str>>,
    #[serde(default)]
    at: Option<DateTime<Utc>>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    command: Option<Box<CommandRun>>,
    #[serde(default)]
    wait: Option<Box<Wait>>,
    #[serde(default, deserialize_with = "sources::deserialize")]
    source: Option<Arc<Provenance>>,
}

impl From<ItemIn> for ItemResult {
    fn from(item: ItemIn) -> ItemResult {
        ItemResult {
            id: item.id,
            kind: item.kind,
            text: item.text,
            shown: item.shown,
            phase: item.phase,
            section: item.section,
            line: item.line,
            optional: item.optional,
            status: item.status,
            by: item.by,
            at: item.at,
            source: item.source,
            rare: Rare::of(RareFields {
                role: item.role,
                value: item.value,
                measure: item.measure,
                note: item.note,
                reason: item.reason,
                command: item.command,
                wait: item.wait,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_is_small_and_boxes_only_what_is_set() {
        assert_eq!(std::mem::size_of::<ItemResult>(), 136);
        assert!(Rare::of(RareFields::default()).0.is_none());
        let mut rare = Rare::default();
        assert_eq!(rare.note, None);
        assert!(rare.0.is_none(), "reading makes no box");
        rare.note = Some("n".into());
        assert!(rare.0.is_some());
        // A box with nothing set is equal to none.
        let mut emptied = Rare::default();
        // Setting a field through `&mut` makes the box, even to `None`.
        DerefMut::deref_mut(&mut emptied).reason = None;
        assert!(emptied.0.is_some());
        assert_eq!(emptied, Rare::default());
        emptied.tidy();
        assert!(emptied.0.is_none(), "an empty box is dropped");
        assert_ne!(rare, Rare::default());
        rare.tidy();
        assert_eq!(rare.note.as_deref(), Some("n"));
    }

    #[test]
    fn clones_share_a_box_until_one_is_set() {
        let shared = Rare::of(RareFields {
            reason: Some("why".into()),
            ..RareFields::default()
        });
        let mut one = shared.clone();
        let other = shared.clone();
        assert!(one.shares_box(&other), "one box");
        one.note = Some("mine".into());
        assert!(!one.shares_box(&other), "a box of its own once set");
        assert_eq!(
            (one.note.as_deref(), one.reason.as_deref()),
            (Some("mine"), Some("why"))
        );
        assert_eq!(
            (other.note.as_deref(), other.reason.as_deref()),
            (None, Some("why"))
        );
        assert_eq!(other, shared);
    }
}
