//! `RUN --mount` under BuildKit: what each mount shows the command, what it
//! adds to the step's cache key, and what of it the layer keeps.
//!
//! Recorded on dockerd 20.10 (our 67–70): a bind mount's files are keyed by
//! content (another file of the context, or a rebuilt stage whose mounted
//! files came out the same, keeps the hit); a cache mount adds only its
//! definition to the key, and its directory outlives the build; nothing a
//! mount shows is in the layer. Where the target did not exist, the runtime
//! leaves an empty directory (and the parents it made) in the layer, and
//! removes an empty file stub. The classic builder refuses `--mount`.

use super::*;
use crate::dockerfile::mount::{Mount, MountType};
use crate::filesystem::rootfs::{FsError, MountAccess, MountPoint};

fn access_of(readonly: bool) -> MountAccess {
    if readonly {
        MountAccess::ReadOnly
    } else {
        MountAccess::ReadWrite
    }
}

/// The mount points the command meets, for [`RootFs::set_mounts`].
pub(super) fn mount_points(mounted: &[&Mounted]) -> Vec<MountPoint> {
    mounted
        .iter()
        .filter_map(|m| MountPoint::at(&m.target, m.access?))
        .collect()
}

/// A mount as the command sees it.
pub(super) struct Mounted {
    /// Absolute path in the stage's filesystem.
    pub(super) target: String,
    pub(super) readonly: bool,
    /// What sits at the target: a directory, or the one mounted file.
    root: Node,
    /// Below a directory mount, relative to the target, parents first.
    below: Vec<(String, Node)>,
    /// A cache mount's id: its content is kept under it after the run.
    cache_id: Option<String>,
    /// One of the runtime's own ([`super::sandbox`]), not a `--mount`.
    runtime: bool,
    /// What the kernel lets the command write there; None for a file of
    /// the classic builder's init layer, which is no mount.
    access: Option<MountAccess>,
}

impl Mounted {
    /// A mount the runtime makes for every RUN (`access`), or a file it
    /// lays in the classic init layer (None).
    pub(super) fn runtime(
        target: &str,
        root: Node,
        below: Vec<(String, Node)>,
        access: Option<MountAccess>,
    ) -> Mounted {
        Mounted {
            target: target.to_owned(),
            readonly: access == Some(MountAccess::ReadOnly),
            root,
            below,
            cache_id: None,
            runtime: true,
            access,
        }
    }

    /// Everything it shows made at `now`.
    pub(super) fn stamp(&mut self, now: i64) {
        self.root.mtime = now;
        for (_, n) in &mut self.below {
            n.mtime = now;
        }
    }
}

/// What a RUN's mounts bring: the mounts, the content of the bind mounts
/// for the key, and variables they set (`SSH_AUTH_SOCK`).
#[derive(Default)]
pub(super) struct MountInputs {
    pub(super) mounted: Vec<Mounted>,
    pub(super) stamps: Vec<FileStamp>,
    pub(super) env: Vec<(String, String)>,
}

/// What a bind mount shows: the node at its target, what is below it, and
/// its cache stamps.
type BindSource = (Node, Vec<(String, Node)>, Vec<FileStamp>);

/// What the stage's filesystem had at a mount's target before the mount
/// covered it.
pub(super) struct Covered {
    target: String,
    existed: bool,
    dir: bool,
    readonly: bool,
    cache_id: Option<String>,
    runtime: bool,
    /// A file of the classic init layer (no mount): the node laid there.
    init_file: Option<Node>,
    /// The directories laying it made (missing parents), outermost first.
    made: Vec<String>,
    /// The parent directory, where it existed unmodified before laying
    /// the mount touched it.
    parent: Option<String>,
    /// What the command found there: the target's node and everything
    /// below it, to tell what it changed.
    start: (Option<Node>, Vec<(String, Node)>),
}

impl Run<'_> {
    /// The classic builder runs no mount: docker 20.10 prints the step and
    /// this error (checked on the engine).
    pub(super) fn refuse_mounts(
        &mut self,
        run: &analyzer::Run,
        cmd: &Command,
    ) -> Result<(), BuildError> {
        if self.opts.builder == BuilderKind::Classic && !run.mounts.is_empty() {
            return Err(self.fail(
                "the --mount option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled".into(),
                Some(cmd.span),
            ));
        }
        Ok(())
    }

    /// Resolve every mount of a BuildKit RUN against the context, the
    /// stages built so far and the cache mounts kept.
    pub(super) fn mount_inputs(
        &mut self,
        run: &analyzer::Run,
        st: &StageState,
        cmd: &Command,
    ) -> Result<MountInputs, BuildError> {
        let mut out = MountInputs::default();
        let workdir = if st.config.working_dir.is_empty() {
            "/"
        } else {
            st.config.working_dir.as_str()
        };
        for m in &run.mounts {
            // An absolute target stays where it points; only a relative one
            // is taken from the working directory (recorded: `WORKDIR /app`
            // then `--mount=type=tmpfs,target=/t` mounts at /t, our 94).
            let written = m.target_path();
            let target = if written.starts_with('/') {
                crate::engine::gopath::clean(&written)
            } else {
                crate::engine::gopath::clean(&copy::join(workdir, &written))
            };
            match m.kind {
                MountType::Bind => {
                    let (root, below, stamps) = self.bind_source(m, cmd)?;
                    out.stamps.extend(stamps);
                    out.mounted.push(Mounted {
                        target,
                        readonly: m.readonly,
                        root,
                        below,
                        cache_id: None,
                        runtime: false,
                        access: Some(access_of(m.readonly)),
                    });
                }
                MountType::Cache => {
                    let id = m.cache_id();
                    let below = match self.txn.cache_mount(&id) {
                        Some(kept) => RootFs::from_layers([kept]).walk("/").unwrap_or_default(),
                        None => Vec::new(),
                    };
                    let root = Node::dir(
                        m.mode.unwrap_or(0o755),
                        m.uid.unwrap_or(0),
                        m.gid.unwrap_or(0),
                    );
                    out.mounted.push(Mounted {
                        target,
                        readonly: m.readonly,
                        root,
                        below,
                        cache_id: Some(id),
                        runtime: false,
                        access: Some(access_of(m.readonly)),
                    });
                }
                MountType::Tmpfs => out.mounted.push(Mounted {
                    target,
                    readonly: m.readonly,
                    root: Node::dir(0o1777, 0, 0),
                    below: Vec::new(),
                    cache_id: None,
                    runtime: false,
                    access: Some(access_of(m.readonly)),
                }),
                // layerlab is given no secrets and no SSH agent: BuildKit
                // then mounts nothing, unless the mount is required.
                MountType::Secret if m.required => {
                    let id = m.secret_id();
                    return Err(
                        self.fail(format!("secret {id} not found: not found"), Some(cmd.span))
                    );
                }
                MountType::Ssh if m.required => {
                    let id = m.id.clone().unwrap_or_default();
                    return Err(self.fail(
                        format!("no SSH key {id:?} forwarded from the client"),
                        Some(cmd.span),
                    ));
                }
                MountType::Secret => {}
                // The variable is set even when no agent was forwarded.
                MountType::Ssh => out.env.push(("SSH_AUTH_SOCK".into(), target)),
            }
        }
        Ok(out)
    }

    /// A bind mount's source: from the build context, or from a stage or
    /// image with `from=`; stamped by content, as BuildKit keys it.
    fn bind_source(&mut self, m: &Mount, cmd: &Command) -> Result<BindSource, BuildError> {
        let source = m.source.clone().unwrap_or_else(|| "/".into());
        let clean = crate::engine::gopath::clean(&format!("/{source}"));
        let rel = clean.trim_start_matches('/').to_string();
        let Some(from) = &m.from else {
            let pattern = if rel.is_empty() {
                ".".to_string()
            } else {
                rel.clone()
            };
            let stamps = self.context_files(std::slice::from_ref(&pattern), cmd)?;
            // Laid out as a COPY to `/` of an empty filesystem lays them.
            let items = self.context_items(
                std::slice::from_ref(&pattern),
                "/",
                false,
                &RootFs::new(),
                cmd,
            )?;
            let is_dir = rel.is_empty()
                || self
                    .context
                    .get(&rel)
                    .is_some_and(|f| matches!(f.kind, FileKind::Dir));
            if !is_dir {
                if let Some(item) = items.first() {
                    return Ok((item.node.clone(), Vec::new(), stamps));
                }
            }
            let below = items
                .into_iter()
                .map(|i| (i.target.trim_start_matches('/').to_string(), i.node))
                .collect();
            return Ok((Node::dir(0o755, 0, 0), below, stamps));
        };
        let fs = match m.from_stage {
            Some(i) => match self.stages.get(&i) {
                Some(s) => match s.fs.get(&mut self.txn).cloned() {
                    Ok(fs) => fs,
                    Err(d) => return Err(self.unreadable(d, "", cmd.span)),
                },
                None => {
                    return Err(self.fail(format!("stage {from} was not built"), Some(cmd.span)))
                }
            },
            None => self.image_fs(from, cmd.span)?,
        };
        let node = match fs.stat(&clean) {
            Ok(n) => n,
            Err(_) => {
                return Err(self.fail(
                    format!("failed to compute cache key: {clean:?} not found: not found"),
                    Some(cmd.span),
                ))
            }
        };
        let below = if node.is_dir() {
            fs.walk(&clean).unwrap_or_default()
        } else {
            Vec::new()
        };
        let mut stamps = Vec::new();
        for (path, n) in std::iter::once((rel.clone(), &node))
            .chain(below.iter().map(|(p, n)| (copy::join(&rel, p), n)))
        {
            match copy::stamp(&path, n) {
                Ok(s) => stamps.push(s),
                Err(e) => return Err(self.fail(e.to_string(), Some(cmd.span))),
            }
        }
        Ok((node, below, stamps))
    }
}

/// Lay the mounts over `fs` for the command: each covers what was at its
/// target (made, with its parents, where it was missing).
pub(super) fn cover(fs: &mut RootFs, mounted: &[Mounted]) -> Result<Vec<Covered>, FsError> {
    let mut covered = Vec::new();
    for m in mounted {
        let before = fs.lstat(&m.target).ok();
        let parent = m.target.rsplit_once('/').map_or("", |(p, _)| p);
        let parent_untouched = !parent.is_empty()
            && PathKey::parse_lexical(parent.trim_start_matches('/'))
                .is_some_and(|k| fs.upper().get(&k).is_none());
        if before.is_some() {
            fs.remove_all(&m.target)?;
        }
        let mut made = Vec::new();
        if !parent.is_empty() {
            let mut at = String::new();
            for comp in parent.split('/').filter(|c| !c.is_empty()) {
                at.push('/');
                at.push_str(comp);
                if fs.lstat(&at).is_err() {
                    made.push(at.clone());
                }
            }
            fs.mkdir_all(parent, 0o755, 0, 0)?;
        }
        fs.put(&m.target, m.root.clone())?;
        for (rel, node) in &m.below {
            fs.put(&copy::join(&m.target, rel), node.clone())?;
        }
        covered.push(Covered {
            target: m.target.clone(),
            existed: before.is_some(),
            dir: m.root.is_dir(),
            readonly: m.readonly,
            cache_id: m.cache_id.clone(),
            runtime: m.runtime,
            init_file: (m.runtime && m.access.is_none()).then(|| m.root.clone()),
            parent: parent_untouched.then(|| parent.to_owned()),
            made,
            start: snapshot(fs, &m.target),
        });
    }
    Ok(covered)
}

/// After the command: keep what cache mounts hold now, and refuse what it
/// wrote into a read-only mount (the first path, as the kernel's EROFS
/// stops the command at its first write there).
pub(super) fn uncover(
    fs: &RootFs,
    covered: &[Covered],
    kept: &mut Vec<(String, Arc<LayerChanges>)>,
) -> Result<(), String> {
    for m in covered {
        let end = snapshot(fs, &m.target);
        if m.readonly && end != m.start {
            let first = end
                .1
                .iter()
                .find(|e| !m.start.1.contains(e))
                .map(|(p, _)| copy::join(&m.target, p))
                .unwrap_or_else(|| m.target.clone());
            return Err(format!("{first}: Read-only file system"));
        }
        let now = end.1;
        if let Some(id) = &m.cache_id {
            let mut content = RootFs::new();
            for (rel, node) in &now {
                // Parents come first in walk order, so each put has its directory.
                let _ = content.put(&format!("/{rel}"), node.clone());
            }
            kept.push((id.clone(), Arc::new(content.diff(DiffMode::CopyUp))));
        }
    }
    Ok(())
}

/// The node at `target` and, for a directory, everything below it.
fn snapshot(fs: &RootFs, target: &str) -> (Option<Node>, Vec<(String, Node)>) {
    let root = fs.lstat(target).ok();
    let below = match &root {
        Some(n) if n.is_dir() => fs.walk(target).unwrap_or_default(),
        _ => Vec::new(),
    };
    (root, below)
}

/// The layer without what the mounts showed: below each target nothing is
/// kept; under BuildKit a target that was missing stays as the empty
/// directory the runtime made for a directory mount (a file stub is
/// removed), with the parents it made. The classic builder's runtime
/// mounts are in the init layer below the container: what laying them
/// made stays only where the command wrote below it (overlay2 copies the
/// directory up then).
pub(super) fn without_mounts(
    changes: &LayerChanges,
    covered: &[Covered],
    builder: BuilderKind,
) -> LayerChanges {
    let mut kept = changes.clone();
    let init_layer = |c: &Covered| c.runtime && builder == BuilderKind::Classic;
    for c in covered {
        let Some(key) = PathKey::parse_lexical(c.target.trim_start_matches('/')) else {
            continue;
        };
        let stub = kept.get(&key).cloned();
        kept.remove_subtree(&key);
        if let (Some(laid), true) = (&c.init_file, init_layer(c)) {
            // The container's own writes to an init layer file are its:
            // removed, a whiteout (`rm -rf /etc` whites out etc/mtab);
            // rewritten, the new file.
            use crate::filesystem::rootfs::Change;
            match stub {
                None | Some(Change::Whiteout) => {
                    kept.insert(key, Change::Whiteout);
                }
                Some(Change::Put(n)) if n != *laid => {
                    kept.insert(key, Change::Put(n));
                }
                _ => {}
            }
            continue;
        }
        if !c.existed && c.dir && !init_layer(c) {
            let node = Node::dir(0o755, 0, 0);
            let mtime = match &stub {
                Some(crate::filesystem::rootfs::Change::Put(n)) => n.mtime,
                _ => 0,
            };
            kept.insert(
                key,
                crate::filesystem::rootfs::Change::Put(node.with_mtime(mtime)),
            );
        }
    }
    // A mount over an existing file leaves its directory alone; a stub
    // made in the init layer neither touches the directory nor makes it in
    // the container's layer. Kept where the command changed something below.
    for c in covered {
        let made = c.made.iter().rev().filter(|_| init_layer(c));
        let parent = c.parent.iter().filter(|_| c.existed || init_layer(c));
        for dir in made.chain(parent) {
            let Some(d) = PathKey::parse_lexical(dir.trim_start_matches('/')) else {
                continue;
            };
            if !kept.iter().any(|(k, _)| *k != d && k.is_inside(&d)) {
                kept.remove(&d);
            }
        }
    }
    kept
}
