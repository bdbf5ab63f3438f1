//! The pest grammar and the functions that turn its pairs into plain data.
//! Nothing outside this module sees `Pair` or `Rule`; every function here
//! returns offsets into the text it was given.

use pest::iterators::Pair;
use pest::Parser as _;
use std::ops::Range;

#[derive(pest_derive::Parser)]
#[grammar = "dockerfile/dockerfile.pest"]
struct Grammar;

/// A piece of text with its byte range in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Piece {
    pub value: String,
    pub lo: usize,
    pub hi: usize,
}

// ---------------------------------------------------------------------------
// Parser directives

/// `# name = value`: the lower-cased name, the value and the value's range.
pub(super) fn directive(line: &str) -> Option<(String, Piece)> {
    let pair = Grammar::parse(Rule::directive, line).ok()?.next()?;
    let mut name = None;
    let mut value = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::directive_name => name = Some(p.as_str().to_ascii_lowercase()),
            Rule::directive_rest => value = Some(directive_value(p.as_str(), p.as_span().start())),
            _ => {}
        }
    }
    Some((name?, value?))
}

/// The value as BuildKit's lazy `\s*(.+?)\s*$` captures it: surrounding
/// whitespace trimmed, but at least one character.
fn directive_value(rest: &str, at: usize) -> Piece {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\u{0C}' | '\r');
    let trimmed_start = rest.trim_start_matches(is_space);
    let (lo, text) = if trimmed_start.is_empty() {
        // All whitespace: the pattern keeps the last character.
        let last = rest.char_indices().last().map_or(0, |(i, _)| i);
        (last, &rest[last..])
    } else {
        (
            rest.len() - trimmed_start.len(),
            trimmed_start.trim_end_matches(is_space),
        )
    };
    Piece {
        value: text.to_string(),
        lo: at + lo,
        hi: at + lo + text.len(),
    }
}

// ---------------------------------------------------------------------------
// Keyword, flags, rest

/// A logical line split as BuildKit's `splitCommand` splits it.
#[derive(Debug)]
pub(super) struct Command {
    pub keyword: Piece,
    /// Flags with quotes and escapes removed (`--name=value`).
    pub flags: Vec<Piece>,
    /// Where the arguments start (before trimming).
    pub rest_at: usize,
}

/// BuildKit's `[\t\v\f\r ]` between the keyword and what follows.
fn is_cmd_sep(b: u8) -> bool {
    matches!(b, b'\t' | 0x0B | 0x0C | b'\r' | b' ')
}

/// Split a trimmed logical line into keyword, flags and arguments.
pub(super) fn command(line: &str) -> Option<Command> {
    // The keyword runs to the first separator byte, and the separators
    // after it are skipped: plain byte scans. All of them are ASCII, so
    // both ends lie on character boundaries.
    let bytes = line.as_bytes();
    let keyword_end = bytes
        .iter()
        .position(|&b| is_cmd_sep(b))
        .unwrap_or(bytes.len());
    let keyword = Piece {
        value: line[..keyword_end].to_string(),
        lo: 0,
        hi: keyword_end,
    };
    let flags_at = keyword_end
        + bytes[keyword_end..]
            .iter()
            .take_while(|&&b| is_cmd_sep(b))
            .count();
    // Flags follow only where `--` comes after more blanks. (The byte
    // after the ASCII separators is ASCII or starts a character, so bytes
    // 0x85/0xA0 cannot be among these blanks.)
    let gap = bytes[flags_at..]
        .iter()
        .take_while(|&&b| matches!(b, b'\t'..=b'\r' | b' '))
        .count();
    if flags_at == keyword_end || !bytes[flags_at + gap..].starts_with(b"--") {
        return Some(Command {
            keyword,
            flags: Vec::new(),
            rest_at: flags_at,
        });
    }
    let (flags, rest_at) = flags(&line[flags_at..])?;
    Some(Command {
        keyword,
        flags: flags
            .into_iter()
            .map(|f| Piece {
                lo: f.lo + flags_at,
                hi: f.hi + flags_at,
                ..f
            })
            .collect(),
        rest_at: rest_at + flags_at,
    })
}

/// The leading `--flags` of `text` (what follows the keyword and its
/// separators) and where the arguments start.
fn flags(text: &str) -> Option<(Vec<Piece>, usize)> {
    // The grammar reads one character per byte; for ASCII that is the text
    // itself, otherwise each byte becomes the Latin-1 character of its value
    // and offsets are mapped back below.
    let latin1;
    let view = if text.is_ascii() {
        text
    } else {
        latin1 = text.bytes().map(char::from).collect::<String>();
        latin1.as_str()
    };
    let to_text = |pos: usize| -> usize {
        if view.len() == text.len() {
            pos
        } else {
            view[..pos].chars().count()
        }
    };
    let pair = Grammar::parse(Rule::flags, view).ok()?.next()?;
    let mut flags = Vec::new();
    // The arguments start where the rule stopped, unless a lone `--`
    // ended the flags earlier.
    let mut rest_at = to_text(pair.as_span().end());
    let mut ended = false;
    for p in pair.into_inner() {
        if p.as_rule() != Rule::flag || ended {
            continue;
        }
        let (start, end) = (p.as_span().start(), p.as_span().end());
        let (lo, mut hi) = (to_text(start), to_text(end));
        // The value is the flag's text without the quotes and escape
        // characters the grammar marked. Built from the Latin-1 view, like
        // BuildKit builds it from bytes: a non-ASCII character comes out as
        // one Latin-1 character per byte.
        let mut value = String::with_capacity(end - start);
        let mut kept_from = start;
        let marks = p.into_inner().flatten().filter(|m| {
            matches!(
                m.as_rule(),
                Rule::flag_dq_mark | Rule::flag_sq_mark | Rule::flag_esc_mark
            )
        });
        for mark in marks {
            value.push_str(&view[kept_from..mark.as_span().start()]);
            kept_from = mark.as_span().end();
        }
        value.push_str(&view[kept_from..end]);
        // The word may end on byte 0x85/0xA0 inside a character; its span
        // takes the whole character.
        while !text.is_char_boundary(hi) {
            hi += 1;
        }
        // A lone `--` ends the flags and is dropped.
        if value == "--" {
            rest_at = hi;
            ended = true;
        } else {
            flags.push(Piece { value, lo, hi });
        }
    }
    // After a word that ended on byte 0x85/0xA0 inside a character the
    // rest would start mid-character; start at the next whole character.
    while !text.is_char_boundary(rest_at) {
        rest_at += 1;
    }
    Some((flags, rest_at))
}

// ---------------------------------------------------------------------------
// Words of ENV / LABEL / ARG

/// Whitespace-separated words, quotes and escapes kept (BuildKit's
/// `parseWords`), with `escape` as the escape character: the byte range of
/// each word in `text` (a word is always `text[range]`).
pub(super) fn words(text: &str, escape: char) -> Vec<Range<usize>> {
    // Without quotes or escape characters a word is simply a run of
    // non-whitespace: no need for the grammar.
    if !text.contains(['"', '\'', escape]) {
        return plain_words(text);
    }
    grammar_words(text, escape)
}

/// `words` through the grammar.
fn grammar_words(text: &str, escape: char) -> Vec<Range<usize>> {
    let rule = if escape == '`' {
        Rule::words_bt
    } else {
        Rule::words_bs
    };
    let Some(top) = Grammar::parse(rule, text).ok().and_then(|mut p| p.next()) else {
        // The rule accepts every input; an empty list is the safe answer.
        return Vec::new();
    };
    let mut out = Vec::new();
    for w in top.into_inner() {
        if !matches!(w.as_rule(), Rule::word_bs | Rule::word_bt) {
            continue;
        }
        let span = w.as_span();
        let mut hi = span.end();
        // An escape character at the very end of the text is dropped; only
        // the last word can hold one.
        if hi == text.len()
            && w.as_str().ends_with(escape)
            && w.into_inner()
                .flatten()
                .any(|p| p.as_rule() == Rule::word_esc_end)
        {
            hi -= escape.len_utf8();
        }
        out.push(span.start()..hi);
    }
    out
}

/// Maximal runs of non-whitespace (Unicode White_Space, as the grammar's
/// `WHITE_SPACE`).
fn plain_words(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push(s..i);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

// ---------------------------------------------------------------------------
// JSON (exec form)

/// Go's decoder gives up on nesting deeper than this.
const JSON_MAX_DEPTH: usize = 10_000;

/// How BuildKit reads arguments that may be a JSON array.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Json {
    /// A JSON array of strings: the decoded strings and their ranges.
    Strings(Vec<Piece>),
    /// Valid JSON array with an element that is not a string: an error.
    NotStrings { lo: usize, hi: usize },
    /// Not JSON: BuildKit falls back to the shell form.
    Invalid,
}

pub(super) fn json(text: &str) -> Json {
    if !text.starts_with('[') || nesting_depth(text) > JSON_MAX_DEPTH {
        return Json::Invalid;
    }
    let Some(array) = Grammar::parse(Rule::json_head, text)
        .ok()
        .and_then(|mut p| p.next())
        .and_then(|head| head.into_inner().next())
    else {
        return Json::Invalid;
    };
    // Go reports a number too large for float64 as a decoding error, which
    // BuildKit treats as "not JSON" (shell form), before looking at types.
    let overflow = array.clone().into_inner().flatten().any(|p| {
        p.as_rule() == Rule::json_number && p.as_str().parse::<f64>().map_or(true, f64::is_infinite)
    });
    if overflow {
        return Json::Invalid;
    }
    let mut strings = Vec::new();
    for el in array.into_inner() {
        let span = el.as_span();
        match el.as_rule() {
            Rule::json_string => strings.push(Piece {
                value: unescape_json(&el.as_str()[1..el.as_str().len() - 1]),
                lo: span.start(),
                hi: span.end(),
            }),
            _ => {
                return Json::NotStrings {
                    lo: span.start(),
                    hi: span.end(),
                }
            }
        }
    }
    Json::Strings(strings)
}

/// The deepest bracket nesting outside strings (a cheap guard before the
/// recursive grammar runs).
fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    max
}

/// Decode the inside of a JSON string the grammar has validated, the way
/// Go does (a lone surrogate becomes U+FFFD).
fn unescape_json(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let hi = hex4(&mut chars);
                if (0xD800..0xDC00).contains(&hi) {
                    // A high surrogate pairs only with an escaped low one.
                    let mut look = chars.clone();
                    if look.next() == Some('\\') && look.next() == Some('u') {
                        let lo = hex4(&mut look);
                        if (0xDC00..0xE000).contains(&lo) {
                            let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                            chars = look;
                            continue;
                        }
                    }
                    out.push('\u{FFFD}');
                } else {
                    out.push(char::from_u32(hi).unwrap_or('\u{FFFD}'));
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn hex4(chars: &mut std::str::Chars<'_>) -> u32 {
    (0..4).fold(0, |acc, _| {
        acc * 16 + chars.next().and_then(|c| c.to_digit(16)).unwrap_or(0)
    })
}

// ---------------------------------------------------------------------------
// Heredoc markers

/// A `<<NAME` marker found on an instruction line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Marker {
    pub name: String,
    pub file_descriptor: u32,
    pub chomp: bool,
    pub quoted: bool,
    /// The marker word's range in the line.
    pub lo: usize,
    pub hi: usize,
}

/// The heredoc markers of a RUN/COPY/ADD line, in order (BuildKit's
/// `heredocsFromLine`): the line is split into shell words, and each word
/// of the form `[fd]<<[-]name` opens a heredoc.
pub(super) fn heredoc_markers(line: &str) -> Vec<Marker> {
    // Every marker holds `<<`; most lines have none, so skip the lexer.
    if !line.contains("<<") {
        return Vec::new();
    }
    let Some(words) = shell_words(line, Mode::Raw) else {
        return Vec::new();
    };
    words
        .iter()
        .filter_map(|w| marker(&line[w.lo..w.hi], w.lo))
        .collect()
}

/// BuildKit's `^(\d*)<<(-?)([^<]*)$` on one word, then the name read from
/// what follows `<<`/`<<-`.
fn marker(word: &str, at: usize) -> Option<Marker> {
    let after_fd = word.trim_start_matches(|c: char| c.is_ascii_digit());
    let digits = &word[..word.len() - after_fd.len()];
    let after = after_fd.strip_prefix("<<")?;
    let (chomp, rest) = match after.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, after),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    // Go parses the digits as an unsigned integer; keep the largest value
    // that fits when there are too many.
    let file_descriptor = digits.bytes().fold(0u32, |acc, b| {
        acc.saturating_mul(10).saturating_add(u32::from(b - b'0'))
    });
    // The name is the marker's rest read as exactly one shell word, quotes
    // removed; a quoted name means the body is not expanded. Text without
    // quotes, `$`, `\` or whitespace is that word as it stands.
    let (name, quoted) =
        if rest.contains(['"', '\'', '$', '\\']) || rest.contains(char::is_whitespace) {
            let cooked = shell_words(rest, Mode::Cooked)?;
            let [name] = cooked.as_slice() else {
                return None;
            };
            (name.value.clone(), name.quoted)
        } else {
            (rest.to_string(), false)
        };
    Some(Marker {
        name,
        file_descriptor,
        chomp,
        quoted,
        lo: at,
        hi: at + word.len(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Quotes and escapes kept as written.
    Raw,
    /// Quotes removed, escapes applied.
    Cooked,
}

#[derive(Debug, Default)]
struct ShellWord {
    value: String,
    lo: usize,
    hi: usize,
    quoted: bool,
}

impl ShellWord {
    fn push(&mut self, lo: usize, hi: usize, text: &str) {
        if self.value.is_empty() {
            self.lo = lo;
        }
        self.value.push_str(text);
        self.hi = hi;
    }

    /// End the word; BuildKit drops words that came out empty.
    fn finish(&mut self, words: &mut Vec<ShellWord>) {
        let word = std::mem::take(self);
        if !word.value.is_empty() {
            words.push(word);
        }
    }
}

/// Split `text` into words as BuildKit's shell lexer does (no variables
/// set, unset ones left as written). `None` where the lexer fails.
fn shell_words(text: &str, mode: Mode) -> Option<Vec<ShellWord>> {
    let top = Grammar::parse(Rule::sh_line, text).ok()?.next()?;
    let mut words = Vec::new();
    let mut cur = ShellWord::default();
    for p in top.into_inner() {
        let (lo, hi) = (p.as_span().start(), p.as_span().end());
        let text = p.as_str();
        match p.as_rule() {
            Rule::sh_space => cur.finish(&mut words),
            Rule::sh_param => {
                // A `${…}` result is split on whitespace like unquoted text.
                for (i, c) in text.char_indices() {
                    let end = lo + i + c.len_utf8();
                    if c.is_whitespace() {
                        cur.finish(&mut words);
                    } else {
                        cur.push(lo + i, end, &text[i..i + c.len_utf8()]);
                    }
                }
            }
            Rule::sh_sq | Rule::sh_dq => {
                cur.quoted = true;
                if mode == Mode::Raw {
                    cur.push(lo, hi, text);
                } else {
                    let mut cooked = String::new();
                    cook_quoted(p, &mut cooked);
                    cur.push(lo, hi, &cooked);
                }
            }
            Rule::sh_esc if mode == Mode::Cooked => cur.push(lo, hi, &text[1..]),
            _ => cur.push(lo, hi, text),
        }
    }
    cur.finish(&mut words);
    Some(words)
}

/// The inside of a quoted string with the quotes removed; inside double
/// quotes `\` escapes only `"`, `$` and `\`.
fn cook_quoted(pair: Pair<'_, Rule>, out: &mut String) {
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::sh_dq_esc => {
                let escaped = &p.as_str()[1..];
                if matches!(escaped, "\"" | "$" | "\\") {
                    out.push_str(escaped);
                } else {
                    out.push_str(p.as_str());
                }
            }
            _ => out.push_str(p.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_value_keeps_one_char_when_all_blank() {
        let (name, v) = directive("# escape=  ").expect("matches");
        assert_eq!(name, "escape");
        assert_eq!(v.value, " ");
    }

    #[test]
    fn deep_json_nesting_does_not_overflow() {
        let deep = format!("[{}{}]", "[".repeat(20_000), "]".repeat(20_000));
        assert_eq!(json(&deep), Json::Invalid);
        let ok = format!("[{}{}]", "[".repeat(2_000), "]".repeat(2_000));
        // Valid JSON holding a non-string element, or (if the grammar's
        // stack guard gave up) treated as not JSON; never a crash.
        assert!(matches!(json(&ok), Json::NotStrings { .. } | Json::Invalid));
    }

    #[test]
    fn keyword_split_with_and_without_flags() {
        let plain = command("RUN \t echo --x").expect("splits");
        assert_eq!((plain.keyword.value.as_str(), plain.rest_at), ("RUN", 6));
        assert!(plain.flags.is_empty());
        let alone = command("WORKDIR").expect("splits");
        assert_eq!((alone.keyword.hi, alone.rest_at), (7, 7));
        let flagged = command("COPY --from=a \n --chown=\"b c\" -- x").expect("splits");
        let values: Vec<_> = flagged.flags.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(values, ["--from=a", "--chown=b c"]);
        assert_eq!(
            &"COPY --from=a \n --chown=\"b c\" -- x"[flagged.rest_at..],
            " x"
        );
    }

    #[test]
    fn plain_words_agree_with_the_grammar() {
        for text in [
            "a b",
            "  a\u{3000}b\u{85}c  ",
            "k=v\tx=`y`",
            "한 글",
            "",
            " ",
        ] {
            assert_eq!(plain_words(text), grammar_words(text, '\\'), "{text:?}");
        }
        assert_eq!(plain_words("a\\b c"), grammar_words("a\\b c", '`'));
    }

    #[test]
    fn heredoc_marker_forms() {
        let names = |line: &str| -> Vec<(String, bool, bool)> {
            heredoc_markers(line)
                .into_iter()
                .map(|m| (m.name, m.chomp, m.quoted))
                .collect()
        };
        assert_eq!(names("RUN <<EOF"), [("EOF".to_string(), false, false)]);
        assert_eq!(names("RUN <<-E\"O\"F"), [("EOF".to_string(), true, true)]);
        assert!(names("RUN <<<EOF <<- <<").is_empty());
    }

    #[test]
    fn heredoc_marker_names() {
        let m = heredoc_markers("RUN 3<<-\"EOF\" cat <<'X Y' <<A\\B");
        let names: Vec<_> = m
            .iter()
            .map(|m| (m.name.as_str(), m.file_descriptor, m.chomp, m.quoted))
            .collect();
        assert_eq!(
            names,
            vec![
                ("EOF", 3, true, true),
                ("X Y", 0, false, true),
                ("AB", 0, false, false)
            ]
        );
    }
}
