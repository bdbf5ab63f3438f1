//! A demo: a lesson played by its own solutions, one action at a time, as
//! an instructor steps through it in front of a room. Forward applies the
//! next action (and, when it ends a step, lays out the next step's start);
//! back puts the playground exactly as it was before that action, as an
//! undo; a jump goes to the start of a step. Every caption's claim is
//! checked as its action plays, so a demo never says what did not happen.

use crate::lesson::model::{Action, Caption, Lesson};
use crate::lesson::play::{PlayError, Playground, Saved};
use crate::messages::{Lang, Message};
use std::path::PathBuf;

/// One action of the demo: which step, which action of its solution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cue {
    pub step: usize,
    pub action: usize,
}

pub struct Demo {
    lesson: Lesson,
    play: Playground,
    cues: Vec<Cue>,
    /// Actions played so far; `cues[played]` is the next.
    played: usize,
    /// The playground before each action played (`before[i]` before
    /// `cues[i]`).
    before: Vec<Saved>,
}

impl Demo {
    /// The demo of `lesson`, its working folder at `dir`, at its first
    /// step's start.
    pub fn new(lesson: Lesson, dir: PathBuf, lang: Lang) -> Result<Demo, PlayError> {
        let cues = lesson
            .steps
            .iter()
            .enumerate()
            .flat_map(|(step, s)| (0..s.solution.len()).map(move |action| Cue { step, action }))
            .collect();
        let mut play = Playground::new(dir);
        play.lang = lang;
        let mut demo = Demo {
            lesson,
            play,
            cues,
            played: 0,
            before: Vec::new(),
        };
        demo.lay_out(0)?;
        Ok(demo)
    }

    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    pub fn playground(&self) -> &Playground {
        &self.play
    }

    /// Actions in all, and played so far.
    pub fn len(&self) -> usize {
        self.cues.len()
    }

    pub fn played(&self) -> usize {
        self.played
    }

    pub fn is_empty(&self) -> bool {
        self.cues.is_empty()
    }

    /// Whether the action played last ran a build (the screen shows that
    /// build rather than a preview).
    pub fn built_last(&self) -> bool {
        // A commit counts as a build too, but leaves no report.
        let n = self.play.builds();
        self.before.last().is_some_and(|s| s.engine.builds < n)
            && self.play.last_report().is_some_and(|r| r.build == n)
    }

    /// The action played last, if any.
    pub fn last(&self) -> Option<Cue> {
        self.played.checked_sub(1).map(|i| self.cues[i])
    }

    /// The step the demo is in: the last action's, or the next one's when
    /// that starts a step.
    pub fn step(&self) -> usize {
        match (self.cues.get(self.played), self.last()) {
            (Some(next), _) if next.action == 0 => next.step,
            (_, Some(last)) => last.step,
            (Some(next), None) => next.step,
            (None, None) => 0,
        }
    }

    pub fn action(&self, cue: Cue) -> &Action {
        &self.lesson.steps[cue.step].solution[cue.action]
    }

    /// What the demo says for `cue`: its caption, or what the action does.
    pub fn caption(&self, cue: Cue, lang: Lang) -> String {
        if let Some(c) = self.lesson.steps[cue.step].captions.get(cue.action) {
            return c.get(lang).to_string();
        }
        let m = match self.action(cue) {
            Action::Dockerfile(_) => Message::new("demo.dockerfile"),
            Action::Write { path, .. } => Message::new("demo.write").arg("path", path),
            Action::Run(line) => Message::new("demo.run").arg("line", line),
        };
        m.render(lang)
    }

    fn claim(&self, cue: Cue) -> Option<&Caption> {
        self.lesson.steps[cue.step].captions.get(cue.action)
    }

    /// Plays the next action; `None` at the end. A failing action or a
    /// caption whose claim is untrue leaves the demo where it was.
    pub fn forward(&mut self) -> Result<Option<Cue>, PlayError> {
        let Some(&cue) = self.cues.get(self.played) else {
            return Ok(None);
        };
        let saved = self.play.save()?;
        let builds = self.play.builds();
        let action = self.action(cue).clone();
        let played = self.play.apply(&action).and_then(|()| {
            match self.claim(cue) {
                Some(c) => self.play.check_claim(c, builds),
                None => Ok(()),
            }
            .map_err(|why| format!("step {}, caption {}: {why}", cue.step + 1, cue.action + 1))
        });
        let laid = played.and_then(|()| match self.cues.get(self.played + 1) {
            Some(next) if next.action == 0 => self.lay_out(next.step),
            _ => Ok(()),
        });
        if let Err(e) = laid {
            self.play.restore(&saved)?;
            return Err(e);
        }
        self.before.push(saved);
        self.played += 1;
        Ok(Some(cue))
    }

    /// Takes the last action back: the playground is as it was before it.
    /// False at the start.
    pub fn back(&mut self) -> Result<bool, PlayError> {
        let Some(saved) = self.before.pop() else {
            return Ok(false);
        };
        self.play.restore(&saved)?;
        self.played -= 1;
        Ok(true)
    }

    /// Goes to the start of step `step` (from 0), playing forward or
    /// taking back as needed.
    pub fn jump(&mut self, step: usize) -> Result<(), PlayError> {
        let target = self
            .cues
            .iter()
            .position(|c| c.step >= step)
            .unwrap_or(self.cues.len());
        while self.played > target {
            self.back()?;
        }
        while self.played < target {
            self.forward()?;
        }
        Ok(())
    }

    /// A step's start, when it has one (else it goes on from the last).
    fn lay_out(&mut self, step: usize) -> Result<(), PlayError> {
        match &self.lesson.steps.get(step).and_then(|s| s.start.clone()) {
            Some(start) => self.play.start(start),
            None => Ok(()),
        }
    }
}
