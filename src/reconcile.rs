//! A record resumed against its checklist as it is now: as is when the
//! checklist is unchanged; when it changed, refused with what changed
//! unless the operator accepts it, then carried over item by item.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use crate::exec::DEFAULT_TIMEOUT;
use crate::exit::{Code, error};
use crate::model::Checklist;
use crate::record::{Record, Status};
use crate::session::{Clock, Options, Session};

/// Fits a record to the checklist as it is now. Unchanged: as is. Changed:
/// refused with what changed, unless `accept`; then results are carried
/// over by item id, new items start pending, and removed ones leave an
/// event.
pub fn reconcile(
    mut record: Record,
    checklist: &Checklist,
    accept: bool,
    clock: &dyn Clock,
    operator: &str,
) -> anyhow::Result<Record> {
    if record.checklist.sha256 == checklist.source.sha256() {
        let same = record.items.len() == checklist.items().count()
            && record
                .items
                .iter()
                .zip(checklist.items())
                .all(|(result, (_, _, item))| result.id == item.id);
        if !same {
            return Err(error(
                Code::Input,
                format!(
                    "the record's items do not match its checklist {}; the record was changed by hand",
                    record.checklist.origin.display()
                ),
            ));
        }
        return Ok(record);
    }
    let fresh = Session::start(
        checklist,
        clock,
        Options {
            operator: operator.to_string(),
            host: String::new(),
            mode: record.run.mode,
            preset: BTreeMap::new(),
            command_timeout: DEFAULT_TIMEOUT,
            unattended: false,
        },
        &AtomicBool::new(false),
        String::new(),
    )
    .record;
    let old: BTreeMap<&str, &crate::record::ItemResult> =
        record.items.iter().map(|i| (i.id.as_ref(), i)).collect();
    let new_ids: Vec<&str> = fresh.items.iter().map(|i| i.id.as_ref()).collect();
    // What each item ran then and runs now: a record of schema v2 carries
    // the checklist it began with. A changed command changes what `r`
    // (and a pipeline) runs, so it is listed like a changed text.
    let commands_then = record.checklist.source.as_ref().map(|text| {
        let then =
            crate::source::Source::from_text(&record.checklist.origin.display(), &text.text());
        let parsed = crate::parse::parse_on_one_core(&then).checklist;
        parsed
            .items()
            .map(|(_, _, item)| (item.id.to_string(), item.rare.command.clone()))
            .collect::<BTreeMap<String, Option<String>>>()
    });
    let commands_now: BTreeMap<&str, Option<&String>> = checklist
        .items()
        .map(|(_, _, item)| (item.id.as_ref(), item.rare.command.as_ref()))
        .collect();
    let mut changes = Vec::new();
    // Items whose answer was to another question: another kind, or
    // another command (what the item does). They start pending.
    let mut asked_anew: std::collections::HashSet<std::sync::Arc<str>> =
        std::collections::HashSet::new();
    for item in &fresh.items {
        let Some(was) = old.get(item.id.as_ref()) else {
            changes.push(format!(
                "  + added    {} (line {}): {}",
                item.id, item.line, item.text
            ));
            continue;
        };
        if was.text != item.text {
            changes.push(format!(
                "  ~ reworded {}: \"{}\" -> \"{}\"",
                item.id, was.text, item.text
            ));
        }
        // Not needed and not run are the run's own, no one's answer.
        let answered = !matches!(
            was.status,
            Status::Pending | Status::NotNeeded | Status::NotRun
        );
        let mut answer = if answered {
            format!("; its answer ({}) is not kept", was.status.as_str())
        } else {
            String::new()
        };
        // Started when relcheck was killed, its end never recorded: said
        // here, the one place the log keeps it once the item starts over.
        if was.rare.command.as_ref().is_some_and(|run| run.running) {
            answer.push_str("; its command had started, its end not recorded");
        }
        if was.kind != item.kind {
            asked_anew.insert(item.id.clone());
            changes.push(format!(
                "  ~ kind     {}: {} -> {}{answer}",
                item.id,
                was.kind.as_str(),
                item.kind.as_str(),
            ));
        }
        if was.optional != item.optional {
            let now = if item.optional {
                "optional"
            } else {
                "required"
            };
            changes.push(format!("  ~ now {now} {}", item.id));
        }
        let command_now = commands_now.get(item.id.as_ref()).copied().flatten();
        if let Some(then) = commands_then
            .as_ref()
            .and_then(|then| then.get(item.id.as_ref()))
            && then.as_ref() != command_now
        {
            let what = match (then, command_now) {
                (None, Some(_)) => "command added",
                (Some(_), None) => "command removed",
                _ => "command changed",
            };
            // A kind change has said what becomes of the answer.
            let answer = if asked_anew.insert(item.id.clone()) {
                answer.as_str()
            } else {
                ""
            };
            changes.push(format!("  ~ {what} {}{answer}", item.id));
        }
    }
    for item in &record.items {
        if !new_ids.contains(&item.id.as_ref()) {
            changes.push(format!(
                "  - removed  {} ({}): {}",
                item.id,
                item.status.as_str(),
                item.text
            ));
        }
    }
    if !accept {
        let list = if changes.is_empty() {
            "  (only formatting changed)".to_string()
        } else {
            changes.join("\n")
        };
        return Err(error(
            Code::Input,
            format!(
                "{} changed since this run began:\n{list}\nresume with --accept-changes to go on with the checklist as it is now",
                record.checklist.origin.display()
            ),
        ));
    }
    let items = fresh
        .items
        .into_iter()
        .map(|item| match old.get(item.id.as_ref()) {
            // An answer to another kind of question (a check now a
            // trigger) or to another command (`restart web` now `restart
            // cache`, when a step is added before two of the same text
            // and their ids move) does not answer this one: it starts
            // pending, and the command run stays in the log.
            Some(was) if !asked_anew.contains(item.id.as_ref()) => crate::record::ItemResult {
                text: item.text.clone(),
                line: item.line,
                phase: item.phase.clone(),
                section: item.section.clone(),
                optional: item.optional,
                kind: item.kind,
                ..(*was).clone()
            },
            _ => item,
        })
        .collect();
    record.items = items;
    if record.is_v1() {
        // A v1 record stays v1 (docs/RECORD.md): it has no titles or text.
        record.checklist.sha256 = checklist.source.sha256().to_string();
        record.checklist.title = checklist.title.clone();
    } else {
        record.checklist = crate::record::ChecklistRef {
            origin: record.checklist.origin.clone(),
            ..crate::record::ChecklistRef::of(checklist)
        };
    }
    record.refresh_shown();
    record.events.push(crate::record::Event {
        at: clock.now(),
        by: operator.to_string(),
        action: crate::record::EventAction::ChecklistChanged,
        item: None,
        detail: Some(if changes.is_empty() {
            "only formatting changed".to_string()
        } else {
            changes
                .iter()
                .map(|c| c.trim())
                .collect::<Vec<_>>()
                .join("; ")
        }),
    });
    Ok(record)
}
