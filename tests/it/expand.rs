//! Table tests for Docker's variable expansion. Every expected value here was
//! checked against BuildKit v0.12.5's own lexer (ProcessWord / ProcessWords).

use layerlab::dockerfile::expand::{
    expand_for_display, expand_heredoc, expand_word, expand_words, Env, ExpandError,
};
use std::collections::HashMap;

fn env() -> Env {
    Env::from_docker_list([
        "A=hello",
        "EMPTY=",
        "PWD=/home",
        "SP=a  b",
        "LEAD=  x y ",
        "한=kor",
        "_u=under",
        "1=one",
        "@=at",
    ])
}

/// (word, expected value or expected error message), escape `\`.
const WORD_CASES: &[(&str, Result<&str, &str>)] = &[
    // Plain text and bare dollars.
    ("hello", Ok("hello")),
    ("", Ok("")),
    ("$", Ok("$")),
    ("a$", Ok("a$")),
    ("$.", Ok("$.")),
    ("he$.x", Ok("he$.x")),
    ("$/x", Ok("$/x")),
    // $NAME
    ("$A", Ok("hello")),
    ("x$A.y", Ok("xhello.y")),
    ("$Ax", Ok("")),
    ("$X", Ok("")),
    ("$_u", Ok("under")),
    ("$A_", Ok("")),
    ("$한", Ok("kor")),
    ("$한글", Ok("")),
    // Digits: a run of digits is the name.
    ("$1", Ok("one")),
    ("$1x", Ok("onex")),
    ("$12x", Ok("x")),
    // Special parameters are one character.
    ("$@", Ok("at")),
    ("$@A", Ok("atA")),
    ("$$", Ok("")),
    ("$#x", Ok("x")),
    // ${NAME}
    ("${A}", Ok("hello")),
    ("he${A}xx", Ok("hehelloxx")),
    ("${X}", Ok("")),
    ("${@}", Ok("at")),
    ("${한}", Ok("kor")),
    // Defaults: - and :-
    ("${X-def}", Ok("def")),
    ("${X:-def}", Ok("def")),
    ("${EMPTY-def}", Ok("")),
    ("${EMPTY:-def}", Ok("def")),
    ("${A-def}", Ok("hello")),
    ("${A:-def}", Ok("hello")),
    ("${X:-}", Ok("")),
    ("${X:-a b}", Ok("a b")),
    // Alternatives: + and :+
    ("${X+alt}", Ok("")),
    ("${X:+alt}", Ok("")),
    ("${EMPTY+alt}", Ok("alt")),
    ("${EMPTY:+alt}", Ok("")),
    ("${A+alt}", Ok("alt")),
    ("${A:+alt}", Ok("alt")),
    // Required: ? and :?
    ("${A?}", Ok("hello")),
    ("${A:?}", Ok("hello")),
    ("${EMPTY?}", Ok("")),
    ("${X?}", Err("X: is not allowed to be unset")),
    ("${X:?}", Err("X: is not allowed to be unset")),
    ("${EMPTY:?}", Err("EMPTY: is not allowed to be empty")),
    ("${X?set X please}", Err("X: set X please")),
    ("${EMPTY:?need $A}", Err("EMPTY: need hello")),
    // Nesting.
    ("${X:-$A}", Ok("hello")),
    ("${X:-${A}}", Ok("hello")),
    ("${X:-${Y:-deep}}", Ok("deep")),
    ("he${X:-${PWD:-yyy}}xx", Ok("he/homexx")),
    ("${A:+${PWD}:}", Ok("/home:")),
    ("${A:+${X}}", Ok("")),
    // The default is expanded even when not used, so its errors still count.
    ("${A:-${X:?boom}}", Err("X: boom")),
    // Quotes inside defaults.
    ("${X:-'}'}", Ok("}")),
    ("${X:-\"a}b\"}", Ok("a}b")),
    ("${X:-'$A'}", Ok("$A")),
    ("${X:-\"$A\"}", Ok("hello")),
    // Escapes inside defaults.
    ("${X:-\\}}", Ok("}")),
    ("${X:-\\$A:}", Ok("$A:")),
    ("he${X:-\\${PWD}z}xx", Ok("he${PWDz}xx")),
    // Single quotes keep everything.
    ("'$A'", Ok("$A")),
    ("'he${XX}'", Ok("he${XX}")),
    ("'a\\b'", Ok("a\\b")),
    ("'hello\\'", Ok("hello\\")),
    ("'\"q\"'", Ok("\"q\"")),
    ("he'll'o", Ok("hello")),
    // Double quotes expand $ and honour only \" \$ \\.
    ("\"$A\"", Ok("hello")),
    ("\"he'$A'\"", Ok("he'hello'")),
    ("\"a\\tb\"", Ok("a\\tb")),
    ("\"a\\\\tb\"", Ok("a\\tb")),
    ("\"he\\$A\"", Ok("he$A")),
    ("\"say \\\"hi\\\"\"", Ok("say \"hi\"")),
    ("\"$\"", Ok("$")),
    ("\"''\"", Ok("''")),
    // Escapes outside quotes.
    ("\\$A", Ok("$A")),
    ("\\\\$A", Ok("\\hello")),
    ("a\\tb", Ok("atb")),
    ("he\\'llo", Ok("he'llo")),
    ("hello\\", Ok("hello")),
    ("hello\\\\", Ok("hello\\")),
    ("\\${}", Ok("${}")),
    ("`$A`", Ok("`hello`")),
    // Unicode passes through.
    ("안녕하세요", Ok("안녕하세요")),
    ("안'녕'하세요", Ok("안녕하세요")),
    ("${X:-기본값}", Ok("기본값")),
    ("→$A←", Ok("→hello←")),
    // A leading byte-order mark is skipped, as Go's scanner does.
    ("\u{feff}$A", Ok("hello")),
    // Errors.
    (
        "he'llo",
        Err("unexpected end of statement while looking for matching single-quote"),
    ),
    (
        "he\\\\'llo",
        Err("unexpected end of statement while looking for matching single-quote"),
    ),
    (
        "\"hello",
        Err("unexpected end of statement while looking for matching double-quote"),
    ),
    (
        "\"hello\\\"",
        Err("unexpected end of statement while looking for matching double-quote"),
    ),
    ("${}", Err("syntax error: bad substitution")),
    ("he${}xx", Err("syntax error: bad substitution")),
    ("${:}", Err("syntax error: bad substitution")),
    ("${{A}}", Err("syntax error: bad substitution")),
    ("${", Err("syntax error: missing '}'")),
    ("${A:-x", Err("syntax error: missing '}'")),
    ("${A:", Err("syntax error: missing '}'")),
    ("${X:-'}", Err("syntax error: missing '}'")),
    ("${A:-${X:?boom}", Err("syntax error: missing '}'")),
    (
        "${A",
        Err("unsupported modifier (\u{fffd}) in substitution"),
    ),
    ("he${.}", Err("unsupported modifier (.) in substitution")),
    ("${A B}", Err("unsupported modifier ( ) in substitution")),
    ("${1x}", Err("unsupported modifier (x) in substitution")),
    ("${A:=x}", Err("unsupported modifier (:=) in substitution")),
    ("${A:YYY}", Err("unsupported modifier (:Y) in substitution")),
    // BuildKit v0.12.5 has no pattern removal or replacement yet.
    ("${A#h}", Err("unsupported modifier (#) in substitution")),
    ("${A%o}", Err("unsupported modifier (%) in substitution")),
    ("${A/l/L}", Err("unsupported modifier (/) in substitution")),
    // An error inside the default outranks a bad modifier after it.
    ("${A:x${}}", Err("syntax error: bad substitution")),
];

#[test]
fn expand_word_table() {
    let env = env();
    let mut failures = Vec::new();
    for (word, expected) in WORD_CASES {
        let got = expand_word(word, '\\', &env)
            .map(|e| e.value)
            .map_err(|e| e.message());
        let expected = expected.map(str::to_owned).map_err(str::to_owned);
        if got != expected {
            failures.push(format!("{word:?}: got {got:?}, want {expected:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The same rules with `# escape=`` ` ``: the backtick escapes and the
/// backslash is an ordinary character (Windows paths).
#[test]
fn backtick_escape_table() {
    let env = env();
    let cases: &[(&str, Result<&str, &str>)] = &[
        ("`$A", Ok("$A")),
        ("``$A", Ok("`hello")),
        ("C:\\$A", Ok("C:\\hello")),
        ("C:\\dir\\file", Ok("C:\\dir\\file")),
        ("\"a`\"b\"", Ok("a\"b")),
        ("\"`$A\"", Ok("$A")),
        ("\"a\\\"", Ok("a\\")),
        ("\"``\"", Ok("`")),
        ("\"`x\"", Ok("`x")),
        ("${X:-`}}", Ok("}")),
        ("he`'llo", Ok("he'llo")),
        ("trailing`", Ok("trailing")),
        (
            "\"a\\",
            Err("unexpected end of statement while looking for matching double-quote"),
        ),
    ];
    for (word, expected) in cases {
        let got = expand_word(word, '`', &env)
            .map(|e| e.value)
            .map_err(|e| e.message());
        let expected = expected.map(str::to_owned).map_err(str::to_owned);
        assert_eq!(got, expected, "word {word:?}");
    }
}

#[test]
fn expand_words_splits_like_buildkit() {
    let env = env();
    let cases: &[(&str, &[&str])] = &[
        ("hello there", &["hello", "there"]),
        ("  hello   there  ", &["hello", "there"]),
        ("hello\\ there", &["hello there"]),
        ("hello\" there\"", &["hello there"]),
        ("hello\\\" there", &["hello\"", "there"]),
        // Whitespace from a variable splits; quoted, it does not.
        ("x${SP}y", &["xa", "by"]),
        ("x\"${SP}\"y", &["xa  by"]),
        ("${LEAD}", &["x", "y"]),
        ("a${LEAD}b", &["a", "x", "y", "b"]),
        ("\"${LEAD}\"", &["  x y "]),
        // Empty fields vanish, even quoted ones.
        ("", &[]),
        ("\"\"", &[]),
        ("a \"\" b", &["a", "b"]),
        ("$X", &[]),
        ("80/tcp ${X:-443}", &["80/tcp", "443"]),
        ("'$A b'", &["$A b"]),
    ];
    for (word, expected) in cases {
        let got = expand_words(word, '\\', &env).expect(word);
        assert_eq!(got, *expected, "word {word:?}");
    }
    let err = expand_words("a \"b", '\\', &env).unwrap_err();
    assert_eq!(
        err.message(),
        "unexpected end of statement while looking for matching double-quote"
    );
}

#[test]
fn used_and_unmatched_are_ordered_and_deduplicated() {
    let env = env();
    let e = expand_word("$X ${A} ${B:-${A}} $X ${EMPTY:+$C}", '\\', &env).unwrap();
    assert_eq!(e.used, ["X", "A", "B", "EMPTY", "C"]);
    assert_eq!(e.unmatched, ["X", "B", "C"]);
    // Names in single quotes or escaped are not references.
    let e = expand_word("'$A' \\$B \"$PWD\"", '\\', &env).unwrap();
    assert_eq!(e.used, ["PWD"]);
    assert!(e.unmatched.is_empty());
    // A bare `$` references nothing.
    let e = expand_word("$ $.", '\\', &env).unwrap();
    assert!(e.used.is_empty());
}

#[test]
fn error_offsets_point_at_the_construct() {
    let env = env();
    let offset = |w: &str| expand_word(w, '\\', &env).unwrap_err().offset;
    assert_eq!(offset("ab'cd"), 2);
    assert_eq!(offset("ab \"cd"), 3);
    assert_eq!(offset("x ${}"), 2);
    assert_eq!(offset("x ${A:-y"), 2);
    assert_eq!(offset("x ${A:-${X?no}}"), 7);
    assert_eq!(offset("한 ${"), "한 ".len());
}

#[test]
fn buildkit_message_quotes_the_word_like_go() {
    let env = env();
    let word = "he${}\t\"x\"\\";
    let err = expand_word(word, '\\', &env).unwrap_err();
    assert_eq!(
        err.buildkit_message(word),
        "failed to process \"he${}\\t\\\"x\\\"\\\\\": syntax error: bad substitution"
    );
    let word = "\u{1}한\u{a0}\u{10ffff}${";
    let err = expand_word(word, '\\', &env).unwrap_err();
    assert_eq!(
        err.buildkit_message(word),
        "failed to process \"\\x01한\\u00a0\\U0010ffff${\": syntax error: missing '}'"
    );
    assert_eq!(err.to_string(), err.message());
}

#[test]
fn heredoc_bodies_keep_quotes_and_always_use_backslash() {
    let env = env();
    let e = expand_heredoc("echo '$A' \"$PWD\" \\$A `x`\n${X:-none}\n", &env).unwrap();
    assert_eq!(e.value, "echo 'hello' \"/home\" $A `x`\nnone\n");
    assert_eq!(e.used, ["A", "PWD", "X"]);
    // A quote cannot be left open in a heredoc, since quotes mean nothing.
    assert_eq!(expand_heredoc("it's", &env).unwrap().value, "it's");
    let err = expand_heredoc("x ${A", &env).unwrap_err();
    assert_eq!(
        err.message(),
        "unsupported modifier (\u{fffd}) in substitution"
    );
}

#[test]
fn display_keeps_quotes_and_unset_references() {
    let env = env();
    let cases: &[(&str, &str)] = &[
        (
            "RUN echo \"version $A\" > /v.txt",
            "RUN echo \"version hello\" > /v.txt",
        ),
        ("RUN echo '$A' $X ${Y}", "RUN echo '$A' $X ${Y}"),
        ("RUN echo ${Y:-d} ${A:-d}", "RUN echo ${Y:-d} hello"),
        ("RUN echo \\$A", "RUN echo $A"),
        // Not expandable: shown unchanged.
        ("RUN echo ${}", "RUN echo ${}"),
        ("RUN echo \"open", "RUN echo \"open"),
    ];
    for (text, expected) in cases {
        assert_eq!(expand_for_display(text, '\\', &env), *expected);
    }
}

#[test]
fn env_is_ordered_and_last_definition_wins() {
    let mut env = Env::from_docker_list(["PATH=/bin", "A=1", "NOVALUE", "EQ=a=b"]);
    assert_eq!(env.get("EQ"), Some("a=b"));
    assert_eq!(env.get("NOVALUE"), Some(""));
    assert_eq!(env.get("MISSING"), None);
    env.set("A", "2");
    env.set("B", "3");
    assert_eq!(
        env.to_docker_list(),
        ["PATH=/bin", "A=2", "NOVALUE=", "EQ=a=b", "B=3"]
    );
    assert_eq!(env.len(), 5);
    assert!(!env.is_empty());
    let names: Vec<&str> = env.iter().map(|(k, _)| k).collect();
    assert_eq!(names, ["PATH", "A", "NOVALUE", "EQ", "B"]);
    let dup = Env::from_docker_list(["A=1", "A=2"]);
    assert_eq!(dup.to_docker_list(), ["A=2"]);
    let collected: Env = [("K", "v")].into_iter().collect();
    assert_eq!(collected.get("K"), Some("v"));
}

#[test]
fn other_variable_sources_work() {
    let map: HashMap<String, String> = [("A".to_owned(), "m".to_owned())].into();
    assert_eq!(expand_word("$A$B", '\\', &map).unwrap().value, "m");
    let tree: std::collections::BTreeMap<String, String> =
        [("B".to_owned(), "t".to_owned())].into();
    assert_eq!(expand_word("$A$B", '\\', &tree).unwrap().value, "t");
}

#[test]
fn expand_error_is_a_std_error() {
    fn takes(_: &dyn std::error::Error) {}
    let err: ExpandError = expand_word("${", '\\', &Env::new()).unwrap_err();
    takes(&err);
}
