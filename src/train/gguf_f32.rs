//! The F32 checkpoint written from the model's own tensors, a few megabytes at a
//! time. llama.cpp's `llama_model_save_to_file` copies each whole tensor into a
//! buffer before writing it, which raised a training process's peak memory by the
//! default model's token embedding (113 MB of F32) at every checkpoint; this
//! writes the file that saver and [`keep_base_metadata`] make together: the base
//! model's keys, the tensors in the order given, each one's data padded to the
//! file's alignment.
//!
//! [`keep_base_metadata`]: super::gguf_metadata::keep_base_metadata

use std::collections::HashSet;
use std::ffi::CStr;
use std::io::{BufWriter, Write};
use std::path::Path;

use llama_cpp_sys_2 as sys;

use crate::atomic_file::write_atomic_with;

use super::gguf_metadata::{BaseMetadata, CHUNK_BYTES, Gguf, MetadataError, write_padding};

/// Why a model's tensors are not those of the file it was loaded from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TensorMismatch {
    /// A tensor the file does not hold (by name).
    #[error("the model's tensor {0} is not in the file")]
    Extra(String),
    /// A tensor of the file the model did not give.
    #[error("the file's tensor {0} is not among the model's")]
    Missing(String),
    /// Two of the model's tensors share a name.
    #[error("the model has two tensors named {0}")]
    Duplicate(String),
    /// A tensor whose shape or type differs from the file's.
    #[error("the model's tensor {0} differs in shape or type from the file's")]
    Shape(String),
    /// A tensor whose data is not one contiguous block in a backend buffer.
    #[error("the model's tensor {0} is not contiguous in a backend buffer")]
    NotContiguous(String),
}

/// A tensor's name.
///
/// SAFETY (for callers): `tensor` must be a live ggml tensor.
unsafe fn name_of<'a>(tensor: *const sys::ggml_tensor) -> &'a CStr {
    // SAFETY: ggml keeps a tensor's name NUL-terminated inside the tensor.
    unsafe { CStr::from_ptr((*tensor).name.as_ptr()) }
}

/// Checks that `tensors` are exactly the tensors of `file` (a GGUF read with
/// [`Gguf::with_tensors`]): the same names, each once, with the same shapes and
/// types, each tensor's data contiguous in a backend buffer (so it can be read
/// as it lies).
///
/// # Safety
/// Each tensor must be a live ggml tensor.
pub(super) unsafe fn check_tensors(
    tensors: &[*const sys::ggml_tensor],
    file: &Gguf,
) -> Result<(), TensorMismatch> {
    let mut names = HashSet::with_capacity(tensors.len());
    for &tensor in tensors {
        // SAFETY: the tensor is live, as the caller promises; the file's
        // description is live as long as `file`.
        unsafe {
            let name = name_of(tensor);
            let text = || name.to_string_lossy().into_owned();
            if !names.insert(name) {
                return Err(TensorMismatch::Duplicate(text()));
            }
            let Some(described) = file.tensor(name).as_ref() else {
                return Err(TensorMismatch::Extra(text()));
            };
            let ours = &*tensor;
            if ours.type_ != described.type_ || ours.ne != described.ne {
                return Err(TensorMismatch::Shape(text()));
            }
            if ours.buffer.is_null() || !sys::ggml_is_contiguous(tensor) {
                return Err(TensorMismatch::NotContiguous(text()));
            }
        }
    }
    let ctx = file.context();
    // SAFETY: the context is live; ids run below its tensor count; names are
    // NUL-terminated strings owned by it.
    unsafe {
        for id in 0..sys::gguf_get_n_tensors(ctx) {
            let name = CStr::from_ptr(sys::gguf_get_tensor_name(ctx, id));
            if !names.contains(name) {
                return Err(TensorMismatch::Missing(name.to_string_lossy().into_owned()));
            }
        }
    }
    Ok(())
}

/// Writes one tensor's data, `chunk.len()` bytes at a time; returns its size.
///
/// SAFETY (for callers): `tensor` must be a live, contiguous ggml tensor whose
/// data is in a backend buffer.
unsafe fn write_tensor(
    tensor: *const sys::ggml_tensor,
    output: &mut impl Write,
    chunk: &mut [u8],
) -> std::io::Result<usize> {
    // SAFETY: as the caller promises: `ggml_nbytes` bytes of data, of which
    // `ggml_backend_tensor_get` copies the range asked for into `chunk`.
    let size = unsafe { sys::ggml_nbytes(tensor) };
    let mut offset = 0;
    while offset < size {
        let n = chunk.len().min(size - offset);
        // SAFETY: as above; the range lies within the tensor's data.
        unsafe { sys::ggml_backend_tensor_get(tensor, chunk.as_mut_ptr().cast(), offset, n) };
        output.write_all(&chunk[..n])?;
        offset += n;
    }
    Ok(size)
}

/// Writes `tensors`, in their order, with `base`'s metadata as a GGUF at `path`
/// (through a temporary file beside it), holding at most a few megabytes of
/// tensor data at a time.
///
/// # Safety
/// Each tensor must be a live ggml tensor, contiguous in a backend buffer, its
/// name unique among them; none may change while this runs.
pub unsafe fn write_f32(
    path: &Path,
    base: &BaseMetadata,
    tensors: &[*const sys::ggml_tensor],
) -> Result<(), MetadataError> {
    // SAFETY: the tensors are live and uniquely named, as the caller promises.
    let header = unsafe { base.describing(tensors)? };
    // SAFETY: the context is live.
    let alignment = unsafe { sys::gguf_get_alignment(header.context()) };
    let meta = header.header_bytes();
    write_atomic_with(path, |file| {
        let mut out = BufWriter::new(file);
        out.write_all(&meta)?;
        let mut chunk = vec![0_u8; CHUNK_BYTES];
        for &tensor in tensors {
            // SAFETY: as the caller promises.
            let size = unsafe { write_tensor(tensor, &mut out, &mut chunk)? };
            write_padding(&mut out, size, alignment)?;
        }
        out.flush()
    })
    .map_err(|source| MetadataError::Io {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::ptr::null_mut;

    use super::*;

    /// F32 tensors (name, values per row, rows) in a CPU backend buffer, as a
    /// model's are, filled with distinct values; freed on drop.
    struct Tensors {
        ctx: *mut sys::ggml_context,
        buffer: sys::ggml_backend_buffer_t,
        list: Vec<*const sys::ggml_tensor>,
    }

    impl Tensors {
        fn new(shapes: &[(&str, i64, i64)]) -> Self {
            // SAFETY: the context describes the tensors, the buffer holds their
            // data; each is set with exactly its own number of values.
            unsafe {
                let params = sys::ggml_init_params {
                    mem_size: 1 << 16,
                    mem_buffer: null_mut(),
                    no_alloc: true,
                };
                let ctx = sys::ggml_init(params);
                let mut list = Vec::new();
                for (name, row, rows) in shapes {
                    let t = sys::ggml_new_tensor_2d(ctx, sys::GGML_TYPE_F32, *row, *rows);
                    sys::ggml_set_name(t, CString::new(*name).unwrap().as_ptr());
                    list.push(t.cast_const());
                }
                let buffer = sys::ggml_backend_alloc_ctx_tensors_from_buft(
                    ctx,
                    sys::ggml_backend_cpu_buffer_type(),
                );
                assert!(!buffer.is_null());
                for (i, &t) in list.iter().enumerate() {
                    let count = sys::ggml_nelements(t) as usize;
                    let values: Vec<f32> =
                        (0..count).map(|j| (i * 1000 + j) as f32 * 0.25).collect();
                    sys::ggml_backend_tensor_set(
                        t.cast_mut(),
                        values.as_ptr().cast(),
                        0,
                        count * 4,
                    );
                }
                Self { ctx, buffer, list }
            }
        }
    }

    impl Drop for Tensors {
        fn drop(&mut self) {
            // SAFETY: created in `new`, freed once, the buffer first.
            unsafe {
                sys::ggml_backend_buffer_free(self.buffer);
                sys::ggml_free(self.ctx);
            }
        }
    }

    /// Writes `tensors` with llama.cpp's own GGUF writer, after the keys of the
    /// GGUF at `keys`.
    fn llama_write(path: &Path, keys: &Path, tensors: &Tensors) {
        let c_path = CString::new(path.as_os_str().as_bytes()).unwrap();
        let c_keys = CString::new(keys.as_os_str().as_bytes()).unwrap();
        // SAFETY: the contexts are created, filled, written and freed here.
        unsafe {
            let params = sys::gguf_init_params {
                no_alloc: true,
                ctx: null_mut(),
            };
            let source = sys::gguf_init_from_file(c_keys.as_ptr(), params);
            let gguf = sys::gguf_init_empty();
            sys::gguf_set_kv(gguf, source);
            for &t in &tensors.list {
                sys::gguf_add_tensor(gguf, t);
            }
            assert!(sys::gguf_write_to_file(gguf, c_path.as_ptr(), false));
            sys::gguf_free(gguf);
            sys::gguf_free(source);
        }
    }

    /// A GGUF with keys only: an architecture and a chat template.
    fn write_keys(path: &Path) {
        let c_path = CString::new(path.as_os_str().as_bytes()).unwrap();
        // SAFETY: the context is created, filled, written and freed here.
        unsafe {
            let gguf = sys::gguf_init_empty();
            sys::gguf_set_val_str(gguf, c"general.architecture".as_ptr(), c"llama".as_ptr());
            sys::gguf_set_val_str(gguf, c"tokenizer.chat_template".as_ptr(), c"{{x}}".as_ptr());
            assert!(sys::gguf_write_to_file(gguf, c_path.as_ptr(), false));
            sys::gguf_free(gguf);
        }
    }

    #[test]
    fn the_tensors_are_written_as_llama_cpps_gguf_writer_writes_them() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys.gguf");
        write_keys(&keys);
        // 13 values a row: every tensor's data needs padding.
        let tensors = Tensors::new(&[
            ("output_norm.weight", 13, 1),
            ("blk.0.attn_q.weight", 13, 7),
        ]);
        let (ours, theirs) = (dir.path().join("ours.gguf"), dir.path().join("theirs.gguf"));
        let base = BaseMetadata::read(&keys).unwrap();
        // SAFETY: the tensors are live, contiguous and uniquely named.
        unsafe { write_f32(&ours, &base, &tensors.list).unwrap() };
        llama_write(&theirs, &keys, &tensors);
        assert_eq!(
            std::fs::read(&ours).unwrap(),
            std::fs::read(&theirs).unwrap()
        );
        let file = Gguf::with_tensors(&ours).unwrap();
        // SAFETY: the tensors are live.
        assert_eq!(unsafe { check_tensors(&tensors.list, &file) }, Ok(()));
    }

    #[test]
    fn a_model_whose_tensors_differ_from_its_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys.gguf");
        write_keys(&keys);
        let path = dir.path().join("model.gguf");
        let tensors = Tensors::new(&[("a.weight", 4, 2), ("b.weight", 4, 3)]);
        llama_write(&path, &keys, &tensors);
        let file = Gguf::with_tensors(&path).unwrap();
        let other = Tensors::new(&[("a.weight", 4, 2), ("c.weight", 4, 3), ("b.weight", 2, 6)]);
        let check = |tensors: &[*const sys::ggml_tensor]| {
            // SAFETY: the tensors are live.
            unsafe { check_tensors(tensors, &file) }
        };
        assert_eq!(
            check(&other.list[..1]),
            Err(TensorMismatch::Missing("b.weight".into()))
        );
        assert_eq!(
            check(&other.list[..2]),
            Err(TensorMismatch::Extra("c.weight".into()))
        );
        assert_eq!(
            check(&[other.list[0], other.list[2]]),
            Err(TensorMismatch::Shape("b.weight".into()))
        );
        assert_eq!(
            check(&[tensors.list[0], tensors.list[0]]),
            Err(TensorMismatch::Duplicate("a.weight".into()))
        );
        assert_eq!(check(&[tensors.list[1], tensors.list[0]]), Ok(()));
    }
}
