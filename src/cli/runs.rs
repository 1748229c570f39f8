//! `taxon runs`: list the tuning runs with their state, phase and latest losses (a
//! table, or JSON lines), follow one (`watch`), or ask one to stop (`stop`).

use serde_json::json;

use crate::dirs::AppDirs;
use crate::train::registry::{Registry, RunView};

use super::EXIT_OK;
use super::args::{RunsArgs, RunsCommand, RunsFormat};
use super::train::report_end;
use super::train_progress::follow;

/// Runs `taxon runs`; returns the exit code.
pub fn run(args: &RunsArgs) -> anyhow::Result<u8> {
    let registry = Registry::from_dirs(&AppDirs::from_env());
    match &args.command {
        None => list(&registry, args.format),
        Some(RunsCommand::Watch { id }) => {
            let run = registry.open(id)?;
            Ok(report_end(id, &follow(&registry, &run)?))
        }
        Some(RunsCommand::Stop { id }) => stop(&registry, id),
    }
}

fn stop(registry: &Registry, id: &str) -> anyhow::Result<u8> {
    let run = registry.open(id)?;
    let status = registry.refresh(&run)?;
    if status.state.is_final() {
        note!(
            "taxon: run {id} has already ended ({})",
            status.state.name()
        );
        return Ok(EXIT_OK);
    }
    run.request_stop()?;
    note!("taxon: asked run {id} to stop after its current step");
    Ok(EXIT_OK)
}

fn json_line(view: &RunView) -> serde_json::Value {
    let status = &view.status;
    json!({
        "id": view.run.id,
        "dir": view.run.dir,
        "state": status.state,
        "pid": status.pid,
        "started": status.started,
        "ended": status.ended,
        "step": view.last_train().map(|m| m.step),
        "phase": view.last_train().and_then(|m| m.phase),
        "total_steps": status.total_steps,
        "epoch": view.last_train().map(|m| m.epoch),
        "train_loss": view.last_train().and_then(|m| m.train_loss),
        "eval_loss": view.last_eval().and_then(|m| m.eval_loss),
        "tokens_per_second": status.tokens_per_second,
        "peak_rss_kib": status.peak_rss_kib,
        "cpu_seconds": status.cpu_seconds,
        "checkpoints": status.checkpoints,
        "phases": status.phases,
        "resumed_from": status.resumed_from,
        "message": status.message,
        "spec": view.spec,
    })
}

fn list(registry: &Registry, format: RunsFormat) -> anyhow::Result<u8> {
    let views = registry.list()?;
    if format == RunsFormat::Json {
        for view in &views {
            out!("{}", json_line(view))?;
        }
        return Ok(EXIT_OK);
    }
    if views.is_empty() {
        note!("taxon: no runs in {}", registry.root().display());
        return Ok(EXIT_OK);
    }
    out!(
        "{:<21} {:<10} {:<9} {:>9} {:>10} {:>9}  WHAT",
        "ID",
        "STATE",
        "PHASE",
        "STEP",
        "TRAIN",
        "EVAL"
    )?;
    for view in &views {
        let step = view.last_train().map_or(0, |m| m.step);
        let steps = match view.status.total_steps {
            Some(total) => format!("{step}/{total}"),
            None => step.to_string(),
        };
        let loss = |value: Option<f64>| value.map_or_else(|| "-".to_owned(), |v| format!("{v:.4}"));
        let phase = view
            .last_train()
            .and_then(|m| m.phase)
            .map_or("-", |p| p.name());
        out!(
            "{:<21} {:<10} {:<9} {:>9} {:>10} {:>9}  {}",
            view.run.id,
            view.status.state.name(),
            phase,
            steps,
            loss(view.last_train().and_then(|m| m.train_loss)),
            loss(view.last_eval().and_then(|m| m.eval_loss)),
            view.spec.summary()
        )?;
        if let Some(message) = &view.status.message {
            let first = message.lines().next().unwrap_or_default();
            out!("{:<21} {first}", "")?;
        }
    }
    Ok(EXIT_OK)
}
