//! The moments of a run that people outside it watch for: it started,
//! reached a gate, called a rollback, waits for a sign-off, finished. The
//! session names them as they happen; what is done with them (a message
//! posted to a web hook, say) is the runner's business, so the engine stays
//! free of network code and of anything that could slow it.

use chrono::{DateTime, Utc};

use crate::record::{EventAction, GateDecision, Outcome, Record};

use super::Session;

/// One lifecycle moment. Texts are as the record keeps them: untrusted,
/// for the observer to escape for wherever it sends them.
#[derive(Debug, Clone, PartialEq)]
pub enum Moment {
    /// The run began, or went on after a stop (`resumed`).
    Started { resumed: bool },
    /// A go/no-go gate after `phase`: reached (`decision` none, a person
    /// is asked) or decided.
    Gate {
        phase: String,
        title: String,
        decision: Option<GateDecision>,
        reason: Option<String>,
    },
    /// The first call of a rollback: `cause` is a trigger's id,
    /// `gate:<phase>` or `operator`.
    RollbackCalled {
        cause: String,
        reason: Option<String>,
    },
    /// A sign-off item is reached and waits for its signer.
    SignoffWaiting {
        item: String,
        text: String,
        role: Option<String>,
    },
    /// The run ended with `outcome`.
    Finished { outcome: Outcome },
}

/// Hears of each [`Moment`]. It must return at once: whatever it does
/// that takes time (a network post) happens elsewhere.
pub trait Observer {
    fn moment(&mut self, moment: &Moment, at: DateTime<Utc>, record: &Record);

    /// What went wrong with earlier moments since the last call, one line
    /// each, for the record's log (`notify-failed`).
    fn failures(&mut self) -> Vec<String> {
        Vec::new()
    }
}

impl Session<'_> {
    /// `observer` hears of the run's moments from now on.
    pub fn observe(&mut self, observer: Box<dyn Observer>) {
        self.observer = Some(observer);
    }

    pub(super) fn tell(&mut self, moment: Moment) {
        if let Some(observer) = &mut self.observer {
            observer.moment(&moment, self.clock.now(), &self.record);
        }
    }

    /// The moment an event in the log stands for, if it is one.
    pub(super) fn tell_event(&mut self, action: EventAction) {
        if self.observer.is_none() {
            return;
        }
        let moment = match action {
            // Both kinds of gate push their decision before logging it.
            EventAction::Gate => match self.record.gates.last() {
                Some(gate) => Moment::Gate {
                    phase: gate.phase.clone(),
                    title: self.phase_title(&gate.phase),
                    decision: Some(gate.decision),
                    reason: gate.reason.clone(),
                },
                None => return,
            },
            EventAction::Rollback => match &self.record.rollback {
                Some(rollback) => Moment::RollbackCalled {
                    cause: rollback.cause.clone(),
                    reason: rollback.reason.clone(),
                },
                None => return,
            },
            EventAction::Finish => Moment::Finished {
                outcome: self.record.run.outcome,
            },
            _ => return,
        };
        self.tell(moment);
    }

    pub(super) fn tell_gate_reached(&mut self, phase: usize) {
        if self.observer.is_none() {
            return;
        }
        let reason = super::gate_reason(
            &self
                .gate_items(phase)
                .into_iter()
                .map(|i| self.record.items[i].clone())
                .collect::<Vec<_>>(),
        );
        let phase = &self.checklist.phases[phase];
        self.tell(Moment::Gate {
            phase: phase.id.clone(),
            title: phase.title.clone(),
            decision: None,
            reason: Some(reason),
        });
    }

    /// The run began, or went on after a stop: the log says which.
    pub(super) fn tell_started(&mut self) {
        let resumed = self
            .record
            .events
            .iter()
            .any(|e| e.action == EventAction::Resume);
        self.tell(Moment::Started { resumed });
    }

    /// Once per sign-off item reached, however often it is asked again.
    pub(super) fn tell_signoff_waiting(&mut self, index: usize) {
        if self.observer.is_none()
            || self.signoff_told == Some(index)
            || self.item(index).kind != crate::model::Kind::Signoff
        {
            return;
        }
        self.signoff_told = Some(index);
        let item = &self.record.items[index];
        let moment = Moment::SignoffWaiting {
            item: item.id.to_string(),
            text: crate::template::fill(&item.text, &self.record.values),
            role: item.rare.role.clone(),
        };
        self.tell(moment);
    }

    /// Failures the observer reported, logged as `notify-failed` events.
    /// True when there were any.
    pub(super) fn log_observer_failures(&mut self) -> bool {
        let failures = match &mut self.observer {
            Some(observer) => observer.failures(),
            None => return false,
        };
        let any = !failures.is_empty();
        for failure in failures {
            self.event(EventAction::NotifyFailed, None, Some(failure));
        }
        any
    }

    /// After the run: logs what the observer reported since the last save
    /// and saves the record whole again if there was anything.
    pub fn settle_observer(&mut self, sink: &mut dyn crate::record::Sink) -> anyhow::Result<()> {
        if self.log_observer_failures() {
            crate::record::seal(&mut self.record);
            sink.save(&self.record)?;
        }
        Ok(())
    }

    fn phase_title(&self, id: &str) -> String {
        self.checklist
            .phases
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| id.to_string(), |p| p.title.clone())
    }
}
