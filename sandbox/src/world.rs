//! The emulated accounts: groups, servers, tokens and jobs, and the rules the real service applies to them.
//! No HTTP here: `http.rs` maps requests onto these methods. No clock either: every method that needs the
//! time takes `now`, and the wall clock and the random numbers start from a [`Start`] given to
//! [`World::new`], so tests move time forward instead of sleeping.

use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The message the service gives a server it did not queue (from the API documents).
pub const NOT_QUEUED: &str =
    "The operation cannot be queued because the server cannot be found or it is not in a valid state.";
/// Jobs kept; the oldest are forgotten past this, so the table stays bounded under load.
pub const MAX_JOBS: usize = 10_000;

// ---- the fixture ------------------------------------------------------------------------------------

/// A fixture: the accounts the sandbox starts with.
#[derive(Clone, Debug, Deserialize)]
pub struct Seed {
    /// The accounts.
    pub accounts: Vec<SeedAccount>,
}

/// An account of the fixture.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedAccount {
    alias: String,
    location_alias: String,
    /// Its users.
    pub users: Vec<SeedUser>,
    data_centers: Vec<SeedDataCenter>,
}

/// A user of the fixture.
#[derive(Clone, Debug, Deserialize)]
pub struct SeedUser {
    /// The login name.
    pub username: String,
    /// The password.
    pub password: String,
    roles: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SeedDataCenter {
    id: String,
    name: String,
    root_group: SeedGroup,
}

#[derive(Clone, Debug, Deserialize)]
struct SeedGroup {
    id: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(rename = "type", default = "default_group_type")]
    group_type: String,
    #[serde(default)]
    groups: Vec<SeedGroup>,
    #[serde(default)]
    servers: Vec<SeedServer>,
}

fn default_group_type() -> String {
    "default".into()
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SeedServer {
    id: String,
    #[serde(default)]
    description: String,
    os_type: String,
    power_state: String,
    status: String,
    #[serde(default)]
    in_maintenance_mode: bool,
    cpu: u32,
    #[serde(rename = "memoryMB")]
    memory_mb: u32,
    #[serde(rename = "storageGB")]
    storage_gb: u32,
    ip: String,
}

/// The fixture built into the binary.
pub fn default_seed() -> Seed {
    // The embedded fixture is checked by the tests; a broken one is a build bug, not a runtime input.
    serde_json::from_str(include_str!("../seed.json")).expect("the embedded seed.json is valid")
}

// ---- the state ----------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Group {
    id: String,
    name: String,
    description: String,
    group_type: String,
    location: String,
    status: String,
    parent: Option<String>,
    children: Vec<String>,
    servers: Vec<String>,
}

#[derive(Clone, Debug)]
struct Server {
    id: String,
    description: String,
    group_id: String,
    location: String,
    os_type: String,
    power_state: String,
    status: String,
    maintenance: bool,
    cpu: u32,
    memory_mb: u32,
    storage_gb: u32,
    ip: String,
    snapshots: Vec<String>,
}

#[derive(Clone, Debug)]
struct Account {
    alias: String,
    location_alias: String,
    users: Vec<SeedUser>,
    data_centers: Vec<(String, String, String)>, // (id, name, root group id)
    groups: HashMap<String, Group>,
    /// Keyed by the upper-cased ID: the service matches IDs ignoring case.
    servers: HashMap<String, Server>,
}

/// What a job does to the account when it succeeds.
#[derive(Clone, Debug)]
enum Effect {
    Power(String, &'static str),
    Archive(String),
    Snapshot(String),
    Maintenance(String, bool),
    ArchiveGroup(String),
}

/// How jobs created from now on end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobMode {
    /// Succeed after their duration.
    Normal,
    /// Fail after their duration.
    Fail,
    /// Never finish.
    Hang,
}

impl JobMode {
    fn as_str(self) -> &'static str {
        match self {
            JobMode::Normal => "normal",
            JobMode::Fail => "fail",
            JobMode::Hang => "hang",
        }
    }
}

#[derive(Clone, Debug)]
struct Job {
    alias: String,
    created: Instant,
    duration: Duration,
    mode: JobMode,
    effects: Vec<Effect>,
    applied: bool,
}

impl Job {
    fn status(&self, now: Instant) -> &'static str {
        let elapsed = now.saturating_duration_since(self.created);
        if elapsed < self.duration / 10 {
            "notStarted"
        } else if elapsed < self.duration || self.mode == JobMode::Hang {
            "executing"
        } else if self.mode == JobMode::Fail {
            "failed"
        } else {
            "succeeded"
        }
    }
}

struct Token {
    alias: String,
    /// `None`: a lifetime too long for an `Instant` to hold, so never.
    expires: Option<Instant>,
}

impl Token {
    fn alive(&self, now: Instant) -> bool {
        self.expires.is_none_or(|at| now < at)
    }
}

/// Where a world's time and randomness start. Passed in (`clc_sandbox::start_now()` gives the real
/// ones) so that the world never reads a clock itself.
#[derive(Clone, Copy, Debug)]
pub struct Start {
    /// The monotonic instant the world starts at; every later `now` is measured from it.
    pub now: Instant,
    /// The wall-clock time at `now`: it names snapshots and dates tokens.
    pub wall: SystemTime,
    /// Seeds the pseudo-random numbers (token signatures, fault rates); any value.
    pub rng_seed: u64,
}

/// The injected faults and job settings (`/sandbox/faults`).
#[derive(Clone, Debug)]
pub struct Faults {
    /// Delay added to every `/v2` request.
    pub latency_ms: u64,
    /// Share of `/v2` requests answered with a 5xx.
    pub error_rate: f64,
    /// Faults for the next `/v2` requests, one each, in order.
    pub fail_next: VecDeque<String>,
    /// How new jobs end.
    pub jobs: JobMode,
    /// How long new jobs take.
    pub job_ms: u64,
    /// The `Retry-After` of the `status429` and `status503` faults, in seconds.
    pub retry_after_secs: u64,
    /// How that `Retry-After` is written.
    pub retry_after_form: RetryAfterForm,
}

/// The two forms of `Retry-After` (RFC 9110 section 10.2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryAfterForm {
    /// Delay in seconds: `Retry-After: 1`.
    Seconds,
    /// An IMF-fixdate: `Retry-After: Wed, 02 Dec 2026 00:40:01 GMT`.
    Date,
}

impl RetryAfterForm {
    fn as_str(self) -> &'static str {
        match self {
            RetryAfterForm::Seconds => "seconds",
            RetryAfterForm::Date => "date",
        }
    }
}

impl Faults {
    /// No faults, and jobs that succeed after `job_ms`.
    pub fn none(job_ms: u64) -> Self {
        Faults {
            latency_ms: 0,
            error_rate: 0.0,
            fail_next: VecDeque::new(),
            jobs: JobMode::Normal,
            job_ms,
            retry_after_secs: 1,
            retry_after_form: RetryAfterForm::Seconds,
        }
    }

    /// The settings as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "latencyMs": self.latency_ms,
            "errorRate": self.error_rate,
            "failNext": self.fail_next,
            "jobs": self.jobs.as_str(),
            "jobMs": self.job_ms,
            "retryAfterSecs": self.retry_after_secs,
            "retryAfterForm": self.retry_after_form.as_str(),
        })
    }
}

/// Fault names `failNext` accepts.
pub const FAULT_NAMES: [&str; 7] = [
    "html502",
    "aspnet500",
    "malformedJson",
    "empty503",
    "status429",
    "status503",
    "drop",
];

/// An answer refused by the service: status and ASP.NET-style body.
#[derive(Debug)]
pub struct Refusal {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: Value,
}

impl Refusal {
    fn message(status: u16, message: &str) -> Self {
        Refusal {
            status,
            body: json!({ "message": message }),
        }
    }

    /// 400 in the ASP.NET `modelState` form.
    pub fn invalid(field: &str, message: &str) -> Self {
        Refusal {
            status: 400,
            body: json!({ "message": "The request is invalid.", "modelState": { field: [message] } }),
        }
    }

    /// 404 for a path the service has no resource for, in ASP.NET Web API's words.
    pub fn no_route() -> Self {
        Refusal::message(
            404,
            "No HTTP resource was found that matches the request URI.",
        )
    }

    fn unauthorized() -> Self {
        Refusal::message(401, "Authorization has been denied for this request.")
    }
}

/// A server operation of the batch shape.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// archive
    Archive,
    /// shutDown
    ShutDown,
    /// reset
    Reset,
    /// createSnapshot
    CreateSnapshot,
    /// powerOn
    PowerOn,
    /// powerOff
    PowerOff,
    /// pause
    Pause,
    /// reboot
    Reboot,
    /// startMaintenance
    StartMaintenance,
    /// stopMaintenance
    StopMaintenance,
}

impl Op {
    /// The operation named by the last path segment.
    pub fn from_segment(segment: &str) -> Option<Op> {
        Some(match segment {
            "archive" => Op::Archive,
            "shutDown" => Op::ShutDown,
            "reset" => Op::Reset,
            "createSnapshot" => Op::CreateSnapshot,
            "powerOn" => Op::PowerOn,
            "powerOff" => Op::PowerOff,
            "pause" => Op::Pause,
            "reboot" => Op::Reboot,
            "startMaintenance" => Op::StartMaintenance,
            "stopMaintenance" => Op::StopMaintenance,
            _ => return None,
        })
    }

    /// Whether a server in this state may take the operation, and what success does to it.
    /// Archived servers take nothing (they can only be restored); power operations need a power state
    /// they can change.
    fn effect(self, server: &Server) -> Option<Effect> {
        if server.status != "active" {
            return None;
        }
        let id = server.id.clone();
        let power = server.power_state.as_str();
        Some(match self {
            Op::Archive => Effect::Archive(id),
            Op::CreateSnapshot => Effect::Snapshot(id),
            Op::ShutDown | Op::PowerOff if power != "stopped" => Effect::Power(id, "stopped"),
            Op::PowerOn if power != "started" => Effect::Power(id, "started"),
            Op::Pause if power == "started" => Effect::Power(id, "paused"),
            Op::Reset | Op::Reboot if power == "started" => Effect::Power(id, "started"),
            Op::StartMaintenance => Effect::Maintenance(id, true),
            Op::StopMaintenance => Effect::Maintenance(id, false),
            _ => return None,
        })
    }
}

/// Everything the sandbox knows.
pub struct World {
    seed: Seed,
    accounts: HashMap<String, Account>,
    tokens: HashMap<String, Token>,
    jobs: HashMap<String, Job>,
    job_order: VecDeque<String>,
    unapplied: Vec<String>,
    next_job: u64,
    token_ttl: Duration,
    default_faults: Faults,
    /// The faults in force.
    pub faults: Faults,
    rng: u64,
    start: Start,
}

impl World {
    /// A world seeded from `seed`, with tokens living `token_ttl` and the given default faults, its clock
    /// and random numbers starting at `start`.
    pub fn new(seed: Seed, token_ttl: Duration, faults: Faults, start: Start) -> Self {
        // xorshift never leaves zero, so zero is not a seed.
        let rng = start.rng_seed | 1;
        let mut world = World {
            accounts: HashMap::new(),
            seed,
            tokens: HashMap::new(),
            jobs: HashMap::new(),
            job_order: VecDeque::new(),
            unapplied: Vec::new(),
            next_job: 81351,
            token_ttl,
            default_faults: faults.clone(),
            faults,
            rng,
            start,
        };
        world.reset();
        world
    }

    /// Back to the fixture: accounts re-seeded, tokens and jobs forgotten, faults back to their defaults.
    pub fn reset(&mut self) {
        self.accounts = self
            .seed
            .accounts
            .iter()
            .map(|seed| (seed.alias.to_ascii_uppercase(), build_account(seed)))
            .collect();
        self.tokens.clear();
        self.jobs.clear();
        self.job_order.clear();
        self.unapplied.clear();
        self.faults = self.default_faults.clone();
    }

    /// A pseudo-random number in [0, 1), for fault rates.
    pub fn random(&mut self) -> f64 {
        // xorshift64: plenty for choosing which requests fail.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The wall-clock time at `now`, from the world's [`Start`].
    pub fn wall(&self, now: Instant) -> SystemTime {
        let since = now.saturating_duration_since(self.start.now);
        self.start
            .wall
            .checked_add(since)
            .unwrap_or(self.start.wall)
    }

    /// Every token issued so far expires at `now`.
    pub fn expire_tokens(&mut self, now: Instant) {
        self.tokens.values_mut().for_each(|t| t.expires = Some(now));
    }

    /// Login at `now`: the session and a new token, or the documented 400.
    pub fn login(
        &mut self,
        username: &str,
        password: &str,
        now: Instant,
    ) -> Result<Value, Refusal> {
        let found = self.accounts.values().find_map(|account| {
            account
                .users
                .iter()
                .find(|u| u.username.eq_ignore_ascii_case(username) && u.password == password)
                .map(|user| (account, user))
        });
        let Some((account, user)) = found else {
            return Err(Refusal::message(
                400,
                "We didn't recognize the username or password you entered. Please try again.",
            ));
        };
        let session = json!({
            "userName": user.username,
            "accountAlias": account.alias,
            "locationAlias": account.location_alias,
            "roles": user.roles,
        });
        let alias = account.alias.clone();
        let claims = json!({
            "iss": "urn:api-tier3",
            "aud": "urn:tier3-users",
            "role": user.roles,
            "unique_name": user.username,
            "urn:tier3:account-alias": account.alias,
            "urn:tier3:location-alias": account.location_alias,
        });
        let token = self.jwt(claims, now);
        self.tokens.insert(
            token.clone(),
            Token {
                alias,
                expires: now.checked_add(self.token_ttl),
            },
        );
        let mut session = session;
        session["bearerToken"] = json!(token);
        Ok(session)
    }

    /// A token shaped like the service's (a JWT: `header.payload.signature`, base64url), with `nbf` and
    /// `exp` in epoch seconds spanning the token's lifetime. The signature is random: nothing checks it,
    /// the token table is the truth, and it makes every token unique.
    fn jwt(&mut self, mut claims: Value, now: Instant) -> String {
        let nbf = epoch_secs(self.wall(now));
        claims["nbf"] = json!(nbf);
        claims["exp"] = json!(nbf.saturating_add(self.token_ttl.as_secs()));
        let signature: Vec<u8> = (0..32).map(|_| (self.random() * 256.0) as u8).collect();
        [
            base64url(br#"{"typ":"JWT","alg":"HS256"}"#),
            base64url(claims.to_string().as_bytes()),
            base64url(&signature),
        ]
        .join(".")
    }

    /// Checks at `now` the bearer token and that it belongs to `alias`, and applies the jobs that
    /// finished by then; answers with the account's key.
    pub fn authorize(
        &mut self,
        token: Option<&str>,
        alias: &str,
        now: Instant,
    ) -> Result<String, Refusal> {
        let token = token
            .and_then(|t| self.tokens.get(t))
            .ok_or_else(Refusal::unauthorized)?;
        if !token.alive(now) {
            return Err(Refusal::unauthorized());
        }
        if !token.alias.eq_ignore_ascii_case(alias) {
            return Err(Refusal::message(
                403,
                "You do not have permission to access this resource.",
            ));
        }
        let key = token.alias.to_ascii_uppercase();
        self.settle_jobs(now);
        Ok(key)
    }

    fn account(&self, key: &str) -> Result<&Account, Refusal> {
        self.accounts.get(key).ok_or_else(|| {
            Refusal::message(403, "You do not have permission to access this resource.")
        })
    }

    /// Applies the effects of every job that has succeeded by `now` since the last look.
    fn settle_jobs(&mut self, now: Instant) {
        let mut still = Vec::new();
        for id in std::mem::take(&mut self.unapplied) {
            let Some(job) = self.jobs.get_mut(&id) else {
                continue;
            };
            match job.status(now) {
                "succeeded" => {
                    job.applied = true;
                    let (alias, effects) = (job.alias.clone(), job.effects.clone());
                    // Effects date from when the job ended, not from when someone looked.
                    let ended = job.created.checked_add(job.duration).unwrap_or(now);
                    let ended = self.wall(ended);
                    if let Some(account) = self.accounts.get_mut(&alias) {
                        effects.iter().for_each(|e| apply(account, e, ended));
                    }
                }
                "failed" => job.applied = true,
                _ => still.push(id),
            }
        }
        self.unapplied = still;
    }

    fn create_job(
        &mut self,
        alias: &str,
        location: &str,
        effects: Vec<Effect>,
        now: Instant,
    ) -> String {
        let id = format!("{}-{}", location.to_ascii_lowercase(), self.next_job);
        self.next_job += 1;
        self.jobs.insert(
            id.clone(),
            Job {
                alias: alias.to_owned(),
                created: now,
                duration: Duration::from_millis(self.faults.job_ms),
                mode: self.faults.jobs,
                effects,
                applied: false,
            },
        );
        self.job_order.push_back(id.clone());
        self.unapplied.push(id.clone());
        while self.job_order.len() > MAX_JOBS {
            if let Some(old) = self.job_order.pop_front() {
                self.jobs.remove(&old);
                self.unapplied.retain(|j| j != &old);
            }
        }
        id
    }

    fn status_link(alias: &str, job: &str) -> Value {
        json!({
            "rel": "status",
            "href": format!("/v2/operations/{}/status/{job}", alias.to_ascii_lowercase()),
            "id": job,
        })
    }

    /// A server operation on a batch at `now`: one job for every server queued, results lower-cased and
    /// in reverse order (the real service does not keep the request's order).
    pub fn server_operation(
        &mut self,
        key: &str,
        op: Op,
        ids: &[String],
        now: Instant,
    ) -> Result<Value, Refusal> {
        let account = self.account(key)?;
        let mut effects = Vec::new();
        let mut queued = Vec::with_capacity(ids.len());
        let mut location = account.location_alias.clone();
        for id in ids {
            let effect = account
                .servers
                .get(&id.to_ascii_uppercase())
                .and_then(|server| {
                    location.clone_from(&server.location);
                    op.effect(server)
                });
            queued.push(effect.is_some());
            effects.extend(effect);
        }
        let job = (!effects.is_empty()).then(|| self.create_job(key, &location, effects, now));
        let link = job.as_deref().map(|job| Self::status_link(key, job));
        let results: Vec<Value> = ids
            .iter()
            .zip(queued)
            .rev()
            .map(|(id, queued)| match (&link, queued) {
                (Some(link), true) => json!({
                    "server": id.to_ascii_lowercase(), "isQueued": true, "links": [link],
                }),
                _ => json!({
                    "server": id.to_ascii_lowercase(), "isQueued": false, "errorMessage": NOT_QUEUED,
                }),
            })
            .collect();
        Ok(Value::Array(results))
    }

    /// Archive Group at `now`: the group, its subgroups and all their servers, as one job.
    pub fn archive_group(
        &mut self,
        key: &str,
        group_id: &str,
        now: Instant,
    ) -> Result<Value, Refusal> {
        let account = self.account(key)?;
        let group = find_group(account, group_id)?;
        if group.parent.is_none() {
            return Err(Refusal::message(
                400,
                "The root group of a data center cannot be archived.",
            ));
        }
        if group.status == "archived" {
            return Err(Refusal::message(400, "The group is already archived."));
        }
        let (id, location) = (group.id.clone(), group.location.clone());
        let job = self.create_job(key, &location, vec![Effect::ArchiveGroup(id)], now);
        Ok(Self::status_link(key, &job))
    }

    /// Get Status at `now`.
    pub fn status(&self, key: &str, job_id: &str, now: Instant) -> Result<Value, Refusal> {
        match self.jobs.get(&job_id.to_ascii_lowercase()) {
            Some(job) if job.alias == key => Ok(json!({ "status": job.status(now) })),
            _ => Err(Refusal::message(404, "The job was not found.")),
        }
    }

    /// Get Server.
    pub fn server(&self, key: &str, server_id: &str) -> Result<Value, Refusal> {
        let account = self.account(key)?;
        let server = account
            .servers
            .get(&server_id.to_ascii_uppercase())
            .ok_or_else(|| {
                Refusal::message(404, &format!("Server '{server_id}' was not found."))
            })?;
        Ok(server_json(&account.alias, server))
    }

    /// Get Group, with its subgroups; its servers as links, or with `detailed` (`?serverDetail=detailed`)
    /// in full, in every group of the tree, as the service does.
    pub fn group(&self, key: &str, group_id: &str, detailed: bool) -> Result<Value, Refusal> {
        let account = self.account(key)?;
        Ok(group_json(
            account,
            find_group(account, group_id)?,
            detailed,
        ))
    }

    /// Get Data Center List: every data center of the account, in the shape the service sent in
    /// recorded traffic (IDs lower-cased), with the root group's links when asked (`?groupLinks=true`).
    pub fn data_centers(&self, key: &str, group_links: bool) -> Result<Value, Refusal> {
        let account = self.account(key)?;
        let list = account
            .data_centers
            .iter()
            .map(|(id, name, root)| {
                let id = id.to_ascii_lowercase();
                let links = data_center_links(account, &id, root, group_links);
                json!({ "id": id, "name": name, "links": links })
            })
            .collect();
        Ok(Value::Array(list))
    }

    /// Get Data Center, with the root group link when asked.
    pub fn data_center(&self, key: &str, dc: &str, group_links: bool) -> Result<Value, Refusal> {
        let account = self.account(key)?;
        let (id, name, root) = account
            .data_centers
            .iter()
            .find(|(id, _, _)| id.eq_ignore_ascii_case(dc))
            .ok_or_else(|| Refusal::message(404, &format!("Data center '{dc}' was not found.")))?;
        let links = data_center_links(account, &id.to_ascii_lowercase(), root, group_links);
        Ok(json!({ "id": id, "name": name, "links": links }))
    }
}

/// A data center's links as recorded from the service: its own, then with `group_links` those of its
/// root group (the `group` link names the root group, which is where a dashboard starts reading).
fn data_center_links(account: &Account, dc: &str, root: &str, group_links: bool) -> Vec<Value> {
    let alias = account.alias.to_ascii_lowercase();
    let get_post = json!(["GET", "POST"]);
    let mut links = vec![
        json!({"rel": "self", "href": format!("/v2/datacenters/{alias}/{dc}")}),
        json!({"rel": "deploymentCapabilities", "href": format!("/v2/datacenters/{alias}/{dc}/deploymentCapabilities")}),
        json!({"rel": "loadBalancers", "href": format!("/v2/sharedLoadBalancers/{alias}/{dc}"), "verbs": get_post}),
        json!({"rel": "computeLimits", "href": format!("/v2/datacenters/{alias}/{dc}/computeLimits"), "verbs": get_post}),
        json!({"rel": "networkLimits", "href": format!("/v2/datacenters/{alias}/{dc}/networkLimits"), "verbs": ["GET"]}),
        json!({"rel": "availableOvfs", "href": format!("/v2/vmImport/{alias}/{dc}/available"), "verbs": ["GET"]}),
    ];
    if group_links {
        let root_name = account.groups.get(root).map(|g| g.name.clone());
        let group = format!("/v2/groups/{alias}/{root}");
        links.extend([
            json!({"rel": "group", "href": group, "id": root, "name": root_name}),
            json!({"rel": "createGroup", "href": format!("/v2/groups/{alias}"), "verbs": ["POST"]}),
            json!({"rel": "createServer", "href": format!("/v2/servers/{alias}"), "verbs": ["POST"]}),
            json!({"rel": "defaults", "href": format!("{group}/defaults"), "verbs": get_post}),
            json!({"rel": "billing", "href": format!("{group}/billing")}),
            json!({"rel": "statistics", "href": format!("{group}/statistics")}),
        ]);
    }
    links
}

fn find_group<'a>(account: &'a Account, group_id: &str) -> Result<&'a Group, Refusal> {
    account
        .groups
        .get(&group_id.to_ascii_lowercase())
        .ok_or_else(|| Refusal::message(404, &format!("Group '{group_id}' was not found.")))
}

fn build_account(seed: &SeedAccount) -> Account {
    let mut account = Account {
        alias: seed.alias.clone(),
        location_alias: seed.location_alias.clone(),
        users: seed.users.clone(),
        data_centers: Vec::new(),
        groups: HashMap::new(),
        servers: HashMap::new(),
    };
    for dc in &seed.data_centers {
        account.data_centers.push((
            dc.id.clone(),
            dc.name.clone(),
            dc.root_group.id.to_ascii_lowercase(),
        ));
        add_group(&mut account, &dc.root_group, None, &dc.id);
    }
    account
}

fn add_group(account: &mut Account, seed: &SeedGroup, parent: Option<&str>, location: &str) {
    let id = seed.id.to_ascii_lowercase();
    for server in &seed.servers {
        account.servers.insert(
            server.id.to_ascii_uppercase(),
            Server {
                id: server.id.clone(),
                description: server.description.clone(),
                group_id: id.clone(),
                location: location.to_owned(),
                os_type: server.os_type.clone(),
                power_state: server.power_state.clone(),
                status: server.status.clone(),
                maintenance: server.in_maintenance_mode,
                cpu: server.cpu,
                memory_mb: server.memory_mb,
                storage_gb: server.storage_gb,
                ip: server.ip.clone(),
                snapshots: Vec::new(),
            },
        );
    }
    account.groups.insert(
        id.clone(),
        Group {
            id: id.clone(),
            name: seed.name.clone(),
            description: seed.description.clone(),
            group_type: seed.group_type.clone(),
            location: location.to_owned(),
            status: "active".into(),
            parent: parent.map(str::to_owned),
            children: seed
                .groups
                .iter()
                .map(|g| g.id.to_ascii_lowercase())
                .collect(),
            servers: seed.servers.iter().map(|s| s.id.clone()).collect(),
        },
    );
    for child in &seed.groups {
        add_group(account, child, Some(&id), location);
    }
}

/// Applies a succeeded job's `effect`; `ended` is when the job ended, by the wall clock.
fn apply(account: &mut Account, effect: &Effect, ended: SystemTime) {
    fn server<'a>(account: &'a mut Account, id: &str) -> Option<&'a mut Server> {
        account.servers.get_mut(&id.to_ascii_uppercase())
    }
    match effect {
        Effect::Power(id, state) => {
            if let Some(s) = server(account, id) {
                s.power_state = (*state).to_owned();
            }
        }
        Effect::Archive(id) => {
            if let Some(s) = server(account, id) {
                s.status = "archived".into();
                s.power_state = "stopped".into();
            }
        }
        Effect::Snapshot(id) => {
            if let Some(s) = server(account, id) {
                // The service keeps one snapshot per server; a new one replaces it.
                s.snapshots = vec![snapshot_name(ended)];
            }
        }
        Effect::Maintenance(id, on) => {
            if let Some(s) = server(account, id) {
                s.maintenance = *on;
            }
        }
        Effect::ArchiveGroup(group_id) => {
            let mut stack = vec![group_id.clone()];
            while let Some(id) = stack.pop() {
                let Some(group) = account.groups.get_mut(&id) else {
                    continue;
                };
                group.status = "archived".into();
                stack.extend(group.children.clone());
                for server_id in group.servers.clone() {
                    apply(account, &Effect::Archive(server_id), ended);
                }
            }
        }
    }
}

fn epoch_secs(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Unpadded base64url (RFC 4648 section 5), as JWTs use.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// A snapshot name in the service's style, `2026-11-22.20:55:00`, from the UTC clock.
fn snapshot_name(now: SystemTime) -> String {
    let (year, month, day, _) = civil(epoch_secs(now));
    let rest = epoch_secs(now) % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}.{:02}:{:02}:{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// `time` as an HTTP IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), for `Retry-After`.
pub fn imf_fixdate(time: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = epoch_secs(time);
    let (year, month, day, days) = civil(secs);
    let rest = secs % 86_400;
    let weekday = DAYS.get((days % 7) as usize).unwrap_or(&"Thu");
    let month = MONTHS.get((month - 1) as usize).unwrap_or(&"Jan");
    format!(
        "{weekday}, {day:02} {month} {year:04} {:02}:{:02}:{:02} GMT",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// The UTC civil date of `secs` since 1970: year, month (1..=12), day, and the days since 1970.
fn civil(secs: u64) -> (i64, i64, i64, u64) {
    let days = secs / 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, days)
}

fn server_json(alias: &str, server: &Server) -> Value {
    let alias = alias.to_ascii_lowercase();
    let snapshots: Vec<Value> = server
        .snapshots
        .iter()
        .map(|name| {
            json!({"name": name, "links": [{"rel": "self", "href": format!("/v2/servers/{alias}/{}/snapshots/1", server.id)}]})
        })
        .collect();
    json!({
        "id": server.id,
        "name": server.id,
        "description": server.description,
        "groupId": server.group_id,
        "locationId": server.location,
        "osType": server.os_type,
        "status": server.status,
        "type": "standard",
        "storageType": "standard",
        "details": {
            "powerState": server.power_state,
            "inMaintenanceMode": server.maintenance,
            "cpu": server.cpu,
            "memoryMB": server.memory_mb,
            "storageGB": server.storage_gb,
            "ipAddresses": [{ "internal": server.ip }],
            "snapshots": snapshots,
        },
        "links": [
            {"rel": "self", "href": format!("/v2/servers/{alias}/{}", server.id), "id": server.id},
            {"rel": "group", "href": format!("/v2/groups/{alias}/{}", server.group_id), "id": server.group_id},
        ],
    })
}

fn servers_count(account: &Account, group: &Group) -> usize {
    group.servers.len()
        + group
            .children
            .iter()
            .filter_map(|id| account.groups.get(id))
            .map(|child| servers_count(account, child))
            .sum::<usize>()
}

/// A group and its tree. `detailed`: every group of the tree carries its servers in full (`servers`) and
/// no `server` links, as the service answers `?serverDetail=detailed`.
fn group_json(account: &Account, group: &Group, detailed: bool) -> Value {
    let alias = account.alias.to_ascii_lowercase();
    let mut links = vec![
        json!({"rel": "self", "href": format!("/v2/groups/{alias}/{}", group.id), "id": group.id}),
    ];
    if let Some(parent) = &group.parent {
        links.push(json!({"rel": "parentGroup", "href": format!("/v2/groups/{alias}/{parent}"), "id": parent}));
    }
    if !detailed {
        for id in &group.servers {
            links.push(
                json!({"rel": "server", "href": format!("/v2/servers/{alias}/{id}"), "id": id}),
            );
        }
    }
    let groups: Vec<Value> = group
        .children
        .iter()
        .filter_map(|id| account.groups.get(id))
        .map(|child| group_json(account, child, detailed))
        .collect();
    let mut json = json!({
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "locationId": group.location,
        "type": group.group_type,
        "status": group.status,
        "serversCount": servers_count(account, group),
        "groups": groups,
        "links": links,
    });
    if detailed {
        let servers: Vec<Value> = group
            .servers
            .iter()
            .filter_map(|id| account.servers.get(&id.to_ascii_uppercase()))
            .map(|server| server_json(&account.alias, server))
            .collect();
        json["servers"] = Value::Array(servers);
    }
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_imf_fixdates() {
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(imf_fixdate(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(imf_fixdate(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
        let t = UNIX_EPOCH + Duration::from_secs(1_795_372_500);
        assert_eq!(imf_fixdate(t), "Sun, 22 Nov 2026 18:35:00 GMT");
    }

    #[test]
    fn snapshot_names_use_the_civil_date() {
        let t = UNIX_EPOCH + Duration::from_secs(1_795_372_500); // 2026-11-22 18:35:00 UTC
        assert_eq!(snapshot_name(t), "2026-11-22.18:35:00");
        assert_eq!(snapshot_name(UNIX_EPOCH), "1970-01-01.00:00:00");
    }

    /// A fixed start: 2026-11-22 18:35:00 UTC, a fixed seed; the instant is any (only differences count).
    fn start() -> Start {
        Start {
            now: crate::start_now().now,
            wall: UNIX_EPOCH + Duration::from_secs(1_795_372_500),
            rng_seed: 7,
        }
    }

    fn world(job_ms: u64, token_ttl: Duration) -> (World, Instant) {
        let start = start();
        let world = World::new(default_seed(), token_ttl, Faults::none(job_ms), start);
        (world, start.now)
    }

    fn login(world: &mut World, now: Instant) -> String {
        let session = world.login("demo", "demo-password", now).unwrap();
        session["bearerToken"].as_str().unwrap().to_owned()
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Runs `op` on one server at `now` and answers the job ID.
    fn queue(world: &mut World, op: Op, id: &str, now: Instant) -> String {
        let answer = world
            .server_operation("DEMO", op, &[id.to_owned()], now)
            .unwrap();
        answer[0]["links"][0]["id"].as_str().unwrap().to_owned()
    }

    fn status(world: &World, job: &str, now: Instant) -> String {
        let answer = world.status("DEMO", job, now).unwrap();
        answer["status"].as_str().unwrap().to_owned()
    }

    fn power(world: &World, id: &str) -> String {
        let server = world.server("DEMO", id).unwrap();
        server["details"]["powerState"].as_str().unwrap().to_owned()
    }

    #[test]
    fn tokens_live_their_ttl_and_die_when_expired() {
        let (mut world, t0) = world(100, ms(1500));
        let token = login(&mut world, t0);
        for at in [0, 1, 1499] {
            assert!(
                world.authorize(Some(&token), "DEMO", t0 + ms(at)).is_ok(),
                "{at}"
            );
        }
        let dead = world
            .authorize(Some(&token), "demo", t0 + ms(1500))
            .unwrap_err();
        assert_eq!(dead.status, 401);
        assert_eq!(
            dead.body,
            json!({"message": "Authorization has been denied for this request."})
        );
        // A fresh token works; expiring kills it at once, and later logins work again.
        let fresh = login(&mut world, t0 + ms(2000));
        assert!(world.authorize(Some(&fresh), "DEMO", t0 + ms(2001)).is_ok());
        world.expire_tokens(t0 + ms(2002));
        let refused = world.authorize(Some(&fresh), "DEMO", t0 + ms(2002));
        assert_eq!(refused.unwrap_err().status, 401);
        let later = login(&mut world, t0 + ms(2003));
        assert!(world.authorize(Some(&later), "DEMO", t0 + ms(2004)).is_ok());
        // The other account's alias is 403, whatever the time.
        let other = world.authorize(Some(&later), "OTHR", t0 + ms(2004));
        assert_eq!(other.unwrap_err().status, 403);
    }

    #[test]
    fn a_lifetime_too_long_for_the_clock_never_ends() {
        let (mut world, t0) = world(100, Duration::MAX);
        let token = login(&mut world, t0);
        let far = t0 + Duration::from_secs(100 * 365 * 86_400);
        assert!(world.authorize(Some(&token), "DEMO", far).is_ok());
    }

    fn decode_base64url(text: &str) -> Vec<u8> {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let sextets: Vec<u32> = text
            .bytes()
            .map(|b| ALPHABET.iter().position(|a| *a == b).expect("base64url") as u32)
            .collect();
        let mut out = Vec::new();
        for chunk in sextets.chunks(4) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0, |n, (i, s)| n | s << (18 - 6 * i));
            out.extend(n.to_be_bytes()[1..chunk.len()].iter());
        }
        out
    }

    #[test]
    fn tokens_are_jwts_dated_by_the_wall_clock() {
        let (mut world, t0) = world(100, Duration::from_secs(14 * 86_400));
        let token = login(&mut world, t0 + ms(2500));
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3, "{token}");
        let header: Value = serde_json::from_slice(&decode_base64url(parts[0])).unwrap();
        assert_eq!(header, json!({"typ": "JWT", "alg": "HS256"}));
        let claims: Value = serde_json::from_slice(&decode_base64url(parts[1])).unwrap();
        assert_eq!(claims["nbf"], 1_795_372_502);
        assert_eq!(claims["exp"], 1_795_372_502 + 14 * 86_400);
        assert_eq!(claims["unique_name"], "demo");
        assert_eq!(claims["urn:tier3:account-alias"], "DEMO");
        assert_eq!(claims["role"], json!(["AccountAdmin"]));
        assert_eq!(decode_base64url(parts[2]).len(), 32);
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        // Every token differs, even at the same instant.
        assert_ne!(login(&mut world, t0 + ms(2500)), token);
    }

    #[test]
    fn base64url_matches_the_rfc_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64url(plain.as_bytes()), encoded);
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn base64url_round_trips_any_bytes() {
        let (mut world, _) = world(0, ms(1));
        for len in 0..200usize {
            let bytes: Vec<u8> = (0..len).map(|_| (world.random() * 256.0) as u8).collect();
            let text = base64url(&bytes);
            assert_eq!(text.len(), (len * 4).div_ceil(3));
            assert_eq!(decode_base64url(&text), bytes, "{len}");
        }
    }

    #[test]
    fn http_dates_agree_with_snapshot_names_and_weekdays() {
        // Every 7 hours and a bit over 60 years: dates, leap days and weekdays (1970-01-01 was a Thursday).
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        for step in 0..75_000u64 {
            let secs = step * 25_301;
            let t = UNIX_EPOCH + Duration::from_secs(secs);
            let date = imf_fixdate(t);
            let name = snapshot_name(t);
            let (ymd, hms) = name.split_once('.').unwrap();
            let (y, rest) = ymd.split_once('-').unwrap();
            let (m, d) = rest.split_once('-').unwrap();
            let month = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ][m.parse::<usize>().unwrap() - 1];
            let weekday = weekdays[(secs / 86_400 % 7) as usize];
            assert_eq!(date, format!("{weekday}, {d} {month} {y} {hms} GMT"));
        }
    }

    #[test]
    fn jobs_move_through_their_states_as_time_passes_and_only_then_act() {
        let (mut world, t0) = world(1000, ms(3_600_000));
        let token = login(&mut world, t0);
        let job = queue(&mut world, Op::ShutDown, "WA1DEMOWEB01", t0);
        let expected = [
            (0, "notStarted"),
            (99, "notStarted"),
            (100, "executing"),
            (999, "executing"),
            (1000, "succeeded"),
        ];
        for (at, want) in expected {
            assert_eq!(status(&world, &job, t0 + ms(at)), want, "at {at} ms");
            world.authorize(Some(&token), "DEMO", t0 + ms(at)).unwrap();
            let power = power(&world, "WA1DEMOWEB01");
            let done = want == "succeeded";
            assert_eq!(power, if done { "stopped" } else { "started" }, "at {at}");
        }
    }

    #[test]
    fn failing_and_hanging_jobs_change_nothing() {
        let (mut world, t0) = world(200, ms(3_600_000));
        let token = login(&mut world, t0);
        world.faults.jobs = JobMode::Fail;
        let failing = queue(&mut world, Op::PowerOff, "WA1DEMOWEB01", t0);
        world.faults.jobs = JobMode::Hang;
        let hung = queue(&mut world, Op::PowerOff, "WA1DEMOWEB02", t0);
        let later = t0 + Duration::from_secs(600);
        world.authorize(Some(&token), "DEMO", later).unwrap();
        assert_eq!(status(&world, &failing, later), "failed");
        assert_eq!(status(&world, &hung, later), "executing");
        assert_eq!(power(&world, "WA1DEMOWEB01"), "started");
        assert_eq!(power(&world, "WA1DEMOWEB02"), "started");
    }

    #[test]
    fn snapshots_are_named_when_their_job_ended() {
        let (mut world, t0) = world(4000, ms(3_600_000));
        let token = login(&mut world, t0);
        let job = queue(
            &mut world,
            Op::CreateSnapshot,
            "WA1DEMOWEB01",
            t0 + ms(1000),
        );
        // Looked at long after: named by the end of the job (18:35:00 + 1 s + 4 s).
        world
            .authorize(Some(&token), "DEMO", t0 + Duration::from_secs(60))
            .unwrap();
        assert_eq!(status(&world, &job, t0 + ms(5000)), "succeeded");
        let server = world.server("DEMO", "WA1DEMOWEB01").unwrap();
        assert_eq!(
            server["details"]["snapshots"][0]["name"],
            "2026-11-22.18:35:05"
        );
        assert_eq!(
            world.wall(t0 + ms(5000)),
            UNIX_EPOCH + Duration::from_secs(1_795_372_505)
        );
    }

    #[test]
    fn the_embedded_seed_loads() {
        let world = World::new(
            default_seed(),
            Duration::from_secs(60),
            test_faults(),
            start(),
        );
        assert_eq!(world.accounts["DEMO"].servers.len(), 12);
        assert!(world.accounts["DEMO"].servers.contains_key("WA1DEMOOLD01"));
    }

    #[test]
    fn the_job_table_keeps_the_newest_jobs_only() {
        let (mut world, t0) = world(0, Duration::from_secs(60));
        let ids = ["WA1DEMOWEB01".to_owned()];
        let job = |world: &mut World| {
            let answer = world
                .server_operation("DEMO", Op::StartMaintenance, &ids, t0)
                .expect("an answer");
            answer[0]["links"][0]["id"]
                .as_str()
                .expect("a job")
                .to_owned()
        };
        let first = job(&mut world);
        let second = job(&mut world);
        for _ in 0..MAX_JOBS - 1 {
            job(&mut world);
        }
        assert_eq!(world.jobs.len(), MAX_JOBS);
        assert_eq!(world.job_order.len(), MAX_JOBS);
        assert!(world.unapplied.len() <= MAX_JOBS);
        // The oldest is forgotten (404), the next one is still there.
        assert_eq!(world.status("DEMO", &first, t0).unwrap_err().status, 404);
        assert_eq!(status(&world, &second, t0), "succeeded");
    }

    pub(crate) fn test_faults() -> Faults {
        Faults::none(100)
    }
}
