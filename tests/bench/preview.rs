//! `cargo bench --bench preview`: key press to the first preview token drawn, in
//! the real binary in a pseudo-terminal, so through the interface's runtime loop
//! (`src/tui/runtime.rs`: key reader, update, the preview job on its thread,
//! frame pacing, drawing) with the default model and the pane's default settings
//! (3 samples of at most 256 tokens). Timed from the key's write to the read of
//! the frame whose first sample shows text after its `[Question]` prefix, and
//! apart until the frame showing that sample started; each preview is let finish
//! before the next `G` (new seed). Beside them, the figures the pane itself shows
//! when done (the engine's time to first token of the first sample, tok/s).

#[path = "../support/generate_cli.rs"]
mod generate_cli;
#[path = "../support/git_sandbox.rs"]
mod git_sandbox;
#[path = "../support/machine.rs"]
mod machine;
#[path = "../support/pty.rs"]
mod pty;

use std::time::Duration;

use taxon::dirs::AppDirs;

const RUNS: usize = 6;
/// The leaf previewed, as the finder finds it.
const QUERY: &str = "commonly_confused_words";
/// The pane's default seed and samples: `G` moves the seed on by the samples.
const SEED: u32 = 42;
const SAMPLES: u32 = 3;
const PREFIX: &str = "[Question]";

/// Whether the preview pane shows seed `seed` and text after its first sample's
/// prefix: the first token drawn.
fn first_token_drawn(screen: &vt100::Screen, seed: u32) -> bool {
    let text = screen.contents();
    if !text.contains(&format!("· seed {seed} ")) {
        return false;
    }
    let rows: Vec<Vec<char>> = text.lines().map(|row| row.chars().collect()).collect();
    let header = "sample 1 ".chars().collect::<Vec<_>>();
    let Some((row, column)) = rows.iter().enumerate().find_map(|(i, row)| {
        row.windows(header.len())
            .position(|w| w == header.as_slice())
            .map(|c| (i, c))
    }) else {
        return false;
    };
    // The sample's lines below its header ("… sample 1 generating"), from the
    // pane's inner edge to its border.
    let inner = column.saturating_sub(2);
    let body: String = rows[row + 1..]
        .iter()
        .take(3)
        .map(|row| {
            let line: String = row.iter().skip(inner).take_while(|&&c| c != '│').collect();
            line.trim().to_owned()
        })
        .collect::<Vec<_>>()
        .join(" ");
    let shown = body.trim();
    shown.starts_with(PREFIX) && shown.len() > PREFIX.len()
}

/// The pane's own figures once the preview is done, as drawn.
fn pane_figures(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains("first token"))
        .map(|l| {
            let from = l.find("prompt").unwrap_or(0);
            l[from..].split('│').next().unwrap_or("").trim().to_owned()
        })
        .unwrap_or_else(|| "(no figures shown)".to_owned())
}

/// One preview, timed from its key.
struct Timed {
    /// Until the first sample's header is drawn (its job started).
    started: Duration,
    /// Until its first token is drawn.
    first_token: Duration,
    /// The figures the pane shows when done.
    pane: String,
}

impl std::fmt::Display for Timed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "sample 1 drawn as started after {}, its first token drawn after {}; the pane when done: {}",
            ms(self.started),
            ms(self.first_token),
            self.pane
        )
    }
}

/// Presses `key` and times the preview of `seed` it starts, then waits for it
/// to end.
fn preview(taxon: &mut pty::Pty, key: &str, seed: u32) -> Timed {
    let long = Duration::from_secs(300);
    let title = format!("· seed {seed} ");
    let started = taxon
        .time_keys(
            key,
            move |s| {
                let text = s.contents();
                text.contains(&title) && text.contains("sample 1 ")
            },
            long,
        )
        .unwrap_or_else(|| panic!("no sample started; the screen shows:\n{}", taxon.screen()));
    let first_token = started
        + taxon
            .time_keys("", move |s| first_token_drawn(s, seed), long)
            .unwrap_or_else(|| panic!("no first token; the screen shows:\n{}", taxon.screen()));
    let title = format!("· seed {seed} ");
    taxon
        .time_keys(
            "",
            move |s| {
                let text = s.contents();
                text.contains(&title) && text.contains("done: ")
            },
            long,
        )
        .expect("the preview ends");
    Timed {
        started,
        first_token,
        pane: pane_figures(&taxon.screen()),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list: nothing to run there
    }
    println!("{}", machine::describe());
    let model = generate_cli::model();
    println!("model {}", model.display());
    let taxonomy = tempfile::tempdir().expect("a taxonomy");
    pty::copy_sample(taxonomy.path());
    let home = tempfile::tempdir().expect("a home");
    let cache = AppDirs::from_env().cache;
    let cache = cache.to_str().expect("a utf-8 cache path");
    let mut taxon = pty::Pty::spawn(
        &[taxonomy.path().to_str().expect("utf-8 path")],
        home.path(),
        &[("TAXON_CACHE_DIR", cache), ("OMP_WAIT_POLICY", "passive")],
        160,
        48,
    );
    taxon.wait_for("Taxonomy ·", Duration::from_secs(60));
    taxon.send("/");
    for c in QUERY.chars() {
        taxon.send(&c.to_string());
    }
    taxon.wait_for(&format!("> {QUERY}"), Duration::from_secs(10));
    taxon.send("\r");

    let cold = preview(&mut taxon, "g", SEED);
    println!("cold (the model loads on the key press), `g`: {cold}");
    let mut warm = Vec::new();
    for run in 1..=RUNS as u32 {
        let seed = SEED + run * SAMPLES;
        let run = preview(&mut taxon, "G", seed);
        println!("warm, `G`, seed {seed}: {run}");
        warm.push(run.first_token);
    }
    warm.sort();
    println!(
        "warm, {RUNS} previews: key press to first preview token drawn: median {}, min {}, max {} \
         (from the key's write to the read of that frame, µs resolution)",
        ms(warm[warm.len() / 2]),
        ms(warm[0]),
        ms(*warm.last().expect("some runs"))
    );
    taxon.send("\x1b"); // the pane, then the interface
    taxon.send("q");
    taxon.wait_exit(Duration::from_secs(30));
    println!("{}", machine::describe());
}
