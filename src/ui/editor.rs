//! The multi-line editor on screen: a line of a [`TextArea`] fitted to its
//! cells with the cursor in reverse video (scrolled sideways to keep the
//! cursor in view), and the overlay a context file is edited in.

use crate::app::editor::{cells, EditTarget, TextArea};
use crate::app::i18n::{tr, trf};
use crate::app::model::{Mode, Model};
use crate::ui::text;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// Line `row` of `area` in `w` cells. The cursor's line starts with `…`
/// when its start is scrolled out of view; every line ends with `…` when
/// it is cut.
pub fn line(area: &TextArea, row: usize, w: usize, theme: Theme) -> Line<'static> {
    let Some(text_line) = area.lines().get(row) else {
        return Line::default();
    };
    let (cur_row, cur_col) = area.cursor();
    if row != cur_row {
        return text::cut_line(Line::from(text_line.clone()), w);
    }
    let chars: Vec<char> = text_line.chars().collect();
    let mut start = 0;
    // The cursor's cell, and the `…` in front when the line is scrolled.
    while start < cur_col && cells(chars[start..cur_col].iter().copied()) + 2 > w {
        start += 1;
    }
    let mut spans = Vec::new();
    if start > 0 {
        spans.push(Span::styled("…", theme.dim()));
    }
    spans.push(Span::raw(chars[start..cur_col].iter().collect::<String>()));
    let at = chars.get(cur_col).map_or(" ".to_string(), char::to_string);
    spans.push(Span::styled(at, theme.cursor()));
    let tail: String = chars.iter().skip(cur_col + 1).collect();
    spans.push(Span::raw(tail));
    text::cut_line(Line::from(spans), w)
}

/// The first line shown in `height` rows, so that `row` (the cursor's) is
/// in view.
pub fn offset(row: usize, height: usize) -> usize {
    (row + 1).saturating_sub(height)
}

/// A context file in the editor: an overlay over the screen, titled with
/// its path and that what is kept is simulated.
pub fn overlay(model: &Model, area: Rect, buf: &mut Buffer) {
    let Mode::Edit(edit) = &model.mode else {
        return;
    };
    let EditTarget::Context { path, .. } = &edit.target else {
        return;
    };
    let theme = Theme::of(model);
    let title = trf(model.lang, "edit.context_title", &[("path", path)]);
    let inner = crate::ui::help::frame(model, area, buf, &title, &tr(model.lang, "edit.hint"));
    let lines = edit.area.lines();
    let gutter = lines.len().to_string().len().max(2);
    let height = inner.height as usize;
    let w = (inner.width as usize).saturating_sub(gutter + 1);
    let start = offset(edit.area.cursor().0, height);
    let shown: Vec<Line> = (start..lines.len())
        .take(height)
        .map(|i| {
            let mut spans = vec![Span::styled(format!("{:>gutter$} ", i + 1), theme.dim())];
            spans.extend(line(&edit.area, i, w, theme).spans);
            Line::from(spans)
        })
        .collect();
    Paragraph::new(shown).render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::{Key, KeyCode};

    fn plain(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn the_cursor_line_scrolls_sideways_and_korean_keeps_its_cells() {
        let theme = Theme::new(true);
        let mut a = TextArea::new("RUN echo 안녕하세요 && echo done", 0);
        // At the end of a 33-cell line in 20 cells: the start scrolls out.
        let l = line(&a, 0, 20, theme);
        let s = plain(&l);
        assert!(s.starts_with('…'), "{s}");
        assert!(text::width(&s) <= 20, "{s}");
        assert!(s.ends_with("done "), "the cursor after the end: {s}");
        // At the start the line is cut at its end instead.
        a.key(Key::plain(KeyCode::Home));
        let s = plain(&line(&a, 0, 20, theme));
        assert!(s.starts_with("RUN echo"), "{s}");
        assert!(s.ends_with('…'), "{s}");
        assert!(text::width(&s) <= 20, "{s}");
        // The cursor on a Korean syllable covers both its cells.
        for _ in 0..9 {
            a.key(Key::plain(KeyCode::Right));
        }
        let l = line(&a, 0, 40, theme);
        let cursor = l.spans.iter().find(|s| s.style == theme.cursor()).unwrap();
        assert_eq!(cursor.content, "안");
        assert_eq!(text::width(&plain(&l)[..9]), 9);
    }
}
