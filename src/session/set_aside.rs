//! After the way back: a phase of the release with steps still open is
//! set aside or walked, as the operator says. Nothing guesses which open
//! steps belonged to the release and which to a wrap-up the rollback does
//! not end (a rule by position recorded falsehoods: docs/RECORD.md).

use crate::model::{Item, Kind, When};
use crate::prompt::{AfterRollback, Prompter, Reply, SetAsideView};
use crate::record::{EventAction, SET_ASIDE, Status};

use super::{Session, Undo};

/// Fields and required sign-offs are answered one by one, never in bulk:
/// a value or an approval is not given for a whole section (`A`) or phase.
pub(super) fn one_by_one(item: &Item) -> bool {
    item.kind == Kind::Field || (item.kind == Kind::Signoff && !item.optional)
}

impl Session<'_> {
    /// Whether the run asks about `phase` before its next open step: a
    /// rollback was called and its way back is walked (`next_step` gives
    /// every open rollback step before any other), someone is there to
    /// say, and the phase has steps `s` would set aside that the operator
    /// has not chosen to walk.
    pub(super) fn set_aside_due(&self, phase: usize) -> bool {
        self.record.rollback.is_some()
            && !self.options.unattended
            && !self.walked.contains(&phase)
            && self.phase_items[phase]
                .clone()
                .any(|i| self.set_aside_target(i))
    }

    /// Whether setting its phase aside answers item `i`: an open step of
    /// the release, not a field or a required sign-off.
    fn set_aside_target(&self, i: usize) -> bool {
        self.open_in_release(i) && !one_by_one(self.item(i))
    }

    /// Whether item `i` is a step of the release (not of the way back or
    /// for success alone) that is still open.
    fn open_in_release(&self, i: usize) -> bool {
        self.record.items[i].status == Status::Pending
            && !self.deferred.contains(&i)
            && self.place(i).1 == When::Always
    }

    pub(super) fn ask_set_aside(&mut self, phase: usize, prompter: &mut dyn Prompter) -> Reply<()> {
        let targets: Vec<usize> = self.phase_items[phase]
            .clone()
            .filter(|&i| self.set_aside_target(i))
            .collect();
        // Fields the run fills itself (the outcome, the date) are not
        // asked at all.
        let one_by_one = self.phase_items[phase]
            .clone()
            .filter(|&i| {
                self.open_in_release(i) && one_by_one(self.item(i)) && self.run_value(i).is_none()
            })
            .count();
        let phase_id = self.checklist.phases[phase].id.clone();
        let mut message = None;
        loop {
            let view = SetAsideView {
                phase: self.checklist.phases[phase].title.clone(),
                outcome: self.record.run.outcome,
                open: targets.iter().map(|&i| self.name(i)).collect(),
                one_by_one,
                message: message.take(),
            };
            let answer = match prompter.ask_set_aside(&view) {
                Reply::Answer(answer) => answer,
                other => return other.map(|_| ()),
            };
            match answer {
                AfterRollback::Back => {
                    if self.back().is_some() {
                        return Reply::Answer(());
                    }
                    message = Some(self.nothing_to_go_back_to());
                }
                AfterRollback::Walk => {
                    // `b` at the phase's first step asks this again.
                    let mut undo = Undo::new(self);
                    undo.walked.push(phase);
                    undo.about = Some((phase_id.clone(), format!("the choice to walk {phase_id}")));
                    self.undo.push(undo);
                    self.walked.push(phase);
                    // Logged as the set-aside is, so the undo that may
                    // follow takes back something the log holds.
                    self.event(
                        EventAction::SetAside,
                        Some(phase_id.clone()),
                        Some(format!(
                            "not set aside: {} {} walked one by one",
                            targets.len(),
                            if targets.len() == 1 { "step" } else { "steps" }
                        )),
                    );
                    return Reply::Answer(());
                }
                AfterRollback::SetAside => {
                    let count = targets.len();
                    let mut undo = Undo::new(self);
                    undo.items = targets
                        .iter()
                        .map(|&i| (i, self.record.items[i].clone()))
                        .collect();
                    undo.about = Some((
                        phase_id.clone(),
                        format!(
                            "the set-aside of {phase_id} ({count} {})",
                            if count == 1 { "answer" } else { "answers" }
                        ),
                    ));
                    self.undo.push(undo);
                    self.event(
                        EventAction::SetAside,
                        Some(phase_id.clone()),
                        Some(format!(
                            "{count} {} {}: {SET_ASIDE}",
                            if count == 1 { "item" } else { "items" },
                            Status::NotApplicable.as_str()
                        )),
                    );
                    for i in targets {
                        self.write_answer(
                            i,
                            Status::NotApplicable,
                            None,
                            None,
                            Some(SET_ASIDE.to_string()),
                        );
                    }
                    return Reply::Answer(());
                }
            }
        }
    }
}
