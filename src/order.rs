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
use alloc::collections::VecDeque;

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
