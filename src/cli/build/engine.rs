//! `layerlab build --engine docker`: the same build on the real daemon, its
//! verdict printed beside layerlab's for every step (or added to the JSON),
//! each difference marked.

use super::{build_args, dockerfile_path, BuildArgs};
use crate::engine::builder::BuilderKind;
use crate::engine::oracle::{only_engine_line, step_line, EngineRun, EngineSide};
use crate::engine::report::StepReport;
use crate::messages::{Lang, Message};
use crate::runtime::oracle::{self, Request};
use serde_json::{json, Value};
use std::sync::atomic::AtomicBool;

/// `--fail-on-difference`'s exit code when a step differs (1 is a failed
/// build, 2 a usage error).
pub const DIFFERS_EXIT_CODE: i32 = 3;

/// Build what layerlab built (its `steps`) on the daemon and compare. The
/// CLI builds the files on disk, as the daemon does.
pub fn build(args: &BuildArgs, steps: &[StepReport]) -> EngineSide {
    let builder: BuilderKind = args.builder.parse().unwrap_or_default();
    let req = Request {
        builder,
        dockerfile: dockerfile_path(args),
        context: args.context.clone(),
        tags: args.tags.clone(),
        build_args: build_args(args),
        no_cache: args.no_cache,
        target: args.target.clone(),
        bases: Request::bases_of(steps),
    };
    let run = oracle::build(&req, &AtomicBool::new(false));
    EngineSide::new(run, builder, steps, false)
}

/// After layerlab's report: docker's verdict per step, then the one line.
pub fn print(side: &EngineSide, steps: &[StepReport], lang: Lang) {
    if let (EngineRun::Built { host, .. }, Some(c)) = (&side.run, &side.comparison) {
        outln!();
        let header = Message::new("engine.header")
            .arg("host", host)
            .arg("builder", side.builder.name());
        outln!("{}", header.render(lang));
        for (s, cmp) in steps.iter().zip(&c.steps) {
            outln!("  {}", step_line(s, cmp).render(lang));
        }
        for t in &c.only_engine {
            outln!("  {}", only_engine_line(t).render(lang));
        }
    }
    outln!("{}", side.summary().render(lang));
}

/// The comparison as new fields of `--json`'s object: `engine` at the top,
/// and `engine` in every step (null where docker has no verdict to give).
pub fn extend_json(out: &mut Value, side: &EngineSide) {
    let (status, host, exit_code) = match &side.run {
        EngineRun::Unreachable { host, .. } => ("unreachable", host, None),
        EngineRun::MissingBase { host, .. } => ("missing_base", host, None),
        EngineRun::Broken { host, .. } => ("broken", host, None),
        EngineRun::Built {
            host, exit_code, ..
        } => ("compared", host, Some(*exit_code)),
    };
    let c = side.comparison.as_ref();
    out["engine"] = json!({
        "name": "docker",
        "host": host,
        "status": status,
        "exit_code": exit_code,
        "agrees": c.map(|c| c.agrees()),
        "differences": c.map(|c| c.differences()),
        "first_difference": c.and_then(|c| c.first_step),
        "only_engine": c.map(|c| c.only_engine.iter().map(|t| json!({
            "stage": t.stage,
            "step": t.step,
            "of": t.of,
            "text": t.text,
            "cached": t.cached,
        })).collect::<Vec<_>>()),
        "summary": side.summary().render(Lang::En),
    });
    if let Some(steps) = out["steps"].as_array_mut() {
        for (i, step) in steps.iter_mut().enumerate() {
            step["engine"] = match c.and_then(|c| c.steps.get(i)) {
                Some(cmp) => json!({
                    "verdict": cmp.verdict,
                    "cached": cmp.verdict.cached(),
                    "differs": cmp.differs,
                }),
                None => Value::Null,
            };
        }
    }
}
