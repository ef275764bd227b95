//! Server operation results back in the order of the request.
//!
//! The service answers a batch with one entry per server, but lower-cases the names and may reorder them.
//! [`request_order`] pairs each requested ID with the first unused entry whose name equals it ignoring ASCII
//! case (IDs are ASCII; duplicates pair up in order), and puts what matched nothing at the end, so no entry of
//! the answer is ever dropped. Linear in the batch: one hash table of the returned names.
//!
//! ```
//! use clc_wasm::order::{request_order, Placed};
//! let placed = request_order(&["WA1B", "WA1A"], &["wa1a", "wa1x", "wa1b"]);
//! assert_eq!(
//!     placed,
//!     [
//!         Placed { returned: 2, requested: Some(0) },
//!         Placed { returned: 0, requested: Some(1) },
//!         Placed { returned: 1, requested: None },
//!     ]
//! );
//! ```

use crate::prelude::*;
use alloc::borrow::Cow;

use crate::json::Json;
use crate::parsed::{write_string, Items, Value};
use crate::shape;
use crate::text::{name_hash, same_name};
use crate::validate::{ServerId, ServerIds};

/// Where one returned entry goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    /// Its index in the answer.
    pub returned: usize,
    /// The index of the requested ID it answers; `None` when it answers none of them.
    pub requested: Option<usize>,
}

/// Every index of `returned` exactly once: first those that answer a requested ID, in the order of `requested`
/// (requested IDs nothing answers are skipped), then the rest in their returned order.
pub fn request_order(requested: &[&str], returned: &[&str]) -> Vec<Placed> {
    // The usual answer pairs up in place: then each entry is the first unused one of its name (by induction),
    // and no table is needed.
    if requested.len() == returned.len()
        && requested.iter().zip(returned).all(|(a, b)| same_name(a, b))
    {
        return (0..returned.len())
            .map(|i| Placed {
                returned: i,
                requested: Some(i),
            })
            .collect();
    }
    let mut names = Names::new(returned);
    let mut used = vec![false; returned.len()];
    let mut placed = Vec::with_capacity(returned.len());
    for (index, name) in requested.iter().enumerate() {
        let Some(returned) = names.take(name) else {
            continue;
        };
        if let Some(flag) = used.get_mut(returned) {
            *flag = true;
        }
        placed.push(Placed {
            returned,
            requested: Some(index),
        });
    }
    placed.extend(
        used.iter()
            .enumerate()
            .filter(|(_, &used)| !used)
            .map(|(returned, _)| Placed {
                returned,
                requested: None,
            }),
    );
    placed
}

/// The returned names, by name ignoring ASCII case: an open-addressing hash table with a slot per name, which
/// keeps that name's unused entries in returned order. Linear in the batch (the sorted map it replaces moved its
/// table once per name: 5,000 names in a shuffled answer took 6 ms in Chromium).
struct Names<'a> {
    returned: &'a [&'a str],
    /// Per slot: the name's first entry (`EMPTY` for a free slot), and its next unused one (`NONE` once all are).
    slots: Vec<(usize, usize)>,
    /// Per entry, the next entry of the same name.
    next: Vec<usize>,
}

const EMPTY: usize = usize::MAX;
const NONE: usize = usize::MAX - 1;

impl<'a> Names<'a> {
    fn new(returned: &'a [&'a str]) -> Self {
        let size = (returned.len() * 2).next_power_of_two().max(2);
        let mut names = Names {
            returned,
            slots: vec![(EMPTY, NONE); size],
            next: vec![NONE; returned.len()],
        };
        // Back to front, so each slot ends up on the first entry of its name, chained to the later ones.
        for (index, name) in returned.iter().enumerate().rev() {
            let slot = names.slot(name);
            if let (Some((first, unused)), Some(next)) =
                (names.slots.get_mut(slot), names.next.get_mut(index))
            {
                *next = *unused;
                *first = index;
                *unused = index;
            }
        }
        names
    }

    /// The slot of `name`: the one holding it, or the free one where it goes.
    fn slot(&self, name: &str) -> usize {
        let mask = self.slots.len() - 1;
        let hash = name_hash(name);
        let mut at = hash as usize & mask;
        while let Some(&(first, _)) = self.slots.get(at) {
            let held = self.returned.get(first).copied();
            if first == EMPTY || held.is_some_and(|held| same_name(held, name)) {
                break;
            }
            at = (at + 1) & mask;
        }
        at
    }

    /// The first unused entry named `name`, now used.
    fn take(&mut self, name: &str) -> Option<usize> {
        let slot = self.slot(name);
        let (first, unused) = self.slots.get_mut(slot)?;
        if *first == EMPTY || *unused == NONE {
            return None;
        }
        let taken = *unused;
        *unused = self.next.get(taken).copied().unwrap_or(NONE);
        Some(taken)
    }
}

/// Where one entry of a server operation's answer goes (see [`placements`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement<'n> {
    /// Its index in the answer.
    pub returned: usize,
    /// The requested ID it answers, as the caller spelled it; `None` when it answers none of them.
    pub name: Option<&'n str>,
    /// Whether it has no `links` (a server the service did not queue): the caller gets an empty array there,
    /// the one array [`crate::shape::SERVER_OPERATION`] may leave out (`tests/core_session.rs` holds it to that).
    pub without_links: bool,
}

/// The entries of a server operation's answer (a list checked against [`crate::shape::SERVER_OPERATIONS`]) in
/// the order of `requested`, as [`request_order`] pairs them; empty when the answer is not a list.
///
/// ```
/// use clc_wasm::{order::{placements, Placement}, parsed::parse, validate::ServerIds};
/// let answer = parse(r#"[{"server":"wa1a","isQueued":true,"links":[]}, {"server":"wa1b","isQueued":false}]"#).unwrap();
/// let ids = ServerIds::parse(["WA1B", "WA1A"])?;
/// assert_eq!(
///     placements(&answer, &ids),
///     [
///         Placement { returned: 1, name: Some("WA1B"), without_links: true },
///         Placement { returned: 0, name: Some("WA1A"), without_links: false },
///     ]
/// );
/// # Ok::<(), clc_wasm::Error>(())
/// ```
pub fn placements<'n>(answer: &Value<'_>, requested: &'n ServerIds) -> Vec<Placement<'n>> {
    let Value::List(items) = answer else {
        return Vec::new();
    };
    let names: Vec<&str> = requested.iter().map(ServerId::as_str).collect();
    let returned: Vec<&str> = items
        .iter()
        .map(|item| match item.field("server") {
            Some(Value::Text(name)) => name,
            _ => "",
        })
        .collect();
    request_order(&names, &returned)
        .into_iter()
        .map(|place| Placement {
            returned: place.returned,
            name: place.requested.and_then(|i| names.get(i)).copied(),
            without_links: items
                .get(place.returned)
                .is_some_and(|item| item.field("links").is_none()),
        })
        .collect()
}

/// A server operation's answer (a list checked against [`crate::shape::SERVER_OPERATIONS`], parsed with
/// [`parse_list`](crate::parsed::parse_list)) as JSON text, its entries in the order of `requested` (see
/// [`request_order`]), each named as the caller spelled its ID and with its absent arrays filled in
/// ([`crate::shape::fill`]).
///
/// Each entry is copied from the answer's text with its name replaced and its missing arrays added at the end,
/// not written out again: writing the tree was a fifth of a 5,000-server batch's time in the wasm (Node 20).
///
/// ```
/// use clc_wasm::{order::in_request_order, parsed::parse_list, validate::ServerIds};
/// let (answer, items) =
///     parse_list(r#"[{"server":"wa1a","isQueued":true,"links":[]}, {"server":"wa1b","isQueued":false}]"#).unwrap();
/// let ids = ServerIds::parse(["WA1B", "WA1A"])?;
/// assert_eq!(
///     in_request_order(answer, &items, &ids),
///     r#"[{"server":"WA1B","isQueued":false,"links":[]},{"server":"WA1A","isQueued":true,"links":[]}]"#
/// );
/// # Ok::<(), clc_wasm::Error>(())
/// ```
pub fn in_request_order(
    answer: Value<'_>,
    items_text: &Items<'_>,
    requested: &ServerIds,
) -> String {
    let placed = placements(&answer, requested);
    let Value::List(mut items) = answer else {
        return answer.to_text();
    };
    let mut out = String::with_capacity(items.len() * 160);
    out.push('[');
    for (n, place) in placed.iter().enumerate() {
        let Some(item) = items.get_mut(place.returned) else {
            continue;
        };
        if n > 0 {
            out.push(',');
        }
        let present = match item {
            Value::Object(fields) => fields.len(),
            _ => 0,
        };
        shape::fill(item, &shape::SERVER_OPERATION);
        let name = place.name;
        if let Some(text) = items_text.text(place.returned) {
            if copy_edited(item, text, present, name, &mut out) {
                continue;
            }
        }
        if let (Some(name), Value::Object(fields)) = (name, &mut *item) {
            for (field, value) in fields.iter_mut() {
                if field == "server" {
                    *value = Value::Text(Cow::Owned(String::from(name)));
                }
            }
        }
        item.write(&mut out);
    }
    out.push(']');
    out
}

/// Appends `text`, the entry `item` was parsed from, with its `server` named `name` (when given) and the fields
/// [`shape::fill`] added after its first `present` ones; false, having appended nothing, when the name cannot be
/// found in the text (written with an escape, or given twice).
///
/// `fill` only ever adds fields at the end of this shape's objects: none of the shapes inside
/// [`shape::SERVER_OPERATION`] has an array that may be absent (`tests/core_session.rs` holds both to it).
fn copy_edited(
    item: &Value<'_>,
    text: &str,
    present: usize,
    name: Option<&str>,
    out: &mut String,
) -> bool {
    let Value::Object(fields) = item else {
        return false;
    };
    let (Some(kept), Some(added), Some(body)) = (
        fields.get(..present),
        fields.get(present..),
        text.strip_suffix('}'),
    ) else {
        return false;
    };
    match name {
        None => out.push_str(body),
        Some(name) => {
            let mut servers = kept.iter().filter(|(field, _)| field == "server");
            let (Some((_, Value::Text(Cow::Borrowed(old)))), None) =
                (servers.next(), servers.next())
            else {
                return false;
            };
            // A borrowed string is a slice of the text between its quotes: its place is the distance between them.
            let start = (old.as_ptr() as usize).wrapping_sub(body.as_ptr() as usize);
            let end = start.wrapping_add(old.len());
            let (Some(before), Some(after)) = (
                body.get(..start).and_then(|t| t.strip_suffix('"')),
                body.get(end..).and_then(|t| t.strip_prefix('"')),
            ) else {
                return false;
            };
            out.push_str(before);
            write_string(name, out);
            out.push_str(after);
        }
    }
    for (index, (field, value)) in added.iter().enumerate() {
        if index > 0 || !kept.is_empty() {
            out.push(',');
        }
        write_string(field, out);
        out.push(':');
        value.write(out);
    }
    out.push('}');
    true
}
