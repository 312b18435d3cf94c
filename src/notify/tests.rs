use chrono::TimeZone;

use super::cloudevents::{event, event_type};
use super::slack::{escape, text};
use super::*;
use crate::record::{GateDecision, Outcome};

#[test]
fn a_target_is_labelled_by_scheme_and_host_alone() {
    let cases = [
        (
            "https://hooks.example.com/services/T0/B0/SECRET?x=1",
            Format::CloudEvents,
            "https://hooks.example.com/services/T0/B0/SECRET?x=1",
            "https://hooks.example.com",
        ),
        (
            "slack+https://hooks.slack.com/services/T0/B0/SECRET",
            Format::Slack,
            "https://hooks.slack.com/services/T0/B0/SECRET",
            "slack+https://hooks.slack.com",
        ),
        (
            "http://user:pw@127.0.0.1:8080/hook",
            Format::CloudEvents,
            "http://user:pw@127.0.0.1:8080/hook",
            "http://127.0.0.1:8080",
        ),
        (
            "SLACK+HTTP://relay.internal/x",
            Format::Slack,
            "HTTP://relay.internal/x",
            "slack+http://relay.internal",
        ),
    ];
    for (given, format, url, label) in cases {
        let target = target(given).unwrap();
        assert_eq!(
            (target.format, target.url.as_str(), target.label.as_str()),
            (format, url, label),
            "{given}"
        );
    }
}

#[test]
fn what_is_not_a_web_hook_is_a_usage_error() {
    let cases = [
        (
            "ftp://files.example.com/x",
            "--notify ftp: give an http:// or https:// URL (CloudEvents), or slack+https://hooks.slack.com/... (a Slack message)",
        ),
        (
            "hooks.example.com",
            "--notify hooks.example.com: give an http:// or https:// URL (CloudEvents), or slack+https://hooks.slack.com/... (a Slack message)",
        ),
        ("https:///path", "--notify https://: the URL names no host"),
    ];
    for (given, message) in cases {
        let err = targets(&[given.to_string()]).unwrap_err();
        assert_eq!(format!("{err:#}"), message, "{given}");
        assert_eq!(crate::exit::code_of(&err), crate::exit::Code::Usage);
    }
}

#[test]
fn slack_text_cannot_mention_or_link() {
    assert_eq!(
        escape("<!channel> & <https://evil|click> \x1b[2Jdone"),
        "&lt;!channel&gt; &amp; &lt;https://evil|click&gt; done"
    );
}

fn record() -> Record {
    let yaml = "schema: relcheck/record/v2
checklist:
  title: Payments <b>deploy</b>
  origin: {file: deploy.md}
  sha256: '00'
  phases: []
run:
  id: deploy-1
  operator: ci-bot
  host: build box 7
  started: 2026-11-30T06:00:00Z
  mode: non-interactive
  outcome: in-progress
  relcheck_version: 0.1.0
values:
  version: 1.4.2+hotfix
  environment: production
items: []
events:
- at: 2026-11-30T06:00:00Z
  action: start
";
    crate::yaml::from_str(yaml).unwrap()
}

#[test]
fn each_moment_has_its_type_and_slack_line() {
    let gate = |decision| Moment::Gate {
        phase: "build".into(),
        title: "Build".into(),
        decision,
        reason: Some("build/x failed".into()),
    };
    let finished = |outcome| Moment::Finished { outcome };
    let cases = [
        (
            Moment::Started { resumed: false },
            "dev.relcheck.run.started.v1",
            "relcheck: Payments &lt;b&gt;deploy&lt;/b&gt; 1.4.2+hotfix: run started by ci-bot on build box 7 (run deploy-1)",
        ),
        (
            gate(None),
            "dev.relcheck.gate.v1",
            "relcheck: Payments &lt;b&gt;deploy&lt;/b&gt; 1.4.2+hotfix: go/no-go gate after \"Build\" waits for a decision (build/x failed)",
        ),
        (
            gate(Some(GateDecision::Rollback)),
            "dev.relcheck.gate.v1",
            "relcheck: Payments &lt;b&gt;deploy&lt;/b&gt; 1.4.2+hotfix: gate after \"Build\": rollback: build/x failed",
        ),
        (
            Moment::RollbackCalled {
                cause: "gate:build".into(),
                reason: None,
            },
            "dev.relcheck.rollback.called.v1",
            "relcheck: Payments &lt;b&gt;deploy&lt;/b&gt; 1.4.2+hotfix: rollback called by gate:build",
        ),
        (
            Moment::SignoffWaiting {
                item: "sign-off/qa".into(),
                text: "QA lead approves".into(),
                role: Some("QA".into()),
            },
            "dev.relcheck.signoff.waiting.v1",
            "relcheck: Payments &lt;b&gt;deploy&lt;/b&gt; 1.4.2+hotfix: waiting for sign-off: QA lead approves (QA)",
        ),
        (
            finished(Outcome::Success),
            "dev.cdevents.service.deployed.0.2.0",
            "relcheck: Payments &lt;b&gt;deploy&lt;/b&gt; 1.4.2+hotfix: finished, success (run deploy-1)",
        ),
        (
            // This record has no rollback step done: nothing confirmed it.
            finished(Outcome::RolledBack),
            "dev.relcheck.run.finished.v1",
            "relcheck: Payments &lt;b&gt;deploy&lt;/b&gt; 1.4.2+hotfix: finished, rolled-back (run deploy-1)",
        ),
        (
            finished(Outcome::Failed),
            "dev.relcheck.run.finished.v1",
            "relcheck: Payments &lt;b&gt;deploy&lt;/b&gt; 1.4.2+hotfix: finished, failed (run deploy-1)",
        ),
        (
            finished(Outcome::Aborted),
            "dev.relcheck.run.finished.v1",
            "relcheck: Payments &lt;b&gt;deploy&lt;/b&gt; 1.4.2+hotfix: finished, aborted (run deploy-1)",
        ),
    ];
    let record = record();
    for (moment, kind, line) in cases {
        assert_eq!(event_type(&moment, &record), kind, "{moment:?}");
        assert_eq!(text(&moment, &record), line, "{moment:?}");
    }
}

#[test]
fn a_deployed_release_is_a_cdevent_inside_a_cloudevent() {
    let at = Utc.with_ymd_and_hms(2026, 11, 30, 6, 5, 0).unwrap();
    let event = event(
        &Moment::Finished {
            outcome: Outcome::Success,
        },
        at,
        &record(),
    );
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(event["id"], "deploy-1-1-service.deployed");
    assert_eq!(event["source"], "/relcheck/build-box-7");
    assert_eq!(event["subject"], "deploy-1");
    assert_eq!(event["time"], "2026-11-30T06:05:00Z");
    let data = &event["data"];
    assert_eq!(
        data["context"],
        serde_json::json!({
            "version": "0.4.1",
            "id": "deploy-1-1-service.deployed",
            "source": "/relcheck/build-box-7",
            "type": "dev.cdevents.service.deployed.0.2.0",
            "timestamp": "2026-11-30T06:05:00Z",
        })
    );
    assert_eq!(
        data["subject"],
        serde_json::json!({
            "id": "Payments <b>deploy</b>",
            "source": "/relcheck/build-box-7",
            "type": "service",
            "content": {
                "environment": {"id": "production", "source": "/relcheck/build-box-7"},
                "artifactId": "pkg:generic/payments-%3Cb%3Edeploy%3C%2Fb%3E@1.4.2%2Bhotfix",
            },
        })
    );
    assert_eq!(data["customData"]["run"]["outcome"], "in-progress");
}
