//! `relcheck sign` and `relcheck verify`, run as a user would: records built
//! in a temporary folder, keys made by ssh-keygen, git's configuration
//! replaced by the test's own.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::{DateTime, TimeZone, Utc};
use relcheck::model::Kind;
use relcheck::record::{
    self, ChecklistRef, CommandRun, Decision, Event, ItemResult, Lock, Mode, Origin, Outcome, Rare,
    RareFields, Record, Run, SCHEMA, Signoff, Status,
};
use relcheck::sign;

/// A time on the fixed day of these records (also `attest`'s).
pub(crate) fn t(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 10, minute, 0).unwrap()
}

/// An item result as a run would leave it; answered ones carry a note.
pub(crate) fn item(id: &str, kind: Kind, status: Status) -> ItemResult {
    let answered = status != Status::Pending;
    ItemResult {
        id: id.into(),
        kind,
        text: format!("text of {id}").into(),
        shown: None,
        phase: id.split('/').next().unwrap_or("").into(),
        section: id.rsplit_once('/').map_or(id, |(s, _)| s).into(),
        line: 3,
        optional: false,
        rare: Rare::of(RareFields {
            note: answered.then(|| "fine".to_string()),
            ..RareFields::default()
        }),
        status,
        by: answered.then(|| "ops".into()),
        at: answered.then(|| t(1)),
        source: None,
    }
}

/// A release part-way through: a backup with its command's output, a
/// version field, a skipped check with its reason, a pending deploy, and
/// the two sign-offs the checklist asks for.
fn record() -> Record {
    let mut backup = item("pre/backup-db", Kind::Check, Status::Done);
    backup.rare.command = Some(Box::new(CommandRun {
        command: "pg_dump prod > backup.sql".to_string(),
        exit_code: Some(0),
        timed_out: false,
        timeout_seconds: None,
        duration_seconds: 12.5,
        output: "dumped 42 tables\n".to_string(),
        truncated_bytes: 0,
        interrupted: false,
        killed: false,
        running: false,
    }));
    let mut version = item("pre/version", Kind::Field, Status::Done);
    version.rare.value = Some("1.4.0".to_string());
    let mut smoke = item("pre/smoke", Kind::Check, Status::Skipped);
    smoke.rare.reason = Some("staging down".to_string());
    let mut qa = item("signoff/qa", Kind::Signoff, Status::Pending);
    qa.text = "QA Lead sign-off received".into();
    qa.rare.role = Some("QA Lead".to_string());
    let mut rm = item("signoff/rm", Kind::Signoff, Status::Pending);
    rm.text = "Release Manager final approval".into();
    rm.rare.role = Some("Release Manager".to_string());
    let mut record = Record {
        schema: SCHEMA.to_string(),
        checklist: ChecklistRef {
            title: "Release".to_string(),
            origin: Origin::File {
                file: "release.md".to_string(),
            },
            sha256: "ab".repeat(32),
            phases: Vec::new(),
            source: None,
            signoff: None,
        },
        run: Run {
            id: "2026-05-04-run".to_string(),
            operator: "ops".to_string(),
            host: "build-1".to_string(),
            started: t(0),
            finished: None,
            duration_seconds: None,
            mode: Mode::Interactive,
            outcome: Outcome::InProgress,
            relcheck_version: "0.1.0".to_string(),
        },
        values: BTreeMap::from([
            ("pre/version".to_string(), "1.4.0".to_string()),
            ("env".to_string(), "prod".to_string()),
        ]),
        rollback: None,
        summary: None,
        items: vec![
            backup,
            version,
            smoke,
            item("deploy/push", Kind::Check, Status::Pending),
            qa,
            rm,
        ],
        gates: Vec::new(),
        signoffs: Vec::new(),
        events: vec![Event {
            at: t(1),
            by: "ops".to_string(),
            action: relcheck::record::EventAction::Answer,
            item: Some("pre/backup-db".to_string()),
            detail: None,
        }],
        digest: None,
    };
    record::seal(&mut record);
    record
}

/// A folder with a record in it, and a git configuration of its own so the
/// developer's never leaks in.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let sandbox = Sandbox {
            dir: tempfile::tempdir().unwrap(),
        };
        fs::create_dir(sandbox.path("home")).unwrap();
        fs::write(sandbox.path("gitconfig"), "").unwrap();
        record().save(&sandbox.record()).unwrap();
        sandbox
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn record(&self) -> PathBuf {
        self.path("record.yaml")
    }

    fn load(&self) -> Record {
        Record::load(&self.record()).unwrap()
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
            .env("USER", "tester")
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
        Ran::from(output)
    }

    fn sign(&self, args: &[&str]) -> Ran {
        let record = self.record();
        let mut all = vec!["sign", record.to_str().unwrap()];
        all.extend_from_slice(args);
        self.relcheck(&all)
    }

    fn verify(&self, args: &[&str]) -> Ran {
        let record = self.record();
        let mut all = vec!["verify", record.to_str().unwrap()];
        all.extend_from_slice(args);
        self.relcheck(&all)
    }

    /// An ed25519 key pair made by ssh-keygen; `None` (with a note) where
    /// ssh-keygen is not installed.
    fn key(&self, name: &str) -> Option<Key> {
        let made = self
            .command("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
            .arg(self.path(name))
            .output();
        match made {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "CI must install ssh-keygen (openssh-client)"
                );
                eprintln!("note: ssh-keygen is not installed; skipping what needs it");
                None
            }
            Err(err) => panic!("ssh-keygen: {err}"),
            Ok(output) => {
                assert!(output.status.success(), "{output:?}");
                let public = fs::read_to_string(self.path(&format!("{name}.pub"))).unwrap();
                Some(Key {
                    private: self.path(name),
                    public: public.trim().to_string(),
                })
            }
        }
    }

    fn allowed(&self, lines: &[String]) -> PathBuf {
        let path = self.path("allowed_signers");
        fs::write(&path, lines.join("\n") + "\n").unwrap();
        path
    }

    /// Loads, changes and saves the record, as the runner would: resealed.
    fn update(&self, change: impl FnOnce(&mut Record)) {
        let mut record = self.load();
        change(&mut record);
        record::seal(&mut record);
        record.save(&self.record()).unwrap();
    }
}

struct Key {
    private: PathBuf,
    public: String,
}

impl Key {
    fn arg(&self) -> &str {
        self.private.to_str().unwrap()
    }

    fn pub_path(&self) -> String {
        format!("{}.pub", self.arg())
    }
}

/// One run's result, with what it printed.
#[derive(Debug)]
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl From<Output> for Ran {
    fn from(output: Output) -> Ran {
        Ran {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}

impl Ran {
    #[track_caller]
    fn expect(self, code: i32) -> Ran {
        assert_eq!(self.code, code, "{self:#?}");
        self
    }

    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

fn record_str(sandbox: &Sandbox) -> String {
    sandbox.record().display().to_string()
}

#[test]
fn sign_without_a_key_then_verify() {
    let sandbox = Sandbox::new();
    let run = sandbox
        .sign(&[
            "--role",
            "qa lead",
            "--name",
            "Jane Doe",
            "--comment",
            "tested on staging",
        ])
        .expect(0);
    let record = sandbox.load();
    let signoff = &record.signoffs[0];
    assert_eq!(
        run.stdout,
        format!(
            "signed {} as QA Lead (Jane Doe, approve), bound to digest {}…; unsigned (no key: --key, or git config user.signingKey with gpg.format ssh)\n",
            record_str(&sandbox),
            &signoff.digest.as_deref().unwrap()[..12]
        )
    );
    assert_eq!(signoff.item.as_deref(), Some("signoff/qa"));
    assert_eq!(signoff.comment.as_deref(), Some("tested on staging"));
    assert_eq!(signoff.signature, None);
    // The lock is gone with the command.
    assert!(!Lock::path_for(&sandbox.record()).exists());

    // The name defaults to $USER when git has none.
    sandbox
        .sign(&["--role", "Release Manager", "--decision", "reject"])
        .expect(0);
    assert_eq!(sandbox.load().signoffs[1].name, "tester");
    assert_eq!(sandbox.load().signoffs[1].decision, Decision::Reject);

    let run = sandbox.verify(&[]).expect(0);
    let lines = run.lines();
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    assert!(lines[0].starts_with("ok    record digest "));
    assert!(lines[1].starts_with("--    QA Lead          Jane Doe  approve  "));
    assert!(lines[1].ends_with(
        "  unsigned (no SSH signature); signed off an earlier version; since then: 1 later sign-off"
    ));
    assert!(lines[2].starts_with("--    Release Manager  tester    reject   "));
    assert!(lines[2].ends_with("  unsigned (no SSH signature)"));
    assert!(
        lines[3].starts_with("verified: record digest matches; 2 sign-offs (2 unsigned). Note: ")
    );
}

#[test]
fn sign_refuses_a_role_the_checklist_does_not_ask_for() {
    let sandbox = Sandbox::new();
    let before = fs::read(sandbox.record()).unwrap();
    let run = sandbox.sign(&["--role", "CTO"]).expect(2);
    assert_eq!(
        run.stderr,
        format!(
            "error: {}: `CTO` is not a sign-off role of this checklist; it asks for: QA Lead, Release Manager. Pass --extra-role to sign as a role it does not list\n",
            record_str(&sandbox)
        )
    );
    assert_eq!(fs::read(sandbox.record()).unwrap(), before);
    sandbox.sign(&["--role", "CTO", "--extra-role"]).expect(0);
    assert_eq!(sandbox.load().signoffs[0].item, None);
}

#[test]
fn sign_refuses_a_locked_or_missing_record() {
    let sandbox = Sandbox::new();
    let lock = Lock::acquire(&sandbox.record(), "ops", "build-1").unwrap();
    let run = sandbox.sign(&["--role", "QA Lead"]).expect(6);
    let since = run
        .stderr
        .split(" since ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or("?");
    assert_eq!(
        run.stderr,
        format!(
            "error: {0} is in use by another run: its lock {0}.lock is held by pid {1} on build-1 (operator ops) since {since}, which is still running; wait for it to finish, or stop that run (it keeps every answer it saved), then try again\n",
            record_str(&sandbox),
            std::process::id()
        )
    );
    drop(lock);
    let run = sandbox
        .relcheck(&["sign", "nosuch.yaml", "--role", "QA Lead"])
        .expect(3);
    assert!(
        run.stderr
            .starts_with("error: nosuch.yaml: cannot read the record: ")
    );
    let run = sandbox.relcheck(&["verify", "nosuch.yaml"]).expect(3);
    assert!(
        run.stderr
            .starts_with("error: nosuch.yaml: cannot read the record: ")
    );
}

#[test]
fn a_record_with_no_sign_offs_gets_its_digest_checked() {
    let sandbox = Sandbox::new();
    let run = sandbox.verify(&[]).expect(0);
    assert_eq!(
        run.lines()[1],
        "no sign-offs: checked the record digest only, which shows the record was not edited outside relcheck, not who approved it"
    );
    let text = fs::read_to_string(sandbox.record()).unwrap();
    fs::write(sandbox.record(), text.replace("staging down", "staging up")).unwrap();
    let run = sandbox.verify(&[]).expect(5);
    assert_eq!(
        run.stdout,
        "FAIL  record digest does not match: the record was edited outside relcheck\n\
         verification failed: no sign-offs, and the record digest does not match\n"
    );
    // Nor will it be signed as it stands.
    let run = sandbox.sign(&["--role", "QA Lead"]).expect(5);
    assert!(run.stderr.contains("refusing to sign it"));
}

#[test]
fn answers_after_a_sign_off_are_appends() {
    let sandbox = Sandbox::new();
    sandbox
        .sign(&["--role", "QA Lead", "--name", "jane"])
        .expect(0);
    sandbox.update(|record| {
        let push = record.item_mut("deploy/push").unwrap();
        push.status = Status::Done;
        push.by = Some("ops".into());
        push.at = Some(t(20));
        record.events.push(Event {
            at: t(20),
            by: "ops".to_string(),
            action: relcheck::record::EventAction::Answer,
            item: Some("deploy/push".to_string()),
            detail: None,
        });
    });
    let run = sandbox.verify(&[]).expect(0);
    assert!(
        run.lines()[1].ends_with(
            "unsigned (no SSH signature); signed off an earlier version; since then: 1 answer recorded, 1 event"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn two_people_sign_with_their_own_keys() {
    let sandbox = Sandbox::new();
    let (Some(jane), Some(bob)) = (sandbox.key("jane"), sandbox.key("bob")) else {
        return;
    };
    let run = sandbox
        .sign(&[
            "--role",
            "QA Lead",
            "--name",
            "Jane Doe <jane@example.com>",
            "--key",
            jane.arg(),
        ])
        .expect(0);
    assert!(
        run.stdout.contains("; signature: ssh-ed25519 SHA256:"),
        "{run:?}"
    );
    sandbox
        .sign(&[
            "--role",
            "Release Manager",
            "--name",
            "bob",
            "--key",
            &bob.pub_path(),
        ])
        .expect(0);
    let record = sandbox.load();
    assert!(record.signoffs.iter().all(|s| {
        s.signature
            .as_deref()
            .is_some_and(|sig| sig.starts_with("-----BEGIN SSH SIGNATURE-----\n"))
    }));

    let both = sandbox.allowed(&[
        format!("jane@example.com {}", jane.public),
        format!("bob namespaces=\"git,relcheck\" {}", bob.public),
    ]);
    let both = both.to_str().unwrap();
    let run = sandbox.verify(&["--allowed-signers", both]).expect(0);
    let lines = run.lines();
    assert!(lines[1].starts_with("ok    QA Lead  "), "{}", run.stdout);
    assert!(lines[1].contains(
        " (principal jane@example.com); signed off an earlier version; since then: 1 later sign-off"
    ));
    assert!(lines[2].starts_with("ok    Release Manager  bob "));
    assert!(lines[2].ends_with(" (principal bob)"));
    assert_eq!(
        lines[3],
        "verified: record digest matches; 2 sign-offs (2 signed), every signature valid and known"
    );

    // No allowed signers: the signatures cannot be tied to anyone.
    let run = sandbox.verify(&[]).expect(5);
    assert!(run.lines()[1].contains("there is no allowed signers file"));

    // Bob's key not listed.
    let only_jane = sandbox.allowed(&[format!("jane@example.com {}", jane.public)]);
    let run = sandbox
        .verify(&["--allowed-signers", only_jane.to_str().unwrap()])
        .expect(5);
    assert!(run.lines()[2].starts_with("FAIL  Release Manager  bob "));
    assert!(run.lines()[2].contains("  unknown signer SHA256:"));
    assert!(run.lines()[2].ends_with(&format!(
        " (not in allowed signers {})",
        only_jane.display()
    )));

    // Jane's key may sign git commits only.
    let git_only = sandbox.allowed(&[
        format!("jane@example.com namespaces=\"git\" {}", jane.public),
        format!("bob {}", bob.public),
    ]);
    let run = sandbox
        .verify(&["--allowed-signers", git_only.to_str().unwrap()])
        .expect(5);
    assert!(run.lines()[1].contains("is not allowed to sign in namespace relcheck"));
}

#[test]
fn git_configuration_gives_the_key_the_name_and_the_allowed_signers() {
    let sandbox = Sandbox::new();
    let Some(jane) = sandbox.key("jane") else {
        return;
    };
    fs::create_dir(sandbox.path("home/.ssh")).unwrap();
    fs::rename(&jane.private, sandbox.path("home/.ssh/id_ed25519")).unwrap();
    let allowed = sandbox.allowed(&[format!("jane@example.com {}", jane.public)]);
    fs::write(
        sandbox.path("gitconfig"),
        format!(
            "[user]\n\tname = Jane Doe\n\temail = jane@example.com\n\tsigningKey = ~/.ssh/id_ed25519\n[gpg]\n\tformat = ssh\n[gpg \"ssh\"]\n\tallowedSignersFile = {}\n",
            allowed.display()
        ),
    )
    .unwrap();
    let run = sandbox.sign(&["--role", "QA Lead"]).expect(0);
    assert!(
        run.stdout
            .contains("as QA Lead (Jane Doe <jane@example.com>, approve)"),
        "{run:?}"
    );
    assert!(run.stdout.contains("; signature: ssh-ed25519 SHA256:"));
    let run = sandbox.verify(&[]).expect(0);
    assert!(
        run.lines()[1].ends_with(" (principal jane@example.com)"),
        "{run:?}"
    );
}

#[test]
fn a_broken_allowed_signers_file_is_reported_line_by_line() {
    let sandbox = Sandbox::new();
    let path = sandbox.allowed(&[
        "# ok".to_string(),
        "jane".to_string(),
        "bob valid-before=\"tomorrow\" ssh-ed25519 AAAA".to_string(),
    ]);
    let run = sandbox
        .verify(&["--allowed-signers", path.to_str().unwrap()])
        .expect(3);
    let p = path.display();
    assert_eq!(
        run.stderr,
        format!(
            "error: {p}:2:5: error: a key must follow the principals\n\
             {p}:3:5: error: `tomorrow` is not a time: write YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, with Z for UTC\n"
        )
    );
}

/// Every field a signed record holds, edited in turn: `verify` fails each
/// time, and still fails when whoever edited redid the record digest.
#[test]
fn tampering_is_caught() {
    let sandbox = Sandbox::new();
    let jane = sandbox.key("jane");
    let mut first = vec!["--role", "QA Lead", "--name", "jane@example.com"];
    if let Some(jane) = &jane {
        first.extend(["--key", jane.arg()]);
    }
    sandbox.sign(&first).expect(0);
    let bob = jane.as_ref().and_then(|_| sandbox.key("bob"));
    let mut second = vec![
        "--role",
        "Release Manager",
        "--name",
        "bob",
        "--comment",
        "go",
    ];
    if let Some(bob) = &bob {
        second.extend(["--key", bob.arg()]);
    }
    sandbox.sign(&second).expect(0);
    let mut allowed_args = Vec::new();
    let allowed;
    if let (Some(jane), Some(bob)) = (&jane, &bob) {
        allowed = sandbox.allowed(&[
            format!("jane@example.com {}", jane.public),
            format!("bob {}", bob.public),
        ]);
        allowed_args = vec![
            "--allowed-signers".to_string(),
            allowed.display().to_string(),
        ];
    }
    let allowed_args: Vec<&str> = allowed_args.iter().map(String::as_str).collect();
    sandbox.verify(&allowed_args).expect(0);
    let signed = fs::read(sandbox.record()).unwrap();

    type Edit = Box<dyn Fn(&mut Record)>;
    let mut edits: Vec<(String, Edit)> = Vec::new();
    for id in ["pre/backup-db", "pre/version", "pre/smoke"] {
        let at = |f: fn(&mut ItemResult)| -> Edit {
            Box::new(move |r: &mut Record| f(r.item_mut(id).unwrap()))
        };
        edits.extend([
            (format!("{id} status"), at(|i| i.status = Status::Failed)),
            (format!("{id} pending"), at(|i| i.status = Status::Pending)),
            (
                format!("{id} note"),
                at(|i| i.rare.note = Some("edited".into())),
            ),
            (
                format!("{id} reason"),
                at(|i| i.rare.reason = Some("edited".into())),
            ),
            (
                format!("{id} value"),
                at(|i| i.rare.value = Some("9.9.9".into())),
            ),
            (format!("{id} at"), at(|i| i.at = Some(t(59)))),
            (format!("{id} by"), at(|i| i.by = Some("mallory".into()))),
            (
                format!("{id} text"),
                at(|i| i.text = format!("{}!", i.text).into()),
            ),
            (
                format!("{id} removed"),
                Box::new(move |r: &mut Record| r.items.retain(|i| *i.id != *id)),
            ),
        ]);
    }
    let edits_more: Vec<(&str, Edit)> = vec![
        (
            "command output",
            Box::new(|r| {
                r.item_mut("pre/backup-db")
                    .unwrap()
                    .rare
                    .command
                    .as_mut()
                    .unwrap()
                    .output = "dumped 0 tables\n".into()
            }),
        ),
        (
            "command exit code",
            Box::new(|r| {
                r.item_mut("pre/backup-db")
                    .unwrap()
                    .rare
                    .command
                    .as_mut()
                    .unwrap()
                    .exit_code = Some(1)
            }),
        ),
        (
            "value changed",
            Box::new(|r| {
                r.values.insert("pre/version".into(), "9.9.9".into());
            }),
        ),
        (
            "value removed",
            Box::new(|r| {
                r.values.remove("env");
            }),
        ),
        (
            "run operator",
            Box::new(|r| r.run.operator = "mallory".into()),
        ),
        ("run host", Box::new(|r| r.run.host = "elsewhere".into())),
        ("run started", Box::new(|r| r.run.started = t(30))),
        ("run id", Box::new(|r| r.run.id = "other".into())),
        ("event by", Box::new(|r| r.events[0].by = "mallory".into())),
        (
            "event detail",
            Box::new(|r| r.events[0].detail = Some("edited".into())),
        ),
        ("events cleared", Box::new(|r| r.events.clear())),
        (
            "earlier sign-off comment",
            Box::new(|r| r.signoffs[0].comment = Some("edited".into())),
        ),
        (
            "earlier sign-off decision",
            Box::new(|r| r.signoffs[0].decision = Decision::Reject),
        ),
        (
            "earlier sign-off removed",
            Box::new(|r| {
                r.signoffs.remove(0);
            }),
        ),
        (
            "later sign-off comment",
            Box::new(|r| r.signoffs[1].comment = Some("edited".into())),
        ),
        (
            "sign-off parts",
            Box::new(|r| {
                // Schema v2 keeps only what changed since the sign-off
                // before: a part put in, or one changed, is the edit.
                r.signoffs[1].parts.insert("value:env", "0123456789abcdef");
            }),
        ),
        (
            "checklist sha256",
            Box::new(|r| r.checklist.sha256 = "cd".repeat(32)),
        ),
        (
            "checklist path",
            Box::new(|r| {
                r.checklist.origin = record::Origin::File {
                    file: "other.md".into(),
                }
            }),
        ),
    ];
    edits.extend(edits_more.into_iter().map(|(n, e)| (n.to_string(), e)));
    if bob.is_none() {
        // Nothing vouches for the last sign-off but its own signature: an
        // unsigned one edited, digest redone, cannot be told (docs/RECORD.md).
        edits.retain(|(what, _)| what != "later sign-off comment");
    }

    for (what, edit) in &edits {
        for reseal in [false, true] {
            let mut record =
                Record::from_yaml(std::str::from_utf8(&signed).unwrap(), Path::new("signed"))
                    .unwrap();
            edit(&mut record);
            if reseal {
                record::seal(&mut record);
            }
            record.save(&sandbox.record()).unwrap();
            let run = sandbox.verify(&allowed_args);
            assert_eq!(run.code, 5, "{what} (resealed: {reseal}): {run:#?}");
            if reseal {
                assert!(
                    run.stdout.lines().skip(1).any(|l| l.starts_with("FAIL  ")),
                    "{what}: {}",
                    run.stdout
                );
            }
        }
    }
    // An edit to something no sign-off vouched for, digest redone: the
    // pending deploy answered, which is what a run does.
    fs::write(sandbox.record(), &signed).unwrap();
    sandbox.update(|r| r.item_mut("deploy/push").unwrap().status = Status::Done);
    sandbox.verify(&allowed_args).expect(0);
}

#[test]
fn relcheck_signatures_verify_with_ssh_keygen() {
    let sandbox = Sandbox::new();
    let Some(jane) = sandbox.key("jane") else {
        return;
    };
    sandbox
        .sign(&[
            "--role",
            "QA Lead",
            "--name",
            "jane@example.com",
            "--key",
            jane.arg(),
        ])
        .expect(0);
    let record = sandbox.load();
    let signoff = &record.signoffs[0];
    // The payload as the hidden flag writes it, for checking by hand.
    let payload = sandbox
        .command(env!("CARGO_BIN_EXE_relcheck"))
        .arg("verify")
        .arg(sandbox.record())
        .args(["--print-payload", "1"])
        .output()
        .unwrap();
    assert!(payload.status.success());
    assert_eq!(payload.stdout, sign::payload(&record, 0, signoff));
    fs::write(sandbox.path("payload"), payload.stdout).unwrap();
    fs::write(
        sandbox.path("payload.sig"),
        signoff.signature.as_deref().unwrap(),
    )
    .unwrap();
    let allowed = sandbox.allowed(&[format!("jane@example.com {}", jane.public)]);
    let output = sandbox
        .command("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(&allowed)
        .args(["-I", "jane@example.com", "-n", "relcheck", "-s"])
        .arg(sandbox.path("payload.sig"))
        .stdin(fs::File::open(sandbox.path("payload")).unwrap())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stdout).starts_with(
            "Good \"relcheck\" signature for jane@example.com with ED25519 key SHA256:"
        )
    );
}

#[test]
fn ssh_keygen_signatures_verify_in_relcheck() {
    let sandbox = Sandbox::new();
    let Some(bob) = sandbox.key("bob") else {
        return;
    };
    let mut record = sandbox.load();
    let mut signoff = Signoff {
        role: "Release Manager".to_string(),
        name: "Bob <bob@example.com>".to_string(),
        decision: Decision::Approve,
        comment: Some("signed by hand".to_string()),
        at: t(40),
        item: Some("signoff/rm".to_string()),
        forced: None,
        digest: None,
        parts: record::PartMap::new(),
        dropped: Vec::new(),
        signature: None,
        source: None,
    };
    sign::bind(&record, &mut signoff);
    let index = record.signoffs.len();
    fs::write(
        sandbox.path("payload"),
        sign::payload(&record, index, &signoff),
    )
    .unwrap();
    let output = sandbox
        .command("ssh-keygen")
        .args(["-Y", "sign", "-n", "relcheck", "-f"])
        .arg(&bob.private)
        .arg(sandbox.path("payload"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    signoff.signature = Some(fs::read_to_string(sandbox.path("payload.sig")).unwrap());
    record.signoffs.push(signoff);
    record::seal(&mut record);
    record.save(&sandbox.record()).unwrap();

    let allowed = sandbox.allowed(&[format!("*@example.com {}", bob.public)]);
    let run = sandbox
        .verify(&["--allowed-signers", allowed.to_str().unwrap()])
        .expect(0);
    assert!(
        run.lines()[1].ends_with(" (principal bob@example.com)"),
        "{run:?}"
    );

    // Signed in git's namespace instead: not a sign-off. (ssh-keygen asks
    // before overwriting a signature, so the old one goes first.)
    fs::remove_file(sandbox.path("payload.sig")).unwrap();
    let output = sandbox
        .command("ssh-keygen")
        .args(["-Y", "sign", "-n", "git", "-f"])
        .arg(&bob.private)
        .arg(sandbox.path("payload"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    sandbox.update(|record| {
        record.signoffs[0].signature =
            Some(fs::read_to_string(sandbox.path("payload.sig")).unwrap());
    });
    let run = sandbox
        .verify(&["--allowed-signers", allowed.to_str().unwrap()])
        .expect(5);
    assert!(
        run.lines()[1].contains("bad signature: signature made for namespace git, not relcheck")
    );
}

/// A key held only by ssh-agent, named by its public half: `--key
/// KEY.pub`, and git's `key::` literal, which relcheck passes with `-U`.
#[test]
fn keys_in_ssh_agent_sign() {
    let sandbox = Sandbox::new();
    let Some(jane) = sandbox.key("jane") else {
        return;
    };
    let socket = sandbox.path("agent.sock");
    let agent = sandbox
        .command("ssh-agent")
        .arg("-D")
        .arg("-a")
        .arg(&socket)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut agent) = agent else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install ssh-agent (openssh-client)"
        );
        eprintln!("note: ssh-agent is not installed; skipping");
        return;
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for _ in 0..100 {
            if socket.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let added = sandbox
            .command("ssh-add")
            .env("SSH_AUTH_SOCK", &socket)
            .arg(&jane.private)
            .output()
            .unwrap();
        assert!(added.status.success(), "{added:?}");
        // Only the agent can sign now.
        fs::rename(&jane.private, sandbox.path("elsewhere")).unwrap();
        let mut command = sandbox.command(env!("CARGO_BIN_EXE_relcheck"));
        let run = Ran::from(
            command
                .env("SSH_AUTH_SOCK", &socket)
                .args(["sign"])
                .arg(sandbox.record())
                .args([
                    "--role",
                    "QA Lead",
                    "--name",
                    "jane",
                    "--key",
                    &jane.pub_path(),
                ])
                .output()
                .unwrap(),
        )
        .expect(0);
        assert!(run.stdout.contains("; signature: ssh-ed25519 SHA256:"));

        fs::write(
            sandbox.path("gitconfig"),
            format!(
                "[user]\n\tname = jane\n\tsigningKey = key::{}\n[gpg]\n\tformat = ssh\n",
                jane.public
            ),
        )
        .unwrap();
        let mut command = sandbox.command(env!("CARGO_BIN_EXE_relcheck"));
        Ran::from(
            command
                .env("SSH_AUTH_SOCK", &socket)
                .args(["sign"])
                .arg(sandbox.record())
                .args(["--role", "Release Manager"])
                .output()
                .unwrap(),
        )
        .expect(0);
        let allowed = sandbox.allowed(&[format!("jane {}", jane.public)]);
        sandbox
            .verify(&["--allowed-signers", allowed.to_str().unwrap()])
            .expect(0);
    }));
    let _ = agent.kill();
    let _ = agent.wait();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
