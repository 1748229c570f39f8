//! `cargo bench --bench validate`: files per second of `taxon validate`. The best
//! case: a generated 10,000-leaf taxonomy, all valid and all on the fast path,
//! against simply reading the same files. A mixed corpus of 10,000 leaves (valid,
//! invalid, warnings, YAML the fast path leaves to the full loader), and a sample
//! of it against upstream's validator on the same files: one thread against one
//! process, parallel against one process per core (when `TAXON_UPSTREAM_PYTHON`
//! names a Python with instructlab-schema installed).

#[path = "../support/machine.rs"]
mod machine;
#[path = "../support/synthetic.rs"]
mod synthetic;
#[path = "../support/timing.rs"]
mod timing;

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use rayon::prelude::*;
use taxon::taxonomy::tree::{Found, discover};
use taxon::taxonomy::validate::{Options, validate_file};
use timing::{alternate, time};
use walkdir::WalkDir;

const LEAVES: usize = 10_000;
/// Files of the mixed corpus that upstream validates (about 5 per second).
const UPSTREAM_SAMPLE: usize = 200;
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

/// The taxonomy `write` makes of `LEAVES` leaves, written once under the target's
/// temporary folder as `name`.
fn taxonomy(name: &str, write: fn(&Path, usize) -> std::io::Result<()>) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{LEAVES}"));
    let done = root.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&root);
        write(&root, LEAVES).expect("write the generated taxonomy");
        std::fs::write(&done, "").expect("mark the taxonomy complete");
    }
    root
}

fn rate(files: usize, elapsed: Duration) -> f64 {
    files as f64 / elapsed.as_secs_f64()
}

/// Upstream's validator over `files` in `processes` processes at once (each its own
/// share): files per second over the slowest process's own timing (its loop,
/// not Python's start), or why it could not be measured.
fn upstream_rate(python: &OsStr, files: &[PathBuf], processes: usize) -> Result<f64, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bench/upstream_rate.py");
    let shares: Vec<String> = (0..processes)
        .map(|p| {
            files
                .iter()
                .skip(p)
                .step_by(processes)
                .map(|f| format!("{}\n", f.display()))
                .collect()
        })
        .collect();
    let children = shares
        .into_iter()
        .map(|share| {
            let mut child = Command::new(python)
                .arg(script)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| format!("cannot run {}: {e}", python.to_string_lossy()))?;
            let mut stdin = child.stdin.take().expect("a piped stdin");
            std::thread::spawn(move || stdin.write_all(share.as_bytes()));
            Ok(child)
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut slowest = 0.0_f64;
    for child in children {
        let output = child.wait_with_output().map_err(|e| e.to_string())?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(format!("upstream_rate.py {}: {stderr}", output.status));
        }
        let report: serde_json::Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("upstream_rate.py printed no report ({e}): {stderr}"))?;
        println!("  upstream process: {report}");
        slowest = slowest.max(
            report["seconds"]
                .as_f64()
                .ok_or("no seconds in the report")?,
        );
    }
    Ok(files.len() as f64 / slowest)
}

/// Taxon's validation of `files`, one thread and in parallel, against upstream's
/// in one process and in one process per core, on the same files.
fn against_upstream(files: &[PathBuf]) {
    let step = (files.len() / UPSTREAM_SAMPLE).max(1);
    let sample: Vec<PathBuf> = files
        .iter()
        .step_by(step)
        .take(UPSTREAM_SAMPLE)
        .cloned()
        .collect();
    let options = Options::default();
    let one_thread = time(RUNS, || {
        for file in &sample {
            std::hint::black_box(validate_file(file, &options));
        }
    });
    let parallel = time(RUNS, || {
        sample.par_iter().for_each(|file| {
            std::hint::black_box(validate_file(file, &options));
        });
    });
    let n = sample.len();
    println!(
        "against upstream on the same {n} files of the mixed corpus (every {step}th; \
         upstream: instructlab-schema's TaxonomyParser with yamllint, each process timing its own loop):"
    );
    let Some(python) = std::env::var_os("TAXON_UPSTREAM_PYTHON") else {
        println!(
            "  upstream: not measured (set TAXON_UPSTREAM_PYTHON to a Python with instructlab-schema)"
        );
        return;
    };
    let parallel_taxon = format!("taxon on {} threads", rayon::current_num_threads());
    let parallel_upstream = format!("upstream in {} processes", machine::cores());
    for (taxon_side, taxon, upstream_side, processes) in [
        ("taxon on 1 thread", one_thread, "upstream in 1 process", 1),
        (
            &parallel_taxon,
            parallel,
            &parallel_upstream,
            machine::cores(),
        ),
    ] {
        let taxon = rate(n, taxon);
        match upstream_rate(&python, &sample, processes) {
            Ok(upstream) => println!(
                "  {taxon_side}: {taxon:.0} files/s; {upstream_side}: {upstream:.1} files/s; {:.0}x",
                taxon / upstream
            ),
            Err(why) => {
                println!("  {taxon_side}: {taxon:.0} files/s; {upstream_side}: failed: {why}")
            }
        }
    }
}

/// The rates of validating `files` (of the taxonomy at `root`): one thread and
/// parallel in this process, and the binary.
fn validation_rates(root: &Path, files: &[PathBuf], valid: bool) -> [(&'static str, Duration); 3] {
    let options = Options::default();
    let library = time(RUNS, || {
        let discovery = discover(std::slice::from_ref(&root.to_owned()));
        discovery.found.par_iter().for_each(|found| {
            if let Found::Leaf(path) = found {
                std::hint::black_box(validate_file(path, &options));
            }
        });
    });
    let one_thread = time(3, || {
        for file in files {
            std::hint::black_box(validate_file(file, &options));
        }
    });
    let binary = time(RUNS, || run_binary(root, valid));
    [
        ("validate the listed files (library, 1 thread)", one_thread),
        ("walk + validate (library, parallel)", library),
        ("`taxon validate --format json` (process)", binary),
    ]
}

fn run_binary(root: &Path, valid: bool) {
    let status = Command::new(env!("CARGO_BIN_EXE_taxon"))
        .args(["validate", "--format", "json"])
        .arg(root)
        .stdout(Stdio::null())
        .status()
        .expect("run taxon");
    assert_eq!(status.success(), valid, "{}", root.display());
}

fn print_rates(n: usize, rows: &[(&str, Duration)]) {
    println!("{:<46} {:>10} {:>12}", "what", "time", "files/s");
    for (what, elapsed) in rows {
        println!(
            "{what:<46} {:>8.1}ms {:>12.0}",
            elapsed.as_secs_f64() * 1e3,
            rate(n, *elapsed)
        );
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list: nothing to run there
    }
    println!("{}", machine::describe());
    let root = taxonomy("bench-taxonomy", synthetic::write_taxonomy);
    let files = leaf_files(&root);
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    println!(
        "best case: a generated taxonomy of {} valid leaves, all on the fast path, {:.1} MiB of qna.yaml, {} threads",
        files.len(),
        bytes as f64 / 1_048_576.0,
        rayon::current_num_threads()
    );

    let read_sequential = time(RUNS, || {
        for file in leaf_files(&root) {
            std::hint::black_box(std::fs::read(file).expect("read"));
        }
    });
    let [one_thread, library, _] = validation_rates(&root, &files, true);
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
            &mut || run_binary(&root, true),
        ],
    );
    print_rates(
        files.len(),
        &[
            (
                "read every qna.yaml (walk + read, 1 thread)",
                read_sequential,
            ),
            ("read every qna.yaml (walk + read, parallel)", read_parallel),
            one_thread,
            library,
            ("`taxon validate --format json` (process)", validate_binary),
        ],
    );
    println!(
        "best case: taxon validate vs reading (parallel): {:.2}x the time",
        validate_binary.as_secs_f64() / read_parallel.as_secs_f64()
    );
    println!();

    let mixed = taxonomy("bench-mixed", synthetic::write_mixed_taxonomy);
    let mixed_files = leaf_files(&mixed);
    println!(
        "mixed corpus: {} leaves, one in ten of each kind: {}",
        mixed_files.len(),
        synthetic::MIXED_KINDS.join(", ")
    );
    print_rates(
        mixed_files.len(),
        &validation_rates(&mixed, &mixed_files, false),
    );
    against_upstream(&mixed_files);
    println!("{}", machine::describe());
}
