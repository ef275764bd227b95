//! Drives the core's [`Waiter`] with real time, real randomness, `fetch` and abortable timers.
//!
//! The policy (which jobs, when, when to stop) is all in `crate::wait`; this loop only does what a step says:
//! poll the jobs of a round concurrently, sleep, report progress, and stop at once on abort.

use crate::prelude::*;

use alloc::rc::Rc;

use js_sys::{Date, Function, Math};
use wasm_bindgen::JsValue;

use super::callback;
use super::join::{join_all, Boxed};
use super::convert::{self, positive_ms, CallOptions};
use super::object::{self, field};
use super::sender::{Answer, Inner};
use super::stop::{Stop, Stopper};
use crate::model::{JobStatus, ServerOperation, StatusLink};
use crate::shape::{self, check_unchanged};
use crate::text::cat;
use crate::validate::StatusId;
use crate::wait::{Step, WaitOptions, WaitTarget, Waiter};
use crate::{Error, ErrorKind};

/// A checked `wait` call, ready to run.
pub(crate) struct Prepared {
    target: WaitTarget,
    options: WaitOptions,
    signal: Option<JsValue>,
    on_progress: Option<Function>,
}

/// Checks the target and the options of `wait` (before anything is sent).
pub(crate) fn prepare(target: &JsValue, options: &JsValue) -> Result<Prepared, Error> {
    let target = if let Some(id) = target.as_string() {
        WaitTarget::Job(StatusId::parse(&id)?)
    } else if object::is_array(target) {
        check_unchanged(target, &shape::SERVER_OPERATIONS).map_err(|why| {
            Error::validation(
                "target",
                cat(&[
                    "must be the array a server operation resolved with (",
                    &why,
                    ")",
                ]),
            )
        })?;
        WaitTarget::Batch(ServerOperation::read_list(target))
    } else if target.is_object() {
        check_unchanged(target, &shape::STATUS_LINK).map_err(|why| {
            Error::validation("target", cat(&["must be a status link (", &why, ")"]))
        })?;
        WaitTarget::Link(StatusLink::read(target))
    } else {
        return Err(Error::validation(
            "target",
            "must be a server operation result, a status link or a status ID",
        ));
    };
    let options = convert::options(options, "options")?;
    let defaults = WaitOptions::default();
    let wait = WaitOptions {
        timeout_ms: positive_ms(&field(&options, "timeoutMs")?, "timeoutMs")?
            .unwrap_or(defaults.timeout_ms),
        min_poll_ms: positive_ms(&field(&options, "minPollMs")?, "minPollMs")?
            .unwrap_or(defaults.min_poll_ms),
        max_poll_ms: positive_ms(&field(&options, "maxPollMs")?, "maxPollMs")?
            .unwrap_or(defaults.max_poll_ms),
    };
    wait.validate()?;
    let on_progress = convert::function(&options, "onProgress", "must be a function")?;
    // Only the signal is taken from the call options: `timeoutMs` here is the whole wait's deadline.
    let signal = CallOptions::read(&options)?.signal;
    Ok(Prepared {
        target,
        options: wait,
        signal,
        on_progress,
    })
}

/// Runs a prepared wait to its end and converts the result.
pub(crate) async fn run(inner: Rc<Inner>, p: Prepared) -> Result<JsValue, Error> {
    let mut waiter = Waiter::new(p.target, p.options, Date::now())?;
    // Status reads use the client's per-request time limit and the wait's signal.
    let call = CallOptions {
        signal: p.signal.clone(),
        timeout_ms: None,
    };
    loop {
        match waiter.next(Date::now(), Math::random()) {
            Step::Done(result) => return Ok(convert::wait_result_to_js(&result)),
            Step::Fail(e) => return Err(e),
            Step::Sleep(ms) => {
                let stop = Stopper::new(p.signal.as_ref(), Some(ms.max(0.0)))?;
                if stop.until_stopped().await == Stop::Aborted {
                    return Err(Error::aborted());
                }
            }
            Step::Poll(ids) => {
                let reads = ids.into_iter().map(|id| {
                    let inner = inner.clone();
                    let call = call.clone();
                    Box::pin(async move {
                        let req = inner.requests.get_status(&id);
                        let answer = inner.call(&req, &call, Answer::Status).await;
                        (id, answer)
                    }) as Boxed<(StatusId, Result<JsValue, Error>)>
                });
                for (id, answer) in join_all(reads.collect()).await {
                    let now = Date::now();
                    match answer {
                        Ok(status) => {
                            let status =
                                JobStatus::from(status.as_string().unwrap_or_default().as_str());
                            waiter.on_status(id.as_str(), status, now)
                        }
                        Err(e) if e.kind == ErrorKind::Aborted => return Err(e),
                        Err(e) => waiter.on_error(id.as_str(), retryable_timeout(e), now),
                    }
                }
                if let Some(f) = &p.on_progress {
                    callback::notify(f, &convert::progress_to_js(&waiter.progress()));
                }
            }
        }
    }
}

/// A status read that ran out of time is worth retrying like a lost connection: reads are safe to repeat.
fn retryable_timeout(e: Error) -> Error {
    if e.kind != ErrorKind::Timeout {
        return e;
    }
    let mut n = Error::network(cat(&["status read: ", &e.message]));
    n.method = e.method;
    n.url = e.url;
    n
}
