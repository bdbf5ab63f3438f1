//! What `update` asks the runtime to do: the only way the pure app reaches
//! the engine, the disk or the process.

use crate::app::lesson::LessonEffect;
use crate::dockerfile::Compiled;
use crate::engine::builder::BuilderKind;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Show what `docker build` of the editor's text over the project's
    /// context would do now, writing nothing.
    Preview {
        /// The text as the model compiled it.
        compiled: Arc<Compiled>,
        builder: BuilderKind,
    },
    /// Build the editor's text over the project's context: the one way the
    /// screen changes the engine (besides the command bar).
    Build {
        text: String,
        /// `text` as the model compiled it (built as is, not parsed again).
        compiled: Arc<Compiled>,
        builder: BuilderKind,
    },
    /// Move a scripted demo (only while one plays).
    Demo(crate::app::present::DemoMove),
    /// Write the Dockerfile (only ever on the learner's request).
    Save {
        text: String,
        quit_after: bool,
    },
    /// Simulate a change of a context file over the snapshot (the file on
    /// disk is never written), then preview.
    Context(ContextOp),
    /// Drop every simulated change: the context is the disk's again.
    ResetContext,
    /// Read a context file (as the context pane sees it, simulations
    /// included) for the editor.
    ReadContextFile(String),
    /// Give the terminal to the learner's `$EDITOR` on a real file, then
    /// take it back (the watcher reads what it saved).
    ExternalEditor(ExternalFile),
    /// Run a docker command line from the command bar.
    RunCommand(String),
    /// Run a line in the open shell (`run -it`).
    ShellLine(String),
    /// The open shell's input ended (Ctrl-D).
    ShellHangUp,
    /// Stop the build or preview under way; the engine stays as it was.
    Cancel,
    /// Build the committed build number `build` on the real daemon too
    /// (`--engine docker`), from the files on disk; `files_on_disk`: the
    /// screen's build had simulated changes or unsaved text the daemon
    /// cannot see.
    EngineBuild {
        build: u64,
        files_on_disk: bool,
    },
    /// Write the screen as it is drawn now as an SVG picture and as text.
    ExportScreen,
    /// What the lesson screen asks for (progress, a step's folder, the menu).
    Lesson(LessonEffect),
    Quit,
}

/// A simulated code change in the build context (what the learner asks
/// for; the runtime turns it into an `engine::context::Override`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextOp {
    /// Append a line: new content, new digest.
    Edit(String),
    /// New mtime only.
    Touch(String),
    /// Toggle the execute bits.
    Chmod(String),
    Add(String),
    Delete(String),
    /// New content typed in the editor.
    Write {
        path: String,
        text: String,
    },
}

/// A file the learner's own editor opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternalFile {
    Dockerfile,
    /// A path in the build context.
    Context(String),
}

impl ContextOp {
    pub fn path(&self) -> &str {
        match self {
            ContextOp::Edit(p)
            | ContextOp::Touch(p)
            | ContextOp::Chmod(p)
            | ContextOp::Add(p)
            | ContextOp::Delete(p)
            | ContextOp::Write { path: p, .. } => p,
        }
    }

    /// The i18n key of the past-tense verb.
    pub fn done_key(&self) -> &'static str {
        match self {
            ContextOp::Edit(_) | ContextOp::Write { .. } => "ctx.edited",
            ContextOp::Touch(_) => "ctx.touched",
            ContextOp::Chmod(_) => "ctx.chmodded",
            ContextOp::Add(_) => "ctx.added",
            ContextOp::Delete(_) => "ctx.deleted",
        }
    }
}
