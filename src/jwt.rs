//! When a bearer token expires, read from the token itself (a JWT), so a session can refresh it before a
//! request fails with 401.
//!
//! Nothing here checks the signature: the token is the server's business, and its expiry is only a hint for
//! when to refresh. The edge parses [`claims_text`] with `JSON.parse` (so the wasm needs no number parser) and
//! hands the `exp` it finds to [`exp_ms`].
//!
//! ```
//! use clc_wasm::jwt::{claims_text, expires_at_ms};
//! // {"alg":"none"} . {"exp":1700000000} . (no signature)
//! let token = "eyJhbGciOiJub25lIn0.eyJleHAiOjE3MDAwMDAwMDB9.";
//! let claims = claims_text(token).unwrap();
//! assert_eq!(claims, r#"{"exp":1700000000}"#);
//! let value: serde_json::Value = serde_json::from_str(&claims).unwrap();
//! assert_eq!(expires_at_ms(&value), Some(1_700_000_000_000.0));
//! assert_eq!(claims_text("not a jwt"), None);
//! ```

use crate::prelude::*;

use crate::json::Json;

/// 9999-12-31T23:59:59Z in seconds since 1970: later `exp` values are not dates anyone means.
const LAST_SECOND: f64 = 253_402_300_799.0;

/// The claims of a three-part JWT (`header.claims.signature`): its middle part, base64url-decoded (padding
/// optional), when that is UTF-8 text. `None` for anything else. Never panics.
pub fn claims_text(token: &str) -> Option<String> {
    let mut parts = crate::text::pieces(token, b'.');
    let (_header, claims, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64url(claims)?;
    if bytes.is_empty() {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// The `exp` claim (seconds since 1970) as epoch milliseconds: a finite number from 0 to the end of year 9999,
/// else `None`.
pub fn expires_at_ms<J: Json>(claims: &J) -> Option<f64> {
    exp_ms(claims.field("exp")?.number()?)
}

/// An `exp` claim's seconds as epoch milliseconds, checked as [`expires_at_ms`] does (for an edge that read the
/// number itself).
///
/// ```
/// assert_eq!(clc_wasm::jwt::exp_ms(1.5), Some(1500.0));
/// assert_eq!(clc_wasm::jwt::exp_ms(f64::NAN), None);
/// ```
pub fn exp_ms(seconds: f64) -> Option<f64> {
    (0.0..=LAST_SECOND)
        .contains(&seconds)
        .then_some(seconds * 1000.0)
}

/// Decodes base64url (RFC 4648 section 5). Padding may be there (then it must complete the last group) or not.
fn base64url(text: &str) -> Option<Vec<u8>> {
    let data = text.trim_end_matches('=');
    let padding = text.len() - data.len();
    if padding > 0 && (!text.len().is_multiple_of(4) || padding > 2) {
        return None;
    }
    if data.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 2);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in data.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}
