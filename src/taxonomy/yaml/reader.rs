//! PyYAML's reader: the characters of a text with the line and column PyYAML counts
//! (a `\r\n` is one break, a byte-order mark takes no column), and its check that
//! every character is printable.

use super::token::Mark;
use crate::taxonomy::byte_blocks::skip_unflagged_blocks;

/// Whether `c` breaks a line for PyYAML (`'\r\n\x85\u2028\u2029'`).
pub(crate) fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Whether `c` is a break or the end of the text (`'\0\r\n\x85\u2028\u2029'`).
pub(crate) fn is_break_or_end(c: char) -> bool {
    c == '\0' || is_break(c)
}

/// Whether `c` is blank, a break or the end (`'\0 \t\r\n\x85\u2028\u2029'`).
pub(crate) fn is_blank_or_end(c: char) -> bool {
    c == ' ' || c == '\t' || is_break_or_end(c)
}

/// A cursor over a text: the character at the cursor and PyYAML's mark of it. The
/// end of the text reads as `'\0'`, as PyYAML's reader appends one.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    text: &'a str,
    /// Byte offset of the cursor.
    pointer: usize,
    /// Characters before the cursor.
    index: usize,
    line: usize,
    column: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            pointer: 0,
            index: 0,
            line: 0,
            column: 0,
        }
    }

    /// The text read.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The character at byte offset `at`, `'\0'` past the end.
    #[inline]
    fn char_at(&self, at: usize) -> char {
        match self.text.as_bytes().get(at) {
            None => '\0',
            Some(&b) if b < 0x80 => char::from(b),
            Some(_) => self.text[at..].chars().next().unwrap_or('\0'),
        }
    }

    /// The character at the cursor.
    #[inline]
    pub fn peek(&self) -> char {
        self.char_at(self.pointer)
    }

    /// The character `k` characters after the cursor.
    pub fn peek_at(&self, k: usize) -> char {
        let mut at = self.pointer;
        for _ in 0..k {
            match self.char_at(at) {
                '\0' if at >= self.text.len() => return '\0',
                c => at += c.len_utf8(),
            }
        }
        self.char_at(at)
    }

    /// Whether the text at the cursor starts with `prefix`.
    pub fn starts_with(&self, prefix: &str) -> bool {
        self.text.as_bytes()[self.pointer..].starts_with(prefix.as_bytes())
    }

    /// Whether a `---` or `...` document marker is at the cursor, followed by a
    /// blank, a break or the end.
    pub fn at_document_marker(&self) -> bool {
        (self.starts_with("---") || self.starts_with("...")) && is_blank_or_end(self.peek_at(3))
    }

    /// Byte offset of the cursor.
    pub fn pointer(&self) -> usize {
        self.pointer
    }

    /// Characters before the cursor.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The cursor's 0-based line.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The cursor's 0-based column.
    pub fn column(&self) -> usize {
        self.column
    }

    /// PyYAML's mark of the cursor.
    pub fn mark(&self) -> Mark {
        Mark::new(self.pointer, self.line, self.column)
    }

    /// Moves past one character (nothing at the end).
    pub fn forward(&mut self) {
        let c = self.peek();
        if self.pointer >= self.text.len() {
            return;
        }
        self.pointer += c.len_utf8();
        self.index += 1;
        match c {
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => self.new_line(),
            '\r' if self.peek() != '\n' => self.new_line(),
            '\u{feff}' => {}
            _ => self.column += 1,
        }
    }

    fn new_line(&mut self) {
        self.line += 1;
        self.column = 0;
    }

    /// Moves past `n` characters.
    pub fn forward_by(&mut self, n: usize) {
        for _ in 0..n {
            self.forward();
        }
    }

    /// Moves to byte offset `end`, past characters that hold no line break.
    pub fn forward_on_line_to(&mut self, end: usize) {
        let skipped = &self.text[self.pointer..end];
        if skipped.is_ascii() {
            self.index += skipped.len();
            self.column += skipped.len();
        } else {
            for c in skipped.chars() {
                self.index += 1;
                if c != '\u{feff}' {
                    self.column += 1;
                }
            }
        }
        self.pointer = end;
    }

    /// The byte offset just past the run of characters from the cursor on that
    /// `take` accepts (which must accept no line break).
    pub fn scan_while(&self, take: impl Fn(char) -> bool) -> usize {
        let rest = &self.text[self.pointer..];
        let length = rest
            .char_indices()
            .find(|&(_, c)| !take(c))
            .map_or(rest.len(), |(at, _)| at);
        self.pointer + length
    }

    /// The text from byte offset `start` to the cursor.
    pub fn since(&self, start: usize) -> &'a str {
        &self.text[start..self.pointer]
    }

    /// PyYAML's `scan_line_break`: moves past one line break and gives what it reads
    /// as (`\n` for `\r\n`, `\r`, `\n` and NEL; LS and PS as themselves), or `None`
    /// when there is no break at the cursor.
    pub fn line_break(&mut self) -> Option<char> {
        match self.peek() {
            '\r' | '\n' | '\u{85}' => {
                if self.starts_with("\r\n") {
                    self.forward_by(2);
                } else {
                    self.forward();
                }
                Some('\n')
            }
            c @ ('\u{2028}' | '\u{2029}') => {
                self.forward();
                Some(c)
            }
            _ => None,
        }
    }
}

/// Why PyYAML's reader refuses a text: its first character that is not printable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unprintable {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// The character.
    pub character: char,
}

/// PyYAML refuses control characters (and surrogates, and U+FFFE/U+FFFF) before it
/// reads anything.
pub(crate) fn check_printable(text: &str) -> Result<(), Unprintable> {
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
    Err(Unprintable {
        line,
        col,
        character: bad,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_columns_as_pyyaml() {
        // A `\r\n` is one break (its `\r` takes a column), a lone `\r`, NEL, LS and
        // PS each break, and a byte-order mark takes no column anywhere.
        let mut reader = Reader::new("a\r\nb\rc\u{85}d\u{2028}\u{feff}e\u{2029}f");
        let mut marks = Vec::new();
        while reader.peek() != '\0' {
            reader.forward();
            marks.push((reader.line(), reader.column()));
        }
        assert_eq!(
            marks,
            [
                (0, 1),
                (0, 2),
                (1, 0),
                (1, 1),
                (2, 0),
                (2, 1),
                (3, 0),
                (3, 1),
                (4, 0),
                (4, 0),
                (4, 1),
                (5, 0),
                (5, 1)
            ]
        );
        assert_eq!(reader.index(), 13);
    }

    #[test]
    fn finds_the_first_unprintable_character_past_long_ascii_and_unicode() {
        let text = format!("a: {}é{}\u{7f}\n", "x".repeat(40), "y".repeat(40));
        let err = check_printable(&text).expect_err("DEL");
        assert_eq!((err.line, err.col), (1, 4 + 40 + 1 + 40));
        assert_eq!(err.character, '\u{7f}');
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
}
