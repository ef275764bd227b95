#![cfg(not(target_arch = "wasm32"))]
//! Decoding: every success shape and every error form the service, ASP.NET and proxies send.

use clc_wasm::model::*;
use clc_wasm::response::{decode, Body};
use clc_wasm::shape::{self, Shape};
use clc_wasm::{Error, ErrorKind};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// A model type and the shape the SDK checks its answers against.
trait Answer: DeserializeOwned {
    const SHAPE: &'static Shape;
}

impl Answer for Vec<ServerOperation> {
    const SHAPE: &'static Shape = &shape::SERVER_OPERATIONS;
}
impl Answer for StatusLink {
    const SHAPE: &'static Shape = &shape::STATUS_LINK;
}
impl Answer for StatusResponse {
    const SHAPE: &'static Shape = &shape::STATUS;
}
impl Answer for LoginResponse {
    const SHAPE: &'static Shape = &shape::LOGIN;
}
impl Answer for Server {
    const SHAPE: &'static Shape = &shape::SERVER;
}
impl Answer for Group {
    const SHAPE: &'static Shape = &shape::GROUP;
}
impl Answer for DataCenter {
    const SHAPE: &'static Shape = &shape::DATA_CENTER;
}

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

/// A checked success answer, read by serde: what the shape accepts, serde must read.
fn ok<T: Answer>(text: &str) -> T {
    let value = decode(200, body(text), T::SHAPE).unwrap();
    serde_json::from_value(value).expect("serde reads what the shape accepted")
}

fn err<T: Answer>(status: u16, text: &str) -> Error {
    decode(status, body(text), T::SHAPE).unwrap_err()
}

const DOC_BATCH: &str = r#"[
  {"server":"wa1aliaswb01","isQueued":true,"links":[{"rel":"status","href":"/v2/operations/alias/status/wa1-12345","id":"wa1-12345"}]},
  {"server":"wa1aliaswb02","isQueued":false,"errorMessage":"The operation cannot be queued because the server cannot be found or it is not in a valid state."}
]"#;

#[test]
fn the_documents_batch_example() {
    let ops: Vec<ServerOperation> = ok(DOC_BATCH);
    assert_eq!(ops.len(), 2);
    assert_eq!(ops[0].server, "wa1aliaswb01");
    assert!(ops[0].is_queued);
    assert_eq!(ops[0].status_id(), Some("wa1-12345"));
    assert_eq!(ops[0].error_message, None);
    assert!(!ops[1].is_queued);
    assert!(ops[1].links.is_empty());
    assert_eq!(ops[1].status_id(), None);
    assert!(ops[1]
        .error_message
        .as_deref()
        .unwrap()
        .starts_with("The operation cannot be queued"));
}

#[test]
fn real_traffic_lower_cased_reordered_one_job_and_extra_fields() {
    let text = json!([
        {"server": "de1altdweb582", "isQueued": true, "extra": {"x": 1},
         "links": [{"rel": "status", "href": "/v2/operations/altd/status/de1-81351", "id": "de1-81351", "verbs": ["GET"]}]},
        {"server": "de1altdweb580", "isQueued": true,
         "links": [{"rel": "self", "href": "/v2/servers/altd/de1altdweb580"},
                   {"rel": "status", "href": "/v2/operations/altd/status/de1-81351"}]},
    ])
    .to_string();
    let ops: Vec<ServerOperation> = ok(&text);
    assert_eq!(ops[0].status_id(), Some("de1-81351"));
    // No id: the href's last segment is the job.
    assert_eq!(ops[1].status_id(), Some("de1-81351"));
}

#[test]
fn status_links_and_statuses() {
    let link: StatusLink =
        ok(r#"{"rel":"status","href":"/v2/operations/alias/status/wa1-12345","id":"wa1-12345"}"#);
    assert_eq!(link.status_id(), Some("wa1-12345"));
    for (text, status) in [
        ("notStarted", JobStatus::NotStarted),
        ("executing", JobStatus::Executing),
        ("succeeded", JobStatus::Succeeded),
        ("failed", JobStatus::Failed),
        ("resumed", JobStatus::Resumed),
        ("unknown", JobStatus::Unknown),
        ("paused", JobStatus::Other("paused".into())),
        ("", JobStatus::Other(String::new())),
    ] {
        let reply: StatusResponse = ok(&json!({ "status": text }).to_string());
        assert_eq!(reply.status, status);
        assert_eq!(reply.status.as_str(), text);
        assert_eq!(serde_json::to_value(&reply.status).unwrap(), json!(text));
    }
    assert!(JobStatus::Succeeded.is_final() && JobStatus::Failed.is_final());
    assert!(!JobStatus::Executing.is_final() && !JobStatus::Other("x".into()).is_final());
}

#[test]
fn login_answer_splits_into_session_and_token() {
    let text = r#"{"userName":"user@example.com","accountAlias":"ALIAS","locationAlias":"WA1",
                   "roles":["AccountAdmin","ServerAdmin"],"bearerToken":"[LONG TOKEN VALUE]"}"#;
    let login: LoginResponse = ok(text);
    assert!(!format!("{login:?}").contains("LONG TOKEN"));
    let (session, token) = login.into_parts();
    assert_eq!(token.expose(), "[LONG TOKEN VALUE]");
    assert_eq!(session.roles, ["AccountAdmin", "ServerAdmin"]);
    let shown = serde_json::to_string(&session).unwrap();
    assert!(!shown.contains("TOKEN"), "{shown}");
    assert_eq!(
        shown,
        r#"{"userName":"user@example.com","accountAlias":"ALIAS","locationAlias":"WA1","roles":["AccountAdmin","ServerAdmin"]}"#
    );
}

#[test]
fn a_malformed_login_answer_never_echoes_the_token() {
    for text in [
        r#"{"userName":"u","accountAlias":"A","roles":"SECRET-TOKEN","bearerToken":"SECRET-TOKEN"}"#,
        r#"{"userName":"u","accountAlias":"A","bearerToken":["SECRET-TOKEN"]}"#,
        r#"{"userName":"u","accountAlias":"SECRET-TOKEN"}"#,
        r#"["SECRET-TOKEN"]"#,
    ] {
        let e = err::<LoginResponse>(200, text);
        assert_eq!(e.kind, ErrorKind::Decode);
        assert!(!e.message.contains("SECRET"), "{}", e.message);
    }
}

#[test]
fn servers_groups_and_data_centers_decode_with_optional_fields_missing() {
    let server: Server = ok(r#"{"id":"WA1ALIASWB01","name":"WA1ALIASWB01"}"#);
    assert_eq!(server.details, None);
    let server: Server = ok(&json!({
        "id": "WA1ALIASWB01", "name": "WA1ALIASWB01", "type": "standard", "status": "active",
        "details": {"powerState": "started", "inMaintenanceMode": false, "cpu": 2, "memoryMB": 4096,
                    "storageGB": 40, "ipAddresses": [{"internal": "10.0.0.1"}],
                    "snapshots": [{"name": "2026-11-22.10:00:00", "links": []}], "customFields": []},
        "links": [{"rel": "self", "href": "/v2/servers/alias/WA1ALIASWB01"}]
    })
    .to_string());
    let details = server.details.unwrap();
    assert_eq!(details.power_state.as_deref(), Some("started"));
    assert_eq!(details.memory_mb, Some(4096.0));
    assert_eq!(details.snapshots[0].name, "2026-11-22.10:00:00");
    assert_eq!(server.server_type.as_deref(), Some("standard"));

    let group: Group = ok(&json!({
        "id": "2a5c0b9662cf4fc8bf6180f139facdc0", "name": "Web", "type": "default", "serversCount": 3,
        "groups": [{"id": "2a5c0b9662cf4fc8bf6180f139facdc1", "name": "Child"}],
        "links": [{"rel": "server", "href": "/v2/servers/alias/WA1ALIASWB01", "id": "WA1ALIASWB01"}]
    })
    .to_string());
    assert_eq!(group.groups[0].name, "Child");
    assert_eq!(group.group_type.as_deref(), Some("default"));
    let back = serde_json::to_value(&group).unwrap();
    assert_eq!(back["type"], "default");
    assert!(
        back.get("description").is_none(),
        "absent fields stay absent: {back}"
    );

    let dc: DataCenter = ok(
        r#"{"id":"WA1","name":"US West","links":[{"rel":"group","href":"/v2/groups/a/x","id":"x"}]}"#,
    );
    assert_eq!(dc.links[0].rel, "group");
}

#[test]
fn success_with_a_wrong_shape_is_a_decode_error() {
    for (status, text) in [
        (200, ""),
        (200, "{\"status\":\"exec"),
        (200, "<html></html>"),
        (200, "{}"),
        (204, ""),
    ] {
        let e = err::<StatusResponse>(status, text);
        assert_eq!(e.kind, ErrorKind::Decode, "{text}");
        assert_eq!(e.status, Some(status));
    }
    let e = err::<Vec<ServerOperation>>(200, r#"{"message":"not a list"}"#);
    assert_eq!(e.kind, ErrorKind::Decode);
}

#[test]
fn error_statuses_map_to_kinds() {
    for (status, kind) in [
        (400, ErrorKind::Http),
        (401, ErrorKind::Unauthorized),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::Http),
        (429, ErrorKind::Http),
        (500, ErrorKind::Http),
        (502, ErrorKind::Http),
        (301, ErrorKind::Http),
        (0, ErrorKind::Http),
    ] {
        let e = err::<StatusResponse>(status, r#"{"message":"m"}"#);
        assert_eq!(
            (e.kind, e.status, e.message.as_str()),
            (kind, Some(status), "m")
        );
    }
}

#[test]
fn the_documented_message_form() {
    let e = err::<LoginResponse>(
        400,
        r#"{"message":"We didn't recognize the username or password you entered. Please try again."}"#,
    );
    assert_eq!(
        e.message,
        "We didn't recognize the username or password you entered. Please try again."
    );
    assert!(e.details.is_empty());
}

#[test]
fn the_aspnet_model_state_form() {
    let e = err::<Vec<ServerOperation>>(
        400,
        r#"{"message":"The request is invalid.","modelState":{
            "body.snapshotExpirationDays":["The field snapshotExpirationDays must be between 1 and 10."],
            "body.serverIds":["Required.", "Must not be empty."]}}"#,
    );
    assert_eq!(e.details.len(), 3);
    // serde_json sorts keys (JS keeps them in order), so look fields up rather than rely on order.
    let messages = |field: &str| -> Vec<&str> {
        e.details
            .iter()
            .filter(|d| d.field == field)
            .map(|d| d.message.as_str())
            .collect()
    };
    assert_eq!(
        messages("body.serverIds"),
        ["Required.", "Must not be empty."]
    );
    assert_eq!(
        messages("body.snapshotExpirationDays"),
        ["The field snapshotExpirationDays must be between 1 and 10."]
    );
    let e = err::<Vec<ServerOperation>>(
        400,
        r#"{"message":"The request is invalid.","modelState":{"body.snapshotExpirationDays":["Between 1 and 10."]}}"#,
    );
    assert_eq!(
        e.message,
        "The request is invalid. body.snapshotExpirationDays: Between 1 and 10."
    );
    // Odd shapes inside modelState are skipped, not fatal.
    let e = err::<StatusResponse>(
        400,
        r#"{"message":"bad","modelState":{"a":"one","b":7,"c":{"x":1},"d":null}}"#,
    );
    assert_eq!(e.details.len(), 1);
    assert_eq!(e.details[0].message, "one");
}

#[test]
fn the_aspnet_exception_form() {
    let e = err::<StatusResponse>(
        500,
        r#"{"message":"An error has occurred.","exceptionMessage":"Object reference not set.","exceptionType":"System.NullReferenceException","stackTrace":"   at X.Y()"}"#,
    );
    assert_eq!(
        e.message,
        "An error has occurred. (Object reference not set.)"
    );
    assert!(!e.message.contains("at X.Y"));
    assert!(e.is_transient());
}

#[test]
fn other_error_forms() {
    let cases = [
        (r#"{"error":"invalid_token"}"#, "invalid_token"),
        (r#"["first problem","second problem"]"#, "first problem; second problem"),
        (r#""just a string""#, "just a string"),
        (r#"{"Message":"Pascal case"}"#, "Pascal case"),
        (r#"{"message":["a","b"]}"#, "a; b"),
        ("", "HTTP 503 Service Unavailable"),
        ("{}", "HTTP 503 Service Unavailable"),
        ("null", "HTTP 503 Service Unavailable"),
        ("42", "HTTP 503 Service Unavailable"),
        (r#"{"message":""}"#, "HTTP 503 Service Unavailable"),
        ("{\"message\":\"trunc", "HTTP 503 Service Unavailable: {\"message\":\"trunc"),
        (
            "<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>down</h1></body></html>",
            "HTTP 503 Service Temporarily Unavailable",
        ),
        ("<html><body><h1>Bad\n\tthing</h1></body></html>", "HTTP 503 Service Unavailable: Bad thing"),
        ("<title>5030 things</title>", "HTTP 503 Service Unavailable: 5030 things"),
    ];
    for (text, message) in cases {
        let e = err::<StatusResponse>(503, text);
        assert_eq!(e.message, message, "{text}");
        assert_eq!(e.status, Some(503));
    }
    assert_eq!(err::<StatusResponse>(599, "").message, "HTTP 599");
}

#[test]
fn long_bodies_are_cut() {
    let long = "x".repeat(10_000);
    let e = err::<StatusResponse>(500, &json!({ "message": long }).to_string());
    assert!(e.message.chars().count() <= 501);
    let e = err::<StatusResponse>(502, &format!("<html><title>{long}</title></html>"));
    assert!(e.message.chars().count() < 200);
}

#[test]
fn transient_errors_are_the_retryable_reads() {
    let transient = |status| err::<StatusResponse>(status, "").is_transient();
    assert!(transient(500) && transient(502) && transient(503) && transient(429) && transient(408));
    assert!(!transient(400) && !transient(401) && !transient(403) && !transient(404));
    assert!(Error::network("down").is_transient());
    assert!(!Error::timeout(5.0).is_transient() && !Error::aborted().is_transient());
    assert!(!err::<StatusResponse>(200, "").is_transient());
}

#[test]
fn secrets_can_be_scrubbed_from_any_error() {
    let e = err::<StatusResponse>(
        400,
        r#"{"message":"token tok-9 is bad","modelState":{"tok-9":["has tok-9"]}}"#,
    )
    .without_secrets(&["tok-9"])
    .without_secrets(&[""]);
    assert!(!format!("{e:?}").contains("tok-9"), "{e:?}");
    // A short secret found whole withholds the whole text (clc_wasm::redact).
    assert_eq!(e.message, clc_wasm::redact::WITHHELD);
}
