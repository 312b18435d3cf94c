use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;
use ssh_key::private::Ed25519Keypair;
use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey};

use super::*;
use crate::exit::{Code, code_of};
use crate::model::Kind;
use crate::record::{
    ChecklistRef, CommandRun, Decision, DigestCheck, Event, Gate, GateDecision, ItemResult,
    MAX_SIGNOFFS, Mode, Origin, Outcome, Record, Run, SCHEMA, Status, canonical, check_digest,
    digest, seal,
};

pub(super) fn t(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 10, minute, 0).unwrap()
}

pub(super) fn item(id: &str, kind: Kind, status: Status) -> ItemResult {
    let answered = status != Status::Pending;
    ItemResult {
        id: id.into(),
        kind,
        text: format!("text of {id}").into(),
        shown: None,
        phase: id.split('/').next().unwrap_or("").into(),
        section: id.rsplit_once('/').map_or(id, |(s, _)| s).into(),
        line: 1,
        optional: false,
        rare: Default::default(),
        status,
        by: answered.then(|| "ops".into()),
        at: answered.then(|| t(1)),
        source: None,
    }
}

/// A run part-way through: two answers, a pending check, two sign-off
/// items, a value and an event.
pub(super) fn record() -> Record {
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
    let mut qa = item("signoff/qa", Kind::Signoff, Status::Pending);
    qa.text = "QA Lead sign-off received".into();
    let mut rm = item("signoff/rm", Kind::Signoff, Status::Pending);
    rm.text = "Release Manager approval".into();
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
            id: "run-1".to_string(),
            operator: "ops".to_string(),
            host: "build-1".to_string(),
            started: t(0),
            finished: None,
            duration_seconds: None,
            mode: Mode::Interactive,
            outcome: Outcome::InProgress,
            relcheck_version: "0.1.0".to_string(),
        },
        values: BTreeMap::from([("pre/version".to_string(), "1.4.0".to_string())]),
        rollback: None,
        summary: None,
        items: vec![
            backup,
            version,
            item("deploy/push", Kind::Check, Status::Pending),
            qa,
            rm,
        ],
        gates: Vec::new(),
        signoffs: Vec::new(),
        events: vec![Event {
            at: t(1),
            by: "ops".to_string(),
            action: crate::record::EventAction::Answer,
            item: Some("pre/backup-db".to_string()),
            detail: None,
        }],
        digest: None,
    };
    seal(&mut record);
    record
}

fn request(role: &str, name: &str) -> Request {
    Request {
        role: role.to_string(),
        name: name.to_string(),
        decision: Decision::Approve,
        comment: None,
        extra_role: false,
        force: false,
    }
}

/// Signs in-process with a key made from a fixed seed, as ssh-keygen would.
struct SeedSigner(PrivateKey);

impl SeedSigner {
    fn new(seed: u8) -> SeedSigner {
        SeedSigner(PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32])))
    }

    fn public(&self) -> String {
        self.0.public_key().to_openssh().unwrap()
    }
}

impl Signer for SeedSigner {
    fn sign(&self, payload: &[u8]) -> anyhow::Result<String> {
        Ok(self
            .0
            .sign(NAMESPACE, HashAlg::Sha512, payload)?
            .to_pem(LineEnding::LF)?)
    }
}

fn allowed(text: &str) -> AllowedSigners {
    AllowedSigners::parse(text, Path::new("allowed_signers")).unwrap()
}

#[test]
fn canonical_form_is_compact_sorted_and_leaves_out_digest_nulls_and_empties() {
    let record = record();
    let text = String::from_utf8(canonical(&record)).unwrap();
    assert!(
        text.starts_with(r#"{"checklist":{"origin":{"file":"release.md"},"#),
        "{text}"
    );
    assert!(!text.contains("\"digest\""));
    assert!(!text.contains("null"));
    assert!(!text.contains(": ") && !text.contains('\n'));
    let value: Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        // No gates and no sign-offs yet: schema v2 leaves them out. The
        // summary is sealed with the digest.
        [
            "checklist",
            "events",
            "items",
            "run",
            "schema",
            "summary",
            "values"
        ]
    );
}

#[test]
fn digest_is_the_same_however_the_yaml_is_written() {
    let record = record();
    let yaml = record.to_yaml().unwrap();
    let path = Path::new("r.yaml");
    let again = Record::from_yaml(&yaml, path).unwrap();
    assert_eq!(digest(&again), digest(&record));
    assert_eq!(check_digest(&again), DigestCheck::Matches(digest(&record)));

    // The same record written another way: flow style (JSON is YAML),
    // keys in another order, optional fields left out.
    let mut value: Value = serde_json::to_value(&record).unwrap();
    let item = &mut value["items"][2];
    item.as_object_mut().unwrap().retain(|_, v| !v.is_null());
    let reordered: serde_json::Map<String, Value> = value
        .as_object()
        .unwrap()
        .iter()
        .rev()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let flow = serde_json::to_string_pretty(&reordered).unwrap();
    let again = Record::from_yaml(&flow, path).unwrap();
    assert_eq!(digest(&again), digest(&record));
}

#[test]
fn digest_sees_every_edit_and_seal_is_idempotent() {
    let record = record();
    let mut sealed = record.clone();
    seal(&mut sealed);
    assert_eq!(sealed, record);
    let mut edited = record.clone();
    edited.items[0].rare.note = Some("x".to_string());
    assert_eq!(check_digest(&edited), DigestCheck::Differs);
    edited.digest = None;
    assert_eq!(check_digest(&edited), DigestCheck::Missing);
}

#[test]
fn parts_list_what_a_run_will_not_change() {
    let mut record = record();
    let names: Vec<String> = parts(&record).into_keys().collect();
    assert_eq!(
        names,
        [
            "checklist",
            "events:1",
            "item:pre/backup-db",
            "item:pre/version",
            "items",
            "run",
            "value:pre/version"
        ]
    );
    assert!(parts(&record).values().all(|d| d.len() == 16));

    // Ending the run does not change `run`; it adds `outcome`.
    let run_before = parts(&record)["run"].clone();
    record.run.finished = Some(t(30));
    record.run.duration_seconds = Some(1800.0);
    record.run.outcome = Outcome::Success;
    record.gates.push(Gate {
        phase: "pre".to_string(),
        decision: GateDecision::Waive,
        reason: Some("known flake".to_string()),
        by: "ops".to_string(),
        at: t(5),
        items: vec!["pre/backup-db".to_string()],
        source: None,
    });
    seal(&mut record);
    sign(&mut record, &request("QA Lead", "Jane"), None, t(31)).unwrap();
    let parts = parts(&record);
    assert_eq!(parts["run"], run_before);
    // Ended, it binds every item, answered or not.
    for name in ["outcome", "gate:0", "signoff:0", "item:deploy/push"] {
        assert!(parts.contains_key(name), "{name}");
    }
}

#[test]
fn a_sign_off_binds_to_its_parts() {
    let mut record = record();
    let signed = sign(&mut record, &request("qa lead", "Jane"), None, t(10)).unwrap();
    let signoff = &record.signoffs[0];
    // The checklist's spelling of the role, and its sign-off item.
    assert_eq!(signoff.role, "QA Lead");
    assert_eq!(signoff.item.as_deref(), Some("signoff/qa"));
    assert_eq!(signoff.digest.as_deref(), Some(signed.digest.as_str()));
    assert_eq!(signed.digest, parts_digest(&signoff.parts));
    assert_eq!(signed.signer, None);
    // Items are left alone, and the record is sealed again.
    assert_eq!(
        record.item("signoff/qa").map(|i| i.status),
        Some(Status::Pending)
    );
    assert!(matches!(check_digest(&record), DigestCheck::Matches(_)));
    assert!(verify(&record, None).passed());
}

#[test]
fn roles_come_from_the_sign_off_items() {
    let mut record = record();
    let err = sign(&mut record, &request("CTO", "Jane"), None, t(10)).unwrap_err();
    assert_eq!(code_of(&err), Code::Usage);
    assert_eq!(
        err.to_string(),
        "`CTO` is not a sign-off role of this checklist; it asks for: QA Lead, Release Manager. Pass --extra-role to sign as a role it does not list"
    );
    let mut extra = request("CTO", "Jane");
    extra.extra_role = true;
    sign(&mut record, &extra, None, t(10)).unwrap();
    assert_eq!(record.signoffs[0].item, None);
    // The whole text names the item too.
    sign(
        &mut record,
        &request("Release Manager approval", "Bob"),
        None,
        t(11),
    )
    .unwrap();
    assert_eq!(record.signoffs[1].role, "Release Manager");
}

#[test]
fn refuses_to_sign_a_record_edited_outside_relcheck() {
    let mut record = record();
    record.values.insert("x".to_string(), "y".to_string());
    let err = sign(&mut record, &request("QA Lead", "Jane"), None, t(10)).unwrap_err();
    assert_eq!(code_of(&err), Code::Verify);
    assert!(record.signoffs.is_empty());
}

#[test]
fn a_sign_off_after_a_rollback_call_survives_the_end_of_the_run() {
    // Calling a rollback sets the outcome at once, but the run goes on: a
    // sign-off given then must not bind to an outcome that is not final.
    let mut record = record();
    record.run.outcome = Outcome::RolledBack;
    seal(&mut record);
    sign(&mut record, &request("QA Lead", "Jane"), None, t(10)).unwrap();
    assert!(!record.signoffs[0].parts.contains_key("outcome"));
    record.run.finished = Some(t(20));
    record.run.duration_seconds = Some(1200.0);
    seal(&mut record);
    let verification = verify(&record, None);
    assert!(
        verification.passed(),
        "{:?}",
        verification.signoffs[0].changed
    );
    assert!(
        verification.signoffs[0]
            .since
            .contains(&"run ended (rolled-back)".to_string())
    );
}

#[test]
fn later_answers_are_appends() {
    let mut record = record();
    sign(&mut record, &request("QA Lead", "Jane"), None, t(10)).unwrap();
    let push = record.item_mut("deploy/push").unwrap();
    push.status = Status::Done;
    push.at = Some(t(12));
    record
        .values
        .insert("deploy/tag".to_string(), "v1.4.0".to_string());
    record.events.push(Event {
        at: t(12),
        by: "ops".to_string(),
        action: crate::record::EventAction::Answer,
        item: Some("deploy/push".to_string()),
        detail: None,
    });
    record.run.finished = Some(t(20));
    record.run.outcome = Outcome::Success;
    seal(&mut record);
    sign(&mut record, &request("Release Manager", "Bob"), None, t(21)).unwrap();

    let verification = verify(&record, None);
    assert!(verification.passed());
    let first = &verification.signoffs[0];
    assert_eq!(first.changed, Vec::<String>::new());
    assert_eq!(
        first.since,
        [
            "1 answer recorded",
            "1 value set",
            "run ended (success)",
            "1 event",
            "1 later sign-off"
        ]
    );
    assert_eq!(verification.signoffs[1].since, Vec::<String>::new());
}

#[test]
fn edits_are_named() {
    let signed = {
        let mut record = record();
        sign(&mut record, &request("QA Lead", "Jane"), None, t(10)).unwrap();
        sign(&mut record, &request("Release Manager", "Bob"), None, t(11)).unwrap();
        record
    };
    type Edit = fn(&mut Record);
    let cases: [(Edit, &[&str]); 9] = [
        (
            |r| r.items[0].rare.note = Some("edited".into()),
            &["item pre/backup-db changed"],
        ),
        (
            |r| r.items[1].status = Status::Pending,
            &["item pre/version changed"],
        ),
        (
            |r| {
                r.items.remove(0);
            },
            &["item pre/backup-db removed", "list of items changed"],
        ),
        (
            |r| {
                r.values.insert("pre/version".into(), "9.9.9".into());
            },
            &["value pre/version changed"],
        ),
        (|r| r.run.operator = "mallory".into(), &["run changed"]),
        (
            |r| r.checklist.sha256 = "cd".repeat(32),
            &["checklist changed"],
        ),
        (|r| r.events[0].by = "mallory".into(), &["events rewritten"]),
        (|r| r.events.clear(), &["events rewritten"]),
        (|r| r.signoffs[0].comment = Some("edited".into()), &[]),
    ];
    for (edit, expected) in cases {
        let mut record = signed.clone();
        edit(&mut record);
        // Whoever edited may have redone the record digest: the sign-offs
        // must still tell.
        seal(&mut record);
        let verification = verify(&record, None);
        assert!(!verification.passed(), "{expected:?}");
        assert_eq!(verification.signoffs[0].changed, expected);
        if !expected.is_empty() {
            assert_eq!(verification.signoffs[1].changed, expected);
        }
    }
    // The earlier sign-off edited: the later one vouched for it.
    let mut record = signed.clone();
    record.signoffs[0].comment = Some("edited".into());
    seal(&mut record);
    assert_eq!(
        verify(&record, None).signoffs[1].changed,
        ["sign-off 1 changed"]
    );

    let mut record = signed.clone();
    record.signoffs[0]
        .parts
        .insert("item:pre/backup-db", "0".repeat(16));
    seal(&mut record);
    assert_eq!(
        verify(&record, None).signoffs[0].changed,
        ["its list of parts was edited", "item pre/backup-db changed"]
    );

    let mut record = signed.clone();
    record.signoffs[0].digest = None;
    seal(&mut record);
    assert!(!verify(&record, None).signoffs[0].passed());
}

/// `verify` holds a few sign-offs' whole maps at a time: twenty are each
/// checked as they would be alone, across the windows' edges.
#[test]
fn many_sign_offs_are_checked_a_few_at_a_time() {
    let mut record = record();
    for n in 0..20 {
        let mut request = request(&format!("Reviewer {n}"), "Jane");
        request.extra_role = true;
        sign(&mut record, &request, None, t(10 + n)).unwrap();
    }
    let verification = verify(&record, None);
    assert_eq!(verification.signoffs.len(), 20);
    for (index, check) in verification.signoffs.iter().enumerate() {
        assert_eq!(check.changed, Vec::<String>::new(), "sign-off {index}");
        let later = 19 - index;
        let since: Vec<String> = match later {
            0 => vec![],
            1 => vec!["1 later sign-off".to_string()],
            n => vec![format!("{n} later sign-offs")],
        };
        assert_eq!(check.since, since, "sign-off {index}");
    }

    let mut edited = record.clone();
    edited.items[0].rare.note = Some("edited".into());
    seal(&mut edited);
    for check in &verify(&edited, None).signoffs {
        assert_eq!(check.changed, ["item pre/backup-db changed"]);
    }

    // Two sign-offs swapped across a window's edge (the 8th and 9th, with
    // windows of 8): each map is put together from the stored deltas in
    // their new order, as when all were held at once.
    let mut moved = record.clone();
    moved.signoffs.swap(7, 8);
    seal(&mut moved);
    let checks = verify(&moved, None).signoffs;
    let changed: Vec<&[String]> = checks[6..10].iter().map(|c| c.changed.as_slice()).collect();
    assert_eq!(
        changed,
        [
            &[][..],
            &[
                "its list of parts was edited",
                "sign-off 8 changed",
                "given after 7 sign-offs, it now follows 7 (replayed or moved)",
            ][..],
            &["its list of parts was edited", "sign-off 8 changed"][..],
            &["sign-off 8 changed", "sign-off 9 changed"][..],
        ]
    );
    for check in &checks[10..] {
        assert_eq!(check.changed, ["sign-off 8 changed", "sign-off 9 changed"]);
    }
}

/// An edit under every item is counted past the first fifty parts named:
/// the same edit is listed again by every later sign-off.
#[test]
fn a_sign_off_names_fifty_changed_parts_and_counts_the_rest() {
    let mut record = record();
    for n in 0..60 {
        record
            .items
            .push(item(&format!("run/step-{n}"), Kind::Check, Status::Done));
    }
    seal(&mut record);
    sign(&mut record, &request("QA Lead", "Jane"), None, t(10)).unwrap();
    for item in record.items.iter_mut() {
        item.rare.note = Some("edited".into());
    }
    seal(&mut record);
    let changed = &verify(&record, None).signoffs[0].changed;
    assert_eq!(changed.len(), 51);
    assert_eq!(changed[0], "item pre/backup-db changed");
    // Three items of `record()` and sixty more are answered; fifty named.
    assert_eq!(changed[50], "and 12 more parts");
    // That its list was edited is said besides the fifty.
    record.signoffs[0].parts.insert("run", "0".repeat(16));
    seal(&mut record);
    let changed = &verify(&record, None).signoffs[0].changed;
    assert_eq!(changed.len(), 52);
    assert_eq!(changed[0], "its list of parts was edited");
    assert_eq!(changed[51], "and 13 more parts");
}

/// A record past the sign-offs relcheck reads is refused by name, and
/// one at the limit takes no more.
#[test]
fn sign_offs_past_the_limit_are_refused() {
    let mut record = record();
    record.run.finished = Some(t(5));
    record.run.outcome = Outcome::Success;
    seal(&mut record);
    let one = {
        let mut signed = record.clone();
        sign(&mut signed, &request("QA Lead", "Jane"), None, t(10)).unwrap();
        signed.signoffs.pop().unwrap()
    };
    record.signoffs = vec![one; MAX_SIGNOFFS];
    seal(&mut record);
    let err = sign(&mut record, &request("QA Lead", "Jane"), None, t(10)).unwrap_err();
    assert_eq!(code_of(&err), Code::Input);
    assert_eq!(
        err.to_string(),
        "it has 1,000 sign-offs; a record holds up to 1,000; not signed"
    );
    // A run that can go on keeps room for the sign-off items it has yet
    // to ask (`record()` has two).
    let mut running = record.clone();
    running.signoffs.truncate(MAX_SIGNOFFS - 2);
    running.run.finished = None;
    seal(&mut running);
    let err = sign(&mut running, &request("QA Lead", "Jane"), None, t(10)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "it has 998 sign-offs and 2 sign-off items its run has yet to ask; a record holds up to 1,000; not signed"
    );
    running.signoffs.pop();
    seal(&mut running);
    assert!(sign(&mut running, &request("QA Lead", "Jane"), None, t(10)).is_ok());
    let yaml = record.to_yaml().unwrap();
    assert!(Record::from_yaml(&yaml, Path::new("r.yaml")).is_ok());
    record.signoffs.push(record.signoffs[0].clone());
    let yaml = record.to_yaml().unwrap();
    let err = Record::from_yaml(&yaml, Path::new("r.yaml")).unwrap_err();
    assert_eq!(code_of(&err), Code::Input);
    assert_eq!(
        err.to_string(),
        "r.yaml: has 1,001 sign-offs; relcheck reads up to 1,000 in a record"
    );
}

#[test]
fn signatures_are_checked_against_allowed_signers() {
    let jane = SeedSigner::new(1);
    let bob = SeedSigner::new(2);
    let mut record = record();
    let signed = sign(
        &mut record,
        &request("QA Lead", "Jane Doe <jane@example.com>"),
        Some(&jane),
        t(10),
    )
    .unwrap();
    let jane_key = PublicKey::from_openssh(&jane.public()).unwrap();
    let jane_fp = fingerprint(jane_key.key_data());
    assert_eq!(signed.signer, Some(format!("ssh-ed25519 {jane_fp}")));
    sign(
        &mut record,
        &request("Release Manager", "bob"),
        Some(&bob),
        t(11),
    )
    .unwrap();

    let both = allowed(&format!(
        "jane@example.com {}\nbob namespaces=\"git,relcheck\" {}\n",
        jane.public(),
        bob.public()
    ));
    let verification = verify(&record, Some(&both));
    assert!(verification.passed());
    assert_eq!(
        verification.signoffs[0].signature,
        SignatureCheck::Valid {
            fingerprint: jane_fp.clone(),
            principal: "jane@example.com".into()
        }
    );

    // Without a file to say whose keys they are, signatures do not pass.
    let verification = verify(&record, None);
    assert!(!verification.passed());
    assert_eq!(
        verification.signoffs[0].signature,
        SignatureCheck::Unchecked {
            fingerprint: jane_fp.clone()
        }
    );

    let only_jane = allowed(&format!("jane@example.com {}\n", jane.public()));
    assert!(matches!(
        &verify(&record, Some(&only_jane)).signoffs[1].signature,
        SignatureCheck::Unknown { file, .. } if file == Path::new("allowed_signers")
    ));

    // Bob's key is listed, but for someone else.
    let bob_as_carol = allowed(&format!("carol {}\n", bob.public()));
    assert!(matches!(
        &verify(&record, Some(&bob_as_carol)).signoffs[1].signature,
        SignatureCheck::Refused { reason, .. } if reason == "may sign only as carol (line 1), not as bob"
    ));

    // A signed field edited, the record digest redone: the signature fails.
    let mut edited = record.clone();
    edited.signoffs[0].decision = Decision::Reject;
    seal(&mut edited);
    let verification = verify(&edited, Some(&both));
    assert!(matches!(
        &verification.signoffs[0].signature,
        SignatureCheck::Bad(reason) if reason.starts_with("does not match the sign-off")
    ));
    // ... and the later sign-off, which vouched for it, says so too.
    assert_eq!(verification.signoffs[1].changed, ["sign-off 1 changed"]);
}

#[test]
fn signatures_for_another_namespace_or_unreadable_ones_are_bad() {
    let jane = SeedSigner::new(1);
    let mut record = record();
    sign(&mut record, &request("QA Lead", "jane"), None, t(10)).unwrap();
    let payload = payload(&record, 0, &record.signoffs[0]);
    let git = jane
        .0
        .sign("git", HashAlg::Sha512, &payload)
        .unwrap()
        .to_pem(LineEnding::LF)
        .unwrap();
    assert_eq!(
        check_signature(&git, &payload).unwrap_err(),
        "signature made for namespace git, not relcheck"
    );
    assert!(
        check_signature(
            "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n",
            &payload
        )
        .unwrap_err()
        .starts_with("unreadable signature")
    );
}

#[test]
fn payload_is_header_then_canonical_json() {
    let mut record = record();
    let mut req = request("QA Lead", "Jane");
    req.comment = Some("looks good".to_string());
    sign(&mut record, &req, None, t(10)).unwrap();
    let signoff = &record.signoffs[0];
    let payload = String::from_utf8(payload(&record, 0, signoff)).unwrap();
    assert_eq!(
        payload,
        format!(
            "relcheck-signoff-v2\n{{\"at\":\"2026-05-04T10:10:00Z\",\"comment\":\"looks good\",\"decision\":\"approve\",\"digest\":\"{}\",\"item\":\"signoff/qa\",\"name\":\"Jane\",\"role\":\"QA Lead\",\"run\":\"run-1\"}}",
            signoff.digest.as_deref().unwrap()
        )
    );
    // The next one names this one, whole, by its digest.
    sign(&mut record, &request("Release Manager", "Bob"), None, t(11)).unwrap();
    let second = String::from_utf8(super::payload(&record, 1, &record.signoffs[1])).unwrap();
    let previous =
        crate::source::sha256_hex(&crate::record::canonical::to_vec(&record.signoffs[0], None));
    assert!(
        second.ends_with(&format!(
            ",\"previous\":\"{previous}\",\"role\":\"Release Manager\",\"run\":\"run-1\"}}"
        )),
        "{second}"
    );
}

#[test]
fn principals_are_the_name_and_any_address_in_it() {
    assert_eq!(principals("jane"), ["jane"]);
    assert_eq!(
        principals("Jane Doe <jane@example.com>"),
        ["Jane Doe <jane@example.com>", "jane@example.com"]
    );
    assert_eq!(principals("jane@example.com"), ["jane@example.com"]);
}
