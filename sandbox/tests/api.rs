//! Every endpoint's answer, every job state, and what each operation's success does to the servers.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[tokio::test]
async fn login_answers_the_session_and_a_fresh_token() {
    let sb = Sandbox::start(200).await;
    let body = json!({ "username": USER, "password": PASSWORD }).to_string();
    let reply = sb
        .send("POST", "/v2/authentication/login", None, Some(&body))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json")));
    let session = reply.json();
    let account = &fixture()["accounts"][0];
    assert_eq!(session["userName"], USER);
    assert_eq!(session["accountAlias"], account["alias"]);
    assert_eq!(session["locationAlias"], account["locationAlias"]);
    assert_eq!(session["roles"], account["users"][0]["roles"]);
    let token = session["bearerToken"].as_str().expect("bearerToken");
    assert!(token.len() >= 16, "{token}");

    // Each login is a new token, and each one works.
    let second = sb.login().await;
    assert_ne!(second, token);
    for t in [token, second.as_str()] {
        sb.server(t, WEB01).await;
    }

    // The other account's user gets its own alias.
    let body = json!({ "username": OTHER_USER, "password": OTHER_PASSWORD }).to_string();
    let other = sb
        .send("POST", "/v2/authentication/login", None, Some(&body))
        .await
        .json();
    assert_eq!(other["accountAlias"], OTHER_ALIAS);
}

#[tokio::test]
async fn get_server_describes_the_fixture_server() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    for id in [WEB01, DB02, DB03, OLD01, NGT02] {
        let (seed, group_id) = fixture_server(id);
        // IDs are matched ignoring case, as the service does.
        for asked in [id.to_owned(), id.to_lowercase()] {
            let server = sb.server(&token, &asked).await;
            assert_eq!(server["id"], id);
            assert_eq!(server["name"], id);
            assert_eq!(server["description"], seed["description"]);
            assert_eq!(server["groupId"], group_id.as_str());
            assert_eq!(server["locationId"], "WA1");
            assert_eq!(server["osType"], seed["osType"]);
            assert_eq!(server["status"], seed["status"]);
            assert!(server["type"].is_string() && server["storageType"].is_string());
            let details = &server["details"];
            assert_eq!(details["powerState"], seed["powerState"]);
            assert_eq!(
                details["inMaintenanceMode"],
                seed["inMaintenanceMode"].as_bool().unwrap_or(false)
            );
            for field in ["cpu", "memoryMB", "storageGB"] {
                assert_eq!(details[field], seed[field], "{id} {field}");
            }
            assert_eq!(details["ipAddresses"][0]["internal"], seed["ip"]);
            assert_eq!(details["snapshots"], json!([]));
            let links = server["links"].as_array().expect("links");
            assert!(links
                .iter()
                .any(|l| l["rel"] == "self" && l["href"] == format!("/v2/servers/demo/{id}")));
            assert!(links
                .iter()
                .any(|l| l["rel"] == "group" && l["id"] == group_id.as_str()));
        }
    }
    // The second data center's servers are there too.
    let rpt = sb.server(&token, "VA1DEMORPT01").await;
    assert_eq!(rpt["locationId"], "VA1");
}

#[tokio::test]
async fn get_group_lists_subgroups_server_links_and_counts() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    let seed = fixture_group(GROUP_BATCH);
    let group = sb.group(&token, GROUP_BATCH).await;
    assert_eq!(group["id"], GROUP_BATCH);
    assert_eq!(group["name"], seed["name"]);
    assert_eq!(group["description"], seed["description"]);
    assert_eq!(group["locationId"], "WA1");
    assert_eq!(group["type"], "default");
    assert_eq!(group["status"], "active");
    let nightly = fixture_group(GROUP_NIGHTLY);
    let own = seed["servers"].as_array().unwrap().len();
    let below = nightly["servers"].as_array().unwrap().len();
    assert_eq!(group["serversCount"], own + below);
    let links = group["links"].as_array().expect("links");
    let server_links: Vec<&Value> = links.iter().filter(|l| l["rel"] == "server").collect();
    assert_eq!(server_links.len(), own);
    assert_eq!(server_links[0]["id"], BAT01);
    assert_eq!(server_links[0]["href"], format!("/v2/servers/demo/{BAT01}"));
    assert!(links
        .iter()
        .any(|l| l["rel"] == "parentGroup" && l["id"] == ROOT_WA1));
    let children = group["groups"].as_array().expect("groups");
    assert_eq!(children.len(), 1);
    assert_eq!(children[0]["id"], GROUP_NIGHTLY);
    assert_eq!(children[0]["serversCount"], below);
    let nightly_links: Vec<&Value> = children[0]["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rel"] == "server")
        .collect();
    assert_eq!(nightly_links.len(), below);

    // The archive group has its type; the root group has no parent and counts every server below it.
    let archive = sb.group(&token, "2a5c0b9662cf4fc8bf6180f139facdc2").await;
    assert_eq!(archive["type"], "archive");
    let root = sb.group(&token, ROOT_WA1).await;
    assert!(!root["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "parentGroup"));
    let wa1_servers = active_demo_servers()
        .iter()
        .filter(|id| id.starts_with("WA1"))
        .count()
        + 1; // and the archived one
    assert_eq!(root["serversCount"], wa1_servers);
    // Group IDs are matched ignoring case.
    assert_eq!(
        sb.group(&token, &GROUP_WEB.to_uppercase()).await["id"],
        GROUP_WEB
    );
}

#[tokio::test]
async fn get_data_center_links_its_root_group_when_asked() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    let fixture = fixture();
    for dc in fixture["accounts"][0]["dataCenters"].as_array().unwrap() {
        let id = dc["id"].as_str().unwrap();
        let root = dc["rootGroup"]["id"].as_str().unwrap();
        let reply = sb
            .get(
                &format!("/v2/datacenters/{ALIAS}/{id}?groupLinks=true"),
                &token,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let body = reply.json();
        assert_eq!(body["id"], id);
        assert_eq!(body["name"], dc["name"]);
        let link = body["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "group")
            .unwrap_or_else(|| panic!("no group link in {body}"))
            .clone();
        assert_eq!(link["id"], root);
        assert_eq!(link["name"], dc["rootGroup"]["name"]);
        // The link leads to the root group.
        let href = link["href"].as_str().unwrap();
        assert_eq!(href, format!("/v2/groups/demo/{root}"));
        let group = sb.get(href, &token).await;
        assert_eq!(group.status, 200);
        assert_eq!(group.json()["id"], root);

        // Without groupLinks=true there is no group link; the data center ID ignores case.
        for query in ["", "?groupLinks=false"] {
            let plain = sb
                .get(
                    &format!("/v2/datacenters/{ALIAS}/{}{query}", id.to_lowercase()),
                    &token,
                )
                .await
                .json();
            assert_eq!(plain["id"], id);
            assert!(!plain["links"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["rel"] == "group"));
        }
    }
}

/// Queues `op` on `ids`, checks the servers do not change while the job runs, waits for success and
/// answers the job ID.
async fn run(sb: &Sandbox, token: &str, op: &str, ids: &[&str]) -> String {
    let mut before = Vec::new();
    for id in ids {
        before.push(sb.state(token, id).await);
    }
    let job = sb.queue(token, op, ids).await;
    let mut during = Vec::new();
    for id in ids {
        during.push(sb.state(token, id).await);
    }
    // Statuses only move forward: if the job has not succeeded now, it had not when the servers were read.
    if sb.job_status(token, &job).await != "succeeded" {
        assert_eq!(
            during, before,
            "{op} changed {ids:?} before its job succeeded"
        );
    }
    assert_eq!(sb.finish(token, &job, 10_000).await, "succeeded", "{op}");
    job
}

fn state(power: &str, status: &str, maintenance: bool) -> (String, String, bool) {
    (power.to_owned(), status.to_owned(), maintenance)
}

#[tokio::test]
async fn power_operations_change_the_power_state_when_their_job_succeeds() {
    let sb = Sandbox::start(400).await;
    let token = sb.login().await;
    // (operation, server, power state after); the fixture gives each server's state before.
    let cases = [
        ("shutDown", WEB01, "stopped"),
        ("powerOff", WEB02, "stopped"),
        ("powerOn", WEB03, "started"),
        ("powerOn", DB02, "started"), // paused -> started
        ("pause", DB01, "paused"),
        ("reboot", NGT01, "started"),
        ("reset", DB03, "started"),
    ];
    let mut jobs = Vec::new();
    for (op, id, after) in cases {
        let (seed, _) = fixture_server(id);
        let before = sb.state(&token, id).await;
        assert_eq!(before.0, seed["powerState"], "{id}");
        // Each server in its own job, all running at once.
        jobs.push((op, id, after, sb.queue(&token, op, &[id]).await));
    }
    let distinct: std::collections::HashSet<_> = jobs.iter().map(|j| &j.3).collect();
    assert_eq!(distinct.len(), jobs.len(), "each batch has its own job");
    for (op, id, after, job) in &jobs {
        assert_eq!(sb.finish(&token, job, 10_000).await, "succeeded", "{op}");
        let (seed, _) = fixture_server(id);
        let maintenance = seed["inMaintenanceMode"].as_bool().unwrap_or(false);
        assert_eq!(
            sb.state(&token, id).await,
            state(after, "active", maintenance),
            "{op} {id}"
        );
    }
    // A server no operation touched is as it was.
    assert_eq!(
        sb.state(&token, BAT01).await,
        state("stopped", "active", false)
    );
    // What was done can be undone: the stopped server starts again, the paused one too.
    run(&sb, &token, "powerOn", &[WEB01, DB01]).await;
    assert_eq!(sb.state(&token, WEB01).await.0, "started");
    assert_eq!(sb.state(&token, DB01).await.0, "started");
}

#[tokio::test]
async fn archive_archives_and_stops_the_server() {
    let sb = Sandbox::start(300).await;
    let token = sb.login().await;
    run(&sb, &token, "archive", &[WEB01]).await;
    assert_eq!(
        sb.state(&token, WEB01).await,
        state("stopped", "archived", false)
    );
    // An archived server takes no further operation.
    for op in ["powerOn", "shutDown", "archive", "createSnapshot"] {
        let entities = sb.operate_on(&token, op, &[WEB01]).await;
        assert_eq!(entities[0]["isQueued"], false, "{op}");
        assert_eq!(entities[0]["errorMessage"], NOT_QUEUED);
    }
    assert_eq!(sb.state(&token, WEB02).await.1, "active");
}

#[tokio::test]
async fn create_snapshot_adds_a_snapshot_named_by_its_time() {
    let sb = Sandbox::start(300).await;
    let token = sb.login().await;
    let before = now_secs();
    run(&sb, &token, "createSnapshot", &[WEB01, WEB03]).await;
    let after = now_secs();
    for id in [WEB01, WEB03] {
        let server = sb.server(&token, id).await;
        let snapshots = server["details"]["snapshots"].as_array().unwrap().clone();
        assert_eq!(snapshots.len(), 1, "{server}");
        let name = snapshots[0]["name"].as_str().unwrap();
        let time = snapshot_time(name).unwrap_or_else(|| panic!("bad snapshot name {name}"));
        // Named when the job succeeded, in UTC.
        assert!(
            before <= time && time <= after,
            "{name} ({time}) not in {before}..={after}"
        );
        assert!(snapshots[0]["links"]
            .as_array()
            .is_some_and(|l| !l.is_empty()));
        // Taking a snapshot does not change the power state.
        let (seed, _) = fixture_server(id);
        assert_eq!(server["details"]["powerState"], seed["powerState"]);
    }
    // The service keeps one snapshot per server: a new one replaces the old.
    sb.advance(1100).await;
    let first = sb.server(&token, WEB01).await["details"]["snapshots"][0]["name"].clone();
    run(&sb, &token, "createSnapshot", &[WEB01]).await;
    let snapshots = sb.server(&token, WEB01).await["details"]["snapshots"].clone();
    assert_eq!(snapshots.as_array().unwrap().len(), 1);
    assert_ne!(snapshots[0]["name"], first);
    // A server with no snapshot job has none.
    assert_eq!(
        sb.server(&token, WEB02).await["details"]["snapshots"],
        json!([])
    );
}

#[tokio::test]
async fn maintenance_operations_set_and_clear_the_flag() {
    let sb = Sandbox::start(300).await;
    let token = sb.login().await;
    assert!(!sb.state(&token, WEB01).await.2);
    assert!(sb.state(&token, DB03).await.2);
    run(&sb, &token, "startMaintenance", &[WEB01]).await;
    run(&sb, &token, "stopMaintenance", &[DB03]).await;
    assert_eq!(
        sb.state(&token, WEB01).await,
        state("started", "active", true)
    );
    assert_eq!(
        sb.state(&token, DB03).await,
        state("started", "active", false)
    );
    run(&sb, &token, "stopMaintenance", &[WEB01]).await;
    assert!(!sb.state(&token, WEB01).await.2);
}

/// When a status was seen, relative to when the job could have been created.
struct Seen {
    status: String,
    /// The earliest and latest time since the job's creation that the answer can be from.
    elapsed: (Duration, Duration),
}

#[tokio::test]
async fn jobs_go_from_not_started_to_executing_to_succeeded_over_their_duration() {
    const JOB_MS: u64 = 1000;
    let sb = Sandbox::start(JOB_MS).await;
    let token = sb.login().await;
    let sent = Instant::now();
    let job = sb.queue(&token, "shutDown", &[WEB01]).await;
    let answered = Instant::now();
    let mut seen: Vec<Seen> = Vec::new();
    while seen.last().is_none_or(|s| s.status != "succeeded") {
        let asked = Instant::now();
        let status = sb.job_status(&token, &job).await;
        let got = Instant::now();
        seen.push(Seen {
            status,
            elapsed: (asked - answered, got - sent),
        });
        assert!(sent.elapsed() < Duration::from_secs(10), "never succeeded");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let duration = Duration::from_millis(JOB_MS);
    let order = ["notStarted", "executing", "succeeded"];
    let mut last = 0;
    for s in &seen {
        let rank = order
            .iter()
            .position(|o| *o == s.status)
            .unwrap_or_else(|| panic!("unexpected status {}", s.status));
        assert!(rank >= last, "went back to {}", s.status);
        last = rank;
        let (earliest, latest) = s.elapsed;
        match s.status.as_str() {
            "notStarted" => assert!(earliest < duration / 10, "notStarted at {earliest:?}"),
            "executing" => assert!(
                latest >= duration / 10 && earliest < duration,
                "executing at {earliest:?}..{latest:?}"
            ),
            _ => assert!(
                latest >= duration,
                "succeeded at {latest:?}, before {duration:?}"
            ),
        }
    }
    assert!(
        seen.iter().any(|s| s.status == "executing"),
        "never seen executing"
    );
    // A final status stays final.
    assert_eq!(sb.job_status(&token, &job).await, "succeeded");
    assert_eq!(sb.state(&token, WEB01).await.0, "stopped");
}

#[tokio::test]
async fn a_fresh_job_has_not_started_and_the_job_id_ignores_case() {
    let sb = Sandbox::start(600_000).await;
    let token = sb.login().await;
    let job = sb.queue(&token, "pause", &[WEB01]).await;
    assert_eq!(sb.job_status(&token, &job).await, "notStarted");
    assert_eq!(
        sb.job_status(&token, &job.to_uppercase()).await,
        "notStarted"
    );
    // The job ID names the data center of its servers, lower-cased.
    assert!(job.starts_with("wa1-"), "{job}");
    let va1 = sb.queue(&token, "pause", &["VA1DEMORPT01"]).await;
    assert!(va1.starts_with("va1-"), "{va1}");
    // Nothing changes while it waits.
    assert_eq!(sb.state(&token, WEB01).await.0, "started");
}

#[tokio::test]
async fn archive_group_archives_the_group_its_subgroups_and_their_servers() {
    let sb = Sandbox::start(300).await;
    let token = sb.login().await;
    let reply = sb
        .post(
            &format!("/v2/groups/{ALIAS}/{GROUP_BATCH}/archive"),
            &token,
            "",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let link = reply.json();
    assert_eq!(link["rel"], "status");
    let job = link["id"].as_str().expect("id").to_owned();
    assert_eq!(
        link["href"],
        format!("/v2/operations/{}/status/{job}", ALIAS.to_lowercase())
    );
    // Nothing is archived before the job succeeds (statuses only move forward: if it has not succeeded
    // after the reads, it had not during them).
    let group_during = sb.group(&token, GROUP_BATCH).await["status"].clone();
    let server_during = sb.state(&token, NGT01).await.1;
    if sb.job_status(&token, &job).await != "succeeded" {
        assert_eq!(group_during, "active");
        assert_eq!(server_during, "active");
    }
    assert_eq!(sb.finish(&token, &job, 10_000).await, "succeeded");
    for group in [GROUP_BATCH, GROUP_NIGHTLY] {
        assert_eq!(
            sb.group(&token, group).await["status"],
            "archived",
            "{group}"
        );
    }
    let batch = sb.group(&token, GROUP_BATCH).await;
    assert_eq!(batch["groups"][0]["status"], "archived");
    for id in [BAT01, NGT01, NGT02] {
        assert_eq!(
            sb.state(&token, id).await,
            state("stopped", "archived", false),
            "{id}"
        );
    }
    // Its neighbours are untouched.
    assert_eq!(sb.group(&token, GROUP_WEB).await["status"], "active");
    assert_eq!(
        sb.state(&token, WEB01).await,
        state("started", "active", false)
    );
    assert_eq!(sb.group(&token, ROOT_WA1).await["status"], "active");

    // Archiving it again, or archiving a root group, is refused with a message.
    for group in [GROUP_BATCH, GROUP_NIGHTLY, ROOT_WA1] {
        let again = sb
            .post(&format!("/v2/groups/{ALIAS}/{group}/archive"), &token, "")
            .await;
        assert_eq!(again.status, 400, "{group}: {}", again.text);
        assert!(!again.message().is_empty());
    }
}

#[tokio::test]
async fn archive_group_of_a_leaf_group_leaves_its_parent() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    let job = sb.archive_group(&token, GROUP_NIGHTLY).await;
    assert_eq!(sb.finish(&token, &job, 10_000).await, "succeeded");
    assert_eq!(sb.group(&token, GROUP_NIGHTLY).await["status"], "archived");
    assert_eq!(sb.group(&token, GROUP_BATCH).await["status"], "active");
    assert_eq!(sb.state(&token, BAT01).await.1, "active");
    assert_eq!(sb.state(&token, NGT02).await.1, "archived");
}

#[tokio::test]
async fn sandbox_reset_restores_the_fixture_and_forgets_tokens_jobs_and_faults() {
    let sb = Sandbox::start(100).await;
    let token = sb.login().await;
    run(&sb, &token, "archive", &[WEB01]).await;
    let job = sb.queue(&token, "startMaintenance", &[WEB02]).await;
    sb.finish(&token, &job, 10_000).await;
    sb.faults(
        r#"{"latencyMs":5,"jobs":"fail","jobMs":50,"retryAfterSecs":9,"retryAfterForm":"date"}"#,
    )
    .await;

    let reply = sb.send("POST", "/sandbox/reset", None, Some("")).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    // Old tokens are gone; a new login sees the fixture again.
    assert_eq!(
        sb.get(&format!("/v2/servers/{ALIAS}/{WEB01}"), &token)
            .await
            .status,
        401
    );
    let token = sb.login().await;
    assert_eq!(
        sb.state(&token, WEB01).await,
        state("started", "active", false)
    );
    assert!(!sb.state(&token, WEB02).await.2);
    let gone = sb
        .get(&format!("/v2/operations/{ALIAS}/status/{job}"), &token)
        .await;
    assert_eq!(gone.status, 404);
    let faults = sb.send("GET", "/sandbox/faults", None, None).await.json();
    assert_eq!(
        faults,
        json!({
            "latencyMs": 0, "errorRate": 0.0, "failNext": [], "jobs": "normal", "jobMs": 100,
            "retryAfterSecs": 1, "retryAfterForm": "seconds",
        })
    );
}
