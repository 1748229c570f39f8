//! Scalars: plain keys, plain values over several lines with YAML's line folding,
//! quoted scalars on one line, literal and folded block scalars.
//!
//! Each gives its value once, for both its token and its node, which end where
//! PyYAML's scanner stops.

use super::lines::Content;
use super::{Next, Scanner, Tokens, Unhandled};
use crate::taxonomy::yaml::token::{Chomping, ScalarStyle};

/// PyYAML refuses a simple key longer than this (in characters); the fast path
/// leaves anything close to it alone.
const MAX_KEY_BYTES: usize = 1000;

/// A plain key on one line: where its text ends and where its `:` is.
pub(super) struct Key {
    pub end: usize,
    pub colon: usize,
}

impl<'a, T: Tokens<'a>> Scanner<'a, T> {
    /// The plain key at `column` of `line`, if the line holds `key:` there.
    pub(super) fn key_at(&self, line: usize, column: usize) -> Result<Option<Key>, Unhandled> {
        let bytes = self.lines.bytes(line);
        if !starts_plain(bytes, column) {
            return Ok(None);
        }
        let mut end = column;
        let mut at = column;
        while at < bytes.len() {
            match bytes[at] {
                b'\t' => return Err(Unhandled("tab")),
                b':' if matches!(bytes.get(at + 1), None | Some(b' ')) => {
                    if at - column > MAX_KEY_BYTES {
                        return Err(Unhandled("long key"));
                    }
                    return Ok(Some(Key { end, colon: at }));
                }
                b'#' if bytes[at - 1] == b' ' => return Ok(None),
                b' ' => {}
                _ => end = at + 1,
            }
            at += 1;
        }
        Ok(None)
    }

    /// A plain scalar starting at `column` of `line`, its lines after the first
    /// indented past `parent`.
    pub(super) fn plain(
        &mut self,
        line: usize,
        column: usize,
        parent: isize,
    ) -> Result<Next, Unhandled> {
        let min_indent = (parent + 1) as usize;
        let start = self.lines.at(line, column);
        let mut value = std::mem::take(&mut self.value);
        value.clear();
        let (mut end, mut comment) = self.plain_line(line, column, &mut value)?;
        let mut last = line;
        while !comment {
            let mut breaks = 0;
            let mut next = last + 1;
            let indent = loop {
                if self.lines.is_end(next) {
                    break None;
                }
                match self.lines.content(next)? {
                    Content::Blank => breaks += 1,
                    Content::Comment => break None,
                    Content::At(indent) => break Some(indent).filter(|&i| i >= min_indent),
                }
                next += 1;
            };
            let Some(indent) = indent else { break };
            if breaks == 0 {
                value.push(' ');
            }
            value.extend(std::iter::repeat_n('\n', breaks));
            (end, comment) = self.plain_line(next, indent, &mut value)?;
            last = next;
        }
        let end = self.lines.at(last, end);
        self.scalar(&value, ScalarStyle::Plain, start, end)?;
        self.value = value;
        self.next_content(last + 1)
    }

    /// Adds the words of one line of a plain scalar from `column` on to `value`: the
    /// column after its last word, and whether a comment ends it.
    fn plain_line(
        &self,
        line: usize,
        column: usize,
        value: &mut String,
    ) -> Result<(usize, bool), Unhandled> {
        let bytes = self.lines.bytes(line);
        let text = &self.lines.text[self.lines.line(line).start..self.lines.line(line).end];
        let mut end = column;
        let mut at = column;
        while at < bytes.len() {
            match bytes[at] {
                b'\t' => return Err(Unhandled("tab")),
                b':' if matches!(bytes.get(at + 1), None | Some(b' ' | b'\t')) => {
                    return Err(Unhandled("`: ` in a plain scalar"));
                }
                b'#' if bytes[at - 1] == b' ' => {
                    value.push_str(&text[column..end]);
                    return Ok((end, true));
                }
                b' ' => {}
                _ => end = at + 1,
            }
            at += 1;
        }
        value.push_str(&text[column..end]);
        Ok((end, false))
    }

    /// A single- or double-quoted scalar on one line, without escapes.
    pub(super) fn quoted(&mut self, line: usize, column: usize) -> Result<Next, Unhandled> {
        let bytes = self.lines.bytes(line);
        let text = &self.lines.text[self.lines.line(line).start..self.lines.line(line).end];
        let quote = bytes[column];
        let mut value = std::mem::take(&mut self.value);
        value.clear();
        let mut at = column + 1;
        let close = loop {
            let found = bytes[at..]
                .iter()
                .position(|&b| b == quote || b == b'\\' || b == b'\t')
                .map(|i| at + i)
                .ok_or(Unhandled("quoted scalar over several lines"))?;
            match bytes[found] {
                b'\\' if quote == b'"' => return Err(Unhandled("escape")),
                b'\t' => return Err(Unhandled("tab")),
                b'\'' if bytes.get(found + 1) == Some(&b'\'') => {
                    value.push_str(&text[at..=found]);
                    at = found + 2;
                }
                b'\\' => {
                    value.push_str(&text[at..=found]);
                    at = found + 1;
                }
                _ => {
                    value.push_str(&text[at..found]);
                    break found;
                }
            }
        };
        let rest = &bytes[close + 1..];
        let spaces = rest.iter().take_while(|&&b| b == b' ').count();
        if !(spaces == rest.len() || (spaces > 0 && rest[spaces] == b'#')) {
            return Err(Unhandled("text after a quoted scalar"));
        }
        let style = if quote == b'"' {
            ScalarStyle::DoubleQuoted
        } else {
            ScalarStyle::SingleQuoted
        };
        let start = self.lines.at(line, column);
        self.scalar(&value, style, start, self.lines.at(line, close + 1))?;
        self.value = value;
        self.next_content(line + 1)
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header is at `column` of
    /// `line`, its content indented past `parent`.
    pub(super) fn block_scalar(
        &mut self,
        line: usize,
        column: usize,
        parent: isize,
    ) -> Result<Next, Unhandled> {
        let bytes = self.lines.bytes(line);
        let folded = bytes[column] == b'>';
        let (chomping, after) = match bytes.get(column + 1) {
            Some(b'-') => (Chomping::Strip, column + 2),
            Some(b'+') => (Chomping::Keep, column + 2),
            _ => (Chomping::Clip, column + 1),
        };
        let rest = &bytes[after..];
        let spaces = rest.iter().take_while(|&&b| b == b' ').count();
        if !(spaces == rest.len() || (spaces > 0 && rest[spaces] == b'#')) {
            return Err(Unhandled("block scalar header"));
        }
        let first = line + 1;
        let indent = match self.lines.content(first) {
            Ok(Content::At(_) | Content::Comment) if !self.lines.is_end(first) => self
                .lines
                .bytes(first)
                .iter()
                .take_while(|&&b| b == b' ')
                .count(),
            _ => return Err(Unhandled("block scalar without a first content line")),
        };
        if indent as isize <= parent || indent == 0 {
            return Err(Unhandled("empty block scalar"));
        }
        let mut value = std::mem::take(&mut self.value);
        value.clear();
        let mut trailing_breaks = 0;
        let mut leading_blank = false;
        let mut current = first;
        loop {
            let Body::Content(content) = self.body_line(current, indent)? else {
                return Err(Unhandled("block scalar line"));
            };
            // The loader's folding: a break between two lines that do not start
            // with a blank becomes a space, or the empty lines between them.
            let trailing_blank = matches!(content.as_bytes().first(), Some(b' ' | b'\t'));
            if current > first {
                if folded && !leading_blank && !trailing_blank {
                    if trailing_breaks == 0 {
                        value.push(' ');
                    }
                } else {
                    value.push('\n');
                }
            }
            value.extend(std::iter::repeat_n('\n', trailing_breaks));
            trailing_breaks = 0;
            leading_blank = trailing_blank;
            value.push_str(content);
            current += 1;
            let ends = loop {
                match self.body_line(current, indent)? {
                    Body::Blank => {
                        trailing_breaks += 1;
                        current += 1;
                    }
                    Body::Content(_) => break false,
                    Body::End => break true,
                }
            };
            if ends {
                break;
            }
        }
        if chomping != Chomping::Strip {
            value.push('\n');
        }
        if chomping == Chomping::Keep {
            value.extend(std::iter::repeat_n('\n', trailing_breaks));
        }
        let style = if folded {
            ScalarStyle::Folded
        } else {
            ScalarStyle::Literal
        };
        let (start, end) = (self.lines.at(line, column), self.lines.at(current, 0));
        self.scalar(&value, style, start, end)?;
        self.value = value;
        self.next_content(current)
    }

    /// Line `line` of a block scalar whose content is indented by `indent`.
    fn body_line(&self, line: usize, indent: usize) -> Result<Body<'_>, Unhandled> {
        if self.lines.is_end(line) {
            return Ok(Body::End);
        }
        let bytes = self.lines.bytes(line);
        let spaces = bytes.iter().take_while(|&&b| b == b' ').count();
        if spaces >= indent {
            if bytes.len() == indent {
                return Ok(Body::Blank);
            }
            let start = self.lines.line(line).start;
            return Ok(Body::Content(
                &self.lines.text[start + indent..self.lines.line(line).end],
            ));
        }
        match bytes.get(spaces) {
            None => Ok(Body::Blank),
            Some(b'\t') => Err(Unhandled("tab")),
            Some(_) => Ok(Body::End),
        }
    }
}

/// A line of a block scalar.
enum Body<'t> {
    /// Only spaces, no more than the scalar's indentation: a line break.
    Blank,
    /// A content line, without the indentation.
    Content(&'t str),
    /// A less indented line, or the end of the stream: the scalar ends there.
    End,
}

/// Whether a plain scalar can start at `column` of `bytes` in block context.
fn starts_plain(bytes: &[u8], column: usize) -> bool {
    match bytes.get(column) {
        None | Some(b' ' | b'\t') => false,
        Some(b'-' | b'?' | b':') => !matches!(bytes.get(column + 1), None | Some(b' ' | b'\t')),
        Some(
            b'[' | b']' | b'{' | b'}' | b',' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
            | b'"' | b'%' | b'@' | b'`',
        ) => false,
        Some(_) => true,
    }
}
