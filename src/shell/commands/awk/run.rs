//! Running a parsed awk program over its input.

use std::collections::HashMap;

use super::parse::{Expr, Getline, Pattern, Program, Stmt};
use crate::filesystem::blob::Blob;
use crate::shell::commands::cfmt;
use crate::shell::commands::regex::Regex;
use crate::shell::commands::{read_input, Io};
use crate::shell::interp::Shell;

/// Statements and loop passes one run may take.
const MAX_STEPS: u64 = 10_000_000;
/// Bytes one run may build by concatenation (`s = s "x"` in a loop
/// copies `s` each pass: this bounds the copying, not just the result).
const MAX_BUILT: u64 = 1 << 30;
const NO_MATH: &str = "Math support is not compiled in";

#[derive(Clone, Debug)]
enum Val {
    Num(f64),
    Str(String),
    /// Input text that looks like a number: compares as one.
    StrNum(String, f64),
    Uninit,
}

fn looks_numeric(s: &str) -> Option<f64> {
    let t = s.trim_matches([' ', '\t', '\n']);
    if t.is_empty()
        || t.chars()
            .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
    {
        return None;
    }
    t.parse::<f64>().ok()
}

/// The number a string starts with (`"3abc"` is 3), as awk converts.
fn prefix_num(s: &str) -> f64 {
    let t = s.trim_start_matches([' ', '\t', '\n']);
    let b = t.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if i == digits_start || (i == digits_start + 1 && b.get(digits_start) == Some(&b'.')) {
        return 0.0;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            i = j;
        }
    }
    t[..i].parse().unwrap_or(0.0)
}

fn num_str(n: f64, fmt: &str) -> String {
    if n == n.trunc() && n.abs() < 1e16 {
        return format!("{}", n as i64);
    }
    sprintf(fmt, &[Val::Num(n)])
}

impl Val {
    fn num(&self) -> f64 {
        match self {
            Val::Num(n) | Val::StrNum(_, n) => *n,
            Val::Str(s) => prefix_num(s),
            Val::Uninit => 0.0,
        }
    }

    fn string(&self) -> String {
        match self {
            Val::Num(n) => num_str(*n, "%.6g"),
            Val::Str(s) | Val::StrNum(s, _) => s.clone(),
            Val::Uninit => String::new(),
        }
    }

    fn truth(&self) -> bool {
        match self {
            Val::Num(n) | Val::StrNum(_, n) => *n != 0.0,
            Val::Str(s) => !s.is_empty(),
            Val::Uninit => false,
        }
    }

    fn numeric(&self) -> bool {
        !matches!(self, Val::Str(_))
    }

    fn input(s: String) -> Val {
        match looks_numeric(&s) {
            Some(n) => Val::StrNum(s, n),
            None => Val::Str(s),
        }
    }
}

#[derive(Default, Clone)]
struct Arr {
    keys: Vec<String>,
    map: HashMap<String, Val>,
}

impl Arr {
    fn get(&mut self, k: &str) -> Val {
        if !self.map.contains_key(k) {
            self.keys.push(k.to_owned());
            self.map.insert(k.to_owned(), Val::Uninit);
        }
        self.map.get(k).cloned().unwrap_or(Val::Uninit)
    }

    fn set(&mut self, k: &str, v: Val) {
        if self.map.insert(k.to_owned(), v).is_none() {
            self.keys.push(k.to_owned());
        }
    }

    fn remove(&mut self, k: &str) {
        if self.map.remove(k).is_some() {
            self.keys.retain(|x| x != k);
        }
    }
}

enum Cell {
    Val(Val),
    Arr(Arr),
}

enum Ctl {
    Next,
    Exit(i32),
    Break,
    Continue,
    Return(Val),
    Err(String),
}

type R<T> = Result<T, Ctl>;

struct Output {
    data: Vec<u8>,
    pipe: bool,
}

struct Awk<'a, 'c, 'fs> {
    sh: &'a mut Shell<'c, 'fs>,
    io: &'a mut Io,
    prog: &'a Program,
    globals: HashMap<String, Cell>,
    frames: Vec<HashMap<String, Cell>>,
    record: String,
    fields: Vec<String>,
    nf: usize,
    regexes: HashMap<String, Regex>,
    outputs: HashMap<String, Output>,
    order: Vec<String>,
    reads: HashMap<String, (Vec<String>, usize)>,
    // Main input: the operands left, the current records.
    operands: Vec<String>,
    next_operand: usize,
    used_file: bool,
    records: Vec<String>,
    rec_pos: usize,
    range_on: Vec<bool>,
    steps: u64,
    built: u64,
    max_bytes: usize,
    rand_seed: f64,
    rand_state: u64,
}

pub fn run(
    sh: &mut Shell,
    io: &mut Io,
    prog: &Program,
    fs: Option<String>,
    assigns: &[String],
    operands: &[String],
) -> i32 {
    let max_bytes = sh.limits().max_bytes;
    let mut a = Awk {
        sh,
        io,
        prog,
        globals: HashMap::new(),
        frames: Vec::new(),
        record: String::new(),
        fields: Vec::new(),
        nf: 0,
        regexes: HashMap::new(),
        outputs: HashMap::new(),
        order: Vec::new(),
        reads: HashMap::new(),
        operands: operands.to_vec(),
        next_operand: 0,
        used_file: false,
        records: Vec::new(),
        rec_pos: 0,
        range_on: vec![false; prog.items.len()],
        steps: 0,
        built: 0,
        max_bytes,
        rand_seed: 0.0,
        rand_state: 1,
    };
    for (k, v) in [
        ("FS", " "),
        ("OFS", " "),
        ("ORS", "\n"),
        ("RS", "\n"),
        ("SUBSEP", "\x1c"),
        ("CONVFMT", "%.6g"),
        ("OFMT", "%.6g"),
    ] {
        a.set_var(k, Val::Str(v.to_owned()));
    }
    a.set_var("NR", Val::Num(0.0));
    a.set_var("FNR", Val::Num(0.0));
    let mut env = Arr::default();
    for (k, v) in a.sh.environment() {
        env.set(&k, Val::input(v));
    }
    a.globals.insert("ENVIRON".into(), Cell::Arr(env));
    let mut args = Arr::default();
    args.set("0", Val::Str("awk".into()));
    for (i, o) in operands.iter().enumerate() {
        args.set(&(i + 1).to_string(), Val::input(o.clone()));
    }
    a.globals.insert("ARGV".into(), Cell::Arr(args));
    a.set_var("ARGC", Val::Num((operands.len() + 1) as f64));
    if let Some(fs) = fs {
        let fs = if fs == "t" {
            "\t".to_owned()
        } else {
            unescape(&fs)
        };
        a.set_var("FS", Val::Str(fs));
    }
    for v in assigns {
        a.assign_operand(v);
    }
    let code = match a.main() {
        Ok(()) => 0,
        Err(Ctl::Exit(c)) => c,
        Err(Ctl::Err(msg)) => {
            a.finish();
            a.io.error("awk", &format!("cmd. line:1: {msg}"));
            return 1;
        }
        Err(_) => 0,
    };
    a.finish();
    code
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

impl Awk<'_, '_, '_> {
    fn main(&mut self) -> R<()> {
        let prog = self.prog;
        let mut exit = None;
        for (pat, body) in &prog.items {
            if matches!(pat, Pattern::Begin) {
                match self.block(body.as_deref().unwrap_or(&[])) {
                    Err(Ctl::Exit(c)) => {
                        exit = Some(c);
                        break;
                    }
                    Err(Ctl::Next) => {}
                    other => other?,
                }
            }
        }
        let has_main = prog.items.iter().any(|(p, _)| !matches!(p, Pattern::Begin));
        if exit.is_none() && has_main {
            'records: while let Some(rec) = self.next_record()? {
                self.set_record(rec);
                for (i, (pat, body)) in prog.items.iter().enumerate() {
                    let hit = match pat {
                        Pattern::Begin | Pattern::End => continue,
                        Pattern::All => true,
                        Pattern::Expr(e) => self.eval(e)?.truth(),
                        Pattern::Range(a, b) => {
                            if self.range_on[i] {
                                if self.eval(b)?.truth() {
                                    self.range_on[i] = false;
                                }
                                true
                            } else if self.eval(a)?.truth() {
                                self.range_on[i] = !self.eval(b)?.truth();
                                true
                            } else {
                                false
                            }
                        }
                    };
                    if !hit {
                        continue;
                    }
                    let r = match body {
                        Some(b) => self.block(b),
                        None => self.print_record(),
                    };
                    match r {
                        Err(Ctl::Next) => continue 'records,
                        Err(Ctl::Exit(c)) => {
                            exit = Some(c);
                            break 'records;
                        }
                        other => other?,
                    }
                }
            }
        }
        // END runs after `exit` in the main rules too (not after one in END).
        for (pat, body) in &prog.items {
            if matches!(pat, Pattern::End) {
                match self.block(body.as_deref().unwrap_or(&[])) {
                    Err(Ctl::Exit(c)) => return Err(Ctl::Exit(c)),
                    Err(Ctl::Next) => {}
                    other => other?,
                }
            }
        }
        match exit {
            Some(c) => Err(Ctl::Exit(c)),
            None => Ok(()),
        }
    }

    fn print_record(&mut self) -> R<()> {
        let mut s = self.record.clone();
        s.push_str(&self.var("ORS").string());
        self.write(None, s.as_bytes())
    }

    // ---- variables ----

    fn var(&mut self, name: &str) -> Val {
        if name == "NF" {
            return Val::Num(self.nf as f64);
        }
        if let Some(f) = self.frames.last() {
            if let Some(Cell::Val(v)) = f.get(name) {
                return v.clone();
            }
            if f.contains_key(name) {
                return Val::Uninit;
            }
        }
        match self.globals.get(name) {
            Some(Cell::Val(v)) => v.clone(),
            _ => Val::Uninit,
        }
    }

    fn set_var(&mut self, name: &str, v: Val) {
        if name == "NF" {
            let n = v.num().max(0.0) as usize;
            self.fields.resize(n, String::new());
            self.nf = n;
            self.rebuild();
            return;
        }
        if let Some(f) = self.frames.last_mut() {
            if let Some(c) = f.get_mut(name) {
                *c = Cell::Val(v);
                return;
            }
        }
        self.globals.insert(name.to_owned(), Cell::Val(v));
    }

    fn arr(&mut self, name: &str) -> &mut Arr {
        let in_frame = self.frames.last().is_some_and(|f| f.contains_key(name));
        let table = if in_frame {
            self.frames.last_mut().expect("frame")
        } else {
            &mut self.globals
        };
        let cell = table
            .entry(name.to_owned())
            .or_insert_with(|| Cell::Arr(Arr::default()));
        if !matches!(cell, Cell::Arr(_)) {
            *cell = Cell::Arr(Arr::default());
        }
        match cell {
            Cell::Arr(a) => a,
            Cell::Val(_) => unreachable!("replaced above"),
        }
    }

    fn key(&mut self, subs: &[Expr]) -> R<String> {
        let mut parts = Vec::new();
        for s in subs {
            parts.push(self.eval(s)?.string());
        }
        Ok(parts.join(&self.var("SUBSEP").string()))
    }

    fn assign_operand(&mut self, a: &str) -> bool {
        match a.split_once('=') {
            Some((k, v))
                if !k.is_empty()
                    && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !k.starts_with(|c: char| c.is_ascii_digit()) =>
            {
                self.set_var(k, Val::input(unescape(v)));
                true
            }
            _ => false,
        }
    }

    // ---- records and fields ----

    fn set_record(&mut self, rec: String) {
        self.record = rec;
        self.split_record();
    }

    fn split_record(&mut self) {
        let fs = self.var("FS").string();
        let rec = self.record.clone();
        self.fields = self.split(&rec, &fs);
        self.nf = self.fields.len();
    }

    fn split(&mut self, s: &str, fs: &str) -> Vec<String> {
        if fs == " " {
            return s
                .split([' ', '\t', '\n'])
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if s.is_empty() {
            return Vec::new();
        }
        let mut chars = fs.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            if c != '\\' {
                return s.split(c).map(str::to_owned).collect();
            }
        }
        if fs.is_empty() {
            return s.chars().map(String::from).collect();
        }
        let Ok(re) = self.regex(fs) else {
            return vec![s.to_owned()];
        };
        let chars: Vec<char> = s.chars().collect();
        let mut out = Vec::new();
        let mut start = 0;
        let mut pos = 0;
        while pos <= chars.len() {
            let Some((a, b)) = re.find(s, pos).and_then(|c| c[0]) else {
                break;
            };
            if b == a {
                pos = a + 1;
                continue;
            }
            out.push(chars[start..a].iter().collect());
            start = b;
            pos = b;
        }
        out.push(chars[start..].iter().collect());
        out
    }

    fn rebuild(&mut self) {
        let ofs = self.var("OFS").string();
        self.record = self.fields[..self.nf].join(&ofs);
    }

    fn field(&mut self, i: f64) -> R<Val> {
        if i < 0.0 {
            return Err(Ctl::Err("Access to negative field".into()));
        }
        let i = i as usize;
        Ok(if i == 0 {
            Val::input(self.record.clone())
        } else if i <= self.nf {
            Val::input(self.fields[i - 1].clone())
        } else {
            Val::Uninit
        })
    }

    fn set_field(&mut self, i: f64, v: String) -> R<()> {
        if i < 0.0 {
            return Err(Ctl::Err("Access to negative field".into()));
        }
        let i = i as usize;
        if i == 0 {
            self.set_record(v);
            return Ok(());
        }
        if i > self.nf {
            self.fields.resize(i, String::new());
            self.nf = i;
        }
        self.fields[i - 1] = v;
        self.rebuild();
        Ok(())
    }

    fn records_of(&self, data: &[u8]) -> Vec<String> {
        let text = String::from_utf8_lossy(data).into_owned();
        let rs = match self.globals.get("RS") {
            Some(Cell::Val(v)) => v.string(),
            _ => "\n".to_owned(),
        };
        if rs.is_empty() {
            return text
                .split("\n\n")
                .map(|p| p.trim_matches('\n').to_owned())
                .filter(|p| !p.is_empty())
                .collect();
        }
        let sep = rs.chars().next().unwrap_or('\n');
        let mut recs: Vec<String> = text.split(sep).map(str::to_owned).collect();
        if recs.last().is_some_and(String::is_empty) {
            recs.pop();
        }
        recs
    }

    fn next_record(&mut self) -> R<Option<String>> {
        loop {
            if self.rec_pos < self.records.len() {
                let r = std::mem::take(&mut self.records[self.rec_pos]);
                self.rec_pos += 1;
                let nr = self.var("NR").num() + 1.0;
                self.set_var("NR", Val::Num(nr));
                let fnr = self.var("FNR").num() + 1.0;
                self.set_var("FNR", Val::Num(fnr));
                return Ok(Some(r));
            }
            let src = loop {
                match self.operands.get(self.next_operand).cloned() {
                    Some(op) => {
                        self.next_operand += 1;
                        if op.is_empty() || self.assign_operand(&op) {
                            continue;
                        }
                        break Some(op);
                    }
                    None if !self.used_file => break Some("-".to_owned()),
                    None => break None,
                }
            };
            let Some(src) = src else { return Ok(None) };
            self.used_file = true;
            let data = match read_input(self.sh, self.io, &src) {
                Ok(d) => d,
                Err(e) => {
                    self.io
                        .error("awk", &format!("cannot open {src}: {}", e.strerror()));
                    return Err(Ctl::Exit(2));
                }
            };
            self.records = self.records_of(&data);
            self.rec_pos = 0;
            self.set_var("FNR", Val::Num(0.0));
            self.set_var(
                "FILENAME",
                Val::Str(if src == "-" { String::new() } else { src }),
            );
        }
    }

    // ---- output ----

    fn write(&mut self, to: Option<(&str, String)>, bytes: &[u8]) -> R<()> {
        match to {
            None => self.io.out.extend_from_slice(bytes),
            Some((_, name)) if name == "/dev/stdout" || name == "-" => {
                self.io.out.extend_from_slice(bytes);
            }
            Some((_, name)) if name == "/dev/stderr" => self.io.err.extend_from_slice(bytes),
            Some((kind, name)) => {
                if !self.outputs.contains_key(&name) {
                    let mut data = Vec::new();
                    if kind == ">>" {
                        let abs = self.sh.abs(&name);
                        if let Ok(b) = self.sh.fs().read_file(&abs) {
                            data = b.to_vec().unwrap_or_default();
                        }
                    }
                    self.order.push(name.clone());
                    self.outputs.insert(
                        name.clone(),
                        Output {
                            data,
                            pipe: kind == "|",
                        },
                    );
                }
                if let Some(o) = self.outputs.get_mut(&name) {
                    o.data.extend_from_slice(bytes);
                    if o.data.len() > self.max_bytes {
                        return Err(Ctl::Err(format!(
                            "layerlab: output larger than {} bytes",
                            self.max_bytes
                        )));
                    }
                }
            }
        }
        if self.io.out.len() > self.max_bytes || self.io.err.len() > self.max_bytes {
            return Err(Ctl::Err(format!(
                "layerlab: output larger than {} bytes",
                self.max_bytes
            )));
        }
        Ok(())
    }

    fn close(&mut self, name: &str) -> i32 {
        let Some(o) = self.outputs.remove(name) else {
            self.reads.remove(name);
            return -1;
        };
        self.order.retain(|n| n != name);
        if o.pipe {
            return self.shell(name, &o.data);
        }
        let abs = self.sh.abs(name);
        let (mode, uid, gid) = match self.sh.fs().stat(&abs) {
            Ok(n) => (n.mode, n.uid, n.gid),
            Err(_) => (
                0o666 & !self.sh.umask(),
                self.sh.user().uid,
                self.sh.user().gid,
            ),
        };
        match self
            .sh
            .fs_mut()
            .write_file(&abs, Blob::from_bytes(o.data), mode, uid, gid)
        {
            Ok(()) => 0,
            Err(e) => {
                self.io.error("awk", &format!("{name}: {}", e.strerror()));
                -1
            }
        }
    }

    fn finish(&mut self) {
        for name in std::mem::take(&mut self.order) {
            self.close(&name);
        }
    }

    /// `sh -c CMD` with `stdin`; its output joins awk's.
    fn shell(&mut self, cmd: &str, stdin: &[u8]) -> i32 {
        let argv = ["sh".to_owned(), "-c".to_owned(), cmd.to_owned()];
        match self.sh.run_captured(&argv, &[], stdin) {
            Ok((s, out, err)) => {
                self.io.out.extend_from_slice(&out);
                self.io.err.extend_from_slice(&err);
                s
            }
            Err(_) => 2,
        }
    }

    // ---- statements ----

    fn tick(&mut self) -> R<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(Ctl::Err(format!("layerlab: more than {MAX_STEPS} steps")));
        }
        Ok(())
    }

    fn block(&mut self, stmts: &[Stmt]) -> R<()> {
        for s in stmts {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt) -> R<()> {
        self.tick()?;
        match s {
            Stmt::Block(b) => self.block(b),
            Stmt::Expr(e) => self.eval(e).map(|_| ()),
            Stmt::Print {
                printf,
                args,
                redir,
            } => {
                let text = if *printf {
                    let mut vals = Vec::new();
                    for a in args {
                        vals.push(self.eval(a)?);
                    }
                    let f = vals.remove(0).string();
                    sprintf(&f, &vals)
                } else if args.is_empty() {
                    let mut s = self.record.clone();
                    s.push_str(&self.var("ORS").string());
                    s
                } else {
                    let mut parts = Vec::new();
                    for a in args {
                        let v = self.eval(a)?;
                        parts.push(match v {
                            Val::Num(n) => num_str(n, &self.var("OFMT").string()),
                            other => other.string(),
                        });
                    }
                    let mut s = parts.join(&self.var("OFS").string());
                    s.push_str(&self.var("ORS").string());
                    s
                };
                let to = match redir {
                    Some((kind, e)) => Some((*kind, self.eval(e)?.string())),
                    None => None,
                };
                self.write(to, text.as_bytes())
            }
            Stmt::If(c, a, b) => {
                if self.eval(c)?.truth() {
                    self.stmt(a)
                } else if let Some(b) = b {
                    self.stmt(b)
                } else {
                    Ok(())
                }
            }
            Stmt::While(c, body) => {
                while self.eval(c)?.truth() {
                    self.tick()?;
                    match self.stmt(body) {
                        Err(Ctl::Break) => break,
                        Err(Ctl::Continue) => continue,
                        other => other?,
                    }
                }
                Ok(())
            }
            Stmt::Do(body, c) => {
                loop {
                    self.tick()?;
                    match self.stmt(body) {
                        Err(Ctl::Break) => break,
                        Err(Ctl::Continue) => {}
                        other => other?,
                    }
                    if !self.eval(c)?.truth() {
                        break;
                    }
                }
                Ok(())
            }
            Stmt::For(init, cond, step, body) => {
                if let Some(i) = init {
                    self.stmt(i)?;
                }
                loop {
                    if let Some(c) = cond {
                        if !self.eval(c)?.truth() {
                            break;
                        }
                    }
                    self.tick()?;
                    match self.stmt(body) {
                        Err(Ctl::Break) => break,
                        Err(Ctl::Continue) => {}
                        other => other?,
                    }
                    if let Some(s) = step {
                        self.stmt(s)?;
                    }
                }
                Ok(())
            }
            Stmt::ForIn(v, a, body) => {
                let keys = self.arr(a).keys.clone();
                for k in keys {
                    if !self.arr(a).map.contains_key(&k) {
                        continue;
                    }
                    self.set_var(v, Val::input(k));
                    match self.stmt(body) {
                        Err(Ctl::Break) => break,
                        Err(Ctl::Continue) => {}
                        other => other?,
                    }
                }
                Ok(())
            }
            Stmt::Next => Err(Ctl::Next),
            Stmt::Break => Err(Ctl::Break),
            Stmt::Continue => Err(Ctl::Continue),
            Stmt::Exit(e) => {
                let c = match e {
                    Some(e) => self.eval(e)?.num() as i32,
                    None => 0,
                };
                Err(Ctl::Exit(c))
            }
            Stmt::Return(e) => {
                let v = match e {
                    Some(e) => self.eval(e)?,
                    None => Val::Uninit,
                };
                Err(Ctl::Return(v))
            }
            Stmt::Delete(a, subs) => {
                match subs {
                    Some(s) => {
                        let k = self.key(s)?;
                        self.arr(a).remove(&k);
                    }
                    None => *self.arr(a) = Arr::default(),
                }
                Ok(())
            }
        }
    }

    // ---- expressions ----

    fn regex(&mut self, pat: &str) -> R<Regex> {
        if let Some(r) = self.regexes.get(pat) {
            return Ok(r.clone());
        }
        let r = Regex::new(pat, true, false).map_err(Ctl::Err)?;
        self.regexes.insert(pat.to_owned(), r.clone());
        Ok(r)
    }

    fn regex_of(&mut self, e: &Expr) -> R<Regex> {
        match e {
            Expr::Regex(r) => self.regex(r),
            other => {
                let s = self.eval(other)?.string();
                self.regex(&s)
            }
        }
    }

    fn assign_to(&mut self, lv: &Expr, v: Val) -> R<Val> {
        match lv {
            Expr::Var(n) => self.set_var(n, v.clone()),
            Expr::Field(i) => {
                let i = self.eval(i)?.num();
                self.set_field(i, v.string())?;
            }
            Expr::Index(n, subs) => {
                let k = self.key(subs)?;
                self.arr(n).set(&k, v.clone());
            }
            _ => return Err(Ctl::Err("Unexpected token".into())),
        }
        Ok(v)
    }

    fn eval(&mut self, e: &Expr) -> R<Val> {
        Ok(match e {
            Expr::Num(n) => Val::Num(*n),
            Expr::Str(s) => Val::Str(s.clone()),
            Expr::Regex(r) => {
                let re = self.regex(r)?;
                Val::Num(f64::from(u8::from(re.is_match(&self.record))))
            }
            Expr::Var(n) => self.var(n),
            Expr::Field(i) => {
                let i = self.eval(i)?.num();
                self.field(i)?
            }
            Expr::Index(n, subs) => {
                let k = self.key(subs)?;
                self.arr(n).get(&k)
            }
            Expr::Assign(op, lv, rhs) => {
                // busybox reads the target before the right side
                // (`b += b++` with b = 5 gives 10).
                let cur = match op {
                    Some(_) => self.eval(lv)?.num(),
                    None => 0.0,
                };
                let r = self.eval(rhs)?;
                let v = match op {
                    None => r,
                    Some(op) => Val::Num(arith(op, cur, r.num())?),
                };
                self.assign_to(lv, v)?
            }
            Expr::Cond(c, a, b) => {
                if self.eval(c)?.truth() {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                }
            }
            Expr::And(a, b) => Val::Num(f64::from(u8::from(
                self.eval(a)?.truth() && self.eval(b)?.truth(),
            ))),
            Expr::Or(a, b) => Val::Num(f64::from(u8::from(
                self.eval(a)?.truth() || self.eval(b)?.truth(),
            ))),
            Expr::Not(a) => Val::Num(f64::from(u8::from(!self.eval(a)?.truth()))),
            Expr::Neg(a) => Val::Num(-self.eval(a)?.num()),
            Expr::Plus(a) => Val::Num(self.eval(a)?.num()),
            Expr::Binary(op, a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                match *op {
                    "<" | "<=" | "==" | "!=" | ">=" | ">" => {
                        let ord = if x.numeric() && y.numeric() {
                            x.num().partial_cmp(&y.num())
                        } else {
                            Some(x.string().cmp(&y.string()))
                        };
                        let t = match ord {
                            Some(o) => match *op {
                                "<" => o.is_lt(),
                                "<=" => o.is_le(),
                                "==" => o.is_eq(),
                                "!=" => o.is_ne(),
                                ">=" => o.is_ge(),
                                _ => o.is_gt(),
                            },
                            None => *op == "!=",
                        };
                        Val::Num(f64::from(u8::from(t)))
                    }
                    _ => Val::Num(arith(op, x.num(), y.num())?),
                }
            }
            Expr::Concat(a, b) => {
                let mut s = self.eval(a)?.string();
                s.push_str(&self.eval(b)?.string());
                self.built += s.len() as u64;
                if s.len() > self.max_bytes || self.built > MAX_BUILT {
                    return Err(Ctl::Err(format!(
                        "layerlab: string larger than {} bytes",
                        self.max_bytes
                    )));
                }
                Val::Str(s)
            }
            Expr::Match(neg, a, b) => {
                let s = self.eval(a)?.string();
                let re = self.regex_of(b)?;
                Val::Num(f64::from(u8::from(re.is_match(&s) != *neg)))
            }
            Expr::In(keys, a) => {
                let k = self.key(keys)?;
                Val::Num(f64::from(u8::from(self.arr(a).map.contains_key(&k))))
            }
            Expr::Incr(pre, d, lv) => {
                let old = self.eval(lv)?.num();
                self.assign_to(lv, Val::Num(old + d))?;
                Val::Num(if *pre { old + d } else { old })
            }
            Expr::List(items) => {
                let k = self.key(items)?;
                Val::Str(k)
            }
            Expr::Call(name, args) => self.call(name, args)?,
            Expr::Builtin(name, args) => self.builtin(name, args)?,
            Expr::Getline(src, var) => self.getline(src, var.as_deref())?,
        })
    }

    fn getline(&mut self, src: &Getline, var: Option<&Expr>) -> R<Val> {
        let line = match src {
            Getline::Main => {
                let Some(r) = self.next_record()? else {
                    return Ok(Val::Num(0.0));
                };
                r
            }
            Getline::File(f) | Getline::Cmd(f) => {
                let name = self.eval(f)?.string();
                if !self.reads.contains_key(&name) {
                    let data = if matches!(src, Getline::Cmd(_)) {
                        let argv = ["sh".to_owned(), "-c".to_owned(), name.clone()];
                        match self.sh.run_captured(&argv, &[], &[]) {
                            Ok((_, out, err)) => {
                                self.io.err.extend_from_slice(&err);
                                out
                            }
                            Err(_) => return Ok(Val::Num(-1.0)),
                        }
                    } else {
                        match read_input(self.sh, self.io, &name) {
                            Ok(d) => d,
                            Err(_) => return Ok(Val::Num(-1.0)),
                        }
                    };
                    let recs = self.records_of(&data);
                    self.reads.insert(name.clone(), (recs, 0));
                }
                let Some((recs, pos)) = self.reads.get_mut(&name) else {
                    return Ok(Val::Num(-1.0));
                };
                if *pos >= recs.len() {
                    return Ok(Val::Num(0.0));
                }
                *pos += 1;
                let r = std::mem::take(&mut recs[*pos - 1]);
                if var.is_none() {
                    let nr = self.var("NR").num() + 1.0;
                    self.set_var("NR", Val::Num(nr));
                }
                r
            }
        };
        match var {
            Some(lv) => {
                self.assign_to(lv, Val::input(line))?;
            }
            None => self.set_record(line),
        }
        Ok(Val::Num(1.0))
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> R<Val> {
        let prog = self.prog;
        let Some((params, body)) = prog.funcs.get(name) else {
            return Err(Ctl::Err(format!("Call to undefined function '{name}'")));
        };
        if self.frames.len() >= 100 {
            return Err(Ctl::Err("layerlab: function calls nested too deep".into()));
        }
        let mut frame = HashMap::new();
        // Arrays pass by reference: the caller's array moves into the
        // frame for the call and back after it.
        let mut moved: Vec<(usize, String)> = Vec::new();
        for (i, p) in params.iter().enumerate() {
            match args.get(i) {
                Some(Expr::Var(n)) if self.is_array(n) => {
                    let a = std::mem::take(self.arr(n));
                    frame.insert(p.clone(), Cell::Arr(a));
                    moved.push((i, n.clone()));
                }
                Some(Expr::Var(n)) if matches!(self.var(n), Val::Uninit) => {
                    frame.insert(p.clone(), Cell::Val(Val::Uninit));
                    moved.push((i, n.clone()));
                }
                Some(e) => {
                    let v = self.eval(e)?;
                    frame.insert(p.clone(), Cell::Val(v));
                }
                None => {
                    frame.insert(p.clone(), Cell::Val(Val::Uninit));
                }
            }
        }
        self.frames.push(frame);
        let r = self.block(body);
        let mut frame = self.frames.pop().unwrap_or_default();
        for (i, n) in moved {
            if let Some(Cell::Arr(a)) = frame.remove(&params[i]) {
                *self.arr(&n) = a;
            }
        }
        match r {
            Ok(()) => Ok(Val::Uninit),
            Err(Ctl::Return(v)) => Ok(v),
            Err(other) => Err(other),
        }
    }

    fn is_array(&self, n: &str) -> bool {
        if let Some(f) = self.frames.last() {
            if let Some(c) = f.get(n) {
                return matches!(c, Cell::Arr(_));
            }
        }
        matches!(self.globals.get(n), Some(Cell::Arr(_)))
    }

    fn builtin(&mut self, name: &str, args: &[Expr]) -> R<Val> {
        let arg = |a: &mut Self, i: usize| -> R<Val> {
            match args.get(i) {
                Some(e) => a.eval(e),
                None => Ok(Val::Uninit),
            }
        };
        Ok(match name {
            "length" => match args.first() {
                // busybox counts bytes (its build has no Unicode support).
                None => Val::Num(self.record.len() as f64),
                Some(Expr::Var(n)) if self.is_array(n) => Val::Num(self.arr(n).map.len() as f64),
                Some(e) => Val::Num(self.eval(e)?.string().len() as f64),
            },
            "substr" => {
                // busybox's rule, in bytes: from max(M-1, 0), N bytes.
                let s = arg(self, 0)?.string().into_bytes();
                let m = arg(self, 1)?.num();
                let start = if m.is_nan() {
                    0
                } else {
                    ((m - 1.0).max(0.0) as usize).min(s.len())
                };
                let n = if args.len() > 2 {
                    let n = arg(self, 2)?.num();
                    if n.is_nan() {
                        0
                    } else {
                        n.max(0.0) as usize
                    }
                } else {
                    s.len()
                };
                let end = start.saturating_add(n).min(s.len());
                Val::Str(String::from_utf8_lossy(&s[start..end]).into_owned())
            }
            "index" => {
                let s = arg(self, 0)?.string();
                let t = arg(self, 1)?.string();
                Val::Num(s.find(&t).map_or(0.0, |b| (b + 1) as f64))
            }
            "split" => {
                let s = arg(self, 0)?.string();
                let Some(Expr::Var(a)) = args.get(1) else {
                    return Err(Ctl::Err("Unexpected token".into()));
                };
                let parts = match args.get(2) {
                    Some(Expr::Regex(r)) => {
                        let r = r.clone();
                        if r == " " {
                            self.split(&s, " ")
                        } else {
                            self.split(&s, &format!("({r})"))
                        }
                    }
                    Some(e) => {
                        let fs = self.eval(e)?.string();
                        self.split(&s, &fs)
                    }
                    None => {
                        let fs = self.var("FS").string();
                        self.split(&s, &fs)
                    }
                };
                let n = parts.len();
                let arr = self.arr(a);
                *arr = Arr::default();
                for (i, p) in parts.into_iter().enumerate() {
                    arr.set(&(i + 1).to_string(), Val::input(p));
                }
                Val::Num(n as f64)
            }
            "sub" | "gsub" => {
                let re = match args.first() {
                    Some(e) => self.regex_of(e)?,
                    None => return Err(Ctl::Err("Unexpected token".into())),
                };
                let repl = arg(self, 1)?.string();
                let record = Expr::Field(Box::new(Expr::Num(0.0)));
                let target = args.get(2).unwrap_or(&record);
                let s = self.eval(target)?.string();
                let (out, n) = substitute(&re, &s, &repl, name == "gsub");
                // The target of `gsub(r, s, x = "…")` is the variable.
                let target = match target {
                    Expr::Assign(_, lv, _) => lv,
                    other => other,
                };
                if n > 0 && matches!(target, Expr::Var(_) | Expr::Field(_) | Expr::Index(..)) {
                    self.assign_to(target, Val::Str(out))?;
                }
                Val::Num(n as f64)
            }
            "match" => {
                let s = arg(self, 0)?.string();
                let re = match args.get(1) {
                    Some(e) => self.regex_of(e)?,
                    None => return Err(Ctl::Err("Unexpected token".into())),
                };
                let (start, len) = match re.find(&s, 0).and_then(|c| c[0]) {
                    Some((a, b)) => ((a + 1) as f64, (b - a) as f64),
                    None => (0.0, -1.0),
                };
                self.set_var("RSTART", Val::Num(start));
                self.set_var("RLENGTH", Val::Num(len));
                Val::Num(start)
            }
            "sprintf" => {
                let mut vals = Vec::new();
                for a in args {
                    vals.push(self.eval(a)?);
                }
                if vals.is_empty() {
                    return Err(Ctl::Err("Unexpected token".into()));
                }
                let f = vals.remove(0).string();
                Val::Str(sprintf(&f, &vals))
            }
            "tolower" => Val::Str(arg(self, 0)?.string().to_lowercase()),
            "toupper" => Val::Str(arg(self, 0)?.string().to_uppercase()),
            "int" => Val::Num(arg(self, 0)?.num().trunc()),
            "system" => {
                let cmd = arg(self, 0)?.string();
                let names = self.order.clone();
                for n in names {
                    self.close(&n);
                }
                Val::Num(f64::from(self.shell(&cmd, &[])))
            }
            "close" => {
                let n = arg(self, 0)?.string();
                Val::Num(f64::from(self.close(&n)))
            }
            "fflush" => Val::Num(0.0),
            "srand" => {
                let prev = self.rand_seed;
                self.rand_seed = if args.is_empty() {
                    self.sh.now() as f64
                } else {
                    arg(self, 0)?.num()
                };
                self.rand_state = self.rand_seed.to_bits() | 1;
                Val::Num(prev)
            }
            "rand" => {
                // A fixed generator: runs repeat, as a layer must.
                self.rand_state = self
                    .rand_state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                Val::Num((self.rand_state >> 11) as f64 / (1u64 << 53) as f64)
            }
            _ => return Err(Ctl::Err(NO_MATH.into())),
        })
    }
}

fn arith(op: &str, a: f64, b: f64) -> R<f64> {
    Ok(match op {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" if b == 0.0 => return Err(Ctl::Err("Division by zero".into())),
        "/" => a / b,
        "%" if b == 0.0 => return Err(Ctl::Err("Division by zero".into())),
        "%" => a % b,
        _ => return Err(Ctl::Err(NO_MATH.into())),
    })
}

/// `sub`/`gsub`: `&` in the replacement is the match, `\&` a literal `&`.
fn substitute(re: &Regex, s: &str, repl: &str, global: bool) -> (String, usize) {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut pos = 0;
    let mut n = 0;
    let mut prev_end = None;
    while pos <= chars.len() {
        let Some((a, b)) = re.find(s, pos).and_then(|c| c[0]) else {
            break;
        };
        if a == b && prev_end == Some(a) {
            if let Some(c) = chars.get(a) {
                out.push(*c);
            }
            pos = a + 1;
            continue;
        }
        out.extend(&chars[pos..a]);
        let mut it = repl.chars().peekable();
        while let Some(c) = it.next() {
            match c {
                '\\' if matches!(it.peek(), Some('&' | '\\')) => {
                    out.extend(it.next());
                }
                '&' => out.extend(&chars[a..b]),
                other => out.push(other),
            }
        }
        n += 1;
        prev_end = Some(b);
        if a == b {
            if let Some(c) = chars.get(a) {
                out.push(*c);
            }
            pos = a + 1;
        } else {
            pos = b;
        }
        if !global {
            break;
        }
    }
    if pos < chars.len() {
        out.extend(&chars[pos..]);
    }
    (out, n)
}

/// awk's `printf`/`sprintf` formats.
fn sprintf(f: &str, args: &[Val]) -> String {
    let c: Vec<char> = f.chars().collect();
    let mut out = String::new();
    let mut next = 0;
    let mut i = 0;
    let take = |next: &mut usize| -> Val {
        let v = args.get(*next).cloned().unwrap_or(Val::Uninit);
        *next += 1;
        v
    };
    while i < c.len() {
        if c[i] != '%' {
            out.push(c[i]);
            i += 1;
            continue;
        }
        i += 1;
        if c.get(i) == Some(&'%') {
            out.push('%');
            i += 1;
            continue;
        }
        let mut flags = String::new();
        while let Some(&ch) = c.get(i).filter(|ch| "-+ #0".contains(**ch)) {
            flags.push(ch);
            i += 1;
        }
        let num = |i: &mut usize, next: &mut usize| -> Option<usize> {
            if c.get(*i) == Some(&'*') {
                *i += 1;
                let v = take(next).num();
                return Some(v.max(0.0) as usize);
            }
            let s = *i;
            while c.get(*i).is_some_and(char::is_ascii_digit) {
                *i += 1;
            }
            c[s..*i].iter().collect::<String>().parse().ok()
        };
        let width = num(&mut i, &mut next);
        let prec = if c.get(i) == Some(&'.') {
            i += 1;
            Some(num(&mut i, &mut next).unwrap_or(0))
        } else {
            None
        };
        let Some(&conv) = c.get(i) else {
            out.push('%');
            out.push_str(&flags);
            break;
        };
        i += 1;
        let v = take(&mut next);
        let body = match conv {
            'd' | 'i' | 'o' | 'x' | 'X' | 'u' => {
                let n = v.num();
                let n = if n.is_finite() { n.trunc() as i64 } else { 0 };
                cfmt::integer(conv, &flags, width, prec, n)
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                out.push_str(&cfmt::float(conv, &flags, width, prec, v.num()));
                continue;
            }
            'c' => match v {
                Val::Num(n) => char::from_u32(n as u32)
                    .map(String::from)
                    .unwrap_or_default(),
                other => other
                    .string()
                    .chars()
                    .next()
                    .map(String::from)
                    .unwrap_or_default(),
            },
            's' => {
                let s = match v {
                    Val::Num(n) => num_str(n, "%.6g"),
                    other => other.string(),
                };
                match prec {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                }
            }
            other => {
                out.push('%');
                out.push_str(&flags);
                out.push(other);
                continue;
            }
        };
        let len = body.chars().count();
        let w = width.unwrap_or(0);
        if len >= w {
            out.push_str(&body);
        } else if flags.contains('-') {
            out.push_str(&body);
            out.push_str(&" ".repeat(w - len));
        } else {
            out.push_str(&" ".repeat(w - len));
            out.push_str(&body);
        }
    }
    out
}
