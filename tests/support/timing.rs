//! Timings for the benches: medians of several runs after a warm-up.
#![allow(dead_code)] // Each bench uses its own subset.

use std::time::{Duration, Instant};

/// The middle of `samples`.
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// The median time of `f` over `runs` runs after a warm-up.
pub fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm the page cache and the allocator
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

/// The median time of each of `jobs`, run in turn `runs` times after a warm-up, so
/// that the machine's changing speed touches them alike.
pub fn alternate<const N: usize>(runs: usize, mut jobs: [&mut dyn FnMut(); N]) -> [Duration; N] {
    let mut samples: [Vec<Duration>; N] = std::array::from_fn(|_| Vec::new());
    for round in 0..=runs {
        for (job, samples) in jobs.iter_mut().zip(&mut samples) {
            let start = Instant::now();
            job();
            if round > 0 {
                samples.push(start.elapsed());
            }
        }
    }
    samples.map(median)
}
