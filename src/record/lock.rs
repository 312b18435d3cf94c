//! The lock that keeps two runs, or a run and `relcheck sign`, off one
//! record, and the proof, before each write, that it is still held.
//!
//! A lock is `<record>.lock`: a file that names its holder (pid, host,
//! since when, operator), with the operating system's advisory lock on it
//! while the holder lives. It is written complete under a random name and
//! then hard-linked into place, which fails if anything is there, so it
//! never appears half-written and never goes through a planted link. A
//! lock is taken over only when it is provably stale: nobody holds the
//! advisory lock, and it names a process on this host that is gone. A
//! lock naming another host is never judged from here.

use std::fs::{self, File};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;
use chrono::{SecondsFormat, Utc};

use super::create;
use crate::exit::{Code, error};

/// The locks this process holds, for an exit that runs no destructors (a
/// signal's): path, device, inode, content.
static HELD: Mutex<Vec<(PathBuf, u64, u64, String)>> = Mutex::new(Vec::new());

/// Removes every lock this process still holds and that is still its own.
/// The exit on a signal calls it, so the next run finds no stale lock to
/// take over.
pub fn release_held() {
    let held = HELD.lock().map(|held| held.clone()).unwrap_or_default();
    for (path, dev, ino, content) in held {
        let same = fs::symlink_metadata(&path).is_ok_and(|m| m.dev() == dev && m.ino() == ino);
        if same && read_lock(&path).is_ok_and(|text| text == content) {
            let _ = fs::remove_file(&path);
        }
    }
}

/// A held lock on a record.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
    /// What this process wrote in it, found there again before each write.
    content: String,
    /// The stale lock this one replaced, for the caller to say.
    taken_over: Option<Holder>,
}

/// Who a lock file says holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    pub since: Option<String>,
    pub operator: String,
}

impl Holder {
    /// This process, from now.
    fn me(operator: &str, host: &str) -> Holder {
        Holder {
            pid: std::process::id(),
            host: host.to_string(),
            since: Some(Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)),
            operator: operator.to_string(),
        }
    }

    fn render(&self) -> String {
        format!(
            "pid: {}\nhost: {}\nsince: {}\noperator: {}\n",
            self.pid,
            self.host,
            self.since.as_deref().unwrap_or(""),
            self.operator
        )
    }

    /// This relcheck's lines, or an older one's `operator O, host H, pid P`.
    fn parse(text: &str) -> Option<Holder> {
        let mut pid = None;
        let mut host = None;
        let mut since = None;
        let mut operator = String::new();
        if let Some(rest) = text.trim().strip_prefix("operator ")
            && let Some((name, rest)) = rest.rsplit_once(", host ")
            && let Some((h, p)) = rest.rsplit_once(", pid ")
        {
            return Some(Holder {
                pid: p.trim().parse().ok()?,
                host: h.to_string(),
                since: None,
                operator: name.to_string(),
            });
        }
        for line in text.lines() {
            match line.split_once(": ") {
                Some(("pid", v)) => pid = v.trim().parse().ok(),
                Some(("host", v)) => host = Some(v.trim().to_string()),
                Some(("since", v)) if !v.trim().is_empty() => since = Some(v.trim().to_string()),
                Some(("operator", v)) => operator = v.trim().to_string(),
                _ => {}
            }
        }
        Some(Holder {
            pid: pid.filter(|&p| p > 0)?,
            host: host.filter(|h| !h.is_empty())?,
            since,
            operator,
        })
    }

    /// `pid 812 on build-1 (operator Ada) since 2026-...`
    pub fn describe(&self) -> String {
        let mut text = format!("pid {} on {}", self.pid, self.host);
        if !self.operator.is_empty() {
            text.push_str(&format!(" (operator {})", self.operator));
        }
        if let Some(since) = &self.since {
            text.push_str(&format!(" since {since}"));
        }
        crate::printable::printable(&text).into_owned()
    }
}

/// Whether process `pid` exists on this host.
fn alive(pid: u32) -> bool {
    use nix::errno::Errno;
    use nix::sys::signal::kill;
    use nix::unistd::Pid;
    match i32::try_from(pid) {
        // pid 0 or -1 would ask about a group, not a process.
        Ok(pid) if pid > 0 => !matches!(kill(Pid::from_raw(pid), None), Err(Errno::ESRCH)),
        _ => false,
    }
}

/// Whether process `pid` began after `since` (RFC 3339, whole seconds):
/// then it is not the lock's holder but a process given the holder's
/// number later. Read from Linux's `/proc`; anywhere it cannot be read,
/// `false`, so a running process is taken for the holder.
fn began_after(pid: u32, since: &str) -> bool {
    let Ok(since) = chrono::DateTime::parse_from_rfc3339(since) else {
        return false;
    };
    let boot = fs::read_to_string("/proc/stat").ok().and_then(|stat| {
        stat.lines()
            .find_map(|line| line.strip_prefix("btime "))
            .and_then(|secs| secs.trim().parse::<i64>().ok())
    });
    // The fields after the command name (which may hold spaces and
    // parentheses); the 20th of them is the start, in ticks since boot.
    let ticks = fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let (_, rest) = stat.rsplit_once(')')?;
            rest.split_whitespace().nth(19)?.parse::<i64>().ok()
        });
    match (boot, ticks) {
        // USER_HZ is 100 wherever Linux runs; the second of slack covers
        // `since` being cut to whole seconds.
        (Some(boot), Some(ticks)) => boot + ticks / 100 > since.timestamp() + 1,
        _ => false,
    }
}

/// A lock says a few lines; a larger file at its name is not one to read
/// whole.
const LOCK_BYTES: u64 = 4096;

fn read_bounded(file: &mut File) -> String {
    let mut bytes = Vec::new();
    let _ = file.take(LOCK_BYTES).read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The lock at `path`, never through a link, at most [`LOCK_BYTES`].
fn read_lock(path: &Path) -> io::Result<String> {
    let mut file = create::open_read(path)?;
    Ok(read_bounded(&mut file))
}

fn same_file(held: &File, path: &Path) -> bool {
    match (held.metadata(), fs::symlink_metadata(path)) {
        (Ok(held), Ok(current)) => held.ino() == current.ino() && held.dev() == current.dev(),
        _ => false,
    }
}

/// A lock file written complete under a random name beside `path`,
/// advisory-locked, ready to be put into place.
fn prepare(path: &Path, content: &str) -> anyhow::Result<tempfile::NamedTempFile> {
    let temp = create::temp_in(create::folder_of(path), None)
        .with_context(|| format!("cannot create the lock {}", path.display()))?;
    let mut file = temp.as_file();
    file.try_lock()
        .map_err(|err| io::Error::other(err.to_string()))
        .and_then(|()| file.write_all(content.as_bytes()))
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write the lock {}", path.display()))?;
    Ok(temp)
}

impl Lock {
    pub fn path_for(record: &Path) -> PathBuf {
        let mut name = record.as_os_str().to_os_string();
        name.push(".lock");
        PathBuf::from(name)
    }

    /// Takes the lock on `record` for `operator` on `host` (this host).
    pub fn acquire(record: &Path, operator: &str, host: &str) -> anyhow::Result<Lock> {
        let path = Lock::path_for(record);
        let content = Holder::me(operator, host).render();
        // Each pass either takes the lock, refuses, or finds that what it
        // looked at changed under it (another run took or let go of it).
        for _ in 0..100 {
            let fresh = prepare(&path, &content)?;
            match create::place_new(fresh, &path) {
                Ok(file) => return Lock::opened(file, &path, content, None),
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
                Err(err) => {
                    return Err(anyhow::Error::new(err)
                        .context(format!("cannot create the lock {}", path.display())));
                }
            }
            let mut existing = match create::open_read(&path) {
                Ok(file) => file,
                Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
                Err(err) if create::is_link_refusal(&err) => {
                    return Err(create::link_refused(&path, "record's lock"));
                }
                Err(err) => {
                    return Err(anyhow::Error::new(err)
                        .context(format!("cannot read the lock {}", path.display())));
                }
            };
            let text = read_bounded(&mut existing);
            let holder = Holder::parse(&text);
            match existing.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(in_use(record, &path, holder.as_ref()));
                }
                Err(fs::TryLockError::Error(err)) => {
                    return Err(
                        anyhow::Error::new(err).context(format!("cannot lock {}", path.display()))
                    );
                }
            }
            // Nobody holds the old file now; it may still have been
            // replaced between our open and our lock.
            let _ = existing.rewind();
            let again = read_bounded(&mut existing);
            if !same_file(&existing, &path) || again != text {
                continue;
            }
            let Some(holder) = holder else {
                return Err(error(
                    Code::Locked,
                    format!(
                        "{}: its lock {} does not say which run holds it, and no process holds it now; relcheck takes over only a lock it can prove stale, so if no run of this record is going on, remove {1} and try again",
                        record.display(),
                        path.display()
                    ),
                ));
            };
            if holder.host != host {
                return Err(error(
                    Code::Locked,
                    format!(
                        "{} is locked by a run on another host: {} names {}. relcheck cannot tell from {} whether that process is still running, so it never takes such a lock over: check on {} (`ps -p {}`), and once that run has ended, remove {1} and try again",
                        record.display(),
                        path.display(),
                        holder.describe(),
                        crate::printable::printable(host),
                        crate::printable::printable(&holder.host),
                        holder.pid
                    ),
                ));
            }
            let reused = holder
                .since
                .as_deref()
                .is_some_and(|since| began_after(holder.pid, since));
            if alive(holder.pid) && !reused {
                return Err(in_use(record, &path, Some(&holder)));
            }
            // Stale: its process is gone. Ours replaces it in one rename,
            // while we hold the old one's lock so no other taker can.
            let fresh = prepare(&path, &content)?;
            let file = fresh
                .persist(&path)
                .map_err(|err| err.error)
                .with_context(|| format!("cannot replace the stale lock {}", path.display()))?;
            drop(existing);
            return Lock::opened(file, &path, content, Some(holder));
        }
        Err(error(
            Code::Locked,
            format!(
                "{}: its lock {} kept changing while relcheck tried to take it; another run is starting or ending, so try again",
                record.display(),
                path.display()
            ),
        ))
    }

    /// The lock for a record that is about to be made, or `None` when
    /// something is already at the lock's name: then the caller takes
    /// another record name, rather than judge a lock of a name no run of
    /// its own has used.
    pub fn acquire_new(record: &Path, operator: &str, host: &str) -> anyhow::Result<Option<Lock>> {
        let path = Lock::path_for(record);
        let content = Holder::me(operator, host).render();
        let fresh = prepare(&path, &content)?;
        match create::place_new(fresh, &path) {
            Ok(file) => Lock::opened(file, &path, content, None).map(Some),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok(None),
            Err(err) => Err(anyhow::Error::new(err)
                .context(format!("cannot create the lock {}", path.display()))),
        }
    }

    /// The lock just put at `path`, by `file`, which holds its advisory
    /// lock for as long as this process holds the record.
    fn opened(
        file: File,
        path: &Path,
        content: String,
        taken_over: Option<Holder>,
    ) -> anyhow::Result<Lock> {
        // Linked into place, `file` is the descriptor that took the lock
        // (locking again is a no-op); copied, it is a new file to lock.
        file.try_lock().map_err(|_| {
            error(
                Code::Locked,
                format!(
                    "{}: another run locked it as relcheck made it; try again",
                    path.display()
                ),
            )
        })?;
        if let (Ok(meta), Ok(mut held)) = (file.metadata(), HELD.lock()) {
            held.push((path.to_path_buf(), meta.dev(), meta.ino(), content.clone()));
        }
        let lock = Lock {
            file,
            path: path.to_path_buf(),
            content,
            taken_over,
        };
        lock.check().map_err(|what| {
            error(
                Code::Locked,
                format!(
                    "{}: the lock {what} as relcheck took it; another run is starting, so try again",
                    path.display()
                ),
            )
        })?;
        Ok(lock)
    }

    /// The stale lock this one replaced, if it replaced one.
    pub fn taken_over(&self) -> Option<&Holder> {
        self.taken_over.as_ref()
    }

    /// The note to show when a stale lock was taken over.
    pub fn takeover_note(&self) -> Option<String> {
        self.taken_over.as_ref().map(|holder| {
            format!(
                "note: {} was held by {}; that process is gone, so the lock was stale and was taken over",
                self.path.display(),
                holder.describe()
            )
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `Ok` while the lock file at its path is the one this process made,
    /// with what it wrote in it; otherwise what happened to it ("was
    /// removed", "was replaced: it now names ...").
    pub fn check(&self) -> Result<(), String> {
        match fs::symlink_metadata(&self.path) {
            Err(_) => return Err("was removed".to_string()),
            Ok(_) if !same_file(&self.file, &self.path) => {
                return Err(
                    match read_lock(&self.path)
                        .ok()
                        .as_deref()
                        .and_then(Holder::parse)
                    {
                        Some(holder) => format!("was replaced: it now names {}", holder.describe()),
                        None => "was replaced by another file".to_string(),
                    },
                );
            }
            Ok(_) => {}
        }
        match read_lock(&self.path) {
            Ok(text) if text == self.content => Ok(()),
            Ok(text) => Err(match Holder::parse(&text) {
                Some(holder) => format!("was rewritten: it now names {}", holder.describe()),
                None => "was rewritten by something else".to_string(),
            }),
            Err(err) => Err(format!("cannot be read ({err})")),
        }
    }
}

/// The refusal when a live run holds the lock.
fn in_use(record: &Path, path: &Path, holder: Option<&Holder>) -> anyhow::Error {
    error(
        Code::Locked,
        format!(
            "{} is in use by another run: its lock {} is held by {}, which is still running; wait for it to finish, or stop that run (it keeps every answer it saved), then try again",
            record.display(),
            path.display(),
            holder.map_or_else(|| "a process".to_string(), Holder::describe)
        ),
    )
}

impl Drop for Lock {
    fn drop(&mut self) {
        if let Ok(mut held) = HELD.lock() {
            held.retain(|(path, ..)| *path != self.path);
        }
        // Only our own: a lock that replaced ours belongs to someone else.
        if self.check().is_ok() {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_read_back_and_old_locks_are_understood() {
        let holder = Holder {
            pid: 42,
            host: "build-1".into(),
            since: Some("2026-11-30T05:00:00Z".into()),
            operator: "Ada Lovelace".into(),
        };
        assert_eq!(Holder::parse(&holder.render()), Some(holder));
        assert_eq!(
            Holder::parse("operator Ada, host build-1, pid 7\n"),
            Some(Holder {
                pid: 7,
                host: "build-1".into(),
                since: None,
                operator: "Ada".into()
            })
        );
        assert_eq!(Holder::parse(""), None);
        assert_eq!(Holder::parse("pid: 0\nhost: h\n"), None);
    }

    #[test]
    fn a_lock_is_held_until_dropped_and_checked_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("r.yaml");
        let lock = Lock::acquire(&record, "Ada", "here").unwrap();
        assert_eq!(lock.check(), Ok(()));
        let err = Lock::acquire(&record, "Bob", "here").unwrap_err();
        assert_eq!(crate::exit::code_of(&err), Code::Locked);
        // Replaced under it: the check says so.
        let path = Lock::path_for(&record);
        fs::remove_file(&path).unwrap();
        assert_eq!(lock.check(), Err("was removed".to_string()));
        fs::write(&path, "pid: 9\nhost: there\n").unwrap();
        assert_eq!(
            lock.check(),
            Err("was replaced: it now names pid 9 on there".to_string())
        );
        drop(lock);
        // Not ours, so not removed.
        assert!(path.exists());
    }
}
