//! The checklists compiled into the binary: clean, listed, copyable.

use crate::support::{relcheck, repo};

#[test]
fn every_bundled_checklist_lints_clean() {
    for bundled in relcheck::bundled::ALL {
        let path = repo("checklists").join(bundled.file_name);
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            on_disk, bundled.text,
            "{} is compiled from checklists/",
            bundled.file_name
        );
        let out = relcheck(&[
            "lint",
            "--strict",
            &format!("checklists/{}", bundled.file_name),
        ])
        .run();
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (
                0,
                format!("checklists/{}: ok\n", bundled.file_name).as_str()
            )
        );
    }
}

#[test]
fn bundled_checklists_use_every_feature_between_them() {
    use relcheck::model::{Kind, When};
    let mut kinds = std::collections::HashSet::new();
    let (
        mut default,
        mut choices,
        mut optional,
        mut command,
        mut variables,
        mut rollback,
        mut success,
    ) = (false, false, false, false, false, false, false);
    for bundled in relcheck::bundled::ALL {
        let source = relcheck::source::Source::from_text(bundled.file_name, bundled.text);
        let checklist = relcheck::parse::parse(&source).checklist;
        variables |= !checklist.variables.is_empty();
        for (_, section, item) in checklist.items() {
            kinds.insert(item.kind);
            default |= item.rare.default.is_some();
            choices |= !item.rare.choices.is_empty();
            optional |= item.optional;
            command |= item.rare.command.is_some();
            rollback |= section.when == When::Rollback;
            success |= section.when == When::Success;
        }
    }
    assert_eq!(kinds.len(), Kind::ALL.len());
    assert!(default && choices && optional && command && variables && rollback && success);
}

#[test]
fn list_shows_names_counts_and_descriptions() {
    let out = relcheck(&["list"]).run();
    assert_eq!(out.code, 0);
    insta::assert_snapshot!("list", out.stdout);
}

#[test]
fn init_copies_a_bundled_checklist_and_will_not_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = relcheck(&["init", "hotfix"]).cwd(dir.path()).run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (
            0,
            "wrote hotfix.md; edit it, then `relcheck lint hotfix.md` and `relcheck run hotfix.md`\n"
        )
    );
    let written = std::fs::read_to_string(dir.path().join("hotfix.md")).unwrap();
    assert_eq!(written, relcheck::bundled::find("hotfix").unwrap().text);

    std::fs::write(dir.path().join("hotfix.md"), "mine").unwrap();
    let out = relcheck(&["init", "hotfix.md"]).cwd(dir.path()).run();
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (2, "error: hotfix.md exists; use --force to overwrite it\n")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("hotfix.md")).unwrap(),
        "mine"
    );

    let out = relcheck(&["init", "hotfix", "--force"])
        .cwd(dir.path())
        .run();
    assert_eq!(out.code, 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("hotfix.md")).unwrap(),
        written
    );

    let out = relcheck(&["init", "nope"]).cwd(dir.path()).run();
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: no bundled checklist named `nope`; `relcheck list` shows them: production-deploy, release, hotfix, db-migration\n"
    );
}

#[test]
fn a_bundled_name_resolves_when_no_such_file_exists() {
    let dir = tempfile::tempdir().unwrap();
    let by_name = relcheck(&["show", "production-deploy.md", "--format", "json"])
        .cwd(dir.path())
        .run();
    assert_eq!(by_name.code, 0);
    let json: serde_json::Value = serde_json::from_str(&by_name.stdout).unwrap();
    assert_eq!(json["source"]["path"], "production-deploy.md (bundled)");
    assert_eq!(json["title"], "Production Deployment");
}
