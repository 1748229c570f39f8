//! Differential test against upstream's validator (instructlab-schema 0.4.2 with
//! yamllint 1.38.0 and PyYAML 6.0.3, judged by `tests/upstream/judge.py`): on every
//! leaf of `sample-taxonomy/` and on a few hundred mutations of them, taxon must
//! reach upstream's verdict (CI with SCHEMA_VERSION=0, and with version 3 forced)
//! and report the same yamllint findings.
//!
//! Needs upstream's venv: `TAXON_UPSTREAM_PYTHON` (`bash tests/ci.sh` sets it; see
//! `support/upstream.rs`). Run with
//! `cargo test --test differential -- --nocapture` to see the summary;
//! `TAXON_DIFFERENTIAL_DETAIL=<n>` shows n disagreeing files in full (default 25) and
//! `TAXON_DIFFERENTIAL_KEEP=<new folder>` keeps the corpus there.
//!
//! Inputs where taxon deliberately differs (README "Deliberate differences from
//! upstream") are not in the corpus: alias bombs, files over 16 MiB, invalid UTF-8,
//! recursive aliases and symlinks (see `support/mutations.rs`). The last row, "taxon
//! adds the yamllint findings before a syntax error", changes only the messages of a
//! file that is rejected either way: the verdicts compared here still agree, and the
//! raw yamllint findings compared here are yamllint's own, which include them too.

#[path = "support/mutations.rs"]
mod mutations;
#[path = "support/upstream.rs"]
mod upstream;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Instant;
use upstream::upstream_python;

use serde_json::Value;
use taxon::taxonomy::diagnostic::{Diagnostic, Severity};
use taxon::taxonomy::validate::{Options, Report, validate_file, yamllint_findings};
use taxon::taxonomy::yaml::{self, LoadErrorKind};

/// How many disagreeing files are shown in full (the rest get one line each), unless
/// `TAXON_DIFFERENTIAL_DETAIL` says otherwise.
const DETAILED: usize = 25;

fn detailed() -> usize {
    std::env::var("TAXON_DIFFERENTIAL_DETAIL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DETAILED)
}

/// One yamllint finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Finding {
    line: u64,
    col: u64,
    rule: String,
    level: String,
    message: String,
}

impl Finding {
    fn from_upstream(v: &Value) -> Self {
        Self {
            line: v["line"].as_u64().unwrap_or(0),
            col: v["col"].as_u64().unwrap_or(0),
            rule: v["rule"].as_str().unwrap_or_default().to_owned(),
            level: v["level"].as_str().unwrap_or_default().to_owned(),
            message: v["message"].as_str().unwrap_or_default().to_owned(),
        }
    }

    fn from_taxon(d: &Diagnostic) -> Self {
        Self {
            line: d.line as u64,
            col: d.col as u64,
            rule: d.rule.to_owned(),
            level: level(d.severity).to_owned(),
            message: d.message.clone(),
        }
    }

    fn line_rule(&self) -> (u64, String) {
        (self.line, self.rule.clone())
    }

    fn full(&self) -> (u64, u64, String, String) {
        (self.line, self.col, self.rule.clone(), self.level.clone())
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// One file, judged by both sides.
struct Case {
    /// The mutation's name, or `sample` for an unmodified sample leaf.
    mutation: String,
    /// The sample leaf it came from.
    source: PathBuf,
    path: PathBuf,
    text: String,
    upstream: Value,
    taxon: Report,
    taxon_v3: Report,
    taxon_lint: Vec<Finding>,
}

impl Case {
    fn upstream_lint(&self) -> Vec<Finding> {
        self.upstream["yamllint"]
            .as_array()
            .map(|a| a.iter().map(Finding::from_upstream).collect())
            .unwrap_or_default()
    }

    fn yamllint_crash(&self) -> Option<&str> {
        self.upstream["yamllint_crash"].as_str()
    }
}

struct Run {
    cases: Vec<Case>,
    mutated: usize,
    seconds: f64,
    judge_seconds: f64,
    categories: BTreeMap<&'static str, usize>,
}

/// Upstream's verdict on every file, from one judge process.
fn judge(paths: &[PathBuf]) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upstream/judge.py");
    let python = upstream_python();
    let mut child = Command::new(&python)
        .arg(&script)
        .arg("--v3")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let mut stdin = child.stdin.take().expect("judge stdin");
    let list: String = paths.iter().map(|p| format!("{}\n", p.display())).collect();
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
    let stdout = child.stdout.take().expect("judge stdout");
    let records: Vec<Value> = BufReader::new(stdout)
        .lines()
        .map(|line| serde_json::from_str(&line.expect("judge output")).expect("judge JSON"))
        .collect();
    writer
        .join()
        .expect("writer thread")
        .expect("write to judge");
    let status = child.wait().expect("judge exit");
    assert!(status.success(), "the upstream judge failed: {status}");
    assert_eq!(records.len(), paths.len(), "the judge skipped files");
    for (record, path) in records.iter().zip(paths) {
        assert_eq!(
            record["path"].as_str(),
            Some(path.to_str().expect("UTF-8 path"))
        );
    }
    records
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
        let mut names: Vec<(String, PathBuf)> = variants
            .iter()
            .map(|v| (v.mutation.to_owned(), v.source.clone()))
            .collect();
        // The unmodified sample, foundational leaves included, in place.
        for entry in walkdir::WalkDir::new(&sample).sort_by_file_name() {
            let entry = entry.expect("walk the sample");
            if entry.file_name() == "qna.yaml" {
                let rel = entry
                    .path()
                    .strip_prefix(&sample)
                    .expect("inside")
                    .to_owned();
                names.push(("sample".to_owned(), rel));
                paths.push(entry.into_path());
            }
        }
        let judge_start = Instant::now();
        let records = judge(&paths);
        let judge_seconds = judge_start.elapsed().as_secs_f64();
        let own = Options {
            upstream_only: true,
            ..Options::default()
        };
        let v3 = Options {
            schema_version: Some(3),
            ..own
        };
        let cases = records
            .into_iter()
            .zip(paths)
            .zip(names)
            .map(|((upstream, path), (mutation, source))| {
                let text = std::fs::read_to_string(&path).expect("corpus files are UTF-8");
                Case {
                    taxon: validate_file(&path, &own),
                    taxon_v3: validate_file(&path, &v3),
                    taxon_lint: yamllint_findings(&text)
                        .iter()
                        .map(Finding::from_taxon)
                        .collect(),
                    mutation,
                    source,
                    path,
                    text,
                    upstream,
                }
            })
            .collect();
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

/// The file's lines, numbered, with tabs, carriage returns and other control
/// characters escaped and `$` marking each line's end.
fn numbered(text: &str) -> String {
    let mut out = String::new();
    for (n, line) in text.split('\n').enumerate() {
        let shown: String = line
            .chars()
            .map(|c| match c {
                '\t' => "\\t".to_owned(),
                '\r' => "\\r".to_owned(),
                c if c.is_control() || c == '\u{feff}' => c.escape_unicode().to_string(),
                c => c.to_string(),
            })
            .collect();
        let _ = writeln!(out, "{:>4}| {shown}$", n + 1);
    }
    out
}

fn upstream_messages(side: &Value) -> String {
    let mut out = String::new();
    if let Some(e) = side["exception"].as_str() {
        let _ = writeln!(out, "      raised {}", e.replace('\n', "\n        "));
    }
    for m in side["messages"].as_array().into_iter().flatten() {
        let text = m["text"].as_str().unwrap_or_default();
        // Drop the file name the parser puts first.
        let text = text.split_once(".yaml:").map_or(text, |(_, rest)| rest);
        let _ = writeln!(
            out,
            "      {} ({}) {text}",
            m["level"].as_str().unwrap_or("?"),
            m["phase"].as_str().unwrap_or("?")
        );
    }
    out
}

/// What taxon's loader makes of the text.
fn taxon_loader(text: &str) -> String {
    match yaml::load(text) {
        Ok(_) => "loads".to_owned(),
        Err(e) => format!(
            "{} error at {}:{}: {}",
            match e.kind {
                LoadErrorKind::Syntax => "syntax",
                LoadErrorKind::Construct => "construct",
            },
            e.line,
            e.col,
            e.message
        ),
    }
}

/// Which part of upstream decided a verdict taxon does not share: `yamllint` when
/// upstream's only errors are yamllint's, or a YAML syntax error that taxon's loader
/// sees too (taxon reports it through its yamllint port); `other` otherwise (schema,
/// types, versions, attribution, the loader).
fn cause(case: &Case, side: &Value) -> &'static str {
    let syntax_both = side["exception"].is_string()
        && matches!(yaml::load(&case.text), Err(e) if e.kind == LoadErrorKind::Syntax);
    let errors: Vec<&Value> = side["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["level"] == "error")
        .collect();
    let lint_only = side["exception"].is_null()
        && !errors.is_empty()
        && errors.iter().all(|m| m["phase"] == "yamllint");
    if syntax_both || lint_only {
        "yamllint"
    } else {
        "other"
    }
}

fn taxon_messages(report: &Report) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let path = d
            .yaml_path
            .as_deref()
            .map(|p| format!(" [{p}]"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "      {} {}:{}{path} {} ({})",
            level(d.severity),
            d.line,
            d.col,
            d.message,
            d.rule
        );
    }
    out
}

fn findings(list: &[Finding]) -> String {
    let mut out = String::new();
    for f in list {
        let rule = format!("({})", f.rule);
        let rule = if f.message.ends_with(&rule) {
            ""
        } else {
            &rule
        };
        let _ = writeln!(
            out,
            "      {}:{} [{}] {} {rule}",
            f.line, f.col, f.level, f.message
        );
    }
    out
}

/// Fails with every disagreement, the first `DETAILED` in full.
fn report(title: &str, checked: usize, bad: &[(&Case, String)]) {
    let run = run();
    let summary = format!(
        "{title}: {} of {checked} files agree ({} mutated variants of {} kinds + {} sample \
         leaves; {:.1} s in all, {:.1} s of it upstream's judge)",
        checked - bad.len(),
        run.mutated,
        run.categories.len(),
        run.cases.len() - run.mutated,
        run.seconds,
        run.judge_seconds
    );
    println!("{summary}");
    if bad.is_empty() {
        return;
    }
    let mut out = format!("{summary}\n\nDisagreements:\n");
    for (case, why) in bad {
        let _ = writeln!(
            out,
            "  {} <- {} : {}",
            case.mutation,
            case.source.display(),
            why.lines().next().unwrap_or_default()
        );
    }
    for (case, why) in bad.iter().take(detailed()) {
        let _ = write!(
            out,
            "\n=== {} (from {})\n{}\n{why}\n  file text:\n{}",
            case.mutation,
            case.source.display(),
            case.path.display(),
            numbered(&case.text)
        );
    }
    if bad.len() > detailed() {
        let _ = writeln!(
            out,
            "\n({} more not shown in full; set TAXON_DIFFERENTIAL_DETAIL to see more)",
            bad.len() - detailed()
        );
    }
    panic!("{out}");
}

fn verdict_disagreements<'a>(
    cases: impl Iterator<Item = &'a Case>,
    side: &str,
    taxon: fn(&Case) -> &Report,
) -> (usize, Vec<(&'a Case, String)>) {
    let mut checked = 0;
    let mut bad = Vec::new();
    for case in cases {
        checked += 1;
        let upstream = &case.upstream[side];
        let upstream_error = upstream["has_error"].as_bool().unwrap_or(false);
        let report = taxon(case);
        let taxon_error = !report.is_valid();
        if upstream_error != taxon_error {
            let word = |e: bool| if e { "rejected" } else { "accepted" };
            let why = format!(
                "[{}] upstream {} (version {}, {} errors, {} warnings), taxon {} ({} errors, \
                 {} warnings)\n  upstream:\n{}  taxon (loader: {}):\n{}",
                cause(case, upstream),
                word(upstream_error),
                upstream["version"],
                upstream["errors"],
                upstream["warnings"],
                word(taxon_error),
                report.error_count(),
                report.warning_count(),
                upstream_messages(upstream),
                taxon_loader(&case.text),
                taxon_messages(report)
            );
            bad.push((case, why));
        }
    }
    (checked, bad)
}

fn lint_disagreements<K: Ord>(key: fn(&Finding) -> K) -> (usize, Vec<(&'static Case, String)>) {
    let mut checked = 0;
    let mut bad = Vec::new();
    for case in &run().cases {
        // yamllint only catches YAML syntax errors: on a reader error (a control
        // character) it raises, the CLI prints a traceback and upstream gets no
        // findings, while its loader rejects the file. Only the verdict is compared.
        if case.yamllint_crash().is_some() {
            continue;
        }
        checked += 1;
        let upstream = case.upstream_lint();
        // Where both find a syntax error, it is placed by different parsers (README,
        // "Deliberate differences": PyYAML marks where its parser gives up, taxon where
        // the problem starts), and what yamllint reports after it is noise: both must
        // report one syntax error, and agree on everything before either.
        let syntax_line = |found: &[Finding]| {
            let lines: Vec<u64> = found
                .iter()
                .filter(|f| f.rule == "syntax")
                .map(|f| f.line)
                .collect();
            (lines.len() == 1).then(|| lines[0])
        };
        let compared: fn(&Finding, u64) -> bool = |f, before| f.rule != "syntax" && f.line < before;
        let (a_found, b_found): (Vec<&Finding>, Vec<&Finding>) =
            match (syntax_line(&upstream), syntax_line(&case.taxon_lint)) {
                (Some(x), Some(y)) => (
                    upstream.iter().filter(|f| compared(f, x.min(y))).collect(),
                    case.taxon_lint
                        .iter()
                        .filter(|f| compared(f, x.min(y)))
                        .collect(),
                ),
                _ => (upstream.iter().collect(), case.taxon_lint.iter().collect()),
            };
        let mut a: Vec<K> = a_found.into_iter().map(key).collect();
        let mut b: Vec<K> = b_found.into_iter().map(key).collect();
        a.sort();
        b.sort();
        if a != b {
            let why = format!(
                "yamllint findings differ ({} upstream, {} taxon)\n  upstream yamllint:\n{}  \
                 taxon yamllint:\n{}",
                upstream.len(),
                case.taxon_lint.len(),
                findings(&upstream),
                findings(&case.taxon_lint)
            );
            bad.push((case, why));
        }
    }
    (checked, bad)
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
        .map(|c| c.mutation.as_str())
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
    let mutated = run().cases.iter().filter(|c| c.mutation != "sample");
    let (checked, bad) = verdict_disagreements(mutated, "own", |c| &c.taxon);
    report(
        "verdict (own version, as CI with SCHEMA_VERSION=0)",
        checked,
        &bad,
    );
}

#[test]
fn verdicts_agree_with_version_3_forced() {
    let (checked, bad) = verdict_disagreements(run().cases.iter(), "forced_v3", |c| &c.taxon_v3);
    report(
        "verdict (schema version 3 forced, as CI on changed files)",
        checked,
        &bad,
    );
}

#[test]
fn sample_taxonomy_verdicts_agree() {
    let samples = run().cases.iter().filter(|c| c.mutation == "sample");
    let (checked, bad) = verdict_disagreements(samples, "own", |c| &c.taxon);
    report("verdict on the unmodified sample taxonomy", checked, &bad);
}

#[test]
fn yamllint_lines_and_rules_agree() {
    let (checked, bad) = lint_disagreements(Finding::line_rule);
    report("yamllint findings as (line, rule)", checked, &bad);
}

#[test]
fn yamllint_columns_and_levels_agree() {
    let (checked, bad) = lint_disagreements(Finding::full);
    report(
        "yamllint findings as (line, col, rule, level)",
        checked,
        &bad,
    );
}
