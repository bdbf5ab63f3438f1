//! The real engine side by side: what a Docker daemon said about the same
//! build, read from its output, and step by step against layerlab's
//! verdicts. Pure data and pure functions; running `docker build` is the
//! runtime's (`runtime::oracle`), which hands its outcome here.
//!
//! Only the cache verdict is compared — cached or rebuilt — as the shared
//! conformance recordings compare it. FROM steps are never a difference:
//! neither builder caches them, and BuildKit prints CACHED or DONE for them
//! seemingly at random.

pub mod progress;

use crate::engine::builder::BuilderKind;
use crate::engine::report::{MissReason, StepReport, Verdict};
use crate::messages::Message;
use progress::EngineStep;
use serde::Serialize;

/// Docker's verdict on one of layerlab's steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineVerdict {
    /// A FROM step: nothing to compare.
    Base,
    /// `---> Using cache` / `#N CACHED`.
    Cached,
    /// The step ran.
    Rebuilt,
    /// The step ran and failed (BuildKit's `#N ERROR`).
    Failed,
    /// BuildKit stopped it because another step failed.
    Canceled,
    /// Docker's output has no such step (its build stopped before, or it
    /// numbers the steps otherwise).
    NotRun,
}

impl EngineVerdict {
    /// Whether docker reused the step from its cache.
    pub fn cached(self) -> bool {
        self == EngineVerdict::Cached
    }

    /// The word the pane and the CLI show for it.
    pub fn word(self) -> Message {
        Message::new(match self {
            EngineVerdict::Base => "engine.verdict.base",
            EngineVerdict::Cached => "engine.verdict.cached",
            EngineVerdict::Rebuilt => "engine.verdict.rebuilt",
            EngineVerdict::Failed => "engine.verdict.failed",
            EngineVerdict::Canceled => "engine.verdict.canceled",
            EngineVerdict::NotRun => "engine.verdict.not_run",
        })
    }
}

/// One of layerlab's steps, with docker's verdict beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepComparison {
    pub verdict: EngineVerdict,
    /// Layerlab and docker disagree on whether the step was cached.
    pub differs: bool,
}

/// Layerlab's steps against docker's, one entry per report step (same order).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Comparison {
    pub steps: Vec<StepComparison>,
    /// Steps docker ran that layerlab's report has no counterpart for (FROM
    /// left out); each is a difference.
    pub only_engine: Vec<EngineStep>,
    /// The builder's number of the first step that differs.
    pub first_step: Option<usize>,
}

impl Comparison {
    /// How many steps differ (docker-only steps included).
    pub fn differences(&self) -> usize {
        self.steps.iter().filter(|s| s.differs).count() + self.only_engine.len()
    }

    pub fn agrees(&self) -> bool {
        self.differences() == 0
    }
}

/// `[stage i/N]`: a step's place as the builder numbers it.
pub fn position(stage: Option<&str>, step: usize, of: usize) -> String {
    match stage {
        Some(l) => format!("[{l} {step}/{of}]"),
        None => format!("[{step}/{of}]"),
    }
}

/// Layerlab's verdict in its word: HIT, MISS, or BASE for a FROM step.
pub fn layerlab_word(s: &StepReport) -> &'static str {
    match s.verdict {
        Verdict::Hit { .. } => "HIT",
        Verdict::Miss { .. } => "MISS",
        Verdict::Base { .. } => "BASE",
    }
}

/// One line per step: layerlab's verdict, docker's, and a mark where they
/// differ (a word and a sign, so it reads without colour).
pub fn step_line(s: &StepReport, c: &StepComparison) -> Message {
    Message::new("engine.step")
        .arg("mark", if c.differs { "≠" } else { "=" })
        .arg("pos", position(s.stage.as_deref(), s.step, s.of))
        .arg("text", &s.text)
        .arg("ours", layerlab_word(s))
        .nested("theirs", c.verdict.word())
        .nested(
            "differs",
            if c.differs {
                Message::new("engine.differs_mark")
            } else {
                Message::new("engine.nothing")
            },
        )
}

/// A step only docker ran.
pub fn only_engine_line(t: &EngineStep) -> Message {
    let verdict = if t.cached {
        EngineVerdict::Cached
    } else {
        EngineVerdict::Rebuilt
    };
    Message::new("engine.only_engine")
        .arg("pos", position(t.stage.as_deref(), t.step, t.of))
        .arg("text", &t.text)
        .nested("theirs", verdict.word())
}

/// Stage labels in the order the report's steps first name them.
pub fn stages_of(steps: &[StepReport]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in steps {
        if let Some(stage) = &s.stage {
            if !out.contains(stage) {
                out.push(stage.clone());
            }
        }
    }
    out
}

/// Docker's steps, read from its output with the builder's format.
pub fn parse(builder: BuilderKind, output: &str, steps: &[StepReport]) -> Vec<EngineStep> {
    let stages = stages_of(steps);
    match builder {
        BuilderKind::Buildkit => progress::parse_buildkit(output, &stages),
        BuilderKind::Classic => progress::parse_classic(output, &stages),
    }
}

/// Docker's step for a report step. The classic builder numbers steps
/// through every stage, so its number alone names one. BuildKit numbers
/// them per stage: the stage label and number, else (BuildKit names
/// parallel stages unpredictably) the only step of that number and text.
fn counterpart(builder: BuilderKind, ours: &StepReport, theirs: &[EngineStep]) -> Option<usize> {
    match builder {
        BuilderKind::Classic => theirs.iter().position(|t| t.step == ours.step),
        BuilderKind::Buildkit => theirs
            .iter()
            .position(|t| t.step == ours.step && t.stage == ours.stage)
            .or_else(|| {
                let mut same = theirs
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.step == ours.step && t.text == ours.text);
                match (same.next(), same.next()) {
                    (Some((i, _)), None) => Some(i),
                    _ => None,
                }
            }),
    }
}

/// Layerlab's steps against docker's.
pub fn compare(builder: BuilderKind, ours: &[StepReport], theirs: &[EngineStep]) -> Comparison {
    let mut used = vec![false; theirs.len()];
    let steps: Vec<StepComparison> = ours
        .iter()
        .map(|s| {
            let found = counterpart(builder, s, theirs);
            if let Some(i) = found {
                used[i] = true;
            }
            if s.keyword == "FROM" {
                return StepComparison {
                    verdict: EngineVerdict::Base,
                    differs: false,
                };
            }
            let verdict = match found.map(|i| &theirs[i]) {
                None => EngineVerdict::NotRun,
                Some(t) if t.error => EngineVerdict::Failed,
                Some(t) if t.canceled => EngineVerdict::Canceled,
                Some(t) if t.cached => EngineVerdict::Cached,
                Some(_) => EngineVerdict::Rebuilt,
            };
            // A step one side failed and the other built differs, though
            // neither took it from the cache. Docker's classic output marks
            // no step failed (the build's end says it), so there only a
            // step docker failed and layerlab built can be told.
            let ours_failed = matches!(
                s.verdict,
                Verdict::Miss {
                    why: MissReason::Failed { .. }
                }
            );
            let theirs_failed = verdict == EngineVerdict::Failed;
            let ours_canceled = matches!(
                s.verdict,
                Verdict::Miss {
                    why: MissReason::Canceled { .. }
                }
            );
            let theirs_canceled = verdict == EngineVerdict::Canceled;
            let failure_differs = match builder {
                BuilderKind::Buildkit => {
                    ours_failed != theirs_failed || ours_canceled != theirs_canceled
                }
                BuilderKind::Classic => theirs_failed && !ours_failed,
            };
            StepComparison {
                verdict,
                differs: verdict == EngineVerdict::NotRun
                    || failure_differs
                    || verdict.cached() != s.verdict.cached(),
            }
        })
        .collect();
    let only_engine = theirs
        .iter()
        .zip(&used)
        .filter(|(t, used)| !**used && t.keyword != "FROM" && !t.canceled)
        .map(|(t, _)| t.clone())
        .collect();
    let first_step = steps
        .iter()
        .zip(ours)
        .find(|(c, _)| c.differs)
        .map(|(_, s)| s.step);
    Comparison {
        steps,
        only_engine,
        first_step,
    }
}

/// What became of asking the daemon to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineRun {
    /// No daemon answers; why (the client's own words inside, when it
    /// gave some).
    Unreachable { host: String, why: Message },
    /// The daemon lacks a base image the Dockerfile starts from: building
    /// would make it pull from a registry, so nothing was built.
    MissingBase { host: String, image: String },
    /// `docker build` could not finish: it timed out, was stopped or could
    /// not be started.
    Broken { host: String, why: Message },
    /// The build ran (it may have failed: `exit_code`), printing `output`.
    Built {
        host: String,
        exit_code: i32,
        output: String,
    },
}

/// Docker's side of one build: what the daemon did and, when it built,
/// the comparison with layerlab's steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineSide {
    /// The builder both built with.
    pub builder: BuilderKind,
    pub run: EngineRun,
    pub comparison: Option<Comparison>,
    /// Layerlab built what the daemon cannot see (simulated context
    /// changes, unsaved Dockerfile text): the daemon built the files on disk.
    pub files_on_disk: bool,
}

impl EngineSide {
    /// Docker's side once its run is known.
    pub fn new(
        run: EngineRun,
        builder: BuilderKind,
        ours: &[StepReport],
        files_on_disk: bool,
    ) -> EngineSide {
        let comparison = match &run {
            EngineRun::Built { output, .. } => {
                Some(compare(builder, ours, &parse(builder, output, ours)))
            }
            _ => None,
        };
        EngineSide {
            builder,
            run,
            comparison,
            files_on_disk,
        }
    }

    /// Any step differs.
    pub fn differs(&self) -> bool {
        self.comparison.as_ref().is_some_and(|c| !c.agrees())
    }

    /// The one line that says how docker's verdicts compare, or why there
    /// are none.
    pub fn summary(&self) -> Message {
        let line = match (&self.run, &self.comparison) {
            (EngineRun::Unreachable { host, why }, _) => Message::new("engine.unreachable")
                .arg("host", host)
                .nested("why", why.clone()),
            (EngineRun::MissingBase { host, image }, _) => Message::new("engine.missing_base")
                .arg("host", host)
                .arg("image", image),
            (EngineRun::Broken { why, .. }, _) => {
                Message::new("engine.broken").nested("why", why.clone())
            }
            (_, Some(c)) => match c.first_step {
                Some(step) => Message::new("engine.differs_at")
                    .arg("step", step)
                    .arg("n", c.differences()),
                None if !c.only_engine.is_empty() => {
                    Message::new("engine.differs_extra").arg("n", c.only_engine.len())
                }
                None => Message::new("engine.agrees"),
            },
            (EngineRun::Built { .. }, None) => Message::new("engine.agrees"),
        };
        if self.files_on_disk && matches!(self.run, EngineRun::Built { .. }) {
            Message::new("engine.files_on_disk").nested("line", line)
        } else {
            line
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::report::StepRef;

    fn ours(stage: Option<&str>, step: usize, text: &str, cached: bool) -> StepReport {
        let keyword = text.split_whitespace().next().unwrap_or_default();
        StepReport {
            stage: stage.map(str::to_string),
            step,
            of: 9,
            keyword: keyword.to_string(),
            text: text.to_string(),
            verdict: if keyword == "FROM" {
                Verdict::Base {
                    image: "busybox".into(),
                    layers: 1,
                    size: 0,
                }
            } else if cached {
                Verdict::Hit {
                    from: StepRef {
                        build: 1,
                        step,
                        of: 9,
                        stage: None,
                        text: text.into(),
                        cost_ms: 0,
                    },
                }
            } else {
                Verdict::Miss {
                    why: MissReason::FirstBuild,
                }
            },
            layer: None,
            instruction: step,
            line: step,
            seconds: 0.0,
            output: String::new(),
        }
    }

    fn theirs(stage: Option<&str>, step: usize, text: &str, cached: bool) -> EngineStep {
        EngineStep {
            stage: stage.map(str::to_string),
            step,
            of: 9,
            keyword: text.split_whitespace().next().unwrap_or_default().into(),
            text: text.into(),
            cached,
            error: false,
            canceled: false,
        }
    }

    #[test]
    fn buildkit_falls_back_to_number_and_text_when_labels_differ() {
        let o = [
            ours(Some("a"), 2, "RUN x", true),
            ours(Some("b"), 2, "RUN y", false),
        ];
        // BuildKit printed the two stages' steps under each other's labels
        let t = [
            theirs(Some("b"), 2, "RUN x", true),
            theirs(Some("a"), 2, "RUN y", true),
        ];
        let c = compare(BuilderKind::Buildkit, &o, &t);
        // the labels match first: a/2 is "RUN y" cached, b/2 "RUN x" cached
        assert_eq!(c.steps[0].verdict, EngineVerdict::Cached);
        assert!(!c.steps[0].differs);
        assert!(c.steps[1].differs);
        // a label docker never printed: the one step of that number and text
        let t = [theirs(Some("stage-0"), 2, "RUN x", false)];
        let c = compare(BuilderKind::Buildkit, &o[..1], &t);
        assert_eq!(c.steps[0].verdict, EngineVerdict::Rebuilt);
        assert_eq!(c.first_step, Some(2));
    }

    #[test]
    fn a_step_one_side_failed_and_the_other_built_differs() {
        let built = ours(None, 2, "RUN mkdir /etc", false);
        let mut failed = theirs(None, 2, "RUN mkdir /etc", false);
        failed.error = true;
        let c = compare(
            BuilderKind::Buildkit,
            std::slice::from_ref(&built),
            std::slice::from_ref(&failed),
        );
        assert_eq!(c.steps[0].verdict, EngineVerdict::Failed);
        assert!(c.steps[0].differs, "layerlab built what docker failed");
        let mut ours_failed = built;
        ours_failed.verdict = Verdict::Miss {
            why: MissReason::Failed {
                error: "exit code: 1".into(),
            },
        };
        let c = compare(
            BuilderKind::Buildkit,
            std::slice::from_ref(&ours_failed),
            &[failed],
        );
        assert!(!c.steps[0].differs, "both failed");
        let ran = theirs(None, 2, "RUN mkdir /etc", false);
        let c = compare(BuilderKind::Buildkit, &[ours_failed], &[ran]);
        assert!(c.steps[0].differs, "docker built what layerlab failed");
    }

    #[test]
    fn from_never_differs_and_docker_only_steps_count() {
        let o = [ours(None, 1, "FROM busybox", false)];
        let t = [
            theirs(None, 1, "FROM busybox", true),
            theirs(None, 2, "COPY a b", false),
        ];
        let c = compare(BuilderKind::Classic, &o, &t);
        assert_eq!(c.steps[0].verdict, EngineVerdict::Base);
        assert!(!c.steps[0].differs);
        assert_eq!(c.only_engine.len(), 1);
        assert_eq!(c.differences(), 1);
        assert_eq!(c.first_step, None);
    }
}
