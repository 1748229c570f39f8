//! The worker side of the engine: llama.cpp through `llama-cpp-2`. One model and
//! one context stay loaded; each request clears the cache, evaluates its prompt in
//! steps and samples token by token, checking for cancellation at every step.

use std::ffi::CString;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatTemplate, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;

use super::engine::{
    Command, Completion, EngineConfig, EngineError, Event, Finish, ModelInfo, Prompt, Request,
    RequestId, Sampling, Stats,
};
use super::stream::{Step, TextStream};

/// The chat template used when the GGUF has none.
pub(super) const FALLBACK_TEMPLATE: &str = "chatml";

/// The process's one llama.cpp backend, its logs routed to tracing.
fn backend() -> Result<&'static LlamaBackend, EngineError> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
            LlamaBackend::init().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| EngineError::Backend(e.clone()))
}

fn llama_error(error: impl std::fmt::Display) -> EngineError {
    EngineError::Llama(error.to_string())
}

/// Runs the worker: loads the model, reports on `ready`, then serves commands
/// until the command channel closes.
pub(super) fn serve(
    config: &EngineConfig,
    commands: &Receiver<Command>,
    events: &Sender<Event>,
    newest: &Arc<AtomicU64>,
    ready: &SyncSender<Result<ModelInfo, EngineError>>,
) {
    let loaded = Instant::now();
    let setup = backend().and_then(|backend| {
        let load_error = |message: String| EngineError::Load {
            path: config.model.clone(),
            message,
        };
        // Checked here: the crate asserts (in debug builds) that the file exists.
        if !config.model.is_file() {
            return Err(load_error("no such file".to_owned()));
        }
        let model =
            LlamaModel::load_from_file(backend, &config.model, &LlamaModelParams::default())
                .map_err(|e| load_error(e.to_string()))?;
        Ok((backend, model))
    });
    let (backend, model) = match setup {
        Ok(pair) => pair,
        Err(error) => {
            let _ = ready.send(Err(error));
            return;
        }
    };
    let threads = i32::try_from(config.threads.max(1)).unwrap_or(1);
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(config.context_size.max(64)))
        .with_n_batch(config.batch_size.max(1))
        .with_n_ubatch(config.batch_size.max(1))
        .with_n_threads(threads)
        .with_n_threads_batch(threads)
        .with_no_perf(false);
    let mut ctx = match model.new_context(backend, params) {
        Ok(ctx) => ctx,
        Err(error) => {
            let _ = ready.send(Err(llama_error(error)));
            return;
        }
    };
    let template = match model.chat_template(None) {
        Ok(template) => Ok((template, "gguf".to_owned())),
        Err(_) => LlamaChatTemplate::new(FALLBACK_TEMPLATE)
            .map(|t| (t, FALLBACK_TEMPLATE.to_owned()))
            .map_err(llama_error),
    };
    let (template, template_name) = match template {
        Ok(pair) => pair,
        Err(error) => {
            let _ = ready.send(Err(error));
            return;
        }
    };
    let info = ModelInfo {
        path: config.model.clone(),
        context_size: ctx.n_ctx(),
        trained_context: model.n_ctx_train(),
        threads: config.threads.max(1),
        chat_template: template_name,
        load_time: loaded.elapsed(),
    };
    tracing::info!(?info, "generation model loaded");
    if ready.send(Ok(info)).is_err() {
        return;
    }
    let mut worker = Worker {
        model: &model,
        template: &template,
        batch_size: config.batch_size.max(1) as usize,
        newest,
        events,
        in_cache: Vec::new(),
        cached_prompt: 0,
    };
    while let Ok(command) = commands.recv() {
        match command {
            Command::Generate { id, request } => {
                if newest.load(Ordering::SeqCst) != id {
                    let _ = events.send(Event::Skipped { id });
                    continue;
                }
                let event = match worker.generate(&mut ctx, id, &request) {
                    Ok(completion) => Event::Finished { id, completion },
                    Err(error) => Event::Failed {
                        id,
                        error: error.to_string(),
                    },
                };
                let _ = events.send(event);
            }
            Command::CountTokens { texts, reply } => {
                let counts = texts
                    .iter()
                    .map(|t| model.vocab().tokenize(t.as_bytes(), false, false).len())
                    .collect();
                let _ = reply.send(counts);
            }
        }
    }
}

/// The text given to the model for `prompt`: chat messages rendered with
/// `template` (a llama.cpp builtin name such as `chatml`, or a template's Jinja
/// source, which llama.cpp recognises by its markers), the assistant's turn opened
/// and the answer's prefix put after it; raw text as is. Needs no model, so the
/// remote backend renders its prompts with it too and both send the same text.
pub(super) fn prompt_text(template: &str, prompt: &Prompt) -> Result<String, EngineError> {
    let (system, user, prefix) = match prompt {
        Prompt::Raw(text) => return Ok(text.clone()),
        Prompt::Chat {
            system,
            user,
            prefix,
        } => (system, user, prefix),
    };
    let text = |s: &str| CString::new(s).map_err(llama_error);
    let mut owned = Vec::new();
    if let Some(system) = system {
        owned.push((text("system")?, text(system)?));
    }
    owned.push((text("user")?, text(user)?));
    let messages: Vec<llama_cpp_sys_2::llama_chat_message> = owned
        .iter()
        .map(|(role, content)| llama_cpp_sys_2::llama_chat_message {
            role: role.as_ptr(),
            content: content.as_ptr(),
        })
        .collect();
    let template = text(template)?;
    let length: usize = owned
        .iter()
        .map(|(r, c)| r.as_bytes().len() + c.as_bytes().len())
        .sum();
    let mut buffer = vec![0u8; 2 * length + 256];
    loop {
        let capacity = i32::try_from(buffer.len()).map_err(llama_error)?;
        // SAFETY: the template, roles and contents are NUL-terminated strings that
        // outlive the call, and `buffer` has `capacity` writable bytes.
        let written = unsafe {
            llama_cpp_sys_2::llama_chat_apply_template(
                template.as_ptr(),
                messages.as_ptr(),
                messages.len(),
                true,
                buffer.as_mut_ptr().cast(),
                capacity,
            )
        };
        let written = usize::try_from(written).map_err(|_| {
            EngineError::Llama(format!(
                "llama.cpp does not know the chat template {:?}",
                template
                    .to_string_lossy()
                    .chars()
                    .take(60)
                    .collect::<String>()
            ))
        })?;
        if written <= buffer.len() {
            buffer.truncate(written);
            let opened = String::from_utf8(buffer).map_err(llama_error)?;
            return Ok(opened + prefix);
        }
        buffer.resize(written, 0);
    }
}

struct Worker<'a> {
    model: &'a LlamaModel,
    template: &'a LlamaChatTemplate,
    batch_size: usize,
    newest: &'a AtomicU64,
    events: &'a Sender<Event>,
    /// The tokens whose keys and values the context holds, from position 0.
    in_cache: Vec<LlamaToken>,
    /// How many of them are the prompt of the request that put them there.
    cached_prompt: usize,
}

impl Worker<'_> {
    fn cancelled(&self, id: RequestId) -> bool {
        self.newest.load(Ordering::Relaxed) != id
    }

    fn prompt_text(&self, prompt: &Prompt) -> Result<String, EngineError> {
        prompt_text(self.template.to_str().map_err(llama_error)?, prompt)
    }

    fn sampler(&self, sampling: &Sampling) -> LlamaSampler {
        if sampling.temperature <= 0.0 {
            return LlamaSampler::chain_simple([
                LlamaSampler::penalties(
                    self.model.n_vocab(),
                    64,
                    sampling.repeat_penalty,
                    0.0,
                    0.0,
                ),
                LlamaSampler::greedy(),
            ]);
        }
        LlamaSampler::chain_simple([
            LlamaSampler::top_k(sampling.top_k),
            LlamaSampler::penalties(self.model.n_vocab(), 64, sampling.repeat_penalty, 0.0, 0.0),
            LlamaSampler::top_p(sampling.top_p, 1),
            LlamaSampler::temp(sampling.temperature),
            LlamaSampler::dist(sampling.seed),
        ])
    }

    /// How many leading tokens of `tokens` the context can keep. A prompt is
    /// decoded in batches from position 0 and then its last token alone, so the
    /// same prompt again keeps everything but the last token, and one that shares
    /// a start keeps the whole batches of it; the rest is decoded in the same
    /// batches as from an empty cache, so the result is the same to the bit.
    fn reusable(&self, tokens: &[LlamaToken]) -> usize {
        let last = tokens.len().saturating_sub(1);
        if self.cached_prompt == tokens.len() && self.in_cache.get(..tokens.len()) == Some(tokens) {
            return last;
        }
        let common = self
            .in_cache
            .iter()
            .zip(tokens)
            .take_while(|(a, b)| a == b)
            .count()
            .min(last)
            .min(self.cached_prompt.saturating_sub(1));
        common - common % self.batch_size
    }

    fn generate(
        &mut self,
        ctx: &mut LlamaContext<'_>,
        id: RequestId,
        request: &Request,
    ) -> Result<Completion, EngineError> {
        let result = self.generate_with_cache(ctx, id, request);
        if result.is_err() {
            // What a failed decode left in the cache is unknown.
            self.in_cache.clear();
            self.cached_prompt = 0;
            ctx.clear_kv_cache();
        }
        result
    }

    fn generate_with_cache(
        &mut self,
        ctx: &mut LlamaContext<'_>,
        id: RequestId,
        request: &Request,
    ) -> Result<Completion, EngineError> {
        let received = Instant::now();
        let text = self.prompt_text(&request.prompt)?;
        let tokens = self.model.vocab().tokenize(text.as_bytes(), true, true);
        let context_size = ctx.n_ctx();
        let mut stats = Stats {
            prompt_tokens: tokens.len(),
            context_size,
            ..Stats::default()
        };
        if tokens.is_empty() || tokens.len() >= context_size as usize {
            return Err(EngineError::PromptTooLong {
                prompt_tokens: tokens.len(),
                context_size,
            });
        }
        let _ = self.events.send(Event::Started {
            id,
            prompt_tokens: tokens.len(),
            context_size,
        });
        // A regenerate, or the next sample of the same leaf, has the same prompt:
        // only its last batch is decoded again.
        let reused = self.reusable(&tokens);
        let kept = u32::try_from(reused).map_err(llama_error)?;
        if !ctx
            .clear_kv_cache_seq(None, Some(kept), None)
            .map_err(llama_error)?
        {
            return Err(EngineError::Llama(
                "llama.cpp could not drop part of its cache".to_owned(),
            ));
        }
        self.in_cache.truncate(reused);
        ctx.reset_timings();
        let done = |text: String, finish: Finish, mut stats: Stats, ctx: &mut LlamaContext<'_>| {
            let timings = ctx.timings();
            stats.llama_prompt_eval = (timings.t_p_eval_ms(), timings.n_p_eval());
            stats.llama_eval = (timings.t_eval_ms(), timings.n_eval());
            Ok(Completion {
                text,
                finish,
                stats,
            })
        };
        let mut batch = LlamaBatch::new(self.batch_size.max(1), 1);
        stats.cached_prompt_tokens = reused;
        self.cached_prompt = tokens.len();
        let last_token = tokens.len() - 1;
        let chunks = tokens[reused..last_token]
            .chunks(self.batch_size)
            .chain([&tokens[last_token..]]);
        let mut start = reused;
        for chunk in chunks {
            if self.cancelled(id) {
                return done(String::new(), Finish::Cancelled, stats, ctx);
            }
            batch.clear();
            for (i, token) in chunk.iter().enumerate() {
                let position = start + i;
                let last = position + 1 == tokens.len();
                batch
                    .add(*token, position as i32, &[0], last)
                    .map_err(llama_error)?;
            }
            ctx.decode(&mut batch).map_err(llama_error)?;
            self.in_cache.extend_from_slice(chunk);
            start += chunk.len();
        }
        let room = context_size as usize - tokens.len();
        let limit = (request.max_tokens as usize).min(room);
        let mut sampler = self.sampler(&request.sampling);
        let mut stream = TextStream::new(&request.stop);
        let mut position = tokens.len();
        let mut first_token_at = None;
        let mut piece = Vec::new();
        let finish = loop {
            if stats.generated_tokens >= limit {
                break Finish::Length;
            }
            if self.cancelled(id) {
                break Finish::Cancelled;
            }
            let token: LlamaToken = sampler.sample(ctx, batch.n_tokens() - 1);
            if first_token_at.is_none() {
                let now = Instant::now();
                stats.time_to_first_token = now - received;
                first_token_at = Some(now);
            }
            if self.model.vocab().is_eog(token) {
                break Finish::EndOfText;
            }
            stats.generated_tokens += 1;
            piece.clear();
            self.model
                .vocab()
                .token_to_piece_into(token, &mut piece, false, None);
            match stream.push(&piece) {
                Step::Text(text) => {
                    if !text.is_empty() {
                        let _ = self.events.send(Event::Token { id, text });
                    }
                }
                Step::Stopped(text, stop) => {
                    if !text.is_empty() {
                        let _ = self.events.send(Event::Token { id, text });
                    }
                    break Finish::Stop(stop);
                }
            }
            batch.clear();
            batch
                .add(token, position as i32, &[0], true)
                .map_err(llama_error)?;
            position += 1;
            ctx.decode(&mut batch).map_err(llama_error)?;
            self.in_cache.push(token);
        };
        if !matches!(finish, Finish::Stop(_)) {
            let rest = stream.finish();
            if !rest.is_empty() {
                let _ = self.events.send(Event::Token { id, text: rest });
            }
        }
        if let Some(first) = first_token_at {
            stats.generation_time = first.elapsed();
        }
        done(stream.text().to_owned(), finish, stats, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_prompts_are_rendered_with_the_template_and_the_prefix() {
        let prompt = Prompt::Chat {
            system: Some("Be brief.".into()),
            user: "Hi?".into(),
            prefix: "[Question]\n".into(),
        };
        assert_eq!(
            prompt_text("chatml", &prompt).unwrap(),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi?<|im_end|>\n\
             <|im_start|>assistant\n[Question]\n"
        );
        // A Jinja source is recognised by its markers, as the GGUF's template is.
        let jinja = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}";
        assert_eq!(
            prompt_text(jinja, &prompt).unwrap(),
            prompt_text("chatml", &prompt).unwrap()
        );
        assert_eq!(
            prompt_text("chatml", &Prompt::Raw("as is".into())).unwrap(),
            "as is"
        );
    }

    #[test]
    fn an_unknown_template_is_an_error() {
        let prompt = Prompt::Chat {
            system: None,
            user: "Hi".into(),
            prefix: String::new(),
        };
        let error = prompt_text("no-such-template", &prompt).unwrap_err();
        assert!(error.to_string().contains("no-such-template"), "{error}");
        let long = "x".repeat(5000);
        let prompt = Prompt::Chat {
            system: None,
            user: long.clone(),
            prefix: String::new(),
        };
        assert!(prompt_text("chatml", &prompt).unwrap().contains(&long));
    }
}
