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

/// Snapshots whose entries are kept: the disk's and the one with the
/// learner's simulated changes, which the screen goes back and forth
/// between. A snapshot's entries are as large as its context (a COPY . .
/// of 100,000 files keeps its stamps and its layer), so no more.
const KEPT: usize = 2;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::compile;
    use crate::engine::builder::{preview, BuildOptions, BuilderKind, Preview};
    use crate::engine::context::StatCache;
    use crate::engine::context::{read_dockerignore, ContextSnapshot, Override, Overrides};
    use crate::engine::memo::Memo;
    use crate::engine::report::BuildReport;
    use crate::engine::store::EngineState;

    /// WORKDIR first, so COPY . . writes over a layer of the stage's own.
    const TEXT: &str = "FROM alpine\nWORKDIR /app\nCOPY . .\nRUN echo built\n";

    fn context() -> (tempfile::TempDir, ContextSnapshot) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("src")).expect("mkdir");
        std::fs::write(dir.path().join("src/index.js"), "console.log(1)\n").expect("write");
        std::fs::write(dir.path().join("package.json"), "{}\n").expect("write");
        let snap = capture(dir.path());
        (dir, snap)
    }

    fn capture(dir: &std::path::Path) -> ContextSnapshot {
        let ignore = read_dockerignore(dir).expect("ignore");
        ContextSnapshot::capture(dir, &ignore, &mut StatCache::default()).expect("snapshot")
    }

    fn opts(builder: BuilderKind) -> BuildOptions {
        BuildOptions {
            builder,
            ..BuildOptions::default()
        }
    }

    fn run(memo: &mut Memo, ctx: &ContextSnapshot, builder: BuilderKind) -> (Preview, BuildReport) {
        let state = EngineState::default();
        let seen = preview(&state, memo, &compile(TEXT), ctx, &opts(builder));
        let report = seen.result.clone().expect("the preview builds");
        (seen, report)
    }

    /// The layer COPY . . made (the second step with a layer after FROM).
    fn copy_layer(report: &BuildReport) -> Digest {
        let step = report
            .steps
            .iter()
            .find(|s| s.text == "COPY . .")
            .expect("a COPY step");
        step.layer.as_ref().expect("COPY . . makes a layer").diff_id
    }

    #[test]
    fn a_second_preview_of_the_same_snapshot_stamps_hashes_and_digests_nothing_again() {
        let (_dir, ctx) = context();
        for builder in [BuilderKind::Buildkit, BuilderKind::Classic] {
            let mut memo = Memo::default();
            let (first, report) = run(&mut memo, &ctx, builder);
            let computed = memo.snapshots.computed;
            assert!(computed.stamps >= 1, "{builder:?}: {computed:?}");
            assert!(computed.digests >= 1, "{builder:?}: {computed:?}");
            assert!(computed.copies >= 1, "{builder:?}: {computed:?}");
            let classic = u64::from(builder == BuilderKind::Classic);
            assert_eq!(computed.classic, classic, "{builder:?}");

            let (again, same) = run(&mut memo, &ctx, builder);
            assert_eq!(memo.snapshots.computed, computed, "{builder:?}: all found");
            assert_eq!(same, report, "{builder:?}");
            // The very layer the first preview made, not an equal one.
            let layer = copy_layer(&report);
            assert!(Arc::ptr_eq(&first.layers[&layer], &again.layers[&layer]));

            // What the memo answers is what computing it gives.
            let (_, fresh) = run(&mut Memo::default(), &ctx, builder);
            assert_eq!(fresh, report, "{builder:?}");
        }
    }

    #[test]
    fn a_changed_snapshot_is_computed_again_and_keyed_anew() {
        let (dir, ctx) = context();
        for builder in [BuilderKind::Buildkit, BuilderKind::Classic] {
            let mut memo = Memo::default();
            let (_, report) = run(&mut memo, &ctx, builder);
            let before = memo.snapshots.computed;
            let steps =
                |r: &BuildReport| r.steps.iter().map(|s| s.layer.clone()).collect::<Vec<_>>();

            // A changed file: new stamps, a new key, a new layer.
            let mut edit = Overrides::default();
            edit.push(
                "src/index.js",
                Override::Write(b"console.log(2)\n".to_vec().into()),
            );
            let edited = ctx.with_overrides(&edit);
            assert_ne!(edited.id(), ctx.id());
            let (_, changed) = run(&mut memo, &edited, builder);
            let after = memo.snapshots.computed;
            assert_eq!(after.stamps, before.stamps + 1, "{builder:?}");
            assert_eq!(after.copies, before.copies + 1, "{builder:?}");
            assert!(after.digests > before.digests, "{builder:?}");
            assert_ne!(copy_layer(&changed), copy_layer(&report), "{builder:?}");

            // A touched file: the same stamps and keys, but its mtime is in
            // the layer, so the layer made before is not served again.
            let mut touch = Overrides::default();
            touch.push("src/index.js", Override::Touch);
            let touched = ctx.with_overrides(&touch);
            let (_, retouched) = run(&mut memo, &touched, builder);
            assert_eq!(memo.snapshots.computed.copies, after.copies + 1);
            assert_ne!(copy_layer(&retouched), copy_layer(&report), "{builder:?}");

            // The same files captured again: a new snapshot, the same build.
            let recaptured = capture(dir.path());
            assert_ne!(recaptured.id(), ctx.id());
            let (_, again) = run(&mut memo, &recaptured, builder);
            assert_eq!(steps(&again), steps(&report), "{builder:?}");
        }
    }

    #[test]
    fn only_the_last_few_snapshots_are_kept() {
        let (_dir, ctx) = context();
        let mut memo = Memo::default();
        let mut snaps = vec![ctx.clone()];
        for n in 0..KEPT {
            let mut edit = Overrides::default();
            edit.push(
                "package.json",
                Override::Write(format!("{{\"n\":{n}}}\n").into_bytes().into()),
            );
            snaps.push(ctx.with_overrides(&edit));
        }
        for s in &snaps {
            run(&mut memo, s, BuilderKind::Buildkit);
        }
        let computed = memo.snapshots.computed;
        // The newest is still known; the oldest was dropped and is
        // stamped again.
        run(&mut memo, &snaps[KEPT], BuilderKind::Buildkit);
        assert_eq!(memo.snapshots.computed, computed);
        run(&mut memo, &snaps[0], BuilderKind::Buildkit);
        assert_eq!(memo.snapshots.computed.stamps, computed.stamps + 1);
        assert!(memo.snapshots.recent.len() <= KEPT);
    }
}
