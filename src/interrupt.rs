//! Ctrl-C, SIGTERM and a closed terminal (SIGHUP) during a run.
//!
//! Every answer is already on disk when the next question is asked, so an
//! interruption only has to stop cleanly: never in the middle of a save,
//! and never leaving a command's process group behind. A command in flight
//! is cancelled through [`COMMAND_CANCEL`] (the executor kills its group)
//! and the engine saves and returns; otherwise the process exits at once
//! with 130 after the save in progress, if any, completes.
//!
//! Two flags, because Ctrl-C at the terminal means less than a signal: it
//! stops the command that runs and leaves the run alone. The run's flag
//! ends the run; the command flag only stops the command. A signal sets
//! both; the terminal's key reader sets only the command flag while a
//! command runs ([`cancel_command`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::exec::{Executor, Outcome, Spec};

/// Held by whoever writes the record; the signal handler takes it before
/// exiting so a save is never cut in half.
pub static SAVING: Mutex<()> = Mutex::new(());

/// Set while a command runs: then the engine, not the handler, ends the run.
static IN_COMMAND: AtomicBool = AtomicBool::new(false);

/// What the executor of the command in flight polls: set, it stops the
/// command. Cleared as each command starts.
static COMMAND_CANCEL: AtomicBool = AtomicBool::new(false);

/// Whether a command is running now.
pub fn in_command() -> bool {
    IN_COMMAND.load(Ordering::SeqCst)
}

/// Stops the command in flight, if any, and nothing else.
pub fn cancel_command() {
    COMMAND_CANCEL.store(true, Ordering::SeqCst);
}

/// Set when the run itself reports the interruption, so the handler does
/// not say it twice.
static REPORTED: AtomicBool = AtomicBool::new(false);

/// What must happen before the process exits on a signal: the terminal
/// prompter puts the terminal back. Registered by whoever needs it, so this
/// module knows nothing of terminals.
static ON_EXIT: OnceLock<fn()> = OnceLock::new();

/// Runs `hook` before an exit on a signal (once; a second call is ignored).
pub fn on_exit(hook: fn()) {
    let _ = ON_EXIT.set(hook);
}

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
            cancel_command();
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
            if let Some(hook) = ON_EXIT.get() {
                hook();
            }
            let name = match signal {
                SIGHUP => "terminal closed",
                SIGTERM => "terminated",
                _ => "interrupted",
            };
            eprintln!("\n{name}: every answer so far is saved; {resume}");
            // No destructor runs on this exit: let go of the record's lock
            // here, or the next run would find it stale.
            crate::record::release_held();
            std::process::exit(130);
        }
    });
    Ok(())
}

/// An executor that tells the handler a command is running, and stops the
/// command on [`COMMAND_CANCEL`] rather than on the run's flag alone.
pub struct Guarded<'a>(pub &'a dyn Executor);

impl Executor for Guarded<'_> {
    fn run(
        &self,
        spec: &Spec,
        on_output: &mut dyn FnMut(&[u8]),
        cancel: &AtomicBool,
    ) -> std::io::Result<Outcome> {
        // A run already ending starts no command; a Ctrl-C meant for the
        // last command does not stop this one.
        COMMAND_CANCEL.store(cancel.load(Ordering::SeqCst), Ordering::SeqCst);
        IN_COMMAND.store(true, Ordering::SeqCst);
        // A signal between the two stores above would be lost otherwise.
        if cancel.load(Ordering::SeqCst) {
            cancel_command();
        }
        let result = self.0.run(spec, on_output, &COMMAND_CANCEL);
        IN_COMMAND.store(false, Ordering::SeqCst);
        result
    }
}
