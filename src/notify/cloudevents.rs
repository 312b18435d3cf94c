//! A moment as a CloudEvent (v1.0, JSON, structured mode). The end of a
//! release that went out or came back is a CDEvent (spec v0.4.1:
//! `dev.cdevents.service.deployed.0.2.0`, `...service.rolledback.0.2.0`),
//! carried as the CDEvents CloudEvents binding says: the CloudEvent's
//! `type`, `id`, `source` and `time` are the CDEvent context's, and its
//! `data` is the whole CDEvent. The other moments have relcheck's own
//! types, `dev.relcheck.*.v1`. docs/NOTIFY.md describes every field.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::record::{EventAction, Outcome, Record, Status};
use crate::session::Moment;

/// The CDEvents specification the CDEvents follow.
pub const CDEVENTS_VERSION: &str = "0.4.1";
pub const DEPLOYED: &str = "dev.cdevents.service.deployed.0.2.0";
pub const ROLLED_BACK: &str = "dev.cdevents.service.rolledback.0.2.0";

/// The CloudEvents type of `moment` in the run `record` holds. A run that
/// ended rolled back is a rolled-back service only once a rollback step
/// was done: with none (no rollback steps, or all answered n/a) the end
/// is relcheck's own `run.finished`, since nothing confirmed the service
/// came back.
pub fn event_type(moment: &Moment, record: &Record) -> &'static str {
    match moment {
        Moment::Started { .. } => "dev.relcheck.run.started.v1",
        Moment::Gate { .. } => "dev.relcheck.gate.v1",
        Moment::RollbackCalled { .. } => "dev.relcheck.rollback.called.v1",
        Moment::SignoffWaiting { .. } => "dev.relcheck.signoff.waiting.v1",
        Moment::Finished {
            outcome: Outcome::Success,
        } => DEPLOYED,
        Moment::Finished {
            outcome: Outcome::RolledBack,
        } if crate::record::rollback_confirmed(record) => ROLLED_BACK,
        Moment::Finished { .. } => "dev.relcheck.run.finished.v1",
    }
}

/// The whole CloudEvent. Its `id` is the run's id and the length of its
/// log then, so a retry sends the same id and a receiver can drop the
/// second copy. Failed notifications are not counted: when one is logged
/// depends on the network, and the ids should not.
pub fn event(moment: &Moment, at: DateTime<Utc>, record: &Record) -> Value {
    let kind = event_type(moment, record);
    let time = at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let logged = record
        .events
        .iter()
        .filter(|e| e.action != EventAction::NotifyFailed)
        .count();
    let id = format!("{}-{logged}-{}", record.run.id, short(kind));
    let source = source(record);
    let data = relcheck_data(moment, record);
    let data = if kind == DEPLOYED || kind == ROLLED_BACK {
        cdevent(kind, &id, &source, &time, record, data)
    } else {
        data
    };
    json!({
        "specversion": "1.0",
        "id": id,
        "source": source,
        "type": kind,
        "subject": record.run.id,
        "time": time,
        "datacontenttype": "application/json",
        "data": data,
    })
}

/// `run.started` of `dev.relcheck.run.started.v1`.
fn short(kind: &str) -> &str {
    let kind = kind
        .strip_prefix("dev.relcheck.")
        .or_else(|| kind.strip_prefix("dev.cdevents."))
        .unwrap_or(kind);
    kind.strip_suffix(".v1")
        .or_else(|| kind.strip_suffix(".0.2.0"))
        .unwrap_or(kind)
}

/// `/relcheck/HOST`: where the run happens. The host name is reduced to
/// what a URI path may hold as it is.
fn source(record: &Record) -> String {
    let host: String = record
        .run
        .host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("/relcheck/{host}")
}

/// What relcheck says of the run and the moment.
fn relcheck_data(moment: &Moment, record: &Record) -> Value {
    let run = &record.run;
    let mut data = json!({
        "run": {
            "id": run.id,
            "checklist": record.checklist.title,
            "operator": run.operator,
            "host": run.host,
            "mode": run.mode,
            "started": run.started.to_rfc3339_opts(SecondsFormat::Secs, true),
            "outcome": run.outcome.as_str(),
        },
        "values": record.values,
    });
    let (key, value) = match moment {
        Moment::Started { resumed } => ("resumed", json!(resumed)),
        Moment::Gate {
            phase,
            title,
            decision,
            reason,
        } => (
            "gate",
            json!({
                "phase": phase,
                "title": title,
                "decision": decision.map(|d| d.as_str()),
                "reason": reason,
            }),
        ),
        Moment::RollbackCalled { cause, reason } => {
            ("rollback", json!({ "cause": cause, "reason": reason }))
        }
        Moment::SignoffWaiting { item, text, role } => (
            "signoff",
            json!({ "item": item, "text": text, "role": role }),
        ),
        Moment::Finished { .. } => ("counts", counts(record)),
    };
    data[key] = value;
    if matches!(moment, Moment::Finished { .. }) {
        data["run"]["finished"] = json!(
            run.finished
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        );
        data["run"]["duration_seconds"] = json!(run.duration_seconds);
    }
    data
}

/// Items by status, as the summary counts them.
fn counts(record: &Record) -> Value {
    let mut counts = serde_json::Map::new();
    for item in &record.items {
        let status: Status = item.status;
        let n = counts
            .entry(status.as_str().to_string())
            .or_insert_with(|| json!(0));
        *n = json!(n.as_u64().unwrap_or(0) + 1);
    }
    Value::Object(counts)
}

/// The CDEvent a service deployed or rolled back is. The service is the
/// run's `service` value, else the checklist's title; the environment its
/// `environment` value, else `default`; the artifact its `artifact`
/// value, else `pkg:generic/SERVICE@VERSION` from `version`.
fn cdevent(
    kind: &str,
    id: &str,
    source: &str,
    time: &str,
    record: &Record,
    custom: Value,
) -> Value {
    let value = |name: &str| {
        record
            .values
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    let service = value("service").unwrap_or(record.checklist.title.as_str());
    let environment = value("environment").unwrap_or("default");
    let artifact = match value("artifact") {
        Some(artifact) => artifact.to_string(),
        None => {
            let mut purl = format!("pkg:generic/{}", purl_part(&service.to_lowercase()));
            if let Some(version) = value("version") {
                purl.push('@');
                purl.push_str(&purl_part(version));
            }
            purl
        }
    };
    json!({
        "context": {
            "version": CDEVENTS_VERSION,
            "id": id,
            "source": source,
            "type": kind,
            "timestamp": time,
        },
        "subject": {
            "id": service,
            "source": source,
            "type": "service",
            "content": {
                "environment": { "id": environment, "source": source },
                "artifactId": artifact,
            },
        },
        "customData": custom,
        "customDataContentType": "application/json",
    })
}

/// A package URL's name or version: spaces become `-`, anything but
/// letters, digits and `.-_~` is percent-encoded.
fn purl_part(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        match c {
            ' ' => out.push('-'),
            c if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '~') => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
        }
    }
    out
}
