//! Dockerfile text → AST, as BuildKit's parser (v0.12.5) reads it. The only
//! module that sees pest (in `grammar`).
//!
//! The work is split the way the language is: `lines` does the line-level
//! pass (directives' position, continuations, heredoc bodies), `grammar`
//! reads what is inside one logical line (the pest grammar, with the plain
//! cases taken in Rust first), and `node` shapes each instruction's
//! arguments per keyword.

mod grammar;
mod lines;
mod node;

use crate::dockerfile::ast::{Directive, Heredoc, Instruction, Keyword};
use crate::dockerfile::diagnostic::DiagnosticKind;
use crate::dockerfile::{Diagnostic, Dockerfile, Span};
use lines::{line_span, PhysLine, Scanner, SpanMap};

/// Parse a whole Dockerfile. Fails where BuildKit's parser fails, with the
/// message BuildKit gives (see `Diagnostic::message`) and the spot.
pub fn parse(source: &str) -> Result<Dockerfile, Diagnostic> {
    let mut scanner = Scanner::new(source);
    let mut directives = DirectiveBlock::default();
    // Room for a typical instruction every 64 bytes, so the list rarely
    // grows (each growth copies every instruction so far).
    let mut instructions: Vec<Instruction> = Vec::with_capacity(source.len() / 64);
    let mut warnings = Vec::new();
    // One map for all instructions, so its storage is reused.
    let mut map = SpanMap::new(source);

    while let Some(first) = scanner.next_line() {
        let content = first.content();
        let lead = content.len() - content.trim_start().len();
        let token = &content[lead..];
        directives.read(&first, lead, token)?;

        let text = if token.starts_with('#') { "" } else { token };
        let (kept, mut continues) = lines::trim_continuation(text, directives.escape);
        if !continues && kept.is_empty() {
            continue;
        }

        map.clear();
        map.push(0, &first, lead);
        let mut joined = kept.to_string();
        let mut last = first;
        let mut empty_continuation: Option<PhysLine<'_>> = None;
        while continues {
            let Some(next) = scanner.next_line() else {
                break;
            };
            last = next;
            let content = next.content();
            let trimmed = content.trim_start();
            if trimmed.starts_with('#') {
                // Comment lines inside a continuation are dropped.
                continue;
            }
            if trimmed.is_empty() {
                empty_continuation.get_or_insert(next);
                continue;
            }
            let (kept, more) = lines::trim_continuation(content, directives.escape);
            map.push(joined.len(), &next, 0);
            joined.push_str(kept);
            continues = more;
        }

        if let Some(empty) = empty_continuation {
            warnings.push(Diagnostic::warning(
                line_span(&empty, 0, empty.content().len()),
                DiagnosticKind::EmptyContinuationLine {
                    joined: joined.clone(),
                },
            ));
        }

        let mut inst = node::build(&joined, 0, &map, directives.escape)
            .map_err(|e| Diagnostic::error(map.span(e.lo, e.hi), e.kind))?;

        let markers = heredoc_target(&inst)
            .map(|_| grammar::heredoc_markers(&joined))
            .unwrap_or_default();
        let mut heredocs = Vec::with_capacity(markers.len());
        for m in markers {
            let mut content = String::new();
            let mut terminated = false;
            while let Some(body) = scanner.next_line() {
                last = body;
                let mut candidate = body.content();
                if m.chomp {
                    candidate = candidate.trim_start_matches('\t');
                }
                if candidate == m.name {
                    terminated = true;
                    break;
                }
                content.push_str(body.text);
            }
            let span = map.span(m.lo, m.hi);
            if !terminated {
                return Err(Diagnostic::error(
                    span,
                    DiagnosticKind::UnterminatedHeredoc { name: m.name },
                ));
            }
            heredocs.push(Heredoc {
                name: m.name,
                file_descriptor: m.file_descriptor,
                content,
                chomp: m.chomp,
                quoted: m.quoted,
                span,
            });
        }

        // The instruction starts where its first line's text starts (even
        // when that line holds only a continuation) and ends with its last
        // line: continuation or heredoc terminator.
        let start = line_span(&first, lead, lead);
        let span = Span {
            end: last.content_end().max(start.start),
            ..start
        };
        inst.span = span;
        inst.original = joined;
        inst.end_line = last.number;
        let mut wrapped = inst.onbuild.as_deref_mut();
        while let Some(inner) = wrapped {
            inner.end_line = last.number;
            inner.span.end = span.end;
            wrapped = inner.onbuild.as_deref_mut();
        }
        if let Some(target) = heredoc_target_mut(&mut inst) {
            target.heredocs = heredocs;
        }
        instructions.push(inst);
    }

    if instructions.is_empty() {
        let span = scanner
            .too_long
            .map_or_else(|| scanner.end_span(), |l| line_span(&l, 0, 0));
        return Err(Diagnostic::error(span, DiagnosticKind::NoInstructions));
    }
    if let Some(long) = scanner.too_long {
        return Err(Diagnostic::error(
            line_span(&long, 0, 0),
            DiagnosticKind::LineTooLong,
        ));
    }

    instructions.shrink_to_fit();
    Ok(Dockerfile {
        source: source.to_string(),
        directives: directives.found,
        escape: directives.escape,
        instructions,
        warnings,
    })
}

/// The instruction that may open heredocs: RUN, COPY or ADD in shell form,
/// also when wrapped by ONBUILD.
fn heredoc_target(inst: &Instruction) -> Option<&Instruction> {
    let target = match (&inst.keyword, &inst.onbuild) {
        (Keyword::Onbuild, Some(inner)) => inner,
        _ => inst,
    };
    let allowed = matches!(target.keyword, Keyword::Run | Keyword::Copy | Keyword::Add);
    (allowed && !target.json).then_some(target)
}

fn heredoc_target_mut(inst: &mut Instruction) -> Option<&mut Instruction> {
    heredoc_target(inst)?;
    if inst.onbuild.is_some() {
        inst.onbuild.as_deref_mut()
    } else {
        Some(inst)
    }
}

/// Parser directives: only at the top of the file, before any instruction,
/// comment that is not a directive, or blank line.
struct DirectiveBlock {
    done: bool,
    escape: char,
    found: Vec<Directive>,
}

impl Default for DirectiveBlock {
    fn default() -> Self {
        DirectiveBlock {
            done: false,
            escape: '\\',
            found: Vec::new(),
        }
    }
}

impl DirectiveBlock {
    /// Look at the first line of a logical line (newline and leading
    /// whitespace removed: `token` starts at byte `lead` of the line).
    fn read(&mut self, line: &PhysLine<'_>, lead: usize, token: &str) -> Result<(), Diagnostic> {
        if self.done {
            return Ok(());
        }
        let Some((name, value)) = grammar::directive(token) else {
            self.done = true;
            return Ok(());
        };
        let span = line_span(line, lead + value.lo, lead + value.hi);
        match name.as_str() {
            "syntax" | "escape" => {}
            // BuildKit v0.12.5 does not know `check` (later versions do):
            // it ends the directive block like any other comment. Keep it
            // so later stages can see it.
            "check" => {
                self.done = true;
                self.found.push(Directive {
                    name,
                    value: value.value,
                    span,
                });
                return Ok(());
            }
            _ => {
                self.done = true;
                return Ok(());
            }
        }
        if self.found.iter().any(|d| d.name == name) {
            let whole = line_span(line, lead, lead + token.len());
            return Err(Diagnostic::error(
                whole,
                DiagnosticKind::DuplicateDirective { name },
            ));
        }
        if name == "escape" {
            self.escape = match value.value.as_str() {
                "\\" => '\\',
                "`" => '`',
                other => {
                    return Err(Diagnostic::error(
                        span,
                        DiagnosticKind::InvalidEscape {
                            token: other.to_string(),
                        },
                    ))
                }
            };
        }
        self.found.push(Directive {
            name,
            value: value.value,
            span,
        });
        Ok(())
    }
}
