//! `POST /sandbox/clock` moves the sandbox's time forward, so tests see jobs finish and tokens expire
//! without sleeping; tokens are JWT-shaped and dated by that time.

mod common;

use common::*;
use serde_json::{json, Value};

async fn advance_reply(sb: &Sandbox, body: &str) -> Reply {
    sb.send("POST", "/sandbox/clock", None, Some(body)).await
}

#[tokio::test]
async fn moving_the_clock_finishes_jobs_without_waiting() {
    let sb = Sandbox::start(600_000).await;
    let token = sb.login().await;
    let job = sb.queue(&token, "powerOff", &[WEB01]).await;
    assert_eq!(sb.job_status(&token, &job).await, "notStarted");
    sb.advance(60_000).await;
    assert_eq!(sb.job_status(&token, &job).await, "executing");
    assert_eq!(sb.state(&token, WEB01).await.0, "started");
    sb.advance(540_000).await;
    assert_eq!(sb.job_status(&token, &job).await, "succeeded");
    assert_eq!(sb.state(&token, WEB01).await.0, "stopped");
}

#[tokio::test]
async fn the_clock_answers_how_far_ahead_it_is_and_reset_brings_it_back() {
    let sb = Sandbox::start(200).await;
    let reply = advance_reply(&sb, r#"{"advanceMs": 1000}"#).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json(), json!({"aheadMs": 1000}));
    let reply = advance_reply(&sb, r#"{"advanceMs": 500}"#).await;
    assert_eq!(reply.json(), json!({"aheadMs": 1500}));
    assert_eq!(
        sb.send("POST", "/sandbox/reset", None, Some(""))
            .await
            .status,
        204
    );
    let reply = advance_reply(&sb, r#"{"advanceMs": 0}"#).await;
    assert_eq!(reply.json(), json!({"aheadMs": 0}));
}

#[tokio::test]
async fn bad_clock_moves_are_refused() {
    let sb = Sandbox::start(200).await;
    let bad = [
        "",
        "[]",
        "{}",
        r#"{"advanceMs": -1}"#,
        r#"{"advanceMs": 1.5}"#,
        r#"{"advanceMs": "5"}"#,
        r#"{"advanceMs": 31536000001}"#,
        r#"{"advanceMs": 5, "backMs": 1}"#,
    ];
    for body in bad {
        let reply = advance_reply(&sb, body).await;
        assert_eq!(reply.status, 400, "{body:?}: {}", reply.text);
        assert!(reply.json()["modelState"].is_object(), "{body:?}");
    }
    // Nothing moved.
    let reply = advance_reply(&sb, r#"{"advanceMs": 0}"#).await;
    assert_eq!(reply.json(), json!({"aheadMs": 0}));
    // A year at a time is the most; many of them still work.
    for _ in 0..3 {
        let reply = advance_reply(&sb, r#"{"advanceMs": 31536000000}"#).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
}

fn base64url_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let sextets: Vec<u32> = text
        .bytes()
        .map(|b| {
            ALPHABET
                .iter()
                .position(|a| *a == b)
                .unwrap_or_else(|| panic!("not base64url: {text}")) as u32
        })
        .collect();
    let mut out = Vec::new();
    for chunk in sextets.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, s)| n | s << (18 - 6 * i));
        out.extend(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

fn claims(token: &str) -> Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "not a JWT: {token}");
    let header: Value = serde_json::from_slice(&base64url_decode(parts[0])).expect("JSON header");
    assert_eq!(header["typ"], "JWT");
    serde_json::from_slice(&base64url_decode(parts[1])).expect("JSON claims")
}

#[tokio::test]
async fn tokens_are_jwts_whose_claims_match_their_real_lifetime() {
    let sb = Sandbox::start(200).await; // tokens live an hour
    let before = now_secs();
    let token = sb.login().await;
    let after = now_secs();
    let claims = claims(&token);
    let nbf = claims["nbf"].as_u64().expect("nbf");
    assert!(
        before <= nbf && nbf <= after,
        "{nbf} not in {before}..={after}"
    );
    assert_eq!(claims["exp"].as_u64(), Some(nbf + 3600));
    assert_eq!(claims["unique_name"], USER);
    assert_eq!(claims["urn:tier3:account-alias"], ALIAS);
    // Two logins, two tokens.
    assert_ne!(sb.login().await, token);

    // The table is the truth: the token dies when its lifetime is over on the sandbox's clock...
    let path = format!("/v2/servers/{ALIAS}/{WEB01}");
    sb.advance(3_599_000).await;
    assert_eq!(sb.get(&path, &token).await.status, 200);
    sb.advance(1_000).await;
    let dead = sb.get(&path, &token).await;
    assert_eq!(dead.status, 401);
    assert_eq!(
        dead.message(),
        "Authorization has been denied for this request."
    );
    // ...and its successor is dated by that clock, an hour on.
    let later = claims_of_login(&sb).await;
    let nbf_later = later["nbf"].as_u64().unwrap();
    assert!(nbf_later >= nbf + 3600, "{nbf_later} vs {nbf}");

    // expireTokens kills JWT-shaped tokens like any.
    let fresh = sb.login().await;
    assert_eq!(sb.get(&path, &fresh).await.status, 200);
    sb.faults(r#"{"expireTokens": true}"#).await;
    let killed = sb.get(&path, &fresh).await;
    assert_eq!(killed.status, 401);
    assert_eq!(
        killed.message(),
        "Authorization has been denied for this request."
    );
}

async fn claims_of_login(sb: &Sandbox) -> Value {
    claims(&sb.login().await)
}
