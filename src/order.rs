//! Server operation results back in the order of the request.
//!
//! The service answers a batch with one entry per server, but lower-cases the names and may reorder them.
//! [`request_order`] pairs each requested ID with the first unused entry whose name equals it ignoring ASCII
//! case (IDs are ASCII; duplicates pair up in order), and puts what matched nothing at the end, so no entry of
//! the answer is ever dropped. `O(n log n)`: a batch of 5,000 IDs is one sort's work.
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
use crate::sorted::Map;
use alloc::borrow::Cow;
use alloc::collections::VecDeque;

use crate::json::Json;
use crate::parsed::Value;
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
        && requested
            .iter()
            .zip(returned)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
    {
        return (0..returned.len())
            .map(|i| Placed {
                returned: i,
                requested: Some(i),
            })
            .collect();
    }
    // Each lower-cased name, with the returned indices that carry it, in returned order.
    let mut by_name: Map<String, VecDeque<usize>> = Map::new();
    for (index, name) in returned.iter().enumerate() {
        by_name
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push_back(index);
    }
    let mut used = vec![false; returned.len()];
    let mut placed = Vec::with_capacity(returned.len());
    for (index, name) in requested.iter().enumerate() {
        let Some(returned) = by_name
            .get_mut(&name.to_ascii_lowercase())
            .and_then(VecDeque::pop_front)
        else {
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

/// A server operation's answer (a list checked against [`crate::shape::SERVER_OPERATIONS`]) as JSON text, its
/// entries in the order of `requested` (see [`request_order`]), each named as the caller spelled its ID.
///
/// ```
/// use clc_wasm::{order::in_request_order, parsed::parse, validate::ServerIds};
/// let answer = parse(r#"[{"server":"wa1a","isQueued":true},{"server":"wa1b","isQueued":false}]"#).unwrap();
/// let ids = ServerIds::parse(["WA1B", "WA1A"])?;
/// assert_eq!(
///     in_request_order(answer, &ids),
///     r#"[{"server":"WA1B","isQueued":false},{"server":"WA1A","isQueued":true}]"#
/// );
/// # Ok::<(), clc_wasm::Error>(())
/// ```
pub fn in_request_order(answer: Value<'_>, requested: &ServerIds) -> String {
    let Value::List(mut items) = answer else {
        return answer.to_text();
    };
    let names: Vec<&str> = requested.iter().map(ServerId::as_str).collect();
    let placed = {
        let returned: Vec<&str> = items
            .iter()
            .map(|item| match (&item).field("server") {
                Some(Value::Text(name)) => name,
                _ => "",
            })
            .collect();
        request_order(&names, &returned)
    };
    let mut out = String::with_capacity(items.len() * 160);
    out.push('[');
    for (n, place) in placed.iter().enumerate() {
        let Some(item) = items.get_mut(place.returned) else {
            continue;
        };
        if let (Some(name), Value::Object(fields)) =
            (place.requested.and_then(|i| names.get(i)), &mut *item)
        {
            for (field, value) in fields.iter_mut() {
                if field == "server" {
                    *value = Value::Text(Cow::Owned(String::from(*name)));
                }
            }
        }
        if n > 0 {
            out.push(',');
        }
        item.write(&mut out);
    }
    out.push(']');
    out
}
