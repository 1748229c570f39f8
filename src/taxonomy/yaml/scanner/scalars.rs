//! Scalars as PyYAML's scanner reads them: plain (continued on lines indented past
//! the enclosing block), quoted (whose continuation lines may sit at any column;
//! only a document marker ends them) and block scalars.

use super::{Scanner, SyntaxProblem, char_repr};
use crate::taxonomy::yaml::reader::{is_blank_or_end, is_break, is_break_or_end};
use crate::taxonomy::yaml::token::{Chomping, Mark, ScalarStyle, Token};

/// The character a double-quoted escape `\c` stands for.
fn escape_replacement(c: char) -> Option<char> {
    Some(match c {
        '0' => '\0',
        'a' => '\u{7}',
        'b' => '\u{8}',
        't' | '\t' => '\t',
        'n' => '\n',
        'v' => '\u{b}',
        'f' => '\u{c}',
        'r' => '\r',
        'e' => '\u{1b}',
        ' ' => ' ',
        '"' => '"',
        '\\' => '\\',
        '/' => '/',
        'N' => '\u{85}',
        '_' => '\u{a0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        _ => return None,
    })
}

/// How many hexadecimal digits follow the escape `\c`.
fn escape_digits(c: char) -> Option<usize> {
    match c {
        'x' => Some(2),
        'u' => Some(4),
        'U' => Some(8),
        _ => None,
    }
}

/// The first code point of the private-use range that stands for lone surrogates.
const SURROGATE_STAND_IN: u32 = 0x10_F800;

/// The character Python's `chr(code)` gives, as taxon keeps it: a lone surrogate
/// (which a Python string may hold and a Rust one may not) becomes its own code
/// point in the last 2,048 of plane 16's private use, so distinct surrogates stay
/// distinct; `None` past U+10FFFF, where Python raises `ValueError`.
fn python_chr(code: u32) -> Option<char> {
    match code {
        0xD800..=0xDFFF => char::from_u32(SURROGATE_STAND_IN + (code - 0xD800)),
        _ => char::from_u32(code),
    }
}

impl<'a> Scanner<'a> {
    /// PyYAML's `scan_plain`: chunks separated by spaces or folded line breaks,
    /// ending at a `: `, a ` #`, a document marker, a line indented no deeper than
    /// the enclosing block (block context), or a flow indicator (flow context).
    pub(super) fn scan_plain(&mut self) -> Token<'a> {
        let mut chunks = String::new();
        let start = self.reader.mark();
        let mut end = start;
        let indent = self.indent + 1;
        let flow = self.flow_level != 0;
        let mut spaces = String::new();
        loop {
            if self.reader.peek() == '#' {
                break;
            }
            let text = self.reader.text();
            let from = self.reader.pointer();
            let mut chars = text[from..].char_indices().peekable();
            let mut length = text.len() - from;
            while let Some((at, ch)) = chars.next() {
                let next = chars.peek().map_or('\0', |&(_, c)| c);
                let stop = is_blank_or_end(ch)
                    || (ch == ':' && (is_blank_or_end(next) || (flow && ",[]{}".contains(next))))
                    || (flow && ",?[]{}".contains(ch));
                if stop {
                    length = at;
                    break;
                }
            }
            if length == 0 {
                break;
            }
            self.allow_simple_key = false;
            chunks.push_str(&spaces);
            chunks.push_str(&text[from..from + length]);
            self.reader.forward_on_line_to(from + length);
            end = self.reader.mark();
            spaces = self.scan_plain_spaces();
            if spaces.is_empty()
                || self.reader.peek() == '#'
                || (!flow && (self.reader.column() as isize) < indent)
            {
                break;
            }
        }
        Token::scalar(self.keep(&chunks), ScalarStyle::Plain, start, end)
    }

    /// PyYAML's `scan_plain_spaces`: what joins the next chunk of a plain scalar
    /// (empty when nothing may follow, as before a document marker).
    fn scan_plain_spaces(&mut self) -> String {
        let mut chunks = String::new();
        let from = self.reader.pointer();
        let spaces_end = self.reader.scan_while(|c| c == ' ');
        self.reader.forward_on_line_to(spaces_end);
        let whitespaces = self.reader.since(from);
        let Some(line_break) = self.reader.line_break() else {
            chunks.push_str(whitespaces);
            return chunks;
        };
        self.allow_simple_key = true;
        if self.reader.at_document_marker() {
            return String::new();
        }
        let mut breaks = String::new();
        loop {
            match self.reader.peek() {
                ' ' => self.reader.forward(),
                c if is_break(c) => {
                    breaks.extend(self.reader.line_break());
                    if self.reader.at_document_marker() {
                        return String::new();
                    }
                }
                _ => break,
            }
        }
        if line_break != '\n' {
            chunks.push(line_break);
        } else if breaks.is_empty() {
            chunks.push(' ');
        }
        chunks.push_str(&breaks);
        chunks
    }

    /// PyYAML's `scan_flow_scalar`: a single- or double-quoted scalar.
    pub(super) fn scan_flow_scalar(
        &mut self,
        style: ScalarStyle,
    ) -> Result<Token<'a>, SyntaxProblem> {
        let double = style == ScalarStyle::DoubleQuoted;
        let mut chunks = String::new();
        let start = self.reader.mark();
        let quote = self.reader.peek();
        self.reader.forward();
        self.scan_flow_scalar_non_spaces(double, &mut chunks)?;
        while self.reader.peek() != quote {
            self.scan_flow_scalar_spaces(&mut chunks)?;
            self.scan_flow_scalar_non_spaces(double, &mut chunks)?;
        }
        self.reader.forward();
        let end = self.reader.mark();
        Ok(Token::scalar(self.keep(&chunks), style, start, end))
    }

    fn scan_flow_scalar_non_spaces(
        &mut self,
        double: bool,
        chunks: &mut String,
    ) -> Result<(), SyntaxProblem> {
        loop {
            let from = self.reader.pointer();
            let run_end = self.reader.scan_while(|c| {
                !matches!(c, '\'' | '"' | '\\' | '\0' | ' ' | '\t') && !is_break(c)
            });
            if run_end > from {
                self.reader.forward_on_line_to(run_end);
                chunks.push_str(self.reader.since(from));
            }
            let ch = self.reader.peek();
            if !double && ch == '\'' && self.reader.peek_at(1) == '\'' {
                chunks.push('\'');
                self.reader.forward_by(2);
            } else if (double && ch == '\'') || (!double && (ch == '"' || ch == '\\')) {
                chunks.push(ch);
                self.reader.forward();
            } else if double && ch == '\\' {
                self.reader.forward();
                self.scan_escape(chunks)?;
            } else {
                return Ok(());
            }
        }
    }

    /// The escape after a `\` in a double-quoted scalar.
    fn scan_escape(&mut self, chunks: &mut String) -> Result<(), SyntaxProblem> {
        let ch = self.reader.peek();
        if let Some(replacement) = escape_replacement(ch) {
            chunks.push(replacement);
            self.reader.forward();
        } else if let Some(length) = escape_digits(ch) {
            self.reader.forward();
            for k in 0..length {
                let digit = self.reader.peek_at(k);
                if !digit.is_ascii_hexdigit() {
                    return Err(SyntaxProblem::new(
                        format!(
                            "expected escape sequence of {length} hexadecimal numbers, but found {}",
                            char_repr(digit)
                        ),
                        self.reader.mark(),
                    ));
                }
            }
            let from = self.reader.pointer();
            let digits = &self.reader.text()[from..from + length];
            let code = u32::from_str_radix(digits, 16).unwrap_or(u32::MAX);
            // Python's `chr` raises past U+10FFFF (a ValueError, not a YAML error).
            let c = python_chr(code).ok_or_else(|| {
                SyntaxProblem::new("chr() arg not in range(0x110000)", self.reader.mark())
            })?;
            chunks.push(c);
            self.reader.forward_by(length);
        } else if is_break(ch) {
            self.reader.line_break();
            self.scan_flow_scalar_breaks(chunks)?;
        } else {
            return Err(SyntaxProblem::new(
                format!("found unknown escape character {}", char_repr(ch)),
                self.reader.mark(),
            ));
        }
        Ok(())
    }

    fn scan_flow_scalar_spaces(&mut self, chunks: &mut String) -> Result<(), SyntaxProblem> {
        let from = self.reader.pointer();
        let blanks_end = self.reader.scan_while(|c| c == ' ' || c == '\t');
        self.reader.forward_on_line_to(blanks_end);
        let whitespaces = self.reader.since(from);
        let ch = self.reader.peek();
        if ch == '\0' {
            return Err(SyntaxProblem::new(
                "found unexpected end of stream",
                self.reader.mark(),
            ));
        }
        if let Some(line_break) = self.reader.line_break() {
            let mut breaks = String::new();
            self.scan_flow_scalar_breaks(&mut breaks)?;
            if line_break != '\n' {
                chunks.push(line_break);
            } else if breaks.is_empty() {
                chunks.push(' ');
            }
            chunks.push_str(&breaks);
        } else {
            chunks.push_str(whitespaces);
        }
        Ok(())
    }

    /// The line breaks of a quoted scalar, whatever the indentation of the lines:
    /// only a document marker is refused.
    fn scan_flow_scalar_breaks(&mut self, chunks: &mut String) -> Result<(), SyntaxProblem> {
        loop {
            if self.reader.at_document_marker() {
                return Err(SyntaxProblem::new(
                    "found unexpected document separator",
                    self.reader.mark(),
                ));
            }
            let blanks_end = self.reader.scan_while(|c| c == ' ' || c == '\t');
            self.reader.forward_on_line_to(blanks_end);
            match self.reader.line_break() {
                Some(line_break) => chunks.push(line_break),
                None => return Ok(()),
            }
        }
    }

    /// PyYAML's `scan_block_scalar`: a literal (`|`) or folded (`>`) scalar.
    pub(super) fn scan_block_scalar(
        &mut self,
        style: ScalarStyle,
    ) -> Result<Token<'a>, SyntaxProblem> {
        let folded = style == ScalarStyle::Folded;
        let mut chunks = String::new();
        let start = self.reader.mark();
        self.reader.forward();
        let (chomping, increment) = self.scan_block_scalar_indicators()?;
        self.scan_block_scalar_ignored_line()?;
        let min_indent = (self.indent + 1).max(1);
        let (mut breaks, mut end, indent) = match increment {
            Some(increment) => {
                let indent = min_indent + increment - 1;
                let (breaks, end) = self.scan_block_scalar_breaks(indent);
                (breaks, end, indent)
            }
            None => {
                let (breaks, max_indent, end) = self.scan_block_scalar_indentation();
                (breaks, end, min_indent.max(max_indent))
            }
        };
        let mut line_break = None;
        while self.reader.column() as isize == indent && self.reader.peek() != '\0' {
            chunks.push_str(&breaks);
            let leading_non_space = !matches!(self.reader.peek(), ' ' | '\t');
            let from = self.reader.pointer();
            let line_end = self.reader.scan_while(|c| !is_break_or_end(c));
            self.reader.forward_on_line_to(line_end);
            chunks.push_str(self.reader.since(from));
            line_break = self.reader.line_break();
            (breaks, end) = self.scan_block_scalar_breaks(indent);
            if self.reader.column() as isize != indent || self.reader.peek() == '\0' {
                break;
            }
            if folded
                && line_break == Some('\n')
                && leading_non_space
                && !matches!(self.reader.peek(), ' ' | '\t')
            {
                if breaks.is_empty() {
                    chunks.push(' ');
                }
            } else {
                chunks.extend(line_break);
            }
        }
        if chomping != Chomping::Strip {
            chunks.extend(line_break);
        }
        if chomping == Chomping::Keep {
            chunks.push_str(&breaks);
        }
        Ok(Token::scalar(self.keep(&chunks), style, start, end))
    }

    /// The chomping and indentation indicators of a block scalar's header.
    fn scan_block_scalar_indicators(&mut self) -> Result<(Chomping, Option<isize>), SyntaxProblem> {
        let mut chomping = Chomping::Clip;
        let mut increment = None;
        let chomping_of = |c: char| match c {
            '+' => Some(Chomping::Keep),
            '-' => Some(Chomping::Strip),
            _ => None,
        };
        let zero = |mark: Mark| {
            SyntaxProblem::new(
                "expected indentation indicator in the range 1-9, but found 0",
                mark,
            )
        };
        if let Some(c) = chomping_of(self.reader.peek()) {
            chomping = c;
            self.reader.forward();
            if let Some(digit) = self.reader.peek().to_digit(10) {
                if digit == 0 {
                    return Err(zero(self.reader.mark()));
                }
                increment = Some(digit as isize);
                self.reader.forward();
            }
        } else if let Some(digit) = self.reader.peek().to_digit(10) {
            if digit == 0 {
                return Err(zero(self.reader.mark()));
            }
            increment = Some(digit as isize);
            self.reader.forward();
            if let Some(c) = chomping_of(self.reader.peek()) {
                chomping = c;
                self.reader.forward();
            }
        }
        let ch = self.reader.peek();
        if !(ch == ' ' || is_break_or_end(ch)) {
            return Err(SyntaxProblem::new(
                format!(
                    "expected chomping or indentation indicators, but found {}",
                    char_repr(ch)
                ),
                self.reader.mark(),
            ));
        }
        Ok((chomping, increment))
    }

    /// The rest of a block scalar's header line: spaces and a comment.
    fn scan_block_scalar_ignored_line(&mut self) -> Result<(), SyntaxProblem> {
        self.skip_to_line_end("expected a comment or a line break, but found")
    }

    /// Skips spaces and a comment, then a line break, or fails with `problem`
    /// followed by the character found.
    pub(super) fn skip_to_line_end(&mut self, problem: &str) -> Result<(), SyntaxProblem> {
        let spaces_end = self.reader.scan_while(|c| c == ' ');
        self.reader.forward_on_line_to(spaces_end);
        if self.reader.peek() == '#' {
            let comment_end = self.reader.scan_while(|c| !is_break_or_end(c));
            self.reader.forward_on_line_to(comment_end);
        }
        let ch = self.reader.peek();
        if !is_break_or_end(ch) {
            return Err(SyntaxProblem::new(
                format!("{problem} {}", char_repr(ch)),
                self.reader.mark(),
            ));
        }
        self.reader.line_break();
        Ok(())
    }

    /// Leading blank lines of a block scalar without an indentation indicator:
    /// their breaks, the deepest indentation seen and the mark after the last break.
    fn scan_block_scalar_indentation(&mut self) -> (String, isize, Mark) {
        let mut chunks = String::new();
        let mut max_indent = 0;
        let mut end = self.reader.mark();
        loop {
            match self.reader.peek() {
                ' ' => {
                    self.reader.forward();
                    max_indent = max_indent.max(self.reader.column() as isize);
                }
                c if is_break(c) => {
                    chunks.extend(self.reader.line_break());
                    end = self.reader.mark();
                }
                _ => return (chunks, max_indent, end),
            }
        }
    }

    /// Line breaks and the indentation (up to `indent`) of the lines after them.
    fn scan_block_scalar_breaks(&mut self, indent: isize) -> (String, Mark) {
        let mut chunks = String::new();
        let mut end = self.reader.mark();
        self.skip_indentation(indent);
        while is_break(self.reader.peek()) {
            chunks.extend(self.reader.line_break());
            end = self.reader.mark();
            self.skip_indentation(indent);
        }
        (chunks, end)
    }

    fn skip_indentation(&mut self, indent: isize) {
        while (self.reader.column() as isize) < indent && self.reader.peek() == ' ' {
            self.reader.forward();
        }
    }
}
