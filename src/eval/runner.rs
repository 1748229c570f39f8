//! Running an evaluation: the base model and the run's newest checkpoint answer
//! every question greedily (one model loaded at a time), each answer is scored
//! against the reference, the judge compares the two blind, and the report is
//! written to the run folder as `eval.json`. Blocking, with progress reports and
//! a cancel flag, so a front end can run it in the background.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::atomic_file::write_atomic;
use crate::generate::remote::{RemoteBackend, RemoteConfig, RemoteError};
use crate::generate::runner::{Backend, LocalBackend};
use crate::generate::{EngineConfig, EngineError, Priority, Prompt, Request, Sampling};
use crate::git::{Base, GitError, changed_taxonomy_files};
use crate::train::dataset::DatasetError;
use crate::train::registry::{RegistryError, Run, now_rfc3339};
use crate::train::run_data;
use crate::train::spec::{DatasetSource, EngineSpec};

use super::judge::{JUDGE_SYSTEM, prompt, tuned_shown_first, verdict};
use super::questions::{LeafChoice, LeafQuestions, Question, questions};
use super::report::{EVAL_FILE, EvalReport, Item, LeafResult, Totals, rouge_l};

/// Who judges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JudgeChoice {
    /// A local GGUF model.
    Model(PathBuf),
    /// An OpenAI-compatible server.
    Endpoint {
        /// Its URL.
        url: String,
        /// Its model (default: the first it lists).
        model: Option<String>,
    },
}

/// What to evaluate and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalRequest {
    /// The leaves.
    pub leaves: LeafChoice,
    /// The judge.
    pub judge: JudgeChoice,
    /// CPU threads for the local models.
    pub threads: u32,
    /// Token limit of an answer.
    pub max_tokens: u32,
    /// Draws which answer the judge sees first.
    pub seed: u64,
}

/// How far an evaluation is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalProgress {
    /// A model answers: `model` is `base` or `tuned`.
    Answering {
        /// Which model.
        model: &'static str,
        /// Questions answered.
        done: usize,
        /// All questions.
        total: usize,
    },
    /// The judge compares.
    Judging {
        /// Pairs judged.
        done: usize,
        /// All pairs.
        total: usize,
    },
}

/// Why an evaluation could not be made.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The run could not be read.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The run's records could not be read.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// A model failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The judge's server failed.
    #[error(transparent)]
    Remote(#[from] RemoteError),
    /// The run was not made by the built-in trainer.
    #[error("run {0} trained with an external command; taxon can evaluate only its own runs")]
    External(String),
    /// The run has no checkpoint to evaluate.
    #[error("run {0} has no checkpoint yet")]
    NoCheckpoint(String),
    /// The run never built its dataset.
    #[error("run {0} recorded no dataset (it ended before building one)")]
    NoDataset(String),
    /// The changed leaves could not be found.
    #[error(transparent)]
    Git(#[from] GitError),
    /// `--leaves changed` needs a taxonomy the run names.
    #[error("run {0} trained on a file, not a taxonomy: name the leaves to evaluate")]
    NoTaxonomy(String),
    /// Nothing to ask.
    #[error("no questions for the chosen leaves (the run held none out and they have no seeds)")]
    NoQuestions,
    /// The report could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The cancel flag was set.
    #[error("cancelled")]
    Cancelled,
}

/// Answers a question greedily.
fn greedy(system: Option<String>, user: String, max_tokens: u32) -> Request {
    Request {
        prompt: Prompt::Chat {
            system,
            user,
            prefix: String::new(),
        },
        max_tokens,
        sampling: Sampling {
            temperature: 0.0,
            repeat_penalty: 1.0,
            ..Sampling::with_seed(0)
        },
        stop: Vec::new(),
    }
}

fn local(model: &Path, threads: u32) -> Result<LocalBackend, EngineError> {
    let mut config = EngineConfig::new(model.to_owned());
    config.threads = threads.max(1);
    LocalBackend::start(config, Priority::Background)
}

/// Every question's answer from `model`.
fn answers(
    model: &Path,
    name: &'static str,
    leaves: &[LeafQuestions],
    request: &EvalRequest,
    on_progress: &mut dyn FnMut(&EvalProgress),
    cancel: &AtomicBool,
) -> Result<Vec<String>, EvalError> {
    let mut backend = local(model, request.threads)?;
    let all: Vec<&Question> = leaves.iter().flat_map(|l| &l.questions).collect();
    let mut out = Vec::with_capacity(all.len());
    for question in &all {
        if cancel.load(Ordering::SeqCst) {
            return Err(EvalError::Cancelled);
        }
        let ask = greedy(
            question.system.clone(),
            question.user.clone(),
            request.max_tokens,
        );
        out.push(backend.complete(ask, &mut |_| {})?.text.trim().to_owned());
        on_progress(&EvalProgress::Answering {
            model: name,
            done: out.len(),
            total: all.len(),
        });
    }
    Ok(out)
}

fn judge_backend(
    judge: &JudgeChoice,
    threads: u32,
) -> Result<(Box<dyn Backend>, String), EvalError> {
    Ok(match judge {
        JudgeChoice::Model(path) => (Box::new(local(path, threads)?), path.display().to_string()),
        JudgeChoice::Endpoint { url, model } => {
            let backend = RemoteBackend::connect(&RemoteConfig {
                url: url.clone(),
                model: model.clone(),
                concurrency: 1,
                timeout: Duration::from_secs(600),
                chat_template: None,
            })?;
            let name = format!("{} ({})", backend.info().url, backend.info().model);
            (Box::new(backend), name)
        }
    })
}

/// Evaluates `run`'s newest checkpoint against its base model; writes and returns
/// the report.
pub fn evaluate(
    run: &Run,
    request: &EvalRequest,
    on_progress: &mut dyn FnMut(&EvalProgress),
    cancel: &AtomicBool,
) -> Result<EvalReport, EvalError> {
    let spec = run.spec()?;
    let EngineSpec::Local(local_spec) = &spec.engine else {
        return Err(EvalError::External(run.id.clone()));
    };
    let status = run.status()?;
    let checkpoint = status
        .checkpoints
        .iter()
        .rev()
        .find(|c| c.q8_0.is_file())
        .ok_or_else(|| EvalError::NoCheckpoint(run.id.clone()))?;
    let data = run_data::read(&run.dir)?.ok_or_else(|| EvalError::NoDataset(run.id.clone()))?;
    let (taxonomy, base) = match &spec.dataset {
        Some(DatasetSource::Seeds { taxonomy }) => (Some(taxonomy.as_path()), Base::Default),
        Some(DatasetSource::Changed(changed)) => (
            Some(changed.taxonomy.as_path()),
            changed.base.as_deref().map_or(Base::Default, Base::parse),
        ),
        _ => (None, Base::Default),
    };
    let choice = match (&request.leaves, taxonomy) {
        (LeafChoice::Changed, None) => return Err(EvalError::NoTaxonomy(run.id.clone())),
        (LeafChoice::Changed, Some(root)) => LeafChoice::Only(
            changed_taxonomy_files(root, &base)?
                .changed_paths()
                .filter_map(|p| p.parent())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .collect(),
        ),
        (other, _) => other.clone(),
    };
    let leaves = questions(&data.heldout, &data.train, &choice, taxonomy);
    if leaves.is_empty() {
        return Err(EvalError::NoQuestions);
    }
    let base = answers(
        &local_spec.model,
        "base",
        &leaves,
        request,
        on_progress,
        cancel,
    )?;
    let tuned = answers(
        &checkpoint.q8_0,
        "tuned",
        &leaves,
        request,
        on_progress,
        cancel,
    )?;
    let (mut judge, judge_name) = judge_backend(&request.judge, request.threads)?;
    let total = base.len();
    let mut pairs = base.into_iter().zip(tuned);
    let mut results = Vec::new();
    let mut done = 0;
    for leaf in &leaves {
        let mut items = Vec::new();
        for question in &leaf.questions {
            if cancel.load(Ordering::SeqCst) {
                return Err(EvalError::Cancelled);
            }
            let Some((base_answer, tuned_answer)) = pairs.next() else {
                break;
            };
            let first = tuned_shown_first(request.seed, question);
            let (a, b) = if first {
                (&tuned_answer, &base_answer)
            } else {
                (&base_answer, &tuned_answer)
            };
            let ask = greedy(
                Some(JUDGE_SYSTEM.to_owned()),
                prompt(question, a, b),
                request.max_tokens.max(256),
            );
            let text = judge.complete(ask, &mut |_| {})?.text;
            let (outcome, reason) = verdict(&text, first);
            items.push(Item {
                question: question.user.clone(),
                reference: question.reference.clone(),
                base_rouge_l: rouge_l(&question.reference, &base_answer),
                tuned_rouge_l: rouge_l(&question.reference, &tuned_answer),
                base_answer,
                tuned_answer,
                tuned_shown_first: first,
                verdict: outcome,
                reason,
            });
            done += 1;
            on_progress(&EvalProgress::Judging { done, total });
        }
        results.push(LeafResult {
            leaf: leaf.leaf.clone(),
            source: leaf.source,
            totals: Totals::of(&items),
            items,
        });
    }
    let mut report = EvalReport {
        run: run.id.clone(),
        base_model: local_spec.model.display().to_string(),
        checkpoint: checkpoint.label.clone(),
        checkpoint_file: checkpoint.q8_0.display().to_string(),
        judge: judge_name,
        created: now_rfc3339(),
        leaves: results,
        overall: Totals::default(),
    };
    report.total();
    let path = run.dir.join(EVAL_FILE);
    let text = serde_json::to_string_pretty(&report).map_err(|e| EvalError::Io {
        path: path.clone(),
        source: std::io::Error::other(e),
    })?;
    write_atomic(&path, format!("{text}\n").as_bytes()).map_err(|source| EvalError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(report)
}
