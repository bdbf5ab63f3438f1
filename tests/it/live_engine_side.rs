//! `layerlab build --engine docker` against the CI daemon: on the lecture's
//! web-ping example and on three recorded conformance scenarios, under both
//! builders, docker's verdicts match layerlab's on every step of every build
//! (`--fail-on-difference` would fail otherwise). And with no daemon it says
//! so in one line and still succeeds.
//!
//! Needs a daemon: `export DOCKER_HOST=$(bash .ci/docker-up.sh)`. Without one
//! the live test says so loudly and passes, except under CI, where it fails.

use crate::support;

use std::path::Path;
use std::process::Output;
use support::binary::layerlab;
use support::docker::{engine_for_test, in_ci, loud, Engine, BASE_IMAGE};
use support::layerlab::busybox_rootfs;
use support::scenario::{apply_mutation, materialize, shared_conformance_dir, ScenarioDir};

/// Three recorded scenarios where the cache decides: a source edit before
/// a slow RUN, dependency manifests before sources, an ignored file.
const SCENARIOS: [&str; 3] = [
    "02-order-source-before-slow-run",
    "03-order-deps-before-source",
    "08-dockerignored-file-changed",
];

/// The lecture example's base, lent the busybox image on the daemon (web-ping
/// runs no RUN: only the cache's view of its steps matters).
const WEB_PING_BASE: &str = "diamol/node:latest";

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A fresh layerlab state with the scenarios' busybox imported, as the
/// conformance README asks.
fn state_with_busybox(dir: &Path) {
    let tar = dir.join("busybox.tar");
    std::fs::write(&tar, busybox_rootfs().unwrap_or_else(|e| panic!("{e}"))).expect("write tar");
    let state = dir.join("state");
    let out = layerlab()
        .arg("--state")
        .arg(&state)
        .arg("import")
        .arg(&tar)
        .arg(BASE_IMAGE)
        .output()
        .expect("run layerlab import");
    assert!(out.status.success(), "import: {}", text(&out));
}

/// `layerlab build --engine docker --fail-on-difference` in `ctx`. Each
/// series starts on a daemon cleaned of what earlier series built (the
/// session's cleanup), as the recordings did.
fn build_side_by_side(
    engine: &Engine,
    state: &Path,
    ctx: &Path,
    builder: &str,
    extra: &[String],
    tag: &str,
) -> Output {
    let mut cmd = layerlab();
    cmd.current_dir(ctx)
        .env("DOCKER_HOST", &engine.host)
        .env("LAYERLAB_DOCKER_CLI", &engine.cli)
        .arg("--state")
        .arg(state)
        .args(["build", "--engine", "docker", "--fail-on-difference"])
        .args(["--builder", builder, "-t", tag]);
    cmd.args(extra)
        .arg(".")
        .output()
        .expect("run layerlab build")
}

fn check(label: &str, out: &Output, failures: &mut Vec<String>) {
    let shown = text(out);
    let agrees = shown.contains("docker agrees on every step");
    if !out.status.success() || !agrees || shown.contains("← differs") {
        failures.push(format!(
            "{label}: exit {:?}, docker does not agree:\n{shown}",
            out.status.code()
        ));
    }
}

#[test]
fn docker_agrees_with_layerlab_on_the_lecture_and_three_scenarios() {
    let dir = match shared_conformance_dir() {
        Some(d) => d,
        None if in_ci() => panic!("CI is set but ../shared/conformance is missing"),
        None => {
            loud("live_engine_side: NOT RUN: the shared conformance set (../shared/conformance) is absent");
            return;
        }
    };
    let Some(engine) =
        engine_for_test("docker_agrees_with_layerlab_on_the_lecture_and_three_scenarios")
    else {
        return;
    };
    // the session holds the engine's lock and removes what these builds leave
    let session = engine
        .session()
        .unwrap_or_else(|e| panic!("cannot start on {}: {e}", engine.host));
    let lent_base = engine.docker(&["image", "inspect", WEB_PING_BASE]).is_err();
    if lent_base {
        engine
            .docker(&["tag", BASE_IMAGE, WEB_PING_BASE])
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut failures = Vec::new();
    let mut builds = 0;
    for builder in ["buildkit", "classic"] {
        // the lecture's example, then its point: app.js changes
        session.cleanup().unwrap_or_else(|e| panic!("{e}"));
        let tmp = tempfile::tempdir().expect("tempdir");
        state_with_busybox(tmp.path());
        let ctx = tmp.path().join("web-ping");
        std::fs::create_dir(&ctx).expect("mkdir");
        layerlab::runtime::write_files(&ctx, layerlab::runtime::EXAMPLE).expect("example");
        for i in 0..2 {
            if i == 1 {
                std::fs::write(ctx.join("app.js"), "console.log('v2');\n").expect("edit");
            }
            let tag = format!("layerlab-live/side-web-ping:{builder}-b{i}");
            let out =
                build_side_by_side(&engine, &tmp.path().join("state"), &ctx, builder, &[], &tag);
            check(
                &format!("web-ping [{builder}] build {i}"),
                &out,
                &mut failures,
            );
            builds += 1;
        }
        for name in SCENARIOS {
            session.cleanup().unwrap_or_else(|e| panic!("{e}"));
            let sc = ScenarioDir::load(&dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
            let tmp = tempfile::tempdir().expect("tempdir");
            state_with_busybox(tmp.path());
            let ctx = tmp.path().join("ctx");
            std::fs::create_dir(&ctx).expect("mkdir");
            materialize(&ctx, &sc.scenario.files).unwrap_or_else(|e| panic!("{e}"));
            for (i, spec) in sc.scenario.builds.iter().enumerate() {
                for m in &spec.mutate {
                    apply_mutation(&ctx, m).unwrap_or_else(|e| panic!("{e}"));
                }
                let tag = format!("layerlab-live/side-{name}:{builder}-b{i}");
                let out = build_side_by_side(
                    &engine,
                    &tmp.path().join("state"),
                    &ctx,
                    builder,
                    &spec.args,
                    &tag,
                );
                check(
                    &format!("{name} [{builder}] build {i}"),
                    &out,
                    &mut failures,
                );
                builds += 1;
            }
        }
    }
    // a failing RUN: both fail at the same step, with what came before
    // built alike, and the build's own exit code stands
    for builder in ["buildkit", "classic"] {
        session.cleanup().unwrap_or_else(|e| panic!("{e}"));
        let tmp = tempfile::tempdir().expect("tempdir");
        state_with_busybox(tmp.path());
        let ctx = tmp.path().join("ctx");
        std::fs::create_dir(&ctx).expect("mkdir");
        std::fs::write(
            ctx.join("Dockerfile"),
            "FROM busybox\nWORKDIR /w\nRUN echo out && exit 3\n",
        )
        .expect("write");
        let tag = format!("layerlab-live/side-fail:{builder}");
        let out = build_side_by_side(&engine, &tmp.path().join("state"), &ctx, builder, &[], &tag);
        let shown = text(&out);
        // as docker build exits: BuildKit 1, the classic builder the RUN's code
        let code = if builder == "buildkit" { 1 } else { 3 };
        if out.status.code() != Some(code) || !shown.contains("docker agrees on every step") {
            failures.push(format!(
                "failing RUN [{builder}]: exit {:?}, docker does not agree:\n{shown}",
                out.status.code()
            ));
        }
        builds += 1;
    }
    if lent_base {
        // only the tag goes: busybox keeps the image
        let _ = engine.docker(&["rmi", WEB_PING_BASE]);
    }
    drop(session);
    loud(&format!(
        "live_engine_side: {builds} builds side by side on {}, {} difference(s)",
        engine.host,
        failures.len()
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn without_a_daemon_it_says_so_in_one_line_and_succeeds() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir(&ctx).expect("mkdir");
    std::fs::write(ctx.join("Dockerfile"), "FROM scratch\nCOPY a.txt /a.txt\n").expect("write");
    std::fs::write(ctx.join("a.txt"), "a\n").expect("write");
    let nowhere = tmp.path().join("no-daemon.sock");
    for (lang, line) in [
        ("en", "docker: no daemon answers at"),
        ("ko", "에서 응답하는 데몬 없음"),
    ] {
        let out = layerlab()
            .env("DOCKER_HOST", format!("unix://{}", nowhere.display()))
            .arg("--state")
            .arg(tmp.path().join("state"))
            .args([
                "--lang",
                lang,
                "build",
                "--engine",
                "docker",
                "--fail-on-difference",
            ])
            .arg(&ctx)
            .output()
            .expect("run layerlab build");
        let shown = text(&out);
        assert!(out.status.success(), "{lang}: {shown}");
        let said: Vec<&str> = shown.lines().filter(|l| l.contains(line)).collect();
        assert_eq!(said.len(), 1, "{lang}: one line about the daemon:\n{shown}");
        assert!(said[0].contains("no-daemon.sock"), "{}", said[0]);
        // layerlab's own report is still all there
        let summary = if lang == "en" {
            "rebuilt in"
        } else {
            "다시 빌드"
        };
        assert!(shown.contains(summary), "{lang}: {shown}");
        // and the JSON says it too, in new fields
        let json = layerlab()
            .env("DOCKER_HOST", format!("unix://{}", nowhere.display()))
            .arg("--state")
            .arg(tmp.path().join("state"))
            .args(["build", "--engine", "docker", "--json"])
            .arg(&ctx)
            .output()
            .expect("run layerlab build --json");
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
        assert_eq!(v["engine"]["status"], "unreachable");
        assert!(v["steps"][0]["engine"].is_null());
        assert!(v["steps"][0]["cached"].is_boolean(), "old fields stay");
    }
}
