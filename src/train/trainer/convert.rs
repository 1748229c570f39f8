//! The base model converted to F32 for training with `llama_model_quantize`
//! (once, cached by its SHA-256). Checkpoints get their Q8_0 copy from
//! [`crate::train::gguf_q8_0`], which needs far less memory.

use std::fs::File;
use std::path::{Path, PathBuf};

use llama_cpp_sys_2 as sys;

use super::llama::c_path;
use crate::generate::fetch::sha256_hex;
use crate::train::engine::JobError;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> JobError + '_ {
    move |source| JobError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Converts the GGUF at `input` to F32 at `output`.
fn to_f32(input: &Path, output: &Path, threads: u32) -> Result<(), JobError> {
    let (c_in, c_out) = (c_path(input)?, c_path(output)?);
    // SAFETY: both paths are NUL-terminated strings that outlive the call; the
    // parameters start from llama.cpp's defaults (null pointers for the optional
    // tables) and are passed by pointer to a live local.
    let rc = unsafe {
        let mut params = sys::llama_model_quantize_default_params();
        params.ftype = sys::LLAMA_FTYPE_ALL_F32;
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
pub(crate) fn f32_model(model: &Path, cache: &Path, threads: u32) -> Result<PathBuf, JobError> {
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
    to_f32(model, &temp, threads)?;
    std::fs::rename(&temp, &target).map_err(io(&target))?;
    Ok(target)
}
