//! The only impure part of the screen: terminal, events, file watching,
//! the engine; one loop that feeds events to `update` and performs effects.
//!
//! [`Session`] (model + engine host, dispatch and perform) has no terminal,
//! so tests and the benchmark drive exactly what the loop drives. Effects
//! are performed in one place, [`Session::settle`]; what they bring back
//! (build results, context snapshots) goes to `update` as events, and the
//! app derives what the panes show from it.

pub mod events;
pub mod export;
pub mod host;
pub mod lesson;
pub mod ops;
pub mod oracle;
pub mod present;
pub mod record;
pub mod recovery;
pub mod rewalk;
pub mod terminal;
pub mod watcher;
pub mod worker;

use crate::app::effect::{Effect, ExternalFile};
use crate::app::i18n::{tr, Lang};
use crate::app::model::{BuildView, Model, Running, Shown};
use crate::app::rows::ContextSources;
use crate::app::update::{update, Event};
use crate::engine::container::Attached;
use crate::engine::daemon::Daemon;
use crate::engine::store::EngineState;
use crate::messages::Message;
use events::RtEvent;
use host::{EngineHost, Project};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};
use worker::{Job, JobKind, Report, Worker};

/// What to open.
#[derive(Debug, Clone)]
pub enum Start {
    /// The embedded web-ping example, in a temporary directory.
    Example,
    /// A scratch project in a temporary directory.
    Scratch,
    /// A real directory (Dockerfile saved back only on request).
    Open {
        dockerfile: Option<PathBuf>,
        context: PathBuf,
    },
    /// The lesson menu: the embedded lessons, or those of a folder.
    Menu { lessons: Option<PathBuf> },
    /// A lesson's screen, by its name (`01-first-image`).
    Lesson {
        name: String,
        lessons: Option<PathBuf>,
    },
}

#[derive(Debug, Clone)]
pub struct Options {
    pub start: Start,
    pub state_dir: PathBuf,
    pub lang: Option<Lang>,
    /// `--engine docker`: commit every build to the real daemon too.
    pub engine: bool,
    /// The presentation layout and the theme it opens in.
    pub look: crate::app::present::Look,
    /// Record the session as asciicast (`layerlab record`).
    pub record: Option<record::RecordTo>,
}

/// The example's files, embedded.
pub const EXAMPLE: &[(&str, &str)] = &[
    (
        "Dockerfile",
        include_str!("../assets/examples/web-ping/Dockerfile"),
    ),
    ("app.js", include_str!("../assets/examples/web-ping/app.js")),
    (
        ".dockerignore",
        include_str!("../assets/examples/web-ping/.dockerignore"),
    ),
    (
        "debug.log",
        include_str!("../assets/examples/web-ping/debug.log"),
    ),
];

const SCRATCH: &[(&str, &str)] = &[
    ("Dockerfile", "FROM alpine\nCOPY hello.txt /\n"),
    ("hello.txt", "hello\n"),
];

/// Write `files` into `dir`.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) -> std::io::Result<()> {
    for (name, text) in files {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

/// The model and the engine: what one screen session is, minus the terminal.
pub struct Session {
    pub model: Model,
    pub host: EngineHost,
    /// Where builds and previews run: on a worker thread, or (without
    /// one, as in most tests) in place, to the same effect.
    worker: Option<Worker>,
    /// The engine while jobs hold it, shared read-only; `host.daemon`'s is
    /// empty meanwhile and every use of it first takes it back.
    lent: Option<Arc<EngineState>>,
    /// When the job running started, for the real time it shows.
    started: Option<Instant>,
    /// The state directory unsaved edits are kept in when a signal ends
    /// the session (none in a sandbox, whose file is gone with it).
    pub recovery: Option<PathBuf>,
    /// A file to open in the learner's `$EDITOR` (with the command that
    /// runs it) once the loop can give the terminal away.
    pub external: Option<(String, PathBuf)>,
    /// The shell the shell pane types into, while one is open.
    shell: Option<Attached>,
    /// `--engine docker`: builds the learner commits go to the daemon too.
    engine: Option<oracle::Runner>,
    /// The folder layerlab was started in: where screen pictures go.
    pub cwd: PathBuf,
    /// The lesson this screen is a lesson's: its folders, the builds its
    /// goals are checked against.
    pub lesson: Option<lesson::LessonRun>,
    /// The learner asked for the lesson menu: the screen ends for it.
    pub to_menu: bool,
    /// A background walk of the context is under way (see `rewalk`).
    walking: bool,
    /// When the last one began or ended.
    last_walk: Instant,
}

impl Session {
    /// Open a project: read its Dockerfile, snapshot its context, and set up
    /// the model (the first build is left to [`Session::start`]).
    pub fn open(
        daemon: Daemon,
        context: PathBuf,
        dockerfile: PathBuf,
        title: &str,
        lang: Lang,
    ) -> Result<Session, String> {
        let text = match std::fs::read_to_string(&dockerfile) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", dockerfile.display())),
        };
        let model = Model::new(title, &text, lang);
        let name = title.split('/').next().unwrap_or(title);
        let project = Project::new(
            name,
            context.clone(),
            dockerfile,
            Arc::clone(&model.compiled),
        );
        let mut host = EngineHost::new(daemon, context, Some(project));
        host.lang = lang;
        // `run -it` opens the shell pane.
        host.terminal = true;
        Ok(Session {
            model,
            host,
            worker: None,
            lent: None,
            started: None,
            recovery: None,
            external: None,
            shell: None,
            engine: None,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            lesson: None,
            to_menu: false,
            walking: false,
            last_walk: Instant::now(),
        })
    }

    /// A signal ends the session: unsaved edits are kept for the next time
    /// the file is opened (the file itself is left as it is).
    pub fn keep_unsaved_edits(&self) {
        let (Some(state), Some(p)) = (&self.recovery, &self.host.project) else {
            return;
        };
        if self.model.doc.is_dirty() {
            let _ = recovery::write(state, &p.dockerfile, &self.model.doc.text());
        }
    }

    /// Run builds and previews on a worker thread from now on; `report`
    /// hears (on that thread) of their steps and outcomes, which the
    /// caller hands to [`Session::report`].
    pub fn use_worker(&mut self, report: impl Fn(Report) + Send + Sync + 'static) {
        self.worker = Some(Worker::spawn(report));
    }

    /// Build every committed build on the real daemon too, its answers
    /// reported as the worker's are (call after [`Session::use_worker`]).
    pub fn use_engine(&mut self) {
        if let Some(w) = &self.worker {
            self.engine = Some(oracle::Runner::new(w.reporter()));
            self.model.engine = Some(crate::app::engine_view::EngineView::default());
        }
    }

    /// Run a job: on the worker (what it brings back comes later, through
    /// [`Session::report`]) or in place.
    fn submit(&mut self, job: Job) -> Vec<Event> {
        let build = job.kind == JobKind::Build;
        if self.worker.is_none() {
            let engine = &mut self.host.daemon.engine;
            let mut memo = std::mem::take(&mut engine.memo);
            let done = worker::run(engine, &mut memo, &job);
            self.host.daemon.engine.memo = memo;
            return vec![Event::Built(Box::new(self.host.finish(done)))];
        }
        let store = match &self.lent {
            Some(store) => Arc::clone(store),
            None => {
                // A build starts from what other processes built (the
                // preview it already shows is replaced by the build's).
                let refreshed = if build {
                    self.host.daemon.refresh()
                } else {
                    Ok(false)
                };
                if let Err(e) = refreshed {
                    let m = Message::new("status.state_not_read").arg("error", e);
                    self.model.status = Some(m.render(self.model.lang));
                }
                let engine = self.host.daemon.lend();
                Arc::clone(self.lent.insert(Arc::new(engine)))
            }
        };
        if let Some(w) = &mut self.worker {
            w.send(store, job);
        }
        self.started = Some(Instant::now());
        vec![Event::Running(Running {
            build,
            ..Running::default()
        })]
    }

    /// What the worker reported.
    pub fn report(&mut self, report: Report) {
        let Some(w) = &mut self.worker else {
            return;
        };
        match report {
            Report::Step(id, step) if w.wanted(id) => {
                let running = Running {
                    build: self.model.running.as_ref().is_some_and(|r| r.build),
                    step: Some(step),
                    real_seconds: self.real_seconds(),
                };
                self.dispatch(Event::Running(running));
            }
            Report::Step(..) => {}
            Report::Done(id, done) if w.wanted(id) => {
                w.answered(id);
                // The worker let go of the store before it reported.
                self.take_back(None);
                self.started = None;
                let outcome = self.host.finish(*done);
                self.dispatch(Event::Built(Box::new(outcome)));
            }
            // Superseded or cancelled: its writes go with it.
            Report::Done(..) => {
                self.take_back(Some(Duration::ZERO));
            }
            Report::Engine(build, side) => self.dispatch(Event::EngineDone(build, side)),
        }
    }

    /// The real time shown while a job runs moves on; an engine a
    /// cancelled job let go of comes back.
    pub fn tick(&mut self) {
        if !self.worker.as_ref().is_some_and(Worker::busy) {
            self.take_back(Some(Duration::ZERO));
        }
        if let Some(mut running) = self.model.running.clone() {
            running.real_seconds = self.real_seconds();
            self.dispatch(Event::Running(running));
        }
    }

    /// Whether a build or preview is under way, or the engine is still
    /// lent to one that was cancelled (it cannot be saved meanwhile).
    pub fn busy(&self) -> bool {
        self.lent.is_some() || self.worker.as_ref().is_some_and(Worker::busy)
    }

    fn real_seconds(&self) -> f64 {
        self.started.map_or(0.0, |s| s.elapsed().as_secs_f64())
    }

    /// Cancel what runs and take the engine back, waiting at most `wait`
    /// (None: as long as it takes) for the worker to let go of it; whether
    /// the engine is back.
    pub fn stop(&mut self, wait: Option<Duration>) -> bool {
        if self.worker.as_mut().is_some_and(Worker::cancel) {
            self.started = None;
            self.dispatch(Event::Cancelled);
        }
        self.take_back(wait)
    }

    /// Take the lent engine back once nothing else holds it.
    fn take_back(&mut self, wait: Option<Duration>) -> bool {
        let deadline = wait.map(|w| Instant::now() + w);
        loop {
            let Some(store) = self.lent.take() else {
                return true;
            };
            match Arc::try_unwrap(store) {
                Ok(engine) => {
                    self.host.daemon.give_back(engine);
                    return true;
                }
                Err(store) => self.lent = Some(store),
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// The first snapshot and preview.
    pub fn start(&mut self) {
        match self.host.refresh_context(&BTreeSet::new()) {
            Ok(Some(sources)) => self.dispatch(Event::ContextRead(Box::new(sources))),
            Ok(None) => {}
            Err(e) => self.model.status = Some(e),
        }
        let effects = crate::app::update::preview(&mut self.model);
        self.settle(effects);
    }

    /// Take in what other layerlab processes wrote to the state; when they
    /// changed the store, preview again (the cache may hit now).
    pub fn reload_engine(&mut self) {
        if self.busy() {
            return;
        }
        match self.host.daemon.refresh() {
            Ok(true) => {
                let effects = crate::app::update::preview(&mut self.model);
                self.settle(effects);
            }
            Ok(false) => {}
            Err(e) => {
                let m = Message::new("status.state_not_read").arg("error", e);
                self.model.status = Some(m.render(self.model.lang));
            }
        }
    }

    /// Feed one event through `update`, performing effects until quiet.
    pub fn dispatch(&mut self, event: Event) {
        lesson::note(self, &event);
        let effects = update(&mut self.model, event);
        self.settle(effects);
    }

    /// The effect loop: perform `effects`, feed the events they bring back
    /// through `update` (in order), and perform what those ask for, until
    /// nothing is left.
    fn settle(&mut self, mut effects: Vec<Effect>) {
        let mut queue = VecDeque::new();
        loop {
            for effect in effects {
                queue.extend(self.perform(effect));
            }
            let Some(ev) = queue.pop_front() else {
                // A lesson's goal is checked once the engine is quiet.
                lesson::settled(self);
                return;
            };
            lesson::note(self, &ev);
            effects = update(&mut self.model, ev);
        }
    }

    fn perform(&mut self, effect: Effect) -> Vec<Event> {
        match effect {
            Effect::Preview { compiled, builder } => {
                match self.host.preview_job(&compiled, builder, false) {
                    Some(job) => self.submit(job),
                    None => Vec::new(),
                }
            }
            Effect::Build {
                compiled, builder, ..
            } => match self.host.build_job(&compiled, builder) {
                Some(job) => self.submit(job),
                None => Vec::new(),
            },
            Effect::Cancel => {
                self.stop(Some(Duration::ZERO));
                self.stop_engine();
                Vec::new()
            }
            Effect::Save { text, quit_after } => {
                let result = match &self.host.project {
                    Some(p) => {
                        save(&p.dockerfile, &text).map(|()| p.dockerfile.display().to_string())
                    }
                    None => Err("no file".into()),
                };
                if let (Ok(_), Some(state), Some(p)) = (&result, &self.recovery, &self.host.project)
                {
                    recovery::remove(state, &p.dockerfile);
                }
                vec![Event::Saved {
                    text,
                    result,
                    quit_after,
                }]
            }
            // A change from the context pane is simulated over the snapshot,
            // never written: on `layerlab open` the directory is the
            // learner's work. The sandbox does the same although its scratch
            // directory could take the writes: one behaviour to learn, and a
            // reset that works the same everywhere.
            Effect::Context(op) => match self.host.simulate(&op) {
                Ok(sources) => {
                    let mut out = vec![
                        Event::ContextChanged { op, result: Ok(()) },
                        context_event(sources),
                    ];
                    out.extend(self.preview_now());
                    out
                }
                Err(e) => vec![Event::ContextChanged {
                    op,
                    result: Err(e.render(self.model.lang)),
                }],
            },
            Effect::ReadContextFile(path) => {
                let result = self
                    .host
                    .read_context_file(&path)
                    .map_err(|e| e.render(self.model.lang));
                vec![Event::ContextFileRead { path, result }]
            }
            Effect::ExternalEditor(file) => {
                let editor = ["VISUAL", "EDITOR"]
                    .iter()
                    .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()));
                let path = self.host.project.as_ref().and_then(|p| match &file {
                    ExternalFile::Dockerfile => Some(p.dockerfile.clone()),
                    ExternalFile::Context(rel) => {
                        let rel = Path::new(rel);
                        rel.components()
                            .all(|c| matches!(c, std::path::Component::Normal(_)))
                            .then(|| p.context.join(rel))
                    }
                });
                match (editor, path) {
                    (Some(editor), Some(path)) => {
                        self.external = Some((editor, path));
                        Vec::new()
                    }
                    (None, _) => vec![Event::ExternalEditorDone(Err(tr(
                        self.model.lang,
                        "status.no_editor",
                    )))],
                    (_, None) => vec![Event::ExternalEditorDone(Err(Message::new(
                        "simulate.no_project",
                    )
                    .render(self.model.lang)))],
                }
            }
            Effect::ResetContext => {
                let mut out = vec![context_event(self.host.reset_simulations())];
                out.extend(self.preview_now());
                out
            }
            Effect::RunCommand(line) => {
                // Commands read and change the engine: it comes back from
                // the worker first.
                self.stop(None);
                if let Some(p) = &mut self.host.project {
                    p.compiled = Arc::clone(&self.model.compiled);
                }
                self.host.builder = self.model.builder;
                // What other processes wrote, first (no preview now: the
                // command runs over the engine in place).
                if let Err(e) = self.host.daemon.refresh() {
                    let m = Message::new("status.state_not_read").arg("error", e);
                    self.model.status = Some(m.render(self.model.lang));
                }
                let mut output = crate::command::run_line(&line, &mut self.host);
                // A command that stopped before saving what it changed.
                if let Err(e) = self.host.daemon.end_write() {
                    output.stderr.push(e.to_string());
                    output.status = 1;
                }
                let build = output.built.take().map(|b| {
                    let shown = Shown::Build {
                        number: self.host.daemon.engine.builds,
                    };
                    let mut outcome = self.host.outcome(
                        shown,
                        b.compiled,
                        b.builder,
                        b.result,
                        &BTreeMap::new(),
                        Some(line.clone()),
                    );
                    outcome.other = self
                        .host
                        .other_preview(&outcome.compiled, outcome.builder)
                        .map(Box::new);
                    Box::new(outcome)
                });
                let shell = output.attached.take().map(|a| {
                    let opened = Event::ShellOpened {
                        title: a.name.clone(),
                        prompt: a.prompt(),
                    };
                    self.shell = Some(a);
                    opened
                });
                let mut out = vec![Event::CommandDone {
                    line,
                    output: Box::new(output),
                    build,
                }];
                out.extend(shell);
                out
            }
            Effect::ShellLine(line) => {
                self.stop(None);
                let Some(mut shell) = self.shell.take() else {
                    return Vec::new();
                };
                let typed =
                    crate::command::Host::engine_mut(&mut self.host).type_line(&mut shell, &line);
                let saved = crate::command::Host::commit(&mut self.host);
                let event = match (typed, saved) {
                    (Ok(typed), Ok(())) => {
                        let prompt = shell.prompt();
                        if typed.ended.is_none() {
                            self.shell = Some(shell);
                        }
                        Event::ShellTyped { typed, prompt }
                    }
                    (Err(e), _) => Event::ShellFailed(crate::command::output::daemon_error(e)),
                    (_, Err(e)) => Event::ShellFailed(e),
                };
                vec![event]
            }
            Effect::ShellHangUp => {
                self.stop(None);
                let Some(shell) = self.shell.take() else {
                    return Vec::new();
                };
                let code = crate::command::Host::engine_mut(&mut self.host).hang_up(&shell);
                match crate::command::Host::commit(&mut self.host) {
                    Ok(()) => vec![Event::ShellClosed(code)],
                    Err(e) => vec![Event::ShellFailed(e)],
                }
            }
            Effect::EngineBuild {
                build,
                files_on_disk,
            } => {
                self.engine_build(build, files_on_disk);
                Vec::new()
            }
            Effect::ExportScreen => vec![Event::ScreenExported(self.export_screen())],
            Effect::Lesson(e) => lesson::perform(self, e),
            // A demo plays in its own session (`present::DemoSession`).
            Effect::Demo(_) | Effect::Quit => Vec::new(),
        }
    }

    /// Stop docker's build under way (Esc, or the session ends); its
    /// answer says it was stopped.
    pub fn stop_engine(&mut self) {
        if let Some(engine) = &mut self.engine {
            engine.cancel();
        }
    }

    /// Send the build the screen shows (number `build`) to the daemon.
    fn engine_build(&mut self, build: u64, files_on_disk: bool) {
        let (Some(runner), Some(view), Some(p)) =
            (&mut self.engine, &self.model.build, &self.host.project)
        else {
            return;
        };
        let steps = view.steps().to_vec();
        let req = oracle::Request {
            builder: view.builder,
            dockerfile: p.dockerfile.clone(),
            context: p.context.clone(),
            tags: vec![p.tag.clone()],
            build_args: Vec::new(),
            no_cache: false,
            target: None,
            bases: oracle::Request::bases_of(&steps),
        };
        runner.start(build, req, steps, files_on_disk);
    }

    /// The screen as drawn now, written beside the learner's other files
    /// (see [`export::folder`]): the folder and the files' name.
    fn export_screen(&self) -> Result<(String, String), String> {
        let (w, h) = self.model.size;
        let area = ratatui::layout::Rect::new(0, 0, w, h);
        let mut buffer = ratatui::buffer::Buffer::empty(area);
        crate::ui::render(&self.model, area, &mut buffer);
        let context = self.host.project.as_ref().map(|p| p.context.as_path());
        let folder = export::folder(&self.cwd, context);
        export::write_named(&folder, &buffer, self.model.lang)
    }

    /// A preview even when its inputs look unchanged: an explicit change of
    /// the context always shows its effect (a touch shows that nothing would
    /// be rebuilt).
    fn preview_now(&mut self) -> Vec<Event> {
        if self.model.outline.problem.is_some() {
            return Vec::new();
        }
        match self
            .host
            .preview_job(&self.model.compiled, self.model.builder, true)
        {
            Some(job) => self.submit(job),
            None => Vec::new(),
        }
    }

    /// Files changed on disk (one debounced burst).
    pub fn files_changed(&mut self, changed: &watcher::Changed) {
        if changed.dockerfile {
            if let Some(p) = &self.host.project {
                if let Ok(text) = std::fs::read_to_string(&p.dockerfile) {
                    self.dispatch(Event::DockerfileOnDisk(text));
                }
            }
        }
        if changed.context {
            match self.host.refresh_context(&changed.paths) {
                Ok(Some(sources)) => self.context_read(sources),
                Ok(None) => {}
                Err(e) => self.model.status = Some(e),
            }
        }
    }

    /// The context on disk is not what the screen showed: show it, and
    /// preview over it.
    fn context_read(&mut self, sources: ContextSources) {
        self.dispatch(Event::ContextRead(Box::new(sources)));
        let effects = crate::app::update::preview(&mut self.model);
        self.settle(effects);
    }

    /// A walk of the whole context to run in the background, when the
    /// screen has been idle long enough since the last (see `rewalk`).
    pub fn rewalk_due(&mut self) -> Option<rewalk::Walk> {
        if self.busy() || self.walking || self.last_walk.elapsed() < rewalk::EVERY {
            return None;
        }
        self.last_walk = Instant::now();
        let walk = self.host.rewalk()?;
        self.walking = true;
        Some(walk)
    }

    /// What a background walk found: the screen changes only if the
    /// watcher missed something.
    pub fn walked(&mut self, result: Result<rewalk::Walked, String>) {
        self.walking = false;
        self.last_walk = Instant::now();
        // A walk that failed finds nothing to show: the next change the
        // watcher reports reads the context, and says what is wrong.
        if let Some(sources) = result.ok().and_then(|w| self.host.walked(w)) {
            self.context_read(sources);
        }
    }

    /// The build on screen.
    pub fn view(&self) -> Option<&BuildView> {
        self.model.build.as_ref()
    }
}

/// The context pane's new rows: derived by the app from the snapshots, or
/// none when no context has been read.
fn context_event(sources: Option<ContextSources>) -> Event {
    match sources {
        Some(s) => Event::ContextRead(Box::new(s)),
        None => Event::ContextLoaded(Vec::new()),
    }
}

/// Writes `text` through to the file the learner opened: a symlink's
/// target is written (the link stays a link), and the file keeps its mode
/// and, where the user may set it, its owner. Atomic where the directory
/// allows it — a temporary file beside the target, given the target's
/// permissions, then a rename; a file with other hard links, or in a
/// directory that takes no new files, is written in place.
fn save(path: &Path, text: &str) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    // A path that does not exist yet is written as given.
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let existing = std::fs::metadata(&target).ok();
    if existing.as_ref().is_some_and(|m| m.nlink() > 1) {
        return std::fs::write(&target, text).map_err(|e| e.to_string());
    }
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = match tempfile::NamedTempFile::new_in(dir) {
        Ok(tmp) => tmp,
        Err(_) => return std::fs::write(&target, text).map_err(|e| e.to_string()),
    };
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(|e| e.to_string())?;
    if let Some(meta) = &existing {
        // The temporary file is 0600 and ours: give it the original's
        // owner (which only succeeds where we may; a learner's own file
        // is already theirs), then its mode, before it takes its place.
        let _ = rustix::fs::fchown(
            tmp.as_file(),
            Some(rustix::fs::Uid::from_raw(meta.uid())),
            Some(rustix::fs::Gid::from_raw(meta.gid())),
        );
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(|e| e.to_string())?;
    }
    tmp.as_file().sync_all().map_err(|e| e.to_string())?;
    tmp.persist(&target).map_err(|e| e.error.to_string())?;
    Ok(())
}

/// The learner's language: `--lang`, else the locale.
pub fn lang_from_env() -> Lang {
    let var = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()));
    Lang::from_locale(var.as_deref())
}

/// The terminal and what outlives one screen: the signal and input
/// threads and the channel they feed. The lesson menu, a lesson and the
/// sandbox take turns on it.
pub struct Tty {
    pub guard: terminal::Guard,
    pub input: events::Input,
    pub tx: Sender<RtEvent>,
    pub rx: Receiver<RtEvent>,
}

impl Tty {
    /// Take the terminal, recording what it shows to `record` when given
    /// (`layerlab record`).
    pub fn enter(record: Option<&record::RecordTo>, lang: Lang) -> Result<Tty, String> {
        let (tx, rx) = channel::<RtEvent>();
        events::spawn_signals(tx.clone()).map_err(|e| e.to_string())?;
        // A recording is started before the terminal is taken (a file in
        // the way is said on the learner's screen) and left behind only if
        // the terminal could be taken.
        let size = crossterm::terminal::size().unwrap_or((80, 24));
        let mut recording = match record {
            Some(to) => Some(record::start(to, size, lang).map_err(|m| m.render(lang))?),
            None => None,
        };
        let mut guard = terminal::Guard::enter().map_err(|e| {
            if let Some(r) = recording.take() {
                r.discard();
            }
            e.to_string()
        })?;
        if let Some(r) = recording {
            guard.record(r);
        }
        let input = events::spawn_input(tx.clone());
        Ok(Tty {
            guard,
            input,
            tx,
            rx,
        })
    }
}

/// How a screen ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The exit code: 0, or 128 + the signal that ended it.
    Quit(i32),
    /// The learner asked for the lesson menu.
    Menu,
}

/// A session and the files it is open on.
pub struct Opened {
    pub session: Session,
    pub context: PathBuf,
    pub dockerfile: PathBuf,
    /// A sandbox's directory, gone with it.
    _scratch: Option<tempfile::TempDir>,
}

impl Opened {
    pub fn new(
        mut session: Session,
        context: PathBuf,
        dockerfile: PathBuf,
        scratch: Option<tempfile::TempDir>,
    ) -> Opened {
        session.model.no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if let Ok((w, h)) = crossterm::terminal::size() {
            session.model.size = (w, h);
        }
        Opened {
            session,
            context,
            dockerfile,
            _scratch: scratch,
        }
    }
}

/// Run the screen until the learner quits; the exit code (128 + the
/// signal when one ended it).
pub fn run(opts: &Options) -> Result<i32, String> {
    let lang = opts.lang.unwrap_or_else(lang_from_env);
    if let Start::Menu { lessons } | Start::Lesson { lessons, .. } = &opts.start {
        let catalog = lesson::Catalog::load(lessons.as_deref());
        let first = match &opts.start {
            Start::Lesson { name, .. } => Some(name.as_str()),
            _ => None,
        };
        // An unknown lesson is said before the screen opens.
        if let Some(name) = first.filter(|n| catalog.find(n).is_none()) {
            let mut why = Message::new("lesson.unknown")
                .arg("name", name)
                .render(lang);
            if let Some(e) = catalog.errors.first() {
                why = format!("{why}\n{e}");
            }
            return Err(why);
        }
        let mut tty = Tty::enter(opts.record.as_ref(), lang)?;
        return lesson::run(&mut tty, &opts.state_dir, &catalog, first, lang);
    }
    let mut opened = open_project(&opts.start, &opts.state_dir, lang)?;
    opened.session.model.present = opts.look.present;
    opened.session.model.theme = opts.look.theme;
    let mut tty = Tty::enter(opts.record.as_ref(), lang)?;
    match run_screen(&mut tty, &mut opened, &opts.state_dir, opts.engine)? {
        Ended::Quit(code) => Ok(code),
        // `layerlab sandbox` or `open` reaches the lessons too.
        Ended::Menu => {
            drop(opened);
            let catalog = lesson::Catalog::load(None);
            lesson::run(&mut tty, &opts.state_dir, &catalog, None, lang)
        }
    }
}

/// A session on `start` (the example, a scratch project, a directory),
/// not yet started.
pub fn open_project(start: &Start, state_dir: &Path, lang: Lang) -> Result<Opened, String> {
    // Kept alive for the session; a sandbox's directory goes with it.
    let mut scratch = None;
    let (context, dockerfile, title, sandbox) = match start {
        Start::Example | Start::Scratch => {
            let dir = tempfile::Builder::new()
                .prefix("layerlab-sandbox-")
                .tempdir()
                .map_err(|e| e.to_string())?;
            let files = if matches!(start, Start::Example) {
                EXAMPLE
            } else {
                SCRATCH
            };
            write_files(dir.path(), files).map_err(|e| e.to_string())?;
            let ctx = dir.path().to_path_buf();
            let title = if matches!(start, Start::Example) {
                "web-ping/Dockerfile"
            } else {
                "scratch/Dockerfile"
            };
            scratch = Some(dir);
            (ctx.clone(), ctx.join("Dockerfile"), title.to_string(), true)
        }
        Start::Open {
            dockerfile,
            context,
        } => {
            if !context.is_dir() {
                return Err(format!("{}: not a directory", context.display()));
            }
            let df = dockerfile
                .clone()
                .unwrap_or_else(|| context.join("Dockerfile"));
            let name = context
                .canonicalize()
                .ok()
                .and_then(|c| c.file_name().map(|n| n.to_string_lossy().to_string()))
                .unwrap_or_else(|| ".".into());
            let file = df
                .file_name()
                .map_or("Dockerfile".into(), |n| n.to_string_lossy().to_string());
            (context.clone(), df, format!("{name}/{file}"), false)
        }
        Start::Menu { .. } | Start::Lesson { .. } => {
            return Err("a lesson is not a project".into());
        }
    };
    let daemon = Daemon::open(state_dir).map_err(|e| e.to_string())?;
    for notice in daemon.notices() {
        eprintln!("WARNING: {notice}");
    }
    let mut session = Session::open(daemon, context.clone(), dockerfile.clone(), &title, lang)?;
    session.model.sandbox = sandbox;
    Ok(Opened::new(session, context, dockerfile, scratch))
}

/// Run one screen on the terminal until the learner quits or asks for the
/// menu.
/// `engine`: builds the learner commits go to the real daemon too.
pub fn run_screen(
    tty: &mut Tty,
    opened: &mut Opened,
    state_dir: &Path,
    engine: bool,
) -> Result<Ended, String> {
    let Opened {
        session,
        context,
        dockerfile,
        ..
    } = opened;
    let (ftx, frx) = channel();
    let _watch =
        watcher::watch(context, dockerfile, ftx).map_err(|e| format!("watching files: {e}"))?;
    {
        let tx = tty.tx.clone();
        std::thread::spawn(move || {
            while let Ok(c) = frx.recv() {
                if tx.send(RtEvent::Files(c)).is_err() {
                    return;
                }
            }
        });
    }
    // What this screen's worker reports reaches the loop only while the
    // screen is open: the next screen's worker numbers its jobs afresh.
    let open = Arc::new(AtomicBool::new(true));
    {
        let tx = std::sync::Mutex::new(tty.tx.clone());
        let open = Arc::clone(&open);
        session.use_worker(move |r| {
            if !open.load(Ordering::SeqCst) {
                return;
            }
            if let Ok(tx) = tx.lock() {
                let _ = tx.send(RtEvent::Worker(r));
            }
        });
    }
    if engine {
        session.use_engine();
    }
    // Unsaved edits kept by a session a signal ended: offered, not taken.
    // (A lesson's folder is layerlab's own: its text is written on leaving.)
    if !session.model.sandbox && session.lesson.is_none() {
        session.recovery = Some(state_dir.to_path_buf());
        if let Some(text) = recovery::read(state_dir, dockerfile) {
            session.dispatch(Event::Recovered(text));
        }
    }
    let Tty {
        guard, input, rx, ..
    } = tty;
    // First frame before the first build: start-up stays fast. Reading a
    // big context (a node_modules of 100,000 files) takes a moment: the
    // frame says so.
    let reading = Message::new("status.reading_context").render(session.model.lang);
    if session.model.status.is_none() {
        session.model.status = Some(reading.clone());
    }
    guard
        .term
        .draw(|f| crate::ui::draw(f, &session.model))
        .map_err(|e| e.to_string())?;
    session.start();
    if session.model.status.as_ref() == Some(&reading) {
        session.model.status = None;
    }
    let mut signalled = None;
    loop {
        guard
            .term
            .draw(|f| crate::ui::draw(f, &session.model))
            .map_err(|e| e.to_string())?;
        // While a job runs its real time moves on screen; when idle, what
        // is unsaved (stat caches) is written and what other processes
        // wrote to the state is taken in.
        let wait = if session.busy() {
            TICK
        } else if session.host.daemon.unsaved() {
            SAVE_WHEN_IDLE
        } else {
            LOOK_FOR_OTHERS
        };
        let first = match rx.recv_timeout(wait) {
            Ok(ev) => ev,
            Err(RecvTimeoutError::Timeout) if session.busy() => {
                session.tick();
                continue;
            }
            Err(RecvTimeoutError::Timeout) => {
                if session.host.daemon.unsaved() {
                    if let Err(e) = session.host.daemon.save() {
                        let m = Message::new("status.state_not_saved").arg("error", e);
                        session.model.status = Some(m.render(session.model.lang));
                    }
                }
                session.reload_engine();
                if let Some(walk) = session.rewalk_due() {
                    let tx = tty.tx.clone();
                    walk.spawn(move |r| {
                        let _ = tx.send(RtEvent::Walked(Box::new(r)));
                    });
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut batch = vec![first];
        batch.extend(rx.try_iter());
        for ev in batch {
            match ev {
                RtEvent::Terminate(signal) => {
                    signalled = Some(signal);
                    session.model.quit = true;
                }
                RtEvent::Suspend => guard.suspend(),
                RtEvent::Resume => guard.resume().map_err(|e| e.to_string())?,
                RtEvent::Files(c) => session.files_changed(&c),
                RtEvent::Walked(r) => session.walked(*r),
                RtEvent::Worker(r) => session.report(r),
                // Ctrl-Z is a key in raw mode: it suspends as the shell's
                // SIGTSTP would.
                RtEvent::Term(crossterm::event::Event::Key(k))
                    if events::key(&k) == Some(crate::app::Key::ctrl('z')) =>
                {
                    guard.suspend();
                }
                RtEvent::Term(t) => handle_term(session, &t),
            }
            if session.model.quit {
                break;
            }
        }
        if session.model.quit {
            break;
        }
        if let Some((editor, path)) = session.external.take() {
            let result = input
                .paused(|| guard.outside(|| run_editor(&editor, &path)))
                .map_err(|e| e.to_string())
                .and_then(|r| r)
                .map_err(|e| {
                    Message::new("status.editor_failed")
                        .arg("editor", &editor)
                        .arg("error", e)
                        .render(session.model.lang)
                });
            session.dispatch(Event::ExternalEditorDone(result));
            // What the editor saved shows now; the watcher's later report
            // of the same save finds nothing new.
            session.files_changed(&watcher::Changed::everything());
        }
    }
    // What runs is cancelled; a job deaf to it (a step the shell cannot
    // interrupt) is left behind rather than keeping the learner waiting,
    // and the engine, still lent to it, is not saved.
    session.stop_engine();
    let engine_back = session.stop(Some(GIVE_UP_AFTER));
    open.store(false, Ordering::SeqCst);
    // Reports and file changes of this screen still queued go with it;
    // the learner's keys wait for the next screen.
    let mut kept = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        match ev {
            RtEvent::Terminate(signal) => signalled = signalled.or(Some(signal)),
            RtEvent::Worker(_) | RtEvent::Files(_) | RtEvent::Walked(_) => {}
            other => kept.push(other),
        }
    }
    for ev in kept {
        let _ = tty.tx.send(ev);
    }
    lesson::leave(session);
    if let Some(signal) = signalled {
        session.keep_unsaved_edits();
        if engine_back {
            let _ = session.host.daemon.save();
        }
        return Ok(Ended::Quit(128 + signal));
    }
    if engine_back {
        session.host.daemon.save().map_err(|e| {
            Message::new("status.state_not_saved")
                .arg("error", e)
                .render(session.model.lang)
        })?;
    }
    Ok(if session.to_menu {
        Ended::Menu
    } else {
        Ended::Quit(0)
    })
}

/// Run the learner's editor on `path` and wait for it. `editor` may carry
/// arguments (`code --wait`), so a shell splits it as the learner's shell
/// would; the path goes in as an argument, never as shell text.
fn run_editor(editor: &str, path: &Path) -> Result<(), String> {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(path)
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(status.to_string())
    }
}

/// How often the time shown while a build runs moves on.
const TICK: Duration = Duration::from_millis(200);

/// How long quitting waits for a cancelled build to let go of the engine.
const GIVE_UP_AFTER: Duration = Duration::from_millis(500);

/// How long the screen waits without events before it writes the engine
/// state.
const SAVE_WHEN_IDLE: Duration = Duration::from_secs(2);

/// How often an idle screen looks whether another process changed the
/// engine state (one read of a counter).
const LOOK_FOR_OTHERS: Duration = Duration::from_secs(1);

fn handle_term(session: &mut Session, ev: &crossterm::event::Event) {
    use crossterm::event::{Event as Ct, MouseButton, MouseEventKind};
    let event = match ev {
        Ct::Key(k) => events::key(k).map(Event::Key),
        Ct::Resize(w, h) => Some(Event::Resize(*w, *h)),
        Ct::Mouse(m) => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                crate::ui::click(&session.model, m.column, m.row)
            }
            MouseEventKind::ScrollUp => crate::ui::wheel(&session.model, m.column, m.row, true),
            MouseEventKind::ScrollDown => crate::ui::wheel(&session.model, m.column, m.row, false),
            _ => None,
        },
        _ => None,
    };
    if let Some(e) = event {
        session.dispatch(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Key;
    use crate::engine::report::{BuiltInstruction, Verdict};

    const DF: &str = "FROM alpine\nRUN sleep 2\nENV A=1\nCOPY a.txt /\nCMD [\"true\"]\n";

    fn session(dir: &Path) -> Session {
        let ctx = dir.join("ctx");
        std::fs::create_dir(&ctx).unwrap();
        write_files(&ctx, &[("Dockerfile", DF), ("a.txt", "a\n")]).unwrap();
        let daemon = Daemon::open(&dir.join("state")).unwrap();
        let mut s =
            Session::open(daemon, ctx.clone(), ctx.join("Dockerfile"), "t", Lang::En).unwrap();
        s.start();
        // Built once, so what follows is previewed against a cache.
        s.dispatch(Event::Key("f5".parse().unwrap()));
        s
    }

    /// Saving writes through a symlink to its target, keeps the file's
    /// mode (0664 stayed 0600 from a temporary file before) and its line
    /// endings and missing final newline.
    #[test]
    fn saving_keeps_the_mode_the_symlink_and_the_line_endings() {
        use crate::app::document::Document;
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.Dockerfile");
        let link = dir.path().join("Dockerfile");
        std::fs::write(&real, "FROM alpine\r\nRUN true\r\nCMD sh").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o664)).unwrap();
        std::os::unix::fs::symlink("real.Dockerfile", &link).unwrap();

        let mut doc = Document::new(&std::fs::read_to_string(&link).unwrap());
        assert!(!doc.is_dirty(), "a CRLF file is not changed by opening it");
        doc.lines[1] = "RUN make".into();
        assert!(doc.is_dirty());
        save(&link, &doc.file_text()).unwrap();

        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            std::fs::read_to_string(&real).unwrap(),
            "FROM alpine\r\nRUN make\r\nCMD sh"
        );
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o664);
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 2, "no temporary file is left");
    }

    #[test]
    fn the_host_builds_the_text_the_model_compiled() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path());
        for c in ['j', 'j', 'j', 'K'] {
            s.dispatch(Event::Key(Key::char(c)));
        }
        let project = s.host.project.as_ref().expect("a project");
        assert!(Arc::ptr_eq(&project.compiled, &s.model.compiled));
        let view = s.view().expect("a build");
        let report = view.report.as_ref().expect("it built");
        assert_eq!(
            report.instructions,
            BuiltInstruction::list(s.model.compiled.instructions())
        );
        assert_eq!(view.instructions, report.instructions);
        assert!(s.model.in_sync());
    }

    #[test]
    fn the_report_totals_are_the_steps_counted() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path());
        // A change only the COPY reads: the RUN below it is reused.
        let row = s
            .model
            .context
            .rows
            .iter()
            .position(|r| r.path == "a.txt")
            .unwrap();
        s.dispatch(Event::SelectContext(row));
        s.dispatch(Event::Key(Key::char('e')));
        let report = s.view().and_then(|v| v.report.as_ref()).expect("it built");
        let steps = &report.steps;
        let totals = report.totals;

        let missed = steps.iter().filter(|s| s.verdict.missed()).count();
        let hit = steps.iter().filter(|s| s.verdict.cached()).count();
        assert!(missed > 0 && hit > 0, "{steps:?}");
        assert_eq!(totals.rebuilt, missed);
        assert_eq!(totals.cacheable, missed + hit);
        let seconds: f64 = steps.iter().map(|s| s.seconds).sum();
        assert_eq!(totals.seconds, seconds);
        let saved: f64 = steps
            .iter()
            .map(|s| match &s.verdict {
                Verdict::Hit { from } => from.cost_ms as f64 / 1000.0,
                _ => 0.0,
            })
            .sum();
        assert!(saved >= 2.0, "the RUN's sleep was saved: {saved}");
        assert_eq!(totals.saved_seconds, saved);

        // The layer pane's title prints the report's totals.
        let title = crate::ui::layers_pane::title(&s.model, 200);
        let expected = format!(
            "{missed} of {} steps rebuilt · ≈{seconds:.1} s (cache saved ≈{saved:.1} s)",
            missed + hit
        );
        assert!(title.contains(&expected), "{title}");
    }

    /// Another layerlab process builds and tags on the state the screen has
    /// open: the screen takes it in when it looks (idle, or before a build
    /// or a command), and its own next build numbers on from there.
    #[test]
    fn a_session_takes_in_what_another_process_wrote() {
        use crate::engine::builder::BuildOptions;
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path());
        assert_eq!(s.host.daemon.engine.builds, 1);

        let mut other = Daemon::open(&dir.path().join("state")).unwrap();
        let ctx = dir.path().join("ctx");
        let snap = other.snapshot(&ctx).unwrap();
        let opts = BuildOptions {
            tags: vec!["other:latest".into()],
            ..BuildOptions::default()
        };
        other.build(DF, &snap, &opts).unwrap();
        assert!(s.host.daemon.engine.image("other").is_none());

        s.reload_engine();
        assert!(s.host.daemon.engine.image("other").is_some());
        assert_eq!(s.host.daemon.engine.builds, 2);
        s.dispatch(Event::Key("f5".parse().unwrap()));
        assert_eq!(s.host.daemon.engine.builds, 3);
        drop(s);
        other.refresh().unwrap();
        assert_eq!(
            other.engine.builds, 3,
            "the screen's build reached the other"
        );
    }

    /// The screen key writes what `ui::render` draws, outside the build
    /// context (the next build's `COPY .` would see it there), and says
    /// where; the overlay open stays open in its picture.
    #[test]
    fn the_screen_key_writes_the_drawn_screen_beside_the_context() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path());
        s.model.size = (80, 24);
        s.cwd = dir.path().join("ctx");
        s.dispatch(Event::Key(Key::char('X')));
        let root = dir.path().canonicalize().unwrap();
        let text = std::fs::read_to_string(root.join("layerlab-screen-1.txt")).unwrap();
        assert!(text.contains("FROM alpine"), "{text}");
        assert_eq!(text.lines().count(), 24);
        let svg = std::fs::read_to_string(root.join("layerlab-screen-1.svg")).unwrap();
        assert!(svg.contains("RUN sleep 2"), "{svg}");
        let said = s.model.status.clone().unwrap_or_default();
        assert!(said.contains("layerlab-screen-1.svg"), "{said}");
        assert!(said.contains(&root.display().to_string()), "{said}");
        assert_eq!(s.model.log.output.last().map(|l| &l.1), Some(&said));
        assert!(!dir.path().join("ctx/layerlab-screen-1.svg").exists());

        s.dispatch(Event::Key(Key::char('?')));
        s.dispatch(Event::Key(Key::char('X')));
        assert_eq!(s.model.mode, crate::app::model::Mode::Help);
        let help = std::fs::read_to_string(root.join("layerlab-screen-2.txt")).unwrap();
        assert!(help.contains("┌ Keys ─"), "{help}");

        // A folder that cannot take the files: said, and the screen goes on.
        s.dispatch(Event::Key(Key::plain(crate::app::KeyCode::Esc)));
        s.cwd = dir.path().join("gone");
        s.dispatch(Event::Key(Key::char('X')));
        let said = s.model.status.clone().unwrap_or_default();
        assert!(said.starts_with("Could not write the screen to "), "{said}");
        assert_eq!(s.model.mode, crate::app::model::Mode::Normal);
    }

    /// A session whose jobs run on the worker, and what the worker reports.
    fn on_worker(dir: &Path, text: &str) -> (Session, std::sync::mpsc::Receiver<Report>) {
        let ctx = dir.join("ctx");
        std::fs::create_dir(&ctx).unwrap();
        write_files(&ctx, &[("Dockerfile", text), ("a.txt", "a\n")]).unwrap();
        let daemon = Daemon::open(&dir.join("state")).unwrap();
        let mut s =
            Session::open(daemon, ctx.clone(), ctx.join("Dockerfile"), "t", Lang::En).unwrap();
        let (tx, rx) = channel();
        let tx = std::sync::Mutex::new(tx);
        s.use_worker(move |r| {
            let _ = tx.lock().unwrap().send(r);
        });
        (s, rx)
    }

    /// Hand the worker's reports to the session until `done` holds.
    fn pump(
        s: &mut Session,
        rx: &std::sync::mpsc::Receiver<Report>,
        done: impl Fn(&Session) -> bool,
    ) {
        while !done(s) {
            let r = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("the worker reports");
            s.report(r);
        }
    }

    const SLOW: &str = "FROM alpine\nRUN echo one > /1\nRUN while true; do :; done\nCOPY a.txt /\n";

    #[test]
    fn a_build_cancelled_on_the_worker_leaves_the_engine_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, rx) = on_worker(dir.path(), "FROM alpine\nRUN echo one > /1\n");
        s.start();
        s.dispatch(Event::Key("f5".parse().unwrap()));
        pump(&mut s, &rx, |s| !s.busy());
        assert_eq!(s.host.daemon.engine.builds, 1);
        let before = serde_json::to_string(&s.host.daemon.engine).unwrap();

        s.dispatch(Event::DockerfileOnDisk(SLOW.into()));
        pump(&mut s, &rx, |s| !s.busy());
        s.dispatch(Event::Key("f5".parse().unwrap()));
        assert!(s.model.running.as_ref().is_some_and(|r| r.build));
        // Cancelled once the endless RUN is under way.
        pump(&mut s, &rx, |s| {
            s.model
                .running
                .as_ref()
                .and_then(|r| r.step.as_ref())
                .is_some_and(|st| st.text.contains("while true"))
        });
        s.dispatch(Event::Key(Key::plain(crate::app::KeyCode::Esc)));
        assert_eq!(s.model.running, None);
        assert_eq!(
            s.model.status.as_deref(),
            Some("Build cancelled: the engine is as it was before it")
        );
        pump(&mut s, &rx, |s| !s.busy());
        assert_eq!(
            serde_json::to_string(&s.host.daemon.engine).unwrap(),
            before
        );
        assert!(matches!(
            s.view().map(|v| v.shown),
            Some(Shown::Preview { last_build: 1 })
        ));
    }

    #[test]
    fn a_newer_change_supersedes_the_preview_running() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, rx) = on_worker(dir.path(), SLOW);
        s.start();
        pump(&mut s, &rx, |s| {
            s.model
                .running
                .as_ref()
                .and_then(|r| r.step.as_ref())
                .is_some_and(|st| st.text.contains("while true"))
        });
        let newer = "FROM alpine\nRUN echo two > /2\nCOPY a.txt /\n";
        s.dispatch(Event::DockerfileOnDisk(newer.into()));
        pump(&mut s, &rx, |s| !s.busy());
        let view = s.view().expect("the newer preview");
        let report = view.report.as_ref().expect("it previewed");
        let texts: Vec<&str> = report.steps.iter().map(|st| st.text.as_str()).collect();
        assert_eq!(texts, ["FROM alpine", "RUN echo two > /2", "COPY a.txt /"]);
        assert_eq!(s.model.running, None);
        assert_eq!(s.host.daemon.engine.builds, 0, "a preview builds nothing");
    }
}
