//! `relcheck history --stats`: release metrics from a folder of records,
//! per checklist and over all of them (docs/REPORTS.md, "Release
//! metrics"). Pure: headers in, figures out; `render.rs` writes them.
//!
//! Each record's figures are its header's: its run and its summary's
//! `metrics`, which `Summary::of` works out when the record is sealed
//! (or, for a record from before them, when it is read whole), so a year
//! of records is counted from the top of each file.
//!
//! Two of the figures are DORA's: the change failure rate and the time to
//! restore. The rest are relcheck's own, from what a record keeps: how
//! long runs and phases take, the items that keep going wrong, and how
//! long sign-offs lag behind the run.

pub mod render;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::printable::printable;
use crate::record::{Header, Metrics, Origin, Outcome, Record, Status, seconds};

/// How many weak spots each group lists.
pub const WEAK_SPOTS: usize = 5;

/// Which records count.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Runs started at or after this.
    pub since: Option<DateTime<Utc>>,
    /// A checklist's title, or its file's path, name or stem, or a
    /// bundled checklist's name.
    pub checklist: Option<String>,
}

impl Filter {
    pub fn keeps(&self, record: &Record) -> bool {
        self.keeps_run(
            record.run.started,
            &record.checklist.title,
            &record.checklist.origin,
        )
    }

    /// [`Filter::keeps`] for a record's header.
    pub fn keeps_header(&self, header: &crate::record::Header) -> bool {
        self.keeps_run(header.run.started, &header.title, &header.origin)
    }

    fn keeps_run(&self, started: DateTime<Utc>, title: &str, origin: &Origin) -> bool {
        let since = self.since.is_none_or(|since| started >= since);
        let checklist = self.checklist.as_deref().is_none_or(|name| {
            if title == name {
                return true;
            }
            match origin {
                Origin::Bundled { bundled, .. } => {
                    bundled == name || Path::new(bundled).file_stem().is_some_and(|s| s == name)
                }
                Origin::File { file } => {
                    let path = Path::new(file);
                    file == name
                        || path.file_name().is_some_and(|s| s == name)
                        || path.file_stem().is_some_and(|s| s == name)
                }
            }
        });
        since && checklist
    }
}

/// The figures for every checklist together, and for each.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub since: Option<DateTime<Utc>>,
    pub overall: Group,
    /// By title, in title order.
    pub checklists: Vec<Group>,
}

/// One group's figures. A median is `None` when no run had the figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The checklist's title; `None` for all checklists together.
    pub checklist: Option<String>,
    pub runs: usize,
    pub first_run: Option<DateTime<Utc>>,
    pub last_run: Option<DateTime<Utc>>,
    /// Runs over the weeks from the first run (or `--since`) to the last,
    /// one week at least.
    pub runs_per_week: f64,
    /// Runs by outcome.
    pub outcomes: BTreeMap<&'static str, usize>,
    /// Runs that ended: `finished` set and not `incomplete`.
    pub finished: usize,
    /// Finished runs that rolled back or failed.
    pub failed_or_rolled_back: usize,
    /// Of those, how many rolled back and how many failed: for the text,
    /// which says them apart (`outcomes` counts unfinished runs too, a
    /// run quit after its way back among them).
    #[serde(skip)]
    pub finished_rolled_back: usize,
    #[serde(skip)]
    pub finished_failed: usize,
    /// `failed_or_rolled_back / finished`.
    pub change_failure_rate: Option<f64>,
    /// Runs whose rollback was completed, each with a time to restore.
    pub restores: usize,
    pub median_time_to_restore_seconds: Option<f64>,
    /// Finished runs, each with a duration.
    pub median_duration_seconds: Option<f64>,
    /// Per phase (one checklist's groups only), in checklist order.
    pub phases: Vec<PhaseStat>,
    pub weak_spots: Vec<WeakSpot>,
    /// Finished runs with at least one sign-off.
    pub signed_runs: usize,
    pub median_signoff_latency_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseStat {
    pub id: String,
    pub title: String,
    /// Runs with an answer in the phase.
    pub runs: usize,
    /// First to last answer in the phase.
    pub median_seconds: Option<f64>,
}

/// An item that failed, was skipped or waived, and in how many runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeakSpot {
    pub checklist: String,
    pub id: String,
    pub text: String,
    /// Runs in which it failed, was skipped or was waived (once each).
    pub runs: usize,
    pub failed: usize,
    pub skipped: usize,
    pub waived: usize,
}

/// The figures for the records whose `headers` `filter` keeps.
pub fn stats(headers: &[(impl AsRef<Path>, Header)], filter: &Filter) -> Stats {
    let mut kept: Vec<&Header> = headers
        .iter()
        .map(|(_, header)| header)
        .filter(|header| filter.keeps_header(header))
        .collect();
    kept.sort_by_key(|header| header.run.started);
    let mut by_title: BTreeMap<String, Vec<&Header>> = BTreeMap::new();
    for record in &kept {
        by_title.entry(title(record)).or_default().push(record);
    }
    Stats {
        since: filter.since,
        overall: group(None, &kept, filter.since),
        checklists: by_title
            .iter()
            .map(|(title, records)| group(Some(title.clone()), records, filter.since))
            .collect(),
    }
}

/// Records come from anyone: their text is shown as text, never escapes.
fn title(record: &Header) -> String {
    printable(&record.title).into_owned()
}

/// A header's metrics: none only for a header read for the list alone,
/// which [`crate::records::stats_headers_in`] never gives.
fn metrics(record: &Header) -> &Metrics {
    static NONE: Metrics = Metrics {
        phases: Vec::new(),
        weak: Vec::new(),
        restore_seconds: None,
        last_signoff: None,
    };
    record.summary.metrics.as_ref().unwrap_or(&NONE)
}

fn group(checklist: Option<String>, records: &[&Header], since: Option<DateTime<Utc>>) -> Group {
    let first_run = records.iter().map(|r| r.run.started).min();
    let last_run = records.iter().map(|r| r.run.started).max();
    let weeks = match (since.or(first_run), last_run) {
        (Some(from), Some(to)) => ((to - from).num_milliseconds() as f64 / WEEK_MS).max(1.0),
        _ => 1.0,
    };
    let mut outcomes = BTreeMap::new();
    for record in records {
        *outcomes.entry(record.run.outcome.as_str()).or_insert(0) += 1;
    }
    let finished: Vec<&Header> = records
        .iter()
        .copied()
        .filter(|r| r.run.finished.is_some() && r.run.outcome != Outcome::Incomplete)
        .collect();
    let ended = |outcome: Outcome| finished.iter().filter(|r| r.run.outcome == outcome).count();
    let (finished_rolled_back, finished_failed) =
        (ended(Outcome::RolledBack), ended(Outcome::Failed));
    let failed_or_rolled_back = finished_rolled_back + finished_failed;
    let restores: Vec<f64> = records
        .iter()
        .filter_map(|r| metrics(r).restore_seconds)
        .collect();
    let durations: Vec<f64> = finished.iter().filter_map(|r| duration(r)).collect();
    let latencies: Vec<f64> = finished.iter().filter_map(|r| signoff_latency(r)).collect();
    Group {
        phases: if checklist.is_some() {
            phases(records)
        } else {
            Vec::new()
        },
        checklist,
        runs: records.len(),
        first_run,
        last_run,
        runs_per_week: records.len() as f64 / weeks,
        outcomes,
        finished: finished.len(),
        failed_or_rolled_back,
        finished_rolled_back,
        finished_failed,
        change_failure_rate: (!finished.is_empty())
            .then(|| failed_or_rolled_back as f64 / finished.len() as f64),
        restores: restores.len(),
        median_time_to_restore_seconds: median(restores),
        median_duration_seconds: median(durations),
        weak_spots: weak_spots(records),
        signed_runs: latencies.len(),
        median_signoff_latency_seconds: median(latencies),
    }
}

const WEEK_MS: f64 = 7.0 * 24.0 * 3600.0 * 1000.0;

/// The run's own duration, or its end less its start.
fn duration(record: &Header) -> Option<f64> {
    let finished = record.run.finished?;
    Some(
        record
            .run
            .duration_seconds
            .unwrap_or_else(|| seconds(record.run.started, finished)),
    )
}

/// From the run's end to its last sign-off; none (0) when every sign-off
/// was given during the run.
pub fn signoff_latency(record: &Header) -> Option<f64> {
    let finished = record.run.finished?;
    let last = metrics(record).last_signoff?;
    Some(seconds(finished, last))
}

/// Each phase's span in each run (first to last answer in it), as the
/// median over the runs that answered anything in it. Phases in the order
/// runs met them, titled as the newest run titles them.
fn phases(records: &[&Header]) -> Vec<PhaseStat> {
    let mut order: Vec<String> = Vec::new();
    let mut spans: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut titles: BTreeMap<String, String> = BTreeMap::new();
    for record in records {
        for phase in &record.phases {
            titles.insert(phase.id.to_string(), printable(&phase.title).into_owned());
        }
        for span in &metrics(record).phases {
            if !order.contains(&span.id) {
                order.push(span.id.clone());
            }
            if let Some(seconds) = span.seconds {
                spans.entry(span.id.clone()).or_default().push(seconds);
            }
        }
    }
    order
        .into_iter()
        .map(|id| {
            let spans = spans.remove(&id).unwrap_or_default();
            PhaseStat {
                title: titles
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| printable(&id).into_owned()),
                runs: spans.len(),
                median_seconds: median(spans),
                id: printable(&id).into_owned(),
            }
        })
        .collect()
}

/// Items failed, skipped or waived, most runs first (then most failures,
/// then by checklist and id), the first [`WEAK_SPOTS`].
fn weak_spots(records: &[&Header]) -> Vec<WeakSpot> {
    let mut spots: BTreeMap<(String, String), WeakSpot> = BTreeMap::new();
    for record in records {
        for item in &metrics(record).weak {
            let failed = item.status == Status::Failed;
            let skipped = item.status == Status::Skipped;
            let was_waived = item.waived;
            let checklist = title(record);
            let id = printable(&item.id).into_owned();
            let spot = spots
                .entry((checklist.clone(), id.clone()))
                .or_insert_with(|| WeakSpot {
                    checklist,
                    id,
                    text: String::new(),
                    runs: 0,
                    failed: 0,
                    skipped: 0,
                    waived: 0,
                });
            // The newest run's wording: records are in start order.
            spot.text = printable(&item.text).into_owned();
            spot.runs += 1;
            spot.failed += usize::from(failed);
            spot.skipped += usize::from(skipped);
            spot.waived += usize::from(was_waived);
        }
    }
    let mut spots: Vec<WeakSpot> = spots.into_values().collect();
    spots.sort_by(|a, b| {
        b.runs
            .cmp(&a.runs)
            .then(b.failed.cmp(&a.failed))
            .then_with(|| (&a.checklist, &a.id).cmp(&(&b.checklist, &b.id)))
    });
    spots.truncate(WEAK_SPOTS);
    spots
}

/// The middle value, or the mean of the two middle values.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
