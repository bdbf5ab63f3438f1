//! Build steps and their cache flags read from a real builder's output by
//! layerlab's own reader (`engine::oracle::progress`, which follows the shared
//! conformance README), in the shapes of the recordings.

use super::scenario::Step;
use layerlab::engine::oracle::progress::{self, EngineStep};

fn recorded(s: EngineStep) -> Step {
    Step {
        stage: s.stage,
        step: s.step as u32,
        of: s.of as u32,
        keyword: s.keyword,
        text: s.text,
        cached: s.cached,
        error: s.error,
        canceled: s.canceled,
    }
}

/// Steps of a BuildKit plain-progress log, ordered by stage (Dockerfile order) then step.
pub fn parse_buildkit(output: &str, stages: &[String]) -> Vec<Step> {
    progress::parse_buildkit(output, stages)
        .into_iter()
        .map(recorded)
        .collect()
}

/// Steps of a classic-builder log, stage labels from the Dockerfile's FROM lines.
pub fn parse_classic(output: &str, stages: &[String]) -> Vec<Step> {
    progress::parse_classic(output, stages)
        .into_iter()
        .map(recorded)
        .collect()
}
