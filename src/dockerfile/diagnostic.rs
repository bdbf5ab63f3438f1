//! Errors and warnings as data — a kind with its arguments, a severity and
//! a span — rendered through the message catalog in the learner's language;
//! rendering (caret under the spot) is separate.
//!
//! English is BuildKit's own wording where BuildKit has one: it is also what
//! `docker build` prints, so the engine's error messages use it.

use crate::dockerfile::mount::MountProblem;
use crate::dockerfile::span::Span;
use crate::messages::{Lang, Message};
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// What went wrong (or looks wrong), with what the message names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiagnosticKind {
    // The parser's.
    /// `joined`: the logical line the empty line sits in.
    EmptyContinuationLine {
        joined: String,
    },
    CannotRead,
    /// An exec-form array holding something that is not a string.
    NotStringArray,
    /// `ENV`/`LABEL` with a name and no value (`keyword`: upper case).
    NameWithoutValue {
        keyword: String,
    },
    /// `ENV a=1 b`: the word without `=`, as written.
    MissingEquals {
        word: String,
    },
    UnterminatedHeredoc {
        name: String,
    },
    NoInstructions,
    LineTooLong,
    DuplicateDirective {
        name: String,
    },
    InvalidEscape {
        token: String,
    },
    // The instruction layer's (ONBUILD triggers).
    OnbuildChained,
    /// `trigger`: the wrapped keyword, upper case.
    OnbuildTrigger {
        trigger: String,
    },
    // The analyzer's.
    NoFrom,
    BeforeFirstFrom {
        keyword: String,
    },
    /// `name` as written; `suggestion`: the nearest keyword, upper case.
    UnknownInstruction {
        name: String,
        suggestion: Option<String>,
    },
    UnknownFlag {
        name: String,
    },
    NotABoolean {
        flag: String,
        value: String,
    },
    MissingFlagValue {
        flag: String,
    },
    /// A `RUN --mount` value BuildKit's frontend rejects.
    Mount {
        problem: MountProblem,
    },
    /// A secret or SSH mount the build does not give (`kind`: `secret` or
    /// `ssh`): BuildKit runs the command without it unless it is required.
    MountNotProvided {
        kind: String,
        id: String,
        target: String,
    },
    FromArguments,
    InvalidStageName {
        name: String,
    },
    DuplicateStageName {
        name: String,
    },
    /// `COPY --from=N` where stage N is not an earlier one.
    InvalidFromStage {
        from: String,
        index: usize,
    },
    AtLeastOneArgument {
        keyword: String,
    },
    /// COPY or ADD with a source and no destination.
    AtLeastTwoArguments {
        keyword: String,
    },
    /// ENV or LABEL words that do not pair up.
    OddArguments {
        keyword: String,
    },
    BlankName {
        keyword: String,
    },
    ExactlyOneArgument {
        keyword: String,
    },
    ShellNotJson,
    EmptyVolume,
    HealthcheckNoneWithArguments,
    HealthcheckMissingCommand,
    HealthcheckUnknownType {
        kind: String,
    },
    LegacyEnvForm,
    MaintainerDeprecated,
    /// `CMD [node, app.js]`: looks like exec form, is shell form.
    JsonLookalike {
        keyword: String,
    },
    // BuildKit's build checks (`--check`), named as BuildKit names them.
    CheckJsonArgsRecommended {
        keyword: String,
    },
    /// `from` and `as_keyword` as written.
    CheckFromAsCasing {
        from: String,
        as_keyword: String,
    },
    CheckStageNameCasing {
        name: String,
    },
    CheckUndefinedVar {
        name: String,
    },
    CheckWorkdirRelativePath {
        path: String,
    },
    CheckSecretsUsedInArgOrEnv {
        keyword: String,
        name: String,
    },
    CheckMaintainerDeprecated,
    CheckLegacyKeyValueFormat {
        keyword: String,
    },
    // The builder's: docker's own error (`message`, kept as docker prints
    // it in every language) at the line it is about, with layerlab's hint.
    HeredocsNeedBuildkit {
        message: String,
    },
    BaseImageUnavailable {
        message: String,
        hint: Message,
    },
}

impl DiagnosticKind {
    /// The message, for the catalog to render.
    pub fn text(&self) -> Message {
        use DiagnosticKind as K;
        match self {
            K::EmptyContinuationLine { joined } => {
                Message::new("diag.empty_continuation_line").arg("instruction", joined)
            }
            K::CannotRead => Message::new("diag.cannot_read"),
            K::NotStringArray => Message::new("diag.not_string_array"),
            K::NameWithoutValue { keyword } => {
                Message::new("diag.name_without_value").arg("keyword", keyword)
            }
            K::MissingEquals { word } => {
                Message::new("diag.missing_equals").arg("word", crate::gofmt::quote(word))
            }
            K::UnterminatedHeredoc { .. } => Message::new("diag.unterminated_heredoc"),
            K::NoInstructions => Message::new("diag.no_instructions"),
            K::LineTooLong => Message::new("diag.line_too_long"),
            K::DuplicateDirective { name } => {
                Message::new("diag.duplicate_directive").arg("name", name)
            }
            K::InvalidEscape { token } => Message::new("diag.invalid_escape").arg("token", token),
            K::OnbuildChained => Message::new("diag.onbuild_chained"),
            K::OnbuildTrigger { trigger } => {
                Message::new("diag.onbuild_trigger").arg("trigger", trigger)
            }
            K::NoFrom => Message::new("diag.no_from"),
            K::BeforeFirstFrom { keyword } => {
                Message::new("diag.before_first_from").arg("keyword", keyword)
            }
            K::UnknownInstruction { name, .. } => {
                Message::new("diag.unknown_instruction").arg("name", name)
            }
            K::UnknownFlag { name } => Message::new("diag.unknown_flag").arg("name", name),
            K::NotABoolean { flag, value } => Message::new("diag.not_a_boolean")
                .arg("flag", flag)
                .arg("value", value),
            K::MissingFlagValue { flag } => {
                Message::new("diag.missing_flag_value").arg("flag", flag)
            }
            K::Mount { problem } => problem.text(),
            K::MountNotProvided { kind, id, target } => Message::new("diag.mount_not_provided")
                .arg("type", kind)
                .arg("id", id)
                .arg("target", target),
            K::FromArguments => Message::new("diag.from_arguments"),
            K::InvalidStageName { name } => {
                Message::new("diag.invalid_stage_name").arg("name", format!("{name:?}"))
            }
            K::DuplicateStageName { name } => {
                Message::new("diag.duplicate_stage_name").arg("name", format!("{name:?}"))
            }
            K::InvalidFromStage { from, index } => Message::new("diag.invalid_from_stage")
                .arg("from", from)
                .arg("index", index),
            K::AtLeastOneArgument { keyword } => {
                Message::new("diag.at_least_one_argument").arg("keyword", keyword)
            }
            K::AtLeastTwoArguments { keyword } => {
                Message::new("diag.at_least_two_arguments").arg("keyword", keyword)
            }
            K::OddArguments { keyword } => {
                Message::new("diag.odd_arguments").arg("keyword", keyword)
            }
            K::BlankName { keyword } => Message::new("diag.blank_name").arg("keyword", keyword),
            K::ExactlyOneArgument { keyword } => {
                Message::new("diag.exactly_one_argument").arg("keyword", keyword)
            }
            K::ShellNotJson => Message::new("diag.shell_not_json"),
            K::EmptyVolume => Message::new("diag.empty_volume"),
            K::HealthcheckNoneWithArguments => Message::new("diag.healthcheck_none_with_arguments"),
            K::HealthcheckMissingCommand => Message::new("diag.healthcheck_missing_command"),
            K::HealthcheckUnknownType { kind } => {
                Message::new("diag.healthcheck_unknown_type").arg("kind", format!("{kind:?}"))
            }
            K::LegacyEnvForm => Message::new("diag.legacy_env_form"),
            K::MaintainerDeprecated => Message::new("diag.maintainer_deprecated"),
            K::CheckJsonArgsRecommended { keyword } => {
                Message::new("check.json_args_recommended").arg("keyword", keyword)
            }
            K::CheckFromAsCasing { from, as_keyword } => Message::new("check.from_as_casing")
                .arg("from", from)
                .arg("as", as_keyword),
            K::CheckStageNameCasing { name } => {
                Message::new("check.stage_name_casing").arg("name", name)
            }
            K::CheckUndefinedVar { name } => Message::new("check.undefined_var").arg("name", name),
            K::CheckWorkdirRelativePath { path } => {
                Message::new("check.workdir_relative_path").arg("path", format!("{path:?}"))
            }
            K::CheckSecretsUsedInArgOrEnv { keyword, name } => {
                Message::new("check.secrets_used_in_arg_or_env")
                    .arg("keyword", keyword)
                    .arg("name", format!("{name:?}"))
            }
            K::CheckMaintainerDeprecated => Message::new("check.maintainer_deprecated"),
            K::CheckLegacyKeyValueFormat { keyword } => {
                Message::new("check.legacy_key_value_format").arg("keyword", keyword)
            }
            K::JsonLookalike { keyword } => {
                Message::new("diag.json_lookalike").arg("keyword", keyword)
            }
            K::HeredocsNeedBuildkit { message } | K::BaseImageUnavailable { message, .. } => {
                Message::new("diag.docker_error").arg("message", message)
            }
        }
    }

    /// The hint shown after the caret, if the kind has one.
    pub fn hint(&self) -> Option<Message> {
        use DiagnosticKind as K;
        Some(match self {
            K::EmptyContinuationLine { .. } => Message::new("diag.empty_continuation_line.help"),
            K::NotStringArray => Message::new("diag.not_string_array.help"),
            K::NameWithoutValue { .. } => Message::new("diag.name_without_value.help"),
            K::MissingEquals { .. } => Message::new("diag.missing_equals.help"),
            K::UnterminatedHeredoc { name } => {
                Message::new("diag.unterminated_heredoc.help").arg("name", name)
            }
            K::NoInstructions => Message::new("diag.no_instructions.help"),
            K::LineTooLong => Message::new("diag.line_too_long.help"),
            K::DuplicateDirective { .. } => Message::new("diag.duplicate_directive.help"),
            K::InvalidEscape { .. } => Message::new("diag.invalid_escape.help"),
            K::OnbuildChained | K::OnbuildTrigger { .. } => Message::new("diag.onbuild.help"),
            K::NoFrom => Message::new("diag.no_from.help"),
            K::UnknownInstruction {
                suggestion: Some(s),
                ..
            } => Message::new("diag.unknown_instruction.help").arg("suggestion", s),
            K::LegacyEnvForm => Message::new("diag.legacy_env_form.help"),
            K::MaintainerDeprecated => Message::new("diag.maintainer_deprecated.help"),
            K::JsonLookalike { .. } => Message::new("diag.json_lookalike.help"),
            K::HeredocsNeedBuildkit { .. } => Message::new("diag.heredocs_need_buildkit.help"),
            K::Mount { .. } => Message::new("diag.mount.help"),
            K::MountNotProvided { .. } => Message::new("diag.mount_not_provided.help"),
            K::BaseImageUnavailable { hint, .. } => hint.clone(),
            K::CannotRead
            | K::UnknownInstruction {
                suggestion: None, ..
            }
            | K::BeforeFirstFrom { .. }
            | K::UnknownFlag { .. }
            | K::NotABoolean { .. }
            | K::MissingFlagValue { .. }
            | K::FromArguments
            | K::InvalidStageName { .. }
            | K::DuplicateStageName { .. }
            | K::InvalidFromStage { .. }
            | K::AtLeastOneArgument { .. }
            | K::AtLeastTwoArguments { .. }
            | K::OddArguments { .. }
            | K::BlankName { .. }
            | K::ExactlyOneArgument { .. }
            | K::ShellNotJson
            | K::EmptyVolume
            | K::HealthcheckNoneWithArguments
            | K::HealthcheckMissingCommand
            | K::HealthcheckUnknownType { .. } => return None,
            // A build check's own page explains it: `check_rule` names it.
            K::CheckJsonArgsRecommended { .. }
            | K::CheckFromAsCasing { .. }
            | K::CheckStageNameCasing { .. }
            | K::CheckUndefinedVar { .. }
            | K::CheckWorkdirRelativePath { .. }
            | K::CheckSecretsUsedInArgOrEnv { .. }
            | K::CheckMaintainerDeprecated
            | K::CheckLegacyKeyValueFormat { .. } => return None,
        })
    }

    /// A build check's BuildKit rule name and the page Docker links for it
    /// (`None` for layerlab's own diagnostics).
    pub fn check_rule(&self) -> Option<(&'static str, &'static str)> {
        use DiagnosticKind as K;
        Some(match self {
            K::CheckJsonArgsRecommended { .. } => ("JSONArgsRecommended", "json-args-recommended"),
            K::CheckFromAsCasing { .. } => ("FromAsCasing", "from-as-casing"),
            K::CheckStageNameCasing { .. } => ("StageNameCasing", "stage-name-casing"),
            K::CheckUndefinedVar { .. } => ("UndefinedVar", "undefined-var"),
            K::CheckWorkdirRelativePath { .. } => ("WorkdirRelativePath", "workdir-relative-path"),
            K::CheckSecretsUsedInArgOrEnv { .. } => {
                ("SecretsUsedInArgOrEnv", "secrets-used-in-arg-or-env")
            }
            K::CheckMaintainerDeprecated => ("MaintainerDeprecated", "maintainer-deprecated"),
            K::CheckLegacyKeyValueFormat { .. } => {
                ("LegacyKeyValueFormat", "legacy-key-value-format")
            }
            _ => return None,
        })
    }
}

/// A message about one place in a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub span: Span,
    pub kind: DiagnosticKind,
}

impl Diagnostic {
    pub fn error(span: Span, kind: DiagnosticKind) -> Self {
        Diagnostic {
            severity: Severity::Error,
            span,
            kind,
        }
    }

    pub fn warning(span: Span, kind: DiagnosticKind) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            span,
            kind,
        }
    }

    /// The message in English: BuildKit's words, as docker prints them
    /// (never a grammar rule name).
    pub fn message(&self) -> String {
        self.message_in(Lang::En)
    }

    pub fn message_in(&self, lang: Lang) -> String {
        self.kind.text().render(lang)
    }

    /// The hint in English, if any.
    pub fn help(&self) -> Option<String> {
        self.help_in(Lang::En)
    }

    pub fn help_in(&self, lang: Lang) -> Option<String> {
        self.kind.hint().map(|h| h.render(lang))
    }

    /// Render like rustc, in English: `file:line:column`, the line, a caret
    /// under the spot.
    pub fn render(&self, file: &str, source: &str) -> String {
        self.render_in(Lang::En, file, source)
    }

    /// [`Diagnostic::render`] in `lang`.
    pub fn render_in(&self, lang: Lang, file: &str, source: &str) -> String {
        let severity = match self.severity {
            Severity::Error => Message::new("diag.error"),
            Severity::Warning => Message::new("diag.warning"),
        };
        let mut out = format!("{}: {}\n", severity.render(lang), self.message_in(lang));
        let line_no = self.span.line.max(1);
        let _ = writeln!(out, "  --> {file}:{line_no}:{}", self.span.column.max(1));
        let text = source
            .trim_start_matches('\u{feff}')
            .lines()
            .nth(line_no - 1)
            .unwrap_or("")
            .trim_end_matches('\r');
        let gutter = " ".repeat(line_no.to_string().len());
        let _ = writeln!(out, "{gutter} |");
        let _ = writeln!(out, "{line_no} | {text}");
        // Column counts characters; a wide (e.g. Korean) character takes two
        // terminal cells, so pad by display width for the caret to line up.
        let pad: usize = text
            .chars()
            .take(self.span.column.saturating_sub(1))
            .map(char_width)
            .sum();
        let _ = write!(out, "{gutter} | {}^", " ".repeat(pad));
        if let Some(help) = self.help_in(lang) {
            let _ = write!(out, " {help}");
        }
        out.push('\n');
        out
    }
}

/// Terminal cell width of a character: 2 for East Asian wide characters.
fn char_width(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
}
