//! A record on disk: read with its journal, written whole and atomically,
//! and, during a run, kept by [`RecordFile`], which appends to the journal
//! between whole writes.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::Record;
use super::journal::{JournalHeader, JournalOut, journal_path, remove_journal};

impl Record {
    /// Reads a record, with the answers its journal holds beyond it.
    pub fn load(path: &Path) -> anyhow::Result<Record> {
        let text = crate::limits::read_yaml(path, crate::limits::Kind::Record)?;
        let mut record = Record::from_yaml(&text, path)?;
        record.fold_journal(path)?;
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

/// A run's record on disk: written whole now and then, and between those,
/// each answer appended to a journal beside it. Rewriting a 10,000-item
/// record after every answer would make a run quadratic; the journal keeps
/// each save small while the whole rewrite happens once the journal has
/// grown as large as the record, so the cost stays linear.
pub struct RecordFile {
    path: PathBuf,
    journal: Option<File>,
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
}

/// The journal is folded once it reaches the record's size, or this much.
const JOURNAL_FLOOR: u64 = 256 * 1024;

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
        }
    }
}

impl Sink for RecordFile {
    fn wants_whole(&self) -> bool {
        self.record_bytes == 0 || self.journal_bytes > self.record_bytes.max(JOURNAL_FLOOR)
    }

    fn save(&mut self, record: &Record) -> anyhow::Result<()> {
        // Written as it is serialised: a 100,000-item record is 100 MB of
        // YAML, which need not also sit in memory.
        let bytes = write_atomic_with(&self.path, |file| record.write_yaml(file))?;
        self.journal = None;
        remove_journal(&self.path);
        self.journal_bytes = 0;
        self.record_bytes = bytes;
        self.saved_events = record.events.len();
        self.saved_signoffs = record.signoffs.len();
        self.base = record.digest.clone();
        Ok(())
    }

    fn append(&mut self, record: &Record, changes: &Changes<'_>) -> anyhow::Result<()> {
        let from = self.saved_events.min(record.events.len());
        let signoffs_changed = record.signoffs.len() != self.saved_signoffs;
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
            signoffs: signoffs_changed.then_some(record.signoffs.as_slice()),
            events_from: from,
            events: &record.events[from..],
        };
        let mut line = Vec::new();
        if self.journal.is_none()
            && let Some(base) = &self.base
        {
            serde_json::to_writer(&mut line, &JournalHeader { base: base.clone() })
                .context("cannot write the journal")?;
            line.push(b'\n');
        }
        serde_json::to_writer(&mut line, &entry).context("cannot write the journal")?;
        line.push(b'\n');
        let journal_path = journal_path(&self.path);
        if self.journal.is_none() {
            // After a whole write the record holds everything: a journal
            // left over (one that could not be removed) starts afresh, so
            // the header stays its first line.
            let file = fs::OpenOptions::new()
                .create(true)
                .append(self.base.is_none())
                .write(true)
                .truncate(self.base.is_some())
                .open(&journal_path)
                .with_context(|| format!("cannot open {}", journal_path.display()))?;
            self.journal = Some(file);
        }
        let file = self.journal.as_mut().expect("opened above");
        file.write_all(&line)
            .with_context(|| format!("cannot write {}", journal_path.display()))?;
        if self.durable {
            file.sync_data()
                .with_context(|| format!("cannot sync {}", journal_path.display()))?;
        }
        self.journal_bytes += line.len() as u64;
        self.saved_events = record.events.len();
        self.saved_signoffs = record.signoffs.len();
        Ok(())
    }
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(path, |file| {
        file.write_all(bytes)?;
        Ok(())
    })
    .map(|_| ())
}

/// [`write_atomic`] of what `write` writes, through a buffer; returns the
/// number of bytes written.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "record".to_string());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> anyhow::Result<u64> {
        let mut file = Counting {
            inner: std::io::BufWriter::with_capacity(256 * 1024, File::create(&tmp)?),
            bytes: 0,
        };
        write(&mut file)?;
        let bytes = file.bytes;
        let file = file.inner.into_inner().map_err(|err| err.into_error())?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        // The rename is durable only once the folder is.
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(bytes)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
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
