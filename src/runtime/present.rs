//! A scripted demo on the presentation layout: a [`DemoSession`] (the
//! lesson's [`Demo`] and the model the screen draws) with no terminal, so
//! tests drive exactly what the loop drives, and [`run_demo`], the loop.
//!
//! Each key goes through `update`; a demo move it asks for is made here on
//! the demo, and the model is written again from the demo's playground:
//! its Dockerfile, the build the last action ran (or, after an edit, what
//! a build would do now), the step and the caption.

use crate::app::files::FilesMemo;
use crate::app::i18n::{tr, Lang};
use crate::app::model::{BuildOutcome, BuildView, Model, Shown};
use crate::app::present::{DemoCard, DemoMove, ThemeName};
use crate::app::update::{update, Event};
use crate::app::{Effect, Key};
use crate::dockerfile::compile;
use crate::lesson::demo::{Cue, Demo};
use crate::lesson::model::{Action, Lesson};
use crate::runtime::events::{self, RtEvent};
use crate::runtime::terminal;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::channel;
use std::sync::Arc;

/// Lines of a docker command's output the card shows (its last ones).
const OUTPUT_LINES: usize = 16;

pub struct DemoSession {
    pub demo: Demo,
    pub model: Model,
    /// The last move that failed, in words (shown on the card).
    error: Option<String>,
    /// A jump (or the start) put the demo at a step's beginning: the card
    /// shows that step and its first action to come. After → or ← it
    /// shows the action played last, even the last of a step (whose
    /// result is the point), until → begins the next.
    fresh: bool,
}

impl DemoSession {
    /// The demo of `lesson` in the working folder `dir`, at its start, on
    /// the presentation layout.
    pub fn new(lesson: Lesson, dir: PathBuf, lang: Lang, theme: ThemeName) -> Result<Self, String> {
        let demo = Demo::new(lesson, dir, lang)?;
        let mut model = Model::new("", "", lang);
        model.present = true;
        model.theme = theme;
        let mut s = DemoSession {
            demo,
            model,
            error: None,
            fresh: true,
        };
        s.refresh();
        Ok(s)
    }

    /// One key, as the screen gets it.
    pub fn key(&mut self, key: Key) {
        for effect in update(&mut self.model, Event::Key(key)) {
            match effect {
                Effect::Demo(m) => self.play(m),
                Effect::ExportScreen => {
                    let written = self.export_screen();
                    update(&mut self.model, Event::ScreenExported(written));
                }
                _ => {}
            }
        }
    }

    /// The screen key (X): the screen as drawn, as SVG and text, in the
    /// folder the demo was started in (the demo's own folder is a
    /// temporary one).
    fn export_screen(&self) -> Result<(String, String), String> {
        let folder = std::env::current_dir().map_err(|e| e.to_string())?;
        crate::runtime::export::write_named(&folder, &draw(&self.model), self.model.lang)
    }

    /// Makes a move; a move that fails leaves the demo where it was and
    /// says why on the card.
    pub fn play(&mut self, m: DemoMove) {
        let steps = self.demo.lesson().steps.len();
        let result = match m {
            DemoMove::Next => self.demo.forward().map(drop),
            DemoMove::Back => self.demo.back().map(drop),
            DemoMove::Jump(n) if n < steps => self.demo.jump(n),
            DemoMove::Jump(_) | DemoMove::Stay => Ok(()),
        };
        self.fresh = matches!(m, DemoMove::Jump(_)) && result.is_ok()
            || self.demo.played() == 0
            || (self.fresh && m == DemoMove::Stay);
        self.error = result.err();
        self.model.status = None;
        self.refresh();
    }

    /// The model written again from the demo; how the screen shows it
    /// (size, theme, language, an overlay open) stays.
    pub fn refresh(&mut self) {
        let play = self.demo.playground();
        let text = std::fs::read_to_string(play.dir().join("Dockerfile")).unwrap_or_default();
        let old = &self.model;
        let lang = old.lang;
        let mut m = Model::new("Dockerfile", &text, lang);
        m.keymap = old.keymap.clone();
        m.size = old.size;
        m.no_color = old.no_color;
        m.present = old.present;
        m.theme = old.theme;
        m.mode = old.mode.clone();
        m.help_scroll = old.help_scroll;
        m.quit = old.quit;
        m.status = old.status.clone();
        m.sandbox = true;
        m.build = self.view();
        m.demo = Some(self.card(lang));
        self.model = m;
    }

    /// Whether the card shows a step's beginning rather than the action
    /// played last.
    fn at_step_start(&self) -> bool {
        self.fresh || self.demo.last().is_none()
    }

    /// The build the last action ran, or what a build would do now; none
    /// after a docker command that built nothing (its output is the
    /// point: `history`, `commit`, `image ls`).
    fn view(&self) -> Option<BuildView> {
        let play = self.demo.playground();
        let console = !self.at_step_start()
            && !self.demo.built_last()
            && self
                .demo
                .last()
                .is_some_and(|c| matches!(self.demo.action(c), Action::Run(_)));
        if console {
            return None;
        }
        let builder = play.last_builder();
        let outcome = |shown, compiled, result| BuildOutcome {
            shown,
            compiled,
            builder,
            result,
            layers: BTreeMap::new(),
            base_layers: BTreeMap::new(),
            origin: None,
            other: None,
        };
        let built = play
            .last_report()
            .filter(|_| self.demo.built_last() && !self.at_step_start());
        let o = match built {
            Some(report) => {
                let text =
                    std::fs::read_to_string(play.dir().join("Dockerfile")).unwrap_or_default();
                outcome(
                    Shown::Build {
                        number: report.build,
                    },
                    Arc::new(compile(&text)),
                    Ok(report.clone()),
                )
            }
            None => {
                let (compiled, result) = play.preview().ok()?;
                let shown = Shown::Preview {
                    last_build: play.builds(),
                };
                outcome(shown, compiled, result)
            }
        };
        Some(BuildView::new(o, &mut FilesMemo::default()))
    }

    /// Where the demo is, and what it says, in `lang`.
    fn card(&self, lang: Lang) -> DemoCard {
        let d = &self.demo;
        let lesson = d.lesson();
        let next = self.at_step_start();
        let (step, cue) = match d.last() {
            Some(last) if !next => (last.step, Some(last)),
            _ => {
                let step = d.step();
                let first = Cue { step, action: 0 };
                (
                    step,
                    Some(first).filter(|_| !lesson.steps[step].solution.is_empty()),
                )
            }
        };
        // A build's log is what the verdicts already say: only other
        // commands' output (history, image ls, commit) is shown.
        let mut output: Vec<String> = if next || d.built_last() {
            Vec::new()
        } else {
            let printed = d.playground().printed();
            printed[printed.len().saturating_sub(OUTPUT_LINES)..].to_vec()
        };
        if d.played() == 0 {
            output.push(tr(lang, "present.start"));
        }
        if d.played() == d.len() {
            output.push(tr(lang, "present.end"));
        }
        DemoCard {
            lesson: lesson.title.get(lang).to_string(),
            step,
            steps: lesson.steps.len(),
            step_title: lesson.steps[step].title.get(lang).to_string(),
            played: d.played(),
            actions: d.len(),
            caption: cue.map(|c| d.caption(c, lang)).unwrap_or_default(),
            next,
            action: cue.map(|c| action_line(d.action(c))).unwrap_or_default(),
            output,
            error: self.error.clone(),
        }
    }
}

/// An action as the card shows it: a command line after `$`, or the file
/// it writes.
fn action_line(action: &Action) -> String {
    match action {
        Action::Run(line) => format!("$ {line}"),
        Action::Write { path, .. } => format!("✎ {path}"),
        Action::Dockerfile(_) => "✎ Dockerfile".to_string(),
    }
}

/// The screen as drawn at `size`, without a terminal.
pub fn draw(model: &Model) -> ratatui::buffer::Buffer {
    let area = ratatui::layout::Rect::new(0, 0, model.size.0, model.size.1);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    crate::ui::render(model, area, &mut buf);
    buf
}

/// Plays `lesson` from its start to its end without a terminal, writing
/// the screen before the first action and after each into `dir` as
/// `ID-NN.svg` (and the same as text, `ID-NN.txt`), NN the actions played;
/// the files written.
pub fn export_demo(
    lesson: Lesson,
    lang: Lang,
    theme: ThemeName,
    size: (u16, u16),
    dir: &std::path::Path,
) -> Result<Vec<PathBuf>, String> {
    let id = lesson.id.clone();
    let work = tempfile::Builder::new()
        .prefix("layerlab-demo-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let mut s = DemoSession::new(lesson, work.path().join("work"), lang, theme)?;
    s.model.size = size;
    s.refresh();
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for n in 0..=s.demo.len() {
        if n > 0 {
            s.play(DemoMove::Next);
            if let Some(e) = &s.error {
                return Err(e.clone());
            }
        }
        let buf = draw(&s.model);
        for (ext, text) in [
            ("svg", crate::ui::export::svg(&buf)),
            ("txt", crate::ui::export::text(&buf)),
        ] {
            let path = dir.join(format!("{id}-{n:02}.{ext}"));
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            written.push(path);
        }
    }
    Ok(written)
}

/// Plays `lesson` on the terminal until the instructor quits; the exit
/// code (128 + the signal when one ended it).
pub fn run_demo(lesson: Lesson, lang: Lang, theme: ThemeName) -> Result<i32, String> {
    let dir = tempfile::Builder::new()
        .prefix("layerlab-demo-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let mut s = DemoSession::new(lesson, dir.path().join("work"), lang, theme)?;
    s.model.no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if let Ok(size) = crossterm::terminal::size() {
        s.model.size = size;
    }
    let (tx, rx) = channel::<RtEvent>();
    events::spawn_signals(tx.clone()).map_err(|e| e.to_string())?;
    let mut guard = terminal::Guard::enter().map_err(|e| e.to_string())?;
    let _input = events::spawn_input(tx);
    let mut code = 0;
    while !s.model.quit {
        guard
            .term
            .draw(|f| crate::ui::draw(f, &s.model))
            .map_err(|e| e.to_string())?;
        let Ok(ev) = rx.recv() else { break };
        match ev {
            RtEvent::Terminate(signal) => {
                code = 128 + signal;
                break;
            }
            RtEvent::Suspend => guard.suspend(),
            RtEvent::Resume => guard.resume().map_err(|e| e.to_string())?,
            RtEvent::Term(crossterm::event::Event::Key(k)) => match events::key(&k) {
                Some(k) if k == Key::ctrl('z') => guard.suspend(),
                Some(k) => s.key(k),
                None => {}
            },
            RtEvent::Term(crossterm::event::Event::Resize(w, h)) => s.model.size = (w, h),
            RtEvent::Term(_) | RtEvent::Files(_) | RtEvent::Worker(_) | RtEvent::Walked(_) => {}
        }
    }
    drop(guard);
    Ok(code)
}
