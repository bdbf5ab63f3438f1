//! The screen, drawn from `&Model` only: the layout, the panes, overlays,
//! and the reverse question the runtime asks for mouse clicks (which row is
//! under this cell?).

pub mod dockerfile_pane;
pub mod editor;
pub mod export;
pub mod help;
pub mod highlight;
pub mod layers_pane;
pub mod lesson_pane;
pub mod menu;
pub mod panes;
pub mod present;
pub mod shell_pane;
pub mod text;
pub mod theme;

use crate::app::model::{Focus, Mode, Model};
use crate::app::update::Event;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::Frame;

/// Where each part of the screen goes for the model's size and state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// The lesson's band above the panes, on a lesson's screen.
    pub lesson: Option<Rect>,
    pub dockerfile: Rect,
    pub context: Option<Rect>,
    pub layers: Rect,
    /// The why-pane (roomy layout) …
    pub why: Option<Rect>,
    /// … or its one-line fold (80×24).
    pub why_line: Option<Rect>,
    pub output: Option<Rect>,
    pub status: Rect,
    pub footer: Rect,
}

pub fn areas(model: &Model) -> Areas {
    let (lesson, area) = lesson_pane::split(model, Rect::new(0, 0, model.size.0, model.size.1));
    let roomy = model.roomy();
    let output_h = if model.log.shown && !model.log.output.is_empty() {
        (area.height / 3).clamp(4, 12)
    } else {
        0
    };
    let why_h = if roomy { 6 } else { 1 };
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Min(5),
            Constraint::Length(why_h),
            Constraint::Length(output_h),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .split(area);
    // Side by side, the two layer columns take the room the Dockerfile
    // can spare.
    let columns = model.side_by_side && !layers_pane::stacked(model);
    let left_pct = match (roomy, columns) {
        (true, false) => 38,
        (false, false) => 44,
        (true, true) => 30,
        (false, true) => 26,
    };
    let cols = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(left_pct), Constraint::Min(20)])
        .split(rows[0]);
    let (dockerfile, context) = if model.context.open {
        let parts = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Percentage(55), Constraint::Min(3)])
            .split(cols[0]);
        (parts[0], Some(parts[1]))
    } else {
        (cols[0], None)
    };
    Areas {
        lesson,
        dockerfile,
        context,
        layers: cols[1],
        why: roomy.then_some(rows[1]),
        why_line: (!roomy).then_some(rows[1]),
        output: (output_h > 0).then_some(rows[2]),
        status: rows[3],
        footer: rows[4],
    }
}

/// Draw the whole screen.
pub fn draw(frame: &mut Frame, model: &Model) {
    render(model, frame.area(), frame.buffer_mut());
}

pub fn render(model: &Model, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, theme::Theme::of(model).screen());
    if model.present {
        present::render(model, area, buf);
        overlays(model, area, buf);
        return;
    }
    let a = areas(model);
    let a = clip(a, area);
    if let Some(r) = a.lesson {
        lesson_pane::render(model, r, buf);
    }
    dockerfile_pane::render(model, a.dockerfile, buf);
    if let Some(r) = a.context {
        panes::context(model, r, buf);
    }
    layers_pane::render(model, a.layers, buf);
    if let Some(r) = a.why {
        panes::why(model, r, buf);
    }
    if let Some(r) = a.why_line {
        panes::why_line(model, r, buf);
    }
    if let Some(r) = a.output {
        panes::output(model, r, buf);
    }
    panes::status(model, a.status, buf);
    panes::footer(model, a.footer, buf);
    overlays(model, area, buf);
}

/// What opens over the screen, in either layout.
fn overlays(model: &Model, area: Rect, buf: &mut Buffer) {
    match model.mode {
        Mode::Help => help::help(model, area, buf),
        Mode::Details => help::details(model, area, buf),
        Mode::Edit(_) => editor::overlay(model, area, buf),
        Mode::Shell(_) => shell_pane::render(model, area, buf),
        _ => {}
    }
    if model.lesson.as_ref().is_some_and(|l| l.solution_open) && model.mode == Mode::Normal {
        lesson_pane::solution(model, area, buf);
    }
}

/// Blank a wide character that starts just left of `r`: its second half
/// lies under `r`'s left edge, and a terminal draws it over whatever is
/// drawn there (an overlay's left border).
pub fn blank_split_wide(buf: &mut Buffer, r: Rect) {
    if r.x == 0 {
        return;
    }
    for y in r.top()..r.bottom() {
        let cell = &mut buf[(r.x - 1, y)];
        if text::width(cell.symbol()) > 1 {
            cell.set_symbol(" ");
        }
    }
}

/// Wrapped text inside a bordered block, the border drawn last: ratatui's
/// wrapping can let a wide character's second half fall on the right
/// border, and a terminal draws it there. The border wins, and a wide
/// character split by it is blanked.
pub fn wrapped_in(
    block: ratatui::widgets::Block,
    lines: Vec<ratatui::text::Line<'static>>,
    area: Rect,
    buf: &mut Buffer,
) {
    use ratatui::widgets::{Paragraph, Widget, Wrap};
    let inner = block.inner(area);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
    block.render(area, buf);
    if area.width >= 2 {
        blank_split_wide(buf, Rect::new(area.right() - 1, area.y, 1, area.height));
    }
}

fn clip(mut a: Areas, area: Rect) -> Areas {
    let c = |r: Rect| r.intersection(area);
    a.lesson = a.lesson.map(c);
    a.dockerfile = c(a.dockerfile);
    a.layers = c(a.layers);
    a.context = a.context.map(c);
    a.why = a.why.map(c);
    a.why_line = a.why_line.map(c);
    a.output = a.output.map(c);
    a.status = c(a.status);
    a.footer = c(a.footer);
    a
}

fn inside(r: Rect, col: u16, row: u16) -> bool {
    col >= r.x && col < r.x + r.width && row >= r.y && row < r.y + r.height
}

/// What a click at (col, row) selects, as an event for `update`.
pub fn click(model: &Model, col: u16, row: u16) -> Option<Event> {
    if model.mode != Mode::Normal {
        return None;
    }
    let a = areas(model);
    if inside(a.dockerfile, col, row) {
        return dockerfile_pane::instruction_at(model, a.dockerfile, row)
            .map(Event::SelectInstruction);
    }
    if inside(a.layers, col, row) {
        return layers_pane::instruction_at(model, a.layers, col, row)
            .map(Event::SelectInstruction);
    }
    if let Some(r) = a.context {
        if inside(r, col, row) {
            let offset = panes::context_offset(model, r);
            let i = (row.saturating_sub(r.y + 1)) as usize + offset;
            return (row > r.y).then_some(Event::SelectContext(i));
        }
    }
    None
}

/// What the wheel at (col, row) scrolls: the output pane, or the selection.
pub fn wheel(model: &Model, col: u16, row: u16, up: bool) -> Option<Event> {
    let a = areas(model);
    if a.output.is_some_and(|r| inside(r, col, row)) {
        return Some(Event::ScrollOutput(if up { 3 } else { -3 }));
    }
    if inside(a.dockerfile, col, row) || inside(a.layers, col, row) {
        let n = model.outline.blocks.len();
        let sel = if up {
            model.selected.saturating_sub(1)
        } else {
            (model.selected + 1).min(n.saturating_sub(1))
        };
        return Some(Event::SelectInstruction(sel));
    }
    None
}

/// Whether `focus` is the pane keys go to (for border styles).
pub fn focused(model: &Model, focus: Focus) -> bool {
    model.focus == focus && matches!(model.mode, Mode::Normal | Mode::Edit { .. })
}
