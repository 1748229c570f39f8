//! Pipelines as data: the stages a leaf's candidates go through (generate, judge,
//! filter), per leaf kind, with their prompt templates, sampling and thresholds.
//! The built-in ones are files under `assets/pipelines/`; a user's own file is
//! read the same way, and any mistake in it is reported with its line.

mod load;
mod template;

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use load::PipelineError;
pub use template::{ExampleValues, PromptValues};

use super::engine::Sampling;

/// The pipeline `taxon generate` runs unless told (README, "Pipelines", says why).
pub const DEFAULT_PIPELINE: &str = "simple";

/// The built-in pipelines: name and file text.
const BUILT_IN: [(&str, &str); 2] = [
    ("full", include_str!("../../../assets/pipelines/full.toml")),
    (
        "simple",
        include_str!("../../../assets/pipelines/simple.toml"),
    ),
];

/// The names of the built-in pipelines.
pub fn built_in_names() -> impl Iterator<Item = &'static str> {
    BUILT_IN.iter().map(|(name, _)| *name)
}

/// A part of a sample that a stage writes, read back between its tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    /// The text a grounded sample works on.
    Context,
    /// The question or instruction.
    Question,
    /// The answer.
    Answer,
}

impl Field {
    /// Every field, in the order they appear in a sample.
    pub const ALL: [Self; 3] = [Self::Context, Self::Question, Self::Answer];

    /// Its name in pipeline files and templates.
    pub fn name(self) -> &'static str {
        match self {
            Self::Context => "context",
            Self::Question => "question",
            Self::Answer => "answer",
        }
    }

    /// The tag written before it.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Context => "[Context]",
            Self::Question => "[Question]",
            Self::Answer => "[Answer]",
        }
    }
}

/// The tag that ends a written record.
pub const END_TAG: &str = "[End]";

/// Which kind of leaf a list of stages is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Route {
    /// Skills taught by questions and answers alone.
    Freeform,
    /// Skills that work on a given text.
    Grounded,
    /// Knowledge from documents.
    Knowledge,
}

impl Route {
    /// Its name in pipeline files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Freeform => "freeform",
            Self::Grounded => "grounded",
            Self::Knowledge => "knowledge",
        }
    }

    /// The fields a finished sample of this kind has.
    pub fn sample_fields(self) -> &'static [Field] {
        match self {
            Self::Grounded => &Field::ALL,
            Self::Freeform | Self::Knowledge => &[Field::Question, Field::Answer],
        }
    }

    /// The values every prompt of this kind can use, besides the fields.
    pub fn leaf_values(self) -> &'static [&'static str] {
        match self {
            Self::Freeform | Self::Grounded => &["task", "examples", "count"],
            Self::Knowledge => &[
                "domain",
                "outline",
                "example_passage",
                "examples",
                "passage",
                "count",
            ],
        }
    }
}

/// What is sent to the model for one request of a stage.
#[derive(Debug, Clone)]
pub struct Prompting {
    /// The template of the system message, if any.
    pub system: Option<String>,
    /// The template of the user message.
    pub prompt: String,
    /// The text the answer starts with (given to the model).
    pub prefix: String,
    /// Token limit of the answer.
    pub max_tokens: u32,
    /// Sampling (the seed is set per request).
    pub sampling: Sampling,
}

/// A stage that asks the model to write fields.
#[derive(Debug, Clone)]
pub struct Generate {
    /// The prompt.
    pub prompting: Prompting,
    /// The fields it writes, in order; each record of the answer is a candidate.
    pub outputs: Vec<Field>,
    /// Records asked for (`{{ count }}`) and taken at most from one answer.
    pub count: usize,
    /// Seed examples shown (the first stage of a skill; they rotate per round).
    pub examples: usize,
}

/// How a judge's score is written.
#[derive(Debug, Clone, PartialEq)]
pub enum Scale {
    /// A number from `min` to `max`.
    Range {
        /// The lowest score.
        min: f64,
        /// The highest score.
        max: f64,
    },
    /// Words with their scores (compared without case), such as YES and NO.
    Words(Vec<(String, f64)>),
}

/// A stage that asks the model to judge each candidate.
#[derive(Debug, Clone)]
pub struct Judge {
    /// The prompt.
    pub prompting: Prompting,
    /// How the score is written.
    pub scale: Scale,
    /// The lowest score that keeps a candidate.
    pub keep: f64,
}

/// A stage of checks without the model: copies of a seed, near duplicates, length.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterSpec {
    /// Word-set similarity from which two texts count as the same.
    pub similarity: f64,
    /// The most words a candidate may have.
    pub max_words: usize,
}

/// What a stage does.
#[derive(Debug, Clone)]
pub enum Step {
    /// Ask the model to write.
    Generate(Generate),
    /// Ask the model to judge.
    Judge(Judge),
    /// Check without the model.
    Filter(FilterSpec),
}

/// One stage.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Its name, unique within its list.
    pub name: String,
    /// What it does.
    pub step: Step,
    /// The name of its prompt template in the pipeline's templates.
    template_key: String,
}

impl Stage {
    /// The kind of stage, as in pipeline files.
    pub fn kind(&self) -> &'static str {
        match self.step {
            Step::Generate(_) => "generate",
            Step::Judge(_) => "judge",
            Step::Filter(_) => "filter",
        }
    }
}

/// A loaded pipeline.
#[derive(Debug)]
pub struct Pipeline {
    /// Its name.
    pub name: String,
    /// What it does, in a line.
    pub description: String,
    /// Where it came from: `built-in` or the file's path.
    pub origin: String,
    /// The SHA-256 of its text (a changed pipeline is a different one).
    pub digest: String,
    freeform: Option<Vec<Stage>>,
    grounded: Option<Vec<Stage>>,
    knowledge: Option<Vec<Stage>>,
    templates: template::Templates,
}

impl Pipeline {
    /// A built-in pipeline by name.
    pub fn built_in(name: &str) -> Option<Self> {
        let (_, text) = BUILT_IN.iter().find(|(n, _)| *n == name)?;
        // The built-in files are checked by the tests, so loading them cannot fail.
        load::parse(text, "built-in").ok()
    }

    /// A pipeline from its text; `origin` names it in errors.
    pub fn from_text(text: &str, origin: &str) -> Result<Self, PipelineError> {
        load::parse(text, origin)
    }

    /// A built-in pipeline's name, or a pipeline file.
    pub fn resolve(spec: &str) -> Result<Self, PipelineError> {
        if let Some(pipeline) = Self::built_in(spec) {
            return Ok(pipeline);
        }
        let path = Path::new(spec);
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_text(&text, &path.display().to_string()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                Err(PipelineError::not_found(spec))
            }
            Err(error) => Err(PipelineError::unreadable(spec, &error)),
        }
    }

    /// The stages for a kind of leaf, if the pipeline has any.
    pub fn stages(&self, route: Route) -> Option<&[Stage]> {
        match route {
            Route::Freeform => self.freeform.as_deref(),
            Route::Grounded => self.grounded.as_deref(),
            Route::Knowledge => self.knowledge.as_deref(),
        }
    }

    /// Renders a stage's system message and prompt with `values`.
    pub fn render(
        &self,
        stage: &Stage,
        values: &PromptValues,
    ) -> Result<(Option<String>, String), minijinja::Error> {
        self.templates.render(&stage.template_key, values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_pipelines_load() {
        for name in built_in_names() {
            let pipeline = Pipeline::resolve(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(pipeline.name, name);
            for route in [Route::Freeform, Route::Grounded, Route::Knowledge] {
                let stages = pipeline.stages(route).unwrap();
                assert!(matches!(stages[0].step, Step::Generate(_)), "{name}");
            }
        }
        let full = Pipeline::built_in("full").unwrap();
        let judges: Vec<&str> = full
            .stages(Route::Knowledge)
            .unwrap()
            .iter()
            .filter(|s| s.kind() == "judge")
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(judges, ["faithfulness", "relevancy", "question_check"]);
    }

    #[test]
    fn an_unknown_name_that_is_no_file_says_so() {
        let error = Pipeline::resolve("fulll").unwrap_err();
        assert_eq!(
            error.to_string(),
            "fulll: no such pipeline file, and no built-in pipeline of that name (built-in: full, simple)"
        );
    }
}
