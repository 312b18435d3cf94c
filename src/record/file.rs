//! A record on disk: read with its journal, written whole and atomically,
//! and, during a run, kept by [`RecordFile`], which appends to the journal
//! between whole writes.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::journal::{
    JOURNAL_WHOLE_AFTER_BYTES, JournalHeader, JournalOut, journal_path, remove_journal,
};
use super::{Lock, Record, create};
use crate::exit::{Code, error};

impl Record {
    /// Reads a record, with the answers its journal holds beyond it.
    pub fn load(path: &Path) -> anyhow::Result<Record> {
        let text = crate::limits::read_yaml(path, crate::limits::Kind::Record)?;
        let mut record = Record::from_yaml(&text, path)?;
        record.fold_journal(path)?;
        // The journal may have added sign-offs.
        if let Err(err) = record.within_limits(path) {
            return Err(error(
                Code::Input,
                format!(
                    "{err}, with its journal {} (move the journal away to read the record as last written whole)",
                    super::journal_path(path).display()
                ),
            ));
        }
        Ok(record)
    }

    /// Replaces the file at `path` with this record so that a reader, a
    /// crash or a power cut sees the old record or the new one, never a
    /// mix: write a temporary file beside it, fsync, rename, fsync the
    /// folder. The record now holds all a journal held, so the journal
    /// goes.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        write_atomic(path, self.to_yaml()?.as_bytes())?;
        remove_journal(path);
        Ok(())
    }
}

/// What changed since the last save, as the session knows it.
pub struct Changes<'a> {
    /// Indices of items whose results changed.
    pub items: &'a [usize],
    pub values: bool,
}

/// Where a run's record goes as it is answered.
pub trait Sink {
    /// Whether the next save should write the whole record.
    fn wants_whole(&self) -> bool {
        true
    }
    /// Writes the whole record.
    fn save(&mut self, record: &Record) -> anyhow::Result<()>;
    /// Makes only `changes` durable.
    fn append(&mut self, record: &Record, changes: &Changes<'_>) -> anyhow::Result<()> {
        let _ = changes;
        self.save(record)
    }
}

/// A run's record on disk: written whole when the run starts, pauses or
/// ends, and between those each answer appended to a journal beside it,
/// which is the record of truth until the next whole write. Rewriting a
/// 10,000-item record after every answer would make a run quadratic, and
/// rewriting it now and then would make one answer in thousands wait for
/// the whole file (379 ms at 10,000 items): the journal grows by what each
/// answer changed, so its cost is linear and no answer waits on another.
pub struct RecordFile {
    path: PathBuf,
    journal: Option<File>,
    /// How long the journal has grown: past
    /// [`JOURNAL_WHOLE_AFTER_BYTES`], the next save is whole.
    journal_bytes: u64,
    record_bytes: u64,
    saved_events: usize,
    saved_signoffs: usize,
    /// The digest of the record last written whole: a new journal's
    /// header.
    base: Option<String>,
    /// fsync every append (a person's answers); otherwise the journal is
    /// flushed to the OS, which a killed process does not lose, and synced
    /// with each whole write.
    durable: bool,
    /// The record's lock, proven still this run's before every write.
    lock: Option<Lock>,
    /// Not made yet: see [`RecordFile::holding`].
    new: bool,
}

impl RecordFile {
    pub fn new(path: &Path, durable: bool) -> RecordFile {
        RecordFile {
            path: path.to_path_buf(),
            journal: None,
            journal_bytes: 0,
            record_bytes: 0,
            saved_events: 0,
            saved_signoffs: 0,
            base: None,
            durable,
            lock: None,
            new: false,
        }
    }

    /// Writes only while `lock` is still this run's: a run whose lock was
    /// taken (removed by hand, replaced by another run) must not overwrite
    /// what the other writer wrote.
    ///
    /// `new`: the record does not exist yet, and its first save makes it
    /// the way a lock is made (complete, and only if nothing has the
    /// name), never replacing a file that appeared there meanwhile.
    pub fn holding(mut self, lock: Lock, new: bool) -> RecordFile {
        self.lock = Some(lock);
        self.new = new;
        self
    }

    /// Stops the run, writing nothing to the record, when its lock is no
    /// longer this run's; the answers it has are kept beside the record.
    fn still_held(&self, record: &Record) -> anyhow::Result<()> {
        let Some(lock) = &self.lock else {
            return Ok(());
        };
        let Err(what) = lock.check() else {
            return Ok(());
        };
        // The whole records folder gone (a clean-up job, `rm -rf`) took the
        // lock, the record and its journal with it: no other writer, so
        // said as it is; the folder is made again to keep the answers in.
        let dir = create::folder_of(&self.path);
        if !dir.exists() {
            let kept = fs::create_dir_all(dir)
                .map_err(anyhow::Error::from)
                .and_then(|()| keep_aside(&self.path, record));
            let kept = match kept {
                Ok(copy) => format!(
                    "this run's answers, the last one included, are in {} (a copy relcheck does not read)",
                    copy.display()
                ),
                Err(err) => format!("its answers could not be kept ({err:#})"),
            };
            // Exit 6, as for a lock taken: the run stops without writing,
            // its answers kept aside.
            return Err(error(
                Code::Locked,
                format!(
                    "{}: the records folder {} was removed while this run was on, and the record, its journal and its lock with it; this run stops: {kept}",
                    self.path.display(),
                    dir.display()
                ),
            ));
        }
        let kept = match keep_aside(&self.path, record) {
            Ok(copy) => format!(
                "Its answers, the last one included, are in {} (a copy relcheck does not read): compare it with the record before going on",
                copy.display()
            ),
            Err(err) => format!(
                "Its last answer could not be kept beside the record either ({err:#}), so it was not saved"
            ),
        };
        Err(error(
            Code::Locked,
            format!(
                "{}: this run's lock {} {what}; another relcheck may be writing the record, so this run stops without writing to it. {kept}",
                self.path.display(),
                lock.path().display()
            ),
        ))
    }

    /// The one line for a save that failed (a full disk, most often):
    /// which file, what is safe, and how to go on.
    fn not_saved(&self, file: &Path, err: &anyhow::Error) -> anyhow::Error {
        let cause = err
            .chain()
            .last()
            .map_or_else(String::new, ToString::to_string);
        let kind = err
            .chain()
            .find_map(|cause| cause.downcast_ref::<std::io::Error>())
            .map(std::io::Error::kind);
        let fix = match kind {
            // EFBIG: past the file-size limit (`ulimit -f`), not the disk.
            Some(std::io::ErrorKind::FileTooLarge) => "raise the file-size limit (ulimit -f)",
            Some(std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded) => {
                "free some space"
            }
            _ => "fix that",
        };
        let safe = if self.record_bytes == 0 {
            format!("nothing of this run was saved yet; {fix}, then start it again")
        } else {
            format!(
                "every answer up to the last one shown as saved is safe in the record, and the one just given was not saved; {fix}, then go on with: relcheck resume {}",
                self.path.display()
            )
        };
        error(
            Code::Incomplete,
            format!("cannot write {}: {cause}; {safe}", file.display()),
        )
    }
}

/// This run's record, written beside the real one under a new name that
/// no reader of records takes for one (`<record>.unsaved`).
fn keep_aside(path: &Path, record: &Record) -> anyhow::Result<PathBuf> {
    let dir = create::folder_of(path);
    let name = path
        .file_name()
        .map_or_else(|| "record".into(), |n| n.to_string_lossy().into_owned());
    let (copy, file) = create::create_unique(dir, &name, "unsaved", create::mode_of(path))?;
    let mut out = std::io::BufWriter::new(file);
    record.write_yaml(&mut out)?;
    out.into_inner()
        .map_err(|err| err.into_error())?
        .sync_all()?;
    Ok(copy)
}

impl RecordFile {
    /// Whether the journal this run appends to is no longer at its name
    /// (removed or replaced by something else): what it holds would not be
    /// read with the record, so the next save must be whole.
    fn journal_displaced(&self) -> bool {
        use std::os::unix::fs::MetadataExt;
        let Some(file) = &self.journal else {
            return false;
        };
        match (
            file.metadata(),
            fs::symlink_metadata(journal_path(&self.path)),
        ) {
            (Ok(held), Ok(there)) => held.ino() != there.ino() || held.dev() != there.dev(),
            _ => true,
        }
    }
}

impl Sink for RecordFile {
    fn wants_whole(&self) -> bool {
        self.record_bytes == 0
            || self.journal_bytes >= JOURNAL_WHOLE_AFTER_BYTES
            || self.journal_displaced()
    }

    fn save(&mut self, record: &Record) -> anyhow::Result<()> {
        self.still_held(record)?;
        // Written as it is serialised: a 100,000-item record is 100 MB of
        // YAML, which need not also sit in memory.
        let write = |file: &mut dyn Write| record.write_yaml(file);
        let bytes = if self.new {
            write_new_with(&self.path, write)
        } else {
            write_atomic_with(&self.path, write)
        }
        .map_err(|err| self.not_saved(&self.path, &err))?;
        self.new = false;
        self.journal = None;
        self.journal_bytes = 0;
        remove_journal(&self.path);
        self.record_bytes = bytes;
        self.saved_events = record.events.len();
        self.saved_signoffs = record.signoffs.len();
        self.base = record.digest.clone();
        Ok(())
    }

    fn append(&mut self, record: &Record, changes: &Changes<'_>) -> anyhow::Result<()> {
        self.still_held(record)?;
        let from = self.saved_events.min(record.events.len());
        // Sign-offs are appended, or undone from the end, never changed.
        let signoffs_changed = record.signoffs.len() != self.saved_signoffs;
        let signoffs_from = self.saved_signoffs.min(record.signoffs.len());
        let entry = JournalOut {
            run: &record.run,
            rollback: &record.rollback,
            values: changes.values.then_some(&record.values),
            items: changes
                .items
                .iter()
                .filter_map(|&i| record.items.get(i).map(|item| (i, item)))
                .collect(),
            gates: &record.gates,
            signoffs: signoffs_changed.then_some(&record.signoffs[signoffs_from..]),
            signoffs_from,
            events_from: from,
            events: &record.events[from..],
        };
        let header = self
            .journal
            .is_none()
            .then(|| self.base.clone().map(|base| JournalHeader { base }))
            .flatten();
        let journal_path = journal_path(&self.path);
        self.write_journal(&journal_path, |out| {
            if let Some(header) = &header {
                serde_json::to_writer(&mut *out, header)?;
                out.write_all(b"\n")?;
            }
            serde_json::to_writer(&mut *out, &entry)?;
            out.write_all(b"\n")?;
            Ok(())
        })
        .map_err(|err| self.not_saved(&journal_path, &err))?;
        self.saved_events = record.events.len();
        self.saved_signoffs = record.signoffs.len();
        Ok(())
    }
}

/// Bytes a journal line is written in: one write for an answer's line.
const JOURNAL_BUFFER: usize = 16 * 1024;

impl RecordFile {
    /// Appends what `write` writes (whole lines) to the journal, which this
    /// run creates fresh after each whole write (never opening one it did
    /// not make, nor a link). Written through a small buffer, not made
    /// whole first: the line that fills in every item's text once values
    /// are set was 30 MB at 100,000 items. A line cut short (a kill, a
    /// full disk) has no newline, and a journal's reader leaves it out.
    fn write_journal(
        &mut self,
        journal_path: &Path,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> anyhow::Result<()> {
        if self.journal.is_none() {
            // After a whole write the record holds everything: a journal
            // left over (one that could not be removed) goes, so the
            // header stays the first line of the one this run writes.
            remove_journal(&self.path);
            let file = create::create_new(journal_path, create::mode_of(&self.path))
                .with_context(|| format!("cannot create {}", journal_path.display()))?;
            self.journal = Some(file);
        }
        let file = self.journal.as_mut().expect("opened above");
        let mut out = std::io::BufWriter::with_capacity(JOURNAL_BUFFER, &*file);
        write(&mut out).context("cannot write the journal")?;
        out.flush().context("cannot write the journal")?;
        drop(out);
        if self.durable {
            file.sync_data()?;
        }
        self.journal_bytes = file.metadata().map_or(u64::MAX, |meta| meta.len());
        Ok(())
    }
}

/// [`write_atomic_with`] for a file that must not exist yet: linked into
/// place, which fails if anything (a link included) has the name.
pub fn write_new_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    write_with(path, write, |tmp, path| {
        create::place_new(tmp, path).map(|_| ())
    })
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(path, |file| {
        file.write_all(bytes)?;
        Ok(())
    })
    .map(|_| ())
}

/// Writes `bytes` to a file a person named for output (`--junit`, `report
/// -o`, `attest -o`), as they meant it: a regular file (or none yet) is
/// replaced atomically; a symbolic link is written through, its target
/// replaced atomically and the link kept; a device or a pipe
/// (`/dev/stdout`, a FIFO) is written into, never replaced by a file (a
/// rename over `/dev/stdout` as root breaks the whole container).
pub fn write_output(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let context = || format!("cannot write {}", path.display());
    // `/dev/stdout` while standard output goes to a file (`> log`, `>>
    // log`) names that file: replaced, it would lose what the shell put
    // there and all relcheck prints after; opened anew, it would be
    // written from its start. Written through the stream itself instead.
    if let Some(stream) = own_stream(path) {
        return stream(bytes).with_context(context);
    }
    let linked = fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink());
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(anyhow::anyhow!("it is a folder")).with_context(context),
        Ok(meta) if !meta.is_file() => fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut file| file.write_all(bytes))
            .with_context(context),
        Ok(_) if linked => write_atomic(&fs::canonicalize(path).with_context(context)?, bytes),
        // A link to nothing yet makes its target, as a shell's `>` would.
        Err(_) if linked => fs::write(path, bytes).with_context(context),
        _ => write_atomic(path, bytes),
    }
}

/// Writes all its bytes somewhere fixed.
type WriteAll = fn(&[u8]) -> std::io::Result<()>;

/// A writer to this process's standard output or error, when `path` is
/// the same file as either (`/dev/stdout`, `/proc/self/fd/2`, or the file
/// a shell sent it to).
fn own_stream(path: &Path) -> Option<WriteAll> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let target = fs::metadata(path).ok()?;
    let same = |fd: std::os::fd::BorrowedFd<'_>| {
        fd.try_clone_to_owned()
            .map(File::from)
            .and_then(|file| file.metadata())
            .is_ok_and(|meta| meta.dev() == target.dev() && meta.ino() == target.ino())
    };
    if same(std::io::stdout().as_fd()) {
        Some(|bytes| {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()
        })
    } else if same(std::io::stderr().as_fd()) {
        Some(|bytes| std::io::stderr().lock().write_all(bytes))
    } else {
        None
    }
}

/// [`write_atomic`] of what `write` writes, through a buffer; returns the
/// number of bytes written.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    write_with(path, write, |tmp, path| {
        tmp.persist(path).map_err(|err| err.error)?;
        Ok(())
    })
}

/// Writes a temporary file beside `path`, syncs it, and hands it to
/// `place` to put at `path`.
fn write_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
    place: impl FnOnce(tempfile::NamedTempFile, &Path) -> std::io::Result<()>,
) -> anyhow::Result<u64> {
    let dir = create::folder_of(path);
    // A random name, created fresh: a link planted at a name relcheck
    // would have used cannot redirect the write. The file replaced keeps
    // its mode.
    let result = (|| -> anyhow::Result<u64> {
        let tmp = create::temp_in(dir, create::mode_of(path))?;
        let bytes = {
            let mut file = Counting {
                inner: std::io::BufWriter::with_capacity(256 * 1024, tmp.as_file()),
                bytes: 0,
            };
            write(&mut file)?;
            file.inner.flush()?;
            file.bytes
        };
        tmp.as_file().sync_all()?;
        place(tmp, path)?;
        // The new name is durable only once the folder is.
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(bytes)
    })();
    result.with_context(|| format!("cannot save {}", path.display()))
}

/// A writer that counts what goes through it.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewrite_never_goes_through_a_link_at_a_name_it_once_used() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let path = dir.path().join("r.yaml");
        fs::write(&path, "old").unwrap();
        // The temporary name relcheck used to derive from the pid.
        let old = dir
            .path()
            .join(format!(".r.yaml.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &old).unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        // Only the record and the planted link: no temporary file left.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn a_new_record_never_replaces_what_appeared_at_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let path = dir.path().join("r.yaml");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        let err = write_new_with(&path, |out| Ok(out.write_all(b"new")?)).unwrap_err();
        assert!(format!("{err:#}").contains("File exists"), "{err:#}");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert!(fs::symlink_metadata(&path).unwrap().is_symlink());
    }
}
