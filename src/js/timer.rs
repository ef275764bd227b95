//! One JS timer as a Rust value: set when made, cleared when dropped (the gloo-timers shape).
//!
//! `setTimeout` is looked up on the global object and called through a `catch` binding, so a page that replaced
//! it with something that throws cannot unwind through the wasm.

use core::cell::RefCell;

use js_sys::{Date, Function, Reflect};
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

/// The one timer of a policy's deadline table (quinn's shape): armed for the earliest deadline, and re-armed only
/// when that moves, however often its owner asks.
#[derive(Default)]
pub(crate) struct Alarm {
    armed: RefCell<Option<(f64, Timeout)>>,
}

impl Alarm {
    /// Calls `on_fire` at `at` (epoch ms), or never for `None`; nothing changes if it is already set for `at`.
    pub(crate) fn set(&self, at: Option<f64>, on_fire: impl FnMut() + 'static) {
        if at == self.armed.borrow().as_ref().map(|(armed, _)| *armed) {
            return;
        }
        let timer = at.map(|at| (at, Timeout::new(at - Date::now(), on_fire)));
        // Replacing the old timer drops it, which clears it.
        let old = core::mem::replace(&mut *self.armed.borrow_mut(), timer);
        drop(old);
    }

    /// Its timer has fired: forget it (the closure running now is freed once its call returns).
    pub(crate) fn fired(&self) {
        let old = self.armed.borrow_mut().take();
        drop(old);
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
