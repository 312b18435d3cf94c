//! Fields the run fills in itself: what it knows better than anyone
//! typing it (when the deployment ran, how long it took, how it ended).
//! A sign-off sheet's "Outcome: Success / Rollback" asked of a person
//! could disagree with the record it sits in; filled from the run, it
//! cannot. Each is recorded as the run's (`source: {kind: run}`), so a
//! reader tells it from a typed answer, and the operator may still
//! correct it with `g` like any answer.

use chrono::{DateTime, Utc};

use crate::model::{Item, Kind, When};
use crate::record::{GateDecision, Provenance, Status};

use super::{Session, human_duration};

/// What a field asks that the run knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// The day the run started ("Deployment Date").
    StartDate,
    /// When the run started ("Deployment Time", "Start Time").
    StartTime,
    /// When the field is reached, after the work it records ("End Time").
    EndTime,
    /// From the run's start to the field ("Deployment Duration").
    Duration,
    /// Success or rollback, as the run went ("Outcome: Success / Rollback").
    Outcome,
}

/// The words that make a date, time or duration the execution's own, not
/// a review's or a plan's ("Review Date" is asked).
const EXECUTION: &[&str] = &[
    "deployment",
    "deploy",
    "release",
    "rollout",
    "launch",
    "go-live",
    "execution",
    "upgrade",
    "migration",
];

const SUCCESS: &[&str] = &[
    "success",
    "successful",
    "succeeded",
    "completed",
    "complete",
];
const ROLLBACK: &[&str] = &["rollback", "rolled back", "roll back", "rolled-back"];

/// What the run knows of `item`, when it is a field that asks for it and
/// the checklist gives it no default of its own. A bare "Date" or "Time"
/// is asked: it may be a planned day, not the run's.
pub fn fact(item: &Item) -> Option<Fact> {
    if item.kind != Kind::Field || item.rare.default.is_some() {
        return None;
    }
    let label = item.rare.label.as_deref().unwrap_or(&item.text).trim();
    let label = label.to_lowercase();
    let words: Vec<&str> = label.split_whitespace().collect();
    let (last, before) = words.split_last()?;
    let execution = match before {
        [] => false,
        [word] => EXECUTION.contains(word),
        _ => false,
    };
    let first = before.first().copied();
    match *last {
        "outcome" | "result" if outcome_choices(&item.rare.choices).is_some() => {
            Some(Fact::Outcome)
        }
        "duration" if before.is_empty() || execution => Some(Fact::Duration),
        "date" if execution || first == Some("start") => Some(Fact::StartDate),
        "time" if execution || first == Some("start") => Some(Fact::StartTime),
        "time" if matches!(first, Some("end" | "finish" | "completion")) => Some(Fact::EndTime),
        _ => None,
    }
}

/// The choices that say success and rollback, when both are there.
fn outcome_choices(choices: &[String]) -> Option<(&String, &String)> {
    let says =
        |words: &[&str], choice: &String| words.contains(&choice.trim().to_lowercase().as_str());
    let success = choices.iter().find(|c| says(SUCCESS, c))?;
    let rollback = choices.iter().find(|c| says(ROLLBACK, c))?;
    Some((success, rollback))
}

/// The value of `fact` for a run that started at `started`, is at `now`
/// and has or has not called a rollback. Times are UTC, as the record's.
pub fn value(
    fact: Fact,
    item: &Item,
    started: DateTime<Utc>,
    now: DateTime<Utc>,
    rolled_back: bool,
) -> Option<String> {
    Some(match fact {
        Fact::StartDate => started.format("%Y-%m-%d").to_string(),
        Fact::StartTime => started.format("%H:%M UTC").to_string(),
        Fact::EndTime => now.format("%H:%M UTC").to_string(),
        Fact::Duration => human_duration((now - started).num_milliseconds().max(0) as f64 / 1000.0),
        Fact::Outcome => {
            let (success, rollback) = outcome_choices(&item.rare.choices)?;
            if rolled_back { rollback } else { success }.clone()
        }
    })
}

/// Whether a field asks who carried the work out ("Deployed By",
/// "Released By", "Deployer"): the run's operator is offered, not filled
/// in, since the person at the keyboard need not be the one who deployed.
pub fn asks_who_executed(item: &Item) -> bool {
    if item.kind != Kind::Field || item.rare.default.is_some() || !item.rare.choices.is_empty() {
        return false;
    }
    let label = item
        .rare
        .label
        .as_deref()
        .unwrap_or(&item.text)
        .trim()
        .to_lowercase();
    match label.split_whitespace().collect::<Vec<_>>()[..] {
        [done, "by"] => [
            "deployed",
            "released",
            "executed",
            "performed",
            "launched",
            "rolled-out",
            "upgraded",
            "migrated",
        ]
        .contains(&done),
        [one] => matches!(one, "deployer" | "releaser"),
        _ => false,
    }
}

impl Session<'_> {
    /// Fills the field at `index` from the run when it asks what the run
    /// knows and is still open; whether it did. Not undoable with `b`: it
    /// would be filled again at once, and `b` could never get past it.
    ///
    /// An item the operator went to with `g` or `/` is asked instead, the
    /// run's value offered: reached out of turn, an outcome or a duration
    /// would be filled before the work it records was done.
    pub(super) fn fill_from_run(&mut self, index: usize) -> bool {
        if self.record.items[index].status != Status::Pending || self.focus == Some(index) {
            return false;
        }
        let Some(value) = self.run_value(index) else {
            return false;
        };
        self.write_run_answer(index, value, "filled in");
        true
    }

    /// Writes `value` as the field's answer from the run (`source: {kind:
    /// run}`), kept in the run's values. Nobody typed it, so nobody saw
    /// it: the end of the run says it, `how` ("filled in", "filled in
    /// again") first.
    pub(super) fn write_run_answer(&mut self, index: usize, value: String, how: &str) {
        let item = self.item(index);
        self.answer_source = Some(Provenance {
            kind: "run".to_string(),
            path: None,
            sha256: None,
        });
        self.answer_by = None;
        self.write_answer(index, Status::Done, Some(value.clone()), None, None);
        self.answer_source = None;
        let label = item.rare.label.as_deref().unwrap_or(&item.text);
        self.notes
            .push(format!("{label} {how} from the run: {value}"));
        self.record.values.insert(super::field_name(item), value);
    }

    /// Whether every required item before `index` went well: done, not
    /// occurred, not needed, not applicable, or waived at a gate.
    fn clean_before(&self, index: usize) -> bool {
        let waived: std::collections::HashSet<&str> = self
            .record
            .gates
            .iter()
            .filter(|gate| gate.decision == GateDecision::Waive)
            .flat_map(|gate| gate.items.iter().map(String::as_str))
            .collect();
        let rollback = self.record.rollback.is_some();
        self.record.items[..index]
            .iter()
            .enumerate()
            .all(|(i, item)| {
                // Rollback steps of a run that called none are not needed,
                // though only marked so when the run ends.
                let not_for_this_run = match self.place(i).1 {
                    When::Rollback => !rollback,
                    When::Success => rollback,
                    When::Always => false,
                };
                item.optional
                    || not_for_this_run
                    || waived.contains(item.id.as_ref())
                    || matches!(
                        item.status,
                        Status::Done
                            | Status::NotOccurred
                            | Status::NotNeeded
                            | Status::NotApplicable
                    )
            })
    }

    /// What a field the run knows something of offers when it is asked:
    /// the operator for who deployed, the run's value for one reached with
    /// `g`.
    pub(super) fn offered(&self, index: usize) -> Option<String> {
        if asks_who_executed(self.item(index)) {
            return Some(self.options.operator.clone());
        }
        self.run_value(index)
    }

    /// What the run would fill the field at `index` in with, now. An
    /// outcome is the run's only once it is plain: a rollback was called,
    /// or every required item before it is done (or waived). A run with
    /// items still open or failed is not yet a success, so it is asked.
    pub(super) fn run_value(&self, index: usize) -> Option<String> {
        let item = self.item(index);
        let fact = fact(item)?;
        if fact == Fact::Outcome && self.record.rollback.is_none() && !self.clean_before(index) {
            return None;
        }
        value(
            fact,
            item,
            self.record.run.started,
            self.clock.now(),
            self.record.rollback.is_some(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ItemRare, Rare};
    use chrono::TimeZone;

    fn field(label: &str, choices: &[&str]) -> Item {
        Item {
            id: "x".into(),
            kind: Kind::Field,
            text: label.into(),
            markdown: crate::model::Markdown::default(),
            line: 1,
            optional: false,
            depth: 0,
            parent: None,
            rare: Rare::of(ItemRare {
                label: Some(label.into()),
                choices: choices.iter().map(|c| c.to_string()).collect(),
                ..ItemRare::default()
            }),
        }
    }

    #[test]
    fn the_execution_fields_are_the_runs_and_the_rest_are_asked() {
        let cases: &[(&str, &[&str], Option<Fact>)] = &[
            ("Deployment Date", &[], Some(Fact::StartDate)),
            ("Deployment Time", &[], Some(Fact::StartTime)),
            ("Start Time", &[], Some(Fact::StartTime)),
            ("End Time", &[], Some(Fact::EndTime)),
            ("Deployment Duration", &[], Some(Fact::Duration)),
            ("Duration", &[], Some(Fact::Duration)),
            ("Outcome", &["Success", "Rollback"], Some(Fact::Outcome)),
            (
                "Release Result",
                &["Completed", "Rolled back"],
                Some(Fact::Outcome),
            ),
            // Asked: a person's name, a review's day, a plan's day, and an
            // outcome whose choices the run cannot tell apart.
            ("Deployed By", &[], None),
            ("Review Date", &[], None),
            ("Date", &[], None),
            ("Time", &[], None),
            ("Outcome", &["Good", "Bad"], None),
            ("Outcome", &[], None),
        ];
        for (label, choices, expected) in cases {
            assert_eq!(fact(&field(label, choices)), *expected, "{label}");
        }
        let mut preset = field("Deployment Date", &[]);
        preset.rare.default = Some("2026-01-02".into());
        assert_eq!(fact(&preset), None, "the checklist's own value stands");
    }

    #[test]
    fn who_deployed_is_offered_the_operator_not_filled_in() {
        for label in ["Deployed By", "Released By", "Deployer"] {
            assert!(asks_who_executed(&field(label, &[])), "{label}");
            assert_eq!(fact(&field(label, &[])), None, "{label}");
        }
        for label in ["Reviewed By", "Owner", "Deployed"] {
            assert!(!asks_who_executed(&field(label, &[])), "{label}");
        }
    }

    #[test]
    fn values_come_from_the_run() {
        let started = Utc.with_ymd_and_hms(2026, 3, 4, 9, 5, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 3, 4, 10, 17, 30).unwrap();
        let item = field("Outcome", &["Success", "Rollback"]);
        let of = |fact, rolled_back| value(fact, &item, started, now, rolled_back).unwrap();
        assert_eq!(of(Fact::StartDate, false), "2026-03-04");
        assert_eq!(of(Fact::StartTime, false), "09:05 UTC");
        assert_eq!(of(Fact::EndTime, false), "10:17 UTC");
        assert_eq!(of(Fact::Duration, false), "1 h 12 min");
        assert_eq!(of(Fact::Outcome, false), "Success");
        assert_eq!(of(Fact::Outcome, true), "Rollback");
    }
}
