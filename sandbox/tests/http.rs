//! The HTTP layer around the API: CORS, the body size limit, unknown routes and wrong methods, the
//! static files of the demo, and caching headers.

mod common;

use clc_sandbox::http::BODY_LIMIT;
use common::*;
use serde_json::json;

const ORIGIN: &str = "http://localhost:5173";

fn preflight<'a>(origin: &'a str, method: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("Origin", origin),
        ("Access-Control-Request-Method", method),
        (
            "Access-Control-Request-Headers",
            "authorization,content-type",
        ),
    ]
}

#[tokio::test]
async fn preflights_allow_the_authorization_header_from_any_origin_by_default() {
    let sb = Sandbox::start(200).await;
    let paths = [
        ("POST", "/v2/authentication/login".to_owned()),
        ("POST", format!("/v2/operations/{ALIAS}/servers/shutDown")),
        ("GET", format!("/v2/operations/{ALIAS}/status/wa1-81351")),
        ("GET", format!("/v2/servers/{ALIAS}/{WEB01}")),
        ("POST", format!("/v2/groups/{ALIAS}/{GROUP_WEB}/archive")),
        ("PUT", "/sandbox/faults".to_owned()),
    ];
    for (method, path) in paths {
        let reply = sb
            .send_with("OPTIONS", &path, None, None, &preflight(ORIGIN, method))
            .await;
        assert!(
            (200..300).contains(&reply.status),
            "{path}: {} {}",
            reply.status,
            reply.text
        );
        let allowed_origin = reply.header("access-control-allow-origin");
        assert!(
            allowed_origin == Some("*") || allowed_origin == Some(ORIGIN),
            "{path}: {allowed_origin:?}"
        );
        let headers = reply
            .header("access-control-allow-headers")
            .unwrap_or_default()
            .to_ascii_lowercase();
        assert!(headers.contains("authorization"), "{path}: {headers}");
        assert!(headers.contains("content-type"), "{path}: {headers}");
        let methods = reply
            .header("access-control-allow-methods")
            .unwrap_or_default();
        assert!(methods.contains(method), "{path}: {methods}");
        assert!(reply.header("access-control-max-age").is_some());
    }
}

#[tokio::test]
async fn answers_carry_cors_headers_on_success_errors_and_faults() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    let origin = [("Origin", ORIGIN)];
    let path = format!("/v2/servers/{ALIAS}/{WEB01}");
    let ok = sb
        .send_with("GET", &path, Some(&token), None, &origin)
        .await;
    let unauthorized = sb.send_with("GET", &path, None, None, &origin).await;
    sb.faults(r#"{"failNext":["html502"]}"#).await;
    let fault = sb
        .send_with("GET", &path, Some(&token), None, &origin)
        .await;
    let unknown = sb
        .send_with("GET", "/v2/nothing", None, None, &origin)
        .await;
    for (reply, status) in [(ok, 200), (unauthorized, 401), (fault, 502), (unknown, 404)] {
        assert_eq!(reply.status, status, "{}", reply.text);
        // Without it a page could not even read why a call failed.
        assert!(
            reply.header("access-control-allow-origin").is_some(),
            "{status}: {:?}",
            reply.headers
        );
    }
}

#[tokio::test]
async fn allowed_origins_limit_who_may_call() {
    let mut setup = Setup::new(200);
    setup.statics.allow_origins = vec![ORIGIN.to_owned(), "https://dash.example".to_owned()];
    let sb = Sandbox::start_with(setup).await;
    let path = format!("/v2/servers/{ALIAS}/{WEB01}");
    for origin in [ORIGIN, "https://dash.example"] {
        let reply = sb
            .send_with("OPTIONS", &path, None, None, &preflight(origin, "GET"))
            .await;
        assert_eq!(reply.header("access-control-allow-origin"), Some(origin));
        assert!(reply
            .header("access-control-allow-headers")
            .is_some_and(|h| h.to_ascii_lowercase().contains("authorization")));
    }
    for origin in ["http://evil.example", "http://localhost:5174", "null"] {
        let reply = sb
            .send_with("OPTIONS", &path, None, None, &preflight(origin, "GET"))
            .await;
        assert_eq!(
            reply.header("access-control-allow-origin"),
            None,
            "{origin}"
        );
        let token = sb.login().await;
        let plain = sb
            .send_with("GET", &path, Some(&token), None, &[("Origin", origin)])
            .await;
        assert_eq!(plain.header("access-control-allow-origin"), None);
    }
}

#[tokio::test]
async fn bodies_over_the_limit_get_413_in_the_message_form() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    // A JSON array of IDs just over the limit.
    let id = format!("\"{WEB01}\",");
    let count = BODY_LIMIT / id.len() + 1;
    let big = format!("[{}\"{WEB01}\"]", id.repeat(count));
    assert!(big.len() > BODY_LIMIT);
    for path in [
        format!("/v2/operations/{ALIAS}/servers/shutDown"),
        "/v2/authentication/login".to_owned(),
        "/sandbox/faults".to_owned(),
    ] {
        let method = if path.starts_with("/sandbox") {
            "PUT"
        } else {
            "POST"
        };
        let reply = sb.send(method, &path, Some(&token), Some(&big)).await;
        assert_eq!(reply.status, 413, "{path}: {}", reply.text);
        let message = reply.message();
        assert!(message.contains(&BODY_LIMIT.to_string()), "{message}");
    }
    // Nothing was queued, and the sandbox goes on.
    assert_eq!(sb.state(&token, WEB01).await.0, "started");

    // A big batch under the limit is fine: 5,000 IDs, one entity each.
    let mut ids: Vec<String> = (0..4999).map(|i| format!("WA1DEMOX{i:05}")).collect();
    ids.push(WEB01.to_owned());
    let body = json!(ids).to_string();
    assert!(body.len() < BODY_LIMIT);
    let reply = sb.operate(&token, "shutDown", &body).await;
    assert_eq!(reply.status, 200);
    let entities = reply.json();
    let entities = entities.as_array().unwrap();
    assert_eq!(entities.len(), 5000);
    assert_eq!(entities.iter().filter(|e| e["isQueued"] == true).count(), 1);
}

#[tokio::test]
async fn unknown_routes_get_404_and_wrong_methods_405_both_as_json() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    for path in [
        "/".to_owned(),
        "/v2".to_owned(),
        "/v2/nothing".to_owned(),
        "/v1/servers/DEMO/WA1DEMOWEB01".to_owned(),
        format!("/v2/operations/{ALIAS}/servers/explode"),
        format!("/v2/operations/{ALIAS}/servers/shutdown"), // names are case-sensitive
        format!("/v2/servers/{ALIAS}/{WEB01}/extra/segments"),
        "/sandbox".to_owned(),
        "/pkg/clc_wasm.js".to_owned(), // no --pkg given
    ] {
        let method = if path.contains("/servers/") && !path.contains("extra") {
            "POST"
        } else {
            "GET"
        };
        let reply = sb.send(method, &path, Some(&token), Some("[]")).await;
        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.text);
        assert!(!reply.message().is_empty(), "{path}");
    }
    let wrong = [
        ("GET", "/v2/authentication/login".to_owned()),
        ("PUT", "/v2/authentication/login".to_owned()),
        ("GET", format!("/v2/operations/{ALIAS}/servers/shutDown")),
        ("DELETE", format!("/v2/operations/{ALIAS}/status/wa1-1")),
        ("POST", format!("/v2/servers/{ALIAS}/{WEB01}")),
        ("GET", format!("/v2/groups/{ALIAS}/{GROUP_WEB}/archive")),
        ("GET", "/sandbox/reset".to_owned()),
        ("POST", "/sandbox/faults".to_owned()),
    ];
    for (method, path) in wrong {
        let reply = sb.send(method, &path, Some(&token), None).await;
        assert_eq!(reply.status, 405, "{method} {path}: {}", reply.text);
        assert!(reply.header("allow").is_some(), "{method} {path}");
        assert!(!reply.message().is_empty(), "{method} {path}");
    }
}

#[tokio::test]
async fn answers_are_never_cached() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    for path in [
        format!("/v2/servers/{ALIAS}/{WEB01}"),
        "/sandbox/faults".to_owned(),
        "/v2/nothing".to_owned(),
    ] {
        let reply = sb.get(&path, &token).await;
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{path}");
    }
}

#[tokio::test]
async fn www_and_pkg_folders_are_served_beside_the_api() {
    let dir = std::env::temp_dir().join(format!("clc-sandbox-static-{}", std::process::id()));
    let (www, pkg) = (dir.join("www"), dir.join("pkg"));
    std::fs::create_dir_all(&www).unwrap();
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html><title>demo</title>").unwrap();
    std::fs::write(www.join("app.js"), "console.log('demo')").unwrap();
    std::fs::write(pkg.join("clc_wasm.js"), "export default 1;").unwrap();
    let mut setup = Setup::new(200);
    setup.statics.www = Some(www.clone());
    setup.statics.pkg = Some(pkg.clone());
    let sb = Sandbox::start_with(setup).await;
    let token = sb.login().await;

    let index = sb.get("/", &token).await;
    assert_eq!(index.status, 200);
    assert!(index.text.contains("<title>demo</title>"));
    assert!(index
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/html")));
    let app = sb.get("/app.js", &token).await;
    assert_eq!(app.text, "console.log('demo')");
    let module = sb.get("/pkg/clc_wasm.js", &token).await;
    assert_eq!(module.status, 200);
    assert_eq!(module.text, "export default 1;");
    // Missing files are JSON 404s; the API still answers beside them; no escape from the folders.
    for path in [
        "/missing.js",
        "/pkg/missing.js",
        "/../Cargo.toml",
        "/pkg/../www/app.js",
    ] {
        let reply = sb.get(path, &token).await;
        assert!(
            reply.status == 404 || reply.status == 400,
            "{path}: {} {}",
            reply.status,
            reply.text
        );
    }
    assert_eq!(sb.server(&token, WEB01).await["id"], WEB01);
    drop(sb);
    let _ = std::fs::remove_dir_all(&dir);
}
