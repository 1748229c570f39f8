//! The engine's scheduler: several sequences decoded together in one llama.cpp
//! context (continuous batching, one sequence id per slot in a unified KV cache),
//! identical prompt prefixes evaluated once and shared between slots, and two
//! priorities: while interactive work is queued or running, background sequences
//! wait where they are.
//!
//! A prompt is evaluated in chunks aligned on multiples of the batch size from its
//! first token, and its last token alone, however much of it was shared: so the
//! same prompt gives the same values whether it was evaluated whole or reused.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::time::Instant;

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;

use super::engine::{
    Completion, EngineError, Event, Finish, Priority, Request, RequestId, Sampling, Stats,
};
use super::stream::{Step, TextStream};

/// How a queued or running request learns it is no longer wanted.
#[derive(Debug, Clone)]
pub(super) enum Wanted {
    /// A request of [`Engine::submit`](super::Engine::submit): wanted while it is
    /// the newest (the shared number is its id).
    Newest(Arc<AtomicU64>),
    /// A request of a batch, until the batch is cancelled.
    Until(Arc<AtomicBool>),
}

/// A request waiting for a slot.
pub(super) struct Pending {
    pub id: RequestId,
    pub request: Request,
    pub priority: Priority,
    pub events: Sender<Event>,
    pub wanted: Wanted,
    pub received: Instant,
}

impl Pending {
    fn stale(&self) -> bool {
        is_stale(self.id, &self.wanted)
    }
}

fn is_stale(id: RequestId, wanted: &Wanted) -> bool {
    match wanted {
        Wanted::Newest(newest) => newest.load(Ordering::SeqCst) != id,
        Wanted::Until(cancelled) => cancelled.load(Ordering::SeqCst),
    }
}

/// A request in a slot.
struct Sequence {
    id: RequestId,
    priority: Priority,
    events: Sender<Event>,
    wanted: Wanted,
    received: Instant,
    /// The prompt's tokens.
    prompt: Vec<LlamaToken>,
    /// The token sampled last, to be decoded next.
    next: Option<LlamaToken>,
    sampler: LlamaSampler,
    stream: TextStream,
    stats: Stats,
    limit: usize,
    first_token_at: Option<Instant>,
    /// Where the sequence's logits are in the batch being decoded.
    logits_at: Option<i32>,
    /// Tokens of the prompt put into the batch being decoded.
    in_batch: usize,
}

/// One sequence id of the context, and the tokens its cells hold from position 0.
struct Slot {
    cached: Vec<LlamaToken>,
    running: Option<Sequence>,
}

/// Prompt chunks a step evaluates at most when no interactive work runs (then
/// one, so a preview's tokens keep coming).
pub(super) const BACKGROUND_CHUNKS: usize = 4;

/// What the scheduler needs from the worker.
pub(super) struct Scheduler<'a> {
    model: &'a LlamaModel,
    /// The alignment of prompt chunks, and their largest size.
    chunk: usize,
    /// The window of one sequence.
    window: usize,
    slots: Vec<Slot>,
    interactive: VecDeque<(Pending, Vec<LlamaToken>)>,
    background: VecDeque<(Pending, Vec<LlamaToken>)>,
    batch: LlamaBatch<'static>,
}

fn llama_error(error: impl std::fmt::Display) -> EngineError {
    EngineError::Llama(error.to_string())
}

fn sampler(model: &LlamaModel, sampling: &Sampling) -> LlamaSampler {
    if sampling.temperature <= 0.0 {
        return LlamaSampler::chain_simple([
            LlamaSampler::penalties(model.n_vocab(), 64, sampling.repeat_penalty, 0.0, 0.0),
            LlamaSampler::greedy(),
        ]);
    }
    LlamaSampler::chain_simple([
        LlamaSampler::top_k(sampling.top_k),
        LlamaSampler::penalties(model.n_vocab(), 64, sampling.repeat_penalty, 0.0, 0.0),
        LlamaSampler::top_p(sampling.top_p, 1),
        LlamaSampler::temp(sampling.temperature),
        LlamaSampler::dist(sampling.seed),
    ])
}

/// The length of the common start of two token lists.
fn common_start(a: &[LlamaToken], b: &[LlamaToken]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

impl<'a> Scheduler<'a> {
    /// A scheduler of `slots` sequences of `window` tokens each; the last slot is
    /// kept for interactive requests.
    pub fn new(model: &'a LlamaModel, slots: usize, window: usize, chunk: usize) -> Self {
        Self {
            model,
            chunk: chunk.max(1),
            window,
            slots: (0..slots.max(1))
                .map(|_| Slot {
                    cached: Vec::new(),
                    running: None,
                })
                .collect(),
            interactive: VecDeque::new(),
            background: VecDeque::new(),
            batch: LlamaBatch::new(BACKGROUND_CHUNKS * chunk.max(1) + slots.max(1), 1),
        }
    }

    /// Whether nothing is queued or running.
    pub fn idle(&self) -> bool {
        self.interactive.is_empty()
            && self.background.is_empty()
            && self.slots.iter().all(|s| s.running.is_none())
    }

    /// Queues a request (tokenizing it now); a prompt that cannot fit fails at once.
    pub fn queue(&mut self, pending: Pending, text: &str) {
        let tokens = self.model.vocab().tokenize(text.as_bytes(), true, true);
        if tokens.is_empty() || tokens.len() >= self.window {
            let error = EngineError::PromptTooLong {
                prompt_tokens: tokens.len(),
                context_size: self.window as u32,
            };
            let _ = pending.events.send(Event::Failed {
                id: pending.id,
                error: error.to_string(),
            });
            return;
        }
        match pending.priority {
            Priority::Interactive => self.interactive.push_back((pending, tokens)),
            Priority::Background => self.background.push_back((pending, tokens)),
        }
    }

    /// Fails a request that could not even be rendered.
    pub fn refuse(pending: &Pending, error: &EngineError) {
        let _ = pending.events.send(Event::Failed {
            id: pending.id,
            error: error.to_string(),
        });
    }

    /// Fails every running sequence with `error` (an error inside a step).
    pub fn fail_all(&mut self, ctx: &mut LlamaContext<'_>, error: &EngineError) {
        for index in 0..self.slots.len() {
            self.fail(ctx, index, error);
        }
    }

    /// Stops everything: running sequences end as cancelled, queued ones are skipped.
    pub fn stop_all(&mut self, ctx: &mut LlamaContext<'_>) {
        for (pending, _) in self.interactive.drain(..).chain(self.background.drain(..)) {
            let _ = pending.events.send(Event::Skipped { id: pending.id });
        }
        for index in 0..self.slots.len() {
            if self.slots[index].running.is_some() {
                self.finish(ctx, index, Finish::Cancelled);
            }
        }
    }

    /// One step: drops what is no longer wanted, admits queued requests into free
    /// slots, decodes one batch and samples every sequence that has logits.
    pub fn step(&mut self, ctx: &mut LlamaContext<'_>) -> Result<(), EngineError> {
        self.drop_stale(ctx);
        let priority = if !self.interactive.is_empty()
            || self.running().any(|s| s.priority == Priority::Interactive)
        {
            Priority::Interactive
        } else {
            Priority::Background
        };
        self.admit(ctx, priority)?;
        let batched = self.fill_batch(priority)?;
        if batched.is_empty() {
            return Ok(());
        }
        if let Err(error) = ctx.decode(&mut self.batch) {
            // What a failed decode left in the cache is unknown: forget it all,
            // and so every sequence (a paused one's cells are gone too).
            self.fail_all(ctx, &llama_error(&error));
            for slot in &mut self.slots {
                slot.cached.clear();
            }
            ctx.clear_kv_cache();
            return Ok(());
        }
        for index in batched {
            self.after_decode(ctx, index);
        }
        Ok(())
    }

    fn running(&self) -> impl Iterator<Item = &Sequence> {
        self.slots.iter().filter_map(|s| s.running.as_ref())
    }

    fn drop_stale(&mut self, ctx: &mut LlamaContext<'_>) {
        for queue in [&mut self.interactive, &mut self.background] {
            queue.retain(|(pending, _)| {
                let stale = pending.stale();
                if stale {
                    let _ = pending.events.send(Event::Skipped { id: pending.id });
                }
                !stale
            });
        }
        for index in 0..self.slots.len() {
            let stale = self.slots[index]
                .running
                .as_ref()
                .is_some_and(|s| is_stale(s.id, &s.wanted));
            if stale {
                self.finish(ctx, index, Finish::Cancelled);
            }
        }
    }

    /// How many leading tokens of `tokens` a slot holding `cached` can keep: whole
    /// chunks, and never the prompt's last token (it is decoded alone for its
    /// logits); all but the last when the slot holds the same prompt.
    fn reusable(&self, cached: &[LlamaToken], tokens: &[LlamaToken]) -> usize {
        let last = tokens.len() - 1;
        let common = common_start(cached, tokens).min(last);
        if common == last {
            return last;
        }
        common - common % self.chunk
    }

    /// Admits queued requests of `priority` into free slots. The last slot is only
    /// for interactive requests, so one is never kept waiting by background work.
    /// A request whose prompt shares more with a sequence still evaluating its
    /// prompt than with any cache waits until that part is evaluated, to be shared.
    fn admit(&mut self, ctx: &mut LlamaContext<'_>, priority: Priority) -> Result<(), EngineError> {
        let reserved = self.slots.len() - 1;
        let mut index = 0;
        loop {
            let queue = match priority {
                Priority::Interactive => &self.interactive,
                Priority::Background => &self.background,
            };
            let Some((_, tokens)) = queue.get(index) else {
                return Ok(());
            };
            let free: Vec<usize> = (0..self.slots.len())
                .filter(|&i| self.slots[i].running.is_none())
                .filter(|&i| priority == Priority::Interactive || i != reserved || reserved == 0)
                .collect();
            if free.is_empty() {
                return Ok(());
            }
            // The most of the prompt any slot's cells hold, and where.
            let (source, shared) = (0..self.slots.len())
                .map(|i| (i, self.reusable(&self.slots[i].cached, tokens)))
                .fold(
                    (None, 0),
                    |best, (i, n)| if n > best.1 { (Some(i), n) } else { best },
                );
            // Only sequences of this priority move on meanwhile.
            let coming = self
                .running()
                .filter(|s| s.next.is_none() && s.priority == priority)
                .map(|s| self.reusable(&s.prompt, tokens))
                .max()
                .unwrap_or(0);
            if coming > shared {
                index += 1;
                continue;
            }
            let queue = match priority {
                Priority::Interactive => &mut self.interactive,
                Priority::Background => &mut self.background,
            };
            let Some((pending, tokens)) = queue.remove(index) else {
                return Ok(());
            };
            // Its own cache if that is as good, else the free slot that holds least.
            let target = match source {
                Some(s) if free.contains(&s) => s,
                _ => *free
                    .iter()
                    .min_by_key(|&&i| self.slots[i].cached.len())
                    .unwrap_or(&free[0]),
            };
            self.start(ctx, target, source, shared, pending, tokens)?;
        }
    }

    /// Puts a request into slot `target`, its first `shared` tokens taken from
    /// slot `source`'s cells.
    fn start(
        &mut self,
        ctx: &mut LlamaContext<'_>,
        target: usize,
        source: Option<usize>,
        shared: usize,
        pending: Pending,
        tokens: Vec<LlamaToken>,
    ) -> Result<(), EngineError> {
        let seq = |i: usize| i32::try_from(i).map_err(llama_error);
        let position = |n: usize| u32::try_from(n).map_err(llama_error);
        let kept = match source {
            Some(s) if s != target && shared > 0 => {
                ctx.clear_kv_cache_seq(Some(position(target)?), None, None)
                    .map_err(llama_error)?;
                ctx.copy_kv_cache_seq(seq(s)?, seq(target)?, None, Some(position(shared)?))
                    .map_err(llama_error)?;
                let prefix = self.slots[s].cached[..shared].to_vec();
                self.slots[target].cached = prefix;
                shared
            }
            Some(s) if s == target => shared,
            _ => 0,
        };
        if !ctx
            .clear_kv_cache_seq(Some(position(target)?), Some(position(kept)?), None)
            .map_err(llama_error)?
        {
            return Err(EngineError::Llama(
                "llama.cpp could not drop part of its cache".to_owned(),
            ));
        }
        self.slots[target].cached.truncate(kept);
        if self.running().next().is_none() {
            ctx.reset_timings();
        }
        let stats = Stats {
            prompt_tokens: tokens.len(),
            cached_prompt_tokens: kept,
            context_size: self.window as u32,
            ..Stats::default()
        };
        let _ = pending.events.send(Event::Started {
            id: pending.id,
            prompt_tokens: tokens.len(),
            context_size: self.window as u32,
        });
        let limit = (pending.request.max_tokens as usize).min(self.window - tokens.len());
        self.slots[target].running = Some(Sequence {
            id: pending.id,
            priority: pending.priority,
            sampler: sampler(self.model, &pending.request.sampling),
            stream: TextStream::new(&pending.request.stop),
            events: pending.events,
            wanted: pending.wanted,
            received: pending.received,
            prompt: tokens,
            next: None,
            stats,
            limit,
            first_token_at: None,
            logits_at: None,
            in_batch: 0,
        });
        Ok(())
    }

    /// Fills the batch with the running sequences of `priority`: each generating
    /// one its last token, each evaluating its prompt its next chunk while the step
    /// has room. Returns the slots in the batch.
    fn fill_batch(&mut self, priority: Priority) -> Result<Vec<usize>, EngineError> {
        self.batch.clear();
        let mut budget = match priority {
            Priority::Interactive => self.chunk,
            Priority::Background => BACKGROUND_CHUNKS * self.chunk,
        };
        let mut batched = Vec::new();
        for (index, slot) in self.slots.iter_mut().enumerate() {
            let Some(sequence) = slot.running.as_mut() else {
                continue;
            };
            sequence.logits_at = None;
            sequence.in_batch = 0;
            if sequence.priority != priority {
                continue;
            }
            let seq = [i32::try_from(index).map_err(llama_error)?];
            let position = slot.cached.len();
            if let Some(token) = sequence.next {
                sequence.logits_at = Some(self.batch.n_tokens());
                self.batch
                    .add(token, position as i32, &seq, true)
                    .map_err(llama_error)?;
                batched.push(index);
                continue;
            }
            let last = sequence.prompt.len() - 1;
            let end = if position == last {
                last + 1
            } else {
                ((position / self.chunk + 1) * self.chunk).min(last)
            };
            let size = end - position;
            if size > budget {
                continue;
            }
            budget -= size;
            for (offset, token) in sequence.prompt[position..end].iter().enumerate() {
                let at = position + offset;
                let logits = at == last;
                if logits {
                    sequence.logits_at = Some(self.batch.n_tokens());
                }
                self.batch
                    .add(*token, at as i32, &seq, logits)
                    .map_err(llama_error)?;
            }
            sequence.in_batch = size;
            batched.push(index);
        }
        Ok(batched)
    }

    /// Records what a decode put into slot `index`'s cells and samples its next
    /// token if it has logits.
    fn after_decode(&mut self, ctx: &mut LlamaContext<'_>, index: usize) {
        let slot = &mut self.slots[index];
        let Some(sequence) = slot.running.as_mut() else {
            return;
        };
        if let Some(token) = sequence.next.take() {
            slot.cached.push(token);
        } else {
            let start = slot.cached.len();
            slot.cached
                .extend_from_slice(&sequence.prompt[start..start + sequence.in_batch]);
        }
        let Some(at) = sequence.logits_at else {
            return;
        };
        if sequence.stats.generated_tokens >= sequence.limit {
            self.finish(ctx, index, Finish::Length);
            return;
        }
        let token = sequence.sampler.sample(ctx, at);
        if sequence.first_token_at.is_none() {
            let now = Instant::now();
            sequence.stats.time_to_first_token = now - sequence.received;
            sequence.first_token_at = Some(now);
        }
        if self.model.vocab().is_eog(token) {
            self.finish(ctx, index, Finish::EndOfText);
            return;
        }
        sequence.stats.generated_tokens += 1;
        let mut piece = Vec::new();
        self.model
            .vocab()
            .token_to_piece_into(token, &mut piece, false, None);
        let stopped = match sequence.stream.push(&piece) {
            Step::Text(text) => {
                send_text(sequence, text);
                None
            }
            Step::Stopped(text, stop) => {
                send_text(sequence, text);
                Some(stop)
            }
        };
        match stopped {
            Some(stop) => self.finish(ctx, index, Finish::Stop(stop)),
            None if sequence.stats.generated_tokens >= sequence.limit => {
                self.finish(ctx, index, Finish::Length);
            }
            None => sequence.next = Some(token),
        }
    }

    fn fail(&mut self, ctx: &mut LlamaContext<'_>, index: usize, error: &EngineError) {
        if let Some(sequence) = self.slots[index].running.take() {
            let _ = sequence.events.send(Event::Failed {
                id: sequence.id,
                error: error.to_string(),
            });
        }
        self.slots[index].cached.clear();
        let _ = ctx.clear_kv_cache_seq(u32::try_from(index).ok(), None, None);
    }

    fn finish(&mut self, ctx: &mut LlamaContext<'_>, index: usize, finish: Finish) {
        let Some(mut sequence) = self.slots[index].running.take() else {
            return;
        };
        if !matches!(finish, Finish::Stop(_)) {
            let rest = sequence.stream.finish();
            send_text(&sequence, rest);
        }
        if let Some(first) = sequence.first_token_at {
            sequence.stats.generation_time = first.elapsed();
        }
        let timings = ctx.timings();
        sequence.stats.llama_prompt_eval = (timings.t_p_eval_ms(), timings.n_p_eval());
        sequence.stats.llama_eval = (timings.t_eval_ms(), timings.n_eval());
        let completion = Completion {
            text: sequence.stream.text().to_owned(),
            finish,
            stats: sequence.stats,
        };
        let _ = sequence.events.send(Event::Finished {
            id: sequence.id,
            completion,
        });
    }
}

fn send_text(sequence: &Sequence, text: String) {
    if !text.is_empty() {
        let _ = sequence.events.send(Event::Token {
            id: sequence.id,
            text,
        });
    }
}
