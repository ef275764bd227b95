//! One client's session: its token (and the single-flight refresh on 401), its request line (`maxConcurrent`,
//! `Retry-After`), and `Inner::call`, which takes one request through all of them.
//!
//! The policies are the core's ([`Refresh`], `crate::queue`, `crate::retry_after`); this only executes them.
//!
//! The fast path ([`Inner::try_fast`]): a call that finds a free place in the line, has no `trace` and whose
//! answer JS can check is sent by `src/js/accepted.js`'s `fastCall`, which resolves a 2xx answer itself. The
//! call's future is made only when that answer is anything else (a 401, a `Retry-After`, an error, a stop), from
//! the [`Flight`] the call left here, and it goes on exactly as [`Inner::call`] would after its first send. A
//! call that meets neither costs no Rust future and no crossing after the network wait but one.
//!
//! The server operations have a faster path still, wholly in JS (`src/js/accepted.js`'s `fastOp`, which the
//! glue's nine methods try first): one with plain IDs (any number), options that are good (`signal`,
//! `timeoutMs`) and a place in the line is sent and, on a 2xx that JS accepts, resolved without entering the wasm
//! at all. Entering it right after a network wait cost 20 to 40 µs in Chromium, its code cold in the caches: a
//! third of one call's cost over a raw fetch. The line counts that path's calls as taken places ([`Line`]); any
//! other answer is handed to the wasm ([`hand_over`]) with the call's place, stop, timeout and token generation,
//! and goes on as a fast call of its own.

use crate::prelude::*;

use alloc::rc::{Rc, Weak};
use core::cell::RefCell;
use core::future::Future;

use js_sys::{Array, Date, Function, JsString, Object, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use super::calls::server_op;
use super::convert::{self, CallOptions};
use super::line::{Line, Slot};
use super::object::name;
use super::sender::{js_promise, promise, rejected, Answer, Sender};
use super::stop::{Raced, Stopper};
use super::transport::{self, adopt, fast_call, Reply};
use crate::model::{Session, Token};
use crate::queue::Access;
use crate::refresh::{OnUnauthorized, Refresh};
use crate::request::{ApiRequest, Method, Requests, ServerOp};
use crate::{jwt, retry_after, shape, Error};

#[wasm_bindgen(module = "/src/js/accepted.js")]
extern "C" {
    /// The state of a client's JS fast path for server operations (`src/js/accepted.js` says what it holds).
    #[wasm_bindgen(js_name = fastState)]
    fn fast_state(
        url: &str,
        headers: &Object,
        generation: u32,
        timeout_ms: f64,
        fetch: &JsValue,
        shape: u32,
        resume: &JsValue,
    ) -> JsValue;
    /// The headers (with the token) and the token's refresh generation the fast path sends from now on.
    #[wasm_bindgen(js_name = fastToken)]
    fn fast_token(state: &JsValue, headers: &Object, generation: u32);
}

/// The state shared by a client and its running calls.
pub(crate) struct Inner {
    requests: RefCell<Requests>,
    pub(crate) session: Option<Session>,
    pub(crate) sender: Sender,
    line: Rc<Line>,
    refresh: RefCell<Refresh>,
    refresh_token: Option<Function>,
    /// The refresh under way: a promise of the new token, shared by every request that met the 401.
    refreshing: RefCell<Option<Promise>>,
    /// Tokens replaced by a refresh, kept only to scrub them from errors of requests still in flight.
    old_tokens: RefCell<Vec<Token>>,
    /// The calls on the fast path, at the number `fastCall` gives back to [`resume`] (a free place is reused).
    flights: RefCell<Vec<Option<Flight>>>,
    /// What `fastCall` calls to give a call back: [`resume`] over this client. (`FnMut` shares the glue of the
    /// timers' closures; nothing calls it from inside itself.)
    resume: Closure<dyn FnMut(u32, u32, JsValue) -> JsValue>,
    /// The state of the JS fast path of server operations (`fastOp`), undefined when the client has a `trace`.
    fast: JsValue,
}

/// A first send made on the fast path, given back to the future: the request's place in the line, the refresh
/// generation of the token it carried, and how it went.
type Sent = (Slot, u32, Result<Reply, Error>);

/// A call on the fast path: what its future needs if JS gives it back. It holds the client, as a call's future
/// does, until it ends.
struct Flight {
    _client: Rc<Inner>,
    slot: Slot,
    stop: Stopper,
    req: ApiRequest,
    /// The refresh generation its token was of.
    generation: u32,
    answer: Answer,
}

/// The session options of a client, beside its sender.
pub(crate) struct SessionOptions {
    pub(crate) refresh_token: Option<Function>,
    pub(crate) max_concurrent: usize,
}

impl Inner {
    /// A client's state, from its requests (base URL, token, alias), sender and session options.
    pub(crate) fn new(
        requests: Requests,
        session: Option<Session>,
        sender: Sender,
        options: SessionOptions,
    ) -> Rc<Inner> {
        Rc::new_cyclic(|this: &Weak<Inner>| {
            let this = this.clone();
            let resume: Closure<dyn FnMut(u32, u32, JsValue) -> JsValue> =
                Closure::new(move |id, how, got| resume(&this, id, how, got));
            // A trace reports each send as it settles, which only the wasm does.
            let shape = shape::checked_in_js(&shape::SERVER_OPERATIONS);
            let fast = match shape.filter(|_| sender.trace.is_none()) {
                Some(shape) => fast_state(
                    &requests.server_operations_url(),
                    &operation_headers(&requests),
                    0,
                    sender.timeout_ms,
                    sender
                        .fetch
                        .as_ref()
                        .map_or(&JsValue::UNDEFINED, |f| f.as_ref()),
                    shape as u32,
                    resume.as_ref(),
                ),
                None => JsValue::UNDEFINED,
            };
            Inner {
                requests: RefCell::new(requests),
                session,
                sender,
                line: Line::new(options.max_concurrent, fast.clone()),
                refresh: RefCell::new(Refresh::new()),
                refresh_token: options.refresh_token,
                refreshing: RefCell::new(None),
                old_tokens: RefCell::new(Vec::new()),
                flights: RefCell::new(Vec::new()),
                resume,
                fast,
            }
        })
    }

    /// Builds a request with the current token.
    pub(crate) fn build<T>(&self, f: impl FnOnce(&Requests) -> T) -> T {
        f(&self.requests.borrow())
    }

    /// The state of the client's JS fast path, for the glue's methods (undefined when it has none).
    pub(crate) fn fast(&self) -> JsValue {
        self.fast.clone()
    }

    /// The most requests of the client in flight at once (`maxConcurrent`).
    pub(crate) fn max_concurrent(&self) -> usize {
        self.line.capacity()
    }

    /// The current token.
    pub(crate) fn token(&self) -> Token {
        self.requests.borrow().token().clone()
    }

    /// The `exp` claim of the current token (a JWT), in epoch ms.
    pub(crate) fn token_expires_at(&self) -> Option<f64> {
        let claims = jwt::claims_text(self.requests.borrow().token().expose())?;
        let claims = super::transport::parse_json(&JsString::from(claims)).ok()?;
        jwt::exp_ms(super::object::get(&claims, "exp").as_f64()?)
    }

    /// Sends `req` through the client's line and reads the answer as `answer` says; see [`Inner::exchange`].
    pub(crate) fn call(
        self: &Rc<Self>,
        req: ApiRequest,
        options: &CallOptions,
        answer: Answer,
    ) -> impl Future<Output = Result<JsValue, Error>> {
        self.clone()
            .answered(req, self.sender.stopper(options), None, answer)
    }

    /// Sends `req` through the client's line and hands back the last reply, with the request as last sent:
    /// - A 401 calls `refreshToken` once for all the requests that meet it, then sends each again, once.
    /// - A 429 or 503 with `Retry-After` on a GET holds this and the client's other reads that long, then
    ///   sends it again, never past the call's deadline. POSTs are never sent twice but after a 401.
    ///
    /// Errors name the request, and hold neither the token nor any token this client had before; what the
    /// caller reads from the reply goes through [`Inner::named`] to be the same.
    pub(crate) fn exchange(
        self: &Rc<Self>,
        req: ApiRequest,
        options: &CallOptions,
    ) -> impl Future<Output = Result<(Reply, ApiRequest), Error>> {
        self.clone()
            .exchange_with(req, self.sender.stopper(options), None)
    }

    /// [`Inner::call`]'s future, from its stop, and from its first send when the fast path made it.
    async fn answered(
        self: Rc<Self>,
        req: ApiRequest,
        stop: Result<Stopper, Error>,
        sent: Option<Sent>,
        answer: Answer,
    ) -> Result<JsValue, Error> {
        let (reply, req) = self.clone().exchange_with(req, stop, sent).await?;
        self.named(&req, answer.read(&reply))
    }

    /// [`Inner::exchange`]'s future, likewise.
    async fn exchange_with(
        self: Rc<Self>,
        mut req: ApiRequest,
        stop: Result<Stopper, Error>,
        sent: Option<Sent>,
    ) -> Result<(Reply, ApiRequest), Error> {
        let result = match stop {
            Ok(stop) => self.exchange_until(&mut req, &stop, sent).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(reply) => Ok((reply, req)),
            Err(e) => Err(self.scrub(e.with_request(&req))),
        }
    }

    /// `result`, its error naming `req` and holding no token of this client.
    pub(crate) fn named<T>(&self, req: &ApiRequest, result: Result<T, Error>) -> Result<T, Error> {
        result.map_err(|e| self.scrub(e.with_request(req)))
    }

    /// Sends `req` on the fast path when it can go at once (see the module docs): the call's promise, or the
    /// request and answer back, untouched, for [`Inner::call`].
    pub(crate) fn try_fast(
        self: &Rc<Self>,
        req: ApiRequest,
        options: &CallOptions,
        answer: Answer,
    ) -> Result<Promise, (ApiRequest, Answer)> {
        let (shape, requested) = match &answer {
            Answer::Checked(shape) => (shape::checked_in_js(shape), JsValue::UNDEFINED),
            Answer::Batch(ids) => (shape::checked_in_js(&shape::SERVER_OPERATIONS), ids.clone()),
            Answer::Status => (None, JsValue::UNDEFINED),
        };
        // A trace reports each send as it settles, which only the future does.
        let Some(shape) = shape.filter(|_| self.sender.trace.is_none()) else {
            return Err((req, answer));
        };
        let Some(slot) = self.line.take_now(access(req.method)) else {
            return Err((req, answer));
        };
        let Ok(stop) = self.sender.stopper(options) else {
            return Err((req, answer));
        };
        let id = {
            let mut flights = self.flights.borrow_mut();
            let free = flights.iter().position(Option::is_none);
            free.unwrap_or_else(|| {
                flights.push(None);
                flights.len() - 1
            })
        };
        let body = req
            .body
            .as_deref()
            .map_or(JsValue::UNDEFINED, JsValue::from_str);
        let sent = fast_call(
            self.resume.as_ref(),
            id as u32,
            self.sender
                .fetch
                .as_ref()
                .map_or(&JsValue::UNDEFINED, |f| f.as_ref()),
            &req.url,
            &name(req.method.as_str()),
            &convert::headers(&req),
            &body,
            stop.js(),
            shape as u32,
            &requested,
        );
        let flight = Flight {
            _client: self.clone(),
            slot,
            stop,
            req,
            generation: self.refresh.borrow().generation(),
            answer,
        };
        Ok(match sent {
            Ok(pending) => {
                if let Some(place) = self.flights.borrow_mut().get_mut(id) {
                    *place = Some(flight);
                }
                pending
            }
            Err(e) => self.resumed(flight, Err(e)),
        })
    }

    /// A fast call given back by JS with what its exchange settled with: the rest of [`Inner::call`].
    fn resumed(self: &Rc<Self>, flight: Flight, out: Result<JsValue, JsValue>) -> Promise {
        let Flight {
            slot,
            stop,
            req,
            generation,
            answer,
            ..
        } = flight;
        let reply = transport::reply_of(stop.settled(out));
        let sent = Some((slot, generation, reply));
        promise(Box::pin(self.clone().answered(req, Ok(stop), sent, answer)))
    }

    /// The sends of one request: from its place in the line, or from the first send when `sent` holds it.
    async fn exchange_until(
        self: &Rc<Self>,
        req: &mut ApiRequest,
        stop: &Stopper,
        sent: Option<Sent>,
    ) -> Result<Reply, Error> {
        let (slot, mut first) = match sent {
            Some((slot, generation, reply)) => (slot, Some((generation, reply))),
            None => (self.line.enter(access(req.method), stop).await?, None),
        };
        let mut resent = false;
        let mut attempt = 1;
        loop {
            let (generation, reply) = match first.take() {
                Some(sent) => sent,
                None => {
                    let generation = self.refresh.borrow().generation();
                    req.set_token(self.requests.borrow().token());
                    (generation, self.sender.send(req, stop, attempt).await)
                }
            };
            let reply = reply?;
            attempt += 1;
            if reply.status == 401 {
                let next = self.refresh.borrow_mut().on_unauthorized(
                    generation,
                    resent,
                    self.refresh_token.is_some(),
                );
                if self.after_unauthorized(next, stop).await.is_ok() {
                    resent = true;
                    continue;
                }
            } else if let (Method::Get, Some(delay)) = (req.method, retry_delay(&reply)) {
                let until = Date::now() + delay;
                if stop.deadline().is_none_or(|deadline| until < deadline) {
                    slot.retry_at(until, stop).await?;
                    continue;
                }
            }
            return Ok(reply);
        }
    }

    /// What a 401 leads to: `Ok` to send again with the (new) token, `Err` to give up with the 401.
    async fn after_unauthorized(
        self: &Rc<Self>,
        next: OnUnauthorized,
        stop: &Stopper,
    ) -> Result<(), ()> {
        let pending = match next {
            OnUnauthorized::Resend => return Ok(()),
            OnUnauthorized::Fail => return Err(()),
            OnUnauthorized::Join => self.refreshing.borrow().clone(),
            OnUnauthorized::Refresh => {
                let pending = self.start_refresh();
                *self.refreshing.borrow_mut() = Some(pending.clone());
                Some(pending)
            }
        };
        let Some(pending) = pending else {
            return Err(());
        };
        match stop.race(&pending).await {
            Raced::Value(_) => Ok(()),
            _ => Err(()),
        }
    }

    /// Calls `refreshToken` and takes the token it gives, as a promise every waiting request can await. The
    /// state changes inside it, before the promise settles, so a request resumed by it sees the new token. (The
    /// promise holds the client while it runs, at most `REFRESH_LIMIT_MS`: `fetch_token` bounds it.)
    fn start_refresh(self: &Rc<Self>) -> Promise {
        let inner = self.clone();
        js_promise(Box::pin(async move {
            let token = fetch_token(inner.refresh_token.clone(), REFRESH_LIMIT_MS).await;
            inner
                .finish_refresh(token)
                .map(|()| JsValue::TRUE)
                .map_err(|()| JsValue::FALSE)
        }))
    }

    fn finish_refresh(&self, token: Result<Token, ()>) -> Result<(), ()> {
        self.refreshing.borrow_mut().take();
        let mut refresh = self.refresh.borrow_mut();
        match token {
            Ok(token) => {
                let old = self.requests.borrow().token().clone();
                self.old_tokens.borrow_mut().push(old);
                let requests = self.requests.borrow().with_token(token);
                let generation = refresh.on_refreshed();
                if !self.fast.is_undefined() {
                    fast_token(&self.fast, &operation_headers(&requests), generation);
                }
                *self.requests.borrow_mut() = requests;
                Ok(())
            }
            Err(()) => {
                refresh.on_refresh_failed();
                Err(())
            }
        }
    }

    /// Removes the current and every earlier token from an error.
    fn scrub(&self, error: Error) -> Error {
        let current = self.token();
        let old = self.old_tokens.borrow();
        let mut secrets: Vec<&str> = old.iter().map(Token::expose).collect();
        secrets.push(current.expose());
        error.without_secrets(&secrets)
    }
}

/// What `fastCall` calls with a call's number: `how` 2 when JS resolved it (its place and stop are freed here,
/// `undefined` back); 0 with what its exchange resolved with, 1 with what it rejected with, for the call's
/// promise from here on ([`Inner::resumed`]).
///
/// The JS fast path of server operations (`fastOp`) calls it too: `how` 3 hands over one of its calls, `got` then
/// `[segment, ids, stop, generation, how, value, timeout ms]` ([`hand_over`]); `how` 4 lets the line go on, a
/// place freed.
fn resume(client: &Weak<Inner>, id: u32, how: u32, got: JsValue) -> JsValue {
    let Some(inner) = client.upgrade() else {
        return JsValue::UNDEFINED;
    };
    match how {
        3 => return hand_over(&inner, got.unchecked_ref()).into(),
        4 => {
            inner.line.pump();
            return JsValue::UNDEFINED;
        }
        _ => {}
    }
    let flight = inner
        .flights
        .borrow_mut()
        .get_mut(id as usize)
        .and_then(Option::take);
    let Some(flight) = flight else {
        return JsValue::UNDEFINED;
    };
    match how {
        2 => JsValue::UNDEFINED,
        0 => inner.resumed(flight, Ok(got)).into(),
        _ => inner.resumed(flight, Err(got)).into(),
    }
}

/// A call of the JS fast path given to the wasm (see [`resume`]): its place in the line becomes one of the
/// line's, its request is built again from the IDs it sent (the same request: `fastOp` only sends IDs the wasm
/// takes as they are), and it goes on as a fast call of the wasm's own does, from what its exchange settled with.
fn hand_over(inner: &Rc<Inner>, got: &Array) -> Promise {
    // The call's own timeout (its `timeoutMs` option, or the client's), for the error that names it.
    let timeout_ms = got.get(6).as_f64().unwrap_or(inner.sender.timeout_ms);
    let stop = Stopper::adopt(got.get(2), timeout_ms);
    let slot = inner.line.adopt(Access::Write);
    let op = got
        .get(0)
        .as_string()
        .and_then(|s| ServerOp::from_segment(&s));
    let Some(op) = op else {
        return rejected(Error::network("the call could not be handed over"));
    };
    let (req, _, requested) = match server_op(inner, op, &got.get(1), &JsValue::UNDEFINED) {
        Ok(prepared) => prepared,
        Err(e) => return rejected(e),
    };
    let flight = Flight {
        _client: inner.clone(),
        slot,
        stop,
        req,
        generation: got.get(3).as_f64().map_or(0, |g| g as u32),
        answer: Answer::Batch(requested),
    };
    let out = got.get(5);
    let resolved = got.get(4).as_f64() == Some(0.0);
    inner.resumed(flight, if resolved { Ok(out) } else { Err(out) })
}

/// The headers of every server operation with the current token, for the JS fast path.
fn operation_headers(requests: &Requests) -> Object {
    convert::headers(&requests.server_operation_template())
}

/// Which of the line's kinds a request is: GETs may be held by a `Retry-After`, POSTs never.
fn access(method: Method) -> Access {
    match method {
        Method::Get => Access::Read,
        Method::Post => Access::Write,
    }
}

/// How long a `refreshToken` may take: it may ask a person to log in again, so much longer than a request; the calls
/// waiting on it still end at their own deadlines.
const REFRESH_LIMIT_MS: f64 = 600_000.0;

/// Runs the caller's `refreshToken` within `limit_ms` and checks what it gives; `Err` for anything but a token.
async fn fetch_token(refresh_token: Option<Function>, limit_ms: f64) -> Result<Token, ()> {
    let f = refresh_token.ok_or(())?;
    let returned = f.call0(&JsValue::UNDEFINED).map_err(drop)?;
    let pending = adopt(&returned).map_err(drop)?;
    let stop = Stopper::new(None, Some(limit_ms)).map_err(drop)?;
    let Raced::Value(token) = stop.race(&pending).await else {
        return Err(());
    };
    let token = token.dyn_ref::<JsString>().map(String::from).ok_or(())?;
    Token::parse(&token).map_err(drop)
}

/// How long a 429 or 503 asks to wait before a read is sent again (`Retry-After`), if it says.
fn retry_delay(reply: &Reply) -> Option<f64> {
    if !matches!(reply.status, 429 | 503) {
        return None;
    }
    retry_after::delay_ms(reply.retry_after.as_deref()?, Date::now())
}
