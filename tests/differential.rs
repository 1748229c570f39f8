//! Differential test against upstream's validator (instructlab-schema 0.4.2 with
//! yamllint 1.38.0 and PyYAML 6.0.3, judged by `tests/upstream/judge.py`): on every
//! leaf of `sample-taxonomy/` and on a few hundred mutations of them, taxon must
//! reach upstream's verdict (CI with SCHEMA_VERSION=0, and with version 3 forced),
//! report the same yamllint findings (syntax errors included, at PyYAML's place) and
//! load the same value as `yaml.safe_load`.
//!
//! Needs upstream's venv: `TAXON_UPSTREAM_PYTHON` (`bash tests/ci.sh` sets it; see
//! `support/upstream.rs`). Run with
//! `cargo test --test differential -- --nocapture` to see the summary;
//! `TAXON_DIFFERENTIAL_DETAIL=<n>` shows n disagreeing files in full (default 25) and
//! `TAXON_DIFFERENTIAL_KEEP=<new folder>` keeps the corpus there.
//!
//! Inputs where taxon deliberately differs (README "Deliberate differences from
//! upstream") are not in the corpus: alias bombs, files over 16 MiB, invalid UTF-8,
//! recursive aliases and symlinks (see `support/mutations.rs`).
//!
//! `tests/differential_generated.rs` does the same on leaves from a grammar.

#[path = "support/mutations.rs"]
mod mutations;
#[path = "support/upstream_judge.rs"]
mod upstream_judge;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use upstream_judge::{Case, Finding, Side, judge_cases, report};

struct Run {
    cases: Vec<Case>,
    mutated: usize,
    seconds: f64,
    judge_seconds: f64,
    categories: BTreeMap<&'static str, usize>,
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let start = Instant::now();
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-taxonomy");
        let originals = mutations::originals(&sample).expect("read the sample taxonomy");
        let variants = mutations::corpus(&originals);
        let temporary = tempfile::tempdir().expect("temporary taxonomy");
        // TAXON_DIFFERENTIAL_KEEP=<new folder> keeps the corpus there to look at.
        let root = match std::env::var_os("TAXON_DIFFERENTIAL_KEEP") {
            Some(dir) => {
                let dir = PathBuf::from(dir);
                assert!(!dir.exists(), "{} exists already", dir.display());
                dir
            }
            None => temporary.path().to_owned(),
        };
        let mut paths = mutations::write(&root, &variants).expect("write the corpus");
        let mut names: Vec<(String, String)> = variants
            .iter()
            .map(|v| (v.mutation.to_owned(), v.source.display().to_string()))
            .collect();
        // The unmodified sample, foundational leaves included, in place.
        for entry in walkdir::WalkDir::new(&sample).sort_by_file_name() {
            let entry = entry.expect("walk the sample");
            if entry.file_name() == "qna.yaml" {
                let rel = entry.path().strip_prefix(&sample).expect("inside");
                names.push(("sample".to_owned(), rel.display().to_string()));
                paths.push(entry.into_path());
            }
        }
        let judge_start = Instant::now();
        let cases = judge_cases(paths, names, true);
        let judge_seconds = judge_start.elapsed().as_secs_f64();
        let mut categories = BTreeMap::new();
        for v in &variants {
            *categories.entry(v.mutation).or_insert(0) += 1;
        }
        Run {
            cases,
            mutated: variants.len(),
            seconds: start.elapsed().as_secs_f64(),
            judge_seconds,
            categories,
        }
    })
}

/// Reports what `title` compared, with the corpus it was compared on.
fn report_run(title: &str, checked: usize, bad: &[(&Case, String)]) {
    let run = run();
    let summary = format!(
        "{title} ({} mutated variants of {} kinds + {} sample leaves; {:.1} s in all, \
         {:.1} s of it judging)",
        run.mutated,
        run.categories.len(),
        run.cases.len() - run.mutated,
        run.seconds,
        run.judge_seconds
    );
    report(&summary, checked, bad);
}

#[test]
fn corpus_covers_enough_variants() {
    let run = run();
    assert!(run.mutated >= 300, "only {} variants", run.mutated);
    assert!(
        run.cases.len() > run.mutated,
        "the sample taxonomy is judged too"
    );
    let unused: Vec<&str> = mutations::names()
        .into_iter()
        .filter(|name| !run.categories.contains_key(name))
        .collect();
    assert!(unused.is_empty(), "mutations that fit no leaf: {unused:?}");
    let crashes: Vec<&str> = run
        .cases
        .iter()
        .filter(|c| c.yamllint_crash().is_some())
        .map(|c| c.name.as_str())
        .collect();
    println!(
        "corpus: {} variants from {} mutations; upstream yamllint raised on {:?}",
        run.mutated,
        run.categories.len(),
        crashes
    );
}

#[test]
fn verdicts_agree_with_each_files_own_version() {
    let mutated = run().cases.iter().filter(|c| c.name != "sample");
    let (checked, bad) = upstream_judge::verdict_disagreements(mutated, Side::Own);
    report_run(
        "verdict (own version, as CI with SCHEMA_VERSION=0)",
        checked,
        &bad,
    );
}

#[test]
fn verdicts_agree_with_version_3_forced() {
    let (checked, bad) = upstream_judge::verdict_disagreements(run().cases.iter(), Side::ForcedV3);
    report_run(
        "verdict (schema version 3 forced, as CI on changed files)",
        checked,
        &bad,
    );
}

#[test]
fn sample_taxonomy_verdicts_agree() {
    let samples = run().cases.iter().filter(|c| c.name == "sample");
    let (checked, bad) = upstream_judge::verdict_disagreements(samples, Side::Own);
    report_run("verdict on the unmodified sample taxonomy", checked, &bad);
}

#[test]
fn yamllint_lines_and_rules_agree() {
    let (checked, bad) = upstream_judge::lint_disagreements(run().cases.iter(), Finding::line_rule);
    report_run("yamllint findings as (line, rule)", checked, &bad);
}

#[test]
fn yamllint_columns_and_levels_agree() {
    let (checked, bad) = upstream_judge::lint_disagreements(run().cases.iter(), Finding::full);
    report_run(
        "yamllint findings as (line, col, rule, level)",
        checked,
        &bad,
    );
}

#[test]
fn loaded_values_agree() {
    let (checked, bad) = upstream_judge::load_disagreements(run().cases.iter());
    report_run("what yaml.safe_load makes of each file", checked, &bad);
}
