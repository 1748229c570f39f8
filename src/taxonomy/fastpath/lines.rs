//! The text's lines, and a place in it in the two conventions the fast path reports:
//! PyYAML's marks for the lint tokens and the loader's positions for the document.

use super::Unhandled;
use crate::taxonomy::byte_blocks::find_flagged;
use crate::taxonomy::lint::tokens::Mark;
use crate::taxonomy::yaml::{self, Position, Span};

/// One line: its byte range without the `\n`, and the characters before it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line {
    pub start: usize,
    pub end: usize,
    chars_before: usize,
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
        let mut lines = Vec::with_capacity(text.len() / 40 + 2);
        let mut start = 0;
        let mut chars_before = 0;
        // Most lines are printable ASCII: the text is searched for the next byte
        // that is not, in vectorised blocks, and only a line holding one is looked
        // at closely.
        let bytes = text.as_bytes();
        let mut next_unusual = find_flagged(bytes, 0, unusual);
        // The text ends with a line break: every line ends at one.
        for end in memchr::memchr_iter(b'\n', bytes) {
            let line = &text[start..end];
            let ascii = next_unusual > end;
            let chars = if ascii {
                line.len()
            } else {
                if line.contains('\r') {
                    return Err(Unhandled("carriage return"));
                }
                if line.contains(['\u{85}', '\u{2028}', '\u{2029}', '\u{feff}']) {
                    return Err(Unhandled("NEL, LS, PS or byte-order mark"));
                }
                yaml::check_printable(line).map_err(|_| Unhandled("unprintable character"))?;
                next_unusual = find_flagged(bytes, end, unusual);
                line.chars().count()
            };
            // A line that is not printable ASCII but got here holds other characters.
            lines.push(Line {
                start,
                end,
                chars_before,
                ascii,
            });
            chars_before += chars + 1;
            start = end + 1;
        }
        lines.push(Line {
            start: text.len(),
            end: text.len(),
            chars_before,
            ascii: true,
        });
        Ok(Self { text, lines })
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
        Mark {
            pointer: at.byte,
            line: at.line,
            column: self.column(at),
        }
    }

    /// The loader's position of `at`.
    pub fn position(&self, at: At) -> Position {
        let column = self.column(at);
        Position {
            line: at.line + 1,
            col: column + 1,
            offset: self.lines[at.line].chars_before + column,
        }
    }

    /// The loader's span from `start` to `end`.
    pub fn span(&self, start: At, end: At) -> Span {
        Span {
            start: self.position(start),
            end: self.position(end),
        }
    }
}
