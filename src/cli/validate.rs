//! `taxon validate`: check leaf files and print the findings.

use std::io::Write;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::atomic_file::replace_if_unchanged;
use crate::taxonomy::diagnostic::Diagnostic;
use crate::taxonomy::fix::fix_whitespace;
use crate::taxonomy::tree::{Found, discover};
use crate::taxonomy::validate::{Options, validate_file};

use super::args::{Format, ValidateArgs};
use super::output::{display_path, write_file_findings};
use super::{EXIT_ERRORS, EXIT_OK, EXIT_TROUBLE};

/// One checked path and its findings.
struct Checked {
    path: PathBuf,
    diagnostics: Vec<Diagnostic>,
}

/// Runs `taxon validate`; returns the exit code.
pub fn run(args: &ValidateArgs) -> u8 {
    let missing: Vec<&PathBuf> = args.paths.iter().filter(|p| !p.exists()).collect();
    if !missing.is_empty() {
        for path in missing {
            eprintln!("taxon: {}: no such file or folder", path.display());
        }
        return EXIT_TROUBLE;
    }
    let options = Options {
        schema_version: args.schema_version.map(i128::from),
        strict: args.strict,
        upstream_only: args.upstream_only,
    };
    let discovery = discover(&args.paths);
    let checked: Vec<Checked> = discovery
        .found
        .par_iter()
        .map(|found| match found {
            Found::Leaf(path) => {
                if args.fix {
                    fix_in_place(path);
                }
                Checked {
                    path: path.clone(),
                    diagnostics: validate_file(path, &options).diagnostics,
                }
            }
            Found::Refused(path, diagnostic) => Checked {
                path: path.clone(),
                diagnostics: vec![diagnostic.clone()],
            },
        })
        .collect();
    print_and_summarise(args.format, &checked, discovery.not_checked.len())
}

/// Repairs whitespace in place, saying what it did on stderr.
fn fix_in_place(path: &PathBuf) {
    let Ok(original) = std::fs::read(path) else {
        return; // validation reports the read error
    };
    let Ok(text) = std::str::from_utf8(&original) else {
        return;
    };
    let shown = display_path(path);
    match fix_whitespace(text) {
        Ok(Some(fixed)) => match replace_if_unchanged(path, &original, fixed.as_bytes()) {
            Ok(()) => eprintln!("fixed {}", shown.display()),
            Err(error) => eprintln!("taxon: {}: {error}", shown.display()),
        },
        Ok(None) => {}
        Err(error) => eprintln!("taxon: {}: {error}", shown.display()),
    }
}

fn print_and_summarise(format: Format, checked: &[Checked], not_checked: usize) -> u8 {
    let mut stdout = anstream::stdout().lock();
    let (mut errors, mut warnings, mut troubled) = (0, 0, false);
    for file in checked {
        if write_file_findings(&mut stdout, format, &file.path, &file.diagnostics).is_err() {
            return EXIT_TROUBLE; // stdout closed: nothing more to say
        }
        errors += file.diagnostics.iter().filter(|d| d.is_error()).count();
        warnings += file.diagnostics.iter().filter(|d| !d.is_error()).count();
        troubled |= file.diagnostics.iter().any(|d| d.rule == "read");
    }
    let _ = stdout.flush();
    if format == Format::Human {
        let skipped = if not_checked > 0 {
            format!(
                " ({not_checked} leaf files outside compositional_skills/ and knowledge/ not checked, as upstream)"
            )
        } else {
            String::new()
        };
        eprintln!(
            "{} files checked: {errors} errors, {warnings} warnings{skipped}",
            checked.len()
        );
    }
    if troubled {
        EXIT_TROUBLE
    } else if errors > 0 {
        EXIT_ERRORS
    } else {
        EXIT_OK
    }
}
