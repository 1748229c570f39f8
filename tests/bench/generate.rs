//! `cargo bench --bench generate` (release): the generation engine with the
//! default model, in two parts, the machine and its load printed around each.
//!
//! 1. One sequence: decode speed timed where the caller receives the tokens (the
//!    engine's events, not its own timer), after a prompt that leaves the cache as
//!    deep as a generation prompt does, against llama.cpp's own `llama-bench` at
//!    that depth (`-d`), same model and threads. `TAXON_LLAMA_BENCH` names the
//!    binary (default: the reference build of
//!    `../shared/tools/build-llama-reference.sh`).
//! 2. A leaf through the default pipeline with `--parallel 1` and `--parallel 8`
//!    (same leaf, model, seed and threads), alternated twice: accepted samples per
//!    minute and generated tokens per second, and the ratio.
//!
//! `TAXON_BENCH_THREADS` sets the threads (default: every core),
//! `TAXON_BENCH_SAMPLES` the samples wanted (default 16) and
//! `TAXON_BENCH_PIPELINE` the pipeline (default: taxon's default).

#[path = "../support/generate_cli.rs"]
mod generate_cli;
#[path = "../support/git_sandbox.rs"]
mod git_sandbox;
#[path = "../support/machine.rs"]
mod machine;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use taxon::generate::leaf_input::{LeafInput, PASSAGE_TOKENS};
use taxon::generate::pipeline::{DEFAULT_PIPELINE, Pipeline};
use taxon::generate::runner::{Backends, LeafSettings, LocalBackend, generate_leaf};
use taxon::generate::{Engine, EngineConfig, Event, Priority, Prompt, Request, Sampling};
use taxon::taxonomy::leaf::LeafKind;
use taxon::taxonomy::qna::Qna;
use taxon::taxonomy::yaml::load;

const RUNS: usize = 5;
const TOKENS: u32 = 64;
const REFERENCE: &str = "/root/.cache/taxon-ci/llama-reference/build-avx2-0.3.36/bin/llama-bench";

fn env_number(name: &str) -> Option<u32> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

fn spread(values: &[f64]) -> (f64, f64) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

fn engine(model: &Path, threads: u32, parallel: u32) -> (Engine, std::sync::mpsc::Receiver<Event>) {
    let mut config = EngineConfig::new(model.to_owned());
    config.threads = threads;
    config.parallel = parallel;
    Engine::start(config).expect("start the engine")
}

/// One completion's decode rate as the caller sees it: tokens after the first
/// over the time from the first token's arrival to the last's; and the depth of
/// the cache (the prompt's tokens).
fn caller_rate(
    engine: &Engine,
    events: &std::sync::mpsc::Receiver<Event>,
    seed: u32,
) -> (f64, usize, usize) {
    let notes =
        "The tide comes in twice a day, pulled by the moon, and the harbour fills with boats. "
            .repeat(11);
    let request = Request {
        prompt: Prompt::Chat {
            system: None,
            user: format!("{notes}\nWrite a long, detailed essay about harbours and tides."),
            prefix: String::new(),
        },
        max_tokens: TOKENS,
        sampling: Sampling::with_seed(seed),
        stop: Vec::new(),
    };
    let id = engine.submit(request).expect("submit");
    let (mut first, mut last, mut tokens, mut depth) = (None, None, 0usize, 0usize);
    loop {
        match events
            .recv_timeout(Duration::from_secs(300))
            .expect("an event")
        {
            Event::Started {
                id: i,
                prompt_tokens,
                ..
            } if i == id => depth = prompt_tokens,
            Event::Token { id: i, .. } if i == id => {
                let now = Instant::now();
                first.get_or_insert(now);
                last = Some(now);
                tokens += 1;
            }
            Event::Finished { id: i, completion } if i == id => {
                tokens = completion.stats.generated_tokens.max(tokens);
                break;
            }
            Event::Failed { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
    let seconds = match (first, last) {
        (Some(first), Some(last)) => (last - first).as_secs_f64(),
        _ => 0.0,
    };
    let rate = if tokens > 1 && seconds > 0.0 {
        (tokens - 1) as f64 / seconds
    } else {
        0.0
    };
    (rate, tokens, depth)
}

/// llama.cpp's own decode rate at `depth` (mean tok/s of `llama-bench`), or why
/// there is none.
fn llama_bench(model: &Path, threads: u32, depth: usize) -> Result<(f64, f64), String> {
    let binary = std::env::var_os("TAXON_LLAMA_BENCH")
        .map_or_else(|| PathBuf::from(REFERENCE), PathBuf::from);
    if !binary.is_file() {
        return Err(format!(
            "{} is missing: build it with ../shared/tools/build-llama-reference.sh \
             /root/.cache/taxon-ci/llama-reference avx2, or set TAXON_LLAMA_BENCH",
            binary.display()
        ));
    }
    let output = Command::new(&binary)
        .arg("-m")
        .arg(model)
        .args([
            "-t",
            &threads.to_string(),
            "-p",
            "0",
            "-n",
            &TOKENS.to_string(),
        ])
        .args([
            "-d",
            &depth.to_string(),
            "-r",
            &RUNS.to_string(),
            "-o",
            "json",
        ])
        .env("LD_LIBRARY_PATH", binary.parent().unwrap_or(Path::new(".")))
        .output()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed: {}",
            binary.display(),
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        ));
    }
    let results: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("llama-bench's JSON: {e}"))?;
    let result = &results[0];
    match (result["avg_ts"].as_f64(), result["stddev_ts"].as_f64()) {
        (Some(mean), Some(deviation)) => Ok((mean, deviation)),
        _ => Err(format!("llama-bench's JSON has no avg_ts: {result}")),
    }
}

fn single_sequence(model: &Path, threads: u32) {
    println!("== one sequence, decode timed at the caller ({TOKENS} tokens, {RUNS} runs)");
    println!("   {}", machine::describe());
    let (engine, events) = engine(model, threads, 1);
    caller_rate(&engine, &events, 0); // warm-up
    let runs: Vec<(f64, usize, usize)> = (1..=RUNS as u32)
        .map(|seed| caller_rate(&engine, &events, seed))
        .collect();
    drop(engine);
    let rates: Vec<f64> = runs.iter().map(|r| r.0).collect();
    let depth = runs[0].2;
    let (low, high) = spread(&rates);
    let tokens: Vec<f64> = runs.iter().map(|r| r.1 as f64).collect();
    println!(
        "   taxon engine   {:6.1} tok/s [{low:.1}..{high:.1}], depth {depth}, mean {:.0} tokens",
        mean(&rates),
        mean(&tokens)
    );
    match llama_bench(model, threads, depth) {
        Ok((reference, deviation)) => {
            println!(
                "   llama-bench    {reference:6.1} tok/s ± {deviation:.1} (tg{TOKENS} at -d {depth})"
            );
            println!("   ratio          {:6.3}", mean(&rates) / reference);
        }
        Err(why) => println!("   llama-bench    not run: {why}"),
    }
    println!("   {}", machine::describe());
}

fn leaf_input() -> LeafInput {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "sample-taxonomy/{}/qna.yaml",
        generate_cli::FREEFORM
    ));
    let text = std::fs::read_to_string(&path).expect("the sample leaf");
    let qna = Qna::from_document(&load(&text).expect("its YAML"));
    let docs = tempfile::tempdir().expect("a folder");
    LeafInput::from_qna(
        LeafKind::FreeformSkill,
        &qna,
        docs.path(),
        PASSAGE_TOKENS,
        |t| vec![0; t.len()],
    )
    .expect("the leaf's input")
}

/// One run of the leaf through the pipeline: accepted samples, rounds, generated
/// tokens and seconds (the model loaded before the clock starts).
fn pipeline_run(
    model: &Path,
    threads: u32,
    parallel: u32,
    pipeline: &Pipeline,
    input: &LeafInput,
    settings: &LeafSettings,
) -> (usize, usize, usize, f64) {
    let (engine, events) = engine(model, threads, parallel);
    let mut backend = LocalBackend {
        engine,
        events,
        parallel: parallel as usize,
        priority: Priority::Background,
    };
    let mut backends = Backends {
        writer: &mut backend,
        judge: None,
    };
    let started = Instant::now();
    let outcome = generate_leaf(&mut backends, pipeline, input, settings, |_| {}).expect("the run");
    let seconds = started.elapsed().as_secs_f64();
    (
        outcome.accepted.len(),
        outcome.rounds,
        outcome.generated_tokens,
        seconds,
    )
}

fn batched(model: &Path, threads: u32) {
    let samples = env_number("TAXON_BENCH_SAMPLES").unwrap_or(16) as usize;
    let name =
        std::env::var("TAXON_BENCH_PIPELINE").unwrap_or_else(|_| DEFAULT_PIPELINE.to_owned());
    let pipeline = Pipeline::resolve(&name).expect("the pipeline");
    let input = leaf_input();
    let settings = LeafSettings {
        num: samples,
        seed: 42,
        max_tokens: None,
        rounds_per_sample: 3,
    };
    println!(
        "== {} through the {} pipeline, {samples} samples wanted, seed 42, {threads} threads",
        generate_cli::FREEFORM,
        pipeline.name
    );
    let mut totals = [(0usize, 0usize, 0.0f64); 2];
    for (turn, parallel) in [1u32, 8, 1, 8].into_iter().enumerate() {
        println!("   {}", machine::describe());
        let (accepted, rounds, tokens, seconds) =
            pipeline_run(model, threads, parallel, &pipeline, &input, &settings);
        let slot = usize::from(parallel != 1);
        totals[slot].0 += accepted;
        totals[slot].1 += tokens;
        totals[slot].2 += seconds;
        println!(
            "   run {}: --parallel {parallel}: {accepted} accepted of {rounds} rounds in {seconds:.1} s: \
             {:.1} accepted/min, {:.1} generated tok/s",
            turn + 1,
            accepted as f64 * 60.0 / seconds,
            tokens as f64 / seconds
        );
    }
    println!("   {}", machine::describe());
    let per_minute = |(accepted, _, seconds): (usize, usize, f64)| accepted as f64 * 60.0 / seconds;
    let per_second = |(_, tokens, seconds): (usize, usize, f64)| tokens as f64 / seconds;
    println!(
        "   --parallel 1: {:.1} accepted/min, {:.1} tok/s; --parallel 8: {:.1} accepted/min, {:.1} tok/s",
        per_minute(totals[0]),
        per_second(totals[0]),
        per_minute(totals[1]),
        per_second(totals[1])
    );
    println!(
        "   ratio (8 over 1): {:.2}x accepted/min, {:.2}x tok/s",
        per_minute(totals[1]) / per_minute(totals[0]),
        per_second(totals[1]) / per_second(totals[0])
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list: nothing to run there
    }
    let model = generate_cli::model();
    let threads = env_number("TAXON_BENCH_THREADS").unwrap_or(machine::cores() as u32);
    println!("model {} ({threads} threads)", model.display());
    single_sequence(&model, threads);
    batched(&model, threads);
}
