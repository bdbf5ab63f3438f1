//! Small applets: echo, printf, test, true/false, pwd, sleep, date, env,
//! id, whoami, basename, dirname, seq, yes, which, sh, xargs, uname, hostname.

use std::sync::Arc;

use super::{Io, Opts, Registry};
use crate::calendar::strftime;
use crate::filesystem::users;
use crate::shell::interp::{base_name, Flow, Shell, SIGPIPE_STATUS};
use crate::shell::parser;
use crate::shell::signals::death_notice;

pub(super) fn register(r: &mut Registry) {
    r.register("echo", true, Arc::new(echo));
    r.register("printf", true, Arc::new(printf));
    r.register("test", true, Arc::new(test));
    r.register("[", true, Arc::new(test));
    r.register("[[", true, Arc::new(test));
    r.register(
        "true",
        true,
        Arc::new(|_: &mut Shell, _: &[String], _: &mut Io| 0),
    );
    r.register(
        "false",
        true,
        Arc::new(|_: &mut Shell, _: &[String], _: &mut Io| 1),
    );
    r.register("pwd", true, Arc::new(pwd));
    r.register("sleep", true, Arc::new(sleep));
    r.register("date", true, Arc::new(date));
    r.register("env", true, Arc::new(env));
    r.register("id", true, Arc::new(id));
    r.register("whoami", true, Arc::new(whoami));
    r.register("basename", true, Arc::new(basename));
    r.register("dirname", true, Arc::new(dirname));
    r.register("seq", true, Arc::new(seq));
    r.register("yes", true, Arc::new(yes));
    r.register("which", true, Arc::new(which));
    r.register("sh", true, Arc::new(sh));
    r.register("ash", true, Arc::new(sh));
    r.register("bash", false, Arc::new(sh));
    r.register("dash", false, Arc::new(sh));
    r.register("xargs", true, Arc::new(xargs));
    r.register("uname", true, Arc::new(uname));
    r.register("hostname", true, Arc::new(hostname));
    r.register("arch", true, Arc::new(arch));
    r.register("nproc", true, Arc::new(nproc));
    r.register("usleep", true, Arc::new(usleep));
}

/// `uname -m`.
fn arch(_: &mut Shell, _: &[String], io: &mut Io) -> i32 {
    io.print("x86_64\n");
    0
}

/// The CPUs a RUN step sees are the host's: the engine runs on this
/// machine, so layerlab's count is the real one's.
fn nproc(_: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut n = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    for a in &argv[1..] {
        if let Some(k) = a.strip_prefix("--ignore=") {
            match k.parse::<usize>() {
                Ok(k) => n = n.saturating_sub(k).max(1),
                Err(_) => {
                    io.error("nproc", &format!("invalid number '{k}'"));
                    return 1;
                }
            }
        } else if a != "--all" {
            io.error("nproc", &format!("unrecognized option '{a}'"));
            return 1;
        }
    }
    io.print(&format!("{n}\n"));
    0
}

/// Sleeps N microseconds (the clock moves in whole seconds).
fn usleep(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let Some(us) = argv.get(1).and_then(|a| a.parse::<u64>().ok()) else {
        io.eprint("BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: usleep N\n\nPause for N microseconds\n");
        return 1;
    };
    sh.advance_clock(us / 1_000_000);
    0
}

/// Backslash escapes as `echo -e` and `printf %b` read them; `\c` stops
/// all output (returned as `true`).
fn unescape(s: &str, out: &mut Vec<u8>, printf_octal: bool) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 >= b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        i += 1;
        let c = b[i];
        i += 1;
        match c {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'e' => out.push(27),
            b'\\' => out.push(b'\\'),
            b'c' => return true,
            b'0'..=b'7' => {
                // echo: \0nnn; printf: \nnn.
                let mut v: u32 = 0;
                let mut n = 0;
                let (start_digit, max) = if c == b'0' && !printf_octal {
                    (None, 3)
                } else {
                    (Some(c), 2)
                };
                if let Some(d) = start_digit {
                    v = u32::from(d - b'0');
                }
                while n < max && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                    v = v * 8 + u32::from(b[i] - b'0');
                    i += 1;
                    n += 1;
                }
                out.push((v & 0xff) as u8);
            }
            b'x' => {
                let mut v: u32 = 0;
                let mut n = 0;
                while n < 2 && i < b.len() && b[i].is_ascii_hexdigit() {
                    v = v * 16 + (b[i] as char).to_digit(16).unwrap_or(0);
                    i += 1;
                    n += 1;
                }
                if n == 0 {
                    out.extend_from_slice(b"\\x");
                } else {
                    out.push(v as u8);
                }
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    false
}

fn echo(_: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut newline = true;
    let mut escapes = false;
    let mut i = 1;
    // busybox echo takes option words made only of n, e, E.
    while let Some(a) = argv.get(i) {
        let Some(flags) = a.strip_prefix('-') else {
            break;
        };
        if flags.is_empty() || !flags.chars().all(|c| matches!(c, 'n' | 'e' | 'E')) {
            break;
        }
        for c in flags.chars() {
            match c {
                'n' => newline = false,
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        i += 1;
    }
    for (k, a) in argv[i..].iter().enumerate() {
        if k > 0 {
            io.out.push(b' ');
        }
        if escapes {
            if unescape(a, &mut io.out, false) {
                return 0;
            }
        } else {
            io.out.extend_from_slice(a.as_bytes());
        }
    }
    if newline {
        io.out.push(b'\n');
    }
    0
}

fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Some(c) = t.strip_prefix('\'').or_else(|| t.strip_prefix('"')) {
        return Some(c.chars().next().map_or(0, |c| c as i64));
    }
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let v = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(h, 16).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8).ok()?
    } else {
        digits.parse().ok()?
    };
    Some(if neg { -v } else { v })
}

fn printf(_: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    // `printf -- FORMAT`: the `--` ends the (absent) options.
    let skip = usize::from(argv.get(1).is_some_and(|a| a == "--"));
    let argv: Vec<String> = argv[..1].iter().chain(&argv[1 + skip..]).cloned().collect();
    // Run as ash's builtin, its errors carry the name busybox's shell
    // applet has whatever $0 is: `sh: invalid number 'x'`.
    let shell_name = "sh";
    let Some(format) = argv.get(1) else {
        io.error("printf", "usage: printf FORMAT [ARGUMENT...]");
        return 1;
    };
    let args = &argv[2..];
    let mut next = 0usize;
    let mut status = 0;
    loop {
        let consumed_before = next;
        let f: Vec<char> = format.chars().collect();
        let mut i = 0;
        while i < f.len() {
            let c = f[i];
            if c == '\\' {
                let mut j = i + 1;
                // Take the escape (and up to 3 octal digits) as one unit.
                if j < f.len() {
                    j += 1;
                    while j < f.len() && j < i + 5 && f[j].is_digit(8) && f[i + 1].is_digit(8) {
                        j += 1;
                    }
                }
                let esc: String = f[i..j].iter().collect();
                if unescape(&esc, &mut io.out, true) {
                    return status;
                }
                i = j;
                continue;
            }
            if c != '%' {
                let mut buf = [0u8; 4];
                io.out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i += 1;
                continue;
            }
            i += 1;
            if f.get(i) == Some(&'%') {
                io.out.push(b'%');
                i += 1;
                continue;
            }
            let mut spec = String::from("%");
            while i < f.len() && "-+ #0123456789.*".contains(f[i]) {
                if f[i] == '*' {
                    let a = args.get(next).cloned().unwrap_or_default();
                    next += 1;
                    spec.push_str(&parse_int(&a).unwrap_or(0).to_string());
                } else {
                    spec.push(f[i]);
                }
                i += 1;
            }
            let Some(&conv) = f.get(i) else {
                io.out.extend_from_slice(spec.as_bytes());
                break;
            };
            i += 1;
            let arg = args.get(next).cloned();
            next += 1;
            let (flags, width, precision) = split_spec(&spec[1..]);
            let text = match conv {
                's' => {
                    let mut s = arg.unwrap_or_default();
                    if let Some(p) = precision {
                        s = s.chars().take(p).collect();
                    }
                    s
                }
                'b' => {
                    let mut v = Vec::new();
                    let stop = unescape(&arg.unwrap_or_default(), &mut v, false);
                    let s = String::from_utf8_lossy(&v).into_owned();
                    if stop {
                        io.out
                            .extend_from_slice(pad(&s, width, &flags, false).as_bytes());
                        return status;
                    }
                    s
                }
                'c' => arg
                    .and_then(|a| a.chars().next())
                    .map(String::from)
                    .unwrap_or_default(),
                'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                    let a = arg.unwrap_or_else(|| "0".to_owned());
                    let n = match parse_int(&a) {
                        Some(n) => n,
                        None => {
                            io.error(shell_name, &format!("invalid number '{a}'"));
                            status = 1;
                            0
                        }
                    };
                    super::cfmt::integer(conv, &flags, width, precision, n)
                }
                'f' | 'e' | 'g' | 'E' | 'G' => {
                    let a = arg.unwrap_or_else(|| "0".to_owned());
                    let v: f64 = a.trim().parse().unwrap_or_else(|_| {
                        io.error(shell_name, &format!("invalid number '{a}'"));
                        status = 1;
                        0.0
                    });
                    // Padded here: the zero flag goes after the sign.
                    io.out.extend_from_slice(
                        super::cfmt::float(conv, &flags, width, precision, v).as_bytes(),
                    );
                    continue;
                }
                other => {
                    io.error("printf", &format!("%{other}: invalid format"));
                    return 1;
                }
            };
            let numeric = matches!(conv, 'd' | 'i' | 'u' | 'x' | 'X' | 'o');
            io.out.extend_from_slice(
                pad(&text, width, &flags, numeric && flags.contains('0')).as_bytes(),
            );
        }
        // The format is reused while arguments remain.
        if next >= args.len() || next == consumed_before {
            break;
        }
    }
    status
}

fn split_spec(spec: &str) -> (String, Option<usize>, Option<usize>) {
    let flags: String = spec.chars().take_while(|c| "-+ #0".contains(*c)).collect();
    let rest = &spec[flags.len()..];
    let (w, p) = match rest.split_once('.') {
        Some((w, p)) => (w, Some(p.parse().unwrap_or(0))),
        None => (rest, None),
    };
    (flags, w.parse().ok(), p)
}

fn pad(s: &str, width: Option<usize>, flags: &str, zero_done: bool) -> String {
    let w = width.unwrap_or(0);
    let len = s.chars().count();
    if len >= w || zero_done {
        return s.to_owned();
    }
    let fill = " ".repeat(w - len);
    if flags.contains('-') {
        format!("{s}{fill}")
    } else {
        format!("{fill}{s}")
    }
}

fn test(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    // ash runs test as a builtin, so its errors say `sh:`.
    let name = "sh";
    let mut args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
    let bracket = base_name(&argv[0]);
    // busybox's `[[` is this test ended by `]]`, with `&&`/`||` for
    // -a/-o and patterns (or `=~` regexes) on the right of `=`, `==`, `!=`.
    let double = bracket == "[[";
    if bracket == "[" || double {
        let close = if double { "]]" } else { "]" };
        if args.last() != Some(&close) {
            io.error(name, &format!("missing {close}"));
            return 2;
        }
        args.pop();
    }
    let mut t = TestEval {
        sh,
        args,
        pos: 0,
        double,
    };
    if t.args.is_empty() {
        return 1;
    }
    match t.or() {
        Ok(v) if t.pos == t.args.len() => i32::from(!v),
        Ok(_) => {
            let extra = t.args[t.pos];
            io.error(name, &format!("{extra}: unknown operand"));
            2
        }
        Err(msg) => {
            if !msg.is_empty() {
                io.error(name, &msg);
            }
            2
        }
    }
}

struct TestEval<'a, 's, 'c, 'fs> {
    sh: &'s Shell<'c, 'fs>,
    args: Vec<&'a str>,
    pos: usize,
    /// Read as `[[ … ]]`.
    double: bool,
}

impl<'a> TestEval<'a, '_, '_, '_> {
    fn peek(&self) -> Option<&'a str> {
        self.args.get(self.pos).copied()
    }

    fn or(&mut self) -> Result<bool, String> {
        let or = if self.double { "||" } else { "-o" };
        let mut v = self.and()?;
        while self.peek() == Some(or) {
            self.pos += 1;
            let r = self.and()?;
            v = v || r;
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<bool, String> {
        let and = if self.double { "&&" } else { "-a" };
        let mut v = self.not()?;
        while self.peek() == Some(and) {
            self.pos += 1;
            let r = self.not()?;
            v = v && r;
        }
        Ok(v)
    }

    fn not(&mut self) -> Result<bool, String> {
        if self.peek() == Some("!") && self.args.len() - self.pos > 1 {
            self.pos += 1;
            return Ok(!self.not()?);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<bool, String> {
        let remaining = self.args.len() - self.pos;
        let Some(a) = self.peek() else {
            return Err("argument expected".to_owned());
        };
        if a == "(" && remaining >= 3 {
            self.pos += 1;
            let v = self.or()?;
            if self.peek() != Some(")") {
                return Err("missing )".to_owned());
            }
            self.pos += 1;
            return Ok(v);
        }
        // Binary operators take precedence when three words remain.
        if remaining >= 3 {
            let op = self.args[self.pos + 1];
            let b = self.args[self.pos + 2];
            if let Some(v) = self.binary(a, op, b)? {
                self.pos += 3;
                return Ok(v);
            }
        }
        if remaining >= 2 && a.len() == 2 && a.starts_with('-') && a != "-a" && a != "-o" {
            let arg = self.args[self.pos + 1];
            if let Some(v) = self.unary(a, arg) {
                self.pos += 2;
                return Ok(v);
            }
        }
        self.pos += 1;
        Ok(!a.is_empty())
    }

    fn unary(&self, op: &str, arg: &str) -> Option<bool> {
        let path = self.sh.abs(arg);
        let fs = self.sh.fs();
        let stat = || fs.stat(&path).ok();
        Some(match op {
            "-z" => arg.is_empty(),
            "-n" => !arg.is_empty(),
            "-e" | "-a" => stat().is_some(),
            "-f" => stat().is_some_and(|n| n.is_file()),
            "-d" => stat().is_some_and(|n| n.is_dir()),
            "-h" | "-L" => fs.lstat(&path).is_ok_and(|n| n.is_symlink()),
            "-s" => stat().is_some_and(|n| n.is_dir() || n.size() > 0),
            "-x" => stat().is_some_and(|n| {
                let u = self.sh.user().uid;
                if u == 0 {
                    n.is_dir() || n.mode & 0o111 != 0
                } else {
                    perm(&n, u, self.sh.user().gid) & 1 != 0
                }
            }),
            "-r" => stat().is_some_and(|n| {
                self.sh.user().uid == 0 || perm(&n, self.sh.user().uid, self.sh.user().gid) & 4 != 0
            }),
            "-w" => stat().is_some_and(|n| {
                self.sh.user().uid == 0 || perm(&n, self.sh.user().uid, self.sh.user().gid) & 2 != 0
            }),
            "-c" => stat().is_some_and(|n| {
                matches!(
                    n.kind,
                    crate::filesystem::rootfs::NodeKind::CharDevice { .. }
                )
            }),
            "-b" | "-p" | "-S" => false,
            "-t" => false,
            _ => return None,
        })
    }

    fn binary(&self, a: &str, op: &str, b: &str) -> Result<Option<bool>, String> {
        let num = |s: &str| -> Result<i64, String> {
            s.trim()
                .parse::<i64>()
                .map_err(|_| format!("{s}: bad number"))
        };
        let matches = |a: &str, b: &str| {
            if self.double {
                crate::shell::pattern::Pattern::parse(b).matches(a)
            } else {
                a == b
            }
        };
        Ok(Some(match op {
            "=" | "==" => matches(a, b),
            "!=" => !matches(a, b),
            // A regex that does not compile fails the test without a word.
            "=~" if self.double => super::regex::Regex::new(b, true, false)
                .map_err(|_| String::new())?
                .is_match(a),
            "<" => a < b,
            ">" => a > b,
            "-eq" => num(a)? == num(b)?,
            "-ne" => num(a)? != num(b)?,
            "-lt" => num(a)? < num(b)?,
            "-le" => num(a)? <= num(b)?,
            "-gt" => num(a)? > num(b)?,
            "-ge" => num(a)? >= num(b)?,
            "-nt" | "-ot" => {
                let m = |p: &str| self.sh.fs().stat(&self.sh.abs(p)).ok().map(|n| n.mtime);
                match (m(a), m(b)) {
                    (Some(x), Some(y)) => {
                        if op == "-nt" {
                            x > y
                        } else {
                            x < y
                        }
                    }
                    (Some(_), None) => op == "-nt",
                    (None, Some(_)) => op == "-ot",
                    _ => false,
                }
            }
            "-ef" => {
                let c = |p: &str| self.sh.fs().canonicalize(&self.sh.abs(p)).ok();
                c(a).is_some() && c(a) == c(b)
            }
            _ => return Ok(None),
        }))
    }
}

/// The rwx bits that apply to uid/gid.
fn perm(n: &crate::filesystem::rootfs::Node, uid: u32, gid: u32) -> u32 {
    if n.uid == uid {
        (n.mode >> 6) & 7
    } else if n.gid == gid {
        (n.mode >> 3) & 7
    } else {
        n.mode & 7
    }
}

fn pwd(sh: &mut Shell, _: &[String], io: &mut Io) -> i32 {
    io.print(&format!("{}\n", sh.cwd()));
    0
}

fn sleep(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut total = 0f64;
    if argv.len() < 2 {
        io.eprint("BusyBox v1.35.0 multi-call binary.\n\nUsage: sleep [N]...\n");
        return 1;
    }
    for a in &argv[1..] {
        let (num, mult) = match a.chars().last() {
            Some('s') => (&a[..a.len() - 1], 1.0),
            Some('m') => (&a[..a.len() - 1], 60.0),
            Some('h') => (&a[..a.len() - 1], 3600.0),
            Some('d') => (&a[..a.len() - 1], 86400.0),
            _ => (a.as_str(), 1.0),
        };
        match num.parse::<f64>() {
            Ok(v) if v >= 0.0 && v.is_finite() => total += v * mult,
            _ => {
                io.error("sleep", &format!("invalid number '{a}'"));
                return 1;
            }
        }
    }
    // The simulated clock counts whole seconds.
    sh.advance_clock(total.ceil() as u64);
    0
}

fn date(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut fmt = "%a %b %e %H:%M:%S %Z %Y".to_owned();
    let mut ts = sh.now();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if let Some(f) = a.strip_prefix('+') {
            fmt = f.to_owned();
        } else if a == "-u" {
            // The simulated clock is UTC already.
        } else if a == "-R" {
            fmt = "%a, %d %b %Y %H:%M:%S %z".to_owned();
        } else if a == "-I" {
            fmt = "%Y-%m-%d".to_owned();
        } else if a == "-d" {
            i += 1;
            let v = argv.get(i).map(String::as_str).unwrap_or("");
            match v.strip_prefix('@').and_then(|n| n.parse::<i64>().ok()) {
                Some(n) => ts = n,
                None => {
                    io.error("date", &format!("invalid date '{v}'"));
                    return 1;
                }
            }
        } else {
            io.error("date", &format!("invalid date '{a}'"));
            return 1;
        }
        i += 1;
    }
    io.print(&strftime(&fmt, ts));
    io.print("\n");
    0
}

fn env(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut i = 1;
    let mut assigns = Vec::new();
    let mut clear = false;
    while let Some(a) = argv.get(i) {
        if a == "-i" || a == "-" {
            clear = true;
        } else if let Some((k, v)) = a.split_once('=').filter(|(k, _)| parser::is_name(k)) {
            assigns.push((k.to_owned(), v.to_owned()));
        } else {
            break;
        }
        i += 1;
    }
    if i >= argv.len() {
        let mut vars: Vec<(String, String)> = if clear { Vec::new() } else { sh.environment() };
        for (k, v) in assigns {
            match vars.iter_mut().find(|(n, _)| *n == k) {
                Some(e) => e.1 = v,
                None => vars.push((k, v)),
            }
        }
        for (k, v) in vars {
            io.print(&format!("{k}={v}\n"));
        }
        return 0;
    }
    let stdin = io.stdin().to_vec();
    // -i: the program starts with only the assignments in its environment
    let saved = clear.then(|| std::mem::take(&mut sh.scope.vars));
    let ran = sh.run_captured(&argv[i..], &assigns, &stdin);
    if let Some(vars) = saved {
        sh.scope.vars = vars;
    }
    match ran {
        Ok((s, out, err)) => {
            io.out.extend_from_slice(&out);
            io.err.extend_from_slice(&err);
            s
        }
        Err(_) => 2,
    }
}

fn id(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let (uid, gid, name) = match o.operands.first() {
        Some(n) => match users::passwd(sh.fs()).into_iter().find(|e| e.name == *n) {
            Some(e) => (e.uid, e.gid, Some(e.name)),
            None => {
                io.error("id", &format!("unknown user {n}"));
                return 1;
            }
        },
        None => (sh.user().uid, sh.user().gid, None),
    };
    let fs = sh.fs();
    let uname = users::user_name(fs, uid);
    let gname = users::group_name(fs, gid);
    let name = name.or_else(|| uname.clone());
    // The process's own: what the runtime gave it (the primary group
    // first for -G); another user's: the group file's.
    let own = o.operands.is_empty();
    let supplementary = if own {
        sh.supplementary_groups()
    } else {
        Vec::new()
    };
    let mut groups = vec![gid];
    if own {
        groups.extend(supplementary.iter().copied().filter(|g| *g != gid));
    } else if let Some(n) = &name {
        for g in users::groups(fs) {
            if g.members.contains(n) && !groups.contains(&g.gid) {
                groups.push(g.gid);
            }
        }
    }
    let show = |id: u32, n: &Option<String>| match n {
        Some(n) => format!("{id}({n})"),
        None => id.to_string(),
    };
    let text = if o.has('u') {
        if o.has('n') {
            uname.unwrap_or_else(|| uid.to_string())
        } else {
            uid.to_string()
        }
    } else if o.has('g') {
        if o.has('n') {
            gname.unwrap_or_else(|| gid.to_string())
        } else {
            gid.to_string()
        }
    } else if o.has('G') {
        groups
            .iter()
            .map(|g| {
                if o.has('n') {
                    users::group_name(fs, *g).unwrap_or_else(|| g.to_string())
                } else {
                    g.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        let mut s = format!("uid={} gid={}", show(uid, &uname), show(gid, &gname));
        // busybox prints groups= when the process has supplementary
        // groups (BuildKit gives root none; the daemon's containers get
        // the primary group); for another user, the group file's.
        let listed = if own { supplementary } else { groups.clone() };
        if !listed.is_empty() {
            let gs: Vec<String> = listed
                .iter()
                .map(|g| show(*g, &users::group_name(fs, *g)))
                .collect();
            s.push_str(&format!(" groups={}", gs.join(",")));
        }
        s
    };
    io.print(&text);
    io.print("\n");
    0
}

fn whoami(sh: &mut Shell, _: &[String], io: &mut Io) -> i32 {
    let uid = sh.user().uid;
    match users::user_name(sh.fs(), uid) {
        Some(n) => {
            io.print(&format!("{n}\n"));
            0
        }
        None => {
            io.error("whoami", &format!("unknown uid {uid}"));
            1
        }
    }
}

fn basename(_: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let Some(p) = argv.get(1) else {
        io.eprint("BusyBox v1.35.0 multi-call binary.\n\nUsage: basename FILE [SUFFIX]\n");
        return 1;
    };
    let trimmed = p.trim_end_matches('/');
    let mut b = if trimmed.is_empty() && p.starts_with('/') {
        "/".to_owned()
    } else {
        trimmed.rsplit('/').next().unwrap_or("").to_owned()
    };
    if let Some(suffix) = argv.get(2) {
        if b.len() > suffix.len() && b.ends_with(suffix.as_str()) {
            b.truncate(b.len() - suffix.len());
        }
    }
    io.print(&format!("{b}\n"));
    0
}

fn dirname(_: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let Some(p) = argv.get(1) else {
        io.eprint("BusyBox v1.35.0 multi-call binary.\n\nUsage: dirname FILENAME\n");
        return 1;
    };
    let t = p.trim_end_matches('/');
    let d = match t.rfind('/') {
        None if p.starts_with('/') => "/",
        None => ".",
        Some(i) => {
            let d = t[..i].trim_end_matches('/');
            if d.is_empty() {
                "/"
            } else {
                d
            }
        }
    };
    io.print(&format!("{d}\n"));
    0
}

/// A number as C's strtod reads a whole word: decimal, exponent or hex.
fn c_double(s: &str) -> Option<f64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = match body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        Some(hex) => i64::from_str_radix(hex, 16).ok()? as f64,
        None if body.starts_with(|c: char| c.is_ascii_digit() || c == '.') => body.parse().ok()?,
        None => return None,
    };
    Some(if neg { -v } else { v })
}

const SEQ_USAGE: &str = "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.

Usage: seq [-w] [-s SEP] [FIRST [INC]] LAST

Print numbers from FIRST to LAST, in steps of INC.
FIRST, INC default to 1.

\t-w\tPad to last with leading zeros
\t-s SEP\tString separator
";

/// busybox's seq counts in doubles: FIRST + i×INC while not past LAST,
/// printed with as many decimals as FIRST or INC was written with, and
/// with `-w` zero-padded to the longest operand as typed.
fn seq(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut sep = "\n".to_owned();
    let mut width = false;
    let mut i = 1;
    // Options end at the first operand, so `seq 2 -1 0` counts down.
    while let Some(a) = argv.get(i).filter(|a| a.starts_with('-') && a.len() > 1) {
        if a == "--" {
            i += 1;
            break;
        }
        let mut chars = a[1..].chars();
        while let Some(c) = chars.next() {
            match c {
                'w' => width = true,
                's' => {
                    let rest: String = chars.by_ref().collect();
                    if rest.is_empty() {
                        i += 1;
                        sep = argv.get(i).cloned().unwrap_or_default();
                    } else {
                        sep = rest;
                    }
                }
                other => {
                    io.error("seq", &format!("invalid option -- '{other}'"));
                    io.eprint(SEQ_USAGE);
                    return 1;
                }
            }
        }
        i += 1;
    }
    let operands = &argv[i.min(argv.len())..];
    let mut nums = Vec::new();
    let (mut digits, mut frac) = (0, 0);
    for (k, a) in operands.iter().enumerate() {
        match c_double(a) {
            Some(v) => nums.push(v),
            None => {
                io.eprint(SEQ_USAGE);
                return 1;
            }
        }
        digits = digits.max(a.len());
        // LAST's decimals do not count (`seq 1 3.0` prints integers).
        if let Some((_, f)) = a.split_once('.').filter(|_| k + 1 < operands.len()) {
            frac = frac.max(f.len());
        }
    }
    let (first, step, last) = match nums.as_slice() {
        [l] => (1.0, 1.0, *l),
        [f, l] => (*f, 1.0, *l),
        [f, s, l] => (*f, *s, *l),
        _ => {
            io.eprint(SEQ_USAGE);
            return 1;
        }
    };
    let w = if width { digits } else { 0 };
    let max = sh.limits().max_bytes;
    let mut k = 0u64;
    loop {
        let n = first + k as f64 * step;
        if (step > 0.0 && n > last) || (step < 0.0 && n < last) {
            break;
        }
        if k > 0 {
            io.out.extend_from_slice(sep.as_bytes());
        }
        io.out
            .extend_from_slice(format!("{n:0w$.frac$}").as_bytes());
        if io.out.len() > max {
            if sh.stdout_is_pipe() {
                // The reader has what a pipe holds (see `yes`).
                return SIGPIPE_STATUS;
            }
            io.error("seq", "output too large");
            return 1;
        }
        k += 1;
    }
    if k > 0 {
        io.out.push(b'\n');
    }
    0
}

/// What `yes` writes into a pipe before it ends as SIGPIPE ends it.
/// The stages of a pipeline run one after the other, so an endless writer
/// must stop somewhere: a reader that stops early (`head -n 3`, `sed 5q`,
/// a prompt reading a few answers) sees what it would, and one that would
/// read forever gets an end of input instead of hanging the run.
const YES_PIPE_BYTES: usize = 1 << 20;

/// `yes [STRING]...`: the words joined by spaces, one line after another
/// until the reader goes away. Anywhere but into a pipe it would never
/// end, so it writes past the output limit, which stops the run.
fn yes(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut line = if argv.len() > 1 {
        argv[1..].join(" ")
    } else {
        "y".to_owned()
    }
    .into_bytes();
    line.push(b'\n');
    let pipe = sh.stdout_is_pipe();
    let want = if pipe {
        YES_PIPE_BYTES
    } else {
        sh.limits().max_bytes + 1
    };
    let mut chunk = Vec::with_capacity(64 << 10);
    while chunk.len() < 64 << 10 {
        chunk.extend_from_slice(&line);
    }
    while io.out.len() < want {
        io.out.extend_from_slice(&chunk);
    }
    io.out.truncate(want);
    if pipe {
        return SIGPIPE_STATUS;
    }
    0
}

fn which(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut status = 0;
    for a in argv[1..].iter().filter(|a| !a.starts_with('-')) {
        let found = if a.contains('/') {
            let p = sh.abs(a);
            sh.fs()
                .stat(&p)
                .is_ok_and(|n| n.is_file() && n.mode & 0o111 != 0)
                .then(|| a.clone())
        } else {
            sh.find_in_path(a)
        };
        match found {
            Some(p) => io.print(&format!("{p}\n")),
            None => status = 1,
        }
    }
    status
}

fn sh(shell: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut i = 1;
    let mut script: Option<String> = None;
    let mut flags = Vec::new();
    let mut from_c = false;
    while let Some(a) = argv.get(i) {
        if a == "-c" {
            from_c = true;
        } else if a.starts_with('-') && a.len() > 1 {
            for c in a[1..].chars() {
                if c == 'c' {
                    from_c = true;
                } else {
                    flags.push(c);
                }
            }
        } else {
            break;
        }
        i += 1;
    }
    let (arg0, rest): (String, Vec<String>) = if from_c {
        let Some(s) = argv.get(i) else {
            io.error("sh", "-c requires an argument");
            return 2;
        };
        script = Some(s.clone());
        let zero = argv.get(i + 1).cloned().unwrap_or_else(|| argv[0].clone());
        (
            zero,
            argv.get(i + 2..)
                .map(<[String]>::to_vec)
                .unwrap_or_default(),
        )
    } else if let Some(file) = argv.get(i) {
        match super::read_input(shell, io, file) {
            Ok(b) => script = Some(String::from_utf8_lossy(&b).into_owned()),
            Err(_) => {
                io.eprint(&format!(
                    "{}: can't open '{file}': No such file or directory\n",
                    argv[0]
                ));
                return 2;
            }
        }
        (file.clone(), argv[i + 1..].to_vec())
    } else {
        (argv[0].clone(), Vec::new())
    };
    let text = match script {
        Some(s) => s,
        None => String::from_utf8_lossy(io.stdin()).into_owned(),
    };
    let program = match parser::parse(&text) {
        Ok(p) => p,
        Err(e) => {
            io.eprint(&format!("{}: {}\n", argv[0], e.message));
            return 2;
        }
    };
    let result = shell.run_script_captured(&program, None, |s| {
        s.new_process();
        s.enter_shell();
        s.set_arg0(arg0);
        s.set_positional(rest);
        let o = s.options_mut();
        for f in flags {
            match f {
                'e' => o.errexit = true,
                'x' => o.xtrace = true,
                'u' => o.nounset = true,
                'f' => o.noglob = true,
                _ => {}
            }
        }
    });
    // The shell that waited for this one says which signal ended it, on
    // the stderr this command was given.
    if let Some(notice) = shell.signalled.take().and_then(death_notice) {
        io.eprint(&format!("{notice}\n"));
    }
    match result {
        Ok((status, out)) => {
            io.out.extend_from_slice(&out);
            status
        }
        Err(Flow::Abort(c)) => c,
        Err(_) => 2,
    }
}

/// Splits xargs input into words: blanks and newlines separate, quotes group.
fn xargs_words(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut chars = input.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            '\'' | '"' => {
                has = true;
                for d in chars.by_ref() {
                    if d == c {
                        break;
                    }
                    cur.push(d);
                }
            }
            '\\' => {
                has = true;
                if let Some(d) = chars.next() {
                    cur.push(d);
                }
            }
            _ => {
                has = true;
                cur.push(c);
            }
        }
    }
    if has {
        out.push(cur);
    }
    out
}

fn xargs(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut i = 1;
    let mut per: Option<usize> = None;
    let mut replace: Option<String> = None;
    let mut no_empty = false;
    let mut nul = false;
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "-n" => {
                i += 1;
                per = argv.get(i).and_then(|v| v.parse().ok());
            }
            "-I" => {
                i += 1;
                replace = argv.get(i).cloned();
            }
            "-r" => no_empty = true,
            "-0" => nul = true,
            "-t" | "-x" => {}
            s if s.starts_with("-n") => per = s[2..].parse().ok(),
            s if s.starts_with("-I") => replace = Some(s[2..].to_owned()),
            _ => break,
        }
        i += 1;
    }
    let mut cmd: Vec<String> = argv[i..].to_vec();
    if cmd.is_empty() {
        cmd.push("echo".to_owned());
    }
    let input = String::from_utf8_lossy(io.stdin()).into_owned();
    let words: Vec<String> = if nul {
        input
            .split('\0')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    } else if replace.is_some() {
        input
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.trim_start().to_owned())
            .collect()
    } else {
        xargs_words(&input)
    };
    if words.is_empty() && (no_empty || replace.is_some()) {
        return 0;
    }
    let batches: Vec<Vec<String>> = if let Some(r) = &replace {
        words
            .iter()
            .map(|w| cmd.iter().map(|c| c.replace(r.as_str(), w)).collect())
            .collect()
    } else {
        let n = per.unwrap_or(usize::MAX).max(1);
        if words.is_empty() {
            vec![cmd.clone()]
        } else {
            words
                .chunks(n.min(words.len()))
                .map(|c| cmd.iter().cloned().chain(c.iter().cloned()).collect())
                .collect()
        }
    };
    let mut status = 0;
    for b in batches {
        match sh.run_captured(&b, &[], &[]) {
            Ok((s, out, err)) => {
                io.out.extend_from_slice(&out);
                io.err.extend_from_slice(&err);
                if s == 127 {
                    return 127;
                }
                if s != 0 {
                    status = 123;
                }
            }
            Err(_) => return 2,
        }
    }
    status
}

fn uname(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let host = sh.hostname().to_owned();
    let parts: Vec<&str> = if o.has('a') {
        vec!["Linux", &host, "5.15.0", "#1 SMP", "x86_64", "GNU/Linux"]
    } else {
        let mut v = Vec::new();
        if o.has('s') || o.flags.is_empty() {
            v.push("Linux");
        }
        if o.has('n') {
            v.push(&host);
        }
        if o.has('r') {
            v.push("5.15.0");
        }
        if o.has('m') || o.has('p') {
            v.push("x86_64");
        }
        if o.has('o') {
            v.push("GNU/Linux");
        }
        v
    };
    io.print(&format!("{}\n", parts.join(" ")));
    0
}

fn hostname(sh: &mut Shell, _: &[String], io: &mut Io) -> i32 {
    io.print(&format!("{}\n", sh.hostname()));
    0
}
