//! Event streams recorded from PyYAML 6.0.3 (`yaml.parse(text, Loader=BaseLoader)`).

use super::*;
use crate::taxonomy::yaml::repr::str_repr;

/// The events of `text` as the recording script prints them, then the error, if any.
fn dump(text: &str) -> Vec<String> {
    let arena = Bump::new();
    let mut parser = Parser::new(text, &arena);
    let mut out = Vec::new();
    loop {
        match parser.get_event() {
            Ok(Some(event)) => {
                let name = match &event.kind {
                    EventKind::StreamStart => "StreamStart",
                    EventKind::StreamEnd => "StreamEnd",
                    EventKind::DocumentStart => "DocumentStart",
                    EventKind::DocumentEnd => "DocumentEnd",
                    EventKind::Alias(_) => "Alias",
                    EventKind::Scalar { .. } => "Scalar",
                    EventKind::SequenceStart(_) => "SequenceStart",
                    EventKind::SequenceEnd => "SequenceEnd",
                    EventKind::MappingStart(_) => "MappingStart",
                    EventKind::MappingEnd => "MappingEnd",
                };
                let mut line = format!(
                    "{name} {}:{}-{}:{}",
                    event.start.line(),
                    event.start.column(),
                    event.end.line(),
                    event.end.column()
                );
                if let EventKind::Scalar {
                    value, properties, ..
                } = &event.kind
                {
                    line.push_str(&format!(" {}", str_repr(value)));
                    if let Some(tag) = &properties.tag {
                        line.push_str(&format!(" tag={tag}"));
                    }
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
fn events_and_their_marks() {
    assert_eq!(
        dump("a:\n- b\n-\nc: !!str\nd: [x: 1]\n"),
        [
            "StreamStart 0:0-0:0",
            "DocumentStart 0:0-0:0",
            "MappingStart 0:0-0:0",
            "Scalar 0:0-0:1 'a'",
            "SequenceStart 1:0-1:1",
            "Scalar 1:2-1:3 'b'",
            "Scalar 2:1-2:1 ''",
            "SequenceEnd 3:0-3:0",
            "Scalar 3:0-3:1 'c'",
            "Scalar 3:3-3:8 '' tag=tag:yaml.org,2002:str",
            "Scalar 4:0-4:1 'd'",
            "SequenceStart 4:3-4:4",
            "MappingStart 4:4-4:4",
            "Scalar 4:4-4:5 'x'",
            "Scalar 4:7-4:8 '1'",
            "MappingEnd 4:8-4:8",
            "SequenceEnd 4:8-4:9",
            "MappingEnd 5:0-5:0",
            "DocumentEnd 5:0-5:0",
            "StreamEnd 5:0-5:0",
        ]
    );
}

#[test]
fn errors_are_raised_where_pyyaml_raises_them() {
    let last = |text: &str| dump(text).pop().unwrap_or_default();
    let cases = [
        (
            "%YAML 9.9\n---\na: 1\n",
            "error 0:0 found incompatible YAML document (version 1.* is required)",
        ),
        (
            "...\n",
            "error 0:0 expected the node content, but found '<document end>'",
        ),
        ("a: \"x\n", "error 1:0 found unexpected end of stream"),
        ("a: b\nc d\ne: f\n", "error 2:0 could not find expected ':'"),
        (
            "- a\nb: c\n",
            "error 1:0 expected <block end>, but found '?'",
        ),
        (
            "a: \"x\n...\n\"",
            "error 1:0 found unexpected document separator",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(last(text), expected, "{text:?}");
    }
    assert_eq!(first_syntax_problem("a: 1\n---\nb: 2\n"), None);
}
