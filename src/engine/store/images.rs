//! The images the store holds: each one's record (config, layers, history),
//! the OCI config Docker would write for it, and the id derived from that
//! config.

use crate::engine::image;
use crate::engine::report::{HistoryRow, LayerInfo};
use crate::filesystem::digest::Digest;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The simulated clock's start (2026-11-28T03:20:00Z): builds advance it by
/// a minute each.
pub const SIMULATED_EPOCH: i64 = 1_764_300_000;

/// An image the engine knows: imported, built, or from the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageRecord {
    pub id: Digest,
    pub config: RunConfig,
    pub layers: Vec<LayerInfo>,
    /// Oldest first (the order of the config's history).
    pub history: Vec<HistoryRow>,
    /// `buildkit.dockerfile.v0` or `Imported from -` style comment for the
    /// image as a whole; None for classic builds.
    pub comment: Option<String>,
    /// `docker commit -a`: the config's `author`.
    #[serde(default)]
    pub author: Option<String>,
    /// Built by the classic builder: the key of its last step's cache
    /// record, whose image this one is (see `intermediates`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classic_step: Option<Digest>,
}

impl ImageRecord {
    /// The image config as `docker image inspect` would show it.
    pub fn oci(&self) -> image::ImageConfig {
        oci_config(
            &self.config,
            &self.layers,
            &self.history,
            self.comment.as_deref(),
        )
        .with_author(self.author.as_deref())
    }

    pub fn size(&self) -> u64 {
        self.layers.iter().map(|l| l.size).sum()
    }
}

/// The parts of an image config a Dockerfile can change. The builder's
/// edits (ENV, EXPOSE, HEALTHCHECK, …) are in `builder::config`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunConfig {
    pub env: Vec<(String, String)>,
    pub user: String,
    pub working_dir: String,
    pub labels: BTreeMap<String, String>,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub exposed_ports: BTreeSet<String>,
    pub volumes: BTreeSet<String>,
    pub stop_signal: Option<String>,
    pub healthcheck: Option<image::Healthcheck>,
    pub shell: Option<Vec<String>>,
    pub on_build: Vec<String>,
}

impl RunConfig {
    /// `Env` as the config lists it.
    pub fn env_list(&self) -> Vec<String> {
        self.env.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }
}

/// The image config Docker would write (OCI image spec), from which the
/// image id is derived.
fn oci_config(
    config: &RunConfig,
    layers: &[LayerInfo],
    history: &[HistoryRow],
    comment: Option<&str>,
) -> image::ImageConfig {
    let empty = |v: &BTreeSet<String>| v.iter().map(|k| (k.clone(), image::Empty {})).collect();
    let mut oci = image::ImageConfig::new("amd64", "linux");
    oci.created = history.last().map(|h| rfc3339(h.built_in));
    oci.config = image::ContainerConfig {
        user: config.user.clone(),
        exposed_ports: empty(&config.exposed_ports),
        env: config.env_list(),
        entrypoint: config.entrypoint.clone(),
        cmd: config.cmd.clone(),
        volumes: empty(&config.volumes),
        working_dir: config.working_dir.clone(),
        labels: config.labels.clone(),
        stop_signal: config.stop_signal.clone().unwrap_or_default(),
        healthcheck: config.healthcheck.clone(),
        on_build: config.on_build.clone(),
        shell: config.shell.clone().unwrap_or_default(),
        ..image::ContainerConfig::default()
    };
    oci.rootfs = image::RootFs {
        kind: "layers".into(),
        diff_ids: layers.iter().map(|l| l.diff_id).collect(),
    };
    oci.history = history
        .iter()
        .map(|h| image::History {
            created: Some(rfc3339(h.built_in)),
            created_by: h.created_by.clone(),
            comment: h.comment.clone(),
            empty_layer: h.empty_layer,
            ..image::History::default()
        })
        .collect();
    if let Some(c) = comment {
        oci.extra
            .insert("comment".into(), serde_json::Value::String(c.into()));
    }
    oci
}

/// The simulated time of a build, as RFC 3339 (a minute per build after
/// the simulated epoch; 0 is a base image's own time).
fn rfc3339(build: u64) -> String {
    let c = crate::calendar::civil(SIMULATED_EPOCH + i64::try_from(build).unwrap_or(0) * 60);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.min, c.sec
    )
}

/// The image id: sha256 of the canonical config JSON.
pub fn image_id(config: &RunConfig, layers: &[LayerInfo], history: &[HistoryRow]) -> Digest {
    oci_config(config, layers, history, None).id()
}
