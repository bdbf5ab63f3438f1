//! `layerlab build`, spelled as `docker build`: plain progress like the real
//! builder's (BuildKit `#n [i/N] …` / classic `Step i/N : …`) with the reason
//! under every step, or one JSON object with `--json`. The reasons and the
//! closing summary are layerlab's and speak the learner's language; the
//! builder's own lines stay docker's English, as does the JSON contract.

mod engine;

use crate::command::output;
use crate::engine::builder::{BuildOptions, BuilderKind};
use crate::engine::daemon::{Daemon, DaemonError};
use crate::engine::report::{BuildReport, MissReason, StepReport, Verdict};
use crate::messages::{Lang, Message};
use clap::Args;
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Name of the Dockerfile (default: CONTEXT/Dockerfile).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Name and optionally a tag in the name:tag format.
    #[arg(short = 't', long = "tag", value_name = "NAME[:TAG]")]
    pub tags: Vec<String>,
    /// Which builder's rules to follow.
    #[arg(long, default_value = "buildkit", value_parser = ["buildkit", "classic"])]
    pub builder: String,
    /// Set a build-time variable.
    #[arg(long = "build-arg", value_name = "K=V")]
    pub build_args: Vec<String>,
    /// Do not use the cache when building the image.
    #[arg(long)]
    pub no_cache: bool,
    /// Set the target build stage to build.
    #[arg(long, value_name = "STAGE")]
    pub target: Option<String>,
    /// Print one JSON object instead of progress.
    #[arg(long)]
    pub json: bool,
    /// Run BuildKit's build checks instead of building.
    #[arg(long)]
    pub check: bool,
    /// Also build on the real engine (`docker`: the daemon at DOCKER_HOST or
    /// the default socket, with --network=none) and show its verdict beside
    /// layerlab's for every step.
    #[arg(long, value_name = "ENGINE", value_parser = ["docker"])]
    pub engine: Option<String>,
    /// With --engine: exit with code 3 when any step's verdict differs.
    #[arg(long, requires = "engine")]
    pub fail_on_difference: bool,
    /// The build context directory.
    pub context: PathBuf,
}

pub fn run(args: &BuildArgs, state_dir: &Path, lang: Lang) -> i32 {
    if args.check {
        return check(args, lang);
    }
    match build(args, state_dir) {
        Ok(report) => {
            let side = args
                .engine
                .as_ref()
                .map(|_| engine::build(args, &report.steps));
            if args.json {
                let mut out = report_json(&report);
                if let Some(side) = &side {
                    engine::extend_json(&mut out, side);
                }
                super::print_lines([out.to_string().as_str()]);
            } else {
                print_progress(&report, lang);
                if let Some(side) = &side {
                    engine::print(side, &report.steps, lang);
                }
            }
            match side {
                Some(side) if args.fail_on_difference && side.differs() => {
                    engine::DIFFERS_EXIT_CODE
                }
                _ => 0,
            }
        }
        Err(err) => {
            let message = err.to_string();
            if args.json {
                outln!("{}", json!({ "error": message }));
            }
            let build_error = match &err {
                Failure::Daemon(d, file, text) => match d.as_ref() {
                    DaemonError::Build(b) => Some((b, file, text)),
                    _ => None,
                },
                Failure::Usage(_) => None,
            };
            match build_error {
                Some((b, file, text)) => {
                    if !args.json {
                        let builder = args.builder.parse().unwrap_or_default();
                        let mut out = Vec::new();
                        for (n, s) in b.steps.iter().enumerate() {
                            print_step(&mut out, n + 1, s, builder, lang);
                        }
                        super::print_lines(out.iter().map(String::as_str));
                    }
                    // A failed build is compared too: docker should fail
                    // at the same step, with the same steps cached before.
                    if let (Some(_), false) = (&args.engine, args.json) {
                        let side = engine::build(args, &b.steps);
                        engine::print(&side, &b.steps, lang);
                    }
                    let diagnostic = b
                        .diagnostics
                        .iter()
                        .find(|d| d.severity == crate::dockerfile::Severity::Error);
                    match diagnostic {
                        Some(d) => eprint!("{}", d.render_in(lang, file, text)),
                        None => eprintln!("ERROR: {message}"),
                    }
                }
                None => eprintln!("ERROR: {message}"),
            }
            // The classic builder ends with the failed RUN's exit code.
            build_error.map_or(1, |(b, _, _)| b.exit_code)
        }
    }
}

/// `--check`: BuildKit's build checks of the Dockerfile in its context.
fn check(args: &BuildArgs, lang: Lang) -> i32 {
    let file = dockerfile_path(args);
    let shown = file.display().to_string();
    let text = match read_dockerfile(&file, &shown) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("ERROR: {e}");
            return 1;
        }
    };
    let ignore = match crate::engine::context::read_dockerignore(&args.context) {
        Ok(ignore) => ignore,
        Err(e) => {
            eprintln!("ERROR: {e}");
            return 1;
        }
    };
    let compiled = crate::dockerfile::compile(&text);
    match crate::command::check::run(&shown, &compiled, Some(&ignore), lang) {
        Ok((report, code)) => {
            out!("{report}");
            code
        }
        Err(rendered) => {
            eprint!("{rendered}");
            1
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Daemon(Box<DaemonError>, String, String),
}

fn build(args: &BuildArgs, state_dir: &Path) -> Result<BuildReport, Failure> {
    let file = dockerfile_path(args);
    let shown = file.display().to_string();
    let text = read_dockerfile(&file, &shown)?;
    let build_args = build_args(args);
    let builder: BuilderKind = args.builder.parse().map_err(Failure::Usage)?;
    let opts = BuildOptions {
        builder,
        build_args,
        no_cache: args.no_cache,
        target: args.target.clone(),
        tags: args.tags.clone(),
        ..BuildOptions::default()
    };
    let wrap = |e: DaemonError| Failure::Daemon(Box::new(e), shown.clone(), text.clone());
    let mut daemon = Daemon::open(state_dir).map_err(wrap)?;
    for notice in daemon.notices() {
        eprintln!("WARNING: {notice}");
    }
    let snapshot = daemon.snapshot(&args.context).map_err(wrap)?;
    let report = daemon.build(&text, &snapshot, &opts).map_err(wrap)?;
    Ok(report)
}

/// The `--build-arg`s with their values: `--build-arg NAME` alone takes the
/// value from the environment.
fn build_args(args: &BuildArgs) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for kv in &args.build_args {
        match kv.split_once('=') {
            Some((k, v)) => out.push((k.to_string(), v.to_string())),
            None => {
                if let Ok(v) = std::env::var(kv) {
                    out.push((kv.clone(), v));
                }
            }
        }
    }
    out
}

fn dockerfile_path(args: &BuildArgs) -> PathBuf {
    args.file
        .clone()
        .unwrap_or_else(|| args.context.join("Dockerfile"))
}

fn read_dockerfile(file: &Path, shown: &str) -> Result<String, Failure> {
    let text = std::fs::read(file)
        .map_err(|e| Failure::Usage(format!("failed to read dockerfile: open {shown}: {e}")))?;
    String::from_utf8(text).map_err(|_| Failure::Usage(format!("{shown} is not valid UTF-8")))
}

/// The JSON contract of `layerlab build --json`.
pub fn report_json(report: &BuildReport) -> serde_json::Value {
    json!({
        "image_id": report.image_id,
        "builder": report.builder,
        "tags": report.tags,
        "layer_count": report.layer_count,
        "size": report.size,
        "build": report.build,
        "steps": report.steps.iter().map(|s| json!({
            "stage": s.stage,
            "step": s.step,
            "of": s.of,
            "keyword": s.keyword,
            "text": s.text,
            "cached": s.verdict.cached(),
            "reason": s.verdict.reason(),
            "verdict": s.verdict,
            "layer": s.layer.as_ref().map(|l| json!({"diff_id": l.diff_id, "size": l.size})),
            "seconds": s.seconds,
            "line": s.line,
        })).collect::<Vec<_>>(),
        "history": report.history.iter().map(|h| json!({
            "created_by": h.created_by,
            "size": h.size,
            "empty_layer": h.empty_layer,
            "comment": h.comment,
        })).collect::<Vec<_>>(),
    })
}

fn print_step(out: &mut Vec<String>, n: usize, s: &StepReport, builder: BuilderKind, lang: Lang) {
    let failed = match &s.verdict {
        Verdict::Miss {
            why: MissReason::Failed { error },
        } => Some(error.as_str()),
        _ => None,
    };
    out.push(output::step_header(n, s, builder));
    let reason = s.verdict.reason_in(lang);
    match builder {
        BuilderKind::Buildkit => {
            for line in s.output.lines() {
                out.push(format!("#{n} {line}"));
            }
            let cancelled = matches!(
                s.verdict,
                Verdict::Miss {
                    why: MissReason::Canceled { .. }
                }
            );
            if let Some(error) = failed {
                out.push(format!("#{n} ERROR: {error}"));
            } else if cancelled {
                out.push(format!("#{n} why: {reason}"));
                out.push(format!("#{n} CANCELED"));
            } else if s.keyword == "FROM" {
                out.push(format!("#{n} {reason}"));
                out.push(format!("#{n} DONE 0.0s"));
            } else if s.verdict.cached() {
                out.push(format!("#{n} CACHED"));
                out.push(format!("#{n} why: {reason}"));
            } else {
                out.push(format!("#{n} why: {reason}"));
                out.push(format!("#{n} DONE {:.1}s", s.seconds));
            }
            out.push(String::new());
        }
        BuilderKind::Classic => {
            if s.verdict.cached() {
                out.push(" ---> Using cache".to_string());
            } else if s.keyword == "FROM" {
                out.push(format!(" ---> {reason}"));
            } else if failed.is_none() {
                let rebuilt = Message::new("build.rebuilt").arg("reason", reason);
                out.push(format!(" ---> {}", rebuilt.render(lang)));
            }
            out.extend(s.output.lines().map(str::to_owned));
            if let Some(l) = &s.layer {
                out.push(format!(" ---> {}", &l.diff_id.hex()[..12]));
            }
        }
    }
}

/// The build's progress as docker prints it, written at the end (a reader
/// that went away ends it quietly: see `print_lines`).
fn print_progress(report: &BuildReport, lang: Lang) {
    let builder: BuilderKind = report.builder.parse().unwrap_or_default();
    let mut out = Vec::new();
    for (n, s) in report.steps.iter().enumerate() {
        print_step(&mut out, n + 1, s, builder, lang);
    }
    let id = report.image_id.hex();
    match builder {
        BuilderKind::Buildkit => {
            out.push(format!("#{} exporting to image", report.steps.len() + 1));
            out.push(format!(
                "#{} writing image {}",
                report.steps.len() + 1,
                report.image_id
            ));
            for t in &report.tags {
                out.push(format!(
                    "#{} naming to docker.io/library/{t}",
                    report.steps.len() + 1
                ));
            }
        }
        BuilderKind::Classic => {
            out.push(format!("Successfully built {}", &id[..12]));
            for t in &report.tags {
                out.push(format!("Successfully tagged {t}"));
            }
        }
    }
    let totals = &report.totals;
    let summary = Message::new("build.summary")
        .arg("rebuilt", totals.rebuilt)
        .arg("total", totals.cacheable)
        .arg("seconds", format!("{:.1}", totals.seconds))
        .arg("saved", format!("{:.1}", totals.saved_seconds))
        .arg("image", report.image_id.short())
        .arg("layers", report.layer_count)
        .arg("size", report.size);
    out.push(summary.render(lang));
    super::print_lines(out.iter().map(String::as_str));
}
