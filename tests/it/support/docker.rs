//! A real Docker engine as test oracle: find a reachable daemon, replay a conformance scenario
//! on it with either builder, and return what the engine reported in the `expected.json`
//! shapes, so live results compare with recordings (and with layerlab) field by field.
//!
//! The daemon comes from `LAYERLAB_DOCKER_HOST`, else `DOCKER_HOST` (`.ci/docker-up.sh` starts
//! one); the client from `LAYERLAB_DOCKER_CLI` / `DOCKER_CLI`, else Debian's `/usr/bin/docker`
//! (a 20.10 client runs both `DOCKER_BUILDKIT=1` and `=0` builds). Every build runs with
//! `--network=none`; no image is ever pulled: the scenarios build `FROM busybox`, imported.

use super::progress::{parse_buildkit, parse_classic};
use super::scenario::{
    apply_mutation, context_path, dockerfile_arg, dockerfile_stages, materialize, BuildRecord,
    FinalImage, HistoryRow, ImageSummary, Mode, ModeRecord, Scenario,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Every image a replay builds is tagged `layerlab-live/<scenario>:<mode>-b<i>`.
const TAG_REPO: &str = "layerlab-live";
/// The base image the scenarios build from; it must exist on the engine.
pub const BASE_IMAGE: &str = "busybox:latest";
/// Longest a single docker command may take (a build of the slowest scenario step is seconds).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);
/// Longest we wait for another recording on the same engine to finish.
const LOCK_TIMEOUT: Duration = Duration::from_secs(900);

/// A reachable Docker daemon and the client that talks to it.
#[derive(Debug, Clone)]
pub struct Engine {
    pub cli: PathBuf,
    pub host: String,
}

/// `CI` is set (to anything but empty, `0` or `false`): a daemon is always provided there.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

fn client_path() -> PathBuf {
    for var in ["LAYERLAB_DOCKER_CLI", "DOCKER_CLI"] {
        if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            return PathBuf::from(v);
        }
    }
    let debian = PathBuf::from("/usr/bin/docker");
    if debian.is_file() {
        debian
    } else {
        PathBuf::from("docker")
    }
}

/// The reachable engine named by the environment, or why there is none.
pub fn find_engine() -> Result<Engine, String> {
    let host = ["LAYERLAB_DOCKER_HOST", "DOCKER_HOST"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|h| !h.is_empty()))
        .ok_or(
            "neither LAYERLAB_DOCKER_HOST nor DOCKER_HOST is set \
                (start a daemon with `bash .ci/docker-up.sh` and export what it prints)",
        )?;
    let engine = Engine {
        cli: client_path(),
        host,
    };
    let info = engine.run(["info"], None, None)?;
    if !info.status.success() {
        return Err(format!(
            "`{} info` fails on {}: {}",
            engine.cli.display(),
            engine.host,
            String::from_utf8_lossy(&info.stderr).trim()
        ));
    }
    let base = engine.run(["image", "inspect", BASE_IMAGE], None, None)?;
    if !base.status.success() {
        return Err(format!(
            "the engine at {} has no {BASE_IMAGE} (`.ci/docker-up.sh` imports it)",
            engine.host
        ));
    }
    Ok(engine)
}

/// The engine for a live test, or `None` after saying loudly why the test does not run.
/// Under CI a missing engine is a failure: CI always provides one.
pub fn engine_for_test(test: &str) -> Option<Engine> {
    match find_engine() {
        Ok(e) => Some(e),
        Err(why) if in_ci() => panic!("{test}: CI is set but no Docker engine is reachable: {why}"),
        Err(why) => {
            loud(&format!(
                "{test}: NOT RUN: no Docker engine reachable: {why}"
            ));
            None
        }
    }
}

/// Print past the test harness's output capture, so a passing test that did not run is
/// still visible in `cargo test` output.
pub fn loud(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n!!!!!!!! {message}\n");
}

/// Combined output of a command; the builders print their progress on stdout (classic) or
/// stderr (BuildKit), never interleaved with the other stream in a way the parsers depend on.
fn text(out: &Output) -> String {
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    s
}

impl Engine {
    /// Run the client against this engine, killed after `COMMAND_TIMEOUT` (via coreutils
    /// `timeout`, so a hung daemon fails the test instead of hanging it).
    fn run<I, S>(
        &self,
        args: I,
        buildkit: Option<bool>,
        cwd: Option<&Path>,
    ) -> Result<Output, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<_> = args
            .into_iter()
            .map(|a| a.as_ref().to_os_string())
            .collect();
        let mut cmd = Command::new("timeout");
        cmd.arg("--kill-after=10")
            .arg(COMMAND_TIMEOUT.as_secs().to_string())
            .arg(&self.cli)
            .args(&args)
            .env("DOCKER_HOST", &self.host)
            .stdin(Stdio::null());
        if let Some(bk) = buildkit {
            cmd.env("DOCKER_BUILDKIT", if bk { "1" } else { "0" });
        }
        if let Some(dir) = cwd {
            cmd.current_dir(dir);
        }
        let shown = || {
            let a: Vec<_> = args.iter().map(|a| a.to_string_lossy()).collect();
            format!("{} {}", self.cli.display(), a.join(" "))
        };
        let started = Instant::now();
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run {}: {e}", shown()))?;
        // 124/137 is also what a build reports for a RUN exiting so: the clock tells them apart
        let timed_out = matches!(out.status.code(), Some(124) | Some(137));
        if timed_out && started.elapsed() >= COMMAND_TIMEOUT {
            return Err(format!(
                "`{}` timed out after {:?}",
                shown(),
                COMMAND_TIMEOUT
            ));
        }
        Ok(out)
    }

    /// Run and require success; returns stdout.
    fn ok<I, S>(&self, args: I) -> Result<String, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<_> = args
            .into_iter()
            .map(|a| a.as_ref().to_os_string())
            .collect();
        let out = self.run(&args, None, None)?;
        if !out.status.success() {
            let a: Vec<_> = args.iter().map(|a| a.to_string_lossy()).collect();
            return Err(format!(
                "`docker {}` failed: {}",
                a.join(" "),
                text(&out).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn ids(&self, args: &[&str]) -> Result<BTreeSet<String>, String> {
        Ok(self
            .ok(args)?
            .split_whitespace()
            .map(str::to_string)
            .collect())
    }

    fn image_ids(&self) -> Result<BTreeSet<String>, String> {
        self.ids(&["images", "-a", "-q", "--no-trunc"])
    }

    fn container_ids(&self) -> Result<BTreeSet<String>, String> {
        self.ids(&["ps", "-a", "-q", "--no-trunc"])
    }

    /// The BuildKit cache records on the engine, by id.
    fn cache_ids(&self) -> Result<BTreeSet<String>, String> {
        let out = self.ok(["system", "df", "-v", "--format", "{{json .BuildCache}}"])?;
        let rows: Value =
            serde_json::from_str(out.trim()).map_err(|e| format!("system df: {e}"))?;
        Ok(rows
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["ID"].as_str().map(str::to_string))
            .collect())
    }

    fn our_tags(&self) -> Result<Vec<String>, String> {
        let filter = format!("reference={TAG_REPO}/*");
        let out = self.ok([
            "images",
            "--format",
            "{{.Repository}}:{{.Tag}}",
            "--filter",
            &filter,
        ])?;
        Ok(out.split_whitespace().map(str::to_string).collect())
    }

    /// Run a docker command on this engine and require success; returns
    /// its stdout.
    pub fn docker(&self, args: &[&str]) -> Result<String, String> {
        self.ok(args)
    }

    /// Hold the engine's recording lock while a test works on the engine
    /// outside a [`Session`]: a replay's cleanup removes every image it did
    /// not see when it began, so it must not run meanwhile.
    pub fn lock(&self) -> Result<File, String> {
        engine_lock(&self.host)
    }

    /// Start replaying on this engine: waits for (and then holds) the engine's recording lock,
    /// removes leftovers of an interrupted replay, and takes the images and containers that
    /// exist now as the baseline every cleanup returns to.
    pub fn session(&self) -> Result<Session<'_>, String> {
        let lock = engine_lock(&self.host)?;
        for tag in self.our_tags()? {
            // removing the tag also removes its untagged parents: classic's cache images
            self.run(["rmi", &tag], None, None)?;
        }
        let tmp = tempfile::Builder::new()
            .prefix("layerlab-live-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        Ok(Session {
            engine: self,
            base_images: self.image_ids()?,
            base_containers: self.container_ids()?,
            base_cache: self.cache_ids()?,
            _lock: lock,
            tmp,
        })
    }
}

/// The lock the shared recorder (`record.py`) takes for the same `DOCKER_HOST`, so a replay
/// and a recording never wipe each other's images.
fn engine_lock(host: &str) -> Result<File, String> {
    let digest = Sha256::digest(host.as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let path = std::env::temp_dir().join(format!("cfrec-{hex}.lock"));
    let file = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let start = Instant::now();
    let mut said = false;
    loop {
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => return Ok(file),
            Err(fs4::TryLockError::WouldBlock) if start.elapsed() < LOCK_TIMEOUT => {
                if !said {
                    eprintln!(
                        "waiting for another recording on {host} ({})",
                        path.display()
                    );
                    said = true;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            Err(e) => return Err(format!("cannot lock {}: {e:?}", path.display())),
        }
    }
}

/// Replays on one engine; each replay starts from the baseline (no build cache, no images
/// built earlier), as the recordings did.
pub struct Session<'e> {
    engine: &'e Engine,
    base_images: BTreeSet<String>,
    base_containers: BTreeSet<String>,
    /// Cache records that were there before: an engine others use keeps theirs.
    base_cache: BTreeSet<String>,
    _lock: File,
    tmp: tempfile::TempDir,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.cleanup() {
            eprintln!("cleanup after the live replays failed: {e}");
        }
    }
}

impl Session<'_> {
    /// Remove everything a later build could take from the cache: containers and images that
    /// appeared since the baseline (classic's cache), and BuildKit's cache records.
    pub fn cleanup(&self) -> Result<(), String> {
        let e = self.engine;
        for c in e.container_ids()?.difference(&self.base_containers) {
            e.run(["rm", "-f", c], None, None)?;
        }
        // untag first: a built image can share its ID with a baseline image
        for tag in e.our_tags()? {
            e.run(["rmi", &tag], None, None)?;
        }
        // images with children cannot go before their children: repeat while progressing
        loop {
            let left: Vec<String> = e
                .image_ids()?
                .difference(&self.base_images)
                .cloned()
                .collect();
            if left.is_empty() {
                break;
            }
            let mut progressed = false;
            for id in &left {
                progressed |= e.run(["rmi", "-f", id], None, None)?.status.success();
            }
            if !progressed {
                return Err(format!("cannot remove images {left:?}"));
            }
        }
        // only the cache records made since the baseline: others' stay. A record goes only
        // after the ones built on it: repeat while progressing
        let mut before = usize::MAX;
        loop {
            let left: Vec<String> = e
                .cache_ids()?
                .difference(&self.base_cache)
                .cloned()
                .collect();
            if left.is_empty() {
                return Ok(());
            }
            if left.len() >= before {
                return Err(format!("cannot prune build cache records {left:?}"));
            }
            before = left.len();
            for id in &left {
                let filter = format!("id={id}");
                e.run(["builder", "prune", "-af", "--filter", &filter], None, None)?;
            }
        }
    }

    /// Replay every build of `scenario` with one builder, from an empty cache, and report
    /// them as the recorder does. Errors mean the harness or the engine failed, not a build.
    pub fn replay(&self, scenario: &Scenario, mode: Mode) -> Result<ModeRecord, String> {
        self.cleanup()?;
        let e = self.engine;
        let ctx = tempfile::Builder::new()
            .prefix("ctx-")
            .tempdir_in(self.tmp.path())
            .map_err(|err| format!("context dir: {err}"))?;
        materialize(ctx.path(), &scenario.files)?;
        let tag_base = format!("{TAG_REPO}/{}", slug(&scenario.name));
        let mut record = ModeRecord::default();
        let mut prev_id: Option<String> = None;
        for (i, spec) in scenario.builds.iter().enumerate() {
            for op in &spec.mutate {
                apply_mutation(ctx.path(), op)?;
            }
            let dockerfile = context_path(ctx.path(), dockerfile_arg(&spec.args))?;
            let stages = fs::read_to_string(&dockerfile)
                .map(|t| dockerfile_stages(&t))
                .unwrap_or_default();
            let tag = format!("{tag_base}:{}-b{i}", mode.as_str());
            let iid = self.tmp.path().join(format!("iid-{}-{i}", mode.as_str()));
            let _ = fs::remove_file(&iid);
            let mut args: Vec<String> = vec![
                "build".into(),
                "--network=none".into(),
                "-t".into(),
                tag.clone(),
                "--iidfile".into(),
                iid.to_string_lossy().into_owned(),
            ];
            if mode == Mode::Buildkit {
                args.push("--progress=plain".into());
            }
            args.extend(spec.args.iter().cloned());
            args.push(".".into());
            let started = Instant::now();
            let out = e.run(&args, Some(mode == Mode::Buildkit), Some(ctx.path()))?;
            let wall = started.elapsed().as_secs_f64();
            let log = text(&out);
            let steps = match mode {
                Mode::Buildkit => parse_buildkit(&log, &stages),
                Mode::Classic => parse_classic(&log, &stages),
            };
            let mut b = BuildRecord {
                args: spec.args.clone(),
                exit_code: out.status.code().unwrap_or(-1),
                wall_seconds: Some((wall * 1000.0).round() / 1000.0),
                steps,
                ..BuildRecord::default()
            };
            if b.steps.is_empty() {
                b.parse_warning = Some("no build steps found in the builder output".into());
            }
            if out.status.success() {
                let summary = image_summary(e, &tag)?;
                let id = fs::read_to_string(&iid)
                    .ok()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .or(summary.id.clone());
                b.same_image_as_previous_build = prev_id.as_ref().map(|p| Some(p) == id.as_ref());
                b.layer_count = Some(summary.layer_count);
                b.size = summary.size;
                b.image_id = id.clone();
                prev_id = id;
            } else {
                let lines: Vec<&str> = log.lines().collect();
                b.error_tail = Some(lines[lines.len().saturating_sub(15)..].join("\n"));
                prev_id = None;
            }
            record.builds.push(b);
        }
        if record.builds.last().is_some_and(|b| b.exit_code == 0) {
            let tag = format!("{tag_base}:{}-b{}", mode.as_str(), record.builds.len() - 1);
            record.final_image = Some(FinalImage {
                inspect: image_summary(e, &tag)?,
                history: image_history(e, &tag)?,
            });
        }
        if !scenario.first_build_may_hit_cache {
            let hits: Vec<&str> = record
                .builds
                .first()
                .into_iter()
                .flat_map(|b| &b.steps)
                .filter(|s| s.cached && s.keyword != "FROM")
                .map(|s| s.text.as_str())
                .collect();
            if !hits.is_empty() {
                return Err(format!(
                    "first build hit the cache (isolation broken?): {hits:?}"
                ));
            }
        }
        Ok(record)
    }
}

fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
            s.push(c);
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches(|c| c == '-' || c == '.');
    if s.is_empty() {
        "x".into()
    } else {
        s.chars().take(100).collect()
    }
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array().map(|a| {
        a.iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()
    })
}

/// Sorted keys of an object such as ExposedPorts; `None` when absent or empty.
fn keys(v: &Value) -> Option<Vec<String>> {
    v.as_object()
        .map(|o| o.keys().cloned().collect::<Vec<_>>())
        .filter(|k| !k.is_empty())
}

fn image_summary(e: &Engine, reference: &str) -> Result<ImageSummary, String> {
    let raw = e.ok(["image", "inspect", reference])?;
    let all: Value =
        serde_json::from_str(&raw).map_err(|err| format!("inspect {reference}: {err}"))?;
    let info = &all[0];
    let cfg = &info["Config"];
    let layers = strings(&info["RootFS"]["Layers"]).unwrap_or_default();
    let s = |v: &Value| v.as_str().map(str::to_string);
    Ok(ImageSummary {
        id: s(&info["Id"]),
        layer_count: layers.len() as u64,
        layers,
        size: info["Size"].as_u64(),
        env: strings(&cfg["Env"]),
        cmd: strings(&cfg["Cmd"]),
        entrypoint: strings(&cfg["Entrypoint"]),
        working_dir: s(&cfg["WorkingDir"]),
        user: s(&cfg["User"]),
        labels: cfg["Labels"].as_object().map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        }),
        exposed_ports: keys(&cfg["ExposedPorts"]),
        volumes: keys(&cfg["Volumes"]),
        shell: strings(&cfg["Shell"]),
        stop_signal: s(&cfg["StopSignal"]),
        healthcheck: Some(cfg["Healthcheck"].clone()).filter(|h| !h.is_null()),
        parent: s(&info["Parent"]).filter(|p| !p.is_empty()),
        comment: s(&info["Comment"]).filter(|c| !c.is_empty()),
    })
}

fn image_history(e: &Engine, reference: &str) -> Result<Vec<HistoryRow>, String> {
    let raw = e.ok([
        "history",
        "--no-trunc",
        "--human=false",
        "--format",
        "{{json .}}",
        reference,
    ])?;
    raw.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value =
                serde_json::from_str(l).map_err(|err| format!("history {reference}: {err}"))?;
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            Ok(HistoryRow {
                created_by: s("CreatedBy"),
                comment: s("Comment"),
                size_bytes: s("Size").parse().ok(),
                id: Some(s("ID")),
                created_at: Some(s("CreatedAt")),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_valid_docker_repository_names() {
        assert_eq!(slug("07-Copy All!"), "07-copy-all");
        assert_eq!(slug("--"), "x");
    }
}
