//! BuildKit solves the whole graph a target needs at once: stages that do
//! not wait on each other run side by side, and when a step fails the
//! solver cancels what is still running and starts nothing more. The
//! builder here runs the stages one after the other, so this keeps the
//! clock of the parallel solve, in simulated milliseconds: when each step
//! would have started and ended. After a failure it tells which steps the
//! real builder finished (listed as usual), which it cancelled (listed
//! `CANCELED`, not cached) and which it never started (not listed, not
//! cached). Recorded: our 84. The classic builder runs one step at a time
//! and stops at the failure: it needs none of this.

use crate::filesystem::digest::Digest;
use std::collections::BTreeMap;

/// A stage that failed, or stopped at the failure: whatever waits on it
/// never starts.
const NEVER: u64 = u64::MAX;

/// The least time a failing step takes, in milliseconds.
const FAILS_AFTER_MS: u64 = 50;

/// How long a step already running still has to finish once a step failed:
/// the solver's cancel reaches a process only after a moment (on the
/// engine, a 0.2 s RUN started beside a COPY whose source is missing
/// finishes and is cached; a 5 s one is cancelled).
const CANCEL_REACHES_MS: u64 = 300;

/// When one reported step ran, and the cache record it made, if any.
#[derive(Debug, Clone, Copy)]
struct Slot {
    start: u64,
    end: u64,
    made: Option<Digest>,
}

/// What became of a listed step once the failure is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It finished before the failure, or is the failure.
    Finished,
    /// It was running when the failure came.
    Canceled,
    /// It would have started after the failure: the real builder never
    /// ran it.
    NotStarted,
}

#[derive(Debug, Default)]
pub struct Timeline {
    /// When each stage's last step so far ended.
    ready: BTreeMap<usize, u64>,
    /// The slot of each listed step, by its index in the build's list.
    slots: BTreeMap<usize, Slot>,
    /// When the first failure ended its step.
    failed_at: Option<u64>,
}

fn millis(seconds: f64) -> u64 {
    // Whole milliseconds, so that steps ending together compare equal.
    (seconds.max(0.0) * 1000.0).round() as u64
}

impl Timeline {
    /// A stage starts when its base stage is done, or at once on an image.
    pub fn begin_stage(&mut self, stage: usize, base_stage: Option<usize>) {
        let at = base_stage.map_or(0, |b| self.ready_at(b));
        self.ready.insert(stage, at);
    }

    fn ready_at(&self, stage: usize) -> u64 {
        self.ready.get(&stage).copied().unwrap_or(NEVER)
    }

    /// When the next step of `stage` starts: after the stage's last step and
    /// after every stage it reads (`COPY --from`, `RUN --mount=from=`).
    pub fn next_start(&self, stage: usize, reads: &[usize]) -> u64 {
        reads
            .iter()
            .map(|&r| self.ready_at(r))
            .chain([self.ready_at(stage)])
            .max()
            .unwrap_or(0)
    }

    /// Whether a step starting at `start` comes too late: a step failed
    /// before it, so the real builder never starts it. (One starting just
    /// then still runs here: if it takes no time, a cache hit, it finished.)
    pub fn too_late(&self, start: u64) -> bool {
        self.failed_at.is_some_and(|t| start > t)
    }

    /// A step of `stage` ran from `start` for `seconds`: listed as step
    /// `index` of the build, with the cache record it made, if it is listed.
    pub fn ran(
        &mut self,
        stage: usize,
        start: u64,
        seconds: f64,
        listed: Option<(usize, Option<Digest>)>,
    ) {
        let end = start.saturating_add(millis(seconds));
        self.ready.insert(stage, end);
        if let Some((index, made)) = listed {
            let slot = Slot { start, end, made };
            self.slots.insert(index, slot);
        }
    }

    /// A step of `stage` is the same vertex as listed step `index` (BuildKit
    /// merges identical operations): it ends when that one does.
    pub fn joined(&mut self, stage: usize, index: usize) {
        let end = self.slots.get(&index).map_or(0, |s| s.end);
        let ready = self.ready_at(stage).max(end);
        self.ready.insert(stage, ready);
    }

    /// Listed step `index` of `stage` failed after `seconds`: a moment at
    /// least, as even a COPY of a missing file fails only once BuildKit has
    /// the context to look in.
    pub fn failed(&mut self, stage: usize, start: u64, seconds: f64, index: usize) {
        let end = start.saturating_add(millis(seconds).max(FAILS_AFTER_MS));
        let slot = Slot {
            start,
            end,
            made: None,
        };
        self.slots.insert(index, slot);
        self.stop(stage);
        self.failed_at = Some(self.failed_at.map_or(end, |t| t.min(end)));
    }

    /// When listed step `index` ended (0 for a step without a slot).
    pub fn end_of(&self, index: usize) -> u64 {
        self.slots.get(&index).map_or(0, |s| s.end)
    }

    /// `stage` goes no further: nothing waiting on it starts.
    pub fn stop(&mut self, stage: usize) {
        self.ready.insert(stage, NEVER);
    }

    /// What became of listed step `index` (a step without a slot, a FROM,
    /// took no time).
    pub fn outcome(&self, index: usize) -> Outcome {
        let (Some(t), Some(s)) = (self.failed_at, self.slots.get(&index)) else {
            return Outcome::Finished;
        };
        if s.end <= t {
            Outcome::Finished
        } else if s.start >= t {
            Outcome::NotStarted
        } else if s.end <= t.saturating_add(CANCEL_REACHES_MS) {
            Outcome::Finished
        } else {
            Outcome::Canceled
        }
    }

    /// The cache record listed step `index` made, if it made one.
    pub fn made(&self, index: usize) -> Option<Digest> {
        self.slots.get(&index).and_then(|s| s.made)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(t: &Timeline, n: usize) -> Vec<Outcome> {
        (0..n).map(|i| t.outcome(i)).collect()
    }

    #[test]
    fn steps_that_end_with_the_failure_finish_and_later_ones_never_start() {
        let mut t = Timeline::default();
        // stage 0: two 0.2 s steps; stage 1: a 0.2 s step, then one that
        // fails after 0.2 s; stage 2 reads stage 0.
        t.begin_stage(0, None);
        t.begin_stage(1, None);
        t.ran(0, t.next_start(0, &[]), 0.2, Some((0, None)));
        t.ran(0, t.next_start(0, &[]), 0.2, Some((1, None)));
        t.ran(1, t.next_start(1, &[]), 0.2, Some((2, None)));
        t.failed(1, t.next_start(1, &[]), 0.2, 3);
        assert!(t.too_late(401) && !t.too_late(400));
        t.begin_stage(2, None);
        assert!(t.too_late(t.next_start(2, &[1])), "stage 1 failed");
        let after_stage_0 = t.next_start(2, &[0]);
        assert!(!t.too_late(after_stage_0), "it starts as the failure comes");
        t.ran(2, after_stage_0, 0.05, Some((4, None)));
        assert!(t.too_late(t.next_start(2, &[])));
        assert_eq!(outcomes(&t, 4), vec![Outcome::Finished; 4]);
        assert_eq!(t.outcome(4), Outcome::NotStarted, "it took time");
    }

    #[test]
    fn a_long_step_is_cancelled_and_a_step_after_it_never_starts() {
        let mut t = Timeline::default();
        t.begin_stage(0, None);
        t.begin_stage(1, None);
        // Run in stage order: stage 0 first, all of it.
        let made = Digest::of(b"record");
        t.ran(0, 0, 5.0, Some((0, Some(made))));
        t.ran(0, t.next_start(0, &[]), 0.2, Some((1, None)));
        t.failed(1, 0, 0.3, 2);
        assert_eq!(
            outcomes(&t, 3),
            vec![Outcome::Canceled, Outcome::NotStarted, Outcome::Finished]
        );
        assert_eq!(t.made(0), Some(made));
    }

    #[test]
    fn the_earliest_failure_counts() {
        let mut t = Timeline::default();
        t.begin_stage(0, None);
        t.begin_stage(1, None);
        t.failed(0, 0, 1.0, 0);
        t.failed(1, 0, 0.5, 1);
        assert_eq!(outcomes(&t, 2), vec![Outcome::Canceled, Outcome::Finished]);
    }

    #[test]
    fn a_failure_that_takes_no_time_keeps_the_hits_and_quick_steps_beside_it() {
        let mut t = Timeline::default();
        t.begin_stage(0, None);
        t.begin_stage(1, None);
        t.ran(0, 0, 0.0, Some((0, None)));
        t.ran(1, 0, 0.2, Some((1, None)));
        t.ran(2, 0, 0.5, Some((2, None)));
        t.failed(0, 0, 0.0, 3);
        assert_eq!(
            outcomes(&t, 4),
            vec![
                Outcome::Finished,
                Outcome::Finished,
                Outcome::Canceled,
                Outcome::Finished
            ],
            "the quick step beside the failure finishes before the cancel reaches it"
        );
    }

    #[test]
    fn a_stage_on_a_stage_waits_for_it_and_a_merged_step_for_its_vertex() {
        let mut t = Timeline::default();
        t.begin_stage(0, None);
        t.ran(0, 0, 1.5, Some((0, None)));
        t.begin_stage(1, Some(0));
        assert_eq!(t.next_start(1, &[]), 1500);
        t.begin_stage(2, None);
        t.joined(2, 0);
        assert_eq!(t.next_start(2, &[]), 1500);
        t.stop(0);
        t.begin_stage(3, Some(0));
        assert_eq!(t.next_start(3, &[]), NEVER);
    }
}
