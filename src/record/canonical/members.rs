//! The top level of a struct's canonical form, written a member at a time
//! in key order straight into a writer, so nothing holds the whole form:
//! a whole record's is 100 MB at 100,000 items, and all the digest needs
//! is to hash it.
//!
//! Members must go out sorted by key while serde gives them in declaration
//! order, so the struct is serialized once to learn its members' names
//! and which are null ([`Fields`], which looks no deeper), then once per
//! member written ([`Pick`]), which writes that member and passes over the
//! others without serializing them. Below the top level, [`Canon`] does as
//! it does for [`to_vec`]: an array's elements (the record's items) go
//! straight out, an object's members through its scratch buffer.

use std::io::Write;

use serde::Serialize;
use serde::ser::{self, Impossible};

use super::{Canon, Error, json, put, to_vec};

/// Writes the canonical form of `value` into `out`, `omit` naming a
/// top-level key to leave out: the bytes of [`to_vec`], without holding
/// them. A value that is not a struct is written from [`to_vec`].
///
/// On an error (a map whose keys are not strings, which no record has)
/// part of the form may already be written; [`to_vec`] gives what the
/// value tree gives for it, null.
pub fn to_writer<T: Serialize + ?Sized, W: Write + ?Sized>(
    value: &T,
    omit: Option<&'static str>,
    out: &mut W,
) -> Result<(), Error> {
    to_writer_with(value, omit, out, &mut [])
}

/// A top-level member whose canonical form the caller writes: its name,
/// and what writes it.
pub type Given<'g, W> = (&'g str, &'g mut dyn FnMut(&mut W) -> Result<(), Error>);

/// [`to_writer`], with some top-level members' values written by the
/// caller: each of `given` names a member and writes its canonical form.
/// So `verify`, which makes each item's form for the item's own digest,
/// hands those to the record digest instead of having them made twice,
/// and sign-offs whose parts are in order already are not sorted again.
pub fn to_writer_with<T: Serialize + ?Sized, W: Write + ?Sized>(
    value: &T,
    omit: Option<&'static str>,
    out: &mut W,
    given: &mut [Given<'_, W>],
) -> Result<(), Error> {
    let fields = match value.serialize(Fields)? {
        Some(fields) => fields,
        None => return put(out, &to_vec(value, omit)),
    };
    let mut keys: Vec<&'static str> = fields
        .into_iter()
        .filter(|&(key, null)| !null && omit != Some(key))
        .map(|(key, _)| key)
        .collect();
    keys.sort_unstable();
    // A name given twice (no derived struct has one) keeps its last value
    // in a value tree, which one pass per name cannot tell apart.
    if keys.windows(2).any(|pair| pair[0] == pair[1]) {
        return put(out, &to_vec(value, omit));
    }
    put(out, b"{")?;
    for (i, key) in keys.into_iter().enumerate() {
        if i > 0 {
            put(out, b",")?;
        }
        json(key, out)?;
        put(out, b":")?;
        match given.iter_mut().find(|(name, _)| *name == key) {
            Some((_, write)) => write(out)?,
            None => value.serialize(Pick { key, out })?,
        }
    }
    put(out, b"}")
}

/// The members of a struct, by name, each with whether its value is null
/// (left out of the form); `None` for anything that is not a struct.
struct Fields;

type Names = Option<Vec<(&'static str, bool)>>;

/// Collects a struct's member names ([`Fields`]).
struct FieldList(Vec<(&'static str, bool)>);

impl ser::SerializeStruct for FieldList {
    type Ok = Names;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.0.push((key, value.serialize(IsNull)?));
        Ok(())
    }
    fn end(self) -> Result<Names, Error> {
        Ok(Some(self.0))
    }
}

/// Accepts the parts of a compound value without looking at them, and
/// ends as `O`: how [`Fields`] and [`IsNull`] pass over what they need
/// not see.
struct Skip<O>(O);

/// The scalar methods of a probe's `Serializer`: each answers `$answer`.
macro_rules! answer_scalars {
    ($answer:expr) => {
        fn serialize_bool(self, _v: bool) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_i8(self, _v: i8) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_i16(self, _v: i16) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_i32(self, _v: i32) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_i64(self, _v: i64) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_i128(self, _v: i128) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_u8(self, _v: u8) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_u16(self, _v: u16) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_u32(self, _v: u32) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_u64(self, _v: u64) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_u128(self, _v: u128) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_char(self, _v: char) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_str(self, _v: &str) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_bytes(self, _v: &[u8]) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_unit_variant(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
        ) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _value: &T,
        ) -> Result<Self::Ok, Error> {
            Ok($answer)
        }
        fn serialize_seq(self, _len: Option<usize>) -> Result<Skip<Self::Ok>, Error> {
            Ok(Skip($answer))
        }
        fn serialize_tuple(self, _len: usize) -> Result<Skip<Self::Ok>, Error> {
            Ok(Skip($answer))
        }
        fn serialize_tuple_struct(
            self,
            _name: &'static str,
            _len: usize,
        ) -> Result<Skip<Self::Ok>, Error> {
            Ok(Skip($answer))
        }
        fn serialize_tuple_variant(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _len: usize,
        ) -> Result<Skip<Self::Ok>, Error> {
            Ok(Skip($answer))
        }
        fn serialize_map(self, _len: Option<usize>) -> Result<Skip<Self::Ok>, Error> {
            Ok(Skip($answer))
        }
        fn serialize_struct_variant(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _len: usize,
        ) -> Result<Skip<Self::Ok>, Error> {
            Ok(Skip($answer))
        }
    };
}

impl ser::Serializer for Fields {
    type Ok = Names;
    type Error = Error;
    type SerializeSeq = Skip<Names>;
    type SerializeTuple = Skip<Names>;
    type SerializeTupleStruct = Skip<Names>;
    type SerializeTupleVariant = Skip<Names>;
    type SerializeMap = Skip<Names>;
    type SerializeStruct = FieldList;
    type SerializeStructVariant = Skip<Names>;

    answer_scalars!(None);

    fn serialize_f32(self, _v: f32) -> Result<Names, Error> {
        Ok(None)
    }
    fn serialize_f64(self, _v: f64) -> Result<Names, Error> {
        Ok(None)
    }
    fn serialize_none(self) -> Result<Names, Error> {
        Ok(None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Names, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Names, Error> {
        Ok(None)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Names, Error> {
        Ok(None)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Names, Error> {
        value.serialize(self)
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<FieldList, Error> {
        Ok(FieldList(Vec::with_capacity(len)))
    }
}

/// Whether a value's canonical form is `null`, as [`Canon`] writes it:
/// none, unit, a float that is not finite (a value tree holds it as null),
/// or an option or newtype of one. Nothing compound is null.
struct IsNull;

impl ser::Serializer for IsNull {
    type Ok = bool;
    type Error = Error;
    type SerializeSeq = Skip<bool>;
    type SerializeTuple = Skip<bool>;
    type SerializeTupleStruct = Skip<bool>;
    type SerializeTupleVariant = Skip<bool>;
    type SerializeMap = Skip<bool>;
    type SerializeStruct = Skip<bool>;
    type SerializeStructVariant = Skip<bool>;

    answer_scalars!(false);

    fn serialize_f32(self, v: f32) -> Result<bool, Error> {
        Ok(!v.is_finite())
    }
    fn serialize_f64(self, v: f64) -> Result<bool, Error> {
        Ok(!v.is_finite())
    }
    fn serialize_none(self) -> Result<bool, Error> {
        Ok(true)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<bool, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<bool, Error> {
        Ok(true)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<bool, Error> {
        Ok(true)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<bool, Error> {
        value.serialize(self)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Skip<bool>, Error> {
        Ok(Skip(false))
    }
}

/// `Skip`'s side of each compound: every element, key, value and field is
/// taken and dropped, and the compound ends as `O`.
macro_rules! skip_parts {
    ($($part:ident { $($method:ident($($name:ident: $ty:ty),*);)* })*) => {$(
        impl<O> ser::$part for Skip<O> {
            type Ok = O;
            type Error = Error;
            $(fn $method<T: Serialize + ?Sized>(
                &mut self,
                $($name: $ty,)*
                _value: &T,
            ) -> Result<(), Error> {
                Ok(())
            })*
            fn end(self) -> Result<O, Error> {
                Ok(self.0)
            }
        }
    )*};
}

skip_parts! {
    SerializeSeq { serialize_element(); }
    SerializeTuple { serialize_element(); }
    SerializeTupleStruct { serialize_field(); }
    SerializeTupleVariant { serialize_field(); }
    SerializeMap { serialize_key(); serialize_value(); }
    SerializeStruct { serialize_field(_key: &'static str); }
    SerializeStructVariant { serialize_field(_key: &'static str); }
}

/// Writes one member's value, `key`'s, of the struct [`Fields`] found.
struct Pick<'a, W: Write + ?Sized> {
    key: &'static str,
    out: &'a mut W,
}

fn not_a_struct<T>() -> Result<T, Error> {
    Err(Error(
        "the value changed between two serializations".to_string(),
    ))
}

impl<'a, W: Write + ?Sized> ser::Serializer for Pick<'a, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Pick<'a, W>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, Error> {
        Ok(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    // [`Fields`] found a struct, through options and newtypes: nothing
    // else reaches here.
    fn serialize_bool(self, _v: bool) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_i8(self, _v: i8) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_i16(self, _v: i16) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_i32(self, _v: i32) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_i64(self, _v: i64) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_u8(self, _v: u8) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_u16(self, _v: u16) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_u32(self, _v: u32) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_u64(self, _v: u64) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_f32(self, _v: f32) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_f64(self, _v: f64) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_char(self, _v: char) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_str(self, _v: &str) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_none(self) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_unit(self) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        not_a_struct()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
    ) -> Result<(), Error> {
        not_a_struct()
    }

    refuse_compounds!(not_a_struct());
}

impl<W: Write + ?Sized> ser::SerializeStruct for Pick<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        if key != self.key {
            return Ok(());
        }
        value.serialize(Canon {
            out: &mut *self.out,
            omit: None,
        })
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}
