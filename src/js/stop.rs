//! Cancellation: a caller's `AbortSignal` and a deadline, linked to an `AbortController` only the SDK aborts.
//!
//! Why not hand the caller's signal to `fetch`: its abort reason can be anything (an Error, a string, nothing),
//! and the SDK wants one well-defined outcome. Our own controller is aborted without a reason, and every wait
//! is a race against [`Stopper::stopped`], so a call rejects promptly even if a custom `fetch` ignores signals.
//! Listeners and timers are removed when the [`Stopper`] is dropped, i.e. when the call ends.

use alloc::rc::Rc;
use core::cell::Cell;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use super::object::name;
use super::timer::Timeout;
use crate::Error;

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
    state: Rc<Cell<Option<Stop>>>,
    stopped: Promise,
    controller: AbortController,
    listener: Option<(JsValue, Closure<dyn FnMut()>)>,
    _timer: Option<Timeout>,
    deadline: Option<f64>,
}

impl Stopper {
    /// Starts watching `signal` (an `AbortSignal`-like object, already checked by the caller) and a deadline
    /// `timeout_ms` from now. Fails with kind `aborted` when the signal is already aborted, so nothing is sent.
    pub(crate) fn new(signal: Option<&JsValue>, timeout_ms: Option<f64>) -> Result<Self, Error> {
        if let Some(sig) = signal {
            if Reflect::get(sig, &name("aborted"))
                .map(|v| v.is_truthy())
                .unwrap_or(false)
            {
                return Err(Error::aborted());
            }
        }
        let controller = AbortController::new()
            .map_err(|_| Error::network("AbortController is not available in this environment"))?;
        let state = Rc::new(Cell::new(None));
        // `new_typed`, the constructor js-sys's own futures use: one binding (and its glue) serves both.
        // The executor runs synchronously, so `resolve` is always set; no fallback (like `new Function`,
        // which a strict Content-Security-Policy forbids) is needed.
        let mut resolve = None;
        let stopped: Promise =
            Promise::new_typed::<JsValue>(&mut |res, _rej| resolve = Some(res)).unchecked_into();
        let fire = {
            let state = state.clone();
            let controller = controller.clone();
            move |why: Stop| {
                if state.get().is_none() {
                    state.set(Some(why));
                    if let Some(resolve) = &resolve {
                        let _ = resolve.call(&JsValue::UNDEFINED, (&JsValue::UNDEFINED,));
                    }
                    controller.abort();
                }
            }
        };
        let mut this = Stopper {
            state,
            stopped,
            controller,
            listener: None,
            _timer: None,
            deadline: timeout_ms.map(|ms| js_sys::Date::now() + ms),
        };
        if let Some(sig) = signal {
            let f = fire.clone();
            let closure = Closure::<dyn FnMut()>::new(move || f(Stop::Aborted));
            if let Ok(add) = Reflect::get(sig, &name("addEventListener")) {
                if let Some(add) = add.dyn_ref::<Function>() {
                    let _ = add.call2(sig, &name("abort"), closure.as_ref());
                }
            }
            this.listener = Some((sig.clone(), closure));
        }
        if let Some(ms) = timeout_ms {
            this._timer = Some(Timeout::new(ms, move || fire(Stop::Deadline(ms))));
        }
        Ok(this)
    }

    /// When the deadline passes (epoch ms), if there is one.
    pub(crate) fn deadline(&self) -> Option<f64> {
        self.deadline
    }

    /// The stop that happened, if any.
    pub(crate) fn stop(&self) -> Option<Stop> {
        self.state.get()
    }

    /// The signal of the SDK's own controller, to hand to `fetch`.
    pub(crate) fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Waits for `promise`, or for the signal / deadline, whichever comes first.
    pub(crate) async fn race(&self, promise: &Promise) -> Raced {
        if let Some(s) = self.stop() {
            return Raced::Stopped(s);
        }
        let both = Promise::race(&Array::of2(promise, &self.stopped));
        let out = JsFuture::from(both).await;
        match (self.stop(), out) {
            (Some(s), _) => Raced::Stopped(s),
            (None, Ok(v)) => Raced::Value(v),
            (None, Err(e)) => Raced::Rejected(e),
        }
    }

    /// Waits until the signal fires or the deadline passes (a sleep that an abort cuts short).
    pub(crate) async fn until_stopped(&self) -> Stop {
        if self.stop().is_none() {
            let _ = JsFuture::from(self.stopped.clone()).await;
        }
        self.stop().unwrap_or(Stop::Aborted)
    }
}

impl Drop for Stopper {
    fn drop(&mut self) {
        if let Some((sig, closure)) = &self.listener {
            if let Ok(remove) = Reflect::get(sig, &name("removeEventListener")) {
                if let Some(remove) = remove.dyn_ref::<Function>() {
                    let _ = remove.call2(sig, &name("abort"), closure.as_ref());
                }
            }
        }
    }
}
