//! The command-line front door: clap arguments → a subcommand that prints
//! text or JSON from the pure core → an exit code.

/// `print!` to stdout that ends quietly when the reader went away
/// (`layerlab lesson list | head -1`), where `print!` would panic: the
/// command has done its work, only the rest of what it says is not wanted.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

/// [`out!`] with a newline, as `println!`.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod build;
mod completions;
mod docker;
mod import;
mod lesson;
mod open;
mod parse;
mod present;
mod record;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "layerlab",
    version,
    about = "See how Docker builds an image, layer by layer, and why each step hits or misses the cache."
)]
pub struct Cli {
    /// Engine state directory (images, layers, build cache). Defaults to
    /// $LAYERLAB_STATE, then the user's data directory.
    #[arg(long, global = true, value_name = "DIR")]
    pub state: Option<PathBuf>,

    /// Language of layerlab's own words (the screen, the reasons, the
    /// diagnostics): ko or en (default: from LANG). Docker's output stays English.
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,

    /// Read lessons from this folder instead of the ones built in (the
    /// lesson menu, `lesson start`, `lesson list`).
    #[arg(long, global = true, value_name = "DIR")]
    pub lessons: Option<PathBuf>,

    /// With no command (the lecture's example): also build every build you
    /// commit on the real engine (`docker`) and show its verdicts beside
    /// layerlab's.
    #[arg(long, value_name = "ENGINE", value_parser = ["docker"])]
    pub engine: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse a Dockerfile and list its instructions as BuildKit reads them.
    Parse(parse::ParseArgs),
    /// Build an image from a Dockerfile, explaining every cache hit and miss.
    Build(build::BuildArgs),
    /// Import a root filesystem tarball as an image (as `docker import`).
    Import(import::ImportArgs),
    /// Open a Dockerfile and its build context in the interactive screen.
    Open(open::OpenArgs),
    /// Open the interactive screen on a scratch project.
    Sandbox,
    /// Record the interactive screen as asciicast v2 (`asciinema play FILE.cast` replays it).
    Record(record::RecordArgs),
    /// Run a docker command (build, images, run, ps, exec, commit, system df, …).
    ///
    /// `layerlab docker --help` and `layerlab docker COMMAND --help` show
    /// docker's help for the commands and flags layerlab runs.
    // `--help` is docker's here: the table answers it.
    #[command(disable_help_flag = true)]
    Docker(docker::DockerArgs),
    /// Print a shell completion script (bash, zsh, fish, …).
    ///
    /// It completes layerlab's commands and, after `layerlab docker`,
    /// docker's commands and their flags, from the same table that runs them.
    Completions(completions::CompletionsArgs),
    /// List, check and start lessons (`layerlab` alone opens the lesson menu).
    Lesson(lesson::LessonArgs),
    /// For a room: the presentation layout (verdicts and the key figure
    /// large), and a lesson played step by step as a scripted demo.
    Present(present::PresentArgs),
}

/// Run the program; returns the process exit code.
/// Writes `lines` to stdout. A reader that went away (`layerlab docker
/// images | head -1`) ends the output quietly, where `println!` would
/// panic: the command has done its work, only the rest of what it says is
/// not wanted.
fn print_lines<'a>(lines: impl IntoIterator<Item = &'a str>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return;
        }
    }
    let _ = out.flush();
}

pub fn main() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Parse(args)) => match lang(cli.lang.as_deref()) {
            Ok(lang) => parse::run(&args, lang),
            Err(code) => code,
        },
        Some(Command::Build(args)) => match lang(cli.lang.as_deref()) {
            Ok(lang) => with_state(cli.state.as_deref(), |dir| build::run(&args, dir, lang)),
            Err(code) => code,
        },
        Some(Command::Import(args)) => {
            with_state(cli.state.as_deref(), |dir| import::run(&args, dir))
        }
        Some(Command::Open(args)) => with_state(cli.state.as_deref(), |dir| {
            open::open(&args, dir, cli.lang.as_deref())
        }),
        Some(Command::Sandbox) => with_state(cli.state.as_deref(), |dir| {
            open::run(
                crate::runtime::Start::Scratch,
                dir,
                cli.lang.as_deref(),
                false,
            )
        }),
        Some(Command::Record(args)) => with_state(cli.state.as_deref(), |dir| {
            record::run(&args, dir, cli.lang.as_deref())
        }),
        Some(Command::Docker(args)) => match lang(cli.lang.as_deref()) {
            Ok(lang) => with_state(cli.state.as_deref(), |dir| docker::run(&args, dir, lang)),
            Err(code) => code,
        },
        Some(Command::Completions(args)) => completions::run(&args),
        Some(Command::Lesson(args)) => match (&args.command, lang(cli.lang.as_deref())) {
            (lesson::LessonCommand::Start { name }, _) => with_state(cli.state.as_deref(), |dir| {
                let start = crate::runtime::Start::Lesson {
                    name: name.clone(),
                    lessons: cli.lessons.clone(),
                };
                open::run(start, dir, cli.lang.as_deref(), false)
            }),
            (_, Ok(lang)) => lesson::run(&args, cli.lessons.as_deref(), lang),
            (_, Err(code)) => code,
        },
        Some(Command::Present(args)) => with_state(cli.state.as_deref(), |dir| {
            present::run(&args, dir, cli.lessons.as_deref(), cli.lang.as_deref())
        }),
        // The lesson menu; the sandbox is one key away in it.
        None => with_state(cli.state.as_deref(), |dir| {
            let start = crate::runtime::Start::Menu {
                lessons: cli.lessons.clone(),
            };
            open::run(start, dir, cli.lang.as_deref(), cli.engine.is_some())
        }),
    }
}

/// The learner's language: `--lang`, else the locale. A language layerlab
/// does not speak is a usage error (exit code 2).
fn lang(flag: Option<&str>) -> Result<crate::messages::Lang, i32> {
    match flag.map(crate::messages::Lang::parse).transpose() {
        Ok(lang) => Ok(lang.unwrap_or_else(crate::runtime::lang_from_env)),
        Err(e) => {
            eprintln!("ERROR: {e}");
            Err(2)
        }
    }
}

/// Resolve the state directory (`--state`, `$LAYERLAB_STATE`, the user's
/// data directory) and run `f` with it.
fn with_state(flag: Option<&std::path::Path>, f: impl FnOnce(&std::path::Path) -> i32) -> i32 {
    match crate::engine::state::resolve_state_dir(flag) {
        Ok(dir) => f(&dir),
        Err(e) => {
            eprintln!("ERROR: {e}");
            1
        }
    }
}
