//! What `relcheck attest` refuses, each with one line and its exit code:
//! a record that does not verify, a run that has not ended, bad arguments.

use std::fs;

use serde_json::Value;

use super::{APP, Sandbox, release};
use relcheck::record::{self, Outcome};

#[test]
fn a_record_that_does_not_verify_is_not_attested() {
    let sandbox = Sandbox::new(&release());
    let Some(_) = sandbox.sign_off() else {
        return;
    };
    fs::write(sandbox.path("old.json"), "kept\n").unwrap();
    let attest = |extra: &[&str]| {
        let mut args = vec!["attest", "release.yaml", "-o", "old.json"];
        args.extend_from_slice(extra);
        sandbox.relcheck(&args)
    };

    // A signature nobody can say whose: no allowed signers file.
    let ran = attest(&[]);
    assert_eq!(
        (ran.code, ran.stdout.as_str(), ran.stderr.as_str()),
        (
            5,
            "",
            "error: release.yaml: verification failed: record digest matches; 2 sign-offs (1 unsigned, 1 failed); not attested (relcheck verify release.yaml says what does not hold)\n"
        )
    );
    // Asked for signatures, Bob's unsigned rejection fails.
    let ran = attest(&[
        "--allowed-signers",
        "allowed_signers",
        "--require-signatures",
    ]);
    assert_eq!(ran.code, 5, "{ran:?}");
    assert!(ran.stderr.ends_with("2 sign-offs (1 signed, 1 failed); not attested (relcheck verify release.yaml says what does not hold)\n"), "{ran:?}");

    // A sign-off policy, as verify takes it: two approvals, one given.
    let ran = attest(&[
        "--allowed-signers",
        "allowed_signers",
        "--min-signoffs",
        "2",
    ]);
    assert_eq!(
        (ran.code, ran.stderr.as_str()),
        (
            5,
            "error: release.yaml: verification failed: record digest matches; 2 sign-offs (1 signed, 1 unsigned); sign-off policy broken (min 2); not attested (relcheck verify release.yaml says what does not hold)\n"
        )
    );
    // An edit, with the digest left as it was.
    let text = fs::read_to_string(sandbox.path("release.yaml")).unwrap();
    let edited = text.replace("host: runner-7", "host: runner-8");
    assert_ne!(edited, text);
    fs::write(sandbox.path("release.yaml"), &edited).unwrap();
    let ran = attest(&["--allowed-signers", "allowed_signers"]);
    assert_eq!(
        (ran.code, ran.stderr.as_str()),
        (
            5,
            "error: release.yaml: verification failed: record digest does not match; 2 sign-offs (2 failed); not attested (relcheck verify release.yaml says what does not hold)\n"
        )
    );
    // The same edit with the digest redone, as a forger would: the
    // sign-offs still see it.
    let mut forged = sandbox.load();
    record::seal(&mut forged);
    forged.save(&sandbox.path("release.yaml")).unwrap();
    let ran = attest(&["--allowed-signers", "allowed_signers"]);
    assert_eq!(
        (ran.code, ran.stderr.as_str()),
        (
            5,
            "error: release.yaml: verification failed: record digest matches; 2 sign-offs (2 failed); not attested (relcheck verify release.yaml says what does not hold)\n"
        )
    );
    // Nothing was written over the file -o names.
    assert_eq!(
        fs::read_to_string(sandbox.path("old.json")).unwrap(),
        "kept\n"
    );
}

#[test]
fn a_run_that_has_not_ended_is_not_attested() {
    let mut running = release();
    running.run.finished = None;
    running.run.duration_seconds = None;
    running.run.outcome = Outcome::InProgress;
    record::seal(&mut running);
    let sandbox = Sandbox::new(&running);
    let ran = sandbox.relcheck(&["attest", "release.yaml"]);
    assert_eq!(
        (ran.code, ran.stdout.as_str(), ran.stderr.as_str()),
        (
            4,
            "",
            "error: release.yaml: the run has not ended (in-progress); attest a run once it has ended (relcheck resume release.yaml)\n"
        )
    );
}

#[test]
fn bad_input_gets_one_line_and_its_exit_code() {
    let sandbox = Sandbox::new(&release());
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["attest", "nope.yaml"],
            3,
            "error: nope.yaml: cannot read the record: no such file\n",
        ),
        (
            &["attest", "release.yaml", "--subject", "app.tar.gz"],
            2,
            "error: --subject app.tar.gz: no `=`; give NAME=sha256:HEX, the artifact's name and the 64 hex digits of its SHA-256 (sha256sum prints them)\n",
        ),
        (
            &["attest", "release.yaml", "--subject", "app=5891b5b5"],
            2,
            "error: --subject app=5891b5b5: the digest does not begin with `sha256:`; give NAME=sha256:HEX, the artifact's name and the 64 hex digits of its SHA-256 (sha256sum prints them)\n",
        ),
        (
            &["attest", "release.yaml", "--subject", "app=sha256:5891b5b5"],
            2,
            "error: --subject app=sha256:5891b5b5: `5891b5b5` is not 64 hex digits; give NAME=sha256:HEX, the artifact's name and the 64 hex digits of its SHA-256 (sha256sum prints them)\n",
        ),
        (
            &[
                "attest",
                "release.yaml",
                "--subject",
                "=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            ],
            2,
            "error: --subject =sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef: the name is empty; give NAME=sha256:HEX, the artifact's name and the 64 hex digits of its SHA-256 (sha256sum prints them)\n",
        ),
        (
            &[
                "attest",
                "release.yaml",
                "--subject-file",
                "dist/missing.tar.gz",
            ],
            3,
            "error: --subject-file dist/missing.tar.gz: cannot read the artifact: no such file\n",
        ),
        (
            &["attest", "release.yaml", "--subject-file", "dist"],
            3,
            "error: --subject-file dist: is a directory; name each artifact in it\n",
        ),
        (
            &[
                "attest",
                "release.yaml",
                "--subject",
                "app.tar.gz=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "--subject-file",
                "dist/app.tar.gz",
            ],
            2,
            "error: --subject-file dist/app.tar.gz: the subject name app.tar.gz is given twice, with two digests (0123456789ab… and 5891b5b522d5…); subject names must be unique: rename one with --subject NAME=sha256:HEX\n",
        ),
    ];
    for (args, code, stderr) in cases {
        let ran = sandbox.relcheck(args);
        assert_eq!(
            (ran.code, ran.stdout.as_str(), ran.stderr.as_str()),
            (*code, "", *stderr),
            "{args:?}"
        );
    }
    // The predicate alone has no subjects to take.
    let ran = sandbox.relcheck(&[
        "attest",
        "release.yaml",
        "--predicate-only",
        "--subject-file",
        "dist/app.tar.gz",
    ]);
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(
        ran.stderr.starts_with(
            "error: the argument '--predicate-only' cannot be used with '--subject-file <PATH>'"
        ),
        "{ran:?}"
    );
    // The same artifact twice is one subject.
    let ran = sandbox.relcheck(&[
        "attest",
        "release.yaml",
        "--subject-file",
        "dist/app.tar.gz",
        "--subject",
        &format!("app.tar.gz=sha256:{APP}"),
    ]);
    assert_eq!(ran.code, 0, "{ran:?}");
    let statement: Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(statement["subject"].as_array().unwrap().len(), 2);
}
