//! The only impure part of the screen: terminal, events, file watching,
//! the engine; one loop that feeds events to `update` and performs effects.
//!
//! [`Session`] (model + engine host, dispatch and perform) has no terminal,
//! so tests and the benchmark drive exactly what the loop drives. Effects
//! are performed in one place, [`Session::settle`]; what they bring back
//! (build results, context snapshots) goes to `update` as events, and the
//! app derives what the panes show from it.

pub mod events;
pub mod host;
pub mod ops;
pub mod terminal;
pub mod watcher;

use crate::app::effect::Effect;
use crate::app::i18n::Lang;
use crate::app::model::{BuildView, Model, Shown};
use crate::app::rows::ContextSources;
use crate::app::update::{update, Event};
use crate::engine::daemon::Daemon;
use crate::messages::Message;
use events::RtEvent;
use host::{EngineHost, Project};
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

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
}

#[derive(Debug, Clone)]
pub struct Options {
    pub start: Start,
    pub state_dir: PathBuf,
    pub lang: Option<Lang>,
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
        Ok(Session { model, host })
    }

    /// The first snapshot and preview.
    pub fn start(&mut self) {
        match self.host.refresh_context() {
            Ok(Some(sources)) => self.dispatch(Event::ContextRead(Box::new(sources))),
            Ok(None) => {}
            Err(e) => self.model.status = Some(e),
        }
        let effects = crate::app::update::preview(&mut self.model);
        self.settle(effects);
    }

    /// Feed one event through `update`, performing effects until quiet.
    pub fn dispatch(&mut self, event: Event) {
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
                return;
            };
            effects = update(&mut self.model, ev);
        }
    }

    fn perform(&mut self, effect: Effect) -> Vec<Event> {
        match effect {
            Effect::Preview { compiled, builder } => self
                .host
                .preview_editor(&compiled, builder, false)
                .map(|b| Event::Built(Box::new(b)))
                .into_iter()
                .collect(),
            Effect::Build {
                compiled, builder, ..
            } => self
                .host
                .build_editor(&compiled, builder)
                .map(|b| Event::Built(Box::new(b)))
                .into_iter()
                .collect(),
            Effect::Save { text, quit_after } => {
                let result = match &self.host.project {
                    Some(p) => {
                        save(&p.dockerfile, &text).map(|()| p.dockerfile.display().to_string())
                    }
                    None => Err("no file".into()),
                };
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
                Err(e) => vec![Event::ContextChanged { op, result: Err(e) }],
            },
            Effect::ResetContext => {
                let mut out = vec![context_event(self.host.reset_simulations())];
                out.extend(self.preview_now());
                out
            }
            Effect::RunCommand(line) => {
                if let Some(p) = &mut self.host.project {
                    p.compiled = Arc::clone(&self.model.compiled);
                }
                self.host.builder = self.model.builder;
                let mut output = crate::command::run_line(&line, &mut self.host);
                let build = output.built.take().map(|b| {
                    let shown = Shown::Build {
                        number: self.host.daemon.engine.builds,
                    };
                    Box::new(self.host.outcome(
                        shown,
                        b.compiled,
                        b.builder,
                        b.result,
                        &BTreeMap::new(),
                        Some(line.clone()),
                    ))
                });
                vec![Event::CommandDone {
                    line,
                    output: Box::new(output),
                    build,
                }]
            }
            Effect::Quit => Vec::new(),
        }
    }

    /// A preview even when its inputs look unchanged: an explicit change of
    /// the context always shows its effect (a touch shows that nothing would
    /// be rebuilt).
    fn preview_now(&mut self) -> Option<Event> {
        if self.model.outline.problem.is_some() {
            return None;
        }
        self.host
            .preview_editor(&self.model.compiled, self.model.builder, true)
            .map(|b| Event::Built(Box::new(b)))
    }

    /// Files changed on disk (one debounced burst).
    pub fn files_changed(&mut self, changed: watcher::Changed) {
        if changed.dockerfile {
            if let Some(p) = &self.host.project {
                if let Ok(text) = std::fs::read_to_string(&p.dockerfile) {
                    self.dispatch(Event::DockerfileOnDisk(text));
                }
            }
        }
        if changed.context {
            match self.host.refresh_context() {
                Ok(Some(sources)) => {
                    self.dispatch(Event::ContextRead(Box::new(sources)));
                    let effects = crate::app::update::preview(&mut self.model);
                    self.settle(effects);
                }
                Ok(None) => {}
                Err(e) => self.model.status = Some(e),
            }
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

/// Run the screen until the learner quits.
pub fn run(opts: &Options) -> Result<(), String> {
    let lang = opts.lang.unwrap_or_else(lang_from_env);
    // Kept alive for the session; a sandbox's directory goes with it.
    let mut _scratch = None;
    let (context, dockerfile, title, sandbox) = match &opts.start {
        Start::Example | Start::Scratch => {
            let dir = tempfile::Builder::new()
                .prefix("layerlab-sandbox-")
                .tempdir()
                .map_err(|e| e.to_string())?;
            let files = if matches!(opts.start, Start::Example) {
                EXAMPLE
            } else {
                SCRATCH
            };
            write_files(dir.path(), files).map_err(|e| e.to_string())?;
            let ctx = dir.path().to_path_buf();
            let title = if matches!(opts.start, Start::Example) {
                "web-ping/Dockerfile"
            } else {
                "scratch/Dockerfile"
            };
            _scratch = Some(dir);
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
    };
    let mut daemon = Daemon::open(&opts.state_dir).map_err(|e| e.to_string())?;
    // The state is written when the screen is idle and when the session
    // ends, not after each build (previews write nothing to it).
    daemon.save_later();
    let mut session = Session::open(daemon, context.clone(), dockerfile.clone(), &title, lang)?;
    session.model.sandbox = sandbox;
    session.model.no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if let Ok((w, h)) = crossterm::terminal::size() {
        session.model.size = (w, h);
    }

    let (tx, rx) = channel::<RtEvent>();
    let (ftx, frx) = channel();
    let _watch =
        watcher::watch(&context, &dockerfile, ftx).map_err(|e| format!("watching files: {e}"))?;
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            while let Ok(c) = frx.recv() {
                if tx.send(RtEvent::Files(c)).is_err() {
                    return;
                }
            }
        });
    }
    events::spawn_signals(tx.clone()).map_err(|e| e.to_string())?;

    let mut guard = terminal::Guard::enter().map_err(|e| e.to_string())?;
    events::spawn_input(tx);
    // First frame before the first build: start-up stays fast.
    guard
        .term
        .draw(|f| crate::ui::draw(f, &session.model))
        .map_err(|e| e.to_string())?;
    session.start();
    loop {
        guard
            .term
            .draw(|f| crate::ui::draw(f, &session.model))
            .map_err(|e| e.to_string())?;
        let first = if session.host.daemon.unsaved() {
            match rx.recv_timeout(SAVE_WHEN_IDLE) {
                Ok(ev) => ev,
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(e) = session.host.daemon.save() {
                        let m = Message::new("status.state_not_saved").arg("error", e);
                        session.model.status = Some(m.render(session.model.lang));
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match rx.recv() {
                Ok(ev) => ev,
                Err(_) => break,
            }
        };
        let mut batch = vec![first];
        batch.extend(rx.try_iter());
        for ev in batch {
            match ev {
                RtEvent::Terminate => session.model.quit = true,
                RtEvent::Files(c) => session.files_changed(c),
                RtEvent::Term(t) => handle_term(&mut session, &t),
            }
            if session.model.quit {
                break;
            }
        }
        if session.model.quit {
            break;
        }
    }
    drop(guard);
    session.host.daemon.save().map_err(|e| {
        Message::new("status.state_not_saved")
            .arg("error", e)
            .render(lang)
    })
}

/// How long the screen waits without events before it writes the engine
/// state.
const SAVE_WHEN_IDLE: Duration = Duration::from_secs(2);

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
}
