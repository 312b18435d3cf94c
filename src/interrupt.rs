//! Ctrl-C, SIGTERM, SIGHUP and a closed terminal during a run.
//!
//! Every answer is already on disk when the next question is asked, so an
//! interruption only has to stop cleanly: never in the middle of a save,
//! and never leaving a command's process group behind. Whatever the cause,
//! the engine sees the run's flag at its next safe point (the prompter
//! polls it while it waits for a key; the executor, through
//! [`COMMAND_CANCEL`], kills the command's group), records an `interrupt`
//! event naming the cause ([`cause`]), saves, and the run exits 130. Only
//! if the engine has not ended the run within [`ENGINE_GRACE`] does the
//! handler exit by itself, after the save in progress, if any: a wedged
//! engine must not keep a cancelled CI job alive until its SIGKILL.
//!
//! Two flags, because Ctrl-C at the terminal means less than a signal: it
//! stops the command that runs and leaves the run alone. The run's flag
//! ends the run; the command flag only stops the command. A signal sets
//! both; the terminal's key reader sets only the command flag while a
//! command runs ([`cancel_command`]).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::exec::{Executor, Outcome, Spec};

/// Held by whoever writes the record; the signal handler takes it before
/// exiting so a save is never cut in half.
pub static SAVING: Mutex<()> = Mutex::new(());

/// How long the engine has, from the signal, to stop the command in
/// flight (SIGTERM, its grace, SIGKILL: about 3 s), record the interruption
/// and save. Under the 7.5 s GitHub Actions gives between its SIGINT and
/// its SIGTERM on a cancelled job (docs/CI.md).
const ENGINE_GRACE: Duration = Duration::from_secs(6);

/// Set while a command runs: then the engine, not the handler, ends the run.
static IN_COMMAND: AtomicBool = AtomicBool::new(false);

/// What the executor of the command in flight polls: set, it stops the
/// command. Cleared as each command starts.
static COMMAND_CANCEL: AtomicBool = AtomicBool::new(false);

/// What ended the run, for the `interrupt` event's detail: the first cause
/// wins (a SIGHUP that follows the terminal's EOF is the same hang-up).
static CAUSE: OnceLock<&'static str> = OnceLock::new();

/// The operator pressed Ctrl-C at a prompt.
pub const CTRL_C: &str = "Ctrl-C";
/// The terminal went away without a signal: reading it gave EOF or EIO.
pub const TERMINAL_CLOSED: &str = "terminal closed";

/// Whether a command is running now.
pub fn in_command() -> bool {
    IN_COMMAND.load(Ordering::SeqCst)
}

/// Stops the command in flight, if any, and nothing else.
pub fn cancel_command() {
    COMMAND_CANCEL.store(true, Ordering::SeqCst);
}

/// What interrupted the run: `SIGINT`, `SIGTERM`, `SIGHUP`, [`CTRL_C`] or
/// [`TERMINAL_CLOSED`]; `None` when nothing did (or in a test of the
/// engine, where nothing sets it).
pub fn cause() -> Option<&'static str> {
    CAUSE.get().copied()
}

/// Ends the run for `cause`: the engine stops at its next safe point, and
/// a command in flight is stopped. The cause is set before the flag, so
/// whoever sees the flag finds the cause.
pub fn stop(flag: &AtomicBool, cause: &'static str) {
    let _ = CAUSE.set(cause);
    flag.store(true, Ordering::SeqCst);
    cancel_command();
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

/// The line that ends an interrupted run, on stderr. Written, not
/// `eprintln!`ed: with the terminal gone the write fails (EIO), and a
/// failed `eprintln!` panics.
pub fn say_interrupted(resume: &str) {
    let how = match cause() {
        Some(cause) => format!("interrupted ({cause})"),
        None => "interrupted".to_string(),
    };
    let _ = writeln!(
        std::io::stderr(),
        "\n{how}: every answer so far is saved; {resume}"
    );
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        SIGHUP => "SIGHUP",
        SIGTERM => "SIGTERM",
        _ => "SIGINT",
    }
}

/// A write past the file-size limit (`ulimit -f`) fails with EFBIG, as a
/// full disk fails with ENOSPC, instead of SIGXFSZ killing relcheck with
/// no word, its terminal raw, its temporary file and lock left behind:
/// the save's error then says what is safe and how to go on (exit 4).
/// A handler, not "ignore": commands run get the default back on exec.
pub fn survive_file_size_limit() {
    let _ = signal_hook::flag::register(
        signal_hook::consts::SIGXFSZ,
        Arc::new(AtomicBool::new(false)),
    );
}

/// Installs the handler. `flag` is the engine's interruption flag; `resume`
/// is the line that tells the user how to go on.
pub fn install(flag: Arc<AtomicBool>, resume: String) -> anyhow::Result<()> {
    // Later signals (bash passes its SIGHUP on to its jobs; a CI runner
    // follows SIGINT with SIGTERM) are caught and change nothing.
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            stop(&flag, signal_name(signal));
            // The engine ends the run and the process exits from `main`;
            // this thread only steps in if that does not happen.
            let deadline = Instant::now() + ENGINE_GRACE;
            while Instant::now() < deadline && !REPORTED.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _guard = SAVING.lock();
            if REPORTED.load(Ordering::SeqCst) {
                return;
            }
            if let Some(hook) = ON_EXIT.get() {
                hook();
            }
            say_interrupted(&resume);
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
