//! Sends one [`ApiRequest`] with `fetch` and hands the status and body to the core decoder.
//!
//! The `fetch` is the client's `fetch` option if given, else `globalThis.fetch` (page, worker, Node 18+).
//! The response is used structurally (`status`, `text()`), never through `instanceof Response`, so polyfills and
//! custom fetches work. The body is parsed and checked in the wasm (`crate::parsed`: no call into JS per field);
//! the caller's value is then one `JSON.parse`.

use crate::prelude::*;

use js_sys::{Function, JsString, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::convert::request_init;
use super::object::{get, name, set};
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

/// What came back: the HTTP status and the body text.
pub(crate) struct Reply {
    /// The HTTP status code.
    pub(crate) status: u16,
    /// The whole body as text, still a JS string: an answer the SDK does not change goes from here to
    /// `JSON.parse`, not back out of the wasm.
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
    let global = js_sys::global();
    let (fetch, this) = match fetch {
        Some(f) => (f.clone(), JsValue::UNDEFINED),
        None => {
            let f = Reflect::get(&global, &name("fetch"))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| {
                    Error::network("no fetch: globalThis.fetch is missing; pass the `fetch` option")
                })?;
            // Browsers require `this` to be the global object (or undefined) for the built-in fetch.
            (f, JsValue::from(global))
        }
    };
    let init = request_init(req);
    set(&init, "signal", &stop.signal());
    // A redirect could carry the token, or the password at login, to another origin: none is followed.
    set(&init, "redirect", &name("manual"));
    let pending = fetch
        .call2(&this, &JsValue::from_str(&req.url), &init)
        .map_err(|e| network_error(&e))?;
    let pending = adopt(&pending).map_err(|e| network_error(&e))?;
    let response = match stop.race(&pending).await {
        Raced::Value(v) => v,
        Raced::Rejected(e) => return Err(network_error(&e)),
        Raced::Stopped(s) => return Err(s.to_error()),
    };
    // In a browser, a redirect under `redirect: "manual"` is an opaque response with status 0.
    if get(&response, "type").as_string().as_deref() == Some("opaqueredirect") {
        return Err(redirected(None));
    }
    let status = get(&response, "status")
        .as_f64()
        .filter(|s| (100.0..=599.0).contains(s) && f64::from(*s as u16) == *s)
        .ok_or_else(|| Error::network("fetch resolved with something that is not a response"))?
        as u16;
    if (300..400).contains(&status) && status != 304 {
        return Err(redirected(Some(status)));
    }
    let text_fn = get(&response, "text");
    if !text_fn.is_function() {
        return Err(Error::network("the response has no text() method"));
    }
    let text_promise = text_fn
        .unchecked_ref::<Function>()
        .call0(&response)
        .map_err(|e| network_error(&e))?;
    let text_promise = adopt(&text_promise).map_err(|e| network_error(&e))?;
    let text = match stop.race(&text_promise).await {
        Raced::Value(v) => v
            .dyn_into::<JsString>()
            .unwrap_or_else(|_| JsString::from("")),
        Raced::Rejected(e) => return Err(network_error(&e)),
        Raced::Stopped(s) => return Err(s.to_error()),
    };
    let retry_after = if matches!(status, 429 | 503) {
        header(&response, "retry-after")
    } else {
        None
    };
    Ok(Reply {
        status,
        text,
        retry_after,
    })
}

/// `response.headers.get(name)`, through guarded reads (a custom fetch's response may have no `headers`).
fn header(response: &JsValue, name: &str) -> Option<String> {
    let headers = get(response, "headers");
    let get_fn = get(&headers, "get");
    if !get_fn.is_function() {
        return None;
    }
    get_fn
        .unchecked_ref::<Function>()
        .call1(&headers, &JsValue::from_str(name))
        .ok()?
        .as_string()
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
    // `trim` in JS, as before the parse moved here: it also drops a byte-order mark, which Rust's does not.
    String::from(reply.text.trim())
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
