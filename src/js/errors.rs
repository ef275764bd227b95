//! Core [`Error`] -> a JS `Error` named `"ClcError"`.
//!
//! The object is a plain `Error` (so `e.stack` works everywhere) with own enumerable fields `kind`, `status`,
//! `message`, `details`, `method` and `url`; `pkg-template/errors.js` recognises it with `instanceof ClcError`
//! through `Symbol.hasInstance`, so the wasm never needs to import that file. The core error never holds a token
//! or a password (URLs carry none, bodies are never echoed), so nothing here needs scrubbing.

use js_sys::{Array, Object};
use wasm_bindgen::JsValue;

use super::object::{name, set};
use crate::Error;

/// The one place a core error becomes JS: every rejection and every throw of the SDK goes through here.
impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        to_js(&error)
    }
}

fn to_js(error: &Error) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    js.set_name("ClcError");
    let obj: &Object = js.as_ref();
    // `message` is an own but non-enumerable property of an Error; make it enumerable so JSON.stringify(e)
    // and object spreads show it next to the other fields (which plain assignment makes enumerable).
    define(obj, "message", &JsValue::from_str(&error.message));
    set(obj, "kind", &name(error.kind.as_str()));
    let status = match error.status {
        Some(s) => JsValue::from_f64(f64::from(s)),
        None => JsValue::UNDEFINED,
    };
    set(obj, "status", &status);
    let details = Array::new();
    for d in &error.details {
        let item = Object::new();
        set(&item, "field", &JsValue::from_str(&d.field));
        set(&item, "message", &JsValue::from_str(&d.message));
        details.push(&item);
    }
    set(obj, "details", &details);
    let method = error
        .method
        .map_or(JsValue::UNDEFINED, |m| JsValue::from_str(m.as_str()));
    set(obj, "method", &method);
    let url = error
        .url
        .as_deref()
        .map_or(JsValue::UNDEFINED, JsValue::from_str);
    set(obj, "url", &url);
    js.into()
}

/// Sets a writable, enumerable, configurable own property (what a plain assignment makes).
fn define(obj: &Object, key: &str, value: &JsValue) {
    let desc = Object::new();
    set(&desc, "value", value);
    set(&desc, "writable", &JsValue::TRUE);
    set(&desc, "enumerable", &JsValue::TRUE);
    set(&desc, "configurable", &JsValue::TRUE);
    // defineProperty only throws on a frozen or exotic object; ours is a fresh Error.
    Object::define_property(obj, &JsValue::from_str(key), &desc);
}
