//! Sends one [`ApiRequest`] with `fetch` and hands the status and body to the core decoder.
//!
//! The `fetch` is the client's `fetch` option if given, else `globalThis.fetch` (page, worker, Node 18+).
//! The response is used structurally (`status`, `text()`), never through `instanceof Response`, so polyfills and
//! custom fetches work. [`decode`] parses and checks the body in the wasm (`crate::parsed`: no call into JS per
//! field); the caller's value is then one `JSON.parse`. Most 2xx answers never come here: `src/js/accepted.js`
//! checks them in JS first (see `super::sender::Answer`), and this is the way for what it declines.

use crate::prelude::*;

use js_sys::{Array, Function, JsString, Object, Promise};
use wasm_bindgen::{JsCast, JsValue};

use super::convert::headers;
use super::object::{get, name};
use super::stop::{Raced, Stopper};
use crate::parsed::{self, Refused, Value};
use crate::request::ApiRequest;
use crate::response::{self, Body};
use crate::shape::Shape;
use crate::text::cat;
use crate::{Error, ErrorKind};

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JS string: an answer's text, once the wasm has checked it, becomes the caller's value.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    pub(crate) fn parse_json(text: &JsString) -> Result<JsValue, JsValue>;

    /// `Promise.resolve`, which reads a promise's `constructor` and so can throw (js-sys's binding does not catch).
    /// A custom fetch may return a non-promise or a foreign thenable; this adopts both.
    #[wasm_bindgen(js_namespace = Promise, js_name = resolve, catch)]
    pub(crate) fn adopt(value: &JsValue) -> Result<Promise, JsValue>;
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/js/accepted.js")]
extern "C" {
    /// One request and its whole answer as one promise, raced against `stop` (a [`Stopper`]'s JS object: its
    /// `controller`'s signal goes to `fetch`, its `stopped` promise ends the race). `fetch` is the client's, or
    /// `globalThis.fetch` when undefined. The init, the checks of the response and `text()` are done in JS: built
    /// from the wasm they were about thirty calls into JS (the init's fields, `type`, `status`, `text`, a second
    /// race and future for the body). Resolves with `[status, text, retryAfter?]` (the text trimmed), `[3xx]` for
    /// a redirect (its body unread), `[0]` for an opaque redirect, `[-1]` for something that is not a response,
    /// `[-2]` for a response without `text()`, `[-3]` when there is no `fetch`; every property read is guarded.
    /// The first `await` lets `fetch` run from a short stack: an inspector (DevTools, a test driver) records each
    /// fetch's JS stack, and with the wasm's frames beneath it that cost 0.2-0.3 ms a call.
    #[wasm_bindgen(catch)]
    fn exchange(
        fetch: &JsValue,
        url: &str,
        method: &JsValue,
        headers: &Object,
        body: &JsValue,
        stop: &JsValue,
    ) -> Result<Promise, JsValue>;
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/js/accepted.js")]
extern "C" {
    /// [`exchange`], and a 2xx answer that `accepted` (shape number `shape`) takes, put in the order of
    /// `requested` (a batch's checked IDs, or undefined), is the call's value there in JS; `resume(id, how, got)`
    /// gives the call back to the wasm, once, for everything else (`src/js/accepted.js` says how).
    #[wasm_bindgen(js_name = fastCall, catch)]
    pub(crate) fn fast_call(
        resume: &JsValue,
        id: u32,
        fetch: &JsValue,
        url: &str,
        method: &JsValue,
        headers: &Object,
        body: &JsValue,
        stop: &JsValue,
        shape: u32,
        requested: &JsValue,
    ) -> Result<Promise, JsValue>;
}

/// What came back: the HTTP status and the body text.
pub(crate) struct Reply {
    /// The HTTP status code.
    pub(crate) status: u16,
    /// The whole body as text, trimmed (of a byte-order mark too), still a JS string: an answer the SDK does not
    /// change goes from here to `JSON.parse`, not back out of the wasm.
    pub(crate) text: JsString,
    /// The `Retry-After` header of a 429 or 503 (other answers do not need it read).
    pub(crate) retry_after: Option<String>,
}

/// Sends `req` once (never retried here) and reads the whole body, stopping early on abort or deadline.
/// The caller names the request in the errors (`Sender::call`, for every path).
pub(crate) async fn send(
    fetch: Option<&Function>,
    req: &ApiRequest,
    stop: &Stopper,
) -> Result<Reply, Error> {
    if let Some(s) = stop.stop() {
        return Err(s.to_error());
    }
    let body = req
        .body
        .as_deref()
        .map_or(JsValue::UNDEFINED, JsValue::from_str);
    let pending = exchange(
        fetch.map_or(&JsValue::UNDEFINED, |f| f.as_ref()),
        &req.url,
        &name(req.method.as_str()),
        &headers(req),
        &body,
        stop.js(),
    )
    .map_err(|e| network_error(&e))?;
    reply_of(stop.settle(pending).await)
}

/// The reply from how an [`exchange`]'s race went (`src/js/accepted.js` says what its array holds).
pub(crate) fn reply_of(raced: Raced) -> Result<Reply, Error> {
    let got: Array = match raced {
        Raced::Value(v) => v.unchecked_into(),
        Raced::Rejected(e) => return Err(network_error(&e)),
        Raced::Stopped(s) => return Err(s.to_error()),
    };
    let status = match got.get(0).as_f64() {
        Some(s) if s >= 100.0 => s as u16,
        Some(0.0) => return Err(redirected(None)),
        Some(-2.0) => return Err(Error::network("the response has no text() method")),
        Some(-3.0) => {
            return Err(Error::network(
                "no fetch: globalThis.fetch is missing; pass the `fetch` option",
            ))
        }
        _ => {
            return Err(Error::network(
                "fetch resolved with something that is not a response",
            ))
        }
    };
    if (300..400).contains(&status) && status != 304 {
        return Err(redirected(Some(status)));
    }
    let text = got
        .get(1)
        .dyn_into::<JsString>()
        .unwrap_or_else(|_| JsString::from(""));
    let retry_after = got.get(2).as_string();
    Ok(Reply {
        status,
        text,
        retry_after,
    })
}

/// The error for a redirect, which the SDK never follows.
fn redirected(status: Option<u16>) -> Error {
    let mut e = Error::new(
        ErrorKind::Http,
        "the API answered with a redirect, which clc-wasm never follows: set baseUrl to the API's final address",
    );
    e.status = status;
    e
}

/// Decodes a reply: a success body parsed, checked against `shape` and handed to `then`; any other answer
/// becomes its error (see `crate::response`).
pub(crate) fn decode<T>(
    reply: &Reply,
    shape: &Shape,
    then: impl FnOnce(Value<'_>) -> Result<T, Error>,
) -> Result<T, Error> {
    let text = text_of(reply);
    let tree = parsed::parse(&text);
    response::decode(reply.status, body(&text, tree.as_ref()), shape)?;
    match tree {
        Ok(value) => then(value),
        Err(_) => Err(Error::decode("the answer is not valid JSON")),
    }
}

/// Hands `f` the body of a reply as text in the wasm, and parsed.
pub(crate) fn with_body<T>(
    reply: &Reply,
    f: impl FnOnce(&str, Result<Value<'_>, Refused>) -> T,
) -> T {
    let text = text_of(reply);
    f(&text, parsed::parse(&text))
}

/// The body of a reply as text in the wasm.
fn text_of(reply: &Reply) -> String {
    String::from(&reply.text)
}

/// The body as `crate::response` reads it: parsed, empty, or an excerpt of what is not JSON.
pub(crate) fn body<'t, 'a>(
    text: &str,
    tree: Result<&'t Value<'a>, &Refused>,
) -> Body<&'t Value<'a>> {
    match tree {
        Ok(value) => Body::Json(value),
        Err(Refused::TooDeep) => Body::TooDeep,
        Err(_) if text.is_empty() => Body::Empty,
        Err(_) => Body::not_json(text),
    }
}

/// `JSON.parse` of JSON text the wasm wrote or checked.
pub(crate) fn to_js(text: &JsString) -> Result<JsValue, Error> {
    parse_json(text).map_err(|_| Error::decode("the answer could not be handed to JavaScript"))
}

/// A network error from whatever `fetch` rejected with or threw, keeping only its message (never the request).
/// The message is read through a guarded get: a hostile error's `message` getter may throw.
fn network_error(e: &JsValue) -> Error {
    let what = e
        .as_string()
        .or_else(|| get(e, "message").as_string())
        .unwrap_or_else(|| "the request failed".into());
    let what: String = what.chars().filter(|c| !c.is_control()).take(200).collect();
    Error::network(cat(&[
        "no answer from the API (",
        &what,
        "): check that it is reachable and allows this origin (CORS)",
    ]))
}
