//! `taxon validate`: check leaf files and print the findings.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

use crate::taxonomy::diagnostic::Diagnostic;
use crate::taxonomy::fix::{FixError, fix_file};
use crate::taxonomy::tree::{Found, Walked, walk_paths};
use crate::taxonomy::validate::{Options, validate_file};

use super::args::{Format, ValidateArgs};
use super::output::{display_path, display_path_from, write_file_findings};
use super::{EXIT_ERRORS, EXIT_OK, EXIT_TROUBLE};

/// How many findings of the walk a thread takes at once, so that the threads
/// seldom wait for each other's turn at the walk.
const WALK_BATCH: usize = 32;

/// One checked path and its findings.
pub(super) struct Checked {
    pub path: PathBuf,
    pub diagnostics: Vec<Diagnostic>,
}

/// Runs `taxon validate`; returns the exit code.
pub fn run(args: &ValidateArgs) -> anyhow::Result<u8> {
    // A symbolic link that leads nowhere is not missing: the walk says what it is.
    let missing: Vec<&PathBuf> = args
        .paths
        .iter()
        .filter(|p| std::fs::symlink_metadata(p).is_err())
        .collect();
    if !missing.is_empty() {
        for path in missing {
            note!("taxon: {}: no such file or folder", path.display());
        }
        return Ok(EXIT_TROUBLE);
    }
    let options = args.check.options();
    // The files are checked as soon as the walk finds them, a batch at a time on
    // each thread of the pool, and put back in the walk's order after.
    let mut walk = walk_paths(&args.paths).enumerate();
    let batches = std::iter::from_fn(move || {
        let batch: Vec<_> = walk.by_ref().take(WALK_BATCH).collect();
        (!batch.is_empty()).then_some(batch)
    });
    let mut walked: Vec<(usize, Option<Checked>)> = batches
        .par_bridge()
        .flat_map_iter(|batch| {
            batch.into_iter().map(|(index, walked)| match walked {
                Walked::Found(found) => (index, Some(check_one(&found, &options, args.fix))),
                Walked::NotChecked(_) => (index, None),
            })
        })
        .collect();
    walked.sort_unstable_by_key(|(index, _)| *index);
    let not_checked = walked.iter().filter(|(_, c)| c.is_none()).count();
    let checked: Vec<Checked> = walked.into_iter().filter_map(|(_, c)| c).collect();
    let skipped = if not_checked == 0 {
        String::new()
    } else {
        format!(
            " ({not_checked} leaf files outside compositional_skills/ and knowledge/ not checked, as upstream)"
        )
    };
    print_and_summarise(args.check.format, &checked, &skipped)
}

/// Validates the found files in parallel, repairing whitespace first if `fix`.
pub(super) fn check(found: &[Found], options: &Options, fix: bool) -> Vec<Checked> {
    found
        .par_iter()
        .map(|found| check_one(found, options, fix))
        .collect()
}

/// Validates one found file, repairing whitespace first if `fix`.
fn check_one(found: &Found, options: &Options, fix: bool) -> Checked {
    match found {
        Found::Leaf(path) => {
            if fix {
                fix_in_place(path);
            }
            Checked {
                path: path.clone(),
                diagnostics: validate_file(path, options).diagnostics,
            }
        }
        Found::Refused(path, diagnostic) => Checked {
            path: path.clone(),
            diagnostics: vec![diagnostic.clone()],
        },
    }
}

/// Writes each file's rendered findings to `out`, through one buffer.
fn write_in_order(out: impl Write, rendered: &[Vec<u8>]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    for lines in rendered {
        out.write_all(lines)?;
    }
    out.flush()
}

/// Repairs whitespace in place, saying on stderr what it did and what it left.
fn fix_in_place(path: &Path) {
    let shown = display_path(path);
    match fix_file(path) {
        Ok(repair) => {
            for left in &repair.not_fixable {
                note!("taxon: {}:{}: {left}", shown.display(), left.line());
            }
            if repair.fixed.is_some() {
                note!("fixed {}", shown.display());
            }
        }
        Err(FixError::Unreadable(_)) => {} // validation reports why
        Err(error) => note!("taxon: {}: {error}", shown.display()),
    }
}

/// Prints every file's findings and, for people, a summary line on stderr ending in
/// `note`; returns the exit code.
pub(super) fn print_and_summarise(
    format: Format,
    checked: &[Checked],
    note: &str,
) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir().ok();
    // Each file's lines are made on the thread pool; only their writing is in order.
    let rendered: std::io::Result<Vec<Vec<u8>>> = checked
        .par_iter()
        .map(|file| {
            let mut lines = Vec::new();
            let shown = display_path_from(&file.path, cwd.as_deref());
            write_file_findings(&mut lines, format, &shown, &file.diagnostics).map(|()| lines)
        })
        .collect();
    // Only the human format has styles, for anstream to strip off a terminal.
    rendered
        .and_then(|rendered| match format {
            Format::Human => write_in_order(anstream::stdout().lock(), &rendered),
            Format::Github | Format::Json => write_in_order(std::io::stdout().lock(), &rendered),
        })
        .context("printing the findings")?;
    let (mut errors, mut warnings, mut troubled) = (0, 0, false);
    for file in checked {
        errors += file.diagnostics.iter().filter(|d| d.is_error()).count();
        warnings += file.diagnostics.iter().filter(|d| !d.is_error()).count();
        troubled |= file.diagnostics.iter().any(|d| d.rule == "read");
    }
    if format == Format::Human {
        note!(
            "{} files checked: {errors} errors, {warnings} warnings{note}",
            checked.len()
        );
    }
    Ok(if troubled {
        EXIT_TROUBLE
    } else if errors > 0 {
        EXIT_ERRORS
    } else {
        EXIT_OK
    })
}
