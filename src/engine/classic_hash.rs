//! The source hash the classic builder (Docker Engine 20.10, `DOCKER_BUILDKIT=0`)
//! writes into a COPY/ADD step: `file:<hex>`, `dir:<hex>` or `multi:<hex>`.
//!
//! It is part of the step's cache key (the nop command
//! `/bin/sh -c #(nop) COPY file:… in /app/ `) and shows in `docker history`.
//! Rules, all from moby v20.10.24 and checked against every recorded
//! classic history under `/work/shared/conformance` (tests/it/classic_hash.rs):
//!
//! * Each filesystem entry has a *tarsum v1* digest (see [`tarsum_entry`]):
//!   SHA-256 over header fields then data. The name is the path relative to
//!   the source root, directories with a trailing `/`; the mode carries the
//!   file-type bits (`33188` for a 0644 file, `16877` for a 0755 directory).
//! * Build context ([`SourceOrigin::BuildContext`]): the docker CLI tars the
//!   context with `ChownOpts` uid 0 / gid 0 (docker/cli v20.10.24
//!   cli/command/image/build.go), and the daemon's streaming tarsum blanks
//!   uname/gname (`tarSum.encodeHeader`). So ownership never reaches the
//!   hash; permission bits do. `builder/remotecontext/archive.go`.
//! * Stage or image filesystem ([`SourceOrigin::Filesystem`], `COPY --from`,
//!   also ADD's downloaded URL file): hashed lazily from `lstat`
//!   (`remotecontext/lazycontext.go` + `filehash.go`) with the real uid/gid and
//!   the user/group *names* the daemon's host resolves them to: this path
//!   does not blank them. Recorded: 16-multistage-copy-from's
//!   `COPY --from=builder /bundle.js` is `file:e3dabf31…` only with
//!   uname = gname = "root".
//! * A path is looked up after resolving symlinks inside the source root
//!   (`FollowSymlinkInScope`: absolute targets restart at the root, `..`
//!   stops at it). So a symlink hashes as its target; an entry with no
//!   tarsum (a dangling link, a directory the tar never listed) hashes as
//!   its path string (`archiveContext.Hash`'s "backwards compat" fallback).
//! * `file:` — a source that resolves to a non-directory: `file:` + its hash.
//! * `dir:` — a directory source: walk it (the directory itself included,
//!   the context root `.` excluded), hash every entry, sort the hex strings,
//!   join with `,`, SHA-256 (`walkSource` + `hashStringSlice`). Recorded:
//!   13, 20, 25 (`COPY src/`, the `src/` entry counts) and 02, 03, 07, 08
//!   (`COPY . .`, the root does not).
//! * Wildcards: walk the whole source tree in `filepath.Walk` order (pre-order,
//!   siblings sorted by name) and take every path that Go's
//!   `filepath.Match` accepts, each as its own `file:`/`dir:` source.
//! * `multi:` — more than one source after expansion: SHA-256 of the
//!   hashes joined with `,` in source order, *not* sorted
//!   (`getSourceHashFromInfos`). One source keeps its own hash, so
//!   `COPY *.js /app/` with a single match is `file:`. Recorded: 21.

mod tarsum_entry;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read};

use super::gopath;
use tarsum_entry::{
    sha256_hex, tarsum_hex, TarsumHeader, MODE_BITS_KEPT, TYPE_BITS_DIR, TYPE_BITS_FILE,
    TYPE_BITS_SYMLINK,
};

/// What a source entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file of `size` bytes; its bytes come from [`FileContents`].
    File {
        size: u64,
    },
    Dir,
    /// A symbolic link; `target` is taken verbatim (absolute or relative,
    /// possibly pointing outside the source or nowhere).
    Symlink {
        target: String,
    },
}

/// One filesystem entry of a COPY source tree (the build context after
/// `.dockerignore`, or a stage's root filesystem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceEntry {
    /// Path relative to the source root, `/`-separated, without leading
    /// `/` or `./`, trailing `/`, or `.`/`..` components: `src/lib/util.js`.
    pub path: String,
    pub kind: EntryKind,
    /// Permission bits plus setuid/setgid/sticky (`0o7777`); other bits are
    /// ignored.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Names the daemon's host gives `uid`/`gid` (`""` when it has none);
    /// hashed only for [`SourceOrigin::Filesystem`].
    pub uname: String,
    pub gname: String,
}

impl SourceEntry {
    /// A regular file owned by root (names "root", as on a usual host).
    pub fn file(path: impl Into<String>, mode: u32, size: u64) -> Self {
        Self::root_owned(path.into(), EntryKind::File { size }, mode)
    }

    /// A directory owned by root.
    pub fn dir(path: impl Into<String>, mode: u32) -> Self {
        Self::root_owned(path.into(), EntryKind::Dir, mode)
    }

    /// A symlink owned by root; Linux reports link permissions as 0777.
    pub fn symlink(path: impl Into<String>, target: impl Into<String>) -> Self {
        let kind = EntryKind::Symlink {
            target: target.into(),
        };
        Self::root_owned(path.into(), kind, 0o777)
    }

    /// The same entry with another owner.
    #[must_use]
    pub fn owned_by(mut self, uid: u32, gid: u32, uname: &str, gname: &str) -> Self {
        self.uid = uid;
        self.gid = gid;
        uname.clone_into(&mut self.uname);
        gname.clone_into(&mut self.gname);
        self
    }

    fn root_owned(path: String, kind: EntryKind, mode: u32) -> Self {
        Self {
            path,
            kind,
            mode,
            uid: 0,
            gid: 0,
            uname: "root".to_owned(),
            gname: "root".to_owned(),
        }
    }
}

/// Where the source tree comes from; decides which header fields the
/// classic builder's hash sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceOrigin {
    /// The local build context, as sent by the docker CLI: uid/gid forced
    /// to 0, user/group names blanked.
    BuildContext,
    /// A filesystem the daemon hashes in place: `COPY --from` a stage or
    /// image, or the file ADD downloaded from a URL (written with mode 0600).
    Filesystem,
}

/// Streams the bytes of the regular files of a source tree.
pub trait FileContents {
    /// Opens the regular file at `path` (relative, as in [`SourceEntry::path`]).
    fn open(&self, path: &str) -> io::Result<Box<dyn Read + '_>>;
}

/// An in-memory tree: path → bytes.
impl FileContents for BTreeMap<String, Vec<u8>> {
    fn open(&self, path: &str) -> io::Result<Box<dyn Read + '_>> {
        match self.get(path) {
            Some(bytes) => Ok(Box::new(bytes.as_slice())),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no contents for {path}"),
            )),
        }
    }
}

/// The classic builder's source hash, with its kind prefix:
/// `file:<hex>`, `dir:<hex>` or `multi:<hex>` — or bare `<hex>` for an
/// ADD of a URL (see [`url_download_hash`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClassicSourceHash(String);

impl ClassicSourceHash {
    /// Reads back a stored hash: 64 lowercase hex digits, prefixed by
    /// `file:`, `dir:` or `multi:` or (URL downloads) not at all.
    pub fn parse(text: &str) -> Option<Self> {
        let (kind, hex) = text.split_once(':').unwrap_or(("", text));
        let known_kind = matches!(kind, "" | "file" | "dir" | "multi") && !text.starts_with(':');
        let is_digest =
            hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        (known_kind && is_digest).then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClassicSourceHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The sources of one COPY/ADD after wildcard expansion, and their hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassicCopySources {
    pub hash: ClassicSourceHash,
    /// Each expanded source path, relative to the source root, in the order
    /// the classic builder copies them. More than one requires a
    /// destination ending in `/` (checked by the builder, not here).
    pub sources: Vec<String>,
}

/// Why a source hash cannot be computed; the texts follow dockerd's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassicHashError {
    #[error("invalid source entry {path:?}: {why}")]
    InvalidEntry { path: String, why: &'static str },
    #[error("forbidden path outside the build context: {0}")]
    OutsideSource(String),
    #[error("too many links in {0}")]
    TooManyLinks(String),
    #[error("file not found in build context or excluded by .dockerignore: stat {0}: file does not exist")]
    NotInContext(String),
    #[error("stat {0}: file does not exist")]
    NotInFilesystem(String),
    #[error("no source files were specified")]
    NoSources,
    #[error("failed to read {path}: {message}")]
    Read { path: String, message: String },
}

/// A node of the tree: a listed entry, or a directory that exists only
/// because something below it was listed (the CLI leaves an excluded
/// directory out of the tar but still sends re-included files below it;
/// untar then creates the directory with no tarsum of its own).
#[derive(Debug)]
enum Node {
    Entry(SourceEntry),
    ImplicitDir,
}

impl Node {
    fn is_dir(&self) -> bool {
        match self {
            Node::Entry(entry) => entry.kind == EntryKind::Dir,
            Node::ImplicitDir => true,
        }
    }
}

/// A source tree the classic builder hashes COPY/ADD sources from.
pub struct ClassicSource<'c> {
    origin: SourceOrigin,
    /// Keyed by relative path; `""` is the root.
    nodes: BTreeMap<String, Node>,
    /// Directory → child names in `filepath.Walk` order (byte order).
    children: BTreeMap<String, Vec<String>>,
    contents: &'c dyn FileContents,
}

/// `evalSymlinksInScope`'s `maxIter`: it gives up after this many path
/// components (counting those symlink targets add), which ends link loops.
const MAX_LINK_STEPS: usize = 255;

impl<'c> ClassicSource<'c> {
    /// Builds the tree from its entries (any order). Directories above an
    /// entry that are not listed themselves exist without a tarsum.
    pub fn new(
        origin: SourceOrigin,
        entries: impl IntoIterator<Item = SourceEntry>,
        contents: &'c dyn FileContents,
    ) -> Result<Self, ClassicHashError> {
        let mut nodes = BTreeMap::new();
        nodes.insert(String::new(), Node::ImplicitDir);
        for entry in entries {
            validate_entry_path(&entry.path)?;
            let path = entry.path.clone();
            match nodes.get(&path) {
                Some(Node::ImplicitDir) if entry.kind == EntryKind::Dir => {}
                Some(_) => {
                    return Err(ClassicHashError::InvalidEntry {
                        path,
                        why: "listed twice, or a non-directory with entries below it",
                    })
                }
                None => {}
            }
            let mut parent = parent_of(&path);
            while let Some(dir) = parent {
                match nodes.get(dir) {
                    Some(node) if !node.is_dir() => {
                        return Err(ClassicHashError::InvalidEntry {
                            path,
                            why: "a parent is not a directory",
                        })
                    }
                    // A node in the tree has its parents there already.
                    Some(_) => break,
                    None => {
                        nodes.insert(dir.to_owned(), Node::ImplicitDir);
                    }
                }
                parent = parent_of(dir);
            }
            nodes.insert(path, Node::Entry(entry));
        }
        let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for path in nodes.keys().filter(|p| !p.is_empty()) {
            let (dir, name) = match path.rsplit_once('/') {
                Some((dir, name)) => (dir, name),
                None => ("", path.as_str()),
            };
            // Most paths share their directory with the one before.
            match children.get_mut(dir) {
                Some(names) => names.push(name.to_owned()),
                None => drop(children.insert(dir.to_owned(), vec![name.to_owned()])),
            }
        }
        for names in children.values_mut() {
            names.sort();
        }
        Ok(Self {
            origin,
            nodes,
            children,
            contents,
        })
    }

    /// Hashes the sources of one COPY/ADD as written in the Dockerfile
    /// (after variable expansion, before the destination): `["src/"]`,
    /// `["*.js"]`, `["/bundle.js"]`, `["a.js", "b.js"]`. URLs are not
    /// sources here: hash the downloaded file as a [`SourceOrigin::Filesystem`].
    pub fn copy_sources(&self, sources: &[&str]) -> Result<ClassicCopySources, ClassicHashError> {
        let mut infos: Vec<(String, String)> = Vec::new();
        for source in sources {
            infos.extend(self.source_infos(source, true)?);
        }
        let hashes: Vec<ClassicSourceHash> = infos
            .iter()
            .map(|(_, h)| ClassicSourceHash(h.clone()))
            .collect();
        Ok(ClassicCopySources {
            hash: combine_source_hashes(&hashes)?,
            sources: infos.into_iter().map(|(path, _)| path).collect(),
        })
    }

    /// The (path, hash) pairs one source expands to (`calcCopyInfo`).
    fn source_infos(
        &self,
        source: &str,
        allow_wildcards: bool,
    ) -> Result<Vec<(String, String)>, ClassicHashError> {
        let path = source.strip_prefix('/').unwrap_or(source);
        let path = path.strip_prefix("./").unwrap_or(path);
        if allow_wildcards && gopath::has_wildcards(path) {
            return self.wildcard_infos(path);
        }
        let resolved = self.resolve(path)?;
        let Some(node) = self.nodes.get(&resolved) else {
            return Err(match self.origin {
                SourceOrigin::BuildContext => ClassicHashError::NotInContext(path.to_owned()),
                SourceOrigin::Filesystem => ClassicHashError::NotInFilesystem(path.to_owned()),
            });
        };
        let hash = if node.is_dir() {
            self.dir_hash(&resolved)
        } else {
            format!("file:{}", self.entry_hash(path)?)
        };
        Ok(vec![(path.to_owned(), hash)])
    }

    /// Every path of the tree the pattern matches, in walk order
    /// (`copyWithWildcards`); each is hashed as a plain source.
    fn wildcard_infos(&self, pattern: &str) -> Result<Vec<(String, String)>, ClassicHashError> {
        let mut infos = Vec::new();
        for path in self.walk("") {
            // The classic builder ignores `ErrBadPattern` (`match, _ :=
            // root.Match(...)` in `copyWithWildcards`): a malformed pattern
            // matches nothing.
            if !path.is_empty() && gopath::path_match(pattern, &path).unwrap_or(false) {
                infos.extend(self.source_infos(&path, false)?);
            }
        }
        Ok(infos)
    }

    /// `dir:` hash of the directory at `root` (already resolved).
    fn dir_hash(&self, root: &str) -> String {
        let mut sums: Vec<String> = self
            .walk(root)
            .into_iter()
            .filter(|path| !path.is_empty())
            // walkSource drops an entry whose hash fails rather than failing
            // the COPY.
            .filter_map(|path| self.entry_hash(&path).ok())
            .collect();
        sums.sort();
        format!("dir:{}", sha256_hex(&sums.join(",")))
    }

    /// `filepath.Walk` from `root`: the root, then each child in name order,
    /// descending into directories (never through symlinks).
    fn walk(&self, root: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![root.to_owned()];
        while let Some(path) = stack.pop() {
            if let Some(names) = self.children.get(&path) {
                for name in names.iter().rev() {
                    stack.push(join_rel(&path, name));
                }
            }
            out.push(path);
        }
        out
    }

    /// The hash of one path (`Source.Hash`): the tarsum of what the path
    /// resolves to, or the fallback string when that has none.
    fn entry_hash(&self, path: &str) -> Result<String, ClassicHashError> {
        let resolved = self.resolve(path)?;
        match (self.origin, self.nodes.get(&resolved)) {
            (SourceOrigin::BuildContext, Some(Node::Entry(entry))) => self.tarsum(&resolved, entry),
            // No tar entry under that name: archiveContext returns the path
            // it was asked about.
            (SourceOrigin::BuildContext, _) => Ok(path.to_owned()),
            (SourceOrigin::Filesystem, Some(Node::Entry(entry))) => self.tarsum(&resolved, entry),
            // A directory exists on a real filesystem even when unlisted;
            // hash it as the plain root-owned 0755 directory it would be.
            (SourceOrigin::Filesystem, Some(Node::ImplicitDir)) => {
                self.tarsum(&resolved, &SourceEntry::dir(resolved.clone(), 0o755))
            }
            // lazySource falls back to the resolved relative path.
            (SourceOrigin::Filesystem, None) => Ok(if resolved.is_empty() {
                ".".to_owned()
            } else {
                resolved
            }),
        }
    }

    fn tarsum(&self, path: &str, entry: &SourceEntry) -> Result<String, ClassicHashError> {
        let (type_bits, typeflag, size, linkname) = match &entry.kind {
            EntryKind::File { size } => (TYPE_BITS_FILE, '0', *size, ""),
            EntryKind::Dir => (TYPE_BITS_DIR, '5', 0, ""),
            EntryKind::Symlink { target } => (TYPE_BITS_SYMLINK, '2', 0, target.as_str()),
        };
        let name = if entry.kind == EntryKind::Dir {
            format!("{}/", if path.is_empty() { "." } else { path })
        } else {
            path.to_owned()
        };
        let (uid, gid, uname, gname) = match self.origin {
            SourceOrigin::BuildContext => (0, 0, "", ""),
            SourceOrigin::Filesystem => (
                entry.uid,
                entry.gid,
                entry.uname.as_str(),
                entry.gname.as_str(),
            ),
        };
        let header = TarsumHeader {
            name: &name,
            mode: (entry.mode & MODE_BITS_KEPT) | type_bits,
            uid,
            gid,
            size,
            typeflag,
            linkname,
            uname,
            gname,
        };
        let read_error = |err: io::Error| ClassicHashError::Read {
            path: path.to_owned(),
            message: err.to_string(),
        };
        let mut data: Box<dyn Read + '_> = if size > 0 {
            self.contents.open(path).map_err(read_error)?
        } else {
            Box::new(io::empty())
        };
        tarsum_hex(&header, &mut data).map_err(read_error)
    }

    /// Resolves `path` inside the root (`FollowSymlinkInScope`); returns
    /// the relative key (`""` for the root). The path is cleaned lexically
    /// first and may not climb above the root; symlinks then may not leave
    /// it either: `..` stops at the root and absolute targets restart there.
    fn resolve(&self, path: &str) -> Result<String, ClassicHashError> {
        let Some(mut rest) = clean_within_root(path) else {
            return Err(ClassicHashError::OutsideSource(path.to_owned()));
        };
        // `done` is the resolved prefix, always a clean relative path.
        let mut done = String::new();
        let mut steps = 0;
        while !rest.is_empty() {
            if steps > MAX_LINK_STEPS {
                return Err(ClassicHashError::TooManyLinks(path.to_owned()));
            }
            steps += 1;
            let (part, tail) = match rest.split_once('/') {
                Some((part, tail)) => (part.to_owned(), tail.to_owned()),
                None => (rest.clone(), String::new()),
            };
            rest = tail;
            match part.as_str() {
                "" | "." => continue,
                ".." => {
                    done = parent_of(&done).unwrap_or("").to_owned();
                    continue;
                }
                _ => {}
            }
            let candidate = join_rel(&done, &part);
            match self.nodes.get(&candidate) {
                Some(Node::Entry(SourceEntry {
                    kind: EntryKind::Symlink { target },
                    ..
                })) => {
                    if target.starts_with('/') {
                        done.clear();
                    }
                    rest = if rest.is_empty() {
                        target.clone()
                    } else {
                        format!("{target}/{rest}")
                    };
                }
                // Existing or not, a non-link component is kept as is.
                _ => done = candidate,
            }
        }
        Ok(done)
    }
}

/// The hash of all sources of one COPY/ADD (`getSourceHashFromInfos`): a
/// single source keeps its own, several become `multi:` over their texts
/// joined with `,` in order. Use it to mix an ADD URL with context sources.
pub fn combine_source_hashes(
    hashes: &[ClassicSourceHash],
) -> Result<ClassicSourceHash, ClassicHashError> {
    match hashes {
        [] => Err(ClassicHashError::NoSources),
        [only] => Ok(only.clone()),
        many => {
            let joined: Vec<&str> = many.iter().map(ClassicSourceHash::as_str).collect();
            let digest = sha256_hex(&joined.join(","));
            Ok(ClassicSourceHash(format!("multi:{digest}")))
        }
    }
}

/// The hash of a file ADD downloaded from a URL (`downloadSource`): written
/// as `file_name` (`__unnamed__` when the URL names none) with mode 0600 by
/// the daemon (root), hashed in place. dockerd adds no `file:` prefix here,
/// so the history shows bare hex: `ADD <hex> in /dest `.
pub fn url_download_hash(
    file_name: &str,
    data: &mut dyn Read,
) -> Result<ClassicSourceHash, ClassicHashError> {
    let mut bytes = Vec::new();
    data.read_to_end(&mut bytes)
        .map_err(|err| ClassicHashError::Read {
            path: file_name.to_owned(),
            message: err.to_string(),
        })?;
    let entry = SourceEntry::file(file_name, 0o600, bytes.len() as u64);
    let contents = BTreeMap::from([(file_name.to_owned(), bytes)]);
    let source = ClassicSource::new(SourceOrigin::Filesystem, [entry], &contents)?;
    Ok(ClassicSourceHash(source.entry_hash(file_name)?))
}

/// Lexically cleans a source path relative to the root; `None` when `..`
/// would climb above it (`filepath.Join(root, path)` leaving the root).
fn clean_within_root(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

fn validate_entry_path(path: &str) -> Result<(), ClassicHashError> {
    let bad = path.is_empty() || path.split('/').any(|part| matches!(part, "" | "." | ".."));
    if bad {
        return Err(ClassicHashError::InvalidEntry {
            path: path.to_owned(),
            why: "not a clean relative path",
        });
    }
    Ok(())
}

fn parent_of(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    Some(path.rsplit_once('/').map_or("", |(dir, _)| dir))
}

fn join_rel(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Contents = BTreeMap<String, Vec<u8>>;

    fn tree(files: &[(&str, &str)]) -> (Vec<SourceEntry>, Contents) {
        let mut entries = Vec::new();
        let mut contents = Contents::new();
        for (path, text) in files {
            entries.push(SourceEntry::file(*path, 0o644, text.len() as u64));
            contents.insert((*path).to_owned(), text.as_bytes().to_vec());
        }
        (entries, contents)
    }

    fn with_dirs(mut entries: Vec<SourceEntry>, dirs: &[&str]) -> Vec<SourceEntry> {
        entries.extend(dirs.iter().map(|d| SourceEntry::dir(*d, 0o755)));
        entries
    }

    fn hash(source: &ClassicSource<'_>, sources: &[&str]) -> String {
        source
            .copy_sources(sources)
            .expect("hashable")
            .hash
            .as_str()
            .to_owned()
    }

    /// Recorded: 13-copy-dir-nested-file-changed, final build.
    #[test]
    fn directory_source_counts_itself_and_everything_below() {
        let (entries, contents) = tree(&[
            (
                "Dockerfile",
                "FROM busybox\nCOPY src/ /app/src/\nRUN ls -R /app > /tree.txt\n",
            ),
            ("src/index.js", "require('./lib/util');\n"),
            ("src/lib/util.js", "module.exports = 2;\n"),
        ]);
        let entries = with_dirs(entries, &["src", "src/lib"]);
        let ctx = ClassicSource::new(SourceOrigin::BuildContext, entries, &contents).expect("tree");
        let want = "dir:9863248b78bf9dc9f3be4a6bb64ffdb99a955508210648c2a427ff0828ca1c9c";
        assert_eq!(hash(&ctx, &["src/"]), want);
        assert_eq!(hash(&ctx, &["./src"]), want);
        assert_eq!(hash(&ctx, &["/src"]), want);
    }

    /// Recorded: 21-copy-wildcard, final build (app.js and extra.js match).
    #[test]
    fn wildcard_with_two_matches_is_multi_in_walk_order() {
        let (entries, contents) = tree(&[
            (
                "Dockerfile",
                "FROM busybox\nCOPY *.js /app/\nRUN ls /app > /files.txt\n",
            ),
            ("app.js", "console.log('hello v1');\n"),
            ("notes.txt", "remember the milk\n"),
            ("extra.js", "console.log('extra');\n"),
        ]);
        let ctx = ClassicSource::new(SourceOrigin::BuildContext, entries, &contents).expect("tree");
        let copied = ctx.copy_sources(&["*.js"]).expect("hashable");
        assert_eq!(
            copied.hash.as_str(),
            "multi:17af8d55eb5d4e0e91a7c9a8c5ab77d60c6b2c70d3b8d126818ad2514bb5f300"
        );
        assert_eq!(copied.sources, ["app.js", "extra.js"]);
        // Listing the same files explicitly gives the same multi hash; the
        // other order another one (multi is not sorted).
        assert_eq!(hash(&ctx, &["app.js", "extra.js"]), copied.hash.as_str());
        assert_ne!(hash(&ctx, &["extra.js", "app.js"]), copied.hash.as_str());
    }

    #[test]
    fn single_wildcard_match_keeps_its_file_hash() {
        let (entries, contents) = tree(&[("app.js", "console.log('hello v1');\n"), ("a.txt", "x")]);
        let ctx = ClassicSource::new(SourceOrigin::BuildContext, entries, &contents).expect("tree");
        let want = "file:f8ea10c67aaeb895e64f94c1c0b60388fac9ce5be60258bdc03c70ffd2e8e998";
        assert_eq!(hash(&ctx, &["*.js"]), want);
        assert_eq!(hash(&ctx, &["*.js", "*.none"]), want);
    }

    #[test]
    fn context_root_is_not_part_of_its_own_dir_hash() {
        let (entries, contents) = tree(&[("a", "1")]);
        let ctx = ClassicSource::new(SourceOrigin::BuildContext, entries, &contents).expect("tree");
        let file_sum = hash(&ctx, &["a"]);
        let file_sum = file_sum.strip_prefix("file:").expect("file hash");
        assert_eq!(hash(&ctx, &["."]), format!("dir:{}", sha256_hex(file_sum)));
        assert_eq!(hash(&ctx, &["./"]), hash(&ctx, &["."]));
    }

    #[test]
    fn context_hash_ignores_owner_but_not_mode() {
        let (entries, contents) = tree(&[("app.js", "console.log('hello v1');\n")]);
        let base = ClassicSource::new(SourceOrigin::BuildContext, entries.clone(), &contents)
            .expect("tree");
        let owned: Vec<SourceEntry> = entries
            .iter()
            .cloned()
            .map(|e| e.owned_by(1000, 1000, "app", "app"))
            .collect();
        let owned = ClassicSource::new(SourceOrigin::BuildContext, owned, &contents).expect("tree");
        assert_eq!(hash(&base, &["app.js"]), hash(&owned, &["app.js"]));
        for mode in [0o755, 0o4644] {
            let changed: Vec<SourceEntry> = entries
                .iter()
                .cloned()
                .map(|e| SourceEntry { mode, ..e })
                .collect();
            let changed =
                ClassicSource::new(SourceOrigin::BuildContext, changed, &contents).expect("tree");
            assert_ne!(
                hash(&base, &["app.js"]),
                hash(&changed, &["app.js"]),
                "mode {mode:o}"
            );
        }
    }

    /// Recorded: 16-multistage-copy-from, `COPY --from=builder /bundle.js`.
    #[test]
    fn stage_filesystem_hash_includes_owner_names() {
        let (entries, contents) = tree(&[("bundle.js", "console.log('hello v2');\n")]);
        let stage =
            ClassicSource::new(SourceOrigin::Filesystem, entries.clone(), &contents).expect("tree");
        assert_eq!(
            hash(&stage, &["/bundle.js"]),
            "file:e3dabf31a67210740d1f0c31ecbbe6802619b3c958ef8b6de96626a22b9c4caa"
        );
        let nameless: Vec<SourceEntry> = entries
            .into_iter()
            .map(|e| e.owned_by(0, 0, "", ""))
            .collect();
        let nameless =
            ClassicSource::new(SourceOrigin::Filesystem, nameless, &contents).expect("tree");
        assert_ne!(
            hash(&nameless, &["/bundle.js"]),
            hash(&stage, &["/bundle.js"])
        );
    }

    #[test]
    fn symlinks_hash_as_their_target_inside_the_root() {
        let (mut entries, contents) = tree(&[("app.js", "a"), ("etc/passwd", "root")]);
        entries.push(SourceEntry::dir("etc", 0o755));
        entries.push(SourceEntry::symlink("rel", "app.js"));
        entries.push(SourceEntry::symlink("abs", "/etc/passwd"));
        entries.push(SourceEntry::symlink("up", "../../app.js"));
        entries.push(SourceEntry::symlink("dangling", "nowhere"));
        let ctx = ClassicSource::new(SourceOrigin::BuildContext, entries, &contents).expect("tree");
        assert_eq!(hash(&ctx, &["rel"]), hash(&ctx, &["app.js"]));
        assert_eq!(hash(&ctx, &["up"]), hash(&ctx, &["app.js"]));
        assert_eq!(hash(&ctx, &["abs"]), hash(&ctx, &["etc/passwd"]));
        assert_eq!(
            ctx.copy_sources(&["dangling"]),
            Err(ClassicHashError::NotInContext("dangling".to_owned()))
        );
        // Inside a directory walk a dangling link contributes its path.
        let with_link = hash(&ctx, &["."]);
        let (entries, contents) = tree(&[("app.js", "a"), ("etc/passwd", "root")]);
        let mut entries = with_dirs(entries, &["etc"]);
        entries.push(SourceEntry::symlink("rel", "app.js"));
        entries.push(SourceEntry::symlink("abs", "/etc/passwd"));
        entries.push(SourceEntry::symlink("up", "../../app.js"));
        let without =
            ClassicSource::new(SourceOrigin::BuildContext, entries, &contents).expect("tree");
        let file_sums = |names: &[&str]| -> Vec<String> {
            names
                .iter()
                .map(|n| hash(&without, &[n]).trim_start_matches("file:").to_owned())
                .collect()
        };
        let mut sums = file_sums(&["app.js", "app.js", "app.js", "etc/passwd", "etc/passwd"]);
        let etc_dir = ctx.entry_hash("etc").expect("dir hash");
        sums.push(etc_dir);
        sums.push("dangling".to_owned());
        sums.sort();
        assert_eq!(with_link, format!("dir:{}", sha256_hex(&sums.join(","))));
    }

    #[test]
    fn unlisted_parent_directory_hashes_as_its_path() {
        let (entries, contents) = tree(&[("notes/keep.md", "k")]);
        let ctx = ClassicSource::new(SourceOrigin::BuildContext, entries, &contents).expect("tree");
        let file_sum = hash(&ctx, &["notes/keep.md"]);
        let mut sums = [
            "notes".to_owned(),
            file_sum.trim_start_matches("file:").to_owned(),
        ];
        sums.sort();
        assert_eq!(
            hash(&ctx, &["notes"]),
            format!("dir:{}", sha256_hex(&sums.join(",")))
        );
    }

    #[test]
    fn wildcards_walk_directories_in_go_order() {
        // filepath.Walk sorts siblings by name, so `a/…` comes before `a-b`
        // although "a-b" < "a/x" as whole strings.
        let (entries, contents) = tree(&[("a/x", "1"), ("a-b", "2")]);
        let entries = with_dirs(entries, &["a"]);
        let ctx = ClassicSource::new(SourceOrigin::BuildContext, entries, &contents).expect("tree");
        let copied = ctx.copy_sources(&["a*"]).expect("hashable");
        assert_eq!(copied.sources, ["a", "a-b"]);
        assert!(copied.hash.as_str().starts_with("multi:"));
        assert_eq!(
            ctx.copy_sources(&["a/*"]).expect("hashable").sources,
            ["a/x"]
        );
    }

    #[test]
    fn bad_sources_are_errors() {
        let (entries, contents) = tree(&[("a", "1")]);
        let mut entries = entries;
        entries.push(SourceEntry::symlink("loop", "loop"));
        let ctx = ClassicSource::new(SourceOrigin::BuildContext, entries, &contents).expect("tree");
        assert_eq!(
            ctx.copy_sources(&["../a"]),
            Err(ClassicHashError::OutsideSource("../a".to_owned()))
        );
        assert_eq!(
            ctx.copy_sources(&["missing"]),
            Err(ClassicHashError::NotInContext("missing".to_owned()))
        );
        assert_eq!(
            ctx.copy_sources(&["*.none"]),
            Err(ClassicHashError::NoSources)
        );
        assert_eq!(ctx.copy_sources(&[]), Err(ClassicHashError::NoSources));
        assert_eq!(
            ctx.copy_sources(&["loop"]),
            Err(ClassicHashError::TooManyLinks("loop".to_owned()))
        );
        let stage =
            ClassicSource::new(SourceOrigin::Filesystem, Vec::new(), &contents).expect("tree");
        assert_eq!(
            stage.copy_sources(&["/x"]),
            Err(ClassicHashError::NotInFilesystem("x".to_owned()))
        );
    }

    #[test]
    fn malformed_trees_are_rejected() {
        let contents = Contents::new();
        for bad in ["", "/abs", "a/", "a//b", "./a", "a/../b"] {
            let entries = vec![SourceEntry::file(bad, 0o644, 0)];
            assert!(
                ClassicSource::new(SourceOrigin::BuildContext, entries, &contents).is_err(),
                "{bad:?}"
            );
        }
        let twice = vec![
            SourceEntry::file("a", 0o644, 0),
            SourceEntry::file("a", 0o644, 0),
        ];
        assert!(ClassicSource::new(SourceOrigin::BuildContext, twice, &contents).is_err());
        let under_file = vec![
            SourceEntry::file("a", 0o644, 0),
            SourceEntry::file("a/b", 0o644, 0),
        ];
        assert!(ClassicSource::new(SourceOrigin::BuildContext, under_file, &contents).is_err());
        // A listed directory after files below it is fine.
        let late_dir = vec![
            SourceEntry::file("d/f", 0o644, 0),
            SourceEntry::dir("d", 0o700),
        ];
        assert!(ClassicSource::new(SourceOrigin::BuildContext, late_dir, &contents).is_ok());
    }

    #[test]
    fn unreadable_contents_are_errors_not_panics() {
        let entries = vec![SourceEntry::file("a", 0o644, 3)];
        let contents = Contents::new();
        let ctx = ClassicSource::new(SourceOrigin::BuildContext, entries, &contents).expect("tree");
        assert!(matches!(
            ctx.copy_sources(&["a"]),
            Err(ClassicHashError::Read { .. })
        ));
    }

    #[test]
    fn parse_accepts_only_full_hashes() {
        let hex = "f8ea10c67aaeb895e64f94c1c0b60388fac9ce5be60258bdc03c70ffd2e8e998";
        for kind in ["file", "dir", "multi"] {
            let text = format!("{kind}:{hex}");
            assert_eq!(
                ClassicSourceHash::parse(&text).map(|h| h.to_string()),
                Some(text)
            );
        }
        assert_eq!(
            ClassicSourceHash::parse(hex).map(|h| h.to_string()),
            Some(hex.to_owned())
        );
        assert_eq!(ClassicSourceHash::parse(&format!(":{hex}")), None);
        assert_eq!(ClassicSourceHash::parse(&format!("tar:{hex}")), None);
        assert_eq!(ClassicSourceHash::parse("file:abc"), None);
        assert_eq!(
            ClassicSourceHash::parse(&format!("file:{}", hex.to_uppercase())),
            None
        );
    }

    #[test]
    fn url_download_is_bare_hex_of_a_0600_root_file() {
        let data = b"payload";
        let url = url_download_hash("tool.tgz", &mut &data[..]).expect("hashable");
        assert!(ClassicSourceHash::parse(url.as_str()).is_some());
        assert!(!url.as_str().contains(':'));
        let entry = SourceEntry::file("tool.tgz", 0o600, 7);
        let contents = Contents::from([("tool.tgz".to_owned(), data.to_vec())]);
        let fs = ClassicSource::new(SourceOrigin::Filesystem, [entry], &contents).expect("tree");
        assert_eq!(hash(&fs, &["tool.tgz"]), format!("file:{url}"));
        let both = combine_source_hashes(&[url.clone(), url.clone()]).expect("two");
        let joined = format!("{url},{url}");
        assert_eq!(both.as_str(), format!("multi:{}", sha256_hex(&joined)));
    }
}
