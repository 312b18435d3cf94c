//! The scripted executor the modules above `exec` test with.

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, PoisonError};

use super::{Executor, Outcome, Spec};

/// A scripted [`Executor`] for tests of the modules that run steps: it
/// runs nothing, hands back the queued outcomes in order (streaming each
/// one's `output` to `on_output` first), and remembers every [`Spec`] it
/// was given. Running out of outcomes is an error, so a test that runs
/// more than it scripted fails loudly. It ignores `cancel`: script a
/// cancelled [`Outcome`] to test that path.
///
/// ```
/// use std::sync::atomic::AtomicBool;
/// use std::time::Duration;
/// use relcheck::exec::{Executor, Fake, Outcome, Spec};
///
/// let fake = Fake::new([Outcome::exited(0, "deployed\n")]);
/// let spec = Spec { script: "./deploy".into(), timeout: Duration::from_secs(60), cwd: None, env: Vec::new() };
/// let outcome = fake.run(&spec, &mut |_| {}, &AtomicBool::new(false)).unwrap();
/// assert!(outcome.succeeded());
/// assert_eq!(fake.specs(), [spec]);
/// ```
#[derive(Debug, Default)]
pub struct Fake {
    queue: Mutex<VecDeque<io::Result<Outcome>>>,
    specs: Mutex<Vec<Spec>>,
}

impl Fake {
    pub fn new(outcomes: impl IntoIterator<Item = Outcome>) -> Fake {
        Fake {
            queue: Mutex::new(outcomes.into_iter().map(Ok).collect()),
            specs: Mutex::default(),
        }
    }

    /// Queues one more outcome.
    pub fn then(self, outcome: Outcome) -> Fake {
        self.push(Ok(outcome));
        self
    }

    /// Queues a failure to start, like a missing working directory.
    pub fn then_fail(self, error: io::Error) -> Fake {
        self.push(Err(error));
        self
    }

    /// Every spec run so far, in order.
    pub fn specs(&self) -> Vec<Spec> {
        self.specs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn push(&self, next: io::Result<Outcome>) {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(next);
    }
}

impl Executor for Fake {
    fn run(
        &self,
        spec: &Spec,
        on_output: &mut dyn FnMut(&[u8]),
        _cancel: &AtomicBool,
    ) -> io::Result<Outcome> {
        self.specs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(spec.clone());
        let next = self
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        let outcome = next.unwrap_or_else(|| {
            Err(io::Error::other(format!(
                "the fake executor has no outcome left for `{}`",
                spec.script
            )))
        })?;
        if !outcome.output.is_empty() {
            on_output(outcome.output.as_bytes());
        }
        Ok(outcome)
    }
}
