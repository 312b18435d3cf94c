//! Standard output that names itself when a write fails: `relcheck show >
//! /dev/full` says "cannot write to standard output: No space left on
//! device", not a bare operating-system error that could be any file's.

use std::fmt;
use std::io::{self, Write};

pub struct Stdout(pub io::Stdout);

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
        self.0.write(buf).map_err(named)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush().map_err(named)
    }
}
