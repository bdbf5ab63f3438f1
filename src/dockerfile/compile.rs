//! The one compile step, text → plan: parse, then analyze. Whoever needs
//! the Dockerfile (the editor's outline, the build, the panes) shares one
//! [`Compiled`] per change of the text instead of parsing it again.

use crate::dockerfile::analyzer::{self, CheckInputs, Plan};
use crate::dockerfile::ast::Instruction;
use crate::dockerfile::{parser, Diagnostic, Dockerfile};

/// A Dockerfile text with everything the front end made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    source: String,
    /// The AST with its spans and its plan, or the parse error.
    parsed: Result<(Dockerfile, Plan), Diagnostic>,
}

/// Parse and analyze `source`.
pub fn compile(source: &str) -> Compiled {
    let parsed = parser::parse(source).map(|file| {
        let plan = analyzer::analyze(&file);
        (file, plan)
    });
    Compiled {
        source: source.to_string(),
        parsed,
    }
}

impl Compiled {
    /// The text as given.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The AST and the plan, or why the text does not parse.
    pub fn parsed(&self) -> Result<(&Dockerfile, &Plan), &Diagnostic> {
        self.parsed.as_ref().map(|(file, plan)| (file, plan))
    }

    /// The instructions with their spans (none when the text does not
    /// parse).
    pub fn instructions(&self) -> &[Instruction] {
        match &self.parsed {
            Ok((file, _)) => &file.instructions,
            Err(_) => &[],
        }
    }

    /// BuildKit's build checks (`docker build --check`) of a text that
    /// parses and has no errors BuildKit makes; none otherwise. `inputs`:
    /// what the checks need from the build context.
    pub fn build_checks(&self, inputs: CheckInputs<'_>) -> Vec<Diagnostic> {
        match &self.parsed {
            Ok((file, plan)) if plan.errors().all(|d| d.kind.classic_only()) => {
                analyzer::build_checks(file, plan, inputs)
            }
            _ => Vec::new(),
        }
    }

    /// What stops a build before it starts: the parse error, or the
    /// analyzer's first error.
    pub fn error(&self) -> Option<&Diagnostic> {
        match &self.parsed {
            Ok((_, plan)) => plan.errors().next(),
            Err(d) => Some(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_text_has_instructions_and_a_plan() {
        let c = compile("FROM alpine\nRUN echo hi\n");
        assert_eq!(c.source(), "FROM alpine\nRUN echo hi\n");
        assert_eq!(c.instructions().len(), 2);
        let (_, plan) = c.parsed().expect("it parses");
        assert_eq!(plan.stages.len(), 1);
        assert_eq!(c.error(), None);
    }

    #[test]
    fn parse_and_analyzer_errors_are_the_error() {
        let unparsed = compile("FROM alpine\nRUN <<EOF\necho\n");
        assert!(unparsed.parsed().is_err());
        assert!(unparsed.instructions().is_empty());
        assert_eq!(unparsed.error().map(|d| d.span.line), Some(2));

        let rejected = compile("FROM alpine\nCOPY --chmod\nRUNN echo\n");
        assert_eq!(rejected.instructions().len(), 3);
        assert_eq!(rejected.error().map(|d| d.span.line), Some(2));
    }
}
