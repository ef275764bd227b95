//! JS arguments -> checked Rust values, and the SDK's own results -> plain JS objects.
//!
//! Every argument arrives as a `JsValue` and is checked here, so a wrong type becomes a validation error that
//! names the field (a Promise rejection for the async methods) instead of a wasm-bindgen cast exception.
//! Answers of the service are not rebuilt here: they go back to JS as parsed (see `client`).

use crate::prelude::*;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::errors::set;
use crate::model::Session;
use crate::request::ApiRequest;
use crate::validate::{BaseUrl, ServerIds, SnapshotExpirationDays};
use crate::wait::{WaitProgress, WaitResult};
use crate::Error;

/// The client's default time limit for one request, when neither the client nor the call sets one.
pub const DEFAULT_TIMEOUT_MS: f64 = 30_000.0;

/// Reads `obj[key]`; a missing object or a throwing getter reads as `undefined`.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    if obj.is_object() || obj.is_function() {
        Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// An options argument: `undefined`/`null` -> no options; an object -> itself; anything else is refused.
pub fn options(value: &JsValue, field: &str) -> Result<JsValue, Error> {
    if value.is_undefined() || value.is_null() {
        Ok(JsValue::UNDEFINED)
    } else if value.is_object() {
        Ok(value.clone())
    } else {
        Err(Error::validation(field, "must be an object"))
    }
}

/// A required string field.
pub fn string(value: &JsValue, field: &str) -> Result<String, Error> {
    value
        .as_string()
        .ok_or_else(|| Error::validation(field, "must be a string"))
}

/// `undefined` -> None; a finite number > 0 -> Some; anything else is refused.
pub fn positive_ms(value: &JsValue, field: &str) -> Result<Option<f64>, Error> {
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
pub struct ClientOptions {
    /// The API root.
    pub base_url: BaseUrl,
    /// A `fetch` replacing the global one.
    pub fetch: Option<Function>,
    /// The default time limit of one request.
    pub timeout_ms: f64,
}

impl ClientOptions {
    /// Reads `{ baseUrl, fetch?, timeoutMs? }` from an options object.
    pub fn read(options: &JsValue) -> Result<Self, Error> {
        if !options.is_object() {
            return Err(Error::validation(
                "options",
                "must be an object with a baseUrl",
            ));
        }
        let base_url = BaseUrl::parse(&string(&get(options, "baseUrl"), "baseUrl")?)?;
        let fetch = get(options, "fetch");
        let fetch = if fetch.is_undefined() {
            None
        } else {
            Some(fetch.dyn_into::<Function>().map_err(|_| {
                Error::validation("fetch", "must be a function like globalThis.fetch")
            })?)
        };
        let timeout_ms =
            positive_ms(&get(options, "timeoutMs"), "timeoutMs")?.unwrap_or(DEFAULT_TIMEOUT_MS);
        Ok(ClientOptions {
            base_url,
            fetch,
            timeout_ms,
        })
    }
}

/// Per-call options: `{ signal?, timeoutMs? }`.
#[derive(Clone, Default)]
pub struct CallOptions {
    /// An `AbortSignal`-like object (checked structurally: `aborted` and `addEventListener`).
    pub signal: Option<JsValue>,
    /// This call's time limit, replacing the client's.
    pub timeout_ms: Option<f64>,
}

impl CallOptions {
    /// Reads the options of one call (`undefined` allowed).
    pub fn read(options: &JsValue) -> Result<Self, Error> {
        let options = self::options(options, "options")?;
        let signal = get(&options, "signal");
        let signal = if signal.is_undefined() || signal.is_null() {
            None
        } else if get(&signal, "addEventListener").is_function()
            && get(&signal, "aborted").as_bool().is_some()
        {
            Some(signal)
        } else {
            return Err(Error::validation("signal", "must be an AbortSignal"));
        };
        Ok(CallOptions {
            signal,
            timeout_ms: positive_ms(&get(&options, "timeoutMs"), "timeoutMs")?,
        })
    }
}

/// `ids` as a string or an array of strings.
pub fn server_ids(ids: &JsValue) -> Result<ServerIds, Error> {
    if let Some(one) = ids.as_string() {
        return ServerIds::parse(vec![one]);
    }
    if !Array::is_array(ids) {
        return Err(Error::validation(
            "serverIds",
            "must be a string or an array of strings",
        ));
    }
    let list: &Array = ids.unchecked_ref();
    let mut out = Vec::with_capacity(list.length() as usize);
    for (i, item) in list.iter().enumerate() {
        match item.as_string() {
            Some(s) => out.push(s),
            None => {
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
pub fn expiration_days(options: &JsValue) -> Result<SnapshotExpirationDays, Error> {
    let days = get(options, "expirationDays");
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

    fn set(self, key: &str, value: impl Into<JsValue>) -> Self {
        set(&self.0, key, &value.into());
        self
    }

    fn set_some(self, key: &str, value: Option<impl Into<JsValue>>) -> Self {
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
pub fn session_to_js(session: &Session) -> JsValue {
    Obj::new()
        .set("userName", session.user_name.as_str())
        .set("accountAlias", session.account_alias.as_str())
        .set_some("locationAlias", session.location_alias.as_deref())
        .set("roles", array(&session.roles, |role| role.into()))
        .done()
}

/// `wait`'s result.
pub fn wait_result_to_js(result: &WaitResult) -> JsValue {
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
pub fn progress_to_js(p: &WaitProgress) -> JsValue {
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
        .set("unknown", count(p.unknown))
        .set("pending", count(p.pending))
        .set("jobs", jobs)
        .done()
}

/// An [`ApiRequest`] -> `{ method, url, headers, body? }`.
pub fn request_to_js(req: &ApiRequest) -> JsValue {
    let obj = Object::new();
    set(&obj, "method", &req.method.as_str().into());
    set(&obj, "url", &JsValue::from_str(&req.url));
    let headers = Object::new();
    for (name, value) in &req.headers {
        set(&headers, name, &JsValue::from_str(value));
    }
    set(&obj, "headers", &headers);
    if let Some(body) = &req.body {
        set(&obj, "body", &JsValue::from_str(body));
    }
    obj.into()
}
