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
