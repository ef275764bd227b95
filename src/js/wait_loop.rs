//! Drives a client's one [`Poller`] with real time, real randomness and `fetch`: every `wait` of the client
//! follows its jobs through it, so a job is read at most once per round however many waits follow it.
//!
//! The policy (which jobs, when, when a wait ends) is all in `crate::wait`. This executes it: one timer, re-armed
//! only when the poller's earliest deadline moves; each read sent through the client's line
//! (`Inner::call`: `maxConcurrent`, `Retry-After`, token refresh); events handed to each wait's future.
//!
//! A round's reads wait in `backlog` as bare job IDs and are sent `maxConcurrent` at a time, the next one as a
//! reply comes in: the line could not send more at once anyway, and a request in the line costs a future, a
//! built request and a waker each (10,000 of them held tens of MiB).

use crate::sorted::Map;
use alloc::collections::VecDeque;
use alloc::rc::{Rc, Weak};
use core::cell::{Cell, RefCell};
use core::task::{Poll, Waker};

use js_sys::{Date, Function, Math};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;

use super::callback;
use super::convert::{self, positive_ms, CallOptions};
use super::join::{first, First};
use super::object::{self, field, set};
use super::sender::Answer;
use super::session::Inner;
use super::stop::Stopper;
use super::timer::Alarm;
use crate::model::{JobStatus, ServerOperation, StatusLink};
use crate::parsed::{self, Value};
use crate::shape::{self, check};
use crate::text::cat;
use crate::validate::StatusId;
use crate::wait::{Event, Poller, WaitId, WaitOptions, WaitTarget};
use crate::Error;

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
    } else if target.is_object() {
        // Read as JSON text, checked and read in the wasm: a batch of 10,000 results is one call into JS.
        let text = object::json_text(target).ok_or_else(|| object::unreadable("target"))?;
        let tree = parsed::parse(&text).map_err(|_| {
            Error::validation(
                "target",
                "must be plain data (it nests too deeply or holds a lone surrogate)",
            )
        })?;
        let list = matches!(tree, Value::List(_));
        let (shape, what) = if list {
            (
                &shape::SERVER_OPERATIONS,
                "must be the array a server operation resolved with (",
            )
        } else {
            (&shape::STATUS_LINK, "must be a status link (")
        };
        check(&&tree, shape).map_err(|why| Error::validation("target", cat(&[what, &why, ")"])))?;
        if list {
            WaitTarget::Batch(ServerOperation::read_list(&&tree))
        } else {
            WaitTarget::Link(StatusLink::read(&&tree))
        }
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

/// The polling of one client: its poller, the waits following it, and the one timer.
pub(crate) struct Polling {
    inner: Rc<Inner>,
    poller: RefCell<Poller>,
    waits: RefCell<Map<WaitId, Waiting>>,
    /// Reads handed out by the poller, not sent yet.
    backlog: RefCell<VecDeque<StatusId>>,
    /// Reads sent, not answered yet.
    sending: Cell<usize>,
    /// When the next read or deadline is due.
    alarm: Alarm,
    this: Weak<Polling>,
}

/// One wait in progress, as the edge sees it.
struct Waiting {
    on_progress: Option<Function>,
    end: Option<Result<JsValue, JsValue>>,
    waker: Option<Waker>,
}

impl Polling {
    /// The polling of the client `inner`.
    pub(crate) fn new(inner: Rc<Inner>) -> Rc<Polling> {
        Rc::new_cyclic(|this| Polling {
            inner,
            poller: RefCell::new(Poller::new()),
            waits: RefCell::new(Map::new()),
            backlog: RefCell::new(VecDeque::new()),
            sending: Cell::new(0),
            alarm: Alarm::default(),
            this: this.clone(),
        })
    }

    /// Runs a prepared wait to its end: its result, or a `ClcError` (with `partial` when it had to stop).
    pub(crate) async fn wait(self: &Rc<Self>, p: Prepared) -> Result<JsValue, JsValue> {
        // The wait's own signal only; its deadline is the poller's (`timeoutMs` is the whole wait's).
        let stop = Stopper::new(p.signal.as_ref(), None)?;
        let id = self
            .poller
            .borrow_mut()
            .add(p.target, p.options, Date::now())?;
        self.waits.borrow_mut().insert(
            id,
            Waiting {
                on_progress: p.on_progress,
                end: None,
                waker: None,
            },
        );
        self.pump();
        let end = core::future::poll_fn(|cx| {
            let mut waits = self.waits.borrow_mut();
            let Some(waiting) = waits.get_mut(&id) else {
                return Poll::Ready(Err(Error::aborted().into()));
            };
            match waiting.end.take() {
                Some(end) => {
                    waits.remove(&id);
                    Poll::Ready(end)
                }
                None => {
                    waiting.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        });
        match first(end, stop.until_stopped()).await {
            First::Left(end) => end,
            First::Right(_) => {
                self.poller.borrow_mut().remove(id);
                self.waits.borrow_mut().remove(&id);
                self.pump();
                Err(Error::aborted().into())
            }
        }
    }

    /// Takes the reads that are due, sends what the line has room for, hands out the events, and re-arms the
    /// timer if the next deadline moved.
    ///
    /// Only a new or stopped wait and the timer take new reads; a reply only sends more of the same round (the
    /// backlog) and settles. Taking reads from a reply would chain every round into the last one's microtasks
    /// when answers come at once (a cache, a test's `fetch`): once a round takes longer than `minPollMs`, reads
    /// are always due, and the page never got its event loop back.
    fn pump(&self) {
        let reads = self
            .poller
            .borrow_mut()
            .poll_reads(Date::now(), Math::random());
        self.backlog.borrow_mut().extend(reads);
        self.send();
        self.settle();
    }

    /// Sends backlogged reads while fewer than `maxConcurrent` of them are in flight.
    fn send(&self) {
        while self.sending.get() < self.inner.max_concurrent() {
            let Some(id) = self.backlog.borrow_mut().pop_front() else {
                return;
            };
            if !self.poller.borrow().is_reading(&id) {
                continue;
            }
            self.sending.set(self.sending.get() + 1);
            let (inner, this) = (self.inner.clone(), self.this.clone());
            spawn_local(async move {
                let req = inner.build(|r| r.get_status(&id));
                let answer = inner
                    .call(req, &CallOptions::default(), Answer::Status)
                    .await;
                if let Some(polling) = this.upgrade() {
                    polling.sending.set(polling.sending.get() - 1);
                    polling.on_reply(&id, answer);
                }
            });
        }
    }

    /// Hands out the events and re-arms the timer for the next read or deadline (at once if one is due: a timer
    /// still runs it on a later turn of the event loop).
    fn settle(&self) {
        self.deliver();
        let next = self.poller.borrow().next_timeout();
        let this = self.this.clone();
        self.alarm.set(next, move || {
            if let Some(polling) = this.upgrade() {
                polling.alarm.fired();
                polling.pump();
            }
        });
    }

    fn on_reply(&self, id: &StatusId, answer: Result<JsValue, Error>) {
        {
            let mut poller = self.poller.borrow_mut();
            match answer {
                Ok(status) => {
                    let status = status.as_string().unwrap_or_default();
                    poller.on_status(id, JobStatus::from(status.as_str()));
                }
                Err(e) => poller.on_error(id, e),
            }
        }
        self.send();
        self.settle();
    }

    /// Hands each event to its wait: progress to `onProgress`, the end to the wait's future.
    fn deliver(&self) {
        loop {
            let Some(event) = self.poller.borrow_mut().poll_event() else {
                return;
            };
            let (id, end) = match event {
                Event::Progress(id, progress) => {
                    let f = self
                        .waits
                        .borrow()
                        .get(&id)
                        .and_then(|w| w.on_progress.clone());
                    if let Some(f) = f {
                        callback::notify(&f, &convert::progress_to_js(&progress));
                    }
                    continue;
                }
                Event::Done(id, result) => (id, Ok(convert::wait_result_to_js(&result))),
                Event::Failed(id, error, partial) => {
                    let error = JsValue::from(error);
                    set(
                        error.unchecked_ref(),
                        "partial",
                        &convert::wait_result_to_js(&partial),
                    );
                    (id, Err(error))
                }
            };
            if let Some(waiting) = self.waits.borrow_mut().get_mut(&id) {
                waiting.end = Some(end);
                if let Some(waker) = waiting.waker.take() {
                    waker.wake();
                }
            }
        }
    }
}
