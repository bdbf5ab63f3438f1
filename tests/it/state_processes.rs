//! Several layerlab processes on one state, as several docker clients on one
//! daemon: builds wait their turn and lose nothing, listing never fails,
//! fresh directories open at once; and a stored layer whose blob was
//! damaged is reported, never used, and rebuilt past with `--no-cache`.

use crate::support;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};

fn layerlab(state: &Path, args: &[&str]) -> Output {
    spawn(state, args)
        .wait_with_output()
        .expect("wait for layerlab")
}

fn spawn(state: &Path, args: &[&str]) -> Child {
    support::binary::layerlab()
        .arg("--state")
        .arg(state)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run layerlab")
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The `REPOSITORY:TAG` names `docker image ls` printed.
fn listed(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some(format!("{}:{}", words.next()?, words.next()?))
        })
        .collect()
}

const PROCESSES: usize = 4;
const ROUNDS: usize = 20;

#[test]
fn four_processes_build_and_list_on_one_state() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = tmp.path().join("state");
    let workers: Vec<_> = (0..PROCESSES)
        .map(|p| {
            let state = state.clone();
            let ctx = tmp.path().join(format!("ctx{p}"));
            std::thread::spawn(move || {
                std::fs::create_dir_all(&ctx).expect("ctx");
                std::fs::write(
                    ctx.join("Dockerfile"),
                    "FROM busybox\nRUN echo shared > /shared\nCOPY app.js /app/\nRUN cat /app/app.js > /copy\n",
                )
                .expect("Dockerfile");
                let ctx_arg = ctx.to_str().expect("utf8").to_owned();
                for round in 0..ROUNDS {
                    std::fs::write(ctx.join("app.js"), format!("// {p} {round}\n"))
                        .expect("app.js");
                    let tag = format!("p{p}:r{round}");
                    let built = layerlab(&state, &["build", "-t", &tag, &ctx_arg]);
                    assert!(built.status.success(), "build {tag}: {}", text(&built));
                    let ls = layerlab(&state, &["docker", "image", "ls"]);
                    assert!(ls.status.success(), "image ls after {tag}: {}", text(&ls));
                    let names = listed(&ls);
                    for r in 0..=round {
                        let mine = format!("p{p}:r{r}");
                        assert!(names.contains(&mine), "{mine} is gone: {}", text(&ls));
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("a process's builds");
    }
    let ls = layerlab(&state, &["docker", "image", "ls"]);
    let names = listed(&ls);
    for p in 0..PROCESSES {
        for r in 0..ROUNDS {
            assert!(
                names.contains(&format!("p{p}:r{r}")),
                "p{p}:r{r}: {}",
                text(&ls)
            );
        }
    }
}

#[test]
fn four_processes_open_a_fresh_directory_at_once() {
    // Twice the processes of the other tests: a first open that races
    // another's initialisation is what this looks for.
    for trial in 0..20 {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = tmp.path().join("state");
        let children: Vec<Child> = (0..2 * PROCESSES)
            .map(|_| spawn(&state, &["docker", "image", "ls"]))
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("wait");
            assert!(out.status.success(), "trial {trial}: {}", text(&out));
        }
    }
}

struct Built {
    _tmp: tempfile::TempDir,
    state: PathBuf,
    ctx: String,
}

/// A state holding one build of a Dockerfile with two layers of its own.
fn built() -> Built {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = tmp.path().join("state");
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(&ctx).expect("ctx");
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM busybox\nCOPY app.js /app/\nRUN echo made > /made\n",
    )
    .expect("Dockerfile");
    std::fs::write(ctx.join("app.js"), "console.log(1)\n").expect("app.js");
    let ctx = ctx.to_str().expect("utf8").to_owned();
    let out = layerlab(&state, &["build", "-t", "web", &ctx]);
    assert!(out.status.success(), "{}", text(&out));
    Built {
        _tmp: tmp,
        state,
        ctx,
    }
}

/// The stored layer blobs, in name order.
fn blobs(state: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(state.join("blobs/sha256"))
        .expect("blobs")
        .map(|e| e.expect("entry").path())
        .collect();
    found.sort();
    found
}

/// Damage the blobs with `damage`, then: a build that would use them fails
/// naming a corrupt layer and its blob; `--no-cache` rebuilds past it; and
/// the build after that is cached again over sound blobs.
fn corrupt_layer_is_reported_and_rebuilt_past(damage: impl Fn(&[PathBuf])) {
    let b = built();
    let stored = blobs(&b.state);
    assert_eq!(stored.len(), 2, "the COPY's and the RUN's layers");
    damage(&stored);

    let out = layerlab(&b.state, &["build", "-t", "web", &b.ctx]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is corrupt"), "{}", text(&out));
    assert!(stderr.contains("--no-cache"), "{}", text(&out));
    let named = stored
        .iter()
        .filter_map(|p| p.file_name()?.to_str())
        .any(|hex| stderr.contains(hex));
    assert!(named, "the blob's digest is named: {}", text(&out));

    let out = layerlab(&b.state, &["build", "--no-cache", "-t", "web", &b.ctx]);
    assert!(out.status.success(), "--no-cache: {}", text(&out));
    let out = layerlab(&b.state, &["build", "--json", "-t", "web", &b.ctx]);
    assert!(out.status.success(), "after --no-cache: {}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let steps = report["steps"].as_array().expect("steps");
    assert!(
        steps.iter().skip(1).all(|s| s["cached"] == true),
        "cached again: {report}"
    );
}

#[test]
fn a_zeroed_layer_blob_is_a_corrupt_layer() {
    corrupt_layer_is_reported_and_rebuilt_past(|blobs| {
        for b in blobs {
            std::fs::write(b, b"").expect("zero");
        }
    });
}

#[test]
fn a_layer_blob_holding_another_valid_tar_is_a_corrupt_layer() {
    corrupt_layer_is_reported_and_rebuilt_past(|blobs| {
        let (a, b) = (&blobs[0], &blobs[1]);
        let (ta, tb) = (std::fs::read(a).expect("a"), std::fs::read(b).expect("b"));
        std::fs::write(a, tb).expect("swap");
        std::fs::write(b, ta).expect("swap");
    });
}

/// While one process holds the write transaction (a build under way),
/// `image ls` in another answers at once: readers never wait.
#[test]
fn image_ls_does_not_wait_for_a_writer() {
    use std::time::{Duration, Instant};
    let b = built();
    let mut writer = layerlab::engine::daemon::Daemon::open(&b.state).expect("open");
    writer.begin().expect("the write transaction");
    let mut ls = spawn(&b.state, &["docker", "image", "ls"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while ls.try_wait().expect("poll").is_none() {
        if Instant::now() > deadline {
            let _ = ls.kill();
            panic!("image ls waited for the writer");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = ls.wait_with_output().expect("output");
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        listed(&out).contains(&"web:latest".to_string()),
        "{}",
        text(&out)
    );
    writer.save().expect("commit");
}
