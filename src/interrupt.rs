//! Ctrl-C, SIGTERM and a closed terminal (SIGHUP) during a run.
//!
//! Every answer is already on disk when the next question is asked, so an
//! interruption only has to stop cleanly: never in the middle of a save,
//! and never leaving a command's process group behind. A command in flight
//! is cancelled through the shared flag (the executor kills its group) and
//! the engine saves and returns; otherwise the process exits at once with
//! 130 after the save in progress, if any, completes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::exec::{Executor, Outcome, Spec};

/// Held by whoever writes the record; the signal handler takes it before
/// exiting so a save is never cut in half.
pub static SAVING: Mutex<()> = Mutex::new(());

/// Set while a command runs: then the engine, not the handler, ends the run.
static IN_COMMAND: AtomicBool = AtomicBool::new(false);

/// Set when the run itself reports the interruption, so the handler does
/// not say it twice.
static REPORTED: AtomicBool = AtomicBool::new(false);

/// The run is ending on an interruption and says so itself.
pub fn reported() {
    REPORTED.store(true, Ordering::SeqCst);
}

/// Installs the handler. `flag` is the engine's interruption flag; `resume`
/// is the line that tells the user how to go on.
pub fn install(flag: Arc<AtomicBool>, resume: String) -> anyhow::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            flag.store(true, Ordering::SeqCst);
            if IN_COMMAND.load(Ordering::SeqCst) {
                // The executor kills the command and the engine saves; give
                // it time, then go anyway.
                let deadline = Instant::now() + Duration::from_secs(5);
                while Instant::now() < deadline && IN_COMMAND.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(50));
                }
                std::thread::sleep(Duration::from_millis(500));
            }
            let _guard = SAVING.lock();
            if REPORTED.load(Ordering::SeqCst) {
                return;
            }
            crate::term::restore_terminal();
            let _ = console::Term::stdout().show_cursor();
            let name = match signal {
                SIGHUP => "terminal closed",
                SIGTERM => "terminated",
                _ => "interrupted",
            };
            eprintln!("\n{name}: every answer so far is saved; {resume}");
            std::process::exit(130);
        }
    });
    Ok(())
}

/// An executor that tells the handler a command is running.
pub struct Guarded<'a>(pub &'a dyn Executor);

impl Executor for Guarded<'_> {
    fn run(
        &self,
        spec: &Spec,
        on_output: &mut dyn FnMut(&[u8]),
        cancel: &AtomicBool,
    ) -> std::io::Result<Outcome> {
        IN_COMMAND.store(true, Ordering::SeqCst);
        let result = self.0.run(spec, on_output, cancel);
        IN_COMMAND.store(false, Ordering::SeqCst);
        result
    }
}
