//! Go/no-go gates at the end of a phase: asked at a terminal, and in a
//! pipeline either waived by the answers file or the point where it stops.

use crate::prompt::{GateAnswer, GateView, Prompter, Reply};
use crate::record::{EventAction, Gate, GateDecision, ItemResult, Status};
use crate::template::fill;

use super::{Session, Undo};

impl Session<'_> {
    /// The items a gate is about, as a prompter shows them: text filled.
    fn gate_view_items(&self, phase: usize) -> Vec<ItemResult> {
        self.gate_items(phase)
            .into_iter()
            .map(|i| {
                let mut item = self.record.items[i].clone();
                item.text = fill(&item.text, &self.record.values).into();
                item
            })
            .collect()
    }

    pub(super) fn ask_gate(&mut self, phase: usize, prompter: &mut dyn Prompter) -> Reply<()> {
        // Someone is asked now: those waiting on the release hear of it.
        self.tell_gate_reached(phase);
        let items = self.gate_view_items(phase);
        let mut message = None;
        loop {
            let view = GateView {
                phase: self.checklist.phases[phase].title.clone(),
                items: items.clone(),
                message: message.take(),
            };
            let answer = match prompter.ask_gate(&view) {
                Reply::Answer(answer) => answer,
                other => return other.map(|_| ()),
            };
            let (decision, reason) = match answer {
                GateAnswer::Waive { reason } if reason.trim().is_empty() => {
                    message = Some("a waiver needs a reason".to_string());
                    continue;
                }
                GateAnswer::Waive { reason } => (GateDecision::Waive, Some(reason)),
                GateAnswer::Rollback { reason } => (
                    GateDecision::Rollback,
                    Some(reason).filter(|r| !r.trim().is_empty()),
                ),
                GateAnswer::Abort { reason } => (
                    GateDecision::Abort,
                    Some(reason).filter(|r| !r.trim().is_empty()),
                ),
                GateAnswer::Back => {
                    return match self.back() {
                        Some(_) => Reply::Answer(()),
                        None => {
                            message = Some(self.nothing_to_go_back_to());
                            continue;
                        }
                    };
                }
            };
            self.undo.push(Undo::new(self));
            let phase_id = self.checklist.phases[phase].id.clone();
            self.record.gates.push(Gate {
                phase: phase_id.clone(),
                decision,
                reason: reason.clone(),
                by: self.options.operator.clone(),
                at: self.clock.now(),
                items: items.iter().map(|i| i.id.to_string()).collect(),
                source: None,
            });
            self.event(
                EventAction::Gate,
                Some(phase_id.clone()),
                Some(format!(
                    "{}{}",
                    decision.as_str(),
                    reason.clone().map(|r| format!(": {r}")).unwrap_or_default()
                )),
            );
            return match decision {
                GateDecision::Waive | GateDecision::Stop => Reply::Answer(()),
                GateDecision::Rollback => {
                    self.call_rollback(format!("gate:{phase_id}"), reason);
                    Reply::Answer(())
                }
                GateDecision::Abort => Reply::Abort,
            };
        }
    }

    /// A pipeline's gate. Nobody is there to decide, so the decision is
    /// written down ahead: a waiver from the prompter (the answers file's
    /// `gates:`) lets the run go on, as one at the terminal would; any
    /// other answer stops it here. A stop is recorded as a gate, and every
    /// item still open after this phase as `not-run`, saying which gate.
    pub(super) fn pipeline_gate(&mut self, phase: usize, prompter: &mut dyn Prompter) -> Reply<()> {
        let items = self.gate_view_items(phase);
        let title = self.checklist.phases[phase].title.clone();
        let view = GateView {
            phase: title.clone(),
            items,
            message: None,
        };
        let waiver = match prompter.ask_gate(&view) {
            Reply::Answer(GateAnswer::Waive { reason }) if !reason.trim().is_empty() => {
                Some(reason)
            }
            Reply::Interrupted => return Reply::Interrupted,
            _ => None,
        };
        let source = prompter.answer_source().filter(|_| waiver.is_some());
        let by = prompter
            .answer_by()
            .filter(|_| waiver.is_some())
            .unwrap_or_else(|| self.options.operator.clone());
        let failing = gate_reason(&view.items);
        let (decision, reason) = match waiver {
            Some(reason) => (GateDecision::Waive, reason),
            None => (GateDecision::Stop, failing.clone()),
        };
        let phase_id = self.checklist.phases[phase].id.clone();
        let at = self.clock.now();
        self.record.gates.push(Gate {
            phase: phase_id.clone(),
            decision,
            reason: Some(reason.clone()),
            by,
            at,
            items: view.items.into_iter().map(|i| i.id.to_string()).collect(),
            source,
        });
        let word = if decision == GateDecision::Stop {
            "stop"
        } else {
            "waive"
        };
        self.event(
            EventAction::Gate,
            Some(phase_id),
            Some(format!("{word}: {reason}")),
        );
        if decision == GateDecision::Stop {
            let why = format!("stopped at the gate after phase \"{title}\": {failing}");
            for index in self.phase_items[phase].end..self.record.items.len() {
                let item = &mut self.record.items[index];
                if item.status == Status::Pending {
                    item.status = Status::NotRun;
                    item.rare.reason = Some(why.clone());
                    item.at = Some(at);
                    self.dirty.push(index);
                }
            }
        }
        Reply::Answer(())
    }
}

/// Why a gate is due, by the items that make it: `build/artifact failed,
/// build/tests skipped`; the first few, for a record's reasons stay short.
pub fn gate_reason(items: &[ItemResult]) -> String {
    const SHOWN: usize = 3;
    let mut reason = items
        .iter()
        .take(SHOWN)
        .map(|item| format!("{} {}", item.id, item.status.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        reason.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    reason
}
