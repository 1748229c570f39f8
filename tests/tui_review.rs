//! The review screen headlessly, on a copy of the sample taxonomy made a git
//! repository: `main` holds the sample, a contribution branch edits one leaf. A full
//! review pass by keys is read back through `taxon::review` and `git notes`; the tree
//! shows the leaf's review mark; a snapshot of the review screen.

#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/tui_harness.rs"]
mod tui_harness;

use std::fs;
use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use taxon::git::{Base, TaxonomyRepo};
use taxon::review::decision::ExampleState;
use taxon::review::record::PreviewRun;
use taxon::review::{Decision, ExampleChange, LeafReview, Review, Reviewer, Verdict};
use taxon::tui::load::GitState;
use taxon::tui::marks::LeafMarks;
use taxon::tui::msg::Msg;
use taxon::tui::preview_jobs::PreviewReply;
use taxon::tui::screens::review::ReviewScreen;
use tui_harness::Harness;

const LEAF: &str = "compositional_skills/philosophy/logic/logical_fallacies";
const FROM: &str = "Identify the fallacy: \"Either we buy";
const TO: &str = "Name the fallacy: \"Either we buy";
/// The edited example, 0-based.
const EDITED: usize = 2;

/// A copy of the sample committed on `main`, then a branch `fallacies` whose commit
/// edits one question of `LEAF`; `identity` configures the repository's git identity.
fn branch_with_edited_leaf(identity: Option<&Reviewer>) -> (tempfile::TempDir, Harness) {
    git_sandbox::isolate();
    let (dir, _) = Harness::open_copy();
    taxon::git::init_repository_with_files(dir.path(), "Initial taxonomy", Some(1_700_000_000))
        .unwrap();
    let repo = TaxonomyRepo::open(dir.path()).unwrap();
    let mut config = repo.repository().config().unwrap();
    // Commits need an identity; the review's reviewer is set afterwards, or removed.
    config.set_str("user.name", "Contributor").unwrap();
    config
        .set_str("user.email", "contributor@example.com")
        .unwrap();
    repo.create_branch("fallacies").unwrap();
    let file = dir.path().join(LEAF).join("qna.yaml");
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains(FROM));
    fs::write(&file, text.replace(FROM, TO)).unwrap();
    repo.commit_leaves(&[LEAF.into()], "Fallacies: ask to name the fallacy")
        .unwrap();
    match identity {
        Some(reviewer) => {
            config.set_str("user.name", &reviewer.name).unwrap();
            config.set_str("user.email", &reviewer.email).unwrap();
        }
        None => {
            config.remove("user.name").unwrap();
            config.remove("user.email").unwrap();
        }
    }
    let mut harness = Harness::open(dir.path());
    // As the runtime does once the leaves are checked: git marks, then review marks.
    let marks = LeafMarks::from_changes(&repo.changes(&Base::Default).unwrap());
    harness.send(Msg::GitState(GitState {
        marks: Ok(marks),
        branch: repo.current_branch(),
    }));
    (dir, harness)
}

fn reviewer() -> Reviewer {
    Reviewer {
        name: "Rhea Viewer".into(),
        email: "rhea@example.com".into(),
    }
}

fn notice(harness: &Harness) -> String {
    harness
        .app
        .shared
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

fn stored(dir: &Path) -> LeafReview {
    let review = Review::open(dir).unwrap();
    let (_, mut leaves) = review.status(&Base::Default).unwrap();
    assert_eq!(leaves.len(), 1, "only the edited leaf is queued");
    leaves.remove(0)
}

/// The tree row of `LEAF`, as drawn.
fn tree_row(harness: &mut Harness) -> String {
    harness.select(LEAF);
    let screen = harness.render(100, 30);
    screen
        .lines()
        .filter_map(|line| line.split("││").next())
        .find(|tree| tree.contains("logical_fallacies"))
        .unwrap_or_else(|| panic!("the leaf is in the tree:\n{screen}"))
        .to_owned()
}

#[test]
fn a_full_review_pass_is_stored_for_the_reviewer_and_marked_in_the_tree() {
    let me = reviewer();
    let (dir, mut harness) = branch_with_edited_leaf(Some(&me));
    assert!(
        tree_row(&mut harness).contains("logical_fallacies ·"),
        "queued, pending: {}",
        tree_row(&mut harness)
    );

    harness.press("R");
    let screen = harness
        .app
        .screen::<ReviewScreen>()
        .expect("the review screen is open");
    let leaf = screen.current_leaf().expect("the queue is read");
    assert_eq!(leaf.leaf.leaf, LEAF);
    let count = leaf.leaf.examples.len();
    assert_eq!(count, 7);
    assert!(matches!(
        leaf.leaf.examples[EDITED].change,
        ExampleChange::Modified { base_index: 2, .. }
    ));

    // One key per example: each approval moves on to the next example.
    for _ in 0..count {
        harness.press("a");
        assert!(
            notice(&harness).contains("approved by Rhea Viewer"),
            "{}",
            notice(&harness)
        );
    }
    let screen = harness.app.screen::<ReviewScreen>().unwrap();
    assert_eq!(screen.item, count - 1, "stays on the last example");
    assert_eq!(
        screen.current_leaf().unwrap().derived,
        Some(Verdict::Approved)
    );

    // Back to the edited example; reject it, saying why.
    for _ in EDITED..count - 1 {
        harness.press("k");
    }
    assert_eq!(harness.app.screen::<ReviewScreen>().unwrap().item, EDITED);
    harness.press("X text:Keep space text:identify esc");
    assert_eq!(notice(&harness), "nothing was recorded", "esc cancels");
    harness.press(
        "X text:Keep space text:“identify”, space text:it space text:is space text:clearer enter",
    );
    assert!(
        notice(&harness).contains("example 3 rejected"),
        "{}",
        notice(&harness)
    );
    harness.press("3");
    assert!(
        notice(&harness).contains("rejected by Rhea Viewer"),
        "{}",
        notice(&harness)
    );

    // What the engine reads back from the notes.
    let stored = stored(dir.path());
    for index in 0..count {
        let expected = if index == EDITED {
            Decision::Reject
        } else {
            Decision::Approve
        };
        assert_eq!(
            stored.state_for(index, &me),
            ExampleState::Decided(expected),
            "example {}",
            index + 1
        );
    }
    let comment = stored.states[EDITED]
        .iter()
        .find(|s| s.reviewer == me)
        .and_then(|s| s.comment.clone());
    assert_eq!(comment.as_deref(), Some("Keep “identify”, it is clearer"));
    assert_eq!(stored.derived, Some(Verdict::Rejected));
    let verdict = &stored.verdicts[0];
    assert_eq!(
        (
            verdict.record.verdict,
            &verdict.record.reviewer,
            verdict.current
        ),
        (Verdict::Rejected, &me, true)
    );
    let repo = git2::Repository::open(dir.path()).unwrap();
    let notes = repo.find_reference(taxon::review::NOTES_REF).unwrap();
    let commit = notes.peel_to_commit().unwrap();
    assert_eq!(
        commit.author().email(),
        Ok("rhea@example.com"),
        "the notes commits are the reviewer's"
    );

    // The screen shows the store's state; the tree's mark follows it.
    let screen = harness.app.screen::<ReviewScreen>().unwrap();
    assert_eq!(
        screen.current_leaf().unwrap().verdict(),
        Some(Verdict::Rejected)
    );
    harness.press("esc");
    assert!(harness.app.screen::<ReviewScreen>().is_none());
    let row = tree_row(&mut harness);
    assert!(row.contains("logical_fallacies ✘"), "{row}");

    // A second reviewer sees the first one's decisions beside their own.
    let mut config = repo.config().unwrap();
    config.set_str("user.name", "Otto Other").unwrap();
    config.set_str("user.email", "otto@example.com").unwrap();
    harness.press("R");
    let screen = harness.render(100, 30);
    assert!(screen.contains("You (Otto Other): undecided"), "{screen}");
    assert!(screen.contains("Rhea Viewer: approved"), "{screen}");
    assert!(
        screen.contains("Rhea Viewer: rejected"),
        "her verdict: {screen}"
    );
}

#[test]
fn review_screen_at_100x30() {
    let me = reviewer();
    let (dir, mut harness) = branch_with_edited_leaf(Some(&me));
    harness.press("R a a");
    harness.press("X text:Keep space text:“identify” enter");
    let screen = harness.render(100, 30);
    let screen = screen.replace(dir.path().to_str().unwrap(), "[TAXONOMY]");
    insta::assert_snapshot!(screen);
    assert!(screen.contains("Example 3/7 · modified"), "{screen}");
    assert!(screen.contains("You (Rhea Viewer): rejected"), "{screen}");

    // The edit against the base is coloured: removed red, added green.
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|frame| harness.app.draw(frame)).unwrap();
    let buffer = terminal.backend().buffer();
    let colour_of = |text: &str| {
        (0..30).find_map(|y| {
            let row: String = (0..100).map(|x| buffer[(x, y)].symbol()).collect();
            let x = row.find(text)?;
            let column = row[..x].chars().count() as u16;
            Some(buffer[(column, y)].fg)
        })
    };
    assert_eq!(colour_of("- question: Identify"), Some(Color::Red));
    assert_eq!(colour_of("+ question: Name"), Some(Color::Green));

    // Tiny terminals draw what fits, with the comment prompt open too.
    harness.press("C");
    for (width, height) in [(30, 8), (60, 12), (20, 5)] {
        harness.render(width, height);
    }
}

#[test]
fn without_a_git_identity_nothing_is_recorded_and_the_screen_says_why() {
    let (dir, mut harness) = branch_with_edited_leaf(None);
    harness.press("R");
    assert!(
        harness.render(100, 30).contains("No git identity"),
        "the screen warns before any decision"
    );
    harness.press("a");
    assert!(
        notice(&harness).contains("git has no user.name configured"),
        "{}",
        notice(&harness)
    );
    assert!(harness.app.shared.notice.as_ref().unwrap().is_error);
    assert!(
        harness.app.screen::<ReviewScreen>().is_some(),
        "still reviewing"
    );
    let repo = git2::Repository::open(dir.path()).unwrap();
    assert!(repo.find_reference(taxon::review::NOTES_REF).is_err());
}

#[test]
fn a_decision_on_an_example_changed_since_it_was_shown_is_refused() {
    let me = reviewer();
    let (dir, mut harness) = branch_with_edited_leaf(Some(&me));
    harness.press("R");
    let file = dir.path().join(LEAF).join("qna.yaml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, text.replace("ad hominem", "ad-hominem")).unwrap();
    harness.press("a");
    assert!(
        notice(&harness).contains("changed on disk since it was shown"),
        "{}",
        notice(&harness)
    );
    let stored = stored(dir.path());
    assert!(stored.records.is_empty(), "nothing was recorded");
    // The long refusal is wrapped under the panes, never cut.
    let screen = harness.render(80, 24);
    let below_panes: Vec<&str> = screen
        .lines()
        .skip_while(|line| !line.contains("└ vs main"))
        .skip(1)
        .map(|line| line.trim_matches('"').trim())
        .collect();
    let said = notice(&harness);
    assert!(said.len() > 80, "{said}");
    assert!(
        below_panes.join(" ").contains(&said),
        "{said:?} in full:\n{screen}"
    );
    // The screen stays on the refused example and shows its new content; the next
    // key decides on it.
    assert_eq!(harness.app.screen::<ReviewScreen>().unwrap().item, 0);
    let screen = harness.render(100, 30);
    assert!(
        screen.contains("Example 1/7") && screen.contains("This is an ad-hominem"),
        "{screen}"
    );
    harness.press("a");
    assert_eq!(
        stored_state(dir.path(), &me, 0),
        ExampleState::Decided(Decision::Approve)
    );
}

fn stored_state(dir: &Path, me: &Reviewer, index: usize) -> ExampleState {
    stored(dir).state_for(index, me)
}

/// Issue 15 defect 4: a `g` preview that succeeded left the checklist at "no preview
/// recorded"; it is recorded in the leaf's review notes, as `taxon review preview`
/// records it.
#[test]
fn a_successful_preview_is_recorded_in_the_review_notes() {
    let (dir, mut harness) = branch_with_edited_leaf(Some(&reviewer()));
    assert!(stored(dir.path()).checklist.preview.is_none());
    harness.select(LEAF);
    harness.press("g");
    let job = harness.app.browse.preview.open.as_ref().unwrap().job;
    // The model's part is the preview tests'; here its end, as the preview thread
    // reports it.
    let run = PreviewRun {
        model: "model.gguf".into(),
        pipeline: "simple".into(),
        seed: 42,
        wanted: 3,
        accepted: 2,
    };
    harness.send(Msg::Preview(PreviewReply::Done {
        job,
        run: run.clone(),
    }));
    assert!(
        notice(&harness).contains("generation preview recorded by Rhea Viewer"),
        "{}",
        notice(&harness)
    );
    let preview = stored(dir.path()).checklist.preview.unwrap();
    assert_eq!(preview.record.run, Some(run));
    assert_eq!(preview.record.reviewer, reviewer());
}

/// The working tree also rewords `LEAF`'s task description and adds a sibling leaf
/// whose YAML is broken.
fn with_changed_task_and_broken_sibling(dir: &Path) -> String {
    let file = dir.join(LEAF).join("qna.yaml");
    let text = fs::read_to_string(&file).unwrap();
    let short = "Identify the logical fallacy in a short";
    assert!(text.contains(short));
    fs::write(
        &file,
        text.replace(short, "Identify the logical fallacy in a long"),
    )
    .unwrap();
    let broken = "compositional_skills/philosophy/logic/broken";
    fs::create_dir_all(dir.join(broken)).unwrap();
    fs::write(
        dir.join(broken).join("qna.yaml"),
        "version: 3\ntask_description: [unclosed\n",
    )
    .unwrap();
    broken.to_owned()
}

fn shown_leaf(harness: &Harness) -> String {
    let screen = harness.app.screen::<ReviewScreen>().unwrap();
    screen.current_leaf().unwrap().leaf.leaf.clone()
}

#[test]
fn a_changed_task_description_is_an_item_to_decide_and_a_broken_leaf_is_unreadable() {
    let me = reviewer();
    let (dir, mut harness) = branch_with_edited_leaf(Some(&me));
    let broken = with_changed_task_and_broken_sibling(dir.path());
    harness.press("R");
    if shown_leaf(&harness) != broken {
        harness.press("K");
    }
    assert_eq!(shown_leaf(&harness), broken);
    let screen = harness.render(100, 30);
    assert!(
        screen.contains("This leaf cannot be read")
            && screen.contains(&format!("{broken}/qna.yaml:3:1: syntax")),
        "{screen}"
    );
    assert!(screen.contains("- seed examples: not run"), "{screen}");
    assert!(!screen.contains("examples removed"), "{screen}");
    // The queue says so too, instead of counting nothing ("0/0").
    assert!(screen.contains(" unreadable"), "{screen}");
    assert!(!screen.contains("0/0"), "{screen}");

    harness.press("J");
    assert_eq!(shown_leaf(&harness), LEAF);
    let screen = harness.render(100, 30);
    assert!(
        screen.contains("Leaf fields · changed against main"),
        "{screen}"
    );
    assert!(
        screen.contains("+ task_description: Identify the logical fallacy in a long"),
        "{screen}"
    );
    // Every example approved: the undecided task description keeps the leaf pending.
    let current = |harness: &Harness| {
        let screen = harness.app.screen::<ReviewScreen>().unwrap();
        screen.current_leaf().unwrap().clone()
    };
    harness.press("j a a a a a a a");
    assert!(notice(&harness).contains("example 7 approved"));
    assert_eq!(current(&harness).derived, None);
    harness.press("k k k k k k k a");
    assert!(notice(&harness).contains("leaf fields approved by Rhea Viewer"));
    let leaf = current(&harness);
    assert_eq!(
        leaf.fields_state_for(&me),
        ExampleState::Decided(Decision::Approve)
    );
    assert_eq!(leaf.derived, Some(Verdict::Approved));
}

/// Everything seen paging down from the top of the item shown at `width` x `height`.
fn paged_through(harness: &mut Harness, width: u16, height: u16) -> String {
    // Away and back: the item is shown from its top.
    harness.press("k j");
    let mut seen = vec![harness.render(width, height)];
    for _ in 0..60 {
        harness.press("pagedown");
        let screen = harness.render(width, height);
        if seen.last() == Some(&screen) {
            break;
        }
        seen.push(screen);
    }
    seen.join("\n")
}

#[test]
fn paging_reaches_every_line_of_the_diff_and_of_the_checklist() {
    let me = reviewer();
    let (dir, mut harness) = branch_with_edited_leaf(Some(&me));
    let file = dir.path().join(LEAF).join("qna.yaml");
    let text = fs::read_to_string(&file)
        .unwrap()
        .replace("This is a false dilemma", "This is a false choice")
        .replace("The fallacy works by", "The trick works by")
        .replace(
            "Many mid-priced laptops",
            "Call 415-555-2671 or write to jane.doe@gmail.com before the shooting. Many mid-priced laptops",
        );
    fs::write(&file, text).unwrap();
    harness.press("R j j");
    let screen = harness.app.screen::<ReviewScreen>().unwrap();
    let example = screen.current_example().unwrap();
    assert_eq!(example.index, EDITED);
    let ExampleChange::Modified { diff, .. } = &example.change else {
        panic!("example 3 is an edit: {:?}", example.change);
    };
    let wanted: Vec<String> = diff
        .iter()
        .map(|l| format!("{} {}", l.sign, l.text).chars().take(24).collect())
        .collect();
    assert!(wanted.len() >= 6, "{wanted:?}");
    for (width, height) in [(80, 24), (100, 36), (120, 50)] {
        let seen = paged_through(&mut harness, width, height);
        for line in &wanted {
            assert!(
                seen.contains(line.as_str()),
                "{width}x{height}: {line:?} is never shown:\n{seen}"
            );
        }
        for warning in [
            "! likely personal data:",
            "jane.doe@gmail.com",
            "415-555-2671",
            "! topics to avoid, by",
        ] {
            assert!(
                seen.contains(warning),
                "{width}x{height}: {warning:?} is never shown:\n{seen}"
            );
        }
    }
}

#[test]
fn at_80x24_the_tree_keeps_the_unsaved_and_review_marks_and_cuts_names_with_an_ellipsis() {
    let me = reviewer();
    let (_dir, mut harness) = branch_with_edited_leaf(Some(&me));
    harness.editor = Box::new(|text| Ok(text.replace("ad hominem", "ad-hominem")));
    harness.select(LEAF);
    harness.press("E");
    let screen = harness.render(80, 24);
    let row = screen
        .lines()
        .filter_map(|line| line.split("││").next())
        .find(|tree| tree.contains("logical_fal"))
        .unwrap_or_else(|| panic!("the leaf is in the tree:\n{screen}"));
    assert!(
        row.contains("logical_fal") && row.contains("… ● ·"),
        "{row}\n{screen}"
    );
}
