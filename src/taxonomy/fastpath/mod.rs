//! The fast path: one pass over a leaf file written in the plain block YAML that
//! real `qna.yaml` files use, giving both the lint tokens (the tokens of PyYAML's
//! scanner, with its marks) and the document `yaml::load` builds (the same spans,
//! resolution and construction, through the same builder).
//!
//! The subset: block mappings with plain keys, block sequences (indentless ones under
//! a key, `- key: value` items), plain scalars over several lines, quoted scalars on
//! one line without escapes, literal and folded block scalars without an indentation
//! indicator, comments, blank lines and one leading `---`. On anything else, and at
//! the first doubt, the fast path gives up with [`Unhandled`] and the caller runs the
//! full loader and tokenizer.

mod block;
mod lines;
mod scalar;

#[cfg(test)]
mod equivalence;
#[cfg(test)]
mod tests;

use crate::taxonomy::lint::tokens::{Kind, Kinds, Source, Token};
use crate::taxonomy::yaml::{Builder, Document, ScalarStyle};
use lines::{At, Lines};

/// Why the fast path left a text to the full pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unhandled(pub &'static str);

/// What one pass over a handled text gives.
#[derive(Debug)]
pub(crate) struct Scanned<'a> {
    /// The text with its line starts, for the lint rules.
    pub source: Source<'a>,
    /// The lint tokens, stream start to stream end.
    pub tokens: Vec<Token>,
    /// The kinds the tokens have, found as they were made (the lint need not read
    /// them all once more to know).
    pub kinds: Kinds,
    /// The document, as `yaml::load` builds it.
    pub document: Document,
}

/// The tokens of the densest common line, `key: value` (a key, its scalar, a value,
/// its scalar): room for this many per line is made at once.
const TOKENS_PER_LINE: usize = 4;
/// The nodes of a `key: value` line.
const NODES_PER_LINE: usize = 2;

/// Reads `text` in one pass, or says why it leaves it to the full pipeline.
pub(crate) fn scan(text: &str) -> Result<Scanned<'_>, Unhandled> {
    let lines = Lines::new(text)?;
    // The tokens and nodes of a text of short lines, made room for up front: grown
    // by doubling instead, their vectors copied themselves, which on a large text
    // misses the cache (on 100,000 keys, a third of the cache misses).
    let room = lines.count();
    let mut scanner = Scanner {
        lines,
        tokens: Vec::with_capacity(TOKENS_PER_LINE * room + 2),
        kinds: Kinds::default(),
        builder: Builder::with_room(NODES_PER_LINE * room),
        value: String::new(),
    };
    scanner.document()?;
    let document = scanner
        .builder
        .finish()
        .map_err(|_| Unhandled("not constructible"))?;
    Ok(Scanned {
        source: Source::with_line_starts(text, scanner.lines.line_starts()),
        tokens: scanner.tokens,
        kinds: scanner.kinds,
        document,
    })
}

/// The next line with content after a node, and its indentation; `None` at the end.
type Next = Option<(usize, usize)>;

/// The pass's state: the text, the tokens so far and the document being built.
struct Scanner<'a> {
    lines: Lines<'a>,
    tokens: Vec<Token>,
    /// The kinds among `tokens`.
    kinds: Kinds,
    builder: Builder,
    /// The value of the scalar being read: one buffer for all of a text's scalars,
    /// which grows for the longest rather than for each.
    value: String,
}

impl Scanner<'_> {
    /// A token from `start` to `end`.
    fn token(&mut self, kind: Kind, start: At, end: At) {
        let (start, end) = (self.lines.mark(start), self.lines.mark(end));
        self.kinds.add(kind);
        self.tokens.push(Token::new(kind, start, end));
    }

    /// A token that takes no text, at `at`.
    fn empty_token(&mut self, kind: Kind, at: At) {
        self.token(kind, at, at);
    }

    /// A scalar from `start` to `end`, its token and its node.
    fn scalar(
        &mut self,
        value: &str,
        style: ScalarStyle,
        start: At,
        end: At,
    ) -> Result<(), Unhandled> {
        let span = self.lines.span(start, end);
        let implicit = style == ScalarStyle::Plain;
        self.builder
            .scalar(value, implicit, None, None, span)
            .map_err(|_| Unhandled("not constructible"))?;
        let (start, end) = (self.lines.mark(start), self.lines.mark(end));
        self.tokens
            .push(Token::scalar(value.to_owned(), style, start, end));
        Ok(())
    }

    /// The next line from `line` on that is neither blank nor only a comment.
    fn next_content(&self, mut line: usize) -> Result<Next, Unhandled> {
        while !self.lines.is_end(line) {
            if let lines::Content::At(indent) = self.lines.content(line)? {
                let bytes = self.lines.bytes(line);
                let marker = bytes.starts_with(b"---") || bytes.starts_with(b"...");
                if indent == 0 && (marker || bytes[0] == b'%') {
                    return Err(Unhandled("document marker or directive"));
                }
                return Ok(Some((line, indent)));
            }
            line += 1;
        }
        Ok(None)
    }

    /// Where `next` starts: the next content, or the end of the stream.
    fn next_at(&self, next: Next) -> At {
        next.map_or(self.lines.end(), |(line, indent)| {
            self.lines.at(line, indent)
        })
    }

    /// The stream: an optional `---`, then one block collection at column 0.
    fn document(&mut self) -> Result<(), Unhandled> {
        self.empty_token(Kind::StreamStart, self.lines.at(0, 0));
        let mut line = 0;
        while !self.lines.is_end(line)
            && matches!(
                self.lines.content(line)?,
                lines::Content::Blank | lines::Content::Comment
            )
        {
            line += 1;
        }
        if self.lines.bytes(line).starts_with(b"---") {
            let rest = &self.lines.bytes(line)[3..];
            let after = rest.iter().position(|&b| b != b' ').map(|at| rest[at]);
            if !matches!(after, None | Some(b'#')) || rest.first().is_some_and(|&b| b != b' ') {
                return Err(Unhandled("content after `---`"));
            }
            let start = self.lines.at(line, 0);
            self.token(Kind::DocumentStart, start, self.lines.at(line, 3));
            line += 1;
        }
        let first = self.next_content(line)?;
        let after = match first {
            Some((line, 0)) => self.collection(line, 0)?,
            Some(_) => return Err(Unhandled("indented top level")),
            None => return Err(Unhandled("empty document")),
        };
        if after.is_some() {
            return Err(Unhandled("content after the top-level collection"));
        }
        self.empty_token(Kind::StreamEnd, self.lines.end());
        Ok(())
    }
}
