//! `cargo bench --bench hostile`: validation time of the hostile leaves of issue 14
//! (a one-line flow sequence, a one-line flow mapping, a block mapping with many
//! keys, many aliases in a flow sequence), each at issue 14's size and at a tenth of
//! it. Linear stages keep the ratio near 10 (the target: at most 12x), and each
//! file of the larger size validates in under half a second (the target).
//!
//! Times are `validate_text` in this process (reading the file is not timed): the
//! two sizes are validated in turn, several rounds after a warm-up, so that the
//! machine's changing speed touches both alike, and the median of each is kept.

#[path = "../support/hostile.rs"]
mod hostile;
#[path = "../support/machine.rs"]
mod machine;
#[path = "../support/timing.rs"]
mod timing;

use std::path::Path;
use std::time::Duration;

use hostile::Shape;

/// The allocator the `taxon` binary uses, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use taxon::taxonomy::validate::{Attribution, Options, validate_text};
use timing::alternate;

/// Rounds of the two timings (the median of each is kept).
const RUNS: usize = 9;
/// The largest ratio of the two sizes' times the target allows.
const MAX_RATIO: f64 = 12.0;
/// The longest time the larger size may take.
const MAX_TIME: Duration = Duration::from_millis(500);

/// Validates `text` as a skill leaf: how many findings.
fn validate(text: &str) -> usize {
    let path = Path::new("compositional_skills/hostile/qna.yaml");
    validate_text(path, text, Attribution::Present, &Options::default())
        .diagnostics
        .len()
}

fn main() {
    println!(
        "{:<34} {:>9} {:>10} {:>9} {:>10} {:>10} {:>7}",
        "shape", "n/10", "time", "n", "bytes", "time", "ratio"
    );
    let mut met = true;
    for shape in Shape::ALL {
        let large = shape.issue_size();
        let small = large / 10;
        let (small_text, text) = (shape.leaf(small), shape.leaf(large));
        let [small_time, large_time] = alternate(
            RUNS,
            [
                &mut || {
                    std::hint::black_box(validate(&small_text));
                },
                &mut || {
                    std::hint::black_box(validate(&text));
                },
            ],
        );
        let findings = validate(&text);
        let ratio = large_time.as_secs_f64() / small_time.as_secs_f64();
        let ok = ratio <= MAX_RATIO && large_time < MAX_TIME;
        met &= ok;
        println!(
            "{:<34} {small:>9} {:>8.1}ms {large:>9} {:>10} {:>8.1}ms {ratio:>6.1}x{} ({findings} findings)",
            shape.name(),
            small_time.as_secs_f64() * 1e3,
            text.len(),
            large_time.as_secs_f64() * 1e3,
            if ok { "" } else { "  <- over target" },
        );
    }
    println!("{}", machine::describe());
    println!(
        "targets (each larger size under {} ms, ratio at most {MAX_RATIO}x): {}",
        MAX_TIME.as_millis(),
        if met { "met" } else { "NOT met" }
    );
}
