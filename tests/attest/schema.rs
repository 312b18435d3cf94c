//! The in-toto Statement v1 schema's rules, written out as checks, and a
//! test that each can fail.

use serde_json::Value;

use super::APP;

/// The in-toto Statement v1 schema's rules, checked one by one: what the
/// spec (in-toto/attestation spec/v1/statement.md, resource_descriptor.md,
/// digest_set.md) requires of a Statement. `Err` names the first broken.
pub(super) fn in_toto_v1(statement: &Value) -> Result<(), String> {
    let object = statement.as_object().ok_or("not a JSON object")?;
    for key in ["_type", "subject", "predicateType", "predicate"] {
        if !object.contains_key(key) {
            return Err(format!("no {key}"));
        }
    }
    if object["_type"] != "https://in-toto.io/Statement/v1" {
        return Err(format!("_type is {}", object["_type"]));
    }
    let subjects = object["subject"]
        .as_array()
        .ok_or("subject is not a list")?;
    if subjects.is_empty() {
        return Err("subject is empty".into());
    }
    let mut names = Vec::new();
    for subject in subjects {
        let subject = subject.as_object().ok_or("a subject is not an object")?;
        let name = subject["name"].as_str().ok_or("a subject has no name")?;
        if names.contains(&name) {
            return Err(format!("subject name {name} twice"));
        }
        names.push(name);
        let digest = subject
            .get("digest")
            .and_then(Value::as_object)
            .ok_or("a subject has no digest")?;
        let hex = digest
            .get("sha256")
            .and_then(Value::as_str)
            .ok_or("a digest has no sha256")?;
        if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(format!("sha256 {hex} is not 64 lowercase hex digits"));
        }
    }
    let uri = object["predicateType"]
        .as_str()
        .ok_or("predicateType is not a string")?;
    let (scheme, rest) = uri.split_once(':').ok_or("predicateType is not a URI")?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() || uri.chars().any(char::is_whitespace) {
        return Err(format!("predicateType {uri} is not a URI"));
    }
    if !object["predicate"].is_object() {
        return Err("predicate is not an object".into());
    }
    Ok(())
}

#[test]
fn the_schema_check_fails_what_in_toto_refuses() {
    let good = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "a", "digest": {"sha256": APP}}],
        "predicateType": "https://example.com/p/v1",
        "predicate": {}
    });
    assert_eq!(in_toto_v1(&good), Ok(()));
    let broken = |change: fn(&mut Value)| {
        let mut statement = good.clone();
        change(&mut statement);
        in_toto_v1(&statement).unwrap_err()
    };
    assert_eq!(
        broken(|s| s["_type"] = "https://in-toto.io/Statement/v0.1".into()),
        "_type is \"https://in-toto.io/Statement/v0.1\""
    );
    assert_eq!(
        broken(|s| {
            s.as_object_mut().unwrap().remove("predicate");
        }),
        "no predicate"
    );
    assert_eq!(
        broken(|s| s["subject"] = serde_json::json!([])),
        "subject is empty"
    );
    assert_eq!(
        broken(|s| s["subject"][0]["digest"]["sha256"] = APP.to_uppercase().into()),
        format!(
            "sha256 {} is not 64 lowercase hex digits",
            APP.to_uppercase()
        )
    );
    assert_eq!(
        broken(|s| s["subject"][0]["digest"] = serde_json::json!({"md5": "00"})),
        "a digest has no sha256"
    );
    assert_eq!(
        broken(|s| s["predicateType"] = "relcheck run".into()),
        "predicateType is not a URI"
    );
    assert_eq!(
        broken(|s| s["predicate"] = serde_json::json!([])),
        "predicate is not an object"
    );
    assert_eq!(
        broken(|s| {
            let first = s["subject"][0].clone();
            s["subject"].as_array_mut().unwrap().push(first);
        }),
        "subject name a twice"
    );
}
