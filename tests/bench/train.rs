//! Training speed and memory of taxon's built-in trainer against llama.cpp's own
//! `llama-finetune`, on the same records (the first of the sample taxonomy's seed
//! examples: all 191 make 390 windows, over half an hour a run),
//! the default model converted to F32, 256-token windows, one epoch, the same
//! threads; the two run in alternation so that the machine's changing load falls
//! on both. Prints each run's training tokens/s (steps × 256 over the steps' time:
//! taxon's from its step timings, llama-finetune's from its progress line, whole
//! seconds), its CPU time per trained token (user and system time of the whole
//! process, load and save included, over the tokens trained: other processes on
//! the two cores change it far less than the wall-time rate), its peak resident
//! memory, the load average when it started, and the ratios of the means. Run
//! with `cargo bench --bench train` (release).
//!
//! llama-finetune comes from `TAXON_LLAMA_REFERENCE` (a folder holding it and its
//! libraries), else from `shared/tools/build-llama-reference.sh` found above the
//! project, built into `~/.cache/taxon-ci/llama-reference` (AVX2, as taxon's own
//! llama.cpp). `TAXON_BENCH_ROUNDS` sets the rounds (default 3),
//! `TAXON_BENCH_THREADS` the threads (default 2).

#[path = "../support/machine.rs"]
mod machine;
#[path = "../support/train_runs.rs"]
mod train_runs;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use taxon::train::dataset::seed_conversations;
use taxon::train::registry::Registry;
use train_runs::{cache_dir, model, taxon, text};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The folder holding llama-finetune.
fn reference_tools() -> PathBuf {
    if let Some(dir) = std::env::var_os("TAXON_LLAMA_REFERENCE") {
        return PathBuf::from(dir);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("shared/tools/build-llama-reference.sh"))
        .find(|path| path.is_file())
        .expect("set TAXON_LLAMA_REFERENCE to a folder holding llama-finetune");
    let home = std::env::var_os("HOME").expect("HOME");
    let out = Path::new(&home).join(".cache/taxon-ci/llama-reference");
    let built = Command::new("bash")
        .arg(&script)
        .arg(&out)
        .arg("avx2")
        .stderr(Stdio::inherit())
        .output()
        .expect("run build-llama-reference.sh");
    assert!(built.status.success(), "build-llama-reference.sh failed");
    PathBuf::from(text(&built.stdout).trim())
}

/// One measured run: training tokens/s, CPU milliseconds per trained token and
/// peak RSS in KiB.
struct Measure {
    rate: f64,
    cpu_ms_per_token: f64,
    peak_kib: u64,
}

/// Seconds of a rusage time.
fn seconds(time: libc::timeval) -> f64 {
    time.tv_sec as f64 + time.tv_usec as f64 / 1e6
}

/// Waits for `pid`; its status, peak RSS in KiB and CPU seconds (user and
/// system, from wait4's rusage).
fn wait_usage(pid: u32) -> (i32, u64, f64) {
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for the kernel to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = libc::pid_t::try_from(pid).expect("a pid");
    // SAFETY: waits for our own child, writing into two live locals.
    let rc = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
    assert_eq!(rc, pid, "wait4");
    let cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    (status, u64::try_from(usage.ru_maxrss).unwrap_or(0), cpu)
}

#[allow(
    clippy::zombie_processes,
    reason = "wait_usage reaps the child with wait4, which also gives its rusage"
)]
fn finetune(tools: &Path, model: &Path, corpus: &Path, threads: usize) -> Measure {
    let out =
        std::env::temp_dir().join(format!("taxon-bench-finetune-{}.gguf", std::process::id()));
    let mut child = Command::new(tools.join("llama-finetune"))
        .env("LD_LIBRARY_PATH", tools)
        .args([
            "-m",
            model.to_str().unwrap(),
            "-f",
            corpus.to_str().unwrap(),
        ])
        .args([
            "-c", "256", "-b", "256", "-ub", "256", "-epochs", "1", "-opt", "adamw",
        ])
        .args(["-lr", "2e-4", "-val-split", "0", "-t", &threads.to_string()])
        .args(["-o", out.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run llama-finetune");
    let mut log = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut log).unwrap();
    let (status, peak_kib, cpu) = wait_usage(child.id());
    let _ = std::fs::remove_file(&out);
    assert_eq!(status, 0, "llama-finetune failed:\n{log}");
    // The last progress line: `train: [...] data=0000030/0000030 ... t=00:01:49 ...`.
    let line = log
        .split(['\r', '\n'])
        .rfind(|l| l.starts_with("train: ") && l.contains(" t="))
        .unwrap_or_else(|| panic!("no progress in llama-finetune's output:\n{log}"));
    let field = |key: &str| {
        line.split(key)
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
    };
    let windows: f64 = field("data=")
        .and_then(|d| d.split('/').next())
        .and_then(|d| d.parse().ok())
        .expect("data=");
    let seconds: f64 = field(" t=")
        .map(|t| {
            t.split(':')
                .filter_map(|p| p.parse::<f64>().ok())
                .fold(0.0, |acc, p| acc * 60.0 + p)
        })
        .expect("t=");
    Measure {
        rate: windows * 256.0 / seconds,
        cpu_ms_per_token: cpu * 1000.0 / (windows * 256.0),
        peak_kib,
    }
}

fn taxon_run(data: &Path, dataset: &Path, threads: usize) -> Measure {
    let output = taxon(
        data,
        &[
            "train",
            "--dataset",
            dataset.to_str().unwrap(),
            "--phases",
            "single",
            "--epochs",
            "1",
            "--lr",
            "2e-4",
            "--eval-fraction",
            "0",
            "--threads",
            &threads.to_string(),
        ],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let registry = Registry::new(data.join("runs"));
    let run = registry.open(text(&output.stdout).trim()).unwrap();
    let status = registry.refresh(&run).unwrap();
    let steps = status.total_steps.expect("the steps") as f64;
    Measure {
        rate: status.tokens_per_second.expect("a rate"),
        cpu_ms_per_token: status.cpu_seconds.expect("the CPU time") * 1000.0 / (steps * 256.0),
        peak_kib: status.peak_rss_kib.expect("a peak"),
    }
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list: nothing to run there
    }
    println!("{}", machine::describe());
    let rounds = env_number("TAXON_BENCH_ROUNDS", 3);
    let threads = env_number("TAXON_BENCH_THREADS", 2);
    let model = model();
    let tools = reference_tools();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // The same records for both: taxon reads them as messages; llama-finetune, which
    // trains on plain text, gets their text.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-taxonomy");
    let all = seed_conversations(&root).expect("the sample taxonomy's seeds");
    let total = all.len();
    let records: Vec<_> = all
        .into_iter()
        .take(env_number("TAXON_BENCH_RECORDS", 24))
        .collect();
    let dataset = dir.path().join("seeds.jsonl");
    let lines: String = records.iter().map(|r| r.to_line() + "\n").collect();
    std::fs::write(&dataset, lines).unwrap();
    let corpus = dir.path().join("seeds.txt");
    let plain: String = records
        .iter()
        .flat_map(|r| &r.messages)
        .map(|m| format!("{}: {}\n", m.role, m.content))
        .collect();
    std::fs::write(&corpus, plain).unwrap();
    println!(
        "{} of {total} records; {threads} threads; llama-finetune from {}",
        records.len(),
        tools.display()
    );
    // llama-finetune takes taxon's F32 conversion of the model (cached): a first,
    // uncounted taxon run makes it when it is not there yet.
    let f32_dir = cache_dir().join("models/f32");
    let stem = model.file_stem().unwrap().to_string_lossy().into_owned();
    let cached_f32 = || {
        std::fs::read_dir(&f32_dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with(&format!("{stem}-")) && name.ends_with(".F32.gguf")
            })
    };
    if cached_f32().is_none() {
        let warm = taxon_run(&data, &dataset, threads);
        println!(
            "warm-up taxon run (converts the model): {:.1} tokens/s, not counted",
            warm.rate
        );
    }
    let f32 = cached_f32().expect("taxon's F32 conversion");
    println!("model {}", f32.display());
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let load = machine::load_average();
        let reference = finetune(&tools, &f32, &corpus, threads);
        println!(
            "round {round}: llama-finetune {:6.1} tokens/s, {:5.2} CPU ms/token, peak {:7.0} MiB \
             (load {load})",
            reference.rate,
            reference.cpu_ms_per_token,
            reference.peak_kib as f64 / 1024.0
        );
        let load = machine::load_average();
        let own = taxon_run(&data, &dataset, threads);
        println!(
            "round {round}: taxon train    {:6.1} tokens/s, {:5.2} CPU ms/token, peak {:7.0} MiB \
             (load {load})",
            own.rate,
            own.cpu_ms_per_token,
            own.peak_kib as f64 / 1024.0
        );
        theirs.push(reference);
        ours.push(own);
    }
    let rates = |m: &[Measure]| m.iter().map(|x| x.rate).collect::<Vec<_>>();
    let peak = |m: &[Measure]| m.iter().map(|x| x.peak_kib).max().unwrap_or(0) as f64 / 1024.0;
    let cpu = |m: &[Measure]| m.iter().map(|x| x.cpu_ms_per_token).collect::<Vec<_>>();
    let (ours_rate, theirs_rate) = (mean(&rates(&ours)), mean(&rates(&theirs)));
    let (ours_cpu, theirs_cpu) = (mean(&cpu(&ours)), mean(&cpu(&theirs)));
    println!(
        "mean: taxon {ours_rate:.1} tokens/s, llama-finetune {theirs_rate:.1} tokens/s: \
         ratio {:.3}; CPU ms/token taxon {ours_cpu:.2}, llama-finetune {theirs_cpu:.2}: \
         ratio (theirs/ours) {:.3}; peak RSS taxon {:.0} MiB, llama-finetune {:.0} MiB",
        ours_rate / theirs_rate,
        theirs_cpu / ours_cpu,
        peak(&ours),
        peak(&theirs)
    );
    println!("{}", machine::describe());
}
