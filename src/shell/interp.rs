//! The interpreter: walks the syntax tree with ash's semantics — exit
//! statuses, `set -e`, redirections, pipelines (run one stage after the
//! other, each in a subshell), functions, and command lookup.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::rc::Rc;
use std::sync::Arc;

use crate::filesystem::blob::Blob;
use crate::filesystem::rootfs::{FsError, Node, NodeKind, RootFs, EXECUTE};

use super::ast::{
    AndOr, Command, Compound, Connector, List, Pipeline, RedirOp, RedirTarget, Redirect,
    SimpleCommand,
};
use super::{parser, ExecContext, ExecResult, Limits};
use crate::filesystem::users::User;

pub mod registry;

use registry::{Io, Registry};

/// The status of a process SIGPIPE ended: 128 + 13.
pub const SIGPIPE_STATUS: i32 = 141;

/// Why execution stops going forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Break(usize),
    Continue(usize),
    Return(i32),
    /// `exit N`, `set -e`, or a fatal shell error (ends a subshell only).
    Exit(i32),
    /// A limit was hit: ends the whole run, through subshells too.
    Abort(i32),
}

pub type Status = Result<i32, Flow>;

/// How one pass of a loop body ended, once flows aimed further out are
/// passed on.
enum Pass {
    /// The body ran to its end with this status.
    Ran(i32),
    /// `continue`: the loop goes on, its status unchanged.
    Continued,
    /// `break`: the loop ends, its status unchanged.
    Broke,
}

/// Shell options set with `set`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub errexit: bool,
    pub xtrace: bool,
    pub pipefail: bool,
    pub nounset: bool,
    pub noglob: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Var {
    pub name: String,
    pub value: String,
    pub exported: bool,
    pub readonly: bool,
}

/// What an interactive shell keeps between the lines typed into it: its
/// variables, positional parameters, options, directory, umask, `$$` and
/// `$?`. Plain data, so the screen can hold it between keys; functions
/// defined at the prompt last for their line only.
#[derive(Clone, Debug, Default)]
pub struct ShellState {
    vars: Vec<Var>,
    positional: Vec<String>,
    opts: Options,
    cwd: String,
    umask: u32,
    pid: u32,
    status: i32,
    /// A line has run: the fields above hold its shell's state.
    started: bool,
}

impl ShellState {
    /// A shell about to start as process `pid` (1 when it is the
    /// container's own process).
    pub fn new(pid: u32) -> ShellState {
        ShellState {
            pid,
            ..ShellState::default()
        }
    }

    /// The directory the prompt shows, once a line has run.
    pub fn cwd(&self) -> Option<&str> {
        self.started.then_some(self.cwd.as_str())
    }

    /// `$?`: the status of the last line.
    pub fn status(&self) -> i32 {
        self.status
    }

    /// A variable's value, once a line has run.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.value.as_str())
    }
}

/// State a subshell copies and throws away.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    pub vars: Vec<Var>,
    pub positional: Vec<String>,
    pub functions: HashMap<String, Rc<Command>>,
    pub opts: Options,
    pub cwd: String,
    pub umask: u32,
    /// `$$`: the process this code runs in. A RUN's shell is PID 1 of its
    /// container; each `sh` it starts is a new process. A subshell keeps
    /// its parent's `$$`, as POSIX says.
    pub pid: u32,
    /// `trap ACTION EXIT`: run when the script ends.
    pub exit_trap: Option<String>,
}

/// Where a descriptor points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fd {
    /// A capture buffer (the run's stdout/stderr, a pipe, `$(…)`).
    Buf(usize),
    /// A file opened for writing by a redirection.
    File(usize),
    /// Input bytes with a read position.
    Input(usize),
    /// `/dev/null`.
    Null,
}

struct OpenFile {
    path: String,
    data: Vec<u8>,
    mode: u32,
    uid: u32,
    gid: u32,
    dirty: bool,
}

struct Input {
    data: Rc<[u8]>,
    pos: usize,
}

/// Saved descriptor table, restored when a redirection's scope ends.
struct SavedFds {
    fds: BTreeMap<u32, Fd>,
    files: usize,
    inputs: usize,
}

/// The running shell. Simulated commands receive it to reach the
/// filesystem, variables, the working directory and the user.
pub struct Shell<'c, 'fs> {
    ctx: &'c mut ExecContext<'fs>,
    pub(crate) scope: Scope,
    pub(crate) status: i32,
    fds: BTreeMap<u32, Fd>,
    bufs: Vec<Vec<u8>>,
    /// The buffers in `bufs` that are pipes to a later pipeline stage.
    pipes: Vec<usize>,
    /// What reached the top-level stdout and stderr, in the order it was
    /// written: one stream, as a terminal or `docker build` shows them.
    output: Vec<u8>,
    files: Vec<OpenFile>,
    inputs: Vec<Input>,
    steps: u64,
    depth: usize,
    /// > 0 while running a condition, where `set -e` does not apply.
    errexit_off: usize,
    pub(crate) loop_depth: usize,
    pub(crate) func_depth: usize,
    /// One frame per running function: the variables `local` shadowed,
    /// with what they were before (None: unset), restored on return.
    pub(crate) locals: Vec<Vec<(String, Option<Var>)>>,
    /// Status of the last command substitution (for `x=$(false)`).
    pub(crate) subst_status: Option<i32>,
    pub(crate) line: usize,
    slept: u64,
    /// Simulated milliseconds of work (package managers), and the part of
    /// it not yet moved onto the whole-second filesystem clock.
    work_millis: u64,
    /// What `$0` says.
    pub(crate) arg0: String,
    aborted: bool,
    /// The last PID handed out (PID 1 is the RUN's own shell, or in exec
    /// form the program the RUN or container starts).
    last_pid: u32,
    /// A process killed by a signal, with the status its parent sees
    /// (128 + the signal): unwinds like `exit` until that process ends.
    pub(crate) killed: Option<(u32, i32)>,
    /// The signal that ended the process that just ended, for the shell
    /// that waited for it to say so.
    pub(crate) signalled: Option<i32>,
}

const STDOUT_BUF: usize = 0;
const STDERR_BUF: usize = 1;

/// Names ash runs itself, before any `PATH` lookup. The ones that are also
/// applets run through the registry so `xargs echo` behaves the same.
const SPECIAL_BUILTINS: &[&str] = &[
    ":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return", "set",
    "shift", "trap", "unset", "source",
];
const REGULAR_BUILTINS: &[&str] = &[
    "cd", "read", "umask", "type", "command", "wait", "local", "alias", "unalias", "hash",
    "getopts", "ulimit", "times", "jobs", "kill",
];
const APPLET_BUILTINS: &[&str] = &["echo", "printf", "test", "[", "true", "false", "pwd"];

impl<'c, 'fs> Shell<'c, 'fs> {
    pub fn new(ctx: &'c mut ExecContext<'fs>) -> Self {
        let mut vars: Vec<Var> = ctx
            .env
            .iter()
            .map(|(k, v)| Var {
                name: k.clone(),
                value: v.clone(),
                exported: true,
                readonly: false,
            })
            .collect();
        // busybox ash sets HOSTNAME to the host's name when the environment
        // has none (BuildKit's RUN: `echo $HOSTNAME` says buildkitsandbox,
        // `env` lists no HOSTNAME), unexported.
        if !vars.iter().any(|v| v.name == "HOSTNAME") {
            vars.push(Var {
                name: "HOSTNAME".into(),
                value: ctx.hostname.clone(),
                exported: false,
                readonly: false,
            });
        }
        let cwd = if ctx.cwd.starts_with('/') {
            ctx.cwd.clone()
        } else {
            format!("/{}", ctx.cwd)
        };
        let stdin: Rc<[u8]> = Rc::from(ctx.stdin.as_slice());
        let mut sh = Shell {
            ctx,
            scope: Scope {
                vars,
                positional: Vec::new(),
                functions: HashMap::new(),
                opts: Options::default(),
                cwd,
                umask: 0o022,
                pid: 1,
                exit_trap: None,
            },
            status: 0,
            fds: BTreeMap::from([
                (0, Fd::Input(0)),
                (1, Fd::Buf(STDOUT_BUF)),
                (2, Fd::Buf(STDERR_BUF)),
            ]),
            bufs: vec![Vec::new(), Vec::new()],
            pipes: Vec::new(),
            output: Vec::new(),
            files: Vec::new(),
            inputs: vec![Input {
                data: stdin,
                pos: 0,
            }],
            steps: 0,
            depth: 0,
            errexit_off: 0,
            loop_depth: 0,
            func_depth: 0,
            locals: Vec::new(),
            subst_status: None,
            line: 0,
            slept: 0,
            work_millis: 0,
            arg0: "/bin/sh".to_owned(),
            last_pid: 1,
            killed: None,
            signalled: None,
            aborted: false,
        };
        // A shell sets these when the environment lacks them.
        if sh.var("HOME").is_none() {
            let home = sh.ctx.user.home.clone();
            sh.set_var_raw("HOME", &home, true);
        }
        let pwd = sh.scope.cwd.clone();
        sh.set_var_raw("PWD", &pwd, true);
        sh
    }

    // ---- entry points ----

    /// A shell starts: ash counts its nesting in SHLVL, exported (`env` in
    /// a RUN lists SHLVL=1); a program run without a shell sees none.
    pub(crate) fn enter_shell(&mut self) {
        let level = self
            .var("SHLVL")
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(0);
        self.set_var_raw("SHLVL", &(level + 1).to_string(), true);
    }

    pub(crate) fn run_script(mut self, script: &str) -> ExecResult {
        self.enter_shell();
        let code = match parser::parse(script) {
            Ok(program) => {
                let r = self.exec_list(&program.body);
                match self.run_exit_trap(r) {
                    Ok(c) | Err(Flow::Exit(c) | Flow::Return(c)) => c,
                    Err(Flow::Abort(c)) => return self.finish(c),
                    Err(Flow::Break(_) | Flow::Continue(_)) => self.status,
                }
            }
            Err(e) => {
                self.report(&e.message);
                2
            }
        };
        self.finish(code)
    }

    /// One line typed into an interactive shell, in the state the lines
    /// before it left; true when it ended the shell (`exit`).
    pub(crate) fn run_line(mut self, line: &str, state: &mut ShellState) -> (ExecResult, bool) {
        if state.started {
            self.scope.vars = state.vars.clone();
            self.scope.positional = state.positional.clone();
            self.scope.opts = state.opts;
            self.scope.cwd = state.cwd.clone();
            self.scope.umask = state.umask;
            self.status = state.status;
        }
        self.scope.pid = state.pid.max(1);
        self.last_pid = self.scope.pid;
        let (code, exited) = match parser::parse(line) {
            Ok(program) => match self.exec_list(&program.body) {
                Ok(c) => (c, false),
                Err(Flow::Exit(c)) => (c, true),
                Err(Flow::Abort(c) | Flow::Return(c)) => (c, false),
                Err(Flow::Break(_) | Flow::Continue(_)) => (self.status, false),
            },
            Err(e) => {
                self.report(&e.message);
                (2, false)
            }
        };
        *state = ShellState {
            vars: self.scope.vars.clone(),
            positional: self.scope.positional.clone(),
            opts: self.scope.opts,
            cwd: self.scope.cwd.clone(),
            umask: self.scope.umask,
            pid: state.pid,
            status: code,
            started: true,
        };
        (self.finish(code), exited)
    }

    pub(crate) fn run_exec_form(mut self, argv: &[String]) -> ExecResult {
        let Some(name) = argv.first() else {
            self.write_err(b"layerlab: empty exec-form command\n");
            return self.finish(127);
        };
        // No shell runs first: the program itself is PID 1 of the
        // container, so an `sh` it is takes PID 1 and its `$$` is 1.
        self.last_pid = 0;
        let code = if name.contains('/') || self.find_in_path(name).is_some() {
            match self.run_external(argv, &[]) {
                Ok(c) => c,
                Err(Flow::Exit(c) | Flow::Abort(c) | Flow::Return(c)) => c,
                Err(_) => self.status,
            }
        } else {
            let msg = format!("exec: \"{name}\": executable file not found in $PATH\n");
            self.write_err(msg.as_bytes());
            127
        };
        self.finish(code)
    }

    fn finish(mut self, code: i32) -> ExecResult {
        self.flush_files(0);
        ExecResult {
            exit_code: code,
            stdout: std::mem::take(&mut self.bufs[STDOUT_BUF]),
            stderr: std::mem::take(&mut self.bufs[STDERR_BUF]),
            output: std::mem::take(&mut self.output),
            slept_seconds: self.slept,
            work_millis: self.work_millis,
        }
    }

    // ---- accessors for commands ----

    pub fn fs(&self) -> &RootFs {
        self.ctx.fs
    }

    pub fn fs_mut(&mut self) -> &mut RootFs {
        self.ctx.fs
    }

    /// The supplementary groups of the process, sorted as the kernel keeps
    /// them.
    pub fn supplementary_groups(&self) -> Vec<u32> {
        let mut out = match &self.ctx.groups {
            Some(g) => g.clone(),
            None => {
                let mut g = vec![self.ctx.user.gid];
                g.extend(crate::filesystem::users::member_of(
                    self.ctx.fs,
                    &self.ctx.user,
                ));
                g
            }
        };
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The host name the process runs under (what `hostname` prints).
    pub fn hostname(&self) -> &str {
        &self.ctx.hostname
    }

    pub fn user(&self) -> &User {
        &self.ctx.user
    }

    pub fn registry(&self) -> Arc<Registry> {
        Arc::clone(&self.ctx.commands)
    }

    pub fn limits(&self) -> Limits {
        self.ctx.limits
    }

    /// Whether stdout is a pipe to a later pipeline stage. The stages run
    /// one after the other, so a pipe holds up to `max_bytes`; a writer
    /// that would go past it is ended as SIGPIPE ends one whose reader
    /// went away (`yes | head -n 3`), the reader getting what fitted.
    pub fn stdout_is_pipe(&self) -> bool {
        matches!(self.fds.get(&1), Some(Fd::Buf(i)) if self.pipes.contains(i))
    }

    /// The working directory.
    pub fn cwd(&self) -> &str {
        &self.scope.cwd
    }

    pub(crate) fn set_cwd(&mut self, dir: String) {
        self.set_var_raw("PWD", &dir, true);
        self.scope.cwd = dir;
    }

    /// The file-creation mask.
    pub fn umask(&self) -> u32 {
        self.scope.umask
    }

    /// Sets `$0` (for `sh -c SCRIPT NAME`).
    /// Makes the code about to run a new process (`sh` started as a
    /// command), with a `$$` of its own.
    pub(crate) fn new_process(&mut self) {
        self.last_pid += 1;
        self.scope.pid = self.last_pid;
    }

    pub(crate) fn set_arg0(&mut self, arg0: String) {
        self.arg0 = arg0;
    }

    pub(crate) fn set_umask(&mut self, m: u32) {
        self.scope.umask = m & 0o777;
    }

    /// `path` made absolute against the working directory (not cleaned:
    /// the filesystem resolves `..` and symlinks itself).
    pub fn abs(&self, path: &str) -> String {
        if path.starts_with('/') {
            path.to_owned()
        } else if self.scope.cwd.ends_with('/') {
            format!("{}{path}", self.scope.cwd)
        } else {
            format!("{}/{path}", self.scope.cwd)
        }
    }

    /// The simulated clock (seconds since the epoch).
    pub fn now(&self) -> i64 {
        self.ctx.fs.now()
    }

    /// Moves the simulated clock forward (what `sleep` does).
    pub fn advance_clock(&mut self, secs: u64) {
        let now = self.ctx.fs.now();
        self.ctx
            .fs
            .set_now(now.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX)));
        self.slept = self.slept.saturating_add(secs);
    }

    /// Records `millis` of simulated work (a download, an install). The
    /// filesystem clock moves by the whole seconds this completes, so files
    /// written later carry a later time, as they would in a real build.
    pub fn spend_millis(&mut self, millis: u64) {
        let before = self.work_millis / 1000;
        self.work_millis = self.work_millis.saturating_add(millis);
        let whole = self.work_millis / 1000 - before;
        let now = self.ctx.fs.now();
        self.ctx
            .fs
            .set_now(now.saturating_add(i64::try_from(whole).unwrap_or(i64::MAX)));
    }

    pub fn var(&self, name: &str) -> Option<&str> {
        self.scope
            .vars
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.value.as_str())
    }

    /// The exported variables, in the order they were first set.
    pub fn environment(&self) -> Vec<(String, String)> {
        self.scope
            .vars
            .iter()
            .filter(|v| v.exported)
            .map(|v| (v.name.clone(), v.value.clone()))
            .collect()
    }

    pub(crate) fn var_entry(&self, name: &str) -> Option<&Var> {
        self.scope.vars.iter().find(|v| v.name == name)
    }

    /// Sets a variable; fails (ash's `NAME: is read only`) for readonly ones.
    pub fn set_var(&mut self, name: &str, value: &str) -> Result<(), String> {
        if self.var_entry(name).is_some_and(|v| v.readonly) {
            return Err(format!("{name}: is read only"));
        }
        self.set_var_raw(name, value, false);
        Ok(())
    }

    pub(crate) fn set_var_raw(&mut self, name: &str, value: &str, export: bool) {
        match self.scope.vars.iter_mut().find(|v| v.name == name) {
            Some(v) => {
                v.value = value.to_owned();
                v.exported |= export;
            }
            None => self.scope.vars.push(Var {
                name: name.to_owned(),
                value: value.to_owned(),
                exported: export,
                readonly: false,
            }),
        }
    }

    pub(crate) fn var_entry_mut(&mut self, name: &str) -> Option<&mut Var> {
        self.scope.vars.iter_mut().find(|v| v.name == name)
    }

    pub(crate) fn unset_var(&mut self, name: &str) -> Result<(), String> {
        if self.var_entry(name).is_some_and(|v| v.readonly) {
            return Err(format!("{name}: is read only"));
        }
        self.scope.vars.retain(|v| v.name != name);
        Ok(())
    }

    pub(crate) fn options(&self) -> Options {
        self.scope.opts
    }

    pub(crate) fn options_mut(&mut self) -> &mut Options {
        &mut self.scope.opts
    }

    pub(crate) fn positional(&self) -> &[String] {
        &self.scope.positional
    }

    pub(crate) fn set_positional(&mut self, args: Vec<String>) {
        self.scope.positional = args;
    }

    /// Writes `msg` to stderr as `/bin/sh: msg`.
    /// `$0: MSG`: ash names itself as it was started (`/bin/sh` for a
    /// RUN, `sh` for `docker run IMAGE sh -c …`, NAME for `sh -c CMD NAME`).
    pub(crate) fn report(&mut self, msg: &str) {
        let line = format!("{}: {msg}\n", self.arg0);
        self.write_err(line.as_bytes());
    }

    /// A fatal shell error: reported, then the (sub)shell exits with 2.
    pub(crate) fn fatal(&mut self, msg: &str) -> Flow {
        self.report(msg);
        Flow::Exit(2)
    }

    /// A limit was hit: reported once, then everything unwinds.
    pub(crate) fn abort(&mut self, msg: &str) -> Flow {
        if !self.aborted {
            self.aborted = true;
            let line = format!("layerlab: {msg}\n");
            self.write_err(line.as_bytes());
        }
        Flow::Abort(2)
    }

    fn step(&mut self) -> Result<(), Flow> {
        self.steps += 1;
        if self.aborted {
            return Err(Flow::Abort(2));
        }
        // One relaxed load per command: cheap enough to check every time.
        let cancel = self.ctx.cancel.as_ref();
        if cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
            return Err(self.abort("cancelled"));
        }
        if self.steps > self.ctx.limits.max_steps {
            let max = self.ctx.limits.max_steps;
            return Err(self.abort(&format!("step limit of {max} commands exceeded")));
        }
        Ok(())
    }

    /// Enters a nested execution level (function, eval, `$(…)`, `sh -c`).
    pub(crate) fn enter(&mut self) -> Result<(), Flow> {
        if self.depth >= self.ctx.limits.max_depth {
            let max = self.ctx.limits.max_depth;
            return Err(self.abort(&format!("maximum nesting depth of {max} exceeded")));
        }
        self.depth += 1;
        Ok(())
    }

    pub(crate) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ---- descriptors ----

    pub(crate) fn write_err(&mut self, bytes: &[u8]) {
        // Errors about the limits themselves must not recurse.
        let _ = self.write_fd(2, bytes);
    }

    fn write_fd(&mut self, fd: u32, bytes: &[u8]) -> Result<(), Flow> {
        if bytes.is_empty() {
            return Ok(());
        }
        let max = self.ctx.limits.max_bytes;
        let len = match self.fds.get(&fd) {
            Some(&Fd::Buf(i)) if self.pipes.contains(&i) => {
                let b = &mut self.bufs[i];
                if b.len() + bytes.len() > max {
                    let room = max.saturating_sub(b.len());
                    b.extend_from_slice(&bytes[..room]);
                    return Err(Flow::Exit(SIGPIPE_STATUS));
                }
                b.extend_from_slice(bytes);
                None
            }
            Some(&Fd::Buf(i)) => {
                if i == STDOUT_BUF || i == STDERR_BUF {
                    self.output.extend_from_slice(bytes);
                }
                self.bufs.get_mut(i).map(|b| {
                    b.extend_from_slice(bytes);
                    b.len()
                })
            }
            Some(Fd::File(i)) => self.files.get_mut(*i).map(|f| {
                f.data.extend_from_slice(bytes);
                f.dirty = true;
                f.data.len()
            }),
            _ => None,
        };
        if len.is_some_and(|l| l > max) && !self.aborted {
            return Err(self.abort(&format!("output larger than {max} bytes")));
        }
        Ok(())
    }

    /// Writes dirty files opened at index `from` and above to the filesystem.
    fn flush_files(&mut self, from: usize) {
        for i in from..self.files.len() {
            if !self.files[i].dirty {
                continue;
            }
            self.files[i].dirty = false;
            let f = &self.files[i];
            let blob = Blob::from_bytes(f.data.clone());
            let (path, mode, uid, gid) = (f.path.clone(), f.mode, f.uid, f.gid);
            if let Err(e) = self.ctx.fs.write_file(&path, blob, mode, uid, gid) {
                let msg = format!("can't create {path}: {}", e.strerror());
                self.report(&msg);
            }
        }
    }

    fn save_fds(&self) -> SavedFds {
        SavedFds {
            fds: self.fds.clone(),
            files: self.files.len(),
            inputs: self.inputs.len(),
        }
    }

    fn restore_fds(&mut self, saved: SavedFds) {
        self.flush_files(saved.files);
        self.files.truncate(saved.files);
        self.inputs.truncate(saved.inputs);
        self.fds = saved.fds;
    }

    /// Bytes waiting on stdin (shared so commands can take them cheaply).
    fn stdin_view(&self) -> (Rc<[u8]>, usize) {
        match self.fds.get(&0) {
            Some(Fd::Input(i)) => match self.inputs.get(*i) {
                Some(inp) => (Rc::clone(&inp.data), inp.pos),
                None => (Rc::from(&[][..]), 0),
            },
            _ => (Rc::from(&[][..]), 0),
        }
    }

    fn consume_stdin(&mut self, upto: usize) {
        if let Some(Fd::Input(i)) = self.fds.get(&0) {
            if let Some(inp) = self.inputs.get_mut(*i) {
                inp.pos = upto.min(inp.data.len());
            }
        }
    }

    /// Applies redirections left to right; on failure returns ash's message
    /// (the caller reports it) with the table already restored.
    fn apply_redirects(
        &mut self,
        redirects: &[Redirect],
    ) -> Result<SavedFds, Result<String, Flow>> {
        let saved = self.save_fds();
        for r in redirects {
            if let Err(e) = self.apply_redirect(r) {
                self.restore_fds(saved);
                return Err(e);
            }
        }
        Ok(saved)
    }

    fn apply_redirect(&mut self, r: &Redirect) -> Result<(), Result<String, Flow>> {
        let default_fd = match r.op {
            RedirOp::In | RedirOp::ReadWrite | RedirOp::DupIn | RedirOp::HereDoc => 0,
            RedirOp::Out | RedirOp::Append | RedirOp::DupOut => 1,
        };
        let fd = r.fd.unwrap_or(default_fd);
        let target = match &r.target {
            RedirTarget::HereDoc(body) => {
                let text = self.expand_heredoc(body).map_err(Err)?;
                self.inputs.push(Input {
                    data: Rc::from(text.into_bytes()),
                    pos: 0,
                });
                self.fds.insert(fd, Fd::Input(self.inputs.len() - 1));
                return Ok(());
            }
            RedirTarget::Word(w) => self.expand_single(w).map_err(Err)?,
        };
        match r.op {
            RedirOp::DupOut | RedirOp::DupIn => {
                if target == "-" {
                    self.fds.remove(&fd);
                    return Ok(());
                }
                let Ok(src) = target.parse::<u32>() else {
                    return Err(Ok(format!("{target}: bad number")));
                };
                match self.fds.get(&src).copied() {
                    Some(t) => {
                        self.fds.insert(fd, t);
                    }
                    None => return Err(Ok(format!("{src}: Bad file descriptor"))),
                }
            }
            RedirOp::In | RedirOp::ReadWrite => {
                let path = self.abs(&target);
                let data: Vec<u8> = match special_device(&path) {
                    Some(_) => Vec::new(),
                    None => match self.ctx.fs.read_file(&path) {
                        Ok(blob) => blob.to_vec().unwrap_or_default(),
                        Err(FsError::NotFound(_)) if r.op == RedirOp::ReadWrite => {
                            self.open_for_write(fd, &target, false)?;
                            return Ok(());
                        }
                        Err(FsError::NotFound(_)) => {
                            return Err(Ok(format!("can't open {target}: no such file")))
                        }
                        Err(e) => return Err(Ok(format!("can't open {target}: {}", e.strerror()))),
                    },
                };
                self.inputs.push(Input {
                    data: Rc::from(data),
                    pos: 0,
                });
                self.fds.insert(fd, Fd::Input(self.inputs.len() - 1));
            }
            RedirOp::Out | RedirOp::Append => {
                self.open_for_write(fd, &target, r.op == RedirOp::Append)?;
            }
            RedirOp::HereDoc => {}
        }
        Ok(())
    }

    fn open_for_write(
        &mut self,
        fd: u32,
        target: &str,
        append: bool,
    ) -> Result<(), Result<String, Flow>> {
        let path = self.abs(target);
        match special_device(&path) {
            Some(Device::Null) => {
                self.fds.insert(fd, Fd::Null);
                return Ok(());
            }
            Some(Device::Stdout) => {
                let t = self.fds.get(&1).copied().unwrap_or(Fd::Null);
                self.fds.insert(fd, t);
                return Ok(());
            }
            Some(Device::Stderr) => {
                let t = self.fds.get(&2).copied().unwrap_or(Fd::Null);
                self.fds.insert(fd, t);
                return Ok(());
            }
            None => {}
        }
        // A mount refuses it (read-only; procfs makes nothing new); a
        // missing directory is told below.
        let parent = match path.rsplit_once('/') {
            Some((p, _)) if !p.is_empty() => p,
            _ => "/",
        };
        let parent_is_dir = self.ctx.fs.stat(parent).is_ok_and(|n| n.is_dir());
        match self.ctx.fs.check_write(&path) {
            Err(
                e @ (FsError::ReadOnly(_)
                | FsError::NotFound(_)
                | FsError::PermissionDenied(_)
                | FsError::NotPermitted(_)),
            ) if parent_is_dir => {
                return Err(Ok(format!("can't create {target}: {}", e.strerror())));
            }
            _ => {}
        }
        // Writes through a file another redirection holds open must see its
        // pending bytes.
        self.flush_files(0);
        let existing = match self.ctx.fs.stat(&path) {
            Ok(n) => Some(n),
            Err(FsError::NotFound(_)) => None,
            Err(FsError::NotADirectory(_)) => {
                return Err(Ok(format!("can't create {target}: Not a directory")))
            }
            Err(e) => return Err(Ok(format!("can't create {target}: {}", e.strerror()))),
        };
        let file = match existing {
            Some(node) => match node.kind {
                NodeKind::Dir => return Err(Ok(format!("can't create {target}: Is a directory"))),
                NodeKind::File(blob) => OpenFile {
                    path,
                    data: if append {
                        blob.to_vec().unwrap_or_default()
                    } else {
                        Vec::new()
                    },
                    mode: node.mode,
                    uid: node.uid,
                    gid: node.gid,
                    dirty: !append,
                },
                NodeKind::Symlink(_) => {
                    return Err(Ok(format!("can't create {target}: Invalid argument")))
                }
                // What a device is written is gone, as into /dev/null.
                NodeKind::CharDevice { .. } => {
                    self.fds.insert(fd, Fd::Null);
                    return Ok(());
                }
            },
            None => {
                let parent_ok = match path.rfind('/') {
                    Some(0) | None => true,
                    Some(i) => self.ctx.fs.stat(&path[..i]).is_ok_and(|n| n.is_dir()),
                };
                if !parent_ok {
                    return Err(Ok(format!("can't create {target}: nonexistent directory")));
                }
                OpenFile {
                    path,
                    data: Vec::new(),
                    mode: 0o666 & !self.scope.umask,
                    uid: self.ctx.user.uid,
                    gid: self.ctx.user.gid,
                    dirty: true,
                }
            }
        };
        self.files.push(file);
        let idx = self.files.len() - 1;
        // Create or truncate now, as open(2) would.
        self.flush_files(idx);
        self.fds.insert(fd, Fd::File(idx));
        Ok(())
    }

    // ---- execution ----

    /// Runs a whole loop one level deeper in loops (what `break N` counts),
    /// coming back out however it ends.
    fn in_loop(&mut self, run: impl FnOnce(&mut Self) -> Status) -> Status {
        self.loop_depth += 1;
        let result = run(self);
        self.loop_depth -= 1;
        result
    }

    /// Runs a loop body once. A `break`/`continue` aimed at this loop ends
    /// here; one aimed further out leaves as a flow one level shallower.
    fn loop_pass(&mut self, body: &List) -> Result<Pass, Flow> {
        match self.exec_list(body) {
            Ok(s) => Ok(Pass::Ran(s)),
            Err(Flow::Break(n)) if n > 1 => Err(Flow::Break(n - 1)),
            Err(Flow::Break(_)) => Ok(Pass::Broke),
            Err(Flow::Continue(n)) if n > 1 => Err(Flow::Continue(n - 1)),
            Err(Flow::Continue(_)) => Ok(Pass::Continued),
            Err(f) => Err(f),
        }
    }

    pub(crate) fn exec_list(&mut self, list: &List) -> Status {
        let mut status = self.status;
        for item in list {
            status = self.exec_and_or(item)?;
        }
        Ok(status)
    }

    fn exec_and_or(&mut self, item: &AndOr) -> Status {
        let last = item.rest.len();
        let mut status = self.exec_pipeline_checked(&item.first, last == 0)?;
        for (i, (conn, pipeline)) in item.rest.iter().enumerate() {
            let run = match conn {
                Connector::And => status == 0,
                Connector::Or => status != 0,
            };
            if run {
                status = self.exec_pipeline_checked(pipeline, i + 1 == last)?;
            }
        }
        if item.background {
            // `&` runs synchronously here; like ash, the list itself succeeds.
            status = 0;
            self.status = 0;
        }
        Ok(status)
    }

    /// Runs a pipeline; `set -e` exits on failure when it is the last
    /// pipeline of its and-or list, not negated and not in a condition.
    fn exec_pipeline_checked(&mut self, p: &Pipeline, last: bool) -> Status {
        if !last {
            self.errexit_off += 1;
        }
        let result = self.exec_pipeline(p);
        if !last {
            self.errexit_off -= 1;
        }
        let status = result?;
        self.status = status;
        if status != 0 && last && !p.bang && self.errexit_off == 0 && self.scope.opts.errexit {
            return Err(Flow::Exit(status));
        }
        Ok(status)
    }

    fn exec_pipeline(&mut self, p: &Pipeline) -> Status {
        if p.bang {
            self.errexit_off += 1;
        }
        let result = if p.commands.len() == 1 {
            self.exec_command(&p.commands[0])
        } else {
            self.exec_multi(&p.commands)
        };
        if p.bang {
            self.errexit_off -= 1;
        }
        let status = result?;
        Ok(if p.bang {
            i32::from(status == 0)
        } else {
            status
        })
    }

    fn exec_multi(&mut self, commands: &[Command]) -> Status {
        let saved = self.save_fds();
        let mut statuses = Vec::with_capacity(commands.len());
        let mut result = Ok(0);
        for (i, cmd) in commands.iter().enumerate() {
            let last = i + 1 == commands.len();
            let buf = if last {
                None
            } else {
                self.bufs.push(Vec::new());
                let b = self.bufs.len() - 1;
                self.fds.insert(1, Fd::Buf(b));
                self.pipes.push(b);
                Some(b)
            };
            let status = self.subshell(|sh| sh.exec_command(cmd));
            if let Some(b) = buf {
                self.pipes.pop();
                let data = self.bufs.pop().unwrap_or_default();
                debug_assert_eq!(self.bufs.len(), b);
                self.inputs.push(Input {
                    data: Rc::from(data),
                    pos: 0,
                });
                self.fds.insert(0, Fd::Input(self.inputs.len() - 1));
                self.fds
                    .insert(1, saved.fds.get(&1).copied().unwrap_or(Fd::Null));
            }
            match status {
                Ok(s) => statuses.push(s),
                Err(f @ Flow::Abort(_)) => {
                    result = Err(f);
                    break;
                }
                Err(_) => statuses.push(self.status),
            }
        }
        self.restore_fds(saved);
        result?;
        let last = statuses.last().copied().unwrap_or(0);
        if self.scope.opts.pipefail {
            if let Some(s) = statuses.iter().rev().find(|s| **s != 0) {
                return Ok(*s);
            }
        }
        Ok(last)
    }

    /// Runs `f` with a copy of the shell's variables, functions, options
    /// and directory; `exit` ends only the subshell.
    pub(crate) fn subshell(&mut self, f: impl FnOnce(&mut Self) -> Status) -> Status {
        let scope = self.scope.clone();
        let loops = self.loop_depth;
        self.loop_depth = 0;
        let result = f(self);
        self.scope = scope;
        self.loop_depth = loops;
        if let Some((pid, status)) = self.killed {
            if pid == self.scope.pid {
                // Still inside the killed process: it ends here too.
                return Err(Flow::Exit(status));
            }
            // The killed process was the one that just ended: its parent
            // goes on with 128 + the signal as its status.
            self.killed = None;
            self.signalled = Some(status - 128);
            return Ok(status);
        }
        match result {
            Ok(s) => Ok(s),
            Err(Flow::Exit(s) | Flow::Return(s)) => Ok(s),
            Err(Flow::Break(_) | Flow::Continue(_)) => Ok(self.status),
            Err(f @ Flow::Abort(_)) => Err(f),
        }
    }

    fn exec_command(&mut self, cmd: &Command) -> Status {
        match cmd {
            Command::Simple(sc) => self.exec_simple(sc),
            Command::Compound(c, redirects) => {
                let saved = match self.apply_redirects(redirects) {
                    Ok(s) => s,
                    Err(Ok(msg)) => {
                        self.report(&msg);
                        return Ok(1);
                    }
                    Err(Err(flow)) => return Err(flow),
                };
                let result = self.exec_compound(c);
                self.restore_fds(saved);
                result
            }
            Command::Function(name, body) => {
                self.scope.functions.insert(name.clone(), Rc::clone(body));
                Ok(0)
            }
        }
    }

    fn exec_compound(&mut self, c: &Compound) -> Status {
        match c {
            Compound::Group(list) => self.exec_list(list),
            Compound::Subshell(list) => self.subshell(|sh| sh.exec_list(list)),
            Compound::If {
                branches,
                otherwise,
            } => {
                for (cond, body) in branches {
                    if self.condition(cond)? == 0 {
                        return self.exec_list(body);
                    }
                }
                match otherwise {
                    Some(body) => self.exec_list(body),
                    None => Ok(0),
                }
            }
            Compound::For { var, items, body } => {
                let values = match items {
                    Some(words) => self.expand_words(words)?,
                    None => self.scope.positional.clone(),
                };
                self.in_loop(|sh| {
                    let mut status = 0;
                    for v in values {
                        sh.step()?;
                        if let Err(msg) = sh.set_var(var, &v) {
                            return Err(sh.fatal(&msg));
                        }
                        match sh.loop_pass(body)? {
                            Pass::Ran(s) => status = s,
                            Pass::Continued => {}
                            Pass::Broke => break,
                        }
                    }
                    Ok(status)
                })
            }
            Compound::Loop { cond, body, until } => self.in_loop(|sh| {
                let mut status = 0;
                loop {
                    sh.step()?;
                    let c = sh.condition(cond)?;
                    if (c == 0) == *until {
                        break;
                    }
                    match sh.loop_pass(body)? {
                        Pass::Ran(s) => status = s,
                        Pass::Continued => {}
                        Pass::Broke => break,
                    }
                }
                Ok(status)
            }),
            Compound::Case { subject, arms } => {
                let value = self.expand_single(subject)?;
                for arm in arms {
                    for pat in &arm.patterns {
                        if self.expand_pattern(pat)?.matches(&value) {
                            return self.exec_list(&arm.body);
                        }
                    }
                }
                Ok(0)
            }
        }
    }

    /// Runs a condition list with `set -e` suspended.
    fn condition(&mut self, list: &List) -> Status {
        self.errexit_off += 1;
        let r = self.exec_list(list);
        self.errexit_off -= 1;
        r
    }

    fn exec_simple(&mut self, cmd: &SimpleCommand) -> Status {
        self.step()?;
        self.line = cmd.line;
        self.subst_status = None;
        let argv = self.expand_words(&cmd.words)?;
        let mut assigns = Vec::with_capacity(cmd.assigns.len());
        for (name, word) in &cmd.assigns {
            let value = self.expand_assignment(word)?;
            assigns.push((name.clone(), value));
        }
        if self.scope.opts.xtrace {
            self.trace(&assigns, &argv);
        }
        if argv.is_empty() {
            for (name, value) in &assigns {
                self.check_size(value)?;
                if let Err(msg) = self.set_var(name, value) {
                    return Err(self.fatal(&msg));
                }
            }
            let status = self.subst_status.unwrap_or(0);
            return match self.apply_redirects(&cmd.redirects) {
                Ok(saved) => {
                    self.restore_fds(saved);
                    Ok(status)
                }
                Err(Ok(msg)) => {
                    self.report(&msg);
                    Ok(1)
                }
                Err(Err(f)) => Err(f),
            };
        }
        let saved = match self.apply_redirects(&cmd.redirects) {
            Ok(s) => s,
            Err(Ok(msg)) => {
                self.report(&msg);
                return Ok(1);
            }
            Err(Err(f)) => return Err(f),
        };
        // `exec` with only redirections makes them permanent.
        if argv.len() == 1 && argv[0] == "exec" {
            return Ok(0);
        }
        let result = self.dispatch(&argv, &assigns);
        self.restore_fds(saved);
        result
    }

    pub(crate) fn check_size(&mut self, s: &str) -> Result<(), Flow> {
        let max = self.ctx.limits.max_bytes;
        if s.len() > max {
            return Err(self.abort(&format!("value larger than {max} bytes")));
        }
        Ok(())
    }

    fn trace(&mut self, assigns: &[(String, String)], argv: &[String]) {
        let mut line = String::from("+");
        for (n, v) in assigns {
            line.push(' ');
            line.push_str(n);
            line.push('=');
            line.push_str(&trace_quote(v));
        }
        for a in argv {
            line.push(' ');
            line.push_str(&trace_quote(a));
        }
        line.push('\n');
        self.write_err(line.as_bytes());
    }

    /// Runs a command by name: builtins, functions, then the filesystem.
    pub(crate) fn dispatch(&mut self, argv: &[String], assigns: &[(String, String)]) -> Status {
        let name = argv[0].as_str();
        if SPECIAL_BUILTINS.contains(&name) {
            for (n, v) in assigns {
                if let Err(msg) = self.set_var(n, v) {
                    return Err(self.fatal(&msg));
                }
            }
            return self.run_builtin(argv);
        }
        if let Some(body) = self.scope.functions.get(name).cloned() {
            return self.with_temp_vars(assigns, |sh| sh.call_function(&body, argv));
        }
        if REGULAR_BUILTINS.contains(&name) {
            return self.with_temp_vars(assigns, |sh| sh.run_builtin(argv));
        }
        if APPLET_BUILTINS.contains(&name) {
            let reg = self.registry();
            if let Some(cmd) = reg.get(name) {
                return self.with_temp_vars(assigns, |sh| sh.run_registered(&cmd, argv));
            }
        }
        self.with_temp_vars(assigns, |sh| sh.run_external(argv, &[]))
    }

    /// Runs `f` with `assigns` set and exported, restoring them afterwards.
    fn with_temp_vars(
        &mut self,
        assigns: &[(String, String)],
        f: impl FnOnce(&mut Self) -> Status,
    ) -> Status {
        if assigns.is_empty() {
            return f(self);
        }
        let old: Vec<Option<Var>> = assigns
            .iter()
            .map(|(n, _)| self.var_entry(n).cloned())
            .collect();
        for (n, v) in assigns {
            if let Err(msg) = self.set_var(n, v) {
                return Err(self.fatal(&msg));
            }
            self.set_var_raw(n, v, true);
        }
        let result = f(self);
        for ((n, _), prev) in assigns.iter().zip(old) {
            self.scope.vars.retain(|v| v.name != *n);
            if let Some(p) = prev {
                self.scope.vars.push(p);
            }
        }
        result
    }

    fn call_function(&mut self, body: &Rc<Command>, argv: &[String]) -> Status {
        self.enter()?;
        let saved = std::mem::replace(&mut self.scope.positional, argv[1..].to_vec());
        self.func_depth += 1;
        self.locals.push(Vec::new());
        let result = self.exec_command(body);
        for (name, prev) in self.locals.pop().unwrap_or_default().into_iter().rev() {
            self.scope.vars.retain(|v| v.name != name);
            self.scope.vars.extend(prev);
        }
        self.func_depth -= 1;
        self.scope.positional = saved;
        self.leave();
        match result {
            Err(Flow::Return(s)) => Ok(s),
            other => other,
        }
    }

    /// Runs a registered simulation with this shell's stdin, routing its
    /// output through the descriptor table.
    pub(crate) fn run_registered(
        &mut self,
        cmd: &Arc<dyn registry::Command>,
        argv: &[String],
    ) -> Status {
        self.flush_files(0);
        let (data, pos) = self.stdin_view();
        let mut io = Io::new(data, pos);
        let status = cmd.run(self, argv, &mut io);
        if io.stdin_used() {
            self.consume_stdin(io.stdin_end());
        }
        self.write_fd(1, &io.out)?;
        self.write_fd(2, &io.err)?;
        if self.aborted {
            return Err(Flow::Abort(2));
        }
        Ok(status)
    }

    /// Looks `name` up in `$PATH`: the path of an executable file found.
    pub fn find_in_path(&self, name: &str) -> Option<String> {
        self.path_candidates(name).into_iter().find(|candidate| {
            self.ctx
                .fs
                .stat(candidate)
                .is_ok_and(|n| self.may_execute(&n, candidate))
        })
    }

    /// Whether a file named `name` is in a `$PATH` directory but cannot be
    /// run: ash then reports execve's EACCES rather than "not found".
    fn in_path_unexecutable(&self, name: &str) -> bool {
        self.path_candidates(name)
            .into_iter()
            .any(|candidate| self.ctx.fs.stat(&candidate).is_ok_and(|n| !n.is_dir()))
    }

    /// `dir/name` for each directory of `$PATH`, in order (none for a name
    /// with a `/`, which is not looked up).
    fn path_candidates(&self, name: &str) -> Vec<String> {
        if name.is_empty() || name.contains('/') {
            return Vec::new();
        }
        let path = self.var("PATH").unwrap_or_default();
        path.split(':')
            .map(|dir| if dir.is_empty() { "." } else { dir })
            .map(|dir| self.abs(&format!("{dir}/{name}")))
            .collect()
    }

    /// Whether `execve` would start the file `node` at `path`: a file with
    /// an execute bit, and for a user other than root, the bit of its class.
    fn may_execute(&self, node: &Node, path: &str) -> bool {
        node.is_file()
            && node.mode & 0o111 != 0
            && self.ctx.fs.check_use(node, EXECUTE, path).is_ok()
    }

    /// Whether `/bin/sh` is busybox, whose standalone build finds every
    /// applet without a `PATH` entry.
    pub(crate) fn busybox_shell(&self) -> bool {
        self.ctx
            .fs
            .canonicalize("/bin/sh")
            .is_ok_and(|p| p.rsplit('/').next() == Some("busybox"))
    }

    /// Runs a command that is not a builtin or function.
    pub(crate) fn run_external(&mut self, argv: &[String], _env: &[(String, String)]) -> Status {
        self.run_program(argv, 0)
    }

    /// What `execve` makes of the file at `path`: a program (busybox, run
    /// by the applet its name says), a `#!` script run by its interpreter,
    /// or, when it is neither, text that ash runs as a script itself.
    fn load(&self, path: &str) -> Loaded {
        let head = self
            .ctx
            .fs
            .read_file(path)
            .ok()
            .and_then(|blob| {
                let mut head = Vec::with_capacity(SHEBANG_MAX);
                let reader = blob.reader().ok()?;
                reader
                    .take(SHEBANG_MAX as u64)
                    .read_to_end(&mut head)
                    .ok()?;
                Some(head)
            })
            .unwrap_or_default();
        let Some(line) = head.strip_prefix(b"#!") else {
            // ash runs text the kernel cannot (ENOEXEC) as a script; any
            // other file is a program: a real one or a catalog image's
            // stand-in bytes, run by the applet its name says.
            let text = !head.is_empty()
                && !head.starts_with(b"\x7fELF")
                && !head.contains(&0)
                && std::str::from_utf8(&head).is_ok();
            return if text {
                Loaded::ShellText
            } else {
                Loaded::Program
            };
        };
        let line = line.split(|&b| b == b'\n').next().unwrap_or_default();
        let line = String::from_utf8_lossy(line);
        // Linux passes everything after the interpreter as one argument.
        let line = line.trim_matches([' ', '\t', '\r']);
        let (interpreter, arg) = match line.split_once([' ', '\t']) {
            Some((i, a)) => (i, Some(a.trim_matches([' ', '\t']).to_owned())),
            None => (line, None),
        };
        Loaded::Script {
            interpreter: interpreter.to_owned(),
            arg: arg.filter(|a| !a.is_empty()),
        }
    }

    /// Starts `argv[0]` as `execve` would; `interpreters` counts the `#!`
    /// lines followed to get here.
    fn run_program(&mut self, argv: &[String], interpreters: usize) -> Status {
        let name = argv[0].as_str();
        let reg = self.registry();
        let found = if name.contains('/') {
            let path = self.abs(name);
            match self.ctx.fs.stat(&path) {
                Ok(n) if self.may_execute(&n, &path) => Some(path),
                Ok(_) => {
                    self.report(&format!("{name}: Permission denied"));
                    return Ok(126);
                }
                // ash's words for execve's errno, and POSIX's exit codes.
                Err(e) => {
                    let (why, code) = match e {
                        FsError::NotFound(_) | FsError::NotADirectory(_) => ("not found", 127),
                        FsError::TooManyLinks(_) | FsError::NameTooLong(_) => (e.strerror(), 127),
                        e => (e.strerror(), 126),
                    };
                    self.report(&format!("{name}: {why}"));
                    return Ok(code);
                }
            }
        } else {
            self.find_in_path(name)
        };
        let applet = match found {
            Some(path) => {
                // A script's interpreter gets the path execve was given: the
                // name as written, or where PATH found it.
                let given = if name.contains('/') { name } else { &path };
                let mut script = vec![given.to_owned()];
                script.extend(argv[1..].iter().cloned());
                match self.load(&path) {
                    Loaded::Program => base_name(name).to_owned(),
                    Loaded::Script { interpreter, arg } => {
                        if interpreters >= MAX_INTERPRETERS {
                            self.report(&format!("{name}: Too many levels of symbolic links"));
                            return Ok(127);
                        }
                        // execve's errors for the interpreter are the
                        // script's: one that does not exist makes it "not
                        // found", one that cannot run "Permission denied".
                        match self.ctx.fs.stat(&interpreter) {
                            Ok(n) if self.may_execute(&n, &interpreter) => {}
                            Ok(_) | Err(FsError::PermissionDenied(_)) => {
                                self.report(&format!("{name}: Permission denied"));
                                return Ok(126);
                            }
                            Err(_) => {
                                self.report(&format!("{name}: not found"));
                                return Ok(127);
                            }
                        }
                        let mut next = vec![interpreter];
                        next.extend(arg);
                        next.extend(script);
                        return self.run_program(&next, interpreters + 1);
                    }
                    Loaded::ShellText => {
                        let mut next = vec!["/bin/sh".to_owned()];
                        next.extend(script);
                        return self.run_program(&next, interpreters + 1);
                    }
                }
            }
            None if self.busybox_shell() && reg.is_busybox_applet(name) => name.to_owned(),
            None if self.in_path_unexecutable(name) => {
                self.report(&format!("{name}: Permission denied"));
                return Ok(126);
            }
            None => {
                self.report(&format!("{name}: not found"));
                return Ok(127);
            }
        };
        // `busybox APPLET args` runs the applet, whether or not the image
        // has a link for it.
        if applet == "busybox" && argv.len() > 1 {
            if !reg.is_busybox_applet(&argv[1]) {
                self.write_err(format!("{}: applet not found\n", argv[1]).as_bytes());
                return Ok(127);
            }
            if let Some(cmd) = reg.get(&argv[1]) {
                self.enter()?;
                let r = self.run_registered(&cmd, &argv[1..]);
                self.leave();
                return r;
            }
            return self.run_program(&argv[1..], interpreters);
        }
        match reg.get(&applet) {
            Some(cmd) => {
                self.enter()?;
                let r = self.run_registered(&cmd, argv);
                self.leave();
                r
            }
            None => {
                let msg = format!("layerlab: {applet} is not simulated\n");
                self.write_err(msg.as_bytes());
                Ok(127)
            }
        }
    }

    /// Runs `argv` as a command with output captured rather than routed
    /// (`xargs`, `env CMD`, `find -exec`): status, stdout, stderr.
    pub fn run_captured(
        &mut self,
        argv: &[String],
        assigns: &[(String, String)],
        stdin: &[u8],
    ) -> Result<(i32, Vec<u8>, Vec<u8>), Flow> {
        let saved = self.save_fds();
        self.bufs.push(Vec::new());
        let out = self.bufs.len() - 1;
        self.bufs.push(Vec::new());
        let err = self.bufs.len() - 1;
        self.inputs.push(Input {
            data: Rc::from(stdin),
            pos: 0,
        });
        self.fds.insert(0, Fd::Input(self.inputs.len() - 1));
        self.fds.insert(1, Fd::Buf(out));
        self.fds.insert(2, Fd::Buf(err));
        let result = if argv.is_empty() {
            Ok(0)
        } else {
            self.dispatch(argv, assigns)
        };
        let err_bytes = self.bufs.pop().unwrap_or_default();
        let out_bytes = self.bufs.pop().unwrap_or_default();
        self.restore_fds(saved);
        let status = match result {
            Ok(s) => s,
            Err(f @ Flow::Abort(_)) => return Err(f),
            Err(Flow::Exit(s) | Flow::Return(s)) => s,
            Err(_) => self.status,
        };
        Ok((status, out_bytes, err_bytes))
    }

    /// Runs a script in a subshell with its output captured (`$(…)`, `sh -c`).
    pub fn run_script_captured(
        &mut self,
        program: &super::ast::Program,
        stdin: Option<&[u8]>,
        setup: impl FnOnce(&mut Self),
    ) -> Result<(i32, Vec<u8>), Flow> {
        self.enter()?;
        let saved = self.save_fds();
        self.bufs.push(Vec::new());
        let out = self.bufs.len() - 1;
        self.fds.insert(1, Fd::Buf(out));
        if let Some(data) = stdin {
            self.inputs.push(Input {
                data: Rc::from(data),
                pos: 0,
            });
            self.fds.insert(0, Fd::Input(self.inputs.len() - 1));
        }
        let arg0 = self.arg0.clone();
        let result = self.subshell(|sh| {
            // A new process: no trap of its parent's.
            sh.scope.exit_trap = None;
            setup(sh);
            let r = sh.exec_list(&program.body);
            sh.run_exit_trap(r)
        });
        self.arg0 = arg0;
        let bytes = self.bufs.pop().unwrap_or_default();
        self.restore_fds(saved);
        self.leave();
        Ok((result?, bytes))
    }

    /// Runs the `trap … EXIT` action as a shell ends with `result`. The
    /// trap sees the shell's status in `$?`; an `exit` in it sets the
    /// shell's code, otherwise the code stands.
    fn run_exit_trap(&mut self, result: Status) -> Status {
        let code = match result {
            Ok(c) | Err(Flow::Exit(c) | Flow::Return(c)) => c,
            Err(Flow::Break(_) | Flow::Continue(_)) => self.status,
            Err(f @ Flow::Abort(_)) => return Err(f),
        };
        let Some(action) = self.scope.exit_trap.take() else {
            return result;
        };
        self.status = code;
        if let Ok(program) = parser::parse(&action) {
            match self.exec_list(&program.body) {
                Err(f @ Flow::Abort(_)) => return Err(f),
                Err(Flow::Exit(c)) => return Ok(c),
                _ => {}
            }
        }
        Ok(code)
    }

    /// Runs a parsed program in this shell (`eval`, `.`).
    pub(crate) fn exec_program_here(&mut self, program: &super::ast::Program) -> Status {
        self.enter()?;
        let r = self.exec_list(&program.body);
        self.leave();
        r
    }

    /// Routes builtin output.
    pub(crate) fn emit(&mut self, io: &Io) -> Result<(), Flow> {
        self.write_fd(1, &io.out)?;
        self.write_fd(2, &io.err)
    }

    /// The current stdin for a builtin (`read`), and a way to consume it.
    pub(crate) fn stdin_bytes(&self) -> (Rc<[u8]>, usize) {
        self.stdin_view()
    }

    pub(crate) fn stdin_consume(&mut self, upto: usize) {
        self.consume_stdin(upto);
    }
}

enum Device {
    Null,
    Stdout,
    Stderr,
}

fn special_device(path: &str) -> Option<Device> {
    match path {
        "/dev/null" => Some(Device::Null),
        "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => Some(Device::Stdout),
        "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => Some(Device::Stderr),
        _ => None,
    }
}

/// How much of a file `execve` reads to find a `#!` line (the kernel's
/// `BINPRM_BUF_SIZE`).
const SHEBANG_MAX: usize = 256;

/// How deep `#!` interpreters may nest (the kernel's
/// `BINPRM_MAX_RECURSION`; past it execve fails with ELOOP), which also ends
/// a script that names itself.
const MAX_INTERPRETERS: usize = 4;

/// What `execve` found in an executable file.
enum Loaded {
    Program,
    Script {
        interpreter: String,
        arg: Option<String>,
    },
    ShellText,
}

pub(crate) fn base_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

/// How `set -x` shows a word: bare when safe, else single-quoted.
fn trace_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%^".contains(c));
    if safe {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
