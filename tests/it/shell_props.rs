//! Arbitrary scripts never panic, and runaway ones stop at the limits with
//! a clear message instead of hanging or overflowing the stack.

use crate::support::shell::*;

use layerlab::shell::{self, ExecContext, Limits};
use proptest::prelude::*;

/// Tokens that exercise every corner of the grammar.
const TOKENS: &[&str] = &[
    "echo",
    "x",
    "$x",
    "${x:-d}",
    "${#x}",
    "${x%%*}",
    "$(",
    ")",
    "`",
    "'",
    "\"",
    "(",
    "{",
    "}",
    ";",
    "&&",
    "||",
    "|",
    "&",
    "!",
    "if",
    "then",
    "elif",
    "else",
    "fi",
    "for",
    "in",
    "do",
    "done",
    "while",
    "until",
    "case",
    "esac",
    ";;",
    "<<",
    "<<-",
    "EOF",
    "\n",
    ">",
    ">>",
    "<",
    "2>&1",
    "/dev/null",
    "*",
    "?",
    "[a-",
    "]",
    "$((",
    "1+",
    "))",
    "\\",
    "=",
    "x=1",
    "f()",
    "cat",
    "ls",
    "-la",
    "/",
    "set",
    "-e",
    "exit",
    "break",
    "continue",
    "return",
    "shift",
    "eval",
    "sh",
    "-c",
    "seq",
    "3",
    "xargs",
    "sed",
    "s/a/b/",
    "grep",
    "test",
    "[",
    "-f",
    "read",
    "$@",
    "$1",
    "\"$@\"",
    "IFS=:",
    "~",
    "#",
    " ",
    "\t",
    "tar",
    "cf",
    "mkdir",
    "-p",
    "rm",
    "-rf",
    "cp",
    "-r",
    "printf",
    "%s%d%b",
    "local",
    "export",
    "readonly",
    "unset",
    "cd",
    "..",
    "sleep",
];

fn script() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(TOKENS).prop_map(str::to_owned),
            1 => "[ -~]{0,6}",
            1 => prop::collection::vec(any::<u8>(), 0..4)
                .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        ],
        0..40,
    )
    .prop_map(|toks| toks.join(" "))
}

fn small_limits(ctx: &mut ExecContext<'_>) {
    ctx.limits = Limits {
        max_steps: 2_000,
        max_depth: 16,
        max_bytes: 1 << 20,
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_scripts_never_panic(s in script()) {
        let mut fs = busybox_base();
        let mut ctx = ExecContext::new(&mut fs);
        small_limits(&mut ctx);
        let r = shell::run(&s, &mut ctx);
        prop_assert!((0..=255).contains(&r.exit_code));
    }

    #[test]
    fn arbitrary_argv_never_panics(argv in prop::collection::vec(prop::sample::select(TOKENS).prop_map(str::to_owned), 0..6)) {
        let mut fs = busybox_base();
        let mut ctx = ExecContext::new(&mut fs);
        small_limits(&mut ctx);
        let _ = shell::run_argv(&argv, &mut ctx);
    }
}

fn limited(script: &str) -> layerlab::shell::ExecResult {
    let mut fs = busybox_base();
    let mut ctx = ExecContext::new(&mut fs);
    small_limits(&mut ctx);
    shell::run(script, &mut ctx)
}

#[test]
fn endless_loop_hits_the_step_limit() {
    let r = limited("while true; do :; done; echo unreachable");
    assert_eq!(r.exit_code, 2);
    assert_eq!(
        r.stderr_text(),
        "layerlab: step limit of 2000 commands exceeded\n"
    );
    assert_eq!(r.stdout_text(), "");
}

#[test]
fn loop_inside_subshells_and_substitutions_still_stops() {
    let r = limited("while :; do x=$( (while :; do :; done) ); done");
    assert_eq!(r.exit_code, 2);
    assert!(
        r.stderr_text().contains("step limit"),
        "{}",
        r.stderr_text()
    );
}

#[test]
fn infinite_recursion_hits_the_depth_limit() {
    let r = limited("f() { f; }; f; echo unreachable");
    assert_eq!(r.exit_code, 2);
    assert_eq!(
        r.stderr_text(),
        "layerlab: maximum nesting depth of 16 exceeded\n"
    );
    let r = limited("s='sh -c \"$s\"'; eval \"$s\"");
    assert_ne!(r.exit_code, 0);
}

#[test]
fn recursion_at_the_default_limit_does_not_overflow_the_stack() {
    let mut fs = busybox_base();
    let mut ctx = ExecContext::new(&mut fs);
    let r = shell::run("f() { echo $(f); }; f", &mut ctx);
    assert_eq!(r.exit_code, 2);
    assert!(r.stderr_text().contains("maximum nesting depth"));
}

#[test]
fn deep_syntax_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}echo{}", "( ".repeat(500), " )".repeat(500));
    let r = limited(&deep);
    assert_eq!(
        (r.exit_code, r.stderr_text().as_str()),
        (2, "/bin/sh: syntax error: nesting too deep\n")
    );
    let subst = format!("echo {}x{}", "$(echo ".repeat(300), ")".repeat(300));
    assert_eq!(limited(&subst).exit_code, 2);
    let quotes = format!("echo {}", "\"$(echo ".repeat(300));
    assert_eq!(limited(&quotes).exit_code, 2);
}

#[test]
fn exponential_strings_hit_the_size_limit() {
    let r = limited("x=ab; while :; do x=$x$x; done");
    assert_eq!(r.exit_code, 2);
    assert!(
        r.stderr_text().starts_with("layerlab: value larger than"),
        "{}",
        r.stderr_text()
    );
    let r = limited("seq 1 100000000 > /big");
    assert_ne!(r.exit_code, 0);
}

/// One level of shell nesting, opened and closed around what is inside.
fn wrapper() -> impl Strategy<Value = (&'static str, &'static str)> {
    prop::sample::select(vec![
        ("( ", " )"),
        ("{ ", "; }"),
        ("echo $(", ")"),
        ("if true; then ", "; fi"),
        ("while false; do :; done; ", ""),
        ("echo ${a:-", "}"),
        ("echo \"${a:-", "}\""),
        ("echo $((1+", "))"),
        ("f() { ", "; }; f"),
        ("sh -c '", "'"),
        ("case x in x) ", ";; esac"),
        ("! ", ""),
        ("true && ", ""),
        ("true | ", ""),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    /// Constructs nested to any depth (up to a thousand levels): a nesting
    /// error or a result, never a stack overflow or a panic.
    #[test]
    fn nested_scripts_never_overflow_the_stack(
        levels in prop::collection::vec(wrapper(), 0..1000),
    ) {
        let mut s = String::new();
        for (open, _) in &levels {
            s.push_str(open);
        }
        s.push_str("echo x");
        for (_, close) in levels.iter().rev() {
            s.push_str(close);
        }
        let mut fs = busybox_base();
        let mut ctx = ExecContext::new(&mut fs);
        small_limits(&mut ctx);
        let r = shell::run(&s, &mut ctx);
        prop_assert!((0..=255).contains(&r.exit_code));
    }
}
