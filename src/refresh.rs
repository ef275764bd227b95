//! Single-flight token refresh: of all the requests that get a 401 with the same token, only the first asks
//! for a new one; the others wait for it, and a request sent with an older token than the current one is simply
//! resent.
//!
//! Each token has a generation, counted from 0. The edge notes the generation a request was sent with, and on a
//! 401 asks [`Refresh::on_unauthorized`] what to do:
//!
//! ```
//! use clc_wasm::refresh::{OnUnauthorized, Refresh};
//! let mut refresh = Refresh::new();
//! let sent_with = refresh.generation();
//! assert_eq!(refresh.on_unauthorized(sent_with, false, true), OnUnauthorized::Refresh);
//! assert_eq!(refresh.on_unauthorized(sent_with, false, true), OnUnauthorized::Join);
//! let now = refresh.on_refreshed();
//! assert_eq!(refresh.on_unauthorized(sent_with, false, true), OnUnauthorized::Resend);
//! assert_eq!(refresh.on_unauthorized(now, true, true), OnUnauthorized::Fail);
//! ```

/// What to do with a request that got a 401.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnUnauthorized {
    /// Get a new token (this request is the first to find the current one refused), then resend.
    Refresh,
    /// A refresh is under way: wait for it, then resend (or fail with it).
    Join,
    /// The token was already replaced since this request was sent: resend it with the current one.
    Resend,
    /// Give up: this is a resend's 401 already, or there is no way to get a new token.
    Fail,
}

/// The refresh state of one client.
#[derive(Clone, Debug, Default)]
pub struct Refresh {
    generation: u32,
    refreshing: bool,
}

impl Refresh {
    /// Generation 0, no refresh under way.
    pub fn new() -> Self {
        Refresh::default()
    }

    /// The generation of the current token: what a request sent now is sent with.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// Whether a refresh is under way.
    pub fn refreshing(&self) -> bool {
        self.refreshing
    }

    /// A request sent with the token of generation `sent_with` got a 401. `already_resent`: it was itself a
    /// resend after a 401 (one more try would loop). `can_refresh`: the client has a way to get a new token.
    pub fn on_unauthorized(
        &mut self,
        sent_with: u32,
        already_resent: bool,
        can_refresh: bool,
    ) -> OnUnauthorized {
        if already_resent {
            OnUnauthorized::Fail
        } else if sent_with < self.generation {
            OnUnauthorized::Resend
        } else if self.refreshing {
            OnUnauthorized::Join
        } else if !can_refresh {
            OnUnauthorized::Fail
        } else {
            self.refreshing = true;
            OnUnauthorized::Refresh
        }
    }

    /// The refresh gave a new token: its generation, which requests sent from now on carry. (It saturates
    /// rather than wraps: four billion refreshes would take longer than any session lives.)
    pub fn on_refreshed(&mut self) -> u32 {
        self.refreshing = false;
        self.generation = self.generation.saturating_add(1);
        self.generation
    }

    /// The refresh failed: the joined requests fail with it, and a later 401 may try again.
    pub fn on_refresh_failed(&mut self) {
        self.refreshing = false;
    }
}
