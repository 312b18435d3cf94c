//! The parts of a record a sign-off binds to (docs/RECORD.md lists them),
//! their short digests, and the payload a signature covers. Each part is
//! something a run does not change once written, so `verify` can tell an
//! edit (a part differs) from an append (a part that was not there yet).

use std::borrow::{Borrow, Cow};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::whole::Whole;
use super::{PAYLOAD_HEADER, PAYLOAD_HEADER_V1};
use crate::record::v1::{ChecklistV1, GateV1, ItemV1, SignoffV1};
use crate::record::{
    Decision, Event, ItemResult, Mode, Outcome, PartMap, Record, Signoff, canonical_json,
    canonical_sha256,
};
use crate::source::sha256_hex;

/// Hex characters kept of a part's digest: 64 bits are plenty to notice an
/// edit, and keep the record readable.
const SHORT: usize = 16;

fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    // Cannot fail for record types: every map in them has string keys.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// One piece of the record a sign-off can vouch for. Each is something
/// that, once written, a run does not change: so a difference later is an
/// edit, and a piece that was not there yet is an append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Part {
    Checklist,
    /// Who ran what, where and when it began; not how it ended, which
    /// changes when the run does.
    Run,
    /// How a finished run ended; listed only when signed after the end.
    Outcome,
    Rollback,
    Value(String),
    /// An answered item, whole.
    Item(String),
    Gate(usize),
    /// An earlier sign-off, whole.
    Signoff(usize),
    /// The first `k` events, and `k`.
    Events(usize),
    /// Schema v2: every item's id, in order, so an item deleted, put in
    /// twice or moved shows, answered or not.
    Items,
}

impl Part {
    pub(super) fn parse(name: &str) -> Option<Part> {
        let index = |text: &str| text.parse::<usize>().ok();
        Some(match name.split_once(':') {
            None => match name {
                "checklist" => Part::Checklist,
                "run" => Part::Run,
                "outcome" => Part::Outcome,
                "rollback" => Part::Rollback,
                "items" => Part::Items,
                _ => return None,
            },
            Some(("value", value)) => Part::Value(value.to_string()),
            Some(("item", id)) => Part::Item(id.to_string()),
            Some(("gate", n)) => Part::Gate(index(n)?),
            Some(("signoff", n)) => Part::Signoff(index(n)?),
            Some(("events", k)) => Part::Events(index(k)?),
            Some(_) => return None,
        })
    }

    pub(super) fn name(&self) -> String {
        match self {
            Part::Checklist => "checklist".to_string(),
            Part::Run => "run".to_string(),
            Part::Outcome => "outcome".to_string(),
            Part::Rollback => "rollback".to_string(),
            Part::Items => "items".to_string(),
            Part::Value(name) => format!("value:{name}"),
            Part::Item(id) => format!("item:{id}"),
            Part::Gate(n) => format!("gate:{n}"),
            Part::Signoff(n) => format!("signoff:{n}"),
            Part::Events(k) => format!("events:{k}"),
        }
    }

    /// The short digest of the part as the record holds it now; `None`
    /// when it is not there.
    pub(super) fn short(&self, record: &Record, items: &ItemsById<'_>) -> Option<String> {
        // A v1 record's parts are digested in v1's shape, as they were bound.
        let v1 = record.is_v1();
        match self {
            Part::Checklist if v1 => Some(short(&ChecklistV1::of(record))),
            Part::Checklist => Some(shortened(record.checklist.canonical_sha256())),
            Part::Run => Some(short(&RunPart {
                id: &record.run.id,
                operator: &record.run.operator,
                host: &record.run.host,
                started: record.run.started,
                mode: record.run.mode,
                // Schema v2 binds the version that ran it too; v1 did not.
                relcheck_version: (!v1).then_some(record.run.relcheck_version.as_str()),
            })),
            Part::Items => Some(items_short(record)),
            Part::Outcome => Some(short(&OutcomePart {
                finished: record.run.finished,
                duration_seconds: record.run.duration_seconds,
                outcome: record.run.outcome,
            })),
            Part::Rollback => record.rollback.as_ref().map(short),
            Part::Value(name) => record.values.get(name).map(short),
            Part::Item(id) => items.get(id.as_str()).map(|item| item_short(record, item)),
            Part::Gate(n) if v1 => record.gates.get(*n).map(|gate| short(&GateV1::of(gate))),
            Part::Gate(n) => record.gates.get(*n).map(short),
            Part::Signoff(n) if v1 => record
                .signoffs
                .get(*n)
                .map(|signoff| short(&SignoffV1::of(signoff))),
            Part::Signoff(n) => record.signoffs.get(*n).map(signoff_short),
            Part::Events(k) => record
                .events
                .get(..*k)
                .map(|events| short(&EventsPart { count: *k, events })),
        }
    }

    pub(super) fn describe(&self, gone: bool) -> String {
        let what = match self {
            Part::Events(_) => return "events rewritten".to_string(),
            Part::Checklist => "checklist".to_string(),
            Part::Run => "run".to_string(),
            Part::Outcome => "outcome".to_string(),
            Part::Rollback => "rollback".to_string(),
            Part::Items => "list of items".to_string(),
            Part::Value(name) => format!("value {name}"),
            Part::Item(id) => format!("item {id}"),
            Part::Gate(n) => format!("gate decision {}", n + 1),
            Part::Signoff(n) => format!("sign-off {}", n + 1),
        };
        format!("{what} {}", if gone { "removed" } else { "changed" })
    }
}

#[derive(Serialize)]
struct RunPart<'a> {
    id: &'a str,
    operator: &'a str,
    host: &'a str,
    started: DateTime<Utc>,
    mode: Mode,
    #[serde(skip_serializing_if = "Option::is_none")]
    relcheck_version: Option<&'a str>,
}

#[derive(Serialize)]
struct OutcomePart {
    finished: Option<DateTime<Utc>>,
    duration_seconds: Option<f64>,
    outcome: Outcome,
}

#[derive(Serialize)]
struct EventsPart<'a> {
    count: usize,
    events: &'a [Event],
}

/// The list of items' part: [`short`] of the ids in order, written
/// straight into the hash. The canonical form of a list of strings is
/// what `serde_json` writes for it; through [`short`], which holds a
/// value that is not a struct whole, it was 9 MB at 100,000 items, made
/// at every sign-off.
pub(super) fn items_short(record: &Record) -> String {
    let ids = ItemIds(record);
    let mut hex =
        crate::record::sha256_of(|out| serde_json::to_writer(out, &ids).map_err(Into::into));
    hex.truncate(SHORT);
    hex
}

/// A record's item ids, serialized as a list.
struct ItemIds<'r>(&'r Record);

impl Serialize for ItemIds<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.items.iter().map(|item| &*item.id))
    }
}

pub(super) fn short<T: Serialize + ?Sized>(value: &T) -> String {
    shortened(canonical_sha256(value))
}

/// A digest cut to a part's short form.
fn shortened(mut hex: String) -> String {
    hex.truncate(SHORT);
    hex
}

/// An item's part's short digest: of its v1 shape in a v1 record, as it
/// was bound.
pub(super) fn item_short(record: &Record, item: &ItemResult) -> String {
    if record.is_v1() {
        short(&ItemV1::of(item))
    } else {
        short(item)
    }
}

/// A schema v2 sign-off's part: [`short`] of it, its `parts` written
/// straight into the hash (`crate::record::signoff_sha256`), as a long
/// run's first sign-off lists every item.
pub(super) fn signoff_short(signoff: &Signoff) -> String {
    let mut hex = crate::record::signoff_sha256(signoff);
    hex.truncate(SHORT);
    hex
}

/// A part's short digest from its canonical form.
pub(super) fn short_of_form(form: &[u8]) -> String {
    let mut hex = sha256_hex(form);
    hex.truncate(SHORT);
    hex
}

/// The run has ended for good: its outcome will not change. A rollback
/// sets the outcome early, while the run goes on, so only `finished`
/// counts; and an `incomplete` run may be reopened by a person to finish
/// what a pipeline left, so its outcome is not final either.
pub(super) fn finished(record: &Record) -> bool {
    !record.run.resumable()
}

/// A record's items by id, the first of an id as [`Record::item`] finds
/// it: looking each up by scanning would make binding or checking the
/// parts of a 10,000-item record quadratic.
pub(super) type ItemsById<'a> = HashMap<&'a str, &'a ItemResult>;

pub(super) fn items_by_id(record: &Record) -> ItemsById<'_> {
    let mut items = HashMap::with_capacity(record.items.len());
    for item in &record.items {
        items.entry(item.id.as_ref()).or_insert(item);
    }
    items
}

/// The parts a sign-off appended to `record` now binds to, by name
/// (docs/RECORD.md lists them): everything written so far that a run does
/// not change afterwards.
///
/// In schema v2 a run that has ended binds everything it holds: every item,
/// answered or not, and the list of items. Nothing is appended to an ended
/// run but sign-offs, so `verify` then takes anything a sign-off after the
/// end does not list for an edit.
pub fn parts(record: &Record) -> BTreeMap<String, String> {
    Whole::of(record).to_map()
}

/// sha256 hex of the canonical form of a parts map: a sign-off's `digest`.
/// The map's keys are in byte order and its values strings (never null),
/// so the form is `{"name":"short",...}`: what `serde_json` writes for the
/// map, written by one serializer straight into the hash (a value tree of
/// a 10,000-entry map cost a sign-off 10 ms, and a serializer per name
/// half that again).
pub fn parts_digest<M: Serialize + ?Sized>(parts: &M) -> String {
    crate::record::sha256_of(|out| serde_json::to_writer(out, parts).map_err(Into::into))
}

/// Each sign-off's whole parts map, in order, each made when asked for. A
/// v1 sign-off holds its whole map. A v2 sign-off holds what changed since
/// the sign-off before it: that one's map, less its `dropped`, with its
/// `parts` over it.
///
/// The maps borrow the record's names and digests. They are made one at a
/// time, not all at once: each lists every earlier sign-off and every
/// answered item, so a record of many sign-offs held them all in memory
/// that grew with the square of their count (5,000 sign-offs of a
/// 10,000-item record: 4.5 GB).
///
/// `written` is each sign-off's parts with their names written out
/// ([`written_parts`]).
pub fn full_parts<'r>(
    record: &'r Record,
    written: &'r [Cow<'r, PartMap>],
) -> impl Iterator<Item = BTreeMap<&'r str, &'r str>> {
    let v1 = record.is_v1();
    record
        .signoffs
        .iter()
        .zip(written)
        .scan(BTreeMap::new(), move |map, (signoff, parts)| {
            if v1 {
                map.clear();
            }
            for name in &signoff.dropped {
                map.remove(name.as_str());
            }
            map.extend(parts.texts().into_iter().flatten());
            Some(map.clone())
        })
}

/// Each sign-off's parts with their names written out: borrowed from a
/// record read from a file, where they are; made for one a run bound,
/// which holds its items' parts by id.
pub fn written_parts(record: &Record) -> Vec<Cow<'_, PartMap>> {
    record
        .signoffs
        .iter()
        .map(|signoff| signoff.parts.written())
        .collect()
}

/// The whole parts map of the record's last sign-off, as [`full_parts`]
/// gives it last, put together in one map: not one per sign-off, which
/// for a long run's fourth sign-off held four maps of every item.
pub(super) fn last_parts(record: &Record) -> BTreeMap<String, String> {
    if record.is_v1() {
        return record
            .signoffs
            .last()
            .map(|signoff| owned(&signoff.parts))
            .unwrap_or_default();
    }
    let mut map = BTreeMap::new();
    for signoff in &record.signoffs {
        for name in &signoff.dropped {
            map.remove(name);
        }
        map.extend(owned(&signoff.parts));
    }
    map
}

/// A sign-off's parts as a map of their own.
fn owned(parts: &PartMap) -> BTreeMap<String, String> {
    parts
        .iter()
        .map(|(name, short)| (name.to_string(), short.to_string()))
        .collect()
}

/// Fills in `parts` and `digest` of a sign-off about to be appended to
/// `record`. Whatever appends a sign-off calls this first, the runner's
/// in-run sign-offs included: `verify` fails a sign-off bound to nothing.
///
/// The digest is of the whole map. A v2 record keeps of it only what the
/// previous sign-off's map lacks or has otherwise, and names what it has
/// that this one does not: five sign-offs of a long run would otherwise
/// repeat every answered item's digest five times.
///
/// Made from a [`Whole`], which holds the map as digests beside borrowed
/// names, and compared in one walk with the previous sign-off's map read
/// in place ([`Whole::delta`]): a map of owned names, with the previous
/// one's copied beside it, was most of what a long run held at its end.
pub fn bind(record: &Record, signoff: &mut Signoff) {
    let whole = Whole::of(record);
    signoff.digest = Some(whole.digest());
    if record.is_v1() {
        signoff.parts = whole.to_map().iter().collect();
        signoff.dropped = Vec::new();
        return;
    }
    (signoff.parts, signoff.dropped) = whole.delta(record);
}

/// What a v2 sign-off stores of its map `whole`: the parts that are new or
/// differ from the `previous` sign-off's map, and the names that map has
/// and `whole` has not. There is one such pair for a map, so `verify` can
/// require the stored pair to be it: a name dropped twice, or a part
/// stored that the map before already had, changes no map, and would
/// otherwise be an edit nothing sees.
pub(super) fn delta(
    previous: &BTreeMap<String, String>,
    whole: &BTreeMap<String, String>,
) -> (PartMap, Vec<String>) {
    let (parts, dropped) = delta_of(previous, whole);
    (
        parts.into_iter().collect(),
        dropped.into_iter().map(str::to_string).collect(),
    )
}

/// [`delta`] borrowed from the maps, in the order it stores them: what
/// `verify` compares a stored delta with, without a copy of every name.
/// Both maps are in name order, so one walk of the two side by side
/// finds it (a long run's maps have an entry per item).
pub(super) fn delta_of<'m, K: Borrow<str> + Ord, V: Borrow<str>>(
    previous: &'m BTreeMap<K, V>,
    whole: &'m BTreeMap<K, V>,
) -> (Vec<(&'m str, &'m str)>, Vec<&'m str>) {
    let pairs = |map: &'m BTreeMap<K, V>| {
        map.iter()
            .map(|(name, short)| (name.borrow(), short.borrow()))
    };
    let (mut parts, mut dropped) = (Vec::new(), Vec::new());
    walk(
        pairs(whole),
        pairs(previous),
        |name: &str, old: &str| name.cmp(old),
        |name, short| parts.push((name, short)),
        |gone| dropped.push(gone),
    );
    (parts, dropped)
}

/// One walk of a whole parts map beside the previous sign-off's, both in
/// byte order of name: `changed` is given each part new or changed since,
/// and `gone` each name the previous map has and the whole one has not.
/// `cmp` says how a name of the whole map sorts against one of the
/// previous map, so a map that writes its names otherwise
/// ([`super::whole::Whole`]) walks the same way.
pub(super) fn walk<'w, 'p, N: Copy, P: Copy>(
    whole: impl Iterator<Item = (N, &'w str)>,
    previous: impl Iterator<Item = (P, &'p str)>,
    cmp: impl Fn(N, P) -> Ordering,
    mut changed: impl FnMut(N, &'w str),
    mut gone: impl FnMut(P),
) {
    let mut before = previous.peekable();
    for (name, short) in whole {
        while let Some((old, _)) = before.next_if(|&(old, _)| cmp(name, old) == Ordering::Greater) {
            gone(old);
        }
        match before.next_if(|&(old, _)| cmp(name, old) == Ordering::Equal) {
            Some((_, then)) if then == short => {}
            _ => changed(name, short),
        }
    }
    before.for_each(|(old, _)| gone(old));
}

/// The SHA-256 (hex) of the canonical JSON of the sign-off before sign-off
/// `index`, whole, signature included; `None` for the first.
pub fn previous_digest(record: &Record, index: usize) -> Option<String> {
    let previous = record.signoffs.get(index.checked_sub(1)?)?;
    Some(crate::record::signoff_sha256(previous))
}

/// The bytes an SSH signature over `signoff`, sign-off `index` of `record`
/// (the next one, when it is being added), covers.
///
/// Schema v2: [`PAYLOAD_HEADER`], then the canonical JSON of the sign-off's
/// role, name, decision, comment, time, item, `forced`, `source` and
/// digest, the record's run id (`run`), and the digest of the sign-off
/// before it (`previous`, absent for the first). Every field of the
/// sign-off is signed, itself or through the digest; the run id and
/// `previous` tie it to its place, so it cannot be replayed into another
/// record or moved within this one. The digest carries the parts, and so
/// the record.
///
/// Schema v1 signs as v1 did ([`PAYLOAD_HEADER_V1`], the first seven).
pub fn payload(record: &Record, index: usize, signoff: &Signoff) -> Vec<u8> {
    #[derive(Serialize)]
    struct Signed<'a> {
        role: &'a str,
        name: &'a str,
        decision: Decision,
        comment: Option<&'a str>,
        at: DateTime<Utc>,
        item: Option<&'a str>,
        digest: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        forced: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        source: Option<&'a crate::record::Provenance>,
        #[serde(skip_serializing_if = "Option::is_none")]
        run: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        previous: Option<String>,
    }
    let v1 = record.is_v1();
    let mut out = if v1 {
        PAYLOAD_HEADER_V1
    } else {
        PAYLOAD_HEADER
    }
    .to_vec();
    out.extend(canonical_json(&to_value(&Signed {
        role: &signoff.role,
        name: &signoff.name,
        decision: signoff.decision,
        comment: signoff.comment.as_deref(),
        at: signoff.at,
        item: signoff.item.as_deref(),
        digest: signoff.digest.as_deref(),
        forced: signoff.forced.as_deref().filter(|_| !v1),
        source: signoff.source.as_ref().filter(|_| !v1),
        run: (!v1).then_some(record.run.id.as_str()),
        previous: if v1 {
            None
        } else {
            previous_digest(record, index)
        },
    })));
    out
}
