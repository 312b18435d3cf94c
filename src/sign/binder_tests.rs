//! A run's binder binds every sign-off exactly as binding afresh does,
//! through answers, values, gates, events, undone sign-offs and a resume.

use super::*;
use crate::model::Kind;
use crate::record::{Decision, Event, EventAction, Gate, GateDecision, PartMap, Status};
use crate::sign::tests::{item, record, t};

fn signoff(name: &str, minute: u32, item: &str) -> Signoff {
    Signoff {
        role: "QA Lead".to_string(),
        name: name.to_string(),
        decision: Decision::Approve,
        comment: None,
        at: t(minute),
        item: Some(item.to_string()),
        forced: None,
        digest: None,
        parts: PartMap::new(),
        dropped: Vec::new(),
        signature: None,
        source: None,
    }
}

/// Binds `signoff` both ways, checks they agree, and appends it.
fn sign(binder: &mut Binder, record: &mut Record, mut signoff: Signoff, changed: &[usize]) {
    let mut afresh = signoff.clone();
    crate::sign::bind(record, &mut afresh);
    binder.bind(record, &mut signoff, changed);
    assert_eq!(signoff, afresh);
    record.signoffs.push(signoff);
}

fn answer(record: &mut Record, index: usize, status: Status, minute: u32) {
    let item = &mut record.items[index];
    item.status = status;
    item.by = Some("ops".into());
    item.at = Some(t(minute));
}

#[test]
fn a_runs_sign_offs_are_bound_as_afresh_and_list_only_what_changed() {
    let mut record = record();
    record
        .items
        .push(item("deploy/verify", Kind::Check, Status::Pending));
    let mut binder = Binder::new(&record);

    // The first sign-off lists every part.
    answer(&mut record, 3, Status::Done, 2);
    sign(
        &mut binder,
        &mut record,
        signoff("Ann", 2, "signoff/qa"),
        &[3],
    );
    let first = record.signoffs[0].parts.len();
    assert!(first > 6, "{:?}", record.signoffs[0].parts);

    // Answers, a value, a gate and an event later, told as saved.
    answer(&mut record, 2, Status::Failed, 3);
    binder.changed(&record, &[2]);
    record
        .values
        .insert("version".to_string(), "2.0".to_string());
    record.gates.push(Gate {
        phase: "deploy".to_string(),
        decision: GateDecision::Waive,
        reason: Some("known flake".to_string()),
        by: "ops".to_string(),
        at: t(4),
        items: vec!["deploy/push".to_string()],
        source: None,
    });
    record.events.push(Event {
        at: t(4),
        by: "ops".to_string(),
        action: EventAction::Gate,
        item: None,
        detail: Some("waive: known flake".to_string()),
    });
    answer(&mut record, 4, Status::Done, 5);
    sign(
        &mut binder,
        &mut record,
        signoff("Bob", 5, "signoff/rm"),
        &[4],
    );
    let names: Vec<String> = record.signoffs[1]
        .parts
        .keys()
        .map(|name| name.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "events:2",
            "gate:0",
            "item:deploy/push",
            "item:signoff/rm",
            "signoff:0",
            "value:version"
        ]
    );
    assert_eq!(record.signoffs[1].dropped, ["events:1"]);

    // The last sign-off undone, a value taken back, an item reopened: the
    // next sign-off follows one the binder did not bind last.
    record.signoffs.pop();
    record.values.remove("version");
    answer(&mut record, 4, Status::Pending, 6);
    record.items[4].by = None;
    record.items[4].at = None;
    binder.changed(&record, &[4]);
    answer(&mut record, 5, Status::Done, 7);
    sign(
        &mut binder,
        &mut record,
        signoff("Cy", 7, "signoff/rm"),
        &[5],
    );
    // And the one after it follows the binder's own again.
    answer(&mut record, 4, Status::Done, 8);
    sign(
        &mut binder,
        &mut record,
        signoff("Dee", 8, "signoff/rm"),
        &[4],
    );
    assert_eq!(
        record.signoffs[2]
            .parts
            .keys()
            .map(|name| name.to_string())
            .collect::<Vec<_>>(),
        ["item:signoff/rm", "signoff:1"]
    );
    assert!(record.signoffs[2].dropped.is_empty());
    crate::record::seal(&mut record);
    assert!(crate::sign::verify(&record, None).passed());
}

#[test]
fn a_resumed_run_with_sign_offs_and_records_it_cannot_follow_are_bound_afresh() {
    let mut record = record();
    answer(&mut record, 3, Status::Done, 2);
    let mut first = signoff("Ann", 2, "signoff/qa");
    crate::sign::bind(&record, &mut first);
    record.signoffs.push(first);
    // Resumed: the record already has a sign-off.
    let mut binder = Binder::new(&record);
    answer(&mut record, 2, Status::Done, 3);
    binder.changed(&record, &[2]);
    answer(&mut record, 4, Status::Done, 4);
    sign(
        &mut binder,
        &mut record,
        signoff("Bob", 4, "signoff/rm"),
        &[4],
    );

    // Two items with one id: an item's part is the first's, which an index
    // cannot tell, so the binder binds afresh.
    let mut twice = self::record();
    twice
        .items
        .push(item("pre/backup-db", Kind::Check, Status::Done));
    let mut binder = Binder::new(&twice);
    sign(
        &mut binder,
        &mut twice,
        signoff("Ann", 2, "signoff/qa"),
        &[],
    );
    assert!(!binder.usable);
}
