//! clc-sandbox: a local emulator of the CenturyLink Cloud API v2, with the real service's quirks and
//! injectable faults, for the clc-wasm demo and tests. See `README.md` beside this crate.

pub mod http;
pub mod stats;
pub mod world;

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

/// The real clocks and a fresh random seed, to start a [`world::World`] with.
///
/// ```
/// let start = clc_sandbox::start_now();
/// assert!(start.wall > std::time::UNIX_EPOCH);
/// ```
pub fn start_now() -> world::Start {
    let now = Instant::now();
    let random = std::collections::hash_map::RandomState::new();
    world::Start {
        now,
        wall: SystemTime::now(),
        rng_seed: std::hash::BuildHasher::hash_one(&random, now),
    }
}

/// Connections the OS may hold for the sandbox before it accepts them. tokio's default (128) makes a
/// burst of connections (a load test, a benchmark, a page opening many at once) wait a full second
/// for a SYN retry past the 128th; the OS caps this at its own limit (`somaxconn`).
const BACKLOG: u32 = 4096;

/// Listens on `host:port` (the first address of `host` that works), with room for bursts.
pub async fn listen(host: &str, port: u16) -> std::io::Result<tokio::net::TcpListener> {
    let mut last = std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!("no address for {host}"),
    );
    for addr in tokio::net::lookup_host((host, port)).await? {
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        // As tokio's own bind does: a restarted sandbox can take its port back at once.
        socket.set_reuseaddr(true)?;
        match socket.bind(addr).and_then(|()| socket.listen(BACKLOG)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Runs the sandbox on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    world: world::World,
    statics: &http::Static,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = http::app(http::AppState::new(world), statics);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Runs `world` on an OS-picked 127.0.0.1 port in the background: its address, and a handle that stops
/// it when used or dropped (so a test's sandbox ends with the test).
pub async fn spawn(
    world: world::World,
    statics: http::Static,
) -> std::io::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let listener = listen("127.0.0.1", 0).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = serve(listener, world, &statics, async {
            let _ = stopped.await;
        })
        .await;
    });
    Ok((addr, stop))
}

/// A sandbox for tests: the built-in fixture, no faults, jobs lasting `job_ms`, tokens living an hour.
pub async fn spawn_for_tests(
    job_ms: u64,
) -> std::io::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let faults = world::Faults::none(job_ms);
    let world = world::World::new(
        world::default_seed(),
        Duration::from_secs(3600),
        faults,
        start_now(),
    );
    spawn(world, http::Static::default()).await
}
