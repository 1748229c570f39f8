//! Drawing helpers shared by the screens and popups (each draws itself): the
//! status bar, colours and symbols, and common widgets.

pub mod status;
pub mod theme;
pub mod widgets;
