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

use bumpalo::Bump;

use crate::taxonomy::diagnostic::Diagnostic;
use crate::taxonomy::lint::TokenLint;
use crate::taxonomy::lint::tokens::{Kind, Kinds, Source, Token};
use crate::taxonomy::yaml::{Builder, Document, ScalarStyle};
use lines::{At, Lines};

/// Why the fast path left a text to the full pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unhandled(pub &'static str);

/// What one pass over a handled text gives.
#[derive(Debug)]
pub(crate) struct Scanned {
    /// The document, as `yaml::load` builds it.
    pub document: Document,
    /// yamllint's findings, as `lint::lint_loaded` finds them.
    pub findings: Vec<Diagnostic>,
}

/// The kinds of token the fast path makes: no flow collection, no alias (it leaves
/// a text with any to the full pipeline), so the lint rules that look only at those
/// are not run.
const KINDS: Kinds = Kinds {
    flow: false,
    aliases: false,
};

/// The nodes of the densest common line, `key: value`: room for this many per line
/// is made at once.
const NODES_PER_LINE: usize = 2;

/// Where the tokens go as they are made.
trait Tokens<'a> {
    fn push(&mut self, token: Token<'a>);

    /// Whether the key scalar just pushed has the text of an earlier key of its
    /// mapping.
    fn key_repeats(&mut self, _repeats: bool) {}
}

impl<'a> Tokens<'a> for TokenLint<'_, 'a> {
    fn push(&mut self, token: Token<'a>) {
        TokenLint::push(self, token);
    }

    fn key_repeats(&mut self, repeats: bool) {
        self.tell_key_repeats(repeats);
    }
}

/// Reads `text` in one pass, linting its tokens as they are made, or says why it
/// leaves it to the full pipeline; the tokens' values that are not the text's own
/// are kept in `arena`.
pub(crate) fn scan(text: &str, arena: &Bump) -> Result<Scanned, Unhandled> {
    let lines = Lines::new(text)?;
    let source = Source::with_line_starts(text, lines.line_starts());
    let lint = TokenLint::new(&source, KINDS);
    let (document, lint) = read(lines, arena, lint)?;
    Ok(Scanned {
        document,
        findings: lint.finish(),
    })
}

/// The document of the text `lines` index, its tokens handed to `tokens`.
fn read<'a, T: Tokens<'a>>(
    lines: Lines<'a>,
    arena: &'a Bump,
    tokens: T,
) -> Result<(Document, T), Unhandled> {
    // The nodes of a text of short lines, made room for up front: grown by doubling
    // instead, their vector copied itself, which on a large text misses the cache.
    let room = lines.count();
    let mut scanner = Scanner {
        lines,
        tokens,
        arena,
        builder: Builder::with_room(NODES_PER_LINE * room),
        value: String::new(),
    };
    scanner.document()?;
    let document = scanner
        .builder
        .finish()
        .map_err(|_| Unhandled("not constructible"))?;
    Ok((document, scanner.tokens))
}

/// A vector keeps the tokens, for the tests that compare them with the scanner's.
#[cfg(test)]
impl<'a> Tokens<'a> for Vec<Token<'a>> {
    fn push(&mut self, token: Token<'a>) {
        Vec::push(self, token);
    }
}

/// A handled text's line starts, tokens and document, for the tests.
#[cfg(test)]
#[derive(Debug)]
struct Read<'a> {
    source: Source<'a>,
    tokens: Vec<Token<'a>>,
    document: Document,
}

/// Reads `text` as [`scan`] does, keeping its tokens instead of linting them.
#[cfg(test)]
fn scan_tokens<'a>(text: &'a str, arena: &'a Bump) -> Result<Read<'a>, Unhandled> {
    let lines = Lines::new(text)?;
    let source = Source::with_line_starts(text, lines.line_starts());
    let (document, tokens) = read(lines, arena, Vec::new())?;
    Ok(Read {
        source,
        tokens,
        document,
    })
}

/// The next line with content after a node, and its indentation; `None` at the end.
type Next = Option<(usize, usize)>;

/// The pass's state: the text, where the tokens go and the document being built.
struct Scanner<'a, T> {
    lines: Lines<'a>,
    tokens: T,
    /// Where the values of tokens that differ from their text are kept.
    arena: &'a Bump,
    builder: Builder,
    /// The value of the scalar being read: one buffer for all of a text's scalars,
    /// which grows for the longest rather than for each.
    value: String,
}

impl<'a, T: Tokens<'a>> Scanner<'a, T> {
    /// A token from `start` to `end`.
    fn token(&mut self, kind: Kind, start: At, end: At) {
        let (start, end) = (self.lines.mark(start), self.lines.mark(end));
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
        // Most scalars (keys, one-line plain values) are their text: the token
        // borrows it rather than a copy.
        let text: &'a str = &self.lines.text[start.byte..end.byte];
        let value = if text == value {
            text
        } else {
            self.arena.alloc_str(value)
        };
        let (start, end) = (self.lines.mark(start), self.lines.mark(end));
        self.tokens.push(Token::scalar(value, style, start, end));
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
