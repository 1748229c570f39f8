//! Following a run from the command line: its metrics as they are written and its
//! state until it ends (saying when it generates its dataset first); a progress
//! bar with loss and ETA on a terminal, plain lines when stderr is piped.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use crate::train::metrics::{MetricRecord, Tail};
use crate::train::phases::Phase;
use crate::train::registry::{Registry, Run, RunStatus};

/// How often the run's files are read.
const POLL: Duration = Duration::from_millis(250);

fn describe(record: &MetricRecord, total: Option<u64>) -> String {
    let of = total.map_or_else(String::new, |t| format!("/{t}"));
    let phase = match record.phase {
        Some(phase @ (Phase::Knowledge | Phase::Skills)) => format!("{} ", phase.name()),
        _ => String::new(),
    };
    let over = record
        .loss_tokens
        .map_or_else(String::new, |n| format!(" ({n} tokens)"));
    match (record.train_loss, record.eval_loss) {
        (Some(loss), _) => format!(
            "step {}{of}  {phase}epoch {}  train loss {loss:.4}{over}  lr {:.2e}  {:.0} tok/s  {:.1} s",
            record.step,
            record.epoch,
            record.lr.unwrap_or(0.0),
            record.tokens_per_second.unwrap_or(0.0),
            record.elapsed_seconds
        ),
        (None, Some(loss)) => format!(
            "eval after step {}{of}  {phase}epoch {}  eval loss {loss:.4}{over}  {:.1} s",
            record.step, record.epoch, record.elapsed_seconds
        ),
        (None, None) => format!("step {}{of}", record.step),
    }
}

/// How the run's dataset is made, the first time the status says it: also when
/// the generation ended (or failed) between two readings of the status.
fn dataset_news<'s>(status: &'s RunStatus, shown: &mut bool) -> Option<&'s str> {
    let news = status.dataset.as_deref().filter(|_| !*shown)?;
    *shown = true;
    Some(news)
}

/// Prints the run's metrics (those already written first) until it ends; returns
/// its final status.
pub(super) fn follow(registry: &Registry, run: &Run) -> anyhow::Result<RunStatus> {
    let mut tail = Tail::new(&run.metrics_file());
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(0);
        let style = ProgressStyle::with_template("{bar:30} {pos}/{len} steps  ETA {eta}  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar
    });
    let mut dataset_shown = false;
    loop {
        let status = registry.refresh(run)?;
        if let Some(news) = dataset_news(&status, &mut dataset_shown) {
            match &bar {
                Some(bar) => bar.println(format!("{news}…")),
                None => note!("{news}…"),
            }
        }
        let lines = tail
            .poll()
            .with_context(|| run.metrics_file().display().to_string())?;
        for line in lines {
            let Ok(record) = serde_json::from_str::<MetricRecord>(&line) else {
                continue;
            };
            let text = describe(&record, status.total_steps);
            match &bar {
                Some(bar) => {
                    if let Some(total) = status.total_steps {
                        bar.set_length(total);
                    }
                    bar.set_position(record.step);
                    if record.train_loss.is_some() {
                        bar.set_message(text);
                    } else {
                        bar.println(text);
                    }
                }
                None => note!("{text}"),
            }
        }
        if status.state.is_final() {
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            return Ok(status);
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::registry::RunState;

    fn status(state: RunState, dataset: Option<&str>) -> RunStatus {
        let mut status: RunStatus = serde_json::from_str(r#"{"state":"queued"}"#).unwrap();
        status.state = state;
        status.dataset = dataset.map(str::to_owned);
        status
    }

    #[test]
    fn the_dataset_is_told_once_even_when_its_generation_ended_unseen() {
        let news = "generating 5 samples for each leaf changed against main";
        let mut shown = false;
        assert_eq!(
            dataset_news(&status(RunState::Running, None), &mut shown),
            None
        );
        // The generation failed between two readings: the status is already final.
        let failed = status(RunState::Failed, Some(news));
        assert_eq!(dataset_news(&failed, &mut shown), Some(news));
        assert_eq!(dataset_news(&failed, &mut shown), None);
    }
}
