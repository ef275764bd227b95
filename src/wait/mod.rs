//! The polling policy, as pure logic: time and randomness are passed in, nothing sleeps or sends here.
//!
//! A client keeps one [`Poller`]; each `wait` call is a [`WaitId`] in it. A wait is made from a batch result, a
//! status link or a status ID; the poller finds the distinct jobs (the service gives one job to a whole batch, so
//! eight servers are one read), reads each job at most once per round for all the waits that follow it, backs
//! off with jitter between a minimum and a maximum ([`Backoff`]), and reports each wait's progress and result as
//! [`Event`]s ([`report`](WaitProgress) types are what JS sees).
//!
//! ```
//! use clc_wasm::{model::JobStatus, validate::StatusId, wait::*};
//! let options = WaitOptions { timeout_ms: 60_000.0, min_poll_ms: 1_000.0, max_poll_ms: 8_000.0 };
//! let mut poller = Poller::new();
//! let id = poller.add(WaitTarget::Job(StatusId::parse("wa1-1")?), options, 0.0)?;
//! assert!(matches!(poller.poll_event(), Some(Event::Progress(w, p)) if w == id && p.pending == 1));
//! assert_eq!(poller.next_timeout(), Some(1_000.0), "the first read waits the minimum");
//! let reads = poller.poll_reads(1_000.0, 0.5);
//! poller.on_status(&reads[0], JobStatus::Succeeded);
//! assert!(matches!(poller.poll_event(), Some(Event::Progress(_, p)) if p.succeeded == 1));
//! let Some(Event::Done(_, result)) = poller.poll_event() else { panic!() };
//! assert!(result.ok);
//! # Ok::<(), clc_wasm::Error>(())
//! ```

mod backoff;
mod options;
mod poller;
mod report;
mod waiter;

pub use backoff::{Backoff, MAX_TIMER_MS};
pub use options::{WaitOptions, WaitTarget};
pub use poller::{Event, Poller, WaitId};
pub use report::{JobOutcome, JobProgress, Outcome, ServerOutcome, WaitProgress, WaitResult};
