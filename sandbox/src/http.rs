//! The HTTP face of the sandbox: CLC v2 routes, the fault middleware, CORS, static files and `/sandbox/`.

use crate::stats::Stats;
use crate::world::{imf_fixdate, Faults, JobMode, Op, Refusal, RetryAfterForm, World, FAULT_NAMES};
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

/// Largest request body accepted (5,000 server IDs take about 80 KB).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Longest jump of `POST /sandbox/clock` in one call (a year).
pub const CLOCK_STEP_LIMIT_MS: u64 = 365 * 24 * 3600 * 1000;

/// The shared state.
#[derive(Clone)]
pub struct AppState {
    world: Arc<Mutex<World>>,
    stats: Arc<Mutex<Stats>>,
    /// How far `POST /sandbox/clock` moved the world's clock ahead of the real one.
    ahead: Arc<Mutex<Duration>>,
}

/// A lock, even if a holder panicked: the state stays usable, and no handler panics while holding it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    /// Wraps a world.
    pub fn new(world: World) -> Self {
        AppState {
            world: Arc::new(Mutex::new(world)),
            stats: Arc::new(Mutex::new(Stats::default())),
            ahead: Arc::new(Mutex::new(Duration::ZERO)),
        }
    }

    fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    fn stats(&self) -> MutexGuard<'_, Stats> {
        lock(&self.stats)
    }

    /// The world's time: the real clock, plus what `POST /sandbox/clock` added.
    fn now(&self) -> Instant {
        let real = Instant::now();
        real.checked_add(*lock(&self.ahead)).unwrap_or(real)
    }
}

/// What to serve besides the API.
#[derive(Clone, Debug, Default)]
pub struct Static {
    /// The demo page, served at `/`.
    pub www: Option<PathBuf>,
    /// The npm package, served at `/pkg/`.
    pub pkg: Option<PathBuf>,
    /// Origins allowed by CORS; empty means any.
    pub allow_origins: Vec<String>,
    /// Sends COOP `same-origin` and COEP `require-corp` with every answer, so a page it serves is cross-origin
    /// isolated (`performance.now()` at 5 µs instead of 100 µs) without a test driver rewriting its headers.
    pub isolate: bool,
}

/// The whole application.
pub fn app(state: AppState, statics: &Static) -> Router {
    let api = Router::new()
        .route("/v2/authentication/login", post(login))
        .route(
            "/v2/operations/{alias}/servers/{op}",
            post(server_operation),
        )
        .route("/v2/operations/{alias}/status/{id}", get(status))
        .route("/v2/groups/{alias}/{id}", get(group))
        .route("/v2/groups/{alias}/{id}/archive", post(archive_group))
        .route("/v2/servers/{alias}/{id}", get(server))
        .route("/v2/datacenters/{alias}", get(data_centers))
        .route("/v2/datacenters/{alias}/{dc}", get(data_center))
        // Any other /v2 path is the API's 404, counted (as `/v2/{*rest}`) and faulted like the rest.
        .route("/v2/{*rest}", axum::routing::any(not_found))
        // Faults touch the emulated API only, never the control endpoints or static files.
        .layer(middleware::from_fn_with_state(state.clone(), faults))
        // Outside the faults: faulted requests are counted, and delayed ones overlap.
        .layer(middleware::from_fn_with_state(state.clone(), count));
    let control = Router::new()
        .route("/sandbox/reset", post(reset))
        .route("/sandbox/faults", get(get_faults).put(put_faults))
        .route("/sandbox/stats", get(get_stats))
        .route("/sandbox/stats/reset", post(reset_stats))
        .route("/sandbox/clock", post(advance_clock));
    let mut router = api.merge(control);
    if let Some(pkg) = &statics.pkg {
        router = router.nest_service("/pkg", ServeDir::new(pkg));
    }
    router = match &statics.www {
        Some(www) => router.fallback_service(ServeDir::new(www).fallback(not_found_service())),
        None => router.fallback(not_found),
    };
    if statics.isolate {
        router = router.layer(middleware::from_fn(isolated));
    }
    router
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn(no_cache))
        .layer(cors(&statics.allow_origins))
        .with_state(state)
}

fn not_found_service() -> axum::routing::MethodRouter {
    axum::routing::any(not_found)
}

fn cors(origins: &[String]) -> CorsLayer {
    let allow = if origins.is_empty() {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        // A browser hides every other header from a cross-origin page; a client must read this one.
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}

/// The demo and the package change while developing; never let a browser keep a stale copy.
async fn no_cache(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// See [`Static::isolate`]. Every answer carries the headers, not only pages: they are harmless on the rest.
async fn isolated(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-embedder-policy",
        HeaderValue::from_static("require-corp"),
    );
    res
}

/// Every 4xx in the service's `{"message": "..."}` form, including the ones axum makes itself in plain text
/// or with no body (a wrong method, a path it cannot decode, a body over [`BODY_LIMIT`]), so that a client
/// sees one error shape whatever it got wrong. 5xx answers are left alone: those are the injected faults.
async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !res.status().is_client_error() || json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let message = if parts.status == StatusCode::PAYLOAD_TOO_LARGE {
        format!("The request body is larger than the limit of {BODY_LIMIT} bytes.")
    } else {
        // axum's own texts are short; anything longer or unreadable gets the status's name.
        match axum::body::to_bytes(body, 4096).await {
            Ok(text) if !text.is_empty() => String::from_utf8_lossy(&text).into_owned(),
            _ => parts
                .status
                .canonical_reason()
                .unwrap_or("Bad request")
                .to_owned(),
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    let body = json!({ "message": message }).to_string();
    Response::from_parts(parts, Body::from(body))
}

fn json_response(status: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(body)).into_response()
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        json_response(self.status, self.body)
    }
}

async fn not_found() -> Response {
    Refusal::no_route().into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// Parses a JSON body, or answers with the ASP.NET 400 the service gives for a bad one.
fn parse_body(body: &Bytes) -> Result<Value, Refusal> {
    serde_json::from_slice(body)
        .map_err(|_| Refusal::invalid("body", "The request body is not valid JSON."))
}

async fn login(State(state): State<AppState>, body: Bytes) -> Response {
    let body = match parse_body(&body) {
        Ok(body) => body,
        Err(refusal) => return refusal.into_response(),
    };
    let field = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or_default();
    let (username, password) = (field("username"), field("password"));
    let now = state.now();
    match state.world().login(username, password, now) {
        Ok(session) => json_response(200, session),
        Err(refusal) => refusal.into_response(),
    }
}

/// The server IDs of an operation's body: a JSON array of strings, or for createSnapshot
/// `{"snapshotExpirationDays": 1..10 (number or numeric string), "serverIds": [...]}`.
fn operation_ids(op: Op, body: &Value) -> Result<Vec<String>, Refusal> {
    let (ids, ids_field) = match op {
        Op::CreateSnapshot => {
            let days = match body.get("snapshotExpirationDays") {
                Some(Value::Number(n)) => n.as_f64(),
                Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            if !days.is_some_and(|d| d.fract() == 0.0 && (1.0..=10.0).contains(&d)) {
                return Err(Refusal::invalid(
                    "body.snapshotExpirationDays",
                    "The field snapshotExpirationDays must be between 1 and 10.",
                ));
            }
            (body.get("serverIds"), "body.serverIds")
        }
        _ => (Some(body), "body"),
    };
    let ids = ids
        .and_then(Value::as_array)
        .ok_or_else(|| Refusal::invalid(ids_field, "A list of server IDs is required."))?;
    if ids.is_empty() {
        return Err(Refusal::invalid(
            ids_field,
            "At least one server ID is required.",
        ));
    }
    ids.iter()
        .map(|id| id.as_str().filter(|s| !s.is_empty()).map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| Refusal::invalid(ids_field, "Each server ID must be a non-empty string."))
}

async fn server_operation(
    State(state): State<AppState>,
    Path((alias, op)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = (|| {
        let key = state
            .world()
            .authorize(bearer(&headers), &alias, state.now())?;
        // An operation the service does not have is a route it does not have.
        let op = Op::from_segment(&op).ok_or_else(Refusal::no_route)?;
        let ids = operation_ids(op, &parse_body(&body)?)?;
        state.world().server_operation(&key, op, &ids, state.now())
    })();
    respond(result)
}

fn respond(result: Result<Value, Refusal>) -> Response {
    match result {
        Ok(body) => json_response(200, body),
        Err(refusal) => refusal.into_response(),
    }
}

/// Runs `read` at the world's time on the account that the token in `headers` may use.
fn authorized(
    state: &AppState,
    headers: &HeaderMap,
    alias: &str,
    read: impl FnOnce(&mut World, &str, Instant) -> Result<Value, Refusal>,
) -> Response {
    let now = state.now();
    let mut world = state.world();
    respond(
        world
            .authorize(bearer(headers), alias, now)
            .and_then(|key| read(&mut world, &key, now)),
    )
}

async fn status(
    State(state): State<AppState>,
    Path((alias, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    authorized(&state, &headers, &alias, |world, key, now| {
        world.status(key, &id, now)
    })
}

async fn server(
    State(state): State<AppState>,
    Path((alias, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    authorized(&state, &headers, &alias, |world, key, _| {
        world.server(key, &id)
    })
}

async fn group(
    State(state): State<AppState>,
    Path((alias, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let detailed = query
        .get("serverDetail")
        .is_some_and(|v| v.eq_ignore_ascii_case("detailed"));
    authorized(&state, &headers, &alias, |world, key, _| {
        world.group(key, &id, detailed)
    })
}

async fn archive_group(
    State(state): State<AppState>,
    Path((alias, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    authorized(&state, &headers, &alias, |world, key, now| {
        world.archive_group(key, &id, now)
    })
}

fn group_links(query: &HashMap<String, String>) -> bool {
    query
        .get("groupLinks")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

async fn data_center(
    State(state): State<AppState>,
    Path((alias, dc)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    authorized(&state, &headers, &alias, |world, key, _| {
        world.data_center(key, &dc, group_links(&query))
    })
}

async fn data_centers(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    authorized(&state, &headers, &alias, |world, key, _| {
        world.data_centers(key, group_links(&query))
    })
}

// ---- faults --------------------------------------------------------------------------------------------

const HTML_502: &str = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

/// Marks an answer that is cut off before it is complete, so the stats log it as no answer (0).
#[derive(Clone, Copy)]
struct Dropped;

/// The `Retry-After` value of the faults that carry one, written in the configured form; dates are by
/// the real clock (the one the client compares them with), rounded up so a client waits at least
/// the configured seconds.
fn retry_after(faults: &Faults, wall: SystemTime) -> HeaderValue {
    let text = match faults.retry_after_form {
        RetryAfterForm::Seconds => faults.retry_after_secs.to_string(),
        RetryAfterForm::Date => {
            let since = wall
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            let up = u64::from(since.subsec_nanos() > 0);
            let at = Duration::from_secs(since.as_secs() + up + faults.retry_after_secs);
            imf_fixdate(std::time::UNIX_EPOCH + at)
        }
    };
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("1"))
}

fn fault_response(name: &str, retry_after: HeaderValue) -> Response {
    match name {
        "html502" => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            HTML_502,
        )
            .into_response(),
        "aspnet500" => json_response(
            500,
            json!({
                "message": "An error has occurred.",
                "exceptionMessage": "Object reference not set to an instance of an object.",
                "exceptionType": "System.NullReferenceException",
                "stackTrace": "   at Tier3.Api.Controllers.OperationsController.Post()",
            }),
        ),
        "malformedJson" => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"status\":\"execu",
        )
            .into_response(),
        "empty503" => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        "status429" | "status503" => {
            let (status, message) = if name == "status429" {
                (429, "Too many requests; slow down.")
            } else {
                (
                    503,
                    "The service is temporarily unavailable; try again later.",
                )
            };
            let mut res = json_response(status, json!({ "message": message }));
            res.headers_mut().insert(header::RETRY_AFTER, retry_after);
            res
        }
        // A body that fails as soon as it is read: the connection is cut with no complete answer.
        _ => {
            let broken = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other(
                    "connection dropped by the sandbox",
                ))
            });
            let mut res = Response::new(Body::from_stream(broken));
            res.extensions_mut().insert(Dropped);
            res
        }
    }
}

async fn faults(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        return next.run(req).await;
    }
    let (latency, fault, retry) = {
        let mut world = state.world();
        let fault = match world.faults.fail_next.pop_front() {
            Some(fault) => Some(fault),
            None if world.faults.error_rate > 0.0 && world.random() < world.faults.error_rate => {
                Some(
                    if world.random() < 0.5 {
                        "html502"
                    } else {
                        "aspnet500"
                    }
                    .to_owned(),
                )
            }
            None => None,
        };
        let retry = fault
            .is_some()
            .then(|| retry_after(&world.faults, SystemTime::now()));
        (world.faults.latency_ms, fault, retry)
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    match (fault, retry) {
        (Some(fault), Some(retry)) => fault_response(&fault, retry),
        _ => next.run(req).await,
    }
}

/// Ends a request in the stats when dropped: when its answer is ready, or when the client left first
/// (then with status 0), so `inFlight` never leaks.
struct Counted {
    stats: Arc<Mutex<Stats>>,
    method: String,
    path: String,
    status: u16,
}

impl Drop for Counted {
    fn drop(&mut self) {
        lock(&self.stats).end(&self.method, &self.path, self.status);
    }
}

async fn count(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        return next.run(req).await;
    }
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(no route)", MatchedPath::as_str)
        .to_owned();
    state.stats().begin(&method, &route);
    let mut counted = Counted {
        stats: state.stats.clone(),
        method,
        path: req.uri().path().to_owned(),
        status: 0,
    };
    let res = next.run(req).await;
    if res.extensions().get::<Dropped>().is_none() {
        counted.status = res.status().as_u16();
    }
    res
}

// ---- /sandbox/ -----------------------------------------------------------------------------------------

async fn reset(State(state): State<AppState>) -> StatusCode {
    state.world().reset();
    state.stats().reset();
    // Tokens and jobs are forgotten, so nothing can tell the clock went back.
    *lock(&state.ahead) = Duration::ZERO;
    StatusCode::NO_CONTENT
}

async fn get_stats(State(state): State<AppState>) -> Response {
    json_response(200, state.stats().to_json())
}

async fn reset_stats(State(state): State<AppState>) -> StatusCode {
    state.stats().reset();
    StatusCode::NO_CONTENT
}

/// `{"advanceMs": n}`: moves the world's clock forward (jobs finish, tokens expire) without waiting.
/// Answers how far ahead of the real clock it now is.
async fn advance_clock(State(state): State<AppState>, body: Bytes) -> Response {
    let result = parse_body(&body).and_then(|body| {
        let step = body
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.get("advanceMs"))
            .and_then(Value::as_u64)
            .filter(|ms| *ms <= CLOCK_STEP_LIMIT_MS)
            .ok_or_else(|| {
                Refusal::invalid(
                    "advanceMs",
                    "an integer from 0 to 31536000000, the only field",
                )
            })?;
        let mut ahead = lock(&state.ahead);
        let moved = ahead
            .checked_add(Duration::from_millis(step))
            .filter(|d| Instant::now().checked_add(*d).is_some())
            .ok_or_else(|| Refusal::invalid("advanceMs", "the clock cannot go that far"))?;
        *ahead = moved;
        Ok(json!({ "aheadMs": moved.as_millis() as u64 }))
    });
    respond(result)
}

async fn get_faults(State(state): State<AppState>) -> Response {
    json_response(200, state.world().faults.to_json())
}

/// Applies a partial update of the faults; refuses the whole update if any field is bad.
fn update_faults(
    faults: &mut Faults,
    world_expire: &mut bool,
    body: &Value,
) -> Result<(), Refusal> {
    let object = body
        .as_object()
        .ok_or_else(|| Refusal::invalid("body", "Expected a JSON object."))?;
    let mut next = faults.clone();
    for (key, value) in object {
        let bad = |why: &str| Refusal::invalid(key, why);
        match key.as_str() {
            "latencyMs" => {
                next.latency_ms = value
                    .as_u64()
                    .filter(|ms| *ms <= 60_000)
                    .ok_or_else(|| bad("an integer from 0 to 60000"))?
            }
            "jobMs" => {
                next.job_ms = value
                    .as_u64()
                    .filter(|ms| *ms <= 3_600_000)
                    .ok_or_else(|| bad("an integer from 0 to 3600000"))?
            }
            "errorRate" => {
                next.error_rate = value
                    .as_f64()
                    .filter(|r| (0.0..=1.0).contains(r))
                    .ok_or_else(|| bad("a number from 0 to 1"))?
            }
            "failNext" => {
                let names = value
                    .as_array()
                    .ok_or_else(|| bad("an array of fault names"))?;
                next.fail_next = names
                    .iter()
                    .map(|n| {
                        n.as_str()
                            .filter(|n| FAULT_NAMES.contains(n))
                            .map(str::to_owned)
                    })
                    .collect::<Option<_>>()
                    .ok_or_else(|| bad(&format!("fault names are {}", FAULT_NAMES.join(", "))))?;
            }
            "jobs" => {
                next.jobs = match value.as_str() {
                    Some("normal") => JobMode::Normal,
                    Some("fail") => JobMode::Fail,
                    Some("hang") => JobMode::Hang,
                    _ => return Err(bad("\"normal\", \"fail\" or \"hang\"")),
                }
            }
            "retryAfterSecs" => {
                next.retry_after_secs = value
                    .as_u64()
                    .filter(|s| *s <= 86_400)
                    .ok_or_else(|| bad("an integer from 0 to 86400"))?
            }
            "retryAfterForm" => {
                next.retry_after_form = match value.as_str() {
                    Some("seconds") => RetryAfterForm::Seconds,
                    Some("date") => RetryAfterForm::Date,
                    _ => return Err(bad("\"seconds\" or \"date\"")),
                }
            }
            "expireTokens" => {
                *world_expire = value.as_bool().ok_or_else(|| bad("true or false"))?
            }
            _ => return Err(bad("unknown setting")),
        }
    }
    *faults = next;
    Ok(())
}

async fn put_faults(State(state): State<AppState>, body: Bytes) -> Response {
    let result = parse_body(&body).and_then(|body| {
        let mut world = state.world();
        let mut faults = world.faults.clone();
        let mut expire = false;
        update_faults(&mut faults, &mut expire, &body)?;
        world.faults = faults;
        if expire {
            world.expire_tokens(state.now());
        }
        Ok(world.faults.to_json())
    });
    respond(result)
}
