//! The regular expressions of grep and sed: literals, `.`, `[…]` classes,
//! `^`, `$`, `*`, and — in extended syntax, or as `\+`, `\?`, `\{m,n\}`,
//! `\(…\)`, `\|` in basic syntax — `+`, `?`, `{m,n}`, groups and
//! alternation. Group captures feed sed's `\1`. The syntax is read here; the
//! matching is the `regex` crate's.

use crate::limits;

#[derive(Clone, Debug)]
enum Node {
    Char(char),
    Any,
    Class {
        negate: bool,
        items: Vec<(char, char)>,
        named: Vec<String>,
    },
    Start,
    End,
    Group(Vec<Vec<Node>>),
    Repeat(Box<Node>, usize, Option<usize>),
}

#[derive(Clone, Debug)]
pub struct Regex {
    compiled: regex::Regex,
    icase: bool,
}

/// Group spans of one match, in chars of the searched line: group 0 is the
/// whole match, a group that took no part is `None`.
pub type Captures = Vec<Option<(usize, usize)>>;

/// Bytes the compiled form of one pattern may take: `a{1000}{1000}` asks for
/// a million copies of `a`; real patterns need a few kilobytes.
const COMPILED_BYTES: usize = 1 << 20;

impl Regex {
    /// Parses grep's and sed's syntax (basic, or extended with `-E`), then
    /// compiles it for the `regex` crate, whose matching is linear in the
    /// line and follows the same leftmost-first, greedy rules as a
    /// backtracking matcher, so every line costs time in proportion to its
    /// length whatever the pattern.
    pub fn new(pat: &str, extended: bool, icase: bool) -> Result<Self, String> {
        let chars: Vec<char> = if icase {
            pat.chars().flat_map(char::to_lowercase).collect()
        } else {
            pat.chars().collect()
        };
        let mut p = P {
            c: &chars,
            i: 0,
            ext: extended,
            depth: 0,
        };
        let alts = p.alternation()?;
        if p.i < chars.len() {
            return Err("unmatched ) or \\)".to_owned());
        }
        let mut source = String::new();
        write_alts(&alts, &mut source);
        let compiled = regex::RegexBuilder::new(&source)
            .size_limit(COMPILED_BYTES)
            .dfa_size_limit(COMPILED_BYTES)
            .build()
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(_) => limits::exceeded(
                    "this regular expression",
                    format_args!("{COMPILED_BYTES} bytes compiled"),
                ),
                other => other.to_string(),
            })?;
        Ok(Self { compiled, icase })
    }

    pub fn is_match(&self, s: &str) -> bool {
        if self.icase {
            self.compiled.is_match(&lower(s))
        } else {
            self.compiled.is_match(s)
        }
    }

    /// The first match at or after char offset `from`: group 0 is the whole match.
    pub fn find(&self, s: &str, from: usize) -> Option<Captures> {
        let line = if self.icase { lower(s) } else { s.to_owned() };
        let start = match line.char_indices().nth(from) {
            Some((byte, _)) => byte,
            None if from == line.chars().count() => line.len(),
            None => return None,
        };
        let caps = self.compiled.captures_at(&line, start)?;
        let chars_to = |byte: usize| line[..byte].chars().count();
        Some(
            caps.iter()
                .map(|m| m.map(|m| (chars_to(m.start()), chars_to(m.end()))))
                .collect(),
        )
    }
}

fn lower(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// The pattern in the `regex` crate's syntax: every character escaped as a
/// code point, so nothing of grep's syntax is read twice.
fn write_alts(alts: &[Vec<Node>], out: &mut String) {
    for (k, alt) in alts.iter().enumerate() {
        if k > 0 {
            out.push('|');
        }
        for node in alt {
            write_node(node, out);
        }
    }
}

fn write_node(node: &Node, out: &mut String) {
    use std::fmt::Write as _;
    match node {
        Node::Char(c) => {
            let _ = write!(out, "\\x{{{:x}}}", u32::from(*c));
        }
        Node::Any => out.push_str("[^\\n]"),
        Node::Class {
            negate,
            items,
            named,
        } => {
            // A range written backwards (`[z-a]`) matches nothing, and a
            // class name layerlab does not know matches nothing.
            let ranges: Vec<_> = items.iter().filter(|(a, b)| a <= b).collect();
            let names: Vec<_> = named
                .iter()
                .filter(|n| KNOWN_CLASSES.contains(&n.as_str()))
                .collect();
            if ranges.is_empty() && names.is_empty() {
                // nothing to match: `[^…]` of every char, or any char at all
                out.push_str(if *negate {
                    "[\\x{0}-\\x{10ffff}]"
                } else {
                    "[^\\x{0}-\\x{10ffff}]"
                });
                return;
            }
            out.push('[');
            if *negate {
                out.push('^');
            }
            for (a, b) in ranges {
                let _ = write!(out, "\\x{{{:x}}}-\\x{{{:x}}}", u32::from(*a), u32::from(*b));
            }
            for name in names {
                let _ = write!(out, "[:{name}:]");
            }
            out.push(']');
        }
        Node::Start => out.push('^'),
        Node::End => out.push('$'),
        Node::Group(alts) => {
            out.push('(');
            write_alts(alts, out);
            out.push(')');
        }
        Node::Repeat(inner, min, max) => {
            out.push_str("(?:");
            write_node(inner, out);
            out.push(')');
            let _ = match max {
                Some(max) => write!(out, "{{{min},{max}}}"),
                None => write!(out, "{{{min},}}"),
            };
        }
    }
}

/// The POSIX class names grep and sed know; the `regex` crate reads each as
/// the same ASCII set (`space` includes the vertical tab, as in C).
const KNOWN_CLASSES: [&str; 12] = [
    "alpha", "digit", "alnum", "upper", "lower", "space", "blank", "punct", "xdigit", "cntrl",
    "print", "graph",
];

struct P<'a> {
    c: &'a [char],
    i: usize,
    ext: bool,
    depth: usize,
}

impl P<'_> {
    fn at_alt(&self) -> bool {
        if self.ext {
            self.c.get(self.i) == Some(&'|')
        } else {
            self.c.get(self.i) == Some(&'\\') && self.c.get(self.i + 1) == Some(&'|')
        }
    }

    fn at_close(&self) -> bool {
        if self.ext {
            self.c.get(self.i) == Some(&')')
        } else {
            self.c.get(self.i) == Some(&'\\') && self.c.get(self.i + 1) == Some(&')')
        }
    }

    fn alternation(&mut self) -> Result<Vec<Vec<Node>>, String> {
        self.depth += 1;
        if self.depth > 50 {
            return Err("regex too deeply nested".to_owned());
        }
        let mut alts = vec![self.sequence()?];
        while self.at_alt() {
            self.i += if self.ext { 1 } else { 2 };
            alts.push(self.sequence()?);
        }
        self.depth -= 1;
        Ok(alts)
    }

    fn sequence(&mut self) -> Result<Vec<Node>, String> {
        let mut out: Vec<Node> = Vec::new();
        while self.i < self.c.len() && !self.at_alt() && !self.at_close() {
            let c = self.c[self.i];
            self.i += 1;
            let atom = match c {
                '^' if out.is_empty() => Node::Start,
                '$' if self.i == self.c.len() || self.at_alt() || self.at_close() => Node::End,
                '.' => Node::Any,
                '[' => self.class()?,
                '*' if !out.is_empty() => {
                    self.wrap(&mut out, 0, None);
                    continue;
                }
                '+' | '?' if self.ext && !out.is_empty() => {
                    let (min, max) = if c == '+' { (1, None) } else { (0, Some(1)) };
                    self.wrap(&mut out, min, max);
                    continue;
                }
                '{' if self.ext && !out.is_empty() => {
                    let (min, max) = self.bounds('}')?;
                    self.wrap(&mut out, min, max);
                    continue;
                }
                '(' if self.ext => self.group()?,
                '\\' => {
                    let Some(&e) = self.c.get(self.i) else {
                        return Err("trailing backslash".to_owned());
                    };
                    self.i += 1;
                    match e {
                        '(' if !self.ext => self.group()?,
                        '+' | '?' if !self.ext && !out.is_empty() => {
                            let (min, max) = if e == '+' { (1, None) } else { (0, Some(1)) };
                            self.wrap(&mut out, min, max);
                            continue;
                        }
                        '{' if !self.ext && !out.is_empty() => {
                            let (min, max) = self.bounds('\\')?;
                            self.i += 1;
                            self.wrap(&mut out, min, max);
                            continue;
                        }
                        'n' => Node::Char('\n'),
                        't' => Node::Char('\t'),
                        'd' => Node::Class {
                            negate: false,
                            items: vec![('0', '9')],
                            named: vec![],
                        },
                        's' => Node::Class {
                            negate: false,
                            items: vec![],
                            named: vec!["space".into()],
                        },
                        'w' => Node::Class {
                            negate: false,
                            items: vec![('_', '_')],
                            named: vec!["alnum".into()],
                        },
                        other => Node::Char(other),
                    }
                }
                other => Node::Char(other),
            };
            out.push(atom);
        }
        Ok(out)
    }

    fn wrap(&mut self, out: &mut [Node], min: usize, max: Option<usize>) {
        if let Some(last) = out.last_mut() {
            let inner = std::mem::replace(last, Node::Any);
            *last = Node::Repeat(Box::new(inner), min, max);
        }
    }

    fn bounds(&mut self, close: char) -> Result<(usize, Option<usize>), String> {
        let start = self.i;
        while self.i < self.c.len() && self.c[self.i] != close {
            self.i += 1;
        }
        let body: String = self.c[start..self.i].iter().collect();
        self.i += 1;
        let parse = |s: &str| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| "invalid repetition".to_owned())
        };
        match body.split_once(',') {
            Some((a, "")) => Ok((parse(a)?, None)),
            Some((a, b)) => Ok((parse(a)?, Some(parse(b)?))),
            None => {
                let n = parse(&body)?;
                Ok((n, Some(n)))
            }
        }
    }

    fn group(&mut self) -> Result<Node, String> {
        let alts = self.alternation()?;
        if !self.at_close() {
            return Err("unmatched ( or \\(".to_owned());
        }
        self.i += if self.ext { 1 } else { 2 };
        Ok(Node::Group(alts))
    }

    fn class(&mut self) -> Result<Node, String> {
        let mut negate = false;
        if self.c.get(self.i) == Some(&'^') {
            negate = true;
            self.i += 1;
        }
        let mut items = Vec::new();
        let mut named = Vec::new();
        let mut first = true;
        loop {
            let Some(&c) = self.c.get(self.i) else {
                return Err("unmatched [".to_owned());
            };
            self.i += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            if c == '[' && self.c.get(self.i) == Some(&':') {
                let rest: String = self.c[self.i + 1..].iter().collect();
                if let Some(end) = rest.find(":]") {
                    named.push(rest[..end].to_owned());
                    self.i += 1 + end + 2;
                    continue;
                }
            }
            if self.c.get(self.i) == Some(&'-') && self.c.get(self.i + 1).is_some_and(|d| *d != ']')
            {
                let end = self.c[self.i + 1];
                self.i += 2;
                items.push((c, end));
            } else {
                items.push((c, c));
            }
        }
        Ok(Node::Class {
            negate,
            items,
            named,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Regex;

    fn m(p: &str, s: &str) -> bool {
        Regex::new(p, false, false)
            .map(|r| r.is_match(s))
            .unwrap_or(false)
    }

    #[test]
    fn basic_syntax() {
        assert!(m("ab*c", "ac"));
        assert!(m("^a.c$", "abc"));
        assert!(!m("^a.c$", "abcd"));
        assert!(m("[0-9][0-9]*", "x12"));
        assert!(m("a\\(b\\)\\1*", "ab"));
        assert!(m("x\\|y", "y"));
        assert!(Regex::new("a+b?", true, false).unwrap().is_match("aa"));
        assert!(Regex::new("HELLO", false, true).unwrap().is_match("hello"));
    }

    /// Long lines and nested repeats cost time in proportion to the line:
    /// no stack to overflow, no budget to run out of, no match lost.
    #[test]
    fn long_lines_and_nested_repeats_are_linear() {
        std::thread::spawn(|| {
            let r = Regex::new("a*b", false, false).unwrap();
            assert!(r.is_match(&format!("{}b", "a".repeat(100_000))));
            assert!(!r.is_match(&"a".repeat(100_000)));
            let dots = Regex::new("x.*y", false, false).unwrap();
            assert!(dots.is_match(&format!("x{}y", "-".repeat(100_000))));
            let groups = Regex::new("\\(ab\\)*c", false, false).unwrap();
            assert!(groups.is_match(&format!("{}c", "ab".repeat(50_000))));
            let nested = Regex::new("(a+)+$", true, false).unwrap();
            assert!(!nested.is_match(&format!("{}!", "a".repeat(10_000))));
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_pattern_too_big_to_compile_names_the_limit() {
        let e = Regex::new("a{1000}{1000}", true, false).unwrap_err();
        assert!(e.contains("limit"), "{e}");
    }

    #[test]
    fn classes_backwards_ranges_and_unknown_names_match_nothing() {
        assert!(m("[[:digit:]][[:space:]]", "1\u{b}"));
        assert!(!m("[z-a]", "m"));
        assert!(!m("[[:nope:]]", "n"));
        assert!(m("[^[:nope:]]", "n"));
        assert!(m("a.c", "a\u{d55c}c"));
        assert!(!m("a.c", "a\nc"));
    }

    #[test]
    fn captures() {
        let r = Regex::new("\\([a-z]*\\)=\\([0-9]*\\)", false, false).unwrap();
        let c = r.find("key=42", 0).unwrap();
        assert_eq!(c[1], Some((0, 3)));
        assert_eq!(c[2], Some((4, 6)));
    }
}
