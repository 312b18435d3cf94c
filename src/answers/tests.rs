//! Keys resolved against a small checklist, and the message each
//! mistake gives.

use super::*;
use crate::parse::parse;
use crate::source::Source;

const LIST: &str = "# D\n## Do\n- **Ticket**: ___\n- [ ] Backup taken\n- [ ] Ship {{version}}\n### Rollback Triggers\n- [ ] Errors\n## Sign-off\n- **QA Lead**: [Name] - [Date]\n";

fn answers(yaml: &str) -> anyhow::Result<Answers> {
    let checklist = parse(&Source::from_text("d.md", LIST)).checklist;
    let provenance = Provenance {
        kind: "answers-file".into(),
        path: Some("a.yaml".into()),
        sha256: None,
    };
    Answers::parse(yaml, "a.yaml", provenance, &checklist)
}

#[test]
fn resolves_ids_texts_labels_variables_and_roles() {
    let a = answers(
        "values:\n  version: 1.2\n  Ticket: T-1\nitems:\n  do/backup-taken: done\n  Errors: {status: not-occurred}\nsignoffs:\n  qa lead: {name: Jo}\n",
    )
    .unwrap();
    assert_eq!(a.variables["version"], "1.2");
    assert_eq!(a.items["do/ticket"].value(), Some("T-1"));
    assert_eq!(a.items["do/backup-taken"].status, Status::Done);
    assert_eq!(
        a.items["do/rollback-triggers/errors"].status,
        Status::NotOccurred
    );
    assert_eq!(a.signoffs["sign-off/qa-lead"].decision, Decision::Approve);
}

#[test]
fn unknown_keys_are_errors_with_the_closest_ids() {
    let err = answers("items:\n  do/backup-tken: done\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.yaml:2: items.do/backup-tken is not an item id or text of D; did you mean do/backup-taken?"
    );
    let err = answers("signoffs:\n  CTO: {name: X}\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.yaml:2: signoffs.CTO is not a sign-off role of D; its roles: QA Lead"
    );
}

#[test]
fn statuses_must_fit_the_kind_and_carry_reasons() {
    let err = answers("items:\n  Errors: done\n  Backup taken: skipped\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.yaml:3: items.Backup taken: skipping needs a reason: {status: skipped, reason: ...}\na.yaml:2: items.Errors: a trigger takes occurred, not-occurred, skipped, n/a, not `done`"
    );
    assert!(answers("nonsense: 1\n").is_err());
}

/// A number given for a trigger with no threshold was taken as `done`,
/// and refused in words the user never wrote.
#[test]
fn a_value_for_a_trigger_with_no_threshold_is_refused_as_a_value() {
    for (yaml, value) in [
        ("items:\n  Errors: 1\n", "1"),
        ("items:\n  Errors: {value: 7%}\n", "7%"),
    ] {
        assert_eq!(
            answers(yaml).unwrap_err().to_string(),
            format!(
                "a.yaml:2: items.Errors: a trigger is answered occurred, not-occurred, skipped or n/a, not with a value (`{value}`): its text states no threshold, as `> 5%`, to hold a value against"
            )
        );
    }
}

#[test]
fn gates_are_waived_by_phase_id_or_title_with_a_reason() {
    let a = answers("gates:\n  do: \"flaky, OPS-12\"\n  Sign-off: {reason: ok, by: Jo}\n").unwrap();
    assert_eq!(
        a.gates["do"],
        GateWaiver {
            reason: "flaky, OPS-12".into(),
            by: None
        }
    );
    assert_eq!(a.gates["sign-off"].by.as_deref(), Some("Jo"));
    let err =
        answers("items:\n  Errors: not-occurred\ngates:\n  doo: x\n  Do: \" \"\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.yaml:5: gates.Do: a waiver needs a reason\na.yaml:4: gates.doo is not a phase id or title of D; did you mean do?"
    );
}

#[test]
fn an_item_answered_twice_is_an_error() {
    let err = answers("items:\n  do/backup-taken: done\n  do/backup-taken: failed\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.yaml:3:3: items: `do/backup-taken` is given twice"
    );
    let err = answers("items:\n  do/backup-taken: done\n  Backup taken: failed\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.yaml:2: items.do/backup-taken: item do/backup-taken is answered twice"
    );
}

#[test]
fn an_answer_of_no_known_form_says_what_the_forms_are() {
    let err = answers("items:\n  Backup taken: {status: done, colour: red}\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.yaml:2:17: Backup taken: an item's answer is a status, a value, or {status, note, reason, value, by}, no other keys"
    );
}

/// YAML would read these as numbers or yes/no; an answers file means the
/// text written, as serde_yaml read it before.
#[test]
fn values_and_notes_are_kept_as_written() {
    let a = answers(
        "values:\n  version: 017\n  Ticket: 1_000\nitems:\n  Backup taken: {status: done, note: no, by: 42}\n  Errors: {status: not-occurred, note: yes}\n",
    )
    .unwrap();
    assert_eq!(a.variables["version"], "017");
    assert_eq!(a.items["do/ticket"].value(), Some("1_000"));
    assert_eq!(a.items["do/backup-taken"].note(), Some("no"));
    assert_eq!(a.items["do/backup-taken"].by(), Some("42"));
    assert_eq!(a.items["do/rollback-triggers/errors"].note(), Some("yes"));
    let err = answers("items:\n  Backup taken: yes\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.yaml:2: items.Backup taken: unknown status `yes`; use done, failed, skipped, n/a, occurred or not-occurred"
    );
    let err = answers("items:\n  Backup taken: {status: done, note: [a]}\n").unwrap_err();
    assert!(
        err.to_string().starts_with("a.yaml:2:17: Backup taken: "),
        "{err}"
    );
}

/// A section with every entry commented out is an empty section.
#[test]
fn an_empty_section_is_no_section() {
    let a = answers("values:\nitems:\n#  Backup taken: done\nsignoffs: ~\ngates:\n").unwrap();
    assert!(a.items.is_empty() && a.variables.is_empty() && a.gates.is_empty());
}

/// A file of many wrong keys gets twenty described and a count.
#[test]
fn many_wrong_keys_are_counted_past_twenty() {
    let keys: String = (0..25).map(|n| format!("  nothing-{n}: done\n")).collect();
    let err = answers(&format!("items:\n{keys}")).unwrap_err().to_string();
    assert_eq!(err.lines().count(), 21, "{err}");
    assert_eq!(err.lines().last(), Some("a.yaml: and 5 more wrong keys"));
}

/// A bare status is held in 16 bytes, what else an answer says boxed
/// apart: a pipeline's file answers every item, most with `done`.
#[test]
fn a_bare_answer_is_small_and_boxes_nothing() {
    assert!(
        std::mem::size_of::<ItemAnswer>() <= 16,
        "{} bytes",
        std::mem::size_of::<ItemAnswer>()
    );
    let a = answers(
        "values:\n  Ticket: T-1\nitems:\n  Backup taken: done\n  Errors: {status: occurred, note: spike, by: Jo}\n",
    )
    .unwrap();
    assert_eq!(a.items["do/backup-taken"].said, None);
    assert_eq!(
        a.items["do/rollback-triggers/errors"].said.as_deref(),
        Some(&Said {
            note: Some("spike".into()),
            reason: None,
            value: None,
            by: Some("Jo".into()),
        })
    );
    assert_eq!(a.items["do/ticket"].value(), Some("T-1"));
}

/// A value longer than a text may take is refused by its key, as a
/// variable, as an item's bare answer or as its `value`.
#[test]
fn a_value_over_4_kib_is_refused_by_its_key() {
    let long = "x".repeat(template::MAX_VALUE_BYTES + 1);
    for (yaml, key) in [
        (format!("values:\n  version: {long}\n"), "values.version"),
        (format!("items:\n  Ticket: {long}\n"), "items.Ticket"),
        (
            format!("items:\n  Ticket: {{value: {long}}}\n"),
            "items.Ticket.value",
        ),
    ] {
        let err = answers(&yaml).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "a.yaml: {key} is 4,097 bytes; a value is at most 4,096 (it is written into every text that names it)"
            )
        );
    }
    let at_limit = "x".repeat(template::MAX_VALUE_BYTES);
    assert!(answers(&format!("values:\n  version: {at_limit}\n")).is_ok());
}
