//! Script → (stdout, stderr, exit code) table. Every expected value was
//! recorded from Debian's busybox-static 1.35.0 (`/bin/sh -c SCRIPT` in a
//! chroot of the conformance base image), so these are busybox's bytes.

use crate::support::shell::*;

/// (script, stdout, stderr, exit code)
const CASES: &[(&str, &str, &str, i32)] = &[
    ("echo hello world", "hello world\n", "", 0),
    ("echo -n abc; echo def", "abcdef\n", "", 0),
    ("echo -e 'a\\tb\\nc'", "a\tb\nc\n", "", 0),
    ("echo -e 'x\\cy'; echo z", "xz\n", "", 0),
    ("echo \"a\\nb\" -n", "a\\nb -n\n", "", 0),
    ("echo -- -n", "-- -n\n", "", 0),
    ("echo -nx y", "-nx y\n", "", 0),
    ("printf '%5s|%-5s|%d|%x|%o|%c|%%|%05d|%s\\n' ab cd 42 255 8 xyz 7", "   ab|cd   |42|ff|10|x|%|00007|\n", "", 0),
    ("printf '%s-' a b c; echo", "a-b-c-\n", "", 0),
    ("printf '%b\\n' 'a\\tb'", "a\tb\n", "", 0),
    ("printf '[%3d][%-3d][%.2s]\\n' 5 6 abcdef", "[  5][6  ][ab]\n", "", 0),
    ("printf 'no newline'", "no newline", "", 0),
    ("x='a b  c'; for w in $x; do echo \"[$w]\"; done", "[a]\n[b]\n[c]\n", "", 0),
    ("x='a b  c'; for w in \"$x\"; do echo \"[$w]\"; done", "[a b  c]\n", "", 0),
    ("IFS=:; x=a:b::c; for w in $x; do echo \"[$w]\"; done", "[a]\n[b]\n[]\n[c]\n", "", 0),
    ("set -- 1 \"2 3\" 4; for a in \"$@\"; do echo \"<$a>\"; done; echo $#", "<1>\n<2 3>\n<4>\n3\n", "", 0),
    ("set -- 1 \"2 3\" 4; for a in $@; do echo \"<$a>\"; done", "<1>\n<2>\n<3>\n<4>\n", "", 0),
    ("set -- a b; echo \"$*\"; IFS=,; echo \"$*\"", "a b\na,b\n", "", 0),
    ("x=hello; echo ${#x} ${x#h} ${x%lo} ${x#*l} ${x##*l} ${x%%l*}", "5 ello hel lo o he\n", "", 0),
    ("p=/usr/local/bin/app; echo ${p##*/} ${p%/*}", "app /usr/local/bin\n", "", 0),
    ("unset u; echo ${u-def} ${u:-def2} ${u+alt}x; u=; echo ${u-def} ${u:-def2} ${u+alt}", "def def2 x\ndef2 alt\n", "", 0),
    ("echo ${v:=assigned}; echo $v", "assigned\nassigned\n", "", 0),
    ("echo $((1+2*3)) $((10/3)) $((10%3)) $((2**10)) $(( (1+2)*3 )) $((-5+2)) $((1<2)) $((0x10)) $((010))", "7 3 1 1024 9 -3 1 16 8\n", "", 0),
    ("i=0; while [ $i -lt 5 ]; do i=$((i+1)); done; echo $i", "5\n", "", 0),
    ("i=0; until [ $i -ge 3 ]; do echo $i; i=$((i+1)); done", "0\n1\n2\n", "", 0),
    ("for i in 1 2 3 4 5; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done", "1\n3\n", "", 0),
    ("for i in a b; do for j in 1 2; do [ $j = 2 ] && continue 2; echo $i$j; done; done", "a1\nb1\n", "", 0),
    ("if false; then echo a; elif true; then echo b; else echo c; fi", "b\n", "", 0),
    ("case foo.tar.gz in *.zip) echo zip;; *.tar.*) echo tar;; *) echo other;; esac", "tar\n", "", 0),
    ("case x in (a|x) echo ax;; esac", "ax\n", "", 0),
    ("f() { echo \"f:$1:$#\"; return 3; }; f a b; echo $?", "f:a:2\n3\n", "", 0),
    ("f() { local x=1; echo $x; }; f", "1\n", "", 0),
    ("true && echo yes || echo no", "yes\n", "", 0),
    ("false && echo yes || echo no", "no\n", "", 0),
    ("! false; echo $?", "0\n", "", 0),
    ("false | true; echo $?", "0\n", "", 0),
    ("set -o pipefail; false | true; echo $?", "1\n", "", 0),
    ("(exit 7); echo $?", "7\n", "", 0),
    ("(x=inner); echo \"x=$x\"", "x=\n", "", 0),
    ("{ echo a; echo b; } | cat", "a\nb\n", "", 0),
    ("echo \"$(echo a; echo b)\"", "a\nb\n", "", 0),
    ("echo `echo back`", "back\n", "", 0),
    ("x=$(false); echo $?", "1\n", "", 0),
    ("echo a > /f; echo b >> /f; cat /f; rm /f", "a\nb\n", "", 0),
    ("echo out; echo err >&2", "out\n", "err\n", 0),
    ("{ echo visible; echo hidden >&2; } 2>/dev/null", "visible\n", "", 0),
    ("ls /nope 2>&1 | cat", "ls: /nope: No such file or directory\n", "", 0),
    ("echo hi > /dev/null; echo $?", "0\n", "", 0),
    ("cat <<EOF\nline1\n  $HOME x\nEOF", "line1\n  /root x\n", "", 0),
    ("cat <<'EOF'\n$HOME `x`\nEOF", "$HOME `x`\n", "", 0),
    ("\tcat <<-EOF\n\ttabbed\n\tEOF", "tabbed\n", "", 0),
    ("x=1; cat <<EOF\n$((x+1)) \\$x \\\\\nEOF", "2 $x \\\n", "", 0),
    ("set -e; echo before; false; echo after", "before\n", "", 1),
    ("set -e; false || true; echo survived", "survived\n", "", 0),
    ("set -e; if false; then :; fi; echo ok", "ok\n", "", 0),
    ("set -x; echo \"a b\" c", "a b c\n", "+ echo 'a b' c\n", 0),
    ("exit 3", "", "", 3),
    ("exit", "", "", 0),
    ("(exit 4); exit", "", "", 4),
    ("foo; echo $?", "127\n", "/bin/sh: foo: not found\n", 0),
    ("/nope/cmd; echo $?", "127\n", "/bin/sh: /nope/cmd: not found\n", 0),
    ("cd /nope; echo $?", "2\n", "/bin/sh: cd: line 0: can't cd to /nope: No such file or directory\n", 0),
    ("cd /bin && pwd", "/bin\n", "", 0),
    ("cd /bin/../ && pwd", "/\n", "", 0),
    ("echo ${x?is unset}; echo after", "", "/bin/sh: x: is unset\n", 2),
    ("exit foo", "", "/bin/sh: exit: line 0: Illegal number: foo\n", 2),
    ("for x in; do echo never; done; echo done", "done\n", "", 0),
    ("test -d /bin && echo dir; test -f /bin && echo file; [ -e /bin/sh ] && echo exists; [ -h /bin/sh ] && echo link", "dir\nexists\nlink\n", "", 0),
    ("[ a = a -a b != c ] && echo both", "both\n", "", 0),
    ("[ -z \"\" ] && [ -n x ] && echo strings", "strings\n", "", 0),
    ("[ 3 -gt 2 ] && [ ! 1 -eq 2 ] && echo nums", "nums\n", "", 0),
    ("[ abc ]; echo $?; [ ]; echo $?; [ \"\" ]; echo $?", "0\n1\n1\n", "", 0),
    ("[ 1 -eq x ]; echo $?", "2\n", "sh: x: bad number\n", 0),
    ("seq 3; seq 2 2 6; seq -s, 3", "1\n2\n3\n2\n4\n6\n1,2,3\n", "", 0),
    ("basename /usr/bin/env; basename /a/b.txt .txt; basename /; dirname /usr/bin/env; dirname file; dirname /a", "env\nb\n/\n/usr/bin\n.\n/\n", "", 0),
    ("echo \"a b c\" | wc -w; printf 'a\\nb\\n' | wc -l; printf 'abc' | wc -c", "3\n2\n3\n", "", 0),
    ("printf 'a\\nb\\n' | wc", "        2         2         4\n", "", 0),
    ("printf '1\\n2\\n3\\n4\\n' | head -n 2; printf '1\\n2\\n3\\n4\\n' | tail -n 2; printf '1\\n2\\n3\\n' | tail -n +2", "1\n2\n3\n4\n2\n3\n", "", 0),
    ("printf 'abcdef' | head -c 3; echo", "abc\n", "", 0),
    ("printf 'foo\\nbar\\nbaz\\n' | grep ba; printf 'foo\\nbar\\n' | grep -v foo; printf 'Foo\\n' | grep -i foo; printf 'a\\nb\\na\\n' | grep -c a; printf 'x\\ny\\n' | grep -n y", "bar\nbaz\nbar\nFoo\n2\n2:y\n", "", 0),
    ("printf 'ab\\n' | grep -q z; echo $?", "1\n", "", 0),
    ("printf 'a1\\nb22\\n' | grep -E '[0-9]{2}'", "b22\n", "", 0),
    ("printf 'hello world\\n' | sed 's/o/0/'; printf 'hello world\\n' | sed 's/o/0/g'; printf 'a\\nb\\nc\\n' | sed -n 2p; printf 'a\\nb\\nc\\n' | sed 2d", "hell0 world\nhell0 w0rld\nb\na\nc\n", "", 0),
    ("printf 'key=val\\n' | sed 's/\\(.*\\)=\\(.*\\)/\\2=\\1/'", "val=key\n", "", 0),
    ("printf 'abc\\n' | sed 's/b/[&]/'", "a[b]c\n", "", 0),
    ("echo hello | tr a-z A-Z; echo hello | tr -d l; echo 'aaabbb' | tr -s ab", "HELLO\nheo\nab\n", "", 0),
    ("echo 'a:b:c' | cut -d: -f2; echo 'a:b:c' | cut -d: -f1,3; echo abcdef | cut -c2-4", "b\na:c\nbcd\n", "", 0),
    ("printf 'b\\na\\nc\\n' | sort; printf '10\\n9\\n100\\n' | sort -n; printf 'a\\nb\\n' | sort -r", "a\nb\nc\n9\n10\n100\nb\na\n", "", 0),
    ("printf 'a\\na\\nb\\n' | uniq; printf 'a\\na\\nb\\n' | uniq -c", "a\nb\n      2 a\n      1 b\n", "", 0),
    ("echo a b c | xargs echo x; printf '1\\n2\\n' | xargs -n 1 echo n", "x a b c\nn 1\nn 2\n", "", 0),
    ("echo ~", "/root\n", "", 0),
    ("x=5; x=$((x+1)); echo $x; : $((x+=2)); echo $x", "6\n8\n", "", 0),
    ("a=1 b=2; echo $a$b", "12\n", "", 0),
    ("eval 'echo evaluated $((1+1))'", "evaluated 2\n", "", 0),
    ("echo a; exec >/dev/null; echo b", "a\n", "", 0),
    ("echo \"unterminated", "", "/bin/sh: syntax error: unterminated quoted string\n", 2),
    ("echo a |", "", "/bin/sh: syntax error: unexpected end of file\n", 2),
    ("if true", "", "/bin/sh: syntax error: unexpected end of file (expecting \"then\")\n", 2),
    ("echo ${x", "", "/bin/sh: syntax error: missing '}'\n", 2),
    ("f() { ; }", "", "/bin/sh: syntax error: unexpected \";\"\n", 2),
];

#[test]
fn scripts_match_busybox() {
    let mut failures = Vec::new();
    for (script, stdout, stderr, code) in CASES {
        let mut fs = busybox_base();
        let r = run(&mut fs, script);
        let got = (r.stdout_text(), r.stderr_text(), r.exit_code);
        if got != (stdout.to_string(), stderr.to_string(), *code) {
            failures.push(format!(
                "script {script:?}\n  want {:?}\n  got  {:?}",
                (stdout, stderr, code),
                got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}
