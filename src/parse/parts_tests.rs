//! A long document is parsed a run of sections to a core (`parse_split`):
//! whatever the parts, the checklist and its diagnostics must be those of
//! the document read whole. Every document the project holds, and
//! documents made of the shapes that reach across a cut (lists, fences,
//! comments, rollback and success headings, ids claimed twice), are
//! parsed in one to four parts and compared.

use super::*;

fn in_parts(source: &Source) -> Vec<Parsed> {
    let splits: [fn(usize) -> usize; 4] = [|_| 1, |_| 2, |_| 3, |_| 4];
    splits
        .iter()
        .map(|&parts| parse_split(source, parts))
        .collect()
}

fn assert_same_in_parts(name: &str, text: &str) {
    let source = Source::from_text(name, text);
    let mut parsed = in_parts(&source).into_iter();
    let whole = parsed.next().expect("read whole");
    for (parts, split) in (2..).zip(parsed) {
        assert_eq!(split.checklist, whole.checklist, "{name} in {parts} parts");
        assert_eq!(
            split.diagnostics, whole.diagnostics,
            "{name}'s diagnostics in {parts} parts"
        );
    }
}

#[test]
fn every_document_of_the_project_parses_the_same_in_parts() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for folder in ["checklists", "tests/corpus", "tests/fixtures", "tests/lint"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if !matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("md" | "txt" | "org" | "markdown")
            ) {
                continue;
            }
            assert_same_in_parts(&path.display().to_string(), &text);
            count += 1;
        }
    }
    assert!(count > 50, "{count} documents");
}

#[test]
fn what_reaches_across_a_cut_is_kept() {
    let cases = [
        // Rollback and success headings whose sections run past a cut.
        "# Ship\n\n## Rollback Procedure\n\n- [ ] a\n\n### Web\n\n- [ ] b\n\n### Db\n\n- [ ] c\n\n## Success Criteria\n\n- d\n\n### More\n\n- e\n\n## Appendix\n\n1. f\n\n### Deeper\n\n1. g\n",
        // One id claimed twice, in different parts.
        "# T\n\n## A\n\n- [ ] a <!-- relcheck: id=same -->\n\n## B\n\n- [ ] b\n\n## C\n\n- [ ] c <!-- relcheck: id=same -->\n",
        // An id with a slash: made ids may meet it.
        "# T\n\n## A\n\n- [ ] a\n\n## B\n\n- [ ] b <!-- relcheck: id=a/a -->\n\n## C\n\n- [ ] a\n",
        // An outline naming headings further down, in another part.
        "# T\n\n- Build\n- Deploy\n\n## Build\n\n1. make\n\n## Deploy\n\n1. ship\n\n## Build\n\n1. again\n",
        // A fence left open across what looks like a cut.
        "# T\n\n## A\n\n```\n\n## not a heading\n\n- [ ] not a step\n",
        // Phases of the same title: their ids are made unique in order.
        "# T\n\n## Deploy\n\n- [ ] a\n\n## Deploy\n\n- [ ] b\n\n## Deploy\n\n- [ ] c\n",
        // A parent in one phase, its child's id resolved after the runs.
        "# T\n\n## A\n\n- [ ] a\n  - [ ] a1\n\n## B\n\n- [ ] b\n  - [ ] b1\n",
        // The same, with no blank line to cut at before the last heading
        // (found by the property below when a part's node indices were
        // its own).
        "# Release\n# Release\n# Release\n\n# Release\n- [ ] step\n  - [ ] sub-step",
    ];
    for (n, text) in cases.iter().enumerate() {
        // Each is cut (but the one whose fence is left open, read whole).
        let read = markdown::read_parts(text, 0, 3).len();
        assert_eq!(read > 1, n != 4, "{read} parts of {text:?}");
        assert_same_in_parts("t.md", text);
    }
}

proptest::proptest! {
    #[test]
    fn any_document_parses_the_same_in_parts(
        lines in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("# Release"),
                proptest::strategy::Just("## Deploy"),
                proptest::strategy::Just("## Rollback"),
                proptest::strategy::Just("### Rollback Triggers"),
                proptest::strategy::Just("## Success Criteria"),
                proptest::strategy::Just("## Appendix"),
                proptest::strategy::Just("### Sign-off"),
                proptest::strategy::Just("## Notes"),
                proptest::strategy::Just(""),
                proptest::strategy::Just(""),
                proptest::strategy::Just("- [ ] step"),
                proptest::strategy::Just("- [ ] step <!-- relcheck: id=x -->"),
                proptest::strategy::Just("- [ ] step <!-- relcheck: id=p/x when=rollback -->"),
                proptest::strategy::Just("  - [ ] sub-step"),
                proptest::strategy::Just("- Deploy"),
                proptest::strategy::Just("1. numbered"),
                proptest::strategy::Just("- **Version**: ___"),
                proptest::strategy::Just("Rollback if:"),
                proptest::strategy::Just("**QA Lead**"),
                proptest::strategy::Just("Name: ___"),
                proptest::strategy::Just("```sh"),
                proptest::strategy::Just("```"),
                proptest::strategy::Just("<!--"),
                proptest::strategy::Just("-->"),
                proptest::strategy::Just("| a | b |"),
                proptest::strategy::Just("|---|---|"),
            ],
            0..60,
        )
    ) {
        let text = lines.join("\n");
        let source = Source::from_text("t.md", &text);
        let mut parsed = in_parts(&source).into_iter();
        let whole = parsed.next().expect("read whole");
        for split in parsed {
            proptest::prop_assert_eq!(&split.checklist, &whole.checklist);
            proptest::prop_assert_eq!(&split.diagnostics, &whole.diagnostics);
        }
    }
}
