//! COPY and ADD into a stage's filesystem: which files a source selects (in
//! the build context or in another stage's filesystem), where they land, and
//! with which owner and mode — as Docker's copy does it.

use crate::engine::cache_key::{FileStamp, StampKind};
use crate::engine::context::{ContextSnapshot, FileCache, FileKind, FileMeta};
use crate::engine::gopath;
use crate::filesystem::rootfs::{DirHandle, FsError, Node, NodeKind, RootFs};
use crate::filesystem::users;
use std::io;

/// One entry a COPY writes: where it lands and what it is.
#[derive(Debug, Clone)]
pub struct Item {
    /// Absolute path in the image.
    pub target: String,
    pub node: Node,
}

/// A context entry as a filesystem node (owner 0:0, as the docker CLI sends
/// the context).
pub fn context_node(
    cache: &mut FileCache,
    ctx: &ContextSnapshot,
    path: &str,
    meta: &FileMeta,
) -> Node {
    let mtime = meta.mtime_ns.div_euclid(1_000_000_000);
    match &meta.kind {
        FileKind::File => {
            Node::file(cache.blob(ctx, path, meta), meta.mode, 0, 0).with_mtime(mtime)
        }
        FileKind::Dir => Node::dir(meta.mode, 0, 0).with_mtime(mtime),
        FileKind::Symlink { target } => Node::symlink(target.clone()).with_mtime(mtime),
    }
}

/// A context entry and, for a directory, everything below it, found by
/// range in the sorted map (not by scanning the whole context).
pub fn subtree<'a>(
    entries: &'a std::collections::BTreeMap<String, FileMeta>,
    path: &'a str,
    is_dir: bool,
) -> impl Iterator<Item = (&'a String, &'a FileMeta)> + 'a {
    let own = entries.get_key_value(path);
    let prefix = if path.is_empty() {
        String::new()
    } else {
        format!("{path}/")
    };
    let below = is_dir.then(|| {
        entries
            .range::<str, _>((
                std::ops::Bound::Included(prefix.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .take_while(move |(p, _)| p.starts_with(&prefix))
    });
    own.into_iter().chain(below.into_iter().flatten())
}

/// Whether `dest` names a directory the sources go into.
pub fn dest_is_dir(fs: &RootFs, dest: &str, sources: usize) -> bool {
    dest.ends_with('/') || sources > 1 || fs.stat(dest).is_ok_and(|n| n.is_dir())
}

/// What a COPY's destination is while BuildKit copies its sources into it
/// one after another (fsutil's copy, once per source): a destination that
/// ends in `/` or is a directory takes each source's base name below it; one
/// that does not exist becomes the first file source itself, which the next
/// file source then replaces, or the directory a directory source's contents
/// fill. A directory source cannot go where a file is. The classic builder
/// refuses several sources before any of this (a destination without `/`),
/// so for it several sources always go into a directory (recorded: our 131).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dest {
    Dir,
    File,
    Absent,
}

impl Dest {
    pub fn of(fs: &RootFs, dest: &str, sources: usize, sequential: bool) -> Dest {
        if dest_is_dir(fs, dest, if sequential { 1 } else { sources }) {
            Dest::Dir
        } else if fs.stat(dest).is_ok() {
            Dest::File
        } else {
            Dest::Absent
        }
    }

    /// Where a file source named `name` lands; the destination is a file
    /// from then on unless it was a directory.
    pub fn file_target(&mut self, dest: &str, name: &str) -> String {
        let into_dir = *self == Dest::Dir;
        if !into_dir {
            *self = Dest::File;
        }
        target_for(dest, into_dir, name)
    }

    /// Whether a directory source's contents can go into the destination
    /// (a directory from then on); not where a file is (BuildKit: "cannot
    /// copy to non-directory").
    pub fn takes_dir_source(&mut self) -> bool {
        if *self == Dest::File {
            return false;
        }
        *self = Dest::Dir;
        true
    }
}

/// Where a single source named `name` lands.
pub fn target_for(dest: &str, into_dir: bool, name: &str) -> String {
    if into_dir {
        let base = name.rsplit('/').next().unwrap_or(name);
        join(dest, base)
    } else {
        dest.trim_end_matches('/').to_string()
    }
}

/// `dir/rel` (a trailing `/` of `dir` is not doubled); `dir` alone for an
/// empty `rel`.
pub fn join(dir: &str, rel: &str) -> String {
    let dir = dir.trim_end_matches('/');
    if rel.is_empty() {
        return dir.to_string();
    }
    let mut out = String::with_capacity(dir.len() + 1 + rel.len());
    out.push_str(dir);
    out.push('/');
    out.push_str(rel);
    out
}

/// The cache stamp of `node`, copied under the name `path`: content by
/// digest.
pub fn stamp(path: &str, node: &Node) -> io::Result<FileStamp> {
    let (kind, content, size) = match &node.kind {
        NodeKind::File(b) => (StampKind::File, b.digest()?.to_string(), b.len()),
        NodeKind::Dir => (StampKind::Dir, String::new(), 0),
        NodeKind::Symlink(t) => (StampKind::Symlink, t.clone(), t.len() as u64),
        // Never in a layer or the context; stamped as the empty file it reads as.
        NodeKind::CharDevice { .. } => (StampKind::File, String::new(), 0),
    };
    Ok(FileStamp {
        path: path.to_owned(),
        kind,
        mode: node.mode,
        uid: node.uid,
        gid: node.gid,
        size,
        content,
    })
}

/// A source found in a filesystem: its path (relative to `/`), its node
/// (symlinks followed), and for a directory everything below it.
pub type FsSource = (String, Node, Vec<(String, Node)>);

/// The entries a source path selects in another stage's (or image's)
/// filesystem: the path itself, following symlinks, and for a directory its
/// contents; wildcards match per path element as Go's `path.Match` does.
pub fn fs_sources(fs: &RootFs, pattern: &str) -> Result<Vec<FsSource>, String> {
    let clean = gopath::clean(&format!("/{pattern}"));
    let rel = clean.trim_start_matches('/');
    let mut names = Vec::new();
    if gopath::has_wildcards(rel) {
        let all = fs.walk("/").map_err(|e| e.to_string())?;
        for (path, _) in all {
            if gopath::path_match(rel, &path).unwrap_or(false) {
                names.push(path);
            }
        }
    } else {
        names.push(rel.to_string());
    }
    let mut out = Vec::new();
    for name in names {
        let abs = format!("/{name}");
        let node = match fs.stat(&abs) {
            Ok(n) => n,
            Err(FsError::NotFound(_)) => return Err(format!("\"/{name}\": not found")),
            Err(e) => return Err(e.to_string()),
        };
        let below = if node.is_dir() {
            fs.walk(&abs).map_err(|e| e.to_string())?
        } else {
            Vec::new()
        };
        out.push((name, node, below));
    }
    Ok(out)
}

/// The classic builder's `evalSymlinksInScope` gives up after this many
/// path components (link targets add theirs), which ends link loops.
const MAX_LINK_STEPS: usize = 255;

/// Resolves `path` (relative to `/`) inside `fs` the way the classic builder
/// does before hashing a source: returns every symlink met on the way, as
/// (relative path, target), and the relative path it ends at. The hash names
/// a file by that path, not by the one written in the Dockerfile.
pub fn links_on_the_way(fs: &RootFs, path: &str) -> (Vec<(String, String)>, String) {
    let mut links = Vec::new();
    let mut done = String::new();
    let mut rest: Vec<String> = path.split('/').rev().map(str::to_owned).collect();
    let mut steps = 0;
    while let Some(part) = rest.pop() {
        steps += 1;
        if steps > MAX_LINK_STEPS {
            break;
        }
        match part.as_str() {
            "" | "." => continue,
            ".." => {
                done = done.rsplit_once('/').map_or("", |(dir, _)| dir).to_owned();
                continue;
            }
            _ => {}
        }
        let candidate = if done.is_empty() {
            part
        } else {
            format!("{done}/{part}")
        };
        match fs.lstat(&format!("/{candidate}")).map(|n| n.kind) {
            Ok(NodeKind::Symlink(target)) => {
                if target.starts_with('/') {
                    done.clear();
                }
                rest.extend(target.split('/').rev().map(str::to_owned));
                links.push((candidate, target));
            }
            _ => done = candidate,
        }
    }
    (links, done)
}

/// `--chown=user[:group]`: numeric ids, or names looked up in the stage's
/// `/etc/passwd` and `/etc/group`.
pub fn parse_chown(fs: &RootFs, spec: &str) -> Result<(u32, u32), String> {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let named = || users::passwd(fs).into_iter().find(|e| e.name == user);
    let uid = match user.parse::<u32>() {
        Ok(n) => n,
        Err(_) => named().map(|e| e.uid).ok_or_else(|| {
            format!("unable to convert uid/gid chown string to host mapping: can't find uid for user {user}: no such user: {user}")
        })?,
    };
    let gid = match group {
        None => match user.parse::<u32>() {
            Ok(n) => n,
            Err(_) => named().map_or(uid, |e| e.gid),
        },
        Some(g) => match g.parse::<u32>() {
            Ok(n) => n,
            Err(_) => users::group_id(fs, g).ok_or_else(|| {
                format!("unable to convert uid/gid chown string to host mapping: can't find gid for group {g}: no such group: {g}")
            })?,
        },
    };
    Ok((uid, gid))
}

/// `--chmod=755` (octal only, as BuildKit 0.12 accepts).
pub fn parse_chmod(spec: &str) -> Result<u32, String> {
    u32::from_str_radix(spec, 8)
        .ok()
        .filter(|m| *m <= 0o7777)
        .ok_or_else(|| format!("invalid chmod parameter {spec:?}: only octal modes are supported"))
}

/// `--chown` and `--chmod` applied to every copied entry (a symlink keeps
/// its mode).
pub fn set_owner_and_mode(items: &mut [Item], owner: Option<(u32, u32)>, chmod: Option<u32>) {
    for item in items {
        if let Some((uid, gid)) = owner {
            item.node.uid = uid;
            item.node.gid = gid;
        }
        if let Some(mode) = chmod {
            if !item.node.is_symlink() {
                item.node.mode = mode;
            }
        }
    }
}

/// Write the items into `fs`, creating missing parent directories as root
/// with 0755 (what both builders do). Each destination directory is
/// resolved once, however many entries go into it.
pub fn write_items(fs: &mut RootFs, items: &[Item]) -> Result<(), FsError> {
    let mut dirs: std::collections::HashMap<String, DirHandle> = std::collections::HashMap::new();
    for item in items {
        let (parent, name) = match item.target.rsplit_once('/') {
            Some(("", name)) => ("/", name),
            Some((parent, name)) => (parent, name),
            None => ("/", item.target.as_str()),
        };
        if name.is_empty() {
            continue;
        }
        if !dirs.contains_key(parent) {
            if !fs.stat(parent).is_ok_and(|n| n.is_dir()) {
                fs.mkdir_all(parent, 0o755, 0, 0)?;
            }
            dirs.insert(parent.to_string(), fs.open_dir(parent)?);
        }
        if let Some(handle) = dirs.get_mut(parent) {
            fs.put_child(handle, name, item.node.clone());
        }
        // The entry may have replaced a directory that was opened before.
        dirs.remove(item.target.as_str());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filesystem::blob::Blob;

    fn tree() -> RootFs {
        let mut fs = RootFs::new();
        let ok = [
            fs.mkdir_all("/d/sub", 0o755, 0, 0),
            fs.symlink("d/f", "/lf"),
            fs.symlink("/d", "/ld"),
            fs.symlink("../d/sub", "/d/up"),
            fs.symlink("loop", "/loop"),
        ];
        assert!(ok.iter().all(Result::is_ok), "{ok:?}");
        fs
    }

    fn fs_with(dir: &str, file: &str) -> RootFs {
        let mut fs = RootFs::new();
        fs.mkdir_all(dir, 0o755, 0, 0).expect("mkdir");
        fs.put(file, Node::file(Blob::from("x"), 0o644, 0, 0))
            .expect("put");
        fs
    }

    #[test]
    fn links_are_listed_in_the_order_met_and_end_at_the_real_path() {
        let fs = tree();
        let (links, end) = links_on_the_way(&fs, "ld/up/x");
        assert_eq!(
            links,
            [
                ("ld".to_owned(), "/d".to_owned()),
                ("d/up".to_owned(), "../d/sub".to_owned())
            ]
        );
        assert_eq!(end, "d/sub/x");
        // `..` stops at the root, as in the classic builder's scope.
        assert_eq!(links_on_the_way(&fs, "../../lf").1, "d/f");
        assert_eq!(links_on_the_way(&fs, "d/sub").0, []);
    }

    #[test]
    fn a_link_loop_ends() {
        let fs = tree();
        let (links, _) = links_on_the_way(&fs, "loop");
        assert!(!links.is_empty() && links.len() <= MAX_LINK_STEPS);
    }

    #[test]
    fn buildkit_sources_land_one_after_another() {
        let fs = fs_with("/d", "/f");
        // Absent: the first file becomes the path, the next one replaces it.
        let mut dest = Dest::of(&fs, "/new", 2, true);
        assert_eq!(dest.file_target("/new", "a.txt"), "/new");
        assert_eq!(dest.file_target("/new", "src/b.txt"), "/new");
        assert!(!dest.takes_dir_source(), "a directory after a file");
        // Absent, a directory first: its contents fill it, a file goes in.
        let mut dest = Dest::of(&fs, "/new", 2, true);
        assert!(dest.takes_dir_source());
        assert_eq!(dest.file_target("/new", "a.txt"), "/new/a.txt");
        // An existing directory or a trailing slash takes base names.
        let mut dest = Dest::of(&fs, "/d", 2, true);
        assert_eq!(dest.file_target("/d", "src/a.txt"), "/d/a.txt");
        let mut dest = Dest::of(&fs, "/new/", 1, true);
        assert_eq!(dest.file_target("/new/", "a.txt"), "/new/a.txt");
        // An existing file is replaced, and refuses a directory.
        let mut dest = Dest::of(&fs, "/f", 1, true);
        assert!(!dest.takes_dir_source());
        assert_eq!(dest.file_target("/f", "a.txt"), "/f");
    }

    #[test]
    fn classic_several_sources_go_into_a_directory() {
        let fs = fs_with("/d", "/f");
        let mut dest = Dest::of(&fs, "/new", 2, false);
        assert_eq!(dest.file_target("/new", "a.txt"), "/new/a.txt");
        assert_eq!(dest.file_target("/new", "b.txt"), "/new/b.txt");
        let mut dest = Dest::of(&fs, "/new", 1, false);
        assert_eq!(dest.file_target("/new", "a.txt"), "/new");
    }
}
