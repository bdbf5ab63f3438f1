//! The commands themselves: what each is called, what it accepts, and what it
//! does against a [`Host`] (the engine, behind a trait).

use crate::command::output;
use crate::command::parse::{self, Invocation};
use crate::engine::builder::{BuildError, BuildOptions, BuilderKind, EngineState};
use crate::engine::report::BuildReport;
use crate::messages::Lang;

/// A flag as docker spells it.
#[derive(Debug, Clone, Copy)]
pub struct FlagSpec {
    pub long: &'static str,
    pub short: Option<char>,
    /// The value's name when the flag takes one (`-t NAME`), None for a switch.
    pub value: Option<&'static str>,
    pub doc: &'static str,
}

/// How many positional arguments a command takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    Exactly(usize),
    AtLeast(usize),
    AtMost(usize),
}

/// One docker command.
pub struct CommandSpec {
    /// Canonical path: `["image", "build"]`.
    pub path: &'static [&'static str],
    /// Other paths that run it: `["build"]`, `["builder", "build"]`.
    pub aliases: &'static [&'static [&'static str]],
    pub doc: &'static str,
    /// Docker's usage line after `Usage:  docker …`.
    pub usage: &'static str,
    pub flags: &'static [FlagSpec],
    pub arity: Arity,
    pub run: fn(&Invocation, &mut dyn Host) -> Output,
}

impl std::fmt::Debug for CommandSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CommandSpec({})", self.name())
    }
}

impl CommandSpec {
    pub fn name(&self) -> String {
        self.path.join(" ")
    }

    /// Every path that reaches this command, canonical first.
    pub fn paths(&self) -> impl Iterator<Item = &'static [&'static str]> + '_ {
        std::iter::once(self.path).chain(self.aliases.iter().copied())
    }

    pub fn flag(&self, long: &str) -> Option<&FlagSpec> {
        self.flags.iter().find(|f| f.long == long)
    }

    pub fn short(&self, c: char) -> Option<&FlagSpec> {
        self.flags.iter().find(|f| f.short == Some(c))
    }
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

/// A build the host ran: the Dockerfile text it built, and the result.
#[derive(Debug, Clone)]
pub struct Built {
    pub file: String,
    pub builder: BuilderKind,
    pub text: String,
    pub result: Result<BuildReport, BuildError>,
}

/// What the commands need from the engine. The TUI and the CLI implement it
/// over one persisted daemon.
pub trait Host {
    /// Read the Dockerfile and the context, and build. `Err` is a message
    /// docker prints before any build starts (no such file, …).
    fn build(&mut self, req: &BuildRequest) -> Result<Built, String>;
    fn engine(&self) -> &EngineState;
    fn engine_mut(&mut self) -> &mut EngineState;
    /// Persist engine changes made through `engine_mut`.
    fn commit(&mut self) -> Result<(), String>;
    /// The language of layerlab's own words in the output (the `why:` lines
    /// of a build); what docker prints stays English.
    fn lang(&self) -> Lang;
}

/// What a command printed, and the build it ran, if any.
#[derive(Debug, Default)]
pub struct Output {
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
    pub status: i32,
    pub built: Option<Built>,
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

const BUILD_FLAGS: &[FlagSpec] = &[
    FlagSpec {
        long: "build-arg",
        short: None,
        value: Some("list"),
        doc: "Set build-time variables",
    },
    FlagSpec {
        long: "file",
        short: Some('f'),
        value: Some("string"),
        doc: "Name of the Dockerfile (Default is 'PATH/Dockerfile')",
    },
    FlagSpec {
        long: "no-cache",
        short: None,
        value: None,
        doc: "Do not use cache when building the image",
    },
    FlagSpec {
        long: "tag",
        short: Some('t'),
        value: Some("list"),
        doc: "Name and optionally a tag in the 'name:tag' format",
    },
    FlagSpec {
        long: "target",
        short: None,
        value: Some("string"),
        doc: "Set the target build stage to build.",
    },
];

// `image ls` and `history` share these two switches, word for word in
// docker's help.
const NO_TRUNC: FlagSpec = FlagSpec {
    long: "no-trunc",
    short: None,
    value: None,
    doc: "Don't truncate output",
};

const QUIET_IDS: FlagSpec = FlagSpec {
    long: "quiet",
    short: Some('q'),
    value: None,
    doc: "Only show image IDs",
};

const LS_FLAGS: &[FlagSpec] = &[
    FlagSpec {
        long: "all",
        short: Some('a'),
        value: None,
        doc: "Show all images (default hides intermediate images)",
    },
    NO_TRUNC,
    QUIET_IDS,
];

const HISTORY_FLAGS: &[FlagSpec] = &[NO_TRUNC, QUIET_IDS];

const RM_FLAGS: &[FlagSpec] = &[FlagSpec {
    long: "force",
    short: Some('f'),
    value: None,
    doc: "Force removal of the image",
}];

const PRUNE_FLAGS: &[FlagSpec] = &[
    FlagSpec {
        long: "all",
        short: Some('a'),
        value: None,
        doc: "Remove all unused build cache, not just dangling ones",
    },
    FlagSpec {
        long: "force",
        short: Some('f'),
        value: None,
        doc: "Do not prompt for confirmation",
    },
];

/// Every command the bar and `layerlab docker` know. More join later.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        path: &["image", "build"],
        aliases: &[&["build"], &["builder", "build"]],
        doc: "Build an image from a Dockerfile",
        usage: "[OPTIONS] PATH | URL | -",
        flags: BUILD_FLAGS,
        arity: Arity::Exactly(1),
        run: run_build,
    },
    CommandSpec {
        path: &["image", "ls"],
        aliases: &[&["images"], &["image", "list"]],
        doc: "List images",
        usage: "[OPTIONS] [REPOSITORY[:TAG]]",
        flags: LS_FLAGS,
        arity: Arity::AtMost(1),
        run: run_images,
    },
    CommandSpec {
        path: &["image", "history"],
        aliases: &[&["history"]],
        doc: "Show the history of an image",
        usage: "[OPTIONS] IMAGE",
        flags: HISTORY_FLAGS,
        arity: Arity::Exactly(1),
        run: run_history,
    },
    CommandSpec {
        path: &["image", "rm"],
        aliases: &[&["rmi"], &["image", "remove"]],
        doc: "Remove one or more images",
        usage: "[OPTIONS] IMAGE [IMAGE...]",
        flags: RM_FLAGS,
        arity: Arity::AtLeast(1),
        run: run_rmi,
    },
    CommandSpec {
        path: &["builder", "prune"],
        aliases: &[],
        doc: "Remove build cache",
        usage: "[OPTIONS]",
        flags: PRUNE_FLAGS,
        arity: Arity::Exactly(0),
        run: run_prune,
    },
];

/// Parse and run one command line (`docker …` or without `docker`).
pub fn run_line(line: &str, host: &mut dyn Host) -> Output {
    match parse::parse(line) {
        Ok(inv) => (inv.spec.run)(&inv, host),
        Err(e) => Output::error(e.to_string()),
    }
}

fn run_build(inv: &Invocation, host: &mut dyn Host) -> Output {
    let mut build_args = Vec::new();
    for kv in inv.values("build-arg") {
        // `--build-arg NAME` alone takes the value from the environment,
        // which the command bar does not have: the argument stays unset.
        if let Some((k, v)) = kv.split_once('=') {
            build_args.push((k.to_string(), v.to_string()));
        }
    }
    let builder = match inv.env("DOCKER_BUILDKIT") {
        Some("0") | Some("false") => BuilderKind::Classic,
        _ => BuilderKind::Buildkit,
    };
    let req = BuildRequest {
        context: inv.args.first().cloned().unwrap_or_default(),
        file: inv.value("file").map(str::to_string),
        opts: BuildOptions {
            builder,
            build_args,
            no_cache: inv.has("no-cache"),
            target: inv.value("target").map(str::to_string),
            tags: inv.values("tag").map(str::to_string).collect(),
            ..BuildOptions::default()
        },
    };
    match host.build(&req) {
        Err(message) => Output::error(output::build_failed(builder, &message)),
        Ok(built) => {
            let mut out = Output::default();
            match &built.result {
                Ok(report) => out.stdout = output::build_progress(report, host.lang()),
                Err(err) => {
                    out.stdout = output::steps_progress(&err.steps, builder, host.lang());
                    out.stderr = vec![output::build_failed(builder, &err.message)];
                    out.status = err.exit_code;
                }
            }
            out.built = Some(built);
            out
        }
    }
}

fn run_images(inv: &Invocation, host: &mut dyn Host) -> Output {
    let lines = output::images(
        host.engine(),
        inv.args.first().map(String::as_str),
        inv.has("quiet"),
        inv.has("no-trunc"),
    );
    Output::printed(lines)
}

fn run_history(inv: &Invocation, host: &mut dyn Host) -> Output {
    let reference = inv.args.first().map(String::as_str).unwrap_or_default();
    match host.engine().image(reference) {
        None => Output::error(format!(
            "Error response from daemon: No such image: {}",
            crate::engine::builder::normalize_tag(reference)
        )),
        Some(img) => Output::printed(output::history(img, inv.has("quiet"), inv.has("no-trunc"))),
    }
}

fn run_rmi(inv: &Invocation, host: &mut dyn Host) -> Output {
    let mut out = Output::default();
    for reference in &inv.args {
        match output::remove_image(host.engine_mut(), reference, inv.has("force")) {
            Ok(lines) => out.stdout.extend(lines),
            Err(message) => {
                out.stderr.push(message);
                out.status = 1;
            }
        }
    }
    commit_changes(host, &mut out);
    out
}

fn run_prune(inv: &Invocation, host: &mut dyn Host) -> Output {
    if !inv.has("force") {
        // Docker asks on stdin; the command bar has none, so say how to confirm.
        return Output::printed(vec![
            "WARNING! This will remove all dangling build cache. Are you sure you want to continue? [y/N]".into(),
            "(no input here: run `docker builder prune -f` to confirm)".into(),
        ]);
    }
    let engine = host.engine_mut();
    let removed = engine.buildkit_cache.len() + engine.classic_cache.len();
    engine.buildkit_cache.clear();
    engine.classic_cache.clear();
    let mut out = Output::printed(output::prune(removed));
    commit_changes(host, &mut out);
    out
}

/// Persists what a command changed; a failure to save fails the command.
fn commit_changes(host: &mut dyn Host, out: &mut Output) {
    if let Err(e) = host.commit() {
        out.stderr.push(e);
        out.status = 1;
    }
}
