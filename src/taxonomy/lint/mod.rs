//! A port of the yamllint rules that upstream runs on every taxonomy file
//! (`{extends: relaxed, rules: {line-length: disable}}`).

use crate::taxonomy::diagnostic::Diagnostic;

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

/// Lints `text` as yamllint would with upstream's configuration, merging in the
/// parser's `syntax_error` (if any) the way yamllint orders it.
pub fn lint(text: &str, syntax_error: Option<&SyntaxError>) -> Vec<Diagnostic> {
    let _ = (text, syntax_error);
    todo!("yamllint port")
}
