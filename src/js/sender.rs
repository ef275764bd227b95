//! One HTTP request out and back, traced; and the Promise plumbing every exported method shares.
//!
//! Every call ends as a Promise that resolves with the decoded answer or rejects with a `ClcError`; an error
//! found before anything is sent is a rejected Promise too, never a synchronous throw.

use crate::prelude::*;

use core::future::Future;
use core::pin::Pin;

use js_sys::{Array, Date, Function, JsString, Object, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

use super::callback;
use super::convert::CallOptions;
use super::object::{name, set};
use super::stop::Stopper;
use super::transport::{self, Reply};
use crate::json::Json;
use crate::request::ApiRequest;
use crate::shape::{self, Shape};
use crate::{response, Error};

/// How a client's requests leave: its `fetch`, its default time limit for one request, and its `trace`.
pub(crate) struct Sender {
    pub(crate) fetch: Option<Function>,
    pub(crate) timeout_ms: f64,
    pub(crate) trace: Option<Function>,
}

impl Sender {
    /// Sends `req` once (nothing here retries) and reports it to `trace` when it settles.
    pub(crate) async fn send(
        &self,
        req: &ApiRequest,
        stop: &Stopper,
        attempt: u32,
    ) -> Result<Reply, Error> {
        // The clock is read only for a trace: two calls into JS less for every request without one.
        let started = self.trace.as_ref().map(|_| Date::now());
        let result = transport::send(self.fetch.as_ref(), req, stop).await;
        if let (Some(trace), Some(started)) = (&self.trace, started) {
            callback::notify(
                trace,
                &trace_entry(req, &result, Date::now() - started, attempt),
            );
        }
        result
    }

    /// The stop of one call: the caller's signal and the call's time limit (or the client's).
    pub(crate) fn stopper(&self, options: &CallOptions) -> Result<Stopper, Error> {
        Stopper::new(
            options.signal.as_ref(),
            Some(options.timeout_ms.unwrap_or(self.timeout_ms)),
        )
    }
}

/// What `trace` receives: `{ method, url, status?, kind?, durationMs, attempt }`, never headers or bodies.
fn trace_entry(
    req: &ApiRequest,
    result: &Result<Reply, Error>,
    duration_ms: f64,
    attempt: u32,
) -> JsValue {
    let entry = Object::new();
    set(&entry, "method", &name(req.method.as_str()));
    set(&entry, "url", &JsValue::from_str(&req.url));
    let (status, kind) = match result {
        Ok(reply) => (
            Some(reply.status),
            response::status_kind(reply.status).map(|k| k.as_str()),
        ),
        Err(e) => (e.status, Some(e.kind.as_str())),
    };
    if let Some(status) = status {
        set(&entry, "status", &f64::from(status).into());
    }
    if let Some(kind) = kind {
        set(&entry, "kind", &kind.into());
    }
    set(&entry, "durationMs", &duration_ms.max(0.0).into());
    set(&entry, "attempt", &f64::from(attempt).into());
    entry.into()
}

/// What a method resolves with, read from its reply: the answer checked against a shape, as sent; a batch's
/// results in the order of its IDs; or, for Get Status, the status string in it. Plain data, so every call
/// shares one async path.
pub(crate) enum Answer {
    /// The whole answer, checked.
    Checked(&'static Shape),
    /// The results of a server operation on these IDs (a JS array of them, checked), in their order, named as
    /// the caller spelled them.
    Batch(JsValue),
    /// The `status` of a Get Status answer.
    Status,
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/js/accepted.js")]
extern "C" {
    /// A 2xx answer's text parsed and checked in JS against shape number `shape` of [`shape::CHECKED_IN_JS`], its
    /// absent arrays filled in; `undefined` when the wasm must read it (what it says no to is in the file).
    #[wasm_bindgen(catch)]
    fn accepted(text: &JsString, shape: u32) -> Result<JsValue, JsValue>;

    /// A checked batch answer (a JS array) in the order of `requested`, a JS array of the checked IDs, each entry
    /// that answers one named as the caller spelled it ([`crate::order::request_order`]'s order).
    #[wasm_bindgen(js_name = inRequestOrder, catch)]
    fn in_request_order(answer: &JsValue, requested: &JsValue) -> Result<JsValue, JsValue>;

    /// A server operation's `ids` (a string or an array) as a new array, each entry read once; `undefined` for
    /// anything else.
    #[wasm_bindgen(js_name = idsCopy, catch)]
    pub(crate) fn ids_copy(ids: &JsValue) -> Result<JsValue, JsValue>;

    /// The IDs of an [`ids_copy`] joined as a JSON array, nothing escaped (see
    /// [`crate::request::IdArray::plain`]).
    #[wasm_bindgen(js_name = idsText, catch)]
    pub(crate) fn ids_text(copy: &Array) -> Result<JsValue, JsValue>;
}

impl Answer {
    pub(crate) fn read(self, reply: &Reply) -> Result<JsValue, Error> {
        match self {
            Answer::Checked(shape) => match accepted_in_js(reply, shape) {
                Some(value) => Ok(value),
                None => checked(reply, shape),
            },
            Answer::Batch(ids) => {
                let answer = match accepted_in_js(reply, &shape::SERVER_OPERATIONS) {
                    Some(value) => value,
                    None => checked(reply, &shape::SERVER_OPERATIONS)?,
                };
                in_request_order(&answer, &ids)
                    .map_err(|_| Error::decode("the answer could not be handed to JavaScript"))
            }
            Answer::Status => transport::decode(reply, &shape::STATUS, |value| {
                Ok((&value)
                    .field("status")
                    .and_then(|status| status.text())
                    .map(JsValue::from)
                    .unwrap_or_default())
            }),
        }
    }
}

/// The answer as JS checked it, for a 2xx; `None` when the wasm must read it.
fn accepted_in_js(reply: &Reply, shape: &Shape) -> Option<JsValue> {
    let index = shape::checked_in_js(shape)?;
    if !(200..300).contains(&reply.status) {
        return None;
    }
    accepted(&reply.text, index as u32)
        .ok()
        .filter(|value| !value.is_undefined())
}

/// The answer parsed and checked in the wasm (the error, when it is not `shape`), its absent arrays filled in.
fn checked(reply: &Reply, shape: &Shape) -> Result<JsValue, Error> {
    transport::decode(reply, shape, |mut value| {
        if shape::fill(&mut value, shape) {
            transport::to_js(&JsString::from(value.to_text()))
        } else {
            transport::to_js(&reply.text)
        }
    })
}

/// A future the JS side can await as a Promise; boxed so every method shares one `future_to_promise`.
pub(crate) type Call = Pin<Box<dyn Future<Output = Result<JsValue, Error>>>>;

/// Runs `call` as a Promise whose rejection is a `ClcError`.
pub(crate) fn promise(call: Call) -> Promise {
    js_promise(Box::pin(async move { call.await.map_err(JsValue::from) }))
}

/// A future that settles a Promise with JS values.
pub(crate) type JsCall = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// The one `future_to_promise` of the module: each instantiation inlines its future's state machine (1.5 to 2 KB
/// of wasm apiece), so every Promise the SDK makes goes through this boxed one.
pub(crate) fn js_promise(call: JsCall) -> Promise {
    future_to_promise(call)
}

/// A rejected Promise for an error found before anything started.
pub(crate) fn rejected(e: Error) -> Promise {
    Promise::reject(&e.into())
}
