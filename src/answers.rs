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

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::exit::{Code, error};
use crate::model::{Checklist, Item, Kind};
use crate::prompt::SignoffAnswer;
use crate::record::{Decision, Provenance, Status};
use crate::source::sha256_hex;

/// An item's answer as the file gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemAnswer {
    pub status: Status,
    pub note: Option<String>,
    pub reason: Option<String>,
    pub value: Option<String>,
    pub by: Option<String>,
}

/// The file, resolved: answers by item id, values by variable name.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    pub provenance: Option<Provenance>,
    /// Variables by name.
    pub variables: BTreeMap<String, String>,
    /// By item id: checks, triggers, and fields (status done with a value).
    pub items: BTreeMap<String, ItemAnswer>,
    /// By sign-off item id.
    pub signoffs: BTreeMap<String, SignoffAnswer>,
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
struct Raw {
    #[serde(default)]
    values: BTreeMap<String, serde_yaml::Value>,
    #[serde(default)]
    items: BTreeMap<String, RawItem>,
    #[serde(default)]
    signoffs: BTreeMap<String, RawSignoff>,
    #[serde(default)]
    rollback_needed: Option<bool>,
    #[serde(default)]
    gates: BTreeMap<String, RawGate>,
}

/// `PHASE: "reason"`, or `PHASE: {reason: ..., by: ...}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawGate {
    Reason(String),
    Full(RawGateFull),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGateFull {
    reason: String,
    #[serde(default)]
    by: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawItem {
    Status(String),
    Full(RawFull),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFull {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    value: Option<serde_yaml::Value>,
    #[serde(default)]
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

impl Answers {
    /// Reads and resolves `path` against `checklist`. Every problem is
    /// collected into one error (exit 3).
    pub fn load(path: &Path, checklist: &Checklist) -> anyhow::Result<Answers> {
        let display = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|err| {
            error(
                Code::Input,
                format!("{display}: cannot read the answers file: {err}"),
            )
        })?;
        let text = String::from_utf8(bytes.clone()).map_err(|err| {
            error(
                Code::Input,
                format!(
                    "{display}: not UTF-8 at byte {}",
                    err.utf8_error().valid_up_to()
                ),
            )
        })?;
        let provenance = Provenance {
            kind: "answers-file".to_string(),
            path: Some(display.clone()),
            sha256: Some(sha256_hex(&bytes)),
        };
        Answers::parse(&text, &display, provenance, checklist)
    }

    pub fn parse(
        text: &str,
        display: &str,
        provenance: Provenance,
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
        } else if let Some(problem) = crate::source::yaml_too_complex(text, usize::MAX) {
            return Err(error(Code::Input, format!("{display}: {problem}")));
        } else {
            let at = |err: &serde_yaml::Error| {
                err.location()
                    .map(|l| format!(":{}:{}", l.line(), l.column()))
                    .unwrap_or_default()
            };
            // Through a plain YAML value first: it refuses a key given
            // twice, which a map would quietly take the last of.
            let value: serde_yaml::Value = serde_yaml::from_str(text)
                .map_err(|err| error(Code::Input, format!("{display}{}: {err}", at(&err))))?;
            serde_yaml::from_value(value)
                .map_err(|err| error(Code::Input, format!("{display}{}: {err}", at(&err))))?
        };
        let mut problems = Vec::new();
        let mut answers = Answers {
            provenance: Some(provenance),
            rollback_needed: raw.rollback_needed,
            ..Answers::default()
        };
        let items: Vec<&Item> = checklist.items().map(|(_, _, item)| item).collect();
        let index = Index::new(&items);

        for (key, value) in raw.values {
            let Some(value) = scalar(&value) else {
                problems.push(format!(
                    "{}: values.{key}: give a single value",
                    at(text, display, &key)
                ));
                continue;
            };
            if checklist.variables.contains(&key) {
                answers.variables.insert(key, value);
                continue;
            }
            match index.find(&key, |item| item.kind == Kind::Field) {
                Found::One(item) if answers.items.contains_key(&item.id) => problems.push(format!(
                    "{}: values.{key}: field {} is answered twice",
                    at(text, display, &key),
                    item.id
                )),
                Found::One(item) => {
                    answers.items.insert(
                        item.id.clone(),
                        ItemAnswer {
                            status: Status::Done,
                            note: None,
                            reason: None,
                            value: Some(value),
                            by: None,
                        },
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
                            .map(|i| i.id.clone()),
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
                    let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
                    problems.push(format!(
                        "{}: items.{key} is not an item id or text of {}{}",
                        at(text, display, &key),
                        checklist.title,
                        suggest(&key, &ids)
                    ));
                    continue;
                }
            };
            if answers.items.contains_key(&item.id) {
                problems.push(format!(
                    "{}: items.{key}: item {} is answered twice",
                    at(text, display, &key),
                    item.id
                ));
                continue;
            }
            match item_answer(item, raw_item) {
                Ok(answer) => {
                    answers.items.insert(item.id.clone(), answer);
                }
                Err(problem) => problems.push(format!(
                    "{}: items.{key}: {problem}",
                    at(text, display, &key)
                )),
            }
        }

        let signoff_items: Vec<&&Item> = items.iter().filter(|i| i.kind == Kind::Signoff).collect();
        for (role, raw_signoff) in raw.signoffs {
            let matching: Vec<&&&Item> = signoff_items
                .iter()
                .filter(|item| {
                    item.role
                        .as_deref()
                        .is_some_and(|r| r.eq_ignore_ascii_case(role.trim()))
                        || item.id == role
                })
                .collect();
            let Some(item) = matching.first() else {
                let roles: Vec<String> = signoff_items
                    .iter()
                    .filter_map(|i| i.role.clone())
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

        if problems.is_empty() {
            Ok(answers)
        } else {
            Err(error(Code::Input, problems.join("\n")))
        }
    }
}

enum Found<'a> {
    One(&'a Item),
    Many(Vec<String>),
    None,
}

/// The checklist's items by id and by text or label, so each key of the
/// file is found in constant time: a 10,000-line answers file must not
/// cost 10,000 × 10,000 comparisons.
struct Index<'a> {
    items: &'a [&'a Item],
    by_id: HashMap<&'a str, usize>,
    /// Each item once under its text, and once more under its label when
    /// that differs; in document order.
    by_text: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Index<'a> {
    fn new(items: &'a [&'a Item]) -> Index<'a> {
        let mut by_id = HashMap::with_capacity(items.len());
        let mut by_text: HashMap<&str, Vec<usize>> = HashMap::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            by_id.entry(item.id.as_str()).or_insert(i);
            by_text.entry(item.text.as_str()).or_default().push(i);
            if let Some(label) = item.label.as_deref().filter(|l| *l != item.text) {
                by_text.entry(label).or_default().push(i);
            }
        }
        Index {
            items,
            by_id,
            by_text,
        }
    }

    /// By id, then by exact text (or a field's label), among items `keep`
    /// accepts.
    fn find(&self, key: &str, keep: impl Fn(&Item) -> bool) -> Found<'a> {
        let key = key.trim();
        if let Some(&i) = self.by_id.get(key)
            && keep(self.items[i])
        {
            return Found::One(self.items[i]);
        }
        let by_text: Vec<usize> = self
            .by_text
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
            many => Found::Many(many.iter().map(|&i| self.items[i].id.clone()).collect()),
        }
    }
}

fn item_answer(item: &Item, raw: RawItem) -> Result<ItemAnswer, String> {
    let full = match raw {
        RawItem::Status(status) => RawFull {
            status: Some(status),
            note: None,
            reason: None,
            value: None,
            by: None,
        },
        RawItem::Full(full) => full,
    };
    let value = match &full.value {
        Some(value) => Some(scalar(value).ok_or("value: give a single value")?),
        None => None,
    };
    let status = match (&full.status, &value) {
        (Some(name), _) => Status::from_name(name).ok_or_else(|| {
            format!(
                "unknown status `{name}`; use done, failed, skipped, n/a, occurred or not-occurred"
            )
        })?,
        (None, Some(_)) => Status::Done,
        (None, None) => {
            return Err("give a status, as `done`, or {status: skipped, reason: ...}".to_string());
        }
    };
    let allowed: &[Status] = match item.kind {
        Kind::Check => &[
            Status::Done,
            Status::Failed,
            Status::Skipped,
            Status::NotApplicable,
        ],
        Kind::Trigger => &[
            Status::Occurred,
            Status::NotOccurred,
            Status::Skipped,
            Status::NotApplicable,
        ],
        Kind::Field => &[Status::Done, Status::Skipped, Status::NotApplicable],
        Kind::Signoff => return Err("a sign-off is answered under signoffs:, by role".to_string()),
    };
    if !allowed.contains(&status) {
        let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
        return Err(format!(
            "a {} takes {}, not `{}`",
            item.kind.as_str(),
            names.join(", "),
            status.as_str()
        ));
    }
    if item.kind == Kind::Field && status == Status::Done && value.is_none() {
        return Err("a field needs a value".to_string());
    }
    if matches!(status, Status::Skipped)
        && full.reason.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        return Err("skipping needs a reason: {status: skipped, reason: ...}".to_string());
    }
    if status == Status::NotApplicable
        && !item.optional
        && full.reason.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        return Err(
            "a required item is n/a only with a reason: {status: n/a, reason: ...}".to_string(),
        );
    }
    if status == Status::Occurred && full.note.is_none() && full.reason.is_none() {
        return Err("say what happened: {status: occurred, note: ...}".to_string());
    }
    if let Some(value) = &value
        && !item.choices.is_empty()
        && !item.choices.contains(value)
    {
        return Err(format!(
            "`{value}` is not one of {}",
            item.choices.join(", ")
        ));
    }
    Ok(ItemAnswer {
        status,
        note: full.note,
        reason: full.reason,
        value,
        by: full.by,
    })
}

fn scalar(value: &serde_yaml::Value) -> Option<String> {
    match value {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `file:line` of the first line that names `key`, for messages.
fn at(text: &str, display: &str, key: &str) -> String {
    text.lines()
        .position(|line| line.contains(key))
        .map_or_else(
            || display.to_string(),
            |line| format!("{display}:{}", line + 1),
        )
}

/// As [`at`], for a key under the top-level `section:`.
fn at_under(text: &str, display: &str, section: &str, key: &str) -> String {
    let start = text
        .lines()
        .position(|line| line.trim_end() == format!("{section}:"));
    match start {
        Some(start) => text
            .lines()
            .enumerate()
            .skip(start + 1)
            .find(|(_, line)| line.contains(key))
            .map_or_else(
                || display.to_string(),
                |(line, _)| format!("{display}:{}", line + 1),
            ),
        None => at(text, display, key),
    }
}

/// "; did you mean a, b?" with the nearest of `known`.
pub fn suggest(key: &str, known: &[String]) -> String {
    let mut scored: Vec<(usize, &String)> = known
        .iter()
        .map(|k| (strsim::levenshtein(key, k), k))
        .collect();
    scored.sort();
    let best = scored.first().map_or(0, |(d, _)| *d);
    let limit = (key.chars().count() / 3).max(3);
    let close: Vec<&str> = scored
        .iter()
        .take(3)
        .filter(|(d, _)| *d <= limit && *d <= best + 2)
        .map(|(_, k)| k.as_str())
        .collect();
    if close.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", close.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;
    use crate::source::Source;

    const LIST: &str = "# D\n## Do\n- **Ticket**: ___\n- [ ] Backup taken\n- [ ] Ship {{version}}\n### Rollback Triggers\n- [ ] Errors\n## Sign-off\n- **QA Lead**: [Name] - [Date]\n";

    fn answers(yaml: &str) -> anyhow::Result<Answers> {
        let checklist = parse(&Source::from_text("d.md", LIST)).checklist;
        let provenance = Provenance {
            kind: "answers-file".into(),
            path: Some("a.yaml".into()),
            sha256: None,
        };
        Answers::parse(yaml, "a.yaml", provenance, &checklist)
    }

    #[test]
    fn resolves_ids_texts_labels_variables_and_roles() {
        let a = answers(
            "values:\n  version: 1.2\n  Ticket: T-1\nitems:\n  do/backup-taken: done\n  Errors: {status: not-occurred}\nsignoffs:\n  qa lead: {name: Jo}\n",
        )
        .unwrap();
        assert_eq!(a.variables["version"], "1.2");
        assert_eq!(a.items["do/ticket"].value.as_deref(), Some("T-1"));
        assert_eq!(a.items["do/backup-taken"].status, Status::Done);
        assert_eq!(
            a.items["do/rollback-triggers/errors"].status,
            Status::NotOccurred
        );
        assert_eq!(a.signoffs["sign-off/qa-lead"].decision, Decision::Approve);
    }

    #[test]
    fn unknown_keys_are_errors_with_the_closest_ids() {
        let err = answers("items:\n  do/backup-tken: done\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.yaml:2: items.do/backup-tken is not an item id or text of D; did you mean do/backup-taken?"
        );
        let err = answers("signoffs:\n  CTO: {name: X}\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.yaml:2: signoffs.CTO is not a sign-off role of D; its roles: QA Lead"
        );
    }

    #[test]
    fn statuses_must_fit_the_kind_and_carry_reasons() {
        let err = answers("items:\n  Errors: done\n  Backup taken: skipped\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.yaml:3: items.Backup taken: skipping needs a reason: {status: skipped, reason: ...}\na.yaml:2: items.Errors: a trigger takes occurred, not-occurred, skipped, n/a, not `done`"
        );
        assert!(answers("nonsense: 1\n").is_err());
    }

    #[test]
    fn gates_are_waived_by_phase_id_or_title_with_a_reason() {
        let a =
            answers("gates:\n  do: \"flaky, OPS-12\"\n  Sign-off: {reason: ok, by: Jo}\n").unwrap();
        assert_eq!(
            a.gates["do"],
            GateWaiver {
                reason: "flaky, OPS-12".into(),
                by: None
            }
        );
        assert_eq!(a.gates["sign-off"].by.as_deref(), Some("Jo"));
        let err =
            answers("items:\n  Errors: not-occurred\ngates:\n  doo: x\n  Do: \" \"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.yaml:5: gates.Do: a waiver needs a reason\na.yaml:4: gates.doo is not a phase id or title of D; did you mean do?"
        );
    }

    #[test]
    fn an_item_answered_twice_is_an_error() {
        let err =
            answers("items:\n  do/backup-taken: done\n  do/backup-taken: failed\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("a.yaml:2:3: items: duplicate entry with key"),
            "{err}"
        );
        let err = answers("items:\n  do/backup-taken: done\n  Backup taken: failed\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.yaml:2: items.do/backup-taken: item do/backup-taken is answered twice"
        );
    }
}
