//! Loads a YAML document as `yaml.safe_load` does: the events of PyYAML's parser,
//! composed as PyYAML's composer does (one document; an anchor declared once, an
//! alias to a declared anchor), then constructed as `SafeConstructor` does (YAML 1.1
//! resolution, tags, merge keys, Python dict keys), on a tree that keeps each node's
//! PyYAML marks.

use std::collections::{HashMap, HashSet};

use bumpalo::Bump;
use thiserror::Error;

use super::keys::KeyIndex;
use super::node::{Document, Entry, Node, NodeId, Position, Span, Value};
use super::parser::{Event, EventKind, Parser};
use super::reader::check_printable;
use super::repr::str_repr;
use super::resolve::{self, CORE_TAG, ScalarKind, tagged_kind};
use super::scanner::SyntaxProblem;
use super::token::Mark;

/// How many nodes aliases may add to a document (each use of an alias counting
/// every node it stands for) before it is refused: a "billion laughs" alias bomb
/// otherwise takes exponential time and memory.
const MAX_ALIAS_EXPANSION: u64 = 1_000_000;

/// How deeply collections may nest. PyYAML's recursive composer fails at about
/// 490 levels; taxon's own recursion (comparisons, messages) is kept to this.
const MAX_DEPTH: usize = 1000;

/// Why a YAML text could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{line}:{col}: {message}")]
pub struct LoadError {
    /// Whether the text is not YAML at all (a syntax error) or is YAML that
    /// `safe_load` refuses to compose or construct.
    pub kind: LoadErrorKind,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// What went wrong.
    pub message: String,
}

/// The two families of load errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// PyYAML's reader, scanner or parser rejects the text (yamllint reports these
    /// as `syntax`).
    Syntax,
    /// The text parses but cannot be turned into values (several documents, an
    /// undefined or duplicate anchor, a bad tag, an unhashable key; and taxon's
    /// own limits: recursive aliases, alias bombs, deep nesting).
    Construct,
}

impl LoadError {
    fn at(kind: LoadErrorKind, position: Position, message: impl Into<String>) -> Self {
        Self {
            kind,
            line: position.line(),
            col: position.col(),
            message: message.into(),
        }
    }

    fn construct(position: Position, message: impl Into<String>) -> Self {
        Self::at(LoadErrorKind::Construct, position, message)
    }
}

impl From<SyntaxProblem> for LoadError {
    fn from(problem: SyntaxProblem) -> Self {
        Self::at(
            LoadErrorKind::Syntax,
            position(problem.mark),
            problem.problem,
        )
    }
}

/// The 1-based position of a PyYAML mark.
pub(crate) fn position(mark: Mark) -> Position {
    Position::new(mark.line() + 1, mark.column() + 1)
}

/// The span between two PyYAML marks.
pub(crate) fn span(start: Mark, end: Mark) -> Span {
    Span {
        start: position(start),
        end: position(end),
    }
}

/// Loads one YAML document as `yaml.safe_load` would.
///
/// An empty stream gives a document without a root.
pub fn load(text: &str) -> Result<Document, LoadError> {
    check_printable(text).map_err(|bad| LoadError {
        kind: LoadErrorKind::Syntax,
        line: bad.line,
        col: bad.col,
        message: format!(
            "unacceptable character #x{:04x}: special characters are not allowed",
            u32::from(bad.character)
        ),
    })?;
    let arena = Bump::new();
    let mut parser = Parser::new(text, &arena);
    let mut builder = Builder::for_text(text.len());
    // The stream start, then a document unless the stream ends.
    parser.get_event()?;
    if !matches!(
        parser.peek_event()?,
        Some(Event {
            kind: EventKind::StreamEnd,
            ..
        })
    ) {
        compose_document(&mut parser, &mut builder)?;
    }
    if let Some(event) = parser.get_event()?
        && event.kind != EventKind::StreamEnd
    {
        return Err(LoadError::construct(
            position(event.start),
            "expected a single document in the stream, but found another document",
        ));
    }
    builder.finish()
}

/// Composes the document whose start event is next.
fn compose_document(parser: &mut Parser<'_>, builder: &mut Builder) -> Result<(), LoadError> {
    parser.get_event()?;
    while !builder.is_complete() {
        let Some(event) = parser.get_event()? else {
            break;
        };
        let at = span(event.start, event.end);
        match event.kind {
            EventKind::Scalar {
                properties,
                implicit,
                value,
                ..
            } => builder.scalar(
                &value,
                implicit,
                properties.anchor.as_deref(),
                properties.tag.as_deref(),
                at,
            )?,
            EventKind::SequenceStart(properties) => builder.start(
                false,
                properties.anchor.as_deref(),
                properties.tag.as_deref(),
                at,
            )?,
            EventKind::MappingStart(properties) => builder.start(
                true,
                properties.anchor.as_deref(),
                properties.tag.as_deref(),
                at,
            )?,
            EventKind::SequenceEnd | EventKind::MappingEnd => builder.end(at)?,
            EventKind::Alias(anchor) => builder.alias(&anchor, at)?,
            EventKind::StreamStart
            | EventKind::StreamEnd
            | EventKind::DocumentStart
            | EventKind::DocumentEnd => {}
        }
    }
    // The document end.
    parser.get_event()?;
    Ok(())
}

/// What a collection is built as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Map,
    Seq,
    /// `!!set`: a mapping whose keys are kept.
    Set,
    /// `!!omap` or `!!pairs`: a sequence of one-entry mappings, kept as tuples.
    Pairs,
}

/// A collection being built: its node, its items or entries so far, and for a
/// mapping the key waiting for its value, with the place of an earlier entry whose
/// key equals it (looked up as soon as the key is read).
struct Open {
    id: NodeId,
    shape: Shape,
    items: Vec<NodeId>,
    pending_key: Option<NodeId>,
    pending_place: Option<usize>,
    entries: Vec<Entry>,
    keys: KeyIndex,
    merges: Vec<NodeId>,
}

/// Builds a [`Document`] from parser events with `safe_load` semantics; `load` feeds
/// it the parser's events, the fast path its own.
#[derive(Default)]
pub(crate) struct Builder {
    nodes: Vec<Node>,
    /// Expanded size of each node (aliases counted every time they are used).
    weight: Vec<u64>,
    /// The open collections, outermost first (so their ids increase).
    open: Vec<Open>,
    anchors: HashMap<String, NodeId>,
    root: Option<NodeId>,
    /// The merge-key (`<<`) scalars.
    merge_keys: HashSet<NodeId>,
    /// Nodes that aliases have added so far.
    alias_expansion: u64,
    /// The first error of construction, which PyYAML raises only once the whole
    /// stream is parsed and composed.
    deferred: Option<LoadError>,
}

impl Builder {
    /// A builder with room for the nodes of a text of `len` bytes, as leaf files
    /// are written (a node for every 32 bytes or so), up to a few thousand.
    pub(crate) fn for_text(len: usize) -> Self {
        Self::with_room((len / 32 + 8).min(4096))
    }

    /// A builder with room for `nodes` nodes.
    pub(crate) fn with_room(nodes: usize) -> Self {
        Self {
            nodes: Vec::with_capacity(nodes),
            weight: Vec::with_capacity(nodes),
            ..Self::default()
        }
    }

    /// Whether the document's root is complete.
    fn is_complete(&self) -> bool {
        self.root.is_some()
    }

    fn push(&mut self, value: Value, at: Span) -> NodeId {
        self.nodes.push(Node { value, span: at });
        self.weight.push(1);
        self.nodes.len() - 1
    }

    /// Keeps the first construction error.
    fn defer(&mut self, position: Position, message: impl Into<String>) {
        if self.deferred.is_none() {
            self.deferred = Some(LoadError::construct(position, message));
        }
    }

    /// The composer's check of a node's anchor, before the node is built.
    fn check_anchor(&self, anchor: Option<&str>, at: Span) -> Result<(), LoadError> {
        if let Some(first) = anchor.and_then(|name| self.anchors.get(name)) {
            let first = self.nodes[*first].span.start;
            return Err(LoadError::construct(
                at.start,
                format!(
                    "found duplicate anchor {}; first occurrence at line {}, column {}",
                    str_repr(anchor.unwrap_or_default()),
                    first.line(),
                    first.col()
                ),
            ));
        }
        Ok(())
    }

    fn register(&mut self, anchor: Option<&str>, id: NodeId) {
        if let Some(name) = anchor {
            self.anchors.insert(name.to_owned(), id);
        }
    }

    /// A scalar event: `text` with its tag, resolved from the text when `implicit`
    /// (a plain scalar, or the tag `!`), as `safe_load` resolves it.
    pub(crate) fn scalar(
        &mut self,
        text: &str,
        implicit: bool,
        anchor: Option<&str>,
        tag: Option<&str>,
        at: Span,
    ) -> Result<(), LoadError> {
        self.check_anchor(anchor, at)?;
        let kind = match tag {
            None | Some("!") if implicit => Ok(resolve::resolve_plain(text)),
            None | Some("!") => Ok(ScalarKind::Str),
            Some(tag) => tagged_kind(tag),
        };
        let value = match kind {
            Ok(kind) => resolve::construct(kind, text).unwrap_or_else(|e| {
                self.defer(at.start, e.0);
                Value::Null
            }),
            Err(ref problem) => {
                self.defer(at.start, problem.for_node("scalar"));
                Value::Null
            }
        };
        let id = self.push(value, at);
        if kind == Ok(ScalarKind::Merge) {
            self.merge_keys.insert(id);
        }
        self.register(anchor, id);
        self.attach(id)
    }

    /// The start of a mapping (`is_map`) or a sequence.
    pub(crate) fn start(
        &mut self,
        is_map: bool,
        anchor: Option<&str>,
        tag: Option<&str>,
        at: Span,
    ) -> Result<(), LoadError> {
        self.check_anchor(anchor, at)?;
        if self.open.len() >= MAX_DEPTH {
            return Err(LoadError::construct(
                at.start,
                format!("collections nest more than {MAX_DEPTH} levels deep here"),
            ));
        }
        let node = if is_map { "mapping" } else { "sequence" };
        let default = if is_map { Shape::Map } else { Shape::Seq };
        let shape = match tag.map(|tag| tag.strip_prefix(CORE_TAG).ok_or(tag)) {
            None | Some(Err("!")) => default,
            Some(Ok("map")) if is_map => Shape::Map,
            Some(Ok("set")) if is_map => Shape::Set,
            Some(Ok("seq")) if !is_map => Shape::Seq,
            Some(Ok("omap" | "pairs")) if !is_map => Shape::Pairs,
            Some(Ok("map" | "set")) => {
                self.defer(at.start, "expected a mapping node, but found sequence");
                default
            }
            Some(Ok("seq")) => {
                self.defer(at.start, "expected a sequence node, but found mapping");
                default
            }
            Some(Ok("omap" | "pairs")) => {
                self.defer(at.start, "expected a sequence, but found mapping");
                default
            }
            Some(_) => {
                let message = match tag.map(tagged_kind) {
                    Some(Err(problem)) => problem.for_node(node),
                    _ => format!("expected a scalar node, but found {node}"),
                };
                self.defer(at.start, message);
                default
            }
        };
        let placeholder = if is_map {
            Value::Map(Vec::new())
        } else {
            Value::Seq(Vec::new())
        };
        let id = self.push(placeholder, at);
        self.register(anchor, id);
        self.open.push(Open {
            id,
            shape,
            items: Vec::new(),
            pending_key: None,
            pending_place: None,
            entries: Vec::new(),
            keys: KeyIndex::default(),
            merges: Vec::new(),
        });
        Ok(())
    }

    /// The end of the innermost open collection.
    pub(crate) fn end(&mut self, at: Span) -> Result<(), LoadError> {
        let Some(open) = self.open.pop() else {
            return Ok(());
        };
        let id = open.id;
        let weigh = |acc: u64, child: NodeId| acc.saturating_add(self.weight[child]);
        self.weight[id] = match open.shape {
            Shape::Map | Shape::Set => open
                .entries
                .iter()
                .flat_map(|e| [e.key, e.value])
                .fold(1, weigh),
            Shape::Seq | Shape::Pairs => open.items.iter().copied().fold(1, weigh),
        };
        self.nodes[id].span.end = at.end;
        self.nodes[id].value = match open.shape {
            Shape::Map => Value::Map(self.merge(open.entries, &open.merges)),
            Shape::Set => {
                let entries = self.merge(open.entries, &open.merges);
                Value::Set(entries.iter().map(|entry| entry.key).collect())
            }
            Shape::Seq => Value::Seq(open.items),
            Shape::Pairs => {
                for &item in &open.items {
                    self.make_pair(item);
                }
                Value::Seq(open.items)
            }
        };
        self.attach(id)
    }

    /// An `!!omap` or `!!pairs` item: a mapping of one entry, made a tuple.
    fn make_pair(&mut self, item: NodeId) {
        let start = self.nodes[item].span.start;
        match &self.nodes[item].value {
            Value::Map(entries) if entries.len() == 1 => {
                let Entry { key, value } = entries[0];
                self.nodes[item].value = Value::Tuple(vec![key, value]);
            }
            Value::Map(entries) => {
                let message = format!(
                    "expected a single mapping item, but found {} items",
                    entries.len()
                );
                self.defer(start, message);
            }
            other => {
                let found = if matches!(other, Value::Seq(_)) {
                    "sequence"
                } else {
                    "scalar"
                };
                self.defer(
                    start,
                    format!("expected a mapping of length 1, but found {found}"),
                );
            }
        }
    }

    /// An alias to the node anchored as `anchor`.
    fn alias(&mut self, anchor: &str, at: Span) -> Result<(), LoadError> {
        let Some(&target) = self.anchors.get(anchor) else {
            return Err(LoadError::construct(
                at.start,
                format!("found undefined alias {}", str_repr(anchor)),
            ));
        };
        if self
            .open
            .binary_search_by_key(&target, |open| open.id)
            .is_ok()
        {
            return Err(LoadError::construct(
                at.start,
                "found a recursive alias (a collection that contains itself)",
            ));
        }
        self.alias_expansion = self.alias_expansion.saturating_add(self.weight[target]);
        if self.alias_expansion > MAX_ALIAS_EXPANSION {
            return Err(LoadError::construct(
                at.start,
                format!(
                    "aliases add more than {MAX_ALIAS_EXPANSION} nodes to this document \
                     (an alias bomb?)"
                ),
            ));
        }
        self.attach(target)
    }

    /// Adds a finished node to the collection being built, or makes it the root.
    fn attach(&mut self, id: NodeId) -> Result<(), LoadError> {
        let is_key = self
            .open
            .last()
            .is_some_and(|open| open.shape.is_map() && open.pending_key.is_none());
        if !is_key && self.merge_keys.contains(&id) {
            // `<<` merges only as a key; anywhere else PyYAML cannot construct it.
            let start = self.nodes[id].span.start;
            self.defer(
                start,
                "could not determine a constructor for the tag 'tag:yaml.org,2002:merge'",
            );
        }
        let Some(open) = self.open.last_mut() else {
            self.root = Some(id);
            return Ok(());
        };
        if !open.shape.is_map() {
            open.items.push(id);
            return Ok(());
        }
        let unhashable = |key: NodeId| {
            matches!(
                self.nodes[key].value,
                Value::Map(_) | Value::Seq(_) | Value::Set(_)
            )
        };
        let Some(key) = open.pending_key.take() else {
            open.pending_key = Some(id);
            open.pending_place = None;
            if !self.merge_keys.contains(&id) && !unhashable(id) {
                open.pending_place = open.keys.find(&self.nodes, &open.entries, id);
            }
            return Ok(());
        };
        if self.merge_keys.contains(&key) {
            open.merges.push(id);
            return Ok(());
        }
        if unhashable(key) {
            let start = self.nodes[key].span.start;
            self.defer(start, "while constructing a mapping, found unhashable key");
            return Ok(());
        }
        match open.pending_place.take() {
            Some(at) => open.entries[at].value = id,
            None => open.entries.push(Entry { key, value: id }),
        }
        Ok(())
    }

    /// The key just read in the innermost mapping, still waiting for its value, and
    /// whether it equals an earlier key of that mapping (as a Python dict compares
    /// them).
    pub(crate) fn pending_key(&self) -> Option<(&Value, bool)> {
        let open = self.open.last()?;
        let key = open.pending_key?;
        Some((&self.nodes[key].value, open.pending_place.is_some()))
    }

    /// Applies merge keys (`<<: *base`) the way `SafeConstructor.flatten_mapping` does:
    /// merged entries come first and the mapping's own keys win.
    fn merge(&mut self, own: Vec<Entry>, merges: &[NodeId]) -> Vec<Entry> {
        if merges.is_empty() {
            return own;
        }
        let mut merged: Vec<Entry> = Vec::new();
        let mut index = KeyIndex::default();
        let mut add = |nodes: &[Node], entries: &[Entry], merged: &mut Vec<Entry>| {
            for entry in entries {
                match index.find(nodes, merged, entry.key) {
                    Some(at) => merged[at].value = entry.value,
                    None => merged.push(*entry),
                }
            }
        };
        for &source in merges {
            let sources: Vec<NodeId> = match &self.nodes[source].value {
                Value::Map(_) => vec![source],
                Value::Seq(items) => items.iter().rev().copied().collect(),
                _ => {
                    let start = self.nodes[source].span.start;
                    self.defer(
                        start,
                        "while constructing a mapping, expected a mapping or list of mappings for merging",
                    );
                    continue;
                }
            };
            for item in sources {
                match &self.nodes[item].value {
                    Value::Map(entries) => add(&self.nodes, entries, &mut merged),
                    _ => {
                        let start = self.nodes[item].span.start;
                        self.defer(
                            start,
                            "while constructing a mapping, expected a mapping for merging",
                        );
                    }
                }
            }
        }
        add(&self.nodes, &own, &mut merged);
        merged
    }

    /// The document built, or the first error of its construction.
    pub(crate) fn finish(self) -> Result<Document, LoadError> {
        if let Some(error) = self.deferred {
            return Err(error);
        }
        Ok(Document {
            nodes: self.nodes,
            root: self.root,
        })
    }
}

impl Shape {
    fn is_map(self) -> bool {
        matches!(self, Self::Map | Self::Set)
    }
}

#[cfg(test)]
mod tests;
