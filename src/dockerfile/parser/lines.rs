//! The line-level pass: physical lines as BuildKit's scanner hands them out
//! (newline kept, BOM stripped from the first, the 64 KiB token limit), the
//! continuation test, and the map from a joined logical line back to the
//! source so every node gets a real span.

use crate::dockerfile::Span;

/// BuildKit reads lines with Go's `bufio.Scanner` and its default limit:
/// a line (with its newline) longer than this stops the scan.
const MAX_TOKEN: usize = 64 * 1024;

/// One physical line.
#[derive(Debug, Clone, Copy)]
pub(super) struct PhysLine<'a> {
    /// 1-based line number.
    pub number: usize,
    /// Byte offset of `text` in the source.
    pub start: usize,
    /// The line with its line break (`\n`, `\r\n`) if it has one; the BOM
    /// is not part of line 1's text.
    pub text: &'a str,
}

impl<'a> PhysLine<'a> {
    /// The line without trailing `\r`/`\n` characters (Go's
    /// `bytes.TrimRight(line, "\r\n")`).
    pub fn content(&self) -> &'a str {
        self.text.trim_end_matches(['\r', '\n'])
    }

    /// Byte offset just past the content (where a caret for "end of line"
    /// goes).
    pub fn content_end(&self) -> usize {
        self.start + self.content().len()
    }
}

/// Hands out physical lines and remembers whether the scan stopped on an
/// over-long line (BuildKit then ends the file there).
pub(super) struct Scanner<'a> {
    src: &'a str,
    pos: usize,
    number: usize,
    /// The line at which the scan stopped because it was too long.
    pub too_long: Option<PhysLine<'a>>,
}

impl<'a> Scanner<'a> {
    pub fn new(src: &'a str) -> Self {
        Scanner {
            src,
            pos: 0,
            number: 0,
            too_long: None,
        }
    }

    pub fn next_line(&mut self) -> Option<PhysLine<'a>> {
        if self.too_long.is_some() || self.pos >= self.src.len() {
            return None;
        }
        let rest = &self.src[self.pos..];
        let (len, has_newline) = match rest.bytes().position(|b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (rest.len(), false),
        };
        // Go's scanner fails once its 64 KiB buffer is full without a
        // complete token: a line with its newline may fill it exactly, a
        // last line without one may not.
        let over = if has_newline {
            len > MAX_TOKEN
        } else {
            len >= MAX_TOKEN
        };
        let mut start = self.pos;
        let mut text = &rest[..len];
        self.number += 1;
        if self.number == 1 {
            if let Some(stripped) = text.strip_prefix('\u{feff}') {
                start += '\u{feff}'.len_utf8();
                text = stripped;
            }
        }
        let line = PhysLine {
            number: self.number,
            start,
            text,
        };
        if over {
            self.too_long = Some(line);
            return None;
        }
        self.pos += len;
        Some(line)
    }

    /// Where the source ends, as a span (for "file with no instructions").
    pub fn end_span(&self) -> Span {
        let end = self.src.len();
        let line_start = self.src[..end].rfind('\n').map_or(0, |i| i + 1);
        let line_start = if line_start == 0 && self.src.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            line_start
        };
        let line = self.src[..line_start].matches('\n').count() + 1;
        Span {
            line,
            column: self.src[line_start..end].chars().count() + 1,
            start: end,
            end,
        }
    }
}

/// A span for a range inside one physical line.
pub(super) fn line_span(line: &PhysLine<'_>, lo: usize, hi: usize) -> Span {
    Span {
        line: line.number,
        column: line.text[..lo].chars().count() + 1,
        start: line.start + lo,
        end: line.start + hi,
    }
}

/// If `line` ends in the escape character (then optional blanks), the line
/// continues on the next one: return the text without that escape and
/// `true`. An escape preceded by another escape does not continue the line
/// (BuildKit's pattern needs a non-escape character before it, or nothing).
pub(super) fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let body = line.trim_end_matches([' ', '\t']);
    match body.strip_suffix(escape) {
        Some(before) if !before.ends_with(escape) => (before, true),
        _ => (line, false),
    }
}

/// One piece of a joined logical line: `joined[at..]` comes from the source
/// at byte `src`, which lies on line `line` starting at byte `line_start`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    at: usize,
    src: usize,
    line: usize,
    line_start: usize,
}

/// Maps byte offsets in a joined logical line (continuations removed) back
/// to the source.
pub(super) struct SpanMap<'a> {
    src: &'a str,
    pieces: Vec<Piece>,
}

impl<'a> SpanMap<'a> {
    pub fn new(src: &'a str) -> Self {
        SpanMap {
            src,
            pieces: Vec::new(),
        }
    }

    /// Forget the pieces of the previous logical line.
    pub fn clear(&mut self) {
        self.pieces.clear();
    }

    /// Record that the joined line continues at `at` with text taken from
    /// `line` at byte `offset` of its text.
    pub fn push(&mut self, at: usize, line: &PhysLine<'_>, offset: usize) {
        self.pieces.push(Piece {
            at,
            src: line.start + offset,
            line: line.number,
            line_start: line.start,
        });
    }

    fn piece_for(&self, pos: usize, prefer_earlier: bool) -> Option<&Piece> {
        let idx = self.pieces.partition_point(|p| {
            if prefer_earlier {
                p.at < pos
            } else {
                p.at <= pos
            }
        });
        self.pieces.get(idx.saturating_sub(1))
    }

    fn source_offset(&self, pos: usize, prefer_earlier: bool) -> Option<(usize, &Piece)> {
        let piece = self.piece_for(pos, prefer_earlier)?;
        let off = (piece.src + (pos - piece.at.min(pos))).min(self.src.len());
        Some((off, piece))
    }

    /// The source span of `lo..hi` in the joined line.
    pub fn span(&self, lo: usize, hi: usize) -> Span {
        let Some((start, piece)) = self.source_offset(lo, false) else {
            return Span::default();
        };
        let end = if hi > lo {
            self.source_offset(hi, true).map_or(start, |(e, _)| e)
        } else {
            start
        };
        let line_start = piece.line_start.min(start);
        let column = self
            .src
            .get(line_start..start)
            .map_or(0, |s| s.chars().count())
            + 1;
        Span {
            line: piece.line,
            column,
            start,
            end: end.max(start),
        }
    }
}
