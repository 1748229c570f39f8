//! A seed example as review sees it: its texts normalised, a content hash that survives
//! reformatting but not edits, and its rendering as lines for diffs.

use std::fmt;

use git2::{ObjectType, Oid};
use serde::{Deserialize, Serialize};

use crate::taxonomy::qna::{QuestionAnswer, SeedExample, Text};

/// A content hash (of an example or a whole leaf): a git blob id (SHA-1, hex) of its normalised texts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContentHash(pub String);

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ContentHash {
    /// The git blob id of `input`, as hex.
    pub(super) fn of(input: &str) -> Self {
        // Hashing bytes in memory only fails for an invalid object type, never for a blob.
        let id = Oid::hash_object(ObjectType::Blob, input.as_bytes()).unwrap_or(Oid::ZERO_SHA1);
        Self(id.to_string())
    }

    /// The first ten hex digits, for people.
    pub fn short(&self) -> &str {
        &self.0[..self.0.len().min(10)]
    }
}

/// A whole leaf as review sees it: its examples' hashes in order and the hash of its
/// own fields (`task_description`, `document`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafHashes {
    /// Each example's hash, in order.
    pub examples: Vec<ContentHash>,
    /// The hash of its own fields.
    pub fields: ContentHash,
}

impl LeafHashes {
    /// The hash of the whole leaf, examples and own fields: what previews and leaf
    /// verdicts are given for, so a changed task description makes them stale.
    pub fn leaf(&self) -> ContentHash {
        let mut input = format!("taxon-leaf-v2\nfields {}\n", self.fields.0);
        for example in &self.examples {
            input.push_str(&example.0);
            input.push('\n');
        }
        ContentHash::of(&input)
    }
}

/// One question and answer, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Pair {
    /// The question (empty when missing).
    pub question: String,
    /// The answer (empty when missing).
    pub answer: String,
}

/// The reviewable content of one seed example, normalised: line endings as `\n`, no
/// trailing blanks on any line, no blank lines around the text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ExampleContent {
    /// The grounding context, when the example has one.
    pub context: Option<String>,
    /// The skill example's question and answer, or a knowledge example's pairs.
    pub pairs: Vec<Pair>,
    /// Whether the pairs come from a `questions_and_answers` list (knowledge); only
    /// naming depends on it, not the hash.
    pub listed: bool,
}

/// Normalises one text as [`ExampleContent`] describes.
pub fn normalise(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(|line| line.trim_end_matches([' ', '\t', '\r']))
        .collect();
    lines.join("\n").trim_matches('\n').to_owned()
}

fn pair_of(qa: &QuestionAnswer) -> Pair {
    let text = |t: &Option<Text>| t.as_ref().map(|t| normalise(&t.value)).unwrap_or_default();
    Pair {
        question: text(&qa.question),
        answer: text(&qa.answer),
    }
}

impl ExampleContent {
    /// The content of a parsed seed example: its `questions_and_answers` when it has
    /// some (knowledge), else its own question and answer (skills).
    pub fn of(example: &SeedExample) -> Self {
        let listed = !example.questions_and_answers.is_empty();
        let pairs = if listed {
            example.questions_and_answers.iter().map(pair_of).collect()
        } else {
            vec![pair_of(&example.qa)]
        };
        Self {
            context: example.context.as_ref().map(|c| normalise(&c.value)),
            pairs,
            listed,
        }
    }

    /// The content hash: each field length-prefixed, so no two contents share an input.
    pub fn hash(&self) -> ContentHash {
        let mut input = String::from("taxon-example-v1\n");
        let mut field = |name: &str, value: &str| {
            input.push_str(&format!("{name} {}\n{value}\n", value.len()));
        };
        if let Some(context) = &self.context {
            field("context", context);
        }
        for pair in &self.pairs {
            field("question", &pair.question);
            field("answer", &pair.answer);
        }
        ContentHash::of(&input)
    }

    /// The fields as `(name, text)`, named as in the leaf file (`context`, `question`,
    /// `questions_and_answers[2].answer`, 1-based as people count).
    pub fn fields(&self) -> Vec<(String, &str)> {
        let mut fields = Vec::new();
        if let Some(context) = &self.context {
            fields.push(("context".to_owned(), context.as_str()));
        }
        for (i, pair) in self.pairs.iter().enumerate() {
            let prefix = if self.listed {
                format!("questions_and_answers[{}].", i + 1)
            } else {
                String::new()
            };
            fields.push((format!("{prefix}question"), pair.question.as_str()));
            fields.push((format!("{prefix}answer"), pair.answer.as_str()));
        }
        fields
    }

    /// The example as lines of text (`field: first line`, continuation lines indented),
    /// the unit of its line diff.
    pub fn lines(&self) -> Vec<String> {
        field_lines(self.fields())
    }
}

/// Named texts as lines: `name: first line`, continuation lines indented.
pub fn field_lines<'t>(fields: impl IntoIterator<Item = (String, &'t str)>) -> Vec<String> {
    let mut lines = Vec::new();
    for (name, text) in fields {
        let mut parts = text.split('\n');
        lines.push(format!("{name}: {}", parts.next().unwrap_or_default()));
        lines.extend(parts.map(|line| format!("  {line}")));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::yaml::load;

    fn examples(yaml: &str) -> Vec<ExampleContent> {
        let qna = crate::taxonomy::qna::Qna::from_document(&load(yaml).unwrap());
        qna.seed_examples.iter().map(ExampleContent::of).collect()
    }

    #[test]
    fn reformatting_keeps_the_hash() {
        let plain = examples("seed_examples:\n  - question: Why?\n    answer: Because.\n");
        let block =
            examples("seed_examples:\n  - question: |\n      Why?\n    answer: \"Because.  \"\n");
        assert_eq!(plain[0].hash(), block[0].hash());
        assert_eq!(plain[0].hash().0.len(), 40);
    }

    #[test]
    fn edits_change_the_hash() {
        let list = examples(
            "seed_examples:\n  - question: Why?\n    answer: Because.\n  - question: Why?\n    answer: Because!\n  - context: Why?\n    question: Because.\n    answer: ''\n",
        );
        assert_ne!(list[0].hash(), list[1].hash());
        // Moving text between fields is an edit too.
        assert_ne!(list[0].hash(), list[2].hash());
    }

    #[test]
    fn knowledge_pairs_are_named_and_rendered() {
        let list = examples(
            "seed_examples:\n  - context: |\n      Tides rise.\n      Tides fall.\n    questions_and_answers:\n      - question: A?\n        answer: B.\n      - question: C?\n        answer: D.\n",
        );
        let names: Vec<String> = list[0].fields().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names[0], "context");
        assert_eq!(names[3], "questions_and_answers[2].question");
        assert_eq!(
            list[0].lines()[..2],
            ["context: Tides rise.", "  Tides fall."]
        );
    }

    #[test]
    fn normalises_line_ends_and_blanks() {
        assert_eq!(normalise("\n a \r\nb\t\n\n"), " a\nb");
    }
}
