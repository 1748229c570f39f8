//! The fuzz target's checks (`tests/support/fuzz_check.rs`) over a fixed corpus,
//! in the ordinary suite: the sample taxonomy's leaves, the differential test's
//! mutated leaves, and byte-level mutants of them made from a fixed seed (bit
//! flips, cut and repeated ranges, splices, and tokens the YAML grammar and
//! UTF-8 decoding turn on, invalid bytes among them). A short, deterministic
//! run of what `cargo fuzz` explores at length (README "Fuzzing"), without the
//! instrumented build.

#[path = "support/fuzz_check.rs"]
mod fuzz_check;
#[allow(dead_code)] // The differential test uses the rest.
#[path = "support/mutations.rs"]
mod mutations;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// Byte-level mutants made per run.
const MUTANTS: usize = 2_000;
/// Bytes that matter to the scanner, the parser or the decoder.
const TOKENS: &[&[u8]] = &[
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\xef\xbb\xbf",
    b"\0",
    b"\t",
    b"\r\n",
    b"\r",
    b"\n\n",
    b"  ",
    b"- ",
    b": ",
    b"? ",
    b"&a ",
    b"*a",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"|+\n",
    b">-\n",
    b"|2\n",
    b"'",
    b"\"",
    b"\\",
    b"#",
    b"!!str ",
    b"!!binary ",
    b"<<: ",
    b"%YAML 1.1\n",
    b"---\n",
    b"...\n",
    b"9999999999999999999999999999999999999999",
];

/// One mutant of `seeds[..]`: one to four edits of a seed's bytes.
fn mutant(rng: &mut fastrand::Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.usize(..seeds.len())].clone();
    for _ in 0..rng.usize(1..=4) {
        let at = rng.usize(..=data.len());
        match rng.u8(..5) {
            0 if !data.is_empty() => {
                let i = rng.usize(..data.len());
                data[i] ^= 1 << rng.u8(..8);
            }
            1 => {
                let end = (at + rng.usize(1..=16)).min(data.len());
                data.drain(at..end);
            }
            2 => {
                let end = (at + rng.usize(1..=64)).min(data.len());
                let range = data[at..end].to_vec();
                let to = rng.usize(..=data.len());
                data.splice(to..to, range);
            }
            3 => {
                let other = &seeds[rng.usize(..seeds.len())];
                let from = rng.usize(..=other.len());
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            _ => {
                let token = TOKENS[rng.usize(..TOKENS.len())];
                data.splice(at..at, token.iter().copied());
            }
        }
    }
    data
}

#[test]
fn the_fuzz_checks_hold_on_a_fixed_corpus() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-taxonomy");
    let originals = mutations::originals(&sample).unwrap();
    let mut seeds: Vec<Vec<u8>> = originals
        .iter()
        .map(|o| o.text.clone().into_bytes())
        .collect();
    seeds.extend(
        mutations::corpus(&originals)
            .into_iter()
            .map(|v| v.text.into_bytes()),
    );
    assert!(seeds.len() > 100, "the corpus shrank to {}", seeds.len());

    let mut rng = fastrand::Rng::with_seed(0x7a78_6f6e);
    let mutants: Vec<Vec<u8>> = (0..MUTANTS).map(|_| mutant(&mut rng, &seeds)).collect();
    let not_utf8 = mutants
        .iter()
        .filter(|m| std::str::from_utf8(m).is_err())
        .count();
    // The corpus reaches the decoder's refusals as well as the YAML grammar.
    assert!(
        not_utf8 > MUTANTS / 20,
        "only {not_utf8} mutants are not UTF-8"
    );

    let failures: Vec<String> = seeds
        .iter()
        .chain(&mutants)
        .enumerate()
        .filter_map(|(index, data)| {
            catch_unwind(AssertUnwindSafe(|| fuzz_check::check(data)))
                .err()
                .map(|_| format!("input {index}: {:?}", String::from_utf8_lossy(data)))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} inputs failed the fuzz checks:\n{}",
        failures.len(),
        seeds.len() + mutants.len(),
        failures.join("\n")
    );
}
