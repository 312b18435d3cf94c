//! A record's header: who ran which checklist when, its values, its
//! outcome and its [`Summary`], which is all `relcheck history` lists.
//!
//! A year of records is thousands of files of a hundred kilobytes each,
//! mostly items; reading them whole to list them takes longer than anyone
//! waits. relcheck writes the header first and the items after it, so the
//! header is read alone: the lines up to `items:`, less the checklist's
//! text and outline, which the list does not show. Whenever that is not
//! enough (a record of schema v1, one with no summary, a run still open
//! whose journal may hold later answers, or a top that does not read) the
//! record is read whole, so the list says the same either way.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::Deserialize;

use super::{Origin, PhaseTitles, Record, Run, SCHEMA, Summary, journal_path};
use crate::limits::{self, Kind};

/// What `history` lists of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub title: String,
    pub origin: Origin,
    pub run: Run,
    pub values: BTreeMap<String, String>,
    /// The checklist's outline: read for `history --stats`, which titles
    /// phases by it; empty when only the list was read.
    pub phases: Vec<PhaseTitles>,
    pub summary: Summary,
}

/// What a header is read for: the list, or `history --stats`, which also
/// needs the outline and the summary's metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    List,
    Stats,
}

impl Header {
    /// The header of a record read whole, its summary worked out afresh.
    pub fn of(record: &Record) -> Header {
        Header {
            title: record.checklist.title.clone(),
            origin: record.checklist.origin.clone(),
            run: record.run.clone(),
            values: record.values.clone(),
            phases: record.checklist.phases.clone(),
            summary: Summary::of(record),
        }
    }

    /// The header of the record at `path`: from its top alone where that
    /// says all, otherwise from the record read whole (and refused as
    /// [`Record::load`] refuses it).
    pub fn read(path: &Path) -> anyhow::Result<Header> {
        Header::read_for(path, Need::List)
    }

    /// [`Header::read`] with what `need` asks for. A summary written
    /// before its `metrics` were cannot say the figures, so for
    /// [`Need::Stats`] that record is read whole.
    pub fn read_for(path: &Path, need: Need) -> anyhow::Result<Header> {
        if let Some(header) = read_top(path, need)? {
            return Ok(header);
        }
        Record::load(path).map(|record| Header::of(&record))
    }
}

#[derive(Deserialize)]
struct HeaderIn {
    schema: String,
    checklist: ChecklistHead,
    run: Run,
    #[serde(default)]
    values: BTreeMap<String, String>,
    summary: Option<Summary>,
}

#[derive(Deserialize)]
struct ChecklistHead {
    title: String,
    origin: Origin,
    #[serde(default)]
    phases: Vec<PhaseTitles>,
}

/// The header from the lines before `items:`, or `None` when the record
/// must be read whole to say it.
fn read_top(path: &Path, need: Need) -> anyhow::Result<Option<Header>> {
    let file = limits::open(path, Kind::Record)?;
    let Some(top) = top_lines(BufReader::with_capacity(16 * 1024, file), need) else {
        return Ok(None);
    };
    if limits::flow_too_deep(&top).is_some() {
        return Ok(None);
    }
    let Ok(header) = crate::yaml::from_str::<HeaderIn>(&top) else {
        return Ok(None);
    };
    let open_with_journal = header.run.finished.is_none() && journal_path(path).exists();
    let (true, Some(summary), false) = (header.schema == SCHEMA, header.summary, open_with_journal)
    else {
        return Ok(None);
    };
    if need == Need::Stats && summary.metrics.is_none() {
        return Ok(None);
    }
    Ok(Some(Header {
        title: header.checklist.title,
        origin: header.checklist.origin,
        run: header.run,
        values: header.values,
        phases: header.checklist.phases,
        summary,
    }))
}

/// The top-level entries a header is read from, and of `checklist`, the
/// entries it needs: its text and outline are most of a header's bytes,
/// and only `history --stats` needs the outline (`phases:`), for titles.
const TOP: [&str; 5] = ["schema:", "checklist:", "run:", "values:", "summary:"];
const CHECKLIST: [&str; 2] = ["title:", "origin:"];
const CHECKLIST_STATS: [&str; 3] = ["title:", "origin:", "phases:"];

/// The lines before the top-level `items:`, keeping only [`TOP`]'s
/// entries and, within `checklist`, those `need` asks for. `None` when
/// the file ends first, or is not UTF-8: then it is read whole, which
/// says why.
fn top_lines(mut input: impl BufRead, need: Need) -> Option<String> {
    let inner: &[&str] = match need {
        Need::List => &CHECKLIST,
        Need::Stats => &CHECKLIST_STATS,
    };
    let mut top = String::new();
    let mut line = String::new();
    // Whether the lines now read belong to a kept entry, at the top level
    // and within `checklist`; and the indent of `checklist`'s entries.
    let (mut keep_top, mut in_checklist, mut keep_inner) = (false, false, true);
    let mut inner_indent: Option<usize> = None;
    loop {
        line.clear();
        if input.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let blank = line.trim().is_empty();
        if indent == 0 && !blank && !line.starts_with('#') {
            if line.starts_with("items:") {
                return Some(top);
            }
            keep_top = TOP.iter().any(|key| line.starts_with(key));
            in_checklist = line.starts_with("checklist:");
            inner_indent = None;
            keep_inner = true;
        } else if in_checklist && !blank {
            let at = *inner_indent.get_or_insert(indent);
            // A list's entries stand at its key's indent (`phases:` then
            // `- id: ...`): they belong to the key above them.
            let key = line.trim_start();
            if indent == at && !key.starts_with("- ") {
                keep_inner = inner.iter().any(|k| key.starts_with(k));
            }
        }
        if keep_top && keep_inner {
            top.push_str(&line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "schema: relcheck/record/v2
checklist:
  title: Web deploy
  origin:
    file: web.md
  sha256: abc
  phases:
  - id: pre
    title: Before
  source: |-
    # Web deploy

    items:
    - [ ] ship
  signoff:
    min: 2
run:
  id: r1
rollback:
  called: x
summary:
  items: 1
items:
- id: pre/ship
";

    #[test]
    fn the_top_keeps_what_the_list_shows_and_stops_at_the_items() {
        let top = top_lines(FILE.as_bytes(), Need::List).unwrap();
        assert_eq!(
            top,
            "schema: relcheck/record/v2\nchecklist:\n  title: Web deploy\n  origin:\n    file: web.md\nrun:\n  id: r1\nsummary:\n  items: 1\n"
        );
    }

    #[test]
    fn for_stats_the_top_keeps_the_outline_too() {
        let top = top_lines(FILE.as_bytes(), Need::Stats).unwrap();
        assert_eq!(
            top,
            "schema: relcheck/record/v2\nchecklist:\n  title: Web deploy\n  origin:\n    file: web.md\n  phases:\n  - id: pre\n    title: Before\nrun:\n  id: r1\nsummary:\n  items: 1\n"
        );
    }

    #[test]
    fn a_file_with_no_items_line_is_read_whole() {
        assert_eq!(
            top_lines("schema: x\nrun:\n  id: r\n".as_bytes(), Need::List),
            None
        );
        assert_eq!(top_lines(&b"schema: \xff\n"[..], Need::Stats), None);
    }
}
