//! A map and a set kept as sorted vectors, with the part of `BTreeMap`'s and `BTreeSet`'s API the crate uses.
//!
//! Why not the B-trees: each key and value type monomorphizes the B-tree's node code again, and the dozen
//! instantiations the session policies need cost about 90 KB of wasm before wasm-opt, doubling the package.
//! A sorted vector is one binary search and a `Vec::insert`/`remove` per change: O(log n) to find, O(n) to
//! insert, which for the tables here (tickets and wait IDs that only grow, job tables of a few thousand) is
//! memmove-fast, and its code is a few hundred bytes per instantiation.
//!
//! ```
//! use clc_wasm::sorted::{Map, Set};
//! let mut map = Map::new();
//! map.insert(2, "b");
//! map.insert(1, "a");
//! assert_eq!(map.get(&1), Some(&"a"));
//! assert_eq!(map.iter().map(|(k, _)| *k).collect::<Vec<_>>(), [1, 2]);
//! let mut set = Set::new();
//! set.insert(3);
//! set.insert(1);
//! assert_eq!(set.take_while(|k| *k < 2), [1]);
//! ```

use crate::prelude::*;

/// A map ordered by key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Map<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Map {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> Map<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    fn find(&self, key: &K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.cmp(key))
    }

    /// The value of `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        let at = self.find(key).ok()?;
        self.entries.get(at).map(|(_, v)| v)
    }

    /// The value of `key`, to change.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let at = self.find(key).ok()?;
        self.entries.get_mut(at).map(|(_, v)| v)
    }

    /// Whether `key` is there.
    pub fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }

    /// Sets `key` to `value`; the value it had, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(at) => self
                .entries
                .get_mut(at)
                .map(|(_, v)| core::mem::replace(v, value)),
            Err(at) => {
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    /// Takes `key` out; its value, if it was there.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let at = self.find(key).ok()?;
        Some(self.entries.remove(at).1)
    }

    /// Keeps only the entries `keep` holds for.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// The place of `key`, to fill if empty.
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        Entry { map: self, key }
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A place in a [`Map`].
pub struct Entry<'a, K, V> {
    map: &'a mut Map<K, V>,
    key: K,
}

impl<'a, K: Ord, V> Entry<'a, K, V> {
    /// The value, after inserting `make(&key)` if there was none.
    pub fn or_insert_with_key(self, make: impl FnOnce(&K) -> V) -> &'a mut V {
        let at = match self.map.find(&self.key) {
            Ok(at) => at,
            Err(at) => {
                let value = make(&self.key);
                self.map.entries.insert(at, (self.key, value));
                at
            }
        };
        // `at` is in bounds: it was found, or just filled.
        &mut self.map.entries[at].1
    }

    /// The value, after inserting `make()` if there was none.
    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'a mut V {
        self.or_insert_with_key(|_| make())
    }

    /// The value, after inserting the default if there was none.
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with_key(|_| V::default())
    }
}

/// A set kept in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Set<K> {
    items: Vec<K>,
}

impl<K> Default for Set<K> {
    fn default() -> Self {
        Set { items: Vec::new() }
    }
}

impl<K: Ord> Set<K> {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key`; whether it was new.
    pub fn insert(&mut self, key: K) -> bool {
        match self.items.binary_search(&key) {
            Ok(_) => false,
            Err(at) => {
                self.items.insert(at, key);
                true
            }
        }
    }

    /// Takes `key` out; whether it was there.
    pub fn remove(&mut self, key: &K) -> bool {
        match self.items.binary_search(key) {
            Ok(at) => {
                self.items.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    /// Whether `key` is there.
    pub fn contains(&self, key: &K) -> bool {
        self.items.binary_search(key).is_ok()
    }

    /// The smallest item.
    pub fn first(&self) -> Option<&K> {
        self.items.first()
    }

    /// Takes out the smallest items while `due` holds for them, smallest first (`due` must hold for a prefix
    /// only, as `item <= bound` does). One move of the rest, however many are taken.
    pub fn take_while(&mut self, due: impl FnMut(&K) -> bool) -> Vec<K> {
        let at = self.items.partition_point(due);
        let rest = self.items.split_off(at);
        core::mem::replace(&mut self.items, rest)
    }

    /// Keeps only the items `keep` holds for.
    pub fn retain(&mut self, keep: impl FnMut(&K) -> bool) {
        self.items.retain(keep);
    }

    /// The items in order.
    pub fn iter(&self) -> impl Iterator<Item = &K> {
        self.items.iter()
    }

    /// How many items there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
