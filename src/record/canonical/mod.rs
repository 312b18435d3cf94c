//! The canonical form (docs/RECORD.md) written straight from the record's
//! types: the same bytes as [`super::canonical_json`] of
//! `serde_json::to_value(x)`, without building that value tree first.
//! A 10,000-item record's tree is hundreds of thousands of small
//! allocations, made again at every whole save and every `verify`.
//!
//! Objects: members are serialized into one scratch buffer per object,
//! then written sorted by key, leaving out those whose value is `null`.
//! Arrays keep their nulls. Strings and numbers are written by
//! `serde_json`, as it writes them in a value tree.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible};

/// The canonical bytes of `value`; `omit` names a top-level key to leave
/// out (the record's own `digest`).
pub fn to_vec<T: Serialize + ?Sized>(value: &T, omit: Option<&'static str>) -> Vec<u8> {
    let mut out = Vec::new();
    if value
        .serialize(Canon {
            out: &mut out,
            omit,
        })
        .is_err()
    {
        // As `serde_json::to_value` fails (a map with keys that are not
        // strings, which the record has none of): null.
        out.clear();
        out.extend_from_slice(b"null");
    }
    out
}

#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

struct Canon<'a> {
    out: &'a mut Vec<u8>,
    omit: Option<&'static str>,
}

fn json<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), Error> {
    serde_json::to_writer(out, value).map_err(|err| Error(err.to_string()))
}

/// An object being written: members' values go to `scratch`, noted by
/// key and range, and are written sorted at the end.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    omit: Option<&'static str>,
    scratch: Vec<u8>,
    members: Vec<(Cow<'static, str>, std::ops::Range<usize>)>,
    /// The key of a map entry whose value comes next.
    key: Option<String>,
    /// For a variant written as `{"variant": ...}`: where to close it.
    variant: Option<&'static str>,
}

impl<'a> Object<'a> {
    fn new(out: &'a mut Vec<u8>, omit: Option<&'static str>) -> Object<'a> {
        Object {
            out,
            omit,
            scratch: Vec::new(),
            members: Vec::new(),
            key: None,
            variant: None,
        }
    }

    fn member<T: Serialize + ?Sized>(
        &mut self,
        key: Cow<'static, str>,
        value: &T,
    ) -> Result<(), Error> {
        if self.omit == Some(&*key) {
            return Ok(());
        }
        let start = self.scratch.len();
        value.serialize(Canon {
            out: &mut self.scratch,
            omit: None,
        })?;
        let range = start..self.scratch.len();
        if &self.scratch[range.clone()] == b"null" {
            self.scratch.truncate(start);
            return Ok(());
        }
        self.members.push((key, range));
        Ok(())
    }

    fn finish(mut self) -> Result<(), Error> {
        // A key given twice keeps its last value, as in a map.
        self.members.reverse();
        self.members.sort_by(|a, b| a.0.cmp(&b.0));
        self.members.dedup_by(|later, first| later.0 == first.0);
        // `{"variant":{...}}`: the fields object is the variant's value.
        if let Some(variant) = self.variant {
            self.out.push(b'{');
            json(variant, self.out)?;
            self.out.push(b':');
        }
        self.out
            .reserve(self.scratch.len() + self.members.len() * 16);
        self.out.push(b'{');
        for (i, (key, range)) in self.members.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            json(&**key, self.out)?;
            self.out.push(b':');
            self.out.extend_from_slice(&self.scratch[range.clone()]);
        }
        self.out.push(b'}');
        if self.variant.is_some() {
            self.out.push(b'}');
        }
        Ok(())
    }
}

/// An array being written; `variant` wraps it as `{"variant":[...]}`.
struct Array<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    variant: Option<&'static str>,
}

impl<'a> Array<'a> {
    fn new(out: &'a mut Vec<u8>, variant: Option<&'static str>) -> Result<Array<'a>, Error> {
        if let Some(variant) = variant {
            out.push(b'{');
            json(variant, out)?;
            out.push(b':');
        }
        out.push(b'[');
        Ok(Array {
            out,
            first: true,
            variant,
        })
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        value.serialize(Canon {
            out: self.out,
            omit: None,
        })
    }

    fn finish(self) -> Result<(), Error> {
        self.out.push(b']');
        if self.variant.is_some() {
            self.out.push(b'}');
        }
        Ok(())
    }
}

impl<'a> ser::Serializer for Canon<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Array<'a>;
    type SerializeTuple = Array<'a>;
    type SerializeTupleStruct = Array<'a>;
    type SerializeTupleVariant = Array<'a>;
    type SerializeMap = Object<'a>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = Object<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        json(&v, self.out)
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        json(&v, self.out)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        json(&v, self.out)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        json(&v, self.out)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        json(&v, self.out)
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        json(
            &serde_json::to_value(v).map_err(|e| Error(e.to_string()))?,
            self.out,
        )
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        json(&v, self.out)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        json(&v, self.out)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        json(&v, self.out)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        json(&v, self.out)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        json(
            &serde_json::to_value(v).map_err(|e| Error(e.to_string()))?,
            self.out,
        )
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        // As a value tree holds it: widened to f64, null when not finite.
        json(&serde_json::Value::from(v), self.out)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        json(&serde_json::Value::from(v), self.out)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        json(&v, self.out)
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        json(v, self.out)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        json(v, self.out)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        json(variant, self.out)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let mut object = Object::new(self.out, None);
        object.member(Cow::Borrowed(variant), value)?;
        object.finish()
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Array<'a>, Error> {
        Array::new(self.out, None)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Array<'a>, Error> {
        Array::new(self.out, None)
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Array<'a>, Error> {
        Array::new(self.out, None)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Array<'a>, Error> {
        Array::new(self.out, Some(variant))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Object<'a>, Error> {
        Ok(Object::new(self.out, self.omit))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Object<'a>, Error> {
        Ok(Object::new(self.out, self.omit))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Object<'a>, Error> {
        let mut object = Object::new(self.out, None);
        object.variant = Some(variant);
        Ok(object)
    }
}

impl ser::SerializeSeq for Array<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeTuple for Array<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Array<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Array<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(key.serialize(KeyName)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Error("a map value with no key".to_string()))?;
        self.member(Cow::Owned(key), value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.member(Cow::Borrowed(key), value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.member(Cow::Borrowed(key), value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

/// A map key as a value tree keeps it: strings as they are, numbers,
/// booleans and characters as their text; anything else fails.
struct KeyName;

impl ser::Serializer for KeyName {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = Impossible<String, Error>;
    type SerializeTuple = Impossible<String, Error>;
    type SerializeTupleStruct = Impossible<String, Error>;
    type SerializeTupleVariant = Impossible<String, Error>;
    type SerializeMap = Impossible<String, Error>;
    type SerializeStruct = Impossible<String, Error>;
    type SerializeStructVariant = Impossible<String, Error>;

    fn serialize_str(self, v: &str) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_char(self, v: char) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_bool(self, v: bool) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_f32(self, _v: f32) -> Result<String, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
    fn serialize_f64(self, _v: f64) -> Result<String, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<String, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
    fn serialize_none(self) -> Result<String, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
    fn serialize_unit(self) -> Result<String, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<String, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, Error> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(Error("a map key must be a string".to_string()))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::to_vec;
    use crate::record::canonical_json;

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
    }

    #[test]
    fn a_record_gives_the_bytes_of_the_value_tree_without_its_digest() {
        let doc = include_str!("../../docs/RECORD.md");
        let start = doc.find("```yaml\n").expect("an example") + "```yaml\n".len();
        // The closing fence is the first at the start of a line: the checklist
        // text in the example has fences of its own, indented.
        let end = start + doc[start..].find("\n```\n").expect("its end") + 1;
        let record =
            crate::record::Record::from_yaml(&doc[start..end], std::path::Path::new("x")).unwrap();
        let mut tree = serde_json::to_value(&record).unwrap();
        tree.as_object_mut().unwrap().remove("digest");
        assert_eq!(to_vec(&record, Some("digest")), canonical_json(&tree));
    }
}
