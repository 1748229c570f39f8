//! llama.cpp's optimizer through `llama-cpp-sys-2`'s raw bindings (`llama-cpp-2`
//! does not wrap it): an F32 model in a training context (the context size a
//! multiple of 256 with one batch and micro-batch of the whole window, weights
//! loaded without mmap), AdamW with the learning rate of every step from the
//! schedule, and the loss taken only on the trained tokens.
//!
//! How the loss is masked: llama.cpp turns each label into a one-hot row and
//! ggml's cross-entropy is `-(1/rows) Σ label·log softmax(logits)`; its backward
//! pass is `(softmax(logits) - label) / rows`, which is not zero for a zeroed row,
//! and a label of -1 is written into the previous row (or aborts). So the mask is
//! applied inside the graph, through the scheduler's evaluation callback: before
//! the cross-entropy node runs, the one-hot entry of every untrained row is
//! cleared (the loss then sums only trained rows); after its backward node runs,
//! the gradient rows of untrained tokens are zeroed and those of trained tokens
//! scaled by `rows / trained`, so the loss and its gradient are the mean over the
//! trained tokens alone. llama.cpp installs a context's evaluation callback on its
//! scheduler when it decodes, and `llama_opt_init` replaces the scheduler, so one
//! token is decoded after it; every step checks that both nodes were seen.
//!
//! Checkpoints: llama.h has no accessor for a model's tensors, but
//! `llama_opt_init` hands each F32 tensor it may train to the parameter filter,
//! which records it (every one is trained, as with llama.cpp's
//! `llama_opt_param_filter_all`; llama.cpp itself still leaves out the token
//! embedding). When those are exactly the tensors of the file the model was
//! loaded from, a checkpoint is written from them a few megabytes at a time
//! ([`crate::train::gguf_f32`]); otherwise (another architecture) llama.cpp's
//! saver writes it, which holds a whole tensor in memory, and the run log says
//! so once.
//!
//! An epoch is one `llama_opt_epoch` call over all its windows, as llama.cpp's
//! own `llama-finetune` does; its per-window callback reports each step, and a
//! stop asked for there makes the abort callback end the remaining windows at
//! their first node, so a stop falls between two steps.
//!
//! Every `unsafe` block says what it relies on.

use std::cell::Cell;
use std::collections::HashSet;
use std::ffi::{CString, c_void};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr::{NonNull, null_mut};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use llama_cpp_sys_2 as sys;

use crate::train::engine::JobError;
use crate::train::gguf_f32::{check_tensors, write_f32};
use crate::train::gguf_metadata::{BaseMetadata, Gguf, keep_base_metadata};
use crate::train::schedule::Schedule;
use crate::train::windows::Window;

/// A path as the C string llama.cpp takes.
pub(super) fn c_path(path: &Path) -> Result<CString, JobError> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| JobError::Spec(format!("{}: path holds a NUL byte", path.display())))
}

/// One window (trained, or held out) as the callback reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct StepLoss {
    /// The mean loss over its trained tokens.
    pub loss: f64,
    /// How many tokens the loss was taken over.
    pub loss_tokens: usize,
    /// Seconds the step took.
    pub seconds: f64,
}

/// A held-out measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct EvalLoss {
    /// The mean loss over every trained token of the held-out windows.
    pub loss: f64,
    /// How many tokens that is.
    pub loss_tokens: usize,
}

/// What an evaluation came to.
pub(super) enum Evaluation {
    /// Nothing is held out.
    NoWindows,
    /// A stop was asked for before the last window.
    Stopped,
    /// The held-out loss.
    Loss(EvalLoss),
}

type Observer = dyn FnMut(StepLoss) -> bool;

/// What the callbacks share with the trainer. Only the training thread touches
/// it: llama.cpp calls these callbacks on the thread that called it. (The compute
/// threads read only the abort flag, which lives apart.)
struct Shared {
    schedule: Schedule,
    weight_decay: f32,
    /// The schedule's step of the window in progress.
    step: u64,
    /// Label ids and masks of the windows of the running call.
    windows: Vec<(Vec<i32>, Vec<bool>)>,
    /// The window in progress.
    next: usize,
    /// `-Σ log p` over the trained tokens of the window in progress.
    loss_sum: f64,
    /// Whether the labels and the gradient of the window in progress were masked.
    labels_masked: bool,
    gradient_masked: bool,
    /// Held-out sums of the running evaluation.
    eval_sum: f64,
    eval_tokens: usize,
    started: Instant,
    observer: Option<NonNull<Observer>>,
    stopping: bool,
    failure: Option<String>,
    /// Read by the compute threads: ends the remaining windows of a call.
    abort: *const AtomicBool,
    /// The model's tensors `llama_opt_init` gave the parameter filter, in the
    /// order it gave them (a tensor shared by layers, as often as it is shared).
    tensors: Vec<*const sys::ggml_tensor>,
}

thread_local! {
    /// The trainer whose `llama_opt_epoch` call is running on this thread (the
    /// epoch callback gets no user data).
    static ACTIVE: Cell<*mut Shared> = const { Cell::new(null_mut()) };
}

impl Shared {
    /// Makes the remaining windows of the call end at their first node.
    fn stop(&mut self) {
        self.stopping = true;
        // SAFETY: the flag is owned by the trainer, which outlives this state's use.
        unsafe { (*self.abort).store(true, Ordering::SeqCst) };
    }

    fn fail(&mut self, message: String) {
        if self.failure.is_none() {
            self.failure = Some(message);
        }
        self.stop();
    }
}

/// llama.cpp asks for the optimizer parameters at every step.
///
/// SAFETY (for callers): `userdata` must point to a live `Shared`.
unsafe extern "C" fn optimizer_params(userdata: *mut c_void) -> sys::ggml_opt_optimizer_params {
    // SAFETY: llama.cpp passes back the `get_opt_pars_ud` pointer given at
    // `llama_opt_init`: the trainer's `Shared`, which outlives the context.
    // Defaults are filled first, so a null pointer is never dereferenced.
    unsafe {
        let mut params = sys::ggml_opt_get_default_optimizer_params(null_mut());
        if let Some(shared) = userdata.cast::<Shared>().as_ref() {
            params.adamw.alpha = shared.schedule.rate(shared.step);
            params.adamw.wd = shared.weight_decay;
        }
        params
    }
}

/// The parameter filter: trains every tensor llama.cpp offers, and records it.
///
/// SAFETY (for callers): `userdata` must point to a live `Shared`.
unsafe extern "C" fn train_and_record(
    tensor: *const sys::ggml_tensor,
    userdata: *mut c_void,
) -> bool {
    // SAFETY: the `param_filter_ud` given at `llama_opt_init`: the trainer's
    // `Shared`, which outlives the context, on the thread that called it.
    if let Some(shared) = unsafe { userdata.cast::<Shared>().as_mut() }
        && !tensor.is_null()
    {
        shared.tensors.push(tensor);
    }
    true
}

/// Ends the remaining computations of a call once a stop was asked for.
///
/// SAFETY (for callers): `userdata` must point to a live `AtomicBool`.
unsafe extern "C" fn abort_requested(userdata: *mut c_void) -> bool {
    // SAFETY: the `abort_callback_data` given at context creation: the trainer's
    // abort flag, only ever shared, and atomic (compute threads call this).
    unsafe {
        userdata
            .cast::<AtomicBool>()
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::SeqCst))
    }
}

/// The scheduler's evaluation callback: masks the cross-entropy and its gradient.
///
/// SAFETY (for callers): `t` must be a live tensor and `userdata` a live `Shared`.
unsafe extern "C" fn on_node(t: *mut sys::ggml_tensor, ask: bool, userdata: *mut c_void) -> bool {
    // SAFETY: the scheduler passes a node of the graph it computes, on the thread
    // that called it, and the `cb_eval_user_data` given at context creation (the
    // trainer's `Shared`); no other reference to it is live during the call. The
    // tensors are F32 and contiguous in host memory (checked), with `rows` rows
    // of `ne[0]` values.
    unsafe {
        let Some(shared) = userdata.cast::<Shared>().as_mut() else {
            return !ask;
        };
        let op = (*t).op;
        let interesting =
            op == sys::GGML_OP_CROSS_ENTROPY_LOSS || op == sys::GGML_OP_CROSS_ENTROPY_LOSS_BACK;
        if !interesting || shared.stopping {
            return !ask;
        }
        let Some((labels, trained)) = shared.windows.get(shared.next).cloned() else {
            shared.fail("the loss ran outside a known window".to_owned());
            return false;
        };
        if op == sys::GGML_OP_CROSS_ENTROPY_LOSS && ask {
            match mask_labels((*t).src[1], &labels, &trained) {
                Ok(()) => shared.labels_masked = true,
                Err(message) => shared.fail(message),
            }
            return true;
        }
        if ask {
            return true;
        }
        let count = trained.iter().filter(|&&t| t).count();
        if op == sys::GGML_OP_CROSS_ENTROPY_LOSS {
            let rows = trained.len() as f64;
            let value = f64::from(*(*t).data.cast::<f32>());
            shared.loss_sum = value * rows;
            return true;
        }
        match mask_gradient(t, &trained, count) {
            Ok(()) => shared.gradient_masked = true,
            Err(message) => shared.fail(message),
        }
        true
    }
}

/// The F32 rows of a host tensor, checked to be `rows` rows.
///
/// SAFETY (for callers): `t` must be a live tensor not aliased elsewhere.
unsafe fn host_rows<'a>(t: *mut sys::ggml_tensor, rows: usize) -> Result<&'a mut [f32], String> {
    // SAFETY: as the caller promises; the checks make the slice in bounds.
    unsafe {
        let tensor = &*t;
        let width = usize::try_from(tensor.ne[0]).unwrap_or(0);
        let host = !tensor.buffer.is_null() && sys::ggml_backend_buffer_is_host(tensor.buffer);
        let contiguous = tensor.nb[0] == 4 && tensor.nb[1] == 4 * width;
        if tensor.type_ != sys::GGML_TYPE_F32 || !host || !contiguous || tensor.data.is_null() {
            return Err("the loss tensors are not F32 rows in host memory".to_owned());
        }
        if usize::try_from(sys::ggml_nrows(t)).ok() != Some(rows) {
            return Err(format!(
                "the loss has {} rows for a {rows}-token window",
                sys::ggml_nrows(t)
            ));
        }
        Ok(std::slice::from_raw_parts_mut(
            tensor.data.cast::<f32>(),
            width * rows,
        ))
    }
}

/// Clears the one-hot entry of each untrained row, after checking that every row
/// holds the expected label (which ties the window in progress to the data).
///
/// SAFETY (for callers): `labels` must be a live tensor not aliased elsewhere.
unsafe fn mask_labels(
    labels: *mut sys::ggml_tensor,
    ids: &[i32],
    trained: &[bool],
) -> Result<(), String> {
    // SAFETY: as the caller promises.
    let values = unsafe { host_rows(labels, trained.len())? };
    let width = values.len() / trained.len().max(1);
    for (row, (&id, &keep)) in ids.iter().zip(trained).enumerate() {
        let at = row * width + usize::try_from(id).unwrap_or(usize::MAX);
        match values.get_mut(at) {
            Some(value) if *value == 1.0 => {
                if !keep {
                    *value = 0.0;
                }
            }
            _ => return Err(format!("row {row} of the labels is not token {id}")),
        }
    }
    Ok(())
}

/// Zeroes the gradient rows of untrained tokens and scales the others so that the
/// gradient is that of the mean over the trained tokens.
///
/// SAFETY (for callers): `gradient` must be a live tensor not aliased elsewhere.
unsafe fn mask_gradient(
    gradient: *mut sys::ggml_tensor,
    trained: &[bool],
    count: usize,
) -> Result<(), String> {
    // SAFETY: as the caller promises.
    let values = unsafe { host_rows(gradient, trained.len())? };
    let width = values.len() / trained.len().max(1);
    let scale = trained.len() as f32 / count.max(1) as f32;
    for (row, &keep) in values.chunks_exact_mut(width).zip(trained) {
        if keep {
            row.iter_mut().for_each(|v| *v *= scale);
        } else {
            row.fill(0.0);
        }
    }
    Ok(())
}

/// Called by `llama_opt_epoch` after each window.
extern "C" fn on_window(
    train: bool,
    _opt: sys::ggml_opt_context_t,
    _dataset: sys::ggml_opt_dataset_t,
    _result: sys::ggml_opt_result_t,
    _batch: i64,
    _batches: i64,
    _started: i64,
) {
    let pointer = ACTIVE.with(Cell::get);
    // SAFETY: `ACTIVE` is set to the running trainer's `Shared` for the duration
    // of its `llama_opt_epoch` call on this thread, and cleared after; nothing
    // else references it while llama.cpp runs this callback.
    let Some(shared) = (unsafe { pointer.as_mut() }) else {
        return;
    };
    let finished = shared.next;
    shared.next += 1;
    let masked = std::mem::take(&mut shared.labels_masked);
    let gradient = std::mem::take(&mut shared.gradient_masked);
    if shared.stopping {
        return;
    }
    let Some(count) = shared
        .windows
        .get(finished)
        .map(|(_, trained)| trained.iter().filter(|&&t| t).count())
    else {
        return;
    };
    if !masked || (train && !gradient) {
        shared.fail(
            "the loss mask did not apply (llama.cpp's evaluation callback did not run)".to_owned(),
        );
        return;
    }
    if !train {
        shared.eval_sum += shared.loss_sum;
        shared.eval_tokens += count;
    }
    let now = Instant::now();
    let step = StepLoss {
        loss: shared.loss_sum / count.max(1) as f64,
        loss_tokens: count,
        seconds: now.duration_since(shared.started).as_secs_f64(),
    };
    shared.started = now;
    if train {
        shared.step += 1;
    }
    let go_on = match shared.observer {
        // SAFETY: the observer was set from a live `&mut` for this call only and
        // is cleared before that borrow ends; it is not otherwise in use.
        Some(mut observer) => {
            let call = std::panic::AssertUnwindSafe(|| unsafe { observer.as_mut()(step) });
            std::panic::catch_unwind(call).unwrap_or(false)
        }
        None => true,
    };
    if !go_on {
        shared.stop();
    }
}

/// Windows as a llama.cpp dataset (inputs, and labels shifted by one).
struct Dataset(sys::ggml_opt_dataset_t);

impl Dataset {
    fn new(windows: &[Window]) -> Result<Self, JobError> {
        let context = windows.first().map_or(0, |w| w.trained.len());
        if context == 0 || windows.iter().any(|w| w.tokens.len() != context + 1) {
            return Err(JobError::Spec(
                "the windows have unequal lengths".to_owned(),
            ));
        }
        let n = i64::try_from(context).map_err(|e| JobError::Llama(e.to_string()))?;
        let count = i64::try_from(windows.len()).map_err(|e| JobError::Llama(e.to_string()))?;
        // SAFETY: the dataset holds `count` datapoints of `context` I32 values and
        // as many labels, in host buffers; each copy writes one datapoint's slot.
        unsafe {
            let dataset =
                sys::ggml_opt_dataset_init(sys::GGML_TYPE_I32, sys::GGML_TYPE_I32, n, n, count, 1);
            if dataset.is_null() {
                return Err(JobError::Llama("cannot allocate a dataset".to_owned()));
            }
            let data = (*sys::ggml_opt_dataset_data(dataset)).data.cast::<i32>();
            let labels = (*sys::ggml_opt_dataset_labels(dataset)).data.cast::<i32>();
            for (i, window) in windows.iter().enumerate() {
                let at = i * context;
                std::ptr::copy_nonoverlapping(window.inputs().as_ptr(), data.add(at), context);
                std::ptr::copy_nonoverlapping(window.labels().as_ptr(), labels.add(at), context);
            }
            Ok(Self(dataset))
        }
    }
}

impl Drop for Dataset {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `ggml_opt_dataset_init` and is freed once.
        unsafe { sys::ggml_opt_dataset_free(self.0) }
    }
}

/// Sets [`ACTIVE`] for the life of a call.
struct Active;

impl Active {
    fn set(shared: *mut Shared) -> Self {
        ACTIVE.with(|a| a.set(shared));
        Self
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        ACTIVE.with(|a| a.set(null_mut()));
    }
}

/// The F32 model, its training context and the optimizer.
pub(super) struct Trainer {
    /// The metadata of the GGUF the model was loaded from, which checkpoints keep.
    base: BaseMetadata,
    /// The model's tensors, in the saver's order, when they are exactly those of
    /// that GGUF (checkpoints are then written from them); `None` leaves
    /// checkpoints to llama.cpp's saver.
    tensors: Option<Vec<*const sys::ggml_tensor>>,
    model: *mut sys::llama_model,
    ctx: *mut sys::llama_context,
    result: sys::ggml_opt_result_t,
    scratch: sys::ggml_opt_result_t,
    shared: *mut Shared,
    abort: *mut AtomicBool,
}

impl Trainer {
    /// Loads `model` (F32) for training `context`-token windows on `threads`
    /// threads with `schedule`.
    pub(super) fn new(
        model: &Path,
        context: u32,
        threads: u32,
        schedule: Schedule,
        weight_decay: f32,
    ) -> Result<Self, JobError> {
        let path = c_path(model)?;
        // The file's header, read once: its keys for checkpoints, and its tensors
        // to check the model's against.
        let file = Gguf::with_tensors(model)?;
        let base = BaseMetadata::of(&file);
        let threads = i32::try_from(threads.max(1)).unwrap_or(1);
        let abort = Box::into_raw(Box::new(AtomicBool::new(false)));
        let shared = Box::into_raw(Box::new(Shared {
            schedule,
            weight_decay,
            step: 0,
            windows: Vec::new(),
            next: 0,
            loss_sum: 0.0,
            labels_masked: false,
            gradient_masked: false,
            eval_sum: 0.0,
            eval_tokens: 0,
            started: Instant::now(),
            observer: None,
            stopping: false,
            failure: None,
            abort,
            tensors: Vec::new(),
        }));
        // SAFETY: the path is NUL-terminated and lives across the call; parameters
        // start from llama.cpp's defaults. Null results are checked before use and
        // everything created is owned by the returned `Trainer`, freed in `Drop`
        // (the shared state last, after the context that points to it).
        unsafe {
            let fail = |message: String| {
                drop(Box::from_raw(shared));
                drop(Box::from_raw(abort));
                Err(JobError::Llama(message))
            };
            let mut model_params = sys::llama_model_default_params();
            model_params.load_mode = sys::LLAMA_LOAD_MODE_NONE;
            let model_ptr = sys::llama_model_load_from_file(path.as_ptr(), model_params);
            if model_ptr.is_null() {
                return fail(format!("{}: cannot load", model.display()));
            }
            let mut params = sys::llama_context_default_params();
            params.n_ctx = context;
            params.n_batch = context;
            params.n_ubatch = context;
            params.n_threads = threads;
            params.n_threads_batch = threads;
            params.type_k = sys::GGML_TYPE_F32;
            params.type_v = sys::GGML_TYPE_F32;
            params.flash_attn_type = sys::LLAMA_FLASH_ATTN_TYPE_DISABLED;
            params.cb_eval = Some(on_node);
            params.cb_eval_user_data = shared.cast::<c_void>();
            params.abort_callback = Some(abort_requested);
            params.abort_callback_data = abort.cast::<c_void>();
            let ctx = sys::llama_init_from_model(model_ptr, params);
            if ctx.is_null() {
                sys::llama_model_free(model_ptr);
                return fail("cannot create a training context".to_owned());
            }
            let opt = sys::llama_opt_params {
                n_ctx_train: 0,
                param_filter: Some(train_and_record),
                param_filter_ud: shared.cast::<c_void>(),
                get_opt_pars: Some(optimizer_params),
                get_opt_pars_ud: shared.cast::<c_void>(),
                optimizer_type: sys::GGML_OPT_OPTIMIZER_TYPE_ADAMW,
            };
            sys::llama_opt_init(ctx, model_ptr, opt);
            let mut trainer = Self {
                tensors: None,
                base,
                model: model_ptr,
                ctx,
                result: sys::ggml_opt_result_init(),
                scratch: sys::ggml_opt_result_init(),
                shared,
                abort,
            };
            let offered = std::mem::take(&mut (*shared).tensors);
            trainer.tensors = model_tensors(offered, &file, model);
            // Installs the evaluation callback on the scheduler `llama_opt_init`
            // made (llama.cpp sets it when it builds a decoding graph). A training
            // context decodes whole windows only.
            let bos = sys::llama_vocab_bos(sys::llama_model_get_vocab(model_ptr)).max(0);
            let mut window = vec![bos; context as usize];
            let n = i32::try_from(window.len()).unwrap_or(i32::MAX);
            let rc = sys::llama_decode(ctx, sys::llama_batch_get_one(window.as_mut_ptr(), n));
            if rc != 0 {
                return Err(JobError::Llama(format!(
                    "cannot prepare the training context (decode returned {rc})"
                )));
            }
            Ok(trainer)
        }
    }

    /// Runs one `llama_opt_epoch` over `windows` (`train`: as training steps,
    /// else as evaluation), the shared state armed for it.
    fn run(
        &mut self,
        windows: &[Window],
        train: bool,
        observer: Option<&mut (dyn FnMut(StepLoss) -> bool + '_)>,
    ) -> Result<(), JobError> {
        if windows.is_empty() {
            return Ok(());
        }
        let dataset = Dataset::new(windows)?;
        let split = if train { windows.len() as i64 } else { 0 };
        let callback: sys::ggml_opt_epoch_callback = Some(on_window);
        // SAFETY: the shared state is only reached through its raw pointer, by
        // these lines and by llama.cpp's callbacks during the call (none of them
        // overlap); the observer's lifetime is erased only while `ACTIVE` and the
        // call last, and it is cleared before this function returns.
        unsafe {
            let shared = &mut *self.shared;
            shared.windows = windows
                .iter()
                .map(|w| (w.labels().to_vec(), w.trained.clone()))
                .collect();
            shared.next = 0;
            shared.stopping = false;
            (*self.abort).store(false, Ordering::SeqCst);
            shared.eval_sum = 0.0;
            shared.eval_tokens = 0;
            shared.started = Instant::now();
            shared.observer = observer.map(|o| {
                let raw: *mut (dyn FnMut(StepLoss) -> bool + '_) = o;
                let erased: *mut Observer = std::mem::transmute(raw);
                NonNull::new_unchecked(erased)
            });
            let _active = Active::set(self.shared);
            sys::ggml_opt_result_reset(self.result);
            sys::ggml_opt_result_reset(self.scratch);
            let (train_callback, eval_callback) = if train {
                (callback, None)
            } else {
                (None, callback)
            };
            sys::llama_opt_epoch(
                self.ctx,
                dataset.0,
                self.result,
                self.scratch,
                split,
                train_callback,
                eval_callback,
            );
            let shared = &mut *self.shared;
            shared.observer = None;
            shared.windows.clear();
            (*self.abort).store(false, Ordering::SeqCst);
            match shared.failure.take() {
                Some(message) => Err(JobError::Llama(message)),
                None => Ok(()),
            }
        }
    }

    /// Trains one pass over `windows` starting at schedule step `first_step`,
    /// calling `on_step` after each window; a `false` from it stops the pass
    /// before the next window. Returns how many windows were trained.
    pub(super) fn train(
        &mut self,
        windows: &[Window],
        first_step: u64,
        on_step: &mut dyn FnMut(StepLoss) -> bool,
    ) -> Result<usize, JobError> {
        // SAFETY: no callback runs outside `run`, so the state is not in use.
        unsafe { (*self.shared).step = first_step };
        let mut trained = 0;
        let mut count = |step: StepLoss| {
            trained += 1;
            on_step(step)
        };
        self.run(windows, true, Some(&mut count))?;
        Ok(trained)
    }

    /// The loss over `windows` without training, asking `go_on` after each window
    /// (a `false` ends the evaluation there, so a stop acts between its batches).
    pub(super) fn evaluate(
        &mut self,
        windows: &[Window],
        go_on: &mut dyn FnMut() -> bool,
    ) -> Result<Evaluation, JobError> {
        if windows.is_empty() {
            return Ok(Evaluation::NoWindows);
        }
        let mut observe = |_: StepLoss| go_on();
        self.run(windows, false, Some(&mut observe))?;
        // SAFETY: as in `train`.
        let (stopped, sum, tokens) = unsafe {
            let shared = &*self.shared;
            (shared.stopping, shared.eval_sum, shared.eval_tokens)
        };
        if stopped {
            return Ok(Evaluation::Stopped);
        }
        Ok(Evaluation::Loss(EvalLoss {
            loss: sum / tokens.max(1) as f64,
            loss_tokens: tokens,
        }))
    }

    /// Writes the model as a GGUF with the metadata of the file it was loaded from.
    pub(super) fn save(&self, path: &Path) -> Result<(), JobError> {
        if let Some(tensors) = &self.tensors {
            // SAFETY: the tensors belong to the live model and were checked to be
            // the loaded file's, uniquely named and contiguous; nothing trains
            // while the trainer is borrowed here.
            unsafe { write_f32(path, &self.base, tensors)? };
            return Ok(());
        }
        let c = c_path(path)?;
        // SAFETY: the model is live and the path NUL-terminated for the call.
        unsafe { sys::llama_model_save_to_file(self.model, c.as_ptr()) };
        if !path.is_file() {
            return Err(JobError::Llama(format!("{}: not written", path.display())));
        }
        keep_base_metadata(path, &self.base)?;
        Ok(())
    }
}

/// The tensors `llama_opt_init` offered, each once, in the order first offered
/// (the saver's), when they are exactly those of `file`, the GGUF at `model`
/// (otherwise the run's log says why, once in the process).
///
/// SAFETY (for callers): the tensors must belong to a live model.
unsafe fn model_tensors(
    offered: Vec<*const sys::ggml_tensor>,
    file: &Gguf,
    model: &Path,
) -> Option<Vec<*const sys::ggml_tensor>> {
    let mut seen = HashSet::with_capacity(offered.len());
    let tensors: Vec<_> = offered.into_iter().filter(|t| seen.insert(*t)).collect();
    // SAFETY: as the caller promises.
    match unsafe { check_tensors(&tensors, file) } {
        Ok(()) => Some(tensors),
        Err(mismatch) => {
            // Each phase loads its model: the run's log says it once.
            static SAID: Once = Once::new();
            SAID.call_once(|| {
                eprintln!(
                    "taxon: checkpoints are written by llama.cpp's saver, which holds a \
                     whole tensor in memory: {mismatch} ({})",
                    model.display()
                );
            });
            None
        }
    }
}

impl Drop for Trainer {
    fn drop(&mut self) {
        // SAFETY: each pointer was created in `new` and is freed exactly once, the
        // context before the model it belongs to and the state it points to.
        unsafe {
            sys::ggml_opt_result_free(self.result);
            sys::ggml_opt_result_free(self.scratch);
            sys::llama_free(self.ctx);
            sys::llama_model_free(self.model);
            drop(Box::from_raw(self.shared));
            drop(Box::from_raw(self.abort));
        }
    }
}
