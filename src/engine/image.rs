//! Image configuration: the JSON document whose sha256 is the image ID.
//!
//! Field names and nesting are those of the OCI image config with Docker's
//! extensions (capitalised keys inside `config`, as Docker writes them).
//! Optional fields are omitted when unset, as BuildKit writes configs (Go
//! `omitempty`); `null` is accepted when reading, as older Docker configs
//! hold `"Cmd": null` and the like. `Entrypoint`/`Cmd` keep the difference
//! between unset (omitted) and set to an empty list (`[]`), which `CMD []`
//! and `ENTRYPOINT []` produce.
//!
//! Canonical form: keys in a fixed order (struct order; map keys sorted) and
//! no whitespace, so equal configs give equal bytes and so equal IDs. Keys
//! layerlab does not model (Docker's `container_config`, `docker_version`,
//! …) are kept verbatim so an imported config survives a round trip.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::filesystem::digest::Digest;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ImageConfig {
    /// RFC 3339 time, as Docker writes it (`2024-01-02T03:04:05.123456789Z`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    pub architecture: String,
    pub os: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub config: ContainerConfig,
    pub rootfs: RootFs,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub history: Vec<History>,
    /// Keys this model does not know, kept as they were.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// The runtime defaults a container of the image starts with.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub user: String,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub exposed_ports: BTreeMap<String, Empty>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub env: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub volumes: BTreeMap<String, Empty>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub working_dir: String,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub stop_signal: String,
    /// Windows-only in practice; Docker still records it for shell-form CMD.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "is_false"
    )]
    pub args_escaped: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub on_build: Vec<String>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub shell: Vec<String>,
    /// Keys this model does not know (`Hostname`, `Image`, …), kept as they were.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// The `{}` Docker stores as the value of `ExposedPorts` and `Volumes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Empty {}

/// `HEALTHCHECK`; durations in nanoseconds, as Docker stores them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    /// `["NONE"]`, `["CMD", …]` or `["CMD-SHELL", "…"]`.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub test: Vec<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub interval: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub timeout: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start_period: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start_interval: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootFs {
    /// Always `"layers"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Uncompressed layer digests, bottom layer first.
    #[serde(default, deserialize_with = "null_as_default")]
    pub diff_ids: Vec<Digest>,
}

impl Default for RootFs {
    fn default() -> Self {
        RootFs {
            kind: "layers".to_owned(),
            diff_ids: Vec::new(),
        }
    }
}

/// One row of `docker history`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct History {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub created_by: String,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub author: String,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub comment: String,
    /// The step made no layer (ENV, CMD, …). Omitted when false.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "is_false"
    )]
    pub empty_layer: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid image config: {0}")]
pub struct ImageConfigError(#[from] serde_json::Error);

impl ImageConfig {
    /// An empty config for a platform (`FROM scratch`).
    pub fn new(architecture: &str, os: &str) -> ImageConfig {
        ImageConfig {
            architecture: architecture.to_owned(),
            os: os.to_owned(),
            ..ImageConfig::default()
        }
    }

    /// The config with `author` set (`docker commit -a`), or as it was.
    pub fn with_author(mut self, author: Option<&str>) -> ImageConfig {
        if let Some(a) = author {
            self.author = Some(a.to_owned());
        }
        self
    }

    pub fn from_json(bytes: &[u8]) -> Result<ImageConfig, ImageConfigError> {
        Ok(serde_json::from_slice(bytes)?)
    }

    /// The canonical bytes: what the blob store holds and the ID hashes.
    pub fn canonical_json(&self) -> Vec<u8> {
        // Serializing plain structs, strings and string-keyed maps to a Vec
        // cannot fail; an empty document would still hash deterministically.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The image ID: sha256 of the canonical JSON.
    pub fn id(&self) -> Digest {
        Digest::of(&self.canonical_json())
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}

/// Go writes `null` for a nil slice or map; read it as empty.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of busybox's config as Docker Hub serves it (values
    /// abbreviated), with classic-builder keys layerlab does not model.
    const BUSYBOX: &str = r##"{"architecture":"amd64","config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"Image":"sha256:8a4eb3c8a4fe6d2bbd8b5d9bbf2f4a9c2b3c4c9e6cba4f5c1c9f8a3c2e1d0f9a","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"container":"1f2d3c4b","container_config":{"Cmd":["/bin/sh","-c","#(nop) ","CMD [\"sh\"]"]},"created":"2023-05-19T20:19:24.479578278Z","docker_version":"20.10.23","history":[{"created":"2023-05-19T20:19:24.311227166Z","created_by":"/bin/sh -c #(nop) ADD file:7e9002edaafd4e4579b65c8f0aaabde1aeb7fd3f8d95579f7fd3443cef785fd1 in / "},{"created":"2023-05-19T20:19:24.479578278Z","created_by":"/bin/sh -c #(nop)  CMD [\"sh\"]","empty_layer":true}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:9547b4c33213e630a0ca602a989ecc094e042146ae8afa502e1e65af6473db03"]}}"##;

    #[test]
    fn parses_a_real_config() {
        let config = ImageConfig::from_json(BUSYBOX.as_bytes()).expect("parses");
        assert_eq!(config.architecture, "amd64");
        assert_eq!(config.os, "linux");
        assert_eq!(config.config.cmd, Some(vec!["sh".to_owned()]));
        assert_eq!(config.config.entrypoint, None, "null is unset");
        assert!(config.config.volumes.is_empty());
        assert_eq!(config.rootfs.diff_ids.len(), 1);
        assert_eq!(config.history.len(), 2);
        assert!(config.history[1].empty_layer);
        assert!(config.extra.contains_key("docker_version"));
        assert!(config.extra.contains_key("container_config"));
        assert_eq!(
            config.config.extra.get("Hostname"),
            Some(&serde_json::Value::from(""))
        );
    }

    #[test]
    fn round_trip_is_stable() {
        let config = ImageConfig::from_json(BUSYBOX.as_bytes()).expect("parses");
        let bytes = config.canonical_json();
        let again = ImageConfig::from_json(&bytes).expect("re-parses");
        assert_eq!(again, config);
        assert_eq!(
            again.canonical_json(),
            bytes,
            "canonical bytes are a fixed point"
        );
        assert_eq!(again.id(), config.id());
    }

    #[test]
    fn writes_docker_field_names_and_omits_unset() {
        let mut config = ImageConfig::new("amd64", "linux");
        config
            .config
            .exposed_ports
            .insert("80/tcp".into(), Empty {});
        config.config.working_dir = "/app".into();
        config.config.cmd = Some(vec![]);
        config.config.healthcheck = Some(Healthcheck {
            test: vec!["CMD".into(), "true".into()],
            interval: 30_000_000_000,
            retries: 3,
            ..Healthcheck::default()
        });
        config.history.push(History {
            created_by: "ENV A=1".into(),
            comment: "buildkit.dockerfile.v0".into(),
            empty_layer: true,
            ..History::default()
        });
        config.history.push(History {
            created_by: "COPY . .".into(),
            ..History::default()
        });
        let json = String::from_utf8(config.canonical_json()).expect("utf-8");
        assert_eq!(
            json,
            concat!(
                r#"{"architecture":"amd64","os":"linux","config":{"ExposedPorts":{"80/tcp":{}},"Cmd":[],"WorkingDir":"/app","#,
                r#""Healthcheck":{"Test":["CMD","true"],"Interval":30000000000,"Retries":3}},"#,
                r#""rootfs":{"type":"layers","diff_ids":[]},"#,
                r#""history":[{"created_by":"ENV A=1","comment":"buildkit.dockerfile.v0","empty_layer":true},{"created_by":"COPY . ."}]}"#
            )
        );
    }

    #[test]
    fn id_depends_on_content_not_insertion_order() {
        let mut a = ImageConfig::new("amd64", "linux");
        a.config.labels.insert("b".into(), "2".into());
        a.config.labels.insert("a".into(), "1".into());
        let mut b = ImageConfig::new("amd64", "linux");
        b.config.labels.insert("a".into(), "1".into());
        b.config.labels.insert("b".into(), "2".into());
        assert_eq!(a.id(), b.id());
        b.config.env.push("X=1".into());
        assert_ne!(a.id(), b.id());
        assert_eq!(a.id(), Digest::of(&a.canonical_json()));
    }

    #[test]
    fn malformed_config_is_an_error() {
        let err = ImageConfig::from_json(br#"{"architecture":"amd64"}"#).expect_err("no os");
        assert!(
            err.to_string()
                .starts_with("invalid image config: missing field `os`"),
            "{err}"
        );
        assert!(ImageConfig::from_json(b"{").is_err());
        assert!(ImageConfig::from_json(
            br#"{"architecture":"a","os":"l","rootfs":{"type":"layers","diff_ids":["nope"]}}"#
        )
        .is_err());
    }
}
