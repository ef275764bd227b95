//! How a client's requests leave and come back: its `fetch`, its time limit, its token, and the Promise plumbing
//! every exported method shares.
//!
//! Every call ends as a Promise that resolves with the decoded answer or rejects with a `ClcError`; an error
//! found before anything is sent is a rejected Promise too, never a synchronous throw.

use crate::prelude::*;

use alloc::rc::Rc;
use core::future::Future;
use core::pin::Pin;

use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

use super::convert::CallOptions;
use super::object::get;
use super::stop::Stopper;
use super::transport::{self, Reply};
use crate::model::Session;
use crate::request::{ApiRequest, Requests};
use crate::shape::{self, Shape};
use crate::Error;

/// How a client's requests leave: its `fetch` and its default time limit for one request.
pub(crate) struct Sender {
    pub(crate) fetch: Option<Function>,
    pub(crate) timeout_ms: f64,
}

impl Sender {
    /// Sends `req` once and reads the reply as `answer` says. POSTs are never retried, here or anywhere.
    /// Errors name the request, and `secret` (the token, or the password at login) is removed from them.
    pub(crate) async fn call(
        &self,
        req: &ApiRequest,
        options: &CallOptions,
        answer: Answer,
        secret: &str,
    ) -> Result<JsValue, Error> {
        let timeout = options.timeout_ms.unwrap_or(self.timeout_ms);
        let result = match Stopper::new(options.signal.as_ref(), Some(timeout)) {
            Ok(stop) => match transport::send(self.fetch.as_ref(), req, &stop).await {
                Ok(reply) => answer.read(&reply),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        result.map_err(|e| e.with_request(req).without_secret(secret))
    }
}

/// The state shared by a client and its running calls.
pub(crate) struct Inner {
    pub(crate) requests: Requests,
    pub(crate) session: Option<Session>,
    pub(crate) sender: Sender,
}

impl Inner {
    /// Sends `req` with the client's token; see [`Sender::call`].
    pub(crate) async fn call(
        &self,
        req: &ApiRequest,
        options: &CallOptions,
        answer: Answer,
    ) -> Result<JsValue, Error> {
        let token = self.requests.token().expose();
        self.sender.call(req, options, answer, token).await
    }
}

/// What a method resolves with, read from its reply: the answer checked against a shape, as sent; or, for Get
/// Status, the status string in it. Plain data, so every call shares one async path.
#[derive(Clone, Copy)]
pub(crate) enum Answer {
    /// The whole answer, checked.
    Checked(&'static Shape),
    /// The `status` of a Get Status answer.
    Status,
}

impl Answer {
    fn read(self, reply: &Reply) -> Result<JsValue, Error> {
        match self {
            Answer::Checked(shape) => transport::decode(reply, shape),
            Answer::Status => Ok(get(&transport::decode(reply, &shape::STATUS)?, "status")),
        }
    }
}

/// A future the JS side can await as a Promise; boxed so every method shares one `future_to_promise`.
pub(crate) type Call = Pin<Box<dyn Future<Output = Result<JsValue, Error>>>>;

/// Runs `call` as a Promise whose rejection is a `ClcError`.
pub(crate) fn promise(call: Call) -> Promise {
    future_to_promise(async move { call.await.map_err(JsValue::from) })
}

/// A rejected Promise for an error found before anything started.
pub(crate) fn rejected(e: Error) -> Promise {
    Promise::reject(&e.into())
}

/// Sends a prepared request (or rejects with the error that prevented building it) and decodes the answer.
pub(crate) fn run(
    inner: &Rc<Inner>,
    prepared: Result<(ApiRequest, CallOptions), Error>,
    answer: Answer,
) -> Promise {
    let (req, options) = match prepared {
        Ok(p) => p,
        Err(e) => return rejected(e),
    };
    let inner = inner.clone();
    promise(Box::pin(
        async move { inner.call(&req, &options, answer).await },
    ))
}
