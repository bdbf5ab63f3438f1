//! The real engine's edge: run `docker build` on a reachable Docker daemon
//! for the build layerlab just made, so its verdicts can stand beside
//! layerlab's (`engine::oracle` reads and compares them).
//!
//! Nothing goes anywhere but that daemon: every build runs with
//! `--network=none`, and a base image the daemon lacks is reported instead
//! of built (building would make the daemon pull it from a registry). The
//! build is bounded in time and in the output kept (`limits`), and can be
//! stopped through its flag.

use crate::engine::builder::BuilderKind;
use crate::engine::oracle::{stages_of, EngineRun, EngineSide};
use crate::engine::report::{StepReport, Verdict};
use crate::limits::{ENGINE_BUILD_SECONDS, ENGINE_OUTPUT_BYTES, ENGINE_PROBE_SECONDS};
use crate::messages::Message;
use crate::runtime::worker::Report;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where docker looks when `DOCKER_HOST` is not set.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// How often a running command is checked for its end, a cancel or the clock.
const POLL: Duration = Duration::from_millis(50);

/// One build to repeat on the daemon, as layerlab ran it.
#[derive(Debug, Clone)]
pub struct Request {
    pub builder: BuilderKind,
    /// `-f`: the Dockerfile on disk.
    pub dockerfile: PathBuf,
    /// The build context directory on disk.
    pub context: PathBuf,
    pub tags: Vec<String>,
    pub build_args: Vec<(String, String)>,
    pub no_cache: bool,
    pub target: Option<String>,
    /// The images the Dockerfile's stages start from (`FROM`), which the
    /// daemon must have.
    pub bases: Vec<String>,
}

impl Request {
    /// The base images of a build's steps: what its FROM steps started
    /// from, less `scratch` and the build's own stages.
    pub fn bases_of(steps: &[StepReport]) -> Vec<String> {
        let stages = stages_of(steps);
        let mut out: Vec<String> = Vec::new();
        for s in steps {
            if let Verdict::Base { image, .. } = &s.verdict {
                let own_stage = stages.iter().any(|l| l.eq_ignore_ascii_case(image));
                if image != "scratch" && !own_stage && !out.contains(image) {
                    out.push(image.clone());
                }
            }
        }
        out
    }

    /// The `docker build` arguments, in the order the CLI takes them.
    pub fn args(&self) -> Vec<String> {
        // --force-rm: a failed classic RUN leaves no container behind on
        // the learner's daemon (BuildKit leaves none anyway)
        let mut args: Vec<String> =
            vec!["build".into(), "--network=none".into(), "--force-rm".into()];
        if self.builder == BuilderKind::Buildkit {
            args.push("--progress=plain".into());
        }
        args.push("-f".into());
        args.push(self.dockerfile.to_string_lossy().into_owned());
        for t in &self.tags {
            args.push("-t".into());
            args.push(t.clone());
        }
        for (k, v) in &self.build_args {
            args.push("--build-arg".into());
            args.push(format!("{k}={v}"));
        }
        if self.no_cache {
            args.push("--no-cache".into());
        }
        if let Some(t) = &self.target {
            args.push("--target".into());
            args.push(t.clone());
        }
        args.push(self.context.to_string_lossy().into_owned());
        args
    }
}

/// The daemon docker itself would talk to: `DOCKER_HOST`, else the default
/// socket.
pub fn host() -> String {
    std::env::var("DOCKER_HOST")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| DEFAULT_HOST.to_string())
}

/// The docker client: `LAYERLAB_DOCKER_CLI`, else `docker` on the PATH.
fn client() -> PathBuf {
    std::env::var_os("LAYERLAB_DOCKER_CLI")
        .filter(|c| !c.is_empty())
        .map_or_else(|| PathBuf::from("docker"), PathBuf::from)
}

/// A command's end: its exit code and what it printed (stdout and stderr
/// in the order they came, at most `ENGINE_OUTPUT_BYTES`).
struct Finished {
    code: i32,
    output: String,
}

/// Why a command did not finish.
enum Stopped {
    Cancelled,
    TimedOut(u64),
    Spawn(String),
}

impl Stopped {
    fn why(self) -> Message {
        match self {
            Stopped::Cancelled => Message::new("engine.why.stopped"),
            Stopped::TimedOut(s) => Message::new("engine.why.timeout").arg("s", s),
            Stopped::Spawn(e) => Message::new("engine.why.spawn").arg("error", e),
        }
    }
}

/// Run the client with `args` against `host`, killed at `timeout` or when
/// `cancel` is set.
fn run(
    host: &str,
    builder: Option<BuilderKind>,
    args: &[String],
    timeout: u64,
    cancel: &AtomicBool,
) -> Result<Finished, Stopped> {
    let cli = client();
    let mut cmd = Command::new(&cli);
    cmd.args(args)
        .env("DOCKER_HOST", host)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(b) = builder {
        cmd.env(
            "DOCKER_BUILDKIT",
            if b == BuilderKind::Buildkit { "1" } else { "0" },
        );
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| Stopped::Spawn(format!("{}: {e}", cli.display())))?;
    let kept = Arc::new(Mutex::new(Vec::new()));
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|stream| {
        let kept = Arc::clone(&kept);
        std::thread::spawn(move || drain(stream, &kept))
    })
    .collect();
    let ended = wait(&mut child, timeout, cancel);
    for r in readers {
        let _ = r.join();
    }
    let code = ended?;
    let bytes = std::mem::take(&mut *kept.lock().unwrap_or_else(|p| p.into_inner()));
    Ok(Finished {
        code,
        output: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// Read `stream` to its end, keeping what fits under the bound (reading on
/// past it, so the command never blocks on a full pipe).
fn drain(mut stream: Box<dyn Read + Send>, kept: &Mutex<Vec<u8>>) {
    let mut buf = [0u8; 8192];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        let mut kept = kept.lock().unwrap_or_else(|p| p.into_inner());
        let room = ENGINE_OUTPUT_BYTES.saturating_sub(kept.len());
        kept.extend_from_slice(&buf[..n.min(room)]);
    }
}

fn wait(child: &mut Child, timeout: u64, cancel: &AtomicBool) -> Result<i32, Stopped> {
    let deadline = Instant::now() + Duration::from_secs(timeout);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status.code().unwrap_or(-1)),
            Ok(None) => {}
            Err(e) => return Err(Stopped::Spawn(e.to_string())),
        }
        let stop = if cancel.load(Ordering::Relaxed) {
            Some(Stopped::Cancelled)
        } else if Instant::now() >= deadline {
            Some(Stopped::TimedOut(timeout))
        } else {
            None
        };
        if let Some(stop) = stop {
            let _ = child.kill();
            let _ = child.wait();
            return Err(stop);
        }
        std::thread::sleep(POLL);
    }
}

/// The first line of a client's complaint, short enough for one line.
fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no answer");
    let mut short: String = line.chars().take(160).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    short
}

/// Build `req` on the daemon: first whether it answers at all, then
/// whether it has the base images, then the build.
pub fn build(req: &Request, cancel: &AtomicBool) -> EngineRun {
    let host = host();
    if let Some(path) = host.strip_prefix("unix://") {
        if !std::path::Path::new(path).exists() {
            return EngineRun::Unreachable {
                why: Message::new("engine.why.no_socket").arg("path", path),
                host,
            };
        }
    }
    let probe: Vec<String> = ["version", "--format", "{{.Server.Version}}"]
        .map(String::from)
        .to_vec();
    match run(&host, None, &probe, ENGINE_PROBE_SECONDS, cancel) {
        Ok(f) if f.code == 0 => {}
        Ok(f) => {
            return EngineRun::Unreachable {
                why: Message::new("engine.why.client").arg("text", first_line(&f.output)),
                host,
            }
        }
        Err(Stopped::Cancelled) => {
            return EngineRun::Broken {
                why: Stopped::Cancelled.why(),
                host,
            }
        }
        Err(e) => return EngineRun::Unreachable { why: e.why(), host },
    }
    for image in &req.bases {
        let inspect: Vec<String> = vec![
            "image".into(),
            "inspect".into(),
            "--format".into(),
            "{{.Id}}".into(),
            image.clone(),
        ];
        match run(&host, None, &inspect, ENGINE_PROBE_SECONDS, cancel) {
            Ok(f) if f.code == 0 => {}
            Ok(_) => {
                return EngineRun::MissingBase {
                    image: image.clone(),
                    host,
                }
            }
            Err(e) => return EngineRun::Broken { why: e.why(), host },
        }
    }
    match run(
        &host,
        Some(req.builder),
        &req.args(),
        ENGINE_BUILD_SECONDS,
        cancel,
    ) {
        Ok(f) => EngineRun::Built {
            host,
            exit_code: f.code,
            output: f.output,
        },
        Err(e) => EngineRun::Broken { why: e.why(), host },
    }
}

/// The screen's docker builds, each on a thread of its own (a slow daemon
/// never holds the screen or the worker's previews); a newer build stops
/// the one before, whose answer (that it was stopped) the screen drops as
/// stale.
pub struct Runner {
    report: Arc<dyn Fn(Report) + Send + Sync>,
    latest: Option<Arc<AtomicBool>>,
}

impl Runner {
    /// `report` hears each answer, as [`Report::Engine`].
    pub fn new(report: Arc<dyn Fn(Report) + Send + Sync>) -> Runner {
        Runner {
            report,
            latest: None,
        }
    }

    /// Build `req` for build number `build`, whose steps were `steps`.
    pub fn start(&mut self, build: u64, req: Request, steps: Vec<StepReport>, files_on_disk: bool) {
        self.cancel();
        let cancel = Arc::new(AtomicBool::new(false));
        self.latest = Some(Arc::clone(&cancel));
        let report = Arc::clone(&self.report);
        std::thread::spawn(move || {
            let run = self::build(&req, &cancel);
            let side = EngineSide::new(run, req.builder, &steps, files_on_disk);
            report(Report::Engine(build, Box::new(side)));
        });
    }

    /// Stop the build under way, if any.
    pub fn cancel(&mut self) {
        if let Some(flag) = self.latest.take() {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_runs_without_network_and_with_the_learners_flags() {
        let req = Request {
            builder: BuilderKind::Buildkit,
            dockerfile: "ctx/Dockerfile".into(),
            context: "ctx".into(),
            tags: vec!["web-ping:v1".into()],
            build_args: vec![("X".into(), "1".into())],
            no_cache: true,
            target: Some("final".into()),
            bases: Vec::new(),
        };
        assert_eq!(
            req.args().join(" "),
            "build --network=none --force-rm --progress=plain -f ctx/Dockerfile -t web-ping:v1 \
             --build-arg X=1 --no-cache --target final ctx"
        );
        let classic = Request {
            builder: BuilderKind::Classic,
            ..req
        };
        assert!(!classic.args().iter().any(|a| a.starts_with("--progress")));
    }

    #[test]
    fn a_complaint_is_cut_to_one_short_line() {
        assert_eq!(first_line("\n  Cannot connect\nmore"), "Cannot connect");
        let long = "x".repeat(500);
        assert_eq!(first_line(&long).chars().count(), 161);
    }
}
