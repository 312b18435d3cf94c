//! A record as it may be shown: every string in it from a person, a file
//! or a command made [`printable`], so a note or an output holding escape
//! sequences is shown as text and never drives the reader's terminal. The
//! copy keeps the original's integrity verdict: whether the file was edited
//! is a fact about the file, not about what is shown.

use crate::printable::{one_line, printable};
use crate::record::{DigestCheck, Record, check_digest, digest};

/// `text` on one line ([`one_line`]), as a `String`, a boxed text or a
/// shared one: replaced only where it needs cleaning, so an item's shared
/// strings stay shared.
fn line<T: std::ops::Deref<Target = str> + From<String>>(text: &mut T) {
    if let std::borrow::Cow::Owned(clean) = one_line(text) {
        *text = clean.into();
    }
}

/// The record to render for people (text, Markdown, HTML). JSON and JUnit
/// escape control characters themselves and take the record as it is.
pub fn displayable(record: &Record) -> Record {
    let mut shown = record.clone();
    let clean = |text: &mut String| {
        if let std::borrow::Cow::Owned(clean) = printable(text) {
            *text = clean;
        }
    };
    let clean_opt = |text: &mut Option<String>| {
        if let Some(text) = text {
            clean(text);
        }
    };
    // Names, ids, titles and values stay on one line: a name with a
    // newline in it could pass for a line of the report of its own (and a
    // CI log reads one starting `::error::` as a command). Notes, reasons,
    // commands and output keep their lines.
    let line_opt = |text: &mut Option<String>| {
        if let Some(text) = text {
            line(text);
        }
    };
    line(&mut shown.checklist.title);
    line(&mut shown.run.id);
    match &mut shown.checklist.origin {
        crate::record::Origin::File { file } => line(file),
        crate::record::Origin::Bundled { bundled, relcheck } => {
            line(bundled);
            line(relcheck);
        }
    }
    // Ids too: a record from someone else may hold anything in them, and
    // a report names an id where it has no title for it (a gate's items, a
    // later trigger, an HTML anchor).
    for phase in &mut shown.checklist.phases {
        line(&mut phase.id);
        line(&mut phase.title);
        clean_opt(&mut phase.expected_output);
        for section in &mut phase.sections {
            line(&mut section.id);
            line(&mut section.title);
            clean_opt(&mut section.expected_output);
        }
    }
    line(&mut shown.run.operator);
    line(&mut shown.run.host);
    // A value's name is the file's text too (`--set` or an answers file).
    shown.values = std::mem::take(&mut shown.values)
        .into_iter()
        .map(|(mut name, mut value)| {
            line(&mut name);
            line(&mut value);
            (name, value)
        })
        .collect();
    if let Some(rollback) = &mut shown.rollback {
        line(&mut rollback.by);
        line(&mut rollback.cause);
        clean_opt(&mut rollback.reason);
        for call in &mut rollback.later {
            line(&mut call.by);
            line(&mut call.item);
            clean_opt(&mut call.what);
        }
    }
    for item in &mut shown.items {
        line(&mut item.id);
        line(&mut item.phase);
        line(&mut item.section);
        line(&mut item.text);
        if let Some(shown) = &mut item.shown {
            line(shown);
        }
        line_opt(&mut item.rare.value);
        if let Some(by) = &mut item.by {
            line(by);
        }
        clean_opt(&mut item.rare.note);
        clean_opt(&mut item.rare.reason);
        line_opt(&mut item.rare.role);
        if let Some(measured) = &mut item.rare.measure {
            line(&mut measured.bound);
            line_opt(&mut measured.value);
            line_opt(&mut measured.baseline);
        }
        if let Some(command) = &mut item.rare.command {
            clean(&mut command.command);
            clean(&mut command.output);
        }
        if let Some(source) = &mut item.source
            && source
                .path
                .as_deref()
                .is_some_and(|path| printable(path) != path)
        {
            clean_opt(&mut std::sync::Arc::make_mut(source).path);
        }
    }
    for gate in &mut shown.gates {
        line(&mut gate.phase);
        gate.items.iter_mut().for_each(line);
        line(&mut gate.by);
        clean_opt(&mut gate.reason);
        if let Some(source) = &mut gate.source {
            clean_opt(&mut source.path);
        }
    }
    for signoff in &mut shown.signoffs {
        line(&mut signoff.role);
        line(&mut signoff.name);
        clean_opt(&mut signoff.comment);
        line_opt(&mut signoff.item);
        clean_opt(&mut signoff.forced);
    }
    for event in &mut shown.events {
        line(&mut event.by);
        line_opt(&mut event.item);
        clean_opt(&mut event.detail);
    }
    if shown != *record {
        // The summary names phases and items too: made again of what is
        // shown, where the original's held for the original.
        if let Some(summary) = &record.summary
            && summary.holds_for(record)
        {
            let mut fresh = crate::record::Summary::of(&shown);
            if summary.metrics.is_none() {
                fresh.metrics = None;
            }
            shown.summary = Some(fresh);
        }
        shown.digest = match check_digest(record) {
            DigestCheck::Matches(_) => Some(digest(&shown)),
            DigestCheck::Differs => Some("edited".to_string()),
            DigestCheck::Missing => None,
        };
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        let checklist = crate::parse::parse(&crate::source::Source::from_text(
            "d.md",
            "# D\n- [ ] Ship\n",
        ))
        .checklist;
        let clock = crate::session::TestClock::new(chrono::DateTime::UNIX_EPOCH);
        let options = crate::session::Options::for_tests();
        let flag = std::sync::atomic::AtomicBool::new(false);
        crate::session::Session::start(&checklist, &clock, options, &flag, "run".into()).record
    }

    #[test]
    fn escapes_in_a_note_are_dropped_and_the_verdict_kept() {
        let mut record = record();
        record.items[0].rare.note = Some("5xx \x1b[2J\x1b]0;PWN\x07spike".into());
        record
            .values
            .insert("\x1b[31mticket".into(), "T-1\x1b[0m".into());
        // Ids a report names where it has no title: a gate's items and
        // phase, a trigger after the rollback, an anchor.
        let evil = "x\x1b[2J\u{9b}2J\u{202e}y";
        record.gates.push(crate::record::Gate {
            phase: evil.into(),
            decision: crate::record::GateDecision::Waive,
            reason: None,
            by: "Ada".into(),
            at: record.run.started,
            items: vec![evil.into()],
            source: None,
        });
        record.rollback = Some(crate::record::Rollback {
            at: record.run.started,
            by: "Ada".into(),
            cause: "operator".into(),
            reason: None,
            later: vec![crate::record::LaterCall {
                at: record.run.started,
                by: "Ada".into(),
                item: evil.into(),
                what: None,
            }],
        });
        record.items[0].id = evil.into();
        crate::record::seal(&mut record);
        let shown = displayable(&record);
        let gate = &shown.gates[0];
        let later = &shown.rollback.as_ref().unwrap().later[0];
        for id in [
            &gate.phase,
            &gate.items[0],
            &later.item,
            &shown.items[0].id.to_string(),
        ] {
            assert_eq!(id, "x\u{fffd}2J\u{fffd}y");
        }
        assert_eq!(shown.items[0].rare.note.as_deref(), Some("5xx spike"));
        assert_eq!(
            shown.values.iter().collect::<Vec<_>>(),
            [(&"ticket".to_string(), &"T-1".to_string())]
        );
        assert!(matches!(check_digest(&shown), DigestCheck::Matches(_)));
        record.items[0].rare.note = Some("edited \x1b[2J".into());
        assert_eq!(check_digest(&displayable(&record)), DigestCheck::Differs);
    }
}
