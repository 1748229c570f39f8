//! Pushing and fetching single refs over the transports taxon is built with: local paths
//! and `file://` URLs (libgit2's https and ssh transports are not compiled in).

use std::cell::RefCell;

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

/// Pushes the local ref `reference` to the same name on `remote`; refuses, as git does,
/// when that would drop commits the remote has.
pub fn push_ref(repo: &Repository, remote_name: &str, reference: &str) -> Result<(), GitError> {
    let mut remote = open_remote(repo, remote_name)?;
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
