//! A save by someone else is never lost to taxon: not to `validate --fix`
//! (`taxon::taxonomy::fix::fix_file`, what the command runs on each leaf) and not to the
//! TUI's save (`LeafBuffer::save`). Each round, taxon works on the file while an editor
//! saves it the way editors do (a new file renamed over it) at a random moment; after
//! the round the editor's save must be on disk (fixed, at most).
//!
//! The editor is a thread of this test rather than another process: renames and
//! exchanges are atomic in the file system whoever makes them, so the races are the
//! same. `cargo test --test racing_saves` runs a few hundred rounds of each;
//! `cargo test --release --test racing_saves -- --ignored --nocapture` runs 10,000 and
//! prints how the rounds came out.

use std::path::Path;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use taxon::buffer::LeafBuffer;
use taxon::taxonomy::fix::{FixError, fix_file};

/// What an editor saves in round `round`: trailing spaces, so that `--fix` has work.
fn save_of(round: usize) -> String {
    format!("version: 3\nround: {round}  \n")
}

/// [`save_of`] as `--fix` leaves it.
fn fixed_save_of(round: usize) -> String {
    format!("version: 3\nround: {round}\n")
}

/// A small deterministic generator of the editor's delays.
struct Delays(u64);

impl Delays {
    /// Up to `max_micros` microseconds.
    fn next(&mut self, max_micros: u64) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Duration::from_micros(self.0 % (max_micros + 1))
    }
}

/// Saves `text` at `path` as editors do: a new file, renamed over the old one.
fn editor_save(path: &Path, text: &str) {
    let temp = path.with_extension("editor-tmp");
    std::fs::write(&temp, text).unwrap();
    std::fs::rename(&temp, path).unwrap();
}

/// Busy-waits (a sleep would round up to the scheduler's tick, far past the race).
fn wait(delay: Duration) {
    let until = Instant::now() + delay;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

/// How the rounds came out.
#[derive(Debug, Default)]
struct Outcomes {
    /// taxon's write landed first; the editor's save then replaced it.
    landed_then_saved_over: usize,
    /// taxon read the editor's save and worked on it.
    worked_on_the_save: usize,
    /// taxon found the file changed and left it.
    backed_out: usize,
    /// The editor's save was gone afterwards.
    lost: Vec<String>,
}

/// `rounds` races of `taxon_side` against an editor's save. Each round the file holds
/// the previous round's save, `prepare` runs on it (before the race), then
/// `taxon_side` on what `prepare` made, while the editor saves; `taxon_side` says
/// whether it backed out, and the file must hold the editor's save, or `worked` of it.
fn race<P: Send>(
    rounds: usize,
    prepare: impl Fn(&Path) -> P,
    taxon_side: impl Fn(P) -> bool + Sync,
    worked: impl Fn(usize) -> String,
) -> Outcomes {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qna.yaml");
    let mut delays = Delays(0x9e37_79b9_7f4a_7c15);
    let mut outcomes = Outcomes::default();
    for round in 1..=rounds {
        std::fs::write(&path, save_of(round - 1)).unwrap();
        let delay = delays.next(3000);
        let prepared = prepare(&path);
        let start = Barrier::new(2);
        let backed_out = std::thread::scope(|scope| {
            let taxon = scope.spawn(|| {
                start.wait();
                taxon_side(prepared)
            });
            start.wait();
            wait(delay);
            editor_save(&path, &save_of(round));
            taxon.join().unwrap()
        });
        let on_disk = std::fs::read_to_string(&path).unwrap();
        if on_disk == save_of(round) {
            if backed_out {
                outcomes.backed_out += 1;
            } else {
                outcomes.landed_then_saved_over += 1;
            }
        } else if on_disk == worked(round) {
            outcomes.worked_on_the_save += 1;
        } else {
            outcomes.lost.push(format!("round {round}: {on_disk:?}"));
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["qna.yaml"], "no temporary file is left behind");
    outcomes
}

fn fix_races(rounds: usize) -> Outcomes {
    race(
        rounds,
        Path::to_owned,
        |path| match fix_file(&path) {
            Ok(repair) => {
                assert!(repair.fixed.is_some());
                false
            }
            Err(FixError::Replace(_)) => true,
            Err(other) => panic!("{other}"),
        },
        fixed_save_of,
    )
}

fn save_races(rounds: usize) -> Outcomes {
    race(
        rounds,
        // The leaf was opened and edited before the editor's save.
        |path| {
            let mut buffer = LeafBuffer::open(path.parent().unwrap(), Path::new("")).unwrap();
            buffer.text = "version: 3\nedited: in taxon\n".to_owned();
            buffer
        },
        |mut buffer| buffer.save().is_err(),
        // The save never works on the editor's text: it only writes its own.
        |_| String::new(),
    )
}

fn check(what: &str, rounds: usize, outcomes: &Outcomes) {
    println!("{what}: {rounds} races: {outcomes:?}");
    assert!(outcomes.lost.is_empty(), "{what}: lost saves: {outcomes:?}");
}

#[test]
fn fix_and_save_never_lose_a_racing_save() {
    for (what, races) in [
        ("--fix", fix_races as fn(usize) -> Outcomes),
        ("TUI save", save_races),
    ] {
        let outcomes = races(300);
        check(what, 300, &outcomes);
        // The races were real: taxon backed out of some, and landed first in others.
        assert!(outcomes.backed_out > 0, "{what}: {outcomes:?}");
        assert!(outcomes.landed_then_saved_over > 0, "{what}: {outcomes:?}");
    }
}

#[test]
#[ignore = "10,000 races of each: run with --ignored (a few minutes)"]
fn ten_thousand_races_lose_no_save() {
    check("--fix", 10_000, &fix_races(10_000));
    check("TUI save", 10_000, &save_races(10_000));
}
