//! Each construct of the subset against the full pipeline, and each way out of it.

use super::*;
use crate::taxonomy::lint::tokens::{Kinds, Source, tokens};
use crate::taxonomy::{lint, yaml};

/// Checks that the fast path reads `text` exactly as the full pipeline does: the same
/// tokens with the same marks, the same document with the same spans, the same lint
/// findings.
pub(super) fn assert_same(text: &str) {
    let arena = Bump::new();
    let read = match scan_tokens(text, &arena) {
        Ok(read) => read,
        Err(why) => panic!("not handled ({}): {text:?}", why.0),
    };
    assert_equivalent(text, &read);
}

/// Checks a handled text's tokens, document and findings against the full
/// pipeline's.
pub(super) fn assert_equivalent(text: &str, read: &Read<'_>) {
    let source = Source::new(text);
    assert_eq!(read.source, source, "line starts of {text:?}");
    let arena = Bump::new();
    let full = tokens(&source, &arena);
    assert_eq!(full.linted, full.tokens.len(), "PyYAML fails on {text:?}");
    for (index, (fast, full)) in read.tokens.iter().zip(&full.tokens).enumerate() {
        assert_eq!(fast, full, "token {index} of {text:?}");
    }
    assert_eq!(read.tokens.len(), full.tokens.len(), "{text:?}");
    assert_eq!(KINDS, Kinds::of(&full.tokens), "kinds of {text:?}");
    let loaded = yaml::load(text).expect("the loader reads what the fast path reads");
    // Debug renderings: spans included, and a NaN equal to itself.
    assert_eq!(
        format!("{:#?}", read.document),
        format!("{loaded:#?}"),
        "{text:?}"
    );
    let scanned = scan(text, &arena).expect("handled once more");
    assert_eq!(
        format!("{:#?}", scanned.document),
        format!("{loaded:#?}"),
        "{text:?}"
    );
    assert_eq!(
        scanned.findings,
        lint::lint_loaded(text),
        "findings of {text:?}"
    );
}

fn unhandled(text: &str) -> &'static str {
    match scan(text, &Bump::new()) {
        Ok(_) => panic!("handled: {text:?}"),
        Err(why) => why.0,
    }
}

#[test]
fn mappings_and_sequences() {
    assert_same("a: 1\nb: two\n");
    assert_same("a:\n  b: 1\n  c:\n    d: x\ne: y\n");
    assert_same("a:\n  - x\n  - y\nb: z\n");
    assert_same("a:\n- x\n- y\nb: z\n");
    assert_same("- a\n- b\n");
    assert_same("s:\n  - q: one\n    a: two\n  - q: three\n    a: four\n");
    assert_same("s:\n- q: one\n  a: two\n- q: three\nt: 1\n");
    assert_same("a:\n  b:\n    c: 1\n");
    assert_same("a :  1\nb:   x\n");
}

#[test]
fn empty_values_and_duplicates() {
    assert_same("a:\nb: 1\n");
    assert_same("a:\n  b:\nc:\n");
    assert_same("a: 1\nb: 2\na: 3\n");
    assert_same("yes: a\nno: b\n2: c\nnull: d\na: e\na: f\n");
}

#[test]
fn keys_whose_values_do_not_tell_their_texts_apart_are_left_to_the_full_pipeline() {
    // The lint's `key-duplicates` takes the builder's word on equal keys: when a
    // key equals an earlier one but may differ in text (`true` and `1`), or may
    // have an earlier one's text without being equal (NaN), that word is not enough.
    let reason = "key equal to an earlier one in value, not text";
    for (text, duplications) in [
        ("1: x\ntrue: y\n1.0: z\n", 0),
        ("yes: x\ntrue: y\nyes: z\n", 1),
        ("1: x\n1: y\n", 1),
        (".nan: x\n.nan: y\n", 1),
    ] {
        assert_eq!(unhandled(text), reason, "{text:?}");
        let found = lint::lint_loaded(text);
        let found = found.iter().filter(|d| d.rule == "key-duplicates");
        assert_eq!(found.count(), duplications, "{text:?}");
    }
}

#[test]
fn plain_scalars() {
    assert_same("a: one two  three   \nb: 2024-01-31\nc: yes\nd: ~\ne: 0x1f\n");
    assert_same("a: one\n  two\n  three\nb: x\n");
    assert_same("a: one\n\n  two\n\n\n  three\nb: x\n");
    assert_same("a:\n  on the next line\n  and one more\n");
    assert_same("- one\n  two\n- three\n");
    assert_same("a: x#y [z] {w}, -v\nb: -1\n");
    assert_same("a: ünïcödé text — here\nb: é\n");
    assert_same("a: text # a comment\nb: x\n");
    assert_same("a: text\n  # a comment\nb: x\n");
}

#[test]
fn quoted_scalars() {
    assert_same("a: 'single ''quoted'''\nb: \"double\"\n");
    assert_same("a: '1'  # c\nb: \"x\"  \n");
    assert_same("s:\n  - 'x'\n  - \"y\"\n");
}

#[test]
fn block_scalars() {
    for header in ["|", "|-", "|+", ">", ">-", ">+"] {
        assert_same(&format!("a: {header}\n  one\n  two\n\n  three\n\n\nb: x\n"));
        assert_same(&format!(
            "a: {header}\n  one\n    indented\n  two\n   \n  x\n"
        ));
        assert_same(&format!(
            "s:\n  - q: {header}  # c\n      one\n      two\n    a: x\n"
        ));
    }
    assert_same("a: >\n  folded\n  \ttab\n  text\nb: |\n  #not a comment\n");
}

#[test]
fn comments_blank_lines_and_document_start() {
    assert_same("# head\n\n---\n# c\na: 1  # c\n\n# c\nb: 2\n\n# tail\n");
    assert_same("--- # c\na: 1\n");
}

#[test]
fn leaves_everything_else_to_the_full_pipeline() {
    let cases = [
        ("a: [1, 2]\n", "indicator"),
        ("a: {b: 1}\n", "indicator"),
        ("a: &x 1\nb: *x\n", "indicator"),
        ("a: !!str 1\n", "indicator"),
        ("? a\n: b\n", "expected a key"),
        ("%YAML 1.1\n---\na: 1\n", "document marker or directive"),
        ("a: 1\n---\nb: 2\n", "document marker or directive"),
        ("--- a\n", "content after `---`"),
        ("a:\n\tb: 1\n", "tab"),
        ("a: b\tc\n", "tab"),
        ("a: 1", "no line break at the end"),
        ("a: 1\r\n", "carriage return"),
        ("a: \u{85}\n", "NEL, LS, PS or byte-order mark"),
        ("a: \u{1}\n", "unprintable character"),
        ("a: 1\nb: x\u{7f}\n", "unprintable character"),
        ("a: é\u{fffe}\n", "unprintable character"),
        ("a: é\rb: 1\n", "carriage return"),
        ("", "no line break at the end"),
        ("# only\n", "empty document"),
        ("  a: 1\n", "indented top level"),
        ("plain\n", "expected a key"),
        ("a: b: c\n", "`: ` in a plain scalar"),
        ("a: 'x\n  y'\n", "quoted scalar over several lines"),
        ("a: \"x\\n\"\n", "escape"),
        ("a: 'x' y\n", "text after a quoted scalar"),
        ("'a': 1\n", "expected a key"),
        ("a: |2\n  x\n", "block scalar header"),
        ("a: |\n\n  x\n", "block scalar without a first content line"),
        ("a: |\nb: 1\n", "empty block scalar"),
        ("a:\n  |\n  x\n", "block scalar on its own line"),
        ("a:\n  - x\n b: 1\n", "unexpected indentation"),
        ("a: x # c\n  y\n", "unexpected indentation"),
        ("- - a\n", "sequence in a sequence entry"),
        ("-\n  a\n", "entry without a value on its line"),
        ("a: - b\n", "sequence after a key"),
        ("a: 2024-02-30\n", "not constructible"),
        ("<<: 1\n", "not constructible"),
        ("- a\nb: 1\n", "unexpected indentation"),
    ];
    for (text, reason) in cases {
        assert_eq!(unhandled(text), reason, "{text:?}");
    }
}

#[test]
fn tokens_linted_as_they_are_made_keep_what_the_rules_need_of_earlier_ones() {
    // Only the last four tokens are kept: a key repeated far from its first place
    // is still a duplicate, and a directive still disables its rule to the end.
    let mut text = String::from("version: 3\n# yamllint disable rule:trailing-spaces\n");
    for i in 0..5000 {
        text.push_str(&format!("k{i:06}: v\n"));
    }
    text.push_str("k000001: again \n");
    assert_same(&text);
    let scanned = scan(&text, &Bump::new()).expect("handled");
    let found: Vec<_> = scanned
        .findings
        .iter()
        .map(|d| (d.line, d.col, d.rule))
        .collect();
    assert_eq!(found, [(5003, 1, "key-duplicates")]);
}
