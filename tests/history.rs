//! `relcheck history`: a folder of records as a table and as JSON, newest
//! first, read from each record's header; with `--check`, read whole, with
//! whether each record was edited or carries valid signatures.

use std::path::Path;

use chrono::Duration;
use relcheck::record::{Decision, Record};
use relcheck::sign::{self, NAMESPACE, Request, Signer};
use ssh_key::private::Ed25519Keypair;
use ssh_key::{HashAlg, LineEnding, PrivateKey};

use crate::records::{self, Plan};
use crate::support::relcheck;

/// Signs in-process with a fixed ed25519 key: the same SSHSIG an
/// `ssh-keygen -Y sign` makes, without needing ssh-keygen.
struct FixedKey(PrivateKey);

impl FixedKey {
    fn new() -> FixedKey {
        FixedKey(PrivateKey::from(Ed25519Keypair::from_seed(&[7; 32])))
    }
}

impl Signer for FixedKey {
    fn sign(&self, payload: &[u8]) -> anyhow::Result<String> {
        Ok(self
            .0
            .sign(NAMESPACE, HashAlg::Sha512, payload)?
            .to_pem(LineEnding::LF)?)
    }
}

fn sign_as(record: &mut Record, role: &str, name: &str) {
    let request = Request {
        role: role.to_string(),
        name: name.to_string(),
        decision: Decision::Approve,
        comment: None,
        extra_role: false,
        force: false,
    };
    let at = record.run.finished.unwrap_or(record.run.started) + Duration::minutes(30);
    sign::sign(record, &request, Some(&FixedKey::new()), at).unwrap();
}

/// Three runs on three days: a hotfix whose sign-offs came afterwards with
/// SSH signatures (incomplete until then: the run left them open), a
/// deployment with a waived failure, signed, and then edited by hand, and
/// a rollback.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let day = |n: i64| records::start() + Duration::days(n);

    let mut hotfix = records::run_at(
        "hotfix.md",
        &Plan {
            pending_signoffs: true,
            ..Plan::default()
        },
        day(-2),
        "Grace",
    );
    sign_as(
        &mut hotfix,
        "Incident Commander",
        "Grace Hopper <grace@example.com>",
    );
    hotfix.save(&dir.path().join("hotfix-1.yaml")).unwrap();

    let mut deploy = records::run_at(
        "production-deploy.md",
        &records::waived_plan(),
        day(-1),
        "Ada",
    );
    sign_as(&mut deploy, "Release Manager", "Barbara Liskov");
    let path = dir.path().join("production-deploy-1.yaml");
    deploy.save(&path).unwrap();
    // Someone tidies the waiver's reason in an editor afterwards.
    let yaml = std::fs::read_to_string(&path).unwrap();
    let edited = yaml.replacen("2% is 40 GiB", "2% is plenty", 1);
    assert_ne!(edited, yaml);
    std::fs::write(&path, edited).unwrap();

    records::rolled_back()
        .save(&dir.path().join("production-deploy-2.yaml"))
        .unwrap();
    // Not a record by its name: passed over. A `.yaml` that does not
    // load is left out and named.
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    std::fs::write(dir.path().join("broken.yaml"), "not: a record").unwrap();
    dir
}

fn dir_arg(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

#[test]
fn history_lists_the_records_newest_first() {
    let dir = folder();
    let out = relcheck(&["history", dir_arg(dir.path())]).run();
    // The rest are listed; the file that is no record is named, after
    // them, and the exit code says the list is not the whole folder.
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            3,
            format!(
                "error: {}: not a relcheck record: missing field `schema` (not listed)\n",
                dir.path().join("broken.yaml:1:1").display()
            )
            .as_str()
        )
    );
    insta::assert_snapshot!("table", out.stdout);
    // Read whole, each says whether it is intact; the rest is the same.
    let checked = relcheck(&["history", dir_arg(dir.path()), "--check"]).run();
    assert_eq!(checked.code, 3, "{}", checked.stderr);
    assert_eq!(checked.stderr, out.stderr);
    insta::assert_snapshot!("table-checked", checked.stdout);
    // The default folder comes from RELCHECK_RECORDS_DIR.
    let by_env = relcheck(&["history"])
        .env("RELCHECK_RECORDS_DIR", dir_arg(dir.path()))
        .run();
    assert_eq!(by_env.stdout, out.stdout);
}

/// `history --format json` in `dir`, with `more` arguments, exiting
/// `code`, each row's path made its file name (the folder is a new
/// temporary one each time).
fn json_rows(dir: &Path, more: &[&str], code: i32) -> serde_json::Value {
    let mut args = vec!["history", dir_arg(dir), "--format", "json"];
    args.extend(more);
    let out = relcheck(&args).run();
    assert_eq!(out.code, code, "{}", out.stderr);
    let mut rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    for row in rows.as_array_mut().unwrap() {
        let path = row["path"].as_str().unwrap().to_string();
        assert!(path.starts_with(dir_arg(dir)));
        row["path"] = Path::new(&path)
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .into();
    }
    rows
}

#[test]
fn history_json_is_for_scripts() {
    let dir = folder();
    let rows = json_rows(dir.path(), &[], 3);
    insta::assert_json_snapshot!("json", rows);
    // Integrity is said only of records read whole.
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|row| row.get("integrity").is_none())
    );
    let rows = json_rows(dir.path(), &["--check"], 3);
    let integrity: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["integrity"].as_str().unwrap())
        .collect();
    assert_eq!(integrity, ["intact", "edited", "signed"]);
}

#[test]
fn history_agrees_with_verify() {
    let dir = folder();
    for (name, code) in [
        ("production-deploy-2.yaml", 0),
        ("production-deploy-1.yaml", 5),
    ] {
        let path = dir.path().join(name);
        let out = relcheck(&["verify", path.to_str().unwrap()]).run();
        assert_eq!(out.code, code, "{name}: {}", out.stdout);
    }
}

#[test]
fn an_empty_folder_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = relcheck(&["history", dir_arg(dir.path())]).run();
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout,
        format!("no records in {}\n", dir.path().display())
    );
    let json = relcheck(&["history", dir_arg(dir.path()), "--format", "json"]).run();
    assert_eq!((json.code, json.stdout.as_str()), (0, "[]\n"));
}

#[test]
fn a_missing_folder_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let out = relcheck(&["history", missing.to_str().unwrap()]).run();
    assert_eq!(out.code, 3);
    assert!(
        out.stderr.contains(missing.to_str().unwrap()) && out.stderr.contains("cannot read"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
}

/// The header says what the record says: a count forged in the summary
/// shows in the quick list, but the record is `edited` read whole, and
/// `verify` fails it, even with the digest recomputed over the forgery.
#[test]
fn a_forged_summary_is_caught_by_check_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("production-deploy-1.yaml");
    let mut deploy = records::run_at(
        "production-deploy.md",
        &records::waived_plan(),
        records::start(),
        "Ada",
    );
    relcheck::record::seal(&mut deploy);
    let honest = deploy.summary.clone().unwrap();
    assert_eq!((honest.failed, honest.waived), (0, 2));
    let mut forged = deploy.clone();
    forged.summary.as_mut().unwrap().waived = 0;
    forged.digest = Some(relcheck::record::digest(&forged));
    forged.save(&path).unwrap();
    let rows = json_rows(dir.path(), &[], 0);
    assert_eq!(rows[0]["waived"], 0);
    let rows = json_rows(dir.path(), &["--check"], 0);
    assert_eq!(
        (rows[0]["waived"].as_u64(), rows[0]["integrity"].as_str()),
        (Some(2), Some("edited"))
    );
    let out = relcheck(&["verify", path.to_str().unwrap()]).run();
    assert_eq!(out.code, 5, "{}", out.stdout);
}

/// A run still open has answers in its journal that its header's summary
/// does not count yet: it is read whole, journal and all.
#[test]
fn an_open_run_with_a_journal_is_listed_from_the_whole_record() {
    use relcheck::record::{Changes, Outcome, RecordFile, Sink, Status};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("production-deploy-1.yaml");
    let mut open = records::run("production-deploy.md", &Plan::default());
    open.run.finished = None;
    open.run.duration_seconds = None;
    open.run.outcome = Outcome::InProgress;
    relcheck::record::seal(&mut open);
    let mut file = RecordFile::new(&path, false);
    file.save(&open).unwrap();
    let failed = open
        .items
        .iter()
        .position(|item| item.status == Status::Done)
        .unwrap();
    open.items[failed].status = Status::Failed;
    let changes = Changes {
        items: &[failed],
        values: false,
    };
    file.append(&open, &changes).unwrap();
    let rows = json_rows(dir.path(), &[], 0);
    assert_eq!(
        (rows[0]["failed"].as_u64(), rows[0]["outcome"].as_str()),
        (Some(1), Some("in-progress"))
    );
}
