//! The Dockerfile being edited: its lines, what was last saved, and the
//! outline (instruction blocks) the editor selects and moves.

use crate::dockerfile::{Compiled, Keyword};
use crate::engine::dockerignore::DockerIgnore;
use crate::messages::Message;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub lines: Vec<String>,
    /// The text as last read from or written to disk.
    saved: String,
    /// The file's line ending: `\r\n` when its first line ends so.
    newline: &'static str,
    /// Whether the file ends with a line ending (an empty file counts as
    /// yes, so lines typed into it end as editors end them).
    final_newline: bool,
}

impl Document {
    pub fn new(text: &str) -> Document {
        let crlf =
            text.split('\n').next().is_some_and(|l| l.ends_with('\r')) && text.contains('\n');
        Document {
            lines: split_lines(text),
            saved: text.to_string(),
            newline: if crlf { "\r\n" } else { "\n" },
            final_newline: text.is_empty() || text.ends_with('\n'),
        }
    }

    /// The lines joined with `\n`, ending with one: what is compiled.
    pub fn text(&self) -> String {
        join_lines(&self.lines)
    }

    /// The text as the file holds it: its line ending, and its final line
    /// ending or the absence of one — what saving writes.
    pub fn file_text(&self) -> String {
        let mut s = self.lines.join(self.newline);
        if self.final_newline && !self.lines.is_empty() {
            s.push_str(self.newline);
        }
        s
    }

    /// Whether the lines differ from the text on disk, however they came
    /// to be what they are (moving an instruction away and back is no
    /// edit). Compared as the editor holds text: lines, without `\r`.
    pub fn is_dirty(&self) -> bool {
        !self.same_text(&self.saved)
    }

    /// Whether `text` reads as these lines.
    pub fn same_text(&self, text: &str) -> bool {
        split_lines(text) == self.lines
    }

    pub fn saved_text(&self) -> &str {
        &self.saved
    }

    pub fn mark_saved(&mut self, text: &str) {
        self.saved = text.to_string();
    }
}

pub fn split_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect()
}

pub fn join_lines(lines: &[String]) -> String {
    let mut s = lines.join("\n");
    if !lines.is_empty() {
        s.push('\n');
    }
    s
}

/// One instruction's lines (0-based, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub first: usize,
    pub last: usize,
    pub keyword: Keyword,
}

/// A parse or analysis error at a line, as a message the screen renders in
/// the learner's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 0-based line.
    pub line: usize,
    pub message: Message,
}

/// A BuildKit build check (`docker build --check`) on an instruction: a
/// mark on its row, and in the details the rule, its message and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckMark {
    /// The block (instruction) it is about.
    pub block: usize,
    /// BuildKit's rule name.
    pub rule: &'static str,
    pub message: Message,
    pub why: Option<Message>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outline {
    pub blocks: Vec<Block>,
    pub problem: Option<Problem>,
    /// The build checks, by line (none while the text has an error).
    /// CopyIgnoredFile runs once the context's `.dockerignore` is known.
    pub checks: Vec<CheckMark>,
}

impl Outline {
    /// The block a 0-based line belongs to.
    pub fn block_at(&self, line: usize) -> Option<usize> {
        self.blocks
            .iter()
            .position(|b| b.first <= line && line <= b.last)
    }
}

/// Blocks from the compiled text; when it does not parse, from a line pass
/// (a line, plus the lines its trailing `\` continues) so the learner can
/// still select and fix it. `lines` are the lines `compiled` was compiled
/// from; `ignore`, the context's `.dockerignore` once it has been read.
pub fn outline(compiled: &Compiled, lines: &[String], ignore: Option<&DockerIgnore>) -> Outline {
    let problem = compiled.error().map(|d| Problem {
        line: d.span.line.saturating_sub(1),
        message: d.kind.text(),
    });
    let blocks = match compiled.parsed() {
        Ok((file, _)) => file
            .instructions
            .iter()
            .map(|i| Block {
                first: i.span.line.saturating_sub(1),
                last: i
                    .end_line
                    .saturating_sub(1)
                    .max(i.span.line.saturating_sub(1)),
                keyword: i.keyword,
            })
            .collect(),
        Err(_) => line_blocks(lines),
    };
    let mut outline = Outline {
        blocks,
        problem,
        checks: Vec::new(),
    };
    outline.checks = crate::engine::checks::build_checks(compiled, ignore)
        .iter()
        .filter_map(|d| {
            Some(CheckMark {
                block: outline.block_at(d.span.line.checked_sub(1)?)?,
                rule: d.kind.check_rule()?.0,
                message: d.kind.text(),
                why: d.kind.check_why(),
            })
        })
        .collect();
    outline
}

impl Outline {
    /// The checks on block `block`.
    pub fn checks_of(&self, block: usize) -> impl Iterator<Item = &CheckMark> {
        self.checks.iter().filter(move |c| c.block == block)
    }
}

fn line_blocks(lines: &[String]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim();
        if t.is_empty() || t.starts_with('#') {
            i += 1;
            continue;
        }
        let first = i;
        while i + 1 < lines.len() && lines[i].trim_end().ends_with('\\') {
            i += 1;
        }
        let word = t.split_whitespace().next().unwrap_or("");
        blocks.push(Block {
            first,
            last: i,
            keyword: Keyword::from_word(word),
        });
        i += 1;
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::compile;

    #[test]
    fn blocks_follow_instructions_and_continuations() {
        let text = "FROM alpine\n\n# c\nRUN a \\\n  && b\nCMD x\n";
        let o = outline(&compile(text), &split_lines(text), None);
        assert_eq!(o.problem, None);
        let spans: Vec<(usize, usize)> = o.blocks.iter().map(|b| (b.first, b.last)).collect();
        assert_eq!(spans, vec![(0, 0), (3, 4), (5, 5)]);
        assert_eq!(o.block_at(4), Some(1));
    }

    #[test]
    fn a_parse_error_keeps_blocks_and_names_the_line() {
        let text = "FROM alpine\nCOPY --chmod\nRUN x\n";
        let o = outline(&compile(text), &split_lines(text), None);
        assert_eq!(o.blocks.len(), 3);
        let p = o.problem.expect("an error");
        assert_eq!(p.line, 1);
        assert!(!p.message.render(crate::messages::Lang::En).is_empty());
    }
}
