//! The smaller panes: why (and its one-line fold), context, command
//! output, the status/command line and the footer of keys.

use crate::app::action::Action;
use crate::app::files::{tree_lines, LayerFile};
use crate::app::i18n::{tr, trf, Lang};
use crate::app::keymap::Scope;
use crate::app::model::{Focus, Mode, Model, Simulated};
use crate::app::rows::{layer_rows, RowKind};
use crate::command::output::human_size;
use crate::ui::theme::Theme;
use crate::ui::{focused, text};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

/// A few of a layer's files in one line: files first (directories when it
/// has no files), and how many more.
/// `more_key` is the message that counts the rest.
fn files_sample(lang: Lang, files: &[LayerFile], more_key: &str) -> String {
    let mut shown: Vec<String> = files
        .iter()
        .filter(|f| !f.path.ends_with('/'))
        .take(3)
        .map(|f| format!("{} {} ({})", f.change.sign(), f.path, human_size(f.size)))
        .collect();
    let dirs = files.iter().filter(|f| f.path.ends_with('/')).count();
    if shown.is_empty() && dirs > 0 {
        shown = files
            .iter()
            .take(3)
            .map(|f| format!("{} {}", f.change.sign(), f.path))
            .collect();
    }
    let more = files.len().saturating_sub(shown.len());
    if more > 0 {
        shown.push(trf(lang, more_key, &[("n", &more.to_string())]));
    }
    shown.join("  ")
}

/// A layer's files as an indented tree.
fn tree(files: &[LayerFile], out: &mut Vec<Line<'static>>) {
    for (depth, name, change) in tree_lines(files) {
        let (sign, size) = match change {
            Some((c, size)) => (c.sign().to_string(), human_size(size)),
            None => (" ".to_string(), String::new()),
        };
        out.push(Line::from(format!(
            "  {sign} {}{name}  {size}",
            "  ".repeat(depth)
        )));
    }
}

/// The sentences of the why-pane; `full` adds the layer's file tree and the
/// files that waste space (the details overlay).
pub fn why_lines(model: &Model, full: bool) -> Vec<Line<'static>> {
    let theme = Theme::of(model);
    let lang = model.lang;
    let mut out = Vec::new();
    if let Some(p) = &model.outline.problem {
        out.push(Line::from(Span::styled(
            format!("✗ {}: {}", p.line + 1, p.message.render(lang)),
            theme.error(),
        )));
        out.push(Line::from(Span::styled(tr(lang, "why.stale"), theme.dim())));
    }
    if full {
        // The build checks on the selected instruction: the rule, its
        // message, and why the rule exists.
        for c in model.outline.checks_of(model.selected) {
            out.push(Line::from(vec![
                Span::styled(format!("! {} ", c.rule), theme.check()),
                Span::raw(c.message.render(lang)),
            ]));
            if let Some(why) = &c.why {
                out.push(Line::from(Span::styled(
                    format!("  {}", why.render(lang)),
                    theme.dim(),
                )));
            }
        }
    }
    let Some(view) = &model.build else {
        out.push(Line::from(tr(lang, "why.none")));
        return out;
    };
    if let Some(origin) = &view.origin {
        out.push(Line::from(Span::styled(
            trf(lang, "build.from_command", &[("line", origin)]),
            theme.dim(),
        )));
    }
    if let Some(e) = &view.error {
        let at = e.line.map(|l| format!("{l}: ")).unwrap_or_default();
        out.push(Line::from(Span::styled(
            trf(
                lang,
                "build.failed",
                &[("message", &format!("{at}{}", e.message))],
            ),
            theme.error(),
        )));
    }
    let rows = layer_rows(view);
    let steps = view.steps();
    let selected = if model.in_sync() {
        rows.iter()
            .find(|r| r.instruction == model.selected)
            .copied()
    } else {
        None
    };
    if let Some(row) = selected {
        let ins = &view.instructions[row.instruction];
        let step = row.step.and_then(|i| steps.get(i));
        let (sentence, style) = match (row.kind, step) {
            (RowKind::Step, Some(s)) if s.verdict.cached() => (
                trf(lang, "why.hit", &[("reason", &s.verdict.reason_in(lang))]),
                theme.hit(),
            ),
            (RowKind::Step, Some(s)) => {
                let mut t = trf(lang, "why.miss", &[("reason", &s.verdict.reason_in(lang))]);
                if row.first_miss {
                    t.push_str("; ");
                    t.push_str(&tr(lang, "why.cascade"));
                }
                (
                    t,
                    if row.first_miss {
                        theme.first_miss()
                    } else {
                        theme.miss()
                    },
                )
            }
            (RowKind::Base, _) => (tr(lang, "why.base"), theme.base()),
            (RowKind::Metadata, _) => {
                let b = tr(lang, &format!("builder.{}", view.builder.name()));
                (
                    trf(lang, "why.metadata", &[("builder", &b)]),
                    theme.metadata(),
                )
            }
            _ => (tr(lang, "why.not_built"), theme.dim()),
        };
        out.push(Line::from(vec![
            Span::styled(format!("▶ {} — ", ins.text), theme.title()),
            Span::styled(sentence, style),
        ]));
    }
    if let Some(first) = rows.iter().find(|r| r.first_miss) {
        if selected.is_none_or(|s| s.instruction != first.instruction) {
            if let Some(s) = first.step.and_then(|i| steps.get(i)) {
                out.push(Line::from(vec![
                    Span::styled("◆ ", theme.first_miss()),
                    Span::styled(format!("{} — ", s.text), theme.title()),
                    Span::styled(
                        format!(
                            "{}; {}",
                            trf(lang, "why.miss", &[("reason", &s.verdict.reason_in(lang))]),
                            tr(lang, "why.cascade")
                        ),
                        theme.miss(),
                    ),
                ]));
            }
        }
    }
    if let Some(row) = selected {
        let step = row.step.and_then(|i| steps.get(i).map(|s| (i, s)));
        let base = step.and_then(|(i, _)| view.base_files.get(&i));
        let files_line = match (base, step) {
            (Some(layers), _) => {
                let all: Vec<LayerFile> = layers.iter().flatten().cloned().collect();
                format!(
                    "{} {}",
                    trf(lang, "files.base", &[("layers", &layers.len().to_string())]),
                    files_sample(lang, &all, "files.more")
                )
            }
            (None, Some((_, s))) if s.layer.is_none() => tr(lang, "files.no_layer"),
            (None, Some((i, _))) => match view.layer_files.get(&i) {
                Some(files) => files_sample(lang, files, "files.more"),
                None => tr(lang, "files.none"),
            },
            (None, None) => tr(lang, "files.no_layer"),
        };
        out.push(Line::from(vec![
            Span::styled(format!("{} ", tr(lang, "files.title")), theme.title()),
            Span::raw(files_line),
        ]));
        if full {
            if let Some(layers) = base {
                let n = layers.len().to_string();
                for (k, files) in layers.iter().enumerate() {
                    let size: u64 = files.iter().map(|f| f.size).sum();
                    out.push(Line::from(Span::styled(
                        trf(
                            lang,
                            "files.base_layer",
                            &[
                                ("n", &(k + 1).to_string()),
                                ("total", &n),
                                ("size", &human_size(size)),
                            ],
                        ),
                        theme.title(),
                    )));
                    // A base layer can hold thousands of paths: a few
                    // of them, and how many more.
                    let sample = files_sample(lang, files, "files.base_more");
                    out.push(Line::from(format!("  {sample}")));
                }
            } else if let Some(files) = step.and_then(|(i, _)| view.layer_files.get(&i)) {
                tree(files, &mut out);
            }
        }
    }
    if full {
        if let Some(r) = &view.report {
            out.push(Line::default());
            out.push(Line::from(Span::styled(
                trf(
                    lang,
                    "image.line",
                    &[
                        ("size", &human_size(r.size)),
                        ("layers", &r.layer_count.to_string()),
                        ("wasted", &crate::ui::layers_pane::wasted_text(model, view)),
                    ],
                ),
                theme.title(),
            )));
            let list = &view.wasted_files;
            if !list.is_empty() {
                out.push(Line::from(tr(lang, "image.wasted_files")));
                for (path, bytes) in list.iter().take(10) {
                    out.push(Line::from(format!("  {path}  {}", human_size(*bytes))));
                }
            }
        }
    }
    out
}

pub fn why(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = Theme::of(model);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(false))
        .title(Span::styled(
            text::title(&format!(" {} ", tr(model.lang, "pane.why")), area.width),
            theme.title(),
        ));
    crate::ui::wrapped_in(block, why_lines(model, false), area, buf);
}

/// The why-pane folded into one line (80×24): the selected step's verdict.
pub fn why_line(model: &Model, area: Rect, buf: &mut Buffer) {
    let lines = why_lines(model, false);
    let line = lines
        .into_iter()
        .find(|l| {
            l.spans
                .first()
                .is_some_and(|s| s.content.starts_with('▶') || s.content.starts_with('✗'))
        })
        .unwrap_or_default();
    Paragraph::new(text::cut_line(line, area.width as usize)).render(area, buf);
}

pub fn context_offset(model: &Model, area: Rect) -> usize {
    let h = area.height.saturating_sub(2) as usize;
    let sel = model.context.selected;
    (sel + 1).saturating_sub(h)
}

pub fn context(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = Theme::of(model);
    let simulated = model.context.simulated();
    let mut title = vec![Span::styled(
        format!(" {} ", tr(model.lang, "pane.context")),
        theme.title(),
    )];
    if simulated > 0 {
        let n = simulated.to_string();
        title.push(Span::styled(
            format!("{} ", trf(model.lang, "context.sim_count", &[("n", &n)])),
            theme.simulated(),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused(model, Focus::Context)))
        .title(text::cut_line(
            Line::from(title),
            (area.width as usize).saturating_sub(2),
        ));
    let inner = block.inner(area);
    block.render(area, buf);
    let w = inner.width as usize;
    let start = context_offset(model, area);
    let excluded_word = tr(model.lang, "context.excluded");
    let mark = tr(model.lang, "context.simulated");
    let deleted_word = tr(model.lang, "context.sim_deleted");
    let lines: Vec<Line> = model
        .context
        .rows
        .iter()
        .enumerate()
        .skip(start)
        .take(inner.height as usize)
        .map(|(i, r)| {
            let sel = i == model.context.selected && model.focus == Focus::Context;
            let name = if r.dir {
                format!("{}/", r.path)
            } else {
                r.path.clone()
            };
            let right = if r.simulated == Some(Simulated::Removed) {
                String::new()
            } else if r.excluded {
                excluded_word.clone()
            } else if r.dir {
                String::new()
            } else {
                format!("{:o} {}", r.mode & 0o777, human_size(r.size))
            };
            // The mark says the row is not what is on disk.
            let sim = match r.simulated {
                Some(Simulated::Changed) if right.is_empty() => mark.clone(),
                Some(Simulated::Changed) => format!("{mark} "),
                Some(Simulated::Removed) => deleted_word.clone(),
                None => String::new(),
            };
            let sim_w = text::width(&sim).min(w / 2);
            let right_w = text::width(&right).min((w / 2).saturating_sub(sim_w));
            let left_w = w.saturating_sub(right_w + sim_w + 3);
            let style = if r.excluded || r.simulated == Some(Simulated::Removed) {
                theme.dim()
            } else {
                ratatui::style::Style::default()
            };
            let mut l = Line::from(vec![
                Span::raw(if sel { "▶ " } else { "  " }),
                Span::styled(text::fit(&name, left_w), style),
                Span::raw(" "),
                Span::styled(text::truncate(&sim, sim_w), theme.simulated()),
                Span::styled(text::fit_right(&right, right_w), theme.dim()),
            ]);
            if sel {
                l = l.patch_style(theme.selected());
            }
            l
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
}

pub fn output(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = Theme::of(model);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(false))
        .title(Span::styled(
            text::title(&format!(" {} ", tr(model.lang, "pane.output")), area.width),
            theme.title(),
        ));
    let inner = block.inner(area);
    block.render(area, buf);
    let h = inner.height as usize;
    let total = model.log.output.len();
    let end = total.saturating_sub(model.log.scroll);
    let start = end.saturating_sub(h);
    let w = inner.width as usize;
    let lines: Vec<Line> = model.log.output[start..end]
        .iter()
        .map(|(err, l)| {
            let line = if *err {
                Line::from(Span::styled(l.clone(), theme.error()))
            } else if l.starts_with("$ ") {
                Line::from(Span::styled(l.clone(), theme.title()))
            } else {
                Line::from(l.clone())
            };
            text::cut_line(line, w)
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
}

/// The line above the footer: the command bar, a question, or the last
/// status message (what runs, while the editor is open).
pub fn status(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = Theme::of(model);
    let lang = model.lang;
    let line = match &model.mode {
        Mode::Command { input, .. } => {
            let chars: Vec<char> = input.text.chars().collect();
            let head: String = chars.iter().take(input.cursor).collect();
            let at: String = chars
                .get(input.cursor)
                .map_or(" ".into(), |c| c.to_string());
            let tail: String = chars.iter().skip(input.cursor + 1).collect();
            let mut spans = vec![
                Span::styled(":", theme.key()),
                Span::raw(head),
                Span::styled(at, theme.cursor()),
                Span::raw(tail),
            ];
            if let Some(s) = &model.status {
                spans.push(Span::styled(format!("   {s}"), theme.dim()));
            }
            Line::from(spans)
        }
        Mode::AddFile(input) => Line::from(vec![
            Span::styled(tr(lang, "context.add_prompt"), theme.key()),
            Span::raw(input.text.clone()),
            Span::styled(" ", theme.cursor()),
        ]),
        Mode::Shell(_) => Line::from(Span::styled(tr(lang, "shell.hint"), theme.dim())),
        // A lesson's question waits for its answer, over whatever runs.
        _ if model.lesson.as_ref().is_some_and(|l| l.ask.is_some()) => Line::from(Span::styled(
            model.status.clone().unwrap_or_default(),
            theme.title(),
        )),
        // Kept edits are offered until taken, over whatever runs.
        _ if model.recovered.is_some() => Line::from(Span::styled(
            tr(lang, "status.recovery_offered"),
            theme.title(),
        )),
        _ => match (&model.running, &model.status) {
            (Some(r), _) => Line::from(Span::styled(r.line(lang), theme.title())),
            (None, Some(s)) => Line::from(Span::styled(s.clone(), theme.title())),
            // Until the learner changes something, one line says where to
            // start, with the keys of the key map.
            (None, None)
                if model.undo.is_empty()
                    && model.mode == Mode::Normal
                    && model.lesson.is_none() =>
            {
                let df = Scope::Dockerfile;
                let hint = trf(
                    lang,
                    "start.hint",
                    &[
                        (
                            "move",
                            &shortest_keys(model, df, &[Action::MoveUp, Action::MoveDown]),
                        ),
                        (
                            "context",
                            &shortest_keys(model, Scope::Global, &[Action::ToggleContext]),
                        ),
                    ],
                );
                Line::from(Span::styled(hint, theme.dim()))
            }
            (None, None) => Line::default(),
        },
    };
    // The command bar scrolls with its cursor in ratatui's hands; every
    // other status line is cut with `…`.
    let line = if matches!(model.mode, Mode::Command { .. } | Mode::AddFile(_)) {
        line
    } else {
        text::cut_line(line, area.width as usize)
    };
    Paragraph::new(line).render(area, buf);
}

/// Keys of `actions` in `scope`, grouped: `↑↓/kj`, `Alt+↑↓/KJ`, `u/^r`.
fn keys(model: &Model, scope: Scope, actions: &[Action]) -> String {
    key_groups(model, scope, actions).join("/")
}

/// The shortest of those groups: `KJ` for `Alt+↑↓/KJ`, `q` for `q/^c`.
fn shortest_keys(model: &Model, scope: Scope, actions: &[Action]) -> String {
    key_groups(model, scope, actions)
        .into_iter()
        .min_by_key(|k| text::width(k))
        .unwrap_or_default()
}

/// The alternatives of `actions`' keys: the first key of each action
/// together, then the second, …
fn key_groups(model: &Model, scope: Scope, actions: &[Action]) -> Vec<String> {
    let lists: Vec<Vec<String>> = actions
        .iter()
        .map(|a| {
            model
                .keymap
                .keys_for(scope, *a)
                .into_iter()
                .map(text::key_label)
                .collect()
        })
        .collect();
    let n = lists.iter().map(Vec::len).max().unwrap_or(0);
    (0..n)
        .map(|i| {
            let group: Vec<String> = lists.iter().filter_map(|l| l.get(i).cloned()).collect();
            combine(&group)
        })
        .collect()
}

/// `["Alt+↑", "Alt+↓"]` → `Alt+↑↓`; `["u", "^r"]` → `u/^r`.
fn combine(labels: &[String]) -> String {
    let Some(first) = labels.first() else {
        return String::new();
    };
    let mut prefix: String = first.clone();
    for l in &labels[1..] {
        let common: String = prefix
            .chars()
            .zip(l.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a)
            .collect();
        prefix = common;
    }
    let prefix = match prefix.rfind('+') {
        Some(i) => prefix[..=i].to_string(),
        None => String::new(),
    };
    let rests: Vec<&str> = labels.iter().map(|l| &l[prefix.len()..]).collect();
    if labels.len() > 1 && rests.iter().all(|r| r.chars().count() == 1) {
        format!("{prefix}{}", rests.concat())
    } else {
        labels.join("/")
    }
}

pub fn footer(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = Theme::of(model);
    // While the editor is open keys type text: the footer lists the
    // editor's own keys instead of the screen's.
    if matches!(model.mode, Mode::Edit(_)) {
        let hint = Span::styled(tr(model.lang, "edit.hint"), theme.key());
        let line = text::cut_line(Line::from(vec![Span::raw(" "), hint]), area.width as usize);
        Paragraph::new(line).render(area, buf);
        return;
    }
    let df = Scope::Dockerfile;
    let g = Scope::Global;
    // A lesson's keys come first on its screen.
    let lesson: Vec<(Scope, &[Action], &str)> = if model.lesson.is_some() {
        vec![
            (g, &[Action::LessonHint], "short.hint"),
            (g, &[Action::LessonSolution], "short.solution"),
            (g, &[Action::LessonNext], "short.next"),
            (g, &[Action::LessonMenu], "short.menu"),
        ]
    } else {
        Vec::new()
    };
    let mut entries: Vec<(Scope, &[Action], &str)> = lesson;
    entries.extend::<Vec<(Scope, &[Action], &str)>>(vec![
        (df, &[Action::SelectUp, Action::SelectDown], "short.select"),
        (df, &[Action::MoveUp, Action::MoveDown], "short.move"),
        (df, &[Action::Edit], "short.edit"),
        (df, &[Action::Undo, Action::Redo], "short.undo_redo"),
        (g, &[Action::Build], "short.build"),
        (g, &[Action::ToggleBuilder], "short.builder"),
        (g, &[Action::ToggleSideBySide], "short.side_by_side"),
        (g, &[Action::TogglePresent], "short.present"),
        (g, &[Action::ToggleContext], "short.context"),
        (g, &[Action::CommandBar], "short.docker"),
        (g, &[Action::Help], "short.help"),
        (g, &[Action::Quit], "short.quit"),
    ]);
    let items: Vec<(String, &str, String)> = entries
        .iter()
        .map(|(scope, actions, label)| {
            (keys(model, *scope, actions), *label, tr(model.lang, label))
        })
        .collect();
    let w = area.width as usize;
    // A space before the first entry, three between entries.
    let cost = |items: &[(String, &str, String)]| -> usize {
        items
            .iter()
            .map(|(k, _, l)| text::width(k) + text::width(l) + 4)
            .sum::<usize>()
            .saturating_sub(2)
    };
    // Too narrow for every key: each action keeps its shortest key (`KJ`
    // rather than `Alt+↑↓/KJ`), then the least needed entries go, and help
    // says it lists the rest. Entries not named here always stay.
    const DROP_ORDER: [&str; 7] = [
        "short.docker",
        "short.undo_redo",
        "short.builder",
        "short.select",
        // Only a lesson's footer is ever this full.
        "short.edit",
        "short.context",
        "short.move",
    ];
    let mut items = items;
    // The presentation and side-by-side keys are listed only where every
    // other key fits in full beside them (help lists them everywhere).
    for extra in ["short.present", "short.side_by_side"] {
        if cost(&items) > w {
            items.retain(|(_, label, _)| *label != extra);
            entries.retain(|(_, _, label)| *label != extra);
        }
    }
    if cost(&items) > w {
        for ((k, label, _), (scope, actions, _)) in items.iter_mut().zip(&entries) {
            // Both build keys stay: F5 and the letter.
            if *label != "short.build" {
                *k = shortest_keys(model, *scope, actions);
            }
        }
    }
    if cost(&items) > w {
        for (_, label, l) in &mut items {
            if *label == "short.help" {
                *l = tr(model.lang, "short.help_more");
            }
        }
    }
    for name in DROP_ORDER {
        if cost(&items) <= w {
            break;
        }
        items.retain(|(_, label, _)| *label != name);
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, (k, _, label)) in items.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("   "));
        }
        spans.push(Span::styled(k, theme.key()));
        spans.push(Span::raw(format!(" {label}")));
    }
    let line = text::cut_line(Line::from(spans), w);
    Paragraph::new(line).render(area, buf);
}
