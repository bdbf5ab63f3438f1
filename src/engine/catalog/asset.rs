//! The serialized form of `assets/catalog/*.toml` and its expansion into the
//! public catalog types. These serde types are ours (pattern 12): the asset
//! format never depends on a third-party type's serialization.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{CatalogFile, FileContent, FileKind};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetFile {
    #[serde(rename = "image", default)]
    pub images: Vec<AssetImage>,
    /// What the images' programs do: read by `engine::programs`.
    #[serde(rename = "program", default)]
    _programs: Vec<serde::de::IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetImage {
    /// The pinned familiar name, e.g. `node:20.17.0-bookworm`.
    pub reference: String,
    /// Other tags that pointed at the same image at the snapshot date.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The upstream version the tag is pinned to (`20.17.0`, `3.20.3`).
    pub version: String,
    /// A catalog image whose history and layers come first (`FROM` of the
    /// upstream Dockerfile).
    pub parent: Option<String>,
    /// Where the data comes from, for the honest-data rule.
    pub source: String,
    pub config: AssetConfig,
    #[serde(default)]
    pub history: Vec<AssetHistory>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetConfig {
    #[serde(default)]
    pub env: Vec<String>,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    #[serde(default)]
    pub working_dir: String,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub exposed_ports: Vec<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    pub stop_signal: Option<String>,
    #[serde(default)]
    pub volumes: Vec<String>,
    pub shell: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetHistory {
    /// RFC 3339, UTC.
    pub created: String,
    pub created_by: String,
    #[serde(default)]
    pub comment: String,
    pub empty_layer: bool,
    pub layer: Option<AssetLayer>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetLayer {
    /// Bytes as `docker history` reports them: regular-file bytes plus
    /// symlink target lengths.
    pub size: u64,
    /// True when `size` was derived rather than read from a real engine.
    #[serde(default)]
    pub approximate: bool,
    /// Directories this layer creates or changes (mode 0755, root).
    #[serde(default)]
    pub dirs: Vec<String>,
    #[serde(default)]
    pub files: Vec<AssetEntry>,
    #[serde(default)]
    pub fillers: Vec<AssetFiller>,
}

/// One explicit entry: exactly one of `dir = true`, `text`, `size`, `link`,
/// `hardlink`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetEntry {
    pub path: String,
    #[serde(default)]
    pub dir: bool,
    pub text: Option<String>,
    pub size: Option<u64>,
    pub link: Option<String>,
    pub hardlink: Option<String>,
    pub mode: Option<u32>,
    #[serde(default)]
    pub uid: u32,
    #[serde(default)]
    pub gid: u32,
}

/// `count` regular files in `dir` totalling `bytes`, named from `name`
/// (`{}` becomes a zero-padded index): the bulk of a big layer without
/// listing every file of a real image.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetFiller {
    pub dir: String,
    pub count: u32,
    pub bytes: u64,
    #[serde(default = "default_filler_name")]
    pub name: String,
    pub mode: Option<u32>,
}

fn default_filler_name() -> String {
    "file-{}".to_string()
}

/// FNV-1a: a tiny, stable hash so lazy file seeds never change between
/// releases or platforms (std's hashers promise no such stability).
pub fn stable_seed(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

impl AssetEntry {
    pub fn expand(&self, layer_key: &str) -> Result<CatalogFile, String> {
        let chosen = [
            self.dir,
            self.text.is_some(),
            self.size.is_some(),
            self.link.is_some(),
            self.hardlink.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if chosen != 1 {
            return Err(format!(
                "{}: give exactly one of dir, text, size, link, hardlink",
                self.path
            ));
        }
        let (kind, size, content, default_mode) = if self.dir {
            (FileKind::Dir, 0, FileContent::None, 0o755)
        } else if let Some(text) = &self.text {
            let size = text.len() as u64;
            (FileKind::File, size, FileContent::Text(text.clone()), 0o644)
        } else if let Some(size) = self.size {
            let seed = stable_seed(&[layer_key, &self.path]);
            (FileKind::File, size, FileContent::Lazy { seed }, 0o644)
        } else if let Some(target) = &self.link {
            let kind = FileKind::Symlink {
                target: target.clone(),
            };
            (kind, target.len() as u64, FileContent::None, 0o777)
        } else if let Some(target) = &self.hardlink {
            let kind = FileKind::Hardlink {
                target: target.clone(),
            };
            (kind, 0, FileContent::None, 0o755)
        } else {
            return Err(format!("{}: no content", self.path));
        };
        Ok(CatalogFile {
            path: self.path.clone(),
            kind,
            mode: self.mode.unwrap_or(default_mode),
            uid: self.uid,
            gid: self.gid,
            size,
            content,
        })
    }
}

impl AssetFiller {
    pub fn expand(&self, layer_key: &str, out: &mut Vec<CatalogFile>) -> Result<(), String> {
        if self.count == 0 {
            return Err(format!("filler {}: count must be at least 1", self.dir));
        }
        if !self.name.contains("{}") {
            return Err(format!(
                "filler {}: name needs a {{}} placeholder",
                self.dir
            ));
        }
        let count = u64::from(self.count);
        let base = self.bytes / count;
        let extra = self.bytes % count;
        for i in 0..count {
            let name = self.name.replace("{}", &format!("{i:04}"));
            let path = format!("{}/{}", self.dir.trim_end_matches('/'), name);
            let size = base + u64::from(i < extra);
            out.push(CatalogFile {
                content: FileContent::Lazy {
                    seed: stable_seed(&[layer_key, &path]),
                },
                path,
                kind: FileKind::File,
                mode: self.mode.unwrap_or(0o644),
                uid: 0,
                gid: 0,
                size,
            });
        }
        Ok(())
    }
}
