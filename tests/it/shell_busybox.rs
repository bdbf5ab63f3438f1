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
    // sed: ranges, blocks, c = y n N D h H g G x, labels and branches,
    // -i SUFFIX, empty matches after a match, the g flag over a number.
    (
        "printf 'a\\nb\\nc\\nd\\n' | sed -n '2,3p'; printf 'a\\nb\\nc\\n' | sed '2d'; printf 'a\\nb\\n' | sed -e 's/a/x/' -e 's/b/y/'",
        "b\nc\na\nc\nx\ny\n",
        "",
        0,
    ),
    (
        "printf 'a\\nb\\nc\\n' | sed '$d'; printf 'a\\nb\\nc\\n' | sed '1!d'; printf 'hello\\n' | sed 's/l/L/2'",
        "a\nb\na\nhelLo\n",
        "",
        0,
    ),
    (
        "printf 'a\\n' | sed -n 'p;p'; printf 'a\\nb\\n' | sed '1i\\\nins'; printf 'a\\n' | sed 'a after'; printf 'a\\nb\\n' | sed '/a/c\\\nchanged'",
        "a\na\nins\na\nb\na\nafter\nchanged\nb\n",
        "",
        0,
    ),
    (
        "printf 'Hello\\n' | sed 's/hello/x/I'; printf 'one\\ntwo\\n' | sed = ; printf 'a\\n' | sed 'y/a/b/'",
        "x\n1\none\n2\ntwo\nb\n",
        "",
        0,
    ),
    (
        "printf 'a\\nb\\n' | sed -n '$p'; printf 'a\\nb\\nc\\n' | sed -n '/b/,$p'; printf 'a\\nb\\nc\\n' | sed '2q'",
        "b\nb\nc\na\nb\n",
        "",
        0,
    ),
    (
        "printf 'a\\nb\\n' > /f && sed -n '2{p;q}' /f; sed -i '/a/d' /f && cat /f",
        "b\nb\n",
        "",
        0,
    ),
    (
        "printf 'l1\\nl2\\n' > /f && sed -i.bak 's/l/L/' /f && cat /f /f.bak",
        "L1\nL2\nl1\nl2\n",
        "",
        0,
    ),
    (
        "seq 10 | sed -n '3,+2p'; seq 10 | sed -n '0~4p'; seq 10 | sed -n '2,1p'; seq 6 | sed '2,4c\\\nX'",
        "3\n4\n5\n2\n1\nX\n5\n6\n",
        "sed: unsupported command ~\n",
        0,
    ),
    (
        "seq 5 | sed -n '/2/,/4/{/3/!p}'; seq 3 | sed 'N;s/\\n/-/'; seq 4 | sed '$!N;s/\\n/+/'",
        "2\n4\n1-2\n3\n1+2\n3+4\n",
        "",
        0,
    ),
    (
        "seq 3 | sed -n 'h;n;G;p'; seq 3 | sed '1!G;h;$!d'; printf 'a b\\n' | sed 's/ /\\n/' ",
        "2\n1\n3\n2\n1\na\nb\n",
        "",
        0,
    ),
    (
        "printf 'aaa\\n' | sed ':a;s/a/b/;ta'; printf 'x\\n' | sed -e ':a' -e 's/x/y/' -e 'ta'; seq 3 | sed -n '$='",
        "bbb\ny\n3\n",
        "",
        0,
    ),
    (
        "printf 'foo\\nbar\\n' | sed '/foo/{n;s/bar/BAR/}'; printf 'k = v\\n' | sed -E 's/^([a-z]+) *= *(.*)$/\\2=\\1/'",
        "foo\nBAR\nv=k\n",
        "",
        0,
    ),
    (
        "printf 'x\\n' | sed 'b end; s/x/y/; :end'; printf '#c\\nv\\n' | sed '/^#/d' ; seq 3 | sed -n '2{p}'",
        "x\nv\n2\n",
        "",
        0,
    ),
    (
        "printf 'a\\n' | sed 's/a/&&\\&/'; printf 'tab\\n' | sed 's/a/\\t/'; seq 3 | sed '2!s/./X/'",
        "aa&\nt\tb\nX\n2\nX\n",
        "",
        0,
    ),
    (
        "printf 'no newline' | sed 's/no/yes/'; echo; printf 'a\\nb' | sed '$a end'; printf 'a' | sed -n p | od -c",
        "yes newline\na\nb\nend\n0000000   a  \\n\n0000002\n",
        "",
        0,
    ),
    (
        "printf 'a\\n' | sed 'q5'; echo $?; printf 'a\\n' | sed 'bnope'; echo $?; printf 'a\\n' | sed '{p'; echo $?",
        "1\n1\na\na\n0\n",
        "sed: missing command\nsed: can't find label for jump to 'nope'\n",
        0,
    ),
    (
        "printf '1\\n2\\n3\\n' | sed -n '2{n;p}'; seq 5 | sed '2,3d;4q'; seq 3 | sed 'D'",
        "3\n1\n4\n",
        "",
        0,
    ),
    (
        "seq 4 | sed 'n;d'; seq 5 | sed -n '2,4!p'; printf 'A\\n' | sed '/a/Id'",
        "1\n3\n1\n5\n",
        "sed: unsupported command I\n",
        1,
    ),
    (
        "printf 'a.b.c\\n' | sed 's/\\./:/2g' ; printf 'hello world\\n' | sed 's/\\(hello\\) \\(world\\)/\\2 \\1/'; printf 'ab\\n' | sed 's/b*/X/g'",
        "a:b:c\nworld hello\nXaX\n",
        "",
        0,
    ),
    // find: an expression of tests, actions and operators; -exec with ;
    // and +; Debian's busybox has no -delete.
    (
        "mkdir -p /t/a/b && touch /t/a/f1 /t/a/b/f2.txt && cd /t && find . -name '*.txt'; find . -type d; find . -maxdepth 1; find . -mindepth 2",
        "./a/b/f2.txt\n.\n./a\n./a/b\n.\n./a\n./a/b\n./a/b/f2.txt\n./a/f1\n",
        "",
        0,
    ),
    (
        "mkdir -p /t/a && touch /t/a/x && find /t -type f -exec echo {} + ; find /t -type f -exec echo a{}b \\;",
        "/t/a/x\na/t/a/xb\n",
        "",
        0,
    ),
    (
        "find /nope; echo $?; mkdir -p /t && touch /t/a && find /t -name a -print; find /t -type f -name 'a' -o -name b",
        "1\n/t/a\n/t/a\n",
        "find: /nope: No such file or directory\n",
        0,
    ),
    (
        "mkdir -p /t/x/y && touch /t/x/y/z && find /t -path '*/y/*'; find /t -empty; find /t -type f -newer /t 2>&1; echo $?",
        "/t/x/y/z\n/t/x/y/z\n0\n",
        "",
        0,
    ),
    (
        "mkdir -p /t && cd /t && touch f && find . ! -name . ; find . -name 'F' ; find . -iname F",
        "./f\n./f\n",
        "",
        0,
    ),
    (
        "mkdir -p /t/a/b && touch /t/a/b/c && find /t -depth; find /t -name a -prune -o -print; find /t -quit -print",
        "/t/a/b/c\n/t/a/b\n/t/a\n/t\n/t\n",
        "",
        0,
    ),
    (
        "mkdir -p /t && touch /t/a && find /t -exec false \\; ; echo $?; find /t -type x; echo $?; find /t -name; echo $?",
        "0\n1\n1\n",
        "find: invalid argument 'x' to '-type'\nfind: -name requires an argument\n",
        0,
    ),
    (
        "mkdir -p /t && touch /t/a && find /t -not -name a; echo $?; find /t -size 0; echo $?",
        "/t\n0\n/t/a\n0\n",
        "",
        0,
    ),
    (
        "mkdir -p /t/a && touch /t/a/1 && find /t -type f | xargs rm && find /t; find /t -mindepth 1 -type d -exec rmdir {} + ; find /t",
        "/t\n/t/a\n/t\n",
        "",
        0,
    ),
    (
        "mkdir /t && touch /t/a && find /t -name a -delete 2>/dev/null; echo $?; ls /t",
        "1\na\n",
        "",
        0,
    ),
    // grep: -o, -w, -x, -F as a literal regex, -r walking directories,
    // a directory operand without -r read silently as empty.
    (
        "printf 'ab12cd345\\n' | grep -oE '[0-9]+'; printf 'foo\\n' | grep -E 'fo+|z'; printf 'a\\n' | grep b; echo $?",
        "12\n345\nfoo\n1\n",
        "",
        0,
    ),
    (
        "mkdir -p /t/d && echo hello > /t/d/x && echo nope > /t/y && grep -r hello /t; grep -rl hello /t; grep -rn hel /t/d; grep hello /t; echo $?",
        "/t/d/x:hello\n/t/d/x\n/t/d/x:1:hello\n1\n",
        "",
        0,
    ),
    (
        "printf 'a1\\nb2\\n' | grep -n 2; printf 'A\\n' | grep -i a; printf 'ab\\n' | grep -w a; echo $?; printf 'a b\\n' | grep -w a; printf 'a\\nb\\n' | grep -e a -e b",
        "2:b2\nA\n1\na b\na\nb\n",
        "",
        0,
    ),
    (
        "printf 'foo.bar\\n' | grep -F '.'; printf 'foobar\\n' | grep -F '.'; echo $?; printf 'a+b\\n' | grep 'a+b'; printf 'aab\\n' | grep 'a\\+b'; printf 'x.y\\n' | grep -oF .",
        "foo.bar\n1\na+b\naab\n.\n",
        "",
        0,
    ),
    (
        "printf 'one\\ntwo\\n' > /f && grep -c o /f /f; grep -H one /f; grep -x one /f; grep -xF on /f; echo $?; grep -wo 'tw.' /f",
        "/f:2\n/f:2\n/f:one\none\n1\ntwo\n",
        "",
        0,
    ),
    (
        "printf 'foo_bar foo\\n' | grep -ow foo; printf 'Ab\\n' | grep -io a; printf 'a\\n' | grep -m1 -c a; cd / && mkdir -p /s && echo x > /s/f && cd /s && grep -r x; grep -r x .",
        "foo\nA\n1\n./f:x\n",
        "",
        0,
    ),
    // printf's float conversions as libc formats them.
    (
        "printf '%s-%d-%05.2f-%x|%5.1f|%e|%g|%G|%-8.3f|\\n' str 42 3.14159 255 3.14159 12345.678 0.0001 1e-10 2.5",
        "str-42-03.14-ff|  3.1|1.234568e+04|0.0001|1E-10|2.500   |\n",
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
