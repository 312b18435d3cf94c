//! Bad input gets one clear line naming the file, and exit 3; bad usage
//! exit 2. Never a panic or a backtrace.

use crate::support::relcheck;

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

#[test]
fn unreadable_inputs_name_the_path_and_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let binary = write(&dir, "logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let invalid = write(&dir, "latin1.md", b"# Deploy\n\n- [ ] caf\xe9\n");
    let empty = write(&dir, "empty.md", b"\n \n");
    let no_items = write(&dir, "prose.md", b"# Notes\n\nJust some prose.\n");
    let cases = [
        ("missing.md".to_string(), "error: missing.md: no such file, and no bundled checklist of that name (`relcheck list` shows them)\n".to_string()),
        (d.clone(), format!("error: {d}: is a directory, not a regular file; relcheck reads checklists only from regular files\n")),
        (binary.clone(), format!("error: {binary}: is a binary file (NUL byte at offset 8), not a checklist\n")),
        (invalid.clone(), format!("error: {invalid}:3: invalid UTF-8 at byte offset 19; save the file as UTF-8\n")),
        (empty.clone(), format!("error: {empty}: is empty\n")),
        (no_items.clone(), format!("error: {no_items}: no checklist items found (task items `- [ ]`, list items under headings, or `Checklist` steps); `relcheck lint` explains\n")),
    ];
    for (path, message) in cases {
        let out = relcheck(&["show", &path]).run();
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (3, "", message.as_str()),
            "{path}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = relcheck(&["show"]).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("error: the following required arguments were not provided:"),
        "{}",
        out.stderr
    );
    let out = relcheck(&["frobnicate"]).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("error: unrecognized subcommand 'frobnicate'"),
        "{}",
        out.stderr
    );
    let out = relcheck(&["show", "production-deploy", "--format", "xml"]).run();
    assert_eq!(out.code, 2);
}

#[test]
fn help_lists_every_command_and_the_exit_codes() {
    let out = relcheck(&["--help"]).run();
    assert_eq!(out.code, 0);
    insta::assert_snapshot!("help", out.stdout);
    let out = relcheck(&["--version"]).run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, concat!("relcheck ", env!("CARGO_PKG_VERSION"), "\n"))
    );
}
