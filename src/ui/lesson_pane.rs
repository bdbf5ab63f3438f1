//! The lesson pane, above the Dockerfile and the layers: the step's text,
//! its goal as a picture (the cache pattern wanted beside the learner's),
//! the score against the best known and the hints shown; and the solution,
//! over the screen once the learner asked for it. Drawn from `&Model` only.

use crate::app::action::Action;
use crate::app::i18n::{tr, trf, Lang};
use crate::app::keymap::Scope;
use crate::app::lesson::LessonScreen;
use crate::app::model::Model;
use crate::lesson::model::Action as Do;
use crate::lesson::picture::{Mark, Picture};
use crate::ui::text;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

/// The lesson pane's band at the top of `area`, and what is left below
/// it; the whole area when no lesson is open.
pub fn split(model: &Model, area: Rect) -> (Option<Rect>, Rect) {
    if model.lesson.is_none() {
        return (None, area);
    }
    let inner_w = area.width.saturating_sub(2) as usize;
    let (text, rest, extra) = lines(model, inner_w);
    let wanted = (text.len() + rest.len() + extra.len()) as u16 + 2;
    // The panes keep half the screen at least.
    let max = (area.height / 2).max(6);
    let h = wanted.clamp(5, max).min(area.height.saturating_sub(8));
    let band = Rect::new(area.x, area.y, area.width, h);
    let below = Rect::new(area.x, area.y + h, area.width, area.height - h);
    (Some(band), below)
}

/// Words wrapped to `w` cells, paragraph by paragraph.
fn wrap(s: &str, w: usize) -> Vec<String> {
    s.lines()
        .flat_map(|p| {
            if p.trim().is_empty() {
                vec![String::new()]
            } else {
                text::wrap_at(p, " ", w.max(1))
            }
        })
        .collect()
}

fn key(model: &Model, action: Action) -> String {
    model
        .keymap
        .keys_for(Scope::Global, action)
        .first()
        .map_or_else(String::new, |k| text::key_label(*k))
}

/// The step's text, the lines that follow it (goal, picture, score,
/// hints), and those shown only where there is room (the footer has the
/// hint key too), wrapped to `w` cells.
type Lines = Vec<Line<'static>>;
fn lines(model: &Model, w: usize) -> (Lines, Lines, Lines) {
    let Some(screen) = model.lesson.as_deref() else {
        return (Vec::new(), Vec::new(), Vec::new());
    };
    let theme = Theme::new(model.no_color);
    let lang = model.lang;
    let step = screen.current();
    let text: Vec<Line> = wrap(step.text.get(lang), w)
        .into_iter()
        .map(Line::from)
        .collect();
    let mut rest = vec![goal_line(screen, lang, theme)];
    rest.extend(pictures(screen, lang, theme));
    if let Some(score) = score(screen, lang) {
        rest.push(Line::from(Span::styled(score, theme.title())));
    }
    for (i, hint) in step.hints.iter().take(screen.hints).enumerate() {
        let line = trf(
            lang,
            "lesson.hint",
            &[
                ("n", &(i + 1).to_string()),
                ("total", &step.hints.len().to_string()),
                ("text", hint.get(lang)),
            ],
        );
        rest.extend(wrap(&line, w).into_iter().map(Line::from));
    }
    let mut extra = Vec::new();
    // Once a hint shows, the footer's key says there are more.
    if screen.hints == 0 {
        let more = trf(
            lang,
            "lesson.hint_more",
            &[
                ("key", &key(model, Action::LessonHint)),
                ("n", &(screen.hints + 1).to_string()),
                ("total", &step.hints.len().to_string()),
            ],
        );
        extra.push(text::cut_line(
            Line::from(Span::styled(more, theme.dim())),
            w,
        ));
    }
    let rest = rest.into_iter().map(|l| text::cut_line(l, w)).collect();
    (text, rest, extra)
}

/// `Goal: ✓ reached`, or what is not met yet.
fn goal_line(screen: &LessonScreen, lang: Lang, theme: Theme) -> Line<'static> {
    let head = Span::styled(format!("{}: ", tr(lang, "lesson.goal")), theme.title());
    let body = match &screen.unmet {
        _ if screen.is_done(screen.step) && screen.unmet.as_ref().is_none_or(Vec::is_empty) => {
            Span::styled(tr(lang, "lesson.goal_met"), theme.hit())
        }
        Some(unmet) if unmet.is_empty() => Span::styled(tr(lang, "lesson.goal_met"), theme.hit()),
        Some(unmet) => {
            let words: Vec<String> = unmet
                .iter()
                .map(|u| format!("✗ {}", u.message(lang)))
                .collect();
            Span::styled(words.join("  "), theme.miss())
        }
        None => Span::styled(tr(lang, "lesson.goal_unchecked"), theme.dim()),
    };
    Line::from(vec![head, body])
}

/// The wanted picture beside the learner's: one row each, the verdict of
/// every step as a word and a colour, then the figures.
fn pictures(screen: &LessonScreen, lang: Lang, theme: Theme) -> Vec<Line<'static>> {
    let Some(best) = &screen.best else {
        return Vec::new();
    };
    let label_w = [tr(lang, "lesson.wanted"), tr(lang, "lesson.yours")]
        .iter()
        .map(|l| text::width(l))
        .max()
        .unwrap_or(0);
    let row = |label: &str, p: Option<&Picture>| {
        let mut spans = vec![Span::styled(
            format!("  {} ", text::fit(label, label_w)),
            theme.dim(),
        )];
        match p {
            None => spans.push(Span::styled(tr(lang, "lesson.not_built"), theme.dim())),
            Some(p) => {
                for c in &p.cells {
                    let (word, style) = match c.verdict {
                        Mark::Hit => ("HIT", theme.hit()),
                        Mark::Miss => ("MISS", theme.miss()),
                        Mark::Base => ("BASE", theme.base()),
                    };
                    spans.push(Span::raw(format!("{} ", c.keyword)));
                    spans.push(Span::styled(word, style));
                    spans.push(Span::raw("  "));
                }
                spans.push(Span::styled(figures(p, lang), theme.dim()));
            }
        }
        Line::from(spans)
    };
    // Before a build the goal line already says there is none.
    let mut rows = vec![row(&tr(lang, "lesson.wanted"), Some(best))];
    if screen.yours.is_some() {
        rows.push(row(&tr(lang, "lesson.yours"), screen.yours.as_ref()));
    }
    rows
}

fn figures(p: &Picture, lang: Lang) -> String {
    trf(
        lang,
        "lesson.rebuilt",
        &[
            ("rebuilt", &p.rebuilt.to_string()),
            ("steps", &p.steps.to_string()),
            ("layers", &p.layers.to_string()),
        ],
    )
}

/// The golf: steps rebuilt and simulated seconds, against the best known.
fn score(screen: &LessonScreen, lang: Lang) -> Option<String> {
    let (yours, best) = (screen.yours.as_ref()?, screen.best.as_ref()?);
    let args = [
        ("rebuilt", yours.rebuilt.to_string()),
        ("seconds", format!("{:.1}", yours.seconds)),
        ("best_rebuilt", best.rebuilt.to_string()),
        ("best_seconds", format!("{:.1}", best.seconds)),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // Par only counts once the goal holds (the same count under the
    // other builder is not the step done).
    let reached = screen.unmet.as_ref().is_some_and(Vec::is_empty);
    let par = reached && yours.rebuilt <= best.rebuilt && yours.seconds <= best.seconds + 0.05;
    let key = if par {
        "lesson.score_par"
    } else {
        "lesson.score"
    };
    Some(trf(lang, key, &args))
}

/// The pane's title: which lesson, which step (the lesson's own title
/// left out when the two do not fit in `w` cells).
pub fn title(model: &Model, w: usize) -> String {
    let Some(screen) = model.lesson.as_deref() else {
        return String::new();
    };
    let lang = model.lang;
    let n = screen
        .lesson
        .id
        .split('-')
        .next()
        .and_then(|d| d.parse::<u32>().ok())
        .map_or_else(|| screen.lesson.id.clone(), |d| d.to_string());
    let step = (screen.step + 1).to_string();
    let steps = screen.lesson.steps.len().to_string();
    let step_title = screen.current().title.get(lang);
    let full = trf(
        lang,
        "lesson.title",
        &[
            ("n", &n),
            ("title", screen.lesson.title.get(lang)),
            ("step", &step),
            ("steps", &steps),
        ],
    );
    let full = format!("{full}: {step_title}");
    if text::width(&full) <= w {
        return full;
    }
    let short = trf(
        lang,
        "lesson.title_short",
        &[("n", &n), ("step", &step), ("steps", &steps)],
    );
    format!("{short}: {step_title}")
}

pub fn render(model: &Model, area: Rect, buf: &mut Buffer) {
    let Some(screen) = model.lesson.as_deref() else {
        return;
    };
    let theme = Theme::new(model.no_color);
    let done = screen.is_done(screen.step);
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(done))
        .title(Span::styled(
            text::title(
                &format!(" {} ", title(model, area.width.saturating_sub(14) as usize)),
                area.width.saturating_sub(10),
            ),
            theme.title(),
        ));
    if done {
        block = block.title_top(
            Line::from(Span::styled(
                format!(" {} ", tr(model.lang, "lesson.done_mark")),
                theme.hit(),
            ))
            .right_aligned(),
        );
    }
    let inner = block.inner(area);
    let (text, rest, extra) = lines(model, inner.width as usize);
    // The text comes first and keeps three lines at least; the lines
    // after it (goal, picture, score, hints) take what is left. Whatever
    // is cut says so.
    let h = inner.height as usize;
    let room = h.saturating_sub(rest.len()).max(text.len().min(3)).min(h);
    let mut shown: Vec<Line> = Vec::new();
    if text.len() > room {
        shown.extend(text.into_iter().take(room.saturating_sub(1)));
        shown.push(Line::from(Span::styled("…", theme.dim())));
    } else {
        shown.extend(text);
    }
    let left = h.saturating_sub(shown.len());
    if rest.len() > left {
        shown.extend(rest.into_iter().take(left.saturating_sub(1)));
        if left > 0 {
            shown.push(Line::from(Span::styled("…", theme.dim())));
        }
    } else {
        shown.extend(rest);
    }
    if shown.len() + extra.len() <= h {
        shown.extend(extra);
    }
    block.render(area, buf);
    Paragraph::new(shown).render(inner, buf);
}

/// The solution, over the screen once the learner asked for it: every
/// action, the Dockerfile in full.
pub fn solution(model: &Model, area: Rect, buf: &mut Buffer) {
    let Some(screen) = model.lesson.as_deref() else {
        return;
    };
    let theme = Theme::new(model.no_color);
    let lang = model.lang;
    let apply = trf(
        lang,
        "lesson.solution_apply",
        &[("key", &key(model, Action::LessonSolution))],
    );
    let inner = crate::ui::help::frame(model, area, buf, &tr(lang, "lesson.solution"), &apply);
    let mut rest = Vec::new();
    for action in &screen.current().solution {
        match action {
            Do::Run(line) => rest.push(Line::from(Span::styled(format!("$ {line}"), theme.key()))),
            Do::Dockerfile(t) => {
                rest.push(Line::from(tr(lang, "lesson.solution_dockerfile")));
                for l in t.lines() {
                    rest.push(Line::from(Span::styled(format!("  {l}"), theme.key())));
                }
            }
            Do::Write { path, content } => {
                rest.push(Line::from(trf(
                    lang,
                    "lesson.solution_write",
                    &[("path", path)],
                )));
                for l in content.lines() {
                    rest.push(Line::from(Span::styled(format!("  {l}"), theme.key())));
                }
            }
        }
    }
    let w = inner.width as usize;
    let lines: Vec<Line> = rest.into_iter().map(|l| text::cut_line(l, w)).collect();
    Paragraph::new(lines).render(inner, buf);
}
