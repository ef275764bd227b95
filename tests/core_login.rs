#![cfg(not(target_arch = "wasm32"))]
//! Decoding login answers: a refused login never carries the server's text, which could echo the password.

use clc_wasm::response::{decode_login, Body, LOGIN_REFUSED};
use clc_wasm::ErrorKind;
use proptest::prelude::*;
use serde_json::{json, Value};

const PASSWORD: &str = "hunter22-secret";

/// What the wasm edge does with JSON.parse, done with serde_json.
fn body(text: &str) -> Body<Value> {
    if text.is_empty() {
        return Body::Empty;
    }
    match serde_json::from_str(text) {
        Ok(value) => Body::Json(value),
        Err(_) => Body::not_json(text),
    }
}

#[test]
fn a_successful_login_is_checked_and_returned() {
    let answer = r#"{"userName":"demo","accountAlias":"DEMO","locationAlias":"WA1","roles":["AccountAdmin"],"bearerToken":"t"}"#;
    let value = decode_login(200, body(answer)).unwrap();
    assert_eq!(value["bearerToken"], "t");
    let err = decode_login(200, body(r#"{"userName":"demo"}"#)).unwrap_err();
    assert_eq!((err.kind, err.status), (ErrorKind::Decode, Some(200)));
    let err = decode_login(200, body("<html>ok</html>")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Decode);
}

#[test]
fn a_refused_login_says_nothing_the_server_said() {
    let bodies = [
        // The service's own words, which name the password field.
        r#"{"message":"We didn't recognize the username or password you entered. Please try again."}"#.to_owned(),
        // An ASP.NET modelState that echoes the password back.
        json!({"message": "The request is invalid.", "modelState": {"password": [format!("'{PASSWORD}' is not valid")]}}).to_string(),
        format!("<html><title>Bad login {PASSWORD}</title></html>"),
        String::new(),
    ];
    for status in [400, 401] {
        for text in &bodies {
            let err = decode_login(status, body(text)).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Unauthorized, "{status} {text}");
            assert_eq!(err.status, Some(status));
            assert_eq!(err.message, LOGIN_REFUSED);
            assert!(err.details.is_empty());
            let shown = format!("{err:?}");
            assert!(
                !shown.contains(PASSWORD) && !shown.contains("password"),
                "{shown}"
            );
        }
    }
}

#[test]
fn other_failures_keep_their_kind_and_lose_their_text() {
    let echo =
        json!({"message": format!("error for {PASSWORD}"), "modelState": {"x": ["y"]}}).to_string();
    for (status, kind, message) in [
        (
            403,
            ErrorKind::Forbidden,
            "login failed: HTTP 403 Forbidden",
        ),
        (404, ErrorKind::NotFound, "login failed: HTTP 404 Not Found"),
        (
            429,
            ErrorKind::Http,
            "login failed: HTTP 429 Too Many Requests",
        ),
        (
            500,
            ErrorKind::Http,
            "login failed: HTTP 500 Internal Server Error",
        ),
        (502, ErrorKind::Http, "login failed: HTTP 502 Bad Gateway"),
        (418, ErrorKind::Http, "login failed: HTTP 418"),
        (302, ErrorKind::Http, "login failed: HTTP 302"),
    ] {
        let err = decode_login(status, body(&echo)).unwrap_err();
        assert_eq!(
            (err.kind, err.status, err.message.as_str()),
            (kind, Some(status), message)
        );
        assert!(err.details.is_empty());
        assert!(!format!("{err:?}").contains(PASSWORD));
    }
    // A 5xx or 429 stays retryable by kind and status, as other answers are.
    assert!(decode_login(503, body("")).unwrap_err().is_transient());
}

proptest! {
    #[test]
    fn an_error_does_not_depend_on_the_body(status in 0u16..1000, text in any::<String>()) {
        prop_assume!(!(200..300).contains(&status));
        let with_body = decode_login(status, body(&text)).unwrap_err();
        let without = decode_login::<Value>(status, Body::Empty).unwrap_err();
        prop_assert_eq!(&with_body, &without);
        prop_assert!(with_body.details.is_empty());
        let prefix = format!("login failed: HTTP {status}");
        if status == 400 || status == 401 {
            prop_assert_eq!(with_body.message.as_str(), LOGIN_REFUSED);
            prop_assert_eq!(with_body.kind, ErrorKind::Unauthorized);
        } else {
            prop_assert!(with_body.message.starts_with(&prefix), "{}", with_body.message);
        }
    }
}
