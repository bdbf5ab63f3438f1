//! Where a stage's `FROM` image comes from: an image in the engine state
//! (imported or built — it shadows the catalog's image of the same name),
//! else the embedded catalog (then it stays in the state, as a pulled image
//! does), else Docker's "pull access denied".

use crate::engine::builder::{normalize_tag, EngineState, ImageRecord, RunConfig};
use crate::engine::catalog::{Catalog, CatalogImage, CatalogLayer, FileContent, FileKind};
use crate::engine::layer::digest_layer;
use crate::engine::report::{HistoryRow, LayerInfo};
use crate::filesystem::blob::Blob;
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::{Change, LayerChanges, Node, PathKey};
use crate::messages::Message;
use std::sync::Arc;

/// Why a base image cannot be had, worded per builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseError {
    pub buildkit: String,
    pub classic: String,
    /// What a learner can use instead, for the diagnostic at the FROM.
    pub hint: Option<Message>,
}

impl BaseError {
    fn same(message: String) -> BaseError {
        BaseError {
            buildkit: message.clone(),
            classic: message,
            hint: None,
        }
    }
}

/// The image `FROM scratch` starts from.
pub fn scratch() -> ImageRecord {
    ImageRecord {
        id: Digest::of(b"scratch"),
        config: RunConfig::default(),
        layers: Vec::new(),
        history: Vec::new(),
        comment: None,
    }
}

/// Resolve `reference` (already expanded) to an image whose layers are in
/// the state's layer store.
pub fn resolve(state: &mut EngineState, reference: &str) -> Result<ImageRecord, BaseError> {
    if reference.eq_ignore_ascii_case("scratch") {
        return Ok(scratch());
    }
    if let Some(img) = state.image(reference) {
        return Ok(img.clone());
    }
    let catalog = Catalog::embedded().map_err(|e| BaseError::same(e.to_string()))?;
    let img = catalog.resolve(reference).map_err(|e| BaseError {
        buildkit: e.to_string(),
        classic: e.classic_message(),
        hint: e.hint(catalog),
    })?;
    let record = from_catalog(state, img)?;
    // As `docker build` pulls its base: the image is in the state now.
    state.tag_image(record.clone(), &normalize_tag(reference));
    Ok(record)
}

/// The changes of every layer of a catalog image: files as the catalog
/// lists them, their bytes produced only when something reads them.
fn layer_changes(layer: &CatalogLayer) -> LayerChanges {
    let mut changes = LayerChanges::new();
    for f in &layer.files {
        let Some(key) = PathKey::parse_lexical(f.path.trim_start_matches('/')) else {
            continue;
        };
        let blob = |content: &FileContent, size: u64| match content {
            FileContent::Text(t) => Blob::from(t.as_str()),
            FileContent::Lazy { seed } => Blob::lazy(size, *seed),
            FileContent::None => Blob::empty(),
        };
        let node = match &f.kind {
            FileKind::Dir => Node::dir(f.mode, f.uid, f.gid),
            FileKind::File => Node::file(blob(&f.content, f.size), f.mode, f.uid, f.gid),
            FileKind::Symlink { target } => Node::symlink(target.clone()),
            // A hard link shares its target's bytes; the layer's size (as
            // `docker history` counts it) counts them once.
            FileKind::Hardlink { target } => {
                let target = PathKey::parse_lexical(target.trim_start_matches('/'));
                match target.and_then(|t| changes.get(&t).cloned()) {
                    Some(Change::Put(n)) => n,
                    _ => Node::file(Blob::empty(), f.mode, f.uid, f.gid),
                }
            }
        };
        changes.insert(key, Change::Put(node));
    }
    changes
}

/// A catalog image as the engine sees it. Each layer's diff_id is the
/// sha256 of its generated tar, computed the first time the image is used
/// and remembered in the state.
fn from_catalog(state: &mut EngineState, img: &CatalogImage) -> Result<ImageRecord, BaseError> {
    let mut layers = Vec::new();
    for (i, l) in img.layers.iter().enumerate() {
        let key = format!("{}#{i}", img.reference);
        let changes = Arc::new(layer_changes(l));
        let diff_id = match state.catalog_layers.get(&key) {
            Some(d) => *d,
            None => {
                let d = digest_layer(&changes)
                    .map_err(|e| BaseError::same(format!("cannot generate {key}: {e}")))?
                    .diff_id;
                state.catalog_layers.insert(key.clone(), d);
                d
            }
        };
        state.catalog_sources.insert(diff_id, key);
        state.layers.insert_known(diff_id, changes);
        layers.push(LayerInfo {
            diff_id,
            size: l.size,
        });
    }
    let config = img
        .config
        .as_ref()
        .map(|c| RunConfig {
            env: c
                .env
                .iter()
                .map(|e| {
                    let (k, v) = e.split_once('=').unwrap_or((e, ""));
                    (k.to_string(), v.to_string())
                })
                .collect(),
            user: c.user.clone(),
            working_dir: c.working_dir.clone(),
            labels: c.labels.clone(),
            cmd: c.cmd.clone(),
            entrypoint: c.entrypoint.clone(),
            exposed_ports: c.exposed_ports.iter().cloned().collect(),
            volumes: c.volumes.iter().cloned().collect(),
            stop_signal: c.stop_signal.clone(),
            healthcheck: None,
            shell: c.shell.clone(),
            on_build: Vec::new(),
        })
        .unwrap_or_default();
    let history: Vec<HistoryRow> = img
        .history
        .iter()
        .map(|h| HistoryRow {
            created_by: h.created_by.clone(),
            size: h.size,
            empty_layer: h.empty_layer,
            comment: h.comment.clone(),
            built_in: 0,
        })
        .collect();
    let id = crate::engine::builder::image_id_of(&config, &layers, &history);
    Ok(ImageRecord {
        id,
        config,
        layers,
        history,
        comment: None,
    })
}

/// Regenerate a catalog layer from its key (`reference#index`), for a state
/// loaded from disk: catalog layers are never written there.
pub fn catalog_layer(key: &str) -> Option<Arc<LayerChanges>> {
    let (reference, index) = key.rsplit_once('#')?;
    let index: usize = index.parse().ok()?;
    let catalog = Catalog::embedded().ok()?;
    let img = catalog.resolve(reference).ok()?;
    img.layers.get(index).map(|l| Arc::new(layer_changes(l)))
}
