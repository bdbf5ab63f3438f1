//! Containers: an image plus a writable layer, with an id, a name, a state
//! and its simulated times, the config docker derives from the image and
//! the `docker run` flags, and what its processes printed.
//!
//! This module holds what a container *is* and the rules docker applies
//! when one is made (names, environment, ENTRYPOINT and CMD, commit's
//! changes); the store (`store::containers`) keeps them and runs their
//! processes.

mod changes;
mod env;
mod names;

use crate::engine::process::StartError;
use crate::engine::report::LayerInfo;
use crate::engine::store::RunConfig;
use crate::filesystem::digest::Digest;
use serde::{Deserialize, Serialize};

pub use changes::apply_changes;
pub use env::{env_file, overlay_env, EnvError};
pub use names::{generate_name, valid_name};

/// One container, as the daemon remembers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Container {
    /// 64 hex digits, derived from the store's counter and the inputs.
    pub id: Digest,
    /// Without docker's leading `/`.
    pub name: String,
    pub image: Digest,
    /// The image as the user named it (`docker ps` IMAGE).
    pub image_ref: String,
    /// The image's layers when the container was made: the container keeps
    /// its filesystem if the image is force-removed.
    pub image_layers: Vec<LayerInfo>,
    /// The image's config with the flags applied; ENTRYPOINT and CMD as
    /// docker merged them.
    pub config: RunConfig,
    pub state: ContainerState,
    /// Simulated times, in seconds since the Unix epoch.
    pub created: i64,
    pub started: Option<i64>,
    pub finished: Option<i64>,
    /// The writable layer, as a layer in the store (None: nothing written).
    pub rw_layer: Option<LayerInfo>,
    pub logs: Vec<LogLine>,
    /// `--rm`: removed when it exits.
    pub auto_remove: bool,
    /// `-t`: the process has a terminal (`TERM=xterm`).
    pub tty: bool,
    /// Why the last start failed, as `docker inspect` shows `State.Error`.
    pub error: Option<String>,
}

/// Where a container is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContainerState {
    Created,
    /// Its process runs until `until` on the simulated clock, then exits
    /// with `exit_code` (what it will return when nothing stops it).
    Running {
        until: i64,
        exit_code: i32,
    },
    Exited {
        code: i32,
    },
}

/// Which stream a log line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One line a container's main process printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// Simulated seconds since the Unix epoch.
    pub time: i64,
    pub stream: Stream,
    /// Without its line break.
    pub text: String,
}

/// What `docker create` and `docker run` are given besides the image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateOptions {
    /// `--name`.
    pub name: Option<String>,
    /// `-e`/`--env` values in order: `K=V`, or `K` to take from `host_env`.
    pub env: Vec<String>,
    /// The text of each `--env-file`, in order (the caller reads the files).
    pub env_files: Vec<String>,
    /// The environment of the `docker` command, for `-e K` and bare names
    /// in env files.
    pub host_env: Vec<(String, String)>,
    /// `-w`.
    pub workdir: Option<String>,
    /// `-u`.
    pub user: Option<String>,
    /// `--entrypoint` (Some("") resets the image's).
    pub entrypoint: Option<String>,
    /// The command after the image (replaces CMD).
    pub command: Vec<String>,
    pub auto_remove: bool,
    pub tty: bool,
}

/// Why a container operation failed, in the daemon's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContainerError {
    #[error("No such container: {0}")]
    NoSuchContainer(String),
    #[error(transparent)]
    NoSuchImage(#[from] crate::engine::store::NoSuchImage),
    #[error("Conflict. The container name \"/{name}\" is already in use by container \"{}\". You have to remove (or rename) that container to be able to reuse that name.", .id.hex())]
    NameInUse { name: String, id: Digest },
    #[error("Invalid container name ({0}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")]
    InvalidName(String),
    #[error(transparent)]
    Env(#[from] EnvError),
    #[error("no command specified")]
    NoCommand,
    #[error("container {} is not running", .0.hex())]
    NotRunning(Digest),
    #[error("cannot remove container \"{0}\": container is running: stop the container before removing or force remove")]
    RemoveRunning(String),
    #[error("failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: {0}: unknown")]
    Start(StartError),
    #[error("{0} is not a valid change command")]
    InvalidChange(String),
    #[error("{0}")]
    BadChange(String),
    #[error("cannot write the container's layer: {0}")]
    Layer(String),
}

/// ENTRYPOINT and CMD as the daemon merges them (moby `merge` and
/// `mergeAndVerifyConfig`): a command on the line replaces the image's CMD;
/// `--entrypoint` replaces the image's ENTRYPOINT *and* drops its CMD;
/// `--entrypoint ""` resets both. Shell forms were already turned into
/// `/bin/sh -c …` by the build, so a shell-form ENTRYPOINT ignores CMD as
/// `sh -c` ignores extra words. Returns (entrypoint, cmd).
pub fn merge_command(
    image: &RunConfig,
    entrypoint: Option<&str>,
    command: &[String],
) -> Result<(Option<Vec<String>>, Option<Vec<String>>), ContainerError> {
    let user_entrypoint: Option<Vec<String>> = entrypoint.map(|e| vec![e.to_owned()]);
    let mut cmd = (!command.is_empty()).then(|| command.to_vec());
    let mut entry = user_entrypoint.clone();
    if user_entrypoint.is_none() {
        if cmd.is_none() {
            cmd.clone_from(&image.cmd);
        }
        entry.clone_from(&image.entrypoint);
    }
    if entry.as_deref() == Some(&[String::new()][..]) {
        entry = None;
    }
    let empty = |v: &Option<Vec<String>>| v.as_ref().is_none_or(Vec::is_empty);
    if empty(&entry) && empty(&cmd) {
        return Err(ContainerError::NoCommand);
    }
    Ok((entry, cmd))
}

impl Container {
    /// The process's argv: ENTRYPOINT then CMD (docker inspect's Path and
    /// Args).
    pub fn argv(&self) -> Vec<String> {
        let mut argv = self.config.entrypoint.clone().unwrap_or_default();
        argv.extend(self.config.cmd.clone().unwrap_or_default());
        argv
    }

    pub fn is_running(&self) -> bool {
        matches!(self.state, ContainerState::Running { .. })
    }

    /// The 12-digit id `docker ps` shows.
    pub fn short_id(&self) -> String {
        self.id.short()
    }

    /// The environment the process starts with, as the daemon and runc
    /// make it: `PATH`, `HOSTNAME`, `TERM` with a terminal, the config's
    /// Env over them, then `HOME` from the user when nothing set it;
    /// `extra` (exec's `-e`) last.
    pub fn process_env(&self, home: &str, extra: &[(String, String)]) -> Vec<(String, String)> {
        let mut env = vec![
            (
                "PATH".to_owned(),
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_owned(),
            ),
            ("HOSTNAME".to_owned(), self.short_id()),
        ];
        if self.tty {
            env.push(("TERM".to_owned(), "xterm".to_owned()));
        }
        for (k, v) in self.config.env.iter().chain(extra) {
            match env.iter_mut().find(|(key, _)| key == k) {
                Some(slot) => slot.1.clone_from(v),
                None => env.push((k.clone(), v.clone())),
            }
        }
        if !env.iter().any(|(k, _)| k == "HOME") {
            env.push(("HOME".to_owned(), home.to_owned()));
        }
        env
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    fn image(entrypoint: Option<&[&str]>, cmd: Option<&[&str]>) -> RunConfig {
        RunConfig {
            entrypoint: entrypoint.map(words),
            cmd: cmd.map(words),
            ..RunConfig::default()
        }
    }

    type Argv = Option<Vec<String>>;

    fn merged(img: &RunConfig, ep: Option<&str>, line: &[&str]) -> Result<(Argv, Argv), String> {
        merge_command(img, ep, &words(line)).map_err(|e| e.to_string())
    }

    #[test]
    fn entrypoint_and_cmd_merge_as_the_daemon_merges_them() {
        let sh = |s: &str| words(&["/bin/sh", "-c", s]);
        // (image ENTRYPOINT, image CMD, --entrypoint, command) → argv
        let exec_cmd = image(None, Some(&["node", "app.js"]));
        let shell_cmd = image(None, Some(&["/bin/sh", "-c", "node app.js"]));
        let exec_ep = image(Some(&["node"]), Some(&["app.js"]));
        let shell_ep = image(Some(&["/bin/sh", "-c", "node app.js"]), Some(&["x"]));
        let cases: Vec<(&RunConfig, Option<&str>, &[&str], (Argv, Argv))> = vec![
            (&exec_cmd, None, &[], (None, Some(words(&["node", "app.js"])))),
            (&shell_cmd, None, &[], (None, Some(sh("node app.js")))),
            (&exec_cmd, None, &["sh"], (None, Some(words(&["sh"])))),
            (
                &exec_ep,
                None,
                &[],
                (Some(words(&["node"])), Some(words(&["app.js"]))),
            ),
            (
                &exec_ep,
                None,
                &["--version"],
                (Some(words(&["node"])), Some(words(&["--version"]))),
            ),
            // A shell-form ENTRYPOINT keeps CMD, which `sh -c` then ignores.
            (
                &shell_ep,
                None,
                &[],
                (Some(sh("node app.js")), Some(words(&["x"]))),
            ),
            // --entrypoint drops the image's CMD.
            (&exec_ep, Some("ls"), &[], (Some(words(&["ls"])), None)),
            (
                &exec_ep,
                Some("ls"),
                &["-l"],
                (Some(words(&["ls"])), Some(words(&["-l"]))),
            ),
            // --entrypoint "" resets it, and the command runs alone.
            (&exec_ep, Some(""), &["sh"], (None, Some(words(&["sh"])))),
        ];
        for (img, ep, line, want) in cases {
            assert_eq!(merged(img, ep, line), Ok(want), "{ep:?} {line:?}");
        }
        assert_eq!(
            merged(&exec_ep, Some(""), &[]),
            Err("no command specified".to_string())
        );
        assert_eq!(
            merged(&RunConfig::default(), None, &[]),
            Err("no command specified".to_string())
        );
    }
}
