//! The engine's store: the images it holds and the tags that name them, the
//! layers those images and the build cache are made of, and the build
//! cache's records, and the containers made of those images — what one
//! daemon remembers between builds. The builder reads it and adds to it;
//! commands tag, untag, remove and prune through it, run containers in it,
//! and read its disk usage.
//!
//! `daemon` keeps the store in the state's database, a row per record
//! ([`rows`]); the persisted fields' names and shapes are also those of
//! version 1's single engine document, which is migrated from.

mod containers;
mod images;
mod intermediates;
mod listing;
pub mod rows;
mod stamp_chunks;
mod usage;

use crate::engine::cache::{BuildCache, CacheUse};
use crate::engine::cache_key::StampSource;
use crate::engine::catalog::Catalog;
use crate::engine::layers::LayerStore;
use crate::engine::memo::Memo;
use crate::engine::report::Removal;
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::LayerChanges;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

pub use containers::{Container, ContainerState, LogLine, Repeat, Stream};
pub use images::{image_id, ImageRecord, RunConfig, SIMULATED_EPOCH};
pub use listing::{Listed, ListedImage};
pub use stamp_chunks::ChunkRows;
pub use usage::{ContainerUsage, DiskUsage, ImageUsage};

/// How many removed records [`EngineState::removed_records`] keeps: far
/// more than a learner's prunes and removals touch; past it, each new one
/// makes room by forgetting another (the reason then reads as a first
/// build, which is all it costs).
pub const REMEMBERED_REMOVALS: usize = 4096;

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
    /// How each BuildKit record was used, by key digest (see `gc`).
    #[serde(default)]
    pub cache_use: BTreeMap<Digest, CacheUse>,
    /// Steps whose cache records were removed, and by what, so a rebuild
    /// can say so (at most [`REMEMBERED_REMOVALS`]; a step built again is
    /// forgotten here).
    #[serde(default)]
    pub removed_records: BTreeMap<Digest, Removal>,
    /// The automatic policy: after each build, the BuildKit cache is
    /// collected down to below this many bytes (None: never). The front
    /// end sets it; it is not part of the state.
    #[serde(skip)]
    pub gc_keep_storage: Option<u64>,
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
    /// Containers, by id.
    #[serde(default)]
    pub containers: BTreeMap<Digest, Container>,
    /// Containers made so far: the next one's id derives from it.
    #[serde(default)]
    pub containers_made: u64,
    /// The simulated clock of container events, in seconds after
    /// [`SIMULATED_EPOCH`] (builds keep their own minute each).
    #[serde(default)]
    pub clock: i64,
    /// BuildKit's cache mounts (`RUN --mount=type=cache`): id → what the
    /// directory holds, kept between builds, in no image. Not saved with
    /// the state: a restart starts them empty, as a pruned cache does.
    #[serde(skip)]
    pub cache_mounts: BTreeMap<String, Arc<LayerChanges>>,
    /// Every layer's files, by diff_id.
    #[serde(skip)]
    pub layers: LayerStore,
    /// What builds and previews remember to be faster next time.
    #[serde(skip)]
    pub memo: Memo,
    /// Where records read back find file lists kept in chunks (the
    /// state's database; see `rows`).
    #[serde(skip)]
    pub stamp_source: Option<Arc<dyn StampSource>>,
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
    /// Untagging the last tag of an image a container uses would leave it
    /// dangling: that needs `--force`.
    #[error("conflict: unable to remove repository reference \"{reference}\" (must force) - container {} is using its referenced image {}", .container.short(), .image.short())]
    ReferenceInUse {
        reference: String,
        container: Digest,
        image: Digest,
    },
    /// Deleting an image a container uses: a running one forbids it even
    /// with `--force`, a stopped one without.
    #[error("conflict: unable to delete {} ({}) - image is being used by {} container {}", .image.short(), if *.running { "cannot be forced" } else { "must be forced" }, if *.running { "running" } else { "stopped" }, .container.short())]
    UsedByContainer {
        image: Digest,
        container: Digest,
        running: bool,
    },
    /// Deleting by id an untagged image a classic step was built on (a step
    /// image with a step after it), even with `--force`.
    #[error("conflict: unable to delete {} (cannot be forced) - image has dependent child images", .0.short())]
    HasDependentChildren(Digest),
}

/// What `docker rmi` did to one reference: the tags it removed, in order,
/// and, when no tag was left on the image, what it deleted: the image, then
/// what went with it (see [`EngineState::delete_image`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    pub untagged: Vec<String>,
    pub deleted: Vec<Digest>,
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
    ///
    /// Containers keep their images: the last tag of an image a container
    /// uses goes only with `force` (the image stays while a running
    /// container uses it), and an image a container uses is deleted by id
    /// only with `force` and only when no running container uses it.
    pub fn remove_image(&mut self, reference: &str, force: bool) -> Result<Removed, RemoveError> {
        let tag = normalize_tag(reference);
        let mut untagged = Vec::new();
        let by_tag = self.tags.get(&tag).copied();
        // Whether a classic step was built on it, asked before its tags go
        // (a step built `FROM` a tag is known by that tag).
        let built_on;
        let id = if let Some(d) = by_tag {
            built_on = self.built_on(&d);
            let tags = self.tags.values().filter(|v| **v == d).count();
            if let (false, 1, Some(user)) = (force, tags, self.container_using(&d, false)) {
                return Err(RemoveError::ReferenceInUse {
                    reference: reference.to_owned(),
                    container: user,
                    image: d,
                });
            }
            self.untag(reference);
            untagged.push(tag);
            if self.container_using(&d, true).is_some() {
                return Ok(Removed {
                    untagged,
                    deleted: Vec::new(),
                });
            }
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
                return self.remove_step_image(reference, tag);
            };
            built_on = self.built_on(&d);
            if let Some(user) = self.container_using(&d, true) {
                return Err(RemoveError::UsedByContainer {
                    image: d,
                    container: user,
                    running: true,
                });
            }
            let tags: Vec<String> = self
                .tags
                .iter()
                .filter(|(_, v)| **v == d)
                .map(|(k, _)| k.clone())
                .collect();
            if tags.len() > 1 && !force {
                return Err(RemoveError::ReferencedInMultipleRepositories(d));
            }
            if let (false, Some(user)) = (force, self.container_using(&d, false)) {
                return Err(RemoveError::UsedByContainer {
                    image: d,
                    container: user,
                    running: false,
                });
            }
            if built_on && tags.is_empty() {
                return Err(RemoveError::HasDependentChildren(d));
            }
            for t in tags {
                self.tags.remove(&t);
                untagged.push(t);
            }
            d
        };
        // An image a classic step was built on stays, untagged, for its
        // children: an intermediate image now.
        let tagged = self.tags.values().any(|d| *d == id);
        let deleted = if tagged || built_on {
            Vec::new()
        } else {
            self.delete_image(&id)
        };
        Ok(Removed { untagged, deleted })
    }

    /// The first container (in id order) made of image `id`; only running
    /// ones when `running`.
    fn container_using(&self, id: &Digest, running: bool) -> Option<Digest> {
        self.containers
            .values()
            .find(|c| c.image == *id && (!running || c.is_running()))
            .map(|c| c.id)
    }

    /// Remember that the record of step `key` was removed, and by what.
    pub fn record_removed(&mut self, key: Digest, by: Removal) {
        if self.removed_records.len() >= REMEMBERED_REMOVALS {
            self.removed_records.pop_first();
        }
        self.removed_records.insert(key, by);
    }

    /// What the images take on disk, per image and shared between them,
    /// and what the containers' writable layers take: the images `docker
    /// image ls` shows without `-a` (the intermediate ones' layers are all
    /// in those).
    pub fn disk_usage(&self) -> DiskUsage {
        let shown = self.shown_images();
        DiskUsage::of(shown.iter().map(|i| (i.id, &*i.layers)))
            .with_containers(self.containers.values())
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

    /// [`EngineState::layer`] without remembering what it read (for a
    /// reader holding the state shared).
    pub fn peek_layer(&self, diff_id: &Digest) -> Option<Arc<LayerChanges>> {
        if let Some(l) = self.layers.peek(diff_id) {
            return Some(l);
        }
        let key = self.catalog_sources.get(diff_id)?;
        catalog_layer(key).map(Arc::new)
    }
}

/// The key a catalog layer is remembered by: `reference#index`.
pub fn catalog_layer_key(reference: &str, index: usize) -> String {
    format!("{reference}#{index}")
}

/// Regenerate a catalog layer from its key, for a state loaded from disk:
/// catalog layers are never written there.
pub fn catalog_layer(key: &str) -> Option<LayerChanges> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::report::LayerInfo;

    fn image(name: &str) -> ImageRecord {
        ImageRecord {
            classic_step: None,
            author: None,
            id: Digest::of(name.as_bytes()),
            config: RunConfig::default(),
            layers: vec![LayerInfo {
                diff_id: layer_of(name),
                size: 10,
            }],
            history: Vec::new(),
            comment: None,
        }
    }

    /// The one layer `image(name)` has, which no other image holds: it goes
    /// with the image (its chain id is its diff_id, as the first layer).
    fn layer_of(name: &str) -> Digest {
        Digest::of(format!("{name} layer").as_bytes())
    }

    /// `web` under two tags, `api` under one, `loose` under none.
    fn store() -> (EngineState, Digest, Digest, Digest) {
        let mut s = EngineState::default();
        let (web, api, loose) = (image("web"), image("api"), image("loose"));
        let ids = (web.id, api.id, loose.id);
        s.tag_image(web.clone(), "web:v1");
        s.tag_image(web, "docker.io/library/web:v2");
        s.tag_image(api, "api");
        s.images.insert(loose.id, loose);
        (s, ids.0, ids.1, ids.2)
    }

    #[test]
    fn tags_are_normalised_and_name_images() {
        let (s, web, api, _) = store();
        assert_eq!(normalize_tag("busybox"), "busybox:latest");
        assert_eq!(normalize_tag("docker.io/library/web:v2"), "web:v2");
        assert_eq!(normalize_tag("localhost:5000/x"), "localhost:5000/x:latest");
        assert_eq!(s.image("web:v2").map(|i| i.id), Some(web));
        assert_eq!(s.image("api:latest").map(|i| i.id), Some(api));
        assert_eq!(s.image(&api.to_string()).map(|i| i.id), Some(api));
        assert_eq!(
            s.find_image("nosuch").map(|i| i.id),
            Err(NoSuchImage("nosuch:latest".into()))
        );
        assert_eq!(
            NoSuchImage("nosuch:latest".into()).to_string(),
            "No such image: nosuch:latest"
        );
    }

    #[test]
    fn removing_a_tag_keeps_the_image_until_its_last_tag_goes() {
        let (mut s, web, _, _) = store();
        let first = s.remove_image("web:v1", false).expect("untag");
        assert_eq!(
            first,
            Removed {
                untagged: vec!["web:v1".into()],
                deleted: Vec::new()
            }
        );
        assert!(s.images.contains_key(&web));
        let last = s.remove_image("web:v2", false).expect("untag and delete");
        assert_eq!(
            last,
            Removed {
                untagged: vec!["web:v2".into()],
                deleted: vec![web, layer_of("web")]
            }
        );
        assert!(!s.images.contains_key(&web));
    }

    #[test]
    fn removing_by_id_an_image_with_several_tags_must_be_forced() {
        let (mut s, web, _, _) = store();
        let err = s
            .remove_image(&web.hex()[..4], false)
            .expect_err("conflict");
        assert_eq!(
            err.to_string(),
            format!(
                "conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories",
                web.short()
            )
        );
        assert_eq!(s.tags.len(), 3, "a refused removal changes nothing");
        let forced = s.remove_image(&web.to_string(), true).expect("forced");
        assert_eq!(forced.untagged, vec!["web:v1", "web:v2"]);
        assert_eq!(forced.deleted, vec![web, layer_of("web")]);
    }

    #[test]
    fn removing_by_id_takes_a_single_tag_or_none_without_force() {
        let (mut s, _, api, loose) = store();
        let removed = s.remove_image(&api.hex()[..12], false).expect("api");
        assert_eq!(removed.untagged, vec!["api:latest"]);
        assert_eq!(removed.deleted, vec![api, layer_of("api")]);
        let removed = s.remove_image(&loose.hex(), false).expect("loose");
        assert!(removed.untagged.is_empty());
        assert_eq!(removed.deleted, vec![loose, layer_of("loose")]);
    }

    #[test]
    fn an_unknown_or_too_short_reference_is_no_such_image() {
        let (mut s, web, _, _) = store();
        assert_eq!(
            s.remove_image(&web.hex()[..3], false),
            Err(RemoveError::NoSuchImage(NoSuchImage(format!(
                "{}:latest",
                &web.hex()[..3]
            ))))
        );
        assert_eq!(
            s.remove_image("nosuch:x", true).map_err(|e| e.to_string()),
            Err("No such image: nosuch:x".to_string())
        );
    }

    #[test]
    fn listing_shows_tags_in_name_order_then_untagged_images() {
        let (s, web, api, loose) = store();
        let rows: Vec<(Option<(&str, &str)>, Digest)> = s
            .list_images(None, false)
            .iter()
            .map(|l| (l.name, l.image.id))
            .collect();
        assert_eq!(
            rows,
            vec![
                (Some(("api", "latest")), api),
                (Some(("web", "v1")), web),
                (Some(("web", "v2")), web),
                (None, loose),
            ]
        );
        let web_rows: Vec<_> = s
            .list_images(Some("web"), false)
            .iter()
            .map(|l| l.name)
            .collect();
        assert_eq!(web_rows, vec![Some(("web", "v1")), Some(("web", "v2"))]);
        let one: Vec<_> = s
            .list_images(Some("web:v2"), false)
            .iter()
            .map(|l| l.name)
            .collect();
        assert_eq!(one, vec![Some(("web", "v2"))]);
    }
}
