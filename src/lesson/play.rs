//! Playing a lesson: a working folder (the Dockerfile and the build
//! context, on disk, as the learner's editor sees them) and an engine. A
//! step's start lays out the folder, its actions change it or run docker
//! commands, and its goal is checked against what they left. The only part
//! of `lesson` that writes files: the working folder.

use crate::command::{self, BuildRequest, Built, Host};
use crate::dockerfile::compile;
use crate::engine::builder::{self, BuildOptions, BuilderKind};
use crate::engine::context::{read_dockerignore, ContextSnapshot, Override, Overrides, StatCache};
use crate::engine::memo::Memo;
use crate::engine::report::BuildReport;
use crate::engine::store::EngineState;
use crate::lesson::goal::{Unmet, World};
use crate::lesson::model::{Action, Lesson, Start};
use crate::messages::Lang;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An engine and a working folder, as one learner has them.
pub struct Playground {
    pub engine: EngineState,
    dir: PathBuf,
    /// The report of the last build that ran, and what it was asked.
    last: Option<(BuildReport, BuildRequest)>,
    pub lang: Lang,
}

/// A step that could not be started or whose action failed, in words.
pub type PlayError = String;

impl Playground {
    /// A playground over `dir` (created if missing) with an empty engine.
    pub fn new(dir: PathBuf) -> Playground {
        Playground {
            engine: EngineState::default(),
            dir,
            last: None,
            lang: Lang::En,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn last_report(&self) -> Option<&BuildReport> {
        self.last.as_ref().map(|(r, _)| r)
    }

    /// Lays out a fresh working folder: what was there goes, the start's
    /// Dockerfile and files come. The engine keeps its images and caches.
    pub fn start(&mut self, start: &Start) -> Result<(), PlayError> {
        let words = |e: std::io::Error| format!("{}: {e}", self.dir.display());
        if self.dir.exists() {
            std::fs::remove_dir_all(&self.dir).map_err(words)?;
        }
        std::fs::create_dir_all(&self.dir).map_err(words)?;
        self.write("Dockerfile", &start.dockerfile)?;
        for (path, content) in &start.files {
            self.write(path, content)?;
        }
        Ok(())
    }

    fn write(&self, path: &str, content: &str) -> Result<(), PlayError> {
        if path.split('/').any(|c| c == ".." || c.is_empty()) {
            return Err(format!(
                "{path}: a file of the working folder needs a relative path"
            ));
        }
        let full = self.dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{path}: {e}"))?;
        }
        std::fs::write(&full, content).map_err(|e| format!("{path}: {e}"))
    }

    /// Applies one action; a docker command that fails is an error with
    /// what it printed.
    pub fn apply(&mut self, action: &Action) -> Result<(), PlayError> {
        match action {
            Action::Dockerfile(text) => self.write("Dockerfile", text),
            Action::Write { path, content } => self.write(path, content),
            Action::Run(line) => {
                let out = command::run_line(line, self);
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
            for action in &step.solution {
                self.apply(action).map_err(fail)?;
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

    pub fn check(&self, goal: &crate::lesson::goal::Goal) -> Vec<Unmet> {
        goal.check(self)
    }

    fn snapshot(&self, context: &Path) -> Result<ContextSnapshot, String> {
        let ignore = read_dockerignore(context).map_err(|e| e.to_string())?;
        ContextSnapshot::capture(context, &ignore, &mut StatCache::default())
            .map_err(|e| e.to_string())
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
        let snap = self.snapshot(&context)?;
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
        let snap = self.snapshot(&context)?;
        let mut changed = std::fs::read(context.join(path)).map_err(|e| format!("{path}: {e}"))?;
        changed.extend_from_slice(b"\n// changed\n");
        let mut overrides = Overrides::default();
        overrides.push(path, Override::Write(Arc::from(changed)));
        let opts = BuildOptions {
            builder: req.opts.builder,
            build_args: req.opts.build_args.clone(),
            target: req.opts.target.clone(),
            ..BuildOptions::default()
        };
        builder::preview(
            &self.engine,
            &mut Memo::default(),
            &compile(&text),
            &snap.with_overrides(&overrides),
            &opts,
        )
        .result
        .map_err(|e| e.to_string())
    }
}
