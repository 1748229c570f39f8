//! `taxon validate --fix` never changes a value, judged by upstream's PyYAML: leaves
//! with trailing whitespace at every place (spaces, tabs, both, on every line in some
//! variant; on every line at once, with CRLF, without a final newline, with blank lines
//! around) are fixed by the real binary, and PyYAML 6.0.3 must load each fixed file to
//! exactly the value of the original (strings byte for byte). What cannot be fixed
//! must be reported, with its line.
//!
//! Needs upstream's venv: `TAXON_UPSTREAM_PYTHON` (see `support/upstream.rs`).

#[path = "support/upstream.rs"]
mod upstream;

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use upstream::upstream_python;

/// Leaves written in every scalar style whose whitespace matters (blocks kept, clipped,
/// stripped and indented; folded; quoted and plain over several lines; an escaped
/// space at a line end), and the shapes around them (flow collections, comments,
/// aliases, a block that ends the file).
const SHAPES: &[&str] = &[
    "version: 3\ntask_description: |\n  Line one.\n  Line two.\n\n  After a blank.\ncreated_by: ada\n",
    "a: |+\n  kept\n\n\nb: 1\n",
    "a: |-\n  stripped\n\nb: 1\n",
    "a: |2\n    indented two\n  base\nb: 1\n",
    "a: >\n  folded one\n  folded two\n\n  para\nb: >-\n  x\n  y\n",
    "a: >+\n  keep folded\n\n",
    "a: |\n  ends the file",
    "a: |+\n  keep at the end\n\n\n",
    "a: |\n  clip at the end\n\n\n",
    "a: \"double quoted\n  over lines\n\n  and a blank\"\nb: 'single quoted\n  over lines'\n",
    "a: \"escaped space\\ \n  next\"\n",
    "a: plain text\n  continued here\n\n  after a blank\nb: 2\n",
    "- one\n- two: |\n    nested block\n    more\n- [flow, seq]\n- {k: v, w: x}\n",
    "# a comment\nkey: value # trailing comment\nlist:\n  - &anchor shared\n  - *anchor\n",
    "seed_examples:\n  - context: |\n      Some context\n      over lines.\n    questions_and_answers:\n      - question: >\n          Why?\n        answer: |\n          Because.\n",
    "a: 1\nb: 2.5\nc: yes\nd: 2024-01-31\ne: ~\nf: 0777\n",
    "text: |\n  code:\n      indented more\n  \n  back\n",
];

/// The kinds of trailing whitespace: spaces, a tab, a mix.
const TRAILING: [&str; 3] = ["  ", "\t", " \t "];

/// The sample taxonomy's leaves.
fn sample_leaves() -> Vec<String> {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-taxonomy");
    let mut leaves = Vec::new();
    let mut folders = vec![sample];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.ends_with("qna.yaml") {
                leaves.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    leaves.sort();
    leaves
}

/// `lines` with `trailing(i)` appended to each line `i` it gives something for.
fn with_trailing(lines: &[&str], trailing: impl Fn(usize) -> Option<&'static str>) -> String {
    let mut text = String::new();
    for (i, line) in lines.iter().enumerate() {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (*line, ""),
        };
        text.push_str(body);
        text.push_str(trailing(i).unwrap_or_default());
        text.push_str(end);
    }
    text
}

/// Variants of `base` with trailing whitespace at every place: every line gets each
/// kind of [`TRAILING`] in some variant (each line alone in its own variant when
/// `line_by_line`, else every third line at once); and every line at once with CRLF
/// line ends, without the final newline, and with blank (and whitespace-only) lines
/// at the start and the end.
fn variants(base: &str, line_by_line: bool) -> Vec<String> {
    let lines: Vec<&str> = base.split_inclusive('\n').collect();
    let mut out = Vec::new();
    for ws in TRAILING {
        if line_by_line {
            out.extend((0..lines.len()).map(|i| with_trailing(&lines, |j| (i == j).then_some(ws))));
        } else {
            out.extend((0..3).map(|o| with_trailing(&lines, |j| (j % 3 == o).then_some(ws))));
        }
    }
    let everywhere = with_trailing(&lines, |_| Some("  "));
    out.push(everywhere.replace('\n', "\r\n"));
    out.push(everywhere.trim_end_matches('\n').to_owned());
    out.push(format!("\n  \n{everywhere}\n\t\n\n"));
    out.push(format!("{base}  \n\n"));
    out.push(everywhere);
    out
}

/// PyYAML's judgement of each (before, after) pair.
fn same_values(pairs: &[(PathBuf, PathBuf)]) -> Vec<serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upstream/same_values.py");
    let mut child = Command::new(upstream_python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run upstream's python");
    let mut stdin = child.stdin.take().unwrap();
    let list: String = pairs
        .iter()
        .map(|(a, b)| format!("{}\t{}\n", a.display(), b.display()))
        .collect();
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
    let judged: Vec<serde_json::Value> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|line| serde_json::from_str(&line.unwrap()).unwrap())
        .collect();
    writer.join().unwrap().unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(judged.len(), pairs.len());
    judged
}

#[test]
fn fix_never_changes_a_value_as_pyyaml_loads_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("taxonomy");
    let originals = dir.path().join("originals");
    std::fs::create_dir_all(&originals).unwrap();
    let mut cases = Vec::new();
    let bases = sample_leaves()
        .into_iter()
        .map(|leaf| (leaf, false))
        .chain(SHAPES.iter().map(|shape| ((*shape).to_owned(), true)));
    for (base, line_by_line) in bases {
        for text in variants(&base, line_by_line) {
            let n = cases.len();
            let leaf = root.join(format!("compositional_skills/case_{n}/qna.yaml"));
            std::fs::create_dir_all(leaf.parent().unwrap()).unwrap();
            std::fs::write(&leaf, &text).unwrap();
            let original = originals.join(format!("case_{n}.yaml"));
            std::fs::write(&original, &text).unwrap();
            cases.push((original, leaf, text));
        }
    }
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_taxon"))
        .args(["validate", "--fix"])
        .arg(&root)
        .output()
        .unwrap();
    let fix_seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");

    let pairs: Vec<(PathBuf, PathBuf)> = cases
        .iter()
        .map(|(original, leaf, _)| (original.clone(), leaf.clone()))
        .collect();
    let started = Instant::now();
    let judged = same_values(&pairs);
    let judge_seconds = started.elapsed().as_secs_f64();
    let (mut rewritten, mut loaded, mut changed, mut reported) = (0, 0, Vec::new(), 0);
    let originals_load = judged.iter().filter(|v| v["before"].is_null()).count();
    for ((original, leaf, text), verdict) in cases.iter().zip(&judged) {
        let after = std::fs::read_to_string(leaf).unwrap();
        let name = leaf
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy();
        let reports = stderr
            .lines()
            .filter(|l| l.contains(&format!("/{name}/qna.yaml:")) && l.contains("not fixable"))
            .count();
        reported += usize::from(reports > 0);
        if after == *text {
            continue;
        }
        rewritten += 1;
        if verdict["before"].is_null() {
            loaded += 1;
            if verdict["same"] != true {
                changed.push(format!(
                    "{}: {verdict}\n--- before\n{text:?}\n--- after\n{after:?}",
                    original.display()
                ));
            }
        }
    }
    let mut summary = String::new();
    writeln!(
        summary,
        "{} files ({originals_load} load in PyYAML; a tab after a key or a block \
         indicator does not), {rewritten} rewritten by --fix ({loaded} of them load in \
         PyYAML), {reported} with problems reported as not fixable, {} whose value \
         changed; --fix took {fix_seconds:.1} s, PyYAML {judge_seconds:.1} s",
        cases.len(),
        changed.len()
    )
    .unwrap();
    println!("{summary}");
    assert!(changed.is_empty(), "{summary}{}", changed.join("\n\n"));
    assert!(loaded > originals_load / 4, "{summary}");
    assert!(reported > 0, "{summary}");
}
