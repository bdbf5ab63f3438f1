//! The presentation layout's data: which theme the screen wears, the key
//! figure a build is summed up in, and what a scripted demo shows beside
//! it (the step, the caption). Plain data; the view draws it, the runtime's
//! demo session fills it in.

use crate::engine::report::BuildReport;

/// The colours the screen wears: dark (the terminal's own, as always) or
/// light, for bright rooms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
}

impl ThemeName {
    pub fn parse(s: &str) -> Result<ThemeName, String> {
        match s {
            "dark" => Ok(ThemeName::Dark),
            "light" => Ok(ThemeName::Light),
            other => Err(format!("unknown theme {other:?}: expected dark or light")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ThemeName::Dark => "dark",
            ThemeName::Light => "light",
        }
    }

    pub fn toggled(self) -> ThemeName {
        match self {
            ThemeName::Dark => ThemeName::Light,
            ThemeName::Light => ThemeName::Dark,
        }
    }
}

/// How a screen opens: in the presentation layout or not, in which theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Look {
    pub present: bool,
    pub theme: ThemeName,
}

/// The one-line lesson of a build, in numbers: steps rebuilt of those that
/// can hit or miss, the simulated time it took, and what it would have
/// taken had every step come from the cache.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub rebuilt: usize,
    pub of: usize,
    pub seconds: f64,
    pub cached_seconds: f64,
}

impl Figure {
    pub fn of(report: &BuildReport) -> Figure {
        let t = &report.totals;
        // Fully cached, only the steps that missed would not have run.
        let missed: f64 = report
            .steps
            .iter()
            .filter(|s| s.verdict.missed())
            .map(|s| s.seconds)
            .sum();
        Figure {
            rebuilt: t.rebuilt,
            of: t.cacheable,
            seconds: t.seconds,
            cached_seconds: (t.seconds - missed).max(0.0),
        }
    }
}

/// What a demo shows beside the build: where in the lesson it is and the
/// caption of the action that played last (in the screen's language).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DemoCard {
    pub lesson: String,
    /// The step the demo is in, from 0, of `steps`.
    pub step: usize,
    pub steps: usize,
    pub step_title: String,
    /// Actions played, of `actions`.
    pub played: usize,
    pub actions: usize,
    /// The caption of the action that played last, or of the next one when
    /// the step has just begun (`next`).
    pub caption: String,
    pub next: bool,
    /// The action itself, as a command line or what it changes.
    pub action: String,
    /// What a docker command printed (its last lines).
    pub output: Vec<String>,
    /// A move that failed, in words.
    pub error: Option<String>,
}

/// A demo's move, asked for by a key and made by the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoMove {
    Next,
    Back,
    /// To the start of step `n` (from 0).
    Jump(usize),
    /// Nowhere: the card is written again (in another language).
    Stay,
}
