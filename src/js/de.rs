//! A serde `Deserializer` over a `JsValue` (what `JSON.parse` returns, or what a caller passed in).
//!
//! Why not serde-wasm-bindgen: this one is a fraction of its size, reads a struct's fields by name (so the keys a
//! model does not know are never visited), and its errors never format the offending value. serde's own messages
//! print numbers with the float formatter, which alone weighs more than this file; ours say "a number".
//!
//! Numbers are given to visitors as `f64` (every number in the model is one), `null` and `undefined` are `None`.

use std::fmt;

use js_sys::{Array, Object, Reflect};
use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, Expected, MapAccess, SeqAccess, Unexpected, Visitor};
use wasm_bindgen::{JsCast, JsValue};

/// Why a value did not have the expected shape.
#[derive(Debug)]
pub struct DeError(String);

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

/// What a value is, in words, without the value itself (it may be a secret, and formatting it costs bytes).
fn kind(unexpected: &Unexpected<'_>) -> &'static str {
    match unexpected {
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) | Unexpected::Float(_) => "a number",
        Unexpected::Char(_) | Unexpected::Str(_) => "a string",
        Unexpected::Unit | Unexpected::Option => "null",
        Unexpected::Seq => "an array",
        Unexpected::Map => "an object",
        _ => "another value",
    }
}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        DeError(message.to_string())
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        DeError(format!(
            "{} where {expected} was expected",
            kind(&unexpected)
        ))
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self::invalid_type(unexpected, expected)
    }
}

/// Deserializes one JS value.
///
/// ```ignore
/// let link: StatusLink = StatusLink::deserialize(JsDe(parsed))?;
/// ```
pub struct JsDe(pub JsValue);

impl JsDe {
    fn invalid(&self, expected: &dyn Expected) -> DeError {
        let v = &self.0;
        let unexpected = if v.is_string() {
            Unexpected::Str("")
        } else if v.as_f64().is_some() {
            Unexpected::Float(0.0)
        } else if v.as_bool().is_some() {
            Unexpected::Bool(false)
        } else if v.is_null() || v.is_undefined() {
            Unexpected::Unit
        } else if Array::is_array(v) {
            Unexpected::Seq
        } else if v.is_object() {
            Unexpected::Map
        } else {
            Unexpected::Other("")
        };
        de::Error::invalid_type(unexpected, expected)
    }
}

impl<'de> de::Deserializer<'de> for JsDe {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let v = &self.0;
        if let Some(text) = v.as_string() {
            visitor.visit_string(text)
        } else if let Some(number) = v.as_f64() {
            visitor.visit_f64(number)
        } else if let Some(flag) = v.as_bool() {
            visitor.visit_bool(flag)
        } else if v.is_null() || v.is_undefined() {
            visitor.visit_unit()
        } else if Array::is_array(v) {
            visitor.visit_seq(Items {
                array: v.clone().unchecked_into(),
                next: 0,
            })
        } else if v.is_object() {
            let keys = Object::keys(v.unchecked_ref::<Object>());
            visitor.visit_map(Entries {
                object: self.0,
                keys,
                next: 0,
            })
        } else {
            Err(self.invalid(&visitor))
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    /// Looks up each field the struct knows; the others are never read.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if !self.0.is_object() || Array::is_array(&self.0) {
            return Err(self.invalid(&visitor));
        }
        visitor.visit_map(Fields {
            object: self.0,
            fields,
            value: JsValue::UNDEFINED,
        })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    // The model's types ask for exactly one shape each; answering only that (instead of going through
    // `deserialize_any`) keeps each visitor's copy of this code to one branch.

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.as_string() {
            Some(text) => visitor.visit_string(text),
            None => Err(self.invalid(&visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.as_bool() {
            Some(flag) => visitor.visit_bool(flag),
            None => Err(self.invalid(&visitor)),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.as_f64() {
            Some(number) => visitor.visit_f64(number),
            None => Err(self.invalid(&visitor)),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if !Array::is_array(&self.0) {
            return Err(self.invalid(&visitor));
        }
        visitor.visit_seq(Items {
            array: self.0.unchecked_into(),
            next: 0,
        })
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 char bytes byte_buf unit
        unit_struct newtype_struct tuple tuple_struct map enum identifier
    }
}

/// The elements of an array.
struct Items {
    array: Array,
    next: u32,
}

impl<'de> SeqAccess<'de> for Items {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        if self.next >= self.array.length() {
            return Ok(None);
        }
        let item = self.array.get(self.next);
        self.next += 1;
        seed.deserialize(JsDe(item)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.array.length().saturating_sub(self.next) as usize)
    }
}

/// Every own key of an object (for maps, and for structs read with `deserialize_any`).
struct Entries {
    object: JsValue,
    keys: Array,
    next: u32,
}

impl<'de> MapAccess<'de> for Entries {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        if self.next >= self.keys.length() {
            return Ok(None);
        }
        let key = self.keys.get(self.next).as_string().unwrap_or_default();
        seed.deserialize(StringDeserializer::<DeError>::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let key = self.keys.get(self.next);
        self.next += 1;
        seed.deserialize(JsDe(
            Reflect::get(&self.object, &key).unwrap_or(JsValue::UNDEFINED),
        ))
    }
}

/// The fields of a struct that the object has (an `undefined` field counts as absent).
struct Fields {
    object: JsValue,
    fields: &'static [&'static str],
    value: JsValue,
}

impl<'de> MapAccess<'de> for Fields {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        while let Some((field, rest)) = self.fields.split_first() {
            self.fields = rest;
            // A getter that throws reads as absent.
            let value =
                Reflect::get(&self.object, &JsValue::from_str(field)).unwrap_or(JsValue::UNDEFINED);
            if !value.is_undefined() {
                self.value = value;
                return seed
                    .deserialize(BorrowedStrDeserializer::<DeError>::new(field))
                    .map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        seed.deserialize(JsDe(std::mem::replace(&mut self.value, JsValue::UNDEFINED)))
    }
}
