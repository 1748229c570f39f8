//! Generating one leaf's samples through a pipeline. Work goes in rounds (one
//! first-stage prompt each, with its own seed examples); the candidates of a
//! group of rounds go through the stages together, each stage's requests handed
//! to the backend at once (so they are decoded side by side), in a fixed order, so
//! the same seed and settings give the same samples. Every candidate keeps its
//! trail; every rejection says its stage, score and reason; the funnel counts the
//! candidates in and out of each stage.

use std::collections::BTreeMap;
use std::sync::mpsc::Receiver;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::engine::{
    Completion, Engine, EngineConfig, EngineError, Event, Finish, Priority, Prompt, Request, Stats,
    complete,
};
use super::judge::read_verdict;
use super::leaf_input::{LeafInput, Round};
use super::parse::{Draft, Filter, Rejection, Sample, read_records};
use super::pipeline::{END_TAG, Generate, Judge, Pipeline, Prompting, Route, Stage, Step};

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
    /// How many requests it runs at once.
    fn parallel(&self) -> usize {
        1
    }
    /// Completes one request, handing `on_event` what it reports of it (by
    /// default its text, as [`Event::Token`]s with id 0).
    fn complete_events(
        &mut self,
        request: Request,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<Completion, EngineError> {
        self.complete(request, &mut |text| {
            let event = Event::Token {
                id: 0,
                text: text.to_owned(),
            };
            on_event(&event);
        })
    }
    /// Completes several requests (up to [`Backend::parallel`] at once), handing
    /// `on_event` what it reports of each with the request's index; results in the
    /// requests' order. By default one after another, streaming their events.
    fn run_batch(
        &mut self,
        requests: Vec<Request>,
        on_event: &mut dyn FnMut(usize, &Event),
    ) -> Vec<Result<Completion, EngineError>> {
        requests
            .into_iter()
            .enumerate()
            .map(|(index, request)| {
                self.complete_events(request, &mut |event| on_event(index, event))
            })
            .collect()
    }
}

/// The local llama.cpp engine as a backend: each stage's requests are one batch.
pub struct LocalBackend {
    /// The engine.
    pub engine: Engine,
    /// Its events (of [`Engine::submit`] requests).
    pub events: Receiver<Event>,
    /// Sequences it decodes together.
    pub parallel: usize,
    /// The priority of its batches.
    pub priority: Priority,
}

impl LocalBackend {
    /// Starts an engine for `config`; its batches run at `priority`.
    pub fn start(config: EngineConfig, priority: Priority) -> Result<Self, EngineError> {
        let parallel = config.parallel.max(1) as usize;
        let (engine, events) = Engine::start(config)?;
        Ok(Self {
            engine,
            events,
            parallel,
            priority,
        })
    }
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

    fn parallel(&self) -> usize {
        self.parallel
    }

    fn run_batch(
        &mut self,
        requests: Vec<Request>,
        on_event: &mut dyn FnMut(usize, &Event),
    ) -> Vec<Result<Completion, EngineError>> {
        let count = requests.len();
        match self.engine.submit_batch(requests, self.priority) {
            Ok(batch) => batch.wait(on_event),
            Err(error) => (0..count).map(|_| Err(error.clone())).collect(),
        }
    }
}

/// The backends of a run: the writer, and the judge if another model judges.
pub struct Backends<'a> {
    /// Generates (and judges, without a judge of its own).
    pub writer: &'a mut dyn Backend,
    /// Judges, when not the writer.
    pub judge: Option<&'a mut dyn Backend>,
}

impl Backends<'_> {
    fn judge(&mut self) -> &mut dyn Backend {
        match &mut self.judge {
            Some(judge) => &mut **judge,
            None => &mut *self.writer,
        }
    }
}

/// How much to generate for a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeafSettings {
    /// Samples wanted.
    pub num: usize,
    /// The base seed; round `r`'s first stage samples with `seed + r`.
    pub seed: u32,
    /// Token limit of the generating stages, instead of the pipeline's.
    pub max_tokens: Option<u32>,
    /// Rounds allowed per wanted sample.
    pub rounds_per_sample: usize,
}

/// What a stage made of a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarkKind {
    /// A generating stage wrote it.
    Written,
    /// A judge or filter kept it.
    Kept,
    /// A stage rejected it.
    Rejected,
}

/// One stage's mark on a candidate's trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// The stage.
    pub stage: String,
    /// What it made of the candidate.
    pub verdict: MarkKind,
    /// The judge's score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The judge's stated reason, or why a stage rejected it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// An accepted sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The candidate's number in the leaf's run.
    pub index: usize,
    /// The round it came from.
    #[serde(default)]
    pub round: usize,
    /// The sampling seed of its round's first stage.
    pub seed: u32,
    /// The sample.
    #[serde(flatten)]
    pub sample: Sample,
    /// The document passage it is grounded in (knowledge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passage: Option<String>,
    /// The seed examples it was made from, by their place in the leaf (0-based).
    #[serde(default)]
    pub seeds: Vec<usize>,
    /// Each stage's mark.
    #[serde(default)]
    pub trail: Vec<Mark>,
}

/// A rejected candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// The candidate's number.
    pub index: usize,
    /// Its round.
    pub round: usize,
    /// The stage that rejected it.
    pub stage: String,
    /// Why.
    pub reason: Rejection,
    /// Its fields, as far as written.
    pub draft: Draft,
    /// The model's answer the stage read (the completion, or the judge's answer).
    pub text: String,
    /// The seed examples of its round.
    pub seeds: Vec<usize>,
    /// The marks of the stages before.
    pub trail: Vec<Mark>,
}

/// The candidates in and out of one stage.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StageCount {
    /// The stage.
    pub stage: String,
    /// Its type (`generate`, `judge`, `filter`).
    pub kind: String,
    /// Candidates that came in.
    pub input: usize,
    /// Candidates that went on.
    pub output: usize,
    /// Candidates it rejected.
    pub rejected: usize,
    /// Records written beyond the stage's `count`, left out.
    #[serde(default)]
    pub extra: usize,
    /// Records that could not be read, beside others that could.
    #[serde(default)]
    pub unreadable: usize,
    /// Tokens the model generated for it.
    #[serde(default)]
    pub tokens: usize,
    /// Seconds it took.
    #[serde(default)]
    pub seconds: f64,
}

/// What came of a leaf.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LeafOutcome {
    /// Accepted samples, in order.
    pub accepted: Vec<Record>,
    /// Rejected candidates.
    pub rejected: Vec<Rejected>,
    /// The funnel: each stage's counts, in order.
    pub funnel: Vec<StageCount>,
    /// Rounds run.
    pub rounds: usize,
    /// Samples accepted beyond the number wanted by the last group of rounds,
    /// left out.
    pub surplus: usize,
    /// Tokens generated in all.
    pub generated_tokens: usize,
}

impl LeafOutcome {
    /// Rejections counted by stage and reason (`stage: reason`).
    pub fn rejections_by_reason(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for rejected in &self.rejected {
            let key = format!("{}: {}", rejected.stage, rejected.reason.key());
            *counts.entry(key).or_insert(0) += 1;
        }
        counts
    }
}

/// What a run reports as it goes, for a live view of the funnel.
#[derive(Debug, Clone, PartialEq)]
pub enum PipelineEvent {
    /// A stage starts on a group's candidates.
    Stage {
        /// The stage.
        stage: String,
        /// Its type.
        kind: &'static str,
        /// How many candidates it works on.
        candidates: usize,
    },
    /// What the engine reports of a stage's request for a candidate: its start
    /// (prompt size) and its text as it streams.
    Request {
        /// The stage.
        stage: String,
        /// The candidate.
        candidate: usize,
        /// The engine's event.
        event: Event,
    },
    /// A generating stage wrote a candidate from `parent` (a round's start, or a
    /// candidate of an earlier stage).
    Written {
        /// The stage.
        stage: String,
        /// The new candidate.
        candidate: usize,
        /// The one it was made from.
        parent: usize,
        /// Its fields so far.
        draft: Draft,
    },
    /// A judge or filter kept a candidate.
    Kept {
        /// The stage.
        stage: String,
        /// The candidate.
        candidate: usize,
        /// The judge's score.
        score: Option<f64>,
        /// The judge's reason.
        reason: Option<String>,
    },
    /// A candidate was rejected.
    Rejected {
        /// The stage.
        stage: String,
        /// The candidate.
        candidate: usize,
        /// Its round.
        round: usize,
        /// Why, in words.
        reason: String,
        /// The judge's score, when a judge rejected it.
        score: Option<f64>,
        /// The measurements of the request that made (or failed to make) it.
        stats: Stats,
    },
    /// The funnel's counts changed: a stage took its candidates in, or let them
    /// out (the counts `<leaf>.summary.json` gets, so far).
    Funnel {
        /// Each stage's counts, in order.
        funnel: Vec<StageCount>,
    },
    /// A candidate passed every stage.
    Accepted {
        /// The candidate.
        candidate: usize,
        /// Its round.
        round: usize,
        /// The measurements of the request that wrote its last field.
        stats: Stats,
    },
}

/// Why a leaf's run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The backend failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A template could not be rendered.
    #[error("pipeline stage {stage}: {message}")]
    Template {
        /// The stage.
        stage: String,
        /// What went wrong.
        message: String,
    },
    /// The pipeline has nothing for this kind of leaf.
    #[error("the pipeline has no {} stages", .0.name())]
    NoStages(Route),
    /// A request was cancelled.
    #[error("generation was cancelled")]
    Cancelled,
}

/// A candidate between stages.
#[derive(Debug, Clone)]
struct Candidate {
    id: usize,
    round: usize,
    draft: Draft,
    trail: Vec<Mark>,
    stats: Stats,
}

/// What a stage asks of the model besides its prompt.
struct Ask {
    /// Records asked for (`{{ count }}`).
    count: usize,
    /// Token limit of the answer.
    max_tokens: u32,
    /// Strings that end the answer.
    stop: Vec<String>,
}

/// The state of one leaf's run.
struct Run<'p> {
    pipeline: &'p Pipeline,
    stages: &'p [Stage],
    input: &'p LeafInput,
    settings: &'p LeafSettings,
    rounds: BTreeMap<usize, Round>,
    filters: Vec<Option<Filter>>,
    outcome: LeafOutcome,
    next_id: usize,
}

type OnEvent<'e> = dyn FnMut(&PipelineEvent) + 'e;

/// Generates samples for a leaf through `pipeline` until `settings.num` are
/// accepted or the rounds run out, reporting each step to `on_event`. Rounds go
/// in groups of as many as are still wanted, and at least as many as the writer
/// runs at once, so its sequences are all busy; samples accepted beyond the
/// number wanted are left out (counted as surplus).
pub fn generate_leaf(
    backends: &mut Backends<'_>,
    pipeline: &Pipeline,
    input: &LeafInput,
    settings: &LeafSettings,
    mut on_event: impl FnMut(&PipelineEvent),
) -> Result<LeafOutcome, RunError> {
    let route = input.route();
    let stages = pipeline.stages(route).ok_or(RunError::NoStages(route))?;
    let seeds = input.seed_samples();
    let mut run = Run {
        pipeline,
        stages,
        input,
        settings,
        rounds: BTreeMap::new(),
        filters: stages
            .iter()
            .map(|stage| match &stage.step {
                Step::Filter(spec) => {
                    let mut filter = Filter::new(&seeds);
                    filter.threshold = spec.similarity;
                    filter.max_words = spec.max_words;
                    Some(filter)
                }
                _ => None,
            })
            .collect(),
        outcome: LeafOutcome {
            funnel: stages
                .iter()
                .map(|stage| StageCount {
                    stage: stage.name.clone(),
                    kind: stage.kind().to_owned(),
                    ..StageCount::default()
                })
                .collect(),
            ..LeafOutcome::default()
        },
        next_id: 0,
    };
    let max_rounds = settings.num * settings.rounds_per_sample.max(1);
    while run.outcome.accepted.len() < settings.num && run.outcome.rounds < max_rounds {
        let group = (settings.num - run.outcome.accepted.len())
            .max(backends.writer.parallel())
            .min(max_rounds - run.outcome.rounds);
        run.group(backends, group, &mut on_event)?;
    }
    let mut outcome = run.outcome;
    outcome.surplus = outcome.accepted.len().saturating_sub(settings.num);
    outcome.accepted.truncate(settings.num);
    Ok(outcome)
}

impl Run<'_> {
    fn new_id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id - 1
    }

    /// Runs `group` new rounds through every stage.
    fn group(
        &mut self,
        backends: &mut Backends<'_>,
        group: usize,
        on_event: &mut OnEvent<'_>,
    ) -> Result<(), RunError> {
        let examples = match &self.stages[0].step {
            Step::Generate(generate) => generate.examples,
            _ => 1,
        };
        let first = self.outcome.rounds;
        self.rounds.clear();
        let mut live = Vec::new();
        for round in first..first + group {
            self.rounds.insert(round, self.input.round(round, examples));
            live.push(Candidate {
                id: self.new_id(),
                round,
                draft: Draft::default(),
                trail: Vec::new(),
                stats: Stats::default(),
            });
        }
        self.outcome.rounds += group;
        for index in 0..self.stages.len() {
            let stage = &self.stages[index];
            self.outcome.funnel[index].input += live.len();
            if live.is_empty() {
                continue;
            }
            on_event(&PipelineEvent::Funnel {
                funnel: self.outcome.funnel.clone(),
            });
            on_event(&PipelineEvent::Stage {
                stage: stage.name.clone(),
                kind: stage.kind(),
                candidates: live.len(),
            });
            let started = Instant::now();
            live = match &stage.step {
                Step::Generate(generate) => {
                    self.write(index, generate, live, backends.writer, on_event)?
                }
                Step::Judge(judge) => self.judge(index, judge, live, backends.judge(), on_event)?,
                Step::Filter(_) => self.filter(index, live, on_event),
            };
            let count = &mut self.outcome.funnel[index];
            count.output += live.len();
            count.seconds += started.elapsed().as_secs_f64();
            on_event(&PipelineEvent::Funnel {
                funnel: self.outcome.funnel.clone(),
            });
        }
        for candidate in live {
            self.accept(candidate, on_event);
        }
        Ok(())
    }

    /// The request of stage `index` for a candidate.
    fn request(
        &self,
        index: usize,
        prompting: &Prompting,
        candidate: &Candidate,
        ask: &Ask,
    ) -> Result<Request, RunError> {
        let stage = &self.stages[index];
        let mut values = self
            .rounds
            .get(&candidate.round)
            .map(|round| round.values.clone())
            .unwrap_or_default();
        values.count = ask.count;
        values.context = candidate.draft.context.clone();
        values.question = candidate.draft.question.clone();
        values.answer = candidate.draft.answer.clone();
        let (system, user) =
            self.pipeline
                .render(stage, &values)
                .map_err(|error| RunError::Template {
                    stage: stage.name.clone(),
                    message: error.to_string(),
                })?;
        let mut sampling = prompting.sampling.clone();
        sampling.seed = self.seed(index, candidate);
        Ok(Request {
            prompt: Prompt::Chat {
                system,
                user,
                prefix: prompting.prefix.clone(),
            },
            max_tokens: ask.max_tokens,
            sampling,
            stop: ask.stop.clone(),
        })
    }

    /// The sampling seed of stage `index` for a candidate: `seed + round` for the
    /// first stage, a mix of stage and candidate for later ones.
    fn seed(&self, index: usize, candidate: &Candidate) -> u32 {
        let base = self.settings.seed;
        if index == 0 {
            return base.wrapping_add(candidate.round as u32);
        }
        base.wrapping_add((index as u32).wrapping_mul(0x9E37_79B9))
            .wrapping_add(candidate.id as u32)
    }

    fn requests(
        &self,
        index: usize,
        prompting: &Prompting,
        live: &[Candidate],
        ask: &Ask,
    ) -> Result<Vec<Request>, RunError> {
        live.iter()
            .map(|candidate| self.request(index, prompting, candidate, ask))
            .collect()
    }

    fn send(
        &mut self,
        index: usize,
        backend: &mut dyn Backend,
        requests: Vec<Request>,
        live: &[Candidate],
        on_event: &mut OnEvent<'_>,
    ) -> Result<Vec<Completion>, RunError> {
        let stage = self.stages[index].name.clone();
        let results = backend.run_batch(requests, &mut |i, event| {
            on_event(&PipelineEvent::Request {
                stage: stage.clone(),
                candidate: live[i].id,
                event: event.clone(),
            });
        });
        let mut completions = Vec::with_capacity(results.len());
        for result in results {
            let completion = result?;
            if completion.finish == Finish::Cancelled {
                return Err(RunError::Cancelled);
            }
            self.outcome.funnel[index].tokens += completion.stats.generated_tokens;
            self.outcome.generated_tokens += completion.stats.generated_tokens;
            completions.push(completion);
        }
        Ok(completions)
    }

    fn write(
        &mut self,
        index: usize,
        generate: &Generate,
        live: Vec<Candidate>,
        backend: &mut dyn Backend,
        on_event: &mut OnEvent<'_>,
    ) -> Result<Vec<Candidate>, RunError> {
        let first_tag = generate.outputs[0].tag();
        // One record wanted: stop where a second would begin.
        let stop = if generate.count == 1 {
            vec![END_TAG.to_owned(), format!("\n{first_tag}")]
        } else {
            Vec::new()
        };
        let max_tokens = self
            .settings
            .max_tokens
            .unwrap_or(generate.prompting.max_tokens);
        let ask = Ask {
            count: generate.count,
            max_tokens,
            stop,
        };
        let requests = self.requests(index, &generate.prompting, &live, &ask)?;
        let completions = self.send(index, backend, requests, &live, on_event)?;
        let stage = self.stages[index].name.clone();
        let mut out = Vec::new();
        for (candidate, completion) in live.into_iter().zip(completions) {
            let text = format!("{}{}", generate.prompting.prefix, completion.text);
            let complete = completion.finish != Finish::Length;
            let mut written = read_records(&text, &generate.outputs, complete);
            let count = &mut self.outcome.funnel[index];
            count.extra += written.records.len().saturating_sub(generate.count);
            written.records.truncate(generate.count);
            if written.records.is_empty() {
                let reason = written
                    .problems
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| Rejection::Unparseable("nothing written".to_owned()));
                let candidate = Candidate {
                    stats: completion.stats,
                    ..candidate
                };
                self.reject(index, candidate, reason, text, on_event);
                continue;
            }
            count.unreadable += written.problems.len();
            for record in written.records {
                let mut trail = candidate.trail.clone();
                trail.push(Mark {
                    stage: stage.clone(),
                    verdict: MarkKind::Written,
                    score: None,
                    reason: None,
                });
                let child = Candidate {
                    id: self.new_id(),
                    round: candidate.round,
                    draft: candidate.draft.merged(&record),
                    trail,
                    stats: completion.stats.clone(),
                };
                on_event(&PipelineEvent::Written {
                    stage: stage.clone(),
                    candidate: child.id,
                    parent: candidate.id,
                    draft: child.draft.clone(),
                });
                out.push(child);
            }
        }
        Ok(out)
    }

    fn judge(
        &mut self,
        index: usize,
        judge: &Judge,
        live: Vec<Candidate>,
        backend: &mut dyn Backend,
        on_event: &mut OnEvent<'_>,
    ) -> Result<Vec<Candidate>, RunError> {
        let ask = Ask {
            count: 1,
            max_tokens: judge.prompting.max_tokens,
            stop: vec![END_TAG.to_owned()],
        };
        let requests = self.requests(index, &judge.prompting, &live, &ask)?;
        let completions = self.send(index, backend, requests, &live, on_event)?;
        let mut out = Vec::new();
        for (candidate, completion) in live.into_iter().zip(completions) {
            let text = format!("{}{}", judge.prompting.prefix, completion.text);
            tracing::debug!(
                stage = %self.stages[index].name,
                candidate = candidate.id,
                answer = ?text,
                "judge answered"
            );
            match read_verdict(&text, &judge.scale) {
                Ok(verdict) if verdict.score >= judge.keep => {
                    out.push(self.keep(
                        index,
                        candidate,
                        Some(verdict.score),
                        Some(verdict.reason),
                        on_event,
                    ));
                }
                Ok(verdict) => {
                    let reason = Rejection::LowScore {
                        score: verdict.score,
                        keep: judge.keep,
                        reason: verdict.reason,
                    };
                    self.reject(index, candidate, reason, text, on_event);
                }
                Err(why) => {
                    self.reject(
                        index,
                        candidate,
                        Rejection::UnreadableVerdict(why),
                        text,
                        on_event,
                    );
                }
            }
        }
        Ok(out)
    }

    fn filter(
        &mut self,
        index: usize,
        live: Vec<Candidate>,
        on_event: &mut OnEvent<'_>,
    ) -> Vec<Candidate> {
        let mut out = Vec::new();
        for candidate in live {
            let checked = match &mut self.filters[index] {
                Some(filter) => filter.check(&candidate.draft),
                None => Ok(()),
            };
            match checked {
                Ok(()) => out.push(self.keep(index, candidate, None, None, on_event)),
                Err(reason) => self.reject(index, candidate, reason, String::new(), on_event),
            }
        }
        out
    }

    fn keep(
        &self,
        index: usize,
        mut candidate: Candidate,
        score: Option<f64>,
        reason: Option<String>,
        on_event: &mut OnEvent<'_>,
    ) -> Candidate {
        let stage = self.stages[index].name.clone();
        on_event(&PipelineEvent::Kept {
            stage: stage.clone(),
            candidate: candidate.id,
            score,
            reason: reason.clone(),
        });
        candidate.trail.push(Mark {
            stage,
            verdict: MarkKind::Kept,
            score,
            reason: reason.filter(|r| !r.is_empty()),
        });
        candidate
    }

    fn reject(
        &mut self,
        index: usize,
        candidate: Candidate,
        reason: Rejection,
        text: String,
        on_event: &mut OnEvent<'_>,
    ) {
        let stage = self.stages[index].name.clone();
        on_event(&PipelineEvent::Rejected {
            stage: stage.clone(),
            candidate: candidate.id,
            round: candidate.round,
            reason: reason.to_string(),
            score: reason.score(),
            stats: candidate.stats.clone(),
        });
        self.outcome.funnel[index].rejected += 1;
        let seeds = self
            .rounds
            .get(&candidate.round)
            .map(|r| r.seeds.clone())
            .unwrap_or_default();
        self.outcome.rejected.push(Rejected {
            index: candidate.id,
            round: candidate.round,
            stage,
            reason,
            draft: candidate.draft,
            text,
            seeds,
            trail: candidate.trail,
        });
    }

    fn accept(&mut self, candidate: Candidate, on_event: &mut OnEvent<'_>) {
        let Some(sample) = candidate.draft.sample() else {
            return;
        };
        let round = self.rounds.get(&candidate.round);
        on_event(&PipelineEvent::Accepted {
            candidate: candidate.id,
            round: candidate.round,
            stats: candidate.stats.clone(),
        });
        self.outcome.accepted.push(Record {
            index: candidate.id,
            round: candidate.round,
            seed: self.settings.seed.wrapping_add(candidate.round as u32),
            sample,
            passage: round.and_then(|r| r.passage.clone()),
            seeds: round.map(|r| r.seeds.clone()).unwrap_or_default(),
            trail: candidate.trail,
        });
    }
}
