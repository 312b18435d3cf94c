//! Each fixture has the skeleton of one of the five real checklists in
//! shared/seeds (our own words), and must give the numbers FORMAT.md's table
//! gives for that shape.

use relcheck::model::{Checklist, Format, Kind, When};
use relcheck::parse::parse;
use relcheck::source::Source;

use crate::support::fixture;

fn load(name: &str) -> Checklist {
    let source = Source::read(&fixture(name)).expect("fixture reads");
    let parsed = parse(&source);
    assert_eq!(parsed.diagnostics, [], "{name} parses without diagnostics");
    parsed.checklist
}

/// (items, check, trigger, signoff, field, optional, when=rollback items,
/// when=success items)
fn numbers(checklist: &Checklist) -> [usize; 8] {
    let c = checklist.counts();
    [
        c.items, c.check, c.trigger, c.signoff, c.field, c.optional, c.rollback, c.success,
    ]
}

fn section<'a>(checklist: &'a Checklist, title: &str) -> &'a relcheck::model::Section {
    checklist
        .phases
        .iter()
        .flat_map(|phase| &phase.sections)
        .find(|section| *section.title == *title)
        .unwrap_or_else(|| panic!("no section {title}"))
}

fn optional_by_parenthesis(checklist: &Checklist) -> usize {
    checklist
        .items()
        .filter(|(_, _, item)| item.optional && item.text.ends_with(')'))
        .count()
}

#[test]
fn shape_000_phases_with_sections_and_a_rollback_phase() {
    let c = load("seed-000-release-phases.md");
    assert_eq!(c.title, "App Store Release Runbook");
    assert_eq!(c.format, Format::Markdown);
    assert_eq!(numbers(&c), [82, 77, 0, 5, 0, 10, 7, 0]);
    assert_eq!(optional_by_parenthesis(&c), 7);
    let rollback = c
        .phases
        .iter()
        .find(|p| p.title == "Rollback Procedure (If Needed)")
        .unwrap();
    assert_eq!(rollback.when, When::Rollback);
    assert!(rollback.sections[0].implicit);
    assert!(rollback.sections[0].items.iter().all(|item| !item.optional));
    let roles: Vec<_> = section(&c, "Sign-offs")
        .items
        .iter()
        .map(|item| (item.kind, item.rare.role.clone().unwrap()))
        .collect();
    assert!(roles.iter().all(|(kind, _)| *kind == Kind::Signoff));
    assert_eq!(section(&c, "Archive & Rollback Plan").when, When::Always);
}

#[test]
fn shape_001_triggers_rollback_steps_and_paragraph_signoffs() {
    let c = load("seed-001-numbered-sections.md");
    assert_eq!(c.title, "Warehouse Migration Checklist");
    assert_eq!(numbers(&c), [59, 52, 4, 3, 0, 3, 4, 0]);
    let signoffs: Vec<_> = c
        .items()
        .filter(|(_, _, item)| item.kind == Kind::Signoff)
        .map(|(_, _, item)| (item.line, item.rare.role.clone().unwrap()))
        .collect();
    assert_eq!(signoffs.len(), 3);
    assert_eq!(
        signoffs.iter().map(|s| s.0).collect::<Vec<_>>(),
        [97, 98, 99]
    );
    assert!(
        c.items()
            .filter(|(_, _, i)| i.kind == Kind::Trigger)
            .all(|(_, s, _)| s.when == When::Always)
    );
}

#[test]
fn shape_002_fields_choices_conditions_and_section_commands() {
    let c = load("seed-002-full-runbook.md");
    assert_eq!(c.title, "Payments API Deployment Runbook");
    // 188, not 192: the four emergency contacts are reference, not fields
    // to fill in (docs/FORMAT.md, "Contacts").
    assert_eq!(numbers(&c), [188, 157, 10, 5, 16, 12, 7, 7]);
    let environment = c
        .items()
        .map(|(_, _, i)| i)
        .find(|i| i.rare.label.as_deref() == Some("Environment"))
        .unwrap();
    assert_eq!(environment.kind, Kind::Field);
    assert_eq!(environment.rare.default.as_deref(), Some("Production"));
    let outcome = c
        .items()
        .map(|(_, _, i)| i)
        .find(|i| i.rare.label.as_deref() == Some("Outcome"))
        .unwrap();
    assert_eq!(*outcome.rare.choices, ["Success", "Rollback"]);
    assert_eq!(outcome.rare.default, None);
    assert_eq!(section(&c, "21. Normal Completion").when, When::Success);
    assert_eq!(
        &*section(&c, "21. Normal Completion").id,
        "post-release-actions/normal-completion"
    );
    assert_eq!(section(&c, "13. Rollback Preparation").when, When::Always);
    assert_eq!(section(&c, "22. Rollback Completion").when, When::Rollback);
    assert_eq!(
        section(&c, "11. Run Preflight Script").rare.commands.len(),
        1
    );
    // Written above its items, the one block is the section's command;
    // the appendix's five are reference.
    assert_eq!(
        section(&c, "11. Run Preflight Script")
            .rare
            .command
            .as_deref(),
        Some("./ops/payments/preflight.sh production")
    );
    assert_eq!(section(&c, "Command Cheat Sheet").rare.command, None);
    let contacts = section(&c, "Emergency Contacts");
    assert_eq!(contacts.items, []);
    assert_eq!(contacts.rare.notes.len(), 4);
    assert!(
        c.description
            .as_deref()
            .unwrap()
            .starts_with("This runbook covers every release")
    );
}

#[test]
fn shape_003_front_matter_and_a_checklist_inside_a_fence() {
    let c = load("seed-003-embedded-fence.md");
    assert_eq!(c.title, "Gateway Firmware Rollout Checklist");
    assert_eq!(numbers(&c), [62, 54, 4, 4, 0, 2, 6, 0]);
    assert_eq!(c.variables, ["application", "configuration"]);
    assert_eq!(
        c.front_matter.as_ref().unwrap()["title"],
        "Firmware Rollout"
    );
    assert_eq!(c.phases[0].title, "Pre-Rollout Preparation");
    assert_eq!(c.phases[0].line, 13);
    assert_eq!(c.phases[0].sections[0].line, 14);
    assert_eq!(c.phases[0].sections[0].items[0].line, 15);
    assert!(c.description.is_some());
}

#[test]
fn shape_004_plain_text_steps() {
    let c = load("seed-004-plain-steps.txt");
    assert_eq!(c.title, "SaaS Feature Launch & Rollout");
    assert_eq!(c.format, Format::PlainText);
    assert_eq!(numbers(&c), [49, 49, 0, 0, 0, 0, 0, 0]);
    assert_eq!(c.phases.len(), 7);
    assert!(c.phases.iter().all(|p| p.sections.len() == 1
        && p.sections[0].implicit
        && p.sections[0].rare.expected_output.is_some()
        && p.sections[0].rare.lead.is_some()));
    assert_eq!(c.phases[0].title, "Release Candidate Preparation");
    assert_eq!(c.phases[0].line, 7);
    assert_eq!(
        c.phases[0].sections[0].rare.expected_output.as_deref(),
        Some("Candidate branch cut, versioned and tagged. Pipeline green.")
    );
}

#[test]
fn the_real_seeds_give_formats_numbers_when_present() {
    // The seeds sit beside the checkout, not in it; CI has them.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("note: {} not found; seed check skipped", dir.display());
        return;
    };
    let mut seeds: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    seeds.sort();
    let expected = [
        ("Release Checklist", [82, 77, 0, 5, 0, 10, 7, 0]),
        ("Deployment Checklist", [59, 52, 4, 3, 0, 3, 4, 0]),
        (
            "Production Deployment Checklist",
            [188, 157, 10, 5, 16, 12, 7, 7],
        ),
        (
            "Production Deployment Checklist",
            [62, 54, 4, 4, 0, 2, 6, 0],
        ),
        ("Product Release & Deployment", [49, 49, 0, 0, 0, 0, 0, 0]),
    ];
    assert_eq!(seeds.len(), expected.len());
    for (path, (title, counts)) in seeds.iter().zip(expected) {
        let checklist = parse(&Source::read(path).unwrap()).checklist;
        assert_eq!(
            (checklist.title.as_str(), numbers(&checklist)),
            (title, counts),
            "{}",
            path.display()
        );
    }
}
