//! The built-in trainer: full fine-tuning with llama.cpp's opt API (AdamW, the
//! learning rate from [`Schedule`] at every step) through `llama-cpp-sys-2`'s raw
//! bindings, which `llama-cpp-2` does not wrap. Training needs F32 weights, so the
//! base model is converted once and cached; the context size is a multiple of 256
//! with one batch and micro-batch of the whole window, weights are loaded without
//! mmap. Each optimizer step is one call of `llama_opt_epoch` over a one-window
//! dataset, so a stop request is honoured between steps. llama.cpp aborts the
//! process on internal errors, which is why this runs in a worker process.
//!
//! All `unsafe` code of the trainer is in this file; every block says what it relies on.

use std::ffi::{CString, c_void};
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::ptr::null_mut;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_sys_2 as sys;

use super::dataset::{Conversation, Windows, read_messages, seed_conversations, windows};
use super::engine::{Job, JobError, Outcome};
use super::generated;
use super::metrics::MetricRecord;
use super::registry::Checkpoint;
use super::schedule::Schedule;
use super::spec::{DatasetSource, LocalSpec};
use crate::generate::fetch::sha256_hex;

/// The chat template used when the GGUF has none (as in the generation engine).
const FALLBACK_TEMPLATE: &str = "chatml";

fn llama(error: impl std::fmt::Display) -> JobError {
    JobError::Llama(error.to_string())
}

fn c_path(path: &Path) -> Result<CString, JobError> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| JobError::Spec(format!("{}: path holds a NUL byte", path.display())))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> JobError + '_ {
    move |source| JobError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Every conversation in the model's chat template, tokenized into one stream.
fn tokenize(
    backend: &LlamaBackend,
    model: &Path,
    conversations: &[Conversation],
) -> Result<Vec<i32>, JobError> {
    let model = LlamaModel::load_from_file(backend, model, &LlamaModelParams::default())
        .map_err(|e| JobError::Llama(format!("{}: {e}", model.display())))?;
    let template = match model.chat_template(None) {
        Ok(template) => template,
        Err(_) => LlamaChatTemplate::new(FALLBACK_TEMPLATE).map_err(llama)?,
    };
    let mut stream = Vec::new();
    for conversation in conversations {
        let messages = conversation
            .messages
            .iter()
            .map(|m| LlamaChatMessage::new(m.role.clone(), m.content.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(llama)?;
        let text = model
            .apply_chat_template(&template, &messages, false)
            .map_err(llama)?;
        let tokens = model.vocab().tokenize(text.as_bytes(), true, true);
        stream.extend(tokens.iter().map(|t| t.0));
    }
    Ok(stream)
}

/// Converts (or requantizes) a GGUF with `llama_model_quantize`.
fn quantize(
    input: &Path,
    output: &Path,
    ftype: sys::llama_ftype,
    threads: u32,
) -> Result<(), JobError> {
    let (c_in, c_out) = (c_path(input)?, c_path(output)?);
    // SAFETY: both paths are NUL-terminated strings that outlive the call; the
    // parameters start from llama.cpp's defaults (null pointers for the optional
    // tables) and are passed by pointer to a live local.
    let rc = unsafe {
        let mut params = sys::llama_model_quantize_default_params();
        params.ftype = ftype;
        params.allow_requantize = true;
        params.nthread = i32::try_from(threads).unwrap_or(1);
        sys::llama_model_quantize(c_in.as_ptr(), c_out.as_ptr(), &raw const params)
    };
    if rc == 0 && output.is_file() {
        Ok(())
    } else {
        Err(JobError::Llama(format!(
            "converting {} to {} failed (code {rc})",
            input.display(),
            output.display()
        )))
    }
}

/// The F32 copy of `model` in the cache, made on first use (named by the model's
/// SHA-256, written under a temporary name and renamed into place).
pub(super) fn f32_model(model: &Path, cache: &Path, threads: u32) -> Result<PathBuf, JobError> {
    let hash = sha256_hex(File::open(model).map_err(io(model))?).map_err(io(model))?;
    let stem = model
        .file_stem()
        .map_or_else(|| "model".to_owned(), |s| s.to_string_lossy().into_owned());
    let dir = cache.join("models").join("f32");
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let target = dir.join(format!("{stem}-{}.F32.gguf", &hash[..16]));
    if target.is_file() {
        return Ok(target);
    }
    let temp = dir.join(format!(".{stem}.{}.tmp", std::process::id()));
    quantize(model, &temp, sys::LLAMA_FTYPE_ALL_F32, threads)?;
    std::fs::rename(&temp, &target).map_err(io(&target))?;
    Ok(target)
}

/// What the optimizer callback reads: the schedule and the step in progress.
struct OptimizerState {
    schedule: Schedule,
    weight_decay: f32,
    step: AtomicU64,
}

/// llama.cpp asks for the optimizer parameters at every step.
///
/// SAFETY (for callers): `userdata` must point to a live `OptimizerState`.
unsafe extern "C" fn optimizer_params(userdata: *mut c_void) -> sys::ggml_opt_optimizer_params {
    // SAFETY: llama.cpp passes back the `get_opt_pars_ud` pointer given at
    // `llama_opt_init`: the boxed state owned by the `Trainer`, which outlives the
    // context. Defaults are filled first, so a null pointer is never dereferenced.
    unsafe {
        let mut params = sys::ggml_opt_get_default_optimizer_params(null_mut());
        if let Some(state) = userdata.cast::<OptimizerState>().as_ref() {
            params.adamw.alpha = state.schedule.rate(state.step.load(Ordering::SeqCst));
            params.adamw.wd = state.weight_decay;
        }
        params
    }
}

/// One window as a one-datapoint llama.cpp dataset (inputs, labels shifted by one).
struct WindowData(sys::ggml_opt_dataset_t);

impl WindowData {
    fn new(window: &[i32], context: usize) -> Result<Self, JobError> {
        if window.len() != context + 1 {
            return Err(JobError::Spec("a window has the wrong length".to_owned()));
        }
        let n = i64::try_from(context).map_err(llama)?;
        // SAFETY: the dataset is created with I32 data and labels of `context`
        // elements each and one datapoint; its tensors live in a host (CPU) buffer,
        // so `data` points to `context` writable i32 values, which we fill exactly.
        unsafe {
            let dataset =
                sys::ggml_opt_dataset_init(sys::GGML_TYPE_I32, sys::GGML_TYPE_I32, n, n, 1, 1);
            if dataset.is_null() {
                return Err(JobError::Llama("cannot allocate a dataset".to_owned()));
            }
            let data = (*sys::ggml_opt_dataset_data(dataset)).data.cast::<i32>();
            let labels = (*sys::ggml_opt_dataset_labels(dataset)).data.cast::<i32>();
            std::ptr::copy_nonoverlapping(window.as_ptr(), data, context);
            std::ptr::copy_nonoverlapping(window[1..].as_ptr(), labels, context);
            Ok(Self(dataset))
        }
    }
}

impl Drop for WindowData {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `ggml_opt_dataset_init` and is freed once.
        unsafe { sys::ggml_opt_dataset_free(self.0) }
    }
}

/// The F32 model, its training context and the optimizer state.
struct Trainer {
    model: *mut sys::llama_model,
    ctx: *mut sys::llama_context,
    result: sys::ggml_opt_result_t,
    scratch: sys::ggml_opt_result_t,
    state: Box<OptimizerState>,
}

impl Trainer {
    fn new(model: &Path, spec: &LocalSpec, state: OptimizerState) -> Result<Self, JobError> {
        let path = c_path(model)?;
        let state = Box::new(state);
        let threads = i32::try_from(spec.threads.max(1)).unwrap_or(1);
        // SAFETY: the path is NUL-terminated and lives across the call; parameters
        // start from llama.cpp's defaults. Null results are checked before use and
        // everything created is owned by the returned `Trainer`, freed in `Drop`.
        // `llama_opt_init` gets a pointer to the boxed state, whose address is stable
        // and which lives as long as the context.
        unsafe {
            let mut model_params = sys::llama_model_default_params();
            model_params.load_mode = sys::LLAMA_LOAD_MODE_NONE;
            let model_ptr = sys::llama_model_load_from_file(path.as_ptr(), model_params);
            if model_ptr.is_null() {
                return Err(JobError::Llama(format!("{}: cannot load", model.display())));
            }
            let mut params = sys::llama_context_default_params();
            params.n_ctx = spec.context;
            params.n_batch = spec.context;
            params.n_ubatch = spec.context;
            params.n_threads = threads;
            params.n_threads_batch = threads;
            params.type_k = sys::GGML_TYPE_F32;
            params.type_v = sys::GGML_TYPE_F32;
            params.flash_attn_type = sys::LLAMA_FLASH_ATTN_TYPE_DISABLED;
            let ctx = sys::llama_init_from_model(model_ptr, params);
            if ctx.is_null() {
                sys::llama_model_free(model_ptr);
                return Err(JobError::Llama(
                    "cannot create a training context".to_owned(),
                ));
            }
            let opt = sys::llama_opt_params {
                n_ctx_train: 0,
                param_filter: Some(sys::llama_opt_param_filter_all),
                param_filter_ud: null_mut(),
                get_opt_pars: Some(optimizer_params),
                get_opt_pars_ud: (&raw const *state).cast_mut().cast::<c_void>(),
                optimizer_type: sys::GGML_OPT_OPTIMIZER_TYPE_ADAMW,
            };
            sys::llama_opt_init(ctx, model_ptr, opt);
            Ok(Self {
                model: model_ptr,
                ctx,
                result: sys::ggml_opt_result_init(),
                scratch: sys::ggml_opt_result_init(),
                state,
            })
        }
    }

    /// One optimizer step on `window` at step index `step`; returns its loss.
    fn train_step(&mut self, window: &WindowData, step: u64) -> f64 {
        self.state.step.store(step, Ordering::SeqCst);
        let mut loss = 0.0;
        // SAFETY: context, dataset and results are live; with one datapoint and
        // `idata_split` 1 the whole dataset is a training batch of `n_ctx` tokens.
        unsafe {
            sys::ggml_opt_result_reset(self.result);
            sys::llama_opt_epoch(self.ctx, window.0, self.result, self.scratch, 1, None, None);
            sys::ggml_opt_result_loss(self.result, &raw mut loss, null_mut());
        }
        loss
    }

    /// The mean loss over `windows` without training.
    fn eval(&mut self, windows: &[WindowData]) -> Option<f64> {
        if windows.is_empty() {
            return None;
        }
        let mut loss = 0.0;
        // SAFETY: as in `train_step`; `idata_split` 0 makes every datapoint an
        // evaluation batch (forward pass only), accumulated in `result`.
        unsafe {
            sys::ggml_opt_result_reset(self.result);
            for window in windows {
                sys::llama_opt_epoch(self.ctx, window.0, self.scratch, self.result, 0, None, None);
            }
            sys::ggml_opt_result_loss(self.result, &raw mut loss, null_mut());
        }
        Some(loss)
    }

    fn save(&self, path: &Path) -> Result<(), JobError> {
        let c = c_path(path)?;
        // SAFETY: the model is live and the path NUL-terminated for the call.
        unsafe { sys::llama_model_save_to_file(self.model, c.as_ptr()) };
        if path.is_file() {
            Ok(())
        } else {
            Err(JobError::Llama(format!("{}: not written", path.display())))
        }
    }
}

impl Drop for Trainer {
    fn drop(&mut self) {
        // SAFETY: each pointer was created in `new` and is freed exactly once, the
        // context before the model it belongs to.
        unsafe {
            sys::ggml_opt_result_free(self.result);
            sys::ggml_opt_result_free(self.scratch);
            sys::llama_free(self.ctx);
            sys::llama_model_free(self.model);
        }
    }
}

/// The conversations to train on; `None` when a stop came while they were made.
fn conversations(
    source: &DatasetSource,
    spec: &LocalSpec,
    job: &mut Job,
) -> Result<Option<Vec<Conversation>>, JobError> {
    Ok(Some(match source {
        DatasetSource::Messages { path } => read_messages(path)?,
        DatasetSource::Seeds { taxonomy } => seed_conversations(taxonomy)?,
        DatasetSource::Changed(changed) => return generated::generate(changed, spec.threads, job),
    }))
}

/// Saves a checkpoint (F32, then its Q8_0 copy) and drops the previous F32 file.
fn checkpoint(
    trainer: &Trainer,
    job: &Job,
    spec: &LocalSpec,
    label: String,
    step: u64,
) -> Result<(), JobError> {
    let dir = job.run().checkpoints_dir();
    let f32 = dir.join(format!("{label}.F32.gguf"));
    let q8 = dir.join(format!("{label}.Q8_0.gguf"));
    trainer.save(&f32)?;
    quantize(&f32, &q8, sys::LLAMA_FTYPE_MOSTLY_Q8_0, spec.threads)?;
    eprintln!("taxon: saved {} and {}", f32.display(), q8.display());
    job.update_status(|s| {
        for old in &mut s.checkpoints {
            if let Some(path) = old.f32.take() {
                let _ = std::fs::remove_file(path);
            }
        }
        s.checkpoints.push(Checkpoint {
            label,
            step,
            f32: Some(f32),
            q8_0: q8,
        });
    })
}

/// Trains `spec` on `source`, writing metrics and checkpoints into `job`'s run.
pub(super) fn train(
    spec: &LocalSpec,
    source: &DatasetSource,
    job: &mut Job,
) -> Result<Outcome, JobError> {
    if let Some(problem) = spec.problem() {
        return Err(JobError::Spec(problem));
    }
    let Some(conversations) = conversations(source, spec, job)? else {
        return Ok(Outcome::Stopped);
    };
    llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
    let backend = LlamaBackend::init().map_err(llama)?;
    let tokens = tokenize(&backend, &spec.model, &conversations)?;
    let context = spec.context as usize;
    let windows: Windows = windows(&tokens, context, spec.eval_fraction)?;
    let per_epoch = windows.train.len() as u64;
    let total = per_epoch * u64::from(spec.epochs);
    eprintln!(
        "taxon: {} conversations, {} tokens: {} training and {} held-out windows of {context}",
        conversations.len(),
        tokens.len(),
        windows.train.len(),
        windows.eval.len()
    );
    job.update_status(|s| {
        s.total_steps = Some(total);
        s.epochs = Some(spec.epochs);
    })?;
    let f32 = f32_model(&spec.model, &spec.cache, spec.threads)?;
    let train_data = windows
        .train
        .iter()
        .map(|w| WindowData::new(w, context))
        .collect::<Result<Vec<_>, _>>()?;
    let eval_data = windows
        .eval
        .iter()
        .map(|w| WindowData::new(w, context))
        .collect::<Result<Vec<_>, _>>()?;
    let schedule = Schedule {
        peak: spec.learning_rate,
        floor: spec.learning_rate * spec.final_lr_fraction,
        warmup: spec.warmup_steps.unwrap_or(total / 10),
        total,
        decay: spec.decay,
    };
    let mut trainer = Trainer::new(
        &f32,
        spec,
        OptimizerState {
            schedule,
            weight_decay: spec.weight_decay,
            step: AtomicU64::new(0),
        },
    )?;
    if let Some(loss) = trainer.eval(&eval_data) {
        job.record(&MetricRecord {
            eval_loss: Some(loss),
            elapsed_seconds: job.elapsed_seconds(),
            ..MetricRecord::default()
        })?;
    }
    let (mut step, mut trained_seconds) = (0u64, 0.0f64);
    for epoch in 1..=spec.epochs {
        for window in &train_data {
            if job.stop_requested() {
                checkpoint(&trainer, job, spec, format!("step-{step}"), step)?;
                return Ok(Outcome::Stopped);
            }
            let began = Instant::now();
            let loss = trainer.train_step(window, step);
            let seconds = began.elapsed().as_secs_f64();
            trained_seconds += seconds;
            step += 1;
            job.record(&MetricRecord {
                step,
                epoch,
                train_loss: Some(loss),
                eval_loss: None,
                lr: Some(f64::from(schedule.rate(step - 1))),
                tokens_per_second: Some(context as f64 / seconds.max(1e-9)),
                elapsed_seconds: job.elapsed_seconds(),
            })?;
        }
        if let Some(loss) = trainer.eval(&eval_data) {
            job.record(&MetricRecord {
                step,
                epoch,
                eval_loss: Some(loss),
                elapsed_seconds: job.elapsed_seconds(),
                ..MetricRecord::default()
            })?;
        }
        let rate = (step as f64 * context as f64) / trained_seconds.max(1e-9);
        job.update_status(|s| s.tokens_per_second = Some(rate))?;
        checkpoint(&trainer, job, spec, format!("epoch-{epoch}"), step)?;
    }
    Ok(Outcome::Finished)
}
