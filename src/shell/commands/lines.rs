//! Line filters busybox has and the base image's Dockerfiles reach for:
//! rev, tac, nl, paste, fold, dos2unix and unix2dos.

use std::sync::Arc;

use super::{read_input, Io, Opts, Registry};
use crate::shell::interp::Shell;

pub(super) fn register(r: &mut Registry) {
    r.register("rev", true, Arc::new(rev));
    r.register("tac", true, Arc::new(tac));
    r.register("nl", true, Arc::new(nl));
    r.register("paste", true, Arc::new(paste));
    r.register("fold", true, Arc::new(fold));
    r.register("dos2unix", true, Arc::new(dos2unix));
    r.register("unix2dos", true, Arc::new(dos2unix));
}

/// The column after `c` at `col`: a tab moves to the next multiple of
/// 8, a backspace back one, a carriage return to 0 (with `-b` every byte
/// is one). Bytes, not characters: a RUN has no locale.
fn fold_col(col: usize, c: u8, bytes: bool) -> usize {
    match c {
        _ if bytes => col + 1,
        b'\t' => (col / 8 + 1) * 8,
        8 => col.saturating_sub(1),
        b'\r' => 0,
        _ => col + 1,
    }
}

fn fold(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    // `fold -80` is `fold -w 80`.
    let args: Vec<String> = argv[1..]
        .iter()
        .map(|a| match a.strip_prefix('-') {
            Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => format!("-w{n}"),
            _ => a.clone(),
        })
        .collect();
    let o = Opts::parse(&args, "w");
    let width = match o.value('w').map(str::parse::<usize>) {
        None => 80,
        Some(Ok(w)) if w > 0 => w,
        Some(_) => {
            io.error(
                "fold",
                &format!("invalid number '{}'", o.value('w').unwrap_or_default()),
            );
            return 1;
        }
    };
    let (spaces, bytes) = (o.has('s'), o.has('b'));
    let (inputs, status) = each_input(sh, io, "fold", &o.operands);
    let mut out = Vec::new();
    for data in inputs {
        let mut line: Vec<u8> = Vec::new();
        let mut col = 0;
        for &c in &data {
            if c == b'\n' {
                out.extend_from_slice(&line);
                out.push(b'\n');
                line.clear();
                col = 0;
                continue;
            }
            if fold_col(col, c, bytes) > width && !line.is_empty() {
                let blank = spaces
                    .then(|| line.iter().rposition(|b| *b == b' ' || *b == b'\t'))
                    .flatten();
                let keep = match blank {
                    Some(i) => line.split_off(i + 1),
                    None => Vec::new(),
                };
                out.extend_from_slice(&line);
                out.push(b'\n');
                line = keep;
                col = line.iter().fold(0, |c, b| fold_col(c, *b, bytes));
            }
            col = fold_col(col, c, bytes);
            line.push(c);
        }
        out.extend_from_slice(&line);
    }
    io.out.extend_from_slice(&out);
    status
}

/// dos2unix drops every carriage return; unix2dos then puts one before
/// each newline. With files they are converted in place.
fn dos2unix(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let applet = crate::shell::interp::base_name(&argv[0]).to_owned();
    let o = Opts::parse(&argv[1..], "");
    let to_dos = if o.has('d') {
        true
    } else if o.has('u') {
        false
    } else {
        applet == "unix2dos"
    };
    let convert = |data: &[u8]| -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len());
        for &b in data.iter().filter(|b| **b != b'\r') {
            if to_dos && b == b'\n' {
                out.push(b'\r');
            }
            out.push(b);
        }
        out
    };
    if o.operands.is_empty() {
        let data = io.stdin().to_vec();
        io.out.extend(convert(&data));
        return 0;
    }
    for f in &o.operands {
        let abs = sh.abs(f);
        let data = match read_input(sh, io, f) {
            Ok(d) => d,
            Err(e) => {
                io.error(&applet, &format!("can't open '{f}': {}", e.strerror()));
                return 1;
            }
        };
        let (mode, uid, gid) = match sh.fs().stat(&abs) {
            Ok(n) => (n.mode & 0o7777, n.uid, n.gid),
            Err(_) => (0o644, 0, 0),
        };
        let blob = crate::filesystem::blob::Blob::from_bytes(convert(&data));
        if let Err(e) = sh.fs_mut().write_file(&abs, blob, mode, uid, gid) {
            io.error(&applet, &format!("can't open '{f}': {}", e.strerror()));
            return 1;
        }
    }
    0
}

/// Each operand's bytes (stdin without one); a file that cannot be read
/// is reported as `APPLET: FILE: REASON` and makes the status 1.
fn each_input(
    sh: &Shell<'_, '_>,
    io: &mut Io,
    applet: &str,
    files: &[String],
) -> (Vec<Vec<u8>>, i32) {
    if files.is_empty() {
        return (vec![io.stdin().to_vec()], 0);
    }
    let mut out = Vec::new();
    let mut status = 0;
    for f in files {
        match read_input(sh, io, f) {
            Ok(d) => out.push(d),
            Err(e) => {
                io.error(applet, &format!("{f}: {}", e.strerror()));
                status = 1;
            }
        }
    }
    (out, status)
}

/// Each line reversed byte by byte: a RUN has no locale, so busybox's
/// unicode support is off and `é` turns into two stray bytes. Lines are
/// C strings to it, so a NUL ends the line's text.
fn rev(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let (inputs, status) = each_input(sh, io, "rev", &o.operands);
    let mut out = Vec::new();
    for data in inputs {
        for line in data.split_inclusive(|b| *b == b'\n') {
            let (text, nl) = match line.strip_suffix(b"\n") {
                Some(t) => (t, true),
                None => (line, false),
            };
            let text = text.split(|b| *b == 0).next().unwrap_or_default();
            out.extend(text.iter().rev());
            if nl {
                out.push(b'\n');
            }
        }
    }
    io.out.extend_from_slice(&out);
    status
}

/// Each file's lines last first, each with the terminator it had (so a
/// last line without one runs into the line before it).
fn tac(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "");
    let (inputs, status) = each_input(sh, io, "tac", &o.operands);
    for data in inputs {
        for line in data.split_inclusive(|b| *b == b'\n').rev() {
            io.out.extend_from_slice(line);
        }
    }
    status
}

fn nl(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "bisvw");
    let style = o.value('b').unwrap_or("t");
    let sep = o.value('s').unwrap_or("\t").to_owned();
    let num = |c: char, d: i64| o.value(c).and_then(|v| v.parse().ok()).unwrap_or(d);
    let (incr, width) = (num('i', 1), num('w', 6).max(0) as usize);
    let mut n = num('v', 1);
    let (inputs, status) = each_input(sh, io, "nl", &o.operands);
    let mut out = String::new();
    for data in inputs {
        let text = String::from_utf8_lossy(&data).into_owned();
        for line in text.lines() {
            let numbered = match style {
                "a" => true,
                "n" => false,
                _ => !line.is_empty(),
            };
            if numbered {
                out.push_str(&format!("{n:>width$}{sep}{line}\n"));
                n += incr;
            } else {
                // The number's room stays blank, the separator's too.
                let pad = width + sep.len();
                out.push_str(&format!("{:pad$}{line}\n", ""));
            }
        }
    }
    io.print(&out);
    status
}

/// `paste -d LIST`'s delimiters after busybox's escape processing
/// (`\t`, `\n`, `\\`, `\0` for none, octal); unknown escapes stay as typed.
fn paste_delims(list: &str) -> Vec<Option<u8>> {
    let b = list.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let e = b[i + 1];
            i += 2;
            let byte = match e {
                b't' => b'\t',
                b'n' => b'\n',
                b'\\' => b'\\',
                b'a' => 7,
                b'b' => 8,
                b'f' => 12,
                b'r' => b'\r',
                b'v' => 11,
                b'0'..=b'7' => {
                    let mut v = u32::from(e - b'0');
                    let mut k = 0;
                    while k < 2 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                        v = v * 8 + u32::from(b[i] - b'0');
                        i += 1;
                        k += 1;
                    }
                    (v & 0xff) as u8
                }
                _ => {
                    out.push(Some(b'\\'));
                    e
                }
            };
            out.push((byte != 0).then_some(byte));
        } else {
            out.push(Some(b[i]));
            i += 1;
        }
    }
    out
}

fn paste(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let o = Opts::parse(&argv[1..], "d");
    let delims = match o.value('d') {
        Some("") => {
            io.error("paste", "-d '' is not supported");
            return 1;
        }
        Some(d) => paste_delims(d),
        None => vec![Some(b'\t')],
    };
    let names = if o.operands.is_empty() {
        vec!["-".to_owned()]
    } else {
        o.operands.clone()
    };
    // Every `-` reads the one stdin, a line at a time in turn.
    let stdin = io.stdin().to_vec();
    let mut stdin_pos = 0;
    let mut files: Vec<Option<(Vec<u8>, usize)>> = Vec::new();
    for f in &names {
        if f == "-" {
            files.push(None);
            continue;
        }
        match read_input(sh, io, f) {
            Ok(d) => files.push(Some((d, 0))),
            Err(e) => {
                io.error("paste", &format!("{f}: {}", e.strerror()));
                return 1;
            }
        }
    }
    let next_line = |file: &mut Option<(Vec<u8>, usize)>, stdin_pos: &mut usize| {
        let (data, pos) = match file {
            Some((d, p)) => (&d[..], p),
            None => (&stdin[..], stdin_pos),
        };
        if *pos >= data.len() {
            return None;
        }
        let rest = &data[*pos..];
        let end = rest.iter().position(|b| *b == b'\n');
        let line = rest[..end.unwrap_or(rest.len())].to_vec();
        *pos += end.map_or(rest.len(), |e| e + 1);
        Some(line)
    };
    let mut out = Vec::new();
    let delim_at = |k: usize| delims[k % delims.len()];
    if o.has('s') {
        for file in &mut files {
            let mut k = 0;
            let mut prev: Option<Vec<u8>> = None;
            while let Some(line) = next_line(file, &mut stdin_pos) {
                if let Some(p) = prev.take() {
                    out.extend_from_slice(&p);
                    out.extend(delim_at(k));
                    k += 1;
                }
                prev = Some(line);
            }
            if let Some(p) = prev {
                out.extend_from_slice(&p);
                out.push(b'\n');
            }
        }
    } else {
        // A file that ran out drops from the row, delimiter and all, as
        // busybox's paste does.
        let mut active: Vec<bool> = vec![true; files.len()];
        let count = files.len();
        while active.iter().any(|a| *a) {
            let mut k = 0;
            for (i, file) in files.iter_mut().enumerate() {
                if !active[i] {
                    continue;
                }
                let Some(line) = next_line(file, &mut stdin_pos) else {
                    active[i] = false;
                    continue;
                };
                out.extend_from_slice(&line);
                if i + 1 == count {
                    out.push(b'\n');
                } else {
                    out.extend(delim_at(k));
                    k += 1;
                }
            }
            if out.len() > sh.limits().max_bytes {
                break;
            }
        }
    }
    io.out.extend_from_slice(&out);
    0
}
