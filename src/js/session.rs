//! One client's session: its token (and the single-flight refresh on 401), its request line (`maxConcurrent`,
//! `Retry-After`), and `Inner::call`, which takes one request through all of them.
//!
//! The policies are the core's ([`Refresh`], `crate::queue`, `crate::retry_after`); this only executes them.

use crate::prelude::*;

use alloc::rc::Rc;
use core::cell::RefCell;

use js_sys::{Date, Function, JsString, Promise};
use wasm_bindgen::{JsCast, JsValue};

use super::convert::CallOptions;
use super::line::Line;
use super::sender::{js_promise, Answer, Sender};
use super::stop::{Raced, Stopper};
use super::transport::{adopt, Reply};
use crate::model::{Session, Token};
use crate::queue::Access;
use crate::refresh::{OnUnauthorized, Refresh};
use crate::request::{ApiRequest, Method, Requests};
use crate::{jwt, retry_after, Error};

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
        Rc::new(Inner {
            requests: RefCell::new(requests),
            session,
            sender,
            line: Line::new(options.max_concurrent),
            refresh: RefCell::new(Refresh::new()),
            refresh_token: options.refresh_token,
            refreshing: RefCell::new(None),
            old_tokens: RefCell::new(Vec::new()),
        })
    }

    /// Builds a request with the current token.
    pub(crate) fn build<T>(&self, f: impl FnOnce(&Requests) -> T) -> T {
        f(&self.requests.borrow())
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
    pub(crate) async fn call(
        self: &Rc<Self>,
        req: ApiRequest,
        options: &CallOptions,
        answer: Answer,
    ) -> Result<JsValue, Error> {
        let (reply, req) = self.exchange(req, options).await?;
        self.named(&req, answer.read(&reply))
    }

    /// Sends `req` through the client's line and hands back the last reply, with the request as last sent:
    /// - A 401 calls `refreshToken` once for all the requests that meet it, then sends each again, once.
    /// - A 429 or 503 with `Retry-After` on a GET holds this and the client's other reads that long, then
    ///   sends it again, never past the call's deadline. POSTs are never sent twice but after a 401.
    ///
    /// Errors name the request, and hold neither the token nor any token this client had before; what the
    /// caller reads from the reply goes through [`Inner::named`] to be the same.
    pub(crate) async fn exchange(
        self: &Rc<Self>,
        mut req: ApiRequest,
        options: &CallOptions,
    ) -> Result<(Reply, ApiRequest), Error> {
        let result = match self.sender.stopper(options) {
            Ok(stop) => self.exchange_until(&mut req, &stop).await,
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

    async fn exchange_until(
        self: &Rc<Self>,
        req: &mut ApiRequest,
        stop: &Stopper,
    ) -> Result<Reply, Error> {
        let access = match req.method {
            Method::Get => Access::Read,
            Method::Post => Access::Write,
        };
        let slot = self.line.enter(access, stop).await?;
        let mut resent = false;
        let mut attempt = 1;
        loop {
            let generation = self.refresh.borrow().generation();
            req.set_token(self.requests.borrow().token());
            let reply = self.sender.send(req, stop, attempt).await?;
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
                *self.requests.borrow_mut() = requests;
                refresh.on_refreshed();
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
