//! Inputs far past real use: refused with exit 3 and a message naming the
//! limit, or read in bounded time; never a crash or a stack overflow.
//! (Full sizes, with time and memory, are in `scripts/bench`'s last part.)

use std::time::{Duration, Instant};

use crate::support::relcheck;

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_file_over_32_mib_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.md");
    // Sparse: the size is checked before a byte is read.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    let path = path.display().to_string();
    for args in [vec!["lint", &path], vec!["show", &path]] {
        let out = relcheck(&args).run();
        assert_eq!(out.code, 3, "{args:?}");
        assert!(
            out.stdout
                .contains("big.md: is 200 MiB; relcheck reads checklists up to 32 MiB")
                || out
                    .stderr
                    .contains("big.md: is 200 MiB; relcheck reads checklists up to 32 MiB"),
            "{out:?}"
        );
    }
}

#[test]
fn too_many_headings_or_list_items_are_refused_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let headings = write(&dir, "h.md", &"## H\n- [ ] i\n".repeat(100_001));
    let out = relcheck(&["show", &headings]).run();
    assert_eq!(
        (out.code, out.stderr.trim_end()),
        (
            3,
            format!(
                "error: {headings}: has 100,001 headings; relcheck reads up to 100,000 in a checklist"
            )
            .as_str()
        )
    );
    let items = write(&dir, "i.md", &"- [ ] i\n".repeat(250_001));
    let out = relcheck(&["lint", &items]).run();
    assert_eq!(out.code, 3);
    assert!(
        out.stdout
            .contains("has 250,001 list items (`[ ]` lines and table rows count as items); relcheck reads up to 250,000 in a checklist")
    );
}

#[test]
fn deep_nesting_and_a_long_line_are_read_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut nested = String::from("# Nested\n\n");
    nested.push_str(&"- ".repeat(100_000));
    nested.push_str("[ ] deepest\n\n");
    nested.push_str(&"> ".repeat(100_000));
    nested.push_str("- [ ] quoted\n\n");
    nested.push_str(&"1. ".repeat(100_000));
    nested.push_str("[ ] numbered\n");
    let nested = write(&dir, "nested.md", &nested);
    let line = write(
        &dir,
        "line.md",
        &format!("# Long\n\n- [ ] {}\n", "a **long** `line` ".repeat(60_000)),
    );
    for path in [nested, line] {
        let started = Instant::now();
        let out = relcheck(&["show", "--format", "json", &path]).run();
        assert_eq!(out.code, 0, "{path}: {}", out.stderr);
        // A debug build, on a busy machine: generous.
        assert!(started.elapsed() < Duration::from_secs(60), "{path}");
    }
}

#[test]
fn front_matter_nested_deeper_than_the_yaml_reader_can_afford_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "fm.md",
        &format!("---\n{}\n---\n# T\n- [ ] x\n", "a: [".repeat(100_000)),
    );
    let started = Instant::now();
    let out = relcheck(&["lint", &path]).run();
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("warning: front matter is larger than 64 KiB; it is ignored"),
        "{}",
        out.stdout
    );
    let path = write(
        &dir,
        "fm2.md",
        &format!("---\na: {}\n---\n# T\n- [ ] x\n", "[".repeat(65)),
    );
    let out = relcheck(&["lint", &path]).run();
    assert!(
        out.stdout
            .contains("front matter nests `[` and `{` deeper than 64 levels; it is ignored"),
        "{}",
        out.stdout
    );
}
