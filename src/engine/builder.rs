//! The builder: runs a plan against the engine state and the build context,
//! step by step, deciding for every step — as BuildKit or the classic builder
//! would — whether the cache has it, and why not.
//!
//! The two builders differ in what a step *is* and what its key holds:
//! BuildKit runs only FROM, RUN, COPY, ADD and WORKDIR as steps and keys each
//! on its own inputs (ENV reaches a RUN through its environment, never a
//! COPY); the classic builder makes every instruction a step and keys it on
//! the parent image plus the whole config it would commit, so any metadata
//! change cascades. See `cache_key.rs` for the keys themselves.

mod config;
mod copy;
mod exec;
mod metadata;
mod mounts;
mod onbuild;
mod sandbox;
mod sources;
mod stage_fs;
mod steps;
mod timeline;
mod watch;

use exec::{heredoc_script, RunEffect};
use stage_fs::StageFs;

use crate::dockerfile::analyzer::{self, ArgDecl, Command, CommandKind, Plan, ShellOrExec};
use crate::dockerfile::expand::{self, Env};
use crate::dockerfile::{compile, Compiled, Keyword};
use crate::dockerfile::{Diagnostic, DiagnosticKind, Span};
use crate::engine::cache::CacheRecord;
use crate::engine::cache_key::{CacheKey, FileStamp, OpInputs, StampKind, Stamps};
use crate::engine::classic_hash::{
    ClassicSource, ClassicSourceHash, FileContents, SourceEntry, SourceOrigin,
};
use crate::engine::context::{ContextError, ContextSnapshot, Dialect, FileKind};
use crate::engine::memo::Memo;
use crate::engine::report::{
    BuildReport, BuildTotals, BuiltInstruction, HistoryRow, LayerInfo, MissReason, StepRef,
    StepReport, Verdict,
};
use crate::engine::store::{
    image_id, normalize_tag, EngineState, ImageRecord, RunConfig, SIMULATED_EPOCH,
};
use crate::engine::transaction::{CacheOf, Transaction, Writes};
use crate::filesystem::blob::Blob;
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::{DiffMode, LayerChanges, Node, NodeKind, PathKey, RootFs};
use crate::limits;
use std::collections::BTreeMap;
use std::sync::Arc;
pub use steps::{is_step, BuilderKind};
pub use watch::{OnStep, StepStarted, Watch};

/// How to build, spelled as `docker build` spells it.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub builder: BuilderKind,
    pub build_args: Vec<(String, String)>,
    pub no_cache: bool,
    pub target: Option<String>,
    pub tags: Vec<String>,
    /// Which BuildKit release to model: current BuildKit, or the one inside
    /// Docker 20.10 (its history texts, its differ and its parser's lack of
    /// heredocs differ), to compare with a 20.10 engine.
    pub frontend: crate::engine::history_text::BuildkitFrontend,
    /// Who watches the run: a cancelled run stops at the next step or
    /// shell command and leaves no writes behind.
    pub watch: Watch,
}

/// What a cancelled run's error says (the caller that cancelled it
/// usually drops it unseen).
pub const CANCELLED: &str = "build cancelled";

/// The build cache a builder keeps its records in.
fn cache_of(kind: BuilderKind) -> CacheOf {
    match kind {
        BuilderKind::Buildkit => CacheOf::Buildkit,
        BuilderKind::Classic => CacheOf::Classic,
    }
}

/// A failed build: the message the real builder prints, where it points,
/// and the steps that ran before it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildError {
    pub message: String,
    pub span: Option<Span>,
    pub diagnostics: Vec<Diagnostic>,
    pub steps: Vec<StepReport>,
    /// The exit code `docker build` ends with: 1, except that the classic
    /// builder passes on the exit code of a failed RUN.
    pub exit_code: i32,
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BuildError {}

/// Build `dockerfile` (its text) over `context` into `state`, for callers
/// that hold only the text; it is compiled here.
pub fn build(
    state: &mut EngineState,
    dockerfile: &str,
    context: &ContextSnapshot,
    opts: &BuildOptions,
) -> Result<BuildReport, BuildError> {
    build_compiled(state, &compile(dockerfile), context, opts)
}

/// Build a compiled Dockerfile over `context` into `state`: the run's
/// writes are committed, also when it failed (a failed build still fills
/// the cache).
pub fn build_compiled(
    state: &mut EngineState,
    compiled: &Compiled,
    context: &ContextSnapshot,
    opts: &BuildOptions,
) -> Result<BuildReport, BuildError> {
    let mut memo = std::mem::take(&mut state.memo);
    let detached = build_detached(state, &mut memo, compiled, context, opts);
    state.memo = memo;
    if let Some((build, writes)) = detached.writes {
        writes.commit(state, build);
    }
    detached.result
}

/// A build over a store it only reads, whose writes the caller commits
/// (with [`Writes::commit`], as the build number given) or drops: a build
/// run apart from the store's owner. A cancelled run has no writes.
pub fn build_detached(
    state: &EngineState,
    memo: &mut Memo,
    compiled: &Compiled,
    context: &ContextSnapshot,
    opts: &BuildOptions,
) -> Detached {
    let (result, writes) = run(Transaction::begin(state, memo), compiled, context, opts);
    let writes = writes.filter(|_| !opts.watch.cancelled());
    Detached { result, writes }
}

/// A build's report and, unless it stopped before its first step or was
/// cancelled, its writes with the build number they were made under.
#[derive(Debug)]
pub struct Detached {
    pub result: Result<BuildReport, BuildError>,
    pub writes: Option<(u64, Writes)>,
}

/// What `docker build` would do now: the same run as [`build_compiled`]
/// over the same store, whose writes are then dropped — no build number,
/// cache record, image, tag or layer stays. Only `memo` (what runs
/// remember to be faster) is filled.
pub fn preview(
    state: &EngineState,
    memo: &mut Memo,
    compiled: &Compiled,
    context: &ContextSnapshot,
    opts: &BuildOptions,
) -> Preview {
    let (result, writes) = run(Transaction::begin(state, memo), compiled, context, opts);
    Preview {
        result,
        layers: writes.map(|(_, w)| w.layers().clone()).unwrap_or_default(),
    }
}

/// A preview's report, and the files of the layers its steps would make
/// (they exist nowhere else).
#[derive(Debug, Clone)]
pub struct Preview {
    pub result: Result<BuildReport, BuildError>,
    pub layers: BTreeMap<Digest, Arc<LayerChanges>>,
}

/// One run of the builder; its writes (with the build number they were
/// made under) unless it stopped before the first step.
fn run(
    txn: Transaction<'_>,
    compiled: &Compiled,
    context: &ContextSnapshot,
    opts: &BuildOptions,
) -> (Result<BuildReport, BuildError>, Option<(u64, Writes)>) {
    let (file, plan) = match compiled.parsed() {
        Ok(parsed) => parsed,
        Err(d) => {
            let err = BuildError {
                message: format!("failed to parse Dockerfile: {}", d.message()),
                span: Some(d.span),
                diagnostics: vec![d.clone()],
                steps: Vec::new(),
                exit_code: 1,
            };
            return (Err(err), None);
        }
    };
    if let Some(err) = heredocs_unsupported(file, opts) {
        return (Err(err), None);
    }
    // An error only the classic builder makes stops it where it meets it
    // (see `stage`); BuildKit builds past it.
    if let Some(err) = plan.errors().find(|d| !d.kind.classic_only()) {
        let err = BuildError {
            message: format!("failed to parse Dockerfile: {}", err.message()),
            span: Some(err.span),
            diagnostics: plan.diagnostics.clone(),
            steps: Vec::new(),
            exit_code: 1,
        };
        return (Err(err), None);
    }
    let Some(target) = plan.target_index(opts.target.as_deref()) else {
        let err = BuildError {
            message: format!(
                "failed to reach build target {} in Dockerfile",
                opts.target.as_deref().unwrap_or("")
            ),
            span: None,
            diagnostics: plan.diagnostics.clone(),
            steps: Vec::new(),
            exit_code: 1,
        };
        return (Err(err), None);
    };
    let mut run = Run {
        build: txn.build,
        opts,
        plan,
        context,
        txn,
        stages: BTreeMap::new(),
        reports: Vec::new(),
        failed_output: String::new(),
        failed_seconds: 0.0,
        vertices: BTreeMap::new(),
        timeline: timeline::Timeline::default(),
        failures: Vec::new(),
        before_solve: false,
    };
    let result = run.all(file, target);
    if run.before_solve {
        return (result, None);
    }
    let build = run.build;
    (result, Some((build, run.txn.finish())))
}

impl Run<'_> {
    /// Every stage the target needs, then its image.
    fn all(
        &mut self,
        file: &crate::dockerfile::Dockerfile,
        target: usize,
    ) -> Result<BuildReport, BuildError> {
        let opts = self.opts;
        let order = steps::stage_order(self.plan, target, opts.builder);
        let mut numbering = steps::Numbering::new(self.plan, &order, opts.builder);
        if opts.builder == BuilderKind::Classic {
            self.global_arg_steps(&mut numbering);
        }
        let built = order
            .iter()
            .try_for_each(|&stage| self.stage(stage, &mut numbering));
        self.txn.memo.views.sweep();
        if let Err(mut e) = built {
            if self.before_solve && opts.builder == BuilderKind::Buildkit {
                // BuildKit turns the whole Dockerfile into its graph before
                // it solves any of it, so an error there stops the build
                // before its first step (checked on the engine: a RUN
                // before `WORKDIR ${X:?}` neither runs nor is cached).
                e.steps.clear();
                if opts.frontend == crate::engine::history_text::BuildkitFrontend::Docker2010 {
                    e.message = format!("{LLB_FAILED}{}", e.message);
                }
            } else {
                self.before_solve = false;
            }
            return Err(e);
        }
        if let Some(e) = self.settle_failure() {
            return Err(e);
        }
        let Some(result) = self.stages.remove(&target) else {
            return Err(self.fail("the target stage was not built".into(), None));
        };
        let reports = std::mem::take(&mut self.reports);
        let image = result.into_image(opts.builder);
        let history: Vec<HistoryRow> = image.history.iter().rev().cloned().collect();
        let report = BuildReport {
            build: self.build,
            image_id: image.id,
            builder: opts.builder.name().to_string(),
            tags: opts.tags.iter().map(|t| normalize_tag(t)).collect(),
            layer_count: image.layers.len(),
            size: image.size(),
            instructions: BuiltInstruction::list(&file.instructions),
            totals: BuildTotals::of(&reports),
            steps: reports,
            history,
        };
        for tag in &opts.tags {
            self.txn.add_image(image.clone(), Some(tag));
        }
        self.txn.add_image(image, None);
        Ok(report)
    }
}

/// How Docker 20.10's BuildKit words an error of its Dockerfile frontend.
const LLB_FAILED: &str =
    "failed to solve with frontend dockerfile.v0: failed to create LLB definition: ";

/// Docker 20.10's parsers (its classic builder, and its BuildKit frontend
/// without a `# syntax=` line) know no heredocs: they read `RUN <<EOF` as a
/// plain command and the body's first line as the next instruction
/// (recorded: our 57). Current BuildKit reads heredocs.
fn heredocs_unsupported(
    file: &crate::dockerfile::Dockerfile,
    opts: &BuildOptions,
) -> Option<BuildError> {
    let old_parser = opts.builder == BuilderKind::Classic
        || opts.frontend == crate::engine::history_text::BuildkitFrontend::Docker2010;
    if !old_parser {
        return None;
    }
    let ins = file.instructions.iter().find(|i| !i.heredocs.is_empty())?;
    let line = ins.span.line + 1;
    let word = ins.heredocs[0]
        .content
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    let parse_error = format!("dockerfile parse error line {line}: unknown instruction: {word}");
    let message = match opts.builder {
        BuilderKind::Classic => parse_error,
        BuilderKind::Buildkit => format!("{LLB_FAILED}{parse_error}"),
    };
    let span = Span {
        line,
        column: 1,
        ..ins.span
    };
    Some(BuildError {
        diagnostics: vec![Diagnostic::error(
            span,
            DiagnosticKind::HeredocsNeedBuildkit {
                message: message.clone(),
            },
        )],
        message,
        span: Some(span),
        steps: Vec::new(),
        exit_code: 1,
    })
}

/// The state of one stage while it is built.
#[derive(Debug, Clone)]
struct StageState {
    config: RunConfig,
    layers: Vec<LayerInfo>,
    history: Vec<HistoryRow>,
    /// Cache chain: the key (BuildKit) or image id (classic) that the next
    /// step builds on.
    chain: Digest,
    /// The text of a step of this stage that was rebuilt, which every later
    /// step inherits as its reason.
    rebuilt: Option<String>,
    /// Build ARGs in scope: name → value (None: declared without value).
    args: Vec<(String, Option<String>)>,
    /// All ARG names declared in the stage (to name them in reasons).
    arg_names: Vec<String>,
    /// A step ran again only because of `--no-cache` (BuildKit): every
    /// later step runs again on its result.
    ran_without_cache: bool,
    /// A CMD of this stage ran: ENTRYPOINT then keeps it (both builders
    /// drop only a CMD the base image gave).
    cmd_set: bool,
    /// Under the classic builder, the key of the last step's record: the
    /// step image the built image is.
    classic_step: Option<Digest>,
    /// The build in which the last step was made (its history `created`).
    created: u64,
    /// The stage's filesystem: the base's layers and every step's (read
    /// when a step looks, see [`Run::lay_out`]).
    fs: StageFs,
}

impl StageState {
    fn into_image(self, builder: BuilderKind) -> ImageRecord {
        let comment = match builder {
            BuilderKind::Buildkit => Some("buildkit.dockerfile.v0".to_string()),
            BuilderKind::Classic => None,
        };
        let id = image_id(&self.config, &self.layers, &self.history);
        ImageRecord {
            author: None,
            id,
            config: self.config,
            layers: self.layers,
            history: self.history,
            comment,
            classic_step: match builder {
                BuilderKind::Classic => self.classic_step,
                BuilderKind::Buildkit => None,
            },
        }
    }
}

struct Run<'a> {
    build: u64,
    opts: &'a BuildOptions,
    plan: &'a Plan,
    context: &'a ContextSnapshot,
    txn: Transaction<'a>,
    stages: BTreeMap<usize, StageState>,
    reports: Vec<StepReport>,
    /// What the RUN that failed printed, for its step report.
    failed_output: String,
    /// How long the RUN that failed ran, in simulated seconds.
    failed_seconds: f64,
    /// BuildKit: the report of each step key built in this build. BuildKit
    /// solves one graph, so the same operation on the same input in two
    /// stages is one vertex, run and listed once (recorded: our 64).
    vertices: BTreeMap<Digest, usize>,
    /// BuildKit: when each step would have run in the parallel solve.
    timeline: timeline::Timeline,
    /// BuildKit: the steps that failed (by their index in `reports`), each
    /// with its error; the build goes on with what does not wait on them.
    failures: Vec<(usize, BuildError)>,
    /// The error is one BuildKit's frontend meets while it turns the
    /// Dockerfile into a graph, before anything runs: a word that does not
    /// expand, a base image it cannot resolve, a malformed instruction.
    before_solve: bool,
}

impl Run<'_> {
    /// An error of BuildKit's frontend (see `before_solve`); the classic
    /// builder meets it where it is, as any other.
    fn fail_before_solve(&mut self, message: String, span: Option<Span>) -> BuildError {
        self.before_solve = true;
        self.fail(message, span)
    }

    fn fail(&mut self, message: String, span: Option<Span>) -> BuildError {
        BuildError {
            message,
            span,
            diagnostics: self.plan.diagnostics.clone(),
            steps: std::mem::take(&mut self.reports),
            exit_code: 1,
        }
    }

    /// Push the step that failed, with what it printed and how long it ran,
    /// so the report shows where the build stopped.
    fn failed_step(
        &mut self,
        mut e: BuildError,
        stage: Option<String>,
        step: usize,
        of: usize,
        cmd: &Command,
        text: String,
    ) -> BuildError {
        e.steps.push(StepReport {
            stage,
            step,
            of,
            keyword: cmd.keyword().upper(),
            text,
            verdict: Verdict::Miss {
                why: MissReason::Failed {
                    error: e.message.clone(),
                },
            },
            layer: None,
            instruction: cmd.instruction,
            line: cmd.span.line,
            seconds: std::mem::take(&mut self.failed_seconds),
            output: std::mem::take(&mut self.failed_output),
        });
        e
    }

    fn dialect(&self) -> Dialect {
        match self.opts.builder {
            BuilderKind::Buildkit => Dialect::Buildkit,
            BuilderKind::Classic => Dialect::Classic,
        }
    }

    /// Values of the global ARGs (before the first FROM), for FROM lines.
    fn global_args(&self) -> Env {
        let mut env = Env::new();
        for ArgDecl { name, default } in &self.plan.global_args {
            let value = self.build_arg(name).map(str::to_string).or_else(|| {
                default.as_ref().map(|d| {
                    expand::expand_word(d, self.plan.escape, &env)
                        .map(|e| e.value)
                        .unwrap_or_else(|_| d.clone())
                })
            });
            if let Some(v) = value {
                env.set(name.clone(), v);
            }
        }
        env
    }

    fn build_arg(&self, name: &str) -> Option<&str> {
        self.opts
            .build_args
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The classic builder prints each ARG before the first FROM as a step;
    /// it declares a variable for FROM lines and is never cached.
    fn global_arg_steps(&mut self, numbering: &mut steps::Numbering) {
        for cmd in &self.plan.global_commands {
            let (step, of) = numbering.next_global();
            self.reports.push(StepReport {
                stage: None,
                step,
                of,
                keyword: cmd.keyword().upper(),
                text: cmd.text.clone(),
                verdict: Verdict::Miss {
                    why: MissReason::GlobalArg,
                },
                layer: None,
                instruction: cmd.instruction,
                line: cmd.span.line,
                seconds: 0.0,
                output: String::new(),
            });
        }
    }

    fn stage(&mut self, index: usize, numbering: &mut steps::Numbering) -> Result<(), BuildError> {
        let stage = &self.plan.stages[index];
        // The classic builder refuses a stage name already used when it
        // comes to that FROM, the stages before it built (Docker 20.10).
        let refused = self
            .plan
            .errors()
            .find(|d| d.kind.classic_only() && d.span.line == stage.span.line);
        if let (BuilderKind::Classic, Some(d)) = (self.opts.builder, refused) {
            let span = d.span;
            let mut e = self.fail("a stage name already used".into(), Some(span));
            // Docker's own words, not the analyzer's diagnostic.
            e.diagnostics.clear();
            return Err(e);
        }
        let base_stage = self.plan.stage_by_name(&stage.base).filter(|&b| b < index);
        self.timeline.begin_stage(index, base_stage);
        if self.timeline.too_late(self.timeline.next_start(index, &[])) {
            // BuildKit: the stage it is built on failed or stopped.
            self.timeline.stop(index);
            return Ok(());
        }
        let globals = self.global_args();
        let base_ref = expand::expand_word(&stage.base, self.plan.escape, &globals)
            .map(|e| e.value)
            .unwrap_or_else(|_| stage.base.clone());
        let mut st = self.base_state(&base_ref, stage.span)?;
        if numbering.counts_from(index) {
            self.base_step(index, &st, &base_ref, numbering);
        }
        // The base's triggers run first; the new image does not inherit
        // them (both builders clear OnBuild before running them).
        let triggers = std::mem::take(&mut st.config.on_build);
        let triggers = onbuild::trigger_commands(&triggers, stage)
            .map_err(|m| self.fail_before_solve(m, Some(stage.span)))?;
        let all = triggers.iter().map(|c| (c, true));
        let all = all.chain(stage.commands.iter().map(|c| (c, false)));
        for (cmd, trigger) in all {
            if !self.step(index, cmd, &mut st, numbering, trigger)? {
                return Ok(());
            }
        }
        self.stages.insert(index, st);
        Ok(())
    }

    /// One instruction of stage `index`, at its time in BuildKit's parallel
    /// solve. False when the stage goes no further: under BuildKit, its step
    /// failed (the build goes on with the stages that do not wait on it) or
    /// a step elsewhere failed before this one would start.
    fn step(
        &mut self,
        index: usize,
        cmd: &Command,
        st: &mut StageState,
        numbering: &mut steps::Numbering,
        trigger: bool,
    ) -> Result<bool, BuildError> {
        let start = self.timeline.next_start(index, &cmd.stages_read());
        if self.timeline.too_late(start) {
            self.timeline.stop(index);
            return Ok(false);
        }
        let listed = self.reports.len();
        match self.command(index, cmd, st, numbering, trigger, start) {
            Ok(()) => Ok(true),
            // A step of its own failed (and the learner did not cancel
            // the build): the error holds the reports and that step.
            Err(mut e)
                if self.opts.builder == BuilderKind::Buildkit
                    && !self.before_solve
                    && !self.opts.watch.cancelled()
                    && e.steps.len() == listed + 1 =>
            {
                let seconds = e.steps[listed].seconds;
                self.timeline.failed(index, start, seconds, listed);
                self.reports = std::mem::take(&mut e.steps);
                self.failures.push((listed, e));
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// BuildKit, after a failure: the steps the real builder finished stay
    /// listed, those still running are cancelled, those it would have
    /// started later are not listed, and neither leaves a cache record.
    /// The error is the first failure's.
    fn settle_failure(&mut self) -> Option<BuildError> {
        let first =
            (0..self.failures.len()).min_by_key(|&i| self.timeline.end_of(self.failures[i].0))?;
        let (failed, mut e) = self.failures.swap_remove(first);
        let failed_text = limits::quote_cut(&self.reports[failed].text);
        let cache = cache_of(self.opts.builder);
        let mut kept = Vec::new();
        for (i, mut report) in std::mem::take(&mut self.reports).into_iter().enumerate() {
            let outcome = self.timeline.outcome(i);
            if outcome != timeline::Outcome::Finished {
                if let Some(made) = self.timeline.made(i) {
                    self.txn.forget(cache, &made);
                }
            }
            match outcome {
                timeline::Outcome::Finished => kept.push(report),
                timeline::Outcome::Canceled => {
                    // stopped before it committed anything
                    report.layer = None;
                    report.verdict = Verdict::Miss {
                        why: MissReason::Canceled {
                            failed: failed_text.clone(),
                        },
                    };
                    kept.push(report);
                }
                timeline::Outcome::NotStarted => {}
            }
        }
        e.steps = kept;
        Some(e)
    }

    /// The FROM step: never reported as cached by the classic builder, and
    /// BuildKit's own flag is noise (see the recordings' README). BuildKit
    /// has no step at all for `FROM scratch`.
    fn base_step(
        &mut self,
        index: usize,
        st: &StageState,
        base_ref: &str,
        numbering: &mut steps::Numbering,
    ) {
        let stage = &self.plan.stages[index];
        let (step, of) = numbering.next(index);
        self.reports.push(StepReport {
            stage: numbering.label(index),
            step,
            of,
            keyword: "FROM".into(),
            text: stage.text.clone(),
            verdict: Verdict::Base {
                image: base_ref.to_string(),
                layers: st.layers.len(),
                size: st.layers.iter().map(|l| l.size).sum(),
            },
            layer: None,
            instruction: stage.instruction,
            line: stage.span.line,
            seconds: 0.0,
            output: String::new(),
        });
    }

    fn base_state(&mut self, reference: &str, span: Span) -> Result<StageState, BuildError> {
        if let Some(stage) = self.plan.stage_by_name(reference) {
            if let Some(st) = self.stages.get(&stage) {
                let mut st = st.clone();
                st.args.clear();
                st.arg_names.clear();
                st.rebuilt = None;
                return Ok(st);
            }
        }
        let image = match crate::engine::base::resolve(&mut self.txn, reference) {
            Ok(img) => img,
            Err(e) => {
                let message = match self.opts.builder {
                    BuilderKind::Buildkit => e.buildkit,
                    BuilderKind::Classic => e.classic,
                };
                let mut err = self.fail_before_solve(message, Some(span));
                if let Some(hint) = e.hint {
                    err.diagnostics.push(Diagnostic::error(
                        span,
                        DiagnosticKind::BaseImageUnavailable {
                            message: err.message.clone(),
                            hint,
                        },
                    ));
                }
                return Err(err);
            }
        };
        let ImageRecord {
            id,
            mut config,
            layers,
            history,
            ..
        } = image;
        config.ensure_path();
        // The layers are read when a step looks at the files.
        if let Some(missing) = layers.iter().find(|l| !self.txn.has_layer(&l.diff_id)) {
            return Err(self.unreadable(missing.diff_id, "", span));
        }
        let fs = StageFs::of_layers(&layers);
        if self.opts.builder == BuilderKind::Buildkit && reference.eq_ignore_ascii_case("scratch") {
            // BuildKit gives a FROM scratch image WorkingDir `/` (recorded:
            // 23-scratch-two-copies); an imported image without one keeps "".
            config.working_dir = "/".into();
        }
        let key = CacheKey {
            parent: None,
            op: OpInputs::Base {
                reference: normalize_tag(reference),
                image: id,
            },
        };
        Ok(StageState {
            config,
            layers,
            history,
            chain: key.digest(),
            rebuilt: None,
            ran_without_cache: false,
            cmd_set: false,
            classic_step: None,
            args: Vec::new(),
            arg_names: Vec::new(),
            created: 0,
            fs,
        })
    }

    /// The environment a step's words are expanded with: ENV, then ARGs in
    /// scope that ENV does not override.
    fn word_env(st: &StageState) -> Env {
        let mut env = Env::new();
        for (k, v) in &st.args {
            if let Some(v) = v {
                env.set(k.clone(), v.clone());
            }
        }
        for (k, v) in st.config.env_pairs() {
            env.set(k, v);
        }
        env
    }

    fn expand(&mut self, word: &str, st: &StageState, span: Span) -> Result<String, BuildError> {
        let env = Self::word_env(st);
        self.expand_in(word, &env, span)
    }

    /// [`Self::expand`] with the environment already built, for an
    /// instruction that expands many words (one ENV may set thousands).
    fn expand_in(&mut self, word: &str, env: &Env, span: Span) -> Result<String, BuildError> {
        expand::expand_word(word, self.plan.escape, env)
            .map(|e| e.value)
            .map_err(|e| self.expand_failed(word, &e, span))
    }

    /// A word that could not be expanded: BuildKit's message, or — for a
    /// bound of [`limits`] passed — one naming the instruction and its line.
    fn expand_failed(&mut self, word: &str, e: &expand::ExpandError, span: Span) -> BuildError {
        let message = if e.exceeded() {
            limits::in_instruction(&self.keyword_at(span), span.line, &e.message())
        } else {
            e.buildkit_message(word)
        };
        self.fail_before_solve(message, Some(span))
    }

    /// The keyword of the instruction at `span`, as a message names it.
    /// The key and digest a built step's record is stored under: the
    /// probed ones, except for a classic step whose container the daemon
    /// created with another config than the build's (see
    /// [`RunConfig::as_container_created`]); a later probe does not find it.
    fn committed_key(
        &mut self,
        key: CacheKey,
        digest: Digest,
        st: &StageState,
    ) -> (CacheKey, Digest) {
        let created = st.config.as_container_created();
        let OpInputs::Classic {
            created_by, files, ..
        } = &key.op
        else {
            return (key, digest);
        };
        if created == st.config {
            return (key, digest);
        }
        let stored = CacheKey {
            parent: key.parent,
            op: OpInputs::Classic {
                created_by: created_by.clone(),
                config: created.fingerprint(),
                files: files.clone(),
            },
        };
        let stored_digest = self.txn.memo.snapshots.digest(self.context.id(), &stored);
        (stored, stored_digest)
    }

    fn keyword_at(&self, span: Span) -> String {
        let stages = self.plan.stages.iter().flat_map(|s| &s.commands);
        self.plan
            .global_commands
            .iter()
            .chain(stages)
            .find(|c| c.span == span)
            .map_or_else(|| "FROM".to_owned(), |c| c.keyword().upper())
    }

    fn command(
        &mut self,
        stage: usize,
        cmd: &Command,
        st: &mut StageState,
        numbering: &mut steps::Numbering,
        trigger: bool,
        start: u64,
    ) -> Result<(), BuildError> {
        let builder = self.opts.builder;
        // The classic builder runs an ONBUILD trigger without a step line
        // of its own (it prints `# Executing 1 build trigger` under FROM);
        // BuildKit numbers it as a step of the stage, beyond the stage's
        // count (`[stage-1 2/1]`, recorded: our 65).
        let hidden = trigger && builder == BuilderKind::Classic;
        let is_metadata = !matches!(
            cmd.kind,
            CommandKind::Run(_) | CommandKind::Copy(_) | CommandKind::Workdir(_)
        );
        // The classic builder has printed the step when a word of it fails
        // to expand (recorded: our 85); BuildKit stops before any step.
        let classic_step = |run: &mut Self, e: BuildError, numbering: &mut steps::Numbering| {
            if builder != BuilderKind::Classic || hidden {
                return e;
            }
            let (step, of) = numbering.next(stage);
            let label = numbering.label(stage);
            run.failed_step(e, label, step, of, cmd, cmd.text.clone())
        };
        let meta_text = match self.apply_metadata(cmd, st) {
            Ok(text) => text,
            Err(e) => return Err(classic_step(self, e, numbering)),
        };
        if let CommandKind::Workdir(path) = &cmd.kind {
            let p = match self.expand(path, st, cmd.span) {
                Ok(p) => p,
                Err(e) => return Err(classic_step(self, e, numbering)),
            };
            st.config.working_dir = config::join_workdir(&st.config.working_dir, &p);
            // BuildKit makes no mkdir for a WORKDIR that resolves to exactly
            // `/`: no step, no number, no layer, only its history row
            // (recorded: `WORKDIR /` then `WORKDIR app/`, our 90).
            if builder == BuilderKind::Buildkit && st.config.working_dir == "/" {
                let text = crate::engine::history_text::buildkit_workdir("/");
                st.history
                    .push(config::history_row(builder, text, None, st.created));
                return Ok(());
            }
        }
        if !steps::is_step(builder, cmd.keyword()) {
            // BuildKit: metadata only — one history row, no step, no layer.
            if let Some(text) = meta_text {
                st.history
                    .push(config::history_row(builder, text, None, st.created));
            }
            return Ok(());
        }
        let (step, of) = if hidden {
            numbering.current(stage)
        } else {
            numbering.next(stage)
        };
        let label = numbering.label(stage);
        // BuildKit names a RUN, COPY, ADD or WORKDIR step with its
        // variables expanded (`COPY --chown=$U` shows `--chown=5`: our 79).
        let named = matches!(
            cmd.keyword(),
            Keyword::Run | Keyword::Copy | Keyword::Add | Keyword::Workdir
        );
        let shown = if builder == BuilderKind::Buildkit && named {
            let env = Self::word_env(st);
            // Docker 20.10's BuildKit names COPY, ADD and WORKDIR by the whole
            // line processed as one word, quotes removed (`COPY ["a", "/w/"]`
            // shows `COPY [a, /w/]`, checked on the engine; our 95), and a
            // RUN as written but for its variables, as current BuildKit
            // names them all.
            let as_word = self.opts.frontend
                == crate::engine::history_text::BuildkitFrontend::Docker2010
                && cmd.keyword() != Keyword::Run;
            if as_word {
                expand::expand_word(&cmd.text, self.plan.escape, &env)
                    .map_or_else(|_| cmd.text.clone(), |e| e.value)
            } else {
                expand::expand_for_display(&cmd.text, self.plan.escape, &env)
            }
        } else {
            cmd.text.clone()
        };
        if self.opts.watch.cancelled() {
            return Err(self.fail(CANCELLED.into(), Some(cmd.span)));
        }
        if !hidden {
            self.opts.watch.step(&StepStarted {
                stage: label.clone(),
                step,
                of,
                text: shown.clone(),
                seconds_so_far: self.reports.iter().map(|r| r.seconds).sum(),
            });
        }
        let inputs = if is_metadata {
            let text = meta_text.unwrap_or_default();
            StepInputs {
                op: OpInputs::Classic {
                    created_by: text.clone(),
                    config: st.config.fingerprint(),
                    files: Stamps::default(),
                },
                created_by: text,
                effect: Effect::None,
                seconds: 0.0,
            }
        } else {
            match self.step_inputs(cmd, st) {
                Ok(i) => i,
                Err(e) => {
                    let e = self.failed_step(e, label, step, of, cmd, shown);
                    return Err(if hidden { failed_under_from(e) } else { e });
                }
            }
        };
        let key = CacheKey {
            parent: Some(st.chain),
            op: inputs.op,
        };
        let digest = self.txn.memo.snapshots.digest(self.context.id(), &key);
        // `--no-cache`: the classic builder skips every lookup; BuildKit
        // marks only exec and copy operations to ignore the cache (recorded:
        // 05 still reports a first WORKDIR as CACHED), and whatever comes
        // after one of them runs again on its new result (Docker 20.10
        // re-runs a WORKDIR that follows a RUN).
        let ignores_cache = self.opts.no_cache
            && (builder == BuilderKind::Classic
                || st.ran_without_cache
                || matches!(cmd.keyword(), Keyword::Run | Keyword::Copy | Keyword::Add));
        let cache = cache_of(builder);
        let hit = if ignores_cache {
            None
        } else {
            self.txn.cached(cache, &digest).cloned()
        };
        let verdict = match &hit {
            Some(rec) => Verdict::Hit {
                from: rec.built_by.clone(),
            },
            None if ignores_cache => Verdict::Miss {
                why: MissReason::NoCache,
            },
            None => match &st.rebuilt {
                Some(parent) => Verdict::Miss {
                    why: MissReason::ParentRebuilt {
                        parent: parent.clone(),
                    },
                },
                None => Verdict::Miss {
                    why: self
                        .txn
                        .explain_miss(cache, &key, &digest, &cmd.text, &st.arg_names),
                },
            },
        };
        let mut log = String::new();
        let mut extra_seconds = 0.0;
        let (layer, chain, created) = match &hit {
            Some(rec) => {
                if let Some(l) = &rec.layer {
                    // Checked now, read only when a later step looks.
                    if !self.txn.has_layer(&l.diff_id) {
                        return Err(self.unreadable(l.diff_id, " of a cached step", cmd.span));
                    }
                    st.fs.push(l.diff_id);
                }
                (rec.layer.clone(), rec.chain, rec.built_by.build)
            }
            None => {
                let ran = match self.execute(&inputs.effect, st, cmd) {
                    Ok(r) => r,
                    Err(e) => {
                        let e = self.failed_step(e, label, step, of, cmd, shown);
                        return Err(if hidden { failed_under_from(e) } else { e });
                    }
                };
                log = ran.log;
                extra_seconds = ran.seconds;
                let layer = ran.layer;
                let chain = match builder {
                    BuilderKind::Buildkit => digest,
                    // A classic rebuild commits a new image: a fresh id that
                    // nothing was built on yet.
                    BuilderKind::Classic => {
                        Digest::of(format!("{digest} build {}", self.build).as_bytes())
                    }
                };
                (layer, chain, self.build)
            }
        };
        if hit.is_none() {
            let (key, stored) = self.committed_key(key, digest, st);
            self.txn.remember(
                cache,
                stored,
                CacheRecord {
                    key,
                    built_by: StepRef {
                        build: self.build,
                        step,
                        of,
                        stage: label.clone(),
                        text: cmd.text.clone(),
                        // Whole milliseconds: the record is compared and stored.
                        cost_ms: ((inputs.seconds + extra_seconds) * 1000.0).round() as u64,
                    },
                    layer: layer.clone(),
                    chain,
                },
            );
            // BuildKit keys chain on definitions, so a step re-run only
            // because of --no-cache leaves the keys above it unchanged.
            let no_cache_only = builder == BuilderKind::Buildkit
                && matches!(
                    verdict,
                    Verdict::Miss {
                        why: MissReason::NoCache
                    }
                );
            if no_cache_only {
                st.ran_without_cache = true;
            } else {
                st.rebuilt
                    .get_or_insert_with(|| limits::quote_cut(&cmd.text));
            }
        }
        match builder {
            BuilderKind::Buildkit => self.txn.used(digest),
            BuilderKind::Classic => st.classic_step = Some(digest),
        }
        st.chain = chain;
        st.created = created;
        if let Some(l) = &layer {
            st.layers.push(l.clone());
        }
        st.history.push(config::history_row(
            builder,
            inputs.created_by,
            layer.as_ref(),
            created,
        ));
        let seconds = if verdict.cached() {
            0.0
        } else {
            inputs.seconds + extra_seconds
        };
        if builder == BuilderKind::Buildkit {
            if let Some(&earlier) = self.vertices.get(&digest) {
                // The vertex this build already has: its outcome is this
                // step's too. Which stage's name it is listed under follows
                // the graph walk: Docker 20.10's BuildKit mostly shows the
                // later stage (it varies between runs), current BuildKit
                // the first.
                self.timeline.joined(stage, earlier);
                let merged = &mut self.reports[earlier];
                if !merged.verdict.cached() {
                    st.rebuilt.get_or_insert_with(|| cmd.text.clone());
                }
                if self.opts.frontend == crate::engine::history_text::BuildkitFrontend::Docker2010 {
                    merged.stage = label;
                    merged.step = step;
                    merged.of = of;
                }
                return Ok(());
            }
            self.vertices.insert(digest, self.reports.len());
        }
        if hidden {
            return Ok(());
        }
        let made = hit.is_none().then_some(digest);
        let listed = Some((self.reports.len(), made));
        self.timeline.ran(stage, start, seconds, listed);
        self.reports.push(StepReport {
            stage: label,
            step,
            of,
            keyword: cmd.keyword().upper(),
            text: shown,
            verdict,
            layer,
            instruction: cmd.instruction,
            line: cmd.span.line,
            seconds,
            output: log,
        });
        Ok(())
    }

    /// The cache inputs of a RUN, COPY/ADD or WORKDIR step, its history
    /// text, and what it produces on a miss.
    fn step_inputs(&mut self, cmd: &Command, st: &StageState) -> Result<StepInputs, BuildError> {
        use crate::engine::history_text as ht;
        let builder = self.opts.builder;
        let shell = st.config.shell.clone().unwrap_or_default();
        match &cmd.kind {
            CommandKind::Run(run) => {
                let argv = st.config.argv(&run.command);
                self.refuse_mounts(run, cmd)?;
                let mounted = match builder {
                    BuilderKind::Buildkit => self.mount_inputs(run, st, cmd)?,
                    BuilderKind::Classic => mounts::MountInputs::default(),
                };
                let mut key_env = st.config.run_env(&st.args);
                let mut run_env: Vec<(String, String)> = key_env
                    .iter()
                    .map(|kv| {
                        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                        (k.to_string(), v.to_string())
                    })
                    .collect();
                for (k, v) in &mounted.env {
                    if !run_env.iter().any(|(e, _)| e == k) {
                        key_env.push(format!("{k}={v}"));
                        run_env.push((k.clone(), v.clone()));
                    }
                }
                let (op, created_by) = match builder {
                    BuilderKind::Buildkit => {
                        let shown: Vec<(String, String)> = st
                            .args
                            .iter()
                            .map(|(k, v)| {
                                let seen = st
                                    .config
                                    .env
                                    .iter()
                                    .find(|(e, _)| e == k)
                                    .map(|(_, v)| v.clone())
                                    .or_else(|| v.clone())
                                    .unwrap_or_default();
                                (k.clone(), seen)
                            })
                            .collect();
                        (
                            OpInputs::Run {
                                argv: argv.clone(),
                                env: key_env,
                                workdir: st.config.working_dir.clone(),
                                user: st.config.user.clone(),
                                network: run.network.clone(),
                                security: run.security.clone(),
                                mounts: run.mounts.iter().map(|m| m.text.clone()).collect(),
                                mounted: mounted.stamps.into(),
                                heredocs: run
                                    .heredocs
                                    .iter()
                                    .map(|h| (h.name.clone(), h.content.clone()))
                                    .collect(),
                            },
                            ht::buildkit_run(self.opts.frontend, &argv, &shown),
                        )
                    }
                    BuilderKind::Classic => {
                        // dockerd keeps declared ARGs with a value that ENV
                        // does not shadow.
                        let args: Vec<(String, String)> = st
                            .args
                            .iter()
                            .filter(|(k, _)| !st.config.env.iter().any(|(e, _)| e == k))
                            .filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v)))
                            .collect();
                        let text = ht::classic_run(&argv, &args);
                        (
                            OpInputs::Classic {
                                created_by: text.clone(),
                                config: st.config.fingerprint(),
                                files: Stamps::default(),
                            },
                            text,
                        )
                    }
                };
                Ok(StepInputs {
                    op,
                    created_by,
                    effect: Effect::Run(RunEffect {
                        script: heredoc_script(run),
                        argv,
                        env: run_env,
                        mounts: mounted.mounted,
                    }),
                    seconds: 0.0,
                })
            }
            CommandKind::Copy(copy) => self.copy_inputs(cmd, copy, st),
            CommandKind::Workdir(_) => {
                let wd = st.config.working_dir.clone();
                let (op, created_by) = match builder {
                    BuilderKind::Buildkit => (
                        OpInputs::Mkdir {
                            // the mkdir op's path is cleaned: `WORKDIR /app/`
                            // after `WORKDIR /app` is CACHED (our 78)
                            path: crate::engine::gopath::clean(&wd),
                            user: st.config.user.clone(),
                        },
                        ht::buildkit_workdir(&wd),
                    ),
                    BuilderKind::Classic => {
                        let text = ht::classic_workdir(&shell, &wd);
                        (
                            OpInputs::Classic {
                                created_by: text.clone(),
                                config: st.config.fingerprint(),
                                files: Stamps::default(),
                            },
                            text,
                        )
                    }
                };
                Ok(StepInputs {
                    op,
                    created_by,
                    effect: Effect::Mkdir {
                        path: wd,
                        user: st.config.user.clone(),
                    },
                    seconds: 0.1,
                })
            }
            _ => Err(self.fail(
                format!("{} is not a build step", cmd.keyword().upper()),
                Some(cmd.span),
            )),
        }
    }

    /// A filesystem made of these layers, from the layer store.
    fn layers_fs(&mut self, layers: &[LayerInfo], span: Span) -> Result<RootFs, BuildError> {
        let mut changes = Vec::new();
        for l in layers {
            match self.txn.layer(&l.diff_id) {
                Some(c) => changes.push(c),
                None => return Err(self.unreadable(l.diff_id, "", span)),
            }
        }
        Ok(self.txn.memo.views.base(changes))
    }

    /// A stage's filesystem, its layers read now: a step looks at it.
    fn lay_out<'f>(&mut self, fs: &'f StageFs, span: Span) -> Result<&'f RootFs, BuildError> {
        match fs.get(&mut self.txn) {
            Ok(fs) => Ok(fs),
            Err(diff_id) => Err(self.unreadable(diff_id, "", span)),
        }
    }

    /// The error for a layer that could not be read (`which`: whose it
    /// is, in words): its blob is corrupt, or it is not there.
    fn unreadable(&mut self, diff_id: Digest, which: &str, span: Span) -> BuildError {
        let why = self
            .txn
            .unreadable_layer(&diff_id)
            .unwrap_or_else(|| format!("layer {diff_id}{which} is missing from the engine state"));
        self.fail(why, Some(span))
    }
}

/// A step's cache inputs, its history text, and what it does when it runs.
struct StepInputs {
    op: OpInputs,
    created_by: String,
    effect: Effect,
    seconds: f64,
}

/// What a step does to the stage's filesystem when it runs (on a miss).
enum Effect {
    /// Metadata only: no layer.
    None,
    /// COPY/ADD from another filesystem: write these entries.
    Write(Vec<copy::Item>),
    /// COPY/ADD from the build context (and heredocs): resolved and
    /// written when the step runs.
    CopyContext {
        patterns: Vec<String>,
        heredocs: Vec<(String, String)>,
        dest: String,
        add: bool,
        owner: Option<(u32, u32)>,
        chmod: Option<u32>,
    },
    /// WORKDIR: make the directory, owned by the user (looked up in the
    /// stage's `/etc/passwd` only when the step runs).
    Mkdir { path: String, user: String },
    /// RUN: a command in the small shell.
    Run(RunEffect),
}

/// A failed ONBUILD trigger under the classic builder, which runs a base's
/// triggers under the FROM step
/// (`Step 6/8 : FROM b0` then `# Executing 1 build trigger`), so a trigger
/// that fails fails that step and lists none of its own (recorded: our 101).
fn failed_under_from(mut e: BuildError) -> BuildError {
    let Some(trigger) = e.steps.pop() else {
        return e;
    };
    match e
        .steps
        .iter_mut()
        .rev()
        .find(|s| s.stage == trigger.stage && s.step == trigger.step)
    {
        Some(from) => {
            from.verdict = trigger.verdict;
            from.output.push_str(&trigger.output);
        }
        None => e.steps.push(trigger),
    }
    e
}
