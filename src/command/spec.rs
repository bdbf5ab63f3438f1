//! The vocabulary of the command table: what a command is (its flags, its
//! arity, its group), what a parsed line asks for, what a command needs from
//! the engine ([`Host`]) and what it prints ([`Output`]).

use crate::dockerfile::Compiled;
use crate::engine::builder::{BuildError, BuildOptions, BuilderKind};
use crate::engine::container::Attached;
use crate::engine::report::BuildReport;
use crate::engine::store::EngineState;
use crate::messages::Lang;
use std::sync::Arc;

/// A flag as docker spells it.
#[derive(Debug, Clone, Copy)]
pub struct FlagSpec {
    pub long: &'static str,
    pub short: Option<char>,
    /// The value's type as docker's help names it (`string`, `list`), None
    /// for a switch.
    pub value: Option<&'static str>,
    /// Docker's own help text for the flag.
    pub doc: &'static str,
}

/// A [`FlagSpec`] in one line, for the tables of docker's groups.
pub const fn flag(
    long: &'static str,
    short: Option<char>,
    value: Option<&'static str>,
    doc: &'static str,
) -> FlagSpec {
    FlagSpec {
        long,
        short,
        value,
        doc,
    }
}

/// How many positional arguments a command takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    Exactly(usize),
    AtLeast(usize),
    AtMost(usize),
    /// From the first to the second, inclusive (cobra's `RangeArgs`).
    Between(usize, usize),
}

/// One docker command.
pub struct CommandSpec {
    /// Canonical path: `["image", "build"]`.
    pub path: &'static [&'static str],
    /// Other paths that run it: `["build"]`, `["builder", "build"]`.
    pub aliases: &'static [&'static [&'static str]],
    pub doc: &'static str,
    /// Docker's usage line after `Usage:  docker image build `; empty when
    /// docker shows the path alone (`docker builder prune`).
    pub usage: &'static str,
    pub flags: &'static [FlagSpec],
    pub arity: Arity,
    /// Flags are read anywhere among the arguments (pflag's default); false
    /// for commands that run a command line of their own (`run`, `exec`),
    /// whose flags end at the first argument, as docker's
    /// `SetInterspersed(false)` makes them.
    pub interspersed: bool,
    pub run: fn(&Invocation, &mut dyn Host) -> Output,
}

impl std::fmt::Debug for CommandSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CommandSpec({})", self.name())
    }
}

/// Everything but the last word: the group a path sits in (`[]` for docker
/// itself).
fn parent<'a>(path: &'a [&'static str]) -> &'a [&'static str] {
    &path[..path.len().saturating_sub(1)]
}

impl CommandSpec {
    pub fn name(&self) -> String {
        self.path.join(" ")
    }

    /// Every path that reaches this command, canonical first.
    pub fn paths(&self) -> impl Iterator<Item = &'static [&'static str]> + '_ {
        std::iter::once(self.path).chain(self.aliases.iter().copied())
    }

    /// The path docker names the command by when `typed` reached it, in its
    /// help and its errors. An alias in the canonical path's own group is a
    /// cobra alias and takes the canonical name (`image list` is
    /// `docker image ls`); a path elsewhere (`build`, `images`, `rmi`,
    /// `builder build`) is a command of its own in docker and keeps its name.
    pub fn shown_path(&self, typed: &'static [&'static str]) -> &'static [&'static str] {
        if parent(typed) == parent(self.path) {
            self.path
        } else {
            typed
        }
    }

    /// `Usage:  docker …` for the command as `typed`.
    pub fn usage_line(&self, typed: &'static [&'static str]) -> String {
        let line = format!(
            "Usage:  docker {} {}",
            self.shown_path(typed).join(" "),
            self.usage
        );
        line.trim_end().to_string()
    }

    /// The names docker lists under `Aliases:` for the command as `typed`:
    /// its own and its aliases' within the same group, or none when it has
    /// no alias there.
    pub fn alias_names(&self, typed: &'static [&'static str]) -> Vec<&'static str> {
        let group = parent(self.shown_path(typed));
        let names: Vec<&'static str> = self
            .paths()
            .filter(|p| parent(p) == group)
            .filter_map(|p| p.last().copied())
            .collect();
        if names.len() > 1 {
            names
        } else {
            Vec::new()
        }
    }
}

/// A management command (`docker image`, `docker builder`) and the commands
/// whose canonical path sits in it.
#[derive(Debug)]
pub struct Group {
    pub name: &'static str,
    pub doc: &'static str,
    pub commands: &'static [CommandSpec],
}

/// A parsed command line, ready to run.
#[derive(Debug)]
pub struct Invocation {
    pub spec: &'static CommandSpec,
    /// The path as typed (`build`, `image build`).
    pub typed: String,
    /// `(long name, value)`; switches get `"true"`.
    pub flags: Vec<(&'static str, String)>,
    pub args: Vec<String>,
    /// `NAME=value` words before `docker`.
    pub env: Vec<(String, String)>,
}

impl Invocation {
    pub fn has(&self, long: &str) -> bool {
        self.flags.iter().any(|(k, v)| *k == long && v != "false")
    }

    /// The last value given for a flag.
    pub fn value(&self, long: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(k, _)| *k == long)
            .map(|(_, v)| v.as_str())
    }

    pub fn values<'a>(&'a self, long: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.flags
            .iter()
            .filter(move |(k, _)| *k == long)
            .map(|(_, v)| v.as_str())
    }

    pub fn env(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What a command line asks for: a command to run, or help.
#[derive(Debug)]
pub enum Request {
    Run(Invocation),
    Help(Help),
}

/// Whose help.
#[derive(Debug, Clone, Copy)]
pub enum Topic {
    /// `docker` itself.
    Docker,
    Group(&'static Group),
    /// A command, with the path it was typed as.
    Command(&'static CommandSpec, &'static [&'static str]),
}

/// A request for help, and how it was asked.
#[derive(Debug, Clone, Copy)]
pub struct Help {
    pub topic: Topic,
    /// Asked with `-h`, which docker 20.10 answers but calls deprecated.
    pub shorthand: bool,
    /// Not asked at all: `docker` or `docker image` alone, which docker
    /// answers with the help on stderr.
    pub unasked: bool,
}

/// `docker build`'s request, as the host needs it.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// The context path as typed (relative to the host's working directory).
    pub context: String,
    /// `-f`, as typed.
    pub file: Option<String>,
    pub opts: BuildOptions,
}

/// A build the host ran: the Dockerfile it built (compiled), and the result.
#[derive(Debug, Clone)]
pub struct Built {
    pub file: String,
    pub builder: BuilderKind,
    pub compiled: Arc<Compiled>,
    pub result: Result<BuildReport, BuildError>,
}

/// The Dockerfile and `.dockerignore` that `build --check` reads.
#[derive(Debug, Clone)]
pub struct CheckSource {
    pub file: String,
    pub compiled: Arc<Compiled>,
    pub dockerignore: Option<String>,
}

/// What the commands need from the engine. The TUI and the CLI implement it
/// over one persisted daemon.
pub trait Host {
    /// Read the Dockerfile and the context, and build. `Err` is a message
    /// docker prints before any build starts (no such file, …).
    fn build(&mut self, req: &BuildRequest) -> Result<Built, String>;
    fn engine(&self) -> &EngineState;
    fn engine_mut(&mut self) -> &mut EngineState;
    /// The builder `docker build` uses when `DOCKER_BUILDKIT` does not
    /// say: BuildKit, as Docker's own default; the screen's builder there.
    fn default_builder(&self) -> BuilderKind {
        BuilderKind::Buildkit
    }
    /// Persist engine changes made through `engine_mut`.
    fn commit(&mut self) -> Result<(), String>;
    /// The language of layerlab's own words in the output (the `why:` lines
    /// of a build); what docker prints stays English.
    fn lang(&self) -> Lang;
    /// The environment the `docker` command runs in: `-e NAME` and the bare
    /// names of an `--env-file` take their values from it.
    fn host_env(&self) -> Vec<(String, String)>;
    /// A file named on the line (`--env-file`, `load -i`), relative to the
    /// working directory. `Err` is docker's words (`open x: no such file or
    /// directory`).
    fn read_file(&self, path: &str) -> Result<Vec<u8>, String>;
    /// Write a file named on the line (`save -o`).
    fn write_file(&mut self, path: &str, bytes: &[u8]) -> Result<(), String>;
    /// What `build --check` reads for `req`: the Dockerfile's name as
    /// shown, its text compiled, and the context's `.dockerignore` text
    /// (`None` without one). `Err` is docker's words.
    fn check_source(&self, req: &BuildRequest) -> Result<CheckSource, String> {
        let context = if req.context.is_empty() {
            "."
        } else {
            req.context.as_str()
        };
        let path = req
            .file
            .clone()
            .unwrap_or_else(|| format!("{context}/Dockerfile"));
        let shown = req.file.clone().unwrap_or_else(|| "Dockerfile".into());
        let bytes = self
            .read_file(&path)
            .map_err(|e| format!("failed to read dockerfile: {e}"))?;
        let text = String::from_utf8(bytes).map_err(|_| format!("{shown} is not valid UTF-8"))?;
        let ignore = self
            .read_file(&format!("{context}/.dockerignore"))
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        Ok(CheckSource {
            file: shown,
            compiled: Arc::new(crate::dockerfile::compile(&text)),
            dockerignore: ignore,
        })
    }
    /// Whether a terminal can be attached (`run -it`, `exec -it`): the
    /// command line on a terminal, or the screen's shell pane.
    fn terminal(&self) -> bool {
        false
    }
}

/// What a command printed, and the build it ran, if any.
#[derive(Debug, Default)]
pub struct Output {
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
    pub status: i32,
    pub built: Option<Built>,
    /// A shell opened with `-it`, for the front end to type into.
    pub attached: Option<Attached>,
}

impl Output {
    /// A success that printed `stdout`.
    pub fn printed(stdout: Vec<String>) -> Output {
        Output {
            stdout,
            ..Output::default()
        }
    }

    pub fn error(message: impl Into<String>) -> Output {
        Output {
            stderr: message.into().lines().map(str::to_string).collect(),
            status: 1,
            ..Output::default()
        }
    }
}

/// Persists what a command changed; a failure to save fails the command.
pub fn commit_changes(host: &mut dyn Host, out: &mut Output) {
    if let Err(e) = host.commit() {
        out.stderr.push(e);
        out.status = 1;
    }
}
