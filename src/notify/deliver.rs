//! Posting in the background: a thread and a queue per target, a 3-second
//! timeout per attempt and one retry, and a bounded wait at exit. Shared
//! counts tell the runner what was delivered and the record what was not.

use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{Message, Target};

/// How long one attempt to post may take, connecting included.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long relcheck waits at exit for notifications still queued.
pub const DRAIN: Duration = Duration::from_secs(3);
/// Between the attempt and the retry: a hook restarting gets a moment.
const RETRY_PAUSE: Duration = Duration::from_millis(200);

/// A notification (or, when relcheck gave up waiting, several) not
/// delivered to `target`.
pub(crate) struct Failure {
    pub target: usize,
    pub count: usize,
    pub kind: String,
    pub error: String,
}

impl Failure {
    /// The record's `notify-failed` detail: no URL path, which may be
    /// the hook's secret.
    pub fn detail(&self, label: &str) -> String {
        format!("{} to {label}: {}", self.kind, self.error)
    }
}

#[derive(Default)]
struct PerTarget {
    sent: usize,
    pending: usize,
    failed: usize,
    last_error: String,
}

#[derive(Default)]
struct State {
    targets: Vec<PerTarget>,
    failures: Vec<Failure>,
    /// How many of `failures` the record already has.
    logged: usize,
    /// The wait at exit is over: results arriving after it are not news.
    closed: bool,
}

pub(crate) struct Shared {
    state: Mutex<State>,
    idle: Condvar,
}

impl Shared {
    pub fn new(targets: usize) -> Shared {
        let mut state = State::default();
        state.targets.resize_with(targets, PerTarget::default);
        Shared {
            state: Mutex::new(state),
            idle: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not take the run down with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn queued(&self, target: usize) {
        let mut state = self.lock();
        state.targets[target].sent += 1;
        state.targets[target].pending += 1;
    }

    fn delivered(&self, target: usize) {
        let mut state = self.lock();
        let per = &mut state.targets[target];
        per.pending = per.pending.saturating_sub(1);
        self.idle.notify_all();
    }

    pub fn failed(&self, target: usize, count: usize, kind: &str, error: &str) {
        let mut state = self.lock();
        if state.closed {
            return;
        }
        let per = &mut state.targets[target];
        per.pending = per.pending.saturating_sub(count);
        per.failed += count;
        per.last_error = error.to_string();
        state.failures.push(Failure {
            target,
            count,
            kind: kind.to_string(),
            error: error.to_string(),
        });
        self.idle.notify_all();
    }

    /// Failures not yet handed out.
    pub fn take_new(&self) -> Vec<Failure> {
        let mut state = self.lock();
        let from = state.logged;
        state.logged = state.failures.len();
        state.failures[from..]
            .iter()
            .map(|f| Failure {
                target: f.target,
                count: f.count,
                kind: f.kind.clone(),
                error: f.error.clone(),
            })
            .collect()
    }

    pub fn drain(&self, budget: Duration) {
        let deadline = Instant::now() + budget;
        let mut state = self.lock();
        while state.targets.iter().any(|t| t.pending > 0) {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            state = self
                .idle
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        let late: Vec<(usize, usize)> = state
            .targets
            .iter()
            .enumerate()
            .filter(|(_, t)| t.pending > 0)
            .map(|(i, t)| (i, t.pending))
            .collect();
        drop(state);
        for (target, pending) in late {
            self.failed(
                target,
                pending,
                &format!(
                    "{pending} notification{}",
                    if pending == 1 { "" } else { "s" }
                ),
                "still on the way when relcheck exited",
            );
        }
        self.lock().closed = true;
    }

    /// Per target: failed, sent, and the last error.
    pub fn totals(&self) -> Vec<(usize, usize, String)> {
        self.lock()
            .targets
            .iter()
            .map(|t| (t.failed, t.sent, t.last_error.clone()))
            .collect()
    }
}

/// The thread that posts to `target`, fed through the sender returned.
pub(crate) fn spawn(index: usize, target: Target, shared: Arc<Shared>) -> Sender<Message> {
    let (sender, receiver) = channel::<Message>();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(ATTEMPT_TIMEOUT))
        // A hook that redirects would get the body elsewhere: not followed.
        .max_redirects(0)
        .user_agent(format!("relcheck/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    // Detached: at exit the runner waits for it at most DRAIN, then the
    // process ends with it.
    let spawned = std::thread::Builder::new()
        .name(format!("notify-{index}"))
        .spawn(move || {
            for message in receiver {
                let result = post(&agent, &target.url, &message).or_else(|_| {
                    std::thread::sleep(RETRY_PAUSE);
                    post(&agent, &target.url, &message)
                });
                match result {
                    Ok(()) => shared.delivered(index),
                    Err(err) => shared.failed(index, 1, &message.kind, &err),
                }
            }
        });
    if let Err(err) = spawned {
        // Nothing will deliver: each message then fails as it is sent.
        eprintln!("warning: --notify: cannot start delivery: {err}");
    }
    sender
}

fn post(agent: &ureq::Agent, url: &str, message: &Message) -> Result<(), String> {
    agent
        .post(url)
        .header("Content-Type", message.content_type)
        .send(message.body.as_bytes())
        .map_err(|err| match err {
            ureq::Error::StatusCode(code) => format!("HTTP status {code}"),
            ureq::Error::Timeout(_) => {
                format!("no answer within {} s, twice", ATTEMPT_TIMEOUT.as_secs())
            }
            // A TLS failure carries its reason inside; an OS error's kind
            // says it without the errno.
            ureq::Error::Io(io) if io.get_ref().is_some() => io.to_string(),
            ureq::Error::Io(io) => io.kind().to_string(),
            other => other.to_string(),
        })
        // A redirect (not followed) did not deliver either.
        .and_then(|response| match response.status().as_u16() {
            200..=299 => Ok(()),
            code => Err(format!("HTTP status {code}")),
        })
}
