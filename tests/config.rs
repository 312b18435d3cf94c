//! Issue 13 items 1 and 2 from the outside: `relcheck.toml` found from the
//! current directory upward, each level of precedence (flag, environment,
//! file, default), strict keys, and `relcheck config`'s listing; and the
//! completion scripts and manual page generated from the command line.

use std::fs;
use std::path::Path;

use crate::forgery::signed_release;
use crate::support::{Output, relcheck};

/// A checklist with one variable, whose command prints it.
const SHIP: &str = "\
# Ship

- [ ] Deploy {{env}}
  ```sh
  echo \"deploying to $RELCHECK_VAR_ENV\"
  ```
";

const CONFIG: &str = "\
# the project's settings
records-dir = \"deploy/records\"
allowed-signers = \".github/allowed_signers\"

[set]
env = \"production\"
region = \"eu-west-1\"

[signoff]
min = 2
distinct = true
";

/// `relcheck ARGS` in `dir`, with no git configuration of the developer's.
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = relcheck(args)
        .cwd(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("RELCHECK_OPERATOR", "ci-bot");
    for (key, value) in env {
        command = command.env(key, value);
    }
    command.run()
}

/// A project: relcheck.toml at its top, and a folder two levels down.
fn project(config: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let top = tempfile::tempdir().unwrap();
    fs::write(top.path().join("relcheck.toml"), config).unwrap();
    let inner = top.path().join("services/api");
    fs::create_dir_all(&inner).unwrap();
    (top, inner)
}

#[test]
fn config_lists_every_setting_and_the_line_that_gave_it() {
    let (top, inner) = project(CONFIG);
    let file = top.path().join("relcheck.toml");
    let out = run_in(&inner, &["config"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let t = top.path().display().to_string();
    let f = file.display().to_string();
    let rows = [
        (
            "records-dir",
            format!("{t}/deploy/records"),
            format!("{f}:2"),
        ),
        (
            "allowed-signers",
            format!("{t}/.github/allowed_signers"),
            format!("{f}:3"),
        ),
        ("notify", "[]".into(), "default".into()),
        ("commit", "false".into(), "default".into()),
        ("signoff.min", "2".into(), format!("{f}:10")),
        ("signoff.distinct", "true".into(), format!("{f}:11")),
        ("signoff.not-operator", "false".into(), "default".into()),
        ("set.env", "production".into(), format!("{f}:6")),
        ("set.region", "eu-west-1".into(), format!("{f}:7")),
    ];
    let value_width = rows.iter().map(|r| r.1.len()).max().unwrap();
    let mut expected = format!("config file: {f}\n");
    for (key, value, origin) in rows {
        expected.push_str(&format!("{key:20}  {value:value_width$}  {origin}\n"));
    }
    assert_eq!(out.stdout, expected);
    assert_eq!(out.stderr, "");
}

#[test]
fn flags_beat_the_environment_which_beats_the_file() {
    let (top, inner) = project(CONFIG);
    let f = top.path().join("relcheck.toml").display().to_string();
    let out = run_in(
        &inner,
        &[
            "config",
            "--format",
            "json",
            "--min-signoffs",
            "3",
            "--not-operator",
            "--set",
            "env=staging",
        ],
        &[
            ("RELCHECK_RECORDS_DIR", "/srv/records"),
            ("RELCHECK_ALLOWED_SIGNERS", "/etc/relcheck/signers"),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "file": f,
            "settings": {
                "records-dir": {"value": "/srv/records", "from": "env", "where": "RELCHECK_RECORDS_DIR"},
                "allowed-signers": {"value": "/etc/relcheck/signers", "from": "env", "where": "RELCHECK_ALLOWED_SIGNERS"},
                "notify": {"value": [], "from": "default"},
                "commit": {"value": false, "from": "default"},
                "signoff.min": {"value": 3, "from": "flag", "where": "--min-signoffs"},
                "signoff.distinct": {"value": true, "from": "file", "where": format!("{f}:11")},
                "signoff.not-operator": {"value": true, "from": "flag", "where": "--not-operator"},
                "set.env": {"value": "staging", "from": "flag", "where": "--set"},
                "set.region": {"value": "eu-west-1", "from": "file", "where": format!("{f}:7")},
            }
        })
    );
    let out = run_in(
        &inner,
        &[
            "config",
            "--records-dir",
            "here",
            "--allowed-signers",
            "mine",
        ],
        &[("RELCHECK_RECORDS_DIR", "/srv/records")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let words = |line: &str| {
        line.split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        words(lines[1]),
        ["records-dir", "here", "flag", "--records-dir"]
    );
    assert_eq!(
        words(lines[2]),
        ["allowed-signers", "mine", "flag", "--allowed-signers"]
    );
}

#[test]
fn with_no_file_every_setting_is_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["config"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "\
config file: none (relcheck.toml not found here or above)
records-dir           relcheck-records  default
allowed-signers       (none)            default
notify                []                default
commit                false             default
signoff.min           (none)            default
signoff.distinct      false             default
signoff.not-operator  false             default
"
    );
}

#[test]
fn the_nearest_file_up_the_tree_is_the_one_read() {
    let (top, inner) = project("records-dir = \"top\"\n");
    fs::write(
        top.path().join("services/relcheck.toml"),
        "\n\nrecords-dir = \"middle\"\n",
    )
    .unwrap();
    let out = run_in(&inner, &["config", "--format", "json"], &[]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let middle = top.path().join("services/relcheck.toml");
    assert_eq!(json["file"], middle.display().to_string());
    assert_eq!(
        json["settings"]["records-dir"],
        serde_json::json!({
            "value": top.path().join("services/middle").display().to_string(),
            "from": "file",
            "where": format!("{}:3", middle.display()),
        })
    );
}

#[test]
fn a_run_two_folders_down_uses_the_files_records_dir_and_set_values() {
    let (top, inner) = project(CONFIG);
    fs::write(inner.join("ship.md"), SHIP).unwrap();
    let out = run_in(&inner, &["run", "ship.md", "--non-interactive"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let records: Vec<_> = fs::read_dir(top.path().join("deploy/records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert_eq!(records.len(), 1);
    assert!(!inner.join("relcheck-records").exists());
    let record = relcheck::record::Record::load(&records[0]).unwrap();
    let deploy = record.item("ship/deploy-env").unwrap();
    assert_eq!(
        deploy.rare.command.as_ref().unwrap().output,
        "deploying to production\n"
    );

    // The environment wins over the file, and --set over both.
    let out = run_in(
        &inner,
        &[
            "run",
            "ship.md",
            "--non-interactive",
            "--set",
            "env=staging",
        ],
        &[("RELCHECK_RECORDS_DIR", "env-records")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let record_path = fs::read_dir(inner.join("env-records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "yaml"))
        .unwrap();
    let record = relcheck::record::Record::load(&record_path).unwrap();
    let deploy = record.item("ship/deploy-env").unwrap();
    assert_eq!(
        deploy.rare.command.as_ref().unwrap().output,
        "deploying to staging\n"
    );

    // report and history find the newest record in the file's folder.
    let out = run_in(&inner, &["history", "--format", "json"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(1), "{json}");
}

#[test]
fn a_set_value_outside_a_fields_choices_names_the_files_line() {
    let (top, inner) = project("\n[set]\nEnv = \"moon\"\n");
    fs::write(
        inner.join("pick.md"),
        "# Pick\n\n- **Env**: staging / production\n",
    )
    .unwrap();
    let out = run_in(&inner, &["run", "pick.md", "--non-interactive"], &[]);
    assert_eq!(out.code, 3, "{out:?}");
    assert_eq!(
        out.stderr,
        format!(
            "error: {}:3: [set] Env = moon: choose one of staging, production\n",
            top.path().join("relcheck.toml").display()
        )
    );
}

#[test]
fn an_unknown_key_is_exit_3_naming_the_line_and_the_closest_key() {
    for (text, message) in [
        (
            "records-dir = \"a\"\nrecords_dir = \"b\"\n",
            ":2: unknown key `records_dir`; did you mean records-dir?",
        ),
        (
            "\n[signoff]\nmin = 2\ndistinc = true\n",
            ":4: unknown key `distinc`; did you mean distinct?",
        ),
        (
            "[notifications]\nurl = \"x\"\n",
            ":1: unknown key `notifications`",
        ),
        (
            "[signoff]\nmin = \"two\"\n",
            ":2: invalid type: string \"two\", expected a whole number",
        ),
        (
            "[signoff]\nmin = 0\n",
            ":2: [signoff] min = 0: give at least 1, or leave it out",
        ),
        (
            "records-dir = \n",
            ":1: string values must be quoted, expected literal string",
        ),
        (
            "[set]\nenv = \"a\\u001b[2Jb\"\n",
            ":2: [set] env: the value holds a control character, a line break or a direction override; values are recorded and shown on one line, so give plain text",
        ),
        (
            &format!("[set]\nenv = \"{}\"\n", "x".repeat(4097)),
            ":2: [set] env: the value is 4,097 bytes; a value is at most 4,096 (it is written into every text that names it)",
        ),
    ] {
        let (top, inner) = project(text);
        let file = top.path().join("relcheck.toml").display().to_string();
        for args in [
            &["config"][..],
            &["history"],
            &["run", "x.md"],
            &["verify", "r.yaml"],
        ] {
            let out = run_in(&inner, args, &[]);
            assert_eq!(out.code, 3, "{text:?} {args:?}: {out:?}");
            assert_eq!(
                out.stderr,
                format!("error: {file}{message}\n"),
                "{text:?} {args:?}"
            );
            assert_eq!(out.stdout, "");
        }
    }
}

#[test]
fn a_config_file_that_is_not_a_regular_file_or_too_large_is_refused() {
    let top = tempfile::tempdir().unwrap();
    fs::create_dir(top.path().join("relcheck.toml")).unwrap();
    let out = run_in(top.path(), &["config"], &[]);
    assert_eq!(out.code, 3);
    assert_eq!(
        out.stderr,
        format!(
            "error: {}: is a directory, not a regular file; relcheck reads config files only from regular files\n",
            top.path().join("relcheck.toml").display()
        )
    );
    let top = tempfile::tempdir().unwrap();
    let big = format!("[set]\n{}", "a = \"b\"\n".repeat(200_000));
    fs::write(top.path().join("relcheck.toml"), big).unwrap();
    let out = run_in(top.path(), &["config"], &[]);
    assert_eq!(out.code, 3);
    assert!(
        out.stderr.starts_with(&format!(
            "error: {}: ",
            top.path().join("relcheck.toml").display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1);
}

#[test]
fn commands_that_need_no_settings_do_not_read_the_file() {
    let (_top, inner) = project("nonsense = 1\n");
    for args in [&["list"][..], &["completions", "bash"], &["man"]] {
        let out = run_in(&inner, args, &[]);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
}

#[test]
fn verify_holds_records_to_the_files_policy_and_signers() {
    let Some(signed) = signed_release() else {
        return;
    };
    let record = signed.record.to_str().unwrap();
    // Carol (unsigned), Jane and Bob approved, Jane and Bob with keys
    // allowed_signers lists: the file names the list and asks for three;
    // then for four.
    fs::write(
        signed.path("relcheck.toml"),
        "allowed-signers = \"allowed_signers\"\n[signoff]\nmin = 3\n",
    )
    .unwrap();
    let out = signed.relcheck(&["verify", record]);
    assert_eq!(out.code, 0, "{out:?}");
    fs::write(
        signed.path("relcheck.toml"),
        "allowed-signers = \"allowed_signers\"\n[signoff]\nmin = 4\n",
    )
    .unwrap();
    let out = signed.relcheck(&["verify", record]);
    assert_eq!(out.code, 5, "{out:?}");
    assert!(
        out.stdout
            .contains("3 approvals by different signers, 4 needed"),
        "{}",
        out.stdout
    );
    // The flag wins over the file.
    let out = signed.relcheck(&["verify", record, "--min-signoffs", "3"]);
    assert_eq!(out.code, 0, "{out:?}");
    // A list the file names is the one read.
    fs::write(
        signed.path("relcheck.toml"),
        "allowed-signers = \"nobody\"\n",
    )
    .unwrap();
    let out = signed.relcheck(&["verify", record]);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr
            .contains(&signed.path("nobody").display().to_string()),
        "{}",
        out.stderr
    );
}

#[test]
fn completion_scripts_name_every_command() {
    let names = [
        "run",
        "resume",
        "show",
        "lint",
        "sign",
        "verify",
        "report",
        "history",
        "list",
        "init",
        "config",
        "completions",
        "man",
    ];
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = relcheck(&["completions", shell]).run();
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(!out.stdout.is_empty(), "{shell}");
        for name in names {
            assert!(out.stdout.contains(name), "{shell} lacks {name}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("relcheck.bash");
    fs::write(&script, relcheck(&["completions", "bash"]).run().stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // An unknown shell is a usage error.
    assert_eq!(relcheck(&["completions", "tcsh"]).run().code, 2);
}

#[test]
fn the_man_page_renders() {
    let out = relcheck(&["man"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(".ie \\n(.g .ds Aq \\(aq\n"),
        "{}",
        &out.stdout[..80]
    );
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("relcheck.1");
    fs::write(&page, &out.stdout).unwrap();
    let rendered = std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-ww"])
        .arg(&page)
        .env("GROFF_NO_SGR", "1")
        .output();
    let Ok(rendered) = rendered else {
        println!("groff is not installed: the man page was not rendered");
        return;
    };
    assert!(rendered.status.success());
    assert_eq!(
        String::from_utf8_lossy(&rendered.stderr),
        "",
        "groff warnings"
    );
    // Overstrike bold and underline gone, the text as a reader sees it.
    let text: String = String::from_utf8_lossy(&rendered.stdout)
        .split('\u{8}')
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                part.get(part.char_indices().nth(1).map_or(part.len(), |(i, _)| i)..)
                    .unwrap_or("")
            }
        })
        .collect();
    for heading in [
        "NAME",
        "SYNOPSIS",
        "RELCHECK VERIFY",
        "RELCHECK CONFIG",
        "EXIT STATUS",
    ] {
        assert!(text.lines().any(|l| l == heading), "no {heading}:\n{text}");
    }
    assert!(
        text.contains("       6    record locked by another run\n"),
        "{text}"
    );
}

#[test]
fn the_file_names_the_hooks_and_turns_commits_on_and_a_flag_wins() {
    let (top, inner) = project(
        "notify = [\"http://127.0.0.1:9/a\", \"slack+https://hooks.example/b\"]\ncommit = true\n",
    );
    let f = top.path().join("relcheck.toml").display().to_string();
    let out = run_in(&inner, &["config", "--format", "json"], &[]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        (&json["settings"]["notify"], &json["settings"]["commit"]),
        (
            &serde_json::json!({"value": ["http://127.0.0.1:9/a", "slack+https://hooks.example/b"], "from": "file", "where": format!("{f}:1")}),
            &serde_json::json!({"value": true, "from": "file", "where": format!("{f}:2")})
        )
    );
}
