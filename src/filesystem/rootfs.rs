//! The filesystem an image presents: read-only layers under one writable
//! upper layer, with overlay semantics.
//!
//! RUN (through the shell) and COPY change a [`RootFs`]; [`RootFs::diff`]
//! then yields the step's layer the way a snapshotter's differ does, and
//! [`RootFs::commit`] freezes it so the next step starts on top. Lower layers
//! are `Arc`-shared, so the builder can keep a snapshot per step for free.

mod access;
mod changes;
mod lower;
mod node;
mod path;
mod views;

use std::collections::{btree_map, BTreeSet};
use std::fmt;
use std::sync::Arc;

use crate::filesystem::blob::Blob;
use crate::limits;
use access::Access;

pub use access::{Credentials, EXECUTE, READ, SEARCH};
pub use changes::{Change, LayerChanges};
pub use node::{FsError, Node, NodeKind, PERM_MASK};
pub use path::PathKey;
pub use views::ViewCache;

use lower::LowerView;

/// Linux gives up resolving after 40 symlinks (ELOOP).
const MAX_SYMLINKS: usize = 40;

/// The root directory of every view (see `entry`), unless the process
/// running in it changed it.
static DEFAULT_ROOT: Node = Node {
    kind: NodeKind::Dir,
    mode: 0o755,
    uid: 0,
    gid: 0,
    mtime: 0,
};

/// How [`RootFs::diff`] decides what a rewritten file contributes — the
/// builders differ here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffMode {
    /// overlay2 under the classic builder, and BuildKit 0.8 in dockerd 20.10:
    /// every path written lands in the layer, even with content and metadata
    /// identical to the lower one.
    CopyUp,
    /// Current BuildKit's differ: a rewritten file identical in content and
    /// metadata to the lower one is left out (`COPY . .` over an unchanged
    /// package.json does not repeat it).
    ContentCompare,
}

/// One child of a directory.
#[derive(Clone, Debug, PartialEq)]
pub struct DirEntry {
    pub name: String,
    pub node: Node,
}

/// An overlay view: shared immutable lower layers plus a private upper one.
#[derive(Clone)]
pub struct RootFs {
    lower: Arc<LowerView>,
    upper: LayerChanges,
    now: i64,
    /// What is mounted while a process runs over the view: the kernel
    /// refuses some writes there (see [`RootFs::set_mounts`]).
    mounts: Vec<MountPoint>,
    /// Who the running process is, when it is not root: the permission
    /// bits its writes meet (see [`RootFs::set_process`]).
    process: Option<Credentials>,
}

/// A mount point a running process sees, and what it lets it write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountPoint {
    key: PathKey,
    access: MountAccess,
}

/// What a mount lets a process write below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MountAccess {
    ReadWrite,
    /// EROFS for every write (`/sys`, a read-only bind).
    ReadOnly,
    /// Nothing new can be made below it (procfs: ENOENT).
    NoCreate,
}

impl MountPoint {
    /// The mount at the absolute path `path`; None for `/` or a path
    /// that is not clean.
    pub fn at(path: &str, access: MountAccess) -> Option<MountPoint> {
        let key = PathKey::parse_lexical(path.trim_start_matches('/'))?;
        (!key.is_root()).then_some(MountPoint { key, access })
    }
}

/// A path resolved against the view.
/// See [`RootFs::open_dir`].
#[derive(Clone, Debug)]
pub struct DirHandle {
    key: PathKey,
    children_visible: bool,
    /// Its mtime is already this layer's time.
    touched: bool,
}

struct Resolved {
    key: PathKey,
    node: Option<Node>,
    /// Whether lower-layer entries at `key` show through.
    lower_visible: bool,
    /// Whether lower-layer entries below `key` show through.
    children_visible: bool,
}

/// A directory on the way down during resolution.
struct Frame {
    key: PathKey,
    node: Node,
    lower_visible: bool,
    children_visible: bool,
}

impl Default for RootFs {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for RootFs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RootFs")
            .field("layers", &self.lower.layers().len())
            .field("upper", &self.upper)
            .field("now", &self.now)
            .finish()
    }
}

impl RootFs {
    /// An empty filesystem (`FROM scratch`): just `/`.
    pub fn new() -> Self {
        Self::from_layers(Vec::new())
    }

    /// The view of `layers` (bottom first) with an empty upper layer.
    pub fn from_layers(layers: impl IntoIterator<Item = Arc<LayerChanges>>) -> Self {
        Self::on(Arc::new(LowerView::new(layers.into_iter().collect())), 0)
    }

    /// `lower` with an empty upper layer.
    fn on(lower: Arc<LowerView>, now: i64) -> Self {
        Self {
            lower,
            upper: LayerChanges::new(),
            now,
            mounts: Vec::new(),
            process: None,
        }
    }

    /// While a process runs: the mounts whose rules its writes meet (a
    /// mount point cannot be removed or renamed, EBUSY; a read-only one
    /// refuses every write below it). Empty again when it ends.
    pub fn set_mounts(&mut self, mounts: Vec<MountPoint>) {
        self.mounts = mounts;
    }

    /// While a process runs: who it is, so that its writes meet the
    /// permission bits (root, or None again when it ends, meets none).
    pub fn set_process(&mut self, who: Option<Credentials>) {
        self.process = who.filter(|w| w.uid != 0);
    }

    /// Whether the running process may use `node` (found at `path`) so:
    /// [`READ`] to read a file or list a directory, [`SEARCH`] to enter one.
    pub fn check_use(&self, node: &Node, want: u32, path: &str) -> Result<(), FsError> {
        match &self.process {
            Some(who) => who.check_use(node, want, path),
            None => Ok(()),
        }
    }

    /// Whether opening `path` for writing would be let (a shell checks its
    /// redirection's target before the command runs, as open(2) would).
    pub fn check_write(&self, path: &str) -> Result<(), FsError> {
        let r = self.resolve(path, true)?;
        self.allowed(&r.key, path, false)?;
        self.permitted(&r, path, Self::writing(&r))
    }

    /// Writing a file: its content when it exists, else a new entry.
    fn writing(r: &Resolved) -> Access {
        if r.node.is_some() {
            Access::Content
        } else {
            Access::Entry
        }
    }

    /// Whether the running process's permissions let this write at `r`.
    fn permitted(&self, r: &Resolved, path: &str, access: Access) -> Result<(), FsError> {
        let Some(who) = &self.process else {
            return Ok(());
        };
        let dir = match (access, r.key.parent()) {
            (Access::Entry, Some(parent)) => self.resolve(&format!("/{parent}"), false)?.node,
            _ => None,
        };
        who.check(access, dir.as_ref(), r.node.as_ref(), path)
    }

    /// Whether the kernel lets this write (or, `removing`, this unlink or
    /// rename away) happen at `key`.
    fn allowed(&self, key: &PathKey, path: &str, removing: bool) -> Result<(), FsError> {
        for m in &self.mounts {
            if removing && (m.key == *key || m.key.is_inside(key)) {
                return Err(FsError::Busy(path.to_owned()));
            }
            if m.key == *key || key.is_inside(&m.key) {
                match m.access {
                    MountAccess::ReadOnly => return Err(FsError::ReadOnly(path.to_owned())),
                    MountAccess::NoCreate if m.key != *key => {
                        return Err(FsError::NotFound(path.to_owned()))
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The lower layers, bottom first.
    pub fn layers(&self) -> &[Arc<LayerChanges>] {
        self.lower.layers()
    }

    /// The upper layer as recorded so far (before any diff filtering).
    pub fn upper(&self) -> &LayerChanges {
        &self.upper
    }

    /// The clock, in seconds since the epoch, stamped on entries this view
    /// creates or modifies. 0 unless set, which keeps layers reproducible.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Sets the clock (see [`RootFs::now`]).
    pub fn set_now(&mut self, now: i64) {
        self.now = now;
    }

    // ---- reading ----

    /// The node `path` names, following symlinks (`stat`).
    pub fn stat(&self, path: &str) -> Result<Node, FsError> {
        self.resolve(path, true)?
            .node
            .ok_or_else(|| FsError::NotFound(path.to_owned()))
    }

    /// The node `path` names, not following a final symlink (`lstat`).
    pub fn lstat(&self, path: &str) -> Result<Node, FsError> {
        self.resolve(path, false)?
            .node
            .ok_or_else(|| FsError::NotFound(path.to_owned()))
    }

    /// Whether `path` exists, following symlinks (`test -e`).
    pub fn exists(&self, path: &str) -> bool {
        self.stat(path).is_ok()
    }

    /// The absolute path `path` resolves to, symlinks followed (`realpath`).
    pub fn canonicalize(&self, path: &str) -> Result<String, FsError> {
        let r = self.resolve(path, true)?;
        if r.node.is_none() {
            return Err(FsError::NotFound(path.to_owned()));
        }
        Ok(r.key.to_string())
    }

    /// The children of the directory `path`, sorted by name.
    pub fn read_dir(&self, path: &str) -> Result<Vec<DirEntry>, FsError> {
        let r = self.existing(path, true)?;
        let Some(dir) = r.node.as_ref().filter(|n| n.is_dir()) else {
            return Err(FsError::NotADirectory(path.to_owned()));
        };
        self.check_use(dir, READ, path)?;
        Ok(self
            .children(&r.key, r.children_visible)
            .into_iter()
            .map(|(key, node, _)| DirEntry {
                name: key.name().to_owned(),
                node,
            })
            .collect())
    }

    /// Every entry below the directory `path`, in walk order (parents before
    /// children, names sorted), with paths relative to `path`. Symlinks
    /// inside are listed, not followed.
    pub fn walk(&self, path: &str) -> Result<Vec<(String, Node)>, FsError> {
        let r = self.existing(path, true)?;
        if !r.node.as_ref().is_some_and(Node::is_dir) {
            return Err(FsError::NotADirectory(path.to_owned()));
        }
        let mut out = Vec::new();
        self.walk_key(&r.key, &r.key, r.children_visible, &mut out);
        Ok(out)
    }

    /// The content of the regular file `path`.
    pub fn read_file(&self, path: &str) -> Result<Blob, FsError> {
        let node = self.stat(path)?;
        self.check_use(&node, READ, path)?;
        match node.kind {
            NodeKind::File(blob) => Ok(blob),
            // A device reads as /dev/null does: layerlab streams no device.
            NodeKind::CharDevice { .. } => Ok(Blob::from("")),
            NodeKind::Dir => Err(FsError::IsADirectory(path.to_owned())),
            // stat follows links, so a symlink cannot come back.
            NodeKind::Symlink(_) => Err(FsError::InvalidArgument(path.to_owned())),
        }
    }

    /// The target of the symlink `path` (`readlink`).
    pub fn read_link(&self, path: &str) -> Result<String, FsError> {
        match self.lstat(path)?.kind {
            NodeKind::Symlink(target) => Ok(target),
            _ => Err(FsError::InvalidArgument(path.to_owned())),
        }
    }

    // ---- writing ----

    /// Creates or replaces the regular file `path` (a final symlink is
    /// followed, as `open(O_CREAT)` does) with this content, mode and owner.
    /// The parent directory must exist.
    pub fn write_file(
        &mut self,
        path: &str,
        blob: Blob,
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> Result<(), FsError> {
        let r = self.resolve(path, true)?;
        self.allowed(&r.key, path, false)?;
        self.permitted(&r, path, Self::writing(&r))?;
        let node = Node::file(blob, mode, uid, gid).with_mtime(self.now);
        match &r.node {
            Some(n) if n.is_dir() => Err(FsError::IsADirectory(path.to_owned())),
            Some(_) => {
                self.set_at(&r.key, node);
                Ok(())
            }
            None if path.ends_with('/') => Err(FsError::IsADirectory(path.to_owned())),
            None => {
                self.create(&r.key, r.lower_visible, node);
                self.touch_parent(&r.key);
                Ok(())
            }
        }
    }

    /// Puts `node` at `path` as a copy does (COPY, ADD, tar extraction): one
    /// lookup, the node's own mode, owner and mtime kept. A directory over a
    /// directory merges with it; anything else replaces what was there
    /// (a symlink at `path` is replaced, not followed). The parent must
    /// exist.
    pub fn put(&mut self, path: &str, node: Node) -> Result<(), FsError> {
        let r = self.resolve(path, false)?;
        self.allowed(&r.key, path, false)?;
        self.permitted(&r, path, Access::Entry)?;
        match &r.node {
            Some(old) if old.is_dir() && node.is_dir() => self.set_at(&r.key, node),
            Some(_) => {
                self.remove_key(&r.key, r.lower_visible);
                self.create(&r.key, r.lower_visible, node);
            }
            None => {
                self.create(&r.key, r.lower_visible, node);
                self.touch_parent(&r.key);
            }
        }
        Ok(())
    }

    /// A directory resolved once, to put many entries into it without
    /// resolving the path again for each (a COPY of a thousand files).
    /// Valid until the directory itself is replaced.
    pub fn open_dir(&self, path: &str) -> Result<DirHandle, FsError> {
        let r = self.resolve(path, true)?;
        match r.node {
            Some(n) if n.is_dir() => Ok(DirHandle {
                key: r.key,
                children_visible: r.children_visible,
                touched: false,
            }),
            Some(_) => Err(FsError::NotADirectory(path.to_owned())),
            None => Err(FsError::NotFound(path.to_owned())),
        }
    }

    /// [`RootFs::put`] for the entry `name` of an opened directory.
    pub fn put_child(&mut self, dir: &mut DirHandle, name: &str, node: Node) {
        let key = dir.key.join(name);
        let lower_visible = dir.children_visible;
        // The common case, a new name with nothing below it showing through:
        // one search of the upper layer finds the spot and fills it.
        if let btree_map::Entry::Vacant(spot) = self.upper.entry(key.clone()) {
            if !lower_visible || self.lower.get(spot.key()).is_none() {
                spot.insert(Change::Put(node));
                if !dir.touched {
                    self.touch_dir(&dir.key);
                    dir.touched = true;
                }
                return;
            }
        }
        match self.entry(&key, lower_visible).0 {
            Some(old) if old.is_dir() && node.is_dir() => self.set_at(&key, node),
            Some(_) => {
                self.remove_key(&key, lower_visible);
                self.create(&key, lower_visible, node);
            }
            None => {
                self.create(&key, lower_visible, node);
                self.touch_dir(&dir.key);
            }
        }
    }

    /// Creates the directory `path`; its parent must exist.
    pub fn mkdir(&mut self, path: &str, mode: u32, uid: u32, gid: u32) -> Result<(), FsError> {
        self.create_new(path, Node::dir(mode, uid, gid).with_mtime(self.now))
    }

    /// Puts `node` at `path`, which must not exist yet (a dangling symlink
    /// there counts as existing); its directory is modified.
    fn create_new(&mut self, path: &str, node: Node) -> Result<(), FsError> {
        let r = self.resolve(path, false)?;
        if r.node.is_some() {
            return Err(FsError::AlreadyExists(path.to_owned()));
        }
        self.allowed(&r.key, path, false)?;
        self.permitted(&r, path, Access::Entry)?;
        self.create(&r.key, r.lower_visible, node);
        self.touch_parent(&r.key);
        Ok(())
    }

    /// Creates `path` and any missing parents (`mkdir -p`, WORKDIR). Parents
    /// get mode 0755 and root ownership, as Docker gives them; the last
    /// directory gets `mode`/`uid`/`gid`. Existing directories (or symlinks to
    /// them) are left alone.
    pub fn mkdir_all(&mut self, path: &str, mode: u32, uid: u32, gid: u32) -> Result<(), FsError> {
        let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        let mut prefix = String::with_capacity(path.len() + 1);
        for (i, comp) in comps.iter().enumerate() {
            prefix.push('/');
            prefix.push_str(comp);
            let last = i + 1 == comps.len();
            let r = self.resolve(&prefix, true)?;
            match &r.node {
                Some(n) if n.is_dir() => continue,
                Some(_) if last => return Err(FsError::AlreadyExists(path.to_owned())),
                Some(_) => return Err(FsError::NotADirectory(path.to_owned())),
                None => {}
            }
            // A dangling symlink in the way: mkdir(2) says EEXIST.
            if self.resolve(&prefix, false)?.node.is_some() {
                return Err(FsError::AlreadyExists(path.to_owned()));
            }
            self.allowed(&r.key, path, false)?;
            self.permitted(&r, path, Access::Entry)?;
            let node = if last {
                Node::dir(mode, uid, gid)
            } else {
                Node::default_dir()
            };
            self.create(&r.key, r.lower_visible, node.with_mtime(self.now));
            self.touch_parent(&r.key);
        }
        Ok(())
    }

    /// Creates the symlink `path` pointing at `target` (stored verbatim).
    pub fn symlink(&mut self, target: &str, path: &str) -> Result<(), FsError> {
        let mut link = Node::symlink(target).with_mtime(self.now);
        // The running process owns what it links (root when none runs).
        if let Some(who) = &self.process {
            (link.uid, link.gid) = (who.uid, who.gid);
        }
        self.create_new(path, link)
    }

    /// Removes a file, symlink or empty directory (a final symlink itself is
    /// removed, not its target).
    pub fn remove(&mut self, path: &str) -> Result<(), FsError> {
        let r = self.removable(path)?;
        if r.node.as_ref().is_some_and(Node::is_dir)
            && !self.children(&r.key, r.children_visible).is_empty()
        {
            return Err(FsError::DirectoryNotEmpty(path.to_owned()));
        }
        self.unlink(&r);
        Ok(())
    }

    /// Removes `path` and everything below it (`rm -r`).
    pub fn remove_all(&mut self, path: &str) -> Result<(), FsError> {
        let r = self.removable(path)?;
        self.unlink(&r);
        Ok(())
    }

    /// `path` resolved for removal: it must exist (a final symlink is
    /// itself the entry) and must not be `/`.
    fn removable(&self, path: &str) -> Result<Resolved, FsError> {
        let r = self.existing(path, false)?;
        if r.key.is_root() {
            return Err(FsError::InvalidArgument(path.to_owned()));
        }
        self.allowed(&r.key, path, true)?;
        self.permitted(&r, path, Access::Entry)?;
        Ok(r)
    }

    /// Drops a resolved entry and all below it; its directory is modified.
    fn unlink(&mut self, r: &Resolved) {
        self.remove_key(&r.key, r.lower_visible);
        self.touch_parent(&r.key);
    }

    /// Moves `from` to `to` as rename(2) does: a file may replace a file, a
    /// directory only an empty directory; a directory cannot move into
    /// itself. In the layer this is the new path put and the old one
    /// whited out, as overlay2 records it.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), FsError> {
        let src = self.existing(from, false)?;
        let Some(snode) = src.node.clone() else {
            return Err(FsError::NotFound(from.to_owned()));
        };
        if src.key.is_root() {
            return Err(FsError::InvalidArgument(from.to_owned()));
        }
        let dst = self.resolve(to, false)?;
        if dst.key == src.key {
            return Ok(());
        }
        self.allowed(&src.key, from, true)?;
        self.allowed(&dst.key, to, dst.node.is_some())?;
        self.permitted(&src, from, Access::Entry)?;
        self.permitted(&dst, to, Access::Entry)?;
        if dst.key.is_inside(&src.key) || dst.key.is_root() {
            return Err(FsError::InvalidArgument(to.to_owned()));
        }
        if let Some(dnode) = &dst.node {
            if snode.is_dir() {
                if !dnode.is_dir() {
                    return Err(FsError::NotADirectory(to.to_owned()));
                }
                if !self.children(&dst.key, dst.children_visible).is_empty() {
                    return Err(FsError::DirectoryNotEmpty(to.to_owned()));
                }
            } else if dnode.is_dir() {
                return Err(FsError::IsADirectory(to.to_owned()));
            }
        }
        let mut subtree = Vec::new();
        if snode.is_dir() {
            self.walk_key(&src.key, &src.key, src.children_visible, &mut subtree);
        }
        if dst.node.is_some() {
            self.remove_key(&dst.key, dst.lower_visible);
        }
        self.remove_key(&src.key, src.lower_visible);
        self.create(&dst.key, dst.lower_visible, snode);
        for (rel, node) in subtree {
            let key = PathKey::from_clean(&format!("{}/{rel}", dst.key.as_str()));
            let visible = self.lower_visible_at(&key);
            self.create(&key, visible, node);
        }
        self.touch_parent(&src.key);
        self.touch_parent(&dst.key);
        Ok(())
    }

    /// Sets the permission bits of `path` (symlinks followed).
    pub fn chmod(&mut self, path: &str, mode: u32) -> Result<(), FsError> {
        self.update(path, true, |n| n.mode = mode & PERM_MASK)
    }

    /// Sets the owner of `path` (symlinks followed).
    pub fn chown(&mut self, path: &str, uid: u32, gid: u32) -> Result<(), FsError> {
        self.update(path, true, |n| {
            n.uid = uid;
            n.gid = gid;
        })
    }

    /// Sets the owner of `path` itself, even if it is a symlink.
    pub fn lchown(&mut self, path: &str, uid: u32, gid: u32) -> Result<(), FsError> {
        self.update(path, false, |n| {
            n.uid = uid;
            n.gid = gid;
        })
    }

    /// Sets the modification time of `path` (symlinks followed).
    pub fn set_mtime(&mut self, path: &str, mtime: i64) -> Result<(), FsError> {
        self.update(path, true, |n| n.mtime = mtime)
    }

    // ---- layers ----

    /// This view's upper layer relative to its lower layers, as the
    /// builder's differ would put it in a tar: changed entries, removals as
    /// whiteouts, a removed-and-recreated directory as opaque, and the parent
    /// directories of every change (both overlay2's copied-up parents and
    /// containerd's `WriteDiff` emit them). `/` itself is never part of a
    /// layer.
    pub fn diff(&self, mode: DiffMode) -> LayerChanges {
        // Upper keys come in walk order, so siblings are consecutive: what
        // depends only on the parent directory is worked out once per
        // directory, not once per entry (a COPY writes thousands).
        let mut visible: Option<(&str, bool)> = None;
        let mut out: Vec<(PathKey, Change)> = Vec::with_capacity(self.upper.len());
        for (key, change) in &self.upper {
            if key.is_root() {
                continue;
            }
            if let (DiffMode::ContentCompare, Change::Put(node)) = (mode, change) {
                let parent = parent_str(key);
                let shows = match visible {
                    Some((p, v)) if p == parent => v,
                    _ => {
                        let v = self.lower_visible_at(key);
                        visible = Some((parent, v));
                        v
                    }
                };
                if shows && self.lower.get(key) == Some(node) {
                    continue;
                }
            }
            out.push((key.clone(), change.clone()));
        }
        // The parent directories of every change, as the differs emit them.
        let mut parents = Vec::new();
        let mut done: Option<&str> = None;
        for (key, _) in &out {
            let parent = parent_str(key);
            if done == Some(parent) {
                continue;
            }
            done = Some(parent);
            for anc in key.ancestors() {
                let listed = out.binary_search_by(|(k, _)| k.cmp(&anc)).is_ok();
                if anc.is_root() || listed || parents.iter().any(|(k, _)| *k == anc) {
                    break;
                }
                if let Some(node) = self.node_at(&anc) {
                    parents.push((anc, Change::Put(node)));
                }
            }
        }
        out.into_iter().chain(parents).collect()
    }

    /// Freezes the upper layer: returns the view with `self.diff(mode)` as a
    /// new top lower layer and an empty upper, plus that layer. Changes to
    /// `/` itself are dropped, as Docker's differs drop them.
    pub fn commit(self, mode: DiffMode) -> (RootFs, Arc<LayerChanges>) {
        let layer = Arc::new(self.diff(mode));
        let lower = Arc::new(LowerView::on_top(self.lower, Arc::clone(&layer)));
        (RootFs::on(lower, self.now), layer)
    }

    // ---- internals ----

    /// The node at `key` given whether lower entries at `key` show through,
    /// and whether lower entries below it do.
    fn entry(&self, key: &PathKey, lower_visible: bool) -> (Option<Node>, bool) {
        match self.upper.get(key) {
            Some(Change::Put(n)) => (Some(n.clone()), lower_visible && n.is_dir()),
            Some(Change::Opaque(n)) => (Some(n.clone()), false),
            Some(Change::Whiteout) => (None, false),
            None if !lower_visible => (None, false),
            None => match self.lower.get(key) {
                // A container's `/` is the root of its own upper directory,
                // which the runtime makes 0755: the root entry of a layer
                // below (an imported tarball's `./ 0700`) never shows.
                _ if key.is_root() => (Some(DEFAULT_ROOT.clone()), true),
                Some(n) => (Some(n.clone()), n.is_dir()),
                None => (None, false),
            },
        }
    }

    /// Whether lower entries at `key` show through: no ancestor in the upper
    /// layer hides them.
    fn lower_visible_at(&self, key: &PathKey) -> bool {
        key.ancestors().all(|a| match self.upper.get(&a) {
            Some(Change::Opaque(_) | Change::Whiteout) => false,
            Some(Change::Put(n)) => n.is_dir(),
            None => true,
        })
    }

    fn node_at(&self, key: &PathKey) -> Option<Node> {
        self.entry(key, self.lower_visible_at(key)).0
    }

    /// Resolves `path` as the kernel does: component by component, `..`
    /// from the directory actually reached, symlinks followed in the middle
    /// and — when `follow_final` or the path ends in `/` — at the end.
    /// A missing last component is not an error (callers may create it); a
    /// missing middle one is.
    fn resolve(&self, path: &str, follow_final: bool) -> Result<Resolved, FsError> {
        // The kernel's bounds, which also keep a path's cost (each step
        // below copies its prefix) from growing without end.
        if path.len() >= limits::PATH_MAX {
            return Err(FsError::NameTooLong(path.to_owned()));
        }
        let trailing_slash = path.ends_with('/') && !path.trim_matches('/').is_empty();
        let follow_final = follow_final || trailing_slash;
        let mut pending: Vec<String> = split_rev(path);
        let root = PathKey::root();
        let (root_node, root_children) = self.entry(&root, true);
        let mut stack = vec![Frame {
            key: root,
            node: root_node.unwrap_or_else(|| DEFAULT_ROOT.clone()),
            lower_visible: true,
            children_visible: root_children,
        }];
        let mut links = 0;
        while let Some(comp) = pending.pop() {
            if comp == "." {
                continue;
            }
            if comp == ".." {
                if stack.len() > 1 {
                    stack.pop();
                }
                continue;
            }
            let Some(dir) = stack.last() else {
                break;
            };
            if comp.len() > limits::NAME_MAX {
                return Err(FsError::NameTooLong(path.to_owned()));
            }
            // Looking a name up in a directory needs its search bit.
            self.check_use(&dir.node, SEARCH, path)?;
            let key = dir.key.join(&comp);
            let lower_visible = dir.children_visible;
            let (node, children_visible) = self.entry(&key, lower_visible);
            let last = pending.is_empty();
            let Some(node) = node else {
                if last {
                    return Ok(Resolved {
                        key,
                        node: None,
                        lower_visible,
                        children_visible: false,
                    });
                }
                return Err(FsError::NotFound(path.to_owned()));
            };
            if let NodeKind::Symlink(target) = &node.kind {
                if !last || follow_final {
                    links += 1;
                    if links > MAX_SYMLINKS {
                        return Err(FsError::TooManyLinks(path.to_owned()));
                    }
                    if target.is_empty() {
                        return Err(FsError::NotFound(path.to_owned()));
                    }
                    if target.starts_with('/') {
                        stack.truncate(1);
                    }
                    pending.extend(split_rev(target));
                    continue;
                }
            }
            if last {
                if trailing_slash && !node.is_dir() {
                    return Err(FsError::NotADirectory(path.to_owned()));
                }
                return Ok(Resolved {
                    key,
                    node: Some(node),
                    lower_visible,
                    children_visible,
                });
            }
            if !node.is_dir() {
                return Err(FsError::NotADirectory(path.to_owned()));
            }
            stack.push(Frame {
                key,
                node,
                lower_visible,
                children_visible,
            });
        }
        // The path ended on a directory already reached ("/", "a/..", a
        // symlink to "/").
        let Some(top) = stack.pop() else {
            return Err(FsError::NotFound(path.to_owned()));
        };
        Ok(Resolved {
            key: top.key,
            node: Some(top.node),
            lower_visible: top.lower_visible,
            children_visible: top.children_visible,
        })
    }

    /// Resolves `path`, which must exist.
    fn existing(&self, path: &str, follow_final: bool) -> Result<Resolved, FsError> {
        let r = self.resolve(path, follow_final)?;
        if r.node.is_none() {
            return Err(FsError::NotFound(path.to_owned()));
        }
        Ok(r)
    }

    /// The children of directory `dir`: key, node, and whether lower entries
    /// below each show through. Sorted by name.
    fn children(&self, dir: &PathKey, children_visible: bool) -> Vec<(PathKey, Node, bool)> {
        let mut names: BTreeSet<String> = self.upper.child_names(dir).into_iter().collect();
        if children_visible {
            names.extend(self.lower.child_names(dir));
        }
        names
            .into_iter()
            .filter_map(|name| {
                let key = dir.join(&name);
                let (node, below) = self.entry(&key, children_visible);
                node.map(|n| (key, n, below))
            })
            .collect()
    }

    fn walk_key(
        &self,
        top: &PathKey,
        dir: &PathKey,
        children_visible: bool,
        out: &mut Vec<(String, Node)>,
    ) {
        for (key, node, below) in self.children(dir, children_visible) {
            let is_dir = node.is_dir();
            out.push((key.strip_prefix(top).unwrap_or_default().to_owned(), node));
            if is_dir {
                self.walk_key(top, &key, below, out);
            }
        }
    }

    /// Puts a new entry where none is visible. Over a whited-out lower
    /// directory a new directory must be opaque, or the old children would
    /// show through again.
    fn create(&mut self, key: &PathKey, lower_visible: bool, node: Node) {
        let lower_dir = lower_visible && self.lower.get(key).is_some_and(Node::is_dir);
        let change = if node.is_dir() && lower_dir {
            Change::Opaque(node)
        } else {
            Change::Put(node)
        };
        self.upper.insert(key.clone(), change);
    }

    /// Replaces the node of an existing entry, keeping an opaque directory
    /// opaque.
    fn set_at(&mut self, key: &PathKey, node: Node) {
        let change = match self.upper.get(key) {
            Some(Change::Opaque(_)) if node.is_dir() => Change::Opaque(node),
            _ => Change::Put(node),
        };
        self.upper.insert(key.clone(), change);
    }

    /// Removes `key` and its subtree from the view.
    fn remove_key(&mut self, key: &PathKey, lower_visible: bool) {
        self.upper.remove_subtree(key);
        if lower_visible && self.lower.get(key).is_some() {
            self.upper.insert(key.clone(), Change::Whiteout);
        }
    }

    fn update(
        &mut self,
        path: &str,
        follow: bool,
        change: impl FnOnce(&mut Node),
    ) -> Result<(), FsError> {
        let r = self.existing(path, follow)?;
        self.allowed(&r.key, path, false)?;
        self.permitted(&r, path, Access::Owner)?;
        let Some(mut node) = r.node else {
            return Err(FsError::NotFound(path.to_owned()));
        };
        change(&mut node);
        self.set_at(&r.key, node);
        Ok(())
    }

    /// A directory's mtime moves when an entry is added or removed.
    fn touch_parent(&mut self, key: &PathKey) {
        if let Some(parent) = key.parent() {
            self.touch_dir(&parent);
        }
    }

    fn touch_dir(&mut self, dir: &PathKey) {
        // Already touched in this layer (many entries into one directory).
        if let Some(Change::Put(n) | Change::Opaque(n)) = self.upper.get(dir) {
            if n.mtime == self.now {
                return;
            }
        }
        if let Some(mut node) = self.node_at(dir) {
            if node.mtime != self.now {
                node.mtime = self.now;
                self.set_at(dir, node);
            }
        }
    }
}

/// The containing directory of `key` as text (`""` for a top-level entry).
fn parent_str(key: &PathKey) -> &str {
    key.as_str().rsplit_once('/').map_or("", |(p, _)| p)
}

/// The non-empty components of `path`, last first (a stack to pop).
fn split_rev(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|c| !c.is_empty())
        .rev()
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests;
