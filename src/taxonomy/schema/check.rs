//! Evaluates a document against a schema with the outcome, order and messages of
//! Python's `jsonschema` (draft 2020-12) as instructlab-schema reports them, but
//! with the real line and column of each problem.

use std::borrow::Cow;

use crate::taxonomy::diagnostic::{Diagnostic, Severity};
use crate::taxonomy::yaml::{Document, NodeId, Value, python_repr};

use super::definitions::{DocumentSchema, Schema, SchemaName, Shipped, lookup};

/// Validates the document's root mapping against schema `name` at `version`.
///
/// `version` is `None` when the document's version is not a number upstream can
/// use (a boolean, say): upstream then fails to load any schema.
pub fn validate(doc: &Document, name: SchemaName, version: Option<i128>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(root) = doc.root_id() else {
        return out;
    };
    let shipped = version.and_then(|v| lookup(name, v));
    match shipped {
        None => {
            let own = doc.get(root, "version").map(|id| &doc.node(id).value);
            let label = match (version, own) {
                // A file's own version beyond 128 bits stands as a bound in `version`.
                (Some(i128::MAX | i128::MIN), Some(Value::BigInt(digits))) => digits.clone(),
                (Some(v), _) => v.to_string(),
                (None, _) => "?".to_owned(),
            };
            out.push(Diagnostic::new(
                Severity::Error,
                1,
                1,
                "schema-version",
                format!(
                    "Cannot load schema file v{label}/{}: upstream ships schema versions 1 to 3 only",
                    name.file_name()
                ),
            ));
        }
        Some(Shipped::Deprecated(message)) => {
            out.push(Diagnostic::new(
                Severity::Error,
                1,
                1,
                "deprecated",
                message,
            ));
        }
        Some(Shipped::Current(schema)) => {
            Checker { doc, out: &mut out }.document(root, schema);
        }
    }
    out
}

struct Checker<'a> {
    doc: &'a Document,
    out: &'a mut Vec<Diagnostic>,
}

/// A JSON path as jsonschema prints it, without the leading `$`: built on the
/// stack as the checker descends, written out only for a problem.
#[derive(Clone, Copy)]
enum JsonPath<'p> {
    Root,
    Key(&'p JsonPath<'p>, &'p str),
    Index(&'p JsonPath<'p>, usize),
}

impl std::fmt::Display for JsonPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Root => Ok(()),
            Self::Key(parent, key) => write!(f, "{parent}.{key}"),
            Self::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

impl JsonPath<'_> {
    /// The path as a diagnostic shows it: `.` for the root.
    fn shown(&self) -> String {
        match self {
            Self::Root => ".".to_owned(),
            _ => self.to_string(),
        }
    }
}

impl Checker<'_> {
    fn report(&mut self, node: NodeId, path: &JsonPath, rule: &'static str, message: String) {
        let start = self.doc.node(node).span.start;
        self.out.push(
            Diagnostic::new(Severity::Error, start.line(), start.col(), rule, message)
                .at_path(path.shown()),
        );
    }

    fn repr(&self, node: NodeId) -> String {
        python_repr(self.doc, node)
    }

    /// The top-level keywords in upstream's order: `type`, `$ref` (version.json),
    /// `required`, `unevaluatedProperties`, `properties`.
    fn document(&mut self, root: NodeId, schema: &DocumentSchema) {
        if !self.is_object(root, &JsonPath::Root) {
            return;
        }
        if schema.version_required && self.doc.get(root, "version").is_none() {
            self.report(
                root,
                &JsonPath::Root,
                "required",
                "'version' is a required property".into(),
            );
        }
        if let Some(version) = self.doc.get(root, "version") {
            self.version(version, schema.version);
        }
        let Schema::Object {
            required,
            properties,
            ..
        } = &schema.body
        else {
            return;
        };
        self.required(root, &JsonPath::Root, required);
        self.unevaluated(root, &JsonPath::Root, properties, &["version"]);
        self.properties(root, &JsonPath::Root, properties);
    }

    fn version(&mut self, node: NodeId, expected: i128) {
        let path = &JsonPath::Key(&JsonPath::Root, "version");
        let integral = match self.doc.node(node).value {
            Value::Int(_) | Value::BigInt(_) => true,
            Value::Float(f) => f.fract() == 0.0,
            _ => false,
        };
        if !integral {
            let message = format!("{} is not of type 'integer'", self.repr(node));
            self.report(node, path, "type", message);
        }
        let equal = match self.doc.node(node).value {
            Value::Int(i) => i == expected,
            Value::Float(f) => f == expected as f64,
            _ => false,
        };
        if !equal {
            self.report(node, path, "const", format!("{expected} was expected"));
        }
    }

    fn is_object(&mut self, node: NodeId, path: &JsonPath) -> bool {
        if matches!(self.doc.node(node).value, Value::Map(_)) {
            return true;
        }
        let message = format!("{} is not of type 'object'", self.repr(node));
        self.report(node, path, "type", message);
        false
    }

    fn required(&mut self, node: NodeId, path: &JsonPath, required: &[&str]) {
        for key in required {
            if self.doc.get(node, key).is_none() {
                self.report(
                    node,
                    path,
                    "required",
                    format!("'{key}' is a required property"),
                );
            }
        }
    }

    /// `unevaluatedProperties: false`: every key not named by `properties` (or by
    /// `also_evaluated`, the keys a `$ref` evaluates) is an error, reported once
    /// with all such keys, at the first of them.
    fn unevaluated(
        &mut self,
        node: NodeId,
        path: &JsonPath,
        properties: &[(&str, Schema)],
        also_evaluated: &[&str],
    ) {
        let doc = self.doc;
        // The keys are borrowed and each repr is written into the message at once:
        // on a mapping of many unexpected keys, a copy of each held until the end
        // made the check touch memory in proportion to the mapping twice more.
        let mut extras: Vec<(Cow<'_, str>, NodeId)> = doc
            .entries(node)
            .iter()
            .filter(|entry| {
                doc.str_value(entry.key).is_none_or(|key| {
                    !properties.iter().any(|(name, _)| *name == key)
                        && !also_evaluated.contains(&key)
                })
            })
            .map(|entry| (python_str_sort_key(doc, entry.key), entry.key))
            .collect();
        if extras.is_empty() {
            return;
        }
        let first_key = extras[0].1;
        extras.sort_by(|a, b| a.0.cmp(&b.0));
        let mut message = String::from("Unevaluated properties are not allowed (");
        for (at, (_, key)) in extras.iter().enumerate() {
            if at > 0 {
                message.push_str(", ");
            }
            message.push_str(&self.repr(*key));
        }
        let verb = if extras.len() == 1 { "was" } else { "were" };
        message.push(' ');
        message.push_str(verb);
        message.push_str(" unexpected)");
        let start = doc.node(first_key).span.start;
        self.out.push(
            Diagnostic::new(
                Severity::Error,
                start.line(),
                start.col(),
                "unevaluatedProperties",
                message,
            )
            .at_path(path.shown()),
        );
    }

    fn properties(&mut self, node: NodeId, path: &JsonPath, properties: &[(&str, Schema)]) {
        for (name, schema) in properties {
            if let Some(value) = self.doc.get(node, name) {
                self.value(value, &JsonPath::Key(path, name), schema);
            }
        }
    }

    fn value(&mut self, node: NodeId, path: &JsonPath, schema: &Schema) {
        match schema {
            Schema::Object {
                required,
                properties,
                closed,
            } => {
                if !self.is_object(node, path) {
                    return;
                }
                self.required(node, path, required);
                if *closed {
                    self.unevaluated(node, path, properties, &[]);
                }
                self.properties(node, path, properties);
            }
            Schema::Array {
                min_items,
                unique,
                items,
            } => self.array(node, path, *min_items, *unique, items),
            Schema::Str { min_length } => self.string(node, path, *min_length),
        }
    }

    fn array(
        &mut self,
        node: NodeId,
        path: &JsonPath,
        min_items: usize,
        unique: bool,
        items: &Schema,
    ) {
        let Value::Seq(elements) = &self.doc.node(node).value else {
            let message = format!("{} is not of type 'array'", self.repr(node));
            self.report(node, path, "type", message);
            return;
        };
        let elements = elements.clone();
        if elements.len() < min_items {
            self.report(
                node,
                path,
                "minItems",
                format!("Value must have at least {min_items} items"),
            );
        }
        if unique && let Some((first, repeat)) = self.doc.first_repeat(&elements) {
            let message = format!(
                "{} has non-unique elements (item {repeat} repeats item {first})",
                self.repr(node)
            );
            let start = self.doc.node(elements[repeat]).span.start;
            self.out.push(
                Diagnostic::new(
                    Severity::Error,
                    start.line(),
                    start.col(),
                    "uniqueItems",
                    message,
                )
                .at_path(path.shown()),
            );
        }
        for (index, element) in elements.into_iter().enumerate() {
            self.value(element, &JsonPath::Index(path, index), items);
        }
    }

    fn string(&mut self, node: NodeId, path: &JsonPath, min_length: usize) {
        match &self.doc.node(node).value {
            Value::Str(text) if text.chars().take(min_length).count() < min_length => {
                let message = format!("{} should be non-empty", self.repr(node));
                self.report(node, path, "minLength", message);
            }
            Value::Str(_) => {}
            _ => {
                let message = format!("{} is not of type 'string'", self.repr(node));
                self.report(node, path, "type", message);
            }
        }
    }
}

/// Python sorts unexpected keys by `str(key)`.
fn python_str_sort_key(doc: &Document, key: NodeId) -> Cow<'_, str> {
    match doc.str_value(key) {
        Some(text) => Cow::Borrowed(text),
        None => Cow::Owned(python_repr(doc, key)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::yaml::load;

    fn messages(text: &str, name: SchemaName, version: Option<i128>) -> Vec<String> {
        let doc = load(text).expect("valid YAML");
        validate(&doc, name, version)
            .into_iter()
            .map(|d| {
                format!(
                    "{}:{} [{}] {} ({})",
                    d.line,
                    d.col,
                    d.yaml_path.unwrap_or_default(),
                    d.message,
                    d.rule
                )
            })
            .collect()
    }

    // Expected order and wording checked against instructlab-schema 0.4.2 with
    // jsonschema 4.26 (upstream prints line 1 for all of them without `yq`).
    #[test]
    fn reports_like_upstream_with_real_positions() {
        let text = "version: 3\ncreated_by: me\ntask_description: t\nextra: 1\nseed_examples:\n  - question: q\n    answer: 8\n    foo: x\n  - question: q\n    answer: 8\n    foo: x\n";
        assert_eq!(
            messages(text, SchemaName::CompositionalSkills, Some(3)),
            vec![
                "4:1 [.] Unevaluated properties are not allowed ('extra' was unexpected) (unevaluatedProperties)",
                "6:3 [.seed_examples] Value must have at least 5 items (minItems)",
                "9:5 [.seed_examples] [{'question': 'q', 'answer': 8, 'foo': 'x'}, {'question': 'q', 'answer': 8, 'foo': 'x'}] has non-unique elements (item 1 repeats item 0) (uniqueItems)",
                "8:5 [.seed_examples[0]] Unevaluated properties are not allowed ('foo' was unexpected) (unevaluatedProperties)",
                "7:13 [.seed_examples[0].answer] 8 is not of type 'string' (type)",
                "11:5 [.seed_examples[1]] Unevaluated properties are not allowed ('foo' was unexpected) (unevaluatedProperties)",
                "10:13 [.seed_examples[1].answer] 8 is not of type 'string' (type)",
            ]
        );
    }

    #[test]
    fn version_rules() {
        let forced = messages(
            "version: 2\ncreated_by: me\ntask_description: t\nseed_examples: []\n",
            SchemaName::CompositionalSkills,
            Some(3),
        );
        assert_eq!(forced[0], "1:10 [.version] 3 was expected (const)");
        let missing = messages("created_by: me\n", SchemaName::CompositionalSkills, Some(3));
        assert_eq!(
            missing[0],
            "1:1 [.] 'version' is a required property (required)"
        );
        let float = messages(
            "version: 3.0\ncreated_by: me\ntask_description: t\nseed_examples: [{question: a, answer: b}, {question: c, answer: d}, {question: e, answer: f}, {question: g, answer: h}, {question: i, answer: j}]\n",
            SchemaName::CompositionalSkills,
            Some(3),
        );
        assert!(float.is_empty(), "{float:?}");
        let deprecated = messages("version: 2\n", SchemaName::Knowledge, Some(2));
        assert_eq!(
            deprecated,
            vec![
                "1:1 [] Version 2 is not supported for knowledge. Minimum supported version is 3. (deprecated)"
            ]
        );
        let unusable = messages("version: true\n", SchemaName::Knowledge, None);
        assert_eq!(unusable.len(), 1);
        assert!(unusable[0].contains("(schema-version)"));
    }

    #[test]
    fn empty_strings_and_missing_keys() {
        let text = "version: 3\ncreated_by: ''\ndomain: d\nseed_examples:\n  - context: c\n    questions_and_answers:\n      - question: q\n        answer:\ndocument_outline: o\n";
        assert_eq!(
            messages(text, SchemaName::Knowledge, Some(3)),
            vec![
                "1:1 [.] 'document' is a required property (required)",
                "2:13 [.created_by] '' should be non-empty (minLength)",
                "5:3 [.seed_examples] Value must have at least 5 items (minItems)",
                "7:7 [.seed_examples[0].questions_and_answers] Value must have at least 3 items (minItems)",
                "8:16 [.seed_examples[0].questions_and_answers[0].answer] None is not of type 'string' (type)",
            ]
        );
    }
}
