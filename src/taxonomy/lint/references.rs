//! yamllint's rules on names: `key-duplicates` (a key twice in one mapping, the
//! merge key `<<` allowed) and `anchors` (an alias to no anchor declared before it in
//! the document).

use std::collections::HashSet;
use std::hash::BuildHasher;

use foldhash::fast::RandomState;

use super::Problem;
use super::tokens::{Kind, Token};
use crate::taxonomy::yaml::Positions;

/// Mappings with more keys than this look their keys up by hash.
const HASHED_FROM: usize = 16;

/// The keys seen in one open mapping: where they start in [`KeyDuplicates::keys`],
/// and once there are many, their places there by hash.
struct MappingKeys {
    start: usize,
    index: Option<Positions>,
}

/// The open collections, for `key-duplicates`: the keys seen in each mapping.
#[derive(Default)]
pub(super) struct KeyDuplicates<'t> {
    /// For each open collection, its keys; `None` for a sequence.
    stack: Vec<Option<MappingKeys>>,
    /// The keys of the open mappings, the innermost mapping's last.
    keys: Vec<&'t str>,
    /// What the keys' hashes are computed with.
    hashes: RandomState,
}

impl<'t> KeyDuplicates<'t> {
    /// Checks `token`, with `next` the token after it; for a key, `told` is whether
    /// an earlier key of its mapping has its text, when the maker of the tokens
    /// knows it (then the keys are not kept).
    pub fn check(
        &mut self,
        token: &Token,
        next: Option<&Token<'t>>,
        told: Option<bool>,
        out: &mut Vec<Problem>,
    ) {
        match token.kind {
            Kind::BlockMappingStart | Kind::FlowMappingStart => {
                self.stack.push(Some(MappingKeys {
                    start: self.keys.len(),
                    index: None,
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
                if let Some(repeats) = told {
                    if repeats && key.value != "<<" {
                        out.push(duplication(key));
                    }
                    return;
                }
                let Some(Some(mapping)) = self.stack.last_mut() else {
                    return;
                };
                let seen = &self.keys[mapping.start..];
                let value: &'t str = key.value;
                // A small mapping's keys are compared one by one, unhashed.
                let (duplicate, hash) = match &mapping.index {
                    Some(index) => {
                        let hash = self.hashes.hash_one(value);
                        let indexed = index.len();
                        let found = index.find(hash, |at| seen[at] == value).is_some()
                            || seen[indexed..].contains(&value);
                        (found, Some(hash))
                    }
                    None => (seen.contains(&value), None),
                };
                if duplicate && value != "<<" {
                    out.push(duplication(key));
                    return;
                }
                match (&mut mapping.index, hash) {
                    (Some(index), Some(hash)) => {
                        index.push(hash);
                    }
                    (None, _) if seen.len() >= HASHED_FROM => {
                        let mut index = Positions::with_capacity(2 * seen.len());
                        for &seen in seen.iter().chain([&value]) {
                            index.push(self.hashes.hash_one(seen));
                        }
                        mapping.index = Some(index);
                    }
                    _ => {}
                }
                self.keys.push(value);
            }
            _ => {}
        }
    }
}

/// The finding on a key scalar that repeats an earlier key of its mapping.
fn duplication(key: &Token) -> Problem {
    Problem::new(
        key.start.line() + 1,
        key.start.column() + 1,
        format!("duplication of key \"{}\" in mapping", key.value),
    )
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
