//! Creating a taxonomy repository from a folder of files.

use std::path::Path;

use git2::{IndexAddOption, Oid, Repository, RepositoryInitOptions, Signature, Time};

use super::error::GitError;

/// Makes `folder` a new git repository on branch `main` holding all its files in
/// one commit signed off by the configured identity (user.name / user.email, or
/// `taxon <taxon@localhost>` when none is configured). `time` fixes the commit
/// time (seconds since the epoch) for reproducible repositories.
pub fn init_repository_with_files(
    folder: &Path,
    message: &str,
    time: Option<i64>,
) -> Result<Oid, GitError> {
    let mut options = RepositoryInitOptions::new();
    options.initial_head("main");
    let repo = Repository::init_opts(folder, &options)?;
    let config = repo.config()?;
    let name = config
        .get_string("user.name")
        .unwrap_or_else(|_| "taxon".to_owned());
    let email = config
        .get_string("user.email")
        .unwrap_or_else(|_| "taxon@localhost".to_owned());
    let signature = match time {
        Some(seconds) => Signature::new(&name, &email, &Time::new(seconds, 0))?,
        None => Signature::now(&name, &email)?,
    };
    let mut index = repo.index()?;
    index.add_all(["*"], IndexAddOption::DEFAULT, None)?;
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let message = format!("{message}\n\nSigned-off-by: {name} <{email}>\n");
    Ok(repo.commit(Some("HEAD"), &signature, &signature, &message, &tree, &[])?)
}
