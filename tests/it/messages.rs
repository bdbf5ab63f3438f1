//! The message catalog covers what layerlab says: every cache reason, every
//! diagnostic kind and every expansion error renders in both languages from keys that exist, with
//! every placeholder filled. The example lists name one value per variant;
//! the matches below them have no wildcard, so a new variant does not compile
//! until it has an example here.

use layerlab::dockerfile::expand::ExpandErrorKind;
use layerlab::dockerfile::DiagnosticKind;
use layerlab::engine::report::{FileChange, MissReason, Removal, StepRef, Verdict};
use layerlab::messages::{Lang, Message};

fn file_changes() -> Vec<FileChange> {
    let path = || "app.js".to_string();
    let all = vec![
        FileChange::Added { path: path() },
        FileChange::Removed { path: path() },
        FileChange::Content {
            path: path(),
            old: "sha256:3f2a07".into(),
            new: "sha256:9bc1d2".into(),
        },
        FileChange::Mode {
            path: path(),
            old: 0o644,
            new: 0o755,
        },
        FileChange::Owner {
            path: path(),
            old: "0:0".into(),
            new: "1000:1000".into(),
        },
    ];
    for c in &all {
        match c {
            FileChange::Added { .. }
            | FileChange::Removed { .. }
            | FileChange::Content { .. }
            | FileChange::Mode { .. }
            | FileChange::Owner { .. } => {}
        }
    }
    all
}

fn miss_reasons() -> Vec<MissReason> {
    use MissReason as R;
    let s = |t: &str| t.to_string();
    let all = vec![
        R::FirstBuild,
        R::CacheRemoved {
            by: Removal::Pruned,
        },
        R::CacheRemoved {
            by: Removal::WithImage {
                image: s("6ea91a0d285e"),
            },
        },
        R::NoCache,
        R::ParentRebuilt {
            parent: s("COPY app.js ."),
        },
        R::InstructionChanged {
            old: s("RUN a"),
            new: s("RUN b"),
        },
        R::FilesChanged {
            changes: file_changes(),
        },
        // More files than a reason lists: "and N more".
        R::FilesChanged {
            changes: [file_changes(), file_changes()].concat(),
        },
        R::BuildArgChanged {
            name: s("VERSION"),
            old: None,
            new: Some(s("2")),
        },
        R::BuildArgsChanged {
            old: s("A=1"),
            new: s("A=2"),
        },
        R::EnvChanged {
            name: s("PATH"),
            old: Some(s("/bin")),
            new: None,
        },
        R::SettingChanged {
            setting: s("WORKDIR"),
            old: s("/"),
            new: s("/app"),
        },
        R::HeredocChanged { name: s("EOF") },
        R::ConfigChanged,
        R::SourceStageChanged,
        R::BaseImageChanged,
        R::FlagsChanged,
        R::GlobalArg,
        R::Failed {
            error: s("process \"/bin/sh -c false\" did not complete successfully: exit code: 1"),
        },
        R::Canceled {
            failed: s("RUN make"),
        },
    ];
    for r in &all {
        match r {
            R::FirstBuild
            | R::CacheRemoved { .. }
            | R::NoCache
            | R::ParentRebuilt { .. }
            | R::InstructionChanged { .. }
            | R::FilesChanged { .. }
            | R::BuildArgChanged { .. }
            | R::BuildArgsChanged { .. }
            | R::EnvChanged { .. }
            | R::SettingChanged { .. }
            | R::HeredocChanged { .. }
            | R::ConfigChanged
            | R::SourceStageChanged
            | R::BaseImageChanged
            | R::FlagsChanged
            | R::GlobalArg
            | R::Failed { .. }
            | R::Canceled { .. } => {}
        }
    }
    all
}

fn verdicts() -> Vec<Verdict> {
    let from = |stage: Option<&str>| StepRef {
        build: 3,
        step: 2,
        of: 4,
        stage: stage.map(str::to_string),
        text: "WORKDIR /web-ping".into(),
        cost_ms: 100,
    };
    let mut all = vec![
        Verdict::Hit { from: from(None) },
        Verdict::Hit {
            from: from(Some("build")),
        },
        Verdict::Base {
            image: "diamol/node".into(),
            layers: 5,
            size: 75_400_000,
        },
    ];
    all.extend(miss_reasons().into_iter().map(|why| Verdict::Miss { why }));
    for v in &all {
        match v {
            Verdict::Hit { .. } | Verdict::Miss { .. } | Verdict::Base { .. } => {}
        }
    }
    all
}

fn diagnostic_kinds() -> Vec<DiagnosticKind> {
    use DiagnosticKind as K;
    let s = |t: &str| t.to_string();
    let all = vec![
        K::EmptyContinuationLine {
            joined: s("RUN a b"),
        },
        K::CannotRead,
        K::NotStringArray,
        K::NameWithoutValue { keyword: s("ENV") },
        K::MissingEquals { word: s("b") },
        K::UnterminatedHeredoc { name: s("EOF") },
        K::NoInstructions,
        K::LineTooLong,
        K::DuplicateDirective { name: s("escape") },
        K::InvalidEscape { token: s("x") },
        K::OnbuildChained,
        K::OnbuildTrigger { trigger: s("FROM") },
        K::NoFrom,
        K::BeforeFirstFrom { keyword: s("RUN") },
        K::UnknownInstruction {
            name: s("RUNN"),
            suggestion: Some(s("RUN")),
        },
        K::UnknownInstruction {
            name: s("XYZZY"),
            suggestion: None,
        },
        K::UnknownFlag { name: s("chwon") },
        K::NotABoolean {
            flag: s("link"),
            value: s("yes"),
        },
        K::MissingFlagValue { flag: s("from") },
        K::FromArguments,
        K::InvalidStageName { name: s("1st") },
        K::DuplicateStageName { name: s("build") },
        K::InvalidFromStage {
            from: s("2"),
            index: 2,
        },
        K::AtLeastOneArgument { keyword: s("RUN") },
        K::AtLeastTwoArguments { keyword: s("COPY") },
        K::OddArguments {
            keyword: s("LABEL"),
        },
        K::BlankName { keyword: s("ARG") },
        K::ExactlyOneArgument {
            keyword: s("WORKDIR"),
        },
        K::ShellNotJson,
        K::EmptyVolume,
        K::HealthcheckNoneWithArguments,
        K::HealthcheckMissingCommand,
        K::HealthcheckUnknownType { kind: s("RUN") },
        K::HealthcheckBadDuration { value: s("bad") },
        K::HealthcheckBadRetries { value: s("x") },
        K::LegacyEnvForm,
        K::MaintainerDeprecated,
        K::JsonLookalike { keyword: s("CMD") },
        K::CheckJsonArgsRecommended { keyword: s("CMD") },
        K::CheckFromAsCasing {
            from: s("FROM"),
            as_keyword: s("as"),
        },
        K::CheckStageNameCasing { name: s("Builder") },
        K::CheckUndefinedVar {
            name: s("VERSON"),
            suggestion: None,
        },
        K::CheckUndefinedVar {
            name: s("VERSON"),
            suggestion: Some(s("VERSION")),
        },
        K::CheckWorkdirRelativePath { path: s("app") },
        K::CheckSecretsUsedInArgOrEnv {
            keyword: s("ARG"),
            name: s("API_TOKEN"),
        },
        K::CheckMaintainerDeprecated,
        K::CheckLegacyKeyValueFormat { keyword: s("ENV") },
        K::CheckNoEmptyContinuation,
        K::CheckConsistentInstructionCasing {
            command: s("Run"),
            lower: false,
        },
        K::CheckConsistentInstructionCasing {
            command: s("CMD"),
            lower: true,
        },
        K::CheckDuplicateStageName { name: s("build") },
        K::CheckReservedStageName { name: s("scratch") },
        K::CheckMultipleInstructionsDisallowed { keyword: s("CMD") },
        K::CheckExposeProtoCasing { port: s("80/TCP") },
        K::CheckExposeInvalidFormat { port: s("80:80") },
        K::CheckInvalidDefaultArgInFrom {
            base: s("busybox:${TAG}"),
        },
        K::CheckRedundantTargetPlatform {
            platform: s("$TARGETPLATFORM"),
        },
        K::CheckFromPlatformFlagConstDisallowed {
            platform: s("linux/amd64"),
        },
        K::CheckUndefinedArgInFrom {
            name: s("VARIANT"),
            suggestion: None,
        },
        K::CheckUndefinedArgInFrom {
            name: s("BULIDPLATFORM"),
            suggestion: Some(s("BUILDPLATFORM")),
        },
        K::CheckCopyIgnoredFile {
            add: false,
            path: s("tmp/a.txt"),
        },
        K::HeredocsNeedBuildkit {
            message: s("dockerfile parse error line 2: unknown instruction: ECHO"),
        },
        K::MountNotProvided {
            kind: s("secret"),
            id: s("token"),
            target: s("/run/secrets/token"),
        },
        K::BaseImageUnavailable {
            message: s("failed to resolve source metadata for docker.io/library/nod:20"),
            hint: Message::new("hint.known_images").arg("images", "alpine:3.20, node:20"),
        },
        K::BaseImageUnavailable {
            message: s("docker.io/library/node:99: not found"),
            hint: Message::new("hint.known_tags")
                .arg("repository", "node")
                .arg("tags", "node:20"),
        },
        K::BaseImageUnavailable {
            message: s("node@sha256:…: digest references are not supported"),
            hint: Message::new("hint.use_a_tag"),
        },
    ];
    use layerlab::dockerfile::mount::MountProblem as P;
    let problems = vec![
        P::Csv {
            reason: s("bare \" in non-quoted-field"),
        },
        P::NotKeyValue { field: s("target") },
        P::UnexpectedKey {
            key: s("foo"),
            field: s("foo=bar"),
        },
        P::KeyForType {
            key: s("required"),
            kind: s("tmpfs"),
        },
        P::UnsupportedType { value: s("cachex") },
        P::InvalidValue {
            key: s("ro"),
            value: s("maybe"),
        },
        P::InvalidNumber {
            key: s("uid"),
            value: s("me"),
        },
        P::UnsupportedSharing { value: s("all") },
        P::FileInfoNotAllowed {
            key: s("mode"),
            kind: s("bind"),
        },
        P::SecretFrom,
        P::SecretSharing,
        P::SecretNoTarget,
        P::SecretSourceAndId,
        P::SharingNotCache { kind: s("tmpfs") },
        P::InvalidTarget { target: s("/") },
    ];
    for p in &problems {
        match p {
            P::Csv { .. }
            | P::NotKeyValue { .. }
            | P::UnexpectedKey { .. }
            | P::KeyForType { .. }
            | P::UnsupportedType { .. }
            | P::InvalidValue { .. }
            | P::InvalidNumber { .. }
            | P::UnsupportedSharing { .. }
            | P::FileInfoNotAllowed { .. }
            | P::SecretFrom
            | P::SecretSharing
            | P::SecretNoTarget
            | P::SecretSourceAndId
            | P::SharingNotCache { .. }
            | P::InvalidTarget { .. } => {}
        }
    }
    let mut all = all;
    all.extend(problems.into_iter().map(|problem| K::Mount { problem }));
    for k in &all {
        match k {
            K::EmptyContinuationLine { .. }
            | K::CannotRead
            | K::NotStringArray
            | K::NameWithoutValue { .. }
            | K::MissingEquals { .. }
            | K::UnterminatedHeredoc { .. }
            | K::NoInstructions
            | K::LineTooLong
            | K::DuplicateDirective { .. }
            | K::InvalidEscape { .. }
            | K::OnbuildChained
            | K::OnbuildTrigger { .. }
            | K::NoFrom
            | K::BeforeFirstFrom { .. }
            | K::UnknownInstruction { .. }
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
            | K::HealthcheckBadRetries { .. }
            | K::LegacyEnvForm
            | K::MaintainerDeprecated
            | K::JsonLookalike { .. }
            | K::CheckJsonArgsRecommended { .. }
            | K::CheckFromAsCasing { .. }
            | K::CheckStageNameCasing { .. }
            | K::CheckUndefinedVar { .. }
            | K::CheckWorkdirRelativePath { .. }
            | K::CheckSecretsUsedInArgOrEnv { .. }
            | K::CheckMaintainerDeprecated
            | K::CheckLegacyKeyValueFormat { .. }
            | K::CheckNoEmptyContinuation
            | K::CheckConsistentInstructionCasing { .. }
            | K::CheckDuplicateStageName { .. }
            | K::CheckReservedStageName { .. }
            | K::CheckMultipleInstructionsDisallowed { .. }
            | K::CheckExposeProtoCasing { .. }
            | K::CheckExposeInvalidFormat { .. }
            | K::CheckInvalidDefaultArgInFrom { .. }
            | K::CheckRedundantTargetPlatform { .. }
            | K::CheckFromPlatformFlagConstDisallowed { .. }
            | K::CheckUndefinedArgInFrom { .. }
            | K::CheckCopyIgnoredFile { .. }
            | K::HeredocsNeedBuildkit { .. }
            | K::Mount { .. }
            | K::MountNotProvided { .. }
            | K::BaseImageUnavailable { .. } => {}
        }
    }
    all
}

fn expand_error_kinds() -> Vec<ExpandErrorKind> {
    use ExpandErrorKind as K;
    let all = vec![
        K::UnterminatedSingleQuote,
        K::UnterminatedDoubleQuote,
        K::UnexpectedEnd { stop: '}' },
        K::MissingBrace,
        K::BadSubstitution,
        K::UnsupportedModifier {
            modifier: ":!".into(),
        },
        K::Unset {
            name: "NAME".into(),
        },
        K::Empty {
            name: "NAME".into(),
        },
        K::Required {
            name: "NAME".into(),
            message: "set NAME first".into(),
        },
        K::TooDeep { limit: 128 },
        K::TooLong { limit: 1 << 20 },
    ];
    for k in &all {
        match k {
            K::UnterminatedSingleQuote
            | K::UnterminatedDoubleQuote
            | K::UnexpectedEnd { .. }
            | K::MissingBrace
            | K::BadSubstitution
            | K::UnsupportedModifier { .. }
            | K::Unset { .. }
            | K::Empty { .. }
            | K::Required { .. }
            | K::TooDeep { .. }
            | K::TooLong { .. } => {}
        }
    }
    all
}

/// Renders `m` in both languages; fails on a missing key or argument.
/// Returns the English and the Korean text.
fn both(m: &Message) -> (String, String) {
    let render = |lang| {
        m.try_render(lang)
            .unwrap_or_else(|e| panic!("{} in {lang:?}: {e}", m.key()))
    };
    (render(Lang::En), render(Lang::Ko))
}

/// Korean must differ from English, except where the text is all
/// arguments (docker's own message, a message the Dockerfile wrote).
fn assert_translated(m: &Message, en: &str, ko: &str) {
    let passthrough = ["diag.docker_error", "expand.required"];
    if !passthrough.contains(&m.key()) {
        assert_ne!(en, ko, "{} is not translated", m.key());
    }
}

#[test]
fn every_cache_reason_renders_in_both_languages() {
    for verdict in verdicts() {
        let m = verdict.message();
        let (en, ko) = both(&m);
        assert_translated(&m, &en, &ko);
        // English is what `Display` and the JSON contract's `reason` say.
        assert_eq!(verdict.reason(), en);
        assert_eq!(verdict.reason_in(Lang::Ko), ko);
        if let Verdict::Miss { why } = &verdict {
            assert_eq!(why.to_string(), en);
        }
    }
}

#[test]
fn english_reasons_read_as_before() {
    let [added, _, content, mode, _] = &file_changes()[..] else {
        panic!("five file changes");
    };
    assert_eq!(added.to_string(), "app.js was added");
    assert_eq!(content.to_string(), "app.js changed (sha256 3f2a… → 9bc1…)");
    assert_eq!(mode.to_string(), "app.js changed mode (644 → 755)");
    let many = MissReason::FilesChanged {
        changes: [file_changes(), file_changes()].concat(),
    };
    assert!(many.to_string().ends_with("; and 5 more"), "{many}");
    let arg = MissReason::BuildArgChanged {
        name: "V".into(),
        old: None,
        new: Some("2".into()),
    };
    assert_eq!(arg.to_string(), "build argument V changed ((unset) → 2)");
    assert_eq!(
        verdicts()[1].reason(),
        "reused build #3, step 2/4 of stage build (`WORKDIR /web-ping`)"
    );
    assert_eq!(
        verdicts()[1].reason_in(Lang::Ko),
        "빌드 #3, 스테이지 build의 2/4단계에서 재사용 (`WORKDIR /web-ping`)"
    );
}

#[test]
fn every_diagnostic_kind_renders_in_both_languages() {
    for kind in diagnostic_kinds() {
        let text = kind.text();
        let (en, ko) = both(&text);
        assert_translated(&text, &en, &ko);
        // Every build check says why its rule exists.
        if kind.check_rule().is_some() {
            assert!(kind.hint().is_some(), "{kind:?} has no explanation");
        }
        if let Some(hint) = kind.hint() {
            let (en, ko) = both(&hint);
            assert_translated(&hint, &en, &ko);
        }
    }
}

#[test]
fn every_expansion_error_renders_in_both_languages() {
    for kind in expand_error_kinds() {
        let text = kind.text();
        let (en, ko) = both(&text);
        assert_translated(&text, &en, &ko);
    }
}
