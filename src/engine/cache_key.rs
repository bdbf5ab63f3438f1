//! What a builder keys a step's cache on, as a serializable struct hashed
//! over its canonical JSON. Every input the real builder keys on is a field
//! here; an input forgotten in the key would make layerlab report a HIT where
//! Docker rebuilds, so each variant says which builder it models and why each
//! field is there.

use crate::filesystem::digest::Digest;
use serde::{Deserialize, Serialize};

mod stamps;

pub use stamps::{StampSource, Stamps};

/// One step's cache key: the key of the step it builds on plus the step's
/// own inputs. Keys chain, so a change anywhere below invalidates everything
/// above it, as in both real builders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheKey {
    pub parent: Option<Digest>,
    pub op: OpInputs,
}

impl CacheKey {
    pub fn digest(&self) -> Digest {
        // serde_json writes struct fields in declaration order and our maps
        // are BTreeMaps, so the bytes are canonical.
        // Streamed into the hasher: a COPY of a big directory has a big key.
        let mut hasher = crate::filesystem::digest::Hasher::new();
        // The classic builder compares the source hash in `created_by`, not
        // the files: two dangling symlinks hash alike there (recorded: our
        // 77), so the stamps, kept to explain a miss, stay out of the digest.
        let classic;
        let key = match &self.op {
            OpInputs::Classic {
                created_by,
                config,
                files,
            } if !files.is_empty() => {
                classic = CacheKey {
                    parent: self.parent,
                    op: OpInputs::Classic {
                        created_by: created_by.clone(),
                        config: config.clone(),
                        files: Stamps::default(),
                    },
                };
                &classic
            }
            _ => self,
        };
        // Writing to a hasher cannot fail; a key that could not serialize
        // would still hash its prefix deterministically.
        let _ = serde_json::to_writer(&mut hasher, key);
        hasher.finish()
    }

    /// What identifies this key as well as its digest does, cheaply: the
    /// key with its files replaced by their [`Stamps::origin`], hashed.
    /// None when the files have no origin (then only the digest says).
    pub fn memo_key(&self) -> Option<Digest> {
        let origin = match &self.op {
            OpInputs::Copy { files, .. } | OpInputs::Classic { files, .. } => files.origin?,
            _ => return None,
        };
        // A clone shares the list: only the small fields are copied.
        let mut light = self.clone();
        if let OpInputs::Copy { files, .. } | OpInputs::Classic { files, .. } = &mut light.op {
            *files = Stamps::default();
        }
        let mut hasher = crate::filesystem::digest::Hasher::new();
        let _ = serde_json::to_writer(&mut hasher, &(origin, &light));
        Some(hasher.finish())
    }
}

/// A file as the cache sees it: content and metadata, never mtime (both
/// builders ignore it — touching a file keeps the cache).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FileStamp {
    pub path: String,
    pub kind: StampKind,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Bytes as a layer counts them (file length, or link-text length).
    pub size: u64,
    /// Content digest for files, link target for symlinks, empty for dirs.
    pub content: String,
}

/// What a stamped path is (serialized `file`, `dir`, `symlink`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StampKind {
    File,
    Dir,
    Symlink,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum OpInputs {
    /// The base image of a stage (both builders): the resolved image.
    Base { reference: String, image: Digest },
    /// BuildKit `RUN` (an ExecOp): argv, environment (ENV and declared
    /// build ARGs), working directory, user, network/security mode and
    /// mounts, and the bodies of its heredocs (`RUN <<EOF`: the script is
    /// a file mounted into the step, so its content is an input). Not the
    /// instruction's spelling.
    Run {
        argv: Vec<String>,
        env: Vec<String>,
        workdir: String,
        user: String,
        network: Option<String>,
        security: Option<String>,
        mounts: Vec<String>,
        /// What bind mounts show the command, by content (BuildKit
        /// checksums a mounted source as COPY does); cache, tmpfs, secret
        /// and ssh mounts add nothing beyond their definition.
        #[serde(skip_serializing_if = "Stamps::is_empty", default)]
        mounted: Stamps,
        /// `(name, body)` per heredoc, in order.
        #[serde(skip_serializing_if = "Vec::is_empty", default)]
        heredocs: Vec<(String, String)>,
    },
    /// BuildKit `COPY`/`ADD` (a FileOp): the checksum of the selected
    /// sources (content + mode + owner + names), where they go, and the
    /// flags that change the result. Not the environment, user or labels.
    Copy {
        add: bool,
        /// `context`, `stage` (the files' checksums say what it holds) or
        /// `image <reference>`.
        source: String,
        patterns: Vec<String>,
        files: Stamps,
        dest: String,
        chown: Option<String>,
        chmod: Option<String>,
        link: bool,
        parents: bool,
        excludes: Vec<String>,
    },
    /// BuildKit `WORKDIR` (a mkdir FileOp).
    Mkdir { path: String, user: String },
    /// Classic builder: every instruction is looked up by its parent image
    /// and the container config it would commit (whose `Cmd` carries the
    /// instruction, e.g. `#(nop) COPY file:… in /app/`). `files` does not
    /// add to what the classic builder compares (the source hash already
    /// sits in `created_by`), so [`CacheKey::digest`] leaves it out; it is
    /// kept so a miss can name the files.
    Classic {
        created_by: String,
        config: String,
        #[serde(skip_serializing_if = "Stamps::is_empty", default)]
        files: Stamps,
    },
}
