//! BuildKit's build checks (`docker build --check`, Dockerfile frontend 1.8
//! and later): the rules a learner's Docker prints as warnings, with
//! BuildKit's rule names and messages, at the line of the instruction they
//! are about. They are kept apart from the analyzer's own warnings because
//! Docker 20.10, which the builders follow, prints none of them on a build.

use crate::dockerfile::analyzer::{CommandKind, Plan, ShellOrExec};
use crate::dockerfile::ast::{Instruction, Keyword};
use crate::dockerfile::diagnostic::DiagnosticKind;
use crate::dockerfile::expand::{self, Env};
use crate::dockerfile::{Diagnostic, Dockerfile, Span};
use std::collections::BTreeMap;

/// What the checks know about a stage at a point in it.
#[derive(Debug, Clone, Default)]
struct Scope {
    /// ARG and ENV names in scope with their values as far as the file
    /// tells them (an ARG without a default is empty).
    vars: Env,
    /// An absolute WORKDIR was declared (here or in a stage this one
    /// starts from).
    absolute_workdir: bool,
    /// The stage set a SHELL: shell-form CMD/ENTRYPOINT is then deliberate.
    shell_set: bool,
}

/// The build checks of `file`, in source order. `plan` is the analyzer's
/// plan of the same file (checks run only on a file without errors).
pub fn build_checks(file: &Dockerfile, plan: &Plan) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut globals = Scope::default();
    for cmd in &plan.global_commands {
        check_command(file, plan, cmd, &mut globals, &mut out);
    }
    let mut ends: BTreeMap<usize, Scope> = BTreeMap::new();
    for stage in &plan.stages {
        if let Some(from) = file.instructions.get(stage.instruction) {
            from_checks(from, &mut out);
        }
        let mut scope = match plan.stage_by_name(&stage.base).and_then(|b| ends.get(&b)) {
            // A stage started from an earlier one keeps its ENV and WORKDIR
            // (its ARGs are gone, but the checks cannot tell them apart).
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
        for cmd in &stage.commands {
            check_command(file, plan, cmd, &mut scope, &mut out);
        }
        ends.insert(stage.index, scope);
    }
    out
}

/// FromAsCasing and StageNameCasing, from the FROM line as written.
fn from_checks(from: &Instruction, out: &mut Vec<Diagnostic>) {
    let words: Vec<&str> = from.values().collect();
    let [_, as_kw, name] = words.as_slice() else {
        return;
    };
    let keyword = from.keyword_text.as_str();
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

fn warn(span: Span, kind: DiagnosticKind) -> Diagnostic {
    Diagnostic::warning(span, kind)
}

fn check_command(
    file: &Dockerfile,
    plan: &Plan,
    cmd: &crate::dockerfile::analyzer::Command,
    scope: &mut Scope,
    out: &mut Vec<Diagnostic>,
) {
    let span = cmd.span;
    // Reports the undefined names in `word`; gives its value.
    let undefined = |word: &str, scope: &Scope, out: &mut Vec<Diagnostic>| match expand::expand_word(
        word,
        plan.escape,
        &scope.vars,
    ) {
        Ok(e) => {
            for name in e.unmatched {
                out.push(warn(span, DiagnosticKind::CheckUndefinedVar { name }));
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
                    Some(default) => undefined(default, scope, out),
                    None => String::new(),
                };
                scope.vars.set(d.name.clone(), value);
            }
        }
        CommandKind::Env(pairs) | CommandKind::Label(pairs) => {
            let keyword = cmd.keyword();
            if legacy {
                out.push(warn(
                    span,
                    DiagnosticKind::CheckLegacyKeyValueFormat {
                        keyword: keyword.upper(),
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
            for word in copy.sources.iter().chain(std::iter::once(&copy.dest)) {
                undefined(word, scope, out);
            }
        }
        CommandKind::User(word) | CommandKind::StopSignal(word) => {
            undefined(word, scope, out);
        }
        CommandKind::Expose(words) | CommandKind::Volume(words) => {
            for w in words {
                undefined(w, scope, out);
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
                    keyword: cmd.keyword().upper(),
                },
            ));
        }
        CommandKind::Maintainer(_) => {
            out.push(warn(span, DiagnosticKind::CheckMaintainerDeprecated));
        }
        _ => {}
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
/// (split on `_`, any case) names a credential, and none says `public`.
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
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split('_').collect();
    words.iter().any(|w| SECRET_WORDS.contains(w)) && !words.contains(&"public")
}

#[cfg(test)]
mod tests {
    use crate::dockerfile::compile;

    const NONE: [&str; 0] = [];

    /// `(rule, line, English message)` of every check on `text`.
    fn checks(text: &str) -> Vec<(&'static str, usize, String)> {
        let compiled = compile(text);
        assert!(compiled.error().is_none(), "{text:?} has errors");
        compiled
            .build_checks()
            .iter()
            .map(|d| (d.kind.check_rule().unwrap().0, d.span.line, d.message()))
            .collect()
    }

    fn rules(text: &str) -> Vec<&'static str> {
        checks(text).into_iter().map(|c| c.0).collect()
    }

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
                "Usage of undefined variable '$VERSON'".to_string()
            )]
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
        assert_eq!(compiled.build_checks().len(), 3);
    }
}
