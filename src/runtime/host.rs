//! The engine behind the screen and behind `layerlab docker`: one persisted
//! daemon, the project's context snapshot, and the rule that a rebuild only
//! happens when an input changed (so a watcher echo of our own change never
//! replaces an instructive MISS with an all-HIT rebuild). Simulated changes
//! from the context pane live here as `Overrides` over the disk's snapshot.

use crate::app::effect::ContextOp;
use crate::app::model::{BuildOutcome, Shown};
use crate::app::rows::ContextSources;
use crate::command::spec::CheckSource;
use crate::command::{BuildRequest, Built, Host};
use crate::dockerfile::{compile, Compiled};
use crate::engine::base::base_layers;
use crate::engine::builder::{BuildError, BuildOptions, BuilderKind};
use crate::engine::context::{ContextSnapshot, FileKind, Overrides};
use crate::engine::daemon::{Daemon, DaemonError};
use crate::engine::report::{BuildReport, Verdict};
use crate::engine::store::EngineState;
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::LayerChanges;
use crate::messages::{Lang, Message};
use crate::runtime::worker::{self, Done, Job, JobKind};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a build depends on, minus modification times (a touch changes no
/// cache key, and our own saves must not look like changes). Shared: each
/// preview is keyed on it, and a context's is as long as the context.
type Fingerprint = Arc<Vec<(String, String, u32, u64, String)>>;

fn fingerprint(snap: &ContextSnapshot) -> Fingerprint {
    snap.entries()
        .iter()
        .map(|(p, m)| {
            let kind = match &m.kind {
                FileKind::Symlink { target } => format!("symlink:{target}"),
                k => k.name().to_string(),
            };
            (
                p.clone(),
                kind,
                m.mode,
                m.size,
                m.content.map(|d| d.to_string()).unwrap_or_default(),
            )
        })
        .collect::<Vec<_>>()
        .into()
}

pub struct EngineHost {
    pub daemon: Daemon,
    /// The directory commands run in (`docker build .` means this).
    pub cwd: PathBuf,
    /// The project: its context and Dockerfile (None for the plain CLI).
    pub project: Option<Project>,
    /// The builder of a `docker build` that does not choose one: the
    /// screen's.
    pub builder: BuilderKind,
    /// The screen's language, for layerlab's words in command output.
    pub lang: Lang,
    /// A terminal can be attached to a shell (`run -it`): the command
    /// line's own, or the screen's shell pane.
    pub terminal: bool,
}

pub struct Project {
    pub context: PathBuf,
    pub dockerfile: PathBuf,
    /// The editor's current text, compiled, which command-bar builds of the
    /// project's Dockerfile use (unsaved edits build as the learner sees
    /// them).
    pub compiled: Arc<Compiled>,
    /// The context as captured from disk.
    snapshot: Option<Arc<ContextSnapshot>>,
    /// Simulated changes, oldest first, and the snapshot with them applied
    /// (`None` while there are none). They are laid again over every new
    /// capture, so a simulated edit keeps its text even if the file then
    /// changes on disk, until the learner resets.
    overrides: Overrides,
    simulated: Option<Arc<ContextSnapshot>>,
    print: Fingerprint,
    /// What the panes show was made of: the text, the builder, the
    /// context and the number of builds in the engine then.
    shown: Option<(String, BuilderKind, Fingerprint, u64)>,
    /// The name the screen's builds are tagged with.
    pub tag: String,
}

impl Project {
    /// `name`: the project's or example's name, which its builds are
    /// tagged with.
    pub fn new(
        name: &str,
        context: PathBuf,
        dockerfile: PathBuf,
        compiled: Arc<Compiled>,
    ) -> Project {
        Project {
            context,
            dockerfile,
            compiled,
            snapshot: None,
            overrides: Overrides::default(),
            simulated: None,
            print: Fingerprint::default(),
            shown: None,
            tag: tag_for(name),
        }
    }

    /// The context builds see: the disk's, with the simulated changes.
    fn current(&self) -> Option<&Arc<ContextSnapshot>> {
        self.simulated.as_ref().or(self.snapshot.as_ref())
    }

    /// Applies the simulations to the disk's snapshot again; returns what
    /// the context pane is derived from (None before the first capture) and
    /// whether anything a build reads changed.
    fn relayer(&mut self) -> (Option<ContextSources>, bool) {
        self.simulated = match &self.snapshot {
            Some(snap) if !self.overrides.is_empty() => {
                Some(Arc::new(snap.with_overrides(&self.overrides)))
            }
            _ => None,
        };
        let (Some(disk), Some(current)) = (&self.snapshot, self.current()) else {
            return (None, false);
        };
        let print = fingerprint(current);
        let sources = ContextSources {
            disk: Arc::clone(disk),
            current: Arc::clone(current),
            overrides: self.overrides.clone(),
        };
        let changed = print != self.print;
        self.print = print;
        (Some(sources), changed)
    }
}

/// A repository name docker accepts, made of `name`: lower case, other
/// characters than letters, digits, `.`, `_` and `-` as `-`.
fn tag_for(name: &str) -> String {
    let cleaned: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '.' | '_' | '-' => c,
            _ => '-',
        })
        .collect();
    let trimmed = cleaned.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if trimmed.is_empty() {
        "layerlab".into()
    } else {
        trimmed.into()
    }
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

impl EngineHost {
    pub fn new(daemon: Daemon, cwd: PathBuf, project: Option<Project>) -> EngineHost {
        EngineHost {
            daemon,
            cwd,
            project,
            builder: BuilderKind::default(),
            lang: Lang::En,
            terminal: false,
        }
    }

    /// Snapshot the project's context again. Returns what the context pane
    /// is derived from when anything but times changed (or on the first
    /// call).
    pub fn refresh_context(&mut self) -> Result<Option<ContextSources>, String> {
        let Some(p) = &mut self.project else {
            return Ok(None);
        };
        let snap = self
            .daemon
            .snapshot(&p.context)
            .map_err(|e| e.to_string())?;
        let first = p.snapshot.is_none();
        p.snapshot = Some(Arc::new(snap));
        let (sources, changed) = p.relayer();
        Ok(sources.filter(|_| first || changed))
    }

    /// Adds a simulated change (the disk is not written). Returns what the
    /// context pane is derived from, or why the change cannot be made.
    pub fn simulate(&mut self, op: &ContextOp) -> Result<Option<ContextSources>, Message> {
        let Some(p) = &mut self.project else {
            return Err(Message::new("simulate.no_project"));
        };
        let Some(current) = p.current() else {
            return Err(Message::new("simulate.context_unread"));
        };
        let change = super::ops::to_override(current, &p.context, op)?;
        p.overrides.push(op.path(), change);
        Ok(p.relayer().0)
    }

    /// A context file's text for the editor, as builds see it now.
    pub fn read_context_file(&self, path: &str) -> Result<String, Message> {
        let Some(p) = &self.project else {
            return Err(Message::new("simulate.no_project"));
        };
        let Some(current) = p.current() else {
            return Err(Message::new("simulate.context_unread"));
        };
        super::ops::read_for_edit(current, &p.context, path)
    }

    /// Drops every simulated change; returns what the context pane is
    /// derived from.
    pub fn reset_simulations(&mut self) -> Option<ContextSources> {
        let p = self.project.as_mut()?;
        p.overrides.clear();
        p.relayer().0
    }

    /// What a build of the editor's compiled text over the project's
    /// context would do now, written nowhere, as a job to run; none when it
    /// is what the screen already shows (`force` previews anyway).
    pub fn preview_job(
        &mut self,
        compiled: &Arc<Compiled>,
        builder: BuilderKind,
        force: bool,
    ) -> Option<Job> {
        let builds = self.daemon.engine.builds;
        let p = self.project.as_mut()?;
        p.compiled = Arc::clone(compiled);
        let key = (
            compiled.source().to_string(),
            builder,
            p.print.clone(),
            builds,
        );
        if !force && p.shown.as_ref() == Some(&key) {
            return None;
        }
        p.shown = Some(key);
        let context = Arc::clone(p.current()?);
        Some(Job {
            kind: JobKind::Preview,
            compiled: Arc::clone(compiled),
            context,
            opts: BuildOptions {
                builder,
                ..BuildOptions::default()
            },
        })
    }

    /// A build of the editor's compiled text over the project's context
    /// into the engine, tagged with the project's name, as a job to run.
    pub fn build_job(&mut self, compiled: &Arc<Compiled>, builder: BuilderKind) -> Option<Job> {
        let p = self.project.as_mut()?;
        p.compiled = Arc::clone(compiled);
        let context = Arc::clone(p.current()?);
        Some(Job {
            kind: JobKind::Build,
            compiled: Arc::clone(compiled),
            context,
            opts: BuildOptions {
                builder,
                tags: vec![p.tag.clone()],
                ..BuildOptions::default()
            },
        })
    }

    /// The other builder's preview of what a command-bar build of the
    /// project's Dockerfile built, so the side-by-side view has both sides;
    /// run in place, as the command was. None for another Dockerfile.
    pub fn other_preview(
        &mut self,
        compiled: &Arc<Compiled>,
        built_with: BuilderKind,
    ) -> Option<BuildOutcome> {
        let p = self.project.as_ref()?;
        if !Arc::ptr_eq(compiled, &p.compiled) {
            return None;
        }
        let job = Job {
            kind: JobKind::Preview,
            compiled: Arc::clone(compiled),
            context: Arc::clone(p.current()?),
            opts: BuildOptions {
                builder: built_with,
                ..BuildOptions::default()
            },
        };
        let engine = &mut self.daemon.engine;
        let mut memo = std::mem::take(&mut engine.memo);
        let done = worker::run_one(engine, &mut memo, &worker::other_preview(&job));
        self.daemon.engine.memo = memo;
        Some(done.outcome)
    }

    /// What a job brought back, as the panes show it: a build's writes are
    /// committed (the engine must be as the job found it).
    pub fn finish(&mut self, done: Done) -> BuildOutcome {
        let Done {
            kind,
            mut outcome,
            writes,
        } = done;
        if let (JobKind::Build, Some((build, writes))) = (kind, writes) {
            if let Err(e) = self.daemon.commit(build, writes) {
                outcome.result = outcome.result.and_then(|_| {
                    Err(BuildError {
                        message: e.to_string(),
                        span: None,
                        diagnostics: Vec::new(),
                        steps: Vec::new(),
                        exit_code: 1,
                    })
                });
            }
        }
        if kind == JobKind::Build {
            let builds = self.daemon.engine.builds;
            if let Some(p) = &mut self.project {
                p.shown = Some((
                    outcome.compiled.source().to_string(),
                    outcome.builder,
                    p.print.clone(),
                    builds,
                ));
            }
        }
        outcome
    }

    /// A build's result with the changes of every layer its steps made:
    /// from `made` (a preview's, which exist nowhere else) or the engine.
    pub fn outcome(
        &mut self,
        shown: Shown,
        compiled: Arc<Compiled>,
        builder: BuilderKind,
        result: Result<BuildReport, BuildError>,
        made: &BTreeMap<Digest, Arc<LayerChanges>>,
        origin: Option<String>,
    ) -> BuildOutcome {
        let steps = match &result {
            Ok(r) => &r.steps,
            Err(e) => &e.steps,
        };
        let engine = &mut self.daemon.engine;
        let layers = steps
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let diff_id = s.layer.as_ref()?.diff_id;
                let changes = made.get(&diff_id).cloned();
                changes.or_else(|| engine.layer(&diff_id)).map(|c| (i, c))
            })
            .collect::<BTreeMap<_, _>>();
        let base_layers = steps
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match &s.verdict {
                Verdict::Base { image, .. } => {
                    // read (and remember) the image's layers, then list them
                    let ids: Vec<Digest> = engine.image(image).map_or_else(Vec::new, |img| {
                        img.layers.iter().map(|l| l.diff_id).collect()
                    });
                    let read: BTreeMap<Digest, Arc<LayerChanges>> = ids
                        .into_iter()
                        .filter_map(|d| Some((d, engine.layer(&d)?)))
                        .collect();
                    Some((i, base_layers(engine, image, |d| read.get(d).cloned())))
                }
                _ => None,
            })
            .collect();
        BuildOutcome {
            shown,
            compiled,
            builder,
            result,
            layers,
            base_layers,
            origin,
            other: None,
        }
    }
}

impl EngineHost {
    /// The context directory of `req`, the Dockerfile's name as shown and
    /// its text compiled: the project's own as the screen holds it (edits
    /// not yet saved included), any other read from disk.
    fn dockerfile_of(
        &self,
        req: &BuildRequest,
    ) -> Result<(PathBuf, String, Arc<Compiled>), String> {
        let context = self.cwd.join(&req.context);
        let file = match &req.file {
            Some(f) => self.cwd.join(f),
            None => context.join("Dockerfile"),
        };
        let shown = req.file.clone().unwrap_or_else(|| "Dockerfile".into());
        let project = self.project.as_ref().filter(|p| {
            same_path(&p.dockerfile, &file) || (!file.exists() && p.dockerfile == file)
        });
        let compiled = match project {
            Some(p) => Arc::clone(&p.compiled),
            None => Arc::new(compile(&std::fs::read_to_string(&file).map_err(|e| {
                format!("failed to read dockerfile: open {shown}: {}", io_words(&e))
            })?)),
        };
        Ok((context, shown, compiled))
    }
}

impl Host for EngineHost {
    fn terminal(&self) -> bool {
        self.terminal
    }

    fn build(&mut self, req: &BuildRequest) -> Result<Built, String> {
        let (context, shown, compiled) = self.dockerfile_of(req)?;
        if !context.is_dir() {
            return Err(format!(
                "unable to prepare context: path {:?} not found",
                req.context
            ));
        }
        let mut snap = self.daemon.snapshot(&context).map_err(|e| e.to_string())?;
        // `docker build` of the project's directory sees what the panes
        // show: the context with the simulated changes.
        if let Some(p) = self
            .project
            .as_ref()
            .filter(|p| !p.overrides.is_empty() && same_path(&p.context, &context))
        {
            snap = snap.with_overrides(&p.overrides);
        }
        let result = match self.daemon.build_compiled(&compiled, &snap, &req.opts) {
            Ok(r) => Ok(r),
            Err(DaemonError::Build(e)) => Err(e),
            Err(other) => return Err(other.to_string()),
        };
        Ok(Built {
            file: shown,
            builder: req.opts.builder,
            compiled,
            result,
        })
    }

    /// The project's Dockerfile is checked as a build would build it.
    fn check_source(&self, req: &BuildRequest) -> Result<CheckSource, String> {
        let (context, shown, compiled) = self.dockerfile_of(req)?;
        let dockerignore = std::fs::read(context.join(".dockerignore"))
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        Ok(CheckSource {
            file: shown,
            compiled,
            dockerignore,
        })
    }

    fn engine(&self) -> &EngineState {
        &self.daemon.engine
    }

    fn engine_mut(&mut self) -> &mut EngineState {
        self.daemon.engine_mut()
    }

    fn default_builder(&self) -> BuilderKind {
        self.builder
    }

    fn commit(&mut self) -> Result<(), String> {
        self.daemon.save().map_err(|e| e.to_string())
    }

    fn lang(&self) -> Lang {
        self.lang
    }

    fn host_env(&self) -> Vec<(String, String)> {
        std::env::vars().collect()
    }

    fn read_file(&self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.cwd.join(path)).map_err(|e| format!("open {path}: {}", io_words(&e)))
    }

    fn write_file(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        std::fs::write(self.cwd.join(path), bytes)
            .map_err(|e| format!("open {path}: {}", io_words(&e)))
    }
}

/// Go's wording of the common errors (`no such file or directory`).
fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
