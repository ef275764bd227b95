#![cfg(not(target_arch = "wasm32"))]
//! The wait policy, driven with a fake clock: rounds, backoff, deadline, every outcome, errors.

use clc_wasm::model::{JobStatus, Link, ServerOperation, StatusLink};
use clc_wasm::response::{decode, Body};
use clc_wasm::shape;
use clc_wasm::validate::StatusId;
use clc_wasm::wait::*;
use clc_wasm::{Error, ErrorKind};

const MIN: f64 = 1_000.0;
const MAX: f64 = 8_000.0;

fn options(timeout_ms: f64) -> WaitOptions {
    WaitOptions {
        timeout_ms,
        min_poll_ms: MIN,
        max_poll_ms: MAX,
    }
}

fn queued(server: &str, job: &str) -> ServerOperation {
    ServerOperation {
        server: server.into(),
        is_queued: true,
        links: vec![Link {
            rel: "status".into(),
            href: format!("/v2/operations/alias/status/{job}"),
            id: Some(job.into()),
            name: None,
            verbs: None,
        }],
        error_message: None,
    }
}

fn not_queued(server: &str) -> ServerOperation {
    ServerOperation {
        server: server.into(),
        is_queued: false,
        links: vec![],
        error_message: Some("The operation cannot be queued because the server cannot be found or it is not in a valid state.".into()),
    }
}

fn job(id: &str) -> WaitTarget {
    WaitTarget::Job(StatusId::parse(id).unwrap())
}

/// Drives a waiter like the edge does; `status_at(job, now)` answers each poll. Returns the result, the
/// times of every poll round, and the number of requests sent per job.
fn drive(
    mut waiter: Waiter,
    random: f64,
    mut answer: impl FnMut(&str, f64) -> Result<JobStatus, Error>,
) -> (Result<WaitResult, Error>, Vec<f64>) {
    let mut now = 0.0;
    let mut rounds = Vec::new();
    for _ in 0..10_000 {
        match waiter.next(now, random) {
            Step::Sleep(ms) => {
                assert!(ms > 0.0, "sleeps are positive");
                now += ms;
            }
            Step::Poll(jobs) => {
                rounds.push(now);
                for id in jobs {
                    match answer(id.as_str(), now) {
                        Ok(status) => waiter.on_status(id.as_str(), status, now),
                        Err(error) => waiter.on_error(id.as_str(), error, now),
                    }
                }
            }
            Step::Done(result) => return (Ok(result), rounds),
            Step::Fail(error) => return (Err(error), rounds),
        }
    }
    panic!("the wait never ended");
}

fn finishes_at(done_ms: f64, fail: bool) -> impl FnMut(&str, f64) -> Result<JobStatus, Error> {
    move |_, now| {
        Ok(if now < done_ms {
            JobStatus::Executing
        } else if fail {
            JobStatus::Failed
        } else {
            JobStatus::Succeeded
        })
    }
}

#[test]
fn eight_servers_sharing_one_job_are_one_poll_per_round() {
    let batch: Vec<ServerOperation> = (1..=8)
        .map(|i| queued(&format!("de1altdweb58{i}"), "de1-81351"))
        .collect();
    let waiter = Waiter::new(WaitTarget::Batch(batch), options(600_000.0), 0.0).unwrap();
    let mut asked = Vec::new();
    let (result, rounds) = drive(waiter, 0.5, |id, now| {
        asked.push(id.to_owned());
        finishes_at(10_000.0, false)(id, now)
    });
    let result = result.unwrap();
    assert_eq!(asked.len(), rounds.len(), "one request per round");
    assert!(asked.iter().all(|id| id == "de1-81351"));
    assert!(result.ok);
    assert_eq!(result.servers.len(), 8);
    assert!(result
        .servers
        .iter()
        .all(|s| s.outcome == Outcome::Succeeded && s.job_id.as_deref() == Some("de1-81351")));
    assert_eq!(result.jobs.len(), 1);
    assert_eq!(result.jobs[0].polls as usize, rounds.len());
}

#[test]
fn distinct_jobs_are_each_polled_until_each_is_done() {
    let batch = vec![
        queued("a", "wa1-1"),
        queued("b", "wa1-2"),
        queued("c", "wa1-1"),
    ];
    let waiter = Waiter::new(WaitTarget::Batch(batch), options(600_000.0), 0.0).unwrap();
    let mut polls: std::collections::HashMap<String, u32> = Default::default();
    let (result, _) = drive(waiter, 0.0, |id, now| {
        *polls.entry(id.into()).or_default() += 1;
        let done = if id == "wa1-1" { 2_000.0 } else { 20_000.0 };
        finishes_at(done, false)(id, now)
    });
    let result = result.unwrap();
    assert!(result.ok);
    assert!(
        polls["wa1-1"] < polls["wa1-2"],
        "a finished job is not asked again: {polls:?}"
    );
    let by_job: Vec<(String, u32)> = result
        .jobs
        .iter()
        .map(|j| (j.id.clone(), j.polls))
        .collect();
    assert_eq!(
        by_job,
        vec![
            ("wa1-1".into(), polls["wa1-1"]),
            ("wa1-2".into(), polls["wa1-2"])
        ]
    );
}

#[test]
fn backoff_stays_between_min_and_max_and_doubles() {
    for random in [0.0, 0.25, 0.5, 0.999_999] {
        let waiter = Waiter::new(job("wa1-1"), options(3_600_000.0), 0.0).unwrap();
        let (_, rounds) = drive(waiter, random, finishes_at(120_000.0, false));
        assert_eq!(rounds[0], MIN, "the first poll waits the minimum");
        let gaps: Vec<f64> = rounds.windows(2).map(|w| w[1] - w[0]).collect();
        for (k, gap) in gaps.iter().enumerate() {
            let base = (MIN * 2f64.powi(k as i32 + 1)).min(MAX);
            assert!(*gap >= MIN && *gap <= MAX, "gap {gap} out of bounds");
            assert!(
                *gap >= base / 2.0 - 1e-9 && *gap <= base + 1e-9,
                "gap {k} = {gap}, base {base}"
            );
        }
        assert!(
            gaps.iter().rev().take(3).all(|g| *g >= MAX / 2.0),
            "reaches the max: {gaps:?}"
        );
    }
}

#[test]
fn jitter_is_clamped_for_bad_randomness() {
    for random in [f64::NAN, -5.0, 7.0, f64::INFINITY] {
        let waiter = Waiter::new(job("wa1-1"), options(60_000.0), 0.0).unwrap();
        let (result, rounds) = drive(waiter, random, finishes_at(20_000.0, false));
        assert!(result.unwrap().ok);
        assert!(rounds
            .windows(2)
            .all(|w| w[1] - w[0] >= MIN && w[1] - w[0] <= MAX));
    }
}

#[test]
fn the_deadline_is_never_passed_and_the_last_poll_is_at_it() {
    let waiter = Waiter::new(job("wa1-1"), options(10_000.0), 0.0).unwrap();
    let (result, rounds) = drive(waiter, 0.999, |_, _| Ok(JobStatus::Executing));
    let result = result.unwrap();
    assert!(!result.ok);
    assert_eq!(result.jobs[0].outcome, Outcome::TimedOut);
    assert_eq!(result.jobs[0].status, Some(JobStatus::Executing));
    assert!(rounds.iter().all(|t| *t <= 10_000.0), "{rounds:?}");
    assert_eq!(
        *rounds.last().unwrap(),
        10_000.0,
        "one last look at the deadline"
    );
}

#[test]
fn a_job_finishing_at_the_deadline_is_seen() {
    let waiter = Waiter::new(job("wa1-1"), options(10_000.0), 0.0).unwrap();
    let (result, _) = drive(waiter, 0.999, finishes_at(10_000.0, false));
    assert!(result.unwrap().ok);
}

#[test]
fn a_timeout_shorter_than_the_minimum_still_polls_once() {
    let waiter = Waiter::new(job("wa1-1"), options(200.0), 0.0).unwrap();
    let (result, rounds) = drive(waiter, 0.5, |_, _| Ok(JobStatus::NotStarted));
    assert_eq!(rounds, [200.0]);
    assert_eq!(result.unwrap().jobs[0].outcome, Outcome::TimedOut);
}

#[test]
fn failed_jobs_fail_their_servers() {
    let batch = vec![queued("a", "wa1-1"), queued("b", "wa1-1")];
    let waiter = Waiter::new(WaitTarget::Batch(batch), options(60_000.0), 0.0).unwrap();
    let (result, _) = drive(waiter, 0.5, finishes_at(3_000.0, true));
    let result = result.unwrap();
    assert!(!result.ok);
    assert!(result.servers.iter().all(|s| s.outcome == Outcome::Failed));
    assert_eq!(result.jobs[0].outcome, Outcome::Failed);
}

#[test]
fn not_queued_servers_keep_their_message_and_are_not_polled() {
    let batch = vec![
        queued("wa1aliaswb01", "wa1-12345"),
        not_queued("wa1aliaswb02"),
    ];
    let waiter = Waiter::new(WaitTarget::Batch(batch), options(60_000.0), 0.0).unwrap();
    let (result, _) = drive(waiter, 0.5, |id, now| {
        assert_eq!(id, "wa1-12345");
        finishes_at(2_000.0, false)(id, now)
    });
    let result = result.unwrap();
    assert!(!result.ok, "a partial success is not ok");
    assert_eq!(result.servers[0].outcome, Outcome::Succeeded);
    assert_eq!(result.servers[1].outcome, Outcome::NotQueued);
    assert!(result.servers[1]
        .error_message
        .as_deref()
        .unwrap()
        .contains("cannot be queued"));
}

#[test]
fn a_batch_with_nothing_queued_ends_at_once() {
    let mut waiter = Waiter::new(
        WaitTarget::Batch(vec![not_queued("a")]),
        options(60_000.0),
        0.0,
    )
    .unwrap();
    let Step::Done(result) = waiter.next(0.0, 0.5) else {
        panic!("should end at once")
    };
    assert!(!result.ok);
    assert_eq!(result.servers[0].outcome, Outcome::NotQueued);
    let mut empty = Waiter::new(WaitTarget::Batch(vec![]), options(60_000.0), 0.0).unwrap();
    let Step::Done(result) = empty.next(0.0, 0.5) else {
        panic!()
    };
    assert!(!result.ok, "nothing succeeded");
}

#[test]
fn queued_without_a_status_link_is_unknown_not_failed() {
    let mut bad_link = queued("b", "wa1/../x");
    bad_link.links[0].id = Some("wa1/../x".into());
    let mut no_link = queued("c", "wa1-1");
    no_link.links.clear();
    let batch = vec![queued("a", "wa1-1"), bad_link, no_link];
    let waiter = Waiter::new(WaitTarget::Batch(batch), options(60_000.0), 0.0).unwrap();
    let (result, _) = drive(waiter, 0.5, finishes_at(1_000.0, false));
    let result = result.unwrap();
    let outcomes: Vec<Outcome> = result.servers.iter().map(|s| s.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Succeeded, Outcome::Unknown, Outcome::Unknown]
    );
    assert!(result.servers[1].error_message.is_some());
    assert!(!result.ok);
}

#[test]
fn status_links_and_ids_are_waited_on() {
    let link = StatusLink {
        rel: "status".into(),
        href: "/v2/operations/alias/status/wa1-12345".into(),
        id: None,
    };
    let waiter = Waiter::new(WaitTarget::Link(link), options(60_000.0), 0.0).unwrap();
    let (result, _) = drive(waiter, 0.5, |id, now| {
        assert_eq!(id, "wa1-12345");
        finishes_at(5_000.0, false)(id, now)
    });
    let result = result.unwrap();
    assert!(result.ok && result.servers.is_empty());
    assert_eq!(result.jobs[0].id, "wa1-12345");

    let empty = StatusLink {
        rel: "status".into(),
        href: "/".into(),
        id: None,
    };
    let e = Waiter::new(WaitTarget::Link(empty), options(1.0), 0.0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation);
}

#[test]
fn unknown_and_other_statuses_keep_polling() {
    let mut answers = vec![
        JobStatus::Unknown,
        JobStatus::Other("queued".into()),
        JobStatus::Resumed,
        JobStatus::Succeeded,
    ]
    .into_iter();
    let waiter = Waiter::new(job("wa1-1"), options(60_000.0), 0.0).unwrap();
    let (result, rounds) = drive(waiter, 0.5, |_, _| Ok(answers.next().unwrap()));
    assert!(result.unwrap().ok);
    assert_eq!(rounds.len(), 4);
}

#[test]
fn transient_errors_are_retried_within_the_deadline() {
    let mut calls = 0;
    let waiter = Waiter::new(job("wa1-1"), options(60_000.0), 0.0).unwrap();
    let (result, _) = drive(waiter, 0.5, |_, _| {
        calls += 1;
        match calls {
            1 => Err(Error::network("connection refused")),
            2 => Err(decode::<serde_json::Value>(
                502,
                Body::not_json("<title>Bad gateway</title>"),
                &shape::STATUS,
            )
            .unwrap_err()),
            3 => Err(decode::<serde_json::Value>(429, Body::Empty, &shape::STATUS).unwrap_err()),
            _ => Ok(JobStatus::Succeeded),
        }
    });
    let result = result.unwrap();
    assert!(result.ok);
    assert_eq!(result.jobs[0].polls, 4);
    assert_eq!(
        result.jobs[0].last_error, None,
        "cleared by the good answer"
    );

    // Errors until the deadline: timed out, with the last error kept.
    let waiter = Waiter::new(job("wa1-1"), options(5_000.0), 0.0).unwrap();
    let (result, _) = drive(waiter, 0.5, |_, _| Err(Error::network("down")));
    let result = result.unwrap();
    assert_eq!(result.jobs[0].outcome, Outcome::TimedOut);
    assert_eq!(result.jobs[0].last_error.as_deref(), Some("down"));
}

#[test]
fn auth_and_not_found_errors_stop_at_once() {
    for status in [401, 403, 404, 400] {
        let waiter = Waiter::new(job("wa1-1"), options(60_000.0), 0.0).unwrap();
        let (result, rounds) = drive(waiter, 0.5, |_, _| {
            Err(decode::<serde_json::Value>(status, Body::Empty, &shape::STATUS).unwrap_err())
        });
        assert_eq!(result.unwrap_err().status, Some(status));
        assert_eq!(rounds.len(), 1, "no retry after {status}");
    }
    let waiter = Waiter::new(job("wa1-1"), options(60_000.0), 0.0).unwrap();
    let (result, _) = drive(waiter, 0.5, |_, _| Err(Error::decode("bad body")));
    assert_eq!(result.unwrap_err().kind, ErrorKind::Decode);
}

#[test]
fn progress_counts_per_server() {
    let batch = vec![
        queued("a", "wa1-1"),
        queued("b", "wa1-1"),
        queued("c", "wa1-2"),
        not_queued("d"),
    ];
    let mut waiter = Waiter::new(WaitTarget::Batch(batch), options(60_000.0), 0.0).unwrap();
    let p = waiter.progress();
    assert_eq!(
        (p.round, p.total, p.pending, p.not_queued, p.succeeded),
        (0, 4, 3, 1, 0)
    );
    let Step::Poll(jobs) = waiter.next(MIN, 0.5) else {
        panic!()
    };
    assert_eq!(jobs.len(), 2);
    waiter.on_status("wa1-1", JobStatus::Succeeded, MIN);
    waiter.on_status("wa1-2", JobStatus::Executing, MIN);
    waiter.on_status("wa1-999", JobStatus::Failed, MIN); // not ours: ignored
    let p = waiter.progress();
    assert_eq!(
        (p.round, p.total, p.succeeded, p.pending, p.failed),
        (1, 4, 2, 1, 0)
    );
    assert_eq!(p.jobs[1].status, Some(JobStatus::Executing));
    assert_eq!(p.jobs[0].polls, 1);
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["notQueued"], 1);
}

#[test]
fn options_are_checked() {
    let bad = [
        WaitOptions {
            timeout_ms: 0.0,
            ..WaitOptions::default()
        },
        WaitOptions {
            timeout_ms: f64::NAN,
            ..WaitOptions::default()
        },
        WaitOptions {
            min_poll_ms: -1.0,
            ..WaitOptions::default()
        },
        WaitOptions {
            max_poll_ms: f64::INFINITY,
            ..WaitOptions::default()
        },
        WaitOptions {
            max_poll_ms: 3e9,
            ..WaitOptions::default()
        },
        WaitOptions {
            min_poll_ms: 5_000.0,
            max_poll_ms: 1_000.0,
            ..WaitOptions::default()
        },
    ];
    for options in bad {
        let e = Waiter::new(job("wa1-1"), options, 0.0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation, "{options:?}");
    }
    assert!(WaitOptions::default().validate().is_ok());
}

#[test]
fn results_serialize_in_the_js_shape() {
    let batch = vec![queued("a", "wa1-1"), not_queued("b")];
    let waiter = Waiter::new(WaitTarget::Batch(batch), options(60_000.0), 0.0).unwrap();
    let (result, _) = drive(waiter, 0.5, finishes_at(0.0, false));
    let json = serde_json::to_value(result.unwrap()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "ok": false,
            "servers": [
                {"server": "a", "outcome": "succeeded", "jobId": "wa1-1"},
                {"server": "b", "outcome": "notQueued", "errorMessage": "The operation cannot be queued because the server cannot be found or it is not in a valid state."}
            ],
            "jobs": [{"id": "wa1-1", "outcome": "succeeded", "status": "succeeded", "polls": 1}]
        })
    );
}
