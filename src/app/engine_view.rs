//! The real engine beside the screen's builds (`--engine docker`): every
//! build the learner commits is also built on the Docker daemon, and its
//! verdicts show next to layerlab's once they come back. Previews never go
//! to the daemon; a newer build supersedes the one docker is still on.
//!
//! Views are named by their build number (None: a preview), so this sits
//! beside the model without importing it.

use crate::app::effect::Effect;
use crate::app::i18n::{tr, Lang};
use crate::engine::oracle::{EngineSide, EngineVerdict, StepComparison};
use crate::messages::Message;

/// Docker's side of the screen's latest build.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EngineView {
    /// The build number docker was last asked to build (None: none yet).
    pub build: Option<u64>,
    /// What it said about that build; None while it still builds.
    pub side: Option<EngineSide>,
}

impl EngineView {
    /// Docker's side for the view of build `number`, when docker built it.
    pub fn for_build(&self, number: Option<u64>) -> Option<&EngineSide> {
        if number.is_some() && number == self.build {
            self.side.as_ref()
        } else {
            None
        }
    }

    /// Docker's verdict on step `i` of build `number`, if it has one.
    pub fn step(&self, number: Option<u64>, i: usize) -> Option<&StepComparison> {
        self.for_build(number)?.comparison.as_ref()?.steps.get(i)
    }

    /// The short line for the layer pane's title about build `number`:
    /// docker agrees, differs at step N, is still building, or has none.
    pub fn title(&self, number: Option<u64>, lang: Lang) -> Option<String> {
        if number.is_none() || number != self.build {
            return None;
        }
        let Some(side) = &self.side else {
            return Some(tr(lang, "engine.title.running"));
        };
        let m = match &side.comparison {
            None => Message::new("engine.title.none"),
            Some(c) => match c.first_step {
                Some(step) => Message::new("engine.title.differs").arg("step", step),
                None if c.agrees() => Message::new("engine.title.agrees"),
                None => Message::new("engine.title.differs_extra"),
            },
        };
        Some(m.render(lang))
    }

    /// Build `number` was committed: docker builds it too, from the files
    /// on disk (`files_on_disk`: the screen built simulated changes or
    /// unsaved text, which the answer will say).
    pub fn built(&mut self, number: u64, files_on_disk: bool) -> Effect {
        self.build = Some(number);
        self.side = None;
        Effect::EngineBuild {
            build: number,
            files_on_disk,
        }
    }

    /// Docker's verdicts on build `number` came back: the status line to
    /// show, or None for an answer about an older build than the one docker
    /// was last asked for (dropped).
    pub fn answered(&mut self, number: u64, side: EngineSide, lang: Lang) -> Option<String> {
        if self.build != Some(number) {
            return None;
        }
        let line = side.summary().render(lang);
        self.side = Some(side);
        Some(line)
    }
}

/// The short word and mark for docker's verdict in a layer row: `= HIT`,
/// `≠ MISS` — a sign and a word, never colour alone.
pub fn cell(c: &StepComparison) -> String {
    let word = match c.verdict {
        EngineVerdict::Base => "",
        EngineVerdict::Cached => "HIT",
        EngineVerdict::Rebuilt => "MISS",
        EngineVerdict::Failed => "ERR",
        EngineVerdict::Canceled => "STOP",
        EngineVerdict::NotRun => "—",
    };
    let mark = if c.differs { "≠" } else { "=" };
    format!("{mark} {word}")
}
