//! `taxon generate`: synthetic samples for chosen leaves through a pipeline, with
//! the local model or a remote server (and another model or server as the judge
//! if asked), per-leaf files (resumable) and the mixed training files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::dirs::AppDirs;
use crate::generate::dataset::{LeafFiles, LeafSummary, file_timestamp, write_mixed};
use crate::generate::fetch::{default_model_path, sha256_hex};
use crate::generate::leaf_input::{LeafInput, PASSAGE_TOKENS};
use crate::generate::pipeline::Pipeline;
use crate::generate::remote::{RemoteBackend, RemoteConfig};
use crate::generate::runner::{
    Backend, Backends, LeafSettings, LocalBackend, Record, generate_leaf,
};
use crate::generate::{EngineConfig, Priority};
use crate::git::{Base, changed_taxonomy_files};
use crate::taxonomy::leaf::{CONTRIBUTABLE_FOLDERS, LEAF_FILE, LeafKind};
use crate::taxonomy::model::{Leaf, Taxonomy};
use crate::taxonomy::tree::find_root;
use crate::taxonomy::validate::Options;

use super::args::{GenerateArgs, GenerationArgs};
use super::checks::{given_file, writable_folder};
use super::generate_progress::Progress;
use super::output::display_path;
use super::preview_record::PreviewRecorder;
use super::stdio::chain_text;
use super::{EXIT_ERRORS, EXIT_OK};

/// Rounds allowed per wanted sample before a leaf gives up.
const ROUNDS_PER_SAMPLE: usize = 3;

/// Sequences the local model decodes together unless told (README, "taxon
/// generate", gives the figures it was chosen by).
const LOCAL_PARALLEL: u32 = 8;

/// Requests in flight to a server unless told.
const REMOTE_PARALLEL: u32 = 4;

/// Runs `taxon generate`; returns the exit code.
pub fn run(args: &GenerateArgs) -> anyhow::Result<u8> {
    let dirs = AppDirs::from_env();
    let _log_guard = crate::logging::init(&dirs.log_file());
    generate(args, &dirs)
}

fn taxonomy_root(args: &GenerateArgs, dirs: &AppDirs) -> anyhow::Result<PathBuf> {
    match &args.taxonomy {
        Some(path) if path.is_dir() => Ok(find_root(path)),
        Some(path) => bail!("{}: no such folder", path.display()),
        None => Ok(crate::default_taxonomy::ensure(dirs)?.0),
    }
}

/// The chosen leaves' folders relative to `root`.
fn select_leaves(args: &GenerateArgs, root: &Path) -> anyhow::Result<Vec<PathBuf>> {
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
        let changes = changed_taxonomy_files(root, &base)?;
        folders.extend(
            changes
                .changed_paths()
                .filter_map(|p| p.parent().map(Path::to_owned)),
        );
    }
    let canonical_root = root
        .canonicalize()
        .with_context(|| root.display().to_string())?;
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
        let Ok(absolute) = folder.canonicalize() else {
            bail!("{}: no such leaf", folder.display());
        };
        let Ok(relative) = absolute.strip_prefix(&canonical_root) else {
            bail!(
                "{}: not inside the taxonomy {}",
                path.display(),
                root.display()
            );
        };
        if !absolute.join(LEAF_FILE).is_file() {
            bail!("{}: no {LEAF_FILE} there", folder.display());
        }
        folders.push(relative.to_owned());
    }
    folders.sort();
    folders.dedup();
    Ok(folders)
}

fn generate(args: &GenerateArgs, dirs: &AppDirs) -> anyhow::Result<u8> {
    writable_folder(&args.output, "--output")?;
    let root = taxonomy_root(args, dirs)?;
    let folders = select_leaves(args, &root)?;
    if folders.is_empty() {
        note!("taxon: no leaves to generate for (none changed, or none chosen)");
        return Ok(EXIT_ERRORS);
    }
    let recorder = if args.no_record {
        None
    } else {
        PreviewRecorder::prepare(&root, &folders)
            .inspect_err(|e| {
                note!("taxon: the generation is not recorded as a review preview: {e}")
            })
            .ok()
    };
    let Some(generated) = generate_leaves(&args.run, dirs, &root, folders, &args.output)? else {
        return Ok(EXIT_ERRORS);
    };
    let Generated { done, failures } = &generated;
    print_summaries(done, failures).context("printing the summary")?;
    if let Some(recorder) = &recorder {
        for (summary, _) in done {
            match recorder.record(summary) {
                Some(Ok(record)) => note!(
                    "taxon: {}: generation preview recorded by {} in the review notes",
                    summary.leaf,
                    record.reviewer
                ),
                Some(Err(e)) => note!("taxon: {}: the preview is not recorded: {e}", summary.leaf),
                None => {}
            }
        }
    }
    let timestamp = file_timestamp(time::OffsetDateTime::now_utc());
    let mixed = write_mixed(&args.output, &timestamp, done)
        .with_context(|| args.output.display().to_string())?;
    let total: usize = done.iter().map(|(_, r)| r.len()).sum();
    for (path, count) in mixed.skills.iter().chain(mixed.knowledge.iter()) {
        out!("wrote {count} records to {}", display_path(path).display())?;
    }
    if total == 0 {
        note!("taxon: no sample was accepted, so no training file was written (reasons above)");
        return Ok(EXIT_ERRORS);
    }
    Ok(if failures.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERRORS
    })
}

/// What a generation over several leaves made.
pub(super) struct Generated {
    /// Each generated leaf's summary and accepted records.
    pub done: Vec<(LeafSummary, Vec<Record>)>,
    /// Leaves that could not be generated for, with why.
    pub failures: Vec<(String, String)>,
}

/// Generates for the leaves `folders` of the taxonomy at `root` into per-leaf
/// files under `output`, printing progress; `None`, after naming their errors,
/// when a leaf does not validate.
pub(super) fn generate_leaves(
    run_args: &GenerationArgs,
    dirs: &AppDirs,
    root: &Path,
    folders: Vec<PathBuf>,
    output: &Path,
) -> anyhow::Result<Option<Generated>> {
    let leaves: Vec<Leaf> = folders
        .into_iter()
        .map(|f| Leaf::read(root, f, &Options::default()))
        .collect();
    let invalid: Vec<&Leaf> = leaves.iter().filter(|l| !l.report.is_valid()).collect();
    if !invalid.is_empty() {
        for leaf in &invalid {
            for d in leaf.report.diagnostics.iter().filter(|d| d.is_error()) {
                note!(
                    "{}:{}:{}: {}",
                    leaf.file().display(),
                    d.line,
                    d.col,
                    d.message
                );
            }
        }
        note!(
            "taxon: {} leaves with errors; fix them first (`taxon validate`)",
            invalid.len()
        );
        return Ok(None);
    }
    let pipeline = Pipeline::resolve(&run_args.pipeline)?;
    let (mut writer, model_name) = start_backend(run_args, dirs, leaves.len(), &pipeline)?;
    let mut judge = start_judge(run_args)?;
    let settings = LeafSettings {
        num: run_args.num as usize,
        seed: run_args.seed,
        max_tokens: run_args.max_tokens,
        rounds_per_sample: ROUNDS_PER_SAMPLE,
    };
    let run = RunInfo {
        pipeline: &pipeline,
        model: &model_name,
        judge: judge.as_ref().map(|(_, name)| name.clone()),
    };
    let mut progress = Progress::new(leaves.len() * settings.num);
    let mut generated = Generated {
        done: Vec::new(),
        failures: Vec::new(),
    };
    for leaf in &leaves {
        let name = leaf.folder.to_string_lossy().replace('\\', "/");
        let mut backends = Backends {
            writer: writer.as_mut(),
            judge: judge
                .as_mut()
                .map(|(backend, _)| backend.as_mut() as &mut dyn Backend),
        };
        match generate_one(
            &mut backends,
            dirs,
            leaf,
            &name,
            &run,
            &settings,
            output,
            &mut progress,
        ) {
            Ok(result) => generated.done.push(result),
            Err(error) => {
                let message = chain_text(&error);
                progress.line(&format!("{name}: skipped: {message}"));
                generated.failures.push((name, message));
            }
        }
    }
    progress.finish();
    Ok(Some(generated))
}

/// A backend, with the name of its model as the summaries record it.
type NamedBackend = (Box<dyn Backend>, String);

/// What every leaf of a run is generated with.
struct RunInfo<'a> {
    pipeline: &'a Pipeline,
    model: &'a str,
    judge: Option<String>,
}

/// A server as a backend, with its model's name.
fn remote_backend(
    url: &str,
    model: Option<&String>,
    chat_template: Option<String>,
    parallel: u32,
    timeout: Duration,
) -> anyhow::Result<(RemoteBackend, RemoteConfig)> {
    let config = RemoteConfig {
        url: url.to_owned(),
        model: model.cloned(),
        concurrency: parallel as usize,
        timeout,
        chat_template,
    };
    let backend = RemoteBackend::connect(&config)?;
    Ok((backend, config))
}

/// A local model as a backend (its engine started), with the model's file name.
fn local_backend(
    model: &Path,
    threads: Option<u32>,
    parallel: u32,
) -> anyhow::Result<(LocalBackend, String)> {
    let mut config = EngineConfig::new(model.to_owned());
    if let Some(threads) = threads {
        config.threads = threads;
    }
    config.parallel = parallel;
    let backend = LocalBackend::start(config, Priority::Background)?;
    let name = model.file_name().map_or_else(
        || model.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok((backend, name))
}

/// The backend chosen by the arguments (the local model, or `--endpoint`) and
/// the model name the summaries record; prints what it runs with.
fn start_backend(
    args: &GenerationArgs,
    dirs: &AppDirs,
    leaves: usize,
    pipeline: &Pipeline,
) -> anyhow::Result<NamedBackend> {
    let timeout = Duration::from_secs(args.request_timeout);
    if let Some(url) = &args.endpoint {
        let parallel = args.parallel.unwrap_or(REMOTE_PARALLEL);
        let (backend, config) = remote_backend(
            url,
            args.endpoint_model.as_ref(),
            read_chat_template(args.chat_template.as_deref(), "--chat-template")?,
            parallel,
            timeout,
        )?;
        let info = backend.info();
        note!(
            "taxon: {leaves} leaves, {} samples each, pipeline {}, model {} at {} ({} requests at once, \
             chat template {})",
            args.num,
            pipeline.name,
            info.model,
            info.url,
            config.concurrency,
            info.template_source
        );
        let name = info.model.clone();
        return Ok((Box::new(backend), name));
    }
    let model = args
        .model
        .clone()
        .unwrap_or_else(|| default_model_path(dirs));
    if args.model.is_some() {
        given_file(&model, "--model", "a GGUF model file")?;
    } else if !model.is_file() {
        bail!(
            "{}: no such model; run `taxon model fetch` first",
            model.display()
        );
    }
    let parallel = args.parallel.unwrap_or(LOCAL_PARALLEL);
    let (backend, name) = local_backend(&model, args.threads, parallel)?;
    let info = backend.engine.info();
    note!(
        "taxon: {leaves} leaves, {} samples each, pipeline {}, model {} ({} threads, {} sequences \
         at once, {}-token window, loaded in {} ms)",
        args.num,
        pipeline.name,
        display_path(&model).display(),
        info.threads,
        parallel,
        info.context_size,
        info.load_time.as_millis()
    );
    Ok((Box::new(backend), name))
}

/// The judge asked for (`--judge-model` or `--judge-endpoint`), with its name;
/// `None` when the generating model judges.
fn start_judge(args: &GenerationArgs) -> anyhow::Result<Option<NamedBackend>> {
    let timeout = Duration::from_secs(args.request_timeout);
    if let Some(url) = &args.judge_endpoint {
        let parallel = args.parallel.unwrap_or(REMOTE_PARALLEL);
        let (backend, _) = remote_backend(
            url,
            args.judge_endpoint_model.as_ref(),
            read_chat_template(args.judge_chat_template.as_deref(), "--judge-chat-template")?,
            parallel,
            timeout,
        )?;
        let info = backend.info();
        note!(
            "taxon: judged by {} at {} (chat template {})",
            info.model,
            info.url,
            info.template_source
        );
        let name = info.model.clone();
        return Ok(Some((Box::new(backend), name)));
    }
    let Some(model) = &args.judge_model else {
        return Ok(None);
    };
    given_file(model, "--judge-model", "a GGUF model file")?;
    let parallel = args.parallel.unwrap_or(LOCAL_PARALLEL);
    let (backend, name) = local_backend(model, args.threads, parallel)?;
    note!(
        "taxon: judged by {} (loaded in {} ms)",
        display_path(model).display(),
        backend.engine.info().load_time.as_millis()
    );
    Ok(Some((Box::new(backend), name)))
}

/// The chat template given to `option`, if any: a Jinja file's text, or a llama.cpp
/// template name (which holds no `/` or `.`, unlike a path).
fn read_chat_template(given: Option<&str>, option: &str) -> anyhow::Result<Option<String>> {
    let Some(given) = given else {
        return Ok(None);
    };
    let path = Path::new(given);
    if path.exists() || given.contains(['/', '.']) {
        let takes = "a Jinja file or a llama.cpp template name (chatml, llama3, mistral-v7, ...)";
        given_file(path, option, takes)?;
        let text = std::fs::read_to_string(path).with_context(|| given.to_owned())?;
        return Ok(Some(text));
    }
    Ok(Some(given.to_owned()))
}

#[allow(clippy::too_many_arguments)]
fn generate_one(
    backends: &mut Backends<'_>,
    dirs: &AppDirs,
    leaf: &Leaf,
    name: &str,
    run: &RunInfo<'_>,
    settings: &LeafSettings,
    output: &Path,
    progress: &mut Progress,
) -> anyhow::Result<(LeafSummary, Vec<Record>)> {
    let qna = leaf
        .report
        .qna
        .as_ref()
        .context("the leaf could not be read")?;
    let kind = leaf.report.kind.unwrap_or(LeafKind::FreeformSkill);
    let mut count_error = None;
    let input = LeafInput::from_qna(
        kind,
        qna,
        &dirs.cache.join("docs"),
        PASSAGE_TOKENS,
        |texts| {
            backends.writer.count_tokens(texts).unwrap_or_else(|e| {
                count_error = Some(e);
                vec![0; texts.len()]
            })
        },
    )?;
    if let Some(error) = count_error {
        return Err(error.into());
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
        model: run.model.to_owned(),
        pipeline: run.pipeline.name.clone(),
        pipeline_digest: run.pipeline.digest.clone(),
        judge: run.judge.clone(),
        leaf_digest: sha256_hex(leaf.text.as_deref().unwrap_or_default().as_bytes())?,
        max_tokens: settings.max_tokens,
        accepted: 0,
        rounds: 0,
        surplus: 0,
        rejected: Default::default(),
        funnel: Vec::new(),
    };
    let files = LeafFiles::new(output, name);
    if let Some((previous, records)) = files.load_complete(&summary) {
        progress.skip_leaf(name, settings.num, records.len());
        return Ok((previous, records));
    }
    progress.start_leaf(name);
    let outcome = generate_leaf(backends, run.pipeline, &input, settings, |event| {
        progress.event(name, event, settings.num);
    })?;
    progress.end_leaf(settings.num);
    summary.accepted = outcome.accepted.len();
    summary.rounds = outcome.rounds;
    summary.surplus = outcome.surplus;
    summary.rejected = outcome.rejections_by_reason();
    summary.funnel = outcome.funnel.clone();
    files
        .write(&summary, &outcome)
        .with_context(|| files.samples.display().to_string())?;
    Ok((summary, outcome.accepted))
}

pub(super) fn print_summaries(
    done: &[(LeafSummary, Vec<Record>)],
    failures: &[(String, String)],
) -> std::io::Result<()> {
    out!("Summary:")?;
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
        out!(
            "  {}: {} of {} accepted, {rejected} rejected{reasons}",
            summary.leaf,
            summary.accepted,
            summary.num
        )?;
        if !summary.funnel.is_empty() {
            let stages: Vec<String> = summary
                .funnel
                .iter()
                .map(|s| format!("{} {}->{}", s.stage, s.input, s.output))
                .collect();
            let surplus = match summary.surplus {
                0 => String::new(),
                n => format!("; {n} more accepted than wanted, left out"),
            };
            out!(
                "    {} pipeline, {} rounds: {}{surplus}",
                summary.pipeline,
                summary.rounds,
                stages.join(", ")
            )?;
        }
    }
    for (leaf, message) in failures {
        out!("  {leaf}: not generated: {message}")?;
    }
    Ok(())
}
