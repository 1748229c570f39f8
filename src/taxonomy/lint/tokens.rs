//! The token stream yamllint's rules read: PyYAML's scanner tokens (taxon's port of
//! the scanner, `yaml::scanner`), taken as yamllint takes them, and the text they
//! come from with its line starts.

use bumpalo::Bump;

use crate::taxonomy::yaml::scanner::Scanner;
pub(crate) use crate::taxonomy::yaml::token::{Kind, Token};

/// The text with its line starts.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Source<'a> {
    pub text: &'a str,
    line_starts: Vec<usize>,
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
}

/// Which kinds of token a stream has that some rules look for: a rule that cannot
/// find anything without them is not run (most leaves have no flow collection and
/// no alias).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Kinds {
    /// Flow collections, which `braces`, `brackets` and `commas` look at.
    pub flow: bool,
    /// Aliases, which `anchors` looks at.
    pub aliases: bool,
}

impl Kinds {
    /// The kinds among `tokens`, in one pass.
    pub(crate) fn of(tokens: &[Token]) -> Self {
        let mut kinds = Self::default();
        for token in tokens {
            kinds.add(token.kind);
            if kinds.flow && kinds.aliases {
                break;
            }
        }
        kinds
    }

    /// Counts in a token of `kind`.
    pub(crate) fn add(&mut self, kind: Kind) {
        self.flow |= matches!(
            kind,
            Kind::FlowMappingStart
                | Kind::FlowMappingEnd
                | Kind::FlowSequenceStart
                | Kind::FlowSequenceEnd
                | Kind::FlowEntry
        );
        self.aliases |= kind == Kind::Alias;
    }
}

/// The tokens yamllint reads from a text.
pub(crate) struct Stream<'a> {
    /// Every token read before the end of the stream or a scanner error.
    pub tokens: Vec<Token<'a>>,
    /// How many of them yamllint lints: all of them, unless a scanner error cut the
    /// stream, when only those whose next two tokens could still be read.
    pub linted: usize,
}

/// The tokens of the text as yamllint's `token_or_comment_generator` reads them
/// from PyYAML's scanner: each token is linted once the one after it and the one
/// after that could be read, so a scanner error ends the linting two tokens early.
/// Their values are kept in `arena`.
pub(crate) fn tokens<'a>(source: &Source<'a>, arena: &'a Bump) -> Stream<'a> {
    let mut scanner = Scanner::new(source.text, arena);
    let mut tokens = Vec::new();
    let mut linted = 0;
    // Read, not yet taken: the token after the current one's next.
    let mut peeked = false;
    if let Ok(Some(first)) = scanner.get_token() {
        tokens.push(first);
        while let Ok(next) = scanner.get_token() {
            let at_end = next.is_none();
            // A token peeked at as the one after next is in the list already.
            if !std::mem::take(&mut peeked) {
                tokens.extend(next);
            }
            match scanner.peek_token() {
                Ok(Some(nextnext)) => {
                    tokens.push(*nextnext);
                    peeked = true;
                }
                Ok(None) => {}
                Err(_) => break,
            }
            linted += 1;
            if at_end {
                break;
            }
        }
    }
    Stream { tokens, linted }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(text: &str) -> Vec<String> {
        let source = Source::new(text);
        tokens(&source, &Bump::new())
            .tokens
            .iter()
            .map(|t| {
                format!(
                    "{:?} {}:{}-{}:{}",
                    t.kind,
                    t.start.line(),
                    t.start.column(),
                    t.end.line(),
                    t.end.column()
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
        let source = Source::new("a: b\t\n");
        let arena = Bump::new();
        let stream = tokens(&source, &arena);
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
        let arena = Bump::new();
        let scalar = &tokens(&source, &arena).tokens[5];
        assert_eq!((scalar.end.line(), scalar.end.column()), (1, 5));
    }
}
