//! A command's output as it comes, with a spinner line while the command
//! is quiet, so a slow step does not look hung. Only where the terminal
//! can redraw a line; elsewhere output is written as it comes, and nothing
//! else.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use console::Term;

use crate::session::human_duration;

#[derive(Default)]
struct State {
    running: bool,
    started: Option<Instant>,
    last_output: Option<Instant>,
    /// A spinner line is on screen and must be cleared before output.
    drawn: bool,
    at_line_start: bool,
}

pub struct Output {
    term: Term,
    /// None where lines cannot be redrawn.
    spinner: Option<Arc<Mutex<State>>>,
    /// The last output written ended a line (dumb terminals).
    at_line_start: bool,
}

impl Output {
    pub fn new(term: Term, escapes: bool) -> Output {
        Output {
            spinner: escapes.then(|| spin(term.clone())),
            term,
            at_line_start: true,
        }
    }

    pub fn started(&mut self) {
        self.at_line_start = true;
        if let Some(spinner) = &self.spinner
            && let Ok(mut state) = spinner.lock()
        {
            state.running = true;
            state.started = Some(Instant::now());
            state.last_output = None;
            state.at_line_start = true;
        }
    }

    pub fn chunk(&mut self, chunk: &[u8]) {
        // A command's output is shown as text: its escape sequences could
        // clear the screen or hide what the operator must read.
        let text = String::from_utf8_lossy(chunk);
        let text = crate::printable::printable(&text);
        if text.is_empty() {
            return;
        }
        self.at_line_start = text.ends_with('\n');
        let Some(spinner) = &self.spinner else {
            let _ = self.term.write_str(&text);
            return;
        };
        let Ok(mut state) = spinner.lock() else {
            return;
        };
        if state.drawn {
            let _ = self.term.write_str("\r\x1b[K");
            state.drawn = false;
        }
        let _ = self.term.write_str(&text);
        state.at_line_start = self.at_line_start;
        state.last_output = Some(Instant::now());
    }

    /// Stops the spinner and ends the output's last line.
    pub fn finished(&mut self) {
        if let Some(spinner) = &self.spinner
            && let Ok(mut state) = spinner.lock()
        {
            if state.drawn {
                let _ = self.term.write_str("\r\x1b[K");
                self.at_line_start = true;
            }
            *state = State {
                at_line_start: true,
                ..State::default()
            };
        }
        if !self.at_line_start {
            let _ = self.term.write_line("");
        }
        self.at_line_start = true;
    }
}

/// The spinner's thread: a line that says a quiet command still runs.
fn spin(term: Term) -> Arc<Mutex<State>> {
    let spinner = Arc::new(Mutex::new(State {
        at_line_start: true,
        ..State::default()
    }));
    let ticker = Arc::clone(&spinner);
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
                let _ = term.write_str(&format!(
                    "\r\x1b[K{} running, {}",
                    frames[frame],
                    human_duration(elapsed as f64)
                ));
                state.drawn = true;
            }
        }
    });
    spinner
}
