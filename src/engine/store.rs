//! The engine's store: the images it holds and the tags that name them, the
//! layers those images and the build cache are made of, and the build
//! cache's records — what one daemon remembers between builds. The builder
//! reads it and adds to it; commands tag, untag, remove and prune through
//! it, and read its disk usage.
//!
//! `daemon` writes the store as one JSON document (`engine.json`): the
//! persisted fields' names and shapes are that document's format.

mod images;
mod usage;

use crate::engine::cache::BuildCache;
use crate::engine::catalog::Catalog;
use crate::engine::classic_hash::ClassicSourceHash;
use crate::engine::context::FileCache;
use crate::engine::layers::LayerStore;
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::{LayerChanges, ViewCache};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use images::{image_id, ImageRecord, RunConfig, SIMULATED_EPOCH};
pub use usage::{DiskUsage, ImageUsage};

/// Everything the engine remembers between builds, like one daemon.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EngineState {
    /// Builds run so far; the next build gets `builds + 1`.
    pub builds: u64,
    pub images: BTreeMap<Digest, ImageRecord>,
    /// `name:tag` → image.
    pub tags: BTreeMap<String, Digest>,
    pub buildkit_cache: BuildCache,
    pub classic_cache: BuildCache,
    /// diff_ids of catalog layers already generated: `reference#index` →
    /// diff_id (computing one means generating the whole tar once).
    #[serde(default)]
    pub catalog_layers: BTreeMap<String, Digest>,
    /// The reverse: which catalog layer a diff_id was generated from.
    #[serde(default)]
    pub catalog_sources: BTreeMap<Digest, String>,
    /// Where a persisted layer's files are: diff_id → blob holding its tar.
    #[serde(default)]
    pub layer_blobs: BTreeMap<Digest, Digest>,
    /// Small context files already read, by content digest.
    #[serde(skip)]
    pub file_cache: FileCache,
    /// The classic builder's COPY source hashes already computed, by a
    /// digest of the sources' patterns and stamps.
    #[serde(skip)]
    pub classic_hashes: HashMap<Digest, ClassicSourceHash>,
    /// Every layer's files, by diff_id.
    #[serde(skip)]
    pub layers: LayerStore,
    /// The filesystem views of the last build's steps, so the next build
    /// reuses what they looked up (see `ViewCache`).
    #[serde(skip)]
    pub views: ViewCache,
}

/// A reference that names no image, in the daemon's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("No such image: {0}")]
pub struct NoSuchImage(pub String);

/// Why `docker rmi` refuses, in the daemon's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoveError {
    #[error(transparent)]
    NoSuchImage(#[from] NoSuchImage),
    /// Removing by id an image that several tags name needs `--force`.
    #[error("conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories", .0.short())]
    ReferencedInMultipleRepositories(Digest),
}

/// What `docker rmi` did to one reference: the tags it removed, in order,
/// and the image it deleted when no tag was left on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    pub untagged: Vec<String>,
    pub deleted: Option<Digest>,
}

impl EngineState {
    /// An image by reference (`busybox` means `busybox:latest`) or id.
    pub fn image(&self, reference: &str) -> Option<&ImageRecord> {
        if let Ok(d) = reference.parse::<Digest>() {
            return self.images.get(&d);
        }
        self.tags
            .get(&normalize_tag(reference))
            .and_then(|id| self.images.get(id))
    }

    /// [`EngineState::image`], or the daemon's "No such image".
    pub fn find_image(&self, reference: &str) -> Result<&ImageRecord, NoSuchImage> {
        self.image(reference)
            .ok_or_else(|| NoSuchImage(normalize_tag(reference)))
    }

    /// Store an image and point `tag` at it.
    pub fn tag_image(&mut self, image: ImageRecord, tag: &str) {
        self.tags.insert(normalize_tag(tag), image.id);
        self.images.insert(image.id, image);
    }

    /// Remove a tag; the image it named stays. Returns that image.
    pub fn untag(&mut self, tag: &str) -> Option<Digest> {
        self.tags.remove(&normalize_tag(tag))
    }

    /// `docker rmi REF` with docker's rules: a tag is untagged (the image
    /// goes with its last tag); an id (a prefix of at least four hex digits,
    /// or the whole `sha256:…`) untags every tag of the image, which needs
    /// `force` when there are several, and deletes it.
    pub fn remove_image(&mut self, reference: &str, force: bool) -> Result<Removed, RemoveError> {
        let tag = normalize_tag(reference);
        let mut untagged = Vec::new();
        let id = if let Some(d) = self.untag(reference) {
            untagged.push(tag);
            d
        } else {
            let by_id = self
                .images
                .keys()
                .find(|d| {
                    reference.len() >= 4
                        && (d.hex().starts_with(reference) || d.to_string() == reference)
                })
                .copied();
            let Some(d) = by_id else {
                return Err(NoSuchImage(tag).into());
            };
            let tags: Vec<String> = self
                .tags
                .iter()
                .filter(|(_, v)| **v == d)
                .map(|(k, _)| k.clone())
                .collect();
            if tags.len() > 1 && !force {
                return Err(RemoveError::ReferencedInMultipleRepositories(d));
            }
            for t in tags {
                self.tags.remove(&t);
                untagged.push(t);
            }
            d
        };
        let tagged = self.tags.values().any(|d| *d == id);
        let deleted = (!tagged && self.images.remove(&id).is_some()).then_some(id);
        Ok(Removed { untagged, deleted })
    }

    /// `docker builder prune`: forget every build cache record, of both
    /// builders. Returns how many there were.
    pub fn prune_build_cache(&mut self) -> usize {
        let removed = self.buildkit_cache.len() + self.classic_cache.len();
        self.buildkit_cache.clear();
        self.classic_cache.clear();
        removed
    }

    /// What the images take on disk, per image and shared between them.
    pub fn disk_usage(&self) -> DiskUsage {
        DiskUsage::of(self.images.values())
    }

    /// A layer's files: from the layer store, or regenerated from the
    /// catalog.
    pub fn layer(&mut self, diff_id: &Digest) -> Option<Arc<LayerChanges>> {
        if let Some(l) = self.layers.get(diff_id) {
            return Some(l);
        }
        let key = self.catalog_sources.get(diff_id)?;
        let changes = Arc::new(catalog_layer(key)?);
        self.layers.insert_known(*diff_id, Arc::clone(&changes));
        Some(changes)
    }
}

/// The key a catalog layer is remembered by: `reference#index`.
pub fn catalog_layer_key(reference: &str, index: usize) -> String {
    format!("{reference}#{index}")
}

/// Regenerate a catalog layer from its key, for a state loaded from disk:
/// catalog layers are never written there.
fn catalog_layer(key: &str) -> Option<LayerChanges> {
    let (reference, index) = key.rsplit_once('#')?;
    let index: usize = index.parse().ok()?;
    let catalog = Catalog::embedded().ok()?;
    let img = catalog.resolve(reference).ok()?;
    img.layers.get(index).map(|l| l.changes())
}

/// `busybox` → `busybox:latest`; `docker.io/library/x` → `x`.
pub fn normalize_tag(reference: &str) -> String {
    let r = reference
        .trim_start_matches("docker.io/")
        .trim_start_matches("library/");
    let last = r.rsplit('/').next().unwrap_or(r);
    if last.contains(':') || r.contains('@') {
        r.to_string()
    } else {
        format!("{r}:latest")
    }
}
