//! Standard output that names itself when a write fails: `relcheck show >
//! /dev/full` says "cannot write to standard output: No space left on
//! device", not a bare operating-system error that could be any file's.

use std::io::{self, Write};

pub struct Stdout(pub io::Stdout);

fn named(err: io::Error) -> io::Error {
    // The kind stays, so a reader that went away is still a broken pipe.
    io::Error::new(
        err.kind(),
        format!("cannot write to standard output: {err}"),
    )
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf).map_err(named)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush().map_err(named)
    }
}
