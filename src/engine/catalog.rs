//! The offline base-image catalog: what `FROM node:20` finds without a
//! registry. Each image carries the layer structure, config and history of
//! the real linux/amd64 image at a pinned version, plus a file tree good
//! enough to list and to `COPY --from`.
//!
//! The data lives in `assets/catalog/*.toml`, embedded at compile time, so
//! the binary needs no files around it. Sizes that could not be read from a
//! real engine are marked `approximate` in the assets.

mod asset;
mod reference;

use crate::filesystem::blob::Blob;
use crate::filesystem::rootfs::{Change, LayerChanges, Node, PathKey};
use crate::messages::Message;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

pub use reference::Reference;

/// Every catalog asset, embedded. Order matters only for error messages.
pub(crate) const ASSETS: &[(&str, &str)] = &[
    (
        "busybox.toml",
        include_str!("../../assets/catalog/busybox.toml"),
    ),
    (
        "alpine.toml",
        include_str!("../../assets/catalog/alpine.toml"),
    ),
    (
        "debian.toml",
        include_str!("../../assets/catalog/debian.toml"),
    ),
    (
        "ubuntu.toml",
        include_str!("../../assets/catalog/ubuntu.toml"),
    ),
    (
        "buildpack-deps.toml",
        include_str!("../../assets/catalog/buildpack-deps.toml"),
    ),
    ("node.toml", include_str!("../../assets/catalog/node.toml")),
    (
        "diamol.toml",
        include_str!("../../assets/catalog/diamol.toml"),
    ),
    (
        "python.toml",
        include_str!("../../assets/catalog/python.toml"),
    ),
    (
        "nginx.toml",
        include_str!("../../assets/catalog/nginx.toml"),
    ),
    (
        "golang.toml",
        include_str!("../../assets/catalog/golang.toml"),
    ),
];

/// The only platform the catalog describes.
pub const PLATFORM: &str = "linux/amd64";

/// `FROM scratch`: Docker's reserved empty base.
pub const SCRATCH: &str = "scratch";

/// Why a reference did not resolve, worded the way `docker build` words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("invalid reference format: {reason}: {reference}")]
    InvalidReference { reference: String, reason: String },
    #[error(
        "{reference}: digest references (@sha256:…) are not supported by the offline image catalog; use a tag"
    )]
    DigestUnsupported { reference: String },
    /// The repository is not in the catalog: BuildKit's text when Docker Hub
    /// says the repository does not exist.
    #[error(
        "failed to resolve source metadata for {full}: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
    )]
    RepositoryNotFound {
        full: String,
        familiar_repository: String,
    },
    /// The repository is known but not this tag.
    #[error("failed to resolve source metadata for {full}: {full}: not found")]
    TagNotFound { full: String, familiar: String },
    /// A malformed asset: a bug in `assets/catalog`, caught by the tests.
    #[error("catalog asset {file}: {message}")]
    Asset { file: String, message: String },
}

impl CatalogError {
    /// The same failure as the classic builder (`DOCKER_BUILDKIT=0`) prints it.
    pub fn classic_message(&self) -> String {
        match self {
            CatalogError::RepositoryNotFound {
                familiar_repository,
                ..
            } => format!(
                "pull access denied for {familiar_repository}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied"
            ),
            CatalogError::TagNotFound { familiar, .. } => {
                format!("manifest for {familiar} not found: manifest unknown: manifest unknown")
            }
            other => other.to_string(),
        }
    }

    /// What a learner can use instead: the catalog's tags (of the same
    /// repository when only the tag was wrong).
    pub fn hint(&self, catalog: &Catalog) -> Option<Message> {
        match self {
            CatalogError::RepositoryNotFound { .. } => {
                Some(Message::new("hint.known_images").arg("images", catalog.names().join(", ")))
            }
            CatalogError::TagNotFound { familiar, .. } => {
                let repository = familiar.rsplit_once(':').map_or(familiar.as_str(), |p| p.0);
                let tags: Vec<String> = catalog
                    .names()
                    .into_iter()
                    .filter(|n| n.rsplit_once(':').is_some_and(|p| p.0 == repository))
                    .collect();
                Some(
                    Message::new("hint.known_tags")
                        .arg("repository", repository)
                        .arg("tags", tags.join(", ")),
                )
            }
            CatalogError::DigestUnsupported { .. } => Some(Message::new("hint.use_a_tag")),
            _ => None,
        }
    }
}

/// An image config as `docker inspect` shows it (the parts a build uses).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageConfig {
    pub env: Vec<String>,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub working_dir: String,
    pub user: String,
    /// `80/tcp`.
    pub exposed_ports: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub stop_signal: Option<String>,
    pub volumes: Vec<String>,
    pub shell: Option<Vec<String>>,
}

/// What a catalog path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    File,
    Dir,
    Symlink {
        target: String,
    },
    /// A hard link to an earlier path of the same layer (busybox's applets).
    Hardlink {
        target: String,
    },
}

/// Where a regular file's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileContent {
    /// Directories and links.
    None,
    /// Real text (os-release, passwd, nginx.conf, …).
    Text(String),
    /// `size` deterministic pseudo-random bytes generated from `seed`.
    Lazy { seed: u64 },
}

/// One path of a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogFile {
    /// Absolute, no trailing slash.
    pub path: String,
    pub kind: FileKind,
    /// Permission bits (e.g. 0o755).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Bytes this entry adds to the layer size: file length, symlink
    /// target length, 0 for directories and hard links.
    pub size: u64,
    pub content: FileContent,
}

/// One filesystem layer of a catalog image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogLayer {
    /// As `docker history` reports it; equals the sum of `files[].size`.
    pub size: u64,
    /// True when the size is derived, not read from a real engine.
    pub approximate: bool,
    pub created_by: String,
    /// Directories first, then files, in the asset's order.
    pub files: Vec<CatalogFile>,
}

impl CatalogLayer {
    /// The layer as a root filesystem's changes: files as the catalog lists
    /// them, their bytes produced only when something reads them.
    pub fn changes(&self) -> LayerChanges {
        let mut changes = LayerChanges::new();
        for f in &self.files {
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
}

/// One row of `docker history`, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// RFC 3339, UTC.
    pub created: String,
    pub created_by: String,
    pub comment: String,
    pub empty_layer: bool,
    /// 0 for empty layers.
    pub size: u64,
}

/// A resolvable base image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogImage {
    /// Normalised pinned reference, e.g. `docker.io/library/node:20.17.0-bookworm`;
    /// `scratch` for scratch.
    pub reference: String,
    /// Other normalised references of the same image (`…/node:20`, `…/node:lts`).
    pub aliases: Vec<String>,
    /// Upstream version the tag is pinned to.
    pub version: String,
    pub platform: String,
    /// `None` only for scratch, which has no config at all.
    pub config: Option<ImageConfig>,
    pub layers: Vec<CatalogLayer>,
    pub history: Vec<HistoryRow>,
    /// Where the data comes from and what in it is approximate.
    pub source: String,
}

impl CatalogImage {
    pub fn is_scratch(&self) -> bool {
        self.reference == SCRATCH
    }

    /// `node:20.17.0-bookworm`, `diamol/node:latest`, `scratch`.
    pub fn familiar(&self) -> String {
        familiar_of(&self.reference)
    }

    /// Total of the layer sizes: the SIZE column of `docker images`.
    pub fn size(&self) -> u64 {
        self.layers.iter().map(|l| l.size).sum()
    }

    /// True when any layer size is derived rather than measured.
    pub fn is_approximate(&self) -> bool {
        self.layers.iter().any(|l| l.approximate)
    }

    fn scratch() -> Self {
        CatalogImage {
            reference: SCRATCH.to_string(),
            aliases: Vec::new(),
            version: String::new(),
            platform: PLATFORM.to_string(),
            config: None,
            layers: Vec::new(),
            history: Vec::new(),
            source: "Docker's reserved empty image; nothing is pulled".to_string(),
        }
    }
}

fn familiar_of(reference: &str) -> String {
    Reference::parse(reference).map_or_else(|_| reference.to_string(), |r| r.familiar())
}

/// All catalog images, indexed by every normalised reference.
#[derive(Debug)]
pub struct Catalog {
    scratch: CatalogImage,
    images: Vec<CatalogImage>,
    index: BTreeMap<String, usize>,
}

impl Catalog {
    /// The catalog built into the binary, parsed once. A malformed asset is
    /// a bug the tests catch; it still surfaces as an error, not a panic.
    pub fn embedded() -> Result<&'static Catalog, CatalogError> {
        static EMBEDDED: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
        EMBEDDED
            .get_or_init(|| Catalog::from_assets(ASSETS))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Builds a catalog from `(file name, TOML text)` pairs, checking every
    /// invariant the engine relies on.
    pub fn from_assets(assets: &[(&str, &str)]) -> Result<Catalog, CatalogError> {
        let mut parsed: Vec<(String, asset::AssetImage)> = Vec::new();
        for (file, text) in assets {
            let doc: asset::AssetFile = toml::from_str(text).map_err(|e| CatalogError::Asset {
                file: (*file).to_string(),
                message: e.to_string(),
            })?;
            parsed.extend(doc.images.into_iter().map(|i| ((*file).to_string(), i)));
        }
        let mut builder = Builder {
            parsed,
            built: BTreeMap::new(),
            in_progress: BTreeSet::new(),
        };
        let mut images = Vec::new();
        for i in 0..builder.parsed.len() {
            images.push(builder.build(i)?);
        }
        let mut index = BTreeMap::new();
        for (i, image) in images.iter().enumerate() {
            for name in std::iter::once(&image.reference).chain(&image.aliases) {
                if index.insert(name.clone(), i).is_some() {
                    return Err(CatalogError::Asset {
                        file: image.familiar(),
                        message: format!("{name} is defined twice"),
                    });
                }
            }
        }
        Ok(Catalog {
            scratch: CatalogImage::scratch(),
            images,
            index,
        })
    }

    /// Finds the image `reference` names, normalising it as Docker does.
    pub fn resolve(&self, reference: &str) -> Result<&CatalogImage, CatalogError> {
        if reference.trim() == SCRATCH {
            return Ok(&self.scratch);
        }
        let parsed = Reference::parse(reference)?;
        let full = parsed.full();
        if let Some(&i) = self.index.get(&full) {
            return Ok(&self.images[i]);
        }
        let repository_prefix = format!("{}/{}:", parsed.domain, parsed.path);
        if self.index.keys().any(|k| k.starts_with(&repository_prefix)) {
            return Err(CatalogError::TagNotFound {
                familiar: parsed.familiar(),
                full,
            });
        }
        Err(CatalogError::RepositoryNotFound {
            familiar_repository: parsed.familiar_repository(),
            full,
        })
    }

    /// The images, in asset order (scratch not included).
    pub fn images(&self) -> &[CatalogImage] {
        &self.images
    }

    /// Every resolvable name in familiar form (`alpine:3.20`, `node:lts`,
    /// `scratch`, …), sorted: for listings and hints.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.index.keys().map(|k| familiar_of(k)).collect();
        names.push(SCRATCH.to_string());
        names.sort();
        names
    }
}

/// Expands assets into images, resolving `parent` links (any order, no cycles).
struct Builder {
    parsed: Vec<(String, asset::AssetImage)>,
    built: BTreeMap<usize, CatalogImage>,
    in_progress: BTreeSet<usize>,
}

impl Builder {
    fn build(&mut self, i: usize) -> Result<CatalogImage, CatalogError> {
        if let Some(done) = self.built.get(&i) {
            return Ok(done.clone());
        }
        let file = self.parsed[i].0.clone();
        let err = |message: String| CatalogError::Asset {
            file: file.clone(),
            message,
        };
        if !self.in_progress.insert(i) {
            return Err(err(format!(
                "{}: parent chain loops back to itself",
                self.parsed[i].1.reference
            )));
        }
        let (mut layers, mut history) = match self.parsed[i].1.parent.clone() {
            Some(parent) => {
                let parent_full = normalise(&parent).map_err(|e| err(e.to_string()))?;
                let j = self
                    .position(&parent_full)
                    .ok_or_else(|| err(format!("parent {parent} is not in the catalog")))?;
                let parent_image = self.build(j)?;
                (parent_image.layers, parent_image.history)
            }
            None => (Vec::new(), Vec::new()),
        };
        let image = &self.parsed[i].1;
        let reference = normalise(&image.reference).map_err(|e| err(e.to_string()))?;
        let aliases = image
            .aliases
            .iter()
            .map(|a| normalise(a).map_err(|e| err(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        for row in &image.history {
            let label = format!("{}: history row {:?}", image.reference, row.created_by);
            check_created(&row.created).map_err(|m| err(format!("{label}: {m}")))?;
            let size = match (&row.layer, row.empty_layer) {
                (Some(layer), false) => {
                    let expanded = expand_layer(layer, &row.created, &row.created_by)
                        .map_err(|m| err(format!("{label}: {m}")))?;
                    let size = expanded.size;
                    layers.push(expanded);
                    size
                }
                (None, true) => 0,
                (Some(_), true) => {
                    return Err(err(format!("{label}: empty_layer = true but has a layer")))
                }
                (None, false) => {
                    return Err(err(format!("{label}: empty_layer = false but no layer")))
                }
            };
            history.push(HistoryRow {
                created: row.created.clone(),
                created_by: row.created_by.clone(),
                comment: row.comment.clone(),
                empty_layer: row.empty_layer,
                size,
            });
        }
        let c = &image.config;
        let built = CatalogImage {
            reference,
            aliases,
            version: image.version.clone(),
            platform: PLATFORM.to_string(),
            config: Some(ImageConfig {
                env: c.env.clone(),
                cmd: c.cmd.clone(),
                entrypoint: c.entrypoint.clone(),
                working_dir: c.working_dir.clone(),
                user: c.user.clone(),
                exposed_ports: c.exposed_ports.clone(),
                labels: c.labels.clone(),
                stop_signal: c.stop_signal.clone(),
                volumes: c.volumes.clone(),
                shell: c.shell.clone(),
            }),
            layers,
            history,
            source: image.source.clone(),
        };
        self.in_progress.remove(&i);
        self.built.insert(i, built.clone());
        Ok(built)
    }

    fn position(&self, full: &str) -> Option<usize> {
        self.parsed.iter().position(|(_, image)| {
            std::iter::once(&image.reference)
                .chain(&image.aliases)
                .any(|name| normalise(name).is_ok_and(|n| n == full))
        })
    }
}

fn normalise(reference: &str) -> Result<String, CatalogError> {
    Reference::parse(reference).map(|r| r.full())
}

/// `YYYY-MM-DDTHH:MM:SSZ` (optionally with fractional seconds): the form
/// `docker history --no-trunc` and image configs use.
fn check_created(created: &str) -> Result<(), String> {
    let b = created.as_bytes();
    let digits =
        |mut r: std::ops::Range<usize>| r.all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    let shape = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && created.ends_with('Z');
    if shape {
        Ok(())
    } else {
        Err(format!("created {created:?} is not RFC 3339 UTC"))
    }
}

fn expand_layer(
    layer: &asset::AssetLayer,
    created: &str,
    created_by: &str,
) -> Result<CatalogLayer, String> {
    let key = format!("{created}|{created_by}");
    let mut files: Vec<CatalogFile> = layer
        .dirs
        .iter()
        .map(|d| CatalogFile {
            path: d.trim_end_matches('/').to_string(),
            kind: FileKind::Dir,
            mode: 0o755,
            uid: 0,
            gid: 0,
            size: 0,
            content: FileContent::None,
        })
        .collect();
    for entry in &layer.files {
        files.push(entry.expand(&key)?);
    }
    for filler in &layer.fillers {
        filler.expand(&key, &mut files)?;
    }
    let mut seen = BTreeSet::new();
    for f in &files {
        if !f.path.starts_with('/') || f.path.len() < 2 {
            return Err(format!("path {:?} must be absolute and not /", f.path));
        }
        if !seen.insert(f.path.as_str()) {
            return Err(format!("path {} appears twice in one layer", f.path));
        }
    }
    let total: u64 = files.iter().map(|f| f.size).sum();
    if total != layer.size {
        return Err(format!(
            "files add up to {total} bytes but the layer declares {} (off by {})",
            layer.size,
            i128::from(layer.size) - i128::from(total)
        ));
    }
    Ok(CatalogLayer {
        size: layer.size,
        approximate: layer.approximate,
        created_by: created_by.to_string(),
        files,
    })
}
