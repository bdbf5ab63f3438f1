//! The shell pane over the screen: what a shell in a container printed,
//! its prompt and the line being typed, newest at the bottom as in a
//! terminal.

use crate::app::i18n::{tr, trf};
use crate::app::model::{Mode, Model};
use crate::ui::help::frame;
use crate::ui::text;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub fn render(model: &Model, area: Rect, buf: &mut Buffer) {
    let Mode::Shell(pane) = &model.mode else {
        return;
    };
    let theme = Theme::of(model);
    let lang = model.lang;
    let title = trf(lang, "shell.title", &[("container", &pane.title)]);
    let inner = frame(model, area, buf, &title, &tr(lang, "shell.hint"));
    let w = inner.width as usize;
    let mut lines: Vec<Line<'static>> = pane
        .lines
        .iter()
        .map(|(error, l)| {
            let style = if *error {
                theme.error()
            } else {
                Default::default()
            };
            text::cut_line(Line::from(Span::styled(l.clone(), style)), w)
        })
        .collect();
    if pane.busy {
        lines.push(Line::from(Span::styled(
            tr(lang, "shell.running"),
            theme.dim(),
        )));
    } else {
        let chars: Vec<char> = pane.input.text.chars().collect();
        let head: String = chars.iter().take(pane.input.cursor).collect();
        let at: String = chars
            .get(pane.input.cursor)
            .map_or(" ".into(), |c| c.to_string());
        let tail: String = chars.iter().skip(pane.input.cursor + 1).collect();
        let prompt = Line::from(vec![
            Span::raw(format!("{}{head}", pane.prompt)),
            Span::styled(at, theme.cursor()),
            Span::raw(tail),
        ]);
        lines.push(text::cut_line(prompt, w));
    }
    let rows = inner.height as usize;
    let skip = lines.len().saturating_sub(rows);
    Paragraph::new(lines.split_off(skip)).render(inner, buf);
}
