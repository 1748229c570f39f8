//! The differential test against upstream's validator on leaves from a grammar
//! (`support/leaf_grammar.rs`): every scalar style at every indentation, flow and
//! block collections, comments, directives, document markers, byte-order marks,
//! tabs, CR, CRLF and the Unicode line breaks. For each case taxon must reach
//! upstream's verdicts (each file's own version, and version 3 forced), report the
//! same yamllint findings (line, column, rule and level) and load the same value as
//! `yaml.safe_load`, as `tests/differential.rs` compares them.
//!
//! A fixed-seed sample runs with the other tests. The long run is ignored:
//! `cargo test --release --test differential_generated -- --ignored --nocapture`,
//! with `TAXON_GENERATED_CASES` (default 100,000), `TAXON_GENERATED_SEED`
//! (default 2026) and `TAXON_GENERATED_FROM` (the first case's number, default 0,
//! to resume a run). Needs upstream's venv, as `tests/differential.rs` does.

#[path = "support/leaf_grammar.rs"]
mod leaf_grammar;
#[path = "support/upstream_judge.rs"]
mod upstream_judge;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use upstream_judge::{Case, Finding, Side, judge_cases, report};

/// The seed of the sample that runs with the other tests.
const SEED: u64 = 13;
/// How many cases that sample has.
const SAMPLE: u64 = 2_000;
/// How many cases one judge process takes at a time in the long run.
const BATCH: u64 = 5_000;

/// Writes cases `numbers` of `seed` under `root`, each in its own leaf folder with
/// an attribution file: their paths and names.
fn write(root: &Path, seed: u64, numbers: Range<u64>) -> (Vec<PathBuf>, Vec<(String, String)>) {
    let mut paths = Vec::new();
    let mut names = Vec::new();
    for number in numbers {
        let leaf = leaf_grammar::leaf(seed, number);
        let top = if leaf.knowledge {
            "knowledge"
        } else {
            "compositional_skills"
        };
        let folder = root
            .join(top)
            .join("generated")
            .join(format!("case_{number}"));
        std::fs::create_dir_all(&folder).expect("a leaf folder");
        std::fs::write(folder.join("attribution.txt"), "Generated for the test.\n")
            .expect("an attribution file");
        let path = folder.join("qna.yaml");
        std::fs::write(&path, &leaf.text).expect("a leaf");
        paths.push(path);
        names.push((format!("case {number}"), format!("seed {seed}")));
    }
    (paths, names)
}

/// Every way the cases disagree with upstream, one entry per case.
fn disagreements(cases: &[Case]) -> Vec<(&Case, String)> {
    let found = [
        (
            "verdict (own version)",
            upstream_judge::verdict_disagreements(cases.iter(), Side::Own).1,
        ),
        (
            "verdict (version 3 forced)",
            upstream_judge::verdict_disagreements(cases.iter(), Side::ForcedV3).1,
        ),
        (
            "yamllint (line, rule)",
            upstream_judge::lint_disagreements(cases.iter(), Finding::line_rule).1,
        ),
        (
            "yamllint (line, col, rule, level)",
            upstream_judge::lint_disagreements(cases.iter(), Finding::full).1,
        ),
        (
            "safe_load",
            upstream_judge::load_disagreements(cases.iter()).1,
        ),
    ];
    let mut by_case: BTreeMap<String, (&Case, String)> = BTreeMap::new();
    for (label, bad) in found {
        for (case, why) in bad {
            let entry = by_case
                .entry(case.name.clone())
                .or_insert((case, String::new()));
            entry.1.push_str(&format!("{label}: {why}\n"));
        }
    }
    by_case.into_values().collect()
}

/// Judges cases `numbers` of `seed` on both sides.
fn judged(seed: u64, numbers: Range<u64>) -> (tempfile::TempDir, Vec<Case>) {
    let root = tempfile::tempdir().expect("a temporary taxonomy");
    let (paths, names) = write(root.path(), seed, numbers);
    let cases = judge_cases(paths, names, true);
    (root, cases)
}

/// Of `cases` (generated from `seed`), how many continue a quoted scalar at or left
/// of its key's column (issue 13's class, which YAML 1.2 refuses), and how many of
/// those upstream accepts.
fn shallow_quoted(seed: u64, cases: &[Case]) -> (usize, usize) {
    let shallow: Vec<&Case> = cases
        .iter()
        .filter(|case| {
            let number = case
                .name
                .strip_prefix("case ")
                .and_then(|n| n.parse().ok())
                .expect("a generated case's name");
            leaf_grammar::leaf(seed, number).shallow_quoted
        })
        .collect();
    let accepted = shallow
        .iter()
        .filter(|case| case.upstream["own"]["has_error"] == false)
        .count();
    (shallow.len(), accepted)
}

#[test]
fn generated_leaves_agree_with_upstream() {
    let start = Instant::now();
    let (_root, cases) = judged(SEED, 0..SAMPLE);
    let rejected = cases
        .iter()
        .filter(|c| c.upstream["own"]["has_error"] == true)
        .count();
    let unloadable = cases
        .iter()
        .filter(|c| c.upstream["load"].get("error").is_some())
        .count();
    let (shallow, shallow_accepted) = shallow_quoted(SEED, &cases);
    let bad = disagreements(&cases);
    let summary = format!(
        "{SAMPLE} generated leaves of seed {SEED} (upstream rejects {rejected}, cannot load \
         {unloadable}; {shallow} continue a quoted scalar at or left of its key's column, \
         upstream accepts {shallow_accepted} of them; {:.1} s)",
        start.elapsed().as_secs_f64()
    );
    assert!(
        shallow_accepted > 0,
        "the sample must hold issue 13's class: {summary}"
    );
    report(&summary, cases.len(), &bad);
}

#[test]
#[ignore = "the long run: 100,000 cases by default, about half an hour"]
fn many_generated_leaves_agree_with_upstream() {
    let number = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.replace('_', "").parse().ok())
            .unwrap_or(default)
    };
    let seed = number("TAXON_GENERATED_SEED", 2026);
    let total = number("TAXON_GENERATED_CASES", 100_000);
    let first = number("TAXON_GENERATED_FROM", 0);
    let start = Instant::now();
    let batches: Vec<Range<u64>> = (first..total)
        .step_by(BATCH as usize)
        .map(|from| from..(from + BATCH).min(total))
        .collect();
    let mut checked = 0;
    let (mut shallow, mut shallow_accepted) = (0, 0);
    let mut failures = Vec::new();
    // Two judges at a time, one batch each.
    for pair in batches.chunks(2) {
        let results: Vec<(usize, (usize, usize), Vec<String>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = pair
                .iter()
                .map(|numbers| {
                    let numbers = numbers.clone();
                    scope.spawn(move || {
                        let (_root, cases) = judged(seed, numbers);
                        let bad = disagreements(&cases)
                            .into_iter()
                            .map(|(case, why)| {
                                format!("{} ({}):\n{why}{}", case.name, case.origin, case.text)
                            })
                            .collect();
                        (cases.len(), shallow_quoted(seed, &cases), bad)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a batch"))
                .collect()
        });
        for (count, (batch_shallow, batch_accepted), bad) in results {
            checked += count;
            shallow += batch_shallow;
            shallow_accepted += batch_accepted;
            failures.extend(bad);
        }
        println!(
            "{checked} of cases {first}..{total} of seed {seed} judged, {} disagree; {shallow} continue \
             a quoted scalar at or left of its key's column, upstream accepts \
             {shallow_accepted} of them ({:.0} s)",
            failures.len(),
            start.elapsed().as_secs_f64()
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} generated cases (seed {seed}) disagree; the first:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n---\n")
    );
}
