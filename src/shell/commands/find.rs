//! `find [PATH]... [EXPRESSION]` as Debian's busybox 1.35 builds it: the
//! tests `-name -iname -path -ipath -type -newer -empty -executable -perm`,
//! the actions `-print -print0 -exec CMD ;` and `-exec CMD {} +`, `-prune`,
//! `-quit`, `-size`, the operators `!` (`-not`), `-a`, `-o` and `( )`, and
//! the options `-maxdepth -mindepth -depth -xdev`. That build has no
//! `-delete` (the time tests are left out here): an unknown word is
//! busybox's `find: unrecognized: WORD` and exit code 1.

use crate::filesystem::rootfs::Node;
use crate::shell::interp::{base_name, Shell};
use crate::shell::pattern::Pattern;

use super::Io;

enum Expr {
    True,
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Name(Pattern, bool),
    Path(Pattern, bool),
    Type(char),
    Newer(i64),
    Empty,
    Executable,
    Perm(char, u32),
    /// `-size [+-]N[ckb]`: the comparison and N in units of `unit` bytes.
    Size(char, u64, u64),
    Print(char),
    /// `-exec` with `;` (per file) or `+` (batched: the index into the
    /// batches).
    Exec(Vec<String>, Option<usize>),
    Prune,
    Quit,
}

struct Parser<'a> {
    args: &'a [String],
    i: usize,
    maxdepth: usize,
    mindepth: usize,
    depth_first: bool,
    has_action: bool,
    batches: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.args.get(self.i).map(String::as_str)
    }

    fn or(&mut self, sh: &Shell) -> Result<Expr, String> {
        let mut lhs = self.and(sh)?;
        while self.peek() == Some("-o") {
            self.i += 1;
            let rhs = self.and(sh)?;
            lhs = Expr::Or(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn and(&mut self, sh: &Shell) -> Result<Expr, String> {
        let mut lhs = self.unary(sh)?;
        loop {
            match self.peek() {
                None | Some("-o" | ")") => return Ok(lhs),
                Some("-a") => self.i += 1,
                Some(_) => {}
            }
            let rhs = self.unary(sh)?;
            lhs = Expr::And(Box::new(lhs), Box::new(rhs));
        }
    }

    fn unary(&mut self, sh: &Shell) -> Result<Expr, String> {
        match self.peek() {
            Some("!" | "-not") => {
                self.i += 1;
                Ok(Expr::Not(Box::new(self.unary(sh)?)))
            }
            Some("(") => {
                self.i += 1;
                let e = self.or(sh)?;
                if self.peek() != Some(")") {
                    return Err("unrecognized: (".to_owned());
                }
                self.i += 1;
                Ok(e)
            }
            _ => self.primary(sh),
        }
    }

    fn value(&mut self, word: &str) -> Result<String, String> {
        let v = self
            .args
            .get(self.i)
            .cloned()
            .ok_or_else(|| format!("{word} requires an argument"))?;
        self.i += 1;
        Ok(v)
    }

    fn primary(&mut self, sh: &Shell) -> Result<Expr, String> {
        let word = self.peek().unwrap_or_default().to_owned();
        self.i += 1;
        Ok(match word.as_str() {
            "-name" | "-iname" => {
                let v = self.value(&word)?;
                let icase = word == "-iname";
                Expr::Name(Pattern::parse(&fold(&v, icase)), icase)
            }
            "-path" | "-ipath" | "-wholename" => {
                let v = self.value(&word)?;
                let icase = word == "-ipath";
                Expr::Path(Pattern::parse(&fold(&v, icase)), icase)
            }
            "-type" => {
                let v = self.value(&word)?;
                match v.as_str() {
                    "f" | "d" | "l" | "b" | "c" | "p" | "s" => {
                        Expr::Type(v.chars().next().unwrap_or('f'))
                    }
                    _ => return Err(format!("invalid argument '{v}' to '-type'")),
                }
            }
            "-newer" => {
                let v = self.value(&word)?;
                match sh.fs().stat(&sh.abs(&v)) {
                    Ok(n) => Expr::Newer(n.mtime),
                    Err(e) => return Err(format!("{v}: {}", e.strerror())),
                }
            }
            "-perm" => {
                let v = self.value(&word)?;
                let (kind, digits) = match v.as_bytes().first() {
                    Some(b'-') => ('-', &v[1..]),
                    Some(b'+' | b'/') => ('+', &v[1..]),
                    _ => ('=', v.as_str()),
                };
                let mode =
                    u32::from_str_radix(digits, 8).map_err(|_| format!("invalid mode '{v}'"))?;
                Expr::Perm(kind, mode)
            }
            "-size" => {
                let v = self.value(&word)?;
                let (cmp, rest) = match v.as_bytes().first() {
                    Some(b'+') => ('+', &v[1..]),
                    Some(b'-') => ('-', &v[1..]),
                    _ => ('=', v.as_str()),
                };
                let (digits, unit) = match rest.as_bytes().last() {
                    Some(b'c') => (&rest[..rest.len() - 1], 1),
                    Some(b'k') => (&rest[..rest.len() - 1], 1024),
                    Some(b'b') => (&rest[..rest.len() - 1], 512),
                    _ => (rest, 512),
                };
                let n = digits
                    .parse()
                    .map_err(|_| format!("invalid number '{v}'"))?;
                Expr::Size(cmp, n, unit)
            }
            "-empty" => Expr::Empty,
            "-executable" => Expr::Executable,
            "-maxdepth" | "-mindepth" => {
                let v = self.value(&word)?;
                let n = v.parse().map_err(|_| format!("invalid number '{v}'"))?;
                if word == "-maxdepth" {
                    self.maxdepth = n;
                } else {
                    self.mindepth = n;
                }
                Expr::True
            }
            "-depth" => {
                self.depth_first = true;
                Expr::True
            }
            "-xdev" | "-follow" => Expr::True,
            "-print" | "-print0" => {
                self.has_action = true;
                Expr::Print(if word == "-print" { '\n' } else { '\0' })
            }
            "-prune" => Expr::Prune,
            "-quit" => Expr::Quit,
            "-exec" => {
                self.has_action = true;
                let mut cmd = Vec::new();
                loop {
                    let Some(a) = self.peek().map(str::to_owned) else {
                        return Err("-exec CMD must end by ';' or '+'".to_owned());
                    };
                    self.i += 1;
                    if a == ";" {
                        break Expr::Exec(cmd, None);
                    }
                    if a == "+" && cmd.last().is_some_and(|l: &String| l == "{}") {
                        cmd.pop();
                        self.batches += 1;
                        break Expr::Exec(cmd, Some(self.batches - 1));
                    }
                    cmd.push(a);
                }
            }
            other => return Err(format!("unrecognized: {other}")),
        })
    }
}

fn fold(s: &str, icase: bool) -> String {
    if icase {
        s.to_lowercase()
    } else {
        s.to_owned()
    }
}

/// What one evaluation needs besides the expression.
struct Run<'a> {
    io: &'a mut Io,
    batches: Vec<Vec<String>>,
    status: i32,
    prune: bool,
    quit: bool,
}

fn eval(sh: &mut Shell, e: &Expr, path: &str, node: &Node, run: &mut Run) -> bool {
    match e {
        Expr::True => true,
        Expr::Not(a) => !eval(sh, a, path, node, run),
        Expr::And(a, b) => {
            eval(sh, a, path, node, run) && !run.quit && eval(sh, b, path, node, run)
        }
        Expr::Or(a, b) => eval(sh, a, path, node, run) || eval(sh, b, path, node, run),
        Expr::Name(p, icase) => p.matches(&fold(base_name(path), *icase)),
        Expr::Path(p, icase) => p.matches(&fold(path, *icase)),
        Expr::Type(t) => match t {
            'f' => node.is_file(),
            'd' => node.is_dir(),
            'l' => node.is_symlink(),
            _ => false,
        },
        Expr::Newer(t) => node.mtime > *t,
        Expr::Empty => {
            if node.is_dir() {
                sh.fs().read_dir(&sh.abs(path)).is_ok_and(|d| d.is_empty())
            } else {
                node.is_file() && node.size() == 0
            }
        }
        Expr::Executable => node.mode & 0o111 != 0,
        Expr::Perm(kind, mode) => {
            let m = node.mode & 0o7777;
            match kind {
                '-' => m & mode == *mode,
                '+' => *mode == 0 || m & mode != 0,
                _ => m == *mode,
            }
        }
        Expr::Size(cmp, n, unit) => {
            // Sizes count whole units, rounded up.
            // A directory is 4096 bytes, as `ls -l` and `stat` show it.
            let bytes = if node.is_dir() { 4096 } else { node.size() };
            let units = bytes.div_ceil(*unit);
            match cmp {
                '+' => units > *n,
                '-' => units < *n,
                _ => units == *n,
            }
        }
        Expr::Print(end) => {
            run.io.print(&format!("{path}{end}"));
            true
        }
        Expr::Prune => {
            run.prune = true;
            true
        }
        Expr::Quit => {
            run.quit = true;
            true
        }
        Expr::Exec(_, Some(b)) => {
            run.batches[*b].push(path.to_owned());
            true
        }
        Expr::Exec(cmd, None) => {
            let argv: Vec<String> = cmd.iter().map(|a| a.replace("{}", path)).collect();
            exec(sh, &argv, run) == 0
        }
    }
}

fn exec(sh: &mut Shell, argv: &[String], run: &mut Run) -> i32 {
    match sh.run_captured(argv, &[], &[]) {
        Ok((s, out, err)) => {
            run.io.out.extend_from_slice(&out);
            run.io.err.extend_from_slice(&err);
            s
        }
        Err(_) => {
            run.quit = true;
            2
        }
    }
}

/// The walk (parents first) reordered so each directory follows what is
/// in it, siblings keeping their order.
fn post_order(entries: Vec<(String, Node, usize)>) -> Vec<(String, Node, usize)> {
    let mut out = Vec::with_capacity(entries.len());
    let mut open: Vec<(String, Node, usize)> = Vec::new();
    for e in entries {
        while open.last().is_some_and(|(_, _, d)| *d >= e.2) {
            out.extend(open.pop());
        }
        open.push(e);
    }
    out.extend(open.into_iter().rev());
    out
}

/// The batched `-exec … {} +` commands of `e`, in order.
fn batch_cmds<'e>(e: &'e Expr, out: &mut Vec<&'e [String]>) {
    match e {
        Expr::Not(a) => batch_cmds(a, out),
        Expr::And(a, b) | Expr::Or(a, b) => {
            batch_cmds(a, out);
            batch_cmds(b, out);
        }
        Expr::Exec(cmd, Some(_)) => out.push(cmd),
        _ => {}
    }
}

pub(super) fn find(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut roots = Vec::new();
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if a.starts_with('-') || a == "!" || a == "(" {
            break;
        }
        roots.push(a.clone());
        i += 1;
    }
    if roots.is_empty() {
        roots.push(".".to_owned());
    }
    let mut p = Parser {
        args: &argv[i..],
        i: 0,
        maxdepth: usize::MAX,
        mindepth: 0,
        depth_first: false,
        has_action: false,
        batches: 0,
    };
    let parsed = if p.args.is_empty() {
        Ok(Expr::True)
    } else {
        p.or(sh).and_then(|e| match p.peek() {
            Some(w) => Err(format!("unrecognized: {w}")),
            None => Ok(e),
        })
    };
    let expr = match parsed {
        Ok(e) if p.has_action => e,
        Ok(e) => Expr::And(Box::new(e), Box::new(Expr::Print('\n'))),
        Err(msg) => {
            io.error("find", &msg);
            return 1;
        }
    };
    let mut run = Run {
        io,
        batches: vec![Vec::new(); p.batches],
        status: 0,
        prune: false,
        quit: false,
    };
    'roots: for root in roots {
        let abs = sh.abs(&root);
        let Ok(top) = sh.fs().lstat(&abs) else {
            run.io
                .error("find", &format!("{root}: No such file or directory"));
            run.status = 1;
            continue;
        };
        let top_is_dir = top.is_dir();
        let mut entries = vec![(root.clone(), top, 0usize)];
        if top_is_dir {
            if let Ok(w) = sh.fs().walk(&abs) {
                for (rel, node) in w {
                    let depth = rel.split('/').count();
                    if depth <= p.maxdepth {
                        entries.push((
                            format!("{}/{rel}", root.trim_end_matches('/')),
                            node,
                            depth,
                        ));
                    }
                }
            }
        }
        if p.depth_first {
            entries = post_order(entries);
        }
        let mut pruned: Vec<String> = Vec::new();
        for (shown, node, depth) in entries {
            if pruned.iter().any(|d| shown.starts_with(&format!("{d}/"))) {
                continue;
            }
            if depth < p.mindepth {
                continue;
            }
            run.prune = false;
            eval(sh, &expr, &shown, &node, &mut run);
            if run.prune && node.is_dir() {
                pruned.push(shown);
            }
            if run.quit {
                break 'roots;
            }
        }
    }
    let mut cmds = Vec::new();
    batch_cmds(&expr, &mut cmds);
    let batches = std::mem::take(&mut run.batches);
    for (cmd, paths) in cmds.into_iter().zip(batches) {
        if paths.is_empty() {
            continue;
        }
        let argv: Vec<String> = cmd.iter().cloned().chain(paths).collect();
        if exec(sh, &argv, &mut run) != 0 {
            run.status = 1;
        }
    }
    run.status
}
