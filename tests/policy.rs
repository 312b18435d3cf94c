//! Issue 11 rules 3 and 4 from the outside, one rule a test: forgeries of
//! an ended, signed record named by `verify`; unsigned sign-offs that may
//! not pass as such; the sign-off policy carried, judged and enforced.
//! The release is `forgery::signed_release`'s: run by the binary, ended,
//! and signed by Jane and Bob with ssh-keygen keys.

use std::fs;

use relcheck::record::{Record, seal};

use crate::forgery::{Signed, signed_release};
use crate::support::Test;

/// Changes the record as a forger would: edited, digest redone.
fn forge(signed: &Signed, change: impl FnOnce(&mut Record)) {
    let mut record = signed.load();
    change(&mut record);
    seal(&mut record);
    record.save(&signed.record).unwrap();
}

fn verify(signed: &Signed, more: &[&str]) -> crate::support::Output {
    let record = signed.record.to_str().unwrap();
    let allowed = signed.allowed.to_str().unwrap();
    let mut args = vec!["verify", record, "--allowed-signers", allowed];
    args.extend_from_slice(more);
    signed.relcheck(&args)
}

/// The findings of sign-off `n` (from 1): its line after the time.
fn findings(stdout: &str, n: usize) -> String {
    let line = stdout.lines().nth(n).unwrap();
    let at = line.find("Z  ").unwrap();
    format!("{}|{}", &line[..6], &line[at + 3..])
}

#[test]
fn anything_but_a_sign_off_after_the_end_is_an_edit() {
    let Some(signed) = signed_release() else {
        return;
    };
    let out = verify(&signed, &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let clean = fs::read(&signed.record).unwrap();
    type Edit = Box<dyn Fn(&mut Record)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "an event appended",
            Box::new(|r| {
                let mut last = r.events.last().unwrap().clone();
                last.detail = Some("later".into());
                r.events.push(last);
            }),
            "FAIL  |changed since signing: added after the run ended: 1 event; signed by ",
        ),
        (
            "a gate added",
            Box::new(|r| {
                let gate = r.gates[0].clone();
                r.gates.push(gate);
            }),
            "FAIL  |changed since signing: added after the run ended: 1 gate decision; signed by ",
        ),
        (
            "the relcheck version",
            Box::new(|r| r.run.relcheck_version = "9.9.9".into()),
            "FAIL  |changed since signing: run changed; signed by ",
        ),
        (
            "an item's note added",
            Box::new(|r| {
                let item = r.item_mut("build/artifact-built").unwrap();
                item.rare.note = Some("added later".into());
            }),
            "FAIL  |changed since signing: item build/artifact-built changed; signed by ",
        ),
        (
            "an item duplicated",
            Box::new(|r| {
                let item = r.items[0].clone();
                r.items.push(item);
            }),
            "FAIL  |changed since signing: list of items changed; signed by ",
        ),
        (
            "an in-run sign-off's source",
            Box::new(|r| r.signoffs[0].source = None),
            // Jane signed the sign-off before hers, whole.
            "FAIL  |changed since signing: sign-off 1 changed; bad signature: ",
        ),
    ];
    for (what, change, expected) in cases {
        fs::write(&signed.record, &clean).unwrap();
        forge(&signed, change);
        let out = verify(&signed, &[]);
        assert_eq!(out.code, 5, "{what}: {}", out.stdout);
        let jane = findings(&out.stdout, 2);
        assert!(jane.starts_with(expected), "{what}: {jane}");
    }

    // The last sign-off's own fields: its source is signed now.
    fs::write(&signed.record, &clean).unwrap();
    forge(&signed, |r| {
        r.signoffs[2].source = Some(relcheck::record::Provenance {
            kind: "answers-file".into(),
            path: Some("elsewhere.yaml".into()),
            sha256: None,
        })
    });
    let out = verify(&signed, &[]);
    assert_eq!(out.code, 5);
    assert!(
        findings(&out.stdout, 3).starts_with("FAIL  |bad signature: does not match the sign-off"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_sign_off_replayed_from_earlier_or_from_another_record_fails() {
    let Some(signed) = signed_release() else {
        return;
    };
    let clean = fs::read(&signed.record).unwrap();
    // Jane's sign-off again, at the end.
    forge(&signed, |r| {
        let jane = r.signoffs[1].clone();
        r.signoffs.push(jane);
    });
    let out = verify(&signed, &[]);
    assert_eq!(out.code, 5);
    assert_eq!(
        findings(&out.stdout, 4),
        // Its stored parts are a delta from the sign-off before it, which
        // is another one now.
        "FAIL  |changed since signing: its list of parts was edited, given after 2 sign-offs, it now follows 3 (replayed or moved), its list of parts is not stored as relcheck stores it; bad signature: does not match the sign-off (cryptographic error)"
    );

    // Bob's sign-off from this record, put into another run of the same
    // checklist, in the place it had.
    let other = signed_release().unwrap();
    let bob = Record::load(&signed.record).unwrap().signoffs[2].clone();
    fs::write(&signed.record, &clean).unwrap();
    let mut record = other.load();
    record.signoffs[2] = bob;
    seal(&mut record);
    record.save(&other.record).unwrap();
    fs::copy(&signed.allowed, &other.allowed).unwrap();
    let out = verify(&other, &[]);
    assert_eq!(out.code, 5, "{}", out.stdout);
    let line = findings(&out.stdout, 3);
    // Its stored delta, put over another record's maps, no longer gives
    // the digest it signed; and the signature covers the other run's id.
    assert!(
        line.starts_with("FAIL  |changed since signing: its list of parts was edited, "),
        "{line}"
    );
    assert!(
        line.contains("bad signature: does not match the sign-off"),
        "{line}"
    );
}

#[test]
fn an_unsigned_sign_off_fails_when_asked_or_when_its_name_has_a_key() {
    let Some(signed) = signed_release() else {
        return;
    };
    // Carol's in-run sign-off is unsigned.
    let out = verify(&signed, &["--require-signatures"]);
    assert_eq!(out.code, 5);
    assert_eq!(
        findings(&out.stdout, 1),
        "FAIL  |unsigned (no SSH signature), and --require-signatures asks for one; signed off an earlier version; since then: run ended (rolled-back), 1 event, 2 later sign-offs"
    );
    assert_eq!(
        out.stdout.lines().last().unwrap(),
        "verification failed: record digest matches; 3 sign-offs (2 signed, 1 failed)"
    );

    // Bob's signature stripped: his name is in allowed signers.
    forge(&signed, |r| r.signoffs[2].signature = None);
    let out = verify(&signed, &[]);
    assert_eq!(out.code, 5);
    assert_eq!(
        findings(&out.stdout, 3),
        format!(
            "FAIL  |unsigned, but {}:2 lists a key for bob@example.com: a sign-off in that name must be signed (was its signature stripped?)",
            signed.allowed.display()
        )
    );
}

#[test]
fn a_bad_base64_key_in_allowed_signers_is_one_line() {
    let Some(signed) = signed_release() else {
        return;
    };
    fs::write(
        &signed.allowed,
        "# team\njane@example.com ssh-ed25519 AAAA!!not-base64\n",
    )
    .unwrap();
    let out = verify(&signed, &[]);
    assert_eq!(out.code, 3);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        format!(
            "error: {}:2:18: error: not a public key `ssh-ed25519 AAAA!!not-ba…`: character encoding invalid\n",
            signed.allowed.display()
        )
    );
}

#[test]
fn the_policy_is_carried_judged_and_enforced() {
    let Some(signed) = signed_release() else {
        return;
    };
    let record = signed.load();
    let policy = record.checklist.signoff.unwrap();
    assert_eq!(
        (policy.min, policy.distinct, policy.not_operator),
        (Some(2), true, true)
    );
    // Carried: verify never reads the checklist, which is gone.
    fs::remove_file(signed.path("forge.md")).unwrap();
    let out = verify(&signed, &["--min-signoffs", "3"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let tail: Vec<&str> = out.stdout.lines().skip(4).collect();
    assert_eq!(
        tail,
        [
            "ok    policy min 3 (--min-signoffs): 3 approvals by different signers, 3 needed: Carol QA, Jane <jane@example.com>, Bob <bob@example.com>",
            "ok    policy distinct (checklist): no signer approved twice",
            "ok    policy not-operator (checklist): the operator, ci-bot, did not approve",
            "verified: record digest matches; 3 sign-offs (2 signed, 1 unsigned); sign-off policy kept. Note: an unsigned sign-off records who approved, but anyone able to edit the file could have written it; sign with an SSH key to prove it",
        ]
    );
    let out = verify(&signed, &["--min-signoffs", "4"]);
    assert_eq!(out.code, 5);
    assert!(out.stdout.ends_with(
        "verification failed: record digest matches; 3 sign-offs (2 signed, 1 unsigned); sign-off policy broken (min 4)\n"
    ));

    // `sign` refuses the operator, and Jane again by her key under
    // another name; forced, it is signed, shown, and the rule is broken.
    let record_arg = signed.record.to_str().unwrap();
    let before = fs::read(&signed.record).unwrap();
    let out = signed.relcheck(&["sign", record_arg, "--role", "QA Lead", "--name", "ci-bot"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        format!(
            "error: {record_arg}: refusing a sign-off its sign-off policy can never accept: not-operator: ci-bot ran this run, and its checklist asks for approval by someone else. Pass --force to add it anyway: it is recorded as forced, and `relcheck verify` reports the rule broken\n"
        )
    );
    let jane = signed.path("jane");
    let jane = jane.to_str().unwrap();
    let as_jane = |name: &str, force: bool| {
        let mut args = vec![
            "sign", record_arg, "--role", "QA Lead", "--name", name, "--key", jane,
        ];
        if force {
            args.push("--force");
        }
        signed.relcheck(&args)
    };
    let out = as_jane("jane@example.com", false);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains(": refusing a sign-off its sign-off policy can never accept: distinct: Jane <jane@example.com> already approved this run (sign-off 2), the same signer by name, address or key, and its checklist asks for approvals by different signers. Pass --force"), "{}", out.stderr);
    assert_eq!(fs::read(&signed.record).unwrap(), before);
    let out = as_jane("jane@example.com", true);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.ends_with("; forced past the sign-off policy (distinct: Jane <jane@example.com> already approved this run (sign-off 2), the same signer by name, address or key, and its checklist asks for approvals by different signers)\n"), "{}", out.stdout);
    let record = signed.load();
    assert!(
        record.signoffs[3]
            .forced
            .as_deref()
            .unwrap()
            .starts_with("distinct: ")
    );
    let out = verify(&signed, &[]);
    assert_eq!(out.code, 5, "{}", out.stdout);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[4].starts_with("ok    QA Lead "), "{}", out.stdout);
    assert!(lines[4].ends_with(" (principal jane@example.com); forced past the sign-off policy (distinct: Jane <jane@example.com> already approved this run (sign-off 2), the same signer by name, address or key, and its checklist asks for approvals by different signers)"));
    assert_eq!(
        lines[6],
        "FAIL  policy distinct (checklist): Jane <jane@example.com> approved twice (sign-offs 2 and 4)"
    );
    // The text report shows the force too.
    let out = signed.relcheck(&["report", record_arg]);
    assert!(
        out.stdout
            .contains("    forced past the sign-off policy: distinct: Jane"),
        "{}",
        out.stdout
    );
    // Forced is signed: taking it out breaks the signature.
    forge(&signed, |r| r.signoffs[3].forced = None);
    let out = verify(&signed, &[]);
    assert!(
        findings(&out.stdout, 4).starts_with("FAIL  |bad signature: does not match the sign-off"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_policy_that_does_not_read_stops_the_run() {
    Test::new()
        .file(
            "p.md",
            "---\ntitle: P\nsignoff: {min: 0, distinct: yes-please}\n---\n# P\n\n- [ ] one\n",
        )
        .args(&["run", "p.md", "--non-interactive"])
        .code(3)
        .stderr("error: p.md has errors; fix them and run it again (`relcheck lint p.md` checks):\np.md:3:1: error: front matter signoff: invalid type: string \"yes-please\", expected a boolean; write signoff: {min: 2, distinct: true, not-operator: true}\n3 | signoff: {min: 0, distinct: yes-please}\n  | ^\n")
        .run();
}

/// A checklist asking for approval by someone other than the operator.
const DUTIES: &str = "---\nsignoff: {min: 1, not-operator: true}\n---\n# Ship\n## Do\n- [ ] Deployed\n## Sign-off\n- [ ] **Release Manager**: ___ Signature: ___\n";

#[test]
fn an_in_run_approval_the_policy_can_never_accept_is_not_taken() {
    // The operator approving their own run: left pending, with the rule.
    let ran = Test::new()
        .file("ship.md", DUTIES)
        .file(
            "answers.yaml",
            "items:\n  Deployed: done\nsignoffs:\n  Release Manager: {name: ci-bot, decision: approve}\n",
        )
        .args(&["run", "ship.md", "--non-interactive", "--answers", "answers.yaml"])
        .code(4)
        .run();
    assert!(
        ran.out.stderr.contains(
            "not-operator: ci-bot ran this run, and its checklist asks for approval by someone else; someone else must give this sign-off"
        ),
        "{}",
        ran.out.stderr
    );
    let record = ran.record();
    assert!(record.signoffs.is_empty());
    assert_eq!(
        record.item("sign-off/release-manager").unwrap().status,
        relcheck::record::Status::Pending
    );
    // Someone else: taken.
    let ran = Test::new()
        .file("ship.md", DUTIES)
        .file(
            "answers.yaml",
            "items:\n  Deployed: done\nsignoffs:\n  Release Manager: {name: Jane Doe, decision: approve}\n",
        )
        .args(&["run", "ship.md", "--non-interactive", "--answers", "answers.yaml"])
        .code(0)
        .run();
    assert_eq!(ran.record().signoffs[0].name, "Jane Doe");
}
