//! The per-key index of a large mapping, for the builder's duplicate keys and the
//! lint's `key-duplicates`: a table of the keys' positions found by their hashes.
//!
//! Each key is looked up at a random place in the table, once per key: the table
//! holds only a 4-byte position (about 0.6 MB with its control bytes at 100,000
//! keys) so that it stays in a core's 1 MiB L2 cache, where a table of hashes and
//! keys (24 bytes an entry) did not and made each key cost more the more keys
//! there were. The keys' hashes are kept apart in the order they came, read only
//! when the table grows, so that growing does not read the keys again.

use hashbrown::HashTable;

/// The positions of the items of a list, by the items' hashes; the caller keeps the
/// items and says which of them equals the one it looks for.
#[derive(Default)]
pub(crate) struct Positions {
    table: HashTable<u32>,
    /// The hash of the item at each position.
    hashes: Vec<u64>,
}

impl Positions {
    /// An empty index with room for `capacity` items.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            table: HashTable::with_capacity(capacity),
            hashes: Vec::with_capacity(capacity),
        }
    }

    /// How many items are indexed: those at positions `0..len()`.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// The position of an indexed item of hash `hash` for which `equal` (given a
    /// position) holds; `equal` is asked only about items of that hash, and of any
    /// two that are equal the one it is asked about first is not defined.
    pub fn find(&self, hash: u64, mut equal: impl FnMut(usize) -> bool) -> Option<usize> {
        self.table
            .find(hash, |&at| equal(at as usize))
            .map(|&at| at as usize)
    }

    /// Indexes the item at position [`Positions::len`], whose hash is `hash`; false,
    /// indexing nothing, past the positions a `u32` holds (the caller looks at the
    /// items from `len()` on itself).
    pub fn push(&mut self, hash: u64) -> bool {
        let Ok(at) = u32::try_from(self.hashes.len()) else {
            return false;
        };
        self.hashes.push(hash);
        let hashes = &self.hashes;
        self.table
            .insert_unique(hash, at, |&at| hashes[at as usize]);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::Positions;

    /// A deliberately poor hash, so that different items share hashes.
    fn hash(item: &str) -> u64 {
        item.len() as u64
    }

    fn index(items: &[&str]) -> Positions {
        let mut positions = Positions::default();
        for item in items {
            assert!(positions.push(hash(item)));
        }
        positions
    }

    #[test]
    fn finds_each_item_among_others_of_the_same_hash() {
        let items: Vec<String> = (0..10_000).map(|i| format!("key {i}")).collect();
        let items: Vec<&str> = items.iter().map(String::as_str).collect();
        let positions = index(&items);
        assert_eq!(positions.len(), items.len());
        for (at, item) in items.iter().enumerate() {
            let found = positions.find(hash(item), |other| items[other] == *item);
            assert_eq!(found, Some(at), "{item}");
        }
        let absent = "key 10000";
        assert_eq!(positions.find(hash(absent), |at| items[at] == absent), None);
    }

    #[test]
    fn equal_asks_only_about_items_of_the_same_hash() {
        let items = ["a", "bb", "cc", "ddd"];
        let positions = index(&items);
        let mut asked = Vec::new();
        let found = positions.find(hash("cc"), |at| {
            asked.push(items[at]);
            items[at] == "cc"
        });
        assert_eq!(found, Some(2));
        assert!(asked.iter().all(|item| item.len() == 2), "{asked:?}");
    }

    #[test]
    fn a_presized_index_grows_past_its_room() {
        let mut positions = Positions::with_capacity(2);
        let items = ["x", "y", "z", "w", "v"];
        for item in items {
            assert!(positions.push(u64::from(item.as_bytes()[0])));
        }
        for (at, item) in items.iter().enumerate() {
            let hash = u64::from(item.as_bytes()[0]);
            assert_eq!(
                positions.find(hash, |other| items[other] == *item),
                Some(at)
            );
        }
    }
}
