//! Properties of the parser on arbitrary input: no panic, same answer
//! twice, spans inside the source on character boundaries with line and
//! column that agree with the byte offset, instructions in line order.

use layerlab::dockerfile::ast::Instruction;
use layerlab::dockerfile::corpus_json::corpus_json_string;
use layerlab::dockerfile::{parse, Span};
use proptest::prelude::*;

const FIXTURES: &[&str] = &[
    include_str!("../fixtures/parser/multistage.Dockerfile"),
    include_str!("../fixtures/parser/windows-backtick.Dockerfile"),
    include_str!("../fixtures/parser/korean-bom.Dockerfile"),
];

/// Characters that matter to the grammar, plus some that do not.
const ALPHABET: &[&str] = &[
    "\\",
    "`",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "\u{b}",
    "\u{a0}",
    "\u{85}",
    "#",
    "\"",
    "'",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "=",
    "-",
    "--",
    "<<",
    "<<-",
    "EOF",
    "$",
    "${",
    "0",
    "1",
    "a",
    "한",
    "\u{feff}",
    "RUN ",
    "ONBUILD ",
    "ENV ",
    "COPY ",
    "CMD ",
    "# escape=`\n",
    "HEALTHCHECK ",
];

/// Every span must lie inside the source, on character boundaries, with a
/// line and column that match its start offset.
fn check_span(source: &str, span: &Span, what: &str) {
    assert!(span.start <= span.end, "{what}: start after end {span:?}");
    assert!(span.end <= source.len(), "{what}: past the end {span:?}");
    assert!(
        source.is_char_boundary(span.start),
        "{what}: start mid-character {span:?}"
    );
    assert!(
        source.is_char_boundary(span.end),
        "{what}: end mid-character {span:?}"
    );
    let before = &source[..span.start];
    let line = before.matches('\n').count() + 1;
    assert_eq!(span.line, line, "{what}: line of {span:?}");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_text = &source[line_start..span.start];
    let line_text = line_text
        .strip_prefix('\u{feff}')
        .filter(|_| line_start == 0)
        .unwrap_or(line_text);
    assert_eq!(
        span.column,
        line_text.chars().count() + 1,
        "{what}: column of {span:?}"
    );
}

fn check_instruction(source: &str, inst: &Instruction) {
    check_span(source, &inst.span, "instruction");
    check_span(source, &inst.keyword_span, "keyword");
    assert!(inst.span.line <= inst.end_line, "start line after end line");
    for f in &inst.flags {
        check_span(source, &f.span, "flag");
    }
    for a in &inst.args {
        check_span(source, &a.span, "argument");
    }
    for h in &inst.heredocs {
        check_span(source, &h.span, "heredoc");
    }
    if let Some(inner) = &inst.onbuild {
        check_instruction(source, inner);
        assert_eq!(inner.end_line, inst.end_line);
    }
}

fn check(source: &str) {
    let first = parse(source);
    let second = parse(source);
    assert_eq!(first, second, "parse is not deterministic");
    // The JSON shaping never fails either.
    assert!(corpus_json_string(&first).ends_with('\n'));
    match first {
        Ok(df) => {
            assert!(!df.instructions.is_empty());
            let mut prev_end = 0;
            for inst in &df.instructions {
                check_instruction(source, inst);
                assert!(inst.span.line > prev_end, "instructions out of line order");
                prev_end = inst.end_line;
            }
            for d in &df.directives {
                check_span(source, &d.span, "directive");
            }
            for w in &df.warnings {
                check_span(source, &w.span, "warning");
            }
        }
        Err(d) => {
            check_span(source, &d.span, "error");
            assert!(!d.message().is_empty());
            // Rendering never panics either.
            let _ = d.render("Dockerfile", source);
        }
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, usize),
    Delete(usize, usize),
    Duplicate(usize, usize),
    SwapLines(usize, usize),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0..ALPHABET.len()).prop_map(|(at, c)| Edit::Insert(at, c)),
        (any::<usize>(), 1usize..8).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), 1usize..20).prop_map(|(at, n)| Edit::Duplicate(at, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

/// The nearest character boundary at or before `at % (len + 1)`.
fn boundary(s: &str, at: usize) -> usize {
    let mut i = at % (s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(source: &str, edit: &Edit) -> String {
    let mut s = source.to_string();
    match *edit {
        Edit::Insert(at, c) => s.insert_str(boundary(&s, at), ALPHABET[c]),
        Edit::Delete(at, n) => {
            let lo = boundary(&s, at);
            let hi = boundary(&s, lo + n).max(lo);
            let hi = if hi < lo + n && lo + n <= s.len() {
                boundary(&s, lo + n)
            } else {
                hi
            };
            s.replace_range(lo..hi.max(lo), "");
        }
        Edit::Duplicate(at, n) => {
            let lo = boundary(&s, at);
            let mut hi = (lo + n).min(s.len());
            while !s.is_char_boundary(hi) {
                hi -= 1;
            }
            let piece = s[lo..hi].to_string();
            s.insert_str(hi, &piece);
        }
        Edit::SwapLines(a, b) => {
            let mut lines: Vec<&str> = source.split_inclusive('\n').collect();
            if !lines.is_empty() {
                let (a, b) = (a % lines.len(), b % lines.len());
                lines.swap(a, b);
            }
            s = lines.concat();
        }
    }
    s
}

/// 512 cases per property, unless `PROPTEST_CASES` asks for another count
/// (e.g. a long fuzz run in release mode).
fn config() -> ProptestConfig {
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() {
        // The default configuration reads the variable.
        ProptestConfig::default().cases
    } else {
        512
    };
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_text_never_panics(s in any::<String>()) {
        check(&s);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn grammar_soup_never_panics(parts in proptest::collection::vec(0..ALPHABET.len(), 0..60)) {
        let s: String = parts.iter().map(|&i| ALPHABET[i]).collect();
        check(&s);
        check(&format!("FROM a\n{s}"));
    }

    #[test]
    fn edited_fixtures_never_panic(
        which in 0..FIXTURES.len(),
        edits in proptest::collection::vec(edit_strategy(), 1..12),
    ) {
        let mut s = FIXTURES[which].to_string();
        for e in &edits {
            s = apply(&s, e);
        }
        check(&s);
    }
}

#[test]
fn fixtures_parse_cleanly() {
    for f in FIXTURES {
        check(f);
        assert!(parse(f).is_ok());
    }
}
