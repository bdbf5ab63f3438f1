//! The lessons' edge: the lesson menu's loop, a lesson's folders under the
//! state directory, the progress file, and the goal checked against the
//! screen's engine after every change, with `lesson::goal` as `layerlab
//! lesson check` checks it.
//!
//! Each lesson lives in `STATE/lessons/ID/`: `work/` is its working folder
//! (the Dockerfile and the context the learner changes; nothing of the
//! learner's own is ever written), `begin/` that folder as the current step
//! began (what a step's reset puts back), `engine/` the lesson's own engine
//! state, so a lesson's cache holds only what the learner built in it.

use crate::app::lesson::{LessonEffect, LessonEvent, LessonScreen};
use crate::app::menu::{Choice, Menu};
use crate::app::model::Shown;
use crate::app::update::Event;
use crate::dockerfile::Compiled;
use crate::engine::builder::{BuildOptions, BuilderKind};
use crate::engine::daemon::Daemon;
use crate::engine::report::BuildReport;
use crate::engine::store::EngineState;
use crate::lesson::goal::World;
use crate::lesson::loader::{embedded, load_dir};
use crate::lesson::model::Lesson;
use crate::lesson::picture::{best_known, picture};
use crate::lesson::play::{self, lay_out};
use crate::lesson::progress::{self, Progress, Trouble};
use crate::messages::{Lang, Message};
use crate::runtime::events::{self, RtEvent};
use crate::runtime::{open_project, run_screen, Ended, Opened, Session, Start, Tty};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The lessons a screen can open: the embedded ones, or a folder's, and
/// the errors of those of the folder that did not load.
pub struct Catalog {
    pub lessons: Vec<Lesson>,
    pub errors: Vec<String>,
}

impl Catalog {
    pub fn load(dir: Option<&Path>) -> Catalog {
        match dir {
            None => Catalog {
                lessons: embedded(),
                errors: Vec::new(),
            },
            Some(d) => {
                let loaded = load_dir(d);
                Catalog {
                    lessons: loaded.lessons.into_iter().map(|(_, l)| l).collect(),
                    errors: loaded.errors.iter().map(ToString::to_string).collect(),
                }
            }
        }
    }

    pub fn find(&self, id: &str) -> Option<&Lesson> {
        crate::lesson::named(&self.lessons, id)
    }
}

/// A build the learner ran, as a goal reads it.
struct LastBuild {
    compiled: Arc<Compiled>,
    builder: BuilderKind,
    report: BuildReport,
}

/// The runtime's side of a lesson screen.
pub struct LessonRun {
    lesson: Lesson,
    state_dir: PathBuf,
    root: PathBuf,
    /// The last build the learner ran in this session.
    last: Option<LastBuild>,
    /// The engine or the step changed since the goal was last checked.
    dirty: bool,
    /// False when the progress file could not be moved aside: nothing is
    /// written over it.
    can_save: bool,
}

impl LessonRun {
    fn work(&self) -> PathBuf {
        self.root.join("work")
    }
}

/// Where a lesson's folders are.
pub fn lesson_root(state_dir: &Path, id: &str) -> PathBuf {
    state_dir.join("lessons").join(id)
}

/// The goal's world on the screen: the lesson's engine and the learner's
/// last build.
struct Screen<'a> {
    engine: &'a EngineState,
    last: Option<&'a LastBuild>,
    context: PathBuf,
}

impl World for Screen<'_> {
    fn engine(&self) -> &EngineState {
        self.engine
    }

    fn last_build(&self) -> Option<&BuildReport> {
        self.last.map(|l| &l.report)
    }

    fn preview_after_change(&self, path: &str) -> Result<BuildReport, String> {
        let last = self.last.ok_or("nothing built yet")?;
        let opts = BuildOptions {
            builder: last.builder,
            ..BuildOptions::default()
        };
        play::preview_change(self.engine, &last.compiled, &self.context, path, &opts)
    }
}

/// What an event means for the goal: a build or a command changed the
/// engine (a build is remembered for the goals that read it), or a step
/// began.
pub fn note(session: &mut Session, event: &Event) {
    let Some(run) = session.lesson.as_mut() else {
        return;
    };
    let built = match event {
        Event::Built(o) if matches!(o.shown, Shown::Build { .. }) => Some(&**o),
        Event::CommandDone { build, .. } => {
            run.dirty = true;
            build.as_deref()
        }
        Event::ShellTyped { .. } | Event::ShellClosed(_) => {
            run.dirty = true;
            None
        }
        Event::Lesson(LessonEvent::StepLaidOut { .. }) => {
            run.dirty = true;
            None
        }
        _ => None,
    };
    if let Some(outcome) = built {
        run.dirty = true;
        if let Ok(report) = &outcome.result {
            run.last = Some(LastBuild {
                compiled: Arc::clone(&outcome.compiled),
                builder: outcome.builder,
                report: report.clone(),
            });
        }
    }
}

/// The effects are done: when the engine changed and is back from the
/// worker, the step's goal is checked and the screen told.
pub fn settled(session: &mut Session) {
    if session.lesson.as_ref().is_none_or(|r| !r.dirty) || session.busy() {
        return;
    }
    let (Some(run), Some(screen)) = (session.lesson.as_mut(), session.model.lesson.as_ref()) else {
        return;
    };
    run.dirty = false;
    let goal = screen.current().goal.clone();
    let world = Screen {
        engine: &session.host.daemon.engine,
        last: run.last.as_ref(),
        context: run.work(),
    };
    let unmet = goal.check(&world);
    let yours = picture(&goal, &world);
    session.dispatch(Event::Lesson(LessonEvent::Checked { unmet, yours }));
}

/// Do what the lesson screen asked.
pub fn perform(session: &mut Session, effect: LessonEffect) -> Vec<Event> {
    match effect {
        LessonEffect::Menu => {
            session.to_menu = true;
            session.model.quit = true;
            Vec::new()
        }
        LessonEffect::Lang(lang) => {
            session.host.lang = lang;
            Vec::new()
        }
        LessonEffect::Save(p) => {
            let Some(run) = &session.lesson else {
                return Vec::new();
            };
            if run.can_save {
                if let Err(e) = progress::save(&run.state_dir, &p) {
                    let m = Message::new("lesson.progress_not_saved").arg("error", e);
                    session.model.status = Some(m.render(session.model.lang));
                }
            }
            Vec::new()
        }
        LessonEffect::Write { path, content } => {
            let Some(run) = &session.lesson else {
                return Vec::new();
            };
            if let Err(e) = play::write_file(&run.work(), &path, &content) {
                return vec![Event::Lesson(LessonEvent::Failed(e))];
            }
            context_read(session)
        }
        LessonEffect::StartStep(step) => start_step(session, step),
    }
}

/// Step `step` begins: its start laid out (or the folder as the last step
/// left it, the editor's text written first), kept as the step's
/// beginning, and its best known picture played apart.
fn start_step(session: &mut Session, step: usize) -> Vec<Event> {
    leave(session);
    let Some(run) = &session.lesson else {
        return Vec::new();
    };
    let Some(s) = run.lesson.steps.get(step) else {
        return Vec::new();
    };
    let work = run.work();
    let laid = match &s.start {
        Some(start) => lay_out(&work, start),
        None => Ok(()),
    };
    let dockerfile = laid
        .and_then(|()| keep_beginning(&run.root))
        .and_then(|()| {
            std::fs::read_to_string(work.join("Dockerfile")).map_err(|e| format!("Dockerfile: {e}"))
        });
    let dockerfile = match dockerfile {
        Ok(text) => text,
        Err(e) => return vec![Event::Lesson(LessonEvent::Failed(e))],
    };
    let best = best_of(&run.lesson, step);
    let mut out = vec![Event::Lesson(LessonEvent::StepLaidOut { step, dockerfile })];
    out.extend(context_read(session));
    out.push(Event::Lesson(LessonEvent::BestKnown(best)));
    out
}

/// The step's best known picture, played in a folder of its own.
fn best_of(lesson: &Lesson, step: usize) -> Option<crate::lesson::picture::Picture> {
    let dir = tempfile::Builder::new()
        .prefix("layerlab-best-")
        .tempdir()
        .ok()?;
    best_known(lesson, step, dir.path().join("work"))
}

/// The context read again after the lesson wrote it.
fn context_read(session: &mut Session) -> Vec<Event> {
    match session.host.refresh_context(&Default::default()) {
        Ok(Some(sources)) => vec![Event::ContextRead(Box::new(sources))],
        Ok(None) => Vec::new(),
        Err(e) => vec![Event::Lesson(LessonEvent::Failed(e))],
    }
}

/// The working folder as the step begins, kept in `begin/`.
fn keep_beginning(root: &Path) -> Result<(), String> {
    let begin = root.join("begin");
    if begin.exists() {
        std::fs::remove_dir_all(&begin).map_err(|e| format!("{}: {e}", begin.display()))?;
    }
    copy_dir(&root.join("work"), &begin)
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    let words = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    std::fs::create_dir_all(to).map_err(|e| words(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| words(from, e))? {
        let entry = entry.map_err(|e| words(from, e))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(|e| words(&src, e))?;
        if kind.is_dir() {
            copy_dir(&src, &dst)?;
        } else if kind.is_file() {
            std::fs::copy(&src, &dst).map_err(|e| words(&src, e))?;
        }
    }
    Ok(())
}

/// The lesson screen ends (or a step changes): the editor's text is
/// written to the lesson's folder, which is layerlab's own, so what the
/// learner typed is there when they come back.
pub fn leave(session: &mut Session) {
    if session.lesson.is_none() || !session.model.doc.is_dirty() {
        return;
    }
    if let Some(p) = &session.host.project {
        let text = session.model.doc.file_text();
        if std::fs::write(&p.dockerfile, &text).is_ok() {
            session.model.doc.mark_saved(&text);
        }
    }
}

/// The nearest start at or before `step`, laid out in `work`.
fn lay_out_from(lesson: &Lesson, step: usize, work: &Path) -> Result<(), String> {
    let start = lesson.steps[..=step.min(lesson.steps.len().saturating_sub(1))]
        .iter()
        .rev()
        .find_map(|s| s.start.as_ref())
        .ok_or("the lesson's first step has no start")?;
    lay_out(work, start)
}

/// A lesson's screen, on the step the learner left it at (its folder laid
/// out the first time), not yet started.
pub fn open(
    state_dir: &Path,
    lesson: Lesson,
    progress: Progress,
    lang: Lang,
    can_save: bool,
) -> Result<Opened, String> {
    let root = lesson_root(state_dir, &lesson.id);
    let work = root.join("work");
    let step = progress
        .lesson(&lesson.id)
        .step
        .min(lesson.steps.len().saturating_sub(1));
    if !work.join("Dockerfile").exists() {
        lay_out_from(&lesson, step, &work)?;
        keep_beginning(&root)?;
    }
    let daemon = Daemon::open(&root.join("engine")).map_err(|e| e.to_string())?;
    let dockerfile = work.join("Dockerfile");
    let title = format!("{}/Dockerfile", lesson.id);
    let mut session = Session::open(daemon, work.clone(), dockerfile.clone(), &title, lang)?;
    let mut screen = LessonScreen::new(lesson.clone(), step, progress);
    screen.begin(step);
    if let Some(builder) = screen.builder() {
        session.model.builder = builder;
    }
    let saved = screen.progress.clone();
    session.model.lesson = Some(Box::new(screen));
    let best = best_of(&lesson, step);
    session.lesson = Some(LessonRun {
        lesson,
        state_dir: state_dir.to_path_buf(),
        root,
        last: None,
        dirty: true,
        can_save,
    });
    perform(&mut session, LessonEffect::Save(saved));
    session.dispatch(Event::Lesson(LessonEvent::BestKnown(best)));
    Ok(Opened::new(session, work, dockerfile, None))
}

/// Reset a lesson: its folders and engine go, its progress too.
pub fn reset_lesson(state_dir: &Path, progress: &mut Progress, id: &str) -> Result<(), String> {
    let root = lesson_root(state_dir, id);
    if root.exists() {
        std::fs::remove_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    }
    progress.reset_lesson(id);
    Ok(())
}

/// Reset a lesson's current step: the working folder as the step began,
/// the step not done.
pub fn reset_step(
    state_dir: &Path,
    progress: &mut Progress,
    lesson: &Lesson,
) -> Result<(), String> {
    let root = lesson_root(state_dir, &lesson.id);
    let (work, begin) = (root.join("work"), root.join("begin"));
    if work.exists() {
        std::fs::remove_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    }
    if begin.exists() {
        copy_dir(&begin, &work)?;
    } else {
        lay_out_from(lesson, progress.lesson(&lesson.id).step, &work)?;
    }
    progress.reset_step(&lesson.id);
    Ok(())
}

/// The learner's words for what loading the progress found.
pub fn trouble_message(trouble: &Trouble) -> Message {
    match trouble {
        Trouble::Corrupt { kept } => {
            Message::new("lesson.progress_corrupt").arg("path", kept.display())
        }
        Trouble::Newer { kept, .. } => {
            Message::new("lesson.progress_newer").arg("path", kept.display())
        }
        Trouble::Stuck { error } => Message::new("lesson.progress_stuck").arg("error", error),
    }
}

/// How the menu's screen ended.
enum MenuEnd {
    Chose(Choice),
    Signal(i32),
}

/// The menu on the terminal until the learner chooses.
fn menu_screen(tty: &mut Tty, menu: &mut Menu) -> Result<MenuEnd, String> {
    use crossterm::event::Event as Ct;
    if let Ok((w, h)) = crossterm::terminal::size() {
        menu.size = (w, h);
    }
    loop {
        tty.guard
            .term
            .draw(|f| crate::ui::menu::draw(f, menu))
            .map_err(|e| e.to_string())?;
        let Ok(ev) = tty.rx.recv() else {
            return Ok(MenuEnd::Chose(Choice::Quit));
        };
        match ev {
            RtEvent::Term(Ct::Key(k)) => match events::key(&k) {
                Some(key) if key == crate::app::Key::ctrl('z') => tty.guard.suspend(),
                Some(key) => {
                    if let Some(choice) = menu.key(key) {
                        return Ok(MenuEnd::Chose(choice));
                    }
                }
                None => {}
            },
            RtEvent::Term(Ct::Resize(w, h)) => menu.size = (w, h),
            RtEvent::Terminate(signal) => return Ok(MenuEnd::Signal(128 + signal)),
            RtEvent::Suspend => tty.guard.suspend(),
            RtEvent::Resume => tty.guard.resume().map_err(|e| e.to_string())?,
            // A screen closed a moment ago may still report.
            _ => {}
        }
    }
}

/// The lessons: the menu, then what the learner chooses in it, until they
/// quit. `first` opens that lesson at once. The exit code.
pub fn run(
    tty: &mut Tty,
    state_dir: &Path,
    catalog: &Catalog,
    first: Option<&str>,
    lang: Lang,
) -> Result<i32, String> {
    // The state directory is made a state before the progress file goes
    // in, so the sandbox's engine finds its own directory there.
    let main = Daemon::open(state_dir).map(drop);
    let (progress, trouble) = progress::load(state_dir);
    let can_save = !matches!(trouble, Some(Trouble::Stuck { .. }));
    let mut menu = Menu::new(catalog.lessons.clone(), progress, lang);
    menu.no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    menu.status = match (&trouble, &main, catalog.errors.first()) {
        (Some(t), _, _) => Some(trouble_message(t).render(lang)),
        (None, Err(e), _) => Some(e.to_string()),
        (None, Ok(()), Some(e)) => Some(e.clone()),
        (None, Ok(()), None) => None,
    };
    let mut next = first.map(|id| Choice::Open(id.to_string()));
    loop {
        let choice = match next.take() {
            Some(c) => c,
            None => match menu_screen(tty, &mut menu)? {
                MenuEnd::Chose(c) => c,
                MenuEnd::Signal(code) => return Ok(code),
            },
        };
        let save = |menu: &mut Menu| {
            if can_save {
                if let Err(e) = progress::save(state_dir, &menu.progress) {
                    let m = Message::new("lesson.progress_not_saved").arg("error", e);
                    menu.status = Some(m.render(menu.lang));
                }
            }
        };
        match choice {
            Choice::Quit => return Ok(0),
            Choice::Open(id) => {
                let Some(lesson) = catalog.find(&id) else {
                    let m = Message::new("lesson.unknown").arg("name", &id);
                    menu.status = Some(m.render(menu.lang));
                    continue;
                };
                let opened = open(
                    state_dir,
                    lesson.clone(),
                    menu.progress.clone(),
                    menu.lang,
                    can_save,
                );
                let mut opened = match opened {
                    Ok(o) => o,
                    Err(e) => {
                        menu.status = Some(e);
                        continue;
                    }
                };
                let ended = run_screen(tty, &mut opened, state_dir, false)?;
                if let Some(screen) = &opened.session.model.lesson {
                    menu.set_progress(screen.progress.clone());
                }
                menu.lang = opened.session.model.lang;
                if let Ended::Quit(code) = ended {
                    return Ok(code);
                }
            }
            Choice::Sandbox => {
                let mut opened = match open_project(&Start::Example, state_dir, menu.lang) {
                    Ok(o) => o,
                    Err(e) => {
                        menu.status = Some(e);
                        continue;
                    }
                };
                let ended = run_screen(tty, &mut opened, state_dir, false)?;
                menu.lang = opened.session.model.lang;
                if let Ended::Quit(code) = ended {
                    return Ok(code);
                }
            }
            Choice::ResetLesson(id) => {
                let mut progress = menu.progress.clone();
                menu.status = Some(match reset_lesson(state_dir, &mut progress, &id) {
                    Ok(()) => Message::new("menu.reset_lesson_done").render(menu.lang),
                    Err(e) => Message::new("menu.reset_failed")
                        .arg("error", e)
                        .render(menu.lang),
                });
                menu.set_progress(progress);
                save(&mut menu);
            }
            Choice::ResetStep(id) => {
                let Some(lesson) = catalog.find(&id) else {
                    continue;
                };
                let mut progress = menu.progress.clone();
                let step = progress.lesson(&id).step + 1;
                menu.status = Some(match reset_step(state_dir, &mut progress, lesson) {
                    Ok(()) => Message::new("menu.reset_step_done")
                        .arg("step", step)
                        .render(menu.lang),
                    Err(e) => Message::new("menu.reset_failed")
                        .arg("error", e)
                        .render(menu.lang),
                });
                menu.set_progress(progress);
                save(&mut menu);
            }
        }
    }
}
