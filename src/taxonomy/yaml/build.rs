//! Builds a [`Document`] from saphyr's event stream with PyYAML `safe_load` semantics.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span as SaphyrSpan, Tag};
use thiserror::Error;

use crate::taxonomy::byte_blocks::skip_unflagged_blocks;

use super::node::{Document, Entry, Node, NodeId, Position, Span, Value, scalar_eq};
use super::resolve::{self, ScalarKind};

/// How many nodes a document may expand to through aliases before it is refused
/// (a "billion laughs" alias bomb otherwise takes exponential time and memory).
const MAX_EXPANDED_NODES: u64 = 1_000_000;

/// Why a YAML text could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{line}:{col}: {message}")]
pub struct LoadError {
    /// Whether the text is not YAML at all (a syntax error) or is YAML that
    /// `safe_load` refuses to construct.
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
    /// The scanner or parser rejected the text (yamllint reports these as `syntax`).
    Syntax,
    /// The text parses but cannot be turned into values (bad tag, unhashable key,
    /// undefined or recursive alias, several documents, alias bomb).
    Construct,
}

impl LoadError {
    fn at(kind: LoadErrorKind, position: Position, message: impl Into<String>) -> Self {
        Self {
            kind,
            line: position.line,
            col: position.col,
            message: message.into(),
        }
    }

    /// PyYAML marks an unexpected end of the stream at the end of the text, where
    /// the YAML 1.2 parser marks the start of what was left open. A tab where PyYAML
    /// expects a token is its scanner's error, at the tab; the YAML 1.2 parser reports
    /// it after the tab, in its own words.
    fn placed_in(mut self, text: &str) -> Self {
        if self.kind != LoadErrorKind::Syntax {
            return self;
        }
        if self.message.contains("unexpected end of stream") {
            self.line = text.split('\n').count();
            self.col = text
                .rsplit('\n')
                .next()
                .map_or(0, |last| last.chars().count())
                + 1;
        } else if self.message.contains("tab") || self.message.contains("valid YAML whitespace") {
            let line = text.split('\n').nth(self.line - 1).unwrap_or_default();
            let before: Vec<char> = line.chars().take(self.col - 1).collect();
            let tabs = before.iter().rev().take_while(|&&c| c == '\t').count();
            if tabs > 0 {
                self.col = before.len() - tabs + 1;
                self.message = "found character '\\t' that cannot start any token".into();
            }
        }
        self
    }

    fn syntax(error: &ScanError) -> Self {
        // PyYAML's parser takes an alias to no anchor; its composer refuses it.
        if error.info().contains("unknown anchor") {
            return Self::at(
                LoadErrorKind::Construct,
                position(error.marker()),
                "found undefined alias",
            );
        }
        Self::at(
            LoadErrorKind::Syntax,
            position(error.marker()),
            error.info().to_owned(),
        )
    }
}

fn position(marker: &Marker) -> Position {
    Position {
        line: marker.line(),
        col: marker.col() + 1,
        offset: marker.index(),
    }
}

fn span(span: &SaphyrSpan) -> Span {
    Span {
        start: position(&span.start),
        end: position(&span.end),
    }
}

/// Loads one YAML document as `yaml.safe_load` would.
///
/// An empty stream gives a document without a root.
pub fn load(text: &str) -> Result<Document, LoadError> {
    check_printable(text)?;
    let mut builder = Builder::for_text(text.len());
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0usize;
    let mut extra_document: Option<Position> = None;
    while let Some(next) = parser.next_event() {
        let (event, event_span) = next.map_err(|e| LoadError::syntax(&e).placed_in(text))?;
        let at = span(&event_span);
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 && extra_document.is_none() {
                    extra_document = Some(at.start);
                }
                builder.anchors.clear();
            }
            _ if documents > 1 => {}
            Event::Scalar(value, style, anchor, tag) => {
                builder.scalar(&value, style, anchor, tag.as_deref(), at)?
            }
            Event::SequenceStart(anchor, tag) => {
                builder.start(false, anchor, tag.as_deref(), at)?
            }
            Event::MappingStart(anchor, tag) => builder.start(true, anchor, tag.as_deref(), at)?,
            Event::SequenceEnd | Event::MappingEnd => builder.end(at)?,
            Event::Alias(anchor) => builder.alias(anchor, at)?,
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    if let Some(at) = extra_document {
        return Err(LoadError::at(
            LoadErrorKind::Construct,
            at,
            "expected a single document in the stream, but found another document",
        ));
    }
    builder.finish()
}

/// PyYAML refuses control characters before it parses anything.
pub(crate) fn check_printable(text: &str) -> Result<(), LoadError> {
    let printable = |c: char| matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    // ASCII is checked by blocks of bytes, then byte by byte; only the other
    // characters are decoded.
    let bytes = text.as_bytes();
    let ascii_printable = |b: u8| matches!(b, b'\t' | b'\n' | b'\r' | b' '..=b'~');
    // The same test without branches, so that a block's is vectorised.
    let outside_ascii_printable = |b: u8| {
        let control = (b < b' ') & !((b == b'\t') | (b == b'\n') | (b == b'\r'));
        control | (b > b'~')
    };
    let mut byte = 0;
    let bad = loop {
        byte = skip_unflagged_blocks(bytes, byte, outside_ascii_printable);
        match bytes.get(byte) {
            None => return Ok(()),
            Some(&b) if ascii_printable(b) => byte += 1,
            Some(_) => {
                let Some(c) = text[byte..].chars().next() else {
                    return Ok(());
                };
                if !printable(c) {
                    break c;
                }
                byte += c.len_utf8();
            }
        }
    };
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..byte].chars().count() + 1;
    Err(LoadError {
        kind: LoadErrorKind::Syntax,
        line,
        col,
        message: format!(
            "unacceptable character #x{:04x}: special characters are not allowed",
            u32::from(bad)
        ),
    })
}

/// A collection being built: its node id and, for mappings, a pending key.
struct Open {
    id: NodeId,
    is_map: bool,
    items: Vec<NodeId>,
    pending_key: Option<NodeId>,
    entries: Vec<Entry>,
    merges: Vec<NodeId>,
}

/// Builds a [`Document`] from parser events with `safe_load` semantics; `load` feeds
/// it saphyr's events, the fast path its own.
#[derive(Default)]
pub(crate) struct Builder {
    nodes: Vec<Node>,
    /// Expanded size of each node (aliases counted every time they are used).
    weight: Vec<u64>,
    open: Vec<Open>,
    anchors: HashMap<usize, NodeId>,
    root: Option<NodeId>,
    /// Ids of the merge-key (`<<`) scalars.
    merge_keys: Vec<NodeId>,
}

impl Builder {
    /// A builder with room for the nodes of a text of `len` bytes, as leaf files
    /// are written (a node for every 32 bytes or so), up to a few thousand.
    pub(crate) fn for_text(len: usize) -> Self {
        let nodes = (len / 32 + 8).min(4096);
        Self {
            nodes: Vec::with_capacity(nodes),
            weight: Vec::with_capacity(nodes),
            ..Self::default()
        }
    }

    fn push(&mut self, value: Value, at: Span) -> NodeId {
        self.nodes.push(Node { value, span: at });
        self.weight.push(1);
        self.nodes.len() - 1
    }

    fn register(&mut self, anchor: usize, id: NodeId) {
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
    }

    /// A scalar event: `text` in `style`, resolved as `safe_load` resolves it.
    pub(crate) fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        at: Span,
    ) -> Result<(), LoadError> {
        let kind = match tag {
            Some(tag) => tagged_kind(tag).ok_or_else(|| unknown_tag(tag, at))?,
            None if style == ScalarStyle::Plain => resolve::resolve_plain(text),
            None => ScalarKind::Str,
        };
        let value = match (kind, tag) {
            (_, Some(tag)) if tag.is_yaml_core_schema() && tag.suffix == "binary" => {
                Value::Binary(text.to_owned())
            }
            _ => resolve::construct(kind, text)
                .map_err(|e| LoadError::at(LoadErrorKind::Construct, at.start, e.0))?,
        };
        let id = self.push(value, at);
        if kind == ScalarKind::Merge {
            self.merge_keys.push(id);
        }
        self.register(anchor, id);
        self.attach(id)
    }

    /// The start of a mapping (`is_map`) or a sequence.
    pub(crate) fn start(
        &mut self,
        is_map: bool,
        anchor: usize,
        tag: Option<&Tag>,
        at: Span,
    ) -> Result<(), LoadError> {
        if let Some(tag) = tag {
            let fits = tag.is_yaml_core_schema()
                && match tag.suffix.as_str() {
                    "map" => is_map,
                    "seq" | "omap" | "pairs" => !is_map,
                    _ => false,
                };
            let non_specific = tag.handle.is_empty() && tag.suffix == "!";
            if !fits && !non_specific {
                return Err(unknown_tag(tag, at));
            }
        }
        let placeholder = if is_map {
            Value::Map(Vec::new())
        } else {
            Value::Seq(Vec::new())
        };
        let id = self.push(placeholder, at);
        self.register(anchor, id);
        self.open.push(Open {
            id,
            is_map,
            items: Vec::new(),
            pending_key: None,
            entries: Vec::new(),
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
        let weight = if open.is_map {
            open.entries
                .iter()
                .flat_map(|e| [e.key, e.value])
                .fold(1, weigh)
        } else {
            open.items.iter().copied().fold(1, weigh)
        };
        if weight > MAX_EXPANDED_NODES {
            return Err(LoadError::at(
                LoadErrorKind::Construct,
                self.nodes[id].span.start,
                format!(
                    "aliases expand this document to more than {MAX_EXPANDED_NODES} nodes (an alias bomb?)"
                ),
            ));
        }
        self.weight[id] = weight;
        self.nodes[id].span.end = at.end;
        self.nodes[id].value = if open.is_map {
            Value::Map(self.merge(open.entries, &open.merges)?)
        } else {
            Value::Seq(open.items)
        };
        self.attach(id)
    }

    fn alias(&mut self, anchor: usize, at: Span) -> Result<(), LoadError> {
        let Some(&target) = self.anchors.get(&anchor) else {
            return Err(LoadError::at(
                LoadErrorKind::Construct,
                at.start,
                "found undefined alias",
            ));
        };
        if self.open.iter().any(|open| open.id == target) {
            return Err(LoadError::at(
                LoadErrorKind::Construct,
                at.start,
                "found a recursive alias (a collection that contains itself)",
            ));
        }
        self.attach(target)
    }

    /// Adds a finished node to the collection being built, or makes it the root.
    fn attach(&mut self, id: NodeId) -> Result<(), LoadError> {
        let is_key = self
            .open
            .last()
            .is_some_and(|open| open.is_map && open.pending_key.is_none());
        if !is_key && self.merge_keys.contains(&id) {
            // `<<` merges only as a key; anywhere else PyYAML cannot construct it.
            return Err(LoadError::at(
                LoadErrorKind::Construct,
                self.nodes[id].span.start,
                "could not determine a constructor for the tag 'tag:yaml.org,2002:merge'",
            ));
        }
        let Some(open) = self.open.last_mut() else {
            self.root = Some(id);
            return Ok(());
        };
        if !open.is_map {
            open.items.push(id);
            return Ok(());
        }
        let Some(key) = open.pending_key.take() else {
            open.pending_key = Some(id);
            return Ok(());
        };
        if self.merge_keys.contains(&key) {
            open.merges.push(id);
            return Ok(());
        }
        if matches!(self.nodes[key].value, Value::Map(_) | Value::Seq(_)) {
            return Err(LoadError::at(
                LoadErrorKind::Construct,
                self.nodes[key].span.start,
                "while constructing a mapping, found unhashable key",
            ));
        }
        let entry = Entry { key, value: id };
        let nodes = &self.nodes;
        match open
            .entries
            .iter_mut()
            .find(|existing| same_key(nodes, existing.key, key))
        {
            Some(existing) => existing.value = id,
            None => open.entries.push(entry),
        }
        Ok(())
    }

    /// Applies merge keys (`<<: *base`) the way `SafeConstructor.flatten_mapping` does:
    /// merged entries come first and the mapping's own keys win.
    fn merge(&self, own: Vec<Entry>, merges: &[NodeId]) -> Result<Vec<Entry>, LoadError> {
        if merges.is_empty() {
            return Ok(own);
        }
        let nodes = &self.nodes;
        let mut merged: Vec<Entry> = Vec::new();
        let add = |entries: &[Entry], merged: &mut Vec<Entry>| {
            for entry in entries {
                match merged
                    .iter_mut()
                    .find(|m| same_key(nodes, m.key, entry.key))
                {
                    Some(existing) => existing.value = entry.value,
                    None => merged.push(*entry),
                }
            }
        };
        for &source in merges {
            let sources: Vec<NodeId> = match &self.nodes[source].value {
                Value::Map(_) => vec![source],
                Value::Seq(items) => items.iter().rev().copied().collect(),
                _ => {
                    return Err(LoadError::at(
                        LoadErrorKind::Construct,
                        self.nodes[source].span.start,
                        "while constructing a mapping, expected a mapping or list of mappings for merging",
                    ));
                }
            };
            for item in sources {
                match &self.nodes[item].value {
                    Value::Map(entries) => add(entries, &mut merged),
                    _ => {
                        return Err(LoadError::at(
                            LoadErrorKind::Construct,
                            self.nodes[item].span.start,
                            "while constructing a mapping, expected a mapping for merging",
                        ));
                    }
                }
            }
        }
        add(&own, &mut merged);
        Ok(merged)
    }

    /// The document built.
    pub(crate) fn finish(self) -> Result<Document, LoadError> {
        Ok(Document {
            nodes: self.nodes,
            root: self.root,
        })
    }
}

/// Python dict key equality: `1`, `1.0` and `True` are the same key.
fn same_key(nodes: &[Node], a: NodeId, b: NodeId) -> bool {
    scalar_eq(&nodes[a].value, &nodes[b].value, false)
}

/// The scalar kind an explicit tag asks for, if `SafeLoader` knows the tag.
fn tagged_kind(tag: &Tag) -> Option<ScalarKind> {
    if tag.handle.is_empty() && tag.suffix == "!" {
        return Some(ScalarKind::Str);
    }
    if !tag.is_yaml_core_schema() {
        return None;
    }
    Some(match tag.suffix.as_str() {
        "str" | "binary" => ScalarKind::Str,
        "int" => ScalarKind::Int,
        "float" => ScalarKind::Float,
        "bool" => ScalarKind::Bool,
        "null" => ScalarKind::Null,
        "timestamp" => ScalarKind::Timestamp,
        _ => return None,
    })
}

fn unknown_tag(tag: &Tag, at: Span) -> LoadError {
    LoadError::at(
        LoadErrorKind::Construct,
        at.start,
        format!(
            "could not determine a constructor for the tag '{}{}'",
            tag.handle, tag.suffix
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_entries(doc: &Document) -> Vec<(String, Value)> {
        let root = doc.root_id().expect("root");
        doc.entries(root)
            .iter()
            .map(|e| {
                (
                    doc.str_value(e.key).unwrap_or("?").to_owned(),
                    doc.node(e.value).value.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn resolves_scalars_as_yaml_1_1() {
        let doc = load("a: yes\nb: '8'\nc: 8\nd:\ne: 2024-01-31\nf: 1e3\n").unwrap();
        assert_eq!(
            root_entries(&doc),
            vec![
                ("a".into(), Value::Bool(true)),
                ("b".into(), Value::Str("8".into())),
                ("c".into(), Value::Int(8)),
                ("d".into(), Value::Null),
                ("e".into(), Value::Timestamp("2024-01-31".into())),
                ("f".into(), Value::Str("1e3".into())),
            ]
        );
    }

    #[test]
    fn last_duplicate_key_wins_at_first_place() {
        let doc = load("a: 1\nb: 2\na: 3\n").unwrap();
        assert_eq!(
            root_entries(&doc),
            vec![("a".into(), Value::Int(3)), ("b".into(), Value::Int(2))]
        );
    }

    #[test]
    fn keeps_positions() {
        let doc = load("version: 3\nseed_examples:\n  - question: q\n    answer: a\n").unwrap();
        let root = doc.root_id().unwrap();
        let seeds = doc.get(root, "seed_examples").unwrap();
        let first = doc.items(seeds)[0];
        let answer = doc.get(first, "answer").unwrap();
        let start = doc.node(answer).span.start;
        assert_eq!((start.line, start.col), (4, 13));
        assert_eq!(doc.node(first).span.start.line, 3);
    }

    #[test]
    fn merge_keys_merge() {
        let doc = load("base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n").unwrap();
        let root = doc.root_id().unwrap();
        let child = doc.get(root, "child").unwrap();
        let y = doc.get(child, "y").unwrap();
        assert_eq!(doc.node(y).value, Value::Int(3));
        assert!(doc.get(child, "x").is_some());
    }

    #[test]
    fn refuses_what_safe_load_refuses() {
        let cases = [
            ("a: !foo x\n", "could not determine a constructor"),
            ("? [a]\n: b\n", "unhashable key"),
            ("a: 1\n---\nb: 2\n", "single document"),
            ("a: &x [1, *x]\n", "recursive alias"),
            ("a: 2024-02-30\n", "out of range"),
            ("a: \u{1}\n", "unacceptable character #x0001"),
        ];
        for (text, expected) in cases {
            let err = load(text).expect_err(text);
            assert!(err.message.contains(expected), "{text:?}: {err}");
        }
    }

    #[test]
    fn finds_the_first_unprintable_character_past_long_ascii_and_unicode() {
        let text = format!("a: {}é{}\u{7f}\n", "x".repeat(40), "y".repeat(40));
        let err = check_printable(&text).expect_err("DEL");
        assert_eq!((err.line, err.col), (1, 4 + 40 + 1 + 40));
        assert!(err.message.contains("#x007f"), "{err}");
        assert!(check_printable(&"é, ok\tand\r\n".repeat(20)).is_ok());
        // Each refused ASCII byte, at every place in and across the blocks.
        for bad in ['\u{0}', '\u{8}', '\u{b}', '\u{c}', '\u{1f}', '\u{7f}'] {
            for before in 0..140 {
                let text = format!("{}{bad}{}", "x".repeat(before), "y".repeat(70));
                let err = check_printable(&text).expect_err("an unprintable byte");
                assert_eq!(
                    (err.line, err.col),
                    (1, before + 1),
                    "{bad:?} after {before}"
                );
            }
        }
    }

    #[test]
    fn refuses_alias_bombs_quickly() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = load(&text).expect_err("bomb");
        assert!(err.message.contains("alias bomb"), "{err}");
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = load("a: b\nc d\ne: f\n").expect_err("syntax");
        assert_eq!(err.kind, LoadErrorKind::Syntax);
        assert_eq!(err.line, 3);
    }

    #[test]
    fn errors_are_placed_and_worded_as_pyyaml_places_them() {
        // Checked against PyYAML 6.0.3.
        let tab = load("a:\n\t- b\n").expect_err("tab");
        assert_eq!((tab.line, tab.col), (2, 1));
        assert!(tab.message.contains("cannot start any token"));
        let open = load("a: \"x\n").expect_err("unclosed");
        assert_eq!((open.line, open.col), (2, 1));
        for value in ["a: =\n", "a: <<\n", "- <<\n"] {
            assert_eq!(load(value).expect_err(value).kind, LoadErrorKind::Construct);
        }
        assert_eq!(
            load("a: *nothing\n").expect_err("alias").kind,
            LoadErrorKind::Construct
        );
    }

    #[test]
    fn empty_stream_has_no_root() {
        assert!(load("").unwrap().root().is_none());
        assert!(load("# only a comment\n").unwrap().is_falsy());
    }
}
