//! The canonical form (docs/RECORD.md) written straight from the record's
//! types: the same bytes as [`super::canonical_json`] of
//! `serde_json::to_value(x)`, without building that value tree first.
//! A 10,000-item record's tree is hundreds of thousands of small
//! allocations, made again at every whole save and every `verify`.
//!
//! Objects: members are serialized into one scratch buffer per object,
//! then written sorted by key, leaving out those whose value is `null`.
//! Arrays keep their nulls, and their elements go straight to the output.
//! Strings and numbers are written by `serde_json`, as it writes them in a
//! value tree.
//!
//! [`to_writer`] writes the top level of a struct a member at a time
//! (`members`), so a whole record's form can be hashed as it is produced
//! instead of being held in memory: at 100,000 items it is 100 MB.

/// The methods of a serializer for the compound values it refuses (all
/// but a struct), each answering `$refuse`, a call that gives the error: a
/// map key ([`KeyName`]) and a member picked from a struct (`members`)
/// refuse them alike.
macro_rules! refuse_compounds {
    ($refuse:expr) => {
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _value: &T,
        ) -> Result<Self::Ok, Error> {
            $refuse
        }
        fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
            $refuse
        }
        fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
            $refuse
        }
        fn serialize_tuple_struct(
            self,
            _name: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeTupleStruct, Error> {
            $refuse
        }
        fn serialize_tuple_variant(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeTupleVariant, Error> {
            $refuse
        }
        fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
            $refuse
        }
        fn serialize_struct_variant(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeStructVariant, Error> {
            $refuse
        }
    };
}

mod key;
mod members;

use std::borrow::Cow;
use std::fmt;
use std::io::Write;

use serde::Serialize;
use serde::ser;

use key::KeyName;
pub use members::{Given, to_writer, to_writer_with};

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

/// Writes the canonical form into `out`: memory for a member's value, or
/// wherever [`to_writer`] sends an array's elements.
struct Canon<'a, W: Write + ?Sized> {
    out: &'a mut W,
    omit: Option<&'static str>,
}

fn json<T: Serialize + ?Sized, W: Write + ?Sized>(value: &T, out: &mut W) -> Result<(), Error> {
    serde_json::to_writer(out, value).map_err(|err| Error(err.to_string()))
}

/// A text's canonical form (a JSON string) written a piece at a time:
/// strings are escaped a character at a time, so the pieces' forms make
/// the whole's.
pub fn string_in_pieces<W: Write + ?Sized>(
    text: &crate::source_text::SourceText,
    out: &mut W,
) -> Result<(), Error> {
    put(out, b"\"")?;
    let mut form = Vec::new();
    text.for_each_piece(|piece| {
        form.clear();
        json(piece, &mut form)?;
        // Within its quotes.
        put(out, &form[1..form.len() - 1])
    })?;
    put(out, b"\"")
}

fn put<W: Write + ?Sized>(out: &mut W, bytes: &[u8]) -> Result<(), Error> {
    out.write_all(bytes).map_err(|err| Error(err.to_string()))
}

/// An object being written: members' values go to `scratch`, noted by
/// key and range, and are written sorted at the end.
struct Object<'a, W: Write + ?Sized> {
    out: &'a mut W,
    omit: Option<&'static str>,
    scratch: Vec<u8>,
    members: Vec<(Cow<'static, str>, std::ops::Range<usize>)>,
    /// The key of a map entry whose value comes next.
    key: Option<String>,
    /// For a variant written as `{"variant": ...}`: where to close it.
    variant: Option<&'static str>,
}

impl<'a, W: Write + ?Sized> Object<'a, W> {
    fn new(out: &'a mut W, omit: Option<&'static str>) -> Object<'a, W> {
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
            put(self.out, b"{")?;
            json(variant, self.out)?;
            put(self.out, b":")?;
        }
        put(self.out, b"{")?;
        for (i, (key, range)) in self.members.iter().enumerate() {
            if i > 0 {
                put(self.out, b",")?;
            }
            json(&**key, self.out)?;
            put(self.out, b":")?;
            put(self.out, &self.scratch[range.clone()])?;
        }
        put(self.out, b"}")?;
        if self.variant.is_some() {
            put(self.out, b"}")?;
        }
        Ok(())
    }
}

/// An array being written; `variant` wraps it as `{"variant":[...]}`.
struct Array<'a, W: Write + ?Sized> {
    out: &'a mut W,
    first: bool,
    variant: Option<&'static str>,
}

impl<'a, W: Write + ?Sized> Array<'a, W> {
    fn new(out: &'a mut W, variant: Option<&'static str>) -> Result<Array<'a, W>, Error> {
        if let Some(variant) = variant {
            put(out, b"{")?;
            json(variant, out)?;
            put(out, b":")?;
        }
        put(out, b"[")?;
        Ok(Array {
            out,
            first: true,
            variant,
        })
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !self.first {
            put(self.out, b",")?;
        }
        self.first = false;
        value.serialize(Canon {
            out: &mut *self.out,
            omit: None,
        })
    }

    fn finish(self) -> Result<(), Error> {
        put(self.out, b"]")?;
        if self.variant.is_some() {
            put(self.out, b"}")?;
        }
        Ok(())
    }
}

impl<'a, W: Write + ?Sized> ser::Serializer for Canon<'a, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Array<'a, W>;
    type SerializeTuple = Array<'a, W>;
    type SerializeTupleStruct = Array<'a, W>;
    type SerializeTupleVariant = Array<'a, W>;
    type SerializeMap = Object<'a, W>;
    type SerializeStruct = Object<'a, W>;
    type SerializeStructVariant = Object<'a, W>;

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
        put(self.out, b"null")
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
    fn serialize_seq(self, _len: Option<usize>) -> Result<Array<'a, W>, Error> {
        Array::new(self.out, None)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Array<'a, W>, Error> {
        Array::new(self.out, None)
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Array<'a, W>, Error> {
        Array::new(self.out, None)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Array<'a, W>, Error> {
        Array::new(self.out, Some(variant))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Object<'a, W>, Error> {
        Ok(Object::new(self.out, self.omit))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Object<'a, W>, Error> {
        Ok(Object::new(self.out, self.omit))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Object<'a, W>, Error> {
        let mut object = Object::new(self.out, None);
        object.variant = Some(variant);
        Ok(object)
    }
}

/// A list, a tuple and their kin are each an array: every element is
/// written in turn.
macro_rules! array_parts {
    ($($part:ident::$method:ident),*) => {$(
        impl<W: Write + ?Sized> ser::$part for Array<'_, W> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

array_parts!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl<W: Write + ?Sized> ser::SerializeMap for Object<'_, W> {
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

/// A struct and a struct variant are each an object of their fields.
macro_rules! object_parts {
    ($($part:ident),*) => {$(
        impl<W: Write + ?Sized> ser::$part for Object<'_, W> {
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
    )*};
}

object_parts!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests;
