//! The document tree: an arena of nodes, each with its source span.

use super::keys;

/// Index of a node in its [`Document`].
pub type NodeId = usize;

/// A position in the source text, as PyYAML marks it: 1-based line and 1-based
/// character column (a byte-order mark takes none).
///
/// Kept in 32 bits each, so that a node takes 48 bytes rather than 64: a large
/// file's nodes are written once and read by every check after, and their size is
/// what misses the cache. A leaf file is far smaller than 4 GiB; a line or column
/// beyond that would be given as the largest 32-bit number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    line: u32,
    col: u32,
}

impl Position {
    /// The position at 1-based `line` and `col`.
    pub fn new(line: usize, col: usize) -> Self {
        let narrow = |value: usize| u32::try_from(value).unwrap_or(u32::MAX);
        Self {
            line: narrow(line),
            col: narrow(col),
        }
    }

    /// The 1-based line.
    pub fn line(self) -> usize {
        self.line as usize
    }

    /// The 1-based column, in characters.
    pub fn col(self) -> usize {
        self.col as usize
    }
}

/// The source range of a node: `start` inclusive, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Where the node starts.
    pub start: Position,
    /// Where the node ends.
    pub end: Position,
}

/// A resolved YAML value, typed as PyYAML's `SafeLoader` would type it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null`, or an empty value.
    Null,
    /// `true`, `yes`, `on`, ... (YAML 1.1).
    Bool(bool),
    /// An integer that fits in 128 bits.
    Int(i128),
    /// A larger integer (Python's have no bound), in decimal with its sign.
    BigInt(String),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A date or timestamp (`2024-01-31`), kept in its source form.
    Timestamp(String),
    /// `!!binary` data, kept in its source form.
    Binary(String),
    /// A sequence of nodes.
    Seq(Vec<NodeId>),
    /// A mapping, in source order, duplicate keys already collapsed (the last value
    /// wins at the first key's place, like a Python dict).
    Map(Vec<Entry>),
    /// A `!!set`: the keys of its mapping (a Python set, which JSON has no type for).
    Set(Vec<NodeId>),
    /// A key and its value, as an `!!omap` or `!!pairs` item (a Python tuple,
    /// which JSON has no type for).
    Tuple(Vec<NodeId>),
}

/// One key-value pair of a mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The key node.
    pub key: NodeId,
    /// The value node.
    pub value: NodeId,
}

/// One node: its value and where it is in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The resolved value.
    pub value: Value,
    /// The source range.
    pub span: Span,
}

/// A parsed YAML document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub(super) nodes: Vec<Node>,
    pub(super) root: Option<NodeId>,
}

impl Document {
    /// The top-level node, or `None` for an empty stream.
    pub fn root(&self) -> Option<&Node> {
        self.root.map(|id| &self.nodes[id])
    }

    /// The id of the top-level node.
    pub fn root_id(&self) -> Option<NodeId> {
        self.root
    }

    /// The node with this id.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// The value of `key` in the mapping `map`, if `map` is a mapping holding a
    /// string key `key`.
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.entries(map)
            .iter()
            .find(|entry| self.str_value(entry.key) == Some(key))
            .map(|entry| entry.value)
    }

    /// The values of each of `keys` in the mapping `map`, as [`Document::get`] finds
    /// them, in one pass over its entries: a large mapping's nodes are out of the
    /// cache, and each pass for a missing key reads them all again.
    pub fn get_all<const N: usize>(&self, map: NodeId, keys: [&str; N]) -> [Option<NodeId>; N] {
        let mut found = [None; N];
        let mut missing = N;
        for entry in self.entries(map) {
            let Some(key) = self.str_value(entry.key) else {
                continue;
            };
            for (at, wanted) in keys.iter().enumerate() {
                if *wanted == key && found[at].is_none() {
                    found[at] = Some(entry.value);
                    missing -= 1;
                }
            }
            if missing == 0 {
                break;
            }
        }
        found
    }

    /// The entries of a mapping node (empty for any other node).
    pub fn entries(&self, id: NodeId) -> &[Entry] {
        match &self.nodes[id].value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items of a sequence node (empty for any other node).
    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match &self.nodes[id].value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The string of a string node.
    pub fn str_value(&self, id: NodeId) -> Option<&str> {
        match &self.nodes[id].value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the top-level value is "falsy" as Python sees it (`None`, `false`,
    /// `0`, `""`, `[]`, `{}`): upstream reports such a file as empty.
    pub fn is_falsy(&self) -> bool {
        match self.root().map(|node| &node.value) {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => !b,
            Some(Value::Int(i)) => *i == 0,
            Some(Value::Float(f)) => *f == 0.0,
            Some(Value::Str(s) | Value::Binary(s)) => s.is_empty(),
            Some(Value::Seq(items) | Value::Set(items) | Value::Tuple(items)) => items.is_empty(),
            Some(Value::Map(entries)) => entries.is_empty(),
            Some(Value::Timestamp(_) | Value::BigInt(_)) => false,
        }
    }

    /// The first of `items` that equals an earlier one as jsonschema's `uniqueItems`
    /// compares them (`True` and `1` differ): (earlier, repeat) indices.
    pub fn first_repeat(&self, items: &[NodeId]) -> Option<(usize, usize)> {
        keys::first_repeat(&self.nodes, items, |a, b| self.deep_eq(a, b, true))
    }

    /// Deep equality of two nodes with Python's semantics (`1 == 1.0`,
    /// `True == 1` for keys but not for JSON-schema comparisons: see `strict_bool`,
    /// under which a tuple also equals the list of the same items, as jsonschema
    /// compares them).
    pub fn deep_eq(&self, a: NodeId, b: NodeId, strict_bool: bool) -> bool {
        if a == b {
            return true;
        }
        let equal = |i: NodeId, j: NodeId| self.deep_eq(i, j, strict_bool);
        match (&self.nodes[a].value, &self.nodes[b].value) {
            (Value::Seq(x), Value::Seq(y)) | (Value::Tuple(x), Value::Tuple(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(&i, &j)| equal(i, j))
            }
            (Value::Seq(x), Value::Tuple(y)) | (Value::Tuple(x), Value::Seq(y)) if strict_bool => {
                x.len() == y.len() && x.iter().zip(y).all(|(&i, &j)| equal(i, j))
            }
            (Value::Map(x), Value::Map(y)) => {
                keys::same_entries(&self.nodes, x, y, strict_bool, equal)
            }
            (Value::Set(x), Value::Set(y)) => {
                // Set members compare as Python does, `True` equal to `1`.
                let as_entries = |members: &[NodeId]| -> Vec<Entry> {
                    members
                        .iter()
                        .map(|&m| Entry { key: m, value: m })
                        .collect()
                };
                keys::same_entries(
                    &self.nodes,
                    &as_entries(x),
                    &as_entries(y),
                    false,
                    |i, j| self.deep_eq(i, j, false),
                )
            }
            (x, y) => scalar_eq(x, y, strict_bool),
        }
    }
}

/// A number as Python compares it with others: an integer, or a float that is
/// not one.
#[derive(PartialEq)]
enum Number {
    Integer(i128),
    Float(f64),
}

fn number(value: &Value, strict_bool: bool) -> Option<Number> {
    match value {
        Value::Int(i) => Some(Number::Integer(*i)),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e38 => Some(Number::Integer(*f as i128)),
        Value::Float(f) => Some(Number::Float(*f)),
        Value::Bool(b) if !strict_bool => Some(Number::Integer(i128::from(*b))),
        _ => None,
    }
}

/// Scalar equality with Python's semantics (an integer equals a float exactly
/// when their values are equal); `strict_bool` keeps `True` and `1` apart, as
/// JSON-schema comparisons do.
pub(super) fn scalar_eq(x: &Value, y: &Value, strict_bool: bool) -> bool {
    match (x, y) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Str(a), Value::Str(b))
        | (Value::Timestamp(a), Value::Timestamp(b))
        | (Value::Binary(a), Value::Binary(b))
        | (Value::BigInt(a), Value::BigInt(b)) => a == b,
        _ => match (number(x, strict_bool), number(y, strict_bool)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{Node, Position, Span};
    use crate::taxonomy::yaml::load;

    #[test]
    fn a_node_takes_48_bytes() {
        // A large file's nodes are written once and read by every check after:
        // their size is what misses the cache (64 bytes with positions of two
        // `usize`).
        assert_eq!(std::mem::size_of::<Span>(), 16);
        assert_eq!(std::mem::size_of::<Node>(), 48);
    }

    #[test]
    fn a_position_beyond_32_bits_is_given_as_the_largest() {
        let far = Position::new(usize::MAX, 7);
        assert_eq!((far.line(), far.col()), (u32::MAX as usize, 7));
    }

    #[test]
    fn get_all_finds_what_get_finds() {
        let doc = load("1: one\nb: x\na: y\n'2': two\nempty:\n").expect("valid YAML");
        let root = doc.root_id().expect("a root");
        let keys = ["a", "1", "2", "missing", "b", "empty", "a"];
        let each = keys.map(|key| doc.get(root, key));
        assert_eq!(doc.get_all(root, keys), each);
        assert_eq!(each[2].map(|id| doc.str_value(id)), Some(Some("two")));
        assert_eq!(each[1], None, "an integer key is not the string '1'");
    }
}
