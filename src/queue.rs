//! A client's request queue: at most `maxConcurrent` requests in flight, and reads held back while the
//! server asked for a pause (`Retry-After` on a 429 or 503).
//!
//! It is a state machine in the quinn-proto style: no clock and no I/O. The edge [`RequestQueue::push`]es a
//! ticket per request, sends what [`RequestQueue::start`] hands back, reports each end with
//! [`RequestQueue::finish`] (or [`RequestQueue::requeue`] for a read to try again), and keeps one timer armed
//! at [`RequestQueue::next_timeout`].
//!
//! The line is kept in ticket order, so a requeued read goes back to the front, ahead of everything that came
//! after it. Pauses apply to reads only: writes (POSTs) are never retried, so holding one back buys nothing
//! (it would not be resent if the server refused it) and only delays an operation the user asked for; a write
//! may therefore pass a paused read.
//!
//! ```
//! use clc_wasm::queue::{Access, RequestQueue};
//! let mut queue = RequestQueue::new(1);
//! let (a, b) = (queue.push(Access::Read), queue.push(Access::Read));
//! assert_eq!(queue.start(0.0), [a]);
//! queue.requeue(a); // a 429 with Retry-After: 2
//! queue.pause_reads(2000.0);
//! assert_eq!(queue.start(10.0), []);
//! assert_eq!(queue.next_timeout(), Some(2000.0));
//! assert_eq!(queue.start(2000.0), [a]);
//! queue.finish(a);
//! assert_eq!(queue.start(2000.0), [b]);
//! ```

use crate::prelude::*;
use crate::sorted::{Map, Set};

use crate::Error;

/// One request's place in the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ticket(u64);

/// What a request does: reads (GET) may be paused and retried, writes (POST) never are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A GET.
    Read,
    /// A POST.
    Write,
}

/// The queue of one client.
#[derive(Clone, Debug)]
pub struct RequestQueue {
    max: usize,
    next: u64,
    reads: Set<Ticket>,
    writes: Set<Ticket>,
    in_flight: Map<Ticket, Access>,
    /// Requests in flight that the queue did not start (the JS fast path's): they take places too.
    outside: usize,
    /// No read starts before this (epoch ms), when set.
    paused_until: Option<f64>,
}

/// [`RequestQueue::DEFAULT_MAX_CONCURRENT`], at module level.
pub const DEFAULT_MAX_CONCURRENT: usize = RequestQueue::DEFAULT_MAX_CONCURRENT;

/// The largest `maxConcurrent` accepted.
const MAX_MAX_CONCURRENT: usize = 1000;

impl Default for RequestQueue {
    fn default() -> Self {
        RequestQueue::new(Self::DEFAULT_MAX_CONCURRENT)
    }
}

impl RequestQueue {
    /// The most requests in flight when the caller names no limit (what browsers allow per host over HTTP/1.1).
    pub const DEFAULT_MAX_CONCURRENT: usize = 6;

    /// A queue with at most `max_concurrent` requests in flight (0 counts as 1: a queue must move).
    pub fn new(max_concurrent: usize) -> Self {
        RequestQueue {
            max: max_concurrent.max(1),
            next: 0,
            reads: Set::new(),
            writes: Set::new(),
            in_flight: Map::new(),
            outside: 0,
            paused_until: None,
        }
    }

    /// Checks the JS option `maxConcurrent`: a whole number from 1 to 1000.
    ///
    /// ```
    /// use clc_wasm::queue::RequestQueue;
    /// assert_eq!(RequestQueue::max_concurrent(8.0), Ok(8));
    /// assert!(RequestQueue::max_concurrent(0.5).is_err());
    /// ```
    pub fn max_concurrent(value: f64) -> Result<usize, Error> {
        // NaN fails the range test; 1000 is exact in f64, so the cast below is too.
        if (1.0..=MAX_MAX_CONCURRENT as f64).contains(&value) && value == (value as usize) as f64 {
            Ok(value as usize)
        } else {
            Err(Error::validation(
                "maxConcurrent",
                "must be a whole number from 1 to 1000",
            ))
        }
    }

    /// A new request joins the back of the line.
    pub fn push(&mut self, access: Access) -> Ticket {
        let ticket = Ticket(self.next);
        self.next = self.next.saturating_add(1);
        match access {
            Access::Read => self.reads.insert(ticket),
            Access::Write => self.writes.insert(ticket),
        };
        ticket
    }

    /// The waiting requests that may be sent now, in line order, now counted as in flight: as many as there are
    /// free slots, reads only when no pause holds them at `now_ms`.
    pub fn start(&mut self, now_ms: f64) -> Vec<Ticket> {
        if self.paused_until.is_some_and(|until| now_ms >= until) {
            self.paused_until = None;
        }
        let reads_may_go = self.paused_until.is_none();
        let mut started = Vec::new();
        while self.busy() < self.max {
            let read = if reads_may_go {
                self.reads.first().copied()
            } else {
                None
            };
            let write = self.writes.first().copied();
            let (ticket, access) = match (read, write) {
                (Some(r), Some(w)) if w < r => (w, Access::Write),
                (Some(r), _) => (r, Access::Read),
                (None, Some(w)) => (w, Access::Write),
                (None, None) => break,
            };
            match access {
                Access::Read => self.reads.remove(&ticket),
                Access::Write => self.writes.remove(&ticket),
            };
            self.in_flight.insert(ticket, access);
            started.push(ticket);
        }
        started
    }

    /// A new request that may go at once, started without queuing: `Some` only when nothing waits, a slot is
    /// free, and (for a read) no pause is set, expired or not; then it is what [`RequestQueue::push`] and
    /// [`RequestQueue::start`] would have done, the same ticket started. `None` changes nothing: push it instead.
    ///
    /// ```
    /// use clc_wasm::queue::{Access, RequestQueue};
    /// let mut queue = RequestQueue::new(1);
    /// let a = queue.start_now(Access::Write).unwrap();
    /// assert_eq!(queue.start_now(Access::Read), None); // the one slot is taken
    /// queue.finish(a);
    /// assert!(queue.start_now(Access::Read).is_some());
    /// ```
    pub fn start_now(&mut self, access: Access) -> Option<Ticket> {
        let paused = access == Access::Read && self.paused_until.is_some();
        if paused || self.waiting() > 0 || self.busy() >= self.max {
            return None;
        }
        let ticket = Ticket(self.next);
        self.next = self.next.saturating_add(1);
        self.in_flight.insert(ticket, access);
        Some(ticket)
    }

    /// A request already in flight outside the queue becomes one of its own, whatever the places free: the
    /// caller counts it out of [`RequestQueue::set_outside`] at the same time, so no place is added.
    ///
    /// ```
    /// use clc_wasm::queue::{Access, RequestQueue};
    /// let mut queue = RequestQueue::new(1);
    /// queue.set_outside(1);
    /// assert_eq!(queue.start_now(Access::Write), None); // the one place is taken outside
    /// queue.set_outside(0);
    /// let adopted = queue.adopt(Access::Write);
    /// assert_eq!(queue.start_now(Access::Write), None); // ... and now inside
    /// queue.finish(adopted);
    /// assert!(queue.start_now(Access::Write).is_some());
    /// ```
    pub fn adopt(&mut self, access: Access) -> Ticket {
        let ticket = Ticket(self.next);
        self.next = self.next.saturating_add(1);
        self.in_flight.insert(ticket, access);
        ticket
    }

    /// How many requests are in flight that the queue did not start: they take places as its own do.
    pub fn set_outside(&mut self, n: usize) {
        self.outside = n;
    }

    /// The places taken, inside and outside.
    fn busy(&self) -> usize {
        self.in_flight.len().saturating_add(self.outside)
    }

    /// A request ended, or was cancelled while it waited: it leaves the queue. Unknown and already finished
    /// tickets are ignored.
    pub fn finish(&mut self, t: Ticket) {
        if self.in_flight.remove(&t).is_none() && !self.reads.remove(&t) {
            self.writes.remove(&t);
        }
    }

    /// An in-flight read that got a 429 or 503 goes back to the front of the line, where it was. Writes are
    /// never resent, so requeueing one (or a ticket not in flight) does nothing.
    pub fn requeue(&mut self, t: Ticket) {
        if self.in_flight.get(&t) == Some(&Access::Read) {
            self.in_flight.remove(&t);
            self.reads.insert(t);
        }
    }

    /// No read starts before `until_ms` (epoch ms). Of several pauses the latest holds; NaN is ignored.
    pub fn pause_reads(&mut self, until_ms: f64) {
        if until_ms.is_nan() {
            return;
        }
        self.paused_until = Some(match self.paused_until {
            Some(current) if current >= until_ms => current,
            _ => until_ms,
        });
    }

    /// When [`RequestQueue::start`] should be called again for a paused read: only when one waits and a slot is
    /// free for it; `None` otherwise (then the next [`RequestQueue::finish`] is the moment).
    pub fn next_timeout(&self) -> Option<f64> {
        let slot_free = self.busy() < self.max;
        self.paused_until
            .filter(|_| slot_free && !self.reads.is_empty())
    }

    /// The most requests in flight at once.
    pub fn capacity(&self) -> usize {
        self.max
    }

    /// How many requests the queue started are in flight (not counting those outside).
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// How many requests wait for a slot (or for a pause to end).
    pub fn waiting(&self) -> usize {
        self.reads.len() + self.writes.len()
    }
}
