//! Pushing and fetching single refs over the transports taxon is built with: local paths
//! and `file://` URLs (libgit2's https and ssh transports are not compiled in).

use std::cell::RefCell;
use std::path::Path;

use git2::{Direction, ErrorCode, PushOptions, Remote, RemoteCallbacks, Repository};

use super::error::GitError;

/// Whether `url` uses a transport taxon can talk: a local path or a `file://` URL.
pub fn is_local_url(url: &str) -> bool {
    if url.starts_with("file://") {
        return true;
    }
    if url.contains("://") {
        return false;
    }
    // scp-like `host:path` (but not a Windows drive such as `C:\`).
    match url.split_once(':') {
        Some((host, _)) => host.contains('/') || host.len() == 1,
        None => true,
    }
}

/// The remote named `name`, or, when no remote has that name, the path or URL `name`.
fn open_remote<'r>(repo: &'r Repository, name: &str) -> Result<Remote<'r>, GitError> {
    let remote = match repo.find_remote(name) {
        Ok(remote) => remote,
        Err(e) if matches!(e.code(), ErrorCode::NotFound | ErrorCode::InvalidSpec) => {
            if !name.contains(['/', '\\']) && !name.contains(':') {
                return Err(GitError::RemoteNotFound {
                    name: name.to_owned(),
                });
            }
            repo.remote_anonymous(name)?
        }
        Err(e) => return Err(e.into()),
    };
    let url = remote.url().unwrap_or_default().to_owned();
    if !is_local_url(&url) {
        return Err(GitError::UnsupportedRemote {
            remote: name.to_owned(),
            url,
        });
    }
    Ok(remote)
}

/// Fetches `source` of the remote `remote` (a remote's name, a path or a `file://` URL)
/// into the local ref `destination`, replacing it. Returns `false`, fetching nothing,
/// when the remote has no `source`.
pub fn fetch_ref(
    repo: &Repository,
    remote: &str,
    source: &str,
    destination: &str,
) -> Result<bool, GitError> {
    let mut remote = open_remote(repo, remote)?;
    remote.connect(Direction::Fetch)?;
    let present = remote.list()?.iter().any(|head| head.name() == source);
    remote.disconnect()?;
    if !present {
        return Ok(false);
    }
    remote.fetch(&[format!("+{source}:{destination}").as_str()], None, None)?;
    Ok(true)
}

/// Checks that the local `url` of `remote` is a repository taxon can push into: it
/// exists, is a git repository, and is bare (git refuses to push into a checked-out
/// repository, and libgit2's local transport into any with a working tree).
fn check_push_target(remote: &str, url: &str) -> Result<(), GitError> {
    let path = Path::new(url.strip_prefix("file://").unwrap_or(url));
    if !path.exists() {
        return Err(GitError::NoRemoteRepository {
            remote: remote.to_owned(),
            path: path.to_owned(),
        });
    }
    match Repository::open(path) {
        Ok(target) if target.is_bare() => Ok(()),
        Ok(_) => Err(GitError::RemoteHasWorkingTree {
            remote: remote.to_owned(),
            path: path.to_owned(),
        }),
        Err(_) => Err(GitError::RemoteNotARepository {
            remote: remote.to_owned(),
            path: path.to_owned(),
        }),
    }
}

/// Pushes the local ref `reference` to the same name on `remote`; refuses, as git does,
/// when that would drop commits the remote has.
pub fn push_ref(repo: &Repository, remote_name: &str, reference: &str) -> Result<(), GitError> {
    let mut remote = open_remote(repo, remote_name)?;
    check_push_target(remote_name, remote.url().unwrap_or_default())?;
    let refused = RefCell::new(None);
    let mut callbacks = RemoteCallbacks::new();
    callbacks.push_update_reference(|name, status| {
        if let Some(status) = status {
            *refused.borrow_mut() = Some(format!("{name}: {status}"));
        }
        Ok(())
    });
    let mut options = PushOptions::new();
    options.remote_callbacks(callbacks);
    let result = remote.push(
        &[format!("{reference}:{reference}").as_str()],
        Some(&mut options),
    );
    drop(options);
    match result {
        Err(e) if e.code() == ErrorCode::NotFastForward => Err(GitError::PushRejected {
            remote: remote_name.to_owned(),
            reason: format!("{reference} on the remote has commits this repository lacks"),
        }),
        Err(e) => Err(e.into()),
        Ok(()) => match refused.into_inner() {
            Some(reason) => Err(GitError::PushRejected {
                remote: remote_name.to_owned(),
                reason,
            }),
            None => Ok(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushes_go_only_to_bare_repositories_that_exist() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.git");
        let error = check_push_target("x", missing.to_str().unwrap()).unwrap_err();
        assert!(error.to_string().contains("git init --bare"), "{error}");
        let plain = dir.path().join("plain");
        std::fs::create_dir(&plain).unwrap();
        let error = check_push_target("x", plain.to_str().unwrap()).unwrap_err();
        assert!(
            error.to_string().contains("not a git repository"),
            "{error}"
        );
        let worktree = dir.path().join("worktree");
        Repository::init(&worktree).unwrap();
        let url = format!("file://{}", worktree.display());
        let error = check_push_target("x", &url).unwrap_err();
        assert!(error.to_string().contains("taxon review fetch"), "{error}");
        let bare = dir.path().join("bare.git");
        Repository::init_bare(&bare).unwrap();
        check_push_target("x", bare.to_str().unwrap()).unwrap();
    }

    #[test]
    fn only_local_transports_are_supported() {
        assert!(is_local_url("/srv/git/taxonomy.git"));
        assert!(is_local_url("../taxonomy"));
        assert!(is_local_url("file:///srv/git/taxonomy.git"));
        assert!(is_local_url("C:\\repos\\taxonomy"));
        assert!(!is_local_url("https://github.com/instructlab/taxonomy.git"));
        assert!(!is_local_url(
            "ssh://git@github.com/instructlab/taxonomy.git"
        ));
        assert!(!is_local_url("git@github.com:instructlab/taxonomy.git"));
    }
}
