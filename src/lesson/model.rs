//! The lesson format, as an author writes it in `lessons/NN-topic/lesson.toml`.
//! These are layerlab's own types: the file format changes only with
//! [`FORMAT_VERSION`].

use crate::lesson::goal::Goal;
use crate::messages::Lang;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// The version of the format this build reads; a file says which one it is
/// written in, so an old binary refuses a newer lesson instead of misreading it.
pub const FORMAT_VERSION: u32 = 1;

/// A text in both languages; neither may be empty (a learner of either
/// language must never meet a blank step).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    #[serde(deserialize_with = "non_empty")]
    pub ko: String,
    #[serde(deserialize_with = "non_empty")]
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ko => &self.ko,
            Lang::En => &self.en,
        }
    }
}

fn non_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(serde::de::Error::custom("this text is empty"));
    }
    Ok(s)
}

/// One lesson: a folder's `lesson.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// The folder's name (`01-first-image`): its id and its place in the
    /// suggested path.
    pub id: String,
    pub title: Text,
    pub summary: Text,
    pub steps: Vec<Step>,
}

/// One thing the learner does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub title: Text,
    /// What to do and why, one idea.
    pub text: Text,
    /// Where the step starts; `None` continues from the previous step's
    /// files and engine.
    #[serde(default)]
    pub start: Option<Start>,
    /// What must hold for the step to be done, checked after every change.
    pub goal: Goal,
    /// Hints, from a nudge to nearly the answer, shown one at a time.
    pub hints: Vec<Text>,
    /// Actions that reach the goal, shown only after a confirmation; the
    /// checker applies them to prove the step solvable.
    pub solution: Vec<Action>,
    /// What a demo says as it plays each action of the solution, one per
    /// action when given; a caption's claim about the build its action ran
    /// is checked whenever the solution is played.
    #[serde(default)]
    pub captions: Vec<Caption>,
    /// The line of the step's table in its file (for messages).
    #[serde(skip)]
    pub line: usize,
}

/// A demo's words for one action, and what it claims of the build that
/// action ran (`rebuilt = 1, of = 4`: "1 of 4 steps rebuilt").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caption {
    #[serde(deserialize_with = "non_empty")]
    pub ko: String,
    #[serde(deserialize_with = "non_empty")]
    pub en: String,
    /// Steps the build rebuilt (cache misses).
    #[serde(default)]
    pub rebuilt: Option<usize>,
    /// Steps the build has in all.
    #[serde(default)]
    pub of: Option<usize>,
}

impl Caption {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ko => &self.ko,
            Lang::En => &self.en,
        }
    }

    /// Whether it claims anything to check.
    pub fn claims(&self) -> bool {
        self.rebuilt.is_some() || self.of.is_some()
    }
}

/// A fresh working folder: the Dockerfile and the other files of the build
/// context. The engine keeps what earlier steps built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Start {
    pub dockerfile: String,
    /// Context files, path → content.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

/// One thing the learner can do, as data the app can apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Replace the Dockerfile's text.
    Dockerfile(String),
    /// Write a context file (created if missing).
    Write { path: String, content: String },
    /// Run a docker command line (`docker build -t web-ping .`, `docker run
    /// …`), in the working folder.
    Run(String),
}
