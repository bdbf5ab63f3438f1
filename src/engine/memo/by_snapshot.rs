//! What the builder derived from one context snapshot: the stamps a COPY's
//! sources select, the classic builder's hash of them, the digests of the
//! keys holding them, and the layer a COPY of them made. A context of
//! 100,000 files makes each of these cost as much as a walk of the tree,
//! and a preview on every key press would redo them all over a snapshot
//! that did not change. Each is a pure function of the snapshot (which
//! never changes once captured, see `SnapshotId`) and of the step's inputs
//! named in its key; only the last few snapshots' entries are kept, since
//! a context's stamps are as large as the context.

use crate::engine::cache_key::{CacheKey, Stamps};
use crate::engine::classic_hash::ClassicSourceHash;
use crate::engine::context::SnapshotId;
use crate::engine::report::LayerInfo;
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::LayerChanges;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// Snapshots whose entries are kept: the screen's current one, the one
/// before a change on disk, and the overlays of simulated changes.
const KEPT: usize = 4;

#[derive(Debug, Clone, Default)]
pub struct SnapshotMemo {
    /// The snapshots entries are kept for, oldest first.
    recent: VecDeque<SnapshotId>,
    /// A COPY's stamped sources, by their origin (see `Stamps::origin`).
    stamps: HashMap<Digest, (SnapshotId, Stamps)>,
    /// The classic builder's source hash, by the stamps' origin.
    classic: HashMap<Digest, (SnapshotId, ClassicSourceHash)>,
    /// Cache-key digests, by `CacheKey::memo_key`.
    digests: HashMap<Digest, (SnapshotId, Digest)>,
    /// What a COPY from the context made, by a digest of everything it
    /// depends on (see `Run::copy_memo_key`): its layer, or None when it
    /// changed nothing and the classic builder commits no layer.
    copies: HashMap<Digest, (SnapshotId, Option<CopyLayer>)>,
    /// What was computed rather than found, for tests to tell a hit.
    pub computed: Computed,
}

/// How many of each entry were computed (not found in the memo).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Computed {
    pub stamps: u64,
    pub classic: u64,
    pub digests: u64,
    pub copies: u64,
}

/// The layer a COPY made, digested, and the size it reports.
#[derive(Debug, Clone)]
pub struct CopyLayer {
    pub changes: Arc<LayerChanges>,
    pub info: LayerInfo,
}

impl SnapshotMemo {
    /// Marks `id` as in use, dropping the entries of the snapshots used
    /// longest ago beyond the few kept.
    fn touch(&mut self, id: SnapshotId) {
        if self.recent.back() == Some(&id) {
            return;
        }
        self.recent.retain(|r| *r != id);
        self.recent.push_back(id);
        if self.recent.len() > KEPT {
            self.recent.pop_front();
            let recent = &self.recent;
            self.stamps.retain(|_, (s, _)| recent.contains(s));
            self.classic.retain(|_, (s, _)| recent.contains(s));
            self.digests.retain(|_, (s, _)| recent.contains(s));
            self.copies.retain(|_, (s, _)| recent.contains(s));
        }
    }

    /// The stamps from `origin` in snapshot `id`, if stamped before.
    pub fn stamps(&mut self, id: SnapshotId, origin: &Digest) -> Option<Stamps> {
        self.touch(id);
        self.stamps.get(origin).map(|(_, s)| s.clone())
    }

    pub fn keep_stamps(&mut self, id: SnapshotId, stamps: Stamps) {
        let Some(origin) = stamps.origin else {
            return;
        };
        self.touch(id);
        self.computed.stamps += 1;
        self.stamps.insert(origin, (id, stamps));
    }

    /// The classic source hash of stamps from `origin`, if computed.
    pub fn classic(&self, origin: &Digest) -> Option<&ClassicSourceHash> {
        self.classic.get(origin).map(|(_, h)| h)
    }

    pub fn keep_classic(&mut self, id: SnapshotId, origin: Digest, hash: ClassicSourceHash) {
        self.touch(id);
        self.computed.classic += 1;
        self.classic.insert(origin, (id, hash));
    }

    /// `key.digest()`, computed once per key whose files came from
    /// snapshot `id` (any other key is digested each time).
    pub fn digest(&mut self, id: SnapshotId, key: &CacheKey) -> Digest {
        let Some(light) = key.memo_key() else {
            return key.digest();
        };
        self.touch(id);
        if let Some((_, d)) = self.digests.get(&light) {
            return *d;
        }
        let d = key.digest();
        self.computed.digests += 1;
        self.digests.insert(light, (id, d));
        d
    }

    /// What the COPY keyed `key` made, if it ran before. The outer None:
    /// not known.
    pub fn copy(&self, key: &Digest) -> Option<Option<CopyLayer>> {
        self.copies.get(key).map(|(_, c)| c.clone())
    }

    pub fn keep_copy(&mut self, id: SnapshotId, key: Digest, made: Option<CopyLayer>) {
        self.touch(id);
        self.computed.copies += 1;
        self.copies.insert(key, (id, made));
    }
}
