//! One engine, persisted: the state directory (locked while open) plus the
//! images, tags and build caches in it, so that consecutive `layerlab build`
//! runs behave like consecutive `docker build` runs against one daemon.

use crate::dockerfile::{compile, Compiled};
use crate::engine::builder::{self, BuildError, BuildOptions};
use crate::engine::context::{read_dockerignore, ContextError, ContextSnapshot, StatCache};
use crate::engine::layer::{read_tar, write_layer};
use crate::engine::report::BuildReport;
use crate::engine::state::{State, StateError};
use crate::engine::store::EngineState;
use crate::engine::transaction::Writes;
use crate::filesystem::digest::Digest;
use std::collections::HashMap;
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

/// An open engine. Changes are written back by [`Daemon::save`]: after
/// every build for one-shot commands, when the caller chooses for a long
/// session (see [`Daemon::save_later`]).
#[derive(Debug)]
pub struct Daemon {
    state: State,
    pub engine: EngineState,
    /// The stat cache of each context snapshotted, by document name: read
    /// once, kept in memory, written by `save`.
    stat_caches: HashMap<String, StatCache>,
    /// Whether `build` leaves saving to the caller.
    save_later: bool,
    /// Whether something changed since the last save.
    unsaved: bool,
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
        Ok(Daemon {
            state,
            engine,
            stat_caches: HashMap::new(),
            save_later: false,
            unsaved: false,
        })
    }

    /// Builds stop saving the state; the caller calls [`Daemon::save`]
    /// (a session rebuilding on every keystroke would otherwise rewrite
    /// every cache record each time).
    pub fn save_later(&mut self) {
        self.save_later = true;
    }

    /// Whether there are changes [`Daemon::save`] has not written yet.
    pub fn unsaved(&self) -> bool {
        self.unsaved
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
        for (name, cache) in &self.stat_caches {
            self.state.save_doc(name, cache)?;
        }
        self.unsaved = false;
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
    pub fn snapshot(&mut self, context: &Path) -> Result<ContextSnapshot, DaemonError> {
        let cache = match self.stat_caches.entry(Self::stat_cache_name(context)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let loaded = self.state.load_doc(e.key())?.unwrap_or_default();
                e.insert(loaded)
            }
        };
        let ignore = read_dockerignore(context)?;
        let snap = ContextSnapshot::capture(context, &ignore, cache)?;
        self.unsaved = true;
        Ok(snap)
    }

    /// `docker build` of a Dockerfile's text (compiled here).
    pub fn build(
        &mut self,
        dockerfile: &str,
        context: &ContextSnapshot,
        opts: &BuildOptions,
    ) -> Result<BuildReport, DaemonError> {
        self.build_compiled(&compile(dockerfile), context, opts)
    }

    /// `docker build`: build a compiled Dockerfile over `context` and save
    /// the state, also when the build failed (a failed build still fills
    /// the cache).
    pub fn build_compiled(
        &mut self,
        dockerfile: &Compiled,
        context: &ContextSnapshot,
        opts: &BuildOptions,
    ) -> Result<BuildReport, DaemonError> {
        let result = builder::build_compiled(&mut self.engine, dockerfile, context, opts);
        self.unsaved = true;
        if !self.save_later {
            self.save()?;
        }
        Ok(result?)
    }

    /// Commit the writes of a build that ran apart from the engine
    /// ([`builder::build_detached`] over this engine, unchanged since), as
    /// [`Daemon::build_compiled`] would have.
    pub fn commit(&mut self, build: u64, writes: Writes) -> Result<(), DaemonError> {
        writes.commit(&mut self.engine, build);
        self.unsaved = true;
        if !self.save_later {
            self.save()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::container::CreateOptions;
    use crate::engine::report::HistoryRow;
    use crate::engine::store::{image_id, ImageRecord, RunConfig};
    use crate::filesystem::blob::Blob;
    use crate::filesystem::rootfs::{DiffMode, RootFs};

    /// An image with `/bin/sh` and `/bin/echo`, tagged `box`.
    fn add_box(engine: &mut EngineState) {
        let mut fs = RootFs::new();
        fs.mkdir_all("/bin", 0o755, 0, 0).expect("bin");
        for p in ["sh", "echo"] {
            fs.write_file(&format!("/bin/{p}"), Blob::from(""), 0o755, 0, 0)
                .expect("program");
        }
        let layer = engine
            .layers
            .put(Arc::new(fs.diff(DiffMode::CopyUp)))
            .expect("layer");
        let config = RunConfig {
            env: vec![("PATH".into(), "/bin".into())],
            ..RunConfig::default()
        };
        let history = vec![HistoryRow {
            created_by: "ADD box".into(),
            size: layer.size,
            empty_layer: false,
            comment: String::new(),
            built_in: 0,
        }];
        let image = ImageRecord {
            author: None,
            id: image_id(&config, std::slice::from_ref(&layer), &history),
            config,
            layers: vec![layer],
            history,
            comment: None,
        };
        engine.tag_image(image, "box");
    }

    #[test]
    fn containers_and_their_writable_layers_survive_save_and_open() {
        let dir = tempfile::tempdir().expect("temp dir");
        let opts = CreateOptions {
            name: Some("kept".into()),
            command: vec![
                "sh".into(),
                "-c".into(),
                "echo saved > /note; echo ok".into(),
            ],
            ..CreateOptions::default()
        };
        let before = {
            let mut daemon = Daemon::open(dir.path()).expect("open");
            add_box(&mut daemon.engine);
            daemon
                .engine
                .run_container("box", &opts, false)
                .expect("runs");
            daemon.save().expect("save");
            daemon.engine.container("kept").expect("made").clone()
        };
        let mut daemon = Daemon::open(dir.path()).expect("reopen");
        let after = daemon.engine.container("kept").expect("loaded").clone();
        assert_eq!(after, before);
        let diff: Vec<String> = daemon
            .engine
            .container_diff("kept")
            .expect("the writable layer loads from its blob")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(diff, vec!["A /note"]);
        let again = daemon
            .engine
            .start_container("kept", false)
            .expect("starts again over the loaded layer");
        assert_eq!(again.exit_code, Some(0));
        assert_eq!(daemon.engine.container("kept").expect("kept").logs.len(), 2);
    }
}
