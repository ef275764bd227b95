//! JS arguments -> checked Rust values, and the SDK's own results -> plain JS objects.
//!
//! Every argument arrives as a `JsValue` and is checked here, so a wrong type, or a value that throws when read,
//! becomes a validation error that names the field (a Promise rejection for the async methods) instead of a
//! wasm-bindgen cast exception. Answers of the service are not rebuilt here: they go back to JS as parsed.

use crate::prelude::*;
use alloc::borrow::Cow;

use js_sys::{Array, Function, Object};
use wasm_bindgen::{JsCast, JsValue};

use super::object::{self, field, name, set};
use super::sender;
use crate::model::Session;
use crate::queue::RequestQueue;
use crate::request::{ApiRequest, IdArray};
use crate::validate::{BaseUrl, ServerIds, SnapshotExpirationDays};
use crate::wait::{WaitProgress, WaitResult};
use crate::Error;

/// The client's default time limit for one request, when neither the client nor the call sets one.
pub(crate) const DEFAULT_TIMEOUT_MS: f64 = 30_000.0;

/// An options argument: `undefined`/`null` -> no options; an object -> itself; anything else is refused.
pub(crate) fn options(value: &JsValue, field: &str) -> Result<JsValue, Error> {
    if value.is_undefined() || value.is_null() {
        Ok(JsValue::UNDEFINED)
    } else if value.is_object() {
        Ok(value.clone())
    } else {
        Err(Error::validation(field, "must be an object"))
    }
}

/// A required string field. A string with a lone surrogate is refused: it has no UTF-8 form, and sending it
/// as U+FFFD would name another server than the one the caller gave.
pub(crate) fn string(value: &JsValue, field: &str) -> Result<String, Error> {
    text(value)
        .map_err(|()| lone_surrogate(field))?
        .ok_or_else(|| Error::validation(field, "must be a string"))
}

/// `Some` for a string, `None` for anything else; `Err` for a string with a lone surrogate.
fn text(value: &JsValue) -> Result<Option<String>, ()> {
    let Some(js) = value.dyn_ref::<js_sys::JsString>() else {
        return Ok(None);
    };
    let text = String::from(js);
    // The copy into the wasm encodes a lone surrogate as U+FFFD. Only a text holding one needs the exact test,
    // which reads the string one code unit per call into JS (13 calls for a server ID, 65,000 for a batch).
    // (A byte search: `str::contains` of a char brings in 5 KB of searcher.)
    let replaced = text
        .as_bytes()
        .windows(3)
        .any(|w| w == "\u{fffd}".as_bytes());
    if replaced && !js.is_valid_utf16() {
        return Err(());
    }
    Ok(Some(text))
}

fn lone_surrogate(field: &str) -> Error {
    Error::validation(field, "must be valid Unicode (it holds a lone surrogate)")
}

/// `undefined` -> None; a finite number > 0 -> Some; anything else is refused.
pub(crate) fn positive_ms(value: &JsValue, field: &str) -> Result<Option<f64>, Error> {
    if value.is_undefined() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(ms) if ms.is_finite() && ms > 0.0 => Ok(Some(ms)),
        _ => Err(Error::validation(
            field,
            "must be a finite number of milliseconds above 0",
        )),
    }
}

/// The client-level options shared by `Clc.login` and `new Clc`.
pub(crate) struct ClientOptions {
    /// The API root.
    pub(crate) base_url: BaseUrl,
    /// A `fetch` replacing the global one.
    pub(crate) fetch: Option<Function>,
    /// The default time limit of one request.
    pub(crate) timeout_ms: f64,
    /// `refreshToken`: gives a new token after a 401.
    pub(crate) refresh_token: Option<Function>,
    /// `maxConcurrent`: requests in flight at most.
    pub(crate) max_concurrent: usize,
    /// `trace`: told of every request when it settles.
    pub(crate) trace: Option<Function>,
}

impl ClientOptions {
    /// Reads `{ baseUrl, fetch?, timeoutMs? }` from an options object.
    pub(crate) fn read(options: &JsValue) -> Result<Self, Error> {
        if !options.is_object() {
            return Err(Error::validation(
                "options",
                "must be an object with a baseUrl",
            ));
        }
        let base_url = BaseUrl::parse(&string(&field(options, "baseUrl")?, "baseUrl")?)?;
        let fetch = function(options, "fetch", "must be a function like globalThis.fetch")?;
        let timeout_ms =
            positive_ms(&field(options, "timeoutMs")?, "timeoutMs")?.unwrap_or(DEFAULT_TIMEOUT_MS);
        let refresh_token = function(
            options,
            "refreshToken",
            "must be a function that resolves to a new token",
        )?;
        let max_concurrent = field(options, "maxConcurrent")?;
        let max_concurrent = if max_concurrent.is_undefined() {
            RequestQueue::DEFAULT_MAX_CONCURRENT
        } else {
            let n = max_concurrent.as_f64().ok_or_else(|| {
                Error::validation("maxConcurrent", "must be a whole number from 1 to 1000")
            })?;
            RequestQueue::max_concurrent(n)?
        };
        let trace = function(options, "trace", "must be a function")?;
        Ok(ClientOptions {
            base_url,
            fetch,
            timeout_ms,
            refresh_token,
            max_concurrent,
            trace,
        })
    }
}

/// An optional function option: absent -> `None`; anything but a function is refused with `why`.
pub(crate) fn function(
    options: &JsValue,
    key: &'static str,
    why: &str,
) -> Result<Option<Function>, Error> {
    let value = field(options, key)?;
    if value.is_undefined() {
        return Ok(None);
    }
    // `typeof`, not `instanceof Function`: a function from another realm (an iframe, a vm context) is one too.
    if value.is_function() {
        Ok(Some(value.unchecked_into()))
    } else {
        Err(Error::validation(key, why))
    }
}

/// Per-call options: `{ signal?, timeoutMs? }`.
#[derive(Clone, Default)]
pub(crate) struct CallOptions {
    /// An `AbortSignal`-like object (checked structurally: `aborted` and `addEventListener`).
    pub(crate) signal: Option<JsValue>,
    /// This call's time limit, replacing the client's.
    pub(crate) timeout_ms: Option<f64>,
}

impl CallOptions {
    /// Reads the options of one call (`undefined` allowed).
    pub(crate) fn read(options: &JsValue) -> Result<Self, Error> {
        // Most calls pass none: one call into JS for them, where reading the two fields of `undefined` was seven.
        if options.is_undefined() {
            return Ok(CallOptions::default());
        }
        let options = self::options(options, "options")?;
        Ok(CallOptions {
            signal: signal(&options)?,
            timeout_ms: positive_ms(&field(&options, "timeoutMs")?, "timeoutMs")?,
        })
    }
}

/// The `signal` option, checked structurally (`aborted` and `addEventListener`), so a polyfill works too.
pub(crate) fn signal(options: &JsValue) -> Result<Option<JsValue>, Error> {
    let signal = field(options, "signal")?;
    if signal.is_undefined() || signal.is_null() {
        return Ok(None);
    }
    let refused = || Error::validation("signal", "must be an AbortSignal");
    let listens = object::read(&signal, "addEventListener").map_err(|_| refused())?;
    let aborted = object::read(&signal, "aborted").map_err(|_| refused())?;
    if listens.is_function() && aborted.as_bool().is_some() {
        Ok(Some(signal))
    } else {
        Err(refused())
    }
}

/// `ids` (a string or an array of strings), checked: the JSON array the request sends, and a JS array of the
/// same IDs, which names the entries of its answer.
pub(crate) fn server_ids(ids: &JsValue) -> Result<(IdArray, JsValue), Error> {
    // The copy is read once, so that the checks, the body and the answer's names see the same IDs.
    let copy = match sender::ids_copy(ids) {
        Ok(copy) if !copy.is_undefined() => copy,
        // Not a string or an array of strings: read one by one, the error names the entry that is wrong.
        _ => return Err(checked_server_ids(ids).err().unwrap_or_else(not_ids)),
    };
    // Most lists are plain (`IdArray::plain`): their check is one join and one pass over its text, and the IDs
    // are copied into the wasm once, as the request's body.
    let list = copy.unchecked_ref::<Array>();
    let plain = sender::ids_text(list)
        .ok()
        .and_then(|text| text.as_string())
        .and_then(|text| IdArray::plain(text, list.length() as usize));
    let array = match plain {
        Some(array) => array,
        None => IdArray::new(&checked_server_ids(&copy)?),
    };
    Ok((array, copy))
}

fn not_ids() -> Error {
    Error::validation("serverIds", "must be a string or an array of strings")
}

/// `serverIds` read and checked one by one, to name the entry that is wrong: what is not plain (a hole, a
/// non-string, a lone surrogate, a getter that throws, a quote or a letter out of ASCII).
fn checked_server_ids(ids: &JsValue) -> Result<ServerIds, Error> {
    if let Some(one) = text(ids).map_err(|()| lone_surrogate("serverIds"))? {
        return ServerIds::parse(vec![one]);
    }
    if !object::is_array(ids) {
        return Err(not_ids());
    }
    let list = object::items(ids).ok_or_else(|| object::unreadable("serverIds"))?;
    let mut out = Vec::with_capacity(list.len());
    for (i, item) in list.into_iter().enumerate() {
        match text(&item) {
            Ok(Some(s)) => out.push(s),
            Err(()) => return Err(lone_surrogate(&crate::validate::element(i))),
            Ok(None) => {
                return Err(Error::validation(
                    &crate::validate::element(i),
                    "must be a string",
                ))
            }
        }
    }
    ServerIds::parse(out)
}

/// `expirationDays` from the options of `createSnapshot`.
pub(crate) fn expiration_days(options: &JsValue) -> Result<SnapshotExpirationDays, Error> {
    let days = field(options, "expirationDays")?;
    match days.as_f64() {
        Some(d) => SnapshotExpirationDays::from_f64(d),
        None if days.is_undefined() => {
            Err(Error::validation("expirationDays", "is required (1 to 10)"))
        }
        None => Err(SnapshotExpirationDays::not_a_number(&type_name(&days))),
    }
}

/// A short description of a value's type, for messages (never the value itself).
fn type_name(v: &JsValue) -> String {
    v.js_typeof().as_string().unwrap_or_else(|| "value".into())
}

/// A plain JS object under construction; absent options stay absent rather than `undefined`.
struct Obj(Object);

impl Obj {
    fn new() -> Self {
        Obj(Object::new())
    }

    fn set(self, key: &'static str, value: impl Into<JsValue>) -> Self {
        set(&self.0, key, &value.into());
        self
    }

    fn set_some(self, key: &'static str, value: Option<impl Into<JsValue>>) -> Self {
        match value {
            Some(value) => self.set(key, value),
            None => self,
        }
    }

    fn done(self) -> JsValue {
        self.0.into()
    }
}

fn array<T>(items: &[T], each: impl Fn(&T) -> JsValue) -> Array {
    items.iter().map(each).collect()
}

/// A count, as a JS number (`usize` would become a number too, but this says so).
fn count(n: usize) -> f64 {
    n as f64
}

/// The session: who is logged in, never the token.
pub(crate) fn session_to_js(session: &Session) -> JsValue {
    Obj::new()
        .set("userName", session.user_name.as_str())
        .set("accountAlias", session.account_alias.as_str())
        .set_some("locationAlias", session.location_alias.as_deref())
        .set("roles", array(&session.roles, |role| role.into()))
        .done()
}

/// `wait`'s result.
pub(crate) fn wait_result_to_js(result: &WaitResult) -> JsValue {
    let servers = array(&result.servers, |s| {
        Obj::new()
            .set("server", s.server.as_str())
            .set("outcome", s.outcome.as_str())
            .set_some("jobId", s.job_id.as_deref())
            .set_some("errorMessage", s.error_message.as_deref())
            .done()
    });
    let jobs = array(&result.jobs, |j| {
        Obj::new()
            .set("id", j.id.as_str())
            .set("outcome", j.outcome.as_str())
            .set_some("status", j.status.as_ref().map(|s| s.as_str()))
            .set("polls", j.polls)
            .set_some("lastError", j.last_error.as_deref())
            .done()
    });
    Obj::new()
        .set("ok", result.ok)
        .set("servers", servers)
        .set("jobs", jobs)
        .done()
}

/// What `onProgress` receives after each round.
pub(crate) fn progress_to_js(p: &WaitProgress) -> JsValue {
    let jobs = array(&p.jobs, |j| {
        Obj::new()
            .set("id", j.id.as_str())
            .set_some("status", j.status.as_ref().map(|s| s.as_str()))
            .set("polls", j.polls)
            .done()
    });
    Obj::new()
        .set("round", p.round)
        .set("total", count(p.total))
        .set("succeeded", count(p.succeeded))
        .set("failed", count(p.failed))
        .set("notQueued", count(p.not_queued))
        .set("timedOut", count(p.timed_out))
        .set("unknown", count(p.unknown))
        .set("pending", count(p.pending))
        .set("jobs", jobs)
        .done()
}

/// An [`ApiRequest`] as `fetch`'s init: `{ method, headers, body? }`.
pub(crate) fn request_init(req: &ApiRequest) -> Object {
    let obj = Object::new();
    set(&obj, "method", &name(req.method.as_str()));
    set(&obj, "headers", &headers(req));
    if let Some(body) = &req.body {
        set(&obj, "body", &JsValue::from_str(body));
    }
    obj
}

/// The headers of `req` as a JS object, `fetch`'s `init.headers`.
pub(crate) fn headers(req: &ApiRequest) -> Object {
    let headers = Object::new();
    for (name, value) in &req.headers {
        let value = match value {
            Cow::Borrowed(fixed) => object::name(fixed),
            Cow::Owned(value) => JsValue::from_str(value),
        };
        set(&headers, name, &value);
    }
    headers
}

/// An [`ApiRequest`] -> `{ method, url, headers, body? }` (what `clc.requests.*` return).
pub(crate) fn request_to_js(req: &ApiRequest) -> JsValue {
    let obj = request_init(req);
    set(&obj, "url", &JsValue::from_str(&req.url));
    obj.into()
}
