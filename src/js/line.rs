//! Executes a client's [`RequestQueue`] (`maxConcurrent`, `Retry-After`): every request waits here for its slot,
//! and one timer, re-armed only when the queue's earliest deadline moves, ends the pauses.

use crate::sorted::{Map, Set};
use alloc::rc::{Rc, Weak};
use core::cell::RefCell;
use core::task::{Poll, Waker};

use js_sys::Date;

use super::join::{first, First};
use super::stop::Stopper;
use super::timer::Alarm;
use crate::queue::{Access, RequestQueue, Ticket};
use crate::Error;

/// The line of one client's requests.
pub(crate) struct Line {
    queue: RefCell<RequestQueue>,
    /// Tickets allowed to go, not yet picked up by their request.
    granted: RefCell<Set<Ticket>>,
    wakers: RefCell<Map<Ticket, Waker>>,
    /// When a paused read may go.
    alarm: Alarm,
    this: Weak<Line>,
}

/// A request's place, held while it is in flight; dropping it frees the place.
pub(crate) struct Slot {
    line: Rc<Line>,
    ticket: Ticket,
}

impl Line {
    /// A line letting at most `max_concurrent` requests go at once.
    pub(crate) fn new(max_concurrent: usize) -> Rc<Line> {
        Rc::new_cyclic(|this| Line {
            queue: RefCell::new(RequestQueue::new(max_concurrent)),
            granted: RefCell::new(Set::new()),
            wakers: RefCell::new(Map::new()),
            alarm: Alarm::default(),
            this: this.clone(),
        })
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
        let ticket = self.queue.borrow_mut().start_now(access)?;
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
    fn pump(&self) {
        let started = self.queue.borrow_mut().start(Date::now());
        for ticket in started {
            self.granted.borrow_mut().insert(ticket);
            if let Some(waker) = self.wakers.borrow_mut().remove(&ticket) {
                waker.wake();
            }
        }
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
