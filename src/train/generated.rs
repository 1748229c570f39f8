//! The dataset a run makes when it starts: `taxon generate --changed` runs as a
//! child of the worker (its output goes to the run's log) and writes its samples
//! into the run folder; the training files it writes are then read back as the
//! conversations to train on, knowledge first, then skills.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::dataset::{Conversation, read_messages};
use super::engine::{Job, JobError};
use super::os;
use super::registry::RunState;
use super::spec::ChangedLeaves;
use crate::generate::dataset::{KNOWLEDGE_TRAINING_PREFIX, SKILLS_TRAINING_PREFIX};

/// How often the worker looks for a stop request while samples are generated.
const POLL: Duration = Duration::from_millis(200);

/// The run's subfolder the samples are written into.
pub const GENERATED_DIR: &str = "generated";

/// The training files `taxon generate` writes, in the order they are trained on.
const TRAINING_FILES: [&str; 2] = [KNOWLEDGE_TRAINING_PREFIX, SKILLS_TRAINING_PREFIX];

/// Generates samples for the leaves changed in `changed.taxonomy` into the run
/// folder and returns them as conversations; `None` when a stop was requested
/// meanwhile (the generation is ended; the leaves it finished stay on disk).
pub(super) fn generate(
    changed: &ChangedLeaves,
    threads: u32,
    job: &mut Job,
) -> Result<Option<Vec<Conversation>>, JobError> {
    let output = job.run().dir.join(GENERATED_DIR);
    let program = std::env::current_exe()
        .map_err(|e| JobError::Generate(format!("cannot find taxon itself: {e}")))?;
    let mut command = Command::new(program);
    command
        .arg("generate")
        .arg("--taxonomy")
        .arg(&changed.taxonomy)
        .arg("--changed");
    if let Some(base) = &changed.base {
        command.arg("--base").arg(base);
    }
    command
        .arg("--num")
        .arg(changed.samples.to_string())
        .arg("--model")
        .arg(&changed.teacher)
        .arg("--threads")
        .arg(threads.to_string())
        .arg("--output")
        .arg(&output)
        .stdin(Stdio::null());
    os::end_with_parent(&mut command);
    let news = format!(
        "generating {} samples for each leaf changed against {}",
        changed.samples,
        changed.base_name()
    );
    eprintln!("taxon: {news}");
    job.update_status(|s| {
        s.state = RunState::Generating;
        s.dataset = Some(news.clone());
        s.message = Some(news);
    })?;
    let mut child = command
        .spawn()
        .map_err(|e| JobError::Generate(format!("taxon generate: {e}")))?;
    let exit = loop {
        let exited = child
            .try_wait()
            .map_err(|e| JobError::Generate(format!("taxon generate: {e}")))?;
        if job.stop_requested() {
            if exited.is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
            return Ok(None);
        }
        if let Some(exit) = exited {
            break exit;
        }
        std::thread::sleep(POLL);
    };
    let conversations = read_training_files(&output)?;
    if conversations.is_empty() {
        return Err(JobError::Generate(format!(
            "taxon generate ({exit}) wrote no training data; its messages are in the run's log"
        )));
    }
    if !exit.success() {
        eprintln!(
            "taxon: taxon generate ({exit}) skipped some leaves (see above); training on the {} samples it wrote",
            conversations.len()
        );
    }
    job.update_status(|s| {
        s.state = RunState::Running;
        s.message = None;
    })?;
    Ok(Some(conversations))
}

/// The conversations of the training files in `folder` (none if it is missing).
fn read_training_files(folder: &Path) -> Result<Vec<Conversation>, JobError> {
    let mut names: Vec<String> = match std::fs::read_dir(folder) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| name.ends_with(".jsonl"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(source) => {
            return Err(JobError::Io {
                path: folder.display().to_string(),
                source,
            });
        }
    };
    names.sort();
    let mut conversations = Vec::new();
    for prefix in TRAINING_FILES {
        for name in names.iter().filter(|n| n.starts_with(prefix)) {
            conversations.extend(read_messages(&folder.join(name))?);
        }
    }
    Ok(conversations)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(question: &str) -> String {
        format!(
            r#"{{"messages":[{{"role":"user","content":"{question}"}},{{"role":"assistant","content":"a"}}]}}"#
        ) + "\n"
    }

    #[test]
    fn knowledge_is_read_before_skills_and_other_files_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("skills_train_msgs_2026.jsonl", &record("skill"));
        write("knowledge_train_msgs_2026.jsonl", &record("fact"));
        write("compositional_skills_x.jsonl", &record("per-leaf file"));
        let questions: Vec<String> = read_training_files(dir.path())
            .unwrap()
            .into_iter()
            .map(|c| c.messages[0].content.clone())
            .collect();
        assert_eq!(questions, ["fact", "skill"]);
        assert!(
            read_training_files(&dir.path().join("missing"))
                .unwrap()
                .is_empty()
        );
    }
}
