//! yamllint's `indentation` rule as relaxed configures it: `spaces: consistent`,
//! `indent-sequences: consistent`, `check-multi-line-strings: false`. A port of
//! yamllint's state machine over the token stream, assertion failures included
//! ("cannot infer indentation: unexpected token").

use super::Problem;
use super::spacing::is_explicit_key;
use super::tokens::{Kind, Source, Token};
use crate::taxonomy::whitespace::is_space;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParentKind {
    Root,
    BlockMap,
    FlowMap,
    BlockSeq,
    FlowSeq,
    BlockEntry,
    Key,
    Value,
}

#[derive(Debug, Clone, Copy)]
struct Parent {
    kind: ParentKind,
    indent: isize,
    line_indent: Option<isize>,
    explicit_key: bool,
    implicit_block_seq: bool,
}

impl Parent {
    fn new(kind: ParentKind, indent: isize) -> Self {
        Self {
            kind,
            indent,
            line_indent: None,
            explicit_key: false,
            implicit_block_seq: false,
        }
    }
}

/// Whether block sequences are indented inside mappings: unknown until the first
/// one is seen, then that choice is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IndentSequences {
    Yes,
    No,
    Consistent,
}

/// The rule's state over one file.
pub(super) struct Indentation {
    stack: Vec<Parent>,
    cur_line: isize,
    cur_line_indent: isize,
    /// The indentation unit, once the first indented block shows it.
    spaces: Option<isize>,
    indent_sequences: IndentSequences,
}

impl Default for Indentation {
    fn default() -> Self {
        Self {
            stack: vec![Parent::new(ParentKind::Root, 0)],
            cur_line: -1,
            cur_line_indent: 0,
            spaces: None,
            indent_sequences: IndentSequences::Consistent,
        }
    }
}

/// Where yamllint's own assertions fail: it reports that it cannot infer the
/// indentation, keeping whatever state it had changed.
struct Unexpected;

fn col(mark_column: usize) -> isize {
    mark_column as isize
}

/// yamllint's `get_real_end_line`: the 1-based line a token really ends on (a
/// scalar's end mark is often on the next line).
fn real_end_line(source: &Source<'_>, token: &Token) -> isize {
    let mut end_line = token.end.line() as isize + 1;
    if token.kind != Kind::Scalar {
        return end_line;
    }
    let bytes = source.text.as_bytes();
    let mut pos = token.end.pointer() as isize - 1;
    while pos >= token.start.pointer() as isize - 1 && pos >= 0 {
        let byte = bytes[pos as usize];
        if !is_space(byte) {
            break;
        }
        if byte == b'\n' {
            end_line -= 1;
        }
        pos -= 1;
    }
    end_line
}

fn is(token: Option<&Token>, kinds: &[Kind]) -> bool {
    token.is_some_and(|t| kinds.contains(&t.kind))
}

impl Indentation {
    /// Checks `token` (between `prev` and `next`, with `nextnext` after that).
    pub fn check(
        &mut self,
        source: &Source<'_>,
        window: [Option<&Token>; 4],
        out: &mut Vec<Problem>,
    ) {
        let [prev, Some(token), next, nextnext] = window else {
            return;
        };
        if self.step(source, prev, token, next, nextnext, out).is_err() {
            out.push(Problem::new(
                token.start.line() + 1,
                token.start.column() + 1,
                "cannot infer indentation: unexpected token",
            ));
        }
    }

    fn top(&self) -> Result<&Parent, Unexpected> {
        self.stack.last().ok_or(Unexpected)
    }

    fn below_top(&self) -> Result<&Parent, Unexpected> {
        self.stack.iter().rev().nth(1).ok_or(Unexpected)
    }

    fn detect_indent(&mut self, base: isize, next: &Token) -> isize {
        let spaces = *self.spaces.get_or_insert(col(next.start.column()) - base);
        base + spaces
    }

    fn push(&mut self, parent: Parent) {
        self.stack.push(parent);
    }

    fn step(
        &mut self,
        source: &Source<'_>,
        prev: Option<&Token>,
        token: &Token,
        next: Option<&Token>,
        nextnext: Option<&Token>,
        out: &mut Vec<Problem>,
    ) -> Result<(), Unexpected> {
        // Step 1: lint.
        let invisible = matches!(
            token.kind,
            Kind::StreamStart | Kind::StreamEnd | Kind::BlockEnd
        ) || (token.kind == Kind::Scalar && token.value.is_empty());
        let is_visible = !invisible;
        let first_in_line = is_visible && token.start.line() as isize + 1 > self.cur_line;
        let found = col(token.start.column());
        if first_in_line {
            let top = *self.top()?;
            let mut expected = top.indent;
            if matches!(token.kind, Kind::FlowMappingEnd | Kind::FlowSequenceEnd) {
                expected = top.line_indent.unwrap_or(top.indent);
            } else if top.kind == ParentKind::Key && top.explicit_key && token.kind != Kind::Value {
                expected = self.detect_indent(expected, token);
            }
            if found != expected {
                let message = if expected < 0 {
                    format!("wrong indentation: expected at least {}", found + 1)
                } else {
                    format!("wrong indentation: expected {expected} but found {found}")
                };
                out.push(Problem::new(
                    token.start.line() + 1,
                    token.start.column() + 1,
                    message,
                ));
            }
        }

        // Step 2.a.
        if is_visible {
            self.cur_line = real_end_line(source, token);
            if first_in_line {
                self.cur_line_indent = found;
            }
        }

        // Step 2.b: update the state.
        let mut next = next;
        match token.kind {
            Kind::BlockMappingStart => {
                let next = next.filter(|n| n.kind == Kind::Key).ok_or(Unexpected)?;
                if next.start.line() != token.start.line() {
                    return Err(Unexpected);
                }
                self.push(Parent::new(ParentKind::BlockMap, found));
            }
            Kind::FlowMappingStart | Kind::FlowSequenceStart => {
                let next = next.ok_or(Unexpected)?;
                let indent = if next.start.line() == token.start.line() {
                    col(next.start.column())
                } else {
                    self.detect_indent(self.cur_line_indent, next)
                };
                let kind = if token.kind == Kind::FlowMappingStart {
                    ParentKind::FlowMap
                } else {
                    ParentKind::FlowSeq
                };
                self.push(Parent {
                    line_indent: Some(self.cur_line_indent),
                    ..Parent::new(kind, indent)
                });
            }
            Kind::BlockSequenceStart => {
                let next = next
                    .filter(|n| n.kind == Kind::BlockEntry)
                    .ok_or(Unexpected)?;
                if next.start.line() != token.start.line() {
                    return Err(Unexpected);
                }
                self.push(Parent::new(ParentKind::BlockSeq, found));
            }
            Kind::BlockEntry if !is(next, &[Kind::BlockEntry, Kind::BlockEnd]) => {
                let next = next.ok_or(Unexpected)?;
                // PyYAML issues no BlockSequenceStart for a sequence that is not
                // indented; yamllint makes up for it.
                if self.top()?.kind != ParentKind::BlockSeq {
                    self.push(Parent {
                        implicit_block_seq: true,
                        ..Parent::new(ParentKind::BlockSeq, found)
                    });
                }
                let indent = if next.start.line() == token.end.line()
                    || next.start.column() == token.start.column()
                {
                    col(next.start.column())
                } else {
                    self.detect_indent(found, next)
                };
                self.push(Parent::new(ParentKind::BlockEntry, indent));
            }
            Kind::Key => {
                let indent = self.top()?.indent;
                self.push(Parent {
                    explicit_key: is_explicit_key(source, token),
                    ..Parent::new(ParentKind::Key, indent)
                });
            }
            Kind::Value => {
                let top = *self.top()?;
                if top.kind != ParentKind::Key {
                    return Err(Unexpected);
                }
                // `key: &anchor` or `key: !!tag` with the value on the next line.
                if let (Some(n), Some(p), Some(nn)) = (next, prev, nextnext)
                    && matches!(n.kind, Kind::Anchor | Kind::Tag)
                    && n.start.line() == p.start.line()
                    && n.start.line() < nn.start.line()
                {
                    next = Some(nn);
                }
                let empty = next.is_none_or(|n| {
                    matches!(
                        n.kind,
                        Kind::BlockEnd | Kind::FlowMappingEnd | Kind::FlowSequenceEnd | Kind::Key
                    )
                });
                if !empty {
                    let next = next.ok_or(Unexpected)?;
                    let prev = prev.ok_or(Unexpected)?;
                    let indent = if top.explicit_key {
                        self.detect_indent(top.indent, next)
                    } else if next.start.line() == prev.start.line() {
                        col(next.start.column())
                    } else if matches!(next.kind, Kind::BlockSequenceStart | Kind::BlockEntry) {
                        self.sequence_value_indent(top.indent, next)
                    } else {
                        self.detect_indent(top.indent, next)
                    };
                    self.push(Parent::new(ParentKind::Value, indent));
                }
            }
            _ => {}
        }

        self.pop_finished(token, next)
    }

    /// The indentation of a block sequence that is a mapping's value.
    fn sequence_value_indent(&mut self, key_indent: isize, next: &Token) -> isize {
        match self.indent_sequences {
            IndentSequences::No => key_indent,
            IndentSequences::Yes => {
                if self.spaces.is_none() && col(next.start.column()) - key_indent == 0 {
                    // Not indented while it should be, and the unit is not known yet.
                    -1
                } else {
                    self.detect_indent(key_indent, next)
                }
            }
            IndentSequences::Consistent => {
                if col(next.start.column()) == key_indent {
                    self.indent_sequences = IndentSequences::No;
                    key_indent
                } else {
                    self.indent_sequences = IndentSequences::Yes;
                    self.detect_indent(key_indent, next)
                }
            }
        }
    }

    /// Closes what `token` ends.
    fn pop_finished(&mut self, token: &Token, next: Option<&Token>) -> Result<(), Unexpected> {
        let mut consumed = false;
        loop {
            let top = *self.top()?;
            let anchor_or_tag = matches!(token.kind, Kind::Anchor | Kind::Tag);
            if top.kind == ParentKind::FlowSeq && token.kind == Kind::FlowSequenceEnd && !consumed
                || top.kind == ParentKind::FlowMap
                    && token.kind == Kind::FlowMappingEnd
                    && !consumed
                || matches!(top.kind, ParentKind::BlockMap | ParentKind::BlockSeq)
                    && token.kind == Kind::BlockEnd
                    && !top.implicit_block_seq
                    && !consumed
            {
                self.stack.pop();
                consumed = true;
            } else if top.kind == ParentKind::BlockEntry
                && token.kind != Kind::BlockEntry
                && self.below_top()?.implicit_block_seq
                && !anchor_or_tag
                && !is(next, &[Kind::BlockEntry])
            {
                self.stack.pop();
                self.stack.pop();
            } else if top.kind == ParentKind::BlockEntry
                && is(next, &[Kind::BlockEntry, Kind::BlockEnd])
            {
                self.stack.pop();
            } else if top.kind == ParentKind::Value && token.kind != Kind::Value && !anchor_or_tag {
                if self.below_top()?.kind != ParentKind::Key {
                    return Err(Unexpected);
                }
                self.stack.pop();
                self.stack.pop();
            } else if top.kind == ParentKind::Key
                && is(
                    next,
                    &[
                        Kind::BlockEnd,
                        Kind::FlowMappingEnd,
                        Kind::FlowSequenceEnd,
                        Kind::Key,
                    ],
                )
            {
                // A key without a value: part of a set.
                self.stack.pop();
            } else {
                return Ok(());
            }
        }
    }
}
