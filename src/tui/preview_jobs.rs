//! Generation previews off the event loop: one thread that loads the model on the
//! first request and keeps it warm, reads the leaf (and a knowledge leaf's
//! documents), and generates its samples through the generation runner that
//! `taxon generate` uses, through the pipeline asked for (`full` or `simple`),
//! handing on every event of the runner (stages, candidates' text as it streams,
//! judges' marks, the funnel's counts) as a [`PreviewReply`]. The newest request
//! wins: a newer job or a cancel stops the running one within a token, and queued
//! older jobs are skipped.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, OnceLock};
use std::thread;

use crate::dirs::AppDirs;
use crate::generate::fetch::default_model_path;
use crate::generate::leaf_input::{LeafInput, PASSAGE_TOKENS};
use crate::generate::pipeline::Pipeline;
use crate::generate::runner::{Backend, Backends, LeafSettings, PipelineEvent, generate_leaf};
use crate::generate::{
    Completion, Engine, EngineConfig, EngineError, Event, ModelInfo, Request, complete_observed,
};
use crate::review::record::PreviewRun;
use crate::taxonomy::leaf::LeafKind;
use crate::taxonomy::qna::Qna;
use crate::taxonomy::yaml::load;

/// Where the preview thread's replies go.
type Replies<'a> = &'a (dyn Fn(PreviewReply) + Sync);

/// Where the preview's model and documents are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewConfig {
    /// The GGUF model (the default model in the cache, as `taxon generate` uses).
    pub model: PathBuf,
    /// The clone cache of knowledge documents.
    pub docs_cache: PathBuf,
    /// CPU threads, if not every core.
    pub threads: Option<u32>,
}

impl PreviewConfig {
    /// The same model and document cache as `taxon generate` without options.
    pub fn from_dirs(dirs: &AppDirs) -> Self {
        Self {
            model: default_model_path(dirs),
            docs_cache: dirs.cache.join("docs"),
            threads: None,
        }
    }
}

/// A preview the interface asks for: samples of one leaf as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewJob {
    /// The job's number; later jobs have larger numbers.
    pub id: u64,
    /// The leaf.
    pub folder: PathBuf,
    /// Its kind.
    pub kind: LeafKind,
    /// Its `qna.yaml` text (with unsaved edits, if any).
    pub text: String,
    /// The base seed; sample `i` uses `seed + i`.
    pub seed: u32,
    /// Samples to generate.
    pub samples: usize,
    /// Token limit of the generating stages.
    pub max_tokens: u32,
    /// The built-in pipeline to run (`full` or `simple`).
    pub pipeline: &'static str,
}

/// What the preview thread reports; every reply names its job.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewReply {
    /// The model is being loaded (the first preview).
    LoadingModel {
        /// The job.
        job: u64,
    },
    /// The model is loaded (and stays loaded).
    ModelReady {
        /// The job.
        job: u64,
        /// Facts about it.
        info: ModelInfo,
    },
    /// There is no model file.
    NoModel {
        /// The job.
        job: u64,
        /// Where the model was looked for.
        path: PathBuf,
    },
    /// What the generation runner reports: a stage starting, a candidate's
    /// request starting and streaming, a candidate written, kept or rejected by a
    /// stage, the funnel's counts.
    Pipeline {
        /// The job.
        job: u64,
        /// The runner's event.
        event: PipelineEvent,
    },
    /// Every sample of the job is done.
    Done {
        /// The job.
        job: u64,
        /// What ran and how many samples were kept, as a review records it.
        run: PreviewRun,
    },
    /// The job failed (the leaf cannot be generated from, or the engine failed).
    Failed {
        /// The job.
        job: u64,
        /// Why.
        error: String,
    },
}

impl PreviewReply {
    /// The job the reply belongs to.
    pub fn job(&self) -> u64 {
        match self {
            Self::LoadingModel { job }
            | Self::ModelReady { job, .. }
            | Self::NoModel { job, .. }
            | Self::Pipeline { job, .. }
            | Self::Done { job, .. }
            | Self::Failed { job, .. } => *job,
        }
    }
}

/// The engine as a backend of one job: its requests run one after another, each
/// one's start and text handed on as they come, and once the job is no longer the
/// wanted one it stops within a token.
struct JobBackend<'a> {
    engine: &'a Engine,
    events: &'a std_mpsc::Receiver<Event>,
    job: u64,
    wanted: &'a AtomicU64,
}

impl JobBackend<'_> {
    fn stale(&self) -> bool {
        self.wanted.load(Ordering::SeqCst) != self.job
    }
}

impl Backend for JobBackend<'_> {
    fn complete(
        &mut self,
        request: Request,
        on_token: &mut dyn FnMut(&str),
    ) -> Result<Completion, EngineError> {
        self.complete_events(request, &mut |event| {
            if let Event::Token { text, .. } = event {
                on_token(text);
            }
        })
    }

    /// Completes `request`, handing `on_event` its start and its text.
    fn complete_events(
        &mut self,
        request: Request,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<Completion, EngineError> {
        if self.stale() {
            return Err(EngineError::Llama("the preview was superseded".into()));
        }
        complete_observed(self.engine, self.events, request, |event| {
            if self.stale() {
                // A newer job was asked for between its cancel and this request.
                self.engine.cancel();
                return;
            }
            on_event(event);
        })
    }

    fn count_tokens(&mut self, texts: &[String]) -> Result<Vec<usize>, EngineError> {
        self.engine.count_tokens(texts.to_vec())
    }
}

/// No job: what the wanted job is before the first and after a cancel (jobs count from 1).
const NO_JOB: u64 = 0;

/// The loaded engine and its events, kept by the preview thread.
type Loaded = (Arc<Engine>, std_mpsc::Receiver<Event>);

/// The preview thread's handle: jobs go in, replies come back through the callback
/// it was started with.
pub struct PreviewWorker {
    jobs: std_mpsc::Sender<PreviewJob>,
    wanted: Arc<AtomicU64>,
    engine: Arc<OnceLock<Arc<Engine>>>,
}

impl PreviewWorker {
    /// Starts the thread (the model is loaded on the first job); replies go to `send`.
    pub fn spawn(
        config: PreviewConfig,
        send: impl Fn(PreviewReply) + Send + Sync + 'static,
    ) -> Self {
        let (jobs, rx) = std_mpsc::channel::<PreviewJob>();
        let wanted = Arc::new(AtomicU64::new(NO_JOB));
        let engine = Arc::new(OnceLock::new());
        let (shared_wanted, shared_engine) = (Arc::clone(&wanted), Arc::clone(&engine));
        let spawned = thread::Builder::new()
            .name("taxon-preview".to_owned())
            .spawn(move || {
                let mut loaded: Option<Loaded> = None;
                while let Ok(mut job) = rx.recv() {
                    // Only the newest of several waiting jobs is worth doing.
                    job = rx.try_iter().last().unwrap_or(job);
                    if shared_wanted.load(Ordering::SeqCst) != job.id {
                        continue;
                    }
                    let outcome = load_engine(&config, &job, &mut loaded, &shared_engine, &send)
                        .and_then(|(engine, events)| {
                            run(&config, &job, engine, events, &shared_wanted, &send)
                        });
                    if let Err(reply) = outcome
                        && shared_wanted.load(Ordering::SeqCst) == job.id
                    {
                        send(*reply);
                    }
                }
            });
        if let Err(error) = spawned {
            tracing::error!("cannot start the preview thread: {error}");
        }
        Self {
            jobs,
            wanted,
            engine,
        }
    }

    /// Starts `job`, stopping any older one (returns at once).
    pub fn start(&self, job: PreviewJob) {
        self.supersede(job.id);
        if self.jobs.send(job).is_err() {
            tracing::error!("the preview thread has stopped");
        }
    }

    /// Stops the running preview within a token (returns at once).
    pub fn cancel(&self) {
        self.supersede(NO_JOB);
    }

    fn supersede(&self, wanted: u64) {
        self.wanted.store(wanted, Ordering::SeqCst);
        if let Some(engine) = self.engine.get() {
            engine.cancel();
        }
    }
}

impl Drop for PreviewWorker {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// The warm engine, or the engine loaded now (said with replies); no model file
/// is a reply of its own.
fn load_engine<'a>(
    config: &PreviewConfig,
    job: &PreviewJob,
    loaded: &'a mut Option<Loaded>,
    shared: &OnceLock<Arc<Engine>>,
    send: Replies<'_>,
) -> Result<(&'a Engine, &'a std_mpsc::Receiver<Event>), Box<PreviewReply>> {
    if loaded.is_none() {
        if !config.model.is_file() {
            return Err(Box::new(PreviewReply::NoModel {
                job: job.id,
                path: config.model.clone(),
            }));
        }
        send(PreviewReply::LoadingModel { job: job.id });
        let mut engine_config = EngineConfig::new(config.model.clone());
        if let Some(threads) = config.threads {
            engine_config.threads = threads;
        }
        let (engine, events) = Engine::start(engine_config).map_err(|e| {
            Box::new(PreviewReply::Failed {
                job: job.id,
                error: e.to_string(),
            })
        })?;
        let engine = Arc::new(engine);
        let _ = shared.set(Arc::clone(&engine));
        send(PreviewReply::ModelReady {
            job: job.id,
            info: engine.info().clone(),
        });
        *loaded = Some((engine, events));
    }
    let loaded: &'a Option<Loaded> = loaded;
    match loaded {
        Some((engine, events)) => Ok((engine, events)),
        None => Err(Box::new(PreviewReply::Failed {
            job: job.id,
            error: "the model was not loaded".to_owned(),
        })),
    }
}

/// Runs one job on the loaded engine; the error is the reply that says why it stopped.
fn run(
    config: &PreviewConfig,
    job: &PreviewJob,
    engine: &Engine,
    events: &std_mpsc::Receiver<Event>,
    wanted: &AtomicU64,
    send: Replies<'_>,
) -> Result<(), Box<PreviewReply>> {
    let failed = |error: String| Box::new(PreviewReply::Failed { job: job.id, error });
    let document = load(&job.text).map_err(|e| failed(format!("the leaf cannot be read: {e}")))?;
    let qna = Qna::from_document(&document);
    let mut backend = JobBackend {
        engine,
        events,
        job: job.id,
        wanted,
    };
    let mut count_error = None;
    let input = LeafInput::from_qna(
        job.kind,
        &qna,
        &config.docs_cache,
        PASSAGE_TOKENS,
        |texts| {
            backend.count_tokens(texts).unwrap_or_else(|e| {
                count_error = Some(e.to_string());
                vec![0; texts.len()]
            })
        },
    )
    .map_err(|e| failed(e.to_string()))?;
    if let Some(error) = count_error {
        return Err(failed(error));
    }
    let settings = LeafSettings {
        num: job.samples,
        seed: job.seed,
        max_tokens: Some(job.max_tokens),
        // Every attempt is shown, so there is exactly one round per sample.
        rounds_per_sample: 1,
    };
    let pipeline = Pipeline::built_in(job.pipeline)
        .ok_or_else(|| failed(format!("there is no built-in pipeline {}", job.pipeline)))?;
    let mut backends = Backends {
        writer: &mut backend,
        judge: None,
    };
    let outcome = generate_leaf(&mut backends, &pipeline, &input, &settings, |event| {
        send(PreviewReply::Pipeline {
            job: job.id,
            event: event.clone(),
        });
    })
    .map_err(|e| failed(e.to_string()))?;
    let model = config.model.file_name().unwrap_or_default();
    send(PreviewReply::Done {
        job: job.id,
        run: PreviewRun {
            model: model.to_string_lossy().into_owned(),
            pipeline: pipeline.name.clone(),
            seed: job.seed,
            wanted: job.samples,
            // As `taxon generate` keeps them: no more than wanted.
            accepted: outcome.accepted.len(),
        },
    });
    Ok(())
}
