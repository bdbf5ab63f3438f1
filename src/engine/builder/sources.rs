//! COPY and ADD: what their sources select (in the build context, another
//! stage or an image), the cache inputs that makes, and the entries they
//! write.

use super::*;

/// What a COPY selects in another stage's or an image's filesystem.
pub(super) struct FsSelection {
    /// The entries to write.
    items: Vec<copy::Item>,
    /// Their cache stamps, under the paths the key names them by.
    stamps: Vec<FileStamp>,
    /// The classic builder's hash of the sources.
    hash: Option<ClassicSourceHash>,
}

impl Run<'_> {
    pub(super) fn copy_inputs(
        &mut self,
        cmd: &Command,
        copy: &analyzer::Copy,
        st: &StageState,
    ) -> Result<StepInputs, BuildError> {
        use crate::engine::history_text as ht;
        let mut patterns = Vec::new();
        for s in &copy.sources {
            patterns.push(self.expand(s, st, cmd.span)?);
        }
        if self.opts.builder == BuilderKind::Classic {
            let unsupported = [
                ("chmod", copy.chmod.is_some()),
                ("link", copy.link),
                ("parents", copy.parents),
                ("exclude", !copy.excludes.is_empty()),
            ];
            if let Some((flag, _)) = unsupported.iter().find(|(_, used)| *used) {
                return Err(self.fail(
                    format!("the --{flag} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled"),
                    Some(cmd.span),
                ));
            }
        }
        if let Some(url) = patterns.iter().find(|p| {
            p.starts_with("http://") || p.starts_with("https://") || p.starts_with("git@")
        }) {
            // BuildKit fetches remote sources as it starts solving, so on the
            // offline engine it fails before any step (checked on dockerd
            // 20.10 with --network=none).
            let message =
                format!("{url}: layerlab works offline and cannot download remote sources");
            return Err(match self.opts.builder {
                BuilderKind::Buildkit => self.fail_before_solve(message, Some(cmd.span)),
                BuilderKind::Classic => self.fail(message, Some(cmd.span)),
            });
        }
        let dest_raw = self.expand(&copy.dest, st, cmd.span)?;
        let dest = config::copy_dest(&st.config.working_dir, &dest_raw);
        let keyword = if copy.add { "ADD" } else { "COPY" };
        let chown_expanded = match &copy.chown {
            Some(spec) => Some(self.expand(spec, st, cmd.span)?),
            None => None,
        };
        let owner = match &chown_expanded {
            Some(spec) => match copy::parse_chown(self.lay_out(&st.fs, cmd.span)?, spec) {
                Ok(o) => Some(o),
                Err(m) => return Err(self.fail(m, Some(cmd.span))),
            },
            None => None,
        };
        let heredocs = self.heredoc_files(copy, st, cmd)?;
        let chmod = match &copy.chmod {
            Some(spec) => match copy::parse_chmod(spec) {
                Ok(m) => Some(m),
                // Docker 20.10's BuildKit reads the mode as octal and drops
                // one it cannot read, without a word (recorded: our 87).
                Err(_)
                    if self.opts.builder == BuilderKind::Buildkit
                        && self.opts.frontend == ht::BuildkitFrontend::Docker2010 =>
                {
                    None
                }
                Err(m) => return Err(self.fail(m, Some(cmd.span))),
            },
            None => None,
        };
        let (source, files, effect, classic_hash) = match (&copy.from, copy.from_stage) {
            (None, _) => {
                let files = self.context_stamps(&patterns, &heredocs, cmd)?;
                let hash = match self.opts.builder {
                    BuilderKind::Classic => {
                        Some(self.classic_context_hash(&patterns, &files, cmd)?)
                    }
                    BuilderKind::Buildkit => None,
                };
                // The files are written only if the step runs: a cache hit
                // never touches the stage's filesystem.
                let effect = Effect::CopyContext {
                    patterns: patterns.clone(),
                    heredocs,
                    dest: dest.clone(),
                    add: copy.add,
                    owner,
                    chmod,
                };
                ("context".to_string(), files, effect, hash)
            }
            (Some(from), stage) => {
                let (label, fs) = match stage {
                    Some(i) => match self.stages.get(&i) {
                        // Not the stage's name: BuildKit's key holds the
                        // files' checksums, never what the stage is called
                        // (recorded: our 63), and the classic builder's the
                        // source hash.
                        Some(s) => match s.fs.get(&mut self.txn).cloned() {
                            Ok(fs) => ("stage".to_string(), fs),
                            Err(d) => return Err(self.unreadable(d, "", cmd.span)),
                        },
                        None => {
                            return Err(
                                self.fail(format!("stage {from} was not built"), Some(cmd.span))
                            )
                        }
                    },
                    None => {
                        let img = self.expand(from, st, cmd.span)?;
                        match self.image_fs(&img, cmd.span) {
                            Ok(fs) => (format!("image {img}"), fs),
                            Err(e) => return Err(e),
                        }
                    }
                };
                let FsSelection {
                    mut items,
                    stamps,
                    hash,
                } = self.fs_items(&fs, &patterns, &dest, st, cmd)?;
                copy::set_owner_and_mode(&mut items, owner, chmod);
                (label, Stamps::from(stamps), Effect::Write(items), hash)
            }
        };
        let bytes: u64 = files.iter().map(|f| f.size).sum();
        let (op, created_by) = match self.opts.builder {
            BuilderKind::Buildkit => {
                let heredocs: Vec<String> = copy.heredocs.iter().map(|h| h.name.clone()).collect();
                let sources: Vec<String> = patterns
                    .iter()
                    .filter(|p| !p.starts_with("<<"))
                    .cloned()
                    .collect();
                let flags = ht::CopyFlags {
                    parents: copy.parents,
                    chown: copy.chown.as_deref(),
                    chmod: copy.chmod.as_deref(),
                };
                (
                    OpInputs::Copy {
                        add: copy.add,
                        source,
                        // BuildKit's copy op names each source as
                        // `/` joined with it, cleaned: `./a`, `a` and `/a`
                        // are one key (`COPY ./a` after `COPY a` is CACHED).
                        // Kept in the spelling keys always had for `a`
                        // and `.`, so a state's records still hit.
                        patterns: patterns
                            .iter()
                            .map(String::as_str)
                            .map(key_pattern)
                            .collect(),
                        files,
                        dest: dest.clone(),
                        // expanded: `--chown=$U` misses when ENV U
                        // changes (our 79)
                        chown: chown_expanded,
                        chmod: chmod.and(copy.chmod.clone()),
                        link: copy.link,
                        parents: copy.parents,
                        excludes: copy.excludes.clone(),
                    },
                    ht::buildkit_copy(
                        self.opts.frontend,
                        keyword,
                        &flags,
                        &sources,
                        &heredocs,
                        &dest_raw,
                    ),
                )
            }
            BuilderKind::Classic => {
                let shell = st.config.shell.clone().unwrap_or_default();
                let text = match &classic_hash {
                    Some(h) => {
                        ht::classic_copy(keyword, chown_expanded.as_deref(), h, &dest_raw, &shell)
                    }
                    None => format!(
                        "{} #(nop) {keyword} from {source} in {dest_raw} ",
                        shell_words(&shell)
                    ),
                };
                (
                    OpInputs::Classic {
                        created_by: text.clone(),
                        config: st.config.fingerprint(),
                        files,
                    },
                    text,
                )
            }
        };
        Ok(StepInputs {
            op,
            created_by,
            effect,
            // Simulated time: a fixed start-up plus the bytes at 50 MB/s.
            seconds: 0.05 + bytes as f64 / 50e6,
        })
    }

    /// The filesystem of an image named by `COPY --from=IMAGE`.
    pub(super) fn image_fs(&mut self, reference: &str, span: Span) -> Result<RootFs, BuildError> {
        let image = match crate::engine::base::resolve(&mut self.txn, reference) {
            Ok(i) => i,
            Err(e) => {
                let m = match self.opts.builder {
                    BuilderKind::Buildkit => e.buildkit,
                    BuilderKind::Classic => e.classic,
                };
                return Err(self.fail(m, Some(span)));
            }
        };
        self.layers_fs(&image.layers, span)
    }

    /// `COPY <<EOF /file`: each heredoc's name and body (expanded unless
    /// its delimiter was quoted).
    pub(super) fn heredoc_files(
        &mut self,
        copy: &analyzer::Copy,
        st: &StageState,
        cmd: &Command,
    ) -> Result<Vec<(String, String)>, BuildError> {
        let env = Self::word_env(st);
        let mut out = Vec::new();
        for h in &copy.heredocs {
            let body = if h.chomp {
                h.content
                    .lines()
                    .map(|l| format!("{}\n", l.trim_start_matches('\t')))
                    .collect()
            } else {
                h.content.clone()
            };
            let body = if h.quoted {
                body
            } else {
                match expand::expand_heredoc(&body, &env) {
                    Ok(e) => e.value,
                    Err(e) => return Err(self.expand_failed(&body, &e, cmd.span)),
                }
            };
            out.push((h.name.clone(), body));
        }
        Ok(out)
    }

    /// What a COPY from the build context writes, and where.
    pub(super) fn context_items(
        &mut self,
        patterns: &[String],
        dest: &str,
        add: bool,
        fs: &RootFs,
        cmd: &Command,
    ) -> Result<Vec<copy::Item>, BuildError> {
        let dialect = self.dialect();
        let mut resolved = Vec::new();
        for pattern in patterns.iter().filter(|p| !p.starts_with("<<")) {
            match self.context.resolve_sources(pattern, dialect) {
                Ok(r) => resolved.extend(r),
                Err(e) => return Err(self.fail(e.to_string(), Some(cmd.span))),
            }
        }
        let buildkit = self.opts.builder == BuilderKind::Buildkit;
        let mut dest_kind = copy::Dest::of(fs, dest, resolved.len(), buildkit);
        if !buildkit && resolved.len() > 1 && !dest.ends_with('/') {
            return Err(self.fail(
                format!("When using {} with more than one source file, the destination must be a directory and end with a /", cmd.keyword().upper()),
                Some(cmd.span),
            ));
        }
        let ctx = self.context;
        let mut items = Vec::new();
        for source in &resolved {
            if source.is_dir {
                if !dest_kind.takes_dir_source() && buildkit {
                    return Err(self.not_a_directory(dest, cmd));
                }
                let before = items.len();
                let mut own = None;
                for (path, meta) in copy::subtree(ctx.entries(), &source.path, true) {
                    let Some(rel) = path.strip_prefix(source.path.as_str()) else {
                        continue;
                    };
                    let rel = rel.trim_start_matches('/');
                    if rel.is_empty() {
                        own = Some((path, meta));
                        continue;
                    }
                    items.push(copy::Item {
                        target: copy::join(dest, rel),
                        node: copy::context_node(&mut self.txn.memo.file_cache, ctx, path, meta),
                    });
                }
                // A directory with nothing to copy (empty, or all of it
                // .dockerignored) still makes the destination directory in
                // both builders (a generated scenario: our 133).
                if let (true, Some((path, meta))) = (items.len() == before, own) {
                    items.push(copy::Item {
                        target: dest.trim_end_matches('/').to_string(),
                        node: copy::context_node(&mut self.txn.memo.file_cache, ctx, path, meta),
                    });
                }
                continue;
            }
            let Some(meta) = ctx.get(&source.path) else {
                continue;
            };
            if add {
                if let Some(extracted) = self.extract_tar(&source.path, dest, cmd)? {
                    items.extend(extracted);
                    continue;
                }
            }
            items.push(copy::Item {
                target: dest_kind.file_target(dest, &source.name),
                node: copy::context_node(&mut self.txn.memo.file_cache, ctx, &source.path, meta),
            });
        }
        Ok(items)
    }

    /// `ADD archive.tar /dir/`: a local tar archive is unpacked. Returns
    /// `None` for anything that is not an uncompressed tar (it is copied as
    /// a file; compressed archives are not simulated).
    pub(super) fn extract_tar(
        &mut self,
        path: &str,
        dest: &str,
        cmd: &Command,
    ) -> Result<Option<Vec<copy::Item>>, BuildError> {
        let mut header = [0u8; 512];
        let looks_like_tar = self
            .context
            .open(path)
            .ok()
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header).ok())
            .is_some_and(|()| &header[257..262] == b"ustar");
        if !looks_like_tar {
            return Ok(None);
        }
        let file = match self.context.open(path) {
            Ok(f) => f,
            Err(e) => return Err(self.fail(e.to_string(), Some(cmd.span))),
        };
        let imported = match crate::engine::layer::read_tar(file) {
            Ok(i) => i,
            Err(_) => return Ok(None),
        };
        let mut items = Vec::new();
        for (key, change) in imported.changes.iter() {
            if let crate::filesystem::rootfs::Change::Put(node) = change {
                items.push(copy::Item {
                    target: copy::join(dest, key.as_str()),
                    node: node.clone(),
                });
            }
        }
        Ok(Some(items))
    }

    /// What a COPY --from another filesystem writes, and the classic
    /// builder's hash of those sources.
    pub(super) fn fs_items(
        &mut self,
        fs: &RootFs,
        patterns: &[String],
        dest: &str,
        st: &StageState,
        cmd: &Command,
    ) -> Result<FsSelection, BuildError> {
        let mut found = Vec::new();
        for p in patterns {
            match copy::fs_sources(fs, p) {
                Ok(f) => found.extend(f),
                Err(m) => {
                    let m = match self.opts.builder {
                        BuilderKind::Buildkit => {
                            format!("failed to compute cache key: {m}: not found")
                        }
                        BuilderKind::Classic => format!(
                            "{} failed: stat {}: file does not exist",
                            cmd.keyword().upper(),
                            p.trim_start_matches('/')
                        ),
                    };
                    return Err(self.fail(m, Some(cmd.span)));
                }
            }
        }
        let buildkit = self.opts.builder == BuilderKind::Buildkit;
        let mut dest_kind =
            copy::Dest::of(self.lay_out(&st.fs, cmd.span)?, dest, found.len(), buildkit);
        let mut items = Vec::new();
        // Stamped under the path the cache key names them by.
        let mut stamps = Vec::new();
        // What the classic builder hashes, keyed by path: it names each
        // source by the path its symlinks resolve to, so the links met on
        // the way and what they end at are listed (once, however many
        // sources reach them).
        let mut entries = BTreeMap::new();
        let mut contents = BTreeMap::new();
        let mut add_entry = |path: String, n: &Node| {
            if path.is_empty() || entries.contains_key(&path) {
                return;
            }
            let uname = if n.uid == 0 { "root" } else { "" };
            let gname = if n.gid == 0 { "root" } else { "" };
            let entry = match &n.kind {
                NodeKind::File(b) => {
                    contents.insert(path.clone(), b.clone());
                    SourceEntry::file(path.clone(), n.mode, b.len())
                }
                NodeKind::Dir => SourceEntry::dir(path.clone(), n.mode),
                NodeKind::Symlink(t) => SourceEntry::symlink(path.clone(), t.clone()),
                // No layer holds a device (only the runtime's /dev does),
                // so no stage can hand one to COPY: as empty.
                NodeKind::CharDevice { .. } => SourceEntry::file(path.clone(), n.mode, 0),
            };
            entries.insert(path, entry.owned_by(n.uid, n.gid, uname, gname));
        };
        let add_resolved = |path: &str, add_entry: &mut dyn FnMut(String, &Node)| {
            let (links, resolved) = copy::links_on_the_way(fs, path);
            for (link, target) in links {
                add_entry(link, &Node::symlink(target));
            }
            resolved
        };
        for (name, node, below) in &found {
            // The source `/` is the tree's root, which the hash has
            // already; `add_entry` skips it.
            let resolved = add_resolved(name, &mut add_entry);
            add_entry(resolved.clone(), node);
            if node.is_dir() {
                if !dest_kind.takes_dir_source() && buildkit {
                    return Err(self.not_a_directory(dest, cmd));
                }
                for (rel, n) in below {
                    let key_path = if name.is_empty() {
                        rel.clone()
                    } else {
                        copy::join(name, rel)
                    };
                    stamps.push(copy::stamp(&key_path, n));
                    let hash_path = copy::join(&resolved, rel);
                    let hash_path = hash_path.trim_start_matches('/');
                    add_entry(hash_path.to_owned(), n);
                    // A link inside hashes as what it points at.
                    if n.is_symlink() {
                        let target = add_resolved(hash_path, &mut add_entry);
                        if let Ok(t) = fs.lstat(&format!("/{target}")) {
                            add_entry(target, &t);
                        }
                    }
                    items.push(copy::Item {
                        target: copy::join(dest, rel),
                        node: n.clone(),
                    });
                }
            } else {
                stamps.push(copy::stamp(name, node));
                items.push(copy::Item {
                    target: dest_kind.file_target(dest, name),
                    node: node.clone(),
                });
            }
        }
        let stamps = match stamps.into_iter().collect::<std::io::Result<Vec<_>>>() {
            Ok(s) => s,
            Err(e) => return Err(self.fail(e.to_string(), Some(cmd.span))),
        };
        let hash = match self.opts.builder {
            BuilderKind::Buildkit => None,
            BuilderKind::Classic => {
                let blobs = BlobContents(contents);
                let refs: Vec<&str> = patterns.iter().map(|p| p.trim_start_matches('/')).collect();
                let result =
                    ClassicSource::new(SourceOrigin::Filesystem, entries.into_values(), &blobs)
                        .and_then(|src| src.copy_sources(&refs));
                match result {
                    Ok(c) => Some(c.hash),
                    Err(e) => {
                        return Err(self.fail(
                            format!("{} failed: {e}", cmd.keyword().upper()),
                            Some(cmd.span),
                        ))
                    }
                }
            }
        };
        Ok(FsSelection {
            items,
            stamps,
            hash,
        })
    }

    /// A directory source copied where an earlier source of the same COPY
    /// left a file (BuildKit; its message names the path on the host).
    fn not_a_directory(&mut self, dest: &str, cmd: &Command) -> BuildError {
        self.fail(
            format!(
                "cannot copy to non-directory: {}",
                dest.trim_end_matches('/')
            ),
            Some(cmd.span),
        )
    }

    /// The classic builder's `file:`/`dir:`/`multi:` hash of COPY sources
    /// from the build context.
    pub(super) fn classic_context_hash(
        &mut self,
        patterns: &[String],
        files: &Stamps,
        cmd: &Command,
    ) -> Result<ClassicSourceHash, BuildError> {
        // Stamps of this snapshot's sources were hashed already: no walk
        // of them, nor a serialization, is needed to know.
        if let Some(hash) = files
            .origin
            .and_then(|o| self.txn.memo.snapshots.classic(&o))
        {
            return Ok(hash.clone());
        }
        let hash = self.classic_context_hash_of(patterns, files, cmd)?;
        if let Some(origin) = files.origin {
            let id = self.context.id();
            self.txn
                .memo
                .snapshots
                .keep_classic(id, origin, hash.clone());
        }
        Ok(hash)
    }

    fn classic_context_hash_of(
        &mut self,
        patterns: &[String],
        files: &[FileStamp],
        cmd: &Command,
    ) -> Result<ClassicSourceHash, BuildError> {
        // The hash reads every selected file again; it is a function of the
        // patterns and the stamps (names, kinds, modes, sizes, contents,
        // link targets — all a tarsum header holds, owners being 0:0), so
        // an unchanged COPY reuses the last result instead.
        // Where each source resolves counts too: the tarsum of a followed
        // symlink names its target (recorded: our 49).
        let resolved: Vec<String> = patterns
            .iter()
            .flat_map(|p| {
                self.context
                    .resolve_sources(p, Dialect::Classic)
                    .unwrap_or_default()
            })
            .map(|r| r.path)
            .collect();
        let memo_key = {
            let mut h = crate::filesystem::digest::Hasher::new();
            let _ = serde_json::to_writer(&mut h, &(patterns, files, resolved));
            h.finish()
        };
        if let Some(hash) = self.txn.memo.classic_hashes.get(&memo_key) {
            return Ok(hash.clone());
        }
        let entries = self
            .context
            .entries()
            .iter()
            .filter(|(path, _)| !self.context.sent_only_for_below(path))
            .map(|(path, meta)| match &meta.kind {
                FileKind::File => SourceEntry::file(path.clone(), meta.mode, meta.size),
                FileKind::Dir => SourceEntry::dir(path.clone(), meta.mode),
                FileKind::Symlink { target } => SourceEntry::symlink(path.clone(), target.clone()),
            });
        let contents = ContextContents(self.context);
        let result =
            ClassicSource::new(SourceOrigin::BuildContext, entries, &contents).and_then(|src| {
                let refs: Vec<&str> = patterns.iter().map(String::as_str).collect();
                src.copy_sources(&refs)
            });
        match result {
            Ok(c) => {
                self.txn
                    .memo
                    .classic_hashes
                    .insert(memo_key, c.hash.clone());
                Ok(c.hash)
            }
            Err(e) => Err(self.fail(
                format!("{} failed: {e}", cmd.keyword().upper()),
                Some(cmd.span),
            )),
        }
    }

    /// The stamps of every context entry a COPY's sources select, then of
    /// its heredocs: computed once per snapshot, sources and heredocs
    /// (what they are a function of, with the builder's rules of
    /// resolving), which the stamps' origin names.
    fn context_stamps(
        &mut self,
        patterns: &[String],
        heredocs: &[(String, String)],
        cmd: &Command,
    ) -> Result<Stamps, BuildError> {
        let id = self.context.id();
        let dialect = format!("{:?}", self.dialect());
        let origin = {
            let mut h = crate::filesystem::digest::Hasher::new();
            let _ = serde_json::to_writer(&mut h, &("context", id, dialect, patterns, heredocs));
            h.finish()
        };
        if let Some(stamps) = self.txn.memo.snapshots.stamps(id, &origin) {
            return Ok(stamps);
        }
        let mut files = self.context_files(patterns, cmd)?;
        files.extend(heredocs.iter().map(|(name, body)| FileStamp {
            path: format!("<<{name}"),
            kind: StampKind::File,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: body.len() as u64,
            content: Digest::of(body.as_bytes()).to_string(),
        }));
        let stamps = Stamps::with_origin(Arc::new(files), origin);
        self.txn.memo.snapshots.keep_stamps(id, stamps.clone());
        Ok(stamps)
    }

    /// Stamp every context entry a COPY's sources select.
    pub(super) fn context_files(
        &mut self,
        patterns: &[String],
        cmd: &Command,
    ) -> Result<Vec<FileStamp>, BuildError> {
        let dialect = self.dialect();
        let mut stamps = Vec::new();
        // `<<NAME` sources are heredocs, stamped by the caller.
        for pattern in patterns.iter().filter(|p| !p.starts_with("<<")) {
            let resolved = match self.context.resolve_sources(pattern, dialect) {
                Ok(r) => r,
                Err(ContextError::SourceNotFound(nf)) => {
                    let msg = nf.message(dialect, &cmd.keyword().upper());
                    return Err(self.fail(msg, Some(cmd.span)));
                }
                Err(e) => return Err(self.fail(e.to_string(), Some(cmd.span))),
            };
            for source in resolved {
                for (path, meta) in
                    copy::subtree(self.context.entries(), &source.path, source.is_dir)
                {
                    // Stamped under the name it is copied by: a followed
                    // symlink with its target's content, since BuildKit's
                    // checksum sees content, not where a link points
                    // (recorded: our 49).
                    let name = match path.strip_prefix(source.path.as_str()) {
                        Some("") => source.name.clone(),
                        Some(rest) => {
                            let rel = rest.trim_start_matches('/');
                            if source.name.is_empty() {
                                rel.to_string()
                            } else {
                                copy::join(&source.name, rel)
                            }
                        }
                        None => path.clone(),
                    };
                    let (kind, content, size) = match &meta.kind {
                        FileKind::File => (
                            StampKind::File,
                            meta.content.map(|d| d.to_string()).unwrap_or_default(),
                            meta.size,
                        ),
                        FileKind::Dir => (StampKind::Dir, String::new(), 0),
                        FileKind::Symlink { target } => {
                            (StampKind::Symlink, target.clone(), target.len() as u64)
                        }
                    };
                    // A directory's mode is not in BuildKit's key: a
                    // chmod of a copied directory, or of one inside it,
                    // keeps COPY cached and the image unchanged (recorded:
                    // our 75). The classic builder's tarsum does hash it.
                    let mode = match (&meta.kind, self.opts.builder) {
                        (FileKind::Dir, BuilderKind::Buildkit) => 0,
                        _ => meta.mode,
                    };
                    stamps.push(FileStamp {
                        path: name,
                        size,
                        kind,
                        mode,
                        // The docker CLI sends the context as 0:0.
                        uid: 0,
                        gid: 0,
                        content,
                    });
                }
            }
        }
        stamps.sort();
        stamps.dedup();
        Ok(stamps)
    }
}

/// The build context's files, for the classic source hash.
struct ContextContents<'a>(&'a ContextSnapshot);

impl FileContents for ContextContents<'_> {
    fn open(&self, path: &str) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        self.0
            .open(path)
            .map(|f| Box::new(f) as Box<dyn std::io::Read>)
            .map_err(std::io::Error::other)
    }
}

fn shell_words(shell: &[String]) -> String {
    if shell.is_empty() {
        "/bin/sh -c".to_string()
    } else {
        shell.join(" ")
    }
}

/// Files of another filesystem, for the classic source hash.
struct BlobContents(BTreeMap<String, Blob>);

impl FileContents for BlobContents {
    fn open(&self, path: &str) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        match self.0.get(path) {
            Some(b) => b.reader(),
            None => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("no contents for {path}"),
            )),
        }
    }
}

/// A COPY source as BuildKit's cache key sees it: joined to `/` and
/// cleaned, written relative (`./a`, `/a` and `a` are `a`; `./` is `.`).
/// A heredoc's `<<NAME` as it is.
fn key_pattern(pattern: &str) -> String {
    if pattern.starts_with("<<") {
        return pattern.to_owned();
    }
    let cleaned = crate::engine::gopath::clean(&format!("/{pattern}"));
    match cleaned.trim_start_matches('/') {
        "" => ".".to_owned(),
        rel => rel.to_owned(),
    }
}
