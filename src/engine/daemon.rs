//! One engine, persisted: the state directory (locked while open) plus the
//! images, tags and build caches in it, so that consecutive `layerlab build`
//! runs behave like consecutive `docker build` runs against one daemon.

use crate::engine::builder::{self, BuildError, BuildOptions, EngineState};
use crate::engine::context::{read_dockerignore, ContextError, ContextSnapshot, StatCache};
use crate::engine::digest::Digest;
use crate::engine::report::BuildReport;
use crate::engine::state::{State, StateError};
use std::path::Path;

const ENGINE_DOC: &str = "engine";

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Context(#[from] ContextError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
}

/// An open engine. Changes are written back by [`Daemon::save`].
#[derive(Debug)]
pub struct Daemon {
    state: State,
    pub engine: EngineState,
}

impl Daemon {
    pub fn open(dir: &Path) -> Result<Daemon, DaemonError> {
        let state = State::open(dir)?;
        let mut engine: EngineState = state.load_doc(ENGINE_DOC)?.unwrap_or_default();
        engine.buildkit_cache.reindex();
        engine.classic_cache.reindex();
        Ok(Daemon { state, engine })
    }

    pub fn save(&self) -> Result<(), DaemonError> {
        self.state.save_doc(ENGINE_DOC, &self.engine)?;
        Ok(())
    }

    /// The stat cache of one context directory, kept between builds so only
    /// changed files are hashed again.
    fn stat_cache_name(context: &Path) -> String {
        let abs = context
            .canonicalize()
            .unwrap_or_else(|_| context.to_path_buf());
        let d = Digest::of(abs.to_string_lossy().as_bytes());
        format!("statcache-{}", &d.hex()[..16])
    }

    /// Snapshot `context` (applying its `.dockerignore`, re-hashing only
    /// what changed since the last snapshot of the same directory).
    pub fn snapshot(&self, context: &Path) -> Result<ContextSnapshot, DaemonError> {
        let name = Self::stat_cache_name(context);
        let mut cache: StatCache = self.state.load_doc(&name)?.unwrap_or_default();
        let ignore = read_dockerignore(context)?;
        let snap = ContextSnapshot::capture(context, &ignore, &mut cache)?;
        self.state.save_doc(&name, &cache)?;
        Ok(snap)
    }

    /// `docker build`: build `dockerfile` over `context` and save the state,
    /// also when the build failed (a failed build still fills the cache).
    pub fn build(
        &mut self,
        dockerfile: &str,
        context: &ContextSnapshot,
        opts: &BuildOptions,
    ) -> Result<BuildReport, DaemonError> {
        let result = builder::build(&mut self.engine, dockerfile, context, opts);
        self.save()?;
        Ok(result?)
    }
}
