//! The polling policy, as pure logic: time and randomness are passed in, nothing sleeps or sends here.
//!
//! A [`Waiter`] is made from a batch result, a status link or a status ID. It finds the distinct jobs
//! (the service gives one job to a whole batch, so eight servers are one poll), and [`Waiter::next`] says
//! what to do: poll these jobs now, sleep this long, or stop with each server's outcome. Rounds back off
//! exponentially with jitter between a minimum and a maximum, and never go past the deadline: the last
//! poll happens at the deadline, after which jobs still running are timed out.
//!
//! ```
//! use clc_wasm::{model::JobStatus, validate::StatusId, wait::*};
//! let options = WaitOptions { timeout_ms: 60_000.0, min_poll_ms: 1_000.0, max_poll_ms: 8_000.0 };
//! let mut waiter = Waiter::new(WaitTarget::Job(StatusId::parse("wa1-1")?), options, 0.0)?;
//! assert_eq!(waiter.next(0.0, 0.5), Step::Sleep(1_000.0));
//! let Step::Poll(jobs) = waiter.next(1_000.0, 0.5) else { panic!() };
//! waiter.on_status(jobs[0].as_str(), JobStatus::Succeeded, 1_050.0);
//! let Step::Done(result) = waiter.next(1_050.0, 0.5) else { panic!() };
//! assert!(result.ok);
//! # Ok::<(), clc_wasm::Error>(())
//! ```

use crate::prelude::*;

use crate::model::{JobStatus, ServerOperation, StatusLink};
use crate::validate::StatusId;
use crate::Error;
use serde::Serialize;

/// The longest delay a JS timer can take (2^31 - 1 ms); longer ones fire at once.
const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// How long to wait and how often to ask.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WaitOptions {
    /// Give up on jobs still running after this long.
    pub timeout_ms: f64,
    /// The first poll comes after this long, and no two polls of a job are closer.
    pub min_poll_ms: f64,
    /// Backoff stops growing here.
    pub max_poll_ms: f64,
}

impl Default for WaitOptions {
    /// 15 minutes in all, polling from every second up to every 15 seconds: jobs take seconds to minutes.
    fn default() -> Self {
        WaitOptions {
            timeout_ms: 900_000.0,
            min_poll_ms: 1_000.0,
            max_poll_ms: 15_000.0,
        }
    }
}

impl WaitOptions {
    /// Checks that each time is a positive number a timer can take, and that min <= max.
    pub fn validate(&self) -> Result<(), Error> {
        for (field, value) in [
            ("timeoutMs", self.timeout_ms),
            ("minPollMs", self.min_poll_ms),
            ("maxPollMs", self.max_poll_ms),
        ] {
            if !(value.is_finite() && value > 0.0 && value <= MAX_TIMER_MS) {
                return Err(Error::validation(
                    field,
                    "must be a number of milliseconds above 0 and at most 2147483647",
                ));
            }
        }
        if self.min_poll_ms > self.max_poll_ms {
            return Err(Error::validation(
                "minPollMs",
                "must not be greater than maxPollMs",
            ));
        }
        Ok(())
    }
}

/// What to wait for.
#[derive(Clone, Debug)]
pub enum WaitTarget {
    /// The per-server results of a server operation.
    Batch(Vec<ServerOperation>),
    /// A status link, as Archive Group returns it.
    Link(StatusLink),
    /// A job ID.
    Job(StatusId),
}

/// What the caller should do next.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Ask Get Status for each of these jobs now (each once), then report with `on_status` / `on_error`.
    Poll(Vec<StatusId>),
    /// Sleep this many milliseconds, then call `next` again.
    Sleep(f64),
    /// Every job is over, or the deadline has passed: the outcome per server and per job.
    Done(WaitResult),
    /// A status read failed in a way a retry cannot mend (401, 403, 404, a bad body): stop with it.
    Fail(Error),
}

/// How a server's (or a job's) wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// The job succeeded.
    Succeeded,
    /// The job failed.
    Failed,
    /// The operation was not queued for the server; its `errorMessage` says why.
    NotQueued,
    /// The job was still running at the deadline.
    TimedOut,
    /// Queued, but the answer had no usable status link, so the job could not be followed. Not called
    /// failed on purpose: a caller who retried a "failed" archive or reset could run it twice.
    Unknown,
}

impl Outcome {
    /// The name JS sees (`outcome` in the wait result).
    ///
    /// ```
    /// use clc_wasm::wait::Outcome;
    /// assert_eq!(Outcome::NotQueued.as_str(), "notQueued");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::NotQueued => "notQueued",
            Outcome::TimedOut => "timedOut",
            Outcome::Unknown => "unknown",
        }
    }
}

/// The outcome for one server of a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerOutcome {
    /// The server, as the service named it.
    pub server: String,
    /// How it ended.
    pub outcome: Outcome,
    /// The job that carried it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// The service's message for a server that was not queued, or why it could not be followed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// The outcome of one job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobOutcome {
    /// The job ID.
    pub id: String,
    /// `Succeeded`, `Failed` or `TimedOut`.
    pub outcome: Outcome,
    /// The last status seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<JobStatus>,
    /// How many status requests were sent for it.
    pub polls: u32,
    /// The last transient error while polling it, if the last poll failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// The result of a wait.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WaitResult {
    /// Whether everything succeeded.
    pub ok: bool,
    /// One entry per server of a batch (empty for a link or an ID).
    pub servers: Vec<ServerOutcome>,
    /// One entry per distinct job.
    pub jobs: Vec<JobOutcome>,
}

/// Where a wait stands, after each round. Counts are per server for a batch, per job otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitProgress {
    /// Rounds of polls sent so far.
    pub round: u32,
    /// Servers (or jobs) in all.
    pub total: usize,
    /// Done and succeeded.
    pub succeeded: usize,
    /// Done and failed.
    pub failed: usize,
    /// Not queued.
    pub not_queued: usize,
    /// Queued but not followable (see [`Outcome::Unknown`]).
    pub unknown: usize,
    /// Still running.
    pub pending: usize,
    /// Each job's last status.
    pub jobs: Vec<JobProgress>,
}

/// A job's state within [`WaitProgress`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobProgress {
    /// The job ID.
    pub id: String,
    /// The last status seen, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<JobStatus>,
    /// Status requests sent.
    pub polls: u32,
}

#[derive(Debug)]
struct Job {
    id: StatusId,
    status: Option<JobStatus>,
    polls: u32,
    last_error: Option<String>,
}

impl Job {
    fn is_final(&self) -> bool {
        self.status.as_ref().is_some_and(JobStatus::is_final)
    }

    fn outcome(&self) -> Outcome {
        match self.status {
            Some(JobStatus::Succeeded) => Outcome::Succeeded,
            Some(JobStatus::Failed) => Outcome::Failed,
            _ => Outcome::TimedOut,
        }
    }
}

#[derive(Debug)]
enum Tracked {
    /// Index into `jobs`.
    Queued {
        server: String,
        job: usize,
    },
    NotQueued {
        server: String,
        message: Option<String>,
    },
    Unfollowable {
        server: String,
    },
}

const UNFOLLOWABLE: &str =
    "The operation was queued, but the answer had no valid status link, so its job cannot be followed.";

/// The state of one wait. See the module docs for the loop that drives it.
#[derive(Debug)]
pub struct Waiter {
    jobs: Vec<Job>,
    servers: Vec<Tracked>,
    min_poll_ms: f64,
    max_poll_ms: f64,
    deadline: f64,
    next_poll_at: f64,
    round: u32,
    /// Set once the poll at the deadline has been sent: after its replies the wait ends.
    last_round_sent: bool,
    fatal: Option<Error>,
}

impl Waiter {
    /// Starts a wait at `now_ms`. Refuses bad options, and a status link with no job ID in it.
    pub fn new(target: WaitTarget, options: WaitOptions, now_ms: f64) -> Result<Waiter, Error> {
        options.validate()?;
        let mut jobs: Vec<Job> = Vec::new();
        let mut servers = Vec::new();
        let job_index =
            |id: StatusId, jobs: &mut Vec<Job>| match jobs.iter().position(|job| job.id == id) {
                Some(index) => index,
                None => {
                    jobs.push(Job {
                        id,
                        status: None,
                        polls: 0,
                        last_error: None,
                    });
                    jobs.len() - 1
                }
            };
        match target {
            WaitTarget::Job(id) => {
                job_index(id, &mut jobs);
            }
            WaitTarget::Link(link) => {
                let id = link
                    .status_id()
                    .ok_or_else(|| Error::validation("target", "the status link has no job ID"))?;
                let id = StatusId::parse(id)?;
                job_index(id, &mut jobs);
            }
            WaitTarget::Batch(operations) => {
                for op in operations {
                    let tracked = if !op.is_queued {
                        Tracked::NotQueued {
                            server: op.server,
                            message: op.error_message,
                        }
                    } else {
                        match op.status_id().map(StatusId::parse) {
                            Some(Ok(id)) => Tracked::Queued {
                                job: job_index(id, &mut jobs),
                                server: op.server,
                            },
                            _ => Tracked::Unfollowable { server: op.server },
                        }
                    };
                    servers.push(tracked);
                }
            }
        }
        Ok(Waiter {
            jobs,
            servers,
            min_poll_ms: options.min_poll_ms,
            max_poll_ms: options.max_poll_ms,
            deadline: now_ms + options.timeout_ms,
            // A fresh job is nearly always still running: asking at once would waste a request.
            next_poll_at: now_ms + options.min_poll_ms.min(options.timeout_ms),
            round: 0,
            last_round_sent: false,
            fatal: None,
        })
    }

    /// What to do at `now_ms`; `random` is a number in [0, 1) for the jitter.
    pub fn next(&mut self, now_ms: f64, random: f64) -> Step {
        if let Some(error) = &self.fatal {
            return Step::Fail(error.clone());
        }
        if self.jobs.iter().all(Job::is_final) || self.last_round_sent {
            return Step::Done(self.result());
        }
        if now_ms < self.next_poll_at {
            return Step::Sleep(self.next_poll_at - now_ms);
        }
        self.round = self.round.saturating_add(1);
        if now_ms >= self.deadline {
            self.last_round_sent = true;
        } else {
            self.next_poll_at = (now_ms + self.delay(random)).min(self.deadline);
        }
        let due: Vec<StatusId> = self
            .jobs
            .iter_mut()
            .filter(|job| !job.is_final())
            .map(|job| {
                job.polls = job.polls.saturating_add(1);
                job.id.clone()
            })
            .collect();
        Step::Poll(due)
    }

    /// The pause after the current round: exponential from the minimum up to the maximum, with "equal
    /// jitter" (between half and all of it) so many waiting clients spread out, never below the minimum.
    fn delay(&self, random: f64) -> f64 {
        let factor = f64::from(1u32 << self.round.min(30));
        let base = (self.min_poll_ms * factor).min(self.max_poll_ms);
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.5
        };
        (base / 2.0 + random * base / 2.0).max(self.min_poll_ms)
    }

    fn job_mut(&mut self, id: &str) -> Option<&mut Job> {
        self.jobs.iter_mut().find(|job| job.id.as_str() == id)
    }

    /// Records a status reply for job `id`. Replies for unknown jobs are ignored.
    pub fn on_status(&mut self, id: &str, status: JobStatus, _now_ms: f64) {
        if let Some(job) = self.job_mut(id) {
            job.status = Some(status);
            job.last_error = None;
        }
    }

    /// Records a failed status read for job `id`: a transient error is kept and the job asked again next
    /// round; any other (401, 403, 404, a bad body) ends the wait with that error.
    pub fn on_error(&mut self, id: &str, error: Error, _now_ms: f64) {
        if error.is_transient() {
            if let Some(job) = self.job_mut(id) {
                job.last_error = Some(error.message);
            }
        } else if self.fatal.is_none() {
            self.fatal = Some(error);
        }
    }

    /// Where the wait stands.
    pub fn progress(&self) -> WaitProgress {
        let mut progress = WaitProgress {
            round: self.round,
            total: 0,
            succeeded: 0,
            failed: 0,
            not_queued: 0,
            unknown: 0,
            pending: 0,
            jobs: self
                .jobs
                .iter()
                .map(|job| JobProgress {
                    id: job.id.as_str().to_owned(),
                    status: job.status.clone(),
                    polls: job.polls,
                })
                .collect(),
        };
        let mut count = |job: Option<&Job>| match job.map(|job| (job, job.status.as_ref())) {
            Some((_, Some(JobStatus::Succeeded))) => progress.succeeded += 1,
            Some((_, Some(JobStatus::Failed))) => progress.failed += 1,
            Some(_) => progress.pending += 1,
            None => {}
        };
        if self.servers.is_empty() {
            self.jobs.iter().for_each(|job| count(Some(job)));
        } else {
            for tracked in &self.servers {
                match tracked {
                    Tracked::Queued { job, .. } => count(self.jobs.get(*job)),
                    Tracked::NotQueued { .. } => progress.not_queued += 1,
                    Tracked::Unfollowable { .. } => progress.unknown += 1,
                }
            }
        }
        progress.total = progress.succeeded
            + progress.failed
            + progress.pending
            + progress.not_queued
            + progress.unknown;
        progress
    }

    /// The outcome so far; jobs not final count as timed out.
    fn result(&self) -> WaitResult {
        let jobs: Vec<JobOutcome> = self
            .jobs
            .iter()
            .map(|job| JobOutcome {
                id: job.id.as_str().to_owned(),
                outcome: job.outcome(),
                status: job.status.clone(),
                polls: job.polls,
                last_error: job.last_error.clone(),
            })
            .collect();
        let servers: Vec<ServerOutcome> = self
            .servers
            .iter()
            .map(|tracked| match tracked {
                Tracked::Queued { server, job } => {
                    let job = self.jobs.get(*job);
                    ServerOutcome {
                        server: server.clone(),
                        outcome: job.map_or(Outcome::Unknown, Job::outcome),
                        job_id: job.map(|job| job.id.as_str().to_owned()),
                        error_message: None,
                    }
                }
                Tracked::NotQueued { server, message } => ServerOutcome {
                    server: server.clone(),
                    outcome: Outcome::NotQueued,
                    job_id: None,
                    error_message: message.clone(),
                },
                Tracked::Unfollowable { server } => ServerOutcome {
                    server: server.clone(),
                    outcome: Outcome::Unknown,
                    job_id: None,
                    error_message: Some(UNFOLLOWABLE.to_owned()),
                },
            })
            .collect();
        let ok = servers
            .iter()
            .map(|s| s.outcome)
            .chain(jobs.iter().map(|j| j.outcome))
            .all(|outcome| outcome == Outcome::Succeeded)
            && !(servers.is_empty() && jobs.is_empty());
        WaitResult { ok, servers, jobs }
    }
}
