//! `layerlab docker … --help` and `layerlab completions` through the real
//! binary: docker's help generated from the command table, the errors that
//! stay as they were, and completion scripts that know docker's commands.
//! Where Docker 20.10's client is installed (CI's `/usr/bin/docker`), the
//! help is held against its own.

use crate::support;

use layerlab::command::{help, table};
use std::path::Path;
use std::process::{Command, Output};

fn layerlab(args: &[&str]) -> Output {
    let state = tempfile::tempdir().expect("tempdir");
    support::binary::layerlab()
        .arg("--state")
        .arg(state.path())
        .args(args)
        .output()
        .expect("run layerlab")
}

fn docker(line: &str) -> Output {
    let mut args = vec!["docker"];
    args.extend(line.split_whitespace());
    layerlab(&args)
}

/// A comparison that cannot run here: said past the harness's capture, and a failure under CI,
/// which installs what these tests compare with.
fn not_run(why: &str) {
    assert!(!support::docker::in_ci(), "CI is set, but {why}");
    support::docker::loud(why);
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whitespace collapsed, so a wrapped or re-aligned text still matches.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn build_help_is_dockers_usage_and_every_flag_with_its_text() {
    let out = docker("build --help");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "
Usage:  docker build [OPTIONS] PATH | URL | -

Build an image from a Dockerfile

Options:
      --build-arg list   Set build-time variables
  -f, --file string      Name of the Dockerfile (Default is 'PATH/Dockerfile')
      --no-cache         Do not use cache when building the image
  -q, --quiet            Suppress the build output and print image ID on
                         success
  -t, --tag list         Name and optionally a tag in the 'name:tag' format
      --target string    Set the target build stage to build.
"
    );
}

#[test]
fn every_command_has_help_with_each_flag_of_the_table() {
    for spec in table::commands() {
        for path in spec.paths() {
            let line = path.join(" ");
            let out = docker(&format!("{line} --help"));
            assert_eq!(out.status.code(), Some(0), "docker {line} --help");
            let help = text(&out.stdout);
            let lines: Vec<&str> = help.lines().collect();
            assert_eq!(lines[1], spec.usage_line(path), "docker {line} --help");
            assert_eq!(lines[3], spec.doc, "docker {line} --help");
            // Flags of a newer docker are left out of 20.10's help.
            for f in (spec.flags.iter()).filter(|f| !help::NEWER_THAN_HELP.contains(&f.long)) {
                let head = match f.short {
                    Some(c) => format!("-{c}, --{}", f.long),
                    None => format!("--{}", f.long),
                };
                let entry = flat(&format!("{head} {} {}", f.value.unwrap_or(""), f.doc));
                assert!(
                    flat(&help).contains(&entry),
                    "docker {line} --help lacks `{entry}`:\n{help}"
                );
            }
        }
    }
}

#[test]
fn aliases_and_a_bare_usage_line_as_docker_shows_them() {
    let help = text(&docker("image list --help").stdout);
    assert!(help.starts_with("\nUsage:  docker image ls [OPTIONS] [REPOSITORY[:TAG]]\n"));
    assert!(help.contains("\nAliases:\n  ls, list\n"), "{help}");
    let help = text(&docker("rmi --help").stdout);
    assert!(
        !help.contains("Aliases:"),
        "docker rmi is a command of its own"
    );
    assert_eq!(
        text(&docker("builder prune -h").stdout),
        "Flag shorthand -h has been deprecated, please use --help

Usage:  docker builder prune

Remove build cache

Options:
  -a, --all                  Remove all unused build cache, not just
                             dangling ones
      --filter filter        Provide filter values (e.g. 'until=24h')
  -f, --force                Do not prompt for confirmation
      --keep-storage bytes   Amount of disk space to keep for cache
"
    );
}

#[test]
fn docker_help_lists_every_command_and_group() {
    let out = docker("--help");
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    assert!(
        help.starts_with("\nUsage:  docker [OPTIONS] COMMAND\n"),
        "{help}"
    );
    for group in table::GROUPS {
        let row = format!("\n  {:<11} {}\n", group.name, group.doc);
        assert!(help.contains(&row), "docker --help lacks {row:?}:\n{help}");
    }
    for spec in table::commands() {
        for path in spec.paths().filter(|p| p.len() == 1) {
            let row = format!("\n  {:<11} {}\n", path[0], spec.doc);
            assert!(help.contains(&row), "docker --help lacks {row:?}:\n{help}");
        }
    }
    // `docker` alone: the same help, on stderr, as docker prints it.
    let bare = docker("");
    assert_eq!(bare.status.code(), Some(0));
    assert_eq!(text(&bare.stderr), help);
}

#[test]
fn group_help_lists_the_groups_commands() {
    assert_eq!(
        text(&docker("builder --help").stdout),
        "
Usage:  docker builder COMMAND

Manage builds

Commands:
  build       Build an image from a Dockerfile
  prune       Remove build cache

Run 'docker builder COMMAND --help' for more information on a command.
"
    );
    let help = text(&docker("image --help").stdout);
    for name in ["build", "history", "ls", "rm"] {
        assert!(help.contains(&format!("\n  {name:<11} ")), "{help}");
    }
    assert!(!help.contains("  list "), "aliases are not listed: {help}");
}

#[test]
fn unknown_flags_still_error_as_docker_does() {
    let out = docker("build --nope .");
    assert_eq!(
        out.status.code(),
        Some(125),
        "docker's status for a flag it cannot read"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(
        text(&out.stderr),
        "unknown flag: --nope\nSee 'docker build --help'.\n"
    );
    // A bad flag is named before help is given, as docker does.
    let out = docker("images --help -x");
    assert_eq!(out.status.code(), Some(125));
    assert_eq!(
        text(&out.stderr),
        "unknown shorthand flag: 'x' in -x\nSee 'docker images --help'.\n"
    );
    // On a group, docker follows the error with the group's help.
    let out = docker("image --nope");
    assert_eq!(out.status.code(), Some(125));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(
            "unknown flag: --nope\nSee 'docker image --help'.\n\nUsage:  docker image COMMAND\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("\n  ls          List images\n"), "{stderr}");
}

/// Docker 20.10's help for `line`, if that client is installed.
fn docker_2010(line: &str) -> Option<String> {
    let client = Path::new("/usr/bin/docker");
    let version = Command::new(client).arg("--version").output().ok()?;
    if !text(&version.stdout).starts_with("Docker version 20.10.") {
        return None;
    }
    let mut cmd = Command::new(client);
    cmd.args(line.split_whitespace()).arg("--help");
    Some(text(&cmd.output().ok()?.stdout))
}

/// A help text's entries under `section` (`Options:`, `Commands:`), each
/// with its wrapped lines joined and its whitespace collapsed.
fn entries(help: &str, section: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut inside = false;
    for line in help.lines() {
        if line == section {
            inside = true;
        } else if line.is_empty() {
            inside = false;
        } else if inside {
            // An entry starts with its name or flag; its wrapped text is
            // indented further than any name.
            let wrapped = line.starts_with("        ") && !line.trim_start().starts_with('-');
            match out.last_mut() {
                Some(last) if wrapped => *last = flat(&format!("{last} {line}")),
                _ => out.push(flat(line)),
            }
        }
    }
    out
}

#[test]
fn help_matches_docker_20_10_where_it_is_installed() {
    if docker_2010("").is_none() {
        not_run("Docker 20.10's client is not at /usr/bin/docker (apt-get install -y docker.io): help NOT compared with docker's");
        return;
    }
    let mut lines: Vec<String> = vec![String::new()];
    lines.extend(table::GROUPS.iter().map(|g| g.name.to_string()));
    for spec in table::commands() {
        lines.extend(spec.paths().map(|p| p.join(" ")));
    }
    for line in lines {
        let theirs = docker_2010(&line).expect("docker --help");
        let ours = text(&docker(&format!("{line} --help")).stdout);
        // The usage line, the description and the aliases, word for word.
        let head = |s: &str| -> Vec<String> {
            s.lines()
                .take_while(|l| *l != "Options:" && !l.ends_with("Commands:"))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(head(&ours), head(&theirs), "docker {line} --help");
        // Every flag and command layerlab lists, as docker lists it.
        for section in ["Options:", "Commands:", "Management Commands:"] {
            let docker_entries = entries(&theirs, section);
            for entry in entries(&ours, section) {
                assert!(
                    docker_entries.contains(&entry),
                    "docker {line} --help has no `{entry}` under {section}\n{theirs}"
                );
            }
        }
    }
}

#[test]
fn usage_errors_match_docker_20_10_where_it_is_installed() {
    if docker_2010("").is_none() {
        not_run("Docker 20.10's client is not at /usr/bin/docker (apt-get install -y docker.io): usage errors NOT compared with docker's");
        return;
    }
    // Lines the client refuses before it asks a daemon anything: its words
    // and its exit status are what a learner's docker would answer.
    let lines = [
        "run --bogus x",
        "run -e",
        "run --env",
        "image ls -Z",
        "ps -q extra",
        "run",
        "container commit",
        "bogus",
        "image --nope",
        "build --nope .",
        "exec -it",
        // Input from no terminal: refused before anything is made.
        "run -it busybox sh",
    ];
    for line in lines {
        let theirs = Command::new("/usr/bin/docker")
            .args(line.split_whitespace())
            // No daemon is asked; an unreachable one keeps it so.
            .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
            .output()
            .expect("run docker");
        let ours = docker(line);
        assert_eq!(
            ours.status.code(),
            theirs.status.code(),
            "exit status of `docker {line}`"
        );
        // Word for word up to the help docker may add (whose lists hold
        // docker's commands and options, not only layerlab's).
        let head = |o: &Output| text(&o.stderr).split("\n\n").next().map(str::to_string);
        assert_eq!(head(&ours), head(&theirs), "stderr of `docker {line}`");
        let usage = |o: &Output| {
            text(&o.stderr)
                .lines()
                .find(|l| l.starts_with("Usage:"))
                .map(str::to_string)
        };
        assert_eq!(
            usage(&ours),
            usage(&theirs),
            "usage given after `docker {line}`"
        );
    }
}

#[test]
fn completion_scripts_know_dockers_commands_and_flags() {
    for shell in ["bash", "zsh", "fish"] {
        let out = layerlab(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        for word in [
            "docker",
            "image",
            "images",
            "history",
            "rmi",
            "builder",
            "prune",
            "no-cache",
            "build-arg",
        ] {
            assert!(script.contains(word), "the {shell} script lacks {word}");
        }
    }
}

#[test]
fn bash_completes_docker_subcommands_and_flags() {
    let script = text(&layerlab(&["completions", "bash"]).stdout);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("layerlab.bash");
    std::fs::write(&file, script).expect("write script");
    // What bash offers at the end of each line, as its completion would.
    let probe = r#"
        source "$1"
        complete_at() {
            COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
            COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
            _layerlab layerlab "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
            echo "${COMPREPLY[*]}"
        }
        complete_at layerlab docker ""
        complete_at layerlab docker image ""
        complete_at layerlab docker build --no
        complete_at layerlab compl
    "#;
    let Ok(out) = Command::new("bash")
        .args(["-c", probe, "probe"])
        .arg(&file)
        .output()
    else {
        not_run("bash is not installed: completions NOT tried in bash");
        return;
    };
    let said = text(&out.stdout);
    let lines: Vec<Vec<&str>> = said.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(lines.len(), 4, "{said}{}", text(&out.stderr));
    for name in ["build", "builder", "history", "image", "images", "rmi"] {
        assert!(
            lines[0].contains(&name),
            "docker <TAB> lacks {name}: {said}"
        );
    }
    for name in ["build", "history", "ls", "rm"] {
        assert!(
            lines[1].contains(&name),
            "docker image <TAB> lacks {name}: {said}"
        );
    }
    assert_eq!(lines[2], ["--no-cache"]);
    assert_eq!(lines[3], ["completions"]);
}

/// One learner's session: `layerlab docker …` lines sharing a state
/// directory, run in a working directory.
struct Session {
    state: tempfile::TempDir,
    cwd: tempfile::TempDir,
}

impl Session {
    fn new() -> Session {
        Session {
            state: tempfile::tempdir().expect("state dir"),
            cwd: tempfile::tempdir().expect("work dir"),
        }
    }

    /// Run `words` (docker's arguments, already split) and return the
    /// output.
    fn run(&self, words: &[&str]) -> Output {
        support::binary::layerlab()
            .arg("--state")
            .arg(self.state.path())
            .arg("docker")
            .args(words)
            .current_dir(self.cwd.path())
            .output()
            .expect("run layerlab")
    }

    /// A transcript entry: the line, its exit code, stdout and stderr.
    fn transcript(&self, words: &[&str]) -> (String, Output) {
        let out = self.run(words);
        let mut t = format!(
            "$ docker {}\n[{}]\n",
            words.join(" "),
            out.status.code().unwrap_or(-1)
        );
        t.push_str(&text(&out.stdout));
        for l in text(&out.stderr).lines() {
            t.push_str(&format!("!{l}\n"));
        }
        (t, out)
    }
}

fn copy_web_ping(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/web-ping");
    let dir = to.join("web-ping");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for name in ["Dockerfile", "app.js"] {
        std::fs::copy(from.join(name), dir.join(name)).expect("copy the example");
        // COPY keeps a file's time, which the image id then depends on.
        let fixed = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        std::fs::File::options()
            .write(true)
            .open(dir.join(name))
            .and_then(|f| f.set_modified(fixed))
            .expect("set the example's time");
    }
}

/// A size as docker prints it, in bytes.
fn bytes_of(size: &str) -> f64 {
    let split = size
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(size.len());
    let (n, unit) = size.split_at(split);
    let n: f64 = n.parse().unwrap_or(0.0);
    n * match unit {
        "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        _ => 1.0,
    }
}

#[test]
fn the_lecture_plays_with_commands_only() {
    let s = Session::new();
    copy_web_ping(s.cwd.path());
    let mut transcript = String::new();
    let mut step = |words: &[&str]| -> Output {
        let (t, out) = s.transcript(words);
        transcript.push_str(&t);
        out
    };
    assert!(step(&["image", "pull", "diamol/node"]).status.success());
    assert!(step(&["image", "build", "-t", "web-ping", "web-ping"])
        .status
        .success());
    // The app pings on simulated time and runs until stopped: the run
    // shows its first seconds, `logs` what it printed since.
    let ran = step(&[
        "run",
        "-e",
        "TARGET=www.daum.net",
        "--name",
        "practice",
        "web-ping",
    ]);
    assert!(ran.status.success());
    let pings = text(&ran.stdout);
    assert!(
        pings.starts_with(
            "Pinging www.daum.net with HEAD every 3000ms\n#1 HEAD https://www.daum.net -> 200 in "
        ),
        "{pings}"
    );
    let logs = step(&["logs", "practice"]);
    let logged = text(&logs.stdout);
    assert!(logged.starts_with(&pings), "{logged}");
    let inspect = step(&["inspect", "-f", "{{json .Config.Env}}", "practice"]);
    assert!(text(&inspect.stdout).contains("TARGET=www.daum.net"));
    let ls = step(&["image", "ls"]);
    let df = step(&["system", "df"]);
    // Shared layers make the disk's total smaller than image ls's sum.
    let listed: f64 = text(&ls.stdout)
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().last().map(bytes_of))
        .sum();
    let images_row = text(&df.stdout);
    let images_row = images_row.lines().nth(1).expect("Images row");
    let on_disk = bytes_of(images_row.split_whitespace().nth(3).expect("SIZE"));
    assert!(on_disk < listed, "system df {on_disk} vs image ls {listed}");
    // The image's entrypoint script is node's; the hand-made container
    // runs a plain command instead.
    step(&[
        "run",
        "-d",
        "--name",
        "hand",
        "--entrypoint",
        "",
        "diamol/node",
        "sleep",
        "600",
    ]);
    assert!(
        step(&["exec", "hand", "sh", "-c", "echo made by hand > /hand.txt"])
            .status
            .success()
    );
    let diff = step(&["diff", "hand"]);
    assert!(text(&diff.stdout).contains("A /hand.txt"));
    let commit = step(&[
        "commit",
        "-c",
        "CMD cat /hand.txt",
        "-m",
        "by hand",
        "hand",
        "handmade",
    ]);
    assert!(commit.status.success());
    let history = step(&["image", "history", "handmade"]);
    assert!(text(&history.stdout)
        .lines()
        .nth(1)
        .is_some_and(|l| l.contains("by hand")));
    let ran = step(&["run", "--rm", "handmade"]);
    assert_eq!(text(&ran.stdout), "made by hand\n");
    assert!(step(&["stop", "practice"]).status.success());
    let ps = step(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
    assert!(text(&ps.stdout).contains("practice Exited (137)"));
    // The clock moved on with every command and the app pinged on until
    // it was killed.
    let later = text(&step(&["logs", "practice"]).stdout);
    assert!(later.starts_with(&logged), "{later}");
    assert!(later.lines().count() > logged.lines().count(), "{later}");
    insta::assert_snapshot!("lecture_commands", transcript);
}

#[test]
fn a_quiet_build_prints_the_image_id_or_on_failure_its_progress_on_stderr() {
    let s = Session::new();
    let dockerfile = s.cwd.path().join("Dockerfile");
    std::fs::write(&dockerfile, "FROM busybox\nRUN echo hi > /x\n").expect("Dockerfile");
    for builder in ["1", "0"] {
        let out = support::binary::layerlab()
            .arg("--state")
            .arg(s.state.path())
            .args(["docker", "build", "-q", "."])
            .env("DOCKER_BUILDKIT", builder)
            .current_dir(s.cwd.path())
            .output()
            .expect("run layerlab");
        assert_eq!(out.status.code(), Some(0), "DOCKER_BUILDKIT={builder}");
        let stdout = text(&out.stdout);
        let id = stdout
            .strip_suffix('\n')
            .and_then(|l| l.strip_prefix("sha256:"));
        assert!(
            id.is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())),
            "DOCKER_BUILDKIT={builder}: {stdout:?}"
        );
    }
    std::fs::write(&dockerfile, "FROM busybox\nRUN false\n").expect("Dockerfile");
    let out = s.run(&["build", "-q", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("[2/2] RUN false"), "{stderr}");
    assert!(stderr.trim_end().ends_with("exit code: 1"), "{stderr}");
}

#[test]
fn container_commands_and_their_errors_as_docker_words_them() {
    let s = Session::new();
    std::fs::write(
        s.cwd.path().join("Dockerfile"),
        "FROM busybox\nENV TARGET=a.com\nRUN mkdir /app && echo hi > /app/x\nCMD [\"sh\",\"-c\",\"echo ping $TARGET\"]\n",
    )
    .expect("Dockerfile");
    std::fs::write(s.cwd.path().join("env.list"), "# comment\nMODE=test\n").expect("env file");
    let lines: &[&[&str]] = &[
        &["pull", "busybox"],
        &["pull", "busybox:latest"],
        &["pull", "nosuch"],
        &["build", "-q", "-t", "exp:v1", "."],
        &["build", "-t", "exp:v1", "."],
        &["build", "-q", "--nope", "."],
        &["run"],
        &["run", "--nope", "exp:v1"],
        &[
            "run",
            "-e",
            "A=1",
            "--env-file",
            "env.list",
            "--name",
            "t1",
            "exp:v1",
            "sh",
            "-c",
            "echo $A $MODE $TARGET",
        ],
        &["run", "--name", "t1", "exp:v1"],
        &["run", "--env-file", "nosuch.list", "exp:v1"],
        &["run", "exp:v1", "--nope"],
        &["run", "--entrypoint", "echo", "exp:v1", "-n", "x"],
        &[
            "run",
            "-w",
            "/work",
            "-u",
            "nobody",
            "exp:v1",
            "sh",
            "-c",
            "pwd; id -u",
        ],
        &["create", "--name", "c1", "exp:v1"],
        &["start", "c1"],
        &["run", "-d", "--name", "t2", "exp:v1", "sleep", "100"],
        &["ps"],
        &["ps", "-a"],
        &["ps", "-a", "-s"],
        &["ps", "-aq"],
        &["ps", "-a", "--no-trunc"],
        &["ps", "-a", "--format", "{{.Names}} {{.Status}}"],
        &["ps", "-a", "--format", "table {{.ID}}\\t{{.Names}}"],
        &["ps", "--format", "{{.Nope}}"],
        &["ps", "--format", "{{upper .Names}}"],
        &["exec", "t2", "sh", "-c", "echo hi > /app/y; rm /app/x"],
        &["exec", "t2", "nosuch"],
        &["exec", "t1", "ls"],
        &["exec", "nosuch", "ls"],
        &["exec", "t2"],
        &["diff", "t2"],
        &["diff", "nosuch"],
        &["logs", "t1"],
        &["logs", "nosuch"],
        &["commit", "-c", "FOO x", "t2"],
        &["commit", "nosuch"],
        &[
            "commit",
            "-c",
            "CMD [\"echo\",\"c\"]",
            "-m",
            "msg",
            "-a",
            "me",
            "t2",
            "exp:c",
        ],
        &["history", "exp:c"],
        &[
            "inspect",
            "-f",
            "{{.Author}} {{.Comment}} {{json .Config.Cmd}}",
            "exp:c",
        ],
        &["inspect", "-f", "{{.Config.Nope}}", "exp:c"],
        &["inspect", "-f", "{{.State.Status}} {{.Name}}", "t2"],
        &["inspect", "nosuch"],
        &["container", "inspect", "nosuch"],
        &["image", "inspect", "nosuch"],
        &["images"],
        &["images", "-q"],
        &["images", "--digests"],
        &["images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}"],
        &["images", "--format", "{{.Repository"],
        &["tag", "exp:v1", "exp:v2"],
        &["tag", "nosuch", "exp:v3"],
        &["tag", "exp:v1", "Bad:x"],
        &["system", "df"],
        &["system", "df", "-v"],
        &["rmi", "exp:v1"],
        &["rm", "t2"],
        &["rm", "nosuch"],
        &["stop", "t2"],
        &["stop", "nosuch"],
        &["container", "prune"],
        &["container", "prune", "-f"],
        &["ps", "-a"],
        &["save", "exp:c"],
        &["save", "-o", "exp.tar", "nosuch"],
        &["save", "-o", "exp.tar", "exp:c"],
        &["rmi", "exp:c"],
        &["load", "-i", "exp.tar"],
        &["load", "-i", "nosuch.tar"],
        &["image", "prune", "-f"],
        &["image", "prune", "-a", "-f"],
        &["images"],
    ];
    let mut transcript = String::new();
    for words in lines {
        transcript.push_str(&s.transcript(words).0);
    }
    insta::assert_snapshot!("container_commands", transcript);
}

#[test]
fn every_new_command_has_dockers_help() {
    for line in [
        "run",
        "ps",
        "container ls",
        "system df",
        "pull",
        "commit",
        "inspect",
    ] {
        let out = docker(&format!("{line} --help"));
        assert_eq!(out.status.code(), Some(0), "{line}");
        insta::assert_snapshot!(
            format!("help_{}", line.replace(' ', "_")),
            text(&out.stdout)
        );
    }
}

/// `docker load -i` of layerlab's `save` on the live engine: it loads, and
/// the engine reports layerlab's diff IDs and config.
#[test]
fn the_live_engine_loads_what_layerlab_saves() {
    let Some(engine) =
        support::docker::engine_for_test("the_live_engine_loads_what_layerlab_saves")
    else {
        return;
    };
    let s = Session::new();
    std::fs::write(
        s.cwd.path().join("Dockerfile"),
        "FROM busybox\nENV TARGET=a.com\nRUN mkdir /app && echo hi > /app/x\nCMD [\"sh\",\"-c\",\"echo ping $TARGET\"]\n",
    )
    .expect("Dockerfile");
    assert!(s
        .run(&["build", "-t", "layerlab-saved:v1", "."])
        .status
        .success());
    let tar = s.cwd.path().join("saved.tar");
    let saved = s.run(&["save", "-o", "saved.tar", "layerlab-saved:v1"]);
    assert!(saved.status.success(), "{}", text(&saved.stderr));
    let ours = s.run(&[
        "image",
        "inspect",
        "-f",
        "{{json .RootFS.Layers}} {{json .Config.Env}} {{json .Config.Cmd}}",
        "layerlab-saved:v1",
    ]);
    let live = |args: &[&str]| {
        Command::new(&engine.cli)
            .args(args)
            .env("DOCKER_HOST", &engine.host)
            .output()
            .expect("docker")
    };
    let loaded = live(&["load", "-i", tar.to_str().expect("utf-8 path")]);
    assert!(
        loaded.status.success(),
        "docker load: {}",
        text(&loaded.stderr)
    );
    assert_eq!(
        text(&loaded.stdout).trim(),
        "Loaded image: layerlab-saved:v1"
    );
    let theirs = live(&[
        "image",
        "inspect",
        "-f",
        "{{json .RootFS.Layers}} {{json .Config.Env}} {{json .Config.Cmd}}",
        "layerlab-saved:v1",
    ]);
    live(&["rmi", "layerlab-saved:v1"]);
    assert_eq!(text(&theirs.stdout), text(&ours.stdout));
}

#[test]
fn catalog_programs_behave_as_their_images_declare() {
    let s = Session::new();
    let mut transcript = String::new();
    let mut step = |words: &[&str]| -> Output {
        let (t, out) = s.transcript(words);
        transcript.push_str(&t);
        out
    };
    // node's entrypoint runs its arguments, with node in front of a flag.
    let version = step(&["run", "--rm", "diamol/node", "node", "--version"]);
    assert_eq!(text(&version.stdout), "v10.16.0\n");
    let flag = step(&["run", "--rm", "diamol/node", "--version"]);
    assert_eq!(text(&flag.stdout), "v10.16.0\n");
    // A shell inside finds the same declared program.
    let shell = step(&[
        "run",
        "--rm",
        "diamol/node",
        "sh",
        "-c",
        "node -v && echo ok",
    ]);
    assert_eq!(text(&shell.stdout), "v10.16.0\nok\n");
    // What node cannot run keeps its clear message.
    let unknown = step(&["run", "--rm", "diamol/node", "node", "-e", "1"]);
    assert_eq!(unknown.status.code(), Some(127));
    assert!(text(&unknown.stderr).contains("layerlab has no program \"node\""));
    let python = step(&["run", "--rm", "python:3.12-slim", "python", "--version"]);
    assert_eq!(text(&python.stdout), "Python 3.12.6\n");
    // nginx prints its entrypoint's lines and serves until stopped.
    assert!(step(&["run", "-d", "--name", "web", "nginx:alpine"])
        .status
        .success());
    let logs = step(&["logs", "web"]);
    assert!(text(&logs.stdout)
        .ends_with("/docker-entrypoint.sh: Configuration complete; ready for start up\n"));
    let ps = step(&["ps", "--format", "{{.Names}} {{.Status}}"]);
    assert!(text(&ps.stdout).starts_with("web Up "));
    assert!(step(&["stop", "web"]).status.success());
    insta::assert_snapshot!("catalog_programs", transcript);
}

#[test]
fn a_detached_web_ping_logs_on_simulated_time_until_stopped() {
    let s = Session::new();
    copy_web_ping(s.cwd.path());
    assert!(s
        .run(&["build", "-t", "web-ping", "web-ping"])
        .status
        .success());
    let run = s.run(&[
        "run",
        "-d",
        "-e",
        "TARGET=example.org",
        "-e",
        "INTERVAL=1000",
        "--name",
        "pinger",
        "web-ping",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let first = text(&s.run(&["logs", "pinger"]).stdout);
    assert!(
        first.starts_with(
            "Pinging example.org with HEAD every 1000ms\n#1 HEAD https://example.org -> 200 in "
        ),
        "{first}"
    );
    // Each command moves the clock: the app has pinged again since.
    let second = text(&s.run(&["logs", "pinger"]).stdout);
    assert!(
        second.starts_with(&first) && second.len() > first.len(),
        "{second}"
    );
    assert!(s.run(&["stop", "pinger"]).status.success());
    let stopped = text(&s.run(&["logs", "pinger"]).stdout);
    assert_eq!(
        text(&s.run(&["logs", "pinger"]).stdout),
        stopped,
        "no pings after the stop"
    );
    // An edited app.js is no longer the script the example declares.
    std::fs::write(s.cwd.path().join("web-ping/app.js"), "console.log(1)\n").expect("edit");
    assert!(s
        .run(&["build", "-t", "edited", "web-ping"])
        .status
        .success());
    let edited = s.run(&["run", "--rm", "edited"]);
    assert_eq!(edited.status.code(), Some(127));
    assert!(text(&edited.stderr).contains("layerlab has no program \"node\""));
}

#[test]
fn the_web_ping_declaration_describes_the_example_app() {
    let app = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/web-ping/app.js"),
    )
    .expect("app.js");
    let declared: Vec<_> = layerlab::engine::programs::scripts()
        .filter(|s| s.file == "app.js")
        .collect();
    assert_eq!(declared.len(), 1);
    assert_eq!(
        declared[0].sha256,
        layerlab::filesystem::digest::Digest::of(&app).to_string()
    );
}

/// A stage name used twice: Docker 20.10's classic builder builds the
/// stages before it, then stops at that FROM with its own words; its
/// BuildKit builds the file (checked on the live engine).
#[test]
fn a_stage_name_used_twice_stops_the_classic_builder_at_that_from() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("Dockerfile"),
        "FROM busybox AS a\nRUN echo 1\nFROM busybox AS a\nRUN echo 2\n",
    )
    .expect("Dockerfile");
    let build = |buildkit: &str| {
        support::binary::layerlab()
            .arg("--state")
            .arg(tmp.path().join("state"))
            .args(["docker", "build", "."])
            .env("DOCKER_BUILDKIT", buildkit)
            .current_dir(tmp.path())
            .output()
            .expect("layerlab")
    };
    let classic = build("0");
    let out = String::from_utf8_lossy(&classic.stdout);
    assert_eq!(classic.status.code(), Some(1), "{out}");
    assert!(out.contains("Step 2/4 : RUN echo 1"), "{out}");
    assert!(!out.contains("Step 3/4"), "{out}");
    assert_eq!(
        String::from_utf8_lossy(&classic.stderr).trim_end(),
        "a stage name already used"
    );
    let buildkit = build("1");
    assert!(
        buildkit.status.success(),
        "{}",
        String::from_utf8_lossy(&buildkit.stderr)
    );
}

/// `layerlab docker images | head -0`: the reader of the pipe is gone
/// before anything is written; the output ends quietly, as docker's does,
/// instead of a panic. So for every command that prints.
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let state = tempfile::tempdir().expect("tempdir");
    let export = state.path().join("slides");
    let export = export.to_str().expect("utf-8 path");
    let lesson = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons/01-first-image");
    let lines: [&[&str]; 7] = [
        &["docker", "images"],
        &["docker", "pull", "busybox"],
        &["lesson", "list"],
        &["lesson", "check", lesson],
        &["completions", "bash"],
        &["present", "--export", export, "02"],
        &["docker", "run", "busybox", "echo", "hi"],
    ];
    for line in lines {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = support::binary::layerlab()
            .arg("--state")
            .arg(state.path())
            .args(line)
            .stdout(writer)
            .output()
            .expect("run layerlab");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{line:?}: {stderr}");
        assert!(out.status.success(), "{line:?}: {:?} {stderr}", out.status);
    }
}
