//! PyYAML's scanner (`yaml/scanner.py` of PyYAML 6.0.3), ported rule for rule: the
//! same tokens with the same marks, the same errors at the same places, and the same
//! laziness (a token is handed out only once no simple key can still be inserted
//! before it), so that what the parser and yamllint read before an error is what
//! they read upstream.
//!
//! PyYAML's quirks are kept on purpose: quoted scalars ignore indentation (only a
//! document marker ends them), tabs cannot start a token, a `]` or `}` in block
//! context makes the flow level negative, which the scanner then treats as flow.

mod properties;
mod scalars;

use std::collections::VecDeque;

use bumpalo::Bump;

use super::reader::{Reader, is_blank_or_end, is_break_or_end};
use super::repr::str_repr;
use super::token::{Kind, Mark, ScalarStyle, Token};

/// Where PyYAML's scanner or parser raises a `MarkedYAMLError`: its problem and the
/// problem's mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxProblem {
    /// PyYAML's `problem` text.
    pub problem: String,
    /// PyYAML's `problem_mark`.
    pub mark: Mark,
}

impl SyntaxProblem {
    pub(crate) fn new(problem: impl Into<String>, mark: Mark) -> Self {
        Self {
            problem: problem.into(),
            mark,
        }
    }
}

/// Python's `repr()` of one character, as PyYAML's messages show it (`%r`).
pub(crate) fn char_repr(c: char) -> String {
    str_repr(c.encode_utf8(&mut [0; 4]))
}

/// A simple key (one without `?`) may be no longer than this many characters.
const MAX_SIMPLE_KEY_CHARS: usize = 1024;

/// A place where a simple key may start, waiting for its `:`.
#[derive(Debug, Clone, Copy)]
struct SimpleKey {
    /// The flow level it was found at.
    level: isize,
    /// The number of the token it starts (counting those handed out).
    token_number: usize,
    /// Whether a `:` must follow (a block key at the current indentation).
    required: bool,
    /// Characters before it.
    index: usize,
    mark: Mark,
}

/// PyYAML's scanner over one text.
pub(crate) struct Scanner<'a> {
    reader: Reader<'a>,
    /// Whether the stream end was read.
    done: bool,
    /// Open `[` and `{` less closed `]` and `}`: negative after a stray closer, and
    /// any value but 0 is flow context, as in PyYAML.
    flow_level: isize,
    /// Tokens read and not handed out yet.
    tokens: VecDeque<Token<'a>>,
    /// Where the tokens' values are kept (they outlive the scanner).
    arena: &'a Bump,
    /// Tokens handed out.
    tokens_taken: usize,
    /// The current block indentation, -1 outside any block.
    indent: isize,
    indents: Vec<isize>,
    /// Whether a simple key may start here.
    allow_simple_key: bool,
    /// The possible simple keys, at most one per flow level, lowest level first.
    /// Keys only exist at the current level and below (closing a level drops its
    /// key), and a lower level's key was found before a higher one's: so the keys
    /// that a new line or the length limit makes stale are always the first ones,
    /// and the nearest key is the first.
    possible_simple_keys: VecDeque<SimpleKey>,
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `text`, its stream-start token read, keeping the
    /// values of its tokens in `arena`.
    pub fn new(text: &'a str, arena: &'a Bump) -> Self {
        let reader = Reader::new(text);
        let mark = reader.mark();
        let mut tokens = VecDeque::new();
        tokens.push_back(Token::new(Kind::StreamStart, mark, mark));
        Self {
            reader,
            done: false,
            flow_level: 0,
            tokens,
            arena,
            tokens_taken: 0,
            indent: -1,
            indents: Vec::new(),
            allow_simple_key: true,
            possible_simple_keys: VecDeque::new(),
        }
    }

    /// Whether the next token is of one of `kinds` (`check_token`).
    pub fn check_token(&mut self, kinds: &[Kind]) -> Result<bool, SyntaxProblem> {
        Ok(self.peek_token()?.is_some_and(|t| kinds.contains(&t.kind)))
    }

    /// The next token, left in place; `None` after the stream end.
    pub fn peek_token(&mut self) -> Result<Option<&Token<'a>>, SyntaxProblem> {
        self.fill()?;
        Ok(self.tokens.front())
    }

    /// The next token; `None` after the stream end.
    pub fn get_token(&mut self) -> Result<Option<Token<'a>>, SyntaxProblem> {
        self.fill()?;
        let token = self.tokens.pop_front();
        if token.is_some() {
            self.tokens_taken += 1;
        }
        Ok(token)
    }

    /// `text` kept in the arena, for a token's value.
    fn keep(&self, text: &str) -> &'a str {
        self.arena.alloc_str(text)
    }

    /// Reads tokens until the first one can be handed out.
    fn fill(&mut self) -> Result<(), SyntaxProblem> {
        while self.need_more_tokens()? {
            self.fetch_more_tokens()?;
        }
        Ok(())
    }

    fn need_more_tokens(&mut self) -> Result<bool, SyntaxProblem> {
        if self.done {
            return Ok(false);
        }
        if self.tokens.is_empty() {
            return Ok(true);
        }
        // The first token may start a simple key: look further.
        self.stale_possible_simple_keys()?;
        Ok(self.next_possible_simple_key() == Some(self.tokens_taken))
    }

    fn fetch_more_tokens(&mut self) -> Result<(), SyntaxProblem> {
        self.scan_to_next_token();
        self.stale_possible_simple_keys()?;
        self.unwind_indent(self.reader.column() as isize);
        let ch = self.reader.peek();
        let flow = self.flow_level != 0;
        let at_line_start = self.reader.column() == 0;
        match ch {
            '\0' => self.fetch_stream_end(),
            '%' if at_line_start => self.fetch_directive(),
            // At a line start, a `-` or `.` followed by a document marker.
            '-' if at_line_start && self.reader.at_document_marker() => {
                self.fetch_document_indicator(Kind::DocumentStart)
            }
            '.' if at_line_start && self.reader.at_document_marker() => {
                self.fetch_document_indicator(Kind::DocumentEnd)
            }
            '[' => self.fetch_flow_collection_start(Kind::FlowSequenceStart),
            '{' => self.fetch_flow_collection_start(Kind::FlowMappingStart),
            ']' => self.fetch_flow_collection_end(Kind::FlowSequenceEnd),
            '}' => self.fetch_flow_collection_end(Kind::FlowMappingEnd),
            ',' => self.fetch_flow_entry(),
            '-' if is_blank_or_end(self.reader.peek_at(1)) => self.fetch_block_entry(),
            '?' if flow || is_blank_or_end(self.reader.peek_at(1)) => self.fetch_key(),
            ':' if flow || is_blank_or_end(self.reader.peek_at(1)) => self.fetch_value(),
            '*' => self.fetch_anchor_or_alias(Kind::Alias),
            '&' => self.fetch_anchor_or_alias(Kind::Anchor),
            '!' => self.fetch_tag(),
            '|' if !flow => self.fetch_block_scalar(ScalarStyle::Literal),
            '>' if !flow => self.fetch_block_scalar(ScalarStyle::Folded),
            '\'' => self.fetch_flow_scalar(ScalarStyle::SingleQuoted),
            '"' => self.fetch_flow_scalar(ScalarStyle::DoubleQuoted),
            _ if self.check_plain() => self.fetch_plain(),
            _ => Err(SyntaxProblem::new(
                format!(
                    "found character {} that cannot start any token",
                    char_repr(ch)
                ),
                self.reader.mark(),
            )),
        }
    }

    // Simple keys.

    fn next_possible_simple_key(&self) -> Option<usize> {
        self.possible_simple_keys
            .front()
            .map(|key| key.token_number)
    }

    /// Drops the keys that can no longer be simple keys: on an earlier line, or
    /// more than 1024 characters back. A required key that goes is an error.
    fn stale_possible_simple_keys(&mut self) -> Result<(), SyntaxProblem> {
        while let Some(key) = self.possible_simple_keys.front() {
            let stale = key.mark.line() != self.reader.line()
                || self.reader.index() - key.index > MAX_SIMPLE_KEY_CHARS;
            if !stale {
                break;
            }
            if key.required {
                return Err(self.missing_colon());
            }
            self.possible_simple_keys.pop_front();
        }
        Ok(())
    }

    fn missing_colon(&self) -> SyntaxProblem {
        SyntaxProblem::new("could not find expected ':'", self.reader.mark())
    }

    /// Notes that the next token may start a simple key.
    fn save_possible_simple_key(&mut self) -> Result<(), SyntaxProblem> {
        let required = self.flow_level == 0 && self.indent == self.reader.column() as isize;
        if self.allow_simple_key {
            self.remove_possible_simple_key()?;
            self.possible_simple_keys.push_back(SimpleKey {
                level: self.flow_level,
                token_number: self.tokens_taken + self.tokens.len(),
                required,
                index: self.reader.index(),
                mark: self.reader.mark(),
            });
        }
        Ok(())
    }

    /// Drops the possible key of the current flow level (the last one, if any).
    fn remove_possible_simple_key(&mut self) -> Result<(), SyntaxProblem> {
        if let Some(key) = self.possible_simple_keys.back()
            && key.level == self.flow_level
        {
            if key.required {
                return Err(self.missing_colon());
            }
            self.possible_simple_keys.pop_back();
        }
        Ok(())
    }

    // Indentation.

    /// Closes the blocks indented past `column` (block context only).
    fn unwind_indent(&mut self, column: isize) {
        if self.flow_level != 0 {
            return;
        }
        while self.indent > column {
            let mark = self.reader.mark();
            self.indent = self.indents.pop().unwrap_or(-1);
            self.tokens
                .push_back(Token::new(Kind::BlockEnd, mark, mark));
        }
    }

    /// Opens a block at `column` if it is deeper than the current one.
    fn add_indent(&mut self, column: isize) -> bool {
        if self.indent < column {
            self.indents.push(self.indent);
            self.indent = column;
            return true;
        }
        false
    }

    // Fetchers.

    /// A token of `kind` over the next `chars` characters.
    fn push_indicator(&mut self, kind: Kind, chars: usize) {
        let start = self.reader.mark();
        self.reader.forward_by(chars);
        let end = self.reader.mark();
        self.tokens.push_back(Token::new(kind, start, end));
    }

    fn fetch_stream_end(&mut self) -> Result<(), SyntaxProblem> {
        self.unwind_indent(-1);
        self.remove_possible_simple_key()?;
        self.allow_simple_key = false;
        self.possible_simple_keys.clear();
        let mark = self.reader.mark();
        self.tokens
            .push_back(Token::new(Kind::StreamEnd, mark, mark));
        self.done = true;
        Ok(())
    }

    fn fetch_directive(&mut self) -> Result<(), SyntaxProblem> {
        self.unwind_indent(-1);
        self.remove_possible_simple_key()?;
        self.allow_simple_key = false;
        let token = self.scan_directive()?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_document_indicator(&mut self, kind: Kind) -> Result<(), SyntaxProblem> {
        self.unwind_indent(-1);
        self.remove_possible_simple_key()?;
        self.allow_simple_key = false;
        self.push_indicator(kind, 3);
        Ok(())
    }

    fn fetch_flow_collection_start(&mut self, kind: Kind) -> Result<(), SyntaxProblem> {
        self.save_possible_simple_key()?;
        self.flow_level += 1;
        self.allow_simple_key = true;
        self.push_indicator(kind, 1);
        Ok(())
    }

    fn fetch_flow_collection_end(&mut self, kind: Kind) -> Result<(), SyntaxProblem> {
        self.remove_possible_simple_key()?;
        self.flow_level -= 1;
        self.allow_simple_key = false;
        self.push_indicator(kind, 1);
        Ok(())
    }

    fn fetch_flow_entry(&mut self) -> Result<(), SyntaxProblem> {
        self.allow_simple_key = true;
        self.remove_possible_simple_key()?;
        self.push_indicator(Kind::FlowEntry, 1);
        Ok(())
    }

    fn fetch_block_entry(&mut self) -> Result<(), SyntaxProblem> {
        if self.flow_level == 0 {
            if !self.allow_simple_key {
                return Err(SyntaxProblem::new(
                    "sequence entries are not allowed here",
                    self.reader.mark(),
                ));
            }
            if self.add_indent(self.reader.column() as isize) {
                let mark = self.reader.mark();
                self.tokens
                    .push_back(Token::new(Kind::BlockSequenceStart, mark, mark));
            }
        }
        self.allow_simple_key = true;
        self.remove_possible_simple_key()?;
        self.push_indicator(Kind::BlockEntry, 1);
        Ok(())
    }

    fn fetch_key(&mut self) -> Result<(), SyntaxProblem> {
        if self.flow_level == 0 {
            if !self.allow_simple_key {
                return Err(SyntaxProblem::new(
                    "mapping keys are not allowed here",
                    self.reader.mark(),
                ));
            }
            if self.add_indent(self.reader.column() as isize) {
                let mark = self.reader.mark();
                self.tokens
                    .push_back(Token::new(Kind::BlockMappingStart, mark, mark));
            }
        }
        self.allow_simple_key = self.flow_level == 0;
        self.remove_possible_simple_key()?;
        self.push_indicator(Kind::Key, 1);
        Ok(())
    }

    fn fetch_value(&mut self) -> Result<(), SyntaxProblem> {
        let key = self
            .possible_simple_keys
            .back()
            .filter(|key| key.level == self.flow_level)
            .copied();
        if let Some(key) = key {
            // The simple key's KEY token (and the block mapping it may open) go
            // where the key started.
            self.possible_simple_keys.pop_back();
            let at = (key.token_number - self.tokens_taken).min(self.tokens.len());
            self.tokens
                .insert(at, Token::new(Kind::Key, key.mark, key.mark));
            if self.flow_level == 0 && self.add_indent(key.mark.column() as isize) {
                self.tokens
                    .insert(at, Token::new(Kind::BlockMappingStart, key.mark, key.mark));
            }
            self.allow_simple_key = false;
        } else {
            if self.flow_level == 0 {
                if !self.allow_simple_key {
                    return Err(SyntaxProblem::new(
                        "mapping values are not allowed here",
                        self.reader.mark(),
                    ));
                }
                if self.add_indent(self.reader.column() as isize) {
                    let mark = self.reader.mark();
                    self.tokens
                        .push_back(Token::new(Kind::BlockMappingStart, mark, mark));
                }
            }
            self.allow_simple_key = self.flow_level == 0;
            self.remove_possible_simple_key()?;
        }
        self.push_indicator(Kind::Value, 1);
        Ok(())
    }

    fn fetch_anchor_or_alias(&mut self, kind: Kind) -> Result<(), SyntaxProblem> {
        self.save_possible_simple_key()?;
        self.allow_simple_key = false;
        let token = self.scan_anchor(kind)?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_tag(&mut self) -> Result<(), SyntaxProblem> {
        self.save_possible_simple_key()?;
        self.allow_simple_key = false;
        let token = self.scan_tag()?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_block_scalar(&mut self, style: ScalarStyle) -> Result<(), SyntaxProblem> {
        self.allow_simple_key = true;
        self.remove_possible_simple_key()?;
        let token = self.scan_block_scalar(style)?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_flow_scalar(&mut self, style: ScalarStyle) -> Result<(), SyntaxProblem> {
        self.save_possible_simple_key()?;
        self.allow_simple_key = false;
        let token = self.scan_flow_scalar(style)?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_plain(&mut self) -> Result<(), SyntaxProblem> {
        self.save_possible_simple_key()?;
        // `scan_plain` allows a simple key again if it ends at a line start.
        self.allow_simple_key = false;
        let token = self.scan_plain();
        self.tokens.push_back(token);
        Ok(())
    }

    /// Whether a plain scalar starts at the cursor.
    fn check_plain(&self) -> bool {
        let ch = self.reader.peek();
        let indicator = is_blank_or_end(ch) || "-?:,[]{}#&*!|>'\"%@`".contains(ch);
        !indicator
            || (!is_blank_or_end(self.reader.peek_at(1))
                && (ch == '-' || (self.flow_level == 0 && (ch == '?' || ch == ':'))))
    }

    /// Skips spaces, comments and line breaks up to the next token (and a
    /// byte-order mark at the very start); a line break in block context allows a
    /// simple key.
    fn scan_to_next_token(&mut self) {
        if self.reader.index() == 0 && self.reader.peek() == '\u{feff}' {
            self.reader.forward();
        }
        loop {
            let spaces_end = self.reader.scan_while(|c| c == ' ');
            self.reader.forward_on_line_to(spaces_end);
            if self.reader.peek() == '#' {
                let comment_end = self.reader.scan_while(|c| !is_break_or_end(c));
                self.reader.forward_on_line_to(comment_end);
            }
            if self.reader.line_break().is_none() {
                break;
            }
            if self.flow_level == 0 {
                self.allow_simple_key = true;
            }
        }
    }
}

#[cfg(test)]
mod tests;
