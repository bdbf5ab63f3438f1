//! What can be done to the containers the store holds: create,
//! start (run), exec, stop, remove, diff and commit, on the store's
//! simulated clock.
//!
//! A container's filesystem is its image's layers under its writable layer.
//! The writable layer is kept as a layer of the store (by the diff_id of
//! its content, as every layer is), so it is persisted like image layers
//! and a commit reuses it as the new image's top layer. Each operation lays
//! the image's layers, replays the writable layer on top as the upper
//! layer, runs, and stores the upper layer again.

use super::{
    apply_changes, generate_name, merge_command, overlay_env, valid_name, ContainerError,
    CreateOptions,
};
use crate::engine::process::{self, Exit, Process};
use crate::engine::report::{HistoryRow, LayerInfo};
use crate::engine::store::{
    normalize_tag, Container, ContainerState, EngineState, ImageRecord, LogLine, Stream,
    SIMULATED_EPOCH,
};
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::{Change, DiffMode, LayerChanges, RootFs};
use std::sync::Arc;

/// Seconds `docker stop` waits after SIGTERM before it kills: the shells
/// and simulated programs here do not handle SIGTERM as PID 1, so a stop
/// always takes the whole grace period and ends in SIGKILL.
pub const STOP_GRACE_SECONDS: i64 = 10;
/// The exit code of a process killed by SIGKILL (128 + 9).
pub const KILLED: i32 = 137;
/// Simulated seconds an attached `docker run` shows of a process that does
/// not end by itself before it hands back the prompt; the container keeps
/// running (a terminal would have to press Ctrl+C or leave it).
pub const ATTACHED_SECONDS: i64 = 10;
/// When a process that runs until stopped would end: never.
const FOREVER: i64 = i64::MAX;

/// What a start produced: the container (gone already with `--rm`), and
/// the exit code when it ran to its end attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub id: Digest,
    pub name: String,
    /// None when detached: it still runs.
    pub exit_code: Option<i32>,
    /// What it printed in this run, in order.
    pub output: Vec<LogLine>,
}

/// `docker commit`'s options besides the container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitOptions {
    /// `REPOSITORY[:TAG]`.
    pub reference: Option<String>,
    /// `-a`.
    pub author: Option<String>,
    /// `-m`.
    pub message: Option<String>,
    /// `-c`, one instruction each.
    pub changes: Vec<String>,
}

/// One line of `docker diff`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathChange {
    /// `A` added, `C` changed, `D` deleted.
    pub kind: char,
    pub path: String,
}

impl std::fmt::Display for PathChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.path)
    }
}

impl EngineState {
    /// The simulated clock's time now, moved one second on: container
    /// events never share a second, and never come before the last build.
    /// Containers whose process has ended by then have exited.
    pub fn tick(&mut self) -> i64 {
        let builds = i64::try_from(self.builds).unwrap_or(0) * 60;
        self.clock = self.clock.max(builds) + 1;
        let now = SIMULATED_EPOCH + self.clock;
        self.settle(now);
        now
    }

    /// Running containers whose process ended by `now` exit (and go, with
    /// `--rm`).
    fn settle(&mut self, now: i64) {
        let mut gone = Vec::new();
        for c in self.containers.values_mut() {
            catch_up(c, now);
            if let ContainerState::Running { until, exit_code } = c.state {
                if until <= now {
                    c.state = ContainerState::Exited { code: exit_code };
                    c.finished = Some(until);
                    if c.auto_remove {
                        gone.push(c.id);
                    }
                }
            }
        }
        for id in gone {
            self.containers.remove(&id);
        }
    }

    /// A container by full or unique prefix id, or by name (with or without
    /// docker's leading `/`).
    pub fn container(&self, reference: &str) -> Result<&Container, ContainerError> {
        let name = reference.strip_prefix('/').unwrap_or(reference);
        if let Some(c) = self.containers.values().find(|c| c.name == name) {
            return Ok(c);
        }
        let mut by_id = self
            .containers
            .values()
            .filter(|c| !reference.is_empty() && c.id.hex().starts_with(reference));
        match (by_id.next(), by_id.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(ContainerError::NoSuchContainer(reference.to_owned())),
        }
    }

    fn container_id(&self, reference: &str) -> Result<Digest, ContainerError> {
        self.container(reference).map(|c| c.id)
    }

    /// `docker create IMAGE`: a container of the image with the flags
    /// applied, not started. Nothing changes on an error.
    pub fn create_container(
        &mut self,
        image: &str,
        opts: &CreateOptions,
    ) -> Result<Digest, ContainerError> {
        let img: ImageRecord = self.find_image(image)?.clone();
        let mut config = img.config.clone();
        config.env = overlay_env(&config.env, &opts.env_files, &opts.env, &opts.host_env)?;
        let launch = merge_command(&img.config, opts.entrypoint.as_deref(), &opts.command)?;
        config.entrypoint = launch.entrypoint;
        config.cmd = launch.cmd;
        if let Some(w) = &opts.workdir {
            config.working_dir.clone_from(w);
        }
        if let Some(u) = &opts.user {
            config.user.clone_from(u);
        }
        if let Some(name) = &opts.name {
            if !valid_name(name) {
                return Err(ContainerError::InvalidName(name.clone()));
            }
            let name = name.trim_start_matches('/');
            if let Some(other) = self.containers.values().find(|c| c.name == name) {
                return Err(ContainerError::NameInUse {
                    name: name.to_owned(),
                    id: other.id,
                });
            }
        }
        let serial = self.containers_made + 1;
        let id = Digest::of(
            format!(
                "layerlab container {serial}\n{}\n{:?}\n{:?}",
                img.id, opts.name, config
            )
            .as_bytes(),
        );
        let name = match &opts.name {
            Some(n) => n.trim_start_matches('/').to_owned(),
            None => generate_name(&id, |n| self.containers.values().any(|c| c.name == n)),
        };
        let created = self.tick();
        let mut container = Container {
            id,
            name,
            image: img.id,
            image_ref: image.to_owned(),
            image_layers: img.layers,
            config,
            state: ContainerState::Created,
            created,
            started: None,
            finished: None,
            rw_layer: None,
            logs: Vec::new(),
            auto_remove: opts.auto_remove,
            tty: opts.tty,
            error: None,
            repeat: None,
        };
        // The daemon makes the working directory when it is missing.
        let workdir = container.config.working_dir.clone();
        if !workdir.is_empty() {
            let mut fs = self.container_fs(&container)?;
            if !fs.stat(&workdir).is_ok_and(|n| n.is_dir()) {
                fs.set_now(created);
                fs.mkdir_all(&workdir, 0o755, 0, 0)
                    .map_err(|e| ContainerError::Layer(e.to_string()))?;
                container.rw_layer = self.store_rw(&fs)?;
            }
        }
        self.containers_made = serial;
        self.containers.insert(id, container);
        Ok(id)
    }

    /// `docker run`: create, then start.
    pub fn run_container(
        &mut self,
        image: &str,
        opts: &CreateOptions,
        detach: bool,
    ) -> Result<Started, ContainerError> {
        let id = self.create_container(image, opts)?;
        self.start_container(&id.hex(), detach)
    }

    /// `docker start`: run the container's command over its filesystem.
    /// Attached, the command runs to its end and the clock moves by the
    /// time it took; detached, the container runs until that time comes.
    /// A program that cannot start leaves the container as it was, with
    /// the error recorded.
    pub fn start_container(
        &mut self,
        reference: &str,
        detach: bool,
    ) -> Result<Started, ContainerError> {
        let id = self.container_id(reference)?;
        let now = self.tick();
        let container = self.containers[&id].clone();
        if container.is_running() {
            return Ok(Started {
                id,
                name: container.name,
                exit_code: None,
                output: Vec::new(),
            });
        }
        let mut fs = self.container_fs(&container)?;
        fs.set_now(now);
        let user = process::resolve_user(&container.config.user, &fs)
            .map_err(|e| ContainerError::Start(e.into()));
        let exit = user.and_then(|user| {
            let proc = Process {
                argv: container.argv(),
                env: container.process_env(&user.home, &[]),
                cwd: cwd(&container),
                user,
            };
            process::run(&mut fs, &proc).map_err(ContainerError::Start)
        });
        let exit = match exit {
            Ok(exit) => exit,
            Err(e) => {
                if let Some(c) = self.containers.get_mut(&id) {
                    c.error = Some(e.to_string());
                }
                return Err(e);
            }
        };
        let rw = self.store_rw(&fs)?;
        let mut output = log_lines(&exit, now);
        let ends = if exit.forever {
            FOREVER
        } else {
            now + i64::try_from(exit.seconds).unwrap_or(i64::MAX / 2)
        };
        let Some(c) = self.containers.get_mut(&id) else {
            return Err(ContainerError::NoSuchContainer(reference.to_owned()));
        };
        c.rw_layer = rw;
        c.started = Some(now);
        c.error = None;
        c.logs.extend(output.iter().cloned());
        c.repeat = exit.repeat;
        let name = c.name.clone();
        if detach || exit.forever {
            c.state = ContainerState::Running {
                until: ends,
                exit_code: exit.code,
            };
            if !detach {
                // Attached to a process that runs until stopped: what it
                // prints in its first seconds, and it goes on running.
                let seen = now + ATTACHED_SECONDS;
                let before = c.logs.len();
                catch_up(c, seen);
                output.extend(c.logs[before..].iter().cloned());
                self.clock = self.clock.max(seen - SIMULATED_EPOCH);
            }
            return Ok(Started {
                id,
                name,
                exit_code: None,
                output,
            });
        }
        c.state = ContainerState::Exited { code: exit.code };
        c.finished = Some(ends);
        if c.auto_remove {
            self.containers.remove(&id);
        }
        self.clock = self.clock.max(ends - SIMULATED_EPOCH);
        Ok(Started {
            id,
            name,
            exit_code: Some(exit.code),
            output,
        })
    }

    /// `docker exec`: `argv` in a running container, with its environment
    /// plus `env` (`K=V`), as `user` (default: the container's) in
    /// `workdir` (default: the container's). What it writes lands in the
    /// writable layer; what it prints is returned, not logged.
    pub fn exec_in_container(
        &mut self,
        reference: &str,
        argv: &[String],
        env: &[String],
        user: Option<&str>,
        workdir: Option<&str>,
    ) -> Result<Exit, ContainerError> {
        let id = self.container_id(reference)?;
        let now = self.tick();
        let container = self
            .containers
            .get(&id)
            .cloned()
            .ok_or_else(|| ContainerError::NoSuchContainer(reference.to_owned()))?;
        if !container.is_running() {
            return Err(ContainerError::NotRunning(id));
        }
        let proc = self.exec_process(&id, argv, env, user, workdir)?;
        let mut fs = self.container_fs(&container)?;
        fs.set_now(now);
        let exit = process::run(&mut fs, &proc).map_err(ContainerError::Start)?;
        let rw = self.store_rw(&fs)?;
        if let Some(c) = self.containers.get_mut(&id) {
            c.rw_layer = rw;
        }
        Ok(exit)
    }

    /// `docker stop`: a running container gets SIGTERM, then SIGKILL after
    /// the grace period. Stopping a container that is not running does
    /// nothing.
    pub fn stop_container(&mut self, reference: &str) -> Result<Digest, ContainerError> {
        let id = self.container_id(reference)?;
        let now = self.tick();
        let Some(c) = self.containers.get_mut(&id) else {
            return Err(ContainerError::NoSuchContainer(reference.to_owned()));
        };
        if c.is_running() {
            let killed = now + STOP_GRACE_SECONDS;
            // It ignores SIGTERM, so it prints on until the SIGKILL.
            catch_up(c, killed);
            c.repeat = None;
            c.state = ContainerState::Exited { code: KILLED };
            c.finished = Some(killed);
            let auto_remove = c.auto_remove;
            self.clock = killed - SIMULATED_EPOCH;
            if auto_remove {
                self.containers.remove(&id);
            }
        }
        Ok(id)
    }

    /// `docker rm [-f]`: a running container needs `force` (which kills
    /// it). Returns the removed container.
    pub fn remove_container(
        &mut self,
        reference: &str,
        force: bool,
    ) -> Result<Container, ContainerError> {
        let id = self.container_id(reference)?;
        self.tick();
        if self.containers[&id].is_running() && !force {
            return Err(ContainerError::RemoveRunning(id));
        }
        self.containers
            .remove(&id)
            .ok_or_else(|| ContainerError::NoSuchContainer(reference.to_owned()))
    }

    /// `docker diff`: every path of the writable layer, in path order: `A`
    /// where the image has nothing, `C` where it has the path, `D` for a
    /// removal.
    pub fn container_diff(&mut self, reference: &str) -> Result<Vec<PathChange>, ContainerError> {
        let container = self.container(reference)?.clone();
        let image = self.image_fs(&container)?;
        let rw = self.rw_changes(&container)?;
        Ok(rw
            .iter()
            .map(|(key, change)| {
                let path = format!("/{}", key.as_str());
                let kind = match change {
                    Change::Whiteout => 'D',
                    Change::Opaque(_) => 'C',
                    Change::Put(_) if image.lstat(&path).is_ok() => 'C',
                    Change::Put(_) => 'A',
                };
                PathChange { kind, path }
            })
            .collect())
    }

    /// `docker commit`: a new image of the container's image layers plus
    /// its writable layer (none when it wrote nothing), with the
    /// container's config changed by `-c` lines, and a history row as the
    /// daemon writes one (`created_by` the container's CMD, the message as
    /// comment). Tagged when a reference is given. Returns the image id.
    pub fn commit_container(
        &mut self,
        reference: &str,
        opts: &CommitOptions,
    ) -> Result<Digest, ContainerError> {
        let container = self.container(reference)?.clone();
        let config = apply_changes(&container.config, &opts.changes)?;
        self.tick();
        let rw = container.rw_layer.filter(|l| {
            self.layers
                .get(&l.diff_id)
                .is_some_and(|changes| !changes.is_empty())
        });
        let mut layers = container.image_layers.clone();
        layers.extend(rw.clone());
        let mut history = self
            .images
            .get(&container.image)
            .map(|i| i.history.clone())
            .unwrap_or_default();
        // The commit takes the next build's minute, so its time comes after
        // every build and commit before it.
        self.builds = self.builds.max(u64::try_from(self.clock / 60).unwrap_or(0)) + 1;
        history.push(HistoryRow {
            created_by: container.config.cmd.unwrap_or_default().join(" "),
            size: rw.as_ref().map_or(0, |l| l.size),
            empty_layer: rw.is_none(),
            comment: opts.message.clone().unwrap_or_default(),
            built_in: self.builds,
        });
        let mut image = ImageRecord {
            classic_step: None,
            author: opts.author.clone().filter(|a| !a.is_empty()),
            id: Digest::of(b""),
            config,
            layers,
            history,
            comment: opts.message.clone().filter(|m| !m.is_empty()),
        };
        image.id = image.oci().id();
        let id = image.id;
        match &opts.reference {
            Some(r) => self.tag_image(image, &normalize_tag(r)),
            None => {
                self.images.insert(id, image);
            }
        }
        Ok(id)
    }

    /// The image's layers, bottom first, from the layer store (or
    /// regenerated from the catalog).
    fn image_fs(&mut self, c: &Container) -> Result<RootFs, ContainerError> {
        let mut layers = Vec::with_capacity(c.image_layers.len());
        for l in &c.image_layers {
            let changes = self
                .layer(&l.diff_id)
                .ok_or_else(|| ContainerError::Layer(format!("layer {} is missing", l.diff_id)))?;
            layers.push(changes);
        }
        Ok(RootFs::from_layers(layers))
    }

    fn rw_changes(&mut self, c: &Container) -> Result<Arc<LayerChanges>, ContainerError> {
        match &c.rw_layer {
            None => Ok(Arc::new(LayerChanges::new())),
            Some(l) => self
                .layers
                .get(&l.diff_id)
                .ok_or_else(|| ContainerError::Layer(format!("layer {} is missing", l.diff_id))),
        }
    }

    /// A process `exec` starts in container `id`: the container's
    /// environment plus `env` (`K=V`), as `user` (default: the
    /// container's) in `workdir` (default: the container's).
    fn exec_process(
        &mut self,
        id: &Digest,
        argv: &[String],
        env: &[String],
        user: Option<&str>,
        workdir: Option<&str>,
    ) -> Result<Process, ContainerError> {
        let container = self
            .containers
            .get(id)
            .cloned()
            .ok_or_else(|| ContainerError::NoSuchContainer(id.hex()))?;
        let fs = self.container_fs(&container)?;
        let spec = user.unwrap_or(&container.config.user);
        let user = process::resolve_user(spec, &fs).map_err(|e| ContainerError::Start(e.into()))?;
        let extra: Vec<(String, String)> = env
            .iter()
            .map(|e| match e.split_once('=') {
                Some((k, v)) => (k.to_owned(), v.to_owned()),
                None => (e.clone(), String::new()),
            })
            .collect();
        Ok(Process {
            argv: argv.to_vec(),
            env: container.process_env(&user.home, &extra),
            cwd: workdir.map_or_else(|| cwd(&container), str::to_owned),
            user,
        })
    }

    /// The container's filesystem: its image with the writable layer
    /// replayed as the upper layer, so what runs next adds to it.
    fn container_fs(&mut self, c: &Container) -> Result<RootFs, ContainerError> {
        let mut fs = self.image_fs(c)?;
        let rw = self.rw_changes(c)?;
        replay(&mut fs, &rw).map_err(|e| ContainerError::Layer(e.to_string()))?;
        Ok(fs)
    }

    /// Store the upper layer of `fs` as the container's writable layer.
    fn store_rw(&mut self, fs: &RootFs) -> Result<Option<LayerInfo>, ContainerError> {
        let changes = fs.diff(DiffMode::CopyUp);
        if changes.is_empty() {
            return Ok(None);
        }
        self.layers
            .put(Arc::new(changes))
            .map(Some)
            .map_err(|e| ContainerError::Layer(e.to_string()))
    }
}

/// Lay `layer` over `fs` as its upper layer: each entry put, removed, or
/// (opaque) removed and put again, parents first; then the directories'
/// times set back to the layer's, which the puts moved.
fn replay(fs: &mut RootFs, layer: &LayerChanges) -> Result<(), crate::filesystem::rootfs::FsError> {
    for (key, change) in layer.iter() {
        let path = format!("/{}", key.as_str());
        match change {
            Change::Put(node) => fs.put(&path, node.clone())?,
            Change::Whiteout => {
                if fs.lstat(&path).is_ok() {
                    fs.remove_all(&path)?;
                }
            }
            Change::Opaque(node) => {
                if fs.lstat(&path).is_ok() {
                    fs.remove_all(&path)?;
                }
                fs.put(&path, node.clone())?;
            }
        }
    }
    for (key, change) in layer.iter() {
        if let Change::Put(node) | Change::Opaque(node) = change {
            if node.is_dir() {
                fs.set_mtime(&format!("/{}", key.as_str()), node.mtime)?;
            }
        }
    }
    Ok(())
}

fn cwd(c: &Container) -> String {
    if c.config.working_dir.is_empty() {
        "/".to_owned()
    } else {
        c.config.working_dir.clone()
    }
}

/// What a process printed, as log lines stamped with the time it started
/// (the shell hands back each stream whole: stdout's lines, then
/// stderr's).
/// A running container's repeated lines due by `now` join its logs.
fn catch_up(c: &mut Container, now: i64) {
    if !c.is_running() {
        return;
    }
    if let Some(repeat) = c.repeat.as_mut() {
        let lines = repeat.catch_up(now);
        c.logs.extend(lines);
    }
}

fn log_lines(exit: &Exit, time: i64) -> Vec<LogLine> {
    let lines = |text: &str, stream: Stream| -> Vec<LogLine> {
        text.lines()
            .map(|l| LogLine {
                time,
                stream,
                text: l.to_owned(),
            })
            .collect()
    };
    let mut out = lines(&exit.stdout, Stream::Stdout);
    out.extend(lines(&exit.stderr, Stream::Stderr));
    out
}

mod interactive;
#[cfg(test)]
mod tests;

pub use interactive::{Attached, Typed};
