//! Text filters: head, tail, grep, sed, wc, tr, sort, uniq.

use std::sync::Arc;

use super::regex::Regex;
use super::sed::Script;
use super::{inputs, read_input, Io, Opts, Registry};
use crate::filesystem::blob::Blob;
use crate::shell::interp::{base_name, Shell};

pub(super) fn register(r: &mut Registry) {
    r.register("head", true, Arc::new(head_tail));
    r.register("tail", true, Arc::new(head_tail));
    r.register("grep", true, Arc::new(grep));
    r.register("egrep", true, Arc::new(grep));
    r.register("fgrep", true, Arc::new(grep));
    r.register("sed", true, Arc::new(sed));
    r.register("awk", true, Arc::new(super::awk::awk));
    r.register("wc", true, Arc::new(wc));
    r.register("tr", true, Arc::new(tr));
    r.register("sort", true, Arc::new(sort));
    r.register("uniq", true, Arc::new(uniq));
}

/// Lines with their terminators kept.
fn lines(data: &[u8]) -> Vec<&[u8]> {
    data.split_inclusive(|b| *b == b'\n').collect()
}

fn head_tail(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let applet = base_name(&argv[0]).to_owned();
    // `head -5` is `head -n 5` (but in `head -n -5` the -5 is the value).
    let args: Vec<String> = argv[1..]
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let is_value = i > 0 && matches!(argv[i].as_str(), "-n" | "-c");
            if !is_value
                && a.len() > 1
                && a.starts_with('-')
                && a[1..].chars().all(|c| c.is_ascii_digit())
            {
                format!("-n{}", &a[1..])
            } else {
                a.clone()
            }
        })
        .collect();
    let o = Opts::parse(&args, "nc");
    let spec = o.value('n').or(o.value('c')).unwrap_or("10");
    let from_start = spec.starts_with('+');
    let neg = spec.starts_with('-');
    let n: usize = spec.trim_start_matches(['+', '-']).parse().unwrap_or(10);
    let bytes = o.value('c').is_some();
    let endless_zeros = applet == "head" && bytes && !neg && o.operands == ["/dev/zero"];
    let (data, status) = if endless_zeros {
        // /dev/zero never ends: `head -c N` takes N zero bytes of it.
        (vec![0; n.min(sh.limits().max_bytes)], 0)
    } else {
        inputs(sh, io, &applet, &o.operands)
    };
    let out: Vec<u8> = if bytes {
        let len = data.len();
        match (applet.as_str(), from_start, neg) {
            ("head", _, true) => data[..len.saturating_sub(n)].to_vec(),
            ("head", _, _) => data[..n.min(len)].to_vec(),
            (_, true, _) => data[n.saturating_sub(1).min(len)..].to_vec(),
            _ => data[len.saturating_sub(n)..].to_vec(),
        }
    } else {
        let ls = lines(&data);
        let len = ls.len();
        let picked: &[&[u8]] = match (applet.as_str(), from_start, neg) {
            ("head", _, true) => &ls[..len.saturating_sub(n)],
            ("head", _, _) => &ls[..n.min(len)],
            (_, true, _) => &ls[n.saturating_sub(1).min(len)..],
            _ => &ls[len.saturating_sub(n)..],
        };
        picked.concat()
    };
    io.out.extend_from_slice(&out);
    status
}

/// grep's patterns and sed's scripts: every `-e`, or else the first operand
/// (taken out of `operands`); None when there is neither.
fn programs(o: &Opts, operands: &mut Vec<String>) -> Option<Vec<String>> {
    let given: Vec<String> = o
        .values
        .iter()
        .filter(|(c, _)| *c == 'e')
        .map(|(_, v)| v.clone())
        .collect();
    if !given.is_empty() {
        Some(given)
    } else if operands.is_empty() {
        None
    } else {
        Some(vec![operands.remove(0)])
    }
}

/// A BRE matching `s` literally (`grep -F`).
fn literal(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.[]*^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The spans (char offsets) where `re` matches `line` under `-x` (the
/// whole line) and `-w` (a match bounded by non-word characters; busybox
/// tries later starts when one is not).
fn grep_spans(re: &Regex, line: &str, whole_line: bool, word: bool) -> Vec<(usize, usize)> {
    let chars: Vec<char> = line.chars().collect();
    let is_word = |i: usize| {
        chars
            .get(i)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
    };
    let mut spans = Vec::new();
    let mut pos = 0;
    while pos <= chars.len() {
        let Some((s, e)) = re.find(line, pos).and_then(|c| c[0]) else {
            break;
        };
        let ok = if whole_line {
            s == 0 && e == chars.len()
        } else if word {
            e > s && !is_word(e) && !(s > 0 && is_word(s - 1))
        } else {
            true
        };
        if ok {
            spans.push((s, e));
            pos = if e > s { e } else { e + 1 };
        } else {
            pos = s + 1;
        }
        if whole_line {
            break;
        }
    }
    spans
}

/// The files `grep -r` reads under each operand (a directory's files
/// walked in name order; symlinks inside are not followed).
fn grep_sources(sh: &Shell, operands: &[String], recursive: bool) -> Vec<String> {
    let mut out = Vec::new();
    for op in operands {
        let abs = sh.abs(op);
        if recursive && sh.fs().stat(&abs).is_ok_and(|n| n.is_dir()) {
            if let Ok(entries) = sh.fs().walk(&abs) {
                let base = op.trim_end_matches('/');
                out.extend(
                    entries
                        .into_iter()
                        .filter(|(_, n)| n.is_file())
                        .map(|(rel, _)| format!("{base}/{rel}")),
                );
            }
        } else {
            out.push(op.clone());
        }
    }
    out
}

fn grep(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let applet = base_name(&argv[0]).to_owned();
    let o = Opts::parse(&argv[1..], "em");
    let mut operands = o.operands.clone();
    let Some(patterns) = programs(&o, &mut operands) else {
        io.eprint("BusyBox v1.35.0 multi-call binary.\n\nUsage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n");
        return 2;
    };
    let fixed = o.has('F') || applet == "fgrep";
    let extended = o.has('E') || applet == "egrep";
    let icase = o.has('i');
    let mut regexes = Vec::new();
    for p in patterns.iter().flat_map(|p| p.split('\n')) {
        let (pat, ext) = if fixed {
            (literal(p), false)
        } else {
            (p.to_owned(), extended)
        };
        match Regex::new(&pat, ext, icase) {
            Ok(r) => regexes.push(r),
            Err(e) => {
                io.error("grep", &e);
                return 2;
            }
        }
    }
    let max: Option<usize> = o.value('m').and_then(|v| v.parse().ok());
    // Without operands even `-r` reads stdin, as busybox 1.35 does.
    let recursive = o.has('r') || o.has('R');
    let multi = (operands.len() > 1 || recursive || o.has('H')) && !o.has('h');
    let sources: Vec<String> = if operands.is_empty() {
        vec!["-".to_owned()]
    } else {
        grep_sources(sh, &operands, recursive)
    };
    let (whole, word, only) = (o.has('x'), o.has('w'), o.has('o'));
    let mut any = false;
    let mut status = 0;
    for src in &sources {
        if src != "-" && sh.fs().stat(&sh.abs(src)).is_ok_and(|n| n.is_dir()) {
            // busybox reads a directory as a file without lines, silently.
            continue;
        }
        let data = match read_input(sh, io, src) {
            Ok(d) => d,
            Err(e) => {
                if !o.has('s') {
                    io.error("grep", &format!("{src}: {}", e.strerror()));
                }
                status = 2;
                continue;
            }
        };
        let shown = if src == "-" {
            "(standard input)"
        } else {
            src.as_str()
        };
        let mut count = 0usize;
        for (ln, raw) in lines(&data).into_iter().enumerate() {
            let text = String::from_utf8_lossy(raw);
            let line = text.strip_suffix('\n').unwrap_or(&text);
            let mut spans: Vec<(usize, usize)> = regexes
                .iter()
                .flat_map(|r| grep_spans(r, line, whole, word))
                .collect();
            let hit = !spans.is_empty();
            if hit == o.has('v') {
                continue;
            }
            if max.is_some_and(|m| count >= m) {
                break;
            }
            count += 1;
            any = true;
            if o.has('q') {
                return 0;
            }
            if o.has('c') || o.has('l') || o.has('L') {
                continue;
            }
            let mut prefix = String::new();
            if multi {
                prefix.push_str(shown);
                prefix.push(':');
            }
            if o.has('n') {
                prefix.push_str(&format!("{}:", ln + 1));
            }
            if only && !o.has('v') {
                spans.sort_unstable();
                let chars: Vec<char> = line.chars().collect();
                let mut end = 0;
                for (s, e) in spans {
                    if s < end || e == s {
                        continue;
                    }
                    end = e;
                    let m: String = chars[s..e].iter().collect();
                    io.print(&format!("{prefix}{m}\n"));
                }
            } else if !only {
                io.print(&format!("{prefix}{line}\n"));
            }
        }
        if o.has('c') {
            if multi {
                io.print(&format!("{shown}:{count}\n"));
            } else {
                io.print(&format!("{count}\n"));
            }
        }
        if o.has('l') && count > 0 {
            io.print(&format!("{shown}\n"));
        }
        if o.has('L') && count == 0 {
            io.print(&format!("{shown}\n"));
        }
    }
    if status == 2 && !any {
        return 2;
    }
    i32::from(!any)
}

/// `sed [-inrE] [-i[SUFFIX]] [-e SCRIPT]... [SCRIPT] [FILE]...`; the
/// language is in [`super::sed`].
fn sed(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    // `-i` takes its backup suffix attached (`-i.bak`), after any flags.
    let mut suffix = None;
    let args: Vec<String> = argv[1..]
        .iter()
        .map(
            |a| match a.strip_prefix('-').and_then(|f| f.split_once('i')) {
                Some((flags, sfx))
                    if !a.starts_with("--") && flags.chars().all(|c| "nrEsu".contains(c)) =>
                {
                    if !sfx.is_empty() {
                        suffix = Some(sfx.to_owned());
                    }
                    format!("-{flags}i")
                }
                _ => a.clone(),
            },
        )
        .collect();
    let o = Opts::parse(&args, "ef");
    let mut operands = o.operands.clone();
    let Some(scripts) = programs(&o, &mut operands) else {
        io.error("sed", "no script specified");
        return 1;
    };
    let script = match Script::parse(&scripts.join("\n"), o.has('E') || o.has('r')) {
        Ok(s) => s,
        Err(e) => {
            io.error("sed", &e);
            return 1;
        }
    };
    let quiet = o.has('n');
    let max = sh.limits().max_bytes;
    if o.has('i') {
        let mut status = 0;
        for f in &operands {
            let abs = sh.abs(f);
            let (data, node) = match (read_input(sh, io, f), sh.fs().stat(&abs)) {
                (Ok(d), Ok(n)) => (d, n),
                (Err(e), _) | (_, Err(e)) => {
                    io.error("sed", &format!("{f}: {}", e.strerror()));
                    status = 1;
                    continue;
                }
            };
            let out = match script.run(&data, quiet, max) {
                Ok(out) => out,
                Err(e) => {
                    io.error("sed", &e);
                    return 1;
                }
            };
            if let Some(sfx) = &suffix {
                let backup = Blob::from_bytes(data.clone());
                if let Err(e) = sh.fs_mut().write_file(
                    &format!("{abs}{sfx}"),
                    backup,
                    node.mode,
                    node.uid,
                    node.gid,
                ) {
                    io.error("sed", &format!("{f}{sfx}: {}", e.strerror()));
                    status = 1;
                    continue;
                }
            }
            if let Err(e) =
                sh.fs_mut()
                    .write_file(&abs, Blob::from_bytes(out), node.mode, node.uid, node.gid)
            {
                io.error("sed", &format!("{f}: {}", e.strerror()));
                status = 1;
            }
        }
        return status;
    }
    let (data, status) = inputs(sh, io, "sed", &operands);
    match script.run(&data, quiet, max) {
        Ok(out) => io.out.extend_from_slice(&out),
        Err(e) => {
            io.error("sed", &e);
            return 1;
        }
    }
    status
}

fn wc(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let (l, w, c) = (o.has('l'), o.has('w'), o.has('c') || o.has('m'));
    let all = !(l || w || c);
    let count = |d: &[u8]| {
        let lines = d.iter().filter(|b| **b == b'\n').count();
        let words = d
            .split(|b| b.is_ascii_whitespace())
            .filter(|s| !s.is_empty())
            .count();
        (lines, words, d.len())
    };
    let several = o.operands.len() > 1;
    let fmt = |(nl, nw, nc): (usize, usize, usize), name: Option<&str>| {
        // busybox pads columns to 9 unless one count of one input is shown.
        let mut cols = Vec::new();
        if all || l {
            cols.push(nl);
        }
        if all || w {
            cols.push(nw);
        }
        if all || c {
            cols.push(nc);
        }
        let single = cols.len() == 1 && !several;
        let mut s = cols
            .iter()
            .map(|n| {
                if single {
                    n.to_string()
                } else {
                    format!("{n:>9}")
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(n) = name {
            s.push(' ');
            s.push_str(n);
        }
        s.push('\n');
        s
    };
    if o.operands.is_empty() {
        let d = io.stdin().to_vec();
        let t = fmt(count(&d), None);
        io.print(&t);
        return 0;
    }
    let mut status = 0;
    let mut total = (0, 0, 0);
    for f in &o.operands {
        match read_input(sh, io, f) {
            Ok(d) => {
                let k = count(&d);
                total = (total.0 + k.0, total.1 + k.1, total.2 + k.2);
                let t = fmt(k, Some(f));
                io.print(&t);
            }
            Err(e) => {
                io.error("wc", &format!("{f}: {}", e.strerror()));
                status = 1;
            }
        }
    }
    if o.operands.len() > 1 {
        let t = fmt(total, Some("total"));
        io.print(&t);
    }
    status
}

/// Expands a tr set: ranges, escapes and `[:class:]`.
fn tr_set(s: &str) -> Vec<char> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '[' && chars.get(i + 1) == Some(&':') {
            let rest: String = chars[i + 2..].iter().collect();
            if let Some(end) = rest.find(":]") {
                let name = &rest[..end];
                out.extend(
                    (0u8..=127)
                        .map(char::from)
                        .filter(|c| crate::shell::pattern::named_class(name, *c)),
                );
                i += 2 + end + 2;
                continue;
            }
        }
        let c = if chars[i] == '\\' && i + 1 < chars.len() {
            i += 1;
            match chars[i] {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                o => o,
            }
        } else {
            chars[i]
        };
        if chars.get(i + 1) == Some(&'-') && i + 2 < chars.len() {
            let end = chars[i + 2];
            if end >= c {
                out.extend(c..=end);
            }
            i += 3;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

fn tr(_: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let Some(set1) = o.operands.first().map(|s| tr_set(s)) else {
        io.error("tr", "missing operand");
        return 1;
    };
    let set2 = o.operands.get(1).map(|s| tr_set(s)).unwrap_or_default();
    let input = String::from_utf8_lossy(io.stdin()).into_owned();
    let in_set1 = |c: char| set1.contains(&c) != o.has('c');
    let mut out = String::new();
    let mut last: Option<char> = None;
    for c in input.chars() {
        if o.has('d') {
            if in_set1(c) {
                continue;
            }
            out.push(c);
            continue;
        }
        let mapped = if in_set1(c) && !set2.is_empty() {
            match set1.iter().position(|x| *x == c) {
                Some(p) => set2.get(p).or(set2.last()).copied().unwrap_or(c),
                None => set2.last().copied().unwrap_or(c),
            }
        } else {
            c
        };
        if o.has('s')
            && last == Some(mapped)
            && (set2.contains(&mapped) || (set2.is_empty() && in_set1(mapped)))
        {
            continue;
        }
        last = Some(mapped);
        out.push(mapped);
    }
    io.print(&out);
    0
}

/// A cut list like `1,3-5,7-`.
fn sort(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "kto");
    let (data, status) = inputs(sh, io, "sort", &o.operands);
    if status != 0 {
        // busybox's sort dies at a file it cannot open, with 2.
        return 2;
    }
    let text = String::from_utf8_lossy(&data).into_owned();
    let mut ls: Vec<&str> = text.lines().collect();
    let key = o.value('k').map(|k| SortKey::parse(k, o.value('t')));
    let numeric_key = o.has('n') || key.as_ref().is_some_and(|k| k.numeric);
    let field = |l: &'_ str| -> String {
        match &key {
            Some(k) => k.of(l),
            None => l.to_owned(),
        }
    };
    let numeric = |s: &str| -> f64 {
        let t = s.trim_start();
        let end = t
            .char_indices()
            .take_while(|(i, c)| c.is_ascii_digit() || *c == '.' || (*i == 0 && *c == '-'))
            .count();
        t[..end].parse().unwrap_or(0.0)
    };
    if numeric_key {
        ls.sort_by(|a, b| {
            numeric(&field(a))
                .partial_cmp(&numeric(&field(b)))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.cmp(b))
        });
    } else if o.has('f') {
        ls.sort_by_key(|a| field(a).to_lowercase());
    } else if key.is_some() {
        // the key first, the whole line breaking ties (busybox's last resort)
        ls.sort_by(|a, b| field(a).cmp(&field(b)).then_with(|| a.cmp(b)));
    } else {
        ls.sort_unstable();
    }
    if o.has('r') {
        ls.reverse();
    }
    if o.has('u') {
        // one line per key (the whole line without -k)
        ls.dedup_by(|a, b| field(a) == field(b));
    }
    let mut out = String::new();
    for l in ls {
        out.push_str(l);
        out.push('\n');
    }
    if let Some(dest) = o.value('o') {
        let abs = sh.abs(dest);
        let (uid, gid, mode) = (sh.user().uid, sh.user().gid, 0o666 & !sh.umask());
        if let Err(e) =
            sh.fs_mut()
                .write_file(&abs, Blob::from_bytes(out.into_bytes()), mode, uid, gid)
        {
            io.error("sort", &format!("{dest}: {}", e.strerror()));
            return 2;
        }
        return status;
    }
    io.print(&out);
    status
}

/// `sort -k F1[.C1][n][,F2[.C2]]` with `-t SEP`: the part of a line the
/// lines are ordered by. Without `-t` a field is a run of blanks and the
/// word after them (the blanks count, as POSIX says).
struct SortKey {
    start: (usize, usize),
    end: Option<(usize, usize)>,
    separator: Option<char>,
    numeric: bool,
}

impl SortKey {
    fn parse(spec: &str, separator: Option<&str>) -> SortKey {
        let mut numeric = false;
        let mut pos = |p: &str| -> (usize, usize) {
            let digits: String = p
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            numeric |= p.contains('n');
            let (f, c) = digits.split_once('.').unwrap_or((&digits, "0"));
            (f.parse().unwrap_or(1).max(1), c.parse().unwrap_or(0))
        };
        let (a, b) = match spec.split_once(',') {
            Some((a, b)) => (pos(a), Some(pos(b))),
            None => (pos(spec), None),
        };
        SortKey {
            start: a,
            end: b,
            separator: separator.and_then(|s| s.chars().next()),
            numeric,
        }
    }

    /// The fields of `line`, each with its leading separator or blanks.
    fn fields<'l>(&self, line: &'l str) -> Vec<&'l str> {
        let mut out = Vec::new();
        let mut start = 0;
        match self.separator {
            Some(sep) => {
                for (i, c) in line.char_indices() {
                    if c == sep {
                        out.push(&line[start..i]);
                        start = i + c.len_utf8();
                    }
                }
            }
            None => {
                let mut in_word = false;
                for (i, c) in line.char_indices() {
                    let blank = c == ' ' || c == '\t';
                    if blank && in_word {
                        out.push(&line[start..i]);
                        start = i;
                    }
                    in_word = !blank;
                }
            }
        }
        out.push(&line[start..]);
        out
    }

    fn of(&self, line: &str) -> String {
        let fields = self.fields(line);
        let from = self.start.0 - 1;
        let to = self.end.map_or(fields.len(), |e| e.0.min(fields.len()));
        if from >= fields.len() || from >= to {
            return String::new();
        }
        let mut key: String =
            fields[from..to].join(&self.separator.map(String::from).unwrap_or_default());
        if self.start.1 > 1 {
            key = key.chars().skip(self.start.1 - 1).collect();
        }
        key
    }
}

fn uniq(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let (data, status) = inputs(sh, io, "uniq", &o.operands);
    let text = String::from_utf8_lossy(&data).into_owned();
    let mut groups: Vec<(&str, usize)> = Vec::new();
    for l in text.lines() {
        match groups.last_mut() {
            Some((last, n)) if *last == l => *n += 1,
            _ => groups.push((l, 1)),
        }
    }
    let mut out = String::new();
    for (l, n) in groups {
        if (o.has('d') && n < 2) || (o.has('u') && n > 1) {
            continue;
        }
        if o.has('c') {
            out.push_str(&format!("{n:>7} "));
        }
        out.push_str(l);
        out.push('\n');
    }
    io.print(&out);
    status
}
