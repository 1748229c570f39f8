//! Token streams recorded from PyYAML 6.0.3 (`yaml.scan(text, Loader=BaseLoader)`).

use super::*;

/// The tokens of `text` as the recording script prints them, then the error, if any.
fn dump(text: &str) -> Vec<String> {
    let arena = Bump::new();
    let mut scanner = Scanner::new(text, &arena);
    let mut out = Vec::new();
    loop {
        match scanner.get_token() {
            Ok(Some(token)) => {
                let mut line = format!(
                    "{:?} {}:{}-{}:{}",
                    token.kind,
                    token.start.line(),
                    token.start.column(),
                    token.end.line(),
                    token.end.column()
                );
                if matches!(token.kind, Kind::Scalar | Kind::Anchor | Kind::Alias) {
                    line.push(' ');
                    line.push_str(&str_repr(token.value));
                }
                out.push(line);
            }
            Ok(None) => return out,
            Err(problem) => {
                out.push(format!(
                    "error {}:{} {}",
                    problem.mark.line(),
                    problem.mark.column(),
                    problem.problem
                ));
                return out;
            }
        }
    }
}

#[test]
fn quoted_continuation_lines_may_sit_at_any_column() {
    // The two shapes of issue 13: PyYAML ignores the indentation of a quoted
    // scalar's continuation lines.
    let text = "seed_examples:\n- answer: 'Why?\n\n  He was.\n\n  '\n  question: Tell me.\n";
    assert_eq!(
        dump(text),
        [
            "StreamStart 0:0-0:0",
            "BlockMappingStart 0:0-0:0",
            "Key 0:0-0:0",
            "Scalar 0:0-0:13 'seed_examples'",
            "Value 0:13-0:14",
            "BlockEntry 1:0-1:1",
            "BlockMappingStart 1:2-1:2",
            "Key 1:2-1:2",
            "Scalar 1:2-1:8 'answer'",
            "Value 1:8-1:9",
            "Scalar 1:10-5:3 'Why?\\nHe was.\\n'",
            "Key 6:2-6:2",
            "Scalar 6:2-6:10 'question'",
            "Value 6:10-6:11",
            "Scalar 6:12-6:20 'Tell me.'",
            "BlockEnd 7:0-7:0",
            "BlockEnd 7:0-7:0",
            "StreamEnd 7:0-7:0",
        ]
    );
    let text = "seed_examples:\n  - answer: \"Yes. The ranges\n    are these:\n        10.0.0.0/8\n        172.16.0.0/12\"\n    question: Is it?\n";
    assert_eq!(
        dump(text)[11],
        "Scalar 1:12-4:22 'Yes. The ranges are these: 10.0.0.0/8 172.16.0.0/12'"
    );
}

#[test]
fn a_tab_cannot_start_a_token() {
    assert_eq!(
        dump("a:\n\t- b\n"),
        [
            "StreamStart 0:0-0:0",
            "BlockMappingStart 0:0-0:0",
            "Key 0:0-0:0",
            "Scalar 0:0-0:1 'a'",
            "Value 0:1-0:2",
            "error 1:0 found character '\\t' that cannot start any token",
        ]
    );
}

#[test]
fn a_stray_closing_bracket_makes_the_flow_level_negative() {
    // After `]` in block context PyYAML's flow level is -1, read as flow context;
    // the `[` that follows brings it back to block context.
    assert_eq!(
        dump("a: ]\nb: [c, d: e\n"),
        [
            "StreamStart 0:0-0:0",
            "BlockMappingStart 0:0-0:0",
            "Key 0:0-0:0",
            "Scalar 0:0-0:1 'a'",
            "Value 0:1-0:2",
            "FlowSequenceEnd 0:3-0:4",
            "Scalar 1:0-1:1 'b'",
            "Value 1:1-1:2",
            "FlowSequenceStart 1:3-1:4",
            "BlockMappingStart 1:4-1:4",
            "Key 1:4-1:4",
            "Scalar 1:4-1:8 'c, d'",
            "Value 1:8-1:9",
            "Scalar 1:10-1:11 'e'",
            "BlockEnd 2:0-2:0",
            "BlockEnd 2:0-2:0",
            "StreamEnd 2:0-2:0",
        ]
    );
}

#[test]
fn flow_pairs_and_explicit_keys() {
    assert_eq!(
        dump("k: [a: 1, ? b, {c: d}]\n")[5..21],
        [
            "FlowSequenceStart 0:3-0:4",
            "Key 0:4-0:4",
            "Scalar 0:4-0:5 'a'",
            "Value 0:5-0:6",
            "Scalar 0:7-0:8 '1'",
            "FlowEntry 0:8-0:9",
            "Key 0:10-0:11",
            "Scalar 0:12-0:13 'b'",
            "FlowEntry 0:13-0:14",
            "FlowMappingStart 0:15-0:16",
            "Key 0:16-0:16",
            "Scalar 0:16-0:17 'c'",
            "Value 0:17-0:18",
            "Scalar 0:19-0:20 'd'",
            "FlowMappingEnd 0:20-0:21",
            "FlowSequenceEnd 0:21-0:22",
        ]
    );
    assert_eq!(
        dump("? complex\n: value\n- x\n"),
        [
            "StreamStart 0:0-0:0",
            "BlockMappingStart 0:0-0:0",
            "Key 0:0-0:1",
            "Scalar 0:2-0:9 'complex'",
            "Value 1:0-1:1",
            "Scalar 1:2-1:7 'value'",
            "BlockEntry 2:0-2:1",
            "Scalar 2:2-2:3 'x'",
            "BlockEnd 3:0-3:0",
            "StreamEnd 3:0-3:0",
        ]
    );
}

#[test]
fn byte_order_marks_and_unicode_line_breaks() {
    // A byte-order mark inside the text is an ordinary character of no width.
    assert_eq!(
        dump("a: b\u{feff}c\n\u{feff}d: 1\n")[5..8],
        [
            "Scalar 0:3-0:5 'b\\ufeffc'",
            "Key 1:0-1:0",
            "Scalar 1:0-1:1 '\\ufeffd'",
        ]
    );
    // LS breaks a line of a literal scalar and stays in its value.
    assert_eq!(
        dump("a: |\n  x\u{2028}  y\n")[5],
        "Scalar 0:3-3:0 'x\\u2028y\\n'"
    );
}

#[test]
fn directives_tags_anchors_and_aliases() {
    let text = "%YAML 1.1\n%TAG !e! tag:e.com,2000:\n--- !e!m\na: !!str &x 1\nb: *x\n...";
    assert_eq!(
        dump(text),
        [
            "StreamStart 0:0-0:0",
            "Directive 0:0-0:9",
            "Directive 1:0-1:24",
            "DocumentStart 2:0-2:3",
            "Tag 2:4-2:8",
            "BlockMappingStart 3:0-3:0",
            "Key 3:0-3:0",
            "Scalar 3:0-3:1 'a'",
            "Value 3:1-3:2",
            "Tag 3:3-3:8",
            "Anchor 3:9-3:11 'x'",
            "Scalar 3:12-3:13 '1'",
            "Key 4:0-4:0",
            "Scalar 4:0-4:1 'b'",
            "Value 4:1-4:2",
            "Alias 4:3-4:5 'x'",
            "BlockEnd 5:0-5:0",
            "DocumentEnd 5:0-5:3",
            "StreamEnd 5:3-5:3",
        ]
    );
}
