//! What the emulated API was asked, for the SDK's tests (`GET /sandbox/stats`): how many `/v2` requests,
//! how many at once, by route, and a bounded log of the latest. Counted outside the fault layer, so
//! faulted requests count too (and overlap while the `latencyMs` fault holds them).

use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};

/// Log entries kept; the oldest go first.
pub const LOG_LIMIT: usize = 2_000;
/// Longest path kept in a log entry (longer ones are cut), so the log stays small under garbage.
pub const PATH_LIMIT: usize = 1_024;

/// The counters and the log.
#[derive(Debug, Default)]
pub struct Stats {
    requests: u64,
    in_flight: u64,
    max_in_flight: u64,
    by_route: BTreeMap<String, u64>,
    log: VecDeque<(String, String, u16)>,
}

/// The method as a key: the standard ones by name, any other as `OTHER`, so that garbage methods cannot
/// grow the route table.
fn method_key(method: &str) -> &str {
    const KNOWN: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
    KNOWN
        .iter()
        .find(|known| **known == method)
        .copied()
        .unwrap_or("OTHER")
}

impl Stats {
    /// A request arrived on `route` (the route's template, e.g. `/v2/servers/{alias}/{id}`).
    ///
    /// ```
    /// let mut stats = clc_sandbox::stats::Stats::default();
    /// stats.begin("GET", "/v2/servers/{alias}/{id}");
    /// stats.end("GET", "/v2/servers/DEMO/WA1DEMOWEB01", 200);
    /// assert_eq!(stats.to_json()["byRoute"]["GET /v2/servers/{alias}/{id}"], 1);
    /// ```
    pub fn begin(&mut self, method: &str, route: &str) {
        self.requests += 1;
        self.in_flight += 1;
        self.max_in_flight = self.max_in_flight.max(self.in_flight);
        let key = [method_key(method), route].join(" ");
        *self.by_route.entry(key).or_default() += 1;
    }

    /// The request begun earlier on `path` ended with `status` (0: no answer was sent).
    pub fn end(&mut self, method: &str, path: &str, status: u16) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let mut cut = path.len().min(PATH_LIMIT);
        while !path.is_char_boundary(cut) {
            cut -= 1;
        }
        let path = path.get(..cut).unwrap_or_default().to_owned();
        self.log
            .push_back((method_key(method).to_owned(), path, status));
        while self.log.len() > LOG_LIMIT {
            self.log.pop_front();
        }
    }

    /// Zeroes the counts and the log. Requests still being handled stay counted in `inFlight` (they will
    /// end), and `maxInFlight` restarts from them.
    pub fn reset(&mut self) {
        *self = Stats {
            in_flight: self.in_flight,
            max_in_flight: self.in_flight,
            ..Stats::default()
        };
    }

    /// The `GET /sandbox/stats` answer.
    pub fn to_json(&self) -> Value {
        let log: Vec<Value> = self
            .log
            .iter()
            .map(|(method, path, status)| json!({"method": method, "path": path, "status": status}))
            .collect();
        json!({
            "requests": self.requests,
            "inFlight": self.in_flight,
            "maxInFlight": self.max_in_flight,
            "byRoute": self.by_route,
            "log": log,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_overlap_and_keeps_the_newest_entries() {
        let mut stats = Stats::default();
        stats.begin("GET", "/a");
        stats.begin("POST", "/b");
        stats.end("POST", "/b", 429);
        stats.begin("GET", "/a");
        stats.end("GET", "/a", 200);
        stats.end("GET", "/a", 200);
        let json = stats.to_json();
        assert_eq!(json["requests"], 3);
        assert_eq!(json["inFlight"], 0);
        assert_eq!(json["maxInFlight"], 2);
        assert_eq!(json["byRoute"], json!({"GET /a": 2, "POST /b": 1}));
        assert_eq!(
            json["log"][0],
            json!({"method": "POST", "path": "/b", "status": 429})
        );
        for i in 0..LOG_LIMIT + 5 {
            stats.begin("BREW", "/c");
            stats.end("BREW", &i.to_string(), 0);
        }
        let json = stats.to_json();
        let log = json["log"].as_array().unwrap();
        assert_eq!(log.len(), LOG_LIMIT);
        assert_eq!(log[LOG_LIMIT - 1]["path"], (LOG_LIMIT + 4).to_string());
        assert_eq!(log[0]["path"], "5");
        assert_eq!(json["byRoute"]["OTHER /c"], LOG_LIMIT + 5);
    }

    #[test]
    fn long_paths_are_cut_on_a_character_boundary() {
        let mut stats = Stats::default();
        let path = "é".repeat(PATH_LIMIT);
        stats.begin("GET", "/x");
        stats.end("GET", &path, 200);
        let kept = stats.to_json()["log"][0]["path"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(kept.len() <= PATH_LIMIT && kept.len() >= PATH_LIMIT - 1);
        assert!(path.starts_with(&kept));
    }

    #[test]
    fn reset_zeroes_all_but_the_requests_still_running() {
        let mut stats = Stats::default();
        stats.begin("GET", "/a");
        stats.begin("GET", "/a");
        stats.end("GET", "/a", 200);
        stats.reset();
        let json = stats.to_json();
        assert_eq!(json["requests"], 0);
        assert_eq!(json["inFlight"], 1);
        assert_eq!(json["maxInFlight"], 1);
        assert_eq!(json["byRoute"], json!({}));
        assert_eq!(json["log"], json!([]));
        stats.end("GET", "/a", 200);
        assert_eq!(stats.to_json()["inFlight"], 0);
    }
}
