//! The popups: each owns its state, handles its keys and draws itself over the
//! screen; the app keeps them on a stack (see [`crate::tui::component`]).

pub mod branches;
pub mod commit;
pub mod conflict;
pub mod diff;
pub mod field_editor;
pub mod finder;
pub mod git_questions;
pub mod help;
pub mod palette;
pub mod picker;
pub mod question;
pub mod wizard;
