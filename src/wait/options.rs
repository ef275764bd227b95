//! What a wait follows, and how long and how often.

use crate::prelude::*;

use super::backoff::{Backoff, MAX_TIMER_MS};
use crate::model::{ServerOperation, StatusLink};
use crate::validate::StatusId;
use crate::Error;

/// How long to wait and how often to ask.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WaitOptions {
    /// Give up on jobs still running after this long.
    pub timeout_ms: f64,
    /// The first read comes after this long, and no two reads of a job are closer.
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
    ///
    /// ```
    /// use clc_wasm::wait::WaitOptions;
    /// let bad = WaitOptions { min_poll_ms: 9_000.0, max_poll_ms: 1_000.0, ..WaitOptions::default() };
    /// assert!(bad.validate().is_err());
    /// ```
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

    /// The read schedule these options ask for.
    pub fn backoff(&self) -> Backoff {
        Backoff {
            min_ms: self.min_poll_ms,
            max_ms: self.max_poll_ms,
        }
    }

    /// How long before the deadline the last read is sent: the minimum poll interval, or a quarter of the whole
    /// wait when that is shorter, so the last answer has time to come back before the wait ends.
    pub fn last_read_margin(&self) -> f64 {
        self.min_poll_ms.min(self.timeout_ms / 4.0)
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
