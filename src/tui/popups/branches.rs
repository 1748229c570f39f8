//! The branch picker: the local branches filtered fuzzily, and "create NAME".

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};

use crate::git::BranchInfo;
use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction, Taken};
use crate::tui::git_jobs::{GitJob, GitReply};
use crate::tui::input_line::InputLine;
use crate::tui::keymap::Mode;
use crate::tui::msg::{Effect, Msg};
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::{centered, input_cursor, input_line, popup_block};

use super::finder::picker_layout;
use super::git_questions::ConfirmSwitch;

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
    pub input: InputLine,
    /// The local branches, once listed.
    pub branches: Option<Vec<BranchInfo>>,
    /// The selected choice.
    pub selected: usize,
}

impl BranchPicker {
    /// The branches matching the filter, best first, then "create" when the filter
    /// names no existing branch.
    pub fn choices(&self) -> Vec<BranchChoice> {
        let branches = self.branches.as_deref().unwrap_or_default();
        let filter = self.input.text().trim();
        if filter.is_empty() {
            return branches.iter().cloned().map(BranchChoice::Switch).collect();
        }
        let pattern = Pattern::parse(filter, CaseMatching::Smart, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let names: Vec<&str> = branches.iter().map(|b| b.name.as_str()).collect();
        let mut choices: Vec<BranchChoice> = pattern
            .match_list(names, &mut matcher)
            .into_iter()
            .filter_map(|(name, _)| branches.iter().find(|b| b.name == name))
            .cloned()
            .map(BranchChoice::Switch)
            .collect();
        if !branches.iter().any(|b| b.name == filter) {
            choices.push(BranchChoice::Create(filter.to_owned()));
        }
        choices
    }

    fn choose(&mut self, ctx: &mut Shared) -> Reaction {
        let Some(choice) = self.choices().into_iter().nth(self.selected) else {
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
        if InputLine::takes(&press) {
            if self.input.edit(&press) {
                self.selected = 0;
            }
            return Reaction::none();
        }
        let count = self.choices().len();
        match press.action {
            Some(Action::Back) => return Reaction::close(),
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::Down) => self.selected = (self.selected + 1).min(count.saturating_sub(1)),
            Some(Action::Confirm) => return self.choose(ctx),
            _ => {}
        }
        Reaction::none()
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
        let area = centered(frame, 60, 60);
        frame.render_widget(Clear, area);
        frame.render_widget(
            popup_block(" Branches · type to filter or name a new one ".into()),
            area,
        );
        let [input_area, list_area] = picker_layout(area);
        frame.render_widget(Paragraph::new(input_line(&self.input)), input_area);
        frame.set_cursor_position((input_area.x + input_cursor(&self.input), input_area.y));
        let items: Vec<ListItem<'_>> = match &self.branches {
            None => vec![ListItem::new(Span::styled("listing branches…", theme::DIM))],
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
        let mut state =
            ListState::default().with_selected(self.branches.as_ref().map(|_| self.selected));
        frame.render_stateful_widget(
            List::new(items).highlight_style(theme::SELECTED),
            list_area,
            &mut state,
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
            picker.input.insert(c);
        }
        assert_eq!(
            picker.choices(),
            vec![
                BranchChoice::Switch(branch("add-tides", false)),
                BranchChoice::Create("tds".into())
            ]
        );
        picker.input = InputLine::default();
        for c in "main".chars() {
            picker.input.insert(c);
        }
        assert_eq!(
            picker.choices(),
            vec![BranchChoice::Switch(branch("main", true))],
            "an existing name is not offered for creation"
        );
    }
}
