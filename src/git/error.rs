//! Errors of the git engine.

use std::path::PathBuf;

/// What can go wrong while reading a taxonomy repository.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The given path does not exist or is not a folder.
    #[error("{} is not a folder", path.display())]
    NotAFolder {
        /// The path as given.
        path: PathBuf,
    },
    /// The folder is not inside a git repository.
    #[error(
        "{} is not inside a git repository; use the base \"empty\" to list every taxonomy file without git",
        path.display()
    )]
    NotARepository {
        /// The folder as given.
        path: PathBuf,
    },
    /// The repository has no working tree, so it holds no taxonomy files to read.
    #[error("{} is a bare git repository; a taxonomy needs a working tree", path.display())]
    BareRepository {
        /// The repository's git directory.
        path: PathBuf,
    },
    /// The requested base is neither a branch nor a commit (upstream's wording).
    #[error("Couldn't find the taxonomy git ref \"{base}\" from the current HEAD")]
    RefNotFound {
        /// The base as requested.
        base: String,
    },
    /// The default base `origin/main` is missing and there is no local `main` to fall back to.
    #[error(
        "Couldn't find the taxonomy git ref \"origin/main\" from the current HEAD, nor a local \"main\" branch to fall back to"
    )]
    DefaultBaseNotFound,
    /// No commit on HEAD's first-parent chain is part of the base branch (upstream's wording).
    #[error("Couldn't find the taxonomy base branch \"{base}\" from the current HEAD")]
    BaseNotInHistory {
        /// The base branch's name.
        base: String,
    },
    /// Listing the taxonomy folders of a plain (non-git) folder failed.
    #[error("could not list {}: {source}", path.display())]
    Walk {
        /// The folder being listed.
        path: PathBuf,
        /// The underlying failure.
        source: walkdir::Error,
    },
    /// No remote of that name, and the name is not a path or URL either.
    #[error("no git remote named \"{name}\" (give a remote's name, a path or a file:// URL)")]
    RemoteNotFound {
        /// The name as given.
        name: String,
    },
    /// The remote's URL needs a transport taxon is built without.
    #[error(
        "remote \"{remote}\" is {url}: taxon is built without libgit2's network transports (https, ssh), so only local paths and file:// URLs work; use `git push`/`git fetch` with the same refspec for this remote"
    )]
    UnsupportedRemote {
        /// The remote as named.
        remote: String,
        /// Its URL.
        url: String,
    },
    /// The remote's path does not exist.
    #[error(
        "cannot push to \"{remote}\": there is no repository at {}; create a bare one there (`git init --bare {}`) or name an existing remote",
        path.display(),
        path.display()
    )]
    NoRemoteRepository {
        /// The remote as named.
        remote: String,
        /// Its path.
        path: PathBuf,
    },
    /// The remote's path is not a git repository.
    #[error(
        "cannot push to \"{remote}\": {} is not a git repository; name a bare repository (`git init --bare`) or an existing remote",
        path.display()
    )]
    RemoteNotARepository {
        /// The remote as named.
        remote: String,
        /// Its path.
        path: PathBuf,
    },
    /// The remote has a working tree, which pushes do not go into.
    #[error(
        "cannot push to \"{remote}\": {} is a repository with a working tree, which git does not push into; push to a bare repository (`git init --bare`), or run `taxon review fetch --remote <this repository>` in {} to take the decisions from here",
        path.display(),
        path.display()
    )]
    RemoteHasWorkingTree {
        /// The remote as named.
        remote: String,
        /// Its path.
        path: PathBuf,
    },
    /// The remote refused a push.
    #[error("the push to \"{remote}\" was rejected: {reason}")]
    PushRejected {
        /// The remote as named.
        remote: String,
        /// What the remote or libgit2 said.
        reason: String,
    },
    /// The git identity a commit is authored and signed off by is not configured.
    #[error(
        "git has no {key} configured; commits are authored and signed off (DCO) under your git identity: set it with `git config {key} \"...\"`"
    )]
    NoIdentity {
        /// `user.name` or `user.email`.
        key: &'static str,
    },
    /// A commit was asked for with an empty message.
    #[error("the commit message is empty; write what the change does")]
    EmptyMessage,
    /// None of the chosen leaves differs from HEAD.
    #[error("nothing to commit: {} unchanged since HEAD", leaves.join(", "))]
    NothingToCommit {
        /// The leaf folders chosen.
        leaves: Vec<String>,
    },
    /// The name cannot be a git branch.
    #[error("\"{name}\" is not a valid branch name")]
    InvalidBranchName {
        /// The name as given.
        name: String,
    },
    /// A branch of that name exists already.
    #[error("a branch named \"{name}\" exists already; switch to it instead")]
    BranchExists {
        /// The branch's name.
        name: String,
    },
    /// Git keeps branches as files under `refs/heads`, so `a` and `a/b` cannot both
    /// exist: the name asked for and an existing branch are one inside the other.
    #[error(
        "cannot create branch \"{name}\": branch \"{existing}\" exists, and git cannot have both a branch and a branch under it of that name prefix; choose another name (e.g. with '-' instead of '/')"
    )]
    BranchPrefixClash {
        /// The name asked for.
        name: String,
        /// The existing branch whose name is a prefix of it (or has it as a prefix).
        existing: String,
    },
    /// No local branch of that name.
    #[error("no local branch named \"{name}\"")]
    BranchNotFound {
        /// The name as given.
        name: String,
    },
    /// Switching would overwrite local changes; nothing was changed.
    #[error(
        "not switching to \"{branch}\": it would overwrite your local changes to {}; commit them first (or discard them)",
        files.join(", ")
    )]
    WouldOverwrite {
        /// The branch asked for.
        branch: String,
        /// The files with local changes in the way.
        files: Vec<String>,
    },
    /// A working-tree file could not be written or removed.
    #[error("cannot update {}: {source}", path.display())]
    WorkingTree {
        /// The file.
        path: PathBuf,
        /// The underlying failure.
        source: std::io::Error,
    },
    /// Another process held a ref's lock for longer than taxon waits.
    #[error(
        "{reference} stayed locked by another process for {seconds} s ({}); try again, and if no git or taxon process is running, remove that stale lock file",
        lock.display()
    )]
    RefLocked {
        /// The ref.
        reference: String,
        /// Its lock file.
        lock: PathBuf,
        /// How long taxon waited.
        seconds: f64,
        /// libgit2's own report.
        source: git2::Error,
    },
    /// Any other libgit2 failure.
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}
