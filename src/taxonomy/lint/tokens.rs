//! The token stream yamllint's rules read: PyYAML's scanner tokens, with the start
//! and end marks PyYAML gives them.
//!
//! The kinds and values come from yaml-rust2's scanner, a port of the same libyaml
//! design as PyYAML's. Its marks differ (a block entry is marked after its `-`, a
//! mapping start at its first `:`, a block scalar at its first content line), so every
//! mark is placed again from the text, the way PyYAML's scanner places it: a token
//! starts where `scan_to_next_token` stops after the previous one, and ends where the
//! scanner's routine for its kind stops. Where PyYAML's scanner would fail and
//! yaml-rust2's does not (a tab where a token should start, an anchor name PyYAML does
//! not accept), the stream is cut there, as PyYAML's is.

use yaml_rust2::scanner::{Scanner, TScalarStyle, TokenType};

/// A scanner token's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    StreamStart,
    StreamEnd,
    Directive,
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias,
    Anchor,
    Tag,
    Scalar,
}

/// A place in the text, as PyYAML marks it: 0-based line and column (in
/// characters); `pointer` is the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark {
    pub pointer: usize,
    pub line: usize,
    pub column: usize,
}

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: Mark,
    pub end: Mark,
    /// The value of a scalar, or the name of an anchor or alias.
    pub value: String,
}

/// The text with its line starts, to turn byte offsets into marks.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Source<'a> {
    pub text: &'a str,
    line_starts: Vec<usize>,
}

/// Whether `c` breaks a line for PyYAML's scanner.
fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Whether `c` ends a word for PyYAML's scanner (`'\0 \t\r\n\x85\u2028\u2029'`).
fn is_blank_or_end(c: Option<char>) -> bool {
    c.is_none_or(|c| c == ' ' || c == '\t' || is_break(c))
}

impl<'a> Source<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut at = 0;
        while at < bytes.len() {
            // `\n`, a `\r` not before `\n`, NEL (C2 85), LS and PS (E2 80 A8/A9).
            let width = match bytes[at] {
                b'\n' => 1,
                b'\r' if bytes.get(at + 1) != Some(&b'\n') => 1,
                0xC2 if bytes.get(at + 1) == Some(&0x85) => 2,
                0xE2 if bytes.get(at + 1) == Some(&0x80)
                    && matches!(bytes.get(at + 2), Some(0xA8 | 0xA9)) =>
                {
                    3
                }
                _ => 0,
            };
            if width > 0 {
                line_starts.push(at + width);
                at += width;
            } else {
                at += 1;
            }
        }
        Self { text, line_starts }
    }

    /// `text` with its line starts already found: 0 and the offset after every
    /// line break, as [`Source::new`] finds them.
    pub(crate) fn with_line_starts(text: &'a str, line_starts: Vec<usize>) -> Self {
        Self { text, line_starts }
    }

    /// The byte offsets where the lines start.
    pub(super) fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    /// The mark of byte offset `pointer`.
    pub fn mark(&self, pointer: usize) -> Mark {
        let line = self.line_starts.partition_point(|&s| s <= pointer) - 1;
        let start = self.line_starts[line];
        // Characters are the bytes that do not continue a UTF-8 sequence; PyYAML's
        // reader does not count a byte-order mark (only ever first) as a column.
        let bytes = &self.text.as_bytes()[start..pointer];
        let chars = bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count();
        let bom = usize::from(start == 0 && bytes.starts_with("\u{feff}".as_bytes()));
        Mark {
            pointer,
            line,
            column: chars - bom,
        }
    }

    /// The character at byte offset `at`.
    pub fn char_at(&self, at: usize) -> Option<char> {
        self.text.get(at..).and_then(|rest| rest.chars().next())
    }

    /// The byte offset after the line break at `at`, if there is one.
    fn after_break(&self, at: usize) -> Option<usize> {
        let rest = self.text.get(at..)?;
        if rest.starts_with("\r\n") {
            Some(at + 2)
        } else {
            rest.chars()
                .next()
                .filter(|&c| is_break(c))
                .map(|c| at + c.len_utf8())
        }
    }

    /// Where PyYAML's `scan_to_next_token` stops, starting from `at`: past spaces,
    /// comments and line breaks (and a byte-order mark at the very start).
    fn next_token_at(&self, mut at: usize) -> usize {
        if at == 0 && self.text.starts_with('\u{feff}') {
            at = '\u{feff}'.len_utf8();
        }
        loop {
            while self.text.as_bytes().get(at) == Some(&b' ') {
                at += 1;
            }
            if self.text.as_bytes().get(at) == Some(&b'#') {
                while let Some(c) = self.char_at(at).filter(|&c| !is_break(c)) {
                    at += c.len_utf8();
                }
            }
            match self.after_break(at) {
                Some(next) => at = next,
                None => return at,
            }
        }
    }

    /// The column of byte offset `at` on its line.
    fn column(&self, at: usize) -> usize {
        self.mark(at).column
    }
}

/// What the marks are placed with: the scanner's block indentation and flow depth.
struct Placer<'s, 'a> {
    source: &'s Source<'a>,
    /// End of the previous token that consumed text.
    cursor: usize,
    /// Columns of the open block collections (PyYAML's indent stack).
    indents: Vec<usize>,
    flow_level: usize,
}

/// The tokens PyYAML's scanner reads from a text.
pub(crate) struct Stream {
    /// Every token read before the end of the stream or a scanner error.
    pub tokens: Vec<Token>,
    /// How many of them yamllint lints: all of them, unless a scanner error cut the
    /// stream, when only those whose next two tokens could still be read.
    pub linted: usize,
    /// Where PyYAML's scanner fails though yaml-rust2's did not, and why.
    pub pyyaml_error: Option<(Mark, String)>,
}

/// Why PyYAML fails where the two scanners part.
const DIVERGENCE: &str = "upstream's YAML 1.1 parser reads this differently and fails here \
     (a `?` inside a flow collection, or a NEL, LS or PS character, which YAML 1.1 \
     takes for a line break)";

/// Whether yaml-rust2 marks tokens of this kind where PyYAML does: all but the
/// zero-width ones, block entries and block scalars.
fn marked_like_pyyaml(kind: &TokenType) -> bool {
    match kind {
        TokenType::Key
        | TokenType::Value
        | TokenType::FlowEntry
        | TokenType::FlowSequenceStart
        | TokenType::FlowSequenceEnd
        | TokenType::FlowMappingStart
        | TokenType::FlowMappingEnd
        | TokenType::Alias(_)
        | TokenType::Anchor(_) => true,
        TokenType::Scalar(style, _) => {
            !matches!(style, TScalarStyle::Literal | TScalarStyle::Folded)
        }
        _ => false,
    }
}

/// Where PyYAML's scanner fails: the byte offset and its description.
struct Cut {
    at: usize,
    problem: String,
}

impl Cut {
    fn tab(at: usize) -> Self {
        Self {
            at,
            problem: "found character '\\t' that cannot start any token".into(),
        }
    }
}

/// The tokens of the text, as yamllint reads them.
pub(crate) fn tokens(source: &Source<'_>) -> Stream {
    // PyYAML does not count a byte-order mark as a column; without it, yaml-rust2's
    // columns are PyYAML's.
    let mut scanner = Scanner::new(source.text.trim_start_matches('\u{feff}').chars());
    let mut placer = Placer {
        source,
        cursor: 0,
        indents: Vec::new(),
        flow_level: 0,
    };
    let mut out = Vec::new();
    let mut complete = false;
    let mut pyyaml_error = None;
    for raw in scanner.by_ref() {
        let is_end = matches!(raw.1, TokenType::StreamEnd);
        let marked_like_pyyaml = marked_like_pyyaml(&raw.1);
        let placed = placer.place(raw.1).and_then(|token| {
            // Where the two scanners no longer agree on where a token starts, they
            // read the text differently, and PyYAML's parser fails there.
            let (line, column) = (raw.0.line().saturating_sub(1), raw.0.col());
            if marked_like_pyyaml && (line, column) != (token.start.line, token.start.column) {
                Err(Cut {
                    at: token.start.pointer,
                    problem: DIVERGENCE.into(),
                })
            } else {
                Ok(token)
            }
        });
        match placed {
            Ok(token) => out.push(token),
            Err(cut) => {
                pyyaml_error = Some((source.mark(cut.at), cut.problem));
                break;
            }
        }
        if is_end {
            complete = true;
            break;
        }
    }
    let linted = if complete {
        out.len()
    } else {
        // PyYAML's scanner failed while yamllint was reading the two tokens after
        // the current one: the last two tokens read are never linted.
        out.len().saturating_sub(2)
    };
    Stream {
        tokens: out,
        linted,
        pyyaml_error,
    }
}

impl Placer<'_, '_> {
    /// The token of kind `raw` with PyYAML's marks, or where PyYAML's scanner would
    /// stop with an error.
    fn place(&mut self, raw: TokenType) -> Result<Token, Cut> {
        let source = self.source;
        let (kind, value) = match raw {
            TokenType::StreamStart(_) => {
                let mark = source.mark(0);
                return Ok(Token {
                    kind: Kind::StreamStart,
                    start: mark,
                    end: mark,
                    value: String::new(),
                });
            }
            TokenType::StreamEnd => (Kind::StreamEnd, String::new()),
            TokenType::VersionDirective(..) | TokenType::TagDirective(..) => {
                (Kind::Directive, String::new())
            }
            TokenType::DocumentStart => (Kind::DocumentStart, String::new()),
            TokenType::DocumentEnd => (Kind::DocumentEnd, String::new()),
            TokenType::BlockSequenceStart => (Kind::BlockSequenceStart, String::new()),
            TokenType::BlockMappingStart => (Kind::BlockMappingStart, String::new()),
            TokenType::BlockEnd => (Kind::BlockEnd, String::new()),
            TokenType::FlowSequenceStart => (Kind::FlowSequenceStart, String::new()),
            TokenType::FlowSequenceEnd => (Kind::FlowSequenceEnd, String::new()),
            TokenType::FlowMappingStart => (Kind::FlowMappingStart, String::new()),
            TokenType::FlowMappingEnd => (Kind::FlowMappingEnd, String::new()),
            TokenType::BlockEntry => (Kind::BlockEntry, String::new()),
            TokenType::FlowEntry => (Kind::FlowEntry, String::new()),
            TokenType::Key => (Kind::Key, String::new()),
            TokenType::Value => (Kind::Value, String::new()),
            TokenType::Alias(name) => (Kind::Alias, name),
            TokenType::Anchor(name) => (Kind::Anchor, name),
            TokenType::Tag(..) => (Kind::Tag, String::new()),
            TokenType::Scalar(style, value) => {
                let start = source.next_token_at(self.cursor);
                if source.char_at(start) == Some('\t') {
                    return Err(Cut::tab(start));
                }
                let end = self.scalar_end(start, style);
                return Ok(self.consume(Kind::Scalar, start, end, value));
            }
        };
        let start = source.next_token_at(self.cursor);
        if source.char_at(start) == Some('\t') {
            return Err(Cut::tab(start));
        }
        let zero_width = matches!(
            kind,
            Kind::StreamEnd | Kind::BlockSequenceStart | Kind::BlockMappingStart | Kind::BlockEnd
        ) || (kind == Kind::Key && !self.is_explicit_key(start));
        if zero_width {
            match kind {
                Kind::BlockSequenceStart | Kind::BlockMappingStart => {
                    self.indents.push(source.column(start));
                }
                Kind::BlockEnd => {
                    self.indents.pop();
                }
                _ => {}
            }
            let mark = source.mark(start);
            return Ok(Token {
                kind,
                start: mark,
                end: mark,
                value,
            });
        }
        let end = match kind {
            Kind::DocumentStart | Kind::DocumentEnd => start + 3,
            Kind::Anchor | Kind::Alias => self.anchor_end(start)?,
            Kind::Tag => self.tag_end(start),
            Kind::Directive => self.directive_end(start),
            _ => start + source.char_at(start).map_or(0, char::len_utf8),
        };
        match kind {
            Kind::FlowSequenceStart | Kind::FlowMappingStart => self.flow_level += 1,
            Kind::FlowSequenceEnd | Kind::FlowMappingEnd => {
                self.flow_level = self.flow_level.saturating_sub(1);
            }
            _ => {}
        }
        Ok(self.consume(kind, start, end, value))
    }

    fn consume(&mut self, kind: Kind, start: usize, end: usize, value: String) -> Token {
        self.cursor = end;
        Token {
            kind,
            start: self.source.mark(start),
            end: self.source.mark(end),
            value,
        }
    }

    /// Whether the key at `at` is an explicit `? key`.
    fn is_explicit_key(&self, at: usize) -> bool {
        self.source.char_at(at) == Some('?') && is_blank_or_end(self.source.char_at(at + 1))
    }

    /// PyYAML's current block indentation (`self.indent`): -1 outside any block.
    fn indent(&self) -> isize {
        self.indents.last().map_or(-1, |&c| c as isize)
    }

    /// The end of an anchor or alias name as PyYAML scans it, or where PyYAML
    /// rejects the name.
    fn anchor_end(&self, start: usize) -> Result<usize, Cut> {
        let text = &self.source.text[start + 1..];
        let length = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(text.len());
        let after = text[length..].chars().next();
        let ends_well = after.is_none_or(|c| is_blank_or_end(Some(c)) || "?:,]}%@`".contains(c));
        if length > 0 && ends_well {
            return Ok(start + 1 + length);
        }
        let found = after.map_or("'\\0'".to_owned(), |c| format!("{c:?}"));
        Err(Cut {
            at: start + 1 + length,
            problem: format!("expected alphabetic or numeric character, but found {found}"),
        })
    }

    /// The end of a tag: its closing `>` for a verbatim tag, else the first blank.
    fn tag_end(&self, start: usize) -> usize {
        let text = &self.source.text[start..];
        if text[1..].starts_with('<') {
            return text.find('>').map_or(text.len(), |at| at + 1) + start;
        }
        start
            + text
                .find(|c: char| is_blank_or_end(Some(c)))
                .unwrap_or(text.len())
    }

    /// The end of a directive: its line without a trailing comment and spaces.
    fn directive_end(&self, start: usize) -> usize {
        let text = &self.source.text[start..];
        let line = &text[..text.find(is_break).unwrap_or(text.len())];
        let content = line.find(" #").map_or(line, |at| &line[..at]);
        start + content.trim_end_matches([' ', '\t']).len()
    }

    /// The end mark PyYAML gives a scalar starting at `start`.
    fn scalar_end(&self, start: usize, style: TScalarStyle) -> usize {
        match style {
            TScalarStyle::Plain => self.plain_end(start),
            TScalarStyle::SingleQuoted => self.quoted_end(start, '\''),
            TScalarStyle::DoubleQuoted => self.quoted_end(start, '"'),
            TScalarStyle::Literal | TScalarStyle::Folded => self.block_end(start),
        }
    }

    /// After the closing quote.
    fn quoted_end(&self, start: usize, quote: char) -> usize {
        let text = &self.source.text;
        let mut chars = text[start + 1..].char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            if quote == '"' && c == '\\' {
                chars.next();
            } else if c == quote {
                if quote == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                    chars.next();
                } else {
                    return start + 1 + at + 1;
                }
            }
        }
        text.len()
    }

    /// PyYAML's `scan_plain`: after the last chunk of content.
    fn plain_end(&self, start: usize) -> usize {
        let source = self.source;
        let text = source.text;
        let flow = self.flow_level > 0;
        let indent = self.indent() + 1;
        let mut at = start;
        let mut end = start;
        loop {
            if source.char_at(at) == Some('#') {
                break;
            }
            let chunk_start = at;
            while let Some(c) = source.char_at(at) {
                let next = source.char_at(at + c.len_utf8());
                let stops = is_blank_or_end(Some(c))
                    || (c == ':'
                        && (is_blank_or_end(next)
                            || (flow && next.is_some_and(|n| ",[]{}".contains(n)))))
                    || (flow && ",?[]{}".contains(c));
                if stops {
                    break;
                }
                at += c.len_utf8();
            }
            if at == chunk_start {
                break;
            }
            end = at;
            // scan_plain_spaces
            let spaces_start = at;
            while text.as_bytes().get(at) == Some(&b' ') {
                at += 1;
            }
            let mut had_spaces = at > spaces_start;
            if let Some(next) = source.after_break(at) {
                at = next;
                if self.document_marker(at) {
                    break;
                }
                loop {
                    if text.as_bytes().get(at) == Some(&b' ') {
                        at += 1;
                    } else if let Some(next) = source.after_break(at) {
                        at = next;
                        if self.document_marker(at) {
                            return end;
                        }
                    } else {
                        break;
                    }
                }
                had_spaces = true;
            }
            if !had_spaces
                || source.char_at(at) == Some('#')
                || (!flow && (source.column(at) as isize) < indent)
            {
                break;
            }
        }
        end
    }

    /// Whether a `---` or `...` document marker starts at `at` (a line start).
    fn document_marker(&self, at: usize) -> bool {
        let text = &self.source.text[at..];
        (text.starts_with("---") || text.starts_with("..."))
            && is_blank_or_end(self.source.char_at(at + 3))
    }

    /// PyYAML's `scan_block_scalar`: at the start of the line after the last line
    /// break it took.
    fn block_end(&self, start: usize) -> usize {
        let source = self.source;
        let text = source.text;
        let mut at = start + 1;
        let mut increment = None;
        for _ in 0..2 {
            match source.char_at(at) {
                Some(c @ '1'..='9') => {
                    increment = c.to_digit(10).map(|d| d as isize);
                    at += 1;
                }
                Some('+' | '-') => at += 1,
                _ => {}
            }
        }
        while text.as_bytes().get(at) == Some(&b' ') {
            at += 1;
        }
        if source.char_at(at) == Some('#') {
            while let Some(c) = source.char_at(at).filter(|&c| !is_break(c)) {
                at += c.len_utf8();
            }
        }
        let Some(next) = source.after_break(at) else {
            return at;
        };
        at = next;
        let min_indent = (self.indent() + 1).max(1);
        let mut end = at;
        let indent = match increment {
            Some(increment) => {
                let indent = min_indent + increment - 1;
                (at, end) = self.block_breaks(at, indent, end);
                indent
            }
            None => {
                let mut max_indent = 0;
                loop {
                    if text.as_bytes().get(at) == Some(&b' ') {
                        at += 1;
                        max_indent = max_indent.max(source.column(at) as isize);
                    } else if let Some(next) = source.after_break(at) {
                        at = next;
                        end = at;
                    } else {
                        break;
                    }
                }
                min_indent.max(max_indent)
            }
        };
        while source.column(at) as isize == indent && at < text.len() {
            while let Some(c) = source.char_at(at).filter(|&c| !is_break(c)) {
                at += c.len_utf8();
            }
            match source.after_break(at) {
                Some(next) => at = next,
                None => return at,
            }
            end = at;
            (at, end) = self.block_breaks(at, indent, end);
        }
        end
    }

    /// PyYAML's `scan_block_scalar_breaks`: indentation and blank lines; the new
    /// position and end mark.
    fn block_breaks(&self, mut at: usize, indent: isize, mut end: usize) -> (usize, usize) {
        let source = self.source;
        let skip_indent = |at: &mut usize| {
            while (source.column(*at) as isize) < indent
                && source.text.as_bytes().get(*at) == Some(&b' ')
            {
                *at += 1;
            }
        };
        skip_indent(&mut at);
        while let Some(next) = source.after_break(at) {
            at = next;
            end = at;
            skip_indent(&mut at);
        }
        (at, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(text: &str) -> Vec<String> {
        let source = Source::new(text);
        tokens(&source)
            .tokens
            .iter()
            .map(|t| {
                format!(
                    "{:?} {}:{}-{}:{}",
                    t.kind, t.start.line, t.start.column, t.end.line, t.end.column
                )
            })
            .collect()
    }

    #[test]
    fn marks_follow_pyyaml() {
        // Recorded from PyYAML 6.0.3's scanner.
        let text = "a: >-\n  folded\n  text\nb:\n- x   # c\n- {k: 1}\n";
        assert_eq!(
            marks(text),
            [
                "StreamStart 0:0-0:0",
                "BlockMappingStart 0:0-0:0",
                "Key 0:0-0:0",
                "Scalar 0:0-0:1",
                "Value 0:1-0:2",
                "Scalar 0:3-3:0",
                "Key 3:0-3:0",
                "Scalar 3:0-3:1",
                "Value 3:1-3:2",
                "BlockEntry 4:0-4:1",
                "Scalar 4:2-4:3",
                "BlockEntry 5:0-5:1",
                "FlowMappingStart 5:2-5:3",
                "Key 5:3-5:3",
                "Scalar 5:3-5:4",
                "Value 5:4-5:5",
                "Scalar 5:6-5:7",
                "FlowMappingEnd 5:7-5:8",
                "BlockEnd 6:0-6:0",
                "StreamEnd 6:0-6:0",
            ]
        );
    }

    #[test]
    fn a_tab_where_a_token_starts_cuts_the_stream() {
        // PyYAML reads StreamStart, BlockMappingStart, Key, Scalar, Value, then fails;
        // yamllint lints only the tokens whose next two it could read.
        let stream = tokens(&Source::new("a: b\t\n"));
        let kinds: Vec<Kind> = stream.tokens[..stream.linted]
            .iter()
            .map(|t| t.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                Kind::StreamStart,
                Kind::BlockMappingStart,
                Kind::Key,
                Kind::Scalar
            ]
        );
    }

    #[test]
    fn plain_scalars_end_at_their_last_word() {
        let text = "k: one\n  two   \n  # note\nn: 1\n";
        let source = Source::new(text);
        let scalar = &tokens(&source).tokens[5];
        assert_eq!((scalar.end.line, scalar.end.column), (1, 5));
    }
}
