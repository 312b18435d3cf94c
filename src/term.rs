//! The terminal prompter: one screen per item, single keys, no Enter.
//!
//! Keys come from one reader thread over a channel, so a countdown can wait
//! for a key with a timeout and line input is built from the same keys
//! (console's own line reader would race the thread for the terminal).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use console::{Key, Term};
use nix::sys::termios::{self, SetArg, Termios};

use crate::exec;
use crate::model::Kind;
use crate::prompt::{
    Action, GateAnswer, GateView, ItemView, Overview, Prompter, Reply, SignoffAnswer, StartView,
    Summary, ValueRequest, WaitEnd, WaitView,
};
use crate::record::{Decision, Status};
use crate::session::human_duration;
use crate::style::Style;

/// The terminal's modes before the key reader made it raw, put back when
/// the run ends however it ends: a process that exits while the reader waits
/// in raw mode would leave the user's shell with no echo.
static SAVED_MODES: Mutex<Option<Termios>> = Mutex::new(None);

pub fn restore_terminal() {
    if let Ok(saved) = SAVED_MODES.lock()
        && let Some(modes) = saved.as_ref()
    {
        let _ = termios::tcsetattr(std::io::stdin(), SetArg::TCSANOW, modes);
    }
}

pub struct Terminal {
    term: Term,
    keys: Receiver<std::io::Result<Key>>,
    style: Style,
    /// Shown at the top of every screen: where the record is.
    record_path: String,
    /// The item whose screen is up, to redraw only on a new item.
    shown: Option<usize>,
    spinner: Arc<Mutex<Spinner>>,
}

#[derive(Default)]
struct Spinner {
    running: bool,
    started: Option<Instant>,
    last_output: Option<Instant>,
    /// A spinner line is on screen and must be cleared before output.
    drawn: bool,
    at_line_start: bool,
}

const HELP: &str = "\
Keys on a check:
  y  done                    n  failed (asks for a note)
  s  skip (asks why)         a  not applicable (asks why unless optional)
  r  run the item's command  w  wait or monitor for the time the item asks
  e  add a note              b  back: undo the last answer
  R  call a rollback         q  save and quit (resume with `relcheck resume`)
  Enter  accept what a command or wait proposes
Keys on a trigger: y it happened (asks what), n it did not.
Fields: type a value, Enter for the default; :b back, :s skip, :q quit.
Ctrl-C saves and stops.";

impl Terminal {
    /// `interrupted` is the run's flag: Ctrl-C sets it, so a command in
    /// flight is stopped too (in raw mode the key sends no SIGINT).
    pub fn new(style: Style, record_path: String, interrupted: Arc<AtomicBool>) -> Terminal {
        if let (Ok(modes), Ok(mut saved)) =
            (termios::tcgetattr(std::io::stdin()), SAVED_MODES.lock())
        {
            *saved = Some(modes);
        }
        let term = Term::stdout();
        let (sender, keys) = mpsc::channel();
        let reader = term.clone();
        std::thread::spawn(move || {
            loop {
                let key = reader.read_key_raw();
                if matches!(key, Ok(Key::CtrlC) | Err(_)) {
                    interrupted.store(true, Ordering::SeqCst);
                    crate::interrupt::cancel_command();
                }
                let stop = key.is_err();
                if sender.send(key).is_err() || stop {
                    break;
                }
            }
        });
        let spinner = Arc::new(Mutex::new(Spinner {
            at_line_start: true,
            ..Spinner::default()
        }));
        let ticker = Arc::clone(&spinner);
        let ticker_term = term.clone();
        std::thread::spawn(move || {
            let frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
            let mut frame = 0;
            loop {
                std::thread::sleep(Duration::from_millis(200));
                let Ok(mut state) = ticker.lock() else {
                    break;
                };
                let quiet = state
                    .last_output
                    .is_none_or(|t| t.elapsed() > Duration::from_millis(700));
                if state.running && quiet && state.at_line_start {
                    let elapsed = state.started.map_or(0, |t| t.elapsed().as_secs());
                    frame = (frame + 1) % frames.len();
                    let _ = ticker_term.write_str(&format!(
                        "\r\x1b[K{} running, {}",
                        frames[frame],
                        human_duration(elapsed as f64)
                    ));
                    state.drawn = true;
                }
            }
        });
        Terminal {
            term,
            keys,
            style,
            record_path,
            shown: None,
            spinner,
        }
    }

    fn say(&self, text: &str) {
        let _ = self.term.write_line(text);
    }

    fn key(&self) -> Option<Key> {
        match self.keys.recv() {
            Ok(Ok(Key::CtrlC)) | Ok(Err(_)) | Err(_) => None,
            Ok(Ok(key)) => Some(key),
        }
    }

    /// A line of text from keys, with `initial` shown; None when the
    /// terminal went away or Ctrl-C.
    fn line(&self, prompt: &str) -> Option<String> {
        let _ = self
            .term
            .write_str(&format!("{} ", self.style.bold(prompt)));
        let _ = self.term.flush();
        let mut buffer = String::new();
        loop {
            match self.key()? {
                Key::Enter => {
                    let _ = self.term.write_line("");
                    return Some(buffer);
                }
                Key::Backspace if buffer.pop().is_some() => {
                    let _ = self.term.write_str("\x08 \x08");
                }
                Key::Char(c) if !c.is_control() => {
                    buffer.push(c);
                    let _ = self.term.write_str(&c.to_string());
                }
                Key::Escape => {
                    let _ = self.term.write_line("");
                    return Some(String::new());
                }
                _ => {}
            }
            let _ = self.term.flush();
        }
    }

    fn header(&self, view: &ItemView) {
        let _ = self.term.clear_screen();
        let width = 24;
        let filled = (view.settled * width).checked_div(view.total).unwrap_or(0);
        let bar = format!("{}{}", "█".repeat(filled), "░".repeat(width - filled));
        self.say(&self.style.dim(&format!("record: {}", self.record_path)));
        let place = match &view.section {
            Some(section) => format!("{} › {}", view.phase, section),
            None => view.phase.clone(),
        };
        self.say(&format!(
            "Phase {}/{} · {}",
            view.phase_index + 1,
            view.phases,
            self.style.bold(&place)
        ));
        self.say(&format!(
            "Item {}/{}  {}  {} answered{}",
            view.index + 1,
            view.total,
            self.style.cyan(&bar),
            view.settled,
            if view.rollback_called {
                format!("  {}", self.style.red("ROLLBACK CALLED"))
            } else {
                String::new()
            }
        ));
        if let Some(lead) = &view.section_lead {
            self.say(&self.style.dim(lead));
        }
        self.say("");
    }

    /// Draws the item unless it is already on screen; then any message.
    fn item_screen(&mut self, view: &ItemView) {
        if self.shown != Some(view.index) || view.message.is_none() {
            self.header(view);
            let kind = match view.kind {
                Kind::Check => self.style.bold("CHECK"),
                Kind::Trigger => self.style.red("TRIGGER"),
                Kind::Field => self.style.cyan("FIELD"),
                Kind::Signoff => self.style.green("SIGN-OFF"),
            };
            let optional = if view.optional && !view.text.to_lowercase().ends_with("(optional)") {
                format!(" {}", self.style.dim("(optional)"))
            } else {
                String::new()
            };
            self.say(&format!(
                "  {kind}{optional}  {}",
                self.style.bold(&view.text)
            ));
            if view.kind == Kind::Trigger {
                self.say(&self.style.dim("  Did this happen? Yes calls a rollback."));
            }
            if let Some(role) = &view.role {
                self.say(&format!("  role: {role}"));
            }
            if let Some(command) = &view.command {
                for line in command.lines() {
                    self.say(&format!("  {}", self.style.yellow(&format!("$ {line}"))));
                }
            }
            if let Some(seconds) = view.wait_seconds {
                self.say(&self.style.dim(&format!(
                    "  asks to wait {}",
                    human_duration(seconds as f64)
                )));
            }
            if let Some(note) = &view.result.note {
                self.say(&self.style.dim(&format!("  note: {note}")));
            }
            if let Some(run) = &view.result.command {
                let status = match (run.timed_out, run.exit_code) {
                    (true, _) => "timed out".to_string(),
                    (false, Some(code)) => format!("exit {code}"),
                    (false, None) => "killed".to_string(),
                };
                self.say(&self.style.dim(&format!(
                    "  last run: {status} in {:.1} s",
                    run.duration_seconds
                )));
            }
            self.say("");
            self.shown = Some(view.index);
        }
        if let Some(message) = &view.message {
            self.say(&format!("  {}", self.style.yellow(message)));
        }
    }

    fn legend(&self, view: &ItemView) {
        let mut keys: Vec<&str> = match view.kind {
            Kind::Trigger => vec!["y happened", "n did not"],
            _ => vec!["y done", "n failed"],
        };
        keys.extend(["s skip", "a n/a"]);
        if view.command.is_some() {
            keys.push("r run");
        }
        if view.wait_seconds.is_some() {
            keys.push("w wait");
        }
        keys.extend(["e note", "b back"]);
        if !view.rollback_called {
            keys.push("R rollback");
        }
        keys.extend(["? help", "q quit"]);
        let mut line = keys.join("  ");
        if let Some(suggested) = view.suggested {
            line.push_str(&format!("  Enter: {}", suggested.as_str()));
        }
        self.say(&self.style.dim(&format!("  {line}")));
    }

    /// The common keys of every item screen: skip, n/a, note, back,
    /// rollback, help, quit. None when the key is not one of them.
    fn common(&mut self, key: &Key, view: &ItemView) -> Option<Reply<Action>> {
        let reply = match key {
            Key::Char('s') => Reply::Answer(Action::Skip {
                reason: self.line("Why skip it?")?,
            }),
            Key::Char('a') => {
                let prompt = if view.optional {
                    "Why not applicable? (Enter for none)"
                } else {
                    "Why not applicable?"
                };
                Reply::Answer(Action::NotApplicable {
                    reason: Some(self.line(prompt)?),
                })
            }
            Key::Char('e') => Reply::Answer(Action::Note(self.line("Note:")?)),
            Key::Char('b') => Reply::Answer(Action::Back),
            Key::Char('R') if !view.rollback_called => Reply::Answer(Action::Rollback {
                reason: self.line("Why roll back?")?,
            }),
            Key::Char('r') if view.command.is_some() => Reply::Answer(Action::RunCommand),
            Key::Char('w') if view.wait_seconds.is_some() => Reply::Answer(Action::Wait),
            Key::Char('q') => Reply::Quit,
            Key::Char('?') => {
                self.say(HELP);
                return None;
            }
            _ => return None,
        };
        Some(reply)
    }

    fn choose(&self, request: &ValueRequest, input: &str) -> String {
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

    fn value_prompt(&self, request: &ValueRequest) -> String {
        if !request.choices.is_empty() {
            let numbered: Vec<String> = request
                .choices
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{}) {c}", i + 1))
                .collect();
            self.say(&format!("  {}", numbered.join("   ")));
        }
        match &request.default {
            Some(default) => format!("  {} [{default}]:", request.label),
            None => format!("  {}:", request.label),
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        restore_terminal();
        let _ = self.term.show_cursor();
    }
}

impl Prompter for Terminal {
    fn start(&mut self, view: &StartView) {
        let _ = self.term.clear_screen();
        self.say(&self.style.bold(&view.title));
        if let Some(description) = &view.description {
            self.say(&self.style.dim(description));
        }
        let c = view.counts;
        self.say(&format!(
            "{} phases, {} items: {} checks, {} triggers, {} fields, {} sign-offs ({} optional)",
            c.phases, c.items, c.check, c.trigger, c.field, c.signoff, c.optional
        ));
        self.say(&self.style.dim(&format!("record: {}", self.record_path)));
        if view.answered > 0 {
            self.say(&format!(
                "Resuming: {} items already answered.",
                view.answered
            ));
        }
        for (name, value) in &view.values {
            if view.variables.contains(name) {
                self.say(&format!("  {{{{{name}}}}} = {value}"));
            }
        }
        self.say("");
    }

    fn ask_value(&mut self, request: &ValueRequest) -> Reply<Option<String>> {
        if let Some(message) = &request.message {
            self.say(&format!("  {}", self.style.yellow(message)));
        }
        let prompt = format!("Value for {{{{{}}}}}:", request.name);
        loop {
            let Some(value) = self.line(&prompt) else {
                return Reply::Interrupted;
            };
            match value.trim() {
                ":q" => return Reply::Quit,
                "" => self.say(&format!("  {}", self.style.yellow("a value is required"))),
                value => return Reply::Answer(Some(value.to_string())),
            }
        }
    }

    fn ask_item(&mut self, view: &ItemView) -> Reply<Action> {
        self.item_screen(view);
        self.legend(view);
        loop {
            let Some(key) = self.key() else {
                return Reply::Interrupted;
            };
            let reply = match (view.kind, &key) {
                (Kind::Trigger, Key::Char('y')) => match self.line("What happened?") {
                    Some(what) => Reply::Answer(Action::Occurred { what }),
                    None => Reply::Interrupted,
                },
                (Kind::Trigger, Key::Char('n')) => Reply::Answer(Action::NotOccurred),
                (_, Key::Char('y')) => Reply::Answer(Action::Done { note: None }),
                (_, Key::Char('n')) => match self.line("What went wrong? (note, Enter for none)") {
                    Some(note) => Reply::Answer(Action::Failed { note: Some(note) }),
                    None => Reply::Interrupted,
                },
                (_, Key::Enter) if view.suggested.is_some() => {
                    Reply::Answer(match view.suggested.expect("checked") {
                        Status::Done => Action::Done { note: None },
                        Status::NotOccurred => Action::NotOccurred,
                        Status::Occurred => match self.line("What happened?") {
                            Some(what) => Action::Occurred { what },
                            None => return Reply::Interrupted,
                        },
                        _ => match self.line("What went wrong? (note, Enter for none)") {
                            Some(note) => Action::Failed { note: Some(note) },
                            None => return Reply::Interrupted,
                        },
                    })
                }
                _ => match self.common(&key, view) {
                    Some(reply) => reply,
                    None => continue,
                },
            };
            return reply;
        }
    }

    fn ask_field(&mut self, view: &ItemView, request: &ValueRequest) -> Reply<Action> {
        self.item_screen(view);
        self.say(
            &self
                .style
                .dim("  Type a value and Enter; :b back, :s skip, :q save and quit"),
        );
        let prompt = self.value_prompt(request);
        let Some(input) = self.line(&prompt) else {
            return Reply::Interrupted;
        };
        match input.trim() {
            ":q" => Reply::Quit,
            ":b" => Reply::Answer(Action::Back),
            ":s" => match self.line("Why skip it?") {
                Some(reason) => Reply::Answer(Action::Skip { reason }),
                None => Reply::Interrupted,
            },
            "" => Reply::Answer(Action::Value(request.default.clone().unwrap_or_default())),
            value => Reply::Answer(Action::Value(self.choose(request, value))),
        }
    }

    fn ask_signoff(&mut self, view: &ItemView) -> Reply<Action> {
        self.item_screen(view);
        self.say(
            &self
                .style
                .dim("  y sign off  s skip  a n/a  e note  b back  q quit"),
        );
        loop {
            let Some(key) = self.key() else {
                return Reply::Interrupted;
            };
            if key != Key::Char('y') {
                match self.common(&key, view) {
                    Some(reply) => return reply,
                    None => continue,
                }
            }
            let Some(name) = self.line(&format!("  Name [{}]:", view.default_name)) else {
                return Reply::Interrupted;
            };
            let name = if name.trim().is_empty() {
                view.default_name.clone()
            } else {
                name
            };
            self.say("  a approve   x reject");
            let decision = loop {
                match self.key() {
                    Some(Key::Char('a')) => break Decision::Approve,
                    Some(Key::Char('x')) => break Decision::Reject,
                    Some(_) => continue,
                    None => return Reply::Interrupted,
                }
            };
            let Some(comment) = self.line("  Comment (Enter for none):") else {
                return Reply::Interrupted;
            };
            return Reply::Answer(Action::Signoff(SignoffAnswer {
                name,
                decision,
                comment: Some(comment).filter(|c| !c.trim().is_empty()),
            }));
        }
    }

    fn ask_gate(&mut self, view: &GateView) -> Reply<GateAnswer> {
        let _ = self.term.clear_screen();
        self.shown = None;
        self.say(&self.style.bold(&format!("Go / no-go: {}", view.phase)));
        self.say("These required items did not pass:");
        for item in &view.items {
            let why = item
                .reason
                .as_deref()
                .or(item.note.as_deref())
                .unwrap_or("");
            self.say(&format!(
                "  {} {}  {}",
                self.style.red(item.status.as_str()),
                item.text,
                self.style.dim(why)
            ));
        }
        if let Some(message) = &view.message {
            self.say(&format!("  {}", self.style.yellow(message)));
        }
        self.say("");
        self.say(
            &self
                .style
                .dim("  c continue with a waiver  R roll back  x abort  b back  q quit"),
        );
        loop {
            let Some(key) = self.key() else {
                return Reply::Interrupted;
            };
            let answer = match key {
                Key::Char('c') => GateAnswer::Waive {
                    reason: match self.line("Waiver reason:") {
                        Some(r) => r,
                        None => return Reply::Interrupted,
                    },
                },
                Key::Char('R') => GateAnswer::Rollback {
                    reason: match self.line("Why roll back?") {
                        Some(r) => r,
                        None => return Reply::Interrupted,
                    },
                },
                Key::Char('x') => GateAnswer::Abort {
                    reason: match self.line("Why abort?") {
                        Some(r) => r,
                        None => return Reply::Interrupted,
                    },
                },
                Key::Char('b') => GateAnswer::Back,
                Key::Char('q') => return Reply::Quit,
                _ => continue,
            };
            return Reply::Answer(answer);
        }
    }

    fn ask_rollback_needed(&mut self, phase: &str) -> Reply<bool> {
        let _ = self.term.clear_screen();
        self.shown = None;
        self.say(&self.style.bold(phase));
        self.say("Is a rollback needed?  y yes, roll back   n no, skip these steps   q quit");
        loop {
            match self.key() {
                Some(Key::Char('y')) => return Reply::Answer(true),
                Some(Key::Char('n')) => return Reply::Answer(false),
                Some(Key::Char('q')) => return Reply::Quit,
                Some(_) => continue,
                None => return Reply::Interrupted,
            }
        }
    }

    fn command_started(&mut self, script: &str, timeout: Duration) {
        self.say(&self.style.dim(&format!(
            "  running (timeout {}; Ctrl-C stops it and pauses the run): {script}",
            human_duration(timeout.as_secs_f64())
        )));
        if let Ok(mut state) = self.spinner.lock() {
            state.running = true;
            state.started = Some(Instant::now());
            state.last_output = None;
            state.at_line_start = true;
        }
    }

    fn command_output(&mut self, chunk: &[u8]) {
        let Ok(mut state) = self.spinner.lock() else {
            return;
        };
        if state.drawn {
            let _ = self.term.write_str("\r\x1b[K");
            state.drawn = false;
        }
        let text = String::from_utf8_lossy(chunk);
        let _ = self.term.write_str(&text.replace('\n', "\r\n"));
        state.at_line_start = text.ends_with('\n');
        state.last_output = Some(Instant::now());
    }

    fn command_finished(&mut self, outcome: &exec::Outcome) {
        if let Ok(mut state) = self.spinner.lock() {
            if state.drawn {
                let _ = self.term.write_str("\r\x1b[K");
            } else if !state.at_line_start {
                let _ = self.term.write_line("");
            }
            *state = Spinner {
                at_line_start: true,
                ..Spinner::default()
            };
        }
        let line = format!(
            "  {} in {:.1} s",
            outcome.summary(),
            outcome.duration.as_secs_f64()
        );
        self.say(&if outcome.succeeded() {
            self.style.green(&line)
        } else {
            self.style.red(&line)
        });
    }

    fn overview(&mut self, _view: &Overview) -> Reply<()> {
        Reply::Answer(())
    }

    fn wait(&mut self, view: &WaitView, interrupted: &AtomicBool) -> Reply<WaitEnd> {
        let duration = view.left;
        let started = Instant::now();
        let width = 30;
        loop {
            if interrupted.load(Ordering::SeqCst) {
                return Reply::Interrupted;
            }
            let elapsed = started.elapsed();
            if elapsed >= duration {
                let _ = self.term.write_line("");
                return Reply::Answer(WaitEnd::Elapsed);
            }
            let done = (elapsed.as_secs_f64() / duration.as_secs_f64() * width as f64) as usize;
            let left = duration - elapsed;
            let _ = self.term.write_str(&format!(
                "\r\x1b[K  {}{} {} left  (c cut short)",
                self.style.cyan(&"█".repeat(done)),
                "░".repeat(width - done.min(width)),
                human_duration(left.as_secs_f64())
            ));
            match self.keys.recv_timeout(Duration::from_millis(500)) {
                Ok(Ok(Key::Char('c'))) => {
                    let _ = self.term.write_line("");
                    return Reply::Answer(WaitEnd::CutShort);
                }
                Ok(Ok(Key::CtrlC)) | Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => {
                    return Reply::Interrupted;
                }
                Ok(Ok(_)) | Err(RecvTimeoutError::Timeout) => {}
            }
        }
    }

    fn finish(&mut self, summary: &Summary) {
        self.say("");
        let outcome = summary.outcome.as_str().to_uppercase();
        let banner = match summary.outcome {
            crate::record::Outcome::Success => self.style.green(&outcome),
            _ => self.style.red(&outcome),
        };
        self.say(&format!("Run finished: {banner}"));
        let counts: Vec<String> = summary
            .counts
            .iter()
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        self.say(&format!("  {}", counts.join(", ")));
        if let Some(seconds) = summary.duration_seconds {
            self.say(&format!("  took {}", human_duration(seconds)));
        }
        for item in &summary.failed {
            self.say(&format!(
                "  {} {}",
                self.style.red(item.status.as_str()),
                item.text
            ));
        }
        for gate in &summary.gates {
            self.say(&format!(
                "  gate {}: {:?} {}",
                gate.phase,
                gate.decision,
                gate.reason.as_deref().unwrap_or("")
            ));
        }
        for signoff in &summary.signoffs {
            self.say(&format!(
                "  signed: {} {} ({:?})",
                signoff.role, signoff.name, signoff.decision
            ));
        }
    }
}
