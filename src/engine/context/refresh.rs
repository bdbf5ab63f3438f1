//! Bringing a snapshot up to date from the paths a file watcher reported,
//! reading only those: on a 100,000-file context a save re-reads one file,
//! not the tree. The result is what a new capture would give (a property
//! test holds the two together); what the watcher missed, a full walk now
//! and then catches (the screen runs one in the background).

use super::listing::{self, Kind, Lister, Lstat};
use super::{
    read_dockerignore, ContextError, ContextSnapshot, FileKind, SnapshotId, StatCache, Walk,
};
use crate::engine::dockerignore::MatchInfo;
use std::collections::BTreeSet;
use std::io;

/// Past this many changed paths one walk of the tree costs less than a
/// walk of each.
pub const MAX_PATHS: usize = 4096;

impl ContextSnapshot {
    /// Takes in what changed on disk at `changed` (paths relative to the
    /// root, `/`-separated): each path is read again — with what is below
    /// it, for a directory — and its parent directories are stat'ed again;
    /// nothing else is read. A change of `.dockerignore`, of the root, or
    /// of more than [`MAX_PATHS`] paths walks the whole tree, as
    /// [`ContextSnapshot::capture`] does. The snapshot must be one read
    /// from disk (simulated changes are laid over it afterwards). On an
    /// error the snapshot may be half brought up to date: capture it anew.
    pub fn refresh(
        &mut self,
        changed: &BTreeSet<String>,
        cache: &mut StatCache,
    ) -> Result<(), ContextError> {
        let whole_tree = changed.len() > MAX_PATHS
            || changed.iter().any(|p| {
                p.is_empty()
                    || p == ".dockerignore"
                    || p.split('/').any(|c| c.is_empty() || c == "." || c == "..")
            });
        if whole_tree {
            let ignore = read_dockerignore(&self.root)?;
            *self = ContextSnapshot::capture(&self.root, &ignore, cache)?;
            return Ok(());
        }
        let ignore = self.ignore.clone();
        let mut walk = Walk {
            ignore: &ignore,
            cache: std::mem::take(&mut cache.entries),
            buffer: Vec::new(),
            lister: Lister::new(),
            snapshot: std::mem::replace(self, ContextSnapshot::empty(&self.root, &ignore)),
        };
        walk.snapshot.stats = Default::default();
        let mut result = Ok(());
        // A path below another changed one is read with it.
        let mut last: Option<&str> = None;
        for path in changed {
            if last.is_some_and(|dir| is_below(path, dir)) {
                continue;
            }
            last = Some(path);
            result = walk.path(path);
            if result.is_err() {
                break;
            }
        }
        // The next capture marks what it finds afresh.
        for e in walk.cache.values_mut() {
            e.seen = false;
        }
        cache.entries = std::mem::take(&mut walk.cache);
        // Another reading of the disk: what was memoized of the old one
        // (a COPY's stamps, its layer) is not this one's.
        walk.snapshot.id = SnapshotId::fresh();
        *self = walk.snapshot;
        result
    }
}

/// Whether `path` is strictly below `dir`.
fn is_below(path: &str, dir: &str) -> bool {
    path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/'
}

impl Walk<'_> {
    /// Reads one changed path again, and its parents' entries.
    fn path(&mut self, rel: &str) -> Result<(), ContextError> {
        let forgotten = self.forget(rel);
        let read = self.read_again(rel);
        // A file's digest stays cached while the file is there: a
        // directory's event re-reads its files' stats, not their bytes.
        for p in forgotten {
            let file = self.snapshot.entries.get(&p).map(|m| &m.kind) == Some(&FileKind::File);
            if !file {
                self.cache.remove(&p);
            }
        }
        read
    }

    fn read_again(&mut self, rel: &str) -> Result<(), ContextError> {
        // The parents, from the top: each must still be a directory (the
        // walk never goes through a symlink), and their `.dockerignore`
        // state decides; a path in a directory the walk skips stays out.
        let ancestors: Vec<&str> = rel.match_indices('/').map(|(i, _)| &rel[..i]).collect();
        let mut parents: Vec<(Lstat, bool, Option<MatchInfo>)> = Vec::new();
        for dir in &ancestors {
            let abs = self.snapshot.root.join(dir);
            let meta = match listing::lstat(&abs) {
                Ok(m) if m.kind == Kind::Dir => m,
                // Gone or no directory any more: its own event reads it.
                Ok(_) => return Ok(()),
                Err(e) if gone(&e) => return Ok(()),
                Err(e) => return Err(super::io_error(&abs)(e)),
            };
            let parent = parents.last().and_then(|(_, _, i)| i.as_ref());
            let (excluded, info) = if self.ignore.is_empty() {
                (false, None)
            } else {
                let (excluded, info) = self.ignore.walk_verdict(dir, parent);
                (excluded, Some(info))
            };
            if excluded && !self.ignore.may_reinclude_below(dir) {
                return Ok(());
            }
            parents.push((meta, excluded, info));
        }
        let abs = self.snapshot.root.join(rel);
        match listing::lstat(&abs) {
            Ok(meta) => {
                let parent = abs.parent().unwrap_or(&self.snapshot.root).to_owned();
                let name = rel.rsplit('/').next().unwrap_or(rel);
                let info = parents.last().and_then(|(_, _, i)| i.as_ref());
                self.entry(rel.to_owned(), &parent, name, &meta, info)?;
            }
            Err(e) if gone(&e) => {}
            Err(e) => return Err(super::io_error(&abs)(e)),
        }
        // Deepest first: whether an excluded directory is sent depends on
        // what is kept below it.
        for (dir, (meta, excluded, _)) in ancestors.iter().zip(&parents).rev() {
            self.parent(dir, meta, *excluded);
        }
        Ok(())
    }

    /// Drops `rel` and everything below it from the snapshot, before they
    /// are read again; returns the paths dropped.
    fn forget(&mut self, rel: &str) -> Vec<String> {
        let snap = &mut self.snapshot;
        let doomed = subtree(snap.entries.range(rel.to_owned()..).map(|(p, _)| p), rel);
        for p in &doomed {
            snap.entries.remove(p);
        }
        for set in [&mut snap.excluded, &mut snap.unsupported] {
            for p in subtree(set.range(rel.to_owned()..), rel) {
                set.remove(&p);
            }
        }
        doomed
    }

    /// A parent of a changed path: its own stat again, and whether it is
    /// sent (an excluded directory is when something below it is kept).
    fn parent(&mut self, dir: &str, meta: &Lstat, excluded: bool) {
        let snap = &mut self.snapshot;
        let kept_below = snap
            .entries
            .range(format!("{dir}/")..)
            .next()
            .is_some_and(|(p, _)| is_below(p, dir));
        if excluded && !kept_below {
            snap.entries.remove(dir);
            snap.excluded.insert(dir.to_owned());
        } else {
            snap.excluded.remove(dir);
            let entry = super::stat_meta(meta, FileKind::Dir, None);
            snap.entries.insert(dir.to_owned(), entry);
        }
    }
}

/// `rel` and the paths below it among sorted `paths` (which may start
/// anywhere before them).
fn subtree<'a>(paths: impl Iterator<Item = &'a String>, rel: &str) -> Vec<String> {
    paths
        .skip_while(|p| p.as_str() < rel)
        .take_while(|p| p.starts_with(rel))
        .filter(|p| p.as_str() == rel || is_below(p, rel))
        .cloned()
        .collect()
}

/// What a path that vanished between the event and the read looks like.
fn gone(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::NotFound) || e.raw_os_error() == Some(20 /* ENOTDIR */)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::os::unix::fs::{symlink, PermissionsExt};
    use std::path::Path;

    /// What a learner's tools do to a tree, on three names three deep.
    #[derive(Debug, Clone)]
    enum Op {
        Write(String, u8),
        Mkdir(String),
        Remove(String),
        Symlink(String, String),
        Chmod(String, u32),
        Rename(String, String),
    }

    fn path() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(vec!["a", "b", "c"]), 1..=3)
            .prop_map(|parts| parts.join("/"))
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (path(), any::<u8>()).prop_map(|(p, n)| Op::Write(p, n)),
            path().prop_map(Op::Mkdir),
            path().prop_map(Op::Remove),
            (path(), path()).prop_map(|(p, t)| Op::Symlink(p, t)),
            (path(), prop::sample::select(vec![0o644, 0o755, 0o600]))
                .prop_map(|(p, m)| Op::Chmod(p, m)),
            (path(), path()).prop_map(|(a, b)| Op::Rename(a, b)),
        ]
    }

    /// Performs `op` as the shell would (failures, like writing below a
    /// file, change nothing); returns the paths a watcher reports.
    fn apply(root: &Path, op: &Op) -> Vec<String> {
        let at = |p: &str| root.join(p);
        let done = match op {
            Op::Write(p, n) => std::fs::write(at(p), vec![b'x'; usize::from(*n)]).is_ok(),
            Op::Mkdir(p) => std::fs::create_dir(at(p)).is_ok(),
            Op::Remove(p) => match std::fs::symlink_metadata(at(p)) {
                Ok(m) if m.is_dir() => std::fs::remove_dir_all(at(p)).is_ok(),
                Ok(_) => std::fs::remove_file(at(p)).is_ok(),
                Err(_) => false,
            },
            Op::Symlink(p, t) => symlink(t, at(p)).is_ok(),
            Op::Chmod(p, m) => std::fs::symlink_metadata(at(p)).is_ok_and(|meta| {
                !meta.file_type().is_symlink()
                    && std::fs::set_permissions(at(p), std::fs::Permissions::from_mode(*m)).is_ok()
            }),
            Op::Rename(a, b) => std::fs::rename(at(a), at(b)).is_ok(),
        };
        if !done {
            return Vec::new();
        }
        let paths = match op {
            Op::Rename(a, b) => vec![a, b],
            Op::Write(p, _)
            | Op::Mkdir(p)
            | Op::Remove(p)
            | Op::Symlink(p, _)
            | Op::Chmod(p, _) => {
                vec![p]
            }
        };
        // Through a symlinked directory (or, for a write, through a link to
        // a file) the watcher reports the path that really changed.
        let root = root.canonicalize().expect("root");
        let mut reported = Vec::new();
        for p in paths {
            reported.push(p.clone());
            let real = match op {
                Op::Write(..) => at(p).canonicalize().ok(),
                _ => at(p)
                    .parent()
                    .and_then(|d| d.canonicalize().ok())
                    .zip(Path::new(p).file_name())
                    .map(|(d, name)| d.join(name)),
            };
            if let Some(rel) = real.as_deref().and_then(|r| r.strip_prefix(&root).ok()) {
                reported.push(rel.to_string_lossy().into_owned());
            }
        }
        reported
    }

    fn capture(root: &Path, cache: &mut StatCache) -> ContextSnapshot {
        let ignore = read_dockerignore(root).expect("dockerignore");
        ContextSnapshot::capture(root, &ignore, cache).expect("capture")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// A refresh from the reported paths gives what a new capture gives,
        /// under `.dockerignore` rules with and without exceptions, and its
        /// stat cache keeps exactly the files there are.
        #[test]
        fn a_refresh_is_a_new_capture(
            ignore in prop::sample::select(vec!["", "a\n", "a\n!a/b\n", "*/c\n", "b/*\n!b/a\n"]),
            before in prop::collection::vec(op(), 0..12),
            after in prop::collection::vec(op(), 1..8),
        ) {
            let dir = tempfile::tempdir().expect("tempdir");
            let root = dir.path();
            std::fs::write(root.join(".dockerignore"), ignore).expect("write");
            for op in &before {
                apply(root, op);
            }
            let mut cache = StatCache::default();
            let mut snap = capture(root, &mut cache);
            let mut changed = BTreeSet::new();
            for op in &after {
                changed.extend(apply(root, op));
            }
            let before = snap.id();
            snap.refresh(&changed, &mut cache).expect("refresh");
            prop_assert_ne!(snap.id(), before, "a refreshed snapshot is another reading");
            let mut fresh_cache = StatCache::default();
            let fresh = capture(root, &mut fresh_cache);
            prop_assert!(snap.same_files(&fresh), "refreshed {:?}\nfresh {:?}", snap.entries, fresh.entries);
            prop_assert_eq!(cache.len(), fresh_cache.len());
        }
    }

    #[test]
    fn a_saved_file_is_read_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for d in 0..20 {
            std::fs::create_dir_all(root.join(format!("lib/d{d}"))).expect("mkdir");
            for f in 0..20 {
                std::fs::write(root.join(format!("lib/d{d}/f{f}")), format!("{d} {f}"))
                    .expect("write");
            }
        }
        let mut cache = StatCache::default();
        let mut snap = capture(root, &mut cache);
        std::fs::write(root.join("lib/d3/f4"), "changed").expect("write");
        // The directory's event too, as inotify reports a rename over.
        let changed: BTreeSet<String> = ["lib/d3".to_string(), "lib/d3/f4".to_string()].into();
        snap.refresh(&changed, &mut cache).expect("refresh");
        assert_eq!(
            snap.stats().files_hashed,
            1,
            "only the saved file is hashed"
        );
        assert_eq!(
            snap.stats().files_reused,
            19,
            "its neighbours keep their digests"
        );
        assert!(snap.same_files(&capture(root, &mut StatCache::default())));
    }

    #[test]
    fn a_changed_dockerignore_walks_the_tree() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir(root.join("node_modules")).expect("mkdir");
        std::fs::write(root.join("node_modules/x.js"), "x").expect("write");
        let mut cache = StatCache::default();
        let mut snap = capture(root, &mut cache);
        assert!(snap.get("node_modules/x.js").is_some());
        std::fs::write(root.join(".dockerignore"), "node_modules\n").expect("write");
        snap.refresh(&[".dockerignore".to_string()].into(), &mut cache)
            .expect("refresh");
        assert!(snap.get("node_modules/x.js").is_none());
        assert!(snap.is_excluded("node_modules/x.js"));
        // A file added later is judged by the new rules too.
        std::fs::write(root.join("node_modules/y.js"), "y").expect("write");
        snap.refresh(&["node_modules/y.js".to_string()].into(), &mut cache)
            .expect("refresh");
        assert!(snap.get("node_modules/y.js").is_none());
    }
}
