#![cfg(not(target_arch = "wasm32"))]
//! Redaction: a secret echoed back in any form is gone, and text without one is left as it was.

use clc_wasm::redact::{scrub, MIN_PIECE, WITHHELD};
use clc_wasm::response::{decode, Body};
use clc_wasm::shape;
use proptest::prelude::*;
use serde_json::Value;

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIiwiZXhwIjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJl";

fn scrubbed(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_owned();
    scrub(&mut text, secrets);
    text
}

/// Every `MIN_PIECE`-character window of `secret`.
fn windows(secret: &str) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .windows(MIN_PIECE)
        .map(|w| w.iter().collect())
        .collect()
}

fn leaks(text: &str, secret: &str) -> bool {
    windows(secret).iter().any(|w| text.contains(w.as_str()))
}

#[test]
fn a_token_cut_at_the_message_limit_is_still_caught() {
    // The server's message is cut at 500 characters, in the middle of the token.
    let message = format!("{} {TOKEN}", "x".repeat(480));
    let body = Body::Json(serde_json::json!({ "message": message }));
    let err = decode::<Value>(400, body, &shape::STATUS).unwrap_err();
    assert!(err.message.contains(&TOKEN[..15]), "{}", err.message);
    assert!(!err.message.contains(TOKEN), "the test needs a cut token");
    let err = err.without_secrets(&[TOKEN]);
    assert!(!leaks(&err.message, TOKEN), "{}", err.message);
    assert!(err.message.ends_with("x <redacted>…"), "{}", err.message);
}

#[test]
fn pieces_of_a_token_are_caught_and_the_rest_is_kept() {
    let text = format!(
        "token '{}' then '{}' and {}",
        &TOKEN[..20],
        &TOKEN[30..45],
        &TOKEN[..9]
    );
    let out = scrubbed(&text, &[TOKEN]);
    let expected = format!("token '<redacted>' then '<redacted>' and {}", &TOKEN[..9]);
    assert_eq!(out, expected);
}

#[test]
fn a_password_with_markup_echoed_in_an_html_page() {
    let password = "p<ss>w0rd-secret!";
    let page = format!("<html><body><p>login failed for {password}</p></body></html>");
    // The excerpt drops what looks like a tag, so the password reaches the message mangled.
    let Body::<Value>::NotJson(excerpt) = Body::not_json(&page) else {
        panic!("not JSON")
    };
    assert!(excerpt.contains("w0rd-secret!"), "{excerpt}");
    let out = scrubbed(&excerpt, &[password]);
    assert!(!leaks(&out, password), "{out}");
    assert!(out.starts_with("login failed for p "), "{out}");
    // Whole, the password is caught as one run.
    assert_eq!(
        scrubbed(&format!("echo: {password}."), &[password]),
        "echo: <redacted>."
    );
}

#[test]
fn the_password_password_withholds_the_whole_message() {
    let message = "The username or password you entered is incorrect.";
    assert_eq!(scrubbed(message, &["password"]), WITHHELD);
    // A short secret that does not occur leaves the text alone.
    assert_eq!(scrubbed(message, &["hunter2"]), message);
}

#[test]
fn very_short_and_empty_secrets_are_not_looked_for() {
    let message = "a bad request: a field is missing";
    assert_eq!(scrubbed(message, &["a"]), message);
    assert_eq!(scrubbed(message, &["bad"]), message);
    assert_eq!(scrubbed(message, &[""]), message);
    assert_eq!(scrubbed(message, &[]), message);
}

#[test]
fn several_secrets_at_once() {
    let old = "old-token-0123456789";
    let text = format!("{old} replaced by {TOKEN}");
    assert_eq!(
        scrubbed(&text, &["", old, TOKEN, "pw"]),
        "<redacted> replaced by <redacted>"
    );
}

#[test]
fn characters_not_bytes() {
    // Ten characters, more than ten bytes: caught as characters.
    let secret = "ключ-секрет-123";
    assert_eq!(
        scrubbed("got ключ-секрет here", &[secret]),
        "got <redacted> here"
    );
    // Nine characters of it (eighteen bytes) are not a piece.
    assert_eq!(scrubbed("got ключ-секр", &[secret]), "got ключ-секр");
}

#[test]
fn a_secret_that_quotes_the_replacement_settles() {
    let secret = "<redacted><redacted>";
    let out = scrubbed("a <redacted> b", &[secret]);
    assert_eq!(out, "a <redacted> b");
    let out = scrubbed(
        "(message withheld: it quoted a secret) and more",
        &["message", "more"],
    );
    assert_eq!(out, WITHHELD);
}

#[test]
fn errors_scrub_message_and_details() {
    let body = serde_json::json!({
        "message": format!("token {TOKEN} refused"),
        "modelState": { TOKEN: [format!("has {TOKEN}")] },
    });
    let err = decode::<Value>(400, Body::Json(body), &shape::STATUS)
        .unwrap_err()
        .without_secrets(&[TOKEN]);
    let shown = format!("{err:?}");
    assert!(!leaks(&shown, TOKEN), "{shown}");
    assert_eq!(err.details[0].field, "<redacted>");
    assert_eq!(err.details[0].message, "has <redacted>");
    // The wrapper the JS edge calls does the same.
    let body = serde_json::json!({ "message": format!("token {TOKEN} refused") });
    let err = decode::<Value>(400, Body::Json(body), &shape::STATUS)
        .unwrap_err()
        .without_secrets(&[TOKEN]);
    assert_eq!(err.message, "token <redacted> refused");
}

fn secret_strategy(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), len).prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #[test]
    fn no_window_of_an_embedded_secret_survives(
        secret in secret_strategy(10..60),
        before in ".{0,40}",
        after in ".{0,40}",
        cut in (0usize..60, 0usize..60),
        whole: bool,
    ) {
        // A secret that itself contains the replacement cannot be told from it.
        prop_assume!(!windows(&secret).iter().any(|w| w == "<redacted>"));
        let chars: Vec<char> = secret.chars().collect();
        let piece: String = if whole {
            secret.clone()
        } else {
            // Some run of at least MIN_PIECE characters of the secret.
            let start = cut.0 % (chars.len() - MIN_PIECE + 1);
            let len = MIN_PIECE + cut.1 % (chars.len() - start - MIN_PIECE + 1);
            chars[start..start + len].iter().collect()
        };
        let text = format!("{before}{piece}{after}");
        let out = scrubbed(&text, &[&secret]);
        prop_assert!(!leaks(&out, &piece), "{:?} -> {:?}", text, out);
        prop_assert!(!leaks(&out, &secret), "{:?} -> {:?}", text, out);
        prop_assert!(out.contains("<redacted>"));
    }

    #[test]
    fn text_without_a_piece_is_left_as_it_is(
        long in secret_strategy(10..40),
        short in secret_strategy(4..10),
        before in ".{0,60}",
        after in ".{0,60}",
        near in 0usize..10,
    ) {
        // Up to nine characters of the long secret, the longest that is not a piece.
        let part: String = long.chars().take(near.min(MIN_PIECE - 1)).collect();
        let text = format!("{before}{part}{after}");
        prop_assume!(!windows(&text).iter().any(|w| long.contains(w.as_str())));
        prop_assume!(!text.contains(short.as_str()));
        prop_assert_eq!(scrubbed(&text, &[&long, &short, ""]), text);
    }

    #[test]
    fn a_short_secret_found_whole_withholds_everything(
        short in secret_strategy(4..10),
        before in ".{0,40}",
        after in ".{0,40}",
    ) {
        prop_assume!(!WITHHELD.contains(short.as_str()));
        let out = scrubbed(&format!("{before}{short}{after}"), &[&short]);
        prop_assert_eq!(out, WITHHELD);
    }

    #[test]
    fn never_panics(text in any::<String>(), secrets in prop::collection::vec(any::<String>(), 0..4)) {
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        // Whatever comes out has settled: scrubbing it again changes nothing.
        let once = scrubbed(&text, &secrets);
        prop_assert_eq!(scrubbed(&once, &secrets), once);
    }
}
