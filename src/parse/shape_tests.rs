//! Shapes from real documents (sign-off blocks, fields of boxes, tables,
//! rollback runbooks, owner sheets), each in a small document of its own
//! and the kinds of item it must give.

use super::tests::{model, texts};
use crate::model::{Checklist, Kind, When};

#[test]
fn a_later_paragraph_and_a_quote_in_an_item_are_its_notes() {
    let c = model(
        "# Ship\n- [ ] Push the tags\n\n  Only after CI is green.\n\n  > Pushing starts\n  > the publish job.\n\n- [ ] Announce\n",
    );
    assert_eq!(texts(&c), ["Push the tags", "Announce"]);
    let section = &c.phases[0].sections[0];
    assert_eq!(
        section.rare.notes,
        ["Only after CI is green.", "Pushing starts the publish job."]
    );
    assert_eq!(section.rare.note_places, [Some((4, 1)), Some((6, 1))]);
}

#[test]
fn bold_answer_paragraphs_without_task_markers_are_one_fields_choices() {
    let c = model(
        "# Release\n\n[ ] tag it\n[ ] push it\n\n## Verdict\n\n[ ] **SHIP** - every check green\n\n[ ] **HOLD** - say why:\n",
    );
    let items: Vec<(Kind, String, Vec<String>)> = c
        .items()
        .map(|(_, _, i)| {
            (
                i.kind,
                i.rare.label.clone().unwrap_or_else(|| i.text.to_string()),
                i.rare.choices.to_vec(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            (Kind::Check, "tag it".to_string(), vec![]),
            (Kind::Check, "push it".to_string(), vec![]),
            (
                Kind::Field,
                "Verdict".to_string(),
                vec!["SHIP".to_string(), "HOLD".to_string()]
            ),
        ]
    );
}

/// (kind, text or role, optional, when) of every item, in order.
fn kinds(checklist: &Checklist) -> Vec<(Kind, String, bool, When)> {
    checklist
        .items()
        .map(|(phase, section, i)| {
            let when = match section.when {
                When::Always => phase.when,
                when => when,
            };
            // A sign-off is known by its role, as the corpus scores it.
            let text = match i.kind {
                Kind::Signoff => i.rare.role.clone().unwrap_or_else(|| i.text.to_string()),
                _ => i.text.to_string(),
            };
            (i.kind, text, i.optional, when)
        })
        .collect()
}

fn always(kind: Kind, text: &str) -> (Kind, String, bool, When) {
    (kind, text.to_string(), false, When::Always)
}

#[test]
fn a_role_heading_over_name_signature_and_date_is_one_signoff() {
    let c = model(
        "# Form\n## Sign-off\n### Ops Lead Approval\n**Ops Lead Name**: ____\n\n**Signature**: ____\n\n**Date**: ____\n\
         ### Auditor (Optional)\n**Auditor Name**: ____\n\n**Signature**: ____\n\n**Date**: ____\n",
    );
    assert_eq!(
        kinds(&c),
        [
            always(Kind::Signoff, "Ops Lead"),
            (Kind::Signoff, "Auditor".to_string(), true, When::Always),
        ]
    );
}

#[test]
fn a_date_line_after_a_signoff_is_when_it_was_signed() {
    let c = model(
        "# Form\n## Sign-off\n**Installer:** ____  \n**Date/Time:** ____ (UTC)  \n**Change Duration:** ____\n",
    );
    assert_eq!(
        kinds(&c),
        [
            always(Kind::Signoff, "Installer"),
            always(Kind::Field, "Change Duration"),
        ]
    );
}

#[test]
fn boxes_before_each_answer_make_one_field_with_choices() {
    let c =
        model("# Form\n## Result\n- [ ] Smoke test passed\n\n**Smoke Status**: ☐ PASS ☐ FAIL\n");
    let status = c.items().nth(1).unwrap().2;
    assert_eq!(
        (status.kind, status.text.as_ref()),
        (Kind::Field, "Smoke Status")
    );
    assert_eq!(*status.rare.choices, ["PASS", "FAIL"]);
}

#[test]
fn tables_of_numbered_steps_and_of_fields_with_boxes() {
    let c = model(
        "# Change\n## Details\n| Field | Value |\n|---|---|\n| **Risk** | [ ] Low [ ] High |\n| **Ticket** | |\n\
         ## Steps\n| Step | Action | Owner |\n|---|---|---|\n| 1 | Drain the node | Ops |\n| 2 | Patch the node | Ops |\n",
    );
    assert_eq!(
        kinds(&c),
        [
            always(Kind::Field, "Risk"),
            always(Kind::Field, "Ticket"),
            always(Kind::Check, "Drain the node"),
            always(Kind::Check, "Patch the node"),
        ]
    );
    assert_eq!(*c.items().next().unwrap().2.rare.choices, ["Low", "High"]);
}

#[test]
fn a_branch_lead_after_steps_conditions_what_follows_it() {
    let c = model(
        "# Go-live\n## Decision\n- [ ] Verdict recorded\n\n**If it went well:**\n\n- [ ] Close the change\n\n\
         **If the release fails:**\n\n- [ ] Restore the snapshot\n## Later\n- [ ] Archive the logs\n",
    );
    let when = |text: &str| {
        kinds(&c)
            .into_iter()
            .find(|(_, t, _, _)| t == text)
            .unwrap()
            .3
    };
    assert_eq!(when("Verdict recorded"), When::Always);
    assert_eq!(when("Restore the snapshot"), When::Rollback);
    assert_eq!(when("Archive the logs"), When::Always, "a heading ends it");
    // "went well" is no word of success: only the ones FORMAT.md lists.
    assert_eq!(when("Close the change"), When::Always);
}

#[test]
fn a_rollback_runbook_reads_its_when_to_use_list_as_triggers() {
    let c = model(
        "# Runbook: Roll Back the Gateway\n## When to Use This Runbook\n- Gateway 5xx above normal\n\n\
         | Symptom | Detail |\n|---|---|\n| Pods crash-looping | since the deploy |\n\
         ## Undo\n- [ ] Pin the previous image\n## After the Rollback\n- [ ] Tell the channel\n",
    );
    assert_eq!(
        kinds(&c),
        [
            always(Kind::Trigger, "Gateway 5xx above normal"),
            always(Kind::Trigger, "Pods crash-looping"),
            always(Kind::Check, "Pin the previous image"),
            (
                Kind::Check,
                "Tell the channel".to_string(),
                false,
                When::Rollback
            ),
        ]
    );
}

#[test]
fn a_rollback_runbook_with_no_trigger_is_the_run_itself() {
    let c = model(
        "# Runbook: Roll Back the Gateway\n## Prerequisites\n- The decision to roll back is made\n\
         ## Rollback Steps\n1. Pin the previous image\n2. **Tell the channel:** post in #gateway\n",
    );
    assert_eq!(
        kinds(&c),
        [
            always(Kind::Check, "The decision to roll back is made"),
            always(Kind::Check, "Pin the previous image"),
            always(Kind::Check, "Tell the channel: post in #gateway"),
        ]
    );
}

#[test]
fn what_a_system_does_by_itself_is_a_note_and_prerequisites_are_checks() {
    let c = model(
        "# Release\n## Prerequisites\n- Console access\n## Auto\nThe scheduler rolls the deploy back by itself when:\n\
         - Errors > 5%\n\nNothing to do by hand - the scheduler will:\n1. Drain the canary\n2. Page the team\n\
         ## Steps\n- [ ] Tag\n",
    );
    assert_eq!(
        kinds(&c),
        [
            always(Kind::Check, "Console access"),
            always(Kind::Trigger, "Errors > 5%"),
            always(Kind::Check, "Tag"),
        ]
    );
}

#[test]
fn boxes_under_one_heading_are_the_answers_of_one_field() {
    let c = model(
        "# Change\n## Type of Release\n- [ ] Patch\n- [ ] Minor - new features\n- [ ] Other: ____\n\
         ## Verdict\n[ ] **SHIP** as planned\n\n_Everything green._\n\n[ ] **HOLD** - Reason:\n    ________\n\
         ## Checks\n- [ ] Tests pass\n",
    );
    assert_eq!(
        kinds(&c),
        [
            always(Kind::Field, "Type of Release"),
            always(Kind::Field, "Verdict"),
            always(Kind::Check, "Tests pass"),
        ]
    );
    let fields: Vec<Vec<String>> = c.items().map(|(_, _, i)| i.rare.choices.to_vec()).collect();
    assert_eq!(fields[0], ["Patch", "Minor", "Other"]);
    assert_eq!(fields[1], ["SHIP as planned", "HOLD"]);
    // A question under such a heading is a step, and one box alone a tick.
    let c = model("# C\n## Risk Level\n- [ ] Was the risk reviewed?\n## Consent\n[ ] I agree\n");
    assert_eq!(
        kinds(&c),
        [
            always(Kind::Check, "Was the risk reviewed?"),
            always(Kind::Check, "I agree"),
        ]
    );
}

#[test]
fn a_lone_role_label_over_a_paragraph_of_blanks_is_its_signoff() {
    let c = model(
        "# Form\n## Notes\n- [ ] Notes written\n\n**Change Manager Approval:**\n\n\
         **Name:** ______\n**Role:** ______\n**Date:** ______\n**Signature:** ______\n",
    );
    assert_eq!(
        kinds(&c),
        [
            always(Kind::Check, "Notes written"),
            always(Kind::Signoff, "Change Manager"),
        ]
    );
}

#[test]
fn numbered_bold_steps_picked_boxes_and_owner_sheets() {
    let c = model(
        "# Cutover\n## Ways back\n(Tick all that apply)\n\n- [ ] Redeploy\n- [ ] Flag off\n\
         ## Who\n| Duty | Owner |\n|---|---|\n| Go decision | |\n\
         ## Execution\n1. **Freeze**: writes stopped\n2. **Ticket**: ____\n\
         ## Acceptance Criteria\n### Data\n- ✅ Every row copied\n",
    );
    assert_eq!(
        kinds(&c),
        [
            (Kind::Check, "Redeploy".to_string(), true, When::Always),
            (Kind::Check, "Flag off".to_string(), true, When::Always),
            always(Kind::Field, "Go decision"),
            always(Kind::Check, "Freeze: writes stopped"),
            always(Kind::Field, "Ticket"),
            always(Kind::Check, "✅ Every row copied"),
        ]
    );
}

#[test]
fn a_box_without_its_space_is_a_task_box() {
    let c = model("# Ship\n- [] Tag it\n- [] Push it\n- Read this first\n");
    assert_eq!(texts(&c), ["Tag it", "Push it"]);
}

#[test]
fn bullets_under_a_numbered_step_ending_in_a_colon_say_how_to_do_it() {
    let c = model(
        "# Roll back\n1. Set the inputs:\n   - **ref**: the last good tag\n   - live: true\n   - Choose a track\n2. Start the pipeline\n",
    );
    assert_eq!(
        texts(&c),
        ["Set the inputs:", "Choose a track", "Start the pipeline"]
    );
    assert_eq!(
        c.phases[0].sections[0].rare.notes,
        ["ref: the last good tag", "live: true"]
    );
}
