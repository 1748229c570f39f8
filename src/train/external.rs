//! External engines: a configured command (upstream `torchrun … instructlab-training`,
//! `ilab model train`, …) runs in its own process group with its console in the
//! run's `console.log`; its metrics JSONL (`training_params_and_metrics_global0.jsonl`)
//! or, without one, its console loss lines are followed and written to the run's
//! metrics in taxon's format. A stop request sends SIGTERM to the whole group.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::engine::{Job, JobError, Outcome};
use super::metrics::{Tail, UpstreamConverter, parse_console, parse_upstream_json};
use super::os;
use super::spec::ExternalSpec;

/// How often the files are read.
const POLL: Duration = Duration::from_millis(200);
/// How long a stopped command gets before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(30);
/// The file the command's output goes to, in the run folder.
pub const CONSOLE_FILE: &str = "console.log";

/// Reads whatever the command reported since the last call.
fn drain(
    metrics: Option<&mut Tail>,
    console: &mut Tail,
    converter: &mut UpstreamConverter,
    job: &mut Job,
) -> Result<(), JobError> {
    let io = |e: std::io::Error| JobError::External(format!("reading the command's output: {e}"));
    let console_lines = console.poll().map_err(io)?;
    let reports: Vec<_> = match metrics {
        Some(tail) => tail
            .poll()
            .map_err(io)?
            .iter()
            .filter_map(|l| parse_upstream_json(l))
            .collect(),
        None => console_lines
            .iter()
            .filter_map(|l| parse_console(l))
            .collect(),
    };
    for report in &reports {
        let record = converter.record(report, job.elapsed_seconds());
        job.record(&record)?;
    }
    Ok(())
}

/// Runs the command of `spec` to its end, following its metrics into `job`.
pub(super) fn follow(spec: &ExternalSpec, job: &mut Job) -> Result<Outcome, JobError> {
    use std::os::unix::process::CommandExt;
    let (program, args) = spec
        .command
        .split_first()
        .ok_or_else(|| JobError::Spec("the external command is empty".to_owned()))?;
    let run_dir = job.run().dir.clone();
    let workdir = spec.workdir.clone().unwrap_or_else(|| run_dir.clone());
    let console_path = run_dir.join(CONSOLE_FILE);
    let console_file = std::fs::File::create(&console_path).map_err(|source| JobError::Io {
        path: console_path.display().to_string(),
        source,
    })?;
    let console_err = console_file
        .try_clone()
        .map_err(|e| JobError::External(e.to_string()))?;
    let mut metrics = spec.metrics_file.as_ref().map(|file| {
        let path = if file.is_absolute() {
            file.clone()
        } else {
            workdir.join(file)
        };
        Tail::at_end(&path)
    });
    let mut console = Tail::new(&console_path);
    let mut converter = UpstreamConverter::default();
    let mut child = Command::new(program)
        .args(args)
        .current_dir(&workdir)
        .stdin(Stdio::null())
        .stdout(console_file)
        .stderr(console_err)
        .process_group(0)
        .spawn()
        .map_err(|e| JobError::External(format!("cannot run `{program}`: {e}")))?;
    eprintln!(
        "taxon: started `{}` (pid {})",
        spec.command.join(" "),
        child.id()
    );
    let mut stop_sent: Option<Instant> = None;
    let status = loop {
        drain(metrics.as_mut(), &mut console, &mut converter, job)?;
        if let Some(status) = child
            .try_wait()
            .map_err(|e| JobError::External(e.to_string()))?
        {
            break status;
        }
        if stop_sent.is_none() && job.stop_requested() {
            eprintln!("taxon: stop requested; sending SIGTERM to the command");
            os::terminate_group(child.id()).map_err(|e| JobError::External(e.to_string()))?;
            stop_sent = Some(Instant::now());
        }
        if stop_sent.is_some_and(|t| t.elapsed() > STOP_GRACE) {
            let _ = child.kill();
        }
        std::thread::sleep(POLL);
    };
    drain(metrics.as_mut(), &mut console, &mut converter, job)?;
    if stop_sent.is_some() {
        return Ok(Outcome::Stopped);
    }
    if status.success() {
        Ok(Outcome::Finished)
    } else {
        let tail = std::fs::read_to_string(&console_path).unwrap_or_default();
        let lines: Vec<&str> = tail.lines().collect();
        Err(JobError::External(format!(
            "`{program}` ended with {status}; its last output:\n{}",
            lines[lines.len().saturating_sub(10)..].join("\n")
        )))
    }
}
