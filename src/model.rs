//! The wire types of CLC API v2, as serde types in the API's own camelCase names.
//!
//! Decoding is lenient where the service is: unknown fields are ignored, optional fields may be missing,
//! and an unexpected job status is kept as [`JobStatus::Other`] rather than failing. Encoding skips absent
//! fields, so JS sees them absent rather than `null`.

use crate::prelude::*;

use crate::json::Json;
use crate::Error;
use core::fmt;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

// Readers for the values the SDK's own logic needs, from a value already checked against its
// [`crate::shape`]: a field the shape requires is there, so a default is never reached on checked input.

fn text<J: Json>(value: &J, key: &'static str) -> String {
    opt_text(value, key).unwrap_or_default()
}

fn opt_text<J: Json>(value: &J, key: &'static str) -> Option<String> {
    value.field(key).and_then(|v| v.text())
}

fn texts<J: Json>(value: &J, key: &'static str) -> Option<Vec<String>> {
    let items = value.field(key)?.items()?;
    Some(items.iter().filter_map(Json::text).collect())
}

/// A bearer token. Its `Debug` never shows it; [`Token::expose`] is the one way to read it.
///
/// ```
/// use clc_wasm::model::Token;
/// let token = Token::new("secret".into());
/// assert_eq!(format!("{token:?}"), "Token(<redacted>)");
/// assert_eq!(token.expose(), "secret");
/// ```
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Token(String);

impl Token {
    /// Wraps a token kept from an earlier login.
    pub fn new(token: String) -> Self {
        Token(token)
    }

    /// Checks a token given by the caller (`new Clc({ token })`): it goes into an `Authorization` header, whose
    /// value must be Latin-1 without control characters, or `fetch` throws a `TypeError` that reads like a CORS
    /// failure. Refuses empty tokens, whitespace (a token has none; a space would split the header), control
    /// characters and anything above U+00FF. The error never shows the value.
    ///
    /// ```
    /// use clc_wasm::model::Token;
    /// assert_eq!(Token::parse("eyJh.eyJl.c2ln").unwrap().expose(), "eyJh.eyJl.c2ln");
    /// let err = Token::parse("s3cr3t\u{2028}").unwrap_err();
    /// assert_eq!(err.details[0].field, "token");
    /// assert!(!err.message.contains("s3cr3t"));
    /// ```
    pub fn parse(value: &str) -> Result<Token, Error> {
        let why = if value.is_empty() {
            "must not be empty"
        } else if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            "must not contain whitespace or control characters"
        } else if value.chars().any(|c| u32::from(c) > 0xFF) {
            "must contain only Latin-1 characters (U+0000 to U+00FF), as an HTTP header value must"
        } else {
            return Ok(Token(value.to_owned()));
        };
        Err(Error::validation("token", why))
    }

    /// The token itself, for the `Authorization` header or for storing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Login credentials. `Debug` hides the password.
///
/// ```
/// use clc_wasm::model::Credentials;
/// let creds = Credentials::new("demo", "demo-password").unwrap();
/// assert!(!format!("{creds:?}").contains("demo-password"));
/// assert!(Credentials::new("", "x").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    username: String,
    password: String,
}

impl Credentials {
    /// Checks that both are present and free of control characters.
    pub fn new(username: &str, password: &str) -> Result<Self, Error> {
        for (field, value) in [("username", username), ("password", password)] {
            if value.is_empty() {
                return Err(Error::validation(field, "must not be empty"));
            }
            if value.chars().any(char::is_control) {
                return Err(Error::validation(
                    field,
                    "must not contain control characters",
                ));
            }
        }
        Ok(Credentials {
            username: username.to_owned(),
            password: password.to_owned(),
        })
    }

    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The body of a successful login. `Debug` hides the token.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    /// The portal user name.
    pub user_name: String,
    /// The account that holds the user.
    pub account_alias: String,
    /// The user's default data center.
    #[serde(default)]
    pub location_alias: Option<String>,
    /// The user's roles, e.g. `AccountAdmin`.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The token for every other call.
    pub bearer_token: Token,
}

impl LoginResponse {
    /// Reads a login answer checked against [`crate::shape::LOGIN`].
    ///
    /// ```
    /// use clc_wasm::{model::LoginResponse, shape};
    /// let answer = serde_json::json!({"userName": "demo", "accountAlias": "DEMO", "bearerToken": "t"});
    /// shape::check(&answer, &shape::LOGIN).unwrap();
    /// let (session, token) = LoginResponse::read(&answer).into_parts();
    /// assert_eq!((session.account_alias.as_str(), token.expose()), ("DEMO", "t"));
    /// ```
    pub fn read<J: Json>(value: &J) -> Self {
        LoginResponse {
            user_name: text(value, "userName"),
            account_alias: text(value, "accountAlias"),
            location_alias: opt_text(value, "locationAlias"),
            roles: texts(value, "roles").unwrap_or_default(),
            bearer_token: Token(text(value, "bearerToken")),
        }
    }

    /// Splits the answer into what may be shown (the session) and what must be kept (the token).
    pub fn into_parts(self) -> (Session, Token) {
        let session = Session {
            user_name: self.user_name,
            account_alias: self.account_alias,
            location_alias: self.location_alias,
            roles: self.roles,
        };
        (session, self.bearer_token)
    }
}

/// Who is logged in: the login answer without its token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The portal user name.
    pub user_name: String,
    /// The account that holds the user.
    pub account_alias: String,
    /// The user's default data center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_alias: Option<String>,
    /// The user's roles.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// A link entity: `{rel, href, id?, name?, verbs?}`. Without `verbs`, GET is the only verb.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The link's relation, e.g. `status`, `server`, `group`.
    pub rel: String,
    /// The path it points to.
    pub href: String,
    /// The target's ID, where the service gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The target's name, where the service gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The verbs allowed on the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verbs: Option<Vec<String>>,
}

impl Link {
    /// Reads a link checked against [`crate::shape::LINK`].
    pub fn read<J: Json>(value: &J) -> Self {
        Link {
            rel: text(value, "rel"),
            href: text(value, "href"),
            id: opt_text(value, "id"),
            name: opt_text(value, "name"),
            verbs: texts(value, "verbs"),
        }
    }
}

/// The last path segment of an href: the job ID of a status link whose `id` is missing.
fn href_tail(href: &str) -> Option<&str> {
    let start = href
        .bytes()
        .rposition(|b| b == b'/')
        .map_or(0, |slash| slash + 1);
    href.get(start..).filter(|tail| !tail.is_empty())
}

fn link_status_id<'a>(id: &'a Option<String>, href: &'a str) -> Option<&'a str> {
    match id.as_deref() {
        Some(id) if !id.is_empty() => Some(id),
        _ => href_tail(href),
    }
}

/// A link to a job in the queue, as Archive Group returns it.
///
/// ```
/// use clc_wasm::model::StatusLink;
/// let link = StatusLink { rel: "status".into(), href: "/v2/operations/alias/status/wa1-12345".into(), id: None };
/// assert_eq!(link.status_id(), Some("wa1-12345"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusLink {
    /// Always `status`.
    pub rel: String,
    /// The job's address; its alias is lower-cased by the service, so prefer `id`.
    pub href: String,
    /// The job ID for Get Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl StatusLink {
    /// Reads a status link checked against [`crate::shape::STATUS_LINK`].
    pub fn read<J: Json>(value: &J) -> Self {
        StatusLink {
            rel: text(value, "rel"),
            href: text(value, "href"),
            id: opt_text(value, "id"),
        }
    }

    /// The job ID: `id`, or else the last segment of `href`.
    pub fn status_id(&self) -> Option<&str> {
        link_status_id(&self.id, &self.href)
    }
}

/// The result of a server operation for one server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerOperation {
    /// The server, as the service names it (lower-cased).
    pub server: String,
    /// Whether the operation was queued for this server.
    pub is_queued: bool,
    /// Links; the one with `rel: "status"` carries the job ID.
    #[serde(default)]
    pub links: Vec<Link>,
    /// Why the server was not queued, or what went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

impl ServerOperation {
    /// Reads a list checked against [`crate::shape::SERVER_OPERATIONS`].
    ///
    /// ```
    /// use clc_wasm::{model::ServerOperation, shape};
    /// let answer = serde_json::json!([{"server": "wa1aliaswb01", "isQueued": true,
    ///     "links": [{"rel": "status", "href": "/v2/operations/alias/status/wa1-1", "id": "wa1-1"}]}]);
    /// shape::check(&answer, &shape::SERVER_OPERATIONS).unwrap();
    /// assert_eq!(ServerOperation::read_list(&answer)[0].status_id(), Some("wa1-1"));
    /// ```
    pub fn read_list<J: Json>(value: &J) -> Vec<Self> {
        let items = value.items().unwrap_or_default();
        items
            .iter()
            .map(|item| ServerOperation {
                server: text(item, "server"),
                is_queued: item.field("isQueued").and_then(|v| v.boolean()) == Some(true),
                links: item
                    .field("links")
                    .and_then(|links| links.items())
                    .unwrap_or_default()
                    .iter()
                    .map(Link::read)
                    .collect(),
                error_message: opt_text(item, "errorMessage"),
            })
            .collect()
    }

    /// The job ID of the status link, if there is one.
    pub fn status_id(&self) -> Option<&str> {
        self.links
            .iter()
            .find(|link| link.rel == "status")
            .and_then(|link| link_status_id(&link.id, &link.href))
    }
}

/// A job's status. Only `Succeeded` and `Failed` are final; a string the documents do not list is kept as
/// `Other` so a new status never breaks decoding.
///
/// ```
/// use clc_wasm::model::JobStatus;
/// assert!(JobStatus::Failed.is_final());
/// assert_eq!(JobStatus::from("paused"), JobStatus::Other("paused".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobStatus {
    /// Queued, not yet running.
    NotStarted,
    /// Running.
    Executing,
    /// Done, well.
    Succeeded,
    /// Done, badly.
    Failed,
    /// Running again after a pause.
    Resumed,
    /// The service does not know.
    Unknown,
    /// Any other string.
    Other(String),
}

impl JobStatus {
    /// Whether the job is over.
    pub fn is_final(&self) -> bool {
        matches!(self, JobStatus::Succeeded | JobStatus::Failed)
    }

    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            JobStatus::NotStarted => "notStarted",
            JobStatus::Executing => "executing",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
            JobStatus::Resumed => "resumed",
            JobStatus::Unknown => "unknown",
            JobStatus::Other(other) => other,
        }
    }
}

impl From<&str> for JobStatus {
    fn from(status: &str) -> Self {
        match status {
            "notStarted" => JobStatus::NotStarted,
            "executing" => JobStatus::Executing,
            "succeeded" => JobStatus::Succeeded,
            "failed" => JobStatus::Failed,
            "resumed" => JobStatus::Resumed,
            "unknown" => JobStatus::Unknown,
            other => JobStatus::Other(other.to_owned()),
        }
    }
}

impl Serialize for JobStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for JobStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let status = String::deserialize(deserializer)?;
        Ok(JobStatus::from(status.as_str()))
    }
}

/// The answer of Get Status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusResponse {
    /// The job's status.
    pub status: JobStatus,
}

/// A server, with the fields a dashboard shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Server {
    /// The server ID, e.g. `WA1ALIASWB01`.
    pub id: String,
    /// The server name.
    pub name: String,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The group that holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// Its data center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// The OS type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,
    /// `active`, `archived`, `underConstruction`, `queuedForDelete`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `standard`, `hyperscale`, ...
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub server_type: Option<String>,
    /// `standard`, `premium`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_type: Option<String>,
    /// Power, maintenance, resources and snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<ServerDetails>,
    /// Links.
    #[serde(default)]
    pub links: Vec<Link>,
}

/// A server's details.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerDetails {
    /// `started`, `stopped` or `paused`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_state: Option<String>,
    /// Whether the server is in maintenance mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_maintenance_mode: Option<bool>,
    /// CPU count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<f64>,
    /// Memory in MB.
    #[serde(default, rename = "memoryMB", skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<f64>,
    /// Storage in GB.
    #[serde(default, rename = "storageGB", skip_serializing_if = "Option::is_none")]
    pub storage_gb: Option<f64>,
    /// IP addresses.
    #[serde(default)]
    pub ip_addresses: Vec<IpAddress>,
    /// Snapshots.
    #[serde(default)]
    pub snapshots: Vec<Snapshot>,
}

/// One of a server's addresses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpAddress {
    /// The internal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal: Option<String>,
    /// The public address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<String>,
}

/// A server snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Its name, e.g. `2026-11-22.10:00:00`.
    pub name: String,
    /// Links (e.g. delete, restore).
    #[serde(default)]
    pub links: Vec<Link>,
}

/// A group of servers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// The group ID (32 hex digits).
    pub id: String,
    /// The group name.
    pub name: String,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its data center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// `default`, `archive` or `templates`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub group_type: Option<String>,
    /// The group's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// How many servers it holds, subgroups included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servers_count: Option<f64>,
    /// Child groups.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// Links; servers appear as links with `rel: "server"`.
    #[serde(default)]
    pub links: Vec<Link>,
}

/// A data center; with `groupLinks=true` its links include the root group (`rel: "group"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataCenter {
    /// The alias, e.g. `WA1`.
    pub id: String,
    /// The name, e.g. `US West (Seattle)`.
    pub name: String,
    /// Links.
    #[serde(default)]
    pub links: Vec<Link>,
}
