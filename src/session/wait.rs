//! Waits and monitoring periods: saved as they begin, so a stopped run goes
//! on with the time left; the keys a wait takes; notes.

use std::time::Duration;

use crate::prompt::{Prompter, Reply, WaitEnd, WaitView};
use crate::record::{EventAction, Sink, Status, Wait};

use super::{Applied, Session, Undo, human_duration};

impl Session<'_> {
    /// `w`: the wait begins and is saved before any time is counted, so a
    /// run stopped during it goes on with the time left.
    pub(super) fn start_wait(&mut self, index: usize) -> Applied {
        let Some(seconds) = self.item(index).rare.wait_seconds else {
            return Applied::Again {
                message: Some("this item asks for no wait".to_string()),
                suggested: None,
            };
        };
        let started = self.clock.now();
        self.dirty.push(index);
        self.record.items[index].rare.wait = Some(Box::new(Wait {
            requested_seconds: seconds,
            waited_seconds: 0.0,
            cut_short: false,
            started: Some(started),
            ended: None,
        }));
        let id = self.record.items[index].id.to_string();
        self.event(
            EventAction::Wait,
            Some(id),
            Some(format!("started, {seconds} s")),
        );
        // Saved by the run loop; the item comes back with the wait under way.
        Applied::Moved
    }

    pub(super) fn wait_under_way(&self, index: usize) -> bool {
        self.record.items[index]
            .rare
            .wait
            .as_ref()
            .is_some_and(|wait| wait.started.is_some() && wait.ended.is_none())
    }

    /// Counts down what is left of the wait, measured from when it began,
    /// and takes what the operator says during it.
    /// `sink` keeps each note durable as it is added: a wait can last an
    /// hour, and a note made during it must survive a kill.
    pub(super) fn run_wait(
        &mut self,
        index: usize,
        prompter: &mut dyn Prompter,
        sink: &mut dyn Sink,
    ) -> anyhow::Result<Applied> {
        let (requested, started) = match self.record.items[index].rare.wait.as_deref() {
            Some(Wait {
                requested_seconds,
                started: Some(started),
                ..
            }) => (*requested_seconds, *started),
            _ => {
                return Ok(Applied::Again {
                    message: None,
                    suggested: None,
                });
            }
        };
        loop {
            let elapsed = (self.clock.now() - started).num_milliseconds().max(0) as u64;
            let left =
                Duration::from_secs(requested).saturating_sub(Duration::from_millis(elapsed));
            let end = if left.is_zero() {
                WaitEnd::Elapsed
            } else {
                let view = WaitView {
                    requested: Duration::from_secs(requested),
                    left,
                    item: self.view(index, None, None),
                };
                match prompter.wait(&view, self.interrupted) {
                    Reply::Answer(end) => end,
                    // The wait stays under way in the record: resume goes on.
                    other => return Ok(Applied::Stop(other.map(|_| ()))),
                }
            };
            if let WaitEnd::Note(note) = &end {
                self.add_note(index, note);
                self.save(sink, false)?;
                continue;
            }
            let waited = self.end_wait(index, !matches!(end, WaitEnd::Elapsed));
            let waited = format!(
                "{} of {}",
                human_duration(waited),
                human_duration(requested as f64)
            );
            return Ok(match end {
                // What was watched has a number: that, not the time, says
                // how it went.
                WaitEnd::Elapsed | WaitEnd::Note(_) if self.item(index).rare.measure.is_some() => {
                    Applied::Again {
                        message: Some(format!("waited {waited}: give the measured value")),
                        suggested: None,
                    }
                }
                WaitEnd::Elapsed | WaitEnd::Note(_) => Applied::Again {
                    message: Some(format!("waited {waited}: Enter marks it done")),
                    suggested: Some(Status::Done),
                },
                // No default: the operator says how it went.
                WaitEnd::CutShort => Applied::Again {
                    message: Some(format!("wait cut short after {waited}: y done or n failed")),
                    suggested: None,
                },
                WaitEnd::Failed { note } => {
                    self.settle(index, Status::Failed, None, note, None);
                    Applied::Settled
                }
                WaitEnd::Rollback { reason } if reason.trim().is_empty() => Applied::Again {
                    message: Some(format!(
                        "wait stopped after {waited}; calling a rollback needs a reason"
                    )),
                    suggested: None,
                },
                WaitEnd::Rollback { reason } => {
                    self.undo.push(Undo::new(self));
                    self.call_rollback("operator".to_string(), Some(reason));
                    Applied::Moved
                }
            });
        }
    }

    /// The wait is over: how long it lasted, in seconds.
    pub(super) fn end_wait(&mut self, index: usize, cut_short: bool) -> f64 {
        let now = self.clock.now();
        self.dirty.push(index);
        let id = self.record.items[index].id.to_string();
        let Some(wait) = self.record.items[index].rare.wait.as_mut() else {
            return 0.0;
        };
        let started = wait.started.unwrap_or(now);
        let waited = (now - started).num_milliseconds().max(0) as f64 / 1000.0;
        wait.waited_seconds = waited;
        wait.cut_short = cut_short;
        wait.ended = Some(now);
        let requested = wait.requested_seconds;
        self.event(
            EventAction::Wait,
            Some(id),
            Some(format!(
                "{waited:.0} s of {requested} s{}",
                if cut_short { ", cut short" } else { "" }
            )),
        );
        waited
    }

    pub(super) fn add_note(&mut self, index: usize, note: &str) {
        let note = note.trim().to_string();
        if note.is_empty() {
            return;
        }
        self.dirty.push(index);
        let result = &mut self.record.items[index];
        result.rare.note = Some(match result.rare.note.take() {
            Some(previous) => format!("{previous}\n{note}"),
            None => note.clone(),
        });
        let id = result.id.to_string();
        self.event(EventAction::Note, Some(id), Some(note));
    }
}
