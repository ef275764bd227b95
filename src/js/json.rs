//! [`Json`] for the values of the browser's `JSON.parse` (and for what callers pass in): the core checks and
//! reads answers through this, so the wasm needs neither a JSON parser nor a serde deserializer.

use crate::prelude::*;

use core::cell::RefCell;

use js_sys::{Array, Reflect};
use wasm_bindgen::JsValue;

use super::object;

use crate::json::Json;

/// The JS string of each field name used so far, by the address and length of its `&'static str` (static text
/// never moves or changes; the length tells apart literals a linker might overlap). There are a few dozen names;
/// converting one costs a call into JS and a UTF-8 decode, which for a batch of 1,000 servers was most of the
/// SDK's time over a raw `fetch`.
static NAMES: Names = Names(RefCell::new(Vec::new()));

struct Names(RefCell<Vec<(*const u8, usize, JsValue)>>);

// SAFETY: the wasm this builds has one thread (wasm32 without the atomics feature, checked below), so the cell
// is never reached from two threads. A `static` rather than `thread_local!`, which needs std.
unsafe impl Sync for Names {}

#[cfg(target_feature = "atomics")]
compile_error!("the field-name cache in js/json.rs assumes a single-threaded wasm");

fn name(key: &'static str) -> JsValue {
    let mut names = NAMES.0.borrow_mut();
    let at = (key.as_ptr(), key.len());
    if let Some((_, _, js)) = names.iter().find(|(ptr, len, _)| (*ptr, *len) == at) {
        return js.clone();
    }
    let js = JsValue::from_str(key);
    names.push((at.0, at.1, js.clone()));
    js
}

fn is_plain_object(value: &JsValue) -> bool {
    value.is_object() && !object::is_array(value)
}

impl Json for JsValue {
    fn text(&self) -> Option<String> {
        self.as_string()
    }

    fn is_text(&self) -> bool {
        self.is_string()
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }

    fn is_null(&self) -> bool {
        self.is_null() || self.is_undefined()
    }

    fn items(&self) -> Option<Vec<Self>> {
        // Element by element through guarded reads: a caller's array (a wait target) may be a Proxy that throws.
        object::is_array(self)
            .then(|| object::items(self))
            .flatten()
    }

    fn is_object(&self) -> bool {
        is_plain_object(self)
    }

    fn entries(&self) -> Option<Vec<(String, Self)>> {
        is_plain_object(self)
            .then(|| object::entries(self))
            .flatten()
    }

    fn field(&self, key: &'static str) -> Option<Self> {
        // No "is it an object" check first (two more calls into JS per field, on the hot path of a big batch):
        // `Reflect.get` throws on a string, number or null, which reads as absent, and no field name here is one
        // an array has. A getter that throws reads as absent too; `undefined` is what JSON calls absent.
        // A read that throws (a caller's Proxy or getter: answers of `JSON.parse` never throw) gives a value no
        // shape accepts, so a wait target that cannot be read is refused rather than read as absent.
        match Reflect::get(self, &name(key)) {
            Ok(value) => (!value.is_undefined()).then_some(value),
            Err(_) => Some(JsValue::symbol(Some("unreadable"))),
        }
    }

    fn fill_empty_array(&self, key: &str) {
        let _ = Reflect::set(self, &JsValue::from_str(key), &Array::new());
    }
}
