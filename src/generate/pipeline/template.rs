//! A pipeline's prompt templates: Jinja (minijinja, as upstream's templates are
//! Jinja2), compiled when the pipeline is loaded, checked for the values they use,
//! and rendered with a candidate's values.

use std::collections::BTreeSet;

use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

/// One seed example as templates see it (`{{ e.question }}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExampleValues {
    /// Its context (grounded skills).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// Its question.
    pub question: String,
    /// Its answer.
    pub answer: String,
}

/// The values a prompt is rendered with; those that are `None` are undefined, and
/// using one is an error (the loader checks that no template can).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PromptValues {
    /// The skill's task description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// The knowledge leaf's domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The knowledge leaf's document outline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outline: Option<String>,
    /// The passage of the knowledge seed example shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example_passage: Option<String>,
    /// The document passage the round is about (knowledge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passage: Option<String>,
    /// The seed examples shown (a knowledge seed's questions and answers).
    pub examples: Vec<ExampleValues>,
    /// How many records the stage asks for.
    pub count: usize,
    /// The candidate's context, once written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The candidate's question, once written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The candidate's answer, once written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

/// The compiled templates of a pipeline, by stage key.
#[derive(Debug)]
pub(super) struct Templates {
    env: Environment<'static>,
}

impl Default for Templates {
    fn default() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        Self { env }
    }
}

fn system_key(key: &str) -> String {
    format!("{key}.system")
}

fn prompt_key(key: &str) -> String {
    format!("{key}.prompt")
}

impl Templates {
    /// Compiles a stage's system message (if any) and prompt under `key`. The
    /// error says which of the two failed (`true` for the system message).
    pub fn add(
        &mut self,
        key: &str,
        system: Option<&str>,
        prompt: &str,
    ) -> Result<(), (bool, minijinja::Error)> {
        if let Some(system) = system {
            self.env
                .add_template_owned(system_key(key), system.to_owned())
                .map_err(|e| (true, e))?;
        }
        self.env
            .add_template_owned(prompt_key(key), prompt.to_owned())
            .map_err(|e| (false, e))
    }

    /// The values a stage's template (system, else prompt) reads that are not
    /// defined by the template itself or by the environment.
    pub fn used_values(&self, key: &str, system: bool) -> BTreeSet<String> {
        let name = if system {
            system_key(key)
        } else {
            prompt_key(key)
        };
        let Ok(template) = self.env.get_template(&name) else {
            return BTreeSet::new();
        };
        template
            .undeclared_variables(false)
            .into_iter()
            .filter(|name| self.env.globals().all(|(global, _)| global != name))
            .collect()
    }

    /// Renders a stage's system message (if it has one) and prompt.
    pub fn render(
        &self,
        key: &str,
        values: &PromptValues,
    ) -> Result<(Option<String>, String), minijinja::Error> {
        let values = Value::from(Serde(values));
        let system = match self.env.get_template(&system_key(key)) {
            Ok(template) => Some(template.render(&values)?),
            Err(_) => None,
        };
        let prompt = self.env.get_template(&prompt_key(key))?.render(&values)?;
        Ok((system, prompt))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_values_and_loops() {
        let mut templates = Templates::default();
        templates
            .add(
                "f.q",
                Some("Sys {{ task }}"),
                "{% for e in examples %}- {{ e.question }}\n{% endfor %}{{ count }}",
            )
            .unwrap();
        let values = PromptValues {
            task: Some("rhymes".into()),
            examples: vec![ExampleValues {
                context: None,
                question: "Q1".into(),
                answer: "A1".into(),
            }],
            count: 3,
            ..PromptValues::default()
        };
        let (system, prompt) = templates.render("f.q", &values).unwrap();
        assert_eq!(system.as_deref(), Some("Sys rhymes"));
        assert_eq!(prompt, "- Q1\n3");
        let used = templates.used_values("f.q", false);
        assert_eq!(
            used.into_iter().collect::<Vec<_>>(),
            ["count", "examples"],
            "the loop's own `e` is not a value"
        );
    }

    #[test]
    fn an_undefined_value_is_an_error() {
        let mut templates = Templates::default();
        templates.add("k", None, "{{ answer }}").unwrap();
        let error = templates.render("k", &PromptValues::default()).unwrap_err();
        assert_eq!(error.kind(), minijinja::ErrorKind::UndefinedError);
    }
}
