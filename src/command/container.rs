//! `docker container`: run, create, start, stop, ls (ps), exec, logs, diff,
//! commit, rm, prune and inspect, with the top-level commands docker keeps
//! for them (`run`, `ps`, `exec`, …), and `docker inspect` of either a
//! container or an image.
//!
//! `run -it IMAGE sh` reads no terminal here: the shell gets an empty
//! standard input and ends (the screen's interactive pane is its own part).

use crate::command::format::{formatted, inspect_output, Context};
use crate::command::image;
use crate::command::output::{self, daemon_error, ellipsis, human_duration, human_size, table};
use crate::command::spec::{
    commit_changes, flag, Arity, CommandSpec, FlagSpec, Group, Host, Invocation, Output,
};
use crate::engine::container::{CommitOptions, ContainerError, CreateOptions};
use crate::engine::process::StartError;
use crate::engine::store::{Container, ContainerState, EngineState, Stream, SIMULATED_EPOCH};
use serde_json::{json, Value};

const DETACH: FlagSpec = flag(
    "detach",
    Some('d'),
    None,
    "Run container in background and print container ID",
);
const ENV: FlagSpec = flag("env", Some('e'), Some("list"), "Set environment variables");
const ENV_FILE: FlagSpec = flag(
    "env-file",
    None,
    Some("list"),
    "Read in a file of environment variables",
);
const INTERACTIVE: FlagSpec = flag(
    "interactive",
    Some('i'),
    None,
    "Keep STDIN open even if not attached",
);
const TTY: FlagSpec = flag("tty", Some('t'), None, "Allocate a pseudo-TTY");
const USER: FlagSpec = flag(
    "user",
    Some('u'),
    Some("string"),
    "Username or UID (format: <name|uid>[:<group|gid>])",
);
const WORKDIR: FlagSpec = flag(
    "workdir",
    Some('w'),
    Some("string"),
    "Working directory inside the container",
);
const FORMAT_INSPECT: FlagSpec = flag(
    "format",
    Some('f'),
    Some("string"),
    "Format the output using the given Go template",
);

const CREATE_FLAGS: &[FlagSpec] = &[
    flag(
        "entrypoint",
        None,
        Some("string"),
        "Overwrite the default ENTRYPOINT of the image",
    ),
    ENV,
    ENV_FILE,
    INTERACTIVE,
    flag(
        "name",
        None,
        Some("string"),
        "Assign a name to the container",
    ),
    flag(
        "rm",
        None,
        None,
        "Automatically remove the container when it exits",
    ),
    TTY,
    USER,
    WORKDIR,
];

const RUN_FLAGS: &[FlagSpec] = &[
    DETACH,
    CREATE_FLAGS[0],
    ENV,
    ENV_FILE,
    INTERACTIVE,
    CREATE_FLAGS[4],
    CREATE_FLAGS[5],
    TTY,
    USER,
    WORKDIR,
];

const START_FLAGS: &[FlagSpec] = &[
    flag(
        "attach",
        Some('a'),
        None,
        "Attach STDOUT/STDERR and forward signals",
    ),
    flag("interactive", Some('i'), None, "Attach container's STDIN"),
];

const STOP_FLAGS: &[FlagSpec] = &[flag(
    "time",
    Some('t'),
    Some("int"),
    "Seconds to wait for stop before killing it (default 10)",
)];

const PS_FLAGS: &[FlagSpec] = &[
    flag(
        "all",
        Some('a'),
        None,
        "Show all containers (default shows just running)",
    ),
    flag(
        "format",
        None,
        Some("string"),
        "Pretty-print containers using a Go template",
    ),
    flag("no-trunc", None, None, "Don't truncate output"),
    flag("quiet", Some('q'), None, "Only display container IDs"),
    flag("size", Some('s'), None, "Display total file sizes"),
];

const EXEC_FLAGS: &[FlagSpec] = &[
    flag(
        "detach",
        Some('d'),
        None,
        "Detached mode: run command in the background",
    ),
    ENV,
    ENV_FILE,
    INTERACTIVE,
    TTY,
    USER,
    WORKDIR,
];

const LOGS_FLAGS: &[FlagSpec] = &[
    flag(
        "tail",
        Some('n'),
        Some("string"),
        "Number of lines to show from the end of the logs (default \"all\")",
    ),
    flag("timestamps", Some('t'), None, "Show timestamps"),
];

const COMMIT_FLAGS: &[FlagSpec] = &[
    flag(
        "author",
        Some('a'),
        Some("string"),
        "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")",
    ),
    flag(
        "change",
        Some('c'),
        Some("list"),
        "Apply Dockerfile instruction to the created image",
    ),
    flag("message", Some('m'), Some("string"), "Commit message"),
    flag(
        "pause",
        Some('p'),
        None,
        "Pause container during commit (default true)",
    ),
];

const RM_FLAGS: &[FlagSpec] = &[flag(
    "force",
    Some('f'),
    None,
    "Force the removal of a running container (uses SIGKILL)",
)];

const PRUNE_FLAGS: &[FlagSpec] = &[flag(
    "force",
    Some('f'),
    None,
    "Do not prompt for confirmation",
)];

const INSPECT_FLAGS: &[FlagSpec] = &[
    FORMAT_INSPECT,
    flag("size", Some('s'), None, "Display total file sizes"),
];

const DOCKER_INSPECT_FLAGS: &[FlagSpec] = &[
    FORMAT_INSPECT,
    flag(
        "size",
        Some('s'),
        None,
        "Display total file sizes if the type is container",
    ),
    flag(
        "type",
        None,
        Some("string"),
        "Return JSON for specified type",
    ),
];

const fn command(
    path: &'static [&'static str],
    aliases: &'static [&'static [&'static str]],
    doc: &'static str,
    usage: &'static str,
    flags: &'static [FlagSpec],
    arity: Arity,
    run: fn(&Invocation, &mut dyn Host) -> Output,
) -> CommandSpec {
    CommandSpec {
        path,
        aliases,
        doc,
        usage,
        flags,
        arity,
        interspersed: true,
        run,
    }
}

/// A command that runs a command line of its own: its flags end at the
/// first argument.
const fn command_line(
    path: &'static [&'static str],
    aliases: &'static [&'static [&'static str]],
    doc: &'static str,
    usage: &'static str,
    flags: &'static [FlagSpec],
    arity: Arity,
    run: fn(&Invocation, &mut dyn Host) -> Output,
) -> CommandSpec {
    let mut spec = command(path, aliases, doc, usage, flags, arity, run);
    spec.interspersed = false;
    spec
}

/// Docker's `container` group also holds attach, cp, export, kill, pause,
/// port, rename, restart, stats, top, unpause, update and wait; its help
/// lists only the commands layerlab runs. `docker inspect` sits here too,
/// as a top-level command of its own.
pub const GROUP: Group = Group {
    name: "container",
    doc: "Manage containers",
    commands: &[
        command_line(
            &["container", "run"],
            &[&["run"]],
            "Run a command in a new container",
            "[OPTIONS] IMAGE [COMMAND] [ARG...]",
            RUN_FLAGS,
            Arity::AtLeast(1),
            run_run,
        ),
        command_line(
            &["container", "create"],
            &[&["create"]],
            "Create a new container",
            "[OPTIONS] IMAGE [COMMAND] [ARG...]",
            CREATE_FLAGS,
            Arity::AtLeast(1),
            run_create,
        ),
        command(
            &["container", "start"],
            &[&["start"]],
            "Start one or more stopped containers",
            "[OPTIONS] CONTAINER [CONTAINER...]",
            START_FLAGS,
            Arity::AtLeast(1),
            run_start,
        ),
        command(
            &["container", "stop"],
            &[&["stop"]],
            "Stop one or more running containers",
            "[OPTIONS] CONTAINER [CONTAINER...]",
            STOP_FLAGS,
            Arity::AtLeast(1),
            run_stop,
        ),
        command(
            &["container", "ls"],
            // Docker's order, as its `Aliases:` line shows it: ls, ps, list.
            &[&["container", "ps"], &["container", "list"], &["ps"]],
            "List containers",
            "[OPTIONS]",
            PS_FLAGS,
            Arity::Exactly(0),
            run_ps,
        ),
        command_line(
            &["container", "exec"],
            &[&["exec"]],
            "Run a command in a running container",
            "[OPTIONS] CONTAINER COMMAND [ARG...]",
            EXEC_FLAGS,
            Arity::AtLeast(2),
            run_exec,
        ),
        command(
            &["container", "logs"],
            &[&["logs"]],
            "Fetch the logs of a container",
            "[OPTIONS] CONTAINER",
            LOGS_FLAGS,
            Arity::Exactly(1),
            run_logs,
        ),
        command(
            &["container", "diff"],
            &[&["diff"]],
            "Inspect changes to files or directories on a container's filesystem",
            "CONTAINER",
            &[],
            Arity::Exactly(1),
            run_diff,
        ),
        command(
            &["container", "commit"],
            &[&["commit"]],
            "Create a new image from a container's changes",
            "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
            COMMIT_FLAGS,
            Arity::Between(1, 2),
            run_commit,
        ),
        command(
            &["container", "rm"],
            &[&["rm"]],
            "Remove one or more containers",
            "[OPTIONS] CONTAINER [CONTAINER...]",
            RM_FLAGS,
            Arity::AtLeast(1),
            run_rm,
        ),
        command(
            &["container", "prune"],
            &[],
            "Remove all stopped containers",
            "[OPTIONS]",
            PRUNE_FLAGS,
            Arity::Exactly(0),
            run_prune,
        ),
        command(
            &["container", "inspect"],
            &[],
            "Display detailed information on one or more containers",
            "[OPTIONS] CONTAINER [CONTAINER...]",
            INSPECT_FLAGS,
            Arity::AtLeast(1),
            run_container_inspect,
        ),
        command(
            &["inspect"],
            &[],
            "Return low-level information on Docker objects",
            "[OPTIONS] NAME|ID [NAME|ID...]",
            DOCKER_INSPECT_FLAGS,
            Arity::AtLeast(1),
            run_inspect,
        ),
    ],
};

/// The simulated clock's time now.
fn now(engine: &EngineState) -> i64 {
    SIMULATED_EPOCH + engine.clock
}

/// `2026-11-28T03:20:01Z`, as the daemon writes times (without fractions:
/// the simulated clock counts whole seconds).
pub fn rfc3339(time: i64) -> String {
    let c = crate::calendar::civil(time);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.min, c.sec
    )
}

/// The `docker` client's own wording of a failure that is not the daemon's
/// (a missing container as `inspect` finds it, a file it cannot read).
fn client_error(message: impl std::fmt::Display) -> String {
    format!("Error: {message}")
}

/// The options `run` and `create` share, read from the line.
fn create_options(inv: &Invocation, host: &dyn Host) -> Result<CreateOptions, String> {
    let mut env_files = Vec::new();
    for path in inv.values("env-file") {
        let bytes = host.read_file(path)?;
        env_files.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    Ok(CreateOptions {
        name: inv.value("name").map(str::to_owned),
        env: inv.values("env").map(str::to_owned).collect(),
        env_files,
        host_env: host.host_env(),
        workdir: inv.value("workdir").map(str::to_owned),
        user: inv.value("user").map(str::to_owned),
        entrypoint: inv.value("entrypoint").map(str::to_owned),
        command: inv.args[1..].to_vec(),
        auto_remove: inv.has("rm"),
        tty: inv.has("tty"),
    })
}

/// The exit code docker gives a container that could not start: 127 for
/// a missing program, 126 for one that cannot be run.
fn start_failure_code(e: &ContainerError) -> i32 {
    match e {
        ContainerError::Start(StartError::NotInPath(_) | StartError::NoSuchFile(_)) => 127,
        ContainerError::Start(_) => 126,
        _ => 125,
    }
}

/// `run` and `create` look for the image locally, then pull it (the
/// catalog is the registry), saying so on stderr as docker does.
fn ensure_image(host: &mut dyn Host, reference: &str, out: &mut Output) -> Result<(), String> {
    if host.engine().image(reference).is_some() {
        return Ok(());
    }
    let tag = crate::engine::store::normalize_tag(reference);
    out.stderr
        .push(format!("Unable to find image '{tag}' locally"));
    let lines = image::pull_lines(host, reference)?;
    out.stderr.extend(lines);
    Ok(())
}

/// What docker's client says to `-it` when its input is no terminal.
const NOT_A_TTY: &str = "the input device is not a TTY";

fn run_run(inv: &Invocation, host: &mut dyn Host) -> Output {
    run_or_create(inv, host, true)
}

fn run_create(inv: &Invocation, host: &mut dyn Host) -> Output {
    run_or_create(inv, host, false)
}

fn run_or_create(inv: &Invocation, host: &mut dyn Host, start: bool) -> Output {
    let shown = inv.spec.shown_path(typed_path(inv)).join(" ");
    // `docker run` words its errors `docker: …` with a pointer to its
    // help and exits 125; `docker create` prints the daemon's words.
    let fail = |out: &mut Output, message: String, status: i32| {
        if start {
            // The CLI ends the sentence unless the daemon already did.
            let stop = if message.ends_with('.') { "" } else { "." };
            out.stderr.push(format!("docker: {message}{stop}"));
            out.stderr.push(format!("See 'docker {shown} --help'."));
        } else {
            out.stderr.push(message);
        }
        out.status = status;
    };
    let mut out = Output::default();
    let attach = start && inv.has("interactive") && inv.has("tty") && !inv.has("detach");
    if attach && !host.terminal() {
        return Output::error(NOT_A_TTY);
    }
    let opts = match create_options(inv, host) {
        Ok(o) => o,
        Err(e) => {
            fail(&mut out, e, if start { 125 } else { 1 });
            return out;
        }
    };
    let reference = &inv.args[0];
    if let Err(e) = ensure_image(host, reference, &mut out) {
        fail(&mut out, daemon_error(e), if start { 125 } else { 1 });
        return out;
    }
    if attach {
        match host.engine_mut().run_attached(reference, &opts) {
            Ok(shell) => out.attached = Some(shell),
            Err(e) => {
                let status = start_failure_code(&e);
                fail(&mut out, daemon_error(e), status);
            }
        }
        commit_changes(host, &mut out);
        return out;
    }
    let created = host.engine_mut().create_container(reference, &opts);
    let id = match created {
        Ok(id) => id,
        Err(e) => {
            let message = match e {
                ContainerError::Env(env) => env.to_string(),
                other => daemon_error(other),
            };
            fail(&mut out, message, if start { 125 } else { 1 });
            commit_changes(host, &mut out);
            return out;
        }
    };
    if !start {
        out.stdout.push(id.hex());
        commit_changes(host, &mut out);
        return out;
    }
    let detach = inv.has("detach");
    match host.engine_mut().start_container(&id.hex(), detach) {
        Ok(started) if detach => out.stdout.push(started.id.hex()),
        Ok(started) => {
            for line in started.output {
                match line.stream {
                    Stream::Stdout => out.stdout.push(line.text),
                    Stream::Stderr => out.stderr.push(line.text),
                }
            }
            out.status = started.exit_code.unwrap_or(0);
        }
        Err(e) => {
            let status = start_failure_code(&e);
            fail(&mut out, daemon_error(e), status);
        }
    }
    commit_changes(host, &mut out);
    out
}

/// The path the command was typed as, from the table.
fn typed_path(inv: &Invocation) -> &'static [&'static str] {
    inv.spec
        .paths()
        .find(|p| p.join(" ") == inv.typed)
        .unwrap_or(inv.spec.path)
}

fn run_start(inv: &Invocation, host: &mut dyn Host) -> Output {
    let attach = inv.has("attach");
    let mut out = Output::default();
    let mut failed = Vec::new();
    for reference in &inv.args {
        match host.engine_mut().start_container(reference, !attach) {
            Ok(started) if attach => {
                for line in started.output {
                    match line.stream {
                        Stream::Stdout => out.stdout.push(line.text),
                        Stream::Stderr => out.stderr.push(line.text),
                    }
                }
                out.status = started.exit_code.unwrap_or(0);
            }
            Ok(_) => out.stdout.push(reference.clone()),
            Err(e) => {
                out.stderr.push(daemon_error(e));
                failed.push(reference.as_str());
            }
        }
    }
    if !failed.is_empty() {
        out.stderr.push(client_error(format!(
            "failed to start containers: {}",
            failed.join(", ")
        )));
        out.status = 1;
    }
    commit_changes(host, &mut out);
    out
}

fn run_stop(inv: &Invocation, host: &mut dyn Host) -> Output {
    let mut out = Output::default();
    for reference in &inv.args {
        match host.engine_mut().stop_container(reference) {
            Ok(_) => out.stdout.push(reference.clone()),
            Err(e) => {
                out.stderr.push(daemon_error(e));
                out.status = 1;
            }
        }
    }
    commit_changes(host, &mut out);
    out
}

/// `"sh -c 'echo hi'"`: the command as the daemon lists it (arguments with
/// a space single-quoted), quoted by the CLI, cut at 20 characters.
pub fn command_column(c: &Container, no_trunc: bool) -> String {
    let argv = c.argv();
    let mut words: Vec<String> = argv.first().cloned().into_iter().collect();
    words.extend(argv.iter().skip(1).map(|a| {
        if a.contains(' ') {
            format!("'{a}'")
        } else {
            a.clone()
        }
    }));
    let command = words.join(" ");
    let command = if no_trunc {
        command
    } else {
        ellipsis(&command, 20)
    };
    format!("\"{}\"", command.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `Up 3 seconds`, `Exited (0) 5 seconds ago`, `Created`.
pub fn status_column(c: &Container, now: i64) -> String {
    match c.state {
        ContainerState::Created => "Created".into(),
        ContainerState::Running { .. } => {
            format!("Up {}", human_duration(now - c.started.unwrap_or(now)))
        }
        ContainerState::Exited { code } => format!(
            "Exited ({code}) {} ago",
            human_duration(now - c.finished.unwrap_or(now))
        ),
    }
}

fn state_word(c: &Container) -> &'static str {
    match c.state {
        ContainerState::Created => "created",
        ContainerState::Running { .. } => "running",
        ContainerState::Exited { .. } => "exited",
    }
}

/// Containers newest first, as docker lists them.
fn newest_first(engine: &EngineState, all: bool) -> Vec<&Container> {
    let mut list: Vec<&Container> = engine
        .containers
        .values()
        .filter(|c| all || c.is_running())
        .collect();
    list.sort_by_key(|c| std::cmp::Reverse(c.created));
    list
}

/// One `docker ps` row as `--format` sees it.
fn ps_row(c: &Container, now: i64, size: u64, virtual_size: u64, no_trunc: bool) -> Value {
    json!({
        "ID": if no_trunc { c.id.hex() } else { c.short_id() },
        "Image": c.image_ref,
        "Command": command_column(c, no_trunc),
        "CreatedAt": rfc3339(c.created),
        "RunningFor": format!("{} ago", human_duration(now - c.created)),
        "Ports": "",
        "State": state_word(c),
        "Status": status_column(c, now),
        "Size": format!("{} (virtual {})", human_size(size), human_size(virtual_size)),
        "Names": c.name,
        "Labels": "",
        "Mounts": "",
        "Networks": "none",
    })
}

/// The header docker gives a `--format 'table …'` field of `ps`.
fn ps_header(field: &str) -> String {
    match field {
        "ID" => "CONTAINER ID".into(),
        "CreatedAt" => "CREATED AT".into(),
        "RunningFor" => "CREATED".into(),
        other => other.to_uppercase(),
    }
}

fn run_ps(inv: &Invocation, host: &mut dyn Host) -> Output {
    host.engine_mut().tick();
    let mut out = Output::printed(ps_lines(inv, host.engine()));
    if let Some(format) = inv.value("format") {
        match ps_formatted(inv, host.engine(), format) {
            Ok(lines) => out.stdout = lines,
            Err(e) => out = Output::error(e),
        }
    }
    commit_changes(host, &mut out);
    out
}

fn ps_formatted(
    inv: &Invocation,
    engine: &EngineState,
    format: &str,
) -> Result<Vec<String>, String> {
    let now = now(engine);
    let usage = engine.disk_usage();
    let rows: Vec<Value> = newest_first(engine, inv.has("all"))
        .into_iter()
        .map(|c| {
            let u = usage.containers.iter().find(|u| u.id == c.id);
            ps_row(
                c,
                now,
                u.map_or(0, |u| u.size),
                u.map_or(0, |u| u.virtual_size),
                inv.has("no-trunc"),
            )
        })
        .collect();
    formatted(format, Context::Containers, &rows, ps_header)
}

/// `docker ps [-a] [-q] [-s] [--no-trunc]`.
fn ps_lines(inv: &Invocation, engine: &EngineState) -> Vec<String> {
    let no_trunc = inv.has("no-trunc");
    let list = newest_first(engine, inv.has("all"));
    if inv.has("quiet") {
        return list
            .iter()
            .map(|c| if no_trunc { c.id.hex() } else { c.short_id() })
            .collect();
    }
    let now = now(engine);
    let size = inv.has("size");
    let usage = engine.disk_usage();
    let mut header: Vec<String> = [
        "CONTAINER ID",
        "IMAGE",
        "COMMAND",
        "CREATED",
        "STATUS",
        "PORTS",
        "NAMES",
    ]
    .map(String::from)
    .to_vec();
    if size {
        header.push("SIZE".into());
    }
    let mut rows = vec![header];
    for c in list {
        let mut row = vec![
            if no_trunc { c.id.hex() } else { c.short_id() },
            c.image_ref.clone(),
            command_column(c, no_trunc),
            format!("{} ago", human_duration(now - c.created)),
            status_column(c, now),
            String::new(),
            c.name.clone(),
        ];
        if size {
            let u = usage.containers.iter().find(|u| u.id == c.id);
            row.push(format!(
                "{} (virtual {})",
                human_size(u.map_or(0, |u| u.size)),
                human_size(u.map_or(0, |u| u.virtual_size))
            ));
        }
        rows.push(row);
    }
    table(&rows)
}

/// `-e K=V` and `-e K` (from the environment, left out when unset), then
/// the env files' lines, as `exec` hands them to the process.
fn exec_env(inv: &Invocation, host: &dyn Host) -> Result<Vec<String>, String> {
    let host_env = host.host_env();
    let mut env = Vec::new();
    for path in inv.values("env-file") {
        let text = String::from_utf8_lossy(&host.read_file(path)?).into_owned();
        env.extend(
            crate::engine::container::env_file(&text, &host_env).map_err(|e| e.to_string())?,
        );
    }
    for e in inv.values("env") {
        if e.contains('=') {
            env.push(e.to_owned());
        } else if let Some((k, v)) = host_env.iter().find(|(k, _)| k == e) {
            env.push(format!("{k}={v}"));
        }
    }
    Ok(env)
}

fn run_exec(inv: &Invocation, host: &mut dyn Host) -> Output {
    let reference = &inv.args[0];
    // The client looks the container up first, in its own words.
    if let Err(e) = host.engine().container(reference) {
        return Output::error(client_error(e));
    }
    let env = match exec_env(inv, host) {
        Ok(env) => env,
        Err(e) => return Output::error(e),
    };
    if inv.has("interactive") && inv.has("tty") && !inv.has("detach") {
        if !host.terminal() {
            return Output::error(NOT_A_TTY);
        }
        let shell = host.engine_mut().exec_attached(
            reference,
            &inv.args[1..],
            &env,
            inv.value("user"),
            inv.value("workdir"),
        );
        return match shell {
            Ok(shell) => Output {
                attached: Some(shell),
                ..Output::default()
            },
            Err(e) => Output::error(daemon_error(e)),
        };
    }
    let result = host.engine_mut().exec_in_container(
        reference,
        &inv.args[1..],
        &env,
        inv.value("user"),
        inv.value("workdir"),
    );
    let mut out = match result {
        Ok(_) if inv.has("detach") => Output::default(),
        Ok(exit) => Output {
            stdout: exit.stdout.lines().map(str::to_owned).collect(),
            stderr: exit.stderr.lines().map(str::to_owned).collect(),
            status: exit.code,
            ..Output::default()
        },
        Err(ContainerError::Start(e)) => {
            let status = start_failure_code(&ContainerError::Start(e.clone()));
            let mut out = Output::error(format!(
                "OCI runtime exec failed: exec failed: unable to start container process: {e}: unknown"
            ));
            out.status = status - 1;
            out
        }
        Err(e) => Output::error(daemon_error(e)),
    };
    commit_changes(host, &mut out);
    out
}

fn run_logs(inv: &Invocation, host: &mut dyn Host) -> Output {
    host.engine_mut().tick();
    let c = match host.engine().container(&inv.args[0]) {
        Ok(c) => c.clone(),
        Err(e) => return Output::error(client_error(e)),
    };
    let tail = inv
        .value("tail")
        .filter(|t| *t != "all")
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(usize::MAX);
    let skip = c.logs.len().saturating_sub(tail);
    let mut out = Output::default();
    for line in c.logs.iter().skip(skip) {
        let text = if inv.has("timestamps") {
            let stamp = rfc3339(line.time).replace('Z', ".000000000Z");
            format!("{stamp} {}", line.text)
        } else {
            line.text.clone()
        };
        match line.stream {
            Stream::Stdout => out.stdout.push(text),
            Stream::Stderr => out.stderr.push(text),
        }
    }
    commit_changes(host, &mut out);
    out
}

fn run_diff(inv: &Invocation, host: &mut dyn Host) -> Output {
    match host.engine_mut().container_diff(&inv.args[0]) {
        Ok(changes) => Output::printed(changes.iter().map(ToString::to_string).collect()),
        Err(e) => Output::error(daemon_error(e)),
    }
}

fn run_commit(inv: &Invocation, host: &mut dyn Host) -> Output {
    let opts = CommitOptions {
        reference: inv.args.get(1).cloned(),
        author: inv.value("author").map(str::to_owned),
        message: inv.value("message").map(str::to_owned),
        changes: inv.values("change").map(str::to_owned).collect(),
    };
    let mut out = match host.engine_mut().commit_container(&inv.args[0], &opts) {
        Ok(id) => Output::printed(vec![id.to_string()]),
        Err(e) => Output::error(daemon_error(e)),
    };
    commit_changes(host, &mut out);
    out
}

fn run_rm(inv: &Invocation, host: &mut dyn Host) -> Output {
    let mut out = Output::default();
    for reference in &inv.args {
        let result = host
            .engine_mut()
            .remove_container(reference, inv.has("force"));
        match result {
            Ok(_) => out.stdout.push(reference.clone()),
            Err(e @ ContainerError::NoSuchContainer(_)) => {
                out.stderr.push(client_error(e));
                out.status = 1;
            }
            Err(e) => {
                out.stderr.push(daemon_error(e));
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
            "WARNING! This will remove all stopped containers.".into(),
            "Are you sure you want to continue? [y/N]".into(),
            "(no input here: run `docker container prune -f` to confirm)".into(),
        ]);
    }
    host.engine_mut().tick();
    let usage = host.engine().disk_usage();
    let stopped: Vec<_> = host
        .engine()
        .containers
        .values()
        .filter(|c| !c.is_running())
        .map(|c| c.id)
        .collect();
    let mut out = Output::default();
    let mut reclaimed = 0;
    for id in &stopped {
        if host.engine_mut().remove_container(&id.hex(), false).is_ok() {
            reclaimed += usage
                .containers
                .iter()
                .find(|u| u.id == *id)
                .map_or(0, |u| u.size);
            if out.stdout.is_empty() {
                out.stdout.push("Deleted Containers:".into());
            }
            out.stdout.push(id.hex());
        }
    }
    if !out.stdout.is_empty() {
        out.stdout.push(String::new());
    }
    out.stdout.push(format!(
        "Total reclaimed space: {}",
        output::human_size4(reclaimed)
    ));
    commit_changes(host, &mut out);
    out
}

/// `docker container inspect`'s document for one container.
pub fn inspect_container(c: &Container, engine: &EngineState) -> Value {
    let argv = c.argv();
    let (status, running, exit_code) = match c.state {
        ContainerState::Created => ("created", false, 0),
        ContainerState::Running { .. } => ("running", true, 0),
        ContainerState::Exited { code } => ("exited", false, code),
    };
    let never = "0001-01-01T00:00:00Z".to_string();
    let usage = engine.disk_usage();
    let size = usage.containers.iter().find(|u| u.id == c.id);
    json!({
        "Id": c.id.hex(),
        "Created": rfc3339(c.created),
        "Path": argv.first().cloned().unwrap_or_default(),
        "Args": argv.iter().skip(1).collect::<Vec<_>>(),
        "State": {
            "Status": status,
            "Running": running,
            "Paused": false,
            "Restarting": false,
            "OOMKilled": false,
            "Dead": false,
            "Pid": 0,
            "ExitCode": exit_code,
            "Error": c.error.clone().unwrap_or_default(),
            "StartedAt": c.started.map_or(never.clone(), rfc3339),
            "FinishedAt": c.finished.map_or(never, rfc3339),
        },
        "Image": c.image.to_string(),
        "Name": format!("/{}", c.name),
        "SizeRw": size.map_or(0, |u| u.size),
        "SizeRootFs": size.map_or(0, |u| u.virtual_size),
        "Config": {
            "Hostname": c.short_id(),
            "User": c.config.user,
            "Tty": c.tty,
            "Env": c.config.env_list(),
            "Cmd": c.config.cmd,
            "Image": c.image_ref,
            "WorkingDir": c.config.working_dir,
            "Entrypoint": c.config.entrypoint,
            "Labels": c.config.labels,
        },
    })
}

fn run_container_inspect(inv: &Invocation, host: &mut dyn Host) -> Output {
    let engine = host.engine();
    let mut docs = Vec::new();
    let mut missing = Vec::new();
    for reference in &inv.args {
        match engine.container(reference) {
            Ok(c) => docs.push(inspect_container(c, engine)),
            Err(e) => missing.push(e.to_string()),
        }
    }
    inspect_output(&docs, &missing, inv.value("format"))
}

fn run_inspect(inv: &Invocation, host: &mut dyn Host) -> Output {
    let engine = host.engine();
    let kind = inv.value("type");
    let mut docs = Vec::new();
    let mut missing = Vec::new();
    for reference in &inv.args {
        let container = engine
            .container(reference)
            .ok()
            .filter(|_| kind.is_none_or(|k| k == "container"));
        let found = match container {
            Some(c) => Some(inspect_container(c, engine)),
            None => engine
                .image(reference)
                .filter(|_| kind.is_none_or(|k| k == "image"))
                .map(|img| image::inspect_image(img, engine)),
        };
        match found {
            Some(doc) => docs.push(doc),
            None => missing.push(format!("No such object: {reference}")),
        }
    }
    inspect_output(&docs, &missing, inv.value("format"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_column_quotes_and_cuts_as_docker_lists_it() {
        let mut c: Container = serde_json::from_value(json!({
            "id": crate::filesystem::digest::Digest::of(b"c").to_string(),
            "name": "t1", "image": crate::filesystem::digest::Digest::of(b"i").to_string(),
            "image_ref": "exp:v1", "image_layers": [],
            "config": serde_json::to_value(crate::engine::store::RunConfig::default()).unwrap(),
            "state": "Created", "created": 0, "started": null, "finished": null,
            "rw_layer": null, "logs": [], "auto_remove": false, "tty": false, "error": null
        }))
        .unwrap();
        c.config.cmd = Some(vec!["sh".into(), "-c".into(), "echo ping $TARGET".into()]);
        assert_eq!(command_column(&c, false), "\"sh -c 'echo ping $T…\"");
        assert_eq!(command_column(&c, true), "\"sh -c 'echo ping $TARGET'\"");
        assert_eq!(status_column(&c, 5), "Created");
        c.state = ContainerState::Exited { code: 137 };
        c.finished = Some(3);
        assert_eq!(status_column(&c, 5), "Exited (137) 2 seconds ago");
    }
}
