//! What generation needs from one leaf: its seeds in the shape the prompts take,
//! and for knowledge leaves the passages of its documents; then the prompt of each
//! attempt, rotating through seeds (and passages) so attempts differ.

use std::path::Path;

use crate::taxonomy::leaf::LeafKind;
use crate::taxonomy::qna::{Qna, Text};

use super::documents::{DocumentError, DocumentSource, read_documents};
use super::parse::Sample;
use super::prompts::{self, KnowledgeSeed, SamplePrompt, SkillSeed};

/// Tokens per document passage of a knowledge leaf, unless the caller says otherwise.
pub const PASSAGE_TOKENS: usize = 300;

/// Why a leaf cannot be generated from.
#[derive(Debug, thiserror::Error)]
pub enum LeafInputError {
    /// A needed field is missing or empty.
    #[error("the leaf has no {0}")]
    Missing(&'static str),
    /// Its documents could not be read.
    #[error(transparent)]
    Documents(#[from] DocumentError),
    /// Its documents hold no text.
    #[error("its documents hold no text")]
    NoText,
}

/// A leaf ready for generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeafInput {
    /// A skill taught from questions and answers.
    Freeform {
        /// The task description.
        task: String,
        /// The seed examples.
        seeds: Vec<SkillSeed>,
    },
    /// A skill working on a context.
    Grounded {
        /// The task description.
        task: String,
        /// The seed examples (with contexts).
        seeds: Vec<SkillSeed>,
    },
    /// Knowledge from documents.
    Knowledge {
        /// The domain.
        domain: String,
        /// The document outline.
        outline: String,
        /// The seed examples.
        seeds: Vec<KnowledgeSeed>,
        /// The passages of the documents.
        passages: Vec<String>,
    },
}

/// One attempt's prompt, and the passage it is about (knowledge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The prompt.
    pub prompt: SamplePrompt,
    /// The document passage the sample is grounded in (knowledge only).
    pub passage: Option<String>,
}

fn value(text: &Option<Text>) -> Option<String> {
    text.as_ref()
        .map(|t| t.value.trim().to_owned())
        .filter(|v| !v.is_empty())
}

impl LeafInput {
    /// Reads what a leaf provides. Knowledge documents come from the clone cache
    /// `docs_cache` and are cut into passages of at most `passage_tokens` tokens
    /// counted by `count`.
    pub fn from_qna(
        kind: LeafKind,
        qna: &Qna,
        docs_cache: &Path,
        passage_tokens: usize,
        count: impl FnMut(&[String]) -> Vec<usize>,
    ) -> Result<Self, LeafInputError> {
        if kind == LeafKind::Knowledge {
            return Self::knowledge(qna, docs_cache, passage_tokens, count);
        }
        let task =
            value(&qna.task_description).ok_or(LeafInputError::Missing("task_description"))?;
        let seeds: Vec<SkillSeed> = qna
            .seed_examples
            .iter()
            .filter_map(|e| {
                Some(SkillSeed {
                    context: value(&e.context),
                    question: value(&e.qa.question)?,
                    answer: value(&e.qa.answer)?,
                })
            })
            .collect();
        if seeds.is_empty() {
            return Err(LeafInputError::Missing("seed examples"));
        }
        if seeds[0].context.is_some() {
            Ok(Self::Grounded { task, seeds })
        } else {
            Ok(Self::Freeform { task, seeds })
        }
    }

    fn knowledge(
        qna: &Qna,
        docs_cache: &Path,
        passage_tokens: usize,
        mut count: impl FnMut(&[String]) -> Vec<usize>,
    ) -> Result<Self, LeafInputError> {
        let domain = value(&qna.domain).ok_or(LeafInputError::Missing("domain"))?;
        let outline =
            value(&qna.document_outline).ok_or(LeafInputError::Missing("document_outline"))?;
        let seeds: Vec<KnowledgeSeed> = qna
            .seed_examples
            .iter()
            .filter_map(|e| {
                let pairs: Vec<(String, String)> = e
                    .questions_and_answers
                    .iter()
                    .filter_map(|qa| Some((value(&qa.question)?, value(&qa.answer)?)))
                    .collect();
                Some(KnowledgeSeed {
                    context: value(&e.context)?,
                    pairs,
                })
                .filter(|s| !s.pairs.is_empty())
            })
            .collect();
        if seeds.is_empty() {
            return Err(LeafInputError::Missing("seed examples"));
        }
        let document = qna
            .document
            .as_ref()
            .ok_or(LeafInputError::Missing("document"))?;
        let source = DocumentSource::from_leaf(document)?;
        let passages: Vec<String> = read_documents(docs_cache, &source)?
            .iter()
            .flat_map(|d| super::chunk::chunk(&d.text, passage_tokens, &mut count))
            .collect();
        if passages.is_empty() {
            return Err(LeafInputError::NoText);
        }
        Ok(Self::Knowledge {
            domain,
            outline,
            seeds,
            passages,
        })
    }

    /// Whether samples carry a generated context.
    pub fn grounded(&self) -> bool {
        matches!(self, Self::Grounded { .. })
    }

    /// The seed examples as samples, to reject copies of them.
    pub fn seed_samples(&self) -> Vec<Sample> {
        match self {
            Self::Freeform { seeds, .. } | Self::Grounded { seeds, .. } => seeds
                .iter()
                .map(|s| Sample {
                    context: s.context.clone(),
                    question: s.question.clone(),
                    answer: s.answer.clone(),
                })
                .collect(),
            Self::Knowledge { seeds, .. } => seeds
                .iter()
                .flat_map(|s| &s.pairs)
                .map(|(q, a)| Sample {
                    context: None,
                    question: q.clone(),
                    answer: a.clone(),
                })
                .collect(),
        }
    }

    /// The prompt of attempt `index`: seed examples starting at `index` for skills
    /// (two for freeform skills, one for grounded ones, whose contexts are long);
    /// for knowledge, passage `index` (cycling) with a seed example that
    /// changes once every passage has been used.
    pub fn attempt(&self, index: usize) -> Attempt {
        match self {
            Self::Freeform { task, seeds } | Self::Grounded { task, seeds } => {
                let wanted = if self.grounded() { 1 } else { 2 };
                let shown: Vec<&SkillSeed> = (0..seeds.len().min(wanted))
                    .map(|k| &seeds[(index + k) % seeds.len()])
                    .collect();
                let prompt = if self.grounded() {
                    prompts::grounded_skill(task, &shown)
                } else {
                    prompts::freeform_skill(task, &shown)
                };
                Attempt {
                    prompt,
                    passage: None,
                }
            }
            Self::Knowledge {
                domain,
                outline,
                seeds,
                passages,
            } => {
                let passage = &passages[index % passages.len()];
                let seed = &seeds[(index / passages.len()) % seeds.len()];
                Attempt {
                    prompt: prompts::knowledge(domain, outline, seed, passage),
                    passage: Some(passage.clone()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::yaml::load;

    fn qna(text: &str) -> Qna {
        Qna::from_document(&load(text).unwrap())
    }

    fn words(texts: &[String]) -> Vec<usize> {
        texts.iter().map(|t| t.split_whitespace().count()).collect()
    }

    #[test]
    fn skills_rotate_through_their_seeds() {
        let leaf = qna(
            "version: 3\ntask_description: Rhymes\nseed_examples:\n  - question: Q1\n    answer: A1\n  - question: Q2\n    answer: A2\n  - question: Q3\n    answer: A3\n",
        );
        let cache = tempfile::tempdir().unwrap();
        let input =
            LeafInput::from_qna(LeafKind::FreeformSkill, &leaf, cache.path(), 100, words).unwrap();
        assert!(!input.grounded());
        assert_eq!(input.seed_samples().len(), 3);
        let user = |i| match input.attempt(i).prompt.prompt {
            super::super::engine::Prompt::Chat { user, .. } => user,
            super::super::engine::Prompt::Raw(text) => text,
        };
        assert!(user(2).contains("Q3") && user(2).contains("Q1") && !user(2).contains("Q2"));
    }

    #[test]
    fn a_skill_without_examples_is_refused() {
        let leaf = qna("version: 3\ntask_description: Rhymes\n");
        let cache = tempfile::tempdir().unwrap();
        let error = LeafInput::from_qna(LeafKind::FreeformSkill, &leaf, cache.path(), 100, words)
            .unwrap_err();
        assert_eq!(error.to_string(), "the leaf has no seed examples");
    }

    #[test]
    fn knowledge_reads_the_sample_documents_into_passages() {
        let leaf = qna(&format!(
            "version: 3\ndomain: oceanography\ndocument_outline: Tides\nseed_examples:\n  - context: The moon pulls.\n    questions_and_answers:\n      - question: Why?\n        answer: Gravity.\ndocument:\n  repo: {}\n  commit: {}\n  patterns:\n    - how_tides_work.md\n",
            super::super::documents::SAMPLE_DOCS_URL,
            super::super::documents::SAMPLE_DOCS_COMMIT
        ));
        let cache = tempfile::tempdir().unwrap();
        let input =
            LeafInput::from_qna(LeafKind::Knowledge, &leaf, cache.path(), 200, words).unwrap();
        let LeafInput::Knowledge { passages, .. } = &input else {
            panic!("not knowledge: {input:?}");
        };
        assert!(passages.len() >= 5, "{}", passages.len());
        assert!(passages.iter().all(|p| p.split_whitespace().count() <= 200));
        let attempt = input.attempt(1);
        assert_eq!(attempt.passage.as_deref(), Some(passages[1].as_str()));
    }
}
