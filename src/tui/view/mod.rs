//! Drawing: a pure function of the application state.

mod author;
mod detail;
mod preview;
mod review;
mod status;
pub mod theme;
mod train;
mod train_compare;
mod tree;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout};

use super::app::{App, Popup};

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let [main, status_area] = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(3), Constraint::Length(2)])
        .areas(frame.area());
    if let Some(screen) = &app.train {
        train::draw(frame, main, app, screen);
        status::draw(frame, status_area, app);
        popup(frame, app);
        return;
    }
    if let Some(screen) = &app.review {
        review::draw(frame, main, app, screen);
        status::draw(frame, status_area, app);
        popup(frame, app);
        return;
    }
    let tree_width = (main.width * 2 / 5).clamp(24, 60);
    let [tree_area, detail_area] = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Length(tree_width), Constraint::Min(20)])
        .areas(main);
    tree::draw(frame, tree_area, app);
    let detail_area = match &app.preview.open {
        Some(open) => {
            let [detail_area, preview_area] = Layout::default()
                .direction(Direction::Vertical)
                .constraints([Constraint::Percentage(40), Constraint::Percentage(60)])
                .areas(detail_area);
            preview::draw(frame, preview_area, app, open);
            detail_area
        }
        None => detail_area,
    };
    detail::draw(frame, detail_area, app);
    status::draw(frame, status_area, app);
    popup(frame, app);
}

/// Draws the popup shown, if any.
fn popup(frame: &mut Frame<'_>, app: &App) {
    match &app.popup {
        None => {}
        Some(Popup::NewLeaf(wizard)) => author::wizard(frame, app, wizard),
        Some(Popup::EditField(editor)) => author::field_editor(frame, app, editor),
    }
    let top = app.popups.len().saturating_sub(1);
    for (layer, popup) in app.popups.iter().enumerate() {
        popup.draw(frame, frame.area(), &app.shared, layer == top);
    }
}
