//! The deployment record: what was answered, by whom and when, kept as YAML
//! (docs/RECORD.md). This module owns its types, its one YAML reader and
//! writer, the atomic save, and the lock that keeps two runs off one record.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::exit::{Code, error};

/// Bumped when a reader of the old shape could misread the new one.
pub const SCHEMA: &str = "relcheck/record/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub schema: String,
    pub checklist: ChecklistRef,
    pub run: Run,
    /// Fields and variables by name (a field's name is its item id).
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// Set once a rollback has been called.
    #[serde(default)]
    pub rollback: Option<Rollback>,
    pub items: Vec<ItemResult>,
    #[serde(default)]
    pub gates: Vec<Gate>,
    #[serde(default)]
    pub signoffs: Vec<Signoff>,
    /// Append-only: an undo or a changed answer shows here.
    #[serde(default)]
    pub events: Vec<Event>,
    /// sha256 of the canonical form of everything above (docs/RECORD.md).
    #[serde(default)]
    pub digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistRef {
    pub title: String,
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: String,
    pub operator: String,
    pub host: String,
    pub started: DateTime<Utc>,
    #[serde(default)]
    pub finished: Option<DateTime<Utc>>,
    #[serde(default)]
    pub duration_seconds: Option<f64>,
    pub mode: Mode,
    pub outcome: Outcome,
    pub relcheck_version: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Interactive,
    NonInteractive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    InProgress,
    Success,
    /// A rollback was called and required rollback steps are still open.
    RollingBack,
    RolledBack,
    Aborted,
    Incomplete,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::InProgress => "in-progress",
            Outcome::Success => "success",
            Outcome::RollingBack => "rolling-back",
            Outcome::RolledBack => "rolled-back",
            Outcome::Aborted => "aborted",
            Outcome::Incomplete => "incomplete",
            Outcome::Failed => "failed",
        }
    }

    /// The run can go on: `relcheck resume` takes it. An `incomplete` run
    /// (a pipeline left manual items pending) is finished by a person.
    pub fn resumable(self) -> bool {
        matches!(
            self,
            Outcome::InProgress | Outcome::RollingBack | Outcome::Incomplete
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rollback {
    pub at: DateTime<Utc>,
    pub by: String,
    /// What called it: a trigger's id, `gate:<phase id>`, or `operator`.
    pub cause: String,
    #[serde(default)]
    pub reason: Option<String>,
    /// Triggers that happened after the first call. The first call (`at`,
    /// `cause`, `reason`) never changes; these are kept beside it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub later: Vec<LaterCall>,
}

/// A trigger that happened once a rollback was already called.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaterCall {
    pub at: DateTime<Utc>,
    pub by: String,
    /// The trigger's id.
    pub item: String,
    #[serde(default)]
    pub what: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pending,
    Done,
    Failed,
    Skipped,
    #[serde(rename = "n/a")]
    NotApplicable,
    Occurred,
    NotOccurred,
    NotNeeded,
    /// Never reached: the run stopped before it (a pipeline's gate, or a
    /// rollback with no steps to walk); `reason` says what stopped it.
    NotRun,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Pending,
        Status::Done,
        Status::Failed,
        Status::Skipped,
        Status::NotApplicable,
        Status::Occurred,
        Status::NotOccurred,
        Status::NotNeeded,
        Status::NotRun,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::NotApplicable => "n/a",
            Status::Occurred => "occurred",
            Status::NotOccurred => "not-occurred",
            Status::NotNeeded => "not-needed",
            Status::NotRun => "not-run",
        }
    }

    pub fn from_name(name: &str) -> Option<Status> {
        let name = match name {
            "na" | "not-applicable" => "n/a",
            "not_occurred" => "not-occurred",
            "not_needed" => "not-needed",
            "not_run" => "not-run",
            other => other,
        };
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == name)
    }

    /// An answer has been given (or the item was settled by the run).
    pub fn is_answered(self) -> bool {
        self != Status::Pending
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemResult {
    pub id: String,
    pub kind: crate::model::Kind,
    pub text: String,
    pub phase: String,
    pub section: String,
    pub line: usize,
    #[serde(default)]
    pub optional: bool,
    /// A sign-off item's role, as the checklist names it: `relcheck sign
    /// --role` matches it. Older records lack it; the role is then read
    /// from the text as the parser would.
    #[serde(default)]
    pub role: Option<String>,
    pub status: Status,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub command: Option<CommandRun>,
    #[serde(default)]
    pub wait: Option<Wait>,
    /// Where a non-human answer came from: absent for the operator's own.
    #[serde(default)]
    pub source: Option<Provenance>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandRun {
    pub command: String,
    #[serde(default)]
    pub exit_code: Option<i32>,
    #[serde(default)]
    pub timed_out: bool,
    pub duration_seconds: f64,
    /// The last 64 KiB of stdout and stderr, interleaved as printed.
    #[serde(default)]
    pub output: String,
    /// Bytes of output dropped from the front to keep the tail.
    #[serde(default)]
    pub truncated_bytes: u64,
    /// The operator stopped it with Ctrl-C; `output` is what it printed
    /// until then.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wait {
    pub requested_seconds: u64,
    pub waited_seconds: f64,
    pub cut_short: bool,
    /// When the wait began. A wait with `started` and no `ended` was under
    /// way when the run stopped; resuming goes on with the time left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// `answers-file` or `command`.
    pub kind: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    pub phase: String,
    pub decision: GateDecision,
    #[serde(default)]
    pub reason: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
    /// The failed or skipped required items the decision was about.
    #[serde(default)]
    pub items: Vec<String>,
    /// Where a decision made ahead came from (a pipeline's answers file);
    /// absent for the operator's own at the gate, and for a stop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Provenance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GateDecision {
    /// Go on despite the failures; the reason is the waiver.
    Waive,
    Rollback,
    Abort,
    /// A pipeline stopped here: nobody was there to decide and nothing
    /// waived it, so later phases did not run (their items are `not-run`).
    Stop,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signoff {
    pub role: String,
    pub name: String,
    pub decision: Decision,
    #[serde(default)]
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
    /// The sign-off item of the checklist it answers, if any.
    #[serde(default)]
    pub item: Option<String>,
    /// sha256 of the canonical form of `parts`: what this sign-off vouches
    /// for, and what its signature covers (docs/RECORD.md).
    #[serde(default)]
    pub digest: Option<String>,
    /// Short digests of the record's parts at signing, earlier sign-offs
    /// included, so `verify` can tell an edit from a later answer and say
    /// what changed.
    #[serde(default)]
    pub parts: BTreeMap<String, String>,
    /// An armored SSH signature (SSHSIG, namespace `relcheck`) over the
    /// signed payload.
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    pub source: Option<Provenance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approve,
    Reject,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub by: String,
    pub action: String,
    #[serde(default)]
    pub item: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
}

impl Record {
    pub fn item(&self, id: &str) -> Option<&ItemResult> {
        self.items.iter().find(|item| item.id == id)
    }

    pub fn item_mut(&mut self, id: &str) -> Option<&mut ItemResult> {
        self.items.iter_mut().find(|item| item.id == id)
    }

    pub fn to_yaml(&self) -> anyhow::Result<String> {
        serde_yaml::to_string(self).context("cannot write the record as YAML")
    }

    pub fn from_yaml(text: &str, path: &Path) -> anyhow::Result<Record> {
        let record: Record = serde_yaml::from_str(text).map_err(|err| {
            let at = err
                .location()
                .map(|l| format!(":{}:{}", l.line(), l.column()))
                .unwrap_or_default();
            error(
                Code::Input,
                format!("{}{at}: not a relcheck record: {err}", path.display()),
            )
        })?;
        if record.schema != SCHEMA {
            return Err(error(
                Code::Input,
                format!(
                    "{}: record schema `{}` is not one this relcheck reads ({SCHEMA})",
                    path.display(),
                    record.schema
                ),
            ));
        }
        Ok(record)
    }

    /// Reads a record, with the answers its journal holds beyond it.
    pub fn load(path: &Path) -> anyhow::Result<Record> {
        let text = fs::read_to_string(path).map_err(|err| {
            error(
                Code::Input,
                format!("{}: cannot read the record: {err}", path.display()),
            )
        })?;
        let mut record = Record::from_yaml(&text, path)?;
        record.fold_journal(path)?;
        Ok(record)
    }

    /// Applies `<record>.journal`, if there is one. A line cut short by a
    /// crash ends the journal there. The digest is renewed only when the
    /// file's own was right, so an edit outside relcheck stays visible.
    fn fold_journal(&mut self, path: &Path) -> anyhow::Result<()> {
        let journal = journal_path(path);
        let Ok(text) = fs::read_to_string(&journal) else {
            return Ok(());
        };
        let intact = self.digest.as_deref() == Some(crate::sign::digest(self).as_str());
        let mut applied = false;
        for (n, line) in text.split_inclusive('\n').enumerate() {
            if !line.ends_with('\n') {
                break;
            }
            // A journal extends the record whose digest its first line
            // names. A run killed after a whole write but before it removed
            // the journal leaves one that extends an older record: its
            // entries are all in this record already, and applying them
            // would put older state over newer.
            if n == 0
                && let Ok(header) = serde_json::from_str::<JournalHeader>(line)
            {
                if Some(header.base) != self.digest {
                    return Ok(());
                }
                continue;
            }
            let Ok(entry) = serde_json::from_str::<JournalIn>(line) else {
                break;
            };
            entry.apply(self);
            applied = true;
        }
        if applied && intact {
            crate::sign::seal(self);
        }
        Ok(())
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

/// `<record>.journal`: answers appended since the record was last written
/// whole, one JSON object a line.
pub fn journal_path(record: &Path) -> PathBuf {
    let mut name = record.as_os_str().to_os_string();
    name.push(".journal");
    PathBuf::from(name)
}

fn remove_journal(record: &Path) {
    let journal = journal_path(record);
    if journal.exists() {
        let _ = fs::remove_file(journal);
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

/// A journal's first line: the digest of the record it extends.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JournalHeader {
    base: String,
}

/// One journal line, written from borrowed parts of the record. Every
/// field is state, not a difference, so applying a line twice is harmless.
#[derive(Serialize)]
struct JournalOut<'a> {
    run: &'a Run,
    rollback: &'a Option<Rollback>,
    values: Option<&'a BTreeMap<String, String>>,
    items: Vec<(usize, &'a ItemResult)>,
    gates: &'a [Gate],
    signoffs: Option<&'a [Signoff]>,
    events_from: usize,
    events: &'a [Event],
}

#[derive(Deserialize)]
struct JournalIn {
    run: Run,
    rollback: Option<Rollback>,
    #[serde(default)]
    values: Option<BTreeMap<String, String>>,
    items: Vec<(usize, ItemResult)>,
    gates: Vec<Gate>,
    #[serde(default)]
    signoffs: Option<Vec<Signoff>>,
    events_from: usize,
    events: Vec<Event>,
}

impl JournalIn {
    fn apply(self, record: &mut Record) {
        record.run = self.run;
        record.rollback = self.rollback;
        if let Some(values) = self.values {
            record.values = values;
        }
        for (index, item) in self.items {
            if let Some(slot) = record.items.get_mut(index) {
                *slot = item;
            }
        }
        record.gates = self.gates;
        if let Some(signoffs) = self.signoffs {
            record.signoffs = signoffs;
        }
        record.events.truncate(self.events_from);
        record.events.extend(self.events);
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
        let bytes = write_atomic_with(&self.path, |file| {
            serde_yaml::to_writer(file, record).context("cannot write the record as YAML")
        })?;
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
