//! The unattended prompter of `relcheck run --non-interactive`: answers come
//! from the answers file or from the item's command, everything else stays
//! pending. It never reads standard input. Progress is one line per item on
//! stderr, as test runners print, and on GitHub Actions each failure is
//! also an annotation on the checklist line. At a phase's gate it has no
//! one to ask: the answers file's waiver lets the run go on, and without
//! one the engine stops the pipeline there.
//!
//! The prompter owns the answers file's answers and takes each item's out
//! as the item is asked: a long run's answers are used by the time its
//! record is largest (its sign-offs, at the end), so their memory is
//! free for the record by then.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::answers::{Answers, ItemAnswer};
use crate::exec;
use crate::model::Kind;
use crate::printable::printable;
use crate::prompt::{
    Action, GateAnswer, GateView, ItemView, Overview, Prompter, Reply, StartView, Summary,
    ValueRequest, WaitEnd, WaitView,
};
use crate::record::{EventAction, GateDecision, ItemResult, Provenance, Record, Status};
use crate::style::Style;

/// How many lines of a failed command's output to print under it.
const FAILURE_LINES: usize = 20;

/// GitHub's step summary is cut at 1 MiB; stay well under.
const SUMMARY_LIMIT: usize = 512 * 1024;

pub struct Unattended<'a> {
    /// What is left of the file's answers: an item's is taken out when
    /// the item is asked.
    answers: Answers,
    /// The answer of the item being asked, with its id: asked again (its
    /// answer was refused) the item answers the same, as when the answer
    /// stayed in the map; dropped once the item is settled, or put back if
    /// the run moves to another item first.
    held: Option<(Arc<str>, ItemAnswer)>,
    run_commands: bool,
    err: Box<dyn Write + 'a>,
    style: Style,
    /// Where annotations point: the checklist file, when there is one.
    annotate: Option<Annotations<'a>>,
    source: Option<Provenance>,
    by: Option<String>,
    /// How often each item was asked, so a refused answer cannot loop.
    asked: HashMap<String, usize>,
    output: Vec<u8>,
}

/// GitHub Actions workflow commands, written to stdout.
pub struct Annotations<'a> {
    pub out: Box<dyn Write + 'a>,
    /// The checklist path, when the checklist is a file.
    pub file: Option<String>,
}

impl<'a> Unattended<'a> {
    pub fn new(
        answers: Answers,
        run_commands: bool,
        err: Box<dyn Write + 'a>,
        style: Style,
        annotate: Option<Annotations<'a>>,
    ) -> Unattended<'a> {
        Unattended {
            answers,
            held: None,
            run_commands,
            err,
            style,
            annotate,
            source: None,
            by: None,
            asked: HashMap::new(),
            output: Vec::new(),
        }
    }

    fn sourced_from_file(&mut self) {
        self.source = self.answers.provenance.clone();
    }

    fn sourced_from_command(&mut self) {
        self.source = Some(Provenance {
            kind: "command".to_string(),
            path: None,
            sha256: None,
        });
    }

    /// Asked a second time with a message: the answer was refused. Leave
    /// the item pending rather than loop, and say why in the log (`what`
    /// when the engine gave no reason).
    fn refused(&mut self, view: &ItemView, what: &str) -> bool {
        let count = self.asked.entry(view.id.clone()).or_insert(0);
        *count += 1;
        let refused =
            *count > 3 || (view.message.is_some() && view.suggested.is_none() && *count > 1);
        if refused {
            let _ = writeln!(
                self.err,
                "{}: {}: {}",
                self.style.yellow("warning"),
                view.id,
                printable(view.message.as_deref().unwrap_or(what))
            );
        }
        refused
    }

    /// The file's answer for item `id`, taken out of the map and held
    /// until the item is settled.
    fn take_answer(&mut self, id: &str) -> Option<ItemAnswer> {
        if self.held.as_ref().is_some_and(|(held, _)| **held != *id)
            && let Some((other, answer)) = self.held.take()
        {
            // Another item is asked before the held one was settled (the
            // run moved on): its answer goes back for when it is asked.
            self.answers.items.insert(other, answer);
        }
        if self.held.is_none() {
            self.held = Some(self.answers.items.remove_entry(id)?);
        }
        self.held.as_ref().map(|(_, answer)| answer.clone())
    }

    /// How many item answers of the file are not used yet (the one held
    /// for the item being asked counts as used).
    pub fn unused_answers(&self) -> usize {
        self.answers.items.len()
    }

    /// A warning for each answer the run never asked for that says
    /// something went wrong (failed, occurred): that word is not in the
    /// record, and on a bad night it must not vanish. Other answers kept
    /// ready (rollback steps a successful run never walks, steps after a
    /// gate that stopped it) are left unsaid: a file may well hold them.
    fn warn_unused_failures(&mut self) {
        for (id, answer) in self.answers.items.iter() {
            if !matches!(answer.status, Status::Failed | Status::Occurred) {
                continue;
            }
            let note = answer.said.as_ref().and_then(|said| said.note.as_deref());
            let said = match note {
                Some(note) => format!("{} ({note})", answer.status.as_str()),
                None => answer.status.as_str().to_string(),
            };
            let _ = writeln!(
                self.err,
                "{}: {}",
                self.style.yellow("warning"),
                printable(&format!(
                    "{id}: the answers file says {said}, but the run did not ask it, so that answer is not in the record"
                ))
            );
        }
    }

    fn action_for(&mut self, answer: ItemAnswer) -> Action {
        self.sourced_from_file();
        let said = answer.said.map(|said| *said).unwrap_or_default();
        self.by = said.by;
        match answer.status {
            Status::Done => match said.value {
                Some(value) => Action::Value(value),
                None => Action::Done { note: said.note },
            },
            Status::Failed => Action::Failed { note: said.note },
            Status::Skipped => Action::Skip {
                reason: said.reason.unwrap_or_default(),
            },
            Status::NotApplicable => Action::NotApplicable {
                reason: said.reason,
            },
            Status::Occurred => Action::Occurred {
                what: said.note.or(said.reason).unwrap_or_default(),
            },
            Status::NotOccurred => Action::NotOccurred,
            Status::Pending | Status::NotNeeded | Status::NotRun => Action::Pending,
        }
    }

    /// `WORD    NAME EXTRA`, the word padded so names line up.
    fn line(&mut self, word: &str, name: &str, extra: &str) {
        let label = match word {
            "ok" => self.style.green(&format!("{word:<7}")),
            "FAIL" | "stop" => self.style.red(&format!("{word:<7}")),
            "pending" | "waived" => self.style.yellow(&format!("{word:<7}")),
            _ => self.style.dim(&format!("{word:<7}")),
        };
        // Names, notes and reasons come from the checklist and the answers
        // file: shown as text, never as terminal escapes, and on this one
        // line, so a note cannot start a line of its own (`::error::...`
        // would be a workflow command to a CI runner).
        let one_line = |text: &str| printable(text).replace('\n', " / ");
        // In one write: `writeln!` to the unbuffered stderr wrote the
        // word, the name and the line end apart, so a job killed between
        // them left `ok` with no name on the log's last line.
        let line = format!("{label} {}{}\n", one_line(name), one_line(extra));
        let _ = self.err.write_all(line.as_bytes());
    }
}

impl Prompter for Unattended<'_> {
    fn start(&mut self, view: &StartView) {
        let c = view.counts;
        let _ = writeln!(
            self.err,
            "{}: {} items ({} checks, {} triggers, {} fields, {} sign-offs)",
            printable(&view.title),
            c.items,
            c.check,
            c.trigger,
            c.field,
            c.signoff
        );
    }

    fn ask_value(&mut self, request: &ValueRequest) -> Reply<Option<String>> {
        Reply::Answer(self.answers.variables.get(&request.name).cloned())
    }

    fn ask_item(&mut self, view: &ItemView) -> Reply<Action> {
        self.source = None;
        self.by = None;
        if self.refused(view, "answer refused") {
            return Reply::Answer(Action::Pending);
        }
        if let Some(answer) = self.take_answer(&view.id) {
            if view.measure.is_some()
                && !matches!(answer.status, Status::Skipped | Status::NotApplicable)
            {
                self.sourced_from_file();
                let said = answer.said.map(|said| *said).unwrap_or_default();
                self.by = said.by;
                return Reply::Answer(Action::Measured {
                    value: said.value,
                    status: (!answer.by_number).then_some(answer.status),
                    note: said.note,
                });
            }
            return Reply::Answer(self.action_for(answer));
        }
        if let Some(suggested) = view.suggested {
            self.sourced_from_command();
            let run = view.result.rare.command.as_ref();
            let summary =
                run.map_or_else(String::new, |run| match (run.timed_out, run.exit_code) {
                    (true, _) => format!(
                        "command {}; {}",
                        run.timeout_seconds.map_or_else(
                            || format!("timed out after {:.0} s", run.duration_seconds),
                            exec::timed_out_after
                        ),
                        exec::stopping(run.killed)
                    ),
                    (false, Some(code)) => format!("command exited {code}"),
                    (false, None) => "command was killed".to_string(),
                });
            return Reply::Answer(match suggested {
                Status::Done => Action::Done { note: None },
                Status::NotOccurred => Action::NotOccurred,
                Status::Occurred => Action::Occurred { what: summary },
                _ => Action::Failed {
                    note: Some(summary),
                },
            });
        }
        // A section's command is the operator's to run from the item it
        // informs; run for each of its items it would settle "All warnings
        // reviewed" by an exit code. One already run is not run again
        // unless the run's own stop cut it short (a cancelled job, a
        // closed terminal): resumed, the pipeline does what it had not
        // finished. One a person stopped with Ctrl-C stays theirs.
        if view.command.is_some()
            && !view.section_command
            && self.run_commands
            && (view.result.rare.command.is_none() || view.command_stopped_with_run)
        {
            return Reply::Answer(Action::RunCommand);
        }
        Reply::Answer(Action::Pending)
    }

    fn ask_field(&mut self, view: &ItemView, _request: &ValueRequest) -> Reply<Action> {
        self.ask_item(view)
    }

    fn ask_signoff(&mut self, view: &ItemView) -> Reply<Action> {
        self.source = None;
        if self.refused(view, "sign-off refused") {
            return Reply::Answer(Action::Pending);
        }
        match self.answers.signoffs.get(view.id.as_str()).cloned() {
            Some(answer) => {
                self.sourced_from_file();
                Reply::Answer(Action::Signoff(answer))
            }
            None => Reply::Answer(Action::Pending),
        }
    }

    fn ask_gate(&mut self, view: &GateView) -> Reply<GateAnswer> {
        self.source = None;
        self.by = None;
        // Every item at a gate is of its phase, so the first names it.
        let waiver = view
            .items
            .first()
            .and_then(|item| self.answers.gates.get(&*item.phase));
        // Named by their text, as every log line names items; the record's
        // gate keeps their ids.
        const SHOWN: usize = 3;
        let mut named: Vec<String> = view
            .items
            .iter()
            .take(SHOWN)
            .map(|item| format!("{} {}", item.text, item.status.as_str()))
            .collect();
        if view.items.len() > SHOWN {
            named.push(format!("and {} more", view.items.len() - SHOWN));
        }
        let what = format!("gate after phase \"{}\": {}", view.phase, named.join(", "));
        match waiver {
            Some(waiver) => {
                let reason = waiver.reason.clone();
                self.by = waiver.by.clone();
                self.sourced_from_file();
                self.line("waived", &what, &format!("; waiver: {reason}"));
                Reply::Answer(GateAnswer::Waive { reason })
            }
            None => {
                // No waiver: the engine stops the run here.
                self.line("stop", &what, "");
                Reply::Abort
            }
        }
    }

    fn ask_rollback_needed(&mut self, _phase: &str) -> Reply<bool> {
        self.source = None;
        Reply::Answer(self.answers.rollback_needed.unwrap_or(false))
    }

    fn command_started(&mut self, _script: &str, _timeout: Duration) {
        self.output.clear();
    }

    fn command_output(&mut self, chunk: &[u8]) {
        self.output.extend_from_slice(chunk);
        // Only the tail is ever printed.
        if self.output.len() > 256 * 1024 {
            let cut = self.output.len() - 64 * 1024;
            self.output.drain(..cut);
        }
    }

    fn command_finished(&mut self, _outcome: &exec::Outcome) {}

    fn wait(&mut self, _view: &WaitView, _interrupted: &AtomicBool) -> Reply<WaitEnd> {
        // Nobody watches in a pipeline; the answers file says how it went.
        Reply::Answer(WaitEnd::CutShort)
    }

    fn overview(&mut self, _view: &Overview) -> Reply<()> {
        Reply::Answer(())
    }

    fn answer_source(&mut self) -> Option<Provenance> {
        self.source.take()
    }

    fn answer_by(&mut self) -> Option<String> {
        self.by.take()
    }

    fn settled(&mut self, item: &ItemResult, name: &str) {
        // Its count is for an answer refused again and again; once it is
        // settled the count is done with (a run kept one per item), and so
        // is its answer: a settled item is not asked again. One the run
        // filled in itself was never asked, and its answer goes too.
        self.asked.remove(&*item.id);
        if self
            .held
            .as_ref()
            .is_some_and(|(held, _)| **held == *item.id)
        {
            self.held = None;
        }
        self.answers.items.remove(&item.id);
        let took = item
            .rare
            .command
            .as_ref()
            .map(|run| format!(" ({:.2} s)", run.duration_seconds))
            .unwrap_or_default();
        let why = item
            .rare
            .reason
            .as_deref()
            .or(item.rare.note.as_deref())
            .map(|why| format!(": {why}"))
            .unwrap_or_default();
        // A measured item says its value against the bound, then any note
        // that is not that same summary.
        let (took, why, ok) = match &item.rare.measure {
            Some(measured) => {
                let summary = measured.summary();
                let note = item.rare.note.as_deref().filter(|note| *note != summary);
                let why = note.map(|note| format!("; {note}")).unwrap_or_default();
                let took = format!("{took}: {summary}");
                (took.clone(), why.clone(), format!("{took}{why}"))
            }
            None => (took.clone(), why, took),
        };
        match item.status {
            Status::Done | Status::NotOccurred => self.line("ok", name, &ok),
            Status::Failed | Status::Occurred => {
                self.line("FAIL", name, &format!("{took}{why}"));
                if let Some(run) = &item.rare.command {
                    let lines: Vec<&str> = run.output.lines().collect();
                    for line in &lines[lines.len().saturating_sub(FAILURE_LINES)..] {
                        let _ = writeln!(self.err, "        │ {}", printable(line));
                    }
                }
                if let Some(annotations) = &mut self.annotate {
                    let message = match (&item.rare.command, item.rare.note.as_deref()) {
                        (Some(run), _) => {
                            let tail: Vec<&str> =
                                run.output.lines().rev().take(FAILURE_LINES).collect();
                            let tail: Vec<&str> = tail.into_iter().rev().collect();
                            format!(
                                "{} {}\n{}",
                                item.status.as_str(),
                                why.trim_start_matches(": "),
                                tail.join("\n")
                            )
                        }
                        (None, Some(note)) => format!("{}: {note}", item.status.as_str()),
                        (None, None) => item.status.as_str().to_string(),
                    };
                    let _ = writeln!(
                        annotations.out,
                        "{}",
                        github_error(
                            annotations.file.as_deref(),
                            item.line,
                            &printable(name),
                            &printable(&message)
                        )
                    );
                }
            }
            Status::Skipped | Status::NotApplicable | Status::NotNeeded | Status::NotRun => {
                self.line("skip", name, &why)
            }
            Status::Pending => self.line(
                "pending",
                name,
                if item.kind == Kind::Signoff {
                    " (sign-off)"
                } else if item.rare.command.as_ref().is_some_and(|run| run.running) {
                    // Killed mid-command: it may have done its work, so
                    // it is not run again by itself (a deploy twice).
                    ": its command was running when relcheck stopped, and may have done its work; not run again (answer it in the answers file, or at a terminal)"
                } else {
                    ""
                },
            ),
        }
    }

    fn finish(&mut self, summary: &Summary) {
        self.warn_unused_failures();
        let count = |names: &[&str]| -> usize {
            names
                .iter()
                .map(|n| summary.counts.get(*n).copied().unwrap_or(0))
                .sum()
        };
        // Items a gate stopped are said apart: they are neither skipped
        // nor waiting for an answer.
        let not_run = match count(&["not-run"]) {
            0 => String::new(),
            n => format!(", {n} not run"),
        };
        // Steps the run itself set aside (rollback steps of a run that
        // did not roll back, success-only steps of one that did) were
        // never skipped by anyone: said apart too.
        let not_needed = match count(&["not-needed"]) {
            0 => String::new(),
            n => format!(", {n} not needed"),
        };
        let _ = writeln!(
            self.err,
            "{} passed, {} failed, {} skipped, {} pending{not_needed}{not_run}",
            count(&["done", "not-occurred"]),
            count(&["failed", "occurred"]),
            count(&["skipped", "n/a"]),
            count(&["pending"]),
        );
    }
}

/// `::error file=F,line=N,title=T::MESSAGE`, escaped as the runner reads
/// it: `%`, CR and LF everywhere, and `:` and `,` in properties too.
pub fn github_error(file: Option<&str>, line: usize, title: &str, message: &str) -> String {
    let mut properties = Vec::new();
    if let Some(file) = file {
        properties.push(format!("file={}", escape_property(file)));
        properties.push(format!("line={line}"));
    }
    properties.push(format!("title={}", escape_property(title)));
    format!("::error {}::{}", properties.join(","), escape_data(message))
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A Markdown summary of a run for `$GITHUB_STEP_SUMMARY`, under 1 MiB.
pub fn step_summary(record: &Record) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for item in &record.items {
        match counts.iter_mut().find(|(s, _)| s == item.status.as_str()) {
            Some((_, n)) => *n += 1,
            None => counts.push((item.status.as_str().to_string(), 1)),
        }
    }
    // A cancelled job's run is in progress, stopped by what its log's
    // last event names: said so, not left to read as waiting on answers.
    // (A notification that failed is logged after it.)
    let stopped = record
        .events
        .iter()
        .rev()
        .find(|event| event.action != EventAction::NotifyFailed)
        .filter(|event| record.run.finished.is_none() && event.action == EventAction::Interrupt)
        .map(|event| event.detail.as_deref().unwrap_or("a signal"));
    let outcome = match stopped {
        Some(cause) => format!("stopped by {}", escape_markdown(cause)),
        None => record.run.outcome.as_str().to_string(),
    };
    let mut out = format!(
        "## relcheck: {}: {outcome}\n\n| status | items |\n|---|---|\n",
        escape_markdown(&record.checklist.title),
    );
    for (status, n) in counts {
        out.push_str(&format!("| {status} | {n} |\n"));
    }
    let failed: Vec<&ItemResult> = record
        .items
        .iter()
        .filter(|i| matches!(i.status, Status::Failed | Status::Occurred))
        .collect();
    if !failed.is_empty() {
        out.push_str("\n### Failed\n\n");
        for item in failed {
            let why = item.rare.note.as_deref().unwrap_or("");
            let line = format!(
                "- **{}** (`{}`) {}\n",
                escape_markdown(&crate::template::fill(&item.text, &record.values)),
                item.id,
                escape_markdown(why)
            );
            if out.len() + line.len() > SUMMARY_LIMIT {
                out.push_str("- … (cut to stay under GitHub's summary limit)\n");
                break;
            }
            out.push_str(&line);
        }
    }
    if !record.gates.is_empty() {
        out.push_str("\n### Gates\n\n");
        for gate in &record.gates {
            let decision = match gate.decision {
                GateDecision::Stop => "stopped the run",
                GateDecision::Waive => "waived",
                GateDecision::Rollback => "rolled back",
                GateDecision::Abort => "aborted",
            };
            out.push_str(&format!(
                "- after `{}`: {decision}: {}\n",
                gate.phase,
                escape_markdown(gate.reason.as_deref().unwrap_or(""))
            ));
        }
    }
    let pending = record
        .items
        .iter()
        .filter(|i| i.status == Status::Pending)
        .count();
    let are = if pending == 1 { "item is" } else { "items are" };
    match (pending, stopped) {
        (0, _) => {}
        (_, Some(_)) => out.push_str(&format!(
            "\n{pending} {are} pending: the run was stopped first; `relcheck resume` the record to go on.\n"
        )),
        (_, None) => out.push_str(&format!(
            "\n{pending} {are} pending: they need an answer in the answers file.\n"
        )),
    }
    out
}

fn escape_markdown(text: &str) -> String {
    let text = printable(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\`*_[]<>|#".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cancelled job's summary says what stopped it, not that its open
    /// items wait for answers in the answers file.
    #[test]
    fn a_stopped_runs_summary_says_what_stopped_it() {
        let record: Record = crate::yaml::from_str(
            r#"
schema: relcheck/record/v2
checklist: {title: Ship, origin: {file: s.md}, sha256: x}
run: {id: r, operator: ci, host: h, started: 2026-01-01T10:00:00Z, mode: non-interactive, outcome: in-progress, relcheck_version: 0.1.0}
items:
- {id: p/a, phase: p, section: p, text: A, line: 1, status: done, by: ci, at: 2026-01-01T10:00:30Z}
- {id: p/b, phase: p, section: p, text: B, line: 2, status: pending}
events:
- {at: 2026-01-01T10:00:00Z, action: start}
- {at: 2026-01-01T10:00:40Z, action: interrupt, detail: SIGTERM}
- {at: 2026-01-01T10:00:41Z, action: notify-failed, detail: "dev.relcheck.run.started.v1 to http://127.0.0.1:9: connection refused"}
"#,
        )
        .unwrap();
        assert_eq!(
            step_summary(&record),
            "## relcheck: Ship: stopped by SIGTERM\n\n| status | items |\n|---|---|\n| done | 1 |\n| pending | 1 |\n\n1 item is pending: the run was stopped first; `relcheck resume` the record to go on.\n"
        );
    }

    #[test]
    fn annotations_escape_data_and_properties() {
        assert_eq!(
            github_error(
                Some("deploy.md"),
                12,
                "Smoke tests: pass, all",
                "exit 1\n100% broken\r"
            ),
            "::error file=deploy.md,line=12,title=Smoke tests%3A pass%2C all::exit 1%0A100%25 broken%0D"
        );
        assert_eq!(github_error(None, 3, "x", "y"), "::error title=x::y");
    }
}
