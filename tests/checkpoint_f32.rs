//! The F32 checkpoint (`taxon::train::gguf_f32`): written from a model's tensors
//! in a backend buffer a few megabytes at a time, where llama.cpp's saver copies each whole tensor
//! first (the default model's token embedding alone is 113 MB of F32); the file
//! is the one llama.cpp writes.
//!
//! One test in its own binary: it reads this process's peak memory, which other
//! tests running beside it would raise.

#[path = "support/train_runs.rs"]
mod train_runs;

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::ptr::null_mut;

use llama_cpp_sys_2 as sys;
use taxon::train::gguf_f32::write_f32;
use taxon::train::gguf_metadata::BaseMetadata;
use train_runs::{
    assert_same_file, file_names, llama_quantize, llama_save, model, peak_growth_kib,
};

/// The tensors of the GGUF at `path` read into a CPU backend buffer, as
/// llama.cpp loads a model's (in the file's order); freed on drop.
struct Loaded {
    gguf: *mut sys::gguf_context,
    ctx: *mut sys::ggml_context,
    buffer: sys::ggml_backend_buffer_t,
    tensors: Vec<*const sys::ggml_tensor>,
}

impl Loaded {
    fn read(path: &Path) -> Self {
        let c_path = CString::new(path.as_os_str().as_bytes()).unwrap();
        let file = std::fs::File::open(path).unwrap();
        let mut ctx: *mut sys::ggml_context = null_mut();
        let params = sys::gguf_init_params {
            no_alloc: true,
            ctx: &raw mut ctx,
        };
        // SAFETY: the path and the local the context is written to outlive the
        // call; results are checked; ids run below the tensor count, each name is
        // one of the ggml context's tensors, and each gets its own bytes.
        unsafe {
            let gguf = sys::gguf_init_from_file(c_path.as_ptr(), params);
            assert!(
                !gguf.is_null() && !ctx.is_null(),
                "{} reads",
                path.display()
            );
            let buffer = sys::ggml_backend_alloc_ctx_tensors_from_buft(
                ctx,
                sys::ggml_backend_cpu_buffer_type(),
            );
            assert!(!buffer.is_null());
            let data = sys::gguf_get_data_offset(gguf);
            let tensors = (0..sys::gguf_get_n_tensors(gguf))
                .map(|id| {
                    let tensor = sys::ggml_get_tensor(ctx, sys::gguf_get_tensor_name(gguf, id));
                    assert!(!tensor.is_null());
                    let mut bytes = vec![0_u8; sys::ggml_nbytes(tensor)];
                    let offset = data + sys::gguf_get_tensor_offset(gguf, id);
                    file.read_exact_at(&mut bytes, offset as u64).unwrap();
                    sys::ggml_backend_tensor_set(tensor, bytes.as_ptr().cast(), 0, bytes.len());
                    tensor.cast_const()
                })
                .collect();
            Self {
                gguf,
                ctx,
                buffer,
                tensors,
            }
        }
    }
}

impl Drop for Loaded {
    fn drop(&mut self) {
        // SAFETY: each was created in `read` and is freed once, the buffer first.
        unsafe {
            sys::ggml_backend_buffer_free(self.buffer);
            sys::gguf_free(self.gguf);
            sys::ggml_free(self.ctx);
        }
    }
}

#[test]
fn the_f32_checkpoint_is_llama_cpps_file_written_in_a_few_megabytes() {
    let model = model();
    let dir = tempfile::tempdir().unwrap();
    let f32 = dir.path().join("model.F32.gguf");
    llama_quantize(&model, &f32, sys::LLAMA_FTYPE_ALL_F32);
    let base = BaseMetadata::read(&f32).unwrap();
    let ours = dir.path().join("ours.F32.gguf");
    let growth = {
        let loaded = Loaded::read(&f32);
        // SAFETY: the tensors are live (owned by `loaded`), contiguous in a backend
        // buffer, and uniquely named.
        peak_growth_kib(|| unsafe { write_f32(&ours, &base, &loaded.tensors).unwrap() })
    };
    // llama.cpp's saver copies the 113 MB token embedding whole before writing it.
    assert!(
        growth < 32 * 1024,
        "writing the F32 checkpoint raised the peak by {growth} KiB"
    );
    // Same keys, tensors and order as the file the tensors came from: the very
    // bytes llama.cpp's quantizer wrote.
    assert_same_file(&ours, &f32);
    // llama.cpp loads it (and saves it back).
    llama_save(&ours, &dir.path().join("llama.F32.gguf"));
    assert_eq!(
        file_names(dir.path()),
        ["llama.F32.gguf", "model.F32.gguf", "ours.F32.gguf"],
        "no temporary file is left"
    );
    eprintln!("measured: the F32 checkpoint raised the peak by {growth} KiB");
}
