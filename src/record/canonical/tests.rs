//! The canonical form written straight from types is the value tree's,
//! byte for byte.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{to_vec, to_writer};
use crate::record::canonical_json;

/// What [`to_writer`] writes, member by member.
fn streamed<T: Serialize>(value: &T, omit: Option<&'static str>) -> String {
    let mut out = Vec::new();
    to_writer(value, omit, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The reference: through a value tree, as docs/RECORD.md defines it.
fn reference<T: Serialize>(value: &T) -> Vec<u8> {
    canonical_json(&serde_json::to_value(value).unwrap_or(serde_json::Value::Null))
}

#[derive(Serialize)]
enum Shape {
    Unit,
    Newtype(Option<u8>),
    Tuple(u8, Option<String>),
    Struct { b: Option<u8>, a: f64 },
}

#[derive(Serialize)]
struct Every {
    zeta: &'static str,
    alpha: Option<String>,
    shapes: Vec<Shape>,
    map: BTreeMap<String, Option<i64>>,
    numbers: (i8, u64, i64, f64, f64, f32),
    nested: Vec<Option<Vec<bool>>>,
    text: String,
    bytes: &'static [u8],
    unit: (),
    ch: char,
}

#[test]
fn every_shape_of_value_gives_the_bytes_of_the_value_tree() {
    let every = Every {
        zeta: "z",
        alpha: None,
        shapes: vec![
            Shape::Unit,
            Shape::Newtype(None),
            Shape::Newtype(Some(3)),
            Shape::Tuple(1, None),
            Shape::Struct { b: None, a: 0.5 },
        ],
        map: [
            ("b".to_string(), Some(-1)),
            ("a".to_string(), None),
            ("é".to_string(), Some(2)),
            ("B".to_string(), Some(i64::MIN)),
        ]
        .into_iter()
        .collect(),
        numbers: (-8, u64::MAX, 7, 1.0, f64::NAN, 0.1),
        nested: vec![None, Some(vec![true, false]), Some(vec![])],
        text: "quote \" backslash \\ newline \n tab \t nul \u{0} é ✓".to_string(),
        bytes: b"ab",
        unit: (),
        ch: '\u{7f}',
    };
    assert_eq!(
        String::from_utf8(to_vec(&every, None)).unwrap(),
        String::from_utf8(reference(&every)).unwrap()
    );
    // Member by member, the same bytes; a member named to be left out,
    // and one that is null (a float that is not finite), are left out.
    assert_eq!(
        streamed(&every, None),
        String::from_utf8(reference(&every)).unwrap()
    );
    assert_eq!(
        streamed(&every, Some("text")),
        String::from_utf8(to_vec(&every, Some("text"))).unwrap()
    );
    assert!(!streamed(&every, Some("text")).contains("quote"));
}

#[derive(Serialize)]
struct Wrapper(Option<Every2>);

#[derive(Serialize)]
struct Every2 {
    b: f64,
    a: Option<()>,
    c: Vec<Option<u8>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    d: Option<u8>,
}

#[test]
fn streamed_members_are_those_of_the_value_tree_whatever_wraps_them() {
    // A newtype of an option of a struct; nulls left out, not written.
    let value = Wrapper(Some(Every2 {
        b: f64::INFINITY,
        a: None,
        c: vec![None, Some(1)],
        d: None,
    }));
    assert_eq!(streamed(&value, None), r#"{"c":[null,1]}"#);
    assert_eq!(
        streamed(&value, None).into_bytes(),
        reference(&value),
        "as the value tree"
    );
    // Not a struct: written as `to_vec` writes it.
    let map: BTreeMap<&str, u8> = [("z", 1), ("a", 2)].into_iter().collect();
    assert_eq!(streamed(&map, Some("z")), r#"{"a":2}"#);
    assert_eq!(streamed(&vec![1, 2], None), "[1,2]");
    assert_eq!(streamed(&Wrapper(None), None), "null");
}

#[test]
fn a_record_gives_the_bytes_of_the_value_tree_without_its_digest() {
    let doc = include_str!("../../../docs/RECORD.md");
    let start = doc.find("```yaml\n").expect("an example") + "```yaml\n".len();
    // The closing fence is the first at the start of a line: the checklist
    // text in the example has fences of its own, indented.
    let end = start + doc[start..].find("\n```\n").expect("its end") + 1;
    let record =
        crate::record::Record::from_yaml(&doc[start..end], std::path::Path::new("x")).unwrap();
    let mut tree = serde_json::to_value(&record).unwrap();
    tree.as_object_mut().unwrap().remove("digest");
    assert_eq!(to_vec(&record, Some("digest")), canonical_json(&tree));
    assert_eq!(
        streamed(&record, Some("digest")).into_bytes(),
        canonical_json(&tree)
    );
}
