//! Generation speed of the engine with the default model: tokens/s as the caller
//! sees them against llama.cpp's own evaluation rate (same model, same threads),
//! and time to first token with the model warm. Run with
//! `cargo bench --bench generate` (release); `TAXON_BENCH_THREADS` sets threads.

#[path = "../support/generate_cli.rs"]
mod generate_cli;
#[path = "../support/git_sandbox.rs"]
mod git_sandbox;

use std::time::Instant;

use taxon::generate::{Engine, EngineConfig, Prompt, Request, Sampling, Stats, complete};

const RUNS: usize = 5;
const TOKENS: u32 = 128;

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn spread(values: &[f64]) -> (f64, f64) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list: nothing to run there
    }
    let model = generate_cli::model();
    let mut config = EngineConfig::new(model.clone());
    if let Some(threads) = std::env::var("TAXON_BENCH_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
    {
        config.threads = threads;
    }
    let started = Instant::now();
    let (engine, events) = Engine::start(config).expect("start the engine");
    let info = engine.info().clone();
    println!(
        "model {} ({} threads, {}-token window), load {:.0} ms (start {:.0} ms)",
        model.display(),
        info.threads,
        info.context_size,
        info.load_time.as_secs_f64() * 1e3,
        started.elapsed().as_secs_f64() * 1e3
    );
    let request = |seed| Request {
        prompt: Prompt::Chat {
            system: None,
            user: "Write a long, detailed essay about the history of sailing ships, \
                   with many paragraphs."
                .to_owned(),
            prefix: String::new(),
        },
        max_tokens: TOKENS,
        sampling: Sampling::with_seed(seed),
        stop: Vec::new(),
    };
    let cold = complete(&engine, &events, request(0), |_| {}).expect("first run");
    println!(
        "cold: first token {:.1} ms (prompt {} tokens)",
        cold.stats.time_to_first_token.as_secs_f64() * 1e3,
        cold.stats.prompt_tokens
    );
    let runs: Vec<Stats> = (1..=RUNS as u32)
        .map(|seed| {
            complete(&engine, &events, request(seed), |_| {})
                .expect("run")
                .stats
        })
        .collect();
    let app: Vec<f64> = runs.iter().map(Stats::tokens_per_second).collect();
    let llama: Vec<f64> = runs
        .iter()
        .map(Stats::llama_eval_tokens_per_second)
        .collect();
    let ttft: Vec<f64> = runs
        .iter()
        .map(|s| s.time_to_first_token.as_secs_f64() * 1e3)
        .collect();
    let prompt_rate: Vec<f64> = runs
        .iter()
        .map(|s| f64::from(s.llama_prompt_eval.1) * 1e3 / s.llama_prompt_eval.0.max(1e-9))
        .collect();
    let tokens: Vec<f64> = runs.iter().map(|s| s.generated_tokens as f64).collect();
    let (app_min, app_max) = spread(&app);
    let (llama_min, llama_max) = spread(&llama);
    let (ttft_min, ttft_max) = spread(&ttft);
    println!(
        "warm, {RUNS} runs, mean {:.0} generated tokens:",
        mean(&tokens)
    );
    println!(
        "  engine (caller)  {:6.1} tok/s  [{app_min:.1}..{app_max:.1}]",
        mean(&app)
    );
    println!(
        "  llama.cpp eval   {:6.1} tok/s  [{llama_min:.1}..{llama_max:.1}]",
        mean(&llama)
    );
    println!("  ratio            {:6.3}", mean(&app) / mean(&llama));
    println!("  prompt eval      {:6.1} tok/s", mean(&prompt_rate));
    println!(
        "  first token      {:6.1} ms     [{ttft_min:.1}..{ttft_max:.1}]",
        mean(&ttft)
    );
}
