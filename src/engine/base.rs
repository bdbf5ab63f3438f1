//! Where a stage's `FROM` image comes from: an image in the engine state
//! (imported or built — it shadows the catalog's image of the same name),
//! else the embedded catalog, else Docker's "pull access denied".

use crate::engine::builder::{EngineState, ImageRecord, RunConfig};
use crate::engine::catalog::{Catalog, CatalogImage};
use crate::engine::digest::Digest;
use crate::engine::report::{HistoryRow, LayerInfo};

/// Why a base image cannot be had, worded per builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseError {
    pub buildkit: String,
    pub classic: String,
    pub hint: Option<String>,
}

/// Resolve `reference` (already expanded) to an image. `scratch` is the
/// empty image.
pub fn resolve(state: &EngineState, reference: &str) -> Result<ImageRecord, BaseError> {
    if reference.eq_ignore_ascii_case("scratch") {
        return Ok(ImageRecord {
            id: Digest::of(b"scratch"),
            config: RunConfig::default(),
            layers: Vec::new(),
            history: Vec::new(),
            comment: None,
        });
    }
    if let Some(img) = state.image(reference) {
        return Ok(img.clone());
    }
    let catalog = Catalog::embedded().map_err(|e| BaseError {
        buildkit: e.to_string(),
        classic: e.to_string(),
        hint: None,
    })?;
    match catalog.resolve(reference) {
        Ok(img) => Ok(from_catalog(img)),
        Err(e) => Err(BaseError {
            buildkit: e.to_string(),
            classic: e.classic_message(),
            hint: e.hint(catalog),
        }),
    }
}

/// A catalog image as the engine sees it. A layer's identity is the digest
/// of its description (files, sizes, seeds): its bytes are generated only
/// when something reads them.
fn from_catalog(img: &CatalogImage) -> ImageRecord {
    let layers: Vec<LayerInfo> = img
        .layers
        .iter()
        .map(|l| LayerInfo {
            diff_id: Digest::of(format!("{:?}", l.files).as_bytes()),
            size: l.size,
        })
        .collect();
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
    ImageRecord {
        id,
        config,
        layers,
        history,
        comment: None,
    }
}
