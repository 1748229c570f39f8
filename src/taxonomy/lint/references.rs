//! yamllint's rules on names: `key-duplicates` (a key twice in one mapping, the
//! merge key `<<` allowed) and `anchors` (an alias to no anchor declared before it in
//! the document).

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

use foldhash::fast::RandomState;

use super::Problem;
use super::tokens::{Kind, Token};
use crate::taxonomy::yaml::Prehashed;

/// Mappings with more keys than this look their keys up in a set.
const HASHED_FROM: usize = 16;

/// A key with its hash. A set of them grows without reading its keys again: on a
/// large mapping the keys' text is long out of the cache by then, and rehashing
/// it made the lint slower per key the more keys there were.
#[derive(PartialEq, Eq)]
struct HashedKey<'t> {
    hash: u64,
    key: &'t str,
}

impl Hash for HashedKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// The keys of one mapping, by their hashes.
type KeySet<'t> = HashSet<HashedKey<'t>, BuildHasherDefault<Prehashed>>;

/// The keys seen in one open mapping: where they start in [`KeyDuplicates::keys`],
/// and once there are many, a set of them.
struct MappingKeys<'t> {
    start: usize,
    set: Option<KeySet<'t>>,
}

/// The open collections, for `key-duplicates`: the keys seen in each mapping.
#[derive(Default)]
pub(super) struct KeyDuplicates<'t> {
    /// For each open collection, its keys; `None` for a sequence.
    stack: Vec<Option<MappingKeys<'t>>>,
    /// The keys of the open mappings, the innermost mapping's last.
    keys: Vec<&'t str>,
    /// What the keys' hashes are computed with.
    hashes: RandomState,
}

impl<'t> KeyDuplicates<'t> {
    /// Checks `token`, with `next` the token after it.
    pub fn check(&mut self, token: &Token, next: Option<&Token<'t>>, out: &mut Vec<Problem>) {
        match token.kind {
            Kind::BlockMappingStart | Kind::FlowMappingStart => {
                self.stack.push(Some(MappingKeys {
                    start: self.keys.len(),
                    set: None,
                }));
            }
            Kind::BlockSequenceStart | Kind::FlowSequenceStart => self.stack.push(None),
            Kind::BlockEnd | Kind::FlowMappingEnd | Kind::FlowSequenceEnd => {
                if let Some(Some(mapping)) = self.stack.pop() {
                    self.keys.truncate(mapping.start);
                }
            }
            Kind::Key => {
                let Some(key) = next.filter(|n| n.kind == Kind::Scalar) else {
                    return;
                };
                let Some(Some(mapping)) = self.stack.last_mut() else {
                    return;
                };
                let seen = &self.keys[mapping.start..];
                let value: &'t str = key.value;
                let hashed = |key: &'t str| HashedKey {
                    hash: self.hashes.hash_one(key),
                    key,
                };
                let duplicate = match &mapping.set {
                    Some(set) => set.contains(&hashed(value)),
                    None => seen.contains(&value),
                };
                if duplicate && value != "<<" {
                    out.push(Problem::new(
                        key.start.line() + 1,
                        key.start.column() + 1,
                        format!("duplication of key \"{}\" in mapping", key.value),
                    ));
                    return;
                }
                match &mut mapping.set {
                    Some(set) => {
                        set.insert(hashed(value));
                    }
                    None if seen.len() >= HASHED_FROM => {
                        let mut set: KeySet = seen.iter().map(|&key| hashed(key)).collect();
                        set.insert(hashed(value));
                        mapping.set = Some(set);
                    }
                    None => {}
                }
                self.keys.push(value);
            }
            _ => {}
        }
    }
}

/// The anchors declared so far in the document, for `anchors`.
#[derive(Default)]
pub(super) struct Anchors {
    declared: HashSet<String>,
}

impl Anchors {
    /// Checks `token`.
    pub fn check(&mut self, token: &Token, out: &mut Vec<Problem>) {
        match token.kind {
            Kind::StreamStart | Kind::DocumentStart | Kind::DocumentEnd => self.declared.clear(),
            Kind::Alias if !self.declared.contains(token.value) => out.push(Problem::new(
                token.start.line() + 1,
                token.start.column() + 1,
                format!("found undeclared alias \"{}\"", token.value),
            )),
            Kind::Anchor => {
                self.declared.insert(token.value.to_owned());
            }
            _ => {}
        }
    }
}
