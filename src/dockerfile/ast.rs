//! The plain Dockerfile AST: what BuildKit's parser produces (one node per
//! instruction, arguments shaped per keyword), with a span on every node and
//! the original text kept so an editor can show and move instructions exactly
//! as written.

use crate::dockerfile::diagnostic::{Diagnostic, DiagnosticKind};
use crate::dockerfile::span::Span;
use serde::{Deserialize, Serialize};

/// A whole Dockerfile as the official parser reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The text exactly as given (BOM, CRLF and all).
    pub source: String,
    /// Parser directives (`# syntax=…`, `# escape=…`, `# check=…`) in order.
    pub directives: Vec<Directive>,
    /// The escape character in force: `\\` or `` ` ``.
    pub escape: char,
    pub instructions: Vec<Instruction>,
    /// Warnings the parser noticed (e.g. an empty continuation line).
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lower-cased name: `syntax`, `escape` or `check`.
    pub name: String,
    pub value: String,
    pub span: Span,
}

/// One instruction: BuildKit's `parser.Node` with spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub keyword: Keyword,
    /// The keyword exactly as written (`rUn`), with its span.
    pub keyword_text: String,
    pub keyword_span: Span,
    /// Leading `--name[=value]` words, quotes removed.
    pub flags: Vec<Flag>,
    /// The arguments, shaped per keyword as BuildKit shapes `Node.Next`
    /// (see `parser-corpus/README.md`).
    pub args: Vec<Arg>,
    /// `true` when the arguments were read as a JSON array (exec form).
    pub json: bool,
    /// Heredocs in the order they were opened.
    pub heredocs: Vec<Heredoc>,
    /// BuildKit's `Node.Original`: continuation lines joined, comment lines
    /// inside them dropped, heredoc bodies not included.
    pub original: String,
    /// The whole instruction: first line through its last continuation line
    /// or heredoc terminator (the byte range includes the final line break
    /// only if there is none after it… i.e. it ends at the last character of
    /// the instruction's last line).
    pub span: Span,
    /// Last line of the instruction (1-based, inclusive).
    pub end_line: usize,
    /// ONBUILD only: the wrapped instruction (`None` for a bare `ONBUILD`).
    pub onbuild: Option<Box<Instruction>>,
}

/// A flag such as `--from=builder`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// `name` of `--name=value`.
    pub name: String,
    /// `None` for a bare `--name`.
    pub value: Option<String>,
    pub span: Span,
}

impl Flag {
    /// The flag as BuildKit lists it in `Node.Flags`: `--name=value`.
    pub fn text(&self) -> String {
        match &self.value {
            Some(v) => format!("--{}={}", self.name, v),
            None => format!("--{}", self.name),
        }
    }
}

/// One argument string (`Node.Next` entry). For arguments that the parser
/// built from joined text the span points at where the argument starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub value: String,
    pub span: Span,
}

/// A heredoc opened by `<<NAME`, `<<-NAME`, `<<"NAME"`, `3<<NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    pub file_descriptor: u32,
    /// The body exactly as in the file (CRLF and leading tabs kept).
    pub content: String,
    /// `<<-`: leading tabs are stripped when the heredoc is used.
    pub chomp: bool,
    /// `<<"EOF"` or `<<'EOF'`: no expansion inside the body.
    pub quoted: bool,
    pub span: Span,
}

/// The Dockerfile keywords. `Unknown` keeps lines BuildKit's parser accepts
/// but no builder knows (the analyzer reports them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    Unknown,
}

impl Keyword {
    pub const ALL: [Keyword; 18] = [
        Keyword::Add,
        Keyword::Arg,
        Keyword::Cmd,
        Keyword::Copy,
        Keyword::Entrypoint,
        Keyword::Env,
        Keyword::Expose,
        Keyword::From,
        Keyword::Healthcheck,
        Keyword::Label,
        Keyword::Maintainer,
        Keyword::Onbuild,
        Keyword::Run,
        Keyword::Shell,
        Keyword::Stopsignal,
        Keyword::User,
        Keyword::Volume,
        Keyword::Workdir,
    ];

    /// Case-insensitive lookup; anything else is `Unknown`.
    pub fn from_word(word: &str) -> Keyword {
        Keyword::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(word))
            .unwrap_or(Keyword::Unknown)
    }

    /// Lower-case name as BuildKit stores `Node.Value`.
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Add => "add",
            Keyword::Arg => "arg",
            Keyword::Cmd => "cmd",
            Keyword::Copy => "copy",
            Keyword::Entrypoint => "entrypoint",
            Keyword::Env => "env",
            Keyword::Expose => "expose",
            Keyword::From => "from",
            Keyword::Healthcheck => "healthcheck",
            Keyword::Label => "label",
            Keyword::Maintainer => "maintainer",
            Keyword::Onbuild => "onbuild",
            Keyword::Run => "run",
            Keyword::Shell => "shell",
            Keyword::Stopsignal => "stopsignal",
            Keyword::User => "user",
            Keyword::Volume => "volume",
            Keyword::Workdir => "workdir",
            Keyword::Unknown => "",
        }
    }

    /// Upper-case name as builders print it.
    pub fn upper(self) -> String {
        self.as_str().to_ascii_uppercase()
    }
}

impl Instruction {
    /// The argument strings, as `Node.Next` values.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.args.iter().map(|a| a.value.as_str())
    }
}

impl Instruction {
    /// BuildKit's parser accepts any wrapped instruction after ONBUILD; its
    /// instruction layer then rejects `ONBUILD ONBUILD`, `ONBUILD FROM` and
    /// `ONBUILD MAINTAINER` with these messages. For the analyzer to report
    /// (at the wrapped keyword).
    pub fn onbuild_trigger_error(&self) -> Option<Diagnostic> {
        let inner = self.onbuild.as_deref()?;
        let kind = match inner.keyword {
            Keyword::Onbuild => DiagnosticKind::OnbuildChained,
            Keyword::From | Keyword::Maintainer => DiagnosticKind::OnbuildTrigger {
                trigger: inner.keyword_text.trim().to_uppercase(),
            },
            _ => return None,
        };
        Some(Diagnostic::error(inner.keyword_span, kind))
    }
}
