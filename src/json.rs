//! A view of parsed JSON, so one decoder runs on `serde_json` values natively and, in the wasm, on the tree of
//! [`crate::parsed`] (answers) and on JS values (what callers pass in, checked where they are).
//!
//! [`crate::shape`] checks answers and inputs through it and [`crate::response`] reads error bodies through it.
//!
//! ```
//! use clc_wasm::json::Json;
//! let value = serde_json::json!({"status": "executing", "links": []});
//! assert_eq!(value.field("status").and_then(|s| s.text()).as_deref(), Some("executing"));
//! assert_eq!(value.field("links").and_then(|l| l.items()).map(|l| l.len()), Some(0));
//! assert!(value.field("missing").is_none());
//! ```

use crate::prelude::*;

/// Read access to one JSON value. Each method answers `None` when the value is not of the kind asked for.
pub trait Json: Sized {
    /// The text of a string.
    fn text(&self) -> Option<String>;
    /// Whether this is a string (without copying it, unlike [`Json::text`]).
    fn is_text(&self) -> bool {
        self.text().is_some()
    }
    /// A number.
    fn number(&self) -> Option<f64>;
    /// Whether this is a number (without reading it, unlike [`Json::number`]).
    fn is_number(&self) -> bool {
        self.number().is_some()
    }
    /// A boolean.
    fn boolean(&self) -> Option<bool>;
    /// Whether the value is `null` (JS `undefined` counts as `null`).
    fn is_null(&self) -> bool;
    /// The elements of an array.
    fn items(&self) -> Option<Vec<Self>>;
    /// Calls `f` with each element of an array and its index, stopping at the first error; `None` when this is
    /// not an array. A view whose elements are at hand overrides it, so a check of thousands of lists collects none.
    fn each_item<E>(
        &self,
        mut f: impl FnMut(usize, &Self) -> Result<(), E>,
    ) -> Option<Result<(), E>> {
        let items = self.items()?;
        Some(
            items
                .iter()
                .enumerate()
                .try_for_each(|(index, item)| f(index, item)),
        )
    }
    /// Whether this is an object (not an array).
    fn is_object(&self) -> bool;
    /// The fields of an object, in order (for maps whose keys are data, like ASP.NET's `modelState`).
    fn entries(&self) -> Option<Vec<(String, Self)>>;
    /// The field `key` of an object; `None` when it is absent (or `undefined`) or this is not an object.
    /// Field names are static: a view may keep its own copy of each (the JS one does, so reading a thousand
    /// answers does not convert the same names a thousand times).
    fn field(&self, key: &'static str) -> Option<Self>;
}

#[cfg(not(target_arch = "wasm32"))]
impl Json for serde_json::Value {
    fn text(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }

    fn is_null(&self) -> bool {
        self.is_null()
    }

    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }

    fn is_object(&self) -> bool {
        self.is_object()
    }

    fn entries(&self) -> Option<Vec<(String, Self)>> {
        let map = self.as_object()?;
        Some(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }

    fn field(&self, key: &'static str) -> Option<Self> {
        self.as_object()?.get(key).cloned()
    }
}
