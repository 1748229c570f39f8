//! The tokens of PyYAML's scanner, with the marks PyYAML gives them: what the loader
//! parses and what yamllint's rules read.

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

impl Kind {
    /// The name PyYAML's messages give a token of this kind (`Token.id`).
    pub(crate) fn id(self) -> &'static str {
        match self {
            Self::StreamStart => "<stream start>",
            Self::StreamEnd => "<stream end>",
            Self::Directive => "<directive>",
            Self::DocumentStart => "<document start>",
            Self::DocumentEnd => "<document end>",
            Self::BlockSequenceStart => "<block sequence start>",
            Self::BlockMappingStart => "<block mapping start>",
            Self::BlockEnd => "<block end>",
            Self::FlowSequenceStart => "[",
            Self::FlowSequenceEnd => "]",
            Self::FlowMappingStart => "{",
            Self::FlowMappingEnd => "}",
            Self::BlockEntry => "-",
            Self::FlowEntry => ",",
            Self::Key => "?",
            Self::Value => ":",
            Self::Alias => "<alias>",
            Self::Anchor => "<anchor>",
            Self::Tag => "<tag>",
            Self::Scalar => "<scalar>",
        }
    }
}

/// How a scalar is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScalarStyle {
    /// Without quotes or indicator.
    #[default]
    Plain,
    /// In single quotes.
    SingleQuoted,
    /// In double quotes.
    DoubleQuoted,
    /// A `|` block scalar.
    Literal,
    /// A `>` block scalar.
    Folded,
}

/// How a block scalar treats its final line breaks (its `-` or `+` indicator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chomping {
    /// `-`: drops them all.
    Strip,
    /// No indicator: keeps one.
    Clip,
    /// `+`: keeps them all.
    Keep,
}

/// A place in the text, as PyYAML marks it: 0-based line and column (in characters,
/// a byte-order mark not counted) and the byte offset.
///
/// Kept in 32 bits each, so that a token takes 64 bytes rather than 88: the tokens
/// of a large file are read three times (built, linted, dropped), and their size is
/// what misses the cache. Leaf files are far smaller than 4 GiB (taxon reads at most
/// [`MAX_FILE_BYTES`](crate::taxonomy::validate::MAX_FILE_BYTES)); a place beyond
/// that would be marked at 4 GiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Mark {
    pointer: u32,
    line: u32,
    column: u32,
}

/// `value` in 32 bits (the largest such number for a larger one).
fn narrow(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl Mark {
    /// The mark of byte offset `pointer`, at 0-based `line` and `column`.
    pub(crate) fn new(pointer: usize, line: usize, column: usize) -> Self {
        Self {
            pointer: narrow(pointer),
            line: narrow(line),
            column: narrow(column),
        }
    }

    /// The byte offset.
    pub(crate) fn pointer(self) -> usize {
        self.pointer as usize
    }

    /// The 0-based line.
    pub(crate) fn line(self) -> usize {
        self.line as usize
    }

    /// The 0-based column, in characters.
    pub(crate) fn column(self) -> usize {
        self.column as usize
    }
}

/// What a tag or directive token holds beyond its `value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extra<'a> {
    /// A tag's handle (`!`, `!!`, `!name!`), `None` for a verbatim `!<...>` tag or a
    /// lone `!`; the token's value is the suffix.
    Handle(Option<&'a str>),
    /// A `%YAML major.minor` directive.
    Yaml(u64, u64),
    /// A `%TAG handle prefix` directive.
    TagDirective(&'a str, &'a str),
}

/// One token. Its text is borrowed, from the source or from an arena beside it, so
/// that a token owns nothing: a large file's tokens are made without an allocation
/// each and dropped without being read again (once out of the cache, reading them
/// to free their strings cost as much as linting them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub kind: Kind,
    pub start: Mark,
    pub end: Mark,
    /// The value of a scalar, the name of an anchor, alias or directive, or the
    /// suffix of a tag.
    pub value: &'a str,
    /// A scalar's style.
    pub style: ScalarStyle,
    /// A tag's handle or a directive's parameters.
    pub extra: Option<&'a Extra<'a>>,
}

impl<'a> Token<'a> {
    /// A token of `kind` without a value.
    pub(crate) fn new(kind: Kind, start: Mark, end: Mark) -> Self {
        Self::with_value(kind, start, end, "")
    }

    /// A token of `kind` holding `value`.
    pub(crate) fn with_value(kind: Kind, start: Mark, end: Mark, value: &'a str) -> Self {
        Self {
            kind,
            start,
            end,
            value,
            style: ScalarStyle::Plain,
            extra: None,
        }
    }

    /// A scalar token.
    pub(crate) fn scalar(value: &'a str, style: ScalarStyle, start: Mark, end: Mark) -> Self {
        Self {
            style,
            ..Self::with_value(Kind::Scalar, start, end, value)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_takes_56_bytes_and_owns_nothing() {
        // A large file's tokens are written, linted and dropped: their size is what
        // misses the cache (88 bytes with marks of three `usize`, 64 with a `String`
        // value), and a token that owned its value was read once more to free it.
        assert_eq!(std::mem::size_of::<Mark>(), 12);
        assert_eq!(std::mem::size_of::<Token<'_>>(), 56);
        assert!(!std::mem::needs_drop::<Token<'_>>());
    }
}
