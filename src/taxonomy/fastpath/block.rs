//! Block collections: mappings with plain keys and sequences, each node emitting its
//! tokens (PyYAML's) and its builder events (with the loader's spans) as it is read.
//!
//! Every node returns the next line with content after it; a collection goes on while
//! that line is at its own column and ends at a smaller one. A line indented between
//! a collection's column and its child's is an error in YAML, left to the full
//! pipeline.

use super::lines::At;
use super::{Next, Scanner, Tokens, Unhandled};
use crate::taxonomy::lint::tokens::Kind;
use crate::taxonomy::yaml::{ScalarStyle, Value};

/// Whether a plain key has the text of an earlier key of its mapping (yamllint's
/// `key-duplicates`), from whether it equals one as a Python dict compares them (the
/// builder's index, so that the lint keeps no index of its own); `None` when that
/// does not tell. Equal texts resolve to equal values, which are equal keys but for
/// NaN; a string equals only a string, of its text; other values may be equal with
/// different texts (`1`, `1.0`, `true`, `yes`).
fn repeats_text(key: &Value, equals_earlier: bool) -> Option<bool> {
    match key {
        Value::Str(_) => Some(equals_earlier),
        Value::Float(f) if f.is_nan() => None,
        _ if equals_earlier => None,
        _ => Some(false),
    }
}

impl<'a, T: Tokens<'a>> Scanner<'a, T> {
    /// Whether a block sequence entry (`-` then a space or the line's end) is at
    /// `column` of `line`.
    pub(super) fn is_entry(&self, line: usize, column: usize) -> bool {
        let bytes = self.lines.bytes(line);
        bytes.get(column) == Some(&b'-') && matches!(bytes.get(column + 1), None | Some(b' '))
    }

    /// The node whose first line is `line`, starting at `column`, inside a collection
    /// at column `parent`.
    pub(super) fn node(
        &mut self,
        line: usize,
        column: usize,
        parent: isize,
    ) -> Result<Next, Unhandled> {
        if self.is_entry(line, column) || self.key_at(line, column)?.is_some() {
            return self.collection(line, column);
        }
        match self.lines.bytes(line)[column] {
            b'|' | b'>' => Err(Unhandled("block scalar on its own line")),
            _ => self.inline(line, column, parent),
        }
    }

    /// The block mapping or sequence whose first line is `line` at `column`.
    pub(super) fn collection(&mut self, line: usize, column: usize) -> Result<Next, Unhandled> {
        if self.is_entry(line, column) {
            self.sequence(line, column, false)
        } else {
            self.mapping(line, column)
        }
    }

    /// A node that starts on a line after other tokens (a key's `:`, a `-`).
    pub(super) fn inline(
        &mut self,
        line: usize,
        column: usize,
        parent: isize,
    ) -> Result<Next, Unhandled> {
        match self.lines.bytes(line)[column] {
            b'|' | b'>' => self.block_scalar(line, column, parent),
            b'\'' | b'"' => self.quoted(line, column),
            b'-' if self.is_entry(line, column) => Err(Unhandled("sequence after a key")),
            b'-' => self.plain(line, column, parent),
            b'[' | b']' | b'{' | b'}' | b',' | b'#' | b'&' | b'*' | b'!' | b'%' | b'@' | b'`'
            | b'?' | b':' => Err(Unhandled("indicator")),
            _ => self.plain(line, column, parent),
        }
    }

    /// A block mapping at `column`, its first key on `line`.
    fn mapping(&mut self, line: usize, column: usize) -> Result<Next, Unhandled> {
        let start = self.lines.at(line, column);
        self.empty_token(Kind::BlockMappingStart, start);
        self.builder
            .start(true, None, None, self.lines.span(start, start))
            .map_err(|_| Unhandled("not constructible"))?;
        let mut line = line;
        let next = loop {
            let key = self
                .key_at(line, column)?
                .ok_or(Unhandled("expected a key"))?;
            let key_start = self.lines.at(line, column);
            self.empty_token(Kind::Key, key_start);
            let key_end = self.lines.at(line, key.end);
            let text = &self.lines.text[key_start.byte..key_end.byte];
            self.scalar(text, ScalarStyle::Plain, key_start, key_end)?;
            let repeats = self
                .builder
                .pending_key()
                .and_then(|(key, equal)| repeats_text(key, equal))
                .ok_or(Unhandled("key equal to an earlier one in value, not text"))?;
            self.tokens.key_repeats(repeats);
            let colon = self.lines.at(line, key.colon);
            let after = self.lines.at(line, key.colon + 1);
            self.token(Kind::Value, colon, after);
            let next = self.value(line, key.colon, column)?;
            match next {
                Some((next_line, indent)) if indent == column => line = next_line,
                Some((_, indent)) if indent > column => {
                    return Err(Unhandled("unexpected indentation"));
                }
                _ => break next,
            }
        };
        let end = self.next_at(next);
        self.empty_token(Kind::BlockEnd, end);
        self.end(end)?;
        Ok(next)
    }

    /// The value after the `:` at byte `colon` of `line`, in a mapping at `column`.
    fn value(&mut self, line: usize, colon: usize, column: usize) -> Result<Next, Unhandled> {
        let bytes = self.lines.bytes(line);
        let content = (colon + 1..bytes.len()).find(|&at| bytes[at] != b' ');
        match content.map(|at| (at, bytes[at])) {
            Some((_, b'\t')) => Err(Unhandled("tab")),
            Some((at, b)) if b != b'#' => self.inline(line, at, column as isize),
            _ => {
                let next = self.next_content(line + 1)?;
                match next {
                    Some((next_line, indent)) if indent > column => {
                        self.node(next_line, indent, column as isize)
                    }
                    Some((next_line, indent))
                        if indent == column && self.is_entry(next_line, indent) =>
                    {
                        self.sequence(next_line, indent, true)
                    }
                    _ => {
                        // PyYAML's empty value is at the end of the `:`.
                        let at = self.lines.at(line, colon + 1);
                        let span = self.lines.span(at, at);
                        self.builder
                            .scalar("", true, None, None, span)
                            .map_err(|_| Unhandled("not constructible"))?;
                        Ok(next)
                    }
                }
            }
        }
    }

    /// A block sequence at `column`, its first entry on `line`; an indentless one
    /// (under a key, at the key's column) opens and closes no block.
    fn sequence(
        &mut self,
        line: usize,
        column: usize,
        indentless: bool,
    ) -> Result<Next, Unhandled> {
        if !indentless {
            let start = self.lines.at(line, column);
            self.empty_token(Kind::BlockSequenceStart, start);
            self.start_sequence(start)?;
        }
        let mut line = line;
        let mut first = true;
        let next = loop {
            let dash = self.lines.at(line, column);
            self.token(Kind::BlockEntry, dash, self.lines.at(line, column + 1));
            let bytes = self.lines.bytes(line);
            let item = (column + 1..bytes.len())
                .find(|&at| bytes[at] != b' ')
                .filter(|&at| bytes[at] != b'#')
                .ok_or(Unhandled("entry without a value on its line"))?;
            if bytes[item] == b'\t' {
                return Err(Unhandled("tab"));
            }
            if indentless && first {
                // PyYAML starts an indentless sequence at its first `-`.
                self.start_sequence(dash)?;
            }
            first = false;
            let next = if self.is_entry(line, item) {
                return Err(Unhandled("sequence in a sequence entry"));
            } else if self.key_at(line, item)?.is_some() {
                self.mapping(line, item)?
            } else {
                self.inline(line, item, column as isize)?
            };
            match next {
                Some((next_line, indent))
                    if indent == column && self.is_entry(next_line, indent) =>
                {
                    line = next_line;
                }
                Some((_, indent)) if indent > column || (indent == column && !indentless) => {
                    return Err(Unhandled("unexpected indentation"));
                }
                _ => break next,
            }
        };
        let end = self.next_at(next);
        if !indentless {
            self.empty_token(Kind::BlockEnd, end);
        }
        self.end(end)?;
        Ok(next)
    }

    fn start_sequence(&mut self, at: At) -> Result<(), Unhandled> {
        let span = self.lines.span(at, at);
        self.builder
            .start(false, None, None, span)
            .map_err(|_| Unhandled("not constructible"))
    }

    /// Ends the open collection at `at`.
    fn end(&mut self, at: At) -> Result<(), Unhandled> {
        let span = self.lines.span(at, at);
        self.builder
            .end(span)
            .map_err(|_| Unhandled("not constructible"))
    }
}
