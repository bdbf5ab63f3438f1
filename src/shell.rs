//! The small POSIX shell that RUN executes over the in-memory filesystem.
//!
//! Pure core: no terminal, no real filesystem, no real processes. A script
//! is lexed ([`lexer`]), parsed ([`parser`]) into an [`ast`], and walked by
//! the interpreter ([`interp`]) with word expansion in [`expand`]. Commands
//! are looked up as busybox ash does: shell builtins first, then `$PATH` in
//! the in-memory filesystem, then — when `/bin/sh` is busybox, whose Debian
//! static build runs its applets standalone — any simulated busybox applet.
//! A found command runs the simulation registered under its base name in a
//! [`Registry`] (the applets are in [`commands`]); a binary that exists but
//! has no simulation fails with `layerlab: NAME is not simulated` and exit
//! code 127.
//!
//! Entry points: [`run`] (shell-form RUN: `/bin/sh -c SCRIPT`) and
//! [`run_argv`] (exec-form RUN, no shell). Both take an [`ExecContext`] and
//! return an [`ExecResult`]. Output formats follow busybox 1.35/1.36 byte
//! for byte where the content is deterministic (`ls -l`, `date`, `id`, …),
//! because the bytes land in files whose sizes are compared with a real
//! engine.
//!
//! Time is simulated: the filesystem clock ([`RootFs::now`]) is what `date`
//! prints and what new files are stamped with; `sleep` advances it and
//! reports the seconds in [`ExecResult::slept_seconds`] without sleeping.
//! Package managers ([`pkg`]) charge simulated download and install time
//! the same way ([`Shell::spend_millis`], [`ExecResult::work_millis`]);
//! [`ExecResult::simulated_seconds`] is the sum.
//!
//! Runaway scripts are bounded by [`Limits`]: a step budget, a nesting
//! depth and an output size, each failing with a `layerlab:` message and
//! exit code 2 instead of hanging or overflowing the stack.

pub mod arith;
pub mod ast;
mod builtins;
pub mod commands;
pub mod expand;
pub mod interp;
pub mod lexer;
pub mod parser;
pub mod pattern;
pub mod pkg;
mod signals;

use std::fmt;
use std::sync::Arc;

use crate::filesystem::rootfs::RootFs;
use crate::filesystem::users::User;

pub use interp::registry::{Command, Io, Registry};
pub use interp::{Shell, ShellState};

/// A script that does not parse; the text is what ash prints after
/// `/bin/sh: ` (`syntax error: unexpected "fi"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
}

impl SyntaxError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// Bounds on one run, so arbitrary scripts always finish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Simple commands plus loop iterations.
    pub max_steps: u64,
    /// Nested function calls, `eval`, `.`, `sh -c` and command substitutions.
    pub max_depth: usize,
    /// Bytes any one output stream, file written by a redirection, or
    /// variable may hold.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_steps: 200_000,
            max_depth: 40,
            max_bytes: 64 << 20,
        }
    }
}

/// Everything a RUN step executes with. Changes to `fs` persist; `env`
/// and `cwd` are inputs only (a RUN cannot change the next step's ENV).
pub struct ExecContext<'fs> {
    pub fs: &'fs mut RootFs,
    /// The environment, in order (`KEY`, `VALUE`).
    pub env: Vec<(String, String)>,
    /// The working directory (absolute).
    pub cwd: String,
    pub user: User,
    /// The host name of the process's UTS namespace: BuildKit's sandbox
    /// name, or a container's short id.
    pub hostname: String,
    /// The supplementary groups the runtime gave the process (what
    /// getgroups(2) returns, `id`'s `groups=`); None: the daemon's rule
    /// for a container, the primary group and the user's memberships.
    pub groups: Option<Vec<u32>>,
    pub stdin: Vec<u8>,
    /// The commands that exist as simulations.
    pub commands: Arc<Registry>,
    pub limits: Limits,
    /// Set from outside (another thread) to stop the run at its next
    /// command or loop pass, as a signal would end a real process.
    pub cancel: Option<Arc<std::sync::atomic::AtomicBool>>,
}

impl<'fs> ExecContext<'fs> {
    /// A root context in `/` with Docker's default `PATH`, every simulated
    /// command (busybox's and the package managers) and default limits.
    pub fn new(fs: &'fs mut RootFs) -> Self {
        Self {
            fs,
            env: vec![(
                "PATH".to_owned(),
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_owned(),
            )],
            cwd: "/".to_owned(),
            user: User::root(),
            hostname: "buildkitsandbox".to_owned(),
            groups: None,
            stdin: Vec::new(),
            commands: all_commands(),
            limits: Limits::default(),
            cancel: None,
        }
    }
}

/// Busybox's commands and the package managers, built once and shared.
pub fn all_commands() -> Arc<Registry> {
    static ALL: std::sync::OnceLock<Arc<Registry>> = std::sync::OnceLock::new();
    Arc::clone(ALL.get_or_init(|| {
        let mut reg = Registry::busybox();
        pkg::register_package_managers(&mut reg);
        Arc::new(reg)
    }))
}

/// What a run produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecResult {
    pub exit_code: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// stdout and stderr as one stream, in the order they were written.
    pub output: Vec<u8>,
    /// Simulated seconds spent in `sleep` (the clock moved by this much).
    pub slept_seconds: u64,
    /// Simulated milliseconds of work by package managers (downloads,
    /// unpacking), as [`Shell::spend_millis`] recorded it.
    pub work_millis: u64,
}

impl ExecResult {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// The run's whole simulated duration: `sleep` plus package-manager
    /// work. The builder adds it to the step's `seconds`.
    pub fn simulated_seconds(&self) -> f64 {
        // Both terms are far below 2^52, so the conversions are exact.
        self.slept_seconds as f64 + self.work_millis as f64 / 1000.0
    }
}

/// Runs `script` as `/bin/sh -c SCRIPT` does.
pub fn run(script: &str, ctx: &mut ExecContext<'_>) -> ExecResult {
    as_its_user(ctx, |ctx| Shell::new(ctx).run_script(script))
}

/// Runs `body` with the process's user holding for its writes: one that is
/// not root meets the permission bits (`USER app` then `RUN touch /x`:
/// Permission denied, as on the engine, recorded: our 88).
fn as_its_user<T>(ctx: &mut ExecContext<'_>, body: impl FnOnce(&mut ExecContext<'_>) -> T) -> T {
    let groups = match &ctx.groups {
        Some(groups) => groups.clone(),
        None => crate::filesystem::users::member_of(ctx.fs, &ctx.user),
    };
    ctx.fs
        .set_process(Some(crate::filesystem::rootfs::Credentials {
            uid: ctx.user.uid,
            gid: ctx.user.gid,
            groups,
        }));
    let out = body(ctx);
    ctx.fs.set_process(None);
    out
}

/// Runs one line typed into an interactive shell whose state `state`
/// keeps between lines; true when the line ended the shell (`exit`).
pub fn run_line(
    line: &str,
    ctx: &mut ExecContext<'_>,
    state: &mut ShellState,
) -> (ExecResult, bool) {
    as_its_user(ctx, |ctx| Shell::new(ctx).run_line(line, state))
}

/// Runs `argv` without a shell (exec-form RUN): the first word is looked
/// up in `$PATH` (or taken as a path when it holds a `/`). Failures read as
/// the runtime's: `exec: "foo": executable file not found in $PATH`, 127.
pub fn run_argv(argv: &[String], ctx: &mut ExecContext<'_>) -> ExecResult {
    as_its_user(ctx, |ctx| Shell::new(ctx).run_exec_form(argv))
}
