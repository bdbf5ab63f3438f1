//! Overlays: the help generated from the key map, and the step details
//! (the why-pane in full, with the layer's files).

use crate::app::i18n::{tr, trf};
use crate::app::model::{overlay_height, overlay_rows, Model};
use crate::ui::panes::why_lines;
use crate::ui::text;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

/// Where an overlay goes on a screen `area`: centred, most of it.
pub fn overlay_area(area: Rect) -> Rect {
    let w = (area.width * 9 / 10).max(20).min(area.width);
    let h = overlay_height(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Every binding of the key map, by place, with what it does.
pub fn help_lines(model: &Model) -> Vec<Line<'static>> {
    let theme = Theme::of(model);
    let entries = model.help_entries();
    let key_w = entries
        .iter()
        .map(|(_, _, keys)| text::width(&text::keys_label(keys)))
        .max()
        .unwrap_or(0);
    let mut out = Vec::new();
    let mut last_scope = None;
    for (scope, action, keys) in entries {
        if last_scope != Some(scope) {
            if last_scope.is_some() {
                out.push(Line::default());
            }
            out.push(Line::from(Span::styled(
                tr(model.lang, &format!("help.{}", scope.name())),
                theme.title(),
            )));
            last_scope = Some(scope);
        }
        let k = text::keys_label(&keys);
        out.push(Line::from(vec![
            Span::styled(format!("  {}", text::fit(&k, key_w)), theme.key()),
            Span::raw(format!("  {}", tr(model.lang, &format!("action.{action}")))),
        ]));
    }
    out
}

/// The frame of an overlay: cleared, bordered, titled, with `bottom` on
/// its lower border; returns the area inside.
pub fn frame(model: &Model, area: Rect, buf: &mut Buffer, title: &str, bottom: &str) -> Rect {
    let theme = Theme::of(model);
    let r = overlay_area(area);
    Clear.render(r, buf);
    // A wide character just left of the overlay would be drawn over its
    // left border by the terminal: blank it, as a terminal would.
    crate::ui::blank_split_wide(buf, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            text::title(&format!(" {title} "), r.width),
            theme.title(),
        ))
        .title_bottom(Span::styled(
            text::title(&format!(" {bottom} "), r.width),
            theme.dim(),
        ));
    let inner = block.inner(r);
    block.render(r, buf);
    inner
}

pub fn help(model: &Model, area: Rect, buf: &mut Buffer) {
    let lang = model.lang;
    let lines = help_lines(model);
    let rows = overlay_rows(area.height);
    let start = model.help_scroll.min(lines.len().saturating_sub(rows));
    let end = (start + rows).min(lines.len());
    // Where the learner is, when the help is longer than the screen.
    let bottom = if lines.len() > rows {
        format!(
            "{} · {}",
            trf(
                lang,
                "help.scroll",
                &[
                    ("first", &(start + 1).to_string()),
                    ("last", &end.to_string()),
                    ("total", &lines.len().to_string()),
                ],
            ),
            tr(lang, "help.close")
        )
    } else {
        tr(lang, "help.close")
    };
    let inner = frame(model, area, buf, &tr(lang, "pane.help"), &bottom);
    let w = inner.width as usize;
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(start)
        .take(rows)
        .map(|l| text::cut_line(l, w))
        .collect();
    Paragraph::new(shown).render(inner, buf);
}

pub fn details(model: &Model, area: Rect, buf: &mut Buffer) {
    let inner = frame(
        model,
        area,
        buf,
        &tr(model.lang, "pane.details"),
        &tr(model.lang, "help.close"),
    );
    // The frame's right border, drawn again over wrapped text (see
    // `wrapped_in`).
    let right = Rect::new(inner.right(), inner.y, 1, inner.height);
    Paragraph::new(why_lines(model, true))
        .wrap(Wrap { trim: false })
        .render(inner, buf);
    Block::default()
        .borders(Borders::RIGHT)
        .border_style(Theme::of(model).border(true))
        .render(right, buf);
    crate::ui::blank_split_wide(buf, right);
}
