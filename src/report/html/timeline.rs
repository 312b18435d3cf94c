//! The run's timeline, an inline SVG drawn from the recorded times: each
//! phase a pale bar from its first to its last answer, over it a bar per
//! item from when it was shown to when it was answered (`timing.rs`), each
//! wait a bar of the time waited (ending when the wait ended), gate
//! decisions and the rollback call as markers.

use std::collections::HashMap;
use std::fmt::Write;

use chrono::{DateTime, Duration, Utc};

use crate::record::{GateDecision, Record};

use super::{escape, phase_class};
use crate::report::timing::{ItemTime, item_times};
use crate::report::{Options, View, last_time, later_calls, notable, timestamp};
use crate::session::human_duration;

const SVG_WIDTH: f64 = 960.0;
const LABEL_WIDTH: f64 = 250.0;
const PLOT_LEFT: f64 = 260.0;
const PLOT_RIGHT: f64 = 940.0;
const ROW: f64 = 26.0;
const TOP: f64 = 24.0;

struct Row {
    label: String,
    class: &'static str,
    /// Start and end, or nothing recorded.
    span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    tip: String,
    wait: bool,
    /// Gate decisions on this phase's row.
    gates: Vec<(DateTime<Utc>, String)>,
    /// The phase's items, each from shown to answered.
    items: Vec<ItemBar>,
}

struct ItemBar {
    id: String,
    class: &'static str,
    span: (DateTime<Utc>, DateTime<Utc>),
    tip: String,
}

pub(super) fn timeline(out: &mut String, record: &Record, options: &Options) {
    let all = Options {
        failed_only: false,
        ..options.clone()
    };
    let view = View::new(record, &all);
    let start = record.run.started;
    let end = last_time(record).max(start + Duration::seconds(1));
    let span = (end - start).num_milliseconds() as f64;
    let x = |at: DateTime<Utc>| -> f64 {
        let ms = (at - start).num_milliseconds() as f64;
        PLOT_LEFT + (ms / span).clamp(0.0, 1.0) * (PLOT_RIGHT - PLOT_LEFT)
    };
    let times = item_times(record);
    // Each phase's answered items, in the order they were answered, and
    // each item's last wait's end: found once, not looked for through
    // every item (and every event) for each phase (and each wait), which
    // grew as the square of a long run's length.
    let mut by_phase: HashMap<&str, Vec<&ItemTime<'_>>> = HashMap::new();
    for time in &times {
        by_phase.entry(&time.item.phase).or_default().push(time);
    }
    let wait_ended: HashMap<&str, DateTime<Utc>> = record
        .events
        .iter()
        .filter(|e| e.action == crate::record::EventAction::Wait)
        .filter_map(|e| Some((e.item.as_deref()?, e.at)))
        .collect();
    let mut rows = Vec::new();
    for phase in &view.phases {
        // `--failed` keeps the bars of the items it keeps.
        let items = by_phase
            .get(phase.id)
            .into_iter()
            .flatten()
            .filter(|time| !options.failed_only || notable(time.item, &view.waivers))
            .map(|time| ItemBar {
                id: time.item.id.to_string(),
                class: phase_class(&view, std::iter::once(time.item)),
                span: (time.shown, time.answered),
                tip: format!(
                    "{}: {} ({} to {} UTC)",
                    view.text(time.item),
                    human_duration(time.seconds),
                    time.shown.format("%H:%M:%S"),
                    time.answered.format("%H:%M:%S")
                ),
            })
            .collect();
        // Answers given by someone: items the engine settled itself at the
        // end (not needed) do not stretch the bar.
        let times: Vec<DateTime<Utc>> = phase
            .items()
            .filter(|item| item.by.is_some())
            .filter_map(|item| item.at)
            .collect();
        let span = times
            .iter()
            .min()
            .zip(times.iter().max())
            .map(|(a, b)| (*a, *b));
        let class = phase_class(&view, phase.items());
        let tip = match span {
            Some((a, b)) => format!(
                "{}: {} to {} UTC",
                phase.title,
                a.format("%H:%M:%S"),
                b.format("%H:%M:%S")
            ),
            None => format!("{}: nothing answered", phase.title),
        };
        let gates = record
            .gates
            .iter()
            .filter(|gate| gate.phase == phase.id)
            .map(|gate| {
                (
                    gate.at,
                    format!(
                        "gate {}: {}",
                        match gate.decision {
                            GateDecision::Waive => "waived",
                            GateDecision::Rollback => "rollback",
                            GateDecision::Abort => "abort",
                            GateDecision::Stop => "stop",
                        },
                        gate.reason.clone().unwrap_or_default()
                    ),
                )
            })
            .collect();
        rows.push(Row {
            label: phase.title.clone(),
            class,
            span,
            tip,
            wait: false,
            gates,
            items,
        });
        for item in phase.items() {
            let Some(wait) = &item.rare.wait else {
                continue;
            };
            let ended = wait_ended.get(&*item.id).copied().or(item.at);
            let Some(ended) = ended else { continue };
            let began = ended - Duration::milliseconds((wait.waited_seconds * 1000.0) as i64);
            rows.push(Row {
                label: format!("wait: {}", view.text(item)),
                class: "wait",
                span: Some((began, ended)),
                tip: format!(
                    "waited {} of {}{} ({} to {} UTC)",
                    crate::session::human_duration(wait.waited_seconds),
                    crate::session::human_duration(wait.requested_seconds as f64),
                    if wait.cut_short { ", cut short" } else { "" },
                    began.format("%H:%M:%S"),
                    ended.format("%H:%M:%S")
                ),
                wait: true,
                gates: Vec::new(),
                items: Vec::new(),
            });
        }
    }
    let height = TOP + rows.len() as f64 * ROW + 34.0;
    let _ = write!(
        out,
        "<section id=\"timeline\">\n<h2>Timeline</h2>\n<svg class=\"timeline\" role=\"img\" viewBox=\"0 0 {SVG_WIDTH} {height}\" xmlns=\"http://www.w3.org/2000/svg\" aria-label=\"Timeline of the run from {} to {} UTC\">\n",
        start.format("%H:%M:%S"),
        end.format("%H:%M:%S")
    );
    let bottom = TOP + rows.len() as f64 * ROW;
    // Axis and grid.
    let step = tick_step((end - start).num_seconds());
    let mut tick = start;
    let fmt = if end.date_naive() != start.date_naive() {
        "%m-%d %H:%M"
    } else if step < 60 {
        "%H:%M:%S"
    } else {
        "%H:%M"
    };
    while tick <= end {
        let tx = x(tick);
        let _ = writeln!(
            out,
            "<line class=\"grid\" x1=\"{tx:.1}\" y1=\"{:.1}\" x2=\"{tx:.1}\" y2=\"{bottom:.1}\"/><text class=\"tick\" x=\"{tx:.1}\" y=\"{:.1}\">{}</text>",
            TOP - 6.0,
            bottom + 16.0,
            tick.format(fmt)
        );
        tick += Duration::seconds(step);
    }
    let _ = writeln!(
        out,
        "<text class=\"axis-note\" x=\"{PLOT_RIGHT}\" y=\"{:.1}\">UTC, run started {}</text>",
        bottom + 30.0,
        timestamp(start)
    );
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + i as f64 * ROW;
        let label = truncate(&row.label, if row.wait { 36 } else { 34 });
        let _ = writeln!(
            out,
            "<text class=\"label{}\" x=\"{:.1}\" y=\"{:.1}\">{}<title>{}</title></text>",
            if row.wait { " wait-label" } else { "" },
            LABEL_WIDTH,
            y + ROW / 2.0 + 4.0,
            escape(&label),
            escape(&row.label)
        );
        match row.span {
            Some((a, b)) => {
                let (x1, x2) = (x(a), x(b));
                let width = (x2 - x1).max(4.0);
                let _ = writeln!(
                    out,
                    "<rect class=\"bar {}{}\" x=\"{x1:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{:.1}\" rx=\"3\"><title>{}</title></rect>",
                    row.class,
                    if row.items.is_empty() { "" } else { " phase" },
                    y + 6.0,
                    ROW - 12.0,
                    escape(&row.tip)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "<text class=\"none\" x=\"{PLOT_LEFT}\" y=\"{:.1}\">nothing answered</text>",
                    y + ROW / 2.0 + 4.0
                );
            }
        }
        // Each item links to its entry in the list below; one answered in
        // no time (`A`, or a pipeline's answers) is still a sliver.
        for item in &row.items {
            let (x1, x2) = (x(item.span.0), x(item.span.1));
            let _ = writeln!(
                out,
                "<a href=\"#item-{}\"><rect class=\"item-bar {}\" x=\"{x1:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"><title>{}</title></rect></a>",
                escape(&item.id),
                item.class,
                y + 8.0,
                (x2 - x1).max(2.0),
                ROW - 16.0,
                escape(&item.tip)
            );
        }
        for (at, tip) in &row.gates {
            let gx = x(*at);
            let cy = y + ROW / 2.0;
            let _ = writeln!(
                out,
                "<path class=\"gate\" d=\"M{gx:.1} {:.1} L{:.1} {cy:.1} L{gx:.1} {:.1} L{:.1} {cy:.1} Z\"><title>{}</title></path>",
                cy - 7.0,
                gx + 7.0,
                cy + 7.0,
                gx - 7.0,
                escape(tip)
            );
        }
    }
    if let Some(rollback) = &record.rollback {
        let rx = x(rollback.at);
        let _ = writeln!(
            out,
            "<line class=\"rollback\" x1=\"{rx:.1}\" y1=\"{:.1}\" x2=\"{rx:.1}\" y2=\"{bottom:.1}\"><title>rollback called at {} UTC</title></line><text class=\"rollback-label\" x=\"{rx:.1}\" y=\"{:.1}\">rollback {}</text>",
            TOP - 4.0,
            rollback.at.format("%H:%M:%S"),
            TOP - 8.0,
            rollback.at.format("%H:%M:%S")
        );
        for (at, call) in later_calls(record) {
            let lx = x(at);
            let _ = writeln!(
                out,
                "<line class=\"rollback later\" x1=\"{lx:.1}\" y1=\"{:.1}\" x2=\"{lx:.1}\" y2=\"{bottom:.1}\"><title>also at {} UTC: {}</title></line>",
                TOP - 4.0,
                at.format("%H:%M:%S"),
                escape(&call)
            );
        }
    }
    out.push_str("</svg>\n<p class=\"legend\"><span class=\"key ok phase\"></span>phase, first to last answer <span class=\"key ok\"></span>item, shown to answered <span class=\"key wait\"></span>wait <span class=\"key warn\"></span>skipped or waived <span class=\"key bad\"></span>failed or occurred <span class=\"key gate\"></span>gate decision");
    if record.rollback.is_some() {
        out.push_str(" <span class=\"key rollback\"></span>rollback called");
    }
    out.push_str("</p>\n</section>\n");
}

/// Seconds between ticks: a round step giving at most about 8 ticks.
fn tick_step(total: i64) -> i64 {
    const STEPS: [i64; 17] = [
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
    ];
    STEPS
        .into_iter()
        .find(|step| total / step <= 8)
        .unwrap_or(86400 * (total / (86400 * 8) + 1))
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}
