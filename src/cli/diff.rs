//! `taxon diff`: the leaves changed against a base, as upstream computes them, then
//! their validation.

use anyhow::Context;

use crate::git::{Base, Change, ResolvedBase, TaxonomyChanges, changed_taxonomy_files};
use crate::taxonomy::tree::Found;

use super::EXIT_OK;
use super::args::{DiffArgs, Format};
use super::output::display_path;
use super::validate::{check, print_and_summarise};

/// Runs `taxon diff`; returns the exit code.
pub fn run(args: &DiffArgs) -> anyhow::Result<u8> {
    let base = args.base.as_deref().map_or(Base::Default, Base::parse);
    let changes = changed_taxonomy_files(&args.taxonomy, &base)?;
    if args.check.format == Format::Human {
        print_changes(&changes).context("printing the changed leaves")?;
    }
    if changes.changed.is_empty() {
        return Ok(EXIT_OK);
    }
    let found: Vec<Found> = changes
        .changed_paths()
        .map(|path| Found::Leaf(changes.root.join(path)))
        .collect();
    let checked = check(&found, &args.check.options(), false);
    print_and_summarise(args.check.format, &checked, "")
}

/// The base a diff started from, for people.
pub(super) fn describe_base(base: &ResolvedBase) -> String {
    match base {
        ResolvedBase::Empty => "the empty tree (base \"empty\")".to_owned(),
        ResolvedBase::UnbornHead => "the empty tree (no commit yet)".to_owned(),
        ResolvedBase::Ref(base) => {
            let fallback = if base.is_fallback {
                " (no origin/main, so the local branch)"
            } else {
                ""
            };
            let short = base.merge_base.to_string();
            format!(
                "{}{fallback} at {}",
                base.name,
                &short[..short.len().min(10)]
            )
        }
    }
}

/// Prints the changed leaves for people, as `ilab taxonomy diff` lists them.
fn print_changes(changes: &TaxonomyChanges) -> std::io::Result<()> {
    out!(
        "{} changed leaves in {} since {}",
        changes.changed.len(),
        display_path(&changes.root).display(),
        describe_base(&changes.base)
    )?;
    for file in &changes.changed {
        let how = match &file.change {
            Change::Added => "added".to_owned(),
            Change::Modified => "modified".to_owned(),
            Change::Untracked => "untracked".to_owned(),
            Change::Renamed { from } => format!("renamed from {}", from.display()),
        };
        out!("  {} ({how})", file.path.display())?;
    }
    for path in &changes.deleted {
        out!("  {} (deleted)", path.display())?;
    }
    Ok(())
}
