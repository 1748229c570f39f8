//! The browse screen: the tree of folders and leaves, the selected leaf's details
//! (with the field cursor), and the generation preview pane. It is the screen the
//! app starts on and comes back to; its selection is shared (the review screen
//! starts from it, the before/after check asks it).

pub mod authoring;
mod detail_view;
mod git;
pub mod preview;
pub mod preview_funnel;
mod preview_view;
mod tree_view;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction, Taken};
use crate::tui::git_jobs::GitReply;
use crate::tui::keymap::Mode;
use crate::tui::msg::{Effect, Msg};
use crate::tui::popups::finder::Finder;
use crate::tui::popups::help::Help;
use crate::tui::popups::palette::Palette;
use crate::tui::popups::question::ConfirmRevert;
use crate::tui::shared::{Focus, Shared};
use crate::tui::tree::Row;

use self::preview::PreviewPane;
use super::review::ReviewScreen;
use super::train::TrainScreen;

/// The browse screen's own state: the preview pane (the selection is shared).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Browse {
    /// The generation preview pane.
    pub preview: PreviewPane,
}

impl Browse {
    /// Keeps the preview pane on the selected leaf, whatever moved it.
    pub fn follow(&mut self, ctx: &Shared) -> Vec<Effect> {
        self.preview.follow(ctx)
    }

    fn act(&mut self, ctx: &mut Shared, action: Action) -> Reaction {
        ctx.notice = None;
        match action {
            Action::Quit => return ctx.quit(),
            Action::EditInEditor => return edit_in_editor(ctx),
            Action::Save => return ctx.save_selected(),
            Action::Revert => return ask_revert(ctx),
            Action::Back if ctx.focus == Focus::Tree && self.preview.open.is_some() => {
                return self.preview.close().into_iter().collect::<Vec<_>>().into();
            }
            Action::Back => ctx.focus = Focus::Tree,
            Action::Preview | Action::PreviewReseed | Action::PreviewPipeline => {
                return self.preview.action(ctx, action).into();
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                ctx.author.follow = false;
                if ctx.focus == Focus::Tree {
                    ctx.author.cursor = 0; // another leaf: its first field
                }
                move_cursor(ctx, action);
            }
            Action::Expand => expand(ctx),
            Action::Collapse => collapse(ctx),
            Action::ExpandAll => ctx.tree.set_all_expanded(&ctx.taxonomy, true),
            Action::CollapseAll => ctx.tree.set_all_expanded(&ctx.taxonomy, false),
            Action::FocusNext | Action::FocusPrev => {
                ctx.focus = match ctx.focus {
                    Focus::Tree if ctx.tree.selected_leaf().is_some() => Focus::Detail,
                    _ => Focus::Tree,
                }
            }
            Action::Find => return Reaction::push(Finder::default()),
            Action::Palette => return Reaction::push(Palette::default()),
            Action::Help => return Reaction::push(Help::open(ctx)),
            Action::Reload => {
                ctx.notify("reloading…");
                return Effect::Reload.into();
            }
            Action::NextProblem => next_problem(ctx),
            Action::Diff | Action::Commit | Action::Branch | Action::Discard => {
                return git::git_action(ctx, action);
            }
            Action::NewLeaf
            | Action::EditField
            | Action::NextField
            | Action::PrevField
            | Action::AddExample
            | Action::DeleteExample
            | Action::MoveExampleUp
            | Action::MoveExampleDown => return authoring::author(ctx, action),
            Action::Review => return ReviewScreen::open(ctx),
            Action::Train => return TrainScreen::open(ctx),
            Action::NewRun
            | Action::CancelRun
            | Action::MarkRun
            | Action::LogScale
            | Action::Compare
            | Action::ShowEval
            | Action::RunEval => {
                let key = ctx.key_of(Action::Train);
                ctx.notify(format!("open the training screen ({key}) first"));
            }
            Action::Approve
            | Action::RequestChanges
            | Action::Reject
            | Action::ApproveWithComment
            | Action::RequestChangesWithComment
            | Action::RejectWithComment
            | Action::NextExample
            | Action::PrevExample
            | Action::NextLeaf
            | Action::PrevLeaf
            | Action::VerdictApproved
            | Action::VerdictChangesRequested
            | Action::VerdictRejected
            | Action::VerdictUncertain => {
                let key = ctx.key_of(Action::Review);
                ctx.notify(format!("open the review screen ({key}) first"));
            }
            Action::Confirm
            | Action::Toggle
            | Action::CharLeft
            | Action::CharRight
            | Action::WordLeft
            | Action::WordRight
            | Action::LineStart
            | Action::LineEnd
            | Action::DeleteBack
            | Action::DeleteForward
            | Action::DeleteWordBack
            | Action::DeleteWordForward
            | Action::DeleteToStart
            | Action::DeleteToEnd
            | Action::Undo
            | Action::Yes
            | Action::TakeDisk
            | Action::KeepMine
            | Action::Merge
            | Action::SaveAll
            | Action::DiscardAll => {}
        }
        Reaction::none()
    }
}

fn move_cursor(ctx: &mut Shared, action: Action) {
    let delta = match action {
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -ctx.page(),
        Action::PageDown => ctx.page(),
        Action::Top => isize::MIN / 2,
        _ => isize::MAX / 2,
    };
    match ctx.focus {
        Focus::Tree => {
            ctx.tree.move_by(delta);
            ctx.detail_scroll = 0;
        }
        Focus::Detail => {
            let scrolled = i64::from(ctx.detail_scroll) + delta as i64;
            ctx.detail_scroll = scrolled.clamp(0, i64::from(u16::MAX)) as u16;
        }
    }
}

fn expand(ctx: &mut Shared) {
    match ctx.tree.current().cloned() {
        Some(Row::Folder { path, expanded, .. }) => {
            ctx.tree.set_expanded(&ctx.taxonomy, &path, !expanded)
        }
        Some(Row::Leaf { .. }) => ctx.focus = Focus::Detail,
        None => {}
    }
}

fn collapse(ctx: &mut Shared) {
    if ctx.focus == Focus::Detail {
        ctx.focus = Focus::Tree;
        return;
    }
    match ctx.tree.current().cloned() {
        Some(Row::Folder {
            path,
            expanded: true,
            ..
        }) => ctx.tree.set_expanded(&ctx.taxonomy, &path, false),
        Some(_) => ctx.tree.select_parent(),
        None => {}
    }
}

fn next_problem(ctx: &mut Shared) {
    let start = ctx.tree.selected_leaf().map_or(0, |i| i + 1);
    let count = ctx.taxonomy.leaves.len();
    let found = (0..count)
        .map(|offset| (start + offset) % count)
        .find(|&i| !ctx.report_of(i).diagnostics.is_empty());
    match found {
        Some(index) => ctx.tree.select_leaf(&ctx.taxonomy, index),
        None => ctx.notify("no leaf has errors or warnings"),
    }
}

fn edit_in_editor(ctx: &mut Shared) -> Reaction {
    let Some(folder) = ctx.selected_folder() else {
        ctx.notify("select a leaf to edit");
        return Reaction::none();
    };
    match ctx.text_of(&folder) {
        Some(text) => Effect::RunEditor { folder, text }.into(),
        None => {
            ctx.notify_error(format!("{} cannot be read", folder.display()));
            Reaction::none()
        }
    }
}

fn ask_revert(ctx: &mut Shared) -> Reaction {
    match ctx.selected_folder() {
        Some(folder) if ctx.open.is_dirty(&folder) => {
            let edits = ctx
                .open
                .get(&folder)
                .map(|open| open.buffer.unsaved_change())
                .unwrap_or_default();
            Reaction::push(ConfirmRevert { folder, edits })
        }
        _ => {
            ctx.notify("no unsaved edits here");
            Reaction::none()
        }
    }
}

impl Component for Browse {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Browse
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        match press.action {
            Some(action) => self.act(ctx, action),
            None => Reaction::none(),
        }
    }

    fn take(&mut self, ctx: &mut Shared, msg: Msg) -> Taken {
        match msg {
            Msg::Preview(reply) => Taken::Yes(self.preview.reply(reply).into()),
            Msg::LeafCreated(result) => Taken::Yes(authoring::leaf_created(ctx, result)),
            Msg::Git(GitReply::DiscardPreview { folder, result }) => {
                Taken::Yes(git::discard_preview(ctx, folder, result))
            }
            other => Taken::No(other),
        }
    }

    fn draw(&self, frame: &mut Frame<'_>, area: Rect, ctx: &Shared, focused: bool) {
        let tree_width = (area.width * 2 / 5).clamp(24, 60);
        let [tree_area, detail_area] =
            Layout::horizontal([Constraint::Length(tree_width), Constraint::Min(20)]).areas(area);
        tree_view::draw(frame, tree_area, ctx, focused);
        let detail_area = match &self.preview.open {
            Some(open) => {
                let [detail_area, preview_area] =
                    Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)])
                        .areas(detail_area);
                preview_view::draw(frame, preview_area, ctx, open);
                detail_area
            }
            None => detail_area,
        };
        detail_view::draw(frame, detail_area, ctx, focused);
    }

    fn hints(&self, ctx: &Shared) -> &'static [Action] {
        match ctx.focus {
            Focus::Tree => &[
                Action::Find,
                Action::Expand,
                Action::NextProblem,
                Action::EditInEditor,
                Action::Save,
                Action::Palette,
                Action::Help,
                Action::Quit,
            ],
            Focus::Detail => &[
                Action::NextField,
                Action::EditField,
                Action::AddExample,
                Action::DeleteExample,
                Action::Save,
                Action::Down,
                Action::Up,
                Action::Back,
                Action::Help,
                Action::Quit,
            ],
        }
    }
}
