//! A goal as a picture, as Learn Git Branching shows its goal tree beside
//! the learner's: the cache verdict of every step, how many rebuilt, the
//! simulated time and the layers — of the build the goal is about (the
//! rebuild after the goal's change, or the last build), once for the
//! learner's engine and once for the best known way, the step's solution.

use crate::engine::report::{BuildReport, Verdict};
use crate::lesson::goal::{Goal, World};
use crate::lesson::model::Lesson;
use crate::lesson::play::Playground;
use std::path::PathBuf;

/// One step of a build as the picture draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Upper-case keyword (`COPY`).
    pub keyword: String,
    pub verdict: Mark,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Hit,
    Miss,
    Base,
}

/// What a build did, in the few figures a goal is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pub cells: Vec<Cell>,
    pub rebuilt: usize,
    /// Steps the cache could have reused.
    pub steps: usize,
    /// Simulated seconds.
    pub seconds: f64,
    pub layers: usize,
}

impl Picture {
    pub fn of(report: &BuildReport) -> Picture {
        let cells = report
            .steps
            .iter()
            .map(|s| Cell {
                keyword: s.keyword.clone(),
                verdict: match s.verdict {
                    Verdict::Hit { .. } => Mark::Hit,
                    Verdict::Miss { .. } => Mark::Miss,
                    Verdict::Base { .. } => Mark::Base,
                },
            })
            .collect();
        Picture {
            cells,
            rebuilt: report.totals.rebuilt,
            steps: report.totals.cacheable,
            seconds: report.totals.seconds,
            layers: report.layer_count,
        }
    }
}

/// Whether a goal is about a build at all (a picture and a score fit it).
pub fn about_a_build(goal: &Goal) -> bool {
    goal.max_rebuilt.is_some() || goal.max_layers.is_some() || goal.builder.is_some()
}

/// The picture of the build `goal` is about in `world`: the preview after
/// its change when it names one, else the last build; none before a build.
pub fn picture(goal: &Goal, world: &dyn World) -> Option<Picture> {
    if !about_a_build(goal) {
        return None;
    }
    match &goal.after_change {
        Some(path) => world
            .preview_after_change(path)
            .ok()
            .map(|r| Picture::of(&r)),
        None => world.last_build().map(Picture::of),
    }
}

/// The best known picture of step `step` (from 0): the lesson played by
/// its solutions up to that step on a fresh engine, in a working folder at
/// `dir` (made and removed by the caller). None when the goal is about no
/// build, or the solutions do not play (`lesson check` reports that).
pub fn best_known(lesson: &Lesson, step: usize, dir: PathBuf) -> Option<Picture> {
    let goal = &lesson.steps.get(step)?.goal;
    if !about_a_build(goal) {
        return None;
    }
    let mut play = Playground::new(dir);
    for s in lesson.steps.iter().take(step + 1) {
        if let Some(start) = &s.start {
            play.start(start).ok()?;
        }
        for action in &s.solution {
            play.apply(action).ok()?;
        }
    }
    picture(goal, &play)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_known_cache_pattern_of_the_reorder_step_rebuilds_one_step() {
        let lesson = crate::lesson::embedded()
            .into_iter()
            .find(|l| l.id == "02-build-cache")
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let best = best_known(&lesson, 1, dir.path().join("w")).expect("a picture");
        assert_eq!(best.rebuilt, 1);
        let misses = best
            .cells
            .iter()
            .filter(|c| c.verdict == Mark::Miss)
            .count();
        assert_eq!(misses, 1, "{best:?}");
        assert_eq!(best_known(&lesson, 99, dir.path().join("x")), None);
    }
}
