//! Generating one leaf's samples: attempt after attempt through a backend, each
//! completion parsed and filtered, until enough are accepted or the attempts run
//! out. Works with any backend (the local engine, or a remote server).

use std::collections::BTreeMap;
use std::sync::mpsc::Receiver;

use super::engine::{Completion, Engine, EngineError, Event, Finish, Request, Sampling, complete};
use super::leaf_input::LeafInput;
use super::parse::{Filter, Rejection, Sample, parse};

/// Something that completes prompts.
pub trait Backend {
    /// Completes one request, calling `on_token` with each piece of text.
    fn complete(
        &mut self,
        request: Request,
        on_token: &mut dyn FnMut(&str),
    ) -> Result<Completion, EngineError>;
    /// The token counts of texts in the model's vocabulary.
    fn count_tokens(&mut self, texts: &[String]) -> Result<Vec<usize>, EngineError>;
    /// How many requests it runs at once; the runner hands it up to this many
    /// together.
    fn concurrency(&self) -> usize {
        1
    }
    /// Completes several requests (without streaming), results in their order; by
    /// default one after another.
    fn complete_batch(&mut self, requests: Vec<Request>) -> Vec<Result<Completion, EngineError>> {
        requests
            .into_iter()
            .map(|request| self.complete(request, &mut |_| {}))
            .collect()
    }
}

/// The local llama.cpp engine as a backend.
pub struct LocalBackend {
    /// The engine.
    pub engine: Engine,
    /// Its events.
    pub events: Receiver<Event>,
}

impl Backend for LocalBackend {
    fn complete(
        &mut self,
        request: Request,
        on_token: &mut dyn FnMut(&str),
    ) -> Result<Completion, EngineError> {
        complete(&self.engine, &self.events, request, on_token)
    }

    fn count_tokens(&mut self, texts: &[String]) -> Result<Vec<usize>, EngineError> {
        self.engine.count_tokens(texts.to_vec())
    }
}

/// How much to generate for a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeafSettings {
    /// Samples wanted.
    pub num: usize,
    /// The base seed; attempt `i` samples with `seed + i`.
    pub seed: u32,
    /// Token limit per completion.
    pub max_tokens: u32,
    /// Attempts allowed per wanted sample.
    pub attempts_per_sample: usize,
}

/// An accepted sample.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    /// The attempt that produced it.
    pub index: usize,
    /// The sampling seed used.
    pub seed: u32,
    /// The sample.
    #[serde(flatten)]
    pub sample: Sample,
    /// The document passage it is grounded in (knowledge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passage: Option<String>,
}

/// A rejected completion.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// The attempt.
    pub index: usize,
    /// Why.
    pub reason: Rejection,
    /// The completion as parsed (prefix included).
    pub text: String,
}

/// What came of a leaf.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LeafOutcome {
    /// Accepted samples, in attempt order.
    pub accepted: Vec<Record>,
    /// Rejected completions.
    pub rejected: Vec<Rejected>,
    /// Tokens generated in all.
    pub generated_tokens: usize,
}

impl LeafOutcome {
    /// Attempts made.
    pub fn attempts(&self) -> usize {
        self.accepted.len() + self.rejected.len()
    }

    /// Rejections counted by reason.
    pub fn rejections_by_reason(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for rejected in &self.rejected {
            *counts.entry(rejected.reason.key().to_owned()).or_insert(0) += 1;
        }
        counts
    }
}

/// Generates `settings.num` samples for a leaf (fewer if the attempts run out),
/// calling `on_attempt` after every attempt with the outcome so far and the
/// attempt's completion. Attempts go to the backend in batches of at most its
/// concurrency and never more than the samples still wanted, so the outcome is
/// the same as one attempt at a time.
pub fn generate_leaf(
    backend: &mut dyn Backend,
    input: &LeafInput,
    settings: &LeafSettings,
    mut on_attempt: impl FnMut(&LeafOutcome, &Completion),
) -> Result<LeafOutcome, EngineError> {
    let mut filter = Filter::new(&input.seed_samples());
    let mut outcome = LeafOutcome::default();
    let max_attempts = settings.num * settings.attempts_per_sample.max(1);
    let mut next = 0;
    while next < max_attempts && outcome.accepted.len() < settings.num {
        let size = (settings.num - outcome.accepted.len())
            .min(backend.concurrency().max(1))
            .min(max_attempts - next);
        let attempts: Vec<_> = (next..next + size).map(|i| input.attempt(i)).collect();
        let requests = attempts
            .iter()
            .enumerate()
            .map(|(i, attempt)| Request {
                prompt: attempt.prompt.prompt.clone(),
                max_tokens: settings.max_tokens,
                sampling: Sampling::with_seed(settings.seed.wrapping_add((next + i) as u32)),
                stop: attempt.prompt.stop.clone(),
            })
            .collect();
        let results = backend.complete_batch(requests);
        for (i, (attempt, result)) in attempts.into_iter().zip(results).enumerate() {
            let index = next + i;
            let seed = settings.seed.wrapping_add(index as u32);
            let completion = result?;
            outcome.generated_tokens += completion.stats.generated_tokens;
            let text = format!("{}{}", attempt.prompt.prefix, completion.text);
            let checked = match &completion.finish {
                Finish::Cancelled => {
                    return Err(EngineError::Llama("generation was cancelled".into()));
                }
                Finish::Length => Err(Rejection::TooLong(0)),
                Finish::EndOfText | Finish::Stop(_) => {
                    parse(&text, input.grounded()).and_then(|s| filter.check(&s).map(|()| s))
                }
            };
            match checked {
                Ok(sample) => outcome.accepted.push(Record {
                    index,
                    seed,
                    sample,
                    passage: attempt.passage,
                }),
                Err(reason) => outcome.rejected.push(Rejected {
                    index,
                    reason,
                    text,
                }),
            }
            on_attempt(&outcome, &completion);
        }
        next += size;
    }
    Ok(outcome)
}
