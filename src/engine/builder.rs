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
mod steps;

use crate::dockerfile::analyzer::{self, ArgDecl, Command, CommandKind, Plan, ShellOrExec};
use crate::dockerfile::expand::{self, Env};
use crate::dockerfile::Keyword;
use crate::dockerfile::{Diagnostic, Span};
use crate::engine::blob::Blob;
use crate::engine::cache::{BuildCache, CacheRecord};
use crate::engine::cache_key::{CacheKey, FileStamp, OpInputs};
use crate::engine::classic_hash::{
    ClassicSource, ClassicSourceHash, FileContents, SourceEntry, SourceOrigin,
};
use crate::engine::context::{ContextError, ContextSnapshot, Dialect, FileKind};
use crate::engine::digest::Digest;
use crate::engine::report::{
    BuildReport, HistoryRow, LayerInfo, MissReason, StepRef, StepReport, Verdict,
};
use crate::engine::rootfs::{DiffMode, LayerChanges, Node, NodeKind, PathKey, RootFs};
pub use config::{image_id as image_id_of, oci_config, RunConfig};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
pub use steps::{is_step, BuilderKind};

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
}

/// An image the engine knows: imported, built, or from the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageRecord {
    pub id: Digest,
    pub config: RunConfig,
    pub layers: Vec<LayerInfo>,
    /// Oldest first (the order of the config's history).
    pub history: Vec<HistoryRow>,
    /// `buildkit.dockerfile.v0` or `Imported from -` style comment for the
    /// image as a whole; None for classic builds.
    pub comment: Option<String>,
}

impl ImageRecord {
    /// The image config as `docker image inspect` would show it.
    pub fn oci(&self) -> crate::engine::image::ImageConfig {
        config::oci_config(
            &self.config,
            &self.layers,
            &self.history,
            self.comment.as_deref(),
        )
    }

    pub fn size(&self) -> u64 {
        self.layers.iter().map(|l| l.size).sum()
    }
}

/// Everything the engine remembers between builds, like one daemon.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EngineState {
    /// Builds run so far; the next build gets `builds + 1`.
    pub builds: u64,
    pub images: BTreeMap<Digest, ImageRecord>,
    /// `name:tag` → image.
    pub tags: BTreeMap<String, Digest>,
    pub buildkit_cache: BuildCache,
    pub classic_cache: BuildCache,
    /// diff_ids of catalog layers already generated: `reference#index` →
    /// diff_id (computing one means generating the whole tar once).
    #[serde(default)]
    pub catalog_layers: BTreeMap<String, Digest>,
    /// The reverse: which catalog layer a diff_id was generated from.
    #[serde(default)]
    pub catalog_sources: BTreeMap<Digest, String>,
    /// Where a persisted layer's files are: diff_id → blob holding its tar.
    #[serde(default)]
    pub layer_blobs: BTreeMap<Digest, Digest>,
    /// Small context files already read, by content digest.
    #[serde(skip)]
    pub file_cache: copy::FileCache,
    /// Every layer's files, by diff_id.
    #[serde(skip)]
    pub layers: crate::engine::layers::LayerStore,
}

impl EngineState {
    /// An image by reference (`busybox` means `busybox:latest`) or id.
    pub fn image(&self, reference: &str) -> Option<&ImageRecord> {
        if let Ok(d) = reference.parse::<Digest>() {
            return self.images.get(&d);
        }
        self.tags
            .get(&normalize_tag(reference))
            .and_then(|id| self.images.get(id))
    }

    /// Store an image and point `tag` at it.
    pub fn tag_image(&mut self, image: ImageRecord, tag: &str) {
        self.tags.insert(normalize_tag(tag), image.id);
        self.images.insert(image.id, image);
    }

    /// A layer's files: from the layer store, or regenerated from the
    /// catalog.
    pub fn layer(
        &mut self,
        diff_id: &Digest,
    ) -> Option<std::sync::Arc<crate::engine::rootfs::LayerChanges>> {
        if let Some(l) = self.layers.get(diff_id) {
            return Some(l);
        }
        let key = self.catalog_sources.get(diff_id)?;
        let changes = crate::engine::base::catalog_layer(key)?;
        self.layers
            .insert_known(*diff_id, std::sync::Arc::clone(&changes));
        Some(changes)
    }

    fn cache_mut(&mut self, kind: BuilderKind) -> &mut BuildCache {
        match kind {
            BuilderKind::Buildkit => &mut self.buildkit_cache,
            BuilderKind::Classic => &mut self.classic_cache,
        }
    }
}

/// `busybox` → `busybox:latest`; `docker.io/library/x` → `x`.
pub fn normalize_tag(reference: &str) -> String {
    let r = reference
        .trim_start_matches("docker.io/")
        .trim_start_matches("library/");
    let last = r.rsplit('/').next().unwrap_or(r);
    if last.contains(':') || r.contains('@') {
        r.to_string()
    } else {
        format!("{r}:latest")
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

/// Build `dockerfile` (its text) over `context` into `state`.
pub fn build(
    state: &mut EngineState,
    dockerfile: &str,
    context: &ContextSnapshot,
    opts: &BuildOptions,
) -> Result<BuildReport, BuildError> {
    let file = crate::dockerfile::parse(dockerfile).map_err(|d| BuildError {
        message: format!("failed to parse Dockerfile: {}", d.message),
        span: Some(d.span),
        diagnostics: vec![d],
        steps: Vec::new(),
        exit_code: 1,
    })?;
    if let Some(err) = heredocs_unsupported(&file, opts) {
        return Err(err);
    }
    let plan = analyzer::analyze(&file);
    if let Some(err) = plan.errors().next() {
        return Err(BuildError {
            message: format!("failed to parse Dockerfile: {}", err.message),
            span: Some(err.span),
            diagnostics: plan.diagnostics.clone(),
            steps: Vec::new(),
            exit_code: 1,
        });
    }
    let target = match plan.target_index(opts.target.as_deref()) {
        Some(t) => t,
        None => {
            return Err(BuildError {
                message: format!(
                    "failed to reach build target {} in Dockerfile",
                    opts.target.as_deref().unwrap_or("")
                ),
                span: None,
                diagnostics: plan.diagnostics,
                steps: Vec::new(),
                exit_code: 1,
            })
        }
    };
    state.builds += 1;
    let mut run = Run {
        build: state.builds,
        opts,
        plan: &plan,
        context,
        state,
        stages: BTreeMap::new(),
        reports: Vec::new(),
        failed_output: String::new(),
    };
    let order = steps::stage_order(&plan, target, opts.builder);
    let numbering = steps::Numbering::new(&plan, &order, opts.builder);
    let mut numbering = numbering;
    if opts.builder == BuilderKind::Classic {
        run.global_arg_steps(&mut numbering);
    }
    for &stage in &order {
        run.stage(stage, &mut numbering)?;
    }
    let Some(result) = run.stages.remove(&target) else {
        return Err(run.fail("the target stage was not built".into(), None));
    };
    let reports = std::mem::take(&mut run.reports);
    let build_no = run.build;
    let image = result.into_image(opts.builder);
    let history: Vec<HistoryRow> = image.history.iter().rev().cloned().collect();
    let report = BuildReport {
        build: build_no,
        image_id: image.id,
        builder: opts.builder.name().to_string(),
        tags: opts.tags.iter().map(|t| normalize_tag(t)).collect(),
        layer_count: image.layers.len(),
        size: image.size(),
        steps: reports,
        history,
    };
    for tag in &opts.tags {
        state.tag_image(image.clone(), tag);
    }
    state.images.insert(image.id, image);
    Ok(report)
}

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
        BuilderKind::Buildkit => format!(
            "failed to solve with frontend dockerfile.v0: failed to create LLB definition: {parse_error}"
        ),
    };
    let span = Span {
        line,
        column: 1,
        ..ins.span
    };
    Some(BuildError {
        diagnostics: vec![Diagnostic::error(span, message.clone()).with_help(
            "heredocs need current BuildKit (`--builder buildkit`); the classic builder reads the body as instructions",
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
    /// The build in which the last step was made (its history `created`).
    created: u64,
    /// The stage's filesystem: the base's layers and every step's.
    fs: RootFs,
}

impl StageState {
    fn into_image(self, builder: BuilderKind) -> ImageRecord {
        let comment = match builder {
            BuilderKind::Buildkit => Some("buildkit.dockerfile.v0".to_string()),
            BuilderKind::Classic => None,
        };
        let id = config::image_id(&self.config, &self.layers, &self.history);
        ImageRecord {
            id,
            config: self.config,
            layers: self.layers,
            history: self.history,
            comment,
        }
    }
}

struct Run<'a> {
    build: u64,
    opts: &'a BuildOptions,
    plan: &'a Plan,
    context: &'a ContextSnapshot,
    state: &'a mut EngineState,
    stages: BTreeMap<usize, StageState>,
    reports: Vec<StepReport>,
    /// What the RUN that failed printed, for its step report.
    failed_output: String,
}

impl Run<'_> {
    fn fail(&mut self, message: String, span: Option<Span>) -> BuildError {
        BuildError {
            message,
            span,
            diagnostics: self.plan.diagnostics.clone(),
            steps: std::mem::take(&mut self.reports),
            exit_code: 1,
        }
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
        let globals = self.global_args();
        let base_ref = expand::expand_word(&stage.base, self.plan.escape, &globals)
            .map(|e| e.value)
            .unwrap_or_else(|_| stage.base.clone());
        let mut st = self.base_state(&base_ref, stage.span)?;
        if numbering.counts_from(index) {
            self.base_step(index, &st, &base_ref, numbering);
        }
        for cmd in &stage.commands {
            self.command(index, cmd, &mut st, numbering)?;
        }
        self.stages.insert(index, st);
        Ok(())
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
        let image = match crate::engine::base::resolve(self.state, reference) {
            Ok(img) => img,
            Err(e) => {
                let message = match self.opts.builder {
                    BuilderKind::Buildkit => e.buildkit,
                    BuilderKind::Classic => e.classic,
                };
                let mut err = self.fail(message, Some(span));
                if let Some(h) = e.hint {
                    err.diagnostics
                        .push(Diagnostic::error(span, err.message.clone()).with_help(h));
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
        let fs = self.layers_fs(&layers, span)?;
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
        expand::expand_word(word, self.plan.escape, &env)
            .map(|e| e.value)
            .map_err(|e| {
                let msg = e.buildkit_message(word);
                self.fail(msg, Some(span))
            })
    }

    /// Apply a metadata instruction to the stage's config and return its
    /// history text for this builder (`None`: not metadata, or no row, as
    /// for BuildKit's ONBUILD).
    fn apply_metadata(
        &mut self,
        cmd: &Command,
        st: &mut StageState,
    ) -> Result<Option<String>, BuildError> {
        use crate::engine::history_text::{self as ht, MetadataInstruction as M};
        let shell_before = st.config.shell.clone().unwrap_or_default();
        let meta_args;
        let pairs_buf: Vec<(String, String)>;
        let words: Vec<String>;
        let health;
        let text_buf: String;
        let instruction = match &cmd.kind {
            CommandKind::Arg(decls) => {
                meta_args = self.arg(decls, st, cmd.span)?;
                M::Arg(&meta_args)
            }
            CommandKind::Env(pairs) | CommandKind::Label(pairs) => {
                let is_env = matches!(cmd.kind, CommandKind::Env(_));
                let mut out = Vec::new();
                for (k, v) in pairs {
                    let k = self.expand(k, st, cmd.span)?;
                    let v = self.expand(v, st, cmd.span)?;
                    if is_env {
                        st.config.set_env(&k, &v);
                    } else {
                        st.config.labels.insert(k.clone(), v.clone());
                    }
                    out.push((k, v));
                }
                pairs_buf = out;
                if is_env {
                    M::Env(&pairs_buf)
                } else {
                    M::Label(&pairs_buf)
                }
            }
            CommandKind::User(u) => {
                text_buf = self.expand(u, st, cmd.span)?;
                st.config.user = text_buf.clone();
                M::User(&text_buf)
            }
            CommandKind::Cmd(c) => {
                words = st.config.argv(c);
                st.config.cmd = Some(words.clone());
                M::Cmd(&words)
            }
            CommandKind::Entrypoint(c) => {
                words = st.config.argv(c);
                st.config.entrypoint = Some(words.clone());
                // Docker drops a CMD inherited from the base when ENTRYPOINT is set.
                st.config.cmd_reset_by_entrypoint();
                M::Entrypoint(&words)
            }
            CommandKind::Expose(ports) => {
                let env = Self::word_env(st);
                let mut out = Vec::new();
                for p in ports {
                    match expand::expand_words(p, self.plan.escape, &env) {
                        Ok(w) => out.extend(w),
                        Err(e) => return Err(self.fail(e.buildkit_message(p), Some(cmd.span))),
                    }
                }
                for w in &out {
                    st.config.expose(w);
                }
                // The classic builder prints the ports it parsed, sorted
                // (`EXPOSE 53/udp 8080/tcp`).
                if self.opts.builder == BuilderKind::Classic {
                    out = out.iter().map(|p| config::port_proto(p)).collect();
                    out.sort();
                    out.dedup();
                }
                words = out;
                M::Expose(&words)
            }
            CommandKind::Volume(vols) => {
                let mut out = Vec::new();
                for v in vols {
                    out.push(self.expand(v, st, cmd.span)?);
                }
                st.config.volumes.extend(out.iter().cloned());
                words = out;
                M::Volume(&words)
            }
            CommandKind::StopSignal(sig) => {
                text_buf = self.expand(sig, st, cmd.span)?;
                st.config.stop_signal = Some(text_buf.clone());
                M::StopSignal(&text_buf)
            }
            CommandKind::Healthcheck(h) => {
                health = match st.config.set_healthcheck(h) {
                    Ok(h) => h,
                    Err(m) => return Err(self.fail(m, Some(cmd.span))),
                };
                M::Healthcheck(&health)
            }
            CommandKind::Shell(sh) => {
                st.config.shell = Some(sh.clone());
                M::Shell(sh)
            }
            CommandKind::Onbuild(t) => {
                st.config.on_build.push(t.clone());
                M::Onbuild(t)
            }
            CommandKind::Maintainer(m) => {
                text_buf = self.expand(m, st, cmd.span)?;
                M::Maintainer(&text_buf)
            }
            CommandKind::Run(_) | CommandKind::Copy(_) | CommandKind::Workdir(_) => {
                return Ok(None)
            }
        };
        Ok(match self.opts.builder {
            BuilderKind::Buildkit => ht::buildkit_metadata(self.opts.frontend, &instruction),
            BuilderKind::Classic => Some(ht::classic_metadata(&shell_before, &instruction)),
        })
    }

    fn command(
        &mut self,
        stage: usize,
        cmd: &Command,
        st: &mut StageState,
        numbering: &mut steps::Numbering,
    ) -> Result<(), BuildError> {
        let builder = self.opts.builder;
        let is_metadata = !matches!(
            cmd.kind,
            CommandKind::Run(_) | CommandKind::Copy(_) | CommandKind::Workdir(_)
        );
        let meta_text = self.apply_metadata(cmd, st)?;
        if let CommandKind::Workdir(path) = &cmd.kind {
            let p = self.expand(path, st, cmd.span)?;
            st.config.working_dir = config::join_workdir(&st.config.working_dir, &p);
        }
        if !steps::is_step(builder, cmd.keyword()) {
            // BuildKit: metadata only — one history row, no step, no layer.
            if let Some(text) = meta_text {
                st.history
                    .push(config::history_row(builder, text, None, st.created));
            }
            return Ok(());
        }
        let (step, of) = numbering.next(stage);
        let label = numbering.label(stage);
        // BuildKit names a RUN step with its variables expanded.
        let shown = if builder == BuilderKind::Buildkit && cmd.keyword() == Keyword::Run {
            expand::expand_for_display(&cmd.text, self.plan.escape, &Self::word_env(st))
        } else {
            cmd.text.clone()
        };
        let inputs = if is_metadata {
            let text = meta_text.unwrap_or_default();
            StepInputs {
                op: OpInputs::Classic {
                    created_by: text.clone(),
                    config: st.config.fingerprint(),
                    files: Vec::new(),
                },
                created_by: text,
                effect: Effect::None,
                seconds: 0.0,
            }
        } else {
            match self.step_inputs(cmd, st) {
                Ok(i) => i,
                Err(e) => return Err(failed_step(e, label, step, of, cmd, shown, String::new())),
            }
        };
        let key = CacheKey {
            parent: Some(st.chain),
            op: inputs.op,
        };
        let digest = key.digest();
        // `--no-cache`: the classic builder skips every lookup; BuildKit
        // marks only exec and copy operations to ignore the cache (recorded:
        // 05 still reports WORKDIR as CACHED).
        let ignores_cache = self.opts.no_cache
            && (builder == BuilderKind::Classic
                || matches!(cmd.keyword(), Keyword::Run | Keyword::Copy | Keyword::Add));
        let cache = self.state.cache_mut(builder);
        let hit = if ignores_cache {
            None
        } else {
            cache.get(&digest).cloned()
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
                    why: cache.explain_miss(&key, &cmd.text, &st.arg_names),
                },
            },
        };
        let mut log = String::new();
        let mut extra_seconds = 0.0;
        let (layer, chain, created) = match &hit {
            Some(rec) => {
                if let Some(l) = &rec.layer {
                    let Some(changes) = self.state.layer(&l.diff_id) else {
                        return Err(self.fail(
                            format!(
                                "layer {} of a cached step is missing from the engine state",
                                l.diff_id
                            ),
                            Some(cmd.span),
                        ));
                    };
                    st.fs = std::mem::take(&mut st.fs).with_layer(changes);
                }
                (rec.layer.clone(), rec.chain, rec.built_by.build)
            }
            None => {
                let ran = match self.execute(&inputs.effect, st, cmd) {
                    Ok(r) => r,
                    Err(e) => {
                        let log = std::mem::take(&mut self.failed_output);
                        return Err(failed_step(e, label, step, of, cmd, shown, log));
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
            self.state.cache_mut(builder).insert(
                digest,
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
            if !no_cache_only {
                st.rebuilt.get_or_insert_with(|| cmd.text.clone());
            }
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

    /// Run a step's effect on the stage's filesystem and store the layer it
    /// makes. The classic builder commits no layer for a step that changed
    /// nothing; BuildKit keeps it. A failure comes with the step's output.
    fn execute(
        &mut self,
        effect: &Effect,
        st: &mut StageState,
        cmd: &Command,
    ) -> Result<Executed, BuildError> {
        // Current BuildKit's differ leaves out files rewritten with the
        // same content (recorded: 03 on BuildKit HEAD); overlay2 under the
        // classic builder, and Docker 20.10's BuildKit, keep them.
        let mode = match (self.opts.builder, self.opts.frontend) {
            (BuilderKind::Buildkit, crate::engine::history_text::BuildkitFrontend::Head) => {
                DiffMode::ContentCompare
            }
            _ => DiffMode::CopyUp,
        };
        let mut fs = st.fs.clone();
        fs.set_now(self.clock());
        let mut ran = Executed::default();
        let done = match effect {
            Effect::None => return Ok(ran),
            Effect::Write(items) => copy::write_items(&mut fs, items),
            Effect::CopyContext {
                patterns,
                heredocs,
                dest,
                add,
                owner,
                chmod,
            } => {
                let mut items = self.context_items(patterns, dest, *add, &fs, cmd)?;
                let into_dir = copy::dest_is_dir(&fs, dest, patterns.len());
                for (name, body) in heredocs {
                    items.push(copy::Item {
                        key_path: format!("<<{name}"),
                        target: copy::target_for(dest, into_dir, name),
                        node: Node::file(Blob::from(body.as_str()), 0o644, 0, 0),
                    });
                }
                copy::set_owner_and_mode(&mut items, *owner, *chmod);
                copy::write_items(&mut fs, &items)
            }
            Effect::Mkdir { path, uid, gid } => {
                if fs.stat(path).is_ok_and(|n| n.is_dir()) {
                    Ok(())
                } else {
                    fs.mkdir_all(path, 0o755, *uid, *gid)
                }
            }
            Effect::Run(run) => {
                let (log, seconds) = self.run_step(run, &mut fs, st, cmd)?;
                ran.log = log;
                ran.seconds = seconds;
                Ok(())
            }
        };
        if let Err(e) = done {
            let e = self.fail(
                format!("{} failed: {e}", cmd.keyword().upper()),
                Some(cmd.span),
            );
            return Err(e);
        }
        let (fs, changes) = fs.commit(mode);
        let changes = self.without_volume_writes(changes, effect, st);
        if changes.is_empty() && self.opts.builder == BuilderKind::Classic {
            return Ok(ran);
        }
        st.fs = fs;
        match self.state.layers.put(changes) {
            Ok(info) => {
                ran.layer = Some(info);
                Ok(ran)
            }
            Err(e) => {
                let e = self.fail(
                    format!("cannot write the layer of `{}`: {e}", cmd.text),
                    Some(cmd.span),
                );
                Err(e)
            }
        }
    }

    /// The classic builder runs each RUN in a container whose `VOLUME`
    /// directories are volumes: what the command writes there is not part
    /// of the committed layer. BuildKit keeps it.
    fn without_volume_writes(
        &self,
        changes: Arc<LayerChanges>,
        effect: &Effect,
        st: &StageState,
    ) -> Arc<LayerChanges> {
        if self.opts.builder != BuilderKind::Classic
            || !matches!(effect, Effect::Run(_))
            || st.config.volumes.is_empty()
        {
            return changes;
        }
        let mut kept = (*changes).clone();
        for v in &st.config.volumes {
            if let Some(key) = PathKey::parse_lexical(v.trim_start_matches('/')) {
                kept.remove_subtree(&key);
                kept.remove(&key);
            }
        }
        Arc::new(kept)
    }

    /// The simulated clock of this build: what `date` prints and new files
    /// are stamped with.
    fn clock(&self) -> i64 {
        SIMULATED_EPOCH + i64::try_from(self.build).unwrap_or(0) * 60
    }

    /// RUN: the command in the stage's filesystem with the step's
    /// environment, working directory and user. Returns its output and the
    /// simulated seconds it took.
    fn run_step(
        &mut self,
        run: &RunEffect,
        fs: &mut RootFs,
        st: &StageState,
        cmd: &Command,
    ) -> Result<(String, f64), BuildError> {
        use crate::engine::history_text::BuildkitFrontend;
        let command_line = run.argv.join(" ");
        let builder = self.opts.builder;
        let frontend = self.opts.frontend;
        let failure = |why: &str| -> String {
            match (builder, frontend) {
                (BuilderKind::Classic, _) => why.to_string(),
                (BuilderKind::Buildkit, BuildkitFrontend::Docker2010) => {
                    format!("executor failed running [{command_line}]: {why}")
                }
                (BuilderKind::Buildkit, BuildkitFrontend::Head) => {
                    format!("process \"{command_line}\" did not complete successfully: {why}")
                }
            }
        };
        let user = if st.config.user.is_empty() {
            crate::shell::User::root()
        } else {
            // BuildKit 0.8 looks every user up in /etc/passwd, numeric or
            // not (recorded: our 56); the classic builder and current
            // BuildKit accept a uid nobody is named for.
            let strict =
                builder == BuilderKind::Buildkit && frontend == BuildkitFrontend::Docker2010;
            let name = st.config.user.split(':').next().unwrap_or("").to_string();
            let no_passwd = fs.read_file("/etc/passwd").is_err();
            match crate::shell::User::resolve(&st.config.user, fs) {
                Ok(_) if strict && no_passwd => {
                    let why = format!("unable to find user {name}: invalid argument");
                    return Err(self.fail(failure(&why), Some(cmd.span)));
                }
                Ok(u) => u,
                Err(e) => {
                    let why = match builder {
                        BuilderKind::Classic => e.to_string(),
                        BuilderKind::Buildkit => {
                            format!("unable to find user {name}: invalid argument")
                        }
                    };
                    return Err(self.fail(failure(&why), Some(cmd.span)));
                }
            }
        };
        let mut ctx = crate::shell::ExecContext::new(fs);
        ctx.env = run.env.clone();
        ctx.cwd = if st.config.working_dir.is_empty() {
            "/".to_string()
        } else {
            st.config.working_dir.clone()
        };
        ctx.user = user;
        let result = match &run.script {
            Some(script) => crate::shell::run(script, &mut ctx),
            None => crate::shell::run_argv(&run.argv, &mut ctx),
        };
        let mut log = String::from_utf8_lossy(&result.stdout).into_owned();
        log.push_str(&String::from_utf8_lossy(&result.stderr));
        if result.exit_code != 0 {
            let code = result.exit_code;
            let message = match builder {
                BuilderKind::Classic => {
                    format!("The command '{command_line}' returned a non-zero code: {code}")
                }
                BuilderKind::Buildkit => failure(&format!("exit code: {code}")),
            };
            let mut e = self.fail(message, Some(cmd.span));
            if builder == BuilderKind::Classic {
                e.exit_code = code;
            }
            // The failed step shows what the command printed.
            self.failed_output = log;
            return Err(e);
        }
        // A command's own cost plus what it slept and what its package
        // manager spent, on the simulated clock.
        let seconds = 0.2 + result.simulated_seconds();
        Ok((log, seconds))
    }

    /// Declare ARGs in the stage; returns them as the builder's history
    /// shows them: the effective value (BuildKit HEAD) or the Dockerfile's
    /// default as written (classic).
    fn arg(
        &mut self,
        decls: &[ArgDecl],
        st: &mut StageState,
        span: Span,
    ) -> Result<Vec<(String, Option<String>)>, BuildError> {
        let globals = self.global_args();
        let mut shown = Vec::new();
        for d in decls {
            let default = match &d.default {
                Some(def) => Some(self.expand(def, st, span)?),
                None => None,
            };
            let value = match self.build_arg(&d.name) {
                Some(v) => Some(v.to_string()),
                // A bare ARG inside a stage inherits the global default.
                None => default
                    .clone()
                    .or_else(|| globals.get(&d.name).map(str::to_string)),
            };
            // BuildKit HEAD prints the value in effect; the classic
            // builder and Docker 20.10's BuildKit the default as written.
            let head = self.opts.builder == BuilderKind::Buildkit
                && self.opts.frontend == crate::engine::history_text::BuildkitFrontend::Head;
            let explicit = d.default.is_some() || self.build_arg(&d.name).is_some();
            shown.push(if head {
                (d.name.clone(), value.clone().filter(|_| explicit))
            } else {
                (d.name.clone(), d.default.clone())
            });
            st.args.retain(|(k, _)| k != &d.name);
            st.args.push((d.name.clone(), value));
            if !st.arg_names.contains(&d.name) {
                st.arg_names.push(d.name.clone());
            }
        }
        Ok(shown)
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
                let run_env: Vec<(String, String)> = st
                    .config
                    .run_env(&st.args)
                    .into_iter()
                    .map(|kv| {
                        let (k, v) = kv.split_once('=').unwrap_or((&kv, ""));
                        (k.to_string(), v.to_string())
                    })
                    .collect();
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
                                env: st.config.run_env(&st.args),
                                workdir: st.config.working_dir.clone(),
                                user: st.config.user.clone(),
                                network: run.network.clone(),
                                security: run.security.clone(),
                                mounts: run.mounts.clone(),
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
                                files: Vec::new(),
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
                            path: wd.clone(),
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
                                files: Vec::new(),
                            },
                            text,
                        )
                    }
                };
                let (uid, gid) = copy::parse_chown(&st.fs, &st.config.user).unwrap_or((0, 0));
                Ok(StepInputs {
                    op,
                    created_by,
                    effect: Effect::Mkdir {
                        path: wd,
                        uid: if st.config.user.is_empty() { 0 } else { uid },
                        gid: if st.config.user.is_empty() { 0 } else { gid },
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

    fn copy_inputs(
        &mut self,
        cmd: &Command,
        copy: &analyzer::Copy,
        st: &StageState,
    ) -> Result<StepInputs, BuildError> {
        use crate::engine::history_text as ht;
        let mut patterns = Vec::new();
        for s in &copy.sources {
            patterns.push(self.expand(s, st, cmd.span)?);
        }
        if self.opts.builder == BuilderKind::Classic {
            let unsupported = [
                ("chmod", copy.chmod.is_some()),
                ("link", copy.link),
                ("parents", copy.parents),
                ("exclude", !copy.excludes.is_empty()),
            ];
            if let Some((flag, _)) = unsupported.iter().find(|(_, used)| *used) {
                return Err(self.fail(
                    format!("the --{flag} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled"),
                    Some(cmd.span),
                ));
            }
        }
        if let Some(url) = patterns.iter().find(|p| {
            p.starts_with("http://") || p.starts_with("https://") || p.starts_with("git@")
        }) {
            return Err(self.fail(
                format!("{url}: layerlab works offline and cannot download remote sources"),
                Some(cmd.span),
            ));
        }
        let dest_raw = self.expand(&copy.dest, st, cmd.span)?;
        let dest = config::copy_dest(&st.config.working_dir, &dest_raw);
        let keyword = if copy.add { "ADD" } else { "COPY" };
        let owner = match &copy.chown {
            Some(spec) => {
                let spec = self.expand(spec, st, cmd.span)?;
                match copy::parse_chown(&st.fs, &spec) {
                    Ok(o) => Some(o),
                    Err(m) => return Err(self.fail(m, Some(cmd.span))),
                }
            }
            None => None,
        };
        let heredocs = self.heredoc_files(copy, st, cmd)?;
        let chmod = match &copy.chmod {
            Some(spec) => match copy::parse_chmod(spec) {
                Ok(m) => Some(m),
                Err(m) => return Err(self.fail(m, Some(cmd.span))),
            },
            None => None,
        };
        let (source, files, effect, classic_hash) = match (&copy.from, copy.from_stage) {
            (None, _) => {
                let mut files = self.context_files(&patterns, cmd)?;
                files.extend(heredocs.iter().map(|(name, body)| FileStamp {
                    path: format!("<<{name}"),
                    kind: "file".into(),
                    mode: 0o644,
                    uid: 0,
                    gid: 0,
                    size: body.len() as u64,
                    content: Digest::of(body.as_bytes()).to_string(),
                }));
                let hash = match self.opts.builder {
                    BuilderKind::Classic => Some(self.classic_context_hash(&patterns, cmd)?),
                    BuilderKind::Buildkit => None,
                };
                // The files are written only if the step runs: a cache hit
                // never touches the stage's filesystem.
                let effect = Effect::CopyContext {
                    patterns: patterns.clone(),
                    heredocs,
                    dest: dest.clone(),
                    add: copy.add,
                    owner,
                    chmod,
                };
                ("context".to_string(), files, effect, hash)
            }
            (Some(from), stage) => {
                let (label, fs) = match stage {
                    Some(i) => match self.stages.get(&i) {
                        Some(s) => (format!("stage {from}"), s.fs.clone()),
                        None => {
                            return Err(
                                self.fail(format!("stage {from} was not built"), Some(cmd.span))
                            )
                        }
                    },
                    None => {
                        let img = self.expand(from, st, cmd.span)?;
                        match self.image_fs(&img, cmd.span) {
                            Ok(fs) => (format!("image {img}"), fs),
                            Err(e) => return Err(e),
                        }
                    }
                };
                let (mut items, hash) = self.fs_items(&fs, &patterns, &dest, st, cmd)?;
                let mut files = Vec::new();
                for item in &items {
                    match copy::stamp(item) {
                        Ok(s) => files.push(s),
                        Err(e) => return Err(self.fail(e.to_string(), Some(cmd.span))),
                    }
                }
                copy::set_owner_and_mode(&mut items, owner, chmod);
                (label, files, Effect::Write(items), hash)
            }
        };
        let bytes: u64 = files.iter().map(|f| f.size).sum();
        let (op, created_by) = match self.opts.builder {
            BuilderKind::Buildkit => {
                let heredocs: Vec<String> = copy.heredocs.iter().map(|h| h.name.clone()).collect();
                let sources: Vec<String> = patterns
                    .iter()
                    .filter(|p| !p.starts_with("<<"))
                    .cloned()
                    .collect();
                let flags = ht::CopyFlags {
                    parents: copy.parents,
                    chown: copy.chown.as_deref(),
                    chmod: copy.chmod.as_deref(),
                };
                (
                    OpInputs::Copy {
                        add: copy.add,
                        source,
                        patterns: patterns.clone(),
                        files,
                        dest: dest.clone(),
                        chown: copy.chown.clone(),
                        chmod: copy.chmod.clone(),
                        link: copy.link,
                        parents: copy.parents,
                        excludes: copy.excludes.clone(),
                    },
                    ht::buildkit_copy(
                        self.opts.frontend,
                        keyword,
                        &flags,
                        &sources,
                        &heredocs,
                        &dest_raw,
                    ),
                )
            }
            BuilderKind::Classic => {
                let shell = st.config.shell.clone().unwrap_or_default();
                let text = match &classic_hash {
                    Some(h) => {
                        ht::classic_copy(keyword, copy.chown.as_deref(), h, &dest_raw, &shell)
                    }
                    None => format!(
                        "{} #(nop) {keyword} from {source} in {dest_raw} ",
                        shell_words(&shell)
                    ),
                };
                (
                    OpInputs::Classic {
                        created_by: text.clone(),
                        config: st.config.fingerprint(),
                        files,
                    },
                    text,
                )
            }
        };
        Ok(StepInputs {
            op,
            created_by,
            effect,
            // Simulated time: a fixed start-up plus the bytes at 50 MB/s.
            seconds: 0.05 + bytes as f64 / 50e6,
        })
    }

    /// The filesystem of an image named by `COPY --from=IMAGE`.
    fn image_fs(&mut self, reference: &str, span: Span) -> Result<RootFs, BuildError> {
        let image = match crate::engine::base::resolve(self.state, reference) {
            Ok(i) => i,
            Err(e) => {
                let m = match self.opts.builder {
                    BuilderKind::Buildkit => e.buildkit,
                    BuilderKind::Classic => e.classic,
                };
                return Err(self.fail(m, Some(span)));
            }
        };
        self.layers_fs(&image.layers, span)
    }

    /// A filesystem made of these layers, from the layer store.
    fn layers_fs(&mut self, layers: &[LayerInfo], span: Span) -> Result<RootFs, BuildError> {
        let mut changes = Vec::new();
        for l in layers {
            match self.state.layer(&l.diff_id) {
                Some(c) => changes.push(c),
                None => {
                    return Err(self.fail(
                        format!("layer {} is missing from the engine state", l.diff_id),
                        Some(span),
                    ))
                }
            }
        }
        Ok(RootFs::from_layers(changes))
    }

    /// `COPY <<EOF /file`: each heredoc's name and body (expanded unless
    /// its delimiter was quoted).
    fn heredoc_files(
        &mut self,
        copy: &analyzer::Copy,
        st: &StageState,
        cmd: &Command,
    ) -> Result<Vec<(String, String)>, BuildError> {
        let env = Self::word_env(st);
        let mut out = Vec::new();
        for h in &copy.heredocs {
            let body = if h.chomp {
                h.content
                    .lines()
                    .map(|l| format!("{}\n", l.trim_start_matches('\t')))
                    .collect()
            } else {
                h.content.clone()
            };
            let body = if h.quoted {
                body
            } else {
                match expand::expand_heredoc(&body, &env) {
                    Ok(e) => e.value,
                    Err(e) => return Err(self.fail(e.buildkit_message(&body), Some(cmd.span))),
                }
            };
            out.push((h.name.clone(), body));
        }
        Ok(out)
    }

    /// What a COPY from the build context writes, and where.
    fn context_items(
        &mut self,
        patterns: &[String],
        dest: &str,
        add: bool,
        fs: &RootFs,
        cmd: &Command,
    ) -> Result<Vec<copy::Item>, BuildError> {
        let dialect = self.dialect();
        let mut resolved = Vec::new();
        for pattern in patterns.iter().filter(|p| !p.starts_with("<<")) {
            match self.context.resolve_sources(pattern, dialect) {
                Ok(r) => resolved.extend(r),
                Err(e) => return Err(self.fail(e.to_string(), Some(cmd.span))),
            }
        }
        let into_dir = copy::dest_is_dir(fs, dest, resolved.len());
        if resolved.len() > 1 && !dest.ends_with('/') {
            return Err(self.fail(
                format!("When using {} with more than one source file, the destination must be a directory and end with a /", cmd.keyword().upper()),
                Some(cmd.span),
            ));
        }
        let ctx = self.context;
        let mut items = Vec::new();
        for source in &resolved {
            if source.is_dir {
                for (path, meta) in copy::subtree(ctx.entries(), &source.path, true) {
                    let Some(rel) = path.strip_prefix(source.path.as_str()) else {
                        continue;
                    };
                    let rel = rel.trim_start_matches('/');
                    if rel.is_empty() {
                        continue;
                    }
                    items.push(copy::Item {
                        key_path: path.clone(),
                        target: copy::join(dest, rel),
                        node: copy::context_node(&mut self.state.file_cache, ctx, path, meta),
                    });
                }
                continue;
            }
            let Some(meta) = ctx.get(&source.path) else {
                continue;
            };
            if add {
                if let Some(extracted) = self.extract_tar(&source.path, dest, cmd)? {
                    items.extend(extracted);
                    continue;
                }
            }
            items.push(copy::Item {
                key_path: source.name.clone(),
                target: copy::target_for(dest, into_dir, &source.name),
                node: copy::context_node(&mut self.state.file_cache, ctx, &source.path, meta),
            });
        }
        Ok(items)
    }

    /// `ADD archive.tar /dir/`: a local tar archive is unpacked. Returns
    /// `None` for anything that is not an uncompressed tar (it is copied as
    /// a file; compressed archives are not simulated).
    fn extract_tar(
        &mut self,
        path: &str,
        dest: &str,
        cmd: &Command,
    ) -> Result<Option<Vec<copy::Item>>, BuildError> {
        let mut header = [0u8; 512];
        let looks_like_tar = self
            .context
            .open(path)
            .ok()
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header).ok())
            .is_some_and(|()| &header[257..262] == b"ustar");
        if !looks_like_tar {
            return Ok(None);
        }
        let file = match self.context.open(path) {
            Ok(f) => f,
            Err(e) => return Err(self.fail(e.to_string(), Some(cmd.span))),
        };
        let imported = match crate::engine::layer::read_tar(file) {
            Ok(i) => i,
            Err(_) => return Ok(None),
        };
        let mut items = Vec::new();
        for (key, change) in imported.changes.iter() {
            if let crate::engine::rootfs::Change::Put(node) = change {
                items.push(copy::Item {
                    key_path: format!("{path}!{}", key.as_str()),
                    target: copy::join(dest, key.as_str()),
                    node: node.clone(),
                });
            }
        }
        Ok(Some(items))
    }

    /// What a COPY --from another filesystem writes, and the classic
    /// builder's hash of those sources.
    fn fs_items(
        &mut self,
        fs: &RootFs,
        patterns: &[String],
        dest: &str,
        st: &StageState,
        cmd: &Command,
    ) -> Result<(Vec<copy::Item>, Option<ClassicSourceHash>), BuildError> {
        let mut found = Vec::new();
        for p in patterns {
            match copy::fs_sources(fs, p) {
                Ok(f) => found.extend(f),
                Err(m) => {
                    let m = match self.opts.builder {
                        BuilderKind::Buildkit => {
                            format!("failed to compute cache key: {m}: not found")
                        }
                        BuilderKind::Classic => format!(
                            "{} failed: stat {}: file does not exist",
                            cmd.keyword().upper(),
                            p.trim_start_matches('/')
                        ),
                    };
                    return Err(self.fail(m, Some(cmd.span)));
                }
            }
        }
        let into_dir = copy::dest_is_dir(&st.fs, dest, found.len());
        let mut items = Vec::new();
        let mut entries = Vec::new();
        let mut contents = BTreeMap::new();
        for (name, node, below) in &found {
            let mut add_entry = |path: String, n: &Node| {
                let uname = if n.uid == 0 { "root" } else { "" };
                let gname = if n.gid == 0 { "root" } else { "" };
                let entry = match &n.kind {
                    NodeKind::File(b) => {
                        contents.insert(path.clone(), b.clone());
                        SourceEntry::file(path, n.mode, b.len())
                    }
                    NodeKind::Dir => SourceEntry::dir(path, n.mode),
                    NodeKind::Symlink(t) => SourceEntry::symlink(path, t.clone()),
                };
                entries.push(entry.owned_by(n.uid, n.gid, uname, gname));
            };
            add_entry(name.clone(), node);
            if node.is_dir() {
                for (rel, n) in below {
                    let key_path = copy::join(name, rel);
                    add_entry(key_path.clone(), n);
                    items.push(copy::Item {
                        key_path,
                        target: copy::join(dest, rel),
                        node: n.clone(),
                    });
                }
            } else {
                items.push(copy::Item {
                    key_path: name.clone(),
                    target: copy::target_for(dest, into_dir, name),
                    node: node.clone(),
                });
            }
        }
        let hash = match self.opts.builder {
            BuilderKind::Buildkit => None,
            BuilderKind::Classic => {
                let blobs = BlobContents(contents);
                let refs: Vec<&str> = patterns.iter().map(|p| p.trim_start_matches('/')).collect();
                let result = ClassicSource::new(SourceOrigin::Filesystem, entries, &blobs)
                    .and_then(|src| src.copy_sources(&refs));
                match result {
                    Ok(c) => Some(c.hash),
                    Err(e) => {
                        return Err(self.fail(
                            format!("{} failed: {e}", cmd.keyword().upper()),
                            Some(cmd.span),
                        ))
                    }
                }
            }
        };
        Ok((items, hash))
    }

    /// The classic builder's `file:`/`dir:`/`multi:` hash of COPY sources
    /// from the build context.
    fn classic_context_hash(
        &mut self,
        patterns: &[String],
        cmd: &Command,
    ) -> Result<ClassicSourceHash, BuildError> {
        let entries = self
            .context
            .entries()
            .iter()
            .map(|(path, meta)| match &meta.kind {
                FileKind::File => SourceEntry::file(path.clone(), meta.mode, meta.size),
                FileKind::Dir => SourceEntry::dir(path.clone(), meta.mode),
                FileKind::Symlink { target } => SourceEntry::symlink(path.clone(), target.clone()),
            });
        let contents = ContextContents(self.context);
        let result =
            ClassicSource::new(SourceOrigin::BuildContext, entries, &contents).and_then(|src| {
                let refs: Vec<&str> = patterns.iter().map(String::as_str).collect();
                src.copy_sources(&refs)
            });
        match result {
            Ok(c) => Ok(c.hash),
            Err(e) => Err(self.fail(
                format!("{} failed: {e}", cmd.keyword().upper()),
                Some(cmd.span),
            )),
        }
    }

    /// Stamp every context entry a COPY's sources select.
    fn context_files(
        &mut self,
        patterns: &[String],
        cmd: &Command,
    ) -> Result<Vec<FileStamp>, BuildError> {
        let dialect = self.dialect();
        let mut stamps = Vec::new();
        for pattern in patterns {
            let resolved = match self.context.resolve_sources(pattern, dialect) {
                Ok(r) => r,
                Err(ContextError::SourceNotFound(nf)) => {
                    let msg = nf.message(dialect, &cmd.keyword().upper());
                    return Err(self.fail(msg, Some(cmd.span)));
                }
                Err(e) => return Err(self.fail(e.to_string(), Some(cmd.span))),
            };
            for source in resolved {
                for (path, meta) in
                    copy::subtree(self.context.entries(), &source.path, source.is_dir)
                {
                    // Stamped under the name it is copied by: a followed
                    // symlink with its target's content, since BuildKit's
                    // checksum sees content, not where a link points
                    // (recorded: our 49).
                    let name = match path.strip_prefix(source.path.as_str()) {
                        Some("") => source.name.clone(),
                        Some(rest) => {
                            let rel = rest.trim_start_matches('/');
                            if source.name.is_empty() {
                                rel.to_string()
                            } else {
                                format!("{}/{rel}", source.name)
                            }
                        }
                        None => path.clone(),
                    };
                    let (kind, content, size) = match &meta.kind {
                        FileKind::File => (
                            "file",
                            meta.content.map(|d| d.to_string()).unwrap_or_default(),
                            meta.size,
                        ),
                        FileKind::Dir => ("dir", String::new(), 0),
                        FileKind::Symlink { target } => {
                            ("symlink", target.clone(), target.len() as u64)
                        }
                    };
                    stamps.push(FileStamp {
                        path: name,
                        size,
                        kind: kind.into(),
                        mode: meta.mode,
                        // The docker CLI sends the context as 0:0.
                        uid: 0,
                        gid: 0,
                        content,
                    });
                }
            }
        }
        stamps.sort();
        stamps.dedup();
        Ok(stamps)
    }
}

/// The build context's files, for the classic source hash.
struct ContextContents<'a>(&'a ContextSnapshot);

impl FileContents for ContextContents<'_> {
    fn open(&self, path: &str) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        self.0
            .open(path)
            .map(|f| Box::new(f) as Box<dyn std::io::Read>)
            .map_err(std::io::Error::other)
    }
}

fn shell_words(shell: &[String]) -> String {
    if shell.is_empty() {
        "/bin/sh -c".to_string()
    } else {
        shell.join(" ")
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
    /// WORKDIR: make the directory (owned by the user).
    Mkdir { path: String, uid: u32, gid: u32 },
    /// RUN: a command in the small shell.
    Run(RunEffect),
}

struct RunEffect {
    /// What runs: the shell prefix and the command, or the exec vector.
    argv: Vec<String>,
    /// A script to run in the shell instead (RUN with heredocs).
    script: Option<String>,
    env: Vec<(String, String)>,
}

/// What a step produced when it ran.
#[derive(Default)]
struct Executed {
    layer: Option<LayerInfo>,
    log: String,
    seconds: f64,
}

/// The simulated clock's start (2026-11-28T03:20:00Z): builds advance it by
/// a minute each.
pub(crate) const SIMULATED_EPOCH: i64 = 1_764_300_000;

/// RUN with heredocs: `RUN <<EOF` runs the body as the script; otherwise
/// the command line is followed by the bodies, as a shell reads
/// here-documents.
fn heredoc_script(run: &analyzer::Run) -> Option<String> {
    let first = run.heredocs.first()?;
    let ShellOrExec::Shell(line) = &run.command else {
        return None;
    };
    if line.trim_start().starts_with("<<") && run.heredocs.len() == 1 {
        return Some(first.content.clone());
    }
    let mut script = line.clone();
    for h in &run.heredocs {
        script.push('\n');
        script.push_str(&h.content);
        if !h.content.ends_with('\n') && !h.content.is_empty() {
            script.push('\n');
        }
        script.push_str(&h.name);
    }
    Some(script)
}

/// Push the step that failed, so the report shows where the build stopped.
fn failed_step(
    mut e: BuildError,
    stage: Option<String>,
    step: usize,
    of: usize,
    cmd: &Command,
    text: String,
    output: String,
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
        seconds: 0.0,
        output,
    });
    e
}

/// Files of another filesystem, for the classic source hash.
struct BlobContents(BTreeMap<String, Blob>);

impl FileContents for BlobContents {
    fn open(&self, path: &str) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        match self.0.get(path) {
            Some(b) => b.reader(),
            None => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("no contents for {path}"),
            )),
        }
    }
}
