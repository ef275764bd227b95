//! The delay schedule between two reads of a job, and the one limit every JS timer has.

/// The longest delay a JS timer can take (2^31 - 1 ms): a longer one fires at once. Options are checked
/// against it here, and the edge clamps its timers to it.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// Exponential backoff from `min_ms` up to `max_ms`, with "equal jitter" (between half and all of the step) so
/// that many waiting clients spread out, and never below `min_ms`.
///
/// ```
/// use clc_wasm::wait::Backoff;
/// let backoff = Backoff { min_ms: 1_000.0, max_ms: 8_000.0 };
/// assert_eq!(backoff.delay(1, 1.0), 2_000.0); // after the first read: up to twice the minimum
/// assert_eq!(backoff.delay(1, 0.0), 1_000.0); // half of it, never below the minimum
/// assert_eq!(backoff.delay(9, 1.0), 8_000.0); // capped
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    /// No two reads of a job are closer than this.
    pub min_ms: f64,
    /// The step stops growing here.
    pub max_ms: f64,
}

impl Backoff {
    /// The pause after the `reads`-th read of a job (1 for the first); `random` is a number in [0, 1):
    /// anything else (NaN, out of range) counts as the middle or the nearest end.
    pub fn delay(&self, reads: u32, random: f64) -> f64 {
        let factor = f64::from(1u32 << reads.min(30));
        let step = (self.min_ms * factor).min(self.max_ms);
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.5
        };
        (step / 2.0 + random * step / 2.0).max(self.min_ms)
    }

    /// The more eager of two schedules (the smaller minimum and the smaller maximum): a job followed by several
    /// waits is read as often as the most eager of them asks. Both minimums are at most their maximums, so the
    /// result is a valid schedule too.
    pub fn eager(self, other: Backoff) -> Backoff {
        Backoff {
            min_ms: self.min_ms.min(other.min_ms),
            max_ms: self.max_ms.min(other.max_ms),
        }
    }
}
