//! Cancellation: a caller's `AbortSignal` and a deadline, linked to an `AbortController` only the SDK aborts.
//!
//! Why not hand the caller's signal to `fetch`: its abort reason can be anything (an Error, a string, nothing),
//! and the SDK wants one well-defined outcome. Our own controller is aborted without a reason, and every wait
//! is a race against the stop's promise, so a call rejects promptly even if a custom `fetch` ignores signals.
//!
//! The stop itself is a small JS object (`stopStart` in `src/js/accepted.js`, whose fast path makes stops too),
//! made in one call into JS: the controller, the promise, the caller's signal's listener and the deadline are all
//! JS things, and building them from the wasm took about ten calls into JS and a `setTimeout` / `clearTimeout`
//! pair per call. Deadlines share one timer.
//! The listener is removed and the deadline forgotten when the [`Stopper`] is dropped, i.e. when the call ends.

use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::Error;

#[wasm_bindgen(module = "/src/js/accepted.js")]
extern "C" {
    /// A stop watching `signal` (or undefined) and `ms` (or undefined: no deadline); `1` if the signal has
    /// already fired, `0` without `AbortController`. Every read of the caller's signal is guarded.
    #[wasm_bindgen(js_name = stopStart, catch)]
    fn stop_start(signal: &JsValue, ms: &JsValue) -> Result<JsValue, JsValue>;
    /// `0` while nothing stopped, `1` for the signal, `2` for the deadline (the first that happened).
    #[wasm_bindgen(js_name = stopWhy)]
    fn stop_why(s: &JsValue) -> u8;
    /// The deadline in epoch ms, `Infinity` without one.
    #[wasm_bindgen(js_name = stopAt)]
    fn stop_at(s: &JsValue) -> f64;
    /// `Promise.race([promise, stopped])`; a rejection if `Promise.race` itself throws.
    #[wasm_bindgen(js_name = stopRace)]
    fn stop_race(s: &JsValue, promise: &Promise) -> Promise;
    /// The promise that settles (with `undefined`) when the stop happens.
    #[wasm_bindgen(js_name = stopUntil)]
    fn stop_until(s: &JsValue) -> Promise;
    /// Forgets the deadline and removes the signal's listener (guarded).
    #[wasm_bindgen(js_name = stopEnd)]
    fn stop_end(s: &JsValue);
}

/// Why a call was cut short.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Stop {
    /// The caller's signal fired.
    Aborted,
    /// The deadline passed (the value is the timeout in ms).
    Deadline(f64),
}

impl Stop {
    /// The core error for this stop.
    pub(crate) fn to_error(self) -> Error {
        match self {
            Stop::Aborted => Error::aborted(),
            Stop::Deadline(ms) => Error::timeout(ms),
        }
    }
}

/// How a raced promise ended.
pub(crate) enum Raced {
    /// It settled with a value.
    Value(JsValue),
    /// It rejected (and no stop happened).
    Rejected(JsValue),
    /// The signal or the deadline came first.
    Stopped(Stop),
}

/// Links a caller's signal and an optional deadline to one call; see the module docs.
pub(crate) struct Stopper {
    js: JsValue,
    timeout_ms: f64,
}

impl Stopper {
    /// Starts watching `signal` (an `AbortSignal`-like object, already checked by the caller) and a deadline
    /// `timeout_ms` from now. Fails with kind `aborted` when the signal is already aborted, so nothing is sent.
    pub(crate) fn new(signal: Option<&JsValue>, timeout_ms: Option<f64>) -> Result<Self, Error> {
        let ms = timeout_ms.map_or(JsValue::UNDEFINED, JsValue::from_f64);
        let js = stop_start(signal.unwrap_or(&JsValue::UNDEFINED), &ms)
            .map_err(|_| Error::network("the call's AbortController could not be made"))?;
        match js.as_f64() {
            Some(1.0) => Err(Error::aborted()),
            Some(_) => Err(Error::network(
                "AbortController is not available in this environment",
            )),
            None => Ok(Stopper {
                js,
                timeout_ms: timeout_ms.unwrap_or(f64::INFINITY),
            }),
        }
    }

    /// When the deadline passes (epoch ms), if there is one.
    pub(crate) fn deadline(&self) -> Option<f64> {
        Some(stop_at(&self.js)).filter(|at| at.is_finite())
    }

    /// The stop that happened, if any.
    pub(crate) fn stop(&self) -> Option<Stop> {
        match stop_why(&self.js) {
            0 => None,
            1 => Some(Stop::Aborted),
            _ => Some(Stop::Deadline(self.timeout_ms)),
        }
    }

    /// The JS object, for a snippet that races a promise itself: its `controller` (whose `signal` goes to
    /// `fetch`) and its `stopped` promise are the parts other snippets may read.
    pub(crate) fn js(&self) -> &JsValue {
        &self.js
    }

    /// Waits for `promise`, or for the signal / deadline, whichever comes first.
    pub(crate) async fn race(&self, promise: &Promise) -> Raced {
        if let Some(s) = self.stop() {
            return Raced::Stopped(s);
        }
        self.settle(stop_race(&self.js, promise)).await
    }

    /// Waits for a promise already raced against this stop (see [`Stopper::js`]), and tells which way it went.
    pub(crate) async fn settle(&self, raced: Promise) -> Raced {
        self.settled(JsFuture::from(raced).await)
    }

    /// How a promise raced against this stop went, from what it settled with: the stop, if one happened, wins.
    pub(crate) fn settled(&self, out: Result<JsValue, JsValue>) -> Raced {
        match (self.stop(), out) {
            (Some(s), _) => Raced::Stopped(s),
            (None, Ok(v)) => Raced::Value(v),
            (None, Err(e)) => Raced::Rejected(e),
        }
    }

    /// A stop the JS fast path made (`stopStart` with `timeout_ms`), given to the wasm with its call.
    pub(crate) fn adopt(js: JsValue, timeout_ms: f64) -> Self {
        Stopper { js, timeout_ms }
    }

    /// Waits until the signal fires or the deadline passes (a sleep that an abort cuts short).
    pub(crate) async fn until_stopped(&self) -> Stop {
        if self.stop().is_none() {
            let _ = JsFuture::from(stop_until(&self.js)).await;
        }
        self.stop().unwrap_or(Stop::Aborted)
    }
}

impl Drop for Stopper {
    fn drop(&mut self) {
        stop_end(&self.js);
    }
}
