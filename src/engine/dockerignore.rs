//! `.dockerignore`, read and matched the way Docker does it.
//!
//! Reading follows the docker CLI / BuildKit reader (moby/patternmatcher's
//! `ignorefile.ReadAll`), matching follows moby/patternmatcher:
//!
//! * a UTF-8 BOM at the start of the file is dropped;
//! * a line whose FIRST character is `#` is a comment (`  #x` is a pattern);
//! * surrounding whitespace is trimmed, blank lines are skipped;
//! * a leading `!` makes an exception (whitespace after it is trimmed too);
//! * the pattern is `filepath.Clean`ed (`./a` → `a`, `a/../b` → `b`,
//!   `a/` → `a`) and one leading `/` is dropped (`/a` ≡ `a`);
//! * the pattern must be valid for Go's `filepath.Match`, else the file is
//!   rejected (Docker: "syntax error in pattern");
//! * patternmatcher does NOT use `filepath.Match` to match: it compiles each
//!   pattern to a regular expression. `*` is `[^/]*`, `?` is `[^/]`, `[...]`
//!   is a class, `\x` is a literal `x`, `**` matches any number of
//!   directories (`**/` may match nothing), a trailing `**` matches anything;
//! * the LAST pattern that matches decides; a pattern that matches a parent
//!   directory of a path matches the path too.
//!
//! Deliberate limits (pathological inputs only): inside `[...]` the
//! characters `*` and `?` are taken literally, where Docker's regex
//! translation would mangle the class; `\d`, `\w`, `\s` and friends are taken
//! as the literal letter, where Go's regexp reads a Perl class.

use std::fmt;

use super::gopath;

/// A parsed `.dockerignore`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
}

/// One pattern line, after cleaning.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// 1-based line in the file it came from.
    pub line: usize,
    /// The cleaned pattern without its `!`.
    pub text: String,
    /// `!pattern`: re-includes what earlier patterns excluded.
    pub exception: bool,
    matcher: Matcher,
}

/// Two patterns are the same when their lines are: the matcher is made of
/// the text.
impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        (self.line, &self.text, self.exception) == (other.line, &other.text, other.exception)
    }
}

impl Eq for Pattern {}

/// How a pattern matches; patternmatcher picks the cheapest form that is
/// exact for the pattern, and so do we (the forms differ in corner cases,
/// e.g. `a/**` does not match `a` itself).
#[derive(Debug, Clone)]
enum Matcher {
    /// No wildcard at all: the path must equal the pattern.
    Exact(String),
    /// `prefix**`: any path starting with the prefix.
    Prefix(String),
    /// `**suffix`: any path ending with the suffix, or equal to it without
    /// its leading `/`.
    Suffix(String),
    /// Everything else, as the sequence the regular expression would have.
    Tokens(Vec<Token>),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Literal(char),
    /// `*`: any run of non-`/` characters.
    Star,
    /// `?`: one non-`/` character.
    AnyChar,
    /// `[...]`; may match `/` (a regex class does).
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    /// `**/` or an inner `**`: the regex `(.*/)?`.
    AnyDirs,
    /// A trailing `**` after other wildcards: the regex `.*`.
    AnyRest,
    /// A bare `^` outside a class is a regex anchor: it matches only at the
    /// start, so anywhere else it makes the pattern match nothing.
    Anchor,
}

/// A `.dockerignore` line Docker would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(".dockerignore line {line}: {problem}")]
pub struct IgnoreError {
    pub line: usize,
    pub problem: IgnoreProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgnoreProblem {
    /// Docker: `illegal exclusion pattern: "!"`.
    LoneExclamation,
    /// Docker: `syntax error in pattern`.
    BadPattern(String),
}

impl fmt::Display for IgnoreProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IgnoreProblem::LoneExclamation => write!(f, "illegal exclusion pattern: \"!\""),
            IgnoreProblem::BadPattern(p) => write!(f, "syntax error in pattern {p:?}"),
        }
    }
}

/// Per-pattern results for a directory, handed to its children during a walk
/// (patternmatcher's `MatchInfo`).
#[derive(Debug, Clone, Default)]
pub struct MatchInfo {
    matched: Vec<bool>,
}

impl DockerIgnore {
    /// Parses the text of a `.dockerignore`.
    pub fn parse(text: &str) -> Result<DockerIgnore, IgnoreError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut patterns = Vec::new();
        // Go's bufio.Scanner splits on `\n` and drops one `\r` before it;
        // `str::lines` does the same.
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            if raw.starts_with('#') {
                continue;
            }
            if let Some(pattern) = read_line(raw) {
                patterns.push(compile(&pattern, line)?);
            }
        }
        Ok(DockerIgnore { patterns })
    }

    /// The patterns in file order.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether any `!` exception exists.
    pub fn has_exceptions(&self) -> bool {
        self.patterns.iter().any(|p| p.exception)
    }

    /// Whether `path` (relative, `/`-separated) is excluded, judged on its own
    /// (patternmatcher's `MatchesOrParentMatches`: each pattern is tried on
    /// the path and on each of its parent directories). The root `.` is
    /// never excluded.
    pub fn is_excluded(&self, path: &str) -> bool {
        let path = gopath::clean(path);
        if path == "." {
            return false;
        }
        let parents: Vec<&str> = parent_prefixes(&path).collect();
        let mut excluded = false;
        for pattern in &self.patterns {
            // A pattern that cannot change the verdict is not evaluated.
            if pattern.exception != excluded {
                continue;
            }
            if pattern.matches(&path) || parents.iter().any(|parent| pattern.matches(parent)) {
                excluded = !pattern.exception;
            }
        }
        excluded
    }

    /// BuildKit's CopyIgnoredFile test of a COPY or ADD source (its
    /// variables expanded): the source as BuildKit names it (cleaned) when
    /// these patterns exclude it, judged on its own. The context root (`.`
    /// or `/`) counts as excluded only under `*`, `**` or `**/*`. A file
    /// with `!` exceptions is not judged at all (BuildKit cannot tell
    /// statically what an exception lets back in).
    pub fn copy_source_ignored(&self, source: &str) -> Option<String> {
        if self.has_exceptions() {
            return None;
        }
        let path = gopath::clean(source);
        let excluded = if path == "." || path == "/" {
            self.patterns
                .iter()
                .any(|p| matches!(p.text.as_str(), "*" | "**" | "**/*"))
        } else {
            self.is_excluded(&path)
        };
        excluded.then_some(path)
    }

    /// The verdict for `path` during a depth-first walk, given the
    /// `MatchInfo` of its parent directory (`None` at the top level). This is
    /// how BuildKit's context transfer (fsutil) decides, via patternmatcher's
    /// `MatchesUsingParentResults`: a pattern that matched the parent counts
    /// as matched, otherwise only the path itself is tried. It differs from
    /// [`is_excluded`](Self::is_excluded) in rare orderings, e.g. `foo`,
    /// `!foo/x`, `foo` keeps `foo/x` here.
    pub fn walk_verdict(&self, path: &str, parent: Option<&MatchInfo>) -> (bool, MatchInfo) {
        let mut info = MatchInfo {
            matched: vec![false; self.patterns.len()],
        };
        let mut excluded = false;
        for (i, pattern) in self.patterns.iter().enumerate() {
            let mut matched = parent.is_some_and(|p| p.matched.get(i).copied().unwrap_or(false));
            if !matched {
                if pattern.exception != excluded {
                    continue;
                }
                matched = pattern.matches(path);
                if !matched && parent.is_none() {
                    matched = parent_prefixes(path).any(|parent| pattern.matches(parent));
                }
            }
            info.matched[i] = matched;
            if matched {
                excluded = !pattern.exception;
            }
        }
        (excluded, info)
    }

    /// Whether a walk must still descend into the excluded directory `dir`
    /// because an exception might re-include something below it. BuildKit
    /// skips the directory when there are no exceptions, or when every
    /// exception is a plain path (apart from a trailing `/*` or `/**`) that
    /// does not lie under `dir`; any other exception forces the descent.
    pub fn may_reinclude_below(&self, dir: &str) -> bool {
        let exceptions: Vec<&Pattern> = self.patterns.iter().filter(|p| p.exception).collect();
        if exceptions.is_empty() {
            return false;
        }
        let stems: Vec<&str> = exceptions
            .iter()
            .map(|p| without_trailing_glob(&p.text))
            .collect();
        if stems
            .iter()
            .any(|stem| stem.contains(['*', '[', ']', '?', '^', '\\']))
        {
            return true;
        }
        let dir_slash = format!("{dir}/");
        stems
            .iter()
            .any(|stem| format!("{stem}/").starts_with(&dir_slash))
    }
}

/// `a/b/c` → `a`, `a/b` (the parent directories, outermost first).
fn parent_prefixes(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

fn without_trailing_glob(text: &str) -> &str {
    let text = text.strip_suffix("/**").unwrap_or(text);
    text.strip_suffix("/*").unwrap_or(text)
}

/// One line as the CLI/BuildKit reader leaves it, or `None` for a blank one.
fn read_line(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    let (exception, body) = match trimmed.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, trimmed),
    };
    let mut body = if body.is_empty() {
        String::new()
    } else {
        gopath::clean(body)
    };
    if body.len() > 1 && body.starts_with('/') {
        body.remove(0);
    }
    Some(if exception { format!("!{body}") } else { body })
}

/// patternmatcher's `New` for one pattern: trimmed and cleaned again (with
/// the `!` still attached, so `!/` becomes the illegal `!`), then checked
/// with `filepath.Match`.
fn compile(pattern: &str, line: usize) -> Result<Pattern, IgnoreError> {
    let cleaned = gopath::clean(pattern.trim());
    let (exception, text) = match cleaned.strip_prefix('!') {
        Some("") => {
            return Err(IgnoreError {
                line,
                problem: IgnoreProblem::LoneExclamation,
            })
        }
        Some(rest) => (true, rest.to_owned()),
        None => (false, cleaned),
    };
    if gopath::path_match(&text, ".").is_err() {
        return Err(IgnoreError {
            line,
            problem: IgnoreProblem::BadPattern(text),
        });
    }
    let matcher = build_matcher(&text);
    Ok(Pattern {
        line,
        text,
        exception,
        matcher,
    })
}

/// Mirrors patternmatcher's compile step: walk the pattern once, remember the
/// cheapest match form that still fits, and build the token sequence its
/// regular expression would have.
fn build_matcher(text: &str) -> Matcher {
    #[derive(PartialEq)]
    enum Form {
        Exact,
        Prefix,
        Suffix,
        Tokens,
    }
    let chars: Vec<char> = text.chars().collect();
    let mut form = Form::Exact;
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut first = true;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        match ch {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i == chars.len() {
                    if form == Form::Exact {
                        form = Form::Prefix;
                    } else {
                        tokens.push(Token::AnyRest);
                        form = Form::Tokens;
                    }
                } else {
                    tokens.push(Token::AnyDirs);
                    form = Form::Tokens;
                }
                // A leading `**` makes a suffix pattern unless a later
                // wildcard turns it back into a regex.
                if first {
                    form = Form::Suffix;
                }
            }
            '*' => {
                tokens.push(Token::Star);
                form = Form::Tokens;
            }
            '?' => {
                tokens.push(Token::AnyChar);
                form = Form::Tokens;
            }
            '\\' => match chars.get(i) {
                Some(&next) => {
                    i += 1;
                    tokens.push(Token::Literal(next));
                    form = Form::Tokens;
                }
                // Unreachable after validation (a trailing `\` is a bad
                // pattern), kept literal to stay total.
                None => tokens.push(Token::Literal('\\')),
            },
            '[' => {
                let (token, used) = parse_class(&chars[i..]);
                i += used;
                tokens.push(token);
                form = Form::Tokens;
            }
            '^' => tokens.push(Token::Anchor),
            other => tokens.push(Token::Literal(other)),
        }
        first = false;
    }
    match form {
        Form::Exact => Matcher::Exact(text.to_owned()),
        Form::Prefix => Matcher::Prefix(text[..text.len() - 2].to_owned()),
        Form::Suffix => Matcher::Suffix(text[2..].to_owned()),
        Form::Tokens => Matcher::Tokens(tokens),
    }
}

/// Parses a class body (after `[`) that `filepath.Match` already accepted;
/// returns the token and how many characters it used, `]` included.
fn parse_class(chars: &[char]) -> (Token, usize) {
    let mut i = 0;
    let negated = chars.first() == Some(&'^');
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let take = |i: &mut usize| -> Option<char> {
        let mut c = *chars.get(*i)?;
        if c == '\\' {
            *i += 1;
            c = *chars.get(*i)?;
        }
        *i += 1;
        Some(c)
    };
    while i < chars.len() {
        if chars[i] == ']' && !ranges.is_empty() {
            i += 1;
            break;
        }
        let Some(lo) = take(&mut i) else { break };
        let mut hi = lo;
        if chars.get(i) == Some(&'-') {
            i += 1;
            if let Some(h) = take(&mut i) {
                hi = h;
            }
        }
        ranges.push((lo, hi));
    }
    (Token::Class { negated, ranges }, i)
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match &self.matcher {
            Matcher::Exact(text) => path == text,
            Matcher::Prefix(prefix) => path.starts_with(prefix.as_str()),
            Matcher::Suffix(suffix) => {
                path.ends_with(suffix.as_str())
                    || suffix.strip_prefix('/').is_some_and(|bare| path == bare)
            }
            Matcher::Tokens(tokens) => match_tokens(tokens, path),
        }
    }
}

/// Runs the token sequence over the whole path, keeping for each token the
/// set of positions it can end at (a small NFA walk; no backtracking blowup).
fn match_tokens(tokens: &[Token], path: &str) -> bool {
    let text: Vec<char> = path.chars().collect();
    let n = text.len();
    // reach[j]: the tokens so far can match text[..j].
    let mut reach = vec![false; n + 1];
    reach[0] = true;
    for token in tokens {
        let mut next = vec![false; n + 1];
        match token {
            Token::Literal(c) => {
                for j in 0..n {
                    next[j + 1] = reach[j] && text[j] == *c;
                }
            }
            Token::AnyChar => {
                for j in 0..n {
                    next[j + 1] = reach[j] && text[j] != '/';
                }
            }
            Token::Class { negated, ranges } => {
                for j in 0..n {
                    let inside = ranges
                        .iter()
                        .any(|&(lo, hi)| lo <= text[j] && text[j] <= hi);
                    next[j + 1] = reach[j] && inside != *negated;
                }
            }
            Token::Star => {
                next[0] = reach[0];
                for j in 1..=n {
                    next[j] = reach[j] || (next[j - 1] && text[j - 1] != '/');
                }
            }
            Token::AnyRest => {
                next[0] = reach[0];
                for j in 1..=n {
                    next[j] = reach[j] || next[j - 1];
                }
            }
            Token::AnyDirs => {
                // Either nothing, or anything that ends with `/`.
                let mut seen = false;
                for j in 0..=n {
                    next[j] = reach[j] || (j > 0 && text[j - 1] == '/' && seen);
                    seen |= reach[j];
                }
            }
            Token::Anchor => next[0] = reach[0],
        }
        reach = next;
    }
    reach[n]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignore(text: &str) -> DockerIgnore {
        DockerIgnore::parse(text).expect("valid .dockerignore")
    }

    /// (file text, path, excluded?, rule being tested)
    const CASES: &[(&str, &str, bool, &str)] = &[
        ("*.log", "debug.log", true, "`*` matches a file name"),
        (
            "*.log",
            "logs/debug.log",
            false,
            "`*` does not cross `/`; patterns are rooted",
        ),
        (
            "*/*.log",
            "logs/debug.log",
            true,
            "one level down needs `*/`",
        ),
        (
            "**/*.log",
            "a/b/c/debug.log",
            true,
            "`**/` matches any number of dirs",
        ),
        ("**/*.log", "debug.log", true, "`**/` may match zero dirs"),
        ("a/**/b", "a/b", true, "inner `**/` may match zero dirs"),
        (
            "a/**/b",
            "a/x/y/b",
            true,
            "inner `**/` matches several dirs",
        ),
        ("a/**/b", "ab", false, "inner `**/` keeps the separator"),
        (
            "a/**",
            "a/x/y",
            true,
            "trailing `**` matches everything below",
        ),
        (
            "a/**",
            "a",
            false,
            "`a/**` is a prefix match on `a/`: not `a` itself",
        ),
        (
            "foo**",
            "foobar/x",
            true,
            "trailing `**` after text is a plain prefix",
        ),
        (
            "**",
            "anything/at/all",
            true,
            "`**` alone matches everything",
        ),
        (
            "**/node_modules",
            "node_modules",
            true,
            "suffix form matches the bare name",
        ),
        (
            "**/node_modules",
            "web/node_modules",
            true,
            "suffix form at depth",
        ),
        (
            "**/node_modules",
            "web/node_modules/x/y.js",
            true,
            "parent dir matched",
        ),
        (
            "**/node_modules",
            "my_node_modules",
            false,
            "suffix keeps its `/`",
        ),
        ("**/*.js", "a/b.js", true, "`**/` then `*`: regex form"),
        (
            "notes/",
            "notes/todo.md",
            true,
            "trailing `/` is cleaned; dir excludes contents",
        ),
        (
            "notes",
            "notes/a/b/c.md",
            true,
            "a matched directory excludes every descendant",
        ),
        ("/secret", "secret", true, "leading `/` is dropped"),
        ("./secret", "secret", true, "`./` is cleaned"),
        ("a/../secret", "secret", true, "`..` is cleaned lexically"),
        (
            "secret",
            "a/secret",
            false,
            "patterns are anchored at the context root",
        ),
        (
            "# comment\n*.md",
            "# comment",
            false,
            "`#` first on the line is a comment",
        ),
        ("  #x", "#x", true, "`#` after whitespace is a pattern"),
        (
            "  *.md  ",
            "a.md",
            true,
            "surrounding whitespace is trimmed",
        ),
        ("\u{feff}*.md", "a.md", true, "a UTF-8 BOM is dropped"),
        (
            "*.md\r\n!keep.md\r\n",
            "keep.md",
            false,
            "CRLF line endings",
        ),
        ("*.md\n!README.md", "README.md", false, "`!` re-includes"),
        ("*.md\n!README.md", "other.md", true, "`!` is specific"),
        (
            "!README.md\n*.md",
            "README.md",
            true,
            "the LAST matching pattern wins",
        ),
        (
            "*.md\n! README.md",
            "README.md",
            false,
            "space after `!` is trimmed",
        ),
        (
            "docs\n!docs/keep.md",
            "docs/keep.md",
            false,
            "exception below an excluded dir",
        ),
        (
            "docs\n!docs/keep.md",
            "docs/other.md",
            true,
            "siblings stay excluded",
        ),
        ("a?c", "abc", true, "`?` is one character"),
        ("a?c", "a/c", false, "`?` is not `/`"),
        ("[a-c]x", "bx", true, "class range"),
        ("[^a-c]x", "dx", true, "negated class"),
        ("[^a-c]x", "bx", false, "negated class rejects members"),
        (
            "[!a]x",
            "!x",
            true,
            "`!` inside a class is literal (Go has no `[!...]`)",
        ),
        ("a\\*b", "a*b", true, "`\\` escapes a wildcard"),
        ("a\\*b", "axb", false, "escaped `*` is literal"),
        (
            "file.txt",
            "fileXtxt",
            false,
            "`.` is literal, not regex any-char",
        ),
        ("a+b", "a+b", true, "regex specials are literal"),
        ("(x)|y", "(x)|y", true, "regex specials are literal"),
        (
            "*",
            "Dockerfile",
            true,
            "Dockerfile is excluded like any file",
        ),
        ("*\n!Dockerfile", "Dockerfile", false, "…unless re-included"),
        (
            "*",
            ".dockerignore",
            true,
            ".dockerignore is excluded like any file",
        ),
        ("x^y", "x^y", true, "no wildcard: exact match, `^` literal"),
        (
            "x^*",
            "x^y",
            false,
            "in a regex, a non-leading `^` is an anchor",
        ),
        ("^x*", "xy", true, "a leading `^` is a harmless anchor"),
        (
            ".",
            "a",
            false,
            "`.` never matches (the root is never excluded)",
        ),
        (
            "foo\n!foo/x\nfoo",
            "foo/x",
            false,
            "walk semantics: parent results (BuildKit)",
        ),
    ];

    /// Judges a path as a BuildKit walk does: each ancestor in turn, carrying
    /// its `MatchInfo` down.
    fn walk_excluded(ig: &DockerIgnore, path: &str) -> bool {
        let mut info: Option<MatchInfo> = None;
        let mut verdict = false;
        let mut prefix = String::new();
        for part in path.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            let (excluded, next) = ig.walk_verdict(&prefix, info.as_ref());
            verdict = excluded;
            info = Some(next);
        }
        verdict
    }

    #[test]
    fn table() {
        for &(text, path, want, rule) in CASES {
            let ig = ignore(text);
            assert_eq!(
                walk_excluded(&ig, path),
                want,
                "walk: {rule}: {text:?} vs {path:?}"
            );
        }
    }

    #[test]
    fn single_path_agrees_except_in_parent_result_corner() {
        for &(text, path, want, rule) in CASES {
            let ig = ignore(text);
            let expected = if text == "foo\n!foo/x\nfoo" {
                !want
            } else {
                want
            };
            assert_eq!(
                ig.is_excluded(path),
                expected,
                "single: {rule}: {text:?} vs {path:?}"
            );
        }
    }

    #[test]
    fn parsed_patterns_are_cleaned() {
        let ig = ignore("# c\n\n /a/b/ \n!./c\n**/x/**\n");
        let texts: Vec<(&str, bool, usize)> = ig
            .patterns()
            .iter()
            .map(|p| (p.text.as_str(), p.exception, p.line))
            .collect();
        assert_eq!(
            texts,
            vec![("a/b", false, 3), ("c", true, 4), ("**/x/**", false, 5)]
        );
        assert!(ig.has_exceptions());
    }

    #[test]
    fn errors_name_the_line() {
        let err = DockerIgnore::parse("ok\n\n[a\n").expect_err("bad class");
        assert_eq!(err.line, 3);
        assert_eq!(
            err.to_string(),
            ".dockerignore line 3: syntax error in pattern \"[a\""
        );
        let err = DockerIgnore::parse("x\n!\n").expect_err("lone !");
        assert_eq!(
            err.to_string(),
            ".dockerignore line 2: illegal exclusion pattern: \"!\""
        );
        // `!/` cleans to `!` once the `!` is part of the pattern.
        let err = DockerIgnore::parse("!/").expect_err("!/");
        assert_eq!(err.problem, IgnoreProblem::LoneExclamation);
        assert!(DockerIgnore::parse("a\\").is_err(), "trailing backslash");
        assert!(DockerIgnore::parse("[]a]").is_err(), "leading ] in class");
    }

    #[test]
    fn descent_into_excluded_dirs() {
        assert!(!ignore("docs").may_reinclude_below("docs"), "no exceptions");
        assert!(ignore("docs\n!docs/keep.md").may_reinclude_below("docs"));
        assert!(!ignore("docs\n!src/keep.md").may_reinclude_below("docs"));
        assert!(
            ignore("docs\n!docs/*").may_reinclude_below("docs"),
            "trailing glob"
        );
        assert!(
            ignore("docs\n!**/keep.md").may_reinclude_below("docs"),
            "wildcard"
        );
        assert!(
            !ignore("docs\n!docsx/a").may_reinclude_below("docs"),
            "prefix is per dir"
        );
    }
}
