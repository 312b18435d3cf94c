//! An answer applied to an item: checked against the item's kind, written
//! with who and when (or as a correction), a sign-off bound, a command run.

use crate::record::PartMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::exec::{self, Executor};
use crate::model::Kind;
use crate::prompt::{Action, Prompter, Reply, SignoffAnswer};
use crate::record::{CommandRun, Decision, EventAction, ItemResult, Signoff, Status};

use super::{Applied, Session, Undo, field_name};

impl Session<'_> {
    pub(super) fn apply(
        &mut self,
        index: usize,
        action: Action,
        prompter: &mut dyn Prompter,
        executor: &dyn Executor,
    ) -> Applied {
        let item = self.item(index);
        let kind = item.kind;
        let again = |message: &str| Applied::Again {
            message: Some(message.to_string()),
            suggested: None,
        };
        // A measured item's yes or no is a person's word against the
        // number: held to the same rules as any answer to it.
        let action = match action {
            Action::Done { note } if item.rare.measure.is_some() => Action::Measured {
                value: None,
                status: Some(Status::Done),
                note,
            },
            Action::Failed { note } if item.rare.measure.is_some() => Action::Measured {
                value: None,
                status: Some(Status::Failed),
                note,
            },
            Action::Occurred { what } if item.rare.measure.is_some() => Action::Measured {
                value: None,
                status: Some(Status::Occurred),
                note: Some(what),
            },
            Action::NotOccurred if item.rare.measure.is_some() => Action::Measured {
                value: None,
                status: Some(Status::NotOccurred),
                note: None,
            },
            other => other,
        };
        // Each kind takes its own answers; the rest is a prompter's mistake
        // or a stray answers-file entry, said back rather than recorded.
        match (&action, kind) {
            (Action::Signoff(_), Kind::Signoff) | (Action::Value(_), Kind::Field) => {}
            (Action::Signoff(_), _) => return again("only a sign-off is signed"),
            (Action::Value(_), _) => return again("only a field takes a value"),
            (Action::Done { .. } | Action::Failed { .. }, Kind::Signoff) => {
                return again("a sign-off is answered with a name and approve or reject");
            }
            (Action::Done { .. } | Action::Failed { .. }, Kind::Field) => {
                return again("a field is answered with a value");
            }
            _ => {}
        }
        match action {
            Action::Done { note } => {
                if kind == Kind::Trigger {
                    return again("a trigger is answered y (it happened) or n (it did not)");
                }
                self.settle(index, Status::Done, None, note, None);
            }
            Action::Failed { note } => {
                if kind == Kind::Trigger {
                    return again("a trigger is answered y (it happened) or n (it did not)");
                }
                self.settle(index, Status::Failed, None, note, None);
            }
            Action::Skip { reason } => {
                if reason.trim().is_empty() {
                    return again("skipping needs a reason");
                }
                self.settle(index, Status::Skipped, None, None, Some(reason));
            }
            Action::NotApplicable { reason } => {
                let reason = reason.filter(|r| !r.trim().is_empty());
                if reason.is_none() && !item.optional {
                    return again("a required item is not applicable only with a reason");
                }
                self.settle(index, Status::NotApplicable, None, None, reason);
            }
            Action::Occurred { what } => {
                if kind != Kind::Trigger {
                    return again("only a trigger can occur");
                }
                let what = what.trim().to_string();
                if what.is_empty() {
                    return again("say what happened");
                }
                self.settle(index, Status::Occurred, None, Some(what.clone()), None);
                self.call_rollback(item.id.to_string(), Some(what));
            }
            Action::NotOccurred => {
                if kind != Kind::Trigger {
                    return again("only a trigger is answered not-occurred");
                }
                if self.record.items[index].status == Status::Occurred {
                    return again(
                        "this trigger called a rollback, which stands; b right after the call undoes it",
                    );
                }
                self.settle(index, Status::NotOccurred, None, None, None);
            }
            Action::Value(value) => {
                let value = value.trim().to_string();
                if value.is_empty() && !item.optional {
                    return again("a value is required");
                }
                if let Some(problem) = super::too_long(&value) {
                    return again(&problem);
                }
                if !item.rare.choices.is_empty() && !item.rare.choices.iter().any(|c| c == &value) {
                    return again(&format!("choose one of: {}", item.rare.choices.join(", ")));
                }
                let name = field_name(item);
                let previous = self.record.values.get(&name).cloned();
                self.settle(index, Status::Done, Some(value.clone()), None, None);
                if let Some(undo) = self.undo.last_mut() {
                    undo.values.push((name.clone(), previous));
                }
                self.record.values.insert(name, value);
            }
            Action::Measured {
                value,
                status,
                note,
            } => return self.apply_measured(index, value, status, note, prompter),
            Action::Signoff(answer) => return self.sign(index, answer),
            Action::Note(note) => {
                self.add_note(index, &note);
                return Applied::Again {
                    message: Some("note added".to_string()),
                    suggested: None,
                };
            }
            Action::RunCommand => return self.run_command(index, prompter, executor),
            Action::Wait => return self.start_wait(index),
            Action::Back => {
                return match self.back() {
                    Some(_) => Applied::Settled,
                    None => again(&self.nothing_to_go_back_to()),
                };
            }
            Action::Rollback { reason } => {
                if self.record.rollback.is_some() {
                    return again("a rollback is already called");
                }
                if reason.trim().is_empty() {
                    return again("calling a rollback needs a reason");
                }
                self.undo.push(Undo::new(self));
                self.call_rollback("operator".to_string(), Some(reason));
                // The item itself is not answered: with rollback steps they
                // come next, and without them the run has ended.
                return Applied::Moved;
            }
            Action::Pending => {
                // Only an unattended prompter leaves an item open; the run
                // moves past it and the item stays pending in the record.
                self.deferred.insert(index);
            }
            Action::Overview => {
                let overview = self.overview(index);
                return match prompter.overview(&overview) {
                    Reply::Answer(()) => Applied::Again {
                        message: None,
                        suggested: None,
                    },
                    other => Applied::Stop(other),
                };
            }
            Action::GoTo(target) => return self.go_to(index, &target),
            Action::Search(text) => return self.search(index, &text),
            Action::Bulk { status, reason } => return self.bulk(index, status, reason),
        }
        Applied::Settled
    }

    /// Records an answer for an item, keeping what it replaced for `b`.
    pub(super) fn settle(
        &mut self,
        index: usize,
        status: Status,
        value: Option<String>,
        note: Option<String>,
        reason: Option<String>,
    ) {
        // `b` is a key at a terminal; an unattended run never goes back,
        // and a copy of every item it answers would be kept for nothing.
        if !self.options.unattended {
            let mut undo = Undo::new(self);
            undo.items.push((index, self.record.items[index].clone()));
            self.undo.push(undo);
        }
        self.write_answer(index, status, value, note, reason);
    }

    /// `value` as the answer before's own (`field` of its result) when it
    /// is the same, else `make`'s: a run's answers share one signer's name
    /// and one answers file's provenance, not a copy each (100,000 copies
    /// in a long pipeline).
    fn shared_with_last<T: PartialEq + ?Sized>(
        &self,
        field: impl Fn(&ItemResult) -> Option<&Arc<T>>,
        value: &T,
        make: impl FnOnce() -> Arc<T>,
    ) -> Arc<T> {
        self.last_answered
            .and_then(|last| field(&self.record.items[last]))
            .filter(|shared| ***shared == *value)
            .map(Arc::clone)
            .unwrap_or_else(make)
    }

    /// The answer itself, and its event: `answer`, or `correct` when the
    /// item had an answer already (the log keeps the old one too).
    pub(super) fn write_answer(
        &mut self,
        index: usize,
        status: Status,
        value: Option<String>,
        note: Option<String>,
        reason: Option<String>,
    ) {
        let was = self.record.items[index].status;
        let was_value = self.record.items[index].rare.value.clone();
        let at = self.clock.now();
        let by = self.answer_by.as_deref().unwrap_or(&self.options.operator);
        let by = self.shared_with_last(|item| item.by.as_ref(), by, || by.into());
        let source = self.answer_source.as_ref().map(|given| {
            self.shared_with_last(
                |item| item.source.as_ref(),
                given,
                || Arc::new(given.clone()),
            )
        });
        self.dirty.push(index);
        self.values_dirty |= value.is_some();
        let result = &mut self.record.items[index];
        result.source = source;
        result.status = status;
        result.rare.value = value.clone();
        result.by = Some(by);
        result.at = Some(at);
        if let Some(note) = note.filter(|n| !n.trim().is_empty()) {
            result.rare.note = Some(match result.rare.note.take() {
                Some(previous) if previous != note => format!("{previous}\n{note}"),
                _ => note,
            });
        }
        result.rare.reason = reason.clone();
        result.rare.tidy();
        let id = result.id.to_string();
        let detail = match (&value, &reason) {
            (None, Some(reason)) => format!("{}: {reason}", status.as_str()),
            _ => said(status, value.as_deref()),
        };
        self.last_answered = Some(index);
        // A first answer is written in its item (status, value, by, at)
        // and nowhere else: the log keeps what the items cannot, an answer
        // replaced. Logging every answer too wrote each item's id twice
        // and made a long record twice the size (docs/RECORD.md, "Size").
        if was.is_answered() {
            let before = said(was, was_value.as_deref());
            self.event(
                EventAction::Correct,
                Some(id),
                Some(format!("was {before}, now {detail}")),
            );
        }
        if self.record.rollback.is_some() {
            self.refresh_rollback_outcome();
        }
    }

    pub(super) fn sign(&mut self, index: usize, answer: SignoffAnswer) -> Applied {
        // Past the sign-offs a record holds the record could not be read
        // again (`relcheck sign` added some, or a changed checklist gave
        // more sign-off items): the item stays open, saying why.
        if self.record.signoffs.len() >= crate::record::MAX_SIGNOFFS {
            return Applied::Again {
                message: Some(format!(
                    "the record holds {} sign-offs, as many as relcheck reads in one; this sign-off cannot be added",
                    crate::source::thousands(self.record.signoffs.len())
                )),
                suggested: None,
            };
        }
        let item = self.item(index);
        let name = answer.name.trim().to_string();
        if name.is_empty() {
            return Applied::Again {
                message: Some("a sign-off needs a name".to_string()),
                suggested: None,
            };
        }
        // The checklist's separation of duties holds during the run as it
        // does for `relcheck sign`: an approval that can never satisfy it
        // is not taken (a pipeline leaves the item pending, with the why).
        if let Some(why) = crate::sign::refusal_by_name(&self.record, answer.decision, &name) {
            return Applied::Again {
                message: Some(format!(
                    "{why}; someone else must give this sign-off (`relcheck sign --force` records an exception)"
                )),
                suggested: None,
            };
        }
        let status = match answer.decision {
            Decision::Approve => Status::Done,
            Decision::Reject => Status::Failed,
        };
        self.settle(
            index,
            status,
            Some(name.clone()),
            answer.comment.clone(),
            None,
        );
        let mut signoff = Signoff {
            role: item
                .rare
                .role
                .clone()
                .unwrap_or_else(|| item.text.to_string()),
            name,
            decision: answer.decision,
            comment: answer.comment.filter(|c| !c.trim().is_empty()),
            at: self.clock.now(),
            item: Some(item.id.to_string()),
            forced: None,
            digest: None,
            parts: PartMap::new(),
            dropped: Vec::new(),
            signature: None,
            source: self.answer_source.clone(),
        };
        // Bound like `relcheck sign`'s, to the record as it stands, so
        // `verify` can tell later answers from edits.
        match &mut self.binder {
            Some(binder) => binder.bind(&self.record, &mut signoff, &self.dirty),
            None => crate::sign::bind(&self.record, &mut signoff),
        }
        self.record.signoffs.push(signoff);
        Applied::Settled
    }

    /// The script `r` runs for item `index`, the run's values in it, or why
    /// none runs. An item with no command of its own runs its section's,
    /// and the run is recorded on the item `r` was pressed on.
    fn command_script(&self, index: usize) -> Result<String, String> {
        let item = self.item(index);
        let section = self.section(index);
        let Some(command) = item.rare.command.as_ref().or(section.rare.command.as_ref()) else {
            return Err("this item has no command".to_string());
        };
        exec::substitute(command, &self.record.values).map_err(|unfilled| match unfilled {
            exec::Unfilled::Missing(missing) => format!("no value for {}", missing.join(", ")),
            exec::Unfilled::Unsafe(names) => exec::unsafe_message(&names),
        })
    }

    /// Item `index`'s command as started and not ended, to be saved before
    /// it starts. `None` when it cannot start (`run_command` says why);
    /// else what the item held before, to put back if that save fails.
    pub(super) fn mark_started(&mut self, index: usize) -> Option<Option<Box<CommandRun>>> {
        let script = self.command_script(index).ok()?;
        let before = self.record.items[index].rare.command.take();
        // A start whose end was never recorded (relcheck was killed) is
        // about to be replaced: the log keeps that it happened.
        if before.as_ref().is_some_and(|run| run.running) {
            self.event(
                EventAction::Command,
                Some(self.record.items[index].id.to_string()),
                Some(format!("{} (run again)", CommandRun::END_NOT_RECORDED)),
            );
        }
        self.record.items[index].rare.command = Some(Box::new(CommandRun {
            command: script,
            exit_code: None,
            timed_out: false,
            timeout_seconds: None,
            duration_seconds: 0.0,
            output: String::new(),
            truncated_bytes: 0,
            interrupted: false,
            killed: false,
            running: true,
        }));
        self.dirty.push(index);
        Some(before)
    }

    pub(super) fn run_command(
        &mut self,
        index: usize,
        prompter: &mut dyn Prompter,
        executor: &dyn Executor,
    ) -> Applied {
        let item = self.item(index);
        let script = match self.command_script(index) {
            Ok(script) => script,
            Err(why) => {
                return Applied::Again {
                    message: Some(why),
                    suggested: None,
                };
            }
        };
        let timeout = item
            .rare
            .timeout_seconds
            .map_or(self.options.command_timeout, Duration::from_secs);
        let spec = exec::Spec {
            script: script.clone(),
            timeout,
            cwd: None,
            env: exec::variables_env(&self.record.values),
        };
        prompter.command_started(&script, timeout);
        let started = self.clock.now();
        let outcome = executor.run(
            &spec,
            &mut |chunk| prompter.command_output(chunk),
            self.interrupted,
        );
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(err) => {
                // Whether it got as far as starting is not known here: it
                // stays saved as started, which runs nothing by itself.
                return Applied::Again {
                    message: Some(format!(
                        "the command could not be run to its end ({err}); it may have started: see before r runs it again"
                    )),
                    suggested: None,
                };
            }
        };
        prompter.command_finished(&outcome);
        self.dirty.push(index);
        self.ran_unsaved = Some(index);
        let stopped_by_operator = outcome.cancelled && !self.interrupted.load(Ordering::SeqCst);
        self.record.items[index].rare.command = Some(Box::new(CommandRun {
            command: script,
            exit_code: outcome.exit_code,
            timed_out: outcome.timed_out,
            timeout_seconds: outcome.timed_out.then_some(outcome.timeout.as_secs()),
            duration_seconds: outcome.duration.as_secs_f64(),
            output: outcome.output.clone(),
            truncated_bytes: outcome.truncated_bytes,
            // By the operator or by the run's end: either way it did not
            // end by itself, and its output is what it printed until then.
            interrupted: outcome.cancelled,
            killed: outcome.killed,
            running: false,
        }));
        self.event(
            EventAction::Command,
            Some(item.id.to_string()),
            Some(format!("{} ({})", outcome.detail(), started.to_rfc3339())),
        );
        if outcome.cancelled && !stopped_by_operator {
            return Applied::Stop(Reply::Interrupted);
        }
        // Ctrl-C stopped only the command: the run goes on, and the
        // operator says how the item went.
        if stopped_by_operator {
            return Applied::Again {
                message: Some("command interrupted: y done, n failed, r runs it again".to_string()),
                suggested: None,
            };
        }
        if item.rare.measure.is_some() {
            if outcome.succeeded()
                && let Some(applied) = self.measured_by_command(index, &outcome.output, prompter)
            {
                return applied;
            }
            // A measured item is settled by its number, not by how its
            // command exited: without one, a person gives it.
            return Applied::Again {
                message: Some(format!(
                    "command {}, and its last line is no number to hold against {}: give the measured value",
                    outcome.summary(),
                    self.measure_view(index).unwrap_or_default()
                )),
                suggested: None,
            };
        }
        let suggestion = match (item.kind, outcome.succeeded()) {
            (Kind::Trigger, true) => Status::NotOccurred,
            (Kind::Trigger, false) => Status::Occurred,
            (_, true) => Status::Done,
            (_, false) => Status::Failed,
        };
        Applied::Again {
            message: Some(format!(
                "command {}: Enter marks it {}",
                outcome.summary(),
                suggestion.as_str()
            )),
            suggested: Some(suggestion),
        }
    }
}

/// An answer as the log says it: `done`, or `done = CHG-1` with a value.
pub(super) fn said(status: Status, value: Option<&str>) -> String {
    match value {
        Some(value) => format!("{} = {value}", status.as_str()),
        None => status.as_str().to_string(),
    }
}
