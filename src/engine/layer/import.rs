//! Reading a tarball into a layer, as `docker import` does.
//!
//! dockerd registers an imported tar as-is: the layer store hashes the
//! uncompressed stream while extracting it and drains whatever follows the
//! end-of-archive blocks into the same hash (moby `layer/layer_store.go`,
//! `applyTar`). So the diff ID is the SHA-256 of every input byte, and the
//! caller should keep the original bytes as the layer blob.

use std::io::{self, Read, Seek};

use tar::EntryType;

use super::{Layer, OPAQUE_MARKER, WHITEOUT_PREFIX};
use crate::filesystem::blob::Blob;
use crate::filesystem::digest::{Digest, Hasher};
use crate::filesystem::rootfs::{Change, LayerChanges, Node, NodeKind, PathKey, PERM_MASK};

/// An imported tarball.
#[derive(Debug)]
pub struct ImportedLayer {
    pub changes: LayerChanges,
    /// `diff_id` and `tar_len` are those of the input bytes.
    pub layer: Layer,
    /// Entries the model has no place for (devices, FIFOs), by path; the
    /// caller can warn about them.
    pub skipped: Vec<String>,
}

/// Why a tarball could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("reading the archive: {0}")]
    Io(#[from] io::Error),
    #[error("unsafe path in archive (leaves the root): {0}")]
    UnsafePath(String),
    #[error(
        "hard link {link} points to {target}, which is not an earlier regular file in the archive"
    )]
    BadHardLink { link: String, target: String },
    #[error("{path}: {field} {value} is out of range")]
    OutOfRange {
        path: String,
        field: &'static str,
        value: String,
    },
}

/// Files at least this large are not read into memory by
/// [`read_tar_referring`] and [`read_trusted_tar`].
pub const REFER_FROM: u64 = 1 << 20;

/// Reads a tarball (plain, uncompressed) into layer changes: regular files,
/// directories, symlinks, hard links (as copies of their target), and
/// whiteouts. Paths are cleaned (`./bin/sh` → `bin/sh`); one that climbs out
/// of the root is an error, as in dockerd. Every file's bytes are read into
/// memory.
pub fn read_tar(input: impl Read) -> Result<ImportedLayer, ImportError> {
    read_hashed(input, None)
}

/// [`read_tar`] of a tarball that stays where it is (a stored blob): a file
/// of [`REFER_FROM`] bytes or more becomes `refer(offset, size)` — a blob
/// that reads those bytes of the tarball when asked — and is not held in
/// memory. Its bytes still pass through the hash of the whole input.
pub fn read_tar_referring(
    input: impl Read,
    refer: &dyn Fn(u64, u64) -> Blob,
) -> Result<ImportedLayer, ImportError> {
    read_hashed(input, Some(refer))
}

/// [`read_tar_referring`] of a tarball known to be sound (a blob unchanged
/// since it hashed to its name): nothing is hashed, and the bytes of the
/// files it refers to are seeked over, never read.
pub fn read_trusted_tar(
    input: impl Read + Seek,
    refer: &dyn Fn(u64, u64) -> Blob,
) -> Result<LayerChanges, ImportError> {
    let mut archive = tar::Archive::new(input);
    Ok(read_entries(archive.entries_with_seek()?, Some(refer))?.changes)
}

fn read_hashed(
    input: impl Read,
    refer: Option<&dyn Fn(u64, u64) -> Blob>,
) -> Result<ImportedLayer, ImportError> {
    let mut archive = tar::Archive::new(HashReader::new(input));
    let Entries {
        changes,
        skipped,
        hardlinked_bytes,
    } = read_entries(archive.entries()?, refer)?;
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink())?;
    let (diff_id, tar_len) = rest.finish();
    let layer = Layer {
        diff_id,
        size: changes.size().saturating_sub(hardlinked_bytes),
        tar_len,
    };
    Ok(ImportedLayer {
        changes,
        layer,
        skipped,
    })
}

/// What a tarball's entries make.
struct Entries {
    changes: LayerChanges,
    skipped: Vec<String>,
    /// The bytes of files that are hard links to earlier ones.
    hardlinked_bytes: u64,
}

fn read_entries<R: Read>(
    entries: tar::Entries<'_, R>,
    refer: Option<&dyn Fn(u64, u64) -> Blob>,
) -> Result<Entries, ImportError> {
    let mut changes = LayerChanges::new();
    let mut skipped = Vec::new();
    // dockerd measures an applied layer counting each inode once.
    let mut hardlinked_bytes = 0u64;
    for entry in entries {
        let mut entry = entry?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let key = clean(&raw).ok_or_else(|| ImportError::UnsafePath(raw.clone()))?;
        let meta = EntryMeta::read(&mut entry, &raw)?;

        let name = key.name();
        if let Some(hidden) = name.strip_prefix(WHITEOUT_PREFIX) {
            let parent = key.parent().unwrap_or_else(PathKey::root);
            if name == OPAQUE_MARKER {
                let dir = match changes.get(&parent) {
                    Some(Change::Put(n) | Change::Opaque(n)) if n.is_dir() => n.clone(),
                    _ => Node::default_dir(),
                };
                changes.insert(parent, Change::Opaque(dir));
            } else if hidden.is_empty() || hidden == "." || hidden == ".." {
                return Err(ImportError::UnsafePath(raw));
            } else {
                changes.insert(parent.join(hidden), Change::Whiteout);
            }
            continue;
        }

        let kind = entry.header().entry_type();
        let node = match kind {
            EntryType::Regular | EntryType::Continuous => match refer {
                Some(refer) if entry.size() >= REFER_FROM => meta.node(NodeKind::File(refer(
                    entry.raw_file_position(),
                    entry.size(),
                ))),
                _ => {
                    let mut data =
                        Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(1 << 24));
                    entry.read_to_end(&mut data)?;
                    meta.node(NodeKind::File(Blob::from(data)))
                }
            },
            EntryType::Directory => meta.node(NodeKind::Dir),
            EntryType::Symlink => {
                let target = entry.link_name_bytes().unwrap_or_default();
                meta.node(NodeKind::Symlink(
                    String::from_utf8_lossy(&target).into_owned(),
                ))
            }
            EntryType::Link => {
                let target_raw = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                let target = clean(&target_raw)
                    .ok_or_else(|| ImportError::UnsafePath(target_raw.clone()))?;
                match changes.get(&target) {
                    Some(Change::Put(n)) if n.is_file() => {
                        hardlinked_bytes += n.size();
                        n.clone()
                    }
                    _ => {
                        return Err(ImportError::BadHardLink {
                            link: raw,
                            target: target_raw,
                        })
                    }
                }
            }
            _ => {
                skipped.push(raw);
                continue;
            }
        };
        let change = match changes.get(&key) {
            // The opaque marker may come before its directory's own entry.
            Some(Change::Opaque(_)) if node.is_dir() => Change::Opaque(node),
            _ => Change::Put(node),
        };
        changes.insert(key, change);
    }
    Ok(Entries {
        changes,
        skipped,
        hardlinked_bytes,
    })
}

/// Cleans an archive path like Go's `filepath.Clean` relative to the root:
/// `None` if `..` climbs above it.
fn clean(path: &str) -> Option<PathKey> {
    let mut parts: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    Some(PathKey::from_clean(&parts.join("/")))
}

/// Mode, owner and time of an entry, PAX records taking precedence.
struct EntryMeta {
    mode: u32,
    uid: u32,
    gid: u32,
    mtime: i64,
}

impl EntryMeta {
    fn read<R: Read>(entry: &mut tar::Entry<'_, R>, path: &str) -> Result<Self, ImportError> {
        let h = entry.header();
        let mut uid = h.uid()?;
        let mut gid = h.gid()?;
        let mut mtime = i64::try_from(h.mtime()?).unwrap_or(i64::MAX);
        let mode = h.mode()? & PERM_MASK;
        if let Some(exts) = entry.pax_extensions()? {
            for ext in exts {
                let ext = ext?;
                let value = ext.value().unwrap_or_default();
                match ext.key().unwrap_or_default() {
                    "uid" => uid = value.parse().unwrap_or(uid),
                    "gid" => gid = value.parse().unwrap_or(gid),
                    // PAX times may carry a fraction; layers keep seconds.
                    "mtime" => {
                        let secs = value.split('.').next().unwrap_or_default();
                        mtime = secs.parse().unwrap_or(mtime);
                    }
                    _ => {}
                }
            }
        }
        let id = |field: &'static str, v: u64| {
            u32::try_from(v).map_err(|_| ImportError::OutOfRange {
                path: path.to_owned(),
                field,
                value: v.to_string(),
            })
        };
        Ok(Self {
            mode,
            uid: id("uid", uid)?,
            gid: id("gid", gid)?,
            mtime,
        })
    }

    fn node(&self, kind: NodeKind) -> Node {
        Node {
            kind,
            mode: self.mode,
            uid: self.uid,
            gid: self.gid,
            mtime: self.mtime,
        }
    }
}

/// Hashes and counts every byte read through it.
struct HashReader<R> {
    inner: R,
    hasher: Hasher,
    read: u64,
}

impl<R: Read> HashReader<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Hasher::new(),
            read: 0,
        }
    }

    fn finish(self) -> (Digest, u64) {
        (self.hasher.finish(), self.read)
    }
}

impl<R: Read> Read for HashReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_follows_filepath_clean_and_refuses_escape() {
        assert_eq!(
            clean("./bin/sh").map(|k| k.as_str().to_owned()),
            Some("bin/sh".into())
        );
        assert_eq!(
            clean("/a/../b/").map(|k| k.as_str().to_owned()),
            Some("b".into())
        );
        assert_eq!(clean("./").map(|k| k.is_root()), Some(true));
        assert!(clean("../etc/passwd").is_none());
        assert!(clean("a/../../b").is_none());
    }
}
