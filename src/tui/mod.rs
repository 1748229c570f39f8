//! The terminal user interface: browse, find and (soon) author taxonomy leaves.
//! Only this module knows about terminals.

pub mod action;
pub mod app;
pub mod authoring;
pub mod component;
pub mod editing;
pub mod field_editor;
pub mod git_jobs;
mod git_ui;
mod input;
pub mod input_line;
pub mod keymap;
pub mod load;
pub mod marks;
pub mod perform;
pub mod popups;
pub mod preview;
pub mod preview_jobs;
pub mod review_jobs;
pub mod review_screen;
pub mod run_entry;
mod runtime;
pub mod shared;
pub mod train_compare;
pub mod train_form;
pub mod train_jobs;
pub mod train_screen;
pub mod tree;
pub mod view;
pub mod wizard;

use std::path::PathBuf;

use anyhow::Context as _;

use crate::dirs::AppDirs;
use crate::drafts::Drafts;

use self::app::App;
use self::keymap::Keymap;
use self::marks::LeafMarks;
use self::shared::Notice;
use self::train_screen::TrainSetup;
use crate::taxonomy::model::Taxonomy;

/// Opens the TUI on the taxonomy at `root` and runs it until the user quits. The
/// terminal is restored on exit, on error and on panic.
/// `greeting` is shown in the status bar at start (e.g. that the taxonomy was just
/// created).
pub fn run(root: PathBuf, dirs: &AppDirs, greeting: Option<String>) -> anyhow::Result<()> {
    let (keymap, keymap_problem) = match std::fs::read_to_string(dirs.keymap_file()) {
        Ok(text) => match Keymap::with_overrides(&text) {
            Ok(keymap) => (keymap, None),
            Err(error) => (
                Keymap::default(),
                Some(format!("{}: {error}", dirs.keymap_file().display())),
            ),
        },
        Err(_) => (Keymap::default(), None),
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
