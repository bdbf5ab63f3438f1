//! Running a step: its effect on the stage's filesystem (COPY's files,
//! WORKDIR's directory, RUN's command in the simulated shell), the layer it
//! leaves, and how each builder reports a failure.

use super::*;
use crate::engine::memo::CopyLayer;

impl Run<'_> {
    /// Run a step's effect on the stage's filesystem and store the layer it
    /// makes. The classic builder commits no layer for a step that changed
    /// nothing; BuildKit keeps it. A failure comes with the step's output.
    pub(super) fn execute(
        &mut self,
        effect: &Effect,
        st: &mut StageState,
        cmd: &Command,
    ) -> Result<Executed, BuildError> {
        // Current BuildKit's differ leaves out files rewritten with the
        // same content (recorded: 03 on BuildKit HEAD); overlay2 under the
        // classic builder, and Docker 20.10's BuildKit, keep them.
        let mode = match (self.opts.builder, self.opts.frontend) {
            (BuilderKind::Buildkit, crate::engine::history_text::BuildkitFrontend::Head) => {
                DiffMode::ContentCompare
            }
            _ => DiffMode::CopyUp,
        };
        let mut ran = Executed::default();
        let memo_key = self.copy_memo_key(effect, st, mode);
        if let Some(known) = memo_key.and_then(|k| self.txn.memo.snapshots.copy(&k)) {
            if let Some(CopyLayer { changes, info }) = known {
                // Read when a later step looks, from this run's layers.
                self.txn.put_digested_layer(changes, info.diff_id);
                st.fs.push(info.diff_id);
                ran.layer = Some(info);
            }
            return Ok(ran);
        }
        let mut fs = self.lay_out(&st.fs, cmd.span)?.clone();
        fs.set_now(self.clock());
        let mut covered = Vec::new();
        let mut made_volumes = Vec::new();
        let done = match effect {
            Effect::None => return Ok(ran),
            Effect::Write(items) => copy::write_items(&mut fs, items),
            Effect::CopyContext {
                patterns,
                heredocs,
                dest,
                add,
                owner,
                chmod,
            } => {
                let mut items = self.context_items(patterns, dest, *add, &fs, cmd)?;
                let into_dir = copy::dest_is_dir(&fs, dest, patterns.len());
                for (name, body) in heredocs {
                    items.push(copy::Item {
                        target: copy::target_for(dest, into_dir, name),
                        node: Node::file(Blob::from(body.as_str()), 0o644, 0, 0),
                    });
                }
                copy::set_owner_and_mode(&mut items, *owner, *chmod);
                copy::write_items(&mut fs, &items)
            }
            Effect::Mkdir { path, user } => {
                // BuildKit's mkdir looks a named user (or group) up before
                // anything else, existing directory or not: without the file
                // the step fails (recorded: our 102).
                let missing = (self.opts.builder == BuilderKind::Buildkit)
                    .then(|| lookup_file_missing(&fs, user))
                    .flatten();
                if let Some(file) = missing {
                    let message = format!("WORKDIR failed: open {file}: no such file or directory");
                    return Err(self.fail(message, Some(cmd.span)));
                }
                if fs.stat(path).is_ok_and(|n| n.is_dir()) {
                    Ok(())
                } else {
                    // No USER: root, without reading /etc/passwd; a name the
                    // file does not list is root too. The classic builder
                    // makes the directory as root whatever the USER (the
                    // daemon's container setup; recorded: our 102).
                    let (uid, gid) = match (self.opts.builder, user.as_str()) {
                        (BuilderKind::Classic, _) | (_, "") => (0, 0),
                        (BuilderKind::Buildkit, user) => {
                            copy::parse_chown(&fs, user).unwrap_or((0, 0))
                        }
                    };
                    fs.mkdir_all(path, 0o755, uid, gid)
                }
            }
            Effect::Run(run) => {
                made_volumes = self.volume_mountpoints(&mut fs, st);
                let hostname = self.run_hostname(cmd);
                let runtime =
                    super::sandbox::runtime_mounts(self.opts.builder, &hostname, fs.now());
                covered = match super::mounts::cover(&mut fs, &runtime).and_then(|mut c| {
                    c.extend(super::mounts::cover(&mut fs, &run.mounts)?);
                    Ok(c)
                }) {
                    Ok(c) => c,
                    Err(e) => {
                        return Err(self.fail(format!("failed to mount: {e}"), Some(cmd.span)))
                    }
                };
                let points: Vec<&super::mounts::Mounted> =
                    runtime.iter().chain(&run.mounts).collect();
                fs.set_mounts(super::mounts::mount_points(&points));
                let ran_step = self.run_step(run, &mut fs, st, cmd);
                fs.set_mounts(Vec::new());
                let (log, seconds) = ran_step?;
                let mut kept = Vec::new();
                if let Err(why) = super::mounts::uncover(&fs, &covered, &mut kept) {
                    // The command stopped at its write into the read-only
                    // mount: a failed RUN, as BuildKit reports exit code 1.
                    let line = crate::limits::quote_cut(&run.argv.join(" "));
                    let message = match self.opts.frontend {
                        crate::engine::history_text::BuildkitFrontend::Docker2010 => {
                            format!("executor failed running [{line}]: exit code: 1")
                        }
                        crate::engine::history_text::BuildkitFrontend::Head => {
                            format!(
                                "process \"{line}\" did not complete successfully: exit code: 1"
                            )
                        }
                    };
                    self.failed_output = format!("{log}/bin/sh: can't create {why}\n");
                    self.failed_seconds = seconds;
                    return Err(self.fail(message, Some(cmd.span)));
                }
                for (id, content) in kept {
                    self.txn.set_cache_mount(id, content);
                }
                ran.log = log;
                ran.seconds = seconds;
                Ok(())
            }
        };
        if let Err(e) = done {
            let e = self.fail(
                format!("{} failed: {e}", cmd.keyword().upper()),
                Some(cmd.span),
            );
            return Err(e);
        }
        let (fs, changes) = fs.commit(mode);
        let before = self.lay_out(&st.fs, cmd.span)?;
        let filtered = self.without_volume_writes(&changes, effect, st, &made_volumes, before);
        let filtered = if covered.is_empty() {
            filtered
        } else {
            let base = filtered.as_ref().unwrap_or(&changes);
            Some(super::mounts::without_mounts(
                base,
                &covered,
                self.opts.builder,
            ))
        };
        if filtered.as_ref().unwrap_or(&changes).is_empty()
            && self.opts.builder == BuilderKind::Classic
        {
            if let Some(key) = memo_key {
                let id = self.context.id();
                self.txn.memo.snapshots.keep_copy(id, key, None);
            }
            return Ok(ran);
        }
        // What the layer leaves out (a volume's or a mount's files) is not
        // in the stage either: the next step starts from the layer.
        let changes = match filtered {
            Some(kept) => {
                let kept = Arc::new(kept);
                let before = self.lay_out(&st.fs, cmd.span)?.clone();
                let after = self.txn.memo.views.with_layer(before, Arc::clone(&kept));
                st.fs = StageFs::laid(after);
                kept
            }
            None => {
                st.fs = StageFs::laid(fs);
                changes
            }
        };
        let links = symlink_bytes(&changes);
        let kept = memo_key.map(|k| (k, Arc::clone(&changes)));
        match self.txn.put_layer(changes) {
            Ok(mut info) => {
                // dockerd 20.10 sizes a layer BuildKit made by its regular
                // files alone; the classic builder's overlay2 upper counts a
                // symlink's target length too (checked on the engine: `RUN
                // ln -s 0123456789 /l` is 0B under BuildKit, 10B classic;
                // recorded: our 72).
                if self.opts.builder == BuilderKind::Buildkit
                    && self.opts.frontend
                        == crate::engine::history_text::BuildkitFrontend::Docker2010
                {
                    info.size = info.size.saturating_sub(links);
                }
                if let Some((key, changes)) = kept {
                    let id = self.context.id();
                    let made = CopyLayer {
                        changes,
                        info: info.clone(),
                    };
                    self.txn.memo.snapshots.keep_copy(id, key, Some(made));
                }
                ran.layer = Some(info);
                Ok(ran)
            }
            Err(e) => {
                let e = self.fail(
                    format!("cannot write the layer of `{}`: {e}", cmd.text),
                    Some(cmd.span),
                );
                Err(e)
            }
        }
    }

    /// What names a COPY from the context as surely as what it makes: the
    /// snapshot (its files' contents, modes and mtimes, all in the layer),
    /// the step's sources, heredocs, destination and flags, the layers it
    /// is written over (by content), the builder's rules of writing and
    /// diffing, and the clock new directories get. None for any other
    /// step, which runs every time.
    fn copy_memo_key(&self, effect: &Effect, st: &StageState, mode: DiffMode) -> Option<Digest> {
        let Effect::CopyContext {
            patterns,
            heredocs,
            dest,
            add,
            owner,
            chmod,
        } = effect
        else {
            return None;
        };
        // The stage's filesystem is its layers, nothing written on top.
        if !st.fs.only_layers() {
            return None;
        }
        let below: Vec<&Digest> = st.layers.iter().map(|l| &l.diff_id).collect();
        let rules = format!(
            "{:?} {:?} {:?}",
            self.opts.builder, self.opts.frontend, mode
        );
        let inputs = (patterns, heredocs, dest, add, owner, chmod);
        let mut h = crate::filesystem::digest::Hasher::new();
        let _ = serde_json::to_writer(
            &mut h,
            &(
                "copy",
                self.context.id(),
                inputs,
                below,
                rules,
                self.clock(),
            ),
        );
        Some(h.finish())
    }

    /// The classic builder mounts each `VOLUME` directory into a RUN's
    /// container, making it (and its parents) where the image lacks it;
    /// that directory stays in the layer (recorded: our 73). BuildKit makes
    /// none, so a RUN writing into a missing one fails there.
    fn volume_mountpoints(&self, fs: &mut RootFs, st: &StageState) -> Vec<String> {
        if self.opts.builder != BuilderKind::Classic {
            return Vec::new();
        }
        let mut made = Vec::new();
        for v in &st.config.volumes {
            let path = crate::engine::gopath::clean(&copy::join("/", v));
            if fs.lstat(&path).is_err() && fs.mkdir_all(&path, 0o755, 0, 0).is_ok() {
                made.push(path);
            }
        }
        made
    }

    /// The classic builder runs each RUN in a container whose `VOLUME`
    /// directories are volumes: what the command writes there is not part
    /// of the committed layer, nor seen by the next step (recorded: 58, our
    /// 73); a directory made for the mount stays. BuildKit keeps it all.
    /// Nor are the directories above a volume copied up for a write into
    /// it: a parent left with nothing changed below it, and itself as it
    /// was in `before`, goes too (checked on dockerd 20.10: a RUN writing
    /// only into `VOLUME /var/lib/x` commits no layer; our 92).
    pub(super) fn without_volume_writes(
        &self,
        changes: &LayerChanges,
        effect: &Effect,
        st: &StageState,
        made: &[String],
        before: &RootFs,
    ) -> Option<LayerChanges> {
        if self.opts.builder != BuilderKind::Classic
            || !matches!(effect, Effect::Run(_))
            || st.config.volumes.is_empty()
        {
            return None;
        }
        let mut kept = changes.clone();
        for v in &st.config.volumes {
            let path = crate::engine::gopath::clean(&copy::join("/", v));
            if let Some(key) = PathKey::parse_lexical(path.trim_start_matches('/')) {
                let own = kept.get(&key).cloned();
                kept.remove_subtree(&key);
                if let Some(own) = own.filter(|_| made.contains(&path)) {
                    kept.insert(key.clone(), own);
                }
                for anc in key.ancestors().filter(|a| !a.is_root()) {
                    let copied_up = match kept.get(&anc) {
                        Some(crate::filesystem::rootfs::Change::Put(node)) => {
                            before.lstat(&format!("/{}", anc.as_str())).ok().as_ref() == Some(node)
                        }
                        _ => false,
                    };
                    if !copied_up || kept.inside(&anc).next().is_some() {
                        break;
                    }
                    kept.remove(&anc);
                }
            }
        }
        Some(kept)
    }

    /// The host name a RUN's command sees: BuildKit's sandbox name, or the
    /// classic builder's container's short id (made up here, stable for
    /// the build and step, as layerlab prints no container id).
    fn run_hostname(&self, cmd: &Command) -> String {
        match self.opts.builder {
            BuilderKind::Buildkit => super::sandbox::BUILDKIT_HOSTNAME.to_owned(),
            BuilderKind::Classic => {
                let seed = format!("{} {} {}", self.build, cmd.span.start, cmd.text);
                let id = crate::filesystem::digest::Digest::of(seed.as_bytes());
                id.hex()[..12].to_owned()
            }
        }
    }

    /// The simulated clock of this build: what `date` prints and new files
    /// are stamped with.
    pub(super) fn clock(&self) -> i64 {
        SIMULATED_EPOCH + i64::try_from(self.build).unwrap_or(0) * 60
    }

    /// RUN: the command in the stage's filesystem with the step's
    /// environment, working directory and user. Returns its output and the
    /// simulated seconds it took.
    pub(super) fn run_step(
        &mut self,
        run: &RunEffect,
        fs: &mut RootFs,
        st: &StageState,
        cmd: &Command,
    ) -> Result<(String, f64), BuildError> {
        use crate::engine::history_text::BuildkitFrontend;
        // Quoted in the error when the step fails: cut, as a long script
        // would bury the reason.
        let command_line = crate::limits::quote_cut(&run.argv.join(" "));
        let builder = self.opts.builder;
        let frontend = self.opts.frontend;
        let failure = |why: &str| -> String {
            match (builder, frontend) {
                (BuilderKind::Classic, _) => why.to_string(),
                (BuilderKind::Buildkit, BuildkitFrontend::Docker2010) => {
                    format!("executor failed running [{command_line}]: {why}")
                }
                (BuilderKind::Buildkit, BuildkitFrontend::Head) => {
                    format!("process \"{command_line}\" did not complete successfully: {why}")
                }
            }
        };
        let user = if st.config.user.is_empty() {
            // root, whose HOME is what /etc/passwd says, else / (runc)
            crate::filesystem::users::User::resolve("0", fs)
                .unwrap_or_else(|_| crate::filesystem::users::User::root())
        } else {
            // BuildKit 0.8 looks a user up in /etc/passwd unless it names
            // both a uid and a gid by number (`5:6`, `root:0`: its fast
            // path), so `USER 1000` fails without that file (recorded: our
            // 56 and 100) while `USER 5:6` runs; the classic builder and
            // current BuildKit accept a uid nobody is named for.
            let strict = builder == BuilderKind::Buildkit
                && frontend == BuildkitFrontend::Docker2010
                && !numeric_uid_gid(&st.config.user);
            let name = st.config.user.split(':').next().unwrap_or("").to_string();
            let no_passwd = fs.read_file("/etc/passwd").is_err();
            match crate::filesystem::users::User::resolve(&st.config.user, fs) {
                Ok(_) if strict && no_passwd => {
                    let why = format!("unable to find user {name}: invalid argument");
                    return Err(self.fail(failure(&why), Some(cmd.span)));
                }
                Ok(u) => u,
                Err(e) => {
                    let why = match builder {
                        BuilderKind::Classic => e.to_string(),
                        BuilderKind::Buildkit => {
                            format!("unable to find user {name}: invalid argument")
                        }
                    };
                    return Err(self.fail(failure(&why), Some(cmd.span)));
                }
            }
        };
        let hostname = self.run_hostname(cmd);
        // BuildKit gives the process the groups /etc/group lists the user
        // in, none with an explicit group (`id` as root: no groups=); the
        // classic builder's container adds the primary group (groups=0).
        let groups = (builder == BuilderKind::Buildkit).then(|| {
            if st.config.user.contains(':') {
                Vec::new()
            } else {
                crate::filesystem::users::member_of(fs, &user)
            }
        });
        let mut ctx = crate::shell::ExecContext::new(fs);
        ctx.groups = groups;
        ctx.env = run.env.clone();
        if builder == BuilderKind::Classic && !ctx.env.iter().any(|(k, _)| k == "HOSTNAME") {
            // the daemon's container environment: PATH, then HOSTNAME
            let at = ctx
                .env
                .iter()
                .position(|(k, _)| k == "PATH")
                .map_or(0, |i| i + 1);
            ctx.env
                .insert(at, ("HOSTNAME".to_owned(), hostname.clone()));
        }
        ctx.hostname = hostname;
        ctx.cwd = if st.config.working_dir.is_empty() {
            "/".to_string()
        } else {
            // the process's cwd is the cleaned path (`WORKDIR /app/`: pwd
            // prints /app)
            crate::engine::gopath::clean(&st.config.working_dir)
        };
        ctx.user = user;
        ctx.cancel = self.opts.watch.cancel.clone();
        if run.script.is_none() {
            // A program runc cannot exec (`SHELL ["/bin/ash", "-c"]` on an
            // image without it) never starts: the daemon reports the
            // runtime's error and the build exits 1 in both builders
            // (recorded: our 103), not the 127 a shell gives.
            let program = run.argv.first().map_or("", String::as_str);
            let path = ctx
                .env
                .iter()
                .find(|(k, _)| k == "PATH")
                .map_or(super::config::DEFAULT_PATH, |(_, v)| v.as_str());
            if let Err(why) = crate::engine::process::startable(ctx.fs, path, &ctx.cwd, program) {
                let message = match builder {
                    BuilderKind::Classic => format!(
                        "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: {why}: unknown"
                    ),
                    BuilderKind::Buildkit => failure("exit code: 1"),
                };
                self.failed_output =
                    format!("runc run failed: unable to start container process: {why}\n");
                return Err(self.fail(message, Some(cmd.span)));
            }
        }
        let result = match &run.script {
            Some(script) => crate::shell::run(script, &mut ctx),
            None => crate::shell::run_argv(&run.argv, &mut ctx),
        };
        if self.opts.watch.cancelled() {
            return Err(self.fail(CANCELLED.into(), Some(cmd.span)));
        }
        let mut log = String::from_utf8_lossy(&result.output).into_owned();
        crate::limits::clip_output(&mut log);
        if result.exit_code != 0 {
            let code = result.exit_code;
            let message = match builder {
                BuilderKind::Classic => {
                    format!("The command '{command_line}' returned a non-zero code: {code}")
                }
                BuilderKind::Buildkit => failure(&format!("exit code: {code}")),
            };
            let mut e = self.fail(message, Some(cmd.span));
            if builder == BuilderKind::Classic {
                e.exit_code = code;
            }
            // The failed step shows what the command printed, and how long
            // it ran before it failed.
            self.failed_output = log;
            self.failed_seconds = 0.2 + result.simulated_seconds();
            return Err(e);
        }
        // A command's own cost plus what it slept and what its package
        // manager spent, on the simulated clock.
        let seconds = 0.2 + result.simulated_seconds();
        Ok((log, seconds))
    }
}

pub(super) struct RunEffect {
    /// What runs: the shell prefix and the command, or the exec vector.
    pub(super) argv: Vec<String>,
    /// A script to run in the shell instead (RUN with heredocs).
    pub(super) script: Option<String>,
    pub(super) env: Vec<(String, String)>,
    /// What `--mount` shows the command (BuildKit).
    pub(super) mounts: Vec<super::mounts::Mounted>,
}

/// What a step produced when it ran.
#[derive(Default)]
pub(super) struct Executed {
    pub(super) layer: Option<LayerInfo>,
    pub(super) log: String,
    pub(super) seconds: f64,
}

/// RUN with heredocs: `RUN <<EOF` runs the body as the script; otherwise
/// the command line is followed by the bodies, as a shell reads
/// here-documents.
pub(super) fn heredoc_script(run: &analyzer::Run) -> Option<String> {
    let first = run.heredocs.first()?;
    let ShellOrExec::Shell(line) = &run.command else {
        return None;
    };
    if line.trim_start().starts_with("<<") && run.heredocs.len() == 1 {
        return Some(first.content.clone());
    }
    let mut script = line.clone();
    for h in &run.heredocs {
        script.push('\n');
        script.push_str(&h.content);
        if !h.content.ends_with('\n') && !h.content.is_empty() {
            script.push('\n');
        }
        script.push_str(&h.name);
    }
    Some(script)
}

/// The bytes of the symlinks a layer puts: their targets' lengths.
fn symlink_bytes(changes: &LayerChanges) -> u64 {
    changes
        .iter()
        .map(|(_, c)| match c {
            crate::filesystem::rootfs::Change::Put(Node {
                kind: NodeKind::Symlink(t),
                ..
            }) => t.len() as u64,
            _ => 0,
        })
        .sum()
}

/// The file BuildKit's file operations would read to resolve `user` (`name`,
/// `uid:group`) when it is missing from the stage: a numeric uid or gid
/// needs none, a name needs /etc/passwd (a group name /etc/group).
fn lookup_file_missing(fs: &RootFs, user: &str) -> Option<&'static str> {
    let named = |s: &str| !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit());
    let (uid, gid) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    if named(uid) && fs.read_file("/etc/passwd").is_err() {
        return Some("/etc/passwd");
    }
    match gid {
        Some(g) if named(g) && fs.read_file("/etc/group").is_err() => Some("/etc/group"),
        _ => None,
    }
}

/// BuildKit 0.8's fast path for a RUN's user: both a uid and a gid given,
/// each a decimal number or `root`; only then is /etc/passwd not read.
fn numeric_uid_gid(user: &str) -> bool {
    // Go's ParseUint takes no sign, unlike Rust's parse
    let id = |s: &str| {
        s == "root" || (s.bytes().all(|b| b.is_ascii_digit()) && s.parse::<u32>().is_ok())
    };
    match user.split_once(':') {
        Some((uid, gid)) => id(uid) && id(gid),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{lookup_file_missing, numeric_uid_gid, RootFs};

    #[test]
    fn only_a_numeric_uid_and_gid_skip_the_passwd_lookup() {
        for user in ["5:6", "0:0", "root:0", "1234:root"] {
            assert!(numeric_uid_gid(user), "{user}");
        }
        for user in [
            "1000",
            "0",
            "nobody",
            "1000:staff",
            "+5:6",
            "5:",
            ":6",
            "99999999999:0",
        ] {
            assert!(!numeric_uid_gid(user), "{user}");
        }
    }

    #[test]
    fn a_named_owner_needs_the_file_that_names_it() {
        let fs = RootFs::default();
        assert_eq!(lookup_file_missing(&fs, "nobody"), Some("/etc/passwd"));
        assert_eq!(lookup_file_missing(&fs, "5:staff"), Some("/etc/group"));
        assert_eq!(lookup_file_missing(&fs, "1000"), None);
        assert_eq!(lookup_file_missing(&fs, "5:6"), None);
    }
}
