//! Scripts whose output real busybox 1.35 (Debian's busybox-static, the
//! conformance base) was seen to give, run as a RUN runs them (`/bin/sh -c`
//! over the base). Each row is a divergence the differential harness of
//! issue 13 found and its fix closed: (script, stdout, stderr, exit code).

use crate::support::shell::*;

type Row = (&'static str, &'static str, &'static str, i32);

const ROWS: &[Row] = &[
    // `local` shadows the caller's variable until the function returns.
    (
        "f() { local v=in; echo $v; }; v=out; f; echo $v",
        "in\nout\n",
        "",
        0,
    ),
    (
        "v=1; f() { local v; v=2; g; }; g() { echo $v; }; f; echo $v; unset u; h() { local u=x; }; h; echo ${u-unset}",
        "2\n1\nunset\n",
        "",
        0,
    ),
    (
        "local x=1; echo $?",
        "",
        "/bin/sh: local: line 0: not in a function\n",
        2,
    ),
    // `yes` and the pipe a writer is ended by (SIGPIPE, 141) when its
    // reader has what it wants.
    ("yes | head -n 3", "y\ny\ny\n", "", 0),
    (
        "set -o pipefail; yes | head -1; echo $?; yes a b | head -n 2",
        "y\n141\na b\na b\n",
        "",
        141,
    ),
    (
        "{ echo first; yes; } | head -n 2; yes | sed 3q; yes | tr -d '\\n' | head -c 5; echo",
        "first\ny\ny\ny\ny\nyyyyy\n",
        "",
        0,
    ),
    // `++`/`--` before and after a variable, BASE#DIGITS.
    (
        "a=5; echo $((a+1)) $((a*=2)) $a $((a++)) $a $((--a)); echo $((16#ff)) $((2#101)) $((36#z))",
        "6 10 10 10 11 10\n255 5 35\n",
        "",
        0,
    ),
    (
        "echo $((1--1)); i=2; echo $((i+++1)) $i",
        "2\n3 3\n",
        "",
        0,
    ),
];

#[test]
fn scripts_behave_as_busybox_does() {
    let mut failures = Vec::new();
    for (script, out, err, code) in ROWS {
        let mut fs = busybox_base();
        let r = run(&mut fs, script);
        let got = (r.stdout_text(), r.stderr_text(), r.exit_code);
        if got != (out.to_string(), err.to_string(), *code) {
            failures.push(format!(
                "{script}\n  want {:?}\n  got  {got:?}",
                (out, err, code)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
