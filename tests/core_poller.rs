#![cfg(not(target_arch = "wasm32"))]
//! The shared poller with several waits and a fake network whose replies take time (or never come): shared
//! rounds, the eager schedule, deadlines that a hanging read cannot hold, fatal errors, remove(), joins, and a
//! property test over random waits, replies, errors and timings.

use std::collections::{BTreeMap, BTreeSet};

use clc_wasm::model::{JobStatus, Link, ServerOperation};
use clc_wasm::response::{decode, Body};
use clc_wasm::shape;
use clc_wasm::validate::StatusId;
use clc_wasm::wait::*;
use clc_wasm::{Error, ErrorKind};
use proptest::prelude::*;

fn id(job: &str) -> StatusId {
    StatusId::parse(job).unwrap()
}

fn job(job: &str) -> WaitTarget {
    WaitTarget::Job(id(job))
}

fn opts(timeout_ms: f64, min_poll_ms: f64, max_poll_ms: f64) -> WaitOptions {
    WaitOptions {
        timeout_ms,
        min_poll_ms,
        max_poll_ms,
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
        error_message: Some("cannot be queued".into()),
    }
}

fn unfollowable(server: &str) -> ServerOperation {
    ServerOperation {
        links: vec![],
        ..queued(server, "x")
    }
}

fn http(status: u16) -> Error {
    decode::<serde_json::Value>(status, Body::Empty, &shape::STATUS).unwrap_err()
}

/// A reply the fake network gives a read: after `latency` ms, or never.
type Reply = Option<(f64, Result<JobStatus, Error>)>;

/// A fake clock and network around one poller. Reads are answered by `answer(job, sent_at)`.
struct Sim {
    poller: Poller,
    now: f64,
    /// Replies on their way, by (arrival time as bits: times are never negative, so the bits sort as the times
    /// do; a sequence number).
    wire: BTreeMap<(u64, u64), (StatusId, Result<JobStatus, Error>)>,
    sequence: u64,
    /// Every read the poller asked for: (sent at, job), and the reads of each `poll_reads` call.
    sent: Vec<(f64, StatusId)>,
    rounds: Vec<(f64, Vec<StatusId>)>,
    events: Vec<(f64, Event)>,
}

impl Sim {
    fn new() -> Sim {
        Sim {
            poller: Poller::new(),
            now: 0.0,
            wire: BTreeMap::new(),
            sequence: 0,
            sent: Vec::new(),
            rounds: Vec::new(),
            events: Vec::new(),
        }
    }

    fn add(&mut self, target: WaitTarget, options: WaitOptions) -> WaitId {
        let id = self.poller.add(target, options, self.now).unwrap();
        self.drain();
        id
    }

    fn drain(&mut self) {
        while let Some(event) = self.poller.poll_event() {
            self.events.push((self.now, event));
        }
    }

    /// Moves the clock to the next thing that happens, up to `until`; false when nothing does.
    fn step(&mut self, until: f64, answer: &mut impl FnMut(&StatusId, f64) -> Reply) -> bool {
        let arrival = self
            .wire
            .keys()
            .next()
            .map_or(f64::INFINITY, |(bits, _)| f64::from_bits(*bits));
        let timer = self.poller.next_timeout().unwrap_or(f64::INFINITY);
        let next = arrival.min(timer);
        if next > until || next == f64::INFINITY {
            return false;
        }
        // A timer can be due in the past (a reply came back after the next read was due): it fires now.
        assert!(arrival >= self.now, "replies never arrive in the past");
        self.now = next.max(self.now);
        if arrival <= timer {
            let (_, (job, reply)) = self.wire.pop_first().unwrap();
            match reply {
                Ok(status) => self.poller.on_status(&job, status),
                Err(error) => self.poller.on_error(&job, error),
            }
        } else {
            let reads = self.poller.poll_reads(self.now, 0.5);
            for job in &reads {
                self.sent.push((self.now, job.clone()));
                if let Some((latency, reply)) = answer(job, self.now) {
                    self.sequence += 1;
                    let at = (self.now + latency).to_bits();
                    self.wire.insert((at, self.sequence), (job.clone(), reply));
                }
            }
            if !reads.is_empty() {
                self.rounds.push((self.now, reads));
            }
        }
        self.drain();
        true
    }

    fn run(&mut self, until: f64, mut answer: impl FnMut(&StatusId, f64) -> Reply) {
        for _ in 0..1_000_000 {
            if !self.step(until, &mut answer) {
                return;
            }
        }
        panic!("the simulation never settled");
    }

    /// The events of one wait, with their times.
    fn of(&self, wait: WaitId) -> Vec<(f64, &Event)> {
        self.events
            .iter()
            .filter(|(_, e)| event_wait(e) == wait)
            .map(|(t, e)| (*t, e))
            .collect()
    }

    /// The end of one wait: when, and `Ok(result)` for `Done`, `Err` for `Failed`.
    fn end(&self, wait: WaitId) -> (f64, Result<&WaitResult, (&Error, &WaitResult)>) {
        let ends: Vec<_> = self
            .of(wait)
            .into_iter()
            .filter_map(|(t, e)| match e {
                Event::Done(_, r) => Some((t, Ok(r))),
                Event::Failed(_, e, r) => Some((t, Err((e, r)))),
                Event::Progress(..) => None,
            })
            .collect();
        assert_eq!(ends.len(), 1, "a wait ends once");
        ends.into_iter().next().unwrap()
    }

    fn progress(&self, wait: WaitId) -> Vec<WaitProgress> {
        self.of(wait)
            .into_iter()
            .filter_map(|(_, e)| match e {
                Event::Progress(_, p) => Some(p.clone()),
                _ => None,
            })
            .collect()
    }
}

fn event_wait(event: &Event) -> WaitId {
    match event {
        Event::Progress(w, _) | Event::Done(w, _) | Event::Failed(w, ..) => *w,
    }
}

fn sums(p: &WaitProgress) -> usize {
    p.succeeded + p.failed + p.not_queued + p.timed_out + p.unknown + p.pending
}

/// Answers every read after `latency` ms: running until `done_ms`, then `end`.
fn finishes(done_ms: f64, end: JobStatus, latency: f64) -> impl FnMut(&StatusId, f64) -> Reply {
    move |_, sent| {
        Some((
            latency,
            Ok(if sent < done_ms {
                JobStatus::Executing
            } else {
                end.clone()
            }),
        ))
    }
}

#[test]
fn two_waits_on_one_job_share_each_read() {
    let mut sim = Sim::new();
    let a = sim.add(job("wa1-1"), opts(600_000.0, 1_000.0, 8_000.0));
    let b = sim.add(
        WaitTarget::Batch(vec![queued("s1", "wa1-1"), queued("s2", "wa1-1")]),
        opts(600_000.0, 1_000.0, 8_000.0),
    );
    assert_eq!((sim.poller.waits(), sim.poller.jobs()), (2, 1));
    sim.run(
        f64::INFINITY,
        finishes(30_000.0, JobStatus::Succeeded, 50.0),
    );
    assert!(sim.rounds.len() > 3);
    assert!(
        sim.rounds.iter().all(|(_, reads)| reads.len() == 1),
        "one read per round serves both: {:?}",
        sim.rounds
    );
    let (_, ra) = sim.end(a);
    let (_, rb) = sim.end(b);
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert!(ra.ok && rb.ok);
    assert_eq!(ra.jobs[0].polls as usize, sim.sent.len());
    assert_eq!(rb.jobs[0].polls as usize, sim.sent.len());
    let rounds = sim.rounds.len() as u32;
    assert_eq!(sim.progress(a).last().unwrap().round, rounds);
    assert_eq!(sim.progress(b).last().unwrap().round, rounds);
    assert_eq!(sim.poller.next_timeout(), None);
}

#[test]
fn a_job_is_read_on_the_most_eager_schedule_and_gives_each_wait_its_last_look() {
    let mut sim = Sim::new();
    let eager = sim.add(job("wa1-1"), opts(20_000.0, 1_000.0, 2_000.0));
    let lazy = sim.add(job("wa1-1"), opts(120_000.0, 4_000.0, 30_000.0));
    sim.run(f64::INFINITY, |_, _| Some((10.0, Ok(JobStatus::Executing))));
    let times: Vec<f64> = sim.sent.iter().map(|(t, _)| *t).collect();
    assert_eq!(times[0], 1_000.0, "the eager wait's first read");
    let (gaps_eager, gaps_lazy): (Vec<_>, Vec<_>) = times
        .windows(2)
        .map(|w| (w[0], w[1] - w[0]))
        .partition(|(t, _)| *t < 19_000.0);
    assert!(
        gaps_eager
            .iter()
            .all(|(_, g)| *g >= 1_000.0 && *g <= 2_000.0),
        "{gaps_eager:?}"
    );
    assert!(times.contains(&19_000.0), "the eager wait's last look");
    assert!(
        gaps_lazy.iter().all(|(_, g)| *g >= 4_000.0 - 1e-9),
        "back to the lazy schedule: {gaps_lazy:?}"
    );
    assert!(times.contains(&116_000.0), "the lazy wait's last look");
    assert!(times.iter().all(|t| *t <= 116_000.0));
    assert_eq!(sim.end(eager).0, 20_000.0);
    assert_eq!(sim.end(lazy).0, 120_000.0);
    assert_eq!(sim.end(lazy).1.unwrap().jobs[0].outcome, Outcome::TimedOut);
}

#[test]
fn a_hanging_read_cannot_hold_a_wait_past_its_deadline_and_its_reply_serves_the_others() {
    let mut sim = Sim::new();
    let short = sim.add(job("wa1-1"), opts(300.0, 1_000.0, 8_000.0));
    let long = sim.add(job("wa1-1"), opts(60_000.0, 1_000.0, 8_000.0));
    // The first read (at 225, the short wait's only look) takes 5 s, then the job is done.
    sim.run(f64::INFINITY, |_, sent| {
        Some(if sent < 1_000.0 {
            (5_000.0, Ok(JobStatus::Succeeded))
        } else {
            (10.0, Ok(JobStatus::Executing))
        })
    });
    assert_eq!(sim.sent.len(), 1, "no second read while one is in flight");
    assert_eq!(sim.sent[0].0, 225.0);
    let (at, result) = sim.end(short);
    assert_eq!(
        at, 300.0,
        "ends at its deadline, not when the read comes back"
    );
    let result = result.unwrap();
    assert_eq!(result.jobs[0].outcome, Outcome::TimedOut);
    let last = sim.progress(short).pop().unwrap();
    assert_eq!((last.total, last.timed_out, last.pending), (1, 1, 0));
    let (at, result) = sim.end(long);
    assert_eq!(at, 5_225.0);
    assert!(result.unwrap().ok);
}

#[test]
fn a_hanging_read_alone_still_ends_at_the_deadline() {
    let mut sim = Sim::new();
    let w = sim.add(job("wa1-1"), opts(300.0, 1_000.0, 8_000.0));
    sim.run(f64::INFINITY, |_, _| None);
    assert_eq!(sim.end(w).0, 300.0);
    assert_eq!((sim.poller.waits(), sim.poller.jobs()), (0, 0));
    // The reply that finally comes is ignored.
    sim.poller.on_status(&id("wa1-1"), JobStatus::Succeeded);
    assert_eq!(sim.poller.poll_event(), None);
}

#[test]
fn a_refused_read_fails_every_wait_on_that_job_only() {
    for status in [401, 403, 404] {
        let mut sim = Sim::new();
        let a = sim.add(job("wa1-1"), opts(60_000.0, 1_000.0, 8_000.0));
        let b = sim.add(
            WaitTarget::Batch(vec![queued("s1", "wa1-1"), queued("s2", "wa1-2")]),
            opts(60_000.0, 1_000.0, 8_000.0),
        );
        let c = sim.add(job("wa1-2"), opts(60_000.0, 1_000.0, 8_000.0));
        sim.run(f64::INFINITY, |job, sent| {
            Some(match (job.as_str(), sent < 5_000.0) {
                ("wa1-1", true) => (10.0, Ok(JobStatus::Executing)),
                ("wa1-1", false) => (10.0, Err(http(status))),
                (_, true) => (10.0, Ok(JobStatus::Executing)),
                (_, false) => (10.0, Ok(JobStatus::Succeeded)),
            })
        });
        let (_, ea) = sim.end(a);
        let (error, partial) = ea.unwrap_err();
        assert_eq!(error.status, Some(status));
        assert_eq!(partial.jobs[0].outcome, Outcome::Pending);
        let (_, eb) = sim.end(b);
        let (error, partial) = eb.unwrap_err();
        assert_eq!(error.status, Some(status));
        let outcomes: Vec<Outcome> = partial.servers.iter().map(|s| s.outcome).collect();
        assert!(
            outcomes == [Outcome::Pending, Outcome::Pending]
                || outcomes == [Outcome::Pending, Outcome::Succeeded],
            "{outcomes:?}"
        );
        assert!(sim.end(c).1.unwrap().ok, "a wait not on that job goes on");
    }
}

#[test]
fn remove_forgets_a_wait_and_the_jobs_only_it_followed() {
    let mut sim = Sim::new();
    let a = sim.add(
        WaitTarget::Batch(vec![queued("s1", "wa1-1"), queued("s2", "wa1-2")]),
        opts(60_000.0, 1_000.0, 8_000.0),
    );
    let b = sim.add(job("wa1-2"), opts(60_000.0, 1_000.0, 8_000.0));
    assert_eq!(sim.poller.jobs(), 2);
    // The first round goes out; its replies take a while.
    sim.run(1_000.0, |_, _| Some((500.0, Ok(JobStatus::Executing))));
    assert_eq!(sim.sent.len(), 2);
    let before = sim.events.len();
    sim.poller.remove(a);
    sim.poller.remove(a); // twice: nothing
    assert_eq!((sim.poller.waits(), sim.poller.jobs()), (1, 1));
    sim.run(f64::INFINITY, finishes(4_000.0, JobStatus::Succeeded, 10.0));
    assert!(
        sim.events[before..].iter().all(|(_, e)| event_wait(e) == b),
        "nothing more for the removed wait"
    );
    assert!(
        sim.sent[2..].iter().all(|(_, job)| job.as_str() == "wa1-2"),
        "its own job is not read again"
    );
    assert!(sim.end(b).1.unwrap().ok);
    assert_eq!((sim.poller.waits(), sim.poller.jobs()), (0, 0));
}

#[test]
fn a_wait_joining_a_read_in_flight_is_served_by_its_reply() {
    let mut sim = Sim::new();
    let a = sim.add(job("wa1-1"), opts(60_000.0, 1_000.0, 8_000.0));
    sim.run(1_000.0, |_, _| Some((700.0, Ok(JobStatus::Executing))));
    assert_eq!(sim.sent.len(), 1);
    sim.now = 1_500.0;
    let b = sim.add(job("wa1-1"), opts(60_000.0, 1_000.0, 8_000.0));
    sim.run(f64::INFINITY, finishes(3_000.0, JobStatus::Succeeded, 10.0));
    let progress_b = sim.progress(b);
    assert_eq!(progress_b[1].jobs[0].status, Some(JobStatus::Executing));
    assert_eq!(progress_b[1].round, 0, "the read was not sent for it");
    let times: Vec<f64> = sim.sent.iter().map(|(t, _)| *t).collect();
    assert!(
        times.windows(2).all(|w| w[1] - w[0] >= 1_000.0),
        "still one read at a time: {times:?}"
    );
    assert!(sim.end(a).1.unwrap().ok && sim.end(b).1.unwrap().ok);
}

#[test]
fn a_wait_on_a_job_already_seen_over_ends_at_once() {
    let mut sim = Sim::new();
    let a = sim.add(
        WaitTarget::Batch(vec![queued("s1", "wa1-1"), queued("s2", "wa1-2")]),
        opts(60_000.0, 1_000.0, 8_000.0),
    );
    sim.run(1_500.0, |job, _| {
        Some((
            10.0,
            Ok(if job.as_str() == "wa1-1" {
                JobStatus::Failed
            } else {
                JobStatus::Executing
            }),
        ))
    });
    let b = sim.add(job("wa1-1"), opts(60_000.0, 1_000.0, 8_000.0));
    let (at, result) = sim.end(b);
    assert_eq!(at, sim.now);
    assert_eq!(sim.progress(b).len(), 1, "one report, then the end");
    let result = result.unwrap();
    assert_eq!(
        (result.ok, result.jobs[0].outcome),
        (false, Outcome::Failed)
    );
    assert_eq!(result.jobs[0].polls, 1);
    assert_eq!(sim.poller.waits(), 1);
    sim.poller.remove(a);
    assert_eq!((sim.poller.waits(), sim.poller.jobs()), (0, 0));
}

#[test]
fn every_outcome_and_progress_sums_in_every_state() {
    let mut sim = Sim::new();
    let batch = vec![
        queued("ok", "wa1-1"),
        queued("bad", "wa1-2"),
        queued("slow", "wa1-3"),
        not_queued("nq"),
        unfollowable("lost"),
        queued("ok2", "wa1-1"),
    ];
    let w = sim.add(WaitTarget::Batch(batch), opts(30_000.0, 1_000.0, 4_000.0));
    sim.run(f64::INFINITY, |job, sent| {
        Some((
            100.0,
            Ok(match job.as_str() {
                "wa1-1" if sent > 2_000.0 => JobStatus::Succeeded,
                "wa1-2" if sent > 5_000.0 => JobStatus::Failed,
                _ => JobStatus::Executing,
            }),
        ))
    });
    let (at, result) = sim.end(w);
    assert_eq!(at, 30_000.0);
    let result = result.unwrap();
    let outcomes: Vec<Outcome> = result.servers.iter().map(|s| s.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Succeeded,
            Outcome::Failed,
            Outcome::TimedOut,
            Outcome::NotQueued,
            Outcome::Unknown,
            Outcome::Succeeded
        ]
    );
    let progress = sim.progress(w);
    assert!(progress.len() > 3);
    for p in &progress {
        assert_eq!(p.total, 6);
        assert_eq!(sums(p), 6, "{p:?}");
        assert_eq!(p.jobs.len(), 3);
    }
    let last = progress.last().unwrap();
    assert_eq!(
        (
            last.succeeded,
            last.failed,
            last.timed_out,
            last.not_queued,
            last.unknown,
            last.pending
        ),
        (2, 1, 1, 1, 1, 0)
    );
    assert!(progress[..progress.len() - 1]
        .iter()
        .all(|p| p.timed_out == 0));
    let rounds: Vec<u32> = progress.iter().map(|p| p.round).collect();
    assert!(rounds.windows(2).all(|r| r[0] <= r[1]), "{rounds:?}");

    // Pending: the same batch, with the slow job's read refused.
    let mut sim = Sim::new();
    let batch = vec![
        queued("ok", "wa1-1"),
        queued("slow", "wa1-3"),
        not_queued("nq"),
    ];
    let w = sim.add(WaitTarget::Batch(batch), opts(30_000.0, 1_000.0, 4_000.0));
    sim.run(f64::INFINITY, |job, sent| {
        Some((
            100.0,
            match job.as_str() {
                "wa1-1" => Ok(JobStatus::Succeeded),
                _ if sent > 3_000.0 => Err(http(403)),
                _ => Ok(JobStatus::Executing),
            },
        ))
    });
    let (_, end) = sim.end(w);
    let (error, partial) = end.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Forbidden);
    let outcomes: Vec<Outcome> = partial.servers.iter().map(|s| s.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Succeeded, Outcome::Pending, Outcome::NotQueued]
    );
    let last = sim.progress(w).pop().unwrap();
    assert_eq!((last.succeeded, last.pending, last.not_queued), (1, 1, 1));
}

#[test]
fn ten_thousand_distinct_jobs_are_read_in_rounds() {
    const N: usize = 10_000;
    let batch: Vec<ServerOperation> = (0..N)
        .map(|i| queued(&format!("server{i}"), &format!("wa1-{i}")))
        .collect();
    let mut sim = Sim::new();
    let w = sim.add(WaitTarget::Batch(batch), opts(600_000.0, 1_000.0, 15_000.0));
    assert_eq!(sim.poller.jobs(), N);
    // Job i is over at its (i % 5 + 1)-th read.
    let mut reads: BTreeMap<String, usize> = BTreeMap::new();
    sim.run(f64::INFINITY, |job, _| {
        let i: usize = job.as_str()[4..].parse().unwrap();
        let n = reads.entry(job.as_str().to_owned()).or_default();
        *n += 1;
        Some((
            20.0,
            Ok(if *n > i % 5 {
                JobStatus::Succeeded
            } else {
                JobStatus::Executing
            }),
        ))
    });
    let sizes: Vec<usize> = sim.rounds.iter().map(|(_, r)| r.len()).collect();
    assert_eq!(sizes, [N, 4 * N / 5, 3 * N / 5, 2 * N / 5, N / 5]);
    let result = sim.end(w).1.unwrap();
    assert!(result.ok);
    assert_eq!(result.servers.len(), N);
    assert!(result
        .jobs
        .iter()
        .enumerate()
        .all(|(i, j)| j.polls as usize == i % 5 + 1));
    assert_eq!(
        sim.progress(w).len(),
        1 + 5,
        "the first report, one per round"
    );
}

/// One wait of the property test.
#[derive(Clone, Debug)]
struct Spec {
    start: f64,
    timeout: f64,
    min: f64,
    spread: f64,
    /// Per server: 0..5 queued on that job, 5 not queued, 6 unfollowable; empty: a wait on job `single`.
    servers: Vec<u8>,
    single: u8,
    /// Removed (aborted) this long after its start, if set.
    remove_after: Option<f64>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0.0f64..5_000.0,
        1.0f64..30_000.0,
        1.0f64..3_000.0,
        1.0f64..6.0,
        prop::collection::vec(0u8..7, 0..6),
        0u8..5,
        prop::option::weighted(0.2, 0.0f64..10_000.0),
    )
        .prop_map(
            |(start, timeout, min, spread, servers, single, remove_after)| Spec {
                start,
                timeout,
                min,
                spread,
                servers,
                single,
                remove_after,
            },
        )
}

fn target(spec: &Spec) -> (WaitTarget, usize) {
    if spec.servers.is_empty() && spec.single.is_multiple_of(2) {
        return (job(&format!("wa1-{}", spec.single)), 1);
    }
    let batch: Vec<ServerOperation> = spec
        .servers
        .iter()
        .enumerate()
        .map(|(k, s)| match s {
            0..=4 => queued(&format!("s{k}"), &format!("wa1-{s}")),
            5 => not_queued(&format!("s{k}")),
            _ => unfollowable(&format!("s{k}")),
        })
        .collect();
    let n = batch.len();
    (WaitTarget::Batch(batch), n)
}

fn reply(code: u8, latency: f64) -> Reply {
    let answer = match code {
        0 => Ok(JobStatus::Succeeded),
        1 => Ok(JobStatus::Failed),
        2 => Err(Error::network("down")),
        3 => Err(Error::timeout(100.0)),
        4 => Err(http(503)),
        5 => Err(http(404)),
        6 => return None, // hangs
        _ => Ok(JobStatus::Executing),
    };
    Some((latency, answer))
}

proptest! {
    #[test]
    fn every_wait_ends_by_its_deadline_and_its_counts_always_add_up(
        specs in prop::collection::vec(spec(), 1..5),
        codes in prop::collection::vec(0u8..12, 1..30),
        latencies in prop::collection::vec(0.0f64..3_000.0, 1..30),
    ) {
        let mut sim = Sim::new();
        let mut order: Vec<usize> = (0..specs.len()).collect();
        order.sort_by(|a, b| specs[*a].start.total_cmp(&specs[*b].start));
        let mut waits: Vec<(WaitId, usize, usize, BTreeSet<String>)> = Vec::new(); // id, spec, total, jobs
        let mut removals: Vec<(f64, WaitId)> = Vec::new();
        let mut n = 0usize;
        let mut answer = |_: &StatusId, _: f64| {
            n += 1;
            reply(codes[n % codes.len()], latencies[n % latencies.len()])
        };
        let mut pending = order.into_iter().peekable();
        loop {
            // The next add or removal, if it comes before anything else.
            let next_add = pending.peek().map_or(f64::INFINITY, |i| specs[*i].start);
            let next_remove = removals.iter().map(|(t, _)| *t).fold(f64::INFINITY, f64::min);
            let until = next_add.min(next_remove);
            sim.run(until, &mut answer);
            if until == f64::INFINITY {
                break;
            }
            sim.now = sim.now.max(until);
            if next_remove <= next_add {
                let index = removals.iter().position(|(t, _)| *t == next_remove).unwrap();
                let (_, wait) = removals.remove(index);
                sim.poller.remove(wait);
                sim.events.push((sim.now, Event::Progress(wait, removed_marker())));
            } else if let Some(i) = pending.next() {
                let s = &specs[i];
                let options = opts(s.timeout, s.min, s.min * s.spread);
                let (target, total) = target(s);
                let jobs = match &target {
                    WaitTarget::Job(j) => [j.as_str().to_owned()].into(),
                    WaitTarget::Batch(b) => b.iter().filter(|o| o.is_queued).filter_map(|o| o.status_id().map(str::to_owned)).collect(),
                    WaitTarget::Link(_) => BTreeSet::new(),
                };
                let id = sim.add(target, options);
                if let Some(after) = s.remove_after {
                    removals.push((s.start + after, id));
                }
                waits.push((id, i, total, jobs));
            }
        }
        prop_assert_eq!((sim.poller.waits(), sim.poller.jobs()), (0, 0));
        prop_assert_eq!(sim.poller.next_timeout(), None);
        for (id, i, total, jobs) in &waits {
            let s = &specs[*i];
            let deadline = s.start + s.timeout;
            let events = sim.of(*id);
            let removed_at = events.iter().find(|(_, e)| matches!(e, Event::Progress(_, p) if *p == removed_marker())).map(|(t, _)| *t);
            let ends: Vec<f64> = events.iter().filter(|(_, e)| !matches!(e, Event::Progress(..))).map(|(t, _)| *t).collect();
            match removed_at {
                Some(at) => prop_assert!(ends.iter().all(|t| *t <= at), "nothing after remove()"),
                None => prop_assert_eq!(ends.len(), 1, "ends once"),
            }
            let mut last: Option<&WaitProgress> = None;
            for (t, event) in &events {
                if matches!(event, Event::Progress(_, p) if *p == removed_marker()) {
                    break;
                }
                prop_assert!(*t <= deadline, "event at {} after the deadline {}", t, deadline);
                match event {
                    Event::Progress(_, p) => {
                        prop_assert_eq!(p.total, *total);
                        prop_assert_eq!(sums(p), *total, "{:?}", p);
                        prop_assert!(last.is_none_or(|l| l.round <= p.round));
                        last = Some(p);
                    }
                    Event::Done(_, r) | Event::Failed(_, _, r) => {
                        let last = last.expect("a report comes first");
                        let count = |o: Outcome| if r.servers.is_empty() {
                            r.jobs.iter().filter(|j| j.outcome == o).count()
                        } else {
                            r.servers.iter().filter(|s| s.outcome == o).count()
                        };
                        prop_assert_eq!(
                            (last.succeeded, last.failed, last.not_queued, last.timed_out, last.unknown, last.pending),
                            (count(Outcome::Succeeded), count(Outcome::Failed), count(Outcome::NotQueued),
                             count(Outcome::TimedOut), count(Outcome::Unknown), count(Outcome::Pending)),
                            "the last report matches the result"
                        );
                        if matches!(event, Event::Done(..)) {
                            prop_assert_eq!(count(Outcome::Pending), 0);
                            if *t < deadline {
                                prop_assert_eq!(count(Outcome::TimedOut), 0, "only the deadline times out");
                            }
                        } else {
                            prop_assert_eq!(count(Outcome::TimedOut), 0);
                        }
                        prop_assert_eq!(r.ok, count(Outcome::Succeeded) == *total && *total > 0);
                    }
                }
            }
            // Reads are sent only for jobs a live wait follows, before its deadline.
            let _ = jobs;
        }
        for (t, job) in &sim.sent {
            let wanted = waits.iter().any(|(id, i, _, jobs)| {
                let s = &specs[*i];
                let ended = sim.of(*id).iter().filter(|(_, e)| !matches!(e, Event::Progress(_, p) if *p != removed_marker())).map(|(t, _)| *t).fold(f64::INFINITY, f64::min);
                jobs.contains(job.as_str()) && s.start <= *t && *t < s.start + s.timeout && *t <= ended
            });
            prop_assert!(wanted, "read of {} at {} that no live wait wanted", job.as_str(), t);
        }
        for (_, reads) in &sim.rounds {
            let distinct: BTreeSet<&str> = reads.iter().map(StatusId::as_str).collect();
            prop_assert_eq!(distinct.len(), reads.len(), "a job at most once per round");
        }
    }
}

/// A progress report no poller makes (round u32::MAX), used by the property test to mark a `remove()`.
fn removed_marker() -> WaitProgress {
    WaitProgress {
        round: u32::MAX,
        total: usize::MAX,
        succeeded: 0,
        failed: 0,
        not_queued: 0,
        timed_out: 0,
        unknown: 0,
        pending: 0,
        jobs: vec![],
    }
}
