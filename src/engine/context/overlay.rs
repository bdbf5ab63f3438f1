//! Simulated changes laid over a captured snapshot: "what would a rebuild
//! do if I edited, touched, chmodded, added or deleted this file?" answered
//! without writing to the learner's directory. The result is an ordinary
//! [`ContextSnapshot`] whose written files are served from memory, so the
//! builder, the cache keys and the layers need nothing special.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{ContextError, ContextSnapshot, FileKind, FileMeta, SnapshotId};
use crate::filesystem::digest::Digest;

/// Mode of a file a simulation creates (what a umask of 022 gives).
const NEW_FILE_MODE: u32 = 0o644;
/// Mode of a directory created on the way to a new file.
const NEW_DIR_MODE: u32 = 0o755;
/// Each applied change happens one second after the previous one (and after
/// the newest file of the snapshot): modification times stay ordered and a
/// rebuild of the same simulation gives the same layer bytes.
const TICK_NS: i64 = 1_000_000_000;

/// One simulated change of a context path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    /// New or changed content. An existing file keeps its mode and owner; a
    /// new one gets 0644, and missing parent directories appear with 0755.
    Write(Arc<[u8]>),
    /// A new modification time only (`touch`).
    Touch,
    /// New permission bits (`chmod`), `mode & 0o7777`.
    Mode(u32),
    /// The path and, for a directory, everything below it (`rm -r`).
    Remove,
}

/// Simulated changes in the order they were made. Order matters, as it does
/// on disk: removing `src` and then writing `src/a` leaves `src` with only
/// `a`, the other way round leaves nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    changes: Vec<(String, Override)>,
}

impl Overrides {
    /// Records a change after the others. A change that only repeats the
    /// last one of the same path (a second edit, touch or chmod in a row)
    /// replaces it, so a long session does not pile up old contents.
    pub fn push(&mut self, path: impl Into<String>, change: Override) {
        let path = path.into();
        if let Some((last_path, last)) = self.changes.last_mut() {
            if *last_path == path && std::mem::discriminant(last) == std::mem::discriminant(&change)
            {
                *last = change;
                return;
            }
        }
        self.changes.push((path, change));
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn len(&self) -> usize {
        self.changes.len()
    }

    pub fn clear(&mut self) {
        self.changes.clear();
    }

    /// The changes, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Override)> {
        self.changes.iter().map(|(p, c)| (p.as_str(), c))
    }

    /// Every path a change names.
    pub fn paths(&self) -> BTreeSet<&str> {
        self.changes.iter().map(|(p, _)| p.as_str()).collect()
    }
}

fn refuse(path: &str, reason: &'static str) -> ContextError {
    ContextError::Simulation {
        path: path.to_owned(),
        reason,
    }
}

/// The strict ancestors of `path`, nearest last: `a`, `a/b` for `a/b/c`.
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

/// The keys of `map` strictly below `dir`.
fn below<V>(map: &BTreeMap<String, V>, dir: &str) -> Vec<String> {
    let start = format!("{dir}/");
    map.range(start.clone()..)
        .take_while(|(p, _)| p.starts_with(&start))
        .map(|(p, _)| p.clone())
        .collect()
}

/// Removes `path` and everything below it from `set`.
fn remove_subtree(set: &mut BTreeSet<String>, path: &str) {
    let start = format!("{path}/");
    let doomed: Vec<String> = set
        .range(start.clone()..)
        .take_while(|p| p.starts_with(&start))
        .cloned()
        .collect();
    for p in doomed {
        set.remove(&p);
    }
    set.remove(path);
}

impl ContextSnapshot {
    /// This snapshot with `overrides` applied in order, as if they had been
    /// made on disk before the capture: new digests for written bytes,
    /// `.dockerignore` applied to new paths with the capture's rules, and
    /// [`open`](Self::open) serving written files from memory. A change that
    /// [`check_override`](Self::check_override) refuses at its turn is
    /// skipped. Nothing is read or written on disk.
    ///
    /// The ignore rules stay those of the capture even when `.dockerignore`
    /// itself is overridden: its new text is sent (and can be copied) but
    /// does not re-filter the context.
    pub fn with_overrides(&self, overrides: &Overrides) -> ContextSnapshot {
        let mut out = self.clone();
        out.id = SnapshotId::fresh();
        let mut clock = out.entries.values().map(|m| m.mtime_ns).max().unwrap_or(0);
        for (path, change) in overrides.iter() {
            if out.check_override(path, change).is_err() {
                continue;
            }
            clock = clock.saturating_add(TICK_NS);
            out.apply_override(path, change, clock);
        }
        out
    }

    /// The bytes of a file a simulated change wrote, if any.
    pub fn override_bytes(&self, path: &str) -> Option<&Arc<[u8]>> {
        self.memory.get(path)
    }

    /// Whether `change` can be made to `path` in this snapshot, refused as
    /// the filesystem call it stands for would refuse it (and, for paths
    /// through symlinks, because following them is not simulated).
    /// `.dockerignore`d paths may be changed: they stay out of the context.
    pub fn check_override(&self, path: &str, change: &Override) -> Result<(), ContextError> {
        if path.is_empty()
            || path
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
        {
            return Err(refuse(
                path,
                "only paths inside the build context can be changed",
            ));
        }
        for dir in ancestors(path) {
            match self.entries.get(dir).map(|m| &m.kind) {
                Some(FileKind::Dir) | None => {}
                Some(FileKind::Symlink { .. }) => {
                    return Err(refuse(path, "a symlink on the way is not followed here"))
                }
                Some(FileKind::File) => return Err(refuse(path, "not a directory")),
            }
        }
        let entry = self.entries.get(path);
        let exists = entry.is_some() || self.is_excluded(path);
        match (change, entry.map(|m| &m.kind)) {
            (Override::Write(_), Some(FileKind::Dir)) => Err(refuse(path, "is a directory")),
            (Override::Write(_) | Override::Mode(_), Some(FileKind::Symlink { .. })) => Err(
                refuse(path, "is a symlink; change the file it points to instead"),
            ),
            (Override::Write(_), _) => Ok(()),
            (_, _) if !exists => Err(refuse(path, "no such file in the build context")),
            _ => Ok(()),
        }
    }

    /// Applies one change already checked; `now` is its modification time.
    fn apply_override(&mut self, path: &str, change: &Override, now: i64) {
        match change {
            Override::Write(bytes) => self.write(path, bytes, now),
            Override::Touch => {
                if let Some(meta) = self.entries.get_mut(path) {
                    meta.mtime_ns = now;
                }
            }
            Override::Mode(mode) => {
                if let Some(meta) = self.entries.get_mut(path) {
                    meta.mode = mode & 0o7777;
                }
            }
            Override::Remove => self.remove(path),
        }
    }

    fn write(&mut self, path: &str, bytes: &Arc<[u8]>, now: i64) {
        let content = Some(Digest::of(bytes));
        let size = bytes.len() as u64;
        if let Some(meta) = self.entries.get_mut(path) {
            meta.content = content;
            meta.size = size;
            meta.mtime_ns = now;
            self.memory.insert(path.to_owned(), Arc::clone(bytes));
            return;
        }
        // Judged by the walk, not by `is_excluded`: an excluded directory
        // listed alone may still take in a new file an exception names.
        if let Some(skipped) = self.excluded_from_walk(path) {
            self.excluded.insert(skipped);
            return;
        }
        let (uid, gid) = ancestors(path)
            .filter_map(|dir| self.entries.get(dir))
            .last()
            .map_or((0, 0), |m| (m.uid, m.gid));
        for dir in ancestors(path) {
            // An excluded directory is sent when something below it is.
            self.excluded.remove(dir);
            self.entries.entry(dir.to_owned()).or_insert(FileMeta {
                kind: FileKind::Dir,
                mode: NEW_DIR_MODE,
                size: 0,
                uid,
                gid,
                mtime_ns: now,
                content: None,
            });
        }
        self.entries.insert(
            path.to_owned(),
            FileMeta {
                kind: FileKind::File,
                mode: NEW_FILE_MODE,
                size,
                uid,
                gid,
                mtime_ns: now,
                content,
            },
        );
        self.memory.insert(path.to_owned(), Arc::clone(bytes));
    }

    /// For a new path: the path the capture's walk would have listed as
    /// excluded instead of it (itself, or a directory on the way that the
    /// walk skips), or `None` when the path would be sent. The same
    /// decisions as the capture, made along this one path.
    fn excluded_from_walk(&self, path: &str) -> Option<String> {
        if self.ignore.is_empty() {
            return None;
        }
        let mut info = None;
        for dir in ancestors(path) {
            let (excluded, next) = self.ignore.walk_verdict(dir, info.as_ref());
            if excluded && !self.ignore.may_reinclude_below(dir) {
                return Some(dir.to_owned());
            }
            info = Some(next);
        }
        let (excluded, _) = self.ignore.walk_verdict(path, info.as_ref());
        excluded.then(|| path.to_owned())
    }

    fn remove(&mut self, path: &str) {
        for p in below(&self.entries, path) {
            self.entries.remove(&p);
            self.memory.remove(&p);
        }
        self.entries.remove(path);
        self.memory.remove(path);
        remove_subtree(&mut self.excluded, path);
        remove_subtree(&mut self.unsupported, path);
        self.relist_emptied_dirs(path);
    }

    /// The capture keeps an excluded directory only while something below it
    /// is sent; once a removal empties it, it is listed as excluded again.
    fn relist_emptied_dirs(&mut self, removed: &str) {
        if self.ignore.is_empty() {
            return;
        }
        let dirs: Vec<&str> = ancestors(removed).collect();
        let mut info = None;
        let mut excluded_dirs = Vec::new();
        for dir in &dirs {
            let (excluded, next) = self.ignore.walk_verdict(dir, info.as_ref());
            if excluded {
                excluded_dirs.push((*dir).to_owned());
            }
            info = Some(next);
        }
        // Nearest first: emptying a child may empty its parent.
        for dir in excluded_dirs.into_iter().rev() {
            if below(&self.entries, &dir).is_empty() && self.entries.remove(&dir).is_some() {
                self.excluded.insert(dir);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dockerignore::DockerIgnore;
    use std::io::Read;

    fn file(content: &[u8], mode: u32) -> FileMeta {
        FileMeta {
            kind: FileKind::File,
            mode,
            size: content.len() as u64,
            uid: 1000,
            gid: 1000,
            mtime_ns: 5,
            content: Some(Digest::of(content)),
        }
    }

    fn dir() -> FileMeta {
        FileMeta {
            kind: FileKind::Dir,
            mode: 0o700,
            size: 0,
            uid: 1000,
            gid: 1000,
            mtime_ns: 5,
            content: None,
        }
    }

    /// A snapshot built in memory: these tests never touch a disk.
    fn snap(ignore: &str, entries: &[(&str, FileMeta)], excluded: &[&str]) -> ContextSnapshot {
        ContextSnapshot {
            root: "/nonexistent-context".into(),
            entries: entries
                .iter()
                .map(|(p, m)| ((*p).to_owned(), m.clone()))
                .collect(),
            excluded: excluded.iter().map(|p| (*p).to_owned()).collect(),
            unsupported: BTreeSet::new(),
            stats: Default::default(),
            ignore: DockerIgnore::parse(ignore).unwrap(),
            memory: BTreeMap::new(),
            id: SnapshotId::fresh(),
        }
    }

    fn one(path: &str, change: Override) -> Overrides {
        let mut o = Overrides::default();
        o.push(path, change);
        o
    }

    fn bytes(b: &[u8]) -> Override {
        Override::Write(Arc::from(b))
    }

    fn read(s: &ContextSnapshot, path: &str) -> Vec<u8> {
        let mut out = Vec::new();
        s.open(path).unwrap().read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn a_write_changes_digest_size_and_time_and_is_read_from_memory() {
        let base = snap("", &[("a.js", file(b"1", 0o755))], &[]);
        let s = base.with_overrides(&one("a.js", bytes(b"1\n")));
        let m = s.get("a.js").unwrap();
        assert_eq!(m.content, Some(Digest::of(b"1\n")));
        assert_eq!((m.size, m.mode, m.uid), (2, 0o755, 1000));
        assert!(m.mtime_ns > 5);
        assert_eq!(read(&s, "a.js"), b"1\n", "the root does not even exist");
        assert_eq!(s.override_bytes("a.js").map(|b| &b[..]), Some(&b"1\n"[..]));
        assert!(
            base.override_bytes("a.js").is_none(),
            "the base is unchanged"
        );
    }

    #[test]
    fn a_new_file_gets_0644_and_its_parents_appear_as_0755_dirs() {
        let base = snap("", &[("src", dir())], &[]);
        let s = base.with_overrides(&one("src/lib/new.rs", bytes(b"x")));
        assert_eq!(s.get("src").unwrap().mode, 0o700, "existing dir kept");
        let lib = s.get("src/lib").unwrap();
        assert_eq!(
            (&lib.kind, lib.mode, lib.uid),
            (&FileKind::Dir, 0o755, 1000)
        );
        assert_eq!(s.get("src/lib/new.rs").unwrap().mode, 0o644);
        assert_eq!(read(&s, "src/lib/new.rs"), b"x");
    }

    #[test]
    fn touch_moves_only_the_time_and_mode_only_the_bits() {
        let base = snap("", &[("a", file(b"1", 0o644))], &[]);
        let t = base.with_overrides(&one("a", Override::Touch));
        let diff = t.diff(&base, |_| true);
        assert_eq!(diff.len(), 1);
        assert_eq!(diff[0].kind, super::super::ChangeKind::Touched);
        let m = base.with_overrides(&one("a", Override::Mode(0o100755)));
        assert_eq!(m.get("a").unwrap().mode, 0o755, "type bits dropped");
        assert_eq!(m.get("a").unwrap().content, base.get("a").unwrap().content);
    }

    #[test]
    fn remove_takes_a_whole_directory_and_later_writes_recreate_it() {
        let base = snap(
            "",
            &[
                ("src", dir()),
                ("src/a", file(b"a", 0o644)),
                ("src/b", file(b"b", 0o644)),
                ("srcx", file(b"x", 0o644)),
            ],
            &[],
        );
        let mut o = one("src", Override::Remove);
        let s = base.with_overrides(&o);
        assert_eq!(s.entries().keys().collect::<Vec<_>>(), ["srcx"]);
        o.push("src/c", bytes(b"c"));
        let s = base.with_overrides(&o);
        assert_eq!(
            s.entries().keys().collect::<Vec<_>>(),
            ["src", "src/c", "srcx"]
        );
        assert_eq!(s.get("src").unwrap().mode, 0o755, "a new directory");
        assert!(s.open("src/a").is_err());
    }

    #[test]
    fn dockerignore_applies_to_new_paths() {
        let base = snap(
            "*.log\nbuild\ndocs\n!docs/keep.md\n",
            &[("app.js", file(b"a", 0o644))],
            &["build", "debug.log", "docs"],
        );
        let mut o = Overrides::default();
        o.push("new.log", bytes(b"l"));
        o.push("build/out.o", bytes(b"o"));
        o.push("cache/x.log", bytes(b"l"));
        o.push("debug.log", bytes(b"more"));
        let s = base.with_overrides(&o);
        // `*.log` is anchored at the root, as Docker's patterns are.
        assert_eq!(
            s.entries().keys().collect::<Vec<_>>(),
            ["app.js", "cache", "cache/x.log"]
        );
        assert!(s.is_excluded("new.log") && s.is_excluded("build/out.o"));
        assert!(s.excluded().contains("debug.log") && s.get("debug.log").is_none());
        // An exception re-includes a new file below an excluded directory,
        // which is then sent too; removing that file excludes it again.
        let mut o = one("docs/keep.md", bytes(b"k"));
        let s = base.with_overrides(&o);
        assert!(s.get("docs").is_some() && s.get("docs/keep.md").is_some());
        assert!(!s.excluded().contains("docs"));
        o.push("docs/drop.md", bytes(b"d"));
        assert!(base.with_overrides(&o).get("docs/drop.md").is_none());
        o.push("docs/keep.md", Override::Remove);
        let s = base.with_overrides(&o);
        assert!(s.get("docs").is_none() && s.excluded().contains("docs"));
    }

    #[test]
    fn refused_changes_are_errors_and_skipped() {
        let base = snap(
            "",
            &[
                ("a", file(b"a", 0o644)),
                ("d", dir()),
                (
                    "l",
                    FileMeta {
                        kind: FileKind::Symlink { target: "a".into() },
                        ..dir()
                    },
                ),
            ],
            &[],
        );
        for (path, change) in [
            ("../x", bytes(b"x")),
            ("/etc/passwd", Override::Touch),
            ("a//b", bytes(b"x")),
            ("", Override::Remove),
            ("a/b", bytes(b"x")),
            ("d", bytes(b"x")),
            ("l", bytes(b"x")),
            ("l", Override::Mode(0o755)),
            ("l/x", bytes(b"x")),
            ("missing", Override::Touch),
            ("missing", Override::Remove),
        ] {
            assert!(base.check_override(path, &change).is_err(), "{path}");
            let s = base.with_overrides(&one(path, change));
            assert_eq!(s.entries(), base.entries(), "{path}");
        }
        assert!(base.check_override("l", &Override::Remove).is_ok());
        assert!(base.check_override("d/new", &bytes(b"x")).is_ok());
    }

    #[test]
    fn repeated_changes_of_one_path_collapse() {
        let mut o = Overrides::default();
        o.push("a", bytes(b"1"));
        o.push("a", bytes(b"2"));
        o.push("a", Override::Mode(0o755));
        o.push("a", Override::Mode(0o644));
        o.push("b", Override::Touch);
        assert_eq!(o.len(), 3);
        assert_eq!(o.iter().next(), Some(("a", &bytes(b"2"))));
        assert_eq!(o.paths().into_iter().collect::<Vec<_>>(), ["a", "b"]);
        o.clear();
        assert!(o.is_empty());
    }
}
