#![cfg(not(target_arch = "wasm32"))]
//! The TypeScript declarations cannot drift from the Rust: every key the Rust gives JS for a wait's result, its
//! progress and its outcomes, every outcome name and every error kind appears in the declaration that describes
//! it (src/js/types.rs, appended to the package's .d.ts), and `ClcErrorKind` is declared once.

use clc_wasm::model::JobStatus;
use clc_wasm::wait::*;
use clc_wasm::ErrorKind;
use serde_json::Value;

const TYPES: &str = include_str!("../src/js/types.rs");
const ERRORS_DTS: &str = include_str!("../pkg-template/errors.d.ts");

/// The body of `export interface NAME ... { ... }` (up to its closing brace at the start of a line).
fn interface(name: &str) -> &'static str {
    let start = TYPES
        .find(&format!("export interface {name} "))
        .unwrap_or_else(|| panic!("no interface {name} in src/js/types.rs"));
    let body = &TYPES[start..];
    &body[..body
        .find("\n}")
        .expect("an interface ends with a closing brace")]
}

/// Every key of `value` (an object) is declared as a field of `name`.
fn declares_keys(name: &str, value: &Value) {
    let declared = interface(name);
    for key in value.as_object().expect("an object").keys() {
        assert!(
            declared.contains(&format!("\n  {key}: "))
                || declared.contains(&format!("\n  {key}?: ")),
            "{name} in src/js/types.rs lacks `{key}`, which the Rust sends"
        );
    }
}

fn every_field_set() -> (WaitResult, WaitProgress) {
    let job = JobOutcome {
        id: "wa1-1".into(),
        outcome: Outcome::TimedOut,
        status: Some(JobStatus::Executing),
        polls: 3,
        last_error: Some("no answer".into()),
    };
    let server = ServerOutcome {
        server: "WA1ALIASWB01".into(),
        outcome: Outcome::Succeeded,
        job_id: Some("wa1-1".into()),
        error_message: Some("why".into()),
    };
    let result = WaitResult {
        ok: false,
        servers: vec![server],
        jobs: vec![job],
    };
    let progress = WaitProgress {
        round: 1,
        total: 1,
        succeeded: 0,
        failed: 0,
        not_queued: 0,
        timed_out: 0,
        unknown: 0,
        pending: 1,
        jobs: vec![JobProgress {
            id: "wa1-1".into(),
            status: Some(JobStatus::Executing),
            polls: 1,
        }],
    };
    (result, progress)
}

#[test]
fn results_progress_and_outcomes_are_declared() {
    let (result, progress) = every_field_set();
    let result = serde_json::to_value(&result).unwrap();
    declares_keys("WaitResult", &result);
    declares_keys("ServerOutcome", &result["servers"][0]);
    declares_keys("JobOutcome", &result["jobs"][0]);
    let progress = serde_json::to_value(&progress).unwrap();
    declares_keys("WaitProgress", &progress);
    let outcomes = TYPES
        .split("export type Outcome =")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    for outcome in [
        Outcome::Succeeded,
        Outcome::Failed,
        Outcome::NotQueued,
        Outcome::TimedOut,
        Outcome::Unknown,
        Outcome::Pending,
    ] {
        assert!(
            outcomes.contains(&format!("\"{}\"", outcome.as_str())),
            "Outcome lacks {}",
            outcome.as_str()
        );
    }
}

#[test]
fn every_error_kind_is_declared_once() {
    assert_eq!(TYPES.matches("export type ClcErrorKind").count(), 1);
    assert!(
        !ERRORS_DTS.contains("export type ClcErrorKind ="),
        "errors.d.ts must import it, not declare it"
    );
    let kinds = TYPES
        .split("export type ClcErrorKind =")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    for kind in [
        ErrorKind::Validation,
        ErrorKind::Http,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::Aborted,
        ErrorKind::Decode,
    ] {
        assert!(
            kinds.contains(&format!("\"{}\"", kind.as_str())),
            "ClcErrorKind lacks {}",
            kind.as_str()
        );
    }
}
