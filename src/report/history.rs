//! `relcheck history`: one row per record in a folder, newest first, as a
//! table or as JSON for scripts.
//!
//! Rows come from each record's header alone ([`Header`]), so a folder of
//! thousands of records lists in well under a second. With `--check`
//! every record is read whole, and the `record` column says what can be
//! told without an allowed-signers file: `intact` (the digest matches and nothing a sign-off vouched for
//! changed), `edited` (either does not hold), `bad signature` (a sign-off's
//! SSH signature does not verify over it) or `signed ✓` (intact, and every
//! SSH signature present verifies over its sign-off). Whose keys made the
//! signatures is `relcheck verify`'s to say, with an allowed-signers file.

use std::fmt::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::printable::printable;
use crate::record::{DigestCheck, Header, Outcome, Record};
use crate::session::human_duration;
use crate::sign::{self, SignatureCheck};
use crate::style::Style;

/// What the record's digest and sign-offs say, without allowed signers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Integrity {
    Intact,
    Edited,
    BadSignature,
    Signed,
}

impl Integrity {
    pub fn of(record: &Record) -> Integrity {
        let verification = sign::verify(record, None);
        let edited = !matches!(verification.digest, DigestCheck::Matches(_))
            || verification.signoffs.iter().any(|s| !s.changed.is_empty());
        if edited {
            return Integrity::Edited;
        }
        let signatures: Vec<&SignatureCheck> = verification
            .signoffs
            .iter()
            .map(|s| &s.signature)
            .filter(|s| **s != SignatureCheck::Unsigned)
            .collect();
        if signatures
            .iter()
            .any(|s| matches!(s, SignatureCheck::Bad(_)))
        {
            Integrity::BadSignature
        } else if signatures.is_empty() {
            Integrity::Intact
        } else {
            Integrity::Signed
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Integrity::Intact => "intact",
            Integrity::Edited => "edited",
            Integrity::BadSignature => "bad signature",
            Integrity::Signed => "signed ✓",
        }
    }
}

/// One record, as history shows it. The JSON field names are an
/// interface: docs/REPORTS.md lists them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub started: DateTime<Utc>,
    pub checklist: String,
    pub version: Option<String>,
    pub environment: Option<String>,
    pub operator: String,
    pub outcome: Outcome,
    pub duration_seconds: Option<f64>,
    /// Failed items and triggers that occurred, not counting waived ones.
    pub failed: usize,
    /// Items a gate waived.
    pub waived: usize,
    /// Sign-off items answered by a sign-off ([`crate::record::signoff_counts`]).
    pub signoffs: usize,
    /// Sign-off items in the record.
    pub signoffs_expected: usize,
    /// Only when the records were read whole (`history --check`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<Integrity>,
    pub path: PathBuf,
}

impl Row {
    /// A row from a record's header; `integrity` when the record was read
    /// whole and checked (`--check`).
    pub fn new(path: PathBuf, header: &Header, integrity: Option<Integrity>) -> Row {
        let value = |name: &str| header.values.get(name).map(|v| printable(v).into_owned());
        Row {
            started: header.run.started,
            // Records may come from anyone: shown as text, never escapes.
            checklist: printable(&header.title).into_owned(),
            version: value("version"),
            environment: value("environment"),
            operator: printable(&header.run.operator).into_owned(),
            outcome: header.run.outcome,
            duration_seconds: header.run.duration_seconds,
            failed: header.summary.failed,
            waived: header.summary.waived,
            signoffs: header.summary.signoffs,
            signoffs_expected: header.summary.signoffs_expected,
            integrity,
            path,
        }
    }

    /// A row from a record read whole, with its integrity.
    pub fn checked(path: PathBuf, record: &Record) -> Row {
        Row::new(path, &Header::of(record), Some(Integrity::of(record)))
    }
}

/// Rows, newest first (by the time the run started).
pub fn sorted(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort_by(|a, b| b.started.cmp(&a.started).then_with(|| a.path.cmp(&b.path)));
    rows
}

pub fn json(rows: &[Row]) -> String {
    let mut text = serde_json::to_string_pretty(rows).unwrap_or_else(|_| "[]".to_string());
    text.push('\n');
    text
}

/// Columns cut to keep a row readable.
const MAX_COLUMN: usize = 28;

pub fn text(rows: &[Row], style: Style) -> String {
    let header = [
        "started (UTC)",
        "checklist",
        "version",
        "env",
        "operator",
        "outcome",
        "duration",
        "failed",
        "waived",
        "sign-offs",
        "record",
    ];
    let cells: Vec<[String; 11]> = rows
        .iter()
        .map(|row| {
            [
                row.started.format("%Y-%m-%d %H:%M").to_string(),
                row.checklist.clone(),
                row.version.clone().unwrap_or_else(|| "-".into()),
                row.environment.clone().unwrap_or_else(|| "-".into()),
                row.operator.clone(),
                row.outcome.as_str().to_string(),
                row.duration_seconds
                    .map_or_else(|| "-".to_string(), human_duration),
                row.failed.to_string(),
                row.waived.to_string(),
                format!("{} of {}", row.signoffs, row.signoffs_expected),
                row.integrity.map_or("", Integrity::words).to_string(),
            ]
            .map(|cell| fit(&cell, MAX_COLUMN))
        })
        .collect();
    // Version and environment are left out when no record has one.
    let shown = [
        true,
        true,
        rows.iter().any(|r| r.version.is_some()),
        rows.iter().any(|r| r.environment.is_some()),
        true,
        true,
        true,
        true,
        true,
        true,
        rows.iter().any(|r| r.integrity.is_some()),
    ];
    let mut widths = header.map(|h| h.chars().count());
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    // Numbers line up on the right.
    let right = [
        false, false, false, false, false, false, true, true, true, true, false,
    ];
    let mut out = String::new();
    let line = |cells: [&str; 11], paint: &dyn Fn(usize, &str) -> String| -> String {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate().filter(|(i, _)| shown[*i]) {
            if !line.is_empty() {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[i] - cell.chars().count());
            let painted = paint(i, cell);
            if right[i] {
                let _ = write!(line, "{pad}{painted}");
            } else {
                let _ = write!(line, "{painted}{pad}");
            }
        }
        line.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(header, &|_, cell| style.dim(cell)));
    for (row, cells) in rows.iter().zip(&cells) {
        let refs: [&str; 11] = std::array::from_fn(|i| cells[i].as_str());
        let paint = |i: usize, cell: &str| match i {
            5 => match row.outcome {
                Outcome::Success => style.green(cell),
                Outcome::InProgress => style.cyan(cell),
                Outcome::Incomplete => style.yellow(cell),
                _ => style.red(cell),
            },
            7 if row.failed > 0 => style.red(cell),
            8 if row.waived > 0 => style.yellow(cell),
            10 => match row.integrity {
                Some(Integrity::Signed) => style.green(cell),
                Some(Integrity::Intact) | None => cell.to_string(),
                _ => style.red(cell),
            },
            _ => cell.to_string(),
        };
        let _ = writeln!(out, "{}", line(refs, &paint));
    }
    out
}

fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}
