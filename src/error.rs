//! The one error type of the SDK.
//!
//! Every failure, from a refused input to an HTML page from a proxy, becomes an [`Error`] with a [`ErrorKind`],
//! the HTTP status where there is one, the server's message, per-field details, and the request's method and URL.
//! It never holds a token or a password: URLs carry neither, and bodies are never copied into it.

use crate::prelude::*;
use crate::text::{cat, decimal};

use crate::request::{ApiRequest, Method};
use core::fmt;

/// What went wrong, as a caller would branch on it.
///
/// ```
/// use clc_wasm::ErrorKind;
/// assert_eq!(ErrorKind::NotFound.as_str(), "notFound");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// An input was refused before any request was sent.
    Validation,
    /// The server answered with an error status not covered by a more precise kind.
    Http,
    /// 401: no token, a bad token or an expired one.
    Unauthorized,
    /// 403: the user may not do this (e.g. another account's alias).
    Forbidden,
    /// 404: no such group, server or job.
    NotFound,
    /// The request did not get an answer (connection refused, dropped, CORS).
    Network,
    /// The call's time limit ran out.
    Timeout,
    /// The caller aborted the call.
    Aborted,
    /// A success status came with a body that is not what the operation returns.
    Decode,
}

impl ErrorKind {
    /// The camelCase name used in JS (`err.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Http => "http",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "notFound",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Aborted => "aborted",
            ErrorKind::Decode => "decode",
        }
    }
}

/// One field's problem: an input refused by validation, or an entry of an ASP.NET `modelState`.
///
/// ```
/// use clc_wasm::FieldError;
/// let detail = FieldError { field: "groupId".into(), message: "must be 32 hex digits".into() };
/// assert_eq!(detail.field, "groupId");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field, as the caller named it (`serverIds[2]`) or as the server did (`body.snapshotExpirationDays`).
    pub field: String,
    /// Why it was refused.
    pub message: String,
}

/// The SDK's error: its [`ErrorData`] behind one pointer, so that every `Result` the SDK passes around stays
/// a word or two wide. Held inline, its six fields made every `Result<_, Error>` about 48 bytes, copied at each `?`
/// and kept in each future's state: boxed, the wasm is 7,959 B smaller (2.5 KB gzip). Its fields are read and
/// written through `Deref`.
///
/// ```
/// use clc_wasm::{Error, ErrorKind};
/// let err = Error::validation("groupId", "must be 32 hexadecimal digits");
/// assert_eq!(err.kind, ErrorKind::Validation);
/// assert_eq!(err.to_string(), "groupId: must be 32 hexadecimal digits");
/// ```
#[derive(Clone, PartialEq)]
pub struct Error(Box<ErrorData>);

/// The fields of an [`Error`].
///
/// ```
/// use clc_wasm::{Error, ErrorData, ErrorKind};
/// let data: &ErrorData = &Error::network("refused");
/// assert_eq!(data.kind, ErrorKind::Network);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorData {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// A readable message: the server's own where it sent one.
    pub message: String,
    /// Per-field details (validation, ASP.NET `modelState`).
    pub details: Vec<FieldError>,
    /// The method of the request that failed.
    pub method: Option<Method>,
    /// The URL of the request that failed (URLs never carry secrets here).
    pub url: Option<String>,
}

impl core::ops::Deref for Error {
    type Target = ErrorData;
    fn deref(&self) -> &ErrorData {
        &self.0
    }
}

impl core::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorData {
        &mut self.0
    }
}

/// As [`ErrorData`]'s, named `Error`.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ErrorData {
            kind,
            status,
            message,
            details,
            method,
            url,
        } = &*self.0;
        f.debug_struct("Error")
            .field("kind", kind)
            .field("status", status)
            .field("message", message)
            .field("details", details)
            .field("method", method)
            .field("url", url)
            .finish()
    }
}

impl Error {
    /// Its fields, to take them apart.
    ///
    /// ```
    /// use clc_wasm::Error;
    /// let message = Error::network("refused").into_data().message;
    /// assert_eq!(message, "refused");
    /// ```
    pub fn into_data(self) -> ErrorData {
        *self.0
    }

    /// An error of `kind` with `message` and nothing else.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new(ErrorData {
            kind,
            status: None,
            message: message.into(),
            details: Vec::new(),
            method: None,
            url: None,
        }))
    }

    /// An input refused before any request: the message is `"<field>: <why>"`, and `details` names the field.
    pub fn validation(field: &str, why: impl Into<String>) -> Self {
        let why = why.into();
        let mut err = Error::new(ErrorKind::Validation, cat(&[field, ": ", &why]));
        err.details.push(FieldError {
            field: field.to_owned(),
            message: why,
        });
        err
    }

    /// The request got no answer.
    pub fn network(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Network, message)
    }

    /// The call's time limit of `after_ms` milliseconds ran out. The message shows whole milliseconds: printing
    /// a float would link Rust's float formatter into the wasm, for nothing a reader needs.
    ///
    /// ```
    /// use clc_wasm::Error;
    /// assert_eq!(Error::timeout(250.4).message, "timed out after 250 ms");
    /// ```
    pub fn timeout(after_ms: f64) -> Self {
        // Rounds half up (`f64::round` is std-only); negative and NaN become 0, as `as` saturates.
        let ms = (after_ms + 0.5) as u64;
        Error::new(
            ErrorKind::Timeout,
            cat(&["timed out after ", &decimal(ms), " ms"]),
        )
    }

    /// The caller aborted the call.
    pub fn aborted() -> Self {
        Error::new(ErrorKind::Aborted, "the call was aborted")
    }

    /// A success answer whose body is not what the operation returns.
    pub fn decode(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Decode, message)
    }

    /// Records which request failed. URLs are built from validated, non-secret inputs only.
    pub fn with_request(mut self, request: &ApiRequest) -> Self {
        self.method = Some(request.method);
        self.url = Some(request.url.clone());
        self
    }

    /// Removes `secrets` (a token, an old token, a password) from the message and from each detail's field and
    /// message, by the rule of [`crate::redact`]: a last guard in case a server or proxy echoed one back in its
    /// error body. Empty secrets are ignored.
    ///
    /// ```
    /// use clc_wasm::Error;
    /// let err = Error::network("refused token 0123456789abcdef").without_secrets(&["0123456789abcdef", ""]);
    /// assert_eq!(err.message, "refused token <redacted>");
    /// ```
    pub fn without_secrets(mut self, secrets: &[&str]) -> Self {
        crate::redact::scrub(&mut self.message, secrets);
        for detail in &mut self.details {
            crate::redact::scrub(&mut detail.field, secrets);
            crate::redact::scrub(&mut detail.message, secrets);
        }
        self
    }

    /// Whether retrying a *read* could help: no answer, or 408, 429 or a 5xx.
    /// POSTs are never retried whatever this says: a retry could archive or reset twice.
    pub fn is_transient(&self) -> bool {
        match self.kind {
            ErrorKind::Network => true,
            ErrorKind::Http => matches!(self.status, Some(408 | 429 | 500..=599)),
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for Error {}
