//! One run of the builder against the store: it reads the store as it was
//! and keeps everything the run would add — the build's number, cache
//! records, images and tags (its own and the bases it pulls), layers,
//! catalog layers' diff_ids — in its own [`Writes`]. A build commits them
//! into the store at the end; a preview drops them, so the store it read is
//! exactly as before (the types see to it: the store is only ever shared
//! here). Only the [`Memo`] is written through, as a preview may.

use crate::engine::cache::{BuildCache, CacheRecord, CacheUse};
use crate::engine::cache_key::CacheKey;
use crate::engine::layer::digest_layer;
use crate::engine::memo::Memo;
use crate::engine::report::{LayerInfo, MissReason};
use crate::engine::store::{catalog_layer, normalize_tag, EngineState, ImageRecord};
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::LayerChanges;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which builder's cache records are meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOf {
    Buildkit,
    Classic,
}

/// What a run would add to the store.
#[derive(Debug, Default)]
pub struct Writes {
    buildkit_cache: BuildCache,
    classic_cache: BuildCache,
    images: BTreeMap<Digest, ImageRecord>,
    /// Normalised `name:tag` → image.
    tags: BTreeMap<String, Digest>,
    /// Layers the run made (new in the store unless it had them).
    layers: BTreeMap<Digest, Arc<LayerChanges>>,
    /// Catalog layers of bases the run pulled (regenerable, never persisted).
    catalog_changes: BTreeMap<Digest, Arc<LayerChanges>>,
    catalog_layers: BTreeMap<String, Digest>,
    catalog_sources: BTreeMap<Digest, String>,
    /// Cache mounts the run's commands left, by id.
    cache_mounts: BTreeMap<String, Arc<LayerChanges>>,
    /// The BuildKit records the run made or reused, as used now.
    cache_use: BTreeMap<Digest, CacheUse>,
}

impl Writes {
    /// The layers the run made, by diff_id: a preview's exist nowhere else.
    pub fn layers(&self) -> &BTreeMap<Digest, Arc<LayerChanges>> {
        &self.layers
    }

    /// Everything the run added, into `state`, as build number `build`.
    pub fn commit(self, state: &mut EngineState, build: u64) {
        state.builds = state.builds.max(build);
        state.buildkit_cache.merge(self.buildkit_cache);
        state.classic_cache.merge(self.classic_cache);
        state.images.extend(self.images);
        state.tags.extend(self.tags);
        for (diff_id, changes) in self.layers {
            state.layers.insert(diff_id, changes);
        }
        for (diff_id, changes) in self.catalog_changes {
            state.layers.insert_known(diff_id, changes);
        }
        state.catalog_layers.extend(self.catalog_layers);
        state.catalog_sources.extend(self.catalog_sources);
        state.cache_mounts.extend(self.cache_mounts);
        state.cache_use.extend(self.cache_use);
        // A step built again is no longer one whose record was removed.
        let rebuilt = |k: &Digest| state.buildkit_cache.get(k).or(state.classic_cache.get(k));
        let again: Vec<Digest> = state
            .removed_records
            .keys()
            .filter(|k| rebuilt(k).is_some())
            .copied()
            .collect();
        for k in again {
            state.removed_records.remove(&k);
        }
        if let Some(keep) = state.gc_keep_storage {
            state.collect_build_cache(keep);
        }
    }
}

pub struct Transaction<'a> {
    store: &'a EngineState,
    pub memo: &'a mut Memo,
    /// The number this run has: the store's next build.
    pub build: u64,
    writes: Writes,
}

impl<'a> Transaction<'a> {
    pub fn begin(store: &'a EngineState, memo: &'a mut Memo) -> Transaction<'a> {
        Transaction {
            store,
            memo,
            build: store.builds + 1,
            writes: Writes::default(),
        }
    }

    pub fn finish(self) -> Writes {
        self.writes
    }

    fn caches(&self, of: CacheOf) -> (&BuildCache, &BuildCache) {
        match of {
            CacheOf::Buildkit => (&self.store.buildkit_cache, &self.writes.buildkit_cache),
            CacheOf::Classic => (&self.store.classic_cache, &self.writes.classic_cache),
        }
    }

    /// The record of a step, made by this run or found in the store.
    pub fn cached(&self, of: CacheOf, digest: &Digest) -> Option<&CacheRecord> {
        let (store, newer) = self.caches(of);
        newer.get(digest).or_else(|| store.get(digest))
    }

    /// Why step `key` (whose digest is `digest`) is not in the cache.
    pub fn explain_miss(
        &self,
        of: CacheOf,
        key: &CacheKey,
        digest: &Digest,
        text: &str,
        arg_names: &[String],
    ) -> MissReason {
        if let Some(by) = self.store.removed_records.get(digest) {
            return MissReason::CacheRemoved { by: by.clone() };
        }
        let (store, newer) = self.caches(of);
        store.explain_miss_after(newer, key, text, arg_names)
    }

    /// A BuildKit record this run made or reused: it was used now, once
    /// more (what garbage collection ranks records by).
    pub fn used(&mut self, digest: Digest) {
        let before = self.store.cache_use.get(&digest).copied();
        let uses = self
            .writes
            .cache_use
            .get(&digest)
            .or(before.as_ref())
            .map_or(0, |u| u.uses);
        self.writes.cache_use.insert(
            digest,
            CacheUse {
                last_used: self.build,
                uses: uses.saturating_add(1),
            },
        );
    }

    pub fn remember(&mut self, of: CacheOf, digest: Digest, record: CacheRecord) {
        match of {
            CacheOf::Buildkit => self.writes.buildkit_cache.insert(digest, record),
            CacheOf::Classic => self.writes.classic_cache.insert(digest, record),
        }
    }

    /// A record this run made goes again (BuildKit cancelled its step, or
    /// would never have started it); the store's own records stay.
    pub fn forget(&mut self, of: CacheOf, digest: &Digest) {
        match of {
            CacheOf::Buildkit => self.writes.buildkit_cache.remove(digest),
            CacheOf::Classic => self.writes.classic_cache.remove(digest),
        }
        self.writes.cache_use.remove(digest);
    }

    /// An image by reference or id, as the run sees the store: with the
    /// images it made or pulled.
    pub fn image(&self, reference: &str) -> Option<&ImageRecord> {
        let own = match reference.parse::<Digest>() {
            Ok(d) => self.writes.images.get(&d),
            Err(_) => self
                .writes
                .tags
                .get(&normalize_tag(reference))
                .and_then(|d| self.writes.images.get(d)),
        };
        own.or_else(|| self.store.image(reference))
    }

    /// Store an image, under `tag` when given.
    pub fn add_image(&mut self, image: ImageRecord, tag: Option<&str>) {
        if let Some(tag) = tag {
            self.writes.tags.insert(normalize_tag(tag), image.id);
        }
        self.writes.images.insert(image.id, image);
    }

    /// A layer's files: made by this run, in the store, or read once (from
    /// the store's blobs, or regenerated from the catalog) into the memo.
    /// The same layer is always the same `Arc`, so the memo's filesystem
    /// views are found again.
    pub fn layer(&mut self, diff_id: &Digest) -> Option<Arc<LayerChanges>> {
        let known = self
            .writes
            .layers
            .get(diff_id)
            .cloned()
            .or_else(|| self.store.layers.in_memory(diff_id))
            .or_else(|| self.memo.layers.get(diff_id).cloned());
        if known.is_some() {
            return known;
        }
        let read = match self.writes.catalog_sources.get(diff_id) {
            Some(key) => catalog_layer(key).map(Arc::new),
            None => self.store.peek_layer(diff_id),
        }?;
        self.memo.layers.insert(*diff_id, Arc::clone(&read));
        Some(read)
    }

    /// Whether [`Transaction::layer`] would find the layer — made by this
    /// run, in memory, regenerable from the catalog, or there and sound in
    /// the store's blobs — without reading it: a cached step's layer is
    /// read only when a later step looks at the files.
    pub fn has_layer(&self, diff_id: &Digest) -> bool {
        self.writes.layers.contains_key(diff_id)
            || self.memo.layers.contains_key(diff_id)
            || self.writes.catalog_sources.contains_key(diff_id)
            || self.store.catalog_sources.contains_key(diff_id)
            || self.store.layers.check(diff_id)
    }

    /// What cache mount `id` holds, as this run sees it.
    pub fn cache_mount(&self, id: &str) -> Option<Arc<LayerChanges>> {
        self.writes
            .cache_mounts
            .get(id)
            .or_else(|| self.store.cache_mounts.get(id))
            .cloned()
    }

    /// What cache mount `id` holds after a command ran with it.
    pub fn set_cache_mount(&mut self, id: String, content: Arc<LayerChanges>) {
        self.writes.cache_mounts.insert(id, content);
    }

    /// Why a layer the run needs could not be read, when the store knows:
    /// its blob is corrupt.
    pub fn unreadable_layer(&self, diff_id: &Digest) -> Option<String> {
        self.store.layers.corrupt(diff_id).map(|c| c.to_string())
    }

    /// Keep `changes` as a layer of this run; its tar is streamed through
    /// sha256 to learn its diff_id.
    pub fn put_layer(&mut self, changes: Arc<LayerChanges>) -> std::io::Result<LayerInfo> {
        let layer = digest_layer(&changes)?;
        self.writes.layers.entry(layer.diff_id).or_insert(changes);
        Ok(LayerInfo {
            diff_id: layer.diff_id,
            size: layer.size,
        })
    }

    /// A layer whose digest a run before this one computed (the memo's):
    /// kept as [`Self::put_layer`] keeps it, without digesting it again.
    pub fn put_digested_layer(&mut self, changes: Arc<LayerChanges>, diff_id: Digest) {
        self.writes.layers.entry(diff_id).or_insert(changes);
    }

    /// The diff_id of catalog layer `key`, when some run computed it.
    pub fn catalog_layer_id(&self, key: &str) -> Option<Digest> {
        self.writes
            .catalog_layers
            .get(key)
            .or_else(|| self.store.catalog_layers.get(key))
            .or_else(|| self.memo.catalog_layers.get(key))
            .copied()
    }

    /// A catalog layer of a base this run pulls.
    pub fn add_catalog_layer(&mut self, key: String, diff_id: Digest, changes: Arc<LayerChanges>) {
        self.memo.catalog_layers.insert(key.clone(), diff_id);
        if !self.store.catalog_layers.contains_key(&key) {
            self.writes.catalog_layers.insert(key.clone(), diff_id);
        }
        if self.store.catalog_sources.get(&diff_id) != Some(&key) {
            self.writes.catalog_sources.insert(diff_id, key);
        }
        if self.store.layers.in_memory(&diff_id).is_none() {
            let kept = self.memo.layers.entry(diff_id).or_insert(changes);
            self.writes
                .catalog_changes
                .insert(diff_id, Arc::clone(kept));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dockerfile::compile;
    use crate::engine::builder::{build_compiled, preview, BuildOptions, BuilderKind};
    use crate::engine::context::{read_dockerignore, ContextSnapshot, StatCache};
    use crate::engine::layers::{CorruptLayer, LayerSource, LayerStore};
    use crate::engine::memo::Memo;
    use crate::engine::store::EngineState;
    use crate::filesystem::digest::Digest;
    use crate::filesystem::rootfs::LayerChanges;
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// What a store holds, as `engine.json` writes it, plus what it keeps
    /// in memory only (layers, and which of them are new).
    fn stored(s: &EngineState) -> (String, usize) {
        let json = serde_json::to_string(s).expect("serialize");
        (json, s.layers.len())
    }

    fn snapshot(dir: &std::path::Path) -> ContextSnapshot {
        let ignore = read_dockerignore(dir).expect("ignore");
        ContextSnapshot::capture(dir, &ignore, &mut StatCache::default()).expect("snapshot")
    }

    #[test]
    fn a_preview_writes_nothing_and_reports_what_the_build_then_does() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("app.js"), "console.log(1)\n").expect("write");
        let ctx = snapshot(dir.path());
        let changes = [
            "FROM alpine\nENV A=1\nRUN echo slow > /s\nCOPY app.js /app/\nCMD [\"node\"]\n",
            // The lecture's reorder: ENV and CMD first.
            "FROM alpine\nENV A=1\nCMD [\"node\"]\nRUN echo slow > /s\nCOPY app.js /app/\n",
            // A changed RUN, and a new base never pulled before.
            "FROM busybox\nENV A=1\nRUN echo fast > /s\nCOPY app.js /app/\n",
            // Two stages that make the same step: the second reuses the
            // first's record made in the same run.
            "FROM alpine AS one\nRUN echo same > /s\nFROM alpine\nRUN echo same > /s\nCOPY --from=one /s /t\n",
            // A RUN that fails still fills the cache of a build.
            "FROM alpine\nRUN echo ok > /ok\nRUN exit 3\n",
            // A COPY of a file that is not there.
            "FROM alpine\nCOPY missing.js /\n",
        ];
        for builder in [BuilderKind::Buildkit, BuilderKind::Classic] {
            let mut state = EngineState::default();
            let mut memo = Memo::default();
            let opts = BuildOptions {
                builder,
                tags: vec!["web:latest".into()],
                ..BuildOptions::default()
            };
            for text in changes {
                let compiled = compile(text);
                let before = stored(&state);
                let images = state.list_images(None, true).len();
                let seen = preview(&state, &mut memo, &compiled, &ctx, &opts);
                assert_eq!(stored(&state), before, "{builder:?} preview of {text:?}");
                assert_eq!(state.list_images(None, true).len(), images);
                assert_eq!(state.layers.take_fresh().len(), 0, "no layer to persist");

                let built = build_compiled(&mut state, &compiled, &ctx, &opts);
                assert_eq!(seen.result, built, "{builder:?} {text:?}");
                // As a save would: the build's new layers are persisted.
                state.layers.take_fresh();
                assert_ne!(stored(&state).0, before.0, "a build is kept: {text:?}");
                // The preview's new layers are the build's.
                if let Ok(report) = &built {
                    for layer in report.steps.iter().filter_map(|s| s.layer.as_ref()) {
                        if !seen.layers.contains_key(&layer.diff_id) {
                            assert!(state.layers.in_memory(&layer.diff_id).is_some());
                        }
                    }
                }
                // And a preview right after the build sees every step cached.
                let again = preview(&state, &mut memo, &compiled, &ctx, &opts);
                if let Ok(r) = again.result {
                    assert!(
                        r.steps.iter().all(|s| !s.verdict.missed()),
                        "{text:?}: {r:?}"
                    );
                    assert_eq!(r.build, state.builds + 1);
                }
            }
            assert_eq!(state.builds, changes.len() as u64);
        }
    }

    /// A layer store's source that counts what it is asked, over layers
    /// held in memory.
    #[derive(Default)]
    struct Counted {
        layers: BTreeMap<Digest, Arc<LayerChanges>>,
        loads: AtomicUsize,
        checks: AtomicUsize,
    }

    struct Counting(Arc<Counted>);

    impl LayerSource for Counting {
        fn load(&self, diff_id: &Digest) -> Result<Option<Arc<LayerChanges>>, CorruptLayer> {
            self.0.loads.fetch_add(1, Ordering::SeqCst);
            Ok(self.0.layers.get(diff_id).cloned())
        }

        fn check(&self, diff_id: &Digest) -> Result<bool, CorruptLayer> {
            self.0.checks.fetch_add(1, Ordering::SeqCst);
            Ok(self.0.layers.contains_key(diff_id))
        }
    }

    /// `state` with its layers moved behind a counting source, as a state
    /// opened from disk has them.
    fn behind_source(state: &EngineState) -> (EngineState, Arc<Counted>) {
        let mut moved = state.clone();
        let counted = Arc::new(Counted {
            layers: moved.layers.take_fresh().into_iter().collect(),
            ..Counted::default()
        });
        moved.layers = LayerStore::default();
        moved.memo = Memo::default();
        moved
            .layers
            .set_source(Box::new(Counting(Arc::clone(&counted))));
        (moved, counted)
    }

    #[test]
    fn a_cached_step_reads_its_layer_only_when_a_later_step_looks() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("app.js"), "console.log(1)\n").expect("write");
        let ctx = snapshot(dir.path());
        let first = "FROM alpine AS base\nCOPY app.js /app/\nRUN echo made > /made\nUSER nobody\nWORKDIR /w\n";
        // Each looks at the files below a cached step, one way or another
        // (a COPY --from's key holds the checksums of what it copies).
        let looking = [
            "FROM alpine AS base\nCOPY app.js /app/\nRUN echo made > /made\nUSER nobody\nWORKDIR /w\nRUN cat /app/app.js /made > /tmp/seen\n",
            "FROM alpine AS base\nCOPY app.js /app/\nRUN echo made > /made\nUSER nobody\nWORKDIR /w\n\
             FROM alpine\nCOPY --from=base /made /w /copied/\nRUN echo two > /two\n",
            "FROM alpine AS base\nCOPY app.js /app/\nRUN echo made > /made\nUSER nobody\nWORKDIR /w2\n",
            "FROM alpine AS base\nCOPY app.js /app/\nRUN echo made > /made\nCOPY --chown=nobody app.js /again/\n",
        ];
        for builder in [BuilderKind::Buildkit, BuilderKind::Classic] {
            let opts = BuildOptions {
                builder,
                ..BuildOptions::default()
            };
            let mut built = EngineState::default();
            build_compiled(&mut built, &compile(first), &ctx, &opts).expect("first build");
            let (mut lazy, counted) = behind_source(&built);
            assert!(!counted.layers.is_empty());

            // Fully cached: every layer checked, none read.
            let report = build_compiled(&mut lazy, &compile(first), &ctx, &opts).expect("rebuild");
            assert!(
                report.steps.iter().all(|s| !s.verdict.missed()),
                "{report:?}"
            );
            assert_eq!(counted.loads.load(Ordering::SeqCst), 0, "{builder:?}");
            assert!(counted.checks.load(Ordering::SeqCst) > 0, "{builder:?}");
            let mut eager = built.clone();
            let again = build_compiled(&mut eager, &compile(first), &ctx, &opts);
            assert_eq!(Ok(report), again, "{builder:?}: the same report");

            // A step that looks reads the layers, and builds what laying
            // them at once builds.
            for text in looking {
                let (mut lazy, counted) = behind_source(&built);
                let mut eager = built.clone();
                let lazily = build_compiled(&mut lazy, &compile(text), &ctx, &opts);
                let eagerly = build_compiled(&mut eager, &compile(text), &ctx, &opts);
                assert!(lazily.is_ok(), "{builder:?} {text:?}: {lazily:?}");
                assert_eq!(lazily, eagerly, "{builder:?} {text:?}");
                assert!(
                    counted.loads.load(Ordering::SeqCst) > 0,
                    "{builder:?} {text:?}: read"
                );
            }
        }
    }

    #[test]
    fn a_cached_step_whose_layer_is_gone_fails_where_it_did() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("app.js"), "console.log(1)\n").expect("write");
        let ctx = snapshot(dir.path());
        let text = "FROM alpine\nCOPY app.js /app/\nRUN echo made > /made\n";
        let opts = BuildOptions::default();
        let mut state = EngineState::default();
        build_compiled(&mut state, &compile(text), &ctx, &opts).expect("first build");
        let mut gone = state.clone();
        gone.layers = LayerStore::default();
        let err = build_compiled(&mut gone, &compile(text), &ctx, &opts).expect_err("no layers");
        assert!(
            err.message
                .contains("of a cached step is missing from the engine state"),
            "{err:?}"
        );
        assert_eq!(err.span.map(|s| s.line), Some(2), "at the COPY: {err:?}");
    }
}
