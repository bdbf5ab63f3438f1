//! `docker save` and `docker load`: the docker-archive format — a tar of
//! `manifest.json` (each image's config file, tags and layer files), each
//! config as `<hex>.json` and each layer as `<diff_id hex>/layer.tar` —
//! which a real `docker load` accepts and layerlab reads back.
//!
//! A layer's tar is the one its diff_id was computed from, so the engine
//! that loads it finds the same diff_ids; the config is the image's own
//! (what `docker image inspect` then shows).

use crate::engine::image::ImageConfig;
use crate::engine::layer::{read_tar, write_layer};
use crate::engine::report::{HistoryRow, LayerInfo};
use crate::engine::store::{normalize_tag, EngineState, ImageRecord, RunConfig};
use crate::filesystem::digest::Digest;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

/// One entry of `manifest.json`, with docker's field names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

/// Why an archive could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("No such image: {0}")]
    NoSuchImage(String),
    #[error("layer {0} is not in the store")]
    MissingLayer(Digest),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("invalid archive: {0}")]
    Invalid(String),
}

/// `docker save REF…`: the archive's bytes.
pub fn save(state: &mut EngineState, references: &[String]) -> Result<Vec<u8>, ArchiveError> {
    let mut entries = Vec::new();
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for reference in references {
        let image = state
            .image(reference)
            .cloned()
            .or_else(|| by_id_prefix(state, reference))
            .ok_or_else(|| ArchiveError::NoSuchImage(reference.clone()))?;
        let config = image.oci().canonical_json();
        let config_name = format!("{}.json", Digest::of(&config).hex());
        files.insert(config_name.clone(), config);
        let mut layers = Vec::new();
        for l in &image.layers {
            let name = format!("{}/layer.tar", l.diff_id.hex());
            if !files.contains_key(&name) {
                let changes = state
                    .layer(&l.diff_id)
                    .ok_or(ArchiveError::MissingLayer(l.diff_id))?;
                let (_, bytes) = write_layer(&changes, Vec::new())?;
                files.insert(name.clone(), bytes);
            }
            layers.push(name);
        }
        // A reference that is a tag names the image by it; an id saves it
        // without tags.
        let tagged = state.tags.contains_key(&normalize_tag(reference));
        entries.push(ManifestEntry {
            config: config_name,
            repo_tags: tagged.then(|| vec![normalize_tag(reference)]),
            layers,
        });
    }
    let manifest =
        serde_json::to_vec(&entries).map_err(|e| ArchiveError::Invalid(e.to_string()))?;
    files.insert("manifest.json".into(), manifest);
    let mut builder = tar::Builder::new(Vec::new());
    let mut dirs: Vec<String> = Vec::new();
    for (name, bytes) in &files {
        if let Some((dir, _)) = name.split_once('/') {
            if !dirs.iter().any(|d| d == dir) {
                dirs.push(dir.to_owned());
                let mut header = tar::Header::new_ustar();
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                builder.append_data(&mut header, format!("{dir}/"), std::io::empty())?;
            }
        }
        let mut header = tar::Header::new_ustar();
        header.set_mode(0o644);
        header.set_size(bytes.len() as u64);
        builder.append_data(&mut header, name, bytes.as_slice())?;
    }
    Ok(builder.into_inner()?)
}

fn by_id_prefix(state: &EngineState, reference: &str) -> Option<ImageRecord> {
    let hex = reference.strip_prefix("sha256:").unwrap_or(reference);
    let mut found = state
        .images
        .values()
        .filter(|i| hex.len() >= 4 && i.id.hex().starts_with(hex));
    match (found.next(), found.next()) {
        (Some(i), None) => Some(i.clone()),
        _ => None,
    }
}

/// What `docker load` loaded: per image, its tags (or its id when it came
/// without one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    Tag(String),
    Id(Digest),
}

/// `docker load`: every image of the archive into the store, tagged as the
/// manifest says. The image id is the sha256 of the config file, as docker
/// makes it.
pub fn load(state: &mut EngineState, archive: impl Read) -> Result<Vec<Loaded>, ArchiveError> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut tar = tar::Archive::new(archive);
    for entry in tar.entries()? {
        let mut entry = entry?;
        if entry.header().entry_type().is_dir() {
            continue;
        }
        let path = entry
            .path()?
            .to_string_lossy()
            .trim_start_matches("./")
            .to_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        files.insert(path, bytes);
    }
    let manifest = files
        .get("manifest.json")
        .ok_or_else(|| ArchiveError::Invalid("no manifest.json".into()))?;
    let entries: Vec<ManifestEntry> =
        serde_json::from_slice(manifest).map_err(|e| ArchiveError::Invalid(e.to_string()))?;
    let mut loaded = Vec::new();
    for entry in entries {
        let config_bytes = files
            .get(&entry.config)
            .ok_or_else(|| ArchiveError::Invalid(format!("no {}", entry.config)))?;
        let oci = ImageConfig::from_json(config_bytes)
            .map_err(|e| ArchiveError::Invalid(e.to_string()))?;
        let mut layers = Vec::new();
        for (name, want) in entry.layers.iter().zip(&oci.rootfs.diff_ids) {
            let bytes = files
                .get(name)
                .ok_or_else(|| ArchiveError::Invalid(format!("no {name}")))?;
            let imported =
                read_tar(bytes.as_slice()).map_err(|e| ArchiveError::Invalid(e.to_string()))?;
            if imported.layer.diff_id != *want {
                return Err(ArchiveError::Invalid(format!(
                    "layer {name} has diff_id {}, its config says {want}",
                    imported.layer.diff_id
                )));
            }
            state.layers.insert(*want, Arc::new(imported.changes));
            layers.push(LayerInfo {
                diff_id: *want,
                size: imported.layer.size,
            });
        }
        let image = record_of(&oci, layers, Digest::of(config_bytes));
        let id = image.id;
        match entry.repo_tags.filter(|t| !t.is_empty()) {
            Some(tags) => {
                for tag in tags {
                    state.tag_image(image.clone(), &tag);
                    loaded.push(Loaded::Tag(normalize_tag(&tag)));
                }
            }
            None => {
                state.images.insert(id, image);
                loaded.push(Loaded::Id(id));
            }
        }
    }
    Ok(loaded)
}

/// The engine's record of a loaded config: its run config, its layers and
/// its history rows (sizes from the layers, in order).
fn record_of(oci: &ImageConfig, layers: Vec<LayerInfo>, id: Digest) -> ImageRecord {
    let c = &oci.config;
    let config = RunConfig {
        env: c
            .env
            .iter()
            .map(|e| {
                let (k, v) = e.split_once('=').unwrap_or((e, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect(),
        user: c.user.clone(),
        working_dir: c.working_dir.clone(),
        labels: c.labels.clone(),
        cmd: c.cmd.clone(),
        entrypoint: c.entrypoint.clone(),
        exposed_ports: c.exposed_ports.keys().cloned().collect(),
        volumes: c.volumes.keys().cloned().collect(),
        stop_signal: (!c.stop_signal.is_empty()).then(|| c.stop_signal.clone()),
        healthcheck: c.healthcheck.clone(),
        shell: (!c.shell.is_empty()).then(|| c.shell.clone()),
        on_build: c.on_build.clone(),
    };
    let mut sizes = layers.iter().map(|l| l.size);
    let history = oci
        .history
        .iter()
        .map(|h| HistoryRow {
            created_by: h.created_by.clone(),
            size: if h.empty_layer {
                0
            } else {
                sizes.next().unwrap_or(0)
            },
            empty_layer: h.empty_layer,
            comment: h.comment.clone(),
            built_in: 0,
        })
        .collect();
    let comment = oci
        .extra
        .get("comment")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    ImageRecord {
        classic_step: None,
        author: oci.author.clone(),
        id,
        config,
        layers,
        history,
        comment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filesystem::blob::Blob;
    use crate::filesystem::rootfs::{Change, LayerChanges, Node, PathKey};

    #[test]
    fn a_saved_image_loads_back_with_its_layers_and_config() {
        let mut state = EngineState::default();
        let mut changes = LayerChanges::new();
        changes.insert(
            PathKey::parse_lexical("app").unwrap(),
            Change::Put(Node::dir(0o755, 0, 0)),
        );
        changes.insert(
            PathKey::parse_lexical("app/x").unwrap(),
            Change::Put(Node::file(Blob::from("hi\n"), 0o644, 0, 0)),
        );
        let layer = state.layers.put(Arc::new(changes)).unwrap();
        let mut image = ImageRecord {
            classic_step: None,
            author: Some("me".into()),
            id: Digest::of(b""),
            config: RunConfig {
                env: vec![("TARGET".into(), "a.com".into())],
                cmd: Some(vec!["sh".into()]),
                ..RunConfig::default()
            },
            layers: vec![layer.clone()],
            history: vec![HistoryRow {
                created_by: "COPY x /app/x".into(),
                size: layer.size,
                empty_layer: false,
                comment: String::new(),
                built_in: 1,
            }],
            comment: None,
        };
        image.id = image.oci().id();
        state.tag_image(image.clone(), "exp:v1");
        let bytes = save(&mut state, &["exp:v1".into()]).unwrap();

        let mut other = EngineState::default();
        let loaded = load(&mut other, bytes.as_slice()).unwrap();
        assert_eq!(loaded, vec![Loaded::Tag("exp:v1".into())]);
        let back = other.image("exp:v1").unwrap();
        assert_eq!(back.id, image.id, "the config's bytes are the image's");
        assert_eq!(back.layers, image.layers);
        assert_eq!(back.config, image.config);
        assert_eq!(back.author.as_deref(), Some("me"));
        assert!(other.layers.get(&layer.diff_id).is_some());
        assert!(matches!(
            save(&mut state, &["nosuch".into()]),
            Err(ArchiveError::NoSuchImage(_))
        ));
        assert!(load(&mut other, &b"not a tar"[..]).is_err());
    }
}
