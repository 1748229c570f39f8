//! The generation engine: a worker thread that keeps one model loaded and decodes
//! several sequences together, streaming tokens as events. Two ways in:
//! [`Engine::submit`], where the newest request wins (submitting or cancelling
//! makes any older one stop within one token), and [`Engine::submit_batch`], whose
//! requests run side by side to their ends. Interactive work goes first: while any
//! is queued or running, background sequences wait.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use super::llama;

/// Identifies one request; later requests have larger ids.
pub type RequestId = u64;

/// How to run the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// The GGUF model file.
    pub model: PathBuf,
    /// CPU threads for generation and prompt evaluation.
    pub threads: u32,
    /// The context window in tokens (prompt plus completion).
    pub context_size: u32,
    /// Prompt tokens evaluated per step; cancellation is checked between steps.
    pub batch_size: u32,
    /// Sequences of background work decoded together (one more slot is kept for
    /// interactive work).
    pub parallel: u32,
}

impl EngineConfig {
    /// The defaults for `model`: every available core, a 2048-token window,
    /// 64-token prompt steps and one sequence at a time.
    pub fn new(model: PathBuf) -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
        Self {
            model,
            threads,
            context_size: 2048,
            batch_size: 64,
            parallel: 1,
        }
    }
}

/// Which work goes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Someone is waiting for it (a preview): while any is queued or running,
    /// background sequences pause.
    Interactive,
    /// Bulk work (`taxon generate`).
    Background,
}

/// The text given to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// Messages wrapped in the model's chat template (from the GGUF, else ChatML).
    Chat {
        /// The system message, if any.
        system: Option<String>,
        /// The user message.
        user: String,
        /// Text the answer starts with, put after the template's assistant opening
        /// (the completion continues it; it is not part of the completion's text).
        prefix: String,
    },
    /// Text given as is, for plain completion.
    Raw(String),
}

/// How tokens are picked. The same seed, prompt and settings give the same output.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampling {
    /// The random seed.
    pub seed: u32,
    /// Temperature; 0 or below picks the most likely token every time.
    pub temperature: f32,
    /// Keep only the `top_k` most likely tokens.
    pub top_k: i32,
    /// Keep the smallest set of tokens whose probability reaches `top_p`.
    pub top_p: f32,
    /// Penalty for repeating any of the last 64 tokens (1.0 = none).
    pub repeat_penalty: f32,
}

impl Sampling {
    /// The defaults (temperature 0.7, top-k 40, top-p 0.9, repeat penalty 1.1) with `seed`.
    pub fn with_seed(seed: u32) -> Self {
        Self {
            seed,
            temperature: 0.7,
            top_k: 40,
            top_p: 0.9,
            repeat_penalty: 1.1,
        }
    }
}

/// One generation request.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// What to complete.
    pub prompt: Prompt,
    /// At most this many new tokens (less if the context window is shorter).
    pub max_tokens: u32,
    /// Sampling settings.
    pub sampling: Sampling,
    /// Strings that end the completion (left out of its text).
    pub stop: Vec<String>,
}

/// Why a completion ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finish {
    /// The model produced its end-of-generation token.
    EndOfText,
    /// One of the request's stop strings appeared.
    Stop(String),
    /// The token limit (or the context window) was reached.
    Length,
    /// A newer request or a cancel stopped it.
    Cancelled,
}

/// Measurements of one completion.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stats {
    /// Tokens in the prompt.
    pub prompt_tokens: usize,
    /// Leading prompt tokens kept in the model's cache from the request before,
    /// so not evaluated again.
    pub cached_prompt_tokens: usize,
    /// The context window.
    pub context_size: u32,
    /// Tokens generated.
    pub generated_tokens: usize,
    /// From receiving the request to the first generated token.
    pub time_to_first_token: Duration,
    /// From the first to the last generated token.
    pub generation_time: Duration,
    /// llama.cpp's own prompt evaluation time (ms) and token count.
    pub llama_prompt_eval: (f64, i32),
    /// llama.cpp's own generation evaluation time (ms) and token count.
    pub llama_eval: (f64, i32),
}

impl Stats {
    /// Generated tokens per second after the first token, as the caller sees them.
    pub fn tokens_per_second(&self) -> f64 {
        let seconds = self.generation_time.as_secs_f64();
        if self.generated_tokens < 2 || seconds <= 0.0 {
            return 0.0;
        }
        (self.generated_tokens - 1) as f64 / seconds
    }

    /// llama.cpp's own evaluation rate for generated tokens.
    pub fn llama_eval_tokens_per_second(&self) -> f64 {
        let (ms, n) = self.llama_eval;
        if ms <= 0.0 {
            0.0
        } else {
            f64::from(n) * 1000.0 / ms
        }
    }
}

/// A finished (or stopped) completion.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// The generated text, without any stop string.
    pub text: String,
    /// Why it ended.
    pub finish: Finish,
    /// Its measurements.
    pub stats: Stats,
}

/// What the engine reports, tagged with the request it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The prompt was read: how many tokens of the window it takes.
    Started {
        /// The request.
        id: RequestId,
        /// Tokens in the prompt.
        prompt_tokens: usize,
        /// The context window.
        context_size: u32,
    },
    /// New text (a token, or several when a held-back piece is released).
    Token {
        /// The request.
        id: RequestId,
        /// The text.
        text: String,
    },
    /// The request is done; `completion.finish` says why.
    Finished {
        /// The request.
        id: RequestId,
        /// The result.
        completion: Completion,
    },
    /// The request was superseded before it started and was dropped.
    Skipped {
        /// The request.
        id: RequestId,
    },
    /// The request failed.
    Failed {
        /// The request.
        id: RequestId,
        /// What went wrong.
        error: String,
    },
}

impl Event {
    /// The request the event belongs to.
    pub fn id(&self) -> RequestId {
        match self {
            Self::Started { id, .. }
            | Self::Token { id, .. }
            | Self::Finished { id, .. }
            | Self::Skipped { id }
            | Self::Failed { id, .. } => *id,
        }
    }
}

/// What the engine could not do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// llama.cpp could not be initialised.
    #[error("llama.cpp backend: {0}")]
    Backend(String),
    /// The model could not be loaded.
    #[error("{path}: cannot load the model: {message}")]
    Load {
        /// The model file.
        path: PathBuf,
        /// The cause.
        message: String,
    },
    /// The prompt does not leave room in the context window.
    #[error("the prompt has {prompt_tokens} tokens; the context window holds {context_size}")]
    PromptTooLong {
        /// Tokens in the prompt.
        prompt_tokens: usize,
        /// The context window.
        context_size: u32,
    },
    /// llama.cpp failed while running.
    #[error("llama.cpp: {0}")]
    Llama(String),
    /// The worker thread has stopped.
    #[error("the generation worker has stopped")]
    WorkerGone,
    /// A remote server failed (the remote backend).
    #[error(transparent)]
    Remote(#[from] super::remote::RemoteError),
}

/// Facts about the loaded model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelInfo {
    /// The model file.
    pub path: PathBuf,
    /// The context window of one sequence.
    pub context_size: u32,
    /// The context the model was trained with.
    pub trained_context: u32,
    /// Threads in use.
    pub threads: u32,
    /// Where the chat template came from: `gguf` or the fallback's name.
    pub chat_template: String,
    /// How long loading took.
    pub load_time: Duration,
}

pub(super) enum Command {
    /// A request of [`Engine::submit`].
    Generate { id: RequestId, request: Request },
    /// The requests of a batch, their events to `events`.
    Batch {
        requests: Vec<(RequestId, Request)>,
        priority: Priority,
        events: Sender<Event>,
        cancelled: Arc<AtomicBool>,
    },
    CountTokens {
        texts: Vec<String>,
        reply: Sender<Vec<usize>>,
    },
}

/// No request: what `newest` holds after a cancel (ids count from 1).
const NO_REQUEST: RequestId = 0;

/// A handle on the worker; dropping it cancels any work and stops the worker.
pub struct Engine {
    commands: Option<Sender<Command>>,
    /// The last id given out.
    ids: AtomicU64,
    /// The newest request of [`Engine::submit`] (the one that may run).
    newest: Arc<AtomicU64>,
    worker: Option<JoinHandle<()>>,
    info: ModelInfo,
}

/// Requests submitted together: each runs to its end (none supersedes another)
/// and reports on the batch's own channel. Dropping it cancels what is left.
pub struct Batch {
    ids: Vec<RequestId>,
    events: Receiver<Event>,
    cancelled: Arc<AtomicBool>,
}

impl Batch {
    /// The requests' ids, in the order they were given.
    pub fn ids(&self) -> &[RequestId] {
        &self.ids
    }

    /// Stops the running requests within a token and skips the queued ones.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// The batch's events, for a caller that polls them (an interface's loop)
    /// instead of [`Batch::wait`], which does not see the events read here.
    pub fn events(&self) -> &Receiver<Event> {
        &self.events
    }

    /// Waits for every request, handing `on_event` each event as it comes with the
    /// index of its request; the results are in the requests' order.
    pub fn wait(
        &self,
        mut on_event: impl FnMut(usize, &Event),
    ) -> Vec<Result<Completion, EngineError>> {
        let mut results: Vec<Option<Result<Completion, EngineError>>> =
            self.ids.iter().map(|_| None).collect();
        let mut left = self.ids.len();
        while left > 0 {
            let Ok(event) = self.events.recv() else {
                break;
            };
            let Some(index) = self.ids.iter().position(|&id| id == event.id()) else {
                continue;
            };
            on_event(index, &event);
            let result = match event {
                Event::Started { .. } | Event::Token { .. } => continue,
                Event::Finished { completion, .. } => Ok(completion),
                Event::Failed { error, .. } => Err(EngineError::Llama(error)),
                Event::Skipped { .. } => Ok(Completion {
                    text: String::new(),
                    finish: Finish::Cancelled,
                    stats: Stats::default(),
                }),
            };
            if results[index].replace(result).is_none() {
                left -= 1;
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or(Err(EngineError::WorkerGone)))
            .collect()
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        self.cancel();
    }
}

impl Engine {
    /// Starts a worker and loads the model (blocks until it is loaded). Returns the
    /// handle and the receiver of every request's events.
    pub fn start(config: EngineConfig) -> Result<(Self, Receiver<Event>), EngineError> {
        let (commands, command_rx) = mpsc::channel();
        let (events, event_rx) = mpsc::channel();
        let (ready, ready_rx) = mpsc::sync_channel(1);
        let newest = Arc::new(AtomicU64::new(NO_REQUEST));
        let shared = Arc::clone(&newest);
        let worker = std::thread::Builder::new()
            .name("taxon-generate".to_owned())
            .spawn(move || llama::serve(&config, &command_rx, &events, &shared, &ready))
            .map_err(|e| EngineError::Backend(e.to_string()))?;
        let info = match ready_rx.recv() {
            Ok(Ok(info)) => info,
            Ok(Err(error)) => {
                let _ = worker.join();
                return Err(error);
            }
            Err(_) => return Err(EngineError::WorkerGone),
        };
        let engine = Self {
            commands: Some(commands),
            ids: AtomicU64::new(NO_REQUEST),
            newest,
            worker: Some(worker),
            info,
        };
        Ok((engine, event_rx))
    }

    /// Facts about the loaded model.
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Queues an interactive request whose events go to the engine's receiver;
    /// any older request of `submit` stops or is skipped.
    pub fn submit(&self, request: Request) -> Result<RequestId, EngineError> {
        let id = self.ids.fetch_add(1, Ordering::SeqCst) + 1;
        self.newest.store(id, Ordering::SeqCst);
        self.send(Command::Generate { id, request })?;
        Ok(id)
    }

    /// Stops the running request of `submit` (within one token) and drops queued
    /// ones; batches go on.
    pub fn cancel(&self) {
        self.newest.store(NO_REQUEST, Ordering::SeqCst);
    }

    /// Queues requests to run side by side, up to [`EngineConfig::parallel`] at
    /// once (interactive ones also in the slot kept for them).
    pub fn submit_batch(
        &self,
        requests: Vec<Request>,
        priority: Priority,
    ) -> Result<Batch, EngineError> {
        let count = requests.len() as u64;
        let first = self.ids.fetch_add(count, Ordering::SeqCst) + 1;
        let ids: Vec<RequestId> = (first..first + count).collect();
        let (events, receiver) = mpsc::channel();
        let cancelled = Arc::new(AtomicBool::new(false));
        self.send(Command::Batch {
            requests: ids.iter().copied().zip(requests).collect(),
            priority,
            events,
            cancelled: Arc::clone(&cancelled),
        })?;
        Ok(Batch {
            ids,
            events: receiver,
            cancelled,
        })
    }

    /// How many tokens each text is in the model's vocabulary.
    pub fn count_tokens(&self, texts: Vec<String>) -> Result<Vec<usize>, EngineError> {
        let (reply, answer) = mpsc::channel();
        self.send(Command::CountTokens { texts, reply })?;
        answer.recv().map_err(|_| EngineError::WorkerGone)
    }

    fn send(&self, command: Command) -> Result<(), EngineError> {
        self.commands
            .as_ref()
            .ok_or(EngineError::WorkerGone)?
            .send(command)
            .map_err(|_| EngineError::WorkerGone)
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.cancel();
        self.commands = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// Submits `request` and waits for its end, calling `on_token` with each piece of
/// text; events of other requests are ignored.
pub fn complete(
    engine: &Engine,
    events: &Receiver<Event>,
    request: Request,
    mut on_token: impl FnMut(&str),
) -> Result<Completion, EngineError> {
    complete_observed(engine, events, request, |event| {
        if let Event::Token { text, .. } = event {
            on_token(text);
        }
    })
}

/// Like [`complete`], but hands `on_event` each of the request's own events as it
/// comes (its start, then its tokens), with the request's id.
pub fn complete_observed(
    engine: &Engine,
    events: &Receiver<Event>,
    request: Request,
    mut on_event: impl FnMut(&Event),
) -> Result<Completion, EngineError> {
    let id = engine.submit(request)?;
    loop {
        match events.recv().map_err(|_| EngineError::WorkerGone)? {
            event if event.id() != id => {}
            event @ (Event::Token { .. } | Event::Started { .. }) => on_event(&event),
            Event::Finished { completion, .. } => return Ok(completion),
            Event::Failed { error, .. } => return Err(EngineError::Llama(error)),
            Event::Skipped { .. } => {
                return Ok(Completion {
                    text: String::new(),
                    finish: Finish::Cancelled,
                    stats: Stats::default(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_zero_without_data() {
        let stats = Stats::default();
        assert_eq!(stats.tokens_per_second(), 0.0);
        assert_eq!(stats.llama_eval_tokens_per_second(), 0.0);
        let stats = Stats {
            generated_tokens: 11,
            generation_time: Duration::from_secs(2),
            llama_eval: (500.0, 50),
            ..Stats::default()
        };
        assert_eq!(stats.tokens_per_second(), 5.0);
        assert_eq!(stats.llama_eval_tokens_per_second(), 100.0);
    }

    #[test]
    fn a_missing_model_is_a_load_error() {
        let error = Engine::start(EngineConfig::new("/nonexistent/model.gguf".into()))
            .err()
            .unwrap();
        assert!(matches!(error, EngineError::Load { .. }), "{error}");
    }
}
