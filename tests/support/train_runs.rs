#![allow(dead_code)] // each test binary uses only some of these helpers
//! Shared pieces of the training tests: a tiny real dataset from the sample
//! taxonomy, the default model from the cache, and specs for the script that
//! replays instructlab-training's outputs over time.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use taxon::dirs::AppDirs;
use taxon::generate::fetch::{fetch_default_model, python_interpreter};
use taxon::taxonomy::model::Leaf;
use taxon::taxonomy::validate::Options;
use taxon::train::dataset::{Conversation, leaf_conversations};
use taxon::train::registry::{Registry, Run, RunStatus};
use taxon::train::spec::{EngineSpec, ExternalSpec, RunSpec};

/// The sample leaf the tiny dataset comes from.
pub const LEAF: &str = "compositional_skills/linguistics/spelling/british_and_american_spelling";

/// The default model from the cache (fetched with pip when missing); without it
/// the tests fail, they never skip.
pub fn model() -> PathBuf {
    match fetch_default_model(&AppDirs::from_env(), &python_interpreter()) {
        Ok(fetched) => fetched.path().to_owned(),
        Err(error) => panic!(
            "these tests need the default model (`taxon model fetch`, or TAXON_CACHE_DIR \
             pointing at a cache that holds it): {error}"
        ),
    }
}

fn sample_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-taxonomy")
}

/// The first three seed examples of a sample leaf (about 600 tokens): two
/// 256-token training windows and one held out.
pub fn tiny_conversations() -> Vec<Conversation> {
    let leaf = Leaf::read(&sample_root(), PathBuf::from(LEAF), &Options::default());
    let mut all = leaf_conversations(leaf.report.qna.as_ref().expect("the leaf reads"));
    all.truncate(3);
    all
}

/// Writes the tiny dataset as messages-format JSONL in `dir`; returns its path.
pub fn write_dataset(dir: &Path) -> PathBuf {
    let path = dir.join("tiny.jsonl");
    let lines: Vec<String> = tiny_conversations()
        .iter()
        .map(|c| serde_json::json!({"messages": c.messages, "metadata": "{}"}).to_string())
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// The script replaying instructlab-training's outputs.
pub fn script() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/train/fake_instructlab.sh")
        .display()
        .to_string()
}

/// An external run of the script in `mode`, working in `dir`, following
/// `metrics_file` (else its console).
pub fn external_spec(dir: &Path, mode: &str, metrics_file: Option<&str>) -> RunSpec {
    RunSpec {
        dataset: None,
        engine: EngineSpec::External(ExternalSpec {
            command: vec![
                "sh".into(),
                script(),
                mode.into(),
                dir.join("ckpt").display().to_string(),
            ],
            workdir: Some(dir.to_owned()),
            metrics_file: metrics_file.map(PathBuf::from),
        }),
    }
}

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_taxon");

/// Training runs take both cores: one at a time (within a test binary).
pub fn heavy() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The cache holding the default model.
pub fn cache_dir() -> PathBuf {
    AppDirs::from_env().cache
}

/// Runs taxon with its data under `data` and the shared model cache.
pub fn taxon(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("TAXON_DATA_DIR", data)
        .env("TAXON_STATE_DIR", data.join("state"))
        .env("TAXON_CACHE_DIR", cache_dir())
        .output()
        .expect("run taxon")
}

/// Output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Waits for `done`, failing after `timeout`.
pub fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits for the run to end; its final status.
pub fn wait_final(registry: &Registry, run: &Run, timeout: Duration) -> RunStatus {
    let mut status = None;
    wait_for("the run to end", timeout, || {
        let s = registry.refresh(run).unwrap();
        let done = s.state.is_final();
        status = Some(s);
        done
    });
    status.unwrap()
}

/// Converts the GGUF at `input` to `ftype` with llama.cpp's own quantizer.
pub fn llama_quantize(input: &Path, output: &Path, ftype: llama_cpp_sys_2::llama_ftype) {
    use std::os::unix::ffi::OsStrExt;
    let c = |path: &Path| std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    let (c_in, c_out) = (c(input), c(output));
    // SAFETY: both paths are NUL-terminated and outlive the call; the parameters
    // are llama.cpp's defaults, passed by pointer to a live local.
    let rc = unsafe {
        let mut params = llama_cpp_sys_2::llama_model_quantize_default_params();
        params.ftype = ftype;
        params.allow_requantize = true;
        params.nthread = 2;
        llama_cpp_sys_2::llama_model_quantize(c_in.as_ptr(), c_out.as_ptr(), &raw const params)
    };
    assert_eq!(rc, 0, "llama_model_quantize {}", input.display());
}

/// Loads the GGUF at `input` with llama.cpp (into memory, not mapped) and writes
/// it back with llama.cpp's own saver, `llama_model_save_to_file`.
pub fn llama_save(input: &Path, output: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = |path: &Path| std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    let (c_in, c_out) = (c(input), c(output));
    // SAFETY: both paths are NUL-terminated and outlive the calls; the model is
    // checked non-null, used while live and freed once.
    unsafe {
        let mut params = llama_cpp_sys_2::llama_model_default_params();
        params.load_mode = llama_cpp_sys_2::LLAMA_LOAD_MODE_NONE;
        let model = llama_cpp_sys_2::llama_model_load_from_file(c_in.as_ptr(), params);
        assert!(!model.is_null(), "llama.cpp loads {}", input.display());
        llama_cpp_sys_2::llama_model_save_to_file(model, c_out.as_ptr());
        llama_cpp_sys_2::llama_model_free(model);
    }
    assert!(output.is_file(), "llama.cpp saved {}", output.display());
}

/// A field of this process's `/proc/self/status`, in KiB.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// How far `work` raised this process's peak resident memory, in KiB (other
/// threads of the process count too: measure in a binary of one test).
pub fn peak_growth_kib(work: impl FnOnce()) -> u64 {
    // Writing 5 to clear_refs makes the peak (VmHWM) the current resident size.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_kib("VmHWM:");
    work();
    status_kib("VmHWM:") - before
}

/// The names of the files in `dir`, sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Fails unless the files at `a` and `b` hold the same bytes (naming the first
/// offset where they differ).
pub fn assert_same_file(a: &Path, b: &Path) {
    let (a_bytes, b_bytes) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    let differs = a_bytes.iter().zip(&b_bytes).position(|(x, y)| x != y);
    assert!(
        differs.is_none() && a_bytes.len() == b_bytes.len(),
        "{} ({} bytes) and {} ({} bytes) differ at byte {differs:?}",
        a.display(),
        a_bytes.len(),
        b.display(),
        b_bytes.len()
    );
}
