//! `docker import ROOTFS.tar NAME[:TAG]`: an image of one layer made from a
//! root filesystem tarball, with an empty config.

use crate::engine::layer::{read_tar, ImportError};
use crate::engine::report::{HistoryRow, LayerInfo};
use crate::engine::store::{image_id, EngineState, ImageRecord, RunConfig};
use std::io::Read;
use std::sync::Arc;

/// Import `tar` as a new image tagged `name`. Docker keeps an imported,
/// uncompressed tar as it is, so the layer's diff_id is the sha256 of the
/// input bytes; its size is what `docker history` shows (regular-file bytes
/// plus symlink target lengths).
pub fn import_tar(
    state: &mut EngineState,
    tar: impl Read,
    name: &str,
) -> Result<ImageRecord, ImportError> {
    let imported = read_tar(tar)?;
    let layer = LayerInfo {
        diff_id: imported.layer.diff_id,
        size: imported.layer.size,
    };
    state
        .layers
        .insert(layer.diff_id, Arc::new(imported.changes));
    let history = vec![HistoryRow {
        created_by: String::new(),
        size: layer.size,
        empty_layer: false,
        comment: "Imported from -".into(),
        built_in: 0,
    }];
    let config = RunConfig::default();
    let id = image_id(&config, std::slice::from_ref(&layer), &history);
    let image = ImageRecord {
        classic_step: None,
        author: None,
        id,
        config,
        layers: vec![layer],
        history,
        comment: Some("Imported from -".into()),
    };
    state.tag_image(image.clone(), name);
    Ok(image)
}
