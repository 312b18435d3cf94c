//! Measured checks from the outside: an item whose text states a go/no-go
//! number ("Error rate normal (< 1%)") is marked by `show`, settled by the
//! value an answers file, a command or the operator gives, overruled only
//! with a note, and recorded with its value, bound and verdict, which a
//! forger cannot change without `verify` failing.

use expectrl::Expect;
use relcheck::record::{Measured, Outcome, Record, Status, Verdict};

use crate::support::{Test, fixture, pty, relcheck};

const DEPLOY: &str = "# Deploy web
## Verify
- [ ] Error rate normal (< 1%)
- [ ] Validation score >= 80/100
- [ ] p95 latency (< 500ms)
- [ ] Release notes published
## Rollback Triggers
- [ ] Error rate > 5%
- [ ] Response time > 3x baseline
";

fn measured(bound: &str, value: &str, verdict: Verdict) -> Option<Measured> {
    Some(Measured {
        bound: bound.to_string(),
        baseline: None,
        value: Some(value.to_string()),
        verdict: Some(verdict),
        overruled: false,
    })
}

fn answers(record: &Record) -> Vec<(&str, Status, Option<&Measured>, Option<&str>)> {
    record
        .items
        .iter()
        .map(|i| {
            (
                i.id.as_ref(),
                i.status,
                i.rare.measure.as_deref(),
                i.rare.note.as_deref(),
            )
        })
        .collect()
}

#[test]
fn show_marks_seed_002s_thresholds_and_keeps_its_counts() {
    let path = fixture("seed-002-full-runbook.md");
    let path = path.to_str().unwrap();
    let out = relcheck(&["show", path]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let marked: Vec<String> = out
        .stdout
        .lines()
        .filter(|line| line.contains("measured"))
        .map(|line| {
            line.replace(path, "")
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ')
                .to_string()
        })
        .collect();
    // The counts are docs/FORMAT.md's (tests/fixtures/EXPECTED.md): a
    // measure changes no item's kind.
    assert_eq!(
        marked,
        [
            "· markdown · 12 phases, 188 items · 157 check, 10 trigger, 16 field, 5 signoff · 12 optional · 11 measured",
            "[ ] Ledger snapshot exists (< 6 hours old)  (measured < 6 h)",
            "[ ] Preflight score >= 90/100  (measured >= 90/100)",
            "[ ] Decline rate normal (< 2%)  (measured < 2%)",
            "[ ] Authorisation latency normal (< 300ms)  (measured < 300ms)",
            "[ ] CPU normal (< 65%)  (measured < 65%)",
            "[ ] Memory normal (< 75%)  (measured < 75%)",
            "[ ] Smoke score >= 90/100  (measured >= 90/100)",
            "[!] Decline rate > 4%  (trigger, measured > 4%)",
            "[!] Authorisation latency > 3x baseline  (trigger, measured > 3x baseline)",
            "[!] Merchant impact > 5 minutes  (trigger, measured > 5 min)",
            "[!] Rollout stalled > 10 minutes  (trigger, measured > 10 min)",
        ]
    );
}

#[test]
fn show_json_carries_the_measure_only_on_measured_items() {
    let ran = Test::new()
        .file("deploy.md", DEPLOY)
        .args(&["show", "deploy.md", "--format", "json"])
        .run();
    let json: serde_json::Value = serde_json::from_str(&ran.out.stdout).unwrap();
    let items: Vec<&serde_json::Value> = json["phases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["sections"].as_array().unwrap())
        .flat_map(|s| s["items"].as_array().unwrap())
        .collect();
    let measures: Vec<String> = items
        .iter()
        .map(|i| i.get("measure").map_or("-".to_string(), |m| m.to_string()))
        .collect();
    assert_eq!(
        measures,
        [
            r#"{"bound":1.0,"comparison":"<","unit":"%"}"#,
            r#"{"bound":80.0,"comparison":">=","unit":"/100"}"#,
            r#"{"bound":500.0,"comparison":"<","unit":"ms"}"#,
            "-",
            r#"{"bound":5.0,"comparison":">","unit":"%"}"#,
            r#"{"baseline":"Response time baseline","bound":3.0,"comparison":">","unit":"x baseline"}"#,
        ]
    );
}

const ANSWERS: &str = "values:
  Response time baseline: 200
items:
  Error rate normal (< 1%): 0.4
  Validation score >= 80/100: {value: 72, status: done, note: scanner undercounts}
  p95 latency (< 500ms): 0.6 s
  Release notes published: done
  Error rate > 5%: \"2%\"
  Response time > 3x baseline: {value: 650}
";

#[test]
fn an_answers_file_gives_values_and_the_bound_settles_them() {
    let ran = Test::new()
        .file("deploy.md", DEPLOY)
        .file("answers.yaml", ANSWERS)
        .args(&["run", "deploy.md", "--non-interactive", "--answers", "answers.yaml"])
        .code(1)
        .stderr(
            "Deploy web: 6 items (4 checks, 2 triggers, 0 fields, 0 sign-offs)
ok      Error rate normal (< 1%): 0.4% against < 1%: met
ok      Validation score >= 80/100: 72/100 against >= 80/100: not met, overruled; scanner undercounts
FAIL    p95 latency (< 500ms): 0.6 s against < 500ms: not met
ok      Release notes published
stop    gate after phase \"Verify\": p95 latency (< 500ms) failed
3 passed, 1 failed, 0 skipped, 0 pending, 2 not run
",
        )
        .run();
    let record = ran.record();
    assert_eq!(record.run.outcome, Outcome::Failed);
    let answers = answers(&record);
    assert_eq!(
        answers[..3],
        [
            (
                "verify/error-rate-normal-1",
                Status::Done,
                measured("< 1%", "0.4%", Verdict::Met).as_ref(),
                None
            ),
            (
                "verify/validation-score-80-100",
                Status::Done,
                Some(&Measured {
                    overruled: true,
                    ..measured(">= 80/100", "72/100", Verdict::NotMet).unwrap()
                }),
                Some("scanner undercounts")
            ),
            (
                "verify/p95-latency-500ms",
                Status::Failed,
                measured("< 500ms", "0.6 s", Verdict::NotMet).as_ref(),
                None
            ),
        ]
    );
    // An item without a number keeps no measure.
    assert_eq!(answers[3].2, None);
    let source = record.items[0].source.as_ref().unwrap();
    assert_eq!(source.kind, "answers-file");
}

#[test]
fn a_trigger_crossed_calls_the_rollback_and_the_baseline_is_a_value_of_the_run() {
    let ran = Test::new()
        .file("deploy.md", DEPLOY)
        .file(
            "answers.yaml",
            &ANSWERS.replace("p95 latency (< 500ms): 0.6 s", "p95 latency (< 500ms): 450"),
        )
        .args(&["run", "deploy.md", "--non-interactive", "--answers", "answers.yaml"])
        .code(1)
        .stderr(
            "Deploy web: 6 items (4 checks, 2 triggers, 0 fields, 0 sign-offs)
ok      Error rate normal (< 1%): 0.4% against < 1%: met
ok      Validation score >= 80/100: 72/100 against >= 80/100: not met, overruled; scanner undercounts
ok      p95 latency (< 500ms): 450ms against < 500ms: met
ok      Release notes published
ok      Error rate > 5%: 2% against > 5%: not met
FAIL    Response time > 3x baseline: 650 against > 3x baseline (baseline 200): met
5 passed, 1 failed, 0 skipped, 0 pending
",
        )
        .run();
    let record = ran.record();
    assert_eq!(record.run.outcome, Outcome::RolledBack);
    let rollback = record.rollback.as_ref().unwrap();
    assert_eq!(
        rollback.cause,
        "rollback-triggers/response-time-3x-baseline"
    );
    assert_eq!(
        rollback.reason.as_deref(),
        Some("650 against > 3x baseline (baseline 200): met")
    );
    assert_eq!(
        record
            .values
            .get("Response time baseline")
            .map(String::as_str),
        Some("200")
    );
    let answers = answers(&record);
    assert_eq!(
        answers[4..],
        [
            (
                "rollback-triggers/error-rate-5",
                Status::NotOccurred,
                measured("> 5%", "2%", Verdict::NotMet).as_ref(),
                None
            ),
            (
                "rollback-triggers/response-time-3x-baseline",
                Status::Occurred,
                Some(&Measured {
                    baseline: Some("200".to_string()),
                    ..measured("> 3x baseline", "650", Verdict::Met).unwrap()
                }),
                None
            ),
        ]
    );
}

#[test]
fn a_forged_value_fails_verify_and_reports_show_value_against_bound() {
    let ran = Test::new()
        .file("deploy.md", DEPLOY)
        .file(
            "answers.yaml",
            &ANSWERS.replace("p95 latency (< 500ms): 0.6 s", "p95 latency (< 500ms): 450"),
        )
        .args(&[
            "run",
            "deploy.md",
            "--non-interactive",
            "--answers",
            "answers.yaml",
        ])
        .code(1)
        .run();
    let dir = ran.path("relcheck-records");
    let path = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let path = path.to_str().unwrap();
    let verified = relcheck(&["verify", path]).run();
    assert_eq!(verified.code, 0, "{}", verified.stdout);

    let text = relcheck(&["report", path]).run();
    let lines: Vec<&str> = text
        .stdout
        .lines()
        .filter(|l| l.contains(" against ") && !l.starts_with("  reason:"))
        .collect();
    assert_eq!(
        lines,
        [
            "  ✓ Error rate normal (< 1%): 0.4% against < 1%: met",
            "  ✓ Validation score >= 80/100: 72/100 against >= 80/100: not met, overruled",
            "  ✓ p95 latency (< 500ms): 450ms against < 500ms: met",
            "  · Error rate > 5%: 2% against > 5%: not met",
            "  ! Response time > 3x baseline: 650 against > 3x baseline (baseline 200): met",
        ]
    );
    let markdown = relcheck(&["report", path, "--format", "markdown"]).run();
    assert!(
        markdown
            .stdout
            .lines()
            .any(|l| l == "- [x] Error rate normal (&lt; 1%): 0.4% against &lt; 1%: met"),
        "{}",
        markdown.stdout
    );
    let junit = relcheck(&["report", path, "--format", "junit"]).run();
    assert!(
        junit
            .stdout
            .contains(r#"<property name="answer" value="450ms against &lt; 500ms: met"/>"#),
        "{}",
        junit.stdout
    );
    let html = relcheck(&["report", path, "--format", "html"]).run();
    assert!(
        html.stdout.contains(
            r#"<span class="answer">72/100 against &gt;= 80/100: not met, overruled</span>"#
        ),
        "{}",
        html.stdout
    );
    let json = relcheck(&["report", path, "--format", "json"]).run();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        json["items"][0]["measure"].to_string(),
        r#"{"bound":"< 1%","value":"0.4%","verdict":"met"}"#
    );

    // The failed p95 becomes a pass in the file: the digest says no.
    let original = std::fs::read_to_string(path).unwrap();
    let forged = original.replace("value: 72/100", "value: 85/100");
    assert_ne!(forged, original);
    std::fs::write(path, forged).unwrap();
    let verified = relcheck(&["verify", path]).run();
    assert_eq!(
        (verified.code, verified.stdout.lines().next()),
        (
            5,
            Some("FAIL  record digest does not match: the record was edited outside relcheck")
        )
    );
}

#[test]
fn an_answer_that_is_no_value_stops_the_run_before_anything_runs() {
    Test::new()
        .file("deploy.md", DEPLOY)
        .file(
            "answers.yaml",
            "items:\n  Error rate normal (< 1%): low\n  Error rate > 5%: not-occurred\n  p95 latency (< 500ms): {value: 3%}\n  Validation score >= 80/100: {status: occurred, note: x}\n",
        )
        .args(&["run", "deploy.md", "--non-interactive", "--answers", "answers.yaml"])
        .code(3)
        .stderr(
            "error: answers.yaml:3: items.Error rate > 5%: answering a measured item without its value (> 5%) needs a note saying why
answers.yaml:2: items.Error rate normal (< 1%): value: type the measured value as a number, as 0.5% (the bound is < 1%)
answers.yaml:5: items.Validation score >= 80/100: a check takes done, failed, skipped, n/a, not `occurred`
answers.yaml:4: items.p95 latency (< 500ms): value: type the measured value as a number, as 499ms (the bound is < 500ms)
",
        )
        .run();
}

/// Thresholds in the words a release manager writes ("above", "below",
/// "exceeds", "no more than") are settled by the value as symbols are; a
/// value for a trigger that states none is refused as a value, not as a
/// `done` nobody wrote.
#[test]
fn thresholds_in_words_are_settled_by_the_value_and_a_trigger_with_none_takes_no_value() {
    const WORDS: &str = "# Deploy
## Verify
- [ ] p95 latency below 300ms
- [ ] Error rate does not exceed 1%
## Rollback Triggers
- [ ] Error rate above 5%
- [ ] Error rate above twice the baseline
## Rollback Steps
- [ ] Roll back
";
    Test::new()
        .file("deploy.md", WORDS)
        .args(&["show", "deploy.md"])
        .stdout(
            "Deploy
deploy.md · markdown · 3 phases, 5 items · 3 check, 2 trigger · 3 measured

2  Verify
3    [ ] p95 latency below 300ms  (measured < 300ms)
4    [ ] Error rate does not exceed 1%  (measured <= 1%)

5  Rollback Triggers
6    [!] Error rate above 5%  (trigger, measured > 5%)
7    [!] Error rate above twice the baseline  (trigger)

8  Rollback Steps  [on rollback]
9    [ ] Roll back
",
        )
        .run();
    let ran = Test::new()
        .file("deploy.md", WORDS)
        .file(
            "answers.yaml",
            "items:\n  p95 latency below 300ms: 280ms\n  Error rate does not exceed 1%: 1\n  Error rate above 5%: 7\n  Error rate above twice the baseline: not-occurred\n  Roll back: done\n",
        )
        .args(&["run", "deploy.md", "--non-interactive", "--answers", "answers.yaml"])
        .code(1)
        .run();
    let record = ran.record();
    assert_eq!(
        answers(&record)[..3],
        [
            (
                "verify/p95-latency-below-300ms",
                Status::Done,
                measured("< 300ms", "280ms", Verdict::Met).as_ref(),
                None
            ),
            (
                "verify/error-rate-does-not-exceed-1",
                Status::Done,
                measured("<= 1%", "1%", Verdict::Met).as_ref(),
                None
            ),
            (
                "rollback-triggers/error-rate-above-5",
                Status::Occurred,
                measured("> 5%", "7%", Verdict::Met).as_ref(),
                None
            ),
        ]
    );
    assert_eq!(record.run.outcome, Outcome::RolledBack);
    Test::new()
        .file("deploy.md", WORDS)
        .file(
            "answers.yaml",
            "items:\n  Error rate above twice the baseline: 1\n",
        )
        .args(&["run", "deploy.md", "--non-interactive", "--answers", "answers.yaml"])
        .code(3)
        .stderr(
            "error: answers.yaml:2: items.Error rate above twice the baseline: a trigger is answered occurred, not-occurred, skipped or n/a, not with a value (`1`): its text states no threshold, as `> 5%`, to hold a value against\n",
        )
        .run();
}

const PROBE: &str = "# Probe
## Verify
- [ ] Error rate normal (< 1%)
  ```sh
  echo querying; echo 0.4
  ```
- [ ] Queue depth under 10%
  ```sh
  echo fine
  ```
";

#[test]
fn a_command_whose_last_line_is_one_number_gives_the_value() {
    let ran = Test::new()
        .file("probe.md", PROBE)
        .args(&["run", "probe.md", "--non-interactive"])
        .code(4)
        // A command's time varies: `(0.02 s)` goes.
        .filter(|text| {
            let mut out = String::new();
            let mut rest = text;
            while let Some(at) = rest.find(" (0.") {
                let end = at + rest[at..].find(" s)").unwrap() + 3;
                out.push_str(&rest[..at]);
                rest = &rest[end..];
            }
            out.push_str(rest);
            out
        })
        .stderr(
            "Probe: 2 items (2 checks, 0 triggers, 0 fields, 0 sign-offs)
ok      Error rate normal (< 1%): 0.4% against < 1%: met
warning: verify/queue-depth-under-10: command exit 0, and its last line is no number to hold against < 10%: give the measured value
pending Queue depth under 10%
1 passed, 0 failed, 0 skipped, 1 pending
",
        )
        .run();
    let record = ran.record();
    let first = &record.items[0];
    assert_eq!(first.status, Status::Done);
    assert_eq!(
        first.rare.measure.as_deref(),
        measured("< 1%", "0.4%", Verdict::Met).as_ref()
    );
    assert_eq!(first.source.as_ref().unwrap().kind, "command");
    // "fine" is no number: the exit code does not settle a threshold.
    assert_eq!(record.items[1].status, Status::Pending);
    assert!(record.items[1].rare.command.is_some());
}

#[test]
fn at_the_terminal_the_operator_types_values_and_overrules_only_with_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("deploy.md"), DEPLOY).unwrap();
    let mut run = pty(tmp.path(), &["run", "deploy.md"]);
    run.expect("Measured: press v and type the measured value (< 1%); relcheck settles it.")
        .unwrap();
    run.expect("v measured value  y done  n failed").unwrap();
    run.send("v").unwrap();
    run.expect("Measured value (< 1%):").unwrap();
    run.send("low\r").unwrap();
    run.expect("type the measured value as a number, as 0.5% (the bound is < 1%)")
        .unwrap();
    // Turned down, the value is asked for again at once: no `v` first.
    run.expect("Measured value (< 1%):").unwrap();
    // Esc goes back to the keys; a refusal then that is not about a value
    // leaves them there.
    run.send("\x1b").unwrap();
    run.expect("\r\x1b[2K").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    run.send("n").unwrap();
    run.expect("Note (needed when it goes against the number):")
        .unwrap();
    run.send("\r").unwrap();
    run.expect("answering without the measured value (< 1%) needs a note saying why")
        .unwrap();
    run.send("v").unwrap();
    run.expect("Measured value (< 1%):").unwrap();
    run.send("0.4\r").unwrap();
    run.expect("done: Error rate normal (< 1%) — 0.4% against < 1%: met")
        .unwrap();
    // y without a value, and no note: refused.
    run.expect("Validation score").unwrap();
    run.send("y").unwrap();
    run.expect("Note (needed when it goes against the number):")
        .unwrap();
    run.send("\r").unwrap();
    run.expect("answering without the measured value (>= 80/100) needs a note saying why")
        .unwrap();
    run.send("v").unwrap();
    run.expect("Measured value (>= 80/100):").unwrap();
    run.send("72\r").unwrap();
    run.expect("failed: Validation score >= 80/100 — 72/100 against >= 80/100: not met")
        .unwrap();
    // Back to it: y against the number, with a note, overrules it.
    run.send("g").unwrap();
    run.expect("Go to").unwrap();
    run.send("2\r").unwrap();
    run.expect("Measured: 72/100 against >= 80/100: not met; v types a new value.")
        .unwrap();
    run.send("y").unwrap();
    run.expect("Note (needed when it goes against the number):")
        .unwrap();
    run.send("scanner undercounts\r").unwrap();
    run.expect("p95 latency").unwrap();
    run.send("v").unwrap();
    run.expect("Measured value (< 500ms):").unwrap();
    run.send("0.45 s\r").unwrap();
    run.expect("Release notes published").unwrap();
    run.send("y").unwrap();
    run.expect("Error rate > 5%").unwrap();
    run.send("v").unwrap();
    run.expect("Measured value (> 5%):").unwrap();
    run.send("2\r").unwrap();
    run.expect("Response time > 3x baseline").unwrap();
    run.send("v").unwrap();
    run.expect("Measured value (> 3x baseline):").unwrap();
    run.send("650\r").unwrap();
    run.expect("Response time baseline (the bound is > 3x baseline):")
        .unwrap();
    run.send("200\r").unwrap();
    run.expect("Run finished: ROLLED-BACK").unwrap();
    run.expect("record:").unwrap();
    let records: Vec<_> = std::fs::read_dir(tmp.path().join("relcheck-records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    let record = Record::load(&records[0]).unwrap();
    let answers = answers(&record);
    assert_eq!(
        answers[1],
        (
            "verify/validation-score-80-100",
            Status::Done,
            Some(&Measured {
                overruled: true,
                ..measured(">= 80/100", "72/100", Verdict::NotMet).unwrap()
            }),
            Some("scanner undercounts")
        )
    );
    assert_eq!(
        answers[2].2,
        measured("< 500ms", "0.45 s", Verdict::Met).as_ref()
    );
    assert_eq!(
        (
            answers[5].1,
            answers[5].2.and_then(|m| m.baseline.as_deref())
        ),
        (Status::Occurred, Some("200"))
    );
    assert_eq!(record.rollback.as_ref().unwrap().cause, answers[5].0);
    // The correction is in the log, with what it replaced.
    assert!(
        record
            .events
            .iter()
            .any(|e| e.detail.as_deref() == Some("was failed, now done"))
    );
}

#[test]
fn a_status_against_the_number_is_kept_with_its_note_and_a_bare_one_is_refused() {
    let answers = "values:
  Response time baseline: 200ms
items:
  Error rate normal (< 1%): {status: done, note: \"dashboards down; checked logs by hand\"}
  Validation score >= 80/100: 80
  p95 latency (< 500ms): 499
  Release notes published: done
  Error rate > 5%: {value: 6%, status: not-occurred, note: \"one noisy canary, drained\"}
  Response time > 3x baseline: {value: 0.5 s}
";
    let ran = Test::new()
        .file("deploy.md", DEPLOY)
        .file("answers.yaml", answers)
        .args(&["run", "deploy.md", "--non-interactive", "--answers", "answers.yaml"])
        .stderr(
            "Deploy web: 6 items (4 checks, 2 triggers, 0 fields, 0 sign-offs)
ok      Error rate normal (< 1%): no value against < 1%: answered by hand; dashboards down; checked logs by hand
ok      Validation score >= 80/100: 80/100 against >= 80/100: met
ok      p95 latency (< 500ms): 499ms against < 500ms: met
ok      Release notes published
ok      Error rate > 5%: 6% against > 5%: met, overruled; one noisy canary, drained
ok      Response time > 3x baseline: 0.5 s against > 3x baseline (baseline 200ms): not met
6 passed, 0 failed, 0 skipped, 0 pending
",
        )
        .run();
    let record = ran.record();
    assert_eq!(record.run.outcome, Outcome::Success);
    assert_eq!(record.rollback, None);
    assert_eq!(
        record.items[0].rare.measure.as_deref(),
        Some(&Measured {
            bound: "< 1%".into(),
            baseline: None,
            value: None,
            verdict: None,
            overruled: true,
        })
    );
    assert_eq!(
        record.items[4].rare.measure.as_deref(),
        Some(&Measured {
            overruled: true,
            ..measured("> 5%", "6%", Verdict::Met).unwrap()
        })
    );

    // Against the number with no note: the engine refuses it, and the
    // pipeline leaves the item pending rather than record a bare overrule.
    let bare = answers.replace(", note: \"one noisy canary, drained\"", "");
    let ran = Test::new()
        .file("deploy.md", DEPLOY)
        .file("answers.yaml", &bare)
        .args(&[
            "run",
            "deploy.md",
            "--non-interactive",
            "--answers",
            "answers.yaml",
        ])
        .code(4)
        .run();
    assert!(
        ran.out.stderr.contains(
            "warning: rollback-triggers/error-rate-5: 6% against > 5% says occurred: answering not-occurred overrules it, so say why in a note\n"
        ),
        "{}",
        ran.out.stderr
    );
    assert_eq!(ran.record().items[4].status, Status::Pending);
}

#[test]
fn a_pipeline_settles_seed_002s_thresholds_from_an_answers_file() {
    let seed = std::fs::read_to_string(fixture("seed-002-full-runbook.md")).unwrap();
    let answers = "values:
  Authorisation latency baseline: 180ms
items:
  Ledger snapshot exists (< 6 hours old): 2
  Preflight score >= 90/100: 93
  Decline rate normal (< 2%): 0.8
  Authorisation latency normal (< 300ms): 0.31 s
  CPU normal (< 65%): 40
  Memory normal (< 75%): 70
  Smoke score >= 90/100: 95
  Decline rate > 4%: 1.1
  Authorisation latency > 3x baseline: 310ms
  Merchant impact > 5 minutes: 0
  Rollout stalled > 10 minutes: 12
";
    let ran = Test::new()
        .file("seed.md", &seed)
        .file("answers.yaml", answers)
        .args(&[
            "run",
            "seed.md",
            "--non-interactive",
            "--no-commands",
            "--keep-going",
            "--answers",
            "answers.yaml",
        ])
        .code(1)
        .run();
    let settled: Vec<&str> = ran
        .out
        .stderr
        .lines()
        .filter(|line| line.ends_with(": met") || line.ends_with(": not met"))
        .collect();
    assert_eq!(
        settled,
        [
            "ok      Ledger snapshot exists (< 6 hours old): 2 h against < 6 h: met",
            "ok      Preflight score >= 90/100: 93/100 against >= 90/100: met",
            "ok      Decline rate normal (< 2%): 0.8% against < 2%: met",
            "FAIL    Authorisation latency normal (< 300ms): 0.31 s against < 300ms: not met",
            "ok      CPU normal (< 65%): 40% against < 65%: met",
            "ok      Memory normal (< 75%): 70% against < 75%: met",
            "ok      Smoke score >= 90/100: 95/100 against >= 90/100: met",
            "ok      Decline rate > 4%: 1.1% against > 4%: not met",
            "ok      Authorisation latency > 3x baseline: 310ms against > 3x baseline (baseline 180ms): not met",
            "ok      Merchant impact > 5 minutes: 0 min against > 5 min: not met",
            "FAIL    Rollout stalled > 10 minutes: 12 min against > 10 min: met",
        ]
    );
    let record = ran.record();
    let rollback = record
        .rollback
        .as_ref()
        .expect("a crossed trigger calls it");
    assert_eq!(
        rollback.cause,
        "rollback-criteria/rollout-stalled-10-minutes"
    );
    assert_eq!(
        record
            .items
            .iter()
            .filter(|i| i.rare.measure.is_some())
            .count(),
        11
    );
}
