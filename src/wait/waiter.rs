//! One wait's own part: what it follows, its limits and its counters. The jobs themselves (status, reads) live
//! in the poller's table, shared by every wait that follows them; a wait holds their IDs.

use crate::prelude::*;

use crate::sorted::Map;

use super::backoff::Backoff;
use super::options::{WaitOptions, WaitTarget};
use super::report::{JobOutcome, JobProgress, Outcome, ServerOutcome, WaitProgress, WaitResult};
use crate::model::JobStatus;
use crate::validate::StatusId;
use crate::Error;

/// A job as the poller keeps it, once for all the waits that follow it.
#[derive(Debug)]
pub(super) struct Job {
    pub status: Option<JobStatus>,
    pub polls: u32,
    pub last_error: Option<String>,
    /// The waits that follow it: few (usually one), so a list.
    pub followers: Vec<super::WaitId>,
    pub in_flight: bool,
    /// When to read it next. It is in the poller's timer table exactly when this is set and no read is in flight;
    /// `None` once no follower wants another read before its deadline.
    pub next_at: Option<f64>,
}

impl Job {
    /// `Succeeded` or `Failed` once the job is over.
    fn end(job: Option<&Job>) -> Option<Outcome> {
        match job.and_then(|job| job.status.as_ref()) {
            Some(JobStatus::Succeeded) => Some(Outcome::Succeeded),
            Some(JobStatus::Failed) => Some(Outcome::Failed),
            _ => None,
        }
    }
}

#[derive(Debug)]
enum Tracked {
    /// Index into the wait's `jobs`.
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

/// One wait inside the poller.
#[derive(Debug)]
pub(super) struct Waiter {
    /// One entry per server of a batch; empty for a link or a job ID.
    servers: Vec<Tracked>,
    /// The distinct jobs, in the order first seen.
    pub jobs: Vec<StatusId>,
    pub backoff: Backoff,
    pub deadline: f64,
    /// No read is scheduled for this wait after this time (see [`WaitOptions::last_read_margin`]).
    pub last_read_at: f64,
    /// The first read of a job this wait brings comes no later than this.
    pub first_read_at: f64,
    pub round: u32,
    /// Jobs not over yet: at 0 the wait is done.
    pub open: usize,
    /// Its jobs with a read in flight: at 0 a round's replies are all in.
    pub in_flight: usize,
}

impl Waiter {
    /// Refuses bad options, and a status link with no job ID in it.
    pub(super) fn new(
        target: WaitTarget,
        options: WaitOptions,
        now_ms: f64,
    ) -> Result<Waiter, Error> {
        options.validate()?;
        let mut jobs = Vec::new();
        let mut index: Map<StatusId, usize> = Map::new();
        let mut job_index = |id: StatusId| {
            *index.entry(id).or_insert_with_key(|id| {
                jobs.push(id.clone());
                jobs.len() - 1
            })
        };
        let mut servers = Vec::new();
        match target {
            WaitTarget::Job(id) => {
                job_index(id);
            }
            WaitTarget::Link(link) => {
                let id = link
                    .status_id()
                    .ok_or_else(|| Error::validation("target", "the status link has no job ID"))?;
                job_index(StatusId::parse(id)?);
            }
            WaitTarget::Batch(operations) => {
                for op in operations {
                    servers.push(if !op.is_queued {
                        Tracked::NotQueued {
                            server: op.server,
                            message: op.error_message,
                        }
                    } else {
                        match op.status_id().map(StatusId::parse) {
                            Some(Ok(id)) => Tracked::Queued {
                                job: job_index(id),
                                server: op.server,
                            },
                            _ => Tracked::Unfollowable { server: op.server },
                        }
                    });
                }
            }
        }
        let deadline = now_ms + options.timeout_ms;
        let last_read_at = deadline - options.last_read_margin();
        Ok(Waiter {
            servers,
            jobs,
            backoff: options.backoff(),
            deadline,
            last_read_at,
            // A fresh job is nearly always still running: asking at once would waste a request.
            first_read_at: (now_ms + options.min_poll_ms).min(last_read_at),
            round: 0,
            open: 0,
            in_flight: 0,
        })
    }

    /// Each job's end (`None`: still running), in the order of `self.jobs`: one table lookup per job.
    fn ends(&self, table: &Map<StatusId, Job>) -> Vec<Option<Outcome>> {
        self.jobs.iter().map(|id| Job::end(table.get(id))).collect()
    }

    /// Where the wait stands; jobs still running count as `unfinished` (`Pending`, or `TimedOut` at the deadline).
    pub(super) fn progress(&self, table: &Map<StatusId, Job>, unfinished: Outcome) -> WaitProgress {
        let ends = self.ends(table);
        let mut p = WaitProgress {
            round: self.round,
            total: if self.servers.is_empty() {
                self.jobs.len()
            } else {
                self.servers.len()
            },
            succeeded: 0,
            failed: 0,
            not_queued: 0,
            timed_out: 0,
            unknown: 0,
            pending: 0,
            jobs: self
                .jobs
                .iter()
                .map(|id| {
                    let job = table.get(id);
                    JobProgress {
                        id: id.as_str().to_owned(),
                        status: job.and_then(|job| job.status.clone()),
                        polls: job.map_or(0, |job| job.polls),
                    }
                })
                .collect(),
        };
        let mut count = |outcome: Outcome| match outcome {
            Outcome::Succeeded => p.succeeded += 1,
            Outcome::Failed => p.failed += 1,
            Outcome::NotQueued => p.not_queued += 1,
            Outcome::TimedOut => p.timed_out += 1,
            Outcome::Unknown => p.unknown += 1,
            Outcome::Pending => p.pending += 1,
        };
        let of_job = |job: usize| ends.get(job).copied().flatten().unwrap_or(unfinished);
        if self.servers.is_empty() {
            (0..self.jobs.len()).for_each(|job| count(of_job(job)));
        } else {
            for tracked in &self.servers {
                count(match tracked {
                    Tracked::Queued { job, .. } => of_job(*job),
                    Tracked::NotQueued { .. } => Outcome::NotQueued,
                    Tracked::Unfollowable { .. } => Outcome::Unknown,
                });
            }
        }
        p
    }

    /// The outcome so far; jobs still running count as `unfinished`.
    pub(super) fn result(&self, table: &Map<StatusId, Job>, unfinished: Outcome) -> WaitResult {
        let ends = self.ends(table);
        let of_job = |job: usize| ends.get(job).copied().flatten().unwrap_or(unfinished);
        let jobs: Vec<JobOutcome> = self
            .jobs
            .iter()
            .enumerate()
            .map(|(index, id)| {
                let job = table.get(id);
                JobOutcome {
                    id: id.as_str().to_owned(),
                    outcome: of_job(index),
                    status: job.and_then(|job| job.status.clone()),
                    polls: job.map_or(0, |job| job.polls),
                    last_error: job.and_then(|job| job.last_error.clone()),
                }
            })
            .collect();
        let servers: Vec<ServerOutcome> = self
            .servers
            .iter()
            .map(|tracked| match tracked {
                Tracked::Queued { server, job } => ServerOutcome {
                    server: server.clone(),
                    outcome: of_job(*job),
                    job_id: self.jobs.get(*job).map(|id| id.as_str().to_owned()),
                    error_message: None,
                },
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
