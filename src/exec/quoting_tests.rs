//! Quoting and substitution: a value reaches a command only as quoted
//! text, whatever it holds, in any quoting context of the command.

use super::tests::{run, spec, values};
use super::*;

#[test]
fn shell_quote_leaves_plain_words_bare_and_quotes_the_rest() {
    let cases = [
        ("1.2.3", "1.2.3"),
        ("production", "production"),
        (
            "registry.example/app:v1-rc.2",
            "registry.example/app:v1-rc.2",
        ),
        ("a,b+c@d_e", "a,b+c@d_e"),
        ("", "''"),
        ("two words", "'two words'"),
        ("it's", r"'it'\''s'"),
        ("$(rm -rf /)", "'$(rm -rf /)'"),
        ("KEY=value", "'KEY=value'"),
        ("~", "'~'"),
        ("*", "'*'"),
        ("%1", "'%1'"),
        ("naïve", "'naïve'"),
        ("a\nb", "'a\nb'"),
    ];
    for (value, quoted) in cases {
        assert_eq!(shell_quote(value), quoted, "value {value:?}");
    }
}

#[test]
fn substitute_replaces_both_spellings_with_plain_values() {
    let values = values(&[("version", "1.2.3"), ("env", "staging-east")]);
    let cases = [
        ("deploy {{version}}", "deploy 1.2.3"),
        (
            "deploy {{ version }} to {{env}}",
            "deploy 1.2.3 to staging-east",
        ),
        ("{{version}}{{version}}", "1.2.31.2.3"),
        ("no variables", "no variables"),
        ("", ""),
        // Not variables by the template rules: left as written.
        (
            "docker inspect -f '{{.Id}}' x",
            "docker inspect -f '{{.Id}}' x",
        ),
        ("echo {{ }} {{1x}} {{ a b }}", "echo {{ }} {{1x}} {{ a b }}"),
        // A `{{` inside something that was not a variable may open one.
        ("{{ {{version}}", "{{ 1.2.3"),
        ("unclosed {{version", "unclosed {{version"),
    ];
    for (command, expected) in cases {
        assert_eq!(
            substitute(command, &values).as_deref(),
            Ok(expected),
            "command {command:?}"
        );
    }
}

#[test]
fn substitute_reports_each_missing_name_once_in_order_of_use() {
    let values = values(&[("version", "1.2.3")]);
    assert_eq!(
        substitute("{{ host }} {{version}} {{user}} {{host}}", &values),
        Err(Unfilled::Missing(vec![
            "host".to_string(),
            "user".to_string()
        ]))
    );
}

#[test]
fn substitute_sees_the_variables_the_parser_declares() {
    let texts = [
        "a {{one}} b {{ two }} {{one}}",
        "{{{three}}} {{ four }}}",
        "{{ {{five}} {{.Six}} {{seven-eight.nine}}",
        "{{ten\n}} {{ é }} {{x}}",
    ];
    for text in texts {
        let declared = crate::template::names(text);
        let missing = match substitute(text, &BTreeMap::new()) {
            Err(Unfilled::Missing(names)) => names,
            _ => Vec::new(),
        };
        assert_eq!(missing, declared, "text {text:?}");
    }
}

#[test]
fn no_value_becomes_shell_code_in_any_quoting_context() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = [
        "two words",
        "it's",
        r#""double" quotes"#,
        "$(touch pwned)",
        "`touch pwned`",
        "${HOME}",
        "; touch pwned",
        "a\nnew line",
        "*",
        "~",
        r"back\slash",
        "",
        "'",
        "''\\'",
    ];
    // Every place a checklist might put a value: quoting cannot make a
    // value safe in all of them, so a value a shell could read is never
    // put into the text at all.
    let contexts = [
        "printf %s {{v}}",
        "printf %s \"{{v}}\"",
        "printf %s '{{v}}'",
        "cat <<EOF\n{{v}}\nEOF",
        "bash -c \"echo {{v}}\"",
        "echo `echo {{v}}`",
    ];
    for value in hostile {
        for context in contexts {
            assert_eq!(
                substitute(context, &values(&[("v", value)])),
                Err(Unfilled::Unsafe(vec!["v".to_string()])),
                "value {value:?} in {context:?}"
            );
        }
        // The value reaches the command as itself, through its variable.
        let outcome = run(&Spec {
            cwd: Some(dir.path().to_path_buf()),
            env: variables_env(&values(&[("v", value)])),
            ..spec("printf %s \"$RELCHECK_VAR_V\"")
        });
        assert_eq!(outcome.exit_code, Some(0), "value {value:?}");
        assert_eq!(outcome.output, value, "value {value:?}");
    }
    assert!(!dir.path().join("pwned").exists());
    // What means nothing to a shell goes into the text as it is.
    for value in [
        "1.4.2",
        "registry.example/app:v1-rc.2",
        "a,b+c@d_e",
        "KEY=value",
        "50%",
    ] {
        assert_eq!(
            substitute("deploy {{v}}", &values(&[("v", value)])),
            Ok(format!("deploy {value}"))
        );
    }
    assert_eq!(
        env_name("preparation/change-ticket"),
        "RELCHECK_VAR_PREPARATION_CHANGE_TICKET"
    );
}
