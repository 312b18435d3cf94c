//! The lock that keeps two runs, or a run and `relcheck sign`, off one
//! record.

use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::exit::{Code, error};

/// A held lock on a record: a `.lock` file beside it, locked with the
/// operating system's advisory lock, so a killed run's lock goes with it.
/// The file also names the holder for the refusal message.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
}

impl Lock {
    pub fn path_for(record: &Path) -> PathBuf {
        let mut name = record.as_os_str().to_os_string();
        name.push(".lock");
        PathBuf::from(name)
    }

    pub fn acquire(record: &Path, operator: &str, host: &str) -> anyhow::Result<Lock> {
        let path = Lock::path_for(record);
        loop {
            let mut file = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .with_context(|| format!("cannot create the lock {}", path.display()))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    let holder = fs::read_to_string(&path).unwrap_or_default();
                    let holder = holder.trim();
                    return Err(error(
                        Code::Locked,
                        format!(
                            "{} is in use by another run ({}); wait for it to finish. A killed run's lock goes with it; if this persists on a network filesystem, remove {}",
                            record.display(),
                            if holder.is_empty() {
                                "holder unknown"
                            } else {
                                holder
                            },
                            path.display()
                        ),
                    ));
                }
                Err(fs::TryLockError::Error(err)) => {
                    return Err(
                        anyhow::Error::new(err).context(format!("cannot lock {}", path.display()))
                    );
                }
            }
            // The holder before us may have removed the file between our
            // open and our lock: then we hold a lock on nothing. Try again.
            let same = match (file.metadata(), fs::metadata(&path)) {
                (Ok(held), Ok(current)) => {
                    held.ino() == current.ino() && held.dev() == current.dev()
                }
                _ => false,
            };
            if !same {
                continue;
            }
            file.set_len(0)?;
            writeln!(
                file,
                "operator {operator}, host {host}, pid {}",
                std::process::id()
            )?;
            file.sync_all()?;
            return Ok(Lock { file, path });
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}
