//! sed's script language as busybox runs it: addresses (a line, `$`,
//! `/RE/` or `\cREc`), ranges (`A,B`, `A,+N`), `!`, blocks (busybox
//! closes an open one at the script's end), the commands `s y d D p P q Q a i c = n N h H g G x b t T :`
//! and `#` comments, with a pattern and a hold space. `applet` in
//! [`super::text`] reads the options and the files.

use super::regex::Regex;

/// Commands a script may run over its whole input (a `b` loop that never
/// ends must end the run, not hang it).
const MAX_COMMANDS: u64 = 5_000_000;

enum Addr {
    Line(usize),
    Last,
    Regex(Regex),
}

enum End {
    Addr(Addr),
    Plus(usize),
}

enum Op {
    /// `{`: the index just past its `}`.
    Block(usize),
    EndBlock,
    Subst {
        re: Regex,
        repl: String,
        global: bool,
        print: bool,
        nth: usize,
    },
    Translate(Vec<(char, char)>),
    Delete,
    DeleteFirst,
    Print,
    PrintFirst,
    Quit,
    QuitSilent,
    Append(String),
    Insert(String),
    Change(String),
    LineNumber,
    Next,
    NextAppend,
    Hold,
    HoldAppend,
    Get,
    GetAppend,
    Exchange,
    Label,
    /// `b`, `t` (jump if a substitution happened), `T` (if none did),
    /// with the target index (None: the end of the script).
    Branch(char, Option<usize>, String),
}

struct Cmd {
    a1: Option<Addr>,
    a2: Option<End>,
    negate: bool,
    op: Op,
}

pub(super) struct Script {
    cmds: Vec<Cmd>,
}

struct Cursor<'a> {
    c: &'a [char],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.i += 1;
        }
    }

    fn number(&mut self) -> Option<usize> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.c[start..self.i]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }

    /// Text up to an unescaped `delim`; `\delim` is `delim` and `\n` a
    /// newline, other escapes are kept for the regex.
    fn delimited(&mut self, delim: char, what: &str) -> Result<String, String> {
        let mut s = String::new();
        while let Some(c) = self.peek() {
            self.i += 1;
            if c == '\\' {
                match self.peek() {
                    Some(d) if d == delim => s.push(d),
                    Some('n') => s.push('\n'),
                    Some(d) => {
                        s.push('\\');
                        s.push(d);
                    }
                    None => break,
                }
                self.i += 1;
            } else if c == delim {
                return Ok(s);
            } else {
                s.push(c);
            }
        }
        Err(format!("unterminated {what}"))
    }

    fn regex(&mut self, delim: char, extended: bool) -> Result<Regex, String> {
        let pat = self.delimited(delim, "address regex")?;
        Regex::new(&pat, extended, false)
    }

    fn addr(&mut self, extended: bool) -> Result<Option<Addr>, String> {
        Ok(match self.peek() {
            Some(c) if c.is_ascii_digit() => Some(Addr::Line(self.number().ok_or("bad address")?)),
            Some('$') => {
                self.i += 1;
                Some(Addr::Last)
            }
            Some('/') => {
                self.i += 1;
                Some(Addr::Regex(self.regex('/', extended)?))
            }
            Some('\\') => {
                self.i += 1;
                let d = self.peek().ok_or("unexpected end of script")?;
                self.i += 1;
                Some(Addr::Regex(self.regex(d, extended)?))
            }
            _ => None,
        })
    }

    /// The text of `a`, `i` and `c`: `a text` or `a\` NEWLINE `text`, lines
    /// continued by a trailing backslash.
    fn text(&mut self) -> String {
        self.skip_blanks();
        if self.peek() == Some('\\') {
            self.i += 1;
            if self.peek() == Some('\n') {
                self.i += 1;
            }
        }
        let mut s = String::new();
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                '\n' => break,
                '\\' => {
                    if let Some(d) = self.peek() {
                        s.push(d);
                        self.i += 1;
                    }
                }
                _ => s.push(c),
            }
        }
        s
    }

    /// A label: up to a newline or `;`, without surrounding blanks.
    fn label(&mut self) -> String {
        self.skip_blanks();
        let start = self.i;
        while self.peek().is_some_and(|c| c != '\n' && c != ';') {
            self.i += 1;
        }
        self.c[start..self.i]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_owned()
    }
}

impl Script {
    /// Parses the `-e` scripts joined by newlines, as busybox joins them.
    pub(super) fn parse(script: &str, extended: bool) -> Result<Script, String> {
        let chars: Vec<char> = script.chars().collect();
        let mut p = Cursor { c: &chars, i: 0 };
        let mut cmds: Vec<Cmd> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        loop {
            while matches!(p.peek(), Some(' ' | '\t' | '\n' | ';')) {
                p.i += 1;
            }
            let Some(c) = p.peek() else { break };
            if c == '#' {
                while p.peek().is_some_and(|c| c != '\n') {
                    p.i += 1;
                }
                continue;
            }
            let a1 = p.addr(extended)?;
            let mut a2 = None;
            if a1.is_some() && p.peek() == Some(',') {
                p.i += 1;
                p.skip_blanks();
                a2 = Some(if p.peek() == Some('+') {
                    p.i += 1;
                    End::Plus(p.number().ok_or("expected number")?)
                } else {
                    End::Addr(p.addr(extended)?.ok_or("unexpected ','")?)
                });
            }
            p.skip_blanks();
            let mut negate = false;
            while p.peek() == Some('!') {
                negate = true;
                p.i += 1;
                p.skip_blanks();
            }
            let c = p.peek().ok_or("missing command")?;
            p.i += 1;
            let op = match c {
                '{' => {
                    open.push(cmds.len());
                    Op::Block(0)
                }
                '}' => {
                    let start = open.pop().ok_or("unexpected '}'")?;
                    let end = cmds.len() + 1;
                    if let Op::Block(e) = &mut cmds[start].op {
                        *e = end;
                    }
                    Op::EndBlock
                }
                's' => {
                    let delim = p.peek().ok_or("unterminated `s' command")?;
                    p.i += 1;
                    let pat = p.delimited(delim, "`s' command")?;
                    let repl = p.delimited(delim, "`s' command")?;
                    let (mut global, mut print, mut nth, mut icase) = (false, false, 1, false);
                    while let Some(f) = p.peek() {
                        match f {
                            'g' => global = true,
                            'p' => print = true,
                            'I' | 'i' => icase = true,
                            d if d.is_ascii_digit() => {
                                nth = p.number().unwrap_or(1).max(1);
                                continue;
                            }
                            _ => break,
                        }
                        p.i += 1;
                    }
                    Op::Subst {
                        re: Regex::new(&pat, extended, icase)?,
                        repl,
                        global,
                        print,
                        nth,
                    }
                }
                'y' => {
                    let delim = p.peek().ok_or("unterminated `y' command")?;
                    p.i += 1;
                    let from: Vec<char> = unescape(&p.delimited(delim, "`y' command")?);
                    let to: Vec<char> = unescape(&p.delimited(delim, "`y' command")?);
                    if from.len() != to.len() {
                        return Err("strings for `y' command are different lengths".to_owned());
                    }
                    Op::Translate(from.into_iter().zip(to).collect())
                }
                'd' => Op::Delete,
                'D' => Op::DeleteFirst,
                'p' => Op::Print,
                'P' => Op::PrintFirst,
                'q' => Op::Quit,
                'Q' => Op::QuitSilent,
                'a' => Op::Append(p.text()),
                'i' => Op::Insert(p.text()),
                'c' => Op::Change(p.text()),
                '=' => Op::LineNumber,
                'n' => Op::Next,
                'N' => Op::NextAppend,
                'h' => Op::Hold,
                'H' => Op::HoldAppend,
                'g' => Op::Get,
                'G' => Op::GetAppend,
                'x' => Op::Exchange,
                ':' => {
                    if a1.is_some() {
                        return Err(": doesn't want any addresses".to_owned());
                    }
                    // Kept as a ':' branch until the jumps are resolved.
                    Op::Branch(':', None, p.label())
                }
                'b' | 't' | 'T' => Op::Branch(c, None, p.label()),
                other => return Err(format!("unsupported command {other}")),
            };
            cmds.push(Cmd { a1, a2, negate, op });
        }
        for start in open {
            let end = cmds.len();
            if let Op::Block(e) = &mut cmds[start].op {
                *e = end;
            }
        }
        resolve_branches(&mut cmds)?;
        Ok(Script { cmds })
    }

    /// Runs the script over `data`; `quiet` is `-n`. Fails when a loop
    /// runs past [`MAX_COMMANDS`] or the pattern space past `max_bytes`.
    pub(super) fn run(
        &self,
        data: &[u8],
        quiet: bool,
        max_bytes: usize,
    ) -> Result<Vec<u8>, String> {
        let text = String::from_utf8_lossy(data);
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let mut out = String::new();
        let mut hold = String::new();
        let mut active = vec![None::<usize>; self.cmds.len()];
        let mut next = 0;
        let mut steps = 0u64;
        // Whether the last line read ended in a newline.
        let mut had_nl = true;
        let read = |n: &mut usize, had_nl: &mut bool| -> Option<String> {
            let raw = lines.get(*n)?;
            *n += 1;
            *had_nl = raw.ends_with('\n');
            Some(raw.strip_suffix('\n').unwrap_or(raw).to_owned())
        };
        let total = lines.len();
        let mut ps = match read(&mut next, &mut had_nl) {
            Some(l) => l,
            None => return Ok(Vec::new()),
        };
        'cycle: loop {
            let mut append: Vec<String> = Vec::new();
            let mut subst = false;
            let mut pc = 0;
            let mut restart = false;
            let mut autoprint = !quiet;
            let mut quit = false;
            while pc < self.cmds.len() {
                steps += 1;
                if steps > MAX_COMMANDS {
                    return Err(format!("layerlab: more than {MAX_COMMANDS} commands run"));
                }
                let cmd = &self.cmds[pc];
                let line = next;
                let last = next == total;
                let hit = self.matches(cmd, pc, &mut active, &ps, line, last) != cmd.negate;
                if !hit {
                    pc = match cmd.op {
                        Op::Block(end) => end,
                        _ => pc + 1,
                    };
                    continue;
                }
                pc += 1;
                match &cmd.op {
                    Op::Block(_) | Op::EndBlock | Op::Label => {}
                    Op::Subst {
                        re,
                        repl,
                        global,
                        print,
                        nth,
                    } => {
                        let (new, changed) = substitute(re, &ps, repl, *global, *nth);
                        if changed {
                            ps = new;
                            subst = true;
                            if *print {
                                out.push_str(&ps);
                                out.push('\n');
                            }
                        }
                    }
                    Op::Translate(map) => {
                        ps = ps
                            .chars()
                            .map(|c| map.iter().find(|(f, _)| *f == c).map_or(c, |(_, t)| *t))
                            .collect();
                    }
                    Op::Delete => {
                        autoprint = false;
                        break;
                    }
                    Op::DeleteFirst => match ps.find('\n') {
                        Some(i) => {
                            ps.drain(..=i);
                            autoprint = false;
                            restart = true;
                            break;
                        }
                        None => {
                            autoprint = false;
                            break;
                        }
                    },
                    Op::Print => {
                        out.push_str(&ps);
                        out.push('\n');
                    }
                    Op::PrintFirst => {
                        out.push_str(ps.split('\n').next().unwrap_or(""));
                        out.push('\n');
                    }
                    Op::Quit => {
                        quit = true;
                        break;
                    }
                    Op::QuitSilent => {
                        autoprint = false;
                        quit = true;
                        break;
                    }
                    Op::Append(t) => append.push(t.clone()),
                    Op::Insert(t) => {
                        out.push_str(t);
                        out.push('\n');
                    }
                    Op::Change(t) => {
                        // In a range the text replaces the range's last line.
                        let in_range = cmd.a2.is_some() && active[pc - 1].is_some();
                        if cmd.negate || !in_range {
                            out.push_str(t);
                            out.push('\n');
                        }
                        autoprint = false;
                        break;
                    }
                    Op::LineNumber => {
                        out.push_str(&format!("{line}\n"));
                    }
                    Op::Next | Op::NextAppend => {
                        if next == total {
                            // No next line: sed ends, printing as usual.
                            quit = true;
                            break;
                        }
                        if matches!(cmd.op, Op::Next) {
                            if !quiet {
                                push_line(&mut out, &ps, true);
                            }
                            flush(&mut out, &mut append);
                            ps = read(&mut next, &mut had_nl).unwrap_or_default();
                        } else {
                            flush(&mut out, &mut append);
                            ps.push('\n');
                            ps.push_str(&read(&mut next, &mut had_nl).unwrap_or_default());
                        }
                    }
                    Op::Hold => hold.clone_from(&ps),
                    Op::HoldAppend => {
                        hold.push('\n');
                        hold.push_str(&ps);
                    }
                    Op::Get => ps.clone_from(&hold),
                    Op::GetAppend => {
                        ps.push('\n');
                        ps.push_str(&hold);
                    }
                    Op::Exchange => std::mem::swap(&mut ps, &mut hold),
                    Op::Branch(kind, target, _) => {
                        let jump = match kind {
                            't' => std::mem::take(&mut subst),
                            'T' => !std::mem::take(&mut subst),
                            _ => true,
                        };
                        if jump {
                            pc = target.unwrap_or(self.cmds.len());
                        }
                    }
                }
                if ps.len() > max_bytes || hold.len() > max_bytes || out.len() > max_bytes {
                    return Err(format!("layerlab: output larger than {max_bytes} bytes"));
                }
            }
            if autoprint {
                push_line(&mut out, &ps, had_nl || !append.is_empty());
            }
            flush(&mut out, &mut append);
            if quit {
                break 'cycle;
            }
            if restart && !ps.is_empty() {
                continue 'cycle;
            }
            match read(&mut next, &mut had_nl) {
                Some(l) => ps = l,
                None => break 'cycle,
            }
        }
        Ok(out.into_bytes())
    }

    /// Whether command `i`'s address selects the current line, keeping
    /// the range state in `active` (the line the range started on).
    fn matches(
        &self,
        cmd: &Cmd,
        i: usize,
        active: &mut [Option<usize>],
        ps: &str,
        line: usize,
        last: bool,
    ) -> bool {
        let one = |a: &Addr| match a {
            Addr::Line(n) => line == *n,
            Addr::Last => last,
            Addr::Regex(r) => r.is_match(ps),
        };
        let Some(a1) = &cmd.a1 else { return true };
        let Some(a2) = &cmd.a2 else { return one(a1) };
        match active[i] {
            Some(start) => {
                let ends = match a2 {
                    End::Plus(n) => line >= start + n,
                    End::Addr(Addr::Line(n)) => line >= *n,
                    End::Addr(a) => one(a),
                };
                if ends {
                    active[i] = None;
                }
                true
            }
            None if one(a1) => {
                // A second address that is a line at or before this one
                // makes a one-line range.
                let single = match a2 {
                    End::Plus(n) => *n == 0,
                    End::Addr(Addr::Line(n)) => *n <= line,
                    End::Addr(_) => false,
                };
                if !single {
                    active[i] = Some(line);
                }
                true
            }
            None => false,
        }
    }
}

fn resolve_branches(cmds: &mut [Cmd]) -> Result<(), String> {
    let labels: Vec<(String, usize)> = cmds
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match &c.op {
            Op::Branch(':', _, name) => Some((name.clone(), i)),
            _ => None,
        })
        .collect();
    for c in cmds.iter_mut() {
        match &mut c.op {
            Op::Branch(':', _, _) => c.op = Op::Label,
            Op::Branch(_, target, name) if !name.is_empty() => {
                let found = labels.iter().find(|(l, _)| l == name);
                match found {
                    Some((_, at)) => *target = Some(*at),
                    None => return Err(format!("can't find label for jump to '{name}'")),
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn push_line(out: &mut String, line: &str, newline: bool) {
    out.push_str(line);
    if newline {
        out.push('\n');
    }
}

fn flush(out: &mut String, append: &mut Vec<String>) {
    for a in append.drain(..) {
        out.push_str(&a);
        out.push('\n');
    }
}

/// `y` strings: `\n` is a newline, `\\` a backslash, `\delim` was already
/// turned into the delimiter.
fn unescape(s: &str) -> Vec<char> {
    let mut out = Vec::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `s`: replaces the `nth` match, or with `global` every match (busybox
/// ignores the number then). An empty match right after a match is not
/// one (`s/b*/X/g` on `ab` gives `XaX`).
fn substitute(re: &Regex, line: &str, repl: &str, global: bool, nth: usize) -> (String, bool) {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut pos = 0;
    let mut count = 0;
    let mut changed = false;
    let mut prev_end = None;
    while pos <= chars.len() {
        let Some(caps) = re.find(line, pos) else {
            break;
        };
        let Some((s, e)) = caps[0] else { break };
        if s == e && prev_end == Some(s) {
            if let Some(c) = chars.get(s) {
                out.push(*c);
            }
            pos = s + 1;
            continue;
        }
        prev_end = Some(e);
        count += 1;
        out.extend(&chars[pos..s]);
        if global || count >= nth {
            changed = true;
            let mut rc = repl.chars();
            while let Some(c) = rc.next() {
                match c {
                    '&' => out.extend(&chars[s..e]),
                    '\\' => match rc.next() {
                        Some(d) if d.is_ascii_digit() => {
                            let g = d.to_digit(10).unwrap_or(0) as usize;
                            if let Some(Some((a, b))) = caps.get(g) {
                                out.extend(&chars[*a..*b]);
                            }
                        }
                        Some('n') => out.push('\n'),
                        Some('t') => out.push('\t'),
                        Some(o) => out.push(o),
                        None => out.push('\\'),
                    },
                    other => out.push(other),
                }
            }
        } else {
            out.extend(&chars[s..e]);
        }
        if e == s {
            if let Some(c) = chars.get(e) {
                out.push(*c);
            }
            pos = e + 1;
        } else {
            pos = e;
        }
        if changed && !global {
            break;
        }
    }
    if pos < chars.len() {
        out.extend(&chars[pos..]);
    }
    (out, changed)
}
