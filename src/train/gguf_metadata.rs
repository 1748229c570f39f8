//! GGUF metadata of checkpoints. llama.cpp's model saver writes only the metadata
//! it derives from the loaded model, and the optimizer has set the model's
//! `<arch>.context_length` to the training context (256, say, for a model made for
//! 8,192), so llama.cpp and other tools would cut a checkpoint's context; it also
//! leaves out the chat template, the licence and the names. A saved checkpoint
//! therefore gets the metadata of the model it was trained from, the tensors (what
//! training changed) staying as saved.

use std::collections::BTreeMap;
use std::ffi::{CStr, CString, c_char};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr::null_mut;

use llama_cpp_sys_2 as sys;

use crate::atomic_file::write_atomic_with;

/// Why a GGUF's metadata could not be read or rewritten.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// The file is not a GGUF llama.cpp can read.
    #[error("{path}: not a readable GGUF")]
    Unreadable {
        /// The file.
        path: String,
    },
    /// Reading or writing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

const ALIGNMENT_KEY: &CStr = c"general.alignment";

/// A GGUF file's header, read without its tensor data; with [`Gguf::with_tensors`]
/// also a ggml context describing its tensors (their shapes, not their data).
pub(super) struct Gguf(*mut sys::gguf_context, *mut sys::ggml_context);

impl Gguf {
    fn open(path: &Path) -> Result<Self, MetadataError> {
        Self::read(path, false)
    }

    /// The header of the GGUF at `path` and the description of its tensors.
    pub(super) fn with_tensors(path: &Path) -> Result<Self, MetadataError> {
        Self::read(path, true)
    }

    fn read(path: &Path, tensors: bool) -> Result<Self, MetadataError> {
        let unreadable = || MetadataError::Unreadable {
            path: path.display().to_string(),
        };
        let c_path = CString::new(path.as_os_str().as_bytes()).map_err(|_| unreadable())?;
        let mut described: *mut sys::ggml_context = null_mut();
        let params = sys::gguf_init_params {
            no_alloc: true,
            ctx: if tensors {
                &raw mut described
            } else {
                null_mut()
            },
        };
        // SAFETY: the path is NUL-terminated and outlives the call, as does the
        // local the ggml context is written to; a null result is checked, and the
        // contexts are freed once, in `Drop`.
        let ctx = unsafe { sys::gguf_init_from_file(c_path.as_ptr(), params) };
        if ctx.is_null() {
            Err(unreadable())
        } else {
            Ok(Self(ctx, described))
        }
    }

    /// A GGUF with no keys and no tensors, to fill.
    pub(super) fn empty() -> Self {
        // SAFETY: a fresh context, freed once, in `Drop`.
        Self(unsafe { sys::gguf_init_empty() }, null_mut())
    }

    /// The GGUF context, live as long as `self`.
    pub(super) fn context(&self) -> *mut sys::gguf_context {
        self.0
    }

    /// The tensor `name` as [`Gguf::with_tensors`] described it (null when there is
    /// no such tensor or no description); live as long as `self`.
    pub(super) fn tensor(&self, name: &CStr) -> *mut sys::ggml_tensor {
        if self.1.is_null() {
            return null_mut();
        }
        // SAFETY: the ggml context is live and the name NUL-terminated.
        unsafe { sys::ggml_get_tensor(self.1, name.as_ptr()) }
    }

    /// The header as it is written to a file: keys, tensor descriptions and the
    /// padding before the data.
    pub(super) fn header_bytes(&self) -> Vec<u8> {
        // SAFETY: the context is live; the buffer is sized by `gguf_get_meta_size`
        // for the call that fills it.
        unsafe {
            let mut header = vec![0_u8; sys::gguf_get_meta_size(self.0)];
            sys::gguf_get_meta_data(self.0, header.as_mut_ptr().cast());
            header
        }
    }

    /// Makes the `general.alignment` key, where there is one, say the alignment
    /// this context lays its tensors out with (it takes the key's value only
    /// when it reads a file).
    fn state_own_alignment(&self) {
        // SAFETY: the context is live and the key NUL-terminated.
        unsafe {
            if sys::gguf_find_key(self.0, ALIGNMENT_KEY.as_ptr()) >= 0 {
                let alignment = u32::try_from(sys::gguf_get_alignment(self.0)).unwrap_or(u32::MAX);
                sys::gguf_set_val_u32(self.0, ALIGNMENT_KEY.as_ptr(), alignment);
            }
        }
    }

    /// The value of key `id`, as text (an array by its element type and length).
    fn value(&self, id: i64) -> String {
        // SAFETY: `id` is below `gguf_get_n_kv`, and each getter is called for the
        // type the file declares for that key; strings are NUL-terminated and owned
        // by the context.
        unsafe {
            let text = |p: *const c_char| CStr::from_ptr(p).to_string_lossy().into_owned();
            match sys::gguf_get_kv_type(self.0, id) {
                sys::GGUF_TYPE_UINT8 => sys::gguf_get_val_u8(self.0, id).to_string(),
                sys::GGUF_TYPE_INT8 => sys::gguf_get_val_i8(self.0, id).to_string(),
                sys::GGUF_TYPE_UINT16 => sys::gguf_get_val_u16(self.0, id).to_string(),
                sys::GGUF_TYPE_INT16 => sys::gguf_get_val_i16(self.0, id).to_string(),
                sys::GGUF_TYPE_UINT32 => sys::gguf_get_val_u32(self.0, id).to_string(),
                sys::GGUF_TYPE_INT32 => sys::gguf_get_val_i32(self.0, id).to_string(),
                sys::GGUF_TYPE_FLOAT32 => sys::gguf_get_val_f32(self.0, id).to_string(),
                sys::GGUF_TYPE_UINT64 => sys::gguf_get_val_u64(self.0, id).to_string(),
                sys::GGUF_TYPE_INT64 => sys::gguf_get_val_i64(self.0, id).to_string(),
                sys::GGUF_TYPE_FLOAT64 => sys::gguf_get_val_f64(self.0, id).to_string(),
                sys::GGUF_TYPE_BOOL => sys::gguf_get_val_bool(self.0, id).to_string(),
                sys::GGUF_TYPE_STRING => text(sys::gguf_get_val_str(self.0, id)),
                sys::GGUF_TYPE_ARRAY => format!(
                    "[{} x {}]",
                    sys::gguf_get_arr_n(self.0, id),
                    text(sys::gguf_type_name(sys::gguf_get_arr_type(self.0, id)))
                ),
                other => format!("<type {other}>"),
            }
        }
    }
}

impl Drop for Gguf {
    fn drop(&mut self) {
        // SAFETY: the contexts were created by `gguf_init_from_file` (or
        // `gguf_init_empty`) and are freed once.
        unsafe {
            sys::gguf_free(self.0);
            if !self.1.is_null() {
                sys::ggml_free(self.1);
            }
        }
    }
}

/// The metadata of the GGUF at `path`, key by key, each value as text (arrays by
/// their element type and length).
pub fn read(path: &Path) -> Result<BTreeMap<String, String>, MetadataError> {
    let gguf = Gguf::open(path)?;
    // SAFETY: ids run below the context's key count; keys are NUL-terminated
    // strings owned by the context.
    let n = unsafe { sys::gguf_get_n_kv(gguf.0) };
    Ok((0..n)
        .map(|id| {
            let key = unsafe { CStr::from_ptr(sys::gguf_get_key(gguf.0, id)) };
            (key.to_string_lossy().into_owned(), gguf.value(id))
        })
        .collect())
}

/// The metadata of the model a run trains, read once when it is loaded: checkpoints
/// keep it even after that file is gone (a resumed run's checkpoint can be pruned
/// while the run goes on). It is held as a GGUF header of the keys alone, the
/// form they take in a file (1.6 MB for the default model, whose parsed keys take
/// twice that for the whole run), and parsed again for each checkpoint.
pub struct BaseMetadata(Vec<u8>);

impl BaseMetadata {
    /// Reads the metadata of the GGUF at `path`.
    pub fn read(path: &Path) -> Result<Self, MetadataError> {
        Gguf::open(path).map(|file| Self::of(&file))
    }

    /// The metadata of a GGUF already read.
    pub(super) fn of(file: &Gguf) -> Self {
        let keys = Gguf::empty();
        // SAFETY: both contexts are live.
        unsafe { sys::gguf_set_kv(keys.0, file.0) };
        Self(keys.header_bytes())
    }

    /// A new GGUF holding these keys, in their order, and the tensors described
    /// by `tensors`, laid out one after the other in the file's alignment (which
    /// `general.alignment`, if the base has that key, then states, as
    /// [`keep_base_metadata`] makes it).
    ///
    /// # Safety
    /// Each tensor must be a live ggml tensor, its name unique among them.
    pub(super) unsafe fn describing(
        &self,
        tensors: &[*const sys::ggml_tensor],
    ) -> Result<Gguf, MetadataError> {
        let source = self.parsed()?;
        let output = Gguf::empty();
        // SAFETY: both contexts are live; the tensors are, as the caller promises,
        // and each name is added once.
        unsafe {
            sys::gguf_set_kv(output.0, source.0);
            output.state_own_alignment();
            for &tensor in tensors {
                sys::gguf_add_tensor(output.0, tensor);
            }
        }
        Ok(output)
    }

    /// The keys, parsed.
    fn parsed(&self) -> Result<Gguf, MetadataError> {
        let params = sys::gguf_init_params {
            no_alloc: true,
            ctx: null_mut(),
        };
        // SAFETY: the buffer is live and of the given size for the call; the
        // context copies what it keeps, is checked non-null and freed in `Drop`.
        let ctx =
            unsafe { sys::gguf_init_from_buffer(self.0.as_ptr().cast(), self.0.len(), params) };
        if ctx.is_null() {
            return Err(MetadataError::Unreadable {
                path: "the base model's metadata".to_owned(),
            });
        }
        Ok(Gguf(ctx, null_mut()))
    }
}

/// Rewrites the GGUF at `saved` with the metadata of `base`, the model it was
/// trained from: its keys and values become `base`'s (the saver's defaults for
/// other architectures go, the chat template and licence come back), and the
/// tensors are copied unchanged. The new file replaces `saved`
/// through a temporary file beside it.
pub fn keep_base_metadata(saved: &Path, base: &BaseMetadata) -> Result<(), MetadataError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| MetadataError::Io { path, source }
    };
    let target = Gguf::open(saved)?;
    let source = base.parsed()?;
    // SAFETY: both contexts are live; keys are NUL-terminated strings copied
    // before `target` changes; `gguf_set_kv` copies `source`'s keys into `target`.
    let data_offset = unsafe {
        let data_offset = sys::gguf_get_data_offset(target.0);
        let own_keys: Vec<CString> = (0..sys::gguf_get_n_kv(target.0))
            .map(|id| CStr::from_ptr(sys::gguf_get_key(target.0, id)).to_owned())
            .filter(|key| sys::gguf_find_key(source.0, key.as_ptr()) < 0)
            .collect();
        for key in &own_keys {
            sys::gguf_remove_key(target.0, key.as_ptr());
        }
        sys::gguf_set_kv(target.0, source.0);
        data_offset
    };
    // The tensors keep the saved file's layout, so the alignment key must say so.
    target.state_own_alignment();
    let meta = target.header_bytes();
    write_atomic_with(saved, |output| {
        let mut input = File::open(saved)?;
        output.write_all(&meta)?;
        input.seek(SeekFrom::Start(data_offset as u64))?;
        std::io::copy(&mut input, output)?;
        Ok(())
    })
    .map_err(io(saved))
}

/// Bytes of tensor data held at a time while a GGUF is written.
pub(super) const CHUNK_BYTES: usize = 4 << 20;

/// Writes the zeros that pad `size` bytes of tensor data to `alignment`.
pub(super) fn write_padding(
    output: &mut impl Write,
    size: usize,
    alignment: usize,
) -> std::io::Result<()> {
    let padding = size.next_multiple_of(alignment) - size;
    std::io::copy(&mut std::io::repeat(0).take(padding as u64), output)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a GGUF with no tensors whose metadata is `llama.context_length`.
    fn write_gguf(path: &Path, context_length: u32) {
        let name = CString::new(path.as_os_str().as_bytes()).unwrap();
        // SAFETY: the context is created, filled, written and freed here; the key
        // and the path are NUL-terminated.
        unsafe {
            let ctx = sys::gguf_init_empty();
            sys::gguf_set_val_u32(ctx, c"llama.context_length".as_ptr(), context_length);
            assert!(sys::gguf_write_to_file(ctx, name.as_ptr(), false));
            sys::gguf_free(ctx);
        }
    }

    #[test]
    fn the_base_metadata_is_kept_after_its_file_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let (base, saved) = (dir.path().join("base.gguf"), dir.path().join("saved.gguf"));
        write_gguf(&base, 8192);
        write_gguf(&saved, 256);
        let metadata = BaseMetadata::read(&base).unwrap();
        std::fs::remove_file(&base).unwrap();
        keep_base_metadata(&saved, &metadata).unwrap();
        assert_eq!(read(&saved).unwrap()["llama.context_length"], "8192");
    }

    #[test]
    fn a_file_that_is_not_gguf_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.gguf");
        std::fs::write(&path, b"not a model").unwrap();
        let error = read(&path).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("model.gguf: not a readable GGUF")
        );
        assert!(matches!(
            BaseMetadata::read(&path),
            Err(MetadataError::Unreadable { .. })
        ));
        assert_eq!(std::fs::read(&path).unwrap(), b"not a model");
    }
}
