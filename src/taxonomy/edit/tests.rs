use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use similar::{ChangeTag, TextDiff};

use super::*;
use crate::taxonomy::validate::{Attribution, Options, validate_text, yamllint_findings};

const SKILL: &str =
    "sample-taxonomy/compositional_skills/linguistics/writing/rewriting/concise_sentences";
const KNOWLEDGE: &str = "sample-taxonomy/knowledge/science/earth_sciences/oceanography/tides";
const GROUNDED: &str = "sample-taxonomy/compositional_skills/grounded/technology/customer_support/ticket_classification";

fn read(folder: &str) -> (PathBuf, String) {
    let path = Path::new(folder).join("qna.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

/// The 1-based old lines removed and the new lines inserted.
fn diff(old: &str, new: &str) -> (BTreeSet<usize>, Vec<String>) {
    let mut removed = BTreeSet::new();
    let mut inserted = Vec::new();
    for change in TextDiff::from_lines(old, new).iter_all_changes() {
        match change.tag() {
            ChangeTag::Delete => {
                removed.insert(change.old_index().unwrap() + 1);
            }
            ChangeTag::Insert => inserted.push(change.value().to_owned()),
            ChangeTag::Equal => {}
        }
    }
    (removed, inserted)
}

/// Diagnostics by rule and message (lines move when a value grows).
fn findings(path: &Path, text: &str) -> BTreeSet<(String, String)> {
    validate_text(path, text, Attribution::Present, &Options::default())
        .diagnostics
        .into_iter()
        .map(|d| (d.rule.to_owned(), d.message))
        .collect()
}

/// No finding in `new` that `old` lacks, but the placeholder warnings of an
/// example added with placeholders.
fn no_new_findings(path: &Path, old: &str, new: &str) {
    let before = findings(path, old);
    let new_ones: Vec<_> = findings(path, new)
        .difference(&before)
        .filter(|(rule, _)| rule != "placeholder")
        .cloned()
        .collect();
    assert!(new_ones.is_empty(), "new findings {new_ones:?} in\n{new}");
    assert!(yamllint_findings(new).len() <= yamllint_findings(old).len());
}

fn lines_of(text: &str, field: Field) -> std::ops::RangeInclusive<usize> {
    let doc = yaml::load(text).unwrap();
    let (map, _) = walk(&doc, &field.path()).unwrap();
    let key = doc
        .entries(map)
        .iter()
        .find(|e| doc.str_value(e.key) == Some(field.key()))
        .unwrap()
        .key;
    let lines = Lines::new(text);
    let (line, at) = key_place(&doc, &lines, key).unwrap();
    let end = lines.block_end(line, lines.lines[line][..at].chars().count());
    line + 1..=end + 1
}

#[test]
fn changing_one_answer_changes_only_its_lines() {
    let (path, text) = read(SKILL);
    let field = Field::Answer(1);
    let old_lines = lines_of(&text, field);
    let new = set_field(
        &text,
        field,
        "Revised: \"The meeting moved.\"\n\nShorter.\n",
    )
    .unwrap();
    let (removed, _) = diff(&text, &new);
    assert!(removed.iter().all(|l| old_lines.contains(l)), "{removed:?}");
    assert!(
        new.contains("    answer: |\n      Revised: \"The meeting moved.\"\n\n      Shorter.\n")
    );
    no_new_findings(&path, &text, &new);
}

#[test]
fn a_folded_knowledge_answer_becomes_plain_or_literal() {
    let (path, text) = read(KNOWLEDGE);
    let field = Field::PairAnswer(0, 2);
    let old_lines = lines_of(&text, field);
    let new = set_field(&text, field, "About 12 hours and 25 minutes.").unwrap();
    let (removed, inserted) = diff(&text, &new);
    assert!(removed.iter().all(|l| old_lines.contains(l)));
    assert_eq!(
        inserted,
        vec!["        answer: About 12 hours and 25 minutes.\n"]
    );
    no_new_findings(&path, &text, &new);
    let two_lines = set_field(&new, field, "Line one\nline two").unwrap();
    assert!(two_lines.contains("        answer: |-\n          Line one\n          line two\n"));
    no_new_findings(&path, &text, &two_lines);
}

#[test]
fn values_that_would_change_type_are_quoted() {
    let (path, text) = read(SKILL);
    for (value, written) in [
        ("yes", "'yes'"),
        ("12", "'12'"),
        ("2024-01-31", "'2024-01-31'"),
        ("Note: this", "'Note: this'"),
        ("it's", "it's"),
    ] {
        let new = set_field(&text, Field::Question(0), value).unwrap();
        assert!(new.contains(&format!("  - question: {written}\n")), "{new}");
        no_new_findings(&path, &text, &new);
    }
}

#[test]
fn a_context_is_added_first_and_removed_again() {
    let (path, text) = read(SKILL);
    let with = set_field(&text, Field::Context(2), "Some grounding text.").unwrap();
    let (removed, inserted) = diff(&text, &with);
    assert_eq!(removed.len(), 1, "only the `- question` line is rewritten");
    assert_eq!(inserted[0], "  - context: Some grounding text.\n");
    assert!(inserted[1].starts_with("    question: >"));
    no_new_findings(&path, &text, &with);
    assert_eq!(set_field(&with, Field::Context(2), "").unwrap(), text);
}

#[test]
fn top_level_fields_are_set_in_place_or_added() {
    let (path, text) = read(SKILL);
    let new = set_field(&text, Field::CreatedBy, "ada-l").unwrap();
    assert_eq!(diff(&text, &new).1, vec!["created_by: ada-l\n"]);
    let described = set_field(
        &text,
        Field::TaskDescription,
        "Shorten text.\nKeep meaning.\n",
    )
    .unwrap();
    assert!(described.starts_with("version: 3\ntask_description: |\n  Shorten text.\n"));
    no_new_findings(&path, &text, &described);
    let (kpath, ktext) = read(KNOWLEDGE);
    let outlined = set_field(&ktext, Field::DocumentOutline, "Tides, briefly").unwrap();
    assert!(outlined.contains("\ndocument_outline: Tides, briefly\n"));
    no_new_findings(&kpath, &ktext, &outlined);
}

#[test]
fn examples_are_added_moved_and_deleted_line_by_line() {
    let (path, text) = read(GROUNDED);
    let placeholder = |f: Field| format!("{} (fill me in)", f.label());
    let (added, index) = add_example(&text, placeholder).unwrap();
    let count = examples(&yaml::load(&text).unwrap()).unwrap().len();
    assert_eq!(index, count);
    let (removed, _) = diff(&text, &added);
    assert!(removed.is_empty(), "adding only inserts lines");
    no_new_findings(&path, &text, &added);
    assert_eq!(
        Field::Question(index).value_in(&added).as_deref(),
        Some(format!("example {} question (fill me in)", index + 1).as_str())
    );
    assert_eq!(delete_example(&added, index).unwrap(), text);

    let moved = move_example(&text, 1, true).unwrap();
    assert_eq!(
        Field::Question(0).value_in(&moved),
        Field::Question(1).value_in(&text)
    );
    no_new_findings(&path, &text, &moved);
    assert_eq!(move_example(&moved, 0, false).unwrap(), text);
    assert_eq!(move_example(&text, 0, true), Err(EditError::CannotMove(1)));
    let last = move_example(&text, count - 2, false).unwrap();
    assert_eq!(move_example(&last, count - 1, true).unwrap(), text);
}

#[test]
fn knowledge_examples_are_added_with_every_pair() {
    let (path, text) = read(KNOWLEDGE);
    let (added, index) = add_example(&text, |f| format!("{} (fill me in)", f.label())).unwrap();
    assert!(Field::PairAnswer(index, 2).value_in(&added).is_some());
    assert!(Field::Context(index).value_in(&added).is_some());
    no_new_findings(&path, &text, &added);
    let doc = yaml::load(&text).unwrap();
    let items = examples(&doc).unwrap();
    let (first, next) = (
        doc.node(items[1]).span.start.line(),
        doc.node(items[2]).span.start.line(),
    );
    let middle = delete_example(&text, 1).unwrap();
    let kept: String = text
        .split_inclusive('\n')
        .enumerate()
        .filter(|(i, _)| !(first..next).contains(&(i + 1)))
        .map(|(_, line)| line)
        .collect();
    assert_eq!(middle, kept, "exactly the example's lines go");
    let deleted = delete_example(&text, 0).unwrap();
    assert_eq!(
        Field::Context(0).value_in(&deleted),
        Field::Context(1).value_in(&text)
    );
}

#[test]
fn windows_line_ends_are_kept() {
    let text =
        "version: 3\r\ncreated_by: a\r\nseed_examples:\r\n  - question: q\r\n    answer: a\r\n";
    let new = set_field(text, Field::Answer(0), "one\ntwo\n").unwrap();
    assert_eq!(
        new,
        "version: 3\r\ncreated_by: a\r\nseed_examples:\r\n  - question: q\r\n    answer: |\r\n      one\r\n      two\r\n"
    );
    let with_context = set_field(text, Field::Context(0), "c").unwrap();
    assert!(with_context.contains("  - context: c\r\n    question: q\r\n"));
}

#[test]
fn refuses_what_it_cannot_edit_in_place() {
    let flow = "version: 3\nseed_examples:\n  - {question: a, answer: b}\n";
    assert_eq!(
        set_field(flow, Field::Answer(0), "c"),
        Err(EditError::FlowStyle(3))
    );
    let one = "seed_examples:\n  - question: a\n    answer: b\n";
    assert_eq!(delete_example(one, 0), Err(EditError::LastExample));
    assert!(matches!(
        set_field("a: [", Field::CreatedBy, "x"),
        Err(EditError::Unreadable { .. })
    ));
    assert_eq!(
        set_field(one, Field::Answer(3), "x"),
        Err(EditError::Missing("seed_examples[4]".into()))
    );
}

#[test]
fn every_field_of_every_sample_leaf_takes_awkward_values() {
    let values = ["no", "colon: inside", "two\nlines\n", "trailing \nspace"];
    let files: Vec<PathBuf> = walkdir::WalkDir::new("sample-taxonomy")
        .into_iter()
        .map(|entry| entry.unwrap().into_path())
        .filter(|path| path.ends_with("qna.yaml"))
        .collect();
    files.par_iter().for_each(|path| {
        let text = std::fs::read_to_string(path).unwrap();
        let lint_before = yamllint_findings(&text).len();
        let qna = crate::taxonomy::qna::Qna::from_document(&yaml::load(&text).unwrap());
        for field in fields_of(&qna) {
            for value in values {
                let new = set_field(&text, field, value)
                    .unwrap_or_else(|e| panic!("{}: {field:?}: {e}", path.display()));
                assert!(
                    yamllint_findings(&new).len() <= lint_before,
                    "{}: {field:?} = {value:?}\n{new}",
                    path.display()
                );
            }
        }
    });
}
