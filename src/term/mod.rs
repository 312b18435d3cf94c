//! The terminal prompter: one screen per item, single keys, no Enter.
//!
//! This file is the I/O loop: drawing screens, the line editor, and
//! keeping keys and screens in step. What each screen shows is in
//! `render`, what each key means in `keys`; keys come from `reader`, a
//! thread over a channel, so a countdown can wait for a key with a timeout
//! and line input is built from the same keys.
//!
//! Each key is stamped when it is read: a decision is taken only from a
//! key read after its screen was drawn, so keys typed ahead (a burst of
//! `y`, a key pressed while a command ran) never answer a screen nobody
//! saw.

mod input;
mod item;
mod keys;
mod layout;
mod reader;
mod render;
mod spinner;
mod wait;

pub use reader::restore_terminal;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use console::{Key, Term};

use crate::exec;
use crate::prompt::{
    Action, AfterRollback, GateAnswer, GateView, ItemView, Overview, Prompter, Reply, SetAsideView,
    StartView, Summary, ValueRequest, WaitEnd, WaitView,
};
use crate::style::{Screen, Style};

use keys::{FieldInput, GateOp, Scroll};
use layout::Frame;
use reader::Stamped;

/// What came from the keyboard.
enum Next {
    Key(Instant, Key),
    /// No key within the time asked.
    Timeout,
    /// Ctrl-C, a closed terminal, or the run's interruption.
    Gone,
}

/// A line typed at a prompt.
enum Line {
    Text(String),
    /// Esc: the question is withdrawn.
    Cancel,
    Gone,
}

/// What an operation on an item's screen came to.
enum Step {
    Reply(Reply<Action>),
    /// Nothing to tell the engine; keep reading keys on this screen.
    Stay,
}

/// How often a prompt waiting for a key looks at the run's flag.
const FLAG_POLL: Duration = Duration::from_millis(50);

/// The question `g` (and `:g` on a field) asks.
const GO_TO: &str = "Go to item (number or id; Enter: back to where the run is):";

pub struct Terminal {
    term: Term,
    keys: Receiver<Stamped>,
    screen: Screen,
    /// Shown at the top of every screen: where the record is.
    record_path: String,
    interrupted: Arc<AtomicBool>,
    /// When the screen up now was drawn: keys read before it are stale.
    since: Instant,
    /// A running command's output.
    output: spinner::Output,
    /// The item screen drawn last, drawn again above a wait's countdown.
    last_item: Option<ItemView>,
    /// The item whose measured value was just typed: turned down, it is
    /// asked for again at once, under the reason, rather than back at
    /// the keys where a tired operator's next `y` would answer the item.
    typed_value: Option<String>,
}

impl Terminal {
    /// `interrupted` is the run's flag. Ctrl-C is a key here (raw mode
    /// sends no SIGINT): while a command runs it stops only the command;
    /// otherwise it sets the flag and the run saves and stops.
    pub fn new(screen: Screen, record_path: String, interrupted: Arc<AtomicBool>) -> Terminal {
        let keys = reader::start(Arc::clone(&interrupted));
        let term = Term::stdout();
        Terminal {
            output: spinner::Output::new(term.clone(), screen.escapes),
            term,
            keys,
            screen,
            record_path,
            interrupted,
            since: Instant::now(),
            last_item: None,
            typed_value: None,
        }
    }

    fn style(&self) -> Style {
        self.screen.style
    }

    fn frame(&self) -> Frame {
        let (height, width) = self.term.size_checked().unwrap_or((24, 80));
        Frame {
            width: usize::from(width).max(10),
            height: usize::from(height).max(5),
        }
    }

    fn say(&self, text: &str) {
        self.wrote(self.term.write_line(text));
    }

    /// A screen that cannot be written to (EIO: the terminal is gone;
    /// EPIPE: standard output was a pipe, and its reader left) ends the
    /// run as a closed terminal does: keys typed from now on would answer
    /// items nobody can see. Other errors are passed over: a frame drawn
    /// badly is not worth a run.
    fn wrote(&self, result: std::io::Result<()>) {
        if let Err(err) = result
            && (err.kind() == std::io::ErrorKind::BrokenPipe
                || err.raw_os_error() == Some(nix::libc::EIO))
        {
            crate::interrupt::stop(&self.interrupted, crate::interrupt::TERMINAL_CLOSED);
        }
    }

    fn say_all(&self, lines: &[String]) {
        for line in lines {
            self.say(line);
        }
    }

    /// A new screen: what was typed before it is dropped, both what the
    /// terminal still holds and what the reader has read, and keys from
    /// now on are fresh. Taken before drawing, so a key pressed the moment
    /// the screen appears is never stale.
    fn fresh(&mut self) {
        reader::flush_input();
        while self.keys.try_recv().is_ok() {}
        self.since = Instant::now();
    }

    /// Clears (or rules off) the terminal and shows `lines`.
    fn draw(&self, lines: &[String]) {
        let mut text = self.screen.clear(self.frame().columns());
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
        self.wrote(self.term.write_str(&text));
        let _ = self.term.flush();
    }

    /// The next key within `timeout` (`None`: however long it takes). The
    /// run's flag is looked at every [`FLAG_POLL`] meanwhile: a signal sets
    /// it and sends no key, and the run must still end at this prompt.
    fn next_key(&self, timeout: Option<Duration>) -> Next {
        let deadline = timeout.map(|timeout| Instant::now() + timeout);
        loop {
            if self.interrupted.load(Ordering::SeqCst) {
                return Next::Gone;
            }
            let slice = match deadline {
                None => FLAG_POLL,
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) => left.min(FLAG_POLL),
                    None => return Next::Timeout,
                },
            };
            match self.keys.recv_timeout(slice) {
                Ok(Stamped { at, key: Ok(key) }) if key != Key::CtrlC => return Next::Key(at, key),
                Err(RecvTimeoutError::Timeout) if deadline.is_none_or(|d| Instant::now() < d) => {}
                Err(RecvTimeoutError::Timeout) => return Next::Timeout,
                _ => return Next::Gone,
            }
        }
    }

    /// A key for a decision on the screen up now: keys read before it was
    /// drawn are passed over. None when the run is to stop.
    fn decision(&self) -> Option<Key> {
        loop {
            match self.next_key(None) {
                Next::Key(at, key) if at >= self.since => return Some(key),
                Next::Key(..) | Next::Timeout => {}
                Next::Gone => return None,
            }
        }
    }

    /// A line of text from keys typed once the prompt is up: the rest of a
    /// burst that answered the screen before (`yyy` on a trigger) is not
    /// what happened, nor a reason.
    fn line(&self, prompt: &str) -> Line {
        // Taken before the prompt is written: a key sent the moment it shows
        // may be read before a stamp taken after the write.
        let asked = Instant::now();
        // Under the screen's two-space margin, like everything else.
        let margin = if prompt.starts_with(' ') { "" } else { "  " };
        let _ = self
            .term
            .write_str(&format!("{margin}{} ", self.style().bold(prompt)));
        let _ = self.term.flush();
        let mut buffer = String::new();
        loop {
            let key = match self.next_key(None) {
                Next::Key(at, _) if at < asked => continue,
                Next::Key(_, key) => key,
                Next::Timeout => continue,
                Next::Gone => return Line::Gone,
            };
            match key {
                Key::Enter => {
                    self.say("");
                    return Line::Text(buffer);
                }
                Key::Escape => {
                    // The question goes from the screen with what was typed
                    // into it: left there, it reads as still asked, and the
                    // keys the item takes next would seem to go nowhere.
                    let typed = console::measure_text_width(&format!("{margin}{prompt} {buffer}"));
                    let columns = usize::from(self.term.size().1).max(1);
                    let _ = self.term.clear_line();
                    let _ = self
                        .term
                        .clear_last_lines(typed.saturating_sub(1) / columns);
                    let _ = self.term.flush();
                    return Line::Cancel;
                }
                Key::Backspace if buffer.pop().is_some() => {
                    let _ = self.term.write_str("\x08 \x08");
                }
                // Ctrl-U, as in a shell: the whole line typed so far goes.
                Key::Char('\u{15}') => {
                    let erase = "\x08 \x08".repeat(buffer.chars().count());
                    buffer.clear();
                    let _ = self.term.write_str(&erase);
                }
                Key::Char(c) if !c.is_control() && !crate::printable::unsafe_char(c) => {
                    buffer.push(c);
                    let _ = self.term.write_str(&c.to_string());
                }
                _ => {}
            }
            let _ = self.term.flush();
        }
    }

    /// Asks for a line and makes an action of it; Esc stays on the screen.
    fn ask(&self, prompt: &str, make: impl FnOnce(String) -> Action) -> Step {
        match self.line(prompt) {
            Line::Text(text) => Step::Reply(Reply::Answer(make(text))),
            Line::Cancel => Step::Stay,
            Line::Gone => Step::Reply(Reply::Interrupted),
        }
    }

    /// An item's screen; `below` rows are kept free for what the caller
    /// writes under it.
    fn show_item(&mut self, view: &ItemView, legend: bool, below: usize) {
        self.fresh();
        let frame = self.frame();
        let lines = render::item(view, self.style(), &self.record_path, frame, legend, below);
        self.draw(&lines);
        self.last_item = Some(view.clone());
    }

    fn choose(request: &ValueRequest, input: &str) -> String {
        let input = input.trim();
        if let Ok(n) = input.parse::<usize>()
            && (1..=request.choices.len()).contains(&n)
        {
            return request.choices[n - 1].clone();
        }
        request
            .choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(input))
            .cloned()
            .unwrap_or_else(|| input.to_string())
    }

    /// Reads a reason for a gate; Esc withdraws the question.
    fn gate_reason(
        &self,
        prompt: &str,
        make: impl FnOnce(String) -> GateAnswer,
    ) -> Option<Reply<GateAnswer>> {
        match self.line(prompt) {
            Line::Text(reason) => Some(Reply::Answer(make(reason))),
            Line::Cancel => None,
            Line::Gone => Some(Reply::Interrupted),
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        restore_terminal();
    }
}

impl Prompter for Terminal {
    fn start(&mut self, view: &StartView) {
        self.fresh();
        let lines = render::start(view, self.style(), &self.record_path, self.frame());
        self.draw(&lines);
    }

    fn ask_value(&mut self, request: &ValueRequest) -> Reply<Option<String>> {
        if let Some(message) = &request.message {
            self.say(&format!("  {}", self.style().message(message)));
        }
        // A variable is named as the checklist writes it; any other value
        // of the run (a measured item's baseline) by its label.
        let prompt = if request.label == request.name {
            format!("Value for {{{{{}}}}}:", request.name)
        } else {
            format!("{}:", crate::printable::printable(&request.label))
        };
        loop {
            let value = match self.line(&prompt) {
                Line::Text(value) => value,
                Line::Cancel => continue,
                Line::Gone => return Reply::Interrupted,
            };
            match value.trim() {
                ":q" => return Reply::Quit,
                "" => self.say(&format!(
                    "  {}",
                    self.style().message("a value is required")
                )),
                value => return Reply::Answer(Some(value.to_string())),
            }
        }
    }

    fn ask_item(&mut self, view: &ItemView) -> Reply<Action> {
        self.show_item(view, true, 0);
        self.item_keys(view)
    }

    fn ask_field(&mut self, view: &ItemView, request: &ValueRequest) -> Reply<Action> {
        let frame = self.frame();
        let (under, prompt) = render::field(request, self.style(), frame.columns());
        // The prompt and its answer take a row or two of their own.
        let prompt_rows = console::measure_text_width(&prompt) / frame.width + 1;
        self.show_item(view, false, under.len() + prompt_rows);
        self.say_all(&under);
        loop {
            let input = match self.line(&prompt) {
                Line::Text(input) => input,
                Line::Cancel => continue,
                Line::Gone => return Reply::Interrupted,
            };
            let action = match keys::field(&input) {
                FieldInput::Quit => return Reply::Quit,
                FieldInput::Back => Action::Back,
                FieldInput::List => Action::Overview,
                FieldInput::GoTo(Some(target)) => Action::GoTo(target),
                FieldInput::GoTo(None) => match self.line(GO_TO) {
                    Line::Text(target) => Action::GoTo(target),
                    Line::Cancel => continue,
                    Line::Gone => return Reply::Interrupted,
                },
                FieldInput::Find(words) => Action::Search(words),
                FieldInput::Skip(Some(reason)) => Action::Skip { reason },
                FieldInput::Skip(None) => match self.line("Why skip it?") {
                    Line::Text(reason) => Action::Skip { reason },
                    Line::Cancel => continue,
                    Line::Gone => return Reply::Interrupted,
                },
                FieldInput::Default => Action::Value(request.default.clone().unwrap_or_default()),
                FieldInput::Value(value) => Action::Value(Self::choose(request, &value)),
            };
            return Reply::Answer(action);
        }
    }

    fn ask_signoff(&mut self, view: &ItemView) -> Reply<Action> {
        self.show_item(view, true, 0);
        self.item_keys(view)
    }

    fn ask_gate(&mut self, view: &GateView) -> Reply<GateAnswer> {
        self.fresh();
        self.last_item = None;
        self.draw(&render::gate(view, self.style(), self.frame()));
        loop {
            let Some(key) = self.decision() else {
                return Reply::Interrupted;
            };
            let reply = match keys::gate(&key) {
                None => continue,
                Some(GateOp::Waive) => {
                    self.gate_reason("Waiver reason:", |reason| GateAnswer::Waive { reason })
                }
                Some(GateOp::Rollback) => {
                    self.gate_reason("Why roll back?", |reason| GateAnswer::Rollback { reason })
                }
                Some(GateOp::Abort) => {
                    self.gate_reason("Why abort?", |reason| GateAnswer::Abort { reason })
                }
                Some(GateOp::Back) => Some(Reply::Answer(GateAnswer::Back)),
                Some(GateOp::Quit) => Some(Reply::Quit),
            };
            if let Some(reply) = reply {
                return reply;
            }
        }
    }

    fn ask_rollback_needed(&mut self, phase: &str) -> Reply<bool> {
        self.fresh();
        self.last_item = None;
        self.draw(&render::rollback_needed(phase, self.style(), self.frame()));
        loop {
            let Some(key) = self.decision() else {
                return Reply::Interrupted;
            };
            match keys::rollback_needed(&key) {
                Some(Some(needed)) => return Reply::Answer(needed),
                Some(None) => return Reply::Quit,
                None => continue,
            }
        }
    }

    fn ask_set_aside(&mut self, view: &SetAsideView) -> Reply<AfterRollback> {
        self.fresh();
        self.last_item = None;
        self.draw(&render::set_aside(view, self.style(), self.frame()));
        loop {
            let Some(key) = self.decision() else {
                return Reply::Interrupted;
            };
            if let Some(reply) = keys::set_aside(&key) {
                return reply;
            }
        }
    }

    fn command_started(&mut self, _script: &str, timeout: Duration) {
        self.say(&render::command_started(timeout, self.style()));
        self.output.started();
    }

    fn command_output(&mut self, chunk: &[u8]) {
        self.output.chunk(chunk);
    }

    fn command_finished(&mut self, outcome: &exec::Outcome) {
        self.output.finished();
        // The item's screen is drawn again next, with the output's tail.
        self.say(&render::command_finished(outcome, self.style()));
    }

    fn overview(&mut self, view: &Overview) -> Reply<()> {
        self.fresh();
        let style = self.style();
        let frame = self.frame();
        let (rows, current) = render::overview_rows(view, style, frame.columns());
        let page = render::overview_page(style, frame);
        let mut top = keys::scroll_to(current, rows.len(), page);
        loop {
            self.draw(&render::overview(view, style, frame, top));
            loop {
                let Some(key) = self.decision() else {
                    return Reply::Interrupted;
                };
                match keys::overview(&key) {
                    Some(Scroll::Close) => return Reply::Answer(()),
                    Some(scroll) => {
                        let moved = keys::scroll(top, scroll, rows.len(), page);
                        if moved != top {
                            top = moved;
                            break;
                        }
                    }
                    None => {}
                }
            }
        }
    }

    fn wait(&mut self, view: &WaitView, interrupted: &AtomicBool) -> Reply<WaitEnd> {
        self.count_down(view, interrupted)
    }

    fn finish(&mut self, summary: &Summary) {
        let width = self.frame().columns();
        self.say_all(&render::finish(summary, self.style(), width));
    }
}
