//! Differential test of format-preserving edits against upstream's own tools: every
//! field of every sample leaf is set to an awkward value (YAML 1.1 booleans, colons,
//! comments, multi-line text, trailing spaces), and examples are added, moved and
//! deleted; PyYAML 6.0.3 must read each edited value back exactly and yamllint
//! 1.38.0 (upstream's configuration) must find nothing new.
//!
//! Needs upstream's venv like `tests/differential.rs`: `TAXON_UPSTREAM_PYTHON`
//! (`bash tests/ci.sh` sets it; see `support/upstream.rs`).

#[path = "support/upstream.rs"]
mod upstream;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use upstream::upstream_python;

use serde_json::Value;
use taxon::taxonomy::edit::{self, Field};
use taxon::taxonomy::qna::Qna;
use taxon::taxonomy::template::placeholder;
use taxon::taxonomy::yaml;

const VALUES: &[&str] = &[
    "yes",
    "Note: a # b",
    "line one\nline two\n",
    "line one\n\n  indented\nline three",
    "trailing \nspace",
    "12:30",
    "plain text, with a comma",
    "'quoted' start",
    "tab\tand \u{7f} delete",
];

/// Reads each file with PyYAML and lints it with yamllint as upstream configures it.
const SCRIPT: &str = r#"
import json, sys, yaml
from yamllint import linter
from yamllint.config import YamlLintConfig
config = YamlLintConfig("{extends: relaxed, rules: {line-length: disable}}")
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    findings = [[p.rule or "syntax", p.level, p.message] for p in linter.run(text, config)]
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        doc = {"<error>": str(e)}
    print(json.dumps({"path": path, "findings": findings, "doc": doc}, default=str))
"#;

fn upstream(paths: &[PathBuf]) -> BTreeMap<PathBuf, Value> {
    let mut child = Command::new(upstream_python())
        .arg("-c")
        .arg(SCRIPT)
        .args(paths)
        .stdout(Stdio::piped())
        .spawn()
        .expect("run upstream's python");
    let stdout = child.stdout.take().expect("its output");
    let records: BTreeMap<PathBuf, Value> = BufReader::new(stdout)
        .lines()
        .map(|line| serde_json::from_str::<Value>(&line.expect("a line")).expect("json"))
        .map(|record| {
            (
                PathBuf::from(record["path"].as_str().unwrap_or_default()),
                record,
            )
        })
        .collect();
    assert!(child.wait().expect("python exits").success());
    records
}

/// The value of `field` in a document loaded by PyYAML.
fn at(doc: &Value, field: Field) -> Option<&Value> {
    let example = |i: usize| doc.get("seed_examples")?.get(i);
    let pair = |i: usize, j: usize| example(i)?.get("questions_and_answers")?.get(j);
    match field {
        Field::CreatedBy => doc.get("created_by"),
        Field::TaskDescription => doc.get("task_description"),
        Field::Domain => doc.get("domain"),
        Field::DocumentOutline => doc.get("document_outline"),
        Field::DocumentRepo => doc.get("document")?.get("repo"),
        Field::DocumentCommit => doc.get("document")?.get("commit"),
        Field::Context(i) => example(i)?.get("context"),
        Field::Question(i) => example(i)?.get("question"),
        Field::Answer(i) => example(i)?.get("answer"),
        Field::PairQuestion(i, j) => pair(i, j)?.get("question"),
        Field::PairAnswer(i, j) => pair(i, j)?.get("answer"),
    }
}

/// An edited file: the original it came from, its path, and the field set (with
/// the value) if it was a field edit.
type Edited = (PathBuf, PathBuf, Option<(Field, &'static str)>);

fn findings(record: &Value) -> Vec<Value> {
    record["findings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn edits_read_back_in_pyyaml_and_pass_yamllint() {
    let dir = tempfile::tempdir().unwrap();
    let mut originals = Vec::new();
    let mut edits: Vec<Edited> = Vec::new();
    let leaves = walkdir::WalkDir::new("sample-taxonomy")
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.ends_with("qna.yaml"));
    for (n, leaf) in leaves.enumerate() {
        let text = std::fs::read_to_string(&leaf).unwrap();
        let original = dir.path().join(format!("{n}-original.yaml"));
        std::fs::write(&original, &text).unwrap();
        originals.push(original.clone());
        let qna = Qna::from_document(&yaml::load(&text).unwrap());
        let mut write = |name: String, edited: String, set: Option<(Field, &'static str)>| {
            let path = dir.path().join(format!("{n}-{name}.yaml"));
            std::fs::write(&path, edited).unwrap();
            edits.push((original.clone(), path, set));
        };
        for (k, field) in edit::fields_of(&qna).into_iter().enumerate() {
            let value = VALUES[(k + n) % VALUES.len()];
            let edited = edit::set_field(&text, field, value)
                .unwrap_or_else(|e| panic!("{}: {field:?}: {e}", leaf.display()));
            write(format!("{k}"), edited, Some((field, value)));
        }
        let (added, _) = edit::add_example(&text, placeholder).unwrap();
        write("added".into(), added, None);
        write(
            "moved".into(),
            edit::move_example(&text, 0, false).unwrap(),
            None,
        );
        let last = qna.seed_examples.len() - 1;
        write(
            "deleted".into(),
            edit::delete_example(&text, last).unwrap(),
            None,
        );
    }
    let paths: Vec<PathBuf> = originals
        .iter()
        .cloned()
        .chain(edits.iter().map(|(_, p, _)| p.clone()))
        .collect();
    let records = upstream(&paths);
    let mut problems = Vec::new();
    for (original, path, set) in &edits {
        let record = &records[path];
        let before = findings(&records[original]);
        let new: Vec<Value> = findings(record)
            .into_iter()
            .filter(|f| !before.contains(f))
            .collect();
        if !new.is_empty() {
            problems.push(format!("{}: new yamllint findings {new:?}", path.display()));
        }
        if let Some((field, value)) = set {
            let read = at(&record["doc"], *field);
            if read.and_then(Value::as_str) != Some(*value) {
                problems.push(format!(
                    "{}: {field:?} set to {value:?}, PyYAML reads {read:?}",
                    path.display()
                ));
            }
        }
    }
    println!(
        "{} edited files checked by PyYAML and yamllint",
        edits.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
