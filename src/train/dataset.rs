//! Training records: conversations read from a messages-format JSONL file or taken
//! from a taxonomy's seed examples, each with its kind (knowledge or skill), its
//! leaf when known, and whether it is trained on whole (`unmask`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::generate::dataset::SYSTEM_PROMPT;
use crate::taxonomy::leaf::LeafKind;
use crate::taxonomy::model::{Leaf, Taxonomy};
use crate::taxonomy::qna::{Qna, QuestionAnswer, Text};
use crate::taxonomy::validate::Options;

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `system`, `user`, `assistant` (or upstream's `pretraining`).
    pub role: String,
    /// The text.
    pub content: String,
}

/// Which of LAB's phases a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// Knowledge, trained on whole in phase 1 (`unmask`, or upstream's
    /// `pretraining` role).
    Knowledge,
    /// A skill (or any record trained on the assistant's part only).
    Skill,
}

/// One training record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    /// Its messages in order.
    pub messages: Vec<Message>,
    /// Whether every token is trained on (else the assistant's only).
    pub unmask: bool,
    /// Its kind.
    pub kind: RecordKind,
    /// The leaf it comes from (`metadata.leaf`), when known.
    pub leaf: Option<String>,
    /// Whether it is a leaf's seed example rather than a generated sample.
    pub seed: bool,
}

/// The `metadata.dataset` of records taken from seed examples.
pub const SEED_DATASET: &str = "seed_example";

impl Conversation {
    /// A skill record of one turn: a system message, the question, the answer.
    pub fn question_answer(system: &str, question: &str, answer: &str) -> Self {
        let message = |role: &str, content: &str| Message {
            role: role.to_owned(),
            content: content.to_owned(),
        };
        Self {
            messages: vec![
                message("system", system),
                message("user", question),
                message("assistant", answer),
            ],
            unmask: false,
            kind: RecordKind::Skill,
            leaf: None,
            seed: false,
        }
    }

    /// The first message with `role`.
    pub fn message(&self, role: &str) -> Option<&str> {
        self.messages
            .iter()
            .find(|m| m.role == role)
            .map(|m| m.content.as_str())
    }

    /// The record as a messages-format line (`messages`, `metadata` as a JSON
    /// string with `leaf` and `dataset`, `unmask`), which [`read_messages`] reads
    /// back as it was.
    pub fn to_line(&self) -> String {
        let mut metadata = serde_json::Map::new();
        if let Some(leaf) = &self.leaf {
            metadata.insert("leaf".into(), leaf.clone().into());
        }
        if self.seed {
            metadata.insert("dataset".into(), SEED_DATASET.into());
        }
        serde_json::json!({
            "messages": self.messages,
            "metadata": serde_json::Value::Object(metadata).to_string(),
            "unmask": self.unmask,
        })
        .to_string()
    }
}

/// Why training data could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line is not a valid record.
    #[error("{path}:{line}:{column}: {message}")]
    Record {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The column, from 1.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// There is nothing to train on.
    #[error("{0}: no conversations")]
    Empty(String),
}

#[derive(Deserialize)]
struct Record {
    messages: Vec<Message>,
    #[serde(default)]
    unmask: bool,
    #[serde(default)]
    metadata: Option<serde_json::Value>,
}

/// The metadata object (upstream writes it as a JSON string; an object is taken
/// as it is).
fn metadata_object(
    value: Option<serde_json::Value>,
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(serde_json::Map::new()),
        Some(serde_json::Value::Object(map)) => Ok(map),
        Some(serde_json::Value::String(text)) => match serde_json::from_str(&text) {
            Ok(serde_json::Value::Object(map)) => Ok(map),
            _ => Err("`metadata` is a string but not a JSON object".to_owned()),
        },
        Some(_) => Err("`metadata` must be a JSON object or a string holding one".to_owned()),
    }
}

/// Reads a messages-format JSONL file; blank lines are skipped, any other line
/// must hold a non-empty `messages` array of `{role, content}`. A record is
/// knowledge when it is trained on whole (`unmask`, or a `pretraining` message).
pub fn read_messages(path: &Path) -> Result<Vec<Conversation>, DatasetError> {
    let text = std::fs::read_to_string(path).map_err(|source| DatasetError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut conversations = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let error = |column: usize, message: String| DatasetError::Record {
            path: path.to_owned(),
            line: index + 1,
            column,
            message,
        };
        let record: Record =
            serde_json::from_str(line).map_err(|e| error(e.column().max(1), e.to_string()))?;
        if record.messages.is_empty() {
            return Err(error(1, "`messages` is empty".to_owned()));
        }
        let metadata = metadata_object(record.metadata).map_err(|m| error(1, m))?;
        let text_of = |key: &str| metadata.get(key).and_then(serde_json::Value::as_str);
        let pretraining = record.messages.iter().any(|m| m.role == "pretraining");
        let whole = record.unmask || pretraining;
        conversations.push(Conversation {
            leaf: text_of("leaf").map(str::to_owned),
            seed: text_of("dataset") == Some(SEED_DATASET),
            messages: record.messages,
            unmask: record.unmask,
            kind: if whole {
                RecordKind::Knowledge
            } else {
                RecordKind::Skill
            },
        });
    }
    if conversations.is_empty() {
        return Err(DatasetError::Empty(path.display().to_string()));
    }
    Ok(conversations)
}

fn text(value: &Option<Text>) -> Option<String> {
    value
        .as_ref()
        .map(|t| t.value.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn conversation(context: Option<&str>, pair: &QuestionAnswer) -> Option<Conversation> {
    let question = text(&pair.question)?;
    let answer = text(&pair.answer)?;
    let user = match context {
        Some(context) => format!("{context}\n\n{question}"),
        None => question,
    };
    Some(Conversation {
        seed: true,
        ..Conversation::question_answer(SYSTEM_PROMPT, &user, &answer)
    })
}

/// The seed examples of one leaf as conversations (system, user, assistant), the
/// context put before the question as `taxon generate` does.
pub fn leaf_conversations(qna: &Qna) -> Vec<Conversation> {
    let mut out = Vec::new();
    for example in &qna.seed_examples {
        let context = text(&example.context);
        out.extend(conversation(context.as_deref(), &example.qa));
        for pair in &example.questions_and_answers {
            out.extend(conversation(context.as_deref(), pair));
        }
    }
    out
}

/// The seed examples of a leaf read from its taxonomy, marked with the leaf and
/// its kind (a knowledge leaf's are trained on whole, as `taxon generate` marks
/// its knowledge samples).
pub fn leaf_records(leaf: &Leaf) -> Vec<Conversation> {
    let Some(qna) = &leaf.report.qna else {
        return Vec::new();
    };
    let knowledge = leaf.report.kind == Some(LeafKind::Knowledge);
    let name = leaf.folder.to_string_lossy().replace('\\', "/");
    leaf_conversations(qna)
        .into_iter()
        .map(|c| Conversation {
            unmask: knowledge,
            kind: if knowledge {
                RecordKind::Knowledge
            } else {
                RecordKind::Skill
            },
            leaf: Some(name.clone()),
            ..c
        })
        .collect()
}

/// The seed examples of every leaf of the taxonomy at `root`, leaf by leaf in path
/// order (leaves that cannot be read are left out).
pub fn seed_conversations(root: &Path) -> Result<Vec<Conversation>, DatasetError> {
    let mut out = Vec::new();
    for leaf in Taxonomy::scan(root).leaves {
        out.extend(leaf_records(&Leaf::read(
            root,
            leaf.folder,
            &Options::default(),
        )));
    }
    if out.is_empty() {
        return Err(DatasetError::Empty(root.display().to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_reported_with_their_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.jsonl");
        let good = r#"{"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"}],"id":"x"}"#;
        std::fs::write(&path, format!("{good}\n\n{good}\n")).unwrap();
        assert_eq!(read_messages(&path).unwrap().len(), 2);
        std::fs::write(&path, format!("{good}\n{{\"messages\": 3}}\n")).unwrap();
        let error = read_messages(&path).unwrap_err().to_string();
        assert!(error.contains("d.jsonl:2:"), "{error}");
        let bad_metadata = good.replace(r#""id":"x""#, r#""metadata":"[1]""#);
        std::fs::write(&path, format!("{bad_metadata}\n")).unwrap();
        let error = read_messages(&path).unwrap_err().to_string();
        assert!(
            error.ends_with("d.jsonl:1:1: `metadata` is a string but not a JSON object"),
            "{error}"
        );
        std::fs::write(&path, "\n").unwrap();
        assert!(
            read_messages(&path)
                .unwrap_err()
                .to_string()
                .contains("no conversations")
        );
    }

    #[test]
    fn records_keep_their_kind_leaf_and_mask_through_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.jsonl");
        let lines = [
            r#"{"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"}],"metadata":"{\"leaf\":\"knowledge/a\"}","unmask":true}"#,
            r#"{"messages":[{"role":"pretraining","content":"text"}],"metadata":{"leaf":"knowledge/b"}}"#,
            r#"{"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"}],"metadata":"{\"dataset\":\"seed_example\"}"}"#,
        ];
        std::fs::write(&path, lines.join("\n")).unwrap();
        let records = read_messages(&path).unwrap();
        let kinds: Vec<RecordKind> = records.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [
                RecordKind::Knowledge,
                RecordKind::Knowledge,
                RecordKind::Skill
            ]
        );
        assert_eq!(records[1].leaf.as_deref(), Some("knowledge/b"));
        assert!(records[2].seed && !records[0].seed);
        let again = dir.path().join("again.jsonl");
        let text: String = records.iter().map(|r| r.to_line() + "\n").collect();
        std::fs::write(&again, text).unwrap();
        assert_eq!(read_messages(&again).unwrap(), records);
    }

    #[test]
    fn the_sample_taxonomy_gives_three_message_conversations_of_both_kinds() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-taxonomy");
        let conversations = seed_conversations(&root).unwrap();
        assert!(conversations.len() > 20, "{}", conversations.len());
        for c in &conversations {
            let roles: Vec<&str> = c.messages.iter().map(|m| m.role.as_str()).collect();
            assert_eq!(roles, ["system", "user", "assistant"]);
            let leaf = c.leaf.as_deref().unwrap();
            assert_eq!(
                c.kind == RecordKind::Knowledge,
                leaf.starts_with("knowledge/"),
                "{leaf}"
            );
            assert_eq!(c.unmask, c.kind == RecordKind::Knowledge);
            assert!(c.seed);
        }
    }
}
