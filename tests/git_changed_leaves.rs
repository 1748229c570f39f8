//! The changed-leaves engine (`taxon::git`) on temporary repositories, against upstream's
//! `get_taxonomy_diff` rules and the `git` command line.

#[path = "support/git_sandbox.rs"]
mod git_sandbox;

use std::path::{Path, PathBuf};

use git_sandbox::TestRepo;
use taxon::git::{
    Base, BaseKind, Change, ChangedFile, GitError, ResolvedBase, TaxonomyChanges, TaxonomyRepo,
    changed_taxonomy_files,
};

const SKILL: &str = "compositional_skills/linguistics/synonyms/qna.yaml";
const BIRDS: &str = "knowledge/science/animals/birds/qna.yaml";
const MUSIC: &str = "knowledge/arts/music/qna.yaml";

/// A leaf body long enough for rename detection to pair it with its old self.
fn leaf(topic: &str) -> String {
    let mut body = format!("version: 3\ncreated_by: tester\ntask_description: {topic}\n");
    body.push_str("seed_examples:\n");
    for i in 0..8 {
        body.push_str(&format!(
            "  - question: What is fact number {i} about {topic}?\n    answer: Fact {i} about {topic} is that it is well documented.\n"
        ));
    }
    body
}

/// A repository whose `main` holds a skill and a knowledge leaf plus non-leaf files.
fn taxonomy_on_main() -> TestRepo {
    let repo = TestRepo::init();
    repo.write("README.md", "# taxonomy\n");
    repo.write(SKILL, &leaf("synonyms"));
    repo.write(BIRDS, &leaf("birds"));
    repo.write(
        "knowledge/science/animals/birds/attribution.txt",
        "Title of work: Birds\n",
    );
    repo.commit_all("Seed the taxonomy");
    repo
}

fn changes(repo: &TestRepo, base: &Base) -> TaxonomyChanges {
    changed_taxonomy_files(repo.path(), base).expect("compute the changes")
}

fn file(path: &str, change: Change) -> ChangedFile {
    ChangedFile {
        path: PathBuf::from(path),
        change,
    }
}

fn paths(list: &[&str]) -> Vec<PathBuf> {
    list.iter().map(PathBuf::from).collect()
}

fn base_ref(base: &ResolvedBase) -> &taxon::git::BaseRef {
    match base {
        ResolvedBase::Ref(base) => base,
        other => panic!("expected a branch or commit base, got {other:?}"),
    }
}

#[test]
fn untracked_leaf_is_listed_as_untracked() {
    let repo = taxonomy_on_main();
    repo.write(MUSIC, &leaf("music"));

    let found = changes(&repo, &Base::Default);

    assert_eq!(found.changed, vec![file(MUSIC, Change::Untracked)]);
    assert!(found.deleted.is_empty());
}

#[test]
fn modified_leaf_counts_whether_staged_or_not() {
    let repo = taxonomy_on_main();
    repo.write(SKILL, &format!("{}# edited\n", leaf("synonyms")));
    repo.write(BIRDS, &format!("{}# edited\n", leaf("birds")));
    repo.stage(BIRDS);

    let found = changes(&repo, &Base::Default);

    assert_eq!(
        found.changed,
        vec![file(SKILL, Change::Modified), file(BIRDS, Change::Modified),]
    );
}

#[test]
fn staged_new_leaf_is_added() {
    let repo = taxonomy_on_main();
    repo.write(MUSIC, &leaf("music"));
    repo.stage(MUSIC);

    assert_eq!(
        changes(&repo, &Base::Default).changed,
        vec![file(MUSIC, Change::Added)]
    );
}

#[test]
fn feature_branch_lists_its_own_leaves_not_later_main_commits() {
    let repo = taxonomy_on_main();
    let fork = repo.commit_of("HEAD").id();
    repo.branch("feature");
    // main moves on after the fork: its new leaf is not the feature's change.
    repo.write("knowledge/history/qna.yaml", &leaf("history"));
    repo.commit_all("Main adds history");
    repo.checkout("feature");
    repo.write(MUSIC, &leaf("music"));
    repo.commit_all("Add music");
    repo.write(SKILL, &format!("{}# edited\n", leaf("synonyms")));
    repo.commit_all("Edit synonyms");

    let found = changes(&repo, &Base::Default);

    assert_eq!(
        found.changed,
        vec![file(SKILL, Change::Modified), file(MUSIC, Change::Added)]
    );
    let base = base_ref(&found.base);
    assert_eq!(base.name, "main");
    assert_eq!(base.kind, BaseKind::LocalBranch);
    assert_eq!(base.merge_base, fork);
    assert_eq!(base.tip, repo.commit_of("main").id());
}

#[test]
fn deleted_leaves_are_listed_as_deleted_not_changed() {
    let repo = taxonomy_on_main();
    repo.write(MUSIC, &leaf("music"));
    repo.commit_all("Add music");
    repo.branch("feature");
    repo.checkout("feature");
    repo.remove(MUSIC);
    repo.commit_all("Drop music"); // committed deletion
    repo.remove(SKILL);
    repo.stage(SKILL); // staged deletion
    repo.remove(BIRDS); // unstaged deletion

    let found = changes(&repo, &Base::Ref("main".into()));

    assert!(found.changed.is_empty(), "{:?}", found.changed);
    assert_eq!(found.deleted, paths(&[SKILL, MUSIC, BIRDS]));
}

#[test]
fn untracked_but_present_leaf_is_changed_not_deleted() {
    let repo = taxonomy_on_main();
    repo.untrack(BIRDS); // git rm --cached

    let found = changes(&repo, &Base::Default);

    assert_eq!(found.changed, vec![file(BIRDS, Change::Untracked)]);
    assert!(found.deleted.is_empty(), "{:?}", found.deleted);
}

#[test]
fn renamed_leaf_is_listed_under_its_new_path() {
    let repo = taxonomy_on_main();
    repo.branch("feature");
    repo.checkout("feature");
    let moved = "knowledge/science/animals/songbirds/qna.yaml";
    repo.rename(BIRDS, moved);
    repo.commit_all("Move birds");
    // Moved out of the taxonomy folders: the leaf is gone.
    repo.rename(SKILL, "docs/synonyms_qna.yaml");
    repo.stage_all();

    let found = changes(&repo, &Base::Default);

    assert_eq!(
        found.changed,
        vec![file(
            moved,
            Change::Renamed {
                from: PathBuf::from(BIRDS)
            }
        )]
    );
    assert_eq!(found.deleted, paths(&[SKILL]));
}

#[test]
fn unstaged_move_is_a_deletion_plus_an_untracked_leaf() {
    let repo = taxonomy_on_main();
    let moved = "knowledge/science/animals/songbirds/qna.yaml";
    repo.rename(BIRDS, moved);

    let found = changes(&repo, &Base::Default);

    assert_eq!(found.changed, vec![file(moved, Change::Untracked)]);
    assert_eq!(found.deleted, paths(&[BIRDS]));
}

#[test]
fn only_qna_yaml_under_taxonomy_folders_counts() {
    let repo = taxonomy_on_main();
    for other in [
        "README.md",
        "qna.yaml",
        "docs/template_qna.yaml",
        "foundational_skills/reasoning/logic/qna.yaml",
        "knowledge/science/animals/birds/attribution.txt",
        "knowledge/arts/music/qna.yml",
        "knowledge/arts/film/QNA.yaml",
        "compositional_skills/writing/notes.yaml",
    ] {
        repo.write(other, &leaf(other));
    }
    repo.stage("foundational_skills/reasoning/logic/qna.yaml");
    repo.stage("README.md");

    let found = changes(&repo, &Base::Default);

    assert!(found.changed.is_empty(), "{:?}", found.changed);
    assert!(found.deleted.is_empty(), "{:?}", found.deleted);
}

#[test]
fn ignored_leaves_are_not_listed() {
    let repo = taxonomy_on_main();
    repo.write(".gitignore", "scratch/\n/knowledge/history/qna.yaml\n");
    repo.write("knowledge/.gitignore", "drafts/\n");
    repo.commit_all("Ignore drafts");
    repo.write("knowledge/drafts/wip/qna.yaml", &leaf("wip"));
    repo.write("knowledge/scratch/qna.yaml", &leaf("scratch"));
    repo.write("knowledge/history/qna.yaml", &leaf("history"));
    repo.write(MUSIC, &leaf("music"));

    assert_eq!(
        changes(&repo, &Base::Default).changed,
        vec![file(MUSIC, Change::Untracked)]
    );
    let all = changes(&repo, &Base::Empty);
    assert_eq!(
        all.changed_paths().collect::<Vec<_>>(),
        [SKILL, MUSIC, BIRDS].map(Path::new)
    );
}

#[test]
fn default_base_is_origin_main_when_fetched() {
    let origin = taxonomy_on_main();
    let repo = TestRepo::init();
    repo.add_remote("origin", &origin);
    repo.branch_at("main", "origin/main");
    repo.checkout("main");
    // Local main is ahead of origin/main: its commit is a change against the default base.
    repo.write(MUSIC, &leaf("music"));
    repo.commit_all("Add music locally");
    // origin moves on and is fetched: origin's new leaf is not a local change.
    origin.write("knowledge/history/qna.yaml", &leaf("history"));
    origin.commit_all("Upstream adds history");
    repo.fetch("origin");

    let found = changes(&repo, &Base::Default);

    assert_eq!(found.changed, vec![file(MUSIC, Change::Added)]);
    let base = base_ref(&found.base);
    assert_eq!(base.name, "origin/main");
    assert_eq!(base.kind, BaseKind::RemoteBranch);
    assert!(!base.is_fallback);
    assert_eq!(base.tip, origin.commit_of("main").id());
    assert_eq!(base.merge_base, origin.commit_of("main~1").id());
    // The same, named explicitly.
    assert_eq!(changes(&repo, &Base::parse("origin/main")), found);
}

#[test]
fn default_base_falls_back_to_local_main_without_origin() {
    let repo = taxonomy_on_main();
    repo.branch("feature");
    repo.checkout("feature");
    repo.write(MUSIC, &leaf("music"));
    repo.commit_all("Add music");

    let found = changes(&repo, &Base::Default);

    assert_eq!(found.changed, vec![file(MUSIC, Change::Added)]);
    let base = base_ref(&found.base);
    assert_eq!(
        (base.name.as_str(), base.kind, base.is_fallback),
        ("main", BaseKind::LocalBranch, true)
    );
    let named = changes(&repo, &Base::parse("main"));
    assert!(!base_ref(&named.base).is_fallback);
}

#[test]
fn commit_ish_base_diffs_from_that_commit_directly() {
    let repo = taxonomy_on_main();
    repo.tag("v1");
    repo.write(MUSIC, &leaf("music"));
    repo.commit_all("Add music");
    let music_commit = repo.commit_of("HEAD").id();
    repo.write("knowledge/history/qna.yaml", &leaf("history"));
    repo.commit_all("Add history");

    let found = changes(&repo, &Base::parse("v1"));
    assert_eq!(
        found.changed_paths().collect::<Vec<_>>(),
        [
            "knowledge/arts/music/qna.yaml",
            "knowledge/history/qna.yaml"
        ]
        .map(Path::new)
    );
    assert_eq!(base_ref(&found.base).kind, BaseKind::Commit);

    let found = changes(&repo, &Base::parse(&music_commit.to_string()));
    assert_eq!(
        found.changed_paths().collect::<Vec<_>>(),
        [Path::new("knowledge/history/qna.yaml")]
    );
    assert_eq!(base_ref(&found.base).merge_base, music_commit);

    // A commit-ish off HEAD's history is diffed as is, as upstream does (no merge base):
    // the leaf `side` added is reported as deleted from its point of view.
    repo.branch_at("side", "v1");
    repo.checkout("side");
    repo.write("knowledge/side/qna.yaml", &leaf("side"));
    repo.commit_all("Side leaf");
    repo.checkout("main");
    let found = changes(&repo, &Base::parse("side~0"));
    assert_eq!(found.deleted, paths(&["knowledge/side/qna.yaml"]));
}

#[test]
fn walk_follows_first_parents_like_upstream() {
    let repo = taxonomy_on_main();
    let fork = repo.commit_of("HEAD").id();
    repo.branch("feature");
    repo.write("knowledge/history/qna.yaml", &leaf("history"));
    repo.commit_all("Main adds history");
    repo.checkout("feature");
    repo.write(MUSIC, &leaf("music"));
    repo.commit_all("Add music");
    // Merge main into feature: first parent feature, second parent main.
    repo.write("knowledge/history/qna.yaml", &leaf("history"));
    repo.stage_all();
    let head = repo.commit_of("HEAD");
    let main = repo.commit_of("main");
    repo.commit_with_parents("Merge main into feature", &[&head, &main]);

    let found = changes(&repo, &Base::Default);

    // A true merge base would be main's tip; upstream walks first parents to the fork, so
    // main's merged-in leaf counts as changed too.
    assert_eq!(base_ref(&found.base).merge_base, fork);
    assert_eq!(
        found.changed_paths().collect::<Vec<_>>(),
        [MUSIC, "knowledge/history/qna.yaml"].map(Path::new)
    );
}

#[test]
fn empty_base_lists_every_taxonomy_file() {
    let repo = taxonomy_on_main();
    repo.write("foundational_skills/reasoning/qna.yaml", &leaf("reasoning"));
    repo.commit_all("Foundational");
    repo.write(MUSIC, &leaf("music"));
    repo.write("knowledge/history/qna.yaml", &leaf("history"));
    repo.stage("knowledge/history/qna.yaml");
    repo.remove(SKILL);

    let found = changes(&repo, &Base::parse("empty"));

    assert_eq!(found.base, ResolvedBase::Empty);
    assert_eq!(
        found.changed,
        vec![
            file(MUSIC, Change::Untracked),
            file("knowledge/history/qna.yaml", Change::Added),
            file(BIRDS, Change::Added),
        ]
    );
    assert!(found.deleted.is_empty());
}

#[test]
fn unknown_bases_are_errors() {
    let repo = taxonomy_on_main();
    for name in ["nope", "origin/main", "upstream/nope", "main~5"] {
        let err = changed_taxonomy_files(repo.path(), &Base::parse(name)).unwrap_err();
        assert!(
            matches!(&err, GitError::RefNotFound { base } if base == name),
            "{name}: {err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("Couldn't find the taxonomy git ref \"{name}\" from the current HEAD")
        );
    }

    repo.branch("feature");
    repo.checkout("feature");
    repo.repo()
        .find_branch("main", git2::BranchType::Local)
        .expect("main exists")
        .delete()
        .expect("delete main");
    let err = changed_taxonomy_files(repo.path(), &Base::Default).unwrap_err();
    assert!(matches!(err, GitError::DefaultBaseNotFound), "{err:?}");
}

#[test]
fn base_outside_heads_history_is_an_error() {
    let repo = taxonomy_on_main();
    repo.checkout_orphan("unrelated");
    repo.commit_all("A new root");

    let err = changed_taxonomy_files(repo.path(), &Base::Default).unwrap_err();

    assert!(
        matches!(&err, GitError::BaseNotInHistory { base } if base == "main"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "Couldn't find the taxonomy base branch \"main\" from the current HEAD"
    );
}

#[test]
fn plain_folder_is_not_a_repository_except_for_base_empty() {
    let dir = git_sandbox::plain_dir();
    let root = dir.path();
    std::fs::create_dir_all(root.join("knowledge/arts/music")).expect("mkdir");
    std::fs::write(root.join(MUSIC), leaf("music")).expect("write");
    std::fs::create_dir_all(root.join("foundational_skills/x")).expect("mkdir");
    std::fs::write(root.join("foundational_skills/x/qna.yaml"), "x").expect("write");

    let err = changed_taxonomy_files(root, &Base::Default).unwrap_err();
    assert!(
        matches!(&err, GitError::NotARepository { path } if path == root),
        "{err:?}"
    );
    assert!(err.to_string().contains("is not inside a git repository"));
    assert!(matches!(
        TaxonomyRepo::open(root),
        Err(GitError::NotARepository { .. })
    ));

    let found = changed_taxonomy_files(root, &Base::Empty).expect("walk the folder");
    assert_eq!(found.changed, vec![file(MUSIC, Change::Untracked)]);
    assert_eq!(found.root, root);

    let missing = root.join("missing");
    assert!(matches!(
        changed_taxonomy_files(&missing, &Base::Empty),
        Err(GitError::NotAFolder { path }) if path == missing
    ));
}

#[test]
fn bare_repository_is_an_error() {
    let repo = TestRepo::init_bare();
    let err = TaxonomyRepo::open(repo.path())
        .err()
        .expect("a bare repository is refused");
    assert!(matches!(err, GitError::BareRepository { .. }), "{err:?}");
}

#[test]
fn a_subfolder_opens_the_whole_taxonomy() {
    let repo = taxonomy_on_main();
    repo.write(MUSIC, &leaf("music"));

    let found = changed_taxonomy_files(&repo.path().join("knowledge/science"), &Base::Default)
        .expect("compute the changes");

    assert_eq!(found.changed, vec![file(MUSIC, Change::Untracked)]);
    let root = found.root.canonicalize().expect("root exists");
    assert_eq!(root, repo.path().canonicalize().expect("repo exists"));
}

#[test]
fn unborn_head_lists_every_leaf_as_new() {
    let repo = TestRepo::init();
    repo.write(SKILL, &leaf("synonyms"));
    repo.write(BIRDS, &leaf("birds"));
    repo.write("README.md", "# taxonomy\n");
    repo.stage(BIRDS);

    for base in [Base::Default, Base::parse("nope")] {
        let found = changes(&repo, &base);
        assert_eq!(found.base, ResolvedBase::UnbornHead);
        assert_eq!(
            found.changed,
            vec![file(SKILL, Change::Untracked), file(BIRDS, Change::Added)]
        );
    }
}

/// Upstream's list, from the git command line: `git diff --name-only <start>` (non-deleted)
/// plus `git ls-files --others --exclude-standard`, filtered to taxonomy files.
fn git_cli_changed(repo: &TestRepo, start: &str) -> Vec<PathBuf> {
    let diffed = repo.git(&[
        "diff",
        "--name-only",
        "--no-renames",
        "--diff-filter=d",
        start,
    ]);
    let untracked = repo.git(&["ls-files", "--others", "--exclude-standard"]);
    let mut all: Vec<PathBuf> = diffed
        .lines()
        .chain(untracked.lines())
        .map(PathBuf::from)
        .filter(|p| taxon::taxonomy::leaf::is_checked_leaf_file(p))
        .collect();
    all.sort();
    all.dedup();
    all
}

#[test]
fn agrees_with_the_git_command_line() {
    let repo = taxonomy_on_main();
    repo.write(".gitignore", "knowledge/ignored/\n");
    repo.write(MUSIC, &leaf("music"));
    repo.commit_all("More on main");
    repo.branch("feature");
    repo.checkout("feature");
    repo.write("knowledge/history/qna.yaml", &leaf("history"));
    repo.remove(MUSIC);
    repo.rename(SKILL, "compositional_skills/linguistics/antonyms/qna.yaml");
    repo.commit_all("Feature work");
    repo.write(BIRDS, &format!("{}# edited\n", leaf("birds")));
    repo.write("knowledge/geography/qna.yaml", &leaf("geography"));
    repo.stage("knowledge/geography/qna.yaml");
    repo.write("knowledge/ignored/qna.yaml", &leaf("ignored"));
    repo.write("compositional_skills/new/deep/qna.yaml", &leaf("new"));
    repo.write("foundational_skills/x/qna.yaml", &leaf("x"));

    let found = changes(&repo, &Base::Default);
    let start = base_ref(&found.base).merge_base.to_string();
    let merge_base = repo.git(&["merge-base", "HEAD", "main"]);

    assert_eq!(merge_base.trim(), start);
    let ours: Vec<PathBuf> = found.changed_paths().map(Path::to_path_buf).collect();
    assert_eq!(ours, git_cli_changed(&repo, &start));
    assert_eq!(ours.len(), 5, "{ours:?}");
    let deleted = repo.git(&["diff", "--name-only", "--diff-filter=D", "-M", &start]);
    assert_eq!(
        found.deleted,
        deleted.lines().map(PathBuf::from).collect::<Vec<_>>()
    );
}

#[test]
fn sandbox_hides_user_and_system_git_config() {
    git_sandbox::isolate();
    let config = git2::Config::open_default().expect("open the default config");
    let mut entries = config.entries(None).expect("list config entries");
    let mut names = Vec::new();
    while let Some(entry) = entries.next() {
        let entry = entry.expect("read a config entry");
        names.push(entry.name().unwrap_or("?").to_owned());
    }
    assert!(
        names.is_empty(),
        "config leaked into the sandbox: {names:?}"
    );
}
