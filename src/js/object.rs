//! Property access on JS values that may be hostile: getters that throw, Proxies whose traps throw, revoked
//! Proxies (a stale Immer draft, say).
//!
//! Every read of a caller's value goes through here, and every JS operation here is a `catch` import: a JS
//! exception that unwinds through Rust frames leaks the wasm's shadow stack, and a few thousand of them kill the
//! instance. A read that throws becomes `Err`, which the callers turn into a `validation` error naming the field.

use crate::prelude::*;

use core::cell::RefCell;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::Error;

#[wasm_bindgen]
extern "C" {
    /// `Array.isArray`, which throws on a revoked Proxy (js-sys's binding does not catch).
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    fn is_array_checked(value: &JsValue) -> Result<bool, JsValue>;

    /// `JSON.stringify`, which runs getters, Proxy traps and `toJSON` methods, and throws on a cycle or a BigInt.
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    fn stringify_checked(value: &JsValue) -> Result<JsValue, JsValue>;
}

/// The JS string of each static name used so far (property names, methods, header names), by the address and
/// length of its `&'static str` (static text never moves or changes; the length tells apart literals a linker
/// might overlap). Making a JS string from the wasm is a call into JS and a UTF-8 decode: a call used to make
/// about 20 of them, the same ones every time.
static NAMES: Names = Names(RefCell::new(Vec::new()));

struct Names(RefCell<Vec<(*const u8, usize, JsValue)>>);

// SAFETY: the wasm this builds has one thread (wasm32 without the atomics feature, checked below), so the cell
// is never reached from two threads. A `static` rather than `thread_local!`, which needs std.
unsafe impl Sync for Names {}

#[cfg(target_feature = "atomics")]
compile_error!("the name cache in js/object.rs assumes a single-threaded wasm");

/// `text` as a JS string, made once per name and then reused.
pub(crate) fn name(text: &'static str) -> JsValue {
    let Ok(mut names) = NAMES.0.try_borrow_mut() else {
        return JsValue::from_str(text);
    };
    let at = (text.as_ptr(), text.len());
    if let Some((_, _, js)) = names.iter().find(|(ptr, len, _)| (*ptr, *len) == at) {
        return js.clone();
    }
    let js = JsValue::from_str(text);
    names.push((at.0, at.1, js.clone()));
    js
}

/// Whether `value` is an array; a value that throws when asked (a revoked Proxy) is not one.
pub(crate) fn is_array(value: &JsValue) -> bool {
    value.is_object() && is_array_checked(value).unwrap_or(false)
}

/// `obj[key]`; a value that is not an object reads as `undefined`; `Err` when the read throws.
pub(crate) fn read(obj: &JsValue, key: &'static str) -> Result<JsValue, JsValue> {
    if obj.is_object() || obj.is_function() {
        Reflect::get(obj, &name(key))
    } else {
        Ok(JsValue::UNDEFINED)
    }
}

/// `obj[key]` of a caller's value: a read that throws is refused as the field `field`.
pub(crate) fn field(obj: &JsValue, key: &'static str) -> Result<JsValue, Error> {
    read(obj, key).map_err(|_| unreadable(key))
}

/// `obj[key]` of a value the SDK made or `JSON.parse` gave; a read that throws reads as `undefined`.
pub(crate) fn get(obj: &JsValue, key: &'static str) -> JsValue {
    read(obj, key).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key] = value` on an object the SDK made (cannot throw; the result is ignored on purpose).
pub(crate) fn set(obj: &Object, key: &'static str, value: &JsValue) {
    let _ = Reflect::set(obj, &name(key), value);
}

/// The elements of an array, read one by one; `None` when the array (a Proxy) throws on any read.
pub(crate) fn items(array: &JsValue) -> Option<Vec<JsValue>> {
    let length = Reflect::get(array, &name("length")).ok()?.as_f64()?;
    if !(length.is_finite() && length >= 0.0 && length <= f64::from(u32::MAX)) {
        return None;
    }
    let length = length as u32;
    let mut out = Vec::with_capacity(length.min(1 << 16) as usize);
    for index in 0..length {
        out.push(Reflect::get_u32(array, index).ok()?);
    }
    Some(out)
}

/// A caller's value as JSON text, for the wasm to check and read in one piece (one call into JS, not one per
/// field); `None` when it cannot be written (it throws, holds a cycle or a BigInt, or is a function).
pub(crate) fn json_text(value: &JsValue) -> Option<String> {
    stringify_checked(value).ok()?.as_string()
}

/// The refusal of a field whose getter (or Proxy trap) threw.
pub(crate) fn unreadable(field: &str) -> Error {
    Error::validation(field, "could not be read (reading it threw)")
}
