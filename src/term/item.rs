//! The keys of a check's, trigger's or sign-off's screen turned into the
//! engine's actions, asking for the words some of them need.

use std::time::Instant;

use super::keys::{self, Op};
use super::render;
use super::{Line, Step, Terminal};
use crate::model::Kind;
use crate::printable::printable;
use crate::prompt::{Action, ItemView, Reply, SignoffAnswer};
use crate::record::{Decision, Status};

impl Terminal {
    fn failed_note(&self) -> Step {
        self.ask("What went wrong? (note, Enter for none)", |note| {
            Action::Failed { note: Some(note) }
        })
    }

    fn happened(&self) -> Step {
        self.ask("What happened?", |what| Action::Occurred { what })
    }

    /// `y` or `n` on a measured item: a person's word against the number,
    /// with the note the engine asks for when it overrules it.
    fn against_number(&self, status: Status) -> Step {
        let prompt = match status {
            Status::Occurred => "What happened?",
            _ => "Note (needed when it goes against the number):",
        };
        self.ask(prompt, |note| Action::Measured {
            value: None,
            status: Some(status),
            note: Some(note),
        })
    }

    fn item_op(&mut self, op: Op, view: &ItemView) -> Step {
        let answer = |action| Step::Reply(Reply::Answer(action));
        if let Some(bound) = &view.measure {
            let status = match (op, view.kind) {
                (Op::Yes, Kind::Trigger) => Some(Status::Occurred),
                (Op::No, Kind::Trigger) => Some(Status::NotOccurred),
                (Op::Yes, _) => Some(Status::Done),
                (Op::No, _) => Some(Status::Failed),
                _ => None,
            };
            if let Some(status) = status {
                return self.against_number(status);
            }
            if op == Op::Measure {
                let prompt = format!("Measured value ({}):", printable(bound));
                let step = self.ask(&prompt, |value| Action::Measured {
                    value: Some(value),
                    status: None,
                    note: None,
                });
                // Only a value given is asked again if turned down: after
                // Esc, the next refusal (a note missing, say) is not about
                // a value.
                if matches!(step, Step::Reply(Reply::Answer(_))) {
                    self.typed_value = Some(view.id.clone());
                }
                return step;
            }
        }
        match op {
            Op::Yes => match view.kind {
                Kind::Trigger => self.happened(),
                Kind::Signoff => self.sign(view),
                Kind::Check | Kind::Field => answer(Action::Done { note: None }),
            },
            Op::No if view.kind == Kind::Trigger => answer(Action::NotOccurred),
            Op::No => self.failed_note(),
            Op::Skip => self.ask("Why skip it?", |reason| Action::Skip { reason }),
            Op::NotApplicable => {
                let prompt = if view.optional {
                    "Why not applicable? (Enter for none)"
                } else {
                    "Why not applicable?"
                };
                self.ask(prompt, |reason| Action::NotApplicable {
                    reason: Some(reason),
                })
            }
            Op::Run => answer(Action::RunCommand),
            Op::Wait => answer(Action::Wait),
            Op::Note => match self.line("Note:") {
                Line::Text(note) if !note.trim().is_empty() => answer(Action::Note(note)),
                Line::Text(_) => {
                    // Nothing noted: the prompt goes, as after Esc. Left on
                    // the screen it reads as still asked, and the words
                    // typed next would answer the item key by key.
                    let _ = self.term.clear_last_lines(1);
                    let _ = self.term.flush();
                    Step::Stay
                }
                Line::Cancel => Step::Stay,
                Line::Gone => Step::Reply(Reply::Interrupted),
            },
            Op::Back => answer(Action::Back),
            Op::Rollback => {
                if !view.rollback_steps {
                    self.say(&format!(
                        "  {}",
                        self.style().bold(render::NO_ROLLBACK_STEPS)
                    ));
                }
                self.ask("Why roll back?", |reason| Action::Rollback { reason })
            }
            Op::Accept(status) => match status {
                Status::Done => answer(Action::Done { note: None }),
                Status::NotOccurred => answer(Action::NotOccurred),
                Status::Occurred => self.happened(),
                _ => self.failed_note(),
            },
            Op::List => answer(Action::Overview),
            Op::GoTo => self.ask(super::GO_TO, Action::GoTo),
            Op::Find => self.ask(
                "Find (words; Enter repeats the last search):",
                Action::Search,
            ),
            Op::Bulk => self.bulk(),
            Op::Measure => Step::Stay,
            Op::Help => {
                self.say(keys::HELP);
                Step::Stay
            }
            Op::Quit => Step::Reply(Reply::Quit),
        }
    }

    /// `A`: how, then one reason, for the rest of the section.
    fn bulk(&mut self) -> Step {
        let style = self.style();
        // Stamped before the question shows: a key sent the moment it
        // appears may be read before a stamp taken after.
        self.since = Instant::now();
        self.say(&format!(
            "  {} skip or {} n/a for the rest of this section? (other keys: no)",
            style.key("s"),
            style.key("a")
        ));
        let Some(key) = self.decision() else {
            return Step::Reply(Reply::Interrupted);
        };
        let Some(status) = keys::bulk(&key) else {
            return Step::Stay;
        };
        let prompt = match status {
            Status::Skipped => "Why skip the rest of this section?",
            _ => "Why is the rest of this section not applicable?",
        };
        self.ask(prompt, |reason| Action::Bulk { status, reason })
    }

    /// A sign-off: a name, approve or reject, a comment.
    fn sign(&mut self, view: &ItemView) -> Step {
        let name = match self.line(&format!("  Name [{}]:", view.default_name)) {
            Line::Text(name) if name.trim().is_empty() => view.default_name.clone(),
            Line::Text(name) => name,
            Line::Cancel => return Step::Stay,
            Line::Gone => return Step::Reply(Reply::Interrupted),
        };
        let style = self.style();
        self.since = Instant::now();
        self.say(&format!(
            "  {} approve   {} reject",
            style.key("a"),
            style.key("x")
        ));
        let decision = loop {
            match self.decision().map(|key| keys::decision(&key)) {
                Some(Some(true)) => break Decision::Approve,
                Some(Some(false)) => break Decision::Reject,
                Some(None) => continue,
                None => return Step::Reply(Reply::Interrupted),
            }
        };
        match self.line("  Comment (Enter for none):") {
            Line::Text(comment) => Step::Reply(Reply::Answer(Action::Signoff(SignoffAnswer {
                name,
                decision,
                comment: Some(comment).filter(|c| !c.trim().is_empty()),
            }))),
            Line::Cancel => Step::Stay,
            Line::Gone => Step::Reply(Reply::Interrupted),
        }
    }

    /// The keys loop of a check, trigger or sign-off screen.
    pub(super) fn item_keys(&mut self, view: &ItemView) -> Reply<Action> {
        let offer = render::offer(view);
        let retyped = self.typed_value.take().is_some_and(|id| id == view.id);
        if retyped
            && view.message.is_some()
            && let Step::Reply(reply) = self.item_op(Op::Measure, view)
        {
            return reply;
        }
        loop {
            let Some(key) = self.decision() else {
                return Reply::Interrupted;
            };
            let Some(op) = keys::item(&key, &offer) else {
                continue;
            };
            if let Step::Reply(reply) = self.item_op(op, view) {
                return reply;
            }
        }
    }
}
