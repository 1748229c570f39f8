//! `cargo bench --bench train_chart`: the training screen's cost: one full draw of
//! the screen with a 10,000-step run charted (alone, and overlaid with three more),
//! one poll of the interface's tailer on a registry of such runs with nothing new,
//! and, after the worker appends one line (timed apart), the tail and the redraw
//! that shows it.

#[path = "../support/machine.rs"]
mod machine;

use std::path::Path;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use taxon::taxonomy::model::Taxonomy;
use taxon::train::metrics::{MetricRecord, MetricsWriter};
use taxon::train::registry::{Registry, RunState};
use taxon::train::spec::{EngineSpec, ExternalSpec, RunSpec};
use taxon::tui::app::App;
use taxon::tui::keymap::Keymap;
use taxon::tui::marks::LeafMarks;
use taxon::tui::screens::Screen;
use taxon::tui::screens::train::TrainScreen;
use taxon::tui::train_jobs::Tailer;

const STEPS: u64 = 10_000;
const RUNS: usize = 4;

fn record(step: u64) -> MetricRecord {
    let x = step as f64;
    MetricRecord {
        step,
        epoch: 1,
        train_loss: Some(0.4 + 2.0 * (-x / 1500.0).exp() + 0.05 * (x * 1.7).sin()),
        eval_loss: None,
        lr: Some(2e-4),
        tokens_per_second: Some(64.0),
        elapsed_seconds: x * 3.5,
        ..MetricRecord::default()
    }
}

/// A registry of `RUNS` running runs of `STEPS` steps each, written as the worker does.
fn registry(root: &Path) -> Registry {
    let registry = Registry::new(root.join("runs"));
    let spec = RunSpec {
        dataset: None,
        engine: EngineSpec::External(ExternalSpec {
            command: vec!["true".into()],
            workdir: None,
            metrics_file: None,
        }),
    };
    for _ in 0..RUNS {
        let run = registry.create(&spec).expect("a run");
        let mut writer = MetricsWriter::open(&run.metrics_file()).expect("metrics");
        for step in 1..=STEPS {
            writer.write(&record(step)).expect("a line");
        }
        run.update_status(|s| {
            s.state = RunState::Running;
            s.pid = Some(std::process::id());
            s.total_steps = Some(STEPS * 2);
        })
        .expect("status");
    }
    registry
}

fn per_draw(app: &App, width: u16, height: u16) -> Duration {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    let rounds = 100;
    let start = Instant::now();
    for _ in 0..rounds {
        terminal.draw(|f| app.draw(f)).expect("draw");
    }
    start.elapsed() / rounds
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// p50 / p99 / max of `samples`.
fn spread(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    format!(
        "p50 {}, p99 {}, max {}",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(at(1.0))
    )
}

/// Appends `rounds` lines to the first run, one at a time: the worker's write of
/// each, and then the tailer's poll that reads it, the screen taking it, and the
/// redraw at `width` x `height`, timed apart.
fn append_and_redraw(
    registry: &Registry,
    tailer: &mut Tailer,
    app: &mut App,
    rounds: u64,
    (width, height): (u16, u16),
) {
    let runs = registry.runs().expect("runs");
    let mut writer = MetricsWriter::open(&runs[0].metrics_file()).expect("metrics");
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    let (mut writes, mut tails) = (Vec::new(), Vec::new());
    // The registry's runs end at STEPS.
    for step in STEPS + 1..=STEPS + rounds {
        let start = Instant::now();
        writer.write(&record(step)).expect("a line");
        writes.push(start.elapsed());
        let start = Instant::now();
        let updates = tailer.poll().expect("a poll");
        assert_eq!(updates[0].records.len(), 1);
        let Screen::Train(screen) = &mut app.screen else {
            unreachable!("the training screen is open")
        };
        screen.apply(false, updates);
        terminal.draw(|f| app.draw(f)).expect("draw");
        tails.push(start.elapsed());
    }
    println!("one line appended: the write {}", spread(writes));
    println!(
        "one line appended: poll + take + redraw {width}x{height} {}",
        spread(tails)
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list: nothing to run there
    }
    println!("{}", machine::describe());
    let dir = tempfile::tempdir().expect("a folder");
    let registry = registry(dir.path());
    let mut tailer = Tailer::new(registry.clone());
    let start = Instant::now();
    let updates = tailer.poll().expect("the first poll");
    println!(
        "first poll ({RUNS} runs x {STEPS} lines): {}",
        ms(start.elapsed())
    );
    let rounds = 200;
    let start = Instant::now();
    for _ in 0..rounds {
        assert!(tailer.poll().expect("a poll").is_empty());
    }
    println!("poll, nothing new: {}", ms(start.elapsed() / rounds));
    let mut app = App::new(
        Taxonomy::default(),
        LeafMarks::default(),
        None,
        Keymap::default(),
    );
    let mut screen = TrainScreen::default();
    screen.apply(true, updates);
    app.screen = Screen::Train(Box::new(screen.clone()));
    for (width, height) in [(100, 30), (200, 60)] {
        println!(
            "draw {width}x{height}, one run of {STEPS} steps: {}",
            ms(per_draw(&app, width, height))
        );
    }
    for _ in 0..RUNS {
        screen.toggle_mark();
        screen.move_by(1);
    }
    screen.log_scale = true;
    app.screen = Screen::Train(Box::new(screen));
    for (width, height) in [(100, 30), (200, 60)] {
        println!(
            "draw {width}x{height}, {RUNS} runs overlaid, log scale: {}",
            ms(per_draw(&app, width, height))
        );
    }
    append_and_redraw(&registry, &mut tailer, &mut app, 200, (100, 30));
    println!("{}", machine::describe());
}
