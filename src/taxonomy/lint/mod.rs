//! A port of the yamllint rules that upstream runs on every taxonomy file
//! (`{extends: relaxed, rules: {line-length: disable}}`, yamllint 1.38): the same
//! rules at the same levels, over the same tokens and lines, in the same order, with
//! yamllint's `# yamllint disable…` comment directives.

mod directives;
mod indentation;
mod line_rules;
mod references;
mod spacing;
pub(crate) mod tokens;

use crate::taxonomy::diagnostic::{Diagnostic, Severity};

use directives::Directives;
use line_rules::Line;
use spacing::Around;
use tokens::{Kind, Source, Token};

/// A YAML syntax error found by the parser, 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// The parser's description of the problem.
    pub message: String,
}

/// What one rule found, before its rule and level are attached.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Problem {
    line: usize,
    column: usize,
    message: String,
}

impl Problem {
    fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            column,
            message: message.into(),
        }
    }
}

/// The rules upstream's configuration enables, in yamllint's order, with their levels.
const TOKEN_RULES: [(&str, Severity); 8] = [
    ("anchors", Severity::Error),
    ("braces", Severity::Warning),
    ("brackets", Severity::Warning),
    ("colons", Severity::Warning),
    ("commas", Severity::Warning),
    ("hyphens", Severity::Warning),
    ("indentation", Severity::Warning),
    ("key-duplicates", Severity::Error),
];
const LINE_RULES: [(&str, Severity); 4] = [
    ("empty-lines", Severity::Warning),
    ("new-line-at-end-of-file", Severity::Error),
    ("new-lines", Severity::Error),
    ("trailing-spaces", Severity::Error),
];

/// Where PyYAML fails on a text that taxon's loader reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PyYamlFailure {
    /// PyYAML's scanner stops: a tab where a token starts, or an anchor name it
    /// does not accept.
    Syntax(SyntaxError),
    /// PyYAML's composer refuses an anchor declared twice in one document.
    DuplicateAnchor(Diagnostic),
}

/// yamllint's findings on a text taxon's loader read, and how PyYAML fails on it
/// where that loader did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linted {
    /// yamllint's findings, a syntax error included where PyYAML's scanner fails.
    pub findings: Vec<Diagnostic>,
    /// Where upstream's YAML 1.1 reading fails though taxon's loader did not.
    pub failure: Option<PyYamlFailure>,
}

/// Lints a text that taxon's loader read, in one pass over its tokens.
pub fn lint_loaded(text: &str) -> Linted {
    let source = Source::new(text);
    let stream = tokens::tokens(&source);
    let failure = duplicate_anchor(&stream)
        .map(PyYamlFailure::DuplicateAnchor)
        .or_else(|| {
            stream
                .pyyaml_error
                .as_ref()
                .map(|(mark, problem)| PyYamlFailure::Syntax(syntax_error_at(*mark, problem)))
        });
    Linted {
        findings: lint_stream(&source, &stream, &line_rules::lines(text), None),
        failure,
    }
}

/// Lints a text the fast path read, from its tokens and line starts, as
/// [`lint_loaded`] lints it from the full tokenizer's: such a text has no anchor
/// and PyYAML reads it whole.
pub(crate) fn lint_scanned(source: &Source<'_>, tokens: Vec<Token>) -> Linted {
    let stream = tokens::Stream {
        linted: tokens.len(),
        tokens,
        pyyaml_error: None,
    };
    let lines = line_rules::lines_from_starts(source.text, source.line_starts());
    Linted {
        findings: lint_stream(source, &stream, &lines, None),
        failure: None,
    }
}

/// The first anchor declared twice in one document, which PyYAML's composer refuses.
fn duplicate_anchor(stream: &tokens::Stream) -> Option<Diagnostic> {
    let mut anchors: Vec<&Token> = Vec::new();
    for token in &stream.tokens {
        match token.kind {
            Kind::DocumentStart | Kind::DocumentEnd => anchors.clear(),
            Kind::Anchor => {
                if let Some(first) = anchors.iter().find(|a| a.value == token.value) {
                    return Some(Diagnostic::new(
                        Severity::Error,
                        token.start.line + 1,
                        token.start.column + 1,
                        "yaml",
                        format!(
                            "found duplicate anchor \"{}\"; first occurrence at line {}, column {}",
                            token.value,
                            first.start.line + 1,
                            first.start.column + 1
                        ),
                    ));
                }
                anchors.push(token);
            }
            _ => {}
        }
    }
    None
}

fn syntax_error_at(mark: tokens::Mark, problem: &str) -> SyntaxError {
    SyntaxError {
        line: mark.line + 1,
        col: mark.column + 1,
        message: format!("syntax error: {problem}"),
    }
}

/// Lints `text` as yamllint would with upstream's configuration, merging in the
/// parser's `syntax_error` (if any, else where PyYAML's scanner fails) the way
/// yamllint orders it.
pub fn lint(text: &str, syntax_error: Option<&SyntaxError>) -> Vec<Diagnostic> {
    let source = Source::new(text);
    let lines = line_rules::lines(text);
    lint_stream(&source, &tokens::tokens(&source), &lines, syntax_error)
}

fn lint_stream(
    source: &Source<'_>,
    stream: &tokens::Stream,
    lines: &[Line],
    syntax_error: Option<&SyntaxError>,
) -> Vec<Diagnostic> {
    let text = source.text;
    let first_line = &text[lines[0].start..lines[0].end];
    if directives::disables_file(first_line) {
        return Vec::new();
    }
    let scanner_error = stream
        .pyyaml_error
        .as_ref()
        .map(|(mark, problem)| syntax_error_at(*mark, problem));
    let mut syntax = syntax_error
        .or(scanner_error.as_ref())
        .map(|e| Diagnostic::new(Severity::Error, e.line, e.col, "syntax", &e.message));
    let mut out = Vec::new();
    for problem in cosmetic_problems(source, stream, lines) {
        if let Some(error) = syntax.take_if(|e| e.line <= problem.line && e.col <= problem.col) {
            // The problem at the syntax error's place is most likely the same one.
            out.push(error);
            continue;
        }
        out.push(problem);
    }
    out.extend(syntax);
    out
}

/// What the token, comment and line rules find, line by line, less what the
/// directives disable.
fn cosmetic_problems(
    source: &Source<'_>,
    stream: &tokens::Stream,
    lines: &[Line],
) -> Vec<Diagnostic> {
    let text = source.text;
    let all: Vec<&str> = TOKEN_RULES
        .iter()
        .chain(&LINE_RULES)
        .map(|(id, _)| *id)
        .collect();
    let mut directives = Directives::new(&all);
    let mut rules = TokenRules::default();
    let mut cache = Vec::new();
    let mut out = Vec::new();
    let mut lines = lines.iter().peekable();
    let tokens = &stream.tokens;
    for index in 0..stream.linted {
        let token = &tokens[index];
        let line_no = token.start.line + 1;
        while let Some(line) = lines.next_if(|line| line.line_no < line_no) {
            finish_line(text, line, &mut cache, &mut directives, &mut out);
        }
        rules.check(source, tokens, index, &mut cache);
        for comment in directives::comments_between(source, token, tokens.get(index + 1)) {
            while let Some(line) = lines.next_if(|line| line.line_no < comment.line_no) {
                finish_line(text, line, &mut cache, &mut directives, &mut out);
            }
            directives.process(source, &comment);
        }
    }
    for line in lines {
        finish_line(text, line, &mut cache, &mut directives, &mut out);
    }
    out
}

/// Runs the line rules on `line`, then hands on what was found up to it.
fn finish_line(
    text: &str,
    line: &Line,
    cache: &mut Vec<Diagnostic>,
    directives: &mut Directives,
    out: &mut Vec<Diagnostic>,
) {
    let found = [
        line_rules::empty_lines(text, line),
        line_rules::new_line_at_end_of_file(text, line),
        line_rules::new_lines(text, line),
        line_rules::trailing_spaces(text, line),
    ];
    for ((rule, severity), problem) in LINE_RULES.iter().zip(found) {
        if let Some(problem) = problem {
            cache.push(diagnostic(rule, *severity, problem));
        }
    }
    out.extend(cache.drain(..).filter(|d| !directives.disables(d.rule)));
    directives.next_line();
}

fn diagnostic(rule: &'static str, severity: Severity, problem: Problem) -> Diagnostic {
    Diagnostic::new(
        severity,
        problem.line,
        problem.column,
        rule,
        problem.message,
    )
}

/// The state the token rules keep over a file.
#[derive(Default)]
struct TokenRules {
    anchors: references::Anchors,
    indentation: indentation::Indentation,
    key_duplicates: references::KeyDuplicates,
}

impl TokenRules {
    fn check(
        &mut self,
        source: &Source<'_>,
        tokens: &[Token],
        index: usize,
        out: &mut Vec<Diagnostic>,
    ) {
        let token = &tokens[index];
        let prev = index.checked_sub(1).map(|i| &tokens[i]);
        let next = tokens.get(index + 1);
        let nextnext = tokens.get(index + 2);
        let around = Around { prev, token, next };
        for (rule, severity) in TOKEN_RULES {
            let mut found = Vec::new();
            match rule {
                "anchors" => self.anchors.check(token, &mut found),
                "braces" => spacing::inside(
                    source,
                    &around,
                    (Kind::FlowMappingStart, Kind::FlowMappingEnd, "braces"),
                    &mut found,
                ),
                "brackets" => spacing::inside(
                    source,
                    &around,
                    (Kind::FlowSequenceStart, Kind::FlowSequenceEnd, "brackets"),
                    &mut found,
                ),
                "colons" => spacing::colons(source, &around, &mut found),
                "commas" => spacing::commas(source, &around, &mut found),
                "hyphens" => spacing::hyphens(&around, &mut found),
                "indentation" => {
                    self.indentation
                        .check(source, [prev, Some(token), next, nextnext], &mut found)
                }
                _ => self.key_duplicates.check(token, next, &mut found),
            }
            // Most tokens give no problem: nothing to hand on then.
            if !found.is_empty() {
                out.extend(found.into_iter().map(|p| diagnostic(rule, severity, p)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(text: &str) -> Vec<String> {
        lint(text, None)
            .iter()
            .map(|d| format!("{}:{} {} ({})", d.line, d.col, d.message, d.rule))
            .collect()
    }

    // Expected outputs recorded from yamllint 1.38.0 with upstream's configuration.

    #[test]
    fn a_clean_file_has_no_findings() {
        let text = "version: 3\nseed_examples:\n  - question: a\n    answer: |\n      b\n";
        assert!(findings(text).is_empty());
    }

    #[test]
    fn spacing_rules() {
        let text = "a :  1\nb: [ 1,2 ,  3 ]\nc: {  x: 1}\nd:\n  -   e\n";
        assert_eq!(
            findings(text),
            [
                "1:2 too many spaces before colon (colons)",
                "1:5 too many spaces after colon (colons)",
                "2:8 too few spaces after comma (commas)",
                "2:9 too many spaces before comma (commas)",
                "2:12 too many spaces after comma (commas)",
                "3:6 too many spaces inside braces (braces)",
                "5:6 too many spaces after hyphen (hyphens)",
            ]
        );
    }

    #[test]
    fn duplicate_keys_undeclared_aliases_and_indentation() {
        let text = "a: 1\na: *x\nb:\n   c: 1\n   d:\n     - 1\n";
        assert_eq!(
            findings(text),
            [
                "2:1 duplication of key \"a\" in mapping (key-duplicates)",
                "2:4 found undeclared alias \"x\" (anchors)",
                "6:6 wrong indentation: expected 6 but found 5 (indentation)",
            ]
        );
        let text = "a:\n  - b\nc:\n    - d\n";
        assert_eq!(
            findings(text),
            ["4:5 wrong indentation: expected 2 but found 4 (indentation)"]
        );
    }

    #[test]
    fn directives_disable_rules() {
        let text = "a: 1 # yamllint disable-line rule:trailing-spaces\nb: 2  \n";
        assert_eq!(findings(text), ["2:5 trailing spaces (trailing-spaces)"]);
        let text = "# yamllint disable rule:trailing-spaces\na: 1  \n";
        assert!(findings(text).is_empty());
        assert!(findings("# yamllint disable-file\na: 1  \n").is_empty());
    }

    #[test]
    fn lines_from_line_starts_are_the_lines_of_the_text() {
        for text in ["", "a", "a\n", "a: 1\n\n  b\n", "\n\nx"] {
            let source = Source::new(text);
            assert_eq!(
                line_rules::lines_from_starts(text, source.line_starts()),
                line_rules::lines(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_syntax_error_takes_the_place_of_a_problem_at_or_after_it() {
        let error = SyntaxError {
            line: 2,
            col: 1,
            message: "syntax error: mapping values are not allowed here".into(),
        };
        let out = lint("a: 1  \nb: c: d  \n", Some(&error));
        let rules: Vec<_> = out.iter().map(|d| (d.line, d.rule)).collect();
        assert_eq!(rules, [(1, "trailing-spaces"), (2, "syntax")]);
    }
}
