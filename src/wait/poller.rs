//! One poller per client: every wait of the client follows its jobs through one job table, so a job is read at
//! most once per round however many waits follow it.
//!
//! Nothing here sleeps, sends or reads a clock (the quinn-proto shape): two timer tables of absolute times (the
//! next read of each job, the deadline of each wait), [`Poller::next_timeout`] their minimum, and
//! [`Poller::poll_reads`] fires what is due. The edge sends the reads it returns, hands the replies back through
//! [`Poller::on_status`] / [`Poller::on_error`], and delivers [`Poller::poll_event`]'s events to each wait.
//!
//! Schedule rules:
//! - a job's first read comes `min_poll_ms` after the wait that brought it started (a fresh job is nearly
//!   always still running); a job another wait already follows is read no later than that either;
//! - a job's next read is fixed when a read is sent: its backoff (see [`Backoff`]) after that many reads, on the
//!   most eager schedule of the waits following it that still want reads ([`Backoff::eager`]), with one `random` per
//!   [`Poller::poll_reads`] call, so jobs read together stay together (a batch of 10,000 jobs has rounds);
//! - no read is scheduled for a wait after its `deadline - min(min_poll_ms, timeout_ms / 4)`: a read due later
//!   is pulled in to that time, the wait's last look, so its answer has time to come back;
//! - at its deadline a wait ends at once with what it knows, even with reads still in flight (a hanging read
//!   cannot hold it); their replies, when they come, still serve the other waits.

use crate::prelude::*;

use crate::sorted::{Map, Set};
use alloc::collections::VecDeque;
use core::cmp::Ordering;

use super::backoff::Backoff;
use super::options::{WaitOptions, WaitTarget};
use super::report::{Outcome, WaitProgress, WaitResult};
use super::waiter::{Job, Waiter};
use crate::model::JobStatus;
use crate::validate::StatusId;
use crate::{Error, ErrorKind};

/// A wait's handle within its [`Poller`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct WaitId(u32);

/// What a wait has to say.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// Where the wait stands: once when it is added, after each round of reads for its jobs once their replies
    /// are all in, and once last before its `Done` or `Failed`.
    Progress(WaitId, WaitProgress),
    /// Every job is over, or the deadline has come (jobs still running are `TimedOut`).
    Done(WaitId, WaitResult),
    /// A read failed in a way a retry cannot mend (401, 403, 404, a bad body): the error, and the result so far
    /// (jobs still running are `Pending`).
    Failed(WaitId, Error, WaitResult),
}

/// A time as a key of the timer tables: ordered by `f64::total_cmp`, so even a NaN cannot break them.
#[derive(Clone, Copy, Debug)]
struct At(f64);

impl PartialEq for At {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for At {}

impl PartialOrd for At {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for At {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The shared poller of one client. See the module docs for its rules.
///
/// ```
/// use clc_wasm::{model::JobStatus, validate::StatusId, wait::*};
/// let options = WaitOptions { timeout_ms: 60_000.0, min_poll_ms: 1_000.0, max_poll_ms: 8_000.0 };
/// let mut poller = Poller::new();
/// let a = poller.add(WaitTarget::Job(StatusId::parse("wa1-1")?), options, 0.0)?;
/// let b = poller.add(WaitTarget::Job(StatusId::parse("wa1-1")?), options, 0.0)?;
/// assert_eq!(poller.next_timeout(), Some(1_000.0));
/// let reads = poller.poll_reads(1_000.0, 0.5);
/// assert_eq!(reads.len(), 1, "one read serves both waits");
/// poller.on_status(&reads[0], JobStatus::Succeeded);
/// let mut done = Vec::new();
/// while let Some(event) = poller.poll_event() {
///     if let Event::Done(id, result) = event {
///         assert!(result.ok);
///         done.push(id);
///     }
/// }
/// assert_eq!(done, [a, b]);
/// assert_eq!((poller.waits(), poller.jobs()), (0, 0));
/// # Ok::<(), clc_wasm::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct Poller {
    jobs: Map<StatusId, Job>,
    waits: Map<WaitId, Waiter>,
    /// Jobs waiting for their next read (not in flight, not over), by time.
    reads: Set<(At, StatusId)>,
    /// Waits by deadline.
    deadlines: Set<(At, WaitId)>,
    events: VecDeque<Event>,
    next_id: u32,
}

/// Whether a failed status read is worth repeating: reads are safe to repeat, so a read that ran out of time is
/// retried like a lost connection (network, timeout, 408, 429, 5xx).
fn retryable(error: &Error) -> bool {
    error.is_transient() || error.kind == ErrorKind::Timeout
}

impl Poller {
    /// A poller with nothing to follow.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts following a target at `now_ms`; refuses bad options and a status link with no job ID in it.
    /// Queues a `Progress` event at once (a report before the first read); a wait with nothing to follow
    /// (nothing queued, only unfollowable servers, or only jobs already seen over) queues that one report and
    /// its `Done` at once. `now_ms` must be finite.
    pub fn add(
        &mut self,
        target: WaitTarget,
        options: WaitOptions,
        now_ms: f64,
    ) -> Result<WaitId, Error> {
        if !now_ms.is_finite() {
            return Err(Error::validation("now", "must be a finite time"));
        }
        let mut wait = Waiter::new(target, options, now_ms)?;
        let id = self.fresh_id();
        let first = wait.first_read_at;
        for job_id in &wait.jobs {
            let job = self.jobs.entry(job_id.clone()).or_insert_with(|| Job {
                status: None,
                polls: 0,
                last_error: None,
                followers: Vec::new(),
                in_flight: false,
                next_at: None,
            });
            job.followers.push(id);
            if job.status.as_ref().is_some_and(JobStatus::is_final) {
                continue;
            }
            wait.open += 1;
            if job.in_flight {
                wait.in_flight += 1;
                job.next_at = Some(job.next_at.map_or(first, |at| at.min(first)));
            } else if job.next_at.is_none_or(|at| first < at) {
                if let Some(at) = job.next_at {
                    self.reads.remove(&(At(at), job_id.clone()));
                }
                job.next_at = Some(first);
                self.reads.insert((At(first), job_id.clone()));
            }
        }
        let open = wait.open;
        if open > 0 {
            let progress = wait.progress(&self.jobs, Outcome::Pending);
            self.events.push_back(Event::Progress(id, progress));
        }
        self.deadlines.insert((At(wait.deadline), id));
        self.waits.insert(id, wait);
        if open == 0 {
            // Its one report, then its end.
            self.finish(id, None);
        }
        Ok(id)
    }

    /// Forgets a wait (it was aborted): no event for it any more. Jobs no wait follows any more are dropped, and
    /// replies for them are ignored.
    pub fn remove(&mut self, id: WaitId) {
        if let Some(wait) = self.waits.remove(&id) {
            self.deadlines.remove(&(At(wait.deadline), id));
            self.detach(id, &wait.jobs);
        }
    }

    /// The earliest absolute time anything is due (a job's next read, a wait's deadline); `None` if nothing.
    /// It can be in the past (a reply came back after the job's next read was due): then it is due at once.
    pub fn next_timeout(&self) -> Option<f64> {
        let read = self.reads.first().map(|(at, _)| at.0);
        let deadline = self.deadlines.first().map(|(at, _)| at.0);
        match (read, deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The jobs to read now: due, not over, not already in flight; each is marked in flight (`polls` + 1) and
    /// given its next read time, using `random` (in [0, 1)) for the jitter. First ends the waits whose deadline
    /// has come (their last `Progress`, then `Done` with jobs still running `TimedOut`).
    pub fn poll_reads(&mut self, now_ms: f64, random: f64) -> Vec<StatusId> {
        for (_, id) in self.deadlines.take_while(|(at, _)| at.0 <= now_ms) {
            self.finish(id, None);
        }
        let mut reads = Vec::new();
        let mut touched = Set::new();
        for (_, job_id) in self.reads.take_while(|(at, _)| at.0 <= now_ms) {
            let Some(job) = self.jobs.get_mut(&job_id) else {
                continue;
            };
            job.in_flight = true;
            job.polls = job.polls.saturating_add(1);
            let mut backoff: Option<Backoff> = None;
            let mut last_look: Option<f64> = None;
            for follower in &job.followers {
                let Some(wait) = self.waits.get_mut(follower) else {
                    continue;
                };
                wait.in_flight += 1;
                touched.insert(*follower);
                // A wait past its last look wants no more reads: its schedule no longer counts.
                if wait.last_read_at > now_ms {
                    backoff = Some(backoff.map_or(wait.backoff, |b| b.eager(wait.backoff)));
                    last_look =
                        Some(last_look.map_or(wait.last_read_at, |t| t.min(wait.last_read_at)));
                }
            }
            job.next_at = match (backoff, last_look) {
                (Some(backoff), Some(last_look)) => {
                    Some((now_ms + backoff.delay(job.polls, random)).min(last_look))
                }
                _ => None,
            };
            reads.push(job_id);
        }
        for id in touched.iter().copied().collect::<Vec<_>>() {
            if let Some(wait) = self.waits.get_mut(&id) {
                wait.round = wait.round.saturating_add(1);
            }
        }
        reads
    }

    /// Records a status reply for `job`. Replies for a job not being read (dropped, or a stray) are ignored.
    pub fn on_status(&mut self, job: &StatusId, status: JobStatus) {
        let Some(entry) = self.jobs.get_mut(job) else {
            return;
        };
        if !entry.in_flight {
            return;
        }
        entry.in_flight = false;
        let over = status.is_final();
        entry.status = Some(status);
        entry.last_error = None;
        if !over {
            if let Some(at) = entry.next_at {
                self.reads.insert((At(at), job.clone()));
            }
        }
        for id in entry.followers.clone() {
            let Some(wait) = self.waits.get_mut(&id) else {
                continue;
            };
            wait.in_flight = wait.in_flight.saturating_sub(1);
            if over {
                wait.open = wait.open.saturating_sub(1);
            }
            if wait.open == 0 {
                self.finish(id, None);
            } else if wait.in_flight == 0 {
                let progress = wait.progress(&self.jobs, Outcome::Pending);
                self.events.push_back(Event::Progress(id, progress));
            }
        }
    }

    /// Records a failed status read for `job`. A transient error (network, timeout, 408, 429, 5xx) is kept as
    /// the job's `lastError` and the job is read again on schedule; any other ends every wait that follows the
    /// job with `Failed`.
    pub fn on_error(&mut self, job: &StatusId, error: Error) {
        let Some(entry) = self.jobs.get_mut(job) else {
            return;
        };
        if !entry.in_flight {
            return;
        }
        entry.in_flight = false;
        let followers = entry.followers.clone();
        if !retryable(&error) {
            for id in followers {
                self.finish(id, Some(error.clone()));
            }
            return;
        }
        entry.last_error = Some(error.into_data().message);
        if let Some(at) = entry.next_at {
            self.reads.insert((At(at), job.clone()));
        }
        for id in followers {
            let Some(wait) = self.waits.get_mut(&id) else {
                continue;
            };
            wait.in_flight = wait.in_flight.saturating_sub(1);
            if wait.in_flight == 0 {
                let progress = wait.progress(&self.jobs, Outcome::Pending);
                self.events.push_back(Event::Progress(id, progress));
            }
        }
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Whether a read of `job` was handed out and its reply is still awaited: a read that is no longer (its job
    /// was dropped, or dropped and followed again) need not be sent, its reply would be ignored.
    pub fn is_reading(&self, job: &StatusId) -> bool {
        self.jobs.get(job).is_some_and(|job| job.in_flight)
    }

    /// Waits still running.
    pub fn waits(&self) -> usize {
        self.waits.len()
    }

    /// Jobs followed by at least one wait.
    pub fn jobs(&self) -> usize {
        self.jobs.len()
    }

    fn fresh_id(&mut self) -> WaitId {
        loop {
            let id = WaitId(self.next_id);
            self.next_id = self.next_id.wrapping_add(1);
            if !self.waits.contains_key(&id) {
                return id;
            }
        }
    }

    /// Ends a wait: its last `Progress`, then `Done` (no `failure`: jobs still running timed out) or `Failed`
    /// (jobs still running are pending).
    fn finish(&mut self, id: WaitId, failure: Option<Error>) {
        let Some(wait) = self.waits.remove(&id) else {
            return;
        };
        self.deadlines.remove(&(At(wait.deadline), id));
        let unfinished = if failure.is_some() {
            Outcome::Pending
        } else {
            Outcome::TimedOut
        };
        let progress = wait.progress(&self.jobs, unfinished);
        let result = wait.result(&self.jobs, unfinished);
        self.events.push_back(Event::Progress(id, progress));
        self.events.push_back(match failure {
            Some(error) => Event::Failed(id, error, result),
            None => Event::Done(id, result),
        });
        self.detach(id, &wait.jobs);
    }

    /// Takes wait `id` off its jobs; a job left with no follower is dropped, with its pending read. The tables
    /// are swept once at the end, not once per job: a wait on 10,000 jobs would move them 10,000 times.
    fn detach(&mut self, id: WaitId, jobs: &[StatusId]) {
        let mut orphans = false;
        for job_id in jobs {
            if let Some(job) = self.jobs.get_mut(job_id) {
                job.followers.retain(|follower| *follower != id);
                orphans |= job.followers.is_empty();
            }
        }
        if orphans {
            self.jobs.retain(|_, job| !job.followers.is_empty());
            let jobs = &self.jobs;
            self.reads.retain(|(_, job_id)| jobs.contains_key(job_id));
        }
    }
}
