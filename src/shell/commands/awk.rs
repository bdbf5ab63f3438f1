//! `awk [-F SEP] [-v VAR=VAL]... [-f FILE | PROGRAM] [FILE | VAR=VAL]...`
//! as Debian's busybox 1.35 runs it: patterns (`BEGIN`, `END`, an
//! expression, a regex, a range), fields, the usual statements, arrays,
//! functions, `printf`, `getline` and the string builtins. That build has
//! no math library: `^`, `**` and `sin`/`exp`/… fail with `Math support is
//! not compiled in`, as there. Runs are bounded by a step count and the
//! output limit.

mod lex;
mod parse;
mod run;

use super::{read_input, Io};
use crate::shell::interp::Shell;

const USAGE: &str = "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: awk [OPTIONS] [AWK_PROGRAM] [FILE]...\n\n\t-v VAR=VAL\tSet variable\n\t-F SEP\t\tUse SEP as field separator\n\t-f FILE\t\tRead program from FILE\n\t-e AWK_PROGRAM\n";

pub(super) fn awk(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut fs: Option<String> = None;
    let mut assigns: Vec<String> = Vec::new();
    let mut program: Option<String> = None;
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') || a == "-" {
            break;
        }
        let (flag, rest) = a.split_at(2.min(a.len()));
        let mut value = || -> Option<String> {
            if rest.is_empty() {
                i += 1;
                argv.get(i).cloned()
            } else {
                Some(rest.to_owned())
            }
        };
        match flag {
            "-F" => fs = value(),
            "-v" => assigns.extend(value()),
            "-f" => {
                let Some(f) = value() else {
                    io.eprint(USAGE);
                    return 1;
                };
                match read_input(sh, io, &f) {
                    Ok(d) => program = Some(String::from_utf8_lossy(&d).into_owned()),
                    Err(e) => {
                        io.error("awk", &format!("can't open '{f}': {}", e.strerror()));
                        return 1;
                    }
                }
            }
            "-e" => program = value(),
            _ => {
                io.error("awk", &format!("invalid option -- '{}'", &a[1..2]));
                io.eprint(USAGE);
                return 1;
            }
        }
        i += 1;
    }
    let program = match program {
        Some(p) => p,
        None => match argv.get(i) {
            Some(p) => {
                i += 1;
                p.clone()
            }
            None => {
                io.eprint(USAGE);
                return 1;
            }
        },
    };
    let prog = match parse::parse(&program) {
        Ok(p) => p,
        Err((line, msg)) => {
            io.error("awk", &format!("cmd. line:{line}: {msg}"));
            return 1;
        }
    };
    run::run(sh, io, &prog, fs, &assigns, &argv[i..])
}

#[cfg(test)]
mod tests {
    use super::parse::parse;

    #[test]
    fn programs_parse() {
        for p in [
            "{print $2}",
            "BEGIN{s=0}{s+=$1}END{print s, NR}",
            "{ printf \"%s=%d\\n\", $1, $2*10 }",
            "NR==2",
            "/a/,/b/ { print; next }",
            "function f(a, b) { return a + b } BEGIN { print f(1, 2) }",
            "BEGIN { while (i < 3) { i++; printf \"%d\", i }; print \"\" }",
            "{ for (i = NF; i > 0; i--) printf \"%s \", $i; print \"\" }",
            "{ c[$1]++ } END { for (k in c) n++; print n }",
            "BEGIN { \"echo hi\" | getline x; print x > \"/out\" }",
            "$1 == \"k\" { print $2 }",
            "{ print ($1 > 3) ? \"big\" : \"small\" }",
        ] {
            assert!(parse(p).is_ok(), "{p}");
        }
        assert!(parse("BEGIN { print").is_err());
    }
}
