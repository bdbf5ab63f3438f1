//! The presentation layout, for a room: the key figure (steps rebuilt,
//! simulated time against the fully cached build) in large digits and the
//! verdicts on solid badges are the loudest things on the screen; the
//! chrome (footer, pane borders, the command log) is gone. A scripted demo
//! adds where it is and the caption of its last action. Every verdict is a
//! word or a mark first; colour only doubles it.

use crate::app::i18n::{tr, trf};
use crate::app::model::{BuildView, Mode, Model, Shown};
use crate::app::present::{DemoCard, Figure};
use crate::app::rows::{layer_rows, LayerRow, RowKind};
use crate::ui::layers_pane::simulated_seconds;
use crate::ui::text;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The digits of the key figure, three cells wide and three rows high.
const GLYPHS: &[(char, [&str; 3])] = &[
    ('0', ["█▀█", "█ █", "█▄█"]),
    ('1', ["▀█ ", " █ ", "▄█▄"]),
    ('2', ["▀▀█", "█▀▀", "█▄▄"]),
    ('3', ["▀▀█", " ▀█", "▄▄█"]),
    ('4', ["█ █", "▀▀█", "  █"]),
    ('5', ["█▀▀", "▀▀█", "▄▄█"]),
    ('6', ["█▀▀", "█▀█", "█▄█"]),
    ('7', ["▀▀█", "  █", "  █"]),
    ('8', ["█▀█", "█▀█", "█▄█"]),
    ('9', ["█▀█", "▀▀█", "▄▄█"]),
    ('/', ["  █", " █ ", "█  "]),
];

/// `s` (digits and `/`) in the large font: three lines.
pub fn big(s: &str) -> [String; 3] {
    let mut rows = [String::new(), String::new(), String::new()];
    for (i, c) in s.chars().enumerate() {
        let Some((_, g)) = GLYPHS.iter().find(|(k, _)| *k == c) else {
            continue;
        };
        for (row, part) in rows.iter_mut().zip(g) {
            if i > 0 {
                row.push(' ');
            }
            row.push_str(part);
        }
    }
    rows
}

/// The styles of the layout, from the theme's presentation colours.
struct Looks {
    color: bool,
    p: crate::ui::theme::PresentColors,
}

impl Looks {
    fn new(theme: Theme) -> Looks {
        Looks {
            color: theme.color,
            p: theme.palette.present,
        }
    }

    fn fg(&self, c: ratatui::style::Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }

    fn page(&self) -> Style {
        if self.color {
            Style::default().fg(self.p.text).bg(self.p.background)
        } else {
            Style::default()
        }
    }

    fn text(&self) -> Style {
        self.fg(self.p.text)
    }

    fn dim(&self) -> Style {
        if self.color {
            self.fg(self.p.dim)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }

    fn figure(&self) -> Style {
        self.fg(self.p.figure).add_modifier(Modifier::BOLD)
    }

    fn caption(&self) -> Style {
        self.fg(self.p.caption).add_modifier(Modifier::BOLD)
    }

    fn accent(&self) -> Style {
        self.fg(self.p.accent).add_modifier(Modifier::BOLD)
    }

    /// A verdict's badge: its word on a solid colour, bold; without
    /// colour the first miss is in reverse video.
    fn badge(&self, kind: Badge) -> Style {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        if !self.color {
            return match kind {
                Badge::FirstMiss => bold.add_modifier(Modifier::REVERSED),
                Badge::Metadata | Badge::NotBuilt => Style::default(),
                _ => bold,
            };
        }
        let on = |bg| bold.fg(self.p.badge_text).bg(bg);
        match kind {
            Badge::Hit => on(self.p.hit),
            Badge::Miss => on(self.p.miss),
            Badge::FirstMiss => bold.fg(self.p.first_miss_text).bg(self.p.first_miss),
            Badge::Base => on(self.p.base),
            Badge::Metadata | Badge::NotBuilt => self.fg(self.p.metadata),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Badge {
    Hit,
    Miss,
    FirstMiss,
    Base,
    Metadata,
    NotBuilt,
}

impl Badge {
    fn of(row: &LayerRow, view: &BuildView) -> Badge {
        let step = row.step.and_then(|s| view.steps().get(s));
        match (row.kind, step) {
            (RowKind::Base, _) => Badge::Base,
            (RowKind::Metadata, _) => Badge::Metadata,
            (RowKind::NotBuilt, _) => Badge::NotBuilt,
            (RowKind::Step, Some(s)) if s.verdict.cached() => Badge::Hit,
            (RowKind::Step, _) if row.first_miss => Badge::FirstMiss,
            (RowKind::Step, _) => Badge::Miss,
        }
    }

    /// The word (or mark) that carries the meaning.
    fn word(self) -> &'static str {
        match self {
            Badge::Hit => "HIT",
            Badge::Miss | Badge::FirstMiss => "MISS",
            Badge::Base => "BASE",
            Badge::Metadata => "·",
            Badge::NotBuilt => "-",
        }
    }
}

/// Cells a badge takes: ` MISS ` and a space.
const BADGE_W: usize = 6;

pub fn render(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = Theme::of(model);
    let looks = Looks::new(theme);
    buf.set_style(area, looks.page());
    let w = area.width as usize;
    let mut y = area.y;
    let bottom = area.bottom();
    let mut put = |y: &mut u16, line: Line<'static>| {
        if *y < bottom {
            Paragraph::new(text::cut_line(line, w.saturating_sub(2))).render(
                Rect::new(area.x + 1, *y, area.width.saturating_sub(1), 1),
                buf,
            );
            *y += 1;
        }
    };
    put(&mut y, header(model, &looks, w.saturating_sub(2)));
    y += 1;
    let view = model.build.as_ref();
    // What the screen ends with: the demo's card, a line being typed.
    let card = model
        .demo
        .as_ref()
        .map(|d| card_lines(model, d, &looks, w.saturating_sub(2)))
        .unwrap_or_default();
    let typing = typing_line(model, &looks);
    // A demo's docker command that built nothing shows its output in
    // place of the verdicts.
    if view.is_some() || model.demo.is_none() {
        for line in figure_lines(model, view, &looks, w.saturating_sub(2)) {
            put(&mut y, line);
        }
        y += 1;
    }
    let reason = view
        .map(|v| reason_lines(model, v, &looks, w.saturating_sub(2)))
        .unwrap_or_default();
    // The rows get what the figure, the reason and the card leave, the
    // card at least its caption.
    let tail = card.len().min(4) + usize::from(typing.is_some());
    let room = (bottom.saturating_sub(y) as usize).saturating_sub(tail + reason.len().min(2));
    if let Some(v) = view {
        for line in verdict_lines(model, v, &looks, w.saturating_sub(2), room) {
            put(&mut y, line);
        }
    }
    let left = (bottom.saturating_sub(y) as usize).saturating_sub(tail);
    for line in reason.into_iter().take(left.min(2)) {
        put(&mut y, line);
    }
    let left = (bottom.saturating_sub(y) as usize).saturating_sub(usize::from(typing.is_some()));
    let skip = usize::from(left > card.len() && !card.is_empty());
    y += skip as u16;
    for line in card.into_iter().take(left.saturating_sub(skip)) {
        put(&mut y, line);
    }
    if let Some(line) = typing {
        let mut last = bottom.saturating_sub(1).max(area.y);
        put(&mut last, line);
    }
}

/// What the screen is of, the builder and which build; a demo's place in
/// its lesson on the right.
fn header(model: &Model, looks: &Looks, w: usize) -> Line<'static> {
    let lang = model.lang;
    let name = match &model.demo {
        Some(d) => d.lesson.clone(),
        None => model.title.clone(),
    };
    let view = model.build.as_ref();
    let builder = view.map_or(model.builder, |v| v.builder);
    let mut parts = vec![tr(lang, &format!("builder.{}", builder.name()))];
    match view.map(|v| v.shown) {
        Some(Shown::Build { number }) => {
            parts.push(trf(lang, "title.build", &[("build", &number.to_string())]));
        }
        Some(Shown::Preview { last_build: 0 }) => parts.push(tr(lang, "title.preview_first")),
        Some(Shown::Preview { last_build }) => parts.push(trf(
            lang,
            "title.preview",
            &[("build", &last_build.to_string())],
        )),
        None => {}
    }
    let right = model.demo.as_ref().map(|d| {
        trf(
            lang,
            "present.step",
            &[
                ("step", &(d.step + 1).to_string()),
                ("steps", &d.steps.to_string()),
            ],
        )
    });
    let right_w = right.as_deref().map_or(0, |r| text::width(r) + 2);
    // The builder and the build first: the name gives way when narrow.
    parts.push(name);
    let left = text::truncate(&parts.join(" · "), w.saturating_sub(right_w));
    let mut spans = vec![Span::styled(left.clone(), looks.text())];
    if let Some(r) = right {
        let gap = w.saturating_sub(text::width(&left) + text::width(&r));
        spans.push(Span::raw(" ".repeat(gap)));
        spans.push(Span::styled(r, looks.accent()));
    }
    Line::from(spans)
}

/// The key figure: `1/4` in large digits beside the same in words, and
/// the simulated time against the fully cached build.
fn figure_lines(
    model: &Model,
    view: Option<&BuildView>,
    looks: &Looks,
    w: usize,
) -> Vec<Line<'static>> {
    let lang = model.lang;
    let failed = |key: &str, error: &str| {
        vec![Line::from(Span::styled(
            trf(lang, key, &[("error", error)]),
            looks.figure(),
        ))]
    };
    let Some(view) = view else {
        return vec![Line::from(Span::styled(
            tr(lang, "present.nothing_built"),
            looks.figure(),
        ))];
    };
    let report = match (&view.report, &view.error) {
        (Some(r), _) => r,
        (None, Some(e)) if matches!(view.shown, Shown::Preview { .. }) => {
            return failed("present.would_fail", &e.message)
        }
        (None, Some(e)) => return failed("present.failed", &e.message),
        (None, None) => return Vec::new(),
    };
    let f = Figure::of(report);
    let words = trf(
        lang,
        "present.rebuilt",
        &[
            ("rebuilt", &f.rebuilt.to_string()),
            ("of", &f.of.to_string()),
        ],
    );
    let time = trf(
        lang,
        "present.time",
        &[
            ("time", &simulated_seconds(lang, f.seconds)),
            ("cached", &simulated_seconds(lang, f.cached_seconds)),
        ],
    );
    let digits = big(&format!("{}/{}", f.rebuilt, f.of));
    let big_w = text::width(&digits[0]);
    let beside = w.saturating_sub(big_w + 3);
    // Too narrow for the large digits and their words: the words alone.
    if beside < text::width(&words).max(12) {
        return vec![
            Line::from(Span::styled(words, looks.figure())),
            Line::from(Span::styled(time, looks.figure())),
        ];
    }
    let [a, b, c] = digits;
    vec![
        Line::from(vec![
            Span::styled(a, looks.figure()),
            Span::raw("   "),
            Span::styled(words, looks.figure()),
        ]),
        Line::from(vec![
            Span::styled(b, looks.figure()),
            Span::raw("   "),
            Span::styled(time, looks.figure()),
        ]),
        Line::from(Span::styled(c, looks.figure())),
    ]
}

/// One row per instruction, in the Dockerfile's order: the verdict's
/// badge, the first miss's `◆` and the cascade's `┆`, the instruction and
/// what a rebuilt step cost. Rows are spaced out when there is room.
fn verdict_lines(
    model: &Model,
    view: &BuildView,
    looks: &Looks,
    w: usize,
    room: usize,
) -> Vec<Line<'static>> {
    let rows = layer_rows(view);
    let selected = (model.demo.is_none() && model.in_sync()).then_some(model.selected);
    let mut out = Vec::new();
    // Not all fit: the newest rows stay (what a change rebuilt), under a
    // line that counts the others.
    let room = room.max(1);
    let hidden = if rows.len() > room {
        rows.len() + 1 - room
    } else {
        0
    };
    let spaced = rows.len() * 2 <= room;
    if hidden > 0 {
        out.push(Line::from(Span::styled(
            format!("  … {hidden}"),
            looks.dim(),
        )));
    }
    let shown = &rows[hidden..];
    for row in shown {
        let badge = Badge::of(row, view);
        let ins = &view.instructions[row.instruction];
        let step = row.step.and_then(|s| view.steps().get(s));
        let mark = if row.first_miss {
            "◆"
        } else if row.cascade {
            "┆"
        } else {
            " "
        };
        let cost = match (badge, step) {
            (Badge::Miss | Badge::FirstMiss, Some(s)) => simulated_seconds(model.lang, s.seconds),
            _ => String::new(),
        };
        let pointer = if selected == Some(row.instruction) {
            "▶"
        } else {
            " "
        };
        let word = format!(" {:<4} ", badge.word());
        let text_w = w.saturating_sub(BADGE_W + 5 + text::width(&cost) + 1);
        let body = text::fit(&ins.text, text_w);
        let body_style = if badge == Badge::FirstMiss {
            looks.text().add_modifier(Modifier::BOLD)
        } else {
            looks.text()
        };
        out.push(Line::from(vec![
            Span::styled(pointer.to_string(), looks.accent()),
            Span::styled(word, looks.badge(badge)),
            Span::styled(format!(" {mark} "), looks.text()),
            Span::styled(body, body_style),
            Span::styled(format!(" {cost}"), looks.text()),
        ]));
        if spaced {
            out.push(Line::default());
        }
    }
    if spaced {
        out.pop();
    }
    out
}

/// Why the first miss missed: the cause of every rebuild after it.
fn reason_lines(model: &Model, view: &BuildView, looks: &Looks, w: usize) -> Vec<Line<'static>> {
    let Some(step) = view.steps().iter().find(|s| s.verdict.missed()) else {
        return Vec::new();
    };
    let line = trf(
        model.lang,
        "present.first_miss",
        &[
            ("text", &step.text),
            ("reason", &step.verdict.reason_in(model.lang)),
        ],
    );
    text::wrap_at(&line, " ", w)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, looks.text())))
        .collect()
}

/// The demo's card: the step and the action count, the caption (large in
/// weight), the action itself and what it printed.
fn card_lines(model: &Model, d: &DemoCard, looks: &Looks, w: usize) -> Vec<Line<'static>> {
    let lang = model.lang;
    let mut out = Vec::new();
    let count = trf(
        lang,
        "present.action",
        &[
            ("played", &d.played.to_string()),
            ("actions", &d.actions.to_string()),
        ],
    );
    out.push(Line::from(vec![
        Span::styled(
            text::truncate(&d.step_title, w.saturating_sub(text::width(&count) + 3)),
            looks.accent(),
        ),
        Span::styled(format!(" · {count}"), looks.dim()),
    ]));
    let caption = if d.next {
        format!("{} {}", tr(lang, "present.next"), d.caption)
    } else {
        d.caption.clone()
    };
    for l in text::wrap_at(&caption, " ", w) {
        out.push(Line::from(Span::styled(l, looks.caption())));
    }
    if let Some(e) = &d.error {
        for l in text::wrap_at(e, " ", w) {
            out.push(Line::from(Span::styled(l, looks.caption())));
        }
    }
    if !d.action.is_empty() {
        out.push(Line::from(Span::styled(
            text::truncate(&d.action, w),
            looks.dim(),
        )));
    }
    for l in &d.output {
        out.push(Line::from(Span::styled(text::truncate(l, w), looks.dim())));
    }
    out
}

/// The command bar (or a question) while one is open: what is typed must
/// show, even with the chrome hidden; else the status line, small, when
/// it says something (where a picture went, what a key did).
fn typing_line(model: &Model, looks: &Looks) -> Option<Line<'static>> {
    match &model.mode {
        Mode::Command { input, .. } => Some(Line::from(format!(":{}", input.text))),
        Mode::ConfirmQuit | Mode::AddFile(_) => model.status.clone().map(Line::from),
        _ => model
            .status
            .clone()
            .map(|s| Line::from(Span::styled(s, looks.dim()))),
    }
}
