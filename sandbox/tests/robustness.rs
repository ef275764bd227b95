//! No request makes the sandbox panic or answer 5xx by itself: random bytes, odd paths, huge headers,
//! wrong methods and random bodies, generated from fixed seeds so a failure can be replayed.

mod common;

use common::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

/// Panics raised outside the tests' own code (that is, in the sandbox or the libraries under it),
/// counted by a process-wide hook. A panic in a connection task would otherwise go unseen: tokio
/// catches it and the server keeps running.
static SERVER_PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_tests = info.location().is_some_and(|l| l.file().contains("tests/"));
            if !in_tests {
                SERVER_PANICS.fetch_add(1, Ordering::SeqCst);
            }
            previous(info);
        }));
    });
}

fn assert_no_server_panic() {
    assert_eq!(
        SERVER_PANICS.load(Ordering::SeqCst),
        0,
        "the sandbox panicked (see the panic message above)"
    );
}

/// xorshift64*: a small deterministic generator, so each run sends the same requests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = self.below(max + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// A path segment that is valid in a request target but odd for the API.
fn segment(rng: &mut Rng) -> String {
    let odd = [
        "DEMO",
        "demo",
        "OTHR",
        "WA1DEMOWEB01",
        "wa1demoold01",
        "2a5c0b9662cf4fc8bf6180f139facdc3",
        "8a1c0b9662cf4fc8bf6180f139fa0001",
        "wa1-81351",
        "WA1",
        "archive",
        "shutDown",
        "createSnapshot",
        "%FF",
        "%00",
        "%2F",
        "%C3%BC",
        "%",
        "%%",
        "..",
        ".",
        "-",
        "null",
        "%20",
        "a;b=c",
        "?",
        "?groupLinks=true&groupLinks=false",
    ];
    match rng.below(4) {
        0 => "x".repeat(rng.below(9000)),
        1 => (0..rng.below(40))
            .map(|_| {
                *rng.pick(&[
                    'a', 'Z', '0', '-', '_', '.', '~', '%', '!', '$', '&', '(', '*', '+', ',', ';',
                    '=', ':', '@',
                ])
            })
            .collect(),
        _ => (*rng.pick(&odd)).to_owned(),
    }
}

fn path(rng: &mut Rng) -> String {
    let (a, b) = (segment(rng), segment(rng));
    match rng.below(12) {
        0 => format!("/v2/operations/{a}/servers/{b}"),
        1 => format!("/v2/operations/{a}/status/{b}"),
        2 => format!("/v2/servers/{a}/{b}"),
        3 => format!("/v2/groups/{a}/{b}"),
        4 => format!("/v2/groups/{a}/{b}/archive"),
        5 => format!("/v2/datacenters/{a}/{b}?groupLinks={}", segment(rng)),
        6 => "/v2/authentication/login".to_owned(),
        7 => "/sandbox/faults".to_owned(),
        8 => format!("/{a}"),
        9 => format!("/v2/{a}/{b}/{}", segment(rng)),
        10 => format!("//{a}//{b}"),
        _ => format!("/v2/servers/{ALIAS}/{b}"),
    }
}

/// A random JSON value, biased towards the shapes the API reads.
fn value(rng: &mut Rng, depth: u32) -> Value {
    let leaf = |rng: &mut Rng| match rng.below(9) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!(rng.next() as i64),
        3 => json!((rng.next() % 2000) as f64 / 100.0 - 5.0),
        4 => json!(rng.below(12)),
        5 => json!(*rng.pick(&[WEB01, "wa1demodb01", OLD01, OTHER_APP01, "", "7"])),
        6 => json!(String::from_utf8_lossy(&rng.bytes(20))),
        _ => json!(segment(rng)),
    };
    if depth == 0 {
        return leaf(rng);
    }
    match rng.below(4) {
        0 => Value::Array((0..rng.below(6)).map(|_| value(rng, depth - 1)).collect()),
        1 => {
            let keys = [
                "snapshotExpirationDays",
                "serverIds",
                "username",
                "password",
                "x",
                "",
            ];
            Value::Object(
                (0..rng.below(4))
                    .map(|_| ((*rng.pick(&keys)).to_owned(), value(rng, depth - 1)))
                    .collect(),
            )
        }
        _ => leaf(rng),
    }
}

/// A 4xx from the application (not from hyper's parser) must be in the `{"message"}` form.
fn check_app_error(reply: &Reply, what: &str) {
    let from_app = reply.header("cache-control") == Some("no-store");
    if from_app && reply.status >= 400 && !reply.text.is_empty() {
        let body: Value = serde_json::from_str(&reply.text)
            .unwrap_or_else(|e| panic!("{what}: {} not JSON ({e}): {}", reply.status, reply.text));
        assert!(body["message"].is_string(), "{what}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn well_formed_requests_to_odd_places_always_get_an_answer() {
    count_panics();
    let sb = Sandbox::start(50).await;
    let token = sb.login().await;
    let mut rng = Rng(0x5eed_0001);
    let methods = [
        "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO",
    ];
    for i in 0..600 {
        let method = *rng.pick(&methods);
        let path = path(&mut rng);
        let auth = match rng.below(3) {
            0 => Some(token.as_str()),
            1 => Some("sbx.0000"),
            _ => None,
        };
        let body = match rng.below(3) {
            0 => value(&mut rng, 3).to_string(),
            1 => String::from_utf8_lossy(&rng.bytes(300)).into_owned(),
            _ => String::new(),
        };
        let body = (!body.is_empty()).then_some(body.as_str());
        let what = format!("#{i} {method} {path:.120}");
        let reply = sb.send(method, &path, auth, body).await;
        assert!(
            (100..500).contains(&reply.status),
            "{what}: {} {}",
            reply.status,
            reply.text
        );
        if method != "HEAD" {
            check_app_error(&reply, &what);
        }
    }
    // The sandbox still works, with the state the random calls left (they may have queued jobs).
    sb.send("POST", "/sandbox/reset", None, Some("")).await;
    let token = sb.login().await;
    assert_eq!(sb.server(&token, WEB01).await["id"], WEB01);
    assert_no_server_panic();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_bodies_get_200_or_a_400_never_worse() {
    count_panics();
    let sb = Sandbox::start(50).await;
    let token = sb.login().await;
    let mut rng = Rng(0x5eed_0002);
    let ops = [
        "archive",
        "shutDown",
        "reset",
        "createSnapshot",
        "powerOn",
        "powerOff",
        "pause",
        "reboot",
        "startMaintenance",
        "stopMaintenance",
    ];
    let (mut ok, mut refused) = (0, 0);
    for i in 0..500 {
        let op = *rng.pick(&ops);
        let body = match (op, rng.below(3)) {
            // Mostly near-valid bodies, so the checks past parsing are reached too.
            ("createSnapshot", 0) => json!({
                "snapshotExpirationDays": value(&mut rng, 0),
                "serverIds": value(&mut rng, 2),
            }),
            (_, 0) => Value::Array((0..rng.below(5)).map(|_| value(&mut rng, 0)).collect()),
            _ => value(&mut rng, 3),
        };
        let reply = sb.operate(&token, op, &body.to_string()).await;
        let what = format!("#{i} {op} {body}");
        match reply.status {
            200 => {
                ok += 1;
                let entities = reply.json();
                let ids = if op == "createSnapshot" {
                    &body["serverIds"]
                } else {
                    &body
                };
                let asked = ids.as_array().map_or(0, Vec::len);
                let entities = entities.as_array().expect("an array");
                assert_eq!(entities.len(), asked, "{what}");
                for e in entities {
                    assert!(
                        e["server"].is_string() && e["isQueued"].is_boolean(),
                        "{what}: {e}"
                    );
                }
            }
            400 => {
                refused += 1;
                assert!(
                    reply.json()["modelState"].is_object(),
                    "{what}: {}",
                    reply.text
                );
            }
            other => panic!("{what}: {other} {}", reply.text),
        }
    }
    // Both paths were exercised.
    assert!(ok > 20 && refused > 20, "{ok} accepted, {refused} refused");
    // Random logins, too, are 200 or the documented 400.
    for i in 0..200 {
        let body = value(&mut rng, 2).to_string();
        let reply = sb
            .send("POST", "/v2/authentication/login", None, Some(&body))
            .await;
        assert!([200, 400].contains(&reply.status), "#{i} {body}: {reply:?}");
        assert!(reply.json()["message"].is_string() || reply.status == 200);
    }
    assert_no_server_panic();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_never_gets_a_5xx_from_the_application() {
    count_panics();
    let sb = Sandbox::start(50).await;
    let mut rng = Rng(0x5eed_0003);
    let lines = [
        "GET / HTTP/1.1\r\n",
        "POST /v2/authentication/login HTTP/1.1\r\n",
        "GET /v2/servers/DEMO/WA1DEMOWEB01 HTTP/1.0\r\n",
        "GET /v2/servers/DEMO/WA1DEMOWEB01 HTTP/2.0\r\n",
        "GET http://127.0.0.1/v2/servers/DEMO/WA1DEMOWEB01 HTTP/1.1\r\n",
        "GET * HTTP/1.1\r\n",
        "GET /\x7f\x01 HTTP/1.1\r\n",
        "GET  HTTP/1.1\r\n",
        "\r\n\r\n",
        "G\0T / HTTP/1.1\r\n",
    ];
    let headers: [&[u8]; 16] = [
        b"Host: x\r\n",
        b"Content-Length: 5\r\n",
        b"Content-Length: -1\r\n",
        b"Content-Length: 99999999999999999999\r\n",
        b"Content-Length: 2\r\nContent-Length: 3\r\n",
        b"Transfer-Encoding: chunked\r\n",
        b"Transfer-Encoding: gzip, chunked\r\n",
        b"Transfer-Encoding: nonsense\r\n",
        b"Authorization: Bearer \xf0\x9f\x98\x80\r\n",
        b"Authorization: \xff\xfe\r\n",
        b"Content-Type: application/json; charset=utf-16\r\n",
        b"no colon here\r\n",
        b" leading: space\r\n",
        b"Expect: 100-continue\r\n",
        b"Connection: upgrade\r\nUpgrade: websocket\r\n",
        b"Origin: null\r\n",
    ];
    for i in 0..400 {
        let mut request: Vec<u8> = Vec::new();
        match rng.below(3) {
            0 => request.extend(rng.bytes(600)),
            _ => {
                request.extend_from_slice(rng.pick(&lines).as_bytes());
                for _ in 0..rng.below(5) {
                    let header = *rng.pick(&headers);
                    request.extend_from_slice(header);
                }
                if rng.below(2) == 0 {
                    request.extend_from_slice(b"\r\n");
                }
                request.extend(rng.bytes(100));
            }
        }
        let reply = sb.raw_then_close(&request).await;
        let what = format!("#{i} {:?}", String::from_utf8_lossy(&request));
        let from_app = reply.header("cache-control") == Some("no-store");
        assert!(
            !(from_app && reply.status >= 500),
            "{what}: {} {}",
            reply.status,
            reply.text
        );
        check_app_error(&reply, &what);
    }
    let token = sb.login().await;
    assert_eq!(sb.server(&token, WEB01).await["id"], WEB01);
    assert_no_server_panic();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_and_many_headers_are_refused_or_served_never_fatal() {
    count_panics();
    let sb = Sandbox::start(50).await;
    let token = sb.login().await;
    let path = format!("/v2/servers/{ALIAS}/{WEB01}");
    // A big but reasonable header is served.
    let big = "v".repeat(16 * 1024);
    let reply = sb
        .send_with("GET", &path, Some(&token), None, &[("X-Big", &big)])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    // Headers past what hyper buffers are refused (431) or the connection is closed; never a 5xx.
    for size in [512 * 1024, 4 * 1024 * 1024] {
        let huge = "h".repeat(size);
        let reply = sb
            .send_with("GET", &path, Some(&token), None, &[("X-Huge", &huge)])
            .await;
        assert!(
            reply.status == 0 || (400..500).contains(&reply.status),
            "{size}: {} {}",
            reply.status,
            reply.text
        );
    }
    let many: Vec<(String, String)> = (0..500)
        .map(|i| (format!("X-H{i}"), "v".to_owned()))
        .collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let reply = sb.send_with("GET", &path, Some(&token), None, &many).await;
    assert!(
        reply.status == 0 || reply.status == 200 || (400..500).contains(&reply.status),
        "{reply:?}"
    );
    // A huge URL too.
    let long = format!("/v2/servers/{ALIAS}/{}", "A".repeat(1024 * 1024));
    let reply = sb.get(&long, &token).await;
    assert!(
        reply.status == 0 || (400..500).contains(&reply.status),
        "{} {}",
        reply.status,
        reply.text
    );
    assert_eq!(sb.server(&token, WEB01).await["id"], WEB01);
    assert_no_server_panic();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_methods_on_every_route_get_405_or_404() {
    count_panics();
    let sb = Sandbox::start(50).await;
    let token = sb.login().await;
    let routes = [
        ("POST", "/v2/authentication/login".to_owned()),
        ("POST", format!("/v2/operations/{ALIAS}/servers/shutDown")),
        ("GET", format!("/v2/operations/{ALIAS}/status/wa1-81351")),
        ("GET", format!("/v2/servers/{ALIAS}/{WEB01}")),
        ("GET", format!("/v2/groups/{ALIAS}/{GROUP_WEB}")),
        ("POST", format!("/v2/groups/{ALIAS}/{GROUP_WEB}/archive")),
        ("GET", format!("/v2/datacenters/{ALIAS}/WA1")),
        ("POST", "/sandbox/reset".to_owned()),
        ("GET", "/sandbox/faults".to_owned()),
    ];
    for (allowed, path) in &routes {
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE"] {
            if method == *allowed || (path == "/sandbox/faults" && method == "PUT") {
                continue;
            }
            let reply = sb.send(method, path, Some(&token), Some("{}")).await;
            assert_eq!(reply.status, 405, "{method} {path}: {}", reply.text);
            assert!(reply.header("allow").is_some_and(|a| a.contains(allowed)));
            assert!(!reply.message().is_empty());
        }
    }
    assert_no_server_panic();
}
