//! Redaction: keeping tokens and passwords out of error text, without mangling text that holds none.
//!
//! A server or a proxy may echo a secret back in an error body, whole, truncated, or inside markup. [`scrub`]
//! removes it by this rule, comparing characters (not bytes):
//!
//! - A secret of at least [`MIN_PIECE`] (10) characters: every maximal run of 10 or more consecutive characters
//!   of the text that is a substring of the secret becomes `<redacted>`. A truncated token, or one cut by a
//!   quote or a tag, is caught too; ten characters of an unrelated message rarely match a random token.
//! - A secret of 4 to 9 characters that occurs whole in the text: the whole text becomes [`WITHHELD`].
//!   Replacing only the word would tell the secret: with the password `password`, the standard login message
//!   would read `username or <redacted> you entered`.
//! - A secret shorter than 4 characters is not looked for: a one-letter token would mangle every message.
//!
//! Replacing can in principle form a new match (a secret that itself contains `<redacted>`), so the rule is
//! applied until the text stops changing, a bounded number of times; a text that does not settle is withheld.
//!
//! ```
//! use clc_wasm::redact::{scrub, WITHHELD};
//! let mut text = String::from("bad token eyJhbGciOiJIUzI1NiJ9.eyJzdWIi (cut)");
//! scrub(&mut text, &["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"]);
//! assert_eq!(text, "bad token <redacted> (cut)");
//!
//! let mut text = String::from("the username or password you entered is incorrect");
//! scrub(&mut text, &["password"]);
//! assert_eq!(text, WITHHELD);
//! ```

use crate::prelude::*;

/// The shortest run of a long secret's characters that is redacted, and the length from which a secret is
/// looked for in pieces rather than whole.
pub const MIN_PIECE: usize = 10;

/// Secrets shorter than this are not looked for at all.
const MIN_WHOLE: usize = 4;

/// What replaces a text that quoted a short secret whole.
pub const WITHHELD: &str = "(message withheld: it quoted a secret)";

/// What replaces each run of a long secret.
const REDACTED: &str = "<redacted>";

/// How many passes [`scrub`] makes before it gives up on a text that keeps changing.
const MAX_PASSES: usize = 8;

/// Removes `secrets` (a token, an old token, a password) from `text` by the rule of the module docs.
/// Empty and very short secrets are ignored. Never panics.
pub fn scrub(text: &mut String, secrets: &[&str]) {
    for _ in 0..MAX_PASSES {
        if !pass(text, secrets) {
            return;
        }
    }
    // Still changing: say nothing of it. Each fallback is itself checked, since a secret could quote it; the
    // empty text holds nothing to find.
    *text = String::new();
    for fallback in [WITHHELD, REDACTED] {
        let mut candidate = String::from(fallback);
        if !pass(&mut candidate, secrets) {
            *text = candidate;
            return;
        }
    }
}

/// One pass over every secret; whether the text changed.
fn pass(text: &mut String, secrets: &[&str]) -> bool {
    let mut changed = false;
    for secret in secrets {
        // Characters are the bytes that do not continue one: `chars().count()` links core's 800-byte fast counter.
        let chars = secret.bytes().filter(|b| b & 0xC0 != 0x80).count();
        if chars >= MIN_PIECE {
            changed |= redact_pieces(text, secret);
        } else if chars >= MIN_WHOLE
            && text.as_str() != WITHHELD
            && crate::response::find(text, secret).is_some()
        {
            *text = String::from(WITHHELD);
            changed = true;
        }
    }
    changed
}

/// Replaces every maximal run of at least [`MIN_PIECE`] characters of `text` that is a substring of `secret`
/// with `<redacted>`; whether anything was replaced.
///
/// `longest[i]` is the length of the longest substring of `secret` starting at character `i` of the text,
/// from the usual common-substring table kept one row at a time (text length times secret length steps).
fn redact_pieces(text: &mut String, secret: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let s: Vec<char> = secret.chars().collect();
    if t.len() < MIN_PIECE {
        return false;
    }
    // row[j]: how many characters match from text position i and secret position j on (row[len] stays 0).
    let mut row = vec![0usize; s.len() + 1];
    let mut longest = vec![0usize; t.len()];
    for (i, &tc) in t.iter().enumerate().rev() {
        let mut best = 0;
        // Ascending j reads row[j + 1] before it is overwritten for this i, so it still holds position i + 1.
        for j in 0..s.len() {
            let next = row.get(j + 1).copied().unwrap_or(0);
            let here = if s.get(j) == Some(&tc) { next + 1 } else { 0 };
            if let Some(cell) = row.get_mut(j) {
                *cell = here;
            }
            best = best.max(here);
        }
        if let Some(cell) = longest.get_mut(i) {
            *cell = best;
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut covered_until = 0;
    let mut in_run = false;
    let mut changed = false;
    for (i, (&c, &len)) in t.iter().zip(&longest).enumerate() {
        if len >= MIN_PIECE {
            covered_until = covered_until.max(i + len);
        }
        if i < covered_until {
            if !in_run {
                out.push_str(REDACTED);
                in_run = true;
                changed = true;
            }
        } else {
            in_run = false;
            out.push(c);
        }
    }
    if changed && out != *text {
        *text = out;
        true
    } else {
        false
    }
}
