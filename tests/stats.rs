//! `relcheck history --stats`: release metrics from records written by
//! hand here, so every figure can be worked out on paper and asserted
//! exactly, in text, JSON and Markdown.

use std::path::Path;

use crate::support::relcheck;

const WEB_DEPLOY: &str = "# Web Deploy

## Deploy

- [ ] Backup taken
- [ ] Release deployed

## Verify

### Rollback Triggers

- [ ] Error rate above 2%

### Rollback Steps

If rollback required:

- [ ] Previous release restored

## Sign-off

- [ ] **Release Manager**: ___ Signature: ___
";

/// A record of Web Deploy. `run` is the `run:` block's inner keys;
/// `answers` the status and times of its five items, in order: `None`
/// for pending, else `(status, at, by someone)`; the rest is YAML
/// appended at the top level (rollback, gates, sign-offs).
fn web_deploy(run: &str, answers: [Option<(&str, &str, bool)>; 5], rest: &str) -> String {
    let ids = [
        ("deploy/backup-taken", "Backup taken", "check"),
        ("deploy/release-deployed", "Release deployed", "check"),
        (
            "verify/rollback-triggers/error-rate-above-2",
            "Error rate above 2%",
            "trigger",
        ),
        (
            "verify/rollback-steps/previous-release-restored",
            "Previous release restored",
            "check",
        ),
        ("sign-off/release-manager", "Release Manager", "signoff"),
    ];
    let mut items = String::new();
    for (i, ((id, text, kind), answer)) in ids.iter().zip(answers).enumerate() {
        items.push_str(&format!(
            "- id: {id}\n  kind: {kind}\n  text: {text}\n  line: {}\n",
            i + 5
        ));
        match answer {
            None => items.push_str("  status: pending\n"),
            Some((status, at, by)) => {
                items.push_str(&format!("  status: {status}\n  at: 2026-11-{at}:00Z\n"));
                if by {
                    items.push_str("  by: Ada\n");
                }
            }
        }
    }
    let source: String = WEB_DEPLOY
        .lines()
        .map(|line| format!("    {line}\n"))
        .collect();
    format!(
        "schema: relcheck/record/v2
checklist:
  title: Web Deploy
  origin:
    file: checklists/web-deploy.md
  sha256: '00'
  phases:
  - {{id: deploy, title: Deploy}}
  - {{id: verify, title: Verify}}
  - {{id: sign-off, title: Sign-off}}
  source: |
{source}run:
  id: x
  operator: Ada
  host: h
{run}  mode: interactive
  relcheck_version: 0.1.0
items:
{items}{rest}"
    )
}

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
    let done = |at| Some(("done", at, true));
    // 1: success, signed an hour after it ended.
    write(
        "web-1.yaml",
        web_deploy(
            "  started: 2026-11-02T10:00:00Z\n  finished: 2026-11-02T10:30:00Z\n  duration_seconds: 1800\n  outcome: success\n",
            [
                done("02T10:05"),
                done("02T10:15"),
                Some(("not-occurred", "02T10:20", true)),
                Some(("not-needed", "02T10:30", false)),
                done("02T10:29"),
            ],
            "signoffs:\n- {role: Release Manager, name: Linus, decision: approve, at: 2026-11-02T11:30:00Z, item: sign-off/release-manager}\n",
        ),
    );
    // 2: rolled back: called 10:20, the one rollback step done 10:32;
    // signed during the run; the backup skipped.
    write(
        "web-2.yaml",
        web_deploy(
            "  started: 2026-11-09T10:00:00Z\n  finished: 2026-11-09T10:40:00Z\n  duration_seconds: 2400\n  outcome: rolled-back\n",
            [
                Some(("skipped", "09T10:02", true)),
                done("09T10:10"),
                Some(("occurred", "09T10:19", true)),
                done("09T10:32"),
                done("09T10:38"),
            ],
            "rollback: {at: 2026-11-09T10:20:00Z, by: Ada, cause: verify/rollback-triggers/error-rate-above-2}\nsignoffs:\n- {role: Release Manager, name: Linus, decision: approve, at: 2026-11-09T10:38:00Z, item: sign-off/release-manager}\n",
        ),
    );
    // 3: failed: the backup failed, the deployment skipped; no sign-off.
    write(
        "web-3.yaml",
        web_deploy(
            "  started: 2026-11-16T10:00:00Z\n  finished: 2026-11-16T11:00:00Z\n  duration_seconds: 3600\n  outcome: failed\n",
            [
                Some(("failed", "16T10:05", true)),
                Some(("skipped", "16T10:25", true)),
                None,
                None,
                None,
            ],
            "",
        ),
    );
    // 4: success with the backup's failure waived; signed two hours on.
    write(
        "web-4.yaml",
        web_deploy(
            "  started: 2026-11-23T10:00:00Z\n  finished: 2026-11-23T10:50:00Z\n  duration_seconds: 3000\n  outcome: success\n",
            [
                Some(("failed", "23T10:04", true)),
                done("23T10:20"),
                Some(("not-occurred", "23T10:30", true)),
                Some(("not-needed", "23T10:50", false)),
                done("23T10:45"),
            ],
            "gates:\n- {phase: deploy, decision: waive, reason: known flake, by: Ada, at: 2026-11-23T10:06:00Z, items: [deploy/backup-taken]}\nsignoffs:\n- {role: Release Manager, name: Linus, decision: approve, at: 2026-11-23T12:50:00Z, item: sign-off/release-manager}\n",
        ),
    );
    // 5: rolled back and quit after the way back, the rest still to
    // answer: not finished, so not in the change failure rate.
    write(
        "web-5.yaml",
        web_deploy(
            "  started: 2026-11-30T10:00:00Z\n  outcome: rolled-back\n",
            [
                done("30T10:03"),
                None,
                Some(("occurred", "30T10:04", true)),
                done("30T10:10"),
                None,
            ],
            "rollback: {at: 2026-11-30T10:04:00Z, by: Ada, cause: verify/rollback-triggers/error-rate-above-2}\n",
        ),
    );
    // Another checklist, of a schema-v1-like shape with no text carried.
    write(
        "hotfix-1.yaml",
        "schema: relcheck/record/v2
checklist: {title: Hotfix, origin: {file: hotfix.md}, sha256: '00'}
run: {id: h, operator: Grace, host: h, started: 2026-11-10T08:00:00Z, finished: 2026-11-10T08:10:00Z, duration_seconds: 600, mode: interactive, outcome: success, relcheck_version: 0.1.0}
items:
- {id: fix/patched, text: Patched, line: 3, status: done, by: Grace, at: 2026-11-10T08:09:00Z}
"
        .to_string(),
    );
    // Not a record: skipped, with a line naming it.
    write("broken.yaml", "schema: [not a record\n".to_string());
    dir
}

fn dir_arg(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

/// The line a file that is no record gets, as `history` gives it.
fn broken_line(dir: &Path) -> String {
    format!(
        "error: {}/broken.yaml:1:9: not a relcheck record: schema: expected a text (not counted)\n",
        dir_arg(dir)
    )
}

#[test]
fn text_gives_each_figure() {
    let dir = folder();
    let out = relcheck(&["history", "--stats", dir_arg(dir.path())]).run();
    assert_eq!(out.stderr, broken_line(dir.path()));
    assert_eq!(out.code, 3, "a file was left out");
    assert_eq!(
        out.stdout,
        "Release metrics: 6 runs of 2 checklists, 2026-11-02 to 2026-11-30

All checklists
  runs                 6, 1.5 a week
  outcomes             1 failed, 2 rolled-back, 3 success
  change failure rate  40% (2 of 5 finished: 1 rolled back, 1 failed)
  time to restore      median 9 min (2 rollbacks)
  run duration         median 40 min (5 finished runs)
  sign-off latency     median 1 h 0 min (3 signed runs)
  weak spots: items failed, skipped or waived
    3 runs  Web Deploy: deploy/backup-taken  (2 failed, 1 skipped, 1 waived)
    1 run   Web Deploy: deploy/release-deployed  (1 skipped)

Hotfix
  runs                 1, 1.0 a week
  outcomes             1 success
  change failure rate  0% (0 of 1 finished: 0 rolled back, 0 failed)
  time to restore      -
  run duration         median 10 min (1 finished run)
  sign-off latency     -
  phases, median first to last answer
    fix                0 s (1 run)

Web Deploy
  runs                 5, 1.2 a week
  outcomes             1 failed, 2 rolled-back, 2 success
  change failure rate  50% (2 of 4 finished: 1 rolled back, 1 failed)
  time to restore      median 9 min (2 rollbacks)
  run duration         median 45 min (4 finished runs)
  sign-off latency     median 1 h 0 min (3 signed runs)
  phases, median first to last answer
    Deploy             10 min (5 runs)
    Verify             3 min (4 runs)
    Sign-off           0 s (3 runs)
  weak spots: items failed, skipped or waived
    3 runs  deploy/backup-taken  (2 failed, 1 skipped, 1 waived)
    1 run   deploy/release-deployed  (1 skipped)
"
    );
}

#[test]
fn json_gives_each_figure() {
    let dir = folder();
    let out = relcheck(&[
        "history",
        "--stats",
        dir_arg(dir.path()),
        "--format",
        "json",
    ])
    .run();
    assert_eq!(out.code, 3);
    assert_eq!(out.stderr, broken_line(dir.path()));
    let stats: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let web = &stats["checklists"][1];
    assert_eq!(
        *web,
        serde_json::json!({
            "checklist": "Web Deploy",
            "runs": 5,
            "first_run": "2026-11-02T10:00:00Z",
            "last_run": "2026-11-30T10:00:00Z",
            "runs_per_week": 1.25,
            "outcomes": {"failed": 1, "rolled-back": 2, "success": 2},
            "finished": 4,
            "failed_or_rolled_back": 2,
            "change_failure_rate": 0.5,
            "restores": 2,
            "median_time_to_restore_seconds": 540.0,
            "median_duration_seconds": 2700.0,
            "phases": [
                {"id": "deploy", "title": "Deploy", "runs": 5, "median_seconds": 600.0},
                {"id": "verify", "title": "Verify", "runs": 4, "median_seconds": 180.0},
                {"id": "sign-off", "title": "Sign-off", "runs": 3, "median_seconds": 0.0},
            ],
            "weak_spots": [
                {"checklist": "Web Deploy", "id": "deploy/backup-taken", "text": "Backup taken",
                 "runs": 3, "failed": 2, "skipped": 1, "waived": 1},
                {"checklist": "Web Deploy", "id": "deploy/release-deployed", "text": "Release deployed",
                 "runs": 1, "failed": 0, "skipped": 1, "waived": 0},
            ],
            "signed_runs": 3,
            "median_signoff_latency_seconds": 3600.0,
        })
    );
    let all = &stats["overall"];
    assert_eq!(all["checklist"], serde_json::Value::Null);
    assert_eq!(all["runs"], 6);
    assert_eq!(all["runs_per_week"], 1.5);
    assert_eq!(all["change_failure_rate"], 0.4);
    assert_eq!(all["median_duration_seconds"], 2400.0);
    assert_eq!(all["median_signoff_latency_seconds"], 3600.0);
    assert_eq!(all["phases"], serde_json::json!([]));
    assert_eq!(stats["checklists"][0]["checklist"], "Hotfix");
    assert_eq!(
        stats["checklists"][0]["median_time_to_restore_seconds"],
        serde_json::Value::Null
    );
}

#[test]
fn since_and_checklist_narrow_the_runs() {
    let dir = folder();
    let out = relcheck(&[
        "history",
        "--stats",
        dir_arg(dir.path()),
        "--since",
        "2026-11-09T10:00:00Z",
        "--checklist",
        "web-deploy",
        "--format",
        "json",
    ])
    .run();
    let stats: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(stats["since"], "2026-11-09T10:00:00Z");
    assert_eq!(stats["checklists"].as_array().unwrap().len(), 1);
    let web = &stats["checklists"][0];
    // Runs 2 to 5: three weeks from --since to the last.
    assert_eq!(web["runs"], 4);
    assert_eq!(web["runs_per_week"], 4.0 / 3.0);
    assert_eq!(web["change_failure_rate"], 2.0 / 3.0);
    assert_eq!(web["median_duration_seconds"], 3000.0);

    // The list narrows the same way, and by title too.
    let list = relcheck(&[
        "history",
        dir_arg(dir.path()),
        "--checklist",
        "Hotfix",
        "--format",
        "json",
    ])
    .run();
    let rows: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["checklist"], "Hotfix");

    let none = relcheck(&[
        "history",
        "--stats",
        dir_arg(dir.path()),
        "--checklist",
        "nope",
        "--since",
        "2026-01-01T12:00:00+01:00",
    ])
    .run();
    assert_eq!(
        none.stdout,
        format!(
            "no records in {} of checklist nope since 2026-01-01 11:00:00 UTC\n",
            dir_arg(dir.path())
        )
    );
}

#[test]
fn markdown_gives_tables() {
    let dir = folder();
    std::fs::remove_file(dir.path().join("broken.yaml")).unwrap();
    let out = relcheck(&[
        "history",
        "--stats",
        dir_arg(dir.path()),
        "--checklist",
        "Hotfix",
        "--format",
        "markdown",
    ])
    .run();
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert_eq!(
        out.stdout,
        "# Release metrics

1 run of 1 checklist, 2026-11-10 to 2026-11-10

## Hotfix

| | |
|---|---|
| runs | 1, 1.0 a week |
| outcomes | 1 success |
| change failure rate | 0% (0 of 1 finished: 0 rolled back, 0 failed) |
| time to restore | - |
| run duration | median 10 min (1 finished run) |
| sign-off latency | - |

| phase | median, first to last answer | runs |
|---|---|---:|
| fix | 0 s | 1 |

---
*Change failure rate and time to restore as DORA defines them; see docs/REPORTS.md in relcheck.*
"
    );
}

#[test]
fn bad_arguments_get_one_line() {
    let dir = folder();
    let out = relcheck(&[
        "history",
        "--stats",
        dir_arg(dir.path()),
        "--since",
        "last week",
    ])
    .run();
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (
            2,
            "",
            "error: --since last week: not a date; give YYYY-MM-DD (a day, UTC) or an RFC 3339 time such as 2026-11-01T09:00:00Z\n"
        )
    );
    let out = relcheck(&["history", dir_arg(dir.path()), "--format", "markdown"]).run();
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            2,
            "error: --format markdown is for --stats; the list of records is text or json\n"
        )
    );
    let out = relcheck(&["history", "--stats", "--check", dir_arg(dir.path())]).run();
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (
            2,
            "",
            "error: --check is for the list of records, not --stats\n"
        )
    );
}

/// `--stats --format json` of a folder, with its exit code and stderr.
fn stats_json(dir: &Path) -> (i32, String, String) {
    let out = relcheck(&["history", "--stats", dir_arg(dir), "--format", "json"]).run();
    (out.code, out.stdout, out.stderr)
}

/// [`folder`]'s records, each changed by `change` and sealed as relcheck
/// seals a record it writes, into a new folder; the broken file left out.
fn sealed_folder(change: impl Fn(&mut relcheck::record::Record)) -> tempfile::TempDir {
    let hand = folder();
    let sealed = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(hand.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.ends_with("broken.yaml") {
            continue;
        }
        let mut record = relcheck::record::Record::load(&path).unwrap();
        relcheck::record::seal(&mut record);
        change(&mut record);
        let name = path.file_name().unwrap();
        std::fs::write(sealed.path().join(name), record.to_yaml().unwrap()).unwrap();
    }
    sealed
}

/// Everything after the top-level `items:` line replaced by a line no
/// YAML reader takes: what is still counted was read from the header.
fn cut_items(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let at = text.find("\nitems:\n").expect("items") + "\nitems:\n".len();
        std::fs::write(&path, format!("{}- [not an item\n", &text[..at])).unwrap();
    }
}

/// The figures of [`folder`], read whole (its records carry no summary).
fn whole_figures() -> String {
    let hand = folder();
    std::fs::remove_file(hand.path().join("broken.yaml")).unwrap();
    let (code, stdout, stderr) = stats_json(hand.path());
    assert_eq!((code, stderr.as_str()), (0, ""));
    stdout
}

/// Sealed, each record carries its metrics in its summary, and the
/// figures come from there: the same figures with the items cut away.
/// These records' outlines do not mark rollback sections (written by hand,
/// as before the mark), so the time to restore is found in their text.
#[test]
fn figures_from_headers_are_the_figures_from_whole_records() {
    let whole = whole_figures();
    let sealed = sealed_folder(|_| {});
    assert_eq!(stats_json(sealed.path()), (0, whole.clone(), String::new()));
    cut_items(sealed.path());
    assert_eq!(stats_json(sealed.path()), (0, whole, String::new()));
}

/// A record a run writes marks its rollback sections in its outline, and
/// its time to restore is found from that, without its text.
#[test]
fn the_outline_marks_rollback_steps_and_gives_the_same_time_to_restore() {
    let whole = whole_figures();
    let sealed = sealed_folder(|record| {
        let Some(text) = record.checklist.source.take() else {
            return;
        };
        let source = relcheck::source::Source::from_text("web-deploy.md", &text.text());
        let checklist = relcheck::parse::parse(&source).checklist;
        record.checklist.phases = relcheck::record::ChecklistRef::of(&checklist).phases;
        // With neither the text nor the mark there is no time to restore:
        // the mark alone gives it.
        relcheck::record::seal(record);
    });
    let web2 = std::fs::read_to_string(sealed.path().join("web-2.yaml")).unwrap();
    assert!(
        web2.contains(
            "    - id: verify/rollback-steps\n      title: Rollback Steps\n      rollback: true\n"
        ),
        "{web2}"
    );
    assert!(web2.contains("    restore_seconds: 720.0\n"), "{web2}");
    assert_eq!(stats_json(sealed.path()), (0, whole.clone(), String::new()));
    cut_items(sealed.path());
    assert_eq!(stats_json(sealed.path()), (0, whole, String::new()));
}

/// A summary written before `metrics` were (an older v2 record) still
/// verifies, and `--stats` reads that record whole: the same figures, and
/// with its items cut away it is a file that does not read.
#[test]
fn a_summary_without_metrics_is_read_whole() {
    let whole = whole_figures();
    let older = sealed_folder(|record| {
        record.summary.as_mut().unwrap().metrics = None;
        record.digest = Some(relcheck::record::digest(record));
    });
    let web1 = older.path().join("web-1.yaml");
    let text = std::fs::read_to_string(&web1).unwrap();
    assert!(text.contains("summary:\n  items: 5\n") && !text.contains("metrics"));
    assert!(digest_line(&web1).starts_with("ok    record digest "));
    assert_eq!(stats_json(older.path()), (0, whole, String::new()));
    cut_items(older.path());
    let (code, _, stderr) = stats_json(older.path());
    assert_eq!(code, 3);
    let hotfix = older.path().join("hotfix-1.yaml");
    assert_eq!(
        stderr.lines().next().unwrap(),
        format!(
            "error: {}:20:3: not a relcheck record: items: unclosed bracket '[' (not counted)",
            hotfix.display()
        )
    );
    assert_eq!(stderr.matches("(not counted)\n").count(), 6, "{stderr}");
}

/// Metrics forged in the summary, the digest recomputed over them: the
/// figures show them (they are read from the header), but `verify`
/// fails the record and `history --check` says it was edited.
#[test]
fn forged_metrics_are_caught_by_verify() {
    let forged = sealed_folder(|record| {
        let metrics = record.summary.as_mut().unwrap().metrics.as_mut().unwrap();
        if metrics.restore_seconds.is_some() {
            metrics.restore_seconds = Some(60.0);
        }
        record.digest = Some(relcheck::record::digest(record));
    });
    let (_, stdout, _) = stats_json(forged.path());
    let stats: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(stats["overall"]["median_time_to_restore_seconds"], 60.0);
    let web2 = forged.path().join("web-2.yaml");
    let out = relcheck(&["verify", dir_arg(&web2)]).run();
    assert_eq!(out.code, 5, "{}", out.stdout);
    assert_eq!(
        digest_line(&web2),
        "FAIL  record digest does not match: the record was edited outside relcheck"
    );
    let web1 = forged.path().join("web-1.yaml");
    assert!(digest_line(&web1).starts_with("ok    record digest "));
}

/// The first line of `verify`: what it says of the record's digest (the
/// hand-written sign-offs here are bound to none, and fail apart from it).
fn digest_line(record: &Path) -> String {
    let out = relcheck(&["verify", dir_arg(record)]).run();
    out.stdout.lines().next().unwrap_or_default().to_string()
}
