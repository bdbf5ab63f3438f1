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
    // awk, which was missing: fields, patterns and ranges, arrays,
    // functions, printf, getline, output redirections, the builtins, and
    // the math library Debian's build lacks.
    (
        "printf 'a b c\\nd e f\\n' | awk '{print $2}'; printf 'a:b:c\\n' | awk -F: '{print $NF, NF}'",
        "b\ne\nc 3\n",
        "",
        0,
    ),
    (
        "printf '1\\n2\\n3\\n' | awk 'BEGIN{s=0}{s+=$1}END{print s, NR}'",
        "6 3\n",
        "",
        0,
    ),
    (
        "printf 'a 1\\nb 2\\n' | awk '{printf \"%s=%d\\n\", $1, $2*10}'",
        "a=10\nb=20\n",
        "",
        0,
    ),
    (
        "awk 'BEGIN { x = 3; y = x ^ 2; print y, length(\"abc\"), substr(\"hello\", 2, 3), toupper(\"ab\") }'",
        "",
        "awk: cmd. line:1: Math support is not compiled in\n",
        1,
    ),
    (
        "printf 'a\\nb\\na\\n' | awk '{c[$1]++} END {for (k in c) n++; print n}'",
        "2\n",
        "",
        0,
    ),
    (
        "printf 'a b\\n' | awk '{ $2 = \"X\"; print; print NF }'; echo 'a,b' | awk -F, -v OFS=- '{$1=$1; print}'",
        "a X\n2\na-b\n",
        "",
        0,
    ),
    (
        "awk 'BEGIN{printf \"%5.2f %s %c\\n\", 3.14159, \"x\", 65}'; awk 'BEGIN { if (1 > 0) print \"yes\"; else print \"no\" }'",
        " 3.14 x A\nyes\n",
        "",
        0,
    ),
    (
        "printf 'k=v\\n' | awk -F= '$1 == \"k\" { print $2 }'; printf 'a\\nb\\nc\\n' | awk 'NR==2'; printf 'a\\nb\\n' | awk 'END{print $0}'",
        "v\nb\nb\n",
        "",
        0,
    ),
    (
        "awk 'BEGIN { split(\"a:b:c\", p, \":\"); print p[3]; n = gsub(/o/, \"0\", s = \"foo\"); print n; x = \"foo\"; sub(/o/, \"0\", x); print x; print index(\"abc\", \"c\") }'",
        "c\n2\nf0o\n3\n",
        "",
        0,
    ),
    (
        "printf '5\\n' | awk '{ print ($1 > 3) ? \"big\" : \"small\" }'; awk 'BEGIN { while (i < 3) { i++; printf \"%d\", i }; print \"\" }'",
        "big\n123\n",
        "",
        0,
    ),
    (
        "ln -s target /dangling && ls -l /dangling | awk '{print $1, $9, $10, $11}' && readlink /dangling && cat /dangling; echo $?",
        "lrwxrwxrwx /dangling -> target\ntarget\n1\n",
        "cat: can't open '/dangling': No such file or directory\n",
        0,
    ),
    (
        "printf 'a b c\\n' | awk '{ for (i = NF; i > 0; i--) printf \"%s \", $i; print \"\" }'",
        "c b a \n",
        "",
        0,
    ),
    (
        "printf 'x y\\n' | awk '{print $1 $2; print $1, $2}' OFS=:; awk 'BEGIN{print 1/3; print 10 % 3; print 2^31; print 1e6; print 1000000 * 1000}'",
        "xy\nx:y\n0.333333\n1\n",
        "awk: cmd. line:1: Math support is not compiled in\n",
        1,
    ),
    (
        "printf '10\\n9\\n' | awk '$1 > 9'; printf 'a\\n' | awk '/a/ { print \"m\" }'; awk 'BEGIN { print length() }' </dev/null",
        "10\nm\n0\n",
        "",
        0,
    ),
    (
        "awk; echo $?; awk 'BEGIN { print' ; echo $?",
        "1\n1\n",
        "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: awk [OPTIONS] [AWK_PROGRAM] [FILE]...\n\n\t-v VAR=VAL\tSet variable\n\t-F SEP\t\tUse SEP as field separator\n\t-f FILE\t\tRead program from FILE\n\t-e AWK_PROGRAM\nawk: cmd. line:1: Unexpected token\n",
        0,
    ),
    (
        "printf 'a\\n' | awk '{ print > \"/out\" }'; cat /out; awk 'BEGIN { print \"e\" > \"/dev/stderr\" }'",
        "a\n",
        "e\n",
        0,
    ),
    (
        "awk 'BEGIN { \"echo hi\" | getline x; print x; system(\"echo sys\") }'",
        "hi\nsys\n",
        "",
        0,
    ),
    (
        "yes | sed 3q; yes | awk 'NR==2{print; exit}'",
        "y\ny\ny\ny\n",
        "",
        0,
    ),
    (
        "printf 'a=1\\n# c\\nb=2\\n' | grep -v '^#' | sed 's/=/ /' | awk '{print $2}' | sort -rn | head -1",
        "2\n",
        "",
        0,
    ),
    (
        "printf 'a b c\\n' | awk '{ n = split($0, p); print n, p[1] p[3] }'; echo 'k=v' | awk '{ sub(/=/, \" = \"); print }'",
        "3 ac\nk = v\n",
        "",
        0,
    ),
    (
        "printf 'x 1\\ny 2\\nx 3\\n' | awk '{ s[$1] += $2 } END { print s[\"x\"], s[\"y\"], length(s) }'",
        "4 2 2\n",
        "",
        0,
    ),
    (
        "printf 'root:x:0:0:root:/root:/bin/sh\\n' | awk -F: -v OFS=, '{ print $1, $3, $NF }'",
        "root,0,/bin/sh\n",
        "",
        0,
    ),
    (
        "awk 'BEGIN { printf \"%-5s|%5d|%05.1f|%x|%c\\n\", \"ab\", 42, 3.14159, 255, \"hello\" }'",
        "ab   |   42|003.1|ff|h\n",
        "",
        0,
    ),
    (
        "awk 'function fact(n) { return n <= 1 ? 1 : n * fact(n - 1) } BEGIN { print fact(10) }'",
        "3628800\n",
        "",
        0,
    ),
    (
        "printf 'a\\nb\\nc\\nd\\n' | awk '/b/,/c/'; printf '1\\n2\\n' | awk 'NR > 1 { exit 3 } { print } END { print \"end\" }'; echo $?",
        "b\nc\n1\nend\n3\n",
        "",
        0,
    ),
    (
        "printf 'one two\\n' | awk '{ $3 = \"three\"; print; print NF; NF = 1; print }'",
        "one two three\n3\none\n",
        "",
        0,
    ),
    (
        "awk 'BEGIN { x[\"a\"] = 1; delete x[\"a\"]; print (\"a\" in x), length(x); s = \"hello\"; print match(s, /l+/), RSTART, RLENGTH }'",
        "0 0\n3 3 2\n",
        "",
        0,
    ),
    (
        "awk 'BEGIN { print length(\"héllo\"), substr(\"hello\", 0, 2), substr(\"hello\", 4), index(\"abc\", \"z\") }'",
        "6 he lo 0\n",
        "",
        0,
    ),
    (
        "printf '3\\n1\\n2\\n' | awk '{ a[NR] = $1 } END { for (i = NR; i >= 1; i--) printf \"%s \", a[i]; print \"\" }'",
        "2 1 3 \n",
        "",
        0,
    ),
    (
        "awk 'BEGIN { print 1 == 1.0, \"a\" < \"b\", 2 < 10, \"2\" < \"10\", 1e3, 0.1 + 0.2, 100000 * 100000, -3 % 2 }'",
        "1 1 1 0 1000 0.3 10000000000 -1\n",
        "",
        0,
    ),
    (
        "printf '10 9\\n' | awk '{ print ($1 > $2), ($1 \"\" > $2 \"\") }'; echo | awk '{ print NF, length }'",
        "1 0\n0 0\n",
        "",
        0,
    ),
    (
        "awk 'BEGIN { printf \"%s %s\\n\", \"a\" }'; awk 'BEGIN { printf \"%d%%\\n\", 50 }'; awk 'BEGIN { print -0, 1/4, 17/7 }'",
        "a \n50%\n0 0.25 2.42857\n",
        "",
        0,
    ),
    (
        "printf 'a,b;c\\n' | awk -F'[,;]' '{ print $2, NF }'; printf 'a\\tb c\\n' | awk -F'\\t' '{ print $2 }'; printf 'a  b\\n' | awk -F' ' '{ print $2 }'",
        "b 3\nb c\nb\n",
        "",
        0,
    ),
    (
        "printf 'a\\nb\\n' | awk '{ print | \"sort -r\" }'; awk 'BEGIN { print \"x\" > \"/tmp.out\"; print \"y\" > \"/tmp.out\"; close(\"/tmp.out\"); while ((getline l < \"/tmp.out\") > 0) print \"got\", l }'",
        "b\na\ngot x\ngot y\n",
        "",
        0,
    ),
    (
        "printf 'x\\n' | awk '{ print toupper($0) tolower(\"ABC\") }' ; awk 'BEGIN { s = sprintf(\"%3s|%-3s|\", \"a\", \"b\"); print s; print int(-3.7), int(\"4x\") }'",
        "Xabc\n  a|b  |\n-3 4\n",
        "",
        0,
    ),
    (
        "awk 'BEGIN { n = gsub(/a/, \"[&]\", s); print n; t = \"banana\"; print gsub(/an/, \"\\\\&\", t), t; u = \"aaa\"; gsub(/x*/, \"-\", u); print u }'",
        "0\n2 b&&a\n-a-a-a-\n",
        "",
        0,
    ),
    (
        "awk '{ print' ; echo $?; awk 'BEGIN { x = 1 +* 2 }'; echo $?; awk 'BEGIN { print 1/0 }'; echo $?",
        "1\n1\n1\n",
        "awk: cmd. line:1: Unexpected token\nawk: cmd. line:1: Unexpected token\nawk: cmd. line:1: Division by zero\n",
        0,
    ),
    (
        "printf 'b\\na\\n' > /f && awk '{ print FILENAME, FNR, NR }' /f /f; awk 'END { print NR }' /f; awk '{ print v }' v=1 /f",
        "/f 1 1\n/f 2 2\n/f 1 3\n/f 2 4\n2\n1\n1\n",
        "",
        0,
    ),
    (
        "awk 'BEGIN { print ENVIRON[\"PATH\"]; print ARGC, ARGV[1] }' x; awk -f /nope; echo $?",
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n2 x\n1\n",
        "awk: can't open '/nope': No such file or directory\n",
        0,
    ),
    (
        "printf 'a b\\n' | awk '{ print $1 > \"/o1\"; print $2 >> \"/o1\" } END { close(\"/o1\"); system(\"cat /o1\") }'; stat -c %a /o1",
        "a\nb\n644\n",
        "",
        0,
    ),
    (
        "printf '1 2\\n3 4\\n' | awk '{ sum += $1 * $2 } END { print sum / NR; printf(\"%.2f\\n\", sum) }'",
        "7\n14.00\n",
        "",
        0,
    ),
    (
        "awk 'BEGIN { a = \"x\"; a = a a a; print a; b = 5; b += b++; print b; print 2 - -2, !0, !\"\", !\"a\" }'",
        "xxx\n10\n4 1 1 0\n",
        "",
        0,
    ),
    (
        "echo \"a b c\" | awk '{ for (i = 1; i <= NF; i++) if ($i == \"b\") continue; else printf \"%s\", $i; print \"\" }'",
        "ac\n",
        "",
        0,
    ),
    (
        "awk 'BEGIN { i = 0; do { i++ } while (i < 5); print i; for (;;) { if (++j > 3) break }; print j }'",
        "5\n4\n",
        "",
        0,
    ),
    (
        "printf 'x\\n' | awk '$0 ~ \"x\" { print \"m1\" } $0 !~ /y/ { print \"m2\" } /x/ && !/y/ { print \"m3\" }'",
        "m1\nm2\nm3\n",
        "",
        0,
    ),
    // ash names itself as started: a nested `sh -c` says `sh:`.
    (
        "sh -c 'echo ${u?gone}'; echo $?; sh -c 'xyz'",
        "2\n",
        "sh: u: gone\nsh: xyz: not found\n",
        127,
    ),
    // type and command -v: functions, builtins, then busybox's applets
    // before PATH (its standalone shell prefers them); 127 when missing.
    (
        "which sh; which nope; echo $?; command -v ls; command -v cd; command -v nope; echo $?; type ls; type cd; type nope; echo $?; f() { :; }; type f; command -V ls; command -v sh awk",
        "/bin/sh\n1\nls\ncd\n127\nls is ls\ncd is a shell builtin\nnope: not found\n127\nf is a function\nls is ls\nsh\n",
        "",
        0,
    ),
    // ${x:offset:length} and ${x/pat/rep}, ${x//pat/rep} (busybox 1.35
    // has no /# or /% anchors).
    (
        "x=abcdef; echo ${x:1} ${x:1:2} ${x: -2} ${x:2:-1} ${x:10}. ${x:1+1:1}; v=abcabc; echo ${v/b/B} ${v//b/B} ${v/#a/X} ${v/%c/Y} ${v/#b/X} ${v//[ac]/_} ${v/b} ${v/*c/Z}; p=/usr/local/bin; echo ${p//\\//-} \"${p/local/}\"; ver=1.2.3; echo ${ver//./_}",
        "bcdef bc ef cde . c\naBcabc aBcaBc abcabc abcabc abcabc _b__b_ acabc Z\n-usr-local-bin /usr//bin\n1_2_3\n",
        "",
        0,
    ),
    // head -n -N (the -N is -n's value, not a count of its own), head -c
    // of /dev/zero.
    (
        "seq 10 | head -n -7; seq 5 | head -3; seq 5 | tail -n -2; printf abcdef | head -c -2; echo; seq 3 | tail -c 4; head -c 3 /dev/zero | od -An -c",
        "1\n2\n3\n1\n2\n3\n4\n5\nabcd\n2\n3\n  \\0  \\0  \\0\n",
        "",
        0,
    ),
    // md5sum, sha1sum, sha256sum, sha512sum with -c, base64 and -d,
    // which were missing.
    (
        "echo hello > /f && md5sum /f && sha256sum /f && sha1sum /f && sha512sum /f && echo hello | md5sum",
        "b1946ac92492d2347c6235b4d2611184  /f\n5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  /f\nf572d396fae9206628714fb2ce00f72e94f2258f  /f\ne7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629  /f\nb1946ac92492d2347c6235b4d2611184  -\n",
        "",
        0,
    ),
    (
        "md5sum /nope; echo $?; echo x > /f && md5sum /f > /f.md5 && md5sum -c /f.md5 && echo y > /f && md5sum -c /f.md5; echo $?",
        "1\n/f: OK\n/f: FAILED\n1\n",
        "md5sum: can't open '/nope': No such file or directory\nmd5sum: WARNING: 1 of 1 computed checksums did NOT match\n",
        0,
    ),
    (
        "echo hello | base64; echo aGVsbG8K | base64 -d; printf 'x' | base64; printf 'xy' | base64",
        "aGVsbG8K\nhello\neA==\neHk=\n",
        "",
        0,
    ),
    (
        "base64 /nope; echo $?; echo '!!!' | base64 -d; echo $?; head -c 100 /dev/zero | base64",
        "1\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n",
        "base64: /nope: No such file or directory\n",
        0,
    ),
    (
        "echo hello > /f && echo \"$(sha256sum /f | cut -d' ' -f1)  /f\" | sha256sum -c -; echo \"0000  /f\" | sha256sum -c; echo $?",
        "/f: OK\n/f: FAILED\n1\n",
        "sha256sum: WARNING: 1 of 1 computed checksums did NOT match\n",
        0,
    ),
    (
        "seq 1000 > /f && md5sum /f && sha1sum < /f && printf '' | sha256sum",
        "53d025127ae99ab79e8502aae2d9bea6  /f\n234e7e9c9c8490946d3e8c2a01bff41e9acce269  -\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  -\n",
        "",
        0,
    ),
    // trap ACTION EXIT runs as the shell ends (not in a nested sh), with
    // the shell's status in $?.
    (
        "trap 'echo bye $?' EXIT; echo hi; false",
        "hi\nbye 1\n",
        "",
        1,
    ),
    (
        "trap 'echo t; exit 4' EXIT; exit 2",
        "t\n",
        "",
        4,
    ),
    (
        "trap 'echo no' 0; trap - 0; set -e; trap 'echo cleanup' EXIT; false; echo not",
        "cleanup\n",
        "",
        1,
    ),
    (
        "trap 'echo outer' EXIT; sh -c 'echo inner'",
        "inner\nouter\n",
        "",
        0,
    ),
    // mktemp, which was missing.
    (
        "mktemp 2>/dev/null; echo $?; mkdir /tmp; f=$(mktemp); echo $f | sed \"s/[A-Za-z0-9]\\{6\\}$/X/\"; stat -c %a $f; d=$(mktemp -d); stat -c %a $d; mktemp /tmp/fooXXX 2>&1 | wc -c; mktemp -p /tmp | cut -c1-9; mktemp /nope/aXXXXXX 2>&1; echo $?; mktemp -t x.XXXXXX | cut -c1-7",
        "1\n/tmp/tmp.X\n600\n700\n33\n/tmp/tmp.\nmktemp: (null): No such file or directory\n1\n/tmp/x.\n",
        "",
        0,
    ),
    // printf skips --, its errors say sh:; sort dies with 2 at a missing file.
    (
        "printf 'x %s y\\n'; printf -- '-%s\\n' a; printf '%d\\n' abc; echo $?",
        "x  y\n-a\n0\n1\n",
        "sh: invalid number 'abc'\n",
        0,
    ),
    (
        "sort /nope 2>&1; echo $?; printf 'b\\na\\n' | sort",
        "sort: /nope: No such file or directory\n2\na\nb\n",
        "",
        0,
    ),
    // Recorded with `docker run busybox /bin/sh -c` (the same binary) for
    // the applets and syntax that were missing or off: rev, tac, nl,
    // paste, cut's field walk, seq in doubles, dd and its record lines,
    // hexdump and xxd, gzip/gunzip/zcat and tar z (the base image has no
    // gzip link, so tar czf fails), $'…', [[ … ]], and ash's wording of
    // syntax errors.
    (
        "printf \"a\\nb\\nc\" | tac; echo \"|\"; printf \"a\\nb\\n\" > /f1; printf \"1\\n2\\n3\" > /f2; tac /f1 /f2; echo; tac /nope /f1; echo $?",
        "cb\na\n|\nb\na\n32\n1\n\nb\na\n1\n",
        "tac: /nope: No such file or directory\n",
        0,
    ),
    (
        "printf \"a\\n\\nb\\n\" | nl; printf \"a\\n\\nb\\n\" | nl -ba -w3 -s: -v10 -i5; printf \"a\\n\\nb\\n\" | nl -bn; printf \"a\\n\\nb\" | nl -s\"::\" -w2; nl /nope; echo $?",
        "     1\ta\n       \n     2\tb\n 10:a\n 15:\n 20:b\n       a\n       \n       b\n 1::a\n    \n 2::b\n1\n",
        "nl: /nope: No such file or directory\n",
        0,
    ),
    (
        "printf \"a\\n\" | nl -w0; printf \"a\\nb\\n\" > /f; nl /f /f; printf \"\" | nl; echo $?",
        "1\ta\n     1\ta\n     2\tb\n     3\ta\n     4\tb\n0\n",
        "",
        0,
    ),
    (
        "printf \"a\\nb\\nc\\n\" > /p1; printf \"1\\n2\\n\" > /p2; paste /p1 /p2; echo \"|\"; paste -d, /p1 /p2 /p1; paste -s /p1 /p2; paste -sd, /p1; paste -d\":;\" -s /p1",
        "a\t1\nb\t2\nc\t|\na,1,a\nb,2,b\nc,c\na\tb\tc\n1\t2\na,b,c\na:b;c\n",
        "",
        0,
    ),
    (
        "printf \"x\\ny\\nz\\nw\\n\" | paste - -; printf \"x\\ny\\nz\\n\" | paste -d\"\\\\n\" - -; paste -d \"\" /nope; echo $?; paste /nope; echo $?; printf \"a\\nb\" | paste -s",
        "x\ty\nz\tw\nx\ny\nz\n1\n1\na\tb\n",
        "paste: -d '' is not supported\npaste: /nope: No such file or directory\n",
        0,
    ),
    (
        "printf \"a\\nb\\nc\\n\" > /p1; printf \"1\\n2\\n\" > /p2; paste -d \"\\\\\\\\\" /p1 /p2; paste -d \"\\\\0\" /p1 /p2; seq 6 | paste -sd\"+\" | sed \"s/+/ + /g\"",
        "a\\1\nb\\2\nc\\a1\nb2\nc1 + 2 + 3 + 4 + 5 + 6\n",
        "",
        0,
    ),
    (
        "printf \"a:b:c\\nnodelim\\na:b\\n\" | cut -d: -f2,3; echo --; printf \"a:b:c\\nnodelim\\na:b\\n\" | cut -d: -s -f3; printf \"a:b:c\\nx\\n\" | cut -d: -f1-; printf \"a:b:c\\n\" | cut -d: -f4",
        "b:c\nnodelim\nb:\n--\nc\n\na:b:c\nx\n\n",
        "",
        0,
    ),
    (
        "for spec in 2,3 2-4 1,3 3 3,4 1-3 2- 1,4 4,5 1,2,3,4 1,1 2,1 1-2,2-3 1-2,5 -2 5,1; do printf \"a:b\\na:b:c:d\\n\" | cut -d: -f$spec; done",
        "b:\nb:c\nb\nb:c:d\na:\na:c\n\nc\n:\nc:d\na:b\na:b:c\nb\nb:c:d\na:\na:d\n:\nd:\na:b::\na:b:c:d\na\na\na:b\na:b\na:b:\na:b:c\na:b:\na:b:\na:b\na:b\na:\na:\n",
        "",
        0,
    ),
    (
        "printf \"abc\\n\" | cut -c2-; printf \"abcdef\\n\" | cut -b1,3-4; printf \"h\\303\\251llo\\n\" | cut -c1-2 | od -c; printf \"abc\\n\" | cut -c 1,5; printf \"a\\tb\\n\" | cut -f2; printf \"a  b c\\n\" | cut -d\" \" -f2",
        "bc\nacd\n0000000   h 303  \\n\n0000003\na\nb\n\n",
        "",
        0,
    ),
    (
        "cut -f0 </dev/null; echo $?; cut </dev/null; echo $?; cut -f3-1 </dev/null; echo $?; cut -fx </dev/null; echo $?; cut -c1 -s </dev/null; echo $?; cut -d: -c1 </dev/null; echo $?; cut -f, </dev/null; echo $?",
        "0\n1\n1\n1\n1\n1\n1\n",
        "cut: expected a list of bytes, characters, or fields\ncut: 1<2\ncut: invalid number 'x'\ncut: suppressing non-delimited lines makes sense only when operating on fields\ncut: a delimiter may be specified only when operating on fields\ncut: missing list of positions\n",
        0,
    ),
    (
        "printf \"a b  c\\n\" | cut -d\" \" -f1,3; printf \"a:b:c\\n\" | cut -d: -f1,3 -O\" | \" 2>&1; printf \"a b\\n\" | cut -F2 2>&1; printf \"\\n\\na\\n\" | cut -s -f1; printf \"x\\n\" | cut -f1 /nope -; echo $?; printf \"a:b\\n\" | cut -d:: -f2",
        "a \na | c\nb\n\n\nx\n1\nb\n",
        "cut: /nope: No such file or directory\n",
        0,
    ),
    (
        "seq -w 8 10; seq -s, 3; seq -s \", \" 1 3; seq 5 -2 1; seq 0.5 0.5 2; seq 1 0; echo \"rc $?\"; seq 3 1; seq -w 1 0.5 2; seq 1.0 3",
        "08\n09\n10\n1,2,3\n1, 2, 3\n5\n3\n1\n0.5\n1.0\n1.5\n2.0\nrc 0\n1.0\n1.5\n2.0\n1.0\n2.0\n3.0\n",
        "",
        0,
    ),
    (
        "seq -f \"%03g\" 3; echo rc $?; seq 1e2 1e2; seq x; echo rc $?; seq; echo rc $?; seq 1 0 2 | head -3; seq -s \"\" 3; seq 10 -3 1; seq -w 9 11 | tr \"\\n\" \" \"; seq -w -s: 1 10; seq 2 -1 -1",
        "rc 1\n100\nrc 1\nrc 1\n1\n1\n1\n123\n10\n7\n4\n1\n09 10 11 01:02:03:04:05:06:07:08:09:10\n2\n1\n0\n-1\n",
        "seq: invalid option -- 'f'\nBusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: seq [-w] [-s SEP] [FIRST [INC]] LAST\n\nPrint numbers from FIRST to LAST, in steps of INC.\nFIRST, INC default to 1.\n\n\t-w\tPad to last with leading zeros\n\t-s SEP\tString separator\nBusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: seq [-w] [-s SEP] [FIRST [INC]] LAST\n\nPrint numbers from FIRST to LAST, in steps of INC.\nFIRST, INC default to 1.\n\n\t-w\tPad to last with leading zeros\n\t-s SEP\tString separator\nBusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: seq [-w] [-s SEP] [FIRST [INC]] LAST\n\nPrint numbers from FIRST to LAST, in steps of INC.\nFIRST, INC default to 1.\n\n\t-w\tPad to last with leading zeros\n\t-s SEP\tString separator\n",
        0,
    ),
    (
        "seq 1.5 3; seq -w 0.05 0.05 0.1; seq 1 0.1 1.3; seq -- -1 1; seq 1 1 1; seq 0x10 0x11 2>&1; seq 1 2 3 4 2>&1 | head -2; seq -w 1 100 | tail -1; seq 1e1; seq 1 3.0",
        "1.5\n2.5\n0.05\n0.10\n1.0\n1.1\n1.2\n1.3\n-1\n0\n1\n1\n16\n17\nBusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\n100\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n1\n2\n3\n",
        "",
        0,
    ),
    (
        "echo hello | dd 2>&1; echo hello | dd status=none; echo rc $?; printf abcdef | dd bs=2 skip=1 count=2 2>/dev/null; echo; head -c 1000 /dev/zero | dd of=/o bs=100 count=3 status=noxfer; ls -l /o | awk \"{print \\$5}\"",
        "hello\n0+1 records in\n0+1 records out\nhello\nrc 0\ncdef\n300\n",
        "3+0 records in\n3+0 records out\n",
        0,
    ),
    (
        "printf \"0123456789\" > /i; dd if=/i of=/o bs=3 2>&1 | head -2; cat /o; echo; dd if=/i bs=4 count=1 skip=2 status=none; echo; dd if=/nope; echo rc $?; dd if=/i of=/o seek=2 bs=1 conv=notrunc status=none; cat /o; echo",
        "3+1 records in\n3+1 records out\n0123456789\n89\nrc 1\n010123456789\n",
        "dd: can't open '/nope': No such file or directory\n",
        0,
    ),
    (
        "dd if=/dev/zero of=/z bs=1k count=4 status=none; ls -l /z | awk \"{print \\$5}\"; dd if=/dev/zero of=/z2 bs=1M count=1 2>&1 | head -2; ls -l /z2 | awk \"{print \\$5}\"; dd bs=x 2>&1; echo rc $?; dd foo=1 2>&1; echo rc $?",
        "4096\n1+0 records in\n1+0 records out\n1048576\ndd: invalid number 'x'\nrc 1\nBusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: dd [if=FILE] [of=FILE] [ibs=N obs=N/bs=N] [count=N] [skip=N] [seek=N]\n\t[conv=notrunc|noerror|sync|fsync]\n\t[iflag=skip_bytes|count_bytes|fullblock|direct] [oflag=seek_bytes|append|direct]\n\nCopy a file with converting and formatting\n\n\tif=FILE\t\tRead from FILE instead of stdin\n\tof=FILE\t\tWrite to FILE instead of stdout\n\tbs=N\t\tRead and write N bytes at a time\n\tibs=N\t\tRead N bytes at a time\n\tobs=N\t\tWrite N bytes at a time\n\tcount=N\t\tCopy only N input blocks\n\tskip=N\t\tSkip N input blocks\n\tseek=N\t\tSkip N output blocks\n\tconv=notrunc\tDon't truncate output file\n\tconv=noerror\tContinue after read errors\n\tconv=sync\tPad blocks with zeros\n\tconv=fsync\tPhysically write data out before finishing\n\tconv=swab\tSwap every pair of bytes\n\tiflag=skip_bytes\tskip=N is in bytes\n\tiflag=count_bytes\tcount=N is in bytes\n\toflag=seek_bytes\tseek=N is in bytes\n\tiflag=direct\tO_DIRECT input\n\toflag=direct\tO_DIRECT output\n\tiflag=fullblock\tRead full blocks\n\toflag=append\tOpen output in append mode\n\tstatus=noxfer\tSuppress rate output\n\tstatus=none\tSuppress all output\n\nN may be suffixed by c (1), w (2), b (512), kB (1000), k (1024), MB, M, GB, G\nrc 1\n",
        "",
        0,
    ),
    (
        "printf abc | dd conv=ucase 2>&1 | head -1; printf \"0123456789\" | dd ibs=3 obs=5 2>&1 | head -3; echo; printf \"ab\" | dd bs=4 conv=sync status=none | od -c; dd if=/dev/zero bs=512 count=2 status=none | wc -c",
        "dd: invalid argument 'ucase' to 'conv'\n01234567893+1 records in\n2+0 records out\n\n0000000   a   b  \\0  \\0\n0000004\n1024\n",
        "",
        0,
    ),
    (
        "printf \"hello world, this is a test\\n\" > /h; hexdump -C /h; hexdump /h; printf \"\" | hexdump -C; echo rc $?; head -c 64 /dev/zero | hexdump -C; printf \"abc\" | hexdump -C; printf \"abc\" | hexdump -n 2 -C",
        "00000000  68 65 6c 6c 6f 20 77 6f  72 6c 64 2c 20 74 68 69  |hello world, thi|\n00000010  73 20 69 73 20 61 20 74  65 73 74 0a              |s is a test.|\n0000001c\n0000000 6568 6c6c 206f 6f77 6c72 2c64 7420 6968\n0000010 2073 7369 6120 7420 7365 0a74          \n000001c\nrc 0\n00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n00000040\n00000000  61 62 63                                          |abc|\n00000003\n00000000  61 62                                             |ab|\n00000002\n",
        "",
        0,
    ),
    (
        "printf \"abc\" | hexdump -c; printf \"abcdefghijklmnopqrstuvwxyz0123456789\" | hexdump -C; printf \"\\000\\001\\177\\200\\377\" | hexdump -C; hexdump /nope; echo $?; printf \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\" | hexdump -C; printf \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\" | hexdump -Cv",
        "0000000   a   b   c                                                    \n0000003\n00000000  61 62 63 64 65 66 67 68  69 6a 6b 6c 6d 6e 6f 70  |abcdefghijklmnop|\n00000010  71 72 73 74 75 76 77 78  79 7a 30 31 32 33 34 35  |qrstuvwxyz012345|\n00000020  36 37 38 39                                       |6789|\n00000024\n00000000  00 01 7f 80 ff                                    |.....|\n00000005\n1\n00000000  61 61 61 61 61 61 61 61  61 61 61 61 61 61 61 61  |aaaaaaaaaaaaaaaa|\n*\n00000030  61 62                                             |ab|\n00000032\n00000000  61 61 61 61 61 61 61 61  61 61 61 61 61 61 61 61  |aaaaaaaaaaaaaaaa|\n00000010  61 61 61 61 61 61 61 61  61 61 61 61 61 61 61 61  |aaaaaaaaaaaaaaaa|\n00000020  61 61 61 61 61 61 61 61  61 61 61 61 61 61 61 61  |aaaaaaaaaaaaaaaa|\n00000030  61 62                                             |ab|\n00000032\n",
        "hexdump: /nope: No such file or directory\n",
        0,
    ),
    (
        "printf \"hello world, this is a test\\n\" > /h; xxd /h; xxd -p /h; printf \"abc\" | xxd; printf \"abc\" | xxd -i; echo 616263 | xxd -r -p; echo; printf \"abc\" | xxd -g1 -c4; printf \"\" | xxd; echo rc $?; xxd /nope; echo $?",
        "00000000: 6865 6c6c 6f20 776f 726c 642c 2074 6869  hello world, thi\n00000010: 7320 6973 2061 2074 6573 740a            s is a test.\n68656c6c6f20776f726c642c2074686973206973206120746573740a\n00000000: 6162 63                                  abc\n  0x61, 0x62, 0x63,\nabc\n00000000: 61 62 63     abc\nrc 0\n1\n",
        "xxd: /nope: No such file or directory\n",
        0,
    ),
    (
        "printf \"hello world\\n\" | xxd | xxd -r; printf \"0000: 41 42\\n\" | xxd -r; echo; printf \"4142 43\\n44\" | xxd -r -p; echo; printf \"hello\" | od -An -tx1 | tr -d \" \\n\"; echo",
        "hello world\nAB\nABCD\n68656c6c6f\n",
        "",
        0,
    ),
    (
        "echo hello | gzip | od -An -tx1; echo hello > /g; gzip /g; ls /g*; od -An -tx1 /g.gz; gunzip /g.gz; ls /g*; cat /g; echo hello | gzip | gunzip; echo hello | gzip | zcat",
        " 1f 8b 08 00 00 00 00 00 00 03 cb 48 cd c9 c9 e7\n 02 00 20 30 3a 36 06 00 00 00\n/g.gz\n 1f 8b 08 00 00 00 00 00 00 03 cb 48 cd c9 c9 e7\n 02 00 20 30 3a 36 06 00 00 00\n/g\nhello\nhello\nhello\n",
        "",
        0,
    ),
    (
        "echo hi > /g; gzip -c /g | gzip -t; echo rc $?; echo junk | gunzip; echo rc $?; gzip /nope; echo rc $?; gzip -9 /g; echo rc $?; ls /g*; gzip /g.gz; echo rc $?; zcat /g.gz; gunzip -c /g.gz; ls /g*",
        "rc 0\nrc 1\nrc 1\nrc 0\n/g.gz\nrc 0\n/g.gz.gz\n",
        "gunzip: invalid magic\ngzip: /nope: No such file or directory\nzcat: /g.gz: No such file or directory\ngunzip: /g.gz: No such file or directory\n",
        0,
    ),
    (
        "seq 100 > /s; gzip /s; stat -c \"%a %s\" /s.gz >/dev/null; zcat /s.gz | tail -1; gunzip < /s.gz | wc -l; mkdir /d; echo x > /d/f; gzip /d; echo rc $?; gzip -r /d 2>&1; echo rc $?; echo y | gzip -f > /y.gz; zcat /y.gz; cat /y.gz /y.gz | zcat",
        "100\n100\nrc 1\ngzip: invalid option -- 'r'\nBusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: gzip [-cfkdt] [FILE]...\n\nCompress FILEs (or stdin)\n\n\t-d\tDecompress\n\t-c\tWrite to stdout\n\t-f\tForce\n\t-k\tKeep input files\n\t-t\tTest integrity\nrc 1\ny\ny\ny\n",
        "gzip: can't remove file '/d': Is a directory\n",
        0,
    ),
    (
        "echo hello > /g; chmod 600 /g; gzip /g; stat -c %a /g.gz; gunzip /g.gz; stat -c %a /g; echo a > /e; ln -s e /l; gzip /l; echo rc $?; printf \"\\037\\213\" | gunzip; echo rc $?; echo hello | gzip | head -c 15 | gunzip; echo rc $?",
        "600\n600\nrc 0\nrc 1\nrc 1\n",
        "gunzip: corrupted data\ngunzip: unexpected end of file\n",
        0,
    ),
    (
        "mkdir -p /src/a && echo one > /src/a/f && cd /src && tar czf /t.tgz a && tar tzf /t.tgz && mkdir /dst && tar xzf /t.tgz -C /dst && cat /dst/a/f && zcat /t.tgz | tar t; tar -tvzf /t.tgz | wc -l; gunzip -c /t.tgz | tar x -C /dst -O a/f 2>&1",
        "0\ntar: can't change directory to '/dst': No such file or directory\n",
        "tar: can't execute 'gzip': No such file or directory\ntar: invalid magic\ntar: short read\ngunzip: invalid magic\n",
        1,
    ),
    (
        "mkdir -p /src && echo one > /src/f && tar -czf /t.tar.gz -C /src f && tar -xzvf /t.tar.gz -C /tmp 2>&1; mkdir /tmp; tar -xzvf /t.tar.gz -C /tmp && cat /tmp/f; tar -cf - -C /src f | gzip > /x.tgz; tar -xzOf /x.tgz f; tar xf /x.tgz -O f; echo rc $?",
        "one\nrc 1\n",
        "tar: can't execute 'gzip': No such file or directory\ntar: invalid magic\ntar: short read\ntar: short read\n",
        0,
    ),
    (
        "echo $'a\\tb\\x41\\n' | od -c; echo $'it\\'s'; x=$'\\e[1m'; echo ${#x}; echo $'\\101\\u00e9'; printf '%s\\n' $'a b'",
        "0000000   a  \\t   b   A  \\n  \\n\n0000006\nit's\n5\nA\\u00e9\na b\n",
        "",
        0,
    ),
    (
        "[[ a == a ]] && echo yes; [[ abc == a* ]]; echo $?; [[ -n \"\" ]]; echo $?; [[ 1 -eq 1 && 2 -lt 3 ]]; echo $?; [[ a =~ a ]]; echo $?; [[ -f /bin/sh ]]; echo $?; [[ ! -d /nope ]]; echo $?",
        "yes\n0\n1\n0\n0\n0\n0\n",
        "",
        0,
    ),
    (
        "[[ a; echo rc=$?",
        "rc=2\n",
        "sh: missing ]]\n",
        0,
    ),
    (
        "[[ a == a; echo rc=$?",
        "rc=2\n",
        "sh: missing ]]\n",
        0,
    ),
    (
        "[[ a || b ]]; echo $?; [[ \"\" || b ]]; echo $?; [[ ( a ) ]]; echo $?; x=\"a b\"; [[ $x == \"a b\" ]]; echo $?; [[ -z $y ]]; echo $?; type [[; [[ ]]; echo $?",
        "",
        "/bin/sh: syntax error: unexpected word (expecting \")\")\n",
        2,
    ),
    (
        "x=1; if [[ $x -gt 0 ]]; then echo pos; fi; [[ $x = 1 ]] || echo no; [[ abc = abc ]] && [[ 1 -lt 2 ]] && echo both; [[ a < b ]]; echo $?",
        "pos\nboth\n1\n",
        "/bin/sh: can't open b: no such file\n",
        0,
    ),
    (
        "[[ abc != abd ]]; echo $?; [[ -e /bin ]] && echo e; [[ 3 -ge 3 ]]; echo $?; [[ a -eq 1 ]]; echo $?; [[ x ]]; echo $?",
        "0\ne\n0\n2\n0\n",
        "sh: a: bad number\n",
        0,
    ),
    (
        "if true; fi",
        "",
        "/bin/sh: syntax error: unexpected \"fi\" (expecting \"then\")\n",
        2,
    ),
    (
        "if true; then :; done",
        "",
        "/bin/sh: syntax error: unexpected \"done\" (expecting \"fi\")\n",
        2,
    ),
    (
        "while true; done",
        "",
        "/bin/sh: syntax error: unexpected \"done\" (expecting \"do\")\n",
        2,
    ),
    (
        "for x y",
        "",
        "/bin/sh: syntax error: unexpected word (expecting \"do\")\n",
        2,
    ),
    (
        "for x in a; echo",
        "",
        "/bin/sh: syntax error: unexpected word (expecting \"do\")\n",
        2,
    ),
    (
        "case a in a) echo;; foo",
        "",
        "/bin/sh: syntax error: unexpected end of file (expecting \")\")\n",
        2,
    ),
    (
        "f() { ; }",
        "",
        "/bin/sh: syntax error: unexpected \";\"\n",
        2,
    ),
    (
        "echo (",
        "",
        "/bin/sh: syntax error: unexpected end of file (expecting \")\")\n",
        2,
    ),
    (
        "a && ; b",
        "",
        "/bin/sh: syntax error: unexpected \";\"\n",
        2,
    ),
    (
        "(",
        "",
        "/bin/sh: syntax error: unexpected end of file (expecting \")\")\n",
        2,
    ),
    (
        ")",
        "",
        "/bin/sh: syntax error: unexpected \")\"\n",
        2,
    ),
    (
        "case a b",
        "",
        "/bin/sh: syntax error: unexpected word (expecting \"in\")\n",
        2,
    ),
    (
        "if true; then\nfi",
        "",
        "/bin/sh: syntax error: unexpected \"fi\"\n",
        2,
    ),
    (
        "{ echo; } foo",
        "",
        "/bin/sh: syntax error: unexpected word\n",
        2,
    ),
    (
        "f ( a )",
        "",
        "/bin/sh: syntax error: unexpected word (expecting \")\")\n",
        2,
    ),
    (
        "f ( ; )",
        "",
        "/bin/sh: syntax error: unexpected \";\" (expecting \")\")\n",
        2,
    ),
    (
        "seq 1000 > /s; gzip -k /s; ls /s /s.gz; gunzip -f /s.gz; echo rc $?; gzip -d < /dev/null; echo rc $?; seq 1000 | gzip | gunzip | md5sum; seq 1000 | md5sum; echo x > /a; gzip /a; gzip -d /a.gz; cat /a; echo x > /b.txt; gunzip /b.txt; echo rc $?",
        "/s\n/s.gz\nrc 0\nrc 1\n53d025127ae99ab79e8502aae2d9bea6  -\n53d025127ae99ab79e8502aae2d9bea6  -\nx\nrc 1\n",
        "gzip: invalid magic\ngunzip: /b.txt: unknown suffix - ignored\n",
        0,
    ),
    (
        "mkdir /d; gzip /d; echo rc $?; ls -l /d.gz | cut -c1-10; echo a > /z; gzip -c /z /z | zcat; echo x > /y; zcat /y; echo rc $?; printf \"junk\" > /j.gz; gunzip /j.gz; echo rc $?; ls /j.gz; echo x > /k; gzip -c /k > /k.gz; gzip /k; echo rc $?; gunzip /k.gz; echo rc $?",
        "rc 1\n-rwxr-xr-x\na\na\nrc 1\nrc 1\n/j.gz\nrc 1\nrc 1\n",
        "gzip: can't remove file '/d': Is a directory\nzcat: no gzip/bzip2/xz magic\ngunzip: invalid magic\ngzip: can't open '/k.gz': File exists\ngunzip: can't open '/k': File exists\n",
        0,
    ),
    (
        "mkdir -p /src/a && echo one > /src/a/f; tar czf /t.tgz -C /src a; echo rc $?; wc -c < /t.tgz; tar -cf - -C /src a | gzip > /x.tgz; tar tzf /x.tgz; mkdir /dst; tar xzf /x.tgz -C /dst; cat /dst/a/f; zcat /x.tgz | tar t; ln -s busybox /bin/gzip; tar czf /y.tgz -C /src a; echo rc $?; tar tzf /y.tgz",
        "rc 1\n0\na/\na/f\none\na/\na/f\nrc 0\na/\na/f\n",
        "tar: can't execute 'gzip': No such file or directory\n",
        0,
    ),
    (
        "echo hello | dd; dd if=/dev/zero of=/z bs=1M count=3; printf 0123456789 | dd bs=3 count=1 status=noxfer; echo; printf abc | dd bs=1 count=2 iflag=skip_bytes skip=1 ; echo; dd if=/dev/zero bs=1000 count=1 | wc -c; printf 0123456789 > /i; dd if=/i of=/o bs=3 skip=1 seek=1; od -c /o; dd if=/i count=1 bs=2K",
        "hello\n012\nbc\n1000\n0000000  \\0  \\0  \\0   3   4   5   6   7   8   9\n0000012\n0123456789",
        "0+1 records in\n0+1 records out\n3+0 records in\n3+0 records out\n1+0 records in\n1+0 records out\n2+0 records in\n2+0 records out\n1+0 records in\n1+0 records out\n2+1 records in\n2+1 records out\n0+1 records in\n0+1 records out\n",
        0,
    ),
    (
        "printf abcd | dd conv=swab status=none; echo; printf 0123456789 > /i; dd if=/i of=/i2 bs=4 count=2 conv=sync; od -c /i2; printf xy > /a; dd if=/i of=/a oflag=append status=none; cat /a; echo; dd if=/i of=/ 2>&1; echo rc $?",
        "badc\n0000000   0   1   2   3   4   5   6   7\n0000010\n0123456789\ndd: can't open '/': Is a directory\nrc 1\n",
        "2+0 records in\n2+0 records out\n",
        0,
    ),
    (
        "printf \"abc\" | hexdump; printf \"abc\\n\\001\\377\" | hexdump -c; printf \"abc\" | hexdump -b; printf \"abc\" | hexdump -d; printf \"abc\" | hexdump -o; printf \"abc\" | hexdump -x; head -c 48 /dev/zero | hexdump; head -c 40 /dev/zero | hexdump -C",
        "0000000 6261 0063                              \n0000003\n0000000   a   b   c  \\n 001 377                                        \n0000006\n0000000 141 142 143                                                    \n0000003\n0000000   25185   00099                                                \n0000003\n0000000  061141  000143                                                \n0000003\n0000000    6261    0063                                                \n0000003\n0000000 0000 0000 0000 0000 0000 0000 0000 0000\n*\n0000030\n00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n00000020  00 00 00 00 00 00 00 00                           |........|\n00000028\n",
        "",
        0,
    ),
    (
        "(head -c 32 /dev/zero; printf a; head -c 31 /dev/zero) | hexdump -C; printf \"abcdef\" > /f; hexdump -s 2 -n 3 -C /f; hexdump -C /f /f; printf \"\\t\\r\\0\" | hexdump -c; printf \"abc\" | hexdump -bc",
        "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n00000020  61 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |a...............|\n00000030  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n00000040\n00000002  63 64 65                                          |cde|\n00000005\n00000000  61 62 63 64 65 66 61 62  63 64 65 66              |abcdefabcdef|\n0000000c\n0000000  \\t  \\r  \\0                                                    \n0000003\n0000000 141 142 143                                                    \n0000000   a   b   c                                                    \n0000003\n",
        "",
        0,
    ),
    (
        "printf \"abcdefghijklm\" | xxd -i; printf \"abc\" > /f; xxd -i /f; xxd -o 16 /f; xxd -c 5 -g 3 /f; head -c 40 /dev/zero | xxd; printf \"abcdefghijklmnopqrstuvwxyz\" | xxd -p -c 4; printf \"abc\" | xxd -ps 2>&1 | head -2",
        "  0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c,\n  0x6d,\nunsigned char _f[] = {\n  0x61, 0x62, 0x63,\n};\nunsigned int _f_len = 3;\n00000010: 6162 63                                  abc\n00000000: 616263       abc\n00000000: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n00000010: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n00000020: 0000 0000 0000 0000                      ........\n61626364\n65666768\n696a6b6c\n6d6e6f70\n71727374\n75767778\n797a\nxxd: option requires an argument -- 's'\nBusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n",
        "",
        0,
    ),
    // Then truncate, unlink, cmp, fold, dos2unix/unix2dos, arch and usleep.
    (
        "printf \"abc\\ndef\\n\" > /f; truncate -s 2 /f; cat /f; echo; truncate -s 5 /f; od -c /f; truncate -s 0 /f; wc -c < /f; truncate -s 10 /new; wc -c < /new; truncate /f; echo rc $?",
        "ab\n0000000   a   b  \\0  \\0  \\0\n0000005\n0\n10\nrc 1\n",
        "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: truncate [-c] -s SIZE FILE...\n\nTruncate FILEs to SIZE\n\n\t-c\tDo not create files\n\t-s SIZE\n",
        0,
    ),
    (
        "printf \"abc\\n\" > /a; printf \"abd\\n\" > /b; cmp /a /b; echo rc $?; cmp /a /a; echo rc $?; cmp -s /a /b; echo rc $?; cmp /a /nope; echo rc $?; printf \"abc\" > /c; cmp /a /c; echo rc $?; cmp -l /a /b",
        "/a /b differ: char 3, line 1\nrc 1\nrc 0\nrc 1\nrc 2\nrc 1\n3 143 144\n",
        "cmp: /nope: No such file or directory\ncmp: EOF on /c\n",
        1,
    ),
    (
        "printf \"a\\rb\\r\\nc\\r\\r\\n\" | dos2unix | od -c; printf \"a\\r\\nb\\nc\" | unix2dos | od -c; printf \"x\\r\\n\" > /f; dos2unix /f; od -c /f; unix2dos /f; od -c /f; printf \"a\\tbcdefghij\\n\" | fold -w 5; printf \"aaaa bbbb cccc\\n\" | fold -sw 6; printf \"abcdefgh\" | fold -w3; echo; printf \"ab\\n\\ncd\\n\" | fold -w1; printf \"h\\303\\251llo\\n\" | fold -w 3 | od -c; printf \"abc  def\\n\" | fold -s -w 4; dos2unix /nope; echo $?",
        "0000000   a   b  \\n   c  \\n\n0000005\n0000000   a  \\r  \\n   b  \\r  \\n   c\n0000007\n0000000   x  \\n\n0000002\n0000000   x  \\r  \\n\n0000003\na\n\t\nbcdef\nghij\naaaa \nbbbb \ncccc\nabc\ndef\ngh\na\nb\n\nc\nd\n0000000   h 303 251  \\n   l   l   o  \\n\n0000010\nabc \n def\n1\n",
        "dos2unix: can't open '/nope': No such file or directory\n",
        0,
    ),
    (
        "unlink; echo $?; mkdir /d; unlink /d; echo $?; truncate -s 1k /k; wc -c < /k; truncate -c -s 1 /nope; echo $?; ls /nope; truncate -s 1 /d; echo $?",
        "1\n1\n1024\n0\n1\n",
        "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: unlink FILE\n\nDelete FILE by calling unlink()\nunlink: can't remove file '/d': Is a directory\nls: /nope: No such file or directory\ntruncate: /d: open: Is a directory\n",
        0,
    ),
    (
        "arch; nproc > /n; echo $?; usleep 10; echo $?; sync; echo $?; printf \"ab\" > /t; truncate -s 4 /t; od -c /t",
        "x86_64\n0\n0\n0\n0000000   a   b  \\0  \\0\n0000004\n",
        "",
        0,
    ),
    (
        "type [[; command -v [[; [[ ]]; echo $?; [[ $nope ]]; echo $?; [[ -n $nope ]]; echo $?; [[ a = a ]] && [[ b ]]; echo $?",
        "[[ is a shell builtin\n[[\n1\n1\n0\n0\n",
        "",
        0,
    ),
    (
        "[[ 2 -gt 1 ]] && echo a || echo b; if [[ -z \"\" ]]; then echo empty; fi; while [[ $i != xxx ]]; do i=x$i; done; echo $i",
        "a\nempty\n\n",
        "sh: xxx: unknown operand\n",
        0,
    ),
    (
        "printf '%s\\n' $'\\x41\\x4g' $'\\101\\1012' $'a\\\nb' ; echo $'\\'' ; echo \"$'x'\" ; v=$'l1\\nl2'; echo \"$v\" | wc -l",
        "A\u{4}g\nAA2\na\\\nb\n'\n$'x'\n2\n",
        "",
        0,
    ),
    (
        "cat <<'EOF'\n$'no'\nEOF\necho ${u:-$'d\\tv'} | od -c | head -1",
        "$'no'\n0000000   d  \\t   v  \\n\n",
        "",
        0,
    ),
    (
        "printf \"a,b\\n\" | cut -d, -f2 -s; printf \"abc\\n\" | cut -b 2-3,1; printf \"abc\\n\" | cut -c -2; printf \"a:b\\n\" | cut -d: -f 1- -O --; printf \"a b\\n\" | cut -d \" \" -f2-",
        "b\nabc\nab\na--b\nb\n",
        "",
        0,
    ),
    (
        "seq 3 | nl -s \") \" -w 2; seq 3 | paste - - - ; seq 5 | tac | rev | paste -sd,; printf \"a\\nb\\n\" | paste -s -d \"\\\\n\"",
        " 1) 1\n 2) 2\n 3) 3\n1\t2\t3\n5,4,3,2,1\na\nb\n",
        "",
        0,
    ),
    (
        "echo x | gzip -c | gzip -dc; echo x | gzip | gzip -t && echo ok; printf \"\" | gzip | zcat | wc -c; echo hi > /f; gzip -f /f; gzip -f /f.gz; ls /f*; zcat /f.gz.gz | zcat",
        "x\nok\n0\n/f.gz.gz\nhi\n",
        "",
        0,
    ),
    (
        "dd if=/dev/zero bs=4 count=2 2>/dev/null | od -An -c; printf abcdefgh | dd bs=3 skip=1 count=1 2>/dev/null; echo; dd if=/dev/zero count=1 bs=0 2>&1; echo $?",
        "  \\0  \\0  \\0  \\0  \\0  \\0  \\0  \\0\ndef\ndd: number 0 is not in 1..9223372036854775807 range\n1\n",
        "",
        0,
    ),
    (
        "printf \"abc\" | xxd -c 1; printf \"a\" | hexdump -C -v; printf \"ab\" | xxd -g 4; printf \"12\" | xxd -p -c 1",
        "00000000: 61  a\n00000001: 62  b\n00000002: 63  c\n00000000  61                                                |a|\n00000001\n00000000: 6162                                 ab\n31\n32\n",
        "",
        0,
    ),
    // diff: unified, its only format.
    (
        "seq 20 > /a; seq 20 | sed \"s/^5$/five/;s/^15$/x/;/^10$/d\" > /b; diff /a /b; echo rc $?; printf \"a\" > /c; printf \"b\" > /d; diff /c /d; printf \"\" > /e; diff /e /a | head -3; diff /a /e | tail -2; diff -q /a /b; echo rc $?; diff /a /nope; echo rc $?; seq 3 > /f; seq 4 > /g; diff /f /g; diff -U 1 /a /b | head -4",
        "--- /a\n+++ /b\n@@ -2,17 +2,16 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n 9\n-10\n 11\n 12\n 13\n 14\n-15\n+x\n 16\n 17\n 18\nrc 1\n--- /c\n+++ /d\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n--- /e\n+++ /a\n@@ -0,0 +1,20 @@\n-19\n-20\nFiles /a and /b differ\nrc 1\nrc 2\n--- /f\n+++ /g\n@@ -1,3 +1,4 @@\n 1\n 2\n 3\n+4\n--- /a\n+++ /b\n@@ -4,3 +4,3 @@\n 4\n",
        "diff: can't stat '/nope': No such file or directory\n",
        0,
    ),
    (
        "seq 30 > /a; seq 30 | sed \"3d;27s/.*/new/\" > /b; diff /a /b; diff -U0 /a /b; printf \"x\\na\\nb\\n\" > /c; printf \"a\\nb\\ny\\n\" > /d; diff /c /d; printf \"a\\n\" > /e; printf \"a\" > /f; diff /e /f",
        "--- /a\n+++ /b\n@@ -1,6 +1,5 @@\n 1\n 2\n-3\n 4\n 5\n 6\n@@ -24,7 +23,7 @@\n 24\n 25\n 26\n-27\n+new\n 28\n 29\n 30\n--- /a\n+++ /b\n@@ -3 +2,0 @@\n-3\n@@ -27 +26 @@\n-27\n+new\n--- /c\n+++ /d\n@@ -1,3 +1,3 @@\n-x\n a\n b\n+y\n--- /e\n+++ /f\n@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n",
        "",
        1,
    ),
    (
        "printf \"1\\n2\\n3\\n\" > /a; printf \"1\\n2\\n3\\n\" > /b; diff /a /b && echo same; printf \"a\\nb\\nc\\nd\\n\" > /c; printf \"d\\nc\\nb\\na\\n\" > /d; diff /c /d; echo rc $?",
        "same\n--- /c\n+++ /d\n@@ -1,4 +1,4 @@\n-a\n-b\n-c\n d\n+c\n+b\n+a\nrc 1\n",
        "",
        0,
    ),
    // timeout on the simulated clock: killed when the command outlasts it.
    (
        "timeout 5 echo hi; echo $?; timeout 1 sleep 3; echo $?; timeout -s KILL 1 sleep 3; echo $?; timeout 3 false; echo $?; timeout 2 nope; echo $?; timeout 2 sh -c \"exit 4\"; echo $?; timeout; echo $?",
        "hi\n0\n143\n137\n1\n127\n4\n1\n",
        "Terminated\nKilled\ntimeout: can't execute 'nope': No such file or directory\nBusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: timeout [-s SIG] [-k KILL_SECS] SECS PROG ARGS\n\nRun PROG. Send SIG to it if it is not gone in SECS seconds.\nDefault SIG: TERM.If it still exists in KILL_SECS seconds, send KILL.\n\n",
        0,
    ),
    // time: the simulated seconds on stderr, the status when not 0.
    (
        "time echo x 2>/dev/null; time sleep 1 2>&1; time false 2>&1; echo rc $?; time nope 2>&1; echo rc $?; time 2>&1; echo rc $?; time -p sleep 2 2>&1",
        "x\nreal\t0m 1.00s\nuser\t0m 0.00s\nsys\t0m 0.00s\nCommand exited with non-zero status 1\nreal\t0m 0.00s\nuser\t0m 0.00s\nsys\t0m 0.00s\nrc 1\ntime: can't execute 'nope': No such file or directory\nCommand exited with non-zero status 127\nreal\t0m 0.00s\nuser\t0m 0.00s\nsys\t0m 0.00s\nrc 127\nBusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: time [-vpa] [-o FILE] PROG ARGS\n\nRun PROG, display resource usage when it exits\n\n\t-v\tVerbose\n\t-p\tPOSIX output format\n\t-f FMT\tCustom format\n\t-o FILE\tWrite result to FILE\n\t-a\tAppend (else overwrite)\nrc 1\nreal 2.00\nuser 0.00\nsys 0.00\n",
        "",
        0,
    ),
    (
        "{ time sh -c \"sleep 2; echo done\"; } 2>&1; echo rc $?",
        "done\nreal\t0m 2.00s\nuser\t0m 0.00s\nsys\t0m 0.00s\nrc 0\n",
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
