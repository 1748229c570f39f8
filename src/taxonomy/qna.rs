//! The typed content of a `qna.yaml`, extracted leniently from a loaded document so
//! that even an invalid leaf can be shown; every text keeps its source span.

use super::yaml::{Document, NodeId, Span, Value};

/// A string value and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// The string.
    pub value: String,
    /// Its source range.
    pub span: Span,
}

/// One question and its answer (a skill example, or one of a knowledge example's pairs).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuestionAnswer {
    /// The question.
    pub question: Option<Text>,
    /// The desired answer.
    pub answer: Option<Text>,
    /// The source range of the pair.
    pub span: Span,
}

/// One seed example.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeedExample {
    /// Grounding context (grounded skills and knowledge).
    pub context: Option<Text>,
    /// The question and answer of a skill example.
    pub qa: QuestionAnswer,
    /// The pairs of a knowledge example.
    pub questions_and_answers: Vec<QuestionAnswer>,
    /// The source range of the example.
    pub span: Span,
}

/// Where a knowledge leaf's source documents live.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DocumentRef {
    /// URL of the git repository holding the documents.
    pub repo: Option<Text>,
    /// The commit to read them at.
    pub commit: Option<Text>,
    /// Glob patterns of the documents within the repository.
    pub patterns: Vec<Text>,
}

/// The content of one `qna.yaml`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Qna {
    /// The `version` key, when it is an integer.
    pub version: Option<i128>,
    /// The contributor.
    pub created_by: Option<Text>,
    /// What the skill teaches (skills).
    pub task_description: Option<Text>,
    /// The knowledge domain (knowledge).
    pub domain: Option<Text>,
    /// A summary of the source document (knowledge).
    pub document_outline: Option<Text>,
    /// The source documents (knowledge).
    pub document: Option<DocumentRef>,
    /// The seed examples, in order.
    pub seed_examples: Vec<SeedExample>,
}

impl Qna {
    /// Extracts the content of a loaded document; values of the wrong type are left out
    /// (the schema check reports them).
    pub fn from_document(doc: &Document) -> Self {
        let Some(root) = doc.root_id() else {
            return Self::default();
        };
        let [
            version,
            created_by,
            task_description,
            domain,
            document_outline,
            document,
            seed_examples,
        ] = doc.get_all(
            root,
            [
                "version",
                "created_by",
                "task_description",
                "domain",
                "document_outline",
                "document",
                "seed_examples",
            ],
        );
        Self {
            version: version.and_then(|id| match doc.node(id).value {
                Value::Int(i) => Some(i),
                _ => None,
            }),
            created_by: text_at(doc, created_by),
            task_description: text_at(doc, task_description),
            domain: text_at(doc, domain),
            document_outline: text_at(doc, document_outline),
            document: document.map(|id| DocumentRef {
                repo: text_at(doc, doc.get(id, "repo")),
                commit: text_at(doc, doc.get(id, "commit")),
                patterns: doc
                    .get(id, "patterns")
                    .map_or(&[][..], |p| doc.items(p))
                    .iter()
                    .filter_map(|&p| text_at(doc, Some(p)))
                    .collect(),
            }),
            seed_examples: seed_examples
                .map_or(&[][..], |id| doc.items(id))
                .iter()
                .map(|&id| seed_example(doc, id))
                .collect(),
        }
    }
}

fn text_at(doc: &Document, id: Option<NodeId>) -> Option<Text> {
    let id = id?;
    doc.str_value(id).map(|value| Text {
        value: value.to_owned(),
        span: doc.node(id).span,
    })
}

fn question_answer(doc: &Document, id: NodeId) -> QuestionAnswer {
    QuestionAnswer {
        question: text_at(doc, doc.get(id, "question")),
        answer: text_at(doc, doc.get(id, "answer")),
        span: doc.node(id).span,
    }
}

fn seed_example(doc: &Document, id: NodeId) -> SeedExample {
    SeedExample {
        context: text_at(doc, doc.get(id, "context")),
        qa: question_answer(doc, id),
        questions_and_answers: doc
            .get(id, "questions_and_answers")
            .map_or(&[][..], |qa| doc.items(qa))
            .iter()
            .map(|&pair| question_answer(doc, pair))
            .collect(),
        span: doc.node(id).span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::yaml::load;

    #[test]
    fn extracts_knowledge_content() {
        let doc = load(
            "version: 3\ncreated_by: ada\ndomain: Tides\nseed_examples:\n  - context: |\n      The moon pulls.\n    questions_and_answers:\n      - question: Why?\n        answer: Gravity.\ndocument:\n  repo: https://example.org/docs.git\n  commit: abc\n  patterns:\n    - tides.md\n",
        )
        .unwrap();
        let qna = Qna::from_document(&doc);
        assert_eq!(qna.version, Some(3));
        assert_eq!(qna.domain.unwrap().value, "Tides");
        let example = &qna.seed_examples[0];
        assert_eq!(example.context.as_ref().unwrap().value, "The moon pulls.\n");
        assert_eq!(
            example.questions_and_answers[0]
                .answer
                .as_ref()
                .unwrap()
                .value,
            "Gravity."
        );
        assert_eq!(
            example.questions_and_answers[0]
                .question
                .as_ref()
                .unwrap()
                .span
                .start
                .line(),
            8
        );
        let document = qna.document.unwrap();
        assert_eq!(document.patterns.len(), 1);
        assert_eq!(document.commit.unwrap().value, "abc");
    }
}
