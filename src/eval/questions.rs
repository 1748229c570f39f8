//! The questions an evaluation asks, leaf by leaf: the records a run held out
//! when its dataset was built (never trained on), and a leaf's seed questions
//! only when the run held nothing out for it (marked as such).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::taxonomy::model::Leaf;
use crate::taxonomy::validate::Options;
use crate::train::dataset::{Conversation, leaf_records};

/// The leaf name of records that name none.
pub const NO_LEAF: &str = "(no leaf)";

/// Where a leaf's questions come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionSource {
    /// Records the run held out of its training data.
    HeldOut,
    /// The leaf's seed examples (the run held out nothing for it).
    Seed,
}

/// One question with the answer it is scored against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The system message, if the record has one.
    pub system: Option<String>,
    /// The user's message.
    pub user: String,
    /// The reference answer.
    pub reference: String,
}

/// The questions of one leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafQuestions {
    /// The leaf's folder relative to the taxonomy root (or [`NO_LEAF`]).
    pub leaf: String,
    /// Where the questions come from.
    pub source: QuestionSource,
    /// The questions.
    pub questions: Vec<Question>,
}

/// Which leaves to evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeafChoice {
    /// Every leaf the run trained or held out records of.
    All,
    /// The leaves of the run's taxonomy changed against its base.
    Changed,
    /// These leaves (folders relative to the taxonomy root).
    Only(Vec<String>),
}

fn question(record: &Conversation) -> Option<Question> {
    let user = record.messages.iter().rev().find(|m| m.role == "user")?;
    let reference = record
        .messages
        .iter()
        .rev()
        .find(|m| m.role == "assistant")?;
    Some(Question {
        system: record.message("system").map(str::to_owned),
        user: user.content.clone(),
        reference: reference.content.clone(),
    })
}

fn leaf_name(record: &Conversation) -> String {
    record.leaf.clone().unwrap_or_else(|| NO_LEAF.to_owned())
}

/// The questions of the chosen leaves (`Changed` must be resolved to `Only`
/// before; it counts as `All` here): each leaf's held-out records, else its seed
/// examples read from `taxonomy` (when the run names one and the leaf is there).
/// Leaves with neither are left out.
pub fn questions(
    heldout: &[Conversation],
    trained: &[Conversation],
    choice: &LeafChoice,
    taxonomy: Option<&Path>,
) -> Vec<LeafQuestions> {
    let mut held: BTreeMap<String, Vec<Question>> = BTreeMap::new();
    for record in heldout {
        if let Some(q) = question(record) {
            held.entry(leaf_name(record)).or_default().push(q);
        }
    }
    let names: Vec<String> = match choice {
        LeafChoice::All | LeafChoice::Changed => {
            let mut names: Vec<String> = heldout.iter().chain(trained).map(leaf_name).collect();
            names.sort();
            names.dedup();
            names
        }
        LeafChoice::Only(names) => names.clone(),
    };
    let mut out = Vec::new();
    for leaf in names {
        if let Some(questions) = held.remove(&leaf) {
            out.push(LeafQuestions {
                leaf,
                source: QuestionSource::HeldOut,
                questions,
            });
            continue;
        }
        let seeds: Vec<Question> = match taxonomy {
            Some(root) if leaf != NO_LEAF && root.join(&leaf).is_dir() => {
                leaf_records(&Leaf::read(root, PathBuf::from(&leaf), &Options::default()))
                    .iter()
                    .filter_map(question)
                    .collect()
            }
            _ => Vec::new(),
        };
        if !seeds.is_empty() {
            out.push(LeafQuestions {
                leaf,
                source: QuestionSource::Seed,
                questions: seeds,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(leaf: Option<&str>, question: &str) -> Conversation {
        let answer = format!("answer to {question}");
        Conversation {
            leaf: leaf.map(str::to_owned),
            ..Conversation::question_answer("S", question, &answer)
        }
    }

    const SPELLING: &str =
        "compositional_skills/linguistics/spelling/british_and_american_spelling";

    #[test]
    fn held_out_records_come_first_and_seeds_fill_in() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-taxonomy");
        let heldout = [
            record(Some("a/b"), "q1"),
            record(None, "q2"),
            record(Some("a/b"), "q3"),
        ];
        let trained = [
            record(Some(SPELLING), "t1"),
            record(Some("gone/leaf"), "t2"),
        ];
        let all = questions(&heldout, &trained, &LeafChoice::All, Some(&root));
        let summary: Vec<(&str, QuestionSource, usize)> = all
            .iter()
            .map(|l| (l.leaf.as_str(), l.source, l.questions.len()))
            .collect();
        assert_eq!(summary[0], (NO_LEAF, QuestionSource::HeldOut, 1));
        assert_eq!(summary[1], ("a/b", QuestionSource::HeldOut, 2));
        assert_eq!(
            (summary[2].0, summary[2].1),
            (SPELLING, QuestionSource::Seed)
        );
        assert!(summary[2].2 >= 3, "the leaf's seed examples");
        assert_eq!(summary.len(), 3, "a leaf with neither is left out");
        assert_eq!(all[1].questions[1].reference, "answer to q3");
        assert_eq!(all[1].questions[0].system.as_deref(), Some("S"));
        let only = questions(
            &heldout,
            &trained,
            &LeafChoice::Only(vec!["a/b".into()]),
            None,
        );
        assert_eq!(only.len(), 1);
    }
}
