//! A sandbox on a loopback port chosen by the OS, and a minimal HTTP/1.1 client for talking to it.
//!
//! The client is hand-written on purpose: it sends exactly the bytes a test asks for (garbage included),
//! opens one connection per request (`Connection: close`), and reports a connection that ends without a
//! complete answer instead of hiding it behind retries.

#![allow(dead_code)]

use clc_sandbox::http::Static;
use clc_sandbox::world::{default_seed, Faults, Seed, World};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const ALIAS: &str = "DEMO";
pub const USER: &str = "demo";
pub const PASSWORD: &str = "demo-password";
pub const OTHER_ALIAS: &str = "OTHR";
pub const OTHER_USER: &str = "other";
pub const OTHER_PASSWORD: &str = "other-password";

/// The documented answer to bad credentials.
pub const BAD_LOGIN: &str =
    "We didn't recognize the username or password you entered. Please try again.";
/// The documented errorMessage of a server that was not queued.
pub const NOT_QUEUED: &str =
    "The operation cannot be queued because the server cannot be found or it is not in a valid state.";

// Fixture servers (sandbox/seed.json) and groups, by the state the tests rely on.
pub const WEB01: &str = "WA1DEMOWEB01"; // started
pub const WEB02: &str = "WA1DEMOWEB02"; // started
pub const WEB03: &str = "WA1DEMOWEB03"; // stopped
pub const DB01: &str = "WA1DEMODB01"; // started
pub const DB02: &str = "WA1DEMODB02"; // paused
pub const DB03: &str = "WA1DEMODB03"; // started, in maintenance
pub const OLD01: &str = "WA1DEMOOLD01"; // archived
pub const BAT01: &str = "WA1DEMOBAT01"; // stopped, in group Batch
pub const NGT01: &str = "WA1DEMONGT01"; // started, in Batch/Nightly
pub const NGT02: &str = "WA1DEMONGT02"; // stopped, in Batch/Nightly
pub const OTHER_APP01: &str = "WA1OTHRAPP01"; // account OTHR
pub const ROOT_WA1: &str = "8a1c0b9662cf4fc8bf6180f139fa0001";
pub const GROUP_WEB: &str = "2a5c0b9662cf4fc8bf6180f139facdc0";
pub const GROUP_BATCH: &str = "2a5c0b9662cf4fc8bf6180f139facdc3";
pub const GROUP_NIGHTLY: &str = "2a5c0b9662cf4fc8bf6180f139facdc4";

/// How long any single request may take before a test fails instead of hanging.
pub const REQUEST_LIMIT: Duration = Duration::from_secs(15);

/// A running sandbox; one started here stops when dropped.
pub struct Sandbox {
    pub addr: SocketAddr,
    _stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// How to start a sandbox other than [`Sandbox::start`]'s default.
pub struct Setup {
    pub seed: Seed,
    pub token_ttl: Duration,
    pub faults: Faults,
    pub statics: Static,
}

impl Setup {
    /// The built-in fixture, tokens living an hour, no faults, jobs lasting `job_ms`.
    pub fn new(job_ms: u64) -> Setup {
        Setup {
            seed: default_seed(),
            token_ttl: Duration::from_secs(3600),
            faults: Faults::none(job_ms),
            statics: Static::default(),
        }
    }
}

impl Sandbox {
    /// The built-in fixture, no faults, jobs lasting `job_ms`.
    pub async fn start(job_ms: u64) -> Sandbox {
        let (addr, stop) = clc_sandbox::spawn_for_tests(job_ms)
            .await
            .expect("sandbox starts");
        Sandbox {
            addr,
            _stop: Some(stop),
        }
    }

    /// A client of a sandbox running elsewhere (e.g. the binary, in another process).
    pub fn at(addr: SocketAddr) -> Sandbox {
        Sandbox { addr, _stop: None }
    }

    pub async fn start_with(setup: Setup) -> Sandbox {
        let world = World::new(
            setup.seed,
            setup.token_ttl,
            setup.faults,
            clc_sandbox::start_now(),
        );
        let (addr, stop) = clc_sandbox::spawn(world, setup.statics)
            .await
            .expect("sandbox starts");
        Sandbox {
            addr,
            _stop: Some(stop),
        }
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Reply {
        self.send_with(method, path, token, body, &[]).await
    }

    /// A request with extra headers; a JSON body when `body` is given (or the method is POST or PUT).
    pub async fn send_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
        extra: &[(&str, &str)],
    ) -> Reply {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        if let Some(token) = token {
            request.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        for (name, value) in extra {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        let body = body.unwrap_or("");
        if !body.is_empty() || method == "POST" || method == "PUT" {
            request.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        request.push_str("\r\n");
        request.push_str(body);
        self.raw(request.as_bytes()).await
    }

    /// Sends `bytes` as they are on a new connection and reads until the server closes it. The write may
    /// fail part-way (a server may answer and close before reading everything); the answer is read anyway.
    pub async fn raw(&self, bytes: &[u8]) -> Reply {
        self.exchange(bytes, false).await
    }

    /// Like [`Sandbox::raw`], then closes the sending side, so that a server waiting for the rest of an
    /// incomplete request sees the end of it. (hyper then drops the connection: an answer still being
    /// prepared is lost, so this is for garbage only.)
    pub async fn raw_then_close(&self, bytes: &[u8]) -> Reply {
        self.exchange(bytes, true).await
    }

    async fn exchange(&self, bytes: &[u8], close: bool) -> Reply {
        let exchange = async {
            let stream = TcpStream::connect(self.addr).await.expect("connect");
            let (mut reader, mut writer) = stream.into_split();
            let bytes = bytes.to_vec();
            let writing = tokio::spawn(async move {
                let _ = writer.write_all(&bytes).await;
                if close {
                    let _ = writer.shutdown().await;
                }
                writer
            });
            let mut raw = Vec::new();
            let read = reader.read_to_end(&mut raw).await;
            let _ = writing.await;
            Reply::parse(&raw, read.is_err())
        };
        tokio::time::timeout(REQUEST_LIMIT, exchange)
            .await
            .unwrap_or_else(|_| panic!("no answer in {REQUEST_LIMIT:?}"))
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &str) -> Reply {
        self.send("POST", path, Some(token), Some(body)).await
    }

    /// The demo user's token.
    pub async fn login(&self) -> String {
        self.login_as(USER, PASSWORD).await
    }

    pub async fn login_as(&self, user: &str, password: &str) -> String {
        let body = serde_json::json!({ "username": user, "password": password }).to_string();
        let reply = self
            .send("POST", "/v2/authentication/login", None, Some(&body))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json()["bearerToken"]
            .as_str()
            .expect("a token")
            .to_owned()
    }

    /// PUT /sandbox/faults, which must be accepted.
    pub async fn faults(&self, settings: &str) -> Value {
        let reply = self.put_faults(settings).await;
        assert_eq!(reply.status, 200, "{settings}: {}", reply.text);
        reply.json()
    }

    /// Moves the sandbox's clock `ms` forward (POST /sandbox/clock), which must be accepted.
    pub async fn advance(&self, ms: u64) {
        let body = serde_json::json!({ "advanceMs": ms }).to_string();
        let reply = self.send("POST", "/sandbox/clock", None, Some(&body)).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }

    /// GET /sandbox/stats.
    pub async fn stats(&self) -> Value {
        let reply = self.send("GET", "/sandbox/stats", None, None).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json()
    }

    /// PUT /sandbox/faults, whatever the answer.
    pub async fn put_faults(&self, settings: &str) -> Reply {
        self.send("PUT", "/sandbox/faults", None, Some(settings))
            .await
    }

    /// Runs a server operation on the demo account and returns the answer.
    pub async fn operate(&self, token: &str, op: &str, body: &str) -> Reply {
        self.post(&format!("/v2/operations/{ALIAS}/servers/{op}"), token, body)
            .await
    }

    /// Runs a server operation on `ids`, which must be answered with 200, and returns its entities.
    pub async fn operate_on(&self, token: &str, op: &str, ids: &[&str]) -> Vec<Value> {
        let body = if op == "createSnapshot" {
            serde_json::json!({ "snapshotExpirationDays": 7, "serverIds": ids })
        } else {
            serde_json::json!(ids)
        };
        let reply = self.operate(token, op, &body.to_string()).await;
        assert_eq!(reply.status, 200, "{op}: {}", reply.text);
        reply.json().as_array().expect("an array").clone()
    }

    /// Runs a server operation on `ids`, all of which must be queued, and returns the batch's job ID.
    pub async fn queue(&self, token: &str, op: &str, ids: &[&str]) -> String {
        let entities = self.operate_on(token, op, ids).await;
        let jobs: Vec<String> = entities
            .iter()
            .map(|e| {
                assert_eq!(e["isQueued"], true, "{op}: {e}");
                job_of(e)
            })
            .collect();
        assert_eq!(jobs.len(), ids.len());
        assert!(jobs.iter().all(|j| j == &jobs[0]), "{op}: {jobs:?}");
        jobs[0].clone()
    }

    /// Archives `group` (which must be accepted) and returns its job ID.
    pub async fn archive_group(&self, token: &str, group: &str) -> String {
        let path = format!("/v2/groups/{ALIAS}/{group}/archive");
        let link = self.post(&path, token, "").await.json();
        link["id"].as_str().expect("a status link").to_owned()
    }

    pub async fn job_status(&self, token: &str, job: &str) -> String {
        let reply = self
            .get(&format!("/v2/operations/{ALIAS}/status/{job}"), token)
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json()["status"]
            .as_str()
            .expect("a status")
            .to_owned()
    }

    /// Polls until the job is final (or `limit_ms` passes) and returns its last status.
    pub async fn finish(&self, token: &str, job: &str, limit_ms: u64) -> String {
        let start = Instant::now();
        loop {
            let status = self.job_status(token, job).await;
            if status == "succeeded"
                || status == "failed"
                || start.elapsed() > Duration::from_millis(limit_ms)
            {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    }

    /// Get Server on the demo account, which must answer 200.
    pub async fn server(&self, token: &str, id: &str) -> Value {
        let reply = self.get(&format!("/v2/servers/{ALIAS}/{id}"), token).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json()
    }

    /// Get Group on the demo account, which must answer 200.
    pub async fn group(&self, token: &str, id: &str) -> Value {
        let reply = self.get(&format!("/v2/groups/{ALIAS}/{id}"), token).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json()
    }

    /// A server's power state, status and maintenance flag.
    pub async fn state(&self, token: &str, id: &str) -> (String, String, bool) {
        let server = self.server(token, id).await;
        (
            server["details"]["powerState"]
                .as_str()
                .expect("powerState")
                .to_owned(),
            server["status"].as_str().expect("status").to_owned(),
            server["details"]["inMaintenanceMode"]
                .as_bool()
                .expect("inMaintenanceMode"),
        )
    }
}

/// The job ID of an entity's status link, checking the link's shape.
pub fn job_of(entity: &Value) -> String {
    let links = entity["links"].as_array().expect("links");
    let link = links
        .iter()
        .find(|l| l["rel"] == "status")
        .unwrap_or_else(|| panic!("no status link in {entity}"));
    let id = link["id"].as_str().expect("a job id").to_owned();
    assert_eq!(
        link["href"],
        format!("/v2/operations/{}/status/{id}", ALIAS.to_lowercase()),
        "{entity}"
    );
    id
}

/// An HTTP answer; `status` is 0 when the connection ended without a status line and headers.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
    /// The connection ended in an error, or before the whole body arrived.
    pub cut: bool,
}

impl Reply {
    /// Reads the first answer in `raw` (a server may have answered more than one request on the
    /// connection: garbage after a request is read as the next one).
    fn parse(raw: &[u8], read_failed: bool) -> Reply {
        let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            return Reply {
                status: 0,
                headers: vec![],
                text: String::from_utf8_lossy(raw).into_owned(),
                cut: true,
            };
        };
        let head = String::from_utf8_lossy(&raw[..end]);
        let body = &raw[end + 4..];
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        let (body, complete) = if header("transfer-encoding").is_some_and(|v| v.contains("chunked"))
        {
            dechunk(body)
        } else if let Some(length) = header("content-length").and_then(|v| v.parse::<usize>().ok())
        {
            (
                body[..length.min(body.len())].to_vec(),
                body.len() >= length,
            )
        } else {
            (body.to_vec(), true)
        };
        Reply {
            status,
            text: String::from_utf8_lossy(&body).into_owned(),
            cut: read_failed || !complete,
            headers,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.text))
    }

    /// The `message` of an error body.
    pub fn message(&self) -> String {
        self.json()["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message in {}", self.text))
            .to_owned()
    }
}

/// A chunked body's content, and whether its closing chunk arrived.
fn dechunk(mut body: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    while let Some(eol) = body.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&body[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok());
        let rest = &body[eol + 2..];
        match size {
            Some(0) => return (out, true),
            Some(size) if rest.len() >= size => {
                out.extend_from_slice(&rest[..size]);
                body = rest[size..].strip_prefix(b"\r\n").unwrap_or(&rest[size..]);
            }
            _ => break,
        }
    }
    (out, false)
}

/// Seconds since 1970 of a snapshot name `YYYY-MM-DD.hh:mm:ss` (UTC), or None if it is not one.
pub fn snapshot_time(name: &str) -> Option<u64> {
    let (date, time) = name.split_once('.')?;
    let date: Vec<i64> = date
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let time: Vec<u64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (&[y, m, d], &[hh, mm, ss]) = (date.as_slice(), time.as_slice()) else {
        return None;
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    // Days from 1970-01-01 by counting: simple and independent of the sandbox's own date arithmetic.
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut days: i64 = (1970..y).map(|y| if leap(y) { 366 } else { 365 }).sum();
    days += month_days[..(m - 1) as usize].iter().sum::<i64>();
    if m > 2 && leap(y) {
        days += 1;
    }
    days += d - 1;
    Some(days as u64 * 86_400 + hh * 3600 + mm * 60 + ss)
}

pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs()
}

/// The built-in fixture as plain JSON, so tests compare answers with it instead of repeating its values.
pub fn fixture() -> Value {
    serde_json::from_str(include_str!("../../seed.json")).expect("seed.json is JSON")
}

/// The root group of every data center of every account of the fixture.
fn fixture_root_groups() -> Vec<Value> {
    fixture()["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .flat_map(|a| a["dataCenters"].as_array().expect("dataCenters").clone())
        .map(|dc| dc["rootGroup"].clone())
        .collect()
}

/// A group of the fixture, by ID, searched through every account and data center.
pub fn fixture_group(id: &str) -> Value {
    fn find(group: &Value, id: &str) -> Option<Value> {
        if group["id"].as_str()? == id {
            return Some(group.clone());
        }
        group["groups"]
            .as_array()?
            .iter()
            .find_map(|child| find(child, id))
    }
    fixture_root_groups()
        .iter()
        .find_map(|root| find(root, id))
        .unwrap_or_else(|| panic!("no group {id} in seed.json"))
}

/// A server of the fixture, by ID, with the ID of its group.
pub fn fixture_server(id: &str) -> (Value, String) {
    fn find(group: &Value, id: &str) -> Option<(Value, String)> {
        let here = group["servers"]
            .as_array()
            .and_then(|servers| servers.iter().find(|s| s["id"] == id))
            .map(|s| {
                (
                    s.clone(),
                    group["id"].as_str().unwrap_or_default().to_owned(),
                )
            });
        here.or_else(|| {
            group["groups"]
                .as_array()?
                .iter()
                .find_map(|child| find(child, id))
        })
    }
    fixture_root_groups()
        .iter()
        .find_map(|root| find(root, id))
        .unwrap_or_else(|| panic!("no server {id} in seed.json"))
}

/// IDs of the fixture's servers of the demo account whose status is `active`.
pub fn active_demo_servers() -> Vec<String> {
    fn collect(group: &Value, out: &mut Vec<String>) {
        for s in group["servers"].as_array().into_iter().flatten() {
            if s["status"] == "active" {
                out.push(s["id"].as_str().expect("id").to_owned());
            }
        }
        for child in group["groups"].as_array().into_iter().flatten() {
            collect(child, out);
        }
    }
    let mut out = Vec::new();
    let fixture = fixture();
    let account = fixture["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["alias"] == ALIAS)
        .expect("the demo account");
    for dc in account["dataCenters"].as_array().expect("dataCenters") {
        collect(&dc["rootGroup"], &mut out);
    }
    out
}
