//! The Q8_0 copy of an F32 checkpoint for the generation engine, written a few
//! megabytes at a time. llama.cpp's `llama_model_quantize` maps its input and
//! converts a tensor at once, which raised a training process's peak memory by
//! the default model's token embedding (113 MB of F32) and its Q8_0 form (30 MB)
//! at every checkpoint; this writes the same file, reading each tensor in chunks
//! of rows and converting them with ggml's own `ggml_quantize_chunk`.
//!
//! What llama.cpp does for `LLAMA_FTYPE_MOSTLY_Q8_0` (`src/llama-quant.cpp`), and
//! so what this does: the input's keys with `general.quantization_version` and
//! `general.file_type` set last and the split keys removed; the tensors ordered
//! by layer (`blk.N.`, the others first), then by name; a tensor of two or more
//! dimensions whose name ends in `weight`, save norms and the few kinds llama.cpp
//! keeps, becomes Q8_0 (F16 when its rows are not whole 32-value blocks), the
//! others are copied; each tensor's data padded to the file's alignment; the
//! values read and written checked as llama.cpp checks them (no NaN, no
//! infinity).

use std::ffi::{CStr, CString};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

use llama_cpp_sys_2 as sys;

use crate::atomic_file::write_atomic_with;

use super::gguf_metadata::{CHUNK_BYTES, Gguf, MetadataError, write_padding};

/// Why a Q8_0 copy could not be written.
#[derive(Debug, thiserror::Error)]
pub enum QuantizeError {
    /// The input could not be read as a GGUF.
    #[error(transparent)]
    Gguf(#[from] MetadataError),
    /// A tensor to convert is not F32 (checkpoints are).
    #[error("{path}: tensor {tensor} is {kind}, not F32")]
    NotF32 {
        /// The input file.
        path: String,
        /// The tensor.
        tensor: String,
        /// Its type.
        kind: String,
    },
    /// A tensor holds values that are not finite (training diverged).
    #[error("{path}: tensor {tensor} holds NaN or infinite values")]
    InvalidValues {
        /// The input file.
        path: String,
        /// The tensor.
        tensor: String,
    },
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// What stops the writing of the output: its own I/O, or a problem of the input.
enum Failure {
    Write(std::io::Error),
    Input(QuantizeError),
}

impl From<std::io::Error> for Failure {
    fn from(source: std::io::Error) -> Self {
        Self::Write(source)
    }
}

/// llama.cpp's `LLAMA_FTYPE_MOSTLY_Q8_0` and ggml's `GGML_QNT_VERSION`.
const FILE_TYPE_Q8_0: u32 = 7;
const QUANTIZATION_VERSION: u32 = 2;

const SPLIT_KEYS: [&CStr; 3] = [c"split.no", c"split.count", c"split.tensors.count"];

/// Name parts of tensors llama.cpp never quantizes (`tensor_allows_quantization`).
const KEPT_PARTS: &[&str] = &[
    "_norm.weight",
    "ffn_gate_inp.weight",
    "ffn_gate_tid2eid.weight",
    "altup",
    "laurel",
    "per_layer_model_proj",
    "ssm_conv1d",
    "shortconv.conv.weight",
    "indexer.k_proj.weight",
    "indexer.q_proj.weight",
    "time_mix_first.weight",
    "time_mix_w0.weight",
    "time_mix_w1.weight",
    "time_mix_w2.weight",
    "time_mix_v0.weight",
    "time_mix_v1.weight",
    "time_mix_v2.weight",
    "time_mix_a0.weight",
    "time_mix_a1.weight",
    "time_mix_a2.weight",
    "time_mix_g1.weight",
    "time_mix_g2.weight",
    "time_mix_decay_w1.weight",
    "time_mix_decay_w2.weight",
    "time_mix_lerp_fused.weight",
    "attn_rel_b.weight",
    ".position_embd",
    "sam.pos_embd",
    "sam.neck.",
    "sam.net_",
    ".rel_pos",
    ".patch_embd",
    ".patch_merger",
    "a.rvq.codebook",
    "mm.a.code_embd",
];

/// Whole names of tensors llama.cpp never quantizes.
const KEPT_NAMES: &[&str] = &["position_embd.weight", "token_types.weight"];

/// Name parts llama.cpp also keeps in a `glm5-next` model.
const KEPT_PARTS_GLM5_NEXT: &[&str] = &[
    "hc_",
    "indexer.attn_q_b",
    "indexer.attn_k",
    "indexer.proj",
    "indexer_compressor_gate",
    "indexer_compressor_ape",
    "ssm_f_a.weight",
    "ssm_f_b.weight",
    "ssm_g_a.weight",
    "ssm_g_b.weight",
    "ssm_beta.weight",
    "attn_kv_a_mqa.weight",
    "attn_k_b.weight",
    "attn_v_b.weight",
];

/// Whether llama.cpp quantizes a tensor of `dimensions` named `name` in a model
/// of architecture `arch`.
fn quantized(name: &str, dimensions: i32, arch: &str) -> bool {
    let glm5 = if arch == "glm5-next" {
        KEPT_PARTS_GLM5_NEXT
    } else {
        &[]
    };
    dimensions >= 2
        && name.ends_with("weight")
        && !KEPT_NAMES.contains(&name)
        && !KEPT_PARTS
            .iter()
            .chain(glm5)
            .any(|part| name.contains(part))
}

/// The type llama.cpp gives a quantized tensor whose rows hold `row` values.
fn target_type(row: i64) -> sys::ggml_type {
    if row % 32 == 0 {
        sys::GGML_TYPE_Q8_0
    } else {
        sys::GGML_TYPE_F16
    }
}

/// The order of llama.cpp's tensor map: by the layer of a `blk.N.` name (others
/// first), then by name.
fn order_key(name: &CStr) -> (i64, &[u8]) {
    let bytes = name.to_bytes();
    let layer = bytes
        .strip_prefix(b"blk.")
        .and_then(|rest| {
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
        })
        .unwrap_or(-1);
    (layer, bytes)
}

/// One tensor of the input, as it is copied or converted.
struct Tensor {
    name: CString,
    /// Its description in the input (shape and type).
    info: *const sys::ggml_tensor,
    /// Where its data starts in the input file.
    offset: u64,
    /// Its type in the output.
    target: sys::ggml_type,
}

/// A buffer of 4-byte-aligned storage, reused from chunk to chunk.
#[derive(Default)]
struct Buffer(Vec<f32>);

impl Buffer {
    /// `len` bytes of it (grown as needed).
    fn bytes(&mut self, len: usize) -> &mut [u8] {
        let floats = len.div_ceil(4);
        if self.0.len() < floats {
            self.0.resize(floats, 0.0);
        }
        // SAFETY: the vector holds at least `len` initialised bytes, and any byte
        // pattern is a valid f32, so writing bytes into it is sound.
        unsafe { std::slice::from_raw_parts_mut(self.0.as_mut_ptr().cast::<u8>(), len) }
    }
}

/// The input's tensors in llama.cpp's order, with their output types.
fn tensors(input: &Gguf, path: &str) -> Result<Vec<Tensor>, QuantizeError> {
    let ctx = input.context();
    // SAFETY: the context is live; ids run below its tensor count; names are
    // NUL-terminated strings owned by it; tensor descriptions come from its ggml
    // context, checked non-null before use.
    let mut tensors = unsafe {
        let data = sys::gguf_get_data_offset(ctx);
        let arch_key = sys::gguf_find_key(ctx, c"general.architecture".as_ptr());
        let arch = if arch_key >= 0 && sys::gguf_get_kv_type(ctx, arch_key) == sys::GGUF_TYPE_STRING
        {
            CStr::from_ptr(sys::gguf_get_val_str(ctx, arch_key))
                .to_string_lossy()
                .into_owned()
        } else {
            String::new()
        };
        (0..sys::gguf_get_n_tensors(ctx))
            .map(|id| {
                let name = CStr::from_ptr(sys::gguf_get_tensor_name(ctx, id)).to_owned();
                let info = input.tensor(&name);
                let Some(described) = info.as_ref() else {
                    return Err(QuantizeError::Gguf(MetadataError::Unreadable {
                        path: path.to_owned(),
                    }));
                };
                let text = name.to_string_lossy();
                let target = if quantized(&text, sys::ggml_n_dims(info), &arch) {
                    if described.type_ != sys::GGML_TYPE_F32 {
                        return Err(QuantizeError::NotF32 {
                            path: path.to_owned(),
                            tensor: text.into_owned(),
                            kind: CStr::from_ptr(sys::ggml_type_name(described.type_))
                                .to_string_lossy()
                                .into_owned(),
                        });
                    }
                    target_type(described.ne[0])
                } else {
                    described.type_
                };
                Ok(Tensor {
                    offset: (data + sys::gguf_get_tensor_offset(ctx, id)) as u64,
                    name,
                    info,
                    target,
                })
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    tensors.sort_by(|a, b| order_key(&a.name).cmp(&order_key(&b.name)));
    Ok(tensors)
}

/// The output's header: the input's keys with the file type of a Q8_0 model, and
/// the tensors with their new types.
fn header(input: &Gguf, tensors: &[Tensor]) -> (Gguf, Vec<u8>) {
    let output = Gguf::empty();
    let ctx = output.context();
    // SAFETY: both contexts are live; keys are NUL-terminated; each tensor
    // description is live (owned by `input`) and its name is unique in the input,
    // so it is added once; a new type is set only where its block size divides
    // the rows (`target_type`).
    unsafe {
        sys::gguf_set_kv(ctx, input.context());
        sys::gguf_set_val_u32(
            ctx,
            c"general.quantization_version".as_ptr(),
            QUANTIZATION_VERSION,
        );
        sys::gguf_set_val_u32(ctx, c"general.file_type".as_ptr(), FILE_TYPE_Q8_0);
        for key in SPLIT_KEYS {
            sys::gguf_remove_key(ctx, key.as_ptr());
        }
        for tensor in tensors {
            sys::gguf_add_tensor(ctx, tensor.info);
            if tensor.target != (*tensor.info).type_ {
                sys::gguf_set_tensor_type(ctx, tensor.name.as_ptr(), tensor.target);
            }
        }
    }
    let meta = output.header_bytes();
    (output, meta)
}

/// Reads, checks, converts and writes one tensor, a chunk of rows at a time.
fn copy_tensor(
    tensor: &Tensor,
    input: &File,
    output: &mut impl Write,
    buffers: &mut (Buffer, Buffer),
    path: &str,
) -> Result<usize, Failure> {
    let invalid = || {
        Failure::Input(QuantizeError::InvalidValues {
            path: path.to_owned(),
            tensor: tensor.name.to_string_lossy().into_owned(),
        })
    };
    // SAFETY: the description is live (owned by the input's context).
    let (source, row, rows) = unsafe {
        let info = &*tensor.info;
        (info.type_, info.ne[0], sys::ggml_nrows(tensor.info))
    };
    // SAFETY: pure functions of a type and a row length.
    let (source_row, target_row) = unsafe {
        (
            sys::ggml_row_size(source, row),
            sys::ggml_row_size(tensor.target, row),
        )
    };
    let per_chunk = (CHUNK_BYTES / source_row.max(1)).max(1);
    let rows = usize::try_from(rows).unwrap_or(0);
    let mut written = 0;
    for first in (0..rows).step_by(per_chunk) {
        let count = per_chunk.min(rows - first);
        let read = buffers.0.bytes(count * source_row);
        input
            .read_exact_at(read, tensor.offset + (first * source_row) as u64)
            .map_err(|source| {
                Failure::Input(QuantizeError::Io {
                    path: path.to_owned(),
                    source,
                })
            })?;
        // SAFETY: `read` holds `count` whole rows of the source type.
        if !unsafe { sys::ggml_validate_row_data(source, read.as_ptr().cast(), read.len()) } {
            return Err(invalid());
        }
        let chunk: &[u8] = if tensor.target == source {
            read
        } else {
            let converted = buffers.1.bytes(count * target_row);
            // SAFETY: `read` holds `count` rows of `row` F32 values (4-byte
            // aligned, see `Buffer`), `converted` room for as many rows of the
            // target type; the target's block size divides `row`.
            let size = unsafe {
                sys::ggml_quantize_chunk(
                    tensor.target,
                    read.as_ptr().cast::<f32>(),
                    converted.as_mut_ptr().cast(),
                    0,
                    count as i64,
                    row,
                    std::ptr::null(),
                )
            };
            let converted = &converted[..size];
            // SAFETY: `converted` holds whole rows of the target type.
            let valid = unsafe {
                sys::ggml_validate_row_data(
                    tensor.target,
                    converted.as_ptr().cast(),
                    converted.len(),
                )
            };
            if !valid {
                return Err(invalid());
            }
            converted
        };
        output.write_all(chunk)?;
        written += chunk.len();
    }
    Ok(written)
}

/// Writes the Q8_0 copy of the F32 GGUF at `input` to `output`, through a
/// temporary file beside it, reading at most a few megabytes at a time.
pub fn write_q8_0(input: &Path, output: &Path) -> Result<(), QuantizeError> {
    let shown = input.display().to_string();
    let source = Gguf::with_tensors(input)?;
    let tensors = tensors(&source, &shown)?;
    let (described, meta) = header(&source, &tensors);
    // SAFETY: the context is live.
    let alignment = unsafe { sys::gguf_get_alignment(described.context()) };
    let file = File::open(input).map_err(|source| QuantizeError::Io {
        path: shown.clone(),
        source,
    })?;
    write_atomic_with(output, |out| {
        let mut out = BufWriter::new(out);
        out.write_all(&meta)?;
        let mut buffers = (Buffer::default(), Buffer::default());
        for tensor in &tensors {
            let size = copy_tensor(tensor, &file, &mut out, &mut buffers, &shown)?;
            write_padding(&mut out, size, alignment)?;
        }
        out.flush()?;
        Ok(())
    })
    .map_err(|failure| match failure {
        Failure::Write(source) => QuantizeError::Io {
            path: output.display().to_string(),
            source,
        },
        Failure::Input(error) => error,
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::ffi::OsStrExt;
    use std::ptr::null_mut;

    use super::*;

    /// Writes a llama GGUF holding F32 `tensors` (name, row length, values).
    fn write_gguf(path: &Path, tensors: &[(&str, i64, Vec<f32>)]) {
        let c_path = CString::new(path.as_os_str().as_bytes()).unwrap();
        // SAFETY: the contexts are created, filled, written and freed here; each
        // tensor is allocated in a context large enough for all of them, and gets
        // exactly its own number of values.
        unsafe {
            let params = sys::ggml_init_params {
                mem_size: 1 << 20,
                mem_buffer: null_mut(),
                no_alloc: false,
            };
            let ctx = sys::ggml_init(params);
            let gguf = sys::gguf_init_empty();
            sys::gguf_set_val_str(gguf, c"general.architecture".as_ptr(), c"llama".as_ptr());
            for (name, row, values) in tensors {
                let rows = values.len() as i64 / row;
                let t = match rows {
                    1 => sys::ggml_new_tensor_1d(ctx, sys::GGML_TYPE_F32, *row),
                    _ => sys::ggml_new_tensor_2d(ctx, sys::GGML_TYPE_F32, *row, rows),
                };
                sys::ggml_set_name(t, CString::new(*name).unwrap().as_ptr());
                let data = (*t).data.cast::<f32>();
                std::ptr::copy_nonoverlapping(values.as_ptr(), data, values.len());
                sys::gguf_add_tensor(gguf, t);
            }
            assert!(sys::gguf_write_to_file(gguf, c_path.as_ptr(), false));
            sys::gguf_free(gguf);
            sys::ggml_free(ctx);
        }
    }

    /// The type and the data of tensor `name` of the GGUF at `path`.
    fn tensor_of(path: &Path, name: &CStr) -> (sys::ggml_type, Vec<u8>) {
        let gguf = Gguf::with_tensors(path).unwrap();
        // SAFETY: the context is live and the tensor exists (checked).
        let (kind, offset, size) = unsafe {
            let ctx = gguf.context();
            let id = sys::gguf_find_tensor(ctx, name.as_ptr());
            assert!(id >= 0, "{name:?} is in {}", path.display());
            let offset = sys::gguf_get_data_offset(ctx) + sys::gguf_get_tensor_offset(ctx, id);
            let kind = sys::gguf_get_tensor_type(ctx, id);
            (kind, offset, sys::gguf_get_tensor_size(ctx, id))
        };
        let bytes = std::fs::read(path).unwrap();
        (kind, bytes[offset..offset + size].to_vec())
    }

    fn values(count: usize) -> Vec<f32> {
        (0..count).map(|i| (i as f32 * 0.37).sin()).collect()
    }

    #[test]
    fn weights_become_q8_0_and_norms_are_copied() {
        let dir = tempfile::tempdir().unwrap();
        let (input, output) = (dir.path().join("in.gguf"), dir.path().join("out.gguf"));
        let weight = values(64 * 3);
        write_gguf(
            &input,
            &[
                ("blk.0.attn_norm.weight", 64, values(64)),
                ("blk.0.attn_q.weight", 64, weight.clone()),
                ("blk.0.odd.weight", 48, values(48 * 2)),
            ],
        );
        write_q8_0(&input, &output).unwrap();
        let mut q8_0 = vec![0_u8; 3 * 68];
        // SAFETY: 3 rows of 64 values into room for 3 Q8_0 rows of 64.
        let size = unsafe {
            sys::ggml_quantize_chunk(
                sys::GGML_TYPE_Q8_0,
                weight.as_ptr(),
                q8_0.as_mut_ptr().cast(),
                0,
                3,
                64,
                std::ptr::null(),
            )
        };
        assert_eq!(size, q8_0.len());
        assert_eq!(
            tensor_of(&output, c"blk.0.attn_q.weight"),
            (sys::GGML_TYPE_Q8_0, q8_0)
        );
        let norm = tensor_of(&input, c"blk.0.attn_norm.weight");
        assert_eq!(tensor_of(&output, c"blk.0.attn_norm.weight"), norm);
        let (odd, _) = tensor_of(&output, c"blk.0.odd.weight");
        assert_eq!(odd, sys::GGML_TYPE_F16);
        let keys = crate::train::gguf_metadata::read(&output).unwrap();
        assert_eq!(keys["general.file_type"], "7");
        assert_eq!(keys["general.architecture"], "llama");
    }

    #[test]
    fn a_tensor_holding_nan_is_refused_by_name_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let (input, output) = (dir.path().join("in.gguf"), dir.path().join("out.gguf"));
        let mut weight = values(64 * 2);
        weight[70] = f32::NAN;
        write_gguf(&input, &[("blk.3.ffn_up.weight", 64, weight)]);
        let error = write_q8_0(&input, &output).unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("in.gguf: tensor blk.3.ffn_up.weight holds NaN or infinite values"),
            "{error}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["in.gguf"]);
    }

    #[test]
    fn the_tensors_llama_cpp_quantizes_are_quantized() {
        assert!(quantized("token_embd.weight", 2, "llama"));
        assert!(quantized("blk.0.attn_q.weight", 2, "llama"));
        assert!(quantized("output.weight", 2, "llama"));
        assert!(!quantized("blk.0.attn_norm.weight", 1, "llama"));
        assert!(!quantized("blk.0.attn_q.bias", 2, "llama"));
        assert!(!quantized("blk.0.ffn_gate_inp.weight", 2, "llama"));
        assert!(!quantized("position_embd.weight", 2, "gpt2"));
        assert!(quantized("blk.0.attn_k_b.weight", 2, "llama"));
        assert!(!quantized("blk.0.attn_k_b.weight", 2, "glm5-next"));
        assert_eq!(target_type(576), sys::GGML_TYPE_Q8_0);
        assert_eq!(target_type(100), sys::GGML_TYPE_F16);
    }

    #[test]
    fn tensors_are_ordered_by_layer_then_name() {
        let mut names: Vec<CString> = [
            "blk.10.attn_q.weight",
            "token_embd.weight",
            "blk.2.ffn_up.weight",
            "blk.2.attn_q.weight",
            "output_norm.weight",
        ]
        .iter()
        .map(|n| CString::new(*n).unwrap())
        .collect();
        names.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
        let names: Vec<_> = names.iter().map(|n| n.to_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "output_norm.weight",
                "token_embd.weight",
                "blk.2.attn_q.weight",
                "blk.2.ffn_up.weight",
                "blk.10.attn_q.weight",
            ]
        );
    }
}
