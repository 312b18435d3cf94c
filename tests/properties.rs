//! Whatever the input, the parser returns a model and never panics, and
//! every line it reports lies inside the file; whatever text a record
//! holds, it reads back from its file the same.

use proptest::prelude::*;
use relcheck::parse::parse;
use relcheck::source::Source;

fn check_lines(source: &Source) {
    let parsed = parse(source);
    let lines = source.lines.count();
    let inside = |line: usize| (1..=lines).contains(&line);
    for phase in &parsed.checklist.phases {
        assert!(inside(phase.line), "phase line {} of {lines}", phase.line);
        for section in &phase.sections {
            assert!(
                inside(section.line),
                "section line {} of {lines}",
                section.line
            );
            for item in &section.items {
                assert!(inside(item.line), "item line {} of {lines}", item.line);
            }
        }
    }
    for diagnostic in parsed
        .diagnostics
        .iter()
        .chain(&relcheck::lint::check(source))
    {
        assert!(
            inside(diagnostic.line),
            "diagnostic line {} of {lines}",
            diagnostic.line
        );
        assert!(diagnostic.col >= 1);
    }
}

const FRAGMENTS: &[&str] = &[
    "# Title\n",
    "## Phase\n",
    "### Section\n",
    "#### Deep\n",
    "- [ ] check\n",
    "- [x] done\n",
    "* [ ] star\n",
    "1. [ ] one\n",
    "  - [ ] nested\n",
    "    - [ ] deeper\n",
    "- plain\n",
    "- \n",
    "- **Label**: ___\n",
    "**QA Lead:** [Name] - [Date]  \n",
    "- **Env**: A / B\n",
    "```\n",
    "```bash\n",
    "```md\n",
    "echo {{v}}\n",
    "---\n",
    "title: x\n",
    "Checklist\n",
    "Expected Output\n",
    "<!-- relcheck: id=x kind=trigger -->\n",
    "- [ ] t <!-- relcheck: id=a timeout=5m optional -->\n",
    "If rollback required:\n",
    "### Rollback Steps\n",
    "### Rollback Triggers\n",
    "## Sign-off\n",
    "> - [ ] quoted\n",
    "| a | b |\n|---|---|\n",
    "\r\n",
    "\n",
    "\u{feff}",
    "text (if needed)\n",
    "{{",
    "}}",
    "[^1]: foot\n",
    "<div>\n",
    "Setext\n===\n",
];

/// Bytes as a file might hold them: mostly text (random bytes are almost
/// never UTF-8, and would stop at the reader without reaching the parser),
/// with some inputs of raw bytes that the reader must refuse cleanly.
fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => "(\\PC|\n|#|-|\\[|\\]|`|\\{|\\}|\\*|:){0,1500}".prop_map(String::into_bytes),
        2 => proptest::collection::vec(any::<u8>(), 0..2048),
    ]
}

#[test]
fn arbitrary_bytes_reach_the_parser_and_never_panic() {
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new(Config::with_cases(400));
    let parsed = std::cell::Cell::new(0);
    runner
        .run(&file_bytes(), |bytes| {
            if let Ok(source) = Source::from_bytes("fuzz.md".into(), None, &bytes) {
                check_lines(&source);
                parsed.set(parsed.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    // Four in five inputs are text: most of the 400 must have been parsed,
    // or this test checks the UTF-8 reader and nothing else.
    assert!(
        parsed.get() >= 250,
        "only {} of 400 reached the parser",
        parsed.get()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_markdown_never_panics_and_lines_stay_inside(
        picks in proptest::collection::vec(0..FRAGMENTS.len(), 0..80)
    ) {
        let text: String = picks.iter().map(|&i| FRAGMENTS[i]).collect();
        check_lines(&Source::from_text("fuzz.md", &text));
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC{0,600}") {
        check_lines(&Source::from_text("fuzz.md", &text));
    }
}

/// Pieces of text a YAML writer has to quote, escape or keep a block
/// for: indicators, look-alikes of other types, line breaks of every
/// kind, spaces at either end, and lines long enough to be folded.
const TRICKY: &[&str] = &[
    "",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\u{85}",
    "\u{2028}",
    "\u{feff}",
    "\u{1b}[31m",
    "#",
    " #",
    ": ",
    ":",
    "- ",
    "-",
    "? ",
    "---",
    "...",
    "'",
    "\"",
    "\\",
    "|",
    ">",
    "&a",
    "*a",
    "!tag",
    "%",
    "@",
    "`",
    "{",
    "}",
    "[",
    "]",
    ",",
    "yes",
    "no",
    "n",
    "y",
    "on",
    "off",
    "null",
    "~",
    "true",
    "False",
    "0",
    "007",
    "1e3",
    "0x1F",
    "1_000",
    ".inf",
    "-.nan",
    "2026-11-30",
    "2026-11-30T10:00:00Z",
    "12:30:00",
    "1.2.3",
    "é",
    "日本",
    "🚀",
    "a",
    "word",
    "a sentence long enough that a writer folding at eighty columns would break it somewhere",
];

fn tricky_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(0..TRICKY.len(), 0..12)
        .prop_map(|picks| picks.iter().map(|&i| TRICKY[i]).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// Whatever text a record holds, writing it and reading it back gives
    /// the same record: nothing a note, a value or command output says
    /// is lost, trimmed or turned into another type on the way to disk.
    #[test]
    fn any_text_in_a_record_reads_back_the_same(
        texts in proptest::collection::vec(tricky_text(), 8)
    ) {
        let mut record = crate::records::rolled_back();
        let item = &mut record.items[0];
        item.rare.note = Some(texts[0].clone());
        item.rare.value = Some(texts[1].clone());
        item.rare.reason = Some(texts[2].clone());
        item.text = texts[3].as_str().into();
        record.values.insert(texts[4].clone(), texts[5].clone());
        record.run.operator = texts[6].clone();
        if let Some(event) = record.events.last_mut() {
            event.detail = Some(texts[7].clone());
        }
        relcheck::record::seal(&mut record);
        let yaml = record.to_yaml().unwrap();
        let back = relcheck::record::Record::from_yaml(&yaml, std::path::Path::new("r.yaml"))
            .unwrap_or_else(|err| panic!("{err}\n{yaml}"));
        prop_assert_eq!(back, record);
    }
}
