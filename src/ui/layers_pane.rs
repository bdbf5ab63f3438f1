//! The right pane: the layer stack, newest on top as `docker history`
//! lists it, one row per instruction with its verdict as a word and a
//! colour, size, short digest and simulated time; the first miss and the
//! cascade above it marked; the image's totals underneath.

use crate::app::compare::Difference;
use crate::app::engine_view;
use crate::app::i18n::{tr, trf, Lang};
use crate::app::model::{BuildView, Focus, Model, Shown};
use crate::app::rows::{layer_rows, LayerRow, RowKind};
use crate::command::output::human_size;
use crate::engine::builder::BuilderKind;
use crate::engine::report::{MissReason, StepReport, Verdict};
use crate::ui::theme::Theme;
use crate::ui::{focused, text};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

/// The words of the pane's title: the pane's name and builder, what is
/// shown (preview or build, long and short), and the one-line lesson.
struct TitleParts {
    head: String,
    builder: String,
    kind: String,
    kind_short: String,
    summary: String,
}

/// What one column of the pane shows: a build view (none yet) and the
/// builder it is of.
#[derive(Clone, Copy)]
struct Column<'a> {
    view: Option<&'a BuildView>,
    builder: BuilderKind,
}

impl<'a> Column<'a> {
    /// The single view: the screen's build or preview.
    fn single(model: &'a Model) -> Column<'a> {
        Column {
            view: model.build.as_ref(),
            builder: model.build.as_ref().map_or(model.builder, |v| v.builder),
        }
    }
}

fn title_parts(model: &Model, col: Column) -> TitleParts {
    let lang = model.lang;
    let builder_key = format!("builder.{}", col.builder.name());
    let head = format!(
        " {} · {} · ",
        tr(lang, "pane.layers"),
        tr(lang, &builder_key)
    );
    let mut t = String::new();
    let (kind, kind_short) = match col.view.map(|v| v.shown) {
        Some(Shown::Preview { last_build: 0 }) => (
            tr(lang, "title.preview_first"),
            tr(lang, "title.preview_short"),
        ),
        Some(Shown::Preview { last_build }) => {
            let n = last_build.to_string();
            (
                trf(lang, "title.preview", &[("build", &n)]),
                trf(lang, "title.preview_short_against", &[("build", &n)]),
            )
        }
        Some(Shown::Build { number }) => {
            let t = trf(lang, "title.build", &[("build", &number.to_string())]);
            (t.clone(), t)
        }
        None => (String::new(), String::new()),
    };
    match col.view {
        None if model.build.is_some() => t.push_str(&tr(lang, "side.no_preview")),
        None => t.push_str(&tr(lang, "summary.none")),
        Some(v) => match &v.report {
            None if matches!(v.shown, Shown::Preview { .. }) => {
                t.push_str(&tr(lang, "layers.would_fail"));
            }
            None => t.push_str(&tr(lang, "layers.failed")),
            Some(r) => {
                let totals = &r.totals;
                t.push_str(&trf(
                    lang,
                    "summary",
                    &[
                        ("rebuilt", &totals.rebuilt.to_string()),
                        ("total", &totals.cacheable.to_string()),
                        ("time", &simulated_seconds(lang, totals.seconds)),
                        ("cached", &simulated_seconds(lang, totals.saved_seconds)),
                        ("size", &human_size(r.size)),
                    ],
                ));
            }
        },
    }
    // `--engine docker`: whether the real daemon agrees, after the lesson
    if let Some(line) = col
        .view
        .and_then(|v| model.engine.as_ref()?.title(build_number(v), lang))
    {
        t.push_str(" · ");
        t.push_str(&line);
    }
    TitleParts {
        head,
        builder: tr(lang, &builder_key),
        kind,
        kind_short,
        summary: t,
    }
}

/// Simulated seconds, marked as such with `≈` (the legend says what it
/// means): no time on the screen was measured.
pub fn simulated_seconds(lang: Lang, s: f64) -> String {
    trf(lang, "time.simulated", &[("s", &format!("{s:.1}"))])
}

fn with_kind(kind: &str, summary: &str) -> String {
    if kind.is_empty() {
        summary.to_string()
    } else {
        format!("{kind} · {summary}")
    }
}

/// The pane's title on one line: builder, preview or build, and the
/// one-line lesson; narrow panes drop the pane's name, then the long words.
pub fn title(model: &Model, width: usize) -> String {
    let p = title_parts(model, Column::single(model));
    one_line(&p, width)
        .unwrap_or_else(|| format!(" {} · {} ", p.builder, with_kind(&p.kind_short, &p.summary)))
}

fn one_line(p: &TitleParts, width: usize) -> Option<String> {
    let full = format!("{}{} ", p.head, with_kind(&p.kind, &p.summary));
    let narrow = format!(" {} · {} ", p.builder, with_kind(&p.kind, &p.summary));
    let short = format!(" {} · {} ", p.builder, with_kind(&p.kind_short, &p.summary));
    [full, narrow, short]
        .into_iter()
        .find(|t| text::width(t) + 2 <= width)
}

/// The title as the pane draws it, and the lines under it that carry the
/// lesson when the title has no room for it: the key figure (steps
/// rebuilt, time saved) never disappears.
struct Heading {
    title: String,
    below: Vec<String>,
}

fn heading(model: &Model, col: Column, width: usize) -> Heading {
    let p = title_parts(model, col);
    if let Some(title) = one_line(&p, width) {
        return Heading {
            title,
            below: Vec::new(),
        };
    }
    let long = format!(" {} · {}", p.builder, p.kind);
    let head = if p.kind.is_empty() {
        format!(" {}", p.builder)
    } else if text::width(&long) + 3 <= width {
        long
    } else {
        format!(" {} · {}", p.builder, p.kind_short)
    };
    // As many parts of the lesson as fit stay in the title, the first (the
    // key figure) first; the rest go on lines of their own under it.
    let parts: Vec<&str> = p.summary.split(" · ").collect();
    let (title, rest) = (1..parts.len())
        .rev()
        .map(|k| (format!("{head} · {} ", parts[..k].join(" · ")), k))
        .find(|(t, _)| text::width(t) + 2 <= width)
        .unwrap_or_else(|| (format!("{head} "), 0));
    // Inside the borders, indented as the rows are.
    let room = width.saturating_sub(4);
    Heading {
        title: text::truncate(&title, width.saturating_sub(2)),
        below: text::wrap_at(&parts[rest..].join(" · "), " · ", room)
            .into_iter()
            .map(|l| format!("  {l}"))
            .collect(),
    }
}

/// The build a view shows, by number (None: a preview), which docker's
/// side is kept for.
fn build_number(view: &BuildView) -> Option<u64> {
    match view.shown {
        Shown::Build { number } => Some(number),
        Shown::Preview { .. } => None,
    }
}

/// The verdict word and its style.
fn verdict(row: &LayerRow, step: Option<&StepReport>, theme: Theme) -> (&'static str, Style) {
    match (row.kind, step) {
        (RowKind::Base, _) => ("BASE", theme.base()),
        (RowKind::Metadata, _) => ("·", theme.metadata()),
        (RowKind::NotBuilt, _) => ("-", theme.dim()),
        (RowKind::Step, Some(s)) if s.verdict.cached() => ("HIT", theme.hit()),
        (RowKind::Step, _) if row.first_miss => ("MISS", theme.first_miss()),
        (RowKind::Step, _) if row.cascade => ("MISS", theme.cascade()),
        (RowKind::Step, _) => ("MISS", theme.miss()),
    }
}

/// Rows top to bottom (newest first), with the number of header rows.
fn display_rows(view: &BuildView) -> Vec<LayerRow> {
    let mut rows = layer_rows(view);
    rows.reverse();
    rows
}

/// What the pane shows around its rows: the heading (and the lesson's
/// lines under the title when it has no room for them), then the
/// `newest` line on top; the image's totals and the legend underneath.
struct Chrome {
    heading: Heading,
    /// The builders' difference (single view), then the legend.
    legend: Vec<String>,
    /// Where the legend proper starts in `legend`.
    first_legend: usize,
}

impl Chrome {
    fn new(model: &Model, col: Column, width: usize) -> Chrome {
        let room = width.saturating_sub(4);
        let mut legend = Vec::new();
        // The single view names what the other builder would charge
        // differently, above the legend.
        if !model.side_by_side {
            let line = col.view.and_then(|view| match Difference::of(view) {
                Some(d) => Some(d.line(model.lang)),
                None => {
                    let texts = view.instructions.iter().map(|i| &i.text);
                    let changed = !model.last_built.iter().eq(texts);
                    Difference::untried(view, changed)
                        .then(|| tr(model.lang, "diff.classic_untried"))
                }
            });
            if let Some(line) = line {
                legend.extend(text::wrap_at(&line, " ", room));
            }
        }
        let first_legend = legend.len();
        let docker_shown = col.view.is_some_and(|v| {
            model
                .engine
                .as_ref()
                .is_some_and(|e| e.for_build(build_number(v)).is_some())
        });
        if docker_shown {
            legend.extend(text::wrap_at(&tr(model.lang, "engine.legend"), " · ", room));
        }
        // Stacked, each builder has half the height: the legend (the
        // single view and help show it) would leave no room for the layers.
        if !stacked(model) {
            legend.extend(text::wrap_at(&tr(model.lang, "legend"), " · ", room));
        }
        Chrome {
            heading: heading(model, col, width),
            legend,
            first_legend,
        }
    }

    /// Rows above the layer rows.
    fn header(&self) -> usize {
        self.heading.below.len() + 1
    }

    /// Rows below them.
    fn footer(&self) -> usize {
        self.legend.len() + 1
    }

    /// Rows left for the layers in a pane `height` rows inside.
    fn room(&self, height: usize) -> usize {
        height.saturating_sub(self.header() + self.footer()).max(1)
    }
}

fn offset(model: &Model, rows: &[LayerRow], room: usize) -> usize {
    let sel = if model.in_sync() {
        rows.iter().position(|r| r.instruction == model.selected)
    } else {
        None
    };
    match sel {
        Some(s) if s + 1 > room => s + 1 - room,
        _ => 0,
    }
}

/// Side by side on a screen narrower than this, each builder's column
/// would cut every instruction to a word or two: the two are stacked, one
/// above the other, at the width the single view has.
pub const SIDE_BY_SIDE_COLUMNS: u16 = 100;

/// Whether the two builders are shown one above the other.
pub fn stacked(model: &Model) -> bool {
    model.side_by_side && model.size.0 < SIDE_BY_SIDE_COLUMNS
}

/// The pane's columns: the screen's builder alone, or BuildKit and the
/// classic builder side by side, each in its own part of `area`.
fn columns(model: &Model, area: Rect) -> Vec<(Column<'_>, Rect)> {
    if !model.side_by_side {
        return vec![(Column::single(model), area)];
    }
    let (kit, classic) = model
        .build
        .as_ref()
        .map_or((None, None), BuildView::by_builder);
    let direction = if stacked(model) {
        Direction::Vertical
    } else {
        Direction::Horizontal
    };
    let halves = Layout::default()
        .direction(direction)
        .constraints([Constraint::Percentage(50), Constraint::Percentage(50)])
        .split(area);
    vec![
        (
            Column {
                view: kit,
                builder: BuilderKind::Buildkit,
            },
            halves[0],
        ),
        (
            Column {
                view: classic,
                builder: BuilderKind::Classic,
            },
            halves[1],
        ),
    ]
}

pub fn render(model: &Model, area: Rect, buf: &mut Buffer) {
    for (col, r) in columns(model, area) {
        render_column(model, col, r, buf);
    }
}

fn render_column(model: &Model, col: Column, area: Rect, buf: &mut Buffer) {
    let theme = Theme::of(model);
    let chrome = Chrome::new(model, col, area.width as usize);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused(model, Focus::Layers)))
        .title(Span::styled(chrome.heading.title.clone(), theme.title()));
    let inner = block.inner(area);
    block.render(area, buf);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = chrome
        .heading
        .below
        .iter()
        .map(|l| Line::from(Span::styled(l.clone(), theme.title())))
        .collect();
    let Some(view) = col.view else {
        Paragraph::new(lines).render(inner, buf);
        return;
    };
    let rows = display_rows(view);
    let room = chrome.room(inner.height as usize);
    let start = offset(model, &rows, room);
    lines.push(Line::from(Span::styled(
        format!("  {}", tr(model.lang, "row.newest")),
        theme.dim(),
    )));
    let sync = model.in_sync();
    // Columns: marker 2, verdict 5, badge 2, text, size 8, digest 8, time 6;
    // a narrow column side by side leaves the digest out (and the time, if
    // narrower still) so the instruction keeps room.
    let digests = !model.side_by_side || w >= 48;
    let times = digests || w >= 36;
    let right = match (digests, times) {
        (true, _) => 23,
        (false, true) => 15,
        (false, false) => 8,
    };
    let fixed = 2 + 5 + 2 + right;
    let text_w = w.saturating_sub(fixed).max(8);
    for row in rows.iter().skip(start).take(room) {
        let step = row.step.and_then(|i| view.steps().get(i));
        let (word, style) = verdict(row, step, theme);
        let selected = sync && row.instruction == model.selected;
        let ins = &view.instructions[row.instruction];
        let badge = if row.first_miss {
            "◆ "
        } else if row.cascade {
            "┆ "
        } else {
            "  "
        };
        let mut spans = vec![
            Span::raw(if selected { "▶ " } else { "  " }),
            Span::styled(text::fit(word, 4), style),
            Span::raw(" "),
            Span::styled(
                badge,
                if row.first_miss {
                    theme.first_miss()
                } else {
                    theme.cascade()
                },
            ),
        ];
        match row.kind {
            RowKind::Base => {
                let base = view.bases.get(&row.instruction);
                let name = base.map_or_else(
                    || ins.text.trim_start_matches("FROM ").to_string(),
                    |b| b.reference.clone(),
                );
                let mut s = name;
                if let Some(b) = base {
                    s.push_str(" · ");
                    s.push_str(&trf(
                        model.lang,
                        "row.base",
                        &[
                            ("layers", &b.layers.to_string()),
                            ("size", &human_size(b.size)),
                        ],
                    ));
                }
                spans.push(Span::raw(text::fit(&s, text_w + right)));
            }
            RowKind::Metadata | RowKind::NotBuilt => {
                let label = if row.kind == RowKind::Metadata {
                    tr(model.lang, "row.metadata")
                } else {
                    tr(model.lang, "row.not_built")
                };
                spans.push(Span::styled(text::fit(&ins.text, text_w), theme.metadata()));
                spans.push(Span::styled(text::fit_right(&label, right), theme.dim()));
            }
            RowKind::Step => {
                let s = step.map_or(ins.text.as_str(), |s| s.text.as_str());
                spans.push(Span::raw(text::fit(s, text_w)));
                // The step a failed build stopped at, and one BuildKit
                // cancelled beside it, made no layer: neither is a
                // metadata step.
                let no_layer = match step.map(|s| &s.verdict) {
                    Some(Verdict::Miss {
                        why: MissReason::Failed { .. },
                    }) => "row.failed",
                    Some(Verdict::Miss {
                        why: MissReason::Canceled { .. },
                    }) => "row.canceled",
                    _ => "row.metadata",
                };
                let (size, digest) = match step.and_then(|s| s.layer.as_ref()) {
                    Some(l) => (human_size(l.size), format!("{}…", &l.diff_id.hex()[..6])),
                    None => (String::new(), tr(model.lang, no_layer)),
                };
                // docker's verdict, when it built this build, takes the
                // digest's place (and the size's, in a narrow column)
                let docker = row
                    .step
                    .and_then(|i| model.engine.as_ref()?.step(build_number(view), i))
                    .map(|c| {
                        let style = if c.differs {
                            theme.first_miss()
                        } else {
                            theme.dim()
                        };
                        (engine_view::cell(c), style)
                    });
                if let Some((cell, style)) = &docker {
                    if digests {
                        spans.push(Span::raw(text::fit_right(&size, 7)));
                    }
                    spans.push(Span::styled(text::fit_right(cell, 8), *style));
                } else if digests {
                    spans.push(Span::raw(text::fit_right(&size, 7)));
                    spans.push(Span::styled(text::fit_right(&digest, 8), theme.dim()));
                } else if size.is_empty() {
                    // No layer: `metadata` (or `failed`) in the size's place.
                    spans.push(Span::styled(text::fit_right(&digest, 8), theme.dim()));
                } else {
                    spans.push(Span::raw(text::fit_right(&size, 8)));
                }
                let time = match step {
                    Some(s) if s.verdict.missed() => simulated_seconds(model.lang, s.seconds),
                    _ => String::new(),
                };
                if times {
                    // `≈0.1 s`, `≈0.1초`, and a space before it.
                    spans.push(Span::raw(text::fit_right(&time, 7)));
                }
            }
        }
        let mut line = text::cut_line(Line::from(spans), w);
        if selected {
            line = line.patch_style(theme.selected());
        }
        lines.push(line);
    }
    while lines.len() < chrome.header() + room {
        lines.push(Line::default());
    }
    lines.push(image_line(model, view, theme, w));
    for (i, l) in chrome.legend.iter().enumerate() {
        let style = if i < chrome.first_legend {
            theme.title()
        } else {
            theme.dim()
        };
        lines.push(Line::from(Span::styled(format!("  {l}"), style)));
    }
    Paragraph::new(lines).render(inner, buf);
}

fn image_line(model: &Model, view: &BuildView, theme: Theme, w: usize) -> Line<'static> {
    let Some(report) = &view.report else {
        let msg = view.error.as_ref().map_or(String::new(), |e| {
            trf(model.lang, "build.failed", &[("message", &e.message)])
        });
        return Line::from(Span::styled(
            text::fit(&format!("  {msg}"), w),
            theme.error(),
        ));
    };
    let wasted = wasted_text(model, view);
    let s = trf(
        model.lang,
        "image.line",
        &[
            ("size", &human_size(report.size)),
            ("layers", &report.layer_count.to_string()),
            ("wasted", &wasted),
        ],
    );
    Line::from(Span::styled(text::fit(&format!("  {s}"), w), theme.title()))
}

/// Wasted bytes, when every layer's file list is known.
pub fn wasted_text(model: &Model, view: &BuildView) -> String {
    match view.wasted {
        Some(bytes) => human_size(bytes),
        None => tr(model.lang, "image.wasted_unknown"),
    }
}

/// The instruction on screen row `row` (absolute), if any.
pub fn instruction_at(model: &Model, area: Rect, col: u16, row: u16) -> Option<usize> {
    let (column, area) = columns(model, area)
        .into_iter()
        .find(|(_, r)| col >= r.x && col < r.right())?;
    let view = column.view?;
    let chrome = Chrome::new(model, column, area.width as usize);
    let header = chrome.header();
    if !model.in_sync() || row < area.y + 1 + header as u16 {
        return None;
    }
    let rows = display_rows(view);
    let room = chrome.room(area.height.saturating_sub(2) as usize);
    let start = offset(model, &rows, room);
    let i = (row - area.y - 1) as usize - header + start;
    if i >= start + room {
        return None;
    }
    rows.get(i).map(|r| r.instruction)
}
