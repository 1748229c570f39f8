//! Keymaps per mode: embedded defaults, overridden key by key from the user's
//! `keymap.toml`, e.g.
//!
//! ```toml
//! [browse]
//! "ctrl-f" = "find"
//! "j" = "down"
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use toml::de::{DeTable, DeValue};

use super::action::Action;
use crate::text_position::line_column;

/// A mode: which keymap applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// The tree and detail panes.
    Browse,
    /// A popup with a line being typed (finder, palette, wizard, commit message,
    /// comment, launch form): a key that types a character is text, the others
    /// edit the line (readline keys) or move in the popup's list.
    Picker,
    /// A list without a line being typed (the commit dialog's leaves, the launch
    /// form's dataset choice): space ticks or changes the choice.
    List,
    /// A scrolled text popup: the key help, a leaf's diff.
    Help,
    /// A question before something is lost: the popup names the answers' keys.
    Confirm,
    /// A text area: typing goes to the text.
    Text,
    /// The review screen: one key per decision.
    Review,
    /// The training screen: runs and their charts.
    Train,
}

impl Mode {
    const ALL: [Mode; 8] = [
        Mode::Browse,
        Mode::Picker,
        Mode::List,
        Mode::Help,
        Mode::Confirm,
        Mode::Text,
        Mode::Review,
        Mode::Train,
    ];

    fn section(self) -> &'static str {
        match self {
            Mode::Browse => "browse",
            Mode::Picker => "picker",
            Mode::List => "list",
            Mode::Help => "help",
            Mode::Confirm => "confirm",
            Mode::Text => "text",
            Mode::Review => "review",
            Mode::Train => "train",
        }
    }
}

/// A key with its modifiers, as written in keymap files: `q`, `ctrl-p`, `enter`,
/// `shift-tab`, `pagedown`, `f1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    code: KeyCodeKey,
    ctrl: bool,
    alt: bool,
}

/// The subset of key codes a binding can name (ordered, hashable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyCodeKey {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Backspace,
    Delete,
    F(u8),
}

impl Key {
    /// The binding a key press matches.
    pub fn from_event(event: &KeyEvent) -> Option<Key> {
        let code = match event.code {
            KeyCode::Char(c) => KeyCodeKey::Char(c),
            KeyCode::Enter => KeyCodeKey::Enter,
            KeyCode::Esc => KeyCodeKey::Esc,
            KeyCode::Tab => KeyCodeKey::Tab,
            KeyCode::BackTab => KeyCodeKey::BackTab,
            KeyCode::Up => KeyCodeKey::Up,
            KeyCode::Down => KeyCodeKey::Down,
            KeyCode::Left => KeyCodeKey::Left,
            KeyCode::Right => KeyCodeKey::Right,
            KeyCode::PageUp => KeyCodeKey::PageUp,
            KeyCode::PageDown => KeyCodeKey::PageDown,
            KeyCode::Home => KeyCodeKey::Home,
            KeyCode::End => KeyCodeKey::End,
            KeyCode::Backspace => KeyCodeKey::Backspace,
            KeyCode::Delete => KeyCodeKey::Delete,
            KeyCode::F(n) => KeyCodeKey::F(n),
            _ => return None,
        };
        Some(Key {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// Parses `ctrl-p`, `alt-x`, `enter`, `?`, `-`.
    pub fn parse(text: &str) -> Option<Key> {
        let (mut ctrl, mut alt, mut rest) = (false, false, text);
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCodeKey::Enter,
            "esc" => KeyCodeKey::Esc,
            "tab" => KeyCodeKey::Tab,
            "shift-tab" | "backtab" => KeyCodeKey::BackTab,
            "up" => KeyCodeKey::Up,
            "down" => KeyCodeKey::Down,
            "left" => KeyCodeKey::Left,
            "right" => KeyCodeKey::Right,
            "pageup" => KeyCodeKey::PageUp,
            "pagedown" => KeyCodeKey::PageDown,
            "home" => KeyCodeKey::Home,
            "end" => KeyCodeKey::End,
            "backspace" => KeyCodeKey::Backspace,
            "delete" => KeyCodeKey::Delete,
            "space" => KeyCodeKey::Char(' '),
            f if f.len() > 1 && f.starts_with('f') => KeyCodeKey::F(f[1..].parse().ok()?),
            c if c.chars().count() == 1 => KeyCodeKey::Char(c.chars().next()?),
            _ => return None,
        };
        Some(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCodeKey::Char(' ') => f.write_str("space"),
            KeyCodeKey::Char(c) => write!(f, "{c}"),
            KeyCodeKey::Enter => f.write_str("enter"),
            KeyCodeKey::Esc => f.write_str("esc"),
            KeyCodeKey::Tab => f.write_str("tab"),
            KeyCodeKey::BackTab => f.write_str("shift-tab"),
            KeyCodeKey::Up => f.write_str("up"),
            KeyCodeKey::Down => f.write_str("down"),
            KeyCodeKey::Left => f.write_str("left"),
            KeyCodeKey::Right => f.write_str("right"),
            KeyCodeKey::PageUp => f.write_str("pageup"),
            KeyCodeKey::PageDown => f.write_str("pagedown"),
            KeyCodeKey::Home => f.write_str("home"),
            KeyCodeKey::End => f.write_str("end"),
            KeyCodeKey::Backspace => f.write_str("backspace"),
            KeyCodeKey::Delete => f.write_str("delete"),
            KeyCodeKey::F(n) => write!(f, "f{n}"),
        }
    }
}

/// The embedded defaults: vim-style and arrow keys both work.
const DEFAULTS: &[(Mode, &str, Action)] = &[
    (Mode::Browse, "q", Action::Quit),
    (Mode::Browse, "ctrl-c", Action::Quit),
    (Mode::Browse, "esc", Action::Back),
    (Mode::Browse, "k", Action::Up),
    (Mode::Browse, "up", Action::Up),
    (Mode::Browse, "j", Action::Down),
    (Mode::Browse, "down", Action::Down),
    (Mode::Browse, "pageup", Action::PageUp),
    (Mode::Browse, "ctrl-u", Action::PageUp),
    (Mode::Browse, "pagedown", Action::PageDown),
    (Mode::Browse, "ctrl-d", Action::PageDown),
    (Mode::Browse, "home", Action::Top),
    (Mode::Browse, "end", Action::Bottom),
    (Mode::Browse, "l", Action::Expand),
    (Mode::Browse, "right", Action::Expand),
    (Mode::Browse, "enter", Action::Expand),
    (Mode::Browse, "h", Action::Collapse),
    (Mode::Browse, "left", Action::Collapse),
    (Mode::Browse, "+", Action::ExpandAll),
    (Mode::Browse, "-", Action::CollapseAll),
    (Mode::Browse, "E", Action::EditInEditor),
    (Mode::Browse, "ctrl-s", Action::Save),
    (Mode::Browse, "w", Action::Save),
    (Mode::Browse, "u", Action::Revert),
    (Mode::Browse, "tab", Action::FocusNext),
    (Mode::Browse, "/", Action::Find),
    (Mode::Browse, "ctrl-p", Action::Find),
    (Mode::Browse, ":", Action::Palette),
    (Mode::Browse, "?", Action::Help),
    (Mode::Browse, "r", Action::Reload),
    (Mode::Browse, "n", Action::NextProblem),
    (Mode::Browse, "d", Action::Diff),
    (Mode::Browse, "c", Action::Commit),
    (Mode::Browse, "b", Action::Branch),
    (Mode::Browse, "X", Action::Discard),
    (Mode::Picker, "tab", Action::FocusNext),
    (Mode::Picker, "shift-tab", Action::FocusPrev),
    (Mode::Picker, "left", Action::CharLeft),
    (Mode::Picker, "ctrl-b", Action::CharLeft),
    (Mode::Picker, "right", Action::CharRight),
    (Mode::Picker, "ctrl-f", Action::CharRight),
    (Mode::Picker, "alt-b", Action::WordLeft),
    (Mode::Picker, "ctrl-left", Action::WordLeft),
    (Mode::Picker, "alt-f", Action::WordRight),
    (Mode::Picker, "ctrl-right", Action::WordRight),
    (Mode::Picker, "home", Action::LineStart),
    (Mode::Picker, "ctrl-a", Action::LineStart),
    (Mode::Picker, "end", Action::LineEnd),
    (Mode::Picker, "ctrl-e", Action::LineEnd),
    (Mode::Picker, "backspace", Action::DeleteBack),
    (Mode::Picker, "ctrl-h", Action::DeleteBack),
    (Mode::Picker, "delete", Action::DeleteForward),
    (Mode::Picker, "ctrl-d", Action::DeleteForward),
    (Mode::Picker, "ctrl-w", Action::DeleteWordBack),
    (Mode::Picker, "alt-backspace", Action::DeleteWordBack),
    (Mode::Picker, "alt-d", Action::DeleteWordForward),
    (Mode::Picker, "ctrl-u", Action::DeleteToStart),
    (Mode::List, "esc", Action::Back),
    (Mode::List, "ctrl-c", Action::Back),
    (Mode::List, "enter", Action::Confirm),
    (Mode::List, "tab", Action::FocusNext),
    (Mode::List, "shift-tab", Action::FocusPrev),
    (Mode::List, "up", Action::Up),
    (Mode::List, "k", Action::Up),
    (Mode::List, "down", Action::Down),
    (Mode::List, "j", Action::Down),
    (Mode::List, "space", Action::Toggle),
    (Mode::List, "left", Action::Toggle),
    (Mode::List, "right", Action::Toggle),
    (Mode::Help, "pageup", Action::PageUp),
    (Mode::Help, "pagedown", Action::PageDown),
    (Mode::Browse, "a", Action::NewLeaf),
    (Mode::Browse, "e", Action::EditField),
    (Mode::Browse, "]", Action::NextField),
    (Mode::Browse, "[", Action::PrevField),
    (Mode::Browse, "A", Action::AddExample),
    (Mode::Browse, "D", Action::DeleteExample),
    (Mode::Browse, "K", Action::MoveExampleUp),
    (Mode::Browse, "J", Action::MoveExampleDown),
    (Mode::Text, "esc", Action::Back),
    (Mode::Text, "ctrl-s", Action::Confirm),
    (Mode::Text, "ctrl-u", Action::DeleteToStart),
    (Mode::Text, "alt-f", Action::WordRight),
    (Mode::Text, "ctrl-right", Action::WordRight),
    (Mode::Text, "ctrl-z", Action::Undo),
    (Mode::Picker, "esc", Action::Back),
    (Mode::Picker, "ctrl-c", Action::Back),
    (Mode::Picker, "enter", Action::Confirm),
    (Mode::Picker, "up", Action::Up),
    (Mode::Picker, "ctrl-k", Action::Up),
    (Mode::Picker, "down", Action::Down),
    (Mode::Picker, "ctrl-j", Action::Down),
    (Mode::Picker, "pageup", Action::PageUp),
    (Mode::Picker, "pagedown", Action::PageDown),
    (Mode::Confirm, "esc", Action::Back),
    (Mode::Confirm, "n", Action::Back),
    (Mode::Confirm, "y", Action::Yes),
    (Mode::Confirm, "r", Action::TakeDisk),
    (Mode::Confirm, "k", Action::KeepMine),
    (Mode::Confirm, "m", Action::Merge),
    (Mode::Confirm, "s", Action::SaveAll),
    (Mode::Confirm, "d", Action::DiscardAll),
    (Mode::Help, "esc", Action::Back),
    (Mode::Help, "q", Action::Back),
    (Mode::Help, "?", Action::Back),
    (Mode::Help, "k", Action::Up),
    (Mode::Help, "up", Action::Up),
    (Mode::Help, "j", Action::Down),
    (Mode::Help, "down", Action::Down),
    (Mode::Browse, "R", Action::Review),
    (Mode::Browse, "g", Action::Preview),
    (Mode::Browse, "G", Action::PreviewReseed),
    (Mode::Browse, "P", Action::PreviewPipeline),
    (Mode::Review, "esc", Action::Back),
    (Mode::Review, "q", Action::Back),
    (Mode::Review, "ctrl-c", Action::Quit),
    (Mode::Review, "?", Action::Help),
    (Mode::Review, "r", Action::Reload),
    (Mode::Review, "a", Action::Approve),
    (Mode::Review, "c", Action::RequestChanges),
    (Mode::Review, "x", Action::Reject),
    (Mode::Review, "A", Action::ApproveWithComment),
    (Mode::Review, "C", Action::RequestChangesWithComment),
    (Mode::Review, "X", Action::RejectWithComment),
    (Mode::Review, "j", Action::NextExample),
    (Mode::Review, "down", Action::NextExample),
    (Mode::Review, "n", Action::NextExample),
    (Mode::Review, "k", Action::PrevExample),
    (Mode::Review, "up", Action::PrevExample),
    (Mode::Review, "p", Action::PrevExample),
    (Mode::Review, "J", Action::NextLeaf),
    (Mode::Review, "tab", Action::NextLeaf),
    (Mode::Review, "K", Action::PrevLeaf),
    (Mode::Review, "shift-tab", Action::PrevLeaf),
    (Mode::Review, "1", Action::VerdictApproved),
    (Mode::Review, "2", Action::VerdictChangesRequested),
    (Mode::Review, "3", Action::VerdictRejected),
    (Mode::Review, "4", Action::VerdictUncertain),
    (Mode::Review, "pageup", Action::PageUp),
    (Mode::Review, "pagedown", Action::PageDown),
    (Mode::Browse, "T", Action::Train),
    (Mode::Train, "esc", Action::Back),
    (Mode::Train, "q", Action::Back),
    (Mode::Train, "ctrl-c", Action::Quit),
    (Mode::Train, "?", Action::Help),
    (Mode::Train, "r", Action::Reload),
    (Mode::Train, "k", Action::Up),
    (Mode::Train, "up", Action::Up),
    (Mode::Train, "j", Action::Down),
    (Mode::Train, "down", Action::Down),
    (Mode::Train, "g", Action::Top),
    (Mode::Train, "home", Action::Top),
    (Mode::Train, "G", Action::Bottom),
    (Mode::Train, "end", Action::Bottom),
    (Mode::Train, "pageup", Action::PageUp),
    (Mode::Train, "pagedown", Action::PageDown),
    (Mode::Train, "space", Action::MarkRun),
    (Mode::Train, "l", Action::LogScale),
    (Mode::Train, "x", Action::CancelRun),
    (Mode::Train, "n", Action::NewRun),
    (Mode::Train, "c", Action::Compare),
    (Mode::Train, "e", Action::ShowEval),
    (Mode::Train, "E", Action::RunEval),
];

/// An entry of a keymap file that was left out, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct KeymapProblem {
    /// The line (1-based).
    pub line: usize,
    /// The column (1-based).
    pub column: usize,
    /// What is wrong with it.
    pub message: String,
}

/// The bindings of every mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: BTreeMap<(Mode, Key), Action>,
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = DEFAULTS
            .iter()
            .filter_map(|&(mode, key, action)| Some(((mode, Key::parse(key)?), action)))
            .collect();
        Self { bindings }
    }
}

impl Keymap {
    /// The defaults overridden by every valid entry of the user's file (`[mode]
    /// "key" = "action"`; the action `"none"` unbinds a key), and the entries left
    /// out (TOML errors, unknown modes, keys and actions), each with its place.
    pub fn with_overrides(toml_text: &str) -> (Self, Vec<KeymapProblem>) {
        let mut keymap = Self::default();
        let (file, errors) = DeTable::parse_recoverable(toml_text);
        let at = |span: Range<usize>, message: String| {
            let (line, column) = line_column(toml_text, span.start);
            KeymapProblem {
                line,
                column,
                message,
            }
        };
        let mut problems: Vec<KeymapProblem> = errors
            .iter()
            .map(|error| at(error.span().unwrap_or(0..0), error.message().to_owned()))
            .collect();
        for (section, keys) in file.get_ref() {
            let mode = Mode::ALL
                .into_iter()
                .find(|m| m.section() == section.get_ref());
            let (Some(mode), DeValue::Table(keys)) = (mode, keys.get_ref()) else {
                let sections: Vec<&str> = Mode::ALL.iter().map(|m| m.section()).collect();
                problems.push(at(
                    section.span(),
                    format!(
                        "no mode [{}] (the modes: {})",
                        section.get_ref(),
                        sections.join(", ")
                    ),
                ));
                continue;
            };
            for (key_text, action_name) in keys {
                let Some(key) = Key::parse(key_text.get_ref()) else {
                    problems.push(at(
                        key_text.span(),
                        format!("no key \"{}\"", key_text.get_ref()),
                    ));
                    continue;
                };
                let DeValue::String(name) = action_name.get_ref() else {
                    problems.push(at(
                        action_name.span(),
                        "an action is a quoted name, e.g. \"find\"".to_owned(),
                    ));
                    continue;
                };
                let name = name.as_ref();
                if name == "none" {
                    keymap.bindings.remove(&(mode, key));
                } else if let Some(action) = Action::from_name(name) {
                    keymap.bindings.insert((mode, key), action);
                } else {
                    problems.push(at(
                        action_name.span(),
                        format!("no action \"{name}\" (? lists every action's name)"),
                    ));
                }
            }
        }
        // A TOML error comes first; what the recovered document makes of the same
        // place adds nothing.
        problems.sort_by_key(|problem| (problem.line, problem.column));
        problems.dedup_by_key(|problem| (problem.line, problem.column));
        (keymap, problems)
    }

    /// The action a key press asks for in `mode`.
    pub fn action(&self, mode: Mode, event: &KeyEvent) -> Option<Action> {
        // Shift is part of the character (`G`, `?`), so only ctrl and alt count.
        let key = Key::from_event(event)?;
        self.bindings.get(&(mode, key)).copied()
    }

    /// The keys bound to `action` in `mode`, as text. Plain keys come before ones with modifiers.
    pub fn keys_for(&self, mode: Mode, action: Action) -> Vec<String> {
        let mut keys: Vec<&Key> = self
            .bindings
            .iter()
            .filter(|((m, _), a)| *m == mode && **a == action)
            .map(|((_, key), _)| key)
            .collect();
        keys.sort_by_key(|key| (key.ctrl || key.alt, **key));
        keys.into_iter().map(Key::to_string).collect()
    }

    /// Every binding of `mode`, grouped by action in help order.
    pub fn help(&self, mode: Mode) -> Vec<(Action, Vec<String>)> {
        Action::ALL
            .iter()
            .map(|&action| (action, self.keys_for(mode, action)))
            .filter(|(_, keys)| !keys.is_empty())
            .collect()
    }

    /// Every mode with bindings, for the help screen.
    pub fn modes(&self) -> impl Iterator<Item = (Mode, &'static str)> {
        Mode::ALL.into_iter().map(|m| (m, m.section()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn defaults_bind_vim_and_arrow_keys() {
        let keymap = Keymap::default();
        let none = KeyModifiers::NONE;
        assert_eq!(
            keymap.action(Mode::Browse, &press(KeyCode::Char('j'), none)),
            Some(Action::Down)
        );
        assert_eq!(
            keymap.action(Mode::Browse, &press(KeyCode::Down, none)),
            Some(Action::Down)
        );
        assert_eq!(
            keymap.action(
                Mode::Browse,
                &press(KeyCode::Char('p'), KeyModifiers::CONTROL)
            ),
            Some(Action::Find)
        );
        assert_eq!(
            keymap.action(
                Mode::Browse,
                &press(KeyCode::Char('G'), KeyModifiers::SHIFT)
            ),
            Some(Action::PreviewReseed)
        );
        assert_eq!(
            keymap.action(Mode::Browse, &press(KeyCode::End, none)),
            Some(Action::Bottom)
        );
        assert_eq!(
            keymap.keys_for(Mode::Browse, Action::Find),
            vec!["/", "ctrl-p"]
        );
    }

    #[test]
    fn user_file_overrides_single_keys() {
        let (keymap, problems) =
            Keymap::with_overrides("[browse]\n\"ctrl-f\" = \"find\"\n\"q\" = \"none\"\n");
        assert_eq!(problems, vec![]);
        let ctrl_f = press(KeyCode::Char('f'), KeyModifiers::CONTROL);
        assert_eq!(keymap.action(Mode::Browse, &ctrl_f), Some(Action::Find));
        assert_eq!(
            keymap.action(Mode::Browse, &press(KeyCode::Char('q'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            keymap.action(Mode::Browse, &press(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down),
            "other keys keep their defaults"
        );
    }

    #[test]
    fn bad_entries_are_placed_and_the_valid_ones_kept() {
        let text = "[browse]\n\"z\" = \"zoom\"\n\"hyper-q\" = \"quit\"\n\"ctrl-f\" = \"find\"\n\"x\" = 3\n\n[nowhere]\n\"a\" = \"quit\"\n[help]\n\"J\" = \"page-down\"\n";
        let (keymap, problems) = Keymap::with_overrides(text);
        let places: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(places, vec![(2, 7), (3, 1), (5, 7), (7, 2)], "{problems:?}");
        assert_eq!(
            problems[0].to_string(),
            "2:7: no action \"zoom\" (? lists every action's name)"
        );
        assert!(problems[1].message.contains("no key \"hyper-q\""));
        assert!(
            problems[2]
                .message
                .starts_with("an action is a quoted name")
        );
        assert!(problems[3].message.starts_with("no mode [nowhere]"));
        let ctrl_f = press(KeyCode::Char('f'), KeyModifiers::CONTROL);
        assert_eq!(keymap.action(Mode::Browse, &ctrl_f), Some(Action::Find));
        let big_j = press(KeyCode::Char('J'), KeyModifiers::SHIFT);
        assert_eq!(keymap.action(Mode::Help, &big_j), Some(Action::PageDown));

        let (keymap, problems) =
            Keymap::with_overrides("[browse]\n\"ctrl-f\" = \"find\"\n\"w\" = \n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 3, "{problems:?}");
        assert_eq!(
            keymap.action(Mode::Browse, &ctrl_f),
            Some(Action::Find),
            "a TOML error keeps the entries it does not touch"
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_a_mode() {
        let mut seen = std::collections::BTreeSet::new();
        for &(mode, key, action) in DEFAULTS {
            let parsed = Key::parse(key).unwrap_or_else(|| panic!("{key} parses"));
            assert!(
                seen.insert((mode, parsed)),
                "{key} is bound twice in {} (again to {})",
                mode.section(),
                action.name()
            );
        }
    }

    #[test]
    fn punctuation_keys_bind() {
        let keymap = Keymap::default();
        let plus = KeyEvent::new(KeyCode::Char('+'), KeyModifiers::NONE);
        assert_eq!(keymap.action(Mode::Browse, &plus), Some(Action::ExpandAll));
    }

    #[test]
    fn keys_print_as_they_parse() {
        for text in [
            "q",
            "ctrl-p",
            "alt-x",
            "enter",
            "shift-tab",
            "f5",
            "space",
            "?",
        ] {
            assert_eq!(Key::parse(text).unwrap().to_string(), text);
        }
    }
}
