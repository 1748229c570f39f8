//! yamllint's comment directives: `# yamllint disable-file` on the first line,
//! `# yamllint disable [rule:ID …]` / `# yamllint enable [rule:ID …]` until changed,
//! and `# yamllint disable-line [rule:ID …]` for its own line (inline) or the next one.

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
            if token.end.line() == next.start.line()
                && token.kind != Kind::StreamStart
                && next.kind != Kind::StreamEnd =>
        {
            return Vec::new();
        }
        Some(next) => next.start.pointer(),
    };
    let start = token.end.pointer().min(end);
    let mut out = Vec::new();
    let mut pointer = start;
    for (i, line) in text[start..end].split('\n').enumerate() {
        if let Some(at) = line.find('#') {
            let line_no = token.end.line() + 1 + i;
            let inline = token.kind != Kind::StreamStart
                && line_no == token.end.line() + 1
                && (token.end.pointer() == 0 || text.as_bytes()[token.end.pointer() - 1] != b'\n');
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

/// A set of rules, as bits of their places in [`Directives`]' list of rules.
type RuleSet = u32;

/// The rules disabled at the current line.
pub(super) struct Directives {
    all: &'static [&'static str],
    disabled: RuleSet,
    for_line: RuleSet,
    for_next_line: RuleSet,
}

impl Directives {
    /// No rule disabled yet; `all` are the enabled rules (at most 32).
    pub fn new(all: &'static [&'static str]) -> Self {
        assert!(all.len() <= RuleSet::BITS as usize, "too many rules");
        Self {
            all,
            disabled: 0,
            for_line: 0,
            for_next_line: 0,
        }
    }

    /// The set of the named rules that are enabled; all of them for no name.
    fn set_of(&self, rules: &[&str]) -> RuleSet {
        let every = RuleSet::MAX >> (RuleSet::BITS as usize - self.all.len());
        if rules.is_empty() {
            return every;
        }
        rules.iter().fold(0, |set, id| set | self.bit(id))
    }

    /// The bit of rule `id`; none for a rule not enabled.
    fn bit(&self, id: &str) -> RuleSet {
        self.all
            .iter()
            .position(|known| *known == id)
            .map_or(0, |place| 1 << place)
    }

    /// Applies `comment` if it is a directive.
    pub fn process(&mut self, source: &Source<'_>, comment: &Comment) {
        let rest = &source.text[comment.pointer..];
        let text = &rest[..rest.find('\n').unwrap_or(rest.len())];
        if let Some(rules) = text
            .strip_prefix("# yamllint disable-line")
            .and_then(named_rules)
        {
            let set = self.set_of(&rules);
            if comment.inline {
                self.for_line |= set;
            } else {
                self.for_next_line |= set;
            }
        } else if let Some(rules) = text
            .strip_prefix("# yamllint disable")
            .and_then(named_rules)
        {
            self.disabled |= self.set_of(&rules);
        } else if let Some(rules) = text.strip_prefix("# yamllint enable").and_then(named_rules) {
            self.disabled &= !self.set_of(&rules);
        }
    }

    /// Whether findings of `rule` on the current line are dropped.
    pub fn disables(&self, rule: &str) -> bool {
        (self.disabled | self.for_line) & self.bit(rule) != 0
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
