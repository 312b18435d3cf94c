//! The journal beside a record, `<record>.journal`: what a run answered
//! since the record was last written whole, one JSON object a line, and
//! how a read folds it back in. [`super::RecordFile`] writes it.

use crate::exit::{Code, error};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Event, Gate, ItemResult, Record, Rollback, Run, Signoff};

impl Record {
    /// Applies `<record>.journal`, if there is one. A line cut short by a
    /// crash ends the journal there. The digest is renewed only when the
    /// file's own was right, so an edit outside relcheck stays visible.
    pub(super) fn fold_journal(&mut self, path: &Path) -> anyhow::Result<()> {
        let journal = journal_path(path);
        // A finished run is written whole, and its journal removed: none
        // extends it. One found beside it was put there by something else,
        // and must not rewrite what the run ended as.
        if self.run.finished.is_some() {
            return Ok(());
        }
        let text = match super::create::read_own(&journal, JOURNAL_MAX_BYTES) {
            Ok(text) => text,
            Err(err) if super::create::is_link_refusal(&err) => {
                return Err(super::create::link_refused(&journal, "record's journal"));
            }
            Err(err) if err.kind() == std::io::ErrorKind::FileTooLarge => {
                return Err(error(
                    Code::Input,
                    format!(
                        "{}: larger than relcheck reads a journal ({} MiB); it is not applied, and the record is not read with it (move the journal away to read the record as last written whole)",
                        journal.display(),
                        JOURNAL_MAX_BYTES >> 20
                    ),
                ));
            }
            Err(_) => return Ok(()),
        };
        let intact = self.digest.as_deref() == Some(super::digest(self).as_str());
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
            let refused = |why: String| {
                error(
                    Code::Input,
                    format!(
                        "{}:{}: {why}; it is not applied, and the record is not read with it (move the journal away to read the record as last written whole)",
                        journal.display(),
                        n + 1
                    ),
                )
            };
            if n == 0 {
                let header = serde_json::from_str::<JournalHeader>(line).map_err(|_| {
                    refused("a journal begins with the digest of the record it extends, and this one does not".to_string())
                })?;
                if Some(header.base) != self.digest {
                    return Ok(());
                }
                continue;
            }
            // Only the last line can be cut short by a crash, and then it
            // has no newline; a whole line that does not read is damage.
            let entry = serde_json::from_str::<JournalIn>(line)
                .map_err(|err| refused(format!("not a journal line ({err})")))?;
            entry.apply(self);
            applied = true;
        }
        if applied && intact {
            super::seal(self);
        }
        Ok(())
    }
}

/// A run writes its record whole once its journal passes this size, and
/// starts a new journal: so a journal is read, like a record, in bounded
/// memory, however long a run goes between pauses (every command's output,
/// up to 64 KiB each, goes into the journal line of its answer).
pub(super) const JOURNAL_WHOLE_AFTER_BYTES: u64 = 64 * 1024 * 1024;

/// The largest journal read: what a run can leave, the size above and a
/// last line after it (an answer's items, or a sign-off's parts, are far
/// smaller), with room to spare. A larger one was not written by relcheck.
pub(super) const JOURNAL_MAX_BYTES: u64 = crate::limits::Kind::RECORD_MAX_BYTES;

/// `<record>.journal`: answers appended since the record was last written
/// whole, one JSON object a line.
pub fn journal_path(record: &Path) -> PathBuf {
    let mut name = record.as_os_str().to_os_string();
    name.push(".journal");
    PathBuf::from(name)
}

/// Removes the journal, or a link where it belongs (the link itself,
/// never what it points at).
pub(super) fn remove_journal(record: &Path) {
    let _ = fs::remove_file(journal_path(record));
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A journal's first line: the digest of the record it extends.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct JournalHeader {
    pub(super) base: String,
}

/// One journal line, written from borrowed parts of the record. Every
/// field is state, not a difference, so applying a line twice is harmless.
#[derive(Serialize)]
pub(super) struct JournalOut<'a> {
    pub(super) run: &'a Run,
    pub(super) rollback: &'a Option<Rollback>,
    pub(super) values: Option<&'a BTreeMap<String, String>>,
    pub(super) items: Vec<(usize, &'a ItemResult)>,
    pub(super) gates: &'a [Gate],
    /// The sign-offs from `signoffs_from` on, when they changed: a run's
    /// first sign-off holds every answered item's digest, which each
    /// later one would otherwise write again.
    pub(super) signoffs: Option<&'a [Signoff]>,
    #[serde(skip_serializing_if = "is_zero")]
    pub(super) signoffs_from: usize,
    pub(super) events_from: usize,
    pub(super) events: &'a [Event],
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
    /// Absent in journals written before it: their `signoffs` are all.
    #[serde(default)]
    signoffs_from: usize,
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
            record.signoffs.truncate(self.signoffs_from);
            record.signoffs.extend(signoffs);
        }
        record.events.truncate(self.events_from);
        record.events.extend(self.events);
    }
}
