//! The container commands, differentially: one sequence on a busybox-based
//! image — build (classic), `run -e … --name`, `exec`, `diff`, `commit -c
//! 'CMD …' -m …`, `history`, `image ls`, `system df -v`, `ps -a`, `rm`,
//! `rmi` — on `layerlab docker` (its own state directory, the base
//! imported from the same rootfs the live engine's `busybox:latest` was
//! made from) and on the live engine, compared column by column wherever
//! a value depends neither on time nor on random IDs.
//!
//! A second sequence lists the classic builder's step images (`images -a`)
//! through a build, a rebuild, `rmi` and `image prune`.
//!
//! Needs a daemon (see tests/it/live_engine.rs); without one it says so
//! loudly and passes, except under CI. On the daemon it creates only
//! `prg-diff:*`, the container `prg-diff-c` and `prg-steps:v1` with its
//! step images (labelled `prg-steps=1`), and removes them again.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::docker::{engine_for_test, Engine};
use support::layerlab::busybox_rootfs;

const IMAGE: &str = "prg-diff";
const CONTAINER: &str = "prg-diff-c";
const DOCKERFILE: &str = "FROM busybox\nENV TARGET=a.com\n\
    RUN mkdir /app && echo hi > /app/x && echo bye > /app/gone\n\
    CMD [\"sh\", \"-c\", \"echo ping $TARGET\"]\n";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One engine under test: `layerlab docker` or the live client.
struct Side<'a> {
    name: &'static str,
    command: Box<dyn Fn() -> Command + 'a>,
    dir: PathBuf,
}

impl Side<'_> {
    fn run(&self, args: &[&str]) -> Output {
        (self.command)()
            .args(args)
            .env("DOCKER_BUILDKIT", "0")
            .current_dir(&self.dir)
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    /// Run and require success; stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{}: docker {}: {}{}",
            self.name,
            args.join(" "),
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }
}

/// Removes what the test made on the daemon, also when it fails.
struct Cleanup<'a>(&'a Engine);

impl Cleanup<'_> {
    fn now(&self) {
        let live = |args: &[&str]| {
            Command::new(&self.0.cli)
                .args(args)
                .env("DOCKER_HOST", &self.0.host)
                .output()
                .map(|_| ())
        };
        let _ = live(&["rm", "-f", CONTAINER]);
        for tag in ["v2", "v1"] {
            let _ = live(&["rmi", &format!("{IMAGE}:{tag}")]);
        }
    }
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        self.now();
    }
}

/// The cells of a table's rows under the named columns, cut where the
/// header's columns start (docker's tables are tab-aligned, so every row's
/// cells start where their header does).
fn columns(table: &str, names: &[&str]) -> Vec<Vec<String>> {
    let mut lines = table.lines();
    let header = lines.next().unwrap_or_default();
    let mut starts: Vec<usize> = Vec::new();
    let mut at = 0;
    for cell in header.split("  ").filter(|c| !c.trim().is_empty()) {
        let cell = cell.trim();
        let found = header[at..].find(cell).map_or(at, |i| at + i);
        starts.push(found);
        at = found + cell.len();
    }
    let titles: Vec<&str> = starts
        .iter()
        .enumerate()
        .map(|(i, s)| header[*s..starts.get(i + 1).copied().unwrap_or(header.len())].trim())
        .collect();
    let wanted: Vec<usize> = names
        .iter()
        .map(|n| {
            titles
                .iter()
                .position(|t| t == n)
                .unwrap_or_else(|| panic!("no column {n} in {header:?}"))
        })
        .collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            wanted
                .iter()
                .map(|&i| {
                    let from = starts[i].min(line.len());
                    let to = starts.get(i + 1).map_or(line.len(), |&e| e.min(line.len()));
                    line.get(from..to).unwrap_or_default().trim().to_owned()
                })
                .collect()
        })
        .collect()
}

/// The section of `system df -v` that starts with `title`, its table only.
fn section<'t>(df: &'t str, title: &str) -> &'t str {
    let start = df.find(title).map_or(df.len(), |i| i + title.len());
    let rest = df[start..].trim_start_matches('\n');
    rest.find("\n\n").map_or(rest, |end| &rest[..end])
}

/// What one side reported, in the shapes compared.
#[derive(Debug)]
struct Report {
    /// `run --rm` of a shell that signals itself and a child: PID 1
    /// survives, the child dies, and the shell says how (stdout, stderr,
    /// status).
    signals: (String, String, Option<i32>),
    exec: String,
    diff: Vec<String>,
    config: String,
    layer_count: usize,
    history: Vec<Vec<String>>,
    image_ls: Vec<Vec<String>>,
    df_images: Vec<Vec<String>>,
    df_containers: Vec<Vec<String>>,
    ps: Vec<Vec<String>>,
    rm: String,
    untagged: Vec<String>,
    /// How many `Deleted:` lines each removed image gave: the image, the
    /// classic build's step images that went with it and their layers.
    deleted: Vec<usize>,
    /// After `rmi`, the same classic build again: how many steps used the
    /// cache (none: the step images were the cache, and they are gone).
    cached_after_rmi: usize,
}

fn play(side: &Side) -> Report {
    std::fs::write(side.dir.join("Dockerfile"), DOCKERFILE).expect("Dockerfile");
    let tag1 = format!("{IMAGE}:v1");
    let tag2 = format!("{IMAGE}:v2");
    let mut build = vec!["build", "-t", &tag1, "."];
    if side.name == "live" {
        // The daemon's RUN gets no network; layerlab has none anyway.
        build.insert(1, "--network=none");
    }
    side.ok(&build);
    side.ok(&[
        "run",
        "-d",
        "-e",
        "TARGET=b.org",
        "--name",
        CONTAINER,
        &tag1,
        "sleep",
        "600",
    ]);
    let signalled = side.run(&[
        "run",
        "--rm",
        &tag1,
        "sh",
        "-c",
        "echo $$; kill -9 $$; echo still $?; sh -c 'kill -TERM $$'; echo child $?; sh -c 'kill -QUIT $$; echo quit ignored'",
    ]);
    let signals = (
        text(&signalled.stdout),
        text(&signalled.stderr),
        signalled.status.code(),
    );
    let exec = side.ok(&[
        "exec",
        CONTAINER,
        "sh",
        "-c",
        "echo $TARGET; cat /app/x; echo changed > /app/x; rm /app/gone; mkdir /data; echo new > /data/y",
    ]);
    // The daemon lists a directory's changes in no fixed order (its naive
    // diff walks Go maps): the paths and kinds are what is compared.
    let mut diff: Vec<String> = side
        .ok(&["diff", CONTAINER])
        .lines()
        .map(str::to_owned)
        .collect();
    diff.sort();
    side.ok(&[
        "commit",
        "-c",
        "CMD cat /app/x",
        "-m",
        "by hand",
        CONTAINER,
        &tag2,
    ]);
    let config = side.ok(&[
        "image",
        "inspect",
        "-f",
        "{{json .Config.Env}} {{json .Config.Cmd}} {{json .Comment}}",
        &tag2,
    ]);
    let layers = side.ok(&["image", "inspect", "-f", "{{json .RootFS.Layers}}", &tag2]);
    let layer_count = layers.matches("sha256:").count();
    let history = columns(
        &side.ok(&["history", "--no-trunc", &tag2]),
        &["CREATED BY", "SIZE", "COMMENT"],
    );
    // Sorted: both list newest first, and both images here are made
    // within the same second on the live engine.
    let mut image_ls = columns(
        &side.ok(&["image", "ls", IMAGE]),
        &["REPOSITORY", "TAG", "SIZE"],
    );
    image_ls.sort();
    let df = side.ok(&["system", "df", "-v"]);
    let mut df_images: Vec<Vec<String>> = columns(
        section(&df, "Images space usage:"),
        &[
            "REPOSITORY",
            "TAG",
            "SIZE",
            "SHARED SIZE",
            "UNIQUE SIZE",
            "CONTAINERS",
        ],
    )
    .into_iter()
    .filter(|r| r[0] == IMAGE)
    .collect();
    df_images.sort();
    let df_containers: Vec<Vec<String>> = columns(
        section(&df, "Containers space usage:"),
        &["IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "NAMES"],
    )
    .into_iter()
    .filter(|r| r[4] == CONTAINER)
    .collect();
    let ps: Vec<Vec<String>> = columns(
        &side.ok(&["ps", "-a", "-s"]),
        &["IMAGE", "COMMAND", "STATUS", "NAMES", "SIZE"],
    )
    .into_iter()
    .filter(|r| r[3] == CONTAINER)
    // The status's first word (`Up`): the rest is time.
    .map(|mut r| {
        r[2] = r[2].split(' ').next().unwrap_or_default().to_owned();
        r
    })
    .collect();
    let rm = side.ok(&["rm", "-f", CONTAINER]);
    let rmi = side.ok(&["rmi", &tag2, &tag1]);
    let untagged: Vec<String> = rmi
        .lines()
        .filter(|l| l.starts_with("Untagged: "))
        .map(str::to_owned)
        .collect();
    let deleted: Vec<usize> = rmi
        .split("Untagged: ")
        .skip(1)
        .map(|g| g.matches("Deleted: sha256:").count())
        .collect();
    let again = side.ok(&build);
    let cached_after_rmi = again.matches(" ---> Using cache").count();
    side.ok(&["rmi", &tag1]);
    Report {
        signals,
        exec,
        diff,
        config,
        layer_count,
        history,
        image_ls,
        df_images,
        df_containers,
        ps,
        rm,
        untagged,
        deleted,
        cached_after_rmi,
    }
}

/// layerlab on a state of its own with busybox imported, and the live
/// engine: the two sides a test plays the same commands on, each in its
/// folder under `ours` and `live`.
fn sides<'a>(engine: &'a Engine, ours: &Path, live: &Path) -> (Side<'a>, Side<'a>) {
    let state = ours.join("state");
    let work = ours.join("work");
    std::fs::create_dir_all(&work).expect("work dir");
    let base = ours.join("busybox.tar");
    std::fs::write(&base, busybox_rootfs().expect("busybox rootfs")).expect("base tar");
    let imported = support::binary::layerlab()
        .arg("--state")
        .arg(&state)
        .arg("import")
        .arg(&base)
        .arg("busybox:latest")
        .output()
        .expect("layerlab import");
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    let ours = Side {
        name: "layerlab",
        command: Box::new(move || {
            let mut c = support::binary::layerlab();
            c.arg("--state").arg(&state).arg("docker");
            c
        }),
        dir: work,
    };
    let live = Side {
        name: "live",
        command: Box::new(|| {
            let mut c = Command::new(&engine.cli);
            c.env("DOCKER_HOST", &engine.host);
            c
        }),
        dir: live.to_path_buf(),
    };
    (ours, live)
}

#[test]
fn container_commands_match_the_live_engine() {
    let Some(engine) = engine_for_test("container_commands_match_the_live_engine") else {
        return;
    };
    let _lock = engine.lock().expect("the engine's lock");
    let cleanup = Cleanup(&engine);
    cleanup.now();

    let (ours_dir, live_dir) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let (ours, live) = sides(&engine, ours_dir.path(), live_dir.path());
    let theirs = play(&live);
    let mine = play(&ours);
    // Spelled out per field so a failure names what differs.
    assert_eq!(mine.signals, theirs.signals, "signals in a container");
    assert_eq!(mine.exec, theirs.exec, "exec output");
    assert_eq!(mine.diff, theirs.diff, "docker diff");
    assert_eq!(mine.config, theirs.config, "the committed image's config");
    assert_eq!(mine.layer_count, theirs.layer_count, "layer count");
    assert_eq!(mine.history, theirs.history, "history");
    assert_eq!(mine.image_ls, theirs.image_ls, "image ls");
    assert_eq!(mine.df_images, theirs.df_images, "system df -v images");
    assert_eq!(
        mine.df_containers, theirs.df_containers,
        "system df -v containers"
    );
    assert_eq!(mine.ps, theirs.ps, "ps -a -s");
    assert_eq!(mine.rm, theirs.rm, "rm");
    assert_eq!(mine.untagged, theirs.untagged, "rmi");
    assert_eq!(mine.deleted, theirs.deleted, "what rmi deleted");
    assert_eq!(
        mine.cached_after_rmi, theirs.cached_after_rmi,
        "a classic rebuild after rmi"
    );
    // What was compared is all there: five changed paths, the committed
    // image's five history rows and three layers, both images, the one
    // container.
    let shape = (
        mine.diff.len(),
        mine.history.len(),
        mine.layer_count,
        mine.image_ls.len(),
        mine.df_images.len(),
        mine.df_containers.len(),
        mine.ps.len(),
        mine.untagged.len(),
    );
    assert_eq!(shape, (5, 5, 3, 2, 2, 1, 1, 2), "{mine:?}");
}

/// The classic builder's step images, differentially: a build, the same
/// build again (all cache), a rebuild that moves the tag, `rmi` of it and
/// `image prune`, each followed by `images -a` and `images`, compared on
/// the rows (name and SIZE; IDs and times differ), and which images the
/// built image's `history` rows name; sorted: the daemon
/// orders images made within one second in no fixed order. On the daemon
/// the listing and the prune are narrowed to the images this test built
/// (all carry its label): others share the daemon.
const STEPS_IMAGE: &str = "prg-steps:v1";
const STEPS_LABEL: &str = "prg-steps=1";
const STEPS_DOCKERFILE: &str = "FROM busybox\nLABEL prg-steps=1\nCOPY a /a\n\
    RUN echo hi > /x\nWORKDIR /app\nCOPY b /app/b\nCMD [\"sh\"]\n";

const STEPS_FAILING: &str = "FROM busybox\nLABEL prg-steps=1\nCOPY a /a\nRUN exit 3\n";
const STEPS_STAGES: &str = "FROM busybox AS b\nLABEL prg-steps=1\nCOPY b /b\n\
    FROM busybox\nLABEL prg-steps=1\nCOPY --from=b /b /c\n";

/// A listing's rows, each its cells.
type Rows = Vec<Vec<String>>;

/// What one side showed of its step images.
#[derive(Debug, PartialEq)]
struct StepsReport {
    /// `images -a` and `images` after each stage: REPOSITORY, TAG, SIZE.
    listings: Vec<(&'static str, Rows, Rows)>,
    /// Steps the second, unchanged build took from the cache.
    cached: usize,
    /// `history` of the built image, a word a row: `listed` when it names
    /// one of the images `images -a` listed (the step images), `base` for
    /// busybox, `<missing>` for none.
    history: Vec<&'static str>,
    /// `Untagged:` and `Deleted:` lines of the `rmi`.
    rmi: (usize, usize),
    /// `deleted:` lines of the prune, and its last line.
    prune: (usize, String),
}

/// Removes this test's images from the daemon, also when it fails: its
/// containers and the tag, then whatever carries its label.
struct StepsCleanup<'a>(&'a Engine);

impl StepsCleanup<'_> {
    fn now(&self) {
        let live = |args: &[&str]| {
            let _ = Command::new(&self.0.cli)
                .args(args)
                .env("DOCKER_HOST", &self.0.host)
                .output();
        };
        // The container the failed build's step left holds its image.
        let left = Command::new(&self.0.cli)
            .args([
                "ps",
                "-a",
                "-q",
                "--filter",
                &format!("label={STEPS_LABEL}"),
            ])
            .env("DOCKER_HOST", &self.0.host)
            .output()
            .map(|o| text(&o.stdout))
            .unwrap_or_default();
        for container in left.split_whitespace() {
            live(&["rm", "-f", container]);
        }
        live(&["rmi", STEPS_IMAGE]);
        live(&[
            "image",
            "prune",
            "-f",
            "--filter",
            &format!("label={STEPS_LABEL}"),
        ]);
    }
}

impl Drop for StepsCleanup<'_> {
    fn drop(&mut self) {
        self.now();
    }
}

fn play_steps(side: &Side) -> StepsReport {
    let live = side.name == "live";
    let label = format!("label={STEPS_LABEL}");
    let write = |name: &str, bytes: usize| {
        std::fs::write(side.dir.join(name), "x".repeat(bytes)).expect("context file");
    };
    std::fs::write(side.dir.join("Dockerfile"), STEPS_DOCKERFILE).expect("Dockerfile");
    write("a", 50_000);
    write("b", 20_000);
    let build = || {
        let mut args = vec!["build", "-t", STEPS_IMAGE, "."];
        if live {
            args.insert(1, "--network=none");
        }
        side.ok(&args)
    };
    let listing = |all: bool| {
        let mut args = vec!["images"];
        if all {
            args.push("-a");
        }
        if live {
            args.extend(["--filter", &label]);
        }
        let mut rows: Rows = columns(&side.ok(&args), &["REPOSITORY", "TAG", "SIZE"])
            .into_iter()
            // layerlab's own state has busybox too, which has no label.
            .filter(|r| r[0] != "busybox")
            .collect();
        rows.sort();
        rows
    };
    let mut listings = Vec::new();
    let mut look = |stage: &'static str| listings.push((stage, listing(true), listing(false)));
    build();
    look("built");
    let ids = |args: &[&str]| -> Vec<String> { side.ok(args).lines().map(str::to_owned).collect() };
    let mut listed = vec!["images", "-a", "-q", "--no-trunc"];
    if live {
        listed.extend(["--filter", &label]);
    }
    let listed = ids(&listed);
    let busybox = ids(&["images", "-q", "--no-trunc", "busybox"]);
    let history = ids(&["history", "-q", "--no-trunc", STEPS_IMAGE])
        .iter()
        .map(|row| match row {
            r if busybox.contains(r) => "base",
            r if listed.contains(r) => "listed",
            _ => "<missing>",
        })
        .collect();
    let again = build();
    let cached = again.matches(" ---> Using cache").count();
    look("built again");
    write("b", 20_010);
    build();
    look("rebuilt");
    let rmi = side.ok(&["rmi", STEPS_IMAGE]);
    let rmi = (
        rmi.matches("Untagged: ").count(),
        rmi.matches("Deleted: ").count(),
    );
    look("rmi");
    let mut prune = vec!["image", "prune", "-f"];
    if live {
        prune.extend(["--filter", &label]);
    }
    let pruned = side.ok(&prune);
    let prune = (
        pruned.matches("deleted: ").count(),
        pruned
            .trim_end()
            .lines()
            .last()
            .unwrap_or_default()
            .to_owned(),
    );
    look("prune");
    // What a build leaves dangling: the last step before one that failed
    // (the daemon also keeps the failed step's container, which layerlab
    // does not), and the last step of a stage no later stage builds on.
    let mut failed = Vec::new();
    for (stage, dockerfile) in [
        ("failed build", STEPS_FAILING),
        ("two stages", STEPS_STAGES),
    ] {
        std::fs::write(side.dir.join("Dockerfile"), dockerfile).expect("Dockerfile");
        let mut args = vec!["build", "-t", STEPS_IMAGE, "."];
        if live {
            args.insert(1, "--network=none");
        }
        failed.push(!side.run(&args).status.success());
        look(stage);
    }
    assert_eq!(failed, [true, false], "{}: the builds' outcomes", side.name);
    StepsReport {
        listings,
        cached,
        history,
        rmi,
        prune,
    }
}

#[test]
fn classic_step_images_list_as_on_the_live_engine() {
    let Some(engine) = engine_for_test("classic_step_images_list_as_on_the_live_engine") else {
        return;
    };
    let _lock = engine.lock().expect("the engine's lock");
    let cleanup = StepsCleanup(&engine);
    cleanup.now();

    let (ours_dir, live_dir) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let (ours, live) = sides(&engine, ours_dir.path(), live_dir.path());
    let theirs = play_steps(&live);
    cleanup.now();
    let mine = play_steps(&ours);
    for ((stage, all, shown), (_, their_all, their_shown)) in
        mine.listings.iter().zip(&theirs.listings)
    {
        assert_eq!(all, their_all, "images -a after {stage}");
        assert_eq!(shown, their_shown, "images after {stage}");
    }
    assert_eq!(mine.cached, theirs.cached, "an unchanged rebuild");
    assert_eq!(mine.history, theirs.history, "history's images");
    assert_eq!(mine.rmi, theirs.rmi, "rmi");
    assert_eq!(mine.prune, theirs.prune, "image prune");
    // What was compared is there: each of the six steps made an image, the
    // second build none, the rebuild two more; rmi took the tag's image
    // with its COPY step and layer, the prune the old chain (six images,
    // four layers).
    let counts: Vec<(usize, usize)> = mine
        .listings
        .iter()
        .map(|(_, all, shown)| (all.len(), shown.len()))
        .collect();
    assert_eq!(
        counts,
        [(6, 1), (6, 1), (8, 2), (6, 1), (0, 0), (2, 1), (4, 3)],
        "{mine:?}"
    );
    assert_eq!((mine.cached, mine.rmi, mine.prune.0), (6, (1, 3), 10));
    assert_eq!(mine.history, [&["listed"; 6][..], &["base"]].concat());
}
