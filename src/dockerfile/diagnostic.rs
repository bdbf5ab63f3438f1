//! Errors and warnings as data; rendering (caret under the spot) is separate.

use crate::dockerfile::Span;
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A message about one place in a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub span: Span,
    /// The message in words (never a grammar rule name).
    pub message: String,
    /// An optional hint shown under the caret.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Render like rustc: `file:line:column`, the line, a caret under the spot.
    pub fn render(&self, file: &str, source: &str) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!("{kind}: {}\n", self.message);
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
        if let Some(help) = &self.help {
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
