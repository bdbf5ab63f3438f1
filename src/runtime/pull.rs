//! Stand-in for a registry pull: before a build, every FROM image the
//! engine does not know yet is taken from the embedded base-image catalog
//! and stored in the engine state (as `docker pull` would), so the example
//! builds offline. The builder does not consult the catalog itself yet;
//! when it does, this goes.

use crate::engine::builder::{image_id_of, EngineState, ImageRecord, RunConfig};
use crate::engine::catalog::{Catalog, CatalogImage};
use crate::engine::digest::Digest;
use crate::engine::report::{HistoryRow, LayerInfo};

/// The image references of the FROM lines of `text` (not stages, not
/// scratch, not ones with variables the builder would expand).
pub fn from_references(text: &str) -> Vec<String> {
    let Ok(file) = crate::dockerfile::parse(text) else {
        return Vec::new();
    };
    let mut stages: Vec<String> = Vec::new();
    let mut refs = Vec::new();
    for ins in &file.instructions {
        if ins.keyword != crate::dockerfile::Keyword::From {
            continue;
        }
        let values: Vec<&str> = ins.values().collect();
        let Some(image) = values.first() else {
            continue;
        };
        let lower = image.to_ascii_lowercase();
        // Not scratch, not an earlier stage, nothing left to expand.
        if !(image.contains('$') || lower == "scratch" || stages.contains(&lower)) {
            refs.push(image.to_string());
        }
        if let (Some(kw), Some(name)) = (values.get(1), values.get(2)) {
            if kw.eq_ignore_ascii_case("as") {
                stages.push(name.to_ascii_lowercase());
            }
        }
    }
    refs
}

fn record(img: &CatalogImage) -> ImageRecord {
    let mut config = RunConfig::default();
    if let Some(c) = &img.config {
        config.env = c
            .env
            .iter()
            .map(|e| match e.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (e.clone(), String::new()),
            })
            .collect();
        config.cmd = c.cmd.clone();
        config.entrypoint = c.entrypoint.clone();
        config.working_dir = c.working_dir.clone();
        config.user = c.user.clone();
        config.exposed_ports = c.exposed_ports.iter().cloned().collect();
        config.labels = c.labels.clone();
        config.stop_signal = c.stop_signal.clone();
        config.volumes = c.volumes.iter().cloned().collect();
        config.shell = c.shell.clone();
    }
    let layers: Vec<LayerInfo> = img
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| LayerInfo {
            diff_id: Digest::of(format!("{} layer {i} {}", img.reference, l.created_by).as_bytes()),
            size: l.size,
        })
        .collect();
    let history: Vec<HistoryRow> = img
        .history
        .iter()
        .map(|h| HistoryRow {
            created_by: h.created_by.clone(),
            size: h.size,
            empty_layer: h.empty_layer,
            comment: h.comment.clone(),
        })
        .collect();
    let id = image_id_of(&config, &layers, &history);
    ImageRecord {
        id,
        config,
        layers,
        history,
        comment: None,
    }
}

/// Store the catalog's image for every unknown FROM reference of `text`.
/// Returns whether the engine state changed.
pub fn pull_bases(engine: &mut EngineState, text: &str) -> bool {
    let Ok(catalog) = Catalog::embedded() else {
        return false;
    };
    let mut changed = false;
    for reference in from_references(text) {
        if engine.image(&reference).is_some() {
            continue;
        }
        if let Ok(img) = catalog.resolve(&reference) {
            if img.is_scratch() {
                continue;
            }
            engine.tag_image(record(img), &reference);
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_base_is_pulled_once() {
        let mut engine = EngineState::default();
        assert!(pull_bases(&mut engine, "FROM diamol/node\nCMD x\n"));
        let img = engine.image("diamol/node").expect("pulled");
        assert!(img.size() > 0);
        assert!(!pull_bases(&mut engine, "FROM diamol/node\n"));
    }

    #[test]
    fn stages_and_scratch_are_not_references() {
        let refs = from_references("FROM alpine AS build\nFROM build\nFROM scratch\nFROM ${X}\n");
        assert_eq!(refs, vec!["alpine"]);
    }
}
