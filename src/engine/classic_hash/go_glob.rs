//! Go's `path/filepath.Match` on Unix, which the classic builder uses to
//! expand `COPY *.js /app/` against every path of the context.
//!
//! `*` matches any run of characters except `/`, `?` one character except
//! `/`, `[...]` a class (`^` negates, `a-z` ranges, `\` escapes), `\x` the
//! literal `x`. The classic builder ignores `ErrBadPattern`
//! (`match, _ := root.Match(...)` in `copyWithWildcards`), so a malformed
//! pattern simply matches nothing; this module returns `false` for it.

/// Whether `name` matches the shell pattern `pattern`, as Go's
/// `filepath.Match` decides (a malformed pattern matches nothing).
pub(super) fn go_match(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    matches(&pattern, &name).unwrap_or(false)
}

/// Whether `name` contains an unescaped `*`, `?` or `[`
/// (`containsWildcards` in moby's builder/dockerfile/copy.go).
pub(super) fn contains_wildcards(name: &str) -> bool {
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '*' | '?' | '[' => return true,
            _ => {}
        }
    }
    false
}

/// A malformed pattern (`ErrBadPattern`).
struct BadPattern;

fn matches(mut pattern: &[char], mut name: &[char]) -> Result<bool, BadPattern> {
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing `*` matches the rest unless it holds a separator.
            return Ok(!name.contains(&'/'));
        }
        // Try the chunk at the current position.
        let (tail, ok) = match_chunk(chunk, name)?;
        if ok && (tail.is_empty() || !pattern.is_empty()) {
            name = tail;
            continue;
        }
        if star {
            // Let the star swallow more, never crossing a separator.
            let mut i = 0;
            while i < name.len() && name[i] != '/' {
                let (tail, ok) = match_chunk(chunk, &name[i + 1..])?;
                if ok {
                    // The last chunk must consume the whole name.
                    if pattern.is_empty() && !tail.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = tail;
                    continue 'pattern;
                }
                i += 1;
            }
        }
        // Like Go, report a syntax error in the rest of the pattern.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, &[])?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits off leading stars and the next star-free chunk.
fn scan_chunk(mut pattern: &[char]) -> (bool, &[char], &[char]) {
    let mut star = false;
    while pattern.first() == Some(&'*') {
        pattern = &pattern[1..];
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            // Skip the escaped character; a trailing `\` stays in the
            // chunk and is rejected by match_chunk.
            '\\' if i + 1 < pattern.len() => i += 1,
            '[' => in_range = true,
            ']' => in_range = false,
            '*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// Matches `chunk` (no `*`) against the start of `name`; returns the rest of
/// `name` and whether it matched.
fn match_chunk<'n>(
    mut chunk: &[char],
    mut name: &'n [char],
) -> Result<(&'n [char], bool), BadPattern> {
    // Go keeps checking the chunk's syntax after a mismatch; `failed`
    // remembers the mismatch while the scan goes on.
    let mut failed = false;
    while !chunk.is_empty() {
        if !failed && name.is_empty() {
            failed = true;
        }
        match chunk[0] {
            '[' => {
                let mut current = None;
                if !failed {
                    current = Some(name[0]);
                    name = &name[1..];
                }
                chunk = &chunk[1..];
                let negated = chunk.first() == Some(&'^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.first() == Some(&']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = class_char(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&'-') {
                        let (h, rest) = class_char(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if let Some(c) = current {
                        if lo <= c && c <= hi {
                            matched = true;
                        }
                    }
                    ranges += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            '?' => {
                if !failed {
                    if name[0] == '/' {
                        failed = true;
                    }
                    name = &name[1..];
                }
                chunk = &chunk[1..];
            }
            '\\' => {
                chunk = &chunk[1..];
                let Some(&literal) = chunk.first() else {
                    return Err(BadPattern);
                };
                if !failed {
                    if literal != name[0] {
                        failed = true;
                    }
                    name = &name[1..];
                }
                chunk = &chunk[1..];
            }
            literal => {
                if !failed {
                    if literal != name[0] {
                        failed = true;
                    }
                    name = &name[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    if failed {
        Ok((&[], false))
    } else {
        Ok((name, true))
    }
}

/// One (possibly escaped) character of a `[...]` class; like Go's `getEsc`
/// it must be followed by more pattern (at least the closing `]`).
fn class_char(chunk: &[char]) -> Result<(char, &[char]), BadPattern> {
    let (c, rest) = match chunk {
        [] | ['-' | ']', ..] | ['\\'] => return Err(BadPattern),
        ['\\', c, rest @ ..] | [c, rest @ ..] => (*c, rest),
    };
    if rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((c, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cases from Go's `path/filepath` match_test.go semantics.
    #[test]
    fn matches_like_go_filepath_match() {
        let cases: &[(&str, &str, bool)] = &[
            ("abc", "abc", true),
            ("*", "abc", true),
            ("*c", "abc", true),
            ("a*", "a", true),
            ("a*", "abc", true),
            ("a*", "ab/c", false),
            ("a*/b", "abc/b", true),
            ("a*/b", "a/c/b", false),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", true),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/f", true),
            ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false),
            ("a*b?c*x", "abxbbxdbxebxczzx", true),
            ("a*b?c*x", "abxbbxdbxebxczzy", false),
            ("ab[c]", "abc", true),
            ("ab[b-d]", "abc", true),
            ("ab[e-g]", "abc", false),
            ("ab[^c]", "abc", false),
            ("ab[^b-d]", "abc", false),
            ("ab[^e-g]", "abc", true),
            ("a\\*b", "a*b", true),
            ("a\\*b", "ab", false),
            ("a?b", "a☺b", true),
            ("a[^a]b", "a☺b", true),
            ("a???b", "a☺b", false),
            ("[a-ζ]*", "α", true),
            ("*[a-ζ]", "A", false),
            ("a?b", "a/b", false),
            ("a*b", "a/b", false),
            ("[\\]a]", "]", true),
            ("[\\-]", "-", true),
            ("[x\\-]", "x", true),
            ("[x\\-]", "-", true),
            ("[x\\-]", "z", false),
            ("[\\-x]", "a", false),
            ("[]a]", "]", false),
            ("[-]", "-", false),
            ("[x-]", "x", false),
            ("\\", "a", false),
            ("[a-b-c]", "a", false),
            ("[", "a", false),
            ("[^", "a", false),
            ("[^bc", "a", false),
            ("a[", "a", false),
            ("a[", "ab", false),
            ("*x", "xxx", true),
            ("*.js", "app.js", true),
            ("*.js", "src/app.js", false),
            ("src/*", "src/lib", true),
        ];
        for &(pattern, name, want) in cases {
            assert_eq!(
                go_match(pattern, name),
                want,
                "Match({pattern:?}, {name:?})"
            );
        }
    }

    #[test]
    fn wildcard_detection_honours_backslash_escapes() {
        assert!(contains_wildcards("*.js"));
        assert!(contains_wildcards("src/[ab].js"));
        assert!(contains_wildcards("a?"));
        assert!(!contains_wildcards("app.js"));
        assert!(!contains_wildcards("a\\*b"));
    }
}
