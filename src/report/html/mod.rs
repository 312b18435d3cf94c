//! One self-contained HTML page: inline CSS, an inline SVG timeline, no
//! scripts and nothing fetched, so it can be attached to a ticket or
//! archived and still open years later. Every piece of user text goes
//! through [`escape`]. The timeline is drawn in `timeline.rs`.

mod timeline;

use std::fmt::Write;

use crate::record::{Decision, GateDecision, ItemResult, Outcome, Record, Status};

use super::text::digest_words;
use super::{
    Options, View, banner, command_ok, command_summary, counts, glyph, later_calls, rollback_cause,
    signoff_counts, timestamp, words,
};

pub fn html(record: &Record, options: &Options) -> String {
    let view = View::new(record, options);
    let mut out = String::new();
    let title = format!(
        "{} — {}",
        record.checklist.title,
        banner(record.run.outcome)
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"relcheck\">\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n",
        escape(&title)
    );
    header(&mut out, &view);
    timeline::timeline(&mut out, record, options);
    // What decided the run comes before the item lists.
    rollback(&mut out, record, options);
    gates(&mut out, &view, options);
    items(&mut out, &view);
    signoffs(&mut out, record);
    let _ = write!(
        out,
        "<footer>Record <code>{}</code> · {} · written by relcheck {}</footer>\n</main>\n</body>\n</html>\n",
        escape(&record.run.id),
        escape(digest_words(record)),
        escape(&record.run.relcheck_version)
    );
    out
}

/// Text made safe in HTML, in element content and in quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn outcome_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Success => "success",
        Outcome::RollingBack => "rolling-back",
        Outcome::RolledBack => "rolled-back",
        Outcome::Failed => "failed",
        Outcome::Aborted => "aborted",
        Outcome::Incomplete => "incomplete",
        Outcome::InProgress => "in-progress",
    }
}

fn status_class(status: Status) -> &'static str {
    match status {
        Status::NotApplicable => "n-a",
        other => other.as_str(),
    }
}

fn header(out: &mut String, view: &View<'_>) {
    let record = view.record;
    let _ = write!(
        out,
        "<header id=\"summary\" class=\"banner outcome-{}\">\n<p class=\"outcome\">{}</p>\n<h1>{}</h1>\n<p class=\"path\">{}</p>\n<p class=\"counts\">{}</p>\n<dl class=\"facts\">\n",
        outcome_class(record.run.outcome),
        banner(record.run.outcome),
        escape(&record.checklist.title),
        escape(&record.checklist.origin.display()),
        escape(&counts(record))
    );
    let facts = super::facts(record, view);
    for (name, value) in facts {
        let _ = writeln!(
            out,
            "<div><dt>{}</dt><dd>{}</dd></div>",
            escape(&name),
            escape(&value)
        );
    }
    out.push_str("</dl>\n");
    if view.failed_only {
        out.push_str(
            "<p class=\"filter\">Showing only items that failed, were skipped or waived, occurred, or are pending.</p>\n",
        );
    }
    out.push_str("</header>\n");
}

/// A phase's colour, in the timeline and the item list alike.
fn phase_class<'a>(view: &View<'_>, items: impl Iterator<Item = &'a ItemResult>) -> &'static str {
    let mut class = "ok";
    for item in items {
        let waived = view.waiver(item).is_some();
        match item.status {
            Status::Failed | Status::Occurred if !waived => return "bad",
            Status::Failed | Status::Occurred | Status::Skipped => class = "warn",
            _ => {}
        }
    }
    class
}

// ---------------------------------------------------------------------------
// Items

fn items(out: &mut String, view: &View<'_>) {
    out.push_str("<section id=\"items\">\n<h2>Items</h2>\n");
    if view.failed_only && view.phases.is_empty() {
        out.push_str("<p>Nothing failed, was skipped or waived, occurred, or is pending.</p>\n");
    }
    for phase in &view.phases {
        let shown = phase.items().count();
        let count = if view.failed_only {
            format!("{shown} of {} items", phase.total)
        } else if phase.total == 1 {
            "1 item".to_string()
        } else {
            format!("{} items", phase.total)
        };
        let _ = write!(
            out,
            "<details class=\"phase {}\" open>\n<summary><h3>{}</h3> <span class=\"count\">{count}</span></summary>\n",
            phase_class(view, phase.items()),
            escape(&phase.title)
        );
        for section in &phase.sections {
            if let Some(title) = &section.title {
                let _ = writeln!(out, "<h4>{}</h4>", escape(title));
            }
            if let Some(reason) = section.not_needed {
                let _ = writeln!(
                    out,
                    "<p class=\"section-note\">Not needed: {}.</p>",
                    escape(reason)
                );
            }
            if let Some(expected) = &section.expected_output {
                let _ = writeln!(
                    out,
                    "<p class=\"expected\"><span class=\"label\">Expected:</span> {}</p>",
                    escape(expected)
                );
            }
            out.push_str("<ul class=\"items\">\n");
            for item in &section.items {
                item_html(out, view, section, item);
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}

fn item_html(
    out: &mut String,
    view: &View<'_>,
    section: &super::SectionView<'_>,
    item: &ItemResult,
) {
    let waived = view.waiver(item).is_some();
    let _ = write!(
        out,
        "<li class=\"item status-{}{}\" id=\"item-{}\"><span class=\"badge\">{} {}</span> <span class=\"text\">{}</span>",
        status_class(item.status),
        if waived { " waived" } else { "" },
        escape(&item.id),
        glyph(item.status),
        words(item.status),
        escape(&view.text(item))
    );
    if let Some(answer) = view.answer(item) {
        let _ = write!(out, " <span class=\"answer\">{}</span>", escape(&answer));
    }
    if item.optional {
        out.push_str(" <span class=\"optional\">optional</span>");
    }
    let details = view.details(item, section);
    if !details.is_empty() {
        out.push_str("\n<dl class=\"details\">");
        for detail in details {
            let class = if detail.label == "waived" {
                " class=\"waiver\""
            } else if detail.alert {
                " class=\"alert\""
            } else {
                ""
            };
            let _ = write!(
                out,
                "<div{class}><dt>{}</dt><dd>{}</dd></div>",
                escape(detail.label),
                if detail.links {
                    crate::report::links::html(&detail.text)
                } else {
                    escape(&detail.text)
                }
            );
        }
        out.push_str("</dl>");
    }
    if let Some(command) = &item.rare.command {
        let ok = command_ok(command);
        let _ = write!(
            out,
            "\n<details class=\"command{}\"{}><summary><code>$ {}</code> <span class=\"exit\">{}</span></summary>",
            if ok { "" } else { " command-failed" },
            if ok { "" } else { " open" },
            escape(command.command.lines().next().unwrap_or("")),
            escape(&command_summary(command))
        );
        if command.command.lines().count() > 1 {
            let _ = write!(
                out,
                "<pre class=\"script\">{}</pre>",
                escape(&command.command)
            );
        }
        if command.truncated_bytes > 0 {
            let _ = write!(
                out,
                "<p class=\"truncated\">The first {} bytes of output were not kept.</p>",
                command.truncated_bytes
            );
        }
        let _ = write!(
            out,
            "<pre class=\"output\">{}</pre></details>",
            if command.output.is_empty() {
                "(no output)".to_string()
            } else {
                escape(&command.output)
            }
        );
    }
    out.push_str("</li>\n");
}

fn gates(out: &mut String, view: &View<'_>, options: &Options) {
    let record = view.record;
    if record.gates.is_empty() {
        return;
    }
    out.push_str("<section id=\"gates\">\n<h2>Gates</h2>\n<ul class=\"gates\">\n");
    for gate in &record.gates {
        let (class, decision) = match gate.decision {
            GateDecision::Waive => ("waive", "waived"),
            GateDecision::Rollback => ("rollback", "rolled back"),
            GateDecision::Abort => ("abort", "aborted"),
            GateDecision::Stop => ("stop", "stopped"),
        };
        let _ = write!(
            out,
            "<li class=\"gate-{class}\"><strong>{}</strong>: {decision} by {} at {}",
            escape(&options.titles.phase(&gate.phase)),
            escape(&gate.by),
            timestamp(gate.at)
        );
        if let Some(reason) = &gate.reason {
            let _ = write!(out, "<br>reason: {}", escape(reason));
        }
        out.push_str("<ul>");
        for id in &gate.items {
            let text = record
                .item(id)
                .map_or_else(|| id.clone(), |item| view.text(item));
            let _ = write!(out, "<li>{}</li>", escape(&text));
        }
        out.push_str("</ul></li>\n");
    }
    out.push_str("</ul>\n</section>\n");
}

fn rollback(out: &mut String, record: &Record, options: &Options) {
    let Some(rollback) = &record.rollback else {
        return;
    };
    let _ = write!(
        out,
        "<section id=\"rollback\">\n<h2>Rollback</h2>\n<dl class=\"rows\">\n<div><dt>called</dt><dd>{} by {}</dd></div>\n<div><dt>cause</dt><dd>{}</dd></div>\n",
        timestamp(rollback.at),
        escape(&rollback.by),
        escape(&rollback_cause(record, &options.titles))
    );
    if let Some(reason) = &rollback.reason {
        let _ = writeln!(out, "<div><dt>reason</dt><dd>{}</dd></div>", escape(reason));
    }
    for (at, call) in later_calls(record) {
        let _ = writeln!(
            out,
            "<div><dt>also</dt><dd>{}: {}</dd></div>",
            timestamp(at),
            escape(&call)
        );
    }
    out.push_str("</dl>\n</section>\n");
}

fn signoffs(out: &mut String, record: &Record) {
    let (answered, expected) = signoff_counts(record);
    if record.signoffs.is_empty() && expected == 0 {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"signoffs\">\n<h2>Sign-offs <span class=\"count\">{answered} of {expected}</span></h2>\n"
    );
    if record.signoffs.is_empty() {
        out.push_str("<p>None yet.</p>\n</section>\n");
        return;
    }
    out.push_str("<table>\n<thead><tr><th>Role</th><th>Name</th><th>Decision</th><th>Time</th><th>Signature</th><th>Comment</th></tr></thead>\n<tbody>\n");
    for signoff in &record.signoffs {
        let (class, decision) = match signoff.decision {
            Decision::Approve => ("approve", "approve"),
            Decision::Reject => ("reject", "reject"),
        };
        let _ = writeln!(
            out,
            "<tr class=\"{class}\"><td>{}</td><td>{}</td><td>{decision}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&signoff.role),
            escape(&signoff.name),
            timestamp(signoff.at),
            if signoff.signature.is_some() {
                "signed"
            } else {
                "unsigned"
            },
            escape(signoff.comment.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

const CSS: &str = r#"
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --wait: #0969da; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: #1f2328; background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { font-size: 19px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
h3 { display: inline; font-size: 17px; margin: 0; }
h4 { font-size: 14px; margin: 14px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.banner { border-radius: 8px; padding: 18px 22px; border: 1px solid var(--line); border-left: 10px solid var(--muted); background: var(--bg); }
.banner .outcome { display: inline-block; margin: 0 0 8px; padding: 2px 12px; border-radius: 14px; font-weight: 700; letter-spacing: .08em; color: #fff; background: var(--muted); }
.outcome-success { border-left-color: var(--ok); } .outcome-success .outcome { background: var(--ok); }
.outcome-rolled-back, .outcome-failed, .outcome-aborted { border-left-color: var(--bad); }
.outcome-rolled-back .outcome, .outcome-failed .outcome, .outcome-aborted .outcome { background: var(--bad); }
.outcome-incomplete { border-left-color: var(--warn); } .outcome-incomplete .outcome { background: var(--warn); }
.outcome-in-progress { border-left-color: var(--wait); } .outcome-in-progress .outcome { background: var(--wait); }
.path { margin: 0; color: var(--muted); font-family: ui-monospace, monospace; font-size: 13px; }
.counts { margin: 8px 0; font-weight: 600; }
.filter { margin: 8px 0 0; color: var(--warn); font-weight: 600; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(290px, 1fr)); gap: 4px 20px; margin: 10px 0 0; }
dl.facts div { display: flex; gap: 8px; min-width: 0; }
dl.facts dt { color: var(--muted); min-width: 72px; }
dl.facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
dl.rows { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; padding: 12px 16px; border: 1px solid var(--line); border-left: 5px solid var(--bad); border-radius: 6px; background: #fff5f5; }
dl.rows div { display: contents; }
dl.rows dt { color: var(--muted); }
dl.rows dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
svg.timeline { width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
svg .grid { stroke: #eaeef2; stroke-width: 1; }
svg .tick { font-size: 11px; fill: var(--muted); text-anchor: middle; }
svg .axis-note { font-size: 11px; fill: var(--muted); text-anchor: end; }
svg .label { font-size: 12px; fill: #1f2328; text-anchor: end; }
svg .wait-label { fill: var(--wait); font-style: italic; }
svg .none { font-size: 11px; fill: var(--muted); font-style: italic; }
svg .bar.ok { fill: var(--ok); } svg .bar.bad { fill: var(--bad); } svg .bar.warn { fill: #d4a72c; } svg .bar.wait { fill: var(--wait); opacity: .75; }
svg .bar.phase { opacity: .3; }
svg .item-bar { fill: var(--ok); stroke: #fff; stroke-width: 1; } svg .item-bar.bad { fill: var(--bad); } svg .item-bar.warn { fill: #d4a72c; }
svg a:hover .item-bar, svg a:focus .item-bar { stroke: #1f2328; }
svg .gate { fill: #d4a72c; stroke: #1f2328; stroke-width: 1; }
svg .rollback { stroke: var(--bad); stroke-width: 2; stroke-dasharray: 5 3; }
svg .rollback.later { stroke-width: 1; stroke-dasharray: 2 3; }
svg .rollback-label { font-size: 11px; font-weight: 700; fill: var(--bad); text-anchor: middle; }
.legend { color: var(--muted); font-size: 13px; }
.key { display: inline-block; width: 14px; height: 10px; border-radius: 2px; margin: 0 4px 0 14px; vertical-align: middle; }
.key.ok { background: var(--ok); } .key.phase { opacity: .3; } .key.wait { background: var(--wait); opacity: .75; } .key.warn { background: #d4a72c; } .key.bad { background: var(--bad); }
.key.gate { background: #d4a72c; transform: rotate(45deg); width: 9px; height: 9px; border: 1px solid #1f2328; }
.key.rollback { width: 3px; height: 14px; background: var(--bad); }
details.phase { border: 1px solid var(--line); border-radius: 6px; padding: 6px 14px 10px; margin: 12px 0; }
details.phase.bad { border-left: 5px solid var(--bad); } details.phase.warn { border-left: 5px solid #d4a72c; }
details.phase > summary { cursor: pointer; padding: 4px 0; }
.count { color: var(--muted); font-size: 13px; font-weight: 400; }
.section-note { color: var(--muted); font-style: italic; margin: 2px 0; }
.expected { margin: 2px 0; } .expected .label { color: var(--muted); }
ul.items { list-style: none; margin: 0; padding: 0; }
li.item { padding: 5px 8px; border-radius: 4px; margin: 2px 0; }
li.item + li.item { border-top: 1px solid #f0f3f6; }
.badge { display: inline-block; min-width: 104px; text-align: center; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; background: #eaeef2; color: var(--muted); white-space: nowrap; }
.status-done .badge { background: #dafbe1; color: var(--ok); }
.status-failed .badge, .status-occurred .badge { background: #ffebe9; color: var(--bad); }
.status-skipped .badge, .status-pending .badge { background: #fff8c5; color: var(--warn); }
li.status-failed, li.status-occurred { background: #fff5f5; border-left: 4px solid var(--bad); }
li.status-skipped, li.status-pending { background: #fffbe6; border-left: 4px solid #d4a72c; }
li.waived { background: #fffbe6; border-left: 4px solid #d4a72c; }
li.status-not-needed .text, li.status-n-a .text, li.status-not-occurred .text { color: var(--muted); }
.answer { font-weight: 600; } .answer::before { content: "— "; font-weight: 400; color: var(--muted); }
.optional { font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 8px; padding: 0 6px; }
dl.details { margin: 4px 0 0 116px; font-size: 14px; }
dl.details div { display: flex; gap: 6px; }
dl.details dt { color: var(--muted); white-space: nowrap; } dl.details dt::after { content: ":"; }
dl.details dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
dl.details .alert dd { color: var(--bad); font-weight: 600; }
dl.details .waiver dt, dl.details .waiver dd { color: var(--warn); font-weight: 700; }
details.command { margin: 4px 0 0 116px; font-size: 13px; }
details.command summary { cursor: pointer; color: var(--muted); }
details.command-failed summary .exit { color: var(--bad); font-weight: 700; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0; }
.truncated { color: var(--muted); margin: 4px 0; }
ul.gates li { margin: 4px 0; } .gate-waive > strong { color: var(--warn); } .gate-rollback > strong, .gate-abort > strong, .gate-stop > strong { color: var(--bad); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); font-size: 13px; color: var(--muted); }
tr.approve td:nth-child(3) { color: var(--ok); font-weight: 600; }
tr.reject td:nth-child(3) { color: var(--bad); font-weight: 700; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@media (max-width: 700px) { dl.details, details.command { margin-left: 0; } .badge { min-width: 0; } }
"#;
