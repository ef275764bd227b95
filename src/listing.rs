//! Loading an account for a dashboard, as pure logic: which data centers, which root group, which servers.
//!
//! The service inlines every server of a group tree with `?serverDetail=detailed`, so a data center loads in two
//! reads (Get Data Center for its root group link, one detailed Get Group), never a Get Server per server.
//! The edge sends those reads; this module reads their answers (already checked against their shapes).
//!
//! ```
//! use clc_wasm::listing::{root_group_id, servers_in_tree};
//! let dc = serde_json::json!({"id": "WA1", "name": "WA1", "links": [
//!     {"rel": "group", "href": "/v2/groups/demo/8a1c0b9662cf4fc8bf6180f139fa0001", "id": "8a1c0b9662cf4fc8bf6180f139fa0001"}]});
//! assert_eq!(root_group_id(&dc).unwrap().as_str(), "8a1c0b9662cf4fc8bf6180f139fa0001");
//! let tree = serde_json::json!({"id": "r", "servers": [{"id": "A"}], "groups": [
//!     {"id": "g", "servers": [{"id": "B"}], "groups": []}]});
//! let ids: Vec<_> = servers_in_tree(&tree).iter().map(|(s, _)| s["id"].clone()).collect();
//! assert_eq!(ids, ["A", "B"]);
//! ```

use crate::prelude::*;
use crate::text::{cat, decimal};

use crate::json::Json;
use crate::parsed::{write_string, Value};
use crate::shape::MAX_DEPTH;
use crate::validate::{DataCenterId, GroupId};
use crate::Error;

/// The IDs of a Get Data Center List answer, in its order (entries whose `id` is not a valid alias are skipped:
/// they could not be asked for).
pub fn data_center_ids<J: Json>(list: &J) -> Vec<DataCenterId> {
    list.items()
        .unwrap_or_default()
        .iter()
        .filter_map(|dc| dc.field("id")?.text())
        .filter_map(|id| DataCenterId::parse(&id).ok())
        .collect()
}

/// The root group of a Get Data Center answer: its link with `rel: "group"` (its `id`, or else the last segment
/// of its `href`).
pub fn root_group_id<J: Json>(data_center: &J) -> Option<GroupId> {
    let links = data_center.field("links")?.items()?;
    let link = links
        .iter()
        .find(|link| link.field("rel").and_then(|r| r.text()).as_deref() == Some("group"))?;
    let id = link.field("id").and_then(|id| id.text()).or_else(|| {
        let href = link.field("href")?.text()?;
        let last = crate::text::pieces(&href, b'/')
            .next_back()
            .map(str::to_owned);
        last
    })?;
    GroupId::parse(&id).ok()
}

/// Every server of a detailed group tree, each with the ID of the group that holds it, in tree order (a group's
/// own servers, then its child groups', depth first). The tree's depth was bounded by its shape check already;
/// the walk keeps the same bound and uses no recursion.
pub fn servers_in_tree<J: Json + Clone>(root: &J) -> Vec<(J, String)> {
    let mut out = Vec::new();
    // Groups still to walk with their depth; children are pushed reversed so `pop` yields them in order.
    let mut stack: Vec<(J, usize)> = vec![(root.clone(), 0)];
    while let Some((group, depth)) = stack.pop() {
        let group_id = group
            .field("id")
            .and_then(|id| id.text())
            .unwrap_or_default();
        for server in group
            .field("servers")
            .and_then(|s| s.items())
            .unwrap_or_default()
        {
            out.push((server, group_id.clone()));
        }
        if depth >= MAX_DEPTH {
            continue;
        }
        let children = group
            .field("groups")
            .and_then(|g| g.items())
            .unwrap_or_default();
        for child in children.into_iter().rev() {
            stack.push((child, depth + 1));
        }
    }
    out
}

/// The servers of a detailed group tree (see [`servers_in_tree`]) as JSON text: comma-separated objects, no
/// brackets, so the lists of several data centers join into one array. A server with no `groupId` of its own gets
/// the ID of the group that holds it.
///
/// ```
/// use clc_wasm::{listing::servers_json, parsed::parse};
/// let tree = parse(r#"{"id": "r", "servers": [{"id": "A"}, {"id": "B", "groupId": "x"}], "groups": []}"#).unwrap();
/// assert_eq!(servers_json(&tree), r#"{"id":"A","groupId":"r"},{"id":"B","groupId":"x"}"#);
/// ```
pub fn servers_json(tree: &Value<'_>) -> String {
    let mut out = String::new();
    for (server, group_id) in servers_in_tree(&tree) {
        if !out.is_empty() {
            out.push(',');
        }
        match server {
            Value::Object(fields) if server.field("groupId").is_none() => {
                out.push('{');
                for (name, value) in fields {
                    write_string(name, &mut out);
                    out.push(':');
                    value.write(&mut out);
                    out.push(',');
                }
                write_string("groupId", &mut out);
                out.push(':');
                write_string(&group_id, &mut out);
                out.push('}');
            }
            _ => server.write(&mut out),
        }
    }
    out
}

/// The message of a `listServers` that could not read every data center: which failed, and why.
///
/// ```
/// use clc_wasm::{listing::failure_message, Error};
/// let e = Error::network("no answer");
/// assert_eq!(failure_message(&[("va1", &e)], 2), "1 of 2 data centers could not be read: va1 (no answer)");
/// ```
pub fn failure_message(failed: &[(&str, &Error)], total: usize) -> String {
    let mut out = cat(&[
        &decimal(failed.len() as u64),
        " of ",
        &decimal(total as u64),
        " data centers could not be read: ",
    ]);
    for (index, (dc, error)) in failed.iter().enumerate() {
        if index > 0 {
            out.push_str("; ");
        }
        out.push_str(dc);
        out.push_str(" (");
        out.push_str(&error.message);
        out.push(')');
    }
    out
}
