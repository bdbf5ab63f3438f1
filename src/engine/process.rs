//! What a container's process does: its program runs with the shell and
//! the applets RUN already uses, over the container's filesystem.
//!
//! The runtime starts the program as runc does: the first word is looked
//! up in the process's `PATH` (or taken as a path), and a missing program
//! is a start failure, not an exit. A found program that is a script with
//! a `#!` line naming a shell runs in that shell, as the kernel would run
//! it. Any other program layerlab has no simulation for exits 127 with one
//! message saying so: layerlab is not an interpreter and cannot run a
//! binary it only knows by name — unless an image declares what the
//! program does ([`programs`]): then it does that, and an entrypoint that
//! runs its arguments runs them.

use crate::engine::programs::{self, Outcome, Program};
use crate::engine::store::Repeat;
use crate::filesystem::rootfs::RootFs;
use crate::filesystem::users::{User, UserError};
use crate::shell::{ExecContext, Io, Registry, Shell, ShellState};
use std::sync::Arc;

/// A process to start: what `docker run` and `docker exec` hand the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    /// The program and its arguments (ENTRYPOINT then CMD, already merged).
    pub argv: Vec<String>,
    /// The environment, in order, with `HOME` already set.
    pub env: Vec<(String, String)>,
    /// The working directory (absolute).
    pub cwd: String,
    /// The user: the `USER` spec resolved against `/etc/passwd`.
    pub user: User,
}

/// How a process ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exit {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Simulated seconds it ran (what it slept plus what its package
    /// managers spent).
    pub seconds: u64,
    /// A declared program that does not end by itself: it runs until
    /// stopped.
    pub forever: bool,
    /// What it keeps printing while it runs.
    pub repeat: Option<Repeat>,
}

/// Why the runtime could not start a process, in runc's words (the daemon
/// wraps them in its own prefix).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    #[error("exec: \"{0}\": executable file not found in $PATH")]
    NotInPath(String),
    #[error("exec: \"{0}\": stat {0}: no such file or directory")]
    NoSuchFile(String),
    #[error(transparent)]
    User(#[from] UserError),
}

/// The exit code of a program layerlab cannot run, as sh's `not found`.
pub const NO_SUCH_PROGRAM: i32 = 127;

/// The user a process runs as: `spec` (`USER`, `-u`) resolved against the
/// filesystem, root when empty.
pub fn resolve_user(spec: &str, fs: &RootFs) -> Result<User, UserError> {
    if spec.is_empty() {
        Ok(User::root())
    } else {
        User::resolve(spec, fs)
    }
}

/// Run `process` over `fs` to its end; its writes stay in `fs`.
pub fn run(fs: &mut RootFs, process: &Process) -> Result<Exit, StartError> {
    let Some(program) = process.argv.first() else {
        return Err(StartError::NotInPath(String::new()));
    };
    let path = env_path(process);
    startable(fs, path, &process.cwd, program)?;
    let (argv, prelude) = through_entrypoints(fs, path, &process.cwd, &process.argv);
    let mut exit = declared_exit(fs, path, process, &argv)
        .unwrap_or_else(|| run_in_shell(fs, path, process, &argv));
    exit.stdout.insert_str(0, &prelude.stdout);
    exit.stderr.insert_str(0, &prelude.stderr);
    Ok(exit)
}

fn run_in_shell(fs: &mut RootFs, path: &str, process: &Process, argv: &[String]) -> Exit {
    let Some(program) = argv.first() else {
        return Exit::default();
    };
    let mut ctx = shell_context(fs, path, process, program);
    exit_of(&crate::shell::run_argv(argv, &mut ctx))
}

/// The shell's context for `process`: its environment, directory and
/// user, and the commands its `PATH` holds.
fn shell_context<'f>(
    fs: &'f mut RootFs,
    path: &str,
    process: &Process,
    program: &str,
) -> ExecContext<'f> {
    let commands = Arc::new(registry_for(fs, path, &process.cwd, program));
    let mut ctx = ExecContext::new(fs);
    ctx.env = process.env.clone();
    ctx.cwd = process.cwd.clone();
    ctx.user = process.user.clone();
    // docker names a container's host by its short id, as its HOSTNAME says
    if let Some((_, host)) = process.env.iter().find(|(k, _)| k == "HOSTNAME") {
        ctx.hostname.clone_from(host);
    }
    ctx.commands = commands;
    ctx
}

fn exit_of(result: &crate::shell::ExecResult) -> Exit {
    Exit {
        code: result.exit_code,
        stdout: result.stdout_text(),
        stderr: result.stderr_text(),
        seconds: result.slept_seconds + result.work_millis / 1000,
        ..Exit::default()
    }
}

/// Whether `argv` starts an interactive shell (`sh`, `/bin/ash`, `bash -l`):
/// the one program layerlab can run with a terminal attached.
pub fn is_shell(argv: &[String]) -> bool {
    let Some(program) = argv.first() else {
        return false;
    };
    let name = program.rsplit('/').next().unwrap_or(program);
    matches!(name, "sh" | "ash" | "bash")
        && argv[1..]
            .iter()
            .all(|a| matches!(a.as_str(), "-i" | "-l" | "--login"))
}

/// One line typed into the interactive shell `process` runs (see
/// [`is_shell`]), in the state the lines before it left; true when the
/// line ended the shell.
pub fn run_shell_line(
    fs: &mut RootFs,
    process: &Process,
    line: &str,
    state: &mut ShellState,
) -> (Exit, bool) {
    let path = env_path(process);
    let program = process.argv.first().map_or("sh", String::as_str);
    let mut ctx = shell_context(fs, path, process, program);
    let (result, ended) = crate::shell::run_line(line, &mut ctx, state);
    (exit_of(&result), ended)
}

/// Whether runc could exec `program` (a path as given, else found in the
/// `path` list): what it refuses is a start failure, not an exit code.
pub fn startable(fs: &RootFs, path: &str, cwd: &str, program: &str) -> Result<(), StartError> {
    if program.contains('/') {
        if fs.stat(&absolute(cwd, program)).is_err() {
            return Err(StartError::NoSuchFile(program.to_owned()));
        }
    } else if find_in_path(fs, path, cwd, program).is_none() {
        return Err(StartError::NotInPath(program.to_owned()));
    }
    Ok(())
}

fn env_path(process: &Process) -> &str {
    process
        .env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map_or("", |(_, v)| v.as_str())
}

/// The program file `name` runs: a path as given, else found in `PATH`.
fn locate(fs: &RootFs, path: &str, cwd: &str, name: &str) -> Option<String> {
    if name.contains('/') {
        let at = absolute(cwd, name);
        fs.stat(&at).is_ok().then_some(at)
    } else {
        find_in_path(fs, path, cwd, name)
    }
}

/// The longest chain of entrypoints that run their arguments: each one's
/// start lines, and the argv it finally execs.
fn through_entrypoints(
    fs: &RootFs,
    path: &str,
    cwd: &str,
    argv: &[String],
) -> (Vec<String>, Outcome) {
    let mut argv = argv.to_vec();
    let mut prelude = Outcome::default();
    // A chain of entrypoints is short; a declaration naming itself is not
    // followed for ever.
    for _ in 0..8 {
        let Some(file) = argv.first().and_then(|p| locate(fs, path, cwd, p)) else {
            break;
        };
        let Some(runs) = programs::at(&file).and_then(|p| p.runs_arguments.as_ref()) else {
            break;
        };
        let said = runs.behaviour.start(&[], fs.now() * 1000);
        prelude.stdout.push_str(&said.stdout);
        prelude.stderr.push_str(&said.stderr);
        let rest = argv.split_off(1);
        argv = match &runs.prefix {
            Some(prefix)
                if rest
                    .first()
                    .is_none_or(|a| a.starts_with('-') || locate(fs, path, cwd, a).is_none()) =>
            {
                std::iter::once(prefix.clone()).chain(rest).collect()
            }
            _ => rest,
        };
    }
    (argv, prelude)
}

/// A declared program's run, or None when `argv` names no declared
/// program (the shell runs it then).
fn declared_exit(fs: &RootFs, path: &str, process: &Process, argv: &[String]) -> Option<Exit> {
    let program = argv.first()?;
    let file = locate(fs, path, &process.cwd, program)?;
    let declared = programs::at(&file)?;
    let name = program.rsplit('/').next().unwrap_or(program);
    let outcome = behave(declared, fs, &process.cwd, &argv[1..], &process.env)
        .unwrap_or_else(|| unknown(name));
    Some(Exit {
        code: outcome.code,
        stdout: outcome.stdout,
        stderr: outcome.stderr,
        seconds: 0,
        forever: outcome.forever,
        repeat: outcome.repeat,
    })
}

/// What a declared program does with `args`: its form for them, or the
/// script they name when it runs scripts. None when neither is declared.
fn behave(
    program: &Program,
    fs: &RootFs,
    cwd: &str,
    args: &[String],
    env: &[(String, String)],
) -> Option<Outcome> {
    let now_ms = fs.now() * 1000;
    if let Some(form) = program.form(args) {
        return Some(form.start(env, now_ms));
    }
    let script = args
        .first()
        .filter(|a| program.scripts && !a.starts_with('-'))?;
    let bytes = fs.read_file(&absolute(cwd, script)).ok()?.to_vec().ok()?;
    programs::script(&bytes).map(|s| s.behaviour.start(env, now_ms))
}

fn unknown(name: &str) -> Outcome {
    Outcome {
        stderr: no_such_program(name),
        code: NO_SUCH_PROGRAM,
        ..Outcome::default()
    }
}

/// The shell's commands plus, for every executable in `PATH` (and the
/// program itself) that has no simulation, the program files do: a shell
/// script runs in its shell, anything else says layerlab has no such
/// program.
fn registry_for(fs: &RootFs, path: &str, cwd: &str, program: &str) -> Registry {
    let mut reg = (*crate::shell::all_commands()).clone();
    let mut names: Vec<String> = Vec::new();
    for dir in path.split(':').filter(|d| !d.is_empty()) {
        let Ok(entries) = fs.read_dir(&absolute(cwd, dir)) else {
            continue;
        };
        names.extend(entries.into_iter().map(|e| e.name));
    }
    names.push(program.rsplit('/').next().unwrap_or(program).to_owned());
    for name in names {
        if reg.get(&name).is_none() {
            reg.register(&name, false, Arc::new(program_file));
        }
    }
    reg
}

/// A program file without a simulation: a script whose `#!` line names a
/// shell layerlab has runs in it; anything else cannot run here.
fn program_file(sh: &mut Shell<'_, '_>, argv: &[String], io: &mut Io) -> i32 {
    let name = argv[0].rsplit('/').next().unwrap_or(&argv[0]).to_owned();
    let file = if argv[0].contains('/') {
        Some(sh.abs(&argv[0]))
    } else {
        sh.find_in_path(&argv[0])
    };
    let interpreter = file.and_then(|f| {
        let head = first_line(&sh.fs().read_file(&f).ok()?)?;
        shebang(&head).map(|i| (f, i))
    });
    if let Some(code) = run_declared(sh, argv, io) {
        return code;
    }
    if let Some((file, interpreter)) = interpreter {
        if let Some(shell) = sh.registry().get(&interpreter) {
            let mut args = vec![interpreter, file];
            args.extend(argv[1..].iter().cloned());
            return shell.run(sh, &args, io);
        }
    }
    io.eprint(&no_such_program(&name));
    NO_SUCH_PROGRAM
}

/// A declared program run from a shell: its start lines and exit code
/// (one that runs for ever returns at once: a shell here cannot wait on
/// it). An entrypoint that runs its arguments runs them with the shell's
/// commands. None when the file is not declared.
fn run_declared(sh: &mut Shell<'_, '_>, argv: &[String], io: &mut Io) -> Option<i32> {
    let file = if argv[0].contains('/') {
        sh.abs(&argv[0])
    } else {
        sh.find_in_path(&argv[0])?
    };
    let program = programs::at(&file)?;
    let env = sh.environment();
    let Some(runs) = &program.runs_arguments else {
        let name = argv[0].rsplit('/').next().unwrap_or(&argv[0]);
        let cwd = sh.abs(".");
        let outcome =
            behave(program, sh.fs(), &cwd, &argv[1..], &env).unwrap_or_else(|| unknown(name));
        io.print(&outcome.stdout);
        io.eprint(&outcome.stderr);
        return Some(outcome.code);
    };
    let said = runs.behaviour.start(&env, sh.now() * 1000);
    io.print(&said.stdout);
    io.eprint(&said.stderr);
    let mut rest = argv[1..].to_vec();
    let prefixed = rest
        .first()
        .is_none_or(|a| a.starts_with('-') || sh.find_in_path(a).is_none());
    if let (Some(prefix), true) = (&runs.prefix, prefixed) {
        rest.insert(0, prefix.clone());
    }
    let Some(first) = rest.first() else {
        return Some(0);
    };
    match sh.registry().get(first) {
        Some(command) => Some(command.run(sh, &rest, io)),
        None => {
            io.eprint(&format!("{}: exec: line 1: {first}: not found\n", argv[0]));
            Some(NO_SUCH_PROGRAM)
        }
    }
}

/// What a program layerlab cannot run prints.
pub fn no_such_program(name: &str) -> String {
    format!(
        "layerlab has no program \"{name}\": it runs its shell and that shell's applets, \
         and is not an interpreter\n"
    )
}

/// The start of a file, enough for its `#!` line (a binary is not read
/// whole: a catalog image's are generated content of many megabytes).
fn first_line(blob: &crate::filesystem::blob::Blob) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::new();
    blob.reader().ok()?.take(256).read_to_end(&mut head).ok()?;
    Some(head)
}

/// The shell a `#!` line names (`#!/bin/sh`, `#!/usr/bin/env sh`), by base
/// name; only shells run scripts here.
fn shebang(bytes: &[u8]) -> Option<String> {
    let line = bytes.strip_prefix(b"#!")?;
    let line = line.split(|b| *b == b'\n').next()?;
    let line = String::from_utf8_lossy(line);
    let mut words = line.split_whitespace();
    let mut interpreter = words.next()?.rsplit('/').next()?.to_owned();
    if interpreter == "env" {
        interpreter = words.next()?.to_owned();
    }
    matches!(interpreter.as_str(), "sh" | "ash" | "bash" | "dash").then_some(interpreter)
}

fn find_in_path(fs: &RootFs, path: &str, cwd: &str, name: &str) -> Option<String> {
    path.split(':').find_map(|dir| {
        let dir = if dir.is_empty() { "." } else { dir };
        let candidate = absolute(cwd, &format!("{dir}/{name}"));
        match fs.stat(&candidate) {
            Ok(n) if n.is_file() && n.mode & 0o111 != 0 => Some(candidate),
            _ => None,
        }
    })
}

fn absolute(cwd: &str, path: &str) -> String {
    if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("{}/{path}", cwd.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filesystem::blob::Blob;

    fn fs_with(files: &[(&str, &str, u32)]) -> RootFs {
        let mut fs = RootFs::new();
        for dir in ["/bin", "/usr/local/bin", "/app"] {
            fs.mkdir_all(dir, 0o755, 0, 0).expect("dir");
        }
        for (path, body, mode) in files {
            fs.write_file(path, Blob::from(*body), *mode, 0, 0)
                .expect("file");
        }
        fs
    }

    fn process(argv: &[&str]) -> Process {
        Process {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            env: vec![("PATH".into(), "/usr/local/bin:/bin".into())],
            cwd: "/".into(),
            user: User::root(),
        }
    }

    #[test]
    fn applets_run_as_in_a_build() {
        let mut fs = fs_with(&[("/bin/sh", "", 0o755), ("/bin/echo", "", 0o755)]);
        let exit = run(
            &mut fs,
            &process(&["sh", "-c", "echo hi > /app/x; echo done"]),
        )
        .expect("starts");
        assert_eq!((exit.code, exit.stdout.as_str()), (0, "done\n"));
        assert_eq!(
            fs.read_file("/app/x")
                .expect("written")
                .to_vec()
                .expect("bytes"),
            b"hi\n"
        );
    }

    #[test]
    fn a_program_without_a_simulation_says_layerlab_is_not_an_interpreter() {
        let mut fs = fs_with(&[("/usr/local/bin/node", "\x7fELF", 0o755)]);
        let exit = run(&mut fs, &process(&["node", "server.js"])).expect("starts");
        assert_eq!(exit.code, 127);
        assert_eq!(exit.stderr, no_such_program("node"));
        assert!(exit.stderr.contains("is not an interpreter"));
    }

    #[test]
    fn a_shell_script_runs_in_the_shell_its_first_line_names() {
        let script = "#!/bin/sh\necho \"args: $*\"\nexec \"$@\"\n";
        let mut fs = fs_with(&[
            ("/bin/sh", "", 0o755),
            ("/bin/echo", "", 0o755),
            ("/usr/local/bin/entry.sh", script, 0o755),
        ]);
        let exit = run(&mut fs, &process(&["entry.sh", "echo", "inner"])).expect("starts");
        assert_eq!(exit.stdout, "args: echo inner\ninner\n");
        assert_eq!(exit.code, 0);
    }

    #[test]
    fn a_missing_program_does_not_start() {
        let mut fs = fs_with(&[]);
        assert_eq!(
            run(&mut fs, &process(&["nosuch"])),
            Err(StartError::NotInPath("nosuch".into()))
        );
        assert_eq!(
            StartError::NotInPath("nosuch".into()).to_string(),
            "exec: \"nosuch\": executable file not found in $PATH"
        );
        assert_eq!(
            run(&mut fs, &process(&["/app/run"])),
            Err(StartError::NoSuchFile("/app/run".into()))
        );
    }
}
