//! `taxon eval RUN`: did the run help? Runs the evaluation engine on the run's
//! newest checkpoint, printing progress on stderr and the per-leaf scores as a
//! table or JSON lines on stdout; the full report goes to the run's `eval.json`.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde_json::json;

use crate::dirs::AppDirs;
use crate::eval::{
    EvalProgress, EvalReport, EvalRequest, JudgeChoice, LeafChoice, QuestionSource, Totals,
    evaluate,
};
use crate::generate::fetch::default_model_path;
use crate::taxonomy::leaf::LEAF_FILE;
use crate::train::registry::Registry;

use super::EXIT_OK;
use super::args::{EvalArgs, EvalFormat};
use super::output::display_path;

/// Runs `taxon eval`; returns the exit code.
pub fn run(args: &EvalArgs) -> anyhow::Result<u8> {
    eval(args, &AppDirs::from_env())
}

/// A leaf named on the command line as the folder the run's records name.
fn leaf_name(given: &str) -> String {
    let path = Path::new(given);
    let folder = if path.ends_with(LEAF_FILE) {
        path.parent().unwrap_or(path)
    } else {
        path
    };
    folder
        .to_string_lossy()
        .replace('\\', "/")
        .trim_end_matches('/')
        .to_owned()
}

fn choice(leaves: &[String]) -> LeafChoice {
    match leaves {
        [one] if one == "all" => LeafChoice::All,
        [one] if one == "changed" => LeafChoice::Changed,
        paths => LeafChoice::Only(paths.iter().map(|p| leaf_name(p)).collect()),
    }
}

fn eval(args: &EvalArgs, dirs: &AppDirs) -> anyhow::Result<u8> {
    let registry = Registry::from_dirs(dirs);
    let run = registry.open(&args.run)?;
    let judge = match &args.judge_endpoint {
        Some(url) => JudgeChoice::Endpoint {
            url: url.clone(),
            model: args.judge_endpoint_model.clone(),
        },
        None => {
            let model = args
                .judge_model
                .clone()
                .unwrap_or_else(|| default_model_path(dirs));
            if !model.is_file() {
                anyhow::bail!("{}: no such judge model", model.display());
            }
            JudgeChoice::Model(model)
        }
    };
    let request = EvalRequest {
        leaves: choice(&args.leaves),
        judge,
        threads: args
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get() as u32)),
        max_tokens: args.max_tokens,
        seed: args.seed,
    };
    let mut on_progress = |progress: &EvalProgress| match progress {
        EvalProgress::Answering { model, done, total } => {
            note!("taxon: {model} model answered {done}/{total}");
        }
        EvalProgress::Judging { done, total } => note!("taxon: judged {done}/{total}"),
    };
    let report = evaluate(&run, &request, &mut on_progress, &AtomicBool::new(false))?;
    match args.format {
        EvalFormat::Human => print_table(&report)?,
        EvalFormat::Json => print_lines(&report)?,
    }
    note!(
        "taxon: the report is in {}",
        display_path(&run.dir.join(crate::eval::EVAL_FILE)).display()
    );
    Ok(EXIT_OK)
}

fn source_name(source: QuestionSource) -> &'static str {
    match source {
        QuestionSource::HeldOut => "held out",
        QuestionSource::Seed => "seeds",
    }
}

fn totals_json(totals: &Totals) -> serde_json::Value {
    json!({
        "questions": totals.questions,
        "base": totals.base,
        "tuned": totals.tuned,
        "wins": totals.wins,
        "ties": totals.ties,
        "losses": totals.losses,
        "undecided": totals.undecided,
    })
}

fn print_lines(report: &EvalReport) -> std::io::Result<()> {
    for leaf in &report.leaves {
        let mut line = totals_json(&leaf.totals);
        line["leaf"] = json!(leaf.leaf);
        line["source"] = json!(leaf.source);
        out!("{line}")?;
    }
    let mut overall = totals_json(&report.overall);
    overall["leaf"] = serde_json::Value::Null;
    overall["overall"] = json!(true);
    out!("{overall}")
}

fn print_table(report: &EvalReport) -> std::io::Result<()> {
    out!(
        "run {} checkpoint {}, judged by {}",
        report.run,
        report.checkpoint,
        report.judge
    )?;
    out!(
        "{:<60} {:<9} {:>9} {:>7} {:>7}  WIN/TIE/LOSS",
        "LEAF",
        "FROM",
        "QUESTIONS",
        "BASE",
        "TUNED"
    )?;
    let row = |name: &str, source: &str, t: &Totals| {
        let undecided = if t.undecided > 0 {
            format!(" ({} undecided)", t.undecided)
        } else {
            String::new()
        };
        out!(
            "{name:<60} {:<9} {:>9} {:>7.3} {:>7.3}  {}/{}/{}{undecided}",
            source,
            t.questions,
            t.base,
            t.tuned,
            t.wins,
            t.ties,
            t.losses
        )
    };
    for leaf in &report.leaves {
        row(&leaf.leaf, source_name(leaf.source), &leaf.totals)?;
    }
    row("overall", "", &report.overall)?;
    out!("(BASE and TUNED: mean ROUGE-L F against the reference answers)")
}
