//! `relcheck lint` of commands and of files far past real use: a warning
//! for each variable written where a value a shell would read is refused,
//! at its own line and column; and output bounded whatever the file.

use std::path::Path;

use crate::support::{Test, relcheck};

const CONTEXTS: &str = "# Contexts

## Steps

- [ ] Plain
  ```sh
  deploy --version {{version}} --env {{ environment }}
  ```
- [ ] Double quotes
  ```sh
  echo \"release {{version}}\"
  ```
- [ ] Single quotes
  ```sh
  echo '{{version}}'
  ```
- [ ] Heredoc
  ```sh
  cat > notes.txt <<EOF
  version: {{version}}
  EOF
  ```
- [ ] Quoted heredoc
  ```sh
  bash <<'EOF'
  deploy {{version}}
  EOF
  ```
- [ ] Script in double quotes
  ```sh
  bash -c \"deploy {{version}}\"
  ```
- [ ] Script in single quotes
  ```sh
  sh -c 'deploy {{version}}'
  ```
- [ ] Backticks
  ```sh
  echo `deploy {{version}}`
  ```
";

#[test]
fn a_variable_where_a_shell_would_read_its_value_is_warned_about_at_its_line() {
    // Every context but the first (a plain word) gets its warning.
    Test::new()
        .file("contexts.md", CONTEXTS)
        .args(&["lint", "contexts.md"])
        .stdout("contexts.md:11:17: warning: {{version}} is inside double quotes; relcheck never puts a value a shell would read (spaces, quotes, $) into a command, so to take any value write \"$RELCHECK_VAR_VERSION\" instead
11 |   echo \"release {{version}}\"
   |                 ^
contexts.md:15:9: warning: {{version}} is inside single quotes; relcheck never puts a value a shell would read (spaces, quotes, $) into a command, so to take any value write \"$RELCHECK_VAR_VERSION\" instead, outside the single quotes
15 |   echo '{{version}}'
   |         ^
contexts.md:20:12: warning: {{version}} is inside a heredoc; relcheck never puts a value a shell would read (spaces, quotes, $) into a command, so to take any value write \"$RELCHECK_VAR_VERSION\" instead, and quote the delimiter (<<'EOF') if a shell runs the heredoc
20 |   version: {{version}}
   |            ^
contexts.md:26:10: warning: {{version}} is inside a quoted heredoc; relcheck never puts a value a shell would read (spaces, quotes, $) into a command, so to take any value write \"$RELCHECK_VAR_VERSION\" instead if a shell runs the heredoc
26 |   deploy {{version}}
   |          ^
contexts.md:31:19: warning: {{version}} is inside a script another shell reads (sh -c, eval); relcheck never puts a value a shell would read (spaces, quotes, $) into a command, so to take any value write \"$RELCHECK_VAR_VERSION\" in a single-quoted script instead (sh -c 'deploy \"$RELCHECK_VAR_VERSION\"')
31 |   bash -c \"deploy {{version}}\"
   |                   ^
contexts.md:35:17: warning: {{version}} is inside a script another shell reads (sh -c, eval); relcheck never puts a value a shell would read (spaces, quotes, $) into a command, so to take any value write \"$RELCHECK_VAR_VERSION\" in a single-quoted script instead (sh -c 'deploy \"$RELCHECK_VAR_VERSION\"')
35 |   sh -c 'deploy {{version}}'
   |                 ^
contexts.md:39:16: warning: {{version}} is inside backticks; relcheck never puts a value a shell would read (spaces, quotes, $) into a command, so to take any value use $(...) and write \"$RELCHECK_VAR_VERSION\" instead
39 |   echo `deploy {{version}}`
   |                ^
contexts.md: 0 errors, 7 warnings
")
        .run();
    Test::new()
        .file("contexts.md", CONTEXTS)
        .args(&["lint", "--strict", "contexts.md"])
        .code(1)
        .run();
}

#[test]
fn a_plain_use_and_the_environment_variable_need_no_warning() {
    Test::new()
        .file(
            "plain.md",
            "# Plain\n\n- [ ] Deployed\n  ```sh\n  deploy {{version}} --note \"$RELCHECK_VAR_NOTE\"\n  sh -c 'deploy \"$RELCHECK_VAR_VERSION\"'\n  echo \"$(deploy {{version}})\"\n  # not \"{{version}}\"\n  ```\n",
        )
        .args(&["lint", "--strict", "plain.md"])
        .stdout("plain.md: ok\n")
        .run();
}

#[test]
fn a_step_repeated_under_two_parents_is_no_duplicate_and_a_role_must_read_as_one() {
    Test::new()
        .file(
            "two.md",
            "# Two\n\n## Ship\n\n- [ ] Web\n  - [ ] Tag it\n- [ ] API\n  - [ ] Tag it\n\n## Sign-off\n\n- [ ] Check Sentry <!-- relcheck: kind=signoff -->\n- [ ] **QA Lead**: ___ Signature: ___\n",
        )
        .args(&["lint", "two.md"])
        .stdout(
            "two.md:12:1: warning: sign-off role \"Check Sentry\" does not read as a person, team or title (as \"QA Lead\"): name the role, or add kind=check if this is a step\n12 | - [ ] Check Sentry <!-- relcheck: kind=signoff -->\n   | ^\ntwo.md: 0 errors, 1 warning\n",
        )
        .run();
}

#[test]
fn a_prose_phase_or_one_over_phases_is_not_empty_but_a_bare_heading_is() {
    Test::new()
        .file(
            "prose.md",
            "# Deploy\n\n## Overview\n\nWhy we deploy on Tuesdays.\n\n## Rollout\n\n### Before\n\n#### Backups\n\n- [ ] Backup taken\n\n### During\n\n#### Traffic\n\n- [ ] Traffic moved\n\n## Change log\n\n| Date | Change |\n|---|---|\n| 2026-01-02 | First |\n\n## Verify\n\n## After\n\n- [ ] Graphs calm\n",
        )
        .args(&["lint", "--strict", "prose.md"])
        .code(1)
        .stdout(
            "prose.md:27:1: warning: phase \"Verify\" has no items\n27 | ## Verify\n   | ^\nprose.md: 0 errors, 1 warning\n",
        )
        .run();
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    std::fs::write(dir.join(name), text).unwrap();
    name.to_string()
}

const KNOWN: &str = "known keys: id, kind, optional, timeout, wait, role, label, default, choices";

#[test]
fn forty_thousand_unknown_annotations_print_ten_and_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("# Many\n\n");
    for i in 0..40_000 {
        text.push_str(&format!("- [ ] Item {i} <!-- relcheck: bogus{i}=1 -->\n"));
    }
    let many = write(dir.path(), "many.md", &text);
    let out = relcheck(&["lint", &many]).cwd(dir.path()).run();
    let mut want = String::new();
    for i in 0..10 {
        let line = i + 3;
        want.push_str(&format!(
            "many.md:{line}:{col}: warning: unknown annotation key `bogus{i}` here; {KNOWN}\n{line} | - [ ] Item {i} <!-- relcheck: bogus{i}=1 -->\n{pad} | {spaces}^\n",
            col = 14,
            pad = " ".repeat(line.to_string().len()),
            spaces = " ".repeat(13),
        ));
    }
    want.push_str(&format!(
        "many.md: ... and 39,990 more of the same kind, from line 13: warning: unknown annotation key `bogus10` here; {KNOWN}\nmany.md: 0 errors, 40000 warnings\n"
    ));
    assert_eq!((out.code, out.stdout), (0, want));
}

#[test]
fn many_diagnostics_on_one_long_line_show_it_once_and_cut() {
    // 40,000 unknown keys after a 1 MB item text: the line is shown once,
    // cut around the caret, and the column is counted once, not once a
    // key (40 GB of counting, which no test run would see the end of).
    let dir = tempfile::tempdir().unwrap();
    let keys: Vec<String> = (0..40_000).map(|i| format!("k{i}=1")).collect();
    let item = format!(
        "- [ ] {} <!-- relcheck: {} -->",
        "a".repeat(1_000_000),
        keys.join(" ")
    );
    let one = write(dir.path(), "one.md", &format!("# One\n\n{item}\n"));
    let out = relcheck(&["lint", &one]).cwd(dir.path()).run();
    assert_eq!(out.code, 0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    // Ten headings, the line once (cut to 160 characters, a quarter of
    // them before the caret, and marked so) with its caret, the count of
    // the rest, the total.
    assert_eq!(lines.len(), 14, "{}", out.stdout);
    let col = 1_000_008;
    assert_eq!(
        lines[9],
        format!("one.md:3:{col}: warning: unknown annotation key `k9` here; {KNOWN}")
    );
    let from = col - 1 - 40;
    assert_eq!(lines[10], format!("3 | …{}…", &item[from..from + 160]));
    assert_eq!(lines[11], format!("  | {}^", " ".repeat(41)));
    assert_eq!(
        lines[12],
        format!(
            "one.md: ... and 39,990 more of the same kind, from line 3: warning: unknown annotation key `k10` here; {KNOWN}"
        )
    );
    assert!(out.stdout.len() < 4096, "{} bytes", out.stdout.len());
}

#[test]
fn errors_a_run_refuses_a_checklist_for_are_bounded_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("# Many\n\n");
    for i in 0..40_000 {
        text.push_str(&format!(
            "- [ ] Item {i} <!-- relcheck: timeout=soon{i} -->\n"
        ));
    }
    let many = write(dir.path(), "many.md", &text);
    let out = relcheck(&["run", &many, "--non-interactive"])
        .cwd(dir.path())
        .run();
    assert_eq!(out.code, 3);
    assert!(
        out.stderr
            .contains("many.md: ... and 39,990 more of the same kind, from line 13: error: timeout `soon10` is not a duration"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.len() < 4096, "{} bytes", out.stderr.len());
}

#[test]
fn two_hundred_thousand_distinct_variables_are_linted_in_one_pass() {
    // Quadratic in the names, this would not end; scripts/bench times it.
    let dir = tempfile::tempdir().unwrap();
    let names: String = (0..200_000).map(|i| format!("\"{{{{v{i}}}}}\" ")).collect();
    let text = format!("# Vars\n\n- [ ] Deployed\n  ```sh\n  echo {names}\n  ```\n");
    let vars = write(dir.path(), "vars.md", &text);
    let out = relcheck(&["lint", &vars]).cwd(dir.path()).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.ends_with("vars.md: 0 errors, 200000 warnings\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("vars.md: ... and 199,990 more of the same kind, from line 5: warning: {{v10}} is inside double quotes;"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_subtitle_or_a_numbered_part_over_headings_is_no_empty_phase_but_a_repeat_is() {
    Test::new()
        .file(
            "parts.md",
            "# Go-live\n## What the two pilot clinics do on the day\n\n## 1) Day of\n\n## Freeze\n\n- [ ] Freeze merged\n\n## Context\n\n## Context\n\n- [ ] Ticket linked\n",
        )
        .args(&["lint", "--strict", "parts.md"])
        .code(1)
        .stdout(
            "parts.md:10:1: warning: phase \"Context\" has no items\n10 | ## Context\n   | ^\nparts.md: 0 errors, 1 warning\n",
        )
        .run();
}

#[test]
fn a_step_under_each_of_two_bullet_groups_is_no_duplicate() {
    Test::new()
        .file(
            "groups.md",
            "# Upgrade\n\n## Steps\n\n* Upgrade:\n\n1. [ ] Run a dry run\n\n* Revert:\n\n1. [ ] Run a dry run\n2. [ ] Run a dry run\n",
        )
        .args(&["lint", "groups.md"])
        .stdout(
            "groups.md:12:1: warning: \"Run a dry run\" is already an item of this section (line 11)\n12 | 2. [ ] Run a dry run\n   | ^\ngroups.md: 0 errors, 1 warning\n",
        )
        .run();
}

#[test]
fn a_repeat_is_found_in_any_case_under_the_same_parent_in_short_and_long_sections() {
    // A short section is searched pairwise, a long one (over 32 items)
    // through a map: the two must agree, on accents too.
    let long: String = (1..=40).map(|n| format!("- [ ] Step {n}\n")).collect();
    Test::new()
        .file(
            "repeats.md",
            &format!(
                "# Repeats\n\n## Small\n\n- [ ] Café prêt\n- [ ] CAFÉ PRÊT\n- [ ] Tag it\n  - [ ] Push\n- [ ] Tag again\n  - [ ] Push\n\n## Long\n\n{long}- [ ] STEP 2\n"
            ),
        )
        .args(&["lint", "repeats.md"])
        .stdout(
            "repeats.md:6:1: warning: \"CAFÉ PRÊT\" is already an item of this section (line 5)\n6 | - [ ] CAFÉ PRÊT\n  | ^\nrepeats.md:54:1: warning: \"STEP 2\" is already an item of this section (line 15)\n54 | - [ ] STEP 2\n   | ^\nrepeats.md: 0 errors, 2 warnings\n",
        )
        .run();
}

#[test]
fn a_repeat_is_the_same_text_lower_cased_in_context_in_short_and_long_sections() {
    // Lower-cased as `to_lowercase` has it, in either path: a final `Σ`
    // is `ς` (so "ΑΣ" repeats "ας", not "ασ"), the Kelvin sign is `k`
    // against an ASCII text before or after it, and "Café" is not "cafe".
    let short = [
        "ΑΣ",
        "ασ",
        "ας",
        "\u{212a}ey",
        "KEY",
        "key",
        "Kit",
        "\u{212a}IT",
        "Café",
        "cafe",
        "CAFÉ",
    ];
    let items =
        |texts: &[&str]| -> String { texts.iter().map(|t| format!("- [ ] {t}\n")).collect() };
    let filler: Vec<String> = (1..=25).map(|n| format!("Filler {n}")).collect();
    let long: Vec<&str> = short
        .iter()
        .copied()
        .chain(filler.iter().map(String::as_str))
        .collect();
    let warning = |line: usize, text: &str, first: usize| {
        let pad = " ".repeat(line.to_string().len());
        format!(
            "cases.md:{line}:1: warning: \"{text}\" is already an item of this section (line {first})\n{line} | - [ ] {text}\n{pad} | ^\n"
        )
    };
    let mut expected = String::new();
    for base in [5, 19] {
        for (at, text, first) in [
            (2, "ας", 0),
            (4, "KEY", 3),
            (5, "key", 3),
            (7, "\u{212a}IT", 6),
            (10, "CAFÉ", 8),
        ] {
            expected.push_str(&warning(base + at, text, base + first));
        }
    }
    expected.push_str("cases.md: 0 errors, 10 warnings\n");
    Test::new()
        .file(
            "cases.md",
            &format!(
                "# Repeats\n\n## Short\n\n{}\n## Long\n\n{}",
                items(&short),
                items(&long)
            ),
        )
        .args(&["lint", "cases.md"])
        .stdout(&expected)
        .run();
}

/// A control character where Markdown looks for structure: relcheck shows
/// it as `�` (never raw on a terminal), so `\x1b[31m# Deploy` is no
/// heading. Lint says so on each line that held one, at the character;
/// after ten, a count.
#[test]
fn a_character_shown_as_replaced_is_warned_about_on_its_line() {
    let text = "# Release\r\n\r\n## Steps\r\n\r\n- [ ] Build\r\n\x1b[31m# Deploy\r\n- [ ] Ship \x07\x07 it\r\n  \u{202e}- [ ] Hidden\r\n";
    Test::new()
        .file("esc.md", text)
        .args(&["lint", "esc.md"])
        .stdout(
            "esc.md:6:1: warning: a control character (`U+001B`) is shown as �; a heading or list marker after it is not read as one
6 | �[31m# Deploy
  | ^
esc.md:7:12: warning: a control character (`U+0007`) is shown as � (and 1 more on this line)
7 | - [ ] Ship �� it
  |            ^
esc.md:8:3: warning: a text direction control (`U+202E`) is shown as �; a heading or list marker after it is not read as one
8 |   �- [ ] Hidden
  |   ^
esc.md: 0 errors, 3 warnings
",
        )
        .run();
    Test::new()
        .file("esc.md", text)
        .args(&["lint", "--strict", "esc.md"])
        .code(1)
        .run();
    let many = format!("# T\n\n## S\n\n- [ ] a\n{}", "\x1b[1m- [ ] x\n".repeat(12));
    Test::new()
        .file("many.md", &many)
        .args(&["lint", "many.md"])
        .filter(|out| out.lines().skip(30).collect::<Vec<_>>().join("\n"))
        .stdout("many.md: ... and 2 more of the same kind, from line 16: warning: a control character (`U+001B`) is shown as �; a heading or list marker after it is not read as one
many.md: 0 errors, 12 warnings")
        .run();
}
