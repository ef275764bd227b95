//! What a wait reports: its progress after each round, and its result. These are the shapes JS sees (camelCase).

use crate::prelude::*;

use crate::model::JobStatus;
use serde::Serialize;

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
    /// Still running when the wait stopped early: only in the partial result of a wait that failed (a status
    /// read was refused), for the servers and jobs whose end it did not see.
    Pending,
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
            Outcome::Pending => "pending",
        }
    }
}

/// The outcome for one server of a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerOutcome {
    /// The server, as the caller named it (the edge gives batch results back in the caller's spelling).
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
    /// `Succeeded`, `Failed`, `TimedOut`, or `Pending` in the partial result of a failed wait.
    pub outcome: Outcome,
    /// The last status seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<JobStatus>,
    /// How many status requests were sent for it (by every wait that followed it).
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

/// Where a wait stands. Counts are per server for a batch, per job otherwise, and always add up to `total`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitProgress {
    /// Rounds of reads sent for this wait so far.
    pub round: u32,
    /// Servers (or jobs) in all.
    pub total: usize,
    /// Done and succeeded.
    pub succeeded: usize,
    /// Done and failed.
    pub failed: usize,
    /// Not queued.
    pub not_queued: usize,
    /// Still running at the deadline (only in the last report of a wait that timed out).
    pub timed_out: usize,
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
