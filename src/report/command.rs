//! `relcheck report` and `relcheck history`: find and load the records,
//! render them with the pure functions beside this file, and write the
//! result to standard output or, atomically, to a file.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::cli::{HistoryFormat, ReportFormat};
use crate::exit::{Code, error};
use crate::parse;
use crate::record::{Record, write_output};
use crate::records;
use crate::style::Style;

use chrono::{DateTime, Utc};

use super::{Options, Titles, history, html, junit, markdown, stats, text};

pub struct ReportRequest {
    pub record: Option<PathBuf>,
    pub format: ReportFormat,
    pub failed: bool,
    pub output: Option<PathBuf>,
    pub records_dir: Option<PathBuf>,
}

/// Renders one record. `style` is for standard output; a file gets colour
/// only when asked for with `--color always`, which `file_style` is.
pub fn report(
    request: ReportRequest,
    style: Style,
    file_style: Style,
    out: &mut dyn Write,
) -> anyhow::Result<Code> {
    let path = match request.record {
        Some(path) => path,
        None => newest(&records::records_dir(request.records_dir))?,
    };
    let loaded = Record::load(&path)?;
    // Everything but JSON is read by people (a JUnit file on a CI page, or
    // a terminal): the display copy, titles included. JSON writes what a
    // terminal would act on as escapes (`escape_unsafe`).
    let record = match request.format {
        ReportFormat::Json => loaded,
        _ => super::display::displayable(&loaded),
    };
    let options = Options {
        failed_only: request.failed,
        style: if request.output.is_some() {
            file_style
        } else {
            style
        },
        titles: titles(&record),
    };
    let rendered = render(&record, request.format, &options)?;
    match &request.output {
        Some(file) => write_output(file, rendered.as_bytes())?,
        None => out.write_all(rendered.as_bytes())?,
    }
    Ok(Code::Success)
}

/// The record in `format`. JSON is the whole record whatever `--failed`
/// says: it is for programs, which can filter it themselves.
pub fn render(record: &Record, format: ReportFormat, options: &Options) -> anyhow::Result<String> {
    Ok(match format {
        ReportFormat::Text => text::text(record, options),
        ReportFormat::Markdown => markdown::markdown(record, options),
        ReportFormat::Json => {
            let mut json = escape_unsafe(&serde_json::to_string_pretty(record)?);
            json.push('\n');
            json
        }
        ReportFormat::Junit => junit::junit_with(record, options),
        ReportFormat::Html => html::html(record, options),
    })
}

/// Phase and section titles: the record's own. A record of schema v1
/// has none, so for it only the checklist is read, when it still can be,
/// as before v2; the ids otherwise.
pub fn titles(record: &Record) -> Titles {
    if !record.is_v1() {
        return Titles::from_record(record);
    }
    records::checklist_source(record)
        .map(|source| Titles::from_checklist(&parse::parse(&source).checklist))
        .unwrap_or_default()
}

/// The newest record in `dir` by the time its run started.
pub fn newest(dir: &Path) -> anyhow::Result<PathBuf> {
    let folder = records::records_in(dir)?;
    folder.require_all(dir, "relcheck report", "the record to report on")?;
    folder
        .records
        .into_iter()
        .max_by_key(|(_, record)| record.run.started)
        .map(|(path, _)| path)
        .ok_or_else(|| {
            error(
                Code::Input,
                format!(
                    "{}: no records here; name a record, or pass --records-dir",
                    dir.display()
                ),
            )
        })
}

/// `relcheck history [DIR]`: the list, or with `--stats` the metrics.
pub fn history(
    args: crate::cli::HistoryArgs,
    config: &crate::config::Config,
    out: &mut dyn Write,
) -> anyhow::Result<Code> {
    let style = config.style;
    if args.format == HistoryFormat::Markdown && !args.stats {
        return Err(error(
            Code::Usage,
            "--format markdown is for --stats; the list of records is text or json",
        ));
    }
    let filter = stats::Filter {
        since: args.since.as_deref().map(since).transpose()?,
        checklist: args.checklist.clone(),
    };
    let dir = records::records_dir(args.dir);
    if args.check && args.stats {
        return Err(error(
            Code::Usage,
            "--check is for the list of records, not --stats",
        ));
    }
    if args.stats {
        let mut folder = records::stats_headers_in(&dir)?;
        folder
            .records
            .retain(|(_, header)| filter.keeps_header(header));
        let figures = stats::stats(&folder.records, &filter);
        match args.format {
            HistoryFormat::Json => out.write_all(stats::render::json(&figures).as_bytes())?,
            _ if folder.records.is_empty() => writeln!(out, "{}", no_runs(&dir, &filter))?,
            HistoryFormat::Markdown => {
                out.write_all(stats::render::markdown(&figures).as_bytes())?;
            }
            HistoryFormat::Text => {
                out.write_all(stats::render::text(&figures, style).as_bytes())?
            }
        }
        return skipped(&folder.skipped, "not counted", config, out);
    }
    // The list needs only each record's header, unless its integrity is
    // asked for, which takes the whole record.
    let (rows, skipped_files) = if args.check {
        let mut folder = records::records_in(&dir)?;
        folder.records.retain(|(_, record)| filter.keeps(record));
        let rows = folder
            .records
            .drain(..)
            .map(|(path, record)| history::Row::checked(path, &record));
        (history::sorted(rows.collect()), folder.skipped)
    } else {
        let mut folder = records::headers_in(&dir)?;
        folder
            .records
            .retain(|(_, header)| filter.keeps_header(header));
        let rows = folder
            .records
            .drain(..)
            .map(|(path, header)| history::Row::new(path, &header, None));
        (history::sorted(rows.collect()), folder.skipped)
    };
    match args.format {
        HistoryFormat::Json => out.write_all(history::json(&rows).as_bytes())?,
        _ if rows.is_empty() => writeln!(out, "{}", no_runs(&dir, &filter))?,
        _ => out.write_all(history::text(&rows, style).as_bytes())?,
    }
    skipped(&skipped_files, "not listed", config, out)
}

/// What an empty answer says: the folder, and what the filter left out.
fn no_runs(dir: &Path, filter: &stats::Filter) -> String {
    let mut line = format!("no records in {}", dir.display());
    if let Some(name) = &filter.checklist {
        line.push_str(&format!(
            " of checklist {}",
            crate::printable::printable(name)
        ));
    }
    if let Some(since) = filter.since {
        line.push_str(&format!(" since {}", super::timestamp(since)));
    }
    line
}

/// The records are shown; each file left out gets its own line, after
/// them, and the exit code says they are not the whole folder.
fn skipped(
    skipped: &[String],
    what: &str,
    config: &crate::config::Config,
    out: &mut dyn Write,
) -> anyhow::Result<Code> {
    if skipped.is_empty() {
        return Ok(Code::Success);
    }
    out.flush()?;
    let err_style = Style::new(config.color, std::io::stderr().is_terminal());
    let mut stderr = std::io::stderr().lock();
    for why in skipped {
        writeln!(
            stderr,
            "{}: {} ({what})",
            err_style.red("error"),
            crate::printable::printable(why)
        )?;
    }
    Ok(Code::Input)
}

/// `--since`: a day (midnight UTC) or an RFC 3339 time.
pub fn since(text: &str) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| {
            error(
                Code::Usage,
                format!(
                    "--since {}: not a date; give YYYY-MM-DD (a day, UTC) or an RFC 3339 time such as 2026-11-01T09:00:00Z",
                    crate::printable::printable(text)
                ),
            )
        })
}

/// `relcheck report`.
pub fn run(
    args: crate::cli::ReportArgs,
    config: &crate::config::Config,
    out: &mut dyn Write,
) -> anyhow::Result<Code> {
    report(
        ReportRequest {
            record: args.record,
            format: args.format,
            failed: args.failed,
            output: args.output,
            records_dir: args.records_dir,
        },
        config.style,
        config.file_style,
        out,
    )
}

/// JSON with what a terminal would act on written as `\uXXXX`: serde
/// escapes the C0 controls but leaves C1 controls, DEL and bidirectional
/// overrides as they are, and the record is the same data either way.
pub(crate) fn escape_unsafe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if crate::printable::unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}
