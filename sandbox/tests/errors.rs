//! Every error answer of the emulated API: credentials, tokens, other accounts, bad bodies, unknown
//! resources, servers that cannot be queued, and the shape of batch answers.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test]
async fn bad_credentials_get_the_documented_400() {
    let sb = Sandbox::start(200).await;
    let bodies = [
        json!({ "username": USER, "password": "wrong" }),
        json!({ "username": "nobody", "password": PASSWORD }),
        json!({ "username": USER, "password": PASSWORD.to_uppercase() }),
        json!({ "username": USER, "password": OTHER_PASSWORD }), // another user's password
        json!({ "username": USER }),
        json!({}),
        json!({ "username": 7, "password": [] }),
    ];
    for body in bodies {
        let reply = sb
            .send(
                "POST",
                "/v2/authentication/login",
                None,
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        assert_eq!(reply.json(), json!({ "message": BAD_LOGIN }), "{body}");
    }
    // A body that is not JSON is a bad request in the validation form.
    let reply = sb
        .send("POST", "/v2/authentication/login", None, Some("user=demo"))
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.json()["modelState"].is_object(), "{}", reply.text);
}

/// Every authenticated route, as (method, path, body).
fn routes(alias: &str) -> Vec<(&'static str, String, &'static str)> {
    vec![
        (
            "POST",
            format!("/v2/operations/{alias}/servers/shutDown"),
            r#"["WA1DEMOWEB01"]"#,
        ),
        (
            "GET",
            format!("/v2/operations/{alias}/status/wa1-81351"),
            "",
        ),
        ("GET", format!("/v2/servers/{alias}/WA1DEMOWEB01"), ""),
        ("GET", format!("/v2/groups/{alias}/{GROUP_WEB}"), ""),
        (
            "POST",
            format!("/v2/groups/{alias}/{GROUP_WEB}/archive"),
            "",
        ),
        (
            "GET",
            format!("/v2/datacenters/{alias}/WA1?groupLinks=true"),
            "",
        ),
    ]
}

#[tokio::test]
async fn calls_without_a_valid_token_get_401() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    for (method, path, body) in routes(ALIAS) {
        let headers: [Option<String>; 6] = [
            None,
            Some("Bearer".into()),
            Some("Bearer ".into()),
            Some("Bearer sbx.not-a-token".into()),
            Some(format!("Bearer {token}x")),
            Some(format!("Basic {token}")), // the right token in the wrong scheme
        ];
        for header in headers {
            let extra: Vec<(&str, &str)> = header
                .as_deref()
                .map(|h| vec![("Authorization", h)])
                .unwrap_or_default();
            let reply = sb.send_with(method, &path, None, Some(body), &extra).await;
            assert_eq!(
                reply.status, 401,
                "{method} {path} {header:?}: {}",
                reply.text
            );
            assert!(!reply.message().is_empty());
        }
    }
    // Nothing was queued by those calls.
    assert_eq!(sb.state(&token, WEB01).await.0, "started");
}

#[tokio::test]
async fn an_expired_token_gets_401_and_a_new_login_works() {
    let mut setup = Setup::new(200);
    setup.token_ttl = Duration::from_millis(1500);
    let sb = Sandbox::start_with(setup).await;
    let token = sb.login().await;
    let path = format!("/v2/servers/{ALIAS}/{WEB01}");
    assert_eq!(sb.get(&path, &token).await.status, 200);
    // Just before the end it still works; at the end it does not (the clock moves, nobody waits).
    sb.advance(1400).await;
    assert_eq!(sb.get(&path, &token).await.status, 200);
    sb.advance(200).await;
    for (method, path, body) in routes(ALIAS) {
        let reply = sb.send(method, &path, Some(&token), Some(body)).await;
        assert_eq!(reply.status, 401, "{method} {path}: {}", reply.text);
    }
    let fresh = sb.login().await;
    assert_eq!(sb.get(&path, &fresh).await.status, 200);
}

#[tokio::test]
async fn another_accounts_alias_gets_403() {
    let sb = Sandbox::start(200).await;
    let demo = sb.login().await;
    let other = sb.login_as(OTHER_USER, OTHER_PASSWORD).await;
    for (alias, token) in [(OTHER_ALIAS, &demo), (ALIAS, &other), ("NOPE", &demo)] {
        for (method, path, body) in routes(alias) {
            let reply = sb.send(method, &path, Some(token), Some(body)).await;
            assert_eq!(reply.status, 403, "{method} {path}: {}", reply.text);
            assert!(!reply.message().is_empty());
        }
    }
    // The alias itself is matched ignoring case: the lower-cased one in status links works.
    let reply = sb.get(&format!("/v2/servers/demo/{WEB01}"), &demo).await;
    assert_eq!(reply.status, 200);
    // And the other account's server is out of reach under one's own alias too.
    let reply = sb
        .get(&format!("/v2/servers/{ALIAS}/{OTHER_APP01}"), &demo)
        .await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn snapshot_days_outside_1_to_10_get_400_in_the_model_state_form() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    let bad: [Value; 11] = [
        json!(0),
        json!(11),
        json!(-1),
        json!(7.5),
        json!("7.5"),
        json!("seven"),
        json!(""),
        json!(null),
        json!(true),
        json!([7]),
        json!(1e300),
    ];
    for days in bad {
        let body = json!({ "snapshotExpirationDays": days, "serverIds": [WEB01] });
        let reply = sb
            .operate(&token, "createSnapshot", &body.to_string())
            .await;
        assert_eq!(reply.status, 400, "{days}: {}", reply.text);
        let body = reply.json();
        assert_eq!(body["message"], "The request is invalid.");
        let field = &body["modelState"]["body.snapshotExpirationDays"];
        assert!(
            field
                .as_array()
                .is_some_and(|m| !m.is_empty() && m[0].is_string()),
            "{days}: {body}"
        );
    }
    let missing = json!({ "serverIds": [WEB01] });
    let reply = sb
        .operate(&token, "createSnapshot", &missing.to_string())
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.json()["modelState"]["body.snapshotExpirationDays"].is_array());
    // Refused batches queue nothing.
    assert_eq!(
        sb.server(&token, WEB01).await["details"]["snapshots"],
        json!([])
    );

    // The bounds themselves, and the documented string form, are accepted.
    for days in [json!(1), json!(10), json!("7"), json!(7.0)] {
        let body = json!({ "snapshotExpirationDays": days, "serverIds": [WEB01] });
        let reply = sb
            .operate(&token, "createSnapshot", &body.to_string())
            .await;
        assert_eq!(reply.status, 200, "{days}: {}", reply.text);
        assert_eq!(reply.json()[0]["isQueued"], true);
    }
    // Good days but no server list is refused too, naming the field.
    for body in [
        json!({ "snapshotExpirationDays": 5 }),
        json!({ "snapshotExpirationDays": 5, "serverIds": [] }),
        json!({ "snapshotExpirationDays": 5, "serverIds": WEB01 }),
        json!([WEB01]),
    ] {
        let reply = sb
            .operate(&token, "createSnapshot", &body.to_string())
            .await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        assert!(reply.json()["modelState"].is_object(), "{body}");
    }
}

#[tokio::test]
async fn bad_bodies_get_400_in_the_model_state_form() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    let bodies = [
        "",
        "[",
        "not json",
        "[\"WA1DEMOWEB01\",]",
        "{}",
        "\"WA1DEMOWEB01\"",
        "[]",
        "[1, 2]",
        "[\"\"]",
        "[\"WA1DEMOWEB01\", null]",
        "{\"serverIds\": [\"WA1DEMOWEB01\"]}",
    ];
    for op in ["shutDown", "archive", "powerOn"] {
        for body in bodies {
            let reply = sb.operate(&token, op, body).await;
            assert_eq!(reply.status, 400, "{op} {body:?}: {}", reply.text);
            let json = reply.json();
            assert_eq!(json["message"], "The request is invalid.", "{body:?}");
            assert!(json["modelState"].is_object(), "{body:?}: {json}");
        }
    }
    // None of them queued anything.
    assert_eq!(
        sb.state(&token, WEB01).await,
        ("started".into(), "active".into(), false)
    );
}

#[tokio::test]
async fn unknown_resources_get_404_with_a_message() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    let paths = [
        format!("/v2/groups/{ALIAS}/ffffffffffffffffffffffffffffffff"),
        format!("/v2/groups/{ALIAS}/not-a-group"),
        format!("/v2/servers/{ALIAS}/WA1DEMONOPE01"),
        format!("/v2/operations/{ALIAS}/status/wa1-1"),
        format!("/v2/operations/{ALIAS}/status/nonsense"),
        format!("/v2/datacenters/{ALIAS}/XX9"),
    ];
    for path in &paths {
        let reply = sb.get(path, &token).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.text);
        assert!(!reply.message().is_empty());
    }
    let reply = sb
        .post(
            &format!("/v2/groups/{ALIAS}/ffffffffffffffffffffffffffffffff/archive"),
            &token,
            "",
        )
        .await;
    assert_eq!(reply.status, 404, "{}", reply.text);

    // Another account's job is not found under one's own alias.
    let other = sb.login_as(OTHER_USER, OTHER_PASSWORD).await;
    let reply = sb
        .post(
            &format!("/v2/operations/{OTHER_ALIAS}/servers/pause"),
            &other,
            &json!([OTHER_APP01]).to_string(),
        )
        .await;
    let job = reply.json()[0]["links"][0]["id"]
        .as_str()
        .expect("a job")
        .to_owned();
    assert_eq!(
        sb.get(
            &format!("/v2/operations/{OTHER_ALIAS}/status/{job}"),
            &other
        )
        .await
        .status,
        200
    );
    let reply = sb
        .get(&format!("/v2/operations/{ALIAS}/status/{job}"), &token)
        .await;
    assert_eq!(reply.status, 404, "{}", reply.text);
}

#[tokio::test]
async fn unknown_and_not_allowed_servers_are_not_queued_with_the_documented_message() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    // (operation, server): unknown servers, the other account's server, and states that do not allow it.
    let cases = [
        ("shutDown", "WA1DEMONOPE01"),
        ("powerOn", "nope"),
        ("shutDown", OTHER_APP01),
        ("shutDown", OLD01), // archived
        ("powerOn", OLD01),
        ("archive", OLD01),
        ("startMaintenance", OLD01),
        ("createSnapshot", OLD01),
        ("shutDown", WEB03), // already stopped
        ("powerOff", WEB03),
        ("powerOn", WEB01), // already started
        ("pause", WEB03),   // stopped servers cannot pause
        ("pause", DB02),    // already paused
        ("reboot", WEB03),  // stopped servers cannot reboot or reset
        ("reset", DB02),
    ];
    for (op, id) in cases {
        let entities = sb.operate_on(&token, op, &[id]).await;
        assert_eq!(entities.len(), 1, "{op} {id}");
        let e = &entities[0];
        assert_eq!(e["server"], id.to_lowercase(), "{op} {id}");
        assert_eq!(e["isQueued"], false, "{op} {id}: {e}");
        assert_eq!(e["errorMessage"], NOT_QUEUED, "{op} {id}");
        assert!(
            e["links"].as_array().is_none_or(|l| l.is_empty()),
            "{op} {id}: a job for nothing: {e}"
        );
    }
    // The archived server is still as the fixture has it.
    assert_eq!(
        sb.state(&token, OLD01).await,
        ("stopped".into(), "archived".into(), false)
    );
}

#[tokio::test]
async fn a_batch_shares_one_job_and_answers_lower_cased_names_out_of_order() {
    let sb = Sandbox::start(300).await;
    let token = sb.login().await;
    let queued = [WEB01, "wa1demoweb02", DB01, "Wa1DemoNgt01"];
    let refused = ["WA1DEMONOPE01", OLD01];
    let request: Vec<&str> = vec![
        queued[0], refused[0], queued[1], queued[2], refused[1], queued[3],
    ];
    let entities = sb.operate_on(&token, "shutDown", &request).await;
    assert_eq!(entities.len(), request.len(), "one entity per server");
    let names: Vec<&str> = entities
        .iter()
        .map(|e| e["server"].as_str().expect("server"))
        .collect();
    let lowered: Vec<String> = request.iter().map(|id| id.to_lowercase()).collect();
    assert!(names.iter().all(|n| *n == n.to_lowercase()), "{names:?}");
    let as_set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<HashSet<_>>();
    assert_eq!(
        as_set(&names),
        lowered.iter().cloned().collect::<HashSet<_>>()
    );
    assert_ne!(
        names,
        lowered.iter().map(String::as_str).collect::<Vec<_>>(),
        "the order is the request's"
    );
    let mut jobs = HashSet::new();
    for e in &entities {
        let name = e["server"].as_str().unwrap();
        let should_queue = queued.iter().any(|q| q.eq_ignore_ascii_case(name));
        assert_eq!(e["isQueued"], should_queue, "{e}");
        if should_queue {
            jobs.insert(job_of(e));
            assert!(e.get("errorMessage").is_none_or(Value::is_null), "{e}");
        } else {
            assert_eq!(e["errorMessage"], NOT_QUEUED);
        }
    }
    assert_eq!(jobs.len(), 1, "one job for the batch: {jobs:?}");
    let job = jobs.into_iter().next().unwrap();
    assert_eq!(sb.finish(&token, &job, 10_000).await, "succeeded");
    // The one job did the whole batch.
    for id in queued {
        assert_eq!(sb.state(&token, id).await.0, "stopped", "{id}");
    }

    // Two batches are two jobs.
    let a = sb.queue(&token, "powerOn", &[WEB01]).await;
    let b = sb.queue(&token, "powerOn", &[DB01]).await;
    assert_ne!(a, b);
}
