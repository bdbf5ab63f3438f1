//! The engine behind the screen and behind `layerlab docker`: one persisted
//! daemon, the project's context snapshot, and the rule that a rebuild only
//! happens when an input changed (so a watcher echo of our own change never
//! replaces an instructive MISS with an all-HIT rebuild). Simulated changes
//! from the context pane live here as `Overrides` over the disk's snapshot.

use crate::app::effect::ContextOp;
use crate::app::files::{Change as FileChange, LayerFile};
use crate::app::model::{BuildView, ContextRow, Simulated};
use crate::command::{BuildRequest, Built, Host};
use crate::engine::builder::{BuildError, BuildOptions, BuilderKind, EngineState};
use crate::engine::context::{ContextSnapshot, FileKind, Overrides};
use crate::engine::daemon::{Daemon, DaemonError};
use crate::filesystem::rootfs::{Change, LayerChanges};
use crate::messages::Lang;
use std::path::{Path, PathBuf};

/// What a build depends on, minus modification times (a touch changes no
/// cache key, and our own saves must not look like changes).
type Fingerprint = Vec<(String, String, u32, u64, String)>;

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
        .collect()
}

pub struct EngineHost {
    pub daemon: Daemon,
    /// The directory commands run in (`docker build .` means this).
    pub cwd: PathBuf,
    /// The project: its context and Dockerfile (None for the plain CLI).
    pub project: Option<Project>,
    /// The screen's language, for layerlab's words in command output.
    pub lang: Lang,
}

pub struct Project {
    pub context: PathBuf,
    pub dockerfile: PathBuf,
    /// The editor's current text, which command-bar builds of the project's
    /// Dockerfile use (unsaved edits build as the learner sees them).
    pub text: String,
    /// The context as captured from disk.
    snapshot: Option<ContextSnapshot>,
    /// Simulated changes, oldest first, and the snapshot with them applied
    /// (`None` while there are none). They are laid again over every new
    /// capture, so a simulated edit keeps its text even if the file then
    /// changes on disk, until the learner resets.
    overrides: Overrides,
    simulated: Option<ContextSnapshot>,
    print: Fingerprint,
    last_build: Option<(String, BuilderKind, Fingerprint)>,
}

impl Project {
    pub fn new(context: PathBuf, dockerfile: PathBuf, text: String) -> Project {
        Project {
            context,
            dockerfile,
            text,
            snapshot: None,
            overrides: Overrides::default(),
            simulated: None,
            print: Vec::new(),
            last_build: None,
        }
    }

    /// The context builds see: the disk's, with the simulated changes.
    fn current(&self) -> Option<&ContextSnapshot> {
        self.simulated.as_ref().or(self.snapshot.as_ref())
    }

    /// Applies the simulations to the disk's snapshot again; returns the
    /// context pane's rows and whether anything a build reads changed.
    fn relayer(&mut self) -> (Vec<ContextRow>, bool) {
        self.simulated = match &self.snapshot {
            Some(snap) if !self.overrides.is_empty() => Some(snap.with_overrides(&self.overrides)),
            _ => None,
        };
        let Some(current) = self.current() else {
            return (Vec::new(), false);
        };
        let print = fingerprint(current);
        let rows = match &self.snapshot {
            Some(disk) => context_rows(disk, current, &self.overrides),
            None => Vec::new(),
        };
        let changed = print != self.print;
        self.print = print;
        (rows, changed)
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
            lang: Lang::En,
        }
    }

    /// Snapshot the project's context again. Returns the rows for the
    /// context pane when anything but times changed (or on the first call).
    pub fn refresh_context(&mut self) -> Result<Option<Vec<ContextRow>>, String> {
        let Some(p) = &mut self.project else {
            return Ok(None);
        };
        let snap = self
            .daemon
            .snapshot(&p.context)
            .map_err(|e| e.to_string())?;
        let first = p.snapshot.is_none();
        p.snapshot = Some(snap);
        let (rows, changed) = p.relayer();
        Ok((first || changed).then_some(rows))
    }

    /// Adds a simulated change (the disk is not written). Returns the
    /// context pane's rows, or why the change cannot be made.
    pub fn simulate(&mut self, op: &ContextOp) -> Result<Vec<ContextRow>, String> {
        let Some(p) = &mut self.project else {
            return Err("no project is open".into());
        };
        let Some(current) = p.current() else {
            return Err("the build context has not been read yet".into());
        };
        let change = super::ops::to_override(current, &p.context, op)?;
        p.overrides.push(op.path(), change);
        Ok(p.relayer().0)
    }

    /// Drops every simulated change; returns the context pane's rows.
    pub fn reset_simulations(&mut self) -> Vec<ContextRow> {
        let Some(p) = &mut self.project else {
            return Vec::new();
        };
        p.overrides.clear();
        p.relayer().0
    }

    /// Build the editor's text over the project's context, unless nothing
    /// changed since the last build (`force` builds anyway).
    pub fn build_editor(
        &mut self,
        text: &str,
        builder: BuilderKind,
        force: bool,
    ) -> Option<BuildView> {
        let p = self.project.as_mut()?;
        p.text = text.to_string();
        let key = (text.to_string(), builder, p.print.clone());
        if !force && p.last_build.as_ref() == Some(&key) {
            return None;
        }
        p.last_build = Some(key);
        let snap = p.current()?;
        let opts = BuildOptions {
            builder,
            ..BuildOptions::default()
        };
        let result = match self.daemon.build(text, snap, &opts) {
            Ok(r) => Ok(r),
            Err(DaemonError::Build(e)) => Err(e),
            Err(other) => Err(BuildError {
                message: other.to_string(),
                span: None,
                diagnostics: Vec::new(),
                steps: Vec::new(),
                exit_code: 1,
            }),
        };
        Some(self.view(text, builder, result, None))
    }

    /// The view of a build, with the files of every layer its steps made.
    pub fn view(
        &mut self,
        text: &str,
        builder: BuilderKind,
        result: Result<crate::engine::report::BuildReport, BuildError>,
        origin: Option<String>,
    ) -> BuildView {
        let mut view = BuildView::new(text, builder, result, origin);
        let engine = &mut self.daemon.engine;
        // Paths present below each layer, to tell added from modified.
        let mut present: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        let diff_ids: Vec<(usize, crate::filesystem::digest::Digest)> = view
            .steps()
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.layer.as_ref().map(|l| (i, l.diff_id)))
            .collect();
        for (i, diff_id) in diff_ids {
            if let Some(changes) = engine.layer(&diff_id) {
                view.layer_files
                    .insert(i, layer_files(&changes, &mut present));
            }
        }
        view
    }
}

/// A layer's changes as the detail view lists them.
fn layer_files(
    changes: &LayerChanges,
    present: &mut std::collections::BTreeSet<String>,
) -> Vec<LayerFile> {
    changes
        .iter()
        .map(|(key, change)| {
            let mut path = format!("/{}", key.as_str());
            let (kind, size) = match change {
                Change::Whiteout => (FileChange::Removed, 0),
                Change::Put(node) | Change::Opaque(node) => {
                    if node.is_dir() {
                        path.push('/');
                    }
                    let kind = if present.contains(&path) {
                        FileChange::Modified
                    } else {
                        FileChange::Added
                    };
                    (kind, node.size())
                }
            };
            if kind == FileChange::Removed {
                present.remove(&path);
            } else {
                present.insert(path.clone());
            }
            LayerFile {
                path,
                change: kind,
                size,
            }
        })
        .collect()
}

/// The context pane's rows: what `current` sends and leaves out, each
/// marked where a simulation made it differ from `disk`, plus the paths a
/// simulation deleted.
fn context_rows(
    disk: &ContextSnapshot,
    current: &ContextSnapshot,
    overrides: &Overrides,
) -> Vec<ContextRow> {
    use std::collections::BTreeSet;
    let named = overrides.paths();
    let changed: BTreeSet<String> = current
        .diff(disk, |_| true)
        .into_iter()
        .map(|c| c.path)
        .collect();
    let mark = |p: &str| (changed.contains(p) || named.contains(p)).then_some(Simulated::Changed);
    let mut rows: Vec<ContextRow> = current
        .entries()
        .iter()
        .filter(|(p, _)| !p.is_empty())
        .map(|(p, m)| ContextRow {
            path: p.clone(),
            dir: m.kind == FileKind::Dir,
            size: m.size,
            mode: m.mode,
            excluded: false,
            simulated: mark(p),
        })
        .collect();
    rows.extend(current.excluded().iter().map(|p| ContextRow {
        path: p.clone(),
        dir: false,
        size: 0,
        mode: 0,
        excluded: true,
        simulated: mark(p),
    }));
    let gone = disk
        .entries()
        .iter()
        .filter(|(p, _)| current.get(p).is_none() && !current.excluded().contains(*p))
        .map(|(p, m)| (p, m.kind == FileKind::Dir, false))
        .chain(
            disk.excluded()
                .iter()
                .filter(|p| !current.excluded().contains(*p) && current.get(p).is_none())
                .map(|p| (p, false, true)),
        );
    rows.extend(gone.map(|(p, dir, excluded)| ContextRow {
        path: p.clone(),
        dir,
        size: 0,
        mode: 0,
        excluded,
        simulated: Some(Simulated::Removed),
    }));
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    rows
}

impl Host for EngineHost {
    fn build(&mut self, req: &BuildRequest) -> Result<Built, String> {
        let context = self.cwd.join(&req.context);
        let file = match &req.file {
            Some(f) => self.cwd.join(f),
            None => context.join("Dockerfile"),
        };
        let shown = req.file.clone().unwrap_or_else(|| "Dockerfile".into());
        let project = self.project.as_ref().filter(|p| {
            same_path(&p.dockerfile, &file) || (!file.exists() && p.dockerfile == file)
        });
        let text = match project {
            Some(p) => p.text.clone(),
            None => std::fs::read_to_string(&file).map_err(|e| {
                format!("failed to read dockerfile: open {shown}: {}", io_words(&e))
            })?,
        };
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
        let result = match self.daemon.build(&text, &snap, &req.opts) {
            Ok(r) => Ok(r),
            Err(DaemonError::Build(e)) => Err(e),
            Err(other) => return Err(other.to_string()),
        };
        Ok(Built {
            file: shown,
            builder: req.opts.builder,
            text,
            result,
        })
    }

    fn engine(&self) -> &EngineState {
        &self.daemon.engine
    }

    fn engine_mut(&mut self) -> &mut EngineState {
        &mut self.daemon.engine
    }

    fn commit(&mut self) -> Result<(), String> {
        self.daemon.save().map_err(|e| e.to_string())
    }

    fn lang(&self) -> Lang {
        self.lang
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
