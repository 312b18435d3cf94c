//! One small document per rule of docs/FORMAT.md, and the model it must
//! give.

use super::*;
use crate::model::{Kind, When};

pub(super) fn model(text: &str) -> Checklist {
    parse(&Source::from_text("t.md", text)).checklist
}

/// (id, kind, text, line, optional, depth, parent)
type Row = (String, Kind, String, usize, bool, usize, Option<String>);

fn items(checklist: &Checklist) -> Vec<Row> {
    checklist
        .items()
        .map(|(_, _, i)| {
            (
                i.id.to_string(),
                i.kind,
                i.text.to_string(),
                i.line,
                i.optional,
                i.depth,
                i.parent.as_deref().map(str::to_string),
            )
        })
        .collect()
}

fn item(id: &str, kind: Kind, text: &str, line: usize) -> Row {
    (id.to_string(), kind, text.to_string(), line, false, 0, None)
}

#[test]
fn bom_and_crlf_keep_line_numbers() {
    let c = model("\u{feff}# T\r\n\r\n## P\r\n- [ ] a\r\n");
    assert_eq!(items(&c), [item("p/a", Kind::Check, "a", 4)]);
}

#[test]
fn front_matter_gives_metadata_and_a_title_when_the_body_has_none() {
    let c = model("---\ntitle: From YAML\nowner: ops\n---\n## P\n- [ ] a\n## Q\n- [ ] b\n");
    assert_eq!(c.title, "From YAML");
    assert_eq!(c.front_matter.as_ref().unwrap()["owner"], "ops");
    assert_eq!(c.phases[0].line, 5);
    let broken = parse(&Source::from_text("t.md", "---\n: [\n---\n- [ ] a\n"));
    assert_eq!(broken.checklist.front_matter, None);
    assert_eq!(broken.diagnostics.len(), 1);
}

#[test]
fn a_checklist_inside_one_fence_is_read_with_file_line_numbers() {
    let c = model("Intro prose.\n\n```md\n# Inside\n## P\n- [ ] a\n```\n");
    assert_eq!(c.title, "Inside");
    assert_eq!(c.description.as_deref(), Some("Intro prose."));
    assert_eq!(items(&c), [item("p/a", Kind::Check, "a", 6)]);
    // A bash block with task-like lines is not a checklist.
    let c = model("# T\n```bash\n- [ ] a\n```\n");
    assert_eq!(c.items().count(), 0);
}

#[test]
fn title_is_the_lone_top_heading_else_front_matter_else_the_file_stem() {
    assert_eq!(model("# Only\n## P\n- [ ] a\n").title, "Only");
    // Two level-1 headings that both hold items are phases, not a title.
    let c = model("# A\n- [ ] a\n# B\n- [ ] b\n");
    assert_eq!(c.title, "t");
    assert_eq!(c.phases.len(), 2);
}

#[test]
fn front_matter_title_wins_then_heading_then_name_then_a_plain_first_line() {
    assert_eq!(
        model("---\ntitle: Ship 2.0\n---\n# Workflow\n- [ ] a\n").title,
        "Ship 2.0"
    );
    assert_eq!(model("---\nname: Release\n---\n- [ ] a\n").title, "Release");
    assert_eq!(
        model("SERVICE READINESS\n\n[ ] one\n[ ] two\n").title,
        "SERVICE READINESS"
    );
    // A sentence is not a title.
    assert_eq!(model("Do these in order.\n\n- [ ] one\n").title, "t");
}

#[test]
fn numbered_steps_are_items_among_task_items_but_not_in_an_appendix() {
    let c = model(
        "# R\n## Deploy\n1. **Freeze the branch**\n   - only fixes merged\n2. Deploy\n## Checks\n- [ ] Smoke passes\n## Appendix\n1. Never skip the checks\n",
    );
    let texts: Vec<&str> = c.items().map(|(_, _, item)| item.text.as_ref()).collect();
    assert_eq!(texts, ["Freeze the branch", "Deploy", "Smoke passes"]);
}

#[test]
fn phase_level_is_the_commonest_level_with_sections_under_it() {
    let c = model("# T\n## P1\n### S1\n- [ ] a\n## P2\n### S2\n- [ ] b\n### S3\n- [ ] c\n");
    let shape: Vec<_> = c
        .phases
        .iter()
        .map(|p| {
            (
                p.title.as_str(),
                p.sections.iter().map(|s| &*s.title).collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(shape, [("P1", vec!["S1"]), ("P2", vec!["S2", "S3"])]);
    // Without nesting, the smallest content level makes the phases.
    let c = model("# T\n## A\n- [ ] a\n## B\n- [ ] b\n");
    assert_eq!(c.phases.len(), 2);
    assert!(
        c.phases
            .iter()
            .all(|p| p.sections.len() == 1 && p.sections[0].implicit)
    );
}

#[test]
fn items_right_under_a_phase_go_into_an_implicit_section() {
    let c = model("# T\n## Phase\nLead text.\n\n- [ ] a\n### S\n- [ ] b\n");
    let phase = &c.phases[0];
    assert!(phase.sections[0].implicit);
    assert_eq!(&*phase.sections[0].id, "phase");
    assert_eq!(phase.sections[0].rare.lead.as_deref(), Some("Lead text."));
    assert_eq!(
        items(&c),
        [
            item("phase/a", Kind::Check, "a", 5),
            item("phase/s/b", Kind::Check, "b", 7)
        ]
    );
}

#[test]
fn every_task_marker_is_an_item_and_nesting_is_kept() {
    let c = model("# T\n## P\n- [ ] a\n  * [x] b\n    1. [ ] c\n+ [ ] d\n");
    assert_eq!(
        items(&c),
        [
            item("p/a", Kind::Check, "a", 3),
            (
                "p/b".into(),
                Kind::Check,
                "b".into(),
                4,
                false,
                1,
                Some("p/a".into())
            ),
            (
                "p/c".into(),
                Kind::Check,
                "c".into(),
                5,
                false,
                2,
                Some("p/b".into())
            ),
            item("p/d", Kind::Check, "d", 6),
        ]
    );
}

#[test]
fn without_task_markers_plain_list_items_are_the_items() {
    let c = model("# T\n## P\n- one\n- two\n  - nested\n  - nested too\n");
    assert_eq!(items(&c).len(), 4);
}

#[test]
fn with_task_markers_plain_bullets_are_notes_and_empty_bullets_nothing() {
    let c = model("# T\n## P\n- [ ] a\n- a note\n- \n");
    assert_eq!(items(&c).len(), 1);
    assert_eq!(c.phases[0].sections[0].rare.notes, ["a note"]);
}

#[test]
fn text_drops_markup_and_wrapped_lines_join() {
    let c = model("# T\n## P\n- [ ] Run **all** `tests`, see [docs](x)\n  and the _rest_\n");
    let i = &c.phases[0].sections[0].items[0];
    assert_eq!(&*i.text, "Run all tests, see docs and the rest");
    assert_eq!(
        i.markdown(),
        "Run **all** `tests`, see [docs](x)\n  and the _rest_"
    );
}

#[test]
fn code_in_an_item_is_its_command_and_in_a_section_a_reference() {
    let c = model(
        "# T\n## P\n### S\n```bash\n./check.sh\n```\n- [ ] Deploy\n  ```sh\n  ./deploy.sh\n  ```\n",
    );
    let s = &c.phases[0].sections[0];
    assert_eq!(s.rare.commands, ["./check.sh"]);
    assert_eq!(s.items[0].rare.command.as_deref(), Some("./deploy.sh"));
}

#[test]
fn fields_labels_defaults_and_choices() {
    let c = model(
        "# T\n## Info\n- **Date**: ____\n- **Environment**: Production\n- **Outcome**: Success / Rollback\n- [ ] a\n\n**Version**: 0.5.0\n",
    );
    let got: Vec<_> = c
        .items()
        .map(|(_, _, i)| {
            (
                i.kind,
                i.text.to_string(),
                i.rare.default.clone(),
                i.rare.choices.to_vec(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (Kind::Field, "Date".into(), None, vec![]),
            (
                Kind::Field,
                "Environment".into(),
                Some("Production".into()),
                vec![]
            ),
            (
                Kind::Field,
                "Outcome".into(),
                None,
                vec!["Success".to_string(), "Rollback".to_string()]
            ),
            (Kind::Check, "a".into(), None, vec![]),
        ]
    );
}

#[test]
fn signoffs_by_section_title_and_by_shape() {
    let c = model(
        "# T\n## Work\n- [ ] a\n- **Developer**: ___ Signature: ___\n## Sign-offs\n- [ ] QA Lead sign-off received\n\n**Ops Lead:** [Name] - [Date]  \n**Owner:** [Name] - [Date]\n",
    );
    let got: Vec<_> = c
        .items()
        .map(|(_, _, i)| (i.kind, i.rare.role.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (Kind::Check, None),
            (Kind::Signoff, Some("Developer".into())),
            (Kind::Signoff, Some("QA Lead".into())),
            (Kind::Signoff, Some("Ops Lead".into())),
            (Kind::Signoff, Some("Owner".into())),
        ]
    );
}

#[test]
fn triggers_and_conditions() {
    let c = model(
        "# T\n## Deploy\n### Rollback Triggers\n- [ ] errors\n### Rollback Steps\n- [ ] revert\n### Done\nIf deployment successful:\n\n- [ ] announce\n### Undo\nIf rollback required:\n\n- [ ] undo\n## Rollback Procedure (If Needed)\n- [ ] restore\n",
    );
    let got: Vec<_> = c
        .items()
        .map(|(_, s, i)| (i.text.clone(), i.kind, s.when, i.optional))
        .collect();
    assert_eq!(
        got,
        [
            ("errors".into(), Kind::Trigger, When::Always, false),
            ("revert".into(), Kind::Check, When::Rollback, false),
            ("announce".into(), Kind::Check, When::Success, false),
            ("undo".into(), Kind::Check, When::Rollback, false),
            ("restore".into(), Kind::Check, When::Rollback, false),
        ]
    );
    assert_eq!(c.phases[1].when, When::Rollback);
}

#[test]
fn optional_items_and_sections() {
    let c = model(
        "# T\n## P\n### Migration (if applicable)\n- [ ] a\n### S\n- [ ] b (optional)\n- [ ] c as needed\n- [ ] d (100%)\n",
    );
    let got: Vec<_> = c.items().map(|(_, _, i)| i.optional).collect();
    assert_eq!(got, [true, true, true, false]);
}

#[test]
fn ids_are_slugs_with_numbering_dropped_and_collisions_numbered() {
    let c = model("# T\n## 1. Deploy Now\n### 2) Checks\n- [ ] Same\n- [ ] Same\n- [ ] Same\n");
    let ids: Vec<_> = c.items().map(|(_, _, i)| i.id.to_string()).collect();
    assert_eq!(
        ids,
        [
            "deploy-now/checks/same",
            "deploy-now/checks/same-2",
            "deploy-now/checks/same-3"
        ]
    );
}

#[test]
fn annotations_override_the_rules() {
    let c = model(
        "# T\n## P\n- [ ] Back up <!-- relcheck: id=db-backup kind=trigger optional timeout=300 -->\n- [ ] x (optional) <!-- relcheck: optional=false -->\n",
    );
    let i = &c.phases[0].sections[0].items;
    assert_eq!(
        (i[0].id.as_ref(), i[0].kind, i[0].optional),
        ("db-backup", Kind::Trigger, true)
    );
    assert_eq!(
        i[0].rare.annotations.get("timeout").map(String::as_str),
        Some("300")
    );
    assert!(!i[1].optional);
    let twice = parse(&Source::from_text(
        "t.md",
        "# T\n## P\n- [ ] a <!-- relcheck: id=x -->\n- [ ] b <!-- relcheck: id=x -->\n",
    ));
    let ids: Vec<_> = twice
        .checklist
        .items()
        .map(|(_, _, i)| i.id.to_string())
        .collect();
    assert_eq!(ids, ["x", "x-2"]);
    assert_eq!(twice.diagnostics[0].line, 4);
}

fn ids_of(text: &str) -> (Vec<String>, Vec<usize>) {
    let parsed = parse(&Source::from_text("t.md", text));
    let ids = parsed
        .checklist
        .items()
        .map(|(_, _, i)| i.id.to_string())
        .collect();
    (ids, parsed.diagnostics.iter().map(|d| d.line).collect())
}

#[test]
fn an_id_with_a_slash_written_in_an_annotation_meets_the_ids_relcheck_makes() {
    // Written after the item whose id relcheck made: an error, renamed.
    assert_eq!(
        ids_of("# T\n## P\n- [ ] a\n- [ ] b <!-- relcheck: id=p/a -->\n"),
        (vec!["p/a".to_string(), "p/a-2".to_string()], vec![4])
    );
    // Written first: the made id gives way, silently.
    assert_eq!(
        ids_of("# T\n## P\n- [ ] b <!-- relcheck: id=p/a -->\n- [ ] a\n"),
        (vec!["p/a".to_string(), "p/a-2".to_string()], vec![])
    );
    // A phase's written id the same as another phase's section's.
    assert_eq!(
        ids_of("# T\n## P <!-- relcheck: id=q/s -->\n- [ ] a\n## Q\n### S\n- [ ] a\n"),
        (vec!["q/s/a".to_string(), "q/s/a-2".to_string()], vec![])
    );
    // Without a slash written, made ids are unique by their places, and
    // a written id twice is still caught.
    assert_eq!(
        ids_of(
            "# T\n## P\n### S\n- [ ] a\n- [ ] a\n## P\n### S\n- [ ] a <!-- relcheck: id=x -->\n- [ ] b <!-- relcheck: id=x -->\n- [ ] a\n"
        ),
        (
            ["p/s/a", "p/s/a-2", "x", "x-2", "p-2/s/a"]
                .map(String::from)
                .to_vec(),
            vec![9]
        )
    );
}

#[test]
fn slugs_stay_unique_past_the_few_a_section_keeps_in_a_list() {
    // Twenty items alike: the first sixteen slugs are kept in a list,
    // the rest in a map, and a slug already handed out as a suffix is
    // not handed out again.
    let text = format!(
        "# T\n## P\n{}- [ ] a 2\n- [ ] a 21\n- [ ] b\n",
        "- [ ] a\n".repeat(20)
    );
    let (ids, _) = ids_of(&text);
    let mut expected = vec!["p/a".to_string()];
    expected.extend((2..=20).map(|n| format!("p/a-{n}")));
    expected.extend(["p/a-2-2", "p/a-21", "p/b"].map(String::from));
    assert_eq!(ids, expected);
}

#[test]
fn an_items_annotations_read_and_serialise_as_a_map_in_key_order() {
    let c = model("# T\n## P\n- [ ] a <!-- relcheck: timeout=300 id=x kind=check timeout=60 -->\n");
    let annotations = &c.phases[0].sections[0].items[0].rare.annotations;
    // A key written twice keeps its later value, as a map's insert does.
    assert_eq!(annotations.get("timeout").map(String::as_str), Some("60"));
    assert!(annotations.contains_key("kind") && !annotations.contains_key("wait"));
    assert_eq!(
        serde_json::to_string(annotations).unwrap(),
        r#"{"id":"x","kind":"check","timeout":"60"}"#
    );
    let back: crate::model::Annotations =
        serde_json::from_str(r#"{"timeout":"60","id":"x","kind":"check"}"#).unwrap();
    assert_eq!(&back, annotations);
}

#[test]
fn heading_annotations_set_when_and_id() {
    let c = model("# T\n## Cleanup <!-- relcheck: when=success id=tidy -->\n- [ ] a\n");
    assert_eq!(c.phases[0].when, When::Success);
    assert_eq!(c.phases[0].id, "tidy");
}

#[test]
fn variables_in_order_of_first_use() {
    let c = model(
        "# T\n## P\n- [ ] ship {{version}} to {{ env }}\n  ```sh\n  deploy {{version}} {{region}}\n  ```\n- [ ] {not} {{ bad name }}\n",
    );
    assert_eq!(c.variables, ["version", "env", "region"]);
}

#[test]
fn plain_text_steps_become_phases() {
    let c = model("Ship\nAbout.\nStep One\nDo it.\nChecklist\n- a\n- b\nExpected Output\nDone.\n");
    assert_eq!(c.format, Format::PlainText);
    assert_eq!(c.phases[0].title, "Step One");
    assert_eq!(
        c.phases[0].sections[0].rare.expected_output.as_deref(),
        Some("Done.")
    );
    assert_eq!(
        items(&c),
        [
            item("step-one/a", Kind::Check, "a", 6),
            item("step-one/b", Kind::Check, "b", 7)
        ]
    );
}

#[test]
fn a_document_with_no_items_is_an_empty_checklist_not_a_panic() {
    let c = model("# Just prose\n\nNothing to tick.\n");
    assert_eq!(c.items().count(), 0);
}

pub(super) fn texts(checklist: &Checklist) -> Vec<String> {
    checklist
        .items()
        .map(|(_, _, item)| item.text.to_string())
        .collect()
}

#[test]
fn an_org_outline_reads_as_headings_and_steps() {
    let c = model(
        "# -*- mode: org -*-\n* TODO Ship 3.1 [1/2]\n** DONE Run the tests\n** Tag it :git:\n* Notes\n  Prose about it.\n",
    );
    assert_eq!(c.title, "Ship 3.1");
    assert_eq!(texts(&c), ["Run the tests", "Tag it"]);
    // Said as what it is, not as the Markdown it is read as.
    assert_eq!(c.format, Format::Org);
    // Task items under a TODO headline, lines kept.
    let c = model("-*- org -*-\n* TODO Release [0/2]\n  - [ ] build\n  - [X] upload\n");
    assert_eq!(c.title, "Release");
    assert_eq!(items(&c)[1].3, 4);
}

#[test]
fn the_first_heading_is_no_title_over_items_when_another_of_its_level_has_items() {
    // Items under its subsections come before the next "##": a phase.
    let c = model("## Release\n### Steps\n- one\n## Pull a release\n### Steps\n- two\n");
    assert_eq!(c.title, "t");
    // The other "#" headings hold only prose: the first is the title.
    let c = model("# Releasing\n1. Tag\n2. Push\n# Cadence\nMonthly.\n# Voting\nThree +1s.\n");
    assert_eq!(c.title, "Releasing");
    assert_eq!(texts(&c), ["Tag", "Push"]);
}

#[test]
fn an_issue_templates_name_goes_before_an_empty_or_phase_like_heading() {
    let c =
        model("---\nname: Release tracking\n---\n## Current status: open\n## Prepare\n- [ ] a\n");
    assert_eq!(c.title, "Release tracking");
    let c = model("---\nname: Release tracking\n---\n# Overview\nWhy.\n## Prepare\n- [ ] a\n");
    assert_eq!(c.title, "Release tracking");
    // With nothing better, the heading still names the document.
    assert_eq!(
        model("## Status: open\n## Prepare\n- [ ] a\n").title,
        "Status: open"
    );
}

#[test]
fn a_fenced_checklist_is_a_template_when_the_page_has_steps_of_its_own() {
    let c = model(
        "# Runbook\n1. Open an issue\n2. Paste the template\n## Template\n```markdown\n- [ ] filled in\n```\n",
    );
    assert_eq!(c.title, "Runbook");
    assert_eq!(texts(&c), ["Open an issue", "Paste the template"]);
}

#[test]
fn without_task_markers_hints_notes_outlines_and_group_names_are_not_steps() {
    let c = model(
        "# R\n\n1. Prepare\n2. Publish\n\n## Prepare\n\n* Run the tests\n  * `make test`\n  * This takes a minute.\n  * Do not skip it.\n* Build\n  * Sign the archive\n  * Checksum it\n\n## Publish\n\n* Website:\n  * Write a news entry\n* Optional, when asked:\n  * Mail the list\n\nNotes:\n- Keep the logs.\n",
    );
    assert_eq!(
        texts(&c),
        [
            "Run the tests",
            "Build",
            "Sign the archive",
            "Checksum it",
            "Write a news entry",
            "Mail the list"
        ]
    );
    let optional: Vec<bool> = c.items().map(|(_, _, item)| item.optional).collect();
    assert_eq!(optional, [false, false, false, false, false, true]);
    // Numbered sub-steps make their parent a group's name; a numbered
    // step ending in ":" over bullets is still a step.
    let c = model(
        "1. Make the commit\n   1. Bump\n   2. Commit\n2. Set the inputs:\n   * Choose a track\n",
    );
    assert_eq!(
        texts(&c),
        ["Bump", "Commit", "Set the inputs:", "Choose a track"]
    );
}

#[test]
fn a_numbered_entry_with_no_box_over_boxes_names_their_group() {
    let c = model(
        "1. Check the safety settings\n   * [ ] `purge = off`\n   * [ ] `protect = on`\n2. [ ] Deploy\n3. Watch the graphs\n",
    );
    assert_eq!(
        texts(&c),
        ["purge = off", "protect = on", "Deploy", "Watch the graphs"]
    );
}

#[test]
fn a_bullet_ending_in_a_colon_that_is_an_instruction_is_a_step_over_steps() {
    let c = model(
        "- Try the tool and check it works:\n  - build it\n  - run it\n- Website:\n  - post the news\n",
    );
    assert_eq!(
        texts(&c),
        [
            "Try the tool and check it works:",
            "build it",
            "run it",
            "post the news"
        ]
    );
}

#[test]
fn ragged_nested_bullets_are_nested_not_glued_to_the_step_above() {
    let c = model("  - Unpack it\n   - Try the oldest perl\n    - switch perl\n    - make test\n");
    assert_eq!(
        texts(&c),
        [
            "Unpack it",
            "Try the oldest perl",
            "switch perl",
            "make test"
        ]
    );
    let depths: Vec<usize> = c.items().map(|(_, _, item)| item.depth).collect();
    assert_eq!(depths, [0, 0, 1, 1]);
}

#[test]
fn a_steps_only_sub_bullet_is_a_remark_on_it() {
    let c = model(
        "1. Push the commits\n   - Wait for CI to pass before the next step.\n2. Push the tags\n",
    );
    assert_eq!(texts(&c), ["Push the commits", "Push the tags"]);
}

/// A checklist with more sign-off items than a record holds is an error at
/// the first one past the limit: its run would write a record relcheck
/// refuses to read. At the limit it is fine.
#[test]
fn sign_off_items_past_what_a_record_holds_are_an_error() {
    let document = |count: usize| {
        let roles: String = (0..count)
            .map(|n| format!("- **Role {n}**: [Name] - [Date]\n"))
            .collect();
        format!("# T\n\n## Steps\n\n- [ ] a\n\n## Sign-off\n\n{roles}")
    };
    let errors = |text: &str| -> Vec<(usize, String)> {
        parse(&Source::from_text("t.md", text))
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == crate::diagnostic::Severity::Error)
            .map(|d| (d.line, d.message))
            .collect()
    };
    let limit = crate::limits::MAX_SIGNOFFS;
    assert_eq!(model(&document(limit)).items().count(), limit + 1);
    assert_eq!(errors(&document(limit)), []);
    assert_eq!(
        errors(&document(limit + 2)),
        [(
            9 + limit,
            "1,002 sign-off items; a record holds up to 1,000 sign-offs".to_string()
        )]
    );
}
