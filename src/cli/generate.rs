//! `taxon generate`: synthetic samples for chosen leaves with the local model or
//! a remote server, per-leaf files (resumable) and the mixed training files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::dirs::AppDirs;
use crate::generate::dataset::{LeafFiles, LeafSummary, file_timestamp, write_mixed};
use crate::generate::fetch::default_model_path;
use crate::generate::leaf_input::{LeafInput, PASSAGE_TOKENS};
use crate::generate::remote::{RemoteBackend, RemoteConfig};
use crate::generate::runner::{Backend, LeafSettings, LocalBackend, Record, generate_leaf};
use crate::generate::{Engine, EngineConfig};
use crate::git::{Base, changed_taxonomy_files};
use crate::taxonomy::leaf::{CONTRIBUTABLE_FOLDERS, LEAF_FILE, LeafKind};
use crate::taxonomy::model::{Leaf, Taxonomy};
use crate::taxonomy::tree::find_root;
use crate::taxonomy::validate::Options;

use super::args::GenerateArgs;
use super::generate_progress::Progress;
use super::output::display_path;
use super::{EXIT_ERRORS, EXIT_OK, EXIT_TROUBLE};

/// Attempts allowed per wanted sample before a leaf gives up.
const ATTEMPTS_PER_SAMPLE: usize = 3;

/// Runs `taxon generate`; returns the exit code.
pub fn run(args: &GenerateArgs) -> u8 {
    let dirs = AppDirs::from_env();
    let _log_guard = crate::logging::init(&dirs.log_file());
    match generate(args, &dirs) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("taxon: {message}");
            EXIT_TROUBLE
        }
    }
}

fn taxonomy_root(args: &GenerateArgs, dirs: &AppDirs) -> Result<PathBuf, String> {
    match &args.taxonomy {
        Some(path) if path.is_dir() => Ok(find_root(path)),
        Some(path) => Err(format!("{}: no such folder", path.display())),
        None => crate::default_taxonomy::ensure(dirs)
            .map(|(root, _)| root)
            .map_err(|e| format!("{e:#}")),
    }
}

/// The chosen leaves' folders relative to `root`.
fn select_leaves(args: &GenerateArgs, root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut folders = Vec::new();
    if args.all {
        folders.extend(
            Taxonomy::scan(root)
                .leaves
                .into_iter()
                .map(|leaf| leaf.folder)
                .filter(|f| CONTRIBUTABLE_FOLDERS.iter().any(|c| f.starts_with(c))),
        );
    }
    if args.changed {
        let base = args.base.as_deref().map_or(Base::Default, Base::parse);
        let changes = changed_taxonomy_files(root, &base).map_err(|e| e.to_string())?;
        folders.extend(
            changes
                .changed_paths()
                .filter_map(|p| p.parent().map(Path::to_owned)),
        );
    }
    let canonical_root = root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", root.display()))?;
    for path in &args.leaf {
        let path = if path.exists() {
            path.clone()
        } else {
            root.join(path)
        };
        let folder = if path.ends_with(LEAF_FILE) {
            path.parent().map(Path::to_owned).unwrap_or_default()
        } else {
            path.clone()
        };
        let absolute = folder
            .canonicalize()
            .map_err(|_| format!("{}: no such leaf", folder.display()))?;
        let relative = absolute.strip_prefix(&canonical_root).map_err(|_| {
            format!(
                "{}: not inside the taxonomy {}",
                path.display(),
                root.display()
            )
        })?;
        if !absolute.join(LEAF_FILE).is_file() {
            return Err(format!("{}: no {LEAF_FILE} there", folder.display()));
        }
        folders.push(relative.to_owned());
    }
    folders.sort();
    folders.dedup();
    Ok(folders)
}

fn generate(args: &GenerateArgs, dirs: &AppDirs) -> Result<u8, String> {
    let root = taxonomy_root(args, dirs)?;
    let folders = select_leaves(args, &root)?;
    if folders.is_empty() {
        eprintln!("taxon: no leaves to generate for (none changed, or none chosen)");
        return Ok(EXIT_ERRORS);
    }
    let leaves: Vec<Leaf> = folders
        .into_iter()
        .map(|f| Leaf::read(&root, f, &Options::default()))
        .collect();
    let invalid: Vec<&Leaf> = leaves.iter().filter(|l| !l.report.is_valid()).collect();
    if !invalid.is_empty() {
        for leaf in &invalid {
            for d in leaf.report.diagnostics.iter().filter(|d| d.is_error()) {
                eprintln!(
                    "{}:{}:{}: {}",
                    leaf.file().display(),
                    d.line,
                    d.col,
                    d.message
                );
            }
        }
        eprintln!(
            "taxon: {} leaves with errors; fix them first (`taxon validate`)",
            invalid.len()
        );
        return Ok(EXIT_ERRORS);
    }
    let (mut backend, model_name) = start_backend(args, dirs, leaves.len())?;
    let settings = LeafSettings {
        num: args.num as usize,
        seed: args.seed,
        max_tokens: args.max_tokens,
        attempts_per_sample: ATTEMPTS_PER_SAMPLE,
    };
    let mut progress = Progress::new(leaves.len() * settings.num);
    let mut done: Vec<(LeafSummary, Vec<Record>)> = Vec::new();
    let mut failures = Vec::new();
    for leaf in &leaves {
        let name = leaf.folder.to_string_lossy().replace('\\', "/");
        match generate_one(
            backend.as_mut(),
            dirs,
            leaf,
            &name,
            &model_name,
            &settings,
            args,
            &mut progress,
        ) {
            Ok(result) => done.push(result),
            Err(message) => {
                progress.line(&format!("{name}: skipped: {message}"));
                failures.push((name, message));
            }
        }
    }
    progress.finish();
    print_summaries(&done, &failures);
    let timestamp = file_timestamp(time::OffsetDateTime::now_utc());
    let mixed = write_mixed(&args.output, &timestamp, &done)
        .map_err(|e| format!("{}: {e}", args.output.display()))?;
    let total: usize = done.iter().map(|(_, r)| r.len()).sum();
    for (path, count) in mixed.skills.iter().chain(mixed.knowledge.iter()) {
        println!("wrote {count} records to {}", display_path(path).display());
    }
    if total == 0 {
        eprintln!("taxon: no sample was accepted, so no training file was written (reasons above)");
        return Ok(EXIT_ERRORS);
    }
    Ok(if failures.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERRORS
    })
}

/// The backend chosen by the arguments (the local model, or `--endpoint`) and
/// the model name the summaries record; prints what it runs with.
fn start_backend(
    args: &GenerateArgs,
    dirs: &AppDirs,
    leaves: usize,
) -> Result<(Box<dyn Backend>, String), String> {
    if let Some(url) = &args.endpoint {
        let chat_template = match &args.chat_template {
            Some(given) if Path::new(given).is_file() => {
                Some(std::fs::read_to_string(given).map_err(|e| format!("{given}: {e}"))?)
            }
            other => other.clone(),
        };
        let config = RemoteConfig {
            url: url.clone(),
            model: args.endpoint_model.clone(),
            concurrency: args.concurrency as usize,
            timeout: Duration::from_secs(args.request_timeout),
            chat_template,
        };
        let backend = RemoteBackend::connect(&config).map_err(|e| e.to_string())?;
        let info = backend.info();
        eprintln!(
            "taxon: {leaves} leaves, {} samples each, model {} at {} ({} requests at once, \
             chat template {})",
            args.num, info.model, info.url, config.concurrency, info.template_source
        );
        let name = info.model.clone();
        return Ok((Box::new(backend), name));
    }
    let model = args
        .model
        .clone()
        .unwrap_or_else(|| default_model_path(dirs));
    if !model.is_file() {
        return Err(format!(
            "{}: no such model{}",
            model.display(),
            if args.model.is_none() {
                "; run `taxon model fetch` first"
            } else {
                ""
            }
        ));
    }
    let mut config = EngineConfig::new(model.clone());
    if let Some(threads) = args.threads {
        config.threads = threads;
    }
    let (engine, events) = Engine::start(config).map_err(|e| e.to_string())?;
    eprintln!(
        "taxon: {leaves} leaves, {} samples each, model {} ({} threads, {}-token window, loaded in {} ms)",
        args.num,
        display_path(&model).display(),
        engine.info().threads,
        engine.info().context_size,
        engine.info().load_time.as_millis()
    );
    let name = model.file_name().map_or_else(
        || model.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok((Box::new(LocalBackend { engine, events }), name))
}

#[allow(clippy::too_many_arguments)]
fn generate_one(
    backend: &mut dyn Backend,
    dirs: &AppDirs,
    leaf: &Leaf,
    name: &str,
    model_name: &str,
    settings: &LeafSettings,
    args: &GenerateArgs,
    progress: &mut Progress,
) -> Result<(LeafSummary, Vec<Record>), String> {
    let qna = leaf
        .report
        .qna
        .as_ref()
        .ok_or("the leaf could not be read")?;
    let kind = leaf.report.kind.unwrap_or(LeafKind::FreeformSkill);
    let mut count_error = None;
    let input = LeafInput::from_qna(
        kind,
        qna,
        &dirs.cache.join("docs"),
        PASSAGE_TOKENS,
        |texts| {
            backend.count_tokens(texts).unwrap_or_else(|e| {
                count_error = Some(e.to_string());
                vec![0; texts.len()]
            })
        },
    )
    .map_err(|e| e.to_string())?;
    if let Some(error) = count_error {
        return Err(error);
    }
    let kind = match &input {
        LeafInput::Freeform { .. } => LeafKind::FreeformSkill,
        LeafInput::Grounded { .. } => LeafKind::GroundedSkill,
        LeafInput::Knowledge { .. } => LeafKind::Knowledge,
    };
    let mut summary = LeafSummary {
        leaf: name.to_owned(),
        kind,
        num: settings.num,
        seed: settings.seed,
        model: model_name.to_owned(),
        accepted: 0,
        rejected: Default::default(),
    };
    let files = LeafFiles::new(&args.output, name);
    if let Some((previous, records)) = files.load_complete(&summary) {
        progress.skip_leaf(name, settings.num, records.len());
        return Ok((previous, records));
    }
    progress.start_leaf(name);
    let outcome = generate_leaf(backend, &input, settings, |so_far, completion| {
        progress.attempt(name, so_far, completion, settings.num);
    })
    .map_err(|e| e.to_string())?;
    progress.end_leaf(settings.num);
    summary.accepted = outcome.accepted.len();
    summary.rejected = outcome.rejections_by_reason();
    files
        .write(&summary, &outcome)
        .map_err(|e| format!("{}: {e}", files.samples.display()))?;
    Ok((summary, outcome.accepted))
}

fn print_summaries(done: &[(LeafSummary, Vec<Record>)], failures: &[(String, String)]) {
    println!("Summary:");
    for (summary, _) in done {
        let reasons: Vec<String> = summary
            .rejected
            .iter()
            .map(|(reason, n)| format!("{n} {reason}"))
            .collect();
        let rejected: usize = summary.rejected.values().sum();
        let reasons = if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join(", "))
        };
        println!(
            "  {}: {} of {} accepted, {rejected} rejected{reasons}",
            summary.leaf, summary.accepted, summary.num
        );
    }
    for (leaf, message) in failures {
        println!("  {leaf}: not generated: {message}");
    }
}
