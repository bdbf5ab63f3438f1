//! Where a stage's `FROM` image comes from: an image in the engine state
//! (imported or built — it shadows the catalog's image of the same name),
//! else the embedded catalog (then it stays in the state, as a pulled image
//! does), else Docker's "pull access denied".

use crate::engine::catalog::{Catalog, CatalogImage};
use crate::engine::layer::digest_layer;
use crate::engine::report::{HistoryRow, LayerInfo};
use crate::engine::store::{catalog_layer_key, image_id, EngineState, ImageRecord, RunConfig};
use crate::engine::transaction::Transaction;
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::LayerChanges;
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

/// The files of a base image's layers, oldest first: the image in the
/// state, else the catalog's (a preview resolves its base without keeping
/// it, so the catalog is where a never-built base's layers are).
pub fn base_layers(state: &mut EngineState, reference: &str) -> Vec<Arc<LayerChanges>> {
    if let Some(img) = state.image(reference) {
        let ids: Vec<Digest> = img.layers.iter().map(|l| l.diff_id).collect();
        return ids.iter().filter_map(|d| state.layer(d)).collect();
    }
    let Ok(catalog) = Catalog::embedded() else {
        return Vec::new();
    };
    catalog.resolve(reference).map_or_else(
        |_| Vec::new(),
        |img| img.layers.iter().map(|l| Arc::new(l.changes())).collect(),
    )
}

/// Resolve `reference` (already expanded) to an image whose layers are in
/// the state's layer store.
pub fn resolve(txn: &mut Transaction<'_>, reference: &str) -> Result<ImageRecord, BaseError> {
    if reference.eq_ignore_ascii_case("scratch") {
        return Ok(scratch());
    }
    if let Some(img) = txn.image(reference) {
        return Ok(img.clone());
    }
    let catalog = Catalog::embedded().map_err(|e| BaseError::same(e.to_string()))?;
    let img = catalog.resolve(reference).map_err(|e| BaseError {
        buildkit: e.to_string(),
        classic: e.classic_message(),
        hint: e.hint(catalog),
    })?;
    let record = from_catalog(txn, img)?;
    // As `docker build` pulls its base: the image is in the state now (once
    // the run is committed).
    txn.add_image(record.clone(), Some(reference));
    Ok(record)
}

/// A catalog image as the engine sees it. Each layer's diff_id is the
/// sha256 of its generated tar, computed the first time the image is used
/// and remembered in the state.
fn from_catalog(txn: &mut Transaction<'_>, img: &CatalogImage) -> Result<ImageRecord, BaseError> {
    let mut layers = Vec::new();
    for (i, l) in img.layers.iter().enumerate() {
        let key = catalog_layer_key(&img.reference, i);
        let changes = Arc::new(l.changes());
        let diff_id = match txn.catalog_layer_id(&key) {
            Some(d) => d,
            None => {
                digest_layer(&changes)
                    .map_err(|e| BaseError::same(format!("cannot generate {key}: {e}")))?
                    .diff_id
            }
        };
        txn.add_catalog_layer(key, diff_id, changes);
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
    let id = image_id(&config, &layers, &history);
    Ok(ImageRecord {
        id,
        config,
        layers,
        history,
        comment: None,
    })
}
