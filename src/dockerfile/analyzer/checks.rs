//! BuildKit's build checks (`docker build --check`, Dockerfile frontend 1.8
//! and later): the rules a learner's Docker prints as warnings, with
//! BuildKit's rule names and messages, at the line of the instruction they
//! are about. They are kept apart from the analyzer's own warnings because
//! Docker 20.10, which the builders follow, prints none of them on a build.

use crate::dockerfile::analyzer::{Command, CommandKind, Plan, ShellOrExec, Stage};
use crate::dockerfile::ast::{Instruction, Keyword};
use crate::dockerfile::diagnostic::DiagnosticKind;
use crate::dockerfile::expand::{self, Env};
use crate::dockerfile::{Diagnostic, Dockerfile, Span};
use crate::limits;
use std::collections::{BTreeMap, BTreeSet};

/// For a COPY or ADD source, the path as BuildKit names it when the
/// context's `.dockerignore` excludes it.
pub type IgnoredSource<'a> = &'a dyn Fn(&str) -> Option<String>;

/// What some checks need from outside the Dockerfile. The analyzer stays
/// pure: whoever has the build context reads it and answers here.
#[derive(Default, Clone, Copy)]
pub struct CheckInputs<'a> {
    /// CopyIgnoredFile: for a COPY or ADD source from the context (its
    /// variables expanded), the path as BuildKit names it when the context's
    /// `.dockerignore` excludes it. `None`: no context at hand (the rule
    /// does not run).
    pub ignored: Option<IgnoredSource<'a>>,
    /// InvalidDefaultArgInFrom: whether a text is a valid image reference
    /// (Docker's `ParseNormalizedNamed`). `None`: the rule does not run.
    pub valid_reference: Option<&'a dyn Fn(&str) -> bool>,
}

/// The platform every build targets: the catalog's only one
/// (`engine::catalog::PLATFORM`), as BuildKit's automatic platform ARGs
/// spell it.
const PLATFORM_ARGS: [(&str, &str); 10] = [
    ("BUILDPLATFORM", "linux/amd64"),
    ("BUILDOS", "linux"),
    ("BUILDOSVERSION", ""),
    ("BUILDARCH", "amd64"),
    ("BUILDVARIANT", ""),
    ("TARGETPLATFORM", "linux/amd64"),
    ("TARGETOS", "linux"),
    ("TARGETOSVERSION", ""),
    ("TARGETARCH", "amd64"),
    ("TARGETVARIANT", ""),
];

/// Names BuildKit never reports as undefined (its SBOM scan settings).
const NON_ENV_ARGS: [&str; 2] = ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// What the checks know about a stage at a point in it.
#[derive(Debug, Clone, Default)]
struct Scope {
    /// ARG and ENV names with a value, as far as the file tells them (the
    /// names BuildKit suggests for a misspelt one).
    vars: Env,
    /// ARGs declared without a value: set, for BuildKit, though empty.
    bare_args: BTreeSet<String>,
    /// An absolute WORKDIR was declared (here or in a stage this one
    /// starts from).
    absolute_workdir: bool,
    /// The stage set a SHELL: shell-form CMD/ENTRYPOINT is then deliberate.
    shell_set: bool,
}

/// The ARGs before the first FROM, as the FROM lines see them.
struct Globals {
    /// The platform ARGs and every global ARG with a value.
    env: Env,
    /// What a FROM line may name: every global ARG, with a value or not,
    /// and the platform ARGs.
    known: BTreeSet<String>,
}

/// The build checks of `file`, ordered by line as `docker build --check`
/// prints them. `plan` is the analyzer's plan of the same file (checks run
/// only on a file without errors BuildKit would make).
pub fn build_checks(file: &Dockerfile, plan: &Plan, inputs: CheckInputs<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    empty_continuations(file, plan, &mut out);
    stage_names(plan, &mut out);
    instruction_casing(file, plan, &mut out);
    let globals = globals(plan);
    if let Some(valid) = inputs.valid_reference {
        default_base_names(plan, &globals, valid, &mut out);
    }
    let mut ends: BTreeMap<usize, Scope> = BTreeMap::new();
    for stage in &plan.stages {
        if let Some(from) = file.instructions.get(stage.instruction) {
            from_checks(from, &mut out);
        }
        from_args(plan, stage, &globals, &mut out);
        let mut scope = match plan.stage_by_name(&stage.base).and_then(|b| ends.get(&b)) {
            // A stage started from an earlier one keeps its ENV and WORKDIR
            // (and its ARG values, which BuildKit keeps in the environment).
            Some(base) => Scope {
                shell_set: false,
                ..base.clone()
            },
            // An image's own environment is not known without pulling it;
            // PATH is in every image the builders start from.
            None => {
                let mut vars = Env::new();
                vars.set("PATH", "");
                Scope {
                    vars,
                    ..Scope::default()
                }
            }
        };
        let mut once = OnceTracker::default();
        for cmd in &stage.commands {
            let ctx = Ctx {
                file,
                plan,
                globals: &globals,
                inputs,
            };
            check_command(&ctx, cmd, &mut scope, &mut out);
            once.see(file, cmd, &mut out);
        }
        ends.insert(stage.index, scope);
    }
    // BuildKit sorts by line; within a line, the order found is kept.
    out.sort_by_key(|d| d.span.line);
    out
}

/// What every command's checks read.
struct Ctx<'a> {
    file: &'a Dockerfile,
    plan: &'a Plan,
    globals: &'a Globals,
    inputs: CheckInputs<'a>,
}

/// The keyword as written (BuildKit names a command so in its messages).
fn written(file: &Dockerfile, cmd: &Command) -> String {
    file.instructions.get(cmd.instruction).map_or_else(
        || cmd.keyword().upper(),
        |i| i.keyword_text.trim().to_string(),
    )
}

/// NoEmptyContinuation: the parser noticed an empty line inside an
/// instruction; BuildKit reports it at the instruction's last line.
fn empty_continuations(file: &Dockerfile, plan: &Plan, out: &mut Vec<Diagnostic>) {
    for w in &plan.diagnostics {
        if !matches!(w.kind, DiagnosticKind::EmptyContinuationLine { .. }) {
            continue;
        }
        // The instructions are in line order: the last one starting at or
        // before the empty line holds it.
        let after = file
            .instructions
            .partition_point(|i| i.span.line <= w.span.line);
        let Some(ins) = after
            .checked_sub(1)
            .and_then(|i| file.instructions.get(i))
            .filter(|i| w.span.line <= i.end_line)
        else {
            continue;
        };
        let line_start = (file.source.get(..ins.span.end))
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1)
            .max(ins.span.start);
        let span = Span {
            line: ins.end_line,
            column: 1,
            start: line_start,
            end: ins.span.end,
        };
        out.push(warn(span, DiagnosticKind::CheckNoEmptyContinuation));
    }
}

/// ReservedStageName and DuplicateStageName, on the lower-cased names.
fn stage_names(plan: &Plan, out: &mut Vec<Diagnostic>) {
    let mut seen = BTreeSet::new();
    for stage in &plan.stages {
        let Some(name) = &stage.name else {
            continue;
        };
        if name == "scratch" || name == "context" {
            out.push(warn(
                stage.span,
                DiagnosticKind::CheckReservedStageName { name: name.clone() },
            ));
        }
        if !seen.insert(name.clone()) {
            out.push(warn(
                stage.span,
                DiagnosticKind::CheckDuplicateStageName { name: name.clone() },
            ));
        }
    }
}

/// ConsistentInstructionCasing: the instructions of the stages (not the
/// global ARGs) written all upper or all lower case vote; a tie is upper.
/// Every keyword that does not match the majority is reported.
fn instruction_casing(file: &Dockerfile, plan: &Plan, out: &mut Vec<Diagnostic>) {
    let in_stages: Vec<&Instruction> = plan
        .stages
        .iter()
        .flat_map(|s| {
            std::iter::once(s.instruction).chain(s.commands.iter().map(|c| c.instruction))
        })
        .filter_map(|i| file.instructions.get(i))
        .collect();
    let (mut lower, mut upper) = (0, 0);
    for ins in &in_stages {
        let word = ins.keyword_text.trim();
        if word == word.to_ascii_lowercase() {
            lower += 1;
        } else if word == word.to_ascii_uppercase() {
            upper += 1;
        }
    }
    let majority_lower = lower > upper;
    for ins in in_stages {
        let word = ins.keyword_text.trim();
        let fits = if majority_lower {
            word == word.to_ascii_lowercase()
        } else {
            word == word.to_ascii_uppercase()
        };
        if !fits {
            out.push(warn(
                ins.span,
                DiagnosticKind::CheckConsistentInstructionCasing {
                    command: word.to_string(),
                    lower: majority_lower,
                },
            ));
        }
    }
}

/// The global scope: BuildKit's platform ARGs, then each global ARG's
/// default expanded over what comes before it (nothing is reported there).
fn globals(plan: &Plan) -> Globals {
    let mut env = Env::new();
    for (name, value) in PLATFORM_ARGS {
        env.set(name, value);
    }
    let target = plan
        .stages
        .last()
        .and_then(|s| s.name.clone())
        .unwrap_or_else(|| "default".to_string());
    env.set("TARGETSTAGE", target);
    let mut declared = BTreeSet::new();
    for cmd in &plan.global_commands {
        let CommandKind::Arg(decls) = &cmd.kind else {
            continue;
        };
        for d in decls {
            declared.insert(d.name.clone());
            if let Some(default) = &d.default {
                let value = expand::expand_word(default, plan.escape, &env)
                    .map_or_else(|_| default.clone(), |e| e.value);
                env.set(d.name.clone(), value);
            }
        }
    }
    let mut known = declared;
    known.extend(env.iter().map(|(k, _)| k.to_string()));
    Globals { env, known }
}

/// InvalidDefaultArgInFrom: with no build arguments given, every FROM
/// must still name a valid image. BuildKit gives up on the rule at the
/// first image it cannot expand.
fn default_base_names(
    plan: &Plan,
    globals: &Globals,
    valid: &dyn Fn(&str) -> bool,
    out: &mut Vec<Diagnostic>,
) {
    for stage in &plan.stages {
        let Ok(e) = expand::expand_word(&stage.base, plan.escape, &globals.env) else {
            return;
        };
        if !valid(&e.value) {
            out.push(warn(
                stage.span,
                DiagnosticKind::CheckInvalidDefaultArgInFrom {
                    base: stage.base.clone(),
                },
            ));
        }
    }
}

/// UndefinedArgInFrom, RedundantTargetPlatform and
/// FromPlatformFlagConstDisallowed: the FROM line's image and platform
/// against the global ARGs.
fn from_args(plan: &Plan, stage: &Stage, globals: &Globals, out: &mut Vec<Diagnostic>) {
    let known = &globals.known;
    let undeclared = |unmatched: &[String], out: &mut Vec<Diagnostic>| {
        for name in unmatched.iter().filter(|n| !known.contains(*n)) {
            out.push(warn(
                stage.span,
                DiagnosticKind::CheckUndefinedArgInFrom {
                    name: name.clone(),
                    suggestion: suggest(name, known.iter().map(String::as_str)),
                },
            ));
        }
    };
    if let Ok(e) = expand::expand_word(&stage.base, plan.escape, &globals.env) {
        undeclared(&e.unmatched, out);
    }
    let Some(platform) = &stage.platform else {
        return;
    };
    let Ok(e) = expand::expand_word(platform, plan.escape, &globals.env) else {
        return;
    };
    undeclared(&e.unmatched, out);
    let target = globals.env.get("TARGETPLATFORM");
    if e.unmatched.is_empty() && e.used == ["TARGETPLATFORM"] && target == Some(e.value.as_str()) {
        out.push(warn(
            stage.span,
            DiagnosticKind::CheckRedundantTargetPlatform {
                platform: platform.clone(),
            },
        ));
    }
    if e.used.is_empty() {
        if let Some((os, arch)) = parse_platform(&e.value) {
            let name = stage.name.as_deref().unwrap_or("");
            if !name.contains(&os) && !name.contains(&arch) {
                out.push(warn(
                    stage.span,
                    DiagnosticKind::CheckFromPlatformFlagConstDisallowed { platform: e.value },
                ));
            }
        }
    }
}

/// A platform's OS and architecture, as containerd's `platforms.Parse`
/// reads `os[/arch[/variant]]` (one word is an OS or an architecture, the
/// other taken from the host: linux/amd64). `None` when it does not parse.
fn parse_platform(text: &str) -> Option<(String, String)> {
    const OSES: [&str; 12] = [
        "aix",
        "android",
        "darwin",
        "dragonfly",
        "freebsd",
        "illumos",
        "ios",
        "linux",
        "netbsd",
        "openbsd",
        "solaris",
        "windows",
    ];
    let parts: Vec<String> = text.split('/').map(str::to_ascii_lowercase).collect();
    let identifier = |p: &String| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    if parts.is_empty() || parts.len() > 3 || !parts.iter().all(identifier) {
        return None;
    }
    let arch = |a: &str| {
        match a {
            "x86_64" | "x86-64" => "amd64",
            "aarch64" => "arm64",
            "i386" => "386",
            "armhf" | "armel" => "arm",
            other => other,
        }
        .to_string()
    };
    match parts.as_slice() {
        [one] if OSES.contains(&one.as_str()) => Some((one.clone(), "amd64".to_string())),
        [one] => Some(("linux".to_string(), arch(one))),
        [os, a, ..] => Some((os.clone(), arch(a))),
        [] => None,
    }
}

/// The name nearest to `name` (fewer than three edits), as BuildKit's
/// `suggest.Search` picks it: the first of the closest, case-sensitive.
fn suggest<'a>(name: &str, options: impl Iterator<Item = &'a str>) -> Option<String> {
    if name.len() > limits::NAME_MAX {
        return None;
    }
    let chars = name.chars().count();
    let mut best: Option<(usize, &str)> = None;
    for option in options.take(limits::SUGGESTION_CANDIDATES) {
        if option == name {
            return None;
        }
        // The distance is at least the difference in length: skip the
        // comparison when that alone is too far.
        if option.len() > limits::NAME_MAX || option.chars().count().abs_diff(chars) >= 3 {
            continue;
        }
        let d = crate::dockerfile::analyzer::edit_distance(name, option);
        if d < 3 && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, option));
        }
    }
    best.map(|(_, o)| o.to_string())
}

/// FromAsCasing and StageNameCasing, from the FROM line as written.
fn from_checks(from: &Instruction, out: &mut Vec<Diagnostic>) {
    let words: Vec<&str> = from.values().collect();
    let [_, as_kw, name] = words.as_slice() else {
        return;
    };
    let keyword = from.keyword_text.trim();
    let upper = keyword == keyword.to_ascii_uppercase();
    let lower = keyword == keyword.to_ascii_lowercase();
    let as_matches = if upper {
        *as_kw == as_kw.to_ascii_uppercase()
    } else if lower {
        *as_kw == as_kw.to_ascii_lowercase()
    } else {
        true
    };
    if !as_matches {
        out.push(warn(
            from.span,
            DiagnosticKind::CheckFromAsCasing {
                from: keyword.to_string(),
                as_keyword: as_kw.to_string(),
            },
        ));
    }
    if *name != name.to_ascii_lowercase() {
        out.push(warn(
            from.span,
            DiagnosticKind::CheckStageNameCasing {
                name: name.to_string(),
            },
        ));
    }
}

/// MultipleInstructionsDisallowed: of CMD, ENTRYPOINT and HEALTHCHECK only
/// a stage's last counts; BuildKit reports the one before, which is lost,
/// naming the keyword as the later one writes it.
#[derive(Default)]
struct OnceTracker {
    cmd: Option<Span>,
    entrypoint: Option<Span>,
    healthcheck: Option<Span>,
}

impl OnceTracker {
    fn see(&mut self, file: &Dockerfile, cmd: &Command, out: &mut Vec<Diagnostic>) {
        let slot = match cmd.keyword() {
            Keyword::Cmd => &mut self.cmd,
            Keyword::Entrypoint => &mut self.entrypoint,
            Keyword::Healthcheck => &mut self.healthcheck,
            _ => return,
        };
        if let Some(previous) = slot.replace(cmd.span) {
            out.push(warn(
                previous,
                DiagnosticKind::CheckMultipleInstructionsDisallowed {
                    keyword: written(file, cmd),
                },
            ));
        }
    }
}

fn warn(span: Span, kind: DiagnosticKind) -> Diagnostic {
    Diagnostic::warning(span, kind)
}

fn check_command(ctx: &Ctx<'_>, cmd: &Command, scope: &mut Scope, out: &mut Vec<Diagnostic>) {
    let (file, plan) = (ctx.file, ctx.plan);
    let span = cmd.span;
    // Reports the undefined names in `word`; gives its value.
    let undefined = |word: &str, scope: &Scope, out: &mut Vec<Diagnostic>| match expand::expand_word(
        word,
        plan.escape,
        &scope.vars,
    ) {
        Ok(e) => {
            for name in e.unmatched {
                if scope.bare_args.contains(&name) || NON_ENV_ARGS.contains(&name.as_str()) {
                    continue;
                }
                let suggestion = suggest(&name, scope.vars.iter().map(|(k, _)| k));
                out.push(warn(
                    span,
                    DiagnosticKind::CheckUndefinedVar { name, suggestion },
                ));
            }
            e.value
        }
        Err(_) => word.to_string(),
    };
    let secret = |keyword: Keyword, name: &str, out: &mut Vec<Diagnostic>| {
        if looks_secret(name) {
            out.push(warn(
                span,
                DiagnosticKind::CheckSecretsUsedInArgOrEnv {
                    keyword: keyword.upper(),
                    name: name.to_string(),
                },
            ));
        }
    };
    let legacy = file
        .instructions
        .get(cmd.instruction)
        .is_some_and(legacy_key_value_form);
    match &cmd.kind {
        CommandKind::Arg(decls) => {
            for d in decls {
                secret(Keyword::Arg, &d.name, out);
                let value = match &d.default {
                    Some(default) => Some(undefined(default, scope, out)),
                    // A bare ARG takes the global ARG's value, if it has one.
                    None => ctx.globals.env.get(&d.name).map(str::to_string),
                };
                match value {
                    Some(v) => {
                        scope.bare_args.remove(&d.name);
                        scope.vars.set(d.name.clone(), v);
                    }
                    None => {
                        scope.bare_args.insert(d.name.clone());
                    }
                }
            }
        }
        CommandKind::Env(pairs) | CommandKind::Label(pairs) => {
            let keyword = cmd.keyword();
            if legacy {
                out.push(warn(
                    span,
                    DiagnosticKind::CheckLegacyKeyValueFormat {
                        keyword: written(file, cmd),
                    },
                ));
            }
            // One ENV's values all expand in the scope before it.
            let mut values = Vec::new();
            for (name, value) in pairs {
                values.push((name.clone(), undefined(value, scope, out)));
                if keyword == Keyword::Env {
                    secret(Keyword::Env, name, out);
                }
            }
            if keyword == Keyword::Env {
                for (name, value) in values {
                    scope.vars.set(name, value);
                }
            }
        }
        CommandKind::Workdir(path) => {
            // BuildKit judges the path with its variables expanded.
            if undefined(path, scope, out).starts_with('/') {
                scope.absolute_workdir = true;
            } else if !scope.absolute_workdir {
                out.push(warn(
                    span,
                    DiagnosticKind::CheckWorkdirRelativePath { path: path.clone() },
                ));
            }
        }
        CommandKind::Copy(copy) => {
            for word in [&copy.chown, &copy.chmod].into_iter().flatten() {
                undefined(word, scope, out);
            }
            let mut sources = Vec::new();
            for word in &copy.sources {
                sources.push(undefined(word, scope, out));
            }
            undefined(&copy.dest, scope, out);
            // Only what comes from the context can be ignored by it.
            if let (None, Some(ignored)) = (&copy.from, ctx.inputs.ignored) {
                for src in sources.iter().filter(|s| from_context(s)) {
                    if let Some(path) = ignored(src) {
                        out.push(warn(
                            span,
                            DiagnosticKind::CheckCopyIgnoredFile {
                                add: copy.add,
                                path,
                            },
                        ));
                    }
                }
            }
        }
        CommandKind::User(word) | CommandKind::StopSignal(word) => {
            undefined(word, scope, out);
        }
        CommandKind::Volume(words) => {
            for w in words {
                undefined(w, scope, out);
            }
        }
        CommandKind::Expose(words) => {
            // EXPOSE expands on its own, without reporting undefined names.
            for w in words {
                let ports = expand::expand_words(w, plan.escape, &scope.vars)
                    .unwrap_or_else(|_| vec![w.clone()]);
                for port in ports {
                    expose_checks(span, &port, out);
                }
            }
        }
        CommandKind::Shell(_) => scope.shell_set = true,
        CommandKind::Cmd(ShellOrExec::Shell(_))
        | CommandKind::Entrypoint(ShellOrExec::Shell(_))
            if !scope.shell_set =>
        {
            out.push(warn(
                span,
                DiagnosticKind::CheckJsonArgsRecommended {
                    keyword: written(file, cmd),
                },
            ));
        }
        CommandKind::Maintainer(_) => {
            out.push(warn(span, DiagnosticKind::CheckMaintainerDeprecated));
        }
        _ => {}
    }
}

/// A COPY/ADD source read from the build context: not a heredoc, a URL or
/// a git repository.
fn from_context(src: &str) -> bool {
    !["<<", "http://", "https://", "git@", "git://"]
        .iter()
        .any(|p| src.starts_with(p))
}

/// ExposeProtoCasing and ExposeInvalidFormat on one `[ip:]host:port/proto`
/// word, as BuildKit splits it (only a word whose protocol it knows).
fn expose_checks(span: Span, port: &str, out: &mut Vec<Diagnostic>) {
    let parts: Vec<&str> = port.split(':').collect();
    let (ip, host, container) = match parts.as_slice() {
        [c] => (String::new(), "", *c),
        [ip @ .., h, c] => (ip.join(":"), *h, *c),
        [] => return,
    };
    let (number, proto) = container.split_once('/').unwrap_or((container, ""));
    let known = matches!(
        proto.to_ascii_lowercase().as_str(),
        "" | "tcp" | "udp" | "sctp"
    );
    if number.is_empty() || !known {
        return;
    }
    if proto != proto.to_ascii_lowercase() {
        out.push(warn(
            span,
            DiagnosticKind::CheckExposeProtoCasing {
                port: port.to_string(),
            },
        ));
    }
    if !ip.is_empty() || !host.is_empty() {
        out.push(warn(
            span,
            DiagnosticKind::CheckExposeInvalidFormat {
                port: port.to_string(),
            },
        ));
    }
}

/// `ENV key value` / `LABEL key value`: the first word has no `=`.
fn legacy_key_value_form(ins: &Instruction) -> bool {
    matches!(ins.keyword, Keyword::Env | Keyword::Label)
        && ins
            .original
            .get(ins.keyword_text.len()..)
            .unwrap_or("")
            .split_whitespace()
            .next()
            .is_some_and(|w| !w.contains('='))
}

/// BuildKit's test for a name that holds a secret: one of its words
/// (split on `_`, any case) names a credential, and none says it is not
/// one (`public`, `file`, `version`).
fn looks_secret(name: &str) -> bool {
    const SECRET_WORDS: [&str; 10] = [
        "apikey",
        "auth",
        "credential",
        "credentials",
        "key",
        "password",
        "pword",
        "passwd",
        "secret",
        "token",
    ];
    const ALLOWED_WORDS: [&str; 3] = ["public", "file", "version"];
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split('_').collect();
    words.iter().any(|w| SECRET_WORDS.contains(w))
        && !words.iter().any(|w| ALLOWED_WORDS.contains(w))
}

#[cfg(test)]
mod tests {
    use crate::dockerfile::compile;
    use crate::engine::checks::build_checks;
    use crate::engine::dockerignore::DockerIgnore;

    const NONE: [&str; 0] = [];

    /// `(rule, line, English message)` of every check on `text`, in a
    /// context with `dockerignore` as its `.dockerignore`.
    fn checks_in(text: &str, dockerignore: Option<&str>) -> Vec<(&'static str, usize, String)> {
        let compiled = compile(text);
        assert!(
            compiled.error().is_none_or(|e| e.kind.classic_only()),
            "{text:?} has errors"
        );
        let ignore = dockerignore.map(|t| DockerIgnore::parse(t).expect("patterns parse"));
        build_checks(&compiled, ignore.as_ref())
            .iter()
            .map(|d| (d.kind.check_rule().unwrap().0, d.span.line, d.message()))
            .collect()
    }

    fn checks(text: &str) -> Vec<(&'static str, usize, String)> {
        checks_in(text, None)
    }

    fn rules(text: &str) -> Vec<&'static str> {
        checks(text).into_iter().map(|c| c.0).collect()
    }

    /// One rule's findings as `(line, message)`.
    fn only(rule: &str, text: &str) -> Vec<(usize, String)> {
        checks(text)
            .into_iter()
            .filter(|c| c.0 == rule)
            .map(|c| (c.1, c.2))
            .collect()
    }

    fn found(line: usize, message: &str) -> Vec<(usize, String)> {
        vec![(line, message.to_string())]
    }

    const NOTHING: Vec<(usize, String)> = Vec::new();

    #[test]
    fn a_clean_file_has_no_warnings() {
        let text = "FROM busybox AS build\nARG VERSION=1\nENV APP_HOME=/srv/app\n\
                    WORKDIR $APP_HOME\nCOPY app-${VERSION}.txt ./\nWORKDIR sub\n\
                    CMD [\"sh\", \"-c\", \"cat app.txt\"]\n";
        assert_eq!(checks(text), Vec::new());
    }

    #[test]
    fn json_args_recommended() {
        assert_eq!(
            checks("FROM busybox\nENTRYPOINT sh -c 'exec httpd'\n"),
            [(
                "JSONArgsRecommended",
                2,
                "JSON arguments recommended for ENTRYPOINT to prevent unintended behavior \
                 related to OS signals"
                    .to_string()
            )]
        );
        assert_eq!(rules("FROM busybox\nCMD [\"httpd\", \"-f\"]\n"), NONE);
        // An explicit SHELL makes the shell form deliberate.
        assert_eq!(
            rules("FROM busybox\nSHELL [\"/bin/sh\", \"-ec\"]\nCMD httpd -f\n"),
            NONE
        );
    }

    #[test]
    fn from_as_casing() {
        assert_eq!(
            checks("FROM busybox as base\nRUN true\n"),
            [(
                "FromAsCasing",
                1,
                "'as' and 'FROM' keywords' casing do not match".to_string()
            )]
        );
        assert_eq!(rules("from busybox as base\n"), NONE);
        assert_eq!(rules("FROM busybox AS base\n"), NONE);
    }

    #[test]
    fn stage_name_casing() {
        assert_eq!(
            checks("FROM busybox AS BuildBase\nRUN true\n"),
            [(
                "StageNameCasing",
                1,
                "Stage name 'BuildBase' should be lowercase".to_string()
            )]
        );
        assert_eq!(rules("FROM busybox AS build-base\n"), NONE);
    }

    #[test]
    fn undefined_var() {
        assert_eq!(
            checks("FROM busybox\nARG VERSION=1\nCOPY app-$VERSON.txt /app/\n"),
            [(
                "UndefinedVar",
                3,
                "Usage of undefined variable '$VERSON' (did you mean $VERSION?)".to_string()
            )]
        );
        // Nothing near enough: no suggestion.
        assert_eq!(
            only("UndefinedVar", "FROM busybox\nWORKDIR /srv/$APP_DIR\n"),
            found(2, "Usage of undefined variable '$APP_DIR'")
        );
        // Declared before use, inherited from a stage, or from the image.
        let good = "FROM busybox AS base\nENV DIR=/data\nFROM base\nARG NAME\n\
                    ENV PATH=$PATH:$DIR/bin\nCOPY $NAME $DIR/\n";
        assert_eq!(rules(good), NONE);
        // A global ARG is out of scope in a stage until declared again.
        assert_eq!(
            rules("ARG V=1\nFROM busybox\nLABEL v=$V\n"),
            ["UndefinedVar"]
        );
        // RUN's variables belong to its shell.
        assert_eq!(rules("FROM busybox\nRUN echo $HOME\n"), NONE);
    }

    #[test]
    fn workdir_relative_path() {
        assert_eq!(
            checks("FROM busybox\nWORKDIR app\n"),
            [(
                "WorkdirRelativePath",
                2,
                "Relative workdir \"app\" can have unexpected results if the base image \
                 changes"
                    .to_string()
            )]
        );
        assert_eq!(rules("FROM busybox\nWORKDIR /srv\nWORKDIR app\n"), NONE);
        // The absolute WORKDIR of the stage this one starts from counts.
        assert_eq!(
            rules("FROM busybox AS base\nWORKDIR /srv\nFROM base\nWORKDIR app\n"),
            NONE
        );
    }

    #[test]
    fn secrets_used_in_arg_or_env() {
        assert_eq!(
            checks("FROM busybox\nARG AWS_SECRET_ACCESS_KEY\nENV api_token=x\n"),
            [
                (
                    "SecretsUsedInArgOrEnv",
                    2,
                    "Do not use ARG or ENV instructions for sensitive data (ARG \
                     \"AWS_SECRET_ACCESS_KEY\")"
                        .to_string()
                ),
                (
                    "SecretsUsedInArgOrEnv",
                    3,
                    "Do not use ARG or ENV instructions for sensitive data (ENV \"api_token\")"
                        .to_string()
                )
            ]
        );
        // Words inside a name do not count, nor a public key.
        assert_eq!(
            rules("FROM busybox\nARG MONKEY=1\nENV PUBLIC_KEY=abc TOKENIZER=x\n"),
            NONE
        );
    }

    #[test]
    fn maintainer_deprecated() {
        assert_eq!(
            checks("FROM busybox\nMAINTAINER Kim <kim@example.com>\n"),
            [(
                "MaintainerDeprecated",
                2,
                "Maintainer instruction is deprecated in favor of using label".to_string()
            )]
        );
        assert_eq!(
            rules("FROM busybox\nLABEL org.opencontainers.image.authors=kim\n"),
            NONE
        );
    }

    #[test]
    fn legacy_key_value_format() {
        assert_eq!(
            checks("FROM busybox\nENV MODE production\n"),
            [(
                "LegacyKeyValueFormat",
                2,
                "\"ENV key=value\" should be used instead of legacy \"ENV key value\" format"
                    .to_string()
            )]
        );
        assert_eq!(
            rules("FROM busybox\nLABEL version 2\n"),
            ["LegacyKeyValueFormat"]
        );
        assert_eq!(rules("FROM busybox\nENV MODE=production\n"), NONE);
    }

    #[test]
    fn checks_stay_out_of_the_plan() {
        // A normal build's warnings do not include the build checks: Docker
        // 20.10 prints none of them.
        let compiled = compile("FROM busybox as Base\nWORKDIR app\n");
        let (_, plan) = compiled.parsed().unwrap();
        assert!(plan
            .diagnostics
            .iter()
            .all(|d| d.kind.check_rule().is_none()));
        assert_eq!(build_checks(&compiled, None).len(), 3);
    }

    #[test]
    fn no_empty_continuation() {
        // Reported at the instruction's last line, as BuildKit does.
        assert_eq!(
            only(
                "NoEmptyContinuation",
                "FROM busybox\nEXPOSE \\\n\n80\nRUN true\n"
            ),
            found(4, "Empty continuation line")
        );
        // A comment line inside the continuation is not empty.
        assert_eq!(
            only(
                "NoEmptyContinuation",
                "FROM busybox\nEXPOSE \\\n# port\n80\n"
            ),
            NOTHING
        );
    }

    #[test]
    fn consistent_instruction_casing() {
        assert_eq!(
            only(
                "ConsistentInstructionCasing",
                "FROM busybox\nRUN echo hi > /greeting.txt\nEntryPoint [\"cat\", \"/greeting.txt\"]\n"
            ),
            found(
                3,
                "Command 'EntryPoint' should match the case of the command majority (uppercase)"
            )
        );
        // A consistent keyword against a lower-case majority.
        assert_eq!(
            only(
                "ConsistentInstructionCasing",
                "from busybox\nrun true\nCMD [\"sh\"]\n"
            ),
            found(
                3,
                "Command 'CMD' should match the case of the command majority (lowercase)"
            )
        );
        assert_eq!(
            only(
                "ConsistentInstructionCasing",
                "from busybox\nrun echo hi\nentrypoint [\"cat\"]\n"
            ),
            NOTHING
        );
        // Global ARGs do not vote and are not judged.
        assert_eq!(
            only(
                "ConsistentInstructionCasing",
                "arg V=1\nFROM busybox\nRUN true\n"
            ),
            NOTHING
        );
    }

    #[test]
    fn duplicate_stage_name() {
        // The classic builder refuses the name; BuildKit's check reports it
        // at the second FROM, lower-cased.
        assert_eq!(
            only(
                "DuplicateStageName",
                "FROM busybox AS builder\nRUN true\nFROM alpine AS Builder\n"
            ),
            found(
                3,
                "Duplicate stage name \"builder\", stage names should be unique"
            )
        );
        assert_eq!(
            only(
                "DuplicateStageName",
                "FROM busybox AS deb-builder\nFROM alpine AS go-builder\n"
            ),
            NOTHING
        );
    }

    #[test]
    fn reserved_stage_name() {
        assert_eq!(
            only(
                "ReservedStageName",
                "FROM busybox AS scratch\nFROM alpine AS context\n"
            ),
            vec![
                (
                    1,
                    "Stage name should not use the same name as reserved stage \"scratch\""
                        .to_string()
                ),
                (
                    2,
                    "Stage name should not use the same name as reserved stage \"context\""
                        .to_string()
                )
            ]
        );
        assert_eq!(
            only("ReservedStageName", "FROM busybox AS builder\n"),
            NOTHING
        );
    }

    #[test]
    fn multiple_instructions_disallowed() {
        // The one that is lost is reported, named as the later one writes it.
        let text = "FROM busybox\nENTRYPOINT [\"echo\", \"a\"]\nENTRYPOINT [\"echo\", \"b\"]\n\
                    CMD [\"x\"]\nCMD [\"y\"]\nCMD [\"z\"]\n";
        let m = |k: &str| {
            format!(
                "Multiple {k} instructions should not be used in the same stage because only \
                 the last one will be used"
            )
        };
        assert_eq!(
            only("MultipleInstructionsDisallowed", text),
            vec![(2, m("ENTRYPOINT")), (4, m("CMD")), (5, m("CMD"))]
        );
        // A HEALTHCHECK's own CMD is not a second CMD; each stage has its own.
        let good = "FROM busybox AS base\nCMD [\"a\"]\nFROM base\n\
                    HEALTHCHECK --interval=1s CMD [\"true\"]\nCMD [\"b\"]\n";
        assert_eq!(only("MultipleInstructionsDisallowed", good), NOTHING);
    }

    #[test]
    fn expose_proto_casing() {
        assert_eq!(
            only("ExposeProtoCasing", "FROM busybox\nEXPOSE 80/TcP 53/udp\n"),
            found(
                2,
                "Defined protocol '80/TcP' in EXPOSE instruction should be lowercase"
            )
        );
        // Expanded first, as BuildKit does.
        assert_eq!(
            only(
                "ExposeProtoCasing",
                "FROM busybox\nARG P=443/UDP\nEXPOSE $P\n"
            ),
            found(
                3,
                "Defined protocol '443/UDP' in EXPOSE instruction should be lowercase"
            )
        );
        assert_eq!(
            only("ExposeProtoCasing", "FROM busybox\nEXPOSE 80/tcp 53\n"),
            NOTHING
        );
    }

    #[test]
    fn expose_invalid_format() {
        let m = |p: &str| {
            format!(
                "EXPOSE instruction should not define an IP address or host-port mapping, \
                 found '{p}'"
            )
        };
        assert_eq!(
            only(
                "ExposeInvalidFormat",
                "FROM busybox\nEXPOSE 127.0.0.1:80:80\nEXPOSE 8080:80/tcp\n"
            ),
            vec![(2, m("127.0.0.1:80:80")), (3, m("8080:80/tcp"))]
        );
        assert_eq!(
            only(
                "ExposeInvalidFormat",
                "FROM busybox\nEXPOSE 80 8000-8010/udp\n"
            ),
            NOTHING
        );
    }

    #[test]
    fn invalid_default_arg_in_from() {
        assert_eq!(
            only("InvalidDefaultArgInFrom", "ARG TAG\nFROM busybox:${TAG}\n"),
            found(
                2,
                "Default value for ARG busybox:${TAG} results in empty or invalid base image name"
            )
        );
        // A default, an empty value that still names an image, or a
        // fallback in the word itself.
        for good in [
            "ARG TAG=latest\nFROM busybox:${TAG}\n",
            "ARG VARIANT\nFROM busybox:stable${VARIANT}\n",
            "ARG TAG\nFROM alpine:${TAG:-3.14}\n",
        ] {
            assert_eq!(only("InvalidDefaultArgInFrom", good), NOTHING, "{good}");
        }
    }

    #[test]
    fn redundant_target_platform() {
        assert_eq!(
            only(
                "RedundantTargetPlatform",
                "FROM --platform=$TARGETPLATFORM busybox AS builder\n"
            ),
            found(
                1,
                "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is \
                 the default behavior"
            )
        );
        assert_eq!(
            only(
                "RedundantTargetPlatform",
                "FROM --platform=${BUILDPLATFORM} busybox AS builder\n"
            ),
            NOTHING
        );
    }

    #[test]
    fn from_platform_flag_const_disallowed() {
        assert_eq!(
            only(
                "FromPlatformFlagConstDisallowed",
                "FROM --platform=linux/amd64 busybox AS base\n"
            ),
            found(
                1,
                "FROM --platform flag should not use constant value \"linux/amd64\""
            )
        );
        // A variable, or a stage named for its architecture.
        let good = "FROM --platform=$BUILDPLATFORM busybox AS base\n\
                    FROM --platform=linux/arm64 busybox AS build_arm64\n";
        assert_eq!(only("FromPlatformFlagConstDisallowed", good), NOTHING);
    }

    #[test]
    fn undefined_arg_in_from() {
        assert_eq!(
            only(
                "UndefinedArgInFrom",
                "FROM node:22${VARIANT} AS jsbuilder\n"
            ),
            found(1, "FROM argument 'VARIANT' is not declared")
        );
        // A misspelt platform ARG gets BuildKit's suggestion.
        assert_eq!(
            only(
                "UndefinedArgInFrom",
                "FROM --platform=$BULIDPLATFORM busybox AS b\n"
            ),
            found(
                1,
                "FROM argument 'BULIDPLATFORM' is not declared (did you mean BUILDPLATFORM?)"
            )
        );
        assert_eq!(
            only(
                "UndefinedArgInFrom",
                "ARG VARIANT=\"-alpine3.20\"\nFROM node:22${VARIANT} AS jsbuilder\n"
            ),
            NOTHING
        );
    }

    #[test]
    fn copy_ignored_file() {
        let ignore = Some("*/tmp/*\nsecret.txt\n");
        let text = "FROM scratch\nCOPY ./a/tmp/hello.txt /hello.txt\nADD secret.txt /\n";
        assert_eq!(
            checks_in(text, ignore),
            [
                (
                    "CopyIgnoredFile",
                    2,
                    "Attempting to Copy file \"a/tmp/hello.txt\" that is excluded by .dockerignore"
                        .to_string()
                ),
                (
                    "CopyIgnoredFile",
                    3,
                    "Attempting to Add file \"secret.txt\" that is excluded by .dockerignore"
                        .to_string()
                )
            ]
        );
        // Not excluded, from a stage, without a .dockerignore, or with an
        // exception (which BuildKit does not judge).
        let good = "FROM scratch AS a\nCOPY ./forever/hello.txt /\n\
                    FROM scratch\nCOPY --from=a /a/tmp/hello.txt /\n";
        assert_eq!(checks_in(good, ignore), Vec::new());
        assert_eq!(checks_in(text, None), Vec::new());
        assert_eq!(checks_in(text, Some("secret.txt\n!keep.txt\n")), Vec::new());
        // The context root only under a pattern that takes everything.
        let all = "FROM scratch\nCOPY . /app/\n";
        assert_eq!(checks_in(all, Some("tmp\n")), Vec::new());
        assert_eq!(
            checks_in(all, Some("*\n")).len(),
            1,
            "`*` excludes the whole context"
        );
    }

    #[test]
    fn keywords_are_named_as_written() {
        // BuildKit names the command as the file writes it.
        assert_eq!(
            only("JSONArgsRecommended", "from busybox\ncmd httpd -f\n"),
            found(
                2,
                "JSON arguments recommended for cmd to prevent unintended behavior related to OS \
                 signals"
            )
        );
        assert_eq!(
            only(
                "LegacyKeyValueFormat",
                "from busybox\nenv MODE production\n"
            ),
            found(
                2,
                "\"env key=value\" should be used instead of legacy \"env key value\" format"
            )
        );
    }

    #[test]
    fn many_variables_and_misspellings_stay_cheap() {
        // Thousands of names in scope and thousands of misspellings: the
        // suggestion compares a bounded number of them, and still finds a
        // near one among the first.
        let mut text = String::from("FROM busybox\n");
        for i in 0..2000 {
            text.push_str(&format!("ENV NAME_{i}=1\n"));
        }
        for i in 0..2000 {
            text.push_str(&format!("LABEL l{i}=$NAME{i}\n"));
        }
        let started = std::time::Instant::now();
        let found = checks(&text);
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
        assert_eq!(found.len(), 2000);
        assert_eq!(
            found[0].2,
            "Usage of undefined variable '$NAME0' (did you mean $NAME_0?)"
        );
    }

    #[test]
    fn warnings_come_in_line_order() {
        // Rules found in different passes still print by line.
        let text = "FROM busybox AS scratch\nRUN true\nRun true\nEXPOSE 80/TCP\n";
        let lines: Vec<usize> = checks(text).into_iter().map(|c| c.1).collect();
        assert_eq!(lines, [1, 3, 4]);
    }
}
