//! A struct serialized without some of its fields, by name: how the lean
//! file form (`lean.rs`) leaves out what the rest of the file says,
//! without first building the item as a YAML tree to remove keys from.
//! Every other field keeps its type's own rules and order.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

/// `value` with the top-level struct fields named in `fields` left out.
/// Each named field must be one the struct always writes (no
/// `skip_serializing_if`): the length a serializer is told is the
/// struct's less those.
pub(super) struct Omit<'a, T: ?Sized> {
    pub value: &'a T,
    pub fields: &'a [&'static str],
}

impl<T: Serialize + ?Sized> Serialize for Omit<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(Omitting {
            inner: serializer,
            fields: self.fields,
        })
    }
}

struct Omitting<'a, S> {
    inner: S,
    fields: &'a [&'static str],
}

/// Methods that only pass their arguments on to the serializer inside.
macro_rules! forward {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        $(fn $name(self, $($arg: $ty),*) -> Result<$out, S::Error> {
            self.inner.$name($($arg),*)
        })*
    };
}

impl<'a, S: Serializer> Serializer for Omitting<'a, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = S::SerializeSeq;
    type SerializeTuple = S::SerializeTuple;
    type SerializeTupleStruct = S::SerializeTupleStruct;
    type SerializeTupleVariant = S::SerializeTupleVariant;
    type SerializeMap = S::SerializeMap;
    type SerializeStruct = OmittingStruct<'a, S::SerializeStruct>;
    type SerializeStructVariant = S::SerializeStructVariant;

    forward! {
        serialize_bool(v: bool) -> S::Ok;
        serialize_i8(v: i8) -> S::Ok;
        serialize_i16(v: i16) -> S::Ok;
        serialize_i32(v: i32) -> S::Ok;
        serialize_i64(v: i64) -> S::Ok;
        serialize_i128(v: i128) -> S::Ok;
        serialize_u8(v: u8) -> S::Ok;
        serialize_u16(v: u16) -> S::Ok;
        serialize_u32(v: u32) -> S::Ok;
        serialize_u64(v: u64) -> S::Ok;
        serialize_u128(v: u128) -> S::Ok;
        serialize_f32(v: f32) -> S::Ok;
        serialize_f64(v: f64) -> S::Ok;
        serialize_char(v: char) -> S::Ok;
        serialize_str(v: &str) -> S::Ok;
        serialize_bytes(v: &[u8]) -> S::Ok;
        serialize_none() -> S::Ok;
        serialize_unit() -> S::Ok;
        serialize_unit_struct(name: &'static str) -> S::Ok;
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> S::Ok;
        serialize_seq(len: Option<usize>) -> S::SerializeSeq;
        serialize_tuple(len: usize) -> S::SerializeTuple;
        serialize_tuple_struct(name: &'static str, len: usize) -> S::SerializeTupleStruct;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> S::SerializeTupleVariant;
        serialize_map(len: Option<usize>) -> S::SerializeMap;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> S::SerializeStructVariant;
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.inner.serialize_some(value)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.inner.serialize_newtype_struct(name, value)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.inner
            .serialize_newtype_variant(name, index, variant, value)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        let inner = self
            .inner
            .serialize_struct(name, len.saturating_sub(self.fields.len()))?;
        Ok(OmittingStruct {
            inner,
            fields: self.fields,
        })
    }
}

struct OmittingStruct<'a, T> {
    inner: T,
    fields: &'a [&'static str],
}

impl<T: SerializeStruct> SerializeStruct for OmittingStruct<'_, T> {
    type Ok = T::Ok;
    type Error = T::Error;

    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), T::Error> {
        if self.fields.contains(&key) {
            self.inner.skip_field(key)
        } else {
            self.inner.serialize_field(key, value)
        }
    }

    fn end(self) -> Result<T::Ok, T::Error> {
        self.inner.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Item {
        id: &'static str,
        phase: &'static str,
        inner: Inner,
        note: Option<&'static str>,
    }

    #[derive(Serialize)]
    struct Inner {
        phase: &'static str,
    }

    #[test]
    fn only_the_named_top_level_fields_are_left_out() {
        let item = Item {
            id: "pre/x",
            phase: "pre",
            inner: Inner { phase: "kept" },
            note: Some("n"),
        };
        let yaml = crate::yaml::to_string(&Omit {
            value: &item,
            fields: &["phase"],
        })
        .unwrap();
        assert_eq!(yaml, "id: pre/x\ninner:\n  phase: kept\nnote: \"n\"\n");
    }
}
