//! One logical line → one instruction: keyword, flags and arguments shaped
//! per keyword the way BuildKit's line parsers shape `Node.Next`.

use super::grammar::{self, Json};
use super::lines::SpanMap;
use crate::dockerfile::ast::{Arg, Flag, Instruction, Keyword};
use crate::dockerfile::diagnostic::DiagnosticKind;
use std::ops::Range;

/// An error at a range of the joined logical line.
#[derive(Debug)]
pub(super) struct NodeError {
    pub kind: DiagnosticKind,
    pub lo: usize,
    pub hi: usize,
}

/// Whitespace as Go's `unicode.IsSpace` (the Unicode White_Space set).
fn is_go_space(c: char) -> bool {
    c.is_whitespace()
}

/// BuildKit's `[\t\v\f\r ]` separator.
fn is_sep(c: char) -> bool {
    matches!(c, '\t' | '\u{0B}' | '\u{0C}' | '\r' | ' ')
}

/// Read the instruction in `line` (a joined logical line, or the part of
/// one after `ONBUILD`), which starts at byte `base` of the joined line.
/// Heredocs, the overall span and end line are filled in by the caller.
pub(super) fn build(
    line: &str,
    base: usize,
    map: &SpanMap<'_>,
    escape: char,
) -> Result<Instruction, NodeError> {
    let lead = line.len() - line.trim_start_matches(is_go_space).len();
    let trimmed = line.trim_matches(is_go_space);
    let base = base + lead;
    let cmd = grammar::command(trimmed).ok_or_else(|| NodeError {
        kind: DiagnosticKind::CannotRead,
        lo: base,
        hi: base + trimmed.len(),
    })?;
    let args_raw = &trimmed[cmd.rest_at.min(trimmed.len())..];
    let args_lead = args_raw.len() - args_raw.trim_start_matches(is_go_space).len();
    let args = args_raw.trim_matches(is_go_space);
    let args_at = base + cmd.rest_at + args_lead;

    let keyword = keyword_of(&cmd.keyword.value);
    let flags = cmd
        .flags
        .iter()
        .map(|f| {
            let body = f.value.strip_prefix("--").unwrap_or(&f.value);
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (body.to_string(), None),
            };
            Flag {
                name,
                value,
                span: map.span(base + f.lo, base + f.hi),
            }
        })
        .collect();

    let shaper = Shaper {
        map,
        escape,
        text: args,
        at: args_at,
    };
    let mut onbuild = None;
    let (args, json) = match keyword {
        Keyword::Add | Keyword::Copy | Keyword::Volume => shaper.maybe_json_to_list()?,
        Keyword::Arg => (shaper.words(), false),
        Keyword::Cmd | Keyword::Entrypoint | Keyword::Run | Keyword::Shell => {
            shaper.maybe_json()?
        }
        Keyword::Env => (shaper.name_val("ENV")?, false),
        Keyword::Label => (shaper.name_val("LABEL")?, false),
        Keyword::Expose | Keyword::From => (shaper.whitespace_list(), false),
        Keyword::Healthcheck => shaper.health()?,
        Keyword::Maintainer | Keyword::Stopsignal | Keyword::User | Keyword::Workdir => {
            (shaper.whole(), false)
        }
        Keyword::Onbuild => {
            if !args.is_empty() {
                let mut inner = build(args, args_at, map, escape)?;
                inner.original = args.to_string();
                inner.span = map.span(args_at, args_at + args.len());
                onbuild = Some(Box::new(inner));
            }
            (Vec::new(), false)
        }
        // BuildKit keeps lines with an unknown keyword, with one empty
        // argument, and leaves the complaint to the builder.
        Keyword::Unknown => (
            vec![Arg {
                value: String::new(),
                span: map.span(args_at, args_at),
            }],
            false,
        ),
    };

    Ok(Instruction {
        keyword,
        keyword_text: cmd.keyword.value.clone(),
        keyword_span: map.span(base + cmd.keyword.lo, base + cmd.keyword.hi),
        flags,
        args,
        json,
        heredocs: Vec::new(),
        // The caller knows the text as BuildKit keeps it.
        original: String::new(),
        span: map.span(base, base + trimmed.len()),
        end_line: 0,
        onbuild,
    })
}

/// The keyword for a word, compared after Unicode lower-casing as
/// BuildKit's dispatch does.
pub(super) fn keyword_of(word: &str) -> Keyword {
    if word.is_ascii() {
        return Keyword::from_word(word);
    }
    let lower: String = word.chars().flat_map(char::to_lowercase).collect();
    if lower.is_ascii() {
        Keyword::from_word(&lower)
    } else {
        Keyword::Unknown
    }
}

/// The argument text of one instruction and where it sits.
struct Shaper<'m, 'a> {
    map: &'m SpanMap<'m>,
    escape: char,
    text: &'a str,
    at: usize,
}

impl Shaper<'_, '_> {
    fn arg(&self, value: String, lo: usize, hi: usize) -> Arg {
        Arg {
            value,
            span: self.map.span(self.at + lo, self.at + hi),
        }
    }

    /// The text in `range` as an argument.
    fn slice(&self, range: Range<usize>) -> Arg {
        self.arg(self.text[range.clone()].to_string(), range.start, range.end)
    }

    /// MAINTAINER, USER, WORKDIR, STOPSIGNAL: the whole text.
    fn whole(&self) -> Vec<Arg> {
        if self.text.is_empty() {
            return Vec::new();
        }
        vec![self.arg(self.text.to_string(), 0, self.text.len())]
    }

    /// FROM, EXPOSE (and the shell form of COPY/ADD/VOLUME): words split
    /// on `[\t\v\f\r ]+`.
    fn whitespace_list(&self) -> Vec<Arg> {
        let mut out = Vec::new();
        if self.text.is_empty() {
            return out;
        }
        let mut start = 0;
        let mut in_sep = false;
        for (i, c) in self.text.char_indices() {
            if is_sep(c) {
                if !in_sep {
                    out.push(self.arg(self.text[start..i].to_string(), start, i));
                    in_sep = true;
                }
            } else if in_sep {
                start = i;
                in_sep = false;
            }
        }
        if in_sep {
            // A trailing separator leaves an empty last word in Go's
            // regexp split.
            out.push(self.arg(String::new(), self.text.len(), self.text.len()));
        } else {
            out.push(self.arg(self.text[start..].to_string(), start, self.text.len()));
        }
        out
    }

    /// ARG: words as written.
    fn words(&self) -> Vec<Arg> {
        grammar::words(self.text, self.escape)
            .into_iter()
            .map(|r| self.slice(r))
            .collect()
    }

    fn json(&self) -> Result<Option<Vec<Arg>>, NodeError> {
        let lead = self.text.len() - self.text.trim_start_matches(is_go_space).len();
        match grammar::json(&self.text[lead..]) {
            Json::Strings(pieces) => Ok(Some(
                pieces
                    .into_iter()
                    .map(|p| self.arg(p.value, lead + p.lo, lead + p.hi))
                    .collect(),
            )),
            Json::NotStrings { lo, hi } => Err(NodeError {
                kind: DiagnosticKind::NotStringArray,
                lo: self.at + lead + lo,
                hi: self.at + lead + hi,
            }),
            Json::Invalid => Ok(None),
        }
    }

    /// RUN, CMD, ENTRYPOINT, SHELL: a JSON array, else one string.
    fn maybe_json(&self) -> Result<(Vec<Arg>, bool), NodeError> {
        if self.text.is_empty() {
            return Ok((Vec::new(), false));
        }
        Ok(match self.json()? {
            Some(args) => (args, true),
            None => (self.whole(), false),
        })
    }

    /// COPY, ADD, VOLUME: a JSON array, else whitespace-separated words.
    fn maybe_json_to_list(&self) -> Result<(Vec<Arg>, bool), NodeError> {
        Ok(match self.json()? {
            Some(args) => (args, true),
            None => (self.whitespace_list(), false),
        })
    }

    /// HEALTHCHECK: the first word (`CMD`, `NONE`, …), then the rest read
    /// like CMD's arguments.
    fn health(&self) -> Result<(Vec<Arg>, bool), NodeError> {
        // BuildKit scans bytes here; ASCII whitespace is what ends a word.
        let sep = self
            .text
            .find(|c: char| c.is_ascii_whitespace() || c == '\u{0B}')
            .unwrap_or(self.text.len());
        if sep == 0 {
            return Ok((Vec::new(), false));
        }
        let after = &self.text[sep..];
        let next = sep
            + (after.len()
                - after
                    .trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '\u{0B}')
                    .len());
        let typ = self.arg(self.text[..sep].to_string(), 0, sep);
        let cmd = Shaper {
            map: self.map,
            escape: self.escape,
            text: &self.text[next..],
            at: self.at + next,
        };
        let (mut rest, json) = cmd.maybe_json()?;
        rest.insert(0, typ);
        Ok((rest, json))
    }

    /// ENV and LABEL: `[k1, v1, k2, v2, …]` from either `key value` or
    /// `key=value …`, quotes and escapes kept.
    fn name_val(&self, what: &str) -> Result<Vec<Arg>, NodeError> {
        let words = grammar::words(self.text, self.escape);
        let Some(first) = words.first() else {
            return Ok(Vec::new());
        };
        if !self.text[first.clone()].contains('=') {
            // Old form: the key, then everything after the first blanks.
            let Some(key_end) = self.text.find(is_sep) else {
                return Err(NodeError {
                    kind: DiagnosticKind::NameWithoutValue {
                        keyword: what.to_string(),
                    },
                    lo: self.at,
                    hi: self.at + self.text.len(),
                });
            };
            let rest = &self.text[key_end..];
            let value_at = key_end + (rest.len() - rest.trim_start_matches(is_sep).len());
            return Ok(vec![
                self.arg(self.text[..key_end].to_string(), 0, key_end),
                self.arg(self.text[value_at..].to_string(), value_at, self.text.len()),
            ]);
        }
        let mut out = Vec::with_capacity(words.len() * 2);
        for w in words {
            let Some(eq) = self.text[w.clone()].find('=') else {
                return Err(NodeError {
                    kind: DiagnosticKind::MissingEquals {
                        word: self.text[w.clone()].to_string(),
                    },
                    lo: self.at + w.start,
                    hi: self.at + w.end,
                });
            };
            let eq = w.start + eq;
            out.push(self.slice(w.start..eq));
            out.push(self.slice(eq + 1..w.end));
        }
        Ok(out)
    }
}
