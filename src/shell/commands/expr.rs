//! expr and du: two busybox applets Dockerfiles use (`expr $N + 1` in a
//! loop, `du -sh /app` to show what a step added), checked against
//! busybox 1.35 on dockerd 20.10 (recorded: our 83).

use std::sync::Arc;

use super::regex::Regex;
use super::{Io, Opts, Registry};
use crate::filesystem::rootfs::{Node, NodeKind};
use crate::shell::interp::Shell;

pub fn register(r: &mut Registry) {
    r.register("expr", true, Arc::new(expr));
    r.register("du", true, Arc::new(du));
}

/// A value of expr: numbers stay text until an operator needs one.
type Value = String;

struct Expr<'a> {
    args: &'a [String],
    pos: usize,
}

/// `expr ARG...`: prints the value; exit 1 when it is null or 0, 2 on a
/// syntax error, as busybox does.
fn expr(_: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut p = Expr {
        args: &argv[1..],
        pos: 0,
    };
    let value = p.or();
    match value {
        Ok(v) if p.pos == p.args.len() => {
            io.print(&format!("{v}\n"));
            i32::from(v.is_empty() || v == "0")
        }
        Ok(_) => {
            io.error("expr", "syntax error");
            2
        }
        Err(e) => {
            io.error("expr", &e);
            2
        }
    }
}

fn null(v: &str) -> bool {
    v.is_empty() || v == "0"
}

fn int(v: &str) -> Result<i64, String> {
    v.trim()
        .parse::<i64>()
        .map_err(|_| "non-numeric argument".to_owned())
}

impl Expr<'_> {
    fn peek(&self) -> Option<&str> {
        self.args.get(self.pos).map(String::as_str)
    }

    fn take(&mut self, ops: &[&str]) -> Option<String> {
        let op = self.peek().filter(|o| ops.contains(o))?.to_owned();
        self.pos += 1;
        Some(op)
    }

    fn or(&mut self) -> Result<Value, String> {
        let mut l = self.and()?;
        while self.take(&["|"]).is_some() {
            let r = self.and()?;
            if null(&l) {
                l = if null(&r) { "0".into() } else { r };
            }
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Value, String> {
        let mut l = self.compare()?;
        while self.take(&["&"]).is_some() {
            let r = self.compare()?;
            if null(&l) || null(&r) {
                l = "0".into();
            }
        }
        Ok(l)
    }

    fn compare(&mut self) -> Result<Value, String> {
        let mut l = self.sum()?;
        while let Some(op) = self.take(&["=", "==", "!=", "<", "<=", ">", ">="]) {
            let r = self.sum()?;
            let ord = match (l.parse::<i64>(), r.parse::<i64>()) {
                (Ok(a), Ok(b)) => a.cmp(&b),
                _ => l.cmp(&r),
            };
            let yes = match op.as_str() {
                "=" | "==" => ord.is_eq(),
                "!=" => ord.is_ne(),
                "<" => ord.is_lt(),
                "<=" => ord.is_le(),
                ">" => ord.is_gt(),
                _ => ord.is_ge(),
            };
            l = if yes { "1" } else { "0" }.into();
        }
        Ok(l)
    }

    fn sum(&mut self) -> Result<Value, String> {
        let mut l = self.product()?;
        while let Some(op) = self.take(&["+", "-"]) {
            let r = self.product()?;
            let (a, b) = (int(&l)?, int(&r)?);
            l = if op == "+" {
                a.wrapping_add(b)
            } else {
                a.wrapping_sub(b)
            }
            .to_string();
        }
        Ok(l)
    }

    fn product(&mut self) -> Result<Value, String> {
        let mut l = self.matching()?;
        while let Some(op) = self.take(&["*", "/", "%"]) {
            let r = self.matching()?;
            let (a, b) = (int(&l)?, int(&r)?);
            if op != "*" && b == 0 {
                return Err("division by zero".into());
            }
            l = match op.as_str() {
                "*" => a.wrapping_mul(b),
                "/" => a.wrapping_div(b),
                _ => a.wrapping_rem(b),
            }
            .to_string();
        }
        Ok(l)
    }

    fn matching(&mut self) -> Result<Value, String> {
        let mut l = self.primary()?;
        while self.take(&[":"]).is_some() {
            let r = self.primary()?;
            l = regex_match(&l, &r)?;
        }
        Ok(l)
    }

    fn primary(&mut self) -> Result<Value, String> {
        let Some(word) = self.peek().map(str::to_owned) else {
            return Err("syntax error".into());
        };
        self.pos += 1;
        let arg = |p: &mut Self| -> Result<String, String> {
            let v = p.peek().ok_or("syntax error")?.to_owned();
            p.pos += 1;
            Ok(v)
        };
        match word.as_str() {
            "(" => {
                let v = self.or()?;
                if self.take(&[")"]).is_none() {
                    return Err("syntax error".into());
                }
                Ok(v)
            }
            "length" => Ok(arg(self)?.chars().count().to_string()),
            "match" => {
                let s = arg(self)?;
                let re = arg(self)?;
                regex_match(&s, &re)
            }
            "substr" => {
                let s: Vec<char> = arg(self)?.chars().collect();
                let (from, len) = (int(&arg(self)?)?, int(&arg(self)?)?);
                if from < 1 || len < 1 || from as usize > s.len() {
                    return Ok(String::new());
                }
                let start = from as usize - 1;
                let end = (start + len as usize).min(s.len());
                Ok(s[start..end].iter().collect())
            }
            "index" => {
                let s = arg(self)?;
                let set = arg(self)?;
                let at = s.chars().position(|c| set.contains(c)).map_or(0, |i| i + 1);
                Ok(at.to_string())
            }
            "+" => arg(self),
            _ => Ok(word),
        }
    }
}

/// `STRING : REGEX`, anchored at the start: the first group's text when
/// the pattern has one, else the length matched.
fn regex_match(s: &str, pattern: &str) -> Result<String, String> {
    let re = Regex::new(&format!("^{pattern}"), false, false)?;
    let groups = pattern.contains("\\(");
    match re.find(s, 0) {
        Some(caps) => {
            let chars: Vec<char> = s.chars().collect();
            if groups {
                Ok(caps
                    .get(1)
                    .copied()
                    .flatten()
                    .map(|(a, b)| chars[a..b].iter().collect())
                    .unwrap_or_default())
            } else {
                let (a, b) = caps.first().copied().flatten().unwrap_or((0, 0));
                Ok((b - a).to_string())
            }
        }
        None if groups => Ok(String::new()),
        None => Ok("0".into()),
    }
}

/// The 1 KiB blocks one entry takes on ext4 (a directory one 4 KiB block).
fn blocks(n: &Node) -> u64 {
    match &n.kind {
        NodeKind::Dir => 4,
        NodeKind::File(b) => b.len().div_ceil(4096) * 4,
        NodeKind::Symlink(_) | NodeKind::CharDevice { .. } => 0,
    }
}

/// `du [-s] [-a] [-h] [-k] [PATH...]`: the blocks below each path, its
/// directories (and with -a its files) after what they hold, children in
/// name order.
fn du(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "d");
    let mut paths = o.operands.clone();
    if paths.is_empty() {
        paths.push(".".into());
    }
    let human = o.has('h');
    let show = |kb: u64| -> String {
        if human {
            super::ls::human(kb * 1024)
        } else {
            kb.to_string()
        }
    };
    let mut status = 0;
    for p in &paths {
        let abs = sh.abs(p);
        let Ok(node) = sh.fs().lstat(&abs) else {
            io.error("du", &format!("{p}: No such file or directory"));
            status = 1;
            continue;
        };
        let mut lines = Vec::new();
        let total = walk(sh, &abs, p, &node, &mut lines);
        if o.has('s') {
            io.print(&format!("{}\t{p}\n", show(total)));
            continue;
        }
        for (kb, name, dir) in lines {
            if dir || o.has('a') {
                io.print(&format!("{}\t{name}\n", show(kb)));
            }
        }
    }
    status
}

fn walk(
    sh: &Shell,
    abs: &str,
    shown: &str,
    node: &Node,
    out: &mut Vec<(u64, String, bool)>,
) -> u64 {
    let mut total = blocks(node);
    if node.is_dir() {
        for c in sh.fs().read_dir(abs).unwrap_or_default() {
            let a = format!("{}/{}", abs.trim_end_matches('/'), c.name);
            let s = format!("{}/{}", shown.trim_end_matches('/'), c.name);
            total += walk(sh, &a, &s, &c.node, out);
        }
    }
    out.push((total, shown.to_owned(), node.is_dir()));
    total
}
