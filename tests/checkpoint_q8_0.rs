//! The Q8_0 copy of a checkpoint (`taxon::train::gguf_q8_0`): the very file
//! llama.cpp's quantizer makes, written in a few megabytes of memory, on the
//! default model's F32 conversion (whose token embedding alone is 113 MB of F32).
//!
//! One test in its own binary: it reads this process's peak memory, which other
//! tests running beside it would raise.

#[path = "support/train_runs.rs"]
mod train_runs;

use llama_cpp_sys_2 as sys;
use taxon::train::gguf_q8_0::write_q8_0;
use train_runs::{assert_same_file, file_names, llama_quantize, model, peak_growth_kib};

#[test]
fn the_q8_0_copy_is_llama_cpps_file_written_in_a_few_megabytes() {
    let model = model();
    let dir = tempfile::tempdir().unwrap();
    let f32 = dir.path().join("model.F32.gguf");
    llama_quantize(&model, &f32, sys::LLAMA_FTYPE_ALL_F32);
    let ours = dir.path().join("ours.Q8_0.gguf");
    let growth = peak_growth_kib(|| write_q8_0(&f32, &ours).unwrap());
    // llama_model_quantize maps the 113 MB token embedding and converts it at once.
    assert!(
        growth < 32 * 1024,
        "writing the Q8_0 copy raised the peak by {growth} KiB"
    );
    let reference = dir.path().join("llama.Q8_0.gguf");
    llama_quantize(&f32, &reference, sys::LLAMA_FTYPE_MOSTLY_Q8_0);
    assert_same_file(&ours, &reference);
    assert_eq!(
        file_names(dir.path()),
        ["llama.Q8_0.gguf", "model.F32.gguf", "ours.Q8_0.gguf"],
        "no temporary file is left"
    );
    eprintln!("measured: the Q8_0 copy raised the peak by {growth} KiB");
}
