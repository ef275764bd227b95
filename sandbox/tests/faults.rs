//! Fault injection: each fault of `/sandbox/faults`, that faults touch only the emulated API, and that
//! bad settings are refused whole.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn server_path() -> String {
    format!("/v2/servers/{ALIAS}/{WEB01}")
}

async fn current(sb: &Sandbox) -> Value {
    let reply = sb.send("GET", "/sandbox/faults", None, None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()
}

#[tokio::test]
async fn faults_are_off_by_default_and_reported() {
    let sb = Sandbox::start(250).await;
    assert_eq!(
        current(&sb).await,
        json!({
            "latencyMs": 0, "errorRate": 0.0, "failNext": [], "jobs": "normal", "jobMs": 250,
            "retryAfterSecs": 1, "retryAfterForm": "seconds",
        })
    );
    // A partial update changes only what it names, and answers the new settings.
    let after = sb.faults(r#"{"latencyMs": 3, "failNext": ["drop"]}"#).await;
    assert_eq!(
        after,
        json!({
            "latencyMs": 3, "errorRate": 0.0, "failNext": ["drop"], "jobs": "normal", "jobMs": 250,
            "retryAfterSecs": 1, "retryAfterForm": "seconds",
        })
    );
    assert_eq!(current(&sb).await, after);
}

#[tokio::test]
async fn latency_delays_the_api_but_not_the_control_endpoints() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    sb.faults(r#"{"latencyMs": 1000}"#).await;
    let start = Instant::now();
    assert_eq!(sb.get(&server_path(), &token).await.status, 200);
    let api = start.elapsed();
    assert!(api >= Duration::from_millis(1000), "{api:?}");
    let start = Instant::now();
    current(&sb).await;
    let control = start.elapsed();
    assert!(control < Duration::from_millis(1000), "{control:?}");
    // Latency holds for every /v2 call, login included, and errors too.
    let start = Instant::now();
    let reply = sb
        .send(
            "POST",
            "/v2/authentication/login",
            None,
            Some(r#"{"username":"x","password":"y"}"#),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(start.elapsed() >= Duration::from_millis(1000));
    sb.faults(r#"{"latencyMs": 0}"#).await;
    let start = Instant::now();
    sb.get(&server_path(), &token).await;
    assert!(start.elapsed() < Duration::from_millis(1000));
}

fn is_html_502(reply: &Reply) -> bool {
    reply.status == 502
        && reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
        && reply.text.contains("<html")
}

fn is_aspnet_500(reply: &Reply) -> bool {
    if reply.status != 500 {
        return false;
    }
    let body: Value = serde_json::from_str(&reply.text).unwrap_or_default();
    ["message", "exceptionMessage", "exceptionType", "stackTrace"]
        .iter()
        .all(|k| body[k].as_str().is_some_and(|v| !v.is_empty()))
}

#[tokio::test]
async fn error_rate_answers_that_share_of_api_calls_with_5xx() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    sb.faults(r#"{"errorRate": 1}"#).await;
    let (mut html, mut aspnet) = (0, 0);
    for _ in 0..40 {
        let reply = sb.get(&server_path(), &token).await;
        match () {
            _ if is_html_502(&reply) => html += 1,
            _ if is_aspnet_500(&reply) => aspnet += 1,
            _ => panic!("not a fault: {} {}", reply.status, reply.text),
        }
    }
    // Both kinds come (the chance that 40 in a row are one kind is 2^-39).
    assert!(
        html > 0 && aspnet > 0,
        "{html} HTML 502, {aspnet} ASP.NET 500"
    );
    // The control endpoints are never faulted, so a test can always switch the faults off.
    assert_eq!(current(&sb).await["errorRate"], 1.0);

    sb.faults(r#"{"errorRate": 0.5}"#).await;
    let mut faulted = 0;
    for _ in 0..200 {
        let reply = sb.get(&server_path(), &token).await;
        match reply.status {
            200 => {}
            500 | 502 => faulted += 1,
            other => panic!("{other}: {}", reply.text),
        }
    }
    // Binomial(200, 0.5): 50..=150 is more than 7 standard deviations wide.
    assert!((50..=150).contains(&faulted), "{faulted} of 200");

    sb.faults(r#"{"errorRate": 0}"#).await;
    for _ in 0..20 {
        assert_eq!(sb.get(&server_path(), &token).await.status, 200);
    }
}

#[tokio::test]
async fn fail_next_answers_each_named_fault_once_in_order() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    let names = [
        "html502",
        "aspnet500",
        "malformedJson",
        "empty503",
        "status429",
        "status503",
        "drop",
    ];
    sb.faults(&json!({ "failNext": names }).to_string()).await;
    for name in names {
        let reply = sb.get(&server_path(), &token).await;
        match name {
            "html502" => assert!(is_html_502(&reply), "{reply:?}"),
            "aspnet500" => assert!(is_aspnet_500(&reply), "{reply:?}"),
            "malformedJson" => {
                assert_eq!(reply.status, 200);
                assert!(reply
                    .header("content-type")
                    .is_some_and(|t| t.starts_with("application/json")));
                assert!(
                    serde_json::from_str::<Value>(&reply.text).is_err(),
                    "{}",
                    reply.text
                );
            }
            "empty503" => {
                assert_eq!(reply.status, 503);
                assert_eq!(reply.text, "");
            }
            "status429" | "status503" => {
                let status = if name == "status429" { 429 } else { 503 };
                assert_eq!(reply.status, status);
                assert!(!reply.message().is_empty());
                assert_eq!(reply.header("retry-after"), Some("1"), "{reply:?}");
            }
            // Not a byte of an answer: the connection just ends.
            _ => assert!(
                reply.status == 0 && reply.cut && reply.text.is_empty(),
                "drop gave an answer: {reply:?}"
            ),
        }
        // Each fault is used once: what is left is the rest, in order.
        let left = current(&sb).await["failNext"].clone();
        let at = names.iter().position(|n| *n == name).unwrap();
        assert_eq!(left, json!(names[at + 1..].to_vec()), "after {name}");
    }
    // Then calls work again.
    assert_eq!(sb.server(&token, WEB01).await["id"], WEB01);
}

#[tokio::test]
async fn faults_hit_every_api_route_and_nothing_is_done_behind_them() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    // A faulted operation is not carried out.
    sb.faults(r#"{"failNext": ["aspnet500"]}"#).await;
    let reply = sb
        .operate(&token, "shutDown", &json!([WEB01]).to_string())
        .await;
    assert!(is_aspnet_500(&reply), "{reply:?}");
    sb.advance(300).await;
    assert_eq!(sb.state(&token, WEB01).await.0, "started");
    // Login is part of the API.
    sb.faults(r#"{"failNext": ["status429"]}"#).await;
    let reply = sb
        .send(
            "POST",
            "/v2/authentication/login",
            None,
            Some(&json!({"username": USER, "password": PASSWORD}).to_string()),
        )
        .await;
    assert_eq!(reply.status, 429);
    // Control endpoints never consume faults.
    sb.faults(r#"{"failNext": ["html502"]}"#).await;
    current(&sb).await;
    let reset = sb.send("POST", "/sandbox/reset", None, Some("")).await;
    assert_eq!(reset.status, 204);
}

#[tokio::test]
async fn jobs_fail_when_told_and_change_nothing() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    // A job created before the switch keeps its ending.
    let before = sb.queue(&token, "shutDown", &[WEB01]).await;
    sb.faults(r#"{"jobs": "fail"}"#).await;
    let failing = sb.queue(&token, "archive", &[WEB02, DB01]).await;
    let mut seen = Vec::new();
    loop {
        let status = sb.job_status(&token, &failing).await;
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if status == "failed" || seen.len() > 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(seen.last().map(String::as_str), Some("failed"), "{seen:?}");
    assert!(
        seen.iter()
            .all(|s| ["notStarted", "executing", "failed"].contains(&s.as_str())),
        "{seen:?}"
    );
    assert_eq!(sb.finish(&token, &before, 10_000).await, "succeeded");
    assert_eq!(sb.state(&token, WEB01).await.0, "stopped");
    for id in [WEB02, DB01] {
        assert_eq!(
            sb.state(&token, id).await,
            ("started".into(), "active".into(), false),
            "{id}"
        );
    }
    // Archive Group fails the same way.
    let job = sb.archive_group(&token, GROUP_NIGHTLY).await;
    assert_eq!(sb.finish(&token, &job, 10_000).await, "failed");
    assert_eq!(sb.group(&token, GROUP_NIGHTLY).await["status"], "active");
    // Back to normal: new jobs succeed.
    sb.faults(r#"{"jobs": "normal"}"#).await;
    let ok = sb.queue(&token, "powerOn", &[WEB03]).await;
    assert_eq!(sb.finish(&token, &ok, 10_000).await, "succeeded");
}

#[tokio::test]
async fn jobs_hang_when_told_and_keep_executing() {
    let sb = Sandbox::start(100).await;
    let token = sb.login().await;
    sb.faults(r#"{"jobs": "hang"}"#).await;
    let hung = sb.queue(&token, "pause", &[WEB01]).await;
    sb.faults(r#"{"jobs": "normal"}"#).await;
    let normal = sb.queue(&token, "pause", &[WEB02]).await;
    assert_eq!(sb.finish(&token, &normal, 10_000).await, "succeeded");
    // Ten times the job duration later, the hung job still executes.
    sb.advance(1000).await;
    assert_eq!(sb.job_status(&token, &hung).await, "executing");
    assert_eq!(sb.state(&token, WEB01).await.0, "started");
    assert_eq!(sb.state(&token, WEB02).await.0, "paused");
}

#[tokio::test]
async fn job_ms_sets_how_long_new_jobs_take() {
    let sb = Sandbox::start(100).await;
    let token = sb.login().await;
    sb.faults(r#"{"jobMs": 0}"#).await;
    let instant = sb.queue(&token, "startMaintenance", &[WEB01]).await;
    assert_eq!(sb.job_status(&token, &instant).await, "succeeded");
    assert!(sb.state(&token, WEB01).await.2);
    sb.faults(r#"{"jobMs": 600000}"#).await;
    let slow = sb.queue(&token, "startMaintenance", &[WEB02]).await;
    sb.advance(59_000).await;
    assert_eq!(sb.job_status(&token, &slow).await, "notStarted");
    sb.advance(2_000).await;
    assert_eq!(sb.job_status(&token, &slow).await, "executing");
}

#[tokio::test]
async fn expire_tokens_ends_every_session_now() {
    let sb = Sandbox::start(200).await;
    let first = sb.login().await;
    let second = sb.login_as(OTHER_USER, OTHER_PASSWORD).await;
    sb.faults(r#"{"expireTokens": false}"#).await;
    assert_eq!(sb.get(&server_path(), &first).await.status, 200);
    let answer = sb.faults(r#"{"expireTokens": true}"#).await;
    assert!(
        answer.get("expireTokens").is_none(),
        "a one-off action, not a setting"
    );
    assert_eq!(sb.get(&server_path(), &first).await.status, 401);
    let other = format!("/v2/servers/{OTHER_ALIAS}/{OTHER_APP01}");
    assert_eq!(sb.get(&other, &second).await.status, 401);
    // Tokens issued afterwards work.
    let fresh = sb.login().await;
    assert_eq!(sb.get(&server_path(), &fresh).await.status, 200);
}

#[tokio::test]
async fn bad_fault_settings_are_refused_whole() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    let before = current(&sb).await;
    let bad = [
        (r#"{"latencyMs": -1}"#, "latencyMs"),
        (r#"{"latencyMs": "100"}"#, "latencyMs"),
        (r#"{"latencyMs": 60001}"#, "latencyMs"),
        (r#"{"latencyMs": 1.5}"#, "latencyMs"),
        (r#"{"errorRate": 1.01}"#, "errorRate"),
        (r#"{"errorRate": -0.1}"#, "errorRate"),
        (r#"{"errorRate": "half"}"#, "errorRate"),
        (r#"{"failNext": "html502"}"#, "failNext"),
        (r#"{"failNext": ["html502", "html503"]}"#, "failNext"),
        (r#"{"failNext": [502]}"#, "failNext"),
        (r#"{"jobs": "sometimes"}"#, "jobs"),
        (r#"{"jobs": true}"#, "jobs"),
        (r#"{"jobMs": 3600001}"#, "jobMs"),
        (r#"{"jobMs": -5}"#, "jobMs"),
        (r#"{"expireTokens": "yes"}"#, "expireTokens"),
        (r#"{"retryAfterSecs": -1}"#, "retryAfterSecs"),
        (r#"{"retryAfterSecs": "1"}"#, "retryAfterSecs"),
        (r#"{"retryAfterSecs": 86401}"#, "retryAfterSecs"),
        (r#"{"retryAfterForm": "http-date"}"#, "retryAfterForm"),
        (r#"{"retryAfterForm": 5}"#, "retryAfterForm"),
        (r#"{"failNext": ["status504"]}"#, "failNext"),
        (r#"{"expireTokens": 1}"#, "expireTokens"),
        (r#"{"latency": 100}"#, "latency"),
        // One bad field spoils the others: nothing is applied.
        (
            r#"{"latencyMs": 100, "failNext": ["drop"], "expireTokens": true, "errorRate": 7}"#,
            "errorRate",
        ),
    ];
    for (settings, field) in bad {
        let reply = sb.put_faults(settings).await;
        assert_eq!(reply.status, 400, "{settings}: {}", reply.text);
        let body = reply.json();
        assert_eq!(body["message"], "The request is invalid.");
        assert!(
            body["modelState"][field]
                .as_array()
                .is_some_and(|m| !m.is_empty()),
            "{settings}: {body}"
        );
        assert_eq!(current(&sb).await, before, "{settings} was applied");
    }
    for body in ["", "[]", "null", "{", "latencyMs=5"] {
        let reply = sb.put_faults(body).await;
        assert_eq!(reply.status, 400, "{body:?}: {}", reply.text);
        assert!(reply.json()["modelState"].is_object());
    }
    // The token survived the refused expireTokens.
    assert_eq!(sb.get(&server_path(), &token).await.status, 200);
    assert_eq!(current(&sb).await, before);
}

/// Seconds since 1970 of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), or None if it is not one.
fn parse_imf_fixdate(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.split(' ').collect();
    let [weekday, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let days = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"];
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = months.iter().position(|m| m == month)? + 1;
    if day.len() != 2 || year.len() != 4 || time.len() != 8 {
        return None;
    }
    let secs = snapshot_time(&format!("{year}-{month:02}-{day}.{time}"))?;
    // 1970-01-01 was a Thursday.
    let weekday_index = days.iter().position(|d| d == weekday)? as u64;
    (((secs / 86_400) + 3) % 7 == weekday_index).then_some(secs)
}

#[tokio::test]
async fn throttling_faults_say_when_to_retry_in_either_form() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    sb.faults(r#"{"retryAfterSecs": 7, "failNext": ["status429", "status503"]}"#)
        .await;
    for status in [429, 503] {
        let reply = sb.get(&server_path(), &token).await;
        assert_eq!(reply.status, status, "{reply:?}");
        assert_eq!(reply.header("retry-after"), Some("7"));
        assert!(reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json")));
    }
    let settings = sb
        .faults(r#"{"retryAfterForm": "date", "retryAfterSecs": 30, "failNext": ["status503"]}"#)
        .await;
    assert_eq!(settings["retryAfterForm"], "date");
    assert_eq!(settings["retryAfterSecs"], 30);
    let before = now_secs();
    let reply = sb.get(&server_path(), &token).await;
    let after = now_secs();
    assert_eq!(reply.status, 503);
    let date = reply.header("retry-after").expect("a Retry-After");
    let at = parse_imf_fixdate(date).unwrap_or_else(|| panic!("not an IMF-fixdate: {date}"));
    // Rounded up: never sooner than 30 s after the answer.
    assert!(
        before + 30 <= at && at <= after + 31,
        "{date} ({at}) not in {before}+30..={after}+31"
    );
    // Other faults carry no Retry-After, and answers without a fault neither.
    sb.faults(r#"{"failNext": ["empty503"]}"#).await;
    let reply = sb.get(&server_path(), &token).await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.header("retry-after"), None);
    assert_eq!(
        sb.get(&server_path(), &token).await.header("retry-after"),
        None
    );
}

#[tokio::test]
async fn a_cross_origin_page_may_read_retry_after() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    sb.faults(r#"{"failNext": ["status429"]}"#).await;
    let origin = [("Origin", "http://dashboard.example")];
    let reply = sb
        .send_with("GET", &server_path(), Some(&token), None, &origin)
        .await;
    assert_eq!(reply.status, 429);
    assert!(
        reply.header("access-control-allow-origin").is_some(),
        "{reply:?}"
    );
    let exposed = reply
        .header("access-control-expose-headers")
        .unwrap_or_else(|| panic!("nothing exposed: {reply:?}"))
        .to_ascii_lowercase();
    assert!(
        exposed.split(',').any(|h| h.trim() == "retry-after"),
        "{exposed}"
    );
}
