//! The worker side of the engine: llama.cpp through `llama-cpp-2`. One model and
//! one context stay loaded; commands queue requests, and between commands the
//! scheduler decodes a step of every running sequence.

use std::ffi::CString;
use std::num::NonZeroU32;
use std::sync::atomic::AtomicU64;
use std::sync::mpsc::{Receiver, Sender, SyncSender, TryRecvError};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatTemplate, LlamaModel};

use super::engine::{Command, EngineConfig, EngineError, Event, ModelInfo, Priority, Prompt};
use super::llama_log::{load_failure, with_llama_errors};
use super::sequences::{BACKGROUND_CHUNKS, Pending, Scheduler, Wanted};

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
        let (model, reasons) = with_llama_errors(|| {
            LlamaModel::load_from_file(backend, &config.model, &LlamaModelParams::default())
        });
        let model = model.map_err(|e| load_error(load_failure(e, &reasons)))?;
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
    // One slot per background sequence and one kept for interactive work, each
    // with the whole window; the cache is unified, so slots share prompt cells.
    let slots = config.parallel.max(1) + 1;
    let chunk = config.batch_size.max(1);
    let batch = BACKGROUND_CHUNKS as u32 * chunk + slots;
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(config.context_size.max(64) * slots))
        .with_n_batch(batch)
        .with_n_ubatch(batch)
        .with_n_seq_max(slots)
        .with_kv_unified(true)
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
    let window = ctx.n_ctx() / slots;
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
    let template_text = match template.to_str() {
        Ok(text) => text.to_owned(),
        Err(error) => {
            let _ = ready.send(Err(llama_error(error)));
            return;
        }
    };
    let info = ModelInfo {
        path: config.model.clone(),
        context_size: window,
        trained_context: model.n_ctx_train(),
        threads: config.threads.max(1),
        chat_template: template_name,
        load_time: loaded.elapsed(),
    };
    tracing::info!(?info, "generation model loaded");
    if ready.send(Ok(info)).is_err() {
        return;
    }
    let mut scheduler = Scheduler::new(&model, slots as usize, window as usize, chunk as usize);
    loop {
        let command = if scheduler.idle() {
            commands.recv().map_err(|_| TryRecvError::Disconnected)
        } else {
            commands.try_recv()
        };
        match command {
            Ok(command) => {
                take(
                    &model,
                    &template_text,
                    &mut scheduler,
                    command,
                    events,
                    newest,
                );
                continue;
            }
            Err(TryRecvError::Disconnected) => {
                scheduler.stop_all(&mut ctx);
                return;
            }
            Err(TryRecvError::Empty) => {}
        }
        if let Err(error) = scheduler.step(&mut ctx) {
            scheduler.fail_all(&mut ctx, &error);
        }
    }
}

/// Queues a command's requests (or answers a token count at once).
fn take(
    model: &LlamaModel,
    template: &str,
    scheduler: &mut Scheduler<'_>,
    command: Command,
    events: &Sender<Event>,
    newest: &Arc<AtomicU64>,
) {
    let received = Instant::now();
    let mut queue = |pending: Pending| match prompt_text(template, &pending.request.prompt) {
        Ok(text) => scheduler.queue(pending, &text),
        Err(error) => Scheduler::refuse(&pending, &error),
    };
    match command {
        Command::Generate { id, request } => queue(Pending {
            id,
            request,
            priority: Priority::Interactive,
            events: events.clone(),
            wanted: Wanted::Newest(Arc::clone(newest)),
            received,
        }),
        Command::Batch {
            requests,
            priority,
            events,
            cancelled,
        } => {
            for (id, request) in requests {
                queue(Pending {
                    id,
                    request,
                    priority,
                    events: events.clone(),
                    wanted: Wanted::Until(Arc::clone(&cancelled)),
                    received,
                });
            }
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
