//! The document tree: an arena of nodes, each with its source span.

/// Index of a node in its [`Document`].
pub type NodeId = usize;

/// A position in the source text: 1-based line, 1-based character column, and
/// the character offset from the start of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// 0-based offset, in characters.
    pub offset: usize,
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
            Some(Value::Seq(items)) => items.is_empty(),
            Some(Value::Map(entries)) => entries.is_empty(),
            Some(Value::Timestamp(_)) => false,
        }
    }

    /// Deep equality of two nodes with Python's semantics (`1 == 1.0`,
    /// `True == 1` for keys but not for JSON-schema comparisons: see `strict_bool`).
    pub fn deep_eq(&self, a: NodeId, b: NodeId, strict_bool: bool) -> bool {
        if a == b {
            return true;
        }
        match (&self.nodes[a].value, &self.nodes[b].value) {
            (Value::Seq(x), Value::Seq(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|(&i, &j)| self.deep_eq(i, j, strict_bool))
            }
            (Value::Map(x), Value::Map(y)) => {
                x.len() == y.len()
                    && x.iter().all(|ex| {
                        y.iter().any(|ey| {
                            self.deep_eq(ex.key, ey.key, strict_bool)
                                && self.deep_eq(ex.value, ey.value, strict_bool)
                        })
                    })
            }
            (x, y) => scalar_eq(x, y, strict_bool),
        }
    }
}

/// Scalar equality with Python's semantics; `strict_bool` keeps `True` and `1`
/// apart, as JSON-schema comparisons do.
pub(super) fn scalar_eq(x: &Value, y: &Value, strict_bool: bool) -> bool {
    let number = |v: &Value| match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Bool(b) if !strict_bool => Some(f64::from(u8::from(*b))),
        _ => None,
    };
    match (x, y) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Int(a), Value::Int(b)) => a == b,
        (Value::Str(a), Value::Str(b))
        | (Value::Timestamp(a), Value::Timestamp(b))
        | (Value::Binary(a), Value::Binary(b)) => a == b,
        _ => match (number(x), number(y)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
    }
}
