//! `show` and `lint` output, as users read it.

use crate::support::{Test, relcheck};

#[test]
fn show_text_is_a_tree_with_line_numbers() {
    let out = relcheck(&["show", "tests/fixtures/seed-001-numbered-sections.md"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("show-001-text", out.stdout);
}

#[test]
fn show_text_of_plain_steps() {
    let out = relcheck(&["show", "tests/fixtures/seed-004-plain-steps.txt"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("show-004-text", out.stdout);
}

#[test]
fn show_json_is_the_documented_view_with_every_key() {
    let out = relcheck(&[
        "show",
        "tests/fixtures/seed-003-embedded-fence.md",
        "--format",
        "json",
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("show-003-json", out.stdout);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        keys(&json),
        [
            "description",
            "format",
            "front_matter",
            "phases",
            "source",
            "title",
            "variables"
        ]
    );
    let phase = &json["phases"][0];
    assert_eq!(keys(phase), ["id", "line", "sections", "title", "when"]);
    let section = &phase["sections"][0];
    assert_eq!(
        keys(section),
        [
            "command",
            "commands",
            "expected_output",
            "id",
            "implicit",
            "items",
            "lead",
            "line",
            "notes",
            "title",
            "when"
        ]
    );
    assert_eq!(
        keys(&section["items"][0]),
        [
            "annotations",
            "choices",
            "command",
            "default",
            "depth",
            "id",
            "kind",
            "label",
            "line",
            "markdown",
            "optional",
            "parent",
            "role",
            "text",
            "timeout_seconds",
            "wait_seconds"
        ]
    );
}

#[test]
fn colour_only_on_request_or_a_terminal() {
    let plain = relcheck(&["show", "hotfix"]).run();
    assert!(!plain.stdout.contains('\x1b'));
    let coloured = relcheck(&["show", "hotfix", "--color", "always"]).run();
    assert!(coloured.stdout.contains("\x1b["));
}

#[test]
fn lint_reports_each_problem_with_its_line_and_a_caret() {
    let out = relcheck(&["lint", "tests/fixtures/lint-problems.md"]).run();
    assert_eq!(out.code, 1);
    insta::assert_snapshot!("lint-problems", out.stdout);
}

#[test]
fn lint_exit_codes() {
    let clean = relcheck(&["lint", "tests/fixtures/seed-004-plain-steps.txt"]).run();
    assert_eq!(
        (clean.code, clean.stdout.as_str()),
        (0, "tests/fixtures/seed-004-plain-steps.txt: ok\n")
    );
    // The seed shape keeps an empty "Notes" phase: a warning, fatal only
    // with --strict.
    let warned = relcheck(&["lint", "tests/fixtures/seed-000-release-phases.md"]).run();
    assert_eq!(warned.code, 0, "{}", warned.stdout);
    assert!(
        warned.stdout.ends_with("0 errors, 1 warning\n"),
        "{}",
        warned.stdout
    );
    let strict = relcheck(&[
        "lint",
        "--strict",
        "tests/fixtures/seed-000-release-phases.md",
    ])
    .run();
    assert_eq!(strict.code, 1);
    let missing = relcheck(&["lint", "tests/fixtures/seed-004-plain-steps.txt", "nope.md"]).run();
    assert_eq!(missing.code, 3);
    assert!(missing.stdout.ends_with("error: nope.md: no such file, and no bundled checklist of that name (`relcheck list` shows them)\n"));
}

#[test]
fn show_keeps_bullets_and_commands_where_they_were_written() {
    let text = "# Ship\n\n## Packages\n\n- [ ] Tag the release\n- Pull each artifact and check its version:\n  - [ ] `docker pull tide:latest`\n  - [ ] `docker pull tide:v1`\n\n```sh\n./validate.sh production\n```\n\n- [ ] Validation passed\n  - Press Edit first.\n";
    Test::new()
        .file("nest.md", text)
        .args(&["show", "nest.md"])
        .stdout(
            "Ship\nnest.md · markdown · 1 phase, 4 items · 4 check\n\n 3  Packages\n 5    [ ] Tag the release\n      • Pull each artifact and check its version:\n 7      [ ] docker pull tide:latest\n 8      [ ] docker pull tide:v1\n      │ ./validate.sh production\n14    [ ] Validation passed\n        • Press Edit first.\n",
        )
        .run();
}

#[test]
fn a_later_paragraph_or_a_quote_under_an_item_is_its_note() {
    let text = "# Ship\n\n## Tags\n\n- [ ] Push the tags\n\n  Only after CI is green.\n\n  > Pushing starts the publish job.\n\n- [ ] Announce\n";
    Test::new()
        .file("later.md", text)
        .args(&["show", "later.md"])
        .stdout(
            "Ship\nlater.md · markdown · 1 phase, 2 items · 2 check\n\n 3  Tags\n 5    [ ] Push the tags\n        • Only after CI is green.\n        • Pushing starts the publish job.\n11    [ ] Announce\n",
        )
        .run();
}

/// `relcheck show --format json BIG | head`: once the reader has gone the
/// rest is not wanted, and that is no error (exit 0, nothing on stderr),
/// as for the text view.
#[test]
fn a_reader_that_goes_away_is_no_error() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let items: String = (0..3000).map(|n| format!("- [ ] Step {n}\n")).collect();
    std::fs::write(dir.path().join("big.md"), format!("# Big\n## Go\n{items}")).unwrap();
    for format in ["json", "text"] {
        let mut child = std::process::Command::new(crate::support::BIN)
            .args(["show", "big.md", "--format", format])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 100];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).as_ref()
            ),
            (Some(0), ""),
            "{format}"
        );
    }
}
