//! The layer store: every layer's changes by diff_id, stored once and shared
//! by every image and cache record that uses it (content addressing is what
//! makes images that share layers share storage).
//!
//! The store is in memory; a persisted engine hands it a [`LayerSource`]
//! that reads layers it has not seen in this process from the state's blob
//! store (or only checks that one is there and sound, for a cached step
//! whose files no later step looks at), and asks it which layers are new so
//! it can write them there. A layer whose blob does not hold what its
//! digest says is never used: the store remembers it as corrupt, so the
//! build can say so.

use crate::engine::layer::{digest_layer, Layer};
use crate::engine::report::LayerInfo;
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::LayerChanges;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// Where layers that are not in memory come from (the state's blobs).
pub trait LayerSource: Send + Sync {
    /// The layer's changes: None when there is no such layer.
    fn load(&self, diff_id: &Digest) -> Result<Option<Arc<LayerChanges>>, CorruptLayer>;
    /// Whether the layer is there and sound, without reading its files
    /// into a layer (a cached step's layer that no later step looks at).
    fn check(&self, diff_id: &Digest) -> Result<bool, CorruptLayer>;
}

/// A stored layer whose blob does not hold what its digest says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("layer {diff_id} is corrupt in the engine state: its blob {blob} {problem}; build with --no-cache to make it again, or run `docker builder prune`")]
pub struct CorruptLayer {
    pub diff_id: Digest,
    pub blob: Digest,
    /// What was found instead, in words.
    pub problem: String,
}

#[derive(Default)]
pub struct LayerStore {
    layers: BTreeMap<Digest, Arc<LayerChanges>>,
    /// Added in this process and not yet persisted.
    fresh: BTreeSet<Digest>,
    source: Option<Box<dyn LayerSource>>,
    /// Layers the source found corrupt, by diff_id (a shared reader finds
    /// them too).
    corrupt: Mutex<BTreeMap<Digest, CorruptLayer>>,
}

impl fmt::Debug for LayerStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LayerStore")
            .field("layers", &self.layers.len())
            .field("fresh", &self.fresh.len())
            .finish()
    }
}

impl Clone for LayerStore {
    /// A clone shares the layers (they are immutable) but not the source.
    fn clone(&self) -> Self {
        LayerStore {
            layers: self.layers.clone(),
            fresh: self.fresh.clone(),
            source: None,
            corrupt: Mutex::new(self.corrupt_layers().clone()),
        }
    }
}

impl LayerStore {
    pub fn set_source(&mut self, source: Box<dyn LayerSource>) {
        self.source = Some(source);
    }

    /// Store `changes` as a layer: its tar is written (streamed through
    /// sha256) to learn the diff_id; storing the same content twice keeps
    /// one copy.
    pub fn put(&mut self, changes: Arc<LayerChanges>) -> std::io::Result<LayerInfo> {
        let Layer { diff_id, size, .. } = digest_layer(&changes)?;
        self.insert(diff_id, changes);
        Ok(LayerInfo { diff_id, size })
    }

    /// Store a layer whose diff_id is already known (imported tarballs).
    pub fn insert(&mut self, diff_id: Digest, changes: Arc<LayerChanges>) {
        if let std::collections::btree_map::Entry::Vacant(e) = self.layers.entry(diff_id) {
            e.insert(changes);
            self.fresh.insert(diff_id);
        }
    }

    /// Store a layer that can be regenerated (catalog layers): never
    /// reported as fresh, so it is not persisted.
    pub fn insert_known(&mut self, diff_id: Digest, changes: Arc<LayerChanges>) {
        self.layers.entry(diff_id).or_insert(changes);
    }

    /// The layer's changes, from memory or the source.
    pub fn get(&mut self, diff_id: &Digest) -> Option<Arc<LayerChanges>> {
        if let Some(l) = self.layers.get(diff_id) {
            return Some(Arc::clone(l));
        }
        let loaded = self.load(diff_id)?;
        self.layers.insert(*diff_id, Arc::clone(&loaded));
        Some(loaded)
    }

    fn load(&self, diff_id: &Digest) -> Option<Arc<LayerChanges>> {
        match self.source.as_ref()?.load(diff_id) {
            Ok(loaded) => loaded,
            Err(corrupt) => {
                self.corrupt_layers().insert(*diff_id, corrupt);
                None
            }
        }
    }

    /// Whether the layer could be had — in memory, or there and sound in
    /// the source — without reading it (a corrupt one is remembered as
    /// [`LayerStore::get`] would).
    pub fn check(&self, diff_id: &Digest) -> bool {
        if self.layers.contains_key(diff_id) {
            return true;
        }
        let Some(source) = self.source.as_ref() else {
            return false;
        };
        match source.check(diff_id) {
            Ok(there) => there,
            Err(corrupt) => {
                self.corrupt_layers().insert(*diff_id, corrupt);
                false
            }
        }
    }

    fn corrupt_layers(&self) -> std::sync::MutexGuard<'_, BTreeMap<Digest, CorruptLayer>> {
        // The map stays whole whatever panicked while holding it.
        self.corrupt.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the source found the layer corrupt, and how.
    pub fn corrupt(&self, diff_id: &Digest) -> Option<CorruptLayer> {
        self.corrupt_layers().get(diff_id).cloned()
    }

    /// The layer's blob was written again: it is sound now.
    pub fn repaired(&mut self, diff_id: &Digest) {
        self.corrupt_layers().remove(diff_id);
    }

    /// The layer's changes if they are in memory.
    pub fn in_memory(&self, diff_id: &Digest) -> Option<Arc<LayerChanges>> {
        self.layers.get(diff_id).map(Arc::clone)
    }

    /// [`LayerStore::get`] without keeping what the source read.
    pub fn peek(&self, diff_id: &Digest) -> Option<Arc<LayerChanges>> {
        self.in_memory(diff_id).or_else(|| self.load(diff_id))
    }

    /// Layers added since the last call (to persist them).
    pub fn take_fresh(&mut self) -> Vec<(Digest, Arc<LayerChanges>)> {
        let fresh = std::mem::take(&mut self.fresh);
        fresh
            .into_iter()
            .filter_map(|d| self.layers.get(&d).map(|l| (d, Arc::clone(l))))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.layers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }
}
