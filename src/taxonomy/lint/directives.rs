//! yamllint's comment directives: `# yamllint disable-file` on the first line,
//! `# yamllint disable [rule:ID …]` / `# yamllint enable [rule:ID …]` until changed,
//! and `# yamllint disable-line [rule:ID …]` for its own line (inline) or the next one.

use std::collections::HashSet;

use super::tokens::{Kind, Source, Token};

/// A comment between two tokens.
pub(super) struct Comment {
    /// 1-based.
    pub line_no: usize,
    /// Byte offset of its `#`.
    pointer: usize,
    /// Whether it follows a token on the same line.
    inline: bool,
}

/// yamllint's `comments_between_tokens`: the comments after `token` and before
/// `next` (or the end of the text).
pub(super) fn comments_between(
    source: &Source<'_>,
    token: &Token,
    next: Option<&Token>,
) -> Vec<Comment> {
    let text = source.text;
    let end = match next {
        None => text.len(),
        Some(next)
            if token.end.line == next.start.line
                && token.kind != Kind::StreamStart
                && next.kind != Kind::StreamEnd =>
        {
            return Vec::new();
        }
        Some(next) => next.start.pointer,
    };
    let start = token.end.pointer.min(end);
    let mut out = Vec::new();
    let mut pointer = start;
    for (i, line) in text[start..end].split('\n').enumerate() {
        if let Some(at) = line.find('#') {
            let line_no = token.end.line + 1 + i;
            let inline = token.kind != Kind::StreamStart
                && line_no == token.end.line + 1
                && (token.end.pointer == 0 || text.as_bytes()[token.end.pointer - 1] != b'\n');
            out.push(Comment {
                line_no,
                pointer: pointer + at,
                inline,
            });
        }
        pointer += line.len() + 1;
    }
    out
}

/// Whether the first line of a file turns yamllint off for the whole file
/// (`^#\s*yamllint disable-file\s*$`).
pub(super) fn disables_file(first_line: &str) -> bool {
    first_line
        .strip_prefix('#')
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix("yamllint disable-file"))
        .is_some_and(|rest| rest.trim().is_empty())
}

/// The rules named by a directive's tail (`( rule:\S+)*\s*$`): `Some(vec![])` for
/// all rules, `None` when the tail does not match.
fn named_rules(tail: &str) -> Option<Vec<&str>> {
    let tail = tail.trim_end();
    if tail.is_empty() {
        return Some(Vec::new());
    }
    let mut items = tail.split(' ');
    if items.next() != Some("") {
        return None;
    }
    items
        .map(|item| {
            item.strip_prefix("rule:")
                .filter(|id| !id.is_empty() && !id.chars().any(char::is_whitespace))
        })
        .collect()
}

/// The rules disabled at the current line.
pub(super) struct Directives {
    all: HashSet<String>,
    disabled: HashSet<String>,
    for_line: HashSet<String>,
    for_next_line: HashSet<String>,
}

impl Directives {
    /// No rule disabled yet; `all` are the enabled rules.
    pub fn new(all: &[&str]) -> Self {
        Self {
            all: all.iter().map(|id| (*id).to_owned()).collect(),
            disabled: HashSet::new(),
            for_line: HashSet::new(),
            for_next_line: HashSet::new(),
        }
    }

    /// Applies `comment` if it is a directive.
    pub fn process(&mut self, source: &Source<'_>, comment: &Comment) {
        let rest = &source.text[comment.pointer..];
        let text = &rest[..rest.find('\n').unwrap_or(rest.len())];
        let all = &self.all;
        let add = |set: &mut HashSet<String>, rules: Vec<&str>| {
            if rules.is_empty() {
                set.clone_from(all);
            } else {
                set.extend(
                    rules
                        .into_iter()
                        .filter(|id| all.contains(*id))
                        .map(str::to_owned),
                );
            }
        };
        if let Some(rules) = text
            .strip_prefix("# yamllint disable-line")
            .and_then(named_rules)
        {
            let set = if comment.inline {
                &mut self.for_line
            } else {
                &mut self.for_next_line
            };
            add(set, rules);
        } else if let Some(rules) = text
            .strip_prefix("# yamllint disable")
            .and_then(named_rules)
        {
            add(&mut self.disabled, rules);
        } else if let Some(rules) = text.strip_prefix("# yamllint enable").and_then(named_rules) {
            if rules.is_empty() {
                self.disabled.clear();
            } else {
                for id in rules {
                    self.disabled.remove(id);
                }
            }
        }
    }

    /// Whether findings of `rule` on the current line are dropped.
    pub fn disables(&self, rule: &str) -> bool {
        self.disabled.contains(rule) || self.for_line.contains(rule)
    }

    /// Moves on to the next line.
    pub fn next_line(&mut self) {
        self.for_line = std::mem::take(&mut self.for_next_line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_tails() {
        assert_eq!(named_rules(""), Some(vec![]));
        assert_eq!(
            named_rules(" rule:colons rule:hyphens "),
            Some(vec!["colons", "hyphens"])
        );
        assert_eq!(named_rules("d"), None);
        assert_eq!(named_rules(" rule:"), None);
        assert!(disables_file("#  yamllint disable-file  "));
        assert!(!disables_file("# yamllint disable-file please"));
    }
}
