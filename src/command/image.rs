//! `docker image`: build, ls, history and rm, and the top-level shortcuts
//! docker keeps for them (`build`, `images`, `history`, `rmi`).

use crate::command::output;
use crate::command::spec::{
    commit_changes, Arity, BuildRequest, CommandSpec, FlagSpec, Group, Host, Invocation, Output,
};
use crate::engine::builder::{BuildOptions, BuilderKind};

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

/// Docker's `image` group also holds import, inspect, load, prune, pull,
/// push, save and tag; its help lists only the commands layerlab runs.
pub const GROUP: Group = Group {
    name: "image",
    doc: "Manage images",
    commands: &[
        CommandSpec {
            path: &["image", "build"],
            aliases: &[&["build"], &["builder", "build"]],
            doc: "Build an image from a Dockerfile",
            usage: "[OPTIONS] PATH | URL | -",
            flags: BUILD_FLAGS,
            arity: Arity::Exactly(1),
            interspersed: true,
            run: run_build,
        },
        CommandSpec {
            path: &["image", "ls"],
            aliases: &[&["images"], &["image", "list"]],
            doc: "List images",
            usage: "[OPTIONS] [REPOSITORY[:TAG]]",
            flags: LS_FLAGS,
            arity: Arity::AtMost(1),
            interspersed: true,
            run: run_images,
        },
        CommandSpec {
            path: &["image", "history"],
            aliases: &[&["history"]],
            doc: "Show the history of an image",
            usage: "[OPTIONS] IMAGE",
            flags: HISTORY_FLAGS,
            arity: Arity::Exactly(1),
            interspersed: true,
            run: run_history,
        },
        CommandSpec {
            path: &["image", "rm"],
            // Docker's order, as its `Aliases:` line shows it: rm, rmi, remove.
            aliases: &[&["rmi"], &["image", "rmi"], &["image", "remove"]],
            doc: "Remove one or more images",
            usage: "[OPTIONS] IMAGE [IMAGE...]",
            flags: RM_FLAGS,
            arity: Arity::AtLeast(1),
            interspersed: true,
            run: run_rmi,
        },
    ],
};

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
    match host.engine().find_image(reference) {
        Err(e) => Output::error(output::daemon_error(e)),
        Ok(img) => Output::printed(output::history(img, inv.has("quiet"), inv.has("no-trunc"))),
    }
}

fn run_rmi(inv: &Invocation, host: &mut dyn Host) -> Output {
    let mut out = Output::default();
    for reference in &inv.args {
        match host.engine_mut().remove_image(reference, inv.has("force")) {
            Ok(removed) => out.stdout.extend(output::removed(&removed)),
            Err(e) => {
                out.stderr.push(output::daemon_error(e));
                out.status = 1;
            }
        }
    }
    commit_changes(host, &mut out);
    out
}
