//! What generation needs from one leaf: its seeds, and for knowledge leaves the
//! passages of its documents; then the values of each round's prompts, rotating
//! through seeds (and passages) so rounds differ.

use std::path::Path;

use crate::taxonomy::leaf::LeafKind;
use crate::taxonomy::qna::{Qna, Text};

use super::documents::{DocumentError, DocumentSource, read_documents};
use super::parse::Sample;
use super::pipeline::{ExampleValues, PromptValues, Route};

/// A skill seed example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillSeed {
    /// Its place in the leaf's `seed_examples` (0-based).
    pub index: usize,
    /// The context (grounded skills only).
    pub context: Option<String>,
    /// The question or instruction.
    pub question: String,
    /// The answer.
    pub answer: String,
}

/// A knowledge seed example: a passage of the document and questions about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeSeed {
    /// Its place in the leaf's `seed_examples` (0-based).
    pub index: usize,
    /// The passage.
    pub context: String,
    /// Its questions and answers.
    pub pairs: Vec<(String, String)>,
}

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

/// What one round's prompts are made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// The leaf's values for the prompts (the stages add theirs).
    pub values: PromptValues,
    /// The seed examples shown, by their place in the leaf.
    pub seeds: Vec<usize>,
    /// The document passage the round is about (knowledge only).
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
            .enumerate()
            .filter_map(|(index, e)| {
                Some(SkillSeed {
                    index,
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
            .enumerate()
            .filter_map(|(index, e)| {
                let pairs: Vec<(String, String)> = e
                    .questions_and_answers
                    .iter()
                    .filter_map(|qa| Some((value(&qa.question)?, value(&qa.answer)?)))
                    .collect();
                Some(KnowledgeSeed {
                    index,
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

    /// Which stages of a pipeline the leaf goes through.
    pub fn route(&self) -> Route {
        match self {
            Self::Freeform { .. } => Route::Freeform,
            Self::Grounded { .. } => Route::Grounded,
            Self::Knowledge { .. } => Route::Knowledge,
        }
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

    /// The values of round `index`: for skills `examples` seed examples starting
    /// at `index` (cycling); for knowledge, passage `index` (cycling) with a seed
    /// example that changes once every passage has been used.
    pub fn round(&self, index: usize, examples: usize) -> Round {
        match self {
            Self::Freeform { task, seeds } | Self::Grounded { task, seeds } => {
                let shown: Vec<&SkillSeed> = (0..seeds.len().min(examples.max(1)))
                    .map(|k| &seeds[(index + k) % seeds.len()])
                    .collect();
                Round {
                    values: PromptValues {
                        task: Some(task.clone()),
                        examples: shown
                            .iter()
                            .map(|s| ExampleValues {
                                context: s.context.clone(),
                                question: s.question.clone(),
                                answer: s.answer.clone(),
                            })
                            .collect(),
                        ..PromptValues::default()
                    },
                    seeds: shown.iter().map(|s| s.index).collect(),
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
                Round {
                    values: PromptValues {
                        domain: Some(domain.clone()),
                        outline: Some(outline.clone()),
                        example_passage: Some(seed.context.clone()),
                        passage: Some(passage.clone()),
                        examples: seed
                            .pairs
                            .iter()
                            .map(|(question, answer)| ExampleValues {
                                context: None,
                                question: question.clone(),
                                answer: answer.clone(),
                            })
                            .collect(),
                        ..PromptValues::default()
                    },
                    seeds: vec![seed.index],
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
        assert_eq!(input.route(), Route::Freeform);
        assert_eq!(input.seed_samples().len(), 3);
        let round = input.round(2, 2);
        assert_eq!(round.seeds, [2, 0]);
        let questions: Vec<&str> = round
            .values
            .examples
            .iter()
            .map(|e| e.question.as_str())
            .collect();
        assert_eq!(questions, ["Q3", "Q1"]);
        assert_eq!(round.values.task.as_deref(), Some("Rhymes"));
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
        let round = input.round(1, 1);
        assert_eq!(round.passage.as_deref(), Some(passages[1].as_str()));
        assert_eq!(round.values.passage, round.passage);
        assert_eq!(
            round.values.example_passage.as_deref(),
            Some("The moon pulls.")
        );
        assert_eq!(round.seeds, [0]);
    }
}
