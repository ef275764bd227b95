//! Decoding answers: from (HTTP status, body) to a typed value or an [`Error`], for every error form the
//! service and the proxies in front of it send.
//!
//! Decoding is generic over serde's [`Deserializer`], so the wasm edge feeds the value of JS `JSON.parse`
//! (through serde-wasm-bindgen) and native tests feed `serde_json`: the wasm build carries no JSON parser.
//!
//! ```
//! use clc_wasm::{model::StatusResponse, response::{decode, Body}, ErrorKind};
//! let ok: StatusResponse = decode(200, Body::Json(serde_json::json!({"status": "executing"}))).unwrap();
//! assert_eq!(ok.status.as_str(), "executing");
//!
//! let html = "<html><title>502 Bad Gateway</title></html>";
//! let err = decode::<StatusResponse, serde_json::Value>(502, Body::not_json(html)).unwrap_err();
//! assert_eq!((err.kind, err.status), (ErrorKind::Http, Some(502)));
//! ```

use crate::{Error, ErrorKind, FieldError};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Longest message kept from a server, in characters.
const MAX_MESSAGE: usize = 500;
/// Longest excerpt kept from a body that is not JSON.
const MAX_EXCERPT: usize = 120;

/// An answer's body, as the edge found it.
#[derive(Debug)]
pub enum Body<D> {
    /// No bytes at all.
    Empty,
    /// Parsed JSON, ready to deserialize.
    Json(D),
    /// Not JSON (an HTML page, truncated JSON): a short, cleaned excerpt of it.
    NotJson(String),
}

impl<D> Body<D> {
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
    let words: Vec<&str> = plain.split_whitespace().collect();
    truncate(&words.join(" "), MAX_EXCERPT)
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

/// Replaces the contents of every double-quoted part of a serde message, which may be a value from the body
/// (a login answer holds the token), keeping the message's shape: `invalid type: string "…", expected …`.
fn without_quoted_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        if c == '"' {
            if quoted {
                out.push('…');
            }
            quoted = !quoted;
            out.push(c);
        } else if !quoted {
            out.push(c);
        }
    }
    truncate(&out, MAX_MESSAGE)
}

/// Decodes an answer: a 2xx body into `T`, any other status into an [`Error`] whose kind follows the status.
/// Never panics, whatever the status and body.
pub fn decode<'de, T, D>(status: u16, body: Body<D>) -> Result<T, Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    // Only this line depends on `T`: the rest is shared by every answer type (one copy in the wasm).
    T::deserialize(success_body(status, body)?).map_err(|err| {
        decode_error(
            status,
            &format!(
                "the answer is not what this operation returns: {}",
                without_quoted_values(&err.to_string())
            ),
        )
    })
}

/// The JSON body of a success answer, or the error the answer stands for.
fn success_body<'de, D: Deserializer<'de>>(status: u16, body: Body<D>) -> Result<D, Error> {
    if !(200..300).contains(&status) {
        return Err(http_error(status, body));
    }
    match body {
        Body::Json(value) => Ok(value),
        Body::Empty => Err(decode_error(status, "the answer has an empty body")),
        Body::NotJson(_) => Err(decode_error(status, "the answer is not valid JSON")),
    }
}

fn decode_error(status: u16, message: &str) -> Error {
    let mut error = Error::decode(message);
    error.status = Some(status);
    error
}

/// The error for a non-2xx answer, with the server's message where it sent one.
fn http_error<'de, D: Deserializer<'de>>(status: u16, body: Body<D>) -> Error {
    let kind = match status {
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        _ => ErrorKind::Http,
    };
    let fallback = match reason_phrase(status) {
        Some(reason) => format!("HTTP {status} {reason}"),
        None => format!("HTTP {status}"),
    };
    let (message, details) = match body {
        Body::Json(value) => match ErrorBody::deserialize(value) {
            Ok(parsed) => (parsed.message(), parsed.details),
            Err(_) => (None, Vec::new()),
        },
        Body::NotJson(text) if !text.is_empty() => {
            (Some(format!("{fallback}: {text}")), Vec::new())
        }
        Body::NotJson(_) | Body::Empty => (None, Vec::new()),
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
    fn message(&self) -> Option<String> {
        let head = [&self.message, &self.error, &self.list]
            .into_iter()
            .find(|texts| !texts.is_empty())
            .map(|texts| texts.join("; "));
        let exception = (!self.exception.is_empty()).then(|| self.exception.join("; "));
        let mut message = match (head, exception) {
            (Some(head), Some(exception)) => format!("{head} ({exception})"),
            (head, exception) => head.or(exception)?,
        };
        if let Some(first) = self.details.first() {
            message = format!("{message} {}: {}", first.field, first.message);
        }
        Some(message)
    }
}

/// Visitor methods that accept a scalar (number, boolean, null) and make `$empty` of it: the forms read here
/// carry text only, and any other value must be skipped rather than fail the whole body.
macro_rules! skip_scalars {
    ($value:ty, $empty:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_unit<E: de::Error>(self) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_none<E: de::Error>(self) -> Result<$value, E> {
            Ok($empty)
        }
    };
}

/// Any JSON value, reduced to the non-empty strings in it: a string, or the strings of an array
/// (nested arrays included). Objects and scalars give none.
struct Strings(Vec<String>);

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StringsVisitor)
    }
}

struct StringsVisitor;

impl<'de> Visitor<'de> for StringsVisitor {
    type Value = Strings;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Strings, E> {
        let text = truncate(text, MAX_MESSAGE);
        Ok(Strings(if text.is_empty() { vec![] } else { vec![text] }))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strings, A::Error> {
        let mut all = Vec::new();
        while let Some(Strings(texts)) = seq.next_element()? {
            all.extend(texts);
        }
        Ok(Strings(all))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strings, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Strings(Vec::new()))
    }

    skip_scalars!(Strings, Strings(Vec::new()));
}

impl<'de> Deserialize<'de> for ErrorBody {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ErrorBodyVisitor)
    }
}

struct ErrorBodyVisitor;

impl<'de> Visitor<'de> for ErrorBodyVisitor {
    type Value = ErrorBody;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an error body")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<ErrorBody, E> {
        let list = StringsVisitor.visit_str(text)?.0;
        Ok(ErrorBody {
            list,
            ..ErrorBody::default()
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ErrorBody, A::Error> {
        let list = StringsVisitor.visit_seq(seq)?.0;
        Ok(ErrorBody {
            list,
            ..ErrorBody::default()
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ErrorBody, A::Error> {
        let mut body = ErrorBody::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "message" | "Message" => body.message = map.next_value::<Strings>()?.0,
                "exceptionMessage" | "ExceptionMessage" => {
                    body.exception = map.next_value::<Strings>()?.0
                }
                "error" | "Error" => body.error = map.next_value::<Strings>()?.0,
                "modelState" | "ModelState" => body.details = map.next_value::<ModelState>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(body)
    }

    skip_scalars!(ErrorBody, ErrorBody::default());
}

/// ASP.NET's `modelState`: field -> message or messages. Any other shape gives no details.
struct ModelState(Vec<FieldError>);

impl<'de> Deserialize<'de> for ModelState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ModelStateVisitor)
    }
}

struct ModelStateVisitor;

impl<'de> Visitor<'de> for ModelStateVisitor {
    type Value = ModelState;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a modelState object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ModelState, A::Error> {
        let mut details = Vec::new();
        while let Some(field) = map.next_key::<String>()? {
            let field = truncate(&field, MAX_EXCERPT);
            for message in map.next_value::<Strings>()?.0 {
                details.push(FieldError {
                    field: field.clone(),
                    message,
                });
            }
        }
        Ok(ModelState(details))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<ModelState, E> {
        Ok(ModelState(Vec::new()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ModelState, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(ModelState(Vec::new()))
    }

    skip_scalars!(ModelState, ModelState(Vec::new()));
}
