//! Reading a pipeline file (TOML): the file's shape by serde, then the checks
//! serde cannot make (which keys go with which stage type, what each template may
//! use, that the stages end in whole samples), every error with its line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::template::Templates;
use super::{
    Field, FilterSpec, Generate, Judge, Pipeline, Prompting, Route, Scale, Stage, Step,
    built_in_names,
};
use crate::generate::engine::Sampling;
use crate::generate::fetch::sha256_hex;
use crate::generate::parse::{DEFAULT_MAX_WORDS, DEFAULT_THRESHOLD};
use crate::text_position::line_column;

/// What is wrong with a pipeline, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PipelineError {
    /// The file (or `built-in`).
    pub origin: String,
    /// The line (1-based; 0 when the error is not about a place in the file).
    pub line: usize,
    /// The column (1-based).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.origin, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.origin, self.line, self.column, self.message
            )
        }
    }
}

impl PipelineError {
    /// Neither a built-in pipeline's name nor a file.
    pub(super) fn not_found(spec: &str) -> Self {
        let names: Vec<&str> = built_in_names().collect();
        Self {
            origin: spec.to_owned(),
            line: 0,
            column: 0,
            message: format!(
                "no such pipeline file, and no built-in pipeline of that name (built-in: {})",
                names.join(", ")
            ),
        }
    }

    /// A file that exists but cannot be read.
    pub(super) fn unreadable(spec: &str, error: &std::io::Error) -> Self {
        Self {
            origin: spec.to_owned(),
            line: 0,
            column: 0,
            message: error.to_string(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPipeline {
    name: String,
    #[serde(default)]
    description: String,
    freeform: Option<RawRoute>,
    grounded: Option<RawRoute>,
    knowledge: Option<RawRoute>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    stage: Vec<RawStage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    name: Spanned<String>,
    #[serde(rename = "type")]
    kind: Spanned<String>,
    system: Option<Spanned<String>>,
    prompt: Option<Spanned<String>>,
    prefix: Option<Spanned<String>>,
    outputs: Option<Spanned<Vec<Spanned<String>>>>,
    count: Option<Spanned<usize>>,
    examples: Option<Spanned<usize>>,
    max_tokens: Option<Spanned<u32>>,
    temperature: Option<Spanned<f32>>,
    top_k: Option<Spanned<i32>>,
    top_p: Option<Spanned<f32>>,
    repeat_penalty: Option<Spanned<f32>>,
    scale: Option<Spanned<Vec<f64>>>,
    scores: Option<Spanned<BTreeMap<String, f64>>>,
    keep: Option<Spanned<f64>>,
    similarity: Option<Spanned<f64>>,
    max_words: Option<Spanned<usize>>,
}

impl RawStage {
    /// The keys given, with their places, that only some stage types take.
    fn typed_keys(&self) -> Vec<(&'static str, Range<usize>)> {
        let mut keys = Vec::new();
        let mut add = |name, span: Option<Range<usize>>| {
            if let Some(span) = span {
                keys.push((name, span));
            }
        };
        add("system", self.system.as_ref().map(Spanned::span));
        add("prompt", self.prompt.as_ref().map(Spanned::span));
        add("prefix", self.prefix.as_ref().map(Spanned::span));
        add("outputs", self.outputs.as_ref().map(Spanned::span));
        add("count", self.count.as_ref().map(Spanned::span));
        add("examples", self.examples.as_ref().map(Spanned::span));
        add("max_tokens", self.max_tokens.as_ref().map(Spanned::span));
        add("temperature", self.temperature.as_ref().map(Spanned::span));
        add("top_k", self.top_k.as_ref().map(Spanned::span));
        add("top_p", self.top_p.as_ref().map(Spanned::span));
        add(
            "repeat_penalty",
            self.repeat_penalty.as_ref().map(Spanned::span),
        );
        add("scale", self.scale.as_ref().map(Spanned::span));
        add("scores", self.scores.as_ref().map(Spanned::span));
        add("keep", self.keep.as_ref().map(Spanned::span));
        add("similarity", self.similarity.as_ref().map(Spanned::span));
        add("max_words", self.max_words.as_ref().map(Spanned::span));
        keys
    }
}

/// The keys each stage type takes, besides `name` and `type`.
fn allowed_keys(kind: &str) -> &'static [&'static str] {
    const SAMPLING: [&str; 5] = [
        "max_tokens",
        "temperature",
        "top_k",
        "top_p",
        "repeat_penalty",
    ];
    match kind {
        "generate" => &[
            "system",
            "prompt",
            "prefix",
            "outputs",
            "count",
            "examples",
            SAMPLING[0],
            SAMPLING[1],
            SAMPLING[2],
            SAMPLING[3],
            SAMPLING[4],
        ],
        "judge" => &[
            "system",
            "prompt",
            "prefix",
            "scale",
            "scores",
            "keep",
            SAMPLING[0],
            SAMPLING[1],
            SAMPLING[2],
            SAMPLING[3],
            SAMPLING[4],
        ],
        _ => &["similarity", "max_words"],
    }
}

/// Reads pipelines from one file's text, keeping it for error places.
struct Loader<'a> {
    text: &'a str,
    origin: &'a str,
    templates: Templates,
}

impl Loader<'_> {
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> PipelineError {
        let (line, column) = line_column(self.text, span.start);
        PipelineError {
            origin: self.origin.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    fn route(&mut self, route: Route, raw: RawRoute) -> Result<Vec<Stage>, PipelineError> {
        let Some(first) = raw.stage.first() else {
            return Err(PipelineError {
                origin: self.origin.to_owned(),
                line: 0,
                column: 0,
                message: format!("[{}] has no stages", route.name()),
            });
        };
        if first.kind.get_ref() != "generate" {
            return Err(self.error(
                first.kind.span(),
                format!(
                    "the first {} stage must be of type \"generate\"",
                    route.name()
                ),
            ));
        }
        let mut written: Vec<Field> = Vec::new();
        let mut names = BTreeSet::new();
        let mut stages = Vec::new();
        let last_name = raw.stage.last().map(|s| s.name.span()).unwrap_or_default();
        for (index, raw_stage) in raw.stage.into_iter().enumerate() {
            let name = raw_stage.name.get_ref().trim().to_owned();
            if name.is_empty() {
                return Err(self.error(raw_stage.name.span(), "a stage needs a name"));
            }
            if !names.insert(name.clone()) {
                return Err(self.error(
                    raw_stage.name.span(),
                    format!("two {} stages are named {name:?}", route.name()),
                ));
            }
            let stage = self.stage(route, index, &name, raw_stage, &written)?;
            if let Step::Generate(generate) = &stage.step {
                written.extend(&generate.outputs);
            }
            stages.push(stage);
        }
        if let Some(missing) = route
            .sample_fields()
            .iter()
            .find(|field| !written.contains(field))
        {
            return Err(self.error(
                last_name,
                format!(
                    "the {} stages never write the {}, which every sample needs",
                    route.name(),
                    missing.name()
                ),
            ));
        }
        Ok(stages)
    }

    fn stage(
        &mut self,
        route: Route,
        index: usize,
        name: &str,
        raw: RawStage,
        written: &[Field],
    ) -> Result<Stage, PipelineError> {
        let kind = raw.kind.get_ref().as_str();
        if !["generate", "judge", "filter"].contains(&kind) {
            return Err(self.error(
                raw.kind.span(),
                format!(
                    "unknown stage type {kind:?} (expected \"generate\", \"judge\" or \"filter\")"
                ),
            ));
        }
        let allowed = allowed_keys(kind);
        if let Some((key, span)) = raw
            .typed_keys()
            .into_iter()
            .find(|(key, _)| !allowed.contains(key))
        {
            return Err(self.error(span, format!("`{key}` does not go with type \"{kind}\"")));
        }
        let template_key = format!("{}.{name}", route.name());
        let step = match kind {
            "generate" => {
                Step::Generate(self.generate(route, index, &raw, written, &template_key)?)
            }
            "judge" => Step::Judge(self.judge(route, &raw, written, &template_key)?),
            _ => Step::Filter(self.filter(&raw)?),
        };
        Ok(Stage {
            name: name.to_owned(),
            step,
            template_key,
        })
    }

    fn generate(
        &mut self,
        route: Route,
        index: usize,
        raw: &RawStage,
        written: &[Field],
        key: &str,
    ) -> Result<Generate, PipelineError> {
        let Some(outputs) = &raw.outputs else {
            return Err(self.error(
                raw.kind.span(),
                "a generate stage needs `outputs`: the fields it writes",
            ));
        };
        let mut fields = Vec::new();
        for output in outputs.get_ref() {
            let field = Field::ALL
                .into_iter()
                .find(|f| f.name() == output.get_ref())
                .ok_or_else(|| {
                    self.error(
                        output.span(),
                        format!(
                            "unknown field {:?} (expected \"context\", \"question\" or \"answer\")",
                            output.get_ref()
                        ),
                    )
                })?;
            if written.contains(&field) || fields.contains(&field) {
                return Err(self.error(
                    output.span(),
                    format!("the {} is written twice", field.name()),
                ));
            }
            fields.push(field);
        }
        if fields.is_empty() {
            return Err(self.error(outputs.span(), "`outputs` is empty"));
        }
        let examples = match &raw.examples {
            Some(examples) if index > 0 || route == Route::Knowledge => {
                return Err(self.error(
                    examples.span(),
                    "only the first stage of a skill chooses its seed examples \
                     (a knowledge round shows one seed example's questions)",
                ));
            }
            Some(examples) if *examples.get_ref() == 0 => {
                return Err(self.error(examples.span(), "`examples` must be at least 1"));
            }
            Some(examples) => *examples.get_ref(),
            None => 1,
        };
        let count = match &raw.count {
            Some(count) if *count.get_ref() == 0 => {
                return Err(self.error(count.span(), "`count` must be at least 1"));
            }
            Some(count) => *count.get_ref(),
            None => 1,
        };
        let prompting = self.prompting(route, raw, written, key, Sampling::with_seed(0), 256)?;
        Ok(Generate {
            prompting,
            outputs: fields,
            count,
            examples,
        })
    }

    fn judge(
        &mut self,
        route: Route,
        raw: &RawStage,
        written: &[Field],
        key: &str,
    ) -> Result<Judge, PipelineError> {
        let scale = match (&raw.scale, &raw.scores) {
            (Some(scale), None) => match scale.get_ref().as_slice() {
                [min, max] if min < max => Scale::Range {
                    min: *min,
                    max: *max,
                },
                _ => {
                    return Err(self.error(
                        scale.span(),
                        "`scale` is [lowest, highest], the lowest below the highest",
                    ));
                }
            },
            (None, Some(scores)) if !scores.get_ref().is_empty() => Scale::Words(
                scores
                    .get_ref()
                    .iter()
                    .map(|(word, score)| (word.clone(), *score))
                    .collect(),
            ),
            (None, Some(scores)) => return Err(self.error(scores.span(), "`scores` is empty")),
            (Some(_), Some(scores)) => {
                return Err(self.error(
                    scores.span(),
                    "a judge has `scale` (numbers) or `scores` (words), not both",
                ));
            }
            (None, None) => {
                return Err(self.error(
                    raw.kind.span(),
                    "a judge needs `scale = [lowest, highest]` or `scores = { word = score, ... }`",
                ));
            }
        };
        let Some(keep) = &raw.keep else {
            return Err(self.error(
                raw.kind.span(),
                "a judge needs `keep`: the lowest score that keeps a candidate",
            ));
        };
        let (lowest, highest) = match &scale {
            Scale::Range { min, max } => (*min, *max),
            Scale::Words(words) => words.iter().fold((f64::MAX, f64::MIN), |(lo, hi), (_, s)| {
                (lo.min(*s), hi.max(*s))
            }),
        };
        let keep_value = *keep.get_ref();
        if !(lowest..=highest).contains(&keep_value) {
            return Err(self.error(
                keep.span(),
                format!("`keep = {keep_value}` is outside the scores {lowest} to {highest}"),
            ));
        }
        let greedy = Sampling {
            temperature: 0.0,
            ..Sampling::with_seed(0)
        };
        let prompting = self.prompting(route, raw, written, key, greedy, 96)?;
        Ok(Judge {
            prompting,
            scale,
            keep: keep_value,
        })
    }

    fn filter(&self, raw: &RawStage) -> Result<FilterSpec, PipelineError> {
        let similarity = match &raw.similarity {
            Some(s) if !(0.0..=1.0).contains(s.get_ref()) => {
                return Err(self.error(s.span(), "`similarity` is from 0 to 1"));
            }
            Some(s) => *s.get_ref(),
            None => DEFAULT_THRESHOLD,
        };
        Ok(FilterSpec {
            similarity,
            max_words: raw
                .max_words
                .as_ref()
                .map_or(DEFAULT_MAX_WORDS, |m| *m.get_ref()),
        })
    }

    fn prompting(
        &mut self,
        route: Route,
        raw: &RawStage,
        written: &[Field],
        key: &str,
        defaults: Sampling,
        default_max_tokens: u32,
    ) -> Result<Prompting, PipelineError> {
        let Some(prompt) = &raw.prompt else {
            return Err(self.error(raw.kind.span(), "this stage needs a `prompt`"));
        };
        let system = raw.system.as_ref();
        if let Err((in_system, error)) =
            self.templates
                .add(key, system.map(|s| s.get_ref().as_str()), prompt.get_ref())
        {
            let template = if in_system { system } else { Some(prompt) };
            let span = template.map(Spanned::span).unwrap_or_default();
            return Err(self.template_error(span, &error));
        }
        let available: BTreeSet<&str> = route
            .leaf_values()
            .iter()
            .copied()
            .chain(written.iter().map(|f| f.name()))
            .collect();
        for (in_system, template) in [(true, system), (false, Some(prompt))] {
            let Some(template) = template else { continue };
            if let Some(unknown) = self
                .templates
                .used_values(key, in_system)
                .into_iter()
                .find(|name| !available.contains(name.as_str()))
            {
                let known: Vec<&str> = available.iter().copied().collect();
                return Err(self.error(
                    template.span(),
                    format!(
                        "the template uses `{unknown}`, which this stage does not have \
                         (it has: {})",
                        known.join(", ")
                    ),
                ));
            }
        }
        let sampling = Sampling {
            seed: 0,
            temperature: raw
                .temperature
                .as_ref()
                .map_or(defaults.temperature, |t| *t.get_ref()),
            top_k: raw.top_k.as_ref().map_or(defaults.top_k, |t| *t.get_ref()),
            top_p: raw.top_p.as_ref().map_or(defaults.top_p, |t| *t.get_ref()),
            repeat_penalty: raw
                .repeat_penalty
                .as_ref()
                .map_or(defaults.repeat_penalty, |t| *t.get_ref()),
        };
        let max_tokens = match &raw.max_tokens {
            Some(m) if *m.get_ref() == 0 => {
                return Err(self.error(m.span(), "`max_tokens` must be at least 1"));
            }
            Some(m) => *m.get_ref(),
            None => default_max_tokens,
        };
        Ok(Prompting {
            system: system.map(|s| s.get_ref().clone()),
            prompt: prompt.get_ref().clone(),
            prefix: raw
                .prefix
                .as_ref()
                .map(|p| p.get_ref().clone())
                .unwrap_or_default(),
            max_tokens,
            sampling,
        })
    }

    /// A template's error at its own line, placed in the file: the template's
    /// first line is the string's, or the next when the string opens with `"""`
    /// and a line break (which TOML leaves out).
    fn template_error(&self, span: Range<usize>, error: &minijinja::Error) -> PipelineError {
        let raw = &self.text[span.clone()];
        let skipped = usize::from(
            (raw.starts_with("\"\"\"") || raw.starts_with("'''"))
                && (raw[3..].starts_with('\n') || raw[3..].starts_with("\r\n")),
        );
        let mut located = self.error(span, "");
        if let Some(line) = error.line() {
            located.line += skipped + line - 1;
            located.column = 1;
        }
        located.message = format!(
            "template error: {}",
            error.detail().unwrap_or(&error.kind().to_string())
        );
        located
    }
}

/// Reads a pipeline from its text.
pub(super) fn parse(text: &str, origin: &str) -> Result<Pipeline, PipelineError> {
    let raw: RawPipeline = toml::from_str(text).map_err(|error| {
        let (line, column) = error
            .span()
            .map_or((0, 0), |span| line_column(text, span.start));
        PipelineError {
            origin: origin.to_owned(),
            line,
            column,
            message: error.message().trim().to_owned(),
        }
    })?;
    let mut loader = Loader {
        text,
        origin,
        templates: Templates::default(),
    };
    let mut route = |route, raw: Option<RawRoute>| raw.map(|r| loader.route(route, r)).transpose();
    let freeform = route(Route::Freeform, raw.freeform)?;
    let grounded = route(Route::Grounded, raw.grounded)?;
    let knowledge = route(Route::Knowledge, raw.knowledge)?;
    Ok(Pipeline {
        name: raw.name,
        description: raw.description,
        origin: origin.to_owned(),
        digest: sha256_hex(text.as_bytes()).unwrap_or_default(),
        freeform,
        grounded,
        knowledge,
        templates: loader.templates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"name = "mine"

[[freeform.stage]]
name = "pairs"
type = "generate"
outputs = ["question", "answer"]
prompt = "Write a pair for {{ task }}."

[[freeform.stage]]
name = "judge"
type = "judge"
scale = [1, 3]
keep = 2
prompt = """
Rate {{ question }}
and {{ answer }}."""
"#;

    fn error(text: &str) -> String {
        parse(text, "p.toml").unwrap_err().to_string()
    }

    #[test]
    fn a_good_file_loads_with_its_defaults() {
        let pipeline = parse(GOOD, "p.toml").unwrap();
        assert_eq!(pipeline.name, "mine");
        assert!(pipeline.stages(Route::Knowledge).is_none());
        let stages = pipeline.stages(Route::Freeform).unwrap();
        let Step::Judge(judge) = &stages[1].step else {
            panic!("not a judge");
        };
        assert_eq!(judge.keep, 2.0);
        assert_eq!(
            judge.prompting.sampling.temperature, 0.0,
            "judges are greedy"
        );
        assert_eq!(judge.prompting.max_tokens, 96);
        let Step::Generate(generate) = &stages[0].step else {
            panic!("not a generate stage");
        };
        assert_eq!((generate.count, generate.examples), (1, 1));
        assert_eq!(generate.prompting.sampling.temperature, 0.7);
    }

    #[test]
    fn syntax_errors_and_unknown_keys_have_their_line() {
        assert_eq!(
            error("name = \"x\"\n[[freeform.stage]]\nname = \n"),
            "p.toml:3:8: string values must be quoted, expected literal string"
        );
        let unknown = GOOD.replace("keep = 2", "keep = 2\nthreshold = 2");
        let message = error(&unknown);
        assert!(
            message.starts_with("p.toml:14:1: unknown field `threshold`"),
            "{message}"
        );
    }

    #[test]
    fn mistakes_in_the_stages_have_their_line() {
        let cases = [
            (
                GOOD.replace("type = \"judge\"", "type = \"jugde\""),
                "p.toml:11:8: unknown stage type \"jugde\"",
            ),
            (
                GOOD.replace("keep = 2", "keep = 2\noutputs = [\"answer\"]"),
                "p.toml:14:11: `outputs` does not go with type \"judge\"",
            ),
            (
                GOOD.replace("keep = 2", "keep = 4"),
                "p.toml:13:8: `keep = 4` is outside the scores 1 to 3",
            ),
            (
                GOOD.replace("scale = [1, 3]", "scale = [3, 1]"),
                "p.toml:12:9: `scale` is [lowest, highest]",
            ),
            (
                GOOD.replace("\"question\", \"answer\"", "\"question\", \"anwser\""),
                "p.toml:6:24: unknown field \"anwser\"",
            ),
            (
                GOOD.replace("\"question\", \"answer\"", "\"question\"")
                    .replace("{{ answer }}", "more"),
                "p.toml:10:8: the freeform stages never write the answer",
            ),
            (
                GOOD.replace("\"question\", \"answer\"", "\"question\""),
                "p.toml:14:10: the template uses `answer`, which this stage does not have \
                 (it has: count, examples, question, task)",
            ),
            (
                GOOD.replace("name = \"judge\"", "name = \"pairs\""),
                "p.toml:10:8: two freeform stages are named \"pairs\"",
            ),
            (
                GOOD.replace("{{ task }}", "{{ passage }}"),
                "p.toml:7:10: the template uses `passage`, which this stage does not have (it has: count, examples, task)",
            ),
        ];
        for (text, expected) in cases {
            let message = error(&text);
            assert!(
                message.starts_with(expected),
                "{message}\n  expected {expected}"
            );
        }
    }

    #[test]
    fn a_template_error_has_the_line_inside_the_template() {
        let broken = GOOD.replace("and {{ answer }}.", "and {{ answer }.");
        let message = error(&broken);
        assert!(
            message.starts_with("p.toml:16:1: template error:"),
            "{message}"
        );
        let judge_first = GOOD.replace("type = \"generate\"", "type = \"judge\"");
        assert!(
            error(&judge_first)
                .starts_with("p.toml:5:8: the first freeform stage must be of type \"generate\"")
        );
    }

    #[test]
    fn places_are_counted_in_characters() {
        assert_eq!(line_column("ab\ncdé f", 8), (2, 5));
        assert_eq!(line_column("x", 0), (1, 1));
    }
}
