//! AST → a plan the builder runs: stages, their names and indexes, typed
//! commands with their flags checked, `COPY --from` references resolved, and
//! the warnings a learner benefits from.
//!
//! Variables are *not* expanded here: what `$VAR` means depends on the base
//! image's environment and the build arguments, which only the builder knows.
//! The analyzer keeps each word as written and the builder expands it with
//! [`crate::dockerfile::expand`] in exactly the commands Docker expands.

mod checks;

pub use checks::{build_checks, CheckInputs, IgnoredSource};

use crate::dockerfile::ast::{Flag, Instruction, Keyword};
use crate::dockerfile::diagnostic::DiagnosticKind;
use crate::dockerfile::mount::{parse_mount, Mount, MountType};
use crate::dockerfile::{Diagnostic, Dockerfile, Span};

/// What the builder runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub escape: char,
    /// `ARG`s before the first `FROM`: usable in `FROM` lines, and inside a
    /// stage once re-declared there.
    pub global_args: Vec<ArgDecl>,
    /// The `ARG` instructions before the first FROM (the classic builder
    /// prints each as a step).
    pub global_commands: Vec<Command>,
    pub stages: Vec<Stage>,
    /// Errors (the build cannot run) and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Plan {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == crate::dockerfile::Severity::Error)
    }

    /// The stage a `--target` names (case-insensitive, as BuildKit does),
    /// or the last stage.
    pub fn target_index(&self, target: Option<&str>) -> Option<usize> {
        match target {
            None => self.stages.len().checked_sub(1),
            Some(t) => self.stage_by_name(t),
        }
    }

    /// A stage by name (case-insensitive).
    pub fn stage_by_name(&self, name: &str) -> Option<usize> {
        let name = name.to_ascii_lowercase();
        self.stages
            .iter()
            .position(|s| s.name.as_deref() == Some(name.as_str()))
    }
}

/// One `FROM … [AS name]` and the commands under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// Lower-cased `AS` name, as BuildKit stores it.
    pub name: Option<String>,
    /// The image word as written (may hold `$ARG`s).
    pub base: String,
    pub platform: Option<String>,
    /// Index of the `FROM` in [`Dockerfile::instructions`].
    pub instruction: usize,
    pub span: Span,
    /// The original `FROM` text, as builders print it.
    pub text: String,
    pub commands: Vec<Command>,
}

impl Stage {
    /// The label BuildKit prints for a stage: its name or `stage-N`.
    pub fn label(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("stage-{}", self.index))
    }
}

/// One instruction inside a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// Index in [`Dockerfile::instructions`].
    pub instruction: usize,
    pub span: Span,
    /// The instruction as written, continuation lines joined (what both
    /// builders print as the step's name).
    pub text: String,
    pub kind: CommandKind,
}

impl Command {
    pub fn keyword(&self) -> Keyword {
        self.kind.keyword()
    }

    /// The earlier stages this command reads: `COPY --from=STAGE` and
    /// `RUN --mount=from=STAGE`.
    pub fn stages_read(&self) -> Vec<usize> {
        match &self.kind {
            CommandKind::Copy(c) => c.from_stage.into_iter().collect(),
            CommandKind::Run(r) => r.mounts.iter().filter_map(|m| m.from_stage).collect(),
            _ => Vec::new(),
        }
    }
}

/// Shell form is one string run through the image's SHELL; exec form is
/// the argument vector as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellOrExec {
    Shell(String),
    Exec(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDecl {
    pub name: String,
    /// The default as written (unexpanded), if any.
    pub default: Option<String>,
}

/// A heredoc as a command consumes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeredocBody {
    pub name: String,
    pub content: String,
    /// `<<-`: strip leading tabs.
    pub chomp: bool,
    /// Quoted delimiter: no expansion in the body.
    pub quoted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub command: ShellOrExec,
    /// `--mount=…` values, parsed, in order (BuildKit keys on them).
    pub mounts: Vec<Mount>,
    pub network: Option<String>,
    pub security: Option<String>,
    pub heredocs: Vec<HeredocBody>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    /// `true` for ADD.
    pub add: bool,
    /// Sources as written (unexpanded); a heredoc source is `<<NAME`.
    pub sources: Vec<String>,
    pub dest: String,
    /// `--from=` as written: a stage name, a stage index or an image.
    pub from: Option<String>,
    /// `from` resolved to an earlier stage's index, when it names one.
    pub from_stage: Option<usize>,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
    pub parents: bool,
    pub excludes: Vec<String>,
    pub checksum: Option<String>,
    pub keep_git_dir: bool,
    pub heredocs: Vec<HeredocBody>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Healthcheck {
    /// `None` for `HEALTHCHECK NONE`.
    pub test: Option<ShellOrExec>,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub start_period: Option<String>,
    pub start_interval: Option<String>,
    pub retries: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandKind {
    Run(Run),
    Copy(Copy),
    /// `ENV` and `LABEL` pairs, values as written (quotes kept; the builder
    /// expands and unquotes them).
    Env(Vec<(String, String)>),
    Label(Vec<(String, String)>),
    Arg(Vec<ArgDecl>),
    Workdir(String),
    User(String),
    Cmd(ShellOrExec),
    Entrypoint(ShellOrExec),
    Expose(Vec<String>),
    Volume(Vec<String>),
    StopSignal(String),
    Healthcheck(Healthcheck),
    Shell(Vec<String>),
    /// The wrapped instruction's text, stored in the image for later builds.
    Onbuild(String),
    Maintainer(String),
}

impl CommandKind {
    pub fn keyword(&self) -> Keyword {
        match self {
            CommandKind::Run(_) => Keyword::Run,
            CommandKind::Copy(c) if c.add => Keyword::Add,
            CommandKind::Copy(_) => Keyword::Copy,
            CommandKind::Env(_) => Keyword::Env,
            CommandKind::Label(_) => Keyword::Label,
            CommandKind::Arg(_) => Keyword::Arg,
            CommandKind::Workdir(_) => Keyword::Workdir,
            CommandKind::User(_) => Keyword::User,
            CommandKind::Cmd(_) => Keyword::Cmd,
            CommandKind::Entrypoint(_) => Keyword::Entrypoint,
            CommandKind::Expose(_) => Keyword::Expose,
            CommandKind::Volume(_) => Keyword::Volume,
            CommandKind::StopSignal(_) => Keyword::Stopsignal,
            CommandKind::Healthcheck(_) => Keyword::Healthcheck,
            CommandKind::Shell(_) => Keyword::Shell,
            CommandKind::Onbuild(_) => Keyword::Onbuild,
            CommandKind::Maintainer(_) => Keyword::Maintainer,
        }
    }
}

/// Turn a parsed Dockerfile into a plan. Never fails: problems become
/// diagnostics (errors stop a build; warnings are shown).
pub fn analyze(file: &Dockerfile) -> Plan {
    let mut an = Analyzer {
        plan: Plan {
            escape: file.escape,
            global_args: Vec::new(),
            global_commands: Vec::new(),
            stages: Vec::new(),
            diagnostics: file.warnings.clone(),
        },
    };
    for (i, ins) in file.instructions.iter().enumerate() {
        an.instruction(i, ins);
    }
    if an.plan.stages.is_empty() && an.plan.errors().next().is_none() {
        let span = file
            .instructions
            .first()
            .map(|i| i.span)
            .unwrap_or_default();
        an.error(span, DiagnosticKind::NoFrom);
    }
    an.plan
}

struct Analyzer {
    plan: Plan,
}

/// Flags each keyword accepts (BuildKit's instruction parser rejects any
/// other with `unknown flag: NAME`).
fn allowed_flags(k: Keyword) -> &'static [&'static str] {
    match k {
        Keyword::From => &["platform"],
        Keyword::Run => &["mount", "network", "security"],
        Keyword::Copy => &["from", "chown", "chmod", "link", "parents", "exclude"],
        Keyword::Add => &[
            "chown",
            "chmod",
            "link",
            "keep-git-dir",
            "checksum",
            "exclude",
            "parents",
        ],
        Keyword::Healthcheck => &[
            "interval",
            "timeout",
            "start-period",
            "start-interval",
            "retries",
        ],
        _ => &[],
    }
}

/// Boolean flags: `--link` alone means true, and a value must be a bool.
fn is_bool_flag(name: &str) -> bool {
    matches!(name, "link" | "parents" | "keep-git-dir")
}

impl Analyzer {
    fn error(&mut self, span: Span, kind: DiagnosticKind) {
        self.plan.diagnostics.push(Diagnostic::error(span, kind));
    }

    fn warn(&mut self, span: Span, kind: DiagnosticKind) {
        self.plan.diagnostics.push(Diagnostic::warning(span, kind));
    }

    fn instruction(&mut self, index: usize, ins: &Instruction) {
        if ins.keyword == Keyword::Unknown {
            self.unknown(ins);
            return;
        }
        if !self.check_flags(ins.keyword, &ins.flags) {
            return;
        }
        if ins.keyword == Keyword::From {
            self.from(index, ins);
            return;
        }
        let kind = match self.command_kind(ins) {
            Some(k) => k,
            None => return,
        };
        if self.plan.stages.is_empty() {
            if let CommandKind::Arg(decls) = &kind {
                self.plan.global_args.extend(decls.iter().cloned());
                self.plan.global_commands.push(Command {
                    instruction: index,
                    span: ins.span,
                    text: printed_text(ins),
                    kind,
                });
            } else {
                self.error(
                    ins.keyword_span,
                    DiagnosticKind::BeforeFirstFrom {
                        keyword: ins.keyword.upper(),
                    },
                );
            }
            return;
        }
        let kind = self.resolve_copy_from(ins, kind);
        if let Some(stage) = self.plan.stages.last_mut() {
            stage.commands.push(Command {
                instruction: index,
                span: ins.span,
                text: printed_text(ins),
                kind,
            });
        }
    }

    fn unknown(&mut self, ins: &Instruction) {
        let word = ins.keyword_text.to_ascii_uppercase();
        self.error(
            ins.keyword_span,
            DiagnosticKind::UnknownInstruction {
                name: ins.keyword_text.clone(),
                suggestion: closest_keyword(&word).map(Keyword::upper),
            },
        );
    }

    /// Returns false when a flag is not allowed (an error was recorded).
    fn check_flags(&mut self, keyword: Keyword, flags: &[Flag]) -> bool {
        let allowed = allowed_flags(keyword);
        let mut ok = true;
        for f in flags {
            if !allowed.contains(&f.name.as_str()) {
                self.error(
                    f.span,
                    DiagnosticKind::UnknownFlag {
                        name: f.name.clone(),
                    },
                );
                ok = false;
            } else if is_bool_flag(&f.name) {
                if let Some(v) = &f.value {
                    if !matches!(
                        v.to_ascii_lowercase().as_str(),
                        "true" | "false" | "1" | "0"
                    ) {
                        self.error(
                            f.span,
                            DiagnosticKind::NotABoolean {
                                flag: f.name.clone(),
                                value: v.clone(),
                            },
                        );
                        ok = false;
                    }
                }
            } else if f.value.is_none() {
                self.error(
                    f.span,
                    DiagnosticKind::MissingFlagValue {
                        flag: f.name.clone(),
                    },
                );
                ok = false;
            }
        }
        ok
    }

    fn from(&mut self, index: usize, ins: &Instruction) {
        let words: Vec<&str> = ins.values().collect();
        let (base, name) = match words.as_slice() {
            [image] => (*image, None),
            [image, as_kw, name] if as_kw.eq_ignore_ascii_case("as") => (*image, Some(*name)),
            _ => {
                self.error(ins.span, DiagnosticKind::FromArguments);
                return;
            }
        };
        let name = match name {
            None => None,
            Some(n) => {
                let lower = n.to_ascii_lowercase();
                if !valid_stage_name(&lower) {
                    self.error(
                        ins.args.get(2).map(|a| a.span).unwrap_or(ins.span),
                        DiagnosticKind::InvalidStageName {
                            name: n.to_string(),
                        },
                    );
                    return;
                }
                if self
                    .plan
                    .stages
                    .iter()
                    .any(|s| s.name.as_deref() == Some(lower.as_str()))
                {
                    // The stage is kept: only the classic builder refuses
                    // the name, and BuildKit's checks read the whole file.
                    self.error(
                        ins.args.get(2).map(|a| a.span).unwrap_or(ins.span),
                        DiagnosticKind::DuplicateStageName {
                            name: n.to_string(),
                        },
                    );
                }
                Some(lower)
            }
        };
        let platform = flag_value(&ins.flags, "platform");
        let stage_index = self.plan.stages.len();
        self.plan.stages.push(Stage {
            index: stage_index,
            name,
            base: base.to_string(),
            platform,
            instruction: index,
            span: ins.span,
            text: printed_text(ins),
            commands: Vec::new(),
        });
    }

    /// `RUN --mount=…`: each value parsed as BuildKit's frontend does, a
    /// problem reported at the field it is about; `from=` resolved to an
    /// earlier stage like `COPY --from`. A secret or SSH socket layerlab
    /// cannot give is said once, where it is asked for.
    fn mounts(&mut self, flags: &[Flag]) -> Option<Vec<Mount>> {
        let current = self.plan.stages.len().saturating_sub(1);
        let mut mounts = Vec::new();
        for f in flags.iter().filter(|f| f.name == "mount") {
            let value = f.value.as_deref().unwrap_or("");
            let mut m = match parse_mount(value) {
                Ok(m) => m,
                Err(e) => {
                    let bytes: usize = value.chars().take(e.offset).map(char::len_utf8).sum();
                    let lead = "--".len() + f.name.len() + "=".len();
                    let span = Span {
                        line: f.span.line,
                        column: f.span.column + lead + e.offset,
                        start: f.span.start + lead + bytes,
                        end: f.span.end,
                    };
                    self.error(span, DiagnosticKind::Mount { problem: e.problem });
                    return None;
                }
            };
            if let Some(from) = &m.from {
                if let Ok(n) = from.parse::<usize>() {
                    if n >= current {
                        self.error(
                            f.span,
                            DiagnosticKind::InvalidFromStage {
                                from: from.clone(),
                                index: n,
                            },
                        );
                        return None;
                    }
                    m.from_stage = Some(n);
                } else {
                    let lower = from.to_ascii_lowercase();
                    m.from_stage = self.plan.stages[..current]
                        .iter()
                        .position(|s| s.name.as_deref() == Some(lower.as_str()));
                }
            }
            let given = match m.kind {
                MountType::Secret => Some(("secret", m.secret_id())),
                MountType::Ssh => Some(("ssh", m.id.clone().unwrap_or_else(|| "default".into()))),
                _ => None,
            };
            if let Some((kind, id)) = given {
                self.warn(
                    f.span,
                    DiagnosticKind::MountNotProvided {
                        kind: kind.into(),
                        id,
                        target: m.target_path(),
                    },
                );
            }
            mounts.push(m);
        }
        Some(mounts)
    }

    /// `COPY --from=NAME|INDEX`: an earlier stage when it names one. A name
    /// that is no stage is an image reference, resolved by the builder.
    fn resolve_copy_from(&mut self, ins: &Instruction, kind: CommandKind) -> CommandKind {
        let CommandKind::Copy(mut copy) = kind else {
            return kind;
        };
        let current = self.plan.stages.len().saturating_sub(1);
        if let Some(from) = &copy.from {
            if let Ok(n) = from.parse::<usize>() {
                if n >= current {
                    let span = flag_span(&ins.flags, "from").unwrap_or(ins.span);
                    self.error(
                        span,
                        DiagnosticKind::InvalidFromStage {
                            from: from.clone(),
                            index: n,
                        },
                    );
                } else {
                    copy.from_stage = Some(n);
                }
            } else {
                let lower = from.to_ascii_lowercase();
                copy.from_stage = self.plan.stages[..current]
                    .iter()
                    .position(|s| s.name.as_deref() == Some(lower.as_str()));
            }
        }
        CommandKind::Copy(copy)
    }

    fn command_kind(&mut self, ins: &Instruction) -> Option<CommandKind> {
        let values: Vec<String> = ins.values().map(str::to_string).collect();
        let keyword = ins.keyword;
        let one = |v: &[String]| v.first().cloned().unwrap_or_default();
        let kind = match keyword {
            Keyword::Run => {
                if values.is_empty() || (!ins.json && one(&values).trim().is_empty()) {
                    self.error(
                        ins.span,
                        DiagnosticKind::AtLeastOneArgument {
                            keyword: keyword.upper(),
                        },
                    );
                    return None;
                }
                CommandKind::Run(Run {
                    command: shell_or_exec(ins),
                    mounts: self.mounts(&ins.flags)?,
                    network: flag_value(&ins.flags, "network"),
                    security: flag_value(&ins.flags, "security"),
                    heredocs: heredocs(ins),
                })
            }
            Keyword::Copy | Keyword::Add => {
                if values.len() < 2 {
                    self.error(
                        ins.span,
                        DiagnosticKind::AtLeastTwoArguments {
                            keyword: keyword.upper(),
                        },
                    );
                    return None;
                }
                let (dest, sources) = values.split_last()?;
                CommandKind::Copy(Copy {
                    add: keyword == Keyword::Add,
                    sources: sources.to_vec(),
                    dest: dest.clone(),
                    from: flag_value(&ins.flags, "from"),
                    from_stage: None,
                    chown: flag_value(&ins.flags, "chown"),
                    chmod: flag_value(&ins.flags, "chmod"),
                    link: flag_bool(&ins.flags, "link"),
                    parents: flag_bool(&ins.flags, "parents"),
                    excludes: flag_values(&ins.flags, "exclude"),
                    checksum: flag_value(&ins.flags, "checksum"),
                    keep_git_dir: flag_bool(&ins.flags, "keep-git-dir"),
                    heredocs: heredocs(ins),
                })
            }
            Keyword::Env | Keyword::Label => {
                if values.is_empty() {
                    self.error(
                        ins.span,
                        DiagnosticKind::AtLeastOneArgument {
                            keyword: keyword.upper(),
                        },
                    );
                    return None;
                }
                if values.len() % 2 != 0 {
                    self.error(
                        ins.span,
                        DiagnosticKind::OddArguments {
                            keyword: keyword.upper(),
                        },
                    );
                    return None;
                }
                let pairs: Vec<(String, String)> = values
                    .chunks(2)
                    .map(|kv| (kv[0].clone(), kv[1].clone()))
                    .collect();
                if keyword == Keyword::Env {
                    if pairs.iter().any(|(k, _)| k.is_empty()) {
                        self.error(
                            ins.span,
                            DiagnosticKind::BlankName {
                                keyword: keyword.upper(),
                            },
                        );
                        return None;
                    }
                    if legacy_key_value_form(ins) {
                        self.warn(ins.span, DiagnosticKind::LegacyEnvForm);
                    }
                    CommandKind::Env(pairs)
                } else {
                    CommandKind::Label(pairs)
                }
            }
            Keyword::Arg => {
                if values.is_empty() {
                    self.error(
                        ins.span,
                        DiagnosticKind::AtLeastOneArgument {
                            keyword: keyword.upper(),
                        },
                    );
                    return None;
                }
                let mut decls = Vec::new();
                for v in &values {
                    let (name, default) = match v.split_once('=') {
                        Some((n, d)) => (n.to_string(), Some(d.to_string())),
                        None => (v.clone(), None),
                    };
                    if name.is_empty() {
                        self.error(
                            ins.span,
                            DiagnosticKind::BlankName {
                                keyword: keyword.upper(),
                            },
                        );
                        return None;
                    }
                    decls.push(ArgDecl { name, default });
                }
                CommandKind::Arg(decls)
            }
            Keyword::Workdir | Keyword::User | Keyword::Stopsignal | Keyword::Maintainer => {
                let v = one(&values);
                if v.is_empty() {
                    self.error(
                        ins.span,
                        DiagnosticKind::ExactlyOneArgument {
                            keyword: keyword.upper(),
                        },
                    );
                    return None;
                }
                match keyword {
                    Keyword::Workdir => CommandKind::Workdir(v),
                    Keyword::User => CommandKind::User(v),
                    Keyword::Stopsignal => CommandKind::StopSignal(v),
                    _ => {
                        self.warn(ins.keyword_span, DiagnosticKind::MaintainerDeprecated);
                        CommandKind::Maintainer(v)
                    }
                }
            }
            Keyword::Cmd | Keyword::Entrypoint => {
                self.json_lookalike(ins);
                let c = shell_or_exec(ins);
                if keyword == Keyword::Cmd {
                    CommandKind::Cmd(c)
                } else {
                    CommandKind::Entrypoint(c)
                }
            }
            Keyword::Shell => {
                if !ins.json {
                    self.error(ins.span, DiagnosticKind::ShellNotJson);
                    return None;
                }
                if values.is_empty() {
                    self.error(
                        ins.span,
                        DiagnosticKind::AtLeastOneArgument {
                            keyword: keyword.upper(),
                        },
                    );
                    return None;
                }
                CommandKind::Shell(values)
            }
            Keyword::Expose => {
                if values.is_empty() {
                    self.error(
                        ins.span,
                        DiagnosticKind::AtLeastOneArgument {
                            keyword: keyword.upper(),
                        },
                    );
                    return None;
                }
                CommandKind::Expose(values)
            }
            Keyword::Volume => {
                if values.is_empty() {
                    self.error(
                        ins.span,
                        DiagnosticKind::AtLeastOneArgument {
                            keyword: keyword.upper(),
                        },
                    );
                    return None;
                }
                if values.iter().any(|v| v.trim().is_empty()) {
                    self.error(ins.span, DiagnosticKind::EmptyVolume);
                    return None;
                }
                CommandKind::Volume(values)
            }
            Keyword::Healthcheck => self.healthcheck(ins, &values)?,
            Keyword::Onbuild => match &ins.onbuild {
                Some(inner) => {
                    if let Some(d) = ins.onbuild_trigger_error() {
                        self.plan.diagnostics.push(d);
                        return None;
                    }
                    CommandKind::Onbuild(inner.original.clone())
                }
                None => {
                    self.error(
                        ins.span,
                        DiagnosticKind::AtLeastOneArgument {
                            keyword: keyword.upper(),
                        },
                    );
                    return None;
                }
            },
            Keyword::From | Keyword::Unknown => return None,
        };
        Some(kind)
    }

    fn healthcheck(&mut self, ins: &Instruction, values: &[String]) -> Option<CommandKind> {
        let Some(kind) = values.first() else {
            self.error(
                ins.span,
                DiagnosticKind::AtLeastOneArgument {
                    keyword: ins.keyword.upper(),
                },
            );
            return None;
        };
        let test = if kind.eq_ignore_ascii_case("none") {
            if values.len() > 1 || !ins.flags.is_empty() {
                self.error(ins.span, DiagnosticKind::HealthcheckNoneWithArguments);
                return None;
            }
            None
        } else if kind.eq_ignore_ascii_case("cmd") {
            let rest = &values[1..];
            if rest.is_empty() {
                self.error(ins.span, DiagnosticKind::HealthcheckMissingCommand);
                return None;
            }
            Some(if ins.json {
                ShellOrExec::Exec(rest.to_vec())
            } else {
                ShellOrExec::Shell(rest.join(" "))
            })
        } else {
            self.error(
                ins.span,
                DiagnosticKind::HealthcheckUnknownType { kind: kind.clone() },
            );
            return None;
        };
        let check = Healthcheck {
            test,
            interval: flag_value(&ins.flags, "interval"),
            timeout: flag_value(&ins.flags, "timeout"),
            start_period: flag_value(&ins.flags, "start-period"),
            start_interval: flag_value(&ins.flags, "start-interval"),
            retries: flag_value(&ins.flags, "retries"),
        };
        // Docker's parser reads the options, so both builders refuse a bad
        // one before any step (checked on dockerd 20.10: `--interval=bad`).
        let durations = [
            &check.interval,
            &check.timeout,
            &check.start_period,
            &check.start_interval,
        ];
        let bad = durations
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty() && crate::gofmt::parse_duration(v).is_none());
        if let Some(value) = bad {
            let value = value.clone();
            self.error(ins.span, DiagnosticKind::HealthcheckBadDuration { value });
            return None;
        }
        let bad_retries = |r: &&String| !r.is_empty() && r.parse::<i32>().is_err();
        if let Some(value) = check.retries.as_ref().filter(bad_retries) {
            let value = value.clone();
            self.error(ins.span, DiagnosticKind::HealthcheckBadRetries { value });
            return None;
        }
        Some(CommandKind::Healthcheck(check))
    }

    /// `CMD [node, app.js]` looks like exec form but is not JSON, so Docker
    /// runs it through the shell — a classic learner's surprise.
    fn json_lookalike(&mut self, ins: &Instruction) {
        if ins.json {
            return;
        }
        let text = ins.values().next().unwrap_or("").trim();
        if text.starts_with('[') && text.ends_with(']') {
            self.warn(
                ins.args.first().map(|a| a.span).unwrap_or(ins.span),
                DiagnosticKind::JsonLookalike {
                    keyword: ins.keyword.upper(),
                },
            );
        }
    }
}

/// The instruction as both builders print it in a step line: the logical
/// line with surrounding whitespace trimmed (Go's `strings.TrimSpace` over
/// the node's original text), so `RUN ls . ` reads `RUN ls .`. The AST keeps
/// the untrimmed text for the editor.
fn printed_text(ins: &Instruction) -> String {
    ins.original.trim().to_string()
}

/// `ENV key value` (no `=` in the first word) — BuildKit reads the rest of
/// the line as the value.
fn legacy_key_value_form(ins: &Instruction) -> bool {
    let rest = ins
        .original
        .get(ins.keyword_text.len()..)
        .unwrap_or("")
        .trim_start();
    let first_word = rest.split_whitespace().next().unwrap_or("");
    !first_word.contains('=')
}

fn shell_or_exec(ins: &Instruction) -> ShellOrExec {
    if ins.json {
        ShellOrExec::Exec(ins.values().map(str::to_string).collect())
    } else {
        ShellOrExec::Shell(ins.values().next().unwrap_or("").to_string())
    }
}

fn heredocs(ins: &Instruction) -> Vec<HeredocBody> {
    ins.heredocs
        .iter()
        .map(|h| HeredocBody {
            name: h.name.clone(),
            content: h.content.clone(),
            chomp: h.chomp,
            quoted: h.quoted,
        })
        .collect()
}

fn flag_value(flags: &[Flag], name: &str) -> Option<String> {
    flags
        .iter()
        .rev()
        .find(|f| f.name == name)
        .map(|f| f.value.clone().unwrap_or_default())
}

fn flag_values(flags: &[Flag], name: &str) -> Vec<String> {
    flags
        .iter()
        .filter(|f| f.name == name)
        .filter_map(|f| f.value.clone())
        .collect()
}

fn flag_bool(flags: &[Flag], name: &str) -> bool {
    flags
        .iter()
        .rev()
        .find(|f| f.name == name)
        .is_some_and(|f| {
            f.value
                .as_deref()
                .is_none_or(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1"))
        })
}

fn flag_span(flags: &[Flag], name: &str) -> Option<Span> {
    flags.iter().find(|f| f.name == name).map(|f| f.span)
}

/// BuildKit: `^[a-z][a-z0-9-_\.]*$` on the lower-cased name.
fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
}

/// The keyword nearest to a misspelt one (edit distance ≤ 2).
fn closest_keyword(word: &str) -> Option<Keyword> {
    Keyword::ALL
        .into_iter()
        .map(|k| (edit_distance(&k.upper(), word), k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_follow_buildkit() {
        assert!(valid_stage_name("builder"));
        assert!(valid_stage_name("build-1.x_y"));
        assert!(!valid_stage_name("1build"));
        assert!(!valid_stage_name("bu!ld"));
        assert!(!valid_stage_name(""));
    }

    #[test]
    fn a_bad_mount_option_is_reported_at_its_field_in_both_languages() {
        let src = "FROM busybox\nRUN --mount=type=cache,target=/c,sharing=all true\n";
        let plan = analyze(&crate::dockerfile::parse(src).unwrap());
        let d = plan.errors().next().expect("an error");
        assert_eq!((d.span.line, d.span.column), (2, 34));
        assert_eq!(&src[d.span.start..d.span.start + 11], "sharing=all");
        let en = d.render_in(crate::messages::Lang::En, "Dockerfile", src);
        assert!(en.contains("unsupported sharing value \"all\""), "{en}");
        assert!(en.contains("--> Dockerfile:2:34"), "{en}");
        let ko = d.render_in(crate::messages::Lang::Ko, "Dockerfile", src);
        assert!(ko.contains("지원하지 않는 sharing 값: \"all\""), "{ko}");
        assert!(ko.contains("--> Dockerfile:2:34"), "{ko}");
    }

    #[test]
    fn mounts_resolve_their_stage_and_name_what_layerlab_cannot_give() {
        let src = "FROM busybox AS tools\nRUN true\nFROM busybox\nRUN --mount=from=tools,source=/bin,target=/t --mount=type=secret,id=token ls /t\n";
        let plan = analyze(&crate::dockerfile::parse(src).unwrap());
        assert!(plan.errors().next().is_none(), "{:?}", plan.diagnostics);
        let CommandKind::Run(run) = &plan.stages[1].commands[0].kind else {
            panic!("a RUN");
        };
        assert_eq!(run.mounts.len(), 2);
        assert_eq!(run.mounts[0].from_stage, Some(0));
        assert!(plan.diagnostics.iter().any(|d| matches!(
            &d.kind,
            DiagnosticKind::MountNotProvided { kind, target, .. }
                if kind == "secret" && target == "/run/secrets/token"
        )));
        let bad = "FROM busybox\nRUN --mount=from=1,target=/t true\n";
        let plan = analyze(&crate::dockerfile::parse(bad).unwrap());
        assert!(matches!(
            plan.errors().next().map(|d| &d.kind),
            Some(DiagnosticKind::InvalidFromStage { index: 1, .. })
        ));
    }

    #[test]
    fn a_healthcheck_option_docker_cannot_read_is_a_parse_error() {
        let error = |src: &str| {
            let plan = analyze(&crate::dockerfile::parse(src).unwrap());
            let d = plan.errors().next().map(|d| (d.span.line, d.message()));
            d
        };
        let bad = "FROM busybox\nHEALTHCHECK --interval=bad CMD true\n";
        assert_eq!(
            error(bad),
            Some((2, "time: invalid duration \"bad\"".to_string()))
        );
        let bad = "FROM busybox\nHEALTHCHECK --retries=x CMD true\n";
        let (_, message) = error(bad).expect("an error");
        assert_eq!(message, "strconv.ParseInt: parsing \"x\": invalid syntax");
        let good = "FROM busybox\nHEALTHCHECK --interval=1m30s --timeout= --retries=3 CMD true\n";
        assert_eq!(error(good), None);
    }

    #[test]
    fn step_texts_are_trimmed_of_trailing_whitespace() {
        let src = "ARG A=1 \t\nFROM busybox  \nRUN ls -l . \nWORKDIR /w\t\n";
        let plan = analyze(&crate::dockerfile::parse(src).unwrap());
        assert_eq!(plan.global_commands[0].text, "ARG A=1");
        assert_eq!(plan.stages[0].text, "FROM busybox");
        let texts: Vec<&str> = plan.stages[0]
            .commands
            .iter()
            .map(|c| c.text.as_str())
            .collect();
        assert_eq!(texts, ["RUN ls -l .", "WORKDIR /w"]);
    }

    #[test]
    fn misspelt_keywords_get_a_suggestion() {
        assert_eq!(closest_keyword("RUNN"), Some(Keyword::Run));
        assert_eq!(closest_keyword("COPPY"), Some(Keyword::Copy));
        assert_eq!(closest_keyword("WORKDIT"), Some(Keyword::Workdir));
        assert_eq!(closest_keyword("XYZZYQ"), None);
    }
}
