//! Executes a client's [`RequestQueue`] (`maxConcurrent`, `Retry-After`): every request waits here for its slot,
//! and one timer, re-armed only when the queue's earliest deadline moves, ends the pauses.

use crate::sorted::{Map, Set};
use alloc::rc::{Rc, Weak};
use core::cell::RefCell;
use core::task::{Poll, Waker};

use js_sys::Date;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::join::{first, First};
use super::stop::Stopper;
use super::timer::Alarm;
use crate::queue::{Access, RequestQueue, Ticket};
use crate::Error;

#[wasm_bindgen(module = "/src/js/accepted.js")]
extern "C" {
    /// Tells the JS fast path in how many places it may send (`room`, those the wasm's own requests leave), and
    /// whether to `pump` when one of its calls ends (`waiters`: requests wait here).
    #[wasm_bindgen(js_name = fastSet)]
    fn fast_set(state: &JsValue, room: u32, waiters: bool);
    /// The JS fast path's calls in flight: places this line does not hold but counts as taken.
    #[wasm_bindgen(js_name = fastCount)]
    fn fast_count(state: &JsValue) -> u32;
}

/// The line of one client's requests.
pub(crate) struct Line {
    queue: RefCell<RequestQueue>,
    /// Tickets allowed to go, not yet picked up by their request.
    granted: RefCell<Set<Ticket>>,
    wakers: RefCell<Map<Ticket, Waker>>,
    /// When a paused read may go.
    alarm: Alarm,
    /// The client's JS fast path state (`src/js/accepted.js`'s `fastState`), or undefined when it has none.
    fast: JsValue,
    this: Weak<Line>,
}

/// A request's place, held while it is in flight; dropping it frees the place.
pub(crate) struct Slot {
    line: Rc<Line>,
    ticket: Ticket,
}

impl Line {
    /// A line letting at most `max_concurrent` requests go at once, its own and those of the JS fast path whose
    /// state is `fast` (or undefined).
    pub(crate) fn new(max_concurrent: usize, fast: JsValue) -> Rc<Line> {
        let line = Rc::new_cyclic(|this| Line {
            queue: RefCell::new(RequestQueue::new(max_concurrent)),
            granted: RefCell::new(Set::new()),
            wakers: RefCell::new(Map::new()),
            alarm: Alarm::default(),
            fast,
            this: this.clone(),
        });
        line.publish();
        line
    }

    /// Reads how many places the JS fast path holds, before the queue decides anything.
    fn count_outside(&self) {
        if !self.fast.is_undefined() {
            let outside = fast_count(&self.fast) as usize;
            self.queue.borrow_mut().set_outside(outside);
        }
    }

    /// Tells the JS fast path what the queue now lets it do.
    fn publish(&self) {
        if self.fast.is_undefined() {
            return;
        }
        let queue = self.queue.borrow();
        let room = queue.capacity().saturating_sub(queue.in_flight());
        fast_set(&self.fast, room as u32, queue.waiting() > 0);
    }

    /// The place of a call the JS fast path sent and now hands over (it no longer counts it).
    pub(crate) fn adopt(self: &Rc<Self>, access: Access) -> Slot {
        self.count_outside();
        let ticket = self.queue.borrow_mut().adopt(access);
        self.publish();
        Slot {
            line: self.clone(),
            ticket,
        }
    }

    /// Waits for a place; a call aborted or timed out meanwhile leaves the line at once.
    pub(crate) async fn enter(
        self: &Rc<Self>,
        access: Access,
        stop: &Stopper,
    ) -> Result<Slot, Error> {
        let ticket = self.queue.borrow_mut().push(access);
        let slot = Slot {
            line: self.clone(),
            ticket,
        };
        slot.granted(stop).await?;
        Ok(slot)
    }

    /// A place at once, when nothing waits and one is free ([`RequestQueue::start_now`]); `None` changes nothing.
    pub(crate) fn take_now(self: &Rc<Self>, access: Access) -> Option<Slot> {
        self.count_outside();
        let ticket = self.queue.borrow_mut().start_now(access)?;
        self.publish();
        Some(Slot {
            line: self.clone(),
            ticket,
        })
    }

    /// The most requests of the client in flight at once (`maxConcurrent`).
    pub(crate) fn capacity(&self) -> usize {
        self.queue.borrow().capacity()
    }

    /// Lets go what may go now, wakes those requests, and re-arms the timer if the next deadline moved.
    pub(crate) fn pump(&self) {
        self.count_outside();
        let started = self.queue.borrow_mut().start(Date::now());
        for ticket in started {
            self.granted.borrow_mut().insert(ticket);
            if let Some(waker) = self.wakers.borrow_mut().remove(&ticket) {
                waker.wake();
            }
        }
        self.publish();
        let next = self.queue.borrow().next_timeout();
        let line = self.this.clone();
        self.alarm.set(next, move || {
            if let Some(line) = line.upgrade() {
                line.alarm.fired();
                line.pump();
            }
        });
    }
}

impl Slot {
    /// Waits until this ticket may go, or fails with the stop.
    async fn granted(&self, stop: &Stopper) -> Result<(), Error> {
        let line = &self.line;
        line.pump();
        let grant = core::future::poll_fn(|cx| {
            if line.granted.borrow_mut().remove(&self.ticket) {
                Poll::Ready(())
            } else {
                line.wakers
                    .borrow_mut()
                    .insert(self.ticket, cx.waker().clone());
                Poll::Pending
            }
        });
        match first(grant, stop.until_stopped()).await {
            First::Left(()) => Ok(()),
            First::Right(why) => Err(why.to_error()),
        }
    }

    /// A read the server asked to retry later (`Retry-After`): no read of the client starts before `until_ms`;
    /// this one goes back to the front of the line, and waits for its place again.
    pub(crate) async fn retry_at(&self, until_ms: f64, stop: &Stopper) -> Result<(), Error> {
        {
            let mut queue = self.line.queue.borrow_mut();
            queue.pause_reads(until_ms);
            queue.requeue(self.ticket);
        }
        self.granted(stop).await
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.line.queue.borrow_mut().finish(self.ticket);
        self.line.granted.borrow_mut().remove(&self.ticket);
        self.line.wakers.borrow_mut().remove(&self.ticket);
        self.line.pump();
    }
}
