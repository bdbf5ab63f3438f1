//! The lesson screen's state, as plain data: the lesson, the step the
//! learner is on, the hints and solution shown, what the last goal check
//! found, and the progress of every lesson (saved whenever a step is done
//! or begun). What the keys and events do with it is `lesson_update`.

use crate::engine::builder::BuilderKind;
use crate::lesson::goal::{Builder, Unmet};
use crate::lesson::model::{Lesson, Step};
use crate::lesson::picture::Picture;
use crate::lesson::progress::Progress;
use crate::messages::Lang;

#[derive(Debug, Clone, PartialEq)]
pub struct LessonScreen {
    pub lesson: Lesson,
    /// The step shown (from 0).
    pub step: usize,
    /// Every lesson's progress: what is saved.
    pub progress: Progress,
    /// Hints shown so far, from the first.
    pub hints: usize,
    /// The solution was shown (after the learner confirmed) …
    pub solution: bool,
    /// … and its overlay is open.
    pub solution_open: bool,
    /// A question on the status line waiting for `y`.
    pub ask: Option<Ask>,
    /// What the last check found unmet; None before the first check.
    pub unmet: Option<Vec<Unmet>>,
    /// The build the goal is about, as the learner has it …
    pub yours: Option<Picture>,
    /// … and as the step's solution makes it: the best known.
    pub best: Option<Picture>,
}

/// What a `y` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    ShowSolution,
    ApplySolution,
    /// Go on to the next step with this one not done.
    Skip,
}

/// What the runtime brings back to the lesson screen.
#[derive(Debug, Clone, PartialEq)]
pub enum LessonEvent {
    /// The step's goal was checked against the engine.
    Checked {
        unmet: Vec<Unmet>,
        yours: Option<Picture>,
    },
    /// The step's best known picture (played by its solutions apart).
    BestKnown(Option<Picture>),
    /// Step `step`'s working folder is laid out; its Dockerfile's text.
    StepLaidOut { step: usize, dockerfile: String },
    /// Something the lesson needed from the disk failed, in words.
    Failed(String),
}

/// What the lesson screen asks of the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LessonEffect {
    /// Write the progress file.
    Save(Progress),
    /// Lay out step `step`: its start, or the folder as the last step left
    /// it; then check its goal.
    StartStep(usize),
    /// Write a file of the working folder (a solution's action).
    Write { path: String, content: String },
    /// Leave for the lesson menu.
    Menu,
    /// The screen's language changed.
    Lang(Lang),
}

impl LessonScreen {
    /// The builder the step's goal is about, if it names one: the screen
    /// previews under it from the start (the lecture's reorder is a
    /// classic-builder lesson).
    pub fn builder(&self) -> Option<BuilderKind> {
        let want = self.lesson.steps.get(self.step)?.goal.builder?;
        Some(match want {
            Builder::Classic => BuilderKind::Classic,
            Builder::Buildkit => BuilderKind::Buildkit,
        })
    }

    pub fn new(lesson: Lesson, step: usize, progress: Progress) -> LessonScreen {
        let step = step.min(lesson.steps.len().saturating_sub(1));
        LessonScreen {
            lesson,
            step,
            progress,
            hints: 0,
            solution: false,
            solution_open: false,
            ask: None,
            unmet: None,
            yours: None,
            best: None,
        }
    }

    pub fn current(&self) -> &Step {
        &self.lesson.steps[self.step]
    }

    pub fn is_done(&self, step: usize) -> bool {
        self.progress.lesson(&self.lesson.id).done.contains(&step)
    }

    pub fn is_last(&self) -> bool {
        self.step + 1 >= self.lesson.steps.len()
    }

    /// Marks the step shown done; false when it already was.
    pub fn mark_done(&mut self) -> bool {
        let step = self.step;
        self.progress.lesson_mut(&self.lesson.id).done.insert(step)
    }

    /// Step `step` begins: nothing of the last one's hints or checks shows,
    /// and the progress says the learner is here.
    pub fn begin(&mut self, step: usize) {
        self.step = step.min(self.lesson.steps.len().saturating_sub(1));
        self.hints = 0;
        self.solution = false;
        self.solution_open = false;
        self.ask = None;
        self.unmet = None;
        self.yours = None;
        self.best = None;
        self.progress.current = Some(self.lesson.id.clone());
        self.progress.lesson_mut(&self.lesson.id).step = self.step;
    }
}
