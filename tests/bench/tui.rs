//! `cargo bench --bench tui`: the interface on a generated 10,000-leaf taxonomy.
//! In the real binary in a pseudo-terminal: time to the first frame, each finder
//! keystroke until the frame showing its results (the finder's worker, the
//! popup's drawing and the frame pacing included), and CPU used while idle. In
//! this process, as second figures: the library's load and first draw, and
//! `Index::search` alone per keystroke (`-- --in-process-only` gives only these).

#[path = "../support/machine.rs"]
mod machine;
#[path = "../support/pty.rs"]
mod pty;
#[allow(dead_code)] // the all-valid taxonomy only
#[path = "../support/synthetic.rs"]
mod synthetic;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use taxon::find::{FIND_LIMIT, Field, Hit, Index};
use taxon::taxonomy::model::Taxonomy;
use taxon::taxonomy::validate::Options;
use taxon::tui::app::App;
use taxon::tui::keymap::Keymap;
use taxon::tui::marks::LeafMarks;
use taxon::tui::view::widgets::centered_in;

const LEAVES: usize = 10_000;
const COLUMNS: u16 = 120;
const ROWS: u16 = 40;
const QUERIES: [&str; 12] = [
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
const BACKSPACE: &str = "\x7f";
/// How long the idle process is watched.
const IDLE_WINDOW: Duration = Duration::from_secs(10);

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

/// p50 / p99 / max of `samples`.
fn spread(mut samples: Vec<Duration>) -> String {
    samples.sort();
    format!(
        "p50 {}, p99 {}, max {}",
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99)),
        ms(*samples.last().expect("some samples"))
    )
}

/// Every keystroke typing each query and backspacing it to empty: the text in
/// the finder after it, and the key.
fn keystrokes() -> Vec<(String, &'static str)> {
    let mut keys = Vec::new();
    for query in QUERIES {
        let mut typed = String::new();
        for (at, c) in query.char_indices() {
            typed.push(c);
            keys.push((typed.clone(), &query[at..at + c.len_utf8()]));
        }
        while typed.pop().is_some() {
            keys.push((typed.clone(), BACKSPACE));
        }
    }
    keys
}

fn spawn(root: &Path, home: &Path) -> pty::Pty {
    let root = root.to_str().expect("utf-8 path");
    pty::Pty::spawn(&[root], home, &[], COLUMNS, ROWS)
}

fn showing(text: &'static str) -> impl Fn(&vt100::Screen) -> bool + Send + 'static {
    move |screen| screen.contents().contains(text)
}

fn first_frame_in_pty(root: &Path) -> Duration {
    let home = tempfile::tempdir().expect("a home");
    let start = Instant::now();
    let mut taxon = spawn(root, home.path());
    let spawned = start.elapsed();
    let first = taxon
        .time_keys("", showing("Taxonomy ·"), Duration::from_secs(60))
        .expect("a first frame");
    taxon.send("q");
    taxon.wait_exit(Duration::from_secs(10));
    spawned + first
}

/// CPU time (user + system) of each thread of a process, by thread id, in
/// nanoseconds, from /proc/PID/task/*/schedstat.
fn thread_cpu_times(pid: u32) -> HashMap<String, Duration> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).expect("the process's threads");
    tasks
        .filter_map(|task| {
            let task = task.ok()?;
            let stat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
            let nanos = stat.split_whitespace().next()?.parse::<u64>().ok()?;
            Some((
                task.file_name().to_string_lossy().into_owned(),
                Duration::from_nanos(nanos),
            ))
        })
        .collect()
}

/// The CPU time a process's threads used between two readings (a thread that
/// ended meanwhile counts for nothing: the time it used is gone with it).
fn cpu_used(before: &HashMap<String, Duration>, after: &HashMap<String, Duration>) -> Duration {
    after
        .iter()
        .map(|(tid, now)| now.saturating_sub(before.get(tid).copied().unwrap_or_default()))
        .sum()
}

/// The finder's popup on the screen: its title row and its inner columns.
fn finder_area() -> Rect {
    centered_in(Rect::new(0, 0, COLUMNS, ROWS), 85, 80)
}

fn row_text(screen: &vt100::Screen, row: u16, area: Rect) -> String {
    screen.contents_between(row, area.x + 1, row, area.x + area.width - 1)
}

/// Whether the screen shows the finder holding `typed` with `hits` listed: its
/// count in the title, and the first hit's text with its matched characters
/// highlighted (bold).
fn shows_hits(screen: &vt100::Screen, typed: &str, hits: &[Hit]) -> bool {
    let area = finder_area();
    let title = screen.contents_between(area.y, 0, area.y, COLUMNS);
    if !title.contains(&format!(" Find · {} leaves match ", hits.len())) {
        return false;
    }
    if row_text(screen, area.y + 1, area).trim_end() != format!("> {typed}").trim_end() {
        return false;
    }
    let first_row = area.y + 2;
    let Some(first) = hits.first() else {
        return row_text(screen, first_row, area).contains("no leaf matches");
    };
    let prefix = match first.field {
        Field::Path => String::new(),
        Field::Description => "description  ".to_owned(),
        Field::Question(example) => format!("Q{}  ", example + 1),
    };
    let width = usize::from(area.width - 2);
    let start = area.x + 1 + prefix.chars().count() as u16;
    first
        .text
        .chars()
        .enumerate()
        .take(width.saturating_sub(prefix.chars().count()))
        .all(|(i, c)| {
            screen
                .cell(first_row, start + i as u16)
                .is_some_and(|cell| {
                    cell.contents() == c.to_string()
                        && cell.bold() == first.positions.contains(&(i as u32))
                })
        })
}

/// The count and the first hit's field, text and highlighted characters.
type Shown<'a> = (usize, Option<(Field, &'a str, &'a [u32])>);

/// What a frame shows of a result list: the count and the first hit, highlights
/// included.
fn visible(hits: &[Hit]) -> Shown<'_> {
    let first = hits
        .first()
        .map(|h| (h.field, h.text.as_str(), h.positions.as_slice()));
    (hits.len(), first)
}

/// Finder keystrokes in the binary: the times from each key's write to the read
/// of the frame that shows its results, and how many keystrokes were not timed
/// because their frame looks like the one before (same count and first hit).
fn finder_in_pty(taxon: &mut pty::Pty, taxonomy: &Taxonomy) -> (Vec<Duration>, usize) {
    let mut index = Index::build(taxonomy);
    let timeout = Duration::from_secs(30);
    let opened = taxon.time_keys("/", showing("type to search"), timeout);
    opened.expect("the finder opens");
    let (mut timed, mut untimed) = (Vec::new(), 0);
    let mut before: Vec<Hit> = Vec::new();
    for (typed, key) in keystrokes() {
        if typed.is_empty() {
            taxon.time_keys(key, showing("type to search"), timeout);
            before.clear();
            continue;
        }
        let hits = index.search(&typed, FIND_LIMIT);
        if visible(&hits) == visible(&before) {
            // Its frame cannot be told from the last one: wait for the typed text,
            // then long enough for the search, and go on.
            let echo = format!("> {typed}");
            taxon.time_keys(
                key,
                move |screen| screen.contents().contains(&echo),
                timeout,
            );
            std::thread::sleep(Duration::from_millis(100));
            untimed += 1;
        } else {
            let (want, query) = (hits.clone(), typed.clone());
            match taxon.time_keys(key, move |s| shows_hits(s, &query, &want), timeout) {
                Some(elapsed) => timed.push(elapsed),
                None => panic!(
                    "{typed:?}: the finder did not show its {} hits; the screen shows:\n{}",
                    hits.len(),
                    taxon.screen()
                ),
            }
        }
        before = hits;
    }
    (timed, untimed)
}

/// The binary after every leaf is validated: CPU used while idle, then the finder.
fn idle_and_finder_in_pty(root: &Path, taxonomy: &Taxonomy) {
    let home = tempfile::tempdir().expect("a home");
    let spawned = Instant::now();
    let mut taxon = spawn(root, home.path());
    // Idle means after the background validation of every leaf (the status bar
    // says "validating" meanwhile; the watch sees every frame) and the git status
    // that follows it.
    let long = Duration::from_secs(300);
    taxon
        .time_keys("", showing("validating"), long)
        .expect("the validation starts");
    let called = spawned.elapsed();
    let validated = taxon
        .time_keys("", |s| !s.contents().contains("validating"), long)
        .expect("the validation ends");
    println!(
        "binary in a pty: every leaf validated {} after the spawn",
        ms(called + validated)
    );
    std::thread::sleep(Duration::from_secs(2));
    let pid = taxon.pid().expect("a pid");
    let before = thread_cpu_times(pid);
    std::thread::sleep(IDLE_WINDOW);
    let after = thread_cpu_times(pid);
    let idle = cpu_used(&before, &after);
    let ended = before
        .keys()
        .filter(|tid| !after.contains_key(*tid))
        .count();
    println!(
        "binary in a pty, idle: {} of CPU in {} s ({:.3}% of one core; /proc/PID/task/*/schedstat, \
         ns resolution; {} threads, of which {ended} ended meanwhile, not counted)",
        ms(idle),
        IDLE_WINDOW.as_secs(),
        idle.as_secs_f64() / IDLE_WINDOW.as_secs_f64() * 100.0,
        before.len()
    );

    let (timed, untimed) = finder_in_pty(&mut taxon, taxonomy);
    println!(
        "binary in a pty, finder keystroke to the frame showing its results, over {} keystrokes: {} \
         (from the key's write to the read of that frame's output, µs resolution; {untimed} more \
         keystrokes not timed: their frame looks like the one before)",
        timed.len(),
        spread(timed)
    );
    taxon.send("\x1b");
    taxon.send("q");
    taxon.wait_exit(Duration::from_secs(10));
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

/// `Index::search` alone, in this process, per keystroke of the same queries.
fn finder_in_process(taxonomy: &Taxonomy) {
    let index_start = Instant::now();
    let mut index = Index::build(taxonomy);
    println!(
        "in this process: finder index of {} texts built in {}",
        index.len(),
        ms(index_start.elapsed())
    );
    // (wall time, CPU time of the whole process, query) per keystroke; the CPU
    // time over the cores says what the wall time is on an otherwise idle machine.
    let mut keystrokes: Vec<(Duration, Duration, String)> = keystrokes()
        .into_iter()
        .map(|(typed, _)| {
            let (start, cpu_start) = (Instant::now(), process_cpu_time());
            std::hint::black_box(index.search(&typed, FIND_LIMIT));
            (start.elapsed(), process_cpu_time() - cpu_start, typed)
        })
        .collect();
    println!(
        "in this process, Index::search alone (no worker, no drawing, no frame pacing) over {} keystrokes: {}",
        keystrokes.len(),
        spread(keystrokes.iter().map(|k| k.0).collect())
    );
    let cores = machine::cores() as u32;
    let mut cpu: Vec<Duration> = keystrokes.iter().map(|k| k.1).collect();
    cpu.sort();
    println!(
        "in this process, Index::search CPU per keystroke: {} (over {cores} cores: p99 {}; getrusage, µs resolution)",
        spread(cpu.clone()),
        ms(percentile(&cpu, 0.99) / cores)
    );
    keystrokes.sort_by_key(|k| std::cmp::Reverse(k.0));
    let slowest: Vec<String> = keystrokes
        .iter()
        .take(5)
        .map(|(wall, _, query)| format!("{query:?} {}", ms(*wall)))
        .collect();
    println!("in this process, slowest searches: {}", slowest.join(", "));
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!("{}", machine::describe());
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
    let mut terminal = Terminal::new(TestBackend::new(COLUMNS, ROWS)).expect("test terminal");
    terminal.draw(|frame| app.draw(frame)).expect("draw");
    let first_draw = start.elapsed();
    let draw_start = Instant::now();
    for _ in 0..100 {
        terminal.draw(|frame| app.draw(frame)).expect("draw");
    }
    let per_draw = draw_start.elapsed() / 100;
    println!("generated taxonomy: {} leaves", taxonomy.leaves.len());
    println!(
        "in this process: load + validate {}, first draw done at {}, each redraw {}",
        ms(loaded),
        ms(first_draw),
        ms(per_draw)
    );
    finder_in_process(&taxonomy);

    if !std::env::args().any(|a| a == "--in-process-only") {
        println!(
            "binary in a pty: first frame {} after the spawn (the read of its output, µs resolution)",
            ms(first_frame_in_pty(&root))
        );
        idle_and_finder_in_pty(&root, &taxonomy);
    }
    println!("{}", machine::describe());
}
