//! The left pane: the Dockerfile with line numbers and colours, the
//! selected instruction marked, the line being edited, a parse error
//! in words under its line, and a `!` on an instruction a build check
//! (`docker build --check`) warns about.

use crate::app::editor::TextArea;
use crate::app::i18n::tr;
use crate::app::model::{Focus, Mode, Model};
use crate::ui::highlight::line_spans;
use crate::ui::theme::Theme;
use crate::ui::{editor, focused, text};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};
use std::ops::Range;

/// One row of the pane.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Row {
    /// A line of the document (0-based); while the editor is open the
    /// document holds its lines.
    Doc(usize),
    /// The parse error's message, under its line (while editing too: the
    /// edit is kept and the error stays in view).
    Problem,
}

fn rows(model: &Model) -> Vec<Row> {
    let mut out = Vec::new();
    let n = model.doc.lines.len();
    let problem = model.outline.problem.as_ref().map(|p| p.line);
    for i in 0..n {
        out.push(Row::Doc(i));
        if problem == Some(i) {
            out.push(Row::Problem);
        }
    }
    if problem.is_some_and(|p| p >= n) {
        out.push(Row::Problem);
    }
    out
}

/// The editor open on the Dockerfile: its text area and the document lines
/// it holds.
fn editing(model: &Model) -> Option<(&TextArea, Range<usize>)> {
    match &model.mode {
        Mode::Edit(edit) => Some((&edit.area, edit.rows()?)),
        _ => None,
    }
}

/// The first row shown, so that the selected instruction (or the editor's
/// cursor) stays visible.
fn offset(model: &Model, rows: &[Row], height: usize) -> usize {
    let line = match editing(model) {
        Some((area, range)) => Some(range.start + area.cursor().0),
        None => model.outline.blocks.get(model.selected).map(|b| b.last),
    };
    match line.and_then(|l| rows.iter().position(|r| *r == Row::Doc(l))) {
        Some(t) => editor::offset(t, height),
        None => 0,
    }
}

pub fn render(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = Theme::of(model);
    let mut title = format!(" {} · {} ", tr(model.lang, "pane.dockerfile"), model.title);
    if model.doc.is_dirty() {
        title.push_str("● ");
    }
    if model.sandbox {
        title.push_str(&format!("({}) ", tr(model.lang, "sandbox")));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused(model, Focus::Dockerfile)))
        .title(Span::styled(text::title(&title, area.width), theme.title()));
    let inner = block.inner(area);
    block.render(area, buf);
    let all = rows(model);
    let height = inner.height as usize;
    let start = offset(model, &all, height);
    let selected = model.outline.blocks.get(model.selected).copied();
    let starts: Vec<usize> = model.outline.blocks.iter().map(|b| b.first).collect();
    let gutter = model.doc.lines.len().max(1).to_string().len().max(2);
    let w = inner.width as usize;
    let edit = editing(model);
    let mut lines = Vec::new();
    for row in all.iter().skip(start).take(height) {
        let line = match row {
            Row::Doc(i) if edit.as_ref().is_some_and(|(_, r)| r.contains(i)) => {
                let (area, range) = edit.as_ref().expect("checked above");
                let num_style = if problem_at(model, *i) {
                    theme.error()
                } else {
                    theme.key()
                };
                let mut spans = vec![Span::styled(format!("✎{:>gutter$} ", i + 1), num_style)];
                let text_w = w.saturating_sub(gutter + 2);
                let row = i - range.start;
                if row == area.cursor().0 {
                    spans.extend(editor::line(area, row, text_w, theme).spans);
                    Line::from(spans)
                } else {
                    // The other lines keep their colours while edited.
                    spans.extend(line_spans(&model.doc.lines[*i], starts.contains(i), theme));
                    text::cut_line(Line::from(spans), w)
                }
            }
            Row::Doc(i) => {
                let is_sel = selected.is_some_and(|b| *i >= b.first && *i <= b.last)
                    && !matches!(model.mode, Mode::Edit { .. });
                let marker = if is_sel && selected.is_some_and(|b| b.first == *i) {
                    "▶"
                } else {
                    " "
                };
                let num_style = if problem_at(model, *i) {
                    theme.error()
                } else {
                    theme.dim()
                };
                // A build check on the instruction: `!` after its number.
                let checked = model
                    .outline
                    .block_at(*i)
                    .filter(|b| starts.get(*b) == Some(i))
                    .is_some_and(|b| model.outline.checks_of(b).next().is_some());
                let mut spans = vec![
                    Span::raw(marker.to_string()),
                    Span::styled(format!("{:>gutter$}", i + 1), num_style),
                    if checked {
                        Span::styled("!", theme.check())
                    } else {
                        Span::raw(" ")
                    },
                ];
                spans.extend(line_spans(&model.doc.lines[*i], starts.contains(i), theme));
                let mut l = text::cut_line(Line::from(spans), w);
                if is_sel {
                    l = l.patch_style(theme.selected());
                }
                l
            }
            Row::Problem => {
                let msg = model
                    .outline
                    .problem
                    .as_ref()
                    .map(|p| p.message.render(model.lang))
                    .unwrap_or_default();
                text::cut_line(
                    Line::from(vec![
                        Span::raw(" ".repeat(gutter + 2)),
                        Span::styled(format!("✗ {msg}"), theme.error()),
                    ]),
                    w,
                )
            }
        };
        lines.push(line);
    }
    Paragraph::new(lines).render(inner, buf);
}

fn problem_at(model: &Model, line: usize) -> bool {
    model
        .outline
        .problem
        .as_ref()
        .is_some_and(|p| p.line == line)
}

/// The instruction on screen row `row` (absolute), if any.
pub fn instruction_at(model: &Model, area: Rect, row: u16) -> Option<usize> {
    if row <= area.y || row + 1 >= area.y + area.height {
        return None;
    }
    let all = rows(model);
    let height = area.height.saturating_sub(2) as usize;
    let start = offset(model, &all, height);
    match all.get(start + (row - area.y - 1) as usize)? {
        Row::Doc(i) => model.outline.block_at(*i),
        _ => None,
    }
}
