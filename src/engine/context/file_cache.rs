//! The bytes of context files a build copies: small ones kept in memory
//! between builds, large ones streamed from disk when a layer is written.

use super::{ContextError, ContextSnapshot, FileMeta};
use crate::filesystem::blob::{Blob, BlobSource};
use crate::filesystem::digest::Digest;
use std::collections::HashMap;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::Arc;

/// A context file's bytes, streamed from disk when the layer's tar is
/// written (never held in memory as a whole).
#[derive(Debug)]
struct ContextBlob {
    path: PathBuf,
    size: u64,
}

impl BlobSource for ContextBlob {
    fn size(&self) -> u64 {
        self.size
    }

    fn open(&self) -> io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(std::fs::File::open(&self.path)?))
    }
}

/// Small context files kept in memory by content digest, so a rebuild that
/// copies them again does not read them from disk again (a long session
/// rebuilds after every keystroke). Large files are streamed from disk.
#[derive(Debug, Default, Clone)]
pub struct FileCache {
    blobs: HashMap<Digest, Blob>,
    bytes: u64,
}

impl FileCache {
    /// Files up to this size are kept.
    const MAX_FILE: u64 = 1 << 20;
    /// And at most this much in all.
    const MAX_TOTAL: u64 = 256 << 20;

    /// A context file's bytes as a blob: kept, or streamed from disk.
    pub fn blob(&mut self, ctx: &ContextSnapshot, path: &str, meta: &FileMeta) -> Blob {
        // A simulated change's content exists only in memory: the file on
        // disk (streamed by `ContextBlob`) holds the learner's real text.
        if let Some(bytes) = ctx.override_bytes(path) {
            return Blob::from_bytes(Arc::clone(bytes));
        }
        let external = || {
            Blob::external(Arc::new(ContextBlob {
                path: ctx.root().join(path),
                size: meta.size,
            }))
        };
        let Some(digest) = meta.content else {
            return external();
        };
        if let Some(b) = self.blobs.get(&digest) {
            return b.clone();
        }
        if meta.size > Self::MAX_FILE || self.bytes + meta.size > Self::MAX_TOTAL {
            return external();
        }
        // `open` checks the bytes still hash to the snapshot's digest.
        let mut bytes = Vec::with_capacity(usize::try_from(meta.size).unwrap_or(0));
        match ctx.open(path).and_then(|mut f| {
            f.read_to_end(&mut bytes).map_err(|e| ContextError::Io {
                path: ctx.root().join(path),
                source: e,
            })
        }) {
            Ok(_) => {
                let blob = Blob::from(bytes);
                self.bytes += meta.size;
                self.blobs.insert(digest, blob.clone());
                blob
            }
            Err(_) => external(),
        }
    }
}
