//! The `clc-sandbox` binary: its flags, `--help`, refused flags, `--seed FILE`, and that it stops by
//! itself at `--lifetime`. Each test runs the built binary on an OS-picked port (`--port 0`).

mod common;

use common::*;
use serde_json::json;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_clc-sandbox");

/// A running `clc-sandbox`; killed when dropped, and it ends by itself at its `--lifetime` anyway.
struct Process {
    child: Child,
    lines: mpsc::Receiver<String>,
    addr: SocketAddr,
    first_lines: Vec<String>,
}

impl Process {
    /// Starts the binary with `--port 0 --lifetime 60` and `args`; reads its address from the first line.
    fn start(args: &[&str]) -> Process {
        Process::start_with_lifetime(60, args)
    }

    fn start_with_lifetime(lifetime: u64, args: &[&str]) -> Process {
        let mut child = Command::new(BIN)
            .args(["--port", "0", "--lifetime", &lifetime.to_string()])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().expect("stdout");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let first = match lines.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let mut err = String::new();
                if let Some(mut stderr) = child.stderr.take() {
                    let _ = stderr.read_to_string(&mut err);
                }
                panic!("no first line from clc-sandbox {args:?}; stderr: {err}");
            }
        };
        let url = first
            .strip_prefix("clc-sandbox listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {first}"));
        let addr: SocketAddr = url.trim().parse().expect("an address");
        assert!(addr.ip().is_loopback(), "{addr}");
        assert_ne!(addr.port(), 0);
        let second = lines
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or_default();
        Process {
            child,
            lines,
            addr,
            first_lines: vec![first, second],
        }
    }

    fn client(&self) -> Sandbox {
        Sandbox::at(self.addr)
    }

    /// Waits up to `limit` for the process to end by itself; its exit status and the rest of its output.
    async fn ended_within(
        &mut self,
        limit: Duration,
    ) -> Option<(std::process::ExitStatus, String)> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                let rest: Vec<String> = self.lines.try_iter().collect();
                return Some((status, rest.join("\n")));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the binary to its end with `args` (which must make it stop at once); exit code, stdout, stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("clc-sandbox {args:?} did not stop");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("clc-sandbox-{}-{name}", std::process::id()));
    std::fs::write(&path, text).expect("write a temp file");
    path
}

#[test]
fn help_lists_every_flag_and_every_listed_flag_is_known() {
    for flag in ["--help", "-h"] {
        let (code, out, err) = run(&[flag]);
        assert_eq!(code, 0, "{flag}: {err}");
        assert!(out.contains("USAGE"), "{out}");
        let listed: Vec<&str> = out
            .split_whitespace()
            .filter(|w| w.starts_with("--") && w.len() > 2)
            .collect();
        for needed in [
            "--port",
            "--seed",
            "--lifetime",
            "--job-ms",
            "--allow-origin",
            "--www",
            "--pkg",
        ] {
            assert!(listed.contains(&needed), "{needed} missing from --help");
        }
        // Every flag the help names is one the parser knows: without its value it is refused for that,
        // never as an unknown option; a switch is taken, and what follows it is what gets refused.
        const SWITCHES: [&str; 2] = ["--help", "--isolate"];
        let (code, _, err) = run(&["--isolate", "--no-such-flag"]);
        assert_eq!(code, 2);
        let reason = err.lines().next().unwrap_or_default();
        assert!(reason.contains("--no-such-flag"), "--isolate: {reason}");
        let takes_value = |f: &&&str| !SWITCHES.contains(*f);
        for listed in listed.iter().filter(takes_value) {
            let (code, _, err) = run(&[listed]);
            assert_eq!(code, 2, "{listed}");
            let reason = err.lines().next().unwrap_or_default();
            assert!(!reason.contains("unknown option"), "{listed}: {reason}");
            assert!(reason.contains(listed), "{listed}: {reason}");
        }
    }
}

#[test]
fn bad_flags_are_refused_with_a_reason_and_exit_2() {
    let missing_seed = std::env::temp_dir().join("clc-sandbox-no-such-seed.json");
    let bad_seed = temp_file("bad-seed.json", r#"{"accounts": "none"}"#);
    let not_json = temp_file("not-json.json", "accounts:");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--nope"], "unknown option --nope"),
        (vec!["port"], "unknown option port"),
        (vec!["--port"], "--port"),
        (vec!["--port", "http"], "--port"),
        (vec!["--port", "70000"], "--port"),
        (vec!["--port", "-1"], "--port"),
        (vec!["--job-ms", "-5"], "--job-ms"),
        (vec!["--latency-ms", "1.5"], "--latency-ms"),
        (vec!["--token-ttl-secs", "week"], "--token-ttl-secs"),
        (vec!["--lifetime", "soon"], "--lifetime"),
        (vec!["--error-rate", "2"], "--error-rate"),
        (vec!["--error-rate", "-0.5"], "--error-rate"),
        (vec!["--error-rate", "NaN"], "--error-rate"),
        (vec!["--seed"], "--seed"),
        (
            vec!["--seed", missing_seed.to_str().unwrap()],
            "cannot read",
        ),
        (
            vec!["--seed", bad_seed.to_str().unwrap()],
            "not a valid seed",
        ),
        (
            vec!["--seed", not_json.to_str().unwrap()],
            "not a valid seed",
        ),
        // A good flag does not save a bad one after it.
        (vec!["--port", "0", "--bogus"], "unknown option --bogus"),
    ];
    for (args, reason) in cases {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {out} {err}");
        // The first line says why; the usage follows.
        let first = err.lines().next().unwrap_or_default();
        assert!(first.starts_with("clc-sandbox: "), "{args:?}: {err}");
        assert!(first.contains(reason), "{args:?}: {first}");
        assert!(!out.contains("listening"), "{args:?} started anyway: {out}");
    }
    let _ = std::fs::remove_file(bad_seed);
    let _ = std::fs::remove_file(not_json);
}

#[test]
fn a_port_in_use_is_an_error_not_a_hang() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, out, err) = run(&["--port", &port, "--lifetime", "30"]);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("clc-sandbox:"), "{err}");
    assert!(!out.contains("listening"), "{out}");
}

#[tokio::test]
async fn it_stops_by_itself_at_its_lifetime() {
    let mut process = Process::start_with_lifetime(1, &[]);
    let started = Instant::now();
    // It serves until then, and an idle open connection does not keep it alive.
    let client = process.client();
    let token = client.login().await;
    assert_eq!(client.server(&token, WEB01).await["id"], WEB01);
    let _idle = tokio::net::TcpStream::connect(process.addr)
        .await
        .expect("connect");
    let (status, rest) = process
        .ended_within(Duration::from_secs(15))
        .await
        .expect("still running 15 s after a 1 s lifetime");
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "stopped early"
    );
    assert!(rest.contains("lifetime"), "{rest}");
    // And the port is closed.
    assert!(tokio::net::TcpStream::connect(process.addr).await.is_err());
}

#[tokio::test]
async fn it_prints_the_demo_credentials_and_the_flags_take_effect() {
    let process = Process::start(&[
        "--job-ms",
        "123",
        "--latency-ms",
        "5",
        "--token-ttl-secs",
        "1",
        "--allow-origin",
        "http://a.example",
    ]);
    assert!(
        process.first_lines[1].contains(&format!("{USER} / {PASSWORD}")),
        "{:?}",
        process.first_lines
    );
    let client = process.client();
    let faults = client
        .send("GET", "/sandbox/faults", None, None)
        .await
        .json();
    assert_eq!(faults["jobMs"], 123);
    assert_eq!(faults["latencyMs"], 5);
    let preflight = |origin: &'static str| {
        [
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "authorization"),
        ]
    };
    let path = "/v2/authentication/login";
    let allowed = client
        .send_with("OPTIONS", path, None, None, &preflight("http://a.example"))
        .await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("http://a.example")
    );
    let other = client
        .send_with("OPTIONS", path, None, None, &preflight("http://b.example"))
        .await;
    assert_eq!(other.header("access-control-allow-origin"), None);
    // Tokens live one second.
    let token = client.login().await;
    let server = format!("/v2/servers/{ALIAS}/{WEB01}");
    assert_eq!(client.get(&server, &token).await.status, 200);
    client.advance(1100).await;
    assert_eq!(client.get(&server, &token).await.status, 401);
}

#[tokio::test]
async fn isolate_makes_every_answer_cross_origin_isolating_and_is_off_by_default() {
    let isolated = Process::start(&["--isolate"]);
    let plain = Process::start(&[]);
    for (process, expected) in [(&isolated, true), (&plain, false)] {
        let client = process.client();
        let answers = [
            client.send("GET", "/sandbox/faults", None, None).await,
            client.send("GET", "/nothing-here", None, None).await,
        ];
        for reply in answers {
            let coop = reply.header("cross-origin-opener-policy");
            let coep = reply.header("cross-origin-embedder-policy");
            if expected {
                assert_eq!((coop, coep), (Some("same-origin"), Some("require-corp")));
            } else {
                assert_eq!((coop, coep), (None, None));
            }
        }
    }
}

#[tokio::test]
async fn error_rate_from_the_command_line() {
    let process = Process::start(&["--error-rate", "1"]);
    let client = process.client();
    for _ in 0..5 {
        let reply = client
            .send(
                "POST",
                "/v2/authentication/login",
                None,
                Some(&json!({"username": USER, "password": PASSWORD}).to_string()),
            )
            .await;
        assert!([500, 502].contains(&reply.status), "{reply:?}");
    }
    client.faults(r#"{"errorRate": 0}"#).await;
    client.login().await;
}

#[tokio::test]
async fn seed_loads_another_fixture() {
    let seed = json!({
        "accounts": [{
            "alias": "TEST",
            "locationAlias": "UC1",
            "users": [{ "username": "tester", "password": "s3cret", "roles": ["ServerAdmin"] }],
            "dataCenters": [{
                "id": "UC1",
                "name": "US Central",
                "rootGroup": {
                    "id": "0123456789abcdef0123456789abcdef",
                    "name": "UC1 Hardware",
                    "groups": [{
                        "id": "fedcba9876543210fedcba9876543210",
                        "name": "Only",
                        "servers": [{
                            "id": "UC1TESTSRV01", "osType": "debian12_64Bit", "powerState": "started",
                            "status": "active", "cpu": 1, "memoryMB": 1024, "storageGB": 10, "ip": "10.0.0.1"
                        }]
                    }]
                }
            }]
        }]
    });
    let file = temp_file("seed.json", &seed.to_string());
    let process = Process::start(&["--seed", file.to_str().unwrap(), "--job-ms", "100"]);
    assert!(
        process.first_lines[1].contains("tester / s3cret"),
        "{:?}",
        process.first_lines
    );
    let client = process.client();
    let body = json!({"username": USER, "password": PASSWORD}).to_string();
    let reply = client
        .send("POST", "/v2/authentication/login", None, Some(&body))
        .await;
    assert_eq!(reply.status, 400, "the built-in fixture is not loaded");
    let body = json!({"username": "tester", "password": "s3cret"}).to_string();
    let session = client
        .send("POST", "/v2/authentication/login", None, Some(&body))
        .await
        .json();
    assert_eq!(session["accountAlias"], "TEST");
    assert_eq!(session["locationAlias"], "UC1");
    assert_eq!(session["roles"], json!(["ServerAdmin"]));
    let token = session["bearerToken"].as_str().unwrap();
    let server = client.get("/v2/servers/TEST/UC1TESTSRV01", token).await;
    assert_eq!(server.status, 200, "{}", server.text);
    let server = server.json();
    assert_eq!(server["groupId"], "fedcba9876543210fedcba9876543210");
    assert_eq!(server["details"]["inMaintenanceMode"], false);
    let dc = client
        .get("/v2/datacenters/TEST/UC1?groupLinks=true", token)
        .await
        .json();
    assert!(dc["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "group" && l["id"] == "0123456789abcdef0123456789abcdef"));
    // Its servers take operations like the built-in ones.
    let reply = client
        .post(
            "/v2/operations/TEST/servers/powerOff",
            token,
            r#"["uc1testsrv01"]"#,
        )
        .await
        .json();
    assert_eq!(reply[0]["isQueued"], true);
    let job = reply[0]["links"][0]["id"].as_str().unwrap().to_owned();
    assert!(job.starts_with("uc1-"), "{job}");
    let start = Instant::now();
    loop {
        let status = client
            .get(&format!("/v2/operations/TEST/status/{job}"), token)
            .await
            .json();
        if status["status"] == "succeeded" {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{status}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let server = client
        .get("/v2/servers/TEST/UC1TESTSRV01", token)
        .await
        .json();
    assert_eq!(server["details"]["powerState"], "stopped");
    let _ = std::fs::remove_file(file);
}

#[tokio::test]
async fn www_and_pkg_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("clc-sandbox-cli-static-{}", std::process::id()));
    let (www, pkg) = (dir.join("www"), dir.join("pkg"));
    std::fs::create_dir_all(&www).unwrap();
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(www.join("index.html"), "<title>the demo</title>").unwrap();
    std::fs::write(pkg.join("package.json"), r#"{"name":"clc-wasm"}"#).unwrap();
    let process = Process::start(&[
        "--www",
        www.to_str().unwrap(),
        "--pkg",
        pkg.to_str().unwrap(),
    ]);
    let client = process.client();
    let index = client.send("GET", "/", None, None).await;
    assert_eq!(index.status, 200);
    assert!(index.text.contains("the demo"));
    let package = client.send("GET", "/pkg/package.json", None, None).await;
    assert_eq!(package.json()["name"], "clc-wasm");
    drop(process);
    let _ = std::fs::remove_dir_all(&dir);
}
