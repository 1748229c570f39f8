//! `cargo bench --bench preview`: time to the first preview token with the model
//! warm, through the interface's own path: the key press, the preview job on its
//! thread (reading the leaf, building the prompt, evaluating it) and the token
//! arriving as a message; next to the engine's own time to first token and the
//! pane's tok/s against llama.cpp's evaluation rate. The machine's load average
//! is printed, since other work on the cores changes every figure.
//! `TAXON_BENCH_THREADS` sets the engine's threads.

#[path = "../support/generate_cli.rs"]
mod generate_cli;
#[path = "../support/git_sandbox.rs"]
mod git_sandbox;

#[path = "../support/tui_harness.rs"]
mod tui_harness;

use std::path::Path;
use std::time::{Duration, Instant};

use taxon::generate::Event;
use taxon::generate::runner::PipelineEvent;
use taxon::tui::msg::Msg;
use taxon::tui::preview_jobs::{PreviewConfig, PreviewReply};
use taxon::tui::screens::browse::preview::Phase;
use tui_harness::Harness;

const RUNS: usize = 8;
const LEAF: &str = "word_choice/commonly_confused_words";

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn phase(harness: &Harness) -> Phase {
    harness
        .app
        .browse
        .preview
        .open
        .as_ref()
        .map_or(Phase::NoLeaf, |p| p.phase.clone())
}

/// Pumps until the preview ends; the time from `pressed` to the first token of
/// the open job, if one came.
fn until_done(harness: &mut Harness, pressed: Instant) -> Option<Duration> {
    let job = harness.app.browse.preview.open.as_ref().map(|p| p.job);
    let mut first = None;
    let deadline = Instant::now() + Duration::from_secs(300);
    while !matches!(phase(harness), Phase::Done | Phase::Failed(_)) {
        assert!(Instant::now() < deadline, "the preview did not end");
        for msg in harness.pump_preview(Duration::from_millis(500)) {
            if first.is_none()
                && matches!(msg, Msg::Preview(PreviewReply::Pipeline { job: j, event: PipelineEvent::Request { event: Event::Token { .. }, .. } }) if Some(j) == job)
            {
                first = Some(pressed.elapsed());
            }
        }
    }
    if let Phase::Failed(error) = phase(harness) {
        panic!("the preview failed: {error}");
    }
    first
}

fn stats(values: &[f64]) -> String {
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{mean:7.1}  [{min:.1}..{max:.1}]")
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list: nothing to run there
    }
    let model = generate_cli::model();
    let docs = tempfile::tempdir().expect("a documents cache");
    let threads = std::env::var("TAXON_BENCH_THREADS")
        .ok()
        .and_then(|t| t.parse().ok());
    let mut harness = Harness::open(Path::new("sample-taxonomy"));
    harness.with_preview(PreviewConfig {
        model,
        docs_cache: docs.path().to_owned(),
        threads,
    });
    harness.app.browse.preview.settings.max_tokens = 64;
    harness.app.browse.preview.settings.samples = 1;
    harness.select(LEAF);
    println!("load average before: {}", load_average());
    let pressed = Instant::now();
    harness.press("g");
    let cold = until_done(&mut harness, pressed).expect("a first token");
    let info = harness
        .app
        .browse
        .preview
        .open
        .as_ref()
        .and_then(|p| p.model.clone())
        .expect("the model was loaded");
    println!(
        "model {} ({} threads), loaded in {:.0} ms; cold first preview token {:.0} ms",
        info.path.display(),
        info.threads,
        info.load_time.as_secs_f64() * 1e3,
        cold.as_secs_f64() * 1e3
    );
    let (mut pane, mut engine, mut rate, mut llama) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let pressed = Instant::now();
        harness.press("G");
        let first = until_done(&mut harness, pressed).expect("a first token");
        let open = harness.app.browse.preview.open.as_ref().expect("the pane");
        let figures = open.figures();
        pane.push(first.as_secs_f64() * 1e3);
        engine.push(figures.first_token.unwrap_or_default().as_secs_f64() * 1e3);
        rate.push(figures.tokens_per_second.unwrap_or_default());
        llama.push(figures.llama_tokens_per_second.unwrap_or_default());
    }
    println!("warm, {RUNS} previews of one sample (seed after seed):");
    println!(
        "  first preview token, key press to message  {} ms",
        stats(&pane)
    );
    println!(
        "  engine's own time to first token           {} ms",
        stats(&engine)
    );
    println!(
        "  pane tok/s                                 {} tok/s",
        stats(&rate)
    );
    println!(
        "  llama.cpp eval                             {} tok/s",
        stats(&llama)
    );
    println!("load average after: {}", load_average());
}
