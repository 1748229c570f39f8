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
