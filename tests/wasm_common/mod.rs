//! The wasm test suite, shared by `tests/browser.rs` (a page) and `tests/worker.rs` (a dedicated worker).
//!
//! Every test drives the exported `Clc` class through its JS face (methods looked up and called on the JS
//! object, as a JS user would) against the sandbox started by `scripts/with-sandbox.sh`, whose URL is baked in
//! at compile time from `CLC_SANDBOX_URL`. Each test that changes state starts with `POST /sandbox/reset`;
//! wasm-bindgen-test runs the async tests one after another, so they never overlap.

use std::cell::Cell;
use std::rc::Rc;

use clc_wasm::js::{Clc, METHODS};
use js_sys::{Array, Function, Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

const PASSWORD: &str = "demo-password";
const WEB01: &str = "WA1DEMOWEB01";
const WEB02: &str = "WA1DEMOWEB02";
const NIGHTLY_GROUP: &str = "2a5c0b9662cf4fc8bf6180f139facdc4";
const WA1_ROOT: &str = "8a1c0b9662cf4fc8bf6180f139fa0001";

// ---------- helpers ----------

fn sandbox() -> &'static str {
    match option_env!("CLC_SANDBOX_URL") {
        Some(url) => url,
        None => panic!(
            "CLC_SANDBOX_URL was not set at compile time: run through scripts/with-sandbox.sh"
        ),
    }
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

fn arr(items: &[&str]) -> JsValue {
    items
        .iter()
        .map(|i| JsValue::from_str(i))
        .collect::<Array>()
        .into()
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap()
}

fn get_str(o: &JsValue, k: &str) -> String {
    get(o, k)
        .as_string()
        .unwrap_or_else(|| panic!("{k} is not a string in {}", stringify(o)))
}

fn stringify(v: &JsValue) -> String {
    JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{v:?}"))
}

/// Awaits `v` if it is a promise-like value.
async fn settle(v: JsValue) -> Result<JsValue, JsValue> {
    if get(&v, "then").is_function() {
        JsFuture::from(Promise::resolve(&v)).await
    } else {
        Ok(v)
    }
}

/// Calls `target[method](...args)` as JS would; a synchronous throw comes back as `Err`. The methods of
/// [`METHODS`] are the package glue's (scripts/fast-methods.mjs), which this test's glue has not: they are called
/// as the package calls them, through the class's `__call` with their number, argument and options.
fn call_sync(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let (name, args) = match METHODS.iter().position(|m| *m == method) {
        // These two take only options, which `__call` takes after the argument.
        Some(i) if ["listDataCenters", "listServers"].contains(&method) => (
            "__call",
            [&[JsValue::from(i as u32), JsValue::UNDEFINED], args].concat(),
        ),
        Some(i) => ("__call", [&[JsValue::from(i as u32)], args].concat()),
        None => (method, args.to_vec()),
    };
    let f: Function = get(target, name)
        .dyn_into()
        .unwrap_or_else(|_| panic!("{method} is not a function"));
    f.apply(target, &args.iter().collect::<Array>())
}

/// Calls `target[method](...args)` and awaits the promise. Asserts that the method returned a promise.
async fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let v = call_sync(target, method, args)
        .unwrap_or_else(|e| panic!("{method} threw synchronously: {}", err_text(&e)));
    assert!(
        v.is_instance_of::<Promise>(),
        "{method} must return a Promise"
    );
    settle(v).await
}

async fn ok(target: &JsValue, method: &str, args: &[JsValue]) -> JsValue {
    match call(target, method, args).await {
        Ok(v) => v,
        Err(e) => panic!("{method} rejected: {}", err_text(&e)),
    }
}

fn err_text(e: &JsValue) -> String {
    format!(
        "{} {}",
        get(e, "message").as_string().unwrap_or_default(),
        stringify(e)
    )
}

async fn sleep(ms: f64) {
    let p = Promise::new(&mut |resolve, _| {
        let set_timeout: Function = get(&js_sys::global(), "setTimeout").dyn_into().unwrap();
        set_timeout
            .call2(&JsValue::UNDEFINED, &resolve, &JsValue::from_f64(ms))
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

fn now() -> f64 {
    js_sys::Date::now()
}

async fn control(method: &str, path: &str, body: Option<&str>) {
    control_json(method, path, body).await;
}

/// A sandbox control request; its JSON answer (or `undefined` for an empty one).
async fn control_json(method: &str, path: &str, body: Option<&str>) -> JsValue {
    let fetch: Function = get(&js_sys::global(), "fetch").dyn_into().unwrap();
    let init = obj(&[("method", s(method))]);
    if let Some(b) = body {
        Reflect::set(&init, &s("body"), &s(b)).unwrap();
        Reflect::set(
            &init,
            &s("headers"),
            &obj(&[("Content-Type", s("application/json"))]),
        )
        .unwrap();
    }
    let url = format!("{}{}", sandbox(), path);
    let resp = settle(fetch.call2(&js_sys::global(), &s(&url), &init).unwrap())
        .await
        .unwrap();
    let status = get(&resp, "status").as_f64().unwrap();
    assert!(
        (200.0..300.0).contains(&status),
        "{method} {path} -> {status}"
    );
    if status == 204.0 {
        return JsValue::UNDEFINED;
    }
    let json: Function = get(&resp, "json").dyn_into().unwrap();
    settle(json.call0(&resp).unwrap()).await.unwrap()
}

/// How many requests of `route` (e.g. `GET /v2/servers/{alias}/{id}`) the sandbox has seen since its stats reset.
async fn route_count(route: &str) -> f64 {
    let stats = control_json("GET", "/sandbox/stats", None).await;
    get(&get(&stats, "byRoute"), route).as_f64().unwrap_or(0.0)
}

async fn reset() {
    control("POST", "/sandbox/reset", None).await;
}

async fn faults(json: &str) {
    control("PUT", "/sandbox/faults", Some(json)).await;
}

fn options(extra: &[(&str, JsValue)]) -> JsValue {
    let mut pairs = vec![("baseUrl", s(sandbox()))];
    pairs.extend(extra.iter().cloned());
    obj(&pairs)
}

async fn login_as(
    user: &str,
    password: &str,
    extra: &[(&str, JsValue)],
) -> Result<JsValue, JsValue> {
    let creds = obj(&[("username", s(user)), ("password", s(password))]);
    settle(Clc::login(creds, options(extra)).into()).await
}

async fn login() -> JsValue {
    match login_as("demo", PASSWORD, &[]).await {
        Ok(c) => c,
        Err(e) => panic!("login failed: {}", err_text(&e)),
    }
}

/// A `fetch` that counts its calls and hands them to the global fetch.
fn counting_fetch() -> (JsValue, Rc<Cell<u32>>) {
    let count = Rc::new(Cell::new(0));
    let c = count.clone();
    let f = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(
        move |url: JsValue, init: JsValue| {
            c.set(c.get() + 1);
            let fetch: Function = get(&js_sys::global(), "fetch").dyn_into().unwrap();
            fetch.call2(&js_sys::global(), &url, &init).unwrap()
        },
    );
    (f.into_js_value(), count)
}

/// The fields of a rejection, after checking it is a well-formed ClcError without secrets.
struct Failure {
    kind: String,
    status: Option<f64>,
    message: String,
    details: JsValue,
    method: Option<String>,
    url: Option<String>,
}

fn failure(e: &JsValue, secrets: &[&str]) -> Failure {
    assert!(e.is_instance_of::<js_sys::Error>(), "not an Error: {e:?}");
    assert_eq!(get_str(e, "name"), "ClcError");
    let keys: Vec<String> = Object::keys(e.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    for k in ["kind", "status", "message", "details", "method", "url"] {
        assert!(
            keys.iter().any(|x| x == k),
            "{k} is not an own enumerable field: {keys:?}"
        );
    }
    let mut texts = vec![
        stringify(e),
        get_str(e, "message"),
        get(e, "stack").as_string().unwrap_or_default(),
    ];
    for k in &keys {
        let v = get(e, k);
        texts.push(v.as_string().unwrap_or_else(|| stringify(&v)));
    }
    texts.push(String::from(e.unchecked_ref::<Object>().to_string()));
    for secret in secrets.iter().chain([&PASSWORD]) {
        assert!(!secret.is_empty());
        for t in &texts {
            assert!(!t.contains(secret), "a secret leaked into the error: {t}");
        }
    }
    Failure {
        kind: get_str(e, "kind"),
        status: get(e, "status").as_f64(),
        message: get_str(e, "message"),
        details: get(e, "details"),
        method: get(e, "method").as_string(),
        url: get(e, "url").as_string(),
    }
}

async fn rejects(target: &JsValue, method: &str, args: &[JsValue], secrets: &[&str]) -> Failure {
    match call(target, method, args).await {
        Ok(v) => panic!("{method} resolved instead of rejecting: {}", stringify(&v)),
        Err(e) => failure(&e, secrets),
    }
}

/// `new Clc(options)` through the JS class of an existing client.
fn construct(ctor: &JsValue, options: &JsValue) -> Result<JsValue, JsValue> {
    let ctor: &Function = ctor.unchecked_ref();
    Reflect::construct(ctor, &Array::of1(options))
}

/// `new Clc({ token, accountAlias: "DEMO", baseUrl, ...extra })` through the JS class of `like`, with its token.
fn kept_client(like: &JsValue, extra: &[(&str, JsValue)]) -> JsValue {
    let mut pairs = vec![("token", s(&token(like))), ("accountAlias", s("DEMO"))];
    pairs.extend(extra.iter().cloned());
    construct(&get(like, "constructor"), &options(&pairs)).unwrap()
}

fn token(clc: &JsValue) -> String {
    get_str(clc, "token")
}

fn abort_controller() -> JsValue {
    web_sys::AbortController::new().unwrap().into()
}

// ---------- tests ----------

#[wasm_bindgen_test]
async fn login_gives_session_token_and_getters() {
    reset().await;
    let clc = login().await;
    let session = get(&clc, "session");
    assert_eq!(get_str(&session, "userName"), "demo");
    assert_eq!(get_str(&session, "accountAlias"), "DEMO");
    assert_eq!(get_str(&session, "locationAlias"), "WA1");
    assert_eq!(stringify(&get(&session, "roles")), r#"["AccountAdmin"]"#);
    let t = token(&clc);
    assert!(!t.is_empty());
    assert!(
        !stringify(&session).contains(&t),
        "the session must not hold the token"
    );
    assert_eq!(get_str(&clc, "accountAlias"), "DEMO");
    assert_eq!(get_str(&clc, "baseUrl"), sandbox());

    // A client built from the kept token works and has no session.
    let ctor = get(&clc, "constructor");
    let again = construct(
        &ctor,
        &options(&[("token", s(&t)), ("accountAlias", s("DEMO"))]),
    )
    .unwrap();
    assert!(get(&again, "session").is_undefined());
    let server = ok(&again, "getServer", &[s(WEB01)]).await;
    assert_eq!(get_str(&server, "id"), WEB01);
}

#[wasm_bindgen_test]
async fn login_errors_never_show_the_password() {
    reset().await;
    let e = match login_as("demo", "wrong-demo-password", &[]).await {
        Ok(_) => panic!("a wrong password logged in"),
        Err(e) => failure(&e, &["wrong-demo-password"]),
    };
    // Kind unauthorized, the status kept; the message is the SDK's own (a server's could echo the password).
    assert_eq!((e.kind.as_str(), e.status), ("unauthorized", Some(400.0)));
    assert!(e.message.contains("not recognized"), "{}", e.message);
    assert_eq!(e.method.as_deref(), Some("POST"));
    assert_eq!(
        e.url,
        Some(format!("{}/v2/authentication/login", sandbox()))
    );

    // Validation: a rejection (not a throw), naming the field.
    let creds = obj(&[
        ("username", s("demo")),
        ("password", JsValue::from_f64(5.0)),
    ]);
    let p: JsValue = Clc::login(creds, options(&[])).into();
    let e = failure(&settle(p).await.unwrap_err(), &[]);
    assert_eq!(e.kind, "validation");
    assert!(e.message.starts_with("password"), "{}", e.message);
    assert_eq!(
        get_str(&Reflect::get_u32(&e.details, 0).unwrap(), "field"),
        "password"
    );
    let creds = obj(&[("username", s("demo")), ("password", s(PASSWORD))]);
    let p: JsValue = Clc::login(creds, obj(&[("baseUrl", s("ftp://x"))])).into();
    assert_eq!(
        failure(&settle(p).await.unwrap_err(), &[]).kind,
        "validation"
    );
}

#[wasm_bindgen_test]
async fn every_server_operation_sends_one_batch() {
    reset().await;
    let clc = login().await;
    let ops = [
        ("shutDownServer", WEB01),
        ("powerOnServer", "WA1DEMOWEB03"),
        ("powerOffServer", WEB02),
        ("pauseServer", "WA1DEMODB01"),
        ("rebootServer", "WA1DEMONGT01"),
        ("resetServer", "VA1DEMORPT01"),
        ("startMaintenance", "VA1DEMORPT02"),
        ("stopMaintenance", "WA1DEMODB03"),
        ("archiveServer", "WA1DEMOBAT01"),
    ];
    for (method, id) in ops {
        let result = ok(&clc, method, &[s(id)]).await;
        let list: Array = result.dyn_into().unwrap();
        assert_eq!(list.length(), 1, "{method}");
        let item = list.get(0);
        // The service lower-cases names; the SDK gives them back as the caller spelled them.
        assert_eq!(get_str(&item, "server"), id, "{method}");
        assert_eq!(
            get(&item, "isQueued"),
            JsValue::TRUE,
            "{method}: {}",
            stringify(&item)
        );
        assert!(
            get(&item, "errorMessage").is_undefined(),
            "absent fields stay absent"
        );
    }
    // One call for a batch: two servers, one shared job.
    reset().await;
    let clc = login().await; // a reset forgets every token
    let result: Array = ok(&clc, "shutDownServer", &[arr(&[WEB01, WEB02])])
        .await
        .dyn_into()
        .unwrap();
    assert_eq!(result.length(), 2);
    let job = |i| {
        stringify(&get(
            &Reflect::get_u32(&get(&result.get(i), "links"), 0).unwrap(),
            "id",
        ))
    };
    assert_eq!(job(0), job(1));
}

#[wasm_bindgen_test]
async fn create_snapshot_checks_days() {
    reset().await;
    let clc = login().await;
    let result: Array = ok(
        &clc,
        "createSnapshot",
        &[
            arr(&[WEB01]),
            obj(&[("expirationDays", JsValue::from_f64(3.0))]),
        ],
    )
    .await
    .dyn_into()
    .unwrap();
    assert_eq!(get(&result.get(0), "isQueued"), JsValue::TRUE);
    for bad in [
        JsValue::from_f64(11.0),
        JsValue::from_f64(2.5),
        s("7"),
        JsValue::UNDEFINED,
    ] {
        let e = rejects(
            &clc,
            "createSnapshot",
            &[s(WEB01), obj(&[("expirationDays", bad)])],
            &[&token(&clc)],
        )
        .await;
        assert_eq!(e.kind, "validation");
        assert!(e.message.contains("expirationDays"), "{}", e.message);
    }
}

#[wasm_bindgen_test]
async fn reads_return_plain_objects() {
    reset().await;
    let clc = login().await;
    let server = ok(&clc, "getServer", &[s(WEB01)]).await;
    assert_eq!(get_str(&server, "id"), WEB01);
    assert_eq!(get_str(&get(&server, "details"), "powerState"), "started");
    assert_eq!(
        Object::get_prototype_of(&server),
        Object::get_prototype_of(&Object::new()),
        "a plain object"
    );
    let group = ok(&clc, "getGroup", &[s(WA1_ROOT)]).await;
    assert_eq!(get_str(&group, "name"), "WA1 Hardware");
    assert_eq!(Array::from(&get(&group, "groups")).length(), 4);
    let dc = ok(&clc, "getDataCenter", &[s("WA1")]).await;
    let links = Array::from(&get(&dc, "links"));
    assert!(links
        .iter()
        .any(|l| get_str(&l, "rel") == "group" && get_str(&l, "id") == WA1_ROOT));
}

#[wasm_bindgen_test]
async fn archive_group_then_status_then_wait() {
    reset().await;
    let clc = login().await;
    let link = ok(&clc, "archiveGroup", &[s(NIGHTLY_GROUP)]).await;
    assert_eq!(get_str(&link, "rel"), "status");
    let id = get_str(&link, "id");
    let status = ok(&clc, "getStatus", &[s(&id)]).await.as_string().unwrap();
    assert!(
        ["notStarted", "executing", "succeeded"].contains(&status.as_str()),
        "{status}"
    );
    let result = ok(
        &clc,
        "wait",
        &[link, obj(&[("minPollMs", JsValue::from_f64(50.0))])],
    )
    .await;
    assert_eq!(get(&result, "ok"), JsValue::TRUE, "{}", stringify(&result));
    // A bare status ID works too, and a final job resolves on the first poll.
    let result = ok(
        &clc,
        "wait",
        &[s(&id), obj(&[("minPollMs", JsValue::from_f64(10.0))])],
    )
    .await;
    assert_eq!(get(&result, "ok"), JsValue::TRUE);
}

fn wait_options(extra: &[(&str, JsValue)]) -> JsValue {
    let mut pairs = vec![
        ("minPollMs", JsValue::from_f64(50.0)),
        ("maxPollMs", JsValue::from_f64(200.0)),
    ];
    pairs.extend(extra.iter().cloned());
    obj(&pairs)
}

#[wasm_bindgen_test]
async fn wait_success_reports_progress() {
    reset().await;
    let clc = login().await;
    let ops = ok(&clc, "shutDownServer", &[arr(&[WEB01, WEB02])]).await;
    let rounds = Rc::new(Cell::new(0u32));
    let r = rounds.clone();
    let on_progress = Closure::<dyn FnMut(JsValue)>::new(move |p: JsValue| {
        assert_eq!(get(&p, "total").as_f64(), Some(2.0));
        r.set(r.get() + 1);
    });
    let result = ok(
        &clc,
        "wait",
        &[
            ops,
            wait_options(&[("onProgress", on_progress.as_ref().clone())]),
        ],
    )
    .await;
    assert_eq!(get(&result, "ok"), JsValue::TRUE, "{}", stringify(&result));
    let servers = Array::from(&get(&result, "servers"));
    assert_eq!(servers.length(), 2);
    for s in servers.iter() {
        assert_eq!(get_str(&s, "outcome"), "succeeded");
    }
    let jobs = Array::from(&get(&result, "jobs"));
    assert_eq!(
        jobs.length(),
        1,
        "two servers share one job: one poll per round"
    );
    // One report before the first poll, then one after every round.
    assert!(rounds.get() >= 2);
    assert_eq!(
        rounds.get() as f64,
        get(&jobs.get(0), "polls").as_f64().unwrap() + 1.0
    );
}

#[wasm_bindgen_test]
async fn wait_failure_and_partial() {
    reset().await;
    faults(r#"{"jobs":"fail"}"#).await;
    let clc = login().await;
    let ops = ok(&clc, "shutDownServer", &[s(WEB01)]).await;
    let result = ok(&clc, "wait", &[ops, wait_options(&[])]).await;
    assert_eq!(get(&result, "ok"), JsValue::FALSE);
    assert_eq!(
        get_str(&Array::from(&get(&result, "servers")).get(0), "outcome"),
        "failed"
    );

    reset().await;
    let clc = login().await; // a reset forgets every token
    let ops = ok(&clc, "shutDownServer", &[arr(&[WEB01, "WA1DEMONOPE99"])]).await;
    let result = ok(&clc, "wait", &[ops, wait_options(&[])]).await;
    assert_eq!(get(&result, "ok"), JsValue::FALSE);
    let servers = Array::from(&get(&result, "servers"));
    let find = |name: &str| {
        servers
            .iter()
            .find(|s| get_str(s, "server") == name)
            .unwrap()
    };
    assert_eq!(get_str(&find(WEB01), "outcome"), "succeeded");
    let missing = find("WA1DEMONOPE99");
    assert_eq!(get_str(&missing, "outcome"), "notQueued");
    assert!(get_str(&missing, "errorMessage").contains("cannot be queued"));
}

#[wasm_bindgen_test]
async fn wait_timeout_and_abort() {
    reset().await;
    faults(r#"{"jobs":"hang"}"#).await;
    let clc = login().await;
    let ops = ok(&clc, "shutDownServer", &[s(WEB01)]).await;
    let start = now();
    let result = ok(
        &clc,
        "wait",
        &[
            ops.clone(),
            wait_options(&[("timeoutMs", JsValue::from_f64(300.0))]),
        ],
    )
    .await;
    assert!(now() - start < 3000.0);
    assert_eq!(get(&result, "ok"), JsValue::FALSE);
    assert_eq!(
        get_str(&Array::from(&get(&result, "servers")).get(0), "outcome"),
        "timedOut"
    );

    let controller = abort_controller();
    let pending = call_sync(
        &clc,
        "wait",
        &[ops, wait_options(&[("signal", get(&controller, "signal"))])],
    )
    .unwrap();
    sleep(120.0).await;
    let start = now();
    call_sync(&controller, "abort", &[]).unwrap();
    let e = failure(&settle(pending).await.unwrap_err(), &[&token(&clc)]);
    assert_eq!(e.kind, "aborted");
    assert!(now() - start < 500.0, "the abort was not prompt");
}

#[wasm_bindgen_test]
async fn wait_stops_at_once_on_401() {
    reset().await;
    faults(r#"{"jobs":"hang"}"#).await;
    let clc = login().await;
    let ops = ok(&clc, "shutDownServer", &[s(WEB01)]).await;
    faults(r#"{"expireTokens":true}"#).await;
    let e = rejects(&clc, "wait", &[ops, wait_options(&[])], &[&token(&clc)]).await;
    assert_eq!((e.kind.as_str(), e.status), ("unauthorized", Some(401.0)));
}

#[wasm_bindgen_test]
async fn wait_retries_transient_status_errors() {
    reset().await;
    let clc = login().await;
    let ops = ok(&clc, "shutDownServer", &[s(WEB01)]).await;
    faults(r#"{"failNext":["html502","drop","status429"]}"#).await;
    let result = ok(&clc, "wait", &[ops, wait_options(&[])]).await;
    assert_eq!(get(&result, "ok"), JsValue::TRUE, "{}", stringify(&result));
}

#[wasm_bindgen_test]
async fn every_error_form_becomes_a_clc_error() {
    reset().await;
    let clc = login().await;
    let t = token(&clc);
    let cases: [(&str, &str, Option<f64>); 5] = [
        ("html502", "http", Some(502.0)),
        ("aspnet500", "http", Some(500.0)),
        ("malformedJson", "decode", Some(200.0)),
        ("empty503", "http", Some(503.0)),
        // A browser resends a request when a reused connection closes without an answer (Firefox up to six
        // times in a row), so a few dropped connections can be invisible; ten in a row cannot.
        (
            "drop\",\"drop\",\"drop\",\"drop\",\"drop\",\"drop\",\"drop\",\"drop\",\"drop\",\"drop",
            "network",
            None,
        ),
    ];
    for (fault, kind, status) in cases {
        faults(&format!(r#"{{"failNext":["{fault}"]}}"#)).await;
        let e = rejects(&clc, "getServer", &[s(WEB01)], &[&t]).await;
        assert_eq!(e.kind, kind, "{fault}: {}", e.message);
        if kind == "http" {
            assert_eq!(e.status, status, "{fault}");
        }
        assert!(!e.message.is_empty());
        assert_eq!(e.method.as_deref(), Some("GET"));
        assert_eq!(
            e.url,
            Some(format!("{}/v2/servers/DEMO/{WEB01}", sandbox()))
        );
        assert!(
            !e.message.contains("<html"),
            "{fault}: raw HTML in {}",
            e.message
        );
    }
    faults(r#"{"failNext":[]}"#).await; // drops the browser did not use up
                                        // POSTs are not retried: one fault, one rejection, and the next call works.
    let (fetch, count) = counting_fetch();
    let counted = kept_client(&clc, &[("fetch", fetch)]);
    faults(r#"{"failNext":["html502"]}"#).await;
    let e = rejects(&counted, "shutDownServer", &[s(WEB01)], &[&t]).await;
    assert_eq!(
        (e.kind.as_str(), e.status, e.method.as_deref()),
        ("http", Some(502.0), Some("POST"))
    );
    assert_eq!(count.get(), 1, "a POST is sent once");
    let queued = ok(&counted, "shutDownServer", &[s(WEB01)]).await;
    assert_eq!(get(&Array::from(&queued).get(0), "isQueued"), JsValue::TRUE);

    // 404, 403 (DEMO's token on OTHR), 401 (expired token), network down.
    let e = rejects(
        &clc,
        "getGroup",
        &[s("ffffffffffffffffffffffffffffffff")],
        &[&t],
    )
    .await;
    assert_eq!((e.kind.as_str(), e.status), ("notFound", Some(404.0)));
    let ctor = get(&clc, "constructor");
    let other = construct(
        &ctor,
        &options(&[("token", s(&t)), ("accountAlias", s("OTHR"))]),
    )
    .unwrap();
    let e = rejects(&other, "getServer", &[s("WA1OTHRAPP01")], &[&t]).await;
    assert_eq!((e.kind.as_str(), e.status), ("forbidden", Some(403.0)));
    faults(r#"{"expireTokens":true}"#).await;
    let e = rejects(&clc, "getServer", &[s(WEB01)], &[&t]).await;
    assert_eq!((e.kind.as_str(), e.status), ("unauthorized", Some(401.0)));
    let down = construct(
        &ctor,
        &obj(&[
            ("baseUrl", s("http://127.0.0.1:9")),
            ("token", s(&t)),
            ("accountAlias", s("DEMO")),
        ]),
    )
    .unwrap();
    let e = rejects(&down, "getServer", &[s(WEB01)], &[&t]).await;
    assert_eq!(e.kind, "network");
}

#[wasm_bindgen_test]
async fn aborts_with_any_reason_then_keep_working() {
    reset().await;
    let clc = login().await;
    let t = token(&clc);
    faults(r#"{"latencyMs":1500}"#).await;
    let reasons: [Option<JsValue>; 3] = [
        Some(js_sys::Error::new("stop, please").into()),
        Some(s("a plain string")),
        None,
    ];
    for reason in reasons {
        let controller = abort_controller();
        let opts = obj(&[("signal", get(&controller, "signal"))]);
        let pending = call_sync(&clc, "getServer", &[s(WEB01), opts]).unwrap();
        sleep(50.0).await;
        let start = now();
        let args: Vec<JsValue> = reason.iter().cloned().collect();
        call_sync(&controller, "abort", &args).unwrap();
        let e = failure(&settle(pending).await.unwrap_err(), &[&t]);
        assert_eq!(e.kind, "aborted");
        assert!(now() - start < 500.0, "the abort was not prompt");
        // The instance keeps working.
        let server = ok(&clc, "getServer", &[s(WEB01)]).await;
        assert_eq!(get_str(&server, "id"), WEB01);
    }
    // An already-aborted signal rejects before anything is sent.
    let (fetch, count) = counting_fetch();
    let counted = kept_client(&clc, &[("fetch", fetch)]);
    let controller = abort_controller();
    call_sync(&controller, "abort", &[s("early")]).unwrap();
    let e = rejects(
        &counted,
        "shutDownServer",
        &[s(WEB01), obj(&[("signal", get(&controller, "signal"))])],
        &[&t],
    )
    .await;
    assert_eq!(e.kind, "aborted");
    assert_eq!(count.get(), 0, "nothing may be sent after an abort");
}

#[wasm_bindgen_test]
async fn timeouts_per_call_and_per_client() {
    reset().await;
    let clc = login().await;
    let t = token(&clc);
    faults(r#"{"latencyMs":1500}"#).await;
    let start = now();
    let e = rejects(
        &clc,
        "getServer",
        &[s(WEB01), obj(&[("timeoutMs", JsValue::from_f64(100.0))])],
        &[&t],
    )
    .await;
    assert_eq!(e.kind, "timeout");
    assert!(now() - start < 1000.0);
    let quick = kept_client(&clc, &[("timeoutMs", JsValue::from_f64(100.0))]);
    assert_eq!(
        rejects(&quick, "getGroup", &[s(WA1_ROOT)], &[&t])
            .await
            .kind,
        "timeout"
    );
    faults(r#"{"latencyMs":0}"#).await;
    assert_eq!(
        get_str(&ok(&quick, "getServer", &[s(WEB01)]).await, "id"),
        WEB01
    );
    let e = rejects(
        &clc,
        "getServer",
        &[s(WEB01), obj(&[("timeoutMs", JsValue::from_f64(-1.0))])],
        &[&t],
    )
    .await;
    assert_eq!(e.kind, "validation");
}

#[wasm_bindgen_test]
async fn custom_fetch_is_used_and_raced() {
    reset().await;
    let clc = login().await;
    let t = token(&clc);
    let (fetch, count) = counting_fetch();
    let counted = kept_client(&clc, &[("fetch", fetch.clone())]);
    ok(&counted, "getServer", &[s(WEB01)]).await;
    ok(&counted, "shutDownServer", &[arr(&[WEB01, WEB02])]).await;
    assert_eq!(count.get(), 2);
    // login takes the option too.
    let logged = login_as("demo", PASSWORD, &[("fetch", fetch)])
        .await
        .unwrap();
    assert_eq!(count.get(), 3);
    ok(&logged, "getGroup", &[s(WA1_ROOT)]).await;
    assert_eq!(count.get(), 4);

    // A fetch that ignores the signal and never settles still times out.
    let never = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(|_: JsValue, _: JsValue| {
        Promise::new(&mut |_, _| {}).into()
    });
    let stuck = kept_client(
        &clc,
        &[
            ("fetch", never.into_js_value()),
            ("timeoutMs", JsValue::from_f64(100.0)),
        ],
    );
    assert_eq!(
        rejects(&stuck, "getServer", &[s(WEB01)], &[&t]).await.kind,
        "timeout"
    );
}

#[wasm_bindgen_test]
async fn validation_rejects_before_sending() {
    reset().await;
    let clc = login().await;
    let t = token(&clc);
    let (fetch, count) = counting_fetch();
    let ctor = get(&clc, "constructor");
    let counted = kept_client(&clc, &[("fetch", fetch)]);
    let bad_ids = [
        (JsValue::from_f64(1.0), "serverIds"),
        (JsValue::NULL, "serverIds"),
        (
            Array::of2(&s(WEB01), &JsValue::from_f64(2.0)).into(),
            "serverIds[1]",
        ),
        (arr(&[]), "serverIds"),
        (arr(&[WEB01, "wa1demoweb01"]), "serverIds"),
    ];
    for (ids, field) in bad_ids {
        let e = rejects(&counted, "archiveServer", &[ids], &[&t]).await;
        assert_eq!(e.kind, "validation");
        let first = Reflect::get_u32(&e.details, 0).unwrap();
        assert!(
            get_str(&first, "field").starts_with(field),
            "{} vs {field}",
            stringify(&first)
        );
    }
    assert_eq!(
        rejects(&counted, "getGroup", &[s("not-hex")], &[&t])
            .await
            .kind,
        "validation"
    );
    assert_eq!(
        rejects(&counted, "getStatus", &[s("../x")], &[&t])
            .await
            .kind,
        "validation"
    );
    assert_eq!(
        rejects(&counted, "wait", &[JsValue::from_f64(3.0)], &[&t])
            .await
            .kind,
        "validation"
    );
    assert_eq!(count.get(), 0, "no request may be sent for invalid input");

    // The constructor throws synchronously (a constructor cannot reject).
    let e = construct(&ctor, &options(&[("token", s(&t))])).unwrap_err();
    assert_eq!(failure(&e, &[&t]).kind, "validation");
    let e = construct(
        &ctor,
        &options(&[("token", s("a b")), ("accountAlias", s("DEMO"))]),
    )
    .unwrap_err();
    assert_eq!(failure(&e, &["a b"]).kind, "validation");
}

#[wasm_bindgen_test]
async fn requests_describe_without_sending() {
    reset().await;
    let clc = login().await;
    let t = token(&clc);
    let requests = get(&clc, "requests");
    let req = call_sync(&requests, "shutDownServer", &[arr(&[WEB01, WEB02])]).unwrap();
    assert_eq!(get_str(&req, "method"), "POST");
    assert_eq!(
        get_str(&req, "url"),
        format!("{}/v2/operations/DEMO/servers/shutDown", sandbox())
    );
    assert_eq!(
        get_str(&get(&req, "headers"), "Authorization"),
        format!("Bearer {t}")
    );
    assert_eq!(get_str(&req, "body"), format!(r#"["{WEB01}","{WEB02}"]"#));
    let req = call_sync(
        &requests,
        "createSnapshot",
        &[s(WEB01), obj(&[("expirationDays", JsValue::from_f64(7.0))])],
    )
    .unwrap();
    assert_eq!(
        get_str(&req, "body"),
        format!(r#"{{"snapshotExpirationDays":7,"serverIds":["{WEB01}"]}}"#)
    );
    let req = call_sync(&requests, "getDataCenter", &[s("WA1")]).unwrap();
    assert_eq!(get_str(&req, "method"), "GET");
    assert!(get(&req, "body").is_undefined());
    assert!(get_str(&req, "url").ends_with("/v2/datacenters/DEMO/WA1?groupLinks=true"));
    // Invalid input throws a ClcError synchronously here (nothing is async).
    let e = call_sync(&requests, "getServer", &[JsValue::from_f64(1.0)]).unwrap_err();
    assert_eq!(failure(&e, &[&t]).kind, "validation");
}

/// A `fetch` that answers every request with `status` and `body`, as real `Response` objects: for answers the
/// sandbox would never send (wrong shapes, fields left out, deep nesting).
fn answering(status: u16, body: String) -> JsValue {
    let f =
        Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(move |_: JsValue, _: JsValue| {
            let ctor: Function = get(&js_sys::global(), "Response").dyn_into().unwrap();
            let init = obj(&[("status", JsValue::from_f64(f64::from(status)))]);
            let response = Reflect::construct(&ctor, &Array::of2(&s(&body), &init)).unwrap();
            Promise::resolve(&response).into()
        });
    f.into_js_value()
}

fn client_answering(status: u16, body: &str) -> JsValue {
    let clc = Clc::new(options(&[
        ("token", s("sbx.answering")),
        ("accountAlias", s("DEMO")),
        ("fetch", answering(status, body.to_owned())),
    ]))
    .unwrap_or_else(|e| panic!("new Clc: {}", err_text(&e)));
    clc.into()
}

/// How a call ended, as the caller sees it: the value as JSON, or the error's kind, status and message.
async fn outcome(target: &JsValue, method: &str, args: &[JsValue]) -> String {
    match call(target, method, args).await {
        Ok(v) => format!("ok {}", stringify(&v)),
        Err(e) => {
            let f = failure(&e, &[]);
            format!("{} {:?} {}", f.kind, f.status, f.message)
        }
    }
}

#[wasm_bindgen_test]
async fn the_fast_path_and_the_future_give_the_same_outcomes() {
    // A client without `trace` resolves a 2xx answer that JS accepts in JS and hands everything else to the
    // wasm; with `trace`, or with its line full, every call is a Rust future from start to end. Both must
    // end every call alike.
    let mut deep = String::from(r#"{"id":"g","name":"g"}"#);
    for _ in 0..100 {
        deep = format!(r#"{{"id":"g","name":"g","groups":[{deep}]}}"#);
    }
    let cases: Vec<(u16, String, &str, JsValue)> = vec![
        (200, r#"[{"server":"wa1b","isQueued":true},{"server":"WA1A","isQueued":false,"errorMessage":"no"}]"#.into(), "shutDownServer", arr(&["WA1A", "Wa1B", "WA1C"])),
        (200, r#"[{"server":"wa1a","isQueued":"yes"}]"#.into(), "resetServer", s("WA1A")),
        (200, r#"[{"server":"wa1a","isQueued":true,"errorMessage":"\ud800"}]"#.into(), "archiveServer", s("WA1A")),
        (200, r#"[{"server":"wa1a","isQueued":true,"errorMessage":"\ud83d\ude00"}]"#.into(), "archiveServer", s("WA1A")),
        (200, r#"{"id":"S1","name":"S1","details":{"powerState":"started"}}"#.into(), "getServer", s("S1")),
        (200, deep, "getGroup", s(WA1_ROOT)),
        (200, "<html>busy</html>".into(), "getServer", s("S1")),
        (200, String::new(), "getServer", s("S1")),
        (201, r#"{"rel":"status","href":"/v2/operations/DEMO/status/wa1-9","id":"wa1-9"}"#.into(), "archiveGroup", s(WA1_ROOT)),
        (401, r#"{"message":"expired"}"#.into(), "getServer", s("S1")),
        (404, "not here".into(), "getServer", s("S1")),
        (500, r#"{"message":"boom"}"#.into(), "shutDownServer", s("WA1A")),
    ];
    let traced = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {}).into_js_value();
    let mut kinds = Vec::new();
    for (status, body, method, ids) in cases {
        let fast = client_answering(status, &body);
        let future = Clc::new(options(&[
            ("token", s("sbx.answering")),
            ("accountAlias", s("DEMO")),
            ("fetch", answering(status, body.clone())),
            ("trace", traced.clone()),
        ]))
        .unwrap()
        .into();
        let fast = outcome(&fast, method, core::slice::from_ref(&ids)).await;
        let slow = outcome(&future, method, &[ids]).await;
        assert_eq!(fast, slow, "{status} {method} {body:.80}");
        kinds.push(fast.split(' ').next().unwrap_or_default().to_owned());
    }
    // Each way out is met: values JS accepted, answers only the wasm reads, and every error path.
    assert_eq!(
        kinds.join(" "),
        "ok decode decode ok ok decode decode decode ok unauthorized notFound http"
    );
}

#[wasm_bindgen_test]
async fn batch_results_come_in_request_order_named_as_asked() {
    // Reordered and lower-cased, as the service answers; one name escaped, one given twice in an entry, one
    // entry answering nothing asked for, one without links and with a field the SDK does not model.
    let body = r#"[
        {"server":"wa1x","isQueued":false},
        {"server":"wa1\u0062","isQueued":true,"links":[{"rel":"status","href":"/s/1","id":"1"}]},
        {"server":"other","server":"wa1a","isQueued":false,"errorMessage":"no","extra":{"kept":[1]}}
    ]"#;
    let ops = ok(
        &client_answering(200, body),
        "shutDownServer",
        &[arr(&["WA1A", "Wa1B", "WA1NONE"])],
    )
    .await;
    assert_eq!(
        stringify(&ops),
        concat!(
            r#"[{"server":"WA1A","isQueued":false,"errorMessage":"no","extra":{"kept":[1]},"links":[]},"#,
            r#"{"server":"Wa1B","isQueued":true,"links":[{"rel":"status","href":"/s/1","id":"1"}]},"#,
            r#"{"server":"wa1x","isQueued":false,"links":[]}]"#,
        )
    );
}

#[wasm_bindgen_test]
async fn answers_are_checked_then_returned_as_sent() {
    // A server the service did not queue comes without links: the result still has the declared array,
    // and fields the SDK does not model reach the caller untouched.
    let body = r#"[{"server":"wa1demoweb01","isQueued":false,"errorMessage":"nope","extra":{"kept":true}}]"#;
    let ops = ok(&client_answering(200, body), "shutDownServer", &[s(WEB01)]).await;
    let first = Array::from(&ops).get(0);
    assert_eq!(stringify(&get(&first, "links")), "[]");
    assert_eq!(stringify(&get(&first, "extra")), r#"{"kept":true}"#);

    let body = r#"{"id":"S1","name":"S1","details":{"powerState":"started"}}"#;
    let server = ok(&client_answering(200, body), "getServer", &[s("S1")]).await;
    let details = get(&server, "details");
    assert_eq!(stringify(&get(&details, "snapshots")), "[]");
    assert_eq!(stringify(&get(&server, "links")), "[]");

    // A wrong shape is a decode error that says where, never what (it could be the token).
    let clc = client_answering(
        200,
        r#"[{"server":"wa1demoweb01","isQueued":"SECRET-VALUE"}]"#,
    );
    let e = rejects(&clc, "resetServer", &[s(WEB01)], &["SECRET-VALUE"]).await;
    assert_eq!((e.kind.as_str(), e.status), ("decode", Some(200.0)));
    assert!(
        e.message.ends_with("[0].isQueued: expected a boolean"),
        "{}",
        e.message
    );
    let clc = client_answering(200, r#"{"status":7}"#);
    let e = rejects(&clc, "getStatus", &[s("wa1-1")], &[]).await;
    assert!(
        e.message.ends_with("status: expected a string"),
        "{}",
        e.message
    );
    let login = Clc::login(
        obj(&[("username", s("demo")), ("password", s(PASSWORD))]),
        options(&[(
            "fetch",
            answering(
                200,
                r#"{"userName":"demo","accountAlias":"DEMO","bearerToken":["SECRET-VALUE"]}"#
                    .into(),
            ),
        )]),
    );
    let e = failure(&settle(login.into()).await.unwrap_err(), &["SECRET-VALUE"]);
    assert!(
        e.message.ends_with("bearerToken: expected a string"),
        "{}",
        e.message
    );
}

#[wasm_bindgen_test]
async fn deep_answers_are_refused_and_the_instance_lives_on() {
    let mut group = String::from(r#"{"id":"g","name":"g"}"#);
    for _ in 0..5_000 {
        group = format!(r#"{{"id":"g","name":"g","groups":[{group}]}}"#);
    }
    let clc = client_answering(200, &group);
    let e = rejects(&clc, "getGroup", &[s(WA1_ROOT)], &[]).await;
    assert!(e.message.ends_with("nests too deeply"), "{}", e.message);
    let mut deep = String::from(r#""deep""#);
    for _ in 0..5_000 {
        deep = format!("[{deep}]");
    }
    let clc = client_answering(500, &format!(r#"{{"message":{deep}}}"#));
    let e = rejects(&clc, "getGroup", &[s(WA1_ROOT)], &[]).await;
    assert_eq!((e.kind.as_str(), e.status), ("http", Some(500.0)));
    // Still alive: a real call works.
    reset().await;
    let real = login().await;
    assert_eq!(
        get_str(&ok(&real, "getServer", &[s(WEB01)]).await, "id"),
        WEB01
    );
}

#[wasm_bindgen_test]
async fn wait_reads_a_callers_target_without_changing_it() {
    reset().await;
    let clc = login().await;
    let ops = ok(&clc, "shutDownServer", &[arr(&[WEB01, "WA1DEMONOPE99"])]).await;
    // The caller's own copy, with the not-queued entry's links left out.
    let copy = JSON::parse(&stringify(&ops)).unwrap();
    for item in Array::from(&copy).iter() {
        if get(&item, "isQueued") == JsValue::FALSE {
            Reflect::delete_property(item.unchecked_ref::<Object>(), &s("links")).unwrap();
        }
    }
    let before = stringify(&copy);
    let result = ok(&clc, "wait", &[copy.clone(), wait_options(&[])]).await;
    assert_eq!(stringify(&copy), before, "wait changed the caller's target");
    let outcomes: Vec<String> = Array::from(&get(&result, "servers"))
        .iter()
        .map(|s| get_str(&s, "outcome"))
        .collect();
    assert_eq!(outcomes.len(), 2);
    assert!(
        outcomes.contains(&"succeeded".to_owned()) && outcomes.contains(&"notQueued".to_owned())
    );
    // A target of the wrong shape is refused before anything is sent, naming the place.
    let bad =
        JSON::parse(r#"[{"server":"x","isQueued":true,"links":[{"rel":"status"}]}]"#).unwrap();
    let e = rejects(&clc, "wait", &[bad], &[]).await;
    assert_eq!(e.kind, "validation");
    assert!(
        e.message.contains("[0].links[0].href: is missing"),
        "{}",
        e.message
    );
}

// ---------- dashboard sessions (issue 13) ----------

/// Resolves every promise-returning call at once (`Promise.all`).
async fn all(calls: Vec<JsValue>) -> Result<JsValue, JsValue> {
    let list: Array = calls.into_iter().collect();
    JsFuture::from(Promise::all(&list)).await
}

#[wasm_bindgen_test]
async fn the_account_loads_in_a_few_reads() {
    reset().await;
    let clc = login().await;
    let dcs = Array::from(&ok(&clc, "listDataCenters", &[]).await);
    let ids: Vec<String> = dcs.iter().map(|dc| get_str(&dc, "id")).collect();
    assert_eq!(ids, ["wa1", "va1"]);
    control("POST", "/sandbox/stats/reset", None).await;
    let servers = Array::from(&ok(&clc, "listServers", &[]).await);
    assert!(servers.length() >= 10, "{}", stringify(&servers));
    for server in servers.iter() {
        assert!(
            get(&server, "groupId").is_string(),
            "{}",
            stringify(&server)
        );
    }
    assert_eq!(
        route_count("GET /v2/servers/{alias}/{id}").await,
        0.0,
        "no Get Server per server"
    );
    assert_eq!(
        route_count("GET /v2/groups/{alias}/{id}").await,
        2.0,
        "one detailed read per data center"
    );

    let group = ok(
        &clc,
        "getGroup",
        &[s(WA1_ROOT), obj(&[("serverDetail", s("detailed"))])],
    )
    .await;
    assert!(
        Array::is_array(&get(&group, "servers")),
        "{}",
        stringify(&group)
    );

    // One data center failing does not hide the other.
    faults(r#"{"failNext":["html502"]}"#).await;
    let e = call(
        &clc,
        "listServers",
        &[obj(&[("dataCenters", arr(&["wa1", "va1"]))])],
    )
    .await
    .expect_err("a failing data center rejects");
    let failures = Array::from(&get(&e, "failures"));
    assert_eq!(failures.length(), 1, "{}", err_text(&e));
    assert!(Array::from(&get(&e, "partial")).length() > 0);
    assert!(get_str(&e, "message").contains("1 of 2 data centers"));
}

#[wasm_bindgen_test]
async fn five_calls_meeting_an_expired_token_share_one_refresh() {
    reset().await;
    let refreshes = Rc::new(Cell::new(0u32));
    let r = refreshes.clone();
    let token_of = Closure::<dyn FnMut(JsValue) -> JsValue>::new(|c: JsValue| get(&c, "token"));
    let token_of: Function = token_of.into_js_value().unchecked_into();
    let refresh = Closure::<dyn FnMut() -> JsValue>::new(move || {
        r.set(r.get() + 1);
        let creds = obj(&[("username", s("demo")), ("password", s(PASSWORD))]);
        {
            let pending: JsValue = Clc::login(creds, options(&[])).into();
            let then: Function = get(&pending, "then").dyn_into().unwrap();
            then.call1(&pending, &token_of).unwrap()
        }
    });
    let clc = login_as(
        "demo",
        PASSWORD,
        &[("refreshToken", refresh.into_js_value())],
    )
    .await
    .unwrap();
    let old = token(&clc);
    assert!(get(&clc, "tokenExpiresAt").as_f64().unwrap() > now());
    faults(r#"{"expireTokens":true}"#).await;
    let calls = (0..5)
        .map(|_| call_sync(&clc, "getServer", &[s(WEB01)]).unwrap())
        .collect();
    all(calls)
        .await
        .expect("every call carries on after the refresh");
    assert_eq!(refreshes.get(), 1, "five 401s, one refresh");
    assert_ne!(token(&clc), old);
}

#[wasm_bindgen_test]
async fn max_concurrent_is_what_the_server_sees() {
    reset().await;
    let clc = login_as("demo", PASSWORD, &[("maxConcurrent", 2.into())])
        .await
        .unwrap();
    faults(r#"{"latencyMs":300}"#).await;
    control("POST", "/sandbox/stats/reset", None).await;
    let started = now();
    let calls = (0..6)
        .map(|_| call_sync(&clc, "getServer", &[s(WEB01)]).unwrap())
        .collect();
    all(calls).await.unwrap();
    let stats = control_json("GET", "/sandbox/stats", None).await;
    let most = get(&stats, "maxInFlight").as_f64().unwrap();
    assert!((1.0..=2.0).contains(&most), "{}", stringify(&stats));
    // Six requests of 300 ms, two at a time: at least three waves (a lower bound; a slow machine only adds).
    assert!(now() - started >= 850.0, "{} ms", now() - started);
}

#[wasm_bindgen_test]
async fn two_waits_on_one_job_poll_it_once_per_round() {
    reset().await;
    let clc = login().await;
    let ops = ok(&clc, "shutDownServer", &[s(WEB01)]).await;
    control("POST", "/sandbox/stats/reset", None).await;
    let waits = vec![
        call_sync(&clc, "wait", &[ops.clone(), wait_options(&[])]).unwrap(),
        call_sync(&clc, "wait", &[ops, wait_options(&[])]).unwrap(),
    ];
    let results = Array::from(&all(waits).await.unwrap());
    let polls = get(&Array::from(&get(&results.get(0), "jobs")).get(0), "polls")
        .as_f64()
        .unwrap();
    assert_eq!(
        route_count("GET /v2/operations/{alias}/status/{id}").await,
        polls
    );
}

#[wasm_bindgen_test]
async fn retry_after_is_honoured_on_reads() {
    reset().await;
    let clc = login().await;
    faults(r#"{"failNext":["status429"],"retryAfterSecs":1}"#).await;
    let started = now();
    ok(&clc, "getServer", &[s(WEB01)]).await;
    assert!(
        now() - started >= 900.0,
        "sent again before Retry-After: {} ms",
        now() - started
    );
    faults(r#"{"failNext":["status503"],"retryAfterForm":"date"}"#).await;
    ok(&clc, "getServer", &[s(WEB01)]).await;
}

#[wasm_bindgen_test]
async fn trace_sees_every_request_and_no_secret() {
    reset().await;
    let entries = Rc::new(core::cell::RefCell::new(Vec::<String>::new()));
    let e = entries.clone();
    let trace = Closure::<dyn FnMut(JsValue)>::new(move |entry: JsValue| {
        e.borrow_mut().push(stringify(&entry))
    });
    let clc = login_as("demo", PASSWORD, &[("trace", trace.into_js_value())])
        .await
        .unwrap();
    ok(&clc, "getServer", &[s(WEB01)]).await;
    let t = token(&clc);
    let entries = entries.borrow();
    assert_eq!(entries.len(), 2, "{entries:?}");
    for entry in entries.iter() {
        assert!(
            entry.contains("\"durationMs\"")
                && entry.contains("\"attempt\":1")
                && entry.contains("\"status\":200"),
            "{entry}"
        );
        assert!(
            !entry.contains(&t[..12]) && !entry.contains(PASSWORD),
            "{entry}"
        );
    }
}
