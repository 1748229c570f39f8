//! `cargo bench --bench validate`: files per second of `taxon validate` on a generated
//! 10,000-leaf taxonomy, against simply reading the same files and against upstream's
//! validator (on a sample of 500 files, when `TAXON_UPSTREAM_PYTHON` names a Python
//! with instructlab-schema installed).

#[path = "../support/synthetic.rs"]
mod synthetic;
#[path = "../support/timing.rs"]
mod timing;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use rayon::prelude::*;
use taxon::taxonomy::tree::{Found, discover};
use taxon::taxonomy::validate::{Options, validate_file};
use timing::{alternate, time};
use walkdir::WalkDir;

const LEAVES: usize = 10_000;
const UPSTREAM_SAMPLE: usize = 500;
const RUNS: usize = 7;
/// Runs of the two timings whose ratio is the target.
const RATIO_RUNS: usize = 15;

fn leaf_files(root: &Path) -> Vec<PathBuf> {
    WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "qna.yaml")
        .map(|e| e.into_path())
        .collect()
}

fn taxonomy() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-taxonomy-{LEAVES}"));
    let done = root.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&root);
        synthetic::write_taxonomy(&root, LEAVES).expect("write the generated taxonomy");
        std::fs::write(&done, "").expect("mark the taxonomy complete");
    }
    root
}

fn rate(files: usize, elapsed: Duration) -> f64 {
    files as f64 / elapsed.as_secs_f64()
}

fn upstream_rate(files: &[PathBuf]) -> Option<f64> {
    let python = std::env::var_os("TAXON_UPSTREAM_PYTHON")?;
    let step = (files.len() / UPSTREAM_SAMPLE).max(1);
    let sample: String = files
        .iter()
        .step_by(step)
        .take(UPSTREAM_SAMPLE)
        .map(|p| format!("{}\n", p.display()))
        .collect();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bench/upstream_rate.py");
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    use std::io::Write;
    child.stdin.take()?.write_all(sample.as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    println!("upstream report: {report}");
    report["files_per_second"].as_f64()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list: nothing to run there
    }
    let root = taxonomy();
    let files = leaf_files(&root);
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    println!(
        "generated taxonomy: {} leaves, {:.1} MiB of qna.yaml, {} threads",
        files.len(),
        bytes as f64 / 1_048_576.0,
        rayon::current_num_threads()
    );

    let read_sequential = time(RUNS, || {
        for file in leaf_files(&root) {
            std::hint::black_box(std::fs::read(file).expect("read"));
        }
    });
    let options = Options::default();
    let validate_library = time(RUNS, || {
        let discovery = discover(std::slice::from_ref(&root));
        discovery.found.par_iter().for_each(|found| {
            if let Found::Leaf(path) = found {
                std::hint::black_box(validate_file(path, &options));
            }
        });
    });
    let validate_one_thread = time(3, || {
        for file in &files {
            std::hint::black_box(validate_file(file, &options));
        }
    });
    let binary = env!("CARGO_BIN_EXE_taxon");
    // The ratio compares two timings, so they alternate: a change in the machine's
    // speed (this VM's CPU steal varies by the minute) touches both alike.
    let [read_parallel, validate_binary] = alternate(
        RATIO_RUNS,
        [
            &mut || {
                leaf_files(&root).par_iter().for_each(|file| {
                    std::hint::black_box(std::fs::read(file).expect("read"));
                });
            },
            &mut || {
                let status = Command::new(binary)
                    .args(["validate", "--format", "json"])
                    .arg(&root)
                    .stdout(Stdio::null())
                    .status()
                    .expect("run taxon");
                assert!(status.success(), "the generated taxonomy is valid");
            },
        ],
    );

    let n = files.len();
    println!();
    println!("{:<44} {:>10} {:>12}", "what", "time", "files/s");
    for (what, elapsed) in [
        (
            "read every qna.yaml (walk + read, 1 thread)",
            read_sequential,
        ),
        ("read every qna.yaml (walk + read, parallel)", read_parallel),
        ("validate (library, 1 thread)", validate_one_thread),
        ("validate (library, parallel)", validate_library),
        ("`taxon validate --format json` (process)", validate_binary),
    ] {
        println!(
            "{what:<44} {:>8.1}ms {:>12.0}",
            elapsed.as_secs_f64() * 1e3,
            rate(n, elapsed)
        );
    }
    println!();
    println!(
        "taxon validate vs reading (parallel): {:.2}x the time",
        validate_binary.as_secs_f64() / read_parallel.as_secs_f64()
    );
    match upstream_rate(&files) {
        Some(upstream) => println!(
            "upstream TaxonomyParser: {upstream:.1} files/s; taxon validate is {:.0}x faster",
            rate(n, validate_binary) / upstream
        ),
        None => println!(
            "upstream: not measured (set TAXON_UPSTREAM_PYTHON to a Python with instructlab-schema)"
        ),
    }
}
