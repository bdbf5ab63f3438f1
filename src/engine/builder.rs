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
mod steps;

use crate::dockerfile::analyzer::{self, ArgDecl, Command, CommandKind, Plan};
use crate::dockerfile::expand::{self, Env};
use crate::dockerfile::Keyword;
use crate::dockerfile::{Diagnostic, Span};
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
pub use config::{image_id as image_id_of, RunConfig};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
pub use steps::BuilderKind;

/// How to build, spelled as `docker build` spells it.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub builder: BuilderKind,
    pub build_args: Vec<(String, String)>,
    pub no_cache: bool,
    pub target: Option<String>,
    pub tags: Vec<String>,
    /// Which BuildKit frontend's history texts to write (current BuildKit
    /// unless a test replays a Docker 20.10 recording).
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
    })?;
    let plan = analyzer::analyze(&file);
    if let Some(err) = plan.errors().next() {
        return Err(BuildError {
            message: format!("failed to parse Dockerfile: {}", err.message),
            span: Some(err.span),
            diagnostics: plan.diagnostics.clone(),
            steps: Vec::new(),
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
                diagnostics: plan.diagnostics.clone(),
                steps: Vec::new(),
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
}

impl Run<'_> {
    fn fail(&mut self, message: String, span: Option<Span>) -> BuildError {
        BuildError {
            message,
            span,
            diagnostics: self.plan.diagnostics.clone(),
            steps: std::mem::take(&mut self.reports),
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
            self.from_step(index, &base_ref, numbering);
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
    fn from_step(&mut self, index: usize, base_ref: &str, numbering: &mut steps::Numbering) {
        let stage = &self.plan.stages[index];
        let (step, of) = numbering.next(index);
        self.reports.push(StepReport {
            stage: numbering.label(index),
            step,
            of,
            keyword: "FROM".into(),
            text: stage.text.clone(),
            verdict: Verdict::Miss {
                why: MissReason::BaseImageChanged,
            },
            layer: None,
            instruction: stage.instruction,
            line: stage.span.line,
            seconds: 0.0,
        });
        if let Some(r) = self.reports.last_mut() {
            r.verdict = Verdict::Hit {
                from: StepRef {
                    build: 0,
                    step,
                    of,
                    stage: r.stage.clone(),
                    text: format!("the image {base_ref}"),
                },
            };
        }
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
                layer: None,
                seconds: 0.0,
            }
        } else {
            match self.step_inputs(cmd, st) {
                Ok(i) => i,
                Err(mut e) => {
                    // The builder prints the step, then fails in it.
                    e.steps.push(StepReport {
                        stage: label,
                        step,
                        of,
                        keyword: cmd.keyword().upper(),
                        text: shown,
                        verdict: Verdict::Miss {
                            why: MissReason::Failed {
                                error: e.message.clone(),
                            },
                        },
                        layer: None,
                        instruction: cmd.instruction,
                        line: cmd.span.line,
                        seconds: 0.0,
                    });
                    return Err(e);
                }
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
        let (layer, chain, created) = match &hit {
            Some(rec) => (rec.layer.clone(), rec.chain, rec.built_by.build),
            None => {
                let chain = match builder {
                    BuilderKind::Buildkit => digest,
                    // A classic rebuild commits a new image: a fresh id that
                    // nothing was built on yet.
                    BuilderKind::Classic => {
                        Digest::of(format!("{digest} build {}", self.build).as_bytes())
                    }
                };
                (inputs.layer.clone(), chain, self.build)
            }
        };
        if hit.is_none() {
            self.state.cache_mut(builder).insert(CacheRecord {
                key: key.clone(),
                built_by: StepRef {
                    build: self.build,
                    step,
                    of,
                    stage: label.clone(),
                    text: cmd.text.clone(),
                },
                layer: layer.clone(),
                chain,
            });
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
            inputs.seconds
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
        });
        Ok(())
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
                    layer: Some(config::empty_layer()),
                    seconds: 1.0,
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
                Ok(StepInputs {
                    op,
                    created_by,
                    layer: Some(config::empty_layer()),
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
        let dest_raw = self.expand(&copy.dest, st, cmd.span)?;
        let dest = config::copy_dest(&st.config.working_dir, &dest_raw);
        let keyword = if copy.add { "ADD" } else { "COPY" };
        let (source, files, classic_hash) = match (&copy.from, copy.from_stage) {
            (None, _) => {
                let files = self.context_files(&patterns, cmd)?;
                let hash = match self.opts.builder {
                    BuilderKind::Classic => Some(self.classic_context_hash(&patterns, cmd)?),
                    BuilderKind::Buildkit => None,
                };
                ("context".to_string(), files, hash)
            }
            (Some(_), Some(from)) => {
                let key = self
                    .stages
                    .get(&from)
                    .map(|s| s.chain.to_string())
                    .unwrap_or_default();
                (format!("stage:{key}"), Vec::new(), None)
            }
            (Some(image), None) => {
                let img = self.expand(image, st, cmd.span)?;
                match self.state.image(&img) {
                    Some(i) => (format!("image:{}", i.id), Vec::new(), None),
                    None => {
                        let msg = format!(
                            "failed to resolve source metadata for docker.io/library/{}: pull access denied, repository does not exist or may require authorization",
                            normalize_tag(&img)
                        );
                        return Err(self.fail(msg, Some(cmd.span)));
                    }
                }
            }
        };
        let size: u64 = files.iter().map(|f| f.size).sum();
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
                        source: source.clone(),
                        patterns: patterns.clone(),
                        files: files.clone(),
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
                        files: files.clone(),
                    },
                    text,
                )
            }
        };
        Ok(StepInputs {
            op,
            created_by,
            layer: Some(LayerInfo {
                diff_id: Digest::of(
                    serde_json::to_string(&(&files, &dest))
                        .unwrap_or_default()
                        .as_bytes(),
                ),
                size,
            }),
            seconds: 0.05 + size as f64 / 50e6,
        })
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
                let prefix = if source.path.is_empty() {
                    String::new()
                } else {
                    format!("{}/", source.path)
                };
                for (path, meta) in self.context.entries() {
                    // A followed symlink is stamped under the name it was
                    // copied by, with its target's content: BuildKit's
                    // checksum sees content, not where a link points
                    // (recorded: our 49).
                    let name = if path == &source.path {
                        source.name.clone()
                    } else if source.is_dir && (prefix.is_empty() || path.starts_with(&prefix)) {
                        let rel = &path[prefix.len()..];
                        if source.name.is_empty() {
                            rel.to_string()
                        } else {
                            format!("{}/{rel}", source.name)
                        }
                    } else {
                        continue;
                    };
                    let (kind, content) = match &meta.kind {
                        FileKind::File => (
                            "file",
                            meta.content.map(|d| d.to_string()).unwrap_or_default(),
                        ),
                        // A symlink inside a copied directory is copied as a
                        // link.
                        FileKind::Dir => ("dir", String::new()),
                        FileKind::Symlink { target } => ("symlink", target.clone()),
                    };
                    let size = match &meta.kind {
                        FileKind::File => meta.size,
                        FileKind::Symlink { target } => target.len() as u64,
                        FileKind::Dir => 0,
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

/// A step's cache inputs, its history text, and what it produces when it
/// runs.
struct StepInputs {
    op: OpInputs,
    created_by: String,
    layer: Option<LayerInfo>,
    seconds: f64,
}
