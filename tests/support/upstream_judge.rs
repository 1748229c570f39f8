//! Upstream's verdicts beside taxon's, for the differential tests: one process of
//! `tests/upstream/judge.py` (instructlab-schema 0.4.2, yamllint 1.38.0, PyYAML
//! 6.0.3) judges every file, and the two are compared on the verdict (CI with each
//! file's own version, and with version 3 forced) and on each yamllint finding; with
//! `--values`, also on what `yaml.safe_load` makes of the file.
//!
//! Needs upstream's venv: `TAXON_UPSTREAM_PYTHON` (see `upstream.rs`).
//! `TAXON_DIFFERENTIAL_DETAIL=<n>` shows n disagreeing files in full (default 25).

#[path = "upstream.rs"]
mod upstream;

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use taxon::taxonomy::diagnostic::{Diagnostic, Severity};
use taxon::taxonomy::validate::{
    Options, Report, universal_newlines, validate_file, yamllint_findings,
};
use taxon::taxonomy::yaml::{self, LoadErrorKind};
pub use upstream::upstream_python;

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
pub struct Finding {
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

    /// The finding's line and rule.
    pub fn line_rule(&self) -> (u64, String) {
        (self.line, self.rule.clone())
    }

    /// The finding's line, column, rule and level.
    pub fn full(&self) -> (u64, u64, String, String) {
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
pub struct Case {
    /// What made the file: a mutation's name, `sample`, or a generated case's seed
    /// and number.
    pub name: String,
    /// Where it came from (the sample leaf mutated), for the report.
    pub origin: String,
    pub path: PathBuf,
    pub text: String,
    pub upstream: Value,
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

    /// The exception yamllint raised on the file, if it did.
    pub fn yamllint_crash(&self) -> Option<&str> {
        self.upstream["yamllint_crash"].as_str()
    }
}

/// Upstream's verdict on every file, from one judge process (`--values` adds
/// `safe_load`'s value).
fn judge(paths: &[PathBuf], values: bool) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upstream/judge.py");
    let python = upstream_python();
    let mut command = Command::new(&python);
    command.arg(&script).arg("--v3");
    if values {
        command.arg("--values");
    }
    let mut child = command
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

/// Judges the files at `paths` (named by `names`: (name, origin)) on both sides.
pub fn judge_cases(paths: Vec<PathBuf>, names: Vec<(String, String)>, values: bool) -> Vec<Case> {
    let records = judge(&paths, values);
    let own = Options {
        upstream_only: true,
        ..Options::default()
    };
    let v3 = Options {
        schema_version: Some(3),
        ..own
    };
    records
        .into_iter()
        .zip(paths)
        .zip(names)
        .map(|((upstream, path), (name, origin))| {
            let text = std::fs::read_to_string(&path).expect("corpus files are UTF-8");
            Case {
                taxon: validate_file(&path, &own),
                taxon_v3: validate_file(&path, &v3),
                taxon_lint: yamllint_findings(&text)
                    .iter()
                    .map(Finding::from_taxon)
                    .collect(),
                name,
                origin,
                path,
                text,
                upstream,
            }
        })
        .collect()
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
                c if c.is_control()
                    || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{a0}') =>
                {
                    c.escape_unicode().to_string()
                }
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

/// Fails with every disagreement, the first `DETAILED` in full; `summary` says what
/// was compared.
pub fn report(summary: &str, checked: usize, bad: &[(&Case, String)]) {
    let summary = format!(
        "{summary}: {} of {checked} files agree",
        checked - bad.len()
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
            case.name,
            case.origin,
            why.lines().next().unwrap_or_default()
        );
    }
    for (case, why) in bad.iter().take(detailed()) {
        let _ = write!(
            out,
            "\n=== {} (from {})\n{}\n{why}\n  file text:\n{}",
            case.name,
            case.origin,
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

/// Which verdict of upstream's to compare: CI with each file's own version, or with
/// version 3 forced.
#[derive(Clone, Copy)]
pub enum Side {
    Own,
    ForcedV3,
}

/// The cases whose verdict on `side` differs.
pub fn verdict_disagreements<'a>(
    cases: impl Iterator<Item = &'a Case>,
    side: Side,
) -> (usize, Vec<(&'a Case, String)>) {
    let mut checked = 0;
    let mut bad = Vec::new();
    for case in cases {
        checked += 1;
        let (upstream, report) = match side {
            Side::Own => (&case.upstream["own"], &case.taxon),
            Side::ForcedV3 => (&case.upstream["forced_v3"], &case.taxon_v3),
        };
        let upstream_error = upstream["has_error"].as_bool().unwrap_or(false);
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

/// The cases whose yamllint findings differ, compared by `key` (syntax errors
/// included, at PyYAML's place).
pub fn lint_disagreements<'a, K: Ord>(
    cases: impl Iterator<Item = &'a Case>,
    key: fn(&Finding) -> K,
) -> (usize, Vec<(&'a Case, String)>) {
    let mut checked = 0;
    let mut bad = Vec::new();
    for case in cases {
        // yamllint only catches YAML syntax errors: on a reader error (a control
        // character) it raises, the CLI prints a traceback and upstream gets no
        // findings, while its loader rejects the file. Only the verdict is compared.
        if case.yamllint_crash().is_some() {
            continue;
        }
        checked += 1;
        let upstream = case.upstream_lint();
        let mut a: Vec<K> = upstream.iter().map(key).collect();
        let mut b: Vec<K> = case.taxon_lint.iter().map(key).collect();
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

/// A loaded value in the judge's encoding (`judge.py`, `--values`).
fn encode(doc: &yaml::Document, id: yaml::NodeId) -> Value {
    use yaml::Value as V;
    let all =
        |items: &[yaml::NodeId]| -> Vec<Value> { items.iter().map(|&i| encode(doc, i)).collect() };
    match &doc.node(id).value {
        V::Null => json!(["null"]),
        V::Bool(b) => json!(["bool", b]),
        V::Int(i) => json!(["int", i.to_string()]),
        V::BigInt(digits) => json!(["int", digits]),
        V::Float(f) => json!(["float", format!("{f:?}")]),
        V::Str(s) => json!(["str", s]),
        V::Binary(_) => json!(["binary"]),
        V::Timestamp(_) => json!(["timestamp"]),
        V::Seq(items) => json!(["seq", all(items)]),
        V::Tuple(items) => json!(["tuple", all(items)]),
        V::Set(members) => json!(["set", all(members)]),
        V::Map(entries) => json!([
            "map",
            entries
                .iter()
                .map(|e| json!([encode(doc, e.key), encode(doc, e.value)]))
                .collect::<Vec<_>>()
        ]),
    }
}

/// The encoding with floats in one form and set members in one order.
fn canonical(value: &Value) -> Value {
    let Some([kind, rest @ ..]) = value.as_array().map(Vec::as_slice) else {
        return value.clone();
    };
    match (kind.as_str(), rest) {
        (Some("float"), [Value::String(repr)]) => {
            let parsed: f64 = repr.parse().unwrap_or(f64::NAN);
            json!(["float", format!("{parsed:?}")])
        }
        (Some("set"), [Value::Array(members)]) => {
            let mut members: Vec<Value> = members.iter().map(canonical).collect();
            members.sort_by_key(Value::to_string);
            json!(["set", members])
        }
        (Some("seq" | "tuple"), [Value::Array(items)]) => {
            json!([kind, items.iter().map(canonical).collect::<Vec<_>>()])
        }
        (Some("map"), [Value::Array(entries)]) => json!([
            "map",
            entries
                .iter()
                .map(|pair| match pair.as_array().map(Vec::as_slice) {
                    Some([k, v]) => json!([canonical(k), canonical(v)]),
                    _ => pair.clone(),
                })
                .collect::<Vec<_>>()
        ]),
        _ => value.clone(),
    }
}

/// The cases where `yaml.safe_load` and taxon's loader disagree (judged with
/// `--values`): one loads and the other fails, or both load different values.
pub fn load_disagreements<'a>(
    cases: impl Iterator<Item = &'a Case>,
) -> (usize, Vec<(&'a Case, String)>) {
    let mut checked = 0;
    let mut bad = Vec::new();
    for case in cases {
        checked += 1;
        let upstream = &case.upstream["load"];
        let text = universal_newlines(&case.text);
        let taxon = yaml::load(&text);
        let why = match (upstream.get("value"), &taxon) {
            (Some(value), Ok(doc)) => {
                let ours = doc
                    .root_id()
                    .map_or(json!(["null"]), |root| encode(doc, root));
                (canonical(value) != canonical(&ours)).then(|| {
                    format!("the loaded values differ\n  upstream: {value}\n  taxon:    {ours}")
                })
            }
            (Some(_), Err(e)) => Some(format!("upstream loads, taxon does not: {e}")),
            (None, Ok(_)) => Some(format!(
                "taxon loads, upstream does not: {}",
                upstream["error"]
            )),
            (None, Err(_)) => None,
        };
        if let Some(why) = why {
            bad.push((case, why));
        }
    }
    (checked, bad)
}
