//! `cargo bench --bench tui`: the interface on a generated 10,000-leaf taxonomy:
//! time to first frame (the real binary in a pseudo-terminal, and the library's
//! load + first draw), fuzzy-finder latency per keystroke (p50 / p99 / max over
//! typed queries on paths and questions), and CPU used while idle.

#[path = "../support/pty.rs"]
mod pty;
#[path = "../support/synthetic.rs"]
mod synthetic;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use taxon::find::{FIND_LIMIT, Index};
use taxon::taxonomy::model::Taxonomy;
use taxon::taxonomy::validate::Options;
use taxon::tui::app::App;
use taxon::tui::keymap::Keymap;
use taxon::tui::marks::LeafMarks;

const LEAVES: usize = 10_000;

fn taxonomy_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-taxonomy-{LEAVES}"));
    let done = root.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&root);
        synthetic::write_taxonomy(&root, LEAVES).expect("write the generated taxonomy");
        std::fs::write(&done, "").expect("mark it complete");
    }
    root
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn first_frame_in_pty(root: &Path) -> Duration {
    let home = tempfile::tempdir().expect("a home");
    let start = Instant::now();
    let mut taxon = pty::Pty::spawn(
        &[root.to_str().expect("utf-8 path")],
        home.path(),
        &[],
        120,
        40,
    );
    taxon.wait_for("Taxonomy ·", Duration::from_secs(60));
    let elapsed = start.elapsed();
    taxon.send("q");
    taxon.wait_exit(Duration::from_secs(10));
    elapsed
}

fn idle_cpu(root: &Path) -> (Duration, Duration) {
    let home = tempfile::tempdir().expect("a home");
    let mut taxon = pty::Pty::spawn(
        &[root.to_str().expect("utf-8 path")],
        home.path(),
        &[],
        120,
        40,
    );
    taxon.wait_for("Taxonomy ·", Duration::from_secs(60));
    // Idle means after the background validation of every leaf and the git
    // status that follows it.
    let start = Instant::now();
    while taxon.screen().contains("validating") {
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "validation never ended"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    println!(
        "binary in a pty: every leaf validated {} after the first frame",
        ms(start.elapsed())
    );
    std::thread::sleep(Duration::from_secs(2));
    let pid = taxon.pid().expect("a pid");
    let before = cpu_time(pid);
    let window = Duration::from_secs(10);
    std::thread::sleep(window);
    let used = cpu_time(pid) - before;
    taxon.send("q");
    taxon.wait_exit(Duration::from_secs(10));
    (used, window)
}

/// User + system CPU time of this process so far, all threads.
fn process_cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}

/// User + system CPU time of a process, from /proc.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc/pid/stat");
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .expect("stat format")
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let root = taxonomy_dir();

    let start = Instant::now();
    let taxonomy = Taxonomy::load(&root, &Options::default());
    let loaded = start.elapsed();
    let app = App::new(
        taxonomy.clone(),
        LeafMarks::default(),
        None,
        Keymap::default(),
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
    terminal.draw(|frame| app.draw(frame)).expect("draw");
    let first_draw = start.elapsed();
    let draw_start = Instant::now();
    for _ in 0..100 {
        terminal.draw(|frame| app.draw(frame)).expect("draw");
    }
    let per_draw = draw_start.elapsed() / 100;

    let index_start = Instant::now();
    let mut index = Index::build(&taxonomy);
    let index_built = index_start.elapsed();
    let queries = [
        "science",
        "knowledge river",
        "why does the",
        "compositional technology task",
        "example 3 glacier",
        "harbor meadow",
        "topic_9999",
        "grounded history",
        "explain the engine",
        "q4.2",
        "zzzz",
        "valley copper",
    ];
    // (wall time, CPU time of the whole process, query) per keystroke; the CPU time
    // over the cores says what the wall time is on an otherwise idle machine.
    let mut keystrokes: Vec<(Duration, Duration, String)> = Vec::new();
    let mut search = |typed: &str| {
        let (start, cpu_start) = (Instant::now(), process_cpu_time());
        std::hint::black_box(index.search(typed, FIND_LIMIT));
        keystrokes.push((
            start.elapsed(),
            process_cpu_time() - cpu_start,
            typed.to_owned(),
        ));
    };
    for query in queries {
        let mut typed = String::new();
        for c in query.chars() {
            typed.push(c);
            search(&typed);
        }
        // backspacing to empty: each step is a fresh (wider) search
        while typed.pop().is_some() {
            search(&typed);
        }
    }
    let mut latencies: Vec<Duration> = keystrokes.iter().map(|k| k.0).collect();
    latencies.sort();
    let mut cpu: Vec<Duration> = keystrokes.iter().map(|k| k.1).collect();
    cpu.sort();
    keystrokes.sort_by_key(|k| std::cmp::Reverse(k.0));

    let finder_only = std::env::args().any(|a| a == "--finder-only");
    let (pty_frame, (idle, window)) = if finder_only {
        (Duration::ZERO, (Duration::ZERO, Duration::from_secs(1)))
    } else {
        (first_frame_in_pty(&root), idle_cpu(&root))
    };

    println!(
        "generated taxonomy: {} leaves, finder index {} texts",
        taxonomy.leaves.len(),
        index.len()
    );
    println!(
        "library: load + validate {}, first draw done at {}, each redraw {}",
        ms(loaded),
        ms(first_draw),
        ms(per_draw)
    );
    println!("binary in a pty: first frame after {}", ms(pty_frame));
    println!("finder index built in {}", ms(index_built));
    println!(
        "finder per keystroke over {} keystrokes: p50 {}, p99 {}, max {}",
        latencies.len(),
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().expect("some keystrokes"))
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    println!(
        "finder CPU per keystroke: p50 {}, p99 {}, max {} (over {cores} cores: p99 {})",
        ms(percentile(&cpu, 0.5)),
        ms(percentile(&cpu, 0.99)),
        ms(*cpu.last().expect("some keystrokes")),
        ms(percentile(&cpu, 0.99) / cores)
    );
    let slowest: Vec<String> = keystrokes
        .iter()
        .take(5)
        .map(|(wall, _, query)| format!("{query:?} {}", ms(*wall)))
        .collect();
    println!("slowest keystrokes: {}", slowest.join(", "));
    println!(
        "idle: {} of CPU in {} s ({:.2}% of one core)",
        ms(idle),
        window.as_secs(),
        idle.as_secs_f64() / window.as_secs_f64() * 100.0
    );
}
