//! The BuildKit build cache's garbage collection through the binary:
//! `docker builder prune` with `--all`, `--filter until=`, `--keep-storage`
//! and the other filters, the automatic policy after each build, and what
//! `system df` counts — plus docker's own words for bad flags and filters,
//! compared with the live engine where one is reachable.

use crate::support;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::docker::engine_for_test;

struct Lab {
    tmp: tempfile::TempDir,
    keep_storage: Option<&'static str>,
}

impl Lab {
    fn new() -> Lab {
        Lab {
            tmp: tempfile::tempdir().expect("tempdir"),
            keep_storage: Some("0"),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut c = support::binary::layerlab();
        c.arg("--state")
            .arg(self.tmp.path().join("state"))
            .args(args);
        match self.keep_storage {
            Some(v) => c.env("LAYERLAB_BUILDER_KEEP_STORAGE", v),
            None => c.env_remove("LAYERLAB_BUILDER_KEEP_STORAGE"),
        };
        c.output().expect("run layerlab")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn docker(&self, line: &str) -> String {
        let mut args = vec!["docker"];
        args.extend(line.split_whitespace());
        self.ok(&args)
    }

    /// A project whose one RUN makes a layer of 100 kB that no other
    /// project has.
    fn project(&self, name: &str) -> PathBuf {
        let dir = self.tmp.path().join(name);
        std::fs::create_dir_all(&dir).expect("project dir");
        std::fs::write(
            dir.join("Dockerfile"),
            format!("FROM busybox\nRUN printf '%0100000d' 0 > /{name}\n"),
        )
        .expect("Dockerfile");
        dir
    }

    /// Build `dir` as `tag`; how many of its steps were rebuilt.
    fn build(&self, dir: &Path, tag: &str) -> usize {
        self.build_with("buildkit", dir, tag)
    }

    fn build_with(&self, builder: &str, dir: &Path, tag: &str) -> usize {
        let ctx = dir.to_str().expect("utf8");
        let out = self.ok(&["build", "--json", "--builder", builder, "-t", tag, ctx]);
        let json: serde_json::Value = serde_json::from_str(&out).expect("build --json");
        json["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .filter(|s| s["cached"] == false && s["keyword"] != "FROM")
            .count()
    }

    /// The Build Cache row of `system df`: (records, size).
    fn cache_row(&self) -> (String, String) {
        let df = self.docker("system df");
        let row = df
            .lines()
            .find(|l| l.starts_with("Build Cache"))
            .unwrap_or_else(|| panic!("no Build Cache row: {df}"));
        let words: Vec<&str> = row.split_whitespace().collect();
        (words[2].to_owned(), words[4].to_owned())
    }
}

/// The ids a prune printed (between its heading and the blank line).
fn deleted(out: &str) -> Vec<String> {
    out.lines()
        .skip_while(|l| *l != "Deleted build cache objects:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn without_all_only_records_no_image_holds_go() {
    let lab = Lab::new();
    let a = lab.project("a");
    assert_eq!(lab.build(&a, "a"), 1);
    assert_eq!(
        lab.cache_row(),
        ("1".into(), "0B".into()),
        "the image holds it"
    );
    let out = lab.docker("builder prune -f");
    assert_eq!(out, "Total reclaimed space: 0B\n");
    assert_eq!(lab.build(&a, "a"), 0, "the image's records stay");
    lab.docker("rmi a");
    assert_eq!(
        lab.cache_row(),
        ("1".into(), "100kB".into()),
        "dangling now"
    );
    let out = lab.docker("builder prune -f");
    assert_eq!(deleted(&out).len(), 1, "{out}");
    assert!(out.ends_with("\n\nTotal reclaimed space: 100kB\n"), "{out}");
    assert_eq!(lab.cache_row(), ("0".into(), "0B".into()));
    // Built again, and the reason says why it could not be reused.
    let again = lab.ok(&["build", "-t", "a", a.to_str().expect("utf8")]);
    assert!(
        again.contains(
            "why: built before, but its cache record was removed by docker builder prune"
        ),
        "{again}"
    );
}

#[test]
fn all_takes_what_images_hold_too() {
    let lab = Lab::new();
    let a = lab.project("a");
    lab.build(&a, "a");
    let out = lab.docker("builder prune -af");
    assert_eq!(deleted(&out).len(), 1, "{out}");
    assert!(lab.docker("images").contains("a "), "the image stays");
    assert_eq!(lab.build(&a, "a"), 1);
}

#[test]
fn until_keeps_what_recent_builds_used() {
    // Builds keep a simulated minute each: `a` is used by build 1, `b` by
    // builds 2, 3 and 4.
    let lab = Lab::new();
    let (a, b) = (lab.project("a"), lab.project("b"));
    lab.build(&a, "a");
    for _ in 0..3 {
        lab.build(&b, "b");
    }
    let listed = lab.docker("system df -v");
    assert!(
        listed
            .lines()
            .any(|l| l.contains("regular") && l.contains(" 3 ")),
        "b's record was used three times: {listed}"
    );
    let out = lab.docker("builder prune -af --filter until=2m");
    assert_eq!(deleted(&out).len(), 1, "{out}");
    assert_eq!(lab.build(&b, "b"), 0, "used a minute ago: kept");
    assert_eq!(lab.build(&a, "a"), 1, "used three minutes ago: pruned");
    let out = lab.docker("builder prune -af --filter until=24h");
    assert_eq!(out, "Total reclaimed space: 0B\n", "nothing is a day old");
}

#[test]
fn keep_storage_drops_the_least_recently_used_first_until_the_cache_fits() {
    let lab = Lab::new();
    let projects: Vec<PathBuf> = ["a", "b", "c"].iter().map(|n| lab.project(n)).collect();
    for (p, tag) in projects.iter().zip(["a", "b", "c"]) {
        lab.build(p, tag);
        lab.docker(&format!("rmi {tag}"));
    }
    assert_eq!(lab.cache_row(), ("3".into(), "300kB".into()));
    let out = lab.docker("builder prune -f --keep-storage 250kB");
    assert_eq!(deleted(&out).len(), 1, "{out}");
    assert_eq!(lab.cache_row(), ("2".into(), "200kB".into()));
    assert_eq!(lab.build(&projects[2], "c"), 0, "the newest stays");
    assert_eq!(lab.build(&projects[1], "b"), 0);
    assert_eq!(lab.build(&projects[0], "a"), 1, "the oldest went");
}

#[test]
fn the_automatic_policy_keeps_the_cache_under_its_limit() {
    let mut lab = Lab::new();
    lab.keep_storage = Some("250kB");
    let projects: Vec<PathBuf> = ["a", "b", "c", "d"]
        .iter()
        .map(|n| lab.project(n))
        .collect();
    for (p, tag) in projects.iter().zip(["a", "b", "c", "d"]) {
        lab.build(p, tag);
        lab.docker(&format!("rmi {tag}"));
    }
    // Collected after each build: at most two dangling records stay, and
    // they are the newest.
    let (records, size) = lab.cache_row();
    assert!(records == "2" || records == "3", "{records} {size}");
    assert_eq!(lab.build(&projects[3], "d"), 0, "the newest stays");
    assert_eq!(lab.build(&projects[0], "a"), 1, "the oldest went");
    let bad = {
        let mut l = Lab::new();
        l.keep_storage = Some("lots");
        l.run(&["docker", "system", "df"])
    };
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("LAYERLAB_BUILDER_KEEP_STORAGE=lots is not a size"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn filters_pick_records_by_id_and_sharing() {
    let lab = Lab::new();
    let (a, b) = (lab.project("a"), lab.project("b"));
    lab.build(&a, "a");
    lab.build(&b, "b");
    lab.docker("rmi b");
    let listed = lab.docker("system df -v");
    let shared_id = listed
        .lines()
        .find(|l| l.contains("regular") && l.trim_end().ends_with("true"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("a shared record: {listed}"))
        .to_owned();
    let out = lab.docker("builder prune -af --filter private=true");
    assert_eq!(
        deleted(&out).len(),
        1,
        "only b's, which no image holds: {out}"
    );
    let out = lab.docker(&format!("builder prune -af --filter id={shared_id}"));
    assert_eq!(deleted(&out).len(), 1, "{out}");
    assert!(deleted(&out)[0].starts_with(&shared_id), "{out}");
    assert_eq!(lab.cache_row().0, "0");
}

/// Each line, its exit status and both streams.
fn answers(run: impl Fn(&[&str]) -> Output) -> Vec<(Option<i32>, String, String)> {
    [
        "builder prune -f --filter foo=bar",
        "builder prune -f --filter until=abc",
        "builder prune -f --filter until=1h --filter until=2h",
        "builder prune -f --filter private",
        "builder prune -f --keep-storage abc",
        "builder prune -f --filter until=100000h",
        "builder prune --help",
    ]
    .iter()
    .map(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        let out = run(&words);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .collect()
}

/// Docker's words for bad flags and filters, and for a prune that finds
/// nothing, as the live engine says them (none of these lines removes
/// anything there).
#[test]
fn prune_errors_match_the_live_engine() {
    let Some(engine) = engine_for_test("prune_errors_match_the_live_engine") else {
        return;
    };
    let _lock = engine.lock().expect("the engine's lock");
    let live = answers(|args| {
        std::process::Command::new(&engine.cli)
            .env("DOCKER_HOST", &engine.host)
            .args(args)
            .output()
            .expect("docker")
    });
    let lab = Lab::new();
    let ours = answers(|args| {
        let mut all = vec!["docker"];
        all.extend(args);
        lab.run(&all)
    });
    for (mine, theirs) in ours.iter().zip(&live) {
        assert_eq!(mine, theirs);
    }
    assert_eq!(ours.len(), 7);
}

/// The classic builder's cache is its step images: `rmi` deletes them (and
/// lists them, each with the layer it added), so the next classic build
/// starts over; BuildKit's cache is kept apart from images and still hits.
#[test]
fn rmi_takes_the_classic_cache_with_it_and_leaves_buildkits() {
    let lab = Lab::new();
    let dir = lab.project("a");
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM busybox\nENV A=1\nRUN echo hi > /x\nCMD [\"sh\"]\n",
    )
    .expect("Dockerfile");
    for (builder, rebuilt_after_rmi, deleted_lines) in [("classic", 3, 4), ("buildkit", 0, 1)] {
        let build = || lab.build_with(builder, &dir, "a");
        build();
        assert_eq!(build(), 0, "{builder}: cached");
        let rmi = lab.docker("rmi a");
        // The image; under classic also the RUN step's image, its layer
        // and the ENV step's image (the CMD step's image is the image).
        assert_eq!(
            rmi.matches("Deleted: sha256:").count(),
            deleted_lines,
            "{builder}: {rmi}"
        );
        let text = lab.ok(&[
            "build",
            "--builder",
            builder,
            "-t",
            "a",
            dir.to_str().expect("utf8"),
        ]);
        assert_eq!(
            text.contains("docker rmi of image"),
            builder == "classic",
            "{builder}: the reason names the rmi: {text}"
        );
        lab.docker("rmi a");
        assert_eq!(build(), rebuilt_after_rmi, "{builder}: after rmi");
        lab.docker("rmi a");
    }
}
