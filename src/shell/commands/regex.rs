//! A small backtracking regex engine for grep and sed: literals, `.`,
//! `[…]` classes, `^`, `$`, `*`, and — in extended syntax, or as `\+`,
//! `\?`, `\{m,n\}`, `\(…\)`, `\|` in basic syntax — `+`, `?`, `{m,n}`,
//! groups and alternation. Group captures feed sed's `\1`.

use std::cell::Cell;

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
    Group(usize, Vec<Vec<Node>>),
    Repeat(Box<Node>, usize, Option<usize>),
}

#[derive(Clone, Debug)]
pub struct Regex {
    alts: Vec<Vec<Node>>,
    groups: usize,
    icase: bool,
}

/// The steps one search has taken, shared by every branch of the
/// backtracking (so no continuation starts a fresh count) and by every start
/// position: the whole search is bounded by [`limits::REGEX_STEPS`].
///
/// The matcher also recurses once per character a repeat takes, so the
/// depth is bounded too ([`limits::REGEX_DEPTH`]): `a*b` on a line of 32,768
/// `a`s overflowed an 8 MiB stack before one-character repeats became a loop.
struct Steps {
    taken: Cell<u64>,
    depth: Cell<usize>,
    too_deep: Cell<bool>,
}

impl Steps {
    /// Spent: past the step budget, or too deep (then marked spent too).
    fn spent(&self) -> bool {
        self.taken.get() > limits::REGEX_STEPS
    }

    /// Runs `f` one level deeper, unless that passes the depth bound.
    fn deeper(&self, f: impl FnOnce() -> bool) -> bool {
        if self.depth.get() >= limits::REGEX_DEPTH {
            self.taken.set(limits::REGEX_STEPS + 1);
            self.too_deep.set(true);
            return false;
        }
        self.depth.set(self.depth.get() + 1);
        let r = f();
        self.depth.set(self.depth.get() - 1);
        r
    }
}

/// Counts one matching step; true once the budget is spent.
fn out_of_steps(steps: &Steps) -> bool {
    let n = steps.taken.get() + 1;
    steps.taken.set(n);
    n > limits::REGEX_STEPS
}

/// A search stopped by the step budget: a pattern such as `(a+)+$` takes
/// exponential time on a backtracking matcher, and a wrong "no match" would
/// be worse than saying so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooComplex {
    /// The depth bound stopped it, not the step budget.
    too_deep: bool,
}

impl std::fmt::Display for TooComplex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = "matching this regular expression against one line";
        f.write_str(&if self.too_deep {
            limits::exceeded(what, format_args!("{} nested steps", limits::REGEX_DEPTH))
        } else {
            limits::exceeded(what, format_args!("{} steps", limits::REGEX_STEPS))
        })
    }
}

/// Where a match is and what its groups caught (char offsets).
pub type Captures = Vec<Option<(usize, usize)>>;

impl Regex {
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
            groups: 0,
            depth: 0,
        };
        let alts = p.alternation()?;
        if p.i < chars.len() {
            return Err("unmatched ) or \\)".to_owned());
        }
        Ok(Self {
            alts,
            groups: p.groups,
            icase,
        })
    }

    pub fn is_match(&self, s: &str) -> Result<bool, TooComplex> {
        Ok(self.find(s, 0)?.is_some())
    }

    /// The first match at or after char offset `from`: group 0 is the whole match.
    pub fn find(&self, s: &str, from: usize) -> Result<Option<Captures>, TooComplex> {
        let chars: Vec<char> = if self.icase {
            s.chars().flat_map(char::to_lowercase).collect()
        } else {
            s.chars().collect()
        };
        let steps = Steps {
            taken: Cell::new(0),
            depth: Cell::new(0),
            too_deep: Cell::new(false),
        };
        for start in from..=chars.len() {
            let mut caps = vec![None; self.groups + 1];
            let found =
                self.match_alts(&self.alts, &chars, start, &mut caps, &steps, &mut |_, _| {
                    true
                });
            if steps.spent() {
                return Err(TooComplex {
                    too_deep: steps.too_deep.get(),
                });
            }
            if let Some(end) = found {
                caps[0] = Some((start, end));
                return Ok(Some(caps));
            }
        }
        Ok(None)
    }

    fn match_alts(
        &self,
        alts: &[Vec<Node>],
        s: &[char],
        i: usize,
        caps: &mut Captures,
        steps: &Steps,
        k: &mut dyn FnMut(usize, &mut Captures) -> bool,
    ) -> Option<usize> {
        for alt in alts {
            let mut result = None;
            let ok = self.seq(alt, 0, s, i, caps, steps, &mut |e, c| {
                if k(e, c) {
                    result = Some(e);
                    true
                } else {
                    false
                }
            });
            if ok {
                return result;
            }
        }
        None
    }

    #[allow(clippy::too_many_arguments)]
    fn seq(
        &self,
        nodes: &[Node],
        n: usize,
        s: &[char],
        i: usize,
        caps: &mut Captures,
        steps: &Steps,
        k: &mut dyn FnMut(usize, &mut Captures) -> bool,
    ) -> bool {
        if out_of_steps(steps) {
            return false;
        }
        let Some(node) = nodes.get(n) else {
            return k(i, caps);
        };
        match node {
            Node::Start => i == 0 && self.seq(nodes, n + 1, s, i, caps, steps, k),
            Node::End => i == s.len() && self.seq(nodes, n + 1, s, i, caps, steps, k),
            Node::Group(idx, alts) => {
                let idx = *idx;
                for alt in alts {
                    let saved = caps.clone();
                    let ok = self.seq(alt, 0, s, i, caps, steps, &mut |e, c: &mut Captures| {
                        let old = c[idx];
                        c[idx] = Some((i, e));
                        if self.seq(nodes, n + 1, s, e, c, steps, k) {
                            return true;
                        }
                        c[idx] = old;
                        false
                    });
                    if ok {
                        return true;
                    }
                    *caps = saved;
                }
                false
            }
            Node::Repeat(inner, min, max) => {
                self.repeat(inner, *min, *max, 0, nodes, n, s, i, caps, steps, k)
            }
            single => {
                if i < s.len() && self.single(single, s[i]) {
                    steps.deeper(|| self.seq(nodes, n + 1, s, i + 1, caps, steps, k))
                } else {
                    false
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn repeat(
        &self,
        inner: &Node,
        min: usize,
        max: Option<usize>,
        count: usize,
        nodes: &[Node],
        n: usize,
        s: &[char],
        i: usize,
        caps: &mut Captures,
        steps: &Steps,
        k: &mut dyn FnMut(usize, &mut Captures) -> bool,
    ) -> bool {
        if out_of_steps(steps) {
            return false;
        }
        if matches!(inner, Node::Char(_) | Node::Any | Node::Class { .. }) {
            return self.repeat_char(inner, min, max, count, nodes, n, s, i, caps, steps, k);
        }
        // Greedy: try one more first, then the rest of the sequence.
        if max.is_none_or(|m| count < m) {
            let one = [inner.clone()];
            let mut progressed = false;
            let ok = self.seq(&one, 0, s, i, caps, steps, &mut |e, c: &mut Captures| {
                if e == i {
                    return false;
                }
                progressed = true;
                steps
                    .deeper(|| self.repeat(inner, min, max, count + 1, nodes, n, s, e, c, steps, k))
            });
            if ok {
                return true;
            }
            let _ = progressed;
        }
        count >= min && self.seq(nodes, n + 1, s, i, caps, steps, k)
    }

    /// [`Self::repeat`] of one character (`a*`, `.*`, `[0-9]+`), the common
    /// case: the same greedy longest-first order, as a loop, so a long line
    /// costs no stack.
    #[allow(clippy::too_many_arguments)]
    fn repeat_char(
        &self,
        inner: &Node,
        min: usize,
        max: Option<usize>,
        mut count: usize,
        nodes: &[Node],
        n: usize,
        s: &[char],
        i: usize,
        caps: &mut Captures,
        steps: &Steps,
        k: &mut dyn FnMut(usize, &mut Captures) -> bool,
    ) -> bool {
        let mut end = i;
        while max.is_none_or(|m| count < m) && end < s.len() && self.single(inner, s[end]) {
            if out_of_steps(steps) {
                return false;
            }
            end += 1;
            count += 1;
        }
        loop {
            if count >= min && self.seq(nodes, n + 1, s, end, caps, steps, k) {
                return true;
            }
            if end == i || out_of_steps(steps) {
                return false;
            }
            end -= 1;
            count -= 1;
        }
    }

    fn single(&self, node: &Node, c: char) -> bool {
        match node {
            Node::Char(x) => *x == c,
            Node::Any => c != '\n',
            Node::Class {
                negate,
                items,
                named,
            } => {
                let hit = items.iter().any(|(a, b)| (*a..=*b).contains(&c))
                    || named
                        .iter()
                        .any(|n| crate::shell::pattern::named_class(n, c));
                hit != *negate
            }
            _ => false,
        }
    }
}

struct P<'a> {
    c: &'a [char],
    i: usize,
    ext: bool,
    groups: usize,
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
        self.groups += 1;
        let idx = self.groups;
        let alts = self.alternation()?;
        if !self.at_close() {
            return Err("unmatched ( or \\(".to_owned());
        }
        self.i += if self.ext { 1 } else { 2 };
        Ok(Node::Group(idx, alts))
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
            .map(|r| r.is_match(s) == Ok(true))
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
        assert!(Regex::new("a+b?", true, false)
            .unwrap()
            .is_match("aa")
            .unwrap());
        assert!(Regex::new("HELLO", false, true)
            .unwrap()
            .is_match("hello")
            .unwrap());
    }

    /// Long lines neither overflow the stack of a spawned thread (2 MiB)
    /// nor lose ordinary matches: past the depth bound, an error.
    #[test]
    fn long_lines_stay_within_a_threads_stack() {
        std::thread::spawn(|| {
            let r = Regex::new("a*b", false, false).unwrap();
            assert_eq!(r.is_match(&format!("{}b", "a".repeat(100_000))), Ok(true));
            let dots = Regex::new("x.*y", false, false).unwrap();
            assert_eq!(
                dots.is_match(&format!("x{}y", "-".repeat(100_000))),
                Ok(true)
            );
            let groups = Regex::new("\\(ab\\)*c", false, false).unwrap();
            assert_eq!(groups.is_match(&format!("{}c", "ab".repeat(100))), Ok(true));
            let e = groups
                .is_match(&format!("{}c", "ab".repeat(5_000)))
                .unwrap_err();
            assert!(e.to_string().ends_with("limit of 500 nested steps"), "{e}");
        })
        .join()
        .unwrap();
    }

    #[test]
    fn captures() {
        let r = Regex::new("\\([a-z]*\\)=\\([0-9]*\\)", false, false).unwrap();
        let c = r.find("key=42", 0).unwrap().unwrap();
        assert_eq!(c[1], Some((0, 3)));
        assert_eq!(c[2], Some((4, 6)));
    }
}
