//! A shell with a terminal attached: `docker run -it IMAGE sh` and
//! `docker exec -it NAME sh`. The learner types a line, it runs in the
//! container over its filesystem, and the shell's state (directory,
//! variables, `$?`) waits for the next line; what a line writes lands in
//! the writable layer at once, so `docker diff` and `docker commit` see it
//! while the shell is still open. `exit` ends the shell: under `run` it is
//! the container's process, so the container exits with its code; under
//! `exec` it is a second process and the container runs on.
//!
//! Only a shell can be attached to: layerlab simulates no other program's
//! terminal (node's or python's prompt).

use super::{log_lines, ContainerError, CreateOptions, FOREVER};
use crate::engine::process::{self, Process};
use crate::engine::store::{ContainerState, EngineState, SIMULATED_EPOCH};
use crate::filesystem::digest::Digest;
use crate::shell::ShellState;

/// An open shell in a container, between the lines typed into it.
#[derive(Debug, Clone)]
pub struct Attached {
    pub container: Digest,
    pub name: String,
    /// Opened by `exec`: the shell is not the container's own process.
    pub exec: bool,
    process: Process,
    state: ShellState,
}

/// What one line did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed {
    pub stdout: String,
    pub stderr: String,
    /// The line ended the shell (`exit`), with this code.
    pub ended: Option<i32>,
}

/// The `$$` of a shell `exec` starts: the container's process is PID 1.
const EXEC_PID: u32 = 7;

impl Attached {
    /// The prompt busybox's ash shows by default (`\w \$ `): the directory,
    /// `~` for the home directory, `#` for root and `$` for anyone else.
    pub fn prompt(&self) -> String {
        let dir = self.state.cwd().unwrap_or(&self.process.cwd);
        let home = self.state.var("HOME").unwrap_or("");
        let shown = match dir.strip_prefix(home) {
            Some(rest)
                if !home.is_empty()
                    && home != "/"
                    && (rest.is_empty() || rest.starts_with('/')) =>
            {
                format!("~{rest}")
            }
            _ => dir.to_owned(),
        };
        let mark = if self.process.user.uid == 0 { '#' } else { '$' };
        format!("{shown} {mark} ")
    }
}

impl EngineState {
    /// `docker run -it IMAGE [sh]`: the container is made and its shell
    /// starts, running until it exits. A command that is no shell is
    /// refused before anything is made.
    pub fn run_attached(
        &mut self,
        image: &str,
        opts: &CreateOptions,
    ) -> Result<Attached, ContainerError> {
        let id = self.create_container(image, opts)?;
        let container = self.containers[&id].clone();
        let argv = container.argv();
        if !process::is_shell(&argv) {
            self.containers.remove(&id);
            return Err(ContainerError::NotAShell(argv.join(" ")));
        }
        let process = match self.exec_process(&container.id, &argv, &[], None, None) {
            Ok(p) => p,
            Err(e) => {
                self.containers.remove(&id);
                return Err(e);
            }
        };
        let now = self.tick();
        if let Some(c) = self.containers.get_mut(&id) {
            c.started = Some(now);
            c.state = ContainerState::Running {
                until: FOREVER,
                exit_code: 0,
            };
        }
        Ok(Attached {
            container: id,
            name: container.name,
            exec: false,
            process,
            state: ShellState::new(1),
        })
    }

    /// `docker exec -it NAME sh`: a second shell in a running container.
    pub fn exec_attached(
        &mut self,
        reference: &str,
        argv: &[String],
        env: &[String],
        user: Option<&str>,
        workdir: Option<&str>,
    ) -> Result<Attached, ContainerError> {
        let container = self.container(reference)?.clone();
        if !container.is_running() {
            return Err(ContainerError::NotRunning(container.id));
        }
        if !process::is_shell(argv) {
            return Err(ContainerError::NotAShell(argv.join(" ")));
        }
        let process = self.exec_process(&container.id, argv, env, user, workdir)?;
        Ok(Attached {
            container: container.id,
            name: container.name,
            exec: true,
            process,
            state: ShellState::new(EXEC_PID),
        })
    }

    /// Runs one line typed into `shell`. What it prints goes to the
    /// container's log as well when the shell is the container's process.
    pub fn type_line(&mut self, shell: &mut Attached, line: &str) -> Result<Typed, ContainerError> {
        let now = self.tick();
        let container = self.container(&shell.container.hex())?.clone();
        if !container.is_running() {
            return Err(ContainerError::NotRunning(container.id));
        }
        let mut fs = self.container_fs(&container)?;
        fs.set_now(now);
        let (exit, ended) =
            process::run_shell_line(&mut fs, &shell.process, line, &mut shell.state);
        let rw = self.store_rw(&fs)?;
        let seconds = i64::try_from(exit.seconds).unwrap_or(i64::MAX / 2);
        self.clock = self
            .clock
            .max(now.saturating_add(seconds) - SIMULATED_EPOCH);
        if let Some(c) = self.containers.get_mut(&container.id) {
            c.rw_layer = rw;
            if !shell.exec {
                c.logs.extend(log_lines(&exit, now));
            }
        }
        let ended = ended.then_some(exit.code);
        if let Some(code) = ended {
            self.shell_ended(shell, code);
        }
        Ok(Typed {
            stdout: exit.stdout,
            stderr: exit.stderr,
            ended,
        })
    }

    /// The terminal went away (Ctrl-D, the pane closed): the shell ends as
    /// `exit` would, with the status of its last line, which it returns.
    pub fn hang_up(&mut self, shell: &Attached) -> i32 {
        let code = shell.state.status();
        self.shell_ended(shell, code);
        code
    }

    fn shell_ended(&mut self, shell: &Attached, code: i32) {
        if shell.exec {
            return;
        }
        let now = self.tick();
        let Some(c) = self.containers.get_mut(&shell.container) else {
            return;
        };
        if !c.is_running() {
            return;
        }
        c.state = ContainerState::Exited { code };
        c.finished = Some(now);
        if c.auto_remove {
            self.containers.remove(&shell.container);
        }
    }
}
