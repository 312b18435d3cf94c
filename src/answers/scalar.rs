//! A value as an answers file writes it (`version: 1.2`, `Ticket: T-1`,
//! `approved: true`), kept as the text relcheck records. YAML reads an
//! unquoted `1.2` as a number and `true` as a yes/no; both are a value
//! all the same. A list, a mapping or nothing is not one value.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::{Deserialize, Deserializer};

/// Any YAML value: `Some` text when it is a single value, `None` when it
/// is a list, a mapping or null.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Scalar(pub(super) Option<String>);

/// A number written bare as an item's answer (`error-rate: 0.4`), as text.
/// Only a number: a bare `true` or list is no item's answer.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Number(pub(super) String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Scalar, D::Error> {
        deserializer
            .deserialize_any(AnyValue { collections: true })
            .map(Scalar)
    }
}

/// An item's key, or its bare status, as the file writes it: borrowed
/// from the file's text wherever the reader can give it so (a scalar with
/// no escape in it), so 100,000 keys are not each a string of their own
/// while the file is resolved (10 MB, held beside the checklist).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Text<'a>(Cow<'a, str>);

impl Text<'_> {
    pub(super) fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text<'a>, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Cow<'de, str>;
            // As a `String`'s: the file reads as it did before.
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v))
            }
        }
        deserializer.deserialize_str(TextVisitor).map(Text)
    }
}

/// A note, a reason or a name that YAML may have read as a number
/// (`note: 42`): its text; nothing for null. A list or a mapping is
/// refused.
pub(super) fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_any(AnyValue { collections: false })
}

/// A section of the file written with nothing under it (`items:`, its
/// entries commented out): empty, as if it were left out.
pub(super) fn or_empty<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Number, D::Error> {
        deserializer.deserialize_any(NumberOnly).map(Number)
    }
}

/// Floats as relcheck wrote them before: the shortest text that reads
/// back as the same number, `1000.0` rather than `1000`. (The reader
/// refuses `.inf` and `.nan`, which are no reading of anything.)
fn float(value: f64) -> String {
    serde_json::Number::from_f64(value).map_or_else(|| value.to_string(), |n| n.to_string())
}

/// Any single value as its text; a list or a mapping as `None` when
/// `collections`, and otherwise refused.
struct AnyValue {
    collections: bool,
}

impl<'de> Visitor<'de> for AnyValue {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(if self.collections {
            "a value"
        } else {
            "a text"
        })
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(float(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    // A list or a mapping is read to its end, so the file's syntax is
    // still checked, and then refused by the caller as no single value.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if !self.collections {
            return Err(de::Error::invalid_type(Unexpected::Seq, &self));
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        if !self.collections {
            return Err(de::Error::invalid_type(Unexpected::Map, &self));
        }
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

struct NumberOnly;

impl<'de> Visitor<'de> for NumberOnly {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_i64<E>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i128<E>(self, v: i128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u128<E>(self, v: u128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E>(self, v: f64) -> Result<String, E> {
        Ok(float(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_the_text_relcheck_records() {
        let read = |yaml: &str| crate::yaml::from_str::<Scalar>(yaml).unwrap().0;
        let cases = [
            ("017", Some("017")),
            ("1_000", Some("1_000")),
            ("yes", Some("yes")),
            ("n", Some("n")),
            ("1.2", Some("1.2")),
            ("1000.0", Some("1000.0")),
            ("1e3", Some("1000.0")),
            ("42", Some("42")),
            ("-7", Some("-7")),
            ("true", Some("true")),
            ("\"1.20\"", Some("1.20")),
            ("T-1", Some("T-1")),
            ("~", None),
            ("[a, b]", None),
            ("{a: 1}", None),
        ];
        for (yaml, text) in cases {
            assert_eq!(read(yaml).as_deref(), text, "{yaml}");
        }
        assert_eq!(crate::yaml::from_str::<Number>("0.4").unwrap().0, "0.4");
        assert!(crate::yaml::from_str::<Number>("true").is_err());
        assert!(crate::yaml::from_str::<Number>("done").is_err());
        assert!(crate::yaml::from_str::<Scalar>(".inf").is_err());
    }
}
