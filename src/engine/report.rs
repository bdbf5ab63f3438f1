//! What a build reports: every step with its verdict and the reason, the
//! layers it made, and the final image. Views (CLI, TUI, lessons) derive
//! everything they show from this; nothing is computed twice.

use crate::dockerfile::{Instruction, Keyword};
use crate::filesystem::digest::Digest;
use crate::messages::{Lang, Message};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A step of an earlier build, as the learner saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRef {
    /// The engine's build counter (1 = first build on this state).
    pub build: u64,
    /// `[2/4]`-style position as that builder numbered it.
    pub step: usize,
    pub of: usize,
    pub stage: Option<String>,
    /// The instruction text as written.
    pub text: String,
    /// Simulated milliseconds the step took when it was built: what reusing
    /// it saves.
    #[serde(default)]
    pub cost_ms: u64,
}

impl StepRef {
    /// Which earlier step, in words.
    pub fn message(&self) -> Message {
        let m = match &self.stage {
            Some(stage) => Message::new("reason.step_ref_stage").arg("stage", stage),
            None => Message::new("reason.step_ref"),
        };
        m.arg("build", self.build)
            .arg("step", self.step)
            .arg("of", self.of)
    }
}

impl fmt::Display for StepRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FileChange {
    Added {
        path: String,
    },
    Removed {
        path: String,
    },
    Content {
        path: String,
        old: String,
        new: String,
    },
    Mode {
        path: String,
        old: u32,
        new: u32,
    },
    Owner {
        path: String,
        old: String,
        new: String,
    },
}

impl FileChange {
    /// The change, in words.
    pub fn message(&self) -> Message {
        match self {
            FileChange::Added { path } => Message::new("reason.file_added").arg("path", path),
            FileChange::Removed { path } => Message::new("reason.file_removed").arg("path", path),
            FileChange::Content { path, old, new } => Message::new("reason.file_content")
                .arg("path", path)
                .arg("old", short_hex(old))
                .arg("new", short_hex(new)),
            FileChange::Mode { path, old, new } => Message::new("reason.file_mode")
                .arg("path", path)
                .arg("old", format!("{old:o}"))
                .arg("new", format!("{new:o}")),
            FileChange::Owner { path, old, new } => Message::new("reason.file_owner")
                .arg("path", path)
                .arg("old", old)
                .arg("new", new),
        }
    }
}

impl fmt::Display for FileChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

fn short_hex(d: &str) -> &str {
    let hex = d.strip_prefix("sha256:").unwrap_or(d);
    hex.get(..4).unwrap_or(hex)
}

/// Why a step was rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MissReason {
    /// Nothing like this step was ever built on this parent.
    FirstBuild,
    /// It was built before, but its cache record was removed since.
    CacheRemoved {
        by: Removal,
    },
    /// `--no-cache`.
    NoCache,
    /// The step below it was rebuilt, so this one has a new parent.
    ParentRebuilt {
        parent: String,
    },
    InstructionChanged {
        old: String,
        new: String,
    },
    FilesChanged {
        changes: Vec<FileChange>,
    },
    /// The body of a heredoc (`RUN <<EOF`) is not what it was.
    HeredocChanged {
        name: String,
    },
    /// A declared build argument has another value than last time.
    BuildArgChanged {
        name: String,
        old: Option<String>,
        new: Option<String>,
    },
    /// The classic builder's RUN key names its build args.
    BuildArgsChanged {
        old: String,
        new: String,
    },
    EnvChanged {
        name: String,
        old: Option<String>,
        new: Option<String>,
    },
    SettingChanged {
        setting: String,
        old: String,
        new: String,
    },
    /// Classic builder: the image config this step commits differs (an
    /// earlier ENV, LABEL, USER … changed it).
    ConfigChanged,
    /// `COPY --from` a stage whose result changed.
    SourceStageChanged,
    BaseImageChanged,
    FlagsChanged,
    /// Classic builder: an ARG before the first FROM is never cached.
    GlobalArg,
    /// The step ran and failed; the build stops here.
    Failed {
        error: String,
    },
    /// BuildKit: the step was running beside the step that failed, and
    /// the solver stopped it there.
    Canceled {
        failed: String,
    },
}

/// What removed a step's cache record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Removal {
    /// `docker builder prune` (or the automatic policy).
    Pruned,
    /// The classic builder's cache is step images: `docker rmi` of the
    /// image (its short id) deleted them.
    WithImage { image: String },
}

/// How many changed files a reason names before "and N more".
const FILES_SHOWN: usize = 5;

/// `name` filled with a value, or with "(unset)" in the reader's language.
fn value_or_unset(m: Message, name: &'static str, value: &Option<String>) -> Message {
    match value {
        Some(v) => m.arg(name, v),
        None => m.nested(name, Message::new("reason.unset")),
    }
}

impl MissReason {
    /// The reason, in words.
    pub fn message(&self) -> Message {
        match self {
            MissReason::FirstBuild => Message::new("reason.first_build"),
            MissReason::CacheRemoved {
                by: Removal::Pruned,
            } => Message::new("reason.pruned"),
            MissReason::CacheRemoved {
                by: Removal::WithImage { image },
            } => Message::new("reason.removed_with_image").arg("image", image),
            MissReason::NoCache => Message::new("reason.no_cache"),
            MissReason::ParentRebuilt { parent } => {
                Message::new("reason.parent_rebuilt").arg("parent", parent)
            }
            MissReason::InstructionChanged { old, new } => {
                Message::new("reason.instruction_changed")
                    .arg("old", old)
                    .arg("new", new)
            }
            MissReason::FilesChanged { changes } => {
                let mut shown: Vec<Message> = changes
                    .iter()
                    .take(FILES_SHOWN)
                    .map(FileChange::message)
                    .collect();
                if changes.len() > FILES_SHOWN {
                    shown.push(Message::new("reason.more").arg("n", changes.len() - FILES_SHOWN));
                }
                Message::new("reason.files_changed").list("changes", shown)
            }
            MissReason::BuildArgChanged { name, old, new } => {
                let m = Message::new("reason.build_arg_changed").arg("name", name);
                value_or_unset(value_or_unset(m, "old", old), "new", new)
            }
            MissReason::BuildArgsChanged { old, new } => Message::new("reason.build_args_changed")
                .arg("old", old)
                .arg("new", new),
            MissReason::EnvChanged { name, old, new } => {
                let m = Message::new("reason.env_changed").arg("name", name);
                value_or_unset(value_or_unset(m, "old", old), "new", new)
            }
            MissReason::SettingChanged { setting, old, new } => {
                Message::new("reason.setting_changed")
                    .arg("setting", setting)
                    .arg("old", old)
                    .arg("new", new)
            }
            MissReason::HeredocChanged { name } => {
                Message::new("reason.heredoc_changed").arg("name", name)
            }
            MissReason::ConfigChanged => Message::new("reason.config_changed"),
            MissReason::SourceStageChanged => Message::new("reason.source_stage_changed"),
            MissReason::BaseImageChanged => Message::new("reason.base_image_changed"),
            MissReason::FlagsChanged => Message::new("reason.flags_changed"),
            MissReason::GlobalArg => Message::new("reason.global_arg"),
            MissReason::Failed { error } => Message::new("reason.failed").arg("error", error),
            MissReason::Canceled { failed } => {
                Message::new("reason.canceled").arg("failed", failed)
            }
        }
    }
}

impl fmt::Display for MissReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

/// A step's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Hit {
        from: StepRef,
    },
    Miss {
        why: MissReason,
    },
    /// A FROM step: the stage starts from this image (neither builder
    /// caches it; BuildKit's CACHED/DONE for it carries no meaning).
    Base {
        image: String,
        layers: usize,
        size: u64,
    },
}

impl Verdict {
    pub fn cached(&self) -> bool {
        matches!(self, Verdict::Hit { .. })
    }

    pub fn missed(&self) -> bool {
        matches!(self, Verdict::Miss { .. })
    }

    /// The reason, for the catalog to render.
    pub fn message(&self) -> Message {
        match self {
            Verdict::Hit { from } => Message::new("reason.hit")
                .nested("from", from.message())
                .arg("text", &from.text),
            Verdict::Miss { why } => why.message(),
            Verdict::Base {
                image,
                layers,
                size,
            } => Message::new("reason.base")
                .arg("image", image)
                .arg("layers", layers)
                .arg("size", size),
        }
    }

    /// The reason in English words (the JSON contract's `reason`).
    pub fn reason(&self) -> String {
        self.reason_in(Lang::En)
    }

    /// The reason in the reader's language.
    pub fn reason_in(&self, lang: Lang) -> String {
        self.message().render(lang)
    }
}

/// A layer as a step reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerInfo {
    pub diff_id: Digest,
    /// Bytes as `docker history` counts them.
    pub size: u64,
}

/// One step of the build, as the real builder lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    pub stage: Option<String>,
    pub step: usize,
    pub of: usize,
    /// Upper-case keyword.
    pub keyword: String,
    pub text: String,
    pub verdict: Verdict,
    pub layer: Option<LayerInfo>,
    /// Index of the instruction in the Dockerfile.
    pub instruction: usize,
    /// 1-based source line, for the editor to line up with.
    pub line: usize,
    /// Simulated duration in seconds (a hit costs nothing).
    pub seconds: f64,
    /// What a RUN printed (stdout, then stderr).
    #[serde(default)]
    pub output: String,
}

/// A row of `docker history`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRow {
    pub created_by: String,
    pub size: u64,
    pub empty_layer: bool,
    pub comment: String,
    /// The build that made this row (0: it came with the base image). Part
    /// of the image id, as a real history row's `created` time is.
    #[serde(default)]
    pub built_in: u64,
}

/// An instruction of the Dockerfile a build used; a step's `instruction`
/// indexes the list of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuiltInstruction {
    pub keyword: Keyword,
    /// As written (continuation lines joined).
    pub text: String,
    /// 1-based line it starts on.
    pub line: usize,
}

impl BuiltInstruction {
    /// Every instruction of a Dockerfile.
    pub fn list(instructions: &[Instruction]) -> Vec<BuiltInstruction> {
        instructions
            .iter()
            .map(|i| BuiltInstruction {
                keyword: i.keyword,
                text: i.original.clone(),
                line: i.span.line,
            })
            .collect()
    }
}

/// The totals the panes and the CLI show, counted once from the steps.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct BuildTotals {
    /// Steps that ran (FROM steps are neither run nor cached).
    pub rebuilt: usize,
    /// Steps that can hit or miss (all but FROM).
    pub cacheable: usize,
    /// Simulated seconds the build took.
    pub seconds: f64,
    /// Simulated seconds the cache saved: what the reused steps took when
    /// they were built.
    pub saved_seconds: f64,
}

impl BuildTotals {
    pub fn of(steps: &[StepReport]) -> BuildTotals {
        BuildTotals {
            rebuilt: steps.iter().filter(|s| s.verdict.missed()).count(),
            cacheable: steps
                .iter()
                .filter(|s| !matches!(s.verdict, Verdict::Base { .. }))
                .count(),
            seconds: steps.iter().map(|s| s.seconds).sum::<f64>().max(0.0),
            saved_seconds: steps
                .iter()
                .map(|s| match &s.verdict {
                    Verdict::Hit { from } => from.cost_ms as f64 / 1000.0,
                    _ => 0.0,
                })
                .sum::<f64>()
                .max(0.0),
        }
    }
}

/// Everything a build produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildReport {
    pub build: u64,
    pub image_id: Digest,
    pub builder: String,
    pub tags: Vec<String>,
    pub layer_count: usize,
    pub size: u64,
    /// The Dockerfile's instructions, built or not.
    #[serde(default)]
    pub instructions: Vec<BuiltInstruction>,
    pub steps: Vec<StepReport>,
    /// Counted from `steps`.
    #[serde(default)]
    pub totals: BuildTotals,
    pub history: Vec<HistoryRow>,
}

impl BuildReport {
    /// The first rebuilt step: the cause of the cascade above it.
    pub fn first_miss(&self) -> Option<&StepReport> {
        self.steps.iter().find(|s| s.verdict.missed())
    }
}
