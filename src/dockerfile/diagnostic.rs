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
    /// `--interval=bad`: Docker's parser reads the durations (Go's syntax).
    HealthcheckBadDuration {
        value: String,
    },
    /// `--retries=x`: not a whole number.
    HealthcheckBadRetries {
        value: String,
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
    /// `suggestion`: the nearest name in scope, as BuildKit suggests it.
    CheckUndefinedVar {
        name: String,
        suggestion: Option<String>,
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
    CheckNoEmptyContinuation,
    /// `command` as written; `lower`: the majority of the file is lower case.
    CheckConsistentInstructionCasing {
        command: String,
        lower: bool,
    },
    /// `name` lower-cased, as BuildKit stores it.
    CheckDuplicateStageName {
        name: String,
    },
    CheckReservedStageName {
        name: String,
    },
    /// `keyword` as written.
    CheckMultipleInstructionsDisallowed {
        keyword: String,
    },
    /// `port`: the EXPOSE word, expanded.
    CheckExposeProtoCasing {
        port: String,
    },
    CheckExposeInvalidFormat {
        port: String,
    },
    /// `base`: the FROM image as written.
    CheckInvalidDefaultArgInFrom {
        base: String,
    },
    /// `platform`: the `--platform` value as written.
    CheckRedundantTargetPlatform {
        platform: String,
    },
    /// `platform`: the constant, quotes removed.
    CheckFromPlatformFlagConstDisallowed {
        platform: String,
    },
    CheckUndefinedArgInFrom {
        name: String,
        suggestion: Option<String>,
    },
    /// `add`: ADD rather than COPY; `path`: the source as BuildKit cleans it.
    CheckCopyIgnoredFile {
        add: bool,
        path: String,
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
            K::HealthcheckBadDuration { value } => {
                Message::new("diag.healthcheck_bad_duration").arg("value", format!("{value:?}"))
            }
            K::HealthcheckBadRetries { value } => {
                Message::new("diag.healthcheck_bad_retries").arg("value", format!("{value:?}"))
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
            K::CheckUndefinedVar { name, suggestion } => match suggestion {
                None => Message::new("check.undefined_var").arg("name", name),
                Some(s) => Message::new("check.undefined_var.suggest")
                    .arg("name", name)
                    .arg("suggestion", s),
            },
            K::CheckWorkdirRelativePath { path } => {
                Message::new("check.workdir_relative_path").arg("path", crate::gofmt::quote(path))
            }
            K::CheckSecretsUsedInArgOrEnv { keyword, name } => {
                Message::new("check.secrets_used_in_arg_or_env")
                    .arg("keyword", keyword)
                    .arg("name", crate::gofmt::quote(name))
            }
            K::CheckMaintainerDeprecated => Message::new("check.maintainer_deprecated"),
            K::CheckLegacyKeyValueFormat { keyword } => {
                Message::new("check.legacy_key_value_format").arg("keyword", keyword)
            }
            K::CheckNoEmptyContinuation => Message::new("check.no_empty_continuation"),
            K::CheckConsistentInstructionCasing { command, lower } => {
                let casing = if *lower {
                    "check.casing.lower"
                } else {
                    "check.casing.upper"
                };
                Message::new("check.consistent_instruction_casing")
                    .arg("command", command)
                    .nested("casing", Message::new(casing))
            }
            K::CheckDuplicateStageName { name } => {
                Message::new("check.duplicate_stage_name").arg("name", crate::gofmt::quote(name))
            }
            K::CheckReservedStageName { name } => {
                Message::new("check.reserved_stage_name").arg("name", crate::gofmt::quote(name))
            }
            K::CheckMultipleInstructionsDisallowed { keyword } => {
                Message::new("check.multiple_instructions_disallowed").arg("keyword", keyword)
            }
            K::CheckExposeProtoCasing { port } => {
                Message::new("check.expose_proto_casing").arg("port", port)
            }
            K::CheckExposeInvalidFormat { port } => {
                Message::new("check.expose_invalid_format").arg("port", port)
            }
            K::CheckInvalidDefaultArgInFrom { base } => {
                Message::new("check.invalid_default_arg_in_from").arg("base", base)
            }
            K::CheckRedundantTargetPlatform { platform } => {
                Message::new("check.redundant_target_platform").arg("platform", platform)
            }
            K::CheckFromPlatformFlagConstDisallowed { platform } => {
                Message::new("check.from_platform_flag_const_disallowed")
                    .arg("platform", crate::gofmt::quote(platform))
            }
            K::CheckUndefinedArgInFrom { name, suggestion } => match suggestion {
                None => Message::new("check.undefined_arg_in_from").arg("name", name),
                Some(s) => Message::new("check.undefined_arg_in_from.suggest")
                    .arg("name", name)
                    .arg("suggestion", s),
            },
            K::CheckCopyIgnoredFile { add, path } => Message::new("check.copy_ignored_file")
                .arg("keyword", if *add { "Add" } else { "Copy" })
                .arg("path", crate::gofmt::quote(path)),
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
            | K::HealthcheckUnknownType { .. }
            | K::HealthcheckBadDuration { .. }
            | K::HealthcheckBadRetries { .. } => return None,
            // A build check: why the rule exists (BuildKit's description
            // of it), from the catalog key of its page.
            _ => return self.check_why(),
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
            K::CheckNoEmptyContinuation => ("NoEmptyContinuation", "no-empty-continuation"),
            K::CheckConsistentInstructionCasing { .. } => (
                "ConsistentInstructionCasing",
                "consistent-instruction-casing",
            ),
            K::CheckDuplicateStageName { .. } => ("DuplicateStageName", "duplicate-stage-name"),
            K::CheckReservedStageName { .. } => ("ReservedStageName", "reserved-stage-name"),
            K::CheckMultipleInstructionsDisallowed { .. } => (
                "MultipleInstructionsDisallowed",
                "multiple-instructions-disallowed",
            ),
            K::CheckExposeProtoCasing { .. } => ("ExposeProtoCasing", "expose-proto-casing"),
            K::CheckExposeInvalidFormat { .. } => ("ExposeInvalidFormat", "expose-invalid-format"),
            K::CheckInvalidDefaultArgInFrom { .. } => {
                ("InvalidDefaultArgInFrom", "invalid-default-arg-in-from")
            }
            K::CheckRedundantTargetPlatform { .. } => {
                ("RedundantTargetPlatform", "redundant-target-platform")
            }
            K::CheckFromPlatformFlagConstDisallowed { .. } => (
                "FromPlatformFlagConstDisallowed",
                "from-platform-flag-const-disallowed",
            ),
            K::CheckUndefinedArgInFrom { .. } => ("UndefinedArgInFrom", "undefined-arg-in-from"),
            K::CheckCopyIgnoredFile { .. } => ("CopyIgnoredFile", "copy-ignored-file"),
            _ => return None,
        })
    }

    /// An error only the classic builder makes: BuildKit builds (and
    /// checks) the file, so `--check` looks past it.
    pub fn classic_only(&self) -> bool {
        matches!(self, DiagnosticKind::DuplicateStageName { .. })
    }

    /// Why a build check's rule exists, as a short explanation for the
    /// learner (`None` for layerlab's own diagnostics).
    pub fn check_why(&self) -> Option<Message> {
        let (_, page) = self.check_rule()?;
        // One key per rule page: `check.why.from-as-casing`.
        CHECK_WHY_KEYS
            .iter()
            .find(|(p, _)| *p == page)
            .map(|(_, key)| Message::new(key))
    }
}

/// The catalog key of each build check's explanation, by its page.
const CHECK_WHY_KEYS: [(&str, &str); 20] = [
    ("json-args-recommended", "check.why.json_args_recommended"),
    ("from-as-casing", "check.why.from_as_casing"),
    ("stage-name-casing", "check.why.stage_name_casing"),
    ("undefined-var", "check.why.undefined_var"),
    ("workdir-relative-path", "check.why.workdir_relative_path"),
    (
        "secrets-used-in-arg-or-env",
        "check.why.secrets_used_in_arg_or_env",
    ),
    ("maintainer-deprecated", "check.why.maintainer_deprecated"),
    (
        "legacy-key-value-format",
        "check.why.legacy_key_value_format",
    ),
    ("no-empty-continuation", "check.why.no_empty_continuation"),
    (
        "consistent-instruction-casing",
        "check.why.consistent_instruction_casing",
    ),
    ("duplicate-stage-name", "check.why.duplicate_stage_name"),
    ("reserved-stage-name", "check.why.reserved_stage_name"),
    (
        "multiple-instructions-disallowed",
        "check.why.multiple_instructions_disallowed",
    ),
    ("expose-proto-casing", "check.why.expose_proto_casing"),
    ("expose-invalid-format", "check.why.expose_invalid_format"),
    (
        "invalid-default-arg-in-from",
        "check.why.invalid_default_arg_in_from",
    ),
    (
        "redundant-target-platform",
        "check.why.redundant_target_platform",
    ),
    (
        "from-platform-flag-const-disallowed",
        "check.why.from_platform_flag_const_disallowed",
    ),
    ("undefined-arg-in-from", "check.why.undefined_arg_in_from"),
    ("copy-ignored-file", "check.why.copy_ignored_file"),
];

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
