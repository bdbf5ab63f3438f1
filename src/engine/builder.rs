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

use crate::dockerfile::analyzer::{self, ArgDecl, Command, CommandKind, Plan, ShellOrExec};
use crate::dockerfile::expand::{self, Env};
use crate::dockerfile::{Diagnostic, Span};
use crate::engine::cache::{BuildCache, CacheRecord};
use crate::engine::cache_key::{CacheKey, FileStamp, OpInputs};
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
    base_comment: Option<String>,
}

impl StageState {
    fn into_image(self, builder: BuilderKind) -> ImageRecord {
        let comment = match builder {
            BuilderKind::Buildkit => Some("buildkit.dockerfile.v0".to_string()),
            BuilderKind::Classic => self.base_comment.filter(|_| false),
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
        let (config, layers, history, id, comment) = if reference.eq_ignore_ascii_case("scratch") {
            (
                RunConfig::default(),
                Vec::new(),
                Vec::new(),
                Digest::of(b"scratch"),
                None,
            )
        } else if let Some(img) = self.state.image(reference) {
            (
                img.config.clone(),
                img.layers.clone(),
                img.history.clone(),
                img.id,
                img.comment.clone(),
            )
        } else {
            let name = normalize_tag(reference);
            let message = match self.opts.builder {
                BuilderKind::Buildkit => format!(
                    "failed to resolve source metadata for docker.io/library/{name}: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
                ),
                BuilderKind::Classic => format!(
                    "pull access denied for {}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
                    name.split(':').next().unwrap_or(&name)
                ),
            };
            return Err(self.fail(message, Some(span)));
        };
        let mut config = config;
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
            base_comment: comment,
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

    fn command(
        &mut self,
        stage: usize,
        cmd: &Command,
        st: &mut StageState,
        numbering: &mut steps::Numbering,
    ) -> Result<(), BuildError> {
        let builder = self.opts.builder;
        let is_step = steps::is_step(builder, cmd.keyword());
        match &cmd.kind {
            CommandKind::Arg(decls) => self.arg(decls, st, cmd.span)?,
            CommandKind::Env(pairs) => {
                for (k, v) in pairs {
                    let k = self.expand(k, st, cmd.span)?;
                    let v = self.expand(v, st, cmd.span)?;
                    st.config.set_env(&k, &v);
                }
            }
            CommandKind::Label(pairs) => {
                for (k, v) in pairs {
                    let k = self.expand(k, st, cmd.span)?;
                    let v = self.expand(v, st, cmd.span)?;
                    st.config.labels.insert(k, v);
                }
            }
            CommandKind::Workdir(path) => {
                let p = self.expand(path, st, cmd.span)?;
                st.config.working_dir = config::join_workdir(&st.config.working_dir, &p);
            }
            CommandKind::User(u) => st.config.user = self.expand(u, st, cmd.span)?,
            CommandKind::Cmd(c) => st.config.cmd = Some(st.config.argv(c)),
            CommandKind::Entrypoint(c) => {
                st.config.entrypoint = Some(st.config.argv(c));
                // Docker resets an inherited CMD when ENTRYPOINT is set.
                st.config.cmd_reset_by_entrypoint();
            }
            CommandKind::Expose(ports) => {
                for p in ports {
                    let env = Self::word_env(st);
                    let words = expand::expand_words(p, self.plan.escape, &env)
                        .unwrap_or_else(|_| vec![p.clone()]);
                    for w in words {
                        st.config.expose(&w);
                    }
                }
            }
            CommandKind::Volume(vols) => {
                for v in vols {
                    let v = self.expand(v, st, cmd.span)?;
                    st.config.volumes.insert(v);
                }
            }
            CommandKind::StopSignal(s) => {
                st.config.stop_signal = Some(self.expand(s, st, cmd.span)?)
            }
            CommandKind::Healthcheck(h) => st.config.set_healthcheck(h),
            CommandKind::Shell(sh) => st.config.shell = Some(sh.clone()),
            CommandKind::Onbuild(text) => st.config.on_build.push(text.clone()),
            CommandKind::Maintainer(_) | CommandKind::Run(_) | CommandKind::Copy(_) => {}
        }
        let inputs = self.step_inputs(stage, cmd, st)?;
        let created_by = config::created_by(builder, cmd, st, &inputs);
        if !is_step {
            // BuildKit: metadata only, one history row, no step.
            if let Some(row) = created_by {
                st.history.push(row);
            }
            return Ok(());
        }
        let (step, of) = numbering.next(stage);
        let label = numbering.label(stage);
        // BuildKit names a RUN step with its variables expanded.
        let shown = if builder == BuilderKind::Buildkit
            && cmd.keyword() == crate::dockerfile::Keyword::Run
        {
            expand::expand_for_display(&cmd.text, self.plan.escape, &Self::word_env(st))
        } else {
            cmd.text.clone()
        };
        let key = CacheKey {
            parent: Some(st.chain),
            op: inputs.op,
        };
        let digest = key.digest();
        let ignores_cache = self.opts.no_cache
            && (builder == BuilderKind::Classic
                || matches!(
                    cmd.keyword(),
                    crate::dockerfile::Keyword::Run
                        | crate::dockerfile::Keyword::Copy
                        | crate::dockerfile::Keyword::Add
                ));
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
        let layer = match &hit {
            Some(rec) => rec.layer.clone(),
            None => inputs.layer,
        };
        let chain = match (&hit, builder) {
            (Some(rec), _) => rec.chain,
            (None, BuilderKind::Buildkit) => digest,
            // A classic rebuild commits a new image: a fresh id nobody has
            // built on yet.
            (None, BuilderKind::Classic) => {
                Digest::of(format!("{digest} build {}", self.build).as_bytes())
            }
        };
        if hit.is_none() {
            let record = CacheRecord {
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
            };
            self.state.cache_mut(builder).insert(record);
            if !matches!(
                verdict,
                Verdict::Miss {
                    why: MissReason::NoCache
                }
            ) || builder == BuilderKind::Classic
            {
                st.rebuilt.get_or_insert_with(|| cmd.text.clone());
            }
        }
        st.chain = chain;
        if let Some(l) = &layer {
            st.layers.push(l.clone());
        }
        if let Some(mut row) = created_by {
            row.size = layer.as_ref().map_or(0, |l| l.size);
            row.empty_layer = layer.is_none();
            st.history.push(row);
        }
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

    fn arg(
        &mut self,
        decls: &[ArgDecl],
        st: &mut StageState,
        span: Span,
    ) -> Result<(), BuildError> {
        let globals = self.global_args();
        for d in decls {
            let value = match self.build_arg(&d.name) {
                Some(v) => Some(v.to_string()),
                None => match &d.default {
                    Some(def) => Some(self.expand(def, st, span)?),
                    // A bare ARG inside a stage inherits the global default.
                    None => globals.get(&d.name).map(str::to_string),
                },
            };
            st.args.retain(|(k, _)| k != &d.name);
            st.args.push((d.name.clone(), value));
            if !st.arg_names.contains(&d.name) {
                st.arg_names.push(d.name.clone());
            }
        }
        Ok(())
    }

    /// The cache inputs of a step, and what it would produce on a miss.
    fn step_inputs(
        &mut self,
        stage: usize,
        cmd: &Command,
        st: &StageState,
    ) -> Result<StepInputs, BuildError> {
        let builder = self.opts.builder;
        match &cmd.kind {
            CommandKind::Run(run) => {
                let argv = st.config.argv(&run.command);
                let env = st.config.run_env(&st.args);
                let op = match builder {
                    BuilderKind::Buildkit => OpInputs::Run {
                        argv,
                        env,
                        workdir: st.config.working_dir.clone(),
                        user: st.config.user.clone(),
                        network: run.network.clone(),
                        security: run.security.clone(),
                        mounts: run.mounts.clone(),
                    },
                    BuilderKind::Classic => OpInputs::Classic {
                        created_by: config::classic_run_created_by(
                            &st.config,
                            &st.args,
                            &run.command,
                        ),
                        config: st.config.fingerprint(),
                        files: Vec::new(),
                    },
                };
                Ok(StepInputs {
                    op,
                    layer: Some(config::empty_layer()),
                    seconds: 1.0,
                    source_hash: None,
                })
            }
            CommandKind::Copy(copy) => self.copy_inputs(stage, cmd, copy, st),
            CommandKind::Workdir(_) => {
                let op = match builder {
                    BuilderKind::Buildkit => OpInputs::Mkdir {
                        path: st.config.working_dir.clone(),
                        user: st.config.user.clone(),
                    },
                    BuilderKind::Classic => OpInputs::Classic {
                        created_by: format!("/bin/sh -c #(nop) WORKDIR {}", st.config.working_dir),
                        config: st.config.fingerprint(),
                        files: Vec::new(),
                    },
                };
                Ok(StepInputs {
                    op,
                    layer: Some(config::empty_layer()),
                    seconds: 0.1,
                    source_hash: None,
                })
            }
            _ => Ok(StepInputs {
                op: OpInputs::Classic {
                    created_by: config::classic_nop(cmd),
                    config: st.config.fingerprint(),
                    files: Vec::new(),
                },
                layer: None,
                seconds: 0.0,
                source_hash: None,
            }),
        }
    }

    fn copy_inputs(
        &mut self,
        stage: usize,
        cmd: &Command,
        copy: &analyzer::Copy,
        st: &StageState,
    ) -> Result<StepInputs, BuildError> {
        let mut patterns = Vec::new();
        for s in &copy.sources {
            patterns.push(self.expand(s, st, cmd.span)?);
        }
        let dest_raw = self.expand(&copy.dest, st, cmd.span)?;
        let dest = config::copy_dest(&st.config.working_dir, &dest_raw);
        let (source, files) = match (&copy.from, copy.from_stage) {
            (None, _) => ("context".to_string(), self.context_files(&patterns, cmd)?),
            (Some(_), Some(from)) => {
                let key = self
                    .stages
                    .get(&from)
                    .map(|s| s.chain.to_string())
                    .unwrap_or_default();
                (format!("stage:{key}"), Vec::new())
            }
            (Some(image), None) => {
                let img = self.expand(image, st, cmd.span)?;
                match self.state.image(&img) {
                    Some(i) => (format!("image:{}", i.id), Vec::new()),
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
        let _ = stage;
        let size: u64 = files
            .iter()
            .filter(|f| f.kind == "file")
            .filter_map(|f| self.context.get(&f.path).map(|m| m.size))
            .sum();
        let op = match self.opts.builder {
            BuilderKind::Buildkit => OpInputs::Copy {
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
            BuilderKind::Classic => OpInputs::Classic {
                created_by: format!(
                    "/bin/sh -c #(nop) {} {}{} in {} ",
                    if copy.add { "ADD" } else { "COPY" },
                    if source == "context" { "" } else { "from " },
                    source,
                    dest_raw
                ),
                config: st.config.fingerprint(),
                files: files.clone(),
            },
        };
        Ok(StepInputs {
            op,
            layer: Some(LayerInfo {
                diff_id: Digest::of(
                    serde_json::to_string(&(&files, &dest))
                        .unwrap_or_default()
                        .as_bytes(),
                ),
                size,
            }),
            seconds: 0.05 + size as f64 / 50e6,
            source_hash: None,
        })
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
                    let selected = path == &source.path
                        || (source.is_dir && (prefix.is_empty() || path.starts_with(&prefix)));
                    if !selected {
                        continue;
                    }
                    let (kind, content) = match &meta.kind {
                        FileKind::File => (
                            "file",
                            meta.content.map(|d| d.to_string()).unwrap_or_default(),
                        ),
                        FileKind::Dir => ("dir", String::new()),
                        FileKind::Symlink { target } => ("symlink", target.clone()),
                    };
                    stamps.push(FileStamp {
                        path: path.clone(),
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

/// A step's cache inputs and what it produces when it runs.
struct StepInputs {
    op: OpInputs,
    layer: Option<LayerInfo>,
    seconds: f64,
    #[allow(dead_code)]
    source_hash: Option<String>,
}

#[allow(dead_code)]
fn shell_text(c: &ShellOrExec) -> String {
    match c {
        ShellOrExec::Shell(s) => s.clone(),
        ShellOrExec::Exec(v) => v.join(" "),
    }
}
