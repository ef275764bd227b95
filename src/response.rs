//! Decoding answers: from (HTTP status, body) to a checked value or an [`Error`], for every error form the
//! service and the proxies in front of it send.
//!
//! Bodies are read through the [`Json`] view: natively a `serde_json::Value`, in the wasm the tree of
//! [`crate::parsed`]. A success body is checked against the
//! operation's [`Shape`] and handed back as it is; serde's types read it from there (natively), or the JS edge
//! returns it as the result.
//!
//! ```
//! use clc_wasm::{response::{decode, Body}, shape, ErrorKind};
//! let ok = decode(200, Body::Json(serde_json::json!({"status": "executing"})), &shape::STATUS).unwrap();
//! assert_eq!(ok["status"], "executing");
//!
//! let html = "<html><title>502 Bad Gateway</title></html>";
//! let err = decode::<serde_json::Value>(502, Body::not_json(html), &shape::STATUS).unwrap_err();
//! assert_eq!((err.kind, err.status), (ErrorKind::Http, Some(502)));
//! ```

use crate::prelude::*;
use crate::text::{cat, decimal};

use crate::json::Json;
use crate::shape::{self, Shape};
use crate::{Error, ErrorKind, FieldError};

/// Longest message kept from a server, in characters.
const MAX_MESSAGE: usize = 500;
/// Longest excerpt kept from a body that is not JSON.
const MAX_EXCERPT: usize = 120;

/// An answer's body, as the edge found it.
#[derive(Debug)]
pub enum Body<J> {
    /// No bytes at all.
    Empty,
    /// Parsed JSON.
    Json(J),
    /// Not JSON (an HTML page, truncated JSON): a short, cleaned excerpt of it.
    NotJson(String),
    /// JSON nested deeper than [`shape::MAX_DEPTH`], which nothing here reads.
    TooDeep,
}

impl<J> Body<J> {
    /// The body of a text that did not parse as JSON: keeps an HTML page's `<title>`, or else the first
    /// words of the text with tags and control characters removed.
    pub fn not_json(text: &str) -> Self {
        Body::NotJson(excerpt(text))
    }
}

fn excerpt(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let source = match (find(&lower, "<title>"), find(&lower, "</title>")) {
        (Some(start), Some(end)) if start + 7 <= end => text.get(start + 7..end).unwrap_or(text),
        _ => text,
    };
    let mut plain = String::new();
    let mut in_tag = false;
    for c in source.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                plain.push(' ');
            }
            _ if in_tag => {}
            c if c.is_whitespace() || c.is_control() => plain.push(' '),
            c => plain.push(c),
        }
    }
    let mut words = String::new();
    for word in plain.split_whitespace() {
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(word);
    }
    truncate(&words, MAX_EXCERPT)
}

/// The byte offset of the first `needle` in `haystack`. Bodies and messages here are short, so a plain scan does;
/// `str::find` would bring a two-way searcher of about 2 KB into the wasm.
pub(crate) fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())
}

fn truncate(text: &str, max_chars: usize) -> String {
    let mut out: String = text.chars().take(max_chars).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// Decodes an answer: a 2xx body is checked against `shape` (see [`shape::check`]) and returned; any other
/// status becomes an [`Error`] whose kind follows the status. Never panics, whatever the status and body.
pub fn decode<J: Json>(status: u16, body: Body<J>, shape: &Shape) -> Result<J, Error> {
    if !(200..300).contains(&status) {
        return Err(http_error(status, body));
    }
    let value = match body {
        Body::Json(value) => value,
        Body::Empty => return Err(decode_error(status, "the answer has an empty body")),
        Body::NotJson(_) => return Err(decode_error(status, "the answer is not valid JSON")),
        Body::TooDeep => {
            return Err(decode_error(
                status,
                "the answer is not what this operation returns: nests too deeply",
            ))
        }
    };
    match shape::check(&value, shape) {
        Ok(()) => Ok(value),
        Err(why) => Err(decode_error(
            status,
            &cat(&["the answer is not what this operation returns: ", &why]),
        )),
    }
}

/// The message of a refused login (400 or 401), whatever the server said.
pub const LOGIN_REFUSED: &str = "login refused: these credentials were not recognized";

/// Decodes the answer to a login: a 2xx as [`decode`] with [`shape::LOGIN`] does, but an error never carries the
/// server's text, which could echo the password. A 400 or 401 is [`ErrorKind::Unauthorized`] with the message
/// [`LOGIN_REFUSED`] (it avoids the word "password", which could itself be the password); any other status has its
/// usual kind and the message `login failed: HTTP <code> <reason>`, without details.
///
/// ```
/// use clc_wasm::response::{decode_login, Body, LOGIN_REFUSED};
/// use clc_wasm::ErrorKind;
/// let body = serde_json::json!({"message": "bad password hunter22 for user demo"});
/// let err = decode_login(400, Body::Json(body)).unwrap_err();
/// assert_eq!((err.kind, err.status, err.message.as_str()), (ErrorKind::Unauthorized, Some(400), LOGIN_REFUSED));
/// let err = decode_login::<serde_json::Value>(502, Body::not_json("<title>hunter22</title>")).unwrap_err();
/// assert_eq!(err.message, "login failed: HTTP 502 Bad Gateway");
/// ```
pub fn decode_login<J: Json>(status: u16, body: Body<J>) -> Result<J, Error> {
    if (200..300).contains(&status) {
        return decode(status, body, &shape::LOGIN);
    }
    let (kind, message) = match status {
        400 | 401 => (ErrorKind::Unauthorized, String::from(LOGIN_REFUSED)),
        _ => {
            let kind = match status {
                403 => ErrorKind::Forbidden,
                404 => ErrorKind::NotFound,
                _ => ErrorKind::Http,
            };
            let code = decimal(u64::from(status));
            let message = match reason_phrase(status) {
                Some(reason) => cat(&["login failed: HTTP ", &code, " ", reason]),
                None => cat(&["login failed: HTTP ", &code]),
            };
            (kind, message)
        }
    };
    let mut error = Error::new(kind, message);
    error.status = Some(status);
    Err(error)
}

fn decode_error(status: u16, message: &str) -> Error {
    let mut error = Error::decode(message);
    error.status = Some(status);
    error
}

/// The kind of error an answer with `status` becomes; `None` for a success (2xx).
///
/// ```
/// use clc_wasm::{response::status_kind, ErrorKind};
/// assert_eq!(status_kind(404), Some(ErrorKind::NotFound));
/// assert_eq!(status_kind(200), None);
/// ```
pub fn status_kind(status: u16) -> Option<ErrorKind> {
    Some(match status {
        200..=299 => return None,
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        _ => ErrorKind::Http,
    })
}

/// The error for a non-2xx answer, with the server's message where it sent one.
fn http_error<J: Json>(status: u16, body: Body<J>) -> Error {
    let kind = status_kind(status).unwrap_or(ErrorKind::Http);
    let code = decimal(u64::from(status));
    let fallback = match reason_phrase(status) {
        Some(reason) => cat(&["HTTP ", &code, " ", reason]),
        None => cat(&["HTTP ", &code]),
    };
    let (message, details) = match body {
        Body::Json(value) => {
            let parsed = ErrorBody::read(&value);
            (parsed.message(), parsed.details)
        }
        // A proxy's page usually titles itself with the status ("502 Bad Gateway"): say it once.
        Body::NotJson(text)
            if text
                .strip_prefix(code.as_str())
                .is_some_and(|rest| rest.starts_with(' ')) =>
        {
            (Some(cat(&["HTTP ", &text])), Vec::new())
        }
        Body::NotJson(text) if !text.is_empty() => {
            (Some(cat(&[&fallback, ": ", &text])), Vec::new())
        }
        Body::NotJson(_) | Body::Empty | Body::TooDeep => (None, Vec::new()),
    };
    let mut error = Error::new(kind, truncate(&message.unwrap_or(fallback), MAX_MESSAGE));
    error.status = Some(status);
    error.details = details;
    error
}

fn reason_phrase(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

/// Every error body form, read leniently: `{"message"}`, ASP.NET `modelState` and exception forms,
/// `{"error"}`, an array of messages, or a bare string. Anything else leaves it empty.
#[derive(Default)]
struct ErrorBody {
    message: Vec<String>,
    exception: Vec<String>,
    error: Vec<String>,
    list: Vec<String>,
    details: Vec<FieldError>,
}

impl ErrorBody {
    fn read<J: Json>(body: &J) -> ErrorBody {
        let mut read = ErrorBody::default();
        if !body.is_object() {
            strings(body, &mut read.list, 0);
            return read;
        }
        // ASP.NET writes these in PascalCase when so configured.
        let field = |name: &'static str, pascal: &'static str| {
            body.field(name).or_else(|| body.field(pascal))
        };
        if let Some(value) = field("message", "Message") {
            strings(&value, &mut read.message, 0);
        }
        if let Some(value) = field("exceptionMessage", "ExceptionMessage") {
            strings(&value, &mut read.exception, 0);
        }
        if let Some(value) = field("error", "Error") {
            strings(&value, &mut read.error, 0);
        }
        if let Some(state) = field("modelState", "ModelState") {
            for (key, value) in state.entries().unwrap_or_default() {
                let mut messages = Vec::new();
                strings(&value, &mut messages, 0);
                let name = truncate(&key, MAX_EXCERPT);
                read.details
                    .extend(messages.into_iter().map(|message| FieldError {
                        field: name.clone(),
                        message,
                    }));
            }
        }
        read
    }

    fn message(&self) -> Option<String> {
        let head = [&self.message, &self.error, &self.list]
            .into_iter()
            .find(|texts| !texts.is_empty())
            .map(|texts| joined(texts));
        let exception = (!self.exception.is_empty()).then(|| joined(&self.exception));
        let mut message = match (head, exception) {
            (Some(head), Some(exception)) => cat(&[&head, " (", &exception, ")"]),
            (head, exception) => head.or(exception)?,
        };
        if let Some(first) = self.details.first() {
            message = cat(&[&message, " ", &first.field, ": ", &first.message]);
        }
        Some(message)
    }
}

/// The messages joined with "; ".
fn joined(texts: &[String]) -> String {
    let mut out = String::new();
    for text in texts {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(text);
    }
    out
}

/// Collects the non-empty strings of `value`: the string itself, or those of an array (nested arrays
/// included, down to [`shape::MAX_DEPTH`]). Objects and other values give none.
fn strings<J: Json>(value: &J, out: &mut Vec<String>, depth: usize) {
    if let Some(text) = value.text() {
        if !text.is_empty() {
            out.push(truncate(&text, MAX_MESSAGE));
        }
    } else if depth < shape::MAX_DEPTH {
        for item in value.items().unwrap_or_default() {
            strings(&item, out, depth + 1);
        }
    }
}
