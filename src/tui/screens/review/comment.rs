//! The comment prompt of the review screen: a decision on one item (an example or
//! the leaf's own fields), with why.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Paragraph};

use crate::review::Decision;
use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction};
use crate::tui::input_line::InputLine;
use crate::tui::keymap::Mode;
use crate::tui::msg::Effect;
use crate::tui::review_jobs::ReviewJob;
use crate::tui::shared::Shared;
use crate::tui::view::widgets::{centered, hints, input_line, popup_block};

/// A comment being typed for a decision on one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentPrompt {
    /// The decision to record, its comment still to come.
    job: ReviewJob,
    /// The item decided on, for people (`example 2`, `leaf fields`).
    pub item: String,
    /// The decision.
    pub decision: Decision,
    /// The comment.
    pub input: InputLine,
}

impl CommentPrompt {
    /// The prompt for `job`, a decision on `item`.
    pub fn new(job: ReviewJob, item: String, decision: Decision) -> Self {
        Self {
            job,
            item,
            decision,
            input: InputLine::default(),
        }
    }
}

impl Component for CommentPrompt {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Picker
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        if self.input.edit(&press) || InputLine::takes(&press) {
            return Reaction::none();
        }
        match press.action {
            Some(Action::Back) => {
                ctx.notify("nothing was recorded");
                Reaction::close()
            }
            Some(Action::Confirm) => {
                let text = self.input.text().trim().to_owned();
                let mut job = self.job.clone();
                if let ReviewJob::Decide { comment, .. } | ReviewJob::DecideFields { comment, .. } =
                    &mut job
                {
                    *comment = (!text.is_empty()).then_some(text);
                }
                ctx.notify("recording…");
                Reaction::close().and([Effect::Review(job)])
            }
            _ => Reaction::none(),
        }
    }

    fn draw(&self, frame: &mut Frame<'_>, _area: Rect, ctx: &Shared, _focused: bool) {
        let area = centered(frame, 60, 10);
        let area = Rect {
            height: area.height.min(4),
            ..area
        };
        let title = format!(" Comment · {} {} ", self.item, self.decision.label());
        let block = popup_block(title).title_bottom(hints(
            &ctx.keymap,
            Mode::Picker,
            &[(Action::Confirm, "record"), (Action::Back, "cancel")],
        ));
        frame.render_widget(Clear, area);
        frame.render_widget(Paragraph::new(input_line(&self.input)).block(block), area);
    }

    fn hints(&self, _ctx: &Shared) -> &'static [Action] {
        &[Action::Confirm, Action::Back]
    }
}
