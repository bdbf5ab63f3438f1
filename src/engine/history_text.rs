//! The `created_by` text each builder writes into image history, per
//! instruction, from already-expanded arguments.
//!
//! Classic builder (moby v20.10.24 builder/dockerfile): a step's history
//! text is its container command joined with spaces. Steps that run nothing
//! get a "nop" command:
//! * most metadata instructions: shell + `"#(nop) "` + text as two words
//!   (`withCmdComment`), hence the double space:
//!   `/bin/sh -c #(nop)  CMD ["cat" "/app/app.js"]` (recorded: 01);
//! * WORKDIR, COPY, ADD: shell + `"#(nop) " + text` as one word
//!   (`withCmdCommentString`): `/bin/sh -c #(nop) WORKDIR /app` (01);
//! * the shell is the stage's current `SHELL` (default `/bin/sh -c`).
//!
//! BuildKit (dockerfile2llb `commitToHistory`): the instruction keyword and
//! its text; steps that produce a layer through LLB (RUN, COPY, ADD) get
//! ` # buildkit` appended: `COPY app.js . # buildkit`,
//! `RUN /bin/sh -c … # buildkit`, `WORKDIR /app` (no suffix although it
//! makes a layer). ONBUILD writes no history row at all. Two frontends:
//! [`BuildkitFrontend::Docker2010`] (v0.8, built into Docker 20.10, what
//! `expected.json` recorded) and [`BuildkitFrontend::Head`] (1.26, what
//! `expected.buildkit-head.json` recorded); they differ only where noted.

use crate::engine::classic_hash::ClassicSourceHash;
use crate::gofmt;

/// The shell a stage starts with on Linux.
pub const DEFAULT_SHELL: [&str; 2] = ["/bin/sh", "-c"];

/// Which BuildKit Dockerfile frontend wrote the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BuildkitFrontend {
    /// BuildKit v0.8 as vendored by Docker Engine 20.10.24.
    Docker2010,
    /// BuildKit HEAD (frontend 1.26): what `--builder buildkit` follows.
    #[default]
    Head,
}

/// A HEALTHCHECK as the image config stores it. Durations in nanoseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Healthcheck {
    /// `["CMD-SHELL", "curl -f …"]`, `["CMD", …]` or `["NONE"]`.
    pub test: Vec<String>,
    pub interval_ns: i64,
    pub timeout_ns: i64,
    pub start_period_ns: i64,
    /// `--start-interval`: only BuildKit HEAD stores (and prints) it.
    pub start_interval_ns: i64,
    pub retries: i64,
}

/// An instruction that only changes image metadata (no layer), with its
/// arguments already expanded and resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataInstruction<'a> {
    /// `ENV k=v …`: pairs as given, quotes already removed.
    Env(&'a [(String, String)]),
    /// `LABEL k=v …`.
    Label(&'a [(String, String)]),
    /// `ARG k[=v] …`. The value to show differs by builder: classic and
    /// BuildKit v0.8 print the Dockerfile's default verbatim (recorded: 12
    /// shows `ARG APP_VERSION=1.0`); BuildKit HEAD prints the effective
    /// value (a `--build-arg` wins over the expanded default, and a bare
    /// `ARG X` inherits a global ARG's value without printing it).
    Arg(&'a [(String, Option<String>)]),
    /// `CMD`: the resolved command, the shell prepended for shell form.
    Cmd(&'a [String]),
    /// `ENTRYPOINT`: resolved like CMD.
    Entrypoint(&'a [String]),
    Healthcheck(&'a Healthcheck),
    /// `EXPOSE`: the words after variable expansion (`80`, `443/udp`,
    /// `8000-8001`).
    Expose(&'a [String]),
    User(&'a str),
    Volume(&'a [String]),
    StopSignal(&'a str),
    /// `SHELL`: the new shell, which is also the nop prefix of its own row
    /// in the classic builder (`dispatchShell` sets it before committing).
    Shell(&'a [String]),
    /// `ONBUILD`: the trigger's original text.
    Onbuild(&'a str),
    Maintainer(&'a str),
}

/// Classic `created_by` of a metadata instruction; `shell` is the stage's
/// SHELL before it (empty means [`DEFAULT_SHELL`]).
pub fn classic_metadata(shell: &[String], instruction: &MetadataInstruction<'_>) -> String {
    use MetadataInstruction as M;
    let (shell, text) = match instruction {
        M::Env(pairs) => (shell, format!("ENV{}", key_values(pairs))),
        M::Label(pairs) => (shell, format!("LABEL{}", key_values(pairs))),
        M::Arg(args) => (shell, format!("ARG {}", arg_list(args))),
        M::Cmd(cmd) => (shell, format!("CMD {}", gofmt::quote_list(cmd))),
        M::Entrypoint(cmd) => (shell, format!("ENTRYPOINT {}", gofmt::quote_list(cmd))),
        M::Healthcheck(check) => (shell, healthcheck_quoted(check)),
        // The words as written, joined: `EXPOSE 80 443/udp`.
        M::Expose(words) => (shell, format!("EXPOSE {}", words.join(" "))),
        M::User(user) => (shell, format!("USER {user}")),
        M::Volume(paths) => (shell, format!("VOLUME {}", gofmt::plain_list(paths))),
        M::StopSignal(signal) => (shell, format!("STOPSIGNAL {signal}")),
        M::Shell(new_shell) => (
            *new_shell,
            format!("SHELL {}", gofmt::plain_list(new_shell)),
        ),
        M::Onbuild(trigger) => (shell, format!("ONBUILD {trigger}")),
        M::Maintainer(name) => (shell, format!("MAINTAINER {name}")),
    };
    format!("{} #(nop)  {text}", shell_words(shell))
}

/// Classic `created_by` of RUN: the command (shell prepended for shell form:
/// `/bin/sh -c echo hi`; exec form as is) behind the build args in effect,
/// sorted as `k=v` strings and counted: `|1 APP_VERSION=1.0 /bin/sh -c …`
/// (recorded: 12). The caller passes only the args dockerd keeps
/// (`FilterAllowed` + `IsReferencedOrNotBuiltin`: declared ARGs with a
/// value, not shadowed by ENV; proxy args only when declared).
pub fn classic_run(cmd: &[String], build_args: &[(String, String)]) -> String {
    let mut words: Vec<String> = Vec::new();
    if !build_args.is_empty() {
        let mut args: Vec<String> = build_args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        args.sort();
        words.push(format!("|{}", args.len()));
        words.extend(args);
    }
    words.extend(cmd.iter().cloned());
    words.join(" ")
}

/// Classic `created_by` of WORKDIR: the resolved absolute directory,
/// one-word nop form (`/bin/sh -c #(nop) WORKDIR /app`, recorded: 01, 17).
pub fn classic_workdir(shell: &[String], workdir: &str) -> String {
    format!("{} #(nop) WORKDIR {workdir}", shell_words(shell))
}

/// Classic `created_by` of COPY/ADD (`performCopy`):
/// `/bin/sh -c #(nop) COPY <hash> in <dest> ` with the trailing space, the
/// destination exactly as written after variable expansion (WORKDIR not
/// applied: recorded `in . ` (01, 17), `in /app/ ` (21), `in /app/app.js `
/// (04)). `--chown=<value>` is glued to the hash with no space, as dockerd
/// prints it; `--from` does not show (recorded: 16).
pub fn classic_copy(
    command: &str,
    chown: Option<&str>,
    hash: &ClassicSourceHash,
    dest: &str,
    shell: &[String],
) -> String {
    let chown = chown.map(|c| format!("--chown={c}")).unwrap_or_default();
    format!(
        "{} #(nop) {command} {chown}{hash} in {dest} ",
        shell_words(shell)
    )
}

/// `HEALTHCHECK` as the classic builder and BuildKit's docker-20.10
/// frontend both write it: `%q` of a *container.HealthConfig, `&{` fields
/// `}`, each field quoted, the int Retries as a rune literal.
fn healthcheck_quoted(check: &Healthcheck) -> String {
    format!(
        "HEALTHCHECK &{{{} {} {} {} {}}}",
        gofmt::quote_list(&check.test),
        gofmt::quote(&gofmt::duration(check.interval_ns)),
        gofmt::quote(&gofmt::duration(check.timeout_ns)),
        gofmt::quote(&gofmt::duration(check.start_period_ns)),
        gofmt::quote_int_as_rune(check.retries),
    )
}

/// BuildKit `created_by` of a metadata instruction; `None` for ONBUILD,
/// which BuildKit records in the config only.
pub fn buildkit_metadata(
    frontend: BuildkitFrontend,
    instruction: &MetadataInstruction<'_>,
) -> Option<String> {
    use MetadataInstruction as M;
    let text = match instruction {
        // Recorded: 09 `ENV GREETING=bonjour`.
        M::Env(pairs) => format!("ENV{}", key_values(pairs)),
        M::Label(pairs) => format!("LABEL{}", key_values(pairs)),
        // Recorded: 12 `ARG APP_VERSION=1.0`.
        M::Arg(args) => format!("ARG {}", arg_list(args)),
        // Recorded: 01 `CMD ["cat" "/app/app.js"]`.
        M::Cmd(cmd) => format!("CMD {}", gofmt::quote_list(cmd)),
        M::Entrypoint(cmd) => format!("ENTRYPOINT {}", gofmt::quote_list(cmd)),
        M::Healthcheck(check) => match frontend {
            // `%q` of a *HealthConfig without StartInterval.
            BuildkitFrontend::Docker2010 => healthcheck_quoted(check),
            // `%+v` of the HealthcheckConfig value: field names, plain values.
            BuildkitFrontend::Head => format!(
                "HEALTHCHECK {{Test:{} Interval:{} Timeout:{} StartPeriod:{} StartInterval:{} Retries:{}}}",
                gofmt::plain_list(&check.test),
                gofmt::duration(check.interval_ns),
                gofmt::duration(check.timeout_ns),
                gofmt::duration(check.start_period_ns),
                gofmt::duration(check.start_interval_ns),
                check.retries,
            ),
        },
        M::Expose(words) => {
            let ports: Vec<String> = words.iter().flat_map(|w| port_protos(w)).collect();
            match frontend {
                // `%v` of a nat.PortSet: a Go map, printed with sorted keys,
                // duplicates gone: `EXPOSE map[443/tcp:{} 80/tcp:{}]`.
                BuildkitFrontend::Docker2010 => {
                    let mut keys = ports;
                    keys.sort();
                    keys.dedup();
                    let entries: Vec<String> = keys.iter().map(|k| format!("{k}:{{}}")).collect();
                    format!("EXPOSE map[{}]", entries.join(" "))
                }
                // `%v` of the parsed list, in order: `EXPOSE [80/tcp 443/tcp]`.
                BuildkitFrontend::Head => format!("EXPOSE {}", gofmt::plain_list(&ports)),
            }
        }
        M::User(user) => format!("USER {user}"),
        M::Volume(paths) => format!("VOLUME {}", gofmt::plain_list(paths)),
        M::StopSignal(signal) => format!("STOPSIGNAL {signal}"),
        M::Shell(shell) => format!("SHELL {}", gofmt::plain_list(shell)),
        M::Onbuild(_) => return None,
        M::Maintainer(name) => format!("MAINTAINER {name}"),
    };
    Some(text)
}

/// BuildKit `created_by` of RUN: `RUN [|n k=v …] <cmd> # buildkit`
/// (recorded: 12 `RUN |1 APP_VERSION=1.0 /bin/sh -c echo … # buildkit`).
/// `build_args` are every ARG declared in the stage so far, in declaration
/// order, each with the value the RUN sees (its environment value if set,
/// else the ARG's value, `""` when it has none); not sorted, unlike the
/// classic builder. HEAD lists a re-declared key once, at its first
/// position with its last value. RUN flags (`--mount`, `--network`) do not
/// show; a heredoc body is part of the command text.
pub fn buildkit_run(
    frontend: BuildkitFrontend,
    cmd: &[String],
    build_args: &[(String, String)],
) -> String {
    let mut args: Vec<(String, String)> = Vec::new();
    for (key, value) in build_args {
        match args.iter_mut().find(|(k, _)| k == key) {
            Some(slot) if frontend == BuildkitFrontend::Head => slot.1.clone_from(value),
            _ => args.push((key.clone(), value.clone())),
        }
    }
    let mut words: Vec<String> = Vec::new();
    if !args.is_empty() {
        words.push(format!("|{}", args.len()));
        words.extend(args.iter().map(|(k, v)| format!("{k}={v}")));
    }
    words.extend(cmd.iter().cloned());
    format!("RUN {} # buildkit", words.join(" "))
}

/// BuildKit `created_by` of WORKDIR: the resolved absolute directory, no
/// suffix (recorded: 01 `WORKDIR /app`).
pub fn buildkit_workdir(workdir: &str) -> String {
    format!("WORKDIR {workdir}")
}

/// Flags of a COPY/ADD that BuildKit HEAD prints (v0.8 prints none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyFlags<'a> {
    pub parents: bool,
    pub chown: Option<&'a str>,
    pub chmod: Option<&'a str>,
}

/// BuildKit `created_by` of COPY/ADD: keyword, sources and destination as
/// written after variable expansion, ` # buildkit`
/// (recorded: 21 `COPY *.js /app/ # buildkit`). `--from` never shows
/// (recorded: 16 `COPY /bundle.js /app/bundle.js # buildkit`); HEAD shows
/// `--parents`, `--chown=`, `--chmod=` in that order, and heredoc sources
/// as `<<NAME` after the others.
pub fn buildkit_copy(
    frontend: BuildkitFrontend,
    command: &str,
    flags: &CopyFlags<'_>,
    sources: &[String],
    heredocs: &[String],
    dest: &str,
) -> String {
    let mut text = command.to_owned();
    if frontend == BuildkitFrontend::Head {
        if flags.parents {
            text.push_str(" --parents");
        }
        if let Some(chown) = flags.chown {
            text.push_str(&format!(" --chown={chown}"));
        }
        if let Some(chmod) = flags.chmod {
            text.push_str(&format!(" --chmod={chmod}"));
        }
    }
    for source in sources {
        text.push(' ');
        text.push_str(source);
    }
    for name in heredocs {
        text.push_str(&format!(" <<{name}"));
    }
    format!("{text} {dest} # buildkit")
}

fn shell_words(shell: &[String]) -> String {
    if shell.is_empty() {
        DEFAULT_SHELL.join(" ")
    } else {
        shell.join(" ")
    }
}

/// ` k=v k2=v2` (each pair preceded by a space).
fn key_values(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!(" {k}={v}")).collect()
}

fn arg_list(args: &[(String, Option<String>)]) -> String {
    let items: Vec<String> = args
        .iter()
        .map(|(key, value)| match value {
            Some(value) => format!("{key}={value}"),
            None => key.clone(),
        })
        .collect();
    items.join(" ")
}

/// An EXPOSE word as BuildKit stores it: `port/proto` per port of a range,
/// protocol lower-cased and `tcp` by default; an `ip:host:` prefix is
/// dropped. A word that is not a valid spec is kept verbatim (the builder
/// rejects it before any history is written).
fn port_protos(word: &str) -> Vec<String> {
    let container = word.rsplit(':').next().unwrap_or(word);
    let (range, proto) = container.split_once('/').unwrap_or((container, "tcp"));
    let proto = if proto.is_empty() {
        "tcp".to_owned()
    } else {
        proto.to_ascii_lowercase()
    };
    let (start, end) = range.split_once('-').unwrap_or((range, range));
    match (start.parse::<u16>(), end.parse::<u16>()) {
        (Ok(start), Ok(end)) if start <= end => {
            (start..=end).map(|p| format!("{p}/{proto}")).collect()
        }
        _ => vec![word.to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn sh(cmd: &str) -> Vec<String> {
        words(&["/bin/sh", "-c", cmd])
    }

    /// Every classic row recorded in shared/conformance, by instruction kind.
    #[test]
    fn classic_rows_match_the_recordings() {
        let cmd = words(&["cat", "/app/app.js"]);
        assert_eq!(
            classic_metadata(&[], &MetadataInstruction::Cmd(&cmd)),
            r#"/bin/sh -c #(nop)  CMD ["cat" "/app/app.js"]"#
        );
        let env = [("GREETING".to_owned(), "bonjour".to_owned())];
        assert_eq!(
            classic_metadata(&[], &MetadataInstruction::Env(&env)),
            "/bin/sh -c #(nop)  ENV GREETING=bonjour"
        );
        let arg = [("APP_VERSION".to_owned(), Some("1.0".to_owned()))];
        assert_eq!(
            classic_metadata(&[], &MetadataInstruction::Arg(&arg)),
            "/bin/sh -c #(nop)  ARG APP_VERSION=1.0"
        );
        assert_eq!(
            classic_workdir(&[], "/app"),
            "/bin/sh -c #(nop) WORKDIR /app"
        );
        let run = sh(r#"echo "version $APP_VERSION" > /version.txt"#);
        let build_args = [("APP_VERSION".to_owned(), "1.0".to_owned())];
        assert_eq!(
            classic_run(&run, &build_args),
            r#"|1 APP_VERSION=1.0 /bin/sh -c echo "version $APP_VERSION" > /version.txt"#
        );
        assert_eq!(
            classic_run(&sh("date > /built-at.txt"), &[]),
            "/bin/sh -c date > /built-at.txt"
        );
    }

    #[test]
    fn classic_copy_glues_chown_to_the_hash_and_keeps_the_trailing_space() {
        let hex = "f8ea10c67aaeb895e64f94c1c0b60388fac9ce5be60258bdc03c70ffd2e8e998";
        let hash = ClassicSourceHash::parse(&format!("file:{hex}")).expect("a valid recorded hash");
        assert_eq!(
            classic_copy("COPY", None, &hash, ".", &[]),
            format!("/bin/sh -c #(nop) COPY file:{hex} in . ")
        );
        assert_eq!(
            classic_copy("ADD", Some("1000:1000"), &hash, "/app/", &[]),
            format!("/bin/sh -c #(nop) ADD --chown=1000:1000file:{hex} in /app/ ")
        );
    }

    #[test]
    fn classic_rows_use_the_current_shell() {
        let bash = words(&["/bin/bash", "-c"]);
        assert_eq!(
            classic_metadata(&[], &MetadataInstruction::Shell(&bash)),
            "/bin/bash -c #(nop)  SHELL [/bin/bash -c]"
        );
        assert_eq!(
            classic_metadata(&bash, &MetadataInstruction::User("app")),
            "/bin/bash -c #(nop)  USER app"
        );
        assert_eq!(
            classic_workdir(&bash, "/srv"),
            "/bin/bash -c #(nop) WORKDIR /srv"
        );
    }

    #[test]
    fn classic_metadata_forms() {
        let vols = words(&["/data", "/logs"]);
        assert_eq!(
            classic_metadata(&[], &MetadataInstruction::Volume(&vols)),
            "/bin/sh -c #(nop)  VOLUME [/data /logs]"
        );
        let ports = words(&["80", "443/udp"]);
        assert_eq!(
            classic_metadata(&[], &MetadataInstruction::Expose(&ports)),
            "/bin/sh -c #(nop)  EXPOSE 80 443/udp"
        );
        let check = Healthcheck {
            test: words(&["CMD-SHELL", "curl -f http://localhost/ || exit 1"]),
            interval_ns: 300_000_000_000,
            timeout_ns: 3_000_000_000,
            start_period_ns: 0,
            start_interval_ns: 0,
            retries: 0,
        };
        assert_eq!(
            classic_metadata(&[], &MetadataInstruction::Healthcheck(&check)),
            r#"/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "curl -f http://localhost/ || exit 1"] "5m0s" "3s" "0s" '\x00'}"#
        );
        let args = [
            ("A".to_owned(), None),
            ("B".to_owned(), Some("2".to_owned())),
        ];
        assert_eq!(
            classic_metadata(&[], &MetadataInstruction::Arg(&args)),
            "/bin/sh -c #(nop)  ARG A B=2"
        );
        assert_eq!(
            classic_metadata(&[], &MetadataInstruction::Onbuild("RUN make")),
            "/bin/sh -c #(nop)  ONBUILD RUN make"
        );
    }

    /// Every BuildKit row recorded in shared/conformance, by kind.
    #[test]
    fn buildkit_rows_match_the_recordings() {
        for frontend in [BuildkitFrontend::Docker2010, BuildkitFrontend::Head] {
            let cmd = words(&["cat", "/app/app.js"]);
            assert_eq!(
                buildkit_metadata(frontend, &MetadataInstruction::Cmd(&cmd)).as_deref(),
                Some(r#"CMD ["cat" "/app/app.js"]"#)
            );
            let arg = [("APP_VERSION".to_owned(), Some("1.0".to_owned()))];
            assert_eq!(
                buildkit_metadata(frontend, &MetadataInstruction::Arg(&arg)).as_deref(),
                Some("ARG APP_VERSION=1.0")
            );
            let run = sh(r#"echo "version $APP_VERSION" > /version.txt"#);
            let build_args = [("APP_VERSION".to_owned(), "1.0".to_owned())];
            assert_eq!(
                buildkit_run(frontend, &run, &build_args),
                r#"RUN |1 APP_VERSION=1.0 /bin/sh -c echo "version $APP_VERSION" > /version.txt # buildkit"#
            );
            assert_eq!(buildkit_workdir("/app"), "WORKDIR /app");
            // Plain COPY rows: one named file, and a wildcard.
            for (src, dest, row) in [
                (
                    "/bundle.js",
                    "/app/bundle.js",
                    "COPY /bundle.js /app/bundle.js # buildkit",
                ),
                ("*.js", "/app/", "COPY *.js /app/ # buildkit"),
            ] {
                let copy = buildkit_copy(
                    frontend,
                    "COPY",
                    &CopyFlags::default(),
                    &words(&[src]),
                    &[],
                    dest,
                );
                assert_eq!(copy, row);
            }
        }
    }

    #[test]
    fn buildkit_frontends_differ_where_the_source_does() {
        let ports = words(&["80", "443", "8000-8001/UDP", "80"]);
        assert_eq!(
            buildkit_metadata(
                BuildkitFrontend::Docker2010,
                &MetadataInstruction::Expose(&ports)
            )
            .as_deref(),
            Some("EXPOSE map[443/tcp:{} 80/tcp:{} 8000/udp:{} 8001/udp:{}]")
        );
        assert_eq!(
            buildkit_metadata(BuildkitFrontend::Head, &MetadataInstruction::Expose(&ports))
                .as_deref(),
            Some("EXPOSE [80/tcp 443/tcp 8000/udp 8001/udp 80/tcp]")
        );
        let check = Healthcheck {
            test: words(&["CMD", "true"]),
            interval_ns: 30_000_000_000,
            timeout_ns: 0,
            start_period_ns: 0,
            start_interval_ns: 0,
            retries: 3,
        };
        assert_eq!(
            buildkit_metadata(
                BuildkitFrontend::Docker2010,
                &MetadataInstruction::Healthcheck(&check)
            )
            .as_deref(),
            Some(r#"HEALTHCHECK &{["CMD" "true"] "30s" "0s" "0s" '\x03'}"#)
        );
        assert_eq!(
            buildkit_metadata(BuildkitFrontend::Head, &MetadataInstruction::Healthcheck(&check)).as_deref(),
            Some("HEALTHCHECK {Test:[CMD true] Interval:30s Timeout:0s StartPeriod:0s StartInterval:0s Retries:3}")
        );
        let flags = CopyFlags {
            parents: false,
            chown: Some("app"),
            chmod: Some("755"),
        };
        let srcs = words(&["a", "b"]);
        assert_eq!(
            buildkit_copy(
                BuildkitFrontend::Docker2010,
                "ADD",
                &flags,
                &srcs,
                &[],
                "/x/"
            ),
            "ADD a b /x/ # buildkit"
        );
        assert_eq!(
            buildkit_copy(
                BuildkitFrontend::Head,
                "ADD",
                &flags,
                &srcs,
                &words(&["EOF"]),
                "/x/"
            ),
            "ADD --chown=app --chmod=755 a b <<EOF /x/ # buildkit"
        );
        let args = [
            ("A".to_owned(), "1".to_owned()),
            ("B".to_owned(), String::new()),
            ("A".to_owned(), "2".to_owned()),
        ];
        let cmd = sh("env");
        assert_eq!(
            buildkit_run(BuildkitFrontend::Docker2010, &cmd, &args),
            "RUN |3 A=1 B= A=2 /bin/sh -c env # buildkit"
        );
        assert_eq!(
            buildkit_run(BuildkitFrontend::Head, &cmd, &args),
            "RUN |2 A=2 B= /bin/sh -c env # buildkit"
        );
        assert_eq!(
            buildkit_metadata(
                BuildkitFrontend::Head,
                &MetadataInstruction::Onbuild("RUN make")
            ),
            None
        );
    }
}
