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
