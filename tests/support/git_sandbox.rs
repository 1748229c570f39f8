//! Temporary git repositories for tests, cut off from the user's and the system's git config.
//!
//! Include with `#[path = "support/git_sandbox.rs"] mod git_sandbox;`. Every helper isolates
//! libgit2 from `~/.gitconfig`, `$XDG_CONFIG_HOME/git` and `/etc/gitconfig` before its first
//! git2 call, and runs the `git` command line with the same isolation.
#![allow(dead_code)] // Each test binary uses its own subset of the helpers.

use std::cell::Cell;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use git2::{
    BranchType, Commit, ConfigLevel, IndexAddOption, Oid, Repository, RepositoryInitOptions,
    Signature, Time, build::CheckoutBuilder,
};
use tempfile::TempDir;

/// An empty folder standing in for `$HOME`, `$XDG_CONFIG_HOME` and the system config folder.
fn config_home() -> &'static Path {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("git-sandbox-home");
        fs::create_dir_all(&home).expect("create the sandbox config home");
        for level in [
            ConfigLevel::ProgramData,
            ConfigLevel::System,
            ConfigLevel::XDG,
            ConfigLevel::Global,
        ] {
            // SAFETY: runs once, inside `get_or_init`, before any other git2 call of this
            // process: every git2 use in the sandbox goes through `config_home` first.
            unsafe { git2::opts::set_search_path(level, home.as_os_str()) }
                .expect("point libgit2's config search path at the sandbox");
        }
        home
    })
}

/// Cuts libgit2 off from the user's and the system's git config. Call before using git2
/// directly; the helpers below call it themselves.
pub fn isolate() {
    config_home();
}

/// A fresh folder that is not inside any git repository.
pub fn plain_dir() -> TempDir {
    isolate();
    tempfile::tempdir().expect("create a temporary folder")
}

/// A git repository in a temporary folder, removed on drop.
pub struct TestRepo {
    dir: TempDir,
    repo: Repository,
    clock: Cell<i64>,
}

impl TestRepo {
    /// A new repository whose unborn HEAD is `main`.
    pub fn init() -> Self {
        Self::init_with(false)
    }

    /// A new bare repository.
    pub fn init_bare() -> Self {
        Self::init_with(true)
    }

    fn init_with(bare: bool) -> Self {
        isolate();
        let dir = tempfile::tempdir().expect("create a temporary folder");
        let repo = Repository::init_opts(
            dir.path(),
            RepositoryInitOptions::new().bare(bare).initial_head("main"),
        )
        .expect("init a repository");
        Self {
            dir,
            repo,
            clock: Cell::new(1_700_000_000),
        }
    }

    /// The working tree (for a bare repository, the git folder).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The git2 handle.
    pub fn repo(&self) -> &Repository {
        &self.repo
    }

    /// Writes `contents` to `rel`, creating its folders.
    pub fn write(&self, rel: &str, contents: &str) {
        let path = self.path().join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create folders");
        }
        fs::write(path, contents).expect("write a file");
    }

    /// Deletes the file `rel` from the working tree only.
    pub fn remove(&self, rel: &str) {
        fs::remove_file(self.path().join(rel)).expect("remove a file");
    }

    /// Moves `from` to `to` in the working tree only (a plain `mv`).
    pub fn rename(&self, from: &str, to: &str) {
        let target = self.path().join(to);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).expect("create folders");
        }
        fs::rename(self.path().join(from), target).expect("rename a file");
    }

    /// `git add <rel>`, or `git rm --cached <rel>` when `rel` is gone from the working tree.
    pub fn stage(&self, rel: &str) {
        let mut index = self.repo.index().expect("open the index");
        if self.path().join(rel).exists() {
            index.add_path(Path::new(rel)).expect("stage a file");
        } else {
            index.remove_path(Path::new(rel)).expect("stage a removal");
        }
        index.write().expect("write the index");
    }

    /// `git rm --cached <rel>`: untrack the file but keep it in the working tree.
    pub fn untrack(&self, rel: &str) {
        let mut index = self.repo.index().expect("open the index");
        index.remove_path(Path::new(rel)).expect("untrack a file");
        index.write().expect("write the index");
    }

    /// `git add -A`: stages every change, respecting `.gitignore`.
    pub fn stage_all(&self) {
        let mut index = self.repo.index().expect("open the index");
        index
            .add_all(["*"], IndexAddOption::DEFAULT, None)
            .expect("stage all files");
        index.update_all(["*"], None).expect("stage removals");
        index.write().expect("write the index");
    }

    /// Commits the index on HEAD with a fixed, increasing author time.
    pub fn commit(&self, message: &str) -> Oid {
        let parents = match self.repo.head() {
            Ok(head) => vec![head.peel_to_commit().expect("HEAD is a commit")],
            Err(_) => Vec::new(),
        };
        self.commit_with_parents(message, &parents.iter().collect::<Vec<_>>())
    }

    /// `git add -A && git commit`.
    pub fn commit_all(&self, message: &str) -> Oid {
        self.stage_all();
        self.commit(message)
    }

    /// Commits the index on HEAD with the given parents (the first one being HEAD's commit,
    /// if any), e.g. to record a merge.
    pub fn commit_with_parents(&self, message: &str, parents: &[&Commit<'_>]) -> Oid {
        let time = self.clock.get() + 60;
        self.clock.set(time);
        let signature = Signature::new("Test Author", "author@example.com", &Time::new(time, 0))
            .expect("make a signature");
        let mut index = self.repo.index().expect("open the index");
        let tree_id = index.write_tree().expect("write the tree");
        let tree = self.repo.find_tree(tree_id).expect("find the tree");
        self.repo
            .commit(
                Some("HEAD"),
                &signature,
                &signature,
                message,
                &tree,
                parents,
            )
            .expect("commit")
    }

    /// The commit `spec` names.
    pub fn commit_of(&self, spec: &str) -> Commit<'_> {
        self.repo
            .revparse_single(spec)
            .and_then(|object| object.peel_to_commit())
            .expect("resolve a commit")
    }

    /// `git branch <name>` at HEAD.
    pub fn branch(&self, name: &str) {
        let head = self.commit_of("HEAD");
        self.repo
            .branch(name, &head, false)
            .expect("create a branch");
    }

    /// `git branch <name> <start>`.
    pub fn branch_at(&self, name: &str, start: &str) {
        let start = self.commit_of(start);
        self.repo
            .branch(name, &start, false)
            .expect("create a branch");
    }

    /// `git checkout --force <branch>`: untracked files stay.
    pub fn checkout(&self, branch: &str) {
        let reference = self
            .repo
            .find_branch(branch, BranchType::Local)
            .expect("find the branch")
            .into_reference();
        let name = reference.name().expect("branch name is UTF-8");
        self.repo.set_head(name).expect("move HEAD");
        self.repo
            .checkout_head(Some(CheckoutBuilder::new().force()))
            .expect("check out HEAD");
    }

    /// `git checkout --orphan <branch>`: HEAD becomes an unborn branch; the index and the
    /// working tree stay as they are.
    pub fn checkout_orphan(&self, branch: &str) {
        self.repo
            .set_head(&format!("refs/heads/{branch}"))
            .expect("point HEAD at an unborn branch");
    }

    /// `git tag <name>` (lightweight) at HEAD.
    pub fn tag(&self, name: &str) {
        let head = self.repo.revparse_single("HEAD").expect("resolve HEAD");
        self.repo
            .tag_lightweight(name, &head, false)
            .expect("create a tag");
    }

    /// `git remote add <name> <other>` then `git fetch <name>`.
    pub fn add_remote(&self, name: &str, other: &TestRepo) {
        let url = other.path().to_str().expect("temporary path is UTF-8");
        self.repo.remote(name, url).expect("add a remote");
        self.fetch(name);
    }

    /// `git fetch <name>`: updates `refs/remotes/<name>/*`.
    pub fn fetch(&self, name: &str) {
        let mut remote = self.repo.find_remote(name).expect("find the remote");
        let refspec = format!("+refs/heads/*:refs/remotes/{name}/*");
        remote
            .fetch(&[refspec.as_str()], None, None)
            .expect("fetch from the remote");
    }

    /// Runs the `git` command line in the working tree, isolated from any user or system
    /// config, and returns its standard output.
    pub fn git(&self, args: &[&str]) -> String {
        let home = config_home();
        let output = Command::new("git")
            .current_dir(self.path())
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("git output is UTF-8")
    }
}
