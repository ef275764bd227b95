//! One HTTP request out and back, traced; and the Promise plumbing every exported method shares.
//!
//! Every call ends as a Promise that resolves with the decoded answer or rejects with a `ClcError`; an error
//! found before anything is sent is a rejected Promise too, never a synchronous throw.

use crate::prelude::*;

use core::future::Future;
use core::pin::Pin;

use js_sys::{Date, Function, JsString, Object, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

use super::callback;
use super::convert::CallOptions;
use super::object::{name, set};
use super::stop::Stopper;
use super::transport::{self, Reply};
use crate::json::Json;
use crate::parsed::{write_string, Value};
use crate::request::ApiRequest;
use crate::shape::{self, Shape};
use crate::text::push_decimal;
use crate::validate::ServerIds;
use crate::{order, response, Error};

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
    /// The results of a server operation on these IDs, checked, in their order, named as the caller spelled them.
    Batch(ServerIds),
    /// The `status` of a Get Status answer.
    Status,
}

impl Answer {
    pub(crate) fn read(self, reply: &Reply) -> Result<JsValue, Error> {
        match self {
            Answer::Checked(shape) => transport::decode(reply, shape, |mut value| {
                if shape::fill(&mut value, shape) {
                    transport::to_js(&JsString::from(value.to_text()))
                } else {
                    transport::to_js(&reply.text)
                }
            }),
            Answer::Batch(ids) => transport::decode(reply, &shape::SERVER_OPERATIONS, |value| {
                batch_in_request_order(reply, &value, &ids)
            }),
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

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = r#"
export function inRequestOrder(text, plan) {
  const answer = JSON.parse(text), places = JSON.parse(plan), out = new Array(places.length / 2);
  for (let i = 0; i < out.length; i++) {
    const at = places[2 * i], name = places[2 * i + 1], entry = answer[at < 0 ? ~at : at];
    if (name !== null) entry.server = name;
    if (at < 0) entry.links = [];
    out[i] = entry;
  }
  return out;
}
"#)]
extern "C" {
    /// `JSON.parse` of a batch's answer, its entries put and renamed as `plan` says: a JSON array of two items
    /// per result, the entry's index in the answer (`-1 - index` when it gets an empty `links`) and the caller's
    /// spelling of its ID (`null` for an entry that answers none).
    #[wasm_bindgen(js_name = inRequestOrder, catch)]
    fn in_request_order(text: &JsString, plan: &str) -> Result<JsValue, JsValue>;
}

/// A checked batch answer as the caller gets it: in the order of `ids`, each named as the caller spelled it,
/// `links` always there ([`order::placements`]). The wasm only works out where each entry goes: the entries
/// themselves come from one `JSON.parse` of the answer as it arrived. Writing the reordered text out in the
/// wasm and decoding it again in JS cost a tenth of a batch's own time (Node 20, in-memory fetch, over a raw
/// fetch: 1,000 IDs 2.78 -> 2.43 ms, 5,000 IDs 10.98 -> 10.36 ms), and the plan is less wasm than the copy.
fn batch_in_request_order(
    reply: &Reply,
    answer: &Value<'_>,
    ids: &ServerIds,
) -> Result<JsValue, Error> {
    let placed = order::placements(answer, ids);
    let mut plan = String::with_capacity(placed.len() * 32);
    plan.push('[');
    for (index, place) in placed.iter().enumerate() {
        if index > 0 {
            plan.push(',');
        }
        if place.without_links {
            plan.push('-');
        }
        push_decimal(
            &mut plan,
            place.returned as u64 + u64::from(place.without_links),
        );
        plan.push(',');
        match place.name {
            Some(name) => write_string(name, &mut plan),
            None => plan.push_str("null"),
        }
    }
    plan.push(']');
    in_request_order(&reply.text, &plan)
        .map_err(|_| Error::decode("the answer could not be handed to JavaScript"))
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
