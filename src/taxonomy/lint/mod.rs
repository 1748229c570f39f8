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

use bumpalo::Bump;

use crate::taxonomy::diagnostic::{Diagnostic, Severity};

use directives::Directives;
use line_rules::Line;
use spacing::Around;
use tokens::{Kind, Kinds, Source, Token};

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

/// A rule's id and level.
type Rule = (&'static str, Severity);

const ANCHORS: Rule = ("anchors", Severity::Error);
const BRACES: Rule = ("braces", Severity::Warning);
const BRACKETS: Rule = ("brackets", Severity::Warning);
const COLONS: Rule = ("colons", Severity::Warning);
const COMMAS: Rule = ("commas", Severity::Warning);
const HYPHENS: Rule = ("hyphens", Severity::Warning);
const INDENTATION: Rule = ("indentation", Severity::Warning);
const KEY_DUPLICATES: Rule = ("key-duplicates", Severity::Error);

/// The rules upstream's configuration enables, in yamllint's order, with their levels.
const TOKEN_RULES: [Rule; 8] = [
    ANCHORS,
    BRACES,
    BRACKETS,
    COLONS,
    COMMAS,
    HYPHENS,
    INDENTATION,
    KEY_DUPLICATES,
];
const LINE_RULES: [Rule; 4] = [
    ("empty-lines", Severity::Warning),
    ("new-line-at-end-of-file", Severity::Error),
    ("new-lines", Severity::Error),
    ("trailing-spaces", Severity::Error),
];

/// The ids of the token rules then the line rules, which directives name.
const RULE_IDS: [&str; TOKEN_RULES.len() + LINE_RULES.len()] = {
    let mut ids = [""; TOKEN_RULES.len() + LINE_RULES.len()];
    let mut place = 0;
    while place < ids.len() {
        ids[place] = if place < TOKEN_RULES.len() {
            TOKEN_RULES[place].0
        } else {
            LINE_RULES[place - TOKEN_RULES.len()].0
        };
        place += 1;
    }
    ids
};

/// Lints a text that the loader read (so that PyYAML's scanner reads it whole), in
/// one pass over its tokens.
pub fn lint_loaded(text: &str) -> Vec<Diagnostic> {
    lint(text, None)
}

/// yamllint's findings on a text whose tokens are handed in as they are made (the
/// fast path's), as [`lint_loaded`] finds them from the scanner's: each token is
/// linted once the two after it are in, and only the last four are kept, so that
/// a large file's tokens are never all in memory at once.
pub(crate) struct TokenLint<'s, 'a> {
    /// `None` when the first line disables yamllint for the whole file.
    problems: Option<Cosmetic<'s, 'a>>,
    /// The last four tokens (or `None` past the end), token `n` at `n % 4`: the
    /// one before the token to lint next, that one, and the two after it.
    recent: [Option<Token<'a>>; 4],
    /// How many places the window moved on.
    moves: usize,
}

impl<'s, 'a> TokenLint<'s, 'a> {
    /// Lints `source`, whose tokens will all be of `kinds`.
    pub(crate) fn new(source: &'s Source<'a>, kinds: Kinds) -> Self {
        let lines = line_rules::lines_from_starts(source.text, source.line_starts());
        Self {
            problems: Cosmetic::new(source, lines, kinds),
            recent: [None; 4],
            moves: 0,
        }
    }

    /// Takes the next token.
    pub(crate) fn push(&mut self, token: Token<'a>) {
        self.shift(Some(token));
    }

    /// Tells `key-duplicates` whether the key scalar just pushed has the text of an
    /// earlier key of its mapping, so that it keeps no keys of its own: told for
    /// every key, before the token after it is pushed.
    pub(crate) fn tell_key_repeats(&mut self, repeats: bool) {
        if let Some(problems) = &mut self.problems {
            problems.rules.told_key_repeats = Some(repeats);
        }
    }

    /// What was found, once every token was pushed.
    pub(crate) fn finish(mut self) -> Vec<Diagnostic> {
        // The last two tokens are linted with nothing after them.
        for _ in 0..2 {
            self.shift(None);
        }
        self.problems.map(Cosmetic::finish).unwrap_or_default()
    }

    /// Moves the window on by `token` (`None` past the end), linting the token
    /// that then has its two next ones.
    fn shift(&mut self, token: Option<Token<'a>>) {
        let last = self.moves;
        self.moves += 1;
        self.recent[last % 4] = token;
        let Some(problems) = &mut self.problems else {
            return;
        };
        // The token two places back, with the one before it and the two after.
        let at = |back: usize| {
            last.checked_sub(back)
                .and_then(|index| self.recent[index % 4].as_ref())
        };
        if at(2).is_some() {
            problems.check([at(3), at(2), at(1), at(0)]);
        }
    }
}

/// Lints `text` as yamllint would with upstream's configuration, merging in
/// PyYAML's `syntax_error` (if any) the way yamllint orders it.
pub fn lint(text: &str, syntax_error: Option<&SyntaxError>) -> Vec<Diagnostic> {
    let source = Source::new(text);
    let arena = Bump::new();
    let stream = tokens::tokens(&source, &arena);
    let kinds = Kinds::of(&stream.tokens[..stream.linted]);
    let Some(mut problems) = Cosmetic::new(&source, line_rules::lines(text), kinds) else {
        return Vec::new();
    };
    let tokens = &stream.tokens;
    for index in 0..stream.linted {
        let prev = index.checked_sub(1).map(|i| &tokens[i]);
        problems.check([
            prev,
            Some(&tokens[index]),
            tokens.get(index + 1),
            tokens.get(index + 2),
        ]);
    }
    let mut syntax =
        syntax_error.map(|e| Diagnostic::new(Severity::Error, e.line, e.col, "syntax", &e.message));
    let mut out = Vec::new();
    for problem in problems.finish() {
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
/// directives disable: the tokens are checked in turn, then the lines left.
struct Cosmetic<'s, 'a> {
    source: &'s Source<'a>,
    lines: Vec<Line>,
    /// The first line whose rules have not run yet.
    next_line: usize,
    directives: Directives,
    rules: TokenRules<'a>,
    /// What was found on the current line, not handed on yet.
    cache: Vec<Diagnostic>,
    out: Vec<Diagnostic>,
    /// Whether the text has a `#`: without one, it has no comment, and so no
    /// directive, to look for.
    may_have_comments: bool,
}

impl<'s, 'a> Cosmetic<'s, 'a> {
    /// The rules over `source`, split in `lines`, whose tokens are of `kinds`;
    /// `None` if its first line disables yamllint for the whole file.
    fn new(source: &'s Source<'a>, lines: Vec<Line>, kinds: Kinds) -> Option<Self> {
        let text = source.text;
        if directives::disables_file(&text[lines[0].start..lines[0].end]) {
            return None;
        }
        Some(Self {
            source,
            lines,
            next_line: 0,
            directives: Directives::new(&RULE_IDS),
            rules: TokenRules::new(kinds),
            cache: Vec::new(),
            out: Vec::new(),
            may_have_comments: memchr::memchr(b'#', text.as_bytes()).is_some(),
        })
    }

    /// Checks the token `window[1]`, between `window[0]` and `window[2]` (with
    /// `window[3]` after that), and the lines and comments before it.
    fn check(&mut self, window: [Option<&Token<'a>>; 4]) {
        let [_, Some(token), next, _] = window else {
            return;
        };
        self.finish_lines_before(token.start.line() + 1);
        self.rules.check(self.source, window, &mut self.cache);
        if !self.may_have_comments {
            return;
        }
        for comment in directives::comments_between(self.source, token, next) {
            self.finish_lines_before(comment.line_no);
            self.directives.process(self.source, &comment);
        }
    }

    /// Runs the line rules on the lines before 1-based `line_no` not done yet.
    fn finish_lines_before(&mut self, line_no: usize) {
        while let Some(line) = self
            .lines
            .get(self.next_line)
            .filter(|line| line.line_no < line_no)
        {
            let (cache, directives, out) = (&mut self.cache, &mut self.directives, &mut self.out);
            finish_line(self.source.text, line, cache, directives, out);
            self.next_line += 1;
        }
    }

    /// What was found, once the last token was checked.
    fn finish(mut self) -> Vec<Diagnostic> {
        self.finish_lines_before(usize::MAX);
        self.out
    }
}

/// Runs the line rules on `line`, then hands on what was found up to it.
fn finish_line(
    text: &str,
    line: &Line,
    cache: &mut Vec<Diagnostic>,
    directives: &mut Directives,
    out: &mut Vec<Diagnostic>,
) {
    let rules = [
        line_rules::empty_lines,
        line_rules::new_line_at_end_of_file,
        line_rules::new_lines,
        line_rules::trailing_spaces,
    ];
    for ((rule, severity), check) in LINE_RULES.iter().zip(rules) {
        if let Some(problem) = check(text, line) {
            cache.push(diagnostic(rule, *severity, problem));
        }
    }
    if !cache.is_empty() {
        out.extend(cache.drain(..).filter(|d| !directives.disables(d.rule)));
    }
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
struct TokenRules<'t> {
    anchors: references::Anchors,
    indentation: indentation::Indentation,
    key_duplicates: references::KeyDuplicates<'t>,
    /// Whether the next key linted repeats an earlier key's text, when the maker
    /// of the tokens tells it.
    told_key_repeats: Option<bool>,
    /// What the rule being run found on the token; empty between rules.
    found: Vec<Problem>,
    /// The kinds the linted tokens have, which decide the rules that can find
    /// anything.
    kinds: Kinds,
}

impl<'t> TokenRules<'t> {
    /// The rules for a stream whose linted tokens have `kinds`.
    fn new(kinds: Kinds) -> Self {
        Self {
            kinds,
            ..Self::default()
        }
    }

    /// Runs the token rules, in [`TOKEN_RULES`]' order, on the token `window[1]`
    /// (those that cannot find anything in this stream excepted).
    fn check(
        &mut self,
        source: &Source<'_>,
        window: [Option<&Token<'t>>; 4],
        out: &mut Vec<Diagnostic>,
    ) {
        let [prev, Some(token), next, _] = window else {
            return;
        };
        let around = Around { prev, token, next };
        let found = &mut self.found;
        // A rule that cannot find anything in this stream is not run at all: most
        // leaves have no flow collection and no alias.
        if self.kinds.aliases {
            self.anchors.check(token, found);
            hand_on(ANCHORS, found, out);
        }
        if self.kinds.flow {
            let braces = (Kind::FlowMappingStart, Kind::FlowMappingEnd, "braces");
            spacing::inside(source, &around, braces, found);
            hand_on(BRACES, found, out);
            let brackets = (Kind::FlowSequenceStart, Kind::FlowSequenceEnd, "brackets");
            spacing::inside(source, &around, brackets, found);
            hand_on(BRACKETS, found, out);
        }
        spacing::colons(source, &around, found);
        hand_on(COLONS, found, out);
        if self.kinds.flow {
            spacing::commas(source, &around, found);
            hand_on(COMMAS, found, out);
        }
        spacing::hyphens(&around, found);
        hand_on(HYPHENS, found, out);
        self.indentation.check(source, window, found);
        hand_on(INDENTATION, found, out);
        let told = match token.kind {
            Kind::Key => self.told_key_repeats.take(),
            _ => None,
        };
        self.key_duplicates.check(token, next, told, found);
        hand_on(KEY_DUPLICATES, found, out);
    }
}

/// Hands on what a token rule found, as diagnostics of that rule and level.
fn hand_on((rule, severity): Rule, found: &mut Vec<Problem>, out: &mut Vec<Diagnostic>) {
    // Most tokens give no problem: nothing to hand on then.
    if !found.is_empty() {
        out.extend(found.drain(..).map(|p| diagnostic(rule, severity, p)));
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
        // Each mapping has its own keys, however deep, and they go when it ends.
        let text = "a:\n  b: 1\n  c:\n    b: 2\n    d:\n      - b: 1\n        b: 2\n  b: 3\nb: 4\nc:\n  - x: 1\n  - x: 2\n";
        assert_eq!(
            findings(text),
            [
                "7:9 duplication of key \"b\" in mapping (key-duplicates)",
                "8:3 duplication of key \"b\" in mapping (key-duplicates)",
            ]
        );
        let text = "a:\n  - b\nc:\n    - d\n";
        assert_eq!(
            findings(text),
            ["4:5 wrong indentation: expected 2 but found 4 (indentation)"]
        );
    }

    #[test]
    fn duplicate_keys_of_a_large_mapping_are_found_by_hash() {
        // Past 16 keys a mapping's keys are looked up in a set, which grows.
        let mut text: String = (0..200).map(|i| format!("k{i}: v\n")).collect();
        text.push_str("k3: again\nk199: again\nk200: new\n");
        assert_eq!(
            findings(&text),
            [
                "201:1 duplication of key \"k3\" in mapping (key-duplicates)",
                "202:1 duplication of key \"k199\" in mapping (key-duplicates)",
            ]
        );
    }

    #[test]
    fn a_large_mapping_compares_key_texts_not_values() {
        // Thousands of keys, so that the mapping's index grows several times; yamllint
        // compares texts, so `yes` and `true` (one value to PyYAML) are two keys, and a
        // merge key `<<` may repeat.
        let mut text: String = (0..5000).map(|i| format!("k{i}: v\n")).collect();
        text.push_str("yes: a\ntrue: b\n<<: c\n<<: d\nyes: e\nk4999: f\n");
        assert_eq!(
            findings(&text),
            [
                "5005:1 duplication of key \"yes\" in mapping (key-duplicates)",
                "5006:1 duplication of key \"k4999\" in mapping (key-duplicates)",
            ]
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
