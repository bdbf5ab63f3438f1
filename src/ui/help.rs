//! Overlays: the help generated from the key map, and the step details
//! (the why-pane in full, with the layer's files).

use crate::app::i18n::tr;
use crate::app::model::Model;
use crate::ui::panes::why_lines;
use crate::ui::text;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

fn centered(area: Rect, w_pct: u16, h_pct: u16) -> Rect {
    let w = (area.width * w_pct / 100).max(20).min(area.width);
    let h = (area.height * h_pct / 100).max(8).min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Every binding of the key map, by place, with what it does.
pub fn help_lines(model: &Model) -> Vec<Line<'static>> {
    let theme = Theme::new(model.no_color);
    let entries = model.keymap.entries();
    let key_w = entries
        .iter()
        .map(|(_, _, keys)| {
            text::width(
                &keys
                    .iter()
                    .map(|k| text::key_label(*k))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        })
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
        let k = keys
            .iter()
            .map(|k| text::key_label(*k))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(Line::from(vec![
            Span::styled(format!("  {}", text::fit(&k, key_w)), theme.key()),
            Span::raw(format!("  {}", tr(model.lang, &format!("action.{action}")))),
        ]));
    }
    out
}

fn overlay(model: &Model, area: Rect, buf: &mut Buffer, title: &str, lines: Vec<Line<'static>>) {
    let theme = Theme::new(model.no_color);
    let r = centered(area, 90, 90);
    Clear.render(r, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {title} "), theme.title()))
        .title_bottom(Span::styled(
            format!(" {} ", tr(model.lang, "help.close")),
            theme.dim(),
        ));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(r, buf);
}

pub fn help(model: &Model, area: Rect, buf: &mut Buffer) {
    overlay(
        model,
        area,
        buf,
        &tr(model.lang, "pane.help"),
        help_lines(model),
    );
}

pub fn details(model: &Model, area: Rect, buf: &mut Buffer) {
    overlay(
        model,
        area,
        buf,
        &tr(model.lang, "pane.details"),
        why_lines(model, true),
    );
}
