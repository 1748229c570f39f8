//! Format-preserving edits of a `qna.yaml`'s text: set one field, add, delete or
//! move a seed example. Each edit touches only the lines of what it changes,
//! keeps the file's indentation, and is checked by loading the result again.

mod render;

pub use render::scalar_after_key;

use thiserror::Error;

use super::qna::{Qna, Text};
use super::yaml::{self, Document, NodeId, Value};

/// A string field of a leaf that can be edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `created_by`.
    CreatedBy,
    /// `task_description` (skills).
    TaskDescription,
    /// `domain` (knowledge).
    Domain,
    /// `document_outline` (knowledge).
    DocumentOutline,
    /// `document.repo` (knowledge).
    DocumentRepo,
    /// `document.commit` (knowledge).
    DocumentCommit,
    /// A seed example's `context` (0-based example); an empty value removes it.
    Context(usize),
    /// A skill example's `question`.
    Question(usize),
    /// A skill example's `answer`.
    Answer(usize),
    /// The question of a knowledge example's pair (example, pair).
    PairQuestion(usize, usize),
    /// The answer of a knowledge example's pair (example, pair).
    PairAnswer(usize, usize),
}

enum Step {
    Key(&'static str),
    Index(usize),
}

impl Field {
    fn path(self) -> Vec<Step> {
        use Step::{Index, Key};
        let example = |i| vec![Key("seed_examples"), Index(i)];
        let mut path = match self {
            Self::CreatedBy | Self::TaskDescription | Self::Domain | Self::DocumentOutline => {
                Vec::new()
            }
            Self::DocumentRepo | Self::DocumentCommit => vec![Key("document")],
            Self::Context(i) | Self::Question(i) | Self::Answer(i) => example(i),
            Self::PairQuestion(i, j) | Self::PairAnswer(i, j) => {
                let mut path = example(i);
                path.extend([Key("questions_and_answers"), Index(j)]);
                path
            }
        };
        path.push(Key(self.key()));
        path
    }

    /// The YAML key of the field.
    pub fn key(self) -> &'static str {
        match self {
            Self::CreatedBy => "created_by",
            Self::TaskDescription => "task_description",
            Self::Domain => "domain",
            Self::DocumentOutline => "document_outline",
            Self::DocumentRepo => "repo",
            Self::DocumentCommit => "commit",
            Self::Context(_) => "context",
            Self::Question(_) | Self::PairQuestion(..) => "question",
            Self::Answer(_) | Self::PairAnswer(..) => "answer",
        }
    }

    /// How the field is named to people: `created_by`, `example 2 answer`,
    /// `example 1 pair 3 question` (1-based).
    pub fn label(self) -> String {
        match self {
            Self::DocumentRepo => "document.repo".into(),
            Self::DocumentCommit => "document.commit".into(),
            Self::Context(i) | Self::Question(i) | Self::Answer(i) => {
                format!("example {} {}", i + 1, self.key())
            }
            Self::PairQuestion(i, j) | Self::PairAnswer(i, j) => {
                format!("example {} pair {} {}", i + 1, j + 1, self.key())
            }
            _ => self.key().into(),
        }
    }

    /// The field's text in `qna`, if the leaf has it.
    pub fn text_in(self, qna: &Qna) -> Option<&Text> {
        let example = |i: usize| qna.seed_examples.get(i);
        let pair = |i: usize, j: usize| example(i)?.questions_and_answers.get(j);
        match self {
            Self::CreatedBy => qna.created_by.as_ref(),
            Self::TaskDescription => qna.task_description.as_ref(),
            Self::Domain => qna.domain.as_ref(),
            Self::DocumentOutline => qna.document_outline.as_ref(),
            Self::DocumentRepo => qna.document.as_ref()?.repo.as_ref(),
            Self::DocumentCommit => qna.document.as_ref()?.commit.as_ref(),
            Self::Context(i) => example(i)?.context.as_ref(),
            Self::Question(i) => example(i)?.qa.question.as_ref(),
            Self::Answer(i) => example(i)?.qa.answer.as_ref(),
            Self::PairQuestion(i, j) => pair(i, j)?.question.as_ref(),
            Self::PairAnswer(i, j) => pair(i, j)?.answer.as_ref(),
        }
    }

    /// The seed example the field belongs to, if any.
    pub fn example(self) -> Option<usize> {
        match self {
            Self::Context(i)
            | Self::Question(i)
            | Self::Answer(i)
            | Self::PairQuestion(i, _)
            | Self::PairAnswer(i, _) => Some(i),
            _ => None,
        }
    }

    /// The 1-based line of the field's key in `text`, if it is there.
    pub fn line_in(self, text: &str) -> Option<usize> {
        let doc = yaml::load(text).ok()?;
        let (map, _) = walk(&doc, &self.path()).ok()?;
        doc.entries(map)
            .iter()
            .find(|e| doc.str_value(e.key) == Some(self.key()))
            .map(|e| doc.node(e.key).span.start.line())
    }

    /// The field's current value in `text`, if it is there as a string.
    pub fn value_in(self, text: &str) -> Option<String> {
        let doc = yaml::load(text).ok()?;
        let (map, _) = walk(&doc, &self.path()).ok()?;
        doc.get(map, self.key())
            .and_then(|id| doc.str_value(id))
            .map(str::to_owned)
    }
}

/// Why an edit was not made (the text is left as it was).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EditError {
    /// The text does not load.
    #[error("{line}:{col}: the leaf cannot be edited in place until it loads: {message}")]
    Unreadable {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// The loader's message.
        message: String,
    },
    /// What the edit addresses is not in the leaf.
    #[error("the leaf has no {0}")]
    Missing(String),
    /// The part to edit is written in flow style (`{...}`, `[...]`).
    #[error("line {0}: written in flow style, which taxon does not edit in place; use $EDITOR")]
    FlowStyle(usize),
    /// Deleting the only seed example.
    #[error("a leaf keeps at least one seed example")]
    LastExample,
    /// Moving the first example up or the last one down.
    #[error("seed example {0} cannot move further that way")]
    CannotMove(usize),
    /// The edited text did not read back as intended (a bug; nothing was changed).
    #[error("the edit of {0} did not read back as intended; nothing was changed")]
    NotRoundTripped(String),
}

fn load(text: &str) -> Result<Document, EditError> {
    yaml::load(text).map_err(|e| EditError::Unreadable {
        line: e.line,
        col: e.col,
        message: e.message,
    })
}

/// The mapping holding the path's last key, and a description of the path.
fn walk(doc: &Document, path: &[Step]) -> Result<(NodeId, String), EditError> {
    let mut node = doc
        .root_id()
        .ok_or_else(|| EditError::Missing("content".into()))?;
    let mut name = String::new();
    for step in &path[..path.len() - 1] {
        node = match *step {
            Step::Key(key) => {
                name = if name.is_empty() {
                    key.to_owned()
                } else {
                    format!("{name}.{key}")
                };
                doc.get(node, key)
            }
            Step::Index(i) => {
                name = format!("{name}[{}]", i + 1);
                doc.items(node).get(i).copied()
            }
        }
        .ok_or_else(|| EditError::Missing(name.clone()))?;
    }
    if !matches!(doc.node(node).value, Value::Map(_)) {
        return Err(EditError::Missing(format!("mapping at {name}")));
    }
    Ok((node, name))
}

/// The text split into lines, each with its line break; always ending with one.
struct Lines {
    lines: Vec<String>,
    had_final_break: bool,
}

impl Lines {
    fn new(text: &str) -> Self {
        let had_final_break = text.is_empty() || text.ends_with('\n');
        let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
        if let Some(last) = lines.last_mut()
            && !last.ends_with('\n')
        {
            last.push('\n');
        }
        Self {
            lines,
            had_final_break,
        }
    }

    fn join(&self) -> String {
        let mut text = self.lines.concat();
        if !self.had_final_break {
            text.pop();
        }
        text
    }

    /// The 0-based range of lines `start..=end` of the block starting on line
    /// `start` whose continuation lines are indented more than `indent`
    /// (trailing blank lines left out).
    fn block_end(&self, start: usize, indent: usize) -> usize {
        let mut end = start;
        for (i, line) in self.lines.iter().enumerate().skip(start + 1) {
            if line.trim().is_empty() {
                continue;
            }
            if indent_of(line) <= indent {
                break;
            }
            end = i;
        }
        end
    }
}

/// The line break a line ends with, kept for the lines written in its place.
fn line_end(line: &str) -> &'static str {
    if line.ends_with("\r\n") { "\r\n" } else { "\n" }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn byte_col(line: &str, col: usize) -> usize {
    line.char_indices()
        .nth(col.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i)
}

/// Where a key sits: its 0-based line, the byte offset of the key in it, and its
/// indentation in columns; refused in flow style.
fn key_place(doc: &Document, lines: &Lines, key: NodeId) -> Result<(usize, usize), EditError> {
    let start = doc.node(key).span.start;
    let line = &lines.lines[start.line() - 1];
    let at = byte_col(line, start.col());
    let before = &line[..at];
    if !before.chars().all(|c| c == ' ' || c == '-') {
        return Err(EditError::FlowStyle(start.line()));
    }
    Ok((start.line() - 1, at))
}

/// How deep block-scalar content sits below its key in this file (2 by default).
fn block_step(lines: &Lines) -> usize {
    for (i, line) in lines.lines.iter().enumerate() {
        let trimmed = line.trim_end();
        let is_block = ["|", "|-", ">", ">-", "|+", ">+"]
            .iter()
            .any(|ind| trimmed.ends_with(&format!(": {ind}")));
        if !is_block {
            continue;
        }
        let key_indent = line.len() - line.trim_start_matches([' ', '-']).len();
        let content = lines.lines[i + 1..].iter().find(|l| !l.trim().is_empty());
        if let Some(content) = content
            && indent_of(content) > key_indent
        {
            return indent_of(content) - key_indent;
        }
    }
    2
}

/// Sets `field` to `value` and returns the new text. Only the lines of that
/// field change; a missing field is added (a context before the example's first
/// key, anything else after the mapping's last entry). An empty context is
/// removed.
pub fn set_field(text: &str, field: Field, value: &str) -> Result<String, EditError> {
    let doc = load(text)?;
    let path = field.path();
    let (map, _) = walk(&doc, &path)?;
    let mut lines = Lines::new(text);
    let step = block_step(&lines);
    let key = doc
        .entries(map)
        .iter()
        .find(|e| doc.str_value(e.key) == Some(field.key()))
        .map(|e| e.key);
    let remove = matches!(field, Field::Context(_)) && value.is_empty();
    match key {
        Some(key) => {
            let (line, at) = key_place(&doc, &lines, key)?;
            let indent = lines.lines[line][..at].chars().count();
            let end = lines.block_end(line, indent);
            let head = lines.lines[line][..at].to_owned();
            let replacement = if remove {
                removed_entry(&lines, &head, end)
            } else {
                let key_text = &lines.lines[line][at..];
                let colon = key_text
                    .find(':')
                    .ok_or_else(|| EditError::FlowStyle(line + 1))?;
                let eol = line_end(&lines.lines[line]);
                let rendered = scalar_after_key(value, indent + step).replace('\n', eol);
                vec![format!("{head}{}{rendered}{eol}", &key_text[..=colon])]
            };
            let consumed = if remove && replacement.len() == 1 && head.contains('-') {
                end + 2 // the next line was folded into the `- ` line
            } else {
                end + 1
            };
            lines
                .lines
                .splice(line..consumed.min(lines.lines.len()), replacement);
        }
        None if remove => return Ok(text.to_owned()),
        None => {
            let entries = doc.entries(map);
            let first = entries
                .first()
                .ok_or_else(|| EditError::Missing(field.label()))?;
            let (line, at) = key_place(&doc, &lines, first.key)?;
            let head = &lines.lines[line][..at];
            let indent = head.chars().count();
            let eol = line_end(&lines.lines[line]);
            let rendered = scalar_after_key(value, indent + step).replace('\n', eol);
            let entry = format!("{}:{rendered}{eol}", field.key());
            if matches!(field, Field::Context(_)) {
                let rest = lines.lines[line][at..].to_owned();
                let new = vec![
                    format!("{head}{entry}"),
                    format!("{}{rest}", " ".repeat(indent)),
                ];
                lines.lines.splice(line..=line, new);
            } else {
                let last = entries.last().map_or(first.key, |e| e.key);
                let (last_line, last_at) = key_place(&doc, &lines, last)?;
                let last_indent = lines.lines[last_line][..last_at].chars().count();
                let end = lines.block_end(last_line, last_indent);
                lines
                    .lines
                    .insert(end + 1, format!("{}{entry}", " ".repeat(indent)));
            }
        }
    }
    let new_text = lines.join();
    let expected = (!remove).then(|| value.to_owned());
    if field.value_in(&new_text) != expected {
        return Err(EditError::NotRoundTripped(field.label()));
    }
    Ok(new_text)
}

/// The lines standing for an entry removed from its key's line to `end`: nothing, or,
/// when the entry opened a `- ` item, the item's next line moved up onto it.
fn removed_entry(lines: &Lines, head: &str, end: usize) -> Vec<String> {
    if !head.contains('-') {
        return Vec::new();
    }
    match lines.lines.get(end + 1) {
        Some(next) => vec![format!("{head}{}", next.trim_start_matches(' '))],
        None => Vec::new(),
    }
}

/// The seed examples' sequence and its items.
fn examples(doc: &Document) -> Result<Vec<NodeId>, EditError> {
    let root = doc
        .root_id()
        .ok_or_else(|| EditError::Missing("content".into()))?;
    let seq = doc
        .get(root, "seed_examples")
        .ok_or_else(|| EditError::Missing("seed_examples".into()))?;
    Ok(doc.items(seq).to_vec())
}

/// The 0-based lines `start..=end` of a block sequence item.
fn item_lines(doc: &Document, lines: &Lines, item: NodeId) -> Result<(usize, usize), EditError> {
    let start = doc.node(item).span.start;
    let line = &lines.lines[start.line() - 1];
    let before = &line[..byte_col(line, start.col())];
    if before.trim() != "-" && !before.trim_end().ends_with(" -") {
        return Err(EditError::FlowStyle(start.line()));
    }
    let dash = before.rfind('-').unwrap_or(0);
    Ok((start.line() - 1, lines.block_end(start.line() - 1, dash)))
}

/// Deletes seed example `index` (0-based) with the blank lines that set it apart.
pub fn delete_example(text: &str, index: usize) -> Result<String, EditError> {
    let doc = load(text)?;
    let items = examples(&doc)?;
    let item = *items
        .get(index)
        .ok_or_else(|| EditError::Missing(format!("seed example {}", index + 1)))?;
    if items.len() == 1 {
        return Err(EditError::LastExample);
    }
    let mut lines = Lines::new(text);
    let (start, end) = item_lines(&doc, &lines, item)?;
    let range = if index + 1 < items.len() {
        let (next, _) = item_lines(&doc, &lines, items[index + 1])?;
        start..next
    } else {
        let (_, previous_end) = item_lines(&doc, &lines, items[index - 1])?;
        previous_end + 1..end + 1
    };
    lines.lines.drain(range);
    let new_text = lines.join();
    check_count(&new_text, items.len() - 1, "the deletion")?;
    Ok(new_text)
}

/// Moves seed example `index` (0-based) one place up or down; the blank lines
/// between examples stay where they are.
pub fn move_example(text: &str, index: usize, up: bool) -> Result<String, EditError> {
    let doc = load(text)?;
    let items = examples(&doc)?;
    if index >= items.len() {
        return Err(EditError::Missing(format!("seed example {}", index + 1)));
    }
    let other = match up {
        true if index > 0 => index - 1,
        false if index + 1 < items.len() => index + 1,
        _ => return Err(EditError::CannotMove(index + 1)),
    };
    let (first, second) = (index.min(other), index.max(other));
    let mut lines = Lines::new(text);
    let (a_start, a_end) = item_lines(&doc, &lines, items[first])?;
    let (b_start, b_end) = item_lines(&doc, &lines, items[second])?;
    let a: Vec<String> = lines.lines[a_start..=a_end].to_vec();
    let gap: Vec<String> = lines.lines[a_end + 1..b_start].to_vec();
    let b: Vec<String> = lines.lines[b_start..=b_end].to_vec();
    let swapped: Vec<String> = b.into_iter().chain(gap).chain(a).collect();
    lines.lines.splice(a_start..=b_end, swapped);
    let new_text = lines.join();
    check_count(&new_text, items.len(), "the move")?;
    Ok(new_text)
}

/// Adds a seed example after the last one, in the last one's layout, with every
/// question, answer and context set by `placeholder(field)`. Returns the new text
/// and the new example's index.
pub fn add_example(
    text: &str,
    placeholder: impl Fn(Field) -> String,
) -> Result<(String, usize), EditError> {
    let doc = load(text)?;
    let items = examples(&doc)?;
    let last = *items
        .last()
        .ok_or_else(|| EditError::Missing("seed example to copy".into()))?;
    let mut lines = Lines::new(text);
    let (start, end) = item_lines(&doc, &lines, last)?;
    let gap = match items.len() {
        1 => Vec::new(),
        n => {
            let (_, previous_end) = item_lines(&doc, &lines, items[n - 2])?;
            lines.lines[previous_end + 1..start].to_vec()
        }
    };
    let copy: Vec<String> = gap
        .into_iter()
        .chain(lines.lines[start..=end].iter().cloned())
        .collect();
    lines.lines.splice(end + 1..end + 1, copy);
    let mut new_text = lines.join();
    let index = items.len();
    for field in example_fields(&doc, last, index) {
        new_text = set_field(&new_text, field, &placeholder(field))?;
    }
    check_count(&new_text, items.len() + 1, "the new example")?;
    Ok((new_text, index))
}

/// The string fields of the example `item`, addressed as example `index`.
fn example_fields(doc: &Document, item: NodeId, index: usize) -> Vec<Field> {
    let mut fields = Vec::new();
    if doc.get(item, "context").is_some() {
        fields.push(Field::Context(index));
    }
    if doc.get(item, "question").is_some() {
        fields.push(Field::Question(index));
    }
    if doc.get(item, "answer").is_some() {
        fields.push(Field::Answer(index));
    }
    if let Some(pairs) = doc.get(item, "questions_and_answers") {
        for (j, &pair) in doc.items(pairs).iter().enumerate() {
            if doc.get(pair, "question").is_some() {
                fields.push(Field::PairQuestion(index, j));
            }
            if doc.get(pair, "answer").is_some() {
                fields.push(Field::PairAnswer(index, j));
            }
        }
    }
    fields
}

/// The editable fields of a leaf in the order the detail pane shows them: the
/// top-level fields present, then each example's.
pub fn fields_of(qna: &Qna) -> Vec<Field> {
    let top = [
        Field::CreatedBy,
        Field::TaskDescription,
        Field::Domain,
        Field::DocumentOutline,
        Field::DocumentRepo,
        Field::DocumentCommit,
    ];
    let examples = qna
        .seed_examples
        .iter()
        .enumerate()
        .flat_map(|(i, example)| {
            let pairs = (0..example.questions_and_answers.len())
                .flat_map(move |j| [Field::PairQuestion(i, j), Field::PairAnswer(i, j)]);
            [Field::Context(i), Field::Question(i), Field::Answer(i)]
                .into_iter()
                .chain(pairs)
        });
    top.into_iter()
        .chain(examples)
        .filter(|field| field.text_in(qna).is_some())
        .collect()
}

fn check_count(text: &str, expected: usize, what: &str) -> Result<(), EditError> {
    let doc = yaml::load(text).map_err(|_| EditError::NotRoundTripped(what.into()))?;
    match examples(&doc) {
        Ok(items) if items.len() == expected => Ok(()),
        _ => Err(EditError::NotRoundTripped(what.into())),
    }
}

#[cfg(test)]
mod tests;
