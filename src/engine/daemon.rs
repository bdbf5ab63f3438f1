//! One engine, persisted: the state directory plus the images, tags, build
//! caches and containers in its database, so that consecutive (and
//! concurrent) `layerlab` runs behave like clients of one docker daemon.
//!
//! The store is kept in memory as [`EngineState`]; the database has a row
//! per record. Every change — a build, a tag, a run, a prune — is one write
//! transaction: it waits for the others' (the busy timeout), reads the rows
//! they committed since this process last looked (a generation counter),
//! makes its change over them and writes the rows that differ. Reading
//! never waits for anyone.

use crate::dockerfile::{compile, Compiled};
use crate::engine::builder::{self, BuildError, BuildOptions};
use crate::engine::context::{read_dockerignore, ContextError, ContextSnapshot, StatCache};
use crate::engine::gc::{DEFAULT_KEEP_STORAGE, KEEP_STORAGE_ENV};
use crate::engine::layer::{read_tar_referring, read_trusted_tar, write_layer};
use crate::engine::layers::{CorruptLayer, LayerSource};
use crate::engine::report::BuildReport;
use crate::engine::state::{BlobFiles, BlobStamp, Notice, State, StateError};
use crate::engine::store::rows::{self, Changes, Rows, ENGINE_TABLES};
use crate::engine::store::{ChunkRows, EngineState};
use crate::engine::transaction::Writes;
use crate::filesystem::blob::{Blob, BlobSource, HashWriter};
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::LayerChanges;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

const STAT_CACHES: &str = "stat_caches";

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
    #[error(
        "{KEEP_STORAGE_ENV}={value} is not a size (like 512MB or 10GB; 0 turns collection off)"
    )]
    KeepStorage { value: String },
}

/// The build cache's automatic collection: [`DEFAULT_KEEP_STORAGE`], or
/// what [`KEEP_STORAGE_ENV`] says (0: never).
fn keep_storage_policy() -> Result<Option<u64>, DaemonError> {
    let Some(value) = std::env::var_os(KEEP_STORAGE_ENV) else {
        return Ok(Some(DEFAULT_KEEP_STORAGE));
    };
    let value = value.to_string_lossy().into_owned();
    match crate::units::ram_in_bytes(value.trim()) {
        Some(0) => Ok(None),
        Some(bytes) => Ok(Some(bytes)),
        None => Err(DaemonError::KeepStorage { value }),
    }
}

/// diff_id → the blob holding the layer's tar, as the layer loader sees it.
type BlobMap = Arc<RwLock<BTreeMap<Digest, Digest>>>;

/// An open engine.
#[derive(Debug)]
pub struct Daemon {
    state: State,
    /// The store. Change it through [`Daemon::engine_mut`] (or a build),
    /// which first brings it up to date with what other processes wrote.
    pub engine: EngineState,
    /// The rows as the database has them, as far as this process knows:
    /// a save writes those the store differs in.
    stored: Rows,
    /// The generation `stored` is at.
    generation: i64,
    blobs: BlobMap,
    /// The stat cache of each context snapshotted, by row key: read once,
    /// kept in memory, written with the next save when it changed.
    stat_caches: HashMap<String, StatCache>,
    stat_changed: BTreeSet<String>,
    /// The store is away on a worker (see [`Daemon::lend`]).
    lent: bool,
    /// Why the transaction [`Daemon::engine_mut`] began could not be had;
    /// the next save reports it.
    failed: Option<DaemonError>,
}

impl Daemon {
    pub fn open(dir: &Path) -> Result<Daemon, DaemonError> {
        let state = State::open(dir, &rows::from_v1)?;
        let blobs: BlobMap = Arc::default();
        let mut engine = EngineState {
            gc_keep_storage: keep_storage_policy()?,
            ..EngineState::default()
        };
        engine.layers.set_source(Box::new(BlobLayers {
            files: state.blob_files(),
            blobs: Arc::clone(&blobs),
        }));
        engine.stamp_source = Some(Arc::new(ChunkRows(state.row_reader(rows::STAMP_CHUNKS))));
        let mut daemon = Daemon {
            state,
            // What an empty database means: counters at zero, no record.
            stored: rows::rows(&engine).0,
            engine,
            generation: 0,
            blobs,
            stat_caches: HashMap::new(),
            stat_changed: BTreeSet::new(),
            lent: false,
            failed: None,
        };
        daemon.reload(&BTreeSet::new())?;
        Ok(daemon)
    }

    /// What opening the state did that the user should hear of.
    pub fn notices(&self) -> &[Notice] {
        self.state.notices()
    }

    fn db_path(&self) -> PathBuf {
        self.state.dir().join(crate::engine::state::DB_FILE)
    }

    /// The keys of the records this process changed and has not written.
    fn unwritten(&self) -> (Changes, BTreeSet<(&'static str, String)>) {
        let changed = rows::changed_since(&self.engine, &self.stored);
        let keys = changed
            .rows
            .iter()
            .map(|r| (r.table, r.key.clone()))
            .collect();
        (changed, keys)
    }

    /// Take in the rows written since this process last looked, except
    /// those in `keep` (changed here since: the newer change wins). Whether
    /// there were any.
    fn reload(&mut self, keep: &BTreeSet<(&'static str, String)>) -> Result<bool, DaemonError> {
        let (changes, now) = self.state.changes_since(ENGINE_TABLES, self.generation)?;
        let db = self.db_path();
        let any = !changes.is_empty();
        for row in changes {
            let key = (row.table, row.key.clone());
            if keep.contains(&key) {
                continue;
            }
            rows::apply(&mut self.engine, &row).map_err(|problem| StateError::Corrupt {
                path: db.clone(),
                problem,
            })?;
            rows::settled(&mut self.engine, &row);
            match row.value {
                Some(v) => self.stored.insert(key, v),
                None => self.stored.remove(&key),
            };
        }
        if any {
            rows::reindex(&mut self.engine);
            self.share_blobs();
        }
        self.generation = now;
        Ok(any)
    }

    fn share_blobs(&self) {
        let mut blobs = self.blobs.write().unwrap_or_else(PoisonError::into_inner);
        blobs.clone_from(&self.engine.layer_blobs);
    }

    /// Take in what other processes wrote since, when anything (a cheap
    /// check otherwise). Whether the store changed. Nothing happens while
    /// the store is lent or a transaction is open.
    pub fn refresh(&mut self) -> Result<bool, DaemonError> {
        if self.lent || self.state.writing() || self.state.generation()? == self.generation {
            return Ok(false);
        }
        let (_, keep) = self.unwritten();
        self.reload(&keep)
    }

    /// Begin this process's change: wait for other writers, then take in
    /// what they wrote. [`Daemon::save`] commits it.
    pub fn begin(&mut self) -> Result<(), DaemonError> {
        if self.lent || self.state.writing() {
            return Ok(());
        }
        let (_, keep) = self.unwritten();
        self.state.begin()?;
        if let Err(e) = self.reload(&keep) {
            self.state.rollback();
            return Err(e);
        }
        Ok(())
    }

    /// The store, to change: up to date with other processes' writes and
    /// theirs alone until [`Daemon::save`] (a failure to begin is reported
    /// there).
    pub fn engine_mut(&mut self) -> &mut EngineState {
        if let Err(e) = self.begin() {
            self.failed = Some(e);
        }
        &mut self.engine
    }

    /// Whether there is something [`Daemon::save`] has not written yet (a
    /// stat cache, an open change).
    pub fn unsaved(&self) -> bool {
        self.state.writing() || !self.stat_changed.is_empty() || self.failed.is_some()
    }

    /// Commit a change begun and not saved (a command that stopped early).
    pub fn end_write(&mut self) -> Result<(), DaemonError> {
        if self.state.writing() {
            self.save()?;
        }
        Ok(())
    }

    /// Lend the store to a worker; nothing is read or written meanwhile.
    pub fn lend(&mut self) -> EngineState {
        self.lent = true;
        std::mem::take(&mut self.engine)
    }

    /// The lent store, back.
    pub fn give_back(&mut self, engine: EngineState) {
        self.engine = engine;
        self.lent = false;
    }

    /// Write new layers (as tar blobs), then the records that changed and
    /// the stat caches, in one transaction (the one begun, or its own).
    pub fn save(&mut self) -> Result<(), DaemonError> {
        if self.lent {
            return Ok(());
        }
        if let Some(e) = self.failed.take() {
            self.state.rollback();
            return Err(e);
        }
        // Blobs first: a row naming a blob is committed after the blob is
        // in place.
        self.persist_fresh_layers()?;
        let began = self.state.writing();
        let (changed, keep) = self.unwritten();
        if !began && changed.rows.is_empty() && self.stat_changed.is_empty() {
            // Nothing to write: no need to wait for the writers.
            self.caches_settled();
            return Ok(());
        }
        self.state.begin()?;
        if !began {
            // Changed without a transaction: the others' writes to other
            // records are taken in, this process's win where both wrote.
            if let Err(e) = self.reload(&keep) {
                self.state.rollback();
                return Err(e);
            }
        }
        let sweep = changed
            .rows
            .iter()
            .any(|row| rows::may_orphan_chunks(row, &self.stored));
        let written = if changed.rows.is_empty() {
            Ok(self.generation)
        } else {
            // The chunks first: a row naming one is never without it.
            self.state
                .write(&changed.chunks)
                .and_then(|_| self.state.write(&changed.rows))
        };
        let written = written.and_then(|g| {
            if sweep {
                rows::sweep_chunks(&mut self.state)?;
            }
            for name in &self.stat_changed {
                if let Some(cache) = self.stat_caches.get(name) {
                    self.state.put_bytes(STAT_CACHES, name, &cache.to_bytes())?;
                }
            }
            Ok(g)
        });
        let generation = match written.and_then(|g| self.state.commit().map(|()| g)) {
            Ok(g) => g,
            Err(e) => {
                self.state.rollback();
                return Err(e.into());
            }
        };
        self.generation = generation;
        for row in changed.rows {
            match row.value {
                Some(v) => self.stored.insert((row.table, row.key), v),
                None => self.stored.remove(&(row.table, row.key)),
            };
        }
        self.stat_changed.clear();
        self.caches_settled();
        self.share_blobs();
        Ok(())
    }

    /// Every build cache record is as the database has it (written, or
    /// found equal to what it held): the next save serializes none of them.
    fn caches_settled(&mut self) {
        self.engine.buildkit_cache.all_settled();
        self.engine.classic_cache.all_settled();
    }

    fn persist_fresh_layers(&mut self) -> Result<(), DaemonError> {
        for (diff_id, changes) in self.engine.layers.take_fresh() {
            let corrupt = self.engine.layers.corrupt(&diff_id).is_some();
            if self.engine.layer_blobs.contains_key(&diff_id) && !corrupt {
                continue;
            }
            // An imported layer's diff_id is the digest of the tarball as
            // given; its files are stored in layerlab's own tar, so the
            // blob's digest may differ: the map remembers which blob. The
            // tar streams to the blob file, hashed as it is made; made
            // again (`--no-cache`) over a corrupt one, its sound bytes
            // replace the corrupt ones.
            let blob = self
                .state
                .put_blob_written(corrupt, |out| {
                    write_layer(&changes, out).map(|(layer, _)| layer.diff_id)
                })
                .map_err(|e| match e {
                    StateError::Io { source, .. } => DaemonError::Read {
                        path: format!("layer {diff_id}"),
                        source,
                    },
                    e => e.into(),
                })?;
            if corrupt {
                self.engine.layers.repaired(&diff_id);
            }
            self.engine.layer_blobs.insert(diff_id, blob);
        }
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
        self.with_stat_cache(context, |cache| {
            let ignore = read_dockerignore(context)?;
            let snap = ContextSnapshot::capture(context, &ignore, cache)?;
            let hashed = snap.stats().files_hashed;
            Ok((snap, hashed))
        })
    }

    /// Bring `snap` up to date after `changed` paths of its context changed
    /// (see [`ContextSnapshot::refresh`]): only those are read. If the
    /// refresh fails half-way, the context is snapshotted anew.
    pub fn refresh_snapshot(
        &mut self,
        snap: &mut ContextSnapshot,
        changed: &BTreeSet<String>,
    ) -> Result<(), DaemonError> {
        let root = snap.root().to_owned();
        if self
            .with_stat_cache(&root, |cache| {
                snap.refresh(changed, cache)?;
                Ok(((), snap.stats().files_hashed))
            })
            .is_err()
        {
            *snap = self.snapshot(&root)?;
        }
        Ok(())
    }

    /// A copy of the stat cache of `context`, for a walk on another thread.
    pub fn stat_cache(&mut self, context: &Path) -> Result<StatCache, DaemonError> {
        self.with_stat_cache(context, |cache| Ok((cache.clone(), 0)))
    }

    /// Takes the stat cache a walk on another thread ended with.
    pub fn adopt_stat_cache(&mut self, context: &Path, cache: StatCache) {
        let name = Self::stat_cache_name(context);
        self.stat_caches.insert(name.clone(), cache);
        self.stat_changed.insert(name);
    }

    /// Runs `read` with the stat cache of `context` (read from the state
    /// the first time), and notes whether the cache changed: `read` says
    /// how many files it hashed.
    fn with_stat_cache<T>(
        &mut self,
        context: &Path,
        read: impl FnOnce(&mut StatCache) -> Result<(T, usize), ContextError>,
    ) -> Result<T, DaemonError> {
        let name = Self::stat_cache_name(context);
        let cache = match self.stat_caches.entry(name.clone()) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                // A cache: one that cannot be read costs a re-hash.
                let loaded = self
                    .state
                    .get_bytes(STAT_CACHES, e.key())?
                    .and_then(|bytes| StatCache::from_bytes(&bytes))
                    .unwrap_or_default();
                e.insert(loaded)
            }
        };
        let before = cache.len();
        let (out, hashed) = read(cache)?;
        // Entries change only when a file is hashed or is gone.
        if hashed > 0 || cache.len() != before {
            self.stat_changed.insert(name);
        }
        Ok(out)
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

    /// `docker build`: build a compiled Dockerfile over `context` in one
    /// transaction, saved also when the build failed (a failed build still
    /// fills the cache).
    pub fn build_compiled(
        &mut self,
        dockerfile: &Compiled,
        context: &ContextSnapshot,
        opts: &BuildOptions,
    ) -> Result<BuildReport, DaemonError> {
        self.begin()?;
        let result = builder::build_compiled(&mut self.engine, dockerfile, context, opts);
        self.save()?;
        Ok(result?)
    }

    /// Commit the writes of a build that ran apart from the engine
    /// ([`builder::build_detached`] over this engine), as
    /// [`Daemon::build_compiled`] would have: over what other processes
    /// wrote meanwhile (the writes only add records).
    pub fn commit(&mut self, build: u64, writes: Writes) -> Result<(), DaemonError> {
        self.begin()?;
        writes.commit(&mut self.engine, build);
        self.save()
    }
}

/// The layers in the state's blobs, as the layer store asks for them: a
/// blob is trusted when it hashes to its name — checked by streaming it
/// through sha256 — or is unchanged since it last did (see [`BlobFiles`]);
/// one that does not is corrupt and is not used.
struct BlobLayers {
    files: BlobFiles,
    blobs: BlobMap,
}

/// How much of a blob is read at once when it is hashed.
const HASH_BUFFER: usize = 256 * 1024;

impl BlobLayers {
    /// The layer's blob, opened, and its stamp: None when the state has no
    /// such layer.
    fn open(&self, diff_id: &Digest) -> Option<(Digest, std::fs::File, BlobStamp)> {
        let blob = self
            .blobs
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(diff_id)
            .copied()?;
        let file = std::fs::File::open(self.files.path(&blob)).ok()?;
        let stamp = BlobStamp::of(&file.metadata().ok()?);
        Some((blob, file, stamp))
    }
}

fn corrupt(diff_id: &Digest, blob: Digest, problem: String) -> CorruptLayer {
    CorruptLayer {
        diff_id: *diff_id,
        blob,
        problem,
    }
}

impl LayerSource for BlobLayers {
    /// Reads the layer's tar, streamed through sha256 unless the blob is
    /// unchanged since it was checked; a file of
    /// [`crate::engine::layer::REFER_FROM`] bytes or more stays in the blob
    /// and is read from there when needed.
    fn load(&self, diff_id: &Digest) -> Result<Option<Arc<LayerChanges>>, CorruptLayer> {
        let Some((blob, file, stamp)) = self.open(diff_id) else {
            return Ok(None);
        };
        let path = self.files.path(&blob);
        let refer = |offset: u64, size: u64| {
            Blob::external(Arc::new(StoredBytes {
                path: path.clone(),
                offset,
                size,
                stamp,
            }))
        };
        let input = io::BufReader::with_capacity(HASH_BUFFER, file);
        if self.files.checked(&blob) == Some(stamp) {
            return match read_trusted_tar(input, &refer) {
                Ok(changes) => Ok(Some(Arc::new(changes))),
                Err(e) => Err(corrupt(
                    diff_id,
                    blob,
                    format!("is not a layer's tar ({e})"),
                )),
            };
        }
        match read_tar_referring(input, &refer) {
            Ok(read) if read.layer.diff_id == blob => {
                self.files.mark_checked_as(&blob, stamp);
                Ok(Some(Arc::new(read.changes)))
            }
            Ok(read) => Err(corrupt(
                diff_id,
                blob,
                format!("holds other bytes (their digest is {})", read.layer.diff_id),
            )),
            Err(e) => Err(corrupt(
                diff_id,
                blob,
                format!("is not a layer's tar ({e})"),
            )),
        }
    }

    fn check(&self, diff_id: &Digest) -> Result<bool, CorruptLayer> {
        let Some((blob, mut file, stamp)) = self.open(diff_id) else {
            return Ok(false);
        };
        if self.files.checked(&blob) == Some(stamp) {
            return Ok(true);
        }
        let mut hasher = HashWriter::default();
        let mut buffer = vec![0; HASH_BUFFER];
        loop {
            match file.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => io::Write::write_all(&mut hasher, &buffer[..n])
                    .map_err(|e| corrupt(diff_id, blob, format!("cannot be read ({e})")))?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(corrupt(diff_id, blob, format!("cannot be read ({e})"))),
            }
        }
        let (found, _, _) = hasher.finish();
        if found != blob {
            return Err(corrupt(
                diff_id,
                blob,
                format!("holds other bytes (their digest is {found})"),
            ));
        }
        self.files.mark_checked_as(&blob, stamp);
        Ok(true)
    }
}

/// A file's bytes inside a stored layer blob, read from there when needed:
/// the blob was found sound when the layer was read, and is read only while
/// it is still the file it was then.
#[derive(Debug)]
struct StoredBytes {
    path: PathBuf,
    offset: u64,
    size: u64,
    stamp: BlobStamp,
}

impl BlobSource for StoredBytes {
    fn size(&self) -> u64 {
        self.size
    }

    fn open(&self) -> io::Result<Box<dyn Read + '_>> {
        let mut file = std::fs::File::open(&self.path)?;
        if BlobStamp::of(&file.metadata()?) != self.stamp {
            return Err(io::Error::other(format!(
                "{} changed since its layer was read",
                self.path.display()
            )));
        }
        file.seek(io::SeekFrom::Start(self.offset))?;
        Ok(Box::new(
            io::BufReader::with_capacity(HASH_BUFFER, file).take(self.size),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::container::CreateOptions;
    use crate::engine::report::HistoryRow;
    use crate::engine::store::{image_id, ImageRecord, RunConfig};
    use crate::filesystem::blob::Blob;
    use crate::filesystem::rootfs::{DiffMode, Node, NodeKind, PathKey, RootFs};

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
            classic_step: None,
            author: None,
            id: image_id(&config, std::slice::from_ref(&layer), &history),
            config,
            layers: vec![layer],
            history,
            comment: None,
        };
        engine.tag_image(image, "box");
    }

    /// A layer holding `big` zero bytes in `/disk.img` and a small file.
    fn zeros_layer(big: usize) -> LayerChanges {
        use crate::filesystem::rootfs::{Change, Node, PathKey};
        let mut changes = LayerChanges::new();
        let file = |blob: Blob| Change::Put(Node::file(blob, 0o644, 0, 0));
        changes.insert(
            PathKey::from_clean("disk.img"),
            file(Blob::from(vec![0u8; big])),
        );
        changes.insert(PathKey::from_clean("note"), file(Blob::from("hi\n")));
        changes
    }

    /// The one blob file a state holds.
    fn only_blob(dir: &Path) -> PathBuf {
        let found: Vec<PathBuf> = std::fs::read_dir(dir.join("blobs/sha256"))
            .expect("blob dir")
            .map(|e| e.expect("entry").path())
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        found[0].clone()
    }

    fn digest_of_file(path: &Path) -> Digest {
        let mut hasher = HashWriter::default();
        io::copy(&mut std::fs::File::open(path).expect("open"), &mut hasher).expect("hash");
        hasher.finish().0
    }

    #[cfg(unix)]
    #[test]
    fn a_persisted_layer_keeps_its_zeros_as_holes_and_its_digest() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let big = 16 << 20;
        let changes = zeros_layer(big);
        let (layer, tar) = write_layer(&changes, Vec::new()).expect("tar in memory");
        let mut daemon = Daemon::open(dir.path()).expect("open");
        let info = daemon.engine.layers.put(Arc::new(changes)).expect("put");
        assert_eq!(info.diff_id, layer.diff_id);
        daemon.save().expect("save");

        let path = only_blob(dir.path());
        let meta = std::fs::metadata(&path).expect("metadata");
        assert_eq!(meta.len(), layer.tar_len);
        assert!(
            meta.blocks() * 512 < 1 << 20,
            "{} bytes on disk for a blob of {}",
            meta.blocks() * 512,
            meta.len()
        );
        // The same bytes as the tar made in memory, named by their digest.
        assert_eq!(std::fs::read(&path).expect("read back"), tar);
        assert_eq!(path.file_name(), Some(layer.diff_id.hex().as_ref()));
        assert_eq!(digest_of_file(&path), layer.diff_id);
    }

    #[test]
    fn a_stored_layer_leaves_its_big_files_in_the_blob_until_they_are_read() {
        use crate::filesystem::blob::BlobContent;
        use crate::filesystem::rootfs::Change;
        let dir = tempfile::tempdir().expect("temp dir");
        let big = 3 << 20;
        let diff_id = {
            let mut daemon = Daemon::open(dir.path()).expect("open");
            let info = daemon.engine.layers.put(Arc::new(zeros_layer(big)));
            daemon.save().expect("save");
            info.expect("put").diff_id
        };
        let stamps = dir.path().join("blobs/checked");
        // Read twice: trusted (the blob unchanged since it was written),
        // and hashed again (its stamp gone).
        let mut read = Vec::new();
        for trusted in [true, false] {
            if !trusted {
                std::fs::remove_dir_all(&stamps).expect("forget the checks");
            }
            let mut daemon = Daemon::open(dir.path()).expect("reopen");
            let layer = daemon.engine.layer(&diff_id).expect("loads");
            let file = |name: &str| match layer.get(&PathKey::from_clean(name)) {
                Some(Change::Put(node)) => node.clone(),
                other => panic!("{name}: {other:?}"),
            };
            let disk = file("disk.img");
            let NodeKind::File(blob) = &disk.kind else {
                panic!("a file: {disk:?}")
            };
            assert!(
                matches!(blob.content(), BlobContent::External(_)),
                "left in the blob: {blob:?}"
            );
            assert_eq!(blob.len(), big as u64);
            let bytes = blob.to_vec().expect("read from the blob");
            assert!(bytes.len() == big && bytes.iter().all(|&b| b == 0));
            assert_eq!(file("note"), Node::file(Blob::from("hi\n"), 0o644, 0, 0));
            // The store's check of a layer it read says sound.
            assert!(daemon.engine.layers.check(&diff_id));
            read.push(layer);
        }
        assert_eq!(read[0], read[1], "the same changes either way");
        assert!(stamps.is_dir(), "checked again after the hash");

        // A blob written over after its layer was read: its files are not
        // read from it any more.
        let daemon = Daemon::open(dir.path()).expect("reopen");
        let layer = daemon.engine.layers.peek(&diff_id).expect("loads");
        let Some(Change::Put(node)) = layer.get(&PathKey::from_clean("disk.img")) else {
            panic!("disk.img")
        };
        let path = only_blob(dir.path());
        let mut tar = std::fs::read(&path).expect("read");
        tar[2 << 20] = 1;
        std::fs::write(&path, tar).expect("write over");
        let NodeKind::File(blob) = &node.kind else {
            panic!("a file")
        };
        let err = blob.to_vec().expect_err("changed since");
        assert!(err.to_string().contains("changed since"), "{err}");
        // And the check finds it corrupt.
        assert!(!daemon.engine.layers.check(&diff_id));
        let corrupt = daemon.engine.layers.corrupt(&diff_id).expect("remembered");
        assert!(corrupt.problem.contains("holds other bytes"), "{corrupt}");
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
