//! Go's `path.Clean` and `path.Match`, reimplemented because Docker's
//! semantics are defined by them: `.dockerignore` patterns are cleaned with
//! `filepath.Clean` and validated with `filepath.Match`, BuildKit matches
//! `COPY` wildcards with `path.Match` against whole slash-separated paths,
//! and the classic builder expands them with `filepath.Match` against every
//! path of the context. (On Linux `filepath` and `path` behave identically.)

/// The error `path.Match` reports for a malformed pattern; Go's text is
/// "syntax error in pattern".
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern")]
pub struct BadPattern;

/// Go's `path.Clean`: the shortest equivalent path, by purely lexical rules.
/// `""` → `"."`; repeated `/` collapse; `.` elements vanish; `x/..` pairs
/// vanish; `..` at the root of a rooted path vanishes; a relative path keeps
/// leading `..`; no trailing `/` except for `/` itself.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for element in path.split('/') {
        match element {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                // `/..` is `/`; a relative path keeps its leading `..`.
                _ if rooted => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// Go's `path.Match(pattern, name)`: `*` matches any run of non-`/` bytes,
/// `?` one non-`/` character, `[...]` a class (ranges `a-z`, negation `[^...]`
/// only — Go has no `[!...]`), `\` escapes the next character. The whole name
/// must match. A malformed pattern is an error even when the name already
/// failed to match (Go checks the rest of the pattern before answering
/// `false`), which is what lets Docker validate patterns with
/// `Match(pattern, ".")`.
pub fn path_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let mut pattern = pattern.as_bytes();
    let mut name = name.as_bytes();
    'chunks: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing `*` takes the rest of the name unless it crosses a `/`.
            return Ok(!name.contains(&b'/'));
        }
        // The last chunk must consume the whole name; an earlier chunk may
        // leave a remainder for the next one.
        let accept = |rest: &[u8]| rest.is_empty() || !pattern.is_empty();
        if let Some(rest) = match_chunk(chunk, name)? {
            if accept(rest) {
                name = rest;
                continue;
            }
        }
        if star {
            // The star absorbs one more byte each round, never a `/`.
            let mut skip = 0;
            while skip < name.len() && name[skip] != b'/' {
                if let Some(rest) = match_chunk(chunk, &name[skip + 1..])? {
                    if accept(rest) {
                        name = rest;
                        continue 'chunks;
                    }
                }
                skip += 1;
            }
        }
        // No match; still report a malformed remainder as Go does.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, b"")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits off leading stars and the following chunk, which runs up to the
/// next `*` outside a class.
fn scan_chunk(pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let stars = pattern.iter().take_while(|&&b| b == b'*').count();
    let pattern = &pattern[stars..];
    let mut in_class = false;
    let mut end = 0;
    while end < pattern.len() {
        match pattern[end] {
            b'\\' if end + 1 < pattern.len() => end += 1,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'*' if !in_class => break,
            _ => {}
        }
        end += 1;
    }
    (stars > 0, &pattern[..end], &pattern[end..])
}

/// Matches one star-free chunk at the start of `name`; `Some(rest)` on a
/// match. After a mismatch the chunk is still parsed to the end so that a
/// syntax error is never hidden.
fn match_chunk<'a>(chunk: &[u8], name: &'a [u8]) -> Result<Option<&'a [u8]>, BadPattern> {
    let mut chunk = chunk;
    let mut name = name;
    let mut failed = false;
    while let Some(&first) = chunk.first() {
        if name.is_empty() {
            failed = true;
        }
        match first {
            b'[' => {
                let ch = if failed {
                    None
                } else {
                    let (ch, len) = decode_char(name);
                    name = &name[len..];
                    Some(ch)
                };
                chunk = &chunk[1..];
                let negated = chunk.first() == Some(&b'^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut in_class = false;
                let mut ranges = 0;
                loop {
                    if chunk.first() == Some(&b']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = class_char(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&b'-') {
                        let (h, rest) = class_char(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if ch.is_some_and(|c| lo <= c && c <= hi) {
                        in_class = true;
                    }
                    ranges += 1;
                }
                if in_class == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    if name[0] == b'/' {
                        failed = true;
                    }
                    let (_, len) = decode_char(name);
                    name = &name[len..];
                }
                chunk = &chunk[1..];
            }
            _ => {
                let literal = if first == b'\\' {
                    chunk = &chunk[1..];
                    *chunk.first().ok_or(BadPattern)?
                } else {
                    first
                };
                if !failed {
                    if name[0] != literal {
                        failed = true;
                    }
                    name = &name[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    Ok(if failed { None } else { Some(name) })
}

/// One character of a class (possibly `\`-escaped), which must be followed by
/// more pattern (at least the closing `]`). A bare `-` or `]` is an error.
fn class_char(chunk: &[u8]) -> Result<(char, &[u8]), BadPattern> {
    let chunk = match chunk.first() {
        None | Some(b'-') | Some(b']') => return Err(BadPattern),
        Some(b'\\') => &chunk[1..],
        Some(_) => chunk,
    };
    if chunk.is_empty() {
        return Err(BadPattern);
    }
    let (ch, len) = decode_char(chunk);
    if ch == char::REPLACEMENT_CHARACTER && len == 1 {
        return Err(BadPattern);
    }
    let rest = &chunk[len..];
    if rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((ch, rest))
}

/// Decodes the first UTF-8 character of `bytes` like Go's
/// `utf8.DecodeRune`: invalid input yields U+FFFD and a length of 1.
fn decode_char(bytes: &[u8]) -> (char, usize) {
    for len in 1..=bytes.len().min(4) {
        if let Ok(text) = std::str::from_utf8(&bytes[..len]) {
            if let Some(ch) = text.chars().next() {
                return (ch, len);
            }
        }
    }
    (char::REPLACEMENT_CHARACTER, 1)
}

/// Whether a path element holds an unescaped wildcard character, as BuildKit
/// decides whether a COPY source is a pattern.
pub fn has_wildcards(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'*' | b'?' | b'[' => return true,
            b'\\' => i += 1,
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_follows_go() {
        // Cases from the rules of Go's path.Clean documentation.
        let cases = [
            ("", "."),
            (".", "."),
            ("/", "/"),
            ("//", "/"),
            ("a/", "a"),
            ("a//b", "a/b"),
            ("./a", "a"),
            ("a/./b", "a/b"),
            ("a/../b", "b"),
            ("a/..", "."),
            ("../a", "../a"),
            ("../../a/../b", "../../b"),
            ("/../a", "/a"),
            ("/a/b/../../..", "/"),
            ("a/b/c/../../d", "a/d"),
            ("!a/../b", "b"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "clean({input:?})");
        }
    }

    #[test]
    fn match_table() {
        // (pattern, name, expected) — the behaviours of Go's path.Match.
        let cases: &[(&str, &str, Result<bool, BadPattern>)] = &[
            ("abc", "abc", Ok(true)),
            ("*", "abc", Ok(true)),
            ("*c", "abc", Ok(true)),
            ("a*", "a", Ok(true)),
            ("a*", "abc", Ok(true)),
            ("a*", "ab/c", Ok(false)), // `*` never crosses `/`
            ("a*/b", "abc/b", Ok(true)),
            ("a*/b", "a/c/b", Ok(false)),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", Ok(true)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/f", Ok(true)),
            ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", Ok(false)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Ok(false)),
            ("a*b?c*x", "abxbbxdbxebxczzx", Ok(true)),
            ("a*b?c*x", "abxbbxdbxebxczzy", Ok(false)),
            ("ab[c]", "abc", Ok(true)),
            ("ab[b-d]", "abc", Ok(true)),
            ("ab[e-g]", "abc", Ok(false)),
            ("ab[^c]", "abc", Ok(false)),
            ("ab[^b-d]", "abc", Ok(false)),
            ("ab[^e-g]", "abc", Ok(true)),
            ("ab[!c]", "ab!", Ok(true)), // `!` is an ordinary class member in Go
            ("a\\*b", "a*b", Ok(true)),
            ("a\\*b", "ab", Ok(false)),
            ("a?b", "a☺b", Ok(true)),
            ("a[^a]b", "a☺b", Ok(true)),
            ("a???b", "a☺b", Ok(false)),
            ("a[^a][^a][^a]b", "a☺b", Ok(false)),
            ("[a-ζ]*", "α", Ok(true)),
            ("*[a-ζ]", "A", Ok(false)),
            ("a?b", "a/b", Ok(false)),
            ("a*b", "a/b", Ok(false)),
            ("[\\]a]", "]", Ok(true)),
            ("[\\-]", "-", Ok(true)),
            ("[x\\-]", "x", Ok(true)),
            ("[x\\-]", "-", Ok(true)),
            ("[x\\-]", "z", Ok(false)),
            ("[\\-x]", "a", Ok(false)),
            ("[]a]", "]", Err(BadPattern)),
            ("[-]", "-", Err(BadPattern)),
            ("[x-]", "x", Err(BadPattern)),
            ("[a-b-c]", "a", Err(BadPattern)),
            ("[", "a", Err(BadPattern)),
            ("[^", "a", Err(BadPattern)),
            ("[^bc", "a", Err(BadPattern)),
            ("a[", "a", Err(BadPattern)),
            ("a[", "ab", Err(BadPattern)),
            ("a[", "x", Err(BadPattern)),
            ("a/b[", "x", Err(BadPattern)),
            ("*x", "xxx", Ok(true)),
            ("a\\", "a", Err(BadPattern)),
            ("a\\", ".", Err(BadPattern)),
            ("\\", "a", Err(BadPattern)),
            // A class may match `/`: only `*`, `?` refuse it.
            ("a[^x]b", "a/b", Ok(true)),
            // The classic builder's COPY wildcards, matched against context paths.
            ("*.js", "app.js", Ok(true)),
            ("*.js", "src/app.js", Ok(false)),
            ("src/*", "src/lib", Ok(true)),
        ];
        for (pattern, name, want) in cases {
            assert_eq!(
                path_match(pattern, name),
                *want,
                "Match({pattern:?}, {name:?})"
            );
        }
    }

    #[test]
    fn wildcard_detection() {
        assert!(has_wildcards("*.js"));
        assert!(has_wildcards("a?"));
        assert!(has_wildcards("[ab]"));
        assert!(has_wildcards("src/[ab].js"));
        assert!(!has_wildcards("plain.txt"));
        assert!(!has_wildcards("a\\*b"));
    }
}
