//! Running a step's command. The command goes to `sh -c` in a process group
//! of its own, with stdin closed and stdout and stderr merged into one pipe
//! so the output reads in the order it was printed. Every chunk is streamed
//! to the caller as it arrives and the last [`TAIL_BYTES`] are kept for the
//! record. A timeout or the cancel flag takes the whole group down, so a
//! step cannot leave a grandchild running behind relcheck.
//!
//! There is no terminal here: the caller decides what to show. [`Executor`]
//! is the seam; [`Shell`] is the real one and [`Fake`] the scripted one that
//! the modules above use in their tests (`exec/fake.rs`); `exec/tail.rs`
//! keeps the end of the output.

use std::collections::BTreeMap;
use std::io::{self, PipeReader, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// How much output an [`Outcome`] keeps: the end of a log is where the
/// error is, and a record should not grow with a chatty build.
pub const TAIL_BYTES: usize = 64 * 1024;

/// The longest the cancel flag and the clock go unchecked.
const POLL: Duration = Duration::from_millis(100);
/// How long to keep reading once the shell has exited. Its last words may
/// still be in the pipe, but a background child holding the pipe would keep
/// it open for ever.
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(1);
/// Between SIGTERM and SIGKILL: time for the group to clean up.
pub const KILL_GRACE: Duration = Duration::from_secs(2);
/// After SIGKILL every member is gone, but a process that left the group
/// (`setsid`) may still hold the pipe; stop waiting for it after this.
const ABANDON_AFTER: Duration = Duration::from_secs(1);
/// One read from the pipe.
const READ_BYTES: usize = 16 * 1024;
/// Chunks in flight between the reader thread and the caller. Bounded so a
/// slow `on_output` slows the command (the pipe fills) instead of memory
/// filling up.
const CHANNEL_DEPTH: usize = 8;

/// How long a command may run when its item sets no `timeout=`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// What to run: a shell script (variables already substituted), how long it
/// may take, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub script: String,
    pub timeout: Duration,
    /// The working directory; the caller's when `None`.
    pub cwd: Option<PathBuf>,
    /// Set for the command on top of relcheck's own environment: every
    /// value as `RELCHECK_VAR_<NAME>` ([`variables_env`]).
    pub env: Vec<(String, String)>,
}

/// How a command ended and what it printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The shell's exit code; `None` when a signal ended it.
    pub exit_code: Option<i32>,
    /// The signal that ended the shell, if one did.
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub cancelled: bool,
    /// Told to stop, its group outlived the grace after SIGTERM and was
    /// killed (SIGKILL). A record says which, as evidence should.
    pub killed: bool,
    /// The time it was given: the item's `timeout=`, or the default.
    pub timeout: Duration,
    /// Wall time from start until the group was gone, including the grace
    /// given to a group that was told to stop.
    pub duration: Duration,
    /// The last [`TAIL_BYTES`] of stdout and stderr as printed, lossy UTF-8,
    /// starting at a line (or at least a character) boundary.
    pub output: String,
    /// Bytes printed but not in `output`.
    pub truncated_bytes: u64,
}

impl Outcome {
    /// A command that exited with `code` after printing `output`: the usual
    /// shape to script a [`Fake`] with.
    pub fn exited(code: i32, output: impl Into<String>) -> Outcome {
        Outcome {
            exit_code: Some(code),
            output: output.into(),
            ..Outcome::default()
        }
    }

    /// Exit 0, and nobody had to stop it.
    pub fn succeeded(&self) -> bool {
        !self.timed_out && !self.cancelled && self.exit_code == Some(0)
    }

    /// [`summary`](Self::summary), and for a command relcheck stopped,
    /// how: "timed out after 3 s; stopped with SIGTERM", and ", then
    /// SIGKILL after 2 s" when the grace ran out.
    pub fn detail(&self) -> String {
        if self.cancelled || self.timed_out {
            format!("{}; {}", self.summary(), stopping(self.killed))
        } else {
            self.summary()
        }
    }

    /// How it ended, in a few words: "exit 2", "timed out after 3 s".
    /// Why relcheck stopped it comes before how it died. A timeout names
    /// the time asked, not the time taken, which adds the stopping grace
    /// ([`stopping`]).
    pub fn summary(&self) -> String {
        if self.cancelled {
            "interrupted".to_string()
        } else if self.timed_out {
            format!("timed out after {}", limit(self.timeout))
        } else if let Some(code) = self.exit_code {
            format!("exit {code}")
        } else if let Some(signal) = self.signal {
            format!("killed by signal {signal}")
        } else {
            "no exit status".to_string()
        }
    }
}

/// "timed out after 3 s": the limit as the checklist gives it (`300`
/// and `5m` both say "5 min"), not the time the command took.
pub fn timed_out_after(seconds: u64) -> String {
    format!("timed out after {}", limit(Duration::from_secs(seconds)))
}

/// A limit in the largest unit that keeps it whole; a checklist's is whole
/// seconds, a test's may be less.
fn limit(limit: Duration) -> String {
    if limit.subsec_nanos() != 0 {
        return format!("{} ms", limit.as_millis());
    }
    match limit.as_secs() {
        s if s >= 3600 && s.is_multiple_of(3600) => format!("{} h", s / 3600),
        s if s >= 60 && s.is_multiple_of(60) => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// How a command that was told to stop was stopped, said apart from why:
/// "stopped with SIGTERM", and ", then SIGKILL after 2 s" when it was
/// `killed` (still there when the grace ran out).
pub fn stopping(killed: bool) -> String {
    if killed {
        format!(
            "stopped with SIGTERM, then SIGKILL after {} s",
            KILL_GRACE.as_secs()
        )
    } else {
        "stopped with SIGTERM".to_string()
    }
}

/// Runs a [`Spec`]. `on_output` sees every chunk of output as it arrives
/// (chunks may split a line or a UTF-8 character); `cancel` is polled while
/// the command runs, and setting it stops the command.
pub trait Executor {
    fn run(
        &self,
        spec: &Spec,
        on_output: &mut dyn FnMut(&[u8]),
        cancel: &AtomicBool,
    ) -> io::Result<Outcome>;
}

/// Quotes `value` as one word for a POSIX shell. Words made only of
/// characters no shell treats specially (`1.2.3`, `production`,
/// `registry/app:v1`) stay bare so the command shown stays readable; the
/// rest go in single quotes, inside which only `'` itself needs care.
pub fn shell_quote(value: &str) -> String {
    // Not `=` (a bare `a=b` first word is an assignment), not `%` (a job
    // spec), not `~` (expands at the start of a word).
    let bare = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./:,+@".contains(&b));
    if bare {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// Whether `value` means nothing to a shell in any quoting context a
/// checklist may put it in (bare, in double quotes, in a heredoc, in
/// backticks, in `sh -c "..."`): letters, digits and `._-/:@+=,%`. Only
/// such a value is put into a command's text; any value reaches the
/// command as `RELCHECK_VAR_<NAME>` (docs/FORMAT.md).
pub fn shell_safe(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/:@+=,%".contains(&b))
}

/// Why a command cannot be filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unfilled {
    /// Names with no value, each once, in order of first use.
    Missing(Vec<String>),
    /// Names whose value a shell could read as code (not [`shell_safe`]).
    Unsafe(Vec<String>),
}

/// `command` with each `{{name}}` replaced by its value, by the one set of
/// rules in [`template`](crate::template). A value goes into the text only
/// when it is [`shell_safe`]: quoting cannot make a value safe in every
/// context a command may put it in (`"{{v}}"`, a heredoc, `bash -c`), so
/// no value can become shell code whatever the checklist does.
pub fn substitute(command: &str, values: &BTreeMap<String, String>) -> Result<String, Unfilled> {
    let script =
        crate::template::substitute(command, values, str::to_string).map_err(Unfilled::Missing)?;
    let mut hostile: Vec<String> = Vec::new();
    let mut once = crate::template::Once::default();
    for placeholder in crate::template::placeholders(command) {
        let name = placeholder.name;
        let safe = values.get(name).is_some_and(|value| shell_safe(value));
        if !safe && once.first(name) {
            hostile.push(name.to_string());
        }
    }
    if hostile.is_empty() {
        Ok(script)
    } else {
        Err(Unfilled::Unsafe(hostile))
    }
}

/// Why a command with a value a shell could read as code does not run,
/// and what to write instead.
pub fn unsafe_message(names: &[String]) -> String {
    let uses: Vec<String> = names
        .iter()
        .map(|name| format!("\"${}\"", env_name(name)))
        .collect();
    let named: Vec<String> = names.iter().map(|name| format!("{{{{{name}}}}}")).collect();
    format!(
        "not run: the value of {} holds characters a shell would read (spaces, quotes, $, ...), so it is not put into the command; write {} in the command instead",
        named.join(", "),
        uses.join(", ")
    )
}

/// The environment variable a value reaches a command as:
/// `RELCHECK_VAR_` and the name in capitals, anything but a letter or a
/// digit made `_` (`version` -> `RELCHECK_VAR_VERSION`).
pub fn env_name(name: &str) -> String {
    let mut out = String::from("RELCHECK_VAR_");
    out.extend(name.chars().map(|c| {
        if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        }
    }));
    out
}

/// Every value of a run, for a command's environment.
pub fn variables_env(values: &BTreeMap<String, String>) -> Vec<(String, String)> {
    values
        .iter()
        .map(|(name, value)| (env_name(name), value.clone()))
        .collect()
}

/// The real executor: `sh -c SCRIPT`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shell;

impl Executor for Shell {
    fn run(
        &self,
        spec: &Spec,
        on_output: &mut dyn FnMut(&[u8]),
        cancel: &AtomicBool,
    ) -> io::Result<Outcome> {
        let started = Instant::now();
        if cancel.load(Ordering::Relaxed) {
            // Nothing to stop yet, so start nothing.
            return Ok(Outcome {
                cancelled: true,
                ..Outcome::default()
            });
        }
        let mut running = Running::spawn(spec, on_output)?;
        // `None`: a timeout too long for the clock to hold, so none.
        let deadline = started.checked_add(spec.timeout);
        let stop = running.wait_for_exit(deadline, cancel)?;
        let killed = match stop {
            // A background child holding the pipe after the shell exited
            // is stopped too, but the command itself ended by itself.
            Stop::Exited => {
                running.drain_after_exit(cancel)?;
                false
            }
            Stop::TimedOut | Stop::Cancelled => running.terminate()?,
        };
        let (status, tail) = running.finish()?;
        let (output, truncated_bytes) = tail.into_text();
        Ok(Outcome {
            exit_code: status.code(),
            signal: status.signal(),
            timed_out: stop == Stop::TimedOut,
            cancelled: stop == Stop::Cancelled,
            killed,
            timeout: spec.timeout,
            duration: started.elapsed(),
            output,
            truncated_bytes,
        })
    }
}

/// Why the wait for the shell ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Exited,
    TimedOut,
    Cancelled,
}

/// A spawned shell, the group it leads, and its output.
struct Running<'a> {
    child: Child,
    /// The shell leads its own group, so the group's id is its pid.
    group: Pid,
    /// Set once the shell has been reaped.
    status: Option<ExitStatus>,
    output: Output<'a>,
}

impl<'a> Running<'a> {
    fn spawn(spec: &Spec, on_output: &'a mut dyn FnMut(&[u8])) -> io::Result<Running<'a>> {
        let (reader, writer) = io::pipe()?;
        // The reader thread starts first: if the spawn below fails, the
        // write ends are dropped with the Command and the thread sees EOF.
        let chunks = read_in_background(reader)?;
        let child = {
            // One pipe for both streams keeps them in the order printed.
            // This block drops the Command, and with it our copies of the
            // write end, once the child has its own: else EOF never comes.
            let mut command = Command::new("sh");
            command
                .arg("-c")
                .arg(&spec.script)
                .stdin(Stdio::null())
                .stdout(writer.try_clone()?)
                .stderr(writer)
                .process_group(0);
            if let Some(cwd) = &spec.cwd {
                command.current_dir(cwd);
            }
            command.envs(spec.env.iter().map(|(k, v)| (k, v)));
            command.spawn().map_err(|err| {
                let place = spec
                    .cwd
                    .as_ref()
                    .map(|cwd| format!(" in {}", cwd.display()))
                    .unwrap_or_default();
                io::Error::new(err.kind(), format!("cannot start `sh`{place}: {err}"))
            })?
        };
        // A pid always fits in pid_t; std hands it out as u32.
        let group = Pid::from_raw(child.id() as i32);
        Ok(Running {
            child,
            group,
            status: None,
            output: Output {
                chunks,
                open: true,
                tail: Tail::new(TAIL_BYTES),
                on_output,
            },
        })
    }

    /// Streams output until the shell exits, the deadline passes or the
    /// flag is set, whichever comes first.
    fn wait_for_exit(
        &mut self,
        deadline: Option<Instant>,
        cancel: &AtomicBool,
    ) -> io::Result<Stop> {
        loop {
            // Exit first: a command that finished just as time ran out
            // finished.
            if self.exited()? {
                return Ok(Stop::Exited);
            }
            if cancel.load(Ordering::Relaxed) {
                return Ok(Stop::Cancelled);
            }
            let wait = match deadline {
                None => POLL,
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left.min(POLL),
                    _ => return Ok(Stop::TimedOut),
                },
            };
            self.output.pump(wait);
        }
    }

    /// The shell has exited: read what it left in the pipe, and if a
    /// background child is still holding the pipe after a moment, stop the
    /// group rather than wait on it. A background child that let go of the
    /// pipe (`nohup ... > log &`) is left alone: that was asked for.
    fn drain_after_exit(&mut self, cancel: &AtomicBool) -> io::Result<()> {
        let until = Instant::now() + DRAIN_AFTER_EXIT;
        while self.output.open {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() || cancel.load(Ordering::Relaxed) {
                return self.terminate().map(|_| ());
            }
            self.output.pump(left.min(POLL));
        }
        Ok(())
    }

    /// SIGTERM to the whole group, a grace period, then SIGKILL. Returns
    /// whether the grace ran out with the shell or its output still there
    /// (the SIGKILL is sent either way, for members that left the pipe).
    fn terminate(&mut self) -> io::Result<bool> {
        self.signal(Signal::SIGTERM);
        let until = Instant::now() + KILL_GRACE;
        let mut killed = false;
        loop {
            // Settled once the shell is gone and nothing holds the pipe.
            // Whether members with their output elsewhere remain cannot be
            // told portably (`kill -0` counts zombies, and a container's
            // PID 1 may never reap them), so the SIGKILL below goes anyway.
            if self.exited()? && !self.output.open {
                break;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                killed = true;
                break;
            }
            self.output.pump(left.min(POLL));
        }
        self.signal(Signal::SIGKILL);
        let until = Instant::now() + ABANDON_AFTER;
        while self.output.open {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            self.output.pump(left.min(POLL));
        }
        Ok(killed)
    }

    /// Signals every process in the group. Safe from hitting a stranger:
    /// the id stays the group's while the unreaped shell or any member
    /// lives, and a group that emptied after the reap would need the pid
    /// counter to wrap around in the moment since.
    fn signal(&self, signal: Signal) {
        // ESRCH: nobody left, which is the goal. EPERM: a member changed
        // its credentials; nothing more can be done about it from here.
        let _ = killpg(self.group, signal);
    }

    /// Reaps the shell if it has not been, without blocking once it has.
    fn exited(&mut self) -> io::Result<bool> {
        if self.status.is_none() {
            self.status = self.child.try_wait()?;
        }
        Ok(self.status.is_some())
    }

    /// The shell's status and the output kept. Only called once the shell
    /// has exited or been killed, so the wait is short.
    fn finish(mut self) -> io::Result<(ExitStatus, Tail)> {
        let status = match self.status {
            Some(status) => status,
            None => self.child.wait()?,
        };
        self.status = Some(status);
        Ok((status, std::mem::take(&mut self.output.tail)))
    }
}

impl Drop for Running<'_> {
    /// An error or a panic in `on_output` must not leave the command
    /// running: kill the group and reap the shell.
    fn drop(&mut self) {
        if self.status.is_none() {
            self.signal(Signal::SIGKILL);
            let _ = self.child.wait();
        }
    }
}

/// Reads the pipe on a thread of its own, so the waiting loop can wake for
/// the clock and the cancel flag. The channel closes at EOF. The thread is
/// never joined: a process that escaped the group could hold the pipe open
/// for ever, and then the thread ends with it instead.
fn read_in_background(mut pipe: PipeReader) -> io::Result<Receiver<Vec<u8>>> {
    let (sender, receiver) = mpsc::sync_channel::<Vec<u8>>(CHANNEL_DEPTH);
    thread::Builder::new()
        .name("relcheck-exec-output".to_string())
        .spawn(move || {
            let mut buf = vec![0; READ_BYTES];
            loop {
                let n = match pipe.read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => n,
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    // A read error ends the output as EOF does: the
                    // command's status still says how it went.
                    Err(_) => return,
                };
                if sender.send(buf[..n].to_vec()).is_err() {
                    // The run is over and nobody is listening.
                    return;
                }
            }
        })?;
    Ok(receiver)
}

/// The receiving end of the output: every chunk goes to the caller and to
/// the tail.
struct Output<'a> {
    chunks: Receiver<Vec<u8>>,
    /// False once the pipe has reached EOF.
    open: bool,
    tail: Tail,
    on_output: &'a mut dyn FnMut(&[u8]),
}

impl Output<'_> {
    /// Takes the next chunk if one comes within `wait`; after EOF, just
    /// waits, so the callers' loops keep their pace.
    fn pump(&mut self, wait: Duration) {
        if !self.open {
            thread::sleep(wait);
            return;
        }
        match self.chunks.recv_timeout(wait) {
            Ok(chunk) => {
                (self.on_output)(&chunk);
                self.tail.push(&chunk);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => self.open = false,
        }
    }
}

mod fake;
mod tail;

pub use fake::Fake;
use tail::Tail;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod quoting_tests;
