//! Standard output that names itself when a write fails: `relcheck show >
//! /dev/full` says "cannot write to standard output: No space left on
//! device", not a bare operating-system error that could be any file's.
//!
//! And standard output that was closed (`relcheck show x >&-`) fails at
//! the first write, as a full one does: a pipeline that lost its output
//! must not pass. Rust opens `/dev/null` read-write in place of a closed
//! standard descriptor before `main`, so that is what a closed one looks
//! like here; a shell's `> /dev/null` opens it write-only, and passes.

use std::fmt;
use std::io::{self, Write};
use std::os::fd::AsFd;

use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::sys::stat::{fstat, stat};

pub struct Stdout {
    out: io::Stdout,
    /// Whether descriptor 1 was closed when the process started: asked at
    /// the first write, so a command that prints nothing never asks.
    closed: Option<bool>,
}

impl Stdout {
    /// For a command whose output is what it makes (`show`, `lint`,
    /// `report`): a closed standard output is an error.
    pub fn new() -> Stdout {
        Stdout {
            out: io::stdout(),
            closed: None,
        }
    }

    /// For a command whose product is a record (`run`, `resume`, `sign`)
    /// or a file (`init`): what it prints only names it, and a process started by a
    /// daemon (glibc's `daemon()` hands its children `/dev/null` opened
    /// read-write) must not see a release it recorded fail with exit 3.
    pub fn lenient() -> Stdout {
        Stdout {
            out: io::stdout(),
            closed: Some(false),
        }
    }
}

impl Default for Stdout {
    fn default() -> Stdout {
        Stdout::new()
    }
}

/// Whether `out` is the `/dev/null` Rust's runtime opened read-write for
/// a closed descriptor (`1<>/dev/null`, written on purpose, looks the same).
fn was_closed(out: &io::Stdout) -> bool {
    let read_write = fcntl(out.as_fd(), FcntlArg::F_GETFL)
        .is_ok_and(|flags| OFlag::from_bits_truncate(flags) & OFlag::O_ACCMODE == OFlag::O_RDWR);
    read_write
        && match (fstat(out.as_fd()), stat("/dev/null")) {
            (Ok(fd), Ok(null)) => {
                fd.st_mode & nix::libc::S_IFMT == nix::libc::S_IFCHR && fd.st_rdev == null.st_rdev
            }
            _ => false,
        }
}

/// The operating system's error, said as standard output's.
#[derive(Debug)]
struct Named(io::Error);

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write to standard output: {}", self.0)
    }
}

impl std::error::Error for Named {}

fn named(err: io::Error) -> io::Error {
    // The kind stays, so a reader that went away is still a broken pipe.
    io::Error::new(err.kind(), Named(err))
}

/// The OS error code of `err`, or of the error standard output wrapped.
pub fn raw_os_error(err: &io::Error) -> Option<i32> {
    err.raw_os_error().or_else(|| {
        err.get_ref()?
            .downcast_ref::<Named>()
            .and_then(|named| named.0.raw_os_error())
    })
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if *self.closed.get_or_insert_with(|| was_closed(&self.out)) {
            // Said as the descriptor it was: not a broken pipe, since
            // nobody set out to read this output and then went away.
            return Err(named(io::Error::from_raw_os_error(nix::libc::EBADF)));
        }
        self.out.write(buf).map_err(named)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush().map_err(named)
    }
}
