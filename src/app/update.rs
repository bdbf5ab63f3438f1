//! `update(&mut Model, Event) -> Vec<Effect>`: every change of the app's
//! state, pure. Keys become actions through the key map; results of effects
//! come back as events.

use crate::app::action::Action;
use crate::app::document::{join_lines, outline, split_lines, Document};
use crate::app::editor::{Edit, EditTarget, Outcome, TextArea};
use crate::app::effect::{ContextOp, Effect, ExternalFile};
use crate::app::i18n::{tr, trf, Lang};
use crate::app::keymap::{Key, KeyCode, Scope};
use crate::app::lesson::LessonEvent;
use crate::app::lesson_update;
use crate::app::model::{
    overlay_rows, BuildOutcome, BuildView, ContextRow, Focus, Input, Mode, Model, Running, Shown,
    Snapshot,
};
use crate::app::present::DemoMove;
use crate::app::rows::{context_rows, ContextSources};
use crate::app::shell;
use crate::command::Output;
use crate::dockerfile::compile;
use crate::engine::builder::BuilderKind;
use crate::engine::container::Typed;
use std::sync::Arc;

/// Everything that can happen to the app.
#[derive(Debug)]
pub enum Event {
    Key(Key),
    /// A click or wheel turned into what it points at (by the runtime,
    /// which knows the layout).
    SelectInstruction(usize),
    SelectContext(usize),
    ScrollOutput(i32),
    Resize(u16, u16),
    /// A build of the editor's text finished.
    Built(Box<BuildOutcome>),
    /// A build or preview is under way (sent as it starts, at each step
    /// and as time passes).
    Running(Running),
    /// The build or preview under way was cancelled (Esc, or the runtime
    /// needed the engine back); what was shown before stays.
    Cancelled,
    /// Unsaved edits of this file, kept when a signal ended an earlier
    /// session: offered, taken with `R`.
    Recovered(String),
    /// The build context was read again: the pane's rows are derived from
    /// it.
    ContextRead(Box<ContextSources>),
    /// The context pane's rows, already derived.
    ContextLoaded(Vec<ContextRow>),
    /// The Dockerfile's text on disk changed (another editor saved it).
    DockerfileOnDisk(String),
    Saved {
        text: String,
        result: Result<String, String>,
        quit_after: bool,
    },
    ContextChanged {
        op: ContextOp,
        result: Result<(), String>,
    },
    CommandDone {
        line: String,
        output: Box<Output>,
        /// The build the command ran, if any.
        build: Option<Box<BuildOutcome>>,
    },
    /// A context file read for the editor: its text, or why it cannot be
    /// edited here (binary, too large, not a file), in the learner's words.
    ContextFileRead {
        path: String,
        result: Result<String, String>,
    },
    /// The learner's own editor (`$EDITOR`) ended; or why it did not run.
    ExternalEditorDone(Result<(), String>),
    /// A command opened a shell in a container (`run -it`).
    ShellOpened {
        title: String,
        prompt: String,
    },
    /// A line typed into the shell ran.
    ShellTyped {
        typed: Typed,
        prompt: String,
    },
    /// The shell ended without a line (Ctrl-D), with this code.
    ShellClosed(i32),
    /// A line could not run, in words.
    ShellFailed(String),
    /// The real daemon's verdicts on build number `.0` came back.
    EngineDone(u64, Box<crate::engine::oracle::EngineSide>),
    /// The screen was written: the folder and the files' name without its
    /// extension (`.svg` and `.txt` beside each other), or why not, in
    /// words.
    ScreenExported(Result<(String, String), String>),
    /// What the runtime brings back to the lesson screen.
    Lesson(LessonEvent),
}

pub fn update(model: &mut Model, event: Event) -> Vec<Effect> {
    match event {
        Event::Key(key) => key_event(model, key),
        Event::SelectInstruction(i) => {
            if i < model.outline.blocks.len() {
                model.selected = i;
                model.focus = Focus::Dockerfile;
            }
            Vec::new()
        }
        Event::SelectContext(i) => {
            if i < model.context.rows.len() {
                model.context.selected = i;
                model.focus = Focus::Context;
            }
            Vec::new()
        }
        Event::ScrollOutput(delta) => {
            scroll_output(model, delta);
            Vec::new()
        }
        Event::Resize(w, h) => {
            model.size = (w, h);
            Vec::new()
        }
        Event::Built(outcome) => {
            if let (Shown::Build { number }, Ok(report)) = (outcome.shown, &outcome.result) {
                model.status = Some(trf(
                    model.lang,
                    "status.built",
                    &[
                        ("number", &number.to_string()),
                        ("tags", &report.tags.join(", ")),
                    ],
                ));
            }
            remember_build(model, &outcome);
            let committed = match outcome.shown {
                Shown::Build { number } => Some(number),
                Shown::Preview { .. } => None,
            };
            model.build = Some(BuildView::new(*outcome, &mut model.file_lists));
            model.running = None;
            // `--engine docker`: a committed build goes to the daemon too
            let files_on_disk = model.doc.is_dirty() || model.context.simulated() > 0;
            match (committed, &mut model.engine) {
                (Some(n), Some(engine)) => vec![engine.built(n, files_on_disk)],
                _ => Vec::new(),
            }
        }
        Event::EngineDone(number, side) => {
            let lang = model.lang;
            if let Some(line) = model
                .engine
                .as_mut()
                .and_then(|e| e.answered(number, *side, lang))
            {
                model.status = Some(line);
            }
            Vec::new()
        }
        Event::Running(running) => {
            model.running = Some(running);
            Vec::new()
        }
        Event::Recovered(text) => {
            model.recovered = Some(text);
            model.status = Some(tr(model.lang, "status.recovery_offered"));
            Vec::new()
        }
        Event::Cancelled => {
            if let Some(r) = model.running.take() {
                let key = if r.build {
                    "status.build_cancelled"
                } else {
                    "status.preview_cancelled"
                };
                model.status = Some(tr(model.lang, key));
            }
            Vec::new()
        }
        Event::ContextRead(sources) => {
            load_rows(model, context_rows(&sources));
            let ignore = sources.current.dockerignore();
            if model.dockerignore.as_ref() != Some(ignore) {
                model.dockerignore = Some(ignore.clone());
                model.outline = outline(
                    &model.compiled,
                    &model.doc.lines,
                    model.dockerignore.as_ref(),
                );
            }
            Vec::new()
        }
        Event::ContextLoaded(rows) => {
            load_rows(model, rows);
            Vec::new()
        }
        Event::DockerfileOnDisk(text) => disk_changed(model, &text),
        Event::Saved {
            text,
            result,
            quit_after,
        } => match result {
            Ok(path) => {
                model.doc.mark_saved(&text);
                let key = if model.sandbox {
                    "status.sandbox_save"
                } else {
                    "status.saved"
                };
                model.status = Some(trf(model.lang, key, &[("path", &path)]));
                if quit_after {
                    model.quit = true;
                    vec![Effect::Quit]
                } else if model.build_on_save {
                    build(model)
                } else {
                    Vec::new()
                }
            }
            Err(error) => {
                model.status = Some(trf(
                    model.lang,
                    "status.save_failed",
                    &[("path", &model.title), ("error", &error)],
                ));
                Vec::new()
            }
        },
        Event::ContextChanged { op, result } => {
            model.status = Some(match result {
                Ok(()) => trf(
                    model.lang,
                    "status.context_done",
                    &[
                        ("what", &tr(model.lang, op.done_key())),
                        ("path", op.path()),
                    ],
                ),
                Err(error) => trf(model.lang, "status.context_error", &[("error", &error)]),
            });
            Vec::new()
        }
        Event::ContextFileRead { path, result } => {
            match result {
                Ok(text) => {
                    // At the file's start, as editors open a file.
                    let mut area = TextArea::new(&text, 0);
                    area.home();
                    model.mode = Mode::Edit(Box::new(Edit {
                        area,
                        target: EditTarget::Context {
                            path,
                            original: text,
                        },
                    }));
                    model.status = None;
                }
                Err(error) => model.status = Some(error),
            }
            Vec::new()
        }
        Event::ExternalEditorDone(result) => {
            if let Err(error) = result {
                model.status = Some(error);
            }
            Vec::new()
        }
        Event::CommandDone {
            line,
            output,
            build,
        } => {
            model.log.output.push((false, format!("$ {line}")));
            let output = *output;
            for l in output.stdout {
                model.log.output.push((false, l));
            }
            for l in output.stderr {
                model.log.output.push((true, l));
            }
            model.log.scroll = 0;
            model.log.shown = true;
            if let Some(b) = build {
                remember_build(model, &b);
                model.build = Some(BuildView::new(*b, &mut model.file_lists));
            }
            Vec::new()
        }
        Event::ShellOpened { title, prompt } => {
            shell::opened(model, title, prompt);
            Vec::new()
        }
        Event::ShellTyped { typed, prompt } => {
            shell::typed(model, &typed, prompt);
            Vec::new()
        }
        Event::ShellClosed(code) => {
            shell::closed(model, code);
            Vec::new()
        }
        Event::ShellFailed(error) => {
            shell::failed(model, error);
            Vec::new()
        }
        Event::ScreenExported(result) => {
            let said = match result {
                Ok((folder, name)) => trf(
                    model.lang,
                    "status.screen_written",
                    &[("folder", &folder), ("name", &name)],
                ),
                Err(error) => error,
            };
            // The log keeps where every picture went; the status says it now.
            model.log.output.push((false, said.clone()));
            model.status = Some(said);
            Vec::new()
        }
        Event::Lesson(e) => lesson_update::event(model, e),
    }
}

/// A build's instructions, to tell the learner's later changes from it.
fn remember_build(model: &mut Model, outcome: &BuildOutcome) {
    if let (Shown::Build { .. }, Ok(report)) = (outcome.shown, &outcome.result) {
        model.last_built = report.instructions.iter().map(|i| i.text.clone()).collect();
    }
}

/// New rows for the context pane; the selection stays on its path.
fn load_rows(model: &mut Model, rows: Vec<ContextRow>) {
    let keep = model
        .context
        .rows
        .get(model.context.selected)
        .map(|r| r.path.clone());
    model.context.rows = rows;
    model.context.selected = keep
        .and_then(|p| model.context.rows.iter().position(|r| r.path == p))
        .unwrap_or(0)
        .min(model.context.rows.len().saturating_sub(1));
}

/// Scroll the help with ↑/↓ (or k/j), PgUp/PgDn, Home/End; false for
/// any other key.
fn help_scroll(model: &mut Model, key: Key) -> bool {
    let page = overlay_rows(model.size.1).max(1);
    let max = model.help_max_scroll();
    let at = model.help_scroll.min(max);
    let to = match key.code {
        KeyCode::Up | KeyCode::Char('k') => at.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => at + 1,
        KeyCode::PageUp => at.saturating_sub(page),
        KeyCode::PageDown | KeyCode::Char(' ') => at + page,
        KeyCode::Home => 0,
        KeyCode::End => max,
        _ => return false,
    };
    model.help_scroll = to.min(max);
    true
}

fn key_event(model: &mut Model, key: Key) -> Vec<Effect> {
    // Ctrl-C always reaches quit, whatever is open.
    if key == Key::ctrl('c') && !matches!(model.mode, Mode::ConfirmQuit) {
        model.mode = Mode::Normal;
        return apply(model, Action::Quit);
    }
    if matches!(model.mode, Mode::Edit(_)) {
        return edit_key(model, key);
    }
    match model.mode.clone() {
        // Esc stops what runs before anything else it might mean.
        Mode::Normal if key.code == KeyCode::Esc && model.running.is_some() => vec![Effect::Cancel],
        // The kept edits replace the text as one undoable change; the
        // file is written only when the learner saves.
        Mode::Normal if key == Key::char('R') && model.recovered.is_some() => {
            let text = model.recovered.take().unwrap_or_default();
            model.status = Some(tr(model.lang, "status.recovery_taken"));
            let selected = model.selected;
            change_document(model, split_lines(&text), selected)
        }
        Mode::Normal if lesson_update::asking(model) => lesson_update::answer(model, key),
        // A demo takes its own keys and the few global ones that change
        // how it shows (the screen's text is the demo's, not the learner's).
        Mode::Normal if model.demo.is_some() => match model.keymap.lookup(Scope::Present, key) {
            Some(Action::DemoJump) => match key.code {
                KeyCode::Char(c) => c
                    .to_digit(10)
                    .and_then(|d| (d as usize).checked_sub(1))
                    .map_or_else(Vec::new, |n| vec![Effect::Demo(DemoMove::Jump(n))]),
                _ => Vec::new(),
            },
            Some(action) if action.in_demo() => apply(model, action),
            _ => Vec::new(),
        },
        Mode::Normal => {
            let scope = match model.focus {
                Focus::Dockerfile => Scope::Dockerfile,
                Focus::Layers => Scope::Layers,
                Focus::Context => Scope::Context,
            };
            match model.keymap.lookup(scope, key) {
                Some(action) => apply(model, action),
                None => Vec::new(),
            }
        }
        Mode::Help if help_scroll(model, key) => Vec::new(),
        // The overlay stays open: its picture is the one wanted.
        Mode::Help | Mode::Details
            if model.keymap.lookup(Scope::Global, key) == Some(Action::ExportScreen) =>
        {
            vec![Effect::ExportScreen]
        }
        Mode::Help | Mode::Details => {
            let closes = matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q'))
                || model.keymap.lookup(Scope::Global, key) == Some(Action::Help);
            if closes {
                model.mode = Mode::Normal;
            }
            Vec::new()
        }
        Mode::Edit(_) => edit_key(model, key),
        Mode::Command {
            input,
            completion,
            history_pos,
        } => command_key(model, input, completion, history_pos, key),
        Mode::Shell(pane) => shell::key(model, pane, key),
        Mode::ConfirmQuit => match key.code {
            KeyCode::Char('y') => {
                model.mode = Mode::Normal;
                model.quit = true;
                vec![Effect::Quit]
            }
            KeyCode::Char('s') => {
                model.mode = Mode::Normal;
                vec![Effect::Save {
                    text: model.doc.file_text(),
                    quit_after: true,
                }]
            }
            _ => {
                model.mode = Mode::Normal;
                model.status = None;
                Vec::new()
            }
        },
        Mode::AddFile(mut input) => match key.code {
            KeyCode::Esc => {
                model.mode = Mode::Normal;
                Vec::new()
            }
            KeyCode::Enter => {
                model.mode = Mode::Normal;
                let name = input.text.trim().to_string();
                if name.is_empty() {
                    Vec::new()
                } else {
                    vec![Effect::Context(ContextOp::Add(name))]
                }
            }
            _ => {
                edit_input(&mut input, key);
                model.mode = Mode::AddFile(input);
                Vec::new()
            }
        },
    }
}

fn edit_input(input: &mut Input, key: Key) {
    input.edit(key);
}

fn command_key(
    model: &mut Model,
    mut input: Input,
    completion: Option<(Vec<String>, usize)>,
    history_pos: Option<usize>,
    key: Key,
) -> Vec<Effect> {
    let mut completion_next = None;
    let mut history_next = None;
    match key.code {
        KeyCode::Esc => {
            model.mode = Mode::Normal;
            model.status = None;
            return Vec::new();
        }
        KeyCode::Enter => {
            model.mode = Mode::Normal;
            model.status = None;
            let line = input.text.trim().to_string();
            if line.is_empty() {
                return Vec::new();
            }
            if model.log.history.last() != Some(&line) {
                model.log.history.push(line.clone());
            }
            return vec![Effect::RunCommand(line)];
        }
        KeyCode::Tab => {
            let (cands, i) = match completion {
                Some((c, i)) => {
                    let n = (i + 1) % c.len().max(1);
                    (c, n)
                }
                None => (crate::command::complete(&input.text), 0),
            };
            if let Some(choice) = cands.get(i) {
                input = Input::new(choice);
            }
            model.status = (cands.len() > 1).then(|| {
                cands
                    .iter()
                    .map(|c| c.trim_end().rsplit(' ').next().unwrap_or(c).to_string())
                    .collect::<Vec<_>>()
                    .join("  ")
            });
            completion_next = Some((cands, i));
        }
        KeyCode::Up => {
            let h = &model.log.history;
            if !h.is_empty() {
                let pos = history_pos.map_or(h.len() - 1, |p| p.saturating_sub(1));
                input = Input::new(&h[pos]);
                history_next = Some(pos);
            }
        }
        KeyCode::Down => {
            let h = &model.log.history;
            match history_pos {
                Some(p) if p + 1 < h.len() => {
                    input = Input::new(&h[p + 1]);
                    history_next = Some(p + 1);
                }
                _ => input = Input::default(),
            }
        }
        KeyCode::Backspace if input.text.is_empty() => {
            model.mode = Mode::Normal;
            return Vec::new();
        }
        _ => edit_input(&mut input, key),
    }
    model.mode = Mode::Command {
        input,
        completion: completion_next,
        history_pos: history_next,
    };
    Vec::new()
}

/// Run one action.
pub fn apply(model: &mut Model, action: Action) -> Vec<Effect> {
    let lang = model.lang;
    match action {
        Action::Help => {
            model.mode = Mode::Help;
            model.help_scroll = 0;
            Vec::new()
        }
        Action::Quit => {
            if model.doc.is_dirty() {
                model.mode = Mode::ConfirmQuit;
                model.status = Some(tr(lang, "quit.confirm"));
                Vec::new()
            } else {
                model.quit = true;
                vec![Effect::Quit]
            }
        }
        Action::CommandBar => open_bar(model, ""),
        Action::Docker => open_bar(model, "d"),
        Action::Build => build(model),
        Action::ToggleBuildOnSave => {
            model.build_on_save = !model.build_on_save;
            let key = if model.build_on_save {
                "status.build_on_save_on"
            } else {
                "status.build_on_save_off"
            };
            model.status = Some(tr(lang, key));
            Vec::new()
        }
        Action::ToggleBuilder => {
            model.builder = match model.builder {
                BuilderKind::Buildkit => BuilderKind::Classic,
                BuilderKind::Classic => BuilderKind::Buildkit,
            };
            let name = tr(lang, &format!("builder.{}", model.builder.name()));
            model.status = Some(trf(lang, "status.builder", &[("builder", &name)]));
            preview(model)
        }
        Action::ToggleSideBySide => {
            model.side_by_side = !model.side_by_side;
            let key = if model.side_by_side {
                "status.side_by_side_on"
            } else {
                "status.side_by_side_off"
            };
            model.status = Some(tr(lang, key));
            Vec::new()
        }
        Action::ToggleContext => {
            if model.focus == Focus::Context {
                model.context.open = false;
                model.focus = Focus::Dockerfile;
            } else {
                model.context.open = true;
                model.focus = Focus::Context;
                model.status = Some(tr(lang, "context.hint"));
            }
            Vec::new()
        }
        Action::FocusNext | Action::FocusPrev => {
            let mut order = vec![Focus::Dockerfile, Focus::Layers];
            if model.context.open {
                order.push(Focus::Context);
            }
            let i = order.iter().position(|f| *f == model.focus).unwrap_or(0);
            let n = order.len();
            let next = if action == Action::FocusNext {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            model.focus = order[next];
            Vec::new()
        }
        Action::Save => vec![Effect::Save {
            text: model.doc.file_text(),
            quit_after: false,
        }],
        Action::ScrollOutputUp => {
            scroll_output(model, 5);
            Vec::new()
        }
        Action::ScrollOutputDown => {
            scroll_output(model, -5);
            Vec::new()
        }
        Action::ToggleOutput => {
            model.log.shown = !model.log.shown;
            Vec::new()
        }
        Action::SelectUp | Action::SelectOlder => {
            model.selected = model.selected.saturating_sub(1);
            Vec::new()
        }
        Action::SelectDown | Action::SelectNewer => {
            if model.selected + 1 < model.outline.blocks.len() {
                model.selected += 1;
            }
            Vec::new()
        }
        Action::MoveUp => move_block(model, true),
        Action::MoveDown => move_block(model, false),
        Action::Edit => {
            match model.outline.blocks.get(model.selected).copied() {
                // Every line of the instruction, continuations and heredoc
                // bodies included, the cursor at the end of its last.
                Some(b) => open_lines(
                    model,
                    b.first,
                    b.last + 1 - b.first,
                    b.last - b.first,
                    false,
                ),
                None => open_lines(model, model.doc.lines.len(), 0, 0, false),
            }
            Vec::new()
        }
        Action::EditFile => {
            let row = model
                .outline
                .blocks
                .get(model.selected)
                .map_or(0, |b| b.first);
            open_lines(model, 0, model.doc.lines.len(), row, true);
            Vec::new()
        }
        Action::ExternalEditor => {
            // The file on disk is what the other editor opens: edits not
            // yet saved would be left out of it, then kept over its save.
            if model.doc.is_dirty() {
                model.status = Some(tr(lang, "status.external_unsaved"));
                return Vec::new();
            }
            vec![Effect::ExternalEditor(ExternalFile::Dockerfile)]
        }
        Action::InsertBelow | Action::InsertAbove => {
            let at = match model.outline.blocks.get(model.selected) {
                Some(b) if action == Action::InsertBelow => b.last + 1,
                Some(b) => b.first,
                None => model.doc.lines.len(),
            };
            open_lines(model, at, 0, 0, false);
            Vec::new()
        }
        Action::Delete => {
            let Some(b) = model.outline.blocks.get(model.selected).copied() else {
                return Vec::new();
            };
            let mut lines = model.doc.lines.clone();
            lines.drain(b.first..=b.last);
            let sel = model.selected;
            change_document(model, lines, sel)
        }
        Action::Duplicate => {
            let Some(b) = model.outline.blocks.get(model.selected).copied() else {
                return Vec::new();
            };
            let mut lines = model.doc.lines.clone();
            let copy: Vec<String> = lines[b.first..=b.last].to_vec();
            let at = b.last + 1;
            lines.splice(at..at, copy);
            let sel = model.selected + 1;
            change_document(model, lines, sel)
        }
        Action::Undo => history_step(model, true),
        Action::Redo => history_step(model, false),
        Action::Details => {
            model.mode = Mode::Details;
            Vec::new()
        }
        Action::ContextUp => {
            model.context.selected = model.context.selected.saturating_sub(1);
            Vec::new()
        }
        Action::ContextDown => {
            if model.context.selected + 1 < model.context.rows.len() {
                model.context.selected += 1;
            }
            Vec::new()
        }
        Action::ContextEdit | Action::ContextTouch | Action::ContextChmod => {
            let Some(row) = model.context.rows.get(model.context.selected) else {
                model.status = Some(tr(lang, "status.no_context_file"));
                return Vec::new();
            };
            let path = row.path.clone();
            let op = match action {
                Action::ContextEdit => ContextOp::Edit(path),
                Action::ContextTouch => ContextOp::Touch(path),
                _ => ContextOp::Chmod(path),
            };
            vec![Effect::Context(op)]
        }
        Action::ContextOpen | Action::ContextExternal => {
            let Some(row) = model.context.rows.get(model.context.selected) else {
                model.status = Some(tr(lang, "status.no_context_file"));
                return Vec::new();
            };
            let path = row.path.clone();
            if action == Action::ContextOpen {
                vec![Effect::ReadContextFile(path)]
            } else {
                vec![Effect::ExternalEditor(ExternalFile::Context(path))]
            }
        }
        Action::ContextAdd => {
            model.mode = Mode::AddFile(Input::default());
            Vec::new()
        }
        // Deleting is only simulated (the file on disk stays), so it asks
        // nothing; `context_reset` brings the file back.
        Action::ContextDelete => match model.context.rows.get(model.context.selected) {
            Some(row) => vec![Effect::Context(ContextOp::Delete(row.path.clone()))],
            None => {
                model.status = Some(tr(lang, "status.no_context_file"));
                Vec::new()
            }
        },
        Action::TogglePresent => {
            model.present = !model.present;
            Vec::new()
        }
        Action::ToggleTheme => {
            model.theme = model.theme.toggled();
            Vec::new()
        }
        // A demo's words are the lesson's: the runtime renders them again
        // in the new language. (Elsewhere the lesson screen's arm below
        // switches it and keeps it with the learner's progress.)
        Action::ToggleLang if model.demo.is_some() => {
            model.lang = match model.lang {
                Lang::Ko => Lang::En,
                Lang::En => Lang::Ko,
            };
            vec![Effect::Demo(DemoMove::Stay)]
        }
        Action::DemoNext | Action::DemoBack | Action::DemoJump if model.demo.is_none() => {
            Vec::new()
        }
        Action::DemoNext => vec![Effect::Demo(DemoMove::Next)],
        Action::DemoBack => vec![Effect::Demo(DemoMove::Back)],
        // Only a digit says which step (above, with the key).
        Action::DemoJump => Vec::new(),
        Action::ExportScreen => vec![Effect::ExportScreen],
        Action::ContextReset => {
            if model.context.simulated() == 0 {
                model.status = Some(tr(lang, "status.nothing_simulated"));
                return Vec::new();
            }
            model.status = Some(tr(lang, "status.simulation_reset"));
            vec![Effect::ResetContext]
        }
        Action::LessonHint
        | Action::LessonSolution
        | Action::LessonNext
        | Action::LessonMenu
        | Action::ToggleLang => lesson_update::action(model, action),
        // The menu's own keys mean nothing on this screen.
        Action::MenuUp
        | Action::MenuDown
        | Action::MenuOpen
        | Action::MenuSandbox
        | Action::MenuResetLesson
        | Action::MenuResetStep => Vec::new(),
    }
}

fn open_bar(model: &mut Model, text: &str) -> Vec<Effect> {
    model.mode = Mode::Command {
        input: Input::new(text),
        completion: None,
        history_pos: None,
    };
    model.status = Some(tr(model.lang, "command.hint"));
    Vec::new()
}

fn scroll_output(model: &mut Model, delta: i32) {
    let max = model.log.output.len().saturating_sub(1);
    let s = model.log.scroll as i64 + i64::from(delta);
    model.log.scroll = s.clamp(0, max as i64) as usize;
}

/// Swap the selected instruction with the one above (or below); the lines
/// between them (blank lines, comments) stay where they are.
fn move_block(model: &mut Model, up: bool) -> Vec<Effect> {
    let blocks = &model.outline.blocks;
    let (upper, lower) = if up {
        if model.selected == 0 || model.selected >= blocks.len() {
            return Vec::new();
        }
        (model.selected - 1, model.selected)
    } else {
        if model.selected + 1 >= blocks.len() {
            return Vec::new();
        }
        (model.selected, model.selected + 1)
    };
    let (a, b) = (blocks[upper], blocks[lower]);
    let l = &model.doc.lines;
    let mut lines = Vec::with_capacity(l.len());
    lines.extend_from_slice(&l[..a.first]);
    lines.extend_from_slice(&l[b.first..=b.last]);
    lines.extend_from_slice(&l[a.last + 1..b.first]);
    lines.extend_from_slice(&l[a.first..=a.last]);
    lines.extend_from_slice(&l[b.last + 1..]);
    let sel = if up { upper } else { lower };
    change_document(model, lines, sel)
}

/// Open the editor on `replaced` lines of the Dockerfile from `first` (an
/// insert when 0), the cursor at the end of its line `row`. The document
/// holds the editor's lines from now on, so the preview follows the
/// typing; the text as it was is one undo step back.
fn open_lines(model: &mut Model, first: usize, replaced: usize, row: usize, whole: bool) {
    let before = model.doc.lines.clone();
    let first = first.min(before.len());
    let replaced = replaced.min(before.len() - first);
    let area = TextArea::from_lines(before[first..first + replaced].to_vec(), row);
    model.undo.push(Snapshot {
        lines: before.clone(),
        selected: model.selected,
    });
    let edit = Edit {
        area,
        target: EditTarget::Dockerfile {
            first,
            replaced,
            before,
            selected: model.selected,
            whole,
        },
    };
    let lines = edit.dockerfile_lines(false);
    model.mode = Mode::Edit(Box::new(edit));
    model.status = None;
    // An insert's empty line shows at once; a blank line changes no step,
    // so nothing is previewed until the learner types.
    if let (0, Some(lines)) = (replaced, lines) {
        set_lines(model, lines, model.selected);
    }
}

/// A key while the editor is open.
fn edit_key(model: &mut Model, key: Key) -> Vec<Effect> {
    let Mode::Edit(edit) = &mut model.mode else {
        return Vec::new();
    };
    match edit.area.key(key) {
        Outcome::Moved => Vec::new(),
        Outcome::Changed => {
            // A context file is previewed when kept: each simulated change
            // is a new snapshot of the context.
            let Some(lines) = edit.dockerfile_lines(false) else {
                return Vec::new();
            };
            // The instruction under the cursor is the one the panes select.
            let line = edit.rows().map_or(0, |r| r.start) + edit.area.cursor().0;
            set_lines(model, lines, 0);
            select_line(model, line);
            preview(model)
        }
        Outcome::Keep => keep_edit(model),
        Outcome::Cancel => cancel_edit(model),
    }
}

/// Select the instruction at 0-based line `line`, or the next one after it.
fn select_line(model: &mut Model, line: usize) {
    let blocks = &model.outline.blocks;
    model.selected = blocks
        .iter()
        .position(|b| b.last >= line)
        .unwrap_or(blocks.len().saturating_sub(1));
}

/// Keep the edit: the Dockerfile's lines stay as typed (blank ones
/// dropped), one undo step from the text before; a context file's text
/// becomes a simulated change.
fn keep_edit(model: &mut Model) -> Vec<Effect> {
    let Mode::Edit(edit) = std::mem::replace(&mut model.mode, Mode::Normal) else {
        return Vec::new();
    };
    let lines = edit.dockerfile_lines(true);
    let cursor = edit.area.cursor().0;
    match (edit.target, lines) {
        (
            EditTarget::Dockerfile {
                first,
                before,
                selected,
                ..
            },
            Some(lines),
        ) => {
            if lines == before {
                // Nothing changed: no undo step for it.
                model.undo.pop();
                set_lines(model, lines, selected);
            } else {
                model.redo.clear();
                set_lines(model, lines, 0);
                select_line(model, first + cursor);
            }
            preview(model)
        }
        (EditTarget::Context { path, original }, _) => {
            let text = edit.area.text();
            if text == original {
                return Vec::new();
            }
            vec![Effect::Context(ContextOp::Write { path, text })]
        }
        (EditTarget::Dockerfile { .. }, None) => Vec::new(),
    }
}

/// Throw the edit away: the text as the edit found it.
fn cancel_edit(model: &mut Model) -> Vec<Effect> {
    let Mode::Edit(edit) = std::mem::replace(&mut model.mode, Mode::Normal) else {
        return Vec::new();
    };
    model.status = Some(tr(model.lang, "status.edit_cancelled"));
    match edit.target {
        EditTarget::Dockerfile {
            before, selected, ..
        } => {
            model.undo.pop();
            set_lines(model, before, selected);
            preview(model)
        }
        EditTarget::Context { .. } => Vec::new(),
    }
}

/// Replace the text (recording undo), then preview.
fn change_document(model: &mut Model, lines: Vec<String>, selected: usize) -> Vec<Effect> {
    model.undo.push(Snapshot {
        lines: std::mem::take(&mut model.doc.lines),
        selected: model.selected,
    });
    model.redo.clear();
    set_lines(model, lines, selected);
    preview(model)
}

/// The one place the text changes: it is compiled here, once.
fn set_lines(model: &mut Model, lines: Vec<String>, selected: usize) {
    model.doc.lines = lines;
    model.compiled = Arc::new(compile(&join_lines(&model.doc.lines)));
    model.outline = outline(
        &model.compiled,
        &model.doc.lines,
        model.dockerignore.as_ref(),
    );
    model.selected = selected.min(model.outline.blocks.len().saturating_sub(1));
}

fn history_step(model: &mut Model, undo: bool) -> Vec<Effect> {
    let (from, key) = if undo {
        (&mut model.undo, "status.nothing_to_undo")
    } else {
        (&mut model.redo, "status.nothing_to_redo")
    };
    let Some(snap) = from.pop() else {
        model.status = Some(tr(model.lang, key));
        return Vec::new();
    };
    let current = Snapshot {
        lines: std::mem::take(&mut model.doc.lines),
        selected: model.selected,
    };
    if undo {
        model.redo.push(current);
    } else {
        model.undo.push(current);
    }
    set_lines(model, snap.lines, snap.selected);
    preview(model)
}

/// Ask what a build of the current text would do, unless it does not parse
/// (then the last good outcome stays on screen and the error shows at its
/// line).
pub fn preview(model: &mut Model) -> Vec<Effect> {
    if model.outline.problem.is_some() {
        return Vec::new();
    }
    vec![Effect::Preview {
        compiled: Arc::clone(&model.compiled),
        builder: model.builder,
    }]
}

/// Build the current text: the one key that changes the engine.
pub fn build(model: &mut Model) -> Vec<Effect> {
    if model.outline.problem.is_some() {
        model.status = Some(tr(model.lang, "status.build_blocked"));
        return Vec::new();
    }
    vec![Effect::Build {
        text: model.compiled.source().to_string(),
        compiled: Arc::clone(&model.compiled),
        builder: model.builder,
    }]
}

fn disk_changed(model: &mut Model, text: &str) -> Vec<Effect> {
    if model.doc.same_text(text) {
        // What is on disk is what the editor holds: nothing unsaved.
        model.doc.mark_saved(text);
        return Vec::new();
    }
    if split_lines(text) == split_lines(model.doc.saved_text()) {
        // The file as it was: an echo of a save, nothing new on disk.
        return Vec::new();
    }
    // An edit open on the Dockerfile holds the text as it was when the
    // edit began: the file from disk waits like unsaved edits do.
    let editing = matches!(&model.mode, Mode::Edit(e) if e.rows().is_some());
    if model.doc.is_dirty() || editing {
        model.status = Some(trf(
            model.lang,
            "status.disk_kept",
            &[("path", &model.title)],
        ));
        return Vec::new();
    }
    model.undo.push(Snapshot {
        lines: model.doc.lines.clone(),
        selected: model.selected,
    });
    model.redo.clear();
    let sel = model.selected;
    model.doc = Document::new(text);
    set_lines(model, model.doc.lines.clone(), sel);
    model.status = Some(trf(
        model.lang,
        "status.reloaded",
        &[("path", &model.title)],
    ));
    if model.build_on_save {
        build(model)
    } else {
        preview(model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::i18n::Lang;

    fn press(model: &mut Model, keys: &str) -> Vec<Effect> {
        keys.split_whitespace()
            .flat_map(|k| update(model, Event::Key(k.parse().expect("a key"))))
            .collect()
    }

    /// The preview an effect list asks for, and what it previews.
    fn built(effects: &[Effect]) -> &Arc<crate::dockerfile::Compiled> {
        match effects {
            [Effect::Preview { compiled, .. }] => compiled,
            other => panic!("one preview expected: {other:?}"),
        }
    }

    #[test]
    fn the_text_is_compiled_once_per_change_and_shared_by_the_outline_and_the_build() {
        let mut m = Model::new("t/Dockerfile", "FROM alpine\nRUN a\nCOPY x /\n", Lang::En);
        let first = Arc::clone(&m.compiled);
        assert_eq!(first.source(), m.doc.text());

        // Moving the selection and opening help change no text: nothing is
        // compiled again.
        press(&mut m, "j j ? esc");
        assert!(Arc::ptr_eq(&m.compiled, &first));

        // A change compiles once; the preview asked for is that compiled
        // text and the outline is made from it.
        let fx = press(&mut m, "K");
        assert!(!Arc::ptr_eq(&m.compiled, &first));
        assert!(Arc::ptr_eq(built(&fx), &m.compiled));
        assert_eq!(m.compiled.source(), m.doc.text());
        assert_eq!(m.outline, outline(&m.compiled, &m.doc.lines, None));
        let keywords: Vec<_> = m.outline.blocks.iter().map(|b| b.keyword).collect();
        let compiled: Vec<_> = m
            .compiled
            .instructions()
            .iter()
            .map(|i| i.keyword)
            .collect();
        assert_eq!(keywords, compiled);

        // Undo is a change too.
        let moved = Arc::clone(&m.compiled);
        let fx = press(&mut m, "u");
        assert!(Arc::ptr_eq(built(&fx), &m.compiled));
        assert!(!Arc::ptr_eq(&m.compiled, &moved));
        assert_eq!(m.compiled.source(), "FROM alpine\nRUN a\nCOPY x /\n");

        // The build key builds that same compiled text.
        match &press(&mut m, "B")[..] {
            [Effect::Build { text, compiled, .. }] => {
                assert!(Arc::ptr_eq(compiled, &m.compiled));
                assert_eq!(text, compiled.source());
            }
            other => panic!("one build expected: {other:?}"),
        }
    }

    #[test]
    fn a_text_that_does_not_compile_shows_its_error_and_asks_for_no_build() {
        let mut m = Model::new("t/Dockerfile", "FROM alpine\n", Lang::En);
        press(&mut m, "a");
        for c in "RUNN x".chars() {
            update(&mut m, Event::Key(crate::app::keymap::Key::char(c)));
        }
        let fx = press(&mut m, "enter");
        assert!(fx.is_empty(), "{fx:?}");
        let error = m.compiled.error().expect("an error");
        let problem = m.outline.problem.as_ref().expect("a problem");
        assert_eq!(problem.line + 1, error.span.line);
    }
}
