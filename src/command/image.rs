//! `docker image`: build, ls, history and rm, and the top-level shortcuts
//! docker keeps for them (`build`, `images`, `history`, `rmi`).

use crate::command::check;
use crate::command::format::{formatted, inspect_output, Context};
use crate::command::output;
use crate::command::spec::{
    commit_changes, Arity, BuildRequest, CommandSpec, FlagSpec, Group, Host, Invocation, Output,
};
use crate::engine::archive;
use crate::engine::base::{self, manifest_digest};
use crate::engine::builder::{BuildOptions, BuilderKind};
use crate::engine::dockerignore::DockerIgnore;
use crate::engine::store::{EngineState, ImageRecord, Listed};
use crate::filesystem::digest::Digest;
use serde_json::{json, Value};

const BUILD_FLAGS: &[FlagSpec] = &[
    FlagSpec {
        long: "build-arg",
        short: None,
        value: Some("list"),
        doc: "Set build-time variables",
    },
    FlagSpec {
        long: "check",
        short: None,
        value: None,
        doc: "Shorthand for \"--call=check\"",
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
        long: "quiet",
        short: Some('q'),
        value: None,
        doc: "Suppress the build output and print image ID on success",
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
    FlagSpec {
        long: "digests",
        short: None,
        value: None,
        doc: "Show digests",
    },
    FlagSpec {
        long: "format",
        short: None,
        value: Some("string"),
        doc: "Pretty-print images using a Go template",
    },
    NO_TRUNC,
    QUIET_IDS,
];

const PULL_FLAGS: &[FlagSpec] = &[FlagSpec {
    long: "quiet",
    short: Some('q'),
    value: None,
    doc: "Suppress verbose output",
}];

const INSPECT_FLAGS: &[FlagSpec] = &[FlagSpec {
    long: "format",
    short: Some('f'),
    value: Some("string"),
    doc: "Format the output using the given Go template",
}];

const PRUNE_FLAGS: &[FlagSpec] = &[
    FlagSpec {
        long: "all",
        short: Some('a'),
        value: None,
        doc: "Remove all unused images, not just dangling ones",
    },
    FlagSpec {
        long: "force",
        short: Some('f'),
        value: None,
        doc: "Do not prompt for confirmation",
    },
];

const SAVE_FLAGS: &[FlagSpec] = &[FlagSpec {
    long: "output",
    short: Some('o'),
    value: Some("string"),
    doc: "Write to a file, instead of STDOUT",
}];

const LOAD_FLAGS: &[FlagSpec] = &[
    FlagSpec {
        long: "input",
        short: Some('i'),
        value: Some("string"),
        doc: "Read from tar archive file, instead of STDIN",
    },
    FlagSpec {
        long: "quiet",
        short: Some('q'),
        value: None,
        doc: "Suppress the load output",
    },
];

const HISTORY_FLAGS: &[FlagSpec] = &[NO_TRUNC, QUIET_IDS];

const RM_FLAGS: &[FlagSpec] = &[FlagSpec {
    long: "force",
    short: Some('f'),
    value: None,
    doc: "Force removal of the image",
}];

/// Docker's `image` group also holds import and push; its help lists only
/// the commands layerlab runs.
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
        CommandSpec {
            path: &["image", "pull"],
            aliases: &[&["pull"]],
            doc: "Pull an image or a repository from a registry",
            usage: "[OPTIONS] NAME[:TAG|@DIGEST]",
            flags: PULL_FLAGS,
            arity: Arity::Exactly(1),
            interspersed: true,
            run: run_pull,
        },
        CommandSpec {
            path: &["image", "tag"],
            aliases: &[&["tag"]],
            doc: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
            usage: "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
            flags: &[],
            arity: Arity::Exactly(2),
            interspersed: true,
            run: run_tag,
        },
        CommandSpec {
            path: &["image", "inspect"],
            aliases: &[],
            doc: "Display detailed information on one or more images",
            usage: "[OPTIONS] IMAGE [IMAGE...]",
            flags: INSPECT_FLAGS,
            arity: Arity::AtLeast(1),
            interspersed: true,
            run: run_inspect,
        },
        CommandSpec {
            path: &["image", "prune"],
            aliases: &[],
            doc: "Remove unused images",
            usage: "[OPTIONS]",
            flags: PRUNE_FLAGS,
            arity: Arity::Exactly(0),
            interspersed: true,
            run: run_prune,
        },
        CommandSpec {
            path: &["image", "save"],
            aliases: &[&["save"]],
            doc: "Save one or more images to a tar archive (streamed to STDOUT by default)",
            usage: "[OPTIONS] IMAGE [IMAGE...]",
            flags: SAVE_FLAGS,
            arity: Arity::AtLeast(1),
            interspersed: true,
            run: run_save,
        },
        CommandSpec {
            path: &["image", "load"],
            aliases: &[&["load"]],
            doc: "Load an image from a tar archive or STDIN",
            usage: "[OPTIONS]",
            flags: LOAD_FLAGS,
            arity: Arity::Exactly(0),
            interspersed: true,
            run: run_load,
        },
    ],
};

fn run_build(inv: &Invocation, host: &mut dyn Host) -> Output {
    if inv.has("check") {
        return run_check(inv, host);
    }
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
        Some(_) => BuilderKind::Buildkit,
        None => host.default_builder(),
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
                // Quiet, docker prints the image's whole ID and nothing of
                // the steps; a failure still says what failed.
                Ok(report) if inv.has("quiet") => out.stdout = vec![report.image_id.to_string()],
                Ok(report) => out.stdout = output::build_progress(report, host.lang()),
                Err(err) => {
                    // A quiet build that fails prints its progress after
                    // all, on stderr, before the error.
                    let progress = output::steps_progress(&err.steps, builder, host.lang());
                    let failed = output::build_failed(builder, &err.message);
                    if inv.has("quiet") {
                        out.stderr = progress;
                        out.stderr.push(failed);
                    } else {
                        out.stdout = progress;
                        out.stderr = vec![failed];
                    }
                    out.status = err.exit_code;
                }
            }
            out.built = Some(built);
            out
        }
    }
}

/// `build --check`: BuildKit's build checks instead of a build.
fn run_check(inv: &Invocation, host: &mut dyn Host) -> Output {
    let req = BuildRequest {
        context: inv.args.first().cloned().unwrap_or_default(),
        file: inv.value("file").map(str::to_string),
        opts: BuildOptions::default(),
    };
    let source = match host.check_source(&req) {
        Ok(s) => s,
        Err(message) => return Output::error(format!("ERROR: {message}")),
    };
    let ignore = match source.dockerignore.as_deref().map(DockerIgnore::parse) {
        Some(Ok(i)) => Some(i),
        Some(Err(e)) => return Output::error(format!("ERROR: {e}")),
        None => None,
    };
    match check::run(&source.file, &source.compiled, ignore.as_ref(), host.lang()) {
        Ok((report, status)) => Output {
            stdout: report.lines().map(str::to_string).collect(),
            status,
            ..Output::default()
        },
        Err(rendered) => Output::error(rendered),
    }
}

fn run_images(inv: &Invocation, host: &mut dyn Host) -> Output {
    let engine = host.engine();
    let filter = inv.args.first().map(String::as_str);
    if let Some(format) = inv.value("format") {
        let rows: Vec<Value> = engine
            .list_images(filter, inv.has("all"))
            .iter()
            .map(|l| image_row(engine, l, inv.has("no-trunc")))
            .collect();
        return match formatted(format, Context::Images, &rows, image_header) {
            Ok(lines) => Output::printed(lines),
            Err(e) => Output::error(e),
        };
    }
    let digest = |img: &ImageRecord| pulled_digest(engine, img);
    let lines = output::images(
        engine,
        filter,
        inv.has("all"),
        inv.has("quiet"),
        inv.has("no-trunc"),
        inv.has("digests").then_some(&digest as output::DigestOf),
    );
    Output::printed(lines)
}

/// The digest `docker images --digests` shows: a pulled image's (every
/// layer from the catalog, nothing built on it), none for the others.
pub fn pulled_digest(engine: &EngineState, img: &ImageRecord) -> Option<Digest> {
    let pulled = !img.layers.is_empty()
        && img.history.iter().all(|h| h.built_in == 0)
        && img
            .layers
            .iter()
            .all(|l| engine.catalog_sources.contains_key(&l.diff_id));
    pulled.then(|| manifest_digest(img))
}

/// One `docker images` row as `--format` sees it.
fn image_row(engine: &EngineState, l: &Listed, no_trunc: bool) -> Value {
    let (repo, tag) = l.name.unwrap_or(("<none>", "<none>"));
    let id = if no_trunc {
        l.image.id.to_string()
    } else {
        l.image.id.short()
    };
    json!({
        "Containers": "N/A",
        "CreatedAt": "N/A",
        "CreatedSince": "N/A",
        "Digest": l.image.record.and_then(|r| pulled_digest(engine, r)).map_or("<none>".to_string(), |d| d.to_string()),
        "ID": id,
        "Repository": repo,
        "SharedSize": "N/A",
        "Size": output::human_size(l.image.size()),
        "Tag": tag,
        "UniqueSize": "N/A",
        "VirtualSize": output::human_size4(l.image.size()),
    })
}

/// The header docker gives a `--format 'table …'` field of `images`.
fn image_header(field: &str) -> String {
    match field {
        "ID" => "IMAGE ID".into(),
        "CreatedSince" => "CREATED".into(),
        "CreatedAt" => "CREATED AT".into(),
        "VirtualSize" => "SIZE".into(),
        other => other.to_uppercase(),
    }
}

/// What `docker pull` prints, pulling `reference` from the catalog; for
/// `run`'s pull (`for_run`) without the default-tag note and the name at
/// the end, as docker prints it there. `Err` is the registry's refusal.
pub fn pull_lines(host: &mut dyn Host, reference: &str) -> Result<Vec<String>, String> {
    pull_output(host, reference, true)
}

fn pull_output(host: &mut dyn Host, reference: &str, for_run: bool) -> Result<Vec<String>, String> {
    let pulled = base::pull(host.engine_mut(), reference).map_err(|e| e.classic)?;
    let r = &pulled.reference;
    let mut lines = Vec::new();
    let named_tag = reference
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains(':'));
    if !for_run && !named_tag {
        lines.push(format!("Using default tag: {}", r.tag));
    }
    lines.push(format!("{}: Pulling from {}", r.tag, r.path));
    if !pulled.up_to_date {
        for (diff_id, had) in &pulled.layers {
            let status = if *had {
                "Already exists"
            } else {
                "Pull complete"
            };
            lines.push(format!("{}: {status}", &diff_id.hex()[..12]));
        }
    }
    lines.push(format!("Digest: {}", pulled.digest));
    if pulled.up_to_date {
        lines.push(format!("Status: Image is up to date for {}", r.familiar()));
    } else {
        lines.push(format!(
            "Status: Downloaded newer image for {}",
            r.familiar()
        ));
    }
    if !for_run {
        lines.push(r.full());
    }
    Ok(lines)
}

fn run_pull(inv: &Invocation, host: &mut dyn Host) -> Output {
    let mut out = match pull_output(host, &inv.args[0], false) {
        Ok(lines) if inv.has("quiet") => {
            Output::printed(lines.last().cloned().into_iter().collect())
        }
        Ok(lines) => Output::printed(lines),
        Err(e) => {
            let mut out = Output::error(output::daemon_error(e));
            let named_tag = inv.args[0]
                .rsplit('/')
                .next()
                .is_some_and(|l| l.contains(':'));
            if !named_tag {
                out.stdout.push("Using default tag: latest".into());
            }
            out
        }
    };
    commit_changes(host, &mut out);
    out
}

fn run_tag(inv: &Invocation, host: &mut dyn Host) -> Output {
    let (source, target) = (&inv.args[0], &inv.args[1]);
    if let Err(e) = crate::engine::catalog::Reference::parse(target) {
        let reason = e.to_string();
        let reason = reason
            .strip_suffix(&format!(": {target}"))
            .unwrap_or(&reason)
            .to_string();
        return Output::error(format!(
            "Error parsing reference: {target:?} is not a valid repository/tag: {reason}"
        ));
    }
    let image = match host.engine().find_image(source) {
        Ok(img) => img.clone(),
        Err(e) => return Output::error(output::daemon_error(e)),
    };
    host.engine_mut().tag_image(image, target);
    let mut out = Output::default();
    commit_changes(host, &mut out);
    out
}

/// `docker image inspect`'s document for one image.
pub fn inspect_image(img: &ImageRecord, engine: &EngineState) -> Value {
    let oci = img.oci();
    let c = &img.config;
    let tags: Vec<String> = engine
        .tags
        .iter()
        .filter(|(_, id)| **id == img.id)
        .map(|(t, _)| t.clone())
        .collect();
    let digests: Vec<String> = match pulled_digest(engine, img) {
        Some(d) => tags
            .iter()
            .map(|t| format!("{}@{d}", t.rsplit_once(':').map_or(t.as_str(), |p| p.0)))
            .collect(),
        None => Vec::new(),
    };
    let set = |v: &std::collections::BTreeSet<String>| -> Value {
        if v.is_empty() {
            Value::Null
        } else {
            v.iter()
                .map(|k| (k.clone(), json!({})))
                .collect::<serde_json::Map<_, _>>()
                .into()
        }
    };
    let mut config = json!({
        "Hostname": "",
        "Domainname": "",
        "User": c.user,
        "AttachStdin": false,
        "AttachStdout": false,
        "AttachStderr": false,
        "Tty": false,
        "OpenStdin": false,
        "StdinOnce": false,
        "Env": c.env_list(),
        "Cmd": c.cmd,
        "Image": "",
        "Volumes": set(&c.volumes),
        "WorkingDir": c.working_dir,
        "Entrypoint": c.entrypoint,
        "OnBuild": if c.on_build.is_empty() { Value::Null } else { json!(c.on_build) },
        "Labels": if c.labels.is_empty() { Value::Null } else { json!(c.labels) },
    });
    if !c.exposed_ports.is_empty() {
        config["ExposedPorts"] = set(&c.exposed_ports);
    }
    json!({
        "Id": img.id.to_string(),
        "RepoTags": tags,
        "RepoDigests": digests,
        // A classic build's image has its last step's parent image.
        "Parent": engine.history_ids(img).get(1).copied().flatten().map_or(String::new(), |d| d.to_string()),
        "Comment": img.comment.clone().unwrap_or_default(),
        "Created": oci.created.unwrap_or_default(),
        "Container": "",
        "DockerVersion": "",
        "Author": img.author.clone().unwrap_or_default(),
        "Config": config,
        "Architecture": oci.architecture,
        "Os": oci.os,
        "Size": img.size(),
        "VirtualSize": img.size(),
        "RootFS": {
            "Type": "layers",
            "Layers": img.layers.iter().map(|l| l.diff_id.to_string()).collect::<Vec<_>>(),
        },
    })
}

fn run_inspect(inv: &Invocation, host: &mut dyn Host) -> Output {
    let engine = host.engine();
    let mut docs = Vec::new();
    let mut missing = Vec::new();
    for reference in &inv.args {
        match engine.image(reference) {
            Some(img) => docs.push(inspect_image(img, engine)),
            None => missing.push(format!("No such image: {reference}")),
        }
    }
    inspect_output(&docs, &missing, inv.value("format"))
}

fn run_prune(inv: &Invocation, host: &mut dyn Host) -> Output {
    let all = inv.has("all");
    if !inv.has("force") {
        // Docker asks on stdin; the command bar has none, so say how to confirm.
        let what = if all {
            "WARNING! This will remove all images without at least one container associated to them."
        } else {
            "WARNING! This will remove all dangling images."
        };
        let flags = if all { "-a -f" } else { "-f" };
        return Output::printed(vec![
            what.into(),
            "Are you sure you want to continue? [y/N]".into(),
            format!("(no input here: run `docker image prune {flags}` to confirm)"),
        ]);
    }
    let engine = host.engine();
    let used: std::collections::BTreeSet<Digest> =
        engine.containers.values().map(|c| c.image).collect();
    let before = engine.disk_usage().total;
    // What the daemon prunes: the images `image ls` shows without `-a`
    // (dangling ones only, unless `-a`) that no container uses; each takes
    // with it the untagged images below it that nothing else stands on.
    let doomed: Vec<(Digest, Option<Digest>, Vec<String>)> = engine
        .shown_images()
        .into_iter()
        .filter(|i| !used.contains(&i.id))
        .map(|i| {
            let tags: Vec<String> = engine
                .tags
                .iter()
                .filter(|(_, d)| **d == i.id)
                .map(|(t, _)| t.clone())
                .collect();
            (i.id, i.step, tags)
        })
        .filter(|(_, _, tags)| all || tags.is_empty())
        .collect();
    let mut lines = Vec::new();
    for (id, step, tags) in doomed {
        let engine = host.engine_mut();
        for t in &tags {
            engine.untag(t);
            lines.push(format!("untagged: {t}"));
        }
        // An image a later build went on from stays for its children
        // (which take it along if they go); one an earlier image's chain
        // took is gone already.
        let gone = match step {
            Some(key) => engine.delete_step_image(&key),
            None => engine
                .remove_image(&id.to_string(), false)
                .map_or(Vec::new(), |r| r.deleted),
        };
        lines.extend(gone.iter().map(|d| format!("deleted: {d}")));
    }
    let reclaimed = before - host.engine().disk_usage().total.min(before);
    let mut out = Output::default();
    if !lines.is_empty() {
        out.stdout.push("Deleted Images:".into());
        out.stdout.extend(lines);
        out.stdout.push(String::new());
    }
    out.stdout.push(format!(
        "Total reclaimed space: {}",
        output::human_size4(reclaimed)
    ));
    commit_changes(host, &mut out);
    out
}

fn run_save(inv: &Invocation, host: &mut dyn Host) -> Output {
    let Some(path) = inv.value("output") else {
        // Docker refuses to write a tar to a terminal; the command bar is one.
        return Output::error(
            "cobra: Cowardly refusing to save to a terminal. Use the -o flag or redirect",
        );
    };
    let bytes = match archive::save(host.engine_mut(), &inv.args) {
        Ok(b) => b,
        Err(e @ archive::ArchiveError::NoSuchImage(_)) => {
            return Output::error(output::daemon_error(e))
        }
        Err(e) => return Output::error(e.to_string()),
    };
    match host.write_file(path, &bytes) {
        Ok(()) => Output::default(),
        Err(e) => Output::error(e),
    }
}

fn run_load(inv: &Invocation, host: &mut dyn Host) -> Output {
    let Some(path) = inv.value("input") else {
        return Output::error("requested load from stdin, but stdin is empty");
    };
    let bytes = match host.read_file(path) {
        Ok(b) => b,
        Err(e) => return Output::error(e),
    };
    // `-q` hides only the progress bars, which layerlab has none of.
    let mut out = match archive::load(host.engine_mut(), bytes.as_slice()) {
        Ok(loaded) => Output::printed(loaded_lines(&loaded)),
        Err(e) => return Output::error(output::daemon_error(e)),
    };
    commit_changes(host, &mut out);
    out
}

/// `Loaded image: exp:v1` / `Loaded image ID: sha256:…`, as docker says
/// what it loaded.
fn loaded_lines(loaded: &[archive::Loaded]) -> Vec<String> {
    loaded
        .iter()
        .map(|l| match l {
            archive::Loaded::Tag(t) => format!("Loaded image: {t}"),
            archive::Loaded::Id(id) => format!("Loaded image ID: {id}"),
        })
        .collect()
}
fn run_history(inv: &Invocation, host: &mut dyn Host) -> Output {
    let reference = inv.args.first().map(String::as_str).unwrap_or_default();
    match host.engine().find_image(reference) {
        Err(e) => Output::error(output::daemon_error(e)),
        Ok(img) => {
            let ids = host.engine().history_ids(img);
            Output::printed(output::history(
                img,
                &ids,
                inv.has("quiet"),
                inv.has("no-trunc"),
            ))
        }
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
