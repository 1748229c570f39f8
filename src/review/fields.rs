//! A leaf's own fields (all but its seed examples: `version`, `created_by`, `domain`,
//! `task_description`, `document_outline`, `document`) as review sees them. A change to
//! them is an item of its own to review, decided like an example.

use serde::Serialize;

use crate::taxonomy::qna::{Qna, Text};

use super::example::{ContentHash, field_lines, normalise};
use super::queue::{DiffLine, diff_lines};

/// The leaf's own fields, normalised and rendered as lines (`name: first line`,
/// continuation lines indented), in the file's usual order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LeafFields {
    /// The lines.
    pub lines: Vec<String>,
}

impl LeafFields {
    /// The fields of a parsed leaf; missing ones are left out.
    pub fn of(qna: &Qna) -> Self {
        let text = |t: &Option<Text>| t.as_ref().map(|t| normalise(&t.value));
        let mut named: Vec<(String, String)> = Vec::new();
        if let Some(version) = qna.version {
            named.push(("version".into(), version.to_string()));
        }
        let plain = [
            ("created_by", &qna.created_by),
            ("domain", &qna.domain),
            ("task_description", &qna.task_description),
            ("document_outline", &qna.document_outline),
        ];
        named.extend(
            plain
                .into_iter()
                .filter_map(|(name, value)| Some((name.to_owned(), text(value)?))),
        );
        if let Some(document) = &qna.document {
            named.extend(text(&document.repo).map(|r| ("document.repo".to_owned(), r)));
            named.extend(text(&document.commit).map(|c| ("document.commit".to_owned(), c)));
            for (i, pattern) in document.patterns.iter().enumerate() {
                named.push((
                    format!("document.patterns[{}]", i + 1),
                    normalise(&pattern.value),
                ));
            }
        }
        Self {
            lines: field_lines(
                named
                    .iter()
                    .map(|(name, value)| (name.clone(), value.as_str())),
            ),
        }
    }

    /// The content hash decisions on the fields are tied to.
    pub fn hash(&self) -> ContentHash {
        let mut input = String::from("taxon-leaf-fields-v1\n");
        for line in &self.lines {
            input.push_str(line);
            input.push('\n');
        }
        ContentHash::of(&input)
    }
}

/// A change of a leaf's own fields against the base: the item reviewed for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldsChange {
    /// The fields now.
    pub fields: LeafFields,
    /// Their hash, which decisions on them are tied to.
    pub hash: ContentHash,
    /// The line diff from the base's fields (all added for a new leaf).
    pub diff: Vec<DiffLine>,
}

impl FieldsChange {
    /// The change from `base` (empty for a new leaf) to `current`; `None` when they
    /// are equal.
    pub fn between(base: &LeafFields, current: LeafFields) -> Option<Self> {
        (base.lines != current.lines).then(|| Self {
            diff: diff_lines(&base.lines, &current.lines),
            hash: current.hash(),
            fields: current,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::yaml::load;

    fn fields(yaml: &str) -> LeafFields {
        LeafFields::of(&Qna::from_document(&load(yaml).unwrap()))
    }

    #[test]
    fn a_changed_task_description_is_a_change_and_examples_are_not() {
        let base = fields(
            "version: 3\ntask_description: Greet.\ndocument:\n  repo: r\n  commit: c\n  patterns: [a.md]\nseed_examples:\n  - question: A?\n",
        );
        assert_eq!(
            base.lines,
            [
                "version: 3",
                "task_description: Greet.",
                "document.repo: r",
                "document.commit: c",
                "document.patterns[1]: a.md"
            ]
        );
        let examples_only = fields(
            "version: 3\ntask_description: |\n  Greet.\ndocument:\n  repo: r\n  commit: c\n  patterns: [a.md]\nseed_examples:\n  - question: B?\n",
        );
        assert_eq!(examples_only.hash(), base.hash());
        assert!(FieldsChange::between(&base, examples_only).is_none());
        let changed = fields(
            "version: 3\ntask_description: Greet warmly.\ndocument:\n  repo: r\n  commit: c\n  patterns: [a.md]\n",
        );
        let change = FieldsChange::between(&base, changed).expect("a change");
        let signed: Vec<String> = change
            .diff
            .iter()
            .filter(|l| l.sign != ' ')
            .map(|l| format!("{}{}", l.sign, l.text))
            .collect();
        assert_eq!(
            signed,
            [
                "-task_description: Greet.",
                "+task_description: Greet warmly."
            ]
        );
        assert_ne!(change.hash, base.hash());
    }
}
