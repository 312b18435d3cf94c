//! A checklist as read: whatever a file's bytes hold (a BOM, CRLF or lone
//! CR line ends, control characters at any offset), the record pins the
//! SHA-256 of those bytes, and the views read what a plain copy reads.
//! The text is kept without a copy only when normalising leaves it as
//! read, and its digest is then taken later, of the text: these hold both
//! ways of working it out to the bytes.

use std::path::Path;

use relcheck::source::sha256_hex;

use crate::support::relcheck;

const PLAIN: &str = "# Deploy\n\n## Pre\n\n- [ ] Approve the change ticket for the release\n- [ ] Error rate normal (< 1%)\n\n## Sign-off\n\n### Release Manager\n\nName: ___\nDate: ___\n";

/// The file's bytes, each way a file can differ from the text kept.
fn variants() -> Vec<(&'static str, Vec<u8>)> {
    let mut all = vec![
        ("plain", PLAIN.as_bytes().to_vec()),
        ("bom", format!("\u{feff}{PLAIN}").into_bytes()),
        ("crlf", PLAIN.replace('\n', "\r\n").into_bytes()),
        ("cr", PLAIN.replace('\n', "\r").into_bytes()),
        (
            "bom-crlf",
            format!("\u{feff}{}", PLAIN.replace('\n', "\r\n")).into_bytes(),
        ),
    ];
    // An escape on either side of each sixteen-byte boundary of the scan.
    for at in [15, 16, 17, 31, 32, 33, PLAIN.len() - 1] {
        let mut bytes = PLAIN.as_bytes().to_vec();
        bytes.insert(at, 0x1b);
        all.push(("escape", bytes));
    }
    all
}

fn record_sha256(records: &Path) -> String {
    let entry = std::fs::read_dir(records).unwrap().next().unwrap().unwrap();
    let text = std::fs::read_to_string(entry.path()).unwrap();
    let record: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    record["checklist"]["sha256"].as_str().unwrap().to_string()
}

#[test]
fn a_record_pins_the_sha256_of_the_bytes_as_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("answers.yaml"), "items: {}\n").unwrap();
    for (n, (name, bytes)) in variants().into_iter().enumerate() {
        let file = format!("{name}-{n}.md");
        std::fs::write(dir.path().join(&file), &bytes).unwrap();
        let records = format!("records-{n}");
        let out = relcheck(&[
            "run",
            &file,
            "--non-interactive",
            "--answers",
            "answers.yaml",
            "--records-dir",
            &records,
            "--operator",
            "ci",
        ])
        .cwd(dir.path())
        .run();
        assert_eq!(out.code, 4, "{file}: {}{}", out.stdout, out.stderr);
        assert_eq!(
            record_sha256(&dir.path().join(&records)),
            sha256_hex(&bytes),
            "{file}"
        );
    }
}

/// The views read the same model from each, and the JSON view's
/// `source.sha256` is of the file's own bytes.
#[test]
fn line_ends_and_a_bom_change_nothing_the_views_show() {
    let dir = tempfile::tempdir().unwrap();
    let views = |file: &str, sha256: &str| {
        ["json", "text"].map(|format| {
            let out = relcheck(&["show", "--format", format, file])
                .cwd(dir.path())
                .run();
            assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{file}");
            if format == "json" {
                let pinned = format!("\"sha256\": \"{sha256}\"");
                assert!(out.stdout.contains(&pinned), "{file}: {}", out.stdout);
            }
            out.stdout.replace(file, "FILE").replace(sha256, "SHA256")
        })
    };
    let mut plain = None;
    for (n, (name, bytes)) in variants().into_iter().enumerate() {
        if name == "escape" {
            continue;
        }
        let file = format!("{name}-{n}.md");
        std::fs::write(dir.path().join(&file), &bytes).unwrap();
        let shown = views(&file, &sha256_hex(&bytes));
        assert_eq!(&shown, plain.get_or_insert_with(|| shown.clone()), "{file}");
    }
}
