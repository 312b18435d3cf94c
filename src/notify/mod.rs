//! `--notify URL`: the run's lifecycle moments (started, gate, rollback
//! called, sign-off waiting, finished) posted to web hooks, as CloudEvents
//! carrying CDEvents (`cloudevents.rs`) or as a Slack message (`slack.rs`).
//! The session only names the moments ([`Observer`]); bodies are made here
//! at once and posted by a background thread per target (`deliver.rs`), so
//! a slow or dead hook never slows or fails a run: it costs a warning and
//! a `notify-failed` event in the record. docs/NOTIFY.md has the formats.

use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::exit::{Code, error};
use crate::record::Record;
use crate::session::{Moment, Observer};

mod cloudevents;
mod deliver;
mod slack;

pub use deliver::{ATTEMPT_TIMEOUT, DRAIN};

/// What a target is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    CloudEvents,
    Slack,
}

/// One `--notify` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Where to post: the URL without `slack+`.
    pub url: String,
    pub format: Format,
    /// Scheme and host alone, for messages and the record: a web hook's
    /// path and query are often its secret (Slack's are).
    pub label: String,
}

/// The `--notify` URLs read, or exit 2 naming the one that is not a hook.
pub fn targets(urls: &[String]) -> anyhow::Result<Vec<Target>> {
    urls.iter().map(|url| target(url)).collect()
}

fn target(given: &str) -> anyhow::Result<Target> {
    let lower = given.to_ascii_lowercase();
    // `slack+http://` is for a test server or a relay inside the network.
    let (format, url) = if lower.starts_with("slack+https://") || lower.starts_with("slack+http://")
    {
        (Format::Slack, &given["slack+".len()..])
    } else if lower.starts_with("https://") || lower.starts_with("http://") {
        (Format::CloudEvents, given)
    } else {
        let scheme = given.split_once("://").map_or(given, |(scheme, _)| scheme);
        return Err(error(
            Code::Usage,
            format!(
                "--notify {}: give an http:// or https:// URL (CloudEvents), or slack+https://hooks.slack.com/... (a Slack message)",
                crate::printable::printable(if scheme == given { given } else { scheme })
            ),
        ));
    };
    let (scheme, rest) = url.split_once("://").unwrap_or((url, ""));
    // The authority, without any user:password@.
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let prefix = if format == Format::Slack {
        "slack+"
    } else {
        ""
    };
    let label = format!("{prefix}{}://{host}", scheme.to_ascii_lowercase());
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(error(
            Code::Usage,
            format!(
                "--notify {}: the URL names no host",
                crate::printable::printable(&label)
            ),
        ));
    }
    Ok(Target {
        url: url.to_string(),
        format,
        label,
    })
}

/// One body on its way to one target.
pub(crate) struct Message {
    /// The CloudEvents type, or what the Slack message is about.
    pub kind: String,
    pub body: String,
    pub content_type: &'static str,
}

/// Starts delivery to `targets`: the observer goes to the session, the
/// handle stays with the runner, to wait for the queue at the end.
pub fn start(targets: Vec<Target>) -> (Notifier, Delivery) {
    let shared = Arc::new(deliver::Shared::new(targets.len()));
    let senders = targets
        .iter()
        .enumerate()
        .map(|(index, target)| deliver::spawn(index, target.clone(), Arc::clone(&shared)))
        .collect();
    let notifier = Notifier {
        targets: targets.clone(),
        senders,
        shared: Arc::clone(&shared),
    };
    (notifier, Delivery { targets, shared })
}

/// The session's side: turns each moment into a body per target and
/// queues it. Never blocks on the network.
pub struct Notifier {
    targets: Vec<Target>,
    senders: Vec<Sender<Message>>,
    shared: Arc<deliver::Shared>,
}

impl Observer for Notifier {
    fn moment(&mut self, moment: &Moment, at: DateTime<Utc>, record: &Record) {
        let event = cloudevents::event(moment, at, record);
        for (index, target) in self.targets.iter().enumerate() {
            let message = match target.format {
                Format::CloudEvents => Message {
                    kind: event["type"].as_str().unwrap_or_default().to_string(),
                    body: event.to_string(),
                    content_type: "application/cloudevents+json",
                },
                Format::Slack => Message {
                    kind: event["type"].as_str().unwrap_or_default().to_string(),
                    body: serde_json::json!({ "text": slack::text(moment, record) }).to_string(),
                    content_type: "application/json",
                },
            };
            self.shared.queued(index);
            if let Err(unsent) = self.senders[index].send(message) {
                // The thread is gone (it cannot be, short of a panic):
                // the message counts as failed, not as pending forever.
                let kind = unsent.0.kind;
                self.shared
                    .failed(index, 1, &kind, "the delivery thread stopped");
            }
        }
    }

    fn failures(&mut self) -> Vec<String> {
        self.shared
            .take_new()
            .into_iter()
            .map(|failure| failure.detail(&self.targets[failure.target].label))
            .collect()
    }
}

/// The runner's side of delivery.
pub struct Delivery {
    targets: Vec<Target>,
    shared: Arc<deliver::Shared>,
}

impl Delivery {
    /// Waits at most `budget` for what is queued to be delivered; what is
    /// still on its way then is given up, and counts as failed.
    pub fn drain(&self, budget: Duration) {
        self.shared.drain(budget);
    }

    /// One line per target that missed anything, for stderr.
    pub fn warnings(&self) -> Vec<String> {
        self.shared
            .totals()
            .into_iter()
            .enumerate()
            .filter(|(_, (failed, _, _))| *failed > 0)
            .map(|(index, (failed, sent, last))| {
                format!(
                    "warning: --notify {}: {failed} of {sent} notification{} not delivered ({}); the run is not affected",
                    crate::printable::printable(&self.targets[index].label),
                    if sent == 1 { "" } else { "s" },
                    crate::printable::printable(&last)
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
