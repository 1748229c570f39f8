//! The branch picker: the local branches filtered fuzzily, and "create NAME".

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::ListItem;

use crate::git::BranchInfo;
use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction, Taken};
use crate::tui::git_jobs::{GitJob, GitReply};
use crate::tui::keymap::Mode;
use crate::tui::msg::{Effect, Msg};
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::centered;

use super::git_questions::ConfirmSwitch;
use super::picker::{Picked, Picker};

/// One choice of the branch picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchChoice {
    /// Switch to this branch.
    Switch(BranchInfo),
    /// Create a branch of this name at HEAD and switch to it.
    Create(String),
}

/// The branch picker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BranchPicker {
    /// The filter, also the name of a branch to create.
    pub picker: Picker,
    /// The local branches, once listed.
    pub branches: Option<Vec<BranchInfo>>,
}

impl BranchPicker {
    /// The branches matching the filter, best first, then "create" when the filter
    /// names no existing branch.
    pub fn choices(&self) -> Vec<BranchChoice> {
        let branches = self.branches.as_deref().unwrap_or_default();
        let mut choices: Vec<BranchChoice> = self
            .picker
            .filter(branches.iter().map(|b| b.name.as_str()))
            .into_iter()
            .map(|place| BranchChoice::Switch(branches[place].clone()))
            .collect();
        let filter = self.picker.input.text().trim();
        if !filter.is_empty() && !branches.iter().any(|b| b.name == filter) {
            choices.push(BranchChoice::Create(filter.to_owned()));
        }
        choices
    }

    fn choose(&mut self, ctx: &mut Shared, place: usize) -> Reaction {
        let Some(choice) = self.choices().into_iter().nth(place) else {
            return Reaction::none();
        };
        let (branch, create) = match choice {
            BranchChoice::Switch(info) if info.is_head => {
                ctx.notify(format!("already on {}", info.name));
                return Reaction::close();
            }
            BranchChoice::Switch(info) => (info.name, false),
            BranchChoice::Create(name) => (name, true),
        };
        let dirty = ctx.open.dirty();
        if !dirty.is_empty() && !create {
            return Reaction::close().and_push(ConfirmSwitch { branch, dirty });
        }
        ctx.notify(format!("switching to {branch}…"));
        Reaction::close().and([Effect::Git(GitJob::Switch { branch, create })])
    }
}

impl Component for BranchPicker {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Picker
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        match self.picker.handle(&press, self.choices().len()) {
            Picked::Back => Reaction::close(),
            Picked::Chosen(place) => self.choose(ctx, place),
            Picked::Nothing | Picked::Edited => Reaction::none(),
        }
    }

    fn take(&mut self, ctx: &mut Shared, msg: Msg) -> Taken {
        match msg {
            Msg::Git(GitReply::Branches(result)) => match result {
                Ok(branches) => {
                    self.branches = Some(branches);
                    Taken::Yes(Reaction::none())
                }
                Err(why) => {
                    ctx.notify_error(why);
                    Taken::Yes(Reaction::close())
                }
            },
            other => Taken::No(other),
        }
    }

    fn draw(&self, frame: &mut Frame<'_>, _area: Rect, _ctx: &Shared, _focused: bool) {
        let rows: Vec<ListItem<'_>> = match &self.branches {
            None => Vec::new(),
            Some(_) => self
                .choices()
                .into_iter()
                .map(|choice| match choice {
                    BranchChoice::Switch(info) if info.is_head => ListItem::new(Line::from(vec![
                        Span::styled("* ", theme::KEY),
                        Span::raw(info.name),
                        Span::styled("  (current)", theme::DIM),
                    ])),
                    BranchChoice::Switch(info) => ListItem::new(format!("  {}", info.name)),
                    BranchChoice::Create(name) => ListItem::new(Line::from(vec![
                        Span::styled("+ ", theme::OK),
                        Span::raw("create new branch "),
                        Span::styled(name, theme::HEADING),
                    ])),
                })
                .collect(),
        };
        self.picker.draw(
            frame,
            centered(frame, 60, 60),
            " Branches · type to filter or name a new one ".into(),
            rows,
            "listing branches…",
        );
    }

    fn hints(&self, _ctx: &Shared) -> &'static [Action] {
        &[Action::Confirm, Action::Down, Action::Up, Action::Back]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branch(name: &str, is_head: bool) -> BranchInfo {
        BranchInfo {
            name: name.into(),
            is_head,
        }
    }

    #[test]
    fn branches_filter_fuzzily_and_offer_to_create() {
        let mut picker = BranchPicker {
            branches: Some(vec![
                branch("add-tides", false),
                branch("main", true),
                branch("fix-birds", false),
            ]),
            ..BranchPicker::default()
        };
        assert_eq!(picker.choices().len(), 3);
        for c in "tds".chars() {
            picker.picker.input.insert(c);
        }
        assert_eq!(
            picker.choices(),
            vec![
                BranchChoice::Switch(branch("add-tides", false)),
                BranchChoice::Create("tds".into())
            ]
        );
        picker.picker = Picker::default();
        for c in "main".chars() {
            picker.picker.input.insert(c);
        }
        assert_eq!(
            picker.choices(),
            vec![BranchChoice::Switch(branch("main", true))],
            "an existing name is not offered for creation"
        );
    }
}
