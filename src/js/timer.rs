//! One JS timer as a Rust value: set when made, cleared when dropped (the gloo-timers shape).
//!
//! `setTimeout` is looked up on the global object and called through a `catch` binding, so a page that replaced
//! it with something that throws cannot unwind through the wasm.

use js_sys::{Function, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::wait::MAX_TIMER_MS;

/// A pending `setTimeout`; dropping it clears the timer.
pub(crate) struct Timeout {
    id: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Calls `callback` once, `ms` from now (clamped to what a timer can take).
    pub(crate) fn new(ms: f64, callback: impl FnMut() + 'static) -> Timeout {
        let callback = Closure::<dyn FnMut()>::new(callback);
        let ms = JsValue::from_f64(ms.clamp(0.0, MAX_TIMER_MS));
        let id = global_call("setTimeout", callback.as_ref(), &ms);
        Timeout {
            id,
            _callback: callback,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        global_call("clearTimeout", &self.id, &JsValue::UNDEFINED);
    }
}

/// Calls `globalThis[name](a, b)`; timers live on the global object in pages, workers and Node alike.
fn global_call(name: &str, a: &JsValue, b: &JsValue) -> JsValue {
    let global = js_sys::global();
    Reflect::get(&global, &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call2(&global, a, b).ok())
        .unwrap_or(JsValue::UNDEFINED)
}
