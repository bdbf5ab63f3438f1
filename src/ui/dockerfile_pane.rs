//! The left pane: the Dockerfile with line numbers and colours, the
//! selected instruction marked, the line being edited, and a parse error
//! in words under its line.

use crate::app::i18n::tr;
use crate::app::model::{EditTarget, Focus, Mode, Model};
use crate::ui::highlight::line_spans;
use crate::ui::theme::Theme;
use crate::ui::{focused, text};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

/// One row of the pane.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Row {
    /// A line of the document (0-based).
    Doc(usize),
    /// Line `n` of the text being edited.
    Edit(usize),
    /// The parse error's message.
    Problem,
}

fn rows(model: &Model) -> Vec<Row> {
    let mut out = Vec::new();
    let n = model.doc.lines.len();
    let (skip, insert_at, edit_lines) = match &model.mode {
        Mode::Edit { input, target } => {
            let count = input.text.split('\n').count();
            match *target {
                EditTarget::Replace { first, last } => (Some((first, last)), first, count),
                EditTarget::Insert { at } => (None, at, count),
            }
        }
        _ => (None, usize::MAX, 0),
    };
    let problem = model.outline.problem.as_ref().map(|p| p.line);
    for i in 0..=n {
        if i == insert_at {
            out.extend((0..edit_lines).map(Row::Edit));
        }
        if i == n {
            break;
        }
        if skip.is_some_and(|(f, l)| i >= f && i <= l) {
            continue;
        }
        out.push(Row::Doc(i));
        if problem == Some(i) && edit_lines == 0 {
            out.push(Row::Problem);
        }
    }
    if problem.is_some_and(|p| p >= n) && edit_lines == 0 {
        out.push(Row::Problem);
    }
    out
}

/// The first row shown, so that the selected instruction stays visible.
fn offset(model: &Model, rows: &[Row], height: usize) -> usize {
    let target = match &model.mode {
        Mode::Edit { .. } => rows.iter().rposition(|r| matches!(r, Row::Edit(_))),
        _ => model
            .outline
            .blocks
            .get(model.selected)
            .and_then(|b| rows.iter().position(|r| *r == Row::Doc(b.last))),
    };
    match target {
        Some(t) if t + 1 > height => t + 1 - height,
        _ => 0,
    }
}

pub fn render(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = Theme::new(model.no_color);
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
    let mut lines = Vec::new();
    for row in all.iter().skip(start).take(height) {
        let line = match row {
            Row::Doc(i) => {
                let is_sel = selected.is_some_and(|b| *i >= b.first && *i <= b.last)
                    && !matches!(model.mode, Mode::Edit { .. });
                let marker = if is_sel && selected.is_some_and(|b| b.first == *i) {
                    "▶"
                } else {
                    " "
                };
                let problem = model.outline.problem.as_ref().is_some_and(|p| p.line == *i);
                let num_style = if problem { theme.error() } else { theme.dim() };
                let mut spans = vec![
                    Span::raw(marker.to_string()),
                    Span::styled(format!("{:>gutter$} ", i + 1), num_style),
                ];
                spans.extend(line_spans(&model.doc.lines[*i], starts.contains(i), theme));
                let mut l = text::cut_line(Line::from(spans), w);
                if is_sel {
                    l = l.patch_style(theme.selected());
                }
                l
            }
            Row::Edit(n) => edit_line(model, *n, gutter, theme),
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

/// A line of the edit buffer, with the cursor drawn in reverse video.
fn edit_line(model: &Model, n: usize, gutter: usize, theme: Theme) -> Line<'static> {
    let Mode::Edit { input, .. } = &model.mode else {
        return Line::default();
    };
    let mut spans = vec![Span::styled(format!("✎{:>gutter$} ", ""), theme.key())];
    // The cursor's (line, column) within the buffer.
    let before: String = input.text.chars().take(input.cursor).collect();
    let cur_line = before.matches('\n').count();
    let cur_col = before.rsplit('\n').next().map_or(0, |s| s.chars().count());
    let text_line = input.text.split('\n').nth(n).unwrap_or("");
    if n == cur_line {
        let chars: Vec<char> = text_line.chars().collect();
        let head: String = chars.iter().take(cur_col).collect();
        let at: String = chars
            .get(cur_col)
            .map_or(" ".to_string(), |c| c.to_string());
        let tail: String = chars.iter().skip(cur_col + 1).collect();
        spans.push(Span::raw(head));
        spans.push(Span::styled(at, theme.cursor()));
        spans.push(Span::raw(tail));
    } else {
        spans.push(Span::raw(text_line.to_string()));
    }
    Line::from(spans).patch_style(Style::default())
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
