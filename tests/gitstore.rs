//! `--commit`: records committed to a real git repository in a temporary
//! folder, with a git configuration of the test's own. Each commit holds
//! the record and nothing else, with the exact message; whatever stops a
//! commit is one warning line and leaves the exit code as it was.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use expectrl::Expect;
use expectrl::process::unix::WaitStatus;
use relcheck::gitstore::{self, NotCommitted};
use relcheck::record::{Outcome, Record};

use crate::support::{BIN, Output, pty_with};

const DEPLOY: &str = "# Production Deploy

## Deploy

- [ ] Backup taken
- [ ] Release {{version}} deployed

## Sign-off

- [ ] **QA Lead**: ___ Signature: ___
";

/// Answers the checks and leaves the sign-off: the run ends incomplete.
const CHECKS: &str = "items:
  Backup taken: done
  Release {{version}} deployed: done
";

const SIGNOFF: &str = "signoffs:
  QA Lead: {name: Ann, decision: approve}
";

/// A folder holding `home` (the test's git configuration), `repo` (a git
/// repository with a checklist, its answers and a staged file of its
/// own) and `plain` (no repository). Discovery stops at the folder, so no
/// repository around the temporary folder is ever found.
struct Sandbox {
    tmp: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let sandbox = Sandbox {
            tmp: tempfile::tempdir().unwrap(),
        };
        for dir in ["home", "repo", "plain"] {
            fs::create_dir(sandbox.path(dir)).unwrap();
        }
        fs::write(
            sandbox.path("home/gitconfig"),
            "[user]\n\tname = Committer\n\temail = committer@example.com\n[init]\n\tdefaultBranch = main\n",
        )
        .unwrap();
        for dir in ["repo", "plain"] {
            fs::write(sandbox.path(dir).join("deploy.md"), DEPLOY).unwrap();
            fs::write(sandbox.path(dir).join("checks.yaml"), CHECKS).unwrap();
            fs::write(sandbox.path(dir).join("signoff.yaml"), SIGNOFF).unwrap();
        }
        sandbox.git(&["init", "--quiet"]);
        fs::write(
            sandbox.path("repo/unrelated.txt"),
            "staged, not for relcheck\n",
        )
        .unwrap();
        sandbox.git(&["add", "unrelated.txt"]);
        sandbox
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// `program` with the test's environment: no `GIT_*` of the
    /// developer's, git's configuration from `home`, messages in English.
    fn command(&self, program: &str, dir: &str) -> Command {
        let mut command = Command::new(program);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("GIT_") {
                command.env_remove(&name);
            }
        }
        command
            .current_dir(self.path(dir))
            .env("HOME", self.path("home"))
            .env("GIT_CONFIG_GLOBAL", self.path("home/gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CEILING_DIRECTORIES", self.tmp.path())
            .env("LC_ALL", "C")
            .env("NO_COLOR", "1")
            .env("RELCHECK_OPERATOR", "ci-bot")
            .env_remove("RELCHECK_RECORDS_DIR")
            .env_remove("GITHUB_ACTIONS")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("SSH_AUTH_SOCK")
            .stdin(Stdio::null());
        command
    }

    /// `git ARGS` in `repo`, which must succeed; its standard output.
    fn git(&self, args: &[&str]) -> String {
        let output = self.command("git", "repo").args(args).output().unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn relcheck_in(&self, dir: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = self.command(BIN, dir);
        command.args(args);
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().unwrap();
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn relcheck(&self, args: &[&str]) -> Output {
        self.relcheck_in("repo", args, &[])
    }

    /// The one record in `dir`'s records folder, relative to `dir`.
    fn record(&self, dir: &str) -> String {
        let records: Vec<PathBuf> = fs::read_dir(self.path(dir).join("relcheck-records"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        assert_eq!(records.len(), 1, "{records:?}");
        format!(
            "relcheck-records/{}",
            records[0].file_name().unwrap().to_str().unwrap()
        )
    }

    fn load(&self, dir: &str) -> Record {
        Record::load(&self.path(dir).join(self.record(dir))).unwrap()
    }

    fn commits(&self) -> usize {
        match self
            .command("git", "repo")
            .args(["rev-list", "--count", "HEAD"])
            .output()
            .unwrap()
        {
            out if out.status.success() => String::from_utf8(out.stdout)
                .unwrap()
                .trim()
                .parse()
                .unwrap(),
            // No HEAD yet: nothing was ever committed.
            _ => 0,
        }
    }

    /// The files HEAD's commit changed.
    fn changed(&self) -> String {
        self.git(&["show", "--name-only", "--format=", "HEAD"])
    }

    fn message(&self) -> String {
        self.git(&["log", "-1", "--format=%B"])
    }

    fn short_head(&self) -> String {
        self.git(&["rev-parse", "--short", "HEAD"])
            .trim()
            .to_string()
    }

    fn hook(&self, name: &str, script: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.path("repo/.git/hooks").join(name);
        fs::write(&path, script).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// The run's warnings: its lines that start `warning:`.
fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.starts_with("warning:"))
        .collect()
}

fn run_message(title: &str, outcome: &str, record: &Record) -> String {
    format!(
        "relcheck: {title} {outcome} ({id})\n\nRelcheck-Run: {id}\nRelcheck-Record-Digest: sha256:{}\n\n",
        record.digest.as_deref().unwrap(),
        id = record.run.id,
    )
}

#[test]
fn run_resume_and_sign_each_commit_the_record_and_only_it() {
    let sandbox = Sandbox::new();
    let ran = sandbox.relcheck(&[
        "run",
        "deploy.md",
        "--non-interactive",
        "--answers",
        "checks.yaml",
        "--set",
        "version=2.4.0",
        "--commit",
    ]);
    assert_eq!(ran.code, 4, "{}", ran.stderr);
    let record = sandbox.record("repo");
    assert_eq!(
        ran.stdout,
        format!(
            "record: {record}\ncommitted: {record} ({})\n",
            sandbox.short_head()
        )
    );
    assert_eq!(warnings(&ran.stderr), Vec::<&str>::new());
    assert_eq!(sandbox.commits(), 1);
    assert_eq!(sandbox.changed(), format!("{record}\n"));
    let loaded = sandbox.load("repo");
    assert_eq!(
        sandbox.message(),
        run_message("Production Deploy 2.4.0", "incomplete", &loaded)
    );
    // What was committed is the record as saved, and the staged file
    // stays staged, uncommitted; the lock and the journal are not in git.
    assert_eq!(
        sandbox.git(&["show", &format!("HEAD:{record}")]),
        fs::read_to_string(sandbox.path("repo").join(&record)).unwrap()
    );
    assert_eq!(
        sandbox.git(&["status", "--porcelain", "--untracked-files=no"]),
        "A  unrelated.txt\n"
    );

    // A person finishes it: the record is committed again.
    let resumed = sandbox.relcheck(&[
        "resume",
        &record,
        "--non-interactive",
        "--answers",
        "signoff.yaml",
        "--commit",
    ]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert_eq!(
        resumed.stdout,
        format!(
            "record: {record}\ncommitted: {record} ({})\n",
            sandbox.short_head()
        )
    );
    assert_eq!(sandbox.commits(), 2);
    assert_eq!(sandbox.changed(), format!("{record}\n"));
    let loaded = sandbox.load("repo");
    assert_eq!(loaded.run.outcome, Outcome::Success);
    assert_eq!(
        sandbox.message(),
        run_message("Production Deploy 2.4.0", "success", &loaded)
    );

    // A sign-off is a commit of its own, naming the signer.
    let signed = sandbox.relcheck(&[
        "sign", &record, "--role", "qa lead", "--name", "Bea", "--commit",
    ]);
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    let lines: Vec<&str> = signed.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", signed.stdout);
    assert!(lines[0].starts_with(&format!("signed {record} as QA Lead (Bea, approve)")));
    assert_eq!(
        lines[1],
        format!("committed: {record} ({})", sandbox.short_head())
    );
    assert_eq!(signed.stderr, "");
    assert_eq!(sandbox.commits(), 3);
    assert_eq!(sandbox.changed(), format!("{record}\n"));
    let loaded = sandbox.load("repo");
    assert_eq!(
        sandbox.message(),
        format!(
            "relcheck: sign Production Deploy 2.4.0 as QA Lead (Bea, approve)\n\nRelcheck-Run: {}\nRelcheck-Record-Digest: sha256:{}\n\n",
            loaded.run.id,
            loaded.digest.as_deref().unwrap()
        )
    );
    assert_eq!(
        sandbox.git(&["status", "--porcelain", "--untracked-files=no"]),
        "A  unrelated.txt\n"
    );
    // Without --commit, nothing is committed.
    let again = sandbox.relcheck(&["sign", &record, "--role", "QA Lead", "--name", "Cy"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(sandbox.commits(), 3);
    // A project that commits its records commits each sign-off too.
    fs::write(
        sandbox.path("repo").join("relcheck.toml"),
        "commit = true\n",
    )
    .unwrap();
    let by_file = sandbox.relcheck(&["sign", &record, "--role", "QA Lead", "--name", "Di"]);
    assert_eq!(by_file.code, 0, "{}", by_file.stderr);
    assert_eq!(
        by_file.stdout.lines().last().unwrap(),
        format!("committed: {record} ({})", sandbox.short_head())
    );
    assert_eq!(sandbox.commits(), 4);
    assert_eq!(sandbox.changed(), format!("{record}\n"));
}

#[test]
fn outside_a_repository_the_run_warns_and_keeps_its_exit_code() {
    let sandbox = Sandbox::new();
    let args = [
        "run",
        "deploy.md",
        "--non-interactive",
        "--answers",
        "checks.yaml",
        "--set",
        "version=2.4.0",
        "--commit",
    ];
    let ran = sandbox.relcheck_in("plain", &args, &[]);
    assert_eq!(ran.code, 4, "{}", ran.stderr);
    let record = sandbox.record("plain");
    assert_eq!(ran.stdout, format!("record: {record}\n"));
    let warning = format!(
        "warning: {record}: not committed to git: not in a git work tree (git: not a git repository (or any of the parent directories): .git)"
    );
    assert_eq!(warnings(&ran.stderr), [warning.as_str()]);
    assert!(ran.stderr.ends_with(&format!("{warning}\n")));
    assert_eq!(sandbox.load("plain").run.outcome, Outcome::Incomplete);

    let signed = sandbox.relcheck_in(
        "plain",
        &[
            "sign", &record, "--role", "QA Lead", "--name", "Ann", "--commit",
        ],
        &[],
    );
    assert_eq!(signed.code, 0);
    assert_eq!(signed.stderr, format!("{warning}\n"));
    assert_eq!(sandbox.load("plain").signoffs.len(), 1);
}

#[test]
fn without_git_the_run_warns_and_keeps_its_exit_code() {
    let sandbox = Sandbox::new();
    let ran = sandbox.relcheck_in(
        "repo",
        &[
            "run",
            "deploy.md",
            "--non-interactive",
            "--answers",
            "checks.yaml",
            "--set",
            "version=2.4.0",
            "--allow-pending",
            "--commit",
        ],
        &[("PATH", "/nonexistent")],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let record = sandbox.record("repo");
    assert_eq!(
        warnings(&ran.stderr),
        [format!(
            "warning: {record}: not committed to git: cannot run git: git is not installed (not on PATH)"
        )]
    );
    assert_eq!(sandbox.commits(), 0);
}

#[test]
fn a_rejecting_hook_is_a_warning_and_leaves_the_index_as_it_was() {
    let sandbox = Sandbox::new();
    sandbox.hook(
        "pre-commit",
        "#!/bin/sh\necho checking >&2\necho 'no records on Fridays' >&2\nexit 1\n",
    );
    let ran = sandbox.relcheck(&[
        "run",
        "deploy.md",
        "--non-interactive",
        "--answers",
        "checks.yaml",
        "--set",
        "version=2.4.0",
        "--commit",
    ]);
    assert_eq!(ran.code, 4, "{}", ran.stderr);
    let record = sandbox.record("repo");
    let warning = format!(
        "warning: {record}: not committed to git: git commit failed: no records on Fridays"
    );
    assert_eq!(warnings(&ran.stderr), [warning.as_str()]);
    assert_eq!(sandbox.commits(), 0);
    // The record is untracked again, the staged file still staged, and
    // the record itself as the run left it.
    assert_eq!(
        sandbox.git(&["status", "--porcelain", "--untracked-files=all"]),
        format!("A  unrelated.txt\n?? checks.yaml\n?? deploy.md\n?? {record}\n?? signoff.yaml\n")
    );
    assert_eq!(sandbox.load("repo").run.outcome, Outcome::Incomplete);

    // The same for a sign-off.
    let signed = sandbox.relcheck(&[
        "sign", &record, "--role", "QA Lead", "--name", "Ann", "--commit",
    ]);
    assert_eq!(signed.code, 0);
    assert_eq!(signed.stderr, format!("{warning}\n"));
    assert_eq!(sandbox.load("repo").signoffs.len(), 1);
}

#[test]
fn hooks_see_only_the_record() {
    let sandbox = Sandbox::new();
    // git runs the hook against the commit's own index: HEAD plus the
    // record, never the user's staged work.
    sandbox.hook(
        "pre-commit",
        "#!/bin/sh\ngit diff --cached --name-only > ../hook-saw\n",
    );
    let ran = sandbox.relcheck(&[
        "run",
        "deploy.md",
        "--non-interactive",
        "--answers",
        "checks.yaml",
        "--set",
        "version=2.4.0",
        "--commit",
    ]);
    assert_eq!(warnings(&ran.stderr), Vec::<&str>::new());
    assert_eq!(
        fs::read_to_string(sandbox.path("hook-saw")).unwrap(),
        format!("{}\n", sandbox.record("repo"))
    );
}

#[test]
fn an_ignored_records_folder_is_a_warning() {
    let sandbox = Sandbox::new();
    fs::write(sandbox.path("repo/.gitignore"), "relcheck-records/\n").unwrap();
    let ran = sandbox.relcheck(&[
        "run",
        "deploy.md",
        "--non-interactive",
        "--answers",
        "checks.yaml",
        "--set",
        "version=2.4.0",
        "--commit",
    ]);
    assert_eq!(ran.code, 4);
    assert_eq!(
        warnings(&ran.stderr),
        [format!(
            "warning: {}: not committed to git: git ignores it (`git check-ignore -v` on it says which rule)",
            sandbox.record("repo")
        )]
    );
    assert_eq!(sandbox.commits(), 0);
}

#[test]
fn git_variables_that_point_elsewhere_are_not_followed() {
    let sandbox = Sandbox::new();
    // As inside another repository's hook: GIT_DIR and GIT_INDEX_FILE name
    // that repository, which must not get the commit.
    fs::create_dir(sandbox.path("other")).unwrap();
    let init = sandbox
        .command("git", "other")
        .args(["init", "--quiet"])
        .status()
        .unwrap();
    assert!(init.success());
    let other_git = sandbox.path("other/.git");
    let other_index = sandbox.path("other/.git/index");
    let ran = sandbox.relcheck_in(
        "repo",
        &[
            "run",
            "deploy.md",
            "--non-interactive",
            "--answers",
            "checks.yaml",
            "--set",
            "version=2.4.0",
            "--commit",
        ],
        &[
            ("GIT_DIR", other_git.to_str().unwrap()),
            ("GIT_WORK_TREE", sandbox.path("other").to_str().unwrap()),
            ("GIT_INDEX_FILE", other_index.to_str().unwrap()),
            ("GIT_GLOB_PATHSPECS", "1"),
        ],
    );
    assert_eq!(warnings(&ran.stderr), Vec::<&str>::new());
    assert_eq!(sandbox.commits(), 1);
    assert_eq!(sandbox.changed(), format!("{}\n", sandbox.record("repo")));
    assert!(!other_index.exists());
}

#[test]
fn names_and_titles_cannot_add_trailers_or_lines() {
    let sandbox = Sandbox::new();
    fs::write(
        sandbox.path("repo/deploy.md"),
        DEPLOY.replace(
            "# Production Deploy",
            "# Production \u{1b}]0;owned\u{7}Deploy\u{202e}",
        ),
    )
    .unwrap();
    let ran = sandbox.relcheck(&[
        "run",
        "deploy.md",
        "--non-interactive",
        "--answers",
        "checks.yaml",
        "--set",
        "version=2.4.0",
        "--commit",
    ]);
    assert_eq!(warnings(&ran.stderr), Vec::<&str>::new());
    let record = sandbox.record("repo");
    let subject = sandbox.git(&["log", "-1", "--format=%s"]);
    assert!(
        // The record keeps the title's control characters as `�` already.
        subject.starts_with(
            "relcheck: Production \u{fffd}]0;owned\u{fffd}Deploy\u{fffd} 2.4.0 incomplete ("
        ),
        "{subject:?}"
    );
    // A name of more than one line is refused: it would be trailers.
    let refused = sandbox.relcheck(&[
        "sign",
        &record,
        "--role",
        "QA Lead",
        "--name",
        "Ann\n\nRelcheck-Record-Digest: sha256:forged\nSigned-off-by: Mallory",
        "--commit",
    ]);
    assert_eq!(
        (refused.code, refused.stderr.as_str()),
        (
            2,
            "error: --name Ann\\n\\nRelcheck-Record-Digest: sha256:forged\\nSigned-off-by: Mallory: holds a line break or a control character; it is recorded and shown on one line, so give plain text\n"
        )
    );
    let signed = sandbox.relcheck(&[
        "sign",
        &record,
        "--role",
        "QA Lead",
        "--name",
        "Ann Relcheck-Record-Digest: sha256:forged Signed-off-by: Mallory",
        "--commit",
    ]);
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    assert_eq!(
        sandbox.git(&["log", "-1", "--format=%s"]),
        "relcheck: sign Production \u{fffd}]0;owned\u{fffd}Deploy\u{fffd} 2.4.0 as QA Lead (Ann Relcheck-Record-Digest: sha256:forged Signed-off-by: Mallory, approve)\n"
    );
    let loaded = sandbox.load("repo");
    assert_eq!(
        sandbox.git(&["log", "-1", "--format=%(trailers:only)"]),
        format!(
            "Relcheck-Run: {}\nRelcheck-Record-Digest: sha256:{}\n\n",
            loaded.run.id,
            loaded.digest.as_deref().unwrap()
        )
    );
}

#[test]
fn git_signs_the_commit_when_configured_to() {
    let sandbox = Sandbox::new();
    let key = sandbox.path("home/key");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "committer", "-f"])
        .arg(&key)
        .stdin(Stdio::null())
        .output();
    if !made.is_ok_and(|out| out.status.success()) {
        eprintln!("ssh-keygen is not installed: commit signing not tested");
        return;
    }
    sandbox.git(&["config", "gpg.format", "ssh"]);
    sandbox.git(&["config", "user.signingKey", key.to_str().unwrap()]);
    sandbox.git(&["config", "commit.gpgSign", "true"]);
    let ran = sandbox.relcheck(&[
        "run",
        "deploy.md",
        "--non-interactive",
        "--answers",
        "checks.yaml",
        "--set",
        "version=2.4.0",
        "--commit",
    ]);
    assert_eq!(warnings(&ran.stderr), Vec::<&str>::new());
    assert!(
        sandbox
            .git(&["cat-file", "commit", "HEAD"])
            .contains("\ngpgsig -----BEGIN SSH SIGNATURE-----\n")
    );

    // A signing key that is gone fails the commit, not the sign-off.
    sandbox.git(&["config", "user.signingKey", "/nonexistent/key"]);
    let record = sandbox.record("repo");
    let signed = sandbox.relcheck(&[
        "sign",
        &record,
        "--role",
        "QA Lead",
        "--name",
        "Ann",
        "--key",
        key.to_str().unwrap(),
        "--commit",
    ]);
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    // Git's `fatal:` line says what failed, its `error:` line why.
    assert_eq!(
        signed.stderr,
        format!(
            "warning: {record}: not committed to git: git commit failed: Couldn't load public key /nonexistent/key: No such file or directory? (failed to write commit object)\n"
        )
    );
    assert_eq!(sandbox.commits(), 1);
    assert_eq!(sandbox.load("repo").signoffs.len(), 1);
}

#[test]
fn a_record_committed_as_it_is_has_nothing_to_commit() {
    let sandbox = Sandbox::new();
    let path = sandbox.path("repo/record.yaml");
    fs::write(&path, "schema: x\n").unwrap();
    let first = gitstore::commit(&path, "first\n");
    assert!(first.is_ok(), "{first:?}");
    assert_eq!(
        gitstore::commit(&path, "again\n"),
        Err(NotCommitted::Unchanged)
    );
    assert_eq!(
        NotCommitted::Unchanged.to_string(),
        "nothing changed since it was last committed"
    );
    assert_eq!(sandbox.commits(), 1);
    assert_eq!(sandbox.message(), "first\n\n");
}

/// At a terminal: `q` leaves the run resumable and commits it, for a
/// teammate to go on with; Ctrl-C (a signal's way of stopping) does not.
#[test]
fn a_run_quit_at_a_terminal_is_committed_and_an_interrupted_one_is_not() {
    let sandbox = Sandbox::new();
    let home = sandbox.path("home");
    let config = sandbox.path("home/gitconfig");
    let ceiling = sandbox.tmp.path().to_path_buf();
    let env = [
        ("HOME", home.to_str().unwrap()),
        ("GIT_CONFIG_GLOBAL", config.to_str().unwrap()),
        ("GIT_CONFIG_NOSYSTEM", "1"),
        ("GIT_CEILING_DIRECTORIES", ceiling.to_str().unwrap()),
        ("LC_ALL", "C"),
    ];
    let repo = sandbox.path("repo");
    let mut run = pty_with(
        &repo,
        &["run", "deploy.md", "--set", "version=2.4.0", "--commit"],
        &env,
    );
    run.expect("Backup taken").unwrap();
    run.send("y").unwrap();
    run.expect("Release 2.4.0 deployed").unwrap();
    run.send("q").unwrap();
    run.expect("committed: relcheck-records/").unwrap();
    assert_eq!(exit(&run), 4);
    assert_eq!(sandbox.commits(), 1);
    let loaded = sandbox.load("repo");
    assert_eq!(
        sandbox.message(),
        run_message("Production Deploy 2.4.0", "in-progress", &loaded)
    );

    let record = sandbox.record("repo");
    let mut resumed = pty_with(&repo, &["resume", &record, "--commit"], &env);
    resumed.expect("Release 2.4.0 deployed").unwrap();
    resumed.send("\x03").unwrap();
    resumed
        .expect(format!(
            "warning: {record}: not committed to git: the run was interrupted; `relcheck resume --commit` commits it when the run stops again, or commit it yourself"
        ).as_str())
        .unwrap();
    assert_eq!(exit(&resumed), 130);
    assert_eq!(sandbox.commits(), 1);
}

fn exit(session: &expectrl::session::OsSession) -> i32 {
    match session.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("not an exit: {other:?}"),
    }
}

/// The record path as the user gave it decides nothing about which
/// repository: git runs in the record's own folder.
#[test]
fn the_repository_is_the_records_not_the_working_folders() {
    let sandbox = Sandbox::new();
    let records = sandbox.path("repo/relcheck-records");
    let ran = sandbox.relcheck_in(
        "plain",
        &[
            "run",
            "deploy.md",
            "--non-interactive",
            "--answers",
            "checks.yaml",
            "--set",
            "version=2.4.0",
            "--records-dir",
            records.to_str().unwrap(),
            "--commit",
        ],
        &[],
    );
    assert_eq!(warnings(&ran.stderr), Vec::<&str>::new());
    assert_eq!(sandbox.commits(), 1);
    assert_eq!(sandbox.changed(), format!("{}\n", sandbox.record("repo")));
}
