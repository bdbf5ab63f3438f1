//! What the lesson keys and the lesson events do to the model, pure: hints
//! one at a time, the solution behind a `y` (and applying it behind
//! another), the next step, the menu, the language; a step marked done the
//! moment a check finds its goal holds, and the progress saved then.

use crate::app::action::Action;
use crate::app::document::{outline, Document};
use crate::app::effect::Effect;
use crate::app::i18n::{tr, trf, Lang};
use crate::app::keymap::{Key, KeyCode, Scope};
use crate::app::lesson::{Ask, LessonEffect, LessonEvent, LessonScreen};
use crate::app::model::{Model, Snapshot};
use crate::dockerfile::compile;
use crate::lesson::model::Action as Do;
use std::sync::Arc;

/// Whether the lesson screen takes the next key: a question waits for its
/// answer, or the solution's overlay is open.
pub fn asking(model: &Model) -> bool {
    model
        .lesson
        .as_ref()
        .is_some_and(|l| l.ask.is_some() || l.solution_open)
}

/// The key answering the question asked: `y` does it, any other key
/// leaves things as they were. Over the solution, its key asks to apply
/// it and any other closes it.
pub fn answer(model: &mut Model, key: Key) -> Vec<Effect> {
    let Some(screen) = model.lesson.as_deref_mut() else {
        return Vec::new();
    };
    let Some(ask) = screen.ask.take() else {
        if model.keymap.lookup(Scope::Global, key) == Some(Action::LessonSolution) {
            screen.ask = Some(Ask::ApplySolution);
            model.status = Some(tr(model.lang, "lesson.ask_apply"));
        } else {
            screen.solution_open = false;
            model.status = None;
        }
        return Vec::new();
    };
    if key.code != KeyCode::Char('y') || key.ctrl || key.alt {
        model.status = Some(tr(model.lang, "lesson.cancelled"));
        return Vec::new();
    }
    model.status = None;
    match ask {
        Ask::ShowSolution => {
            screen.solution = true;
            screen.solution_open = true;
            model.status = Some(tr(model.lang, "lesson.solution_shown"));
            Vec::new()
        }
        Ask::ApplySolution => {
            screen.solution_open = false;
            apply_solution(model)
        }
        Ask::Skip => {
            let next = screen.step + 1;
            vec![Effect::Lesson(LessonEffect::StartStep(next))]
        }
    }
}

/// A lesson key.
pub fn action(model: &mut Model, action: Action) -> Vec<Effect> {
    let lang = model.lang;
    if action == Action::ToggleLang {
        model.lang = match lang {
            Lang::En => Lang::Ko,
            Lang::Ko => Lang::En,
        };
        model.status = Some(tr(model.lang, "lesson.lang"));
        return vec![Effect::Lesson(LessonEffect::Lang(model.lang))];
    }
    if action == Action::LessonMenu {
        return vec![Effect::Lesson(LessonEffect::Menu)];
    }
    let Some(screen) = model.lesson.as_deref_mut() else {
        model.status = Some(tr(lang, "lesson.no_lesson"));
        return Vec::new();
    };
    let (ask, status) = match action {
        Action::LessonHint => {
            let all = screen.current().hints.len();
            if screen.hints < all {
                screen.hints += 1;
                (None, None)
            } else {
                (None, Some("lesson.no_more_hints"))
            }
        }
        // Once seen, the solution opens again without asking.
        Action::LessonSolution if screen.solution => {
            screen.solution_open = true;
            (None, Some("lesson.solution_shown"))
        }
        Action::LessonSolution => (Some(Ask::ShowSolution), Some("lesson.ask_solution")),
        Action::LessonNext if screen.is_last() => {
            let done = (0..screen.lesson.steps.len()).all(|i| screen.is_done(i));
            let key = if done {
                "lesson.lesson_done"
            } else {
                "lesson.last_step"
            };
            (None, Some(key))
        }
        Action::LessonNext if screen.is_done(screen.step) => {
            let next = screen.step + 1;
            return vec![Effect::Lesson(LessonEffect::StartStep(next))];
        }
        Action::LessonNext => (Some(Ask::Skip), Some("lesson.ask_skip")),
        _ => (None, None),
    };
    screen.ask = ask;
    model.status = status.map(|k| tr(lang, k));
    Vec::new()
}

/// The solution's actions as effects, in order: the Dockerfile's text
/// replaced in the editor (one undo step) and on disk, files written,
/// commands run as from the command bar.
fn apply_solution(model: &mut Model) -> Vec<Effect> {
    let Some(screen) = model.lesson.as_deref() else {
        return Vec::new();
    };
    let actions = screen.current().solution.clone();
    model.status = Some(tr(model.lang, "lesson.applying"));
    let mut effects = Vec::new();
    for action in actions {
        match action {
            Do::Dockerfile(text) => {
                model.undo.push(Snapshot {
                    lines: model.doc.lines.clone(),
                    selected: model.selected,
                });
                model.redo.clear();
                replace_text(model, &text);
                effects.push(Effect::Lesson(LessonEffect::Write {
                    path: "Dockerfile".into(),
                    content: text,
                }));
            }
            Do::Write { path, content } => {
                effects.push(Effect::Lesson(LessonEffect::Write { path, content }));
            }
            Do::Run(line) => effects.push(Effect::RunCommand(line)),
        }
    }
    // A solution that only edits shows what it changed at once.
    if !effects.iter().any(|e| matches!(e, Effect::RunCommand(_))) {
        effects.push(Effect::Preview {
            compiled: Arc::clone(&model.compiled),
            builder: model.builder,
        });
    }
    effects
}

/// The editor holds `text`, as saved (the file on disk is written with it).
fn replace_text(model: &mut Model, text: &str) {
    let selected = model.selected;
    model.doc = Document::new(text);
    model.compiled = Arc::new(compile(&model.doc.text()));
    model.outline = outline(
        &model.compiled,
        &model.doc.lines,
        model.dockerignore.as_ref(),
    );
    model.selected = selected.min(model.outline.blocks.len().saturating_sub(1));
}

/// What the runtime brought back.
pub fn event(model: &mut Model, event: LessonEvent) -> Vec<Effect> {
    let lang = model.lang;
    let Some(screen) = model.lesson.as_deref_mut() else {
        return Vec::new();
    };
    match event {
        LessonEvent::Checked { unmet, yours } => {
            let reached = unmet.is_empty();
            screen.unmet = Some(unmet);
            screen.yours = yours;
            if reached && screen.mark_done() {
                model.status = Some(done_line(screen, lang));
                return vec![save(screen)];
            }
            Vec::new()
        }
        LessonEvent::BestKnown(best) => {
            screen.best = best;
            Vec::new()
        }
        LessonEvent::StepLaidOut { step, dockerfile } => {
            screen.begin(step);
            if let Some(builder) = screen.builder() {
                model.builder = builder;
            }
            let saved = save(screen);
            model.status = None;
            model.undo.clear();
            model.redo.clear();
            replace_text(model, &dockerfile);
            model.selected = 0;
            let mut effects = vec![saved];
            if model.outline.problem.is_none() {
                effects.push(Effect::Preview {
                    compiled: Arc::clone(&model.compiled),
                    builder: model.builder,
                });
            }
            effects
        }
        LessonEvent::Failed(error) => {
            model.status = Some(trf(lang, "lesson.failed", &[("error", &error)]));
            Vec::new()
        }
    }
}

fn save(screen: &LessonScreen) -> Effect {
    Effect::Lesson(LessonEffect::Save(screen.progress.clone()))
}

/// The status line when a step is done: what comes next.
fn done_line(screen: &LessonScreen, lang: Lang) -> String {
    let all = (0..screen.lesson.steps.len()).all(|i| screen.is_done(i));
    if all {
        tr(lang, "lesson.lesson_done")
    } else if screen.is_last() {
        trf(
            lang,
            "lesson.step_done_last",
            &[("n", &(screen.step + 1).to_string())],
        )
    } else {
        trf(
            lang,
            "lesson.step_done",
            &[("n", &(screen.step + 1).to_string())],
        )
    }
}
