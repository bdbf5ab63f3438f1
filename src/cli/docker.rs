//! `layerlab docker <args>`: the command bar's table on the command line.

use crate::command::Host;
use crate::engine::container::Attached;
use crate::engine::daemon::Daemon;
use crate::runtime::host::EngineHost;
use clap::Args;
use std::io::{BufRead, IsTerminal, Read, Write};
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

/// `lang`: the language of layerlab's own words (a build's reasons, a
/// check's message); docker's lines stay English.
pub fn run(args: &DockerArgs, state_dir: &Path, lang: crate::messages::Lang) -> i32 {
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
    host.lang = lang;
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
    host.terminal = std::io::stdin().is_terminal();
    // What a command changed and did not save (it stopped early) is rolled
    // back as the process ends: its transaction is never committed.
    let mut out = crate::command::run_line(&line, &mut host);
    super::print_lines(out.stdout.iter().map(String::as_str));
    for l in &out.stderr {
        eprintln!("{l}");
    }
    match out.attached.take() {
        Some(shell) => attached(&mut host, shell),
        None => out.status,
    }
}

/// `run -it` / `exec -it` on a terminal: lines read from it run in the
/// container's shell until `exit` or end of input (Ctrl-D); the engine is
/// saved after every line, so another `layerlab docker diff` sees it.
/// The exit code is the shell's.
fn attached(host: &mut EngineHost, mut shell: Attached) -> i32 {
    let stdin = std::io::stdin();
    let mut line = String::new();
    loop {
        out!("{}", shell.prompt());
        let _ = std::io::stdout().flush();
        line.clear();
        // A line longer than the bound is cut there and the rest of it
        // dropped, as a terminal's line discipline stops taking input.
        let mut input = stdin.lock();
        let read = (&mut input)
            .take(crate::limits::MAX_TYPED_LINE as u64)
            .read_line(&mut line);
        if matches!(read, Ok(n) if n > 0) && !line.ends_with('\n') {
            let _ = input.skip_until(b'\n');
        }
        if matches!(read, Ok(0) | Err(_)) {
            // End of input: the shell ends with its last status.
            outln!();
            let code = host.engine_mut().hang_up(&shell);
            let _ = host.commit();
            return code;
        }
        // Each line is one transaction: what other processes wrote is read
        // first, and the line's changes are saved before the next prompt.
        let typed = host
            .engine_mut()
            .type_line(&mut shell, line.trim_end_matches(['\n', '\r']));
        let saved = host.commit();
        match typed {
            Ok(t) => {
                out!("{}", t.stdout);
                eprint!("{}", t.stderr);
                if let Some(code) = t.ended {
                    return code;
                }
            }
            Err(e) => {
                eprintln!("Error response from daemon: {e}");
                return 1;
            }
        }
        if let Err(e) = saved {
            eprintln!("ERROR: {e}");
            return 1;
        }
    }
}
