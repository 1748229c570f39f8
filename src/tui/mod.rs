//! The terminal user interface: browse, find, author, review and train, over the
//! library's engines. Only this module knows about terminals (ratatui, crossterm).
//!
//! # How it is put together
//!
//! - **Messages in, effects out.** Everything that happens arrives as a
//!   [`msg::Msg`] (a key, a resize, a job's reply) on one channel;
//!   [`app::App::update`] applies it and returns [`msg::Effect`]s, the work to do
//!   outside the state. Nothing in an update does I/O, so every screen is tested
//!   headlessly (`tests/support/tui_harness.rs`).
//! - **Screens and popups are components** ([`component::Component`]). Each owns
//!   its state; handles the keys given to it (the [`action::Action`] the keymap
//!   makes of the key in the component's [`keymap::Mode`], and the key itself);
//!   takes the messages meant for it and gives the others back; and draws itself.
//!   What it wants done comes back as a [`component::Reaction`]: effects, and
//!   changes to the layers (close itself, push a popup, open a screen, hand an
//!   action to the layer beneath).
//! - **Layers.** The app keeps the browse screen (tree, details, preview pane), the
//!   [`screens::Screen`] shown in its place (one at a time), and a stack of popups
//!   whose top has the keyboard and the status-bar hints. A message is offered to
//!   the popups top first, then the screen, then browse; [`shared::Shared::apply`]
//!   takes what none of them did.
//! - **What they share** is [`shared::Shared`], handed to every component as `ctx`:
//!   the taxonomy and its git state, the selection, the leaves open for editing,
//!   the keymap and the status-bar notice.
//! - **Jobs** (the `*_jobs` modules and [`load`]) are blocking work with their own
//!   reply types; they know nothing of the app. [`perform::perform`] is the one
//!   executor: it does an effect and wraps the job's reply in a message. The
//!   runtime only chooses the thread ([`msg::Effect::lane`]); the tests' harness
//!   calls the same `perform`.
//! - **Every key goes through the keymap** ([`keymap::Keymap`], overridden key by
//!   key by the user's `keymap.toml`), the answers to questions included, and hints
//!   show the user's bindings. An input line takes every printable key as text.
//!
//! # Adding a screen or a popup
//!
//! A screen is a module under `screens/` with its state and `impl Component`, one
//! line in `screens!` (`screens/mod.rs`), and a `Reaction::open(Screen::..)` where it
//! is opened. A popup is a type with `impl Component` (or [`popups::question::Ask`]
//! for a question) under `popups/`, opened with `Reaction::push`; nothing else
//! changes. New background work is a `*_jobs` module returning its own reply type,
//! with a variant in `Msg` and `Effect` and an arm in `perform`.

pub mod action;
pub mod app;
pub mod compare_jobs;
pub mod component;
pub mod editing;
pub mod eval_jobs;
pub mod git_jobs;
mod input;
pub mod input_line;
pub mod keymap;
pub mod load;
pub mod marks;
pub mod msg;
pub mod perform;
pub mod popups;
pub mod preview_jobs;
pub mod review_jobs;
mod runtime;
pub mod screens;
pub mod shared;
pub mod train_jobs;
pub mod tree;
pub mod view;

use std::path::PathBuf;

use anyhow::Context as _;

use crate::dirs::AppDirs;
use crate::drafts::Drafts;

use self::app::App;
use self::keymap::Keymap;
use self::marks::LeafMarks;
use self::screens::train::TrainSetup;
use self::shared::Notice;
use crate::taxonomy::model::Taxonomy;

/// Opens the TUI on the taxonomy at `root` and runs it until the user quits. The
/// terminal is restored on exit, on error and on panic.
/// `greeting` is shown in the status bar at start (e.g. that the taxonomy was just
/// created).
pub fn run(root: PathBuf, dirs: &AppDirs, greeting: Option<String>) -> anyhow::Result<()> {
    let (keymap, keymap_problem) = match std::fs::read_to_string(dirs.keymap_file()) {
        Ok(text) => {
            let (keymap, problems) = Keymap::with_overrides(&text);
            let file = dirs.keymap_file();
            let placed: Vec<String> = problems
                .iter()
                .map(|problem| format!("{}:{problem}", file.display()))
                .collect();
            for problem in &placed {
                tracing::warn!("keymap entry left out: {problem}");
            }
            let problem = (!placed.is_empty())
                .then(|| format!("{}; the other keys are used", placed.join("; ")));
            (keymap, problem)
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => (Keymap::default(), None),
        Err(error) => (
            Keymap::default(),
            Some(format!(
                "cannot read {}: {error}",
                dirs.keymap_file().display()
            )),
        ),
    };
    // Show the tree at once; leaves are read and validated in the background.
    let taxonomy = Taxonomy::scan(&root);
    let total = taxonomy.leaves.len();
    let mut app = App::new(taxonomy, LeafMarks::default(), None, keymap);
    app.shared.author.created_by = crate::git::author_name(&root);
    app.shared.checking = Some((0, total));
    match std::env::current_exe() {
        Ok(program) => app.shared.train_setup = Some(TrainSetup::new(dirs.clone(), program)),
        Err(error) => tracing::error!("cannot find taxon itself, so no training screen: {error}"),
    }
    if let Some(problem) = keymap_problem {
        app.shared.notice = Some(Notice {
            text: problem,
            is_error: true,
        });
    } else if let Some(text) = greeting {
        app.shared.notice = Some(Notice {
            text,
            is_error: false,
        });
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    // ratatui installs a panic hook that restores the terminal before the message.
    let mut terminal = ratatui::try_init().context("opening the terminal")?;
    let drafts = Drafts::new(dirs.drafts());
    let preview = preview_jobs::PreviewConfig::from_dirs(dirs);
    let result = runtime.block_on(runtime::run(&mut terminal, app, drafts, preview));
    ratatui::try_restore().context("restoring the terminal")?;
    result.context("running the interface")
}
