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
        .env_remove("RELCHECK_ALLOWED_SIGNERS")
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
        .env_remove("RELCHECK_RECORDS_DIR")
        .env_remove("RELCHECK_ALLOWED_SIGNERS");
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

    /// A file of any bytes, text or not.
    #[allow(dead_code)]
    pub fn file_bytes(self, name: &str, bytes: &[u8]) -> Test {
        std::fs::write(self.dir.path().join(name), bytes).expect("write a test file");
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

/// The real binary on a pseudo-terminal that the test can close at any
/// moment, which expectrl's session cannot. By default the terminal is not
/// the binary's controlling terminal, so closing it sends no SIGHUP: the
/// binary learns of it only from reading (EIO) and writing (EIO), which is
/// what a test of "the terminal went away without a signal" needs.
/// [`RawPty::controlling`] makes it the controlling terminal (through
/// `setsid --ctty`), so closing it is a real hang-up with its SIGHUP.
pub struct RawPty {
    master: Option<std::fs::File>,
    pub child: std::process::Child,
    seen: Vec<u8>,
    /// Where the next [`RawPty::expect`] starts looking.
    from: usize,
}

#[allow(dead_code)]
impl RawPty {
    /// `relcheck ARGS` in `dir`, as operator Ada, colour off, 100x30.
    pub fn spawn(dir: &Path, args: &[&str]) -> RawPty {
        RawPty::start(dir, Command::new(BIN), args, None)
    }

    /// As [`RawPty::spawn`], but standard output is a pipe whose reader
    /// has already gone (`relcheck run x | less`, quit at once): keys
    /// reach relcheck, its screens reach nobody.
    pub fn unread_stdout(dir: &Path, args: &[&str]) -> RawPty {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        RawPty::start(dir, Command::new(BIN), args, Some(writer.into()))
    }

    /// As [`RawPty::spawn`], with the pseudo-terminal as the process's
    /// controlling terminal. `setsid` does not fork here (the child leads
    /// no process group), so the pid is relcheck's own.
    pub fn controlling(dir: &Path, args: &[&str]) -> RawPty {
        let mut command = Command::new("setsid");
        command.args(["--ctty", BIN]);
        RawPty::start(dir, command, args, None)
    }

    fn start(
        dir: &Path,
        mut command: Command,
        args: &[&str],
        stdout: Option<std::process::Stdio>,
    ) -> RawPty {
        let size = nix::pty::Winsize {
            ws_row: 30,
            ws_col: 100,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let pty = nix::pty::openpty(Some(&size), None).expect("a pseudo-terminal");
        // openpty leaves both ends inheritable: a process spawned meanwhile
        // (relcheck itself, another test's) would hold the master open, and
        // closing it would then close nothing.
        for end in [&pty.master, &pty.slave] {
            use nix::fcntl::{FcntlArg, FdFlag, fcntl};
            fcntl(end, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).expect("close on exec");
        }
        let slave = std::fs::File::from(pty.slave);
        command
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env("TERM", "xterm")
            .env("RELCHECK_OPERATOR", "Ada")
            .env_remove("COLUMNS")
            .env_remove("LINES")
            .env_remove("RELCHECK_RECORDS_DIR")
            .env_remove("RELCHECK_ALLOWED_SIGNERS")
            .env_remove("GITHUB_ACTIONS")
            .stdin(slave.try_clone().expect("a copy of the terminal"))
            .stdout(
                stdout.unwrap_or_else(|| slave.try_clone().expect("a copy of the terminal").into()),
            )
            .stderr(slave);
        let child = command.spawn().expect("spawn relcheck");
        // Dropping `command` closes our copies of the terminal's far end.
        drop(command);
        RawPty {
            master: Some(std::fs::File::from(pty.master)),
            child,
            seen: Vec::new(),
            from: 0,
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn send(&mut self, keys: &str) {
        use std::io::Write;
        let master = self.master.as_mut().expect("the terminal is open");
        master
            .write_all(keys.as_bytes())
            .expect("type at the terminal");
    }

    /// Reads the screen until `text` shows (after what the last expect
    /// found), for at most 20 s.
    pub fn expect(&mut self, text: &str) {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        use std::io::Read;
        use std::os::fd::AsFd;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let haystack = String::from_utf8_lossy(&self.seen[self.from..]).into_owned();
            if let Some(at) = haystack.find(text) {
                // In bytes of the lossy text; the screens are valid UTF-8.
                self.from += at + text.len();
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{text:?} never showed; the screen had:\n{haystack}"
            );
            let master = self.master.as_mut().expect("the terminal is open");
            let mut fds = [PollFd::new(master.as_fd(), PollFlags::POLLIN)];
            if poll(&mut fds, PollTimeout::from(100u16)).unwrap_or(0) == 0 {
                continue;
            }
            let mut buffer = [0; 4096];
            match master.read(&mut buffer) {
                Ok(n) if n > 0 => self.seen.extend_from_slice(&buffer[..n]),
                // The far end is closed: the process has gone.
                _ => panic!(
                    "{text:?} never showed, and relcheck closed the terminal; it had:\n{haystack}"
                ),
            }
        }
    }

    /// Closes the terminal, as closing its window does: no signal is sent
    /// by the test.
    pub fn close(&mut self) {
        self.master = None;
    }

    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.pid()), signal)
            .expect("send a signal");
    }

    /// The process's exit code, once it has exited (at most 20 s); a
    /// process killed by a signal, or still running, fails the test.
    pub fn exit_code(&mut self) -> i32 {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for relcheck") {
                return status
                    .code()
                    .unwrap_or_else(|| panic!("relcheck did not exit by itself: {status:?}"));
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("relcheck still runs after 20 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for RawPty {
    fn drop(&mut self) {
        // A failed test leaves nothing running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
