//! `--notify URL`: the bodies a web hook receives for a run that passes a
//! gate and for one that rolls back, posted to a small HTTP server on
//! 127.0.0.1; and a dead hook, which changes nothing but a warning and the
//! `notify-failed` events in the record.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::Test;
use relcheck::record::{Outcome, Record};

/// A web hook on 127.0.0.1 that answers 204 and keeps what it was sent.
struct Hook {
    base: String,
    posts: Arc<Mutex<Vec<Post>>>,
}

#[derive(Debug, Clone)]
struct Post {
    path: String,
    content_type: String,
    body: String,
}

fn hook() -> Hook {
    hook_answering("204 No Content")
}

/// A web hook that answers every post with `status`.
fn hook_answering(status: &'static str) -> Hook {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let posts = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&posts);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            if let Some(post) = receive(stream, status) {
                kept.lock().unwrap().push(post);
            }
        }
    });
    Hook { base, posts }
}

fn receive(mut stream: TcpStream, status: &str) -> Option<Post> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let (mut length, mut content_type) = (0, String::new());
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "content-type" => content_type = value.trim().to_string(),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    stream
        .write_all(
            format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .ok()?;
    Some(Post {
        path,
        content_type,
        body: String::from_utf8(body).ok()?,
    })
}

impl Hook {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What arrived at `path`, as (content type, body) with what varies
    /// from run to run put in words: the run id, the host, times.
    fn received(&self, path: &str, record: &Record) -> Vec<(String, Value)> {
        self.posts
            .lock()
            .unwrap()
            .iter()
            .filter(|post| post.path == path)
            .map(|post| {
                let body: Value = serde_json::from_str(&post.body).unwrap();
                (post.content_type.clone(), steady(body, record))
            })
            .collect()
    }
}

fn steady(value: Value, record: &Record) -> Value {
    let run = &record.run.id;
    match value {
        Value::String(text) => {
            let text = text
                .replace(run.as_str(), "RUN")
                .replace(&format!(" on {} ", record.run.host), " on HOST ");
            if text == record.run.host {
                json!("HOST")
            } else if text.starts_with("/relcheck/") {
                json!("/relcheck/HOST")
            } else if chrono::DateTime::parse_from_rfc3339(&text).is_ok() {
                json!("TIME")
            } else {
                json!(text)
            }
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = if key == "duration_seconds" {
                        json!("SECONDS")
                    } else {
                        steady(value, record)
                    };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(values) => {
            Value::Array(values.into_iter().map(|v| steady(v, record)).collect())
        }
        other => other,
    }
}

/// Its first command fails; the gate after Build is waived in the
/// answers file, whose texts try to mention a whole Slack channel.
const GATED: &str = "# Payments deploy

## Build

- [ ] Artifact for {{version}} built
  ```sh
  echo \"no tag for {{version}}\" >&2; exit 1
  ```

## Deploy

- [ ] Deployed {{version}} to {{environment}}
  ```sh
  echo deployed
  ```

## Sign-off

- **QA**: [Name] - [Date]
";

const GATED_ANSWERS: &str = "values:
  version: \"1.4.2\"
  environment: production
signoffs:
  QA: {name: \"Jo\", decision: approve}
gates:
  Build: {reason: \"tag pushed by hand <!here> & \\\"quoted\\\"\", by: Jo}
";

fn run_data(outcome: &str, values: Value) -> Value {
    json!({
        "run": {
            "checklist": "Payments deploy",
            "host": "HOST",
            "id": "RUN",
            "mode": "non-interactive",
            "operator": "ci-bot",
            "outcome": outcome,
            "started": "TIME",
        },
        "values": values,
    })
}

fn cloudevent(id: &str, kind: &str, data: Value) -> (String, Value) {
    (
        "application/cloudevents+json".to_string(),
        json!({
            "specversion": "1.0",
            "id": id,
            "source": "/relcheck/HOST",
            "type": kind,
            "subject": "RUN",
            "time": "TIME",
            "datacontenttype": "application/json",
            "data": data,
        }),
    )
}

fn with(mut data: Value, key: &str, value: Value) -> Value {
    data[key] = value;
    data
}

fn slack(text: &str) -> (String, Value) {
    ("application/json".to_string(), json!({ "text": text }))
}

#[test]
fn a_run_that_passes_a_gate_posts_each_moment_and_deployed_at_the_end() {
    let hook = hook();
    let ran = Test::new()
        .file("deploy.md", GATED)
        .file("answers.yaml", GATED_ANSWERS)
        .args(&[
            "run",
            "deploy.md",
            "--non-interactive",
            "--answers",
            "answers.yaml",
            "--notify",
            &hook.url("/events"),
            "--notify",
            &format!("slack+{}", hook.url("/slack/T0/B0/SECRET")),
        ])
        .run();
    let record = ran.record();
    assert_eq!(record.run.outcome, Outcome::Success);
    let values = json!({"environment": "production", "version": "1.4.2"});
    let mut finished = run_data("success", values.clone());
    finished["run"]["finished"] = json!("TIME");
    finished["run"]["duration_seconds"] = json!("SECONDS");
    finished["counts"] = json!({"done": 2, "failed": 1});
    assert_eq!(
        hook.received("/events", &record),
        vec![
            cloudevent(
                "RUN-1-run.started",
                "dev.relcheck.run.started.v1",
                with(run_data("in-progress", json!({})), "resumed", json!(false)),
            ),
            cloudevent(
                "RUN-5-gate",
                "dev.relcheck.gate.v1",
                with(
                    run_data("in-progress", values.clone()),
                    "gate",
                    json!({
                        "phase": "build",
                        "title": "Build",
                        "decision": "waive",
                        "reason": "tag pushed by hand <!here> & \"quoted\"",
                    }),
                ),
            ),
            cloudevent(
                "RUN-6-signoff.waiting",
                "dev.relcheck.signoff.waiting.v1",
                with(
                    run_data("in-progress", values.clone()),
                    "signoff",
                    json!({"item": "sign-off/qa", "text": "QA", "role": "QA"}),
                ),
            ),
            cloudevent(
                "RUN-7-service.deployed",
                "dev.cdevents.service.deployed.0.2.0",
                json!({
                    "context": {
                        "version": "0.4.1",
                        "id": "RUN-7-service.deployed",
                        "source": "/relcheck/HOST",
                        "type": "dev.cdevents.service.deployed.0.2.0",
                        "timestamp": "TIME",
                    },
                    "subject": {
                        "id": "Payments deploy",
                        "source": "/relcheck/HOST",
                        "type": "service",
                        "content": {
                            "environment": {"id": "production", "source": "/relcheck/HOST"},
                            "artifactId": "pkg:generic/payments-deploy@1.4.2",
                        },
                    },
                    "customData": finished,
                    "customDataContentType": "application/json",
                }),
            ),
        ]
    );
    assert_eq!(
        hook.received("/slack/T0/B0/SECRET", &record),
        vec![
            slack("relcheck: Payments deploy: run started by ci-bot on HOST (run RUN)"),
            slack(
                "relcheck: Payments deploy 1.4.2: gate after \"Build\": waive: tag pushed by hand &lt;!here&gt; &amp; \"quoted\""
            ),
            slack("relcheck: Payments deploy 1.4.2: waiting for sign-off: QA"),
            slack("relcheck: Payments deploy 1.4.2: finished, success (run RUN)"),
        ]
    );
    assert!(
        record
            .events
            .iter()
            .all(|e| e.action.as_str() != "notify-failed")
    );
}

/// A trigger that occurred calls the rollback; its step's command runs.
const ROLLBACK: &str = "# Payments deploy

## Deploy

- [ ] Deployed {{version}}
  ```sh
  echo deployed
  ```

### Rollback Triggers

- [ ] Error rate above the baseline

## Rollback

- [ ] Previous version redeployed
  ```sh
  echo rolled back
  ```
";

const ROLLBACK_ANSWERS: &str = "values:
  version: \"1.4.2\"
items:
  Error rate above the baseline: {status: occurred, note: \"5xx at 4%\"}
";

const ROLLBACK_STDERR: &str =
    "Payments deploy: 3 items (2 checks, 1 triggers, 0 fields, 0 sign-offs)
ok      Deployed 1.4.2 (T s)
FAIL    Error rate above the baseline: 5xx at 4%
ok      Previous version redeployed (T s)
2 passed, 1 failed, 0 skipped, 0 pending
";

/// A command's time, which varies, as `T`.
fn times(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(" (") {
        out.push_str(&rest[..at + 2]);
        rest = &rest[at + 2..];
        if let Some(end) = rest.find(" s)")
            && rest[..end].parse::<f64>().is_ok()
        {
            out.push('T');
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

fn rollback_run(notify: &[&str]) -> Test {
    let mut args = vec![
        "run",
        "deploy.md",
        "--non-interactive",
        "--answers",
        "answers.yaml",
    ];
    for url in notify {
        args.extend(["--notify", url]);
    }
    Test::new()
        .file("deploy.md", ROLLBACK)
        .file("answers.yaml", ROLLBACK_ANSWERS)
        .args(&args)
        .code(1)
        .filter(times)
}

#[test]
fn a_run_that_rolls_back_posts_the_call_and_rolledback_at_the_end() {
    let hook = hook();
    let url = hook.url("/events");
    let ran = rollback_run(&[&url]).stderr(ROLLBACK_STDERR).run();
    let record = ran.record();
    assert_eq!(record.run.outcome, Outcome::RolledBack);
    let values = json!({"version": "1.4.2"});
    let mut finished = run_data("rolled-back", values.clone());
    finished["run"]["finished"] = json!("TIME");
    finished["run"]["duration_seconds"] = json!("SECONDS");
    finished["counts"] = json!({"done": 2, "occurred": 1});
    assert_eq!(
        hook.received("/events", &record),
        vec![
            cloudevent(
                "RUN-1-run.started",
                "dev.relcheck.run.started.v1",
                with(run_data("in-progress", json!({})), "resumed", json!(false)),
            ),
            cloudevent(
                "RUN-4-rollback.called",
                "dev.relcheck.rollback.called.v1",
                with(
                    run_data("in-progress", values.clone()),
                    "rollback",
                    json!({
                        "cause": "deploy/rollback-triggers/error-rate-above-the-baseline",
                        "reason": "5xx at 4%",
                    }),
                ),
            ),
            cloudevent(
                "RUN-6-service.rolledback",
                "dev.cdevents.service.rolledback.0.2.0",
                json!({
                    "context": {
                        "version": "0.4.1",
                        "id": "RUN-6-service.rolledback",
                        "source": "/relcheck/HOST",
                        "type": "dev.cdevents.service.rolledback.0.2.0",
                        "timestamp": "TIME",
                    },
                    "subject": {
                        "id": "Payments deploy",
                        "source": "/relcheck/HOST",
                        "type": "service",
                        "content": {
                            "environment": {"id": "default", "source": "/relcheck/HOST"},
                            "artifactId": "pkg:generic/payments-deploy@1.4.2",
                        },
                    },
                    "customData": finished,
                    "customDataContentType": "application/json",
                }),
            ),
        ]
    );
}

/// A rollback whose one step was answered n/a ends `rolled-back`, but no
/// step confirmed the service came back: its end is relcheck's own
/// `run.finished`, not a CDEvent saying the service was rolled back.
#[test]
fn a_rollback_no_step_confirmed_posts_run_finished_not_rolledback() {
    let hook = hook();
    let url = hook.url("/events");
    let ran = Test::new()
        .file("deploy.md", ROLLBACK)
        .file(
            "answers.yaml",
            &format!(
                "{ROLLBACK_ANSWERS}  Previous version redeployed: {{status: n/a, reason: \"the platform reverted on its own\"}}\n"
            ),
        )
        .args(&[
            "run",
            "deploy.md",
            "--non-interactive",
            "--answers",
            "answers.yaml",
            "--notify",
            &url,
        ])
        .code(1)
        .filter(times)
        .run();
    let record = ran.record();
    assert_eq!(record.run.outcome, Outcome::RolledBack);
    let received = hook.received("/events", &record);
    let kinds: Vec<&str> = received
        .iter()
        .map(|(_, event)| event["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "dev.relcheck.run.started.v1",
            "dev.relcheck.rollback.called.v1",
            "dev.relcheck.run.finished.v1",
        ]
    );
    assert_eq!(
        received[2].1["data"]["run"]["outcome"],
        json!("rolled-back")
    );
}

#[test]
fn a_dead_hook_changes_nothing_but_a_warning_and_the_log() {
    // A port nobody listens on: bound, then let go.
    let dead = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let url = format!("http://{dead}/hook?token=SECRET");
    let began = Instant::now();
    let ran = rollback_run(&[&url])
        .stderr(&format!(
            "{ROLLBACK_STDERR}warning: --notify http://{dead}: 3 of 3 notifications not delivered (connection refused); the run is not affected\n"
        ))
        .run();
    // Two attempts a notification, each at most 3 s, and at most 3 s of
    // waiting at exit: a refused connection costs none of that.
    let took = began.elapsed();
    assert!(took < Duration::from_secs(6), "{took:?}");
    let record = ran.record();
    assert_eq!(record.run.outcome, Outcome::RolledBack);
    let failed: Vec<&str> = record
        .events
        .iter()
        .filter(|e| e.action.as_str() == "notify-failed")
        .map(|e| e.detail.as_deref().unwrap())
        .collect();
    let to = format!("to http://{dead}: connection refused");
    assert_eq!(
        failed,
        [
            format!("dev.relcheck.run.started.v1 {to}"),
            format!("dev.relcheck.rollback.called.v1 {to}"),
            format!("dev.cdevents.service.rolledback.0.2.0 {to}"),
        ]
    );
    // Apart from those events, the record is the one a run without
    // --notify leaves.
    let quiet = rollback_run(&[]).stderr(ROLLBACK_STDERR).run().record();
    let statuses = |r: &Record| r.items.iter().map(|i| i.status).collect::<Vec<_>>();
    assert_eq!(statuses(&record), statuses(&quiet));
    let actions = |r: &Record| {
        r.events
            .iter()
            .map(|e| e.action.as_str())
            .filter(|a| *a != "notify-failed")
            .collect::<Vec<_>>()
    };
    assert_eq!(actions(&record), actions(&quiet));
    // The events were sealed in: the record is whole as relcheck left it.
    let records = ran.path("relcheck-records");
    let file = std::fs::read_dir(&records)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "yaml"))
        .unwrap();
    let verify = crate::support::relcheck(&["verify", &file.display().to_string()]).run();
    assert_eq!(verify.code, 0, "{}", verify.stdout);
    assert!(
        verify.stdout.starts_with("ok    record digest "),
        "{}",
        verify.stdout
    );
}

#[test]
fn a_notify_url_that_is_not_a_web_hook_is_exit_2_before_anything_runs() {
    let ran = Test::new()
        .file("deploy.md", ROLLBACK)
        .args(&[
            "run",
            "deploy.md",
            "--non-interactive",
            "--notify",
            "ftp://files.example.com/drop",
        ])
        .code(2)
        .stderr("error: --notify ftp: give an http:// or https:// URL (CloudEvents), or slack+https://hooks.slack.com/... (a Slack message)\n")
        .run();
    assert!(!ran.path("relcheck-records").exists());
}

#[test]
fn a_hook_that_never_answers_holds_the_exit_at_most_three_seconds() {
    // Connections are taken (the kernel's backlog) but never answered.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    let url = format!("http://{addr}/hook");
    let began = Instant::now();
    let ran = rollback_run(&[&url])
        .stderr(&format!(
            "{ROLLBACK_STDERR}warning: --notify http://{addr}: 3 of 3 notifications not delivered (still on the way when relcheck exited); the run is not affected\n"
        ))
        .run();
    let took = began.elapsed();
    assert!(
        took >= Duration::from_secs(3) && took < Duration::from_secs(6),
        "{took:?}"
    );
    let record = ran.record();
    assert_eq!(record.run.outcome, Outcome::RolledBack);
    let failed: Vec<&str> = record
        .events
        .iter()
        .filter(|e| e.action.as_str() == "notify-failed")
        .map(|e| e.detail.as_deref().unwrap())
        .collect();
    assert_eq!(
        failed,
        [format!(
            "3 notifications to http://{addr}: still on the way when relcheck exited"
        )]
    );
    drop(silent);
}

/// What an observer heard: each moment, as the session named it.
struct Heard(std::rc::Rc<std::cell::RefCell<Vec<relcheck::session::Moment>>>);

impl relcheck::session::Observer for Heard {
    fn moment(
        &mut self,
        moment: &relcheck::session::Moment,
        _at: chrono::DateTime<chrono::Utc>,
        _record: &Record,
    ) {
        self.0.borrow_mut().push(moment.clone());
    }
}

/// At a terminal a gate is a moment twice, when it is asked and when it
/// is decided; a sign-off asked again after a note is no new moment.
#[test]
fn at_a_terminal_the_session_names_the_gate_asked_and_decided_and_a_sign_off_once() {
    use chrono::TimeZone;
    use relcheck::prompt::{Action, GateAnswer, Scripted, ScriptedPrompter, SignoffAnswer};
    use relcheck::record::{Decision, GateDecision, Mode};
    use relcheck::session::{MemorySink, Moment, Options, Session, TestClock};

    let text = "# Deploy\n## Build\n- [ ] Built\n## Ship\n- [ ] Shipped\n## Sign-off\n- **QA**: [Name] - [Date]\n";
    let checklist =
        relcheck::parse::parse(&relcheck::source::Source::from_text("deploy.md", text)).checklist;
    let clock = TestClock::new(chrono::Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap());
    let flag = std::sync::atomic::AtomicBool::new(false);
    let options = Options {
        operator: "Ada".into(),
        host: "box".into(),
        mode: Mode::Interactive,
        preset: Default::default(),
        command_timeout: Duration::from_secs(60),
        unattended: false,
    };
    let mut session = Session::start(&checklist, &clock, options, &flag, "run-1".into());
    let heard = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    session.observe(Box::new(Heard(std::rc::Rc::clone(&heard))));
    let mut prompter = ScriptedPrompter::new([
        Scripted::Do(Action::Failed {
            note: Some("disk full".into()),
        }),
        Scripted::Gate(GateAnswer::Waive {
            reason: "rebuilt <!channel>".into(),
        }),
        Scripted::Do(Action::Done { note: None }),
        Scripted::Do(Action::Note("checked the dashboards".into())),
        Scripted::Do(Action::Signoff(SignoffAnswer {
            name: "Grace".into(),
            decision: Decision::Approve,
            comment: None,
        })),
    ]);
    let executor = relcheck::exec::Fake::new([]);
    session
        .run(&mut prompter, &executor, &mut MemorySink::default())
        .unwrap();
    let gate = |decision, reason: &str| Moment::Gate {
        phase: "build".into(),
        title: "Build".into(),
        decision,
        reason: Some(reason.into()),
    };
    assert_eq!(
        *heard.borrow(),
        [
            Moment::Started { resumed: false },
            gate(None, "build/built failed"),
            gate(Some(GateDecision::Waive), "rebuilt <!channel>"),
            Moment::SignoffWaiting {
                item: "sign-off/qa".into(),
                text: "QA".into(),
                role: Some("QA".into()),
            },
            Moment::Finished {
                outcome: relcheck::record::Outcome::Success,
            },
        ]
    );
}

#[test]
fn a_hook_that_answers_an_error_gets_each_notification_twice_then_a_warning() {
    let hook = hook_answering("500 Internal Server Error");
    let url = hook.url("/events");
    let ran = rollback_run(&[&url])
        .stderr(&format!(
            "{ROLLBACK_STDERR}warning: --notify {}: 3 of 3 notifications not delivered (HTTP status 500); the run is not affected\n",
            hook.base
        ))
        .run();
    let record = ran.record();
    // The retry carries the same id, so a receiver can drop the copy.
    let ids: Vec<String> = hook
        .received("/events", &record)
        .iter()
        .map(|(_, body)| body["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        [
            "RUN-1-run.started",
            "RUN-1-run.started",
            "RUN-4-rollback.called",
            "RUN-4-rollback.called",
            "RUN-6-service.rolledback",
            "RUN-6-service.rolledback",
        ]
    );
    let failed = record
        .events
        .iter()
        .filter(|e| e.action.as_str() == "notify-failed")
        .count();
    assert_eq!(failed, 3);
}

#[test]
fn a_resumed_run_says_so_and_posts_the_rest() {
    let hook = hook();
    let ran = Test::new()
        .file("deploy.md", GATED)
        .file(
            "unsigned.yaml",
            "values:\n  version: \"1.4.2\"\n  environment: production\ngates:\n  Build: rebuilt\n",
        )
        .file("answers.yaml", GATED_ANSWERS)
        .args(&[
            "run",
            "deploy.md",
            "--non-interactive",
            "--answers",
            "unsigned.yaml",
        ])
        .code(4)
        .run();
    let record = ran.record();
    let path = format!("relcheck-records/{}.yaml", record.run.id);
    let url = hook.url("/events");
    let resumed = crate::support::relcheck(&[
        "resume",
        &path,
        "--non-interactive",
        "--answers",
        "answers.yaml",
        "--notify",
        &url,
    ])
    .cwd(ran.dir.path())
    .env("RELCHECK_OPERATOR", "ci-bot")
    .run();
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    let record = ran.record();
    let received = hook.received("/events", &record);
    let seen: Vec<(&str, &Value)> = received
        .iter()
        .map(|(_, body)| (body["type"].as_str().unwrap(), &body["data"]["resumed"]))
        .collect();
    assert_eq!(
        seen,
        [
            ("dev.relcheck.run.started.v1", &json!(true)),
            ("dev.relcheck.signoff.waiting.v1", &Value::Null),
            ("dev.cdevents.service.deployed.0.2.0", &Value::Null),
        ]
    );
}
