//! Shell patterns (`*`, `?`, `[…]`) as used by globbing, `case` and
//! `${name#pattern}`. Quoted characters match only themselves.

#[derive(Clone, Debug, PartialEq)]
enum Elem {
    Char(char),
    Any,
    Star,
    Class { negate: bool, items: Vec<ClassItem> },
}

#[derive(Clone, Debug, PartialEq)]
enum ClassItem {
    Single(char),
    Range(char, char),
    Named(String),
}

/// A compiled pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    elems: Vec<Elem>,
}

impl Pattern {
    /// Compiles characters, each flagged whether it was quoted.
    pub fn new(chars: &[(char, bool)]) -> Self {
        let mut elems = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let (c, quoted) = chars[i];
            i += 1;
            if quoted {
                elems.push(Elem::Char(c));
                continue;
            }
            match c {
                '*' => {
                    if elems.last() != Some(&Elem::Star) {
                        elems.push(Elem::Star);
                    }
                }
                '?' => elems.push(Elem::Any),
                '[' => match parse_class(&chars[i..]) {
                    Some((class, used)) => {
                        elems.push(class);
                        i += used;
                    }
                    None => elems.push(Elem::Char('[')),
                },
                '\\' if i < chars.len() => {
                    elems.push(Elem::Char(chars[i].0));
                    i += 1;
                }
                _ => elems.push(Elem::Char(c)),
            }
        }
        Self { elems }
    }

    /// Compiles an unquoted pattern string (backslash escapes still work).
    pub fn parse(s: &str) -> Self {
        let chars: Vec<(char, bool)> = s.chars().map(|c| (c, false)).collect();
        Self::new(&chars)
    }

    /// Whether any element is a wildcard (globbing is needed at all).
    pub fn has_wildcards(&self) -> bool {
        self.elems.iter().any(|e| !matches!(e, Elem::Char(_)))
    }

    /// The pattern as plain text when it has no wildcards.
    pub fn literal(&self) -> Option<String> {
        self.elems
            .iter()
            .map(|e| match e {
                Elem::Char(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    /// Whether the pattern matches all of `s`.
    pub fn matches(&self, s: &str) -> bool {
        let chars: Vec<char> = s.chars().collect();
        self.matches_chars(&chars)
    }

    fn matches_chars(&self, s: &[char]) -> bool {
        // Classic wildcard matching with a single backtrack point per star.
        let (mut p, mut i) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while i < s.len() {
            match self.elems.get(p) {
                Some(Elem::Star) => {
                    star = Some((p, i));
                    p += 1;
                    continue;
                }
                Some(e) if elem_matches(e, s[i]) => {
                    p += 1;
                    i += 1;
                    continue;
                }
                _ => {}
            }
            match star {
                Some((sp, si)) => {
                    p = sp + 1;
                    i = si + 1;
                    star = Some((sp, si + 1));
                }
                None => return false,
            }
        }
        self.elems[p.min(self.elems.len())..]
            .iter()
            .all(|e| *e == Elem::Star)
    }

    /// Whether the first element is a literal `.` (a leading dot in a file
    /// name is only matched explicitly).
    pub fn starts_with_dot(&self) -> bool {
        self.elems.first() == Some(&Elem::Char('.'))
    }

    /// Lengths (in chars) of the prefixes of `s` the pattern matches, shortest first.
    pub fn prefix_matches(&self, s: &str) -> Vec<usize> {
        let chars: Vec<char> = s.chars().collect();
        (0..=chars.len())
            .filter(|&n| self.matches_chars(&chars[..n]))
            .collect()
    }

    /// Start offsets (in chars) of the suffixes of `s` the pattern matches,
    /// shortest suffix first.
    pub fn suffix_matches(&self, s: &str) -> Vec<usize> {
        let chars: Vec<char> = s.chars().collect();
        (0..=chars.len())
            .rev()
            .filter(|&n| self.matches_chars(&chars[n..]))
            .collect()
    }
}

fn elem_matches(e: &Elem, c: char) -> bool {
    match e {
        Elem::Char(x) => *x == c,
        Elem::Any => true,
        Elem::Star => true,
        Elem::Class { negate, items } => {
            let hit = items.iter().any(|it| match it {
                ClassItem::Single(x) => *x == c,
                ClassItem::Range(a, b) => (*a..=*b).contains(&c),
                ClassItem::Named(n) => named_class(n, c),
            });
            hit != *negate
        }
    }
}

pub(crate) fn named_class(name: &str, c: char) -> bool {
    match name {
        "alpha" => c.is_ascii_alphabetic(),
        "digit" => c.is_ascii_digit(),
        "alnum" => c.is_ascii_alphanumeric(),
        "upper" => c.is_ascii_uppercase(),
        "lower" => c.is_ascii_lowercase(),
        "space" => c.is_ascii_whitespace() || c == '\x0b',
        "blank" => c == ' ' || c == '\t',
        "punct" => c.is_ascii_punctuation(),
        "xdigit" => c.is_ascii_hexdigit(),
        "cntrl" => c.is_ascii_control(),
        "print" => (' '..='~').contains(&c),
        "graph" => ('!'..='~').contains(&c),
        _ => false,
    }
}

/// After a `[`: the class and how many characters it used, or `None` when
/// there is no closing `]` (then `[` is literal).
fn parse_class(chars: &[(char, bool)]) -> Option<(Elem, usize)> {
    let mut i = 0;
    let mut negate = false;
    if matches!(chars.first(), Some(('!' | '^', false))) {
        negate = true;
        i += 1;
    }
    let mut items = Vec::new();
    let mut first = true;
    while i < chars.len() {
        let (c, quoted) = chars[i];
        if c == ']' && !quoted && !first {
            return Some((Elem::Class { negate, items }, i + 1));
        }
        first = false;
        if c == '[' && !quoted && matches!(chars.get(i + 1), Some((':', _))) {
            let rest: String = chars[i + 2..].iter().map(|(c, _)| *c).collect();
            if let Some(end) = rest.find(":]") {
                let name = rest[..end].to_owned();
                i += 2 + name.chars().count() + 2;
                items.push(ClassItem::Named(name));
                continue;
            }
        }
        if matches!(chars.get(i + 1), Some(('-', false)))
            && chars.get(i + 2).is_some_and(|(d, q)| *d != ']' || *q)
        {
            if let Some((end, _)) = chars.get(i + 2) {
                items.push(ClassItem::Range(c, *end));
                i += 3;
                continue;
            }
        }
        items.push(ClassItem::Single(c));
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    #[test]
    fn wildcards() {
        assert!(Pattern::parse("*.js").matches("app.js"));
        assert!(!Pattern::parse("*.js").matches("app.json"));
        assert!(Pattern::parse("a?c").matches("abc"));
        assert!(Pattern::parse("[a-c]x").matches("bx"));
        assert!(Pattern::parse("[!a-c]x").matches("dx"));
        assert!(!Pattern::parse("[!a-c]x").matches("ax"));
        assert!(Pattern::parse("[[:digit:]]*").matches("1abc"));
        assert!(Pattern::parse("*a*b*").matches("xxaxxbxx"));
        assert!(Pattern::parse("[").matches("["));
    }

    #[test]
    fn quoted_star_is_literal() {
        let p = Pattern::new(&[('*', true), ('x', false)]);
        assert!(p.matches("*x"));
        assert!(!p.matches("ax"));
    }

    #[test]
    fn prefixes_and_suffixes() {
        let p = Pattern::parse("*/");
        assert_eq!(p.prefix_matches("a/b/c"), vec![2, 4]);
        let p = Pattern::parse(".*");
        assert_eq!(p.suffix_matches("a.tar.gz"), vec![5, 1]);
    }
}
