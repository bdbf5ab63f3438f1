//! What the builder remembers only to be faster next time: small context
//! files already read, the classic builder's COPY source hashes, the
//! filesystem views of the last run's steps, layers read from disk or
//! regenerated from the catalog, catalog layers' diff_ids, and what was
//! derived from recent context snapshots (see `by_snapshot`). Every entry
//! is a pure function of its key, so a preview may fill it as freely as a
//! build: none of it is part of the store (nothing here is persisted).

mod by_snapshot;

pub use by_snapshot::{Computed, CopyLayer, SnapshotMemo};

use crate::engine::classic_hash::ClassicSourceHash;
use crate::engine::context::FileCache;
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::{LayerChanges, ViewCache};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct Memo {
    /// Small context files already read, by content digest.
    pub file_cache: FileCache,
    /// The classic builder's COPY source hashes already computed, by a
    /// digest of the sources' patterns and stamps.
    pub classic_hashes: HashMap<Digest, ClassicSourceHash>,
    /// The filesystem views of the last run's steps, so the next run
    /// reuses what they looked up (see `ViewCache`).
    pub views: ViewCache,
    /// Layers of the store that were read from its blobs or regenerated
    /// from the catalog, by diff_id.
    pub layers: BTreeMap<Digest, Arc<LayerChanges>>,
    /// Catalog layers' diff_ids computed by runs that did not keep them
    /// (previews): `reference#index` → diff_id.
    pub catalog_layers: BTreeMap<String, Digest>,
    /// What COPY steps derived from the last few context snapshots.
    pub snapshots: SnapshotMemo,
}
