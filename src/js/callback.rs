//! Calling a caller's callbacks (`onProgress`, `trace`) so that nothing they do can reach the SDK.
//!
//! A callback that throws is the caller's bug: the call or wait it reports on goes on. A callback that returns a
//! promise (an `async` function) that rejects would be an unhandled rejection, which ends a Node process by
//! default, so a handler that ignores it is attached.

use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};

use super::object::get;

/// Calls `f(arg)`, ignoring what it throws and what its returned promise rejects with.
pub(crate) fn notify(f: &Function, arg: &JsValue) {
    if let Ok(returned) = f.call1(&JsValue::UNDEFINED, arg) {
        ignore_rejection(&returned);
    }
}

/// `value.then(undefined, ignore)` for a thenable; nothing for anything else. `Function.prototype` is the
/// handler: a built-in function that takes anything and does nothing, so no closure has to be kept alive.
fn ignore_rejection(value: &JsValue) {
    if !value.is_object() {
        return;
    }
    let then = get(value, "then");
    if !then.is_function() {
        return;
    }
    let ignore = get(&get(&js_sys::global(), "Function"), "prototype");
    let _ = then
        .unchecked_ref::<Function>()
        .call2(value, &JsValue::UNDEFINED, &ignore);
}
