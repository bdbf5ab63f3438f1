//! The engine behind the screen and behind `layerlab docker`: one persisted
//! daemon, the project's context snapshot, and the rule that a rebuild only
//! happens when an input changed (so a watcher echo of our own change never
//! replaces an instructive MISS with an all-HIT rebuild).

use crate::app::files::{Change as FileChange, LayerFile};
use crate::app::model::{BuildView, ContextRow};
use crate::command::{BuildRequest, Built, Host};
use crate::engine::builder::{BuildError, BuildOptions, BuilderKind, EngineState};
use crate::engine::context::{ContextSnapshot, FileKind};
use crate::engine::daemon::{Daemon, DaemonError};
use crate::engine::rootfs::{Change, LayerChanges};
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
}

pub struct Project {
    pub context: PathBuf,
    pub dockerfile: PathBuf,
    /// The editor's current text, which command-bar builds of the project's
    /// Dockerfile use (unsaved edits build as the learner sees them).
    pub text: String,
    snapshot: Option<ContextSnapshot>,
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
            print: Vec::new(),
            last_build: None,
        }
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
        let print = fingerprint(&snap);
        let changed = p.snapshot.is_none() || print != p.print;
        p.print = print;
        let rows = context_rows(&snap);
        p.snapshot = Some(snap);
        Ok(changed.then_some(rows))
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
        let Some(snap) = &p.snapshot else {
            return None;
        };
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
        let diff_ids: Vec<(usize, crate::engine::digest::Digest)> = view
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

fn context_rows(snap: &ContextSnapshot) -> Vec<ContextRow> {
    let mut rows: Vec<ContextRow> = snap
        .entries()
        .iter()
        .filter(|(p, _)| !p.is_empty())
        .map(|(p, m)| ContextRow {
            path: p.clone(),
            dir: m.kind == FileKind::Dir,
            size: m.size,
            mode: m.mode,
            excluded: false,
        })
        .collect();
    rows.extend(snap.excluded().iter().map(|p| ContextRow {
        path: p.clone(),
        dir: false,
        size: 0,
        mode: 0,
        excluded: true,
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
        let snap = self.daemon.snapshot(&context).map_err(|e| e.to_string())?;
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
}

/// Go's wording of the common errors (`no such file or directory`).
fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
