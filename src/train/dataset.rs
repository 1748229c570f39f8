//! Training data: conversations read from a messages-format JSONL file or taken
//! from a taxonomy's seed examples, and the token windows the trainer consumes
//! (the stream cut into a training part and a held-out evaluation tail).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::generate::dataset::SYSTEM_PROMPT;
use crate::taxonomy::model::{Leaf, Taxonomy};
use crate::taxonomy::qna::{Qna, QuestionAnswer, Text};
use crate::taxonomy::validate::Options;

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// The text.
    pub content: String,
}

/// One training conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    /// Its messages in order.
    pub messages: Vec<Message>,
}

/// Why training data could not be read or cut.
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
    /// The token stream is shorter than the windows need.
    #[error(
        "the dataset has {tokens} tokens; {needed} are needed for {context}-token windows with a held-out part"
    )]
    TooShort {
        /// Tokens available.
        tokens: usize,
        /// Tokens needed.
        needed: usize,
        /// The window size.
        context: usize,
    },
}

#[derive(Deserialize)]
struct Record {
    messages: Vec<Message>,
}

/// Reads a messages-format JSONL file; blank lines are skipped, any other line
/// must hold a non-empty `messages` array of `{role, content}`.
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
        conversations.push(Conversation {
            messages: record.messages,
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
    let message = |role: &str, content: String| Message {
        role: role.to_owned(),
        content,
    };
    Some(Conversation {
        messages: vec![
            message("system", SYSTEM_PROMPT.to_owned()),
            message("user", user),
            message("assistant", answer),
        ],
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

/// The seed examples of every leaf of the taxonomy at `root`, leaf by leaf in path
/// order (leaves that cannot be read are left out).
pub fn seed_conversations(root: &Path) -> Result<Vec<Conversation>, DatasetError> {
    let mut out = Vec::new();
    for leaf in Taxonomy::scan(root).leaves {
        let leaf = Leaf::read(root, leaf.folder, &Options::default());
        if let Some(qna) = &leaf.report.qna {
            out.extend(leaf_conversations(qna));
        }
    }
    if out.is_empty() {
        return Err(DatasetError::Empty(root.display().to_string()));
    }
    Ok(out)
}

/// Token windows of `context + 1` tokens (inputs and, shifted by one, labels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Windows {
    /// The window size in tokens (without the extra label token).
    pub context: usize,
    /// Training windows, in stream order.
    pub train: Vec<Vec<i32>>,
    /// Held-out windows from the end of the stream.
    pub eval: Vec<Vec<i32>>,
}

impl Windows {
    /// Tokens the training windows feed per epoch.
    pub fn train_tokens(&self) -> usize {
        self.train.len() * self.context
    }
}

/// Windows over `tokens` overlapping by half, the last one aligned with the end so
/// that every token is seen.
fn cut(tokens: &[i32], context: usize) -> Vec<Vec<i32>> {
    let size = context + 1;
    if tokens.len() < size {
        return Vec::new();
    }
    let stride = (context / 2).max(1);
    let mut starts: Vec<usize> = (0..=tokens.len() - size).step_by(stride).collect();
    let last = tokens.len() - size;
    if starts.last() != Some(&last) {
        starts.push(last);
    }
    starts
        .into_iter()
        .map(|s| tokens[s..s + size].to_vec())
        .collect()
}

/// Cuts a token stream into training windows and, when `eval_fraction` is above
/// zero, evaluation windows from its tail (at least one window's worth).
pub fn windows(
    tokens: &[i32],
    context: usize,
    eval_fraction: f32,
) -> Result<Windows, DatasetError> {
    let size = context + 1;
    let eval_len = if eval_fraction > 0.0 {
        ((tokens.len() as f64 * f64::from(eval_fraction)).ceil() as usize).max(size)
    } else {
        0
    };
    let needed = size + eval_len;
    if tokens.len() < needed {
        return Err(DatasetError::TooShort {
            tokens: tokens.len(),
            needed,
            context,
        });
    }
    let split = tokens.len() - eval_len;
    Ok(Windows {
        context,
        train: cut(&tokens[..split], context),
        eval: cut(&tokens[split..], context),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_the_stream_and_hold_out_its_tail() {
        let tokens: Vec<i32> = (0..40).collect();
        let w = windows(&tokens, 8, 0.25).unwrap();
        let eval_starts: Vec<i32> = w.eval.iter().map(|t| t[0]).collect();
        assert_eq!(eval_starts, [30, 31], "windows over the last 10 tokens");
        assert_eq!(w.eval[1], (31..40).collect::<Vec<_>>());
        let starts: Vec<i32> = w.train.iter().map(|t| t[0]).collect();
        assert_eq!(
            starts,
            [0, 4, 8, 12, 16, 20, 21],
            "last one ends at the split"
        );
        assert!(w.train.iter().all(|t| t.len() == 9));
        assert_eq!(w.train_tokens(), 7 * 8);
        let all_train = windows(&tokens, 8, 0.0).unwrap();
        assert!(all_train.eval.is_empty());
        assert_eq!(all_train.train.last().unwrap()[8], 39);
    }

    #[test]
    fn a_short_stream_is_refused_with_the_numbers() {
        let tokens: Vec<i32> = (0..17).collect();
        let error = windows(&tokens, 8, 0.1).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the dataset has 17 tokens; 18 are needed for 8-token windows with a held-out part"
        );
    }

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
        std::fs::write(&path, "\n").unwrap();
        assert!(
            read_messages(&path)
                .unwrap_err()
                .to_string()
                .contains("no conversations")
        );
    }

    #[test]
    fn the_sample_taxonomy_gives_three_message_conversations() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-taxonomy");
        let conversations = seed_conversations(&root).unwrap();
        assert!(conversations.len() > 20, "{}", conversations.len());
        for c in &conversations {
            let roles: Vec<&str> = c.messages.iter().map(|m| m.role.as_str()).collect();
            assert_eq!(roles, ["system", "user", "assistant"]);
        }
    }
}
