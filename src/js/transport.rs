//! Sends one [`ApiRequest`] with `fetch` and hands the status and body to the core decoder.
//!
//! The `fetch` is the client's `fetch` option if given, else `globalThis.fetch` (page, worker, Node 18+).
//! The response is used structurally (`status`, `text()`), never through `instanceof Response`, so polyfills and
//! custom fetches work. JSON is parsed by JS `JSON.parse` and checked through `crate::json::Json`, so the wasm
//! carries no JSON parser.

use crate::prelude::*;

use js_sys::{Function, JsString, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::errors::set;
use super::stop::{Raced, Stopper};
use crate::request::ApiRequest;
use crate::response::{self, Body};
use crate::shape::Shape;
use crate::text::cat;
use crate::Error;

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JS string: the body never has to be copied into the wasm and back to be parsed.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn parse_json(text: &JsString) -> Result<JsValue, JsValue>;
}

/// What came back: the HTTP status and the body text.
pub struct Reply {
    /// The HTTP status code.
    pub status: u16,
    /// The whole body as text, still a JS string: a success body goes from here to `JSON.parse` without
    /// crossing into the wasm (for a batch of 1,000 servers that is 150 KB not copied twice).
    pub text: JsString,
}

/// Sends `req` once (never retried here) and reads the whole body, stopping early on abort or deadline.
/// The caller names the request in the errors (`Sender::call`, for every path).
pub async fn send(
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
            let f = Reflect::get(&global, &"fetch".into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| {
                    Error::network("no fetch: globalThis.fetch is missing; pass the `fetch` option")
                })?;
            // Browsers require `this` to be the global object (or undefined) for the built-in fetch.
            (f, JsValue::from(global))
        }
    };
    let init = Object::new();
    set(&init, "method", &req.method.as_str().into());
    let headers = Object::new();
    for (name, value) in &req.headers {
        set(&headers, name, &JsValue::from_str(value));
    }
    set(&init, "headers", &headers);
    if let Some(body) = &req.body {
        set(&init, "body", &JsValue::from_str(body));
    }
    set(&init, "signal", &stop.signal());
    let pending = fetch
        .call2(&this, &JsValue::from_str(&req.url), &init)
        .map_err(|e| network_error(&e))?;
    // A custom fetch may return a non-promise or a foreign thenable; Promise.resolve adopts both.
    let response = match stop.race(&Promise::resolve(&pending)).await {
        Raced::Value(v) => v,
        Raced::Rejected(e) => return Err(network_error(&e)),
        Raced::Stopped(s) => return Err(s.to_error()),
    };
    let status = Reflect::get(&response, &"status".into())
        .ok()
        .and_then(|s| s.as_f64())
        .filter(|s| (100.0..=599.0).contains(s) && f64::from(*s as u16) == *s)
        .ok_or_else(|| Error::network("fetch resolved with something that is not a response"))?;
    let text_fn = Reflect::get(&response, &"text".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| Error::network("the response has no text() method"))?;
    let text_promise = text_fn.call0(&response).map_err(|e| network_error(&e))?;
    let text = match stop.race(&Promise::resolve(&text_promise)).await {
        Raced::Value(v) => v
            .dyn_into::<JsString>()
            .unwrap_or_else(|_| JsString::from("")),
        Raced::Rejected(e) => return Err(network_error(&e)),
        Raced::Stopped(s) => return Err(s.to_error()),
    };
    Ok(Reply {
        // The filter above keeps the status within 100..=599.
        status: status as u16,
        text,
    })
}

/// Decodes a reply: a success body checked against `shape` (see `crate::shape`), as `JSON.parse` made it;
/// any other answer becomes its error.
pub fn decode(reply: &Reply, shape: &Shape) -> Result<JsValue, Error> {
    let trimmed = reply.text.trim();
    let body = if trimmed.length() == 0 {
        Body::Empty
    } else {
        match parse_json(&trimmed) {
            Ok(value) => Body::Json(value),
            // Only a body that is not JSON (an HTML page, a cut-off answer) is read into the wasm, for its excerpt.
            Err(_) => Body::not_json(&String::from(&reply.text)),
        }
    };
    response::decode(reply.status, body, shape)
}

/// A network error from whatever `fetch` rejected with, keeping only its message (never the request).
fn network_error(e: &JsValue) -> Error {
    let what = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the request failed".into());
    let what: String = what.chars().filter(|c| !c.is_control()).take(200).collect();
    Error::network(cat(&[
        "no answer from the API (",
        &what,
        "): check that it is reachable and allows this origin (CORS)",
    ]))
}
