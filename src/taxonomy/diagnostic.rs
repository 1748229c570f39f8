//! Diagnostics: one finding about one file, with its position and rule.

use serde::Serialize;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported, but the file is still usable.
    Warning,
    /// The file is rejected.
    Error,
}

/// One finding about a taxonomy file.
///
/// `line` and `col` are 1-based; `col` counts characters, as upstream does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// The YAML path of the value concerned, such as `.seed_examples[2].question`.
    pub yaml_path: Option<String>,
    /// The rule that produced the finding, such as `trailing-spaces` or `required`.
    pub rule: &'static str,
    /// What is wrong, in words.
    pub message: String,
    /// Error or warning.
    #[serde(skip)]
    pub severity: Severity,
}

/// Where a rule comes from, which decides how upstream-shaped output prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleOrigin {
    /// A yamllint rule (or `syntax`): upstream prints the rule after the message.
    Yamllint,
    /// A JSON-schema keyword: upstream prints the YAML path before the message.
    Schema,
    /// A check of the file itself that upstream makes (name, empty, not a mapping,
    /// attribution): upstream prints the message alone.
    Upstream,
    /// A check that only taxon makes.
    Taxon,
}

/// The yamllint rules upstream's configuration enables, and `syntax`.
pub const YAMLLINT_RULES: [&str; 13] = [
    "syntax",
    "anchors",
    "braces",
    "brackets",
    "colons",
    "commas",
    "empty-lines",
    "hyphens",
    "indentation",
    "key-duplicates",
    "new-line-at-end-of-file",
    "new-lines",
    "trailing-spaces",
];

/// The checks of the file itself that upstream makes.
const UPSTREAM_FILE_RULES: [&str; 7] = [
    "file-name",
    "empty-file",
    "top-level-mapping",
    "attribution",
    "deprecated",
    "schema-version",
    "yaml",
];

/// The origin of a rule name.
pub fn rule_origin(rule: &str) -> RuleOrigin {
    if YAMLLINT_RULES.contains(&rule) {
        RuleOrigin::Yamllint
    } else if UPSTREAM_FILE_RULES.contains(&rule) {
        RuleOrigin::Upstream
    } else if matches!(
        rule,
        "required"
            | "type"
            | "const"
            | "minLength"
            | "minItems"
            | "uniqueItems"
            | "unevaluatedProperties"
    ) {
        RuleOrigin::Schema
    } else {
        RuleOrigin::Taxon
    }
}

impl Diagnostic {
    /// A finding at `line:col` with no YAML path.
    pub fn new(
        severity: Severity,
        line: usize,
        col: usize,
        rule: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            line,
            col,
            yaml_path: None,
            rule,
            message: message.into(),
            severity,
        }
    }

    /// The same finding, about the value at `yaml_path`.
    pub fn at_path(mut self, yaml_path: impl Into<String>) -> Self {
        self.yaml_path = Some(yaml_path.into());
        self
    }

    /// Whether this finding rejects the file.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
