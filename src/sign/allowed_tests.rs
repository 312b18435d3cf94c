//! allowed-signers parsing and matching, as tables.
use super::*;

const KEY_A: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOYlj/iyo4fwcRc5tZ+t5nvhPq1qjWt3G2xS5hvKSc42";
const KEY_B: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAdNLGMhiCpVV9E0wkZ+pOWJ9Rq0PiOl5jb1OYD5IFZA";

fn key(text: &str) -> KeyData {
    PublicKey::from_openssh(text).unwrap().key_data().clone()
}

fn parse(text: &str) -> Result<AllowedSigners, Vec<String>> {
    AllowedSigners::parse(text, Path::new("allowed"))
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn lines_with_and_without_options() {
    let text = format!(
        "# team keys\n\n  jane@example.com,jane {KEY_A} jane's laptop\n\
         \"bob@example.com\" namespaces=\"git,relcheck\",valid-after=\"20260101\",valid-before=\"202701011230Z\" {KEY_B}\n\
         ca@example.com cert-authority {KEY_B}\n"
    );
    let signers = parse(&text).unwrap();
    let lines: Vec<_> = signers
        .entries
        .iter()
        .map(|e| {
            (
                e.line,
                e.principals.as_str(),
                e.cert_authority,
                e.namespaces.as_deref(),
                e.valid_before,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (3, "jane@example.com,jane", false, None, None),
            (
                4,
                "bob@example.com",
                false,
                Some("git,relcheck"),
                Some(at("2027-01-01T12:30:00Z"))
            ),
            (5, "ca@example.com", true, None, None),
        ]
    );
    assert_eq!(signers.entries[0].key, key(KEY_A));
    assert!(signers.entries[1].valid_after.is_some());
}

#[test]
fn every_bad_line_is_reported_with_its_position() {
    let text = format!(
        "jane {KEY_A}\n\
         bob\n\
         carol nosuch=\"x\" {KEY_A}\n\
         dave valid-after=\"2026-01-01\" {KEY_A}\n\
         erin ssh-ed25519 AAAAnotbase64\n\
         \"frank {KEY_A}\n"
    );
    let errors = parse(&text).unwrap_err();
    assert_eq!(errors.len(), 5, "{errors:#?}");
    assert!(errors[0].starts_with("allowed:2:4: error: a key must follow"));
    assert!(errors[1].starts_with("allowed:3:7: error: unknown option `nosuch=\"x\"`"));
    assert!(errors[2].starts_with("allowed:4:6: error: `2026-01-01` is not a time"));
    // A key type where options might be: the key is what does not read.
    assert_eq!(
        errors[3],
        "allowed:5:6: error: not a public key `ssh-ed25519 AAAAnotbase6…`: Base64 encoding error: invalid Base64 encoding"
    );
    assert!(errors[4].starts_with("allowed:6:1: error: a quote is not closed"));
}

#[test]
fn times() {
    assert_eq!(parse_time("20260315Z"), Ok(at("2026-03-15T00:00:00Z")));
    assert_eq!(parse_time("202603151045Z"), Ok(at("2026-03-15T10:45:00Z")));
    assert_eq!(
        parse_time("20260315104501Z"),
        Ok(at("2026-03-15T10:45:01Z"))
    );
    // Without Z the local zone applies: whatever it is, it lies within a day.
    let local = parse_time("20260315").unwrap();
    assert!((local - at("2026-03-15T00:00:00Z")).num_hours().abs() <= 14);
    for bad in [
        "2026031",
        "20261315Z",
        "2026-03-15",
        "202603151Z",
        "20260230Z",
        "",
    ] {
        assert!(parse_time(bad).is_err(), "{bad}");
    }
}

#[test]
fn patterns() {
    let cases = [
        ("jane@example.com", "jane@example.com", true),
        ("jane@example.com", "Jane@example.com", false),
        ("*@example.com", "jane@example.com", true),
        ("*@example.com", "jane@example.org", false),
        ("j?ne@*", "jane@x", true),
        ("j?ne@*", "jne@x", false),
        ("*", "anyone", true),
        ("a*b*c", "aXXbYYbc", true),
        ("a*b*c", "aXXbYYc", true),
        ("a*b*c", "aXXcYY", false),
        ("bob,jane", "jane", true),
        (
            "*@example.com,!mallory@example.com",
            "mallory@example.com",
            false,
        ),
        (
            "*@example.com,!mallory@example.com",
            "jane@example.com",
            true,
        ),
        ("!mallory", "jane", false),
    ];
    for (list, text, expected) in cases {
        assert_eq!(
            pattern_list_matches(list, text),
            expected,
            "{list} ~ {text}"
        );
    }
}

#[test]
fn check_follows_principals_namespaces_and_validity() {
    let text = format!(
        "jane@example.com {KEY_A}\n\
         *@ops.example.com namespaces=\"git\" {KEY_B}\n\
         bob@ops.example.com namespaces=\"relcheck\",valid-after=\"20260101Z\",valid-before=\"20270101Z\" {KEY_B}\n"
    );
    let signers = parse(&text).unwrap();
    let (a, b) = (key(KEY_A), key(KEY_B));
    let mid = at("2026-06-01T00:00:00Z");
    let check = |key: &KeyData, who: &[&str], at| signers.check(key, &names(who), "relcheck", at);

    assert_eq!(
        check(
            &a,
            &["Jane Doe <jane@example.com>", "jane@example.com"],
            mid
        ),
        Verdict::Allowed("jane@example.com".into())
    );
    assert!(
        matches!(check(&a, &["bob"], mid), Verdict::Refused(r) if r.starts_with("may sign only as jane@example.com (line 1)"))
    );
    assert_eq!(
        check(&b, &["bob@ops.example.com"], mid),
        Verdict::Allowed("bob@ops.example.com".into())
    );
    // Line 2 lets carol's key in for git only.
    assert!(
        matches!(check(&b, &["carol@ops.example.com"], mid), Verdict::Refused(r) if r.contains("namespace relcheck"))
    );
    assert!(
        matches!(check(&b, &["bob@ops.example.com"], at("2025-12-31T23:59:59Z")), Verdict::Refused(r) if r.contains("not yet valid"))
    );
    assert!(
        matches!(check(&b, &["bob@ops.example.com"], at("2027-01-01T00:00:01Z")), Verdict::Refused(r) if r.contains("no longer valid"))
    );
    let other =
        key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINwx2Ae4JqmlTNiNbQA2xQKirKtPEBYgV89mtxCd8I29");
    assert_eq!(
        check(&other, &["jane@example.com"], mid),
        Verdict::NotListed {
            cert_authorities: false
        }
    );
}

#[test]
fn certificate_authorities_never_match() {
    let signers = parse(&format!("* cert-authority {KEY_A}\n")).unwrap();
    assert_eq!(
        signers.check(
            &key(KEY_A),
            &names(&["jane"]),
            "relcheck",
            at("2026-01-01T00:00:00Z")
        ),
        Verdict::NotListed {
            cert_authorities: true
        }
    );
}
