//! `relcheck attest`, run as a user would: a finished release record made
//! by hand, signed off with a key made by ssh-keygen through the real
//! binary, then attested; the Statement held to the in-toto v1 schema and
//! the predicate compared whole. `schema` holds the in-toto rules,
//! `refusals` what is not attested.

mod refusals;
mod schema;

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use chrono::{DateTime, SecondsFormat, Utc};
use relcheck::model::Kind;
use relcheck::record::{
    self, ChecklistRef, Event, EventAction, Gate, GateDecision, ItemResult, Mode, Origin, Outcome,
    Record, Rollback, Run, SCHEMA, Status,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::sign::{item, t};

fn signoff_item(id: &str, role: &str) -> ItemResult {
    let mut item = item(id, Kind::Signoff, Status::Pending);
    item.rare.role = Some(role.to_string());
    item
}

/// A pipeline release that ended rolled back: a failed test waived at the
/// build gate, a trigger that called the rollback, a rollback gate, and
/// two sign-offs still to give.
fn release() -> Record {
    let mut record = Record {
        schema: SCHEMA.to_string(),
        checklist: ChecklistRef {
            title: "Web Release".to_string(),
            origin: Origin::File {
                file: "checklists/web-release.md".to_string(),
            },
            sha256: "ab".repeat(32),
            phases: Vec::new(),
            source: None,
            signoff: None,
        },
        run: Run {
            id: "web-release-20260504T100000Z".to_string(),
            operator: "ci-bot".to_string(),
            host: "runner-7".to_string(),
            started: t(0),
            finished: Some(t(40)),
            duration_seconds: Some(2400.0),
            mode: Mode::NonInteractive,
            outcome: Outcome::RolledBack,
            relcheck_version: "0.1.0".to_string(),
        },
        values: Default::default(),
        rollback: Some(Rollback {
            at: t(30),
            by: "ci-bot".to_string(),
            cause: "verify/error-rate".to_string(),
            reason: Some("5xx at 4% after rollout".to_string()),
            later: Vec::new(),
        }),
        summary: None,
        items: vec![
            item("build/artifact", Kind::Check, Status::Done),
            item("build/tests", Kind::Check, Status::Failed),
            item("deploy/push", Kind::Check, Status::Done),
            item("verify/error-rate", Kind::Trigger, Status::Occurred),
            item("verify/latency", Kind::Trigger, Status::NotOccurred),
            item("rollback/restore", Kind::Check, Status::Done),
            item("wrap-up/announce", Kind::Check, Status::NotNeeded),
            signoff_item("sign-off/qa", "QA Lead"),
            signoff_item("sign-off/rm", "Release Manager"),
        ],
        gates: vec![
            Gate {
                phase: "build".to_string(),
                decision: GateDecision::Waive,
                reason: Some("flaky integration test, OPS-12".to_string()),
                by: "qa-team".to_string(),
                at: t(10),
                items: vec!["build/tests".to_string()],
                source: None,
            },
            Gate {
                phase: "verify".to_string(),
                decision: GateDecision::Rollback,
                reason: None,
                by: "ci-bot".to_string(),
                at: t(31),
                items: Vec::new(),
                source: None,
            },
        ],
        signoffs: Vec::new(),
        events: vec![
            Event {
                at: t(0),
                by: "ci-bot".to_string(),
                action: EventAction::Start,
                item: None,
                detail: None,
            },
            Event {
                at: t(40),
                by: "ci-bot".to_string(),
                action: EventAction::Finish,
                item: None,
                detail: Some("rolled-back".to_string()),
            },
        ],
        digest: None,
    };
    record::seal(&mut record);
    record
}

/// A folder with git's configuration of its own, so the developer's (an
/// allowed signers file, a signing key) never leaks in.
struct Sandbox {
    dir: tempfile::TempDir,
}

#[derive(Debug)]
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Sandbox {
    fn new(record: &Record) -> Sandbox {
        let sandbox = Sandbox {
            dir: tempfile::tempdir().unwrap(),
        };
        fs::create_dir(sandbox.path("home")).unwrap();
        fs::create_dir(sandbox.path("dist")).unwrap();
        fs::write(sandbox.path("gitconfig"), "").unwrap();
        fs::write(sandbox.path("dist/app.tar.gz"), "hello\n").unwrap();
        record.save(&sandbox.path("release.yaml")).unwrap();
        sandbox
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("GIT_") {
                command.env_remove(&name);
            }
        }
        command
            .current_dir(self.dir.path())
            .env("HOME", self.path("home"))
            .env("GIT_CONFIG_GLOBAL", self.path("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("NO_COLOR", "1")
            .env_remove("SSH_AUTH_SOCK")
            .stdin(Stdio::null());
        command
    }

    fn relcheck(&self, args: &[&str]) -> Ran {
        let output = self
            .command(env!("CARGO_BIN_EXE_relcheck"))
            .args(args)
            .output()
            .unwrap();
        Ran {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    /// An ed25519 key made by ssh-keygen, and its fingerprint as
    /// ssh-keygen prints it; `None` where ssh-keygen is not installed.
    fn key(&self, name: &str) -> Option<(String, String)> {
        let made = self
            .command("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", name])
            .output();
        match made {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "CI must install ssh-keygen (openssh-client)"
                );
                eprintln!("note: ssh-keygen is not installed; skipping what needs it");
                return None;
            }
            made => assert!(made.unwrap().status.success()),
        }
        let listed = self
            .command("ssh-keygen")
            .args(["-l", "-f", &format!("{name}.pub")])
            .output()
            .unwrap();
        // `256 SHA256:... comment (ED25519)`
        let listed = String::from_utf8(listed.stdout).unwrap();
        let fingerprint = listed.split_whitespace().nth(1).unwrap().to_string();
        let public = fs::read_to_string(self.path(&format!("{name}.pub"))).unwrap();
        Some((public.trim().to_string(), fingerprint))
    }

    fn load(&self) -> Record {
        Record::load(&self.path("release.yaml")).unwrap()
    }

    /// Jane (QA Lead) approves with her key; Bob (Release Manager)
    /// rejects, unsigned. Returns the fingerprint of Jane's key.
    fn sign_off(&self) -> Option<String> {
        let (public, fingerprint) = self.key("jane")?;
        fs::write(
            self.path("allowed_signers"),
            format!("jane@example.com {public}\n"),
        )
        .unwrap();
        let jane = self.relcheck(&[
            "sign",
            "release.yaml",
            "--role",
            "QA Lead",
            "--name",
            "Jane Doe <jane@example.com>",
            "--key",
            "jane",
            "--comment",
            "tested on staging",
        ]);
        assert_eq!(jane.code, 0, "{jane:?}");
        let bob = self.relcheck(&[
            "sign",
            "release.yaml",
            "--role",
            "Release Manager",
            "--name",
            "Bob <bob@example.com>",
            "--decision",
            "reject",
        ]);
        assert_eq!(bob.code, 0, "{bob:?}");
        Some(fingerprint)
    }
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// `sha256sum` of "hello\n": the artifact every sandbox holds.
const APP: &str = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
const IMAGE: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[test]
fn a_signed_release_is_attested_with_its_artifacts_and_its_record() {
    let sandbox = Sandbox::new(&release());
    let Some(fingerprint) = sandbox.sign_off() else {
        return;
    };
    let record = sandbox.load();
    let bytes = fs::read(sandbox.path("release.yaml")).unwrap();
    let image = format!("registry.example.com/web=sha256:{}", IMAGE.to_uppercase());
    let ran = sandbox.relcheck(&[
        "attest",
        "release.yaml",
        "--subject-file",
        "dist/app.tar.gz",
        "--subject",
        &image,
        "--allowed-signers",
        "allowed_signers",
        "-o",
        "release.intoto.json",
    ]);
    assert_eq!(
        (ran.code, ran.stdout.as_str(), ran.stderr.as_str()),
        (0, "", "")
    );
    let written = fs::read_to_string(sandbox.path("release.intoto.json")).unwrap();
    assert!(written.ends_with("}\n"));
    let statement: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(schema::in_toto_v1(&statement), Ok(()));
    // The artifacts as given (--subject first), then the record, by its
    // file name and the SHA-256 of its bytes.
    assert_eq!(
        statement["subject"],
        serde_json::json!([
            {"name": "registry.example.com/web", "digest": {"sha256": IMAGE}},
            {"name": "app.tar.gz", "digest": {"sha256": APP}},
            {"name": "release.yaml", "digest": {"sha256": sha256(&bytes)}},
        ])
    );
    assert_eq!(
        statement["predicateType"],
        "https://relcheck.dev/attestation/run/v1"
    );
    // Keys in a stable order: the Statement's, as in-toto writes them.
    let at = |key: &str| written.find(&format!("\"{key}\":")).unwrap();
    assert!(at("_type") < at("subject"));
    assert!(at("subject") < at("predicateType"));
    assert!(at("predicateType") < at("predicate"));

    // The predicate alone, exactly: what cosign and actions/attest take.
    let ran = sandbox.relcheck(&[
        "attest",
        "release.yaml",
        "--predicate-only",
        "--allowed-signers",
        "allowed_signers",
    ]);
    assert_eq!((ran.code, ran.stderr.as_str()), (0, ""));
    let expected = format!(
        r#"{{
  "record": {{
    "name": "release.yaml",
    "sha256": "{sha}",
    "schema": "relcheck/record/v2",
    "digest": "{digest}"
  }},
  "checklist": {{
    "title": "Web Release",
    "origin": {{
      "file": "checklists/web-release.md"
    }},
    "sha256": "{checklist}"
  }},
  "run": {{
    "id": "web-release-20260504T100000Z",
    "operator": "ci-bot",
    "host": "runner-7",
    "mode": "non-interactive",
    "started": "2026-05-04T10:00:00Z",
    "finished": "2026-05-04T10:40:00Z",
    "durationSeconds": 2400.0,
    "outcome": "rolled-back",
    "relcheckVersion": "0.1.0"
  }},
  "items": {{
    "total": 9,
    "byStatus": {{
      "pending": 2,
      "done": 3,
      "failed": 1,
      "skipped": 0,
      "n/a": 0,
      "occurred": 1,
      "not-occurred": 1,
      "not-needed": 1,
      "not-run": 0
    }}
  }},
  "waivers": [
    {{
      "phase": "build",
      "reason": "flaky integration test, OPS-12",
      "by": "qa-team",
      "at": "2026-05-04T10:10:00Z"
    }}
  ],
  "rollback": {{
    "at": "2026-05-04T10:30:00Z",
    "by": "ci-bot",
    "cause": "verify/error-rate",
    "reason": "5xx at 4% after rollout"
  }},
  "signoffs": [
    {{
      "role": "QA Lead",
      "name": "Jane Doe <jane@example.com>",
      "decision": "approve",
      "at": "{jane_at}",
      "comment": "tested on staging",
      "signature": {{
        "keyFingerprint": "{fingerprint}",
        "principal": "jane@example.com"
      }}
    }},
    {{
      "role": "Release Manager",
      "name": "Bob <bob@example.com>",
      "decision": "reject",
      "at": "{bob_at}"
    }}
  ]
}}
"#,
        sha = sha256(&bytes),
        digest = record.digest.as_deref().unwrap(),
        checklist = "ab".repeat(32),
        jane_at = time(record.signoffs[0].at),
        bob_at = time(record.signoffs[1].at),
    );
    assert_eq!(ran.stdout, expected);
    // The same predicate as in the Statement.
    let alone: Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(statement["predicate"], alone);
    assert!(fingerprint.starts_with("SHA256:"));

    // To standard output, the Statement is the file's text.
    let ran = sandbox.relcheck(&[
        "attest",
        "release.yaml",
        "--subject-file",
        "dist/app.tar.gz",
        "--subject",
        &image,
        "--allowed-signers",
        "allowed_signers",
    ]);
    assert_eq!((ran.code, ran.stdout), (0, written));
}

#[test]
fn an_unsigned_record_is_attested_without_allowed_signers() {
    let sandbox = Sandbox::new(&release());
    let ran = sandbox.relcheck(&["attest", "release.yaml"]);
    assert_eq!((ran.code, ran.stderr.as_str()), (0, ""));
    let statement: Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(schema::in_toto_v1(&statement), Ok(()));
    assert_eq!(statement["subject"].as_array().unwrap().len(), 1);
    assert_eq!(statement["predicate"]["signoffs"], serde_json::json!([]));
}

#[test]
fn text_a_terminal_would_act_on_is_written_escaped() {
    let mut release = release();
    release.gates[0].reason = Some("fine\u{202e}enif".to_string());
    release.rollback.as_mut().unwrap().reason = Some("cleared\u{9b}2J \u{1b}[2J".to_string());
    record::seal(&mut release);
    let sandbox = Sandbox::new(&release);
    let ran = sandbox.relcheck(&["attest", "release.yaml", "--predicate-only"]);
    assert_eq!((ran.code, ran.stderr.as_str()), (0, ""));
    assert!(
        ran.stdout.contains(r#""reason": "fine\u202eenif""#),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .contains(r#""reason": "cleared\u009b2J \u001b[2J""#),
        "{}",
        ran.stdout
    );
    // The same strings, read back.
    let predicate: Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(predicate["waivers"][0]["reason"], "fine\u{202e}enif");
}
