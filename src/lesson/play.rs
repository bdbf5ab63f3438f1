//! Playing a lesson: a working folder (the Dockerfile and the build
//! context, on disk, as the learner's editor sees them) and an engine. A
//! step's start lays out the folder, its actions change it or run docker
//! commands, and its goal is checked against what they left. The only part
//! of `lesson` that writes files: the working folder.

use crate::command::{self, BuildRequest, Built, Host};
use crate::dockerfile::{compile, Compiled};
use crate::engine::builder::{self, BuildError, BuildOptions, BuilderKind};
use crate::engine::context::{read_dockerignore, ContextSnapshot, Override, Overrides, StatCache};
use crate::engine::memo::Memo;
use crate::engine::report::BuildReport;
use crate::engine::store::{EngineState, SIMULATED_EPOCH};
use crate::lesson::goal::{Unmet, World};
use crate::lesson::model::{Action, Caption, Lesson, Start};
use crate::messages::Lang;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An engine and a working folder, as one learner has them.
pub struct Playground {
    pub engine: EngineState,
    dir: PathBuf,
    /// The report of the last build that ran, and what it was asked.
    last: Option<(BuildReport, BuildRequest)>,
    pub lang: Lang,
    /// What the last action's docker command printed (a demo shows it).
    printed: Vec<String>,
}

/// A step that could not be started or whose action failed, in words.
pub type PlayError = String;

/// A playground's state, kept to come back to.
#[derive(Debug, Clone)]
pub struct Saved {
    pub engine: EngineState,
    /// The working folder's files, path → content.
    pub files: BTreeMap<String, Vec<u8>>,
    last: Option<(BuildReport, BuildRequest)>,
    printed: Vec<String>,
}

/// Writes a file of the working folder with the simulated clock's
/// modification time: COPY keeps a file's mtime in its layer, so a lesson
/// played twice (a demo stepped back and forward) builds the same digests.
fn write_fixed(dir: &Path, path: &str, bytes: &[u8]) -> Result<(), PlayError> {
    let full = dir.join(path);
    let words = |e: std::io::Error| format!("{path}: {e}");
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).map_err(words)?;
    }
    std::fs::write(&full, bytes).map_err(words)?;
    let epoch =
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(SIMULATED_EPOCH.unsigned_abs());
    std::fs::File::options()
        .write(true)
        .open(&full)
        .and_then(|f| f.set_modified(epoch))
        .map_err(words)
}

/// Files under `dir` (a lesson's working folder: a few small files),
/// keyed by their path below it.
fn read_tree(
    dir: &Path,
    prefix: &str,
    out: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), PlayError> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let path = entry.path();
        if path.is_dir() {
            read_tree(&path, &format!("{name}/"), out)?;
        } else {
            out.insert(
                name.clone(),
                std::fs::read(&path).map_err(|e| format!("{name}: {e}"))?,
            );
        }
    }
    Ok(())
}

/// Lays out a fresh working folder at `dir`: what was there goes, the
/// start's Dockerfile and files come.
pub fn lay_out(dir: &Path, start: &Start) -> Result<(), PlayError> {
    let words = |e: std::io::Error| format!("{}: {e}", dir.display());
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(words)?;
    }
    std::fs::create_dir_all(dir).map_err(words)?;
    write_file(dir, "Dockerfile", &start.dockerfile)?;
    for (path, content) in &start.files {
        write_file(dir, path, content)?;
    }
    Ok(())
}

/// Writes a file of the working folder at `dir` (an action's `write`);
/// the path must stay inside it.
pub fn write_file(dir: &Path, path: &str, content: &str) -> Result<(), PlayError> {
    if path.split('/').any(|c| c == ".." || c.is_empty()) {
        return Err(format!(
            "{path}: a file of the working folder needs a relative path"
        ));
    }
    write_fixed(dir, path, content.as_bytes())
}

/// The build context at `context` as a build sees it.
pub fn snapshot(context: &Path) -> Result<ContextSnapshot, String> {
    let ignore = read_dockerignore(context).map_err(|e| e.to_string())?;
    ContextSnapshot::capture(context, &ignore, &mut StatCache::default()).map_err(|e| e.to_string())
}

/// What rebuilding `compiled` over `context` would do after a change to
/// its file `path` (a line added), under `opts`, written nowhere: what a
/// goal's `after_change` counts, on the lesson engine and on the screen's.
pub fn preview_change(
    engine: &EngineState,
    compiled: &crate::dockerfile::Compiled,
    context: &Path,
    path: &str,
    opts: &BuildOptions,
) -> Result<BuildReport, String> {
    let snap = snapshot(context)?;
    let mut changed = std::fs::read(context.join(path)).map_err(|e| format!("{path}: {e}"))?;
    changed.extend_from_slice(b"\n// changed\n");
    let mut overrides = Overrides::default();
    overrides.push(path, Override::Write(Arc::from(changed)));
    let opts = BuildOptions {
        builder: opts.builder,
        build_args: opts.build_args.clone(),
        target: opts.target.clone(),
        ..BuildOptions::default()
    };
    builder::preview(
        engine,
        &mut Memo::default(),
        compiled,
        &snap.with_overrides(&overrides),
        &opts,
    )
    .result
    .map_err(|e| e.to_string())
}

impl Playground {
    /// A playground over `dir` (created if missing) with an empty engine.
    pub fn new(dir: PathBuf) -> Playground {
        Playground {
            engine: EngineState::default(),
            dir,
            last: None,
            lang: Lang::En,
            printed: Vec::new(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn last_report(&self) -> Option<&BuildReport> {
        self.last.as_ref().map(|(r, _)| r)
    }

    /// The builder the last build ran under (BuildKit, docker's default,
    /// before any).
    pub fn last_builder(&self) -> BuilderKind {
        self.last
            .as_ref()
            .map_or(BuilderKind::Buildkit, |(_, req)| req.opts.builder)
    }

    /// What the last action's docker command printed, stdout then stderr.
    pub fn printed(&self) -> &[String] {
        &self.printed
    }

    /// What building the working folder's Dockerfile again, as the last
    /// build was asked, would do now; nothing is written. Its text compiled,
    /// and the report or why it fails.
    pub fn preview(&self) -> Result<(Arc<Compiled>, Result<BuildReport, BuildError>), String> {
        let fresh = BuildRequest {
            context: ".".into(),
            file: None,
            opts: BuildOptions::default(),
        };
        let req = self.last.as_ref().map_or(&fresh, |(_, r)| r);
        let (file, _) = self.dockerfile_of(req);
        let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        let compiled = Arc::new(compile(&text));
        let snap = snapshot(&self.dir.join(&req.context))?;
        let result = self.preview_of(&compiled, &snap, req);
        Ok((compiled, result))
    }

    fn preview_of(
        &self,
        compiled: &Compiled,
        snap: &ContextSnapshot,
        req: &BuildRequest,
    ) -> Result<BuildReport, BuildError> {
        let opts = BuildOptions {
            builder: req.opts.builder,
            build_args: req.opts.build_args.clone(),
            target: req.opts.target.clone(),
            ..BuildOptions::default()
        };
        builder::preview(&self.engine, &mut Memo::default(), compiled, snap, &opts).result
    }

    /// Lays out a fresh working folder: what was there goes, the start's
    /// Dockerfile and files come. The engine keeps its images and caches.
    pub fn start(&mut self, start: &Start) -> Result<(), PlayError> {
        lay_out(&self.dir, start)
    }

    fn write(&self, path: &str, content: &str) -> Result<(), PlayError> {
        write_file(&self.dir, path, content)
    }

    /// Applies one action; a docker command that fails is an error with
    /// what it printed.
    pub fn apply(&mut self, action: &Action) -> Result<(), PlayError> {
        self.printed.clear();
        match action {
            Action::Dockerfile(text) => self.write("Dockerfile", text),
            Action::Write { path, content } => self.write(path, content),
            Action::Run(line) => {
                let out = command::run_line(line, self);
                self.printed = out.stdout.iter().chain(&out.stderr).cloned().collect();
                if out.status == 0 {
                    Ok(())
                } else {
                    Err(format!("`{line}` failed: {}", out.stderr.join(" ")))
                }
            }
        }
    }

    /// Plays every step of `lesson` with its solution and checks its goal,
    /// which must not hold before the solution;
    /// the first step that fails is the error: its number (from 1), its
    /// line, and why.
    pub fn prove(&mut self, lesson: &Lesson) -> Result<(), (usize, usize, String)> {
        for (i, step) in lesson.steps.iter().enumerate() {
            let fail = |why: String| (i + 1, step.line, why);
            if let Some(start) = &step.start {
                self.start(start).map_err(fail)?;
            }
            // A step already done when it starts asks nothing of the learner.
            if self.check(&step.goal).is_empty() {
                return Err(fail("its goal holds before its solution is applied".into()));
            }
            for (j, action) in step.solution.iter().enumerate() {
                let before = self.builds();
                self.apply(action).map_err(fail)?;
                if let Some(caption) = step.captions.get(j) {
                    self.check_claim(caption, before)
                        .map_err(|why| fail(format!("caption {}: {why}", j + 1)))?;
                }
            }
            let unmet = self.check(&step.goal);
            if !unmet.is_empty() {
                let words: Vec<String> = unmet.iter().map(|u| u.message(Lang::En)).collect();
                return Err(fail(format!(
                    "its solution does not reach its goal: {}",
                    words.join("; ")
                )));
            }
        }
        Ok(())
    }

    /// Builds run so far (the number of the newest).
    pub fn builds(&self) -> u64 {
        self.engine.builds
    }

    /// Whether what `caption` claims holds of the build its action ran
    /// (`before` is [`Playground::builds`] from before the action).
    pub fn check_claim(&self, caption: &Caption, before: u64) -> Result<(), String> {
        if !caption.claims() {
            return Ok(());
        }
        let report = match self.last_report() {
            Some(r) if self.builds() > before => r,
            _ => return Err("it claims a build, but its action built nothing".into()),
        };
        let totals = &report.totals;
        let wrong = |what: &str, said: usize, got: usize| {
            Err(format!("it says {said} {what}, the build had {got}"))
        };
        match (caption.rebuilt, caption.of) {
            (Some(said), _) if said != totals.rebuilt => wrong("rebuilt", said, totals.rebuilt),
            (_, Some(said)) if said != totals.cacheable => wrong("steps", said, totals.cacheable),
            _ => Ok(()),
        }
    }

    /// What the learner has now: the engine and every file of the working
    /// folder, to come back to exactly (a demo's step back).
    pub fn save(&self) -> Result<Saved, PlayError> {
        let mut files = BTreeMap::new();
        read_tree(&self.dir, "", &mut files)?;
        Ok(Saved {
            engine: self.engine.clone(),
            files,
            last: self.last.clone(),
            printed: self.printed.clone(),
        })
    }

    /// Puts back what [`Playground::save`] kept: the folder holds exactly
    /// its files again, the engine is that engine.
    pub fn restore(&mut self, saved: &Saved) -> Result<(), PlayError> {
        let words = |e: std::io::Error| format!("{}: {e}", self.dir.display());
        if self.dir.exists() {
            std::fs::remove_dir_all(&self.dir).map_err(words)?;
        }
        std::fs::create_dir_all(&self.dir).map_err(words)?;
        for (path, bytes) in &saved.files {
            write_fixed(&self.dir, path, bytes)?;
        }
        self.engine = saved.engine.clone();
        self.last = saved.last.clone();
        self.printed = saved.printed.clone();
        Ok(())
    }

    pub fn check(&self, goal: &crate::lesson::goal::Goal) -> Vec<Unmet> {
        goal.check(self)
    }

    fn dockerfile_of(&self, req: &BuildRequest) -> (PathBuf, String) {
        match &req.file {
            Some(f) => (self.dir.join(f), f.clone()),
            None => (
                self.dir.join(&req.context).join("Dockerfile"),
                "Dockerfile".into(),
            ),
        }
    }
}

impl Host for Playground {
    fn build(&mut self, req: &BuildRequest) -> Result<Built, String> {
        let (path, shown) = self.dockerfile_of(req);
        let text = std::fs::read_to_string(&path).map_err(|_| {
            format!("failed to read dockerfile: open {shown}: no such file or directory")
        })?;
        let context = self.dir.join(&req.context);
        let snap = snapshot(&context)?;
        let compiled = Arc::new(compile(&text));
        let result = builder::build_compiled(&mut self.engine, &compiled, &snap, &req.opts);
        if let Ok(report) = &result {
            self.last = Some((report.clone(), req.clone()));
        }
        Ok(Built {
            file: shown,
            builder: req.opts.builder,
            compiled,
            result,
        })
    }

    fn engine(&self) -> &EngineState {
        &self.engine
    }

    fn engine_mut(&mut self) -> &mut EngineState {
        &mut self.engine
    }

    fn default_builder(&self) -> BuilderKind {
        BuilderKind::Buildkit
    }

    /// The engine lives in memory only.
    fn commit(&mut self) -> Result<(), String> {
        Ok(())
    }

    fn lang(&self) -> Lang {
        self.lang
    }

    /// Lessons never depend on the machine's environment.
    fn host_env(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    fn read_file(&self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.dir.join(path))
            .map_err(|_| format!("open {path}: no such file or directory"))
    }

    fn write_file(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        std::fs::write(self.dir.join(path), bytes).map_err(|e| format!("open {path}: {e}"))
    }
}

impl World for Playground {
    fn engine(&self) -> &EngineState {
        &self.engine
    }

    fn last_build(&self) -> Option<&BuildReport> {
        self.last_report()
    }

    fn preview_after_change(&self, path: &str) -> Result<BuildReport, String> {
        let Some((_, req)) = &self.last else {
            return Err("nothing built yet".into());
        };
        let (file, _) = self.dockerfile_of(req);
        let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        let context = self.dir.join(&req.context);
        preview_change(&self.engine, &compile(&text), &context, path, &req.opts)
    }
}
