//! A line of text being typed (the finder's query, a commit message, a comment,
//! a form's field), with the readline keys people type without thinking: the
//! editing actions of the keymap's picker mode (`ctrl-u`, `ctrl-w`, `ctrl-a`,
//! `ctrl-e`, `alt-b`, `alt-f`, ...). The editing itself is `tui-input`'s, by
//! graphemes and words.

use tui_input::{Input, InputRequest};

use super::action::Action;
use super::component::Press;

/// A line of text being typed, with a cursor.
#[derive(Debug, Clone, Default)]
pub struct InputLine {
    input: Input,
}

impl PartialEq for InputLine {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text() && self.input.cursor() == other.input.cursor()
    }
}

impl Eq for InputLine {}

/// The edit an action asks of an input line, if it is an editing action.
fn request(action: Action) -> Option<InputRequest> {
    Some(match action {
        Action::CharLeft => InputRequest::GoToPrevChar,
        Action::CharRight => InputRequest::GoToNextChar,
        Action::WordLeft => InputRequest::GoToPrevWord,
        Action::LineStart => InputRequest::GoToStart,
        Action::LineEnd => InputRequest::GoToEnd,
        Action::DeleteBack => InputRequest::DeletePrevChar,
        Action::DeleteForward => InputRequest::DeleteNextChar,
        Action::DeleteWordBack => InputRequest::DeletePrevWord,
        Action::DeleteWordForward => InputRequest::DeleteNextWord,
        Action::DeleteToStart => InputRequest::DeleteFromStart,
        Action::DeleteToEnd => InputRequest::DeleteTillEnd,
        _ => return None,
    })
}

/// Where readline's forward-word goes in `text` from character `cursor`: the end of
/// the word at or after it (tui-input and the text area go to the start of the next
/// word), as a character index.
pub fn word_end(text: &str, cursor: usize) -> usize {
    let rest = text.chars().skip(cursor);
    let spaces = rest.clone().take_while(|c| !c.is_alphanumeric()).count();
    let word = rest
        .skip(spaces)
        .take_while(|c| c.is_alphanumeric())
        .count();
    cursor + spaces + word
}

impl InputLine {
    /// A line holding `text`, the cursor at its end.
    pub fn from_text(text: &str) -> Self {
        Self {
            input: Input::new(text.to_owned()),
        }
    }

    /// The text typed so far.
    pub fn text(&self) -> &str {
        self.input.value()
    }

    /// The cursor's column from the start of the text, on screen.
    pub fn cursor(&self) -> usize {
        self.input.visual_cursor()
    }

    /// Inserts a character at the cursor.
    pub fn insert(&mut self, c: char) {
        self.input.handle(InputRequest::InsertChar(c));
    }

    /// Takes a key press as typing: a key that types a character inserts it
    /// (whatever it is bound to elsewhere), an editing action edits. True if the
    /// text changed.
    pub fn edit(&mut self, press: &Press) -> bool {
        let request = match (press.typed(), press.action) {
            (Some(c), _) => InputRequest::InsertChar(c),
            (None, Some(Action::WordRight)) => InputRequest::SetCursor(self.word_end()),
            (None, Some(action)) => match request(action) {
                Some(request) => request,
                None => return false,
            },
            (None, None) => return false,
        };
        self.input
            .handle(request)
            .is_some_and(|changed| changed.value)
    }

    /// Where readline's forward-word goes from the cursor.
    fn word_end(&self) -> usize {
        word_end(self.text(), self.input.cursor())
    }

    /// Whether `press` is typing or editing for an input line (so it is the line's,
    /// not the popup's).
    pub fn takes(press: &Press) -> bool {
        press.typed().is_some()
            || press.action == Some(Action::WordRight)
            || press.action.and_then(request).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn typed(line: &mut InputLine, text: &str) {
        for c in text.chars() {
            line.insert(c);
        }
    }

    fn press(line: &mut InputLine, action: Action) -> bool {
        line.edit(&Press::action(action))
    }

    #[test]
    fn readline_actions_edit_by_words_and_ends() {
        let mut line = InputLine::default();
        typed(&mut line, "tidés here now");
        assert!(press(&mut line, Action::DeleteWordBack));
        assert_eq!(line.text(), "tidés here ");
        press(&mut line, Action::WordLeft);
        assert_eq!(
            line.cursor(),
            "tidés ".chars().count(),
            "at the start of here"
        );
        assert!(press(&mut line, Action::DeleteToStart));
        assert_eq!((line.text(), line.cursor()), ("here ", 0));
        press(&mut line, Action::LineEnd);
        assert!(press(&mut line, Action::DeleteBack));
        press(&mut line, Action::LineStart);
        assert!(press(&mut line, Action::DeleteForward));
        assert_eq!(line.text(), "ere");
        press(&mut line, Action::WordRight);
        assert_eq!(line.cursor(), 3, "to the end of the word");
        assert!(!press(&mut line, Action::Confirm), "not an editing action");
    }

    #[test]
    fn a_typing_key_is_text_whatever_it_is_bound_to() {
        let mut line = InputLine::default();
        let space = Press {
            action: Some(Action::Toggle),
            key: KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE),
        };
        let capital = Press {
            action: None,
            key: KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT),
        };
        assert!(line.edit(&capital) && line.edit(&space));
        assert_eq!(line.text(), "A ");
        let ctrl_u = Press {
            action: None,
            key: KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
        };
        assert!(!line.edit(&ctrl_u), "an unbound ctrl key is not text");
        assert_eq!(line.text(), "A ");
    }
}
