//! `GET /sandbox/stats`: what the emulated API was asked, for the SDK's tests (how many requests, how
//! many at once, by route, and a log), and its two resets.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::Duration;

async fn reset_stats(sb: &Sandbox) {
    let reply = sb
        .send("POST", "/sandbox/stats/reset", None, Some(""))
        .await;
    assert_eq!(reply.status, 204, "{}", reply.text);
}

#[tokio::test]
async fn stats_count_api_requests_by_route_and_log_them_newest_last() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    reset_stats(&sb).await;
    assert_eq!(
        sb.stats().await,
        json!({"requests": 0, "inFlight": 0, "maxInFlight": 0, "byRoute": {}, "log": []})
    );
    let job = sb.queue(&token, "shutDown", &[WEB01]).await;
    for _ in 0..3 {
        sb.job_status(&token, &job).await;
    }
    let missing = format!("/v2/servers/{ALIAS}/NOPE01?x=1");
    assert_eq!(sb.get(&missing, &token).await.status, 404);
    assert_eq!(
        sb.send("GET", "/v2/nothing/here", None, None).await.status,
        404
    );
    // Control endpoints are not counted.
    sb.faults(r#"{"latencyMs": 0}"#).await;
    let stats = sb.stats().await;
    assert_eq!(stats["requests"], 6, "{stats}");
    assert_eq!(stats["inFlight"], 0);
    assert_eq!(stats["maxInFlight"], 1);
    let by_route = stats["byRoute"].as_object().unwrap();
    assert_eq!(by_route["POST /v2/operations/{alias}/servers/{op}"], 1);
    assert_eq!(by_route["GET /v2/operations/{alias}/status/{id}"], 3);
    assert_eq!(by_route["GET /v2/servers/{alias}/{id}"], 1);
    assert_eq!(by_route["GET /v2/{*rest}"], 1);
    let counted: u64 = by_route.values().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(counted, 6, "{stats}");
    let log = stats["log"].as_array().unwrap();
    assert_eq!(log.len(), 6);
    assert_eq!(
        log[0],
        json!({"method": "POST", "path": format!("/v2/operations/{ALIAS}/servers/shutDown"), "status": 200})
    );
    assert_eq!(
        log[1],
        json!({"method": "GET", "path": format!("/v2/operations/{ALIAS}/status/{job}"), "status": 200})
    );
    // The path without its query; newest last.
    assert_eq!(
        log[4],
        json!({"method": "GET", "path": format!("/v2/servers/{ALIAS}/NOPE01"), "status": 404})
    );
    assert_eq!(log[5]["path"], "/v2/nothing/here");

    // Both resets zero everything.
    reset_stats(&sb).await;
    assert_eq!(sb.stats().await["requests"], 0);
    sb.get(&missing, &token).await;
    assert_eq!(sb.stats().await["requests"], 1);
    let reply = sb.send("POST", "/sandbox/reset", None, Some("")).await;
    assert_eq!(reply.status, 204);
    let stats = sb.stats().await;
    assert_eq!(
        (stats["requests"].clone(), stats["log"].clone()),
        (json!(0), json!([]))
    );
}

#[tokio::test]
async fn faulted_requests_are_counted_with_what_they_got() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    reset_stats(&sb).await;
    sb.faults(r#"{"failNext": ["status429", "drop", "html502"]}"#)
        .await;
    let path = format!("/v2/servers/{ALIAS}/{WEB01}");
    for _ in 0..4 {
        sb.get(&path, &token).await;
    }
    // Stats are never faulted (and reading them used no fault).
    let stats = sb.stats().await;
    let statuses: Vec<Value> = stats["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].clone())
        .collect();
    // A dropped connection sent no answer: status 0.
    assert_eq!(statuses, [json!(429), json!(0), json!(502), json!(200)]);
    assert_eq!(stats["byRoute"]["GET /v2/servers/{alias}/{id}"], 4);
}

#[tokio::test]
async fn max_in_flight_counts_requests_handled_at_once() {
    let sb = std::sync::Arc::new(Sandbox::start(200).await);
    let token = sb.login().await;
    sb.faults(r#"{"latencyMs": 1000}"#).await;
    reset_stats(&sb).await;
    let path = format!("/v2/servers/{ALIAS}/{WEB01}");
    let calls: Vec<_> = (0..5)
        .map(|_| {
            let (sb, token, path) = (sb.clone(), token.clone(), path.clone());
            tokio::spawn(async move { sb.get(&path, &token).await.status })
        })
        .collect();
    // While they wait out the latency, all five are in flight.
    let mut seen = 0;
    for _ in 0..100 {
        seen = sb.stats().await["inFlight"].as_u64().unwrap();
        if seen == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(seen, 5);
    for call in calls {
        assert_eq!(call.await.unwrap(), 200);
    }
    let stats = sb.stats().await;
    assert_eq!(stats["maxInFlight"], 5, "{stats}");
    assert_eq!(stats["inFlight"], 0);
    // One at a time stays one.
    reset_stats(&sb).await;
    sb.faults(r#"{"latencyMs": 0}"#).await;
    for _ in 0..3 {
        sb.get(&path, &token).await;
    }
    let stats = sb.stats().await;
    assert_eq!(
        (stats["maxInFlight"].clone(), stats["requests"].clone()),
        (json!(1), json!(3))
    );
}

#[tokio::test]
async fn a_client_that_leaves_early_does_not_stay_in_flight() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    sb.faults(r#"{"latencyMs": 5000}"#).await;
    let path = format!("/v2/servers/{ALIAS}/{WEB01}");
    // Gives up after 300 ms, closing the connection while the sandbox still holds the request.
    let gave_up = tokio::time::timeout(Duration::from_millis(300), sb.get(&path, &token)).await;
    assert!(gave_up.is_err());
    sb.faults(r#"{"latencyMs": 0}"#).await;
    let mut stats = sb.stats().await;
    for _ in 0..200 {
        if stats["inFlight"] == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        stats = sb.stats().await;
    }
    // hyper notices the closed connection and drops the request: counted, ended with no answer.
    assert_eq!(stats["inFlight"], 0, "{stats}");
    let last = stats["log"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last, json!({"method": "GET", "path": path, "status": 0}));
}
