//! Documents and errors as `yaml.safe_load` of PyYAML 6.0.3 gives them.

use super::*;

fn root_entries(doc: &Document) -> Vec<(String, Value)> {
    let root = doc.root_id().expect("root");
    doc.entries(root)
        .iter()
        .map(|e| {
            (
                doc.str_value(e.key).unwrap_or("?").to_owned(),
                doc.node(e.value).value.clone(),
            )
        })
        .collect()
}

fn value_of(text: &str, key: &str) -> Value {
    let doc = load(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    let root = doc.root_id().expect("root");
    let id = doc.get(root, key).expect("the key");
    doc.node(id).value.clone()
}

#[test]
fn resolves_scalars_as_yaml_1_1() {
    let doc = load("a: yes\nb: '8'\nc: 8\nd:\ne: 2024-01-31\nf: 1e3\ng: ! 8\n").unwrap();
    assert_eq!(
        root_entries(&doc),
        vec![
            ("a".into(), Value::Bool(true)),
            ("b".into(), Value::Str("8".into())),
            ("c".into(), Value::Int(8)),
            ("d".into(), Value::Null),
            ("e".into(), Value::Timestamp("2024-01-31".into())),
            ("f".into(), Value::Str("1e3".into())),
            // The non-specific tag `!` resolves as a plain scalar would.
            ("g".into(), Value::Int(8)),
        ]
    );
}

#[test]
fn last_duplicate_key_wins_at_first_place() {
    let doc = load("a: 1\nb: 2\na: 3\n").unwrap();
    assert_eq!(
        root_entries(&doc),
        vec![("a".into(), Value::Int(3)), ("b".into(), Value::Int(2))]
    );
    // `1`, `1.0` and `true` are one key of a Python dict, however many keys.
    let mut text: String = (0..20).map(|i| format!("k{i}: {i}\n")).collect();
    text.push_str("1: a\n1.0: b\ntrue: c\n");
    let doc = load(&text).unwrap();
    let entries = doc.entries(doc.root_id().unwrap());
    assert_eq!(entries.len(), 21);
    assert_eq!(doc.node(entries[20].value).value, Value::Str("c".into()));
}

#[test]
fn a_large_mapping_finds_keys_equal_as_python_values() {
    // Thousands of keys, so that the mapping's index grows several times: `yes`,
    // `true`, `on` and `1` are one dict key (the first one's, with the last value),
    // `no` and `0` another, while `"1"` is a string of its own.
    let mut text: String = (0..5000).map(|i| format!("k{i}: {i}\n")).collect();
    text.push_str("yes: a\nno: b\ntrue: c\n'1': d\non: e\n0: f\n1: g\nk42: h\n");
    let doc = load(&text).unwrap();
    let entries = doc.entries(doc.root_id().unwrap());
    assert_eq!(entries.len(), 5003);
    let entry = |at: usize| {
        let (key, value) = (entries[at].key, entries[at].value);
        (doc.node(key).value.clone(), doc.node(value).value.clone())
    };
    assert_eq!(
        entry(42),
        (Value::Str("k42".into()), Value::Str("h".into()))
    );
    assert_eq!(entry(5000), (Value::Bool(true), Value::Str("g".into())));
    assert_eq!(entry(5001), (Value::Bool(false), Value::Str("f".into())));
    assert_eq!(
        entry(5002),
        (Value::Str("1".into()), Value::Str("d".into()))
    );
}

#[test]
fn keeps_pyyaml_marks() {
    let doc =
        load("version: 3\nseed_examples:\n  - question: q\n    answer: |\n      a\n").unwrap();
    let root = doc.root_id().unwrap();
    let seeds = doc.get(root, "seed_examples").unwrap();
    let first = doc.items(seeds)[0];
    let answer = doc.get(first, "answer").unwrap();
    let span = doc.node(answer).span;
    // A block scalar runs from its indicator to the start of the line after it.
    assert_eq!((span.start.line(), span.start.col()), (4, 13));
    assert_eq!((span.end.line(), span.end.col()), (6, 1));
    assert_eq!(doc.node(first).span.start.line(), 3);
}

#[test]
fn merge_keys_merge() {
    let doc = load("base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n").unwrap();
    let root = doc.root_id().unwrap();
    let child = doc.get(root, "child").unwrap();
    let y = doc.get(child, "y").unwrap();
    assert_eq!(doc.node(y).value, Value::Int(3));
    assert!(doc.get(child, "x").is_some());
}

#[test]
fn reads_what_pyyaml_reads() {
    // The two shapes of issue 13: quoted scalars whose continuation lines are
    // indented less than YAML 1.2 asks.
    let text = "seed_examples:\n- answer: 'Why did the scarecrow get a prize?\n\n  He was outstanding in his field.\n\n  '\n  question: Tell me a pun about farming.\n";
    let doc = load(text).unwrap();
    let seeds = doc.get(doc.root_id().unwrap(), "seed_examples").unwrap();
    let answer = doc.get(doc.items(seeds)[0], "answer").unwrap();
    assert_eq!(
        doc.str_value(answer),
        Some("Why did the scarecrow get a prize?\nHe was outstanding in his field.\n")
    );
    let text = "seed_examples:\n  - answer: \"Yes. The private ranges set aside for local networks\n    are these three:\n        10.0.0.0/8\n        172.16.0.0/12\"\n    question: Is 10.1.2.3 a private address?\n";
    let doc = load(text).unwrap();
    let seeds = doc.get(doc.root_id().unwrap(), "seed_examples").unwrap();
    let answer = doc.get(doc.items(seeds)[0], "answer").unwrap();
    assert_eq!(
        doc.str_value(answer),
        Some(
            "Yes. The private ranges set aside for local networks are these three: \
             10.0.0.0/8 172.16.0.0/12"
        )
    );
    // A byte-order mark inside a plain scalar, LS at the end of a literal line,
    // a lone surrogate escape, a single-pair mapping in a flow sequence.
    assert_eq!(
        value_of("a: b\u{feff}c\n", "a"),
        Value::Str("b\u{feff}c".into())
    );
    assert_eq!(
        value_of("a: |\n  x\u{2028}\n", "a"),
        Value::Str("x\u{2028}".into())
    );
    assert_eq!(
        value_of("a: \"\\ud800\"\n", "a"),
        Value::Str("\u{10f800}".into())
    );
    let doc = load("a: [b: 1]\n").unwrap();
    let seq = doc.get(doc.root_id().unwrap(), "a").unwrap();
    assert_eq!(doc.entries(doc.items(seq)[0]).len(), 1);
    // Two byte-order marks: PyYAML skips the first only.
    let doc = load("\u{feff}\u{feff}version: 3\n").unwrap();
    assert_eq!(root_entries(&doc)[0].0, "\u{feff}version");
}

#[test]
fn a_set_is_loaded_as_a_set() {
    let Value::Set(members) = value_of("a: !!set {x, y}\n", "a") else {
        panic!("not a set");
    };
    assert_eq!(members.len(), 2);
}

#[test]
fn refuses_what_safe_load_refuses() {
    let cases = [
        (
            "a: !foo x\n",
            "could not determine a constructor for the tag '!foo'",
        ),
        ("? [a]\n: b\n", "unhashable key"),
        ("a: 1\n---\nb: 2\n", "single document"),
        ("a: &x [1, *x]\n", "recursive alias"),
        ("a: 2024-02-30\n", "out of range"),
        ("a: \u{1}\n", "unacceptable character #x0001"),
        ("%YAML 9.9\n---\na: 1\n", "version 1.* is required"),
        (
            "...\n",
            "expected the node content, but found '<document end>'",
        ),
        ("a: |\n  x\u{2028}y\n", "could not find expected ':'"),
        ("a: !!binary QQ\n", "Incorrect padding"),
        ("a: &x 1\nb: &x 2\n", "found duplicate anchor 'x'"),
    ];
    for (text, expected) in cases {
        let err = load(text).expect_err(text);
        assert!(err.message.contains(expected), "{text:?}: {err}");
    }
}

#[test]
fn a_construction_error_waits_for_the_whole_stream() {
    // PyYAML constructs only once the stream is parsed: a syntax error after a
    // bad tag is the error it raises.
    let err = load("a: !foo x\nb: \"open\n").expect_err("syntax");
    assert_eq!(err.kind, LoadErrorKind::Syntax);
    assert_eq!((err.line, err.col), (3, 1));
}

#[test]
fn refuses_alias_bombs_quickly() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
        ));
    }
    let err = load(&text).expect_err("bomb");
    assert!(err.message.contains("alias bomb"), "{err}");
}

#[test]
fn many_nodes_without_aliases_are_no_alias_bomb() {
    // Issue 13: 200,000 seed examples were refused as an alias bomb.
    let mut text = String::from("seed_examples:\n");
    for i in 0..200_000 {
        text.push_str(&format!("- question: q{i}\n  answer: a\n"));
    }
    let doc = load(&text).expect("no limit is hit");
    let seeds = doc.get(doc.root_id().unwrap(), "seed_examples").unwrap();
    assert_eq!(doc.items(seeds).len(), 200_000);
}

#[test]
fn deep_nesting_is_refused_with_its_limit() {
    let depth = MAX_DEPTH + 1;
    let text = format!("a: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    let err = load(&text).expect_err("too deep");
    assert!(err.message.contains("nest more than 1000 levels"), "{err}");
    let text = format!("a: {}{}\n", "[".repeat(600), "]".repeat(600));
    assert!(load(&text).is_ok());
}

#[test]
fn errors_are_placed_and_worded_as_pyyaml_places_them() {
    // Checked against PyYAML 6.0.3.
    let tab = load("a:\n\t- b\n").expect_err("tab");
    assert_eq!((tab.line, tab.col), (2, 1));
    assert!(tab.message.contains("cannot start any token"));
    let open = load("a: \"x\n").expect_err("unclosed");
    assert_eq!((open.line, open.col), (2, 1));
    let syntax = load("a: b\nc d\ne: f\n").expect_err("syntax");
    assert_eq!(syntax.kind, LoadErrorKind::Syntax);
    assert_eq!((syntax.line, syntax.col), (3, 1));
    for value in ["a: =\n", "a: <<\n", "- <<\n"] {
        assert_eq!(load(value).expect_err(value).kind, LoadErrorKind::Construct);
    }
    assert_eq!(
        load("a: *nothing\n").expect_err("alias").kind,
        LoadErrorKind::Construct
    );
}

#[test]
fn empty_stream_has_no_root() {
    assert!(load("").unwrap().root().is_none());
    assert!(load("# only a comment\n").unwrap().is_falsy());
}
