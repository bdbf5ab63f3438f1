//! One engine, persisted: the state directory (locked while open) plus the
//! images, tags and build caches in it, so that consecutive `layerlab build`
//! runs behave like consecutive `docker build` runs against one daemon.

use crate::engine::builder::{self, BuildError, BuildOptions, EngineState};
use crate::engine::context::{read_dockerignore, ContextError, ContextSnapshot, StatCache};
use crate::engine::digest::Digest;
use crate::engine::layer::{read_tar, write_layer};
use crate::engine::report::BuildReport;
use crate::engine::state::{State, StateError};
use std::path::Path;
use std::sync::Arc;

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
        // Layers not yet read in this process come from the blob store,
        // where each is kept as its tar (whose sha256 is its diff_id).
        let blobs = state.blob_dir();
        let stored = engine.layer_blobs.clone();
        engine.layers.set_loader(Box::new(move |diff_id: &Digest| {
            let blob = stored.get(diff_id)?;
            let file = std::fs::File::open(blobs.join(blob.hex())).ok()?;
            let imported = read_tar(std::io::BufReader::new(file)).ok()?;
            Some(Arc::new(imported.changes))
        }));
        Ok(Daemon { state, engine })
    }

    /// Write new layers (as tar blobs) and the engine document, atomically
    /// each.
    pub fn save(&mut self) -> Result<(), DaemonError> {
        for (diff_id, changes) in self.engine.layers.take_fresh() {
            if self.engine.layer_blobs.contains_key(&diff_id) {
                continue;
            }
            // An imported layer's diff_id is the digest of the tarball as
            // given; its files are stored in layerlab's own tar, so the
            // blob's digest may differ: the map remembers which blob.
            let (_, tar) =
                write_layer(&changes, Vec::new()).map_err(|source| DaemonError::Read {
                    path: format!("layer {diff_id}"),
                    source,
                })?;
            let blob = self.state.put_blob(&tar)?;
            self.engine.layer_blobs.insert(diff_id, blob);
        }
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
