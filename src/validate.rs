//! Checked inputs: each type can only hold a value the API accepts, so builders never see a bad one.
//!
//! Every refusal is an [`Error`] of kind validation that names the field and says why.

use crate::prelude::*;
use crate::text::{cat, decimal, name_hash, same_name};

use crate::Error;

fn has_space_or_control(s: &str) -> bool {
    // Most input is ASCII, where whitespace and control characters are exactly the bytes up to space, and DEL.
    if s.is_ascii() {
        return s.bytes().any(|b| b <= b' ' || b == 0x7f);
    }
    s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_dot_segment(s: &str) -> bool {
    s == "." || s == ".."
}

fn short_alphanumeric(field: &str, value: &str) -> Result<String, Error> {
    if value.is_empty() {
        return Err(Error::validation(field, "must not be empty"));
    }
    if value.len() > 16 || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::validation(
            field,
            "must be 1 to 16 ASCII letters or digits",
        ));
    }
    Ok(value.to_owned())
}

/// The API's base URL: absolute `http://` or `https://`, with a host and no query, fragment or user info.
/// Trailing slashes are dropped, so `https://api.ctl.io/` and `https://api.ctl.io` are the same.
///
/// ```
/// use clc_wasm::validate::BaseUrl;
/// assert_eq!(BaseUrl::parse("https://api.ctl.io/").unwrap().as_str(), "https://api.ctl.io");
/// assert!(BaseUrl::parse("/v2").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// Checks `url`.
    pub fn parse(url: &str) -> Result<Self, Error> {
        const FIELD: &str = "baseUrl";
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| {
                Error::validation(FIELD, "must be an absolute http:// or https:// URL")
            })?;
        if has_space_or_control(url) {
            return Err(Error::validation(
                FIELD,
                "must not contain spaces or control characters",
            ));
        }
        if url.contains(['?', '#']) {
            return Err(Error::validation(
                FIELD,
                "must not have a query or a fragment",
            ));
        }
        let host = crate::text::pieces(rest, b'/').next().unwrap_or_default();
        if host.contains('@') {
            return Err(Error::validation(FIELD, "must not contain user info"));
        }
        if host.is_empty() || host.starts_with(':') {
            return Err(Error::validation(FIELD, "must have a host"));
        }
        Ok(BaseUrl(url.trim_end_matches('/').to_owned()))
    }

    /// The URL without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An account alias such as `ALIAS` or `RLS1`: 1 to 16 ASCII letters or digits.
///
/// ```
/// use clc_wasm::validate::AccountAlias;
/// assert!(AccountAlias::parse("DEMO").is_ok());
/// assert!(AccountAlias::parse("DE/MO").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountAlias(String);

impl AccountAlias {
    /// Checks `alias`.
    pub fn parse(alias: &str) -> Result<Self, Error> {
        short_alphanumeric("accountAlias", alias).map(AccountAlias)
    }

    /// The alias as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A data center alias such as `WA1`: 1 to 16 ASCII letters or digits.
///
/// ```
/// use clc_wasm::validate::DataCenterId;
/// assert!(DataCenterId::parse("WA1").is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataCenterId(String);

impl DataCenterId {
    /// Checks `id`.
    pub fn parse(id: &str) -> Result<Self, Error> {
        short_alphanumeric("dataCenter", id).map(DataCenterId)
    }

    /// The alias as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name of element `index` of the server ID list, as errors give it: `serverIds[3]`.
pub(crate) fn element(index: usize) -> String {
    cat(&["serverIds[", &decimal(index as u64), "]"])
}

/// Why `id` is not a server ID, if it is not. (The caller names the field only on a refusal: formatting
/// `serverIds[i]` for every ID of a large batch would cost more than checking them.)
fn server_id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("must not be empty")
    } else if id.len() > 256 {
        Some("must be at most 256 characters")
    } else if has_space_or_control(id) {
        Some("must not contain spaces or control characters")
    } else if is_dot_segment(id) {
        Some("must not be \".\" or \"..\"")
    } else {
        None
    }
}

/// The index of the first ID that repeats an earlier one, ignoring ASCII case, in linear time: an open-addressed
/// table of indices, hashed with FNV-1a. (`HashSet` or a sort would do as well, at a few kilobytes more wasm.)
pub(crate) fn first_repeat(ids: &[&str]) -> Option<usize> {
    let size = (ids.len() * 2).next_power_of_two();
    let mut table = vec![usize::MAX; size];
    for (index, id) in ids.iter().enumerate() {
        let mut slot = name_hash(id) as usize & (size - 1);
        loop {
            match table[slot] {
                usize::MAX => {
                    table[slot] = index;
                    break;
                }
                earlier if same_name(ids[earlier], id) => return Some(index),
                _ => slot = (slot + 1) & (size - 1),
            }
        }
    }
    None
}

/// A server ID such as `WA1ALIASWB01`: not empty, at most 256 characters, no spaces or control characters.
///
/// ```
/// use clc_wasm::validate::ServerId;
/// assert!(ServerId::parse("WA1ALIASWB01").is_ok());
/// assert!(ServerId::parse("WA1 ALIAS").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerId(String);

impl ServerId {
    /// Checks `id`.
    pub fn parse(id: &str) -> Result<Self, Error> {
        match server_id_problem(id) {
            Some(why) => Err(Error::validation("serverId", why)),
            None => Ok(ServerId(id.to_owned())),
        }
    }

    /// The ID as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A non-empty list of distinct server IDs. Duplicates are refused ignoring case, because the service
/// lower-cases names: `WEB01` and `web01` are one server, and sending both would queue it twice.
///
/// ```
/// use clc_wasm::validate::ServerIds;
/// assert_eq!(ServerIds::parse(["WA1ALIASWB01", "WA1ALIASWB02"]).unwrap().len(), 2);
/// assert!(ServerIds::parse(["WEB01", "web01"]).is_err());
/// assert!(ServerIds::parse(Vec::<String>::new()).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerIds(Vec<ServerId>);

impl ServerIds {
    /// Checks every ID and the list as a whole; errors name the entry (`serverIds[3]`).
    pub fn parse<I, S>(ids: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let checked = ids
            .into_iter()
            .enumerate()
            .map(|(index, id)| match server_id_problem(id.as_ref()) {
                Some(why) => Err(Error::validation(&element(index), why)),
                None => Ok(ServerId(id.as_ref().to_owned())),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if checked.is_empty() {
            return Err(Error::validation(
                "serverIds",
                "must list at least one server",
            ));
        }
        let repeat = first_repeat(&checked.iter().map(|id| id.as_str()).collect::<Vec<_>>());
        if let Some(index) = repeat {
            return Err(Error::validation(
                &element(index),
                cat(&[&checked[index].0, " is listed twice"]),
            ));
        }
        Ok(ServerIds(checked))
    }

    /// The IDs, in the order given.
    pub fn as_slice(&self) -> &[ServerId] {
        &self.0
    }

    /// How many IDs there are (never 0).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: the list is never empty. Present because clippy expects it beside `len`.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The IDs, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = &ServerId> {
        self.0.iter()
    }
}

/// A group ID: exactly 32 hexadecimal digits, e.g. `2a5c0b9662cf4fc8bf6180f139facdc0`.
///
/// ```
/// use clc_wasm::validate::GroupId;
/// assert!(GroupId::parse("2a5c0b9662cf4fc8bf6180f139facdc0").is_ok());
/// assert!(GroupId::parse("../../x").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupId(String);

impl GroupId {
    /// Checks `id`.
    pub fn parse(id: &str) -> Result<Self, Error> {
        if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::validation(
                "groupId",
                "must be 32 hexadecimal digits",
            ));
        }
        Ok(GroupId(id.to_owned()))
    }

    /// The ID as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A job's status ID, e.g. `wa1-12345`: ASCII letters, digits, `-`, `_` and `.`, at most 256 characters.
///
/// ```
/// use clc_wasm::validate::StatusId;
/// assert!(StatusId::parse("wa1-12345").is_ok());
/// assert!(StatusId::parse("..").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusId(String);

impl StatusId {
    /// Checks `id`.
    pub fn parse(id: &str) -> Result<Self, Error> {
        const FIELD: &str = "statusId";
        if id.is_empty() {
            return Err(Error::validation(FIELD, "must not be empty"));
        }
        if id.len() > 256
            || is_dot_segment(id)
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err(Error::validation(
                FIELD,
                "must be at most 256 ASCII letters, digits, '-', '_' or '.'",
            ));
        }
        Ok(StatusId(id.to_owned()))
    }

    /// The ID as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How many days a snapshot is kept: an integer from 1 to 10.
///
/// ```
/// use clc_wasm::validate::SnapshotExpirationDays;
/// assert_eq!(SnapshotExpirationDays::from_f64(7.0).unwrap().get(), 7);
/// for bad in [0.0, 11.0, 2.5, f64::NAN, -1.0] {
///     assert!(SnapshotExpirationDays::from_f64(bad).is_err());
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnapshotExpirationDays(u8);

impl SnapshotExpirationDays {
    const FIELD: &'static str = "expirationDays";
    const RULE: &'static str = "must be an integer from 1 to 10";

    /// Checks a number, as JS passes it.
    pub fn from_f64(days: f64) -> Result<Self, Error> {
        if (1.0..=10.0).contains(&days) && f64::from(days as u8) == days {
            Ok(SnapshotExpirationDays(days as u8))
        } else {
            Err(Error::validation(Self::FIELD, Self::RULE))
        }
    }

    /// The refusal for a value that is not a number at all (a string, `null`, an object); `what` names its type.
    pub fn not_a_number(what: &str) -> Error {
        Error::validation(Self::FIELD, cat(&[Self::RULE, ", not ", what]))
    }

    /// The number of days.
    pub fn get(self) -> u8 {
        self.0
    }
}
