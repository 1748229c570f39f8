//! PyYAML's parser (`yaml/parser.py` of PyYAML 6.0.3), ported state for state: the
//! events of a token stream, produced one at a time as they are asked for, with
//! PyYAML's marks and errors.

use bumpalo::Bump;

use super::scanner::{Scanner, SyntaxProblem};
use super::token::{Extra, Kind, Mark, ScalarStyle, Token};

/// What a node event carries besides its marks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Properties {
    /// The anchor's name.
    pub anchor: Option<String>,
    /// The tag, its handle resolved (`tag:yaml.org,2002:str`, `!local`, `!`).
    pub tag: Option<String>,
}

/// A parser event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EventKind {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(String),
    Scalar {
        properties: Properties,
        /// Whether the composer resolves the value from its text (PyYAML's
        /// `implicit[0]`): a plain scalar without a tag, or the tag `!`.
        implicit: bool,
        value: String,
        style: ScalarStyle,
    },
    SequenceStart(Properties),
    SequenceEnd,
    MappingStart(Properties),
    MappingEnd,
}

/// One event and its marks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    pub kind: EventKind,
    pub start: Mark,
    pub end: Mark,
}

impl Event {
    fn new(kind: EventKind, start: Mark, end: Mark) -> Self {
        Self { kind, start, end }
    }

    fn empty_scalar(mark: Mark) -> Self {
        Self::new(
            EventKind::Scalar {
                properties: Properties::default(),
                implicit: true,
                value: String::new(),
                style: ScalarStyle::Plain,
            },
            mark,
            mark,
        )
    }
}

/// The parser's states (PyYAML's `parse_*` methods).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StreamStart,
    ImplicitDocumentStart,
    DocumentStart,
    DocumentEnd,
    DocumentContent,
    BlockNode,
    BlockSequenceFirstEntry,
    BlockSequenceEntry,
    IndentlessSequenceEntry,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingValue,
    FlowSequenceFirstEntry,
    FlowSequenceEntry,
    FlowSequenceEntryMappingKey,
    FlowSequenceEntryMappingValue,
    FlowSequenceEntryMappingEnd,
    FlowMappingFirstKey,
    FlowMappingKey,
    FlowMappingValue,
    FlowMappingEmptyValue,
    /// After the stream end.
    Done,
}

/// The default tag handles.
const DEFAULT_TAGS: [(&str, &str); 2] = [("!", "!"), ("!!", "tag:yaml.org,2002:")];

/// PyYAML's parser over one text.
pub(crate) struct Parser<'a> {
    scanner: Scanner<'a>,
    current: Option<Event>,
    state: State,
    states: Vec<State>,
    marks: Vec<Mark>,
    tag_handles: Vec<(String, String)>,
}

impl<'a> Parser<'a> {
    /// A parser at the start of `text`, its scanner keeping token values in `arena`.
    pub fn new(text: &'a str, arena: &'a Bump) -> Self {
        Self {
            scanner: Scanner::new(text, arena),
            current: None,
            state: State::StreamStart,
            states: Vec::new(),
            marks: Vec::new(),
            tag_handles: Vec::new(),
        }
    }

    /// The next event, left in place; `None` after the stream end.
    pub fn peek_event(&mut self) -> Result<Option<&Event>, SyntaxProblem> {
        if self.current.is_none() && self.state != State::Done {
            self.current = Some(self.next()?);
        }
        Ok(self.current.as_ref())
    }

    /// The next event; `None` after the stream end.
    pub fn get_event(&mut self) -> Result<Option<Event>, SyntaxProblem> {
        self.peek_event()?;
        Ok(self.current.take())
    }

    fn next(&mut self) -> Result<Event, SyntaxProblem> {
        match self.state {
            State::StreamStart => self.parse_stream_start(),
            State::ImplicitDocumentStart => self.parse_implicit_document_start(),
            State::DocumentStart | State::Done => self.parse_document_start(),
            State::DocumentEnd => self.parse_document_end(),
            State::DocumentContent => self.parse_document_content(),
            State::BlockNode => self.parse_node(true, false),
            State::BlockSequenceFirstEntry => {
                let token = self.token()?;
                self.marks.push(token.start);
                self.parse_block_sequence_entry()
            }
            State::BlockSequenceEntry => self.parse_block_sequence_entry(),
            State::IndentlessSequenceEntry => self.parse_indentless_sequence_entry(),
            State::BlockMappingFirstKey => {
                let token = self.token()?;
                self.marks.push(token.start);
                self.parse_block_mapping_key()
            }
            State::BlockMappingKey => self.parse_block_mapping_key(),
            State::BlockMappingValue => self.parse_block_mapping_value(),
            State::FlowSequenceFirstEntry => {
                let token = self.token()?;
                self.marks.push(token.start);
                self.parse_flow_sequence_entry(true)
            }
            State::FlowSequenceEntry => self.parse_flow_sequence_entry(false),
            State::FlowSequenceEntryMappingKey => self.parse_flow_sequence_entry_mapping_key(),
            State::FlowSequenceEntryMappingValue => self.parse_flow_sequence_entry_mapping_value(),
            State::FlowSequenceEntryMappingEnd => {
                self.state = State::FlowSequenceEntry;
                let mark = self.peek()?.start;
                Ok(Event::new(EventKind::MappingEnd, mark, mark))
            }
            State::FlowMappingFirstKey => {
                let token = self.token()?;
                self.marks.push(token.start);
                self.parse_flow_mapping_key(true)
            }
            State::FlowMappingKey => self.parse_flow_mapping_key(false),
            State::FlowMappingValue => self.parse_flow_mapping_value(),
            State::FlowMappingEmptyValue => {
                self.state = State::FlowMappingKey;
                let mark = self.peek()?.start;
                Ok(Event::empty_scalar(mark))
            }
        }
    }

    // Token access. The scanner ends with a stream-end token, which the parser
    // never moves past: a missing token cannot happen, but is read as the end.

    fn check(&mut self, kinds: &[Kind]) -> Result<bool, SyntaxProblem> {
        self.scanner.check_token(kinds)
    }

    fn peek(&mut self) -> Result<&Token<'a>, SyntaxProblem> {
        self.scanner
            .peek_token()?
            .ok_or_else(|| SyntaxProblem::new("found unexpected end of stream", Mark::default()))
    }

    fn token(&mut self) -> Result<Token<'a>, SyntaxProblem> {
        self.scanner
            .get_token()?
            .ok_or_else(|| SyntaxProblem::new("found unexpected end of stream", Mark::default()))
    }

    fn pop_state(&mut self) -> State {
        self.states.pop().unwrap_or(State::Done)
    }

    fn pop_mark(&mut self) {
        self.marks.pop();
    }

    /// "expected X, but found Y" at the next token.
    fn unexpected(&mut self, expected: &str, verb: &str) -> SyntaxProblem {
        match self.peek() {
            Ok(token) => SyntaxProblem::new(
                format!("expected {expected}, but {verb} '{}'", token.kind.id()),
                token.start,
            ),
            Err(problem) => problem,
        }
    }

    // Streams and documents.

    fn parse_stream_start(&mut self) -> Result<Event, SyntaxProblem> {
        let token = self.token()?;
        self.state = State::ImplicitDocumentStart;
        Ok(Event::new(EventKind::StreamStart, token.start, token.end))
    }

    fn parse_implicit_document_start(&mut self) -> Result<Event, SyntaxProblem> {
        if self.check(&[Kind::Directive, Kind::DocumentStart, Kind::StreamEnd])? {
            return self.parse_document_start();
        }
        self.tag_handles = default_tag_handles();
        let mark = self.peek()?.start;
        self.states.push(State::DocumentEnd);
        self.state = State::BlockNode;
        Ok(Event::new(EventKind::DocumentStart, mark, mark))
    }

    fn parse_document_start(&mut self) -> Result<Event, SyntaxProblem> {
        while self.check(&[Kind::DocumentEnd])? {
            self.token()?;
        }
        if self.check(&[Kind::StreamEnd])? {
            let token = self.token()?;
            self.state = State::Done;
            return Ok(Event::new(EventKind::StreamEnd, token.start, token.end));
        }
        let start = self.peek()?.start;
        self.process_directives()?;
        if !self.check(&[Kind::DocumentStart])? {
            return Err(self.unexpected("'<document start>'", "found"));
        }
        let token = self.token()?;
        self.states.push(State::DocumentEnd);
        self.state = State::DocumentContent;
        Ok(Event::new(EventKind::DocumentStart, start, token.end))
    }

    fn parse_document_end(&mut self) -> Result<Event, SyntaxProblem> {
        let start = self.peek()?.start;
        let mut end = start;
        if self.check(&[Kind::DocumentEnd])? {
            end = self.token()?.end;
        }
        self.state = State::DocumentStart;
        Ok(Event::new(EventKind::DocumentEnd, start, end))
    }

    fn parse_document_content(&mut self) -> Result<Event, SyntaxProblem> {
        let ends = [
            Kind::Directive,
            Kind::DocumentStart,
            Kind::DocumentEnd,
            Kind::StreamEnd,
        ];
        if self.check(&ends)? {
            let mark = self.peek()?.start;
            self.state = self.pop_state();
            return Ok(Event::empty_scalar(mark));
        }
        self.parse_node(true, false)
    }

    fn process_directives(&mut self) -> Result<(), SyntaxProblem> {
        let mut yaml_version = false;
        self.tag_handles.clear();
        while self.check(&[Kind::Directive])? {
            let token = self.token()?;
            match token.extra {
                Some(Extra::Yaml(major, _)) => {
                    if yaml_version {
                        return Err(SyntaxProblem::new(
                            "found duplicate YAML directive",
                            token.start,
                        ));
                    }
                    if *major != 1 {
                        return Err(SyntaxProblem::new(
                            "found incompatible YAML document (version 1.* is required)",
                            token.start,
                        ));
                    }
                    yaml_version = true;
                }
                Some(Extra::TagDirective(handle, prefix)) => {
                    if self.tag_handles.iter().any(|(h, _)| h == handle) {
                        return Err(SyntaxProblem::new(
                            format!("duplicate tag handle {}", super::repr::str_repr(handle)),
                            token.start,
                        ));
                    }
                    self.tag_handles
                        .push(((*handle).to_owned(), (*prefix).to_owned()));
                }
                _ => {}
            }
        }
        for (handle, prefix) in DEFAULT_TAGS {
            if !self.tag_handles.iter().any(|(h, _)| h == handle) {
                self.tag_handles
                    .push((handle.to_owned(), prefix.to_owned()));
            }
        }
        Ok(())
    }

    // Nodes.

    fn parse_node(
        &mut self,
        block: bool,
        indentless_sequence: bool,
    ) -> Result<Event, SyntaxProblem> {
        if self.check(&[Kind::Alias])? {
            let token = self.token()?;
            self.state = self.pop_state();
            return Ok(Event::new(
                EventKind::Alias(token.value.to_owned()),
                token.start,
                token.end,
            ));
        }
        let mut properties = Properties::default();
        let mut marks: Option<(Mark, Mark)> = None;
        let mut tag: Option<(Option<String>, String, Mark)> = None;
        if self.check(&[Kind::Anchor])? {
            let token = self.token()?;
            marks = Some((token.start, token.end));
            properties.anchor = Some(token.value.to_owned());
            if self.check(&[Kind::Tag])? {
                let token = self.token()?;
                marks = marks.map(|(start, _)| (start, token.end));
                tag = Some(tag_parts(token));
            }
        } else if self.check(&[Kind::Tag])? {
            let token = self.token()?;
            marks = Some((token.start, token.end));
            tag = Some(tag_parts(token));
            if self.check(&[Kind::Anchor])? {
                let token = self.token()?;
                marks = marks.map(|(start, _)| (start, token.end));
                properties.anchor = Some(token.value.to_owned());
            }
        }
        if let Some((handle, suffix, tag_mark)) = tag {
            properties.tag = Some(match handle {
                Some(handle) => {
                    let Some((_, prefix)) = self.tag_handles.iter().find(|(h, _)| *h == handle)
                    else {
                        return Err(SyntaxProblem::new(
                            format!(
                                "found undefined tag handle {}",
                                super::repr::str_repr(&handle)
                            ),
                            tag_mark,
                        ));
                    };
                    format!("{prefix}{suffix}")
                }
                None => suffix,
            });
        }
        let (start, mut end) = match marks {
            Some(marks) => marks,
            None => {
                let mark = self.peek()?.start;
                (mark, mark)
            }
        };
        let implicit = properties.tag.as_deref().is_none_or(|tag| tag == "!");
        if indentless_sequence && self.check(&[Kind::BlockEntry])? {
            end = self.peek()?.end;
            self.state = State::IndentlessSequenceEntry;
            return Ok(Event::new(EventKind::SequenceStart(properties), start, end));
        }
        if self.check(&[Kind::Scalar])? {
            let token = self.token()?;
            let implicit = (token.style == ScalarStyle::Plain && properties.tag.is_none())
                || properties.tag.as_deref() == Some("!");
            self.state = self.pop_state();
            return Ok(Event::new(
                EventKind::Scalar {
                    properties,
                    implicit,
                    value: token.value.to_owned(),
                    style: token.style,
                },
                start,
                token.end,
            ));
        }
        let collection = if self.check(&[Kind::FlowSequenceStart])? {
            end = self.peek()?.end;
            self.state = State::FlowSequenceFirstEntry;
            EventKind::SequenceStart(properties)
        } else if self.check(&[Kind::FlowMappingStart])? {
            end = self.peek()?.end;
            self.state = State::FlowMappingFirstKey;
            EventKind::MappingStart(properties)
        } else if block && self.check(&[Kind::BlockSequenceStart])? {
            end = self.peek()?.start;
            self.state = State::BlockSequenceFirstEntry;
            EventKind::SequenceStart(properties)
        } else if block && self.check(&[Kind::BlockMappingStart])? {
            end = self.peek()?.start;
            self.state = State::BlockMappingFirstKey;
            EventKind::MappingStart(properties)
        } else if properties.anchor.is_some() || properties.tag.is_some() {
            // An empty scalar may carry an anchor or a tag.
            self.state = self.pop_state();
            EventKind::Scalar {
                properties,
                implicit,
                value: String::new(),
                style: ScalarStyle::Plain,
            }
        } else {
            let token = self.peek()?;
            return Err(SyntaxProblem::new(
                format!("expected the node content, but found '{}'", token.kind.id()),
                token.start,
            ));
        };
        Ok(Event::new(collection, start, end))
    }

    // Block collections.

    fn parse_block_sequence_entry(&mut self) -> Result<Event, SyntaxProblem> {
        if self.check(&[Kind::BlockEntry])? {
            let token = self.token()?;
            if !self.check(&[Kind::BlockEntry, Kind::BlockEnd])? {
                self.states.push(State::BlockSequenceEntry);
                return self.parse_node(true, false);
            }
            self.state = State::BlockSequenceEntry;
            return Ok(Event::empty_scalar(token.end));
        }
        if !self.check(&[Kind::BlockEnd])? {
            return Err(self.unexpected("<block end>", "found"));
        }
        let token = self.token()?;
        self.state = self.pop_state();
        self.pop_mark();
        Ok(Event::new(EventKind::SequenceEnd, token.start, token.end))
    }

    fn parse_indentless_sequence_entry(&mut self) -> Result<Event, SyntaxProblem> {
        if self.check(&[Kind::BlockEntry])? {
            let token = self.token()?;
            let ends = [Kind::BlockEntry, Kind::Key, Kind::Value, Kind::BlockEnd];
            if !self.check(&ends)? {
                self.states.push(State::IndentlessSequenceEntry);
                return self.parse_node(true, false);
            }
            self.state = State::IndentlessSequenceEntry;
            return Ok(Event::empty_scalar(token.end));
        }
        let mark = self.peek()?.start;
        self.state = self.pop_state();
        Ok(Event::new(EventKind::SequenceEnd, mark, mark))
    }

    fn parse_block_mapping_key(&mut self) -> Result<Event, SyntaxProblem> {
        if self.check(&[Kind::Key])? {
            let token = self.token()?;
            if !self.check(&[Kind::Key, Kind::Value, Kind::BlockEnd])? {
                self.states.push(State::BlockMappingValue);
                return self.parse_node(true, true);
            }
            self.state = State::BlockMappingValue;
            return Ok(Event::empty_scalar(token.end));
        }
        if !self.check(&[Kind::BlockEnd])? {
            return Err(self.unexpected("<block end>", "found"));
        }
        let token = self.token()?;
        self.state = self.pop_state();
        self.pop_mark();
        Ok(Event::new(EventKind::MappingEnd, token.start, token.end))
    }

    fn parse_block_mapping_value(&mut self) -> Result<Event, SyntaxProblem> {
        if self.check(&[Kind::Value])? {
            let token = self.token()?;
            if !self.check(&[Kind::Key, Kind::Value, Kind::BlockEnd])? {
                self.states.push(State::BlockMappingKey);
                return self.parse_node(true, true);
            }
            self.state = State::BlockMappingKey;
            return Ok(Event::empty_scalar(token.end));
        }
        self.state = State::BlockMappingKey;
        let mark = self.peek()?.start;
        Ok(Event::empty_scalar(mark))
    }

    // Flow collections.

    fn parse_flow_sequence_entry(&mut self, first: bool) -> Result<Event, SyntaxProblem> {
        if !self.check(&[Kind::FlowSequenceEnd])? {
            if !first {
                if !self.check(&[Kind::FlowEntry])? {
                    return Err(self.unexpected("',' or ']'", "got"));
                }
                self.token()?;
            }
            if self.check(&[Kind::Key])? {
                let token = self.peek()?;
                let (start, end) = (token.start, token.end);
                self.state = State::FlowSequenceEntryMappingKey;
                return Ok(Event::new(
                    EventKind::MappingStart(Properties::default()),
                    start,
                    end,
                ));
            }
            if !self.check(&[Kind::FlowSequenceEnd])? {
                self.states.push(State::FlowSequenceEntry);
                return self.parse_node(false, false);
            }
        }
        let token = self.token()?;
        self.state = self.pop_state();
        self.pop_mark();
        Ok(Event::new(EventKind::SequenceEnd, token.start, token.end))
    }

    fn parse_flow_sequence_entry_mapping_key(&mut self) -> Result<Event, SyntaxProblem> {
        let token = self.token()?;
        let ends = [Kind::Value, Kind::FlowEntry, Kind::FlowSequenceEnd];
        if !self.check(&ends)? {
            self.states.push(State::FlowSequenceEntryMappingValue);
            return self.parse_node(false, false);
        }
        self.state = State::FlowSequenceEntryMappingValue;
        Ok(Event::empty_scalar(token.end))
    }

    fn parse_flow_sequence_entry_mapping_value(&mut self) -> Result<Event, SyntaxProblem> {
        if self.check(&[Kind::Value])? {
            let token = self.token()?;
            if !self.check(&[Kind::FlowEntry, Kind::FlowSequenceEnd])? {
                self.states.push(State::FlowSequenceEntryMappingEnd);
                return self.parse_node(false, false);
            }
            self.state = State::FlowSequenceEntryMappingEnd;
            return Ok(Event::empty_scalar(token.end));
        }
        self.state = State::FlowSequenceEntryMappingEnd;
        let mark = self.peek()?.start;
        Ok(Event::empty_scalar(mark))
    }

    fn parse_flow_mapping_key(&mut self, first: bool) -> Result<Event, SyntaxProblem> {
        if !self.check(&[Kind::FlowMappingEnd])? {
            if !first {
                if !self.check(&[Kind::FlowEntry])? {
                    return Err(self.unexpected("',' or '}'", "got"));
                }
                self.token()?;
            }
            if self.check(&[Kind::Key])? {
                let token = self.token()?;
                let ends = [Kind::Value, Kind::FlowEntry, Kind::FlowMappingEnd];
                if !self.check(&ends)? {
                    self.states.push(State::FlowMappingValue);
                    return self.parse_node(false, false);
                }
                self.state = State::FlowMappingValue;
                return Ok(Event::empty_scalar(token.end));
            }
            if !self.check(&[Kind::FlowMappingEnd])? {
                self.states.push(State::FlowMappingEmptyValue);
                return self.parse_node(false, false);
            }
        }
        let token = self.token()?;
        self.state = self.pop_state();
        self.pop_mark();
        Ok(Event::new(EventKind::MappingEnd, token.start, token.end))
    }

    fn parse_flow_mapping_value(&mut self) -> Result<Event, SyntaxProblem> {
        if self.check(&[Kind::Value])? {
            let token = self.token()?;
            if !self.check(&[Kind::FlowEntry, Kind::FlowMappingEnd])? {
                self.states.push(State::FlowMappingKey);
                return self.parse_node(false, false);
            }
            self.state = State::FlowMappingKey;
            return Ok(Event::empty_scalar(token.end));
        }
        self.state = State::FlowMappingKey;
        let mark = self.peek()?.start;
        Ok(Event::empty_scalar(mark))
    }
}

fn default_tag_handles() -> Vec<(String, String)> {
    DEFAULT_TAGS
        .iter()
        .map(|(h, p)| ((*h).to_owned(), (*p).to_owned()))
        .collect()
}

/// A tag token's handle, suffix and start.
fn tag_parts(token: Token<'_>) -> (Option<String>, String, Mark) {
    let handle = match token.extra {
        Some(Extra::Handle(handle)) => handle.map(str::to_owned),
        _ => None,
    };
    (handle, token.value.to_owned(), token.start)
}

/// The first error PyYAML's parser raises on `text`, as yamllint looks for it
/// (`yaml.parse` over the whole stream).
pub(crate) fn first_syntax_problem(text: &str) -> Option<SyntaxProblem> {
    let arena = Bump::new();
    let mut parser = Parser::new(text, &arena);
    loop {
        match parser.get_event() {
            Ok(Some(_)) => {}
            Ok(None) => return None,
            Err(problem) => return Some(problem),
        }
    }
}

#[cfg(test)]
mod tests;
