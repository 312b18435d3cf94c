//! A record as it may be shown: every string in it from a person, a file
//! or a command made [`printable`], so a note or an output holding escape
//! sequences is shown as text and never drives the reader's terminal. The
//! copy keeps the original's integrity verdict: whether the file was edited
//! is a fact about the file, not about what is shown.

use crate::printable::printable;
use crate::record::{DigestCheck, Record, check_digest, digest};

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
    // An item's shared strings are copied only where they need cleaning.
    let clean_shared = |text: &mut std::sync::Arc<str>| {
        if let std::borrow::Cow::Owned(clean) = printable(text) {
            *text = clean.into();
        }
    };
    clean(&mut shown.checklist.title);
    clean(&mut shown.run.id);
    match &mut shown.checklist.origin {
        crate::record::Origin::File { file } => clean(file),
        crate::record::Origin::Bundled { bundled, relcheck } => {
            clean(bundled);
            clean(relcheck);
        }
    }
    // Ids too: a record from someone else may hold anything in them, and
    // a report names an id where it has no title for it (a gate's items, a
    // later trigger, an HTML anchor).
    for phase in &mut shown.checklist.phases {
        clean(&mut phase.id);
        clean(&mut phase.title);
        clean_opt(&mut phase.expected_output);
        for section in &mut phase.sections {
            clean(&mut section.id);
            clean(&mut section.title);
            clean_opt(&mut section.expected_output);
        }
    }
    clean(&mut shown.run.operator);
    clean(&mut shown.run.host);
    // A value's name is the file's text too (`--set` or an answers file).
    shown.values = std::mem::take(&mut shown.values)
        .into_iter()
        .map(|(mut name, mut value)| {
            clean(&mut name);
            clean(&mut value);
            (name, value)
        })
        .collect();
    if let Some(rollback) = &mut shown.rollback {
        clean(&mut rollback.by);
        clean(&mut rollback.cause);
        clean_opt(&mut rollback.reason);
        for call in &mut rollback.later {
            clean(&mut call.by);
            clean(&mut call.item);
            clean_opt(&mut call.what);
        }
    }
    for item in &mut shown.items {
        clean_shared(&mut item.id);
        clean_shared(&mut item.phase);
        clean_shared(&mut item.section);
        clean_shared(&mut item.text);
        clean_opt(&mut item.shown);
        clean_opt(&mut item.rare.value);
        if let Some(by) = &mut item.by {
            clean_shared(by);
        }
        clean_opt(&mut item.rare.note);
        clean_opt(&mut item.rare.reason);
        clean_opt(&mut item.rare.role);
        if let Some(measured) = &mut item.rare.measure {
            clean(&mut measured.bound);
            clean_opt(&mut measured.value);
            clean_opt(&mut measured.baseline);
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
        clean(&mut gate.phase);
        gate.items.iter_mut().for_each(clean);
        clean(&mut gate.by);
        clean_opt(&mut gate.reason);
        if let Some(source) = &mut gate.source {
            clean_opt(&mut source.path);
        }
    }
    for signoff in &mut shown.signoffs {
        clean(&mut signoff.role);
        clean(&mut signoff.name);
        clean_opt(&mut signoff.comment);
        clean_opt(&mut signoff.item);
        clean_opt(&mut signoff.forced);
    }
    for event in &mut shown.events {
        clean(&mut event.by);
        clean_opt(&mut event.item);
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
        let options = crate::session::Options {
            operator: "Ada".into(),
            host: "box".into(),
            mode: crate::record::Mode::Interactive,
            preset: Default::default(),
            command_timeout: std::time::Duration::from_secs(1),
            unattended: false,
        };
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
