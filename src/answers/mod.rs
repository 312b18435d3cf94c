//! The answers file of an unattended run: the manual attestations a
//! pipeline cannot make itself, written down ahead (docs/CI.md).
//!
//! ```yaml
//! values:
//!   version: "1.4.2"
//!   Change ticket: CHG-1234
//! items:
//!   preparation/pre-deployment-checks/stakeholders-told: done
//!   Release notes published: {status: skipped, reason: "published by marketing"}
//! signoffs:
//!   Release Manager: {name: Jane Doe, decision: approve, comment: "go"}
//! rollback_needed: false
//! gates:
//!   build: "flaky test, tracked in OPS-12; the artifact was rebuilt by hand"
//! ```
//!
//! Keys are resolved against the checklist before anything runs, so a typo
//! stops the run with the closest real ids instead of leaving an item
//! silently pending.

mod by_item;
mod hint;
mod index;
mod item;
mod scalar;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::exit::{Code, error};
use crate::model::{Checklist, Item, Kind};
use crate::prompt::SignoffAnswer;
use crate::record::{Decision, Provenance, Status};
use crate::source::sha256_hex;
use crate::source_text::SourceText;
use crate::template;

pub use by_item::ItemAnswers;
pub use hint::suggest;
use hint::{at, at_under};
use index::{Found, Index};
use item::{item_answer, scalar};
use scalar::{Scalar, Text};

/// An item's answer as the file gives it. Most answers are a bare status
/// (`done`), so what else one says is kept apart, boxed: a file of
/// 100,000 answers is held in 40 bytes an answer with its key, not 128.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemAnswer {
    pub status: Status,
    /// A measured item given its value and no status: the value's verdict
    /// settles it, as at the terminal. A status given beside a value (or
    /// without one) is a person's word against the number.
    pub by_number: bool,
    /// Its note, reason, value and who gave it; `None` when it gives none.
    pub said: Option<Box<Said>>,
}

/// What an answer says beside its status.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Said {
    pub note: Option<String>,
    pub reason: Option<String>,
    pub value: Option<String>,
    pub by: Option<String>,
}

impl ItemAnswer {
    /// An answer of `status` saying `said`, boxed only when it says
    /// something.
    pub fn new(status: Status, said: Said, by_number: bool) -> ItemAnswer {
        let says = said != Said::default();
        ItemAnswer {
            status,
            by_number,
            said: says.then(|| Box::new(said)),
        }
    }

    pub fn note(&self) -> Option<&str> {
        self.said.as_ref()?.note.as_deref()
    }

    pub fn reason(&self) -> Option<&str> {
        self.said.as_ref()?.reason.as_deref()
    }

    pub fn value(&self) -> Option<&str> {
        self.said.as_ref()?.value.as_deref()
    }

    pub fn by(&self) -> Option<&str> {
        self.said.as_ref()?.by.as_deref()
    }
}

/// The file, resolved: answers by item id, values by variable name.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    pub provenance: Option<Provenance>,
    /// Variables by name.
    pub variables: BTreeMap<String, String>,
    /// By item id: checks, triggers, and fields (status done with a value).
    /// Keyed by the checklist's own ids, shared, not copied.
    pub items: ItemAnswers,
    /// By sign-off item id.
    pub signoffs: BTreeMap<std::sync::Arc<str>, SignoffAnswer>,
    pub rollback_needed: Option<bool>,
    /// Gates waived ahead, by phase id: the run goes on past a failure in
    /// that phase, as after a waiver at the terminal.
    pub gates: BTreeMap<String, GateWaiver>,
}

/// A waiver written down before the run, for a phase's gate.
#[derive(Debug, Clone, PartialEq)]
pub struct GateWaiver {
    pub reason: String,
    pub by: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw<'a> {
    #[serde(default, deserialize_with = "scalar::or_empty")]
    values: BTreeMap<String, Scalar>,
    #[serde(default, deserialize_with = "scalar::or_empty", borrow)]
    items: BTreeMap<Text<'a>, RawItem<'a>>,
    #[serde(default, deserialize_with = "scalar::or_empty")]
    signoffs: BTreeMap<String, RawSignoff>,
    #[serde(default)]
    rollback_needed: Option<bool>,
    #[serde(default, deserialize_with = "scalar::or_empty")]
    gates: BTreeMap<String, RawGate>,
}

/// `PHASE: "reason"`, or `PHASE: {reason: ..., by: ...}`.
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "a gate's waiver is a reason, or {reason: ..., by: ...}"
)]
enum RawGate {
    Reason(String),
    Full(RawGateFull),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGateFull {
    reason: String,
    #[serde(default, deserialize_with = "scalar::text")]
    by: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "an item's answer is a status, a value, or {status, note, reason, value, by}, no other keys"
)]
enum RawItem<'a> {
    #[serde(borrow)]
    Status(Text<'a>),
    /// A measured item's value, written bare (`error-rate: 0.4`).
    Number(scalar::Number),
    /// Boxed: most answers are a bare status, and inline the full form
    /// made every answer of the file's map 136 bytes (14 MB of a
    /// 100,000-answer file, read while the checklist is held).
    Full(Box<RawFull>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFull {
    #[serde(default, deserialize_with = "scalar::text")]
    status: Option<String>,
    #[serde(default, deserialize_with = "scalar::text")]
    note: Option<String>,
    #[serde(default, deserialize_with = "scalar::text")]
    reason: Option<String>,
    #[serde(default)]
    value: Option<Scalar>,
    #[serde(default, deserialize_with = "scalar::text")]
    by: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignoff {
    name: String,
    #[serde(default)]
    decision: Option<String>,
    #[serde(default)]
    comment: Option<String>,
}

/// An answers file read, and walked for keys given twice, but not yet
/// resolved against a checklist: a run reads it so before it parses the
/// checklist, and the walk's working memory (17 MB for 100,000 answers)
/// comes and goes while only the file is held, not the checklist too.
/// Its text is held packed meanwhile, a tenth of its size beside the
/// parse.
pub struct AnswersFile {
    display: String,
    text: SourceText,
    provenance: Provenance,
    /// What the walk said ([`crate::yaml::walk`]).
    walked: bool,
}

impl AnswersFile {
    /// Reads and walks `path`: refused (exit 3) when it is no file, too
    /// large, not UTF-8 or nested past the limits.
    pub fn read(path: &Path) -> anyhow::Result<AnswersFile> {
        let display = path.display().to_string();
        // A regular file within the size limit: never a pipe to wait on.
        let bytes = crate::limits::read(path, crate::limits::Kind::Answers)?;
        // Digested before the bytes become the text, so the file is held
        // once (a copy was 7 MB of a 100,000-answer file).
        let sha256 = sha256_hex(&bytes);
        let text = String::from_utf8(bytes).map_err(|err| {
            error(
                Code::Input,
                format!(
                    "{display}: not UTF-8 at byte {}",
                    err.utf8_error().valid_up_to()
                ),
            )
        })?;
        let walked = walk(&text, &display)?;
        let text = SourceText::pack(&text);
        Ok(AnswersFile {
            provenance: Provenance {
                kind: "answers-file".to_string(),
                path: Some(display.clone()),
                sha256: Some(sha256),
            },
            display,
            text,
            walked,
        })
    }

    /// The file resolved against `checklist`. Every problem is collected
    /// into one error (exit 3).
    pub fn resolve(self, checklist: &Checklist) -> anyhow::Result<Answers> {
        Answers::resolve(
            &self.text.text(),
            &self.display,
            self.provenance,
            self.walked,
            checklist,
        )
    }
}

/// The first pass over an answers file's text ([`crate::yaml::walk`]);
/// an empty file is never read.
fn walk(text: &str, display: &str) -> anyhow::Result<bool> {
    if text.trim().is_empty() {
        return Ok(true);
    }
    crate::yaml::walk(text, display, crate::limits::Kind::Answers)
}

impl Answers {
    /// Reads and resolves `path` against `checklist`. Every problem is
    /// collected into one error (exit 3).
    pub fn load(path: &Path, checklist: &Checklist) -> anyhow::Result<Answers> {
        AnswersFile::read(path)?.resolve(checklist)
    }

    pub fn parse(
        text: &str,
        display: &str,
        provenance: Provenance,
        checklist: &Checklist,
    ) -> anyhow::Result<Answers> {
        let walked = walk(text, display)?;
        Answers::resolve(text, display, provenance, walked, checklist)
    }

    fn resolve(
        text: &str,
        display: &str,
        provenance: Provenance,
        walked: bool,
        checklist: &Checklist,
    ) -> anyhow::Result<Answers> {
        let raw: Raw = if text.trim().is_empty() {
            Raw {
                values: BTreeMap::new(),
                items: BTreeMap::new(),
                signoffs: BTreeMap::new(),
                rollback_needed: None,
                gates: BTreeMap::new(),
            }
        } else {
            // The reader refuses a key given twice, which a map would
            // quietly take the last of, in a first pass of its own.
            let raw: Raw =
                crate::yaml::read_walked(text, display, crate::limits::Kind::Answers, "", walked)?;
            if let Some((key, problem)) = long_value(&raw) {
                return Err(error(Code::Input, format!("{display}: {key} {problem}")));
            }
            if let Some(key) = unsafe_text(&raw) {
                return Err(error(
                    Code::Input,
                    format!(
                        "{display}: {key} holds a control character or a direction override (an escape sequence?), or a line break where one line is asked (a key, a name, a value); answers are recorded and shown, so write them as plain text"
                    ),
                ));
            }
            raw
        };
        let mut problems = Vec::new();
        // Past this many, the rest are counted, not described: a file of
        // thousands of wrong keys gets a screenful, at once.
        let mut more = 0;
        let mut answers = Answers {
            provenance: Some(provenance),
            rollback_needed: raw.rollback_needed,
            ..Answers::default()
        };
        let items: Vec<&Item> = checklist.items().map(|(_, _, item)| item).collect();
        let index = Index::new(&items);
        let mut answered = by_item::Gathered::new(items.len(), raw.values.len() + raw.items.len());

        for (key, value) in raw.values {
            if problems.len() >= MAX_PROBLEMS {
                more += 1;
                continue;
            }
            let Some(value) = scalar(&value) else {
                problems.push(format!(
                    "{}: values.{key}: give a single value",
                    at(text, display, &key)
                ));
                continue;
            };
            // A relative bound's baseline ("Response time baseline") is
            // given as a value of the run, as a variable is.
            let baseline = items.iter().any(|item| {
                item.rare
                    .measure
                    .as_ref()
                    .is_some_and(|m| m.baseline.as_deref() == Some(key.as_str()))
            });
            if checklist.variables.contains(&key) || baseline {
                answers.variables.insert(key, value);
                continue;
            }
            match index.find(&key, |item| item.kind == Kind::Field) {
                Found::One(item) if answered.has(&index, item) => problems.push(format!(
                    "{}: values.{key}: field {} is answered twice",
                    at(text, display, &key),
                    item.id
                )),
                Found::One(item) => {
                    answered.add(
                        &index,
                        item,
                        ItemAnswer::new(
                            Status::Done,
                            Said {
                                value: Some(value),
                                ..Said::default()
                            },
                            false,
                        ),
                    );
                }
                Found::Many(ids) => problems.push(format!(
                    "{}: values.{key} names several fields; use an id: {}",
                    at(text, display, &key),
                    ids.join(", ")
                )),
                Found::None => {
                    let mut known: Vec<String> = checklist.variables.clone();
                    known.extend(
                        items
                            .iter()
                            .filter(|i| i.kind == Kind::Field)
                            .map(|i| i.id.to_string()),
                    );
                    problems.push(format!(
                        "{}: values.{key} is not a variable or field of {}{}",
                        at(text, display, &key),
                        checklist.title,
                        suggest(&key, &known)
                    ));
                }
            }
        }

        for (key, raw_item) in raw.items {
            if problems.len() >= MAX_PROBLEMS {
                more += 1;
                continue;
            }
            let item = match index.find(&key, |_| true) {
                Found::One(item) => item,
                Found::Many(ids) => {
                    problems.push(format!(
                        "{}: items.{key}: that text is on several items; use an id: {}",
                        at(text, display, &key),
                        ids.join(", ")
                    ));
                    continue;
                }
                Found::None => {
                    let ids: Vec<String> = items.iter().map(|i| i.id.to_string()).collect();
                    problems.push(format!(
                        "{}: items.{key} is not an item id or text of {}{}",
                        at(text, display, &key),
                        checklist.title,
                        suggest(&key, &ids)
                    ));
                    continue;
                }
            };
            if answered.has(&index, item) {
                problems.push(format!(
                    "{}: items.{key}: item {} is answered twice",
                    at(text, display, &key),
                    item.id
                ));
                continue;
            }
            match item_answer(item, raw_item) {
                Ok(answer) => answered.add(&index, item, answer),
                Err(problem) => problems.push(format!(
                    "{}: items.{key}: {problem}",
                    at(text, display, &key)
                )),
            }
        }

        let signoff_items: Vec<&&Item> = items.iter().filter(|i| i.kind == Kind::Signoff).collect();
        for (role, raw_signoff) in raw.signoffs {
            if problems.len() >= MAX_PROBLEMS {
                more += 1;
                continue;
            }
            let matching: Vec<&&&Item> = signoff_items
                .iter()
                .filter(|item| {
                    item.rare
                        .role
                        .as_deref()
                        .is_some_and(|r| r.eq_ignore_ascii_case(role.trim()))
                        || *item.id == *role
                })
                .collect();
            let Some(item) = matching.first() else {
                let roles: Vec<String> = signoff_items
                    .iter()
                    .filter_map(|i| i.rare.role.clone())
                    .collect();
                problems.push(format!(
                    "{}: signoffs.{role} is not a sign-off role of {}; its roles: {}",
                    at(text, display, &role),
                    checklist.title,
                    if roles.is_empty() {
                        "none".to_string()
                    } else {
                        roles.join(", ")
                    }
                ));
                continue;
            };
            if answers.signoffs.contains_key(&item.id) {
                problems.push(format!(
                    "{}: signoffs.{role}: sign-off {} is answered twice",
                    at(text, display, &role),
                    item.id
                ));
                continue;
            }
            let decision = match raw_signoff.decision.as_deref().unwrap_or("approve") {
                "approve" | "approved" => Decision::Approve,
                "reject" | "rejected" => Decision::Reject,
                other => {
                    problems.push(format!(
                        "{}: signoffs.{role}.decision `{other}`: use approve or reject",
                        at(text, display, &role)
                    ));
                    continue;
                }
            };
            if raw_signoff.name.trim().is_empty() {
                problems.push(format!(
                    "{}: signoffs.{role}: a name is required",
                    at(text, display, &role)
                ));
                continue;
            }
            answers.signoffs.insert(
                item.id.clone(),
                SignoffAnswer {
                    name: raw_signoff.name,
                    decision,
                    comment: raw_signoff.comment,
                },
            );
        }

        for (key, raw_gate) in raw.gates {
            if problems.len() >= MAX_PROBLEMS {
                more += 1;
                continue;
            }
            let (reason, by) = match raw_gate {
                RawGate::Reason(reason) => (reason, None),
                RawGate::Full(full) => (full.reason, full.by),
            };
            let where_ = at_under(text, display, "gates", &key);
            let phases: Vec<&crate::model::Phase> =
                match checklist.phases.iter().find(|phase| phase.id == key.trim()) {
                    Some(phase) => vec![phase],
                    None => checklist
                        .phases
                        .iter()
                        .filter(|phase| phase.title == key.trim())
                        .collect(),
                };
            let phase = match phases.as_slice() {
                [phase] => phase,
                [] => {
                    let ids: Vec<String> = checklist.phases.iter().map(|p| p.id.clone()).collect();
                    problems.push(format!(
                        "{where_}: gates.{key} is not a phase id or title of {}{}",
                        checklist.title,
                        suggest(&key, &ids)
                    ));
                    continue;
                }
                many => {
                    let ids: Vec<&str> = many.iter().map(|p| p.id.as_str()).collect();
                    problems.push(format!(
                        "{where_}: gates.{key} names several phases; use an id: {}",
                        ids.join(", ")
                    ));
                    continue;
                }
            };
            if reason.trim().is_empty() {
                problems.push(format!("{where_}: gates.{key}: a waiver needs a reason"));
                continue;
            }
            if answers.gates.contains_key(&phase.id) {
                problems.push(format!(
                    "{where_}: gates.{key}: phase {} is waived twice",
                    phase.id
                ));
                continue;
            }
            answers
                .gates
                .insert(phase.id.clone(), GateWaiver { reason, by });
        }

        if more > 0 {
            problems.push(format!(
                "{display}: and {}",
                crate::words::count(more, "more wrong key")
            ));
        }
        if problems.is_empty() {
            answers.items = answered.into_answers();
            Ok(answers)
        } else {
            Err(error(Code::Input, problems.join("\n")))
        }
    }
}

/// How many problems an answers file's message describes.
const MAX_PROBLEMS: usize = 20;

/// The first value in the file longer than a value may be
/// ([`template::too_long`]), by key (`values.version`,
/// `items.ticket.value`), and what is wrong with it.
fn long_value(raw: &Raw<'_>) -> Option<(String, String)> {
    let key = |key: &str| crate::printable::printable(key).into_owned();
    raw.values
        .iter()
        .find_map(|(name, value)| {
            let problem = value.0.as_deref().and_then(template::too_long)?;
            Some((format!("values.{}", key(name)), problem))
        })
        .or_else(|| {
            raw.items.iter().find_map(|(name, item)| {
                let (field, problem) = match item {
                    RawItem::Status(value) => ("", template::too_long(value)?),
                    RawItem::Number(_) => return None,
                    RawItem::Full(full) => (
                        ".value",
                        full.value
                            .as_ref()
                            .and_then(|v| v.0.as_deref())
                            .and_then(template::too_long)?,
                    ),
                };
                Some((format!("items.{}{field}", key(name)), problem))
            })
        })
}

/// An entry's texts by field name (`""`: the entry's value itself).
type Fields<'a> = Vec<(&'static str, Option<&'a str>)>;

/// The key of the first text in the file, or the first key, that holds
/// what a terminal would act on (`crate::printable`), as `items.x.note`.
fn unsafe_text(raw: &Raw<'_>) -> Option<String> {
    // Notes, reasons and comments may run over lines; a key, a name, a
    // status or a value is one line (a newline in it would let it pass
    // for a line of the output of its own, `::error::` to a CI log).
    let bad = |section: &str, field: &str, text: &str| {
        // A gate's bare value is its reason.
        if matches!(field, "note" | "reason" | "comment") || (section, field) == ("gates", "") {
            text.chars().any(crate::printable::unsafe_char)
        } else {
            crate::printable::breaks_line(text)
        }
    };
    let first = |section: &str, entries: Vec<(&str, Fields)>| {
        entries.into_iter().find_map(|(key, fields)| {
            if crate::printable::breaks_line(key) {
                return Some(crate::printable::one_line(key).into_owned());
            }
            fields
                .into_iter()
                .find(|(field, text)| text.is_some_and(|text| bad(section, field, text)))
                .map(|(field, _)| {
                    let key = format!("{section}.{key}");
                    if field.is_empty() {
                        key
                    } else {
                        format!("{key}.{field}")
                    }
                })
        })
    };
    fn full(f: &RawFull) -> Fields<'_> {
        vec![
            ("status", f.status.as_deref()),
            ("note", f.note.as_deref()),
            ("reason", f.reason.as_deref()),
            ("value", f.value.as_ref().and_then(|v| v.0.as_deref())),
            ("by", f.by.as_deref()),
        ]
    }
    first(
        "values",
        raw.values
            .iter()
            .map(|(k, v)| (k.as_str(), vec![("", v.0.as_deref())]))
            .collect(),
    )
    .or_else(|| {
        first(
            "items",
            raw.items
                .iter()
                .map(|(k, item)| match item {
                    RawItem::Status(status) => (&**k, vec![("", Some(&**status))]),
                    RawItem::Number(_) => (&**k, vec![]),
                    RawItem::Full(f) => (&**k, full(f)),
                })
                .collect(),
        )
    })
    .or_else(|| {
        first(
            "signoffs",
            raw.signoffs
                .iter()
                .map(|(k, s)| {
                    let fields = vec![
                        ("name", Some(s.name.as_str())),
                        ("decision", s.decision.as_deref()),
                        ("comment", s.comment.as_deref()),
                    ];
                    (k.as_str(), fields)
                })
                .collect(),
        )
    })
    .or_else(|| {
        first(
            "gates",
            raw.gates
                .iter()
                .map(|(k, gate)| match gate {
                    RawGate::Reason(reason) => (k.as_str(), vec![("", Some(reason.as_str()))]),
                    RawGate::Full(g) => (
                        k.as_str(),
                        vec![("reason", Some(g.reason.as_str())), ("by", g.by.as_deref())],
                    ),
                })
                .collect(),
        )
    })
}
