#![cfg(not(target_arch = "wasm32"))]
//! One wait at a time, driven through the poller with a fake clock: rounds, backoff, deadline, every outcome,
//! errors, and the report shapes. Several waits sharing a poller are in `core_poller.rs`.

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

/// How one driven wait went.
struct Run {
    /// `Ok` for `Done`, `Err` for `Failed` with its partial result.
    end: Result<WaitResult, (Error, WaitResult)>,
    /// When it ended.
    end_ms: f64,
    /// The times of the rounds of reads.
    rounds: Vec<f64>,
    progress: Vec<WaitProgress>,
}

/// Drives one wait as the edge does: sleep until `next_timeout`, send the reads, answer each at once with
/// `answer(job, now)`, and collect the wait's events until it ends.
fn drive(
    target: WaitTarget,
    options: WaitOptions,
    random: f64,
    mut answer: impl FnMut(&str, f64) -> Result<JobStatus, Error>,
) -> Run {
    let mut poller = Poller::new();
    let id = poller.add(target, options, 0.0).unwrap();
    let mut now = 0.0;
    let mut rounds = Vec::new();
    let mut progress = Vec::new();
    for _ in 0..10_000 {
        while let Some(event) = poller.poll_event() {
            let end = match event {
                Event::Progress(w, p) => {
                    assert_eq!(w, id);
                    progress.push(p);
                    continue;
                }
                Event::Done(w, result) => (w, Ok(result)),
                Event::Failed(w, error, result) => (w, Err((error, result))),
            };
            assert_eq!(end.0, id);
            assert!(poller.poll_event().is_none(), "nothing after the end");
            assert_eq!((poller.waits(), poller.jobs()), (0, 0), "all forgotten");
            return Run {
                end: end.1,
                end_ms: now,
                rounds,
                progress,
            };
        }
        let next = poller.next_timeout().expect("a running wait has a timer");
        assert!(next >= now, "timers never go back: {next} < {now}");
        now = next;
        let reads = poller.poll_reads(now, random);
        if !reads.is_empty() {
            rounds.push(now);
        }
        for read in reads {
            match answer(read.as_str(), now) {
                Ok(status) => poller.on_status(&read, status),
                Err(error) => poller.on_error(&read, error),
            }
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

fn status_error(status: u16) -> Error {
    decode::<serde_json::Value>(status, Body::Empty, &shape::STATUS).unwrap_err()
}

#[test]
fn eight_servers_sharing_one_job_are_one_read_per_round() {
    let batch: Vec<ServerOperation> = (1..=8)
        .map(|i| queued(&format!("de1altdweb58{i}"), "de1-81351"))
        .collect();
    let mut asked = Vec::new();
    let run = drive(
        WaitTarget::Batch(batch),
        options(600_000.0),
        0.5,
        |id, now| {
            asked.push(id.to_owned());
            finishes_at(10_000.0, false)(id, now)
        },
    );
    let result = run.end.unwrap();
    assert_eq!(asked.len(), run.rounds.len(), "one request per round");
    assert!(asked.iter().all(|id| id == "de1-81351"));
    assert!(result.ok);
    assert_eq!(result.servers.len(), 8);
    assert!(result
        .servers
        .iter()
        .all(|s| s.outcome == Outcome::Succeeded && s.job_id.as_deref() == Some("de1-81351")));
    assert_eq!(result.jobs.len(), 1);
    assert_eq!(result.jobs[0].polls as usize, run.rounds.len());
}

#[test]
fn distinct_jobs_are_each_read_until_each_is_done() {
    let batch = vec![
        queued("a", "wa1-1"),
        queued("b", "wa1-2"),
        queued("c", "wa1-1"),
    ];
    let mut polls: std::collections::HashMap<String, u32> = Default::default();
    let run = drive(
        WaitTarget::Batch(batch),
        options(600_000.0),
        0.0,
        |id, now| {
            *polls.entry(id.into()).or_default() += 1;
            let done = if id == "wa1-1" { 2_000.0 } else { 20_000.0 };
            finishes_at(done, false)(id, now)
        },
    );
    let result = run.end.unwrap();
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
        let run = drive(
            job("wa1-1"),
            options(3_600_000.0),
            random,
            finishes_at(120_000.0, false),
        );
        let rounds = run.rounds;
        assert_eq!(rounds[0], MIN, "the first read waits the minimum");
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
fn backoff_alone() {
    let b = Backoff {
        min_ms: 1_000.0,
        max_ms: 8_000.0,
    };
    assert_eq!(b.delay(1, 0.999_999_9).round(), 2_000.0);
    assert_eq!(b.delay(2, 0.0), 2_000.0, "equal jitter: half the step");
    assert_eq!(b.delay(2, 0.5), 3_000.0);
    assert_eq!(b.delay(0, 0.0), 1_000.0, "never below the minimum");
    assert_eq!(b.delay(u32::MAX, 1.0), 8_000.0, "capped, no overflow");
    for bad in [f64::NAN, -5.0, 7.0, f64::INFINITY, f64::NEG_INFINITY] {
        let d = b.delay(3, bad);
        assert!((1_000.0..=8_000.0).contains(&d), "{bad} -> {d}");
    }
    let eager = b.eager(Backoff {
        min_ms: 500.0,
        max_ms: 20_000.0,
    });
    assert_eq!((eager.min_ms, eager.max_ms), (500.0, 8_000.0));
    assert_eq!(MAX_TIMER_MS, 2_147_483_647.0);
}

#[test]
fn jitter_is_clamped_for_bad_randomness() {
    for random in [f64::NAN, -5.0, 7.0, f64::INFINITY] {
        let run = drive(
            job("wa1-1"),
            options(60_000.0),
            random,
            finishes_at(20_000.0, false),
        );
        assert!(run.end.unwrap().ok);
        assert!(run
            .rounds
            .windows(2)
            .all(|w| w[1] - w[0] >= MIN && w[1] - w[0] <= MAX));
    }
}

#[test]
fn the_last_read_leaves_time_to_answer_and_the_wait_ends_at_its_deadline() {
    let run = drive(job("wa1-1"), options(10_000.0), 0.999, |_, _| {
        Ok(JobStatus::Executing)
    });
    let result = run.end.unwrap();
    assert!(!result.ok);
    assert_eq!(result.jobs[0].outcome, Outcome::TimedOut);
    assert_eq!(result.jobs[0].status, Some(JobStatus::Executing));
    assert_eq!(
        *run.rounds.last().unwrap(),
        10_000.0 - MIN,
        "the last look is min_poll_ms before the deadline: {:?}",
        run.rounds
    );
    assert_eq!(run.end_ms, 10_000.0);
    let last = run.progress.last().unwrap();
    assert_eq!((last.timed_out, last.pending, last.total), (1, 0, 1));
}

#[test]
fn a_job_finishing_by_the_last_look_is_seen() {
    let run = drive(
        job("wa1-1"),
        options(10_000.0),
        0.999,
        finishes_at(9_000.0, false),
    );
    assert!(run.end.unwrap().ok);
    assert!(run.end_ms <= 9_000.0);
}

#[test]
fn a_timeout_shorter_than_the_minimum_still_reads_once() {
    let run = drive(job("wa1-1"), options(200.0), 0.5, |_, _| {
        Ok(JobStatus::NotStarted)
    });
    assert_eq!(run.rounds, [150.0], "a quarter of the wait before its end");
    assert_eq!(run.end_ms, 200.0);
    assert_eq!(run.end.unwrap().jobs[0].outcome, Outcome::TimedOut);
}

#[test]
fn failed_jobs_fail_their_servers() {
    let batch = vec![queued("a", "wa1-1"), queued("b", "wa1-1")];
    let run = drive(
        WaitTarget::Batch(batch),
        options(60_000.0),
        0.5,
        finishes_at(3_000.0, true),
    );
    let result = run.end.unwrap();
    assert!(!result.ok);
    assert!(result.servers.iter().all(|s| s.outcome == Outcome::Failed));
    assert_eq!(result.jobs[0].outcome, Outcome::Failed);
}

#[test]
fn not_queued_servers_keep_their_message_and_are_not_read() {
    let batch = vec![
        queued("wa1aliaswb01", "wa1-12345"),
        not_queued("wa1aliaswb02"),
    ];
    let run = drive(
        WaitTarget::Batch(batch),
        options(60_000.0),
        0.5,
        |id, now| {
            assert_eq!(id, "wa1-12345");
            finishes_at(2_000.0, false)(id, now)
        },
    );
    let result = run.end.unwrap();
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
fn a_batch_with_nothing_to_follow_reports_once_and_ends_at_once() {
    for batch in [vec![not_queued("a")], vec![]] {
        let mut poller = Poller::new();
        let id = poller
            .add(WaitTarget::Batch(batch.clone()), options(60_000.0), 0.0)
            .unwrap();
        let Some(Event::Progress(_, first)) = poller.poll_event() else {
            panic!("a report before anything else")
        };
        assert_eq!(
            (first.total, first.not_queued, first.round),
            (batch.len(), batch.len(), 0)
        );
        let Some(Event::Done(w, result)) = poller.poll_event() else {
            panic!("should end at once")
        };
        assert_eq!(w, id);
        assert!(!result.ok, "nothing succeeded");
        assert_eq!(result.servers.len(), batch.len());
        assert_eq!(poller.next_timeout(), None);
        assert_eq!(poller.waits(), 0);
    }
}

#[test]
fn queued_without_a_status_link_is_unknown_not_failed() {
    let mut bad_link = queued("b", "wa1/../x");
    bad_link.links[0].id = Some("wa1/../x".into());
    let mut no_link = queued("c", "wa1-1");
    no_link.links.clear();
    let batch = vec![queued("a", "wa1-1"), bad_link, no_link];
    let run = drive(
        WaitTarget::Batch(batch),
        options(60_000.0),
        0.5,
        finishes_at(1_000.0, false),
    );
    let result = run.end.unwrap();
    let outcomes: Vec<Outcome> = result.servers.iter().map(|s| s.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Succeeded, Outcome::Unknown, Outcome::Unknown]
    );
    assert!(result.servers[1].error_message.is_some());
    assert!(!result.ok);
    let first = &run.progress[0];
    assert_eq!((first.total, first.unknown, first.pending), (3, 2, 1));
}

#[test]
fn status_links_and_ids_are_waited_on() {
    let link = StatusLink {
        rel: "status".into(),
        href: "/v2/operations/alias/status/wa1-12345".into(),
        id: None,
    };
    let run = drive(WaitTarget::Link(link), options(60_000.0), 0.5, |id, now| {
        assert_eq!(id, "wa1-12345");
        finishes_at(5_000.0, false)(id, now)
    });
    let result = run.end.unwrap();
    assert!(result.ok && result.servers.is_empty());
    assert_eq!(result.jobs[0].id, "wa1-12345");

    let empty = StatusLink {
        rel: "status".into(),
        href: "/".into(),
        id: None,
    };
    let mut poller = Poller::new();
    let e = poller
        .add(WaitTarget::Link(empty), options(1.0), 0.0)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation);
    assert_eq!((poller.waits(), poller.poll_event()), (0, None));
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
    let run = drive(job("wa1-1"), options(60_000.0), 0.5, |_, _| {
        Ok(answers.next().unwrap())
    });
    assert!(run.end.unwrap().ok);
    assert_eq!(run.rounds.len(), 4);
}

#[test]
fn transient_errors_and_read_timeouts_are_retried_within_the_deadline() {
    let mut calls = 0;
    let run = drive(job("wa1-1"), options(60_000.0), 0.5, |_, _| {
        calls += 1;
        match calls {
            1 => Err(Error::network("connection refused")),
            2 => Err(decode::<serde_json::Value>(
                502,
                Body::not_json("<title>Bad gateway</title>"),
                &shape::STATUS,
            )
            .unwrap_err()),
            3 => Err(status_error(429)),
            4 => Err(Error::timeout(30_000.0)),
            5 => Err(status_error(408)),
            _ => Ok(JobStatus::Succeeded),
        }
    });
    let result = run.end.unwrap();
    assert!(result.ok);
    assert_eq!(result.jobs[0].polls, 6);
    assert_eq!(
        result.jobs[0].last_error, None,
        "cleared by the good answer"
    );

    // Errors until the deadline: timed out, with the last error kept (a read timeout's own message).
    let run = drive(job("wa1-1"), options(5_000.0), 0.5, |_, _| {
        Err(Error::timeout(250.0))
    });
    let result = run.end.unwrap();
    assert_eq!(result.jobs[0].outcome, Outcome::TimedOut);
    assert_eq!(
        result.jobs[0].last_error.as_deref(),
        Some("timed out after 250 ms")
    );
    assert!(run.rounds.len() > 1, "retried: {:?}", run.rounds);
}

#[test]
fn auth_and_not_found_errors_stop_at_once_with_the_result_so_far() {
    for status in [401, 403, 404, 400] {
        let batch = vec![queued("a", "wa1-1"), queued("b", "wa1-2"), not_queued("c")];
        let run = drive(WaitTarget::Batch(batch), options(60_000.0), 0.5, |id, _| {
            if id == "wa1-1" {
                Ok(JobStatus::Succeeded)
            } else {
                Err(status_error(status))
            }
        });
        let (error, partial) = run.end.unwrap_err();
        assert_eq!(error.status, Some(status));
        assert_eq!(run.rounds.len(), 1, "no retry after {status}");
        let outcomes: Vec<Outcome> = partial.servers.iter().map(|s| s.outcome).collect();
        assert_eq!(
            outcomes,
            [Outcome::Succeeded, Outcome::Pending, Outcome::NotQueued]
        );
        assert_eq!(partial.jobs[1].outcome, Outcome::Pending);
        assert!(!partial.ok);
        let last = run.progress.last().unwrap();
        assert_eq!((last.succeeded, last.pending, last.not_queued), (1, 1, 1));
    }
    let run = drive(job("wa1-1"), options(60_000.0), 0.5, |_, _| {
        Err(Error::decode("bad body"))
    });
    assert_eq!(run.end.unwrap_err().0.kind, ErrorKind::Decode);
    let run = drive(job("wa1-1"), options(60_000.0), 0.5, |_, _| {
        Err(Error::aborted())
    });
    assert_eq!(
        run.end.unwrap_err().0.kind,
        ErrorKind::Aborted,
        "not retried"
    );
}

#[test]
fn progress_counts_per_server_and_comes_once_per_round() {
    let batch = vec![
        queued("a", "wa1-1"),
        queued("b", "wa1-1"),
        queued("c", "wa1-2"),
        not_queued("d"),
    ];
    let mut poller = Poller::new();
    poller
        .add(WaitTarget::Batch(batch), options(60_000.0), 0.0)
        .unwrap();
    let Some(Event::Progress(_, p)) = poller.poll_event() else {
        panic!()
    };
    assert_eq!(
        (p.round, p.total, p.pending, p.not_queued, p.succeeded),
        (0, 4, 3, 1, 0)
    );
    let reads = poller.poll_reads(MIN, 0.5);
    assert_eq!(reads.len(), 2);
    let one = StatusId::parse("wa1-1").unwrap();
    let two = StatusId::parse("wa1-2").unwrap();
    poller.on_status(&one, JobStatus::Succeeded);
    assert_eq!(poller.poll_event(), None, "not until the round is all in");
    poller.on_status(&StatusId::parse("wa1-999").unwrap(), JobStatus::Failed); // not ours: ignored
    poller.on_status(&two, JobStatus::Executing);
    let Some(Event::Progress(_, p)) = poller.poll_event() else {
        panic!()
    };
    assert_eq!(
        (p.round, p.total, p.succeeded, p.pending, p.failed),
        (1, 4, 2, 1, 0)
    );
    assert_eq!(p.jobs[1].status, Some(JobStatus::Executing));
    assert_eq!(p.jobs[0].polls, 1);
    poller.on_status(&two, JobStatus::Failed); // no read in flight: a stray, ignored
    assert_eq!(poller.poll_event(), None);
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["notQueued"], 1);
    assert_eq!(json["timedOut"], 0);
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
    let mut poller = Poller::new();
    for options in bad {
        let e = poller.add(job("wa1-1"), options, 0.0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation, "{options:?}");
    }
    for now in [f64::NAN, f64::INFINITY] {
        let e = poller.add(job("wa1-1"), options(1_000.0), now).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation);
    }
    assert_eq!((poller.waits(), poller.jobs()), (0, 0));
    assert!(WaitOptions::default().validate().is_ok());
    assert_eq!(options(10_000.0).last_read_margin(), MIN);
    assert_eq!(options(400.0).last_read_margin(), 100.0);
}

#[test]
fn results_serialize_in_the_js_shape() {
    let batch = vec![queued("a", "wa1-1"), not_queued("b")];
    let run = drive(
        WaitTarget::Batch(batch),
        options(60_000.0),
        0.5,
        finishes_at(0.0, false),
    );
    let json = serde_json::to_value(run.end.unwrap()).unwrap();
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
    let names: Vec<String> = [
        Outcome::Succeeded,
        Outcome::Failed,
        Outcome::NotQueued,
        Outcome::TimedOut,
        Outcome::Unknown,
        Outcome::Pending,
    ]
    .iter()
    .map(|o| {
        let json = serde_json::to_value(o).unwrap();
        assert_eq!(json, o.as_str(), "serde and as_str agree");
        o.as_str().to_owned()
    })
    .collect();
    assert_eq!(
        names,
        [
            "succeeded",
            "failed",
            "notQueued",
            "timedOut",
            "unknown",
            "pending"
        ]
    );
}
