//! `cargo bench --bench preview`: key press to the first preview token drawn, in
//! the real binary in a pseudo-terminal, so through the interface's runtime loop
//! (`src/tui/runtime.rs`: key reader, update, the preview job on its thread,
//! frame pacing, drawing) with the default model and the pane's defaults (the
//! `simple` pipeline, 3 samples wanted). Timed from the key's write to the read of
//! the frame where a candidate shows streamed text under its header, and apart
//! until the frame showing the first candidate; each preview is let finish before
//! the next `G` (new seed). Beside them, the figures the pane itself shows when
//! done (prompt, the engine's time to first token, tok/s).

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

/// The lines inside the preview pane, if it is open.
fn pane_lines(screen: &str) -> Option<Vec<String>> {
    let rows: Vec<Vec<char>> = screen.lines().map(|row| row.chars().collect()).collect();
    let title: Vec<char> = "┌ Preview ·".chars().collect();
    let (top, left) = rows.iter().enumerate().find_map(|(i, row)| {
        row.windows(title.len())
            .position(|w| w == title.as_slice())
            .map(|c| (i, c))
    })?;
    let lines = rows[top + 1..]
        .iter()
        .take_while(|row| row.get(left) == Some(&'│'))
        .map(|row| row[left + 1..].iter().take_while(|&&c| c != '│').collect())
        .collect();
    Some(lines)
}

/// Whether the preview pane shows seed `seed` and a candidate's streamed text:
/// a line under a working or waiting candidate's header (`… #N stage`), which
/// has none until its first token.
fn first_token_drawn(screen: &vt100::Screen, seed: u32) -> bool {
    let screen = screen.contents();
    if !screen.contains(&format!("· seed {seed} ")) {
        return false;
    }
    let Some(lines) = pane_lines(&screen) else {
        return false;
    };
    lines.windows(2).any(|pair| {
        let header = pair[0].starts_with("… #") || pair[0].starts_with("· #");
        header && pair[1].starts_with("  ") && !pair[1].trim().is_empty()
    })
}

/// The pane's own figures (prompt, first token, tok/s, model load), as drawn.
fn pane_figures(screen: &str) -> String {
    let figures: Vec<String> = pane_lines(screen)
        .unwrap_or_default()
        .into_iter()
        .filter(|l| l.contains(" tok") || l.contains("model loaded"))
        .map(|l| l.trim().to_owned())
        .collect();
    if figures.is_empty() {
        "(no figures shown)".to_owned()
    } else {
        figures.join(" · ")
    }
}

/// One preview, timed from its key.
struct Timed {
    /// Until the first candidate's header is drawn (the preview started).
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
            "first candidate drawn after {}, first token drawn after {}; the pane when done: {}",
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
                text.contains(&title) && (text.contains("… #") || text.contains("· #"))
            },
            long,
        )
        .unwrap_or_else(|| panic!("no candidate shown; the screen shows:\n{}", taxon.screen()));
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
