//! Python's equality of loaded values, with hashes that agree with it: duplicate
//! mapping keys (a dict's `1`, `1.0` and `True` are one key) and repeated items
//! (`uniqueItems`, where `True` and `1` differ) are found without comparing every
//! pair.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

use foldhash::fast::RandomState;

use super::node::{Entry, Node, NodeId, Value, scalar_eq};
use super::positions::Positions;

/// Maps smaller than this are searched one key at a time.
const INDEXED_FROM: usize = 8;

/// What a hash is computed with: one random seed per index, as `HashMap` does
/// (foldhash: a fifth of SipHash's time on a 100,000-key mapping).
#[derive(Clone, Default)]
pub(super) struct Hashes(RandomState);

/// The hasher of maps whose keys are already hashes (a `u64` written first): it
/// keeps them as they are instead of hashing them a second time, so that a growing
/// map does not read its keys again.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }
}

/// A map keyed by [`Hashes`] values.
type ByHash<V> = HashMap<u64, V, BuildHasherDefault<Prehashed>>;

impl Hashes {
    /// The hash of a node, equal for any two nodes `deep_eq` finds equal (with the
    /// same `strict_bool`); a mapping's hash does not depend on its order.
    pub fn of(&self, nodes: &[Node], id: NodeId, strict_bool: bool) -> u64 {
        let mut hasher = self.0.build_hasher();
        self.feed(nodes, id, strict_bool, &mut hasher);
        hasher.finish()
    }

    fn feed(&self, nodes: &[Node], id: NodeId, strict_bool: bool, hasher: &mut impl Hasher) {
        match &nodes[id].value {
            Value::Null => 0u8.hash(hasher),
            Value::Bool(b) if strict_bool => (1u8, *b).hash(hasher),
            Value::Bool(b) => number(hasher, i128::from(*b)),
            Value::Int(i) => number(hasher, *i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e38 => number(hasher, *f as i128),
            Value::Float(f) => (3u8, f.to_bits()).hash(hasher),
            Value::Str(s) => (4u8, s).hash(hasher),
            Value::Timestamp(s) => (5u8, s).hash(hasher),
            Value::Binary(s) => (6u8, s).hash(hasher),
            Value::BigInt(s) => (10u8, s).hash(hasher),
            Value::Seq(items) | Value::Tuple(items) => {
                // jsonschema compares a tuple with a list item by item.
                7u8.hash(hasher);
                items.len().hash(hasher);
                for &item in items {
                    self.feed(nodes, item, strict_bool, hasher);
                }
            }
            Value::Map(entries) => {
                8u8.hash(hasher);
                let sum = entries.iter().fold(0u64, |sum, entry| {
                    let key = self.of(nodes, entry.key, strict_bool);
                    let value = self.of(nodes, entry.value, strict_bool);
                    sum.wrapping_add(key ^ value.rotate_left(17))
                });
                (entries.len(), sum).hash(hasher);
            }
            Value::Set(members) => {
                9u8.hash(hasher);
                let sum = members.iter().fold(0u64, |sum, &member| {
                    sum.wrapping_add(self.of(nodes, member, strict_bool))
                });
                (members.len(), sum).hash(hasher);
            }
        }
    }
}

/// A number's hash: an integral float hashes as the integer it equals.
fn number(hasher: &mut impl Hasher, value: i128) {
    (2u8, value).hash(hasher);
}

/// Finds a mapping's keys by hash once it has more than a few.
#[derive(Default)]
pub(super) struct KeyIndex {
    hashes: Hashes,
    /// The indexed entries' places, by their keys' hashes.
    places: Positions,
    /// The key last looked up and its hash, which it is indexed with once added.
    looked_up: Option<(NodeId, u64)>,
}

impl KeyIndex {
    /// The place in `entries` of a key equal to `key` (as a Python dict compares
    /// them); `key` may then be added at the end of `entries`.
    pub fn find(&mut self, nodes: &[Node], entries: &[Entry], key: NodeId) -> Option<usize> {
        let same = |entry: &Entry| scalar_eq(&nodes[entry.key].value, &nodes[key].value, false);
        if entries.len() < INDEXED_FROM {
            return entries.iter().position(same);
        }
        for entry in &entries[self.places.len()..] {
            let hash = match self.looked_up {
                Some((looked_up, hash)) if looked_up == entry.key => hash,
                _ => self.hashes.of(nodes, entry.key, false),
            };
            if !self.places.push(hash) {
                break;
            }
        }
        let hash = self.hashes.of(nodes, key, false);
        self.looked_up = Some((key, hash));
        // Entries past the places a `u32` numbers (never in a leaf) are searched
        // one by one.
        let indexed = self.places.len();
        self.places
            .find(hash, |at| same(&entries[at]))
            .or_else(|| Some(indexed + entries[indexed..].iter().position(same)?))
    }
}

/// The first item of `items` equal to an earlier one, as (earlier, repeat), with
/// `equal` deciding equality among items of the same hash.
pub(super) fn first_repeat(
    nodes: &[Node],
    items: &[NodeId],
    equal: impl Fn(NodeId, NodeId) -> bool,
) -> Option<(usize, usize)> {
    let hashes = Hashes::default();
    let mut seen: ByHash<Vec<usize>> =
        ByHash::with_capacity_and_hasher(items.len(), Default::default());
    for (repeat, &item) in items.iter().enumerate() {
        let bucket = seen.entry(hashes.of(nodes, item, true)).or_default();
        if let Some(&earlier) = bucket.iter().find(|&&i| equal(items[i], item)) {
            return Some((earlier, repeat));
        }
        bucket.push(repeat);
    }
    None
}

/// Whether the mappings `x` and `y` hold equal entries, under `equal`, looking each
/// key of `x` up in `y` by hash.
pub(super) fn same_entries(
    nodes: &[Node],
    x: &[Entry],
    y: &[Entry],
    strict_bool: bool,
    equal: impl Fn(NodeId, NodeId) -> bool,
) -> bool {
    if x.len() != y.len() {
        return false;
    }
    let matches = |ex: &Entry, ey: &Entry| equal(ex.key, ey.key) && equal(ex.value, ey.value);
    if x.len() < INDEXED_FROM {
        return x.iter().all(|ex| y.iter().any(|ey| matches(ex, ey)));
    }
    let hashes = Hashes::default();
    let mut by_hash: ByHash<Vec<&Entry>> =
        ByHash::with_capacity_and_hasher(y.len(), Default::default());
    for ey in y {
        by_hash
            .entry(hashes.of(nodes, ey.key, strict_bool))
            .or_default()
            .push(ey);
    }
    x.iter().all(|ex| {
        by_hash
            .get(&hashes.of(nodes, ex.key, strict_bool))
            .is_some_and(|bucket| bucket.iter().any(|ey| matches(ex, ey)))
    })
}
