//! Logs go to a file (never to the screen), filtered by `TAXON_LOG`
//! (e.g. `TAXON_LOG=debug`); default `info`.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Sends logs to `file`; keep the guard alive until exit so the last lines are
/// written. Returns `None` (and logs nowhere) if the file cannot be opened.
pub fn init(file: &Path) -> Option<WorkerGuard> {
    let dir = file.parent()?;
    std::fs::create_dir_all(dir).ok()?;
    let name = file.file_name()?;
    let appender = tracing_appender::rolling::never(dir, name);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("TAXON_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

/// Sends logs to stderr (a worker process, whose stderr is its run's log), filtered
/// by `TAXON_LOG`, default `warn` (llama.cpp's own logs come through tracing and
/// are very chatty at `info`).
pub fn init_stderr() {
    let filter = EnvFilter::try_from_env("TAXON_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
}
