//! The lesson menu, drawn from `&Menu` only: every lesson in the suggested
//! order with where the learner stands, the selected lesson's summary, a
//! status line and the menu's keys.

use crate::app::action::Action;
use crate::app::i18n::{tr, trf};
use crate::app::keymap::Scope;
use crate::app::menu::Menu;
use crate::lesson::progress::Standing;
use crate::ui::text;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, menu: &Menu) {
    render(menu, frame.area(), frame.buffer_mut());
}

pub fn render(menu: &Menu, area: Rect, buf: &mut Buffer) {
    let theme = Theme::new(menu.no_color);
    let lang = menu.lang;
    if area.height < 4 || area.width < 10 {
        return;
    }
    let body = Rect::new(area.x, area.y, area.width, area.height - 2);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            text::title(&format!(" {} ", tr(lang, "menu.title")), area.width),
            theme.title(),
        ));
    // A column of air inside the border on each side.
    let inner = block.inner(body);
    let inner = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    let w = inner.width as usize;
    let mut lines = vec![
        Line::from(Span::styled(tr(lang, "menu.intro"), theme.dim())),
        Line::default(),
    ];
    if menu.rows.is_empty() {
        lines.push(Line::from(tr(lang, "menu.no_lessons")));
    }
    let title_w = menu
        .rows
        .iter()
        .map(|r| text::width(r.lesson.title.get(lang)))
        .max()
        .unwrap_or(0)
        .min(w / 2);
    for (i, row) in menu.rows.iter().enumerate() {
        let selected = i == menu.selected;
        let (standing, style) = match row.standing {
            Standing::NotStarted => (tr(lang, "menu.not_started"), theme.dim()),
            Standing::Current { step, done } => (
                trf(
                    lang,
                    "menu.current",
                    &[
                        ("step", &(step + 1).to_string()),
                        ("steps", &row.lesson.steps.len().to_string()),
                        ("done", &done.to_string()),
                    ],
                ),
                theme.title(),
            ),
            Standing::Done => (tr(lang, "menu.done"), theme.hit()),
        };
        let marker = if selected { "▶ " } else { "  " };
        let name = format!(
            "{marker}{:>2}  {}   ",
            i + 1,
            text::fit(row.lesson.title.get(lang), title_w)
        );
        let name_style = if selected {
            theme.selected()
        } else {
            ratatui::style::Style::default()
        };
        let line = Line::from(vec![
            Span::styled(name, name_style),
            Span::styled(standing, style),
        ]);
        lines.push(text::cut_line(line, w));
    }
    if let Some(row) = menu.rows.get(menu.selected) {
        lines.push(Line::default());
        for l in text::wrap_at(row.lesson.summary.get(lang), " ", w.max(1)) {
            lines.push(Line::from(Span::styled(l, theme.dim())));
        }
    }
    block.render(body, buf);
    Paragraph::new(lines).render(inner, buf);

    let status = menu.status.clone().unwrap_or_default();
    let status = text::cut_line(
        Line::from(Span::styled(status, theme.title())),
        area.width as usize,
    );
    Paragraph::new(status).render(Rect::new(area.x, area.bottom() - 2, area.width, 1), buf);
    footer(
        menu,
        Rect::new(area.x, area.bottom() - 1, area.width, 1),
        buf,
    );
}

fn footer(menu: &Menu, area: Rect, buf: &mut Buffer) {
    let theme = Theme::new(menu.no_color);
    let keys = |scope: Scope, actions: &[Action]| -> String {
        actions
            .iter()
            .filter_map(|a| menu.keymap.keys_for(scope, *a).first().copied())
            .map(text::key_label)
            .collect::<Vec<_>>()
            .join("")
    };
    let m = Scope::Menu;
    let entries = [
        (keys(m, &[Action::MenuUp, Action::MenuDown]), "short.select"),
        (keys(m, &[Action::MenuOpen]), "short.open"),
        (keys(m, &[Action::MenuSandbox]), "short.sandbox"),
        (keys(m, &[Action::MenuResetLesson]), "short.reset_lesson"),
        (keys(m, &[Action::MenuResetStep]), "short.reset_step"),
        (keys(Scope::Global, &[Action::ToggleLang]), "short.lang"),
        (keys(Scope::Global, &[Action::Quit]), "short.quit"),
    ];
    // Every key fits at 80 columns in either language: the selection's
    // arrows go first when they would not, then the spaces narrow.
    let labelled: Vec<(String, String)> = entries
        .into_iter()
        .map(|(k, label)| (k, tr(menu.lang, label)))
        .collect();
    let cost = |items: &[(String, String)], gap: usize| {
        items
            .iter()
            .map(|(k, l)| text::width(k) + text::width(l) + 1 + gap)
            .sum::<usize>()
    };
    let w = area.width as usize;
    let mut items = labelled;
    if cost(&items, 3) > w {
        items.remove(0);
    }
    let gap = if cost(&items, 3) > w { "  " } else { "   " };
    let mut spans = vec![Span::raw(" ")];
    for (i, (k, label)) in items.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(gap));
        }
        spans.push(Span::styled(k, theme.key()));
        spans.push(Span::raw(format!(" {label}")));
    }
    let line = text::cut_line(Line::from(spans), area.width as usize);
    Paragraph::new(line).render(area, buf);
}
