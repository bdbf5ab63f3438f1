//! Everything the screen shows, as plain data. `update` changes it; the
//! views only read it.

use crate::app::action::Action;
use crate::app::document::{outline, Document, Outline};
use crate::app::editor::Edit;
use crate::app::files::{FilesMemo, LayerFile};
use crate::app::i18n::{tr, trf, Lang};
use crate::app::keymap::{Key, KeyCode, Keymap, Scope};
use crate::app::lesson::LessonScreen;
use crate::app::present::{DemoCard, ThemeName};
use crate::dockerfile::{compile, Compiled};
use crate::engine::builder::{BuildError, BuilderKind, StepStarted};
use crate::engine::dockerignore::DockerIgnore;
use crate::engine::report::{BuildReport, BuiltInstruction, StepReport, Verdict};
use crate::filesystem::rootfs::LayerChanges;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which pane keys go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Dockerfile,
    Layers,
    Context,
}

/// A line of text being typed, with a cursor (in characters).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Input {
    pub text: String,
    pub cursor: usize,
}

impl Input {
    pub fn new(text: &str) -> Input {
        Input {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_index)
            .map_or(self.text.len(), |(b, _)| b)
    }

    pub fn insert(&mut self, c: char) {
        let at = self.byte(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            let at = self.byte(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.text.chars().count() {
            let at = self.byte(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.chars().count();
    }

    /// A key typed into the line: characters, Backspace and Delete, the
    /// cursor keys; other keys change nothing.
    pub fn edit(&mut self, key: Key) {
        match key.code {
            KeyCode::Char(c) if !key.ctrl && !key.alt => self.insert(c),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(),
            KeyCode::Left => self.left(),
            KeyCode::Right => self.right(),
            KeyCode::Home => self.home(),
            KeyCode::End => self.end(),
            _ => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Help,
    Details,
    /// The multi-line editor, over Dockerfile lines or a context file.
    Edit(Box<Edit>),
    Command {
        input: Input,
        /// Tab completion in progress: candidates and the one shown.
        completion: Option<(Vec<String>, usize)>,
        /// Position in the history while browsing with Up/Down.
        history_pos: Option<usize>,
    },
    ConfirmQuit,
    AddFile(Input),
    /// A shell inside a container (`run -it`, `exec -it`).
    Shell(Box<ShellPane>),
}

/// What the shell pane shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShellPane {
    /// `box (busybox)`: the container and its image.
    pub title: String,
    /// The prompt and the lines typed, and what they printed, oldest
    /// first: `(is_error, text)`.
    pub lines: Vec<(bool, String)>,
    pub prompt: String,
    pub input: Input,
    /// Lines typed, oldest first, and the one shown while browsing them.
    pub history: Vec<String>,
    pub history_pos: Option<usize>,
    /// A line is running: keys wait.
    pub busy: bool,
}

/// How a simulated change shows on a context row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simulated {
    /// Written, touched, chmodded or added by a simulation.
    Changed,
    /// Deleted by a simulation: still on disk, no longer in the context.
    Removed,
}

/// One path of the build context as the context pane lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextRow {
    pub path: String,
    pub dir: bool,
    pub size: u64,
    pub mode: u32,
    /// Left out by `.dockerignore`.
    pub excluded: bool,
    /// Differs from the file on disk because of a simulated change.
    pub simulated: Option<Simulated>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContextPane {
    pub open: bool,
    pub rows: Vec<ContextRow>,
    pub selected: usize,
}

impl ContextPane {
    /// Rows a simulated change marks.
    pub fn simulated(&self) -> usize {
        self.rows.iter().filter(|r| r.simulated.is_some()).count()
    }
}

/// A base image as the layer stack shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseInfo {
    pub reference: String,
    pub layers: usize,
    pub size: u64,
}

/// Whether the panes show a preview (what `docker build` would do now,
/// nothing written) or a build the learner ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Against the engine as the learner's builds left it: `last_build` is
    /// the number of the newest (0: nothing built yet).
    Preview { last_build: u64 },
    /// Build number `number`, kept in the engine.
    Build { number: u64 },
}

/// What a build or a preview brings back from the engine.
#[derive(Debug, Clone)]
pub struct BuildOutcome {
    pub shown: Shown,
    /// The Dockerfile built.
    pub compiled: Arc<Compiled>,
    pub builder: BuilderKind,
    pub result: Result<BuildReport, BuildError>,
    /// The changes of the layer each step made, by step index, when the
    /// engine can list them.
    pub layers: BTreeMap<usize, Arc<LayerChanges>>,
    /// The changes of a base image's layers (oldest first), by the index of
    /// its FROM step.
    pub base_layers: BTreeMap<usize, Vec<Arc<LayerChanges>>>,
    /// The command line that ran it, when not the editor.
    pub origin: Option<String>,
    /// The other builder's preview of the same text and context, when it
    /// was computed with this one.
    pub other: Option<Box<BuildOutcome>>,
}

/// The outcome of one build or preview, as the panes show it.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildView {
    pub shown: Shown,
    pub builder: BuilderKind,
    pub instructions: Vec<BuiltInstruction>,
    pub report: Option<BuildReport>,
    pub error: Option<BuildFailure>,
    /// Base images by FROM instruction index.
    pub bases: BTreeMap<usize, BaseInfo>,
    /// Layer files by step index, when the engine can list them.
    pub layer_files: Arc<BTreeMap<usize, Vec<LayerFile>>>,
    /// A base image's files, one list per layer (oldest first), by the
    /// index of its FROM step.
    pub base_files: Arc<BTreeMap<usize, Vec<Vec<LayerFile>>>>,
    /// Bytes lower layers store but later ones overwrite or remove; None
    /// unless every layer's files are known.
    pub wasted: Option<u64>,
    /// The paths that waste them, largest first (from the layers known).
    pub wasted_files: Arc<Vec<(String, u64)>>,
    /// The command line that ran it, when not the editor.
    pub origin: Option<String>,
    /// The other builder's preview of the same text and context, if known.
    pub other: Option<Box<BuildView>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BuildFailure {
    pub message: String,
    /// 1-based line it points at.
    pub line: Option<usize>,
    pub steps: Vec<StepReport>,
}

impl BuildView {
    /// The view of a build: its instructions and steps as the report lists
    /// them (a failed build's instructions as its text was compiled), and
    /// every layer's files (from `files` when it listed the same layers).
    pub fn new(outcome: BuildOutcome, files: &mut FilesMemo) -> BuildView {
        let BuildOutcome {
            shown,
            compiled,
            builder,
            result,
            layers: changes,
            base_layers,
            origin,
            other,
        } = outcome;
        let other = other.map(|o| Box::new(BuildView::new(*o, files)));
        let (instructions, steps) = match &result {
            Ok(r) => (r.instructions.clone(), &r.steps),
            Err(e) => (BuiltInstruction::list(compiled.instructions()), &e.steps),
        };
        let bases = steps
            .iter()
            .filter_map(|s| match &s.verdict {
                Verdict::Base {
                    image,
                    layers,
                    size,
                } => Some((
                    s.instruction,
                    BaseInfo {
                        reference: image.clone(),
                        layers: *layers,
                        size: *size,
                    },
                )),
                _ => None,
            })
            .collect();
        let listed = files.stack(steps, &changes, &base_layers);
        let with_layers: Vec<usize> = steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.layer.is_some())
            .map(|(i, _)| i)
            .collect();
        let all_known = !with_layers.is_empty()
            && with_layers
                .iter()
                .all(|i| listed.layer_files.contains_key(i));
        let (report, error) = match result {
            Ok(r) => (Some(r), None),
            Err(e) => (
                None,
                Some(BuildFailure {
                    message: e.message,
                    line: e.span.map(|s| s.line),
                    steps: e.steps,
                }),
            ),
        };
        BuildView {
            shown,
            builder,
            instructions,
            report,
            error,
            bases,
            layer_files: Arc::clone(&listed.layer_files),
            base_files: Arc::clone(&listed.base_files),
            wasted: all_known.then_some(listed.wasted),
            wasted_files: Arc::clone(&listed.wasted_files),
            origin,
            other,
        }
    }

    /// This view and the other builder's, as (BuildKit, classic).
    pub fn by_builder(&self) -> (Option<&BuildView>, Option<&BuildView>) {
        let other = self.other.as_deref();
        match self.builder {
            BuilderKind::Buildkit => (Some(self), other),
            BuilderKind::Classic => (other, Some(self)),
        }
    }

    pub fn steps(&self) -> &[StepReport] {
        match (&self.report, &self.error) {
            (Some(r), _) => &r.steps,
            (None, Some(e)) => &e.steps,
            (None, None) => &[],
        }
    }
}

/// A point in the edit history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub lines: Vec<String>,
    pub selected: usize,
}

/// The command bar's memory and the output pane.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandLog {
    pub history: Vec<String>,
    /// `(is_error, text)`.
    pub output: Vec<(bool, String)>,
    /// Lines scrolled up from the bottom.
    pub scroll: usize,
    pub shown: bool,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub lang: Lang,
    pub keymap: Keymap,
    /// `web-ping/Dockerfile`.
    pub title: String,
    pub sandbox: bool,
    pub doc: Document,
    /// The text compiled once per change: the outline and the builds the
    /// editor asks for share it.
    pub compiled: Arc<Compiled>,
    pub outline: Outline,
    /// The context's `.dockerignore`, once the context has been read (the
    /// CopyIgnoredFile check needs it).
    pub dockerignore: Option<DockerIgnore>,
    /// Index into `outline.blocks`.
    pub selected: usize,
    pub undo: Vec<Snapshot>,
    pub redo: Vec<Snapshot>,
    pub builder: BuilderKind,
    /// The layer stack shows BuildKit and the classic builder side by side.
    pub side_by_side: bool,
    /// Saving the Dockerfile (here or from another editor) also builds.
    pub build_on_save: bool,
    pub build: Option<BuildView>,
    /// The layers' file lists of the builds shown last, for a preview of
    /// the same layers to show without listing them again.
    pub file_lists: FilesMemo,
    /// The instructions (as written) of the last build the screen showed:
    /// a preview that differs from them is the learner's change.
    pub last_built: Vec<String>,
    pub context: ContextPane,
    pub focus: Focus,
    pub mode: Mode,
    pub log: CommandLog,
    pub status: Option<String>,
    /// How far the help is scrolled (lines from its top).
    pub help_scroll: usize,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// `NO_COLOR`: meaning carried by words and bold/reverse only.
    pub no_color: bool,
    pub quit: bool,
    /// The build or preview running apart from the screen, if any.
    pub running: Option<Running>,
    /// Unsaved edits of this file kept when a signal ended a session:
    /// offered until taken or the text is saved.
    pub recovered: Option<String>,
    /// `--engine docker`: the real daemon's side of the latest build.
    pub engine: Option<crate::app::engine_view::EngineView>,
    /// The lesson shown beside the panes, if the screen is a lesson's.
    pub lesson: Option<Box<LessonScreen>>,
    /// The presentation layout: the verdicts and the key figure large, the
    /// chrome hidden (`p`, `layerlab present`).
    pub present: bool,
    pub theme: ThemeName,
    /// The scripted demo playing, when the screen is one.
    pub demo: Option<DemoCard>,
}

/// A build or preview under way, as the screen shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Running {
    /// A build (that changes the engine), not a preview.
    pub build: bool,
    /// The step that started last.
    pub step: Option<StepStarted>,
    /// Real seconds since it started.
    pub real_seconds: f64,
}

impl Running {
    /// The status line while it runs: what, which step, both clocks.
    pub fn line(&self, lang: Lang) -> String {
        let what = if self.build {
            "status.running_build"
        } else {
            "status.running_preview"
        };
        let mut parts = vec![tr(lang, what)];
        let simulated = self.step.as_ref().map_or(0.0, |s| s.seconds_so_far);
        if let Some(s) = &self.step {
            let step = match &s.stage {
                Some(stage) => format!("[{stage}] {}", s.step),
                None => s.step.to_string(),
            };
            let text: String = s.text.chars().take(60).collect();
            parts.push(trf(
                lang,
                "status.running_step",
                &[("step", &step), ("of", &s.of.to_string()), ("text", &text)],
            ));
        }
        parts.push(trf(
            lang,
            "status.running_times",
            &[
                ("simulated", &format!("{simulated:.1}")),
                ("real", &format!("{:.1}", self.real_seconds)),
            ],
        ));
        parts.join(" · ")
    }
}

impl Model {
    pub fn new(title: &str, text: &str, lang: Lang) -> Model {
        let doc = Document::new(text);
        let compiled = Arc::new(compile(&doc.text()));
        let outline = outline(&compiled, &doc.lines, None);
        Model {
            lang,
            keymap: Keymap::default_map(),
            title: title.to_string(),
            sandbox: false,
            doc,
            compiled,
            outline,
            dockerignore: None,
            selected: 0,
            undo: Vec::new(),
            redo: Vec::new(),
            builder: BuilderKind::Buildkit,
            side_by_side: false,
            build_on_save: false,
            build: None,
            file_lists: FilesMemo::default(),
            last_built: Vec::new(),
            context: ContextPane::default(),
            focus: Focus::Dockerfile,
            mode: Mode::Normal,
            log: CommandLog::default(),
            status: None,
            help_scroll: 0,
            size: (80, 24),
            no_color: false,
            quit: false,
            running: None,
            recovered: None,
            engine: None,
            lesson: None,
            present: false,
            theme: ThemeName::Dark,
            demo: None,
        }
    }

    /// The build shown lines up with the text being edited (same
    /// instructions), so selections can be mirrored across the panes.
    pub fn in_sync(&self) -> bool {
        let Some(view) = &self.build else {
            return false;
        };
        self.outline.problem.is_none()
            && view.instructions.len() == self.outline.blocks.len()
            && view
                .instructions
                .iter()
                .zip(&self.outline.blocks)
                .all(|(i, b)| i.keyword == b.keyword)
    }

    /// The help's lines: a heading per place, its bindings, a blank line
    /// between places (as the help overlay draws them).
    pub fn help_len(&self) -> usize {
        let entries = self.help_entries();
        let mut scopes: Vec<_> = entries.iter().map(|(s, _, _)| *s).collect();
        scopes.dedup();
        entries.len() + (2 * scopes.len()).saturating_sub(1)
    }

    /// The bindings the help lists: all of them, or in a demo the keys
    /// that work there.
    pub fn help_entries(&self) -> Vec<(Scope, Action, Vec<Key>)> {
        let mut entries = self.keymap.entries();
        if self.demo.is_some() {
            entries.retain(|(_, a, _)| a.in_demo());
        }
        entries
    }

    /// The help's first line when it shows its end.
    pub fn help_max_scroll(&self) -> usize {
        self.help_len().saturating_sub(overlay_rows(self.size.1))
    }

    /// The roomy layout (why-pane always visible) needs this much space.
    pub fn roomy(&self) -> bool {
        self.size.0 >= 100 && self.size.1 >= 30
    }
}

/// The height of an overlay (help, details) on a screen `rows` high: most
/// of it, never less than 8 rows unless the screen is smaller.
pub fn overlay_height(rows: u16) -> u16 {
    (rows * 9 / 10).max(8).min(rows)
}

/// The lines of text an overlay shows inside its borders.
pub fn overlay_rows(rows: u16) -> usize {
    overlay_height(rows).saturating_sub(2) as usize
}
