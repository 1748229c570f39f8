//! The new-leaf wizard: the kind, the place in the tree (fuzzy completion over
//! the existing domains, new folders normalised to snake_case), and who
//! contributes it; then the leaf is created from the template.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

use crate::taxonomy::leaf::LeafKind;
use crate::taxonomy::model::Taxonomy;
use crate::taxonomy::template::{NewLeaf, top_folder};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::taxonomy::leaf::{ATTRIBUTION_FILE, LEAF_FILE};
use crate::taxonomy::template::TEMPLATE_EXAMPLES;
use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction};
use crate::tui::input_line::InputLine;
use crate::tui::keymap::Mode;
use crate::tui::msg::Effect;
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::{centered, input_line, key_name, popup_block};

/// The kinds a new leaf can be, in the order offered.
pub const KINDS: [LeafKind; 3] = [
    LeafKind::FreeformSkill,
    LeafKind::GroundedSkill,
    LeafKind::Knowledge,
];

/// How many completions are offered at most.
const MAX_COMPLETIONS: usize = 8;

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Choose the kind.
    Kind,
    /// Type the place below the kind's top folder.
    Place,
    /// Type who contributes it (`created_by`).
    Author,
    /// Look at the summary and create.
    Confirm,
}

/// The state of the wizard.
#[derive(Debug, Clone, PartialEq)]
pub struct Wizard {
    /// The step shown.
    pub step: Step,
    /// The kind chosen (index in [`KINDS`]).
    pub kind: usize,
    /// The place typed, below the kind's top folder.
    pub place: InputLine,
    /// The existing folders matching the place typed, best first.
    pub completions: Vec<String>,
    /// The highlighted completion.
    pub selected: usize,
    /// Who contributes the leaf.
    pub author: InputLine,
    /// Why the last step was not accepted.
    pub problem: Option<String>,
    /// Every existing domain folder (below the top folders), to complete from.
    domains: Vec<PathBuf>,
}

impl Wizard {
    /// A wizard on `taxonomy`, `created_by` prefilled with `author`.
    pub fn new(taxonomy: &Taxonomy, author: Option<&str>) -> Self {
        let domains: BTreeSet<PathBuf> = taxonomy
            .leaves
            .iter()
            .flat_map(|leaf| leaf.folder.ancestors().skip(1).map(Path::to_owned))
            .filter(|folder| folder.components().count() > 1)
            .collect();
        Self {
            step: Step::Kind,
            kind: 0,
            place: InputLine::default(),
            completions: Vec::new(),
            selected: 0,
            author: InputLine::from_text(author.unwrap_or_default()),
            problem: None,
            domains: domains.into_iter().collect(),
        }
    }

    /// Starts from a folder of the tree: the kind its top folder holds is
    /// preselected and the place prefilled with the folder below it.
    pub fn start_at(&mut self, folder: &Path) {
        // The grounded tree first: it lies inside compositional_skills.
        for kind in [1, 0, 2] {
            let Some(below) = top_folder(KINDS[kind]).and_then(|t| folder.strip_prefix(t).ok())
            else {
                continue;
            };
            self.kind = kind;
            let place = below.display().to_string();
            if !place.is_empty() {
                self.place = InputLine::from_text(&format!("{place}/"));
            }
            return;
        }
    }

    /// The kind chosen.
    pub fn kind(&self) -> LeafKind {
        KINDS[self.kind.min(KINDS.len() - 1)]
    }

    /// The folder the chosen kind's leaves live in.
    pub fn top(&self) -> &'static Path {
        top_folder(self.kind()).unwrap_or(Path::new("compositional_skills"))
    }

    /// The leaf as chosen so far.
    pub fn leaf(&self) -> NewLeaf {
        NewLeaf {
            kind: self.kind(),
            place: self.place.text().to_owned(),
            created_by: self.author.text().trim().to_owned(),
        }
    }

    /// The folder the leaf will have, normalised (just the top folder while no
    /// name is typed), whether the place was typed below the top folder or from the
    /// root.
    pub fn target(&self) -> PathBuf {
        self.leaf()
            .folder()
            .unwrap_or_else(|_| self.top().to_owned())
    }

    /// The place typed, without the top folder if it was typed from the root.
    fn below_top(&self) -> &str {
        let typed = self.place.text().trim();
        let top = self.top().to_string_lossy();
        typed
            .strip_prefix(top.as_ref())
            .and_then(|rest| rest.strip_prefix('/'))
            .unwrap_or(typed)
    }

    /// Recomputes the completions for the place typed: existing folders below the
    /// chosen kind's top folder, fuzzy-matched, best first.
    pub fn complete(&mut self) {
        let top = self.top();
        let candidates = self.domains.iter().filter_map(|d| {
            let below = d.strip_prefix(top).ok()?;
            // Grounded skills live in their own sub-tree; freeform ones elsewhere.
            let wanted = !(self.kind() == LeafKind::FreeformSkill && below.starts_with("grounded"));
            (wanted && !below.as_os_str().is_empty()).then(|| below.display().to_string())
        });
        let query = self.below_top();
        self.completions = if query.is_empty() {
            candidates.take(MAX_COMPLETIONS).collect()
        } else {
            let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
            let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
            let mut scored: Vec<(u32, String)> = candidates
                .filter_map(|c| {
                    let haystack = Utf32String::from(c.as_str());
                    let score = pattern.score(haystack.slice(..), &mut matcher)?;
                    Some((score, c))
                })
                .collect();
            scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            scored
                .into_iter()
                .take(MAX_COMPLETIONS)
                .map(|(_, c)| c)
                .collect()
        };
        self.selected = 0;
    }

    /// Takes the highlighted completion as the place, ready for a new folder name.
    pub fn accept_completion(&mut self) {
        if let Some(choice) = self.completions.get(self.selected) {
            self.place = InputLine::from_text(&format!("{choice}/"));
            self.complete();
        }
    }

    /// Moves the highlight in the list of the current step.
    pub fn move_selection(&mut self, delta: isize) {
        let (value, len) = match self.step {
            Step::Kind => (&mut self.kind, KINDS.len()),
            Step::Place => (&mut self.selected, self.completions.len()),
            Step::Author | Step::Confirm => return,
        };
        let last = len.saturating_sub(1) as isize;
        *value = (*value as isize + delta).clamp(0, last) as usize;
    }

    /// The input line of the current step, if it has one.
    pub fn input(&mut self) -> Option<&mut InputLine> {
        match self.step {
            Step::Place => Some(&mut self.place),
            Step::Author => Some(&mut self.author),
            Step::Kind | Step::Confirm => None,
        }
    }

    /// Goes to the next step if this one is complete; `taxonomy` tells whether the
    /// place is taken. Returns the leaf to create after the last step.
    pub fn next(&mut self, taxonomy: &Taxonomy) -> Option<NewLeaf> {
        self.problem = None;
        match self.step {
            Step::Kind => {
                self.step = Step::Place;
                self.complete();
            }
            Step::Place => match self.leaf().folder() {
                Err(error) => self.problem = Some(error.to_string()),
                Ok(folder) if taxonomy.find(&folder).is_some() => {
                    self.problem = Some(format!("{} is already a leaf", folder.display()));
                }
                Ok(_) => self.step = Step::Author,
            },
            Step::Author => self.step = Step::Confirm,
            Step::Confirm => return Some(self.leaf()),
        }
        None
    }

    /// Goes back one step; false at the first step (the wizard closes).
    pub fn back(&mut self) -> bool {
        self.problem = None;
        self.step = match self.step {
            Step::Kind => return false,
            Step::Place => Step::Kind,
            Step::Author => Step::Place,
            Step::Confirm => Step::Author,
        };
        true
    }
}

impl Component for Wizard {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Picker
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        let step = self.step;
        if let Some(input) = self.input()
            && InputLine::takes(&press)
        {
            if input.edit(&press) && step == Step::Place {
                self.complete();
            }
            return Reaction::none();
        }
        match press.action {
            // Back goes to the step before; at the first, it closes the wizard.
            Some(Action::Back) if self.step == Step::Kind => return Reaction::close(),
            Some(Action::Back) => {
                self.back();
            }
            Some(Action::Confirm) => {
                if let Some(leaf) = self.next(&ctx.taxonomy) {
                    ctx.notify("creating the leaf…");
                    return Reaction::close().and([Effect::CreateLeaf(leaf)]);
                }
            }
            Some(Action::Up) => self.move_selection(-1),
            Some(Action::Down) => self.move_selection(1),
            Some(Action::FocusNext) if self.step == Step::Place => self.accept_completion(),
            _ => {}
        }
        Reaction::none()
    }

    fn draw(&self, frame: &mut Frame<'_>, _area: Rect, ctx: &Shared, _focused: bool) {
        let wizard = self;
        let area = centered(frame, 80, 70);
        frame.render_widget(Clear, area);
        let number = match wizard.step {
            Step::Kind => 1,
            Step::Place => 2,
            Step::Author => 3,
            Step::Confirm => 4,
        };
        let block = popup_block(format!(" New leaf · step {number} of 4 "));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let mut lines = Vec::new();
        let mut cursor = None;
        match wizard.step {
            Step::Kind => {
                lines.push(Line::from(Span::styled(
                    "What kind of leaf?",
                    theme::HEADING,
                )));
                lines.push(Line::default());
                for (i, kind) in KINDS.iter().enumerate() {
                    lines.push(choice(
                        i == wizard.kind,
                        format!("{:<16}{}", kind.label(), kind_help(i)),
                    ));
                }
            }
            Step::Place => {
                lines.push(Line::from(vec![
                    Span::styled("Where in the tree? ", theme::HEADING),
                    Span::styled(
                        format!(
                            "below {}/ (new folders become snake_case)",
                            wizard.top().display()
                        ),
                        theme::DIM,
                    ),
                ]));
                cursor = Some((lines.len(), wizard.place.cursor()));
                lines.push(input_line(&wizard.place));
                lines.push(Line::from(vec![
                    Span::styled("→ ", theme::DIM),
                    Span::styled(wizard.target().display().to_string(), theme::OK),
                ]));
                lines.push(Line::default());
                let take = key_name(&ctx.keymap, Mode::Picker, Action::FocusNext);
                lines.push(Line::from(Span::styled(
                    format!("Existing domains ({take} takes the highlighted one):"),
                    theme::DIM,
                )));
                for (i, completion) in wizard.completions.iter().enumerate() {
                    lines.push(choice(i == wizard.selected, completion.clone()));
                }
            }
            Step::Author => {
                lines.push(Line::from(vec![
                    Span::styled("created_by ", theme::HEADING),
                    Span::styled(
                        "(your GitHub user name; git config gave the default)",
                        theme::DIM,
                    ),
                ]));
                cursor = Some((lines.len(), wizard.author.cursor()));
                lines.push(input_line(&wizard.author));
            }
            Step::Confirm => {
                let leaf = wizard.leaf();
                lines.push(Line::from(Span::styled(
                    "Create this leaf?",
                    theme::HEADING,
                )));
                lines.push(Line::default());
                for (label, value) in [
                    ("kind", leaf.kind.label().to_owned()),
                    ("folder", wizard.target().display().to_string()),
                    ("created_by", leaf.created_by.clone()),
                ] {
                    lines.push(Line::from(vec![
                        Span::styled(format!("  {label:<12}"), theme::KEY),
                        Span::raw(value),
                    ]));
                }
                lines.push(Line::default());
                lines.push(Line::from(format!(
                    "  {LEAF_FILE} with {TEMPLATE_EXAMPLES} seed examples to fill in, and {ATTRIBUTION_FILE}"
                )));
            }
        }
        if let Some(problem) = &wizard.problem {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(problem.clone(), theme::ERROR)));
        }
        let [body, hint] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
        let key = |action| key_name(&ctx.keymap, Mode::Picker, action);
        let (next, back) = (key(Action::Confirm), key(Action::Back));
        let choose = format!("{}/{} choose", key(Action::Up), key(Action::Down));
        let keys = match wizard.step {
            Step::Kind => format!("{choose} · {next} next · {back} cancel"),
            Step::Place => format!(
                "type a path · {} complete · {}/{} · {next} next · {back} back",
                key(Action::FocusNext),
                key(Action::Up),
                key(Action::Down)
            ),
            Step::Author => format!("{next} next · {back} back"),
            Step::Confirm => format!("{next} create · {back} back"),
        };
        frame.render_widget(Paragraph::new(Span::styled(keys, theme::DIM)), hint);
        if let Some((row, col)) = cursor {
            frame.set_cursor_position((body.x + 2 + col as u16, body.y + row as u16));
        }
    }

    fn hints(&self, _ctx: &Shared) -> &'static [Action] {
        &[Action::Confirm, Action::Down, Action::Up, Action::Back]
    }
}

fn kind_help(index: usize) -> &'static str {
    match index {
        0 => "questions and answers alone",
        1 => "every example has a context to answer from",
        _ => "facts from documents kept in a git repository",
    }
}

fn choice(selected: bool, text: String) -> Line<'static> {
    let marker = if selected { "▸ " } else { "  " };
    let style = if selected {
        theme::SELECTED
    } else {
        Style::default()
    };
    Line::from(Span::styled(format!("{marker}{text}"), style))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::validate::Options;

    fn typed(wizard: &mut Wizard, text: &str) {
        for c in text.chars() {
            wizard.place.insert(c);
        }
        wizard.complete();
    }

    #[test]
    fn completes_existing_domains_and_normalises_new_folders() {
        let taxonomy = Taxonomy::load(Path::new("sample-taxonomy"), &Options::default());
        let mut wizard = Wizard::new(&taxonomy, Some("ada"));
        wizard.next(&taxonomy);
        assert_eq!(wizard.step, Step::Place);
        typed(&mut wizard, "ling writ");
        assert_eq!(wizard.completions[0], "linguistics/writing");
        assert!(
            wizard
                .completions
                .iter()
                .all(|c| !c.starts_with("grounded")),
            "freeform skills are not offered the grounded tree"
        );
        wizard.accept_completion();
        assert_eq!(wizard.place.text(), "linguistics/writing/");
        typed(&mut wizard, "Cover Letters");
        assert_eq!(
            wizard.target(),
            PathBuf::from("compositional_skills/linguistics/writing/cover_letters")
        );
        wizard.next(&taxonomy);
        assert_eq!(wizard.step, Step::Author);
        assert_eq!(wizard.author.text(), "ada");
        wizard.next(&taxonomy);
        let leaf = wizard.next(&taxonomy).expect("the last step creates");
        assert_eq!(leaf.kind, LeafKind::FreeformSkill);
    }

    #[test]
    fn starts_from_the_selected_folder() {
        let taxonomy = Taxonomy::default();
        let mut wizard = Wizard::new(&taxonomy, None);
        wizard.start_at(Path::new("compositional_skills/grounded/technology"));
        assert_eq!(wizard.kind(), LeafKind::GroundedSkill);
        assert_eq!(wizard.place.text(), "technology/");
        let mut wizard = Wizard::new(&taxonomy, None);
        wizard.start_at(Path::new("knowledge"));
        assert_eq!(wizard.kind(), LeafKind::Knowledge);
        assert_eq!(wizard.place.text(), "");
        let mut wizard = Wizard::new(&taxonomy, None);
        wizard.start_at(Path::new("foundational_skills/reasoning"));
        assert_eq!(wizard.kind(), LeafKind::FreeformSkill);
    }

    #[test]
    fn refuses_a_taken_or_empty_place() {
        let taxonomy = Taxonomy::load(Path::new("sample-taxonomy"), &Options::default());
        let mut wizard = Wizard::new(&taxonomy, None);
        wizard.move_selection(2);
        assert_eq!(wizard.kind(), LeafKind::Knowledge);
        wizard.next(&taxonomy);
        wizard.next(&taxonomy);
        assert!(wizard.problem.is_some(), "an empty name is refused");
        typed(&mut wizard, "science/earth_sciences/oceanography/tides");
        wizard.next(&taxonomy);
        assert_eq!(wizard.step, Step::Place);
        assert!(
            wizard
                .problem
                .as_deref()
                .unwrap()
                .contains("already a leaf")
        );
        assert!(wizard.back());
        assert!(!wizard.back());
    }
}
