//! Where a stage's `FROM` image comes from: an image in the engine state
//! (imported or built — it shadows the catalog's image of the same name),
//! else the embedded catalog (then it stays in the state, as a pulled image
//! does), else Docker's "pull access denied".

use crate::engine::catalog::{Catalog, CatalogImage};
use crate::engine::layer::digest_layer;
use crate::engine::report::{HistoryRow, LayerInfo};
use crate::engine::store::{
    catalog_layer_key, image_id, normalize_tag, EngineState, ImageRecord, RunConfig,
};
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
        classic_step: None,
        author: None,
        id: Digest::of(b"scratch"),
        config: RunConfig::default(),
        layers: Vec::new(),
        history: Vec::new(),
        comment: None,
    }
}

/// The files of a base image's layers, oldest first: the image in the
/// state (its layers found through `layer`, which knows where the caller
/// keeps them), else the catalog's (a preview resolves its base without
/// keeping it, so the catalog is where a never-built base's layers are).
pub fn base_layers(
    state: &EngineState,
    reference: &str,
    mut layer: impl FnMut(&Digest) -> Option<Arc<LayerChanges>>,
) -> Vec<Arc<LayerChanges>> {
    if let Some(img) = state.image(reference) {
        return img
            .layers
            .iter()
            .filter_map(|l| layer(&l.diff_id))
            .collect();
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
        classic_step: None,
        author: None,
        id,
        config,
        layers,
        history,
        comment: None,
    })
}

/// What `docker pull` did: the image as the registry (the catalog) names
/// it, each layer and whether the engine had it already, the manifest's
/// digest, and whether the tag already named this image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    /// The reference as docker parses it (`docker.io/library/busybox:latest`).
    pub reference: crate::engine::catalog::Reference,
    pub layers: Vec<(Digest, bool)>,
    pub digest: Digest,
    pub up_to_date: bool,
    pub image: Digest,
}

/// `docker pull REFERENCE` from the catalog, which stands for the registry:
/// the image is stored and tagged as docker tags a pulled image. The
/// manifest digest is derived from the image (layerlab has no registry
/// manifest), so it is the same for every pull of the same image.
pub fn pull(state: &mut EngineState, reference: &str) -> Result<Pulled, BaseError> {
    let parsed = crate::engine::catalog::Reference::parse(reference).map_err(|e| BaseError {
        buildkit: e.to_string(),
        classic: e.classic_message(),
        hint: None,
    })?;
    let catalog = Catalog::embedded().map_err(|e| BaseError::same(e.to_string()))?;
    let img = catalog.resolve(reference).map_err(|e| BaseError {
        buildkit: e.to_string(),
        classic: e.classic_message(),
        hint: e.hint(catalog),
    })?;
    let had: std::collections::BTreeSet<Digest> = state
        .images
        .values()
        .flat_map(|i| i.layers.iter().map(|l| l.diff_id))
        .collect();
    // The layers are generated in a transaction over the store, as a
    // build's FROM pulls them, then committed.
    let mut memo = std::mem::take(&mut state.memo);
    let mut txn = Transaction::begin(state, &mut memo);
    let record = from_catalog(&mut txn, img);
    let writes = txn.finish();
    state.memo = memo;
    let record = record?;
    let builds = state.builds;
    writes.commit(state, builds);
    let tag = normalize_tag(&parsed.familiar());
    let up_to_date = state.image(&tag).is_some_and(|i| i.id == record.id);
    let layers = record
        .layers
        .iter()
        .map(|l| (l.diff_id, had.contains(&l.diff_id)))
        .collect();
    let digest = manifest_digest(&record);
    let image = record.id;
    state.tag_image(record, &tag);
    Ok(Pulled {
        reference: parsed,
        layers,
        digest,
        up_to_date,
        image,
    })
}

/// The digest `docker pull` and `docker images --digests` show for a
/// catalog image: a stand-in for the registry manifest's, fixed by the
/// image's id.
pub fn manifest_digest(image: &ImageRecord) -> Digest {
    Digest::of(format!("layerlab registry manifest {}", image.id).as_bytes())
}
