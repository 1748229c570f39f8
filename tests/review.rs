//! The review engine (`taxon::review`) on temporary repositories: decisions recorded in
//! git notes, invalidated by edits, kept apart per reviewer, and shared through a bare
//! remote.

#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/review_leaf.rs"]
mod review_leaf;

use git_sandbox::TestRepo;
use taxon::git::{Base, GitError, NotesMerge};
use taxon::review::checklist::{CheckKind, CheckStatus};
use taxon::review::decision::ExampleState;
use taxon::review::record::PreviewRecord;
use taxon::review::store::FetchOutcome;
use taxon::review::{
    Decision, ExampleChange, LeafReview, NOTES_REF, PreviewRun, REMOTE_NOTES_REF, Record, Review,
    ReviewError, Reviewer, Verdict,
};

use review_leaf::{FILE, LEAF, leaf_text};

const ANSWERS: [&str; 5] = [
    "Hello, number one!",
    "Welcome, number two!",
    "Good morning, number three!",
    "Hi there, number four!",
    "Greetings, number five!",
];

/// `main` holds the leaf with its first four examples; the working tree edits the
/// second, adds the fifth and an attribution file.
fn repo_with_changed_leaf() -> TestRepo {
    let repo = TestRepo::init();
    repo.write(FILE, &leaf_text(&ANSWERS[..4]));
    repo.commit_all("Add the greetings leaf");
    let mut answers = ANSWERS.to_vec();
    answers[1] = "Welcome aboard, number two!";
    repo.write(FILE, &leaf_text(&answers));
    repo.write(
        "compositional_skills/writing/greetings/attribution.txt",
        "Title of work: greetings\n",
    );
    repo
}

fn set_identity(repo: &TestRepo, name: &str) -> Reviewer {
    let mut config = repo.repo().config().unwrap();
    let email = format!("{}@example.com", name.to_lowercase());
    config.set_str("user.name", name).unwrap();
    config.set_str("user.email", &email).unwrap();
    Reviewer {
        name: name.to_owned(),
        email,
    }
}

fn status(repo: &TestRepo, base: &Base) -> Vec<LeafReview> {
    let review = Review::open(repo.path()).unwrap();
    review.status(base).unwrap().1
}

fn only_leaf(repo: &TestRepo) -> LeafReview {
    let mut leaves = status(repo, &Base::parse("main"));
    assert_eq!(leaves.len(), 1);
    leaves.remove(0)
}

fn decide(repo: &TestRepo, number: usize, decision: Decision, comment: Option<&str>) {
    let review = Review::open(repo.path()).unwrap();
    let (leaf, hashes) = review.leaf_at(&repo.path().join(LEAF)).unwrap();
    assert_eq!(leaf, LEAF);
    review
        .decide(
            &leaf,
            &hashes.examples,
            number - 1,
            decision,
            comment.map(str::to_owned),
        )
        .unwrap();
}

#[test]
fn queue_pairs_examples_with_the_base() {
    let repo = repo_with_changed_leaf();
    let leaf = only_leaf(&repo);
    let changes: Vec<&ExampleChange> = leaf.leaf.examples.iter().map(|e| &e.change).collect();
    assert_eq!(changes[0], &ExampleChange::Unchanged { base_index: 0 });
    let ExampleChange::Modified {
        base_index: 1,
        diff,
    } = changes[1]
    else {
        panic!(
            "example 2 should be an edit of the base's example 2: {:?}",
            changes[1]
        );
    };
    let shown: Vec<String> = diff
        .iter()
        .map(|l| format!("{}{}", l.sign, l.text))
        .collect();
    assert_eq!(
        shown,
        [
            " question: Greet colleague number 2.",
            "-answer: Welcome, number two!",
            "+answer: Welcome aboard, number two!"
        ]
    );
    assert_eq!(changes[4], &ExampleChange::Added);
    assert!(leaf.leaf.removed.is_empty());
}

#[test]
fn decisions_are_recorded_in_notes_and_listed() {
    let repo = repo_with_changed_leaf();
    let ana = set_identity(&repo, "Ana");
    let head_tree = repo.commit_of("HEAD").tree_id();

    decide(&repo, 1, Decision::Approve, Some("clear and polite"));
    decide(
        &repo,
        2,
        Decision::RequestChanges,
        Some("say who is welcomed"),
    );

    let leaf = only_leaf(&repo);
    assert_eq!(
        leaf.state_for(0, &ana),
        ExampleState::Decided(Decision::Approve)
    );
    assert_eq!(
        leaf.states[0][0].comment.as_deref(),
        Some("clear and polite")
    );
    assert_eq!(
        leaf.state_for(1, &ana),
        ExampleState::Decided(Decision::RequestChanges)
    );
    assert_eq!(leaf.state_for(2, &ana), ExampleState::Undecided);
    assert_eq!(leaf.derived, Some(Verdict::ChangesRequested));

    // One note, readable by git itself; the taxonomy and its history are untouched.
    let listed = repo.git(&["notes", "--ref=taxon-review", "list"]);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    let target = listed.split_whitespace().nth(1).unwrap();
    let body = repo.git(&["notes", "--ref=taxon-review", "show", target]);
    assert_eq!(body.lines().count(), 2);
    assert!(body.contains(r#""decision":"request_changes""#), "{body}");
    assert_eq!(
        repo.git(&["cat-file", "-p", target]),
        format!("taxon-review:{LEAF}")
    );
    assert_eq!(repo.commit_of("HEAD").tree_id(), head_tree);
    assert_eq!(repo.git(&["status", "--porcelain"]).lines().count(), 2);
}

#[test]
fn an_edit_after_approval_shows_as_changed_since_review() {
    let repo = repo_with_changed_leaf();
    let ana = set_identity(&repo, "Ana");
    for number in 1..=5 {
        decide(&repo, number, Decision::Approve, None);
    }
    assert_eq!(only_leaf(&repo).verdict(), Some(Verdict::Approved));

    let mut answers = ANSWERS.to_vec();
    answers[1] = "Welcome aboard, number two!";
    answers[3] = "Hi there, dear number four!";
    repo.write(FILE, &leaf_text(&answers));

    let leaf = only_leaf(&repo);
    assert_eq!(
        leaf.state_for(3, &ana),
        ExampleState::ChangedSinceReview(Decision::Approve)
    );
    assert_eq!(
        leaf.state_for(1, &ana),
        ExampleState::Decided(Decision::Approve)
    );
    assert_eq!(leaf.changed_since_review(), 1);
    assert_eq!(leaf.verdict(), Some(Verdict::Uncertain));
}

#[test]
fn reviewers_are_kept_apart() {
    let repo = repo_with_changed_leaf();
    let ana = set_identity(&repo, "Ana");
    decide(&repo, 1, Decision::Approve, None);
    let bo = set_identity(&repo, "Bo");
    decide(&repo, 1, Decision::Reject, Some("too short"));
    decide(&repo, 1, Decision::Approve, Some("fine after all"));
    set_identity(&repo, "Ana");
    decide(&repo, 1, Decision::RequestChanges, None);

    let leaf = only_leaf(&repo);
    assert_eq!(leaf.states[0].len(), 2);
    assert_eq!(
        leaf.state_for(0, &ana),
        ExampleState::Decided(Decision::RequestChanges)
    );
    assert_eq!(
        leaf.state_for(0, &bo),
        ExampleState::Decided(Decision::Approve)
    );
    let bo_state = leaf.states[0].iter().find(|s| s.reviewer == bo).unwrap();
    assert_eq!(bo_state.comment.as_deref(), Some("fine after all"));
    assert_eq!(leaf.records.len(), 4);
}

#[test]
fn explicit_verdicts_and_previews_are_tied_to_the_content() {
    let repo = repo_with_changed_leaf();
    set_identity(&repo, "Ana");
    let review = Review::open(repo.path()).unwrap();
    let (leaf, hashes) = review.leaf_at(&repo.path().join(FILE)).unwrap();
    let preview = |leaf: &LeafReview| {
        leaf.checklist
            .items
            .iter()
            .find(|i| i.kind == CheckKind::Preview)
            .unwrap()
            .clone()
    };
    let before = only_leaf(&repo);
    assert_eq!(preview(&before).status, CheckStatus::Fail);
    assert_eq!(preview(&before).detail, "no preview recorded");

    review
        .record_preview(
            &leaf,
            &hashes,
            PreviewRun {
                model: "m.gguf".into(),
                pipeline: "simple".into(),
                seed: 7,
                wanted: 5,
                accepted: 3,
            },
            Some("read them all".into()),
        )
        .unwrap();
    review
        .give_verdict(
            &leaf,
            &hashes,
            Verdict::Uncertain,
            Some("ask triage".into()),
        )
        .unwrap();
    let after = only_leaf(&repo);
    assert_eq!(preview(&after).status, CheckStatus::Pass);
    assert_eq!(
        preview(&after).detail,
        "generation preview succeeded (3 of 5 samples accepted, simple pipeline, model m.gguf, \
         seed 7; read them all; recorded by Ana)"
    );
    assert_eq!(after.verdict(), Some(Verdict::Uncertain));
    assert_eq!(after.derived, None);

    // A change of the task description alone is a change too: neither the verdict
    // nor the preview is of what the leaf says now.
    let now = std::fs::read_to_string(repo.path().join(FILE)).unwrap();
    assert!(now.contains("Greet a colleague."));
    repo.write(
        FILE,
        &now.replace("Greet a colleague.", "Greet a stranger."),
    );
    let retitled = only_leaf(&repo);
    assert_eq!(preview(&retitled).status, CheckStatus::Warn);
    assert!(!retitled.verdicts[0].current);
    assert_eq!(retitled.verdict(), None);
    repo.write(FILE, &now);
    assert_eq!(only_leaf(&repo).verdict(), Some(Verdict::Uncertain));

    repo.write(FILE, &leaf_text(&ANSWERS));
    let edited = only_leaf(&repo);
    assert_eq!(preview(&edited).status, CheckStatus::Warn);
    assert!(!edited.verdicts[0].current);
    assert_eq!(edited.verdict(), None);
}

#[test]
fn a_preview_recorded_by_hand_is_not_taken_as_run() {
    let repo = repo_with_changed_leaf();
    let reviewer = set_identity(&repo, "Ana");
    let review = Review::open(repo.path()).unwrap();
    let (leaf, hashes) = review.leaf_at(&repo.path().join(FILE)).unwrap();
    // What `taxon review preview --comment` wrote before it ran anything.
    let by_hand = PreviewRecord {
        leaf: leaf.clone(),
        leaf_hash: hashes.leaf(),
        reviewer: reviewer.clone(),
        run: None,
        comment: Some("ilab data generate: 30 samples".into()),
        time: 1,
    };
    review
        .store()
        .append(&leaf, Record::Preview(by_hand), &reviewer)
        .unwrap();
    let item = only_leaf(&repo)
        .checklist
        .items
        .into_iter()
        .find(|i| i.kind == CheckKind::Preview)
        .unwrap();
    assert_eq!(item.status, CheckStatus::Warn);
    assert!(
        item.detail
            .starts_with("a preview was recorded by hand, not run by taxon"),
        "{}",
        item.detail
    );
}

#[test]
fn checklist_counts_examples_and_finds_personal_data() {
    let repo = repo_with_changed_leaf();
    repo.write(
        FILE,
        &leaf_text(&["Hi! Call me on (415) 555-2671.", "Write to ana@corp.io."]),
    );
    let leaf = only_leaf(&repo);
    let items = &leaf.checklist.items;
    let status_of = |kind| items.iter().find(|i| i.kind == kind).unwrap().status;
    assert_eq!(status_of(CheckKind::Validation), CheckStatus::Pass);
    assert_eq!(status_of(CheckKind::Examples), CheckStatus::Fail);
    assert_eq!(status_of(CheckKind::Attribution), CheckStatus::Pass);
    assert_eq!(status_of(CheckKind::PersonalData), CheckStatus::Warn);
    let places: Vec<String> = leaf
        .checklist
        .personal_data
        .iter()
        .map(|d| format!("{} {}", d.place, d.matched))
        .collect();
    assert_eq!(
        places,
        [
            "example 1, answer (415) 555-2671",
            "example 2, answer ana@corp.io"
        ]
    );
}

#[test]
fn a_missing_identity_is_a_clear_error() {
    let repo = repo_with_changed_leaf();
    let review = Review::open(repo.path()).unwrap();
    let (leaf, hashes) = review.leaf_at(&repo.path().join(LEAF)).unwrap();
    let error = review
        .decide(&leaf, &hashes.examples, 0, Decision::Approve, None)
        .unwrap_err();
    assert!(
        matches!(error, ReviewError::NoIdentity { key: "user.name" }),
        "{error}"
    );
    assert!(error.to_string().contains("git config user.name"));
    let error = review
        .decide(&leaf, &hashes.examples, 7, Decision::Approve, None)
        .unwrap_err();
    assert!(matches!(error, ReviewError::NoIdentity { .. }), "{error}");
}

#[test]
fn an_example_number_out_of_range_is_refused() {
    let repo = repo_with_changed_leaf();
    set_identity(&repo, "Ana");
    let review = Review::open(repo.path()).unwrap();
    let (leaf, hashes) = review.leaf_at(&repo.path().join(LEAF)).unwrap();
    let error = review
        .decide(&leaf, &hashes.examples, 5, Decision::Approve, None)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("{LEAF} has 5 examples; there is no example 6")
    );
}

/// Two clones of one bare repository holding the leaf on `main`.
fn two_clones() -> (TestRepo, TestRepo, TestRepo) {
    let origin = TestRepo::init_bare();
    let first = TestRepo::init();
    first.write(FILE, &leaf_text(&ANSWERS));
    first.commit_all("Add the greetings leaf");
    first.add_remote("origin", &origin);
    first.git(&["push", "origin", "main"]);
    let second = TestRepo::init();
    second.add_remote("origin", &origin);
    second.git(&["checkout", "-B", "main", "origin/main"]);
    (origin, first, second)
}

fn decisions_by(repo: &TestRepo) -> Vec<String> {
    let leaf = status(repo, &Base::Empty).remove(0);
    leaf.states[0]
        .iter()
        .map(|s| format!("{} {}", s.reviewer.name, s.state.label()))
        .collect()
}

#[test]
fn decisions_travel_through_a_bare_remote_and_merge() {
    let (origin, first, second) = two_clones();
    set_identity(&first, "Ana");
    set_identity(&second, "Bo");
    let in_first = Review::open(first.path()).unwrap();
    let in_second = Review::open(second.path()).unwrap();

    // A fetch before anyone pushed finds nothing.
    assert_eq!(
        in_second.fetch("origin").unwrap(),
        FetchOutcome::NothingOnRemote
    );

    decide(&first, 1, Decision::Approve, Some("ok"));
    in_first.push("origin").unwrap();
    assert!(
        origin
            .git(&["notes", "--ref=taxon-review", "list"])
            .contains(' ')
    );

    // Bo decides before fetching: his push would drop Ana's notes, so it is refused.
    decide(&second, 1, Decision::Reject, Some("not a skill"));
    let refused = in_second.push("origin").unwrap_err();
    assert!(
        matches!(refused, ReviewError::Git(GitError::PushRejected { .. })),
        "{refused}"
    );

    // Fetching merges both sides' records with a merge commit; then the push goes through.
    let fetched = in_second.fetch("origin").unwrap();
    assert_eq!(
        fetched,
        FetchOutcome::Merged(NotesMerge::Merged { notes_changed: 1 })
    );
    assert!(second.repo().find_reference(REMOTE_NOTES_REF).is_err());
    let tip = second
        .repo()
        .find_reference(NOTES_REF)
        .unwrap()
        .peel_to_commit()
        .unwrap();
    assert_eq!(tip.parent_count(), 2);
    assert_eq!(decisions_by(&second), ["Ana approved", "Bo rejected"]);
    in_second.push("origin").unwrap();

    // Ana's side fast-forwards to the merge and sees both reviewers.
    assert_eq!(
        in_first.fetch("origin").unwrap(),
        FetchOutcome::Merged(NotesMerge::FastForward)
    );
    assert_eq!(decisions_by(&first), ["Ana approved", "Bo rejected"]);
    assert_eq!(
        in_first.fetch("origin").unwrap(),
        FetchOutcome::Merged(NotesMerge::UpToDate)
    );
}

#[test]
fn file_urls_work_and_network_urls_are_refused_clearly() {
    let (origin, first, _second) = two_clones();
    set_identity(&first, "Ana");
    decide(&first, 1, Decision::Approve, None);
    let review = Review::open(first.path()).unwrap();
    let url = format!("file://{}", origin.path().display());
    review.push(&url).unwrap();
    assert!(
        !origin
            .git(&["notes", "--ref=taxon-review", "list"])
            .is_empty()
    );

    first
        .repo()
        .remote("upstream", "https://github.com/instructlab/taxonomy.git")
        .unwrap();
    let error = review.push("upstream").unwrap_err();
    assert!(
        error
            .to_string()
            .contains("only local paths and file:// URLs work"),
        "{error}"
    );
    let error = review.fetch("nowhere").unwrap_err();
    assert!(
        error
            .to_string()
            .contains("no git remote named \"nowhere\""),
        "{error}"
    );
}

#[test]
fn a_renamed_leaf_keeps_its_decisions() {
    let repo = TestRepo::init();
    repo.write(FILE, &leaf_text(&ANSWERS));
    repo.commit_all("Add the greetings leaf");
    let ana = set_identity(&repo, "Ana");
    decide(&repo, 3, Decision::Approve, Some("good"));

    let moved = "compositional_skills/writing/welcomes/qna.yaml";
    repo.rename(FILE, moved);
    repo.stage(FILE);
    repo.stage(moved);

    let leaf = only_leaf(&repo);
    assert_eq!(leaf.leaf.leaf, "compositional_skills/writing/welcomes");
    assert!(
        matches!(&leaf.leaf.change, taxon::git::Change::Renamed { from } if from.ends_with("greetings/qna.yaml")),
        "{:?}",
        leaf.leaf.change
    );
    assert_eq!(
        leaf.state_for(2, &ana),
        ExampleState::Decided(Decision::Approve)
    );
    assert!(
        leaf.leaf
            .examples
            .iter()
            .all(|e| matches!(e.change, ExampleChange::Unchanged { .. }))
    );
}
