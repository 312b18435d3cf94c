//! The Markdown reader gives the blocks the rules care about, each with
//! its text, its Markdown and where it begins.

use super::*;

fn items(nodes: &[Node]) -> Vec<&ListItem> {
    nodes
        .iter()
        .filter_map(|node| match node {
            Node::Item(item) => Some(item),
            _ => None,
        })
        .collect()
}

#[test]
fn text_with_nothing_to_collapse_is_kept_and_the_rest_collapsed() {
    for text in [
        "",
        " ",
        "a",
        "a b",
        " a",
        "a ",
        "a  b",
        "a\tb",
        "a\nb",
        "a\u{a0}b",
        "é b",
        "a \u{3000}b",
        "  ",
        "a\r",
        "\u{2028}",
    ] {
        assert_eq!(is_collapsed(text), collapse(text) == text, "{text:?}");
        assert_eq!(collapse_owned(text.to_string()), collapse(text), "{text:?}");
    }
}

#[test]
fn a_node_stays_small() {
    // A 100,000-item checklist holds a node per block while
    // pulldown-cmark's tree is still alive: each byte here is 100 KB
    // of the peak. An annotation is boxed for this (192 bytes before).
    assert!(
        std::mem::size_of::<Node>() <= 112,
        "{}",
        std::mem::size_of::<Node>()
    );
}

#[test]
fn task_items_of_every_marker_are_read_with_their_offsets() {
    let text = "- [ ] a\n* [x] b\n\n+ [ ] c\n\n1. [ ] d\n";
    let nodes = read(text, 0);
    let items = items(&nodes);
    let got: Vec<_> = items
        .iter()
        .map(|item| (item.task, &*item.text, item.offset))
        .collect();
    assert_eq!(
        got,
        [
            (Some(false), "a", 0),
            (Some(true), "b", 8),
            (Some(false), "c", 17),
            (Some(false), "d", 26)
        ]
    );
}

#[test]
fn markup_is_removed_from_text_and_kept_in_markdown() {
    let nodes = read(
        "- [ ] Run **all** `tests` per [the guide](x.md)\n  and wrap\n",
        0,
    );
    let item = items(&nodes)[0];
    assert_eq!(&*item.text, "Run all tests per the guide and wrap");
    assert_eq!(
        &*item.markdown,
        "Run **all** `tests` per [the guide](x.md)\n  and wrap"
    );
}

#[test]
fn nested_items_know_their_depth_and_parent() {
    let nodes = read(
        "- [ ] top\n  - [ ] child\n    - [ ] grandchild\n- [ ] next\n",
        0,
    );
    let items = items(&nodes);
    let got: Vec<_> = items
        .iter()
        .map(|item| (&*item.text, item.depth, item.parent))
        .collect();
    assert_eq!(
        got,
        [
            ("top", 0, None),
            ("child", 1, Some(0)),
            ("grandchild", 2, Some(1)),
            ("next", 0, None)
        ]
    );
}

#[test]
fn a_code_block_in_an_item_is_its_command_and_outside_one_a_code_node() {
    let text = "```bash\n./check.sh\n```\n\n- [ ] Deploy\n  ```sh\n  ./deploy.sh\n  ```\n";
    let nodes = read(text, 0);
    match &nodes[0] {
        Node::Code(code) => {
            assert_eq!(code.info, "bash");
            assert_eq!(code.text, "./check.sh\n");
            assert_eq!(code.content, Some(8..19));
        }
        other => panic!("expected code, got {other:?}"),
    }
    assert_eq!(items(&nodes)[0].command.as_deref(), Some("./deploy.sh"));
}

#[test]
fn paragraph_lines_are_split_at_breaks() {
    let text = "**Lead:** [Name] - [Date]  \n**QA:** [Name] - [Date]\n";
    let nodes = read(text, 10);
    let Node::Paragraph(lines) = &nodes[0] else {
        panic!("expected a paragraph");
    };
    let got: Vec<_> = lines
        .iter()
        .map(|line| (line.text.as_str(), line.offset))
        .collect();
    assert_eq!(
        got,
        [("Lead: [Name] - [Date]", 10), ("QA: [Name] - [Date]", 38)]
    );
}

#[test]
fn a_relcheck_comment_is_the_item_annotation_and_not_its_text() {
    let nodes = read(
        "- [ ] Back up <!-- relcheck: id=db-backup optional -->\n",
        0,
    );
    let item = items(&nodes)[0];
    assert_eq!(&*item.text, "Back up");
    let annotation = item.annotation.as_ref().expect("annotation");
    assert_eq!(annotation.get("id"), Some("db-backup"));
    assert_eq!(annotation.get("optional"), Some("true"));
}

/// The nodes of `text` read in pieces as small as the cuts allow, and
/// read whole; read in two to four parts, on threads of their own, they
/// are checked here to be those read whole.
fn pieces_and_whole(text: &str) -> (String, String) {
    let whole = format!("{:#?}", read_in_pieces(text, 3, usize::MAX).0);
    for parts in 2..=4 {
        let joined = format!("{:#?}", joined(read_parts(text, 3, parts)));
        assert_eq!(joined, whole, "{parts} parts of {text:?}");
    }
    (format!("{:#?}", read_in_pieces(text, 3, 1).0), whole)
}

/// Parts' nodes in one list, each list item's `parent` an index into it.
fn joined(parts: Vec<Vec<Node>>) -> Vec<Node> {
    let mut all = Vec::new();
    for part in parts {
        let offset = all.len();
        all.extend(part.into_iter().map(|mut node| {
            if let Node::Item(item) = &mut node {
                item.parent = item.parent.map(|parent| parent + offset);
            }
            node
        }));
    }
    all
}

#[test]
fn a_long_document_is_read_in_parts_at_its_cuts() {
    let section = "## S\n\n- [ ] a\n  - [ ] b\n\n";
    let text = format!("# T\n\n{}", section.repeat(8));
    let parts = read_parts(&text, 0, 3);
    let sizes: Vec<usize> = parts.iter().map(Vec::len).collect();
    // Sections of 25 bytes from byte 5: the first cuts at or after a
    // third (68) and two thirds (136) of the text's 205 bytes.
    assert_eq!(sizes, vec![10, 9, 6]);
    assert!(matches!(&parts[1][0], Node::Heading(h) if h.offset == 80));
    assert!(matches!(&parts[2][0], Node::Heading(h) if h.offset == 155));
    // Each part's list items point at its own nodes.
    assert!(matches!(&parts[2][2], Node::Item(item) if item.parent == Some(1)));
    // No cut in a document with a definition: one part.
    assert_eq!(
        read_parts(&format!("{text}[x]: https://example.com\n"), 0, 3).len(),
        1
    );
}

#[test]
fn a_document_read_in_pieces_gives_the_nodes_read_whole() {
    let cases = [
        // Plain sections, with a list's blank tail and a lead paragraph.
        "# T\n\nLead.\n\n## A\n\n- [ ] a\n  ```sh\n  make\n  ```\n\n\n## B\n\n1. b\n\n   Later.\n\n## C\n",
        // A top-level fence holding what looks like a cut.
        "## A\n\n```\n\n# not a heading\n\n```\n\n## B\n\n- [ ] b\n",
        // A fence never closed: everything after it is code.
        "## A\n\n~~~~\n\n# code\n\n~~~\n\n# still code\n",
        // An HTML comment across a cut, and one closed at a section's end.
        "## A\n\n<!--\n\n# hidden\n\n-->\n\n## B\n\n- [ ] b\n<!-- relcheck: id=b -->\n\n## C\n- [ ] c\n",
        // A fence in a list item, not closed: the heading ends the item.
        "## A\n\n- [ ] a\n  ```\n  run\n\n# B\n\n- [ ] b\n",
        // Quotes, tables and indented code just before a cut.
        "## A\n\n> quoted\n\n# B\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n# C\n\n    code\n\n# D\n",
        // Reference links: the document is read whole.
        "## A\n\n- [ ] see [the runbook]\n\n## B\n\n[the runbook]: https://example.com\n",
        "",
        "\n\n# A\n",
        // A closing fence with spaces after it, and one with a tab, which
        // pulldown-cmark does not take as closing.
        "```\nx\n```  \n\n# H\n\n- [ ] a\n",
        "```\n```\t\n\n# ",
        // pulldown-cmark ends `<PRE>` only at `</pre>`, as written.
        "<PRE>\nmake\n</PRE>\n\n## B\n\n- [ ] b\n",
    ];
    for text in cases {
        let (pieces, whole) = pieces_and_whole(text);
        assert_eq!(pieces, whole, "{text:?}");
    }
}

proptest::proptest! {
    #[test]
    fn any_document_read_in_pieces_gives_the_nodes_read_whole(
        lines in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("# H"),
                proptest::strategy::Just("## H *x*"),
                proptest::strategy::Just(""),
                proptest::strategy::Just("   "),
                proptest::strategy::Just("```"),
                proptest::strategy::Just("````sh"),
                proptest::strategy::Just("  ```"),
                proptest::strategy::Just("    ```"),
                proptest::strategy::Just("~~~"),
                proptest::strategy::Just("```\u{a0}"),
                proptest::strategy::Just("\t```"),
                proptest::strategy::Just("``` x"),
                proptest::strategy::Just("<!--"),
                proptest::strategy::Just("-->"),
                proptest::strategy::Just("<!-- relcheck: id=x -->"),
                proptest::strategy::Just("<pre>"),
                proptest::strategy::Just("<PRE>"),
                proptest::strategy::Just("</PRE>"),
                proptest::strategy::Just("<PRE>v1</PRE>"),
                proptest::strategy::Just("</pre>"),
                proptest::strategy::Just("<div>"),
                proptest::strategy::Just("- [ ] step"),
                proptest::strategy::Just("  - [x] nested"),
                proptest::strategy::Just("1. numbered"),
                proptest::strategy::Just("> quote"),
                proptest::strategy::Just("| a | b |"),
                proptest::strategy::Just("|---|---|"),
                proptest::strategy::Just("    indented"),
                proptest::strategy::Just("Text with `code`"),
                proptest::strategy::Just("Owner: ___"),
                proptest::strategy::Just("---"),
                proptest::strategy::Just("==="),
            ],
            0..40,
        )
    ) {
        let text = lines.join("\n");
        let (pieces, whole) = pieces_and_whole(&text);
        proptest::prop_assert_eq!(pieces, whole, "{:?}", text);
    }
}

/// Lines of every kind of block a cut might split, for documents read in
/// pieces: headings of each shape, blank lines of every white space, each
/// kind of fence and HTML block at the margin and in containers, lists,
/// quotes, tables, lazy lines, non-ASCII and a long line.
const MANY_KINDS_OF_LINE: &[&str] = &[
    "# H",
    "## H ##",
    "#\tH",
    "#",
    "# a | b",
    "### H #x",
    "## H <!-- relcheck: id=h -->",
    "",
    "",
    "",
    "   ",
    "\t",
    "      ",
    "\r",
    "a\rb",
    "```",
    "````sh",
    "  ```",
    "   ~~~",
    "    ```",
    "~~~",
    "<!--",
    "-->",
    "<!-- relcheck: id=x -->",
    "<pre>",
    "</pre>",
    "<script>",
    "</script>",
    "<style>",
    "<textarea>",
    "</textarea>",
    "<?php",
    "?>",
    "<!DOCTYPE",
    ">",
    "<![CDATA[",
    "]]>",
    "<div>",
    "</div>",
    "<custom-tag>",
    "- [ ] step",
    "- [ ] step <!-- relcheck: id=y -->",
    "  - [x] nested",
    "    - [ ] deeper",
    "  ```sh",
    "      ```",
    "  <!--",
    "  <pre>",
    "> <!--",
    "> ```",
    "> - [ ] quoted",
    ">",
    "1. numbered",
    "-",
    "* star",
    "> quote",
    "lazy line",
    "| a | b |",
    "a | b",
    "|---|---|",
    "--|--",
    "    indented",
    "Text with `code`",
    "Text[^1] and [x]",
    "[ ]",
    "[ ] bare",
    "Owner: ___",
    "---",
    "+++",
    "===",
    "ünïcødé ✓ 日本",
    "\u{feff}# bom",
    "$$",
    "term",
    ": definition",
    "*emph",
    "`code",
    "<a href=\"x",
];

proptest::proptest! {
    #[test]
    fn a_document_of_many_kinds_of_line_read_in_pieces_gives_the_nodes_read_whole(
        lines in proptest::collection::vec(proptest::sample::select(MANY_KINDS_OF_LINE), 0..60),
        crlf in proptest::bool::ANY,
    ) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        let (pieces, whole) = pieces_and_whole(&text);
        proptest::prop_assert_eq!(pieces, whole, "{:?}", text);
    }

    #[test]
    fn any_string_of_markup_read_in_pieces_gives_the_nodes_read_whole(
        text in "([#\n\n\n `~<>!\\-\\[\\]x*|:\r\t]|\n# |\n\n# |```|<!--|-->|<pre>|</pre>|- \\[ \\] |  |é){0,120}"
    ) {
        let (pieces, whole) = pieces_and_whole(&text);
        proptest::prop_assert_eq!(pieces, whole, "{:?}", text);
    }
}
