//! Containers: an image plus a writable layer, with an id, a name, a state
//! and its simulated times, the config docker derives from the image and
//! the `docker run` flags, and what its processes printed.
//!
//! The store keeps containers (`store::containers` defines what one is);
//! this module holds the rules docker applies when one is made (names,
//! environment, ENTRYPOINT and CMD, commit's changes) and what can be done
//! to one in the store ([`lifecycle`]: create, start, exec, stop, remove,
//! diff, commit).

mod changes;
mod env;
pub mod lifecycle;
mod names;

use crate::engine::process::StartError;
use crate::engine::store::RunConfig;
use crate::filesystem::digest::Digest;

pub use changes::apply_changes;
pub use env::{env_file, overlay_env, EnvError};
pub use lifecycle::{
    Attached, CommitOptions, PathChange, Started, Typed, KILLED, STOP_GRACE_SECONDS,
};
pub use names::{generate_name, valid_name};

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
    #[error("Container {} is not running", .0.hex())]
    NotRunning(Digest),
    #[error("You cannot remove a running container {}. Stop the container before attempting removal or force remove", .0.hex())]
    RemoveRunning(Digest),
    #[error("failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: {0}: unknown")]
    Start(StartError),
    #[error("{0} is not a valid change command")]
    InvalidChange(String),
    #[error("{0}")]
    BadChange(String),
    #[error("cannot write the container's layer: {0}")]
    Layer(String),
    /// `-it` with a program other than a shell: layerlab has no terminal
    /// for it (not docker's words: docker would run it).
    #[error("layerlab can attach a terminal only to a shell (sh, ash, bash), not to `{0}`: it does not simulate that program's prompt. Run it without -it, or open `sh`")]
    NotAShell(String),
}

/// ENTRYPOINT and CMD as the daemon merges them (moby `merge` and
/// `mergeAndVerifyConfig`): a command on the line replaces the image's CMD;
/// `--entrypoint` replaces the image's ENTRYPOINT *and* drops its CMD;
/// `--entrypoint ""` resets both. Shell forms were already turned into
/// `/bin/sh -c …` by the build, so a shell-form ENTRYPOINT ignores CMD as
/// `sh -c` ignores extra words.
pub fn merge_command(
    image: &RunConfig,
    entrypoint: Option<&str>,
    command: &[String],
) -> Result<Launch, ContainerError> {
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
    Ok(Launch {
        entrypoint: entry,
        cmd,
    })
}

/// A container's ENTRYPOINT and CMD once merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
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

    type Case<'a> = (&'a RunConfig, Option<&'a str>, &'a [&'a str], (Argv, Argv));

    fn merged(img: &RunConfig, ep: Option<&str>, line: &[&str]) -> Result<(Argv, Argv), String> {
        merge_command(img, ep, &words(line))
            .map(|l| (l.entrypoint, l.cmd))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn entrypoint_and_cmd_merge_as_the_daemon_merges_them() {
        let sh = |s: &str| words(&["/bin/sh", "-c", s]);
        // (image ENTRYPOINT, image CMD, --entrypoint, command) → argv
        let exec_cmd = image(None, Some(&["node", "app.js"]));
        let shell_cmd = image(None, Some(&["/bin/sh", "-c", "node app.js"]));
        let exec_ep = image(Some(&["node"]), Some(&["app.js"]));
        let shell_ep = image(Some(&["/bin/sh", "-c", "node app.js"]), Some(&["x"]));
        let cases: Vec<Case> = vec![
            (
                &exec_cmd,
                None,
                &[],
                (None, Some(words(&["node", "app.js"]))),
            ),
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
