//! The text's lines, and a place in them as PyYAML marks it, for the lint tokens and
//! the document's spans alike.

use super::Unhandled;
use crate::taxonomy::byte_blocks::find_flagged;
use crate::taxonomy::yaml::reader::check_printable;
use crate::taxonomy::yaml::token::Mark;
use crate::taxonomy::yaml::{self, Span};

/// One line: its byte range without the `\n`, and whether it is all ASCII.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line {
    pub start: usize,
    pub end: usize,
    ascii: bool,
}

/// Whether a byte is neither a tab, a line feed nor printable ASCII (space to `~`);
/// without branches, for [`find_flagged`].
fn unusual(b: u8) -> bool {
    ((b < b' ') & (b != b'\t') & (b != b'\n')) | (b > b'~')
}

/// A place in the text: a line index and a byte offset on that line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct At {
    pub line: usize,
    pub byte: usize,
}

/// What a line holds, for the block structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Content {
    /// Only spaces, or nothing.
    Blank,
    /// Spaces, then a comment.
    Comment,
    /// Content after this many spaces.
    At(usize),
}

/// The lines of a text that ends with a line break; the last entry is the empty
/// line after the final break, where the stream ends.
pub(super) struct Lines<'a> {
    pub text: &'a str,
    lines: Vec<Line>,
}

impl<'a> Lines<'a> {
    /// Indexes `text`, or refuses a text the fast path does not read: one without a
    /// final line break, with a carriage return, with a character PyYAML takes for a
    /// line break (NEL, LS, PS) or a byte-order mark, or with a character PyYAML
    /// does not accept (which the full pipeline reports).
    pub fn new(text: &'a str) -> Result<Self, Unhandled> {
        if !text.ends_with('\n') {
            return Err(Unhandled("no line break at the end"));
        }
        let bytes = text.as_bytes();
        // Counted first, so that the index is made once at its size: a vector grown
        // by doubling copies itself, and on a large text the copies miss the cache.
        let mut lines = Vec::with_capacity(memchr::memchr_iter(b'\n', bytes).count() + 1);
        let mut start = 0;
        // Most lines are printable ASCII: the text is searched for the next byte
        // that is not, in vectorised blocks, and only a line holding one is looked
        // at closely.
        let mut next_unusual = find_flagged(bytes, 0, unusual);
        // The text ends with a line break: every line ends at one.
        for end in memchr::memchr_iter(b'\n', bytes) {
            let line = &text[start..end];
            let ascii = next_unusual > end;
            if !ascii {
                if line.contains('\r') {
                    return Err(Unhandled("carriage return"));
                }
                if line.contains(['\u{85}', '\u{2028}', '\u{2029}', '\u{feff}']) {
                    return Err(Unhandled("NEL, LS, PS or byte-order mark"));
                }
                check_printable(line).map_err(|_| Unhandled("unprintable character"))?;
                next_unusual = find_flagged(bytes, end, unusual);
            }
            // A line that is not printable ASCII but got here holds other characters.
            lines.push(Line { start, end, ascii });
            start = end + 1;
        }
        lines.push(Line {
            start: text.len(),
            end: text.len(),
            ascii: true,
        });
        Ok(Self { text, lines })
    }

    /// How many lines, the empty one after the last break included.
    pub fn count(&self) -> usize {
        self.lines.len()
    }

    /// The byte offset where each line starts.
    pub fn line_starts(&self) -> Vec<usize> {
        self.lines.iter().map(|line| line.start).collect()
    }

    /// The line at index `line`.
    pub fn line(&self, line: usize) -> Line {
        self.lines[line]
    }

    /// The bytes of line `line`, without its line break.
    pub fn bytes(&self, line: usize) -> &'a [u8] {
        let Line { start, end, .. } = self.lines[line];
        &self.text.as_bytes()[start..end]
    }

    /// Whether `line` is the empty line after the last break.
    pub fn is_end(&self, line: usize) -> bool {
        line + 1 == self.lines.len()
    }

    /// Where the stream ends.
    pub fn end(&self) -> At {
        At {
            line: self.lines.len() - 1,
            byte: self.text.len(),
        }
    }

    /// The place `column` bytes into line `line`.
    pub fn at(&self, line: usize, column: usize) -> At {
        At {
            line,
            byte: self.lines[line].start + column,
        }
    }

    /// What line `line` holds; a tab before its content is refused.
    pub fn content(&self, line: usize) -> Result<Content, Unhandled> {
        let bytes = self.bytes(line);
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        match bytes.get(indent) {
            None => Ok(Content::Blank),
            Some(b'#') => Ok(Content::Comment),
            Some(b'\t') => Err(Unhandled("tab")),
            Some(_) => Ok(Content::At(indent)),
        }
    }

    /// The column of `at`, in characters.
    fn column(&self, at: At) -> usize {
        let line = self.lines[at.line];
        if line.ascii {
            at.byte - line.start
        } else {
            let before = &self.text.as_bytes()[line.start..at.byte];
            before.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
        }
    }

    /// PyYAML's mark of `at`.
    pub fn mark(&self, at: At) -> Mark {
        Mark::new(at.byte, at.line, self.column(at))
    }

    /// The span from `start` to `end`.
    pub fn span(&self, start: At, end: At) -> Span {
        yaml::span(self.mark(start), self.mark(end))
    }
}
