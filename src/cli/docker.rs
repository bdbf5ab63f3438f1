//! `layerlab docker <args>`: the command bar's table on the command line.

use crate::engine::daemon::Daemon;
use crate::runtime::host::EngineHost;
use clap::Args;
use std::path::Path;

#[derive(Debug, Args)]
pub struct DockerArgs {
    /// A docker command and its arguments, e.g. `image ls` or `build -t web .`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    pub args: Vec<String>,
}

/// Quote a word back so the table's parser reads it as one.
fn quote(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_=./:@,+%".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', r"'\''"))
    }
}

pub fn run(args: &DockerArgs, state_dir: &Path) -> i32 {
    let daemon = match Daemon::open(state_dir) {
        Ok(d) => {
            for notice in d.notices() {
                eprintln!("WARNING: {notice}");
            }
            d
        }
        Err(e) => {
            eprintln!("ERROR: {e}");
            return 1;
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let mut host = EngineHost::new(daemon, cwd, None);
    // As docker 20.10's client: `DOCKER_BUILDKIT=0` in the environment
    // picks the classic builder.
    if matches!(
        std::env::var("DOCKER_BUILDKIT").as_deref(),
        Ok("0") | Ok("false")
    ) {
        host.builder = crate::engine::builder::BuilderKind::Classic;
    }
    let line = args
        .args
        .iter()
        .map(|w| quote(w))
        .collect::<Vec<_>>()
        .join(" ");
    // What a command changed and did not save (it stopped early) is rolled
    // back as the process ends: its transaction is never committed.
    let out = crate::command::run_line(&line, &mut host);
    for l in &out.stdout {
        println!("{l}");
    }
    for l in &out.stderr {
        eprintln!("{l}");
    }
    out.status
}
