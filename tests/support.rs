//! A small builder for running the real binary: arguments, environment and
//! working directory in; exit code, stdout and stderr out.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_relcheck");

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub struct Relcheck {
    command: Command,
}

/// `relcheck ARGS` with colour off, a fixed operator and no inherited
/// relcheck settings, run from the repository root.
pub fn relcheck(args: &[&str]) -> Relcheck {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("RELCHECK_OPERATOR")
        .env_remove("RELCHECK_RECORDS_DIR")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(Stdio::null());
    Relcheck { command }
}

impl Relcheck {
    pub fn cwd(mut self, dir: &Path) -> Relcheck {
        self.command.current_dir(dir);
        self
    }

    #[allow(dead_code)]
    pub fn env(mut self, key: &str, value: &str) -> Relcheck {
        self.command.env(key, value);
        self
    }

    pub fn run(mut self) -> Output {
        let output = self.command.output().expect("run relcheck");
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// `relcheck ARGS` in a pseudo-terminal, as operator Ada, colour off, with
/// a generous timeout on every expectation.
pub fn pty(dir: &Path, args: &[&str]) -> expectrl::session::OsSession {
    pty_with(dir, args, &[])
}

/// [`pty`] with more environment: a 100x30 xterm unless `env` says
/// otherwise (`TERM`, `COLUMNS` and `LINES` are not inherited, so the
/// screens do not depend on where the tests run).
pub fn pty_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> expectrl::session::OsSession {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("RELCHECK_OPERATOR", "Ada")
        .env_remove("COLUMNS")
        .env_remove("LINES")
        .env_remove("RELCHECK_RECORDS_DIR");
    for (key, value) in env {
        match *value {
            "" => command.env_remove(key),
            value => command.env(key, value),
        };
    }
    let mut session = expectrl::session::OsSession::spawn(command).expect("spawn in a pty");
    let _ = session.get_process_mut().set_window_size(100, 30);
    session.set_expect_timeout(Some(std::time::Duration::from_secs(20)));
    session
}

/// One run of the real binary, as the user would type it, in the style of
/// just's `Test`: files in a fresh folder, arguments, then the exit code,
/// standard output and standard error that must come out, exactly. What
/// it left (the record) is there to check after.
///
/// ```ignore
/// let ran = Test::new()
///     .file("deploy.md", LIST)
///     .args(&["run", "deploy.md", "--non-interactive"])
///     .code(1)
///     .stderr("...")
///     .run();
/// assert_eq!(ran.record().run.outcome, Outcome::Failed);
/// ```
pub struct Test {
    dir: tempfile::TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
    code: i32,
    stdout: Option<String>,
    stderr: Option<String>,
    filter: fn(&str) -> String,
}

/// What a [`Test`] left behind.
pub struct Ran {
    pub dir: tempfile::TempDir,
    /// For what a test checks beyond the exact expectations.
    #[allow(dead_code)]
    pub out: Output,
}

impl Test {
    /// Operator `ci-bot`, colour off, nothing inherited, exit 0 expected.
    pub fn new() -> Test {
        Test {
            dir: tempfile::tempdir().expect("a temporary folder"),
            args: Vec::new(),
            env: vec![("RELCHECK_OPERATOR".into(), "ci-bot".into())],
            code: 0,
            stdout: None,
            stderr: None,
            filter: |text| text.to_string(),
        }
    }

    pub fn file(self, name: &str, text: &str) -> Test {
        std::fs::write(self.dir.path().join(name), text).expect("write a test file");
        self
    }

    pub fn args(mut self, args: &[&str]) -> Test {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    #[allow(dead_code)]
    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn code(mut self, code: i32) -> Test {
        self.code = code;
        self
    }

    #[allow(dead_code)]
    pub fn stdout(mut self, text: &str) -> Test {
        self.stdout = Some(text.to_string());
        self
    }

    pub fn stderr(mut self, text: &str) -> Test {
        self.stderr = Some(text.to_string());
        self
    }

    /// Applied to standard output and error before they are compared: for
    /// what varies from run to run, such as a command's time.
    pub fn filter(mut self, filter: fn(&str) -> String) -> Test {
        self.filter = filter;
        self
    }

    pub fn run(self) -> Ran {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let mut command = relcheck(&args).cwd(self.dir.path());
        for (key, value) in &self.env {
            command = command.env(key, value);
        }
        let out = command.run();
        assert_eq!(out.code, self.code, "exit code; stderr:\n{}", out.stderr);
        if let Some(stdout) = &self.stdout {
            assert_eq!((self.filter)(&out.stdout), *stdout, "standard output");
        }
        if let Some(stderr) = &self.stderr {
            assert_eq!((self.filter)(&out.stderr), *stderr, "standard error");
        }
        Ran { dir: self.dir, out }
    }
}

impl Ran {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The one record the run wrote.
    pub fn record(&self) -> relcheck::record::Record {
        let records: Vec<PathBuf> = std::fs::read_dir(self.path("relcheck-records"))
            .expect("a records folder")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        assert_eq!(records.len(), 1, "{records:?}");
        relcheck::record::Record::load(&records[0]).expect("a record that loads")
    }
}
