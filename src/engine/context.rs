//! The build context: a snapshot of a directory as the builder would receive
//! it (`.dockerignore` applied), with a content digest per file, plus what the
//! builder asks of it — COPY source resolution, cache-key checksums, diffs
//! between two snapshots and file contents for layers.
//!
//! This module and `state` are the engine's only filesystem edges.
//! Simulated changes (`overlay`) are pure data laid over a snapshot.

mod file_cache;
mod listing;
mod overlay;
mod refresh;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Cursor, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::dockerignore::{DockerIgnore, IgnoreError, MatchInfo};
use super::gopath;
use crate::filesystem::digest::{Digest, Hasher};
use listing::{Kind, Lister, Lstat};

pub use file_cache::FileCache;
pub use overlay::{Override, Overrides};
pub use refresh::MAX_PATHS as MAX_REFRESH_PATHS;

/// Read size when hashing: large enough that syscalls vanish next to sha256,
/// small enough to stay in cache. Files are never read whole into memory.
const HASH_BUFFER: usize = 256 * 1024;

/// Linux's limit on symlinks followed while resolving one path (ELOOP).
const MAX_SYMLINK_HOPS: usize = 40;

/// What a context entry is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum FileKind {
    File,
    Dir,
    /// The link text, verbatim (may be absolute or point outside the context).
    Symlink {
        target: String,
    },
}

impl FileKind {
    pub fn name(&self) -> &'static str {
        match self {
            FileKind::File => "file",
            FileKind::Dir => "directory",
            FileKind::Symlink { .. } => "symlink",
        }
    }
}

/// One path of the context, as `lstat` saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMeta {
    pub kind: FileKind,
    /// Permission bits with setuid/setgid/sticky (`mode & 0o7777`).
    pub mode: u32,
    /// Bytes for files, link-text length for symlinks, 0 for directories
    /// (a directory's own size is filesystem noise no image records).
    pub size: u64,
    pub uid: u32,
    pub gid: u32,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
    /// sha256 of the contents: `Some` exactly for files.
    pub content: Option<Digest>,
}

/// How much hashing a snapshot took: tests and the UI read these.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HashStats {
    /// Files whose contents were read and hashed.
    pub files_hashed: usize,
    /// Files whose digest came from the stat cache.
    pub files_reused: usize,
    pub bytes_hashed: u64,
}

/// What a stat cache in postcard starts with (JSON never does).
const STAT_CACHE_MAGIC: &[u8] = b"layerlab-statcache-1\0";

/// Remembers file digests between snapshots, keyed by relative path. A file
/// is re-hashed only when its stat changed; ctime is part of the key so that
/// a rewrite that restores the old mtime (`cp -p`, rsync) is still noticed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatCache {
    entries: HashMap<String, StatCacheEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StatCacheEntry {
    stat: StatKey,
    digest: Digest,
    /// Found by the capture under way; entries not found are dropped at
    /// its end (one map updated in place, not a new one per capture).
    #[serde(skip)]
    seen: bool,
}

/// The stat fields that must all be unchanged for a cached digest to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct StatKey {
    size: u64,
    mtime_ns: i64,
    ctime_ns: i64,
    inode: u64,
    mode: u32,
}

impl StatCache {
    /// The cache as the state keeps it: postcard, compact and read without
    /// parsing text (a 100,000-file context's cache is read at every
    /// rebuild).
    pub fn to_bytes(&self) -> Vec<u8> {
        let out = STAT_CACHE_MAGIC.to_vec();
        // Plain data into a vector: serializing it cannot fail.
        postcard::to_extend(self, out).unwrap_or_default()
    }

    /// A cache the state kept: postcard, or the JSON of earlier versions.
    /// None when it cannot be read (the files are hashed again).
    pub fn from_bytes(bytes: &[u8]) -> Option<StatCache> {
        match bytes.strip_prefix(STAT_CACHE_MAGIC) {
            Some(rest) => postcard::from_bytes(rest).ok(),
            None => serde_json::from_slice(bytes).ok(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A build context as the builder receives it.
#[derive(Debug, Clone)]
pub struct ContextSnapshot {
    root: PathBuf,
    entries: BTreeMap<String, FileMeta>,
    excluded: BTreeSet<String>,
    unsupported: BTreeSet<String>,
    stats: HashStats,
    /// The rules the capture applied, kept so that a simulated new file is
    /// judged by them too.
    ignore: DockerIgnore,
    /// Contents of simulated writes (see [`Overrides`]): `open` serves
    /// these from memory, never from the file on disk.
    memory: BTreeMap<String, Arc<[u8]>>,
    /// Which snapshot this is (see [`SnapshotId`]).
    id: SnapshotId,
}

/// A snapshot's identity within this process: a fresh one for every
/// capture and every [`ContextSnapshot::with_overrides`], and none other,
/// since a snapshot never changes once made. The builder's memo keys what
/// it derives from a context by it (a clone, being the same snapshot,
/// shares it); never stored, as it means nothing to another process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SnapshotId(u64);

impl SnapshotId {
    pub(crate) fn fresh() -> SnapshotId {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        SnapshotId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Which engine's wording an error should use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Buildkit,
    Classic,
}

/// A COPY/ADD source that names nothing in the context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceNotFound {
    /// The source cleaned against the context root, without the leading `/`.
    pub path: String,
    /// The source was a wildcard that matched nothing (only the classic
    /// builder fails on that).
    pub wildcard: bool,
}

impl SourceNotFound {
    /// The error text the real engine prints, for `COPY` or `ADD`.
    /// BuildKit (dockerd 20.10, BuildKit 0.8):
    /// `failed to compute cache key: "/missing.txt" not found: not found`
    /// (BuildKit HEAD words it `failed to calculate checksum of ref …:
    /// "/missing.txt": not found`, with a random ref id).
    /// Classic: `COPY failed: file not found in build context or excluded by
    /// .dockerignore: stat missing.txt: file does not exist`, and for an empty
    /// wildcard `COPY failed: no source files were specified`.
    pub fn message(&self, dialect: Dialect, keyword: &str) -> String {
        match (dialect, self.wildcard) {
            (Dialect::Buildkit, _) => {
                format!("failed to compute cache key: \"/{}\" not found: not found", self.path)
            }
            (Dialect::Classic, true) => format!("{keyword} failed: no source files were specified"),
            (Dialect::Classic, false) => format!(
                "{keyword} failed: file not found in build context or excluded by .dockerignore: stat {}: file does not exist",
                self.path
            ),
        }
    }
}

impl fmt::Display for SourceNotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Dialect::Buildkit, "COPY"))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("cannot read build context path {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("build context path {path:?} is not valid UTF-8; layerlab needs UTF-8 names")]
    NonUtf8 { path: PathBuf },
    #[error(transparent)]
    Ignore(#[from] IgnoreError),
    #[error("{0}")]
    SourceNotFound(SourceNotFound),
    #[error("syntax error in pattern {pattern:?}")]
    BadPattern { pattern: String },
    #[error("{path}: too many levels of symbolic links")]
    SymlinkLoop { path: String },
    #[error("{path} is not a file of the build context snapshot")]
    NotAFile { path: String },
    #[error("{path}: {reason}")]
    Simulation { path: String, reason: &'static str },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> ContextError + '_ {
    move |source| ContextError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Reads `<root>/.dockerignore`; no file means no patterns.
pub fn read_dockerignore(root: &Path) -> Result<DockerIgnore, ContextError> {
    let path = root.join(".dockerignore");
    match fs::read(&path) {
        Ok(bytes) => Ok(DockerIgnore::parse(&String::from_utf8_lossy(&bytes))?),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(DockerIgnore::default()),
        Err(e) => Err(io_error(&path)(e)),
    }
}

/// A COPY source after wildcard expansion and symlink resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedSource {
    /// The name the copy uses (its base name lands at the destination):
    /// relative to the context root, `""` for the root itself.
    pub name: String,
    /// Where the content is in the snapshot once symlinks are followed.
    pub path: String,
    /// A directory source copies its contents, not itself.
    pub is_dir: bool,
    /// Whether the base name of `name` is part of the cache key. BuildKit
    /// (0.8, dockerd 20.10) hashes only contents for a plain source (the
    /// Dockerfile text already names it) and for a wildcard with a single
    /// match whose base name equals the pattern's; otherwise it hashes each
    /// match's base name with its digest.
    pub name_in_key: bool,
}

/// One difference between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    pub kind: ChangeKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Removed,
    /// A file became a directory, a symlink a file, …
    Type {
        old: &'static str,
        new: &'static str,
    },
    Content {
        old: Digest,
        new: Digest,
    },
    Target {
        old: String,
        new: String,
    },
    Mode {
        old: u32,
        new: u32,
    },
    Owner {
        old: (u32, u32),
        new: (u32, u32),
    },
    /// Only the mtime moved (`touch`): not part of any cache key.
    Touched,
}

impl ContextSnapshot {
    /// Walks `root` the way BuildKit's context transfer does (fsutil): depth
    /// first in name order, `.dockerignore` verdicts carried from each
    /// directory to its children, an excluded directory skipped unless an
    /// exception might re-include something below it, and such a directory
    /// kept only if something below it is. Symlinks are recorded, never
    /// followed. Sockets, FIFOs and devices are listed in `unsupported`.
    pub fn capture(
        root: &Path,
        ignore: &DockerIgnore,
        cache: &mut StatCache,
    ) -> Result<ContextSnapshot, ContextError> {
        let mut walk = Walk {
            ignore,
            cache: std::mem::take(&mut cache.entries),
            // Grown by the files that must be read: a rebuild where the
            // stat cache answers for every file reads none.
            buffer: Vec::new(),
            lister: Lister::new(),
            snapshot: ContextSnapshot::empty(root, ignore),
        };
        let result = walk.dir("", root, None);
        // Keep what was learned even if the walk failed half-way.
        cache.entries = std::mem::take(&mut walk.cache);
        cache.entries.retain(|_, e| std::mem::take(&mut e.seen));
        result?;
        Ok(walk.snapshot)
    }

    /// Nothing yet, for a walk to fill.
    fn empty(root: &Path, ignore: &DockerIgnore) -> ContextSnapshot {
        ContextSnapshot {
            root: root.to_owned(),
            entries: BTreeMap::new(),
            excluded: BTreeSet::new(),
            unsupported: BTreeSet::new(),
            stats: HashStats::default(),
            ignore: ignore.clone(),
            memory: BTreeMap::new(),
            id: SnapshotId::fresh(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The `.dockerignore` rules the capture applied.
    pub fn dockerignore(&self) -> &DockerIgnore {
        &self.ignore
    }

    pub fn id(&self) -> SnapshotId {
        self.id
    }

    /// Every path sent to the builder (relative, `/`-separated, sorted).
    pub fn entries(&self) -> &BTreeMap<String, FileMeta> {
        &self.entries
    }

    pub fn get(&self, path: &str) -> Option<&FileMeta> {
        self.entries.get(path)
    }

    /// Whether `other` holds the same paths with the same metadata (and
    /// leaves out the same ones): what a build could tell apart.
    pub fn same_files(&self, other: &ContextSnapshot) -> bool {
        self.entries == other.entries
            && self.excluded == other.excluded
            && self.unsupported == other.unsupported
            && self.memory == other.memory
    }

    /// Paths `.dockerignore` removed. A skipped directory is listed alone:
    /// everything below it is excluded too (see `is_excluded`).
    pub fn excluded(&self) -> &BTreeSet<String> {
        &self.excluded
    }

    /// Whether `path` was left out by `.dockerignore`.
    pub fn is_excluded(&self, path: &str) -> bool {
        if self.entries.contains_key(path) {
            return false;
        }
        self.excluded.contains(path)
            || path
                .match_indices('/')
                .any(|(i, _)| self.excluded.contains(&path[..i]))
    }

    /// Whether the directory `path` is sent only because an exception
    /// re-includes something below it although `.dockerignore` excludes it.
    /// BuildKit's file sync sends it (it adds the parents of what it sends);
    /// the docker CLI's tar for the classic builder leaves it out, so there
    /// it exists only as the parent untar makes, with no tarsum.
    pub fn sent_only_for_below(&self, path: &str) -> bool {
        if self.ignore.is_empty()
            || !self
                .entries
                .get(path)
                .is_some_and(|m| m.kind == FileKind::Dir)
        {
            return false;
        }
        let mut info = None;
        let ancestors = path.match_indices('/').map(|(i, _)| &path[..i]);
        for dir in ancestors.chain([path]) {
            let (excluded, next) = self.ignore.walk_verdict(dir, info.as_ref());
            if dir == path {
                return excluded;
            }
            info = Some(next);
        }
        false
    }

    /// Sockets, FIFOs and device nodes: not modelled, not sent.
    pub fn unsupported(&self) -> &BTreeSet<String> {
        &self.unsupported
    }

    pub fn stats(&self) -> HashStats {
        self.stats
    }

    /// Streams a file's bytes (for writing a layer). The reader re-hashes
    /// what it reads and fails at the end if the file no longer matches the
    /// snapshot, so a layer never mixes two versions of the context. A file
    /// written by a simulated change is read from memory.
    pub fn open(&self, path: &str) -> Result<ContextFile, ContextError> {
        let expected = match self.entries.get(path) {
            Some(FileMeta {
                content: Some(digest),
                size,
                ..
            }) => (*digest, *size),
            _ => {
                return Err(ContextError::NotAFile {
                    path: path.to_owned(),
                })
            }
        };
        let source = match self.memory.get(path) {
            Some(bytes) => Source::Memory(Cursor::new(Arc::clone(bytes))),
            None => {
                let full = self.root.join(path);
                Source::Disk(File::open(&full).map_err(io_error(&full))?)
            }
        };
        Ok(ContextFile {
            source,
            path: path.to_owned(),
            hasher: Some(Hasher::new()),
            read: 0,
            expected,
        })
    }

    /// Resolves a COPY/ADD source as BuildKit does. The source is cleaned
    /// against `/` (`./a`, `/a` and `a` are the same; `..` cannot leave the
    /// context). Symlinks on the way are followed *inside* the context, as if
    /// the context root were `/`: `ln -s /etc/passwd x` makes `COPY x` look
    /// for `<context>/etc/passwd`, and `../outside` stays at the root; that is
    /// BuildKit's scoped resolution (classic uses `FollowSymlinkInScope`, the
    /// same rule). A missing source is an error. A wildcard (Go `path.Match`
    /// over the whole path, so `*` never crosses `/`) may match nothing: an
    /// empty list for BuildKit, an error for the classic builder.
    pub fn resolve_sources(
        &self,
        source: &str,
        dialect: Dialect,
    ) -> Result<Vec<ResolvedSource>, ContextError> {
        let cleaned = gopath::clean(&format!("/{source}"));
        let rel = cleaned.trim_start_matches('/').to_owned();
        if !gopath::has_wildcards(&rel) {
            return match self.resolve_scoped(&rel, true)? {
                Some(path) => Ok(vec![self.resolved(rel, path)]),
                None => Err(ContextError::SourceNotFound(SourceNotFound {
                    path: rel,
                    wildcard: false,
                })),
            };
        }
        let matches = self.expand_wildcard(&rel)?;
        if matches.is_empty() && dialect == Dialect::Classic {
            return Err(ContextError::SourceNotFound(SourceNotFound {
                path: rel,
                wildcard: true,
            }));
        }
        Ok(matches)
    }

    fn resolved(&self, name: String, path: String) -> ResolvedSource {
        let is_dir = path.is_empty()
            || self
                .entries
                .get(&path)
                .is_some_and(|m| m.kind == FileKind::Dir);
        ResolvedSource {
            name,
            path,
            is_dir,
            name_in_key: false,
        }
    }

    /// BuildKit splits the pattern at the first element holding a wildcard,
    /// resolves the plain prefix (following symlinks), then tests every path
    /// below it against the whole pattern; below a match nothing is tested
    /// again. A matched symlink is followed.
    fn expand_wildcard(&self, pattern: &str) -> Result<Vec<ResolvedSource>, ContextError> {
        let elements: Vec<&str> = pattern.split('/').collect();
        let plain = elements
            .iter()
            .take_while(|e| !gopath::has_wildcards(e))
            .count();
        let prefix = elements[..plain].join("/");
        let Some(resolved_prefix) = self.resolve_scoped(&prefix, true)? else {
            return Ok(Vec::new());
        };
        if !self.resolved(String::new(), resolved_prefix.clone()).is_dir {
            return Ok(Vec::new());
        }
        let mut found = Vec::new();
        let mut last_match: Option<String> = None;
        for path in self.descendants(&resolved_prefix) {
            // Test the name as the pattern spells it, not the resolved one.
            let under = under(&resolved_prefix, path);
            let name = join(&prefix, under);
            if last_match
                .as_deref()
                .is_some_and(|m| name.starts_with(m) && name.as_bytes().get(m.len()) == Some(&b'/'))
            {
                continue;
            }
            let matched =
                gopath::path_match(pattern, &name).map_err(|_| ContextError::BadPattern {
                    pattern: pattern.to_owned(),
                })?;
            if !matched {
                continue;
            }
            last_match = Some(name.clone());
            match self.resolve_scoped(path, true)? {
                Some(target) => found.push(self.resolved(name, target)),
                None => {
                    return Err(ContextError::SourceNotFound(SourceNotFound {
                        path: name,
                        wildcard: false,
                    }))
                }
            }
        }
        let single_same_base =
            found.len() == 1 && found.iter().all(|f| base(&f.name) == base(pattern));
        for source in &mut found {
            source.name_in_key = !single_same_base;
        }
        Ok(found)
    }

    /// Paths strictly below `dir` (`""` = the root), in sorted order.
    fn descendants<'a>(&'a self, dir: &str) -> impl Iterator<Item = &'a str> + 'a {
        let start = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let end = if dir.is_empty() {
            None
        } else {
            // `0` is the byte after `/`, so [dir/, dir0) is exactly the subtree.
            Some(format!("{dir}0"))
        };
        self.entries
            .range(start..)
            .take_while(move |(p, _)| end.as_ref().is_none_or(|end| p.as_str() < end.as_str()))
            .map(|(p, _)| p.as_str())
    }

    /// Follows symlinks along `path` with the context root as `/` (absolute
    /// targets restart at the root, `..` stops there). The last element is
    /// followed only when `follow_last`. `None` when something is missing,
    /// or a non-directory is used as one.
    fn resolve_scoped(
        &self,
        path: &str,
        follow_last: bool,
    ) -> Result<Option<String>, ContextError> {
        let mut pending: Vec<String> = path.split('/').rev().map(str::to_owned).collect();
        let mut resolved: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(element) = pending.pop() {
            match element.as_str() {
                "" | "." => continue,
                ".." => {
                    resolved.pop();
                    continue;
                }
                _ => {}
            }
            let mut candidate = resolved.join("/");
            if !candidate.is_empty() {
                candidate.push('/');
            }
            candidate.push_str(&element);
            let Some(meta) = self.entries.get(&candidate) else {
                return Ok(None);
            };
            let last = pending.iter().all(|e| e.is_empty() || e == ".");
            match &meta.kind {
                FileKind::Symlink { target } if !last || follow_last => {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        return Err(ContextError::SymlinkLoop {
                            path: path.to_owned(),
                        });
                    }
                    if target.starts_with('/') {
                        resolved.clear();
                    }
                    pending.extend(target.split('/').rev().map(str::to_owned));
                }
                FileKind::Dir => resolved.push(element),
                _ if last => resolved.push(element),
                _ => return Ok(None),
            }
        }
        Ok(Some(resolved.join("/")))
    }

    /// A digest standing for the content a COPY of `sources` would copy: the
    /// cache key's view of the context, in the spirit of BuildKit's
    /// contenthash. Per source: its base name when `name_in_key` (see
    /// there), then for every path it copies (the
    /// source itself, and for a directory everything below it, relative to
    /// it): the relative path, the type, the permission bits (with
    /// setuid/setgid/sticky; not for symlinks, whose mode BuildKit pins to
    /// 0777), and the content digest and size (files) or link text
    /// (symlinks). A directory source also contributes its own mode, except
    /// the context root.
    ///
    /// NOT included: mtime (BuildKit's tarsum header leaves it out; `touch`
    /// keeps COPY cached) and uid/gid — BuildKit does hash uid/gid, but the
    /// docker CLI resets them to 0:0 when it sends the context (both builders:
    /// `resetUIDAndGID` for BuildKit, `ChownOpts 0:0` for the classic tar), so
    /// a `chown` in the context never changes a `docker build` cache key.
    /// (`buildctl` sends real owners; layerlab models `docker build`.)
    pub fn checksum(&self, sources: &[ResolvedSource]) -> Digest {
        let mut hasher = Hasher::new();
        for source in sources {
            hasher.update(b"source\0");
            if source.name_in_key {
                hasher.update(base(&source.name).as_bytes());
            }
            hasher.update(b"\n");
            if let Some(meta) = self.entries.get(&source.path) {
                hash_entry(&mut hasher, "", meta);
            }
            if source.is_dir {
                for path in self.descendants(&source.path) {
                    if let Some(meta) = self.entries.get(path) {
                        hash_entry(&mut hasher, under(&source.path, path), meta);
                    }
                }
            }
        }
        hasher.finish()
    }

    /// What changed from `older` to `self`, for paths `filter` accepts, in
    /// path order. One path may yield several changes (content and mode).
    pub fn diff(&self, older: &ContextSnapshot, filter: impl Fn(&str) -> bool) -> Vec<Change> {
        let paths: BTreeSet<&String> = self.entries.keys().chain(older.entries.keys()).collect();
        let mut changes = Vec::new();
        for path in paths.into_iter().filter(|p| filter(p)) {
            let kinds = match (older.entries.get(path), self.entries.get(path)) {
                (None, Some(_)) => vec![ChangeKind::Added],
                (Some(_), None) => vec![ChangeKind::Removed],
                (Some(old), Some(new)) => meta_changes(old, new),
                (None, None) => Vec::new(),
            };
            changes.extend(kinds.into_iter().map(|kind| Change {
                path: path.clone(),
                kind,
            }));
        }
        changes
    }
}

/// The changes between two versions of one path; `Touched` only when nothing
/// else changed.
fn meta_changes(old: &FileMeta, new: &FileMeta) -> Vec<ChangeKind> {
    let mut kinds = Vec::new();
    match (&old.kind, &new.kind) {
        (FileKind::Symlink { target: a }, FileKind::Symlink { target: b }) if a != b => {
            kinds.push(ChangeKind::Target {
                old: a.clone(),
                new: b.clone(),
            });
        }
        (a, b) if a.name() != b.name() => kinds.push(ChangeKind::Type {
            old: a.name(),
            new: b.name(),
        }),
        _ => {}
    }
    if let (Some(a), Some(b)) = (old.content, new.content) {
        if a != b {
            kinds.push(ChangeKind::Content { old: a, new: b });
        }
    }
    if old.mode != new.mode && old.kind.name() == new.kind.name() {
        kinds.push(ChangeKind::Mode {
            old: old.mode,
            new: new.mode,
        });
    }
    if (old.uid, old.gid) != (new.uid, new.gid) {
        kinds.push(ChangeKind::Owner {
            old: (old.uid, old.gid),
            new: (new.uid, new.gid),
        });
    }
    if kinds.is_empty() && old.mtime_ns != new.mtime_ns {
        kinds.push(ChangeKind::Touched);
    }
    kinds
}

fn hash_entry(hasher: &mut Hasher, path: &str, meta: &FileMeta) {
    hasher.update(path.as_bytes());
    hasher.update(b"\0");
    hasher.update(meta.kind.name().as_bytes());
    match &meta.kind {
        FileKind::File => {
            let digest = meta.content.map(|d| d.to_string()).unwrap_or_default();
            hasher.update(format!("\0{:o}\0{}\0{digest}", meta.mode, meta.size).as_bytes());
        }
        FileKind::Dir => hasher.update(format!("\0{:o}", meta.mode).as_bytes()),
        FileKind::Symlink { target } => {
            hasher.update(b"\0");
            hasher.update(target.as_bytes());
        }
    }
    hasher.update(b"\n");
}

/// `path` relative to `dir` (`""` = the root); `path` must be below `dir`.
fn under<'a>(dir: &str, path: &'a str) -> &'a str {
    if dir.is_empty() {
        path
    } else {
        path.get(dir.len() + 1..).unwrap_or("")
    }
}

/// Go's `path.Base` for the cleaned relative paths used here.
fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// The state of one capture.
struct Walk<'a> {
    ignore: &'a DockerIgnore,
    cache: HashMap<String, StatCacheEntry>,
    buffer: Vec<u8>,
    lister: Lister,
    snapshot: ContextSnapshot,
}

impl Walk<'_> {
    /// Walks one directory; returns whether anything below it was kept.
    fn dir(
        &mut self,
        rel: &str,
        abs: &Path,
        info: Option<&MatchInfo>,
    ) -> Result<bool, ContextError> {
        let names = self.lister.list(abs).map_err(|e| match e {
            listing::ListError::Io(source) => ContextError::Io {
                path: abs.to_owned(),
                source,
            },
            listing::ListError::Entry(name, source) => ContextError::Io {
                path: abs.join(name),
                source,
            },
            listing::ListError::NonUtf8(name) => ContextError::NonUtf8 {
                path: abs.join(std::ffi::OsStr::from_bytes(&name)),
            },
        })?;
        let mut kept_any = false;
        for (name, meta) in names {
            let rel = join(rel, &name);
            kept_any |= self.entry(rel, abs, &name, &meta, info)?;
        }
        Ok(kept_any)
    }

    /// Takes in one path of the walk (and, for a directory, what is below
    /// it); `info` is its parent's `.dockerignore` state. Returns whether
    /// it was kept. Its full path is made only when something is read
    /// through it: a rebuild's walk of unchanged files reads nothing.
    fn entry(
        &mut self,
        rel: String,
        parent: &Path,
        name: &str,
        meta: &Lstat,
        info: Option<&MatchInfo>,
    ) -> Result<bool, ContextError> {
        let (excluded, child_info) = if self.ignore.is_empty() {
            (false, None)
        } else {
            let (excluded, info) = self.ignore.walk_verdict(&rel, info);
            (excluded, Some(info))
        };
        if meta.kind == Kind::Dir {
            if excluded && !self.ignore.may_reinclude_below(&rel) {
                self.snapshot.excluded.insert(rel);
                return Ok(false);
            }
            let kept_below = self.dir(&rel, &parent.join(name), child_info.as_ref())?;
            if excluded && !kept_below {
                self.snapshot.excluded.insert(rel);
                return Ok(false);
            }
            self.snapshot
                .entries
                .insert(rel, stat_meta(meta, FileKind::Dir, None));
            return Ok(true);
        }
        if excluded {
            self.snapshot.excluded.insert(rel);
            return Ok(false);
        }
        let entry = match meta.kind {
            Kind::File => {
                let digest = self.file_digest(&rel, || parent.join(name), meta)?;
                stat_meta(meta, FileKind::File, Some(digest))
            }
            Kind::Symlink => {
                let abs = parent.join(name);
                let target = fs::read_link(&abs).map_err(io_error(&abs))?;
                let Some(target) = target.to_str() else {
                    return Err(ContextError::NonUtf8 { path: abs });
                };
                let kind = FileKind::Symlink {
                    target: target.to_owned(),
                };
                stat_meta(meta, kind, None)
            }
            Kind::Dir | Kind::Other => {
                self.snapshot.unsupported.insert(rel);
                return Ok(false);
            }
        };
        self.snapshot.entries.insert(rel, entry);
        Ok(true)
    }

    fn file_digest(
        &mut self,
        rel: &str,
        abs: impl FnOnce() -> PathBuf,
        meta: &Lstat,
    ) -> Result<Digest, ContextError> {
        let stat = StatKey {
            size: meta.size,
            mtime_ns: meta.mtime_ns,
            ctime_ns: meta.ctime_ns,
            inode: meta.inode,
            mode: meta.perm,
        };
        if let Some(cached) = self.cache.get_mut(rel) {
            cached.seen = true;
            if cached.stat == stat {
                self.snapshot.stats.files_reused += 1;
                return Ok(cached.digest);
            }
        }
        let abs = abs();
        let mut file = File::open(&abs).map_err(io_error(&abs))?;
        // One read for a small file, bounded reads for a large one.
        let want = usize::try_from(stat.size.saturating_add(1))
            .map_or(HASH_BUFFER, |n| n.min(HASH_BUFFER));
        if self.buffer.len() < want {
            self.buffer.resize(want, 0);
        }
        let mut hasher = Hasher::new();
        loop {
            let n = file.read(&mut self.buffer).map_err(io_error(&abs))?;
            if n == 0 {
                break;
            }
            hasher.update(&self.buffer[..n]);
            self.snapshot.stats.bytes_hashed += n as u64;
        }
        self.snapshot.stats.files_hashed += 1;
        let digest = hasher.finish();
        let entry = StatCacheEntry {
            stat,
            digest,
            seen: true,
        };
        self.cache.insert(rel.to_owned(), entry);
        Ok(digest)
    }
}

fn stat_meta(meta: &Lstat, kind: FileKind, content: Option<Digest>) -> FileMeta {
    let size = if kind == FileKind::Dir { 0 } else { meta.size };
    FileMeta {
        kind,
        mode: meta.perm,
        size,
        uid: meta.uid,
        gid: meta.gid,
        mtime_ns: meta.mtime_ns,
        content,
    }
}

/// Where a [`ContextFile`]'s bytes come from.
enum Source {
    Disk(File),
    /// Simulated content (see [`Overrides`]).
    Memory(Cursor<Arc<[u8]>>),
}

/// A context file being read for a layer; see [`ContextSnapshot::open`].
pub struct ContextFile {
    source: Source,
    path: String,
    hasher: Option<Hasher>,
    read: u64,
    expected: (Digest, u64),
}

impl Read for ContextFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match &mut self.source {
            Source::Disk(file) => file.read(buf)?,
            Source::Memory(bytes) => bytes.read(buf)?,
        };
        if n > 0 {
            self.read += n as u64;
            if let Some(hasher) = self.hasher.as_mut() {
                hasher.update(&buf[..n]);
            }
        } else if !buf.is_empty() {
            if let Some(hasher) = self.hasher.take() {
                if (hasher.finish(), self.read) != self.expected {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{} changed since the build context was read", self.path),
                    ));
                }
            }
        }
        Ok(n)
    }
}
