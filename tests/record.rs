//! The record file: YAML round trips and the documented example.

use relcheck::record::Record;

#[test]
fn the_example_in_record_md_is_a_real_record() {
    let doc = std::fs::read_to_string(crate::support::repo("docs/RECORD.md")).unwrap();
    let start = doc.find("```yaml\n").expect("a yaml example") + "```yaml\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let record =
        Record::from_yaml(&doc[start..end], std::path::Path::new("docs/RECORD.md")).unwrap();
    assert_eq!(record.run.outcome, relcheck::record::Outcome::RolledBack);
    let verification = relcheck::sign::verify(&record, None);
    assert!(
        verification.passed(),
        "{}",
        verification.text(relcheck::style::Style::PLAIN)
    );
    // And back through YAML unchanged.
    let again = Record::from_yaml(&record.to_yaml().unwrap(), std::path::Path::new("x")).unwrap();
    assert_eq!(again, record);
}

#[test]
fn a_file_that_is_not_a_record_says_where() {
    let err = Record::from_yaml("schema: [", std::path::Path::new("bad.yaml")).unwrap_err();
    assert!(err.to_string().starts_with("bad.yaml:1:"), "{err}");
    let err =
        Record::from_yaml("schema: other/v9\n", std::path::Path::new("old.yaml")).unwrap_err();
    assert!(err.to_string().starts_with("old.yaml"), "{err}");
}
