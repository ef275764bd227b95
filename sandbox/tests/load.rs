//! A bounded load test: 1,000 status polls and 100 batches, all in flight at once, each on its own
//! connection; then every job must be found and end `succeeded`, and every batch must have done its work.
//! Its figures are printed: `cargo test -p clc-sandbox --test load -- --nocapture`.

mod common;

use common::*;
use std::collections::HashSet;
use std::time::{Duration, Instant};

const POLLS: usize = 1000;
const BATCHES: usize = 100;
/// Jobs outlive the burst, so the polls meet jobs in every state and the table is busy.
const JOB_MS: u64 = 1500;
/// The whole test, start to end.
const LIMIT: Duration = Duration::from_secs(60);

enum Outcome {
    Poll(Duration, String),
    Batch(Duration, Vec<serde_json::Value>),
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn describe(name: &str, mut latencies: Vec<Duration>) -> String {
    latencies.sort();
    format!(
        "{name}: {} requests, p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        percentile(&latencies, 50).as_secs_f64() * 1e3,
        percentile(&latencies, 90).as_secs_f64() * 1e3,
        percentile(&latencies, 99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_polls_and_a_hundred_batches_at_once_lose_nothing() {
    tokio::time::timeout(LIMIT, load())
        .await
        .unwrap_or_else(|_| panic!("the load test took more than {LIMIT:?}"));
}

async fn load() {
    let sb = Sandbox::start(JOB_MS).await;
    let token = sb.login().await;
    let servers = active_demo_servers();
    let ids: Vec<&str> = servers.iter().map(String::as_str).collect();
    // A few jobs exist before the burst, for the polls to ask about.
    let mut earlier = Vec::new();
    for _ in 0..10 {
        earlier.push(sb.queue(&token, "startMaintenance", &ids).await);
    }

    // For scale: one poll at a time, nothing else in flight.
    let mut alone = Vec::new();
    for _ in 0..100 {
        let sent = Instant::now();
        sb.job_status(&token, &earlier[0]).await;
        alone.push(sent.elapsed());
    }

    let start = Instant::now();
    let mut tasks = Vec::with_capacity(POLLS + BATCHES);
    for i in 0..POLLS + BATCHES {
        let client = Sandbox::at(sb.addr);
        let token = token.clone();
        let ids: Vec<String> = servers.clone();
        let job = earlier[i % earlier.len()].clone();
        // Batches spread among the polls, so both are in flight together.
        let batch = i % ((POLLS + BATCHES) / BATCHES) == 0;
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            if batch {
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                let entities = client.operate_on(&token, "createSnapshot", &ids).await;
                Outcome::Batch(sent.elapsed(), entities)
            } else {
                let status = client.job_status(&token, &job).await;
                Outcome::Poll(sent.elapsed(), status)
            }
        }));
    }
    let mut polls = Vec::new();
    let mut batches = Vec::new();
    let mut jobs = HashSet::new();
    for task in tasks {
        match task.await.expect("a request task ended in a panic") {
            Outcome::Poll(latency, status) => {
                assert!(
                    ["notStarted", "executing", "succeeded"].contains(&status.as_str()),
                    "{status}"
                );
                polls.push(latency);
            }
            Outcome::Batch(latency, entities) => {
                assert_eq!(entities.len(), servers.len());
                let batch_jobs: HashSet<String> = entities
                    .iter()
                    .map(|e| {
                        assert_eq!(e["isQueued"], true, "{e}");
                        job_of(e)
                    })
                    .collect();
                assert_eq!(batch_jobs.len(), 1, "one job per batch");
                jobs.extend(batch_jobs);
                batches.push(latency);
            }
        }
    }
    let burst = start.elapsed();
    assert_eq!(polls.len(), POLLS);
    assert_eq!(batches.len(), BATCHES);
    assert_eq!(jobs.len(), BATCHES, "every batch has its own job");

    // No job is lost: every one is found and succeeds.
    let settle = Instant::now();
    let mut waits = Vec::new();
    for job in jobs.iter().chain(&earlier) {
        let client = Sandbox::at(sb.addr);
        let (token, job) = (token.clone(), job.clone());
        waits.push(tokio::spawn(async move {
            let status = client.finish(&token, &job, 20_000).await;
            (job, status)
        }));
    }
    for wait in waits {
        let (job, status) = wait.await.expect("a poller ended in a panic");
        assert_eq!(status, "succeeded", "{job}");
    }
    let settle = settle.elapsed();
    // And every batch did its work.
    for id in &servers {
        let server = sb.server(&token, id).await;
        assert_eq!(
            server["details"]["snapshots"].as_array().map(Vec::len),
            Some(1),
            "{id}"
        );
        assert_eq!(server["details"]["inMaintenanceMode"], true, "{id}");
    }

    let requests = POLLS + BATCHES;
    let mut all: Vec<Duration> = polls.iter().chain(&batches).copied().collect();
    all.sort();
    eprintln!(
        "load: {requests} requests at once ({POLLS} status polls + {BATCHES} batches of {} servers), \
         each on a new connection: wall {:.0} ms, {:.0} req/s",
        servers.len(),
        burst.as_secs_f64() * 1e3,
        requests as f64 / burst.as_secs_f64()
    );
    eprintln!("load: {}", describe("all", all));
    eprintln!(
        "load: {} (one at a time, before the burst)",
        describe("lone status polls", alone)
    );
    eprintln!("load: {}", describe("status polls", polls));
    eprintln!("load: {}", describe("batches", batches));
    eprintln!(
        "load: all {} jobs found and succeeded ({:.0} ms after the burst, jobs last {JOB_MS} ms)",
        jobs.len() + earlier.len(),
        settle.as_secs_f64() * 1e3
    );
}
