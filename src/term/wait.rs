//! A wait's countdown and the keys it takes: cut short, failed, roll
//! back, a note, quit. Where the terminal can redraw, the item stays on
//! screen above a countdown line redrawn in place; elsewhere a plain line
//! says the time left each minute.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::keys::{self, WaitOp};
use super::render;
use super::{Line, Next, Terminal};
use crate::prompt::{ItemView, Reply, WaitEnd, WaitView};

impl Terminal {
    pub(super) fn count_down(
        &mut self,
        view: &WaitView,
        interrupted: &AtomicBool,
    ) -> Reply<WaitEnd> {
        self.fresh();
        // The engine's view of the item, notes included: a resumed wait
        // has had no item screen yet.
        self.last_item = Some(view.item.clone());
        let style = self.style();
        let frame = self.frame();
        let width = frame.columns();
        let no_steps = self.last_item.as_ref().is_some_and(|v| !v.rollback_steps);
        let header = render::wait_header(view.requested, no_steps, style, width);
        // The item stays on screen above the countdown.
        if self.screen.escapes
            && let Some(item) = &self.last_item
        {
            let item = ItemView {
                message: None,
                suggested: None,
                ..item.clone()
            };
            // The header, and the countdown line.
            let below = header.len() + 1;
            let mut lines = render::item(&item, style, &self.record_path, frame, false, below);
            lines.extend(header);
            self.draw(&lines);
        } else {
            self.say("");
            self.say_all(&header);
        }
        let started = Instant::now();
        let mut said: Option<u64> = None;
        loop {
            if interrupted.load(Ordering::SeqCst) {
                return Reply::Interrupted;
            }
            let left = view.left.saturating_sub(started.elapsed());
            if left.is_zero() {
                if self.screen.escapes {
                    self.say("");
                } else {
                    self.say("  time is up");
                }
                return Reply::Answer(WaitEnd::Elapsed);
            }
            if self.screen.escapes {
                // Measured at each tick: a line wider than a terminal made
                // narrower mid-wait wraps, and `\r` then rewrites only its
                // last row, so every tick would add rows.
                let width = self.frame().columns();
                let line = render::countdown(left, view.requested, style, width);
                let _ = self.term.write_str(&format!("\r\x1b[K{line}"));
                let _ = self.term.flush();
            } else {
                // A dumb terminal gets a line a minute, not a redraw.
                let minutes = left.as_secs().div_ceil(60);
                if said != Some(minutes) {
                    self.say(&render::countdown_plain(left));
                    said = Some(minutes);
                }
            }
            let key = match self.next_key(Some(left.min(Duration::from_millis(500)))) {
                Next::Key(at, key) if at >= self.since => key,
                Next::Key(..) | Next::Timeout => continue,
                Next::Gone => return Reply::Interrupted,
            };
            let Some(op) = keys::wait(&key) else {
                continue;
            };
            self.say("");
            let line = |this: &Self, prompt: &str| match this.line(prompt) {
                Line::Text(text) => Some(Some(text)),
                Line::Cancel => Some(None),
                Line::Gone => None,
            };
            let end = match op {
                WaitOp::CutShort => WaitEnd::CutShort,
                WaitOp::Quit => return Reply::Quit,
                WaitOp::Failed => match line(self, "What went wrong? (note, Enter for none)") {
                    Some(Some(note)) => WaitEnd::Failed {
                        note: Some(note).filter(|n| !n.trim().is_empty()),
                    },
                    Some(None) => continue,
                    None => return Reply::Interrupted,
                },
                WaitOp::Rollback => {
                    if no_steps {
                        self.say(&format!("  {}", style.bold(render::NO_ROLLBACK_STEPS)));
                    }
                    match line(self, "Why roll back?") {
                        Some(Some(reason)) => WaitEnd::Rollback { reason },
                        Some(None) => continue,
                        None => return Reply::Interrupted,
                    }
                }
                WaitOp::Note => match line(self, "Note:") {
                    Some(Some(note)) if !note.trim().is_empty() => {
                        // The engine keeps it; the screen redrawn for the
                        // rest of the wait shows it too.
                        if let Some(item) = &mut self.last_item {
                            item.result.rare.note = Some(match item.result.rare.note.take() {
                                Some(notes) => format!("{notes}\n{note}"),
                                None => note.clone(),
                            });
                        }
                        WaitEnd::Note(note)
                    }
                    Some(_) => continue,
                    None => return Reply::Interrupted,
                },
            };
            return Reply::Answer(end);
        }
    }
}
