//! `--fix`: repairs whitespace-only problems (CRLF and CR line ends, trailing spaces, blank
//! lines at the start or end, a missing final newline) without changing any value.
//!
//! A repair is checked by loading the text before and after as upstream does (Python's
//! universal newlines, then PyYAML's typing) and comparing the two documents whole,
//! strings byte for byte. Where a string differs (trailing spaces inside a literal block
//! are part of its value, a keep block (`|+`) keeps the blank lines after it, a clip
//! block ending the file has no final newline), the repairs on that string's lines are
//! left out and reported as not fixable, and the rest is checked again.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::atomic_file::{ReplaceError, replace_if_unchanged};

use super::tree::find_root;
use super::validate::{read_leaf, universal_newlines};
use super::yaml::reader::Reader;
use super::yaml::{self, Document, NodeId, Value};

/// How many times a repair is narrowed down before it is given up whole.
const ROUNDS: usize = 4;

/// A whitespace problem left in place because repairing it would change a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotFixable {
    /// Trailing spaces or tabs on this 1-based line belong to a string.
    #[error("trailing whitespace is part of a string: not fixable without changing a value")]
    TrailingWhitespace(usize),
    /// The blank lines at the end of the file, from this line, or its missing final
    /// newline, on this last line, belong to a string.
    #[error(
        "the end of the file (blank lines, final newline) is part of a string: not fixable without changing a value"
    )]
    EndOfFile(usize),
}

impl NotFixable {
    /// The 1-based line it is about.
    pub fn line(self) -> usize {
        match self {
            Self::TrailingWhitespace(line) | Self::EndOfFile(line) => line,
        }
    }
}

/// What the whitespace repair of a text comes to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Repair {
    /// The repaired text, or `None` when nothing can be repaired.
    pub fixed: Option<String>,
    /// What was left in place because repairing it would change a value.
    pub not_fixable: Vec<NotFixable>,
}

/// Why a leaf file was not repaired.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    /// It cannot be read as a leaf file (not a regular file, too large, not UTF-8):
    /// validating it says why.
    #[error("not read: {0}")]
    Unreadable(String),
    /// It is a symbolic link leaving the taxonomy root.
    #[error(
        "not fixed: it is a symbolic link to {}, outside the taxonomy root {}",
        target.display(),
        root.display()
    )]
    LinkOutsideRoot {
        /// Where the link leads.
        target: PathBuf,
        /// The taxonomy root.
        root: PathBuf,
    },
    /// It has other names (hard links), which a replaced file would not share.
    #[error(
        "not fixed: the file has {links} hard links, which a repaired copy would split (the other names would keep the old text)"
    )]
    HardLinks {
        /// How many names the file has.
        links: u64,
    },
    /// It changed on disk meanwhile, or could not be written.
    #[error(transparent)]
    Replace(#[from] ReplaceError),
}

/// Repairs the whitespace of the leaf file at `path` in place, as [`fix_whitespace`]
/// does, only on top of exactly the text read (a save by someone else meanwhile is
/// kept, see [`replace_if_unchanged`]). A symbolic link is fixed through (its target
/// is replaced) when it stays inside the taxonomy root; the file is read as
/// validation reads it (a regular file of bounded size, opened without waiting).
/// Returns the repair, `fixed` set when the file was rewritten.
pub fn fix_file(path: &Path) -> Result<Repair, FixError> {
    let unreadable = |e: std::io::Error| FixError::Unreadable(e.to_string());
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        let target = std::fs::canonicalize(path).map_err(unreadable)?;
        let root = std::fs::canonicalize(find_root(path)).map_err(unreadable)?;
        if !target.starts_with(&root) {
            return Err(FixError::LinkOutsideRoot { target, root });
        }
    }
    let bytes = read_leaf(path).map_err(|d| FixError::Unreadable(d.message))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| FixError::Unreadable(e.to_string()))?;
    let repair = fix_whitespace(text);
    if let Some(fixed) = &repair.fixed {
        let links = std::fs::metadata(path).map_err(unreadable)?.nlink();
        if links > 1 {
            return Err(FixError::HardLinks { links });
        }
        replace_if_unchanged(path, &bytes, fixed.as_bytes())?;
    }
    Ok(repair)
}

/// Which repairs to make.
struct Plan {
    /// Per line: whether its trailing spaces and tabs are kept.
    keep_trailing: Vec<bool>,
    /// Whether the end of the file is kept as it is (blank lines, no final newline).
    keep_end: bool,
}

/// The text's lines after universal newlines, without their line ends.
struct Lines<'t> {
    lines: Vec<&'t str>,
    /// Whether the text ends with a line end.
    final_newline: bool,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let mut lines: Vec<&str> = text.split('\n').collect();
        let final_newline = lines.len() > 1 && lines.last() == Some(&"");
        if final_newline {
            lines.pop();
        }
        Self {
            lines,
            final_newline,
        }
    }

    /// The last line that is not blank once its trailing whitespace is gone (1-based;
    /// 0 for a blank text).
    fn last_content_line(&self) -> usize {
        self.lines
            .iter()
            .rposition(|line| !trimmed(line).is_empty())
            .map_or(0, |i| i + 1)
    }

    /// Whether the 0-based line `i` ends in spaces or tabs.
    fn has_trailing(&self, i: usize) -> bool {
        trimmed(self.lines[i]).len() != self.lines[i].len()
    }

    /// The 1-based line where the end's repair starts: the first blank line at the end,
    /// else the last line (which lacks its newline).
    fn end_line(&self) -> usize {
        (self.last_content_line() + 1).min(self.lines.len())
    }

    /// Whether the end of the text has blank lines or lacks its final newline.
    fn end_needs_repair(&self) -> bool {
        let content = self.last_content_line();
        content > 0 && (content < self.lines.len() || !self.final_newline)
    }

    fn render(&self, plan: &Plan) -> String {
        let line = |i: usize| {
            if plan.keep_trailing[i] {
                self.lines[i]
            } else {
                trimmed(self.lines[i])
            }
        };
        let leading_blank = (0..self.lines.len())
            .take_while(|&i| line(i).is_empty())
            .count();
        let mut text = String::new();
        if plan.keep_end {
            for i in leading_blank..self.lines.len() {
                text.push_str(line(i));
                if i + 1 < self.lines.len() || self.final_newline {
                    text.push('\n');
                }
            }
        } else {
            for i in leading_blank..self.last_content_line() {
                text.push_str(line(i));
                text.push('\n');
            }
        }
        text
    }
}

fn trimmed(line: &str) -> &str {
    line.trim_end_matches([' ', '\t'])
}

/// The document of `text` as upstream loads it, with universal newlines and without
/// a byte-order mark.
fn load(text: &str) -> Option<Document> {
    let text = universal_newlines(text);
    yaml::load(text.strip_prefix('\u{feff}').unwrap_or(&text)).ok()
}

/// The whitespace-repaired text, with what could not be repaired without changing a
/// value. A text that does not load is repaired whole: it has no value to keep.
pub fn fix_whitespace(text: &str) -> Repair {
    let unix = universal_newlines(text);
    let lines = Lines::new(&unix);
    let before = load(text);
    let mut plan = Plan {
        keep_trailing: vec![false; lines.lines.len()],
        keep_end: false,
    };
    let mut not_fixable = Vec::new();
    if !lines.final_newline
        && before
            .as_ref()
            .is_some_and(|doc| ends_in_a_block(doc, &unix))
    {
        plan.keep_end = true;
        not_fixable.push(NotFixable::EndOfFile(lines.end_line()));
    }
    for _ in 0..ROUNDS {
        let fixed = lines.render(&plan);
        match differing_after(before.as_ref(), &fixed) {
            Some(differing) if differing.is_empty() => {
                return Repair {
                    fixed: (fixed != text).then_some(fixed),
                    not_fixable,
                };
            }
            Some(differing) => {
                let newly = keep_in_place(&lines, before.as_ref(), &differing, &mut plan);
                if newly.is_empty() {
                    break;
                }
                not_fixable.extend(newly);
            }
            None => break,
        }
    }
    // No string to blame, or narrowing did not converge: only the line ends and the
    // leading blank lines are repaired (if even that keeps every value), and every
    // other problem is reported.
    let kept = Plan {
        keep_trailing: vec![true; lines.lines.len()],
        keep_end: true,
    };
    let minimal = lines.render(&kept);
    let keeps_values =
        minimal != text && differing_after(before.as_ref(), &minimal).is_some_and(|d| d.is_empty());
    let mut left: Vec<NotFixable> = (0..lines.lines.len())
        .filter(|&i| lines.has_trailing(i))
        .map(|i| NotFixable::TrailingWhitespace(i + 1))
        .collect();
    if lines.end_needs_repair() {
        left.push(NotFixable::EndOfFile(lines.end_line()));
    }
    Repair {
        fixed: keeps_values.then_some(minimal),
        not_fixable: left,
    }
}

/// The strings of `before` that differ in `fixed` (empty when none does, or when there
/// is no `before`: a text that did not load has no value to keep); `None` when
/// `fixed` does not load or has another shape.
fn differing_after(before: Option<&Document>, fixed: &str) -> Option<Vec<NodeId>> {
    match before {
        Some(before) => differing_strings(before, &load(fixed)?),
        None => Some(Vec::new()),
    }
}

/// Keeps the whitespace of the lines of the `differing` strings of `before` in place
/// (and the end of the file, when the last string differs); returns what is newly
/// left unrepaired.
fn keep_in_place(
    lines: &Lines<'_>,
    before: Option<&Document>,
    differing: &[NodeId],
    plan: &mut Plan,
) -> Vec<NotFixable> {
    let Some(before) = before else {
        return Vec::new();
    };
    let mut newly = Vec::new();
    let last_scalar = last_scalar(before);
    for &node in differing {
        let span = before.node(node).span;
        // A span ending at the start of a line ends on the line before.
        let end = if span.end.col() == 1 && span.end.line() > span.start.line() {
            span.end.line() - 1
        } else {
            span.end.line()
        };
        for line in span.start.line()..=end.min(lines.lines.len()) {
            let i = line - 1;
            if !plan.keep_trailing[i] && lines.has_trailing(i) {
                plan.keep_trailing[i] = true;
                newly.push(NotFixable::TrailingWhitespace(line));
            }
        }
        if Some(node) == last_scalar && !plan.keep_end && lines.end_needs_repair() {
            plan.keep_end = true;
            newly.push(NotFixable::EndOfFile(lines.end_line()));
        }
    }
    newly
}

/// Whether `text` (without a final newline) ends inside a block scalar of `doc` whose
/// value ends in a line break. PyYAML gives such a block (`|` or `|+` on the file's
/// last line) no final break, so a final newline added to the file would add one to
/// the string; taxon's loader already gives it the break, so comparing the two loads
/// cannot tell.
fn ends_in_a_block(doc: &Document, text: &str) -> bool {
    let mut reader = Reader::new(text);
    reader.forward_by(text.chars().count());
    let end = yaml::position(reader.mark());
    last_scalar(doc).is_some_and(|id| {
        let node = doc.node(id);
        node.span.end == end && matches!(&node.value, Value::Str(s) if s.ends_with('\n'))
    })
}

/// The scalar of `doc` that starts last in the text.
fn last_scalar(doc: &Document) -> Option<NodeId> {
    let mut last = None;
    let mut seen = HashSet::new();
    let mut stack: Vec<NodeId> = doc.root_id().into_iter().collect();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        match &doc.node(id).value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => stack.extend(entries.iter().flat_map(|e| [e.key, e.value])),
            _ => {
                let start = doc.node(id).span.start;
                let at = (start.line(), start.col());
                if last.is_none_or(|(latest, _)| at > latest) {
                    last = Some((at, id));
                }
            }
        }
    }
    last.map(|(_, id)| id)
}

/// The nodes of `before` that hold a different value in `after`, when the two have the
/// same shape (`None` when they do not: then no node can be blamed). Strings are
/// compared byte for byte, numbers by their bits; a node shared through aliases is
/// compared once.
fn differing_strings(before: &Document, after: &Document) -> Option<Vec<NodeId>> {
    let mut differing = Vec::new();
    let mut seen = HashSet::new();
    let mut stack = match (before.root_id(), after.root_id()) {
        (Some(a), Some(b)) => vec![(a, b)],
        (None, None) => return Some(differing),
        _ => return None,
    };
    while let Some((a, b)) = stack.pop() {
        if !seen.insert((a, b)) {
            continue;
        }
        match (&before.node(a).value, &after.node(b).value) {
            (Value::Seq(x), Value::Seq(y)) if x.len() == y.len() => {
                stack.extend(x.iter().copied().zip(y.iter().copied()));
            }
            (Value::Map(x), Value::Map(y)) if x.len() == y.len() => {
                for (e, f) in x.iter().zip(y) {
                    stack.push((e.key, f.key));
                    stack.push((e.value, f.value));
                }
            }
            (Value::Seq(_) | Value::Map(_), _) | (_, Value::Seq(_) | Value::Map(_)) => {
                return None;
            }
            (Value::Float(x), Value::Float(y)) if x.to_bits() == y.to_bits() => {}
            (Value::Float(_), _) | (_, Value::Float(_)) => differing.push(a),
            (x, y) if x == y => {}
            _ => differing.push(a),
        }
    }
    Some(differing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str) -> Option<String> {
        fix_whitespace(text).fixed
    }

    #[test]
    fn repairs_whitespace_only() {
        let text = "\r\n\r\nversion: 3  \r\ntask_description: >\r\n  Say hi.\r\n\r\n\r\n";
        assert_eq!(
            fixed(text).as_deref(),
            Some("version: 3\ntask_description: >\n  Say hi.\n")
        );
        assert_eq!(fixed("a: 1").as_deref(), Some("a: 1\n"));
        assert_eq!(fixed("a: 1\n"), None);
        assert_eq!(fix_whitespace("a: 1\n"), Repair::default());
    }

    #[test]
    fn lone_carriage_returns_end_lines_and_the_repair_is_idempotent() {
        // Found by the fuzz target: `\r\r\n` once became `\r\n`, to be fixed again.
        let repaired = fixed("a: 1\r\r\r\nb: 2\r").unwrap();
        assert_eq!(repaired, "a: 1\n\n\nb: 2\n");
        assert_eq!(fix_whitespace(&repaired), Repair::default());
    }

    #[test]
    fn leaves_broken_yaml_fixable() {
        assert_eq!(fixed("a: [1 \n").as_deref(), Some("a: [1\n"));
    }

    #[test]
    fn trailing_spaces_inside_a_literal_block_are_values() {
        let text = "a: |\n  one  \n  two\t\nb: x  \n";
        let repair = fix_whitespace(text);
        assert_eq!(
            repair.fixed.as_deref(),
            Some("a: |\n  one  \n  two\t\nb: x\n")
        );
        assert_eq!(
            repair.not_fixable,
            vec![
                NotFixable::TrailingWhitespace(2),
                NotFixable::TrailingWhitespace(3)
            ]
        );
        assert_eq!(
            repair.not_fixable[0].to_string(),
            "trailing whitespace is part of a string: not fixable without changing a value"
        );
    }

    #[test]
    fn the_end_of_a_block_that_ends_the_file_is_a_value() {
        // A clip block without a final newline: adding one adds it to the string.
        let clip = fix_whitespace("b: 1  \na: |\n  one");
        assert_eq!(clip.fixed.as_deref(), Some("b: 1\na: |\n  one"));
        assert_eq!(clip.not_fixable, vec![NotFixable::EndOfFile(3)]);
        // A keep block keeps the blank lines after it.
        let keep = fix_whitespace("a: |+\n  one\n\n\n");
        assert_eq!(keep.fixed, None);
        assert_eq!(keep.not_fixable, vec![NotFixable::EndOfFile(3)]);
        // A clip block's blank lines are not part of it.
        assert_eq!(fixed("a: |\n  one\n\n\n").as_deref(), Some("a: |\n  one\n"));
    }

    #[test]
    fn a_folded_or_plain_string_loses_nothing_either() {
        for text in [
            "a: >\n  one \n  two\n",
            "a: plain  \n  continued  \n",
            "a: \"quoted  \n  on \"\n",
            "a: |+\r\n  one\r\n\r\n",
        ] {
            let repair = fix_whitespace(text);
            if let Some(fixed) = &repair.fixed {
                let (before, after) = (load(text).unwrap(), load(fixed).unwrap());
                assert_eq!(differing_strings(&before, &after), Some(vec![]), "{text:?}");
            }
        }
    }
}
